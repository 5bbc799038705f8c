/*
 * db/plans.c -- the SQL of evaluation plans, and nothing else.
 *
 * A plan belongs to a department; reach is the same as for every other
 * resource (auth.h REACH_ROW over the plan's organisation columns).
 * The rule facts are read fresh for every answer: a plan's projects are
 * matched among the department's and its units' projects (by id, or by
 * name in the budget year), with the executed amount as it was written
 * (amounts_as_written, else the stored yuan), so PLAN_AMOUNT_MISMATCH
 * compares at the precision each side was written with.
 */
#include "db/plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const pool_stmt st_create = {
    "jx_plan_create",
    "WITH o AS (SELECT o.id, o.parent_id, o.region_code FROM orgs o"
    "   WHERE o.id = coalesce($3::bigint, $2::bigint) AND o.kind = 'department'"
    "   AND ($1 = 'admin' OR o.id = $2::bigint)),"
    " p AS (INSERT INTO plans AS p (province, org_id, parent_org_id, region_code, year, doc,"
    "   created_by_token, updated_by_token)"
    "   SELECT jx_province(o.region_code), o.id, o.parent_id, o.region_code, $4::integer,"
    "   $5::jsonb, $6::bigint, $6::bigint FROM o RETURNING p.*),"
    " l AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, after)"
    "   SELECT p.province, 'plan', p.id, p.org_id, p.parent_org_id, p.region_code, 'create', 1,"
    "   $2::bigint, $6::bigint, p.doc FROM p)"
    " SELECT p.id, p.version, jx_plan_json(p)::text FROM p",
    6};

static const pool_stmt st_get = {
    "jx_plan_get",
    "SELECT p.version, jx_plan_json(p)::text, p.org_id, p.province FROM plans p"
    " WHERE p.id = $5::bigint AND " REACH_ROW("p", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_lock = {
    "jx_plan_lock",
    "SELECT p.province, p.org_id, p.parent_org_id, p.region_code, 'draft', p.version,"
    " p.doc::text, ($1 = 'admin' OR p.org_id = $2::bigint), false, o.name"
    " FROM plans p JOIN orgs o ON o.id = p.org_id"
    " WHERE p.id = $5::bigint AND " REACH_ROW("p", "$1", "$2", "$3", "$4") " FOR UPDATE OF p",
    5};

static const pool_stmt st_update = {
    "jx_plan_update",
    "WITH old AS (SELECT doc FROM plans WHERE province = $1 AND id = $2::bigint),"
    " p AS (UPDATE plans SET doc = $3::jsonb, year = $4::integer, version = version + 1,"
    "   updated_at = now(), updated_by_token = $5::bigint"
    "   WHERE province = $1 AND id = $2::bigint RETURNING plans.*),"
    " l AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, before, after)"
    "   SELECT p.province, 'plan', p.id, p.org_id, p.parent_org_id, p.region_code, 'update',"
    "   p.version, $6::bigint, $5::bigint, old.doc, p.doc FROM p, old)"
    " SELECT p.version, jx_plan_json(p)::text FROM p",
    6};

static const pool_stmt st_list = {
    "jx_plan_list",
    "SELECT p.id, jx_plan_json(p)::text FROM plans p"
    " WHERE " REACH_ROW("p", "$1", "$2", "$3", "$4") " AND p.id > $5::bigint"
    "   AND ($6::integer IS NULL OR p.year = $6::integer)"
    "   AND ($7::bigint IS NULL OR p.org_id = $7::bigint)"
    " ORDER BY p.id LIMIT $8::integer",
    8};

/* The ids a plan document names that are not the department's ($1): a
 * project of its own or of its units, a unit-wide organisation that is the
 * department or one of its units.  Unknown and out-of-reach ids are one
 * answer, so a plan cannot probe another organisation's ids. */
static const pool_stmt st_refs = {
    "jx_plan_refs",
    "WITH d AS (SELECT $2::jsonb AS doc)"
    " SELECT '/projects/' || (x.n - 1) || '/project_id', 'project' FROM d,"
    "   jsonb_array_elements(CASE WHEN jsonb_typeof(d.doc->'projects') = 'array'"
    "     THEN d.doc->'projects' ELSE '[]'::jsonb END) WITH ORDINALITY AS x(e, n)"
    "  WHERE jsonb_typeof(x.e->'project_id') = 'number' AND NOT EXISTS (SELECT 1 FROM projects p"
    "    WHERE p.id = (x.e->>'project_id')::bigint"
    "      AND (p.org_id = $1::bigint OR p.parent_org_id = $1::bigint))"
    " UNION ALL"
    " SELECT '/unit_wide/' || (x.n - 1) || '/org_id', 'org' FROM d,"
    "   jsonb_array_elements(CASE WHEN jsonb_typeof(d.doc->'unit_wide') = 'array'"
    "     THEN d.doc->'unit_wide' ELSE '[]'::jsonb END) WITH ORDINALITY AS x(e, n)"
    "  WHERE jsonb_typeof(x.e->'org_id') = 'number' AND NOT EXISTS (SELECT 1 FROM orgs o"
    "    WHERE o.id = (x.e->>'org_id')::bigint"
    "      AND (o.id = $1::bigint OR o.parent_id = $1::bigint))",
    2};

static const pool_stmt st_facts = {
    "jx_plan_facts",
    "WITH d AS (SELECT $3::jsonb AS doc),"
    " u AS (SELECT count(*)::integer AS n FROM orgs o"
    "   WHERE (o.id = $2::bigint OR o.parent_id = $2::bigint) AND o.kind IN ('department', 'unit')),"
    " x AS (SELECT y.e, y.n, (d.doc->>'budget_year')::integer AS budget_year FROM d,"
    "   jsonb_array_elements(coalesce(d.doc->'projects', '[]'::jsonb)) WITH ORDINALITY AS y(e, n))"
    " SELECT (x.n - 1)::integer, m.id, m.executed, u.n"
    " FROM u LEFT JOIN x ON true"
    " LEFT JOIN LATERAL (SELECT p.id, coalesce(p.doc->'amounts_as_written'->>'/budget/executed',"
    "   p.budget_executed::text) AS executed FROM projects p"
    "   WHERE p.province = $1 AND (p.org_id = $2::bigint OR p.parent_org_id = $2::bigint)"
    "   AND CASE WHEN x.e ? 'project_id' THEN p.id = (x.e->>'project_id')::bigint"
    "       ELSE p.year = x.budget_year AND (p.name = x.e->>'name'"
    "         OR x.e->>'name' LIKE jx_like_escape(p.name) || '%') END"
    "   ORDER BY p.id LIMIT 1) m ON true"
    " ORDER BY x.n",
    3};

int dbl_create(pool_conn *pc, const auth_info *who, int64_t org_id, int year, const char *doc,
               PGresult **res, db_err *e)
{
    char org[24], y[16];
    const char *v[6] = {who->org_kind, who->org_id_s, org_id ? org : NULL, y, doc,
                        who->token_id_s};

    fmt_i64(org_id, org);
    snprintf(y, sizeof y, "%d", year);
    return db_exec(pc, &st_create, v, res, e);
}

int dbl_get(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    fmt_i64(id, ids);
    v[4] = ids;
    return db_query(&st_get, v, res, e);
}

int dbl_lock(pool_conn *pc, const auth_info *who, int64_t id, db_row *row, db_err *e)
{
    return db_lock_row(pc, &st_lock, who, id, row, e);
}

int dbl_update(pool_conn *pc, const auth_info *who, const db_row *row, int year,
               const char *doc, PGresult **res, db_err *e)
{
    char ids[24], y[16];
    const char *v[6] = {row->province, ids, doc, y, who->token_id_s, who->org_id_s};

    fmt_i64(row->id, ids);
    snprintf(y, sizeof y, "%d", year);
    return db_exec(pc, &st_update, v, res, e);
}

int dbl_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e)
{
    const char *v[8];
    db_list_text t;

    db_list_vals(who, q->after, q->year, q->org, q->limit + 1, &t, v);
    v[7] = t.limit;
    return db_query(&st_list, v, res, e);
}

int dbl_facts(const char *province, int64_t org_id, const char *doc, PGresult **res,
              db_err *e)
{
    char org[24];
    const char *v[3] = {province, org, doc};

    fmt_i64(org_id, org);
    return db_query(&st_facts, v, res, e);
}

int dbl_refs_out_of_reach(pool_conn *pc, int64_t department_id, const char *doc, PGresult **res,
                          db_err *e)
{
    char dept[24];
    const char *v[2] = {dept, doc};

    fmt_i64(department_id, dept);
    return db_exec(pc, &st_refs, v, res, e);
}
