#!/usr/bin/env python3
"""scripts/demo_evaluations.py BASE_URL ADMIN_TOKEN TOKENS_FILE -- the
evaluation part of the demo data (issue 5), after scripts/demo.py.

Idempotent, through the API:
  - every demo project without an evaluation is evaluated by its owner;
  - the department-wide self-assessment of seed 001 (益阳市赫山区医疗保障
    事务中心, 2021; scripts/demo-wide/assessment-001-heshan.json) is filed and
    evaluated;
  - 宁德 (Fujian): the city finance bureau's own framework (投入 30 / 过程 30 /
    产出与效益 40, grades 优秀/良好/合格/不合格) is posted and a project of
    宁德市医疗保障局 filed under it and evaluated: 90, 优秀, as its report
    says (scripts/demo-ningde.json; its "少10%扣1分" rules written as
    scoring.md §3 step rules);
  - the 2023 evaluation plan of seed 000 (宿州市医疗保障局: three projects,
    no unit-wide evaluation with two budget units) is filed, its projects
    matched to the demo projects.
Prints what a newcomer should look at: totals, grades, findings, and the
report URLs.
"""
import json
import pathlib
import sys

import requests

BASE, ADMIN, TOKENS = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
HERE = pathlib.Path(__file__).resolve().parent

PLAN_000 = [  # 2023年部门评价计划 of seed 000
    ("县域医共体医保支付方式改革工作经费", "社保科", "782,957.64"),
    ("医疗保障基金安全监管经费", "社保科", "736,151.84"),
    ("城镇职工的各项保险和大学生保险", "社保科", "550000.00"),
]


def call(method, path, token, body=None, ok=(200, 201)):
    r = requests.request(method, BASE + path, json=body, timeout=60,
                         headers={"Authorization": f"Bearer {token}"})
    if r.status_code not in ok:
        sys.exit(f"demo: {method} {path} -> {r.status_code} {r.text[:300]}")
    return r.json()


def org_id(name):
    items = call("GET", "/v1/orgs?limit=1000&q=" + requests.utils.quote(name), ADMIN)["items"]
    return next(o["id"] for o in items if o["name"] == name)


def main():
    tokens = json.loads(TOKENS.read_text())
    owners = {}
    for key, tok in tokens.items():
        who = requests.get(BASE + "/v1/whoami", headers={"Authorization": f"Bearer {tok}"},
                           timeout=30).json()
        owners[who.get("org_id") or who.get("org", {}).get("id")] = tok

    projects = call("GET", "/v1/projects?limit=1000", ADMIN)["items"]
    # projects filed without indicators (新丰's budgets) are not evaluated
    def scored(p):
        return bool(call("GET", f"/v1/projects/{p['id']}", ADMIN).get("indicators"))

    projects = [p for p in projects if scored(p)]
    for p in projects:
        if p.get("evaluation") is None:
            tok = owners.get(p["org_id"], ADMIN)
            call("POST", f"/v1/projects/{p['id']}/evaluations", tok)
    projects = [p for p in call("GET", "/v1/projects?limit=1000", ADMIN)["items"] if scored(p)]

    # seed 001: the department-wide self-assessment
    a001 = json.loads((HERE / "demo-wide" / "assessment-001-heshan.json").read_text(encoding="utf-8"))
    hs = org_id(a001["org"])
    tok = owners.get(hs, ADMIN)
    found = call("GET", f"/v1/assessments?org={hs}&year=2021", ADMIN)["items"]
    aid = found[0]["id"] if found else call("POST", "/v1/assessments", tok, a001["assessment"])["id"]
    if not found or found[0].get("evaluation") is None:
        call("POST", f"/v1/assessments/{aid}/evaluations", tok)
    assessment = call("GET", f"/v1/assessments?org={hs}&year=2021", ADMIN)["items"][0]

    # 宁德: the bureau's framework, and a project filed and evaluated under it
    nd = json.loads((HERE / "demo-ningde.json").read_text(encoding="utf-8"))
    nd_fin, nd_yb = org_id(nd["finance"]["name"]), org_id(nd["department"]["name"])
    call("POST", "/v1/frameworks", owners.get(nd_fin, ADMIN), nd["framework"])
    tok = owners.get(nd_yb, ADMIN)
    doc = dict(nd["document"], org_id=nd_yb)
    doc.pop("scope", None)
    doc.pop("org", None)
    mine = [p for p in call("GET", f"/v1/projects?org={nd_yb}&limit=1000", ADMIN)["items"]
            if p["name"] == doc["name"]]
    pid = mine[0]["id"] if mine else call("POST", "/v1/projects", tok, doc)["id"]
    if not mine or mine[0].get("evaluation") is None:
        call("POST", f"/v1/projects/{pid}/evaluations", tok)
    projects = [p for p in call("GET", "/v1/projects?limit=1000", ADMIN)["items"] if scored(p)]

    # seed 000: the 2023 plan of 宿州市医疗保障局
    sz = org_id("宿州市医疗保障局")
    tok = owners.get(sz, ADMIN)
    plans = call("GET", f"/v1/plans?org={sz}&year=2023", ADMIN)["items"]
    if plans:
        plan = call("GET", f"/v1/plans/{plans[0]['id']}", ADMIN)
    else:
        by_name = {p["name"]: p["id"] for p in projects if p["year"] == 2022}
        items = []
        for name, office, amount in PLAN_000:
            item = {"name": name, "supervising_office": office, "amount": amount,
                    "fund_nature": "本级项目", "method": "委托第三方机构"}
            pid = by_name.get(name) or next((i for n, i in by_name.items() if name.startswith(n)),
                                            None)
            if pid:
                item["project_id"] = pid
            items.append(item)
        plan = call("POST", "/v1/plans", tok, {
            "year": 2023, "projects": items, "unit_wide": [],
            "note": "2022年度宿州市医疗保障局部门预算单位共2个，2023部门评价不安排对单位整体支出评价。"})

    print("demo evaluations:")
    for p in projects:
        e = p.get("evaluation") or {}
        print(f"  project {p['id']} {p['name']} ({p.get('framework', 'project-2020')}): "
              f"{e.get('total')} / {e.get('max')} {e.get('grade')}"
              f"{'' if e.get('complete', True) else '（下限）'}, {e.get('finding_count')} findings"
              f"  GET /v1/evaluations/{e.get('id')}/report?format=html")
    e = assessment["evaluation"]
    print(f"  assessment {assessment['id']} {assessment['name']}: {e['total']} {e['grade']}, "
          f"{e['finding_count']} findings GET /v1/evaluations/{e['id']}/report?format=html")
    print(f"  plan {plan['id']} ({plan['year']}): {len(plan['projects'])} projects, "
          f"{plan['unit_count']} budget units, findings: "
          f"{[f['code'] for f in plan['findings']] or 'none'}")


if __name__ == "__main__":
    main()
