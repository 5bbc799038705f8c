/*
 * input/list.c -- the list endpoints' query strings (listquery.h).
 *
 * The checks and their messages are those the four list handlers each had
 * (projects and assessments quote what was wanted; orgs have their own
 * region message, kept as it was so clients see no change).  The order is
 * fixed: limit, cursor, year, org, parent, region, scope, status, grade, q,
 * so the first bad parameter named is the same whatever the order in the
 * URL.
 */
#include "input/list.h"

#include <stdio.h>
#include <string.h>

#include "input/body.h"
#include "problem.h"

static int bad_filter(jx_resp *resp, const char *name, const char *want)
{
    char detail[300];

    snprintf(detail, sizeof detail, "参数 %s 无效，应为%s (bad query parameter %s)", name, want,
             name);
    problem(resp, 400, "bad-request", "请求有误 (bad request)", detail);
    return -1;
}

int six_digits(const char *s)
{
    int i;

    for (i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[6] == '\0';
}

int region_code_ok(const char *s)
{
    return s && six_digits(s) && strcmp(s, "000000") != 0;
}

static int status_ok(const char *s)
{
    return !strcmp(s, "draft") || !strcmp(s, "submitted") || !strcmp(s, "accepted");
}

/* An id filter: absent -> 0. */
static int id_filter(const jx_req *req, jx_resp *resp, const char *name, int64_t *out)
{
    int64_t v;
    int set;

    if (query_int(req, resp, name, 1, INT64_MAX, &v, &set) < 0)
        return -1;
    *out = set ? v : 0;
    return 0;
}

int listquery_decode(const jx_req *req, jx_resp *resp, unsigned want, listquery *q)
{
    int64_t v;
    int set;

    memset(q, 0, sizeof *q);
    if (page_params(req, resp, &q->limit, &q->after) < 0)
        return -1;
    if (want & LQ_YEAR) {
        if (query_int(req, resp, "year", 2000, 2100, &v, &set) < 0)
            return -1;
        q->year = set ? (int)v : 0;
    }
    if ((want & LQ_ORG) && id_filter(req, resp, "org", &q->org) < 0)
        return -1;
    if ((want & LQ_PARENT) && id_filter(req, resp, "parent", &q->parent) < 0)
        return -1;
    if (want & LQ_KIND)
        q->kind = req_query(req, "kind");
    if (want & (LQ_REGION | LQ_ORG_REGION))
        q->region = req_query(req, "region");
    if ((want & LQ_REGION) && q->region && !six_digits(q->region))
        return bad_filter(resp, "region", "六位行政区划代码 (a 6-digit region code)");
    if ((want & LQ_ORG_REGION) && q->region && !region_code_ok(q->region)) {
        problem(resp, 400, "bad-request", "请求有误 (bad request)",
                "参数 region 应为六位行政区划代码 (region must be a 6-digit code)");
        return -1;
    }
    if (want & LQ_SCOPE) {
        q->scope = req_query(req, "scope");
        if (q->scope && strcmp(q->scope, "department_wide") && strcmp(q->scope, "unit_wide"))
            return bad_filter(resp, "scope", " department_wide 或 unit_wide");
    }
    if (want & LQ_STATUS) {
        q->status = req_query(req, "status");
        if (q->status && !status_ok(q->status))
            return bad_filter(resp, "status", " draft、submitted 或 accepted");
    }
    if (want & LQ_GRADE)
        q->grade = req_query(req, "grade");
    if (want & (LQ_Q | LQ_ORG_Q))
        q->q = req_query(req, "q");
    if ((want & LQ_Q) && q->q && strlen(q->q) > 200)
        return bad_filter(resp, "q", "不超过 200 字节的文字 (at most 200 bytes)");
    return 0;
}
