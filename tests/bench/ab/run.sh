#!/usr/bin/env bash
# tests/bench/ab/run.sh OLD_SERVER NEW_SERVER -- two builds of jixiao-server
# against each other in the same run: GET /v1/projects/{id} and POST
# /v1/score req/s, each the median of ROUNDS pairs' ratios new/old, the
# order within a pair alternating so drift on this shared machine hits
# both alike.  For a change that must cost nothing measurable (a new
# layout, new checks at the edge): build the old commit in /tmp
# (git worktree add /tmp/old REV && cmake -S /tmp/old -B /tmp/old/build &&
# cmake --build /tmp/old/build) and pass both binaries.
#
# One private PostgreSQL cluster: the old server migrates it and starts,
# then the new one migrates it (its own migrations, if any) and starts, so
# each serves the schema it expects.  Both run with 4 threads and their
# request log to a file.  Figures, not a test: it never fails on a ratio.
#
#   JX_AB_ROUNDS   pairs per figure (default 5)
#   JX_AB_SECONDS  each wrk run (default 4)
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OLD_SERVER NEW_SERVER" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
ROUNDS=${JX_AB_ROUNDS:-5}
DUR=${JX_AB_SECONDS:-4}
command -v wrk >/dev/null || { echo "ab: wrk not installed" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-ab.XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
start() { # start NAME BINARY -> port (migrates first)
    local port; port=$(free_port)
    JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$2" migrate >/dev/null 2>"$TMP/$1.migrate" ||
        { echo "ab: $1 could not migrate" >&2; cat "$TMP/$1.migrate" >&2; exit 1; }
    JIXIAO_LISTEN=127.0.0.1:$port JIXIAO_THREADS=4 JIXIAO_BOOTSTRAP_TOKEN=$ADMIN \
        "$2" >/dev/null 2>"$TMP/$1.log" & PIDS+=($!)
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 ||
        { echo "ab: $1 did not come up" >&2; tail -5 "$TMP/$1.log" >&2; exit 1; }
    echo "$port"
}

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "ab: no PostgreSQL" >&2; exit 1; }
export DATABASE_URL
ADMIN=jx_ab_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
OPORT=$(start old "$OLD")
NPORT=$(start new "$NEW")

api() { curl -fsS -X "$1" "http://127.0.0.1:$NPORT$2" -H "Authorization: Bearer $ADMIN" \
            -H 'Content-Type: application/json' ${3:+--data-binary "$3"}; }
jget() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
api POST /v1/orgs '{"kind":"finance","name":"宿州市财政局","region_code":"341300"}' >/dev/null
UNIT=$(api POST /v1/orgs '{"kind":"unit","name":"宿州市医疗保障局","region_code":"341300"}' | jget id)
TOKEN=$(api POST "/v1/orgs/$UNIT/tokens" '{}' | jget token)
/usr/bin/python3 "$REPO/tests/bench/projects/gen.py" body "$TMP/body.json"
: >"$TMP/ids"
for i in $(seq 1 200); do
    sed "s/__NAME__/ab-$i/g" "$TMP/body.json" >"$TMP/b.json"
    curl -fsS -X POST "http://127.0.0.1:$NPORT/v1/projects" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' --data-binary @"$TMP/b.json" | jget id >>"$TMP/ids" || break
done
[ "$(wc -l <"$TMP/ids")" -ge 100 ] || { echo "ab: could not create the projects" >&2; exit 1; }
/usr/bin/python3 "$REPO/tests/bench/http/make_doc.py" "$REPO/scripts/example-document.json" "$TMP/doc20.json"

run() { # run KIND PORT -> req/s
    local out=$TMP/run.$RANDOM
    case $1 in
    get) IDS=$TMP/ids PATHFMT=/v1/projects/%d TOKEN=$TOKEN wrk -t2 -c16 -d"${DUR}s" \
             -s "$REPO/tests/bench/projects/get.lua" "http://127.0.0.1:$2/" >"$out" 2>&1 ;;
    score) BODY=$TMP/doc20.json TOKEN=$TOKEN wrk -t2 -c64 -d"${DUR}s" -s "$HERE/score.lua" \
             "http://127.0.0.1:$2/v1/score" >"$out" 2>&1 ;;
    esac
    grep -q 'Non-2xx' "$out" && echo "ab: non-2xx answers ($1 on port $2)" >&2
    awk '/Requests\/sec/ {print $2}' "$out"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-26s %10s %10s %8s   %s\n' figure old new median pairs
for kind in get score; do
    ratios=(); o_all=(); n_all=()
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) = 1 ]; then o=$(run $kind "$OPORT"); n=$(run $kind "$NPORT")
        else n=$(run $kind "$NPORT"); o=$(run $kind "$OPORT"); fi
        o_all+=("$o"); n_all+=("$n")
        ratios+=("$(awk -v a="$n" -v b="$o" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "nan"}')")
    done
    label=$([ $kind = get ] && echo "GET /v1/projects/{id}" || echo "POST /v1/score")
    printf '%-26s %10.0f %10.0f %7sx   %s\n' "$label" \
        "$(printf '%s\n' "${o_all[@]}" | median)" "$(printf '%s\n' "${n_all[@]}" | median)" \
        "$(printf '%s\n' "${ratios[@]}" | median)" "${ratios[*]}"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
