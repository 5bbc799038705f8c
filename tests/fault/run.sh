#!/usr/bin/env bash
# tests/fault/run.sh SERVER_BINARY [pytest args] -- fault, hostile-input and
# connection tests against a real server on a real private PostgreSQL.
#
# Like tests/api/run.sh: a private cluster in a fresh temporary directory
# (scripts/pg.sh), migrated, and the server on a free loopback port, then
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

TMP=$(mktemp -d /tmp/jixiao-fault.XXXXXX)
chmod 755 "$TMP"   # the postgres user must traverse it when we run as root
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "fault tests: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=jx_test_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# Sanitizer builds: leaks checked at exit, first error fatal, reports kept.
# A small quarantine keeps the ASan server's RSS meaningful.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=86}

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

JIXIAO_LISTEN=127.0.0.1:$PORT "$SERVER" >"$TMP/server.out" 2>"$TMP/server-main.err" &
SERVER_PID=$!

for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then
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
kill -TERM "$SERVER_PID" 2>/dev/null
server_rc=0
wait "$SERVER_PID" || server_rc=$?
SERVER_PID=
if [ "$server_rc" != 0 ]; then
    echo "fault tests: the server exited with status $server_rc after SIGTERM (want 0)" >&2
    rc=1
fi
for err in "$TMP"/server-*.err; do
    [ -f "$err" ] || continue
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer' "$err"; then
        echo "fault tests: sanitizer report in $(basename "$err"):" >&2
        grep -vE '^\{"time"' "$err" | head -60 >&2
        rc=1
    fi
done
if ! grep -q '"msg":"stopped"' "$TMP/server-main.err"; then
    echo "fault tests: the server did not log a clean stop" >&2
    rc=1
fi
echo "fault tests: $(( $(date +%s) - started )) s, server exit $server_rc"
exit $rc
