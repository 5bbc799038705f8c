"""Makes 自评表 files (.xlsx with openpyxl, .docx with python-docx) from
scoring documents (scoring.md §7), in the layout of 财预〔2020〕10号, with the
variations reports show: synonyms in the headers, full-width digits, blank
rows, level cells merged or left blank, no 分值 column, 评分标准 text, a
caption before the table, several tables per file, a table that is not a
自评表.  The tests read them back with jixiao-score and the server.

project(doc) -> the part of the document a 自评表 can hold (what the reader
must give back: no cuts, breakdown, figures), so tests compare like with like.
"""
import copy
import re

FW = str.maketrans("0123456789.", "０１２３４５６７８９．")

HEADERS = {
    "plain": ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
              "分值", "得分", "偏差原因分析及改进措施"],
    "synonyms": ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值（A）",
                 "实际完成情况（B）", "权重", "自评得分", "未完成原因分析"],
}


def yuan_to_wan(text):
    """'90万元' -> '90'; anything else as written (the header says 万元)."""
    if text is None:
        return None
    m = re.fullmatch(r"([0-9.]+)万元", str(text))
    return m.group(1) if m else str(text)


def in_wan(doc):
    """Amounts of the table in 万元 when the document writes them so, else in 元."""
    b = doc.get("budget") or {}
    vals = [b[k] for k in ("initial", "adjusted", "executed") if b.get(k)]
    return all(str(v).endswith("万元") for v in vals)


def project(doc, weights=True, rules=None):
    """What a 自评表 of doc holds, as the reader must give it back."""
    out = {"scope": "project", "framework": doc.get("framework", "project-2020"),
           "name": doc["name"]}
    if doc.get("org"):
        out["org"] = doc["org"]
    if doc.get("year"):
        out["year"] = doc["year"]
    b = doc.get("budget") or {}
    wan = in_wan(doc)
    budget = {k: b[k] if wan else b[k] + "元" for k in ("initial", "adjusted", "executed")
              if b.get(k) is not None}
    if b.get("reported_execution_rate"):
        budget["reported_execution_rate"] = b["reported_execution_rate"]
    if budget:
        out["budget"] = budget
    inds = []
    for i, ind in enumerate(doc["indicators"]):
        n = {k: ind[k] for k in ("level1", "level2", "name", "weight", "target", "actual",
                                 "reported_score", "deviation_reason")
             if ind.get(k) not in (None, "")}
        if not weights:
            n.pop("weight", None)
        if rules and rules[i]:
            n["rule"] = rules[i]
        inds.append(n)
    out["indicators"] = inds
    rep = doc.get("reported") or {}
    if rep.get("total") is not None:
        out["reported"] = {"total": rep["total"]}
    return out


def num(v, fullwidth=False):
    if v is None:
        return ""
    s = ("%.2f" % v).rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
    return s.translate(FW) if fullwidth else s


def rows_of(doc, style="plain", weights=True, rules=None, fullwidth=False, blank_rows=False,
            merge_levels=True, title="项目支出绩效自评表"):
    """The table as rows of cell texts (9 or 10 columns) and merges
    [(r0, c0, r1, c1)], 0-based inclusive."""
    head = list(HEADERS[style])
    if not weights:
        head.pop(6)
    if rules is not None:
        head.insert(len(head) - 1, "评分标准")
    ncol = len(head)
    rows, merges = [], []

    def row(*cells):
        r = list(cells) + [""] * (ncol - len(cells))
        rows.append(r[:ncol])
        return len(rows) - 1

    r = row(title)
    merges.append((r, 0, r, ncol - 1))
    r = row("（%s年度）" % doc["year"] if doc.get("year") else "（    年度）")
    merges.append((r, 0, r, ncol - 1))
    r = row("项目名称", doc["name"])
    merges.append((r, 1, r, ncol - 1))
    r = row("主管部门", doc.get("org", ""), "", "", "实施单位", doc.get("org", ""))
    merges.append((r, 1, r, 3))
    merges.append((r, 5, r, ncol - 1))
    b = doc.get("budget") or {}
    amounts_in_wan = in_wan(doc)
    unit = "项目资金（万元）" if amounts_in_wan else "项目资金（元）"
    conv = yuan_to_wan if amounts_in_wan else (lambda x: x)
    r = row(unit, "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    r2 = row("", "年度资金总额", conv(b.get("initial")) or "", conv(b.get("adjusted")) or "",
             conv(b.get("executed")) or "", "10", b.get("reported_execution_rate") or "", "")
    merges.append((r, 0, r2, 0))
    r = row("年度总体目标", "预期目标", "", "", "", "实际完成情况")
    r2 = row("", "完成年度工作任务", "", "", "", "已完成")
    merges += [(r, 0, r2, 0), (r, 1, r, 4), (r, 5, r, ncol - 1), (r2, 1, r2, 4),
               (r2, 5, r2, ncol - 1)]
    hr = row(*head)
    first = len(rows)
    prev1 = prev2 = None
    start1 = start2 = None
    for i, ind in enumerate(doc["indicators"]):
        if blank_rows and i == 2:
            row()
            start1 = start2 = None  # a blank row ends the merges
            prev1 = prev2 = None
        cells = ["", ind.get("level1", ""), ind.get("level2", ""), ind.get("name", ""),
                 ind.get("target", "") or "", ind.get("actual", "") or ""]
        if weights:
            cells.append(num(ind.get("weight"), fullwidth))
        cells.append(num(ind.get("reported_score"), fullwidth))
        if rules is not None:
            cells.append(rules[i] or "")
        cells.append(ind.get("deviation_reason", "") or "")
        rr = len(rows)
        if merge_levels:
            for col, key in ((1, "level1"), (2, "level2")):
                if col == 1:
                    same = prev1 == cells[1] and start1 is not None
                else:
                    same = prev2 == (cells[1], cells[2]) and start2 is not None
                if same:
                    s = start1 if col == 1 else start2
                    merges[:] = [m for m in merges if not (m[0] == s and m[1] == col)]
                    merges.append((s, col, rr, col))
                    cells[col] = ""
                else:
                    if col == 1:
                        start1 = rr
                    else:
                        start2 = rr
            prev1, prev2 = ind.get("level1", ""), (ind.get("level1", ""), ind.get("level2", ""))
        else:
            # blank level cells below the first, as reports also do
            if prev1 == cells[1]:
                cells[1] = ""
                if prev2 == cells[2]:
                    cells[2] = ""
            else:
                prev1 = cells[1]
            prev2 = ind.get("level2", "")
        row(*cells)
    if len(rows) > first:
        merges.append((hr, 0, len(rows) - 1, 0))
    total = (doc.get("reported") or {}).get("total")
    wcol = 6
    r = row(*(["总分"] + [""] * (wcol - 1) + ([num(100)] if weights else []) +
              [num(total, fullwidth) if total is not None else ""]))
    merges.append((r, 0, r, wcol - 1 if weights else wcol - 2))
    return rows, merges


def write_xlsx(path, sheets):
    """sheets: [(name, rows, merges)]"""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append([c if c != "" else None for c in r])
        for (r0, c0, r1, c1) in merges:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1,
                               end_column=c1 + 1)
    wb.save(path)


def write_docx(path, tables):
    """tables: [(caption or None, rows, merges)]; paragraphs between them."""
    import docx
    d = docx.Document()
    d.add_paragraph("项目支出绩效自评报告")
    for caption, rows, merges in tables:
        if caption:
            d.add_paragraph(caption)
        ncol = max(len(r) for r in rows)
        t = d.add_table(rows=len(rows), cols=ncol)
        for i, r in enumerate(rows):
            for j, c in enumerate(r):
                if c != "":
                    t.cell(i, j).text = str(c)
        for (r0, c0, r1, c1) in merges:
            if (r0, c0) != (r1, c1):
                keep = t.cell(r0, c0).text
                m = t.cell(r0, c0).merge(t.cell(r1, c1))
                m.text = keep
        d.add_paragraph("")
    d.save(path)


def other_table():
    """A table that is not a 自评表 (the 问题清单 of seed 000)."""
    rows = [["问题类型", "序号", "责任单位", "问题描述", "整改措施"],
            ["项目决策存在的问题", "1", "基金监管科", "无", "无"],
            ["项目管理存在的问题", "2", "基金监管科", "无", "无"]]
    return rows, []


def seed_score_table():
    """The 评分情况表 of seed 000 (an evaluation table, not a 自评表: no
    年度指标值 or 实际完成值)."""
    rows = [["序号", "一级指标", "二级指标", "三级指标", "标准分值", "评分情况", "得分", "扣分"],
            ["4", "产出指标 (50分)", "质量指标", "定点医药机构检查覆盖率", "16", "全覆盖", "16", "0"],
            ["", "合计", "", "", "90", "", "88.51", "1.49"]]
    return rows, []
