"""make_server_corpus.py SHARED_DIR CORPUS_DIR: the seed corpora of the
server targets (fuzz_project, fuzz_bodies, fuzz_import, fuzz_query) from
the shared fixtures, the API tests' request bodies and hostile cases.
Each seed is a first line naming the request, then the bytes of the body
(fuzz_query: the query string alone).  Called by make_corpus.sh."""
import json
import pathlib
import sys

shared = pathlib.Path(sys.argv[1])
out = pathlib.Path(sys.argv[2])
REPO = pathlib.Path(__file__).resolve().parents[2]


def put(target, name, kind, body):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False)
    if isinstance(body, str):
        body = body.encode()
    head = b"" if kind is None else kind.encode() + b"\n"
    (d / name).write_bytes(head + body)


def project_body(doc, org_id=7):
    b = json.loads(json.dumps(doc))
    b.pop("scope", None)
    b.pop("org", None)
    b["org_id"] = org_id
    return b


HOSTILE = {
    "deep-arrays": "[" * 3000 + "]" * 3000,
    "deep-objects": '{"a":' * 3000 + "1" + "}" * 3000,
    "huge-numbers": '{"year":1e308,"org_id":123456789012345678901234567890,"name":-1e308}',
    "bad-utf8": b'{"name":"\xff\xfe\xc3\x28","year":2022}',
    "nul": b'{"name":"a\x00b"}',
    "escaped-nul": '{"name":"a\\u0000b","year":2022}',
    "long-string": '{"name":"' + "很" * 20000 + '"}',
    "long-key": '{"' + "~/" * 400 + '":1}',
    "duplicate": '{"name":"a","name":"b"}',
    "truncated": '{"name":"a","indicators":[{"x"',
    "empty": "",
    "not-object": "[1,2,3]",
    "types": '{"name":[],"year":"2022","org_id":true,"indicators":{},"budget":[],"reported":1}',
}

# ---- fuzz_project: create/put/patch/results -----------------------------
fixtures = sorted(shared.glob("fixtures/[0-9][0-9][0-9]-*.json"))
for f in fixtures:
    doc = json.loads(f.read_text(encoding="utf-8"))["document"]
    if doc.get("scope", "project") != "project":
        continue
    put("fuzz_project", f"create-{f.stem}", "create", project_body(doc))
    put("fuzz_project", f"put-{f.stem}", "put", project_body(doc))
put("fuzz_project", "patch-name", "patch", {"name": "新名称", "reported": {"total": 90}})
put("fuzz_project", "patch-null", "patch", {"budget": None, "goals": {"overall": None}})
put("fuzz_project", "patch-org", "patch", {"org_id": 8})
put("fuzz_project", "patch-indicators", "patch",
    {"indicators": [{"id": 101, "level1": "产出指标", "level2": "数量指标", "name": "x",
                     "weight": 50, "target": "≥5次", "actual": "4次"}]})
put("fuzz_project", "results-ok", "results",
    {"indicators": [{"id": 102, "actual": "91%", "reported_score": 40},
                    {"id": 101, "actual": "6次", "deviation_reason": None}],
     "budget": {"executed": "80万元"}, "reported": {"total": 96, "grade": "优"}})
put("fuzz_project", "results-unknown-id", "results", {"indicators": [{"id": 999}, {}]})
put("fuzz_project", "results-unknown-field", "results",
    {"indicators": [{"id": 101, "weight": 3}], "budget": {"initial": "1"}})
put("fuzz_project", "results-types", "results",
    {"indicators": {"id": 101}, "budget": [1], "reported": None})
for k, v in HOSTILE.items():
    put("fuzz_project", f"hostile-{k}", ["create", "put", "patch", "results"][len(k) % 4], v)

# ---- fuzz_bodies ------------------------------------------------------------
sys.path.insert(0, str(REPO / "tests" / "api"))
wide = {
    "scope": "department_wide", "framework": "department-wide-2013", "year": 2021,
    "figures": {"staff_in_post": 30, "authorised_posts": 32,
                "three_public_budget": "10万元", "satisfaction": "95%"},
    "indicators": [{"name": "绩效目标合理性", "actual": [0, 1, 2], "reported_score": 2},
                   {"name": "支付进度率", "actual": ["年终进度", "季度进度"], "reported_score": 2},
                   {"name": "在职人员控制率", "reported_score": 5}],
    "reported": {"total": 95}}
put("fuzz_bodies", "assessment-example", "assessment", wide)
put("fuzz_bodies", "assessment-unit", "assessment",
    {"scope": "unit_wide", "year": 2022, "org_id": 3, "figures": {}, "indicators": []})
put("fuzz_bodies", "assessment-bad", "assessment",
    {"scope": "x", "year": 1999, "framework": "project-2020", "id": 1, "nope": 2})
plan = {"year": 2023, "budget_year": 2022, "org_id": 4, "note": "说明",
        "projects": [{"name": "县域医共体医保支付方式改革工作经费", "supervising_office": "社保科",
                      "amount": "782,957.64", "fund_nature": "本级项目", "method": "委托第三方机构"},
                     {"project_id": 5, "name": "医疗保障基金安全监管经费", "amount": 736151.84,
                      "fund_nature": "本级项目", "method": "自行组织", "matched_project_id": 5}],
        "unit_wide": [{"org_id": 6, "name": "单位", "budget": "78.3万元", "project_count": 2,
                       "method": "自行组织"}]}
put("fuzz_bodies", "plan-seed000", "plan", plan)
put("fuzz_bodies", "plan-bad", "plan",
    {"year": "2023", "projects": [{"amount": "-1", "fund_nature": "x"}, 3], "unit_wide": {},
     "findings": [], "x": 1})
put("fuzz_bodies", "org-unit", "org",
    {"kind": "unit", "name": "宿州市医疗保障基金监管中心", "region_code": "341300",
     "parent_id": 3, "posts": 30, "staff": 28})
put("fuzz_bodies", "org-finance", "org", {"kind": "finance", "name": "新丰县财政局",
                                         "region_code": "440233"})
put("fuzz_bodies", "org-bad", "org", {"kind": "x", "name": "", "region_code": "000000",
                                     "parent_id": -1, "posts": -1, "staff": 1e20})
put("fuzz_bodies", "orgpatch-ok", "orgpatch", {"name": "新名称", "posts": None, "staff": 3})
put("fuzz_bodies", "orgpatch-unknown", "orgpatch", {"kind": "unit"})
put("fuzz_bodies", "token-ok", "token", {"label": "test", "expires_at": "2026-12-31T00:00:00Z"})
put("fuzz_bodies", "token-offset", "token", {"expires_at": "2026-12-31T08:00:00.123+08:00"})
put("fuzz_bodies", "token-bad", "token", {"label": 3, "expires_at": "2026-12-31"})
put("fuzz_bodies", "token-empty", "token", "")
put("fuzz_bodies", "evaluation-ok", "evaluation", {"framework": "project-2020",
                                                  "framework_version": 2})
put("fuzz_bodies", "evaluation-bad", "evaluation", {"framework": 1, "framework_version": 0})
put("fuzz_bodies", "evaluation-empty", "evaluation", "")
for fw in sorted((REPO / "lib" / "frameworks").glob("*.json")):
    put("fuzz_bodies", f"framework-{fw.stem}", "framework", fw.read_bytes())
for i, (k, v) in enumerate(HOSTILE.items()):
    kinds = ["assessment", "plan", "org", "orgpatch", "token", "evaluation", "framework"]
    put("fuzz_bodies", f"hostile-{k}", kinds[i % len(kinds)], v)

# ---- fuzz_import -------------------------------------------------------------
csv = (REPO / "scripts" / "example-import.csv").read_bytes()
put("fuzz_import", "csv-example", "csv", csv)
put("fuzz_import", "csv-crlf-bom", "csv", b"\xef\xbb\xbf" + csv.replace(b"\n", b"\r\n"))
put("fuzz_import", "csv-quoted", "csv",
    'org_id,year,name,indicator,weight,rule\n7,2022,"a ""q"" b","x,\ny",5.5,"{""kind"":""bands""}"\n')
put("fuzz_import", "csv-numbers", "csv",
    "year,name,reported_total,weight,reported_score,org_id\n2022,a,inf,nan,0x14,99999999999999999999\n"
    "2022,a,1e999,-0,1.5e3,7\n")
put("fuzz_import", "csv-unknown-column", "csv", "year,name,colour\n2022,a,red\n")
put("fuzz_import", "csv-unterminated", "csv", 'year,name\n2022,"a\n')
put("fuzz_import", "csv-no-header", "csv", "")
put("fuzz_import", "csv-nul", "csv", b"year,name\n2022,a\x00b\n")
put("fuzz_import", "csv-many-fields", "csv", "year," * 5000 + "name\n")
put("fuzz_import", "csv-wide-row", "csv", "year,name\n" + "2022," * 5000 + "a\n")
bodies = [project_body(json.loads(f.read_text(encoding="utf-8"))["document"])
          for f in fixtures[:3]]
put("fuzz_import", "json-fixtures", "json", bodies)
put("fuzz_import", "json-mixed", "json", [bodies[0], 1, None, {"name": "x"}, []])
put("fuzz_import", "json-not-array", "json", {"not": "an array"})
for k, v in HOSTILE.items():
    put("fuzz_import", f"hostile-{k}", "json", v)

# ---- fuzz_query --------------------------------------------------------------
queries = [
    "limit=10&cursor=c2s&year=2022&org=5&region=341300&status=draft&grade=%E4%BC%98&q=%E5%8C%BB",
    "limit=0", "limit=1001", "limit=-1", "limit=1e3", "limit=", "cursor=c", "cursor=x12",
    "cursor=c1y2p0ij32e8e7", "cursor=czzzzzzzzzzzzz", "year=1999", "year=2022-2023",
    "org=0", "org=9223372036854775808", "region=000000", "region=34130", "region=3413000",
    "status=all", "scope=department_wide", "scope=unit_wide,project", "parent=3&kind=unit",
    "q=" + "a" * 201, "q=%00", "group_by=region,year,grade", "group_by=region,,year",
    "group_by=", "region_level=city", "region_level=town", "format=csv", "format=xlsx",
    "format=pdf", "department=12", "department=-1", "status=draft,submitted,accepted,draft",
    "scope=" + ",".join(["project"] * 20), "year=2020-2019", "year=+2022", "year=%202022",
    "code=TOTAL_MISMATCH&severity=warning", "severity=fatal", "cursor=12.3", "cursor=12.",
    "cursor=-1.0", "cursor=99999999999999999999.1", "cursor=1.1000001",
    "dry_run=true&mode=per_record", "dry_run=yes", "dry_run", "mode=sometimes", "mode=",
    "a=1&a=2&limit=5&limit=6", "%zz=%", "&&&==&", "limit=%31%30",
]
for i, q in enumerate(queries):
    put("fuzz_query", f"query-{i:03d}", None, q)
