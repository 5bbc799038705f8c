/*
 * db/frameworks.h -- the SQL of frameworks (db_frameworks.c).
 */
#ifndef JX_DB_FRAMEWORKS_H
#define JX_DB_FRAMEWORKS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"
#include "jixiao.h"

/* Writes the library's built-ins into frameworks: version 1 the first
 * time, version n + 1 when the library's canonical text changed.  On a
 * plain connection (migrate, start).  0, or -1 with err filled. */
int dbf_sync_builtins(PGconn *pg, const jx_ctx *ctx, char *err, size_t errlen);

typedef struct {
    int builtin;
    char id[72];
    int version;
} dbf_key;

/* Rows: builtin (t/f), id, version, framework JSON without definition:
 * every version the caller reaches (built-ins first, then by id and
 * version), at most limit rows after `after` (NULL: from the start). */
int dbf_list(const auth_info *who, const char *scope, int limit, const dbf_key *after,
             PGresult **res, db_err *e);

/* Row: framework JSON with definition and "versions"; version 0 = the
 * latest.  No row = none in reach. */
int dbf_get(const auth_info *who, const char *id, int version, PGresult **res, db_err *e);
/* A page of framework id's audit entries (after entry id `after`). */
int dbf_history(const auth_info *who, const char *id, int64_t after, int limit, PGresult **res,
                db_err *e);

/* For a POST: the latest version of id, locked.  Row: version, used,
 * builtin, owner_org_id, same_definition (t/f); no row = new id. */
int dbf_lock_latest(pool_conn *pc, const char *id, const char *definition, PGresult **res,
                    db_err *e);

typedef struct {
    const char *id, *scope, *name, *definition, *notes, *max;
} dbf_new;

/* Inserts version (new id or new version) for the caller's organisation,
 * or replaces the definition of an unused version in place (replace = 1).
 * Row: framework JSON with definition. */
int dbf_write(pool_conn *pc, const auth_info *who, const dbf_new *f, int version, int replace,
              PGresult **res, db_err *e);

/* For an evaluation: framework id (version 0 = latest) usable for a
 * subject in region `region` by the caller.  Row: version, builtin, scope,
 * used, is_latest, definition text. */
int dbf_for_evaluation(pool_conn *pc, const auth_info *who, const char *id, int version,
                       const char *region, PGresult **res, db_err *e);

/* For filing: framework id (version 0 = latest) usable by a subject of
 * organisation org_id (0 = the caller's) and by the caller.  Row:
 * version, builtin, scope, definition text; no row = unknown or out of
 * reach (the same answer). */
int dbf_for_org(pool_conn *pc, const auth_info *who, const char *id, int version,
                int64_t org_id, PGresult **res, db_err *e);

/* Marks a version used (immutable from now on) inside the transaction
 * that stores an evaluation; the row lock this takes makes a concurrent
 * in-place replacement wait.  Row: definition as it is now; no row = it
 * was already used (and so could not have changed). */
int dbf_mark_used(pool_conn *pc, const char *id, int version, PGresult **res, db_err *e);

#endif
