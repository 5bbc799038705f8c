"""Liveness, readiness before and after migrations, migrate itself."""
import requests

from conftest import assert_problem, run_server_cmd, url


def test_healthz():
    r = requests.get(url("/healthz"), timeout=10)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers.get("X-Request-Id")


def test_readyz_false_before_migrations_true_after(migrated):
    body = assert_problem(migrated["before"], 503)
    assert "migrat" in body["title"] + body["detail"]
    assert migrated["before"].headers.get("Retry-After")
    after = migrated["after"]
    assert after is not None and after.status_code == 200
    assert after.json()["status"] == "ready"
    assert after.json()["schema_version"] >= 1
    assert "applied 0001_init.sql" in migrated["migrate"].stdout


def test_migrate_is_idempotent(migrated):
    r = run_server_cmd("migrate")
    assert r.returncode == 0, r.stderr
    assert "0 applied now" in r.stdout
    assert requests.get(url("/readyz"), timeout=10).status_code == 200


def test_request_id_is_echoed():
    r = requests.get(url("/healthz"), headers={"X-Request-Id": "abc-123"}, timeout=10)
    assert r.headers["X-Request-Id"] == "abc-123"
