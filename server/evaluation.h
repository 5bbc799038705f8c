/*
 * evaluation.h -- one scoring run of a stored project or wide assessment:
 * framework resolved, document scored by the library, cross-document
 * findings added, the evaluation stored (or, dry, only answered).
 */
#ifndef JX_EVALUATION_H
#define JX_EVALUATION_H

#include <libpq-fe.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "db_projects.h"
#include "eval_options.h"
#include "server.h"


/* Runs the evaluation of the locked subject `row` (a project_row filled by
 * dbp_lock or dba_lock, or dbe_begin_lock) inside pc's transaction:
 * scores its scoring document (scoring.md §7, built from row->doc).
 * cross_docs: the subject's cross documents as dbe_cross_docs reads them
 * (consumed; NULL: read them here).  Fills resp: 201 with Location
 * (stored), 200 (dry), or the problem.  With commit (not dry), the
 * transaction is committed with the evaluation.  Returns 0 when the
 * transaction should commit (or did). */
int eval_run(pool_conn *pc, const auth_info *who, const char *subject, const project_row *row,
             PGresult *cross_docs, const eval_options *opt, int dry, int commit, jx_resp *resp);

#endif
