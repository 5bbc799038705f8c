/*
 * routes/plans.c -- /v1/plans: a department's evaluation plan for a year
 * (评价计划, seed 000's first table), with the plan rules in every answer.
 *
 * Body: {org_id (operator only), year, budget_year (default year - 1),
 * projects: [{project_id?, name, supervising_office?, amount,
 * fund_nature, method}], unit_wide: [{org_id?, name, budget?,
 * project_count?, method}], note?}.  Every problem is listed at once
 * (422); unknown fields are 400.  Only the department itself (or the
 * operator) files and edits its plan; everyone whose reach covers the
 * department reads it.
 *
 * Findings (scoring.md §6), worked out on every answer against the data
 * as it is then:
 *   PLAN_AMOUNT_MISMATCH     a planned amount not consistent with the
 *                            matched project's executed amount
 *   PLAN_UNIT_WIDE_REQUIRED  a department with --plan-unit-wide-min (5)
 *                            or more budget units, itself included, that
 *                            chooses no unit-wide evaluation
 * Each planned project also shows the id of the project it matched.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/plans.h"
#include "db/idempotency.h"
#include "input/plan.h"
#include "input/list.h"
#include "problem.h"
#include "routes/routes.h"
#include "routes/workflow.h"


/* ---- the plan rules ----------------------------------------------------- */

static json_t *finding(const char *code, const char *pointer, const char *msg)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "code", code, "severity", "warning", "pointer",
                     pointer, "message", msg);
}

/* Adds findings, unit_count and matched project ids to the representation
 * rep (a plan JSON object), from the facts rows. */
static void apply_rules(json_t *rep, const PGresult *facts)
{
    json_t *fs = json_array(), *projects = json_object_get(rep, "projects");
    int i, units = 0;

    for (i = 0; i < PQntuples(facts); i++) {
        json_t *item;
        char text[128], ptr[64], msg[480];
        long idx;

        units = atoi(PQgetvalue(facts, i, 3));
        if (PQgetisnull(facts, i, 0))
            continue;
        idx = atol(PQgetvalue(facts, i, 0));
        item = json_array_get(projects, (size_t)idx);
        if (!item)
            continue;
        if (PQgetisnull(facts, i, 1)) {
            json_object_set_new(item, "matched_project_id", json_null());
            continue;
        }
        json_object_set_new(item, "matched_project_id",
                            json_integer(strtoll(PQgetvalue(facts, i, 1), NULL, 10)));
        if (PQgetisnull(facts, i, 2) || plan_amount_text(json_object_get(item, "amount"), text,
                                                    sizeof text) < 0)
            continue;
        if (jx_amounts_consistent(text, PQgetvalue(facts, i, 2)) == 0) {
            snprintf(ptr, sizeof ptr, "/projects/%ld/amount", idx);
            snprintf(msg, sizeof msg,
                     "计划金额 %.60s 与项目全年执行数 %.60s 不一致 (the planned amount is not "
                     "consistent with the project's executed amount)",
                     text, PQgetvalue(facts, i, 2));
            json_array_append_new(fs, finding("PLAN_AMOUNT_MISMATCH", ptr, msg));
        }
    }
    if (units >= app.cfg->plan_unit_wide_min &&
        json_array_size(json_object_get(rep, "unit_wide")) == 0) {
        char msg[480];

        snprintf(msg, sizeof msg,
                 "部门所属预算单位（含部门本级）共 %d 个，达到 %d 个，须至少选择 1 个单位开展整体"
                 "支出评价 (a department with %d budget units must choose a unit-wide "
                 "evaluation)",
                 units, app.cfg->plan_unit_wide_min, units);
        json_array_append_new(fs, finding("PLAN_UNIT_WIDE_REQUIRED", "/unit_wide", msg));
    }
    json_object_set_new(rep, "unit_count", json_integer(units));
    json_object_set_new(rep, "findings", fs);
}

/* Sends rep_text (a plan representation) with its findings. */
static int send_plan(jx_resp *resp, unsigned status, const char *version, const char *rep_text,
                     const char *province, int64_t org_id)
{
    json_t *rep = json_loads(rep_text, 0, NULL);
    PGresult *facts = NULL;
    db_err e;
    char *body = NULL, *doc = NULL;

    if (!rep)
        return problem_internal(resp, "plan");
    doc = json_dumps(rep, JSON_COMPACT);
    if (!doc || dbl_facts(province, org_id, doc, &facts, &e) < 0) {
        json_decref(rep);
        free(doc);
        return doc ? db_problem(resp, &e)
                   : problem_oom(resp);
    }
    apply_rules(rep, facts);
    PQclear(facts);
    body = json_dumps(rep, JSON_COMPACT);
    json_decref(rep);
    free(doc);
    if (!body)
        return problem_oom(resp);
    resp_body(resp, status, CT_JSON, body, strlen(body));
    resp_header(resp, "ETag", "\"%s\"", version);
    return 0;
}

/* ---- routes ------------------------------------------------------------- */

static int not_department(jx_resp *resp)
{
    jx_errors errs;

    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/org_id", "ORG_UNKNOWN",
             "评价计划由部门（主管部门）自己填报；运营者须给出部门的 org_id (plans are filed by "
             "a department itself; the operator gives the department's org_id)");
    return problem_invalid(resp, &errs);
}

/* 0 when every project and unit the plan names is its department's;
 * else -1 with 422 listing each one (unknown ids answer the same). */
static int refs_in_reach(pool_conn *pc, jx_resp *resp, int64_t department_id, const char *doc)
{
    PGresult *res = NULL;
    jx_errors errs;
    db_err e;
    int i;

    if (dbl_refs_out_of_reach(pc, department_id, doc, &res, &e) < 0) {
        db_problem(resp, &e);
        return -1;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    jx_errors_clear(&errs);
    for (i = 0; i < PQntuples(res); i++) {
        if (!strcmp(PQgetvalue(res, i, 1), "project"))
            errs_add(&errs, JX_EINVALID, PQgetvalue(res, i, 0), "PROJECT_UNKNOWN",
                     "本部门及所属单位没有这个项目 (no such project of the department or its "
                     "units)");
        else
            errs_add(&errs, JX_EINVALID, PQgetvalue(res, i, 0), "ORG_UNKNOWN",
                     "不是本部门或其所属单位 (not the department or one of its units)");
    }
    PQclear(res);
    problem_invalid(resp, &errs);
    return -1;
}

int route_plan_create(jx_req *req, jx_resp *resp)
{
    auth_info who;
    json_t *body = NULL;
    int64_t org_id;
    int year, ok = 0;
    char *doc = NULL;
    idem k;
    pool_conn *pc = NULL;
    PGresult *res = NULL, *got = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0 ||
        body_json(req, resp, 0, &body) < 0)
        return 0;
    if (plan_decode(body, resp, &org_id, &year, &doc) < 0)
        goto out;
    if (idem_begin(&pc, &who, &k, resp) < 0)
        goto out;
    if (dbl_create(pc, &who, org_id, year, doc, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        not_department(resp);
        goto out;
    }
    if (refs_in_reach(pc, resp, org_id ? org_id : who.org_id, doc) < 0)
        goto out; /* rolled back */
    resp_header(resp, "Location", "/v1/plans/%s", PQgetvalue(res, 0, 0));
    ok = idem_store(pc, &who, &k, resp, &e) == 0 && db_commit(pc, &e) == 0;
    if (!ok) {
        db_problem(resp, &e);
        goto out;
    }
    /* the findings read committed data: after the commit, with the
     * connection given back (never hold one while borrowing another) */
    db_release(pc);
    pc = NULL;
    if (dbl_get(&who, strtoll(PQgetvalue(res, 0, 0), NULL, 10), &got, &e) < 0 ||
        PQntuples(got) != 1) {
        problem_internal(resp, "plan");
        goto out;
    }
    send_plan(resp, 201, PQgetvalue(got, 0, 0), PQgetvalue(got, 0, 1), PQgetvalue(got, 0, 3),
              strtoll(PQgetvalue(got, 0, 2), NULL, 10));
out:
    PQclear(res);
    PQclear(got);
    if (pc) {
        db_rollback(pc);
        db_release(pc);
    }
    json_decref(body);
    free(doc);
    return 0;
}

int route_plan_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, dbl_get, &res) == 0) {
        send_plan(resp, 200, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 3),
                  strtoll(PQgetvalue(res, 0, 2), NULL, 10));
        PQclear(res);
    }
    return 0;
}

int route_plan_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, version, org_id;
    json_t *body = NULL;
    int year, ok = 0;
    char *doc = NULL;
    pool_conn *pc = NULL;
    db_row row;
    PGresult *res = NULL;
    db_err e;

    memset(&row, 0, sizeof row);
    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (plan_decode(body, resp, &org_id, &year, &doc) < 0)
        goto out;
    if (wf_lock(resp, &who, &wf_plans, id, version, 0, NULL, NULL, &pc, &row) < 0)
        goto out;
    if (org_id && org_id != row.org_id) {
        jx_errors errs;

        jx_errors_clear(&errs);
        errs_add(&errs, JX_EINVALID, "/org_id", "ORG_IMMUTABLE",
                 "计划所属部门不能更改 (a plan cannot move to another department)");
        problem_invalid(resp, &errs);
    } else if (refs_in_reach(pc, resp, row.org_id, doc) < 0) {
        /* answered */
    } else if (dbl_update(pc, &who, &row, year, doc, &res, &e) < 0) {
        db_problem(resp, &e);
    } else {
        ok = db_commit(pc, &e) == 0;
        if (!ok)
            db_problem(resp, &e);
    }
    wf_finish(resp, pc, 0);
    if (ok)
        send_plan(resp, 200, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), row.province,
                  row.org_id);
out:
    db_row_free(&row);
    PQclear(res);
    json_decref(body);
    free(doc);
    return 0;
}

int route_plans_list(jx_req *req, jx_resp *resp)
{
    return wf_list(req, resp, LQ_PLANS, dbl_list);
}

static int plan_history(const auth_info *who, int64_t id, int64_t after, int limit,
                        PGresult **res, db_err *e)
{
    return audit_history("plan", who, id, after, limit, res, e);
}

int route_plan_history(jx_req *req, jx_resp *resp)
{
    return wf_history(req, resp, plan_history);
}
