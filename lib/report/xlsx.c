/*
 * lib/report/xlsx.c -- the report as an Excel workbook (format=xlsx), written
 * with libxlsxwriter.
 *
 * Design.  Four sheets (a fifth below), each a table that reads like the seeds':
 *   评分情况表      title, subtitle, a styled header row, one row per
 *                   indicator with the level-1 and level-2 cells merged
 *                   vertically (spans from report.c), the 预算执行率 row and
 *                   the 合计 row (label merged over the three level columns,
 *                   the grade in 评分情况), then the money block: the budget
 *                   figures in yuan (#,##0.00) and the execution rate (0.00%).
 *   发现的问题      the findings, errors in red.
 *   绩效目标完成清单 the goals, then one row per indicator with 年度指标值,
 *                   实际完成值, 完成情况, 偏差原因.
 *   问题清单        the 问题清单 as in the seeds.
 *   结果应用        only when the model has an "application" (issue 20): the
 *                   双监控 colours (the 预警 cell says 绿/黄/红 and is filled
 *                   with that colour, so the sheet reads in black and white
 *                   too), the 整改 items (overdue in red) and the budget
 *                   advice, three tables one under the other.
 * Scores are numbers with format 0.00 (so they sum in a spreadsheet), money
 * numbers with #,##0.00; text cells wrap, and row heights are estimated from
 * the text (libxlsxwriter does not autofit) so that wrapped text shows.
 * Every sheet prints on A4 landscape, fitted to the page width, with its header row
 * repeated on each page and the panes frozen under it.
 *
 * Cells are written as strings, never as formulas, so no model text can be
 * evaluated.  Text longer than a cell holds (32,767 characters) is cut at a
 * character boundary.
 *
 * libxlsxwriter writes to a file: the workbook goes to a temporary file
 * made with mkstemp() in $TMPDIR (default /tmp; libxlsxwriter's own scratch
 * files go there too), which is read back into memory and removed on every
 * path, success or failure.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#define MAX_CELL_BYTES 32000 /* under Excel's 32,767 characters whatever the text */

typedef struct {
    lxw_workbook *wb;
    lxw_error rc; /* the first error met */
    lxw_format *title, *subtitle, *head, *text, *center, *score, *money, *rate, *label, *bold_text,
        *bold_score, *bold_center, *red_center, *note, *section, *ratio, *light[3];
    char *cut; /* scratch for cut text */
} ctx;

static void check(ctx *c, lxw_error e)
{
    if (e != LXW_NO_ERROR && c->rc == LXW_NO_ERROR)
        c->rc = e;
}

/* text fitted into a cell: cut at a UTF-8 boundary under MAX_CELL_BYTES */
static const char *fit(ctx *c, const char *s)
{
    size_t n = strlen(s);
    if (n <= MAX_CELL_BYTES)
        return s;
    n = MAX_CELL_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    free(c->cut);
    c->cut = malloc(n + 4);
    if (!c->cut) {
        check(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return "";
    }
    memcpy(c->cut, s, n);
    memcpy(c->cut + n, "…", 3);
    c->cut[n + 3] = '\0';
    return c->cut;
}

static void str(ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const char *s,
                lxw_format *f)
{
    if (!s || !*s)
        check(c, worksheet_write_blank(ws, r, col, f));
    else
        check(c, worksheet_write_string(ws, r, col, fit(c, s), f));
}

static void num(ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, double v, lxw_format *f)
{
    check(c, worksheet_write_number(ws, r, col, v, f));
}

/* a merged range holding a string; a single cell is written plainly */
static void merged(ctx *c, lxw_worksheet *ws, lxw_row_t r1, lxw_col_t c1, lxw_row_t r2,
                   lxw_col_t c2, const char *s, lxw_format *f)
{
    if (r1 == r2 && c1 == c2)
        str(c, ws, r1, c1, s, f);
    else
        check(c, worksheet_merge_range(ws, r1, c1, r2, c2, fit(c, s ? s : ""), f));
}

/* lines a text needs in a column `width` characters wide (CJK count two) */
static unsigned lines_for(const char *s, double width)
{
    size_t per = width > 3 ? (size_t)(width - 0.5) : 2, w = 0;
    unsigned lines = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (;;) {
        if (!*p || *p == '\n') {
            lines += 1 + (unsigned)(w ? (w - 1) / per : 0);
            w = 0;
            if (!*p || lines >= 40)
                break;
            p++;
            continue;
        }
        unsigned char ch = *p;
        size_t k = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        for (size_t i = 1; i < k; i++)
            if (!p[i]) {
                k = i;
                break;
            }
        bool narrow = ch == 0xE2 && k >= 3 && (p[1] == 0x80 || p[1] == 0x81);
        w += (ch >= 0xE1 && k >= 3 && !narrow) ? 2 : 1;
        p += k;
    }
    return lines > 40 ? 40 : lines;
}

static void row_height(ctx *c, lxw_worksheet *ws, lxw_row_t r, unsigned lines)
{
    if (lines > 1)
        check(c, worksheet_set_row(ws, r, 14.0 * lines + 3.0, NULL));
}

static lxw_format *fmt(ctx *c, bool border, bool wrap)
{
    lxw_format *f = workbook_add_format(c->wb);
    format_set_font_name(f, "宋体");
    format_set_font_size(f, 10);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (wrap)
        format_set_text_wrap(f);
    return f;
}

static void make_formats(ctx *c)
{
    c->title = fmt(c, false, false);
    format_set_bold(c->title);
    format_set_font_size(c->title, 14);
    format_set_align(c->title, LXW_ALIGN_CENTER);
    c->subtitle = fmt(c, false, true);
    format_set_align(c->subtitle, LXW_ALIGN_CENTER);
    c->head = fmt(c, true, true);
    format_set_bold(c->head);
    format_set_bg_color(c->head, 0xD9D9D9);
    format_set_align(c->head, LXW_ALIGN_CENTER);
    c->text = fmt(c, true, true);
    c->center = fmt(c, true, true);
    format_set_align(c->center, LXW_ALIGN_CENTER);
    c->score = fmt(c, true, false);
    format_set_num_format(c->score, "0.00");
    c->money = fmt(c, true, false);
    format_set_num_format(c->money, "#,##0.00");
    c->rate = fmt(c, true, false);
    format_set_num_format(c->rate, "0.00%");
    c->label = fmt(c, true, true);
    format_set_bg_color(c->label, 0xF2F2F2);
    c->bold_text = fmt(c, true, true);
    format_set_bold(c->bold_text);
    format_set_bg_color(c->bold_text, 0xF2F2F2);
    c->bold_score = fmt(c, true, false);
    format_set_bold(c->bold_score);
    format_set_bg_color(c->bold_score, 0xF2F2F2);
    format_set_num_format(c->bold_score, "0.00");
    c->bold_center = fmt(c, true, true);
    format_set_bold(c->bold_center);
    format_set_bg_color(c->bold_center, 0xF2F2F2);
    format_set_align(c->bold_center, LXW_ALIGN_CENTER);
    c->red_center = fmt(c, true, true);
    format_set_align(c->red_center, LXW_ALIGN_CENTER);
    format_set_font_color(c->red_center, LXW_COLOR_RED);
    format_set_bold(c->red_center);
    c->note = fmt(c, false, true);
    c->section = fmt(c, false, false);
    format_set_bold(c->section);
    format_set_font_size(c->section, 11);
    c->ratio = fmt(c, true, false);
    format_set_num_format(c->ratio, "0.0000");
    /* the monitoring colours: Excel's standard green, yellow, red */
    static const struct {
        lxw_color_t bg, fg;
    } lights[3] = {{0x00B050, 0xFFFFFF}, {0xFFFF00, 0x000000}, {0xFF0000, 0xFFFFFF}};
    for (size_t i = 0; i < 3; i++) {
        c->light[i] = fmt(c, true, true);
        format_set_align(c->light[i], LXW_ALIGN_CENTER);
        format_set_bold(c->light[i]);
        format_set_pattern(c->light[i], LXW_PATTERN_SOLID);
        format_set_bg_color(c->light[i], lights[i].bg);
        format_set_font_color(c->light[i], lights[i].fg);
    }
}

static void page_setup(ctx *c, lxw_worksheet *ws, lxw_row_t header_row, bool landscape)
{
    worksheet_set_paper(ws, 9); /* A4 */
    if (landscape)
        worksheet_set_landscape(ws);
    else
        worksheet_set_portrait(ws);
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
    worksheet_center_horizontally(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    check(c, worksheet_repeat_rows(ws, header_row, header_row));
    worksheet_freeze_panes(ws, header_row + 1, 0);
}

static void columns(ctx *c, lxw_worksheet *ws, const double *widths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check(c, worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL));
}

static void header(ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        str(c, ws, r, (lxw_col_t)i, cols[i], c->head);
    check(c, worksheet_set_row(ws, r, 20, NULL));
}

static const double score_widths[JR_SCORE_COLUMNS] = {5, 13, 14, 24, 8, 40, 9, 9, 8};

static void score_sheet(ctx *c, const jr_model *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "评分情况表");
    if (!ws) {
        check(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    columns(c, ws, score_widths, JR_SCORE_COLUMNS);
    merged(c, ws, 0, 0, 0, 8, m->score_title, c->title);
    check(c, worksheet_set_row(ws, 0, 26, NULL));
    jr_buf sub = {0};
    jr_printf(&sub, m->wide ? "部门（单位）：%s" : "单位：%s", m->org);
    if (m->wide)
        jr_printf(&sub, "　　评价类型：%s", m->kind_label);
    if (m->year)
        jr_printf(&sub, "　　年度：%d", m->year);
    if (m->has_reported_total) {
        jr_puts(&sub, "　　报告总分：");
        jr_cents(&sub, m->reported_total);
    }
    jr_puts(&sub, "　　核定得分：");
    jr_cents(&sub, m->normalised);
    jr_printf(&sub, "（%s）", m->grade);
    if (*m->created_at_cst)
        jr_printf(&sub, "　　评价时间：%s", m->created_at_cst);
    jr_printf(&sub, "　　评价指标体系：%s", m->framework);
    if (*m->framework_version)
        jr_printf(&sub, "（第 %s 版）", m->framework_version);
    if (*m->eval_id)
        jr_printf(&sub, "　　评价编号：%s", m->eval_id);
    merged(c, ws, 1, 0, 1, 8, sub.failed ? "" : sub.p, c->subtitle);
    row_height(c, ws, 1, lines_for(sub.p ? sub.p : "", 140));
    free(sub.p);
    header(c, ws, 2, jr_score_columns, JR_SCORE_COLUMNS);

    lxw_row_t r = 3;
    for (size_t i = 0; i < m->nrows; i++, r++) {
        const jr_row *row = &m->rows[i];
        bool total = row->kind == JR_ROW_TOTAL;
        if (row->seq)
            num(c, ws, r, 0, row->seq, c->center);
        else
            str(c, ws, r, 0, "", total ? c->bold_center : c->center);
        unsigned lines = lines_for(row->explain, score_widths[5]);
        if (row->kind == JR_ROW_INDICATOR) {
            if (row->l1_span > 0)
                merged(c, ws, r, 1, r + (lxw_row_t)row->l1_span - 1, 1, row->level1_label, c->text);
            if (row->l2_span > 0)
                merged(c, ws, r, 2, r + (lxw_row_t)row->l2_span - 1, 2, row->level2, c->text);
            str(c, ws, r, 3, row->name, c->text);
            unsigned l3 = lines_for(row->name, score_widths[3]);
            lines = l3 > lines ? l3 : lines;
            if (row->l1_span == 1) {
                unsigned l1 = lines_for(row->level1_label, score_widths[1]);
                lines = l1 > lines ? l1 : lines;
            }
            if (row->l2_span == 1) {
                unsigned l2 = lines_for(row->level2, score_widths[2]);
                lines = l2 > lines ? l2 : lines;
            }
        } else
            merged(c, ws, r, 1, r, 3, row->name, total ? c->bold_center : c->center);
        num(c, ws, r, 4, (double)row->weight / 100.0, total ? c->bold_score : c->score);
        str(c, ws, r, 5, row->explain, total ? c->bold_text : c->text);
        if (row->has_reported)
            num(c, ws, r, 6, (double)row->reported / 100.0, total ? c->bold_score : c->score);
        else
            str(c, ws, r, 6, "", total ? c->bold_score : c->score);
        if (row->not_applicable) {
            str(c, ws, r, 7, jr_na_score, c->center);
            str(c, ws, r, 8, jr_na_deduction, c->center);
        } else {
            num(c, ws, r, 7, (double)row->score / 100.0, total ? c->bold_score : c->score);
            num(c, ws, r, 8, (double)row->deduction / 100.0, total ? c->bold_score : c->score);
        }
        row_height(c, ws, r, lines);
    }
    if (!m->complete) {
        merged(c, ws, r, 0, r, 8,
               "注：部分指标的实际完成值或执行数缺失，无法确定，总分与等级为下限，不是实际得分。",
               c->note);
        r++;
    }

    /* the money block: label over B:D, value over E:F */
    r++;
    for (size_t i = 0; i < m->nmoney; i++, r++) {
        const jr_money_item *it = &m->money[i];
        jr_buf l = {0};
        jr_puts(&l, it->label);
        jr_puts(&l, it->parsed ? "（元）" : "");
        merged(c, ws, r, 1, r, 3, l.failed ? "" : l.p, c->label);
        free(l.p);
        if (it->parsed) {
            merged(c, ws, r, 4, r, 5, "", c->money);
            num(c, ws, r, 4, (double)it->fen / 100.0, c->money);
        } else
            merged(c, ws, r, 4, r, 5, it->text, c->text);
    }
    merged(c, ws, r, 1, r, 3, "预算执行率", c->label);
    if (m->has_rate) {
        merged(c, ws, r, 4, r, 5, "", c->rate);
        num(c, ws, r, 4, (double)m->rate4 / 10000.0, c->rate);
    } else
        merged(c, ws, r, 4, r, 5, "无法计算（缺少全年执行数）", c->text);
    page_setup(c, ws, 2, true);
}

static const double finding_widths[JR_FINDING_COLUMNS] = {6, 9, 26, 28, 24, 70};

static void findings_sheet(ctx *c, const jr_model *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "发现的问题");
    if (!ws) {
        check(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    columns(c, ws, finding_widths, JR_FINDING_COLUMNS);
    merged(c, ws, 0, 0, 0, 5, "一致性审核发现的问题", c->title);
    check(c, worksheet_set_row(ws, 0, 26, NULL));
    char line[160];
    snprintf(line, sizeof line, "共 %zu 项：错误 %zu 项，警告 %zu 项，提示 %zu 项", m->nfindings,
             m->nerrors, m->nwarnings, m->ninfos);
    merged(c, ws, 1, 0, 1, 5, line, c->subtitle);
    header(c, ws, 2, jr_finding_columns, JR_FINDING_COLUMNS);
    lxw_row_t r = 3;
    if (m->nfindings == 0)
        merged(c, ws, r, 0, r, 5, "无", c->center);
    for (size_t i = 0; i < m->nfindings; i++, r++) {
        const jr_finding *f = &m->findings[i];
        num(c, ws, r, 0, f->seq, c->center);
        str(c, ws, r, 1, f->severity_label,
            strcmp(f->severity, "error") == 0 ? c->red_center : c->center);
        str(c, ws, r, 2, f->code, c->text);
        str(c, ws, r, 3, f->pointer, c->text);
        str(c, ws, r, 4, f->subject, c->text);
        str(c, ws, r, 5, f->message, c->text);
        unsigned a = lines_for(f->message, finding_widths[5]),
                 b = lines_for(f->subject, finding_widths[4]);
        row_height(c, ws, r, a > b ? a : b);
    }
    page_setup(c, ws, 2, true);
}

static const double goal_widths[JR_GOAL_COLUMNS] = {6, 13, 16, 28, 18, 18, 10, 36};

static void goals_sheet(ctx *c, const jr_model *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "绩效目标完成清单");
    if (!ws) {
        check(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    columns(c, ws, goal_widths, JR_GOAL_COLUMNS);
    jr_buf t = {0};
    jr_printf(&t, "%s绩效目标完成清单", m->name);
    merged(c, ws, 0, 0, 0, 7, t.failed ? "" : t.p, c->title);
    free(t.p);
    check(c, worksheet_set_row(ws, 0, 26, NULL));
    str(c, ws, 1, 0, "(一)", c->center);
    merged(c, ws, 1, 1, 1, 2, "总体目标", c->label);
    merged(c, ws, 1, 3, 1, 7, *m->goal_overall ? m->goal_overall : "—", c->text);
    row_height(c, ws, 1, lines_for(m->goal_overall, 120));
    str(c, ws, 2, 0, "(二)", c->center);
    merged(c, ws, 2, 1, 2, 2, "年度绩效目标", c->label);
    merged(c, ws, 2, 3, 2, 7, *m->goal_annual ? m->goal_annual : "—", c->text);
    row_height(c, ws, 2, lines_for(m->goal_annual, 120));
    header(c, ws, 4, jr_goal_columns, JR_GOAL_COLUMNS);
    lxw_row_t r = 5;
    if (m->ngoals == 0)
        merged(c, ws, r, 0, r, 7, "无", c->center);
    for (size_t i = 0; i < m->ngoals; i++, r++) {
        const jr_goal *g = &m->goals[i];
        num(c, ws, r, 0, g->seq, c->center);
        str(c, ws, r, 1, g->level1, c->text);
        str(c, ws, r, 2, g->level2, c->text);
        str(c, ws, r, 3, g->name, c->text);
        str(c, ws, r, 4, g->target, c->text);
        str(c, ws, r, 5, g->actual, c->text);
        str(c, ws, r, 6, jr_met_label(g->met), g->met == 0 ? c->red_center : c->center);
        str(c, ws, r, 7, g->deviation_reason, c->text);
        unsigned l = 1;
        const char *cells[] = {g->name, g->target, g->actual, g->deviation_reason};
        const double w[] = {goal_widths[3], goal_widths[4], goal_widths[5], goal_widths[7]};
        for (size_t k = 0; k < 4; k++) {
            unsigned x = lines_for(cells[k], w[k]);
            l = x > l ? x : l;
        }
        row_height(c, ws, r, l);
    }
    page_setup(c, ws, 4, true);
}

static const double problem_widths[JR_PROBLEM_COLUMNS] = {30, 6, 18, 36, 36, 10};

static void problems_sheet(ctx *c, const jr_model *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "问题清单");
    if (!ws) {
        check(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    columns(c, ws, problem_widths, JR_PROBLEM_COLUMNS);
    jr_buf t = {0};
    jr_printf(&t, "%s绩效评价问题清单", m->name);
    merged(c, ws, 0, 0, 0, 5, t.failed ? "" : t.p, c->title);
    free(t.p);
    check(c, worksheet_set_row(ws, 0, 26, NULL));
    header(c, ws, 1, jr_problem_columns, JR_PROBLEM_COLUMNS);
    lxw_row_t r = 2;
    if (m->nproblems == 0)
        merged(c, ws, r, 0, r, 5, "无", c->center);
    for (size_t i = 0; i < m->nproblems; i++, r++) {
        const jr_problem *p = &m->problems[i];
        str(c, ws, r, 0, p->category, c->text);
        num(c, ws, r, 1, p->seq, c->center);
        str(c, ws, r, 2, p->responsible_office, c->text);
        str(c, ws, r, 3, *p->description ? p->description : "无", c->text);
        str(c, ws, r, 4, *p->advice ? p->advice : "无", c->text);
        str(c, ws, r, 5, p->note, c->text);
        unsigned l = lines_for(p->category, problem_widths[0]);
        unsigned d = lines_for(p->description, problem_widths[3]);
        unsigned a = lines_for(p->advice, problem_widths[4]);
        l = d > l ? d : l;
        l = a > l ? a : l;
        row_height(c, ws, r, l);
    }
    page_setup(c, ws, 1, true);
}

/* a rate written as decimal text ("0.5000"): a number when it is plainly one
 * (digits, one point), else the text as written */
static void decimal(ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const char *s,
                    lxw_format *numf)
{
    size_t i = 0, digits = 0, points = 0;
    for (; s[i]; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] == '.')
            points++;
        else
            break;
    }
    if (!s[i] && digits > 0 && digits <= 30 && points <= 1)
        num(c, ws, r, col, strtod(s, NULL), numf);
    else
        str(c, ws, r, col, s, c->center);
}

static lxw_format *light_of(ctx *c, const char *color)
{
    return !strcmp(color, "green")    ? c->light[0]
           : !strcmp(color, "yellow") ? c->light[1]
           : !strcmp(color, "red")    ? c->light[2]
                                      : c->center;
}

/* columns: A-F the monitoring table; A, B:D, E, F, G the 整改 table */
static const double app_widths[] = {12, 14, 14, 18, 14, 14, 8};

/* 结果应用 (issue 20): monitoring colours, 整改 items, budget advice */
static void application_sheet(ctx *c, const jr_model *m)
{
    static const char *const mon_cols[] = {"报告期", "时间进度", "预算执行率", "执行率/时间进度",
                                           "预警", "滞后指标数"};
    const jr_application *a = &m->app;
    if (!a->present)
        return;
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "结果应用");
    if (!ws) {
        check(c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    columns(c, ws, app_widths, sizeof app_widths / sizeof app_widths[0]);
    jr_buf t = {0};
    jr_printf(&t, "%s结果应用", m->name);
    merged(c, ws, 0, 0, 0, 6, t.failed ? "" : t.p, c->title);
    free(t.p);
    check(c, worksheet_set_row(ws, 0, 26, NULL));

    lxw_row_t r = 2;
    str(c, ws, r++, 0, "双监控预警", c->section);
    header(c, ws, r++, mon_cols, 6);
    if (a->nmon == 0) {
        merged(c, ws, r, 0, r, 5, "无", c->center);
        r++;
    }
    for (size_t i = 0; i < a->nmon; i++, r++) {
        const jr_mon *x = &a->mon[i];
        str(c, ws, r, 0, x->period, c->center);
        decimal(c, ws, r, 1, x->time_progress, c->rate);
        decimal(c, ws, r, 2, x->execution_rate, c->rate);
        decimal(c, ws, r, 3, x->ratio, c->ratio);
        str(c, ws, r, 4, x->color_label, light_of(c, x->color));
        num(c, ws, r, 5, (double)x->lagging, c->center);
        row_height(c, ws, r, lines_for(x->period, app_widths[0]));
    }

    r++;
    str(c, ws, r++, 0, "整改情况", c->section);
    char line[160];
    snprintf(line, sizeof line, "未验收 %zu 项，共 %zu 项。", a->nopen, a->nrects);
    merged(c, ws, r, 0, r, 6, line, c->note);
    r++;
    str(c, ws, r, 0, "序号", c->head);
    merged(c, ws, r, 1, r, 3, "问题", c->head);
    str(c, ws, r, 4, "状态", c->head);
    str(c, ws, r, 5, "整改期限", c->head);
    str(c, ws, r, 6, "逾期", c->head);
    check(c, worksheet_set_row(ws, r++, 20, NULL));
    if (a->nrects == 0) {
        merged(c, ws, r, 0, r, 6, "无", c->center);
        r++;
    }
    for (size_t i = 0; i < a->nrects; i++, r++) {
        const jr_rect *x = &a->rects[i];
        num(c, ws, r, 0, x->seq, c->center);
        merged(c, ws, r, 1, r, 3, x->description, c->text);
        str(c, ws, r, 4, x->status_label, c->center);
        str(c, ws, r, 5, x->deadline, c->center);
        str(c, ws, r, 6, x->overdue ? "是" : "否", x->overdue ? c->red_center : c->center);
        row_height(c, ws, r, lines_for(x->description, app_widths[1] + app_widths[2] +
                                                           app_widths[3]));
    }

    r++;
    str(c, ws, r++, 0, "预算安排建议", c->section);
    const char *advice[][2] = {{"等级", a->grade},
                               {"建议", *a->advice ? a->advice : "无"},
                               {"财政部门决定", *a->decision ? a->decision : "尚未确定"}};
    for (size_t i = 0; i < 3; i++, r++) {
        merged(c, ws, r, 0, r, 1, advice[i][0], c->label);
        merged(c, ws, r, 2, r, 6, advice[i][1], c->text);
        row_height(c, ws, r, lines_for(advice[i][1], 80));
    }

    worksheet_set_paper(ws, 9); /* A4 portrait, fitted to the width; no repeated header: */
    worksheet_set_portrait(ws); /* three tables share the sheet */
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
    worksheet_center_horizontally(ws);
    worksheet_fit_to_pages(ws, 1, 0);
}

static int read_file(const char *path, jr_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        jr_put(out, chunk, n);
    int bad = ferror(f) || out->failed;
    fclose(f);
    return bad ? -1 : 0;
}

int jr_render_xlsx(const jr_model *m, jr_buf *out, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char path[4096];
    if (snprintf(path, sizeof path, "%s/jixiao-report-XXXXXX", dir) >= (int)sizeof path) {
        jr_set_err(err, errlen, "临时目录路径过长 (TMPDIR too long)");
        return -1;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        jr_set_err(err, errlen, "无法创建临时文件：%s (cannot create a temporary file in %s)",
                   strerror(errno), dir);
        return -1;
    }
    close(fd);

    char tmpdir[4096];
    snprintf(tmpdir, sizeof tmpdir, "%s", dir);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = tmpdir};
    ctx c = {0};
    c.wb = workbook_new_opt(path, &opt);
    if (!c.wb) {
        unlink(path);
        jr_set_err(err, errlen, "无法创建工作簿 (cannot create the workbook)");
        return -1;
    }
    char title[256], author[] = "jixiao";
    size_t tn = strlen(m->title);
    if (tn > sizeof title - 1) {
        tn = sizeof title - 1;
        while (tn > 0 && ((unsigned char)m->title[tn] & 0xC0) == 0x80)
            tn--;
    }
    memcpy(title, m->title, tn);
    title[tn] = '\0';
    lxw_doc_properties props = {.title = title, .author = author};
    check(&c, workbook_set_properties(c.wb, &props));

    make_formats(&c);
    score_sheet(&c, m);
    findings_sheet(&c, m);
    goals_sheet(&c, m);
    problems_sheet(&c, m);
    application_sheet(&c, m);
    lxw_error closed = workbook_close(c.wb); /* frees the workbook in every case */
    free(c.cut);
    if (c.rc == LXW_NO_ERROR)
        c.rc = closed;
    int rc = 0;
    if (c.rc != LXW_NO_ERROR) {
        jr_set_err(err, errlen, "生成 XLSX 失败：%s (xlsx not written)", lxw_strerror(c.rc));
        rc = -1;
    } else if (read_file(path, out) != 0) {
        jr_set_err(err, errlen, "读取临时文件失败 (cannot read the workbook back)");
        rc = -1;
    }
    unlink(path);
    return rc;
}
