/*
 * db/audit.h -- the append-only audit trail (留痕): writing entries inside a
 * change's transaction, reading the history of a resource.
 */
#ifndef JX_AUDIT_H
#define JX_AUDIT_H

#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"

typedef struct {
    const char *resource;      /* "project", "org", "token" */
    int64_t resource_id;
    int64_t org_id;            /* the resource's organisation (reach) */
    int64_t parent_org_id;     /* 0 = none */
    const char *region_code;
    const char *action;        /* "create", "update", "token.create" ... */
    int64_t version;           /* 0 = none */
    const char *reason;        /* NULL = none */
    const char *before;        /* JSON text or NULL */
    const char *after;
} audit_entry;

/* A page of the history of resource ("org", "plan", "token") id, entries
 * after the entry id `after`, within who's reach; rows (entry id, JSON). */
int audit_history(const char *resource, const auth_info *who, int64_t id, int64_t after,
                  int limit, PGresult **res, db_err *e);

/* Appends one entry on pc (inside the caller's transaction). */
int audit_add(pool_conn *pc, const auth_info *who, const audit_entry *a, db_err *e);

#endif
