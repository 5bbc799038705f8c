"""tests/load/setup_projects.py BASE_URL ADMIN_TOKEN FIXTURE OUT_DIR -- the
project part of the load mix, prepared before wrk starts (run.sh).

Creates, with the bootstrap admin token, a finance bureau, a department
under it and a unit under that (region 341300), a token of the unit, and
N_READ projects of the unit to read back; writes into OUT_DIR:
  unit_token      the unit's bearer token
  project_ids     the ids, one per line
  project.json    a project body (the fixture's document plus the project
                  fields) whose name is __NAME__, for mix.lua's writes
Exits non-zero, with the answer, on anything but 201.
"""
import json
import os
import sys
import urllib.request

N_READ = 32


def call(base, token, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"load setup: POST {path}: {e.code} {e.read()[:300]!r}")


def main():
    base, admin, fixture, out = sys.argv[1:5]
    ids = {}
    for kind, parent in (("finance", None), ("department", None), ("unit", "department")):
        body = {"kind": kind, "name": f"负载-{kind}-{os.getpid()}", "region_code": "341300"}
        if parent:
            body["parent_id"] = ids[parent]
        ids[kind] = call(base, admin, "/v1/orgs", body)["id"]
    token = call(base, admin, f"/v1/orgs/{ids['unit']}/tokens", {"label": "load"})["token"]
    with open(fixture, encoding="utf-8") as f:
        doc = json.load(f)["document"]
    doc.pop("scope", None)
    doc.pop("org", None)
    doc.update({"name": "__NAME__", "year": 2022, "supervising_office": "社保科",
                "fund_nature": "本级项目", "category": "常年"})
    template = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    pids = []
    for i in range(N_READ):
        body = json.loads(template.replace("__NAME__", f"负载-读-{i}"))
        pids.append(call(base, token, "/v1/projects", body)["id"])
    with open(os.path.join(out, "unit_token"), "w") as f:
        f.write(token)
    with open(os.path.join(out, "project_ids"), "w") as f:
        f.write("\n".join(str(p) for p in pids) + "\n")
    with open(os.path.join(out, "project.json"), "w", encoding="utf-8") as f:
        f.write(template)


if __name__ == "__main__":
    main()
