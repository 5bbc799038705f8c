"""tests/load/setup_projects.py BASE_URL ADMIN_TOKEN FIXTURE OUT_DIR [N_WRITE]
-- the stateful part of the load mix, prepared before wrk starts (run.sh).

Creates, with the bootstrap admin token, a finance bureau, a department and
a unit (region 341300), a token of the unit and one of the bureau, then as
the unit:
  N_READ projects to read and to evaluate, each evaluated once (so there
         are evaluations to read from the first request on);
  N_WRITE projects to change (PATCH and PUT .../results with If-Match):
         run.sh asks for one per wrk connection plus two per thread, and
         mix.lua gives each wrk thread its own share, so two requests never
         race for one version: a 412 in the run is a failure, not noise.
Writes into OUT_DIR:
  unit_token, finance_token   the bearer tokens
  project_ids      the projects to read and evaluate, one id a line
  evaluation_ids   their evaluations, one id a line
  write_projects   "project_id indicator_id version" a line, the projects
                   to change and the id of the indicator whose result the
                   load submits
  project.json     a project body (the fixture's document plus the project
                   fields) named __NAME__, for mix.lua's creations
Creation runs on a few threads (projects commit at ~100/s on a busy
2-core machine).  Exits non-zero, with the answer, on anything unexpected.
"""
import concurrent.futures
import json
import os
import sys
import urllib.request

N_READ = 32


def call(base, token, method, path, body=None, want=201):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            if r.status != want:
                sys.exit(f"load setup: {method} {path}: {r.status}, expected {want}")
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"load setup: {method} {path}: {e.code} {e.read()[:300]!r}")


def main():
    base, admin, fixture, out = sys.argv[1:5]
    n_write = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    ids = {}
    for kind in ("finance", "department", "unit"):
        body = {"kind": kind, "name": f"负载-{kind}-{os.getpid()}", "region_code": "341300"}
        if kind == "unit":
            body["parent_id"] = ids["department"]
        ids[kind] = call(base, admin, "POST", "/v1/orgs", body)["id"]
    token = call(base, admin, "POST", f"/v1/orgs/{ids['unit']}/tokens", {"label": "load"})["token"]
    fin_token = call(base, admin, "POST", f"/v1/orgs/{ids['finance']}/tokens",
                     {"label": "load totals"})["token"]
    with open(fixture, encoding="utf-8") as f:
        doc = json.load(f)["document"]
    doc.pop("scope", None)
    doc.pop("org", None)
    doc.update({"name": "__NAME__", "year": 2022, "supervising_office": "社保科",
                "fund_nature": "本级项目", "category": "常年"})
    template = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    def create(name):
        return call(base, token, "POST", "/v1/projects",
                    json.loads(template.replace("__NAME__", name)))

    def evaluate(pid):
        return call(base, token, "POST", f"/v1/projects/{pid}/evaluations")["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        read = list(pool.map(create, [f"负载-读-{i}" for i in range(N_READ)]))
        evals = list(pool.map(evaluate, [p["id"] for p in read]))
        write = list(pool.map(create, [f"负载-改-{i}" for i in range(n_write)]))

    def put(name, text):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)

    put("unit_token", token)
    put("finance_token", fin_token)
    put("project_ids", "".join(f"{p['id']}\n" for p in read))
    put("evaluation_ids", "".join(f"{e}\n" for e in evals))
    put("write_projects", "".join(f"{p['id']} {p['indicators'][0]['id']} {p['version']}\n"
                                  for p in write))
    put("project.json", template)


if __name__ == "__main__":
    main()
