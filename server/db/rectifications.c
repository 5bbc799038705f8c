/*
 * db/rectifications.c -- the SQL of 整改 items, and nothing else.
 *
 * Items are made from a project's stored 问题清单 by the statement the
 * submit transition runs in its own transaction (routes/workflow.c), so
 * a submission and its items commit together.  Every read and lock
 * carries the caller's reach (auth.h REACH_ROW); every change writes its
 * audit entry (resource 'rectification') in the same statement.
 */
#include "db/rectifications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Items are due 90 days after the submission unless a reviewer sets
 * another deadline (README, Decisions). */
static const pool_stmt st_open = {
    "jx_rect_open",
    "WITH p AS (SELECT * FROM projects WHERE province = $1 AND id = $2::bigint),"
    " r AS (INSERT INTO rectifications (province, project_id, org_id, parent_org_id,"
    "   region_code, year, position, category, responsible_office, description, advice,"
    "   deadline)"
    "   SELECT p.province, p.id, p.org_id, p.parent_org_id, p.region_code, p.year,"
    "   (x.n - 1)::integer, x.e->>'category', x.e->>'responsible_office',"
    "   x.e->>'description', x.e->>'rectification_advice', current_date + 90"
    "   FROM p CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(p.doc->'problems')"
    "   WHEN 'array' THEN p.doc->'problems' ELSE '[]'::jsonb END) WITH ORDINALITY AS x(e, n)"
    "   WHERE jsonb_typeof(x.e) = 'object' AND coalesce(x.e->>'description', '') <> ''"
    "   ON CONFLICT (province, project_id, md5(description)) DO NOTHING RETURNING *)"
    " INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    " region_code, action, version, actor_org_id, actor_token_id, after)"
    " SELECT r.province, 'rectification', r.id, r.org_id, r.parent_org_id, r.region_code,"
    " 'create', 1, $3::bigint, $4::bigint, jx_rect_json(ROW(r.*)::rectifications) FROM r",
    4};

static const pool_stmt st_lock = {
    "jx_rect_lock",
    "SELECT r.province, r.status, r.version,"
    " ($1 = 'admin' OR r.org_id = $2::bigint"
    "  OR ($1 = 'department' AND r.parent_org_id = $2::bigint)),"
    " ($1 = 'admin' OR (r.org_id <> $2::bigint AND (($1 = 'department'"
    "  AND r.parent_org_id = $2::bigint) OR ($1 = 'finance' AND r.region_code LIKE $3 || '%')))),"
    " (coalesce(r.note, '') <> '' OR coalesce(r.evidence, '') <> '')"
    " FROM rectifications r WHERE r.id = $5::bigint AND " REACH_ROW("r", "$1", "$2", "$3", "$4")
    " FOR UPDATE",
    5};

static const pool_stmt st_update = {
    "jx_rect_update",
    "WITH old AS (SELECT jx_rect_json(o) AS doc FROM rectifications o"
    "   WHERE o.province = $1 AND o.id = $2::bigint),"
    " r AS (UPDATE rectifications SET status = coalesce($3, status), note = coalesce($4, note),"
    "   evidence = coalesce($5, evidence), deadline = coalesce($6::date, deadline),"
    "   version = version + 1, updated_at = now()"
    "   WHERE province = $1 AND id = $2::bigint RETURNING *),"
    " a AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, reason, before, after)"
    "   SELECT r.province, 'rectification', r.id, r.org_id, r.parent_org_id, r.region_code,"
    "   CASE WHEN $3 IS NULL THEN 'update' ELSE $3 END, r.version, $7::bigint, $8::bigint,"
    "   coalesce($4, $5), (SELECT doc FROM old), jx_rect_json(ROW(r.*)::rectifications) FROM r)"
    " SELECT r.version, jx_rect_json(ROW(r.*)::rectifications)::text FROM r",
    8};

static const pool_stmt st_get = {
    "jx_rect_get",
    "SELECT r.version, jx_rect_json(r)::text FROM rectifications r"
    " WHERE r.id = $5::bigint AND " REACH_ROW("r", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_list = {
    "jx_rect_list",
    "SELECT r.id, jx_rect_json(r)::text FROM rectifications r"
    " WHERE " REACH_ROW("r", "$1", "$2", "$3", "$4") " AND r.id > $5::bigint"
    "   AND ($6::bigint IS NULL OR r.project_id = $6::bigint)"
    "   AND ($7::text IS NULL OR r.status = $7)"
    "   AND ($8::boolean IS NULL OR jx_rect_overdue(r) = $8::boolean)"
    "   AND ($9::integer IS NULL OR r.year = $9::integer)"
    " ORDER BY r.id LIMIT $10::integer",
    10};

static const pool_stmt st_history = {
    "jx_rect_history",
    "SELECT a.id, jsonb_build_object('id', a.id, 'at', jx_time(a.at), 'action', a.action,"
    " 'version', a.version, 'actor', jsonb_build_object('org_id', a.actor_org_id,"
    " 'token_id', a.actor_token_id), 'reason', a.reason, 'before', a.before,"
    " 'after', a.after)::text"
    " FROM audit_log a WHERE a.resource = 'rectification' AND a.resource_id = $5::bigint"
    "   AND " REACH_ROW("a", "$1", "$2", "$3", "$4") " AND a.id > $6::bigint"
    " ORDER BY a.id LIMIT $7::integer",
    7};

int dbr_open_from_problems(pool_conn *pc, const auth_info *who, const db_row *row,
                           db_err *e)
{
    return db_row_exec(pc, &st_open, who, row, e);
}

int dbr_lock(pool_conn *pc, const auth_info *who, int64_t id, rect_row *row, db_err *e)
{
    const char *v[5];
    char ids[24];
    PGresult *res = NULL;

    memset(row, 0, sizeof *row);
    fmt_i64(id, ids);
    auth_reach_vals(who, v);
    v[4] = ids;
    if (db_exec(pc, &st_lock, v, &res, e) < 0)
        return -1;
    if (PQntuples(res) == 1) {
        row->found = 1;
        row->id = id;
        snprintf(row->province, sizeof row->province, "%s", PQgetvalue(res, 0, 0));
        snprintf(row->status, sizeof row->status, "%s", PQgetvalue(res, 0, 1));
        row->version = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        row->can_edit = PQgetvalue(res, 0, 3)[0] == 't';
        row->can_review = PQgetvalue(res, 0, 4)[0] == 't';
        row->has_note = PQgetvalue(res, 0, 5)[0] == 't';
    }
    PQclear(res);
    return 0;
}

int dbr_update(pool_conn *pc, const auth_info *who, const rect_row *row,
               const rect_patch_in *in, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[8];

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    v[2] = in->status;
    v[3] = in->note;
    v[4] = in->evidence;
    v[5] = in->deadline[0] ? in->deadline : NULL;
    v[6] = who->org_id_s;
    v[7] = who->token_id_s;
    return db_exec(pc, &st_update, v, res, e);
}

int dbr_get(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    fmt_i64(id, ids);
    v[4] = ids;
    return db_query(&st_get, v, res, e);
}

int dbr_list(const auth_info *who, const rect_query *q, PGresult **res, db_err *e)
{
    char after[24], pid[24], year[16], limit[16];
    const char *v[10];

    auth_reach_vals(who, v);
    fmt_i64(q->after, after);
    fmt_i64(q->project_id, pid);
    snprintf(year, sizeof year, "%d", q->year);
    snprintf(limit, sizeof limit, "%d", q->limit + 1);
    v[4] = after;
    v[5] = q->project_id ? pid : NULL;
    v[6] = q->status;
    v[7] = q->overdue < 0 ? NULL : q->overdue ? "true" : "false";
    v[8] = q->year ? year : NULL;
    v[9] = limit;
    return db_query(&st_list, v, res, e);
}

int dbr_history(const auth_info *who, int64_t id, int64_t after, int limit, PGresult **res,
                db_err *e)
{
    return db_history_page(&st_history, who, id, after, limit, res, e);
}
