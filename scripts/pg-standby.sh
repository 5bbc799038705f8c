#!/usr/bin/env bash
# pg-standby.sh -- a streaming hot standby of a private cluster made by pg.sh.
#
#   scripts/pg-standby.sh start DIR PRIMARY_DIR   pg_basebackup -R from the
#                              primary (once), start it as a hot standby,
#                              print only its DATABASE_URL
#   scripts/pg-standby.sh stop DIR                fast shutdown
#   scripts/pg-standby.sh wait DIR PRIMARY_DIR    wait (≤ 30 s) until the
#                              standby has replayed the primary's current WAL
#
# The primary is an ordinary pg.sh cluster: PostgreSQL 15 defaults to
# wal_level=replica and max_wal_senders=10, and initdb -A trust writes
# "local replication all trust", so the superuser "jixiao" may stream over
# the primary's private Unix socket.  Nothing listens on TCP; the socket
# directories are the access control, as in pg.sh.  Layout of DIR is
# pg.sh's (data, sock, log, url).  Run as root, the standby belongs to the
# "postgres" user like its primary.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
die() { echo "pg-standby.sh: $*" >&2; exit 1; }
usage() { echo "usage: $0 start DIR PRIMARY_DIR | stop DIR | wait DIR PRIMARY_DIR" >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd -P)
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

as_owner() {
    if [ $ROOT = 1 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# The socket directory of a pg.sh cluster, from its URL (…?host=/path).
sock_of() { sed -n 's/.*[?&]host=\([^&]*\).*/\1/p' "$1/url" | sed 's/%20/ /g'; }

start() {
    local pdir psock sock url
    [ $# -ge 1 ] || usage
    pdir=$(cd "$1" && pwd -P)
    [ -f "$pdir/url" ] || die "no primary at $pdir (start it with scripts/pg.sh)"
    psock=$(sock_of "$pdir")
    [ -n "$psock" ] || die "the primary must listen on a Unix socket (pg.sh without --tcp)"
    sock="$DIR/sock"
    if [ $((${#sock} + 20)) -gt 100 ]; then
        sock="/tmp/jixiao-pg-$(printf '%s' "$DIR" | sha1sum | cut -c1-12)"
    fi
    if [ -f "$DIR/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" status -D "$DIR/data" \
            >/dev/null 2>&1 && [ -f "$DIR/url" ]; then
        cat "$DIR/url"; echo
        return 0
    fi
    mkdir -p "$sock" "$DIR/log"
    chmod 700 "$DIR" "$sock"
    [ $ROOT = 1 ] && chown -R postgres:postgres "$DIR" "$sock"
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        # -R writes standby.signal and primary_conninfo; -X stream copies
        # the WAL written during the backup as well.
        as_owner "$PGBIN/pg_basebackup" -h "$psock" -p 5432 -U jixiao -D "$DIR/data" \
            -R -X stream -c fast --no-sync >"$DIR/log/basebackup.log" 2>&1 \
            || { cat "$DIR/log/basebackup.log" >&2; die "pg_basebackup failed"; }
    fi
    as_owner "$PGBIN/pg_ctl" start -D "$DIR/data" -w -t 60 -l "$DIR/log/postgresql.log" \
        -o "-c unix_socket_directories='$sock' -c unix_socket_permissions=0700 \
            -c listen_addresses='' -c port=5432 -c hot_standby=on \
            -c hot_standby_feedback=on -c cluster_name=jixiao-standby" >/dev/null 2>&1 \
        || { tail -20 "$DIR/log/postgresql.log" >&2 || true; die "pg_ctl start (standby) failed"; }
    url="postgresql://jixiao@/jixiao?host=${sock// /%20}"
    printf '%s' "$url" >"$DIR/url"
    [ $ROOT = 1 ] && chown postgres:postgres "$DIR/url"
    echo "$url"
}

stop() {
    [ -f "$DIR/data/PG_VERSION" ] || return 0
    if as_owner "$PGBIN/pg_ctl" status -D "$DIR/data" >/dev/null 2>&1; then
        as_owner "$PGBIN/pg_ctl" stop -D "$DIR/data" -m fast -w -t 60 >/dev/null
    fi
}

# Waits until the standby has replayed everything the primary has written.
wait_caught_up() {
    local pdir lsn i ok
    [ $# -ge 1 ] || usage
    pdir=$(cd "$1" && pwd -P)
    lsn=$(as_owner "$PGBIN/psql" -h "$(sock_of "$pdir")" -U jixiao -d jixiao -tAc \
          "SELECT pg_current_wal_lsn()")
    for i in $(seq 1 300); do
        ok=$(as_owner "$PGBIN/psql" -h "$(sock_of "$DIR")" -U jixiao -d jixiao -tAc \
             "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" 2>/dev/null || true)
        [ "$ok" = t ] && return 0
        sleep 0.1
    done
    die "the standby did not catch up with $lsn in 30 s"
}

case "$cmd" in
    start) shift 2; start "$@" ;;
    stop) stop ;;
    wait) shift 2; wait_caught_up "$@" ;;
    *) usage ;;
esac
