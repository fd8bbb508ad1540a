#!/usr/bin/env bash
# The import benchmark: one history posted through the live transactions and imported. Builds
# a release tree, starts a private PostgreSQL in var/bench-import-pg (durable settings), builds
# the demo city live with --jsonl (its rate is the live path's: each ticket and event through
# its own transaction), imports that file into empty databases: record by record through the
# live transaction bodies (--per-record, the default workers), and through the fast path (in
# memory and COPY) with 1 worker and with the default; prints for each: tickets/s, records/s,
# peak RSS, database size per ticket, and for the fast path where its time went; then checks
# that each imported database equals the live one (decisions, events, KPI aggregates).
# Usage: bench/import.sh [--tickets N] [--no-per-record] (default 200000 tickets)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
tickets=200000
paths="per-record fast-1 fast"
while [ $# -gt 0 ]; do
    case $1 in
    --tickets) tickets=$2; shift 2 ;;
    --no-per-record) paths="fast-1 fast"; shift ;;
    *) echo "usage: $0 [--tickets N] [--no-per-record]" >&2; exit 2 ;;
    esac
done

deploy/install-deps.sh
[ -x /usr/bin/time ] || { echo "bench: GNU time is needed (apt-get install time)" >&2; exit 1; }
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
meson compile -C build-release >/dev/null

PG=tests/pg.sh
pgdir=$ROOT/var/bench-import-pg
port=54350
mkdir -p -m 755 var
"$PG" start "$pgdir" "$port" >/dev/null
work=$(mktemp -d /tmp/repeatd-bench-import.XXXXXX)
chmod 755 "$work"
trap '"$PG" stop "$pgdir" >/dev/null; rm -rf "$work"' EXIT
admin=$("$PG" url "$pgdir" "$port")
url() { "$PG" url "$pgdir" "$port" "$1"; }
fresh() { # NAME: an empty database with the schema
    PGOPTIONS=--client-min-messages=warning psql "$admin" -Xq \
        -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    REPEATD_DATABASE_URL=$(url "$1") build-release/repeatd migrate >/dev/null 2>&1
}
export REPEATD_SECRET=bench-secret-0123456789
div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

fresh live
echo "bench: the demo city, $tickets tickets, built live (one transaction a ticket or event)"
start=$(date +%s.%N)
REPEATD_DATABASE_URL=$(url live) build-release/tools/repeatd-demo --tickets "$tickets" \
    --jsonl "$work/city.jsonl" >"$work/demo.txt" 2>/dev/null
live_s=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
records=$(wc -l <"$work/city.jsonl")
printf '%-28s %10s %10s %12s %10s %14s\n' "path" "seconds" "tickets/s" "records/s" "peak RSS" "bytes/ticket"
size_of() { # DB: bytes on disk a ticket, with its events, after VACUUM
    psql "$(url "$1")" -Xq -c VACUUM
    psql "$(url "$1")" -XtAc "SELECT pg_database_size('$1') / $tickets"
}
printf '%-28s %10.1f %10.0f %12.0f %10s %14s\n' "live (repeatd-demo)" "$live_s" \
    "$(div $tickets $live_s)" "$(div $records $live_s)" "-" "$(size_of live)"

facts() { # DB: a digest of what import must reproduce
    psql "$(url "$1")" -XtAc "SELECT md5(string_agg(t::text, ',' ORDER BY ticket_id)) FROM (SELECT
        f.ticket_id, to_jsonb(f) - 'created_at' - 'definition_version' AS facts, s.status, s.unit, s.team,
        s.handler, s.contact_reached, s.contact_failures, s.closeout_accepted,
        s.closeout_rejections, s.followup_reached, s.false_closeout, s.outcome, s.calls
        FROM ticket_facts f JOIN ticket_state s USING (ticket_id, received_at)) t"
    psql "$(url "$1")" -XtAc "SELECT md5(string_agg(k::text, ',' ORDER BY k::text)) FROM (SELECT
        dim, key, month, version, sum(complaints), sum(repeats), sum(contacted),
        sum(first_contact_failed), sum(closeouts_inspected), sum(closeouts_rejected),
        sum(false_closeouts) FROM kpi_counts GROUP BY 1, 2, 3, 4) k"
}
want=$(facts live)
for path in $paths; do
    db=imp_${path//-/_}
    fresh "$db"
    pg_dump -d "$(url live)" -t categories --data-only --disable-triggers 2>/dev/null |
        psql -Xq "$(url "$db")" >/dev/null
    case $path in
    per-record) args=(--per-record); label="import --per-record" ;;
    fast-1) args=(--workers 1); label="import --workers 1" ;;
    fast) args=(); label="import" ;;
    esac
    /usr/bin/time -f '%e %M' -o "$work/time" env REPEATD_DATABASE_URL="$(url "$db")" \
        build-release/repeatd import "${args[@]}" "$work/city.jsonl" >"$work/summary.json" \
        2>"$work/stderr.txt"
    read -r secs rss_kb <"$work/time"
    printf '%-28s %10.1f %10.0f %12.0f %9.0fM %14s\n' "$label" "$secs" \
        "$(div $tickets $secs)" "$(div $records $secs)" \
        "$(div $rss_kb 1024)" "$(size_of "$db")"
    grep -o '"records_by_path":{[^}]*}' "$work/summary.json" | sed 's/^/    /'
    grep 'seconds in' "$work/stderr.txt" | sed 's/^repeatd import: /    /'
    if [ "$(facts "$db")" != "$want" ]; then
        echo "bench: $label differs from the live database" >&2
        exit 1
    fi
done
echo "bench: each imported database equals the live one (decisions, state, KPI aggregates)"
