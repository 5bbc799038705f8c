"""Frameworks for stored work (issue 16): a finance bureau's framework used
by the projects of its region (and refused elsewhere, the same answer as a
framework that does not exist), level names checked against it with every
misfit listed, the version in force pinned on the project, evaluations
saying which version they used, and the 宁德 report end to end (90)."""
import copy
import json
import pathlib

import pytest

from conftest import REPO, assert_problem
from evalkit import World, get, hdr, make_org, make_token, post, put
import requests
from conftest import url

NINGDE = json.loads((pathlib.Path(REPO) / "scripts" / "demo-ningde.json").read_text("utf-8"))


def patch(path, token, body, version):
    return requests.patch(url(path), json=body,
                          headers=hdr(token, **{"If-Match": f'"{version}"',
                                                "Content-Type": "application/merge-patch+json"}),
                          timeout=60)


class Ningde:
    def __init__(self, w):
        self.fin = make_org("finance", f"宁德市财政局{w.tag}", "350900")
        self.dept = make_org("department", f"宁德市医疗保障局{w.tag}", "350900", self.fin)
        self.t_fin = make_token(self.fin)
        self.t_dept = make_token(self.dept)
        self.fw = copy.deepcopy(NINGDE["framework"])
        self.fw["id"] += "-" + w.tag
        r = post("/v1/frameworks", self.t_fin, self.fw)
        assert r.status_code == 201, r.text

    def body(self, **extra):
        b = copy.deepcopy(NINGDE["document"])
        b.pop("scope", None)
        b.pop("org", None)
        b["framework"] = self.fw["id"]
        b["org_id"] = self.dept
        b.update(extra)
        return b


@pytest.fixture(scope="module")
def world(migrated):
    w = World()
    w.nd = Ningde(w)
    return w


def test_ningde_end_to_end_scores_90(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body())
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["framework"] == nd.fw["id"] and p["framework_version"] == 1
    assert p["budget"]["initial"] == "5000000.00"
    r = post(f"/v1/projects/{p['id']}/evaluations", nd.t_dept)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["total"] == 90 and ev["grade"] == "优秀", ev
    assert ev["framework"] == nd.fw["id"] and ev["framework_version"] == 1
    assert not [f for f in ev["findings"] if f["severity"] != "info"], ev["findings"]


def test_another_regions_project_cannot_use_it(world):
    nd = world.nd
    body = nd.body(org_id=world.dept)
    r = post("/v1/projects", world.t_dept, body)
    seen = assert_problem(r, 422)["errors"]
    assert [(e["pointer"], e["code"]) for e in seen] == [("/framework", "FRAMEWORK_UNKNOWN")]
    body["framework"] = "no-such-framework-" + world.tag
    none = assert_problem(post("/v1/projects", world.t_dept, body), 422)["errors"]
    assert [(e["pointer"], e["code"]) for e in none] == [("/framework", "FRAMEWORK_UNKNOWN")]
    # nor by the bureau that owns it, for an organisation outside its region
    r = post("/v1/projects", world.t_out, nd.body(org_id=world.out_dept))
    assert assert_problem(r, 422)["errors"][0]["code"] == "FRAMEWORK_UNKNOWN"


def test_level_names_checked_against_the_framework(world):
    nd = world.nd
    body = nd.body()
    body["indicators"][0]["level1"] = "产出指标"          # project-2020's, not 宁德's
    body["indicators"][3]["level2"] = "数量指标"          # not under 过程
    r = post("/v1/projects", nd.t_dept, body)
    errs = assert_problem(r, 422)["errors"]
    misfits = {(e["pointer"], e["code"]) for e in errs if e["code"] == "LEVEL_UNKNOWN"}
    assert misfits == {("/indicators/0/level1", "LEVEL_UNKNOWN"),
                       ("/indicators/3/level2", "LEVEL_UNKNOWN")}, errs
    # 宁德's level names under project-2020: every one a misfit
    body = nd.body()
    body["framework"] = "project-2020"
    errs = assert_problem(post("/v1/projects", nd.t_dept, body), 422)["errors"]
    assert len([e for e in errs if e["code"] == "LEVEL_UNKNOWN"]) == len(body["indicators"])


def test_version_pinning_and_comparing(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德版本固定项目"))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    first = post(f"/v1/projects/{pid}/evaluations", nd.t_dept).json()
    assert first["framework_version"] == 1
    # the bureau changes its framework once v1 is used: v2, stricter grades
    fw2 = copy.deepcopy(nd.fw)
    fw2["grades"][0]["min"] = 95
    r = post("/v1/frameworks", nd.t_fin, fw2)
    assert r.status_code == 201 and r.json()["version"] == 2, r.text
    # the project stays on the version it was filed under
    again = post(f"/v1/projects/{pid}/evaluations", nd.t_dept).json()
    assert again["framework_version"] == 1 and again["grade"] == "优秀"
    # a request may name another version (or framework) to compare
    cmp2 = post(f"/v1/projects/{pid}/evaluations?dry_run=true", nd.t_dept,
                {"framework": nd.fw["id"], "framework_version": 2}).json()
    assert cmp2["framework_version"] == 2 and cmp2["grade"] == "良好", cmp2
    # a project filed now is filed under v2
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德新项目"))
    assert r.json()["framework_version"] == 2
    # moving the project to v2 is an edit: If-Match, audited
    proj = get(f"/v1/projects/{pid}", nd.t_dept).json()
    assert proj["framework_version"] == 1
    r = patch(f"/v1/projects/{pid}", nd.t_dept, {"framework_version": 2}, proj["version"] + 5)
    assert_problem(r, 412)
    r = patch(f"/v1/projects/{pid}", nd.t_dept, {"framework_version": 2}, proj["version"])
    assert r.status_code == 200, r.text
    assert r.json()["framework_version"] == 2
    ev = post(f"/v1/projects/{pid}/evaluations", nd.t_dept).json()
    assert ev["framework_version"] == 2 and ev["grade"] == "良好"
    hist = get(f"/v1/projects/{pid}/history", nd.t_dept).json()["items"]
    assert any((h.get("before") or {}).get("framework_version") == 1 and
               (h.get("after") or {}).get("framework_version") == 2 for h in hist), hist
    # a PUT of the representation keeps the pin
    proj = get(f"/v1/projects/{pid}", nd.t_dept).json()
    r = put(f"/v1/projects/{pid}", nd.t_dept, proj, proj["version"])
    assert r.status_code == 200 and r.json()["framework_version"] == 2, r.text


def test_changing_the_framework_is_checked_like_any_edit(world):
    nd = world.nd
    r = post("/v1/projects", nd.t_dept, nd.body(name="宁德换框架项目"))
    p = r.json()
    r = patch(f"/v1/projects/{p['id']}", nd.t_dept, {"framework": "project-2020"}, p["version"])
    errs = assert_problem(r, 422)["errors"]
    assert {e["code"] for e in errs} == {"LEVEL_UNKNOWN"}
    # only drafts change
    r = post(f"/v1/projects/{p['id']}/submit", nd.t_dept, None, **{"If-Match": f'"{p["version"]}"'})
    assert r.status_code == 200, r.text
    r = patch(f"/v1/projects/{p['id']}", nd.t_dept, {"framework_version": 2}, r.json()["version"])
    assert_problem(r, 409)


def test_frameworks_answer_numbers_as_posted(world):
    fw = get(f"/v1/frameworks/{world.nd.fw['id']}", world.nd.t_dept, version=1)
    assert fw.status_code == 200, fw.text
    assert "0.80000000000000004" not in fw.text and "0.59999999999999998" not in fw.text
    assert fw.json()["definition"]["qualitative_bands"] == [0.8, 0.6]
    builtin = get("/v1/frameworks/project-2020", world.nd.t_dept)
    assert "0000000000" not in builtin.text, builtin.text


def test_frameworks_list_is_paged(world):
    page = get("/v1/frameworks", world.nd.t_dept, limit=2).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    seen = [(f["id"], f["version"]) for f in page["items"]]
    while page["next_cursor"]:
        page = get("/v1/frameworks", world.nd.t_dept, limit=2, cursor=page["next_cursor"]).json()
        seen += [(f["id"], f["version"]) for f in page["items"]]
    assert len(seen) == len(set(seen))
    assert (world.nd.fw["id"], 1) in seen and (world.nd.fw["id"], 2) in seen
    assert any(i == "project-2020" for i, _ in seen)
    assert_problem(get("/v1/frameworks", world.nd.t_dept, limit=0), 400)
