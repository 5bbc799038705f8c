/*
 * routes/workflow.c -- locking, If-Match, state checks and the transitions of
 * the resources that follow the workflow (projects, assessments, plans).
 *
 * A change borrows a connection, begins, replays an Idempotency-Key retry
 * before anything else (its If-Match is stale by then), locks the row
 * (SELECT ... FOR UPDATE in the caller's reach: out of reach is 404),
 * compares the version (412 with the current one), the permission (403)
 * and the state (409).  Of two edits made with the same ETag exactly one
 * wins.
 */
#include "routes/page.h"
#include "routes/workflow.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/body.h"
#include "db/assessments.h"
#include "db/plans.h"
#include "problem.h"
#include "routes/routes.h"


#define NO_EDIT_TAIL                                                                               \
    "其主管部门或运营者可以修改 (only the owning organisation, its department or the operator "  \
    "may change it)"

static const char GENERIC_NO_REVIEW[] =
    "只有上级主管部门、所在地区的财政局或运营者可以审核 (only the department above, the finance "
    "bureau or the operator may review)";

const wf_resource wf_projects = {
    dbp_lock,
    dbp_transition,
    "项目",
    "project",
    "the project changed",
    "只有上级主管部门、所在地区的财政局或运营者可以审核，项目单位自身不能 (only the department "
    "above, the finance bureau or the operator may review; not the owner)",
    "只有项目所属单位、" NO_EDIT_TAIL,
};

const wf_resource wf_assessments = {
    dba_lock,          dba_transition,        "", "resource", "changed meanwhile",
    GENERIC_NO_REVIEW, "只有所属单位、" NO_EDIT_TAIL,
};

const wf_resource wf_plans = {
    dbl_lock,          NULL,                  "", "resource", "changed meanwhile",
    GENERIC_NO_REVIEW, "只有所属单位、" NO_EDIT_TAIL,
};

int wf_send_text(jx_resp *resp, unsigned status, const char *text, size_t n)
{
    char *copy = malloc(n + 1);

    if (!copy)
        return problem_oom(resp);
    memcpy(copy, text, n);
    copy[n] = '\0';
    resp_body(resp, status, CT_JSON, copy, n);
    return 0;
}

int wf_send(jx_resp *resp, unsigned status, const PGresult *res, int vcol)
{
    resp_header(resp, "ETag", "\"%s\"", PQgetvalue(res, 0, vcol));
    return wf_send_text(resp, status, PQgetvalue(res, 0, vcol + 1),
                        (size_t)PQgetlength(res, 0, vcol + 1));
}

int wf_lock(jx_resp *resp, const auth_info *who, const wf_resource *r, int64_t id,
            int64_t want_version, int need_review, const char *what, const idem *k,
            pool_conn **pc, db_row *row)
{
    db_err e;

    *pc = NULL;
    memset(row, 0, sizeof *row);
    if (idem_begin(pc, who, k, resp) < 0)
        goto fail;
    if (r->lock(*pc, who, id, row, &e) < 0) {
        db_problem(resp, &e);
        goto fail;
    }
    if (wf_check_row(resp, r, row, want_version, need_review, what) < 0)
        goto fail;
    return 0;
fail:
    db_rollback(*pc);
    db_release(*pc);
    *pc = NULL;
    db_row_free(row);
    return -1;
}

int wf_finish(jx_resp *resp, pool_conn *pc, int ok)
{
    db_err e;

    if (ok && db_commit(pc, &e) < 0)
        db_problem(resp, &e);
    db_rollback(pc);
    db_release(pc);
    return 0;
}

int wf_transition(jx_req *req, jx_resp *resp, const wf_resource *r, const char *action)
{
    static const char *const FIELDS[] = {"reason", NULL};
    auth_info who;
    int64_t id, version;
    json_t *body = NULL;
    pool_conn *pc = NULL;
    db_row row;
    PGresult *res = NULL;
    const char *reason = NULL;
    const wf_step *step = wf_step_of(action);
    idem k;
    db_err e;
    int ok = 0;

    if (!step) /* only the three actions reach here; any other moves back as return did */
        step = wf_step_of("return");
    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0 || idem_init(req, resp, &k) < 0)
        return 0;
    if (req->len) {
        if (body_json(req, resp, 0, &body) < 0)
            return 0;
        if (body_unknown_fields(resp, body, FIELDS, "") < 0)
            goto out;
        reason = json_string_value(json_object_get(body, "reason"));
    }
    if (!strcmp(action, "return") && (!reason || !*reason)) {
        jx_errors errs;

        jx_errors_clear(&errs);
        errs_add(&errs, JX_EINVALID, "/reason", "FIELD_REQUIRED",
                 "退回须说明理由 (a return needs a reason)");
        problem_invalid(resp, &errs);
        goto out;
    }
    /* A retry replays (wf_lock) before anything else: its If-Match is stale by now. */
    if (wf_lock(resp, &who, r, id, version, step->review, NULL, &k, &pc, &row) < 0)
        goto out;
    if (strcmp(row.status, step->from) != 0) {
        wf_conflict_state(resp, r, row.status, step->verb);
    } else if (r->transition(pc, &who, &row, action, step->to, reason, &res, &e) < 0) {
        db_problem(resp, &e);
    } else {
        wf_send(resp, 200, res, 0);
        ok = idem_store(pc, &who, &k, resp, &e) == 0;
        if (!ok)
            db_problem(resp, &e);
    }
    db_row_free(&row);
out:
    PQclear(res);
    json_decref(body);
    if (pc)
        wf_finish(resp, pc, ok);
    return 0;
}

int wf_history(jx_req *req, jx_resp *resp, wf_history_fn history)
{
    auth_info who;
    int64_t id, after;
    int limit;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        page_params(req, resp, &limit, &after) < 0)
        return 0;
    if (history(&who, id, after, limit + 1, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) == 0 && after == 0)
        problem_not_found(resp);
    else
        send_page(resp, res, limit);
    PQclear(res);
    return 0;
}

int wf_list(jx_req *req, jx_resp *resp, unsigned want, wf_list_fn list)
{
    auth_info who;
    listquery lq;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || listquery_decode(req, resp, want, &lq) < 0)
        return 0;
    if (list(&who, &lq, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, lq.limit);
    PQclear(res);
    return 0;
}

int wf_get_in_reach(jx_req *req, jx_resp *resp, wf_reach_get_fn get, PGresult **res)
{
    auth_info who;
    int64_t id;
    db_err e;

    *res = NULL;
    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0)
        return -1;
    if (get(&who, id, res, &e) < 0) {
        db_problem(resp, &e);
        return -1;
    }
    if (PQntuples(*res) != 1) {
        problem_not_found(resp);
        PQclear(*res);
        *res = NULL;
        return -1;
    }
    return 0;
}
