/*
 * routes/totals_out.c -- the finance bureau's totals as JSON, CSV and XLSX.
 *
 * JSON: {"filters", "group_by", "region_level", "groups": [...], "total"};
 * money as exact decimal strings, rates and shares as numbers with four
 * decimals, scores with two, written from the database's exact text (never
 * through a double).  The default status filter is said in
 * filters.status_default and filters.note.
 *
 * CSV and XLSX hold one rectangular table: a column per grouping key (and
 * its name), then the figures; one row per group, then 合计.  Headers are
 * "中文 (key)", the key being the JSON name, so a program can find a
 * column and a person can read it.  CSV: RFC 4180, CRLF, UTF-8 with a BOM
 * (Excel), text beginning with = + - @ prefixed with an apostrophe (no
 * formula injection).  XLSX: libxlsxwriter, one sheet 汇总; money as
 * numbers with two decimals, shares and rates as numbers formatted as
 * percentages, so a spreadsheet can sum them.
 */
#include "routes/totals_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "util.h"

static const char *const DIM_KEYS[TD_COUNT] = {"region", "department", "unit", "year",
                                               "grade", "fund_nature", "scope"};
static const char *const DIM_LABELS[TD_COUNT] = {"地区", "部门", "单位", "年度",
                                                 "等级", "资金性质", "范围"};
#define NOT_EVALUATED "未评价"

/* ---- shared helpers ------------------------------------------------------- */

static void share_text(int bp, char *out, size_t n)
{
    if (bp < 0)
        snprintf(out, n, "null");
    else
        snprintf(out, n, "%d.%04d", bp / 10000, bp % 10000);
}

static const char *grade_label(const char *g)
{
    return g && *g ? g : NOT_EVALUATED;
}

/* The words each grade bucket counts (sql/0015 jx_grade_rank): the
 * built-ins' 优良中差 and the provinces' 优秀/良好/合格/不合格, which share
 * their cut points; index as totals_row.grades. */
static const char *const GRADE_WORDS[TOTALS_GRADES] = {
    "[\"优\",\"优秀\"]", "[\"良\",\"良好\"]", "[\"中\",\"合格\"]", "[\"差\",\"不合格\"]", "[]"};
static const char *const GRADE_HEADS[TOTALS_GRADES] = {"优/优秀", "良/良好", "中/合格",
                                                       "差/不合格", NOT_EVALUATED};

/* ---- JSON ------------------------------------------------------------------ */

static void json_num_or_null(strbuf *sb, const char *s)
{
    sb_puts(sb, s ? s : "null");
}

static void json_key(strbuf *sb, const totals_row *t, int dim, const char *name,
                     const char *label)
{
    const char *v = t->key[dim];

    sb_printf(sb, "\"%s\":", DIM_KEYS[dim]);
    if (dim == TD_DEPARTMENT || dim == TD_UNIT || dim == TD_YEAR)
        json_num_or_null(sb, v);
    else if (dim == TD_GRADE)
        sb_json_str(sb, grade_label(v));
    else if (dim == TD_FUND_NATURE && v && !*v)
        sb_puts(sb, "null");
    else if (v)
        sb_json_str(sb, v);
    else
        sb_puts(sb, "null");
    sb_puts(sb, ",");
    if (label) {
        sb_printf(sb, "\"%s\":", label);
        if (name)
            sb_json_str(sb, name);
        else
            sb_puts(sb, "null");
        sb_puts(sb, ",");
    }
}

static void json_figures(strbuf *sb, const totals_row *t)
{
    char a[40], cs[16], as[16];
    int i;

    sb_printf(sb,
              "\"count\":%lld,\"evaluated\":%lld,\"not_evaluated\":%lld,\"incomplete\":%lld,"
              "\"budget\":{\"initial\":\"%s\",\"adjusted\":\"%s\",\"executed\":\"%s\"},"
              "\"execution_rate\":",
              t->count, t->evaluated, t->count - t->evaluated, t->incomplete, t->initial,
              t->adjusted, t->executed);
    json_num_or_null(sb, t->rate);
    sb_puts(sb, ",\"mean_score\":");
    json_num_or_null(sb, t->mean);
    sb_puts(sb, ",\"weighted_mean_score\":");
    json_num_or_null(sb, t->wmean);
    sb_puts(sb, ",\"grades\":[");
    for (i = 0; i < TOTALS_GRADES; i++) {
        fen_text(t->grades[i].fen, a, sizeof a);
        share_text(t->grades[i].count_share, cs, sizeof cs);
        share_text(t->grades[i].amount_share, as, sizeof as);
        sb_puts(sb, i ? ",{\"grade\":" : "{\"grade\":");
        sb_json_str(sb, grade_label(t->grades[i].grade));
        sb_printf(sb,
                  ",\"words\":%s,\"count\":%lld,\"amount\":\"%s\",\"count_share\":%s,"
                  "\"amount_share\":%s}",
                  GRADE_WORDS[i], t->grades[i].count, a, cs, as);
    }
    sb_printf(sb, "],\"findings\":{\"any\":%lld,\"error\":%lld,\"warning\":%lld,\"info\":%lld}",
              t->f_any, t->f_error, t->f_warning, t->f_info);
}

/* "{a,b}" (a Postgres array literal of plain words) as ["a","b"]. */
static void json_words(strbuf *sb, const char *lit)
{
    const char *p = lit + 1;
    size_t n;

    sb_puts(sb, "[");
    while (*p && *p != '}') {
        n = strcspn(p, ",}");
        sb_puts(sb, "\"");
        sb_append(sb, p, n);
        sb_puts(sb, "\"");
        p += n;
        if (*p == ',') {
            sb_puts(sb, ",");
            p++;
        }
    }
    sb_puts(sb, "]");
}

static void json_filters(strbuf *sb, const totals_doc *d)
{
    const totals_filter *f = d->filter;
    int i, first = 1;

    sb_puts(sb, "{\"filters\":{\"year\":");
    if (f->year_from)
        sb_printf(sb, "{\"from\":%d,\"to\":%d}", f->year_from, f->year_to);
    else
        sb_puts(sb, "null");
    sb_puts(sb, ",\"region\":");
    if (f->region)
        sb_json_str(sb, f->region);
    else
        sb_puts(sb, "null");
    sb_puts(sb, ",\"department\":");
    if (f->department)
        sb_printf(sb, "%lld", (long long)f->department);
    else
        sb_puts(sb, "null");
    sb_puts(sb, ",\"scope\":");
    if (f->scopes)
        json_words(sb, f->scopes);
    else
        sb_puts(sb, "null");
    sb_puts(sb, ",\"status\":");
    json_words(sb, f->statuses);
    sb_printf(sb, ",\"scope_default\":%s", d->scope_default ? "true" : "false");
    if (d->scope_default)
        sb_puts(sb, ",\"scope_note\":\"未给出 scope，只统计项目支出；部门整体、单位整体须以 scope "
                    "指定，且按范围分列，不与项目相加 (no scope given: projects only; "
                    "department_wide and unit_wide are asked for with scope and always "
                    "listed apart, never added to projects)\"");
    sb_printf(sb, ",\"status_default\":%s", d->status_default ? "true" : "false");
    if (d->status_default)
        sb_puts(sb, ",\"note\":\"默认只统计已提交和已接受的 (by default only submitted and "
                    "accepted ones are counted; status=all counts drafts too)\"");
    sb_puts(sb, "},\"group_by\":[");
    for (i = 0; i < TD_COUNT; i++)
        if (f->group[i]) {
            sb_printf(sb, "%s\"%s\"", first ? "" : ",", DIM_KEYS[i]);
            first = 0;
        }
    sb_printf(sb, "],\"region_level\":\"%s\",\"grades\":[\"优\",\"良\",\"中\",\"差\",\"%s\"],"
                  "\"grade_words\":{\"优\":%s,\"良\":%s,\"中\":%s,\"差\":%s},"
                  "\"mean_note\":\"平均得分只计完整的评价结果；缺少数据的下限得分不计入，"
                  "个数见 incomplete (means take complete scores only; lower bounds from "
                  "incomplete data are left out and counted in incomplete)\","
                  "\"amount\":\"executed\",",
              f->region_level, NOT_EVALUATED, GRADE_WORDS[0], GRADE_WORDS[1], GRADE_WORDS[2],
              GRADE_WORDS[3]);
}

int totals_json(const totals_doc *d, jx_resp *resp)
{
    const totals_filter *f = d->filter;
    strbuf sb;
    char *body;
    size_t len;
    int r, ngroups = 0;

    sb_init(&sb);
    json_filters(&sb, d);
    sb_puts(&sb, "\"groups\":[");
    for (r = 0; r < d->nrows; r++) {
        const totals_row *t = &d->rows[r];

        if (t->is_total)
            continue;
        sb_puts(&sb, ngroups++ ? ",{" : "{");
        if (f->group[TD_REGION])
            json_key(&sb, t, TD_REGION, t->region_name, "region_name");
        if (f->group[TD_DEPARTMENT])
            json_key(&sb, t, TD_DEPARTMENT, t->department_name, "department_name");
        if (f->group[TD_UNIT])
            json_key(&sb, t, TD_UNIT, t->unit_name, "unit_name");
        if (f->group[TD_YEAR])
            json_key(&sb, t, TD_YEAR, NULL, NULL);
        if (f->group[TD_GRADE])
            json_key(&sb, t, TD_GRADE, NULL, NULL);
        if (f->group[TD_FUND_NATURE])
            json_key(&sb, t, TD_FUND_NATURE, NULL, NULL);
        if (f->group[TD_SCOPE])
            json_key(&sb, t, TD_SCOPE, NULL, NULL);
        json_figures(&sb, t);
        sb_puts(&sb, "}");
    }
    /* several scopes: no total over them (a department's whole budget
     * holds its projects'); each scope's group is its total */
    sb_puts(&sb, "],\"total\":");
    for (r = 0; r < d->nrows && !d->rows[r].is_total; r++)
        ;
    if (r < d->nrows) {
        sb_puts(&sb, "{");
        json_figures(&sb, &d->rows[r]);
        sb_puts(&sb, "}}");
    } else {
        sb_puts(&sb, "null}");
    }
    body = sb_take(&sb, &len);
    if (!body)
        return -1;
    resp_body(resp, 200, "application/json", body, len);
    return 0;
}

/* ---- the table (CSV and XLSX) ----------------------------------------------- */

typedef enum { CELL_TEXT, CELL_INT, CELL_MONEY, CELL_RATE, CELL_SCORE } cell_kind;

typedef struct {
    cell_kind kind;
    const char *text;   /* NULL: empty cell */
    char buf[40];
} cell;

#define MAX_COLS 64

typedef struct {
    int n;
    char head[MAX_COLS][96];
    cell c[MAX_COLS];
} table_row;

static void put(table_row *tr, const char *label, const char *key, cell_kind k, const char *v)
{
    if (tr->n >= MAX_COLS)
        return;
    /* a heading longer than the column is cut short on purpose */
    if (snprintf(tr->head[tr->n], sizeof tr->head[tr->n], "%s (%s)", label, key) < 0)
        tr->head[tr->n][0] = 0;
    tr->c[tr->n].kind = k;
    if (v && v != tr->c[tr->n].buf) {
        snprintf(tr->c[tr->n].buf, sizeof tr->c[tr->n].buf, "%s", v);
    }
    tr->c[tr->n].text = v ? tr->c[tr->n].buf : NULL;
    tr->n++;
}

static void put_int(table_row *tr, const char *label, const char *key, long long v)
{
    char b[32];

    snprintf(b, sizeof b, "%lld", v);
    put(tr, label, key, CELL_INT, b);
}

static void put_share(table_row *tr, const char *label, const char *key, int bp)
{
    char b[16];

    share_text(bp, b, sizeof b);
    put(tr, label, key, CELL_RATE, bp < 0 ? NULL : b);
}

/* Names can be long: they get a cell of their own kind with the text kept
 * by reference (the row outlives the table row). */
static void put_name(table_row *tr, const char *label, const char *key, const char *v)
{
    if (tr->n >= MAX_COLS)
        return;
    /* a heading longer than the column is cut short on purpose */
    if (snprintf(tr->head[tr->n], sizeof tr->head[tr->n], "%s (%s)", label, key) < 0)
        tr->head[tr->n][0] = 0;
    tr->c[tr->n].kind = CELL_TEXT;
    tr->c[tr->n].text = v;
    tr->n++;
}

static void table_of(const totals_doc *d, const totals_row *t, table_row *tr)
{
    static const char *const GKEYS[TOTALS_GRADES] = {"excellent", "good", "fair", "poor",
                                                     "not_evaluated"};
    char lab[64], key[64], a[40];
    int i;

    tr->n = 0;
    put_name(tr, "行", "row", t->is_total ? "合计" : "分组");
    for (i = 0; i < TD_COUNT; i++) {
        const char *v = t->key[i];

        if (!d->filter->group[i])
            continue;
        if (i == TD_GRADE && !t->is_total)
            v = grade_label(v);
        put_name(tr, DIM_LABELS[i], DIM_KEYS[i], v && *v ? v : NULL);
        if (i == TD_REGION)
            put_name(tr, "地区名称", "region_name", t->region_name);
        else if (i == TD_DEPARTMENT)
            put_name(tr, "部门名称", "department_name", t->department_name);
        else if (i == TD_UNIT)
            put_name(tr, "单位名称", "unit_name", t->unit_name);
    }
    put_int(tr, "项目数", "count", t->count);
    put_int(tr, "已评价", "evaluated", t->evaluated);
    put_int(tr, "未评价", "not_evaluated", t->count - t->evaluated);
    put_int(tr, "结果不完整", "incomplete", t->incomplete);
    put(tr, "年初预算数", "budget_initial", CELL_MONEY, t->initial);
    put(tr, "全年预算数", "budget_adjusted", CELL_MONEY, t->adjusted);
    put(tr, "全年执行数", "budget_executed", CELL_MONEY, t->executed);
    put(tr, "预算执行率", "execution_rate", CELL_RATE, t->rate);
    put(tr, "平均得分", "mean_score", CELL_SCORE, t->mean);
    put(tr, "预算加权平均得分", "weighted_mean_score", CELL_SCORE, t->wmean);
    for (i = 0; i < TOTALS_GRADES; i++) {
        const char *g = GRADE_HEADS[i];

        snprintf(lab, sizeof lab, "%s 个数", g);
        snprintf(key, sizeof key, "grade_%s_count", GKEYS[i]);
        put_int(tr, lab, key, t->grades[i].count);
        snprintf(lab, sizeof lab, "%s 支出", g);
        snprintf(key, sizeof key, "grade_%s_amount", GKEYS[i]);
        fen_text(t->grades[i].fen, a, sizeof a);
        put(tr, lab, key, CELL_MONEY, a);
        snprintf(lab, sizeof lab, "%s 占项目总数", g);
        snprintf(key, sizeof key, "grade_%s_count_share", GKEYS[i]);
        put_share(tr, lab, key, t->grades[i].count_share);
        snprintf(lab, sizeof lab, "%s 占支出", g);
        snprintf(key, sizeof key, "grade_%s_amount_share", GKEYS[i]);
        put_share(tr, lab, key, t->grades[i].amount_share);
    }
    put_int(tr, "有问题的", "findings_any", t->f_any);
    put_int(tr, "有错误的", "findings_error", t->f_error);
    put_int(tr, "有警告的", "findings_warning", t->f_warning);
    put_int(tr, "有提示的", "findings_info", t->f_info);
}

/* ---- CSV --------------------------------------------------------------------- */

static void csv_field(strbuf *sb, const char *s, int last)
{
    int formula, quote;
    const char *p;

    s = s ? s : "";
    /* = + - @, or a tab/CR/LF before whatever a spreadsheet reads next */
    formula = s[0] && strchr("=+-@\t\r\n", s[0]) != NULL;
    quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        sb_puts(sb, "\"");
    if (formula)
        sb_puts(sb, "'");
    for (p = s; *p; p++) {
        if (*p == '"')
            sb_puts(sb, "\"\"");
        else
            sb_append(sb, p, 1);
    }
    if (quote)
        sb_puts(sb, "\"");
    sb_puts(sb, last ? "\r\n" : ",");
}

int totals_csv(const totals_doc *d, jx_resp *resp)
{
    table_row *tr = malloc(sizeof *tr);
    strbuf sb;
    char *body;
    size_t len;
    int r, i;

    if (!tr)
        return -1;
    sb_init(&sb);
    sb_puts(&sb, "\xEF\xBB\xBF");
    for (r = 0; r < d->nrows; r++) {
        table_of(d, &d->rows[r], tr);
        if (r == 0)
            for (i = 0; i < tr->n; i++)
                csv_field(&sb, tr->head[i], i == tr->n - 1);
        for (i = 0; i < tr->n; i++)
            csv_field(&sb, tr->c[i].text, i == tr->n - 1);
    }
    free(tr);
    body = sb_take(&sb, &len);
    if (!body)
        return -1;
    resp_body(resp, 200, "text/csv; charset=utf-8", body, len);
    resp_header(resp, "Content-Disposition", "attachment; filename=\"totals.csv\"");
    return 0;
}

/* ---- XLSX -------------------------------------------------------------------- */

typedef struct {
    lxw_format *head, *money, *rate, *score;
} xformats;

static void x_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const cell *c,
                   const xformats *xf)
{
    if (!c->text)
        return;
    switch (c->kind) {
    case CELL_INT:
        worksheet_write_number(ws, row, col, strtod(c->text, NULL), NULL);
        break;
    case CELL_MONEY:
        worksheet_write_number(ws, row, col, strtod(c->text, NULL), xf->money);
        break;
    case CELL_RATE:
        worksheet_write_number(ws, row, col, strtod(c->text, NULL), xf->rate);
        break;
    case CELL_SCORE:
        worksheet_write_number(ws, row, col, strtod(c->text, NULL), xf->score);
        break;
    default:
        worksheet_write_string(ws, row, col, c->text, NULL);
    }
}

static int slurp(const char *path, strbuf *sb)
{
    char chunk[65536];
    size_t n;
    FILE *f = fopen(path, "rb");
    int bad;

    if (!f)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_append(sb, chunk, n);
    bad = ferror(f) || sb->oom;
    fclose(f);
    return bad ? -1 : 0;
}

int totals_xlsx(const totals_doc *d, jx_resp *resp)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    lxw_workbook *wb;
    lxw_worksheet *ws;
    xformats xf;
    table_row *tr = NULL;
    strbuf sb;
    char *body;
    size_t len;
    int fd, r, i, rc = -1;
    lxw_error closed;

    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(path, sizeof path, "%s/jixiao-totals-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    sb_init(&sb);
    wb = workbook_new_opt(path, &opt);
    tr = malloc(sizeof *tr);
    if (!wb || !tr)
        goto out;
    ws = workbook_add_worksheet(wb, "汇总");
    xf.head = workbook_add_format(wb);
    format_set_bold(xf.head);
    format_set_text_wrap(xf.head);
    xf.money = workbook_add_format(wb);
    format_set_num_format(xf.money, "#,##0.00");
    xf.rate = workbook_add_format(wb);
    format_set_num_format(xf.rate, "0.00%");
    xf.score = workbook_add_format(wb);
    format_set_num_format(xf.score, "0.00");
    for (r = 0; r < d->nrows; r++) {
        table_of(d, &d->rows[r], tr);
        if (r == 0) {
            for (i = 0; i < tr->n; i++)
                worksheet_write_string(ws, 0, (lxw_col_t)i, tr->head[i], xf.head);
            worksheet_set_column(ws, 0, (lxw_col_t)(tr->n - 1), 14, NULL);
            worksheet_freeze_panes(ws, 1, 0);
        }
        for (i = 0; i < tr->n; i++)
            x_cell(ws, (lxw_row_t)(r + 1), (lxw_col_t)i, &tr->c[i], &xf);
    }
    closed = workbook_close(wb);
    wb = NULL;
    if (closed == LXW_NO_ERROR && slurp(path, &sb) == 0)
        rc = 0;
out:
    if (wb)
        workbook_close(wb);
    free(tr);
    unlink(path);
    if (rc < 0) {
        sb_free(&sb);
        return -1;
    }
    body = sb_take(&sb, &len);
    if (!body)
        return -1;
    resp_body(resp, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              body, len);
    resp_header(resp, "Content-Disposition", "attachment; filename=\"totals.xlsx\"");
    return 0;
}
