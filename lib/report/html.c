/*
 * lib/report/html.c -- the report as a printable HTML page (format=html).
 *
 * Design.  One self-contained HTML5 document (no scripts, no external
 * resources) laid out for A4 paper (`@page { size: A4 }`), in the order of
 * the seed reports' attachments: the project's basic facts, 附件1
 * 绩效目标完成清单, 附件2 问题清单, 附件3 评分情况表, then the review's
 * findings.  Tables have ruled borders like the seeds'; the 评分情况表
 * merges the level-1 and level-2 cells with rowspan (spans computed in
 * report.c), puts 预算执行率 and 合计 (with the grade) in rows of their own
 * whose label spans the three level columns, and right-aligns the scores.
 * Table headers repeat on every printed page (thead) and rows are not split
 * across pages.
 *
 * Fonts: a Chinese stack (Noto Sans CJK SC, Source Han Sans SC, the
 * platform faces, SimSun, Songti) ending in serif, so the page prints in
 * Chinese glyphs wherever it is opened.
 *
 * Every text from the model goes through esc(): & < > " ' become entities
 * and a newline becomes <br>; nothing from the model is ever emitted raw,
 * in content or in attributes.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void esc(jr_buf *b, const char *s)
{
    const char *p = s ? s : "";
    while (*p) {
        size_t n = strcspn(p, "&<>\"'\n");
        jr_put(b, p, n);
        p += n;
        switch (*p) {
        case '&': jr_puts(b, "&amp;"); break;
        case '<': jr_puts(b, "&lt;"); break;
        case '>': jr_puts(b, "&gt;"); break;
        case '"': jr_puts(b, "&quot;"); break;
        case '\'': jr_puts(b, "&#39;"); break;
        case '\n': jr_puts(b, "<br>"); break;
        default: return;
        }
        p++;
    }
}

/* a code or a JSON pointer: escaped, with a break opportunity after each _ and / */
static void td_breakable(jr_buf *b, const char *text)
{
    jr_puts(b, "<td class=\"code\">");
    const char *p = text ? text : "";
    while (*p) {
        size_t n = strcspn(p, "_/");
        jr_buf t = {0};
        jr_put(&t, p, n);
        esc(b, t.p);
        if (t.failed)
            b->failed = true;
        free(t.p);
        p += n;
        if (*p) {
            jr_put(b, p, 1);
            jr_puts(b, "<wbr>");
            p++;
        }
    }
    jr_puts(b, "</td>");
}

static void td(jr_buf *b, const char *cls, const char *text)
{
    jr_puts(b, cls ? "<td class=\"" : "<td>");
    if (cls) {
        jr_puts(b, cls);
        jr_puts(b, "\">");
    }
    esc(b, text);
    jr_puts(b, "</td>");
}

static void td_cents(jr_buf *b, int64_t c)
{
    jr_puts(b, "<td class=\"num\">");
    jr_cents(b, c);
    jr_puts(b, "</td>");
}

/* 报告得分: blank when the document gave none */
static void td_reported(jr_buf *b, const jr_row *r)
{
    if (!r->has_reported) {
        jr_puts(b, "<td class=\"num\"></td>");
        return;
    }
    td_cents(b, r->reported);
}

static void thead(jr_buf *b, const char *const *cols, size_t n)
{
    jr_puts(b, "<thead><tr>");
    for (size_t i = 0; i < n; i++) {
        jr_puts(b, "<th scope=\"col\">");
        esc(b, cols[i]);
        jr_puts(b, "</th>");
    }
    jr_puts(b, "</tr></thead>\n");
}

static const char style[] =
    "@page { size: A4; margin: 16mm 12mm 16mm 12mm; }\n"
    "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "body { font-family: \"Noto Sans CJK SC\", \"Noto Sans SC\", \"Source Han Sans SC\", "
    "\"Source Han Sans CN\", \"PingFang SC\", \"Microsoft YaHei\", \"SimSun\", \"Songti SC\", "
    "\"Noto Serif CJK SC\", serif;\n"
    "       font-size: 10.5pt; line-height: 1.45; color: #000; max-width: 186mm; margin: 0 auto; }\n"
    "h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }\n"
    "h2 { font-size: 13pt; text-align: center; margin: 7mm 0 3mm; break-after: avoid; }\n"
    "p.meta { text-align: center; margin: 0 0 4mm; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; }\n"
    "th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: middle; "
    "text-align: left; overflow-wrap: anywhere; }\n"
    "th { background: #efefef; text-align: center; font-weight: bold; }\n"
    "thead { display: table-header-group; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
    "td.c { text-align: center; }\n"
    "td.code { font-size: 8.5pt; overflow-wrap: normal; }\n"
    "tr.exec td { background: #f7f7f7; }\n"
    "tr.total td { font-weight: bold; background: #efefef; }\n"
    "table.info th { width: 16%; text-align: left; }\n"
    ".sev-error { color: #b00020; font-weight: bold; }\n"
    ".color-green { background: #d8f0d8; } .color-yellow { background: #fff3c4; }\n"
    ".color-red { background: #f8d0d0; } .overdue { color: #b00020; font-weight: bold; }\n"
    ".sev-warning { color: #8a4b00; }\n"
    ".sev-info { color: #333; }\n"
    ".note { font-size: 9pt; color: #333; }\n"
    ".lower { color: #b00020; }\n"
    "footer { font-size: 8.5pt; color: #555; margin-top: 6mm; text-align: right; }\n"
    "section { break-before: auto; }\n"
    "@media print { section.attach { break-before: page; } }\n";

static void info_pair(jr_buf *b, const char *k1, const char *v1, const char *k2, const char *v2)
{
    jr_puts(b, "<tr><th scope=\"row\">");
    esc(b, k1);
    jr_puts(b, "</th><td>");
    esc(b, v1);
    jr_puts(b, "</td><th scope=\"row\">");
    esc(b, k2);
    jr_puts(b, "</th><td>");
    esc(b, v2);
    jr_puts(b, "</td></tr>\n");
}

static void basic_info(const jr_model *m, jr_buf *b)
{
    char year[16] = "";
    if (m->year)
        snprintf(year, sizeof year, "%d", m->year);
    if (m->wide) {
        /* a wide assessment has no project name, code or fund nature */
        jr_puts(b, "<section><h2>基本情况</h2>\n<table class=\"info\">\n<tbody>\n");
        info_pair(b, "部门（单位）名称", m->org, "评价类型", m->kind_label);
        info_pair(b, "自评名称", m->name, "年度", year);
    } else {
        jr_puts(b, "<section><h2>项目基本情况</h2>\n<table class=\"info\">\n<tbody>\n");
        info_pair(b, "项目名称", m->name, "项目编码", m->code);
        info_pair(b, "单位", m->org, "主管处室", m->supervising_office);
        info_pair(b, "资金性质", m->fund_nature, "年度", year);
    }
    jr_buf fw = {0};
    jr_puts(&fw, m->framework);
    if (*m->framework_version) {
        jr_puts(&fw, " 第 ");
        jr_puts(&fw, m->framework_version);
        jr_puts(&fw, " 版");
    }
    info_pair(b, "评价指标体系", fw.p ? fw.p : "", "评价编号", m->eval_id);
    if (fw.failed)
        b->failed = true;
    free(fw.p);
    info_pair(b, "评价时间", m->created_at_cst, "评价人", m->created_by);
    /* money, two figures a row, thousands separated, in yuan */
    for (size_t i = 0; i < m->nmoney; i += 2) {
        jr_buf v[2] = {{0}, {0}};
        const char *k[2] = {"", ""};
        for (size_t j = 0; j < 2 && i + j < m->nmoney; j++) {
            const jr_money_item *it = &m->money[i + j];
            k[j] = it->label;
            if (it->parsed) {
                jr_money(&v[j], it->fen);
                jr_puts(&v[j], " 元");
            } else
                jr_puts(&v[j], it->text);
        }
        info_pair(b, k[0], v[0].p ? v[0].p : "", k[1], v[1].p ? v[1].p : "");
        if (v[0].failed || v[1].failed)
            b->failed = true;
        free(v[0].p);
        free(v[1].p);
    }
    jr_buf r = {0};
    if (m->has_rate)
        jr_rate_pct(&r, m->rate4);
    else
        jr_puts(&r, "无法计算");
    jr_buf t = {0};
    jr_cents(&t, m->total);
    jr_puts(&t, "（");
    jr_puts(&t, m->grade);
    jr_puts(&t, m->complete ? "）" : "，下限）");
    info_pair(b, "预算执行率", r.p ? r.p : "", "核定得分（等级）", t.p ? t.p : "");
    jr_buf rt = {0};
    if (m->has_reported_total) {
        jr_cents(&rt, m->reported_total);
        if (*m->reported_grade) {
            jr_puts(&rt, "（");
            jr_puts(&rt, m->reported_grade);
            jr_puts(&rt, "）");
        }
    } else
        jr_puts(&rt, "未报告");
    info_pair(b, "评价类型", m->kind_label, "报告总分（等级）", rt.p ? rt.p : "");
    if (rt.failed)
        b->failed = true;
    free(rt.p);
    if (r.failed || t.failed)
        b->failed = true;
    free(r.p);
    free(t.p);
    jr_puts(b, "</tbody>\n</table>\n</section>\n");
}

static void goals(const jr_model *m, jr_buf *b)
{
    jr_puts(b, "<section class=\"attach\"><h2>附件1 ");
    esc(b, m->name);
    jr_puts(b, "绩效目标完成清单</h2>\n");
    jr_puts(b, "<table class=\"goals\">\n<colgroup><col style=\"width:8%\"><col style=\"width:20%\">"
               "<col></colgroup>\n");
    jr_puts(b, "<thead><tr><th scope=\"col\">序号</th><th scope=\"col\">目标</th>"
               "<th scope=\"col\">绩效目标设定情况</th></tr></thead>\n<tbody>\n");
    jr_puts(b, "<tr><td class=\"c\">(一)</td><td>总体目标</td>");
    td(b, NULL, *m->goal_overall ? m->goal_overall : "—");
    jr_puts(b, "</tr>\n<tr><td class=\"c\">(二)</td><td>年度绩效目标</td>");
    td(b, NULL, *m->goal_annual ? m->goal_annual : "—");
    jr_puts(b, "</tr>\n</tbody>\n</table>\n");

    jr_puts(b, "<table class=\"completion\">\n<colgroup><col style=\"width:5%\">"
               "<col style=\"width:10%\"><col style=\"width:11%\"><col style=\"width:18%\">"
               "<col style=\"width:13%\"><col style=\"width:13%\"><col style=\"width:8%\">"
               "<col></colgroup>\n");
    thead(b, jr_goal_columns, JR_GOAL_COLUMNS);
    jr_puts(b, "<tbody>\n");
    if (m->ngoals == 0)
        jr_puts(b, "<tr><td class=\"c\" colspan=\"8\">无</td></tr>\n");
    for (size_t i = 0; i < m->ngoals; i++) {
        const jr_goal *g = &m->goals[i];
        jr_printf(b, "<tr><td class=\"c\">%d</td>", g->seq);
        td(b, NULL, g->level1);
        td(b, NULL, g->level2);
        td(b, NULL, g->name);
        td(b, NULL, g->target);
        td(b, NULL, g->actual);
        td(b, "c", jr_met_label(g->met));
        td(b, NULL, g->deviation_reason);
        jr_puts(b, "</tr>\n");
    }
    jr_puts(b, "</tbody>\n</table>\n</section>\n");
}

static void problems(const jr_model *m, jr_buf *b)
{
    jr_puts(b, "<section class=\"attach\"><h2>附件2 ");
    esc(b, m->name);
    jr_puts(b, "绩效评价问题清单</h2>\n<table class=\"problems\">\n<colgroup>"
               "<col style=\"width:22%\"><col style=\"width:6%\"><col style=\"width:13%\">"
               "<col style=\"width:25%\"><col style=\"width:25%\"><col></colgroup>\n");
    thead(b, jr_problem_columns, JR_PROBLEM_COLUMNS);
    jr_puts(b, "<tbody>\n");
    if (m->nproblems == 0)
        jr_puts(b, "<tr><td class=\"c\" colspan=\"6\">无</td></tr>\n");
    for (size_t i = 0; i < m->nproblems; i++) {
        const jr_problem *p = &m->problems[i];
        jr_puts(b, "<tr>");
        td(b, NULL, p->category);
        jr_printf(b, "<td class=\"c\">%d</td>", p->seq);
        td(b, NULL, p->responsible_office);
        td(b, NULL, *p->description ? p->description : "无");
        td(b, NULL, *p->advice ? p->advice : "无");
        td(b, NULL, p->note);
        jr_puts(b, "</tr>\n");
    }
    jr_puts(b, "</tbody>\n</table>\n</section>\n");
}

static void score_table(const jr_model *m, jr_buf *b)
{
    jr_puts(b, "<section class=\"attach\"><h2>附件3 ");
    esc(b, m->score_title);
    jr_puts(b, "</h2>\n<table class=\"score\">\n<colgroup><col style=\"width:5%\">"
               "<col style=\"width:11%\"><col style=\"width:11%\"><col style=\"width:16%\">"
               "<col style=\"width:6%\"><col><col style=\"width:7%\">"
               "<col style=\"width:7%\"><col style=\"width:6%\"></colgroup>\n");
    thead(b, jr_score_columns, JR_SCORE_COLUMNS);
    jr_puts(b, "<tbody>\n");
    for (size_t i = 0; i < m->nrows; i++) {
        const jr_row *r = &m->rows[i];
        if (r->kind == JR_ROW_INDICATOR) {
            jr_printf(b, "<tr><td class=\"c\">%d</td>", r->seq);
            if (r->l1_span > 0) {
                if (r->l1_span > 1)
                    jr_printf(b, "<td rowspan=\"%d\">", r->l1_span);
                else
                    jr_puts(b, "<td>");
                esc(b, r->level1_label);
                jr_puts(b, "</td>");
            }
            if (r->l2_span > 0) {
                if (r->l2_span > 1)
                    jr_printf(b, "<td rowspan=\"%d\">", r->l2_span);
                else
                    jr_puts(b, "<td>");
                esc(b, r->level2);
                jr_puts(b, "</td>");
            }
            td(b, NULL, r->name);
        } else {
            jr_puts(b, r->kind == JR_ROW_EXECUTION ? "<tr class=\"exec\">" : "<tr class=\"total\">");
            if (r->seq)
                jr_printf(b, "<td class=\"c\">%d</td>", r->seq);
            else
                jr_puts(b, "<td></td>");
            jr_puts(b, "<td colspan=\"3\" class=\"c\">");
            esc(b, r->name);
            jr_puts(b, "</td>");
        }
        td_cents(b, r->weight);
        td(b, r->kind == JR_ROW_TOTAL && !m->complete ? "lower" : NULL, r->explain);
        td_reported(b, r);
        if (r->not_applicable) {
            td(b, NULL, jr_na_score);
            td(b, NULL, jr_na_deduction);
        } else {
            td_cents(b, r->score);
            td_cents(b, r->deduction);
        }
        jr_puts(b, "</tr>\n");
    }
    jr_puts(b, "</tbody>\n</table>\n");
    if (!m->complete)
        jr_puts(b, "<p class=\"note lower\">注：部分指标的实际完成值或执行数缺失，无法确定，"
                   "总分与等级为下限，不是实际得分。</p>\n");
    jr_puts(b, "</section>\n");
}

static void findings(const jr_model *m, jr_buf *b)
{
    jr_puts(b, "<section class=\"findings\"><h2>一致性审核发现的问题</h2>\n");
    jr_printf(b, "<p class=\"note\">共 %zu 项：错误 %zu 项，警告 %zu 项，提示 %zu 项。</p>\n",
              m->nfindings, m->nerrors, m->nwarnings, m->ninfos);
    jr_puts(b, "<table class=\"findings\">\n<colgroup><col style=\"width:5%\">"
               "<col style=\"width:7%\"><col style=\"width:21%\"><col style=\"width:17%\">"
               "<col style=\"width:13%\"><col></colgroup>\n");
    thead(b, jr_finding_columns, JR_FINDING_COLUMNS);
    jr_puts(b, "<tbody>\n");
    if (m->nfindings == 0)
        jr_puts(b, "<tr><td class=\"c\" colspan=\"6\">无</td></tr>\n");
    for (size_t i = 0; i < m->nfindings; i++) {
        const jr_finding *f = &m->findings[i];
        jr_printf(b, "<tr><td class=\"c\">%d</td>", f->seq);
        const char *cls = strcmp(f->severity, "error") == 0     ? "c sev-error"
                          : strcmp(f->severity, "warning") == 0 ? "c sev-warning"
                                                                : "c sev-info";
        td(b, cls, f->severity_label);
        td_breakable(b, f->code);
        td_breakable(b, f->pointer);
        td(b, NULL, f->subject);
        td(b, NULL, f->message);
        jr_puts(b, "</tr>\n");
    }
    jr_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* Results application (issue 20): monitoring colours, open 整改 items,
 * budget advice; nothing when the model has none. */
static void application(const jr_model *m, jr_buf *b)
{
    const jr_application *a = &m->app;

    if (!a->present)
        return;
    jr_puts(b, "<section class=\"application\"><h2>结果应用</h2>\n<h3>双监控预警</h3>\n"
               "<table>\n<thead><tr><th>报告期</th><th>时间进度</th><th>预算执行率</th>"
               "<th>执行率/时间进度</th><th>预警</th><th>滞后指标数</th></tr></thead>\n<tbody>\n");
    if (a->nmon == 0)
        jr_puts(b, "<tr><td class=\"c\" colspan=\"6\">无</td></tr>\n");
    for (size_t i = 0; i < a->nmon; i++) {
        const jr_mon *x = &a->mon[i];
        char cls[40];
        snprintf(cls, sizeof cls, "c color-%s",
                 strcmp(x->color, "green") && strcmp(x->color, "yellow") &&
                         strcmp(x->color, "red")
                     ? "none"
                     : x->color);
        jr_puts(b, "<tr>");
        td(b, "c", x->period);
        td(b, "r", x->time_progress);
        td(b, "r", x->execution_rate);
        td(b, "r", x->ratio);
        td(b, cls, x->color_label);
        jr_printf(b, "<td class=\"r\">%ld</td></tr>\n", x->lagging);
    }
    jr_printf(b, "</tbody>\n</table>\n<h3>整改情况</h3>\n<p>未验收 %zu 项，共 %zu 项。</p>\n",
              a->nopen, a->nrects);
    jr_puts(b, "<table>\n<thead><tr><th>序号</th><th>问题</th><th>状态</th><th>整改期限</th>"
               "<th>逾期</th></tr></thead>\n<tbody>\n");
    if (a->nrects == 0)
        jr_puts(b, "<tr><td class=\"c\" colspan=\"5\">无</td></tr>\n");
    for (size_t i = 0; i < a->nrects; i++) {
        const jr_rect *x = &a->rects[i];
        jr_printf(b, "<tr><td class=\"c\">%d</td>", x->seq);
        td(b, NULL, x->description);
        td(b, "c", x->status_label);
        td(b, "c", x->deadline);
        td(b, x->overdue ? "c overdue" : "c", x->overdue ? "是" : "否");
        jr_puts(b, "</tr>\n");
    }
    jr_puts(b, "</tbody>\n</table>\n<h3>预算安排建议</h3>\n<p>等级：");
    esc(b, a->grade);
    jr_puts(b, "　建议：");
    esc(b, *a->advice ? a->advice : "无");
    jr_puts(b, "　财政部门决定：");
    esc(b, *a->decision ? a->decision : "尚未确定");
    jr_puts(b, "</p>\n</section>\n");
}

int jr_render_html(const jr_model *m, jr_buf *b, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    jr_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"jixiao\">\n<title>");
    esc(b, m->title);
    jr_puts(b, "</title>\n<style>\n");
    jr_puts(b, style);
    jr_puts(b, "</style>\n</head>\n<body>\n<header><h1>");
    esc(b, m->title);
    jr_puts(b, "</h1>\n<p class=\"meta\">");
    esc(b, m->org);
    if (m->year)
        jr_printf(b, "　%d年度", m->year);
    if (m->wide) {
        jr_puts(b, "　");
        esc(b, m->kind_label);
    }
    if (m->has_reported_total) {
        jr_puts(b, "　报告总分 ");
        jr_cents(b, m->reported_total);
    }
    jr_puts(b, "　核定得分 ");
    jr_cents(b, m->normalised);
    jr_puts(b, "　等级 ");
    esc(b, m->grade);
    if (!m->complete)
        jr_puts(b, "<span class=\"lower\">（下限）</span>");
    jr_puts(b, "</p></header>\n");
    basic_info(m, b);
    goals(m, b);
    problems(m, b);
    score_table(m, b);
    findings(m, b);
    application(m, b);
    jr_puts(b, "<footer>由 jixiao 生成");
    if (*m->eval_id) {
        jr_puts(b, "　评价编号 ");
        esc(b, m->eval_id);
    }
    if (*m->created_at_cst) {
        jr_puts(b, "　");
        esc(b, m->created_at_cst);
    }
    jr_puts(b, "</footer>\n</body>\n</html>\n");
    return 0;
}
