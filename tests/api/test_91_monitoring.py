"""Mid-year monitoring (双监控, issue 20): reports by period, the colours at
their exact boundaries, indicator progress pro rata, thresholds of a
finance bureau's region, the list's filters, reach and totals, audit."""
import os

import pytest

from conftest import TOKEN, api, assert_problem, new_org, new_token, project_body
from test_40_auth import sql

N = [0]


def unique(name="监控项目"):
    N[0] += 1
    return f"{name}-{os.getpid()}-{N[0]}"


@pytest.fixture(scope="module")
def mt(tree):
    """The shared tree plus a county (341302) department and unit, and a
    bureau of a region of its own (350100) whose thresholds tests change."""
    out = dict(tree)
    pid = os.getpid()
    dept = new_org(TOKEN, "department", f"埇桥区农业农村局·{pid}", "341302")
    unit = new_org(TOKEN, "unit", f"埇桥区农业技术推广中心·{pid}", "341302", dept)
    fz = new_org(TOKEN, "finance", f"福州市财政局·{pid}", "350100")
    fzu = new_org(TOKEN, "unit", f"福州市农业服务中心·{pid}", "350100")
    for key, oid, kind, region, parent in (("deptC", dept, "department", "341302", None),
                                           ("unitC", unit, "unit", "341302", dept),
                                           ("finF", fz, "finance", "350100", None),
                                           ("unitF", fzu, "unit", "350100", None)):
        out[key] = {"id": oid, "kind": kind, "region": region, "parent": parent,
                    "token": new_token(TOKEN, oid)}
    return out


def project(token, budget=None, year=2024, **kw):
    body = project_body(unique(), year=year, **kw)
    body["budget"] = budget or {"initial": "100万元"}
    r = api("POST", "/v1/projects", token, body)
    assert r.status_code == 201, r.text
    return r.json()


def put(token, pid, period, body, etag=None):
    h = {"If-Match": etag} if etag else None
    return api("PUT", f"/v1/projects/{pid}/monitoring/{period}", token, body, headers=h)


def colour(token, pid, period, executed):
    r = put(token, pid, period, {"executed_to_date": executed}, etag="*")
    if r.status_code == 428:
        raise AssertionError(r.text)
    if r.status_code == 412:  # first report of this period: create
        r = put(token, pid, period, {"executed_to_date": executed})
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_the_issue_example_and_exact_boundaries(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    r = put(t, p["id"], "2024-06", {"executed_to_date": "30万元", "notes": "按进度支付",
                                      "reasons": "第二批资金未到位"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert r.headers["ETag"] == '"1"'
    assert r.headers["Location"] == f"/v1/projects/{p['id']}/monitoring/2024-06"
    assert m["executed_to_date"] == "300000.00"
    assert m["amounts_as_written"] == {"executed_to_date": "30万元"}
    assert m["budget"] == "1000000.00"
    assert (m["time_progress"], m["execution_rate"], m["ratio"]) == (0.5, 0.3, 0.6)
    assert m["color"] == "yellow" and m["warnings"] == []
    assert m["notes"] == "按进度支付" and m["reasons"] == "第二批资金未到位"
    # 0.6 is yellow inclusive, one fen below is red; 0.8 is green inclusive
    for executed, want in (("10万元", "red"), ("45万元", "green"), ("299999.99", "red"),
                           ("300000.00", "yellow"), ("399999.99", "yellow"),
                           ("40万元", "green")):
        assert colour(t, p["id"], "2024-06", executed)["color"] == want, executed


def test_quarters_and_months(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    # Q3 ends in September: 9/12 = 0.75; 60万元 of 100万元 is 0.8 exactly
    m = colour(t, p["id"], "2024-Q3", "60万元")
    assert (m["months"], m["time_progress"], m["ratio"], m["color"]) == (9, 0.75, 0.8, "green")
    assert colour(t, p["id"], "2024-Q3", "599999.99")["color"] == "yellow"
    assert colour(t, p["id"], "2024-Q3", "45万元")["color"] == "yellow"       # 0.6
    assert colour(t, p["id"], "2024-Q3", "449999.99")["color"] == "red"
    m = colour(t, p["id"], "2024-Q1", "15万元")                               # 0.15 / 0.25
    assert (m["months"], m["ratio"], m["color"]) == (3, 0.6, "yellow")
    m = colour(t, p["id"], "2024-12", "80万元")
    assert (m["time_progress"], m["ratio"], m["color"]) == (1.0, 0.8, "green")
    r = api("GET", f"/v1/projects/{p['id']}/monitoring", t)
    assert r.status_code == 200
    assert [i["period"] for i in r.json()["items"]] == ["2024-Q3", "2024-Q1", "2024-12"]


def test_adjusted_budget_else_initial(mt):
    t = mt["unitA1"]["token"]
    p = project(t, budget={"initial": "100万元", "adjusted": "200万元"})
    m = colour(t, p["id"], "2024-06", "60万元")    # 60/200 = 0.3, / 0.5 = 0.6
    assert (m["budget"], m["execution_rate"], m["ratio"], m["color"]) == \
        ("2000000.00", 0.3, 0.6, "yellow")
    q = project(t, budget={"initial": "200万元"})
    assert colour(t, q["id"], "2024-06", "60万元")["color"] == "yellow"


def test_overspent_is_accepted_with_a_warning(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    r = put(t, p["id"], "2024-09", {"executed_to_date": "120万元"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["color"] == "green" and m["execution_rate"] == 1.2
    assert [w["code"] for w in m["warnings"]] == ["OVERSPENT"]
    assert "1200000.00" in m["warnings"][0]["message"]


def test_indicator_progress_pro_rata(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    ind = {i["target"]: i["id"] for i in p["indicators"]}
    r = put(t, p["id"], "2024-06", {"executed_to_date": "40万元", "indicators": [
        {"id": ind["≥5次"], "progress": "2次"},      # expected 2.5: 0.8 green
        {"id": ind["100%"], "progress": "60%"},      # a rate: not coloured
        {"id": ind["≤90万元"], "progress": "40万元"},  # a ceiling: not coloured
    ]})
    assert r.status_code == 201, r.text
    items = r.json()["indicators"]
    assert items[0]["cumulative"] is True and items[0]["color"] == "green"
    assert items[0]["expected"] == 2.5 and items[0]["ratio"] == 0.8
    assert items[0]["value"] == "2" and items[0]["target"] == "5"
    assert [i["color"] for i in items[1:]] == [None, None]
    assert r.json()["lagging_indicators"] == []
    r = put(t, p["id"], "2024-06", {"executed_to_date": "40万元", "indicators": [
        {"id": ind["≥5次"], "progress": "1"}]}, etag='"1"')
    assert r.status_code == 200, r.text
    assert r.json()["indicators"][0]["color"] == "red"
    assert r.json()["lagging_indicators"] == [ind["≥5次"]]
    assert r.json()["version"] == 2 and r.headers["ETag"] == '"2"'


def test_bad_input(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    other = project(t)
    b = assert_problem(put(t, p["id"], "2023-06", {"executed_to_date": "1万元"}), 422)
    assert b["errors"][0]["code"] == "PERIOD_OUT_OF_YEAR" and "2023-06" in b["errors"][0]["message"]
    b = assert_problem(put(t, p["id"], "2024-06", {"executed_to_date": "1万元", "indicators": [
        {"id": other["indicators"][0]["id"], "progress": "1次"}]}), 422)
    assert b["errors"][0]["code"] == "INDICATOR_UNKNOWN"
    assert b["errors"][0]["pointer"] == "/indicators/0/id"
    b = assert_problem(put(t, p["id"], "2024-06", {"executed_to_date": "三十万",
                                                   "indicators": [{"id": p["indicators"][0]["id"],
                                                                   "progress": "大约"}]}), 422)
    assert {e["pointer"] for e in b["errors"]} >= {"/executed_to_date"}
    b = assert_problem(put(t, p["id"], "2024-06", {"executed_to_date": "-1"}), 422)
    assert b["errors"][0]["pointer"] == "/executed_to_date"
    b = assert_problem(put(t, p["id"], "2024-06", {"executed": "1"}), 400)
    assert_problem(put(t, p["id"], "2024-13", {"executed_to_date": "1"}), 404)
    assert_problem(put(t, p["id"], "2024-Q5", {"executed_to_date": "1"}), 404)
    # nothing was written
    assert api("GET", f"/v1/projects/{p['id']}/monitoring", t).json()["items"] == []
    # create, then replace needs If-Match; a stale one is 412
    assert put(t, p["id"], "2024-06", {"executed_to_date": "1"}).status_code == 201
    assert_problem(put(t, p["id"], "2024-06", {"executed_to_date": "2"}), 428)
    b = assert_problem(put(t, p["id"], "2024-06", {"executed_to_date": "2"}, etag='"7"'), 412)
    assert put(t, p["id"], "2024-07", {"executed_to_date": "2"}, etag='"1"').status_code == 412


def test_reach_and_rights(mt):
    p = project(mt["unitA1"]["token"])
    # another unit, another province: 404; a finance bureau may read, not report
    assert_problem(put(mt["unitB"]["token"], p["id"], "2024-06", {"executed_to_date": "1"}), 404)
    assert_problem(put(mt["finA"]["token"], p["id"], "2024-06", {"executed_to_date": "1"}), 403)
    assert put(mt["deptA"]["token"], p["id"], "2024-06",
               {"executed_to_date": "1"}).status_code == 201
    assert api("GET", f"/v1/projects/{p['id']}/monitoring/2024-06",
               mt["finA"]["token"]).status_code == 200
    assert_problem(api("GET", f"/v1/projects/{p['id']}/monitoring/2024-06",
                       mt["unitB"]["token"]), 404)
    assert_problem(api("GET", f"/v1/projects/{p['id']}/monitoring", mt["unitA2"]["token"]), 404)
    assert_problem(api("GET", f"/v1/projects/{p['id']}/monitoring/2024-07",
                       mt["finA"]["token"]), 404)


def test_list_filters_reach_and_totals(mt):
    city, county = mt["finA"]["token"], mt["finA2"]["token"]
    a = project(mt["unitA1"]["token"])
    c = project(mt["unitC"]["token"])
    colour(mt["unitA1"]["token"], a["id"], "2024-06", "10万元")       # red
    colour(mt["unitA1"]["token"], a["id"], "2024-09", "70万元")       # latest: 0.9333 green
    colour(mt["unitC"]["token"], c["id"], "2024-06", "30万元")        # yellow

    def ids(token, **q):
        qs = "&".join(f"{k}={v}" for k, v in q.items())
        r = api("GET", f"/v1/monitoring?limit=1000&{qs}", token)
        assert r.status_code == 200, r.text
        return r.json(), {i["project_id"]: i for i in r.json()["items"]}

    body, items = ids(county, year=2024)
    assert c["id"] in items and a["id"] not in items        # a county sees its own only
    _, items = ids(city, year=2024)
    assert {a["id"], c["id"]} <= set(items)
    assert items[a["id"]]["period"] == "2024-09" and items[a["id"]]["color"] == "green"
    assert items[c["id"]]["org_name"].startswith("埇桥区农业技术推广中心")
    _, items = ids(city, period="2024-06")
    assert items[a["id"]]["color"] == "red"
    _, items = ids(city, period="2024-06", color="red")
    assert a["id"] in items and c["id"] not in items
    _, items = ids(city, region="341302")
    assert set(items) == {i for i in items if items[i]["region_code"] == "341302"}
    assert c["id"] in items
    _, items = ids(city, department=mt["deptC"]["id"])
    assert set(items) == {c["id"]}
    _, items = ids(mt["unitB"]["token"])
    assert a["id"] not in items and c["id"] not in items
    # totals: counts and amounts by colour and group, over the caller's reach
    body, _ = ids(county, year=2024, group_by="department")
    groups = body["totals"]["groups"]
    assert body["totals"]["group_by"] == "department"
    g = [x for x in groups if x["key"] == str(mt["deptC"]["id"])][0]
    assert g["name"].startswith("埇桥区农业农村局")
    assert g["colors"]["yellow"]["count"] >= 1
    body, _ = ids(county, year=2024, period="2024-06", group_by="region")
    yellow = body["totals"]["groups"][0]["colors"]["yellow"]
    got = sql(f"SELECT count(*), sum(executed) FROM monitoring_reports WHERE region_code = "
              f"'341302' AND period = '2024-06'")
    n, executed = got.split("|")
    assert yellow["count"] == int(n) and yellow["executed"] == executed
    # bad filters
    for q in ("color=blue", "period=2024-13", "region=34", "group_by=grade", "year=1999"):
        assert_problem(api("GET", f"/v1/monitoring?{q}", city), 400)
    # paging: a cursor, no totals after the first page
    r = api("GET", "/v1/monitoring?limit=1", city).json()
    assert len(r["items"]) == 1 and r["next_cursor"] and "totals" in r
    r2 = api("GET", f"/v1/monitoring?limit=1&cursor={r['next_cursor']}", city).json()
    assert r2["items"][0]["id"] > r["items"][0]["id"] and "totals" not in r2


def test_thresholds_are_a_bureaus_setting_for_its_region(mt):
    fin, unit = mt["finF"]["token"], mt["unitF"]["token"]
    p = project(unit)
    assert colour(unit, p["id"], "2024-06", "35万元")["color"] == "yellow"  # 0.7
    r = api("GET", "/v1/monitoring/thresholds", fin)
    assert r.json() == {"green": 0.8, "yellow": 0.6, "set_in": "000000"}
    assert_problem(api("PUT", "/v1/monitoring/thresholds", unit, {"green": 0.7, "yellow": 0.5}),
                   403)
    b = assert_problem(api("PUT", "/v1/monitoring/thresholds", fin,
                           {"green": 0.5, "yellow": 0.7}), 422)
    assert b["errors"][0]["code"] == "THRESHOLDS_ORDER"
    assert_problem(api("PUT", "/v1/monitoring/thresholds", fin,
                       {"green": "0.12345", "yellow": 0.1}), 422)
    r = api("PUT", "/v1/monitoring/thresholds", fin, {"green": 0.7, "yellow": 0.5})
    assert r.status_code == 200, r.text
    assert r.json() == {"green": 0.7, "yellow": 0.5, "set_in": "350100"}
    m = api("GET", f"/v1/projects/{p['id']}/monitoring/2024-06", unit).json()
    assert m["color"] == "green" and m["thresholds"] == {"green": 0.7, "yellow": 0.5}
    # other regions keep the defaults
    q = project(mt["unitA1"]["token"])
    assert colour(mt["unitA1"]["token"], q["id"], "2024-06", "35万元")["color"] == "yellow"
    assert sql(f"SELECT count(*) FROM audit_log WHERE resource = 'org' AND resource_id = "
               f"{mt['finF']['id']} AND action = 'monitoring.thresholds'") == "1"


def test_reports_are_in_the_projects_history(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    put(t, p["id"], "2024-06", {"executed_to_date": "1万元"})
    put(t, p["id"], "2024-06", {"executed_to_date": "2万元"}, etag='"1"')
    h = api("GET", f"/v1/projects/{p['id']}/history", t).json()["items"]
    mon = [e for e in h if e["action"] == "monitoring"]
    assert len(mon) == 2 and mon[0]["reason"] == "2024-06"
    assert mon[0]["before"] is None and mon[1]["before"]["executed"] == 10000.0
    assert mon[1]["after"]["executed"] == 20000.0
    assert mon[1]["actor"]["org_id"] == mt["unitA1"]["id"]


def test_deleting_a_draft_takes_its_reports(mt):
    t = mt["unitA1"]["token"]
    p = project(t)
    assert put(t, p["id"], "2024-03", {"executed_to_date": "1万元"}).status_code == 201
    r = api("DELETE", f"/v1/projects/{p['id']}", t, headers={"If-Match": '"1"'})
    assert r.status_code == 204, r.text
    assert sql(f"SELECT count(*) FROM monitoring_reports WHERE project_id = {p['id']}") == "0"
    assert_problem(api("GET", f"/v1/projects/{p['id']}/monitoring/2024-03", t), 404)


def test_threshold_limits(mt):
    fin = mt["finF"]["token"]
    r = api("PUT", "/v1/monitoring/thresholds", fin, {"green": 10, "yellow": "9.9999"})
    assert r.status_code == 200, r.text
    assert r.json()["green"] == 10
    for bad in ({"green": 10.5, "yellow": 1}, {"green": 0, "yellow": 0}, {"green": "x"},
                {"green": 0.8, "yellow": 0.6, "red": 0.1}):
        assert api("PUT", "/v1/monitoring/thresholds", fin, bad).status_code in (400, 422)
    r = api("PUT", "/v1/monitoring/thresholds", fin, {"green": 0.7, "yellow": 0.5})
    assert r.status_code == 200, r.text


def test_a_project_without_budget_has_no_colour(mt):
    t = mt["unitA1"]["token"]
    body = project_body(unique(), year=2024)
    body.pop("budget")
    r = api("POST", "/v1/projects", t, body)
    assert r.status_code == 201, r.text
    m = put(t, r.json()["id"], "2024-06", {"executed_to_date": "1万元"}).json()
    assert m["color"] is None and m["ratio"] is None and m["execution_rate"] is None
    assert m["budget"] is None and [w["code"] for w in m["warnings"]] == ["NO_BUDGET"]
    items = api("GET", f"/v1/monitoring?color=none&limit=1000", mt["finA"]["token"]).json()
    assert r.json()["id"] in {i["project_id"] for i in items["items"]}
