"""Errors, limits, methods, CORS, keep-alive: the behaviour every endpoint
shares (api.md)."""
import json
import socket
import urllib.parse

import pytest
import requests

from conftest import AUTH, AUTH_LINE, BASE, assert_problem, fixture_files, load_fixture, url

# POST /v1/score needs a token, which needs the migrated database
pytestmark = pytest.mark.usefixtures("migrated")

ORIGIN = "https://portal.example"


def addr():
    u = urllib.parse.urlparse(BASE)
    return u.hostname, u.port


def raw(request_bytes, read_timeout=10):
    """Sends raw bytes, returns everything read until the server closes or
    goes quiet."""
    s = socket.create_connection(addr(), timeout=read_timeout)
    try:
        s.sendall(request_bytes)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not b:
                break
            chunks.append(b)
            if b"\r\n\r\n" in b"".join(chunks) and read_timeout < 10:
                break
        return b"".join(chunks)
    finally:
        s.close()


def sample_document():
    return load_fixture(fixture_files()[0])["document"]


def test_malformed_json_gives_400_with_line_and_column():
    body = '{\n  "scope": "project",\n  "framework": ,\n}'
    r = requests.post(url("/v1/score"), data=body.encode(),
                      headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
    p = assert_problem(r, 400)
    assert p["line"] == 3 and p["column"] >= 1
    assert p["errors"] and p["errors"][0]["line"] == 3
    for key in ("pointer", "code", "message"):
        assert key in p["errors"][0]
    assert "3" in p["detail"]


def test_empty_body_is_malformed():
    r = requests.post(url("/v1/score"), data=b"", headers={**AUTH, "Content-Type": "application/json"},
                      timeout=10)
    assert_problem(r, 400)


def test_unknown_field_gives_400():
    doc = sample_document()
    doc["nmae"] = "typo"
    r = requests.post(url("/v1/score"), headers=AUTH, json=doc, timeout=10)
    p = assert_problem(r, 400)
    assert any(e["pointer"] == "/nmae" for e in p["errors"]), p


def test_unknown_nested_field_gives_400():
    doc = sample_document()
    doc["indicators"][0]["wieght"] = 3
    r = requests.post(url("/v1/score"), headers=AUTH, json=doc, timeout=10)
    p = assert_problem(r, 400)
    assert any(e["pointer"].startswith("/indicators/0") for e in p["errors"]), p


def test_invalid_document_gives_422_with_every_error():
    doc = sample_document()
    doc["indicators"][0]["target"] = "大于三十"
    doc["indicators"][1]["weight"] = -5
    doc["year"] = "last year"
    r = requests.post(url("/v1/score"), headers=AUTH, json=doc, timeout=10)
    p = assert_problem(r, 422)
    pointers = [e["pointer"] for e in p["errors"]]
    assert len(p["errors"]) >= 2, p
    assert any(ptr.startswith("/indicators/0") for ptr in pointers), p
    assert any(ptr.startswith("/indicators/1") for ptr in pointers), p


def test_wrong_content_type_gives_415():
    r = requests.post(url("/v1/score"), data=b"a=b",
                      headers={**AUTH, "Content-Type": "multipart/form-data; boundary=x"}, timeout=10)
    assert_problem(r, 415)


def test_oversized_body_gives_413_without_reading_it():
    # Announce 9 MiB, send 1 KiB: the answer must come without the rest.
    head = (b"POST /v1/score HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE + b"Content-Type: application/json\r\n"
            b"Content-Length: 9437184\r\n\r\n")
    out = raw(head + b" " * 1024)
    status_line, _, rest = out.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), out[:200]
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"application/problem+json" in headers
    assert json.loads(body)["status"] == 413


def test_oversized_body_with_requests_gets_413_or_is_cut():
    # A client that insists on sending everything either reads the 413 or
    # sees the connection closed; the server stays up either way.
    try:
        r = requests.post(url("/v1/score"), data=b" " * (9 * 1024 * 1024),
                          headers={**AUTH, "Content-Type": "application/json"}, timeout=30)
        assert_problem(r, 413)
    except requests.ConnectionError:
        pass
    assert requests.get(url("/healthz"), timeout=10).status_code == 200


def test_chunked_upload_over_the_limit_is_cut_off():
    def gen():
        chunk = b" " * (1024 * 1024)
        for _ in range(10):
            yield chunk
    try:
        r = requests.post(url("/v1/score"), data=gen(),
                          headers={**AUTH, "Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 413
    except requests.ConnectionError:
        pass
    assert requests.get(url("/healthz"), timeout=10).status_code == 200


def test_body_at_the_limit_is_read():
    doc = json.dumps(sample_document()).encode()
    body = doc + b" " * (8 * 1024 * 1024 - len(doc))
    r = requests.post(url("/v1/score"), data=body, headers={**AUTH, "Content-Type": "application/json"},
                      timeout=30)
    assert r.status_code == 200, r.text[:300]


def test_wrong_method_gives_405_with_allow():
    r = requests.delete(url("/v1/score"), timeout=10)
    assert_problem(r, 405)
    assert "POST" in r.headers["Allow"]
    r = requests.post(url("/healthz"), timeout=10)
    assert_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_allow_lists_every_method_of_the_path_once():
    # http/router.c builds Allow only when no route matched: 405 and OPTIONS
    want = "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
    r = requests.post(url("/v1/projects/12345"), timeout=10)
    assert_problem(r, 405)
    assert r.headers["Allow"] == want
    r = requests.options(url("/v1/projects/12345"), timeout=10)
    assert r.status_code == 204
    assert r.headers["Allow"] == want
    r = requests.options(url("/v1/projects"), timeout=10)
    assert r.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    r = requests.put(url("/v1/projects/7/submit"), timeout=10)
    assert_problem(r, 405)
    assert r.headers["Allow"] == "POST, OPTIONS"


def test_a_request_head_of_9_kib_is_served_and_one_of_20_kib_is_431():
    # http/daemon.c CONN_MEMORY: 16 KiB per connection holds an 8 KiB header line
    r = requests.get(url("/healthz"), headers={"X-Pad": "a" * 9000}, timeout=10)
    assert r.status_code == 200
    r = requests.get(url("/healthz"), headers={"X-Pad": "a" * 20000}, timeout=10)
    assert r.status_code == 431
    assert requests.get(url("/healthz"), timeout=10).status_code == 200


def test_unknown_route_gives_404():
    for path in ("/nope", "/v1", "/v1/score/extra", "/healthz/"):
        assert_problem(requests.get(url(path), timeout=10), 404)


def test_head_is_get_without_body():
    r = requests.head(url("/healthz"), timeout=10)
    assert r.status_code == 200
    assert r.content == b""


def test_cors_preflight_for_allowed_origin():
    r = requests.options(url("/v1/score"), headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"}, timeout=10)
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    assert "Origin" in r.headers.get("Vary", "")


def test_cors_other_origin_gets_no_allowance():
    r = requests.options(url("/v1/score"), headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, timeout=10)
    assert r.status_code == 204
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_on_simple_request():
    r = requests.post(url("/v1/score"), json=sample_document(), headers={**AUTH, "Origin": ORIGIN},
                      timeout=10)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Request-Id" in r.headers["Access-Control-Expose-Headers"]


def test_options_unknown_path_is_404():
    assert requests.options(url("/nope"), timeout=10).status_code == 404


def test_keep_alive_survives_a_response():
    # Two requests on one connection: libmicrohttpd must not close after the
    # first (the keep-alive trap of queueing on the first callback).
    s = socket.create_connection(addr(), timeout=10)
    try:
        doc = json.dumps(sample_document()).encode()
        req = (b"POST /v1/score HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE + b"Content-Type: application/json\r\n"
               b"Content-Length: " + str(len(doc)).encode() + b"\r\n\r\n" + doc)
        f = s.makefile("rb")
        for _ in range(2):
            s.sendall(req)
            status = f.readline()
            assert status.startswith(b"HTTP/1.1 200"), status
            length = None
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                assert not (name.lower() == "connection" and "close" in value.lower())
            assert length and len(f.read(length)) == length
    finally:
        s.close()


def test_metrics_text():
    requests.get(url("/healthz"), timeout=10)
    requests.post(url("/v1/score"), headers=AUTH, json=sample_document(), timeout=10)
    r = requests.get(url("/metrics"), timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    assert 'jixiao_http_requests_total{route="/healthz",method="GET",status="200"}' in text
    assert 'jixiao_http_requests_total{route="/v1/score",method="POST",status="200"}' in text
    assert 'jixiao_http_request_duration_seconds_bucket{route="/v1/score",le="+Inf"}' in text
    assert "jixiao_db_pool_size" in text and "jixiao_db_pool_in_use" in text
    assert 'jixiao_scorings_total{outcome="ok"}' in text
    assert "jixiao_evaluations_total" in text
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name_labels, _, value = line.rpartition(" ")
            float(value)
            assert name_labels.startswith("jixiao_")


def test_slow_client_times_out():
    # run.sh starts the server with JIXIAO_TIMEOUT=3: a client that sends
    # half a request and goes quiet is disconnected.
    import time
    s = socket.create_connection(addr(), timeout=15)
    try:
        s.sendall(b"POST /v1/score HTTP/1.1\r\nHost: t\r\n" + AUTH_LINE + b"Content-Length: 100\r\n\r\n{")
        t0 = time.monotonic()
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            data = b""
        elapsed = time.monotonic() - t0
        assert data == b"", data[:100]
        assert 2 <= elapsed <= 12, elapsed
    finally:
        s.close()


def test_problems_quoting_invalid_utf8_keep_their_detail_and_messages(migrated):
    """Found by fuzz_query, fuzz_import and fuzz_project: a detail or error
    message quoting the client's bytes (a query value, a CSV header, a
    JSON syntax error) that were not UTF-8, or that a length limit cut in
    the middle of a character, was dropped from the problem: no detail, no
    message.  Invalid bytes now read as U+FFFD."""
    from conftest import TOKEN, api
    r = api("GET", "/v1/projects?cursor=1.1%AE", TOKEN)
    body = assert_problem(r, 400)
    assert "cursor" in body["detail"] and "\ufffd" in body["detail"]
    r = api("GET", "/v1/projects?cursor=c" + "%E4%BD%A0" * 40, TOKEN)
    assert "cursor" in assert_problem(r, 400)["detail"]
    r = api("POST", "/v1/import", TOKEN, data=b"year,\xccname\n2022,a\n",
            headers={"Content-Type": "text/csv"})
    assert "\ufffd" in assert_problem(r, 400)["detail"]
    r = requests.post(url("/v1/score"), data=b'{"name": "\xff', timeout=30,
                      headers={**AUTH, "Content-Type": "application/json"})
    body = assert_problem(r, 400)
    assert body["errors"][0]["message"], body


def test_long_unknown_field_keeps_a_valid_pointer(migrated):
    """Found by fuzz_project: an unknown field's pointer longer than the
    error's 160 bytes was cut inside an escape ("~1" -> "~"), which is not
    a JSON pointer."""
    from conftest import TOKEN, api
    r = api("POST", "/v1/projects", TOKEN, {"y" + "~/" * 120: 1})
    body = assert_problem(r, 400)
    for e in body["errors"]:
        p = e["pointer"]
        assert p.startswith("/") and not p.endswith("~"), p
