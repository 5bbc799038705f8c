/*
 * routes/evaluations.c -- running and reading evaluations:
 *   POST /v1/projects/{id}/evaluations      score the stored project now
 *   POST /v1/assessments/{id}/evaluations   the same for a wide assessment
 *   GET  /v1/projects/{id}/evaluations      history (oldest first)
 *   GET  /v1/assessments/{id}/evaluations
 *   GET  /v1/evaluations/{id}               one evaluation, as stored
 *
 * POST takes an optional body {"framework", "framework_version"} to score
 * with another framework (a finance bureau's own) and `?dry_run=true` to
 * answer without storing anything.  Anyone whose reach covers the subject
 * may evaluate it; the subject stays locked while it is scored, so the
 * evaluation records exactly the version it read.  An evaluation is
 * immutable: later edits of the subject or of the framework make new
 * evaluations, never change old ones.
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
#include "db/evaluations.h"
#include "routes/evaluate.h"
#include "db/idempotency.h"
#include "problem.h"
#include "input/project.h"
#include "routes/routes.h"
#include "routes/page.h"
#include "routes/workflow.h"

/* Borrows a connection, begins, locks the subject, reads its cross
 * documents and whether it has a rollup: one round trip (dbe_begin_lock).
 * 0 = go on, the transaction open on *pc; -1 = resp holds the answer and
 * nothing is open. */
static int lock_subject(jx_resp *resp, const auth_info *who, const char *subject, int64_t id,
                        pool_conn **pc, db_row *row, eval_db *db)
{
    db_err e;

    if (db_acquire(pc, &e) < 0) {
        db_problem(resp, &e);
        *pc = NULL;
        return -1;
    }
    if (dbe_begin_lock(*pc, who, subject, id, row, &db->cross_docs, &db->has_rollup, &e) < 0)
        db_problem(resp, &e);
    else if (!row->found)
        problem_not_found(resp);
    else
        return 0;
    PQclear(db->cross_docs);
    db->cross_docs = NULL;
    wf_finish(resp, *pc, 0);
    *pc = NULL;
    db_row_free(row);
    return -1;
}

static int evaluate(jx_req *req, jx_resp *resp, const char *subject)
{
    auth_info who;
    int64_t id;
    int dry = 0, ok = 0, keyed, project = !strcmp(subject, "project");
    idem k;
    json_t *body = NULL;
    eval_options opt;
    pool_conn *pc = NULL;
    db_row row;
    eval_db db = {NULL, 0, 0};

    memset(&row, 0, sizeof row);
    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        query_bool(req, resp, "dry_run", 0, &dry) < 0 || idem_init(req, resp, &k) < 0)
        return 0;
    if (eval_options_decode(req, resp, &body, &opt) < 0)
        return 0;
    /* With an Idempotency-Key the key is claimed in the transaction before
     * the lock and the answer stored before COMMIT (workflow.c's path);
     * without one (the usual case) BEGIN, the lock and the cross read
     * travel together, and COMMIT with the insert: two round trips. */
    keyed = !dry && k.key;
    if (keyed ? wf_lock(resp, &who, project ? &wf_projects : &wf_assessments, id, 0, -1, NULL,
                        &k, &pc, &row)
              : lock_subject(resp, &who, subject, id, &pc, &row, &db))
        goto out;
    db.commit = !keyed && !dry;
    if (eval_run(pc, &who, subject, &row, &db, &opt, dry, resp) == 0) {
        db_err e;

        ok = keyed;
        if (ok && idem_store(pc, &who, &k, resp, &e) < 0) {
            ok = 0;
            db_problem(resp, &e);
        }
    }
    wf_finish(resp, pc, ok);
out:
    db_row_free(&row);
    json_decref(body);
    return 0;
}

int route_project_evaluate(jx_req *req, jx_resp *resp)
{
    return evaluate(req, resp, "project");
}

int route_assessment_evaluate(jx_req *req, jx_resp *resp)
{
    return evaluate(req, resp, "assessment");
}

static int history(jx_req *req, jx_resp *resp, const char *subject)
{
    auth_info who;
    int64_t id, after;
    int limit, exists = 0;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        page_params(req, resp, &limit, &after) < 0)
        return 0;
    if (dbe_subject_exists(&who, subject, id, &exists, &e) < 0)
        return db_problem(resp, &e);
    if (!exists)
        return problem_not_found(resp);
    if (dbe_list(&who, subject, id, after, limit + 1, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, limit);
    PQclear(res);
    return 0;
}

int route_project_evaluations(jx_req *req, jx_resp *resp)
{
    return history(req, resp, "project");
}

int route_assessment_evaluations(jx_req *req, jx_resp *resp)
{
    return history(req, resp, "assessment");
}

int route_evaluation_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, dbe_get, &res) == 0) {
        wf_send_text(resp, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
        PQclear(res);
    }
    return 0;
}
