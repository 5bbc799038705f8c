"""Request lines wait in per-thread buffers (log.c) and reach stderr within
the main thread's tick; warnings are written at once; a stop writes every
pending line before "stopped".  Read from the stderr file of a server of
our own."""
import json
import signal
import threading
import time

import requests

from conftest import AUTH, FAULT_TMP, _server_seq, start_server, wait_for


def lines(path):
    """Every complete line: a write the server has under way may be seen
    half done at the end of the file (reads of a regular file are not
    atomic against a write), as any log shipper sees it; it ends in no
    newline yet and is left for the next look."""
    with open(path, "rb") as f:
        data = f.read()
    data = data[:data.rfind(b"\n") + 1]
    return [json.loads(l) for l in data.decode().splitlines() if l.strip()]


def newest_err():
    """The stderr file of the server start_server just started."""
    return FAULT_TMP / f"server-{_server_seq[0]}.err"


def requests_logged(path, ids):
    got = {l.get("request_id") for l in lines(path) if l.get("msg") == "request"}
    return ids <= got


def test_request_lines_reach_the_log_within_a_tick():
    with start_server(JIXIAO_THREADS=4) as (base, _):
        err = newest_err()
        ids = set()
        for i in range(40):
            rid = f"log-tick-{i}"
            r = requests.get(base + "/v1/whoami", headers={**AUTH, "X-Request-Id": rid}, timeout=5)
            assert r.status_code == 200
            ids.add(rid)
        # the tick is 100 ms; allow for a slow sanitizer build
        assert wait_for(lambda: requests_logged(err, ids), 5), "request lines did not arrive"
        for l in lines(err):
            if l.get("request_id") in ids:
                assert l["level"] == "info" and l["status"] == 200 and l["route"] == "/v1/whoami"


def test_many_threads_write_whole_lines():
    with start_server(JIXIAO_THREADS=4) as (base, _):
        err = newest_err()
        ids = [f"log-par-{t}-{i}" for t in range(8) for i in range(60)]

        def worker(chunk):
            s = requests.Session()
            for rid in chunk:
                s.get(base + "/healthz", headers={"X-Request-Id": rid}, timeout=5)
        threads = [threading.Thread(target=worker, args=(ids[t::8],)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # every line parses (lines() would raise on a torn one) and each request appears once
        assert wait_for(lambda: requests_logged(err, set(ids)), 5)
        seen = [l["request_id"] for l in lines(err) if l.get("request_id", "").startswith("log-par-")]
        assert sorted(seen) == sorted(ids)


def test_a_stop_writes_pending_lines_before_stopped():
    with start_server() as (base, proc):
        err = newest_err()
        for i in range(5):
            requests.get(base + "/healthz", headers={"X-Request-Id": f"log-stop-{i}"}, timeout=5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    msgs = lines(err)
    assert msgs[-1]["msg"] == "stopped"
    logged = [l["request_id"] for l in msgs if l.get("request_id", "").startswith("log-stop-")]
    # each thread's lines in order; across threads, by buffer (the time field orders them)
    assert sorted(logged) == [f"log-stop-{i}" for i in range(5)]


def test_a_client_error_line_is_buffered_and_a_404_is_still_info():
    with start_server() as (base, _):
        err = newest_err()
        r = requests.get(base + "/v1/projects/999999999", headers={**AUTH, "X-Request-Id": "log-404"},
                         timeout=5)
        assert r.status_code == 404
        assert wait_for(lambda: requests_logged(err, {"log-404"}), 5)
        (l,) = [l for l in lines(err) if l.get("request_id") == "log-404"]
        assert l["level"] == "info" and l["status"] == 404


def test_the_log_arrives_even_when_the_server_stays_idle():
    # no later request pushes the line out: only the tick can
    with start_server() as (base, _):
        err = newest_err()
        requests.get(base + "/healthz", headers={"X-Request-Id": "log-idle"}, timeout=5)
        t0 = time.monotonic()
        assert wait_for(lambda: requests_logged(err, {"log-idle"}), 5)
        assert time.monotonic() - t0 < 5
