#!/usr/bin/env bash
# tests/bench/ab/instructions.sh OLD_SERVER NEW_SERVER -- instructions per
# request of two server builds under callgrind, which counts instructions,
# not seconds: the same binary, inputs and environment give the same count
# whatever else the machine is doing (a busy shared machine moves wrk's
# figures by 2x; it does not move these).  For each build: start it under
# callgrind on a private cluster, warm up, zero the counters, send N GET
# /v1/projects/{id} and N POST /v1/score on one keep-alive connection,
# dump, and divide the server's total by N.  Prints both and the ratio.
#
#   JX_AB_REQUESTS  requests per figure (default 300)
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OLD_SERVER NEW_SERVER" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
N=${JX_AB_REQUESTS:-300}
command -v valgrind >/dev/null || { echo "instructions: valgrind not installed" >&2; exit 1; }

TMP=$(mktemp -d /tmp/jixiao-ir.XXXXXX)
chmod 755 "$TMP"
SPID=
cleanup() {
    [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    "$REPO/scripts/pg.sh" stop "$TMP/pg" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

DATABASE_URL=$("$REPO/scripts/pg.sh" start "$TMP/pg") || { echo "instructions: no PostgreSQL" >&2; exit 1; }
export DATABASE_URL
ADMIN=jx_ir_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
/usr/bin/python3 "$REPO/tests/bench/http/make_doc.py" "$REPO/scripts/example-document.json" "$TMP/doc20.json"
/usr/bin/python3 "$REPO/tests/bench/projects/gen.py" body "$TMP/body.json"

measure() { # measure NAME BINARY: prints "get score" instructions per request
    local port out
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    JIXIAO_BOOTSTRAP_TOKEN=$ADMIN "$2" migrate >/dev/null 2>&1 || { echo "instructions: $1 cannot migrate" >&2; return 1; }
    # no re-exec for the malloc tunable under valgrind: set it ourselves
    GLIBC_TUNABLES=glibc.malloc.tcache_count=2000 JIXIAO_LISTEN=127.0.0.1:$port JIXIAO_THREADS=2 \
        JIXIAO_BOOTSTRAP_TOKEN=$ADMIN valgrind --tool=callgrind --callgrind-out-file="$TMP/$1.%p" \
        "$2" >/dev/null 2>"$TMP/$1.log" & SPID=$!
    for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    out=$(/usr/bin/python3 "$HERE/requests.py" "127.0.0.1" "$port" "$ADMIN" "$TMP/body.json" \
          "$TMP/doc20.json" "$N" "$SPID") || { echo "instructions: $1: $out" >&2; return 1; }
    kill -TERM "$SPID"; wait "$SPID" 2>/dev/null; SPID=
    echo "$out"
}
old=$(measure old "$(realpath "$1")") || exit 1
new=$(measure new "$(realpath "$2")") || exit 1
read -r og os <<<"$old"; read -r ng ns <<<"$new"
printf '%-24s %12s %12s %8s\n' "instructions/request" old new ratio
printf '%-24s %12d %12d %7.3fx\n' "GET /v1/projects/{id}" "$og" "$ng" "$(awk -v a="$ng" -v b="$og" 'BEGIN {print a / b}')"
printf '%-24s %12d %12d %7.3fx\n' "POST /v1/score" "$os" "$ns" "$(awk -v a="$ns" -v b="$os" 'BEGIN {print a / b}')"
