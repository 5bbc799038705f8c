#!/usr/bin/env bash
# tests/bench/run.sh BUILD_DIR -- every benchmark with its same-run baseline,
# then one table: figure, ours, baseline, ratio, target, met.
#
# Each part prints its own details and appends its rows (tab-separated) to
# $JX_BENCH_TABLE.  Parts that need more (a database, generated data) are
# run when their script exists.  Figures, never a pass/fail: the machine is
# shared and noisy, so only ratios to a baseline of the same run count.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
export JX_BENCH_TABLE
JX_BENCH_TABLE=$(mktemp /tmp/jixiao-bench-table.XXXXXX)
trap 'rm -f "$JX_BENCH_TABLE"' EXIT

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "kernel.sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?')"
for part in lib http projects import evaluations totals load; do
    script="$HERE/$part/run.sh"
    [ -f "$script" ] || continue
    echo
    echo "==== $part"
    bash "$script" "$BUILD" || echo "bench: $part failed (its rows may be missing)"
done

echo
echo "==== summary"
awk -F'\t' 'BEGIN { printf "%-62s %12s %12s %7s %14s %4s\n", "figure", "ours", "baseline", "ratio", "target", "met" }
            { printf "%-62s %12s %12s %7s %14s %4s\n", $1, $2, $3, $4, $5, $6 }' "$JX_BENCH_TABLE"
