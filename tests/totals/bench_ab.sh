#!/usr/bin/env bash
# tests/totals/bench_ab.sh SERVER_A SERVER_B [ROUNDS] -- the writes that
# move totals_summary, A against B, alternating, in the same run: POST
# /v1/projects (one unit, so every create hits the same summary grain),
# POST /v1/projects/{id}/evaluations as tests/bench/evaluations drives it
# ("evaluate": random among 200 projects, so after the first second nearly
# every evaluation repeats an earlier result and writes nothing to the
# summary) and "first": each request the first evaluation of one of the
# projects the creates left (evaluate_once.lua), so each moves the summary.
#
# Each server gets its own private cluster, migrated by itself (so A and B
# may have different schemas), a finance bureau, a unit, its token and
# JX_AB_PROJECTS (200) projects of 20 indicators, analyzed; then, per
# round, each side's wrk run in alternating order (A B, B A, ...).  Prints
# committed/s per run, the CPU milliseconds (server + PostgreSQL) per
# request, how many backends were active and how many of those waited on a
# lock (pg_stat_activity sampled every 100 ms, averaged), and B/A as the
# ratio of the sums over the rounds.  Figures, not
# a test.  JX_AB_SECONDS (8) per run (JX_AB_FIRST_SECONDS, 4, for
# "first"), JX_AB_CONNECTIONS (16), the servers'
# JIXIAO_THREADS=JX_AB_THREADS (16: point 2 of the 2026-11-22 findings
# would otherwise hide the summary's lock waits).
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 SERVER_A SERVER_B [ROUNDS]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH=$REPO/tests/bench
ROUNDS=${3:-3}
DUR=${JX_AB_SECONDS:-8}
FDUR=${JX_AB_FIRST_SECONDS:-4}  # the creates leave ~150/s x DUR x ROUNDS fresh projects
CONNS=${JX_AB_CONNECTIONS:-16}
NPROJ=${JX_AB_PROJECTS:-200}
PGBIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null || { echo "bench_ab: wrk not installed" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-totals-ab.XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for s in A B; do "$REPO/scripts/pg.sh" stop "$TMP/$s/pg" >/dev/null 2>&1 || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jget() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
ticks() { # ticks PID... -> utime + stime of those processes
    local t=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$t"
}

declare -A URL PORT SPID TOKEN
for s in A B; do
    server=$([ "$s" = A ] && echo "$1" || echo "$2")
    mkdir -p "$TMP/$s"
    URL[$s]=$("$REPO/scripts/pg.sh" start "$TMP/$s/pg")
    admin=jx_ab_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    DATABASE_URL=${URL[$s]} JIXIAO_BOOTSTRAP_TOKEN=$admin "$server" migrate >/dev/null
    PORT[$s]=$(free_port)
    DATABASE_URL=${URL[$s]} JIXIAO_LISTEN=127.0.0.1:${PORT[$s]} JIXIAO_THREADS=${JX_AB_THREADS:-16} \
        JIXIAO_BOOTSTRAP_TOKEN=$admin "$server" >/dev/null 2>"$TMP/$s/server.log" &
    SPID[$s]=$!; PIDS+=("${SPID[$s]}")
    base=http://127.0.0.1:${PORT[$s]}
    for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    api() { curl -fsS -X POST "$base$1" -H "Authorization: Bearer $admin" \
                -H 'Content-Type: application/json' --data-binary "$2"; }
    api /v1/orgs '{"kind":"finance","name":"宿州市财政局","region_code":"341300"}' >/dev/null
    unit=$(api /v1/orgs '{"kind":"unit","name":"宿州市医疗保障局","region_code":"341300"}' | jget id)
    TOKEN[$s]=$(api "/v1/orgs/$unit/tokens" '{}' | jget token)
    /usr/bin/python3 "$BENCH/projects/gen.py" body "$TMP/body.json"
    for i in $(seq 1 "$NPROJ"); do
        sed "s/__NAME__/ab-eval-$i/g" "$TMP/body.json" >"$TMP/one.json"
        curl -fsS -o /dev/null -X POST "$base/v1/projects" -H "Authorization: Bearer ${TOKEN[$s]}" \
            -H 'Content-Type: application/json' --data-binary @"$TMP/one.json"
    done
    "$PGBIN/psql" "${URL[$s]}" -qtAc "SELECT id FROM projects ORDER BY id" >"$TMP/$s/ids"
    "$PGBIN/psql" "${URL[$s]}" -qtAc "VACUUM ANALYZE" >/dev/null
done

run() { # run SIDE KIND -> "committed/s cpu-ms-per-request"
    local s=$1 kind=$2 table lua pm pg0 pg1 sv0 sv1 n0 n1
    local ids=$TMP/$s/ids d=$DUR
    q() { "$PGBIN/psql" "${URL[$s]}" -qtAc "$1"; }
    case $kind in
        post) table=projects lua=$BENCH/projects/post.lua ;;
        evaluate) table=evaluations lua=$BENCH/evaluations/evaluate.lua ;;
        first) table=evaluations lua=$HERE/evaluate_once.lua ids=$TMP/$s/fresh d=$FDUR
               q "SELECT id FROM projects p WHERE NOT EXISTS (SELECT FROM evaluation_rollups r
                   WHERE r.province = p.province AND r.subject = 'project'
                     AND r.subject_id = p.id) ORDER BY id" >"$ids" ;;
    esac
    pm=$(head -1 "$TMP/$s/pg/data/postmaster.pid")
    n0=$(q "SELECT count(*) FROM $table")
    pg0=$(ticks $(cat /proc/"$pm"/task/*/children)); sv0=$(ticks "${SPID[$s]}")
    # pg_stat_activity every 100 ms, from one session: backends active, and
    # of those waiting on a heavyweight lock (a row's transaction, a tuple)
    for _ in $(seq 1 $((d * 10 - 5))); do
        echo "SELECT count(*) FILTER (WHERE state = 'active'),
                     count(*) FILTER (WHERE wait_event_type = 'Lock')
                FROM pg_stat_activity WHERE backend_type = 'client backend'
                 AND pid <> pg_backend_pid();"
        sleep 0.1
    done | "$PGBIN/psql" "${URL[$s]}" -qtA -F ' ' >"$TMP/waits" 2>&1 &
    local sampler=$!
    RUN=$RANDOM BODY=$TMP/body.json IDS=$ids TOKEN=${TOKEN[$s]} \
        wrk -t2 -c"$CONNS" -d"${d}s" -s "$lua" "http://127.0.0.1:${PORT[$s]}" >"$TMP/wrk.out" 2>&1
    wait "$sampler" || true
    pg1=$(ticks $(cat /proc/"$pm"/task/*/children)); sv1=$(ticks "${SPID[$s]}")
    n1=$(q "SELECT count(*) FROM $table")
    grep -q 'Non-2xx' "$TMP/wrk.out" && echo "bench_ab: $s $kind: $(grep Non-2xx "$TMP/wrk.out")" >&2
    [ "$kind" = first ] && [ $((n1 - n0)) -gt "$(wc -l <"$ids")" ] &&
        echo "bench_ab: $s first: $((n1 - n0)) evaluations of $(wc -l <"$ids") fresh projects" >&2
    awk -v n=$((n1 - n0)) -v d="$d" -v t=$((pg1 - pg0 + sv1 - sv0)) -v hz="$(getconf CLK_TCK)" \
        'BEGIN {printf "%.0f %.2f ", n / d, (n ? t * 1000 / hz / n : 0)}'
    awk '{a += $1; l += $2} END {printf "%.1f %.1f\n", a / NR, l / NR}' "$TMP/waits"
}

echo "totals A/B: A=$1 B=$2; $(nproc) CPUs, wrk -t2 -c$CONNS ${DUR}s, JIXIAO_THREADS=${JX_AB_THREADS:-16}, $ROUNDS rounds"
for kind in post evaluate first; do
    sa=0 sb=0
    for r in $(seq 1 "$ROUNDS"); do
        order="A B"; [ $((r % 2)) = 0 ] && order="B A"
        line="$kind round $r:"
        for s in $order; do
            read -r rate cpu active locked < <(run "$s" "$kind")
            line="$line $s $rate/s (${cpu} ms CPU/req, $locked of $active active backends on Lock)"
            if [ "$s" = A ]; then sa=$((sa + rate)); else sb=$((sb + rate)); fi
        done
        echo "$line"
    done
    awk -v k="$kind" -v a="$sa" -v b="$sb" 'BEGIN {printf "%s: B/A = %.2f\n", k, (a ? b / a : 0)}'
done
