#!/bin/sh
# run.sh BUILD_DIR SECONDS
#
# Runs each libFuzzer target (the library's document loader, value parser
# and rule-text reader; the server's request bodies, CSV import and query strings;
# request heads; the .xlsx and .docx readers of lib/office) for
# an equal share of SECONDS on a copy of its seed
# corpus (tests/fuzz/corpus/<target>/, left untouched) in a temporary
# directory; fails on any crash, leak, timeout, OOM or sanitizer report.
# Crash inputs are kept in BUILD_DIR/fuzz-artifacts/.  JX_FUZZ_TARGETS
# picks some ("fuzz_document fuzz_parse fuzz_ruletext": the library's).  BUILD_DIR comes from
#   CC=clang cmake -S . -B BUILD_DIR -DJX_FUZZ=ON && cmake --build BUILD_DIR
set -u
BUILD=${1:?usage: run.sh BUILD_DIR SECONDS}
SECONDS_TOTAL=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
targets=${JX_FUZZ_TARGETS:-"fuzz_document fuzz_parse fuzz_ruletext fuzz_project fuzz_bodies fuzz_import fuzz_query fuzz_xlsx fuzz_docx fuzz_head"}
ntargets=$(echo $targets | wc -w)
per=$((SECONDS_TOTAL / ntargets))
[ "$per" -lt 1 ] && per=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
artifacts=$BUILD/fuzz-artifacts
status=0

for t in $targets; do
    bin=$BUILD/tests/$t
    if [ ! -x "$bin" ]; then
        echo "run.sh: $bin missing (configure with CC=clang -DJX_FUZZ=ON)"
        exit 1
    fi
    mkdir -p "$tmp/$t/corpus" "$tmp/$t/artifacts"
    cp -R "$here/corpus/$t/." "$tmp/$t/corpus/"
    echo "== $t: ${per}s on $(ls "$tmp/$t/corpus" | wc -l) seeds"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$bin" -max_total_time="$per" -rss_limit_mb=2048 -timeout=10 -max_len=16384 \
        -dict="$here/jixiao.dict" -artifact_prefix="$tmp/$t/artifacts/" \
        -print_final_stats=1 "$tmp/$t/corpus" > "$tmp/$t/log" 2>&1
    rc=$?
    found=$(ls "$tmp/$t/artifacts" | wc -l)
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' "$tmp/$t/log" |
        sed "s/^/   /"
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        echo "FAIL $t: exit $rc, $found artifact(s)"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written|==[0-9]+==' "$tmp/$t/log" | head -n 20
        tail -n 40 "$tmp/$t/log"
        mkdir -p "$artifacts"
        cp "$tmp/$t/artifacts/"* "$artifacts/" 2>/dev/null && echo "   inputs kept in $artifacts"
    else
        echo "ok   $t: no crash, leak or timeout"
    fi
done
exit $status
