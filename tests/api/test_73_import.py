"""POST /v1/import: CSV and JSON, all_or_nothing and per_record, dry runs,
rejections with record, line, column and pointer; created / updated /
unchanged; idempotent."""
import json

from conftest import REPO, api, assert_problem, project_body
from test_40_auth import sql

CSV = (REPO / "scripts" / "example-import.csv").read_text(encoding="utf-8")


def post_csv(token, text, query="", headers=None):
    h = {"Content-Type": "text/csv"}
    h.update(headers or {})
    return api("POST", "/v1/import" + query, token, data=text.encode(), headers=h)


def with_year(text, year):
    return text.replace("\n2020,", f"\n{year},")


def test_example_csv_imports_and_reimports_unchanged(tree):
    t = tree["deptB"]["token"]
    text = with_year(CSV, 2031)
    r = post_csv(t, text)
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["records"], s["created"], s["rejected"], s["committed"]) == (2, 2, 0, True)
    pid = s["projects"][0]["id"]
    p = api("GET", f"/v1/projects/{pid}", t).json()
    assert len(p["indicators"]) == 6 and p["budget"]["adjusted"] == "15600.00"
    assert p["indicators"][3]["target"] == "≤1.96万元"
    assert api("GET", f"/v1/projects/{s['projects'][1]['id']}", t).json()["indicators"][1]["name"] \
        == "基金安全, 群众满意"
    again = post_csv(t, text).json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    changed = post_csv(t, text.replace(",19600,", ",19700,")).json()
    assert (changed["updated"], changed["unchanged"]) == (1, 1)
    q = api("GET", f"/v1/projects/{pid}", t).json()
    assert q["budget"]["initial"] == "19700.00" and q["version"] == 2
    assert [i["id"] for i in q["indicators"]] == [i["id"] for i in p["indicators"]]
    hist = [h["action"] for h in api("GET", f"/v1/projects/{pid}/history", t).json()["items"]]
    assert hist == ["import", "import"]


def bad_csv(year):
    return with_year(CSV, year).replace("≥4次", "大于三十")


def test_bad_row_all_or_nothing_writes_nothing(tree):
    t = tree["deptB"]["token"]
    before = sql("SELECT count(*) FROM projects")
    r = post_csv(t, bad_csv(2032))
    s = assert_problem(r, 422)
    assert s["committed"] is False and s["rejected"] == 1 and s["created"] == 1
    rej = s["rejections"][0]
    assert (rej["record"], rej["line"], rej["column"], rej["pointer"], rej["code"]) == \
        (2, 8, "target", "/indicators/0/target", "TARGET_UNPARSEABLE")
    assert "大于三十" in rej["message"]
    assert sql("SELECT count(*) FROM projects") == before


def test_bad_row_per_record_writes_the_good_ones(tree):
    t = tree["deptB"]["token"]
    before = int(sql("SELECT count(*) FROM projects"))
    s = post_csv(t, bad_csv(2033), "?mode=per_record").json()
    assert (s["created"], s["rejected"], s["committed"]) == (1, 1, True)
    assert s["rejections"][0]["line"] == 8
    assert int(sql("SELECT count(*) FROM projects")) == before + 1


def test_dry_run_writes_nothing(tree):
    t = tree["deptB"]["token"]
    before = sql("SELECT count(*) FROM projects")
    s = post_csv(t, with_year(CSV, 2034), "?dry_run=true").json()
    assert (s["created"], s["committed"], s["dry_run"]) == (2, False, True)
    assert sql("SELECT count(*) FROM projects") == before


def test_json_import_with_duplicates_and_foreign_org(tree):
    t = tree["deptA"]["token"]
    good = project_body("批量-甲", org_id=tree["unitA1"]["id"])
    dup = project_body("批量-甲", org_id=tree["unitA1"]["id"])
    foreign = project_body("批量-乙", org_id=tree["unitB"]["id"])
    bad = project_body("批量-丙")
    bad["indicators"][0]["weigth"] = 1
    r = api("POST", "/v1/import?mode=per_record", t, [good, dup, foreign, bad, 7])
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["created"] == 1 and s["rejected"] == 4
    codes = {(x["record"], x["code"]) for x in s["rejections"]}
    assert {(2, "DUPLICATE_RECORD"), (3, "ORG_UNKNOWN"), (4, "UNKNOWN_FIELD"),
            (5, "TYPE_INVALID")} <= codes


def test_import_is_idempotent_and_checks_its_input(tree):
    t = tree["deptB"]["token"]
    h = {"Idempotency-Key": "import-once"}
    a = post_csv(t, with_year(CSV, 2035), headers=h)
    b = post_csv(t, with_year(CSV, 2035), headers=h)
    assert a.status_code == b.status_code == 200 and a.text == b.text
    assert b.headers["Idempotent-Replayed"] == "true"
    assert_problem(post_csv(t, "year,nmae\n2020,x\n"), 400)
    assert_problem(post_csv(t, 'year,name\n2020,"open\n'), 400)
    assert_problem(post_csv(t, CSV, "?mode=sometimes"), 400)
    assert_problem(api("POST", "/v1/import", t, {"not": "an array"}), 400)


def test_csv_numbers_that_are_not_plain_decimals_are_rejected(tree):
    """Found by fuzz_import: strtod read "inf", "nan" and "0x14" in a
    number column, and the cell became the integer 0 without a word (a
    reported score of "inf" was stored as 0; "1e999" vanished); they are texts, and the
    validator names the cell."""
    t = tree["deptB"]["token"]
    for i, score in enumerate(["inf", "nan", "0x14", "INFINITY", "1e999"]):
        text = with_year(CSV, 2040 + i).replace(",12次,,20\n", f",12次,,{score}\n")
        assert text != with_year(CSV, 2040 + i)
        s = post_csv(t, text, "?dry_run=true").json()
        rej = [r for r in s["rejections"] if r["pointer"] == "/indicators/0/reported_score"]
        assert rej, (score, s)
        assert (rej[0]["record"], rej[0]["line"], rej[0]["column"]) == \
            (1, 2, "reported_score"), score


def test_csv_with_bare_cr_line_ends_reports_the_right_lines(tree):
    """Found by fuzz_import: a bare CR (classic Mac line ends) ended a row
    but did not count as a line, so every rejection said line 1."""
    t = tree["deptB"]["token"]
    s = assert_problem(post_csv(t, bad_csv(2045).replace("\n", "\r")), 422)
    rej = s["rejections"][0]
    assert (rej["record"], rej["line"], rej["column"]) == (2, 8, "target"), rej
