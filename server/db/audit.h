/*
 * db/audit.h -- the append-only audit trail (留痕): writing entries inside a
 * change's transaction, reading a project's history.
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

/* Appends one entry on pc (inside the caller's transaction). */
int audit_add(pool_conn *pc, const auth_info *who, const audit_entry *a, db_err *e);

#endif
