#!/bin/sh
# test_cli.sh JIXIAO_SCORE [SHARED_DIR]
#
# Runs the command-line tool on every fixture document (../shared/fixtures,
# `document` extracted with jq) and compares total and grade with `expect`;
# checks --format table, the exit codes (0 scored, 1 cannot score, 2 bad
# usage, with the reason on stderr) and reading stdin.  Exit 77 = skipped.
set -u

BIN=${1:?usage: test_cli.sh JIXIAO_SCORE [SHARED_DIR]}
SHARED=${2:-${JX_SHARED:-$(dirname "$0")/../../../shared}}
FIX=$SHARED/fixtures

if ! command -v jq >/dev/null 2>&1; then
    echo "test_cli: jq is not installed: skipped"
    exit 77
fi
if [ ! -x "$BIN" ]; then
    echo "test_cli: $BIN is not executable"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

checks=0
failures=0
pass() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $*"; }

# cents FILE FILTER: a number at FILTER in hundredths, or "null"
cents() { jq -r "($2) as \$v | if \$v == null then \"null\" else (\$v * 100 | round) end" "$1"; }

nfix=0
for f in "$FIX"/[0-9][0-9][0-9]-*.json; do
    [ -e "$f" ] || continue
    nfix=$((nfix + 1))
    name=$(basename "$f" .json)
    doc=$tmp/$name.doc.json
    out=$tmp/$name.out.json
    jq '.document' "$f" > "$doc"

    "$BIN" "$doc" > "$out" 2> "$tmp/err"
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name: exit $rc (want 0): $(head -c 300 "$tmp/err")"
        continue
    fi
    if ! jq -e 'type == "object"' "$out" >/dev/null 2>&1; then
        fail "$name: output is not a JSON object"
        continue
    fi
    ok=1
    if jq -e '.expect | has("total")' "$f" >/dev/null; then
        got=$(cents "$out" .total)
        want=$(cents "$f" .expect.total)
        if [ "$got" != "$want" ]; then
            fail "$name: total $got, want $want (hundredths)"
            ok=0
        fi
    fi
    if jq -e '.expect | has("grade")' "$f" >/dev/null; then
        got=$(jq -r .grade "$out")
        want=$(jq -r .expect.grade "$f")
        if [ "$got" != "$want" ]; then
            fail "$name: grade $got, want $want"
            ok=0
        fi
    fi
    if jq -e '.expect.execution | has("score")?' "$f" >/dev/null 2>&1; then
        got=$(cents "$out" .execution.score)
        want=$(cents "$f" .expect.execution.score)
        if [ "$got" != "$want" ]; then
            fail "$name: execution score $got, want $want (hundredths)"
            ok=0
        fi
    fi
    [ $ok -eq 1 ] && pass "$name: total and grade as expected"

    # the same document on stdin gives the same result
    "$BIN" < "$doc" > "$tmp/stdin.json" 2> "$tmp/err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$out" "$tmp/stdin.json"; then
        pass "$name: stdin gives the same result"
    else
        fail "$name: stdin: exit $rc or a different result"
    fi

    # --format table: a score table with 扣分 and the findings
    "$BIN" --format table "$doc" > "$tmp/table.txt" 2> "$tmp/err"
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name: --format table exit $rc"
        continue
    fi
    if ! grep -q '扣分' "$tmp/table.txt"; then
        fail "$name: the table has no 扣分 column"
        continue
    fi
    missing=""
    jq -r '.findings[] | [.code, .message] | @tsv' "$out" > "$tmp/findings.tsv"
    while IFS="$(printf '\t')" read -r code msg; do
        if ! grep -qF -- "$code" "$tmp/table.txt" && ! grep -qF -- "$msg" "$tmp/table.txt"; then
            missing="$missing $code"
        fi
    done < "$tmp/findings.tsv"
    if [ -n "$missing" ]; then
        fail "$name: the table does not show the findings:$missing"
    else
        pass "$name: --format table shows 扣分 and $(wc -l < "$tmp/findings.tsv") finding(s)"
    fi
done
if [ $nfix -eq 0 ]; then
    fail "no fixtures found in $FIX (set JX_SHARED)"
fi

# expect_exit WANT LABEL CMD...: exit status WANT and a reason on stderr
expect_exit() {
    want=$1
    label=$2
    shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    if [ $rc -ne "$want" ]; then
        fail "$label: exit $rc, want $want"
    elif [ ! -s "$tmp/err" ]; then
        fail "$label: exit $rc but nothing on stderr"
    else
        pass "$label: exit $rc, stderr: $(head -n 1 "$tmp/err" | cut -c1-100)"
    fi
}

first=$(ls "$FIX"/[0-9][0-9][0-9]-*.json 2>/dev/null | head -n 1)
jq '.document' "$first" > "$tmp/good.json"

printf '{"scope": "project",\n "framework": ' > "$tmp/malformed.json"
expect_exit 1 "malformed JSON (file)" "$BIN" "$tmp/malformed.json"
expect_exit 1 "malformed JSON (stdin)" sh -c "\"\$0\" < \"\$1\"" "$BIN" "$tmp/malformed.json"
jq '. + {"scpoe": "project"}' "$tmp/good.json" > "$tmp/unknown.json"
expect_exit 1 "unknown field" "$BIN" "$tmp/unknown.json"
if grep -q 'scpoe' "$tmp/err"; then
    pass "unknown field: stderr names the field"
else
    fail "unknown field: stderr does not name 'scpoe': $(head -c 200 "$tmp/err")"
fi
jq '.indicators[0].target = "大于三十" | .indicators[0].weight = 5' "$tmp/good.json" \
    > "$tmp/badtarget.json"
expect_exit 1 "unparseable target" "$BIN" "$tmp/badtarget.json"
: > "$tmp/empty.json"
expect_exit 1 "empty input" "$BIN" "$tmp/empty.json"
expect_exit 2 "unknown flag" "$BIN" --bogus "$tmp/good.json"
expect_exit 2 "unknown format" "$BIN" --format xml "$tmp/good.json"

"$BIN" "$tmp/nonexistent.json" > /dev/null 2> "$tmp/err"
rc=$?
if [ $rc -ne 0 ] && [ -s "$tmp/err" ]; then
    pass "missing file: exit $rc with a reason"
else
    fail "missing file: exit $rc, stderr empty or success"
fi

"$BIN" < "$tmp/good.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc -eq 0 ] && jq -e '.total != null' "$tmp/out" >/dev/null 2>&1; then
    pass "stdin when no file is given"
else
    fail "stdin when no file is given: exit $rc"
fi

# The table a finance officer reads for a report with rules as text (评分标准),
# a 不适用 indicator and no 分值 column (scoring.md §8): every number checked
# against the hand computation (10 × 10/12 = 8.33; 93.5% is 1.5 points short
# of 95%: one step of 0.5; 87.33 ÷ 90 × 100 = 97.03).
example=$(dirname "$0")/../../scripts/example-rules-text.json
"$BIN" --format table "$example" > "$tmp/ex.txt" 2> "$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
    fail "example-rules-text: --format table exit $rc: $(head -c 300 "$tmp/err")"
else
    tr -s ' ' < "$tmp/ex.txt" > "$tmp/ex1.txt"
    bad=""
    for row in "宣传活动场次 10.00 8.33 1.67 按“按完成比例计分”：实际 10场次 未达到目标 ≥12场次" \
               "参保率 10.00 9.50 0.50 按“每少1个百分点扣0.5分”：实际 93.5%，目标 ≥95%，扣减 1 档（每档 0.5 分），得 9.5 分" \
               "抽检合格率 10.00 不适用 — 不适用" \
               "待遇按时发放率 10.00 10.00 0.00" \
               "项目总成本 10.00 10.00 0.00 按“多10%扣1分，扣完为止”：实际 45.6万元 ≤ 目标 50万元，达成" \
               "群众看病负担 30.00 30.00 0.00" \
               "参保群众满意度 10.00 10.00 0.00 按“80%以上得满分，少10%扣1分”：实际 88%，目标 ≥90%（以 80% 为基准），扣减 0 档" \
               "预算执行率 10.00 9.50 0.50 执行率 95%" \
               "合计 90.00 87.33 2.67 满分 90（不适用指标 10 分不计）" \
               "折算得分 100.00 97.03 2.97 按适用指标折算：87.33 ÷ 90 × 100 = 97.03，等级 优" \
               "[info] NOT_APPLICABLE /indicators/2/not_applicable" \
               "[info] WEIGHT_ASSUMED /indicators/0/weight"; do
        grep -qF -- "$row" "$tmp/ex1.txt" || bad="$bad | $row"
    done
    for code in TOTAL_MISMATCH GRADE_MISMATCH SCORE_MISMATCH AMOUNT_ARITHMETIC; do
        grep -qF -- "$code" "$tmp/ex1.txt" && bad="$bad | unexpected $code"
    done
    if [ -n "$bad" ]; then
        fail "example-rules-text: the table lacks:$bad"
        cat "$tmp/ex.txt"
    else
        pass "example-rules-text: every number of the table as computed by hand"
    fi
    "$BIN" "$example" > "$tmp/ex.json" 2> "$tmp/err"
    if jq -e '.normalised == 97.03 and .max == 90 and .total == 87.33 and
              (.indicators[2].score == null) and .indicators[2].not_applicable and
              .indicators[1].rule_text == "每少1个百分点扣0.5分" and .indicators[0].weight_assumed' \
          "$tmp/ex.json" > /dev/null; then
        pass "example-rules-text: JSON total 87.33 of 90, normalised 97.03, 不适用 score null"
    else
        fail "example-rules-text: JSON result: $(head -c 400 "$tmp/ex.json")"
    fi
fi

echo "test_cli: $checks checks, $failures failed"
[ $failures -eq 0 ]
