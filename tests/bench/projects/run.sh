#!/usr/bin/env bash
# tests/bench/projects/run.sh BUILD_DIR -- the write side as ratios to
# baselines measured in the same run on the same machine (operations.md,
# issue 4):
#
#   POST /v1/projects (20 indicators) committed/s   vs  pgbench's default
#        TPC-B tps, synchronous_commit on, same cluster, same concurrency
#   GET /v1/projects/{id} req/s                     vs  baseline.c: libmicrohttpd
#        + libpq, one primary-key SELECT per request, same threading
#   POST /v1/import of 100,000 projects (CSV, 5 indicators each, in files
#        of 10,000, the 64 MiB body limit allows ~90,000)  vs  COPY of the
#        same rows (projects and indicators, into tables with the same
#        indexes)
#
# Every pair alternates baseline and service (four rounds for POST, six
# for GET, each figure the median of its pairs' ratios; the import
# in two halves, each followed by the COPY of its rows), so load that
# comes and goes on this shared machine hits both.  A private PostgreSQL
# cluster (Unix socket) in a temporary directory; the server with 4
# threads and its request log to a file, as deployed.
#
# Robust by design: no step ends the run.  A wrk, curl, pgbench or psql
# failure is reported on stderr and its figure printed as "failed"; the
# script always reaches the summary, appends its rows to $JX_BENCH_TABLE
# (tests/bench/run.sh, `./jx bench`) and says which
# kernel.sched_autogroup_enabled it ran with and the load average around
# each measurement.  Figures, not a test: it never fails on a ratio.
#
#   JX_BENCH_PROJECTS     projects to import (default 100000)
#   JX_BENCH_SECONDS      each wrk / pgbench run (default 5)
#   JX_BENCH_CONNECTIONS  wrk and pgbench connections (default 16)
#   JX_BENCH_PARTS        any of "post get import" (default "post get": the
#                         full import is tests/bench/import, against COPY into
#                         the same tables)
#   JX_BENCH_AUTOGROUP=0  turn autogroup off for the run (root), restored after
#   JX_BENCH_THREADS      the server's JIXIAO_THREADS (default 4, as deployed here)
#   JX_BENCH_GET_ROUNDS   baseline/service pairs for GET (default 6) and
#   JX_BENCH_POST_ROUNDS  for POST (default 4); each figure is the median
#                         of its pairs' ratios
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=$BUILD/server/jixiao-server
DUR=${JX_BENCH_SECONDS:-5}
CONNS=${JX_BENCH_CONNECTIONS:-16}
NPROJ=${JX_BENCH_PROJECTS:-100000}
PARTS=${JX_BENCH_PARTS:-post get}  # import: tests/bench/import measures it fully
GET_ROUNDS=${JX_BENCH_GET_ROUNDS:-6}
POST_ROUNDS=${JX_BENCH_POST_ROUNDS:-4}
PGBIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null || { echo "bench: wrk not installed" >&2; exit 1; }
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench-projects.XXXXXX)
chmod 755 "$TMP"
PIDS=()
AUTOGROUP_FILE=/proc/sys/kernel/sched_autogroup_enabled
AUTOGROUP_WAS=$(cat $AUTOGROUP_FILE 2>/dev/null || echo unknown)
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    if [ -n "${JX_BENCH_AUTOGROUP:-}" ] && [ "$AUTOGROUP_WAS" != unknown ]; then
        echo "$AUTOGROUP_WAS" >$AUTOGROUP_FILE 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
if [ -n "${JX_BENCH_AUTOGROUP:-}" ]; then
    echo "$JX_BENCH_AUTOGROUP" >$AUTOGROUP_FILE 2>/dev/null ||
        echo "bench: cannot set autogroup (not root?); running with $AUTOGROUP_WAS" >&2
fi
AUTOGROUP=$(cat $AUTOGROUP_FILE 2>/dev/null || echo unknown)

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0 || a !~ /^[0-9.]+$/) print "n/a"; else printf "%.2f", a / b }'; }
mean() { awk '$1 ~ /^[0-9.]+$/ {s += $1; n++} END { if (n) printf "%.0f", s / n; else print "failed" }'; }
median() { sort -n | awk '$1 ~ /^[0-9.]+$/ {v[++n] = $1} END { if (!n) print "n/a";
    else printf "%.2f", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }
sum() { awk '$1 ~ /^[0-9.]+$/ {s += $1; n++} END { if (n) printf "%.2f", s; else print "failed" }'; }
psql_() { "$PGBIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtAc "$1"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
met() { # met VALUE OP TARGET
    awk -v x="$1" -v t="$3" -v op="$2" 'BEGIN { if (x !~ /^[0-9.]+$/) print "n/a";
        else print ((op == ">=" ? x + 0 >= t + 0 : x + 0 <= t + 0) ? "yes" : "NO") }'; }
LOADS=()
note_load() { LOADS+=("$1 $(load)"); }
ROWS=()
row() { ROWS+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$@")"); }
emit_rows() {
    [ -n "${JX_BENCH_TABLE:-}" ] || return 0
    local r
    for r in "${ROWS[@]}"; do printf '%s\n' "$r" >>"$JX_BENCH_TABLE"; done
}
fail_all() { # nothing could be measured: still one row per figure
    echo "bench: $1" >&2
    row "projects: POST /v1/projects committed/s vs pgbench TPC-B" failed - n/a ">= 0.5x" n/a
    row "projects: GET /v1/projects/{id} req/s vs libpq PK SELECT" failed - n/a ">= 0.7x" n/a
    row "projects: import of $NPROJ projects, s vs COPY" failed - n/a "<= 3.0x" n/a
    emit_rows
    exit 1
}

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || fail_all "cannot start PostgreSQL"
export DATABASE_URL
ADMIN=jx_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" migrate >/dev/null || fail_all "migrate failed"
SPORT=$(free_port); BPORT=$(free_port)
JIXIAO_LISTEN=127.0.0.1:$SPORT JIXIAO_THREADS=${JX_BENCH_THREADS:-4} JIXIAO_BOOTSTRAP_TOKEN=$ADMIN \
    "$SERVER" >/dev/null 2>"$TMP/server.log" & SPID=$!; PIDS+=($SPID)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$SPORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
server_alive() {
    kill -0 "$SPID" 2>/dev/null && return 0
    wait "$SPID" 2>/dev/null; echo "bench: the server died (exit $?); its last log lines:" >&2
    tail -5 "$TMP/server.log" >&2
    return 1
}
server_alive || fail_all "the server did not start"
api() { curl -fsS -X "$1" "http://127.0.0.1:$SPORT$2" -H "Authorization: Bearer $ADMIN" \
            -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }
jget() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
FIN=$(api POST /v1/orgs '{"kind":"finance","name":"宿州市财政局","region_code":"341300"}' | jget id) || fail_all "cannot create the finance bureau"
UNIT=$(api POST /v1/orgs '{"kind":"unit","name":"宿州市医疗保障局","region_code":"341300"}' | jget id) || fail_all "cannot create the unit"
TOKEN=$(api POST "/v1/orgs/$UNIT/tokens" '{}' | jget token) || fail_all "cannot issue a token"
/usr/bin/python3 "$HERE/gen.py" body "$TMP/body.json"
cc -O2 -Wall -o "$TMP/baseline" "$HERE/baseline.c" $(pkg-config --cflags --libs libmicrohttpd libpq) -lpthread ||
    echo "bench: the GET baseline does not build" >&2
if [ -x "$TMP/baseline" ]; then "$TMP/baseline" "$BPORT" 4 "$DATABASE_URL" 340000 & PIDS+=($!); fi

wrk_run() { # wrk_run NAME URL LUA -> req/s, or "failed" (reasons on stderr)
    local out=$TMP/$1.out
    if ! wrk -t2 -c"$CONNS" -d"${DUR}s" --timeout 10s --latency -s "$3" "$2" >"$out" 2>&1; then
        echo "bench: wrk exited non-zero in $1" >&2
    fi
    grep -q 'Non-2xx' "$out" && echo "bench: $1: $(grep 'Non-2xx' "$out" | sed 's/^ *//')" >&2
    grep -q 'Socket errors' "$out" && echo "bench: $1: $(grep 'Socket errors' "$out" | sed 's/^ *//')" >&2
    if grep -q 'Requests/sec' "$out"; then
        awk '/Requests\/sec/ {print $2}' "$out"
    else
        echo "bench: wrk failed in $1: $(head -3 "$out" | tr '\n' ' ')" >&2
        echo failed
    fi
}
p50() { awk '/^ +50%/ {print $2}' "$TMP/$1.out" 2>/dev/null; }
has() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

echo "projects benchmark: $(nproc) CPUs, wrk -t2 -c$CONNS ${DUR}s, pgbench -c$CONNS -j2 -T$DUR," \
     "kernel.sched_autogroup_enabled=$AUTOGROUP (was $AUTOGROUP_WAS), load $(load)"

# ---- writes: POST /v1/projects vs pgbench TPC-B ---------------------------
if has post; then
    "$PGBIN/createdb" -h "$TMP/pg/sock" -U jixiao pgb 2>/dev/null || psql_ "CREATE DATABASE pgb" >/dev/null
    PGB_URL=${DATABASE_URL/\/jixiao\?/\/pgb?}
    "$PGBIN/pgbench" -i -q -s 4 "$PGB_URL" >"$TMP/pgbench-init.out" 2>&1 ||
        { echo "bench: pgbench -i failed: $(tail -2 "$TMP/pgbench-init.out")" >&2; }
    declare -a P=() G=()
    declare -a PQ=()
    for round in $(seq 1 "$POST_ROUNDS"); do
        note_load "pgbench $round"
        out=$("$PGBIN/pgbench" -n -c"$CONNS" -j2 -T"$DUR" "$PGB_URL" 2>&1)
        g=$(printf '%s\n' "$out" | awk '/^tps/ {printf "%.0f", $3; exit}')
        [ -n "$g" ] || { echo "bench: pgbench failed: $(printf '%s\n' "$out" | tail -2)" >&2; g=failed; }
        G+=("$g")
        note_load "post $round"
        before=$(psql_ "SELECT count(*) FROM projects")
        RUN=$round BODY=$TMP/body.json TOKEN=$TOKEN wrk_run post$round "http://127.0.0.1:$SPORT/v1/projects" "$HERE/post.lua" >/dev/null
        after=$(psql_ "SELECT count(*) FROM projects")
        if [ -n "$before" ] && [ -n "$after" ]; then
            # committed rows over wrk's own duration (requests in flight at
            # the end still commit: a slight overcount, the same every run)
            P+=("$(awk -v n=$((after - before)) -v s="$DUR" 'BEGIN {printf "%.0f", n / s}')")
        else
            P+=(failed)
        fi
        PQ+=("$(ratio "${P[-1]}" "${G[-1]}")")
    done
    server_alive || true
    p=$(printf '%s\n' "${P[@]}" | mean); g=$(printf '%s\n' "${G[@]}" | mean)
    r=$(printf '%s\n' "${PQ[@]}" | median)
    echo "synchronous_commit=$(psql_ 'SHOW synchronous_commit'), fsync=$(psql_ 'SHOW fsync')"
    printf '%-48s %8s /s   per run: %s\n' "pgbench TPC-B (default script) tps" "$g" "${G[*]}"
    printf '%-48s %8s /s   per run: %s\n' "POST /v1/projects (20 indicators) committed" "$p" "${P[*]}"
    printf '%-48s %8s   per pair: %s   ratio of the means %s (target >= 0.50)\n' \
        "POST ratio, median of the pairs" "$r" "${PQ[*]}" "$(ratio "$p" "$g")"
    row "projects: POST /v1/projects committed/s vs pgbench TPC-B" "$p" "$g" "$r" ">= 0.5x" "$(met "$r" '>=' 0.5)"
fi

# ---- reads: GET /v1/projects/{id} vs one primary-key SELECT --------------
if has get; then
    n=$(psql_ "SELECT count(*) FROM projects")
    if [ "${n:-0}" -lt 100 ]; then # without the POST part: a few hundred to read
        for i in $(seq 1 200); do
            sed "s/__NAME__/get-$i/g" "$TMP/body.json" >"$TMP/one.json"
            curl -fsS -o /dev/null -X POST "http://127.0.0.1:$SPORT/v1/projects" -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' --data-binary @"$TMP/one.json" || { echo "bench: POST for GET failed" >&2; break; }
        done
    fi
# The tables were just filled: analyze them, as autovacuum would within a
# minute in service.  Without statistics PostgreSQL keeps re-planning the
# reach-filtered reads on every execution (custom plans: ~40% of the
# backend's CPU in the planner, measured with perf), which halved GET req/s.
# A CHECKPOINT then writes out what the POST part left dirty, so that a
# timed checkpoint does not land in the middle of some pairs and not others.
    psql_ "VACUUM ANALYZE" >/dev/null
    psql_ "CHECKPOINT" >/dev/null
    psql_ "SELECT id FROM projects ORDER BY id" >"$TMP/ids"
    code=$(curl -s -o "$TMP/get.check" -w '%{http_code}' "http://127.0.0.1:$SPORT/v1/projects/$(head -1 "$TMP/ids")" -H "Authorization: Bearer $TOKEN")
    [ "$code" = 200 ] || echo "bench: GET /v1/projects/{id} answers $code: $(head -c 200 "$TMP/get.check")" >&2
# GET_ROUNDS pairs, each the baseline then the service: the host's steal
# time on this shared machine moves req/s of both by up to 2x within a
# minute, so each pair is a ratio of its own and the figure is their
# median (the ratio of the means is printed beside it).
    declare -a S=() B=() Q=()
    for round in $(seq 1 "$GET_ROUNDS"); do
        note_load "get-baseline $round"
        B+=("$(IDS=$TMP/ids PATHFMT=/%d TOKEN= wrk_run base$round "http://127.0.0.1:$BPORT/" "$HERE/get.lua")")
        note_load "get $round"
        S+=("$(IDS=$TMP/ids PATHFMT=/v1/projects/%d TOKEN=$TOKEN wrk_run get$round "http://127.0.0.1:$SPORT/" "$HERE/get.lua")")
        Q+=("$(ratio "${S[-1]}" "${B[-1]}")")
    done
    server_alive || true
    b=$(printf '%s\n' "${B[@]}" | mean); s=$(printf '%s\n' "${S[@]}" | mean)
    r=$(printf '%s\n' "${Q[@]}" | median)
    printf '%-48s %8s req/s   per run: %s   p50 %s\n' "baseline: libmicrohttpd + libpq, one PK SELECT" "$b" "${B[*]}" "$(p50 "base$GET_ROUNDS")"
    printf '%-48s %8s req/s   per run: %s   p50 %s\n' "GET /v1/projects/{id}" "$s" "${S[*]}" "$(p50 "get$GET_ROUNDS")"
    printf '%-48s %8s   per pair: %s   ratio of the means %s (target >= 0.70)\n' \
        "GET ratio, median of the pairs" "$r" "${Q[*]}" "$(ratio "$s" "$b")"
    row "projects: GET /v1/projects/{id} req/s vs libpq PK SELECT" "$s" "$b" "$r" ">= 0.7x" "$(met "$r" '>=' 0.7)"
fi

# ---- bulk import vs COPY --------------------------------------------------
# Two halves; each: the import of its files through the API, then a COPY
# of exactly the rows it created into bench_* tables with the same
# indexes.  Import and COPY times are summed over the halves.
import_file() { # import_file FILE -> 0 when 200
    local code
    code=$(curl -s -m 900 -o "$TMP/import.out" -w '%{http_code}' -X POST "http://127.0.0.1:$SPORT/v1/import" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$1") || code="curl failed ($?)"
    [ "$code" = 200 ] && return 0
    echo "bench: import of $(basename "$1") answered $code: $(head -c 300 "$TMP/import.out" 2>/dev/null)" >&2
    server_alive || true
    return 1
}
copy_rows() { # copy_rows FROM_ID TO_ID -> seconds, or "failed"
    local t0
    "$PGBIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -q \
        -c "\\copy (SELECT * FROM projects WHERE id > $1 AND id <= $2) TO '$TMP/p.copy'" \
        -c "\\copy (SELECT * FROM indicators WHERE project_id > $1 AND project_id <= $2) TO '$TMP/i.copy'" \
        >"$TMP/copy.out" 2>&1 || { echo "bench: export for COPY failed: $(tail -2 "$TMP/copy.out")" >&2; echo failed; return; }
    t0=$(now)
    if "$PGBIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -q -c "BEGIN" \
        -c "\\copy bench_projects FROM '$TMP/p.copy'" -c "\\copy bench_indicators FROM '$TMP/i.copy'" \
        -c "COMMIT" >"$TMP/copy.out" 2>&1; then
        elapsed "$t0"
    else
        echo "bench: COPY failed: $(tail -2 "$TMP/copy.out")" >&2; echo failed
    fi
}
if has import; then
    PER=$(( NPROJ < 10000 ? NPROJ : 10000 ))
    /usr/bin/python3 "$HERE/gen.py" csv "$TMP/csv" "$NPROJ" "$PER"
    psql_ "CREATE TABLE bench_projects (LIKE projects INCLUDING ALL);
           CREATE TABLE bench_indicators (LIKE indicators INCLUDING ALL)" >/dev/null
    files=("$TMP"/csv/part*.csv); nf=${#files[@]}; half=$(( (nf + 1) / 2 ))
    declare -a IT=() CT=()
    ok=1
    for h in 0 1; do
        part=("${files[@]:$((h * half)):$half}")
        [ ${#part[@]} -gt 0 ] || continue
        from=$(psql_ "SELECT coalesce(max(id), 0) FROM projects")
        note_load "import half $((h + 1))"
        t0=$(now)
        for f in "${part[@]}"; do import_file "$f" || { ok=0; break; }; done
        IT+=("$(elapsed "$t0")")
        [ $ok = 1 ] || break
        to=$(psql_ "SELECT coalesce(max(id), 0) FROM projects")
        note_load "COPY half $((h + 1))"
        CT+=("$(copy_rows "$from" "$to")")
    done
    n=$(psql_ "SELECT count(*) FROM bench_projects"); ni=$(psql_ "SELECT count(*) FROM bench_indicators")
    if [ $ok = 1 ]; then imp=$(printf '%s\n' "${IT[@]}" | sum); else imp=failed; fi
    cp=$(printf '%s\n' "${CT[@]}" | sum)
    r=$(ratio "$imp" "$cp")
    printf '%-48s %8s s   per half: %s   (%s projects, %s indicators)\n' "COPY of the same rows (same indexes)" "$cp" "${CT[*]}" "$n" "$ni"
    printf '%-48s %8s s   per half: %s   ratio %s (target <= 3.0)\n' "POST /v1/import, CSV in files of $PER" "$imp" "${IT[*]}" "$r"
    grep '"/v1/import"' "$TMP/server.log" | sed -n 's/.*"duration_ms":\([0-9.]*\).*/\1/p' |
        awk '{ s += $1; if ($1 > m) m = $1; n++ } END { if (n) printf "import requests: %d, mean %.0f ms, max %.0f ms\n", n, s / n, m }'
    row "projects: import of $NPROJ projects, s vs COPY" "$imp" "$cp" "$r" "<= 3.0x" "$(met "$r" '<=' 3.0)"
fi

if server_alive; then
    echo "server RSS: $(( $(awk '/^VmHWM/ {print $2}' /proc/$SPID/status) / 1024 )) MiB peak, $(( $(awk '/^VmRSS/ {print $2}' /proc/$SPID/status) / 1024 )) MiB now"
fi
echo "load average (1, 5, 15 min) as each measurement began:"
for l in "${LOADS[@]}"; do echo "  $l"; done
echo "kernel.sched_autogroup_enabled=$AUTOGROUP during the run"
emit_rows
