#!/usr/bin/env bash
# tests/bench/edge/run.sh OLD_SERVER NEW_SERVER -- what the edge checks of
# issue 17 cost: GET /v1/projects/{id} and POST /v1/score (a 20-indicator
# document), req/s of an older server binary against this one, same run,
# same database, both up at once, runs alternating (old, new, old, ...) so
# the machine's drift hits both alike (operations.md).  Prints each pair's
# ratio new/old and their median.  Figures, not a test.
#
#   JX_BENCH_SECONDS (default 5), JX_BENCH_CONNECTIONS (default 16),
#   JX_BENCH_ROUNDS (default 4)
#
# Build the old binary from another commit, e.g.:
#   git worktree add /tmp/jx-main main && cmake -S /tmp/jx-main -B /tmp/jx-main/build \
#     -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build /tmp/jx-main/build --target jixiao-server
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OLD_SERVER NEW_SERVER" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DUR=${JX_BENCH_SECONDS:-5}; CONNS=${JX_BENCH_CONNECTIONS:-16}; ROUNDS=${JX_BENCH_ROUNDS:-4}
command -v wrk >/dev/null || { echo "bench: wrk not installed" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-bench-edge.XXXXXX); chmod 755 "$TMP"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "bench: no PostgreSQL" >&2; exit 1; }
export DATABASE_URL
TOKEN=jx_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$NEW" migrate >/dev/null 2>&1 || { echo "bench: migrate failed" >&2; exit 1; }
OPORT=$(free_port); NPORT=$(free_port)
JIXIAO_LISTEN=127.0.0.1:$OPORT JIXIAO_THREADS=4 JIXIAO_BOOTSTRAP_TOKEN=$TOKEN "$OLD" 2>"$TMP/old.log" & PIDS+=($!)
JIXIAO_LISTEN=127.0.0.1:$NPORT JIXIAO_THREADS=4 JIXIAO_BOOTSTRAP_TOKEN=$TOKEN "$NEW" 2>"$TMP/new.log" & PIDS+=($!)
for p in $OPORT $NPORT; do
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
done

# 20 projects of the fixture document, and the scoring document
/usr/bin/python3 - "$REPO" "$NPORT" "$TOKEN" "$TMP" <<'PY'
import json, pathlib, sys, urllib.request
repo, port, token, tmp = sys.argv[1], sys.argv[2], sys.argv[3], pathlib.Path(sys.argv[4])
shared = pathlib.Path(repo).parent / "shared"
fx = json.load(open(shared / "fixtures" / "000-suzhou-fund-supervision.json"))["document"]
def call(method, path, body):
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                               data=json.dumps(body).encode(),
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(r))
org = call("POST", "/v1/orgs", {"kind": "unit", "name": "宿州市医疗保障局", "region_code": "341300"})
ids = []
for i in range(20):
    doc = dict(fx, name=f"{fx['name']}{i}", org_id=org["id"])
    doc.pop("scope", None); doc.pop("org", None)
    ids.append(call("POST", "/v1/projects", doc)["id"])
(tmp / "ids").write_text("".join(f"{i}\n" for i in ids))
(tmp / "doc.json").write_text(json.dumps(fx, ensure_ascii=False))
PY
[ -s "$TMP/ids" ] || { echo "bench: no projects" >&2; exit 1; }

run() {  # run PORT KIND -> req/s
    local out=$TMP/wrk.$RANDOM
    if [ "$2" = get ]; then
        IDS=$TMP/ids PATHFMT=/v1/projects/%d TOKEN=$TOKEN wrk -t2 -c"$CONNS" -d"${DUR}s" \
            -s "$REPO/tests/bench/projects/get.lua" "http://127.0.0.1:$1/" >"$out" 2>&1
    else
        BODY=$TMP/doc.json TOKEN=$TOKEN wrk -t2 -c"$CONNS" -d"${DUR}s" \
            -s "$REPO/tests/bench/http/post.lua" "http://127.0.0.1:$1/v1/score" >"$out" 2>&1
    fi
    grep -q Non-2xx "$out" && echo "bench: non-2xx answers ($2 on $1)" >&2
    awk '/Requests\/sec/ {print $2}' "$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "edge A/B: $ROUNDS rounds x ${DUR}s, $CONNS connections, 4 threads each, autogroup $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo ?)"
for kind in get score; do
    ratios=()
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) = 1 ]; then o=$(run "$OPORT" $kind); n=$(run "$NPORT" $kind)
        else n=$(run "$NPORT" $kind); o=$(run "$OPORT" $kind); fi
        ratio=$(awk -v n="$n" -v o="$o" 'BEGIN {printf "%.3f", n / o}')
        ratios+=("$ratio")
        printf '  %-5s round %d: old %10s  new %10s  new/old %s\n' "$kind" "$r" "$o" "$n" "$ratio"
    done
    printf '%-28s median new/old %s\n' "$([ $kind = get ] && echo 'GET /v1/projects/{id}' || echo 'POST /v1/score')" \
        "$(printf '%s\n' "${ratios[@]}" | median)"
done
