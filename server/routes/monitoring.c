/*
 * routes/monitoring.c -- mid-year monitoring (双监控): a project's reports
 * (PUT/GET /v1/projects/{id}/monitoring/{period}, GET .../monitoring),
 * the list with colours and their totals (GET /v1/monitoring) and the
 * thresholds of a finance bureau's region (GET/PUT
 * /v1/monitoring/thresholds).
 *
 * Who may do what:
 *   report     whoever may edit the project (its organisation, the
 *              department above, the operator), in any workflow state:
 *              monitoring runs during the year, beside the self-assessment
 *   read       anyone whose reach covers the project
 *   thresholds a finance bureau for its own region; the operator for the
 *              default (region 000000)
 * The period must lie in the project's year (422); an amount above the
 * budget is accepted with an OVERSPENT warning in the answer.
 */
#include "routes/monitoring.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/monitoring.h"
#include "input/body.h"
#include "input/list.h"
#include "input/monitoring.h"
#include "problem.h"
#include "routes/auth.h"
#include "routes/page.h"
#include "routes/routes.h"
#include "routes/workflow.h"
#include "util.h"


int put_precondition(const jx_req *req, jx_resp *resp, int64_t current)
{
    int64_t want;
    char detail[240];

    if (!req_header(req, "If-Match")) {
        if (!current)
            return 0;
        snprintf(detail, sizeof detail,
                 "已存在（版本 %lld），替换须带 If-Match (it exists at version %lld: send "
                 "If-Match to replace it)",
                 (long long)current, (long long)current);
        problem(resp, 428, "precondition-required", "需要 If-Match (precondition required)",
                detail);
        resp_header(resp, "ETag", "\"%lld\"", (long long)current);
        return -1;
    }
    if (if_match(req, resp, &want) < 0)
        return -1;
    if (current && (want == 0 || want == current))
        return 0;
    if (!current)
        snprintf(detail, sizeof detail, "尚不存在，不能带 If-Match 替换 (it does not exist yet)");
    else
        snprintf(detail, sizeof detail,
                 "已被他人修改，当前版本为 %lld，请重新读取后再改 (changed meanwhile; current "
                 "version %lld)",
                 (long long)current, (long long)current);
    problem(resp, 412, "stale", "版本已过期 (precondition failed)", detail);
    if (current)
        resp_header(resp, "ETag", "\"%lld\"", (long long)current);
    return -1;
}

/* The {period} of the path; 404 when it is not a period (it names nothing). */
static int path_period(const jx_req *req, jx_resp *resp, mon_period *p)
{
    if (mon_period_parse(req_param(req, "period"), p) < 0) {
        problem_not_found(resp);
        return -1;
    }
    return 0;
}

/* ---- PUT /v1/projects/{id}/monitoring/{period} ------------------------------ */

static int put_locked(jx_req *req, jx_resp *resp, pool_conn *pc, const auth_info *who,
                      const db_row *row, const mon_period *p, json_t *body)
{
    json_t *doc = json_loadb(row->doc, row->doc_len, 0, NULL);
    jx_errors errs;
    mon_in in;
    int64_t current;
    PGresult *res = NULL;
    db_err e;
    int rc = -1, year;

    memset(&in, 0, sizeof in);
    if (!doc) {
        problem_internal(resp, "stored document");
        goto out;
    }
    year = (int)json_integer_value(json_object_get(doc, "year"));
    mon_decode(body, doc, &in, &errs);
    if (p->year != year) {
        char ptr[8] = "";

        errs_add(&errs, JX_EINVALID, ptr, "PERIOD_OUT_OF_YEAR",
                 "报告期 %s 不在项目年度 %d 之内 (the period is outside the project's year %d)",
                 p->text, year, year);
    }
    if (errs.count) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (dbm_report_version(pc, row, p->text, &current, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (put_precondition(req, resp, current) < 0)
        goto out;
    if (dbm_report_put(pc, who, row, p, &in, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        problem_internal(resp, "monitoring put");
        goto out;
    }
    if (!current)
        resp_header(resp, "Location", "/v1/projects/%lld/monitoring/%s", (long long)row->id,
                    p->text);
    wf_send(resp, current ? 200 : 201, res, 0);
    rc = 0;
out:
    PQclear(res);
    json_decref(doc);
    mon_in_free(&in);
    return rc;
}

int route_monitoring_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id;
    mon_period p;
    json_t *body = NULL;
    pool_conn *pc = NULL;
    db_row row;
    int ok;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        path_period(req, resp, &p) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (wf_lock(resp, &who, &wf_projects, id, 0, 0, NULL, NULL, &pc, &row) < 0) {
        json_decref(body);
        return 0;
    }
    ok = put_locked(req, resp, pc, &who, &row, &p, body) == 0;
    json_decref(body);
    db_row_free(&row);
    return wf_finish(resp, pc, ok);
}

/* ---- reads ------------------------------------------------------------------ */

int route_monitoring_get(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id;
    mon_period p;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        path_period(req, resp, &p) < 0)
        return 0;
    if (dbm_report_get(&who, id, p.text, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) != 1)
        problem_not_found(resp);
    else
        wf_send(resp, 200, res, 0);
    PQclear(res);
    return 0;
}

int route_monitoring_of_project(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, after;
    int limit;
    PGresult *res = NULL, *proj = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        page_params(req, resp, &limit, &after) < 0)
        return 0;
    if (dbm_reports_of(&who, id, after, limit + 1, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) == 0 && after == 0) {
        /* no reports: is there such a project in reach at all? */
        if (dbp_get(&who, id, &proj, &e) < 0)
            db_problem(resp, &e);
        else if (PQntuples(proj) != 1)
            problem_not_found(resp);
        else
            send_page(resp, res, limit);
        PQclear(proj);
    } else {
        send_page(resp, res, limit);
    }
    PQclear(res);
    return 0;
}

/* ---- GET /v1/monitoring --------------------------------------------------------- */

/* 400 for a bad query parameter; -1 (decode_query's answer). */
static int bad_query(jx_resp *resp, const char *detail)
{
    problem(resp, 400, "bad-request", "请求有误 (bad request)", detail);
    return -1;
}

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

static int decode_query(const jx_req *req, jx_resp *resp, mon_query *q)
{
    static const char *const colors[] = {"green", "yellow", "red", "none", NULL};
    static const char *const groups[] = {"region", "department", "unit", NULL};
    int64_t v;
    int set;
    mon_period p;

    memset(q, 0, sizeof *q);
    if (page_params(req, resp, &q->limit, &q->after) < 0 ||
        query_int(req, resp, "year", 2000, 2100, &v, &set) < 0)
        return -1;
    q->year = set ? (int)v : 0;
    if (query_int(req, resp, "department", 1, INT64_MAX, &v, &set) < 0)
        return -1;
    q->department = set ? v : 0;
    q->period = req_query(req, "period");
    if (q->period && mon_period_parse(q->period, &p) < 0)
        return bad_query(resp, "period 应为 YYYY-MM 或 YYYY-Qn，如 2024-06、2024-Q2 "
                               "(period must be YYYY-MM or YYYY-Qn)");
    q->color = req_query(req, "color");
    if (q->color && !one_of(q->color, colors))
        return bad_query(resp, "color 应为 green、yellow、red 或 none (unknown colour)");
    q->region = req_query(req, "region");
    if (q->region && !region_code_ok(q->region))
        return bad_query(resp, "region 应为六位地区代码 (region must be a 6-digit code)");
    q->group_by = req_query(req, "group_by");
    if (!q->group_by)
        q->group_by = "region";
    else if (!one_of(q->group_by, groups))
        return bad_query(resp, "group_by 应为 region、department 或 unit (unknown grouping)");
    return 0;
}

/* {"green": {...}, ...} of one group from rows [from, to) of res. */
static void put_colors(strbuf *sb, const PGresult *res, int from, int to)
{
    int i;

    sb_puts(sb, "{");
    for (i = from; i < to; i++) {
        if (i > from)
            sb_puts(sb, ",");
        sb_json_str(sb, PQgetvalue(res, i, 2));
        sb_printf(sb, ":{\"count\":%s,\"budget\":\"%s\",\"executed\":\"%s\"}",
                  PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5));
    }
    sb_puts(sb, "}");
}

/* "totals": {"group_by", "groups": [{key, name, colors}]} from rows
 * (key, name, colour, count, budget, executed) sorted by key. */
static void put_totals(strbuf *sb, const char *group_by, const PGresult *res)
{
    int i = 0, n = PQntuples(res), first = 1;

    sb_puts(sb, ",\"totals\":{\"group_by\":");
    sb_json_str(sb, group_by);
    sb_puts(sb, ",\"groups\":[");
    while (i < n) {
        int j = i;

        while (j < n && !strcmp(PQgetvalue(res, j, 0), PQgetvalue(res, i, 0)))
            j++;
        if (!first)
            sb_puts(sb, ",");
        first = 0;
        sb_puts(sb, "{\"key\":");
        sb_json_str(sb, PQgetvalue(res, i, 0));
        sb_puts(sb, ",\"name\":");
        if (PQgetisnull(res, i, 1))
            sb_puts(sb, "null");
        else
            sb_json_str(sb, PQgetvalue(res, i, 1));
        sb_puts(sb, ",\"colors\":");
        put_colors(sb, res, i, j);
        sb_puts(sb, "}");
        i = j;
    }
    sb_puts(sb, "]}");
}

int route_monitoring_list(jx_req *req, jx_resp *resp)
{
    auth_info who;
    mon_query q;
    PGresult *res = NULL, *tot = NULL;
    db_err e;
    strbuf sb;
    char cursor[32], *body;
    size_t len;
    int i, n;

    if (auth_require(req, resp, &who) < 0 || decode_query(req, resp, &q) < 0)
        return 0;
    if (dbm_list(&who, &q, &res, &e) < 0)
        return db_problem(resp, &e);
    /* totals on the first page only: they cover every page */
    if (q.after == 0 && dbm_totals(&who, &q, &tot, &e) < 0) {
        PQclear(res);
        return db_problem(resp, &e);
    }
    n = PQntuples(res);
    sb_init(&sb);
    sb_puts(&sb, "{\"items\":[");
    for (i = 0; i < n && i < q.limit; i++) {
        if (i)
            sb_puts(&sb, ",");
        sb_append(&sb, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
    }
    sb_puts(&sb, "],\"next_cursor\":");
    if (n > q.limit) {
        page_cursor(strtoll(PQgetvalue(res, q.limit - 1, 0), NULL, 10), cursor, sizeof cursor);
        sb_json_str(&sb, cursor);
    } else {
        sb_puts(&sb, "null");
    }
    if (tot)
        put_totals(&sb, q.group_by, tot);
    sb_puts(&sb, "}");
    PQclear(res);
    PQclear(tot);
    body = sb_take(&sb, &len);
    if (!body)
        return problem_oom(resp);
    resp_body(resp, 200, CT_JSON, body, len);
    return 0;
}

/* ---- thresholds ----------------------------------------------------------------- */

static int send_thresholds(jx_resp *resp, const PGresult *res)
{
    strbuf sb;
    char *body;
    size_t len;

    if (PQntuples(res) != 1)
        return problem_internal(resp, "thresholds");
    sb_init(&sb);
    sb_printf(&sb, "{\"green\":%s,\"yellow\":%s,\"set_in\":", PQgetvalue(res, 0, 0),
              PQgetvalue(res, 0, 1));
    sb_json_str(&sb, PQgetvalue(res, 0, 2));
    sb_puts(&sb, "}");
    body = sb_take(&sb, &len);
    if (!body)
        return problem_oom(resp);
    resp_body(resp, 200, CT_JSON, body, len);
    return 0;
}

int route_monitoring_thresholds_get(jx_req *req, jx_resp *resp)
{
    auth_info who;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0)
        return 0;
    if (dbm_thresholds_get(who.region_code, &res, &e) < 0)
        return db_problem(resp, &e);
    send_thresholds(resp, res);
    PQclear(res);
    return 0;
}

int route_monitoring_thresholds_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    json_t *body = NULL;
    mon_thresholds_in in;
    jx_errors errs;
    pool_conn *pc = NULL;
    PGresult *res = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (strcmp(who.org_kind, "finance") != 0 && !auth_is_admin(&who)) {
        problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                "只有财政局可以设置本地区的预警阈值 (only a finance bureau sets its region's "
                "thresholds)");
        goto out;
    }
    if (mon_thresholds_decode(body, &in, &errs) < 0) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0 ||
        dbm_thresholds_put(pc, &who, &in, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    ok = send_thresholds(resp, res) == 0;
out:
    PQclear(res);
    json_decref(body);
    if (pc)
        wf_finish(resp, pc, ok);
    return 0;
}
