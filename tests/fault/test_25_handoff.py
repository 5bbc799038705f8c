"""Writes are handed to the handler threads (server/exec.c): a write
stuck on a lock must not stall the other connections of its HTTP thread,
writes queued behind stuck ones get their 503 within the pool wait, a
client that goes away meanwhile costs nothing, and SIGTERM still stops the
server cleanly with such requests in flight.

The stuck request: a psql session holds an ACCESS EXCLUSIVE lock on
projects, so DELETE /v1/projects/{id} waits in PostgreSQL for its row lock
until the lock goes (then 404: there is no such project) or the round
trip's deadline (JIXIAO_DB_TIMEOUT) passes (503).  Each test runs a server
of its own with one HTTP thread (JIXIAO_THREADS=1): before the hand-off,
one waiting handler stalled every connection of the server.
"""
import contextlib
import os
import signal
import subprocess
import threading
import time

import requests

from conftest import AUTH, PSQL, SANITIZED, abort, connect, sql, start_server, wait_for

DB_WAIT_MS = 8000
SLACK = 1.2 if SANITIZED else 0.8


@contextlib.contextmanager
def projects_locked():
    """Holds ACCESS EXCLUSIVE on projects in a psql session until exit."""
    p = subprocess.Popen([PSQL, os.environ["DATABASE_URL"], "-q", "-v", "ON_ERROR_STOP=1"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        p.stdin.write("BEGIN;\nLOCK TABLE projects IN ACCESS EXCLUSIVE MODE;\n"
                      "SELECT pg_sleep(0);\n")
        p.stdin.flush()
        assert wait_for(lambda: sql(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'projects' AND l.mode = 'AccessExclusiveLock' "
            "AND l.granted") == "1", 10), "psql did not take the lock"
        yield
    finally:
        try:
            p.stdin.write("COMMIT;\n")
            p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        p.wait(timeout=30)


def waiters():
    """Backends waiting for a lock on projects (the stuck requests)."""
    return int(sql(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = 'projects' AND NOT l.granted"))


def delete_in_thread(base, path, out, key):
    def go():
        t0 = time.monotonic()
        try:
            r = requests.delete(base + path, headers={**AUTH, "If-Match": '"1"'},
                                timeout=DB_WAIT_MS / 1000 + 30)
            out[key] = (r.status_code, time.monotonic() - t0)
        except requests.RequestException as e:
            out[key] = (repr(e), time.monotonic() - t0)
    t = threading.Thread(target=go)
    t.start()
    return t


def test_a_request_waiting_on_the_database_does_not_stall_its_thread():
    with start_server(JIXIAO_THREADS=1, JIXIAO_DB_TIMEOUT=DB_WAIT_MS) as (base, _):
        out = {}
        with projects_locked():
            stuck = delete_in_thread(base, "/v1/projects/1", out, "stuck")
            assert wait_for(lambda: waiters() >= 1, 10), "the DELETE never reached the lock"
            # The same (only) HTTP thread serves these while the DELETE waits.
            for path, want in (("/v1/whoami", 200), ("/healthz", 200), ("/v1/orgs", 200)):
                t0 = time.monotonic()
                r = requests.get(base + path, headers=AUTH, timeout=5)
                took = time.monotonic() - t0
                assert r.status_code == want, (path, r.status_code, r.text[:200])
                assert took < 2.0, (path, took)
            assert "stuck" not in out, out  # still waiting: the others overtook it
        stuck.join(DB_WAIT_MS / 1000 + 15)
        assert out["stuck"][0] == 404, out  # no project 1: answered once the lock went


def test_writes_queued_behind_stuck_ones_get_503_within_the_pool_wait():
    """More stuck writes than handler threads: two hold the two
    connections until the round trip's deadline; the three queued behind
    them do not each wait a deadline of their own (the timed-out pool is
    held down for a moment, and a write queued longer than the pool wait
    is answered 503 without running); /healthz answers throughout."""
    with start_server(JIXIAO_THREADS=1, JIXIAO_DB_POOL=2, JIXIAO_DB_TIMEOUT=1500) as (base, _):
        out = {}
        with projects_locked():
            threads = [delete_in_thread(base, f"/v1/projects/{i + 1}", out, i) for i in range(5)]
            assert wait_for(lambda: waiters() >= 2, 10)
            t0 = time.monotonic()
            assert requests.get(base + "/healthz", timeout=5).status_code == 200
            assert time.monotonic() - t0 < 1.0
            for t in threads:
                t.join(20)
        assert len(out) == 5, out
        assert all(status == 503 for status, _ in out.values()), out
        # all answered about one deadline after they were sent: the queued
        # ones did not each wait a deadline of their own in the database
        # (they would have answered at 3 s and 4.5 s)
        assert all(took < 1.5 + SLACK for _, took in out.values()), out


def test_a_client_gone_while_its_request_waits_costs_nothing():
    with start_server(JIXIAO_THREADS=1, JIXIAO_DB_TIMEOUT=DB_WAIT_MS) as (base, proc):
        host, port = base.rsplit("/", 1)[1].split(":")
        with projects_locked():
            socks = []
            for i in range(4):
                s = connect(host=host, port=int(port))
                s.sendall(f"DELETE /v1/projects/{i + 1} HTTP/1.1\r\nHost: x\r\n"
                          f"If-Match: \"1\"\r\n"
                          f"Authorization: {AUTH['Authorization']}\r\n\r\n".encode())
                socks.append(s)
            assert wait_for(lambda: waiters() >= 4, 10)
            for s in socks:
                abort(s)
        # The handlers finish, their connections are found closed and freed.
        assert wait_for(lambda: waiters() == 0, 10)
        for _ in range(20):
            assert requests.get(base + "/v1/whoami", headers=AUTH, timeout=5).status_code == 200
        assert proc.poll() is None


def test_sigterm_with_requests_waiting_on_the_database():
    with start_server(JIXIAO_THREADS=1, JIXIAO_DB_TIMEOUT=DB_WAIT_MS,
                      JIXIAO_SHUTDOWN_TIMEOUT=20) as (base, proc):
        out = {}
        with projects_locked():
            threads = [delete_in_thread(base, f"/v1/projects/{i + 1}", out, i) for i in range(3)]
            assert wait_for(lambda: waiters() >= 3, 10)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert proc.poll() is None, "stopped before its requests were answered"
        for t in threads:
            t.join(30)
        # Answered (the lock went before the deadline), then a clean exit.
        assert sorted(v[0] for v in out.values()) == [404, 404, 404], out
        assert proc.wait(timeout=30) == 0
