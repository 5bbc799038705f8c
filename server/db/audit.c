/*
 * db/audit.c -- the audit trail (留痕): who (organisation and token), when,
 * what, before and after, for every change.
 *
 * audit_log is append-only in the database itself (a trigger refuses
 * UPDATE, DELETE and TRUNCATE), so not even a bug here can rewrite
 * history.  Entries are written in the same transaction as the change
 * they record: a change without its entry cannot commit.  The hot paths
 * (creating and editing projects) write their entry inside their own
 * statement (db_projects.c); audit_add serves the rest.  Each entry
 * carries the changed resource's organisation, parent and region, so
 * GET /v1/projects/{id}/history is scoped by the same reach as the
 * project and survives its deletion.
 */
#include "db/audit.h"

#include <stdio.h>

#include "util.h"

static const pool_stmt st_add = {
    "jx_audit_add",
    "INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    " region_code, action, version, actor_org_id, actor_token_id, reason, before, after)"
    " VALUES (jx_province($3), $1, $2::bigint, $4::bigint, $5::bigint, $3, $6, $7::integer,"
    " $8::bigint, $9::bigint, $10, $11::jsonb, $12::jsonb)",
    12};

int audit_add(pool_conn *pc, const auth_info *who, const audit_entry *a, db_err *e)
{
    char rid[24], org[24], parent[24], version[24];
    const char *v[12];
    PGresult *res = NULL;
    int rc;

    snprintf(rid, sizeof rid, "%lld", (long long)a->resource_id);
    snprintf(org, sizeof org, "%lld", (long long)a->org_id);
    snprintf(parent, sizeof parent, "%lld", (long long)a->parent_org_id);
    snprintf(version, sizeof version, "%lld", (long long)a->version);
    v[0] = a->resource;
    v[1] = rid;
    v[2] = a->region_code;
    v[3] = org;
    v[4] = a->parent_org_id ? parent : NULL;
    v[5] = a->action;
    v[6] = a->version ? version : NULL;
    v[7] = who->org_id_s;
    v[8] = who->token_id_s;
    v[9] = a->reason;
    v[10] = a->before;
    v[11] = a->after;
    rc = db_exec(pc, &st_add, v, &res, e);
    PQclear(res);
    return rc;
}

/* The entries of one resource, scoped like the resource itself: its
 * organisation columns on each entry ($8 = 'org', 'plan', 'token'). */
static const pool_stmt st_history = {
    "jx_audit_history",
    "SELECT a.id, jsonb_build_object('id', a.id, 'at', jx_time(a.at), 'action', a.action,"
    " 'version', a.version, 'actor', jsonb_build_object('org_id', a.actor_org_id,"
    " 'token_id', a.actor_token_id), 'reason', a.reason, 'before', a.before,"
    " 'after', a.after)::text"
    " FROM audit_log a WHERE a.resource = $8 AND a.resource_id = $5::bigint"
    "   AND " REACH_ROW("a", "$1", "$2", "$3", "$4") " AND a.id > $6::bigint"
    " ORDER BY a.id LIMIT $7::integer",
    8};

int audit_history(const char *resource, const auth_info *who, int64_t id, int64_t after,
                  int limit, PGresult **res, db_err *e)
{
    const char *v[8];
    char ids[24], afters[24], limits[16];

    auth_reach_vals(who, v);
    fmt_i64(id, ids);
    fmt_i64(after, afters);
    snprintf(limits, sizeof limits, "%d", limit);
    v[4] = ids;
    v[5] = afters;
    v[6] = limits;
    v[7] = resource;
    return db_query(&st_history, v, res, e);
}
