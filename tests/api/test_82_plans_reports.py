"""Evaluation plans (评价计划, seed 000) with their rules, and the
evaluation reports in every format (issue 5)."""
import csv
import io
import json
import uuid
from html.parser import HTMLParser

import pytest

from conftest import assert_problem, fixture_files, load_fixture
from evalkit import World, create_project, get, make_org, make_token, post, put

FILES = {p.stem: p for p in fixture_files()}


@pytest.fixture(scope="module")
def world(migrated):
    return World()


@pytest.fixture(scope="module")
def seed000(world):
    """A department of its own (its unit count is the test's to change)
    with the three projects of seed 000 for 2022."""
    tag = uuid.uuid4().hex[:6]
    dept = make_org("department", f"宿州市医疗保障局计划{tag}", "341300", world.fin)
    unit = make_org("unit", f"宿州市城镇职工基本医疗保险管理中心计划{tag}", "341300", dept)
    tok = make_token(dept)
    ids = {}
    for stem in ("000-suzhou-payment-reform", "000-suzhou-fund-supervision",
                 "000-suzhou-employee-insurance"):
        doc = load_fixture(FILES[stem])["document"]
        org = unit if "城镇职工" in doc["org"] else dept
        r = create_project(tok, doc, org)
        assert r.status_code == 201, r.text
        ids[stem] = r.json()["id"]
    return {"dept": dept, "unit": unit, "token": tok, "ids": ids}


def plan_body(s, amounts=("782,957.64", "736,151.84", "550000.00")):
    return {
        "year": 2023,
        "projects": [
            {"name": "县域医共体医保支付方式改革工作经费", "supervising_office": "社保科",
             "amount": amounts[0], "fund_nature": "本级项目", "method": "委托第三方机构"},
            {"project_id": s["ids"]["000-suzhou-fund-supervision"], "name": "医疗保障基金安全监管经费",
             "supervising_office": "社保科", "amount": amounts[1], "fund_nature": "本级项目",
             "method": "委托第三方机构"},
            {"project_id": s["ids"]["000-suzhou-employee-insurance"],
             "name": "城镇职工的各项保险和大学生保险", "supervising_office": "社保科",
             "amount": amounts[2], "fund_nature": "本级项目", "method": "委托第三方机构"}],
        "unit_wide": [],
        "note": "2022年度宿州市医疗保障局部门预算单位共2个，2023部门评价不安排对单位整体支出评价。",
    }


def codes(plan):
    return [(f["code"], f["pointer"]) for f in plan["findings"]]


def test_plan_of_seed_000_is_quiet_then_rules_fire(world, seed000):
    s = seed000
    r = post("/v1/plans", s["token"], plan_body(s))
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["findings"] == [] and plan["unit_count"] == 2, plan
    assert plan["budget_year"] == 2022
    matched = [p["matched_project_id"] for p in plan["projects"]]
    assert matched == [s["ids"]["000-suzhou-payment-reform"],
                       s["ids"]["000-suzhou-fund-supervision"],
                       s["ids"]["000-suzhou-employee-insurance"]]
    pid = plan["id"]
    # an amount that is not the project's executed amount
    r = put(f"/v1/plans/{pid}", s["token"],
            plan_body(s, ("782,957.64", "700,000.00", "550000.00")), 1)
    assert r.status_code == 200, r.text
    assert codes(r.json()) == [("PLAN_AMOUNT_MISMATCH", "/projects/1/amount")]
    assert r.headers["ETag"] == '"2"'
    assert_problem(put(f"/v1/plans/{pid}", s["token"], plan_body(s), 1), 412)
    # five budget units and no unit-wide evaluation chosen
    for i in range(3):
        make_org("unit", f"附属单位{i}{uuid.uuid4().hex[:4]}", "341300", s["dept"])
    got = get(f"/v1/plans/{pid}", s["token"]).json()
    assert got["unit_count"] == 5
    assert ("PLAN_UNIT_WIDE_REQUIRED", "/unit_wide") in codes(got)
    body = plan_body(s)
    body["unit_wide"] = [{"org_id": s["unit"], "name": "宿州市城镇职工基本医疗保险管理中心",
                          "budget": "55万元", "project_count": 1, "method": "自行组织"}]
    r = put(f"/v1/plans/{pid}", s["token"], body, 2)
    assert r.status_code == 200 and r.json()["findings"] == [], r.text
    back = get(f"/v1/plans/{pid}", s["token"]).json()
    r = put(f"/v1/plans/{pid}", s["token"], back, back["version"])
    assert r.status_code == 200 and r.json()["projects"] == back["projects"], r.text
    lst = get("/v1/plans", world.t_fin, year=2023).json()["items"]
    assert pid in [p["id"] for p in lst]


def test_plan_validation_and_who_files(world, seed000):
    s = seed000
    bad = plan_body(s)
    bad["projects"][0]["fund_nature"] = "其他"
    bad["projects"][1]["amount"] = "很多"
    bad["year"] = 1990
    body = assert_problem(post("/v1/plans", s["token"], bad), 422)
    ptrs = {e["pointer"] for e in body["errors"]}
    assert {"/projects/0/fund_nature", "/projects/1/amount", "/year"} <= ptrs
    typo = plan_body(s)
    typo["projects"][0]["amout"] = "1"
    assert_problem(post("/v1/plans", s["token"], typo), 400)
    assert_problem(post("/v1/plans", world.t_unit, dict(plan_body(s), year=2024)), 422)
    assert_problem(post("/v1/plans", s["token"], plan_body(s)), 409)  # one per year


def test_plan_tenancy(world, seed000):
    s = seed000
    pid = post("/v1/plans", s["token"], dict(plan_body(s), year=2025)).json()["id"]
    assert_problem(get(f"/v1/plans/{pid}", world.t_out), 404)
    assert_problem(get(f"/v1/plans/{pid}", world.t_xf), 404)
    assert_problem(put(f"/v1/plans/{pid}", world.t_out, plan_body(s), 1), 404)
    assert get("/v1/plans", world.t_out).json()["items"] == []
    assert get(f"/v1/plans/{pid}", world.t_fin).status_code == 200
    assert_problem(put(f"/v1/plans/{pid}", world.t_fin, plan_body(s), 1), 403)


# ---- reports ---------------------------------------------------------------

class Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = 0
        self.cells = []

    def handle_starttag(self, tag, attrs):
        self.tables += tag == "table"

    def handle_data(self, data):
        if data.strip():
            self.cells.append(data.strip())


@pytest.fixture(scope="module")
def evaluation(world):
    doc = load_fixture(FILES["000-suzhou-fund-supervision"])["document"]
    doc["name"] += "（报告）"
    doc["goals"] = {"overall": "医疗保障工作经费", "annual": "基金监管方式创新"}
    doc["problems"] = [{"category": "项目管理", "responsible_office": "基金监管科",
                        "description": "业务知识有待提高", "rectification_advice": "加强学习"}]
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    r = post(f"/v1/projects/{pid}/evaluations", world.t_dept)
    assert r.status_code == 201, r.text
    return r.json()


def report(world, ev, fmt):
    r = get(f"/v1/evaluations/{ev['id']}/report", world.t_dept, format=fmt)
    assert r.status_code == 200, r.text
    return r


def test_report_json(world, evaluation):
    r = report(world, evaluation, "json")
    assert r.headers["Content-Type"].startswith("application/json")
    m = json.loads(r.text)
    rows = m["score_table"]["rows"]
    assert rows[-1]["kind"] == "total" and float(rows[-1]["score"]) == 98.5
    assert any(row["kind"] == "execution" for row in rows)
    assert m["problem_list"]["rows"] and m["completion_list"]["rows"]


def test_report_html(world, evaluation):
    r = report(world, evaluation, "html")
    assert r.headers["Content-Type"].startswith("text/html")
    p = Tables()
    p.feed(r.text)
    assert p.tables >= 3
    assert "评分情况表" in r.text and "98.50" in p.cells and "加强学习" in p.cells


def test_report_md_and_csv(world, evaluation):
    md = report(world, evaluation, "md").text
    assert "| 序号 |" in md.replace("｜", "|") or "|" in md
    assert "绩效目标完成清单" in md
    rows = list(csv.reader(io.StringIO(report(world, evaluation, "csv").text.lstrip("\ufeff"))))
    assert rows[0][0] == "序号" and any("98.50" in cell for cell in rows[-1])


def test_report_xlsx(world, evaluation):
    openpyxl = pytest.importorskip("openpyxl")
    r = report(world, evaluation, "xlsx")
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 2
    ws = wb[wb.sheetnames[0]]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert 98.5 in values or "98.50" in values


def test_report_errors_and_tenancy(world, evaluation):
    r = get(f"/v1/evaluations/{evaluation['id']}/report", world.t_dept, format="docx")
    assert_problem(r, 400)
    assert_problem(get(f"/v1/evaluations/{evaluation['id']}/report", world.t_out,
                       format="html"), 404)
    assert_problem(get("/v1/evaluations/999999999/report", world.t_dept), 404)


def test_report_xlsx_opens_in_libreoffice(world, evaluation, tmp_path):
    """The XLSX of a stored evaluation, converted back to CSV by LibreOffice
    (headless): the score sheet holds the indicators and the total."""
    import shutil
    import subprocess
    lo = shutil.which("libreoffice") or shutil.which("soffice")
    if not lo:
        pytest.skip("LibreOffice not installed (libreoffice-calc-nogui)")
    path = tmp_path / "evaluation.xlsx"
    path.write_bytes(report(world, evaluation, "xlsx").content)
    flt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    p = subprocess.run([lo, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                        "--convert-to", flt, "--outdir", str(tmp_path), str(path)],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr[-300:]
    sheet = tmp_path / "evaluation-评分情况表.csv"
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    cells = [c for r in rows for c in r]
    assert all(i["name"] in cells for i in evaluation["indicators"])
    total = [r for r in rows if len(r) > 6 and r[1] == "合计"]
    assert len(total) == 1 and total[0][6] == "98.50", total
