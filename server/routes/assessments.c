/*
 * routes/assessments.c -- /v1/assessments: department-wide and unit-wide
 * self-assessments (部门整体 / 单位整体支出绩效自评, scoring.md §4).
 *
 * The same rules as projects (routes_projects.c): validation of the whole
 * document by the library (assessment.c) before anything is written,
 * Idempotency-Key on POST, If-Match on PUT and workflow, draft -> submitted
 * -> accepted or returned with a reason, the audit trail at
 * /v1/assessments/{id}/history, out of reach is 404.  A department or a
 * unit files its own assessment (a department also for its units); either
 * scope is open to both, since seed 001 shows a 二级机构 filing a 部门整体
 * self-assessment.  Evaluations: routes_evaluations.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/assessment.h"
#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/assessments.h"
#include "db/idempotency.h"
#include "input/list.h"
#include "problem.h"
#include "routes/routes.h"
#include "routes/workflow.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

static int decode_body(jx_req *req, jx_resp *resp, assessment_in *in, char **doc)
{
    json_t *body = NULL;
    jx_errors errs;

    *doc = NULL;
    if (body_json(req, resp, 0, &body) < 0)
        return -1;
    if (assessment_decode(app.ctx, body, in, &errs) < 0) {
        json_decref(body);
        problem_invalid(resp, &errs);
        return -1;
    }
    json_decref(body);
    *doc = json_dumps(in->doc, DUMP_FLAGS);
    if (!*doc) {
        assessment_in_free(in);
        problem_oom(resp);
        return -1;
    }
    return 0;
}

static int org_not_allowed(jx_resp *resp)
{
    jx_errors errs;

    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/org_id", "ORG_UNKNOWN",
             "组织不存在或不在您可填报的范围内 (no such organisation that you may file for)");
    return problem_invalid(resp, &errs);
}

int route_assessment_create(jx_req *req, jx_resp *resp)
{
    auth_info who;
    assessment_in in;
    char *doc = NULL;
    idem k;
    pool_conn *pc = NULL;
    PGresult *res = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0)
        return 0;
    if (decode_body(req, resp, &in, &doc) < 0)
        return 0;
    if (idem_begin(&pc, &who, &k, resp) < 0)
        goto out;
    if (dba_create(pc, &who, &in, doc, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        org_not_allowed(resp);
        goto out;
    }
    resp_header(resp, "Location", "/v1/assessments/%s", PQgetvalue(res, 0, 0));
    wf_send(resp, 201, res, 1);
    ok = idem_store(pc, &who, &k, resp, &e) == 0;
    if (!ok)
        db_problem(resp, &e);
out:
    PQclear(res);
    if (pc)
        wf_finish(resp, pc, ok);
    assessment_in_free(&in);
    free(doc);
    return 0;
}

int route_assessment_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, dba_get, &res) == 0) {
        wf_send(resp, 200, res, 0);
        PQclear(res);
    }
    return 0;
}

int route_assessment_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, version;
    assessment_in in;
    char *doc = NULL;
    pool_conn *pc = NULL;
    db_row row;
    PGresult *res = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0)
        return 0;
    if (decode_body(req, resp, &in, &doc) < 0)
        return 0;
    if (wf_lock(resp, &who, &wf_assessments, id, version, 0, "修改 (be changed)", NULL, &pc,
                &row) < 0)
        goto out;
    if (in.org_id && in.org_id != row.org_id) {
        jx_errors errs;

        jx_errors_clear(&errs);
        errs_add(&errs, JX_EINVALID, "/org_id", "ORG_IMMUTABLE",
                 "自评所属组织不能更改 (an assessment cannot move to another organisation)");
        problem_invalid(resp, &errs);
    } else if (dba_update(pc, &who, &row, &in, doc, &res, &e) < 0) {
        db_problem(resp, &e);
    } else {
        ok = wf_send(resp, 200, res, 0) == 0 && resp->status == 200;
    }
    db_row_free(&row);
    wf_finish(resp, pc, ok);
out:
    PQclear(res);
    assessment_in_free(&in);
    free(doc);
    return 0;
}

int route_assessment_submit(jx_req *req, jx_resp *resp)
{
    return wf_transition(req, resp, &wf_assessments, "submit");
}

int route_assessment_accept(jx_req *req, jx_resp *resp)
{
    return wf_transition(req, resp, &wf_assessments, "accept");
}

int route_assessment_return(jx_req *req, jx_resp *resp)
{
    return wf_transition(req, resp, &wf_assessments, "return");
}

int route_assessments_list(jx_req *req, jx_resp *resp)
{
    return wf_list(req, resp, LQ_ASSESSMENTS, dba_list);
}

int route_assessment_history(jx_req *req, jx_resp *resp)
{
    return wf_history(req, resp, dba_history);
}
