"""Request framing and heads (issue 17, operations.md "the edge under
attack"): each case gets its status and the connection closed, at once --
never a hang, never a request served past a framing a proxy could read
differently.  Attacker on 127.0.0.2.

On the November server: Content-Length with Transfer-Encoding was served
(200) and the connection kept; "Transfer-Encoding : chunked" was ignored;
xchunked, "gzip, chunked" and a chunk size of ffffffffffffffff got no
answer at all; a second Authorization, "Bearer <token>\\0x" and
/v1/projects/1%00 were served.

The chunk-size case runs on a server of its own with a 30 s inactivity
timeout, so "closed at once" (here: within 10 s) cannot be the timeout.
"""
import json

import pytest

from conftest import AUTH_LINE, TOKEN, assert_healthy, start_server, url
from edge import ATTACKER, exchange_from

import requests

H = b"Host: t\r\n"
DOC = b'{"scope":"project"}'
POST = b"POST /v1/score HTTP/1.1\r\n" + H + AUTH_LINE + b"Content-Type: application/json\r\n"
WAIT = 10.0   # s: far below the inactivity timeout of the server under test

CASES = [
    # name, request, status wanted
    ("Content-Length and Transfer-Encoding", POST + b"Content-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n13\r\n" + DOC + b"\r\n0\r\n\r\n", 400),
    ("Transfer-Encoding and Content-Length", POST + b"Transfer-Encoding: chunked\r\n"
     b"Content-Length: 19\r\n\r\n13\r\n" + DOC + b"\r\n0\r\n\r\n", 400),
    # (a GET, so that nothing after the head can be read as a second,
    # malformed request and answered 400 for the wrong reason)
    ("space before the colon", b"GET /healthz HTTP/1.1\r\n" + H
     + b"Transfer-Encoding : chunked\r\n\r\n", 400),
    ("tab before the colon", b"GET /healthz HTTP/1.1\r\n" + H + b"Content-Length\t: 0\r\n\r\n",
     400),
    ("xchunked", POST + b"Transfer-Encoding: xchunked\r\n\r\n13\r\n" + DOC + b"\r\n0\r\n\r\n",
     501),
    ("gzip, chunked", POST + b"Transfer-Encoding: gzip, chunked\r\n\r\n13\r\n" + DOC
     + b"\r\n0\r\n\r\n", 501),
    ("gzip", POST + b"Transfer-Encoding: gzip\r\n\r\n" + DOC, 501),
    ("chunked twice", POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"13\r\n" + DOC + b"\r\n0\r\n\r\n", 501),
    ("second Authorization", b"GET /v1/whoami HTTP/1.1\r\n" + H + AUTH_LINE
     + b"Authorization: Bearer garbage\r\n\r\n", 400),
    ("NUL in Authorization", b"GET /v1/whoami HTTP/1.1\r\n" + H
     + b"Authorization: Bearer " + TOKEN.encode() + b"\x00x\r\n\r\n", 400),
    ("control byte in a header", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A: a\x01b\r\n\r\n", 400),
    ("DEL in a header", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A: a\x7fb\r\n\r\n", 400),
    ("%00 in the path", b"GET /v1/projects/1%00 HTTP/1.1\r\n" + H + AUTH_LINE + b"\r\n", 400),
    ("%0a in the path", b"GET /healthz%0a HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("%00 in the query", b"GET /v1/projects?year=2024%00 HTTP/1.1\r\n" + H + AUTH_LINE
     + b"\r\n", 400),
]


@pytest.mark.parametrize("name,request_bytes,want", CASES, ids=[c[0] for c in CASES])
def test_framing_and_heads_answered_and_closed(name, request_bytes, want):
    status, closed, took = exchange_from(ATTACKER, request_bytes, wait=WAIT)
    print(f"{name}: {status}, closed={closed} after {took:.2f} s")
    assert status == want, f"{name}: status {status}, want {want}"
    assert closed, f"{name}: the connection stayed open"


def test_plain_chunked_upload_still_served():
    """What is allowed stays allowed: one chunked coding, one token."""
    req = POST + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n13\r\n" + DOC \
        + b"\r\n0\r\n\r\n"
    status, closed, _ = exchange_from(ATTACKER, req, wait=WAIT)
    assert status in (200, 422), status   # scored (a near-empty document)
    assert_healthy()


def test_tab_in_a_header_value_is_fine():
    r = requests.get(url("/healthz"), headers={"X-A": "a\tb"}, timeout=10)
    assert r.status_code == 200


@pytest.fixture(scope="module")
def patient_server():
    """A server whose inactivity timeout (30 s) is far off."""
    with start_server(JIXIAO_TIMEOUT=30) as (base, proc):
        yield base, proc


@pytest.mark.parametrize("size", [b"ffffffffffffffff", b"1000001", b"7fffffffffffffff"])
def test_chunk_size_beyond_the_limit_closes_at_once(patient_server, size):
    """A chunk declared larger than the body limit (16 MiB here): the
    connection ends at once -- libmicrohttpd 0.9.75 answers 413 itself
    only past 64 bits, and cannot queue a response in the middle of a body,
    so the server closes it -- instead of waiting for 2^64 bytes."""
    base, _ = patient_server
    host, port = base.split("//")[1].split(":")
    req = POST + b"Transfer-Encoding: chunked\r\n\r\n" + size + b"\r\n" + DOC
    status, closed, took = exchange_from(ATTACKER, req, wait=WAIT, host=host, port=int(port))
    print(f"chunk {size.decode()}: {status}, closed={closed} after {took:.2f} s")
    assert closed, f"chunk size {size!r}: the connection hung"
    assert status in (None, 413), status
    assert requests.get(base + "/healthz", timeout=10).status_code == 200


def test_chunk_sizes_within_the_limit_are_read(patient_server):
    base, _ = patient_server
    host, port = base.split("//")[1].split(":")
    body = json.dumps({"scope": "project"}).encode()
    half = len(body) // 2
    chunks = b"%x\r\n" % half + body[:half] + b"\r\n" + b"%x\r\n" % (len(body) - half) \
        + body[half:] + b"\r\n0\r\n\r\n"
    req = POST + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks
    status, closed, _ = exchange_from(ATTACKER, req, wait=WAIT, host=host, port=int(port))
    assert status in (200, 422), status
    assert closed   # Connection: close, after the answer
