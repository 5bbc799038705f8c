"""The per-address cap behind a trusted reverse proxy (issue 17): the proxy
(127.0.0.2 here, JIXIAO_TRUSTED_PROXIES) is never capped itself; what is
capped is the client its X-Forwarded-For names -- the last hop that is not
a trusted proxy -- by its requests in flight (429 + Retry-After beyond).
An address that is not a trusted proxy is capped at accept, whatever
X-Forwarded-For it sends.  Bounded: a cap of 4, a dozen connections."""
import time

import pytest

from conftest import AUTH_LINE, start_server
from edge import ATTACKER, INNOCENT, abort, connect_from, status_of

CAP = 4
PROXY = ATTACKER      # 127.0.0.2 plays the proxy


@pytest.fixture(scope="module")
def server():
    with start_server(JIXIAO_TRUSTED_PROXIES=f"{PROXY}, 10.0.0.0/8",
                      JIXIAO_MAX_CONN_PER_IP=CAP, JIXIAO_TIMEOUT=30) as (base, proc):
        host, port = base.split("//")[1].split(":")
        yield host, int(port)


def stalled_upload(source, host, port, xff):
    """A request whose head is in and whose body never comes: in flight."""
    s = connect_from(source, host, port)
    s.sendall(b"POST /v1/score HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE
              + b"X-Forwarded-For: " + xff + b"\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{")
    return s


def one_get(source, host, port, xff=None):
    s = connect_from(source, host, port)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                  + (b"X-Forwarded-For: " + xff + b"\r\n" if xff else b"") + b"\r\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        return status_of(data), data
    finally:
        abort(s)


def test_a_forwarded_client_is_capped_not_the_proxy(server):
    host, port = server
    held = [stalled_upload(PROXY, host, port, b"203.0.113.9") for _ in range(CAP)]
    try:
        time.sleep(0.3)
        status, data = one_get(PROXY, host, port, b"203.0.113.9")
        assert status == 429, data[:200]
        assert b"Retry-After: 1" in data
        # the hops left of the client are the client's own say; a trusted
        # hop on the right is skipped
        status, _ = one_get(PROXY, host, port, b"198.51.100.1, 203.0.113.9, 10.1.2.3")
        assert status == 429
        # another client behind the same proxy, and the proxy itself
        # beyond CAP connections, are served
        assert one_get(PROXY, host, port, b"203.0.113.10")[0] == 200
        assert one_get(PROXY, host, port)[0] == 200
    finally:
        for s in held:
            abort(s)
    time.sleep(0.3)
    assert one_get(PROXY, host, port, b"203.0.113.9")[0] == 200


def test_an_untrusted_address_is_capped_at_accept_whatever_it_forwards(server):
    host, port = server
    held = [stalled_upload(INNOCENT, host, port, b"203.0.113.%d" % i) for i in range(CAP)]
    try:
        time.sleep(0.3)
        try:
            status, _ = one_get(INNOCENT, host, port, b"203.0.113.99")
        except OSError:
            status = None     # reset at accept
        assert status is None, status
    finally:
        for s in held:
            abort(s)
