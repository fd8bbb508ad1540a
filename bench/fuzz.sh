#!/usr/bin/env bash
# Fuzzes the request parsers (fuzz/fuzz_request.c) with libFuzzer for as long as asked, from a
# copy of the seed corpus that grows as it runs; a crash or a broken property leaves its input
# in build-fuzz/crash-*. tests/run.sh runs the same target for 20 seconds.
#   bench/fuzz.sh [SECONDS (default 600)] [JOBS (default 1)]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
seconds=${1:-600}
jobs=${2:-1}
if [ ! -f build-fuzz/meson-private/coredata.dat ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Dbench=false -Ddemo=false \
        -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
fi
meson compile -C build-fuzz fuzz_request
corpus=build-fuzz/corpus
mkdir -p "$corpus"
cp -n fuzz/corpus/* "$corpus"/
build-fuzz/fuzz/fuzz_request -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" \
    -print_final_stats=1 -artifact_prefix=build-fuzz/ "$corpus"
