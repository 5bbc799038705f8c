#!/usr/bin/env bash
# The scoring library under valgrind: jixiao-score on every fixture document
# (both output formats), on the §8 documents (rules as text, 不适用, own
# indicators) and on a few broken documents; any error or leak fails.
set -euo pipefail
BUILD=${1:-build}
SHARED=${JX_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
for f in "$SHARED"/fixtures/[0-9]*.json; do
    jq .document "$f" > "$tmp/doc.json"
    "${VG[@]}" "$BUILD/jixiao-score" "$tmp/doc.json" >/dev/null
    "${VG[@]}" "$BUILD/jixiao-score" --format table "$tmp/doc.json" >/dev/null
    n=$((n + 2))
done
# scoring.md §8: rules as text, 不适用, no weights, own indicators, a negative balance
here=$(cd "$(dirname "$0")" && pwd)
for f in "$here/../scripts/example-rules-text.json" "$here"/fuzz/corpus/fuzz_document/s8-*.json; do
    rc=0
    "${VG[@]}" "$BUILD/jixiao-score" --format table "$f" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || { echo "valgrind: exit $rc for $f" >&2; exit 1; }
    n=$((n + 1))
done
printf '{"indicators": [' > "$tmp/bad.json"
for doc in '{' '{"scope":"project","typo":1}' '{"indicators":[{"name":"x","weight":5,"target":"≥三十次"}]}' '[]' ''; do
    printf '%s' "$doc" > "$tmp/bad.json"
    rc=0; "${VG[@]}" "$BUILD/jixiao-score" "$tmp/bad.json" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 1 ] || { echo "valgrind: unexpected exit $rc for $doc" >&2; exit 1; }
    n=$((n + 1))
done
echo "valgrind: $n runs clean"
