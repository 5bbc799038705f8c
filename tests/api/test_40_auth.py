"""Bearer tokens: the bootstrap admin token, 401s, stored hashes only."""
import hashlib
import os
import subprocess

import requests

from conftest import TOKEN, assert_problem, url

PSQL = "/usr/lib/postgresql/15/bin/psql"


def sql(query):
    r = subprocess.run([PSQL, os.environ["DATABASE_URL"], "-tAc", query], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_whoami_with_bootstrap_token(migrated):
    r = requests.get(url("/v1/whoami"), headers={"Authorization": f"Bearer {TOKEN}"},
                     timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["org"]["kind"] == "admin"


def test_whoami_without_token_is_401(migrated):
    r = requests.get(url("/v1/whoami"), timeout=10)
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_whoami_with_wrong_token_is_401(migrated):
    r = requests.get(url("/v1/whoami"), headers={"Authorization": "Bearer jx_nope"}, timeout=10)
    assert_problem(r, 401)


def test_only_the_hash_is_stored(migrated):
    want = hashlib.sha256(TOKEN.encode()).hexdigest()
    assert sql("SELECT encode(hash, 'hex') FROM api_tokens WHERE bootstrap "
               "AND revoked_at IS NULL") == want
    assert sql(f"SELECT count(*) FROM api_tokens WHERE encode(hash, 'escape') LIKE "
               f"'%{TOKEN[:12]}%'") == "0"
