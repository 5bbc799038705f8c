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
# (tests/ui/test_*.py), then stops the server (it must exit 0, with no
# sanitizer report and a clean stop) and removes the cluster.  Screenshots
# of every page at 1366x768 and 390 px wide go to $JX_UI_SHOTS (default
# tests/ui/shots/, git-ignored).  The steps every server suite shares are
# tests/lib/server.sh.
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
    { echo "ui tests: python3-selenium missing (apt-get install python3-selenium)" >&2; exit 2; }

export JX_UI_SHOTS=${JX_UI_SHOTS:-$HERE/shots}
mkdir -p "$JX_UI_SHOTS"

. "$REPO/tests/lib/server.sh"
server_prologue ui
start_cluster DATABASE_URL "$TMP/pg" || { echo "ui tests: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(free_port)
TOKEN=$(new_token jx_test)
sanitizer_env detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86 lsan

export DATABASE_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN
export JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_THREADS=4 JIXIAO_LOG=info
"$SERVER" migrate >"$TMP/migrate.out" 2>&1 || { echo "ui tests: migrate failed" >&2; cat "$TMP/migrate.out" >&2; exit 1; }
start_server "$TMP/server.out" "$TMP/server.err"
BASE=http://127.0.0.1:$PORT
if ! wait_up "$BASE/readyz"; then
    echo "ui tests: the server did not come up" >&2
    cat "$TMP/server.err" >&2
    exit 1
fi
/usr/bin/python3 "$REPO/scripts/demo.py" "$BASE" "$TOKEN" "$TMP/demo-tokens.json" >"$TMP/demo.out" 2>&1 &&
/usr/bin/python3 "$REPO/scripts/demo_evaluations.py" "$BASE" "$TOKEN" "$TMP/demo-tokens.json" >>"$TMP/demo.out" 2>&1 ||
    { echo "ui tests: loading the demo data failed" >&2; cat "$TMP/demo.out" >&2; exit 1; }

export JX_BASE_URL=$BASE JX_BOOTSTRAP_TOKEN=$TOKEN JX_DEMO_TOKENS=$TMP/demo-tokens.json JX_REPO=$REPO
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

stop_server_checked "ui tests" "$TMP/server.err" || rc=1
sanitizer_check "ui tests" "$TMP/server.err" || rc=1
clean_stop_check "ui tests" "$TMP/server.err" || rc=1
echo "ui tests: screenshots in $JX_UI_SHOTS" >&2
exit $rc
