#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in one folder, for tests and local runs: data in DIR/data, the
# unix socket in DIR itself, no TCP listener, superuser "postgres", trust authentication.
#
#   tests/pg.sh start   DIR [PORT]   initdb on first use, then start and wait until ready
#   tests/pg.sh stop    DIR          fast shutdown; nothing running is fine
#   tests/pg.sh restart DIR [PORT]
#   tests/pg.sh status  DIR          prints running or stopped; exit 0 when running, 3 when not
#   tests/pg.sh url     DIR [PORT] [DBNAME]   prints a libpq URI (database postgres by default)
#   tests/pg.sh replica DIR PORT PRIMARY_DIR PRIMARY_PORT
#                                    a streaming standby of the running cluster in PRIMARY_DIR:
#                                    pg_basebackup -R on first use, then start as above
#
# PORT defaults to the one the cluster was last started with, else 54329; it names the socket
# (DIR/.s.PGSQL.PORT), there is no TCP port. PG_FAST=1 on a start turns fsync off for throwaway
# test clusters; later starts keep the choice unless PG_FAST is given again.
# PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user.
# start, stop and restart print nothing but errors.
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DEFAULT_PORT=54329

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 {start|stop|restart|status|url} DIR [PORT] [DBNAME]" >&2
    echo "       $0 replica DIR PORT PRIMARY_DIR PRIMARY_PORT" >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir_arg=$2
port_arg=${3:-}
db_arg=${4:-postgres}
primary_arg=${4:-}   # replica: the primary's folder and port
primary_port=${5:-}
[ -n "$dir_arg" ] || usage
if [ -n "$port_arg" ] && ! [[ $port_arg =~ ^[0-9]+$ && $port_arg -ge 1 && $port_arg -le 65535 ]]; then
    die "bad port: $port_arg"
fi

# The socket directory goes into URLs and the server's configuration: make it absolute.
case $dir_arg in
/*) dir=$dir_arg ;;
*) dir=$PWD/$dir_arg ;;
esac
dir=${dir%/}
data=$dir/data
state=$dir/pgsh.state # port=N and fast=0|1, as last started

state_get() { # key default
    local v=""
    if [ -f "$state" ]; then
        v=$(sed -n "s/^$1=//p" "$state" | tail -n 1)
    fi
    echo "${v:-$2}"
}

port=${port_arg:-$(state_get port "$DEFAULT_PORT")}

as_root=false
[ "$(id -u)" -eq 0 ] && as_root=true

# Runs a PostgreSQL program as the cluster's owner, from a directory it can read.
pg() {
    local prog=$1
    shift
    if $as_root; then
        (cd / && runuser -u postgres -- "$PG_BINDIR/$prog" "$@")
    else
        (cd / && "$PG_BINDIR/$prog" "$@")
    fi
}

is_running() {
    [ -f "$data/PG_VERSION" ] && pg pg_ctl status -D "$data" >/dev/null 2>&1
}

# Percent-encodes a URI query value, keeping the characters that need no escape.
urlencode() {
    local s=$1 out="" c i
    local LC_ALL=C
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9._~/-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

# A single-quoted postgresql.conf string value.
conf_quote() {
    printf "'%s'" "${1//\'/\'\'}"
}

prepare_dir() {
    mkdir -p "$dir"
    if $as_root; then
        id postgres >/dev/null 2>&1 || die "user postgres missing (is postgresql-15 installed? run deploy/install-deps.sh)"
        chown postgres: "$dir"
        chmod 700 "$dir"
        runuser -u postgres -- test -w "$dir" -a -x "$dir" ||
            die "user postgres cannot reach $dir (a parent folder is not searchable by others): use a folder under /tmp or /var/tmp"
    fi
    # The socket path must fit in sun_path (107 bytes).
    local sock="$dir/.s.PGSQL.$port"
    [ ${#sock} -le 107 ] || die "socket path too long (${#sock} > 107 bytes): $sock"
}

init_cluster() {
    [ -x "$PG_BINDIR/initdb" ] || die "$PG_BINDIR/initdb not found (install postgresql-15: deploy/install-deps.sh)"
    local locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=C.UTF-8
    fi
    if ! pg initdb -D "$data" -U postgres -A trust -E UTF8 --locale="$locale" --no-instructions \
        >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$data"
        die "initdb failed"
    fi
    echo "include_if_exists = 'pgsh.conf'" >>"$data/postgresql.conf"
}

write_conf() {
    local fast=$1 conf
    conf="# Written by tests/pg.sh at every start.
listen_addresses = ''
port = $port
unix_socket_directories = $(conf_quote "$dir")
unix_socket_permissions = 0777
logging_collector = off
log_min_messages = warning
log_min_error_statement = error
"
    if [ "$fast" = 1 ]; then
        conf+="fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
"
    fi
    # Written as the owner so that the server can read it.
    if $as_root; then
        printf '%s' "$conf" | runuser -u postgres -- tee "$data/pgsh.conf" >/dev/null
    else
        printf '%s' "$conf" >"$data/pgsh.conf"
    fi
    printf 'port=%s\nfast=%s\n' "$port" "$fast" >"$state"
}

do_start() {
    prepare_dir
    if is_running; then
        return 0
    fi
    [ -f "$data/PG_VERSION" ] || init_cluster
    local fast
    if [ -n "${PG_FAST+x}" ]; then
        [ "$PG_FAST" = 1 ] && fast=1 || fast=0
    else
        fast=$(state_get fast 0)
    fi
    write_conf "$fast"
    if ! pg pg_ctl start -D "$data" -l "$dir/postgres.log" -w -t 60 -s >/dev/null 2>"$dir/pg_ctl.err"; then
        cat "$dir/pg_ctl.err" >&2
        tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
        die "could not start PostgreSQL in $dir"
    fi
    local i
    for ((i = 0; i < 300; i++)); do
        if "$PG_BINDIR/pg_isready" -q -h "$dir" -p "$port" -U postgres -d postgres; then
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
    die "PostgreSQL in $dir did not become ready"
}

# A standby cloned from the primary over its unix socket (initdb's trust rules allow local
# replication), streaming from it with the primary_conninfo that -R writes.
do_replica() {
    [ -n "$primary_arg" ] && [[ $primary_port =~ ^[0-9]+$ ]] || usage
    prepare_dir
    if is_running; then
        return 0
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        if ! pg pg_basebackup -h "$primary_arg" -p "$primary_port" -U postgres -D "$data" -R \
            -X stream -c fast >"$dir/basebackup.log" 2>&1; then
            cat "$dir/basebackup.log" >&2
            rm -rf "$data"
            die "pg_basebackup from $primary_arg failed"
        fi
    fi
    do_start
}

do_stop() {
    if ! is_running; then
        return 0
    fi
    if ! pg pg_ctl stop -D "$data" -m fast -w -t 60 -s >/dev/null 2>"$dir/pg_ctl.err"; then
        cat "$dir/pg_ctl.err" >&2
        die "could not stop PostgreSQL in $dir"
    fi
}

case $cmd in
start) do_start ;;
replica) do_replica ;;
stop) do_stop ;;
restart)
    do_stop
    do_start
    ;;
status)
    if is_running; then
        echo running
    else
        echo stopped
        exit 3
    fi
    ;;
url) printf 'postgresql:///%s?host=%s&port=%s&user=postgres\n' \
    "$(urlencode "$db_arg")" "$(urlencode "$dir")" "$port" ;;
*) usage ;;
esac
