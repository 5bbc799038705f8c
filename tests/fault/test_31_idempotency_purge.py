"""Idempotency-Keys older than --idempotency-hours are purged (main.c, at
start and every ten minutes, on a handler thread; server/db/idempotency.c in
batches): a server of our own, started on the shared database, deletes
the old keys planted here and keeps the fresh ones; with 0 hours it keeps
them all.  A purged key is a new request: the create it named is not
replayed (the natural key answers 409)."""
import time
import uuid

import requests

from conftest import BASE, sql, start_server, wait_for
from test_70_write_faults import new_unit, post, project_body


def plant(org, key, hours_ago):
    sql("INSERT INTO idempotency_keys (province, org_id, key, request_hash, status, created_at)"
        f" SELECT province, id, '{key}', '\\x00'::bytea, 201, now() - interval '{int(hours_ago)} hours'"
        f" FROM orgs WHERE id = {int(org)}")


def keys_of(org):
    out = sql(f"SELECT key FROM idempotency_keys WHERE org_id = {int(org)} ORDER BY key")
    return set(out.split()) if out else set()


def test_old_keys_go_and_fresh_ones_stay():
    org, _ = new_unit(BASE, "purge")
    tag = uuid.uuid4().hex[:8]
    old = [f"old-{tag}-{i}" for i in range(3)]
    fresh = [f"fresh-{tag}-{i}" for i in range(2)]
    for k in old:
        plant(org, k, 25)
    plant(org, fresh[0], 23)
    plant(org, fresh[1], 0)
    assert keys_of(org) == set(old + fresh)
    with start_server(JIXIAO_IDEMPOTENCY_HOURS=24):
        assert wait_for(lambda: keys_of(org) == set(fresh), 10), keys_of(org)


def test_zero_hours_keeps_every_key():
    org, _ = new_unit(BASE, "keep")
    key = f"ancient-{uuid.uuid4().hex[:8]}"
    plant(org, key, 24 * 400)
    with start_server(JIXIAO_IDEMPOTENCY_HOURS=0) as (base, _):
        time.sleep(2.0)         # past the first purge's time
        assert requests.get(base + "/healthz", timeout=5).status_code == 200
        assert keys_of(org) == {key}
    sql(f"DELETE FROM idempotency_keys WHERE org_id = {int(org)}")


def test_a_purged_key_is_a_new_request():
    org, token = new_unit(BASE, "replay")
    body = project_body(f"清除-{time.monotonic_ns()}")
    key = f"k-{uuid.uuid4().hex}"
    first = post(BASE, "/v1/projects", body, headers={"Idempotency-Key": key}, token=token)
    assert first.status_code == 201, first.text
    again = post(BASE, "/v1/projects", body, headers={"Idempotency-Key": key}, token=token)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    sql(f"UPDATE idempotency_keys SET created_at = now() - interval '2 days'"
        f" WHERE org_id = {int(org)} AND key = '{key}'")
    with start_server(JIXIAO_IDEMPOTENCY_HOURS=24):
        assert wait_for(lambda: key not in keys_of(org), 10)
    late = post(BASE, "/v1/projects", body, headers={"Idempotency-Key": key}, token=token)
    assert late.status_code == 409, late.text
    assert "Idempotent-Replayed" not in late.headers


def test_a_negative_setting_is_refused():
    import subprocess
    from conftest import SERVER_BIN
    r = subprocess.run([SERVER_BIN, "--idempotency-hours", "-1"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode != 0
    assert "--idempotency-hours" in r.stderr
