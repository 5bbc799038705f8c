"""Group commit of project creates (server/batch.c, server/db/projects.c): creates
that arrive while others are in PostgreSQL are written by one statement,
yet each keeps its own answer.

How the test makes a group: a psql session holds ACCESS EXCLUSIVE on
projects, so the first creates (the runs under way: two at most) wait in
PostgreSQL; the creates sent meanwhile queue in the server; when the lock
goes, the next run takes all of them into one statement.  In that group:
two projects with the same name (the statement fails on the unique name;
each create then runs alone: one 201, one 409), a create for an
organisation out of reach (422 ORG_UNKNOWN, the others unharmed), two
retries with one Idempotency-Key (one project; the second gets the
first's answer, replayed), and plain creates (201).  The metrics show that
statements ran fewer than creates.
"""
import threading
import time

import requests

from conftest import BASE, start_server, wait_for
from test_25_handoff import projects_locked, waiters
from test_70_write_faults import half_written, new_unit, org_projects, post, project_body


def metric(base, name):
    for line in requests.get(base + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    raise AssertionError(f"{name} not in /metrics")


def fire(base, token, body, headers, out, key):
    def go():
        try:
            r = post(base, "/v1/projects", body, headers=headers, token=token)
            out[key] = r
        except requests.RequestException as e:
            out[key] = e
    t = threading.Thread(target=go)
    t.start()
    return t


def test_creates_sent_together_share_a_statement_and_keep_their_own_answers():
    # a server of its own whose round trips outlast the lock
    with start_server(JIXIAO_DB_TIMEOUT=30000) as (base, _):
        group_of_creates(base)


def group_of_creates(base):
    unit, token = new_unit(base, f"group-{time.monotonic_ns()}")
    tag = f"组-{time.monotonic_ns()}"
    before_stmts = metric(base, "jixiao_project_create_statements_total")
    before_reqs = metric(base, "jixiao_project_create_requests_total")
    out, threads = {}, []
    with projects_locked():
        for i in range(2):                      # the two runs that wait in PostgreSQL
            threads.append(fire(base, token, project_body(f"{tag}-lead-{i}"), None, out,
                                f"lead{i}"))
        assert wait_for(lambda: waiters() >= 2, 20), "the first creates never reached the lock"
        group = {
            "dup-a": (project_body(f"{tag}-same"), None),
            "dup-b": (project_body(f"{tag}-same"), None),
            "key-a": (project_body(f"{tag}-keyed"), {"Idempotency-Key": f"group-{id(out)}-k"}),
            "key-b": (project_body(f"{tag}-keyed"), {"Idempotency-Key": f"group-{id(out)}-k"}),
            "away": (dict(project_body(f"{tag}-away"), org_id=999999999), None),
        }
        for i in range(5):
            group[f"plain{i}"] = (project_body(f"{tag}-plain-{i}"), None)
        for key, (body, headers) in group.items():
            threads.append(fire(base, token, body, headers, out, key))
        time.sleep(1.0)                         # all of them queued behind the two runs
        assert waiters() == 2, "a third statement reached PostgreSQL: no group formed"
    for t in threads:
        t.join(60)
    for key, r in out.items():
        assert not isinstance(r, Exception), f"{key}: {r!r}"
    assert len(out) == 12

    for key in ("lead0", "lead1") + tuple(f"plain{i}" for i in range(5)):
        assert out[key].status_code == 201, (key, out[key].text)
    dups = sorted(out[k].status_code for k in ("dup-a", "dup-b"))
    assert dups == [201, 409], [out[k].text for k in ("dup-a", "dup-b")]
    loser = out["dup-a"] if out["dup-a"].status_code == 409 else out["dup-b"]
    assert loser.headers["Content-Type"].startswith("application/problem+json")
    assert out["away"].status_code == 422, out["away"].text
    assert "ORG_UNKNOWN" in out["away"].text and "/org_id" in out["away"].text
    a, b = out["key-a"], out["key-b"]
    assert a.status_code == b.status_code == 201, (a.text, b.text)
    assert a.text == b.text and a.headers["Location"] == b.headers["Location"]
    assert [a.headers.get("Idempotent-Replayed"), b.headers.get("Idempotent-Replayed")].count(
        "true") == 1

    ids = [out[k].json()["id"] for k in out if out[k].status_code == 201]
    assert sorted(set(ids)) == org_projects(unit)          # 2 + 5 + 1 + 1 projects, each once
    assert len(set(ids)) == 9
    assert half_written(unit) == {}
    for key in ("plain0", "key-a", "lead1"):                # each answer is its own project's
        p = out[key].json()
        assert p["name"] == group.get(key, (project_body(f"{tag}-lead-1"), None))[0]["name"]
        got = requests.get(base + f"/v1/projects/{p['id']}",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert got.status_code == 200 and got.json() == p
    stmts = metric(base, "jixiao_project_create_statements_total") - before_stmts
    reqs = metric(base, "jixiao_project_create_requests_total") - before_reqs
    # 12 creates; the failed group's creates counted again when run alone
    assert reqs >= 12 and stmts < reqs, (stmts, reqs)


def test_a_lone_create_is_not_held_back():
    unit, token = new_unit(BASE, f"lone-{time.monotonic_ns()}")
    before = metric(BASE, "jixiao_project_create_statements_total")
    t0 = time.monotonic()
    r = post(BASE, "/v1/projects", project_body(f"单-{time.monotonic_ns()}"), token=token)
    assert r.status_code == 201, r.text
    assert time.monotonic() - t0 < 5
    assert metric(BASE, "jixiao_project_create_statements_total") - before == 1
    assert org_projects(unit) == [r.json()["id"]]
