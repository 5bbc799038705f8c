"""Writers under faults: the database restarted, the server SIGKILLed.

operations.md, reliability targets:
- PostgreSQL stopped and started while clients write: the server answers
  503 (with Retry-After) meanwhile, never 500, recovers by itself within
  5 s of the database's return, and every write that got a 2xx is in the
  database afterwards (counted), none twice.
- The server SIGKILLed under write load and restarted: every acknowledged
  write present, no half-written project (a project without its
  indicators, indicators without their project, an audit entry without its
  change), and the restarted server serves normally.

Writers are threads, each on its own keep-alive session, POSTing
/v1/projects for one unit of their own (created here with the bootstrap
token: a finance bureau, a department, the unit and its token) with an
Idempotency-Key per project, as a careful client would: on a 503 or a
dropped connection they retry the same request with the same key until it
is acknowledged.  What the database holds is then counted with psql over
the private cluster's Unix socket (DATABASE_URL), not through the server.

Runs before test_80_database.py (file order); leaves the cluster running
and the shared server healthy.
"""
import os
import signal
import threading
import time

import requests

from conftest import (AUTH, DB_TIMEOUT, SANITIZED, assert_healthy, fixture_document, pg,
                      sql, start_server, url, wait_for)

SLACK = 2.5 if SANITIZED else 1.5
WRITERS = 4



def post(base, path, body, headers=None, token=None):
    h = dict(headers or {})
    h["Authorization"] = f"Bearer {token}" if token else AUTH["Authorization"]
    return requests.post(base + path, json=body, headers=h, timeout=30)


def new_unit(base, tag):
    """A finance bureau, a department under it and a unit under that (all
    341300), and a token of the unit."""
    ids = {}
    for kind, parent in (("finance", None), ("department", None), ("unit", "department")):
        body = {"kind": kind, "name": f"故障-{tag}-{kind}-{os.getpid()}", "region_code": "341300"}
        if parent:
            body["parent_id"] = ids[parent]
        r = post(base, "/v1/orgs", body)
        assert r.status_code == 201, r.text
        ids[kind] = r.json()["id"]
    r = post(base, f"/v1/orgs/{ids['unit']}/tokens", {"label": f"fault {tag}"})
    assert r.status_code == 201, r.text
    return ids["unit"], r.json()["token"]


def project_body(name):
    doc = fixture_document()
    doc.pop("scope", None)
    doc.pop("org", None)
    doc.update({"name": name, "year": 2022, "supervising_office": "社保科",
                "fund_nature": "本级项目", "category": "常年"})
    return doc


class Writers:
    """n threads creating projects as fast as answers come.  Each write has
    its own Idempotency-Key and is retried (same key, same body) after a
    503 or a connection error until it gets a 2xx, or until stop() and
    give_up is set.  Records every answer and, per key, the acknowledged
    project id."""

    def __init__(self, base, token, tag, n=WRITERS):
        self.base, self.token, self.tag = base, token, tag
        self.stopping = threading.Event()
        self.give_up = threading.Event()
        self.lock = threading.Lock()
        self.log = []        # (t0, t1, status or None, retry_after, error, key)
        self.acked = {}      # key -> (id, replayed)
        self.pending = {}    # key -> body: sent, never acknowledged
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(n)]

    def run(self, i):
        s = requests.Session()
        seq = 0
        while not self.stopping.is_set():
            seq += 1
            key = f"{self.tag}-w{i}-{seq}"
            body = project_body(f"写入-{self.tag}-{i}-{seq}")
            while True:
                t0 = time.monotonic()
                try:
                    r = s.post(self.base + "/v1/projects", json=body, timeout=30, headers={
                        "Authorization": f"Bearer {self.token}", "Idempotency-Key": key})
                    rec = (t0, time.monotonic(), r.status_code, r.headers.get("Retry-After"),
                           None, key)
                    if 200 <= r.status_code < 300:
                        with self.lock:
                            self.log.append(rec)
                            self.acked[key] = (r.json()["id"],
                                               r.headers.get("Idempotent-Replayed") == "true")
                            self.pending.pop(key, None)
                        break
                except requests.RequestException as e:
                    rec = (t0, time.monotonic(), None, None, repr(e), key)
                    s = requests.Session()
                with self.lock:
                    self.log.append(rec)
                    self.pending[key] = body
                if self.give_up.is_set() or rec[2] not in (None, 503):
                    return
                time.sleep(0.02)

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self, give_up=False):
        if give_up:
            self.give_up.set()
        self.stopping.set()
        for t in self.threads:
            t.join(60)
        assert not any(t.is_alive() for t in self.threads), "a writer hung"

    def snapshot(self):
        with self.lock:
            return list(self.log)


def org_projects(org_id):
    out = sql(f"SELECT id FROM projects WHERE org_id = {int(org_id)} ORDER BY id")
    return [int(x) for x in out.split()] if out else []


def half_written(org_id):
    """Rows of this organisation that are not whole: projects whose
    indicator rows do not match the stored count (or the document),
    indicators without a project, audit entries without their project, a
    project without its one 'create' entry, keys pointing nowhere."""
    o = int(org_id)
    checks = {
        "project without its indicators": f"""
            SELECT count(*) FROM projects p WHERE p.org_id = {o} AND (p.indicator_count
              <> (SELECT count(*) FROM indicators i WHERE i.province = p.province
                  AND i.project_id = p.id)
              OR p.indicator_count <> jsonb_array_length(p.doc->'indicators'))""",
        "indicators without their project": f"""
            SELECT count(*) FROM indicators i WHERE NOT EXISTS (SELECT 1 FROM projects p
              WHERE p.province = i.province AND p.id = i.project_id)""",
        "audit entry without its project": f"""
            SELECT count(*) FROM audit_log a WHERE a.resource = 'project' AND a.org_id = {o}
              AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.province = a.province
                              AND p.id = a.resource_id)""",
        "project without exactly one create entry": f"""
            SELECT count(*) FROM projects p WHERE p.org_id = {o} AND (SELECT count(*)
              FROM audit_log a WHERE a.province = p.province AND a.resource = 'project'
              AND a.resource_id = p.id AND a.action = 'create') <> 1""",
        "idempotency key without its project": f"""
            SELECT count(*) FROM idempotency_keys k WHERE k.org_id = {o}
              AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.province = k.province
                  AND '/v1/projects/' || p.id = k.location)""",
    }
    return {name: int(sql(q)) for name, q in checks.items() if int(sql(q))}


def assert_counted(writers, org_id):
    """Every acknowledged write is in the database, each key once, and
    nothing else is."""
    ids = {k: v[0] for k, v in writers.acked.items()}
    assert len(set(ids.values())) == len(ids), "two keys acknowledged with one project id"
    stored = org_projects(org_id)
    assert len(stored) == len(set(stored))
    missing = set(ids.values()) - set(stored)
    assert not missing, f"{len(missing)} acknowledged projects missing: {sorted(missing)[:10]}"
    extra = set(stored) - set(ids.values())
    assert not extra, f"{len(extra)} projects stored that no key acknowledged: {sorted(extra)[:10]}"
    return len(stored)


def test_database_restarted_under_writers():
    assert_healthy()
    org, token = new_unit(url(""), "restart")
    w = Writers(url(""), token, "restart").start()
    try:
        assert wait_for(lambda: len(w.acked) >= 8, 20), "writers did not get going"
        stopping = time.monotonic()
        pg("stop")
        stopped = time.monotonic()
        time.sleep(2.0)
        restarting = time.monotonic()
        pg("start")
        started = time.monotonic()

        def ok_after_start():
            return [r for r in w.snapshot() if r[2] == 201 and r[0] >= started]
        wait_for(ok_after_start, 5 + SLACK)
        time.sleep(0.5)
    finally:
        w.stop()
    log = w.snapshot()
    statuses = {}
    for r in log:
        statuses[r[2] or "error"] = statuses.get(r[2] or "error", 0) + 1
    firsts = [r[1] for r in log if r[2] == 201 and r[0] >= started]
    recovery = min(firsts) - started if firsts else None
    during = [r for r in log if r[0] >= stopped and r[1] <= restarting]
    replayed = sum(1 for v in w.acked.values() if v[1])
    print(f"{len(log)} answers {statuses}; {len(during)} while the database was down; "
          f"{len(w.acked)} writes acknowledged ({replayed} by a replay after a retry); "
          f"stop took {stopped - stopping:.2f} s; recovery {recovery if recovery is None else round(recovery, 2)} s "
          f"after the database's return")

    bad = [r for r in log if r[2] is not None and r[2] not in (201, 503)]
    assert not bad, f"answers other than 201/503: {bad[:5]}"
    for r in log:
        if r[2] == 503:
            assert r[3] and int(r[3]) >= 1, f"503 without Retry-After: {r}"
    # A request sent while the database was down is answered 503 in time
    # (never a dropped connection: those are for the stop itself, below).
    assert during, "no write while the database was down"
    assert all(r[2] == 503 for r in during), {r[2] or r[4] for r in during}
    assert max(r[1] - r[0] for r in during) <= DB_TIMEOUT + SLACK
    # Requests caught by the stop itself may see their connection closed
    # (the server's response never lost: the client retries with the key).
    errors = [r for r in log if r[4] and not (r[0] < stopped and r[1] > stopping)]
    assert not errors, f"{len(errors)} dropped connections outside the stop: {errors[:3]}"
    assert recovery is not None and recovery <= 5.0, f"no 201 within 5 s: {recovery}"
    assert not w.pending, f"writes never acknowledged: {list(w.pending)[:5]}"

    n = assert_counted(w, org)
    assert not half_written(org), half_written(org)
    print(f"database holds {n} projects for {len(w.acked)} acknowledged keys")
    assert_healthy()


def test_server_sigkilled_under_writers():
    with start_server() as (base, proc):
        org, token = new_unit(base, "kill")
        w = Writers(base, token, "kill").start()
        try:
            assert wait_for(lambda: len(w.acked) >= 20, 30), "writers did not get going"
            time.sleep(0.3)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            killed = time.monotonic()
        finally:
            w.stop(give_up=True)
    acked_at_kill = dict(w.acked)
    pending = dict(w.pending)
    print(f"SIGKILL after {len(acked_at_kill)} acknowledged writes, {len(pending)} in flight")
    assert not [r for r in w.snapshot() if r[2] is not None and r[2] != 201], \
        "answers other than 201 before the kill"

    # Before any restart: what was acknowledged is there, and whole.
    # The killed server's backends may still be finishing a COMMIT that was
    # under way at the kill (PostgreSQL notices the dead client only after
    # it): count once they are done, else a commit landing after the count
    # reads as a replay of nothing (2 replayed, 0 counted, seen once).
    wait_for(lambda: sql("SELECT count(*) FROM pg_stat_activity WHERE state <> 'idle'"
                         " AND backend_type = 'client backend'"
                         " AND pid <> pg_backend_pid()") == "0", 10, interval=0.05)
    stored = set(org_projects(org))
    missing = {v[0] for v in acked_at_kill.values()} - stored
    assert not missing, f"acknowledged and lost: {sorted(missing)[:10]}"
    assert not half_written(org), half_written(org)
    in_flight_committed = len(stored) - len(acked_at_kill)
    assert 0 <= in_flight_committed <= len(pending)

    with start_server() as (base2, proc2):
        started = time.monotonic()
        assert_healthy(base2, proc2.pid)
        # The writes in flight at the kill, retried with their keys: each
        # ends as exactly one project (a replay when it had committed).
        s = requests.Session()
        replays = 0
        for key, body in pending.items():
            r = s.post(base2 + "/v1/projects", json=body, timeout=30, headers={
                "Authorization": f"Bearer {token}", "Idempotency-Key": key})
            assert r.status_code == 201, r.text
            w.acked[key] = (r.json()["id"], r.headers.get("Idempotent-Replayed") == "true")
            replays += w.acked[key][1]
        # Serves normally: reads, a new write, the list.
        some = next(iter(acked_at_kill.values()))[0]
        r = s.get(f"{base2}/v1/projects/{some}", headers={"Authorization": f"Bearer {token}"},
                  timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["name"].startswith("写入-kill-")
        r = s.post(base2 + "/v1/projects", json=project_body(f"写入-kill-after-{os.getpid()}"),
                   timeout=30, headers={"Authorization": f"Bearer {token}",
                                        "Idempotency-Key": "kill-after"})
        assert r.status_code == 201, r.text
        w.acked["kill-after"] = (r.json()["id"], False)
        r = s.get(f"{base2}/v1/projects?org={org}&limit=5",
                  headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 200, r.text
        print(f"restarted and serving in {time.monotonic() - killed:.2f} s; {len(pending)} "
              f"in-flight writes retried: {replays} replayed (committed before the kill), "
              f"{len(pending) - replays} created now ({in_flight_committed} had committed)")
        assert replays == in_flight_committed
    n = assert_counted(w, org)
    assert not half_written(org), half_written(org)
    print(f"database holds {n} projects for {len(w.acked)} acknowledged keys")
