#!/usr/bin/env bash
# tests/bench/run.sh BUILD_DIR -- every benchmark with its same-run baseline,
# then one table: figure, ours, baseline, ratio, target, met (`./jx bench`).
#
# Each part prints its own details and appends its rows (tab-separated) to
# $JX_BENCH_TABLE; a part whose script is missing is skipped, a part that
# fails is said and the others still run.  The parts, in order:
#   lib          the scoring library: indicators/s, JSON MB/s vs jq
#   http         POST /v1/score and GET /healthz vs a fixed-body server
#   projects     POST/GET /v1/projects vs pgbench TPC-B / a PK-SELECT server
#   evaluations  POST .../evaluations, GET /v1/evaluations/{id}, same baselines
#   import       POST /v1/import of 100,000 projects vs COPY
#   totals       GET /v1/totals on a generated country, 1x and 10x, vs psql
#   monitoring   the totals of colours of GET /v1/monitoring (issue 20) on a
#                generated country with monitoring reports, vs a bare GROUP BY
#   office       a 50-table .docx read and scored vs libzip + expat alone; a
#                10,000-row .xlsx imported vs the same projects as JSON
#   load         tests/load/run.sh: wrk, 256 connections, 30 s, the mixed
#                load; the server's RSS at 256 connections
#   latency      p50/p99 at 70% of peak, fixed rate (tests/bench/latency)
# Figures, never a pass/fail: the machine is shared and noisy, so only
# ratios to a baseline of the same run count.
#
#   JX_BENCH_PARTS          the parts to run (default all, in the order above)
#   JX_BENCH_AUTOGROUP      kernel.sched_autogroup_enabled for the run (default
#                           0; "keep" leaves it): with autogroup on, a
#                           PostgreSQL started by pg_ctl is scheduled apart
#                           from the server and the load generator and waits
#                           for a CPU for up to seconds on a saturated 2-core
#                           machine (operations.md).  Set only as root;
#                           restored afterwards unless something else changed
#                           it meanwhile.  The setting the run had is printed.
#   JX_BENCH_TOTALS_SCALES  the totals part's scales (default "1 10"; the 10x
#                           generation and load take 8-10 minutes: "1" skips it)
#   JX_BENCH_MONITORING_SCALES  the monitoring part's scales (default "1")
#   JX_LOAD_SECONDS         the load part's duration (default 30)
#   and each part's own (JX_BENCH_SECONDS, JX_BENCH_CONNECTIONS, ...: see
#   the top of each run.sh).
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
PARTS=${JX_BENCH_PARTS:-lib http projects evaluations import totals monitoring office load latency}
export JX_BENCH_TABLE
JX_BENCH_TABLE=$(mktemp /tmp/jixiao-bench-table.XXXXXX)

AG=/proc/sys/kernel/sched_autogroup_enabled
AG_WAS=$(cat "$AG" 2>/dev/null || echo '?')
AG_WANT=${JX_BENCH_AUTOGROUP:-0}
AG_SET=0
restore_autogroup() {
    # only if it is still what this run set: a concurrent run that changed
    # it since owns it now
    if [ "$AG_SET" = 1 ] && [ "$(cat "$AG" 2>/dev/null)" = "$AG_WANT" ]; then
        echo "$AG_WAS" >"$AG" 2>/dev/null && echo "kernel.sched_autogroup_enabled restored to $AG_WAS"
    fi
    AG_SET=0
}
trap 'restore_autogroup; rm -f "$JX_BENCH_TABLE"' EXIT
trap 'exit 130' INT TERM
if [ "$AG_WANT" != keep ] && [ "$AG_WAS" != '?' ] && [ "$AG_WAS" != "$AG_WANT" ]; then
    if [ "$(id -u)" = 0 ] && echo "$AG_WANT" >"$AG" 2>/dev/null; then
        AG_SET=1
    else
        echo "bench: cannot set kernel.sched_autogroup_enabled=$AG_WANT (not root); running with $AG_WAS" >&2
    fi
fi
AG_NOTE="kernel.sched_autogroup_enabled=$(cat "$AG" 2>/dev/null || echo '?')$([ "$AG_SET" = 1 ] && echo " for this run (was $AG_WAS, restored afterwards)")"

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$AG_NOTE"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); parts: $PARTS"
for part in $PARTS; do
    if [ "$part" = load ]; then       # the load test of ./jx test, for 30 s
        script=$HERE/../load/run.sh; arg=$BUILD/server/jixiao-server
    else
        script=$HERE/$part/run.sh; arg=$BUILD
    fi
    [ -f "$script" ] || continue
    echo
    echo "==== $part (at $SECONDS s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    # autogroup is this script's: a part would set it again (JX_BENCH_AUTOGROUP)
    env -u JX_BENCH_AUTOGROUP -u JX_BENCH_PARTS JX_LOAD_SECONDS="${JX_LOAD_SECONDS:-30}" bash "$script" "$arg" ||
        echo "bench: $part failed (its rows may be missing)"
done

echo
echo "==== summary (after $SECONDS s; $AG_NOTE; load average $(cut -d' ' -f1-3 /proc/loadavg))"
awk -F'\t' 'NR == FNR { if (length($1) > w) w = length($1); next }
            FNR == 1 { printf "%-*s %14s %14s %8s %14s  %s\n", w, "figure", "ours", "baseline", "ratio", "target", "met" }
            { printf "%-*s %14s %14s %8s %14s  %s\n", w, $1, $2, $3, $4, $5, $6 }' "$JX_BENCH_TABLE" "$JX_BENCH_TABLE"
