#!/usr/bin/env bash
# tests/api/run.sh SERVER_BINARY -- the API tests against a real server on a
# real private PostgreSQL.
#
# Starts a private cluster in a fresh temporary directory, starts the server
# on a free loopback port against its still empty database (the tests check
# that /readyz is false before migrations and true after running
# `jixiao-server migrate` themselves), runs the pytest suite with Debian's
# python3, then stops the server with SIGTERM (it must exit 0: under
# ASan+UBSan that is when leaks are checked), stops and removes the cluster,
# and fails if the server's stderr holds a sanitizer report.  Exits with
# pytest's status, or 1 when the server misbehaved on the way out.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export JX_SHARED=${JX_SHARED:-$REPO/../shared}
[ -x "$SERVER" ] || { echo "api tests: no server binary at $SERVER" >&2; exit 2; }
[ -d "$JX_SHARED/fixtures" ] || { echo "api tests: no fixtures in $JX_SHARED/fixtures" >&2; exit 2; }

TMP=$(mktemp -d /tmp/jixiao-api.XXXXXX)
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

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "api tests: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=jx_test_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# Sanitizer builds: leaks checked at exit, first error fatal, reports kept.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
# the PDF renderer: fontconfig and cairo leaks that are not ours (tests/report/lsan.supp)
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=86:suppressions=$REPO/tests/report/lsan.supp:print_suppressions=0}

export DATABASE_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN
export JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_CORS_ORIGINS=https://portal.example
export JIXIAO_THREADS=4 JIXIAO_LOG=info JIXIAO_TIMEOUT=3
"$SERVER" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!

for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    echo "api tests: the server did not come up" >&2
    cat "$TMP/server.err" >&2
    exit 1
fi

export JX_BASE_URL=http://127.0.0.1:$PORT JX_SERVER_BIN=$SERVER JX_PG_DIR=$TMP/pg
export JX_PG_SH=$REPO/scripts/pg.sh JX_REPO=$REPO JX_BOOTSTRAP_TOKEN=$TOKEN
export JX_SERVER_STDERR=$TMP/server.err
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

kill -TERM "$SERVER_PID"
server_rc=0
wait "$SERVER_PID" || server_rc=$?
SERVER_PID=
if [ "$server_rc" != 0 ]; then
    echo "api tests: the server exited with status $server_rc after SIGTERM (want 0)" >&2
    rc=1
fi
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer' "$TMP/server.err"; then
    echo "api tests: sanitizer report in the server's stderr:" >&2
    grep -vE '^\{"time"' "$TMP/server.err" | head -60 >&2
    rc=1
fi
if ! grep -q '"msg":"stopped"' "$TMP/server.err"; then
    echo "api tests: the server did not log a clean stop" >&2
    rc=1
fi
exit $rc
