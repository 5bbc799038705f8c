"""Budget advice by grade (结果应用, issue 20): default rules, a bureau's own
rules for its region, the list of evaluated projects with grade, advice and
decision, decisions recorded and audited."""
import io
import os
import re
import shutil
import subprocess

import pytest

from conftest import TOKEN, api, assert_problem, new_org, new_token, project_body
from test_40_auth import sql


@pytest.fixture(scope="module")
def gz(tree):
    """A city of its own (440100) whose rules the tests change."""
    pid = os.getpid()
    fin = new_org(TOKEN, "finance", f"广州市财政局·{pid}", "440100")
    unit = new_org(TOKEN, "unit", f"广州市农业服务中心·{pid}", "440100")
    return {"fin": new_token(TOKEN, fin), "fin_id": fin, "unit": new_token(TOKEN, unit)}


def evaluated(token, name):
    r = api("POST", "/v1/projects", token, project_body(f"{name}-{os.getpid()}", year=2023))
    assert r.status_code == 201, r.text
    p = r.json()
    r = api("POST", f"/v1/projects/{p['id']}/evaluations", token)
    assert r.status_code in (200, 201), r.text
    return p, r.json()


def listing(token):
    r = api("GET", "/v1/advice?year=2023&limit=1000", token)
    assert r.status_code == 200, r.text
    return {i["project_id"]: i for i in r.json()["items"]}


def test_defaults_and_a_bureaus_own_rules(tree, gz):
    p, ev = evaluated(gz["unit"], "结果应用项目")
    grade = listing(gz["fin"])[p["id"]]["grade"]
    assert grade == ev["grade"]
    rules = api("GET", "/v1/advice/rules", gz["fin"]).json()
    assert rules["rules"]["优"] == "保持或优先保障" and rules["rules"]["差"] == "压减或取消"
    assert rules["set_in"]["优"] == "000000"
    assert listing(gz["fin"])[p["id"]]["advice"] == rules["rules"][grade]
    # a unit may not set rules; bad rules are 422
    assert_problem(api("PUT", "/v1/advice/rules", gz["unit"], {"rules": {"优": "x"}}), 403)
    assert_problem(api("PUT", "/v1/advice/rules", gz["fin"], {"rules": {}}), 422)
    assert_problem(api("PUT", "/v1/advice/rules", gz["fin"], {"rules": {"优": ""}}), 422)
    assert_problem(api("PUT", "/v1/advice/rules", gz["fin"], {"rule": {}}), 400)
    r = api("PUT", "/v1/advice/rules", gz["fin"],
            {"rules": {grade: "增加 10% 预算", "差": "取消"}})
    assert r.status_code == 200, r.text
    assert r.json()["rules"][grade] == "增加 10% 预算" and r.json()["set_in"][grade] == "440100"
    item = listing(gz["fin"])[p["id"]]
    assert item["advice"] == "增加 10% 预算" and item["advice_set_in"] == "440100"
    # another region keeps the defaults
    q, _ = evaluated(tree["unitA1"]["token"], "结果应用项目A")
    assert listing(tree["finA"]["token"])[q["id"]]["advice"] == rules["rules"][grade]
    entries = sql(f"SELECT count(*) FROM audit_log WHERE resource = 'org' AND resource_id = "
                  f"{gz['fin_id']} AND action = 'advice.rules'")
    assert entries == "1"


def test_decisions(tree, gz):
    p, _ = evaluated(gz["unit"], "决定项目")
    url = f"/v1/projects/{p['id']}/advice"
    assert_problem(api("PUT", url, gz["unit"], {"decision": "保持"}), 403)
    assert_problem(api("PUT", url, tree["finA"]["token"], {"decision": "保持"}), 404)
    assert_problem(api("PUT", url, gz["fin"], {"amount": "1万元"}), 422)
    r = api("PUT", url, gz["fin"], {"decision": "下年度压减 20%", "amount": "80万元",
                                    "note": "自评等级良"})
    assert r.status_code == 201, r.text
    assert r.json()["amount"] == "800000.00" and r.headers["ETag"] == '"1"'
    assert_problem(api("PUT", url, gz["fin"], {"decision": "保持"}), 428)
    r = api("PUT", url, gz["fin"], {"decision": "保持"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2
    d = listing(gz["fin"])[p["id"]]["decision"]
    assert d["decision"] == "保持" and d["version"] == 2
    # the unit sees the decision on its project
    assert listing(gz["unit"])[p["id"]]["decision"]["decision"] == "保持"
    h = api("GET", f"/v1/projects/{p['id']}/history", gz["fin"]).json()["items"]
    dec = [e for e in h if e["action"] == "advice.decision"]
    assert [e["reason"] for e in dec] == ["下年度压减 20%", "保持"]


def test_only_evaluated_projects_in_reach(tree, gz):
    r = api("POST", "/v1/projects", gz["unit"], project_body(f"未评价-{os.getpid()}", year=2023))
    assert r.status_code == 201
    assert r.json()["id"] not in listing(gz["fin"])
    assert not set(listing(tree["finB"]["token"])) & set(listing(gz["fin"]))


def test_reports_show_colours_rectifications_and_advice(tree, gz):
    t = gz["unit"]
    body = project_body(f"报告项目-{os.getpid()}", year=2023)
    body["budget"] = {"initial": "100万元", "executed": "90万元"}
    r = api("POST", "/v1/projects", t, body)
    assert r.status_code == 201, r.text
    p = r.json()
    ind = p["indicators"][0]["id"]
    r = api("PUT", f"/v1/projects/{p['id']}/monitoring/2023-06", t,
            {"executed_to_date": "10万元", "indicators": [{"id": ind, "progress": "1次"}]})
    assert r.status_code == 201, r.text
    assert api("POST", f"/v1/projects/{p['id']}/submit", t,
               headers={"If-Match": '"1"'}).status_code == 200
    ev = api("POST", f"/v1/projects/{p['id']}/evaluations", t).json()
    r = api("GET", f"/v1/evaluations/{ev['id']}/report?format=json", t)
    assert r.status_code == 200, r.text
    app = r.json()["application"]
    assert app["monitoring"] == [{"period": "2023-06", "time_progress": "0.5000",
                                  "execution_rate": "0.1000", "ratio": "0.2000",
                                  "color": "red", "color_label": "红", "lagging": 1}]
    assert [x["status"] for x in app["rectifications"]] == ["open"]
    assert app["open_rectifications"] == 1
    assert app["advice"]["grade"] == ev["grade"] and app["advice"]["advice"]
    md = api("GET", f"/v1/evaluations/{ev['id']}/report?format=md", t).text
    assert "## 结果应用" in md and "| 2023-06 |" in md and "待整改" in md
    html = api("GET", f"/v1/evaluations/{ev['id']}/report?format=html", t).text
    assert 'class="c color-red"' in html and "预算安排建议" in html
    assert api("GET", f"/v1/evaluations/{ev['id']}/report?format=csv", t).status_code == 200
    r = api("GET", f"/v1/evaluations/{ev['id']}/report?format=xlsx", t)
    assert r.status_code == 200
    try:
        import openpyxl  # noqa: PLC0415
    except ImportError:
        openpyxl = None
    if openpyxl:  # the 结果应用 sheet: the period, 红 on red, the item, the advice
        ws = openpyxl.load_workbook(io.BytesIO(r.content))["结果应用"]
        cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
        assert "2023-06" in cells and cells["红"].fill.fgColor.rgb == "FFFF0000"
        assert "待整改" in cells and app["advice"]["advice"] in cells
    r = api("GET", f"/v1/evaluations/{ev['id']}/report?format=pdf", t)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True,
                              check=True, timeout=60).stdout.decode()
        flat = re.sub(r"\s+", "", text)
        assert "结果应用" in flat and "2023-06" in flat and "待整改" in flat
        assert re.sub(r"\s+", "", app["advice"]["advice"]) in flat
