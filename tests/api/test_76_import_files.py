"""POST /v1/import with .xlsx and .docx bodies (issue 18): every 自评表 one
record, places in the summary, both modes and dry runs with a bad cell, the
refusals; GET /v1/frameworks/{id}/template.xlsx filled and imported back."""
import io
import json
import sys

from conftest import REPO, SHARED, api, assert_problem
from test_40_auth import sql

sys.path.insert(0, str(REPO / "tests" / "office"))
import gen  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIX = json.loads((SHARED / "fixtures" / "000-suzhou-fund-supervision.json").read_text())


def named(doc, name):
    d = json.loads(json.dumps(doc))
    d["name"] = name
    return d


def xlsx_bytes(tmp_path, sheets):
    p = tmp_path / "f.xlsx"
    gen.write_xlsx(p, sheets)
    return p.read_bytes()


def docx_bytes(tmp_path, tables):
    p = tmp_path / "f.docx"
    gen.write_docx(p, tables)
    return p.read_bytes()


def post(token, data, query="", ctype=XLSX):
    return api("POST", "/v1/import" + query, token, data=data, headers={"Content-Type": ctype})


def test_xlsx_dry_run_answers_documents(tree, tmp_path):
    t = tree["deptA"]["token"]
    doc = named(FIX["document"], "自评表导入·预演")
    data = xlsx_bytes(tmp_path, [("Sheet1", *gen.rows_of(doc))])
    r = post(t, data, "?dry_run=true&year=2041")
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["records"], s["rejected"], s["committed"]) == (1, 0, False)
    assert s["projects"][0]["place"] == "Sheet1" and s["projects"][0]["name"] == doc["name"]
    d = s["documents"][0]
    assert d["document"]["indicators"][3]["target"] == "≤90万元"
    assert d["places"]["/indicators/3/target"] == "Sheet1!E13"
    assert sql("SELECT count(*) FROM projects WHERE name = '自评表导入·预演'") == "0"


def test_docx_two_tables_imported(tree, tmp_path):
    t = tree["deptA"]["token"]
    a, b = named(FIX["document"], "自评表导入·甲"), named(FIX["document"], "自评表导入·乙")
    data = docx_bytes(tmp_path, [(None, *gen.other_table()),
                                 ("甲项目绩效自评表", *gen.rows_of(a)),
                                 ("乙项目绩效自评表", *gen.rows_of(b))])
    r = post(t, data, "?year=2042&framework=project-2020", DOCX)
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["records"], s["created"], s["committed"]) == (2, 2, True)
    assert [p["place"] for p in s["projects"]] == ["表2", "表3"]
    assert s["skipped"][0]["place"] == "表1"
    p = api("GET", "/v1/projects/%d" % s["projects"][0]["id"], t).json()
    assert p["year"] == 2042 and p["budget"]["adjusted"] == "866600.00"
    assert len(p["indicators"]) == 7 and p["indicators"][0]["weight"] == 12
    ev = api("POST", "/v1/projects/%d/evaluations?dry_run=true" % p["id"], t)
    assert ev.status_code == 200, ev.text
    assert ev.json()["total"] == FIX["expect"]["total"]
    # the same file again: unchanged
    again = post(t, data, "?year=2042", DOCX).json()
    assert (again["unchanged"], again["created"]) == (2, 0)


def bad_rows(doc):
    rows, merges = gen.rows_of(doc)
    rows[10][6] = "十六"  # 分值 of the second indicator
    return rows, merges


def test_bad_cell_all_or_nothing(tree, tmp_path):
    t = tree["deptA"]["token"]
    good, bad = named(FIX["document"], "坏格·好"), named(FIX["document"], "坏格·坏")
    data = xlsx_bytes(tmp_path, [("好", *gen.rows_of(good)), ("坏", *bad_rows(bad))])
    s = assert_problem(post(t, data, "?year=2043"), 422)
    assert (s["records"], s["rejected"], s["committed"]) == (2, 1, False)
    rej = s["rejections"][0]
    assert (rej["record"], rej["place"], rej["code"]) == (2, "坏!G11", "WEIGHT_UNREADABLE")
    assert "'十六'" in rej["message"]
    assert sql("SELECT count(*) FROM projects WHERE name LIKE '坏格%'") == "0"


def test_bad_cell_per_record_and_dry_run(tree, tmp_path):
    t = tree["deptA"]["token"]
    good, bad = named(FIX["document"], "坏格二·好"), named(FIX["document"], "坏格二·坏")
    data = xlsx_bytes(tmp_path, [("好", *gen.rows_of(good)), ("坏", *bad_rows(bad))])
    d = post(t, data, "?year=2044&dry_run=true&mode=per_record")
    assert d.status_code == 200, d.text
    s = d.json()
    assert (s["rejected"], s["committed"]) == (1, False)
    assert s["documents"][1]["errors"][0]["place"] == "坏!G11"
    assert s["rejections"][0]["place"] == "坏!G11"
    r = post(t, data, "?year=2044&mode=per_record")
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["created"], s["rejected"], s["committed"]) == (1, 1, True)
    assert s["projects"][0]["place"] == "好"


def test_library_error_names_the_cell(tree, tmp_path):
    t = tree["deptA"]["token"]
    doc = named(FIX["document"], "坏目标")
    doc["indicators"][0]["target"] = "大于三十"
    data = docx_bytes(tmp_path, [(None, *gen.rows_of(doc))])
    s = assert_problem(post(t, data, "?year=2045", DOCX), 422)
    rej = s["rejections"][0]
    assert rej["pointer"] == "/indicators/0/target"
    assert rej["place"] == "表1 第10行 第5列"
    assert "大于三十" in rej["message"]


def test_sniffed_without_media_type(tree, tmp_path):
    t = tree["deptA"]["token"]
    doc = named(FIX["document"], "嗅探导入")
    data = xlsx_bytes(tmp_path, [("Sheet1", *gen.rows_of(doc))])
    r = post(t, data, "?year=2046&dry_run=true", "application/octet-stream")
    assert r.status_code == 200, r.text
    assert r.json()["records"] == 1


def test_unreadable_files(tree, tmp_path):
    t = tree["deptA"]["token"]
    s = assert_problem(post(t, b"PK\x03\x04" + b"\0" * 100), 422)
    assert s["errors"][0]["code"] == "NOT_OFFICE"
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>')
        z.writestr("xl/_rels/workbook.xml.rels", "<Relationships/>")
    s = assert_problem(post(t, buf.getvalue()), 422)
    assert s["errors"][0]["code"] == "XML_DOCTYPE"
    data = docx_bytes(tmp_path, [(None, *gen.other_table())])
    s = assert_problem(post(t, data, "?year=2047", DOCX), 422)
    assert s["errors"][0]["code"] == "NOT_SELF_ASSESSMENT"
    assert "表1" in s["errors"][0]["message"]
    assert_problem(post(t, data, "?year=abc", DOCX), 400)


def test_template_round_trip(tree, tmp_path):
    import openpyxl
    t = tree["deptA"]["token"]
    r = api("GET", "/v1/frameworks/project-2020/template.xlsx", t)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == XLSX
    p = tmp_path / "tpl.xlsx"
    p.write_bytes(r.content)
    wb = openpyxl.load_workbook(p)
    ws = wb["自评表"]
    doc = FIX["document"]
    ws["A2"] = "（2048年度）"
    ws["B3"] = "模板导入"
    b = doc["budget"]
    ws["C6"], ws["D6"], ws["E6"] = (float(gen.yuan_to_wan(b[k])) for k in ("initial", "adjusted", "executed"))
    for i, ind in enumerate(doc["indicators"]):
        for col, key in zip("BCDEFGH", ("level1", "level2", "name", "target", "actual",
                                         "weight", "reported_score")):
            ws["%s%d" % (col, 10 + i)] = ind.get(key)
    total_row = next(r for r in range(10, 60) if ws["A%d" % r].value == "总分")
    ws["H%d" % total_row] = doc["reported"]["total"]
    wb.save(p)
    s = post(t, p.read_bytes()).json()
    assert (s["created"], s["rejected"]) == (1, 0), s
    pid = s["projects"][0]["id"]
    assert api("GET", "/v1/projects/%d" % pid, t).json()["year"] == 2048
    ev = api("POST", "/v1/projects/%d/evaluations?dry_run=true" % pid, t).json()
    assert (ev["total"], ev["grade"]) == (FIX["expect"]["total"], FIX["expect"]["grade"])


def test_template_reach(tree):
    t = tree["deptA"]["token"]
    assert_problem(api("GET", "/v1/frameworks/no-such/template.xlsx", t), 404)
    assert api("GET", "/v1/frameworks/project-2020/template.xlsx").status_code == 401
    w = api("GET", "/v1/frameworks/department-wide-2013/template.xlsx", t)
    assert w.status_code == 200 and w.content[:2] == b"PK"


def test_template_of_a_bureau_framework(tree, tmp_path):
    """A finance bureau's own framework: its template for those who can see
    it (its region's department), 404 for a county elsewhere; the
    template imports back against it."""
    import openpyxl
    import os
    fw = {"id": "tpl-city-%d" % os.getpid(), "name": "宿州市项目支出绩效自评（模板测试）",
          "scope": "project", "execution_weight": 0,
          "categories": [
              {"level1": "产出指标", "weight": 50, "level2": ["数量指标", "质量指标", "时效指标", "成本指标"]},
              {"level1": "效益指标", "weight": 30, "level2": ["社会效益指标", "可持续影响指标"]},
              {"level1": "满意度指标", "weight": 20, "level2": ["服务对象满意度指标"]}]}
    r = api("POST", "/v1/frameworks", tree["finA"]["token"], json_body=fw)
    assert r.status_code == 201, r.text
    path = "/v1/frameworks/%s/template.xlsx" % fw["id"]
    assert_problem(api("GET", path, tree["deptB"]["token"]), 404)
    r = api("GET", path, tree["deptA"]["token"])
    assert r.status_code == 200, r.text
    p = tmp_path / "city.xlsx"
    p.write_bytes(r.content)
    ws = openpyxl.load_workbook(p)["自评表"]
    assert ws["F6"].value is None  # no execution weight in this framework
    total_row = next(r for r in range(10, 60) if ws["A%d" % r].value == "总分")
    assert ws["G%d" % total_row].value == 100
