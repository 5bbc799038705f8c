"""The cheaper project create (sql/0013): ids drawn inside the create
statement, Idempotency-Key replays rebuilt from the audit trail instead of a
stored body, indicators without a foreign key deleted with their project."""
from conftest import TOKEN, api, project_body
from test_40_auth import sql

N = [0]


def unique(name="写入"):
    N[0] += 1
    return f"{name}-{N[0]}"


def test_indicator_ids_are_drawn_in_position_order_and_stored_as_answered(tree):
    t = tree["unitA1"]["token"]
    r = api("POST", "/v1/projects", t, project_body(unique()))
    assert r.status_code == 201, r.text
    p = r.json()
    ids = [i["id"] for i in p["indicators"]]
    assert len(ids) > 1 and ids == sorted(ids) and len(set(ids)) == len(ids)
    assert r.headers["Location"] == f"/v1/projects/{p['id']}" and r.headers["ETag"] == '"1"'
    rows = sql(f"SELECT string_agg(id::text, ',' ORDER BY position) FROM indicators"
               f" WHERE project_id = {p['id']}")
    assert rows == ",".join(map(str, ids))
    assert [i["id"] for i in api("GET", f"/v1/projects/{p['id']}", t).json()["indicators"]] == ids
    assert sql(f"SELECT indicator_count FROM projects WHERE id = {p['id']}") == str(len(ids))


def test_a_project_without_indicators_is_created(tree):
    t = tree["unitA1"]["token"]
    r = api("POST", "/v1/projects", t, project_body(unique(), indicators=[]))
    assert r.status_code == 201, r.text
    assert r.json()["indicators"] == []


def test_replay_is_the_first_response_after_edits_and_deletion(tree):
    t = tree["unitA2"]["token"]
    key = {"Idempotency-Key": unique("replay-key")}
    body = project_body(unique())
    first = api("POST", "/v1/projects", t, body, headers=key)
    assert first.status_code == 201, first.text
    pid = first.json()["id"]
    row = sql(f"SELECT body IS NULL, project_id FROM idempotency_keys"
              f" WHERE key = '{key['Idempotency-Key']}'")
    assert row == f"t|{pid}"  # no third copy of the document
    again = api("POST", "/v1/projects", t, body, headers=key)
    assert again.status_code == 201 and again.text == first.text
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == '"1"' and again.headers["Idempotent-Replayed"] == "true"
    r = api("PATCH", f"/v1/projects/{pid}", t, {"code": "后改", "goals": {"annual": "改了"}},
            headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    again = api("POST", "/v1/projects", t, body, headers=key)
    assert again.status_code == 201 and again.text == first.text
    assert api("DELETE", f"/v1/projects/{pid}", t, headers={"If-Match": '"2"'}).status_code == 204
    again = api("POST", "/v1/projects", t, body, headers=key)
    assert again.status_code == 201 and again.text == first.text
    assert again.headers["Location"] == f"/v1/projects/{pid}"


def test_operator_replay_across_provinces(tree):
    key = {"Idempotency-Key": unique("op-key")}
    body = project_body(unique(), org_id=tree["unitB"]["id"])
    first = api("POST", "/v1/projects", TOKEN, body, headers=key)
    assert first.status_code == 201, first.text
    again = api("POST", "/v1/projects", TOKEN, body, headers=key)
    assert again.status_code == 201 and again.text == first.text
    assert again.headers["Idempotent-Replayed"] == "true"


def test_delete_removes_the_indicator_rows_without_a_foreign_key(tree):
    assert sql("SELECT count(*) FROM pg_constraint WHERE conrelid = 'indicators'::regclass"
               " AND contype = 'f'") == "0"
    t = tree["unitA1"]["token"]
    p = api("POST", "/v1/projects", t, project_body(unique())).json()
    assert int(sql(f"SELECT count(*) FROM indicators WHERE project_id = {p['id']}")) > 0
    assert api("DELETE", f"/v1/projects/{p['id']}", t, headers={"If-Match": '"1"'}).status_code == 204
    assert sql(f"SELECT count(*) FROM indicators WHERE project_id = {p['id']}") == "0"
