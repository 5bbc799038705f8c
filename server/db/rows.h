/*
 * db/rows.h -- what the three resources that follow the workflow
 * (projects, assessments, plans) share in SQL: the locked row, the lock,
 * the transition, the list's parameters and the history page, each run
 * with the resource's own prepared statement (db/rows.c).
 */
#ifndef JX_DB_ROWS_H
#define JX_DB_ROWS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"

/* A project, assessment or plan locked for a change (SELECT ... FOR
 * UPDATE), with what the caller may do to it. */
typedef struct {
    int found;
    int64_t id;
    char province[8];
    int64_t org_id, parent_org_id;
    char region_code[8];
    char status[16];
    int64_t version;
    char *doc;            /* the stored document (jsonb text), malloc'd */
    size_t doc_len;
    int can_edit;         /* owner, its department, or the operator */
    int can_review;       /* department above, finance bureau, operator; never the owner */
    char org_name[256];
} db_row;

void db_row_free(db_row *r);

/* Runs st ($1-$4 the caller's reach, $5 the id) and fills row from its
 * columns: province, org_id, parent_org_id, region_code, status, version,
 * doc, can_edit, can_review, org name; row->found = 0 when none. */
int db_lock_row(pool_conn *pc, const pool_stmt *st, const auth_info *who, int64_t id,
                db_row *row, db_err *e);
/* db_lock_row's second half, for a lock run in a pipeline (evaluations):
 * fills row from res (then PQclear'd). */
int db_lock_parse(PGresult *res, int64_t id, db_row *row, db_err *e);

/* Runs st with province, id, to, action, token id, reason, org id, status. */
int db_transition_row(pool_conn *pc, const pool_stmt *st, const auth_info *who,
                      const db_row *row, const char *action, const char *to,
                      const char *reason, PGresult **res, db_err *e);

/* The parameters every keyset list starts with: v[0..3] the caller's reach,
 * v[4] the cursor (ids above it), v[5] the year and v[6] the organisation
 * (NULL when 0); t->limit is the text of limit for the caller to place. */
typedef struct {
    char after[24], year[16], org[24], limit[16];
} db_list_text;

void db_list_vals(const auth_info *who, int64_t after, int year, int64_t org, int limit,
                  db_list_text *t, const char **v);

/* Runs st with the caller's reach, id, keyset cursor `after` and limit. */
int db_history_page(const pool_stmt *st, const auth_info *who, int64_t id, int64_t after,
                    int limit, PGresult **res, db_err *e);

/* Runs st with the row's province and id and the caller's organisation
 * and token ($1-$4), for a change that answers nothing (a delete, the
 * rectification items of a submit). */
int db_row_exec(pool_conn *pc, const pool_stmt *st, const auth_info *who, const db_row *row,
                db_err *e);

#endif
