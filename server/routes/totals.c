/*
 * routes/totals.c -- GET /v1/totals and GET /v1/findings: the finance
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

#include "routes/auth.h"
#include "db/totals.h"
#include "problem.h"
#include "routes/routes.h"
#include "input/totals.h"
#include "routes/totals_out.h"
#include "util.h"

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
    if (totals_query_decode(req, who.region_code, &q, &errs) < 0)
        return problem_invalid(resp, &errs);
    if (dbt_totals(&who, &q.f, &res, &summary, &e) < 0)
        return db_problem(resp, &e);
    /* which table answered: for operators and the tests */
    resp_header(resp, "X-Jixiao-Totals", "%s", summary ? "summary" : "rows");
    doc.filter = &q.f;
    doc.status_default = q.status_default;
    doc.scope_default = q.scope_default;
    doc.nrows = PQntuples(res);
    doc.rows = calloc((size_t)(doc.nrows ? doc.nrows : 1), sizeof *doc.rows);
    if (!doc.rows) {
        rc = -1;
        goto out;
    }
    for (i = 0; i < doc.nrows; i++)
        fill_row(res, i, &doc.rows[i]);
    /* several scopes never add up into one total (the rows are grouped by
     * scope, input/totals.c); the total row is the last */
    if (strchr(q.f.scopes, ',') && doc.nrows && doc.rows[doc.nrows - 1].is_total)
        doc.nrows--;
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
    if (findings_query_decode(req, &f, &errs) < 0)
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
