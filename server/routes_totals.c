/*
 * routes_totals.c -- GET /v1/totals and GET /v1/findings: the finance
 * bureau's totals and the findings across its reach.
 *
 * GET /v1/totals: decode and validate the query (every problem listed at
 * once, 422), run the one totals statement (db_totals.c), encode the rows
 * as JSON, CSV or XLSX (totals_out.c).  The caller's reach is in the SQL:
 * nothing here filters rows.  X-Jixiao-Totals says whether the summary
 * table (sql/0011) or the per-subject rows answered.
 *
 * Numbers: money comes from the database as exact numeric text and is
 * sent as it is ("736151.84"); the execution rate (4 decimals) and the
 * mean scores (2 decimals) are rounded half-up by the database and sent as
 * JSON numbers written from that text.  Grade shares are split here by the
 * largest-remainder method on integers (counts, amounts in fen) in units
 * of 0.0001, so that within a group they add up to exactly 1.0000
 * (100%), as a 决算 report's "占项目总数 x%，占支出 y%" must.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db_totals.h"
#include "problem.h"
#include "routes.h"
#include "totals_out.h"
#include "util.h"

static const char *const DIM_NAMES[TD_COUNT] = {"region", "department", "unit", "year",
                                                "grade", "fund_nature", "scope"};

/* ---- query decoding ------------------------------------------------------ */

static int six_digits(const char *s)
{
    int i;

    for (i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[6] == '\0';
}

static int parse_year(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (end == s || end - s != 4 || v < 2000 || v > 2100)
        return -1;
    *out = (int)v;
    return (int)(end - s);
}

/* "2022" or "2020-2023". */
static int parse_years(const char *s, int *from, int *to)
{
    int n = parse_year(s, from);

    if (n < 0)
        return -1;
    if (s[n] == '\0') {
        *to = *from;
        return 0;
    }
    if (s[n] != '-' || parse_year(s + n + 1, to) != 4 || s[n + 5] != '\0' || *to < *from)
        return -1;
    return 0;
}

/* A comma list whose items are all in allowed[] into "{a,b}" (deduplicated
 * by the database's = ANY).  -1 on an unknown item or an empty list. */
static int parse_list(const char *s, const char *const *allowed, size_t nallowed, char *out,
                      size_t outlen)
{
    size_t used = 1, i, n;
    const char *p = s;

    if (outlen < 3 || !*s)
        return -1;
    out[0] = '{';
    for (;;) {
        n = strcspn(p, ",");
        for (i = 0; i < nallowed; i++)
            if (strlen(allowed[i]) == n && !strncmp(allowed[i], p, n))
                break;
        if (i == nallowed || used + n + 2 > outlen)
            return -1;
        if (used > 1)
            out[used++] = ',';
        memcpy(out + used, p, n);
        used += n;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    out[used++] = '}';
    out[used] = '\0';
    return 0;
}

static void bad(jx_errors *errs, const char *name, const char *want)
{
    char ptr[64];

    snprintf(ptr, sizeof ptr, "/query/%s", name);
    errs_add(errs, JX_EINVALID, ptr, "QUERY_INVALID", "参数 %s 无效，应为%s (bad query parameter %s)",
             name, want, name);
}

/* The level one below a region: province -> city -> county. */
static const char *level_below(const char *region)
{
    if (!region || !strcmp(region, "000000"))
        return "province";
    if (!strcmp(region + 2, "0000"))
        return "city";
    return "county";
}

static int decode_group_by(const char *s, totals_filter *f)
{
    const char *p = s;
    size_t n;
    int i;

    for (;;) {
        n = strcspn(p, ",");
        for (i = 0; i < TD_COUNT; i++)
            if (strlen(DIM_NAMES[i]) == n && !strncmp(DIM_NAMES[i], p, n))
                break;
        if (i == TD_COUNT)
            return -1;
        f->group[i] = 1;
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

typedef struct {
    totals_filter f;
    char scopes[64], statuses[64];
    int status_default;
    const char *format;
} totals_query;

static int decode_totals(jx_req *req, const auth_info *who, totals_query *q, jx_errors *errs)
{
    static const char *const SCOPES[] = {"project", "department_wide", "unit_wide"};
    static const char *const STATUSES[] = {"draft", "submitted", "accepted"};
    const char *s;
    char *end;
    long long d;

    memset(q, 0, sizeof *q);
    if ((s = req_query(req, "year")) && parse_years(s, &q->f.year_from, &q->f.year_to) < 0)
        bad(errs, "year", "年份或年份区间，如 2022 或 2020-2023 (a year or a range)");
    if ((s = req_query(req, "region"))) {
        if (!six_digits(s))
            bad(errs, "region", "六位行政区划代码 (a 6-digit region code)");
        else
            q->f.region = s;
    }
    if ((s = req_query(req, "department"))) {
        d = strtoll(s, &end, 10);
        if (end == s || *end || d <= 0)
            bad(errs, "department", "部门的组织编号 (a department's organisation id)");
        else
            q->f.department = d;
    }
    if ((s = req_query(req, "scope"))) {
        if (parse_list(s, SCOPES, 3, q->scopes, sizeof q->scopes) < 0)
            bad(errs, "scope", " project、department_wide、unit_wide 之一或以逗号分隔的几个 "
                               "(one or more of project, department_wide, unit_wide)");
        else
            q->f.scopes = q->scopes;
    }
    s = req_query(req, "status");
    q->status_default = !s;
    if (!s)
        snprintf(q->statuses, sizeof q->statuses, "{submitted,accepted}");
    else if (!strcmp(s, "all"))
        snprintf(q->statuses, sizeof q->statuses, "{draft,submitted,accepted}");
    else if (parse_list(s, STATUSES, 3, q->statuses, sizeof q->statuses) < 0)
        bad(errs, "status", " draft、submitted、accepted 之一、以逗号分隔的几个或 all "
                            "(one or more of draft, submitted, accepted, or all)");
    q->f.statuses = q->statuses;
    if ((s = req_query(req, "group_by")) && *s && decode_group_by(s, &q->f) < 0)
        bad(errs, "group_by", " region、department、unit、year、grade、fund_nature、scope "
                              "中的一个或几个 (one or more of region, department, unit, year, "
                              "grade, fund_nature, scope)");
    s = req_query(req, "region_level");
    if (s && strcmp(s, "province") && strcmp(s, "city") && strcmp(s, "county"))
        bad(errs, "region_level", " province、city 或 county (province, city or county)");
    q->f.region_level = s ? s : level_below(q->f.region ? q->f.region : who->region_code);
    q->format = req_query(req, "format");
    if (!q->format)
        q->format = "json";
    if (strcmp(q->format, "json") && strcmp(q->format, "csv") && strcmp(q->format, "xlsx"))
        bad(errs, "format", " json、csv 或 xlsx (json, csv or xlsx)");
    return errs->count ? -1 : 0;
}

/* ---- shares that add up ---------------------------------------------------- */

/* Splits 10000 (= 100.00%) over parts[0..n) in proportion to v[], by the
 * largest-remainder method; all -1 when the whole is 0 (no share). */
static void split_shares(const long long *v, int n, int *parts)
{
    long long whole = 0, rem[8];
    int i, given = 0, best;

    for (i = 0; i < n; i++)
        whole += v[i];
    if (whole <= 0) {
        for (i = 0; i < n; i++)
            parts[i] = -1;
        return;
    }
    for (i = 0; i < n; i++) {
        parts[i] = (int)(v[i] * 10000 / whole);
        rem[i] = v[i] * 10000 % whole;
        given += parts[i];
    }
    while (given < 10000) {
        best = 0;
        for (i = 1; i < n; i++)
            if (rem[i] > rem[best])
                best = i;
        parts[best]++;
        rem[best] = -1;
        given++;
    }
}

/* ---- the model ------------------------------------------------------------- */

static const char *val(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static long long ival(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void fill_row(const PGresult *res, int r, totals_row *t)
{
    static const char *const GRADES[TOTALS_GRADES] = {"优", "良", "中", "差", NULL};
    long long counts[TOTALS_GRADES], fen[TOTALS_GRADES];
    int cs[TOTALS_GRADES], as[TOTALS_GRADES], i;

    memset(t, 0, sizeof *t);
    t->is_total = val(res, r, TC_IS_TOTAL)[0] == 't';
    t->key[TD_REGION] = val(res, r, TC_REGION);
    t->region_name = val(res, r, TC_REGION_NAME);
    t->key[TD_DEPARTMENT] = val(res, r, TC_DEPARTMENT);
    t->department_name = val(res, r, TC_DEPARTMENT_NAME);
    t->key[TD_UNIT] = val(res, r, TC_UNIT);
    t->unit_name = val(res, r, TC_UNIT_NAME);
    t->key[TD_YEAR] = val(res, r, TC_YEAR);
    t->key[TD_GRADE] = val(res, r, TC_GRADE);
    t->key[TD_FUND_NATURE] = val(res, r, TC_FUND_NATURE);
    t->key[TD_SCOPE] = val(res, r, TC_SCOPE);
    t->count = ival(res, r, TC_N);
    t->evaluated = ival(res, r, TC_N_EVAL);
    t->incomplete = ival(res, r, TC_N_INCOMPLETE);
    t->initial = val(res, r, TC_S_INITIAL);
    t->adjusted = val(res, r, TC_S_ADJUSTED);
    t->executed = val(res, r, TC_S_EXECUTED);
    t->rate = val(res, r, TC_RATE);
    t->mean = val(res, r, TC_MEAN);
    t->wmean = val(res, r, TC_WMEAN);
    for (i = 0; i < TOTALS_GRADES; i++) {
        counts[i] = ival(res, r, TC_GRADE_N + i);
        fen[i] = ival(res, r, TC_GRADE_E + i);
    }
    split_shares(counts, TOTALS_GRADES, cs);
    split_shares(fen, TOTALS_GRADES, as);
    for (i = 0; i < TOTALS_GRADES; i++) {
        t->grades[i].grade = GRADES[i];
        t->grades[i].count = counts[i];
        t->grades[i].fen = fen[i];
        t->grades[i].count_share = cs[i];
        t->grades[i].amount_share = as[i];
    }
    t->f_any = ival(res, r, TC_F_ANY);
    t->f_error = ival(res, r, TC_F_ERROR);
    t->f_warning = ival(res, r, TC_F_WARNING);
    t->f_info = ival(res, r, TC_F_INFO);
}

int route_totals(jx_req *req, jx_resp *resp)
{
    auth_info who;
    totals_query q;
    totals_doc doc;
    jx_errors errs;
    PGresult *res = NULL;
    db_err e;
    int i, summary = 0, rc = 0;

    memset(&errs, 0, sizeof errs);
    memset(&doc, 0, sizeof doc);
    if (auth_require(req, resp, &who) < 0)
        return 0;
    if (decode_totals(req, &who, &q, &errs) < 0)
        return problem_invalid(resp, &errs);
    if (dbt_totals(&who, &q.f, &res, &summary, &e) < 0)
        return db_problem(resp, &e);
    /* which table answered: for operators and the tests */
    resp_header(resp, "X-Jixiao-Totals", "%s", summary ? "summary" : "rows");
    doc.filter = &q.f;
    doc.status_default = q.status_default;
    doc.nrows = PQntuples(res);
    doc.rows = calloc((size_t)(doc.nrows ? doc.nrows : 1), sizeof *doc.rows);
    if (!doc.rows) {
        rc = -1;
        goto out;
    }
    for (i = 0; i < doc.nrows; i++)
        fill_row(res, i, &doc.rows[i]);
    if (!strcmp(q.format, "csv"))
        rc = totals_csv(&doc, resp);
    else if (!strcmp(q.format, "xlsx"))
        rc = totals_xlsx(&doc, resp);
    else
        rc = totals_json(&doc, resp);
out:
    free(doc.rows);
    PQclear(res);
    return rc;
}

/* ---- GET /v1/findings ------------------------------------------------------ */

static int decode_findings(jx_req *req, findings_filter *f, jx_errors *errs)
{
    const char *s;
    char *end;
    long long v;
    int y;

    memset(f, 0, sizeof *f);
    f->limit = 50;
    if ((s = req_query(req, "year"))) {
        if (parse_year(s, &y) != 4 || s[4])
            bad(errs, "year", "年份，如 2022 (a year)");
        else
            f->year = y;
    }
    if ((s = req_query(req, "region"))) {
        if (!six_digits(s))
            bad(errs, "region", "六位行政区划代码 (a 6-digit region code)");
        else
            f->region = s;
    }
    if ((s = req_query(req, "department"))) {
        v = strtoll(s, &end, 10);
        if (end == s || *end || v <= 0)
            bad(errs, "department", "部门的组织编号 (a department's organisation id)");
        else
            f->department = v;
    }
    if ((s = req_query(req, "code"))) {
        if (!*s || strlen(s) > 64)
            bad(errs, "code", "发现代码，如 TOTAL_MISMATCH (a finding code)");
        else
            f->code = s;
    }
    if ((s = req_query(req, "severity"))) {
        if (strcmp(s, "error") && strcmp(s, "warning") && strcmp(s, "info"))
            bad(errs, "severity", " error、warning 或 info (error, warning or info)");
        else
            f->severity = s;
    }
    if ((s = req_query(req, "limit"))) {
        v = strtoll(s, &end, 10);
        if (end == s || *end || v < 1 || v > 1000)
            bad(errs, "limit", " 1 到 1000 的整数 (an integer from 1 to 1000)");
        else
            f->limit = (int)v;
    }
    if ((s = req_query(req, "cursor"))) {
        long long ev = strtoll(s, &end, 10), pos = -1;

        if (end != s && *end == '.')
            pos = strtoll(end + 1, &end, 10);
        if (ev < 0 || pos < 0 || pos > 1000000 || *end)
            bad(errs, "cursor", "上一页返回的 next_cursor (the next_cursor of the previous page)");
        f->after_eval = ev;
        f->after_pos = (int)pos;
    } else {
        f->after_pos = -1;
    }
    return errs->count ? -1 : 0;
}

int route_findings(jx_req *req, jx_resp *resp)
{
    auth_info who;
    findings_filter f;
    jx_errors errs;
    PGresult *res = NULL;
    db_err e;
    strbuf sb;
    char *body;
    size_t len;
    int i, n;

    memset(&errs, 0, sizeof errs);
    if (auth_require(req, resp, &who) < 0)
        return 0;
    if (decode_findings(req, &f, &errs) < 0)
        return problem_invalid(resp, &errs);
    f.limit++;
    if (dbt_findings(&who, &f, &res, &e) < 0)
        return db_problem(resp, &e);
    n = PQntuples(res);
    sb_init(&sb);
    sb_puts(&sb, "{\"items\":[");
    for (i = 0; i < n && i < f.limit - 1; i++) {
        if (i)
            sb_puts(&sb, ",");
        sb_puts(&sb, PQgetvalue(res, i, 2));
    }
    sb_puts(&sb, "],\"next_cursor\":");
    if (n == f.limit)
        sb_printf(&sb, "\"%s.%s\"}", PQgetvalue(res, f.limit - 2, 0),
                  PQgetvalue(res, f.limit - 2, 1));
    else
        sb_puts(&sb, "null}");
    PQclear(res);
    body = sb_take(&sb, &len);
    if (!body)
        return -1;
    resp_body(resp, 200, "application/json", body, len);
    return 0;
}
