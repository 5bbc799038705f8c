/*
 * input/totals.c -- the query strings of GET /v1/totals and GET
 * /v1/findings (totals_query.h), moved out of routes_totals.c unchanged so
 * they can be fuzzed without libpq.  Every problem is listed at once,
 * each with the pointer /query/<name> (422).
 */
#include "input/totals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/list.h"
#include "problem.h"

static const char *const DIM_NAMES[TD_COUNT] = {"region", "department", "unit", "year",
                                                "grade", "fund_nature", "scope"};

/* ---- query decoding ------------------------------------------------------ */

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

int totals_query_decode(const jx_req *req, const char *caller_region, totals_query *q,
                        jx_errors *errs)
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
    /* Scopes never mix: a department's whole budget (department_wide)
     * holds its projects' budgets, so one sum over both counts them twice.
     * No scope: projects only (said in the response); several: grouped
     * by scope whatever group_by says. */
    s = req_query(req, "scope");
    q->scope_default = !s;
    if (!s)
        s = "project";
    else if (!strcmp(s, "all"))
        s = "project,department_wide,unit_wide";
    if (parse_list(s, SCOPES, 3, q->scopes, sizeof q->scopes) < 0)
        bad(errs, "scope", " project、department_wide、unit_wide 之一、以逗号分隔的几个或 all "
                           "(one or more of project, department_wide, unit_wide, or all)");
    q->f.scopes = q->scopes;
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
    if (strchr(q->scopes, ','))
        q->f.group[TD_SCOPE] = 1;
    q->f.region_level = s ? s : level_below(q->f.region ? q->f.region : caller_region);
    q->format = req_query(req, "format");
    if (!q->format)
        q->format = "json";
    if (strcmp(q->format, "json") && strcmp(q->format, "csv") && strcmp(q->format, "xlsx"))
        bad(errs, "format", " json、csv 或 xlsx (json, csv or xlsx)");
    return errs->count ? -1 : 0;
}

int findings_query_decode(const jx_req *req, findings_filter *f, jx_errors *errs)
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
