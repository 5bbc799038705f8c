"""The tenancy matrix: for every endpoint and every ordered pair of
organisations where the first does not reach the second (api.md), the
outsider gets 404 and nothing changes.  Pairs and reach are generated from
the tree fixture; the expected reach is computed here independently of the
server's SQL."""
import itertools

import pytest

from conftest import TOKEN, api, assert_problem, project_body, reaches
from test_40_auth import sql

ORGS = ["finA", "finA2", "deptA", "unitA1", "unitA2", "finB", "deptB", "unitB"]


@pytest.fixture(scope="module")
def owned(tree):
    """One draft project per organisation, filed by its own token, and one
    spare token per organisation (for the revoke endpoint)."""
    out = {}
    for key in ORGS:
        r = api("POST", "/v1/projects", tree[key]["token"], project_body(f"租户矩阵-{key}"))
        assert r.status_code == 201, r.text
        t = api("POST", f"/v1/orgs/{tree[key]['id']}/tokens", TOKEN, {"label": "spare"})
        out[key] = {"project": r.json()["id"], "token_id": t.json()["id"]}
    return out


def endpoints(org_id, pid, token_id):
    """(method, path, body, headers) of every endpoint that names a resource."""
    im = {"If-Match": '"1"'}
    return [
        ("GET", f"/v1/orgs/{org_id}", None, {}),
        ("PATCH", f"/v1/orgs/{org_id}", {"name": "被改名"}, im),
        ("GET", f"/v1/orgs/{org_id}/tokens", None, {}),
        ("POST", f"/v1/orgs/{org_id}/tokens", {"label": "intruder"}, {}),
        ("DELETE", f"/v1/tokens/{token_id}", None, {}),
        ("GET", f"/v1/projects/{pid}", None, {}),
        ("PUT", f"/v1/projects/{pid}", project_body("被覆盖"), im),
        ("PATCH", f"/v1/projects/{pid}", {"code": "被修改"}, im),
        ("PUT", f"/v1/projects/{pid}/results", {"reported": {"total": 1}}, im),
        ("POST", f"/v1/projects/{pid}/submit", None, im),
        ("POST", f"/v1/projects/{pid}/accept", None, im),
        ("POST", f"/v1/projects/{pid}/return", {"reason": "x"}, im),
        ("GET", f"/v1/projects/{pid}/history", None, {}),
        ("DELETE", f"/v1/projects/{pid}", None, im),
    ]


def snapshot():
    return sql("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ("
               " SELECT id, version, status, doc::text FROM projects"
               " UNION ALL SELECT id, version, name, coalesce(posts, 0)::text FROM orgs"
               " UNION ALL SELECT id, 0, coalesce(revoked_at::text, ''), label FROM api_tokens"
               ") t")


def outsider_pairs():
    return [(a, b) for a, b in itertools.permutations(ORGS, 2)]


@pytest.mark.parametrize("outsider,owner", outsider_pairs())
def test_outsider_gets_404_and_changes_nothing(tree, owned, outsider, owner):
    if reaches(tree[outsider], tree[owner]):
        pytest.skip("in reach")
    before = snapshot()
    audit = sql("SELECT count(*) FROM audit_log")
    token = tree[outsider]["token"]
    for method, path, body, headers in endpoints(tree[owner]["id"], owned[owner]["project"],
                                                 owned[owner]["token_id"]):
        r = api(method, path, token, body, headers=dict(headers, **{"Idempotency-Key": f"t-{outsider}-{owner}-{method}-{len(path)}"}) if method == "POST" else headers)
        assert_problem(r, 404)
        assert "租户矩阵" not in r.text and str(tree[owner]["id"]) not in r.json()["detail"]
    listed = api("GET", "/v1/projects?limit=1000", token).json()["items"]
    assert owned[owner]["project"] not in [p["id"] for p in listed]
    orgs = api("GET", "/v1/orgs?limit=1000", token).json()["items"]
    assert tree[owner]["id"] not in [o["id"] for o in orgs]
    assert snapshot() == before
    assert sql("SELECT count(*) FROM audit_log") == audit


def test_matrix_is_not_trivial(tree):
    pairs = outsider_pairs()
    outside = [p for p in pairs if not reaches(tree[p[0]], tree[p[1]])]
    inside = [p for p in pairs if reaches(tree[p[0]], tree[p[1]])]
    assert len(outside) >= 40 and len(inside) >= 8


@pytest.mark.parametrize("reader,owner", [(a, b) for a, b in itertools.permutations(ORGS, 2)])
def test_whoever_reaches_reads(tree, owned, reader, owner):
    if not reaches(tree[reader], tree[owner]):
        pytest.skip("out of reach")
    r = api("GET", f"/v1/projects/{owned[owner]['project']}", tree[reader]["token"])
    assert r.status_code == 200, r.text
    assert api("GET", f"/v1/orgs/{tree[owner]['id']}", tree[reader]["token"]).status_code == 200
