"""10,000 connections opened at once (non-blocking sockets from one
process): each is refused, closed, or served a whole response; the server
does not crash, answers normally afterwards, and gives back its memory and
file descriptors.

The server's connection limit is 1,024 (JIXIAO_CONNECTION_LIMIT) and its
listen backlog 1,024, so most connections wait in the kernel or are
dropped at the SYN and retried by the kernel; every client reads its
response and then resets the connection (SO_LINGER 0), so no TIME_WAIT is
left to eat the machine's ephemeral ports.
"""
import errno
import selectors
import socket
import time

import pytest
import requests

from conftest import HOST, PORT, SANITIZED, assert_healthy, fd_count, rss_kib, url, wait_for

N = 10_000
DEADLINE = 90.0     # s for all of them to end one way or another
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
LINGER0 = b"\x01\x00\x00\x00\x00\x00\x00\x00"


def complete(buf):
    head, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return len(rest) >= int(v)
    return True


def storm():
    sel = selectors.DefaultSelector()
    state = {}
    outcome = {"served": 0, "refused": 0, "closed": 0, "other": 0}
    statuses = {}
    errors = {}
    for _ in range(N):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
        rc = s.connect_ex((HOST, PORT))
        if rc not in (0, errno.EINPROGRESS):
            outcome["refused"] += 1
            errors[rc] = errors.get(rc, 0) + 1
            s.close()
            continue
        state[s] = b""
        sel.register(s, selectors.EVENT_WRITE)

    def finish(s, how):
        sel.unregister(s)
        del state[s]
        outcome[how] += 1
        s.close()

    started = time.monotonic()
    while state and time.monotonic() - started < DEADLINE:
        for key, ev in sel.select(timeout=0.5):
            s = key.fileobj
            if s not in state:
                continue
            if key.events == selectors.EVENT_WRITE:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    errors[err] = errors.get(err, 0) + 1
                    finish(s, "refused")
                    continue
                try:
                    s.send(REQUEST)
                except OSError as e:
                    errors[e.errno] = errors.get(e.errno, 0) + 1
                    finish(s, "closed")
                    continue
                sel.modify(s, selectors.EVENT_READ)
                continue
            try:
                b = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                errors[e.errno] = errors.get(e.errno, 0) + 1
                finish(s, "closed")
                continue
            if not b:
                finish(s, "closed" if not state[s] else "other")
                continue
            state[s] += b
            if complete(state[s]):
                status = int(state[s].split(b" ", 2)[1])
                statuses[status] = statuses.get(status, 0) + 1
                finish(s, "served")
    pending = len(state)
    for s in list(state):
        s.close()
    sel.close()
    return outcome, statuses, errors, pending, time.monotonic() - started


RSS = {}


def check_storm():
    outcome, statuses, errors, pending, elapsed = storm()
    print(f"{N} connections in {elapsed:.1f} s: {outcome}, statuses {statuses}, "
          f"errnos {({errno.errorcode.get(k, k): v for k, v in errors.items()})}, "
          f"pending {pending}")
    assert pending == 0, f"{pending} connections neither served nor closed in {DEADLINE} s"
    assert outcome["other"] == 0, "a response was cut off in the middle"
    assert sum(outcome.values()) == N
    assert outcome["served"] > 0
    assert set(statuses) <= {200, 503}, statuses
    assert_healthy()


def test_ten_thousand_connections_at_once():
    for _ in range(20):
        assert requests.get(url("/healthz"), timeout=10).status_code == 200
    RSS["start"], fds0 = rss_kib(), fd_count()
    check_storm()
    # Afterwards: normal answers, descriptors given back, memory bounded.
    # The 0.5 s lets the server go quiet and trim its heap (main.c) before
    # RSS is read.  It closes the storm's last connections as it gets to
    # them: under ASan on a busy machine that once took longer than the
    # 0.5 s (527 descriptors still open), so wait for them too, bounded.
    time.sleep(0.5)
    t0 = time.monotonic()
    wait_for(lambda: fd_count() <= fds0 + 8, 15)
    closed_after = time.monotonic() - t0
    RSS["first"], fds1 = rss_kib(), fd_count()
    print(f"server RSS {RSS['start'] / 1024:.1f} MiB before, {RSS['first'] / 1024:.1f} MiB "
          f"after; fds {fds0} before, {fds1} after ({closed_after:.1f} s)")
    assert fds1 <= fds0 + 8, (fds0, fds1)
    if not SANITIZED:
        assert RSS["first"] <= 64 * 1024, "over the 64 MiB of operations.md"


def test_a_second_storm_does_not_grow_memory():
    """What the first storm left resident is reused, not added to (no
    sizeable leak per connection)."""
    assert "first" in RSS, "needs the first storm"
    check_storm()
    time.sleep(0.5)
    RSS["second"] = rss_kib()
    print(f"server RSS after the second storm {RSS['second'] / 1024:.1f} MiB "
          f"(after the first {RSS['first'] / 1024:.1f} MiB)")
    # Arena reuse varies by a few MiB from storm to storm; a per-connection
    # leak of 1 KiB would add 10 MiB.  (The exact leak check is LeakSanitizer
    # at the ASan server's exit, in run.sh.)
    # Under ASan the first storm alone ends anywhere between ~62 and ~88 MiB
    # in the full suite (ASan's allocator caches, not ours; after merging
    # main at 4d717b6 it ended at ~62 and the second at ~92, twice), so
    # the sanitized allowance is wider; the plain build keeps 10 MiB.
    allowance = 40 * 1024 if SANITIZED else 10 * 1024
    assert RSS["second"] <= RSS["first"] + allowance
    if not SANITIZED:
        assert RSS["second"] <= 64 * 1024, "over the 64 MiB of operations.md"


BACK_MARGIN = 8 * 1024   # KiB over the start that still counts as "back"
BACK_WITHIN = 30.0       # s: generous; the property is "given back", not "fast"


@pytest.mark.skipif(SANITIZED, reason="the ASan allocator keeps freed memory by design")
def test_rss_back_near_its_start_after_the_storm():
    """The memory a storm took is given back once the server is quiet.

    The server trims its heap when it has been quiet for a tick (main.c).
    A single reading right after the storm measured how busy the machine
    was, not that property: on a loaded 2-core machine the storm's last
    connections were still being closed, and the trim not yet run, when it
    was taken (12.6 MiB before, 21.2 MiB after, on a clean clone).  So the
    reading is repeated until RSS is back within the margin or BACK_WITHIN
    seconds have passed, with the server left alone meanwhile (no request
    of ours keeps it from being quiet)."""
    assert "start" in RSS, "needs the first storm"
    t0 = time.monotonic()
    back = wait_for(lambda: rss_kib() <= RSS["start"] + BACK_MARGIN, BACK_WITHIN, interval=0.25)
    now = rss_kib()
    print(f"RSS {RSS['start'] / 1024:.1f} MiB before the storms, {now / 1024:.1f} MiB "
          f"{time.monotonic() - t0:.1f} s into the wait")
    assert back, f"RSS {RSS['start'] / 1024:.1f} MiB before, still {now / 1024:.1f} MiB " \
        f"after {BACK_WITHIN:.0f} s of quiet"
