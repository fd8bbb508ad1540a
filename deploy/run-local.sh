#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup runs from traps, which shellcheck cannot see
# README command 1: builds repeatd and runs it on this machine against a private PostgreSQL
# cluster in var/pg, with the sample category tree loaded. State that later runs reuse: the
# cluster (var/pg), the HMAC secret (var/secret) and the admin key (var/admin.key).
# Ctrl-C or SIGTERM stops the server, then the cluster. Works from any directory, as root or not.
#
#   deploy/run-local.sh              serve the database as it is
#   deploy/run-local.sh --demo [N]   first load the demo city (N tickets, default 200000, with
#                                    their lifecycle events and KPIs) unless the database already
#                                    holds it, so that the dashboards show numbers at once
#
# Environment: REPEATD_LISTEN (default 127.0.0.1:8080), REPEATD_PG_PORT (the cluster's socket
# number, default 54329), and any other REPEATD_* variable, passed on to the server.
set -euo pipefail

usage() { echo "usage: $0 [--demo [TICKETS]]" >&2; }

demo_tickets=""
while [ $# -gt 0 ]; do
    case $1 in
    --demo)
        demo_tickets=200000
        if [ $# -gt 1 ] && [[ $2 =~ ^[0-9]+$ ]]; then
            demo_tickets=$2
            shift
        fi
        ;;
    --demo=*)
        demo_tickets=${1#--demo=}
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage
        exit 2
        ;;
    esac
    shift
done
if [ -n "$demo_tickets" ] && ! [[ $demo_tickets =~ ^[0-9]+$ && $demo_tickets -ge 100 ]]; then
    echo "run-local: --demo takes a number of tickets, 100 or more" >&2
    exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG=$ROOT/tests/pg.sh
PSQL=/usr/lib/postgresql/15/bin/psql
pg_port=${REPEATD_PG_PORT:-54329}
export REPEATD_LISTEN=${REPEATD_LISTEN:-127.0.0.1:8080}

say() { printf 'run-local: %s\n' "$*" >&2; }

deploy/install-deps.sh

if [ ! -f build/meson-private/coredata.dat ]; then
    meson setup build
fi
meson compile -C build

# The cluster lives in var/pg. As root it runs as the postgres user, which must be able to
# reach it: when the checkout sits in a folder closed to others (/root, say), use /var/tmp.
mkdir -p -m 755 var
pg_dir=$ROOT/var/pg
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$ROOT/var"; then
    pg_dir=/var/tmp/repeatd-pg-$(printf '%s' "$ROOT" | cksum | cut -d ' ' -f 1)
    say "user postgres cannot reach $ROOT/var; the cluster lives in $pg_dir instead"
fi

server_pid=""
started_cluster=false

cleanup() {
    trap - INT TERM EXIT
    set +e
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        say "stopping repeatd (pid $server_pid)"
        kill -TERM "$server_pid" 2>/dev/null
        local i
        for ((i = 0; i < 300; i++)); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            say "repeatd did not stop within 30 s; killing it"
            kill -KILL "$server_pid" 2>/dev/null
        fi
        wait "$server_pid" 2>/dev/null
    fi
    server_pid=""
    # A cluster that was already running belongs to another run: leave it be.
    if $started_cluster; then
        say "stopping PostgreSQL ($pg_dir)"
        "$PG" stop "$pg_dir"
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

if ! "$PG" status "$pg_dir" >/dev/null 2>&1; then
    started_cluster=true
fi
"$PG" start "$pg_dir" "$pg_port"
admin_url=$("$PG" url "$pg_dir" "$pg_port")
if [ "$("$PSQL" "$admin_url" -XtAc "select 1 from pg_database where datname = 'repeatd'")" != 1 ]; then
    "$PSQL" "$admin_url" -Xq -c 'create database repeatd'
fi

# Made once, kept private, reused by later runs.
random_token() { head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
(
    umask 077
    [ -s var/secret ] || random_token >var/secret
    [ -s var/admin.key ] || printf 'rk_%s' "$(random_token)" >var/admin.key
)
chmod 600 var/secret var/admin.key

REPEATD_DATABASE_URL=$("$PG" url "$pg_dir" "$pg_port" repeatd)
REPEATD_SECRET=$(<var/secret)
REPEATD_BOOTSTRAP_ADMIN_KEY=$(<var/admin.key)
export REPEATD_DATABASE_URL REPEATD_SECRET REPEATD_BOOTSTRAP_ADMIN_KEY
# For the commands a newcomer runs beside the server (repeatd key create, repeatd import).
printf '%s\n' "$REPEATD_DATABASE_URL" >var/database.url

# The demo city is built once, through the same intake and lifecycle code as live traffic;
# later runs find its tickets and serve them as they are.
demo_ready=false
if [ -n "$demo_tickets" ]; then
    build/repeatd migrate
    demo_count=$("$PSQL" "$REPEATD_DATABASE_URL" -XtAc \
        "select count(*) from tickets where ticket_id like 'DEMO-%'")
    if [ "$demo_count" -gt 0 ]; then
        say "the database already holds the demo city ($demo_count tickets); not rebuilding it"
        demo_ready=true
    else
        say "building the demo city ($demo_tickets tickets); this takes a few minutes"
        if build/tools/repeatd-demo --tickets "$demo_tickets"; then
            demo_ready=true
        else
            say "warning: the demo city was not built (a database that holds other tickets is not"
            say "  replaced: stop the server and remove $ROOT/var to start afresh)"
        fi
    fi
fi

build/repeatd serve &
server_pid=$!

# The address to reach it at: a wildcard listen address is reached on loopback.
host=${REPEATD_LISTEN%:*}
port=${REPEATD_LISTEN##*:}
case $host in
"" | 0.0.0.0 | "*") host=127.0.0.1 ;;
"[::]" | "::") host="[::1]" ;;
esac
base=http://$host:$port

ready=false
for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        status=0
        wait "$server_pid" || status=$?
        server_pid=""
        say "repeatd exited (status $status) before it was ready"
        exit 1
    fi
    if curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; then
        ready=true
        break
    fi
    sleep 0.1
done
if ! $ready; then
    say "repeatd not ready at $base/readyz after 30 s"
    exit 1
fi

if ! curl -fsS -o /dev/null --max-time 10 -X PUT \
    -H "Authorization: Bearer $REPEATD_BOOTSTRAP_ADMIN_KEY" \
    -H 'Content-Type: application/json' \
    --data-binary @deploy/sample-categories.json "$base/v1/admin/categories"; then
    say "warning: loading deploy/sample-categories.json failed"
fi

cat <<EOF

repeatd is running at $base (pid $server_pid); Ctrl-C stops it and its database.
admin key: $REPEATD_BOOTSTRAP_ADMIN_KEY   (kept in $ROOT/var/admin.key)
try: curl $base/readyz
     curl -H "Authorization: Bearer \$(cat $ROOT/var/admin.key)" $base/v1/admin/settings
dashboard: open $base/ in a browser and paste a key (this admin key, or one of role
     dashboard or manager:
     REPEATD_DATABASE_URL=\$(cat $ROOT/var/database.url) build/repeatd key create --role dashboard --name wallboard)

EOF
if $demo_ready; then
    # The last full month, where the demo planted its anomalies, and a year before it.
    this_month=$(TZ=Asia/Shanghai date +%Y-%m-01)
    last_month=$(date -d "$this_month -1 month" +%Y-%m)
    year_before=$(date -d "$this_month -12 month" +%Y-%m)
    cat <<EOF
The demo city is loaded. The dashboards' numbers, for example:
     K="Authorization: Bearer \$(cat $ROOT/var/admin.key)"
     curl -H "\$K" '$base/v1/kpi/repeats?period=month&from=$year_before&to=$last_month'
     curl -H "\$K" '$base/v1/kpi/repeats?by=unit&at=$last_month'
     curl -H "\$K" '$base/v1/kpi/ranking?period=year'
     curl -H "\$K" '$base/v1/kpi/top-problems?at=$last_month'
     curl -H "\$K" '$base/v1/kpi/anomalies?at=$last_month'
     curl -H "\$K" '$base/v1/kpi/anomalies?at=$last_month&by=unit'
     curl -H "\$K" '$base/v1/kpi/contact-failures?period=year'
     curl -H "\$K" '$base/v1/kpi/closeout-quality?at=$last_month'

EOF
fi

status=0
wait "$server_pid" || status=$?
server_pid=""
say "repeatd exited (status $status)"
exit "$status"
