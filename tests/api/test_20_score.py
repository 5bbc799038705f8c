"""POST /v1/score on every fixture in ../shared/fixtures, checked against
its `expect` (rules in shared/fixtures/README.md)."""
import pytest
import requests

from conftest import AUTH, fixture_files, load_fixture, url

# POST /v1/score needs a token, which needs the migrated database
pytestmark = pytest.mark.usefixtures("migrated")

FILES = fixture_files()


def below(pointer, want):
    """pointer is want or lies below it ("" matches anything)."""
    return want == "" or pointer == want or pointer.startswith(want + "/")


def match_all(wanted, findings):
    """Matches every (code, pointer) in wanted to a distinct finding
    (bipartite matching, so overlapping pointers cannot mislead a greedy
    pass).  Returns the unmatched wanted pairs."""
    owner = {}

    def fits(w, f):
        return findings[f]["code"] == w[0] and below(findings[f]["pointer"], w[1])

    def augment(i, seen):
        for f in range(len(findings)):
            if f in seen or not fits(wanted[i], f):
                continue
            seen.add(f)
            if f not in owner or augment(owner[f], seen):
                owner[f] = i
                return True
        return False

    return [wanted[i] for i in range(len(wanted)) if not augment(i, set())]


def close(a, b, places):
    return a is not None and b is not None and round(float(a), places) == round(float(b), places)


def test_there_are_fixtures():
    assert len(FILES) >= 5


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_fixture(path):
    fx = load_fixture(path)
    r = requests.post(url("/v1/score"), headers=AUTH, json=fx["document"], timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    res = r.json()
    exp = fx["expect"]
    for key in ("total", "max"):
        if key in exp:
            assert close(res[key], exp[key], 2), f"{key}: {res[key]} != {exp[key]}"
    if "grade" in exp:
        assert res["grade"] == exp["grade"]
    if "execution" in exp:
        ex = exp["execution"]
        if "rate" in ex:
            if ex["rate"] is None:
                assert res["execution"]["rate"] is None
            else:
                assert close(res["execution"]["rate"], ex["rate"], 4), res["execution"]
        if "score" in ex:
            assert close(res["execution"]["score"], ex["score"], 2), res["execution"]
    if "indicator_scores" in exp:
        got = [i["score"] for i in res["indicators"]]
        assert len(got) == len(exp["indicator_scores"]), got
        for g, e in zip(got, exp["indicator_scores"]):
            assert close(g, e, 2), f"indicator scores {got} != {exp['indicator_scores']}"
    findings = res["findings"]
    if "findings" in exp:
        wanted = [tuple(w) for w in exp["findings"]]
        missing = match_all(wanted, findings)
        assert not missing, f"missing findings {missing}; got {findings}"
        assert len(findings) == len(wanted), (
            f"extra findings: got {[(f['code'], f['pointer']) for f in findings]}, want {wanted}")
    if "findings_include" in exp:
        missing = match_all([tuple(w) for w in exp["findings_include"]], findings)
        assert not missing, f"missing findings {missing}; got {findings}"
    for code, pointer in exp.get("findings_exclude", []):
        bad = [f for f in findings if f["code"] == code and below(f["pointer"], pointer)]
        assert not bad, f"unwanted findings {bad}"


def test_score_needs_a_token():
    """api.md Additions: any organisation's token; none, or a bad one, is
    401 (before the body is read: tests/fault/test_47_edge_memory.py::test_401_comes_before_the_body)."""
    fx = load_fixture(FILES[0])
    r = requests.post(url("/v1/score"), json=fx["document"], timeout=30)
    assert r.status_code == 401, r.text[:300]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.post(url("/v1/score"), json=fx["document"], timeout=30,
                      headers={"Authorization": "Bearer jx_not_a_token"})
    assert r.status_code == 401
    r = requests.post(url("/v1/score"), headers=AUTH, json=fx["document"], timeout=30)
    assert r.status_code == 200
