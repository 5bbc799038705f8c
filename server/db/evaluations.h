/*
 * db/evaluations.h -- the SQL of evaluations and their rollups
 * (db_evaluations.c).
 */
#ifndef JX_DB_EVALUATIONS_H
#define JX_DB_EVALUATIONS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"
#include "db/projects.h"

/* What an evaluation row holds besides its body. */
typedef struct {
    const char *province, *subject, *region_code, *scope, *framework_id, *grade;
    int64_t subject_id, subject_version, org_id, parent_org_id;
    int year, framework_version, complete;
    int64_t total, max, normalised;       /* hundredths */
    int errors, warnings, infos;
    const char *subject_doc;              /* JSON text: what reports need */
    int has_rollup;                       /* the subject's rollup exists (seen locked) */
} dbe_row;

/* Stores the evaluation (body: the JSON text of evaluation.c, to which the
 * id and the time are added) and upserts the subject's rollup (updates it
 * when r->has_rollup), in one statement on pc (inside the caller's
 * transaction); with commit, COMMIT
 * travels with it (one round trip) and the transaction is over.
 * Row: id, body. */
int dbe_insert(pool_conn *pc, const auth_info *who, const dbe_row *r, const char *body,
               int commit, PGresult **res, db_err *e);

/* Reads in who's reach: body; no row = no such evaluation in reach. */
int dbe_get(const auth_info *who, int64_t id, PGresult **res, db_err *e);

/* Rows: id, summary JSON of the subject's evaluations after `after`. */
int dbe_list(const auth_info *who, const char *subject, int64_t subject_id, int64_t after,
             int limit, PGresult **res, db_err *e);

/* 1 when the subject (project / assessment) is in the caller's reach. */
int dbe_subject_exists(const auth_info *who, const char *subject, int64_t id, int *exists,
                       db_err *e);

/* For the report.  Row: body, subject_doc, created-by org name, subject
 * org name; none when out of reach. */
int dbe_report(const auth_info *who, int64_t id, PGresult **res, db_err *e);

/* The other documents of the subject's organisation and year for
 * CROSS_TABLE_MISMATCH: for a project its wide assessments, for an
 * assessment its projects.  Rows: id, doc, label. */
int dbe_cross_docs(pool_conn *pc, const char *subject, int64_t subject_id, PGresult **res,
                   db_err *e);

/* BEGIN, lock the subject (as dbp_lock / dba_lock: reach, FOR UPDATE),
 * read its cross documents (as dbe_cross_docs) and whether it has a
 * rollup yet, in one round trip.  0 with row filled (row->found 0 when
 * not in reach), *cross and *has_rollup set, the transaction open; -1
 * with e filled (roll back). */
int dbe_begin_lock(pool_conn *pc, const auth_info *who, const char *subject, int64_t id,
                   db_row *row, PGresult **cross, int *has_rollup, db_err *e);

#endif
