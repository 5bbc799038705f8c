#!/usr/bin/env python3
"""tests/bench/projects/gen.py -- benchmark inputs in the seed reports' shapes.

  gen.py body OUT.json                 one project with 20 indicators (POST)
  gen.py csv OUTDIR PROJECTS PER_FILE  import CSV files (5 indicators each)
"""
import json
import pathlib
import random
import sys

LEVELS = [("产出指标", "数量指标", "开展检查次数", "≥{n}次", "{m}次"),
          ("产出指标", "质量指标", "检查覆盖率", "100%", "100%"),
          ("产出指标", "时效指标", "按时完成率", "≥95%", "98%"),
          ("产出指标", "成本指标", "项目总成本", "≤{w}万元", "{v}万元"),
          ("效益指标", "社会效益指标", "群众知晓率", "≥90%", "93%"),
          ("效益指标", "可持续影响指标", "长效机制", "持续影响", "持续影响"),
          ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "95%")]


def indicator(k, weight):
    l1, l2, name, t, a = LEVELS[k % len(LEVELS)]
    n = 5 + k
    return {"level1": l1, "level2": l2, "name": f"{name}{k}", "weight": weight,
            "target": t.format(n=n, w=90, m=n + 1), "actual": a.format(n=n, m=n + 1, v="73.63"),
            "reported_score": weight}


def body(out):
    doc = {"year": 2022, "name": "__NAME__", "code": "__NAME__", "supervising_office": "社保科",
           "fund_nature": "本级项目", "category": "常年", "evaluation_method": "自行组织",
           "goals": {"overall": "履行全市医疗保障基金安全监督管理职能"},
           "budget": {"initial": "90万元", "cuts": "3.34万元", "adjusted": "86.66万元",
                      "executed": "73.62万元"},
           "indicators": [indicator(k, 4.5) for k in range(20)],
           "problems": [{"category": "预算执行", "description": "执行率偏低"}],
           "reported": {"total": 95}}
    pathlib.Path(out).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


HEADER = ("year,name,code,fund_nature,budget_initial,budget_adjusted,budget_executed,"
          "reported_total,level1,level2,indicator,weight,target,actual,reported_score\n")


def csv(outdir, projects, per_file):
    rnd = random.Random(4)
    out = pathlib.Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for f in range(0, projects, per_file):
        lines = [HEADER]
        for p in range(f, min(projects, f + per_file)):
            init = rnd.randint(1000, 9000000)
            exe = init * rnd.randint(80, 100) // 100
            proj = f"2023,批量项目{p:06d},B{p:06d},本级项目,{init},{init},{exe},95"
            for k in range(5):
                i = indicator(k, 18)
                lines.append(f"{proj},{i['level1']},{i['level2']},{i['name']},18,"
                             f"{i['target']},{i['actual']},18\n")
        (out / f"part{f // per_file:03d}.csv").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1] == "body":
        body(sys.argv[2])
    else:
        csv(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
