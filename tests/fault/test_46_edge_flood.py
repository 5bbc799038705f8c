"""One address cannot take the server away from everyone (issue 17 item 1).

A server of its own, small enough that the test stays bounded (256
connections in all, 64 per address, a 30 s inactivity timeout so that
nothing here is rescued by it, a 3 s request-head deadline).  From
127.0.0.2 the attacker opens 300 connections that send nothing (idle
flood), or that send a header byte every half second (slow headers);
meanwhile the innocent client on 127.0.0.3 asks /healthz on a fresh
connection every half second and must be served in under 2 s each time.
The slow connections must be closed by the head deadline while they are
still trickling (3 s plus the sweeper's tick and slack for a loaded
machine), not by the inactivity timeout.

On the November server the 256 connections filled up with the attacker's
(no per-address cap): the innocent client waited until the inactivity
timeout, and the trickling ones were never closed.
"""
import selectors
import socket
import time

import pytest

from conftest import SANITIZED, start_server
from edge import ATTACKER, INNOCENT, abort, get_from

N_ATTACK = 300
PER_IP = 64
HEAD_TIMEOUT = 3
ROUNDS = 12              # innocent requests, one every half second
SERVED_WITHIN = 2.0      # s (operations.md)
CLOSED_WITHIN = HEAD_TIMEOUT + (6.0 if SANITIZED else 4.0)


@pytest.fixture(scope="module")
def server():
    with start_server(JIXIAO_TIMEOUT=30, JIXIAO_CONNECTION_LIMIT=256,
                      JIXIAO_MAX_CONN_PER_IP=PER_IP, JIXIAO_HEADER_TIMEOUT=HEAD_TIMEOUT) as sp:
        yield sp


def hostport(base):
    host, port = base.split("//")[1].split(":")
    return host, int(port)


def open_attack(host, port, first=b""):
    """N_ATTACK non-blocking connections from the attacker's address; those
    the server refuses at once are counted, not kept."""
    socks = []
    for _ in range(N_ATTACK):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((ATTACKER, 0))
        s.setblocking(False)
        s.connect_ex((host, port))
        socks.append(s)
    time.sleep(0.3)
    for s in socks:
        if first:
            try:
                s.send(first)
            except OSError:
                pass
    return socks


def still_open(socks):
    """The sockets the server has not closed (EOF or reset)."""
    sel = selectors.DefaultSelector()
    for s in socks:
        try:
            sel.register(s, selectors.EVENT_READ)
        except (ValueError, OSError):
            pass
    gone = set()
    for key, _ in sel.select(timeout=0):
        s = key.fileobj
        try:
            if not s.recv(4096):
                gone.add(s)
        except BlockingIOError:
            pass
        except OSError:
            gone.add(s)
    sel.close()
    return [s for s in socks if s not in gone]


def innocent_rounds(host, port, during=None):
    """ROUNDS requests of the innocent client; fails at the first one not
    served within SERVED_WITHIN (waiting for it at most 10 s)."""
    worst = 0.0
    for i in range(ROUNDS):
        if during:
            during()
        try:
            status, took = get_from(INNOCENT, "/healthz", host, port, timeout=10)
        except OSError as e:
            raise AssertionError(f"round {i}: the innocent client was not served ({e})")
        assert status == 200, status
        assert took < SERVED_WITHIN, f"round {i}: the innocent client waited {took:.2f} s"
        worst = max(worst, took)
        time.sleep(0.5)
    return worst


def test_idle_flood_from_one_address(server):
    base, _ = server
    host, port = hostport(base)
    socks = open_attack(host, port)
    try:
        worst = innocent_rounds(host, port)
        kept = len(still_open(socks))
        print(f"idle flood: {kept} of {N_ATTACK} attacker connections kept; "
              f"innocent client served within {worst:.2f} s")
        assert worst < SERVED_WITHIN, f"the innocent client waited {worst:.2f} s"
        assert kept <= PER_IP + 4, f"{kept} connections kept from one address"
    finally:
        for s in socks:
            abort(s)


def test_slow_headers_from_one_address(server):
    base, _ = server
    host, port = hostport(base)
    started = time.monotonic()
    socks = open_attack(host, port, first=b"GET /healthz HTTP/1.1\r\n")
    closed_at = {}

    def trickle():
        now = time.monotonic()
        live = still_open(socks)
        for s in set(socks) - set(live):
            closed_at.setdefault(s, now - started)
        for s in live:
            try:
                s.send(b"X")   # one more header byte, every round
            except OSError:
                pass

    try:
        worst = innocent_rounds(host, port, during=trickle)
        trickle()
        left = still_open(socks)
        late = [t for t in closed_at.values() if t > CLOSED_WITHIN]
        print(f"slow headers: {len(left)} still open after {time.monotonic() - started:.1f} s; "
              f"innocent client served within {worst:.2f} s; "
              f"latest close at {max(closed_at.values() or [0]):.1f} s")
        assert worst < SERVED_WITHIN, f"the innocent client waited {worst:.2f} s"
        assert not left, f"{len(left)} trickling connections never closed"
        assert not late, f"{len(late)} closed later than {CLOSED_WITHIN} s"
    finally:
        for s in socks:
            abort(s)


def test_idle_keep_alive_is_not_the_head_deadline(server):
    """A connection that finished a request and then idles keeps the
    inactivity timeout (30 s here), not the head deadline."""
    base, _ = server
    host, port = hostport(base)
    from edge import connect_from
    s = connect_from(INNOCENT, host, port)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(HEAD_TIMEOUT + 2)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        abort(s)
