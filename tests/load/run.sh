#!/usr/bin/env bash
# tests/load/run.sh SERVER_BINARY -- a bounded wrk run against the server on
# a private PostgreSQL: zero 5xx, zero failed requests.
#
# Starts a private cluster in a fresh temporary directory (scripts/pg.sh;
# the shared steps are tests/lib/server.sh), migrates it, starts the server
# as deployed (a JSON log line per request, to a file) on a free loopback port, checks each fixture document scores,
# and runs wrk with tests/load/mix.lua, a mix of reads, writes and
# evaluations: POST /v1/score over the fixture documents; GET /healthz,
# /readyz, /v1/whoami; as a unit: GET /v1/projects/{id}, GET /v1/projects
# (a page), GET /v1/evaluations/{id}, POST /v1/projects (a new name each,
# with an Idempotency-Key), POST /v1/projects/{id}/evaluations, PATCH
# /v1/projects/{id} and PUT /v1/projects/{id}/results with If-Match (each
# wrk thread on projects of its own, so no two requests race for a
# version and a 412 is a failure); as the finance bureau: GET /v1/totals.
# setup_projects.py prepares the organisations, tokens, projects and
# evaluations.  While wrk runs, the server's RSS is sampled.  Afterwards
# the database is compared with what was acknowledged: every project and
# evaluation that got a 201 is stored, every change that got a 200 is the
# project's version (at most one more, per request in flight at the end).
#
#   JX_LOAD_SECONDS      duration (default 30)
#   JX_LOAD_CONNECTIONS  connections (default 256)
#   JX_LOAD_THREADS      wrk threads (default 2)
#   JX_LOAD_TIMEOUT      wrk's per-request timeout (default 5s); a request
#                        slower than this counts as a timeout, i.e. a failure
#   JX_LOAD_ONLY         one kind of request of mix.lua only (diagnosis)
#
# Printed: req/s, p50 and max latency (wrk's p99 is inflated by its
# coordinated-omission correction whenever a stall happens: operations.md),
# the error and timeout counts, the server's peak RSS at that many
# connections (target <= 64 MiB; enforced for builds without sanitizers),
# and the closing line "load: N passed, M failed".  Exits non-zero on any
# 5xx, any non-2xx, any socket error or timeout, a lost acknowledged write,
# an RSS over the target, a server that does not exit 0 on SIGTERM, or a
# sanitizer report.  With $JX_BENCH_TABLE set (tests/bench/run.sh), also
# appends the RSS and the run's figures to the benchmark table.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SERVER_BINARY" >&2; exit 2; }
SERVER=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${JX_SHARED:-$REPO/../shared}
SECONDS_=${JX_LOAD_SECONDS:-30}
CONNS=${JX_LOAD_CONNECTIONS:-256}
THREADS=${JX_LOAD_THREADS:-2}
WRK_TIMEOUT=${JX_LOAD_TIMEOUT:-5s}
RSS_TARGET_KIB=$((64 * 1024))
[ -x "$SERVER" ] || { echo "load: no server binary at $SERVER" >&2; exit 2; }
command -v wrk >/dev/null || { echo "load: wrk not installed (apt-get install wrk)" >&2; exit 2; }
ls "$SHARED"/fixtures/[0-9]*.json >/dev/null 2>&1 || { echo "load: no fixtures in $SHARED/fixtures" >&2; exit 2; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

. "$REPO/tests/lib/server.sh"
server_prologue load

PASS=0; FAIL=0
check() { # check DESCRIPTION CONDITION-COMMAND...
    local what=$1; shift
    if "$@"; then PASS=$((PASS + 1)); echo "load: ok    $what"
    else FAIL=$((FAIL + 1)); echo "load: FAIL  $what"; fi
}
finish() {
    echo "load: $PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}

start_cluster DATABASE_URL "$TMP/pg" || { echo "load: cannot start PostgreSQL" >&2; exit 1; }
PORT=$(free_port)
TOKEN=$(new_token jx_load)
BASE=http://127.0.0.1:$PORT

sanitizer_env detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86 lsan
export DATABASE_URL JIXIAO_BOOTSTRAP_TOKEN=$TOKEN JIXIAO_LOG=${JIXIAO_LOG:-info}
# wrk is many clients from one address: lift the per-address cap above it
export JIXIAO_MAX_CONN_PER_IP=${JIXIAO_MAX_CONN_PER_IP:-$((CONNS + 64))}
SANITIZED=0
if ldd "$SERVER" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$SERVER"; then SANITIZED=1; fi

"$SERVER" migrate >"$TMP/migrate.out" 2>"$TMP/migrate.err" \
    || { cat "$TMP/migrate.out" "$TMP/migrate.err" >&2; echo "load: migrate failed" >&2; exit 1; }
start_server "$TMP/server.out" "$TMP/server.err" "JIXIAO_LISTEN=127.0.0.1:$PORT"
wait_up "$BASE/readyz" || { cat "$TMP/server.err" >&2; echo "load: the server did not come up ready" >&2; exit 1; }

# The fixture documents that score (200) go into the mix, compact.
mkdir -p "$TMP/docs"
n=0
for f in "$SHARED"/fixtures/[0-9]*.json; do
    /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["document"], ensure_ascii=False, separators=(",",":")))' "$f" >"$TMP/doc.json"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" --data-binary @"$TMP/doc.json" "$BASE/v1/score")
    if [ "$code" = 200 ]; then
        n=$((n + 1)); mv "$TMP/doc.json" "$TMP/docs/$n.json"
    else
        echo "load: $(basename "$f") answers $code, left out of the mix"
    fi
done
check "fixture documents score before the run ($n)" [ "$n" -gt 0 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/v1/whoami")
check "GET /v1/whoami with the token before the run" [ "$code" = 200 ]
# one project to change per connection, two spare per thread (mix.lua)
NWRITE=$((CONNS + 2 * THREADS))
/usr/bin/python3 "$HERE/setup_projects.py" "$BASE" "$TOKEN" \
    "$SHARED/fixtures/000-suzhou-fund-supervision.json" "$TMP" "$NWRITE"
check "organisations, tokens, $NWRITE projects to change, projects and evaluations to read, before the run" \
    [ -s "$TMP/project_ids" -a -s "$TMP/evaluation_ids" -a "$(wc -l <"$TMP/write_projects" 2>/dev/null)" = "$NWRITE" ]
psql_() { /usr/lib/postgresql/15/bin/psql "$DATABASE_URL" -XtAc "$1"; }
NPROJ_BEFORE=$(psql_ "SELECT count(*) FROM projects")
NEVAL_BEFORE=$(psql_ "SELECT count(*) FROM evaluations")

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
RSS_START=$(rss_kib)
: >"$TMP/rss"
(
    while kill -0 "$SERVER_PID" 2>/dev/null && [ ! -f "$TMP/wrk.done" ]; do
        rss_kib >>"$TMP/rss"
        sleep 0.25
    done
) &
SAMPLER=$!

echo "load: cluster, migration, server and fixtures ready after ${SECONDS} s"
echo "load: wrk -t$THREADS -c$CONNS -d${SECONDS_}s --timeout $WRK_TIMEOUT, mix.lua over $n documents, $(nproc) CPUs, autogroup $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo ?)"
JX_LOAD_DOCS=$TMP/docs JX_LOAD_NDOCS=$n JX_LOAD_TOKEN=$TOKEN \
JX_LOAD_UNIT_TOKEN=$(cat "$TMP/unit_token") JX_LOAD_FINANCE_TOKEN=$(cat "$TMP/finance_token") \
JX_LOAD_PROJECT_IDS=$TMP/project_ids JX_LOAD_EVALUATION_IDS=$TMP/evaluation_ids \
JX_LOAD_WRITE_PROJECTS=$TMP/write_projects JX_LOAD_THREADS=$THREADS \
JX_LOAD_PROJECT_BODY=$TMP/project.json JX_LOAD_RUN=$$ \
    wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" --timeout "$WRK_TIMEOUT" --latency \
        -s "$HERE/mix.lua" "$BASE" >"$TMP/wrk.out" 2>&1
wrk_rc=$?
touch "$TMP/wrk.done"
wait "$SAMPLER" 2>/dev/null
RSS_PEAK=$(sort -n "$TMP/rss" | tail -1); RSS_PEAK=${RSS_PEAK:-0}

get() { awk -v k="$1" '$1 == "JXLOAD" && $2 == k {print $3}' "$TMP/wrk.out"; }
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
[ "${HWM:-0}" -gt "$RSS_PEAK" ] && RSS_PEAK=$HWM   # the high-water mark misses nothing between samples
sed -n '/^Running/,/^JXLOAD/p' "$TMP/wrk.out" | grep -v '^JXLOAD' | sed 's/^/  /'
check "wrk ran (exit $wrk_rc)" [ "$wrk_rc" = 0 -a -n "$(get requests)" ]
req=$(get requests); req=${req:-0}
s5=$(get status_5xx); s5=${s5:-0}
s2=$(get status_2xx); s2=${s2:-0}
bad=$(( ${req} - ${s2} ))
errs=$(( $(get err_connect || echo 0) + $(get err_read || echo 0) + $(get err_write || echo 0) ))
tmo=$(get err_timeout); tmo=${tmo:-0}
rps=$(get rps); p50=$(get p50_ms); mx=$(get max_ms)
printf 'load: %s requests in %s s: %s req/s, p50 %s ms, max %s ms; 2xx %s, 4xx %s, 5xx %s; socket errors %s (connect %s, read %s, write %s), timeouts %s\n' \
    "$req" "$(get seconds)" "$rps" "$p50" "$mx" "$s2" "$(get status_4xx)" "$s5" "$errs" \
    "$(get err_connect)" "$(get err_read)" "$(get err_write)" "$tmo"
printf 'load: server RSS %.1f MiB at start, %.1f MiB peak at %s connections (target 64 MiB%s)\n' \
    "$(echo "$RSS_START / 1024" | bc -l)" "$(echo "$RSS_PEAK / 1024" | bc -l)" "$CONNS" \
    "$([ $SANITIZED = 1 ] && echo '; ASan build, not enforced')"
[ -n "$(get first_bad)" ] && echo "load: first non-2xx: $(grep '^JXLOAD first_bad' "$TMP/wrk.out" | cut -d' ' -f3-)"
check "zero 5xx" [ "$s5" = 0 ]
check "every response 2xx (zero failed requests)" [ "$bad" = 0 ]
check "zero socket errors" [ "$errs" = 0 ]
check "zero timeouts (over $WRK_TIMEOUT)" [ "$tmo" = 0 ]
created=$(get created_2xx); created=${created:-0}
evaluated=$(get evaluated_2xx); evaluated=${evaluated:-0}
changed=$(get changed_2xx); changed=${changed:-0}
NPROJ_AFTER=$(psql_ "SELECT count(*) FROM projects")
NEVAL_AFTER=$(psql_ "SELECT count(*) FROM evaluations")
echo "load: sent by kind:$(awk '$1 == "JXLOAD" && $2 ~ /^(score|healthz|readyz|whoami|project_[a-z]+|evaluat[a-z_]+|totals|no_free)$/ {printf " %s %s", $2, $3}' "$TMP/wrk.out")"
echo "load: acknowledged: $created projects created, $evaluated evaluations run, $changed changes (PATCH, results)"
# wrk stops with requests in flight: writes it never saw answered may have
# committed too, at most one per connection.
stored=$((NPROJ_AFTER - NPROJ_BEFORE))
check "every project creation acknowledged is in the database ($stored stored, $created acknowledged)" \
    [ "$stored" -ge "$created" -a "$stored" -le $((created + CONNS)) -a "$created" -gt 0 ]
stored=$((NEVAL_AFTER - NEVAL_BEFORE))
check "every evaluation acknowledged is in the database ($stored stored, $evaluated acknowledged)" \
    [ "$stored" -ge "$evaluated" -a "$stored" -le $((evaluated + CONNS)) -a "$evaluated" -gt 0 ]
# each project changed: its version in the database is the last one
# acknowledged, or one more if a change was in flight when wrk stopped
awk '$1 == "JXLOAD_VERSION" {print $2 "\t" $3 "\t" $4}' "$TMP/wrk.out" >"$TMP/versions"
psql_ "SELECT id, version FROM projects WHERE name LIKE '负载-改-%'" | tr '|' '\t' >"$TMP/db_versions"
lost=$(awk -F'\t' 'NR == FNR {db[$1] = $2; next}
    { n++; if (!($1 in db) || db[$1] < $2 || db[$1] > $2 + $3) { bad++; if (bad <= 3) printf "project %s: acknowledged version %s (in flight %s), database %s\n", $1, $2, $3, db[$1] > "/dev/stderr" } }
    END { print (n == 0 ? -1 : bad + 0) }' "$TMP/db_versions" "$TMP/versions")
check "every change acknowledged is the project's version in the database ($(wc -l <"$TMP/versions") projects, $changed changes)" \
    [ "$lost" = 0 -a "$changed" -gt 0 ]
if [ $SANITIZED = 0 ]; then
    check "server RSS <= 64 MiB at $CONNS connections" [ "$RSS_PEAK" -le "$RSS_TARGET_KIB" ]
fi
if [ -n "${JX_BENCH_TABLE:-}" ]; then
    rss_mib=$(awk -v k="$RSS_PEAK" 'BEGIN {printf "%.1f", k / 1024}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
        "server RSS at $CONNS connections (load mix), MiB" "$rss_mib" "-" "-" "<= 64 MiB" \
        "$(awk -v r="$rss_mib" 'BEGIN {print (r <= 64 ? "yes" : "NO")}')" \
        "load: wrk, $CONNS connections, ${SECONDS_} s, mixed (tests/load)" \
        "$(printf '%.0f' "$rps") req/s, $s5 5xx, $((bad - s5 + errs + tmo)) err" "-" "-" "0 5xx, 0 errors" \
        "$([ $((s5 + errs + tmo + bad)) = 0 ] && echo yes || echo NO)" >>"$JX_BENCH_TABLE"
fi

stop_server
echo "load: server stopped at ${SECONDS} s"
check "server exits 0 on SIGTERM (got $SERVER_RC)" [ "$SERVER_RC" = 0 ]
if sanitizer_check load "$TMP/server.err"; then
    check "no sanitizer report" true
else
    check "no sanitizer report" false
fi
finish
