/*
 * lib/report/json.c -- the report as structured JSON (format=json).
 *
 * Design.  The tables a person reads, as data a program reads: the
 * 评分情况表 as `score_table.rows` (indicator rows, the execution row and the
 * total row, each with its kind, the spans of its merged level cells and
 * its scores), the 绩效目标完成清单 (`completion_list`), the 问题清单
 * (`problem_list`) and the findings, each with the column headings the
 * other formats print.  Layout is in docs/reports.md.
 *
 * Written by hand rather than with json_dumps() so that scores come out as
 * numbers with two decimals (12.00, as the library writes them and api.md
 * asks) and rates with four, never as binary-float noise.  Strings are
 * escaped per RFC 8259, and additionally <, >, & and U+2028/U+2029 as
 * \uXXXX so the document stays inert if it is ever embedded in HTML or a
 * script.  The score rows add up to the total row exactly: they are the
 * library's rounded hundredths.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <string.h>

static void str(jr_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    jr_puts(b, "\"");
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        const unsigned char *q = p;
        while (*q >= 0x20 && *q != '"' && *q != '\\' && *q != '<' && *q != '>' && *q != '&' &&
               !(q[0] == 0xE2 && q[1] == 0x80 && (q[2] == 0xA8 || q[2] == 0xA9)))
            q++;
        jr_put(b, (const char *)p, (size_t)(q - p));
        p = q;
        if (!*p)
            break;
        if (*p == '"')
            jr_puts(b, "\\\"");
        else if (*p == '\\')
            jr_puts(b, "\\\\");
        else if (*p == '\n')
            jr_puts(b, "\\n");
        else if (*p == '\t')
            jr_puts(b, "\\t");
        else if (*p == '\r')
            jr_puts(b, "\\r");
        else if (*p == 0xE2) { /* U+2028 / U+2029 */
            jr_puts(b, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
            p += 3;
            continue;
        } else {
            char e[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
            jr_puts(b, e);
        }
        p++;
    }
    jr_puts(b, "\"");
}

static void key(jr_buf *b, bool *first, const char *k)
{
    jr_puts(b, *first ? "" : ",");
    *first = false;
    str(b, k);
    jr_puts(b, ":");
}

static void kstr(jr_buf *b, bool *first, const char *k, const char *v)
{
    key(b, first, k);
    str(b, v);
}

static void kcents(jr_buf *b, bool *first, const char *k, int64_t c)
{
    key(b, first, k);
    jr_cents(b, c);
}

static void kint(jr_buf *b, bool *first, const char *k, long v)
{
    key(b, first, k);
    jr_printf(b, "%ld", v);
}

static void kmet(jr_buf *b, bool *first, const char *k, int met)
{
    key(b, first, k);
    jr_puts(b, met == JR_MET_NA ? "null" : met > 0 ? "true" : met == 0 ? "false" : "null");
}

static void columns(jr_buf *b, bool *first, const char *const *cols, size_t n)
{
    key(b, first, "columns");
    jr_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        jr_puts(b, i ? "," : "");
        str(b, cols[i]);
    }
    jr_puts(b, "]");
}

static const char *kind_name(int kind)
{
    return kind == JR_ROW_INDICATOR ? "indicator" : kind == JR_ROW_EXECUTION ? "execution" : "total";
}

/* Results application (issue 20), as "application": monitoring colours,
 * 整改 items, budget advice; nothing when the model has none. */
static void application(const jr_model *m, jr_buf *b, bool *f)
{
    const jr_application *a = &m->app;
    bool g = true;

    if (!a->present)
        return;
    key(b, f, "application");
    jr_puts(b, "{");
    key(b, &g, "monitoring");
    jr_puts(b, "[");
    for (size_t i = 0; i < a->nmon; i++) {
        const jr_mon *x = &a->mon[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kstr(b, &h, "period", x->period);
        kstr(b, &h, "time_progress", x->time_progress);
        kstr(b, &h, "execution_rate", x->execution_rate);
        kstr(b, &h, "ratio", x->ratio);
        kstr(b, &h, "color", x->color);
        kstr(b, &h, "color_label", x->color_label);
        kint(b, &h, "lagging", x->lagging);
        jr_puts(b, "}");
    }
    jr_puts(b, "]");
    key(b, &g, "rectifications");
    jr_puts(b, "[");
    for (size_t i = 0; i < a->nrects; i++) {
        const jr_rect *x = &a->rects[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kint(b, &h, "seq", x->seq);
        kstr(b, &h, "description", x->description);
        kstr(b, &h, "status", x->status);
        kstr(b, &h, "status_label", x->status_label);
        kstr(b, &h, "deadline", x->deadline);
        key(b, &h, "overdue");
        jr_puts(b, x->overdue ? "true" : "false");
        jr_puts(b, "}");
    }
    jr_puts(b, "]");
    kint(b, &g, "open_rectifications", (long)a->nopen);
    key(b, &g, "advice");
    jr_puts(b, "{");
    bool h = true;
    kstr(b, &h, "grade", a->grade);
    kstr(b, &h, "advice", a->advice);
    kstr(b, &h, "decision", a->decision);
    jr_puts(b, "}}");
}

int jr_render_json(const jr_model *m, jr_buf *b, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    bool f = true, g;
    jr_puts(b, "{");
    kstr(b, &f, "title", m->title);

    key(b, &f, "evaluation");
    jr_puts(b, "{");
    g = true;
    kstr(b, &g, "id", m->eval_id);
    kstr(b, &g, "created_at", m->created_at);
    kstr(b, &g, "created_at_cst", m->created_at_cst);
    kstr(b, &g, "created_by", m->created_by);
    kstr(b, &g, "framework", m->framework);
    kstr(b, &g, "framework_version", m->framework_version);
    jr_puts(b, "}");

    key(b, &f, "project");
    jr_puts(b, "{");
    g = true;
    kstr(b, &g, "name", m->name);
    kstr(b, &g, "code", m->code);
    kstr(b, &g, "org", m->org);
    key(b, &g, "year");
    if (m->year)
        jr_printf(b, "%d", m->year);
    else
        jr_puts(b, "null");
    kstr(b, &g, "scope", m->scope);
    kstr(b, &g, "kind_label", m->kind_label);
    kstr(b, &g, "supervising_office", m->supervising_office);
    kstr(b, &g, "fund_nature", m->fund_nature);
    key(b, &g, "budget");
    jr_puts(b, "[");
    for (size_t i = 0; i < m->nmoney; i++) {
        const jr_money_item *it = &m->money[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kstr(b, &h, "key", it->key);
        kstr(b, &h, "label", it->label);
        kstr(b, &h, "text", it->text);
        key(b, &h, "yuan");
        if (it->parsed) {
            jr_puts(b, "\"");
            jr_cents(b, it->fen);
            jr_puts(b, "\"");
        } else
            jr_puts(b, "null");
        jr_puts(b, "}");
    }
    jr_puts(b, "]}");

    key(b, &f, "summary");
    jr_puts(b, "{");
    g = true;
    kcents(b, &g, "total", m->total);
    kcents(b, &g, "max", m->max);
    kcents(b, &g, "normalised", m->normalised);
    kstr(b, &g, "grade", m->grade);
    key(b, &g, "complete");
    jr_puts(b, m->complete ? "true" : "false");
    kstr(b, &g, "grade_text", m->grade_text);
    key(b, &g, "reported_total");
    if (m->has_reported_total)
        jr_cents(b, m->reported_total);
    else
        jr_puts(b, "null");
    kstr(b, &g, "reported_grade", m->reported_grade);
    key(b, &g, "execution_rate");
    if (m->has_rate) {
        int64_t r = m->rate4;
        jr_printf(b, "%s%lld.%04lld", r < 0 ? "-" : "", (long long)((r < 0 ? -r : r) / 10000),
                  (long long)((r < 0 ? -r : r) % 10000));
    } else
        jr_puts(b, "null");
    key(b, &g, "findings");
    jr_printf(b, "{\"error\":%zu,\"warning\":%zu,\"info\":%zu}", m->nerrors, m->nwarnings,
              m->ninfos);
    jr_puts(b, "}");

    key(b, &f, "score_table");
    jr_puts(b, "{");
    g = true;
    kstr(b, &g, "title", m->score_title);
    columns(b, &g, jr_score_columns, JR_SCORE_COLUMNS);
    key(b, &g, "rows");
    jr_puts(b, "[");
    for (size_t i = 0; i < m->nrows; i++) {
        const jr_row *r = &m->rows[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kstr(b, &h, "kind", kind_name(r->kind));
        key(b, &h, "seq");
        if (r->seq)
            jr_printf(b, "%d", r->seq);
        else
            jr_puts(b, "null");
        kstr(b, &h, "level1", r->level1);
        kstr(b, &h, "level1_label", r->level1_label);
        kstr(b, &h, "level2", r->level2);
        kstr(b, &h, "name", r->name);
        kcents(b, &h, "weight", r->weight);
        kstr(b, &h, "explain", r->explain);
        key(b, &h, "reported_score");
        if (r->has_reported)
            jr_cents(b, r->reported);
        else
            jr_puts(b, "null");
        if (r->not_applicable) {
            key(b, &h, "score");
            jr_puts(b, "null");
            key(b, &h, "deduction");
            jr_puts(b, "null");
            key(b, &h, "not_applicable");
            jr_puts(b, "true");
        } else {
            kcents(b, &h, "score", r->score);
            kcents(b, &h, "deduction", r->deduction);
        }
        if (r->own) {
            key(b, &h, "own"); /* outside total and max (scoring.md §8) */
            jr_puts(b, "true");
        }
        if (r->kind == JR_ROW_INDICATOR) {
            kint(b, &h, "level1_rowspan", r->l1_span);
            kint(b, &h, "level2_rowspan", r->l2_span);
            key(b, &h, "index");
            if (r->index >= 0)
                jr_printf(b, "%d", r->index);
            else
                jr_puts(b, "null");
            kmet(b, &h, "met", r->met);
        }
        if (r->kind == JR_ROW_TOTAL) {
            kstr(b, &h, "grade", m->grade);
            key(b, &h, "complete");
            jr_puts(b, m->complete ? "true" : "false");
        }
        jr_puts(b, "}");
    }
    jr_puts(b, "]}");

    key(b, &f, "completion_list");
    jr_puts(b, "{");
    g = true;
    kstr(b, &g, "overall_goal", m->goal_overall);
    kstr(b, &g, "annual_goal", m->goal_annual);
    columns(b, &g, jr_goal_columns, JR_GOAL_COLUMNS);
    key(b, &g, "rows");
    jr_puts(b, "[");
    for (size_t i = 0; i < m->ngoals; i++) {
        const jr_goal *o = &m->goals[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kint(b, &h, "seq", o->seq);
        kstr(b, &h, "level1", o->level1);
        kstr(b, &h, "level2", o->level2);
        kstr(b, &h, "name", o->name);
        kstr(b, &h, "target", o->target);
        kstr(b, &h, "actual", o->actual);
        kmet(b, &h, "met", o->met);
        kstr(b, &h, "met_label", jr_met_label(o->met));
        kstr(b, &h, "deviation_reason", o->deviation_reason);
        key(b, &h, "weight");
        if (o->has_weight)
            jr_cents(b, o->weight);
        else
            jr_puts(b, "null");
        key(b, &h, "reported_score");
        if (o->has_reported_score)
            jr_cents(b, o->reported_score);
        else
            jr_puts(b, "null");
        jr_puts(b, "}");
    }
    jr_puts(b, "]}");

    key(b, &f, "problem_list");
    jr_puts(b, "{");
    g = true;
    columns(b, &g, jr_problem_columns, JR_PROBLEM_COLUMNS);
    key(b, &g, "rows");
    jr_puts(b, "[");
    for (size_t i = 0; i < m->nproblems; i++) {
        const jr_problem *p = &m->problems[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kstr(b, &h, "category", p->category);
        kint(b, &h, "seq", p->seq);
        kstr(b, &h, "responsible_office", p->responsible_office);
        kstr(b, &h, "description", p->description);
        kstr(b, &h, "advice", p->advice);
        kstr(b, &h, "note", p->note);
        jr_puts(b, "}");
    }
    jr_puts(b, "]}");

    key(b, &f, "findings");
    jr_puts(b, "{");
    g = true;
    columns(b, &g, jr_finding_columns, JR_FINDING_COLUMNS);
    key(b, &g, "rows");
    jr_puts(b, "[");
    for (size_t i = 0; i < m->nfindings; i++) {
        const jr_finding *x = &m->findings[i];
        bool h = true;
        jr_puts(b, i ? ",{" : "{");
        kint(b, &h, "seq", x->seq);
        kstr(b, &h, "severity", x->severity);
        kstr(b, &h, "severity_label", x->severity_label);
        kstr(b, &h, "code", x->code);
        kstr(b, &h, "pointer", x->pointer);
        kstr(b, &h, "subject", x->subject);
        kstr(b, &h, "message", x->message);
        jr_puts(b, "}");
    }
    jr_puts(b, "]}");
    application(m, b, &f);
    jr_puts(b, "}\n");
    return 0;
}
