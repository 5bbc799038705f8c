/*
 * db/assessments.c -- the SQL of wide assessments, and nothing else.
 *
 * The same shapes as db_projects.c: every statement carries the caller's
 * reach (auth.h REACH_ROW), changes lock the row and write the audit
 * entry in the same statement as the change.
 */
#include "db/assessments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ASSESSMENT_JSON(t) "(jx_assessment_json(" t ") || jsonb_build_object('name', " t ".name))::text"

static const pool_stmt st_create = {
    "jx_assessment_create",
    "WITH o AS (SELECT o.id, o.parent_id, o.region_code, o.name, o.kind FROM orgs o"
    "   WHERE o.id = coalesce($5::bigint, $2::bigint) AND o.kind IN ('department', 'unit')"
    "   AND ($1 = 'admin' OR o.id = $2::bigint"
    "        OR ($1 = 'department' AND o.parent_id = $2::bigint))),"
    " a AS (INSERT INTO assessments AS a (province, org_id, parent_org_id, region_code, year,"
    "   scope, name, framework_id, doc, created_by_token, updated_by_token)"
    "   SELECT jx_province(o.region_code), o.id, o.parent_id, o.region_code, $7::integer, $6,"
    "   coalesce($8, o.name), $9, $10::jsonb, $11::bigint, $11::bigint FROM o"
    "   WHERE $3::text IS NOT NULL AND $4::text IS NOT NULL RETURNING a.*),"
    " l AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, after)"
    "   SELECT a.province, 'assessment', a.id, a.org_id, a.parent_org_id, a.region_code,"
    "   'create', 1, $2::bigint, $11::bigint, a.doc FROM a)"
    " SELECT a.id, a.version, " ASSESSMENT_JSON("a") ", a.province, a.org_id, a.parent_org_id,"
    " a.region_code FROM a",
    11};

static const pool_stmt st_get = {
    "jx_assessment_get",
    "SELECT a.version, " ASSESSMENT_JSON("a") " FROM assessments a"
    " WHERE a.id = $5::bigint AND " REACH_ROW("a", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_lock = {
    "jx_assessment_lock",
    "SELECT a.province, a.org_id, a.parent_org_id, a.region_code, a.status, a.version,"
    " a.doc::text,"
    " ($1 = 'admin' OR a.org_id = $2::bigint"
    "  OR ($1 = 'department' AND a.parent_org_id = $2::bigint)),"
    " ($1 = 'admin' OR (a.org_id <> $2::bigint AND (($1 = 'department'"
    "  AND a.parent_org_id = $2::bigint) OR ($1 = 'finance' AND a.region_code LIKE $3 || '%')))),"
    " o.name"
    " FROM assessments a JOIN orgs o ON o.id = a.org_id"
    " WHERE a.id = $5::bigint AND " REACH_ROW("a", "$1", "$2", "$3", "$4")
    " FOR UPDATE OF a",
    5};

static const pool_stmt st_update = {
    "jx_assessment_update",
    "WITH old AS (SELECT doc FROM assessments WHERE province = $1 AND id = $2::bigint),"
    " a AS (UPDATE assessments SET doc = $3::jsonb, version = version + 1, updated_at = now(),"
    "   updated_by_token = $4::bigint, year = $5::integer, scope = $6,"
    "   name = coalesce($7, name), framework_id = $8"
    "   WHERE province = $1 AND id = $2::bigint RETURNING assessments.*),"
    " l AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, before, after)"
    "   SELECT a.province, 'assessment', a.id, a.org_id, a.parent_org_id, a.region_code,"
    "   'update', a.version, $9::bigint, $4::bigint, old.doc, a.doc FROM a, old)"
    " SELECT a.version, " ASSESSMENT_JSON("a") " FROM a",
    9};

static const pool_stmt st_transition = {
    "jx_assessment_transition",
    "WITH a AS (UPDATE assessments SET status = $3, version = version + 1, updated_at = now(),"
    "   updated_by_token = $5::bigint, return_reason = CASE $4 WHEN 'submit' THEN NULL"
    "   WHEN 'return' THEN $6 ELSE return_reason END"
    "   WHERE province = $1 AND id = $2::bigint RETURNING *),"
    " l AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, reason, before, after)"
    "   SELECT a.province, 'assessment', a.id, a.org_id, a.parent_org_id, a.region_code, $4,"
    "   a.version, $7::bigint, $5::bigint, $6, jsonb_build_object('status', $8::text),"
    "   jsonb_build_object('status', a.status) FROM a)"
    " SELECT a.version, " ASSESSMENT_JSON("a") " FROM a",
    8};

static const pool_stmt st_list = {
    "jx_assessment_list",
    "SELECT a.id, jsonb_build_object('id', a.id, 'org_id', a.org_id, 'region_code',"
    " a.region_code, 'year', a.year, 'scope', a.scope, 'name', a.name, 'framework',"
    " a.framework_id, 'status', a.status, 'version', a.version, 'updated_at',"
    " jx_time(a.updated_at), 'evaluation', (SELECT jx_rollup_json(r) FROM evaluation_rollups r"
    "  WHERE r.province = a.province AND r.subject = 'assessment' AND r.subject_id = a.id))::text"
    " FROM assessments a WHERE " REACH_ROW("a", "$1", "$2", "$3", "$4") " AND a.id > $5::bigint"
    "   AND ($6::integer IS NULL OR a.year = $6::integer)"
    "   AND ($7::bigint IS NULL OR a.org_id = $7::bigint)"
    "   AND ($8::text IS NULL OR a.scope = $8)"
    "   AND ($9::text IS NULL OR a.status = $9)"
    " ORDER BY a.id LIMIT $10::integer",
    10};

static const pool_stmt st_history = {
    "jx_assessment_history",
    "SELECT a.id, jsonb_build_object('id', a.id, 'at', jx_time(a.at), 'action', a.action,"
    " 'version', a.version, 'actor', jsonb_build_object('org_id', a.actor_org_id,"
    " 'token_id', a.actor_token_id), 'reason', a.reason, 'before', a.before,"
    " 'after', a.after)::text"
    " FROM audit_log a WHERE a.resource = 'assessment' AND a.resource_id = $5::bigint"
    "   AND " REACH_ROW("a", "$1", "$2", "$3", "$4") " AND a.id > $6::bigint"
    " ORDER BY a.id LIMIT $7::integer",
    7};

int dba_create(pool_conn *pc, const auth_info *who, const assessment_in *in, const char *doc,
               PGresult **res, db_err *e)
{
    char org[24], year[16];
    const char *v[11];

    fmt_i64(in->org_id, org);
    snprintf(year, sizeof year, "%d", in->year);
    v[0] = who->org_kind;
    v[1] = who->org_id_s;
    v[2] = who->prefix;
    v[3] = who->province;
    v[4] = in->org_id ? org : NULL;
    v[5] = in->scope;
    v[6] = year;
    v[7] = in->name;
    v[8] = in->framework;
    v[9] = doc;
    v[10] = who->token_id_s;
    return db_exec(pc, &st_create, v, res, e);
}

int dba_get(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    fmt_i64(id, ids);
    v[4] = ids;
    return db_query(&st_get, v, res, e);
}

int dba_lock(pool_conn *pc, const auth_info *who, int64_t id, db_row *row, db_err *e)
{
    return db_lock_row(pc, &st_lock, who, id, row, e);
}

const pool_stmt *dba_lock_stmt(void)
{
    return &st_lock;
}

int dba_update(pool_conn *pc, const auth_info *who, const db_row *row,
               const assessment_in *in, const char *doc, PGresult **res, db_err *e)
{
    char ids[24], year[16];
    const char *v[9];

    fmt_i64(row->id, ids);
    snprintf(year, sizeof year, "%d", in->year);
    v[0] = row->province;
    v[1] = ids;
    v[2] = doc;
    v[3] = who->token_id_s;
    v[4] = year;
    v[5] = in->scope;
    v[6] = in->name;
    v[7] = in->framework;
    v[8] = who->org_id_s;
    return db_exec(pc, &st_update, v, res, e);
}

int dba_transition(pool_conn *pc, const auth_info *who, const db_row *row,
                   const char *action, const char *to, const char *reason, PGresult **res,
                   db_err *e)
{
    return db_transition_row(pc, &st_transition, who, row, action, to, reason, res, e);
}

int dba_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e)
{
    const char *v[10];
    db_list_text t;

    db_list_vals(who, q->after, q->year, q->org, q->limit + 1, &t, v);
    v[7] = q->scope;
    v[8] = q->status;
    v[9] = t.limit;
    return db_query(&st_list, v, res, e);
}

int dba_history(const auth_info *who, int64_t id, int64_t after, int limit, PGresult **res,
                db_err *e)
{
    return db_history_page(&st_history, who, id, after, limit, res, e);
}
