#!/usr/bin/env python3
"""scripts/demo_monitoring.py BASE_URL ADMIN_TOKEN TOKENS_FILE -- mid-year
monitoring, rectification and budget advice in the demo data (issue 20),
after scripts/demo.py and scripts/demo_evaluations.py.

Seed 003 (the 防贫保 project that "missed the time schedule in June,
September and November") is not among the seeds here, so the seed bureaus'
own projects carry the story:
  - 新丰县 (seed 002): its 医疗救助 "一站式" system project paid late in the
    autumn (the seed: 2020年11月和12月简易救助资金存在拨付滞后性), so its
    reports of June, September and November are behind the time schedule;
    its other projects keep to it;
  - 宿州市 (seed 000): monitoring reports of June, September and November
    2022 with indicator progress, then the 问题清单 of seed 000 (财务人员对项目
    内容不专业, 业务知识有待提高) filed on its three projects, which are
    submitted: each problem becomes a 整改 item; one is done and verified by
    宿州市财政局, one is in progress, one is past a deadline the bureau set;
  - 宿州市财政局 records its budget decision on 医疗保障基金安全监管.
Idempotent: reports are created only when absent, problems filed and items
moved only the first time.
"""
import json
import pathlib
import sys
from decimal import ROUND_HALF_UP, Decimal

import requests

BASE, ADMIN, TOKENS = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])

# (project name starts with, periods and the share of the year's executed
# amount reached by each, notes, reasons)
SCHEDULE = {
    "城乡医疗救助“一站式”": ([("06", "0.20"), ("09", "0.38"), ("11", "0.55")],
                          "按季度核算拨付", "医院垫付结算资金、简易救助资金拨付滞后，部分群众未及时提交救助申请"),
    "打击欺诈": ([("06", "0.50"), ("09", "0.80"), ("11", "0.95")], "按进度执行", None),
    "医疗保障基金安全监管": ([("06", "0.42"), ("09", "0.70"), ("11", "0.90")],
                       "委托业务费按合同分期支付", None),
    "县域医共体": ([("06", "0.30"), ("09", "0.55"), ("11", "0.85")], "改革工作经费按进度拨付",
              "第三方评估合同下半年签订"),
}

PROBLEM_000 = {  # seed 000's 问题清单, the one problem it names
    "category": "项目管理存在的问题", "responsible_office": "基金监管科",
    "description": "预算绩效评价财务人员对项目内容不专业，业务知识有待提高",
    "rectification_advice": "建议加强业务科与办公室财务加强沟通联系，财务人员加强绩效评价业务学习，"
                            "财政部门多举办相关培训与指导。"}


def call(method, path, token, body=None, headers=None, ok=(200, 201)):
    h = {"Authorization": f"Bearer {token}"}
    h.update(headers or {})
    r = requests.request(method, BASE + path, json=body, headers=h, timeout=60)
    if r.status_code not in ok:
        sys.exit(f"demo: {method} {path} -> {r.status_code} {r.text[:300]}")
    return r


def yuan(x):
    return str(Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def monitor(p, token):
    """The reports of p's schedule that do not exist yet."""
    plan = next((v for k, v in SCHEDULE.items() if p["name"].startswith(k)), None)
    executed = (p.get("budget") or {}).get("executed")
    if not plan or not executed:
        return []
    periods, notes, reasons = plan
    made = []
    for month, share in periods:
        period = f"{p['year']}-{month}"
        path = f"/v1/projects/{p['id']}/monitoring/{period}"
        if call("GET", path, token, ok=(200, 404)).status_code == 200:
            continue
        body = {"executed_to_date": yuan(Decimal(executed) * Decimal(share)), "notes": notes}
        if reasons:
            body["reasons"] = reasons
        counts = [i for i in p.get("indicators", []) if str(i.get("target", "")).startswith("≥")
                  and str(i.get("target", "")).endswith("次")]
        if counts:
            target = int("".join(c for c in counts[0]["target"] if c.isdigit()) or 0)
            done = int(target * Decimal(share) + Decimal("0.5"))
            body["indicators"] = [{"id": counts[0]["id"], "progress": f"{done}次"}]
        made.append(call("PUT", path, token, body).json())
    return made


def main():
    tokens = json.loads(TOKENS.read_text())
    fin = tokens["sz-fin"]
    owners = {}
    for tok in tokens.values():
        who = requests.get(BASE + "/v1/whoami", headers={"Authorization": f"Bearer {tok}"},
                           timeout=30).json()
        owners[who.get("org_id") or who.get("org", {}).get("id")] = tok
    listed = call("GET", "/v1/projects?limit=1000", ADMIN).json()["items"]
    projects = [call("GET", f"/v1/projects/{p['id']}", ADMIN).json() for p in listed]

    made = []
    for p in projects:
        made += monitor(p, owners.get(p["org_id"], ADMIN))
    print(f"demo monitoring: {len(made)} reports created")

    # seed 000's 问题清单 on the 宿州 projects, then submitted: 整改 items
    sz = [p for p in projects if p["region_code"] == "341300" and p["year"] == 2022]
    for p in sz:
        tok = owners.get(p["org_id"], ADMIN)
        if p["status"] != "draft" or p.get("problems"):
            continue
        r = call("PATCH", f"/v1/projects/{p['id']}", tok, {"problems": [PROBLEM_000]},
                 headers={"If-Match": f'"{p["version"]}"'}).json()
        call("POST", f"/v1/projects/{p['id']}/submit", tok,
             headers={"If-Match": f'"{r["version"]}"'})
    items = call("GET", "/v1/rectifications?limit=1000", fin).json()["items"]
    by_project = {p["id"]: p["name"] for p in sz}
    for i in items:
        if i["status"] != "open" or i["version"] != 1 or i["project_id"] not in by_project:
            continue
        name = by_project[i["project_id"]]
        tok = owners.get(i["org_id"], ADMIN)
        h = {"If-Match": '"1"'}
        if name.startswith("医疗保障基金安全监管"):
            i = call("PATCH", f"/v1/rectifications/{i['id']}", tok, {"status": "in_progress"},
                     headers=h).json()
            i = call("PATCH", f"/v1/rectifications/{i['id']}", tok,
                     {"status": "done", "note": "已组织财务人员参加绩效评价业务培训",
                      "evidence": "培训签到表、培训课件"},
                     headers={"If-Match": f'"{i["version"]}"'}).json()
            call("PATCH", f"/v1/rectifications/{i['id']}", fin, {"status": "verified"},
                 headers={"If-Match": f'"{i["version"]}"'})
        elif name.startswith("县域医共体"):
            call("PATCH", f"/v1/rectifications/{i['id']}", tok,
                 {"status": "in_progress", "note": "已与办公室财务建立月度沟通"}, headers=h)
        else:
            call("PATCH", f"/v1/rectifications/{i['id']}", fin, {"deadline": "2023-06-30"},
                 headers=h)
    items = call("GET", "/v1/rectifications?limit=1000", fin).json()["items"]

    fs = next((p for p in sz if p["name"].startswith("医疗保障基金安全监管")), None)
    if fs and call("GET", "/v1/advice?year=2022&limit=1000", fin).json()["items"]:
        adv = {i["project_id"]: i for i in
               call("GET", "/v1/advice?year=2022&limit=1000", fin).json()["items"]}
        if fs["id"] in adv and adv[fs["id"]]["decision"] is None:
            call("PUT", f"/v1/projects/{fs['id']}/advice", fin,
                 {"decision": adv[fs["id"]]["advice"] or "保持", "amount": "86.66万元",
                  "note": "自评等级" + (adv[fs["id"]]["grade"] or "")})

    print("demo monitoring and results application:")
    for token, label in ((fin, "宿州市财政局"), (tokens["xf-fin"], "新丰县财政局")):
        latest = call("GET", "/v1/monitoring?limit=1000", token).json()["items"]
        for x in latest:
            reports = call("GET", f"/v1/projects/{x['project_id']}/monitoring", token).json()
            print(f"  {label}: {x['project_name']}: " + ", ".join(
                f"{m['period']} {m['ratio']} {m['color']}" for m in reports["items"]) +
                f"  GET /v1/projects/{x['project_id']}/monitoring")
    print(f"  整改: {len(items)} items: " +
          ", ".join(f"{i['id']} {i['status']}{' (overdue)' if i['overdue'] else ''}"
                    for i in items) + "  GET /v1/rectifications?overdue=true")
    print("  budget advice: GET /v1/advice?year=2022 (宿州市财政局's token)")


if __name__ == "__main__":
    main()
