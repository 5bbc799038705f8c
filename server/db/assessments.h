/*
 * db/assessments.h -- the SQL of wide assessments (db_assessments.c).
 * A locked assessment is a db_row (db_projects.h): the workflow and
 * evaluations treat both alike.
 */
#ifndef JX_DB_ASSESSMENTS_H
#define JX_DB_ASSESSMENTS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "input/assessment.h"
#include "db/reach.h"
#include "db/tx.h"
#include "db/projects.h"

/* Creates for the caller's organisation (or org_id within what it may
 * file for).  Row: id, version, representation, province, org_id,
 * parent_org_id, region_code; no row = organisation not allowed. */
int dba_create(pool_conn *pc, const auth_info *who, const assessment_in *in, const char *doc,
               PGresult **res, db_err *e);

/* Row: representation; none when out of reach. */
int dba_get(const auth_info *who, int64_t id, PGresult **res, db_err *e);

/* Locks an assessment in reach; row->found = 0 when none. */
int dba_lock(pool_conn *pc, const auth_info *who, int64_t id, db_row *row, db_err *e);
/* The statement dba_lock runs (reach $1-$4, id $5), for pipelines. */
const pool_stmt *dba_lock_stmt(void);

/* Replaces the document; audit entry.  Row: version, representation. */
int dba_update(pool_conn *pc, const auth_info *who, const db_row *row,
               const assessment_in *in, const char *doc, PGresult **res, db_err *e);

/* Workflow.  Row: version, representation. */
int dba_transition(pool_conn *pc, const auth_info *who, const db_row *row,
                   const char *action, const char *to, const char *reason, PGresult **res,
                   db_err *e);

/* Rows: id, summary JSON (with the latest evaluation). */
int dba_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e);

/* Rows: id, audit entry JSON. */
int dba_history(const auth_info *who, int64_t id, int64_t after, int limit, PGresult **res,
                db_err *e);

#endif
