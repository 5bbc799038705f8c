#!/usr/bin/env bash
# tests/bench/http/run.sh BUILD_DIR -- HTTP throughput as ratios to a
# minimal libmicrohttpd server measured in the same run (operations.md).
#
# Builds baseline.c, starts it and jixiao-server (4 threads each, loopback
# only), and runs wrk at 64 connections, a few seconds per run, alternating
# baseline and service so drift hits both alike:
#   GET baseline (fixed body)  vs  GET /healthz  and  POST /v1/score
#   (a 20-indicator document generated from scripts/example-document.json)
# Prints req/s, each ratio to the baseline (target /v1/score >= 0.5x), the
# server's RSS under load, thread-pool vs thread-per-connection for the
# baseline, and the kernel.sched_autogroup_enabled setting it ran with
# (JX_BENCH_AUTOGROUP=0 turns autogroup off for the run, as root, and
# restores it).  POST /v1/score needs a token (any organisation's, cached
# by the server): a private PostgreSQL cluster holds the bootstrap token,
# and the scoring itself reads nothing from it.
# Figures, not a test: it never fails on a ratio.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SERVER=$BUILD/server/jixiao-server
DUR=${JX_BENCH_SECONDS:-3}
CONNS=${JX_BENCH_CONNECTIONS:-64}
ROUNDS=${JX_BENCH_ROUNDS:-2}
command -v wrk >/dev/null || { echo "bench: wrk not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench.XXXXXX)
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
    echo "$JX_BENCH_AUTOGROUP" >$AUTOGROUP_FILE || { echo "bench: cannot set autogroup" >&2; exit 1; }
fi

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_up() {
    for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done
    echo "bench: $1 did not come up" >&2; return 1
}

cc -O2 -Wall -o "$TMP/baseline" "$HERE/baseline.c" $(pkg-config --cflags --libs libmicrohttpd) -lpthread
LIBA=$(find "$BUILD" -name libjixiao.a | head -1)
cc -O2 -Wall -I"$REPO/lib/include" -o "$TMP/libloop" "$HERE/libloop.c" "$LIBA" $(pkg-config --libs jansson) -lm
/usr/bin/python3 "$HERE/make_doc.py" "$REPO/scripts/example-document.json" "$TMP/doc20.json"

BPORT=$(free_port); TPORT=$(free_port); SPORT=$(free_port)
"$TMP/baseline" "$BPORT" 4 & PIDS+=($!)
"$TMP/baseline" "$TPORT" 4 tpc & PIDS+=($!)
# The service as deployed: request log lines on (to a file); its database
# only holds the token.
chmod 755 "$TMP"
DBURL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "bench: cannot start PostgreSQL" >&2; exit 1; }
export TOKEN=jx_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
DATABASE_URL=$DBURL "$SERVER" migrate >/dev/null 2>"$TMP/migrate.log" ||
    { echo "bench: migrate failed" >&2; cat "$TMP/migrate.log" >&2; exit 1; }
JIXIAO_LISTEN=127.0.0.1:$SPORT JIXIAO_THREADS=4 DATABASE_URL=$DBURL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN \
    "$SERVER" 2>"$TMP/server.log" & SPID=$!; PIDS+=($SPID)
wait_up "http://127.0.0.1:$BPORT/"; wait_up "http://127.0.0.1:$TPORT/"
wait_up "http://127.0.0.1:$SPORT/healthz"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TOKEN" \
    --data-binary @"$TMP/doc20.json" "http://127.0.0.1:$SPORT/v1/score")
[ "$code" = 200 ] || { echo "bench: POST /v1/score answered $code" >&2; exit 1; }

# run NAME URL [lua]: prints req/s; keeps wrk's output in $TMP/NAME.N
n=0
run() {
    local name=$1 url=$2 script=${3:-} out
    n=$((n + 1)); out=$TMP/$name.$n
    if [ -n "$script" ]; then
        BODY=$TMP/doc20.json wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$script" "$url" >"$out" 2>&1
    else
        wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$url" >"$out" 2>&1
    fi
    if grep -q 'Non-2xx' "$out"; then echo "bench: non-2xx answers in $name" >&2; grep Non-2xx "$out" >&2; fi
    awk '/Requests\/sec/ {print $2}' "$out"
}
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
hwm_kib() { awk '/^VmHWM/ {print $2}' /proc/"$1"/status; }
sum() { awk '{s+=$1} END {printf "%.0f", s}'; }

declare -a B=() H=() S=() T=()
RSS_MAX=0
for r in $(seq 1 "$ROUNDS"); do
    B+=("$(run baseline "http://127.0.0.1:$BPORT/")")
    H+=("$(run healthz "http://127.0.0.1:$SPORT/healthz")")
    B+=("$(run baseline "http://127.0.0.1:$BPORT/")")
    # sample RSS in the middle of the scoring run
    ( sleep "$(awk -v d="$DUR" 'BEGIN {print d / 2}')"; rss_kib "$SPID" >"$TMP/rss.$r" ) &
    S+=("$(run score "http://127.0.0.1:$SPORT/v1/score" "$HERE/post.lua")")
    wait $! 2>/dev/null || true
    rss=$(cat "$TMP/rss.$r"); [ "$rss" -gt "$RSS_MAX" ] && RSS_MAX=$rss
    T+=("$(run tpc "http://127.0.0.1:$TPORT/")")
done

avg() { printf '%s\n' "$@" | awk '{s+=$1; n++} END {printf "%.0f", s / n}'; }
b=$(avg "${B[@]}"); h=$(avg "${H[@]}"); s=$(avg "${S[@]}"); t=$(avg "${T[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
p50() { awk '/^ +50%/ {print $2; exit}' "$(ls "$TMP"/"$1".* | tail -1)"; }

echo "HTTP benchmark: wrk -t2 -c$CONNS, ${DUR}s per run, $ROUNDS rounds alternating, loopback, $(nproc) CPUs"
echo "kernel.sched_autogroup_enabled=$(cat $AUTOGROUP_FILE 2>/dev/null || echo unknown) (was $AUTOGROUP_WAS)"
printf '%-36s %10s req/s  p50 %s\n' "baseline (fixed body, pool of 4)" "$b" "$(p50 baseline)"
printf '%-36s %10s req/s  p50 %-8s ratio %s\n' "GET /healthz" "$h" "$(p50 healthz)" "$(ratio "$h" "$b")"
printf '%-36s %10s req/s  p50 %-8s ratio %s (target >= 0.50)\n' "POST /v1/score (20 indicators)" "$s" "$(p50 score)" "$(ratio "$s" "$b")"
printf '%-36s %10s req/s  ratio %s of the pool\n' "baseline, thread per connection" "$t" "$(ratio "$t" "$b")"
read -r lib_rate lib_us < <("$TMP/libloop" "$TMP/doc20.json" "$DUR")
echo "library alone (jx_score_json in-process, 1 thread): $lib_rate docs/s, $lib_us us/doc; x$(nproc) CPUs = $((${lib_rate%.*} * $(nproc))) -> POST /v1/score reaches $(ratio "$s" "$((${lib_rate%.*} * $(nproc)))") of that ceiling"
echo "server RSS under /v1/score load: $((RSS_MAX / 1024)) MiB (peak VmHWM $(( $(hwm_kib "$SPID") / 1024 )) MiB)"
echo "per-run req/s: baseline ${B[*]} | healthz ${H[*]} | score ${S[*]} | tpc ${T[*]}"

# rows for the combined table of tests/bench/run.sh
if [ -n "${JX_BENCH_TABLE:-}" ]; then
    met() { awk -v x="$1" -v t="$2" 'BEGIN { print (x + 0 >= t + 0) ? "yes" : "NO" }'; }
    {
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "HTTP: GET /healthz req/s vs fixed-body libmicrohttpd" "$h" "$b" "$(ratio "$h" "$b")" "-" "-"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "HTTP: POST /v1/score req/s (20 indicators) vs fixed body" "$s" "$b" "$(ratio "$s" "$b")" ">= 0.5x" "$(met "$(ratio "$s" "$b")" 0.5)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "HTTP: thread per connection vs epoll pool (baseline)" "$t" "$b" "$(ratio "$t" "$b")" "-" "-"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "HTTP: server RSS MiB under /v1/score load" "$((RSS_MAX / 1024))" "-" "-" "<= 64" "$( [ $((RSS_MAX / 1024)) -le 64 ] && echo yes || echo NO)"
    } >> "$JX_BENCH_TABLE"
fi
