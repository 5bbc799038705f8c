"""整改 (issue 20): each problem of a submitted project's 问题清单 becomes an
item; its life open -> in_progress -> done -> verified or reopened, who may
do what, 409 naming the allowed moves, deadlines and overdue lists, the
audit trail."""
import os

import pytest

from conftest import api, assert_problem, project_body
from test_40_auth import sql

N = [0]

PROBLEMS = [
    {"category": "预算执行", "responsible_office": "社保科", "description": "预算执行率偏低",
     "rectification_advice": "加快项目实施进度"},
    {"category": "绩效目标", "description": "绩效目标设置不够细化"},
]


def submitted(token, problems=PROBLEMS):
    N[0] += 1
    r = api("POST", "/v1/projects", token,
            project_body(f"整改项目-{os.getpid()}-{N[0]}", problems=problems))
    assert r.status_code == 201, r.text
    p = r.json()
    r = api("POST", f"/v1/projects/{p['id']}/submit", token, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    return r.json()


def items(token, **q):
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    r = api("GET", f"/v1/rectifications?{qs}", token)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def patch(token, item, body, version=None):
    v = item["version"] if version is None else version
    return api("PATCH", f"/v1/rectifications/{item['id']}", token, body,
               headers={"If-Match": f'"{v}"'})


def test_submission_makes_one_item_per_problem(tree):
    t = tree["unitA1"]["token"]
    p = submitted(t)
    got = items(t, project_id=p["id"])
    assert [i["description"] for i in got] == ["预算执行率偏低", "绩效目标设置不够细化"]
    i = got[0]
    assert i["status"] == "open" and i["overdue"] is False and i["version"] == 1
    assert i["rectification_advice"] == "加快项目实施进度" and i["org_id"] == tree["unitA1"]["id"]
    assert i["deadline"] == sql("SELECT to_char(current_date + 90, 'YYYY-MM-DD')")
    # returned and submitted again: no duplicates, a new problem is added
    r = api("POST", f"/v1/projects/{p['id']}/return", tree["deptA"]["token"],
            {"reason": "补充问题"}, headers={"If-Match": f'"{p["version"]}"'})
    assert r.status_code == 200, r.text
    r = api("PATCH", f"/v1/projects/{p['id']}", t,
            {"problems": PROBLEMS + [{"description": "资产管理不规范"}]},
            headers={"If-Match": f'"{r.json()["version"]}"'})
    assert r.status_code == 200, r.text
    r = api("POST", f"/v1/projects/{p['id']}/submit", t,
            headers={"If-Match": f'"{r.json()["version"]}"'})
    assert r.status_code == 200, r.text
    assert len(items(t, project_id=p["id"])) == 3


def test_transitions_allowed_and_refused(tree):
    unit, dept, fin = tree["unitA1"]["token"], tree["deptA"]["token"], tree["finA"]["token"]
    p = submitted(unit)
    i = items(unit, project_id=p["id"])[0]
    # open -> done is not a move: 409 naming the allowed one
    b = assert_problem(patch(unit, i, {"status": "done", "note": "已完成"}), 409)
    assert b["allowed"] == ["in_progress"] and "in_progress" in b["detail"]
    # a finance bureau does not move the unit's work on
    assert_problem(patch(fin, i, {"status": "in_progress"}), 403)
    r = patch(unit, i, {"status": "in_progress"})
    assert r.status_code == 200, r.text
    i = r.json()
    assert i["status"] == "in_progress" and r.headers["ETag"] == '"2"'
    # done needs a note or evidence
    b = assert_problem(patch(unit, i, {"status": "done"}), 422)
    assert b["errors"][0]["code"] == "NOTE_REQUIRED"
    i = patch(unit, i, {"status": "done", "evidence": "支付凭证 2024-031"}).json()
    assert i["status"] == "done" and i["evidence"] == "支付凭证 2024-031"
    # the unit never verifies its own item
    b = assert_problem(patch(unit, i, {"status": "verified"}), 403)
    assert "not the unit itself" in b["detail"]
    # a stale If-Match
    assert_problem(patch(fin, i, {"status": "verified"}, version=1), 412)
    i = patch(dept, i, {"status": "reopened", "note": "佐证不足"}).json()
    assert i["status"] == "reopened" and i["note"] == "佐证不足"
    b = assert_problem(patch(unit, i, {"status": "done"}), 409)
    assert b["allowed"] == ["in_progress"]
    i = patch(unit, i, {"status": "in_progress"}).json()
    i = patch(unit, i, {"status": "done", "note": "已补充佐证"}).json()
    i = patch(fin, i, {"status": "verified"}).json()
    assert i["status"] == "verified"
    b = assert_problem(patch(fin, i, {"status": "reopened"}), 409)
    assert b["allowed"] == []
    # out of reach: 404
    assert_problem(patch(tree["unitB"]["token"], i, {"note": "x"}), 404)
    assert_problem(api("GET", f"/v1/rectifications/{i['id']}", tree["unitA2"]["token"]), 404)
    # history: every change, oldest first, who and what
    h = api("GET", f"/v1/rectifications/{i['id']}/history", fin).json()["items"]
    assert [e["action"] for e in h] == ["create", "in_progress", "done", "reopened",
                                       "in_progress", "done", "verified"]
    assert h[-1]["actor"]["org_id"] == tree["finA"]["id"]
    assert h[2]["before"]["status"] == "in_progress" and h[2]["after"]["status"] == "done"


def test_bad_bodies(tree):
    unit = tree["unitA1"]["token"]
    i = items(unit, project_id=submitted(unit)["id"])[0]
    assert_problem(patch(unit, i, {"status": "finished"}), 422)
    assert_problem(patch(unit, i, {"stauts": "done"}), 400)
    assert_problem(patch(unit, i, {}), 422)
    assert_problem(patch(unit, i, {"deadline": "2025-02-30"}), 422)
    assert_problem(api("PATCH", f"/v1/rectifications/{i['id']}", unit, {"note": "x"}), 428)
    assert_problem(api("GET", "/v1/rectifications?status=closed", unit), 400)


def test_deadlines_and_overdue(tree):
    unit, fin = tree["unitA1"]["token"], tree["finA"]["token"]
    p = submitted(unit)
    a, b = items(unit, project_id=p["id"])
    assert_problem(patch(unit, a, {"deadline": "2020-01-31"}), 403)   # the reviewer's to set
    a = patch(fin, a, {"deadline": "2020-01-31"}).json()
    assert a["overdue"] is True and a["deadline"] == "2020-01-31"
    over = {i["id"] for i in items(fin, overdue="true", project_id=p["id"])}
    assert over == {a["id"]}
    assert {i["id"] for i in items(fin, overdue="false", project_id=p["id"])} == {b["id"]}
    # done is no longer overdue
    a = patch(unit, a, {"status": "in_progress"}).json()
    a = patch(unit, a, {"status": "done", "note": "已整改"}).json()
    assert a["overdue"] is False
    assert items(fin, overdue="true", project_id=p["id"]) == []
    assert {i["id"] for i in items(fin, status="done", project_id=p["id"])} == {a["id"]}
    # reach: another province's bureau sees none of them
    assert items(tree["finB"]["token"], project_id=p["id"]) == []
