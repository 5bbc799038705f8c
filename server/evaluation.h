/*
 * evaluation.h -- one scoring run of a stored project or wide assessment:
 * framework resolved, document scored by the library, cross-document
 * findings added, the evaluation stored (or, dry, only answered).
 */
#ifndef JX_EVALUATION_H
#define JX_EVALUATION_H

#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "db_projects.h"
#include "server.h"

/* Optional choices of the request body: {"framework", "framework_version"}. */
typedef struct {
    const char *framework;   /* NULL: the subject's own */
    int version;             /* 0: the latest */
} eval_options;

/* Runs the evaluation of the locked subject `row` (a project_row filled by
 * dbp_lock or dba_lock) inside pc's transaction.  sdoc is the subject's
 * scoring document (scoring.md §7, malloc'd; consumed).  Fills resp: 201
 * with Location (stored), 200 (dry), or the problem.  Returns 0 when the
 * transaction should commit. */
int eval_run(pool_conn *pc, const auth_info *who, const char *subject, const project_row *row,
             char *sdoc, const eval_options *opt, int dry, jx_resp *resp);

/* Reads {"framework", "framework_version"} from an optional body.  -1
 * with the problem in resp. */
int eval_options_decode(jx_req *req, jx_resp *resp, json_t **keep, eval_options *opt);

#endif
