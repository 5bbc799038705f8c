"""GET /v1/projects/{id} reads its row in binary form and prints the time
stamps in C (util.c fmt_pg_time); every other answer prints them in SQL
with jx_time().  Both must agree to the character, for any instant the
column can hold: set by hand here, then read through both."""
import time

import pytest
import requests

from conftest import AUTH, BASE, sql
from test_70_write_faults import new_unit, post, project_body

INSTANTS = [
    "1999-12-31 23:59:59.9995+00",    # truncated, not rounded, to .999
    "2000-01-01 00:00:00+00",         # the binary epoch
    "2024-02-29 12:34:56.789999+00",  # a leap day
    "1970-01-01 00:00:00.001+00",
    "1900-03-01 00:00:00.5+00",       # before 2000: negative microseconds
    "2100-12-31 23:59:59.999999+00",
    "2026-11-22 21:00:03.7175+08",    # another zone: printed in UTC
]


@pytest.fixture(scope="module")
def project():
    _, token = new_unit(BASE, "times")
    r = post(BASE, "/v1/projects", project_body(f"时间-{time.monotonic_ns()}"), token=token)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("instant", INSTANTS)
def test_get_prints_the_time_as_sql_does(project, instant):
    sql(f"UPDATE projects SET created_at = '{instant}', updated_at = '{instant}'::timestamptz"
        f" + interval '1 microsecond' WHERE id = {int(project)}")
    want = sql(f"SELECT jx_time(created_at) || ' ' || jx_time(updated_at) FROM projects"
               f" WHERE id = {int(project)}").split()
    r = requests.get(f"{BASE}/v1/projects/{project}", headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    got = r.json()
    assert [got["created_at"], got["updated_at"]] == want
    # the list prints them through SQL: the same text
    listed = requests.get(f"{BASE}/v1/projects", params={"q": got["name"]}, headers=AUTH, timeout=10)
    assert listed.status_code == 200
    (item,) = [p for p in listed.json()["items"] if p["id"] == project]
    assert item["updated_at"] == want[1]


def test_get_keeps_the_rest_of_the_representation(project):
    r = requests.get(f"{BASE}/v1/projects/{project}", headers=AUTH, timeout=10)
    body = r.json()
    assert r.headers["ETag"] == f'"{body["version"]}"'
    assert isinstance(body["id"], int) and body["id"] == project
    assert isinstance(body["org_id"], int) and isinstance(body["version"], int)
    assert body["status"] == "draft" and body["return_reason"] is None
    assert list(body)[:8] == ["id", "org_id", "region_code", "status", "version", "return_reason",
                              "created_at", "updated_at"]
