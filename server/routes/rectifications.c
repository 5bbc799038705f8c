/*
 * routes/rectifications.c -- 整改 items: GET /v1/rectifications (filters
 * project_id, status, overdue, year), GET/PATCH /v1/rectifications/{id},
 * GET .../history.
 *
 * Items are made when a project is submitted (routes/workflow.c, one item
 * per problem of its 问题清单).  Their life:
 *   open / reopened -> in_progress -> done      the unit's side: whoever may
 *                                              edit the project (owner,
 *                                              department above, operator);
 *                                              done needs a note or evidence
 *   done -> verified | reopened                the reviewer's: the department
 *                                              above, the finance bureau, the
 *                                              operator -- never the unit
 *                                              itself (403)
 * A move not allowed from the current status is 409 naming the allowed
 * ones; the deadline is the reviewer's to set.  Every change is audited.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/rectifications.h"
#include "input/body.h"
#include "input/monitoring.h"
#include "problem.h"
#include "routes/auth.h"
#include "routes/page.h"
#include "routes/routes.h"
#include "routes/workflow.h"
#include "util.h"


static int forbidden(jx_resp *resp, const char *detail)
{
    return problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)", detail);
}

/* 409 naming the statuses allowed from `from`. */
static int not_allowed(jx_resp *resp, const char *from, const char *to)
{
    const char *const *n = rect_next(from);
    json_t *o, *allowed = json_array();
    char detail[300], list[120] = "";
    char *body;

    for (; *n; n++) {
        json_array_append_new(allowed, json_string(*n));
        if (list[0])
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, *n, sizeof list - strlen(list) - 1);
    }
    snprintf(detail, sizeof detail,
             "整改事项当前状态为 %s，不能改为 %s；可改为: %s (the item is %s; allowed: %s)", from,
             to, list[0] ? list : "无", from, list[0] ? list : "none");
    o = json_pack("{s:s,s:s,s:i,s:s,s:s,s:o}", "type", "urn:jixiao:problem:invalid-state",
                  "title", "当前状态不允许此操作 (not allowed in this state)", "status", 409,
                  "detail", detail, "current_status", from, "allowed", allowed);
    body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body)
        return problem(resp, 409, "invalid-state", "当前状态不允许此操作", detail);
    resp_body(resp, 409, "application/problem+json", body, strlen(body));
    return 0;
}

/* The checks after the lock: state (409), permission (403), a note for
 * done (422).  0 = go on. */
static int check_change(jx_resp *resp, const rect_row *row, const rect_patch_in *in)
{
    if (in->status && !rect_allowed(row->status, in->status)) {
        not_allowed(resp, row->status, in->status);
        return -1;
    }
    if (in->status && rect_is_review(in->status) && !row->can_review) {
        forbidden(resp, "只有上级主管部门、所在地区的财政局或运营者可以验收或退回整改，责任单位自身不能 "
                        "(only the department above, the finance bureau or the operator may "
                        "verify or reopen; not the unit itself)");
        return -1;
    }
    if (in->status && !rect_is_review(in->status) && !row->can_edit) {
        forbidden(resp, "只有责任单位、其主管部门或运营者可以推进整改 (only the unit, its "
                        "department or the operator may move the item on)");
        return -1;
    }
    if (in->deadline[0] && !row->can_review) {
        forbidden(resp, "整改期限由上级主管部门或财政局确定 (the deadline is set by the "
                        "department above or the finance bureau)");
        return -1;
    }
    if ((in->note || in->evidence) && !in->status && !row->can_edit && !row->can_review) {
        forbidden(resp, "无权修改该整改事项 (may not change this item)");
        return -1;
    }
    if (in->status && !strcmp(in->status, "done") && !row->has_note &&
        !(in->note && *in->note) && !(in->evidence && *in->evidence)) {
        jx_errors errs;

        jx_errors_clear(&errs);
        errs_add(&errs, JX_EINVALID, "/note", "NOTE_REQUIRED",
                 "整改完成须说明情况或提供佐证 (done needs a note or evidence)");
        problem_invalid(resp, &errs);
        return -1;
    }
    return 0;
}

int route_rectification_patch(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, version;
    json_t *body = NULL;
    rect_patch_in in;
    rect_row row;
    jx_errors errs;
    pool_conn *pc = NULL;
    PGresult *res = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (rect_patch_decode(body, &in, &errs) < 0) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0 || dbr_lock(pc, &who, id, &row, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (!row.found) {
        problem_not_found(resp);
        goto out;
    }
    if (version && version != row.version) {
        char detail[200];

        snprintf(detail, sizeof detail,
                 "整改事项已被他人修改，当前版本为 %lld，请重新读取后再改 (changed meanwhile; "
                 "current version %lld)",
                 (long long)row.version, (long long)row.version);
        problem(resp, 412, "stale", "版本已过期 (precondition failed)", detail);
        resp_header(resp, "ETag", "\"%lld\"", (long long)row.version);
        goto out;
    }
    if (check_change(resp, &row, &in) < 0)
        goto out;
    if (dbr_update(pc, &who, &row, &in, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    wf_send(resp, 200, res, 0);
    ok = 1;
out:
    PQclear(res);
    json_decref(body);
    if (pc)
        wf_finish(resp, pc, ok);
    return 0;
}

int route_rectification_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, dbr_get, &res) == 0) {
        wf_send(resp, 200, res, 0);
        PQclear(res);
    }
    return 0;
}

int route_rectifications_list(jx_req *req, jx_resp *resp)
{
    static const char *const statuses[] = {"open", "in_progress", "done", "verified",
                                           "reopened", NULL};
    auth_info who;
    rect_query q;
    PGresult *res = NULL;
    db_err e;
    int64_t v;
    int set, i, known = 0;

    if (auth_require(req, resp, &who) < 0)
        return 0;
    memset(&q, 0, sizeof q);
    if (page_params(req, resp, &q.limit, &q.after) < 0 ||
        query_int(req, resp, "project_id", 1, INT64_MAX, &v, &set) < 0)
        return 0;
    q.project_id = set ? v : 0;
    if (query_int(req, resp, "year", 2000, 2100, &v, &set) < 0)
        return 0;
    q.year = set ? (int)v : 0;
    q.status = req_query(req, "status");
    for (i = 0; q.status && statuses[i]; i++)
        known |= !strcmp(q.status, statuses[i]);
    if (q.status && !known)
        return problem(resp, 400, "bad-request", "请求有误 (bad request)",
                       "status 应为 open、in_progress、done、verified 或 reopened (unknown status)");
    q.overdue = -1;
    if (req_query(req, "overdue") && query_bool(req, resp, "overdue", 0, &q.overdue) < 0)
        return 0;
    if (dbr_list(&who, &q, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, q.limit);
    PQclear(res);
    return 0;
}

int route_rectification_history(jx_req *req, jx_resp *resp)
{
    return wf_history(req, resp, dbr_history);
}
