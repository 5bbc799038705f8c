#!/usr/bin/env bash
# tests/fault/run.sh SERVER_BINARY [pytest args] -- fault, hostile-input and
# connection tests against a real server on a real private PostgreSQL.
#
# Like tests/api/run.sh (the shared steps are tests/lib/server.sh): a
# private cluster in a fresh temporary directory (scripts/pg.sh), migrated, and the server on a free loopback port, then
# `/usr/bin/python3 -m pytest tests/fault`.  The server runs with settings
# the faults need: a short client timeout (JIXIAO_TIMEOUT, so stalled
# connections are closed within seconds), a short pool wait
# (JIXIAO_DB_TIMEOUT), and a 16 MiB body limit so that the large hostile
# bodies reach the parser.  `ulimit -n` is raised as far as allowed (the
# 10,000-connection test needs it in the client).
#
# Tests that need a server of their own (other settings, or one to
# SIGKILL) start it with conftest.start_server(); its stderr goes to
# $JX_FAULT_TMP/server-*.err, and every such file is checked here too.
#
# At the end the server gets SIGTERM and must exit 0 (leaks are checked
# then under ASan), and a sanitizer report in any server's stderr fails the
# run.  Exits with pytest's status, or 1 when a server misbehaved.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export JX_SHARED=${JX_SHARED:-$REPO/../shared}
[ -x "$SERVER" ] || { echo "fault tests: no server binary at $SERVER" >&2; exit 2; }
[ -d "$JX_SHARED/fixtures" ] || { echo "fault tests: no fixtures in $JX_SHARED/fixtures" >&2; exit 2; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

. "$REPO/tests/lib/server.sh"
server_prologue fault
start_cluster DATABASE_URL "$TMP/pg" || { echo "fault tests: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(free_port)
TOKEN=$(new_token jx_test)

# Sanitizer builds: leaks checked at exit, first error fatal, reports kept.
# A small quarantine keeps the ASan server's RSS meaningful.
sanitizer_env detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86:quarantine_size_mb=16 lsan

export DATABASE_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN
export JIXIAO_THREADS=${JIXIAO_THREADS:-4} JIXIAO_LOG=${JIXIAO_LOG:-info}
export JIXIAO_TIMEOUT=${JIXIAO_TIMEOUT:-2} JIXIAO_DB_TIMEOUT=${JIXIAO_DB_TIMEOUT:-1000}
export JIXIAO_MAX_BODY=${JIXIAO_MAX_BODY:-16MiB}
export JIXIAO_CONNECTION_LIMIT=${JIXIAO_CONNECTION_LIMIT:-1024}
# The shared server's tests storm it from one address to test the total
# limit and the timeouts: no per-address cap there.  The per-address cap is
# tested on servers of their own (test_46, test_48), which set it.
export JIXIAO_MAX_CONN_PER_IP=${JIXIAO_MAX_CONN_PER_IP:-1000000}

if ! "$SERVER" migrate >"$TMP/migrate.out" 2>"$TMP/server-migrate.err"; then
    echo "fault tests: migrate failed" >&2
    cat "$TMP/migrate.out" "$TMP/server-migrate.err" >&2
    exit 1
fi

start_server "$TMP/server.out" "$TMP/server-main.err" "JIXIAO_LISTEN=127.0.0.1:$PORT"
if ! wait_up "http://127.0.0.1:$PORT/readyz"; then
    echo "fault tests: the server did not come up ready" >&2
    cat "$TMP/server-main.err" >&2
    exit 1
fi

export JX_BASE_URL=http://127.0.0.1:$PORT JX_SERVER_BIN=$SERVER JX_SERVER_PID=$SERVER_PID
export JX_PG_DIR=$TMP/pg JX_PG_SH=$REPO/scripts/pg.sh JX_REPO=$REPO JX_BOOTSTRAP_TOKEN=$TOKEN
export JX_FAULT_TMP=$TMP JX_SERVER_STDERR=$TMP/server-main.err
if ldd "$SERVER" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$SERVER"; then
    export JX_SANITIZED=1
else
    export JX_SANITIZED=0
fi

started=$(date +%s)
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider -rxXs "$@")
rc=$?

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "fault tests: the server died during the run" >&2
    rc=1
fi
stop_server_checked "fault tests" || rc=1
sanitizer_check "fault tests" "$TMP"/server-*.err || rc=1
clean_stop_check "fault tests" "$TMP/server-main.err" || rc=1
echo "fault tests: $(( $(date +%s) - started )) s, server exit $SERVER_RC"
exit $rc
