/*
 * lib/report/md.c -- the report as GitHub-flavoured Markdown (format=md).
 *
 * Design.  The same sections as the HTML page, each table a GFM pipe table
 * with a fixed column count in every row (the test checks it).  Markdown
 * has no merged cells, so the 评分情况表 does what the seeds' plain-text
 * tables do: the level-1 and level-2 labels are written on the first row of
 * their group and left blank below it.  Scores are right-aligned (`---:`).
 *
 * Escaping, in every cell and heading: `\` `|` `` ` `` `*` `[` `]` are
 * backslash-escaped (the pipe would end the cell, the others start code,
 * emphasis or links), `&` `<` `>` become entities so that model text can
 * never become live HTML in a renderer that allows inline HTML, and a
 * newline becomes <br> (a literal one would end the row).
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <stdio.h>
#include <string.h>

static void esc(jr_buf *b, const char *s)
{
    const char *p = s ? s : "";
    while (*p) {
        size_t n = strcspn(p, "\\|`*[]&<>\n");
        jr_put(b, p, n);
        p += n;
        switch (*p) {
        case '&': jr_puts(b, "&amp;"); break;
        case '<': jr_puts(b, "&lt;"); break;
        case '>': jr_puts(b, "&gt;"); break;
        case '\n': jr_puts(b, "<br>"); break;
        case '\0': return;
        default: {
            char e[3] = {'\\', *p, 0};
            jr_puts(b, e);
        }
        }
        p++;
    }
}

static void cell(jr_buf *b, const char *s)
{
    jr_puts(b, " ");
    esc(b, s);
    jr_puts(b, " |");
}

static void cell_cents(jr_buf *b, int64_t c)
{
    jr_puts(b, " ");
    jr_cents(b, c);
    jr_puts(b, " |");
}

static void cell_int(jr_buf *b, int v)
{
    jr_printf(b, " %d |", v);
}

/* heading row and the delimiter row; `align` has one char per column:
 * 'r' right, 'c' centre, anything else left */
static void head(jr_buf *b, const char *const *cols, size_t n, const char *align)
{
    jr_puts(b, "|");
    for (size_t i = 0; i < n; i++)
        cell(b, cols[i]);
    jr_puts(b, "\n|");
    for (size_t i = 0; i < n; i++)
        jr_puts(b, align[i] == 'r' ? " ---: |" : align[i] == 'c' ? " :---: |" : " --- |");
    jr_puts(b, "\n");
}

/* Results application (issue 20): monitoring colours, open 整改 items,
 * budget advice; nothing when the model has none. */
static void application(const jr_model *m, jr_buf *b)
{
    static const char *const mon_cols[] = {"报告期", "时间进度", "预算执行率", "执行率/时间进度",
                                           "预警", "滞后指标数"};
    static const char *const rect_cols[] = {"序号", "问题", "状态", "整改期限", "逾期"};
    const jr_application *a = &m->app;

    if (!a->present)
        return;
    jr_puts(b, "\n## 结果应用\n\n### 双监控预警\n\n");
    head(b, mon_cols, 6, "lrrrcr");
    if (a->nmon == 0)
        jr_puts(b, "| 无 | | | | | |\n");
    for (size_t i = 0; i < a->nmon; i++) {
        const jr_mon *x = &a->mon[i];
        jr_puts(b, "|");
        cell(b, x->period);
        cell(b, x->time_progress);
        cell(b, x->execution_rate);
        cell(b, x->ratio);
        cell(b, x->color_label);
        jr_printf(b, " %ld |\n", x->lagging);
    }
    jr_printf(b, "\n### 整改情况\n\n未验收 %zu 项，共 %zu 项。\n\n", a->nopen, a->nrects);
    head(b, rect_cols, 5, "clccc");
    if (a->nrects == 0)
        jr_puts(b, "| 无 | | | | |\n");
    for (size_t i = 0; i < a->nrects; i++) {
        const jr_rect *x = &a->rects[i];
        jr_puts(b, "|");
        cell_int(b, x->seq);
        cell(b, x->description);
        cell(b, x->status_label);
        cell(b, x->deadline);
        cell(b, x->overdue ? "是" : "否");
        jr_puts(b, "\n");
    }
    jr_puts(b, "\n### 预算安排建议\n\n- 等级：");
    esc(b, a->grade);
    jr_puts(b, "\n- 建议：");
    esc(b, *a->advice ? a->advice : "无");
    jr_puts(b, "\n- 财政部门决定：");
    esc(b, *a->decision ? a->decision : "尚未确定");
    jr_puts(b, "\n");
}

int jr_render_md(const jr_model *m, jr_buf *b, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    char year[16] = "";
    if (m->year)
        snprintf(year, sizeof year, "%d", m->year);

    jr_puts(b, "# ");
    esc(b, m->title);
    jr_puts(b, "\n\n");
    esc(b, m->org);
    if (m->year)
        jr_printf(b, "　%d年度", m->year);
    if (m->wide) {
        jr_puts(b, "　");
        esc(b, m->kind_label);
    }
    if (m->has_reported_total) {
        jr_puts(b, "　报告总分 **");
        jr_cents(b, m->reported_total);
        jr_puts(b, "**");
    }
    jr_puts(b, "　核定得分 **");
    jr_cents(b, m->normalised);
    jr_puts(b, "**　等级 **");
    esc(b, m->grade);
    jr_puts(b, m->complete ? "**\n\n" : "**（下限）\n\n");

    /* basic facts */
    static const char *const info_cols[] = {"项目", "内容", "项目", "内容"};
    jr_puts(b, m->wide ? "## 基本情况\n\n" : "## 项目基本情况\n\n");
    head(b, info_cols, 4, "llll");
    char rtot[48] = "未报告";
    if (m->has_reported_total) {
        jr_buf t = {0};
        jr_cents(&t, m->reported_total);
        snprintf(rtot, sizeof rtot, "%s", t.p ? t.p : "");
        free(t.p);
    }
    const char *pairs[][4] = {
        {"项目名称", m->name, "项目编码", m->code},
        {"单位", m->org, "主管处室", m->supervising_office},
        {"资金性质", m->fund_nature, "年度", year},
        {"评价指标体系", m->framework, "指标体系版本", m->framework_version},
        {"评价编号", m->eval_id, "评价时间", m->created_at_cst},
        {"评价人", m->created_by, "报告总分", rtot},
    };
    /* a wide assessment has no project name, code or fund nature */
    const char *wide_pairs[][4] = {
        {"部门（单位）名称", m->org, "评价类型", m->kind_label},
        {"自评名称", m->name, "年度", year},
    };
    for (size_t i = 0; m->wide && i < 2; i++) {
        jr_puts(b, "|");
        for (size_t j = 0; j < 4; j++)
            cell(b, wide_pairs[i][j]);
        jr_puts(b, "\n");
    }
    for (size_t i = m->wide ? 3 : 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        jr_puts(b, "|");
        for (size_t j = 0; j < 4; j++)
            cell(b, pairs[i][j]);
        jr_puts(b, "\n");
    }
    for (size_t i = 0; i < m->nmoney; i++) {
        const jr_money_item *it = &m->money[i];
        jr_puts(b, i % 2 ? "" : "|");
        cell(b, it->label);
        if (it->parsed) {
            jr_puts(b, " ");
            jr_money(b, it->fen);
            jr_puts(b, " 元 |");
        } else
            cell(b, it->text);
        if (i % 2 || i + 1 == m->nmoney)
            jr_puts(b, i % 2 ? "\n" : " | |\n");
    }
    jr_puts(b, "| 预算执行率 |");
    if (m->has_rate) {
        jr_puts(b, " ");
        jr_rate_pct(b, m->rate4);
        jr_puts(b, " |");
    } else
        cell(b, "无法计算");
    jr_puts(b, " 评价得分（等级） | ");
    jr_cents(b, m->total);
    jr_puts(b, "（");
    esc(b, m->grade);
    jr_puts(b, m->complete ? "） |\n\n" : "，下限） |\n\n");

    /* 附件1 */
    static const char *const goal_head[] = {"序号", "目标", "绩效目标设定情况"};
    jr_puts(b, "## 附件1 ");
    esc(b, m->name);
    jr_puts(b, "绩效目标完成清单\n\n");
    head(b, goal_head, 3, "cll");
    jr_puts(b, "| (一) | 总体目标 |");
    cell(b, *m->goal_overall ? m->goal_overall : "—");
    jr_puts(b, "\n| (二) | 年度绩效目标 |");
    cell(b, *m->goal_annual ? m->goal_annual : "—");
    jr_puts(b, "\n\n");
    head(b, jr_goal_columns, JR_GOAL_COLUMNS, "clllllcl");
    if (m->ngoals == 0)
        jr_puts(b, "| 无 | | | | | | | |\n");
    for (size_t i = 0; i < m->ngoals; i++) {
        const jr_goal *g = &m->goals[i];
        jr_puts(b, "|");
        cell_int(b, g->seq);
        cell(b, g->level1);
        cell(b, g->level2);
        cell(b, g->name);
        cell(b, g->target);
        cell(b, g->actual);
        cell(b, jr_met_label(g->met));
        cell(b, g->deviation_reason);
        jr_puts(b, "\n");
    }
    jr_puts(b, "\n");

    /* 附件2 */
    jr_puts(b, "## 附件2 ");
    esc(b, m->name);
    jr_puts(b, "绩效评价问题清单\n\n");
    head(b, jr_problem_columns, JR_PROBLEM_COLUMNS, "lcllll");
    if (m->nproblems == 0)
        jr_puts(b, "| 无 | | | | | |\n");
    for (size_t i = 0; i < m->nproblems; i++) {
        const jr_problem *p = &m->problems[i];
        jr_puts(b, "|");
        cell(b, p->category);
        cell_int(b, p->seq);
        cell(b, p->responsible_office);
        cell(b, *p->description ? p->description : "无");
        cell(b, *p->advice ? p->advice : "无");
        cell(b, p->note);
        jr_puts(b, "\n");
    }
    jr_puts(b, "\n");

    /* 附件3 */
    jr_puts(b, "## 附件3 ");
    esc(b, m->score_title);
    jr_puts(b, "\n\n");
    head(b, jr_score_columns, JR_SCORE_COLUMNS, "clllrlrrr");
    for (size_t i = 0; i < m->nrows; i++) {
        const jr_row *r = &m->rows[i];
        jr_puts(b, "|");
        if (r->seq)
            cell_int(b, r->seq);
        else
            jr_puts(b, " |");
        if (r->kind == JR_ROW_INDICATOR) {
            cell(b, r->l1_span > 0 ? r->level1_label : "");
            cell(b, r->l2_span > 0 ? r->level2 : "");
            cell(b, r->name);
        } else {
            jr_puts(b, r->kind == JR_ROW_TOTAL ? " **" : " ");
            esc(b, r->name);
            jr_puts(b, r->kind == JR_ROW_TOTAL ? "** | | |" : " | | |");
        }
        cell_cents(b, r->weight);
        cell(b, r->explain);
        if (r->has_reported)
            cell_cents(b, r->reported);
        else
            jr_puts(b, " |");
        if (r->kind == JR_ROW_TOTAL) {
            jr_puts(b, " **");
            jr_cents(b, r->score);
            jr_puts(b, "** |");
        } else if (r->not_applicable) {
            cell(b, jr_na_score);
            cell(b, jr_na_deduction);
        } else {
            cell_cents(b, r->score);
        }
        if (!r->not_applicable)
            cell_cents(b, r->deduction);
        jr_puts(b, "\n");
    }
    if (!m->complete)
        jr_puts(b, "\n注：部分指标的实际完成值或执行数缺失，无法确定，总分与等级为下限，"
                   "不是实际得分。\n");
    jr_puts(b, "\n");

    /* findings */
    jr_puts(b, "## 一致性审核发现的问题\n\n");
    jr_printf(b, "共 %zu 项：错误 %zu 项，警告 %zu 项，提示 %zu 项。\n\n", m->nfindings,
              m->nerrors, m->nwarnings, m->ninfos);
    head(b, jr_finding_columns, JR_FINDING_COLUMNS, "cclll" "l");
    if (m->nfindings == 0)
        jr_puts(b, "| 无 | | | | | |\n");
    for (size_t i = 0; i < m->nfindings; i++) {
        const jr_finding *f = &m->findings[i];
        jr_puts(b, "|");
        cell_int(b, f->seq);
        cell(b, f->severity_label);
        cell(b, f->code);
        cell(b, f->pointer);
        cell(b, f->subject);
        cell(b, f->message);
        jr_puts(b, "\n");
    }
    application(m, b);
    return 0;
}
