#!/usr/bin/env python3
"""check.py -- tests of the report renderers through the jixiao-report CLI.

Design.  Models are built the way the route will build them: every fixture
document in the shared folder is scored with jixiao-score for its result and
wrapped with made-up evaluation and project fields (docs/reports.md).  To
those are added a hostile model (markup, quotes, pipes, commas, newlines,
SQL and a spreadsheet formula in every name), a department-wide assessment
(no execution row, framework indicators the document does not list), a
model without indicators or problems, and a model with very long texts.
Each model is rendered in all five formats and every output is parsed with
a real parser and checked against the result it came from:

  json  parses; the score rows add up to the total row, which is the
        result's total; weights minus scores are the deductions
  html  parses with html.parser; every table's rows cover the same number
        of columns once rowspan and colspan are applied; grade and total are
        shown; hostile text comes back as text, never as markup
  md    every pipe table has one column count in every row
  csv   BOM, RFC 4180 parse, eight fields a row, scores round-trip
  xlsx  (LibreOffice, when installed) converted back to CSV, each sheet:
        indicator names, total and grade present; (openpyxl, when
        installed) merged level cells and number formats
  pdf   %PDF- magic; (poppler-utils) A4 pages, Noto Sans CJK embedded as a
        subset; pdftotext -layout has the project name, total and grade,
        第 n 页 / 共 m 页, and every score row's 报告得分 核定得分 扣分 in
        order; pdftoppm -r 50 -png renders the first, middle and last page
        with text on it.  A report of more than 500 pages is refused.

Usage: check.py --report BIN --score BIN --shared DIR --work DIR
                [--label NAME] [--no-xlsx-open] [--sanitized] [--mutants N]
Prints one line per failed check and `N passed, M failed` last; exit 1 on
any failure.  With --label the summary is prefixed (for the ASan run).
"""
import argparse
import copy
import csv
import glob
import html
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import sys

FORMATS = ["json", "html", "md", "csv", "xlsx", "pdf"]

HOSTILE = [
    "<script>alert('x')</script>",
    'say "hi" & <b>bold</b>',
    "a|b|c",
    "x,y,z",
    "line one\nline two",
    "'; DROP TABLE evaluations; --",
    '=HYPERLINK("http://example.invalid","click")',
    "back\\slash `code` *star* [link](u)",
]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)
        return cond


C = Checks()


# ---- building models -----------------------------------------------------------------

def score(score_bin, doc):
    p = subprocess.run([score_bin], input=json.dumps(doc, ensure_ascii=False).encode(),
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"jixiao-score failed: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def make_model(doc, result, i, problems=None):
    year = doc.get("year") or 2022
    name = doc.get("name") or ""
    return {
        "evaluation": {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "created_at": "2023-03-01T08:00:00Z",
            "created_by": "测试评价人",
            "framework": result.get("framework", ""),
            "framework_version": "1",
        },
        "project": {
            "name": name,
            "code": f"341300-{year}-{i:03d}",
            "org": doc.get("org", ""),
            "year": year,
            "scope": doc.get("scope", "project"),
            "supervising_office": "绩效管理科",
            "fund_nature": "一般公共预算",
            "goals": {"overall": f"保障{name}顺利实施", "annual": "完成年度各项指标\n按期支付资金"},
            "budget": doc.get("budget") or {},
            "indicators": doc.get("indicators") or [],
            "reported": doc.get("reported") or {},
            "problems": problems if problems is not None else [
                {"category": "项目决策存在的问题（包括项目立项、绩效目标设定、预算编制和资金分配等）",
                 "responsible_office": "绩效管理科", "description": "", "advice": ""},
                {"category": "项目管理存在的问题（包括项目过程管控、监督问效、制度建设及执行情况等）",
                 "responsible_office": "财务科", "description": "财务人员对项目内容不够熟悉",
                 "advice": "加强业务学习与培训", "note": "已整改"},
            ],
        },
        "result": result,
    }


WIDE_DOC = {
    "scope": "department_wide", "framework": "department-wide-2013",
    "org": "赫山区医疗保障事务中心", "year": 2021,
    "figures": {"staff_in_post": 30, "authorised_posts": 32,
                "three_public_budget": "10万元", "satisfaction": "95%"},
    "indicators": [
        {"name": "绩效目标合理性", "actual": [0, 1, 2], "reported_score": 2},
        {"name": "支付进度率", "actual": ["年终进度", "季度进度"], "reported_score": 2},
        {"name": "完成及时率", "actual": 4, "reported_score": 4},
        {"name": "社会效益", "actual": "达成", "reported_score": 5},
        {"name": "在职人员控制率", "reported_score": 5},
    ],
    "reported": {"total": 95},
}


def hostile_doc(base):
    doc = copy.deepcopy(base)
    doc["name"] = "项目<script>alert(1)</script>|名,称\n第二行"
    doc["org"] = "单位 \"引号\" & 'x'; DROP TABLE orgs; --"
    for k, ind in enumerate(doc["indicators"]):
        ind["name"] = HOSTILE[k % len(HOSTILE)] + f" #{k}"
        ind["deviation_reason"] = HOSTILE[(k + 3) % len(HOSTILE)]
    return doc


# right-to-left marks and override, Hebrew and Arabic, emoji (a flag, a skin tone, a
# ZWJ family), a combining accent, zero-width and bidi-isolate characters
ODD_TEXT = ("\u202e反向\u202c \u200fעברית العربية\u200e 😀👍🏽🇨🇳 👨\u200d👩\u200d👧 "
            "e\u0301 \u200b\u2066隔离\u2069 ")


def hostile_text_model(score_bin, base):
    """texts a layout engine finds hard: very long names (a 2,400-character project
    name, a 3,000-character level-2 cell merged over two rows), a 10,000-character
    explanation, RTL and emoji in names, reasons and explanations"""
    doc = copy.deepcopy(base)
    doc["name"] = "超长项目名称" * 400 + "<script>alert(1)</script>"
    for k, ind in enumerate(doc["indicators"]):
        ind["name"] = ODD_TEXT + f"#{k}" + ("很长的指标名称" * 150 if k == 1 else "")
        ind["deviation_reason"] = ODD_TEXT * 3
    res = score(score_bin, doc)
    inds = res["indicators"]
    if inds:
        inds[0]["explain"] = "评分说明文字" * 1666 + "结束"  # 10,000 characters
    for ind in inds[1:]:
        ind["explain"] = ODD_TEXT + ind.get("explain", "")
    if len(inds) >= 2:
        long_l2 = "很长的二级指标" * 430
        inds[0]["level1"] = inds[1]["level1"]
        inds[0]["level2"] = inds[1]["level2"] = long_l2
    m = make_model(doc, res, 904, hostile_problems())
    m["project"]["goals"]["annual"] = ODD_TEXT * 50
    return m


def hostile_problems():
    return [{"category": h, "responsible_office": h, "description": h, "advice": h, "note": h}
            for h in HOSTILE]


def build_models(score_bin, shared):
    models = []
    fixtures = sorted(glob.glob(os.path.join(shared, "fixtures", "[0-9]*.json")))
    for i, path in enumerate(fixtures):
        doc = json.load(open(path, encoding="utf-8"))["document"]
        res = score(score_bin, doc)
        models.append((os.path.basename(path)[:-5], make_model(doc, res, i + 1)))
    if fixtures:
        base = json.load(open(fixtures[0], encoding="utf-8"))["document"]
        for path in fixtures:  # the fixture with the most indicators makes the best hostile one
            d = json.load(open(path, encoding="utf-8"))["document"]
            if len(d.get("indicators") or []) > len(base.get("indicators") or []):
                base = d
        doc = hostile_doc(base)
        hostile = make_model(doc, score(score_bin, doc), 900, hostile_problems())
        # results application (issue 20): monitoring colours, 整改 items, advice
        hostile["application"] = {
            "monitoring": [{"period": "2024-06", "time_progress": "0.5000",
                            "execution_rate": "0.3000", "ratio": "0.6000", "color": "yellow",
                            "lagging": 1},
                           {"period": "2024-Q3", "time_progress": "0.7500", "execution_rate": "",
                            "ratio": "", "color": "<b>none", "lagging": 0}],
            "rectifications": [{"description": '<script>x</script>|a,"b"\n整改', "status": "open",
                                "deadline": "2025-03-31", "overdue": True},
                               {"description": "已整改", "status": "verified",
                                "deadline": "2025-03-31", "overdue": False},
                               {"description": HOSTILE[6], "status": "verified",
                                "deadline": "=1+1", "overdue": False}],
            "advice": {"grade": "优", "advice": "保持或优先保障 | <i>", "decision": None}}
        models.append(("hostile", hostile))
    wide = score(score_bin, WIDE_DOC)
    models.append(("department-wide", make_model(WIDE_DOC, wide, 901, problems=[])))
    if fixtures:
        models.append(("hostile-text", hostile_text_model(score_bin, base)))
    # rules as reports write them, a 不适用 indicator, no weights (scoring.md §8)
    example = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "scripts", "example-rules-text.json")
    doc = json.load(open(example, encoding="utf-8"))
    models.append(("rules-text", make_model(doc, score(score_bin, doc), 904)))
    # a wide document's own indicators, outside total and max, and a 不适用 one
    own = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit",
                       "fixtures", "802-wide-own-indicators-not-applicable.json")
    doc = json.load(open(own, encoding="utf-8"))["document"]
    models.append(("wide-own", make_model(doc, score(score_bin, doc), 905, problems=[])))
    bare = make_model({"name": "空", "org": "某单位", "year": 2022}, {
        "framework": "project-2020", "total": 0, "max": 100, "normalised": 0, "grade": "差",
        "complete": False, "execution": {"budget": None, "executed": None, "rate": None,
                                          "weight": 0, "score": 0},
        "categories": [], "indicators": [], "findings": []}, 902, problems=[])
    models.append(("bare", bare))
    if fixtures:
        doc = json.load(open(fixtures[0], encoding="utf-8"))["document"]
        doc = copy.deepcopy(doc)
        long = "很长的说明文字，" * 6000 + "结束"
        doc["indicators"][0]["deviation_reason"] = long
        m = make_model(doc, score(score_bin, doc), 903)
        m["project"]["goals"]["overall"] = long
        m["project"]["problems"][1]["description"] = long
        models.append(("long-text", m))
    return models


# ---- rendering -----------------------------------------------------------------------

def render(report_bin, model, fmt, env=None):
    data = model if isinstance(model, bytes) else json.dumps(model, ensure_ascii=False).encode()
    return subprocess.run([report_bin, "--format", fmt], input=data, capture_output=True,
                          timeout=120, env=env)


def cents(x):
    return int(round(float(x) * 100))


NA = "不适用"   # the score cell of a not-applicable indicator (scoring.md §8)


def score_of(x):
    """a score cell as hundredths, or NA for a 不适用 row (null in JSON)"""
    return NA if x is None or x == NA else cents(x)


HEAD = ["序号", "一级指标", "二级指标", "三级指标", "分值", "评分情况", "报告得分", "核定得分", "扣分"]
CST = "2023年3月1日 16:00"   # make_model's created_at, 08:00Z, in China Standard Time


def expected_reported(model):
    """报告得分 of the indicator rows (None when the document gave none)"""
    inds = model["project"]["indicators"]
    out = []
    for ind in model["result"]["indicators"]:
        i = ind.get("index")
        rs = inds[i].get("reported_score") if isinstance(i, int) and i < len(inds) else None
        out.append(cents(rs) if isinstance(rs, (int, float)) else None)
    return out


def outside_total(model):
    """per score row: a wide document's own indicator, outside the total"""
    rows = [bool(ind.get("own")) for ind in model["result"]["indicators"]]
    return rows + [False]  # the execution row, when there is one


def label_points(label):
    """the points a level-1 label claims: 产出指标（40分） -> 4000 hundredths"""
    m = re.search(r"（([0-9.]+)分(?:，不计入总分)?）$", label or "")
    return cents(m.group(1)) if m else None


def expected_rows(model):
    """(names, scores) of the score table as the result gives it"""
    res = model["result"]
    names = [ind["name"] for ind in res["indicators"]]
    scores = [NA if ind.get("not_applicable") else cents(ind["score"]) for ind in res["indicators"]]
    ex = res.get("execution") or {}
    if cents(ex.get("weight", 0)) > 0:
        names.append("预算执行率")
        scores.append(cents(ex["score"]))
    return names, scores


# ---- json ----------------------------------------------------------------------------

def check_json(name, model, out):
    try:
        doc = json.loads(out.decode("utf-8"))
    except Exception as e:  # noqa: BLE001
        C.ok(False, f"{name}.json parses: {e}")
        return
    C.ok(True, "")
    rows = doc["score_table"]["rows"]
    body = [r for r in rows if r["kind"] != "total"]
    total = [r for r in rows if r["kind"] == "total"]
    C.ok(len(total) == 1 and rows[-1]["kind"] == "total", f"{name}.json: one total row, last")
    s = sum(cents(r["score"]) for r in body if not r.get("not_applicable") and not r.get("own"))
    C.ok(s == cents(total[0]["score"]), f"{name}.json: rows sum {s} == total {total[0]['score']}")
    C.ok(cents(total[0]["score"]) == cents(model["result"]["total"]),
         f"{name}.json: total row == result total")
    C.ok(total[0]["grade"] == model["result"]["grade"], f"{name}.json: grade")
    C.ok(all(cents(r["weight"]) - cents(r["score"]) == cents(r["deduction"]) for r in rows
             if not r.get("not_applicable")),
         f"{name}.json: deductions = weight - score")
    names, scores = expected_rows(model)
    C.ok([r["name"] for r in body] == names, f"{name}.json: row names")
    C.ok([score_of(r["score"]) for r in body] == scores, f"{name}.json: row scores")
    ind_rows = [r for r in body if r["kind"] == "indicator"]
    C.ok([None if r["reported_score"] is None else cents(r["reported_score"]) for r in ind_rows]
         == expected_reported(model), f"{name}.json: reported scores beside computed ones")
    rep = (model["project"].get("reported") or {}).get("total")
    C.ok((total[0]["reported_score"] is None) == (rep is None) and
         (rep is None or cents(total[0]["reported_score"]) == cents(rep)),
         f"{name}.json: reported total on the total row")
    C.ok(doc["evaluation"]["created_at_cst"] == CST, f"{name}.json: time in CST")
    # a level-1 cell's label claims exactly what its rows are worth
    for k, r in enumerate(ind_rows):
        if r["level1_rowspan"] > 0 and r["level1"]:
            w = sum(cents(x["weight"]) for x in ind_rows[k:k + r["level1_rowspan"]]
                    if not x.get("not_applicable"))
            C.ok(label_points(r["level1_label"]) == w,
                 f"{name}.json: {r['level1_label']} spans rows worth {w / 100}")
    # scores are written with two decimals, as the library writes them
    raw = out.decode("utf-8")
    C.ok(re.search(r'"score":\d+\.\d\d[,}]', raw) is not None and
         re.search(r'"score":\d+[,}]', raw) is None, f"{name}.json: two-decimal scores")
    C.ok(len(doc["findings"]["rows"]) == len(model["result"].get("findings", [])),
         f"{name}.json: findings count")
    C.ok(len(doc["completion_list"]["rows"]) == len(model["project"]["indicators"]),
         f"{name}.json: completion rows")
    C.ok(len(doc["problem_list"]["rows"]) == len(model["project"]["problems"]),
         f"{name}.json: problem rows")
    if "application" in model:
        app, want = doc.get("application"), model["application"]
        C.ok(app is not None and [r["description"] for r in app["rectifications"]] ==
             [r["description"].replace("\n", " ") for r in want["rectifications"]] and
             app["open_rectifications"] == 1 and app["advice"]["advice"] == want["advice"]["advice"]
             and [m["color"] for m in app["monitoring"]] == [m["color"] for m in want["monitoring"]],
             f"{name}.json: results application round-trips")
    else:
        C.ok("application" not in doc, f"{name}.json: no application section without one")
    if name == "hostile":
        got = [r["name"] for r in doc["completion_list"]["rows"]]
        want = [i["name"] for i in model["project"]["indicators"]]
        C.ok(got == want, f"{name}.json: hostile names round-trip")
        C.ok("<script>" not in raw, f"{name}.json: no raw <script>")


# ---- html ----------------------------------------------------------------------------

class TableParser(html.parser.HTMLParser):
    """Collects tables (rows of (text, colspan, rowspan)), every text, tags seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = []   # list of (class, header_width, rows)
        self.stack = []
        self.cell = None
        self.tags = []
        self.text = []
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table":
            self.stack.append({"class": a.get("class", ""), "rows": []})
        elif tag == "tr" and self.stack:
            self.stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self.stack:
            self.cell = {"text": "", "colspan": int(a.get("colspan", 1)),
                         "rowspan": int(a.get("rowspan", 1)), "tag": tag}
        elif tag == "br" and self.cell is not None:
            self.cell["text"] += "\n"
        elif tag == "title":
            self.in_title = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.stack:
            self.stack[-1]["rows"][-1].append(self.cell)
            self.cell = None
        elif tag == "table" and self.stack:
            self.tables.append(self.stack.pop())
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell["text"] += data
        if self.in_title:
            self.title += data


def grid_place(rows):
    """each row as [(column, cell)] once rowspans from above are counted,
    and the number of columns the row covers"""
    carry = {}  # column -> rows still covered below the current one
    placed = []
    for row in rows:
        covered = {c for c, n in carry.items() if n > 0}
        col, cells = 0, []
        for cell in row:
            while col in covered:
                col += 1
            cells.append((col, cell))
            col += cell["colspan"]
        width = max([col] + [c + 1 for c in covered])
        for c in covered:
            carry[c] -= 1
        for c0, cell in cells:
            if cell["rowspan"] > 1:
                for k in range(cell["colspan"]):
                    carry[c0 + k] = cell["rowspan"] - 1
        placed.append((cells, width))
    return placed


def grid_widths(rows):
    return [w for _, w in grid_place(rows)]


def check_html(name, model, out):
    text = out.decode("utf-8")
    p = TableParser()
    try:
        p.feed(text)
        p.close()
    except Exception as e:  # noqa: BLE001
        C.ok(False, f"{name}.html parses: {e}")
        return
    C.ok(text.startswith("<!DOCTYPE html>"), f"{name}.html: doctype")
    C.ok("@page { size: A4" in text, f"{name}.html: A4 page")
    C.ok("Noto Sans CJK SC" in text and "SimSun" in text and "serif;" in text,
         f"{name}.html: Chinese font stack")
    C.ok("script" not in p.tags, f"{name}.html: no script element")
    C.ok(len(p.tables) >= 5, f"{name}.html: five tables or more ({len(p.tables)})")
    for t in p.tables:
        w = grid_widths(t["rows"])
        C.ok(len(set(w)) == 1, f"{name}.html: table {t['class']} row widths {w}")
    score = [t for t in p.tables if t["class"] == "score"]
    if not C.ok(len(score) == 1, f"{name}.html: one score table"):
        return
    rows = score[0]["rows"]
    C.ok(grid_widths(rows)[0] == 9, f"{name}.html: score table has 9 columns")
    C.ok([c["text"] for c in rows[0]] == HEAD, f"{name}.html: 报告得分 and 核定得分 columns")
    C.ok(CST in text and "T08:00:00Z" not in text, f"{name}.html: times in China Standard Time")
    rep = (model["project"].get("reported") or {}).get("total")
    if rep is not None:
        C.ok(f"报告总分 {float(rep):.2f}" in text, f"{name}.html: reported total in the header")
    wide = model["project"].get("scope") in ("department_wide", "unit_wide")
    info = [t for t in p.tables if t["class"] == "info"][0]
    heads = {c["text"] for r in info["rows"] for c in r}
    if wide:
        C.ok("部门整体支出" in text and "项目名称" not in heads and "资金性质" not in heads
             and "项目编码" not in heads, f"{name}.html: a wide report labelled as one")
    else:
        C.ok("项目名称" in heads, f"{name}.html: project labels")
    last = rows[-1]
    res = model["result"]
    C.ok(any(c["text"] == "合计" for c in last), f"{name}.html: 合计 row")
    C.ok(any(c["text"] == f"{float(res['total']):.2f}" for c in last), f"{name}.html: total shown")
    C.ok(any(("等级 " + res["grade"]) in c["text"] for c in last), f"{name}.html: grade shown")
    names, _ = expected_rows(model)
    cells = {c["text"] for r in rows for c in r}
    C.ok(all(n in cells for n in names), f"{name}.html: every indicator name in a cell")
    # merged level-1 cells: the rowspans of level-1 cells cover the indicator rows
    n_ind = len(res["indicators"])
    if n_ind:
        placed = grid_place(rows)[1:1 + n_ind]
        spans = sum(c["rowspan"] for cells, _ in placed for col, c in cells if col == 1)
        C.ok(spans == n_ind, f"{name}.html: level-1 rowspans cover the indicators ({spans}/{n_ind})")
        # each level-1 cell spans exactly the rows its label's points add up to
        weights = []  # what each row is worth: nothing when 不适用 (its score cell)
        for cells, _ in placed:
            w = [c for col, c in cells if col == 4]
            na = any(col == 7 and c["text"] == NA for col, c in cells)
            weights.append(cents(w[0]["text"]) if w and not na else 0)
        for k, (cells, _) in enumerate(placed):
            for col, c in cells:
                if col == 1 and label_points(c["text"]) is not None:
                    got = sum(weights[k:k + c["rowspan"]])
                    C.ok(label_points(c["text"]) == got,
                         f"{name}.html: {c['text']} spans rows worth {got / 100}")
        reported = []
        for cells, _ in placed:
            r6 = [c for col, c in cells if col == 6]
            reported.append(cents(r6[0]["text"]) if r6 and r6[0]["text"] else None)
        C.ok(reported == expected_reported(model)[:len(reported)],
             f"{name}.html: 报告得分 column {reported[:4]}")
    if not res.get("complete", True):
        C.ok("下限" in text, f"{name}.html: incomplete total marked as a lower bound")
    if name == "hostile":
        C.ok("<script>" not in text and "<b>bold" not in text, f"{name}.html: hostile markup escaped")
        alltext = "".join(p.text)
        want = [i["name"] for i in model["project"]["indicators"]]
        C.ok(all(w.replace("\n", "") in alltext for w in want),
             f"{name}.html: hostile names read back as text")
        goal_cells = {c["text"] for t in p.tables if t["class"] == "completion"
                      for r in t["rows"] for c in r}
        C.ok(all(w in goal_cells for w in want), f"{name}.html: hostile names exact in cells")
        C.ok(model["project"]["name"].replace("\n", "") in p.title.replace("\n", ""),
             f"{name}.html: hostile title escaped")


# ---- markdown --------------------------------------------------------------------------

def md_cells(line):
    cells, cur, i = [], "", 0
    body = line.strip()
    assert body.startswith("|") and body.endswith("|")
    body = body[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cur += body[i:i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur)
    return [c.strip() for c in cells]


def md_unescape(s):
    s = re.sub(r"\\(.)", r"\1", s.replace("<br>", "\n"))
    return html.unescape(s)


def check_md(name, model, out):
    text = out.decode("utf-8")
    lines = text.split("\n")
    tables, cur = [], []
    for ln in lines:
        if ln.startswith("|"):
            cur.append(ln)
        elif cur:
            tables.append(cur)
            cur = []
    if cur:
        tables.append(cur)
    C.ok(len(tables) >= 5, f"{name}.md: five tables or more ({len(tables)})")
    for t in tables:
        counts = [len(md_cells(ln)) for ln in t]
        C.ok(len(set(counts)) == 1, f"{name}.md: table '{t[0][:40]}' column counts {counts}")
        C.ok(re.fullmatch(r"\|( :?---:? \|)+", t[1]) is not None, f"{name}.md: delimiter row")
    score = [t for t in tables if md_cells(t[0])[:4] == ["序号", "一级指标", "二级指标", "三级指标"]
             and "核定得分" in md_cells(t[0])]
    if not C.ok(len(score) == 1, f"{name}.md: one score table"):
        return
    last = md_cells(score[0][-1])
    res = model["result"]
    C.ok(md_cells(score[0][0]) == HEAD, f"{name}.md: 报告得分 and 核定得分 columns")
    C.ok(last[1] == "**合计**" and last[7] == f"**{float(res['total']):.2f}**",
         f"{name}.md: total row {last}")
    C.ok(("等级 " + res["grade"]) in last[5], f"{name}.md: grade")
    names, scores = expected_rows(model)
    body = [md_cells(ln) for ln in score[0][2:-1]]
    C.ok([md_unescape(r[3]) if r[3] else md_unescape(r[1]) for r in body] == names,
         f"{name}.md: row names")
    C.ok([score_of(r[7]) for r in body] == scores, f"{name}.md: row scores")
    C.ok(CST in text, f"{name}.md: time in CST")
    if name == "hostile":
        C.ok("<script>" not in text and "<b>" not in text, f"{name}.md: no live HTML")
        goal = [t for t in tables if "年度指标值" in md_cells(t[0])][0]
        got = [md_unescape(md_cells(ln)[3]) for ln in goal[2:]]
        C.ok(got == [i["name"] for i in model["project"]["indicators"]],
             f"{name}.md: hostile names unescape back")


# ---- csv -------------------------------------------------------------------------------

def csv_expect(s):
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def check_csv(name, model, out):
    C.ok(out.startswith(b"\xef\xbb\xbf"), f"{name}.csv: UTF-8 BOM")
    text = out[3:].decode("utf-8")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        C.ok(False, f"{name}.csv parses: {e}")
        return
    C.ok(text.endswith("\r\n") and text.count("\r\n") == len(rows),
         f"{name}.csv: CRLF line ends, one a row")
    C.ok(rows[0] == HEAD, f"{name}.csv: header")
    C.ok(all(len(r) == 9 for r in rows), f"{name}.csv: nine fields in every row")
    names, scores = expected_rows(model)
    body = rows[1:-1]
    got = [r[1] if r[1] == "预算执行率" and not r[3] else r[3] for r in body]
    C.ok(got == [csv_expect(n) if n != "预算执行率" else n for n in names],
         f"{name}.csv: names round-trip")
    C.ok([score_of(r[7]) for r in body] == scores, f"{name}.csv: scores round-trip")
    n_ind = len(model["result"]["indicators"])
    C.ok([cents(r[6]) if r[6] else None for r in body[:n_ind]] == expected_reported(model),
         f"{name}.csv: reported scores")
    C.ok(all(re.fullmatch(r"-?\d+\.\d\d", r[k]) for r in rows[1:] for k in (4, 7, 8)
             if not (k > 4 and r[7] == NA)),
         f"{name}.csv: scores with two decimals")
    last = rows[-1]
    C.ok(last[1] == "合计" and cents(last[7]) == cents(model["result"]["total"]) and
         sum(x for x, o in zip(scores, outside_total(model)) if x != NA and not o)
         == cents(last[7]), f"{name}.csv: total row sums")
    C.ok(model["result"]["grade"] in last[5], f"{name}.csv: grade in the total row")


# ---- xlsx ------------------------------------------------------------------------------

def check_xlsx_bytes(name, model, out, path):
    C.ok(out[:2] == b"PK", f"{name}.xlsx: a zip container")
    with open(path, "wb") as f:
        f.write(out)
    try:
        import openpyxl  # noqa: PLC0415
    except ImportError:
        return
    try:
        wb = openpyxl.load_workbook(path)
    except Exception as e:  # noqa: BLE001
        C.ok(False, f"{name}.xlsx opens in openpyxl: {e}")
        return
    C.ok(wb.sheetnames[:3] == ["评分情况表", "发现的问题", "绩效目标完成清单"],
         f"{name}.xlsx: sheets {wb.sheetnames}")
    ws = wb["评分情况表"]
    C.ok([ws.cell(3, k).value for k in range(1, 10)] == HEAD, f"{name}.xlsx: header row")
    C.ok(CST in (ws.cell(2, 1).value or ""), f"{name}.xlsx: time in CST")
    C.ok(ws.cell(3, 1).font.b and ws.cell(3, 1).fill.fgColor.rgb not in (None, "00000000"),
         f"{name}.xlsx: header row styled")
    names, scores = expected_rows(model)
    n = len(names)
    got = [ws.cell(4 + k, 4).value or ws.cell(4 + k, 2).value for k in range(n)]
    C.ok(got == names, f"{name}.xlsx: names {got[:3]}...")
    C.ok([score_of(ws.cell(4 + k, 8).value) for k in range(n)] == scores, f"{name}.xlsx: scores")
    C.ok(all(ws.cell(4 + k, 8).number_format == "0.00" for k in range(n + 1)
             if ws.cell(4 + k, 8).value != NA),
         f"{name}.xlsx: score format 0.00")
    C.ok(ws.cell(4 + n, 2).value == "合计" and
         cents(ws.cell(4 + n, 8).value) == cents(model["result"]["total"]),
         f"{name}.xlsx: total row")
    n_ind = len(model["result"]["indicators"])
    got_rep = [ws.cell(4 + k, 7).value for k in range(n_ind)]
    C.ok([cents(v) if isinstance(v, (int, float)) else None for v in got_rep] ==
         expected_reported(model), f"{name}.xlsx: 报告得分 column")
    merged = [str(r) for r in ws.merged_cells.ranges]
    # every level-1 cell (merged or not) claims exactly its rows' points
    for k in range(n_ind):
        label = ws.cell(4 + k, 2).value
        if label_points(label) is None:
            continue
        span = 1
        for rng in ws.merged_cells.ranges:
            if rng.min_col == 2 and rng.max_col == 2 and rng.min_row == 4 + k:
                span = rng.max_row - rng.min_row + 1
        w = sum(cents(ws.cell(4 + j, 5).value) for j in range(k, k + span)
                if ws.cell(4 + j, 8).value != NA)
        C.ok(label_points(label) == w, f"{name}.xlsx: {label} spans rows worth {w / 100}")
    n_ind = len(model["result"]["indicators"])
    l1 = {ind["level1"] for ind in model["result"]["indicators"]}
    if n_ind > len(l1):
        C.ok(any(re.fullmatch(r"B(\d+):B(\d+)", m) for m in merged),
             f"{name}.xlsx: merged level-1 cells {merged}")
    money = [ws.cell(r, 5) for r in range(1, ws.max_row + 1)
             if ws.cell(r, 5).number_format == "#,##0.00"]
    if any(isinstance(v, (str, int, float)) for v in (model["project"]["budget"] or {}).values()):
        C.ok(len(money) > 0, f"{name}.xlsx: money cells with #,##0.00")
    C.ok(ws.column_dimensions["F"].width and ws.column_dimensions["F"].width > 30,
         f"{name}.xlsx: column widths")
    fs = wb["发现的问题"]
    codes = [fs.cell(r, 3).value for r in range(4, fs.max_row + 1)]
    want = [f["code"] for f in model["result"].get("findings", [])]
    C.ok(codes == want or (not want and codes in ([], [None])), f"{name}.xlsx: findings sheet")
    check_xlsx_application(name, model, wb)
    if name == "hostile":
        gs = wb["绩效目标完成清单"]
        got = [gs.cell(6 + k, 4).value for k in range(len(model["project"]["indicators"]))]
        C.ok(got == [i["name"] for i in model["project"]["indicators"]],
             f"{name}.xlsx: hostile names exact")


COLOR_LABEL = {"green": "绿", "yellow": "黄", "red": "红"}
COLOR_FILL = {"green": "FF00B050", "yellow": "FFFFFF00", "red": "FFFF0000"}
STATUS_LABEL = {"open": "待整改", "in_progress": "整改中", "done": "已完成待验收",
                "verified": "已验收", "reopened": "退回重改"}


def check_xlsx_application(name, model, wb):
    """the 结果应用 sheet (issue 20): colours as 绿/黄/红 on that fill, the 整改
    items as text (formulas too), the advice; no sheet without an application"""
    if "application" not in model:
        C.ok("结果应用" not in wb.sheetnames, f"{name}.xlsx: no 结果应用 sheet without one")
        return
    if not C.ok("结果应用" in wb.sheetnames, f"{name}.xlsx: a 结果应用 sheet {wb.sheetnames}"):
        return
    ws, app = wb["结果应用"], model["application"]
    col_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]

    def body(head, first):  # the rows under a header row whose A cell is `head`
        if not C.ok(head in col_a, f"{name}.xlsx: 结果应用 header {head}"):
            return []
        r = col_a.index(head) + 2
        C.ok(ws.cell(r - 1, 1).font.b and ws.cell(r - 1, first).value is not None,
             f"{name}.xlsx: 结果应用 header {head} styled")
        out = []
        while r <= ws.max_row and ws.cell(r, 1).value not in (None, ""):
            out.append(r)
            r += 1
        return out

    mon = body("报告期", 6)
    C.ok([ws.cell(r, 1).value for r in mon] == [m["period"] for m in app["monitoring"]],
         f"{name}.xlsx: monitoring periods")
    C.ok([ws.cell(r, 5).value for r in mon] ==
         [COLOR_LABEL.get(m["color"], "无") for m in app["monitoring"]],
         f"{name}.xlsx: monitoring colours as 绿/黄/红")
    fills = [ws.cell(r, 5).fill.fgColor.rgb if ws.cell(r, 5).fill.fill_type == "solid" else None
             for r in mon]
    C.ok(fills == [COLOR_FILL.get(m["color"]) for m in app["monitoring"]],
         f"{name}.xlsx: monitoring cells filled with their colour {fills}")
    for r, m in zip(mon, app["monitoring"]):
        v = ws.cell(r, 2).value
        C.ok(v == float(m["time_progress"]) and ws.cell(r, 2).number_format == "0.00%",
             f"{name}.xlsx: time progress {m['time_progress']} as a percentage ({v})")
        C.ok(ws.cell(r, 6).value == m["lagging"], f"{name}.xlsx: lagging indicators")
    rect = body("序号", 5)
    want = app["rectifications"]
    got = [ws.cell(r, 2) for r in rect]
    C.ok([c.value for c in got] == [x["description"].replace("\n", " ") for x in want] and
         all(c.data_type == "s" for c in got), f"{name}.xlsx: 整改 items as text")
    C.ok([ws.cell(r, 5).value for r in rect] == [STATUS_LABEL[x["status"]] for x in want],
         f"{name}.xlsx: 整改 status in Chinese")
    C.ok([ws.cell(r, 6).value for r in rect] == [x["deadline"] for x in want] and
         all(ws.cell(r, 6).data_type == "s" for r in rect), f"{name}.xlsx: 整改 deadlines as text")
    C.ok([ws.cell(r, 7).value for r in rect] == ["是" if x["overdue"] else "否" for x in want] and
         all(ws.cell(r, 7).font.color is not None and ws.cell(r, 7).font.color.rgb == "FFFF0000"
             for r, x in zip(rect, want) if x["overdue"]), f"{name}.xlsx: overdue marked in red")
    opened = sum(x["status"] != "verified" for x in want)
    C.ok(f"未验收 {opened} 项，共 {len(want)} 项。" in col_a, f"{name}.xlsx: open 整改 count")
    adv = app["advice"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
    C.ok(rows.get("等级") == adv["grade"] and rows.get("建议") == (adv["advice"] or "无") and
         rows.get("财政部门决定") == (adv["decision"] or "尚未确定"), f"{name}.xlsx: budget advice")
    C.ok(not any(isinstance(c.value, str) and c.data_type == "f"
                 for row in ws.iter_rows() for c in row), f"{name}.xlsx: no formulas")


def libreoffice_check(files, work):
    lo = shutil.which("libreoffice") or shutil.which("soffice")
    if not lo:
        print("skip: LibreOffice not installed, XLSX not opened (apt-get install "
              "libreoffice-calc-nogui)")
        return
    outdir = os.path.join(work, "lo")
    os.makedirs(outdir, exist_ok=True)
    profile = "file://" + os.path.join(work, "lo-profile")
    # 44 comma, 34 quote, 76 UTF-8, 1 first line; as shown; -1 every sheet to its own file
    flt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    p = subprocess.run([lo, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                        flt, "--outdir", outdir] + [f for _, _, f in files],
                       capture_output=True, timeout=600)
    C.ok(p.returncode == 0, f"libreoffice exit {p.returncode}: {p.stderr[-300:]!r}")
    for name, model, path in files:
        base = os.path.splitext(os.path.basename(path))[0]
        sheet = os.path.join(outdir, f"{base}-评分情况表.csv")
        if not C.ok(os.path.exists(sheet), f"{name}.xlsx: LibreOffice converted the score sheet"):
            continue
        rows = list(csv.reader(open(sheet, encoding="utf-8", newline="")))
        cells = [c for r in rows for c in r]
        names, scores = expected_rows(model)
        C.ok(all(n in cells for n in names), f"{name}.xlsx via LibreOffice: indicator names")
        total = [r for r in rows if len(r) > 7 and r[1] == "合计"]
        C.ok(len(total) == 1 and total[0][7] == f"{float(model['result']['total']):.2f}",
             f"{name}.xlsx via LibreOffice: total {total}")
        C.ok(len(total) == 1 and ("等级 " + model["result"]["grade"]) in total[0][5],
             f"{name}.xlsx via LibreOffice: grade")
        sc = [r[7] for r in rows[3:3 + len(scores)]]
        C.ok(sc == [s if s == NA else f"{s / 100:.2f}" for s in scores],
             f"{name}.xlsx via LibreOffice: scores {sc}")
        fnd = os.path.join(outdir, f"{base}-发现的问题.csv")
        if C.ok(os.path.exists(fnd), f"{name}.xlsx: LibreOffice converted the findings sheet"):
            text = open(fnd, encoding="utf-8").read()
            C.ok(all(f["code"] in text for f in model["result"].get("findings", [])),
                 f"{name}.xlsx via LibreOffice: finding codes")
        goals = os.path.join(outdir, f"{base}-绩效目标完成清单.csv")
        C.ok(os.path.exists(goals), f"{name}.xlsx: LibreOffice converted the completion sheet")
        if "application" in model:  # the formula-like texts come back as written
            app = os.path.join(outdir, f"{base}-结果应用.csv")
            if C.ok(os.path.exists(app), f"{name}.xlsx: LibreOffice converted the 结果应用 sheet"):
                cells = [c for r in csv.reader(open(app, encoding="utf-8", newline="")) for c in r]
                want = [x["description"].replace("\n", " ")
                        for x in model["application"]["rectifications"]]
                want += [x["deadline"] for x in model["application"]["rectifications"]]
                want.append(model["application"]["advice"]["advice"])
                C.ok(all(w in cells for w in want),
                     f"{name}.xlsx via LibreOffice: 结果应用 texts as written, not evaluated")


# ---- pdf --------------------------------------------------------------------------------

def png_ink(path, top_frac=0.08, bottom_frac=0.93):
    """dark pixels of an 8-bit RGB(A)/grey PNG (pdftoppm's) between two heights,
    decoded with zlib alone (no imaging library needed)"""
    import struct  # noqa: PLC0415
    import zlib  # noqa: PLC0415
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (0, 2, 6), f"PNG type {depth}/{ctype}"
            bpp = {0: 1, 2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    ink = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        prev = line
        if top_frac * height <= y <= bottom_frac * height:
            ink += sum(1 for i in range(0, stride, bpp) if line[i] < 128)
    return ink


def pdf_tools():
    return all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts"))


def check_pdf(name, model, out, work):
    C.ok(out.startswith(b"%PDF-") and out.rstrip().endswith(b"%%EOF"), f"{name}.pdf: PDF magic")
    if not pdf_tools():
        print("skip: poppler-utils not installed, PDF not read (apt-get install poppler-utils)")
        return
    path = os.path.join(work, f"{name}.pdf")
    with open(path, "wb") as f:
        f.write(out)
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, timeout=60)
    pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    if not C.ok(info.returncode == 0 and pages, f"{name}.pdf: pdfinfo {info.stderr[-300:]}"):
        return
    pages = int(pages.group(1))
    C.ok("595.276 x 841.89" in info.stdout, f"{name}.pdf: A4 portrait pages")
    C.ok(4 <= pages <= 500, f"{name}.pdf: {pages} pages")
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, timeout=60).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    C.ok(rows and all("NotoSansCJK" in r[0] and r[-5] == "yes" and r[-4] == "yes" for r in rows),
         f"{name}.pdf: Noto Sans CJK embedded as a subset, no other font: {fonts}")
    p = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, timeout=120)
    if not C.ok(p.returncode == 0, f"{name}.pdf: pdftotext exit {p.returncode}"):
        return
    text = p.stdout.decode("utf-8", "replace")
    flat = re.sub(r"\s+", "", text)
    res = model["result"]
    proj = re.sub(r"\s+", "", model["project"]["name"])
    C.ok(proj in flat, f"{name}.pdf: project name in the text")
    C.ok(f"评价得分{float(res['total']):.2f}等级{res['grade']}" in flat,
         f"{name}.pdf: total and grade in the header")
    C.ok(f"第1页/共{pages}页" in flat and f"第{pages}页/共{pages}页" in flat,
         f"{name}.pdf: page numbers 第 n 页 / 共 {pages} 页")
    for h in ("项目基本情况", "绩效目标完成清单", "问题清单", "一致性审核发现的问题", "报告得分", "核定得分"):
        C.ok(h in flat, f"{name}.pdf: {h}")
    # the score table: each row's 核定得分 and 扣分 side by side, in order, after its heading
    at = text.find("附件3")
    inds = model["project"]["indicators"]
    pos, missing = max(at, 0), []
    for r in res["indicators"] + [None, "total"]:
        if r is None:
            ex = res.get("execution") or {}
            if cents(ex.get("weight", 0)) <= 0:
                continue
            sc, de, rep = cents(ex["score"]), cents(ex["weight"]) - cents(ex["score"]), None
        elif r == "total":
            sc, de, rep = cents(res["total"]), cents(res["max"]) - cents(res["total"]), None
        elif r.get("not_applicable"):
            sc = de = None
        else:
            sc, de = cents(r["score"]), cents(r["weight"]) - cents(r["score"])
            i = r.get("index")
            ok = isinstance(i, int) and 0 <= i < len(inds) and isinstance(inds[i], dict)
            rep = inds[i].get("reported_score") if ok else None
            rep = rep if isinstance(rep, (int, float)) and not isinstance(rep, bool) else None
        if sc is None:  # 不适用: no score, no deduction
            pat = NA + r"\s+—"
        else:
            pat = rf"(?<![\d.]){sc / 100:.2f}\s+{de / 100:.2f}(?![\d.])"
        if sc is not None and rep is not None:
            pat = rf"(?<![\d.]){float(rep):.2f}\s+" + pat[len(r"(?<![\d.])"):]
        m = re.compile(pat).search(text, pos)
        if m:
            pos = m.end()
        else:
            missing.append(pat)
    C.ok(at >= 0 and not missing,
         f"{name}.pdf: score rows (报告得分) 核定得分 扣分 in order; missing {missing[:3]}")
    # the 合计 row's text in reading order: -layout interleaves a wrapped cell
    # with the columns beside it ("等" ... "87.33 2.67" ... "级优")
    raw = subprocess.run(["pdftotext", path, "-"], capture_output=True, timeout=120).stdout
    raw = re.sub(r"\s+", "", raw.decode("utf-8", "replace"))
    # (or with the weight cell's "90.00" between the two halves of a wrapped line)
    C.ok("合计" in text[at:] and re.search("等级[0-9.]*" + re.escape(res["grade"]),
                                        raw[max(raw.find("附件3"), 0):]) is not None,
         f"{name}.pdf: 合计 row with the grade")
    # 结果应用 (issue 20) after the findings: periods, colours, 整改 items, advice
    if "application" in model:
        app = model["application"]
        at_app = flat.find("结果应用")
        C.ok(at_app > flat.find("一致性审核发现的问题") >= 0, f"{name}.pdf: 结果应用 after the findings")
        tail = flat[at_app:]
        want = [m["period"] for m in app["monitoring"]]
        want += [COLOR_LABEL.get(m["color"], "无") for m in app["monitoring"]]
        want += [re.sub(r"\s+", "", x["description"]) for x in app["rectifications"]]
        want += [STATUS_LABEL[x["status"]] for x in app["rectifications"]]
        want += ["双监控预警", "整改情况", "预算安排建议", re.sub(r"\s+", "", app["advice"]["advice"]),
                 app["advice"]["decision"] or "尚未确定"]
        missing = [w for w in want if w not in tail]
        C.ok(at_app >= 0 and not missing, f"{name}.pdf: 结果应用 section; missing {missing}")
    else:
        C.ok("结果应用" not in flat, f"{name}.pdf: no 结果应用 without an application")
    # it renders: the first, a middle and the last page have ink in the body
    for pg in sorted({1, (pages + 1) // 2, pages}):
        stem = os.path.join(work, f"{name}-page")
        r = subprocess.run(["pdftoppm", "-r", "50", "-png", "-gray", "-f", str(pg), "-l", str(pg),
                            path, stem], capture_output=True, timeout=120)
        pngs = sorted(glob.glob(stem + "-*.png"))
        if not C.ok(r.returncode == 0 and len(pngs) == 1,
                    f"{name}.pdf: pdftoppm page {pg} exit {r.returncode} {r.stderr[-200:]!r}"):
            continue
        try:
            ink = png_ink(pngs[0])
        except Exception as e:  # noqa: BLE001
            ink = -1
            print(f"{name}.pdf page {pg}: {e}")
        C.ok(ink > 300, f"{name}.pdf: page {pg} renders with text ({ink} dark pixels)")
        os.remove(pngs[0])


def check_pdf_bounds(report_bin, model, env):
    """a report beyond 500 pages is refused with a message, not drawn"""
    m = copy.deepcopy(model)
    inds = m["result"]["indicators"]
    m["result"]["indicators"] = inds * (16000 // max(1, len(inds)))
    p = render(report_bin, m, "pdf", env)
    err = p.stderr.decode("utf-8", "replace")
    C.ok(p.returncode == 3 and p.stdout == b"" and "超过 500 页" in err and "(" in err and
         "Sanitizer" not in err, f"pdf over 500 pages refused: exit {p.returncode} {err[-600:]!r}")


def check_pdf_no_home(report_bin, model, env, work):
    """fonts are found with HOME unset and no writable fontconfig cache: a
    fonts.conf whose only cache directory cannot be written is not even read"""
    conf = os.path.join(work, "fonts-unwritable.conf")
    with open(conf, "w") as f:
        f.write('<?xml version="1.0"?>\n<fontconfig><dir>/usr/share/fonts</dir>'
                "<cachedir>/proc/jixiao-no-cache</cachedir></fontconfig>\n")
    bare = {k: v for k, v in env.items() if k not in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
    bare["FONTCONFIG_FILE"] = conf
    p = render(report_bin, model, "pdf", bare)
    err = p.stderr.decode("utf-8", "replace")
    C.ok(p.returncode == 0 and p.stdout.startswith(b"%PDF-") and err == "",
         f"pdf with HOME unset and an unwritable font cache: exit {p.returncode} {err[-600:]!r}")


# ---- error paths -----------------------------------------------------------------------

def check_errors(report_bin, model, env):
    bad = [
        ("not an object", b"[1,2]", "json", 1),
        ("not JSON", b"{\"project\":", "json", 1),
        ("no result", json.dumps({"project": {}}).encode(), "html", 1),
        ("total not a number", None, "csv", 1),
        ("indicators not an array", None, "md", 1),
        ("weight missing", None, "xlsx", 1),
        ("unknown format", json.dumps(model).encode(), "docx", 2),
    ]
    m1 = copy.deepcopy(model)
    m1["result"]["total"] = "abc"
    m2 = copy.deepcopy(model)
    m2["result"]["indicators"] = {"a": 1}
    m3 = copy.deepcopy(model)
    if m3["result"]["indicators"]:
        del m3["result"]["indicators"][0]["weight"]
    else:
        m3["result"]["max"] = None
    bad[3] = (bad[3][0], json.dumps(m1).encode(), bad[3][2], 1)
    bad[4] = (bad[4][0], json.dumps(m2).encode(), bad[4][2], 1)
    bad[5] = (bad[5][0], json.dumps(m3).encode(), bad[5][2], 1)
    for what, data, fmt, code in bad:
        p = render(report_bin, data, fmt, env)
        err = p.stderr.decode("utf-8", "replace")
        C.ok(p.returncode == code and p.stdout == b"",
             f"error '{what}': exit {p.returncode} (want {code})")
        C.ok(re.search(r"[\u4e00-\u9fff]", err) and "(" in err and "ERROR: " not in err and
             "runtime error" not in err, f"error '{what}': Chinese then English message: {err!r}")


# ---- mutated models ------------------------------------------------------------------

ODD_VALUES = [None, 0, -1, 1e308, -1e308, 2 ** 62, -(2 ** 62), "", "x" * 3, "nan", "inf",
              "12.5万元", "9999999999999999999万元", [], {}, True, False, [1, "a", None],
              {"a": [1]}, -5.5, 0.005, "\u0000\u0001\u001f\u2028", "<x>|,\"\n"]


def paths(v, prefix=()):
    yield prefix
    if isinstance(v, dict):
        for k, x in v.items():
            yield from paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from paths(x, prefix + (i,))


def mutate(model, rng):
    m = copy.deepcopy(model)
    all_paths = [p for p in paths(m) if p]
    for _ in range(rng.randint(1, 3)):
        p = rng.choice(all_paths)
        node = m
        try:
            for k in p[:-1]:
                node = node[k]
            # a copy: a later mutation may reach into what this one put
            # there, and must not change ODD_VALUES (or make it hold itself)
            node[p[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        except (KeyError, IndexError, TypeError):
            pass
    return m


def check_mutants(report_bin, models, env, count):
    """mutated models render (exit 0) or are refused (exit 1 with a message); never a crash"""
    import random  # noqa: PLC0415
    rng = random.Random(20240501)
    bad = 0
    for n in range(count):
        name, model = models[n % len(models)]
        m = mutate(model, rng)
        fmt = FORMATS[n % len(FORMATS)]
        p = render(report_bin, m, fmt, env)
        err = p.stderr.decode("utf-8", "replace")
        fine = (p.returncode == 0 and p.stdout) or (p.returncode == 1 and "(" in err)
        fine = fine and "Sanitizer" not in err and "runtime error" not in err
        if not fine:
            bad += 1
            print(f"FAIL: mutant {n} of {name} as {fmt}: exit {p.returncode} {err[-1500:]}")
            with open(os.path.join(os.path.dirname(env["TMPDIR"]), f"mutant-{n}.json"), "w") as f:
                json.dump(m, f, ensure_ascii=False)
    C.ok(bad == 0, f"{count} mutated models: {bad} crashed or answered badly")


# ---- main ------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", required=True)
    ap.add_argument("--score", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--no-xlsx-open", action="store_true")
    ap.add_argument("--mutants", type=int, default=150, help="randomly mutated models to render")
    ap.add_argument("--sanitized", action="store_true",
                    help="the binary is built with ASan/UBSan: any report on stderr fails")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    env = dict(os.environ)
    tmp = os.path.join(a.work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    env["TMPDIR"] = tmp
    models = build_models(a.score, a.shared)
    C.ok(len(models) >= 5, f"models built: {len(models)}")
    xlsx_files = []
    checkers = {"json": check_json, "html": check_html, "md": check_md, "csv": check_csv}
    for name, model in models:
        with open(os.path.join(a.work, f"{name}.model.json"), "w", encoding="utf-8") as f:
            json.dump(model, f, ensure_ascii=False, indent=1)
        for fmt in FORMATS:
            p = render(a.report, model, fmt, env)
            err = p.stderr.decode("utf-8", "replace")
            if not C.ok(p.returncode == 0 and p.stdout, f"{name}.{fmt}: exit {p.returncode} {err[-800:]}"):
                continue
            if a.sanitized:
                C.ok(err == "", f"{name}.{fmt}: sanitizer quiet: {err[-1500:]}")
            with open(os.path.join(a.work, f"{name}.{fmt}"), "wb") as f:
                f.write(p.stdout)
            if fmt == "pdf":
                try:
                    check_pdf(name, model, p.stdout, a.work)
                except Exception as e:  # noqa: BLE001
                    C.ok(False, f"{name}.pdf: checker raised {type(e).__name__}: {e}")
            elif fmt == "xlsx":
                path = os.path.join(a.work, f"{name}.xlsx")
                check_xlsx_bytes(name, model, p.stdout, path)
                xlsx_files.append((name, model, path))
            else:
                try:
                    checkers[fmt](name, model, p.stdout)
                except Exception as e:  # noqa: BLE001
                    C.ok(False, f"{name}.{fmt}: checker raised {type(e).__name__}: {e}")
    C.ok(os.listdir(tmp) == [], f"xlsx temporary files removed: {os.listdir(tmp)}")
    check_errors(a.report, models[0][1], env)
    check_pdf_bounds(a.report, models[0][1], env)
    check_pdf_no_home(a.report, models[0][1], env, a.work)
    small = [(n, m) for n, m in models if n != "long-text"]
    check_mutants(a.report, small, env, a.mutants)
    C.ok(os.listdir(tmp) == [], f"no temporary files left after the mutants: {os.listdir(tmp)}")
    if not a.no_xlsx_open:
        libreoffice_check(xlsx_files, a.work)
    label = f"{a.label}: " if a.label else ""
    print(f"{label}{C.passed} passed, {C.failed} failed")
    return 1 if C.failed else 0


if __name__ == "__main__":
    sys.exit(main())
