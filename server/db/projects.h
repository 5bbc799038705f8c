/*
 * db/projects.h -- the SQL of projects (db/projects.c).
 */
#ifndef JX_DB_PROJECTS_H
#define JX_DB_PROJECTS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "batch.h"
#include "db/tx.h"
#include "input/list.h"
#include "db/idempotency.h"
#include "db/rows.h"
#include "input/project.h"
#include "util.h"

/* A create (POST /v1/projects) for dbp_create: what it takes, and what
 * it gives back. */
typedef struct {
    batch_job link;
    const auth_info *who;
    const idem *k;
    const project_in *in;
    const char *doc;        /* with its indicators' ids (dbp_alloc_ids) */
    int rc;                 /* out: 0, or -1 with e filled */
    db_err e;
    int found;              /* the organisation is in the caller's reach */
    int created;            /* 0 while found: the key was taken, replay it */
    char pid[24];           /* the project's id */
    char *body;             /* the 201 body when created, malloc'd */
    size_t body_len;
} dbp_create_job;

/* Creates job's project in one statement with the creates other threads
 * submit meanwhile (group commit, batch.c); pc, this thread's connection,
 * runs the statement when this thread leads.  Free with
 * dbp_create_job_free. */
void dbp_create(pool_conn *pc, dbp_create_job *job);
void dbp_create_job_free(dbp_create_job *job);
/* Group commit's statements and the creates they ran: a /metrics provider
 * (metrics_add_provider). */
void dbp_metrics(strbuf *sb);

/* Reads in who's reach, in binary form: version (int4), id, org_id
 * (int8), region_code, status, return_reason (text), created_at,
 * updated_at (timestamptz: int8 microseconds since 2000), doc (jsonb as
 * text); no row = no such project in reach. */
int dbp_get(const auth_info *who, int64_t id, PGresult **res, db_err *e);

/* Locks a project in the caller's reach; row->found = 0 when none. */
int dbp_lock(pool_conn *pc, const auth_info *who, int64_t id, db_row *row, db_err *e);
/* The statement dbp_lock runs (reach $1-$4, id $5), for pipelines. */
const pool_stmt *dbp_lock_stmt(void);

/* n new indicator ids, ascending, from this process's block (a round trip
 * on pc once per 1,024 ids). */
int dbp_alloc_ids(pool_conn *pc, size_t n, int64_t *ids, db_err *e);

/* Replaces document, columns and indicator rows; appends the audit entry.
 * Row 0: new version, representation. */
int dbp_update(pool_conn *pc, const auth_info *who, const db_row *row,
               const project_in *in, const char *doc, const char *action, PGresult **res,
               db_err *e);

int dbp_delete(pool_conn *pc, const auth_info *who, const db_row *row, db_err *e);

/* Workflow: status to `to`, audit entry `action` with reason.  Row 0: new
 * version, representation. */
int dbp_transition(pool_conn *pc, const auth_info *who, const db_row *row,
                   const char *action, const char *to, const char *reason, PGresult **res,
                   db_err *e);

/* Rows: id, summary JSON. */
int dbp_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e);

/* Rows: id, entry JSON. */
int dbp_history(const auth_info *who, int64_t id, int64_t after, int limit, PGresult **res,
                db_err *e);

#endif
