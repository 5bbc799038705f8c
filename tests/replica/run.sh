#!/usr/bin/env bash
# tests/replica/run.sh SERVER_BINARY [pytest args] -- reads from a real hot
# standby, writes to the primary, read-your-writes.
#
# Starts a private primary (scripts/pg.sh), migrates it, clones it with
# pg_basebackup -R into a second private cluster started as a streaming hot
# standby (scripts/pg-standby.sh), then runs the server with DATABASE_URL =
# the primary and DATABASE_READ_URL = the standby, all on Unix sockets and
# loopback, and runs test_replica.py.  Bounded: every wait has a deadline;
# the whole run takes seconds.  Cleans up everything it started (the
# shared steps are tests/lib/server.sh).
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ -x "$SERVER" ] || { echo "replica test: no server binary at $SERVER" >&2; exit 2; }

. "$REPO/tests/lib/server.sh"
server_prologue replica

start_cluster PRIMARY_URL "$TMP/primary" || { echo "replica test: no primary" >&2; exit 1; }
TOKEN=$(new_token jx_test)
sanitizer_env detect_leaks=1:halt_on_error=1:exitcode=86
DATABASE_URL=$PRIMARY_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN "$SERVER" migrate >"$TMP/migrate.out" 2>&1 \
    || { cat "$TMP/migrate.out" >&2; exit 1; }
start_standby STANDBY_URL "$TMP/standby" "$TMP/primary" \
    || { echo "replica test: no standby" >&2; exit 1; }
"$REPO/scripts/pg-standby.sh" wait "$TMP/standby" "$TMP/primary" || exit 1

PORT=$(free_port)
start_server "$TMP/server.out" "$TMP/server.err" DATABASE_URL="$PRIMARY_URL" \
    DATABASE_READ_URL="$STANDBY_URL" JIXIAO_BOOTSTRAP_TOKEN="$TOKEN" "JIXIAO_LISTEN=127.0.0.1:$PORT" \
    JIXIAO_THREADS=2 JIXIAO_READ_AFTER_WRITE=3000 JIXIAO_TIMEOUT=3
wait_up "http://127.0.0.1:$PORT/healthz"   # pytest's first request says it when not

export JX_BASE_URL=http://127.0.0.1:$PORT JX_BOOTSTRAP_TOKEN=$TOKEN JX_SERVER_BIN=$SERVER
export JX_PRIMARY_URL=$PRIMARY_URL JX_STANDBY_URL=$STANDBY_URL JX_REPO=$REPO
export JX_PRIMARY_DIR=$TMP/primary JX_STANDBY_DIR=$TMP/standby
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

stop_server_checked "replica test" "$TMP/server.err" || rc=1
sanitizer_check "replica test" "$TMP/server.err" || rc=1
exit $rc
