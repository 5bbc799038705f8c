"""Malformed HTTP on raw sockets: bad request lines, huge or odd headers,
unknown methods, Content-Length that lies, broken chunked encoding.

Each is answered (whole HTTP responses, never a 500) or closed, within the
client timeout plus slack; the server never crashes and answers a normal
request after each.  501 and 505 are the protocol's own answers for an
unknown method or version and are allowed.
"""
import json

import pytest

from conftest import (AUTH_LINE, SANITIZED, TIMEOUT, assert_healthy, exchange,
                      parse_responses, server_alive)

H = b"Host: t\r\n"
DOC = b'{"scope":"project"}'

CASES = [
    ("bare method", b"GET\r\n\r\n"),
    ("HTTP/0.9 line", b"GET /healthz\r\n\r\n"),
    ("version 9.9", b"GET /healthz HTTP/9.9\r\n" + H + b"\r\n"),
    ("version 1.x", b"GET /healthz HTTP/1.x\r\n" + H + b"\r\n"),
    ("no version digits", b"GET /healthz HTTP/\r\n" + H + b"\r\n"),
    ("extra token", b"GET /healthz HTTP/1.1 extra\r\n" + H + b"\r\n"),
    ("binary garbage", b"\x00\x01\x02\xff\xfe garbage\r\n\r\n"),
    ("NUL in the line", b"GET /hea\x00lthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("spaces only", b"   \r\n\r\n"),
    ("empty lines then request", b"\r\n\r\n\r\nGET /healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("LF only", b"GET /healthz HTTP/1.1\n" + b"Host: t\n\n"),
    ("CR only", b"GET /healthz HTTP/1.1\rHost: t\r\r"),
    ("double spaces", b"GET  /healthz  HTTP/1.1\r\n" + H + b"\r\n"),
    ("absolute URI", b"GET http://evil.example/healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("asterisk", b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n"),
    ("bad percent escapes", b"GET /%zz%00%/../healthz?%=%%&a HTTP/1.1\r\n" + H + b"\r\n"),
    ("dot segments", b"GET /v1/../healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("100 KB path", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n" + H + b"\r\n"),
    ("100 KB query", b"GET /healthz?" + b"a=b&" * 25_000 + b" HTTP/1.1\r\n" + H + b"\r\n"),
    ("no Host in 1.1", b"GET /healthz HTTP/1.1\r\n\r\n"),
    ("1.0 without Host", b"GET /healthz HTTP/1.0\r\n\r\n"),
    ("header without colon", b"GET /healthz HTTP/1.1\r\n" + H + b"NoColonHere\r\n\r\n"),
    ("empty header name", b"GET /healthz HTTP/1.1\r\n" + H + b": value\r\n\r\n"),
    ("space before colon", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A : b\r\n\r\n"),
    ("folded header", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A: a\r\n  b\r\n\r\n"),
    ("NUL in a header", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n"),
    ("non-ASCII header", b"GET /healthz HTTP/1.1\r\n" + H + "X-名: 值\r\n\r\n".encode()),
    ("100 KB header value", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A: " + b"a" * 100_000
     + b"\r\n\r\n"),
    ("1 MB header value", b"GET /healthz HTTP/1.1\r\n" + H + b"X-A: " + b"a" * 1_000_000
     + b"\r\n\r\n"),
    ("10,000 headers", b"GET /healthz HTTP/1.1\r\n" + H
     + b"".join(b"X-%d: v\r\n" % i for i in range(10_000)) + b"\r\n"),
    ("huge bearer token", b"GET /v1/whoami HTTP/1.1\r\n" + H + b"Authorization: Bearer "
     + b"x" * 20_000 + b"\r\n\r\n"),
    ("huge X-Request-Id", b"GET /healthz HTTP/1.1\r\n" + H + b"X-Request-Id: " + b"r" * 20_000
     + b"\r\n\r\n"),
    ("unknown method", b"BREW /healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("unknown method with a body", b"BREW /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: 19\r\n\r\n" + DOC),
    ("lowercase method", b"get /healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("10 KB method", b"G" * 10_000 + b" /healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("TRACE", b"TRACE /healthz HTTP/1.1\r\n" + H + b"\r\n"),
    ("CONNECT", b"CONNECT evil.example:443 HTTP/1.1\r\n" + H + b"\r\n"),
    ("PATCH score", b"PATCH /v1/score HTTP/1.1\r\n" + H + b"Content-Length: 19\r\n\r\n" + DOC),
    ("Content-Length short of the body",
     b"POST /v1/score HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\n" + DOC),
    ("Content-Length negative", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: -1\r\n\r\n" + DOC),
    ("Content-Length not a number", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: abc\r\n\r\n" + DOC),
    ("Content-Length overflowing", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: 99999999999999999999999999\r\n\r\n" + DOC),
    ("Content-Length with a sign", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: +19\r\n\r\n" + DOC),
    ("two Content-Lengths", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: 19\r\nContent-Length: 5\r\n\r\n" + DOC),
    ("Content-Length list", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: 19, 19\r\n\r\n" + DOC),
    ("Content-Length and chunked", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n13\r\n" + DOC + b"\r\n0\r\n\r\n"),
    ("unknown Transfer-Encoding", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: gzip\r\n\r\n" + DOC),
    ("bad chunk size", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + DOC + b"\r\n0\r\n\r\n"),
    ("huge chunk size", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n" + DOC + b"\r\n0\r\n\r\n"),
    ("chunk size lies", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n2\r\n" + DOC + b"\r\n0\r\n\r\n"),
    ("chunk extensions and trailers", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n13;a=b;" + b"c" * 5000 + b"\r\n" + DOC
     + b"\r\n0\r\nX-Trailer: " + b"t" * 5000 + b"\r\n\r\n"),
    ("Expect 100-continue, no body", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"),
    ("Expect something else", b"POST /v1/score HTTP/1.1\r\n" + H
     + b"Expect: teapot\r\nContent-Length: 19\r\n\r\n" + DOC),
    ("request then garbage", b"GET /healthz HTTP/1.1\r\n" + H + b"\r\n\xff\xfe\x00garbage\r\n\r\n"),
]

# What may end an exchange: whole responses and a close, or only a close.
ALLOWED = {100, 200, 204, 400, 401, 404, 405, 408, 411, 413, 414, 415, 417, 422, 431, 501, 505}


def judge(name, data, how):
    if how in ("timeout", "limit"):
        return f"{name}: connection neither answered-and-closed nor closed ({how}); " \
               f"got {data[:120]!r}"
    try:
        responses = parse_responses(data)
    except (AssertionError, ValueError, IndexError) as e:
        return f"{name}: not HTTP: {e}: {data[:120]!r}"
    for status, headers, body in responses:
        if status not in ALLOWED:
            return f"{name}: status {status}: {body[:200]!r}"
    return None, [s for s, _, _ in responses]


@pytest.mark.parametrize("name,request_bytes", CASES, ids=[c[0] for c in CASES])
def test_malformed_request(name, request_bytes):
    data, how = exchange(request_bytes, timeout=TIMEOUT + (5 if SANITIZED else 3))
    verdict = judge(name, data, how)
    assert server_alive(), f"{name}: the server died"
    assert isinstance(verdict, tuple), verdict
    print(f"{name}: {verdict[1] or 'closed'} ({how})")


@pytest.mark.parametrize("half_close", [False, True], ids=["open", "half-closed"])
def test_content_length_longer_than_the_body(half_close):
    """The body never comes: the connection is closed within the timeout
    (or at once when the client half-closes), never answered with a 5xx."""
    req = b"POST /v1/score HTTP/1.1\r\n" + H + b"Content-Length: 1000\r\n\r\n" + DOC
    data, how = exchange(req, timeout=TIMEOUT + (5 if SANITIZED else 3), half_close=half_close)
    verdict = judge("long Content-Length", data, how)
    assert isinstance(verdict, tuple), verdict
    assert server_alive()


def test_pipelined_requests_all_answered():
    n = 100
    data, how = exchange((b"GET /healthz HTTP/1.1\r\n" + H + b"\r\n") * n
                         + b"GET /healthz HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    responses = parse_responses(data)
    assert [s for s, _, _ in responses] == [200] * (n + 1), (how, len(responses))


def test_conflicting_content_lengths_are_refused():
    data, how = exchange(b"POST /v1/score HTTP/1.1\r\n" + H
                         + b"Content-Length: 19\r\nContent-Length: 5\r\n\r\n" + DOC)
    statuses = [s for s, _, _ in parse_responses(data)]
    assert statuses[:1] == [400] or (not statuses and how in ("eof", "reset")), (statuses, how)
    assert how in ("eof", "reset"), f"the connection stays open after the 400 ({how})"


def test_repeated_equal_content_lengths_are_accepted():
    """The same value twice is one length (RFC 9112 section 6.3 allows it)."""
    data, how = exchange(b"POST /v1/score HTTP/1.1\r\n" + H + AUTH_LINE
                         + b"Content-Length: 19\r\nContent-Length: 19\r\n\r\n" + DOC)
    statuses = [s for s, _, _ in parse_responses(data)]
    assert statuses[:1] == [200], (statuses, how)
    assert_healthy()


def refused_with(request_bytes, why):
    data, how = exchange(request_bytes)
    responses = parse_responses(data)
    assert [s for s, _, _ in responses][:1] == [400], (responses, how)
    assert why in json.loads(responses[0][2])["detail"]
    assert how in ("eof", "reset"), f"the connection stays open after the 400 ({how})"


def test_http_1_1_without_host_is_400():
    # RFC 9112 section 3.2: a server MUST answer 400
    refused_with(b"GET /healthz HTTP/1.1\r\n\r\n", "needs a Host header")


def test_two_host_headers_are_400():
    refused_with(b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host")


def test_http_1_0_without_host_and_1_1_with_one_are_served():
    data, _ = exchange(b"GET /healthz HTTP/1.0\r\n\r\n")
    assert [s for s, _, _ in parse_responses(data)] == [200]
    data, _ = exchange(b"GET /healthz HTTP/1.1\r\nhost: t\r\nConnection: close\r\n\r\n")
    assert [s for s, _, _ in parse_responses(data)] == [200]


def test_healthy_after_the_malformed_requests():
    assert_healthy()
