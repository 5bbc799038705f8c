"""POST /v1/projects/{id}/evaluations under database faults.

An evaluation without an Idempotency-Key runs in two libpq pipelines
(pool_exec_pipeline: BEGIN + the subject's lock + the cross read, then the
insert + COMMIT).  A pipeline has the deadline, cancel and 503 of a single
statement:

- the subject's row held locked by another transaction for longer than the
  pool's deadline: 503 with Retry-After within the deadline plus slack,
  never a hang; once the lock is gone the next evaluation is stored (201);
- every PostgreSQL process frozen (SIGSTOP) under evaluators: each answer
  is 503 within the deadline plus slack; after SIGCONT evaluations are
  stored again within 5 s;
- afterwards every evaluation answered 201 is in the database, once, and
  the subject's rollup counts exactly the evaluations stored (nothing
  half-written by an abandoned pipeline).

Runs before test_80_database.py (file order); leaves the cluster running
and the shared server healthy.
"""
import os
import subprocess
import threading
import time
import uuid

import requests

from conftest import AUTH, DB_TIMEOUT, PSQL, SANITIZED, assert_healthy, assert_problem, \
    fixture_document, sql, url, wait_for
from test_80_database import postgres_pids

SLACK = 2.5 if SANITIZED else 1.5



def post(path, token, body=None):
    return requests.post(url(path), json=body, headers={"Authorization": f"Bearer {token}"},
                         timeout=DB_TIMEOUT + SLACK + 10)


def new_project():
    """A unit of its own with a token, and one fixture project of it."""
    tag = uuid.uuid4().hex[:6]
    r = requests.post(url("/v1/orgs"), json={"kind": "unit", "name": f"评价故障-{tag}",
                                             "region_code": "341300"}, headers=AUTH, timeout=30)
    assert r.status_code == 201, r.text
    unit = r.json()["id"]
    r = requests.post(url(f"/v1/orgs/{unit}/tokens"), json={"label": "fault"}, headers=AUTH,
                      timeout=30)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    doc = fixture_document()
    doc.pop("scope", None)
    doc.pop("org", None)
    doc["name"] = f"{doc.get('name', '项目')}-{tag}"
    r = post("/v1/projects", token, doc)
    assert r.status_code == 201, r.text
    return r.json()["id"], token


def stored(pid):
    n = int(sql(f"SELECT count(*) FROM evaluations WHERE subject = 'project' "
                f"AND subject_id = {pid}"))
    rolled = sql(f"SELECT coalesce(sum(evaluation_count), 0) FROM evaluation_rollups "
                 f"WHERE subject = 'project' AND subject_id = {pid}")
    return n, int(rolled)


def test_evaluation_waits_no_longer_than_the_deadline_for_a_locked_subject():
    assert_healthy()
    pid, token = new_project()
    assert post(f"/v1/projects/{pid}/evaluations", token).status_code == 201
    hold = DB_TIMEOUT + SLACK + 1.5
    locker = subprocess.Popen(
        [PSQL, os.environ["DATABASE_URL"], "-Xq", "-v", "ON_ERROR_STOP=1", "-c",
         f"BEGIN; SELECT 1 FROM projects WHERE id = {pid} FOR UPDATE; "
         f"SELECT pg_sleep({hold}); COMMIT;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: sql(
            f"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            f"WHERE c.relname = 'projects' AND l.mode = 'RowShareLock' "
            f"AND l.pid <> pg_backend_pid()") != "0", 10)
        t0 = time.monotonic()
        r = post(f"/v1/projects/{pid}/evaluations", token)
        took = time.monotonic() - t0
        assert r.status_code == 503, r.text
        assert_problem(r, 503)
        assert int(r.headers["Retry-After"]) >= 1
        assert took <= DB_TIMEOUT + SLACK, f"{took:.2f} s"
    finally:
        locker.wait(hold + 30)
    assert locker.returncode == 0, locker.stderr
    ok = wait_for(lambda: post(f"/v1/projects/{pid}/evaluations", token).status_code == 201, 5)
    assert ok, "no evaluation stored within 5 s of the lock's release"
    assert stored(pid) == (2, 2)
    assert_healthy()


def test_evaluations_under_a_frozen_database():
    assert_healthy()
    pid, token = new_project()
    results, lock = [], threading.Lock()
    stop = threading.Event()

    def evaluator():
        s = requests.Session()
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                r = s.post(url(f"/v1/projects/{pid}/evaluations"),
                           headers={"Authorization": f"Bearer {token}"},
                           timeout=DB_TIMEOUT + SLACK + 10)
                rec = (t0, time.monotonic(), r.status_code, r.headers.get("Retry-After"), None)
            except requests.RequestException as e:
                rec = (t0, time.monotonic(), None, None, repr(e))
            with lock:
                results.append(rec)

    threads = [threading.Thread(target=evaluator, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    pids = postgres_pids()
    for p in pids:
        os.kill(p, 19)  # SIGSTOP
    frozen = time.monotonic()
    try:
        time.sleep(DB_TIMEOUT + SLACK + 1)
    finally:
        for p in pids:
            try:
                os.kill(p, 18)  # SIGCONT
            except ProcessLookupError:
                pass
    thawed = time.monotonic()
    time.sleep(5)
    stop.set()
    for t in threads:
        t.join(DB_TIMEOUT + SLACK + 15)

    errors = [r for r in results if r[4]]
    assert not errors, errors[:3]
    assert {r[2] for r in results} <= {201, 503}, {r[2] for r in results}
    for r in results:
        assert r[1] - r[0] <= DB_TIMEOUT + SLACK, f"an evaluation took {r[1] - r[0]:.2f} s"
        if r[2] == 503:
            assert r[3] and int(r[3]) >= 1, r
    during = [r for r in results if r[0] >= frozen + DB_TIMEOUT and r[1] <= thawed]
    assert during and all(r[2] == 503 for r in during), during[:3]
    after = [r for r in results if r[0] >= thawed + 2.0]
    assert any(r[2] == 201 for r in after), "no evaluation stored after the thaw"
    acked = sum(1 for r in results if r[2] == 201)
    n, rolled = stored(pid)
    # A 503 may come after a COMMIT that reached the database (the answer
    # was lost, as with any write): never fewer stored than acknowledged.
    assert n >= acked, (n, acked)
    assert rolled == n, (rolled, n)
    print(f"{len(results)} evaluations: {acked} stored and acknowledged, {n} in the database, "
          f"{len(during)} x 503 while frozen")
    assert_healthy()
