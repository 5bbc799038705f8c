#!/usr/bin/env bash
# tests/ui/run.sh SERVER_BINARY [pytest args] -- the web page (/ui/) in a real
# browser: Debian's headless Chromium driven by python3-selenium, against
# the real server on a private PostgreSQL with the demo data.
#
# Starts a private cluster in a fresh temporary directory, migrates it,
# starts the server on a free loopback port, loads the demo data through
# the API (scripts/demo.py and scripts/demo_evaluations.py: the seed
# reports' bureaus with their tokens, the fixture projects evaluated, a
# department-wide assessment, an evaluation plan), runs the pytest suite
# (tests/ui/test_*.py), then stops the server (it must exit 0) and removes
# the cluster.  Screenshots of every page at 1366x768 and 390 px wide go to
# $JX_UI_SHOTS (default tests/ui/shots/, git-ignored).
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ -x "$SERVER" ] || { echo "ui tests: no server binary at $SERVER" >&2; exit 2; }
for b in chromium chromedriver; do
    command -v $b >/dev/null || { echo "ui tests: $b missing (apt-get install chromium chromium-driver)" >&2; exit 2; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
    { echo "ui tests: python3-selenium missing" >&2; exit 2; }

export JX_UI_SHOTS=${JX_UI_SHOTS:-$HERE/shots}
mkdir -p "$JX_UI_SHOTS"
TMP=$(mktemp -d /tmp/jixiao-ui.XXXXXX)
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

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "ui tests: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=jx_test_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
export DATABASE_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN
export JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_THREADS=4 JIXIAO_LOG=warn
"$SERVER" migrate >"$TMP/migrate.out" 2>&1 || { echo "ui tests: migrate failed" >&2; cat "$TMP/migrate.out" >&2; exit 1; }
"$SERVER" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 200); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if ! curl -fsS "$BASE/readyz" >/dev/null 2>&1; then
    echo "ui tests: the server did not come up" >&2
    cat "$TMP/server.err" >&2
    exit 1
fi
/usr/bin/python3 "$REPO/scripts/demo.py" "$BASE" "$TOKEN" "$TMP/demo-tokens.json" >"$TMP/demo.out" 2>&1 &&
/usr/bin/python3 "$REPO/scripts/demo_evaluations.py" "$BASE" "$TOKEN" "$TMP/demo-tokens.json" >>"$TMP/demo.out" 2>&1 ||
    { echo "ui tests: loading the demo data failed" >&2; cat "$TMP/demo.out" >&2; exit 1; }

export JX_BASE_URL=$BASE JX_BOOTSTRAP_TOKEN=$TOKEN JX_DEMO_TOKENS=$TMP/demo-tokens.json
export JX_REPO=$REPO JX_UI_TMP=$TMP
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

kill -TERM "$SERVER_PID"
server_rc=0
wait "$SERVER_PID" || server_rc=$?
SERVER_PID=
if [ "$server_rc" != 0 ]; then
    echo "ui tests: the server exited with status $server_rc after SIGTERM (want 0)" >&2
    rc=1
fi
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/server.err"; then
    echo "ui tests: sanitizer report in the server's stderr:" >&2
    grep -vE '^\{"time"' "$TMP/server.err" | head -60 >&2
    rc=1
fi
echo "ui tests: screenshots in $JX_UI_SHOTS" >&2
exit $rc
