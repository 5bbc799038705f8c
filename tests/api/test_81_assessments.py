"""Department-wide and unit-wide assessments (issue 5): validation,
workflow, concurrency, idempotency, history, evaluations, the example of
scoring.md §4, CROSS_TABLE_MISMATCH, tenancy."""
import copy

import pytest
import requests

from conftest import AUTH, assert_problem, url
from evalkit import World, create_project, get, post, put
from test_20_score import close

EXAMPLE = {  # scoring.md §4
    "scope": "department_wide", "framework": "department-wide-2013", "year": 2021,
    "figures": {"staff_in_post": 30, "authorised_posts": 32,
                "three_public_budget": "10万元", "satisfaction": "95%"},
    "indicators": [
        {"name": "绩效目标合理性", "actual": [0, 1, 2], "reported_score": 2},
        {"name": "支付进度率", "actual": ["年终进度", "季度进度"], "reported_score": 2},
        {"name": "完成及时率", "actual": 4, "reported_score": 4},
        {"name": "社会效益", "actual": "达成", "reported_score": 5},
        {"name": "在职人员控制率", "reported_score": 5}],
    "reported": {"total": 95},
}

WIDE_2022 = {
    "scope": "department_wide", "year": 2022, "figures": {},
    "indicators": [
        {"level1": "部门整体绩效指标", "name": "资助困难群众参保户数", "weight": 5,
         "target": "≥20户", "actual": "27户"}],
}

PROJECT_2022 = {
    "name": "医疗救助", "year": 2022,
    "budget": {"initial": "100万元", "adjusted": "100万元", "executed": "99万元"},
    "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "资助困难群众参保",
                    "weight": 10, "target": "≥20户", "actual": "24户"}],
}


@pytest.fixture(scope="module")
def world(migrated):
    return World()


@pytest.fixture(scope="module")
def example(world):
    r = post("/v1/assessments", world.t_dept, EXAMPLE)
    assert r.status_code == 201, r.text
    return r


def test_example_of_section_4_scores(world, example):
    a = example.json()
    assert a["status"] == "draft" and a["version"] == 1 and a["org_id"] == world.dept
    assert example.headers["ETag"] == '"1"'
    assert example.headers["Location"] == f"/v1/assessments/{a['id']}"
    r = post(f"/v1/assessments/{a['id']}/evaluations", world.t_dept)
    assert r.status_code == 201, r.text
    ev = r.json()
    doc = dict(EXAMPLE, org=f"宿州市医疗保障局{world.tag}")
    want = requests.post(url("/v1/score"), headers=AUTH, json=doc, timeout=30).json()
    assert close(ev["total"], want["total"], 2) and ev["max"] == want["max"] == 100
    assert ev["grade"] == want["grade"] and ev["complete"] == want["complete"]
    assert [i["score"] for i in ev["indicators"]] == [i["score"] for i in want["indicators"]]
    assert ev["subject"] == "assessment" and ev["assessment_id"] == a["id"]
    assert ev["framework"] == "department-wide-2013"
    # the 在职人员控制率 formula: 30 / 32 <= 1, full marks
    staff = [i for i in ev["indicators"] if i["name"] == "在职人员控制率"][0]
    assert close(staff["score"], 5, 2)
    hist = get(f"/v1/assessments/{a['id']}/evaluations", world.t_dept).json()["items"]
    assert [h["id"] for h in hist] == [ev["id"]]
    lst = get("/v1/assessments", world.t_dept, year=2021).json()["items"]
    assert [x for x in lst if x["id"] == a["id"]][0]["evaluation"]["id"] == ev["id"]
    rep = get(f"/v1/evaluations/{ev['id']}/report", world.t_dept, format="md")
    assert rep.status_code == 200 and "部门整体" in rep.text


def test_validation_lists_every_problem(world):
    bad = copy.deepcopy(EXAMPLE)
    bad["year"] = 1999
    bad["indicators"][0]["name"] = "不存在的指标"
    r = post("/v1/assessments", world.t_dept, bad)
    body = assert_problem(r, 422)
    assert any(e["pointer"] == "/year" for e in body["errors"])
    typo = dict(EXAMPLE, figurse={})
    assert_problem(post("/v1/assessments", world.t_dept, typo), 400)
    wrong = dict(EXAMPLE, scope="unit_wide")
    assert_problem(post("/v1/assessments", world.t_dept, wrong), 422)  # framework scope
    # a unit cannot file for its department
    r = post("/v1/assessments", world.t_unit, dict(EXAMPLE, year=2020, org_id=world.dept))
    assert_problem(r, 422)
    # the natural key: one per organisation, year and scope
    assert_problem(post("/v1/assessments", world.t_dept, EXAMPLE), 409)


def test_workflow_concurrency_idempotency_history(world):
    body = dict(EXAMPLE, year=2019)
    a = post("/v1/assessments", world.t_dept, body, **{"Idempotency-Key": "as-1"})
    b = post("/v1/assessments", world.t_dept, body, **{"Idempotency-Key": "as-1"})
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    assert_problem(post("/v1/assessments", world.t_dept, dict(body, year=2018),
                        **{"Idempotency-Key": "as-1"}), 422)
    aid = a.json()["id"]
    changed = copy.deepcopy(body)
    changed["figures"]["staff_in_post"] = 31
    r = put(f"/v1/assessments/{aid}", world.t_dept, changed, 1)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    assert_problem(put(f"/v1/assessments/{aid}", world.t_dept, changed, 1), 412)
    r = post(f"/v1/assessments/{aid}/submit", world.t_dept, None, **{"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.text
    assert_problem(put(f"/v1/assessments/{aid}", world.t_dept, changed, 3), 409)
    assert_problem(post(f"/v1/assessments/{aid}/accept", world.t_dept, None,
                        **{"If-Match": '"3"'}), 403)  # the owner cannot accept itself
    assert_problem(post(f"/v1/assessments/{aid}/return", world.t_fin, {}, **{"If-Match": '"3"'}),
                   422)
    r = post(f"/v1/assessments/{aid}/return", world.t_fin, {"reason": "补充佐证"},
             **{"If-Match": '"3"'})
    assert r.status_code == 200 and r.json()["status"] == "draft", r.text
    assert r.json()["return_reason"] == "补充佐证"
    # a GET's body goes back as it is
    back = get(f"/v1/assessments/{aid}", world.t_dept).json()
    r = put(f"/v1/assessments/{aid}", world.t_dept, back, back["version"])
    assert r.status_code == 200 and r.json()["figures"] == back["figures"], r.text
    hist = get(f"/v1/assessments/{aid}/history", world.t_dept).json()["items"]
    assert [h["action"] for h in hist] == ["create", "update", "submit", "return", "update"]
    assert hist[1]["before"]["figures"]["staff_in_post"] == 30


def test_cross_table_mismatch_found_from_either_side(world):
    r = post("/v1/assessments", world.t_dept, WIDE_2022)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    p = create_project(world.t_dept, PROJECT_2022, world.dept)
    assert p.status_code == 201, p.text
    pid = p.json()["id"]
    ev = post(f"/v1/projects/{pid}/evaluations", world.t_dept).json()
    cross = [f for f in ev["findings"] if f["code"] == "CROSS_TABLE_MISMATCH"]
    assert len(cross) == 1 and cross[0]["pointer"] == "/indicators/0/actual", ev["findings"]
    assert ev["finding_counts"]["warning"] >= 1
    ev = post(f"/v1/assessments/{aid}/evaluations", world.t_dept).json()
    cross = [f for f in ev["findings"] if f["code"] == "CROSS_TABLE_MISMATCH"]
    assert len(cross) == 1 and cross[0]["pointer"] == "/indicators/0/actual", ev["findings"]
    # another organisation's project of the same year is not compared
    p2 = create_project(world.t_unit, PROJECT_2022, world.unit)
    ev2 = post(f"/v1/projects/{p2.json()['id']}/evaluations", world.t_unit).json()
    assert not [f for f in ev2["findings"] if f["code"] == "CROSS_TABLE_MISMATCH"]


def test_tenancy_outsiders_get_404(world, example):
    aid = example.json()["id"]
    for path in (f"/v1/assessments/{aid}", f"/v1/assessments/{aid}/history",
                 f"/v1/assessments/{aid}/evaluations"):
        assert_problem(get(path, world.t_out), 404)
        assert_problem(get(path, world.t_unit), 404)  # a unit does not see its department's
        assert get(path, world.t_fin).status_code == 200
    assert_problem(put(f"/v1/assessments/{aid}", world.t_out, EXAMPLE, 1), 404)
    assert_problem(post(f"/v1/assessments/{aid}/evaluations", world.t_out), 404)
    assert_problem(post(f"/v1/assessments/{aid}/submit", world.t_out, None,
                        **{"If-Match": '"1"'}), 404)
    assert get("/v1/assessments", world.t_out).json()["items"] == []
