#!/usr/bin/env bash
# tests/bench/projects/run.sh BUILD_DIR -- the write side as ratios to
# baselines measured in the same run on the same machine (operations.md):
#
#   POST /v1/projects (20 indicators) committed/s   vs  pgbench's default
#        TPC-B tps, synchronous_commit on, same cluster, same concurrency
#   GET /v1/projects/{id} req/s                     vs  baseline.c: libmicrohttpd
#        + libpq, one primary-key SELECT per request, same threading
#   POST /v1/import of 100,000 projects (CSV, 5 indicators each, in files
#        of 10,000)                                 vs  COPY of the same rows
#        (projects and indicators, into tables with the same indexes)
#
# A private PostgreSQL cluster (Unix socket) in a temporary directory; the
# server with 4 threads and its request log to a file, as deployed.  wrk
# alternates baseline and service.  Figures, not a test: it never fails
# on a ratio.  JX_BENCH_PROJECTS (default 100000) sizes the import;
# JX_BENCH_SECONDS (default 5) each wrk run; JX_BENCH_CONNECTIONS (16).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=$BUILD/server/jixiao-server
DUR=${JX_BENCH_SECONDS:-5}
CONNS=${JX_BENCH_CONNECTIONS:-16}
NPROJ=${JX_BENCH_PROJECTS:-100000}
PGBIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null || { echo "bench: wrk not installed" >&2; exit 1; }
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench-projects.XXXXXX)
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
psql_() { "$PGBIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtAc "$1"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg")
export DATABASE_URL
ADMIN=jx_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" migrate >/dev/null
SPORT=$(free_port); BPORT=$(free_port)
JIXIAO_LISTEN=127.0.0.1:$SPORT JIXIAO_THREADS=4 JIXIAO_BOOTSTRAP_TOKEN=$ADMIN \
    "$SERVER" >/dev/null 2>"$TMP/server.log" & SPID=$!; PIDS+=($SPID)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$SPORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
api() { curl -fsS -X "$1" "http://127.0.0.1:$SPORT$2" -H "Authorization: Bearer $ADMIN" \
            -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }
jget() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
FIN=$(api POST /v1/orgs '{"kind":"finance","name":"宿州市财政局","region_code":"341300"}' | jget id)
UNIT=$(api POST /v1/orgs '{"kind":"unit","name":"宿州市医疗保障局","region_code":"341300"}' | jget id)
TOKEN=$(api POST "/v1/orgs/$UNIT/tokens" '{}' | jget token)
/usr/bin/python3 "$HERE/gen.py" body "$TMP/body.json"
cc -O2 -Wall -o "$TMP/baseline" "$HERE/baseline.c" $(pkg-config --cflags --libs libmicrohttpd libpq) -lpthread
"$TMP/baseline" "$BPORT" 4 "$DATABASE_URL" 340000 & PIDS+=($!)

wrk_run() { # wrk_run NAME URL LUA -> req/s (and warns about non-2xx)
    local out=$TMP/$1.out
    wrk -t2 -c"$CONNS" -d"${DUR}s" -s "$3" "$2" >"$out" 2>&1
    if grep -q 'Non-2xx' "$out"; then echo "bench: non-2xx in $1: $(grep Non-2xx "$out")" >&2; fi
    grep -q 'Requests/sec' "$out" || { echo "bench: wrk failed in $1:" >&2; head -5 "$out" >&2; }
    awk '/Requests\/sec/ {print $2}' "$out"
}

echo "projects benchmark: $(nproc) CPUs, wrk -t2 -c$CONNS ${DUR}s, pgbench -c$CONNS -j2 -T$DUR," \
     "kernel.sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo ?)"

# ---- writes: POST /v1/projects vs pgbench TPC-B ---------------------------
"$PGBIN/createdb" -h "$TMP/pg/sock" -U jixiao pgb 2>/dev/null || psql_ "CREATE DATABASE pgb"
PGB_URL=${DATABASE_URL/\/jixiao\?/\/pgb?}
"$PGBIN/pgbench" -i -q -s 4 "$PGB_URL" >/dev/null 2>&1
declare -a P=() G=()
for round in 1 2; do
    before=$(psql_ "SELECT count(*) FROM projects")
    t0=$(now)
    RUN=$round BODY=$TMP/body.json TOKEN=$TOKEN wrk_run post$round "http://127.0.0.1:$SPORT/v1/projects" "$HERE/post.lua" >/dev/null
    secs=$(elapsed "$t0")
    after=$(psql_ "SELECT count(*) FROM projects")
    P+=("$(awk -v n=$((after - before)) -v s="$DUR" 'BEGIN {printf "%.0f", n / s}')")
    G+=("$("$PGBIN/pgbench" -n -c"$CONNS" -j2 -T"$DUR" "$PGB_URL" 2>/dev/null | awk '/^tps/ {printf "%.0f", $3; exit}')")
done
p=$(printf '%s\n' "${P[@]}" | awk '{s+=$1} END {printf "%.0f", s/NR}')
g=$(printf '%s\n' "${G[@]}" | awk '{s+=$1} END {printf "%.0f", s/NR}')
echo "synchronous_commit=$(psql_ 'SHOW synchronous_commit')"
printf '%-48s %8s /s\n' "pgbench TPC-B (default script) tps" "$g"
printf '%-48s %8s /s  ratio %s (target >= 0.50)\n' "POST /v1/projects (20 indicators) committed" "$p" "$(ratio "$p" "$g")"

# ---- reads: GET /v1/projects/{id} vs one primary-key SELECT --------------
psql_ "SELECT id FROM projects ORDER BY id" >"$TMP/ids"
declare -a S=() B=()
for round in 1 2; do
    B+=("$(IDS=$TMP/ids PATHFMT=/%d TOKEN= wrk_run base$round "http://127.0.0.1:$BPORT/" "$HERE/get.lua")")
    S+=("$(IDS=$TMP/ids PATHFMT=/v1/projects/%d TOKEN=$TOKEN wrk_run get$round "http://127.0.0.1:$SPORT/" "$HERE/get.lua")")
done
b=$(printf '%s\n' "${B[@]}" | awk '{s+=$1} END {printf "%.0f", s/NR}')
s=$(printf '%s\n' "${S[@]}" | awk '{s+=$1} END {printf "%.0f", s/NR}')
printf '%-48s %8s req/s\n' "baseline: libmicrohttpd + libpq, one PK SELECT" "$b"
printf '%-48s %8s req/s  ratio %s (target >= 0.70)\n' "GET /v1/projects/{id}" "$s" "$(ratio "$s" "$b")"
echo "per-run: post ${P[*]} | pgbench ${G[*]} | baseline ${B[*]} | get ${S[*]}"

# ---- bulk import vs COPY --------------------------------------------------
PER=$(( NPROJ < 10000 ? NPROJ : 10000 ))
/usr/bin/python3 "$HERE/gen.py" csv "$TMP/csv" "$NPROJ" "$PER"
before=$(psql_ "SELECT coalesce(max(id), 0) FROM projects")
t0=$(now)
for f in "$TMP"/csv/part*.csv; do
    code=$(curl -s -m 600 -o "$TMP/import.out" -w '%{http_code}' -X POST "http://127.0.0.1:$SPORT/v1/import" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$f") || code="curl failed ($?)"
    [ "$code" = 200 ] || { echo "bench: import answered $code: $(head -c 300 "$TMP/import.out")" >&2; exit 1; }
done
imp=$(elapsed "$t0")
n=$(psql_ "SELECT count(*) FROM projects WHERE id > $before")
ni=$(psql_ "SELECT count(*) FROM indicators WHERE project_id > $before")
psql_ "COPY (SELECT * FROM projects WHERE id > $before) TO '$TMP/p.copy'" 2>/dev/null || \
    "$PGBIN/psql" "$DATABASE_URL" -qc "\\copy (SELECT * FROM projects WHERE id > $before) TO '$TMP/p.copy'"
"$PGBIN/psql" "$DATABASE_URL" -qc "\\copy (SELECT * FROM indicators WHERE project_id > $before) TO '$TMP/i.copy'"
psql_ "CREATE TABLE bench_projects (LIKE projects INCLUDING ALL); CREATE TABLE bench_indicators (LIKE indicators INCLUDING ALL)"
t0=$(now)
"$PGBIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -q \
    -c "BEGIN" -c "\\copy bench_projects FROM '$TMP/p.copy'" -c "\\copy bench_indicators FROM '$TMP/i.copy'" -c "COMMIT"
cp=$(elapsed "$t0")
printf '%-48s %8s s  (%s projects, %s indicators)\n' "COPY of the same rows (same indexes)" "$cp" "$n" "$ni"
printf '%-48s %8s s  ratio %s (target <= 3.0)\n' "POST /v1/import, CSV in files of $PER" "$imp" "$(ratio "$imp" "$cp")"
echo "server RSS after the run: $(( $(awk '/^VmHWM/ {print $2}' /proc/$SPID/status) / 1024 )) MiB peak"
