#!/usr/bin/env bash
# repeatd's hot path beside PostgreSQL alone running repeatd's statements without pipelining.
#
# On one demo city (--tickets, default 200,000; built once and kept in var/roundtrips-pg as a
# template database, each run works on a fresh copy of it) and for POST /v1/tickets and
# POST /v1/classify in turn, in the same run:
#   * repeatd flat out: wrk (-t2, --http connections, default 4 x --db) against the release
#     build with --db database connections (REPEATD_THREADS);
#   * pgbench -M prepared with the same --db connections running bench/sql/intake.sql or
#     classify.sql: the statements repeatd sent for one call before this change (captured
#     from the PostgreSQL log in December 2026, before the replay probe and the look-up
#     stopped joining the facts of every month), sent one after the other as it did before
#     pipelining, one round trip each, in one transaction a call (one copy of the script per leaf category, as wrk's load
#     spreads over the same leaves);
#   * each --rounds times, alternating, then the medians and the ratio repeatd / pgbench;
#   * repeatd at half its median rate, paced by bench/paced.lua (--db connections, a fixed
#     schedule each): p50, p99 and max latency counted from when each request was due.
# PostgreSQL runs with fsync and synchronous_commit off (tests/pg.sh PG_FAST=1), as for the
# other benchmarks: the round trips and the CPU are measured, not the disk.
# --bin runs another build of repeatd; --before BIN also measures an older build in each round
# (between the two others, on the same copy of the city), for a before/after on a busy machine.
# Stops with wrk's or pgbench's output and a non-zero status when either fails or reports no
# rate, or a pgbench transaction fails.
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
"$bin" migrate 2>/dev/null # a city kept from an older build: today's schema
# wrk's and pgbench's tickets are received in November 2026 in +08:00 (bench/intake.lua,
# bench/sql), which the scripts' constants assume (received_month, received_offset): the city's
# time zone must be that one, and the two UTC months those times span must have their
# partitions. A city built in 2026 has them; in one built later than its history reaches,
# repeatd would make them on a first ticket but pgbench's INSERT would fail.
zone=$(psql "$db" -XtAc "SELECT value #>> '{}' FROM settings WHERE key = 'time_zone'")
if [ "$zone" != Asia/Shanghai ]; then
    echo "bench: the city's time zone is '$zone', bench/sql assumes Asia/Shanghai (+08:00)" >&2
    exit 1
fi
psql "$db" -XtAq -c "SELECT rd_ensure_month('2026-10-31T16:00:00Z'),
    rd_ensure_month('2026-11-30T15:59:00Z')" >/dev/null
# The SQL before reads the index of priors in ticket_facts that migrations/0014 dropped: it is
# made again for it. repeatd's inserts maintain it too (they do not read it), so the comparison
# charges repeatd, not pgbench, for it.
psql "$db" -XtAq -c "CREATE INDEX IF NOT EXISTS bench_facts_candidates ON ticket_facts
    (citizen_hash, category, received_at DESC) WHERE creates_work_order" >/dev/null

# The load's leaves: the first eight leaf categories of the demo tree, for wrk and pgbench.
mapfile -t leaves < <(psql "$db" -XtAc "SELECT code FROM categories c WHERE NOT EXISTS
    (SELECT 1 FROM categories k WHERE k.parent = c.code) ORDER BY code LIMIT 8")
[ ${#leaves[@]} -gt 0 ] || {
    echo "bench: no leaf category in database roundtrips" >&2
    exit 1
}
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
positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }
# Runs wrk with ARGS...: its output in $out (its socket errors, timeouts included, also on
# stderr), or, when it fails, its output on stderr and the bench stops.
run_wrk() {
    if out=$(wrk "$@" 2>&1); then
        grep 'Socket errors' <<<"$out" | sed 's/^ */bench: wrk: /' >&2 || true
        return
    fi
    printf 'bench: wrk failed (wrk %s):\n%s\n' "$*" "$out" >&2
    exit 1
}
flat_out() { # BINARY KIND: sets rate (requests a second) and non2xx (how many were not 2xx)
    local path=/v1/tickets
    [ "$2" = classify ] && path=/v1/classify
    serve "$1"
    run_wrk -t2 -c"$http" -d"${seconds}s" -s bench/intake.lua "$base" -- \
        "$key" 200000 "$leaf_list" "$path"
    stop
    rate=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
    positive "$rate" || {
        printf 'bench: wrk reported no rate for %s %s:\n%s\n' "$1" "$path" "$out" >&2
        exit 1
    }
}
run_pgbench() { # KIND: sets tps, or prints pgbench's output and stops the bench
    local out=
    # shellcheck disable=SC2046 # the -f/-D arguments are meant to split
    if out=$(pgbench -n -M prepared -c "$conns" -j 2 -T "$seconds" -D tz=Asia/Shanghai \
        $(scripts "$1") "$db" 2>&1); then
        tps=$(awk '/^tps/ { print $3 }' <<<"$out")
        # Without --max-tries a failed statement aborts its client (the exit status says so);
        # a later pgbench that counts failures without aborting is caught here.
        failed=$(awk '/^number of failed transactions:/ { print $5 }' <<<"$out")
        positive "$tps" && [ "${failed:-0}" = 0 ] && return
    fi
    printf 'bench: pgbench failed on bench/sql/%s.sql:\n%s\n' "$1" "$out" >&2
    exit 1
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "bench: $bin on a $tickets-ticket city, $conns database connections, wrk -t2 -c$http," \
    "pgbench -M prepared -c$conns -j2, ${seconds} s a measure, $rounds rounds"
for kind in intake classify; do
    path=/v1/tickets
    [ $kind = classify ] && path=/v1/classify
    for f in repeatd pgbench before; do : >"$work/$f"; done
    for round in $(seq "$rounds"); do
        flat_out "$bin" $kind
        r=$rate
        echo "$r" >>"$work/repeatd"
        line=$(printf '  %-8s round %d: repeatd %6.0f /s%s' $kind "$round" "$r" \
            "${non2xx:+ ($non2xx not 2xx)}")
        if [ -n "$before" ]; then
            flat_out "$before" $kind
            b=$rate
            echo "$b" >>"$work/before"
            line+=$(printf '   before %6.0f /s%s' "$b" "${non2xx:+ ($non2xx not 2xx)}")
        fi
        run_pgbench $kind
        p=$tps
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
    run_wrk -t"$conns" -c"$conns" -d"${seconds}s" -s bench/paced.lua "$base" -- \
        "$key" 200000 "$leaf_list" $path "$half"
    stop
    paced=$(grep '^paced:' <<<"$out") || {
        printf 'bench: bench/paced.lua printed no figures:\n%s\n' "$out" >&2
        exit 1
    }
    echo "         at half that rate ($half /s on each of $conns connections): ${paced#paced: }"
done
