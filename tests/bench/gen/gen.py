#!/usr/bin/python3
"""gen.py -- a realistic country of budget-performance data, as COPY streams.

    gen.py OUTDIR [--scale S] [--years 2023-2024] [--seed N] [--tiny]
           [--evaluations] [--wide] [--part K/N]

Writes tab-separated COPY files (PostgreSQL text format) for issue 4's
tables -- orgs.copy, projects.copy, indicators.copy -- and, with
--evaluations, scored evaluations and their per-project rollups for issue
5's tables (evaluations.copy, evaluation_rollups.copy).  load.sh loads them
with COPY into a migrated database.

The country: 31 provinces (real codes and names) -> 341 cities -> 2,897
counties (codes PPCCXX), each region with a finance bureau (财政厅/财政局),
two departments (医疗保障局, 教育局) and one unit under each department;
departments and units both file projects, so 4 reporting organisations per
region, 13,076 in all (16,345 organisations with the bureaus).  Each files 2 x S projects a year (S = --scale; 20 at
10x, the spec's 20 per unit per year) with 20 indicators each, in the seed
reports' shapes (产出/效益/满意度; "≥5次", "100%", "≤90万元", "显著提高",
"2023年底前完成"; amounts written in 元 and 万元), so:

    scale 1:   52,304 projects,  1,046,080 indicator rows (2 years)
    scale 10: 523,040 projects, 10,460,800 indicator rows (2 years)

--wide adds a wide self-assessment per reporting organisation and year
(assessments.copy: a department's 部门整体, a unit's 单位整体, with its
budget in the document as people write it, in 万元; evaluated like the
projects), so the totals' scope filters have rows at scale.

--monitoring adds mid-year monitoring reports (issue 20:
monitoring.copy for monitoring_reports): each project reports June and
September, executed to date a share of its adjusted budget drawn so that
every colour occurs, with the progress of its first count indicator.

--tiny makes a small country for tests (2 provinces, 2 cities each, 2
counties per city) with every scale still applying.  --part K/N writes
only provinces K, K+N, ... (so N processes generate in parallel; the org
file is written by part 0 only).  Deterministic for a given seed.
Python 3 standard library only.
"""
import argparse
import json
import os
import random
import sys

PROVINCES = [
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
]
# cities per province (341 in all) and 8 or 9 counties per city
CITY_COUNTS = [1, 1, 11, 11, 12, 14, 9, 13, 1, 13, 11, 16, 9, 11, 16, 17, 17, 14, 21, 14,
               4, 1, 21, 9, 16, 7, 10, 14, 8, 5, 14]
SYL = "安宁平和泰丰华阳兴德昌盛清源永嘉庆宜春南山临江新东西北长乐开明武宣城海湖云峰岳溪"

# (level1, level2, name, weight, kind): weights add up to 90 (execution 10)
INDICATORS = [
    ("产出指标", "数量指标", "开展专项检查次数", 4, "count_ge"),
    ("产出指标", "数量指标", "组织业务培训次数", 4, "count_ge"),
    ("产出指标", "数量指标", "覆盖定点医药机构数", 4, "count_eq"),
    ("产出指标", "数量指标", "印发宣传材料份数", 3, "count_ge"),
    ("产出指标", "数量指标", "受益人数", 4, "count_ge"),
    ("产出指标", "质量指标", "检查覆盖率", 6, "pct_100"),
    ("产出指标", "质量指标", "资金拨付准确率", 5, "pct_100"),
    ("产出指标", "质量指标", "问题整改完成率", 5, "pct_ge"),
    ("产出指标", "时效指标", "相关活动完成时间", 6, "time"),
    ("产出指标", "时效指标", "资金拨付及时率", 4, "pct_100"),
    ("产出指标", "成本指标", "项目总成本", 6, "cost"),
    ("产出指标", "成本指标", "人均培训成本", 4, "cost_yuan"),
    ("效益指标", "社会效益指标", "营造社会监督氛围", 6, "qual"),
    ("效益指标", "社会效益指标", "群众知晓率", 5, "pct_ge"),
    ("效益指标", "经济效益指标", "减少基金损失", 4, "money_ge"),
    ("效益指标", "可持续影响指标", "长效机制建设", 5, "qual"),
    ("效益指标", "可持续影响指标", "制度建设完善程度", 5, "qual"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", 4, "pct_ge"),
    ("满意度指标", "服务对象满意度指标", "定点医药机构满意度", 3, "pct_ge"),
    ("满意度指标", "服务对象满意度指标", "参保群众满意度", 3, "pct_ge"),
]
assert sum(i[3] for i in INDICATORS) == 90 and len(INDICATORS) == 20
QUAL = ["显著提高", "持续影响", "有效提升", "明显改善", "逐步完善"]
PROJECT_WORDS = ["基金安全监管", "支付方式改革", "信息化建设", "宣传培训", "待遇保障",
                 "经办服务能力提升", "设备购置", "专项督查", "绩效评价", "运行维护",
                 "课后服务补助", "校舍维修改造", "学生资助", "教师培训", "营养改善计划",
                 "集中带量采购", "异地就医结算", "医疗救助", "长期护理保险试点", "网格化管理"]


def region_tree(tiny):
    """[(prov_code, prov_name, [(city_code, city_name, [(county_code, name)])])]"""
    rng = random.Random(7)
    out = []
    used = set()

    def fresh(prefix, suffix):
        while True:
            n = prefix + rng.choice(SYL) + rng.choice(SYL) + suffix
            if n not in used:
                used.add(n)
                return n
    provinces = PROVINCES[11:13] if tiny else PROVINCES
    counts = [2, 2] if tiny else CITY_COUNTS
    for (pc, pname), ncity in zip(provinces, counts):
        cities = []
        for c in range(1, ncity + 1):
            ccode = f"{pc}{c:02d}00"
            cname = fresh("", "市")
            ncounty = 2 if tiny else (8 if (c + int(pc)) % 2 else 9)
            counties = []
            for k in range(1, ncounty + 1):
                kname = fresh(cname, "区" if k <= 2 else "县")
                counties.append((f"{pc}{c:02d}{k:02d}", kname))
            cities.append((ccode, cname, counties))
        out.append((pc + "0000", pname, cities))
    return out


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def yuan(fen):
    return f"{fen // 100}.{fen % 100:02d}"


def wan(fen):
    """An amount as people write it in 万元, trailing zeros dropped."""
    s = f"{fen / 1000000:.4f}".rstrip("0").rstrip(".")
    return s + "万元"


class Orgs:
    """The organisation tree with ids; reporting orgs per region."""

    def __init__(self, tiny):
        self.rows = []        # (id, kind, name, region, parent, region name of a bureau)
        self.reporting = {}   # province code -> [(org_id, parent_id, region, kind)]
        nid = 2               # 1 is the operator (0001_init.sql)
        for pcode, pname, cities in region_tree(tiny):
            rep = self.reporting.setdefault(pcode, [])
            regions = [(pcode, pname, None, "财政厅")]
            for ccode, cname, counties in cities:
                regions.append((ccode, cname, pcode, "财政局"))
                for kcode, kname in counties:
                    regions.append((kcode, kname, ccode, "财政局"))
            fin_of = {}
            for code, name, up, fin in regions:
                fid = nid
                nid += 1
                fin_of[code] = fid
                self.rows.append((fid, "finance", name + fin, code, fin_of.get(up), name))
                for dname, uname in (("医疗保障局", "医疗保障事务中心"), ("教育局", "教育技术装备中心")):
                    did = nid
                    uid = nid + 1
                    nid += 2
                    self.rows.append((did, "department", name + dname, code, fid, None))
                    self.rows.append((uid, "unit", name + uname, code, did, None))
                    rep.append((did, fid, code, "department"))
                    rep.append((uid, did, code, "unit"))

    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            for oid, kind, name, region, parent, rname in self.rows:
                f.write(f"{oid}\t{kind}\t{esc(name)}\t{region}\t{parent if parent else chr(92) + 'N'}"
                        f"\t{esc(rname) if rname else chr(92) + 'N'}\n")


def indicator(rng, tpl, year, budget_fen):
    """target, actual (as written), met, reported score share (0..1)."""
    l1, l2, name, w, kind = tpl
    miss = rng.random() < 0.08
    if kind == "count_ge":
        t = rng.choice([3, 5, 10, 12, 20, 30, 50])
        a = t - rng.randint(1, max(1, t // 3)) if miss else t + rng.choice([0, 0, 1, 2, t // 2])
        unit = "人" if "人数" in name else ("份" if "份" in name else "次")
        return f"≥{t}{unit}", f"{a}{unit}", not miss
    if kind == "count_eq":
        t = rng.randint(20, 400)
        a = t - rng.randint(1, 5) if miss else t
        return f"{t}家", f"{a}家", not miss
    if kind == "pct_100":
        return "100%", ("98%" if miss else "100%"), not miss
    if kind == "pct_ge":
        t = rng.choice([80, 85, 90, 95])
        a = t - rng.randint(1, 6) if miss else min(100, t + rng.randint(0, 8))
        return f"≥{t}%", (f"{a}%" if rng.random() < 0.7 else f"≥ {a}%"), not miss
    if kind == "time":
        return f"{year}年底前完成", ("延期完成" if miss else rng.choice(["已完成", "年底前已完成"])), not miss
    if kind == "cost":
        t = budget_fen
        a = int(t * (rng.uniform(1.01, 1.1) if miss else rng.uniform(0.75, 1.0)))
        return f"≤{wan(t)}", wan(a), not miss
    if kind == "cost_yuan":
        t = rng.choice([200, 300, 500, 800])
        a = int(t * (1.1 if miss else rng.uniform(0.8, 1.0)))
        return f"≤{t}元", f"{a}元", not miss
    if kind == "money_ge":
        t = rng.choice([10, 20, 50, 100]) * 10000 * 100
        a = int(t * (rng.uniform(0.6, 0.95) if miss else rng.uniform(1.0, 1.4)))
        return f"≥{wan(t)}", wan(a), not miss
    q = rng.choice(QUAL)
    return q, ("有所提高" if miss else q), not miss


GRADE_BANDS = ((90, "优"), (80, "良"), (60, "中"), (0, "差"))


def grade_of(score_cents):
    for lo, g in GRADE_BANDS:
        if score_cents >= lo * 100:
            return g
    return "差"


def generate(args, orgs, part, nparts, out):
    rng = random.Random(args.seed * 1000 + part)
    y0, y1 = args.years
    per_unit = max(1, round(2 * args.scale)) if args.scale >= 0.5 else 1
    # ids: each part owns a disjoint id range so parts can run in parallel
    pid = 1 + part * 50_000_000
    iid = 1 + part * 1_000_000_000
    eid = 1 + part * 50_000_000
    aid = 1 + part * 50_000_000
    fa = open(os.path.join(out, f"assessments.{part}.copy"), "w", encoding="utf-8") if args.wide else None
    fp = open(os.path.join(out, f"projects.{part}.copy"), "w", encoding="utf-8")
    fi = open(os.path.join(out, f"indicators.{part}.copy"), "w", encoding="utf-8")
    mid = 1 + part * 100_000_000
    fm = open(os.path.join(out, f"monitoring.{part}.copy"), "w", encoding="utf-8") \
        if args.monitoring else None
    fe = fr = None
    if args.evaluations:
        fe = open(os.path.join(out, f"evaluations.{part}.copy"), "w", encoding="utf-8")
        fr = open(os.path.join(out, f"evaluation_rollups.{part}.copy"), "w", encoding="utf-8")
    N = "\\N"
    provinces = sorted(orgs.reporting)
    nproj = nind = 0
    for k, prov in enumerate(provinces):
        if k % nparts != part:
            continue
        for org_id, parent_id, region, kind in orgs.reporting[prov]:
            for year in range(y0, y1 + 1):
                for j in range(per_unit):
                    name = f"{year}年{PROJECT_WORDS[(j + org_id) % len(PROJECT_WORDS)]}项目"
                    if j >= len(PROJECT_WORDS):
                        name = f"{year}年{PROJECT_WORDS[j % len(PROJECT_WORDS)]}项目（{j // len(PROJECT_WORDS) + 1}）"
                    r = rng.random()
                    status = "accepted" if r < 0.7 else ("submitted" if r < 0.9 else "draft")
                    fund = "本级项目" if rng.random() < 0.7 else "对下转移支付"
                    category = "常年" if rng.random() < 0.6 else "一次性"
                    initial = rng.randint(5, 500) * 10000 * 100 + rng.choice([0, 0, rng.randint(0, 999999)])
                    cut = int(initial * rng.choice([0, 0, 0.02, 0.05, 0.1]))
                    adjusted = initial - cut
                    rate = rng.choice([1.0, 1.0, rng.uniform(0.7, 1.0), rng.uniform(0.9, 1.0), 1.03])
                    executed = int(adjusted * rate)
                    inds = []
                    score_c = 0
                    for pos, tpl in enumerate(INDICATORS):
                        target, actual, met = indicator(rng, tpl, year, adjusted)
                        w = tpl[3]
                        rs = w if met else round(w * rng.uniform(0.5, 0.9), 2)
                        score_c += int(round(rs * 100))
                        inds.append((iid, tpl, target, actual, rs, met))
                        iid += 1
                    exec_score_c = int(min(executed / adjusted, 1) * 1000 + 0.5) if adjusted else 0
                    total_c = score_c + exec_score_c
                    reported_total = f"{total_c // 100}.{total_c % 100:02d}"
                    # the stored document (issue 4's doc column), written directly:
                    # every text here is ours and needs no JSON or COPY escaping
                    cuts = f'"cuts":"{yuan(cut)}",' if cut else ""
                    doc = ('{"name":"%s","year":%d,"budget":{%s"initial":"%s","adjusted":"%s",'
                           '"executed":"%s"},"reported":{"total":%s},"framework":"project-2020",'
                           '"indicators":[%s],"fund_nature":"%s","category":"%s",'
                           '"amounts_as_written":{"/budget/initial":"%s","/budget/adjusted":"%s",'
                           '"/budget/executed":"%s"}}') % (
                        name, year, cuts, yuan(initial), yuan(adjusted), yuan(executed),
                        reported_total,
                        ",".join('{"id":%d,"level1":"%s","level2":"%s","name":"%s","weight":%d,'
                                 '"target":"%s","actual":"%s","reported_score":%s}'
                                 % (i[0], i[1][0], i[1][1], i[1][2], i[1][3], i[2], i[3], i[4])
                                 for i in inds),
                        fund, category, wan(initial), wan(adjusted), wan(executed))
                    fp.write("\t".join((
                        prov, str(pid), str(org_id), str(parent_id), region, str(year), name,
                        N, status, "project-2020", fund, category, yuan(initial), yuan(adjusted),
                        yuan(executed), reported_total, N, "20", doc)) + "\n")
                    for n_, (i_id, tpl, target, actual, rs, met) in enumerate(inds):
                        reason = N if met else esc("受客观因素影响，部分工作延后，下一年度加强督导")
                        fi.write(f"{prov}\t{i_id}\t{pid}\t{n_}\t{tpl[0]}\t{tpl[1]}\t{tpl[2]}\t{tpl[3]}\t"
                                 f'"{target}"\t"{actual}"\t{N}\t{reason}\t{rs}\n')
                    if fm:
                        mid = write_monitoring(fm, rng, prov, mid, pid, org_id, parent_id, region,
                                               year, adjusted, inds)
                    if fe and status != "draft" and rng.random() < 0.85:
                        write_evaluation(fe, fr, rng, prov, eid, pid, org_id, parent_id, region, year,
                                         total_c, executed > adjusted, name)
                        eid += 1
                    pid += 1
                    nproj += 1
                    nind += 20
                if fa:
                    write_wide(fa, fe, fr, rng, prov, aid, eid, org_id, parent_id, region, year, kind)
                    aid += 1
                    eid += 1
    if fa:
        fa.close()
    if fm:
        fm.close()
    fp.close()
    fi.close()
    if fe:
        fe.close()
        fr.close()
    return nproj, nind


def write_monitoring(fm, rng, prov, mid, pid, org_id, parent_id, region, year, adjusted, inds):
    """June and September reports of one project (issue 20's
    monitoring_reports); the next id."""
    count = next((i for i in inds if i[1][4] == "count_ge"), None)
    for month, lo, hi in ((6, 0.15, 0.75), (9, 0.3, 1.05)):
        executed = int(adjusted * rng.uniform(lo, hi))
        progress = "[]"
        if count:
            target = int("".join(c for c in count[2] if c.isdigit()))
            done = int(target * rng.uniform(lo, hi) * 2 + 0.5) // 2
            progress = ('[{"indicator_id": %d, "name": "%s", "progress": "%d次", '
                        '"target_as_written": "%s", "cumulative": true, "value": "%d", '
                        '"target": "%d"}]' % (count[0], count[1][2], done, count[2], done, target))
        fm.write("\t".join((prov, str(mid), str(pid), str(org_id), str(parent_id), region,
                            str(year), f"{year}-{month:02d}", str(month), yuan(executed),
                            wan(executed), progress)) + "\n")
        mid += 1
    return mid


def write_wide(fa, fe, fr, rng, prov, aid, eid, org_id, parent_id, region, year, kind):
    """A department's or unit's wide self-assessment of the year, evaluated
    (when not a draft) like the projects."""
    scope, word = (("department_wide", "部门") if kind == "department" else ("unit_wide", "单位"))
    framework = scope.replace("_", "-") + "-2013"
    name = f"{year}年度{word}整体支出绩效自评"
    initial = rng.randint(100, 20000) * 10000 * 100
    adjusted = initial - int(initial * rng.choice([0, 0, 0.02, 0.05]))
    executed = int(adjusted * rng.choice([1.0, rng.uniform(0.8, 1.0), rng.uniform(0.95, 1.0)]))
    r = rng.random()
    status = "accepted" if r < 0.7 else ("submitted" if r < 0.9 else "draft")
    doc = ('{"scope":"%s","framework":"%s","year":%d,"name":"%s","budget":{"initial":"%s",'
           '"adjusted":"%s","executed":"%s"},"figures":{},"indicators":[]}') % (
        scope, framework, year, name, wan(initial), wan(adjusted), wan(executed))
    fa.write("\t".join((prov, str(aid), str(org_id), str(parent_id), region, str(year), scope, name,
                        framework, status, doc)) + "\n")
    if fe and status != "draft" and rng.random() < 0.85:
        write_evaluation(fe, fr, rng, prov, eid, aid, org_id, parent_id, region, year,
                         rng.randint(8000, 9900), executed > adjusted, name, "assessment", scope,
                         framework)


def write_evaluation(fe, fr, rng, prov, eid, pid, org_id, parent_id, region, year, total_c, overspent,
                     name, subject="project", scope="project", framework="project-2020"):
    """One scored evaluation and the subject's rollup, consistent with it."""
    # the computed total differs from the reported one now and then
    r = rng.random()
    if r < 0.8:
        comp = total_c
    elif r < 0.95:
        comp = max(0, total_c - rng.randint(50, 1500))
    else:  # a weak one: 中 or 差
        comp = max(0, total_c - rng.randint(1500, 4500))
    complete = rng.random() > 0.04
    errors = 1 if rng.random() < 0.03 else 0
    warnings = (1 if comp != total_c else 0) + (1 if overspent else 0) + (1 if rng.random() < 0.2 else 0)
    infos = 1 if rng.random() < 0.3 else 0
    total = f"{comp // 100}.{comp % 100:02d}"
    grade = grade_of(comp)
    at = f"{year + 1}-03-{rng.randint(1, 28):02d} 10:00:00+00"
    findings = []
    if comp != total_c:
        findings.append({"code": "TOTAL_MISMATCH", "severity": "warning", "pointer": "/reported/total",
                         "message": f"报告总分 {total_c / 100:.2f} 与计算总分 {total} 不一致"})
    if overspent:
        findings.append({"code": "OVERSPENT", "severity": "warning", "pointer": "/budget/executed",
                         "message": "执行数超过全年预算数"})
    while len([f for f in findings if f["severity"] == "warning"]) < warnings:
        findings.append({"code": "TARGET_MISSED_NO_REASON", "severity": "warning",
                         "pointer": "/indicators/7/deviation_reason", "message": "未完成目标但未说明偏差原因"})
    if errors:
        findings.append({"code": "SCORE_ABOVE_WEIGHT", "severity": "error",
                         "pointer": "/indicators/3/reported_score", "message": "报告得分超过分值"})
    if infos:
        findings.append({"code": "QUALITATIVE_JUDGEMENT", "severity": "info",
                         "pointer": "/indicators/12/actual", "message": "定性指标按文字判断"})
    body = {"id": eid, "subject": subject, "subject_id": pid, "name": name,
            "total": float(total), "max": 100,
            "normalised": float(total), "grade": grade, "complete": complete, "findings": findings}
    bj = esc(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    fe.write("\t".join((prov, str(eid), subject, str(pid), "1", str(org_id), str(parent_id), region,
                        str(year), scope, framework, "1", total, "100.00", total, grade,
                        "t" if complete else "f", str(errors), str(warnings), str(infos),
                        "{}", bj, at, str(org_id), "\\N")) + "\n")
    fr.write("\t".join((prov, subject, str(pid), str(org_id), str(parent_id), region, str(year),
                        scope, str(eid), "1", at, framework, "1", total, "100.00", total,
                        grade, "t" if complete else "f", str(errors), str(warnings), str(infos))) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--years", default="2023-2024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--evaluations", action="store_true")
    ap.add_argument("--wide", action="store_true")
    ap.add_argument("--monitoring", action="store_true")
    ap.add_argument("--part", default="0/1")
    args = ap.parse_args()
    a, _, b = args.years.partition("-")
    args.years = (int(a), int(b or a))
    part, nparts = (int(x) for x in args.part.split("/"))
    os.makedirs(args.outdir, exist_ok=True)
    orgs = Orgs(args.tiny)
    if part == 0:
        orgs.write(os.path.join(args.outdir, "orgs.copy"))
    nproj, nind = generate(args, orgs, part, nparts, args.outdir)
    print(f"gen: part {part}/{nparts}: {len(orgs.rows)} organisations, {nproj} projects, "
          f"{nind} indicators", file=sys.stderr)


if __name__ == "__main__":
    main()
