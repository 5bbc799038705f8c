#!/usr/bin/env bash
# pg.sh -- a private PostgreSQL 15 cluster for development and tests.
#
#   scripts/pg.sh start DIR [--tcp]   initdb if needed, start, create database
#                                     jixiao, print only its DATABASE_URL
#   scripts/pg.sh stop DIR            fast shutdown (no error if not running)
#   scripts/pg.sh status DIR          exit 0 and print the URL if running, else 3
#
# Layout: DIR/data (PGDATA), DIR/sock (the Unix socket), DIR/log.  By
# default the cluster listens on the Unix socket only (no TCP at all:
# faster than loopback, and nothing else on the machine can reach it);
# --tcp adds 127.0.0.1 on a free port.  The superuser is "jixiao", trust
# authentication: the socket directory is the access control.
#
# PostgreSQL refuses to run as root, so when this script runs as root the
# cluster belongs to the Debian "postgres" user (runuser).  That user must
# be able to traverse every parent of DIR: missing search (x) permission is
# added to the parents, and said on stderr.  A socket path too long for
# sun_path moves the socket to /tmp/jixiao-pg-<hash> (also said).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() { echo "usage: $0 start|stop|status DIR [--tcp]" >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd -P)
TCP=0
[ "${3:-}" = "--tcp" ] && TCP=1
[ -x "$PGBIN/pg_ctl" ] || die "PostgreSQL 15 not found in $PGBIN (apt-get install postgresql-15)"

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# Runs a PostgreSQL tool as the cluster's owner, from a directory it can read.
as_owner() {
    if [ $ROOT = 1 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Adds o+x to any parent of DIR the postgres user cannot traverse.
make_traversable() {
    local d=$DIR
    while [ "$d" != / ]; do
        d=$(dirname "$d")
        if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
            chmod o+x "$d"
            echo "pg.sh: added search permission (o+x) to $d so the postgres user can reach $DIR" >&2
        fi
    done
}

sock_dir() {
    local s="$DIR/sock"
    if [ $((${#s} + 20)) -gt 100 ]; then
        s="/tmp/jixiao-pg-$(printf '%s' "$DIR" | sha1sum | cut -c1-12)"
        echo "pg.sh: socket path too long under $DIR; using $s" >&2
    fi
    printf '%s' "$s"
}

running() { as_owner "$PGBIN/pg_ctl" status -D "$DIR/data" >/dev/null 2>&1; }

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start() {
    local sock url port opts
    if [ $ROOT = 1 ]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user (apt-get install postgresql-15)"
        make_traversable
    fi
    if [ -f "$DIR/data/postmaster.pid" ] && running && [ -f "$DIR/url" ]; then
        cat "$DIR/url"; echo
        return 0
    fi
    sock=$(sock_dir)
    mkdir -p "$sock" "$DIR/log"
    chmod 700 "$DIR" "$sock"
    [ $ROOT = 1 ] && chown -R postgres:postgres "$DIR" "$sock"
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        as_owner "$PGBIN/initdb" -D "$DIR/data" -U jixiao -A trust -E UTF8 \
            --locale=C.UTF-8 --no-instructions >"$DIR/log/initdb.log" 2>&1 \
            || { cat "$DIR/log/initdb.log" >&2; die "initdb failed"; }
    fi
    opts="-c unix_socket_directories='$sock' -c unix_socket_permissions=0700"
    if [ $TCP = 1 ]; then
        port=$(free_port)
        opts="$opts -c listen_addresses='127.0.0.1' -c port=$port"
        url="postgresql://jixiao@127.0.0.1:$port/jixiao"
    else
        port=5432
        opts="$opts -c listen_addresses='' -c port=$port"
        url="postgresql://jixiao@/jixiao?host=${sock// /%20}"
    fi
    as_owner "$PGBIN/pg_ctl" start -D "$DIR/data" -w -t 60 -l "$DIR/log/postgresql.log" \
        -o "$opts" >/dev/null 2>&1 \
        || { tail -20 "$DIR/log/postgresql.log" >&2 || true; die "pg_ctl start failed"; }
    if [ "$(as_owner "$PGBIN/psql" -h "$sock" -p "$port" -U jixiao -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = 'jixiao'")" != 1 ]; then
        as_owner "$PGBIN/createdb" -h "$sock" -p "$port" -U jixiao jixiao \
            || die "createdb jixiao failed"
    fi
    printf '%s' "$url" >"$DIR/url"
    [ $ROOT = 1 ] && chown postgres:postgres "$DIR/url"
    echo "$url"
}

stop() {
    [ -f "$DIR/data/PG_VERSION" ] || return 0
    if running; then
        as_owner "$PGBIN/pg_ctl" stop -D "$DIR/data" -m fast -w -t 60 >/dev/null
    fi
}

status() {
    if [ -f "$DIR/data/PG_VERSION" ] && running; then
        cat "$DIR/url" 2>/dev/null; echo
        return 0
    fi
    echo "not running" >&2
    return 3
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
