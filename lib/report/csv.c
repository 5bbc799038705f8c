/*
 * lib/report/csv.c -- the 评分情况表 as CSV (format=csv).
 *
 * Design decision: the CSV holds the score table only, one rectangular
 * table with one header row.  CSV has no sheets; stacking the four tables
 * one after another gives rows of different widths that neither RFC 4180
 * nor a spreadsheet's sort and filter handle, and a program reading the
 * file would have to know where each section starts.  The other tables are
 * in the json, html, md and xlsx formats (the xlsx has one sheet each).
 *
 * Rows: the indicators, then 预算执行率 (when the framework weights it),
 * then 合计 whose 评分情况 carries the grade.  Unlike the printed table the
 * level-1 and level-2 names are repeated on every indicator row (no merged
 * cells in CSV; filtering by level must work); on the execution and total
 * rows the label stands in the 一级指标 column.  Scores are plain numbers
 * with two decimals ("12.00"), never quoted, so spreadsheets see numbers.
 *
 * Encoding per RFC 4180: CRLF line ends; a field containing a comma, a
 * quote, CR or LF is quoted with quotes doubled.  UTF-8 with a byte-order
 * mark so that Excel opens Chinese text correctly.  A text field that
 * begins with = + - @ (or tab/CR/LF) gets a leading apostrophe so that a
 * spreadsheet never evaluates it as a formula (CSV injection); such text is
 * the only thing that does not round-trip byte for byte.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <string.h>

/* Begins with = + - @, or with a tab, CR or LF (then whatever follows:
 * a spreadsheet may drop the control byte and evaluate the rest). */
static bool formula_like(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r\n", s[0]) != NULL;
}

static void field(jr_buf *b, const char *s, bool last)
{
    s = s ? s : "";
    bool formula = formula_like(s);
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        jr_puts(b, "\"");
    if (formula)
        jr_puts(b, "'");
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "\"");
        jr_put(b, p, n);
        p += n;
        if (*p == '"') {
            jr_puts(b, "\"\"");
            p++;
        }
    }
    if (quote)
        jr_puts(b, "\"");
    jr_puts(b, last ? "\r\n" : ",");
}

static void num(jr_buf *b, int64_t c, bool last)
{
    jr_cents(b, c);
    jr_puts(b, last ? "\r\n" : ",");
}

int jr_render_csv(const jr_model *m, jr_buf *b, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    jr_puts(b, "\xEF\xBB\xBF");
    for (size_t i = 0; i < JR_SCORE_COLUMNS; i++)
        field(b, jr_score_columns[i], i + 1 == JR_SCORE_COLUMNS);
    for (size_t i = 0; i < m->nrows; i++) {
        const jr_row *r = &m->rows[i];
        if (r->seq)
            jr_printf(b, "%d,", r->seq);
        else
            jr_puts(b, ",");
        if (r->kind == JR_ROW_INDICATOR) {
            field(b, r->level1, false);
            field(b, r->level2, false);
            field(b, r->name, false);
        } else {
            field(b, r->name, false);
            jr_puts(b, ",,");
        }
        num(b, r->weight, false);
        field(b, r->explain, false);
        if (r->has_reported)
            num(b, r->reported, false);
        else
            jr_puts(b, ",");
        if (r->not_applicable) {
            field(b, jr_na_score, false);
            field(b, jr_na_deduction, true);
        } else {
            num(b, r->score, false);
            num(b, r->deduction, true);
        }
    }
    return 0;
}
