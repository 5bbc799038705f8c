#!/usr/bin/env bash
# tests/totals/run.sh SERVER_BINARY [pytest args] -- GET /v1/totals and
# GET /v1/findings on a small generated country, checked against totals
# computed independently (Python, Decimal) from the raw rows.
#
# Starts a private cluster, migrates it, generates and loads a tiny country
# with scored evaluations and wide assessments (tests/bench/gen, --tiny --wide: 2 provinces, 14
# regions, 56 reporting organisations, 2 years), starts the server, runs
# test_totals.py.  Bounded: well under a minute.  Cleans up what it started.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ -x "$SERVER" ] || { echo "totals tests: no server binary at $SERVER" >&2; exit 2; }

TMP=$(mktemp -d /tmp/jixiao-totals.XXXXXX)
chmod 755 "$TMP"
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

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "totals tests: no PostgreSQL" >&2; exit 1; }
TOKEN=jx_test_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
DATABASE_URL=$URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN "$SERVER" migrate >"$TMP/migrate.out" 2>&1 \
    || { cat "$TMP/migrate.out" >&2; exit 1; }
bash "$REPO/tests/bench/gen/load.sh" "$URL" "$TMP/gen" --tiny --scale 1 --seed 7 --wide >"$TMP/load.out" 2>&1 \
    || { cat "$TMP/load.out" >&2; exit 1; }

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL=$URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_THREADS=2 \
JIXIAO_TIMEOUT=3 "$SERVER" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done

export JX_BASE_URL=http://127.0.0.1:$PORT JX_BOOTSTRAP_TOKEN=$TOKEN DATABASE_URL=$URL
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

kill -TERM "$SERVER_PID"
server_rc=0
wait "$SERVER_PID" || server_rc=$?
SERVER_PID=
if [ "$server_rc" != 0 ]; then
    echo "totals tests: the server exited with status $server_rc after SIGTERM" >&2
    tail -20 "$TMP/server.err" >&2
    rc=1
fi
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/server.err"; then
    echo "totals tests: sanitizer report" >&2
    grep -vE '^\{"time"' "$TMP/server.err" | head -40 >&2
    rc=1
fi
exit $rc
