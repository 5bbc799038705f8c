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

echo "test_cli: $checks checks, $failures failed"
[ $failures -eq 0 ]
