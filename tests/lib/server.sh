# shellcheck shell=bash
# tests/lib/server.sh -- the prologue and epilogue every server suite shares:
# a private PostgreSQL cluster, the server on a free loopback port, and the
# checks of how the server ended.  Sourced (never run) by tests/api,
# tests/fault, tests/totals, tests/replica and tests/load's run.sh:
#
#   . "$REPO/tests/lib/server.sh"
#   server_prologue api                 # $TMP (/tmp/jixiao-api.XXXXXX), traps
#   start_cluster DATABASE_URL "$TMP/pg" || { echo "...: cannot start PostgreSQL" >&2; exit 1; }
#   sanitizer_env "detect_leaks=1:..." lsan
#   PORT=$(free_port); TOKEN=$(new_token jx_test)
#   start_server "$TMP/server.out" "$TMP/server.err" JIXIAO_LISTEN=127.0.0.1:$PORT
#   wait_up "http://127.0.0.1:$PORT/healthz" || { ...; exit 1; }
#   ... pytest ...
#   stop_server_checked "api tests" || rc=1
#   sanitizer_check "api tests" "$TMP/server.err" || rc=1
#   clean_stop_check "api tests" "$TMP/server.err" || rc=1
#
# Design.  One copy of what was five: the cleanup that runs on every exit
# (SIGKILL a server still running, stop every cluster started -- standbys
# before their primary -- and remove $TMP), the sanitizer options (each
# suite keeps its own defaults: they are arguments), the readiness wait
# (100 tries, 0.1 s apart, giving up early when the server died) and the
# three checks of the end: exit status 0 after SIGTERM (under ASan that is
# when leaks are found), no sanitizer report in a server's stderr, and the
# "stopped" log line of a clean shutdown.  Each suite still says which of
# them it applies and prefixes the messages with its own name.  Functions
# answer 0/1; nothing here exits except the traps.
#
# Needs $REPO (the checkout) and, for start_server, $SERVER (the binary).

JX_PG_DIRS=()
JX_STANDBY_DIRS=()
SERVER_PID=
SERVER_RC=0

# The regex of a sanitizer report in a server's stderr.
JX_SANITIZER_RE='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer'

_jx_cleanup() {
    local d
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    for d in ${JX_STANDBY_DIRS[@]+"${JX_STANDBY_DIRS[@]}"}; do
        "$REPO/scripts/pg-standby.sh" stop "$d" >/dev/null 2>&1
    done
    for d in ${JX_PG_DIRS[@]+"${JX_PG_DIRS[@]}"}; do
        "$REPO/scripts/pg.sh" stop "$d" >/dev/null 2>&1
    done
    rm -rf "$TMP"
}

# server_prologue NAME: a fresh $TMP (/tmp/jixiao-NAME.XXXXXX) that the
# postgres user can traverse when we run as root, and the traps that clean
# up on every exit (Ctrl-C and TERM exit 130).
server_prologue() {
    TMP=$(mktemp -d "/tmp/jixiao-$1.XXXXXX")
    chmod 755 "$TMP"   # the postgres user must traverse it when we run as root
    trap _jx_cleanup EXIT
    trap 'exit 130' INT TERM
}

# start_cluster VAR DIR: a private cluster in DIR (scripts/pg.sh), its
# DATABASE_URL into VAR; stopped on exit.  1 when it cannot start.
start_cluster() {
    local _url
    JX_PG_DIRS+=("$2")
    _url=$("$REPO/scripts/pg.sh" start "$2") || return 1
    printf -v "$1" '%s' "$_url"
}

# start_standby VAR DIR PRIMARY_DIR: a streaming hot standby of the
# cluster in PRIMARY_DIR (scripts/pg-standby.sh), its URL into VAR;
# stopped on exit, before the primaries.
start_standby() {
    local _url
    JX_STANDBY_DIRS+=("$2")
    _url=$("$REPO/scripts/pg-standby.sh" start "$2" "$3") || return 1
    printf -v "$1" '%s' "$_url"
}

# sanitizer_env ASAN_DEFAULT [lsan]: ASAN_OPTIONS and UBSAN_OPTIONS (and,
# with lsan, LSAN_OPTIONS) exported unless already set: first error fatal,
# exit status 86, leaks checked at exit.
sanitizer_env() {
    export ASAN_OPTIONS=${ASAN_OPTIONS:-$1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
    if [ "${2:-}" = lsan ]; then
        # the PDF renderer: fontconfig's and cairo 1.16's leaks, not ours
        export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=86:suppressions=$REPO/tests/report/lsan.supp:print_suppressions=0}
    fi
}

# A free loopback TCP port.
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# new_token PREFIX: PREFIX_ + 48 random hex digits (a bootstrap token).
new_token() {
    echo "$1_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
}

# start_server OUT ERR [VAR=VALUE...]: $SERVER in the background with
# those variables added to its environment, stdout to OUT, stderr to ERR;
# its pid in SERVER_PID (env execs the server: the pid is the server's).
start_server() {
    local out=$1 err=$2
    shift 2
    env "$@" "$SERVER" >"$out" 2>"$err" &
    SERVER_PID=$!
}

# wait_up URL: up to 100 tries 0.1 s apart until URL answers 2xx; gives up
# early when the server has died.  0 when it answered.
wait_up() {
    local _
    for _ in $(seq 1 100); do
        curl -fsS "$1" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    curl -fsS "$1" >/dev/null 2>&1
}

# stop_server: SIGTERM, then wait; the exit status in SERVER_RC.
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    SERVER_RC=0
    wait "$SERVER_PID" || SERVER_RC=$?
    SERVER_PID=
}

# stop_server_checked PREFIX [ERR]: stop_server; 1 (said, with ERR's last
# lines when given) unless the server exited 0.
stop_server_checked() {
    stop_server
    [ "$SERVER_RC" = 0 ] && return 0
    echo "$1: the server exited with status $SERVER_RC after SIGTERM (want 0)" >&2
    [ -n "${2:-}" ] && tail -20 "$2" >&2
    return 1
}

# sanitizer_check PREFIX ERR...: 1 when a server's stderr holds an
# AddressSanitizer, LeakSanitizer or UBSan report (printed, JSON log lines
# left out).  Missing files are skipped.
sanitizer_check() {
    local prefix=$1 err ok=0
    shift
    for err in "$@"; do
        [ -f "$err" ] || continue
        if grep -qE "$JX_SANITIZER_RE" "$err"; then
            echo "$prefix: sanitizer report in $(basename "$err"):" >&2
            grep -vE '^\{"time"' "$err" | head -60 >&2
            ok=1
        fi
    done
    return $ok
}

# clean_stop_check PREFIX ERR: 1 unless the server logged its clean stop.
clean_stop_check() {
    grep -q '"msg":"stopped"' "$2" && return 0
    echo "$1: the server did not log a clean stop" >&2
    return 1
}
