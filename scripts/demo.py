#!/usr/bin/env python3
"""scripts/demo.py BASE_URL ADMIN_TOKEN TOKENS_FILE -- the demo data, through
the API (so it is validated and audited like anything else).

Idempotent: organisations are found by name before they are created,
projects go through POST /v1/import (a second run reports them unchanged),
and the demo tokens are kept in TOKENS_FILE and reused while they still
work.  Prints one line per demo organisation with its token.

The organisations are the seed reports' bureaus (and 宁德's, whose
framework and project scripts/demo_evaluations.py files); the projects are
the fixture documents made from those reports (scripts/demo/*.json, copied
from ../shared/fixtures so a deployment without ../shared has them too)
that carry indicators, each filed for the organisation it names, with the
project fields the seed reports give (主管处室, 资金性质, 评价方式 from
seed 000's 评价计划).
"""
import json
import os
import pathlib
import sys

import requests

BASE, ADMIN, TOKENS = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
HERE = pathlib.Path(__file__).resolve().parent

ORGS = [  # key, kind, name, region, parent key
    ("sz-fin", "finance", "宿州市财政局", "341300", None),
    ("sz-yb", "department", "宿州市医疗保障局", "341300", None),
    ("sz-zx", "unit", "宿州市城镇职工基本医疗保险管理中心", "341300", "sz-yb"),
    ("xf-fin", "finance", "新丰县财政局", "440233", None),
    ("xf-yb", "department", "新丰县医疗保障局", "440233", None),
    ("hs-fin", "finance", "益阳市赫山区财政局", "430903", None),
    ("hs-yb", "department", "益阳市赫山区医疗保障局", "430903", None),
    ("hs-zx", "unit", "益阳市赫山区医疗保障事务中心", "430903", "hs-yb"),
    ("nd-fin", "finance", "宁德市财政局", "350900", None),
    ("nd-yb", "department", "宁德市医疗保障局", "350900", None),
]

# Finance bureaus name their region: totals show 宁德市, never the bureau's name.
REGION_NAMES = {"nd-fin": "宁德市", "sz-fin": "宿州市", "xf-fin": "新丰县",
                "hs-fin": "益阳市赫山区"}

# From seed 000's 2023年部门评价计划 (项目主管处室, 资金性质, 评价方式).
PLAN = {
    "县域医共体医保支付方式改革工作经费": ("社保科", "本级项目", "委托第三方机构"),
    "医疗保障基金安全监管": ("社保科", "本级项目", "委托第三方机构"),
    "城镇职工的各项保险和大学生保险": ("社保科", "本级项目", "委托第三方机构"),
}


def call(method, path, token, body=None, headers=None):
    h = {"Authorization": f"Bearer {token}"}
    h.update(headers or {})
    r = requests.request(method, BASE + path, json=body, headers=h, timeout=60)
    if r.status_code >= 400:
        sys.exit(f"demo: {method} {path} -> {r.status_code} {r.text[:300]}")
    return r


def find_org(name):
    items = call("GET", "/v1/orgs?limit=1000&q=" + requests.utils.quote(name), ADMIN).json()["items"]
    return next((o for o in items if o["name"] == name), None)


def main():
    ids = {}
    for key, kind, name, region, parent in ORGS:
        org = find_org(name)
        if not org:
            body = {"kind": kind, "name": name, "region_code": region}
            if key in REGION_NAMES:
                body["region_name"] = REGION_NAMES[key]
            if parent:
                body["parent_id"] = ids[parent]
            org = call("POST", "/v1/orgs", ADMIN, body,
                       headers={"Idempotency-Key": f"demo-org-{key}"}).json()
        ids[key] = org["id"]

    saved = json.loads(TOKENS.read_text()) if TOKENS.exists() else {}
    tokens = {}
    for key, _, name, _, _ in ORGS:
        tok = saved.get(key)
        ok = tok and requests.get(BASE + "/v1/whoami", timeout=30,
                                  headers={"Authorization": f"Bearer {tok}"}).ok
        if not ok:
            tok = call("POST", f"/v1/orgs/{ids[key]}/tokens", ADMIN,
                       {"label": "demo"}).json()["token"]
        tokens[key] = tok
    old = os.umask(0o077)
    TOKENS.write_text(json.dumps(tokens, indent=1))
    os.umask(old)

    by_name = {name: key for key, _, name, _, _ in ORGS}
    records = []
    for f in sorted((HERE / "demo").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))["document"]
        if not doc.get("indicators"):
            # the 新丰 fixtures hold a budget and no indicators: filed (their
            # mid-year monitoring is in the demo), never evaluated -- a score
            # of 10 of 100 (差) would say nothing of the project
            print(f"demo: {f.name} filed without indicators: not evaluated", file=sys.stderr)
        org = doc.pop("org")
        doc.pop("scope", None)
        doc["org_id"] = ids[by_name[org]]
        office, nature, method = PLAN.get(doc["name"], (None, "本级项目", "自行组织"))
        if office:
            doc["supervising_office"] = office
        doc["fund_nature"], doc["evaluation_method"] = nature, method
        records.append(doc)
    s = call("POST", "/v1/import?mode=per_record", ADMIN, records).json()
    print(f"demo: {s['created']} projects created, {s['updated']} updated, "
          f"{s['unchanged']} unchanged, {s['rejected']} rejected", file=sys.stderr)
    for r in s["rejections"]:
        print(f"demo: record {r['record']}: {r['pointer']} {r['message']}", file=sys.stderr)
    print("demo tokens (kept in %s):" % TOKENS)
    for key, kind, name, region, _ in ORGS:
        print(f"  {name} ({kind}, {region}, org {ids[key]}): {tokens[key]}")


if __name__ == "__main__":
    main()
