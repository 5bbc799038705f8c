#!/usr/bin/python3
"""requests.py HOST PORT ADMIN BODY DOC N PID -- for instructions.sh: makes a
unit, a token and a project, warms up, then for GET /v1/projects/{id} and
POST /v1/score in turn zeroes callgrind's counters of PID, sends N requests
on one keep-alive connection and dumps; prints the instructions per request
of each (the dump's total over N)."""
import glob
import http.client
import json
import os
import re
import subprocess
import sys
import time

host, port, admin, body_path, doc_path, n, pid = sys.argv[1:8]
port, n = int(port), int(n)
conn = http.client.HTTPConnection(host, port, timeout=120)


def call(method, path, body=None, token=admin):
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn.request(method, path, body=body, headers={"Authorization": "Bearer " + token,
                                                  "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    return r.status, data


st, org = call("POST", "/v1/orgs", json.dumps({"kind": "unit", "name": "指令计数单位" + pid,
                                               "region_code": "341300"}))
unit = json.loads(org)["id"]
token = json.loads(call("POST", f"/v1/orgs/{unit}/tokens", "{}")[1])["token"]
body = open(body_path).read().replace("__NAME__", "ir-" + pid)
st, proj = call("POST", "/v1/projects", body, token)
if st != 201:
    sys.exit(f"create answered {st}")
pid_ = json.loads(proj)["id"]
doc = open(doc_path).read()


def control(*args):
    subprocess.run(["callgrind_control", *args, pid], check=True, capture_output=True)


def total(after):
    files = sorted(glob.glob(os.path.join(os.path.dirname(body_path), "*." + pid + "*")),
                   key=os.path.getmtime)
    best = 0
    for f in files:
        if os.path.getmtime(f) < after:
            continue
        for line in open(f, errors="replace"):
            m = re.match(r"(?:summary|totals): (\d+)", line)
            if m:
                best += int(m.group(1))
                break
    return best


out = []
for method, path, payload in (("GET", f"/v1/projects/{pid_}", None), ("POST", "/v1/score", doc)):
    for _ in range(50):
        call(method, path, payload, token)
    control("-z")
    t0 = time.time()
    for _ in range(n):
        st, _ = call(method, path, payload, token)
        if st != 200:
            sys.exit(f"{method} {path} answered {st}")
    control("-d")
    time.sleep(0.5)
    out.append(total(t0 - 1) // n)
print(*out)
