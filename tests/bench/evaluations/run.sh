#!/usr/bin/env bash
# tests/bench/evaluations/run.sh BUILD_DIR -- evaluations as ratios to the
# baselines of tests/bench/projects (operations.md), measured in the same
# run on the same machine:
#
#   POST /v1/projects/{id}/evaluations (20 indicators) committed/s
#        vs  pgbench's default TPC-B tps, synchronous_commit on, same
#        cluster, same concurrency (each evaluation is a committed write:
#        the evaluation row, its rollup upsert, the subject locked)
#   GET /v1/evaluations/{id} req/s
#        vs  tests/bench/projects/baseline.c: libmicrohttpd + libpq, one
#        primary-key SELECT per request, same threading
#
# A private PostgreSQL cluster (Unix socket) in a temporary directory; the
# server with 4 threads.  wrk alternates baseline and service in pairs
# (JX_BENCH_POST_ROUNDS 4, JX_BENCH_GET_ROUNDS 6), and each figure is the
# median of its pairs' ratios, as in tests/bench/projects: a single pair
# moves with the host's steal time.
# Figures, not a test.  JX_BENCH_SECONDS (default 5) per wrk run,
# JX_BENCH_CONNECTIONS (16), JX_BENCH_EVAL_PROJECTS (200) projects,
# JX_BENCH_THREADS (the server's JIXIAO_THREADS, 4).
# Appends its rows to $JX_BENCH_TABLE (tests/bench/run.sh).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
PROJ=$HERE/../projects
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=$BUILD/server/jixiao-server
DUR=${JX_BENCH_SECONDS:-5}
CONNS=${JX_BENCH_CONNECTIONS:-16}
NPROJ=${JX_BENCH_EVAL_PROJECTS:-200}
POST_ROUNDS=${JX_BENCH_POST_ROUNDS:-4}
GET_ROUNDS=${JX_BENCH_GET_ROUNDS:-6}
PGBIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null || { echo "bench: wrk not installed" >&2; exit 1; }
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench-evaluations.XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
met() { awk -v r="$1" -v t="$2" 'BEGIN {print (r >= t ? "yes" : "no")}'; }
psql_() { "$PGBIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtAc "$1"; }
avg() { printf '%s\n' "$@" | awk '{s+=$1} END {printf "%.0f", (NR ? s/NR : 0)}'; }
median() { printf '%s\n' "$@" | sort -n | awk '$1 ~ /^[0-9.]+$/ {v[++n] = $1} END { if (!n) print 0;
    else printf "%.2f", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg")
export DATABASE_URL
ADMIN=jx_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" migrate >/dev/null
SPORT=$(free_port); BPORT=$(free_port)
JIXIAO_LISTEN=127.0.0.1:$SPORT JIXIAO_THREADS=${JX_BENCH_THREADS:-4} JIXIAO_BOOTSTRAP_TOKEN=$ADMIN \
    "$SERVER" >/dev/null 2>"$TMP/server.log" & SPID=$!; PIDS+=($SPID)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$SPORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
api() { curl -fsS -X "$1" "http://127.0.0.1:$SPORT$2" -H "Authorization: Bearer ${4:-$ADMIN}" \
            -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }
jget() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
FIN=$(api POST /v1/orgs '{"kind":"finance","name":"宿州市财政局","region_code":"341300"}' | jget id)
UNIT=$(api POST /v1/orgs '{"kind":"unit","name":"宿州市医疗保障局","region_code":"341300"}' | jget id)
TOKEN=$(api POST "/v1/orgs/$UNIT/tokens" '{}' | jget token)
/usr/bin/python3 "$PROJ/gen.py" body "$TMP/body.json"
for i in $(seq 1 "$NPROJ"); do
    sed "s/__NAME__/bench-eval-$i/g" "$TMP/body.json" >"$TMP/one.json"
    curl -fsS -o /dev/null -X POST "http://127.0.0.1:$SPORT/v1/projects" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' --data-binary @"$TMP/one.json"
done
psql_ "SELECT id FROM projects ORDER BY id" >"$TMP/pids"
cc -O2 -Wall -o "$TMP/baseline" "$PROJ/baseline.c" $(pkg-config --cflags --libs libmicrohttpd libpq) -lpthread
"$TMP/baseline" "$BPORT" 4 "$DATABASE_URL" 340000 & PIDS+=($!)

wrk_run() { # wrk_run NAME URL LUA -> req/s (and warns about non-2xx)
    local out=$TMP/$1.out
    wrk -t2 -c"$CONNS" -d"${DUR}s" -s "$3" "$2" >"$out" 2>&1
    if grep -q 'Non-2xx' "$out"; then echo "bench: non-2xx in $1: $(grep Non-2xx "$out")" >&2; fi
    grep -q 'Requests/sec' "$out" || { echo "bench: wrk failed in $1:" >&2; head -5 "$out" >&2; }
    awk '/Requests\/sec/ {print $2}' "$out"
}

echo "evaluations benchmark: $(nproc) CPUs, wrk -t2 -c$CONNS ${DUR}s, pgbench -c$CONNS -j2 -T$DUR," \
     "$NPROJ projects of 20 indicators," \
     "kernel.sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo ?)"

# ---- writes: POST .../evaluations vs pgbench TPC-B -------------------------
"$PGBIN/createdb" -h "$TMP/pg/sock" -U jixiao pgb 2>/dev/null || psql_ "CREATE DATABASE pgb"
PGB_URL=${DATABASE_URL/\/jixiao\?/\/pgb?}
"$PGBIN/pgbench" -i -q -s 4 "$PGB_URL" >/dev/null 2>&1
declare -a E=() G=() EQ=()
for round in $(seq 1 "$POST_ROUNDS"); do
    G+=("$("$PGBIN/pgbench" -n -c"$CONNS" -j2 -T"$DUR" "$PGB_URL" 2>/dev/null | awk '/^tps/ {printf "%.0f", $3; exit}')")
    before=$(psql_ "SELECT count(*) FROM evaluations")
    IDS=$TMP/pids TOKEN=$TOKEN wrk_run eval$round "http://127.0.0.1:$SPORT" "$HERE/evaluate.lua" >/dev/null
    after=$(psql_ "SELECT count(*) FROM evaluations")
    E+=("$(awk -v n=$((after - before)) -v s="$DUR" 'BEGIN {printf "%.0f", n / s}')")
    EQ+=("$(ratio "${E[-1]}" "${G[-1]}")")
done
e=$(avg "${E[@]}"); g=$(avg "${G[@]}"); er=$(median "${EQ[@]}")
echo "synchronous_commit=$(psql_ 'SHOW synchronous_commit')"
printf '%-52s %8s /s\n' "pgbench TPC-B (default script) tps" "$g"
printf '%-52s %8s /s  ratio %s, median of the pairs %s (%s) (target >= 0.50)\n' \
    "POST /v1/projects/{id}/evaluations committed" "$e" "$(ratio "$e" "$g")" "$er" "${EQ[*]}"
rollups=$(psql_ "SELECT count(*) FROM evaluation_rollups")
sum=$(psql_ "SELECT sum(evaluation_count) FROM evaluation_rollups")
total=$(psql_ "SELECT count(*) FROM evaluations")
[ "$sum" = "$total" ] || echo "bench: rollups count $sum evaluations, the table holds $total" >&2

# ---- reads: GET /v1/evaluations/{id} vs one primary-key SELECT -----------
# The tables were just filled: analyze them, as autovacuum would within a
# minute in service.  Without statistics PostgreSQL keeps re-planning the
# reach-filtered reads on every execution (custom plans: ~40% of the
# backend's CPU in the planner, measured with perf), which halved GET req/s.
psql_ "VACUUM ANALYZE" >/dev/null
psql_ "CHECKPOINT" >/dev/null
psql_ "SELECT id FROM evaluations ORDER BY id DESC LIMIT 2000" >"$TMP/eids"
declare -a S=() B=() SQ=()
for round in $(seq 1 "$GET_ROUNDS"); do
    B+=("$(IDS=$TMP/pids PATHFMT=/%d TOKEN= wrk_run base$round "http://127.0.0.1:$BPORT/" "$PROJ/get.lua")")
    S+=("$(IDS=$TMP/eids PATHFMT=/v1/evaluations/%d TOKEN=$TOKEN wrk_run get$round "http://127.0.0.1:$SPORT/" "$PROJ/get.lua")")
    SQ+=("$(ratio "${S[-1]}" "${B[-1]}")")
done
b=$(avg "${B[@]}"); s=$(avg "${S[@]}"); sr=$(median "${SQ[@]}")
printf '%-52s %8s req/s\n' "baseline: libmicrohttpd + libpq, one PK SELECT" "$b"
printf '%-52s %8s req/s  ratio %s, median of the pairs %s (%s) (target >= 0.70)\n' \
    "GET /v1/evaluations/{id}" "$s" "$(ratio "$s" "$b")" "$sr" "${SQ[*]}"
echo "per-run: evaluate ${E[*]} | pgbench ${G[*]} | baseline ${B[*]} | get ${S[*]};" \
     "$total evaluations over $rollups rollups; evaluation body $(psql_ "SELECT avg(octet_length(body::text))::int FROM evaluations") bytes"
echo "server RSS after the run: $(( $(awk '/^VmHWM/ {print $2}' /proc/$SPID/status) / 1024 )) MiB peak"

if [ -n "${JX_BENCH_TABLE:-}" ]; then
    r=$er
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "POST /v1/projects/{id}/evaluations (20 ind.) /s vs pgbench tps" "$e" "$g" "$r" ">= 0.5x" "$(met "$r" 0.5)" >> "$JX_BENCH_TABLE"
    r=$sr
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "GET /v1/evaluations/{id} req/s vs libpq PK SELECT" "$s" "$b" "$r" ">= 0.7x" "$(met "$r" 0.7)" >> "$JX_BENCH_TABLE"
fi
