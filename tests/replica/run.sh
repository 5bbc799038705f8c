#!/usr/bin/env bash
# tests/replica/run.sh SERVER_BINARY [pytest args] -- reads from a real hot
# standby, writes to the primary, read-your-writes.
#
# Starts a private primary (scripts/pg.sh), migrates it, clones it with
# pg_basebackup -R into a second private cluster started as a streaming hot
# standby (scripts/pg-standby.sh), then runs the server with DATABASE_URL =
# the primary and DATABASE_READ_URL = the standby, all on Unix sockets and
# loopback, and runs test_replica.py.  Bounded: every wait has a deadline;
# the whole run takes seconds.  Cleans up everything it started.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ -x "$SERVER" ] || { echo "replica test: no server binary at $SERVER" >&2; exit 2; }

TMP=$(mktemp -d /tmp/jixiao-replica.XXXXXX)
chmod 755 "$TMP"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    "$REPO/scripts/pg-standby.sh" stop "$TMP/standby" >/dev/null 2>&1
    "$REPO/scripts/pg.sh" stop "$TMP/primary" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PRIMARY_URL=$("$REPO/scripts/pg.sh" start "$TMP/primary") || { echo "replica test: no primary" >&2; exit 1; }
TOKEN=jx_test_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
DATABASE_URL=$PRIMARY_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN "$SERVER" migrate >"$TMP/migrate.out" 2>&1 \
    || { cat "$TMP/migrate.out" >&2; exit 1; }
STANDBY_URL=$("$REPO/scripts/pg-standby.sh" start "$TMP/standby" "$TMP/primary") \
    || { echo "replica test: no standby" >&2; exit 1; }
"$REPO/scripts/pg-standby.sh" wait "$TMP/standby" "$TMP/primary" || exit 1

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL=$PRIMARY_URL DATABASE_READ_URL=$STANDBY_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN \
JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_THREADS=2 JIXIAO_READ_AFTER_WRITE=3000 JIXIAO_TIMEOUT=3 \
    "$SERVER" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done

export JX_BASE_URL=http://127.0.0.1:$PORT JX_BOOTSTRAP_TOKEN=$TOKEN JX_SERVER_BIN=$SERVER
export JX_PRIMARY_URL=$PRIMARY_URL JX_STANDBY_URL=$STANDBY_URL JX_REPO=$REPO
export JX_PRIMARY_DIR=$TMP/primary JX_STANDBY_DIR=$TMP/standby
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

kill -TERM "$SERVER_PID"
server_rc=0
wait "$SERVER_PID" || server_rc=$?
SERVER_PID=
if [ "$server_rc" != 0 ]; then
    echo "replica test: the server exited with status $server_rc after SIGTERM" >&2
    tail -20 "$TMP/server.err" >&2
    rc=1
fi
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/server.err"; then
    echo "replica test: sanitizer report" >&2
    grep -vE '^\{"time"' "$TMP/server.err" | head -40 >&2
    rc=1
fi
exit $rc
