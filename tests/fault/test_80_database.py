"""The database goes away while readers hit /readyz and /v1/whoami.

Stopped (pg_ctl stop -m fast): every answer meanwhile is 503 with
Retry-After and a problem body, never a 500, never a dropped connection,
no request longer than the pool wait (JIXIAO_DB_TIMEOUT) plus slack; after
the database is back, both routes answer 200 again by themselves within
5 s (measured from the moment pg_ctl reports it started).

Frozen (every PostgreSQL process SIGSTOPped: a database that accepts
nothing and answers nothing, like a partition): the routes that need no
database keep answering, and the ones that do must not hang.

Runs last among the shared-server files (file order): it stops and starts
the cluster.
"""
import os
import pathlib
import signal
import threading
import time

import pytest
import requests

from conftest import (AUTH, DB_TIMEOUT, SANITIZED, assert_healthy, fixture_document, pg, url)

SLACK = 2.5 if SANITIZED else 1.5
ROUTES = [("/readyz", {}), ("/v1/whoami", AUTH)]


class Readers:
    """n threads, each on its own keep-alive session, alternating the two
    routes as fast as answers come; every answer is recorded."""

    def __init__(self, n=4):
        self.stop = threading.Event()
        self.log = []          # (t0, t1, path, status, retry_after, content_type, error)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(n)]

    def run(self, i):
        s = requests.Session()
        k = i
        while not self.stop.is_set():
            path, headers = ROUTES[k % 2]
            k += 1
            t0 = time.monotonic()
            try:
                r = s.get(url(path), headers=headers, timeout=30)
                rec = (t0, time.monotonic(), path, r.status_code, r.headers.get("Retry-After"),
                       r.headers.get("Content-Type", ""), None)
                if r.status_code != 200:
                    try:
                        body = r.json()
                        assert body["status"] == r.status_code and body["detail"]
                    except Exception as e:  # noqa: BLE001 - recorded, asserted below
                        rec = rec[:6] + (f"bad problem body: {e}: {r.text[:200]}",)
            except requests.RequestException as e:
                rec = (t0, time.monotonic(), path, None, None, "", repr(e))
                s = requests.Session()
            with self.lock:
                self.log.append(rec)
            time.sleep(0.005)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)

    def snapshot(self):
        with self.lock:
            return list(self.log)


def first_ok_after(log, path, t):
    oks = [r[1] for r in log if r[2] == path and r[3] == 200 and r[0] >= t]
    return min(oks) - t if oks else None


def test_database_stopped_under_readers():
    assert_healthy()
    with Readers() as readers:
        time.sleep(0.5)
        stopping = time.monotonic()
        pg("stop")
        stopped = time.monotonic()
        try:
            time.sleep(2.5)
            # What needs no database keeps working meanwhile.
            assert requests.get(url("/healthz"), timeout=10).status_code == 200
            # POST /v1/score needs a token now: believed from the cache
            # (200) or, once the cache has forgotten it, 503 with Retry-After.
            r = requests.post(url("/v1/score"), headers=AUTH, json=fixture_document(), timeout=30)
            assert r.status_code in (200, 503), r.text[:300]
            if r.status_code == 503:
                assert int(r.headers["Retry-After"]) >= 1
        finally:
            restarting = time.monotonic()
            pg("start")
        started = time.monotonic()
        deadline = started + 5
        while time.monotonic() < deadline:
            log = readers.snapshot()
            if all(first_ok_after(log, p, started) is not None for p, _ in ROUTES):
                break
            time.sleep(0.05)
        time.sleep(0.3)
    log = readers.snapshot()

    # Requests in flight while pg_ctl was stopping the database (sent
    # before the stop returned, still open when it began) meet a postmaster
    # that no longer accepts yet still holds its socket; see the frozen test
    # below for what that does to the server.  They are reported, not held
    # to the rules; everything sent after the stop returned is.
    in_window = [r for r in log if r[0] < stopped and r[1] > stopping]
    overlap_bad = [r for r in in_window if r[6] or r[1] - r[0] > DB_TIMEOUT + SLACK]
    if overlap_bad:
        print(f"WARNING: {len(overlap_bad)} of {len(in_window)} requests in flight during the "
              f"stop failed or were slow: " + "; ".join(
                  f"{r[2]} {r[1] - r[0]:.2f} s {r[3] or r[6]}" for r in overlap_bad[:5]))
    log = [r for r in log if r not in overlap_bad]
    errors = [r for r in log if r[6]]
    assert not errors, f"{len(errors)} failed requests, first: {errors[0][2]} sent " \
        f"{errors[0][0] - stopped:+.2f} s after the stop returned, failed after " \
        f"{errors[0][1] - errors[0][0]:.2f} s: {errors[0][6]}"
    statuses = {}
    for r in log:
        statuses[r[3]] = statuses.get(r[3], 0) + 1
    assert set(statuses) <= {200, 503}, statuses
    for r in log:
        if r[3] == 503:
            assert r[5].startswith("application/problem+json"), r
            assert r[4] and int(r[4]) >= 1, f"503 without Retry-After: {r}"
    during = [r for r in log if r[0] >= stopped and r[1] <= restarting]
    assert during, "no request while the database was down"
    assert all(r[3] == 503 for r in during), \
        {r[3] for r in during}
    slowest = max(r[1] - r[0] for r in log)
    assert slowest <= DB_TIMEOUT + SLACK, \
        f"a request took {slowest:.2f} s (pool wait {DB_TIMEOUT:.1f} s)"
    recovery = {p: first_ok_after(log, p, started) for p, _ in ROUTES}
    print(f"{len(log)} requests {statuses}; during the outage {len(during)} x 503; "
          f"slowest {slowest * 1000:.0f} ms; recovery after the database's return: "
          + ", ".join(f"{p} {t:.2f} s" if t is not None else f"{p} never"
                      for p, t in recovery.items()))
    for p, t in recovery.items():
        assert t is not None and t <= 5.0, f"{p}: no 200 within 5 s of the database's return"
    assert_healthy()


def postgres_pids():
    pid = int(pathlib.Path(os.environ["JX_PG_DIR"], "data", "postmaster.pid")
              .read_text().split()[0])
    pids = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/status") as f:
                    for line in f:
                        if line.startswith("PPid:"):
                            if int(line.split()[1]) == pid:
                                pids.append(int(d))
                            break
            except OSError:
                pass
    return pids


def test_database_frozen_does_not_hang_the_server():
    assert_healthy()
    pids = postgres_pids()
    frozen_at = time.monotonic()
    results = {}

    def probe(name, path, headers):
        t0 = time.monotonic()
        try:
            r = requests.get(url(path), headers=headers, timeout=DB_TIMEOUT + SLACK + 3)
            results[name] = (r.status_code, time.monotonic() - t0)
        except requests.RequestException as e:
            results[name] = (repr(e), time.monotonic() - t0)

    for p in pids:
        os.kill(p, signal.SIGSTOP)
    try:
        # More database requests than worker threads, then the liveness probe.
        threads = [threading.Thread(target=probe, args=(f"whoami{i}", "/v1/whoami", AUTH))
                   for i in range(6)]
        threads += [threading.Thread(target=probe, args=(f"readyz{i}", "/readyz", {}))
                    for i in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        probe("healthz", "/healthz", {})
        for t in threads:
            t.join(DB_TIMEOUT + SLACK + 5)
    finally:
        for p in pids:
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
    print(f"frozen database for {time.monotonic() - frozen_at:.1f} s: {results}")
    # Let whatever was stuck finish before judging, so later tests see a
    # working server either way.
    time.sleep(1)
    assert results["healthz"][0] == 200, results["healthz"]
    assert results["healthz"][1] < 1.0 + SLACK, results["healthz"]
    for name, (status, took) in results.items():
        assert status in (200, 503), (name, status, took)
        assert took <= DB_TIMEOUT + SLACK, (name, status, took)


def test_a_read_on_a_connection_the_database_dropped_is_retried():
    """db_query takes an idle connection without asking the database first
    (pool_acquire_unchecked): when the backend behind it is gone, the
    statement fails at once and the second attempt, checked, reconnects.
    The caller sees 200, never the dropped connection."""
    from conftest import sql
    from test_70_write_faults import new_unit, post, project_body

    _, token = new_unit(url(""), "dropped")
    r = post(url(""), "/v1/projects", project_body(f"断线-{time.monotonic_ns()}"), token=token)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    h = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        assert requests.get(url(f"/v1/projects/{pid}"), headers=h, timeout=10).status_code == 200
    for _ in range(3):
        killed = int(sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                         " WHERE application_name = 'jixiao-server' AND state = 'idle'"))
        assert killed >= 1
        time.sleep(0.2)   # the FATAL message and the close reach the idle sockets
        for _ in range(4):
            r = requests.get(url(f"/v1/projects/{pid}"), headers=h, timeout=10)
            assert r.status_code == 200, r.text
            assert r.json()["id"] == pid
    assert_healthy()
