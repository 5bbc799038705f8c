/*
 * fuzz_query: query strings, decoded as libmicrohttpd decodes them, through
 * every query decoder of the server: the list filters and cursors
 * (listquery.c, body.c) of projects, assessments, plans and orgs; the
 * totals filters, group_by, region_level and format, and the findings
 * filters and cursor (totals_query.c); import's mode and dry_run
 * (import_input.c); evaluations' dry_run (body.c).
 *
 * Invariants: a refusal is a well-formed problem (400, or 422 with
 * /query/<name> pointers); an acceptance is in range (limit 1..1000, year
 * 2000..2100 or 0, region six digits, array literals well formed), and
 * the cursor the next page would carry decodes to the same position.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/body.h"
#include "fuzz_server.h"
#include "input/import.h"
#include "input/list.h"
#include "problem.h"
#include "input/totals.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_region(const char *r)
{
    if (r && (strlen(r) != 6 || strspn(r, "0123456789") != 6))
        abort();
}

/* "{a,b}" with items among the words of allowed (space separated). */
static void check_array(const char *lit, const char *allowed)
{
    size_t n = strlen(lit);
    char copy[80], *tok, *save = NULL, want[96];

    if (n < 3 || n >= sizeof copy || lit[0] != '{' || lit[n - 1] != '}')
        abort();
    memcpy(copy, lit + 1, n - 2);
    copy[n - 2] = '\0';
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        snprintf(want, sizeof want, " %s ", tok);
        if (!strstr(allowed, want))
            abort();
    }
}

static void lists(const jx_req *req)
{
    static const unsigned WANT[] = {LQ_PROJECTS, LQ_ASSESSMENTS, LQ_PLANS, LQ_ORGS};
    size_t i;

    for (i = 0; i < sizeof WANT / sizeof WANT[0]; i++) {
        listquery q;
        jx_resp resp;

        memset(&resp, 0, sizeof resp);
        if (listquery_decode(req, &resp, WANT[i], &q) < 0) {
            fz_check_problem(&resp, 400);
            fz_resp_free(&resp);
            continue;
        }
        if (resp.status || q.limit < 1 || q.limit > 1000 || q.after < 0 || q.org < 0 ||
            q.parent < 0 || (q.year && (q.year < 2000 || q.year > 2100)) ||
            (q.q && (WANT[i] & LQ_Q) && strlen(q.q) > 200))
            abort();
        check_region(q.region);
        {
            /* the next page's cursor decodes to where this page ends */
            char cur[32], qs[48];
            jx_req again;
            int limit;
            int64_t after;

            page_cursor(q.after, cur, sizeof cur);
            snprintf(qs, sizeof qs, "cursor=%s", cur);
            fz_req_init(&again, qs, strlen(qs), NULL, 0, NULL);
            if (page_params(&again, &resp, &limit, &after) < 0 || after != q.after)
                abort();
            fz_req_free(&again);
        }
    }
}

static void totals(const jx_req *req)
{
    static const char *const CALLER[] = {"000000", "340000", "341300", "341302"};
    size_t i;

    for (i = 0; i < 4; i++) {
        totals_query q;
        jx_errors errs;
        int d;

        jx_errors_clear(&errs);
        if (totals_query_decode(req, CALLER[i], &q, &errs) < 0) {
            fz_check_errs(&errs);
            continue;
        }
        if (errs.count || (q.f.year_from && (q.f.year_from < 2000 || q.f.year_to > 2100 ||
                                             q.f.year_to < q.f.year_from)) ||
            q.f.department < 0 || !q.f.statuses || !q.f.region_level || !q.format)
            abort();
        check_region(q.f.region);
        check_array(q.f.statuses, " draft submitted accepted ");
        if (q.f.scopes)
            check_array(q.f.scopes, " project department_wide unit_wide ");
        if (strcmp(q.f.region_level, "province") && strcmp(q.f.region_level, "city") &&
            strcmp(q.f.region_level, "county"))
            abort();
        if (strcmp(q.format, "json") && strcmp(q.format, "csv") && strcmp(q.format, "xlsx"))
            abort();
        for (d = 0; d < TD_COUNT; d++)
            if (q.f.group[d] != 0 && q.f.group[d] != 1)
                abort();
    }
}

static void findings(const jx_req *req)
{
    findings_filter f;
    jx_errors errs;

    jx_errors_clear(&errs);
    if (findings_query_decode(req, &f, &errs) < 0) {
        fz_check_errs(&errs);
        return;
    }
    if (f.limit < 1 || f.limit > 1000 || f.department < 0 ||
        (f.year && (f.year < 2000 || f.year > 2100)) || f.after_pos < -1 ||
        f.after_pos > 1000000 || f.after_eval < 0)
        abort();
    check_region(f.region);
    if (f.code && (!*f.code || strlen(f.code) > 64))
        abort();
}

static void flags(const jx_req *req)
{
    jx_resp resp;
    const char *mode;
    int dry, per;

    memset(&resp, 0, sizeof resp);
    if (import_options(req, &resp, &mode, &dry, &per) < 0)
        fz_check_problem(&resp, 400);
    else if ((dry != 0 && dry != 1) || per != !strcmp(mode, "per_record") ||
             (strcmp(mode, "per_record") && strcmp(mode, "all_or_nothing")))
        abort();
    fz_resp_free(&resp);
    if (query_bool(req, &resp, "dry_run", 0, &dry) < 0)
        fz_check_problem(&resp, 400);
    fz_resp_free(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jx_req req;

    fz_req_init(&req, (const char *)data, size, NULL, 0, NULL);
    lists(&req);
    totals(&req);
    findings(&req);
    flags(&req);
    fz_req_free(&req);
    return 0;
}
