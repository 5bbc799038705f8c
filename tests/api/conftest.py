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
