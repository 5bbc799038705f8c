/*
 * db/rectifications.h -- the SQL of 整改 items (db/rectifications.c).
 */
#ifndef JX_DB_RECTIFICATIONS_H
#define JX_DB_RECTIFICATIONS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/projects.h"
#include "db/tx.h"
#include "input/monitoring.h"
#include "db/reach.h"

/* On submitting a project (locked as row, inside its transaction): one
 * item per problem of its 问题清单 not yet an item, each audited. */
int dbr_open_from_problems(pool_conn *pc, const auth_info *who, const db_row *row,
                           db_err *e);

/* An item locked for a change. */
typedef struct {
    int found;
    int64_t id;
    char province[8];
    char status[16];
    int64_t version;
    int can_edit;      /* owner, its department, the operator */
    int can_review;    /* department above, finance bureau, operator; never the owner */
    int has_note;      /* a note or evidence is stored */
} rect_row;

int dbr_lock(pool_conn *pc, const auth_info *who, int64_t id, rect_row *row, db_err *e);

/* Applies in (status to `to` when given), audited.  Row 0: version,
 * representation. */
int dbr_update(pool_conn *pc, const auth_info *who, const rect_row *row,
               const rect_patch_in *in, PGresult **res, db_err *e);

/* One item in reach.  Row: version, representation. */
int dbr_get(const auth_info *who, int64_t id, PGresult **res, db_err *e);

typedef struct {
    int limit;
    int64_t after;
    int64_t project_id;   /* 0 = any */
    const char *status;   /* NULL = any */
    int overdue;          /* -1 any, 0 not overdue, 1 overdue */
    int year;             /* 0 = any */
} rect_query;

/* Rows: id, representation. */
int dbr_list(const auth_info *who, const rect_query *q, PGresult **res, db_err *e);

/* Rows: id, entry. */
int dbr_history(const auth_info *who, int64_t id, int64_t after, int limit, PGresult **res,
                db_err *e);

#endif
