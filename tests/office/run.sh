#!/usr/bin/env bash
# tests/office/run.sh BUILD_DIR -- the 自评表 file tests (issue 18): .xlsx and
# .docx generated from every fixture and seed table (python3-openpyxl,
# python3-docx), the same saved again by LibreOffice, hostile files, the
# template round trip; each read and scored by BUILD_DIR/jixiao-score and
# compared with what the JSON fixture says.  Prints pytest's summary.
# Needs python3-pytest python3-openpyxl python3-docx; LibreOffice
# (libreoffice-calc-nogui, libreoffice-writer-nogui) for the round trip.
set -uo pipefail
BUILD=${1:?usage: tests/office/run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export JX_BUILD=$(cd "$BUILD" && pwd)
export JX_SHARED=${JX_SHARED:-$ROOT/../shared}
shift
cd "$HERE" && PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
