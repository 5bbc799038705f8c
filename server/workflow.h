/*
 * workflow.h -- optimistic concurrency and the draft -> submitted ->
 * accepted workflow for resources other than projects (assessments,
 * plans), over the same machinery as projects: If-Match (body.c),
 * Idempotency-Key (idempotency.c), the audit trail written by the
 * db_<resource>.c statements, problem+json (problem.c).
 */
#ifndef JX_WORKFLOW_H
#define JX_WORKFLOW_H

#include <libpq-fe.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "db_projects.h"
#include "idempotency.h"

/* Locks one row of a resource into a project_row. */
typedef int (*wf_lock_fn)(pool_conn *pc, const auth_info *who, int64_t id, project_row *row,
                          db_err *e);

/* Borrows a connection, begins, claims the idempotency key (k may be
 * NULL), locks the row and checks If-Match (want_version 0 = any),
 * permission (need_review 1: review, 0: edit, -1: reading is enough) and, when `what` is given, that the row is a
 * draft.  0 = go on (transaction open on *pc); -1 = resp holds the answer
 * and nothing is open. */
int wf_lock(jx_resp *resp, const auth_info *who, wf_lock_fn lock, int64_t id,
            int64_t want_version, int need_review, const char *what, const idem *k,
            pool_conn **pc, project_row *row);

/* Commits when ok (turning a failed commit into its problem), then rolls
 * back whatever is left and gives the connection back.  Returns 0. */
int wf_finish(jx_resp *resp, pool_conn *pc, int ok);

/* 409 for a state that does not allow `what`. */
int wf_conflict_state(jx_resp *resp, const char *status, const char *what);

/* Sends row 0 of res: ETag from column vcol, body from vcol + 1. */
int wf_send(jx_resp *resp, unsigned status, const PGresult *res, int vcol);

/* Sends a copy of text as application/json. */
int wf_send_text(jx_resp *resp, unsigned status, const char *text, size_t n);

/* {"items": [...], "next_cursor": ...} from rows (id, json) (routes_projects.c). */
int send_page(jx_resp *resp, const PGresult *res, int limit);

#endif
