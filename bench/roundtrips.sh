#!/usr/bin/env bash
# repeatd's hot path beside PostgreSQL alone running the SQL repeatd sent before pipelining.
#
# On one demo city (--tickets, default 200,000; built once and kept in var/roundtrips-pg as a
# template database, each run works on a fresh copy of it) and for POST /v1/tickets and
# POST /v1/classify in turn, in the same run:
#   * repeatd flat out: wrk (-t2, --http connections, default 4 x --db) against the release
#     build with --db database connections (REPEATD_THREADS);
#   * pgbench -M prepared with the same --db connections running bench/sql/intake.sql or
#     classify.sql: the statements of one call as repeatd sent them before, one round trip
#     each, one transaction a call (one copy of the script per leaf category, as wrk's load
#     spreads over the same leaves);
#   * each --rounds times, alternating, then the medians and the ratio repeatd / pgbench;
#   * repeatd at half its median rate, paced by bench/paced.lua (--db connections, a fixed
#     schedule each): p50, p99 and max latency counted from when each request was due.
# PostgreSQL runs with fsync and synchronous_commit off (tests/pg.sh PG_FAST=1), as for the
# other benchmarks: the round trips and the CPU are measured, not the disk.
# --bin runs another build of repeatd; --before BIN also measures an older build in each round
# (between the two others, on the same copy of the city), for a before/after on a busy machine.
# Usage: bench/roundtrips.sh [--tickets N] [--seconds S] [--rounds R] [--db C] [--http H]
#                            [--pg-port P] [--http-port P] [--bin PATH] [--before PATH]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
tickets=200000
seconds=15
rounds=3
conns=4
http=
pg_port=54360
http_port=18600
bin=build-release/repeatd
before=
while [ $# -gt 0 ]; do
    case $1 in
    --tickets) tickets=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --db) conns=$2; shift 2 ;;
    --http) http=$2; shift 2 ;;
    --pg-port) pg_port=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    *)
        echo "usage: $0 [--tickets N] [--seconds S] [--rounds R] [--db C] [--http H]" \
            "[--pg-port P] [--http-port P] [--bin PATH] [--before PATH]" >&2
        exit 2
        ;;
    esac
done
http=${http:-$((4 * conns))}

deploy/install-deps.sh # the build's packages, PostgreSQL (pgbench with it), curl
command -v wrk >/dev/null || {
    echo "bench: wrk is needed (apt-get install -y --no-upgrade wrk)" >&2
    exit 1
}
[ -f build-release/build.ninja ] ||
    meson setup build-release --buildtype=release -Dui=false >/dev/null
meson compile -C build-release repeatd repeatd-demo >/dev/null

PG=tests/pg.sh
pgdir=$ROOT/var/roundtrips-pg
mkdir -p -m 755 var
PG_FAST=1 "$PG" start "$pgdir" "$pg_port"
server=
cleanup() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
    "$PG" stop "$pgdir"
}
trap cleanup EXIT
admin=$("$PG" url "$pgdir" "$pg_port")
city=city_$tickets
export REPEATD_SECRET=bench-secret-0123456789
q() { psql "$admin" -XtAq "$@"; }

if [ "$(q -c "SELECT count(*) FROM pg_database WHERE datname = '$city'")" != 1 ]; then
    echo "bench: building the demo city, $tickets tickets (once: kept as database $city)"
    q -c "CREATE DATABASE ${city}_building"
    start=$SECONDS
    REPEATD_DATABASE_URL=$("$PG" url "$pgdir" "$pg_port" "${city}_building") \
        build-release/tools/repeatd-demo --tickets "$tickets" >/dev/null
    q -c "ALTER DATABASE ${city}_building RENAME TO $city"
    psql "$("$PG" url "$pgdir" "$pg_port" "$city")" -Xq -c 'VACUUM ANALYZE'
    echo "bench: built in $((SECONDS - start)) s"
fi
# A fresh copy of the city: what one run adds does not change the next run's history.
PGOPTIONS=--client-min-messages=warning q -c "DROP DATABASE IF EXISTS roundtrips WITH (FORCE)"
q -c "CREATE DATABASE roundtrips TEMPLATE $city"
db=$("$PG" url "$pgdir" "$pg_port" roundtrips)
export REPEATD_DATABASE_URL=$db

# The load's leaves: the first eight leaf categories of the demo tree, for wrk and pgbench.
mapfile -t leaves < <(psql "$db" -XtAc "SELECT code FROM categories c WHERE NOT EXISTS
    (SELECT 1 FROM categories k WHERE k.parent = c.code) ORDER BY code LIMIT 8")
leaf_list=$(IFS=,; echo "${leaves[*]}")
work=$(mktemp -d /tmp/repeatd-roundtrips.XXXXXX)
trap 'rm -rf "$work"; cleanup' EXIT
scripts() { # KIND: pgbench's -f arguments, one copy of bench/sql/KIND.sql a leaf
    local i=0
    for leaf in "${leaves[@]}"; do
        i=$((i + 1))
        sed "s/:category/:category_$i/g" "bench/sql/$1.sql" >"$work/$1_$i.sql"
        printf -- '-f %s@1 -D category_%d=%s ' "$work/$1_$i.sql" "$i" "$leaf"
    done
}

key=bench-admin-key-0123456789
base=http://127.0.0.1:$http_port
serve() { # BINARY
    REPEATD_BOOTSTRAP_ADMIN_KEY=$key REPEATD_LISTEN=127.0.0.1:$http_port \
        REPEATD_THREADS=$conns "$1" serve 2>/dev/null &
    server=$!
    for _ in $(seq 100); do curl -fs -o /dev/null "$base/readyz" && return; sleep 0.1; done
    echo "bench: the server did not start" >&2
    exit 1
}
stop() {
    kill -TERM "$server"
    wait "$server" || true
    server=
}
flat_out() { # BINARY KIND: requests a second, and how many were not 2xx after a space
    serve "$1"
    local out
    local path=/v1/tickets
    [ "$2" = classify ] && path=/v1/classify
    out=$(wrk -t2 -c"$http" -d"${seconds}s" -s bench/intake.lua "$base" -- \
        "$key" 200000 "$leaf_list" "$path")
    stop
    echo "$(awk '/Requests\/sec/ { print $2 }' <<<"$out") $(awk '/Non-2xx/ { print $NF }' <<<"$out")"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "bench: $bin on a $tickets-ticket city, $conns database connections, wrk -t2 -c$http," \
    "pgbench -M prepared -c$conns -j2, ${seconds} s a measure, $rounds rounds"
for kind in intake classify; do
    path=/v1/tickets
    [ $kind = classify ] && path=/v1/classify
    for f in repeatd pgbench before; do : >"$work/$f"; done
    for round in $(seq "$rounds"); do
        read -r r non2xx < <(flat_out "$bin" $kind)
        echo "$r" >>"$work/repeatd"
        line=$(printf '  %-8s round %d: repeatd %6.0f /s%s' $kind "$round" "$r" \
            "${non2xx:+ ($non2xx not 2xx)}")
        if [ -n "$before" ]; then
            read -r b non2xx < <(flat_out "$before" $kind)
            echo "$b" >>"$work/before"
            line+=$(printf '   before %6.0f /s%s' "$b" "${non2xx:+ ($non2xx not 2xx)}")
        fi
        # shellcheck disable=SC2046 # the -f/-D arguments are meant to split
        p=$(pgbench -n -M prepared -c "$conns" -j 2 -T "$seconds" -D tz=Asia/Shanghai \
            $(scripts $kind) "$db" 2>&1 | awk '/^tps/ { print $3 }')
        echo "$p" >>"$work/pgbench"
        printf '%s   pgbench %6.0f tx/s\n' "$line" "$p"
    done
    r=$(median <"$work/repeatd")
    p=$(median <"$work/pgbench")
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
    printf '%-8s medians: repeatd %.0f /s, pgbench %.0f tx/s: ratio %s' $kind "$r" "$p" \
        "$(ratio "$r" "$p")"
    if [ -n "$before" ]; then
        b=$(median <"$work/before")
        printf '; before %.0f /s: ratio %s, after/before %s' "$b" "$(ratio "$b" "$p")" \
            "$(ratio "$r" "$b")"
    fi
    echo
    half=$(awk -v r="$r" -v c="$conns" 'BEGIN { printf "%.1f", r / 2 / c }')
    serve "$bin"
    paced=$(wrk -t"$conns" -c"$conns" -d"${seconds}s" -s bench/paced.lua "$base" -- \
        "$key" 200000 "$leaf_list" $path "$half" | grep '^paced:')
    stop
    echo "         at half that rate ($half /s on each of $conns connections): ${paced#paced: }"
done
