"""Organisations and tokens: who may create what, reach, If-Match,
tokens shown once, expiry and revocation, the audit trail."""
import hashlib
import threading

from conftest import TOKEN, api, assert_problem, new_org, new_token
from test_40_auth import sql


def test_operator_creates_finance_bureau_and_reads_it(tree):
    r = api("GET", f"/v1/orgs/{tree['finA']['id']}", TOKEN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "finance" and body["region_code"] == "341300"
    assert r.headers["ETag"] == f'"{body["version"]}"'


def test_finance_bureau_may_not_create_finance_bureaus(tree):
    r = api("POST", "/v1/orgs", tree["finA"]["token"],
            {"kind": "finance", "name": "某县财政局", "region_code": "341321"})
    assert_problem(r, 403)


def test_finance_bureau_creates_only_in_its_region(tree):
    r = api("POST", "/v1/orgs", tree["finA"]["token"],
            {"kind": "department", "name": "外省部门", "region_code": "440233"})
    body = assert_problem(r, 422)
    assert body["errors"][0]["pointer"] == "/region_code"
    ok = api("POST", "/v1/orgs", tree["finA"]["token"],
             {"kind": "department", "name": "宿州市民政局", "region_code": "341300"})
    assert ok.status_code == 201, ok.text


def test_department_creates_its_units_only(tree):
    t = tree["deptA"]["token"]
    r = api("POST", "/v1/orgs", t, {"kind": "unit", "name": "宿州市医保信息中心"})
    assert r.status_code == 201, r.text
    assert r.json()["parent_id"] == tree["deptA"]["id"]
    assert r.json()["region_code"] == "341300"
    assert_problem(api("POST", "/v1/orgs", t, {"kind": "department", "name": "x",
                                               "region_code": "341300"}), 403)
    assert_problem(api("POST", "/v1/orgs", tree["unitA1"]["token"],
                       {"kind": "unit", "name": "y", "region_code": "341300"}), 403)


def test_org_validation_lists_every_error(tree):
    r = api("POST", "/v1/orgs", TOKEN, {"kind": "bureau", "name": "", "region_code": "34",
                                        "posts": -1})
    body = assert_problem(r, 422)
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/kind", "/name", "/region_code", "/posts"} <= pointers
    body = assert_problem(api("POST", "/v1/orgs", TOKEN, {"kind": "unit", "nmae": "x"}), 400)
    assert body["errors"][0]["pointer"] == "/nmae"


def test_parent_must_be_in_reach(tree):
    r = api("POST", "/v1/orgs", tree["finA"]["token"],
            {"kind": "unit", "name": "借壳单位", "region_code": "341300",
             "parent_id": tree["deptB"]["id"]})
    body = assert_problem(r, 422)
    assert body["errors"][0]["pointer"] == "/parent_id"


def test_lists_are_scoped(tree):
    ids = {o["id"] for o in api("GET", "/v1/orgs?limit=1000", tree["deptA"]["token"]).json()["items"]}
    assert ids >= {tree["deptA"]["id"], tree["unitA1"]["id"], tree["unitA2"]["id"]}
    assert tree["finA"]["id"] not in ids and tree["deptB"]["id"] not in ids
    ids = {o["id"] for o in api("GET", "/v1/orgs?limit=1000", tree["finA"]["token"]).json()["items"]}
    assert tree["finA2"]["id"] in ids and tree["unitA1"]["id"] in ids
    assert tree["unitB"]["id"] not in ids
    unit = api("GET", "/v1/orgs", tree["unitA1"]["token"]).json()["items"]
    assert [o["id"] for o in unit] == [tree["unitA1"]["id"]]


def test_keyset_pages(tree):
    seen, cursor = [], None
    while True:
        path = "/v1/orgs?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api("GET", path, TOKEN).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) >= 9
    assert_problem(api("GET", "/v1/orgs?cursor=zzz", TOKEN), 400)
    assert_problem(api("GET", "/v1/orgs?limit=0", TOKEN), 400)


def test_patch_needs_if_match_and_detects_stale(tree):
    oid = new_org(TOKEN, "unit", "改名测试单位", "341300", tree["deptA"]["id"])
    assert_problem(api("PATCH", f"/v1/orgs/{oid}", TOKEN, {"staff": 12}), 428)
    r = api("PATCH", f"/v1/orgs/{oid}", TOKEN, {"staff": 12, "posts": 15},
            headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["staff"] == 12 and r.json()["version"] == 2
    body = assert_problem(api("PATCH", f"/v1/orgs/{oid}", TOKEN, {"staff": 13},
                              headers={"If-Match": '"1"'}), 412)
    assert '"2"' in api("GET", f"/v1/orgs/{oid}", TOKEN).headers["ETag"]
    assert "2" in body["detail"]
    assert_problem(api("PATCH", f"/v1/orgs/{oid}", TOKEN, {"kind": "finance"},
                       headers={"If-Match": '"2"'}), 400)
    assert sql(f"SELECT count(*) FROM audit_log WHERE resource = 'org' AND resource_id = {oid}") == "2"


def test_token_shown_once_hashed_and_revocable(tree):
    r = api("POST", f"/v1/orgs/{tree['unitA2']['id']}/tokens", tree["deptA"]["token"],
            {"label": "portal", "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    tok = r.json()
    secret = tok["token"]
    assert secret.startswith("jx_") and len(secret) >= 46
    digest = hashlib.sha256(secret.encode()).hexdigest()
    assert sql(f"SELECT count(*) FROM api_tokens WHERE encode(hash, 'hex') = '{digest}'") == "1"
    assert api("GET", "/v1/whoami", secret).json()["org"]["id"] == tree["unitA2"]["id"]
    listed = api("GET", f"/v1/orgs/{tree['unitA2']['id']}/tokens", tree["unitA2"]["token"]).json()
    assert all("token" not in t for t in listed["items"])
    assert tok["id"] in [t["id"] for t in listed["items"]]
    assert api("DELETE", f"/v1/tokens/{tok['id']}", tree["deptA"]["token"]).status_code == 204
    assert_problem(api("GET", "/v1/whoami", secret), 401)
    assert api("DELETE", f"/v1/tokens/{tok['id']}", tree["deptA"]["token"]).status_code == 204


def test_expired_token_is_refused(tree):
    r = api("POST", f"/v1/orgs/{tree['unitB']['id']}/tokens", TOKEN,
            {"expires_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 201
    assert_problem(api("GET", "/v1/whoami", r.json()["token"]), 401)
    body = assert_problem(api("POST", f"/v1/orgs/{tree['unitB']['id']}/tokens", TOKEN,
                              {"expires_at": "tomorrow"}), 422)
    assert body["errors"][0]["pointer"] == "/expires_at"


def test_token_replay_never_shows_the_secret_twice(tree):
    h = {"Idempotency-Key": "token-replay-1"}
    first = api("POST", f"/v1/orgs/{tree['unitB']['id']}/tokens", TOKEN, {"label": "x"}, headers=h)
    again = api("POST", f"/v1/orgs/{tree['unitB']['id']}/tokens", TOKEN, {"label": "x"}, headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["token"] and again.json()["token"] is None
    assert sql("SELECT count(*) FROM idempotency_keys WHERE body LIKE '%"
               + first.json()["token"][3:20] + "%'") == "0"


def test_concurrent_org_creates_with_one_key_make_one(tree):
    body = {"kind": "unit", "name": "并发单位", "region_code": "341300",
            "parent_id": tree["deptA"]["id"]}
    results = []

    def go():
        results.append(api("POST", "/v1/orgs", TOKEN, body, headers={"Idempotency-Key": "org-par"}))

    threads = [threading.Thread(target=go) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
