#!/usr/bin/env bash
# The scale benchmark: a history of N tickets, imported, then the live service measured on it.
#  1. A seed history (default: the demo city of 100,000 tickets built live once with
#     repeatd-demo --jsonl, cached in var/scale-seed-100000.jsonl with its categories) is
#     replicated to N tickets by bench/replicate.py: copies under other ticket ids and other
#     citizens, in the same months.
#  2. `repeatd import` loads it into an empty database: seconds, tickets/s, peak RSS (GNU time);
#     then VACUUM ANALYZE and the bytes on disk a ticket: the database, and the ticket tables
#     alone (ticket_facts*, ticket_state, ticket_events*, with their indexes and TOAST).
#  3. The decision's prior look-up (ticket_candidates, its SQL read from src/store/tickets.c by
#     bench/candidates_sql.py) under EXPLAIN (ANALYZE, BUFFERS) for the citizen with the most
#     priors of one category in the lookback and for a citizen without any, once the prepared
#     statement has run as often as the server's (its plan cache settled).
#  4. The release server (4 threads) on that database: every KPI answer's median and p95
#     (bench/kpi_bench, 50 requests each); POST /v1/tickets and POST /v1/classify for fresh
#     tickets of citizens with history in that category (bench/scale_load.lua), at the most
#     wrk gets (-t2 -c16), then paced at half that rate to read p50/p99 there.
# Each figure is printed with the load average of the machine at that moment.
#
# Usage: bench/scale.sh --tickets N [--seed-file FILE] [--keep] [--reuse] [--seconds S]
#                       [--no-naive] [--pgdir DIR] [--pg-port P] [--http-port P]
#        bench/scale.sh --check [--seed-file FILE] [--pgdir DIR] [--pg-port P]
#   --seed-file FILE  a history in import's JSON Lines; its categories are read from
#                     FILE.categories.sql (pg_dump --data-only -t categories) when present, else
#                     the demo's tree is used
#   --keep            keep the database scale_N and the history file (var/scale-N.jsonl)
#   --reuse           measure a kept database scale_N again (no replication, no import)
#   --no-naive        time the KPI answers without the naive query beside each (minutes each
#                     at ten million tickets)
#   --check           import one copy and two copies of the seed and check that the two give
#                     exactly twice the tickets, events and decisions of one
# The PostgreSQL cluster (durable settings: tests/pg.sh without PG_FAST) is DIR (default
# var/bench-scale-pg, socket port 54360); it is stopped at the end if this script started it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
tickets=
seed_file=
keep=false
reuse=false
check=false
seconds=20
naive=naive
pgdir=$ROOT/var/bench-scale-pg
pgport=54360
http_port=18520
usage() {
    sed -n '/^# Usage:/,/^# Each\|^# The PostgreSQL/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --tickets) tickets=$2; shift 2 ;;
    --seed-file) seed_file=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    --reuse) reuse=true; keep=true; shift ;;
    --check) check=true; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    --no-naive) naive=no-naive; shift ;;
    --pgdir) pgdir=$2; shift 2 ;;
    --pg-port) pgport=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    *) usage ;;
    esac
done
$check || [[ $tickets =~ ^[1-9][0-9]*$ ]] || usage

deploy/install-deps.sh >/dev/null
for tool in wrk python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "scale: $tool is needed" >&2; exit 1; }
done
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Dui=false >/dev/null
meson compile -C build-release >/dev/null

PG=tests/pg.sh
mkdir -p -m 755 var
started_pg=false
if ! "$PG" status "$pgdir" >/dev/null 2>&1; then
    "$PG" start "$pgdir" "$pgport"
    started_pg=true
fi
server=
work=$(mktemp -d /tmp/repeatd-scale.XXXXXX)
chmod 755 "$work"
cleanup() {
    [ -z "$server" ] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
    ! $started_pg || "$PG" stop "$pgdir"
    rm -rf "$work"
}
trap cleanup EXIT
admin=$("$PG" url "$pgdir" "$pgport")
url() { "$PG" url "$pgdir" "$pgport" "$1"; }
sql() { psql "$(url "$1")" -XtAq -v ON_ERROR_STOP=1 -c "$2"; }
fresh() { # NAME: an empty database with the schema
    PGOPTIONS=--client-min-messages=warning psql "$admin" -Xq \
        -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    REPEATD_DATABASE_URL=$(url "$1") build-release/repeatd migrate >/dev/null 2>&1
}
export REPEATD_SECRET=bench-secret-0123456789
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }'; }
load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg)"; }
say() { echo "scale: $*"; }

# ---- the seed ----
if [ -z "$seed_file" ]; then
    seed_file=var/scale-seed-100000.jsonl
    if [ ! -s "$seed_file" ]; then
        say "building the seed: the demo city of 100,000 tickets, live (once; $(load))"
        fresh scale_seed
        start=$SECONDS
        REPEATD_DATABASE_URL=$(url scale_seed) build-release/tools/repeatd-demo \
            --tickets 100000 --jsonl "$seed_file.part" >/dev/null
        pg_dump -d "$(url scale_seed)" -t categories --data-only --disable-triggers 2>/dev/null \
            >"$seed_file.categories.sql"
        mv "$seed_file.part" "$seed_file"
        say "seed built in $((SECONDS - start)) s"
        psql "$admin" -Xqc "DROP DATABASE scale_seed WITH (FORCE)"
    fi
fi
[ -s "$seed_file" ] || { echo "scale: no seed history $seed_file" >&2; exit 1; }
categories=$seed_file.categories.sql
if [ ! -s "$categories" ]; then # the demo's tree, as repeatd-demo makes it
    fresh scale_tree
    REPEATD_DATABASE_URL=$(url scale_tree) build-release/tools/repeatd-demo --tickets 100 \
        >/dev/null 2>&1
    pg_dump -d "$(url scale_tree)" -t categories --data-only --disable-triggers >"$work/categories.sql" 2>/dev/null
    psql "$admin" -Xqc "DROP DATABASE scale_tree WITH (FORCE)"
    categories=$work/categories.sql
fi
seed_tickets=$(grep -c '^{"ticket"' "$seed_file" || true)

import_into() { # DB HISTORY: prints the import's line; leaves summary.json, time in $work
    local db=$1 history=$2 rc=0
    fresh "$db"
    psql -Xq "$(url "$db")" -f "$categories" >/dev/null
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" env REPEATD_DATABASE_URL="$(url "$db")" \
        build-release/repeatd import "$history" >"$work/summary.json" 2>"$work/import.err" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
        tail -5 "$work/import.err" >&2
        echo "scale: import failed ($rc)" >&2
        exit 1
    fi
}

if $check; then
    # One copy and two copies: exactly twice the tickets, events, decisions, aggregates.
    for k in 1 2; do
        python3 bench/replicate.py --tickets $((k * seed_tickets)) "$seed_file" >"$work/c$k.jsonl"
        import_into "scale_check$k" "$work/c$k.jsonl"
        cp "$work/summary.json" "$work/summary$k.json"
        sql "scale_check$k" "SELECT count(*), (SELECT count(*) FROM ticket_events),
            (SELECT string_agg(decision || '=' || n, ' ' ORDER BY decision) FROM
              (SELECT decision, count(*) n FROM ticket_facts GROUP BY 1) d),
            (SELECT sum(complaints) || '/' || sum(repeats) || '/' || sum(contacted) || '/'
                || sum(closeouts_rejected) FROM kpi_counts)
            FROM ticket_state" >"$work/db$k.txt"
        rm -f "$work/c$k.jsonl"
        say "$k cop$([ $k = 1 ] && echo y || echo ies): $(cat "$work/db$k.txt")"
    done
    python3 - "$work" <<'EOF'
import json, re, sys
w = sys.argv[1]
one, two = (json.load(open("%s/summary%d.json" % (w, k))) for k in (1, 2))
def leaves(o, path=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from leaves(v, path + "/" + k)
    elif isinstance(o, (int, float)) and not isinstance(o, bool) and "seconds" not in path:
        yield path, o
a, b = dict(leaves(one)), dict(leaves(two))
bad = [p for p in set(a) | set(b) if b.get(p, 0) != 2 * a.get(p, 0)]
db1, db2 = (open("%s/db%d.txt" % (w, k)).read().strip() for k in (1, 2))
twice = re.sub(r"\d+", lambda m: str(2 * int(m.group())), db1)
if bad or db2 != twice:
    sys.exit("scale: two copies are not twice one: %s %s / %s" % (bad, db1, db2))
print("scale: two copies give exactly twice one: import summary", json.dumps(one["decisions"]),
      "x2; tickets, events, decisions and KPI counts in the database x2")
EOF
    psql "$admin" -Xq -c "DROP DATABASE scale_check1 WITH (FORCE)" \
        -c "DROP DATABASE scale_check2 WITH (FORCE)"
    exit 0
fi

db=scale_$tickets
dburl=$(url "$db")
history=var/scale-$tickets.jsonl
echo "scale: $tickets tickets on $(nproc) CPUs, $(free -g | awk '/^Mem/ {print $2}') GB RAM," \
    "PostgreSQL $(sql postgres 'SHOW server_version'), shared_buffers $(sql postgres 'SHOW shared_buffers')"

# ---- the history and its import ----
if $reuse && [ "$(sql postgres "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ]; then
    say "reusing the kept database $db"
    python3 bench/replicate.py --tickets "$tickets" --pairs "$work/pairs.tsv" "$seed_file" \
        >/dev/null
else
    start=$(date +%s.%N)
    python3 bench/replicate.py --tickets "$tickets" --pairs "$work/pairs.tsv" "$seed_file" \
        >"$history"
    records=$(wc -l <"$history")
    say "history: $records records ($(du -m "$history" | cut -f1) MB) replicated from" \
        "$seed_tickets seed tickets in $(awk -v a="$(date +%s.%N)" -v b="$start" \
        'BEGIN { printf "%.0f", a - b }') s"
    say "importing ($(load))"
    import_into "$db" "$history"
    read -r secs rss_kb user_s sys_s <"$work/time"
    say "import: $secs s, $(div "$tickets" "$secs") tickets/s, $(div "$records" "$secs") records/s," \
        "peak RSS $(div "$rss_kb" 1024) MB, client CPU $(awk -v a="$user_s" -v b="$sys_s" \
        'BEGIN { printf "%.0f", a + b }') s ($(load))"
    grep 'seconds in' "$work/import.err" | sed 's/^repeatd import: /scale:   /'
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
print("scale:   decisions", json.dumps(s["decisions"]), "events", s["events_accepted"],
      "rejected", json.dumps(s["rejected_by_error"]), "paths", json.dumps(s["records_by_path"]))' \
        "$work/summary.json"
    $keep || rm -f "$history"
fi

say "VACUUM ANALYZE ($(load))"
sql "$db" "VACUUM ANALYZE"
sql "$db" "SELECT (SELECT count(*) FROM ticket_state), (SELECT count(*) FROM ticket_events),
    pg_database_size(current_database()),
    sum(pg_total_relation_size(c.oid)) FILTER (WHERE relname LIKE 'ticket\_facts%'),
    sum(pg_total_relation_size(c.oid)) FILTER (WHERE relname = 'ticket_state'),
    sum(pg_total_relation_size(c.oid)) FILTER (WHERE relname LIKE 'ticket\_events%')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'" | tr '|' ' ' |
    while read -r n_t n_e total facts state events; do
        say "stored: $n_t tickets, $n_e events; database $(div "$total" 1048576) MB," \
            "$(div "$total" "$n_t") bytes a ticket with its events; ticket tables alone" \
            "$(div $((facts + state + events)) "$n_t") (ticket_facts $(div "$facts" "$n_t")," \
            "ticket_state $(div "$state" "$n_t"), ticket_events $(div "$events" "$n_t"))"
    done

# ---- the decision's look-up, explained ----
months=$(sql "$db" "SELECT coalesce((SELECT value #>> '{}' FROM settings
    WHERE key = 'lookback_months'), '12')")
zone=$(sql "$db" "SELECT coalesce((SELECT value #>> '{}' FROM settings WHERE key = 'time_zone'),
    'Asia/Shanghai')")
read -r many_hash many_cat many_n < <(sql "$db" "SELECT encode(citizen_hash, 'hex'), category,
    count(*) FROM ticket_facts WHERE creates_work_order AND received_at > now() - interval
    '$months months' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1" | tr '|' ' ')
none_hash=$(sql "$db" "SELECT encode(sha256('scale bench: a citizen without history'), 'hex')")
cand_sql=$(python3 bench/candidates_sql.py src/store/tickets.c)
exec_args() { # HASH CATEGORY
    echo "('\\x$1', '$2', now(), 'scale-bench', $months, '$zone', 32, NULL, NULL, NULL, NULL," \
        "NULL, NULL)"
}
explain() { # label HASH CATEGORY
    echo
    echo "ticket_candidates, $1 ($(load)):"
    {
        echo "PREPARE ticket_candidates AS $cand_sql;"
        # as often as the server runs it, so that the plan cache has chosen (custom or generic)
        for _ in 1 2 3 4 5 6; do
            echo "EXECUTE ticket_candidates $(exec_args "$many_hash" "$many_cat");"
            echo "EXECUTE ticket_candidates $(exec_args "$none_hash" "$many_cat");"
        done
        echo "\\o"
        echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE ticket_candidates $(exec_args "$2" "$3");"
    } | psql "$dburl" -XAtq -v ON_ERROR_STOP=1 -o /dev/null | sed 's/^/    /'
}
explain "the citizen with the most priors ($many_n tickets of $many_cat in $months months)" \
    "$many_hash" "$many_cat"
explain "a citizen without history" "$none_hash" "$many_cat"

# ---- the server ----
key=scale-admin-key-0123456789
base=http://127.0.0.1:$http_port
REPEATD_DATABASE_URL=$dburl REPEATD_THREADS=4 REPEATD_BOOTSTRAP_ADMIN_KEY=$key \
    REPEATD_LISTEN=127.0.0.1:$http_port build-release/repeatd serve 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do curl -fs -o /dev/null "$base/readyz" && break; sleep 0.1; done
curl -fs -o /dev/null "$base/readyz" || { cat "$work/serve.err" >&2; echo "scale: no server" >&2; exit 1; }

echo
echo "KPI answers over HTTP, 50 requests each ($(load)):"
build-release/bench/kpi_bench "$base" "$key" "$dburl" 50 "$naive" | sed 's/^/    /' ||
    echo "    (some KPI answers failed)"
echo "    ($(load) at the end)"

wrk_run() { # PATH RATE (0: as fast as answered): prints "rate p50 p99 mean non2xx"
    local out
    out=$(wrk -t2 -c16 -d"${seconds}s" --latency -s bench/scale_load.lua "$base" -- \
        "$key" "$work/pairs.tsv" "$1" "$2" 2)
    awk '/Requests\/sec/ {r = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
         /Latency/ && !m {m = $2} /Non-2xx/ {bad = $NF}
         END {printf "%.0f %s %s %s %d\n", r, p50, p99, m, bad}' <<<"$out"
}
echo
echo "Fresh tickets of citizens with history in that category ($(wc -l <"$work/pairs.tsv") pairs)," \
    "wrk -t2 -c16 -d${seconds}s, 4 server threads:"
for path in /v1/tickets /v1/classify; do
    l=$(load)
    read -r rate p50 p99 mean bad < <(wrk_run "$path" 0)
    say "POST $path at the most: $rate/s, mean $mean, p50 $p50, p99 $p99, non-2xx $bad ($l)"
    half=$((rate / 2))
    l=$(load)
    read -r rate p50 p99 mean bad < <(wrk_run "$path" "$half")
    say "POST $path paced at $half/s: $rate/s, p50 $p50, p99 $p99, non-2xx $bad ($l)"
done
if ! $keep; then
    kill -TERM "$server"
    wait "$server" || true
    server=
    psql "$admin" -Xqc "DROP DATABASE $db WITH (FORCE)"
fi
