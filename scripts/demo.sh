#!/usr/bin/env bash
# scripts/demo.sh SERVER_BINARY -- load the demo data (idempotent).
#
# Called by scripts/run.sh after migrations, before the server starts, with
# DATABASE_URL and JIXIAO_BOOTSTRAP_TOKEN in the environment.  Starts the
# server briefly on a free loopback port, loads the seed reports' bureaus,
# their tokens and the fixture projects through the API (scripts/demo.py),
# prints the demo tokens, evaluates the projects, files and evaluates the
# department-wide assessment of seed 001, 宁德's framework and its project
# (scored 90, scripts/demo-ningde.json) and the plan of seed 000
# (scripts/demo_evaluations.py), adds monitoring reports, 整改 items and a
# budget decision (scripts/demo_monitoring.py), and stops the server.  Tokens are kept in
# ./.jixiao/demo-tokens.json and reused on the next run.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY" >&2; exit 2; }
SERVER=$1
REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?demo: DATABASE_URL must be set}"
if [ -z "${JIXIAO_BOOTSTRAP_TOKEN:-}" ]; then
    echo "demo: skipped (set JIXIAO_BOOTSTRAP_TOKEN to load the demo data into this database)" >&2
    exit 0
fi
mkdir -p "$REPO/.jixiao"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_LOG=warn "$SERVER" >/dev/null 2>"$REPO/.jixiao/demo-server.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 $PID 2>/dev/null || { cat "$REPO/.jixiao/demo-server.log" >&2; exit 1; }
    sleep 0.1
done
/usr/bin/python3 "$REPO/scripts/demo.py" "http://127.0.0.1:$PORT" "$JIXIAO_BOOTSTRAP_TOKEN" \
    "$REPO/.jixiao/demo-tokens.json"
/usr/bin/python3 "$REPO/scripts/demo_evaluations.py" "http://127.0.0.1:$PORT" "$JIXIAO_BOOTSTRAP_TOKEN" \
    "$REPO/.jixiao/demo-tokens.json"
/usr/bin/python3 "$REPO/scripts/demo_monitoring.py" "http://127.0.0.1:$PORT" "$JIXIAO_BOOTSTRAP_TOKEN" \
    "$REPO/.jixiao/demo-tokens.json"
