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
# pytest's status, or 1 when the server misbehaved on the way out.  The
# steps every server suite shares are tests/lib/server.sh.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY [pytest args]" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export JX_SHARED=${JX_SHARED:-$REPO/../shared}
[ -x "$SERVER" ] || { echo "api tests: no server binary at $SERVER" >&2; exit 2; }
[ -d "$JX_SHARED/fixtures" ] || { echo "api tests: no fixtures in $JX_SHARED/fixtures" >&2; exit 2; }

. "$REPO/tests/lib/server.sh"
server_prologue api
start_cluster DATABASE_URL "$TMP/pg" || { echo "api tests: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(free_port)
TOKEN=$(new_token jx_test)

# Sanitizer builds: leaks checked at exit, first error fatal, reports kept.
sanitizer_env detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86 lsan

export DATABASE_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN
export JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_CORS_ORIGINS=https://portal.example
export JIXIAO_THREADS=4 JIXIAO_LOG=info JIXIAO_TIMEOUT=3
start_server "$TMP/server.out" "$TMP/server.err"
if ! wait_up "http://127.0.0.1:$PORT/healthz"; then
    echo "api tests: the server did not come up" >&2
    cat "$TMP/server.err" >&2
    exit 1
fi

export JX_BASE_URL=http://127.0.0.1:$PORT JX_SERVER_BIN=$SERVER JX_PG_DIR=$TMP/pg
export JX_PG_SH=$REPO/scripts/pg.sh JX_REPO=$REPO JX_BOOTSTRAP_TOKEN=$TOKEN
export JX_SERVER_STDERR=$TMP/server.err
(cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
rc=$?

stop_server_checked "api tests" || rc=1
sanitizer_check "api tests" "$TMP/server.err" || rc=1
clean_stop_check "api tests" "$TMP/server.err" || rc=1
exit $rc
