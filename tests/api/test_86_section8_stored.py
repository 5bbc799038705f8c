"""scoring.md §8 on a stored project, end to end: a report table written as
units write it -- no 分值 column, rules as text (评分标准), a 不适用
indicator -- is filed, evaluated and reported like any other.  (Before:
the create answered 500, the indicators table wanting a weight, and every
report format 500 on the null score of the 不适用 row.)"""
import json
import pathlib

import pytest

from evalkit import World, create_project, get, post

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "example-rules-text.json"


@pytest.fixture(scope="module")
def world(migrated):
    return World()


@pytest.fixture(scope="module")
def filed(world):
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["name"] += world.tag
    r = create_project(world.t_dept, doc, world.dept)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    ev = post(f"/v1/projects/{pid}/evaluations", world.t_dept)
    assert ev.status_code == 201, ev.text
    return {"doc": doc, "project": r.json(), "evaluation": ev.json()}


def test_stored_without_weights(filed):
    inds = filed["project"]["indicators"]
    assert len(inds) == len(filed["doc"]["indicators"])
    assert all("weight" not in i or i["weight"] is None for i in inds)
    # the rule texts are kept as written
    assert [i.get("rule") for i in inds] == [i.get("rule") for i in filed["doc"]["indicators"]]


def test_evaluated_on_the_applicable_part(filed):
    ev = filed["evaluation"]
    assert ev["total"] == 87.33 and ev["max"] == 90 and ev["normalised"] == 97.03
    assert ev["grade"] == "优" and ev["complete"] is True
    na = [i for i in ev["indicators"] if i.get("not_applicable")]
    assert len(na) == 1 and na[0]["score"] is None and na[0]["name"] == "抽检合格率"
    codes = [f["code"] for f in ev["findings"]]
    assert "NOT_APPLICABLE" in codes and codes.count("WEIGHT_ASSUMED") == 7


@pytest.mark.parametrize("fmt", ["json", "html", "md", "csv", "xlsx", "pdf"])
def test_every_report_format(world, filed, fmt):
    r = get(f"/v1/evaluations/{filed['evaluation']['id']}/report", world.t_dept, format=fmt)
    assert r.status_code == 200, r.text
    if fmt in ("html", "md", "csv"):
        assert "不适用" in r.text and "87.33" in r.text
    if fmt == "json":
        rows = r.json()["score_table"]["rows"]
        na = [x for x in rows if x.get("not_applicable")]
        assert len(na) == 1 and na[0]["score"] is None and na[0]["deduction"] is None
        total = [x for x in rows if x["kind"] == "total"][0]
        assert total["score"] == 87.33
