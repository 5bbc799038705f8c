/*
 * db/orgs.c -- the SQL of organisations and tokens, and nothing else.
 *
 * Organisations are a small reference table; reach over them (auth.h:
 * REACH_ORG) is: a unit itself, a department itself and its children, a
 * finance bureau every organisation in its region prefix, the operator
 * all.  Tokens are reached through their organisation.  Representations
 * are built by the database (jx_org_json) and sent as they are.
 */
#include "db/orgs.h"

#include <stdio.h>

#define TOKEN_JSON(t)                                                                     \
    "jsonb_build_object('id', " t ".id, 'org_id', " t ".org_id, 'prefix', " t ".prefix,"  \
    " 'label', " t ".label, 'created_at', jx_time(" t ".created_at), 'expires_at',"       \
    " jx_time(" t ".expires_at), 'revoked_at', jx_time(" t ".revoked_at))::text"

static const pool_stmt st_list = {
    "jx_org_list",
    "SELECT o.id, jx_org_json(o)::text FROM orgs o"
    " WHERE " REACH_ORG("$1", "$2", "$3") " AND o.id > $4::bigint"
    "   AND ($5::text IS NULL OR o.kind = $5)"
    "   AND ($6::text IS NULL OR o.region_code LIKE jx_region_prefix($6) || '%')"
    "   AND ($7::bigint IS NULL OR o.parent_id = $7::bigint)"
    "   AND ($8::text IS NULL OR o.name ILIKE '%' || jx_like_escape($8) || '%')"
    " ORDER BY o.id LIMIT $9::integer",
    9};

static const pool_stmt st_get = {
    "jx_org_get",
    "SELECT o.version, jx_org_json(o)::text, o.kind, o.parent_id, o.region_code FROM orgs o"
    " WHERE o.id = $4::bigint AND " REACH_ORG("$1", "$2", "$3"),
    4};

static const pool_stmt st_lock = {
    "jx_org_lock",
    "SELECT o.version, jx_org_json(o)::text, o.kind, o.parent_id, o.region_code FROM orgs o"
    " WHERE o.id = $4::bigint AND " REACH_ORG("$1", "$2", "$3") " FOR UPDATE",
    4};

static const pool_stmt st_insert = {
    "jx_org_insert",
    "INSERT INTO orgs (kind, name, region_code, parent_id, posts, staff, region_name)"
    " VALUES ($1, $2, $3, $4::bigint, $5::integer, $6::integer, $7)"
    " RETURNING id, version, jx_org_json(orgs)::text",
    7};

static const pool_stmt st_update = {
    "jx_org_update",
    "UPDATE orgs SET name = coalesce($2, name),"
    " posts = CASE WHEN $4::boolean THEN $3::integer ELSE posts END,"
    " staff = CASE WHEN $6::boolean THEN $5::integer ELSE staff END,"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1::bigint RETURNING version, jx_org_json(orgs)::text",
    6};

static const pool_stmt st_token_insert = {
    "jx_token_insert",
    "INSERT INTO api_tokens (org_id, hash, prefix, label, expires_at, created_by_token)"
    " VALUES ($1::bigint, decode($2, 'hex'), $3, coalesce($4, ''), $5::timestamptz,"
    " $6::bigint) RETURNING id, " TOKEN_JSON("api_tokens"),
    6};

static const pool_stmt st_token_list = {
    "jx_token_list",
    "SELECT t.id, " TOKEN_JSON("t") " FROM api_tokens t JOIN orgs o ON o.id = t.org_id"
    " WHERE t.org_id = $4::bigint AND " REACH_ORG("$1", "$2", "$3") " ORDER BY t.id",
    4};

static const pool_stmt st_token_revoke = {
    "jx_token_revoke",
    "UPDATE api_tokens t SET revoked_at = coalesce(t.revoked_at, now()) FROM orgs o"
    " WHERE t.id = $4::bigint AND o.id = t.org_id AND " REACH_ORG("$1", "$2", "$3")
    " RETURNING t.org_id, o.region_code, o.parent_id",
    4};

int dbo_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e)
{
    const char *v[9];
    char after[24], parent[24], limit[16];

    auth_reach_vals(who, v);
    snprintf(after, sizeof after, "%lld", (long long)q->after);
    snprintf(parent, sizeof parent, "%lld", (long long)q->parent);
    snprintf(limit, sizeof limit, "%d", q->limit + 1);
    v[3] = after;
    v[4] = q->kind;
    v[5] = q->region;
    v[6] = q->parent ? parent : NULL;
    v[7] = q->q;
    v[8] = limit;
    return db_query(&st_list, v, res, e);
}

int dbo_get(pool_conn *pc, const auth_info *who, int64_t id, int lock, PGresult **res,
            db_err *e)
{
    const char *v[4];
    char ids[24];

    auth_reach_vals(who, v);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    v[3] = ids;
    if (!pc)
        return db_query(&st_get, v, res, e);
    return db_exec(pc, lock ? &st_lock : &st_get, v, res, e);
}

int dbo_insert(pool_conn *pc, const char *kind, const char *name, const char *region,
               const char *region_name, const char *parent, const char *posts,
               const char *staff, PGresult **res, db_err *e)
{
    const char *v[7] = {kind, name, region, parent, posts, staff, region_name};

    return db_exec(pc, &st_insert, v, res, e);
}

int dbo_update(pool_conn *pc, int64_t id, const char *name, const char *posts, int set_posts,
               const char *staff, int set_staff, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[6];

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    v[0] = ids;
    v[1] = name;
    v[2] = posts;
    v[3] = set_posts ? "true" : "false";
    v[4] = staff;
    v[5] = set_staff ? "true" : "false";
    return db_exec(pc, &st_update, v, res, e);
}

int dbo_token_insert(pool_conn *pc, const auth_info *who, int64_t org_id, const char *hash_hex,
                     const char *prefix, const char *label, const char *expires,
                     PGresult **res, db_err *e)
{
    char org[24];
    const char *v[6];

    snprintf(org, sizeof org, "%lld", (long long)org_id);
    v[0] = org;
    v[1] = hash_hex;
    v[2] = prefix;
    v[3] = label;
    v[4] = expires;
    v[5] = who->token_id_s;
    return db_exec(pc, &st_token_insert, v, res, e);
}

int dbo_token_list(const auth_info *who, int64_t org_id, PGresult **res, db_err *e)
{
    const char *v[4];
    char org[24];

    auth_reach_vals(who, v);
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    v[3] = org;
    return db_query(&st_token_list, v, res, e);
}

int dbo_token_revoke(pool_conn *pc, const auth_info *who, int64_t token_id, PGresult **res,
                     db_err *e)
{
    const char *v[4];
    char ids[24];

    auth_reach_vals(who, v);
    snprintf(ids, sizeof ids, "%lld", (long long)token_id);
    v[3] = ids;
    return db_exec(pc, &st_token_revoke, v, res, e);
}
