#!/usr/bin/env bash
# The dashboard's browser tests: a small demo city in a fresh database of the test cluster, the
# real repeatd serving it, then tests/ui/dashboard.test.js (node's test runner, TAP on stdout)
# driving Debian's chromium through puppeteer-core. Screenshots and the report's PDF go to
# OUT_DIR. Needs REPEATD_TEST_DATABASE_URL and REPEATD_TEST_PORT_BASE (tests/run.sh sets them);
# without a cluster it prints a TAP skip.
#   tests/ui/run.sh REPEATD_BIN DEMO_BIN OUT_DIR
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$1 DEMO=$2 OUT=$3
TICKETS=${REPEATD_UI_TICKETS:-5000}

if [ -z "${REPEATD_TEST_DATABASE_URL:-}" ]; then
    echo "1..0 # SKIP no test cluster (REPEATD_TEST_DATABASE_URL is not set)"
    exit 0
fi
mkdir -p "$OUT"
log=$OUT/server.log
db=repeatd_ui_$$
base_url=$REPEATD_TEST_DATABASE_URL
db_url=$(printf '%s' "$base_url" | sed -E "s#:///[^?]*#:///$db#")
port=$((${REPEATD_TEST_PORT_BASE:-32000} + 97))
secret=ui-test-secret-0123456789
admin_key=ui-admin-$RANDOM$RANDOM$RANDOM$RANDOM
pid=""

cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    psql -q "$base_url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

{
    psql -q "$base_url" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    REPEATD_DATABASE_URL=$db_url "$BIN" migrate
} >"$OUT/setup.log" 2>&1 || {
    echo "1..1"
    echo "not ok 1 - set-up of the database (see $OUT/setup.log)"
    exit 1
}

REPEATD_DATABASE_URL=$db_url REPEATD_SECRET=$secret REPEATD_LISTEN=127.0.0.1:$port \
    REPEATD_BOOTSTRAP_ADMIN_KEY=$admin_key REPEATD_THREADS=2 \
    ${REPEATD_TEST_SERVER_WRAPPER:-} "$BIN" serve >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
# A small city has few complaints a unit a month: rank from 5 (the default, 20, ranks none).
# Set before the demo runs, so that its ranking puts units at the bottom and it opens
# programmes for them (the programmes page then has something to show).
curl -fsS -X PATCH -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    -d '{"ranking_min_complaints": 5}' "http://127.0.0.1:$port/v1/admin/settings" >/dev/null
REPEATD_DATABASE_URL=$db_url REPEATD_SECRET=$secret "$DEMO" --tickets "$TICKETS" --seed 7 >>"$OUT/setup.log" 2>&1 || {
    echo "1..1"
    echo "not ok 1 - set-up of the demo city (see $OUT/setup.log)"
    exit 1
}
dash_key=$(REPEATD_DATABASE_URL=$db_url "$BIN" key create --role dashboard --name ui-dashboard 2>>"$OUT/setup.log" | tail -1)
manager_key=$(REPEATD_DATABASE_URL=$db_url "$BIN" key create --role manager --name ui-manager 2>>"$OUT/setup.log" | tail -1)
crm_key=$(REPEATD_DATABASE_URL=$db_url "$BIN" key create --role crm --name ui-crm 2>>"$OUT/setup.log" | tail -1)

REPEATD_URL=http://127.0.0.1:$port REPEATD_ADMIN_KEY=$admin_key REPEATD_DASHBOARD_KEY=$dash_key \
    REPEATD_MANAGER_KEY=$manager_key REPEATD_CRM_KEY=$crm_key \
    REPEATD_UI_OUT=$OUT REPEATD_SERVER_LOG=$log \
    node --test --test-reporter=tap --test-concurrency=1 "$HERE/dashboard.test.js"
