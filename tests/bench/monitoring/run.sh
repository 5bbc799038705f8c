#!/usr/bin/env bash
# tests/bench/monitoring/run.sh BUILD_DIR -- the totals of colours of
# GET /v1/monitoring (issue 20) at national scale, as ratios to a bare
# SELECT ... GROUP BY over the same rows timed in psql in the same run.
#
# For each scale in JX_BENCH_MONITORING_SCALES (default "1": 52,000
# projects with two monitoring reports each, 105,000 reports; "10" gives
# ten times that): a fresh private cluster, migrate, generate and load the
# country with its monitoring reports (tests/bench/gen/load.sh
# --monitoring), start the server, run bench.py (JX_BENCH_ROUNDS rounds,
# default 15, alternating ours and the baseline), stop everything.
# Prints one line per figure (median ms: ours, the baseline, ratio) and
# appends rows to $JX_BENCH_TABLE when set.  Figures, never a pass/fail.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=$BUILD/server/jixiao-server
SCALES=${JX_BENCH_MONITORING_SCALES:-1}
ROUNDS=${JX_BENCH_ROUNDS:-15}
YEAR=2024
PSQL=/usr/lib/postgresql/15/bin/psql
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench-monitoring.XXXXXX)
chmod 755 "$TMP"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
ADMIN=jx_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
PTOK=jx_bench_prov_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
: >"$TMP/results"
for scale in $SCALES; do
    echo "---- scale ${scale}x"
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP/pg"
    URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "bench: no PostgreSQL" >&2; exit 1; }
    DATABASE_URL=$URL JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" migrate >/dev/null || exit 1
    bash "$REPO/tests/bench/gen/load.sh" "$URL" "$TMP/gen" --scale "$scale" --monitoring || exit 1
    echo "load: $("$PSQL" "$URL" -XqAt -c "SELECT count(*) FROM monitoring_reports") monitoring reports"
    # the province finance bureau of 安徽 (340000) gets a token
    "$PSQL" "$URL" -XqAt -c "INSERT INTO api_tokens (org_id, hash, prefix) SELECT id,
        sha256('$PTOK'::bytea), 'jx_bench' FROM orgs WHERE kind = 'finance' AND region_code = '340000'"
    PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    DATABASE_URL=$URL JIXIAO_BOOTSTRAP_TOKEN=$ADMIN JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_THREADS=4 \
        JIXIAO_LOG=warn "$SERVER" >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    python3 "$HERE/bench.py" "http://127.0.0.1:$PORT" "$URL" "$ADMIN" "$PTOK" "$YEAR" "$scale" \
        "$ROUNDS" | tee -a "$TMP/results"
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=
done

echo "---- summary (median ms: ours, the bare GROUP BY, ratio)"
cat "$TMP/results"
if [ -n "${JX_BENCH_TABLE:-}" ]; then
    while IFS=$'\t' read -r name ours base ratio; do
        printf '%s\t%s ms\t%s ms\t%s\t%s\t%s\n' "$name" "$ours" "$base" "$ratio" "-" "-" >>"$JX_BENCH_TABLE"
    done <"$TMP/results"
fi
