#!/usr/bin/env bash
# tests/report/run.sh BUILD_DIR -- tests of the report renderers (lib/report/).
#
# Design.  check.py does the work (see its docstring): it builds report
# models from every fixture in the shared folder (jixiao-score gives the
# result), plus hostile, department-wide, empty and very long ones, renders
# each in json, html, md, csv, xlsx and pdf through jixiao-report, and parses
# every output with a real parser (json, html.parser, csv; LibreOffice
# converts the xlsx back to CSV when it is installed, openpyxl reads merged
# cells and number formats when it is installed; poppler's pdftotext and
# pdftoppm read and render the pdf).
#
# It runs twice:
#   1. with BUILD_DIR's jixiao-report (BUILD_DIR/server/ or BUILD_DIR/), or,
#      when the build has none yet, one compiled here from lib/report/*.c;
#   2. with a copy compiled here under AddressSanitizer + UndefinedBehavior-
#      Sanitizer (leak detection on): any sanitizer report fails the check.
# The second run skips the LibreOffice step (the bytes are the same code's).
#
# Needs: cc, pkg-config, libjansson-dev, libxlsxwriter-dev, libcairo2-dev,
# libpango1.0-dev, fonts-noto-cjk, python3; optional: libreoffice-calc-nogui,
# python3-openpyxl, poppler-utils.  LeakSanitizer suppressions: lsan.supp
# (fontconfig's once-made configuration, a cairo-internal leak).
# Prints each failure and `N passed, M failed` last; exits 1 on any failure.
set -uo pipefail

BUILD=${1:?usage: tests/report/run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${JX_SHARED:-$ROOT/../shared}
BUILD=$(cd "$BUILD" && pwd)

PY=python3
# Debian's interpreter sees Debian's python3-openpyxl; prefer it
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

SCORE=$BUILD/jixiao-score
if [ ! -x "$SCORE" ]; then
    echo "report tests: no $SCORE (build the library first)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jixiao-report-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SRC=(report.c model.c buf.c labels.c json.c html.c md.c csv.c xlsx.c pdf.c cli.c)
SRC=("${SRC[@]/#/$ROOT/lib/report/}")
CFLAGS=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wconversion -Wno-sign-conversion
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$ROOT/lib/report")
PDF_PKGS="pangocairo pangoft2 cairo-pdf fontconfig"
# shellcheck disable=SC2086
PKG_CFLAGS=$(pkg-config --cflags jansson xlsxwriter $PDF_PKGS) || { echo "0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC2086
PKG_LIBS=$(pkg-config --libs jansson xlsxwriter $PDF_PKGS)

compile() { # compile OUT [extra flags...]
    local out=$1; shift
    # shellcheck disable=SC2086
    ${CC:-cc} "${CFLAGS[@]}" "$@" $PKG_CFLAGS -o "$out" "${SRC[@]}" $PKG_LIBS -lm
}

PASSED=0; FAILED=0
tally() { # tally OUTPUT_FILE
    local line p f
    line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
    p=$(printf '%s' "$line" | sed -E 's/.*\b([0-9]+) passed.*/\1/')
    f=$(printf '%s' "$line" | sed -E 's/.*\b([0-9]+) failed.*/\1/')
    PASSED=$((PASSED + ${p:-0})); FAILED=$((FAILED + ${f:-1}))
}

REPORT=""
for c in "$BUILD/server/jixiao-report" "$BUILD/jixiao-report"; do
    [ -x "$c" ] && { REPORT=$c; break; }
done
if [ -z "$REPORT" ]; then
    echo "report tests: $BUILD has no jixiao-report; compiling lib/report/*.c here"
    if compile "$WORK/jixiao-report" -O2; then
        REPORT=$WORK/jixiao-report
        PASSED=$((PASSED + 1))
    else
        echo "FAIL: compiling the renderers"; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1
    fi
fi

echo "report tests: $REPORT"
"$PY" "$HERE/check.py" --report "$REPORT" --score "$SCORE" --shared "$SHARED" \
    --work "$WORK/plain" | tee "$WORK/plain.out"
tally "$WORK/plain.out"

echo "report tests under ASan+UBSan"
if compile "$WORK/jixiao-report-asan" -O1 -g -fno-omit-frame-pointer \
        -fsanitize=address,undefined -fno-sanitize-recover=all; then
    PASSED=$((PASSED + 1))
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
    LSAN_OPTIONS=suppressions=$HERE/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$PY" "$HERE/check.py" --report "$WORK/jixiao-report-asan" --score "$SCORE" \
        --shared "$SHARED" --work "$WORK/asan" --label asan --sanitized --no-xlsx-open \
        | tee "$WORK/asan.out"
    tally "$WORK/asan.out"
else
    echo "FAIL: compiling the renderers with -fsanitize=address,undefined"
    FAILED=$((FAILED + 1))
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
