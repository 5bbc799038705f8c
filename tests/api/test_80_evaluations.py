"""Evaluations of stored projects (issue 5): every fixture submitted as a
project and evaluated over the API gives the fixture's expectation;
history; immutability; dry runs; custom frameworks; tenancy."""
import copy

import pytest

from conftest import TOKEN, assert_problem, fixture_files, load_fixture
from evalkit import World, create_project, get, post, put
from test_20_score import below, close, match_all

FILES = fixture_files()


@pytest.fixture(scope="module")
def world(migrated):
    return World()


def owner_of(w, doc):
    if doc["org"].startswith("新丰"):
        return w.xf_dept, w.t_xf
    if doc["org"].startswith("宿州市城镇职工"):
        return w.unit, w.t_unit
    return w.dept, w.t_dept


def check_expect(res, exp):
    for key in ("total", "max"):
        if key in exp:
            assert close(res[key], exp[key], 2), f"{key}: {res[key]} != {exp[key]}"
    if "grade" in exp:
        assert res["grade"] == exp["grade"]
    if "execution" in exp:
        ex = exp["execution"]
        if "rate" in ex:
            if ex["rate"] is None:
                assert res["execution"]["rate"] is None
            else:
                assert close(res["execution"]["rate"], ex["rate"], 4), res["execution"]
        if "score" in ex:
            assert close(res["execution"]["score"], ex["score"], 2), res["execution"]
    if "indicator_scores" in exp:
        got = [i["score"] for i in res["indicators"]]
        assert len(got) == len(exp["indicator_scores"])
        for g, e in zip(got, exp["indicator_scores"]):
            assert close(g, e, 2), f"{got} != {exp['indicator_scores']}"
    findings = [f for f in res["findings"] if f["code"] != "CROSS_TABLE_MISMATCH"]
    if "findings" in exp:
        wanted = [tuple(x) for x in exp["findings"]]
        assert not match_all(wanted, findings), findings
        assert len(findings) == len(wanted), findings
    for code, ptr in exp.get("findings_include", []):
        assert any(f["code"] == code and below(f["pointer"], ptr) for f in findings), (code, ptr)
    for code, ptr in exp.get("findings_exclude", []):
        assert not any(f["code"] == code and below(f["pointer"], ptr) for f in findings), (code, ptr)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_fixture_as_project(world, path):
    fx = load_fixture(path)
    org, tok = owner_of(world, fx["document"])
    r = create_project(tok, fx["document"], org)
    if r.status_code == 422:
        # a document the store refuses at the door (scores above weight,
        # unknown levels): the fixture's expectation must name that problem
        codes = {e["code"] for e in r.json()["errors"]}
        assert codes & {"SCORE_ABOVE_WEIGHT", "LEVEL_UNKNOWN"}, r.text
        pytest.skip("stored projects refuse " + ", ".join(sorted(codes)))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = post(f"/v1/projects/{pid}/evaluations", tok)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert r.headers["Location"] == f"/v1/evaluations/{ev['id']}"
    check_expect(ev, fx["expect"])
    assert ev["project_id"] == pid and ev["framework"] == "project-2020"
    assert ev["framework_version"] >= 1 and ev["dry_run"] is False
    assert ev["input"]["name"] == fx["document"]["name"] and ev["created_by"]["org_id"] == org
    n = ev["finding_counts"]
    assert n["error"] + n["warning"] + n["info"] == len(ev["findings"])
    # the stored evaluation reads back identical
    g = get(f"/v1/evaluations/{ev['id']}", tok)
    assert g.status_code == 200 and g.json() == ev
    # the project's list entry shows the latest evaluation
    lst = get("/v1/projects", tok, org=org, q=fx["document"]["name"])
    item = [p for p in lst.json()["items"] if p["id"] == pid][0]
    assert item["evaluation"]["id"] == ev["id"]
    assert close(item["evaluation"]["total"], ev["total"], 2)
    assert item["evaluation"]["grade"] == ev["grade"]
    assert item["evaluation"]["finding_count"] == len(ev["findings"])


def fund_supervision():
    return load_fixture([p for p in FILES if "fund-supervision" in p.name][0])["document"]


def test_history_grows_and_old_evaluations_stay(world):
    doc = fund_supervision()
    doc["name"] += "（历史）"
    r = create_project(world.t_dept, doc, world.dept)
    assert r.status_code == 201, r.text
    pid, version = r.json()["id"], r.json()["version"]
    first = post(f"/v1/projects/{pid}/evaluations", world.t_dept).json()
    # change the project: the cost indicator now misses its target
    proj = get(f"/v1/projects/{pid}", world.t_dept).json()
    proj["indicators"][3]["actual"] = "95万元"
    r = put(f"/v1/projects/{pid}", world.t_dept, proj, version)
    assert r.status_code == 200, r.text
    second = post(f"/v1/projects/{pid}/evaluations", world.t_dept).json()
    assert second["subject_version"] == first["subject_version"] + 1
    assert second["total"] < first["total"]
    again = get(f"/v1/evaluations/{first['id']}", world.t_dept).json()
    assert again == first
    hist = get(f"/v1/projects/{pid}/evaluations", world.t_dept).json()["items"]
    assert [h["id"] for h in hist] == [first["id"], second["id"]]
    assert close(hist[0]["total"], first["total"], 2)
    lst = get("/v1/projects", world.t_dept, q=doc["name"]).json()["items"]
    assert lst[0]["evaluation"]["id"] == second["id"] and lst[0]["evaluation"]["count"] == 2


def test_dry_run_stores_nothing(world):
    doc = fund_supervision()
    doc["name"] += "（试算）"
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    r = post(f"/v1/projects/{pid}/evaluations?dry_run=true", world.t_dept)
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] is True and r.json()["id"] is None
    assert close(r.json()["total"], 98.5, 2)
    assert get(f"/v1/projects/{pid}/evaluations", world.t_dept).json()["items"] == []
    lst = get("/v1/projects", world.t_dept, q=doc["name"]).json()["items"]
    assert lst[0]["evaluation"] is None


def test_idempotent_evaluation(world):
    doc = fund_supervision()
    doc["name"] += "（幂等）"
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    a = post(f"/v1/projects/{pid}/evaluations", world.t_dept, None, **{"Idempotency-Key": "e-1"})
    b = post(f"/v1/projects/{pid}/evaluations", world.t_dept, None, **{"Idempotency-Key": "e-1"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] == b.json()["id"]
    assert len(get(f"/v1/projects/{pid}/evaluations", world.t_dept).json()["items"]) == 1


CITY = {
    "id": "suzhou-city-2023", "name": "宿州市项目支出绩效自评（市级版）", "scope": "project",
    "categories": [
        {"level1": "产出指标", "aliases": ["产出"], "weight": 50,
         "level2": ["数量指标", "质量指标", "时效指标", "成本指标"]},
        {"level1": "效益指标", "aliases": ["效益"], "weight": 30,
         "level2": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]},
        {"level1": "满意度指标", "aliases": ["满意度"], "weight": 20,
         "level2": ["服务对象满意度指标"]}],
}


def test_custom_framework_scores_a_project_and_versions(world):
    fw = copy.deepcopy(CITY)
    fw["id"] += world.tag
    r = post("/v1/frameworks", world.t_fin, fw)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["max"] == 100
    # units cannot post; outsiders cannot see it
    assert_problem(post("/v1/frameworks", world.t_unit, fw), 403)
    assert_problem(get(f"/v1/frameworks/{fw['id']}", world.t_out), 404)
    assert get(f"/v1/frameworks/{fw['id']}", world.t_unit).status_code == 200
    ids = {f["id"] for f in get("/v1/frameworks", world.t_out).json()["items"]}
    assert fw["id"] not in ids and "project-2020" in ids
    # invalid frameworks: every error listed
    bad = copy.deepcopy(fw)
    bad["categories"][0]["weight"] = 70
    assert_problem(post("/v1/frameworks", world.t_fin, bad), 422)

    doc = fund_supervision()
    doc["name"] += "（市级框架）"
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    r = post(f"/v1/projects/{pid}/evaluations", world.t_dept, {"framework": fw["id"]})
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["framework"] == fw["id"] and ev["framework_version"] == 1
    assert ev["max"] == 100 and ev["execution"]["weight"] == 0
    # v1 is now used: posting a change makes v2; v1 and the evaluation stay
    fw2 = copy.deepcopy(fw)
    fw2["name"] += "（修订）"
    r = post("/v1/frameworks", world.t_fin, fw2)
    assert r.status_code == 201 and r.json()["version"] == 2, r.text
    v1 = get(f"/v1/frameworks/{fw['id']}", world.t_fin, version=1).json()
    assert v1["used"] is True and v1["name"] == fw["name"]
    assert get(f"/v1/frameworks/{fw['id']}", world.t_fin).json()["versions"] == [1, 2]
    # v2 unused: replaced in place
    fw2["name"] += "二"
    r = post("/v1/frameworks", world.t_fin, fw2)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    assert get(f"/v1/evaluations/{ev['id']}", world.t_dept).json() == ev
    # another bureau cannot take the id; built-ins are taken
    assert_problem(post("/v1/frameworks", world.t_out_fin, fw), 409)
    builtin = get("/v1/frameworks/project-2020", world.t_fin).json()
    assert builtin["builtin"] is True and builtin["definition"]["execution_weight"] == 10
    # an outsider's framework cannot be used
    assert_problem(post(f"/v1/projects/{pid}/evaluations", world.t_dept,
                        {"framework": "no-such-framework"}), 422)


def test_tenancy_outsiders_get_404(world):
    doc = fund_supervision()
    doc["name"] += "（租户）"
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    eid = post(f"/v1/projects/{pid}/evaluations", world.t_dept).json()["id"]
    for path in (f"/v1/projects/{pid}/evaluations", f"/v1/evaluations/{eid}",
                 f"/v1/evaluations/{eid}/report"):
        assert_problem(get(path, world.t_out), 404)
        assert_problem(get(path, world.t_xf), 404)
        assert get(path, world.t_fin).status_code == 200
    assert_problem(post(f"/v1/projects/{pid}/evaluations", world.t_out), 404)
    assert_problem(post(f"/v1/projects/{pid}/evaluations?dry_run=1", world.t_out_fin), 404)
    # the finance bureau above may run one
    assert post(f"/v1/projects/{pid}/evaluations", world.t_fin).status_code == 201
    # the operator sees everything
    assert get(f"/v1/evaluations/{eid}", TOKEN).status_code == 200
