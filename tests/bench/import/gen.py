#!/usr/bin/env python3
"""tests/bench/import/gen.py -- the bulk-import benchmark's input.

  gen.py OUTDIR PROJECTS PER_FILE [INDICATORS]

Writes OUTDIR/partNNN.csv, PER_FILE projects each (the last file may have
fewer), in the CSV of docs/import.md: one row per indicator, the project
columns on the first row of each project and only year and name repeated
(as scripts/example-import.csv).  Projects have INDICATORS indicators
(default 20) in the seed reports' shapes (tests/bench/projects/gen.py:
数量/质量/时效/成本/效益/满意度 with targets as the reports write them),
weights adding up to 90 with the execution rate's 10.  Deterministic.
"""
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "projects"))
from gen import indicator  # noqa: E402  (the seed shapes, one place)

HEADER = ("year,name,code,supervising_office,fund_nature,category,evaluation_method,"
          "goal_overall,budget_initial,budget_cuts,budget_adjusted,budget_executed,"
          "reported_total,level1,level2,indicator,weight,target,actual,reported_score\n")
EMPTY_PROJECT = "," * 11  # code .. reported_total left empty after the first row


def main(outdir, projects, per_file, nind):
    rnd = random.Random(4)
    out = pathlib.Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    weight = 90 / nind
    w = f"{weight:.2f}".rstrip("0").rstrip(".")
    for f in range(0, projects, per_file):
        lines = [HEADER]
        for p in range(f, min(projects, f + per_file)):
            init = rnd.randint(1000, 9000000)
            cuts = init * rnd.randint(0, 10) // 100
            adj = init - cuts
            exe = adj * rnd.randint(80, 100) // 100
            key = f"2023,批量导入项目{p:06d}"
            first = (f"{key},B{p:06d},社保科,本级项目,常年,自行组织,"
                     f"履行全市医疗保障基金安全监督管理职能,{init},{cuts},{adj},{exe},95")
            for k in range(nind):
                i = indicator(k, w)
                lines.append(f"{first if k == 0 else key + EMPTY_PROJECT},{i['level1']},"
                             f"{i['level2']},{i['name']},{w},{i['target']},{i['actual']},{w}\n")
        (out / f"part{f // per_file:03d}.csv").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
         int(sys.argv[4]) if len(sys.argv) > 4 else 20)
