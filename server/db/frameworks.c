/*
 * db/frameworks.c -- the SQL of frameworks, and nothing else.
 *
 * Frameworks are a reference table (sql/0005): built-ins (owner NULL)
 * reach everyone; a finance bureau's reach the organisations whose region
 * code starts with its region prefix, as every other scope does (auth.h),
 * and the operator's reach everyone.  Reach is in every statement's WHERE.
 */
#include "db/frameworks.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The caller ($K kind, $X region code) reaches framework f. */
#define FW_REACH(K, X)                                                                    \
    "(f.builtin OR " K " = 'admin' OR f.region_code = '000000' OR " X                      \
    " LIKE jx_region_prefix(f.region_code) || '%')"

/* Keyset paging on (built-ins first, id, version): $4 rows, after the
 * row ($5 built-in, $6 id, $7 version) when $6 is not NULL. */
static const pool_stmt st_list = {
    "jx_fw_list",
    "SELECT f.builtin, f.id, f.version, jx_framework_json(f, false)::text FROM frameworks f"
    " WHERE " FW_REACH("$1", "$2") " AND ($3::text IS NULL OR f.scope = $3)"
    " AND ($6::text IS NULL OR (NOT f.builtin, f.id, f.version) >"
    " (NOT $5::boolean, $6::text, $7::integer))"
    " ORDER BY NOT f.builtin, f.id, f.version LIMIT $4::integer",
    7};

static const pool_stmt st_get = {
    "jx_fw_get",
    "SELECT (jx_framework_json(f, true) || jsonb_build_object('versions',"
    " (SELECT jsonb_agg(g.version ORDER BY g.version) FROM frameworks g WHERE g.id = f.id)))::text"
    " FROM frameworks f WHERE f.id = $3 AND ($4::integer = 0 OR f.version = $4::integer)"
    " AND " FW_REACH("$1", "$2") " ORDER BY f.version DESC LIMIT 1",
    4};

/* A framework's entries are found by the id in them (resource_id holds
 * the version); the caller must reach the framework. */
static const pool_stmt st_history = {
    "jx_fw_history",
    "SELECT a.id, jsonb_build_object('id', a.id, 'at', jx_time(a.at), 'action', a.action,"
    " 'version', a.version, 'actor', jsonb_build_object('org_id', a.actor_org_id,"
    " 'token_id', a.actor_token_id), 'reason', a.reason, 'before', a.before,"
    " 'after', a.after)::text"
    " FROM audit_log a WHERE a.resource = 'framework' AND a.after->>'id' = $3"
    "   AND EXISTS (SELECT 1 FROM frameworks f WHERE f.id = $3 AND " FW_REACH("$1", "$2") ")"
    "   AND a.id > $4::bigint ORDER BY a.id LIMIT $5::integer",
    5};

static const pool_stmt st_lock = {
    "jx_fw_lock",
    "SELECT f.version, f.used, f.builtin, f.owner_org_id, f.definition = $2::jsonb"
    " FROM frameworks f WHERE f.id = $1 ORDER BY f.version DESC LIMIT 1 FOR UPDATE",
    2};

static const pool_stmt st_insert = {
    "jx_fw_insert",
    "INSERT INTO frameworks AS f (id, version, scope, name, builtin, owner_org_id, region_code,"
    " definition, notes, max_score, created_by_token)"
    " VALUES ($1, $2::integer, $3, $4, false, $5::bigint, $6, $7::jsonb, $8::jsonb,"
    " $9::numeric, $10::bigint) RETURNING jx_framework_json(f, true)::text",
    10};

static const pool_stmt st_replace = {
    "jx_fw_replace",
    "UPDATE frameworks AS f SET scope = $3, name = $4, definition = $7::jsonb,"
    " notes = $8::jsonb, max_score = $9::numeric, updated_at = now()"
    " WHERE f.id = $1 AND f.version = $2::integer AND f.owner_org_id = $5::bigint"
    " AND NOT f.used AND $6::text IS NOT NULL AND $10::text IS NOT NULL"
    " RETURNING jx_framework_json(f, true)::text",
    10};

static const pool_stmt st_for_eval = {
    "jx_fw_for_eval",
    "SELECT f.version, f.builtin, f.scope, f.used,"
    " f.version = (SELECT max(g.version) FROM frameworks g WHERE g.id = f.id),"
    " f.definition::text FROM frameworks f"
    " WHERE f.id = $3 AND ($4::integer = 0 OR f.version = $4::integer)"
    " AND " FW_REACH("$1", "$2") " AND (f.builtin OR f.region_code = '000000' OR $5"
    " LIKE jx_region_prefix(f.region_code) || '%') ORDER BY f.version DESC LIMIT 1",
    5};

/* For a stored subject of organisation $5 (0: the caller's): the version
 * asked ($4, 0 = latest) of framework $3, when both the caller and that
 * organisation's region reach it.  An organisation the caller cannot
 * reach finds nothing here beyond what the caller sees anyway. */
static const pool_stmt st_for_org = {
    "jx_fw_for_org",
    "SELECT f.version, f.builtin, f.scope, f.definition::text FROM frameworks f"
    " WHERE f.id = $3 AND ($4::integer = 0 OR f.version = $4::integer)"
    " AND " FW_REACH("$1", "$2") " AND (f.builtin OR f.region_code = '000000' OR"
    " (SELECT o.region_code FROM orgs o WHERE o.id = $5::bigint)"
    " LIKE jx_region_prefix(f.region_code) || '%') ORDER BY f.version DESC LIMIT 1",
    5};

static const pool_stmt st_mark_used = {
    "jx_fw_mark_used",
    "UPDATE frameworks SET used = true WHERE id = $1 AND version = $2::integer AND NOT used"
    " RETURNING definition::text",
    2};

int dbf_list(const auth_info *who, const char *scope, int limit, const dbf_key *after,
             PGresult **res, db_err *e)
{
    char lim[16], ver[16];
    const char *v[7] = {who->org_kind, who->region_code, scope, lim, NULL, NULL, NULL};

    snprintf(lim, sizeof lim, "%d", limit);
    if (after) {
        snprintf(ver, sizeof ver, "%d", after->version);
        v[4] = after->builtin ? "true" : "false";
        v[5] = after->id;
        v[6] = ver;
    }
    return db_query(&st_list, v, res, e);
}

int dbf_get(const auth_info *who, const char *id, int version, PGresult **res, db_err *e)
{
    char ver[16];
    const char *v[4] = {who->org_kind, who->region_code, id, ver};

    snprintf(ver, sizeof ver, "%d", version);
    return db_query(&st_get, v, res, e);
}

int dbf_lock_latest(pool_conn *pc, const char *id, const char *definition, PGresult **res,
                    db_err *e)
{
    const char *v[2] = {id, definition};

    return db_exec(pc, &st_lock, v, res, e);
}

int dbf_write(pool_conn *pc, const auth_info *who, const dbf_new *f, int version, int replace,
              PGresult **res, db_err *e)
{
    char ver[16];
    const char *v[10] = {f->id,         ver,     f->scope, f->name,  who->org_id_s,
                         who->region_code, f->definition, f->notes, f->max, who->token_id_s};

    snprintf(ver, sizeof ver, "%d", version);
    return db_exec(pc, replace ? &st_replace : &st_insert, v, res, e);
}

int dbf_for_evaluation(pool_conn *pc, const auth_info *who, const char *id, int version,
                       const char *region, PGresult **res, db_err *e)
{
    char ver[16];
    const char *v[5] = {who->org_kind, who->region_code, id, ver, region};

    snprintf(ver, sizeof ver, "%d", version);
    return db_exec(pc, &st_for_eval, v, res, e);
}

int dbf_for_org(pool_conn *pc, const auth_info *who, const char *id, int version,
                int64_t org_id, PGresult **res, db_err *e)
{
    char ver[16], org[24];
    const char *v[5] = {who->org_kind, who->region_code, id, ver, org};

    snprintf(ver, sizeof ver, "%d", version);
    snprintf(org, sizeof org, "%lld", (long long)(org_id ? org_id : who->org_id));
    return db_exec(pc, &st_for_org, v, res, e);
}

int dbf_mark_used(pool_conn *pc, const char *id, int version, PGresult **res, db_err *e)
{
    char ver[16];
    const char *v[2] = {id, ver};

    snprintf(ver, sizeof ver, "%d", version);
    return db_exec(pc, &st_mark_used, v, res, e);
}

/* ---- built-ins ------------------------------------------------------------ */

/* Splits the library's canonical JSON into definition and notes. */
static int split_canonical(const jx_framework *fw, char **def, char **notes)
{
    char *text = jx_framework_json(fw);
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    json_t *n;
    int rc = -1;

    *def = *notes = NULL;
    free(text);
    if (!json_is_object(o))
        goto out;
    n = json_incref(json_object_get(o, "findings"));
    json_object_del(o, "findings");
    *def = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    *notes = json_dumps(n ? n : json_array(), JSON_COMPACT);
    json_decref(n);
    rc = *def && *notes ? 0 : -1;
out:
    json_decref(o);
    return rc;
}

static const char sync_sql[] =
    "INSERT INTO frameworks (id, version, scope, name, builtin, definition, notes, max_score)"
    " SELECT $1, coalesce(max(version), 0) + 1, $2, $3, true, $4::jsonb, $5::jsonb, $6::numeric"
    "   FROM frameworks WHERE id = $1"
    " HAVING NOT EXISTS (SELECT 1 FROM frameworks g WHERE g.id = $1 AND g.builtin"
    "   AND g.definition = $4::jsonb"
    "   AND g.version = (SELECT max(h.version) FROM frameworks h WHERE h.id = $1))";

int dbf_sync_builtins(PGconn *pg, const jx_ctx *ctx, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < jx_ctx_framework_count(ctx); i++) {
        const jx_framework *fw = jx_ctx_framework_at(ctx, i);
        char *def = NULL, *notes = NULL, max[32];
        const char *v[6];
        PGresult *r;
        int64_t m = jx_framework_max(fw);
        int ok;

        if (split_canonical(fw, &def, &notes) < 0) {
            free(def);
            free(notes);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        snprintf(max, sizeof max, "%lld.%02lld", (long long)(m / 100), (long long)(m % 100));
        v[0] = jx_framework_id(fw);
        v[1] = jx_framework_scope(fw);
        v[2] = jx_framework_name(fw);
        v[3] = def;
        v[4] = notes;
        v[5] = max;
        r = PQexecParams(pg, sync_sql, 6, NULL, v, NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            snprintf(err, errlen, "%s", PQerrorMessage(pg));
        PQclear(r);
        free(def);
        free(notes);
        if (!ok)
            return -1;
    }
    return 0;
}

int dbf_history(const auth_info *who, const char *id, int64_t after, int limit, PGresult **res,
                db_err *e)
{
    char afters[24], limits[16];
    const char *v[5] = {who->org_kind, who->region_code, id, afters, limits};

    snprintf(afters, sizeof afters, "%lld", (long long)after);
    snprintf(limits, sizeof limits, "%d", limit);
    return db_query(&st_history, v, res, e);
}
