"""Projects: create, read, replace, patch, results, delete; validation with
pointers; idempotency under concurrency; optimistic concurrency; workflow;
the audit trail; SQL-looking text stored literally; lists and filters."""
import copy
import json
import threading

import pytest

from conftest import TOKEN, api, assert_problem, project_body
from test_40_auth import sql

N = [0]


def unique(name="项目"):
    N[0] += 1
    return f"{name}-{N[0]}"


def create(token, **kw):
    r = api("POST", "/v1/projects", token, project_body(unique(), **kw))
    assert r.status_code == 201, r.text
    return r.json()


def test_create_holds_everything_a_scoring_document_holds(tree):
    t = tree["unitA1"]["token"]
    body = project_body(unique("基金监管"), code="SZ-2022-07")
    r = api("POST", "/v1/projects", t, body)
    assert r.status_code == 201, r.text
    p = r.json()
    assert r.headers["Location"] == f"/v1/projects/{p['id']}"
    assert r.headers["ETag"] == '"1"'
    assert p["status"] == "draft" and p["version"] == 1 and p["org_id"] == tree["unitA1"]["id"]
    assert p["budget"]["initial"] == "900000.00" and p["budget"]["executed"] == "736200.00"
    assert p["amounts_as_written"]["/budget/executed"] == "73.62万元"
    assert p["budget"]["breakdown"][0] == {"item": "办公费", "amount": "16500.00"}
    assert [i["name"] for i in p["indicators"]] == [i["name"] for i in body["indicators"]]
    assert all(isinstance(i["id"], int) for i in p["indicators"])
    assert p["problems"][0]["rectification_advice"] == "加快项目实施进度"
    assert p["goals"]["overall"].startswith("履行")
    assert p["reported"] == {"total": 97}
    g = api("GET", f"/v1/projects/{p['id']}", t)
    assert g.status_code == 200 and g.json() == p and g.headers["ETag"] == '"1"'
    # indicators are rows of their own, with the ids returned
    ids = sql(f"SELECT string_agg(id::text, ',' ORDER BY position) FROM indicators "
              f"WHERE project_id = {p['id']}")
    assert ids == ",".join(str(i["id"]) for i in p["indicators"])
    assert sql(f"SELECT province || ' ' || budget_executed FROM projects WHERE id = {p['id']}") \
        == "340000 736200.00"


def test_the_stored_project_scores_like_the_fixture(tree):
    """What was stored scores as the document it came from (scoring.md §7)."""
    p = create(tree["unitA1"]["token"])
    doc = {k: p[k] for k in ("framework", "name", "year", "budget", "indicators", "reported")}
    for i in doc["indicators"]:
        del i["id"]
    for ptr, text in p["amounts_as_written"].items():
        parts = ptr.strip("/").split("/")
        cur = doc
        for part in parts[:-1]:
            cur = cur[int(part)] if isinstance(cur, list) else cur[part]
        cur[parts[-1]] = text
    r = api("POST", "/v1/score", TOKEN, dict(doc, scope="project"))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 98.5


@pytest.mark.parametrize("mutate,status,pointer,code", [
    (lambda d: d.update(year=1999), 422, "/year", "YEAR_INVALID"),
    (lambda d: d.update(year="2022"), 422, "/year", None),
    (lambda d: d.pop("year"), 422, "/year", "FIELD_REQUIRED"),
    (lambda d: d.update(name=""), 422, "/name", "FIELD_REQUIRED"),
    (lambda d: d.update(framework="project-1999"), 422, "/framework", "FRAMEWORK_UNKNOWN"),
    (lambda d: d.update(fund_nature="自有资金"), 422, "/fund_nature", "VALUE_INVALID"),
    (lambda d: d.update(category="长期"), 422, "/category", "VALUE_INVALID"),
    (lambda d: d.update(evaluation_method="随便"), 422, "/evaluation_method", "VALUE_INVALID"),
    (lambda d: d["budget"].update(initial="-5"), 422, "/budget/initial", "AMOUNT_NEGATIVE"),
    (lambda d: d["budget"].update(recovered="-1"), 422, "/budget/recovered", "AMOUNT_NEGATIVE"),
    (lambda d: d["budget"].update(executed="七十万"), 422, "/budget/executed", None),
    (lambda d: d["indicators"][0].update(weight=0), 422, "/indicators/0/weight", "WEIGHT_INVALID"),
    (lambda d: d["indicators"][1].update(weight=-3), 422, "/indicators/1/weight", "WEIGHT_INVALID"),
    (lambda d: d["indicators"][2].update(target="大于三十"), 422, "/indicators/2/target",
     "TARGET_UNPARSEABLE"),
    (lambda d: d["indicators"][3].update(reported_score=11), 422,
     "/indicators/3/reported_score", "SCORE_ABOVE_WEIGHT"),
    (lambda d: d["indicators"][3].update(reported_score=-1), 422,
     "/indicators/3/reported_score", "SCORE_ABOVE_WEIGHT"),
    (lambda d: d["indicators"][0].update(level1="投入指标"), 422, "/indicators/0/level1",
     "LEVEL_UNKNOWN"),
    (lambda d: d["indicators"][0].update(level2="数数指标"), 422, "/indicators/0/level2",
     "LEVEL_UNKNOWN"),
    (lambda d: d["indicators"][0].pop("name"), 422, "/indicators/0/name", "FIELD_REQUIRED"),
    (lambda d: d["indicators"][0].update(id=999999999), 422, "/indicators/0/id", None),
    (lambda d: d["problems"][0].pop("description"), 422, "/problems/0/description",
     "FIELD_REQUIRED"),
    (lambda d: d.update(goals="好"), 422, "/goals", "TYPE_INVALID"),
    (lambda d: d.update(org_id=-1), 422, "/org_id", None),
    (lambda d: d.update(colour="red"), 400, "/colour", "UNKNOWN_FIELD"),
    (lambda d: d["budget"].update(intial="90万元"), 400, "/budget/intial", "UNKNOWN_FIELD"),
    (lambda d: d["indicators"][0].update(weigth=3), 400, "/indicators/0/weigth", "UNKNOWN_FIELD"),
    (lambda d: d["problems"][0].update(owner="x"), 400, "/problems/0/owner", "UNKNOWN_FIELD"),
])
def test_validation_errors_have_status_and_pointer(tree, mutate, status, pointer, code):
    body = project_body(unique("校验"))
    mutate(body)
    before = sql("SELECT count(*) FROM projects")
    r = api("POST", "/v1/projects", tree["unitA1"]["token"], body)
    problem = assert_problem(r, status)
    hits = [e for e in problem["errors"] if e["pointer"] == pointer]
    assert hits, problem
    if code:
        assert hits[0]["code"] == code, problem
    assert hits[0]["message"]
    assert sql("SELECT count(*) FROM projects") == before


def test_every_error_is_listed_at_once(tree):
    body = project_body(unique("多错"))
    body["budget"]["initial"] = "-5"
    body["indicators"][0]["weight"] = 0
    body["indicators"][2]["target"] = "大于三十"
    body["indicators"][3]["reported_score"] = 50
    body["indicators"][4]["level1"] = "坏指标"
    problem = assert_problem(api("POST", "/v1/projects", tree["unitA1"]["token"], body), 422)
    pointers = {e["pointer"] for e in problem["errors"]}
    assert {"/budget/initial", "/indicators/0/weight", "/indicators/2/target",
            "/indicators/3/reported_score", "/indicators/4/level1"} <= pointers


def test_malformed_json_has_line_and_column(tree):
    r = api("POST", "/v1/projects", tree["unitA1"]["token"],
            data='{"year": 2022,\n "name": }'.encode(), headers={"Content-Type": "application/json"})
    problem = assert_problem(r, 400)
    assert problem["line"] == 2 and problem["column"] >= 9


def test_sql_looking_text_is_stored_literally(tree):
    evil = "'; DROP TABLE projects;--"
    body = project_body(evil, code="x'); DELETE FROM orgs; --")
    body["indicators"][0]["deviation_reason"] = evil
    body["problems"][0]["description"] = "Robert'); DROP TABLE audit_log;--"
    r = api("POST", "/v1/projects", tree["unitA1"]["token"], body)
    assert r.status_code == 201, r.text
    got = api("GET", f"/v1/projects/{r.json()['id']}", tree["unitA1"]["token"]).json()
    assert got["name"] == evil and got["code"] == "x'); DELETE FROM orgs; --"
    assert got["indicators"][0]["deviation_reason"] == evil
    found = api("GET", "/v1/projects?q=%27%3B%20DROP", tree["unitA1"]["token"]).json()["items"]
    assert [p["id"] for p in found] == [got["id"]]
    assert api("GET", "/v1/projects?q=%25", tree["unitA1"]["token"]).json()["items"] == []
    assert int(sql("SELECT count(*) FROM orgs")) > 5


def test_idempotent_retries_under_concurrency_create_one_project(tree):
    body = project_body(unique("幂等"))
    results = []

    def go():
        results.append(api("POST", "/v1/projects", tree["unitA2"]["token"], body,
                           headers={"Idempotency-Key": f"par-{N[0]}"}))

    threads = [threading.Thread(target=go) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201] * 20, [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    assert len({r.text for r in results}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in results) == 19
    assert sql(f"SELECT count(*) FROM projects WHERE name = '{body['name']}'") == "1"
    other = dict(body, name=body["name"] + "x")
    r = api("POST", "/v1/projects", tree["unitA2"]["token"], other,
            headers={"Idempotency-Key": f"par-{N[0]}"})
    assert assert_problem(r, 422)["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_same_name_twice_is_a_conflict(tree):
    body = project_body(unique("重名"))
    assert api("POST", "/v1/projects", tree["unitA1"]["token"], body).status_code == 201
    assert_problem(api("POST", "/v1/projects", tree["unitA1"]["token"], body), 409)


def test_two_concurrent_edits_one_wins(tree):
    t = tree["unitA1"]["token"]
    p = create(t)
    results = []
    barrier = threading.Barrier(2)

    def go(n):
        barrier.wait()
        results.append(api("PATCH", f"/v1/projects/{p['id']}", t, {"code": f"C-{n}"},
                           headers={"If-Match": '"1"'}))

    threads = [threading.Thread(target=go, args=(n,)) for n in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(r.status_code for r in results) == [200, 412], [r.text for r in results]
    stale = next(r for r in results if r.status_code == 412)
    assert stale.json()["current_version"] == 2 and stale.headers["ETag"] == '"2"'


def test_if_match_is_required(tree):
    t = tree["unitA1"]["token"]
    p = create(t)
    assert_problem(api("PATCH", f"/v1/projects/{p['id']}", t, {"code": "x"}), 428)
    assert_problem(api("PUT", f"/v1/projects/{p['id']}", t, project_body(p["name"])), 428)
    assert_problem(api("DELETE", f"/v1/projects/{p['id']}", t), 428)
    assert_problem(api("POST", f"/v1/projects/{p['id']}/submit", t), 428)


def test_put_keeps_indicator_ids_and_patch_merges(tree):
    t = tree["unitA1"]["token"]
    p = create(t)
    body = copy.deepcopy(p)
    body["indicators"] = body["indicators"][:2] + [
        {"level1": "效益指标", "level2": "社会效益指标", "name": "新指标", "weight": 5,
         "target": "≥90%", "actual": "95%"}]
    r = api("PUT", f"/v1/projects/{p['id']}", t, body, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    q = r.json()
    assert q["version"] == 2 and r.headers["ETag"] == '"2"'
    assert [i["id"] for i in q["indicators"][:2]] == [i["id"] for i in p["indicators"][:2]]
    assert q["indicators"][2]["id"] not in [i["id"] for i in p["indicators"]]
    assert q["amounts_as_written"] == p["amounts_as_written"]  # a GET body PUT back keeps them
    assert sql(f"SELECT count(*) FROM indicators WHERE project_id = {p['id']}") == "3"
    r = api("PATCH", f"/v1/projects/{p['id']}", t,
            {"goals": {"annual": "新年度目标"}, "budget": {"executed": "80万元"}},
            headers={"If-Match": '"2"'})
    assert r.status_code == 200, r.text
    assert r.json()["goals"]["annual"] == "新年度目标" and r.json()["goals"]["overall"]
    assert r.json()["budget"]["executed"] == "800000.00"
    assert r.json()["budget"]["initial"] == "900000.00"
    other = create(t)
    body["indicators"][0]["id"] = other["indicators"][0]["id"]
    problem = assert_problem(api("PUT", f"/v1/projects/{p['id']}", t, body,
                                 headers={"If-Match": '"3"'}), 422)
    assert problem["errors"][0]["pointer"] == "/indicators/0/id"
    problem = assert_problem(api("PATCH", f"/v1/projects/{p['id']}", t,
                                 {"org_id": tree["unitA2"]["id"]}, headers={"If-Match": '"3"'}), 422)
    assert problem["errors"][0]["code"] == "ORG_IMMUTABLE"


def test_results_touch_only_results(tree):
    t = tree["unitA1"]["token"]
    body = project_body(unique("年终"))
    for i in body["indicators"]:
        i.pop("actual", None)
        i.pop("reported_score", None)
    body["budget"].pop("executed")
    body["budget"].pop("breakdown")
    p = api("POST", "/v1/projects", t, body).json()
    cost = p["indicators"][3]
    r = api("PUT", f"/v1/projects/{p['id']}/results", t,
            {"indicators": [{"id": cost["id"], "actual": "73.63万元", "reported_score": 8.51,
                             "deviation_reason": "节约开支"}],
             "budget": {"executed": "73.62万元"}, "reported": {"total": 97}},
            headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    q = r.json()
    got = q["indicators"][3]
    assert got["actual"] == "73.63万元" and got["reported_score"] == 8.51
    assert got["target"] == cost["target"] and got["weight"] == cost["weight"]
    assert q["budget"]["executed"] == "736200.00" and q["reported"]["total"] == 97
    assert sql(f"SELECT actual #>> '{{}}' FROM indicators WHERE id = {cost['id']}") == "73.63万元"
    problem = assert_problem(api("PUT", f"/v1/projects/{p['id']}/results", t,
                                 {"indicators": [{"id": 1, "actual": "1"},
                                                 {"id": cost["id"], "reported_score": 99}]},
                                 headers={"If-Match": '"2"'}), 422)
    pointers = {e["pointer"] for e in problem["errors"]}
    assert pointers == {"/indicators/0/id", "/indicators/1/reported_score"}
    assert_problem(api("PUT", f"/v1/projects/{p['id']}/results", t,
                       {"indicators": [{"id": cost["id"], "target": "≥1次"}]},
                       headers={"If-Match": '"2"'}), 400)


def test_workflow_allowed_and_refused(tree):
    unit, dept, fin = tree["unitA1"]["token"], tree["deptA"]["token"], tree["finA"]["token"]
    p = create(unit)
    pid = p["id"]

    def post(token, action, version, body=None):
        return api("POST", f"/v1/projects/{pid}/{action}", token, body,
                   headers={"If-Match": f'"{version}"'})

    assert_problem(post(unit, "accept", 1), 403)          # the owner cannot accept
    assert_problem(post(dept, "accept", 1), 409)          # not submitted yet
    r = post(unit, "submit", 1)
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.text
    assert_problem(post(unit, "submit", 2), 409)          # already submitted
    assert_problem(api("PATCH", f"/v1/projects/{pid}", unit, {"code": "x"},
                       headers={"If-Match": '"2"'}), 409)  # only drafts are editable
    assert_problem(api("DELETE", f"/v1/projects/{pid}", unit, headers={"If-Match": '"2"'}), 409)
    assert_problem(post(dept, "return", 2, {}), 422)      # a return needs a reason
    r = post(dept, "return", 2, {"reason": "请补充佐证材料"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft" and r.json()["return_reason"] == "请补充佐证材料"
    r = api("PATCH", f"/v1/projects/{pid}", unit, {"code": "补充后"}, headers={"If-Match": '"3"'})
    assert r.status_code == 200, r.text
    r = post(unit, "submit", 4)
    assert r.status_code == 200 and r.json()["return_reason"] is None
    assert_problem(post(fin, "accept", 4), 412)           # stale
    assert_problem(post(tree["finB"]["token"], "accept", 5), 404)  # another province
    r = post(fin, "accept", 5)
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    assert_problem(post(fin, "return", 6, {"reason": "x"}), 409)  # accepted is final
    assert_problem(api("PUT", f"/v1/projects/{pid}/results", unit, {"reported": {"total": 1}},
                       headers={"If-Match": '"6"'}), 409)
    hist = api("GET", f"/v1/projects/{pid}/history", unit).json()["items"]
    assert [h["action"] for h in hist] == ["create", "submit", "return", "patch", "submit",
                                           "accept"]
    assert hist[2]["reason"] == "请补充佐证材料"
    assert hist[2]["actor"]["org_id"] == tree["deptA"]["id"]
    assert hist[5]["before"] == {"status": "submitted"} and hist[5]["after"] == {"status": "accepted"}


def test_get_is_the_same_representation_as_the_writes(tree):
    """GET puts its body together from the stored document and columns
    (server/routes/projects.c): every field, escaped, equal to what writes answer."""
    unit, dept = tree["unitA1"]["token"], tree["deptA"]["token"]
    p = create(unit)
    pid = p["id"]
    r = api("POST", f"/v1/projects/{pid}/submit", unit, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    reason = 'quote " backslash \\ newline\n tab\t bell\u0007 引号“”'
    r = api("POST", f"/v1/projects/{pid}/return", dept, {"reason": reason},
            headers={"If-Match": '"2"'})
    assert r.status_code == 200, r.text
    g = api("GET", f"/v1/projects/{pid}", unit)
    assert g.status_code == 200 and g.headers["ETag"] == '"3"'
    got = g.json()
    assert got == r.json()
    assert got["return_reason"] == reason and got["version"] == 3 and got["status"] == "draft"
    assert set(got) >= {"id", "org_id", "region_code", "status", "version", "return_reason",
                        "created_at", "updated_at", "name", "indicators", "budget"}
    assert api("HEAD", f"/v1/projects/{pid}", unit).status_code == 200


def test_workflow_retry_with_key_replays(tree):
    unit = tree["unitA2"]["token"]
    p = create(unit)
    h = {"If-Match": '"1"', "Idempotency-Key": f"submit-{p['id']}"}
    a = api("POST", f"/v1/projects/{p['id']}/submit", unit, headers=h)
    b = api("POST", f"/v1/projects/{p['id']}/submit", unit, headers=h)
    assert a.status_code == b.status_code == 200 and a.text == b.text
    assert b.headers["Idempotent-Replayed"] == "true"
    assert len(api("GET", f"/v1/projects/{p['id']}/history", unit).json()["items"]) == 2


def test_audit_entries_for_each_change_and_after_delete(tree):
    t = tree["unitA1"]["token"]
    p = create(t)
    pid = p["id"]
    api("PATCH", f"/v1/projects/{pid}", t, {"code": "A"}, headers={"If-Match": '"1"'})
    api("PUT", f"/v1/projects/{pid}/results", t, {"reported": {"total": 96}},
        headers={"If-Match": '"2"'})
    r = api("DELETE", f"/v1/projects/{pid}", t, headers={"If-Match": '"3"'})
    assert r.status_code == 204
    assert_problem(api("GET", f"/v1/projects/{pid}", t), 404)
    assert sql(f"SELECT count(*) FROM indicators WHERE project_id = {pid}") == "0"
    hist = api("GET", f"/v1/projects/{pid}/history", t).json()["items"]
    assert [h["action"] for h in hist] == ["create", "patch", "results", "delete"]
    assert hist[0]["before"] is None and hist[0]["after"]["name"] == p["name"]
    assert hist[1]["before"].get("code") is None and hist[1]["after"]["code"] == "A"
    assert hist[2]["after"]["reported"]["total"] == 96
    assert hist[3]["after"] is None and hist[3]["before"]["code"] == "A"
    assert all(h["actor"]["org_id"] == tree["unitA1"]["id"] and h["actor"]["token_id"] for h in hist)
    page = api("GET", f"/v1/projects/{pid}/history?limit=3", t).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    # append-only, even for the database owner
    assert "append-only" in psql_error(f"UPDATE audit_log SET action = 'x' WHERE resource_id = {pid}")
    assert "append-only" in psql_error(f"DELETE FROM audit_log WHERE resource_id = {pid}")


def psql_error(query):
    import os
    import subprocess
    r = subprocess.run(["/usr/lib/postgresql/15/bin/psql", os.environ["DATABASE_URL"], "-tAc",
                        query], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    return r.stderr


def test_department_files_for_its_unit_and_operator_must_name_org(tree):
    body = project_body(unique("代填"), org_id=tree["unitA2"]["id"])
    r = api("POST", "/v1/projects", tree["deptA"]["token"], body)
    assert r.status_code == 201 and r.json()["org_id"] == tree["unitA2"]["id"], r.text
    problem = assert_problem(api("POST", "/v1/projects", TOKEN, project_body(unique())), 422)
    assert problem["errors"][0]["pointer"] == "/org_id"
    body = project_body(unique("越权"), org_id=tree["unitB"]["id"])
    assert_problem(api("POST", "/v1/projects", tree["deptA"]["token"], body), 422)
    body = project_body(unique("越权"), org_id=tree["unitA2"]["id"])
    assert_problem(api("POST", "/v1/projects", tree["finA"]["token"], body), 422)


def test_list_filters_and_pages(tree):
    t = tree["unitB"]["token"]
    made = [create(t, year=y)["id"] for y in (2020, 2020, 2021)]
    items = api("GET", "/v1/projects?year=2020", t).json()["items"]
    assert [p["id"] for p in items] == made[:2]
    assert all(p["budget"]["initial"] == "900000.00" for p in items)
    fin = tree["finB"]["token"]
    ids, cursor = [], None
    while True:
        page = api("GET", "/v1/projects?limit=1&region=440200" + (f"&cursor={cursor}" if cursor else ""),
                   fin).json()
        ids += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(made) <= set(ids) and ids == sorted(ids)
    assert api("GET", "/v1/projects?region=341300", fin).json()["items"] == []
    assert api("GET", f"/v1/projects?org={tree['unitB']['id']}&status=submitted", fin).json()["items"] == []
    assert len(api("GET", f"/v1/projects?org={tree['unitB']['id']}&status=draft", fin).json()["items"]) >= 3
    assert [p["id"] for p in api("GET", "/v1/projects?year=2021", t).json()["items"]] == made[2:]
    for bad in ("year=1", "region=34", "status=done", "limit=1001", "cursor=!!"):
        assert_problem(api("GET", "/v1/projects?" + bad, t), 400)


def test_unauthenticated_is_401(tree):
    assert_problem(api("GET", "/v1/projects"), 401)
    assert_problem(api("POST", "/v1/projects", None, project_body(unique())), 401)
    assert_problem(api("POST", "/v1/projects", "jx_wrong", {"colour": 1}), 401)
    assert_problem(api("GET", "/v1/projects/1", "jx_wrong"), 401)
