#!/usr/bin/env bash
# tests/totals/run.sh SERVER_BINARY [pytest args] -- GET /v1/totals and
# GET /v1/findings on a small generated country, checked against totals
# computed independently (Python, Decimal) from the raw rows.
#
# Starts a private cluster, migrates it, generates and loads a tiny country
# with scored evaluations and wide assessments (tests/bench/gen, --tiny --wide: 2 provinces, 14
# regions, 56 reporting organisations, 2 years), starts the server, runs
# test_totals.py.  Bounded: well under a minute.  Cleans up what it started
# (the shared steps are tests/lib/server.sh).
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ -x "$SERVER" ] || { echo "totals tests: no server binary at $SERVER" >&2; exit 2; }

. "$REPO/tests/lib/server.sh"
server_prologue totals

sanitizer_env detect_leaks=1:halt_on_error=1:exitcode=86
start_cluster URL "$TMP/pg" || { echo "totals tests: no PostgreSQL" >&2; exit 1; }
TOKEN=$(new_token jx_test)
DATABASE_URL=$URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN "$SERVER" migrate >"$TMP/migrate.out" 2>&1 \
    || { cat "$TMP/migrate.out" >&2; exit 1; }
bash "$REPO/tests/bench/gen/load.sh" "$URL" "$TMP/gen" --tiny --scale 1 --seed 7 --wide >"$TMP/load.out" 2>&1 \
    || { cat "$TMP/load.out" >&2; exit 1; }

PORT=$(free_port)
start_server "$TMP/server.out" "$TMP/server.err" DATABASE_URL="$URL" JIXIAO_BOOTSTRAP_TOKEN="$TOKEN" \
    "JIXIAO_LISTEN=127.0.0.1:$PORT" JIXIAO_THREADS=2 JIXIAO_TIMEOUT=3
wait_up "http://127.0.0.1:$PORT/healthz"   # pytest's first request says it when not

export JX_BASE_URL=http://127.0.0.1:$PORT JX_BOOTSTRAP_TOKEN=$TOKEN DATABASE_URL=$URL
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

stop_server_checked "totals tests" "$TMP/server.err" || rc=1
sanitizer_check "totals tests" "$TMP/server.err" || rc=1
exit $rc
