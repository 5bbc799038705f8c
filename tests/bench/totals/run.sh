#!/usr/bin/env bash
# tests/bench/totals/run.sh BUILD_DIR -- GET /v1/totals at national scale,
# as ratios to a bare SELECT ... GROUP BY over the same rows timed in psql
# in the same run (operations.md: <= 1.2x, and <= 100 ms from rollups).
#
# For each scale in JX_BENCH_TOTALS_SCALES (default "1 10": about 1 and 10
# million indicator rows, 51,000 and 515,000 projects with scored
# evaluations and rollups): a fresh private cluster (Unix socket), migrate,
# generate and load the country (tests/bench/gen/load.sh, with a wide
# assessment per organisation and year: --wide), start the
# server, run bench.py (province-year and country-by-province, alternating
# ours and the baselines JX_BENCH_ROUNDS times, default 15; the totals are
# served from totals_summary, sql/0011, the baselines aggregate the raw
# rows; plus a findings page against a bare SELECT of it), print the
# EXPLAIN (ANALYZE, BUFFERS) of the statements (explain.py), stop
# everything.  Then the growth of ours and of the baselines from the first
# scale to the last.  Rows for tests/bench/run.sh's table go to
# $JX_BENCH_TABLE.  Generation and load take about 1 minute at 1x and 8-10
# at 10x on a 2-core machine.  Figures, never a pass/fail.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=$BUILD/server/jixiao-server
SCALES=${JX_BENCH_TOTALS_SCALES:-1 10}
ROUNDS=${JX_BENCH_ROUNDS:-15}
YEAR=2024
PSQL=/usr/lib/postgresql/15/bin/psql
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench-totals.XXXXXX)
chmod 755 "$TMP"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "machine: $(nproc) CPUs, sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
ADMIN=jx_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
PTOK=jx_bench_prov_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
: >"$TMP/results"
for scale in $SCALES; do
    echo "---- scale ${scale}x"
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP/pg"
    URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "bench: no PostgreSQL" >&2; exit 1; }
    DATABASE_URL=$URL JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" migrate >/dev/null || exit 1
    bash "$REPO/tests/bench/gen/load.sh" "$URL" "$TMP/gen" --scale "$scale" --wide || exit 1
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
    if [ "${JX_BENCH_EXPLAIN:-1}" = 1 ]; then
        python3 "$HERE/explain.py" "$REPO" "$URL" "$YEAR" >"$TMP/explain.$scale.txt" 2>&1 \
            && sed 's/^/    /' "$TMP/explain.$scale.txt"
    fi
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=
done

echo "---- summary (median ms: ours, the baseline, ratio, a minimal aggregate, ratio)"
first=${SCALES%% *}; last=${SCALES##* }
awk -F'\t' -v first="$first" -v last="$last" '
    { print; name = $1; sub(/ \([0-9.]+x data\)/, "", name)
      if (index($1, "(" first "x")) { f[name] = $2; fb[name] = $3 }
      if (index($1, "(" last "x")) { l[name] = $2; lb[name] = $3 } }
    END { if (first != last) for (n in f) if (n in l)
          printf "%s: ours grew %.1fx from %sx to %sx data (%s -> %s ms), the baseline %.1fx (%s -> %s ms)\n",
                 n, l[n] / f[n], first, last, f[n], l[n], lb[n] / fb[n], fb[n], lb[n] }' \
    "$TMP/results"

if [ -n "${JX_BENCH_TABLE:-}" ]; then
    while IFS=$'\t' read -r name ours base ratio mini ratio_min; do
        if [ "$mini" = - ]; then  # findings: no target in operations.md
            printf '%s\t%s ms\t%s ms\t%s\t%s\t%s\n' "$name" "$ours" "$base" "$ratio" "-" "-" >>"$JX_BENCH_TABLE"
            continue
        fi
        met=$(awk -v r="$ratio" -v o="$ours" 'BEGIN { print (r <= 1.2 && o <= 100) ? "yes" : "no" }')
        printf '%s\t%s ms\t%s ms\t%s\t%s\t%s\n' "$name" "$ours" "$base" "$ratio" "<=1.2x, <=100ms" "$met" >>"$JX_BENCH_TABLE"
        printf '%s\t%s ms\t%s ms\t%s\t%s\t%s\n' "  (vs a minimal aggregate: counts, sums, means)" "$ours" "$mini" "$ratio_min" "-" "-" >>"$JX_BENCH_TABLE"
    done <"$TMP/results"
fi
