/*
 * db/plans.h -- the SQL of evaluation plans (db_plans.c).
 */
#ifndef JX_DB_PLANS_H
#define JX_DB_PLANS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"
#include "db/projects.h"

/* Creates the plan of a department (the caller, or org_id for the
 * operator).  Row: id, version, representation; none = not allowed. */
int dbl_create(pool_conn *pc, const auth_info *who, int64_t org_id, int year, const char *doc,
               PGresult **res, db_err *e);

/* Row: version, representation, org_id, province; none when out of reach. */
int dbl_get(const auth_info *who, int64_t id, PGresult **res, db_err *e);

/* Locks a plan in reach (status is always "draft": plans have no workflow). */
int dbl_lock(pool_conn *pc, const auth_info *who, int64_t id, db_row *row, db_err *e);

/* The JSON pointers (and "project" or "org") of the ids doc names outside
 * the department's own projects and units: in the caller's transaction. */
int dbl_refs_out_of_reach(pool_conn *pc, int64_t department_id, const char *doc, PGresult **res,
                          db_err *e);

/* Replaces the document; audit entry.  Row: version, representation. */
int dbl_update(pool_conn *pc, const auth_info *who, const db_row *row, int year,
               const char *doc, PGresult **res, db_err *e);

/* Rows: id, representation. */
int dbl_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e);

/* The facts the plan rules need, for the plan document doc of department
 * org_id: one row per planned project (index, matched project id or NULL,
 * its executed amount as written or NULL), each row also carrying the
 * number of budget units of the department (itself included). */
int dbl_facts(const char *province, int64_t org_id, const char *doc, PGresult **res,
              db_err *e);

#endif
