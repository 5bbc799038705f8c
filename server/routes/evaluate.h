/*
 * routes/evaluate.h -- one scoring run of a stored project or wide assessment:
 * framework resolved, document scored by the library, cross-document
 * findings added, the evaluation stored (or, dry, only answered).
 */
#ifndef JX_EVALUATION_H
#define JX_EVALUATION_H

#include <libpq-fe.h>
#include <stdint.h>

#include "routes/auth.h"
#include "db/tx.h"
#include "db/projects.h"
#include "input/evaluation.h"
#include "server.h"


/* What the caller's transaction already knows or wants. */
typedef struct {
    PGresult *cross_docs; /* the cross documents as dbe_cross_docs reads them (consumed);
                             NULL: eval_run reads them */
    int has_rollup;       /* the subject's rollup exists (0: not known) */
    int commit;           /* commit with the evaluation (not dry) */
} eval_db;

/* Runs the evaluation of the locked subject `row` (a db_row filled by
 * dbp_lock or dba_lock, or dbe_begin_lock) inside pc's transaction:
 * scores its scoring document (scoring.md §7, built from row->doc).
 * Fills resp: 201 with Location (stored), 200 (dry), or the problem.
 * With db->commit (not dry) the transaction is committed with the
 * evaluation.  Returns 0 when the transaction should commit (or did). */
int eval_run(pool_conn *pc, const auth_info *who, const char *subject, const db_row *row,
             eval_db *db, const eval_options *opt, int dry, jx_resp *resp);

#endif
