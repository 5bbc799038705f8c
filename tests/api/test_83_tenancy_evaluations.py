"""The tenancy matrix of issue 5's endpoints: for every ordered pair of
organisations of the session tree where the first does not reach the
second, every evaluation, report, assessment and plan endpoint naming the
second's resources answers 404 to the first and changes nothing; whoever
reaches reads."""
import itertools

import pytest

from conftest import api, assert_problem, project_body, reaches
from test_40_auth import sql

ORGS = ["finA", "finA2", "deptA", "unitA1", "unitA2", "finB", "deptB", "unitB"]

WIDE = {"year": 2022, "figures": {"staff_in_post": 30, "authorised_posts": 32},
        "indicators": [{"name": "完成及时率", "actual": 4, "reported_score": 4}]}


@pytest.fixture(scope="module")
def owned(tree):
    """Per organisation: a project with an evaluation, and for departments
    and units an assessment with an evaluation; for departments a plan."""
    out = {}
    for key in ORGS:
        t = tree[key]["token"]
        if tree[key]["kind"] == "finance":
            out[key] = None
            continue
        p = api("POST", "/v1/projects", t, project_body(f"评价租户矩阵-{key}"))
        assert p.status_code == 201, p.text
        pid = p.json()["id"]
        e = api("POST", f"/v1/projects/{pid}/evaluations", t)
        assert e.status_code == 201, e.text
        scope = "department_wide" if tree[key]["kind"] == "department" else "unit_wide"
        a = api("POST", "/v1/assessments", t, dict(WIDE, scope=scope, name=f"租户矩阵-{key}"))
        assert a.status_code == 201, a.text
        aid = a.json()["id"]
        ae = api("POST", f"/v1/assessments/{aid}/evaluations", t)
        assert ae.status_code == 201, ae.text
        plan = None
        if tree[key]["kind"] == "department":
            r = api("POST", "/v1/plans", t, {"year": 2030, "projects": [
                {"project_id": pid, "name": "x", "amount": "1万元", "fund_nature": "本级项目",
                 "method": "自行组织"}]})
            assert r.status_code == 201, r.text
            plan = r.json()["id"]
        out[key] = {"project": pid, "evaluation": e.json()["id"], "assessment": aid,
                    "assessment_evaluation": ae.json()["id"], "plan": plan}
    return out


def endpoints(o):
    im = {"If-Match": '"1"'}
    eps = [
        ("POST", f"/v1/projects/{o['project']}/evaluations", None, {}),
        ("POST", f"/v1/projects/{o['project']}/evaluations?dry_run=true", None, {}),
        ("GET", f"/v1/projects/{o['project']}/evaluations", None, {}),
        ("GET", f"/v1/evaluations/{o['evaluation']}", None, {}),
        ("GET", f"/v1/evaluations/{o['assessment_evaluation']}", None, {}),
        ("GET", f"/v1/evaluations/{o['evaluation']}/report?format=html", None, {}),
        ("GET", f"/v1/evaluations/{o['evaluation']}/report?format=xlsx", None, {}),
        ("GET", f"/v1/assessments/{o['assessment']}", None, {}),
        ("PUT", f"/v1/assessments/{o['assessment']}", dict(WIDE, scope="unit_wide"), im),
        ("POST", f"/v1/assessments/{o['assessment']}/submit", None, im),
        ("POST", f"/v1/assessments/{o['assessment']}/accept", None, im),
        ("POST", f"/v1/assessments/{o['assessment']}/return", {"reason": "x"}, im),
        ("GET", f"/v1/assessments/{o['assessment']}/history", None, {}),
        ("GET", f"/v1/assessments/{o['assessment']}/evaluations", None, {}),
        ("POST", f"/v1/assessments/{o['assessment']}/evaluations", None, {}),
    ]
    if o["plan"]:
        eps += [("GET", f"/v1/plans/{o['plan']}", None, {}),
                ("PUT", f"/v1/plans/{o['plan']}", {"year": 2030}, im)]
    return eps


def snapshot():
    return sql("SELECT md5(string_agg(t, '|' ORDER BY t)) FROM ("
               " SELECT 'e' || count(*) AS t FROM evaluations"
               " UNION ALL SELECT 'a' || id || version || status FROM assessments"
               " UNION ALL SELECT 'p' || id || version FROM plans"
               " UNION ALL SELECT 'r' || subject_id || evaluation_count FROM evaluation_rollups"
               " UNION ALL SELECT 'l' || count(*) FROM audit_log) x")


@pytest.mark.parametrize("outsider,owner", list(itertools.permutations(ORGS, 2)))
def test_outsider_gets_404_and_changes_nothing(tree, owned, outsider, owner):
    if owned[owner] is None or reaches(tree[outsider], tree[owner]):
        pytest.skip("nothing owned, or in reach")
    token = tree[outsider]["token"]
    before = snapshot()
    for method, path, body, headers in endpoints(owned[owner]):
        r = api(method, path, token, body, headers=headers)
        assert_problem(r, 404)
        assert "租户矩阵" not in r.text
    assert owned[owner]["assessment"] not in [
        a["id"] for a in api("GET", "/v1/assessments?limit=1000", token).json()["items"]]
    if owned[owner]["plan"]:
        assert owned[owner]["plan"] not in [
            p["id"] for p in api("GET", "/v1/plans?limit=1000", token).json()["items"]]
    assert snapshot() == before


@pytest.mark.parametrize("reader,owner", list(itertools.permutations(ORGS, 2)))
def test_whoever_reaches_reads(tree, owned, reader, owner):
    if owned[owner] is None or not reaches(tree[reader], tree[owner]):
        pytest.skip("nothing owned, or out of reach")
    t = tree[reader]["token"]
    o = owned[owner]
    for path in (f"/v1/evaluations/{o['evaluation']}", f"/v1/assessments/{o['assessment']}",
                 f"/v1/projects/{o['project']}/evaluations",
                 f"/v1/evaluations/{o['assessment_evaluation']}/report?format=md"):
        assert api("GET", path, t).status_code == 200, path
    if o["plan"]:
        assert api("GET", f"/v1/plans/{o['plan']}", t).status_code == 200
