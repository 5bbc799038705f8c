/*
 * db/orgs.h -- the SQL of organisations and tokens (db_orgs.c).
 */
#ifndef JX_DB_ORGS_H
#define JX_DB_ORGS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"
#include "input/list.h"

/* Rows: id, org JSON. */
int dbo_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e);
/* Row: version, org JSON, kind, parent_id, region_code; none when out of
 * reach.  lock: FOR UPDATE (inside a transaction on pc). */
int dbo_get(pool_conn *pc, const auth_info *who, int64_t id, int lock, PGresult **res,
            db_err *e);
/* Row: id, version, org JSON. */
int dbo_insert(pool_conn *pc, const char *kind, const char *name, const char *region,
               const char *parent, const char *posts, const char *staff, PGresult **res,
               db_err *e);
/* Row: version, org JSON.  NULL name keeps the name; posts/staff are set
 * when their set flag is given ("" clears). */
int dbo_update(pool_conn *pc, int64_t id, const char *name, const char *posts, int set_posts,
               const char *staff, int set_staff, PGresult **res, db_err *e);

/* Row: id, token JSON (without the secret). */
int dbo_token_insert(pool_conn *pc, const auth_info *who, int64_t org_id, const char *hash_hex,
                     const char *prefix, const char *label, const char *expires,
                     PGresult **res, db_err *e);
/* Rows: id, token JSON. */
int dbo_token_list(const auth_info *who, int64_t org_id, PGresult **res, db_err *e);
/* Row: org_id, region_code, parent_id; none when out of reach. */
int dbo_token_revoke(pool_conn *pc, const auth_info *who, int64_t token_id, PGresult **res,
                     db_err *e);

#endif
