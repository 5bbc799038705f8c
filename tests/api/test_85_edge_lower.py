"""The lower holes of issue 17 (item 4), shut: a token's expires_at out of
range is 422 (was 500); a plan naming another organisation's projects or
units is 422 exactly as for ids that do not exist (was stored, 201); a CSV
cell beginning with CR or LF before = + - @ is neutralised (totals and
report CSV); organisations, plans, tokens and frameworks have a
GET .../history like projects', scoped like the resource."""
import copy
import csv
import io
import uuid

import pytest

from conftest import TOKEN, assert_problem, fixture_files, load_fixture
from evalkit import World, create_project, get, make_org, make_token, post, put, hdr
from test_80_evaluations import CITY
from test_82_plans_reports import plan_body

import requests
from conftest import url

FILES = {p.stem: p for p in fixture_files()}


@pytest.fixture(scope="module")
def world(migrated):
    return World()


# ---- token expires_at --------------------------------------------------------

@pytest.mark.parametrize("when", ["2026-13-45T99:99:99Z", "2026-02-30T00:00:00Z",
                                  "2027-02-29T00:00:00Z", "2026-12-31T24:00:00Z",
                                  "2026-12-31T23:60:00Z", "0000-01-01T00:00:00Z",
                                  "2026-12-31T00:00:00+24:00"])
def test_token_expiry_out_of_range_is_422(world, when):
    r = post(f"/v1/orgs/{world.dept}/tokens", TOKEN, {"label": "x", "expires_at": when})
    body = assert_problem(r, 422)
    assert any(e["pointer"] == "/expires_at" for e in body["errors"]), body


@pytest.mark.parametrize("when", ["2028-02-29T23:59:59Z", "2030-01-01T00:00:00.5+08:00"])
def test_token_expiry_in_range_is_taken(world, when):
    r = post(f"/v1/orgs/{world.dept}/tokens", TOKEN, {"label": "x", "expires_at": when})
    assert r.status_code == 201, r.text


# ---- plans reach -------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_world(world):
    """A department with its unit and the projects of seed 000, and another
    region's project and unit."""
    tag = uuid.uuid4().hex[:6]
    dept = make_org("department", f"宿州市医疗保障局边界{tag}", "341300", world.fin)
    unit = make_org("unit", f"宿州市城镇职工基本医疗保险管理中心边界{tag}", "341300", dept)
    tok = make_token(dept)
    ids = {}
    for stem in ("000-suzhou-payment-reform", "000-suzhou-fund-supervision",
                 "000-suzhou-employee-insurance"):
        doc = load_fixture(FILES[stem])["document"]
        org = unit if "城镇职工" in doc["org"] else dept
        r = create_project(tok, doc, org)
        assert r.status_code == 201, r.text
        ids[stem] = r.json()["id"]
    other_unit = make_org("unit", f"新丰县医疗保障事务中心边界{tag}", "440233", world.xf_dept)
    doc = load_fixture(FILES["000-suzhou-fund-supervision"])["document"]
    r = create_project(make_token(world.xf_dept), doc, world.xf_dept)
    assert r.status_code == 201, r.text
    return {"dept": dept, "unit": unit, "token": tok, "ids": ids,
            "other_project": r.json()["id"], "other_unit": other_unit}


def test_plan_with_another_organisations_project_is_422_like_an_unknown_id(plan_world):
    s = plan_world
    foreign = plan_body(s)
    foreign["year"] = 2031
    foreign["projects"][1]["project_id"] = s["other_project"]
    unknown = copy.deepcopy(foreign)
    unknown["projects"][1]["project_id"] = 9_000_000_000
    a = assert_problem(post("/v1/plans", s["token"], foreign), 422)
    b = assert_problem(post("/v1/plans", s["token"], unknown), 422)
    strip = lambda p: [(e["pointer"], e["code"], e["message"]) for e in p["errors"]]  # noqa: E731
    assert strip(a) == strip(b) == [("/projects/1/project_id", "PROJECT_UNKNOWN",
                                     a["errors"][0]["message"])]
    # nothing stored
    assert all(p["year"] != 2031 for p in get("/v1/plans", s["token"]).json()["items"])


def test_plan_with_another_organisations_unit_is_422(plan_world):
    s = plan_world
    body = plan_body(s)
    body["year"] = 2032
    body["unit_wide"] = [{"org_id": s["other_unit"], "name": "新丰县医疗保障事务中心",
                          "method": "委托第三方机构"}]
    p = assert_problem(post("/v1/plans", s["token"], body), 422)
    assert [e["pointer"] for e in p["errors"]] == ["/unit_wide/0/org_id"], p
    body["unit_wide"][0]["org_id"] = s["unit"]
    r = post("/v1/plans", s["token"], body)
    assert r.status_code == 201, r.text


def test_plan_put_keeps_to_the_department(plan_world):
    s = plan_world
    body = plan_body(s)
    body["year"] = 2033
    r = post("/v1/plans", s["token"], body)
    assert r.status_code == 201, r.text
    pid, version = r.json()["id"], r.json()["version"]
    body["projects"][2]["project_id"] = s["other_project"]
    p = assert_problem(put(f"/v1/plans/{pid}", s["token"], body, version), 422)
    assert [e["pointer"] for e in p["errors"]] == ["/projects/2/project_id"], p
    assert get(f"/v1/plans/{pid}", s["token"]).json()["version"] == version


# ---- CSV cells beginning with CR or LF -----------------------------------------

def neutralised(cell_text, raw):
    """The CSV carries the cell with an apostrophe before its first byte."""
    return ('"\'' + cell_text) in raw


@pytest.mark.parametrize("lead", ["\r", "\n", "\t"])
def test_totals_csv_neutralises_a_leading_control_byte(world, lead):
    tag = uuid.uuid4().hex[:6]
    name = f"{lead}=1+1部门{tag}"
    dept = make_org("department", name, "341300", world.fin)
    doc = load_fixture(FILES["000-suzhou-fund-supervision"])["document"]
    doc = dict(doc, year=2019)
    r = create_project(TOKEN, doc, dept)
    assert r.status_code == 201, r.text
    r = requests.get(url("/v1/totals"), headers=hdr(TOKEN), timeout=30,
                     params={"year": 2019, "group_by": "department", "format": "csv",
                             "status": "all"})
    assert r.status_code == 200, r.text[:300]
    assert neutralised(name, r.text), [ln for ln in r.text.split("\r\n") if tag in ln]


@pytest.mark.parametrize("lead", ["\r", "\n"])
def test_report_csv_neutralises_a_leading_control_byte(world, lead):
    doc = load_fixture(FILES["000-suzhou-fund-supervision"])["document"]
    doc["name"] += "（边界）" + uuid.uuid4().hex[:6]
    text = f"{lead}=HYPERLINK(\"http://example.invalid\")"
    doc["indicators"][0]["name"] = text
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    ev = post(f"/v1/projects/{pid}/evaluations", world.t_dept)
    assert ev.status_code == 201, ev.text
    r = get(f"/v1/evaluations/{ev.json()['id']}/report", world.t_dept, format="csv")
    assert r.status_code == 200, r.text[:300]
    cells = [c for row in csv.reader(io.StringIO(r.text.lstrip("\ufeff"), newline=""))
             for c in row]
    named = [c for c in cells if "HYPERLINK" in c]
    assert named and all(c.startswith("'") for c in named), named


# ---- history -----------------------------------------------------------------

def entries(path, token, **params):
    r = get(path, token, **params)
    assert r.status_code == 200, r.text
    return r.json()


def test_org_history(world):
    oid = make_org("unit", f"历史单位{uuid.uuid4().hex[:6]}", "341300", world.dept)
    r = requests.patch(url(f"/v1/orgs/{oid}"), json={"staff": 12}, timeout=30,
                       headers={**hdr(TOKEN), "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    h = entries(f"/v1/orgs/{oid}/history", world.t_dept)
    assert [e["action"] for e in h["items"]] == ["create", "update"], h
    assert h["items"][1]["after"]["staff"] == 12
    assert_problem(get(f"/v1/orgs/{oid}/history", world.t_out), 404)
    assert_problem(get(f"/v1/orgs/{oid}/history", world.t_xf), 404)
    assert get(f"/v1/orgs/{oid}/history", world.t_fin).status_code == 200
    page = entries(f"/v1/orgs/{oid}/history", world.t_dept, limit=1)
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = entries(f"/v1/orgs/{oid}/history", world.t_dept, cursor=page["next_cursor"])
    assert [e["action"] for e in rest["items"]] == ["update"]


def test_token_history(world):
    r = post(f"/v1/orgs/{world.unit}/tokens", TOKEN, {"label": "历史"})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    r = requests.delete(url(f"/v1/tokens/{tid}"), headers=hdr(TOKEN), timeout=30)
    assert r.status_code == 204
    h = entries(f"/v1/tokens/{tid}/history", world.t_dept)
    assert [e["action"] for e in h["items"]] == ["create", "revoke"], h
    assert all("token" not in (e["after"] or {}) or e["after"]["token"] is None
               for e in h["items"])
    assert_problem(get(f"/v1/tokens/{tid}/history", world.t_out), 404)
    assert_problem(get(f"/v1/tokens/{tid}/history", world.t_unit + "x"), 401)


def test_plan_history(plan_world, world):
    s = plan_world
    body = plan_body(s)
    body["year"] = 2034
    r = post("/v1/plans", s["token"], body)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    body["note"] = "改过"
    assert put(f"/v1/plans/{pid}", s["token"], body, 1).status_code == 200
    h = entries(f"/v1/plans/{pid}/history", s["token"])
    assert [e["action"] for e in h["items"]] == ["create", "update"], h
    assert h["items"][1]["after"]["note"] == "改过"
    assert_problem(get(f"/v1/plans/{pid}/history", world.t_out), 404)
    assert_problem(get("/v1/plans/999999999/history", s["token"]), 404)


def test_framework_history(world):
    fw = copy.deepcopy(CITY)
    fw["id"] += "h" + world.tag
    assert post("/v1/frameworks", world.t_fin, fw).status_code == 201
    fw2 = copy.deepcopy(fw)
    fw2["name"] += "（二版）"
    assert post("/v1/frameworks", world.t_fin, fw2).status_code in (200, 201)
    h = entries(f"/v1/frameworks/{fw['id']}/history", world.t_unit)
    assert [e["action"].split(".")[0] for e in h["items"]] == ["framework"] * len(h["items"])
    assert len(h["items"]) >= 1 and h["items"][0]["action"] == "framework.create", h
    assert_problem(get(f"/v1/frameworks/{fw['id']}/history", world.t_out), 404)
    built_in = entries("/v1/frameworks/project-2020/history", world.t_unit)
    assert built_in["items"] == []
