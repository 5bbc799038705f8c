"""GET /v1/totals and GET /v1/findings against totals computed here.

run.sh loads a tiny generated country with scored evaluations.  The
expected figures are computed in Python with Decimal from the raw rows
(projects, their rollups, organisations) read with psql -- independently of
the server's SQL -- and compared exactly: money to the fen, rates and means
after half-up rounding, shares within 0.0001 of the exact ratio and adding
up to exactly 1 in every group.
"""
import csv
import hashlib
import io
import json
import os
import subprocess
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
import requests

BASE = os.environ["JX_BASE_URL"]
ADMIN = os.environ["JX_BOOTSTRAP_TOKEN"]
DB = os.environ["DATABASE_URL"]
PSQL = "/usr/lib/postgresql/15/bin/psql"
GRADES = ["优", "良", "中", "差", "未评价"]
DIMS = ["region", "department", "unit", "year", "grade", "fund_nature", "scope"]


def sql(q):
    r = subprocess.run([PSQL, DB, "-XAtq", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", q],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines() if line]


def nul(v):
    return None if v == "" else v


def load_orgs():
    return {int(r[0]): {"id": int(r[0]), "kind": r[1], "name": r[2], "region": r[3],
                        "parent": int(r[4]) if r[4] else None}
            for r in sql("SELECT id, kind, name, region_code, coalesce(parent_id::text, '') FROM orgs")}


def yuan(v):
    """A wide assessment's budget figure as its document writes it ("90万元",
    "736151.84", 1200) in yuan, half-up to the fen; None when absent or not an amount."""
    if v is None or v == "":
        return None
    t = str(v).strip()
    factor = Decimal(1)
    if t.endswith("万元"):
        t, factor = t[:-2].strip(), Decimal(10000)
    elif t.endswith("元"):
        t = t[:-1].strip()
    try:
        return q(Decimal(t) * factor, 2)
    except ArithmeticError:
        return None


def first(*vals):
    return next((v for v in vals if v is not None), None)


def load_rows(orgs):
    """Every subject as jx_totals_rows means it, read from the raw tables:
    projects and wide assessments with their rollup when it is of the same year."""
    out = []
    rollup = ("LEFT JOIN evaluation_rollups r ON r.subject = '{s}' AND r.subject_id = {a}.id"
              " AND r.province = {a}.province AND r.year = {a}.year")
    figures_sql = (" coalesce(r.normalised::text, ''), coalesce(r.grade, ''),"
                   " coalesce(r.complete::text, ''), coalesce(r.errors, 0), coalesce(r.warnings, 0),"
                   " coalesce(r.infos, 0)")
    q_p = ("SELECT p.id, p.org_id, coalesce(p.parent_org_id::text, ''), p.region_code, p.year,"
           " p.status, coalesce(p.fund_nature, ''), coalesce(p.budget_initial::text, ''),"
           " coalesce(p.budget_adjusted::text, ''), coalesce(p.budget_executed::text, ''), 'project',"
           + figures_sql + " FROM projects p " + rollup.format(s="project", a="p"))
    q_a = ("SELECT a.id, a.org_id, coalesce(a.parent_org_id::text, ''), a.region_code, a.year,"
           " a.status, '', coalesce(a.doc->'budget'->>'initial', ''),"
           " coalesce(a.doc->'budget'->>'adjusted', ''), coalesce(a.doc->'budget'->>'executed', ''),"
           " a.scope," + figures_sql + ", coalesce(a.doc->'figures'->>'budget', ''),"
           " coalesce(a.doc->'figures'->>'budget_done', '') FROM assessments a "
           + rollup.format(s="assessment", a="a"))
    for r in sql(q_p) + sql(q_a):
        org = orgs[int(r[1])]
        if r[10] == "project":
            initial = Decimal(r[7]) if r[7] else None
            adjusted = Decimal(r[8]) if r[8] else initial
            executed = Decimal(r[9]) if r[9] else None
        else:
            initial = yuan(r[7])
            adjusted = first(yuan(r[8]), initial, yuan(r[17]))
            executed = first(yuan(r[9]), yuan(r[18]))
        out.append({
            "id": int(r[0]), "org_id": int(r[1]), "parent": int(r[2]) if r[2] else None,
            "region": r[3], "year": int(r[4]), "status": r[5], "fund_nature": nul(r[6]),
            "initial": first(initial, Decimal(0)), "adjusted": first(adjusted, Decimal(0)),
            "executed": first(executed, Decimal(0)),
            "score": Decimal(r[11]) if r[11] else None, "grade": nul(r[12]),
            "complete": None if r[13] == "" else r[13] == "true",
            "errors": int(r[14]), "warnings": int(r[15]), "infos": int(r[16]),
            "department": int(r[1]) if org["kind"] == "department" else (int(r[2]) if r[2] else None),
            "scope": r[10]})
    return out


@pytest.fixture(scope="session")
def orgs():
    return load_orgs()


@pytest.fixture(scope="session")
def rows(orgs):
    out = load_rows(orgs)
    assert len(out) > 100 and any(x["score"] is not None for x in out)
    return out


def token_for(org_id):
    tok = "jx_totals_" + os.urandom(12).hex()
    h = hashlib.sha256(tok.encode()).hexdigest()
    sql(f"INSERT INTO api_tokens (org_id, hash, prefix) VALUES ({org_id}, decode('{h}', 'hex'), 'jx_t')")
    return tok


def get(path, token=ADMIN, **params):
    return requests.get(BASE + path, params=params, timeout=30,
                        headers={"Authorization": "Bearer " + token})


def totals(token=ADMIN, **params):
    r = get("/v1/totals", token, **params)
    assert r.status_code == 200, r.text
    return json.loads(r.text, parse_float=Decimal)


def q(v, places):
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def key_of(row, dim, level):
    if dim == "region":
        return {"province": row["region"][:2] + "0000", "city": row["region"][:4] + "00",
                "county": row["region"]}[level]
    if dim == "department":
        return row["department"]
    if dim == "unit":
        return row["org_id"]
    if dim == "grade":
        return row["grade"] or "未评价"
    return row[dim]


def figures(rs):
    n_eval = [r for r in rs if r["score"] is not None]
    sa = sum((r["adjusted"] for r in rs), Decimal(0))
    se = sum((r["executed"] for r in rs), Decimal(0))
    wbase = sum((r["adjusted"] for r in n_eval), Decimal(0))
    out = {
        "count": len(rs), "evaluated": len(n_eval), "not_evaluated": len(rs) - len(n_eval),
        "incomplete": sum(1 for r in rs if r["complete"] is False),
        "budget": {"initial": str(q(sum((r["initial"] for r in rs), Decimal(0)), 2)),
                   "adjusted": str(q(sa, 2)), "executed": str(q(se, 2))},
        "execution_rate": q(se / sa, 4) if sa else None,
        "mean_score": q(sum(r["score"] for r in n_eval) / len(n_eval), 2) if n_eval else None,
        "weighted_mean_score": (q(sum(r["score"] * r["adjusted"] for r in n_eval) / wbase, 2)
                                if wbase else None),
        "findings": {"any": sum(1 for r in rs if r["errors"] + r["warnings"] + r["infos"] > 0),
                     "error": sum(1 for r in rs if r["errors"] > 0),
                     "warning": sum(1 for r in rs if r["warnings"] > 0),
                     "info": sum(1 for r in rs if r["infos"] > 0)},
        "grades": {},
    }
    for g in GRADES:
        gr = [r for r in rs if (r["grade"] or "未评价") == g]
        out["grades"][g] = (len(gr), q(sum((r["executed"] for r in gr), Decimal(0)), 2))
    return out


def check_figures(got, want):
    for k in ("count", "evaluated", "not_evaluated", "incomplete", "budget", "findings"):
        assert got[k] == want[k], (k, got[k], want[k])
    for k in ("execution_rate", "mean_score", "weighted_mean_score"):
        assert (got[k] is None and want[k] is None) or Decimal(got[k]) == want[k], (k, got[k], want[k])
    assert [g["grade"] for g in got["grades"]] == GRADES
    total_amount = sum(a for _, a in want["grades"].values())
    cs = sum(Decimal(g["count_share"]) for g in got["grades"])
    assert cs == 1, got["grades"]
    if total_amount:
        assert sum(Decimal(g["amount_share"]) for g in got["grades"]) == 1, got["grades"]
    else:  # no amount to share: the shares are null, not zeros
        assert all(g["amount_share"] is None for g in got["grades"]), got["grades"]
    for g in got["grades"]:
        n, amount = want["grades"][g["grade"]]
        assert g["count"] == n and Decimal(g["amount"]) == amount
        assert abs(Decimal(g["count_share"]) - Decimal(n) / want["count"]) <= Decimal("0.0001")
        if total_amount:
            assert abs(Decimal(g["amount_share"]) - amount / total_amount) <= Decimal("0.0001")


def expected(rs, dims, level):
    groups = defaultdict(list)
    for r in rs:
        groups[tuple(key_of(r, d, level) for d in dims)].append(r)
    return groups


def select(rs, statuses=("submitted", "accepted"), year=None, region=None, department=None,
           reach=None):
    out = []
    for r in rs:
        if r["status"] not in statuses:
            continue
        if year and not (year[0] <= r["year"] <= year[1]):
            continue
        if region and not r["region"].startswith(prefix(region)):
            continue
        if department and department not in (r["org_id"], r["parent"]):
            continue
        if reach and not reach(r):
            continue
        out.append(r)
    return out


def prefix(region):
    if region.endswith("0000"):
        return region[:2]
    if region.endswith("00"):
        return region[:4]
    return region


def compare(got, rs, dims, level="province"):
    want = expected(rs, dims, level)
    assert len(got["groups"]) == len(want), (len(got["groups"]), len(want))
    for g in got["groups"]:
        key = tuple(g[d] for d in dims)
        assert key in want, key
        check_figures(g, figures(want[key]))
    check_figures(got["total"], figures(rs))


def test_the_whole_country_default_status_said(rows):
    got = totals()
    assert got["filters"]["status"] == ["submitted", "accepted"]
    assert got["filters"]["status_default"] is True and "默认" in got["filters"]["note"]
    compare(got, select(rows), [])


@pytest.mark.parametrize("dim", DIMS)
def test_every_group_by(rows, dim):
    got = totals(group_by=dim, status="all")
    assert got["group_by"] == [dim]
    compare(got, select(rows, statuses=("draft", "submitted", "accepted")), [dim])


@pytest.mark.parametrize("level", ["province", "city", "county"])
def test_region_levels(rows, level):
    got = totals(group_by="region,year,grade", region_level=level)
    assert got["region_level"] == level
    compare(got, select(rows), ["region", "year", "grade"], level)
    for g in got["groups"]:
        assert g["region_name"], g  # every region has a finance bureau


def test_filters(rows, orgs):
    years = sorted({r["year"] for r in rows})
    y = years[-1]
    prov = sorted({r["region"][:2] + "0000" for r in rows})[1]
    city = sorted({r["region"][:4] + "00" for r in rows
                   if r["region"].startswith(prov[:2]) and r["region"][2:4] != "00"})[0]
    dept = sorted(o["id"] for o in orgs.values() if o["kind"] == "department"
                  and o["region"].startswith(city[:4]))[0]
    compare(totals(year=str(y)), select(rows, year=(y, y)), [])
    compare(totals(year=f"{years[0]}-{years[-1]}", group_by="year"),
            select(rows, year=(years[0], years[-1])), ["year"])
    compare(totals(region=prov, group_by="region"), select(rows, region=prov), ["region"], "city")
    compare(totals(region=city, group_by="region"), select(rows, region=city), ["region"], "county")
    compare(totals(department=str(dept), group_by="unit"), select(rows, department=dept), ["unit"])
    compare(totals(status="draft"), select(rows, statuses=("draft",)), [])
    compare(totals(status="accepted,draft", group_by="fund_nature"),
            select(rows, statuses=("accepted", "draft")), ["fund_nature"])
    projects = [r for r in select(rows) if r["scope"] == "project"]
    wide = [r for r in select(rows) if r["scope"] != "project"]
    assert projects and wide  # gen.py --wide: a wide assessment per organisation and year
    compare(totals(scope="project"), projects, [])
    compare(totals(scope="unit_wide,department_wide", group_by="scope"), wide, ["scope"])
    compare(totals(scope="department_wide", region=prov, group_by="region"),
            [r for r in wide if r["scope"] == "department_wide" and r["region"].startswith(prov[:2])],
            ["region"], "city")
    compare(totals(year=str(y), region=city, department=str(dept), group_by="department,grade"),
            select(rows, year=(y, y), region=city, department=dept), ["department", "grade"])


def test_bad_parameters_all_listed():
    r = get("/v1/totals", year="20x", group_by="region,colour", format="pdf", status="done",
            region="34", scope="all", region_level="street", department="x")
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/query/" + p for p in ("year", "group_by", "format", "status", "region",
                                                "scope", "region_level", "department")}


def counties(orgs):
    return sorted(o["region"] for o in orgs.values()
                  if o["kind"] == "finance" and not o["region"].endswith("00"))


def finance_of(orgs, region):
    return [o["id"] for o in orgs.values() if o["kind"] == "finance" and o["region"] == region][0]


def test_a_county_bureau_sees_its_county_only(rows, orgs):
    a, b = counties(orgs)[:2]
    assert a[:4] == b[:4]  # neighbours in one city
    tok = token_for(finance_of(orgs, a))
    mine = select(rows, reach=lambda r: r["region"] == a)
    compare(totals(tok, group_by="region", region_level="county"), mine, ["region"], "county")
    # asking for the neighbour, its city or another province gives nothing more
    assert totals(tok, region=b)["total"]["count"] == 0
    compare(totals(tok, region=a[:4] + "00"), mine, [])
    compare(totals(tok, region=a[:2] + "0000"), mine, [])
    other = [r for r in counties(orgs) if r[:2] != a[:2]][0]
    assert totals(tok, region=other)["total"]["count"] == 0


def test_a_province_bureau_and_a_department(rows, orgs):
    prov = sorted({r["region"][:2] + "0000" for r in rows})[0]
    tok = token_for(finance_of(orgs, prov))
    compare(totals(tok, group_by="region"), select(rows, region=prov), ["region"], "city")
    dept = sorted(o["id"] for o in orgs.values() if o["kind"] == "department")[3]
    tok = token_for(dept)
    compare(totals(tok, group_by="unit"), select(rows, department=dept), ["unit"])
    unit = [o["id"] for o in orgs.values() if o["parent"] == dept and o["kind"] == "unit"][0]
    tok = token_for(unit)
    compare(totals(tok), select(rows, reach=lambda r: r["org_id"] == unit), [])


def table_rows(header, data):
    keys = [h[h.rindex("(") + 1:-1] for h in header]
    return [dict(zip(keys, row)) for row in data]


def check_table(trows, got, dims):
    assert len(trows) == len(got["groups"]) + 1
    for t, g in zip(trows, got["groups"] + [got["total"]]):
        for d in dims:
            if t["row"] == "分组":
                want = g[d]
                assert str(t[d] if t[d] is not None else "") == ("" if want is None else str(want))
        assert int(t["count"]) == g["count"] and int(t["evaluated"]) == g["evaluated"]
        for k in ("initial", "adjusted", "executed"):
            assert Decimal(str(t["budget_" + k])) == Decimal(g["budget"][k])
        if g["execution_rate"] is not None:
            assert abs(Decimal(str(t["execution_rate"])) - Decimal(g["execution_rate"])) < Decimal("1e-9")
        if g["mean_score"] is not None:
            assert abs(Decimal(str(t["mean_score"])) - Decimal(g["mean_score"])) < Decimal("1e-9")
        for key, gr in zip(("excellent", "good", "fair", "poor", "not_evaluated"), g["grades"]):
            assert int(t[f"grade_{key}_count"]) == gr["count"]
            assert Decimal(str(t[f"grade_{key}_amount"])) == Decimal(gr["amount"])
            assert abs(Decimal(str(t[f"grade_{key}_count_share"])) - Decimal(gr["count_share"])) < Decimal("1e-9")
        assert int(t["findings_any"]) == g["findings"]["any"]
    assert trows[-1]["row"] == "合计"


def test_csv_and_xlsx_match_the_json():
    params = {"group_by": "region,year,grade", "region_level": "city"}
    got = totals(**params)
    r = get("/v1/totals", format="csv", **params)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    data = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    check_table(table_rows(data[0], data[1:]), got, ["region", "year", "grade"])
    r = get("/v1/totals", format="xlsx", **params)
    assert r.status_code == 200 and "spreadsheetml" in r.headers["Content-Type"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    data = [list(row) for row in ws.iter_rows(values_only=True)]
    trows = table_rows(data[0], data[1:])
    for t in trows:  # numbers come back as floats: the years as integers
        if isinstance(t.get("year"), float):
            t["year"] = int(t["year"])
    check_table(trows, got, ["region", "year", "grade"])


# ---- findings -------------------------------------------------------------------

@pytest.fixture(scope="session")
def latest_findings():
    out = []
    for r in sql("SELECT e.id, f.n - 1, f.x->>'code', f.x->>'severity', e.region_code, e.year,"
                 " e.org_id, coalesce(e.parent_org_id, 0)"
                 " FROM evaluation_rollups r JOIN evaluations e ON e.id = r.evaluation_id"
                 " CROSS JOIN LATERAL jsonb_array_elements(e.body::jsonb->'findings')"
                 " WITH ORDINALITY f(x, n)"):
        out.append({"evaluation_id": int(r[0]), "pos": int(r[1]), "code": r[2], "severity": r[3],
                    "region": r[4], "year": int(r[5]), "org_id": int(r[6]), "parent": int(r[7])})
    assert out
    return out


def all_pages(token=ADMIN, **params):
    items, cursor, pages = [], None, 0
    while True:
        p = dict(params, limit=7)
        if cursor:
            p["cursor"] = cursor
        r = get("/v1/findings", token, **p)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items
        assert pages < 1000


def test_findings_filters_and_pages(latest_findings, orgs):
    everything = all_pages()
    assert len(everything) == len(latest_findings)
    ids = [(i["evaluation_id"]) for i in everything]
    assert ids == sorted(ids)
    got = all_pages(code="TOTAL_MISMATCH", severity="warning")
    assert len(got) == sum(1 for f in latest_findings if f["code"] == "TOTAL_MISMATCH")
    assert all(g["code"] == "TOTAL_MISMATCH" for g in got)
    y = latest_findings[0]["year"]
    assert len(all_pages(year=y, severity="error")) == sum(
        1 for f in latest_findings if f["year"] == y and f["severity"] == "error")
    a = counties(orgs)[0]
    tok = token_for(finance_of(orgs, a))
    mine = all_pages(tok)
    assert len(mine) == sum(1 for f in latest_findings if f["region"] == a)
    assert all(m["region_code"] == a for m in mine)
    assert all_pages(tok, region=counties(orgs)[1]) == []
    r = get("/v1/findings", severity="fatal", limit=0, cursor="x")
    assert r.status_code == 422 and len(r.json()["errors"]) == 3


def test_findings_of_one_province_every_filter(latest_findings, orgs):
    """A province's pages (read through its rollups, server/db/totals.c) for every
    filter: the same findings in the same order as the raw rows say."""
    prov = sorted({f["region"][:2] + "0000" for f in latest_findings})[0]
    tok = token_for(finance_of(orgs, prov))
    mine = sorted((f for f in latest_findings if f["region"].startswith(prov[:2])),
                  key=lambda f: (f["evaluation_id"], f["pos"]))
    y = mine[0]["year"]
    dept = next(o["id"] for o in orgs.values() if o["kind"] == "department"
                and o["region"].startswith(prov[:2]))
    city = sorted({f["region"][:4] + "00" for f in mine if f["region"][2:4] != "00"})[0]
    cases = [({}, lambda f: True), ({"year": y}, lambda f: f["year"] == y),
             ({"severity": "warning"}, lambda f: f["severity"] == "warning"),
             ({"code": "TOTAL_MISMATCH", "year": y},
              lambda f: f["code"] == "TOTAL_MISMATCH" and f["year"] == y),
             ({"department": dept}, lambda f: dept in (f["org_id"], f["parent"])),
             ({"region": city}, lambda f: f["region"].startswith(city[:4]))]
    for params, keep in cases:
        want = [(f["evaluation_id"], f["code"], f["severity"]) for f in mine if keep(f)]
        for token in (tok, ADMIN):
            p = dict(params) if token == tok else dict(params, region=params.get("region", prov))
            got = [(i["evaluation_id"], i["code"], i["severity"]) for i in all_pages(token, **p)]
            assert got == want, params


def test_wide_assessments_count_with_their_budget(orgs):
    """A unit-wide assessment (issue 5's table) is a subject of scope
    unit_wide; its budget comes from its document as people write it."""
    unit = sorted(o["id"] for o in orgs.values() if o["kind"] == "unit")[0]
    o = orgs[unit]
    prov = o["region"][:2] + "0000"
    doc = json.dumps({"scope": "unit_wide", "name": "单位整体支出", "year": 2021,
                      "budget": {"initial": "90万元", "adjusted": "86.66万元", "executed": "73.62万元"}},
                     ensure_ascii=False)
    aid = sql(f"INSERT INTO assessments (province, org_id, parent_org_id, region_code, year, scope,"
              f" name, framework_id, status, doc) VALUES ('{prov}', {unit}, {o['parent']},"
              f" '{o['region']}', 2021, 'unit_wide', '单位整体支出', 'unit-wide-2013', 'accepted',"
              f" '{doc}'::jsonb) RETURNING id")[0][0]
    try:
        got = totals(scope="unit_wide", group_by="scope,unit", year="2021")
        assert len(got["groups"]) == 1
        g = got["groups"][0]
        assert g["scope"] == "unit_wide" and g["unit"] == unit and g["count"] == 1
        assert g["budget"] == {"initial": "900000.00", "adjusted": "866600.00", "executed": "736200.00"}
        assert g["execution_rate"] == Decimal("0.8495") and g["evaluated"] == 0
        both = totals(group_by="scope", year="2021-2024")
        assert {x["scope"] for x in both["groups"]} == {"project", "unit_wide", "department_wide"}
    finally:
        sql(f"DELETE FROM assessments WHERE id = {aid}")


def test_an_evaluation_stored_through_the_api_shows_in_totals_and_findings(orgs):
    """End to end with issue 5's own evaluation path: a unit files a
    project, evaluates it, and the totals and findings see the result."""
    shared = os.environ.get("JX_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
    with open(os.path.join(shared, "fixtures", "000-suzhou-fund-supervision.json"), encoding="utf-8") as f:
        doc = json.load(f)["document"]
    unit = sorted(o["id"] for o in orgs.values() if o["kind"] == "unit")[-1]
    tok = token_for(unit)
    hdr = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    for k in ("org", "scope"):
        doc.pop(k, None)
    doc["name"] = "端到端测试项目"
    doc["fund_nature"] = "本级项目"
    r = requests.post(BASE + "/v1/projects", json=doc, headers=hdr, timeout=30)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = requests.post(BASE + f"/v1/projects/{pid}/evaluations", headers=hdr, timeout=30)
    assert r.status_code in (200, 201), r.text
    ev = r.json()
    got = totals(tok, status="all", year=str(doc["year"]))
    assert got["total"]["count"] == 1 and got["total"]["evaluated"] == 1
    assert got["total"]["budget"]["executed"] == "736200.00"
    grade = ev.get("grade") or ev.get("result", {}).get("grade")
    assert [g["count"] for g in got["total"]["grades"] if g["grade"] == grade] == [1]
    items = [i for i in all_pages(tok, year=doc["year"])]
    assert items and all(i["subject_id"] == pid and i["name"] == "端到端测试项目" for i in items)
    assert "TOTAL_MISMATCH" in {i["code"] for i in items}  # reported 97, computed 98.50
