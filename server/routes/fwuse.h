/*
 * routes/fwuse.h -- which framework a stored project or assessment is
 * filed under (routes/fwuse.c).
 */
#ifndef JX_ROUTES_FWUSE_H
#define JX_ROUTES_FWUSE_H

#include <stdint.h>

#include "db/tx.h"
#include "input/fwuse.h"
#include "routes/auth.h"
#include "server.h"

/* Looks framework id up for a subject of organisation org_id (0: the
 * caller's) of the given scope: version 0 = the version in force (the
 * latest).  pc NULL: a connection is taken for the look-up (built-ins at
 * their latest version need none).  0 with out filled (fw_use_free), or
 * -1 with resp filled: 422 FRAMEWORK_UNKNOWN (not there, or out of reach:
 * the same answer), 422 FRAMEWORK_SCOPE, or a database problem. */
int fw_resolve(pool_conn *pc, const auth_info *who, const char *id, int version,
               int64_t org_id, const char *scope, fw_use *out, jx_resp *resp);

/* The same without a response: 0 found; 1 unknown or of another scope
 * (errs holds the error, pointer /framework); -1 a database problem (e). */
int fw_lookup(pool_conn *pc, const auth_info *who, const char *id, int version, int64_t org_id,
              const char *scope, fw_use *out, jx_errors *errs, db_err *e);

#endif
