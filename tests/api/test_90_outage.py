"""The database stops while the server runs: 503 with Retry-After, the
server stays up, and it recovers by itself within 5 s of the restart.
Runs last (file order): it stops and starts the cluster."""
import time

import requests

from conftest import AUTH, TOKEN, assert_problem, fixture_files, load_fixture, pg, url, wait_for

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_database_outage_and_recovery(migrated):
    assert requests.get(url("/v1/whoami"), headers=AUTH, timeout=10).status_code == 200
    pg("stop")
    try:
        r = requests.get(url("/v1/whoami"), headers=AUTH, timeout=10)
        assert_problem(r, 503)
        assert int(r.headers["Retry-After"]) >= 1
        r = requests.get(url("/readyz"), timeout=10)
        assert_problem(r, 503)
        assert r.headers["Retry-After"]
        # What needs no database keeps working.
        assert requests.get(url("/healthz"), timeout=10).status_code == 200
        doc = load_fixture(fixture_files()[0])["document"]
        # POST /v1/score needs a token: from the auth cache (200), or 503
        r = requests.post(url("/v1/score"), headers=AUTH, json=doc, timeout=10)
        assert r.status_code in (200, 503), r.text[:300]
        if r.status_code == 503:
            assert int(r.headers["Retry-After"]) >= 1
        # Still 503 a moment later (no crash, no hang).
        time.sleep(0.5)
        assert requests.get(url("/v1/whoami"), headers=AUTH, timeout=10).status_code == 503
    finally:
        pg("start")
    started = time.monotonic()
    ok = wait_for(lambda: requests.get(url("/v1/whoami"), headers=AUTH,
                                       timeout=10).status_code == 200, 5)
    elapsed = time.monotonic() - started
    assert ok, "no recovery within 5 s of the database's return"
    assert elapsed <= 5
    assert requests.get(url("/readyz"), timeout=10).status_code == 200
