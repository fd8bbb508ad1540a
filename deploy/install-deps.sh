#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and running repeatd locally need:
# only the missing ones, and never upgrading what is installed (--no-upgrade: without it,
# installing libpq-dev would also upgrade an installed PostgreSQL server).
# Uses sudo when not root. Prints nothing when everything is there.
set -euo pipefail

packages=(
    build-essential pkg-config meson ninja-build
    libmicrohttpd-dev libjansson-dev libpq-dev libgnutls28-dev check libcurl4-gnutls-dev
    postgresql-15 curl valgrind python3 git clang-format clang-tidy
    prometheus # promtool: checks and unit-tests deploy/monitoring/ (the daemon is not needed)
    clang # libFuzzer: the fuzz target of tests/run.sh and bench/fuzz.sh
)
# The dashboard's browser tests: a headless chromium, CJK fonts to draw Chinese, pdftotext.
packages+=(chromium fonts-noto-cjk poppler-utils)

installed() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) || return 1
    [ "${status:1:1}" = i ]
}

missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done
# Node.js and npm (for the OpenAPI linter): any installation will do. NodeSource's nodejs
# ships npm itself and conflicts with Debian's npm package, so look for the commands.
if ! command -v node >/dev/null 2>&1; then
    missing+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: not root and no sudo; install these as root: ${missing[*]}" >&2
        exit 1
    }
    sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade \
    --no-install-recommends "${missing[@]}"
