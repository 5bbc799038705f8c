#!/bin/sh
# run.sh BUILD_DIR
#
# The scoring library's two performance figures (operations.md), each next
# to its baseline measured in the same run on the same machine:
#   1. indicators scored per second, inputs already parsed (target >= 10
#      million; no baseline: instructions per indicator counted with
#      callgrind as a stable second figure, when valgrind is installed);
#   2. whole documents through JSON (jx_score_json: parse, score,
#      serialise) in MB/s of input, against `jq -c .` over the same bytes
#      (target >= 0.5x jq), alternating ours and jq for a few rounds.
# Bounded: well under a minute.
set -u
BUILD=${1:?usage: run.sh BUILD_DIR}
BIN=$BUILD/tests/bench_lib
ROUNDS=${ROUNDS:-3}
COPIES=${COPIES:-1500}
if [ ! -x "$BIN" ]; then
    echo "run.sh: $BIN missing (cmake --build $BUILD --target bench_lib)"
    exit 1
fi
command -v jq >/dev/null 2>&1 || { echo "run.sh: jq is needed for the baseline"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

val() { sed -n "s/^$1 //p" "$2" | head -n 1; }
now() { date +%s.%N; }
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cpu(s), $(uname -sr), sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?')"

# 1. indicators per second: the best of three one-second runs (other load
#    on a shared machine only ever slows a run down)
ips=0
for _ in 1 2 3; do
    "$BIN" --mode score --seconds 1 > "$tmp/score.txt" || { cat "$tmp/score.txt"; exit 1; }
    ips=$(awk -v a="$ips" -v b="$(val indicators_per_second "$tmp/score.txt")" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
done
echo "document: $(val document_indicators "$tmp/score.txt") indicators, total $(val document_total "$tmp/score.txt"), $(val document_findings "$tmp/score.txt") finding(s)"

# 2. JSON path against jq, same bytes, alternating
"$BIN" --emit "$tmp/doc.json" || exit 1
i=0
: > "$tmp/docs.jsonl"
while [ $i -lt "$COPIES" ]; do
    cat "$tmp/doc.json"
    i=$((i + 1))
done > "$tmp/docs.jsonl"
bytes=$(wc -c < "$tmp/docs.jsonl")
ours_all=""
jq_all=""
r=0
while [ $r -lt "$ROUNDS" ]; do
    r=$((r + 1))
    "$BIN" --mode json --seconds 1 > "$tmp/json.txt" || exit 1
    o=$(val json_mb_per_second "$tmp/json.txt")
    t0=$(now)
    jq -c . "$tmp/docs.jsonl" > /dev/null || exit 1
    t1=$(now)
    j=$(awk -v b="$bytes" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", b / (t1 - t0) / 1e6 }')
    echo "round $r: ours $o MB/s, jq $j MB/s"
    ours_all="$ours_all $o"
    jq_all="$jq_all $j"
done
ours_mb=$(echo "$ours_all" | median)
jq_mb=$(echo "$jq_all" | median)
ratio=$(fdiv "$ours_mb" "$jq_mb")

# 3. instructions per indicator (callgrind), a figure that does not depend
#    on the machine's load: the difference of two runs cancels the set-up.
ipi="n/a"
if command -v valgrind >/dev/null 2>&1; then
    ir() {
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$BIN" --iterations "$1" \
            > /dev/null 2> "$tmp/cg.err" || { echo 0; return; }
        sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$tmp/cg.out" | head -n 1
    }
    a=$(ir 50)
    b=$(ir 250)
    if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]; then
        ipi=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) / (200 * 20) }')
    fi
fi

met() { awk -v x="$1" -v t="$2" 'BEGIN { print (x + 0 >= t + 0) ? "yes" : "NO" }'; }
echo
printf '%-44s %14s %14s %8s %14s %5s\n' figure ours baseline ratio target met
printf '%-44s %14s %14s %8s %14s %5s\n' "indicators scored/s (parsed, one core)" \
    "$ips" "-" "-" ">= 10000000" "$(met "$ips" 10000000)"
printf '%-44s %14s %14s %8s %14s %5s\n' "JSON documents, MB/s of input (vs jq -c .)" \
    "$ours_mb" "$jq_mb" "$ratio" ">= 0.5x" "$(met "$ratio" 0.5)"
printf '%-44s %14s %14s %8s %14s %5s\n' "instructions per indicator (callgrind)" \
    "$ipi" "-" "-" "(stable)" "-"

# rows for the combined table of tests/bench/run.sh
if [ -n "${JX_BENCH_TABLE:-}" ]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "library: indicators scored/s, one core (best of 3)" "$ips" "-" "-" ">= 10000000" "$(met "$ips" 10000000)" >> "$JX_BENCH_TABLE"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "library: instructions per indicator (callgrind)" "$ipi" "-" "-" "(stable)" "-" >> "$JX_BENCH_TABLE"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "library: JSON documents MB/s vs jq -c ." "$ours_mb" "$jq_mb" "$ratio" ">= 0.5x" "$(met "$ratio" 0.5)" >> "$JX_BENCH_TABLE"
fi
