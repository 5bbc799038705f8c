"""Reads from a hot standby, writes to the primary, read-your-writes.

run.sh starts a primary and a streaming standby (pg_basebackup -R) and the
server with DATABASE_URL (primary) and DATABASE_READ_URL (standby).  The
proof that a read was served by the standby is made with the standby
itself: replay is paused there (pg_wal_replay_pause), something is written
on the primary, and a read that cannot see it must have come from the
standby; the same read with read-your-writes in force sees it (primary).
The server also names the database it used in X-Jixiao-Db.
"""
import hashlib
import os
import subprocess
import time

import pytest
import requests

BASE = os.environ["JX_BASE_URL"]
TOKEN = os.environ["JX_BOOTSTRAP_TOKEN"]
PRIMARY = os.environ["JX_PRIMARY_URL"]
STANDBY = os.environ["JX_STANDBY_URL"]
REPO = os.environ["JX_REPO"]
PSQL = "/usr/lib/postgresql/15/bin/psql"


def sql(url, q):
    r = subprocess.run([PSQL, url, "-XtAq", "-v", "ON_ERROR_STOP=1", "-c", q],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def new_admin_token(name):
    """A token inserted on the primary behind the server's back."""
    tok = "jx_replica_" + name + "_" + os.urandom(8).hex()
    h = hashlib.sha256(tok.encode()).hexdigest()
    sql(PRIMARY, "INSERT INTO api_tokens (org_id, hash, prefix, label)"
                 f" SELECT id, decode('{h}', 'hex'), 'jx_repl', '{name}' FROM orgs WHERE kind = 'admin'")
    return tok


def caught_up():
    lsn = sql(PRIMARY, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if sql(STANDBY, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t":
            return True
        time.sleep(0.05)
    return False


def get(path, token=TOKEN, **headers):
    headers["Authorization"] = "Bearer " + token
    return requests.get(BASE + path, headers=headers, timeout=10)


@pytest.fixture
def paused():
    """Replay paused on the standby for the test's duration."""
    sql(STANDBY, "SELECT pg_wal_replay_pause()")
    yield
    sql(STANDBY, "SELECT pg_wal_replay_resume()")
    assert caught_up()


def routes():
    r = subprocess.run([os.environ["JX_SERVER_BIN"], "routes"], capture_output=True,
                       text=True, timeout=10)
    return set(r.stdout.split("\n"))


def test_the_standby_is_a_streaming_hot_standby():
    assert sql(STANDBY, "SELECT pg_is_in_recovery()") == "t"
    assert sql(PRIMARY, "SELECT pg_is_in_recovery()") == "f"
    assert sql(PRIMARY, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1"


def test_a_get_is_served_by_the_standby():
    r = get("/v1/whoami")
    assert r.status_code == 200, r.text
    assert r.headers["X-Jixiao-Db"] == "replica"
    # the server holds connections to the standby (and says so in /metrics)
    n = sql(STANDBY, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'jixiao-server'")
    assert int(n) >= 1
    m = requests.get(BASE + "/metrics", timeout=10).text
    assert "jixiao_db_replica_configured 1" in m
    assert [l for l in m.splitlines() if l.startswith("jixiao_db_replica_connects_total ")][0] != \
        "jixiao_db_replica_connects_total 0"


def test_reads_cannot_see_what_the_paused_standby_has_not_replayed(paused):
    tok = new_admin_token("stale")
    # the standby has not replayed the INSERT: the token is unknown there
    r = get("/v1/whoami", token=tok)
    assert r.status_code == 401, r.text
    assert r.headers["X-Jixiao-Db"] == "replica"
    # asking for the primary explicitly sees it
    r = get("/v1/whoami", token=tok, **{"X-Jixiao-Read": "primary"})
    assert r.status_code == 200, r.text
    assert r.headers["X-Jixiao-Db"] == "primary"


def test_after_replay_the_standby_sees_it():
    tok = new_admin_token("later")
    assert caught_up()
    r = get("/v1/whoami", token=tok)
    assert r.status_code == 200 and r.headers["X-Jixiao-Db"] == "replica"


def test_a_write_goes_to_the_primary_and_its_writer_reads_it_at_once(paused):
    if "POST /v1/orgs" not in routes():
        pytest.skip("no write route in this build yet (POST /v1/orgs lands with issue 4)")
    other = new_admin_token("other")  # made while paused: only the primary knows it
    r = requests.post(BASE + "/v1/orgs", timeout=10,
                      headers={"Authorization": "Bearer " + TOKEN},
                      json={"kind": "finance", "name": "副本测试财政局 " + os.urandom(3).hex(),
                            "region_code": "340000"})
    assert r.status_code == 201, r.text
    assert r.headers["X-Jixiao-Db"] == "primary"
    assert "jx_primary_until=" in r.headers.get("Set-Cookie", "")
    oid = r.json()["id"]
    assert sql(PRIMARY, f"SELECT count(*) FROM orgs WHERE id = {oid}") == "1"
    assert sql(STANDBY, f"SELECT count(*) FROM orgs WHERE id = {oid}") == "0"
    # the writer: read-your-writes sends it to the primary
    r = get(f"/v1/orgs/{oid}")
    assert r.status_code == 200, r.text
    assert r.headers["X-Jixiao-Db"] == "primary"
    # the cookie alone does it too (another instance behind a load balancer
    # knows nothing of this token's write): use a token the standby knows
    r2 = requests.get(BASE + "/v1/whoami", timeout=10, cookies=r.cookies,
                      headers={"Authorization": "Bearer " + TOKEN})
    assert r2.headers["X-Jixiao-Db"] == "primary"


def test_after_the_window_the_writer_reads_from_the_standby_again():
    time.sleep(3.2)  # JIXIAO_READ_AFTER_WRITE=3000 in run.sh
    r = get("/v1/whoami")
    assert r.status_code == 200 and r.headers["X-Jixiao-Db"] == "replica"


def test_standby_down_answers_503_and_recovers():
    d = os.environ["JX_STANDBY_DIR"]
    sh = os.path.join(REPO, "scripts", "pg-standby.sh")
    subprocess.run([sh, "stop", d], check=True, timeout=120, capture_output=True)
    try:
        r = get("/v1/whoami")
        assert r.status_code == 503, r.text
        assert "Retry-After" in r.headers
        # the primary still answers writers and explicit primary reads
        assert get("/v1/whoami", **{"X-Jixiao-Read": "primary"}).status_code == 200
    finally:
        subprocess.run([sh, "start", d, os.environ["JX_PRIMARY_DIR"]], check=True, timeout=120,
                       capture_output=True)
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        status = get("/v1/whoami").status_code
        if status == 200:
            break
        time.sleep(0.1)
    assert status == 200
