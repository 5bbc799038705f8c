#!/usr/bin/env bash
# scripts/run.sh BUILD_DIR -- run jixiao locally after a build (./jx run).
#
# Without DATABASE_URL, starts (or reuses) the private PostgreSQL cluster
# under ./.jixiao/pg and keeps the operator's token in ./.jixiao/admin-token,
# so a second run finds the same data and the same token.  Then: migrations,
# demo data (scripts/demo.sh when it exists: the hook for the demo
# organisations, their tokens and the seed reports' projects), the server on
# 127.0.0.1:8080 (JIXIAO_LISTEN to change) in the foreground, the admin
# token and three curl lines to try.  Ctrl-C stops the server and, when it
# is ours, the private cluster.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
REPO=$(cd "$(dirname "$0")/.." && pwd)
SERVER=$BUILD/server/jixiao-server
STATE=$REPO/.jixiao
[ -x "$SERVER" ] || { echo "run: no server at $SERVER (build first)" >&2; exit 1; }
mkdir -p "$STATE"
chmod 755 "$STATE"   # the postgres user must traverse it when we run as root

OWN_PG=0
if [ -z "${DATABASE_URL:-}" ]; then
    echo "run: starting the private PostgreSQL cluster in $STATE/pg" >&2
    DATABASE_URL=$("$REPO/scripts/pg.sh" start "$STATE/pg")
    OWN_PG=1
    # Our own cluster: our own token, kept beside it and reused.
    if [ -z "${JIXIAO_BOOTSTRAP_TOKEN:-}" ]; then
        if [ ! -s "$STATE/admin-token" ]; then
            (umask 077; printf 'jx_%s' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" \
                >"$STATE/admin-token")
        fi
        JIXIAO_BOOTSTRAP_TOKEN=$(cat "$STATE/admin-token")
    fi
fi
export DATABASE_URL
[ -n "${JIXIAO_BOOTSTRAP_TOKEN:-}" ] && export JIXIAO_BOOTSTRAP_TOKEN
export JIXIAO_LISTEN=${JIXIAO_LISTEN:-127.0.0.1:8080}

SERVER_PID=
stop_all() {
    trap - INT TERM EXIT
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ $OWN_PG = 1 ]; then
        echo "run: stopping the private PostgreSQL cluster" >&2
        "$REPO/scripts/pg.sh" stop "$STATE/pg" || true
    fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Migrations (and, without a configured token, the first token, printed once).
MIGRATE_OUT=$("$SERVER" migrate)
echo "$MIGRATE_OUT" | grep -v '^admin token' >&2 || true
PRINTED_TOKEN=$(echo "$MIGRATE_OUT" | sed -n 's/^admin token.*: //p')

if [ -x "$REPO/scripts/demo.sh" ]; then
    echo "run: loading demo data" >&2
    "$REPO/scripts/demo.sh" "$SERVER"
fi

"$SERVER" &
SERVER_PID=$!
BASE=http://$JIXIAO_LISTEN
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "run: the server did not start" >&2; exit 1; }
    sleep 0.1
done

TOKEN=${JIXIAO_BOOTSTRAP_TOKEN:-$PRINTED_TOKEN}
cat >&2 <<MSG

jixiao is running at $BASE (Ctrl-C stops it$( [ $OWN_PG = 1 ] && echo " and the private database")).
  the web page: $BASE/ui/   (paste a token to log in)
$( [ -s "$STATE/demo-tokens.json" ] && /usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print("  demo tokens to paste: 宿州市财政局 %s\n                       宿州市医疗保障局 %s\n                       宿州市城镇职工基本医疗保险管理中心 %s" % (t["sz-fin"], t["sz-yb"], t["sz-zx"]))' "$STATE/demo-tokens.json")
  admin token: ${TOKEN:-(created earlier and shown once then; set JIXIAO_BOOTSTRAP_TOKEN to choose one)}
  DATABASE_URL=$DATABASE_URL

Try:
  curl -s $BASE/readyz
  curl -s -X POST $BASE/v1/score -H 'Authorization: Bearer ${TOKEN:-<token>}' -H 'Content-Type: application/json' --data-binary @$REPO/scripts/example-document.json
  curl -s $BASE/v1/whoami -H 'Authorization: Bearer ${TOKEN:-<token>}'
$( [ -s "$STATE/demo-tokens.json" ] && /usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print("  curl -s \"%s/v1/projects?year=2022\" -H \"Authorization: Bearer %s\"   # as 宿州市医疗保障局" % (sys.argv[2], t["sz-yb"]))' "$STATE/demo-tokens.json" "$BASE")
$( [ -s "$STATE/demo-tokens.json" ] && /usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print("  curl -s \"%s/v1/monitoring?color=red\" -H \"Authorization: Bearer %s\"   # 双监控, as 新丰县财政局" % (sys.argv[2], t["xf-fin"]))' "$STATE/demo-tokens.json" "$BASE")

MSG
wait "$SERVER_PID" || true
SERVER_PID=
