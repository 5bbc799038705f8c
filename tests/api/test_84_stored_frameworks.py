"""Frameworks for stored work (issue 16): a finance bureau's framework used
by the projects of its region (and refused elsewhere, the same answer as a
framework that does not exist), level names checked against it with every
misfit listed, the version in force pinned on the project, evaluations
saying which version they used, and the 宁德 report end to end (90)."""
import copy
import json
import pathlib

import pytest

from conftest import REPO, assert_problem
from evalkit import World, get, hdr, make_org, make_token, post, put
import requests
from conftest import url

NINGDE = json.loads((pathlib.Path(REPO) / "scripts" / "demo-ningde.json").read_text("utf-8"))


def patch(path, token, body, version):
    return requests.patch(url(path), json=body,
                          headers=hdr(token, **{"If-Match": f'"{version}"',
                                                "Content-Type": "application/merge-patch+json"}),
                          timeout=60)


class Ningde:
    def __init__(self, w):
        self.fin = make_org("finance", f"宁德市财政局{w.tag}", "350900")
        self.dept = make_org("department", f"宁德市医疗保障局{w.tag}", "350900", self.fin)
        self.t_fin = make_token(self.fin)
        self.t_dept = make_token(self.dept)
        self.fw = copy.deepcopy(NINGDE["framework"])
        self.fw["id"] += "-" + w.tag
        r = post("/v1/frameworks", self.t_fin, self.fw)
        assert r.status_code == 201, r.text

    def body(self, **extra):
        b = copy.deepcopy(NINGDE["document"])
        b.pop("scope", None)
        b.pop("org", None)
        b["framework"] = self.fw["id"]
        b["org_id"] = self.dept
        b.update(extra)
        return b


@pytest.fixture(scope="module")
def world(migrated):
    w = World()
    w.nd = Ningde(w)
    return w


def test_ningde_end_to_end_scores_90(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body())
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["framework"] == nd.fw["id"] and p["framework_version"] == 1
    assert p["budget"]["initial"] == "5000000.00"
    r = post(f"/v1/projects/{p['id']}/evaluations", nd.t_dept)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["total"] == 90 and ev["grade"] == "优秀", ev
    assert ev["framework"] == nd.fw["id"] and ev["framework_version"] == 1
    assert not [f for f in ev["findings"] if f["severity"] != "info"], ev["findings"]


def test_another_regions_project_cannot_use_it(world):
    nd = world.nd
    body = nd.body(org_id=world.dept)
    r = post("/v1/projects", world.t_dept, body)
    seen = assert_problem(r, 422)["errors"]
    assert [(e["pointer"], e["code"]) for e in seen] == [("/framework", "FRAMEWORK_UNKNOWN")]
    body["framework"] = "no-such-framework-" + world.tag
    none = assert_problem(post("/v1/projects", world.t_dept, body), 422)["errors"]
    assert [(e["pointer"], e["code"]) for e in none] == [("/framework", "FRAMEWORK_UNKNOWN")]
    # nor by the bureau that owns it, for an organisation outside its region
    r = post("/v1/projects", world.t_out, nd.body(org_id=world.out_dept))
    assert assert_problem(r, 422)["errors"][0]["code"] == "FRAMEWORK_UNKNOWN"


def test_level_names_checked_against_the_framework(world):
    nd = world.nd
    body = nd.body()
    body["indicators"][0]["level1"] = "产出指标"          # project-2020's, not 宁德's
    body["indicators"][3]["level2"] = "数量指标"          # not under 过程
    r = post("/v1/projects", nd.t_dept, body)
    errs = assert_problem(r, 422)["errors"]
    misfits = {(e["pointer"], e["code"]) for e in errs if e["code"] == "LEVEL_UNKNOWN"}
    assert misfits == {("/indicators/0/level1", "LEVEL_UNKNOWN"),
                       ("/indicators/3/level2", "LEVEL_UNKNOWN")}, errs
    # 宁德's level names under project-2020: every one a misfit
    body = nd.body()
    body["framework"] = "project-2020"
    errs = assert_problem(post("/v1/projects", nd.t_dept, body), 422)["errors"]
    assert len([e for e in errs if e["code"] == "LEVEL_UNKNOWN"]) == len(body["indicators"])


def test_version_pinning_and_comparing(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德版本固定项目"))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    first = post(f"/v1/projects/{pid}/evaluations", nd.t_dept).json()
    assert first["framework_version"] == 1
    # the bureau changes its framework once v1 is used: v2, stricter grades
    fw2 = copy.deepcopy(nd.fw)
    fw2["grades"][0]["min"] = 95
    r = post("/v1/frameworks", nd.t_fin, fw2)
    assert r.status_code == 201 and r.json()["version"] == 2, r.text
    # the project stays on the version it was filed under
    again = post(f"/v1/projects/{pid}/evaluations", nd.t_dept).json()
    assert again["framework_version"] == 1 and again["grade"] == "优秀"
    # a request may name another version (or framework) to compare
    cmp2 = post(f"/v1/projects/{pid}/evaluations?dry_run=true", nd.t_dept,
                {"framework": nd.fw["id"], "framework_version": 2}).json()
    assert cmp2["framework_version"] == 2 and cmp2["grade"] == "良好", cmp2
    # a project filed now is filed under v2
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德新项目"))
    assert r.json()["framework_version"] == 2
    # moving the project to v2 is an edit: If-Match, audited
    proj = get(f"/v1/projects/{pid}", nd.t_dept).json()
    assert proj["framework_version"] == 1
    r = patch(f"/v1/projects/{pid}", nd.t_dept, {"framework_version": 2}, proj["version"] + 5)
    assert_problem(r, 412)
    r = patch(f"/v1/projects/{pid}", nd.t_dept, {"framework_version": 2}, proj["version"])
    assert r.status_code == 200, r.text
    assert r.json()["framework_version"] == 2
    ev = post(f"/v1/projects/{pid}/evaluations", nd.t_dept).json()
    assert ev["framework_version"] == 2 and ev["grade"] == "良好"
    hist = get(f"/v1/projects/{pid}/history", nd.t_dept).json()["items"]
    assert any((h.get("before") or {}).get("framework_version") == 1 and
               (h.get("after") or {}).get("framework_version") == 2 for h in hist), hist
    # a PUT of the representation keeps the pin
    proj = get(f"/v1/projects/{pid}", nd.t_dept).json()
    r = put(f"/v1/projects/{pid}", nd.t_dept, proj, proj["version"])
    assert r.status_code == 200 and r.json()["framework_version"] == 2, r.text


def test_changing_the_framework_is_checked_like_any_edit(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德换框架项目"))
    p = r.json()
    r = patch(f"/v1/projects/{p['id']}", nd.t_dept, {"framework": "project-2020"}, p["version"])
    errs = assert_problem(r, 422)["errors"]
    assert {e["code"] for e in errs} == {"LEVEL_UNKNOWN"}
    # only drafts change
    r = post(f"/v1/projects/{p['id']}/submit", nd.t_dept, None, **{"If-Match": f'"{p["version"]}"'})
    assert r.status_code == 200, r.text
    r = patch(f"/v1/projects/{p['id']}", nd.t_dept, {"framework_version": 2}, r.json()["version"])
    assert_problem(r, 409)


def test_frameworks_answer_numbers_as_posted(world):
    fw = get(f"/v1/frameworks/{world.nd.fw['id']}", world.nd.t_dept, version=1)
    assert fw.status_code == 200, fw.text
    assert "0.80000000000000004" not in fw.text and "0.59999999999999998" not in fw.text
    assert fw.json()["definition"]["qualitative_bands"] == [0.8, 0.6]
    builtin = get("/v1/frameworks/project-2020", world.nd.t_dept)
    assert "0000000000" not in builtin.text, builtin.text


def test_frameworks_list_is_paged(world):
    page = get("/v1/frameworks", world.nd.t_dept, limit=2).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    seen = [(f["id"], f["version"]) for f in page["items"]]
    while page["next_cursor"]:
        page = get("/v1/frameworks", world.nd.t_dept, limit=2, cursor=page["next_cursor"]).json()
        seen += [(f["id"], f["version"]) for f in page["items"]]
    assert len(seen) == len(set(seen))
    assert (world.nd.fw["id"], 1) in seen  # (and 2 once test_version_pinning posted it)
    assert any(i == "project-2020" for i, _ in seen)
    assert_problem(get("/v1/frameworks", world.nd.t_dept, limit=0), 400)
    assert_problem(get("/v1/frameworks", world.nd.t_dept, cursor="f1x.zz"), 400)
    # an outsider's pages never hold the bureau's framework
    out = get("/v1/frameworks", world.t_out, limit=1000).json()["items"]
    assert world.nd.fw["id"] not in {f["id"] for f in out}


# ---- the 宁德 report -----------------------------------------------------------------

class ScoreTable(__import__("html.parser").parser.HTMLParser):
    """The rows of <table class="score"> as [(text, rowspan)], with their tags."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.inside = [], None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("class") == "score"
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ["", int(a.get("rowspan", 1)), int(a.get("colspan", 1))]

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(tuple(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data


def cst(utc_text):
    from datetime import datetime, timedelta, timezone
    t = datetime.fromisoformat(utc_text.replace("Z", "+00:00")).astimezone(
        timezone(timedelta(hours=8)))
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"


@pytest.fixture(scope="module")
def ningde_eval(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德报告项目"))
    assert r.status_code == 201, r.text
    ev = post(f"/v1/projects/{r.json()['id']}/evaluations", nd.t_dept).json()
    assert ev["total"] == 90
    return ev


def test_report_columns_time_and_spans_html(world, ningde_eval):
    ev = ningde_eval
    r = get(f"/v1/evaluations/{ev['id']}/report", world.nd.t_dept, format="html")
    assert r.status_code == 200, r.text
    text = r.text
    assert cst(ev["created_at"]) in text and ev["created_at"] not in text
    assert "报告总分 90.00" in text and "核定得分 90.00" in text
    p = ScoreTable()
    p.feed(text)
    head = [c[0] for c in p.rows[0]]
    assert head[6:9] == ["报告得分", "核定得分", "扣分"], head
    body = p.rows[1:-1]
    assert len(body) == 10
    # level-1 cells: 投入指标（30分） over three rows worth 10 each, and so on
    labels = [(c[0], c[1]) for row in body for c in row if c[0].endswith("分）")]
    assert labels == [("投入指标（30分）", 3), ("过程指标（30分）", 3),
                      ("产出与效益指标（40分）", 4)], labels
    # reported and computed scores side by side (the cells after 评分情况)
    doc = NINGDE["document"]["indicators"]
    reported = [float(row[-3][0]) for row in body]
    computed = [float(row[-2][0]) for row in body]
    assert reported == [float(i["reported_score"]) for i in doc]
    assert computed == [10, 10, 10, 10, 8, 10, 7, 7.5, 7.5, 10]
    total = p.rows[-1]
    assert [c[0] for c in total][-3:] == ["90.00", "90.00", "10.00"]


def test_report_xlsx_spans_and_columns(world, ningde_eval):
    openpyxl = pytest.importorskip("openpyxl")
    import io
    r = get(f"/v1/evaluations/{ningde_eval['id']}/report", world.nd.t_dept, format="xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["评分情况表"]
    assert [ws.cell(3, k).value for k in (7, 8, 9)] == ["报告得分", "核定得分", "扣分"]
    assert cst(ningde_eval["created_at"]) in ws.cell(2, 1).value
    assert "报告总分：90.00" in ws.cell(2, 1).value
    spans = sorted((m.min_row, m.max_row, ws.cell(m.min_row, 2).value)
                   for m in ws.merged_cells.ranges if m.min_col == 2 and m.max_col == 2)
    assert spans == [(4, 6, "投入指标（30分）"), (7, 9, "过程指标（30分）"),
                     (10, 13, "产出与效益指标（40分）")], spans
    for lo, hi, label in spans:
        worth = sum(ws.cell(k, 5).value for k in range(lo, hi + 1))
        assert label.endswith(f"（{worth:g}分）"), (label, worth)
    assert ws.cell(14, 2).value == "合计" and ws.cell(14, 7).value == 90 and ws.cell(14, 8).value == 90


def test_csv_import_names_the_framework_per_record(world):
    import csv
    import io
    nd = world.nd
    doc = NINGDE["document"]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["org_id", "year", "name", "framework", "budget_initial", "budget_executed",
                "reported_total", "level1", "level2", "indicator", "weight", "target", "actual",
                "deviation_reason", "reported_score", "rule"])
    for rec, (name, fw) in enumerate([("宁德导入项目", nd.fw["id"]),
                                      ("宁德导入项目（框架不符）", "project-2020"),
                                      ("宁德导入项目（外地框架）", "no-such-" + world.tag)]):
        for k, i in enumerate(doc["indicators"]):
            head = ([nd.dept, 2025, name, fw, "500万元", "460万元", 90] if k == 0
                    else [nd.dept, 2025, name, "", "", "", ""])  # a record: its year and name
            w.writerow(head + [i["level1"], i["level2"], i["name"], i["weight"], i["target"],
                               i["actual"], i.get("deviation_reason", ""), i["reported_score"],
                               json.dumps(i["rule"], ensure_ascii=False) if "rule" in i else ""])
    r = requests.post(url("/v1/import?mode=per_record"), data=out.getvalue().encode(),
                      headers=hdr(nd.t_dept, **{"Content-Type": "text/csv"}), timeout=60)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["created"] == 1 and s["rejected"] == 2, s["rejections"]
    codes = {(x["record"], x["code"]) for x in s["rejections"]}
    assert (2, "LEVEL_UNKNOWN") in codes and (3, "FRAMEWORK_UNKNOWN") in codes, codes
    p = [x for x in get("/v1/projects", nd.t_dept, q="宁德导入项目").json()["items"]
         if x["name"] == "宁德导入项目"][0]
    assert p["framework"] == nd.fw["id"]
    ev = post(f"/v1/projects/{p['id']}/evaluations", nd.t_dept).json()
    assert ev["total"] == 90 and ev["framework"] == nd.fw["id"], ev
