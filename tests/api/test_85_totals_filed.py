"""Totals a finance bureau can file and wide assessments under a province's
framework (issue 16): scopes apart (a department's whole budget never added
to its projects'), grade words of the frameworks involved, means without
incomplete (lower-bound) scores, regions named as regions, no names out of
reach; assessments' money as yuan strings with figures_as_written."""
import copy
import json
import pathlib
from decimal import Decimal

import pytest

from conftest import REPO, assert_problem, load_fixture, FIXTURES
from evalkit import World, get, make_org, make_token, post

NINGDE = json.loads((pathlib.Path(REPO) / "scripts" / "demo-ningde.json").read_text("utf-8"))
YEAR = 2024  # test_84 files 宁德 projects of 2025 in the same region


def fund_supervision():
    doc = load_fixture(FIXTURES / "000-suzhou-fund-supervision.json")["document"]
    doc = copy.deepcopy(doc)
    doc.pop("scope", None)
    doc.pop("org", None)
    doc["year"] = YEAR
    return doc


def submit(path, token, version):
    r = post(path + "/submit", token, None, **{"If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text


def totals(token, **params):
    r = get("/v1/totals", token, **params)
    assert r.status_code == 200, r.text
    return json.loads(r.text, parse_float=Decimal)


class Ningde:
    """宁德市财政局 (region_name 宁德市), two departments with a unit each."""

    def __init__(self, w):
        t = w.tag
        r = post("/v1/orgs", w_admin(), {"kind": "finance", "name": f"宁德市财政局{t}",
                                         "region_code": "350900", "region_name": "宁德市"})
        assert r.status_code == 201, r.text
        assert r.json()["region_name"] == "宁德市"
        self.fin = r.json()["id"]
        self.dept = make_org("department", f"宁德市医疗保障局{t}", "350900", self.fin)
        self.unit = make_org("unit", f"宁德市医疗保障事务中心{t}", "350900", self.dept)
        self.dept2 = make_org("department", f"宁德市教育局{t}", "350900", self.fin)
        self.t_fin, self.t_dept = make_token(self.fin), make_token(self.dept)
        self.t_unit, self.t_dept2 = make_token(self.unit), make_token(self.dept2)
        self.fw = copy.deepcopy(NINGDE["framework"])
        self.fw["id"] += "-t" + t
        assert post("/v1/frameworks", self.t_fin, self.fw).status_code == 201
        wide = get("/v1/frameworks/department-wide-2013", self.t_fin).json()["definition"]
        wide["id"] = "ningde-dept-wide-t" + t
        wide["name"] = "宁德市部门整体支出绩效评价指标体系"
        r = post("/v1/frameworks", self.t_fin, wide)
        assert r.status_code == 201, r.text
        self.wide_fw = wide["id"]


def w_admin():
    from conftest import TOKEN
    return TOKEN


@pytest.fixture(scope="module")
def nd(migrated):
    w = World()
    n = Ningde(w)
    n.world = w
    # the 宁德 project (90, 优秀) and a project-2020 one (98.50, 优), the
    # department's own; its department-wide assessment of the same year
    body = copy.deepcopy(NINGDE["document"])
    for k in ("scope", "org"):
        body.pop(k, None)
    body.update(framework=n.fw["id"], year=YEAR, org_id=n.dept)
    r = post("/v1/projects", n.t_dept, body)
    assert r.status_code == 201, r.text
    n.p1 = r.json()
    ev = post(f"/v1/projects/{n.p1['id']}/evaluations", n.t_dept).json()
    assert ev["grade"] == "优秀" and ev["total"] == 90, ev
    r = post("/v1/projects", n.t_dept, dict(fund_supervision(), org_id=n.dept))
    assert r.status_code == 201, r.text
    n.p2 = r.json()
    ev = post(f"/v1/projects/{n.p2['id']}/evaluations", n.t_dept).json()
    assert ev["grade"] == "优", ev
    wide = {"scope": "department_wide", "framework": n.wide_fw, "year": YEAR, "org_id": n.dept,
            "budget": {"initial": "1476.05万元", "adjusted": "1500万元", "executed": "1400万元"},
            "figures": {"staff_in_post": 30, "authorised_posts": 32,
                        "three_public_budget": "10万元"},
            "indicators": [{"name": "在职人员控制率", "reported_score": 5}]}
    r = post("/v1/assessments", n.t_dept, wide)
    assert r.status_code == 201, r.text
    n.a1 = r.json()
    n.wide_ev = post(f"/v1/assessments/{n.a1['id']}/evaluations", n.t_dept).json()
    assert n.wide_ev["framework"] == n.wide_fw, n.wide_ev
    # the sibling department's project, under project-2020
    r = post("/v1/projects", n.t_dept2, dict(fund_supervision(), org_id=n.dept2,
                                             name="宁德市教育局项目"))
    assert r.status_code == 201, r.text
    n.p3 = r.json()
    return n


def test_assessment_money_is_yuan_with_figures_as_written(nd):
    a = nd.a1
    assert a["budget"] == {"initial": "14760500.00", "adjusted": "15000000.00",
                           "executed": "14000000.00"}
    assert a["figures"]["three_public_budget"] == "100000.00"
    assert a["figures"]["staff_in_post"] == 30
    assert a["figures_as_written"] == {"/budget/initial": "1476.05万元",
                                       "/budget/adjusted": "1500万元",
                                       "/budget/executed": "1400万元",
                                       "/figures/three_public_budget": "10万元"}
    assert a["framework"] == nd.wide_fw and a["framework_version"] == 1
    # a GET's body PUTs back unchanged
    got = get(f"/v1/assessments/{a['id']}", nd.t_dept).json()
    r = __import__("evalkit").put(f"/v1/assessments/{a['id']}", nd.t_dept, got, got["version"])
    assert r.status_code == 200, r.text
    assert r.json()["budget"] == a["budget"] and r.json()["figures_as_written"] == a["figures_as_written"]
    # the evaluation read the amounts as written (its input)
    assert nd.wide_ev["input"]["budget"]["initial"] == "1476.05万元"


def test_wide_framework_refused_for_another_region(nd):
    w = nd.world
    body = {"scope": "department_wide", "framework": nd.wide_fw, "year": YEAR,
            "figures": {}, "indicators": []}
    errs = assert_problem(post("/v1/assessments", w.t_dept, body), 422)["errors"]
    assert [(e["pointer"], e["code"]) for e in errs] == [("/framework", "FRAMEWORK_UNKNOWN")]
    body["framework"] = nd.fw["id"]   # a project framework for a wide assessment
    errs = assert_problem(post("/v1/assessments", nd.t_dept, body), 422)["errors"]
    assert errs[0]["code"] == "FRAMEWORK_SCOPE", errs


def test_no_scope_counts_projects_only_and_says_so(nd):
    t = totals(nd.t_fin, year=str(YEAR), status="all")
    assert t["filters"]["scope"] == ["project"] and t["filters"]["scope_default"] is True
    assert "只统计项目" in t["filters"]["scope_note"]
    assert t["total"]["count"] == 3
    projects = sum(Decimal(p["budget"]["initial"]) for p in (nd.p1, nd.p2, nd.p3))
    assert Decimal(t["total"]["budget"]["initial"]) == projects


def test_several_scopes_are_grouped_never_added(nd):
    t = totals(nd.t_fin, year=str(YEAR), status="all", scope="all", group_by="department")
    assert "scope" in t["group_by"] and t["total"] is None
    mine = {g["scope"]: g for g in t["groups"] if g["department"] == nd.dept}
    assert set(mine) == {"project", "department_wide"}
    assert mine["department_wide"]["budget"]["initial"] == "14760500.00"
    two = Decimal(nd.p1["budget"]["initial"]) + Decimal(nd.p2["budget"]["initial"])
    assert Decimal(mine["project"]["budget"]["initial"]) == two
    csv = get("/v1/totals", nd.t_fin, year=str(YEAR), status="all", scope="all",
              format="csv").text
    assert "合计" not in csv


def test_grade_words_of_the_frameworks_involved(nd):
    t = totals(nd.t_fin, year=str(YEAR), status="all", group_by="grade")
    groups = {g["grade"]: g for g in t["groups"]}
    assert set(groups) == {"优秀", "优", "未评价"}, groups
    top = groups["优秀"]["grades"][0]
    assert top["grade"] == "优" and "优秀" in top["words"] and top["count"] == 1
    assert top["count_share"] == 1
    total = t["total"]["grades"]
    assert total[0]["count"] == 2 and total[4]["count"] == 1
    assert sum(g["count_share"] for g in total) == 1
    assert sum(g["amount_share"] for g in total) == 1
    assert t["grade_words"]["优"] == ["优", "优秀"] and t["grade_words"]["差"] == ["差", "不合格"]


def test_means_leave_incomplete_scores_out(nd):
    assert nd.wide_ev["complete"] is False, nd.wide_ev.get("complete")
    t = totals(nd.t_fin, year=str(YEAR), status="all", scope="department_wide")
    g = t["total"]
    assert g["evaluated"] == 1 and g["incomplete"] == 1
    assert g["mean_score"] is None and g["weighted_mean_score"] is None
    assert "incomplete" in t["mean_note"]
    p = totals(nd.t_fin, year=str(YEAR), status="all")["total"]
    assert p["mean_score"] == Decimal("94.25")   # (90 + 98.50) / 2, both complete


def test_regions_named_as_regions(nd):
    for level, code, name in (("city", "350900", "宁德市"), ("province", "350000", "福建省")):
        t = totals(nd.t_fin, year=str(YEAR), status="all", group_by="region",
                   region_level=level)
        g = [g for g in t["groups"] if g["region"] == code]
        assert g and g[0]["region_name"] == name, t["groups"]
    w = nd.world
    t = totals(w.t_fin, status="all", group_by="region", region_level="city")
    assert all(not (g["region_name"] or "").endswith("财政局") for g in t["groups"]), t["groups"]
    # region_name is a finance bureau's only
    r = post("/v1/orgs", nd.t_fin, {"kind": "department", "name": "宁德市某局" + w.tag,
                                    "region_code": "350900", "region_name": "宁德市"})
    assert assert_problem(r, 422)["errors"][0]["pointer"] == "/region_name"


def test_no_names_out_of_reach(nd):
    # the unit reaches itself: its department's name is not its to see
    post("/v1/projects", nd.t_unit, dict(fund_supervision(), name="单位项目"))
    t = totals(nd.t_unit, year=str(YEAR), status="all", group_by="department,unit")
    assert t["groups"], t
    for g in t["groups"]:
        assert g["department"] == nd.dept and g["department_name"] is None
        assert g["unit_name"] and g["unit"] == nd.unit
    # the department sees its own name, never the sibling's
    t = totals(nd.t_dept, year=str(YEAR), status="all", group_by="department")
    assert {g["department_name"] for g in t["groups"]} == {get(f"/v1/orgs/{nd.dept}", nd.t_dept).json()["name"]}
    # the bureau sees both
    t = totals(nd.t_fin, year=str(YEAR), status="all", group_by="department")
    assert len({g["department_name"] for g in t["groups"]}) == 2


def test_a_wide_report_is_labelled_as_one(nd):
    r = get(f"/v1/evaluations/{nd.wide_ev['id']}/report", nd.t_dept, format="html")
    assert r.status_code == 200, r.text
    assert "部门整体支出" in r.text
    for label in ("项目名称", "项目编码", "资金性质"):
        assert f">{label}<" not in r.text, label
    md = get(f"/v1/evaluations/{nd.wide_ev['id']}/report", nd.t_dept, format="md").text
    assert "部门（单位）名称" in md and "| 项目名称 |" not in md
