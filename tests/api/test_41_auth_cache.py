"""The token cache (server/routes/auth.c): a token found valid is believed for at
most AUTH_CACHE_TTL (2 s) and never past its own expiry; revoking through
the API refuses it at once; GET /v1/whoami always asks the database.

Only refusals are asserted (after the bound), never that a stale token is
still accepted: tests must not depend on timing."""
import datetime
import time

from conftest import TOKEN, api, assert_problem
from test_40_auth import sql

TTL = 2.0


def fresh_token(org_id, **extra):
    r = api("POST", f"/v1/orgs/{org_id}/tokens", TOKEN, {"label": "cache", **extra})
    assert r.status_code == 201, r.text
    return r.json()


def test_revoked_through_the_api_is_refused_at_once(tree):
    tok = fresh_token(tree["unitA1"]["id"])
    assert api("GET", "/v1/projects", tok["token"]).status_code == 200  # now cached
    assert api("DELETE", f"/v1/tokens/{tok['id']}", TOKEN).status_code == 204
    assert_problem(api("GET", "/v1/projects", tok["token"]), 401)
    assert_problem(api("GET", "/v1/projects/1", tok["token"]), 401)


def test_revoked_outside_the_api_is_refused_within_the_ttl(tree):
    tok = fresh_token(tree["unitA1"]["id"])
    assert api("GET", "/v1/projects", tok["token"]).status_code == 200
    sql(f"UPDATE api_tokens SET revoked_at = now() WHERE id = {tok['id']}")
    assert_problem(api("GET", "/v1/whoami", tok["token"]), 401)  # never cached
    time.sleep(TTL + 0.5)
    assert_problem(api("GET", "/v1/projects", tok["token"]), 401)


def test_cached_token_is_refused_once_it_expires(tree):
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1.5)
    tok = fresh_token(tree["unitA1"]["id"], expires_at=soon.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    api("GET", "/v1/projects", tok["token"])  # cached for what is left of its life, if any
    time.sleep(max(0.0, (soon - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 0.3)
    assert_problem(api("GET", "/v1/projects", tok["token"]), 401)
