"""The totals stay right while data changes through the API.

GET /v1/totals answers from totals_summary (sql/0011, kept by triggers in
the writing transaction, each in a stripe of its own since 0012) when the
request fits its grain, and from the per-subject rows otherwise; the
response says which (X-Jixiao-Totals).  Here a unit files, edits, submits,
evaluates, re-evaluates, has returned, moves to another year and deletes
projects, and files, evaluates and edits a unit-wide assessment, all
through the API; after every step the totals of both paths are compared
with sums computed in Python from the raw rows read afresh
(test_totals.load_rows), and the summary table, summed over its stripes,
with one recomputed from scratch.  Runs after test_totals.py (file order),
on the same tiny country.
"""
import json
import os

import pytest
import requests

from test_totals import (ADMIN, BASE, compare, load_orgs, load_rows, select, sql, token_for,
                         totals)

ALL = ("draft", "submitted", "accepted")


def api(method, path, token, body=None, version=None):
    h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    if version is not None:
        h["If-Match"] = f'"{version}"'
    r = requests.request(method, BASE + path, json=body, headers=h, timeout=30)
    assert r.status_code in (200, 201, 204), (method, path, r.status_code, r.text)
    return r.json() if r.content else None


def served_by(token=ADMIN, **params):
    r = requests.get(BASE + "/v1/totals", params=params, timeout=30,
                     headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200, r.text
    return r.headers["X-Jixiao-Totals"]


@pytest.fixture(scope="module")
def world():
    orgs = load_orgs()
    unit = sorted(o["id"] for o in orgs.values()
                  if o["kind"] == "unit" and not o["region"].endswith("00"))[1]
    u = orgs[unit]
    prov = u["region"][:2] + "0000"
    fin = [o["id"] for o in orgs.values() if o["kind"] == "finance" and o["region"] == prov][0]
    return {"orgs": orgs, "unit": unit, "region": u["region"], "province": prov,
            "t_unit": token_for(unit), "t_dept": token_for(u["parent"]), "t_prov": token_for(fin)}


def check(world):
    """Both paths against Python's sums, and the summary against a rebuild."""
    rs = load_rows(world["orgs"])
    prov = world["province"]
    in_prov = select(rs, region=prov)
    # answered from the summary
    compare(totals(), select(rs), [])
    compare(totals(status="all", group_by="region,year,fund_nature,scope"),
            select(rs, statuses=ALL), ["region", "year", "fund_nature", "scope"])
    compare(totals(region=prov, year="2022-2030", group_by="year"),
            select(rs, region=prov, year=(2022, 2030)), ["year"])
    compare(totals(world["t_prov"], status="draft,accepted", scope="project,unit_wide"),
            select(rs, statuses=("draft", "accepted"), region=prov,
                   scopes=("project", "unit_wide")), ["scope"])
    compare(totals(world["t_prov"]), in_prov, [])
    # answered from the rows
    compare(totals(status="all", group_by="grade,unit"), select(rs, statuses=ALL),
            ["grade", "unit"])
    compare(totals(world["t_prov"], group_by="region"), in_prov, ["region"], "city")
    compare(totals(world["t_unit"], status="all"),
            select(rs, statuses=ALL, reach=lambda r: r["org_id"] == world["unit"]), [])
    drift = sql("WITH s AS (SELECT province, year, scope, status, fund_nature, sum(n) n,"
                " sum(n_eval) e, sum(n_incomplete) i, sum(s_initial) a, sum(s_adjusted) b,"
                " sum(s_executed) c, sum(s_score) d, sum(s_wscore) w, sum(s_wbase) x,"
                " sum(n_a + 2 * n_b + 3 * n_c + 5 * n_d + 7 * n_none) g,"
                " sum(e_a + 2 * e_b + 3 * e_c + 5 * e_d + 7 * e_none) h,"
                " sum(f_any + 2 * f_error + 3 * f_warning + 5 * f_info) f"
                " FROM totals_summary GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0)"
                " SELECT count(*) FROM (SELECT * FROM s EXCEPT ALL SELECT province, year, scope,"
                " status, coalesce(fund_nature, ''), count(*), count(score),"
                " count(*) FILTER (WHERE NOT complete), coalesce(sum(budget_initial), 0),"
                " coalesce(sum(budget_adjusted), 0), coalesce(sum(budget_executed), 0),"
                " coalesce(sum(score) FILTER (WHERE complete), 0),"
                " coalesce(sum(score * budget_adjusted) FILTER (WHERE complete), 0),"
                " coalesce(sum(budget_adjusted) FILTER (WHERE score IS NOT NULL AND complete), 0),"
                " sum(CASE jx_grade_rank(grade) WHEN 'a' THEN 1 WHEN 'b' THEN 2 WHEN 'c' THEN 3"
                " WHEN 'd' THEN 5 ELSE 7 END),"
                " coalesce(sum(budget_executed * CASE jx_grade_rank(grade) WHEN 'a' THEN 1"
                " WHEN 'b' THEN 2 WHEN 'c' THEN 3 WHEN 'd' THEN 5 ELSE 7 END), 0),"
                " count(*) FILTER (WHERE errors + warnings + infos > 0)"
                " + 2 * count(*) FILTER (WHERE errors > 0) + 3 * count(*) FILTER (WHERE warnings > 0)"
                " + 5 * count(*) FILTER (WHERE infos > 0)"
                " FROM jx_totals_rows GROUP BY 1, 2, 3, 4, 5) d")
    assert drift == [["0"]]
    # a stripe alone may be negative (added through one transaction's
    # stripe, deleted through another's, sql/0012); a grain may not
    assert sql("SELECT count(*) FROM (SELECT 1 FROM totals_summary GROUP BY province, year,"
               " scope, status, fund_nature HAVING sum(n) < 0 OR sum(n_eval) > sum(n)) g"
               ) == [["0"]]
    return rs


def test_the_paths_are_the_ones_expected(world):
    assert served_by() == "summary"
    assert served_by(group_by="region,year,fund_nature,scope", year="2023-2024") == "summary"
    assert served_by(world["t_prov"], region=world["province"]) == "summary"
    assert served_by(group_by="region", region_level="city") == "rows"
    assert served_by(group_by="grade") == "rows"
    assert served_by(group_by="unit") == "rows"
    assert served_by(department=str(world["orgs"][world["unit"]]["parent"])) == "rows"
    assert served_by(region=world["region"]) == "rows"
    assert served_by(world["t_prov"]) == "summary"
    assert served_by(world["t_prov"], group_by="region") == "rows"  # city level by default
    assert served_by(world["t_unit"]) == "rows"
    assert served_by(world["t_dept"]) == "rows"


def project_doc(name, year=2024):
    shared = os.environ.get("JX_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
    with open(os.path.join(shared, "fixtures", "000-suzhou-fund-supervision.json"),
              encoding="utf-8") as f:
        doc = json.load(f)["document"]
    for k in ("org", "scope"):
        doc.pop(k, None)
    doc.update(name=name, year=year, fund_nature="对下转移支付")
    return doc


def test_project_lifecycle_keeps_the_totals_right(world):
    u, d = world["t_unit"], world["t_dept"]
    check(world)
    p = api("POST", "/v1/projects", u, project_doc("汇总测试项目甲"))
    pid = p["id"]
    check(world)
    p = api("PATCH", f"/v1/projects/{pid}", u,
            {"budget": {"initial": "120万元", "adjusted": "110万元", "executed": "99.5万元"},
             "fund_nature": "本级项目"}, version=1)
    check(world)
    api("POST", f"/v1/projects/{pid}/submit", u, version=2)
    check(world)
    api("POST", f"/v1/projects/{pid}/evaluations", u)       # a rollup inserted
    rs = check(world)
    assert [r for r in rs if r["id"] == pid and r["scope"] == "project"][0]["grade"]
    api("POST", f"/v1/projects/{pid}/evaluations", u)       # the rollup updated
    check(world)
    api("POST", f"/v1/projects/{pid}/accept", d, version=3)
    check(world)
    # a second project: evaluated, returned, edited into another year, deleted
    q = api("POST", "/v1/projects", u, project_doc("汇总测试项目乙", 2023))
    qid = q["id"]
    api("POST", f"/v1/projects/{qid}/submit", u, version=1)
    api("POST", f"/v1/projects/{qid}/evaluations", u)
    check(world)
    api("POST", f"/v1/projects/{qid}/return", d, {"reason": "请补充佐证材料"}, version=2)
    check(world)
    api("PATCH", f"/v1/projects/{qid}", u, {"year": 2022, "budget": {"executed": "1万元"}},
        version=3)                                           # its rollup is of 2023 now
    rs = check(world)
    moved = [r for r in rs if r["id"] == qid and r["scope"] == "project"][0]
    assert moved["year"] == 2022 and moved["grade"] is None
    api("POST", f"/v1/projects/{qid}/evaluations", u)       # evaluated again, in 2022
    check(world)
    api("DELETE", f"/v1/projects/{qid}", u, version=4)
    rs = check(world)
    assert not [r for r in rs if r["id"] == qid and r["scope"] == "project"]


def test_a_wide_assessment_through_the_api(world):
    u, d = world["t_unit"], world["t_dept"]
    body = {"scope": "unit_wide", "year": 2022, "name": "汇总测试单位整体",
            "budget": {"initial": "90万元", "adjusted": "86.66万元", "executed": "73.62万元"},
            "figures": {"staff_in_post": 30, "authorised_posts": 32},
            "indicators": [{"level1": "单位整体绩效指标", "name": "资助困难群众参保户数",
                            "weight": 5, "target": "≥20户", "actual": "27户"}]}
    a = api("POST", "/v1/assessments", u, body)
    aid = a["id"]
    rs = check(world)
    assert [r for r in rs if r["id"] == aid and r["scope"] == "unit_wide"][0]["adjusted"] == 866600
    api("POST", f"/v1/assessments/{aid}/evaluations", u)
    check(world)
    body["budget"]["executed"] = "80万元"
    api("PUT", f"/v1/assessments/{aid}", u, body, version=1)
    check(world)
    api("POST", f"/v1/assessments/{aid}/submit", u, version=2)
    api("POST", f"/v1/assessments/{aid}/accept", d, version=3)
    got = totals(scope="unit_wide", group_by="scope", year="2022")
    assert got["groups"][0]["budget"]["executed"] == "800000.00"
    check(world)


def test_a_bulk_import_keeps_the_totals_right(world):
    """One import statement inserts many projects at once: since 0015 the
    insert trigger computes their contribution from the rows alone (a new
    project has no rollup); then an import that updates some of them and
    adds others goes through the general trigger as well."""
    u = world["t_unit"]
    check(world)
    docs = []
    for i, (year, nature, executed) in enumerate([(2024, "本级项目", "10万元"),
                                                  (2024, "对下转移支付", "1234.56元"),
                                                  (2023, None, "3.5万元"),
                                                  (2025, "本级项目", "0元")]):
        d = project_doc(f"汇总导入项目{i}", year)
        if nature is None:
            d.pop("fund_nature", None)
        else:
            d["fund_nature"] = nature
        d["budget"]["executed"] = executed
        docs.append(d)
    r = api("POST", "/v1/import", u, docs)
    assert r["created"] == 4, r
    check(world)
    docs[0]["budget"]["initial"] = "200万元"              # updated
    docs.append(project_doc("汇总导入项目4", 2024))        # created
    r = api("POST", "/v1/import", u, docs)
    assert r["created"] == 1 and r["updated"] == 1, r
    check(world)
