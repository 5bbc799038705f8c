/*
 * routes/advice.c -- budget advice by grade (结果应用): the rules of a
 * finance bureau's region (GET/PUT /v1/advice/rules), the evaluated
 * projects in reach with grade, advice and decision (GET /v1/advice), and
 * the bureau's decision on one project (PUT /v1/projects/{id}/advice).
 *
 * Rules and decisions are the finance bureau's (or the operator's: the
 * defaults, region 000000); anyone else gets 403.  A decision needs the
 * project in the bureau's reach (404 otherwise) and follows the create or
 * replace preconditions of routes/monitoring.h.  Both are audited.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/advice.h"
#include "input/body.h"
#include "input/monitoring.h"
#include "problem.h"
#include "routes/auth.h"
#include "routes/monitoring.h"
#include "routes/page.h"
#include "routes/routes.h"
#include "routes/workflow.h"
#include "util.h"


static int bureau_only(jx_resp *resp, const auth_info *who)
{
    if (!strcmp(who->org_kind, "finance") || auth_is_admin(who))
        return 0;
    problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
            "只有财政局可以确定预算安排建议 (only a finance bureau sets budget advice)");
    return -1;
}

int route_advice_list(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t after, v;
    int limit, set;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || page_params(req, resp, &limit, &after) < 0 ||
        query_int(req, resp, "year", 2000, 2100, &v, &set) < 0)
        return 0;
    if (dba_advice_list(&who, set ? (int)v : 0, after, limit, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, limit);
    PQclear(res);
    return 0;
}

static int send_rules(jx_resp *resp, const auth_info *who)
{
    PGresult *res = NULL;
    db_err e;
    strbuf sb;
    char *body;
    size_t len;
    int i, n;

    if (dba_rules_get(who, &res, &e) < 0)
        return db_problem(resp, &e);
    n = PQntuples(res);
    sb_init(&sb);
    sb_puts(&sb, "{\"region_code\":");
    sb_json_str(&sb, who->region_code);
    sb_puts(&sb, ",\"rules\":{");
    for (i = 0; i < n; i++) {
        if (i)
            sb_puts(&sb, ",");
        sb_json_str(&sb, PQgetvalue(res, i, 0));
        sb_puts(&sb, ":");
        sb_json_str(&sb, PQgetvalue(res, i, 1));
    }
    sb_puts(&sb, "},\"set_in\":{");
    for (i = 0; i < n; i++) {
        if (i)
            sb_puts(&sb, ",");
        sb_json_str(&sb, PQgetvalue(res, i, 0));
        sb_puts(&sb, ":");
        sb_json_str(&sb, PQgetvalue(res, i, 2));
    }
    sb_puts(&sb, "}}");
    PQclear(res);
    body = sb_take(&sb, &len);
    if (!body)
        return problem_oom(resp);
    resp_body(resp, 200, CT_JSON, body, len);
    return 0;
}

int route_advice_rules_get(jx_req *req, jx_resp *resp)
{
    auth_info who;

    if (auth_require(req, resp, &who) < 0)
        return 0;
    return send_rules(resp, &who);
}

int route_advice_rules_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    json_t *body = NULL;
    jx_errors errs;
    char *rules = NULL;
    pool_conn *pc = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (bureau_only(resp, &who) < 0)
        goto out;
    if (advice_rules_decode(body, &rules, &errs) < 0) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0 ||
        dba_rules_put(pc, &who, rules, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    ok = db_commit(pc, &e) == 0;
    if (!ok)
        db_problem(resp, &e);
    else
        send_rules(resp, &who);
out:
    free(rules);
    json_decref(body);
    if (pc) {
        db_rollback(pc);
        db_release(pc);
    }
    return 0;
}

int route_project_advice_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, current;
    json_t *body = NULL;
    advice_decision_in in;
    jx_errors errs;
    pool_conn *pc = NULL;
    db_row row;
    PGresult *res = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        body_json(req, resp, 0, &body) < 0)
        return 0;
    if (advice_decision_decode(body, &in, &errs) < 0) {
        problem_invalid(resp, &errs);
        json_decref(body);
        return 0;
    }
    if (wf_lock(resp, &who, &wf_projects, id, 0, -1, NULL, NULL, &pc, &row) < 0) {
        json_decref(body);
        return 0;
    }
    if (bureau_only(resp, &who) < 0)
        goto out;
    if (dba_decision_version(pc, &row, &current, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (put_precondition(req, resp, current) < 0)
        goto out;
    if (dba_decision_put(pc, &who, &row, &in, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    wf_send(resp, current ? 200 : 201, res, 0);
    ok = 1;
out:
    PQclear(res);
    json_decref(body);
    db_row_free(&row);
    return wf_finish(resp, pc, ok);
}
