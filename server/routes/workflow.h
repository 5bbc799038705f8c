/*
 * routes/workflow.h -- optimistic concurrency and the draft -> submitted ->
 * accepted workflow of projects, assessments and plans: If-Match (body.c),
 * Idempotency-Key (idempotency.c), the audit trail written by the
 * db_<resource>.c statements, problem+json (problem.c).
 */
#ifndef JX_WORKFLOW_H
#define JX_WORKFLOW_H

#include <libpq-fe.h>
#include <stdint.h>

#include "routes/auth.h"
#include "db/tx.h"
#include "db/projects.h"
#include "db/idempotency.h"

/* Locks one row of a resource into a db_row. */
typedef int (*wf_lock_fn)(pool_conn *pc, const auth_info *who, int64_t id, db_row *row,
                          db_err *e);

/* Status to `to`, audit entry `action` with reason.  Row 0: new version,
 * representation. */
typedef int (*wf_transition_fn)(pool_conn *pc, const auth_info *who, const db_row *row,
                                const char *action, const char *to, const char *reason,
                                PGresult **res, db_err *e);

/* A resource that follows the workflow: how to lock a row, how to move it
 * (NULL: no workflow) and the words of its problems. */
typedef struct {
    wf_lock_fn lock;
    wf_transition_fn transition;
    const char *noun_zh;   /* before 当前状态 / 已被他人修改, may be "" */
    const char *noun_en;   /* "the <noun_en> is <status>" */
    const char *stale_en;  /* "(<stale_en>; current version N)" */
    const char *no_review; /* 403 detail without the right to review */
    const char *no_edit;   /* 403 detail without the right to edit */
} wf_resource;

extern const wf_resource wf_projects, wf_assessments, wf_plans;

/* Borrows a connection, begins, claims the idempotency key (k may be
 * NULL), locks the row and checks If-Match (want_version 0 = any),
 * permission (need_review 1: review, 0: edit, -1: reading is enough) and, when `what` is given, that the row is a
 * draft.  0 = go on (transaction open on *pc); -1 = resp holds the answer
 * and nothing is open. */
int wf_lock(jx_resp *resp, const auth_info *who, const wf_resource *r, int64_t id,
            int64_t want_version, int need_review, const char *what, const idem *k,
            pool_conn **pc, db_row *row);

/* Commits when ok (turning a failed commit into its problem), then rolls
 * back whatever is left and gives the connection back.  Returns 0. */
int wf_finish(jx_resp *resp, pool_conn *pc, int ok);

/* ---- workflow_state.c: the rules, without a database ---- */

/* One action of the workflow: the state it leaves and the one it makes,
 * whether it needs the right to review (else to edit), its 409 words. */
typedef struct {
    const char *action; /* "submit", "accept", "return" */
    const char *from, *to;
    int review;
    const char *verb;   /* "提交 (be submitted)" */
} wf_step;

/* The step of action, NULL for an action the workflow does not know. */
const wf_step *wf_step_of(const char *action);

/* A locked row against the request: 404 when not found, 412 when
 * want_version (0 = any) is not its version, 403 without the right
 * (need_review 1: review, 0: edit, -1: none needed), 409 when `what` is
 * given and the row is not a draft.  0 = go on; -1 = resp holds the answer. */
int wf_check_row(jx_resp *resp, const wf_resource *r, const db_row *row,
                 int64_t want_version, int need_review, const char *what);

/* 409 for a state that does not allow `what`. */
int wf_conflict_state(jx_resp *resp, const wf_resource *r, const char *status, const char *what);

/* POST .../{submit,accept,return}: If-Match, Idempotency-Key, optional
 * {"reason"} (required to return), draft -> submitted -> accepted or back
 * to draft, the audit entry; the new representation with its ETag. */
int wf_transition(jx_req *req, jx_resp *resp, const wf_resource *r, const char *action);

/* Sends row 0 of res: ETag from column vcol, body from vcol + 1. */
int wf_send(jx_resp *resp, unsigned status, const PGresult *res, int vcol);

/* Sends a copy of text as application/json. */
int wf_send_text(jx_resp *resp, unsigned status, const char *text, size_t n);

/* GET .../{id}/history: a page of the audit trail from history (called for
 * one row more than the page, to see whether another follows); 404 when
 * the first page is empty. */
typedef int (*wf_history_fn)(const auth_info *who, int64_t id, int64_t after, int limit,
                             PGresult **res, db_err *e);
int wf_history(jx_req *req, jx_resp *resp, wf_history_fn history);

/* GET by {id} within the caller's reach.  0 = *res holds the one row;
 * -1 = resp holds the answer (401, 400, 404, the database's problem). */
typedef int (*wf_reach_get_fn)(const auth_info *who, int64_t id, PGresult **res, db_err *e);
int wf_get_in_reach(jx_req *req, jx_resp *resp, wf_reach_get_fn get, PGresult **res);

/* A page of rows (id, json) matching q: q->limit of them plus one, to see
 * whether another page follows. */
typedef int (*wf_list_fn)(const auth_info *who, const listquery *q, PGresult **res, db_err *e);

/* GET of a list: the caller, the query (listquery_decode with `want`), a
 * page from list, sent as send_page does.  Always 0 (resp holds the answer). */
int wf_list(jx_req *req, jx_resp *resp, unsigned want, wf_list_fn list);


#endif
