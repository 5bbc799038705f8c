"""Shared helpers for the API tests (run by tests/api/run.sh).

run.sh starts a private PostgreSQL cluster and the server against its empty
database, then exports:
  JX_BASE_URL      the server's base URL
  JX_SERVER_BIN    the server binary (for `migrate` and `routes`)
  JX_PG_SH, JX_PG_DIR  to stop and start the database mid-test
  DATABASE_URL, JX_BOOTSTRAP_TOKEN, JX_SHARED, JX_REPO
"""
import json
import os
import pathlib
import subprocess
import time

import pytest
import requests

BASE = os.environ.get("JX_BASE_URL", "http://127.0.0.1:8080")
REPO = pathlib.Path(os.environ.get("JX_REPO", pathlib.Path(__file__).resolve().parents[2]))
SHARED = pathlib.Path(os.environ.get("JX_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"
SERVER_BIN = os.environ.get("JX_SERVER_BIN", "")
TOKEN = os.environ.get("JX_BOOTSTRAP_TOKEN", "")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AUTH_LINE = f"Authorization: Bearer {TOKEN}\r\n".encode()  # for raw requests
SANITIZER_MARKS = ("Sanitizer", "runtime error:")


def url(path):
    return BASE + path


def fixture_files():
    return sorted(p for p in FIXTURES.glob("*.json") if p.name[0].isdigit())


def load_fixture(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def assert_problem(resp, status):
    """The response is an RFC 9457 problem with the given status."""
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem lacks {key}: {body}"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert body["type"].startswith("urn:jixiao:problem:")
    return body


def run_server_cmd(*args):
    r = subprocess.run([SERVER_BIN, *args], capture_output=True, text=True, timeout=60)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def pg(cmd):
    """scripts/pg.sh stop|start on the test cluster."""
    r = subprocess.run([os.environ["JX_PG_SH"], cmd, os.environ["JX_PG_DIR"]],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def wait_for(fn, timeout):
    """Polls fn() until it returns truthy or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


@pytest.fixture(scope="session")
def migrated():
    """Migrates the (until now empty) database once, recording /readyz
    before and after."""
    before = requests.get(url("/readyz"), timeout=10)
    r = run_server_cmd("migrate")
    assert r.returncode == 0, r.stdout + r.stderr
    after = wait_for(lambda: (lambda x: x if x.status_code == 200 else None)(
        requests.get(url("/readyz"), timeout=10)), 5)
    return {"before": before, "after": after, "migrate": r}


# ---- organisations, tokens and projects (issue 4) ---------------------------

def api(method, path, token=None, json_body=None, headers=None, data=None, timeout=30):
    """One request with a bearer token; the response."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    return requests.request(method, url(path), json=json_body, data=data, headers=h,
                            timeout=timeout)


def new_org(token, kind, name, region, parent=None):
    body = {"kind": kind, "name": name, "region_code": region}
    if parent:
        body["parent_id"] = parent
    r = api("POST", "/v1/orgs", token, body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def new_token(token, org_id):
    r = api("POST", f"/v1/orgs/{org_id}/tokens", token, {"label": "test"})
    assert r.status_code == 201, r.text
    return r.json()["token"]


def project_body(name="医疗保障基金安全监管", year=2022, **extra):
    """A valid project: the fixture of seed 000 plus the project fields."""
    doc = load_fixture(FIXTURES / "000-suzhou-fund-supervision.json")["document"]
    doc.pop("scope", None)
    doc.pop("org", None)
    doc.update({"name": name, "year": year, "supervising_office": "社保科",
                "fund_nature": "本级项目", "category": "常年",
                "evaluation_method": "委托第三方机构",
                "goals": {"overall": "履行全市医疗保障基金安全监督管理职能",
                          "annual": "开展打击欺诈骗保专项行动"},
                "problems": [{"category": "预算执行", "responsible_office": "社保科",
                              "description": "预算执行率偏低",
                              "rectification_advice": "加快项目实施进度"}]})
    doc.update(extra)
    return doc


@pytest.fixture(scope="session")
def tree(migrated):
    """Two provinces' bureaus: 宿州市 (341300) with a department, two units
    and a county finance bureau below; 新丰县 (440233) with a department and
    a unit.  Returns {name: {"id", "token", "kind", "region", "parent"}}."""
    spec = [
        ("finA", "finance", "宿州市财政局", "341300", None),
        ("finA2", "finance", "埇桥区财政局", "341302", None),
        ("deptA", "department", "宿州市医疗保障局", "341300", None),
        ("unitA1", "unit", "宿州市城镇职工基本医疗保险管理中心", "341300", "deptA"),
        ("unitA2", "unit", "宿州市医疗保障基金监管中心", "341300", "deptA"),
        ("finB", "finance", "新丰县财政局", "440233", None),
        ("deptB", "department", "新丰县医疗保障局", "440233", None),
        ("unitB", "unit", "新丰县医疗保障事务中心", "440233", "deptB"),
    ]
    out = {}
    for key, kind, name, region, parent in spec:
        oid = new_org(TOKEN, kind, f"{name}·{os.getpid()}", region,
                      out[parent]["id"] if parent else None)
        out[key] = {"id": oid, "kind": kind, "region": region,
                    "parent": out[parent]["id"] if parent else None}
    for key in out:
        out[key]["token"] = new_token(TOKEN, out[key]["id"])
    return out


def region_prefix(region):
    if region.endswith("0000"):
        return region[:2]
    if region.endswith("00"):
        return region[:4]
    return region


def reaches(who, org):
    """api.md's reach: does organisation `who` see organisation `org`?"""
    if who["kind"] == "admin":
        return True
    if who["id"] == org["id"]:
        return True
    if who["kind"] == "department":
        return org["parent"] == who["id"]
    if who["kind"] == "finance":
        return org["region"].startswith(region_prefix(who["region"]))
    return False
