"""Writes a 20-indicator project document in the shape of the seed reports
(scripts/example-document.json): 12 output indicators (5 + 4 x ... weights
adding to 50), 6 benefit indicators (30) and 2 satisfaction ones (10)."""
import json
import sys

src, dst = sys.argv[1], sys.argv[2]
doc = json.load(open(src, encoding="utf-8"))
base = doc["indicators"]
by_level = {}
for ind in base:
    by_level.setdefault(ind["level1"], []).append(ind)

plan = [("产出指标", 12, 50), ("效益指标", 6, 30), ("满意度指标", 2, 10)]
out = []
for level1, n, total in plan:
    pool = by_level.get(level1) or base
    weights = [round(total / n, 2)] * n
    weights[-1] = round(total - sum(weights[:-1]), 2)
    for i in range(n):
        ind = dict(pool[i % len(pool)])
        ind["level1"] = level1
        ind["name"] = f"{ind['name']}（{i + 1}）"
        ind["weight"] = weights[i]
        ind["reported_score"] = weights[i]
        out.append(ind)
doc["indicators"] = out
assert len(out) == 20
json.dump(doc, open(dst, "w", encoding="utf-8"), ensure_ascii=False)
