"""Helpers for the evaluation tests: a small world of organisations and
tokens made over the API, and fixture documents as projects."""
import copy
import uuid

import requests

from conftest import TOKEN, url


def hdr(token, **extra):
    h = {"Authorization": "Bearer " + token}
    h.update(extra)
    return h


def post(path, token, body=None, **headers):
    return requests.post(url(path), json=body, headers=hdr(token, **headers), timeout=60)


def get(path, token, **params):
    return requests.get(url(path), params=params, headers=hdr(token), timeout=60)


def put(path, token, body, version):
    return requests.put(url(path), json=body, headers=hdr(token, **{"If-Match": f'"{version}"'}),
                        timeout=60)


def make_org(kind, name, region, parent=None, token=TOKEN):
    body = {"kind": kind, "name": name, "region_code": region}
    if parent:
        body["parent_id"] = parent
    r = post("/v1/orgs", token, body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def make_token(org_id, token=TOKEN):
    r = post(f"/v1/orgs/{org_id}/tokens", token, {"label": "test"})
    assert r.status_code == 201, r.text
    return r.json()["token"]


class World:
    """Two regions: 宿州 (341300) and 新丰 (440233), plus an outsider."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.tag = tag
        self.fin = make_org("finance", f"宿州市财政局{tag}", "341300")
        self.dept = make_org("department", f"宿州市医疗保障局{tag}", "341300", self.fin)
        self.unit = make_org("unit", f"宿州市城镇职工基本医疗保险管理中心{tag}", "341300", self.dept)
        self.xf_fin = make_org("finance", f"新丰县财政局{tag}", "440233")
        self.xf_dept = make_org("department", f"新丰县医疗保障局{tag}", "440233", self.xf_fin)
        self.out_fin = make_org("finance", f"北京市财政局{tag}", "110000")
        self.out_dept = make_org("department", f"北京市医疗保障局{tag}", "110000", self.out_fin)
        self.t_fin = make_token(self.fin)
        self.t_dept = make_token(self.dept)
        self.t_unit = make_token(self.unit)
        self.t_xf = make_token(self.xf_dept)
        self.t_out = make_token(self.out_dept)
        self.t_out_fin = make_token(self.out_fin)


def project_body(document, org_id):
    body = copy.deepcopy(document)
    body.pop("scope", None)
    body.pop("org", None)
    body["org_id"] = org_id
    return body


def create_project(token, document, org_id):
    r = post("/v1/projects", token, project_body(document, org_id))
    return r
