#!/usr/bin/env bash
# tests/bench/office/run.sh BUILD_DIR -- 自评表 files against the same
# documents as JSON, through the same paths, in one run (issue 18).  Not a
# test: it prints same-run ratios.
#
#   1. a .docx of 50 自评表 read and scored (lib/office + the library,
#      tests/bench/office/bench_office.c): documents per second, against the
#      same 50 documents as JSON through jx_document_load + jx_score;
#   2. an .xlsx of over 10,000 rows (自评表 of 20 indicators stacked in one
#      sheet) imported through POST /v1/import, against the same projects as
#      a JSON import body; alternating, two rounds each, into fresh years
#      (so every round creates every project); needs BUILD_DIR/server/.
#
# Bounded: about a minute.  Needs python3-openpyxl, python3-docx, curl,
# PostgreSQL 15 (scripts/pg.sh) for part 2.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
SHARED=${JX_SHARED:-$REPO/../shared}
SERVER=$BUILD/server/jixiao-server
TMP=$(mktemp -d /tmp/jixiao-bench-office.XXXXXX)
chmod 755 "$TMP"
SPID=
cleanup() {
    if [ -n "$SPID" ]; then kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; fi
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
val() { sed -n "s/^$1 //p" "$2" | head -n 1; }

/usr/bin/python3 "$HERE/gen.py" "$TMP" "$SHARED" || { echo "bench: gen.py failed" >&2; exit 1; }
echo "machine: $(nproc) cpu(s), load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. read and score
if [ -x "$BUILD/tests/bench_office" ]; then
    "$BUILD/tests/bench_office" "$TMP/tables.docx" "$TMP/tables.jsonl" 6 > "$TMP/b1.txt" || exit 1
    o=$(val office_docs_per_second "$TMP/b1.txt"); j=$(val json_docs_per_second "$TMP/b1.txt")
    b=$(val bare_files_per_second "$TMP/b1.txt"); f=$(awk -v o="$o" 'BEGIN{printf "%.1f", o/50}')
    echo "50-table .docx ($(du -h "$TMP/tables.docx" | cut -f1)) read and scored: $o documents/s ($f files/s);" \
         "the same documents as JSON: $j documents/s; ratio office/JSON $(ratio "$o" "$j")x"
    echo "  the same file through libzip + expat alone (no reader, no scoring): $b files/s;" \
         "ratio ours/bare $(ratio "$f" "$b")x"
    # the row of ./jx bench's table (tests/bench/run.sh)
    if [ -n "${JX_BENCH_TABLE:-}" ]; then
        printf '%s\t%s\t%s\t%sx\t%s\t%s\n' \
            "office: .docx read+scored, files/s vs the bare libzip+expat read" \
            "$f" "$b" "$(ratio "$f" "$b")" "-" "figure" >>"$JX_BENCH_TABLE"
    fi
else
    echo "bench: $BUILD/tests/bench_office missing (cmake --build $BUILD --target bench_office)" >&2
fi

# 2. import through the server
[ -x "$SERVER" ] || { echo "bench: no server at $SERVER: import part skipped" >&2; exit 0; }
DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "bench: cannot start PostgreSQL" >&2; exit 1; }
export DATABASE_URL
ADMIN=jx_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" migrate >/dev/null || { echo "bench: migrate failed" >&2; exit 1; }
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
JIXIAO_LISTEN=127.0.0.1:$PORT JIXIAO_THREADS=4 JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$SERVER" >/dev/null 2>>"$TMP/server.log" &
SPID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
jget() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
api() { curl -fsS -X "$1" "http://127.0.0.1:$PORT$2" -H "Authorization: Bearer $ADMIN" \
            -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }
api POST /v1/orgs '{"kind":"finance","name":"宿州市财政局","region_code":"341300"}' >/dev/null
UNIT=$(api POST /v1/orgs '{"kind":"unit","name":"宿州市医疗保障局","region_code":"341300"}' | jget id)
TOKEN=$(api POST "/v1/orgs/$UNIT/tokens" '{}' | jget token)
post() { # post FILE CONTENT-TYPE QUERY -> seconds, or "failed"
    local t code
    t=$(now)
    code=$(curl -s -m 600 -o "$TMP/out.json" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/v1/import$3" \
        -H "Authorization: Bearer $TOKEN" -H "Content-Type: $2" --data-binary @"$1")
    local s; s=$(elapsed "$t")
    if [ "$code" != 200 ] || ! /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]));
sys.exit(0 if s["rejected"] == 0 and s["created"] == s["records"] else 1)' "$TMP/out.json"; then
        echo "bench: import answered $code: $(head -c 300 "$TMP/out.json")" >&2; echo failed; return
    fi
    echo "$s"
}
XLSX_CT=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
n=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/import-2061.json")
xs=(); js=()
for y in 2061 2063; do
    xs+=("$(post "$TMP/import.xlsx" "$XLSX_CT" "?year=$y")")
    js+=("$(post "$TMP/import-$((y + 1)).json" application/json "")")
done
best() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | head -1; }
bx=$(best "${xs[@]}"); bj=$(best "${js[@]}")
echo ".xlsx import ($n projects x 20 indicators, over 10,000 rows, $(du -h "$TMP/import.xlsx" | cut -f1)):" \
     "${xs[*]} s; the same as JSON: ${js[*]} s; best ratio xlsx/JSON $(ratio "$bx" "$bj")x"
if [ -n "${JX_BENCH_TABLE:-}" ]; then
    printf '%s\t%s\t%s\t%sx\t%s\t%s\n' "office: .xlsx import of $n projects, s vs the same as JSON" \
        "$bx" "$bj" "$(ratio "$bx" "$bj")" "-" "figure" >>"$JX_BENCH_TABLE"
fi
