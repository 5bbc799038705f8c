"""gen.py OUTDIR: the benchmark's files (tests/bench/office/run.sh).

  tables.docx   50 自评表 (the seed fixtures' projects, renamed), one after
                the other with captions, as reports hold them
  tables.jsonl  the same 50 documents as JSON (what the reader gives back)
  import.xlsx   自评表 of 20 indicators stacked in one sheet, over 10,000
                rows in all
  import-<n>.json  the same projects as a JSON import body, for year n
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "office"))
import gen  # noqa: E402

out = pathlib.Path(sys.argv[1])
shared = pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
base = [json.loads(f.read_text())["document"] for f in sorted((shared / "fixtures").glob("000-*.json"))]

docs = []
for i in range(50):
    d = json.loads(json.dumps(base[i % len(base)]))
    d["name"] = "%s·%02d" % (d["name"], i)
    docs.append(d)
gen.write_docx(out / "tables.docx", [("%s项目绩效自评表" % d["name"], *gen.rows_of(d)) for d in docs])
with open(out / "tables.jsonl", "w") as f:
    for d in docs:
        f.write(json.dumps(gen.project(d), ensure_ascii=False) + "\n")

big, rows, merges = [], [], []
i = 0
while len(rows) < 10000:
    d = json.loads(json.dumps(base[i % len(base)]))
    d["name"] = "导入基准·%04d" % i
    inds = []
    for k in range(20):
        ind = dict(d["indicators"][k % len(d["indicators"])])
        ind["name"] = "%s·%d" % (ind["name"], k)
        ind["weight"] = 4.5 if ind.get("level1") != "满意度指标" else 4.5
        ind.pop("reported_score", None)
        inds.append(ind)
    d["indicators"] = inds
    r, m = gen.rows_of(d, merge_levels=False)
    off = len(rows)
    rows += r + [[""] * 9]
    merges += [(a + off, b, c + off, e) for a, b, c, e in m]
    big.append(d)
    i += 1
gen.write_xlsx(out / "import.xlsx", [("自评表", rows, merges)])
for year in (2061, 2062, 2063, 2064):
    body = []
    for d in big:
        p = gen.project(d)
        for k in ("scope", "org"):
            p.pop(k, None)
        p["year"] = year
        body.append(p)
    (out / ("import-%d.json" % year)).write_text(json.dumps(body, ensure_ascii=False))
print("%d tables in tables.docx; %d projects, %d rows in import.xlsx" % (len(docs), len(big), len(rows)))
