/*
 * db/advice.h -- the SQL of budget advice by grade (db/advice.c).
 */
#ifndef JX_DB_ADVICE_H
#define JX_DB_ADVICE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/projects.h"
#include "db/tx.h"
#include "input/monitoring.h"
#include "db/reach.h"

/* The rules in force for who's region.  Rows: grade, advice, set_in. */
int dba_rules_get(const auth_info *who, PGresult **res, db_err *e);

/* Replaces the rules of who's region with rules ([[grade, advice], ...]),
 * audited under who's organisation. */
int dba_rules_put(pool_conn *pc, const auth_info *who, const char *rules, db_err *e);

/* Evaluated projects in reach with grade, advice and decision.  Rows: id,
 * item. */
int dba_advice_list(const auth_info *who, int year, int64_t after, int limit, PGresult **res,
                    db_err *e);

/* The version of the decision on a (locked) project; 0 when none. */
int dba_decision_version(pool_conn *pc, const db_row *row, int64_t *version, db_err *e);

/* Records the decision, audited under the project.  Row: version, item. */
int dba_decision_put(pool_conn *pc, const auth_info *who, const db_row *row,
                     const advice_decision_in *in, PGresult **res, db_err *e);

#endif
