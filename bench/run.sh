#!/usr/bin/env bash
# The KPI and intake benchmark on a real history. Builds a release tree, starts a private
# PostgreSQL in var/bench-pg, loads the demo city (--tickets, default 2,000,000; kept for later
# runs), then prints:
#   * for each KPI endpoint: median and p95 over HTTP, the naive query over the raw tables
#     that gives the same numbers, and their ratio (bench/kpi_bench.c);
#   * intake throughput (wrk, POST /v1/tickets) with the aggregates kept current and without
#     (REPEATD_BENCH_NO_AGGREGATES=1), on the same history.
# Usage: bench/run.sh [--tickets N] [--seconds S]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
tickets=2000000
seconds=20
while [ $# -gt 0 ]; do
    case $1 in
    --tickets) tickets=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: $0 [--tickets N] [--seconds S]" >&2; exit 2 ;;
    esac
done

deploy/install-deps.sh
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
meson compile -C build-release >/dev/null

PG=tests/pg.sh
pgdir=$ROOT/var/bench-pg
mkdir -p -m 755 var
"$PG" start "$pgdir" 54340
trap '"$PG" stop "$pgdir"' EXIT
admin=$("$PG" url "$pgdir" 54340)
db=$("$PG" url "$pgdir" 54340 bench)
psql "$admin" -XtAc "select 1 from pg_database where datname = 'bench'" | grep -q 1 ||
    psql "$admin" -Xqc 'create database bench'

export REPEATD_DATABASE_URL=$db REPEATD_SECRET=bench-secret-0123456789
have=$(psql "$db" -XtAc "select count(*) from tickets" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$tickets" ]; then
    echo "bench: building the demo city: $tickets tickets (once; kept in $pgdir)"
    start=$SECONDS
    build-release/tools/repeatd-demo --tickets "$tickets" --reset
    echo "bench: demo city built in $((SECONDS - start)) s"
fi
psql "$db" -Xqc 'VACUUM ANALYZE' >/dev/null

key=bench-admin-key-0123456789
serve() { # extra environment for the server
    env "$@" REPEATD_BOOTSTRAP_ADMIN_KEY=$key REPEATD_LISTEN=127.0.0.1:18500 \
        build-release/repeatd serve 2>/dev/null &
    server=$!
    for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:18500/readyz && return; sleep 0.1; done
    echo "bench: server did not start" >&2
    exit 1
}
stop() { kill -TERM "$server"; wait "$server" || true; }

echo
serve REPEATD_THREADS=4
build-release/bench/kpi_bench http://127.0.0.1:18500 "$key" "$db" 50
stop

intake() { # label, extra environment
    local label=$1
    shift
    serve "$@"
    local out
    out=$(wrk -t2 -c16 -d"${seconds}s" -s bench/intake.lua http://127.0.0.1:18500 -- \
        "$key" 200000 "$leaves")
    stop
    printf '%-34s %s req/s, latency %s\n' "$label" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
        "$(awk '/Latency/ {print $2 " mean, " $4 " max"; exit}' <<<"$out")"
}
# Leaves of the demo tree, for the load's categories.
leaves=$(psql "$db" -XtAc "select string_agg(code, ',') from (select code from categories c
    where not exists (select 1 from categories k where k.parent = c.code) limit 50) l")
echo
echo "intake, POST /v1/tickets, wrk -t2 -c16 -d${seconds}s over 200,000 citizens:"
intake "with KPI aggregates" REPEATD_THREADS=4
intake "without (REPEATD_BENCH_NO_AGGREGATES)" REPEATD_THREADS=4 REPEATD_BENCH_NO_AGGREGATES=1
