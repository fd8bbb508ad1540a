#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through attempt/trap look unreachable to it
# The whole check, on a fresh Debian 12 machine or a developer's: dependencies, a plain and a
# sanitized build (warnings are errors), clang-format and clang-tidy, a throwaway PostgreSQL, the
# test suites (plain, under ASan+UBSan, the API suite with the server under valgrind), the
# OpenAPI lint, and a summary whose last line is `N passed, N failed`. A failing step never
# stops the later ones; the exit status is 0 only when nothing failed and every step ran. Works
# from any directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG_SCRIPT=$ROOT/tests/pg.sh
VALGRIND="valgrind --leak-check=full --show-leak-kinds=definite,indirect"
VALGRIND+=" --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --quiet"

steps=()    # LABEL RC pairs: not tests, a failure counts once
runs=()     # LABEL TESTLOG RC triples: meson test runs
checks=()   # LABEL RC pairs: single tests
pgdir=""
summary_done=false

section() { printf '\n==== %s ====\n' "$*"; }

# Runs a command, records its exit status in the global `rc`, never fails.
attempt() {
    rc=0
    "$@" || rc=$?
}

step() { # LABEL CMD...: a step that is not a test
    local label=$1
    shift
    attempt "$@"
    steps+=("$label" "$rc")
    [ "$rc" -eq 0 ] || echo "run.sh: $label failed (exit $rc)" >&2
    return 0
}

stop_cluster() {
    if [ -n "$pgdir" ]; then
        "$PG_SCRIPT" stop "$pgdir" || true
        rm -rf "$pgdir" || true
        pgdir=""
    fi
}

summary() {
    summary_done=true
    local args=() i
    for ((i = 0; i < ${#steps[@]}; i += 2)); do args+=(--step "${steps[i]}" "${steps[i + 1]}"); done
    for ((i = 0; i < ${#runs[@]}; i += 3)); do args+=(--run "${runs[i]}" "${runs[i + 1]}" "${runs[i + 2]}"); done
    for ((i = 0; i < ${#checks[@]}; i += 2)); do args+=(--check "${checks[i]}" "${checks[i + 1]}"); done
    attempt python3 tests/count-results.py "${args[@]}"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "run.sh: count-results.py failed (exit $rc)"
        echo "0 passed, 1 failed"
        rc=1
    fi
    return "$rc"
}

on_exit() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    stop_cluster
    if ! $summary_done; then
        echo "run.sh: stopped early (exit $status)" >&2
        steps+=("run.sh (stopped early)" "${status/#0/1}")
        summary
        status=1
    fi
    exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# meson setup, or a reconfigure of an existing build folder with the same options.
setup() { # DIR OPTIONS...
    local dir=$1
    shift
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
}

build() { # LABEL DIR OPTIONS...: setup + compile; sets built_<dir> to 1 on success
    local label=$1 dir=$2
    shift 2
    section "build $dir ($*)"
    attempt setup "$dir" "$@"
    [ "$rc" -eq 0 ] && attempt meson compile -C "$dir"
    steps+=("$label" "$rc")
    [ "$rc" -eq 0 ] || echo "run.sh: $label failed (exit $rc)" >&2
    return 0
}

# A meson test run: its logs are removed first, so that a stale log never counts.
meson_run() { # LABEL BUILDDIR LOGBASE BUILD_RC [ENV=VAL...] -- MESON TEST ARGS...
    local label=$1 dir=$2 logbase=$3 build_rc=$4
    shift 4
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    shift
    # meson names the logs of a run with --setup NAME LOGBASE-NAME.
    local a prev="" logname=$logbase
    for a in "$@"; do
        [ "$prev" = --setup ] && logname=$logbase-$a
        prev=$a
    done
    local log=$dir/meson-logs/$logname.json
    section "$label"
    if [ "$build_rc" -ne 0 ]; then
        echo "not run: the build in $dir failed"
        runs+=("$label" "$log" -)
        return 0
    fi
    rm -f "$dir/meson-logs/$logname".{json,txt,junit.xml}
    attempt env "${envs[@]}" meson test -C "$dir" --logbase "$logbase" "$@"
    runs+=("$label" "$log" "$rc")
}

step_rc() { # LABEL: the recorded exit status of a step, 1 if it never ran
    local i
    for ((i = 0; i < ${#steps[@]}; i += 2)); do
        if [ "${steps[i]}" = "$1" ]; then
            echo "${steps[i + 1]}"
            return
        fi
    done
    echo 1
}

# A free-looking block of 100 TCP ports on loopback for the API tests' servers.
port_base() {
    local base i try
    for ((try = 0; try < 20; try++)); do
        base=$((20000 + (RANDOM % 380) * 100))
        for ((i = 0; i < 100; i += 7)); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$((base + i))") 2>/dev/null; then
                continue 2
            fi
        done
        echo "$base"
        return
    done
    echo "$base"
}

section "dependencies"
step install-deps deploy/install-deps.sh
if [ ! -x tests/lint/node_modules/.bin/redocly ]; then
    step "npm ci (tests/lint)" npm ci --prefix tests/lint --no-audit --no-fund
fi

if [ ! -d tests/ui/node_modules/puppeteer-core ]; then
    step "npm ci (tests/ui)" npm ci --prefix tests/ui --no-audit --no-fund
fi

build build build -Dwerror=true
build build-san build-san -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true

# Every C source and header the repository tracks, as .clang-format lays them out.
section "clang-format"
attempt bash -c 'set -o pipefail; git ls-files -z "*.c" "*.h" |
    xargs -0 --no-run-if-empty clang-format --dry-run -Werror'
checks+=("clang-format" "$rc")

# The checks of .clang-tidy (each warning an error) over every tracked C file, compiled as the
# plain build compiles it.
section "clang-tidy"
if [ ! -f build/compile_commands.json ]; then
    echo "build/compile_commands.json is missing (the plain build's setup failed)"
    rc=1
else
    attempt bash -c 'set -o pipefail; git ls-files -z "*.c" |
        xargs -0 --no-run-if-empty -n 10 -P 2 clang-tidy -p build --quiet'
fi
checks+=("clang-tidy" "$rc")

# Include arrows point down the layers of the README's Layout (and the graph is printed).
section "layers"
attempt python3 tests/layers.py
checks+=("layers (tests/layers.py)" "$rc")

# The environment src/config.c reads is the one the README and deploy/repeatd.env.example name.
section "configuration documented"
attempt python3 tests/config_docs.py
checks+=("configuration documented (tests/config_docs.py)" "$rc")

# deploy/monitoring/: the alerting rules checked and unit-tested on synthetic series by promtool,
# the scrape example's syntax, the dashboard's queries against what /metrics writes.
section "monitoring (deploy/monitoring)"
attempt promtool check rules deploy/monitoring/repeatd-alerts.yml
checks+=("promtool check rules" "$rc")
attempt bash -c 'cd deploy/monitoring && promtool test rules repeatd-alerts.test.yml'
checks+=("promtool test rules" "$rc")
attempt promtool check config --syntax-only deploy/monitoring/prometheus.yml
checks+=("promtool check config (scrape example)" "$rc")
attempt python3 tests/monitoring.py
checks+=("monitoring files (tests/monitoring.py)" "$rc")
# The request parsers under libFuzzer (clang, ASan+UBSan), briefly, from the seed corpus;
# bench/fuzz.sh runs it for as long as one likes.
CC=clang build build-fuzz build-fuzz -Dfuzz=true -Dtests=false -Dbench=false -Ddemo=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
section "fuzz the request parsers (20 s)"
if [ "$(step_rc build-fuzz)" -ne 0 ]; then
    rc=1
else
    fuzz_corpus=$(mktemp -d "${TMPDIR:-/tmp}/repeatd-fuzz.XXXXXX")
    cp fuzz/corpus/* "$fuzz_corpus"/
    attempt build-fuzz/fuzz/fuzz_request -max_total_time=20 -print_final_stats=1 \
        -artifact_prefix=build-fuzz/ "$fuzz_corpus"
    rm -rf "$fuzz_corpus"
fi
checks+=("fuzz (fuzz/fuzz_request, 20 s)" "$rc")

section "throwaway PostgreSQL"
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/repeatd-test-pg.XXXXXX")
pgport=$((54330 + RANDOM % 1000))
export PG_FAST=1
step postgres "$PG_SCRIPT" start "$pgdir" "$pgport"
REPEATD_TEST_DATABASE_URL=$("$PG_SCRIPT" url "$pgdir" "$pgport")
REPEATD_TEST_PGDIR=$pgdir
REPEATD_TEST_PG_SCRIPT=$PG_SCRIPT
REPEATD_TEST_PORT_BASE=$(port_base)
export REPEATD_TEST_DATABASE_URL REPEATD_TEST_PGDIR REPEATD_TEST_PG_SCRIPT REPEATD_TEST_PORT_BASE
echo "REPEATD_TEST_DATABASE_URL=$REPEATD_TEST_DATABASE_URL"
echo "REPEATD_TEST_PORT_BASE=$REPEATD_TEST_PORT_BASE"

meson_run "tests (build)" build testlog "$(step_rc build)" -- \
    --print-errorlogs --num-processes 2
meson_run "tests under ASan+UBSan (build-san)" build-san testlog "$(step_rc build-san)" \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 -- \
    --print-errorlogs --num-processes 2
meson_run "api tests, server under valgrind (build)" build valgrind "$(step_rc build)" \
    "REPEATD_TEST_SERVER_WRAPPER=$VALGRIND" -- \
    --suite api --print-errorlogs --num-processes 1 --timeout-multiplier 10

# The dashboard in Debian's chromium against the real server on a small demo city (about a
# minute): pages, charts, numbers against the API, the report's PDF, text never markup.
meson_run "browser tests (build)" build ui "$(step_rc build)" -- \
    --setup ui --suite ui --print-errorlogs
# Faults under load (database restart, SIGSTOP of the database, SIGTERM of the server), on a
# cluster of its own: no acknowledged write lost, no 500.
section "faults under load (bench/fault.py)"
if [ "$(step_rc build)" -ne 0 ]; then
    rc=1
else
    attempt python3 bench/fault.py --seconds-per-phase 6 --threads 6
fi
checks+=("faults under load (bench/fault.py)" "$rc")

section "OpenAPI lint"
if [ ! -f openapi.yaml ]; then
    echo "openapi.yaml is missing"
    rc=1
elif [ ! -x tests/lint/node_modules/.bin/redocly ]; then
    echo "redocly is not installed in tests/lint/node_modules"
    rc=1
elif ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "the pinned @redocly/cli needs Node.js >= 20.19; this is $(node --version)"
    rc=1
else
    attempt env REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
        tests/lint/node_modules/.bin/redocly lint openapi.yaml
fi
checks+=("openapi lint (redocly)" "$rc")

stop_cluster
attempt summary
exit "$rc"
