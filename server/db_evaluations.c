/*
 * db_evaluations.c -- the SQL of evaluations and rollups, and nothing else.
 *
 * The body of an evaluation is put together by the database from the
 * library's result text (jsonb keeps numbers as written: a score of 98.50
 * stays 98.50, which a trip through a C JSON library would not), the
 * cross-document findings and the metadata, with the finding counts by
 * severity; the same text is stored and sent.  Storing is one statement:
 * the evaluation, the subject's rollup (latest total, grade, complete,
 * counts) and the framework version's `used` flag, so a rollup can never
 * disagree with the evaluations committed.
 *
 * Reads are scoped by REACH_ROW over the copies of the subject's
 * organisation, parent and region that every evaluation row carries.
 */
#include "db_evaluations.h"

#include <stdio.h>
#include <string.h>

/* $1 input, $2 result, $3 cross findings, $4 metadata -> CTE b(body,
 * errors, warnings, infos, input). */
#define EVAL_BODY                                                                          \
    "WITH x AS (SELECT $1::jsonb AS input, $2::jsonb AS result, $3::jsonb AS cross_f,"    \
    "  $4::jsonb AS meta),"                                                                \
    " y AS (SELECT x.*, coalesce(x.result->'findings', '[]'::jsonb) || x.cross_f AS fs FROM x)," \
    " z AS (SELECT y.*,"                                                                   \
    "  (SELECT count(*) FROM jsonb_array_elements(y.fs) f WHERE f->>'severity' = 'error')::integer AS errors," \
    "  (SELECT count(*) FROM jsonb_array_elements(y.fs) f WHERE f->>'severity' = 'warning')::integer AS warnings," \
    "  (SELECT count(*) FROM jsonb_array_elements(y.fs) f WHERE f->>'severity' = 'info')::integer AS infos" \
    "  FROM y),"                                                                           \
    " b AS (SELECT z.errors, z.warnings, z.infos, z.input, z.result || z.meta ||"         \
    "  jsonb_build_object('findings', z.fs, 'finding_counts', jsonb_build_object('error',"  \
    "  z.errors, 'warning', z.warnings, 'info', z.infos), 'input', z.input) AS body FROM z)"

static const pool_stmt st_dry = {
    "jx_eval_dry",
    EVAL_BODY " SELECT (b.body || jsonb_build_object('id', NULL, 'created_at', jx_time(now()),"
    " 'dry_run', true))::text FROM b",
    4};

static const pool_stmt st_insert = {
    "jx_eval_insert",
    EVAL_BODY ", n AS (SELECT nextval('evaluations_id_seq') AS id, now() AS at),"
    " e AS (INSERT INTO evaluations (province, id, subject, subject_id, subject_version, org_id,"
    "  parent_org_id, region_code, year, scope, framework_id, framework_version, total,"
    "  max_score, normalised, grade, complete, errors, warnings, infos, input, subject_doc, body,"
    "  created_at, created_by_org, created_by_token)"
    "  SELECT $5, n.id, $6, $7::bigint, $8::integer, $9::bigint, $10::bigint, $11, $12::integer,"
    "  $13, $14, $15::integer, $16::numeric, $17::numeric, $18::numeric, $19, $20::boolean,"
    "  b.errors, b.warnings, b.infos, b.input, $21::jsonb,"
    "  b.body || jsonb_build_object('id', n.id, 'created_at', jx_time(n.at), 'dry_run', false),"
    "  n.at, $22::bigint, $23::bigint FROM b, n RETURNING *),"
    " r AS (INSERT INTO evaluation_rollups AS t (province, subject, subject_id, org_id,"
    "  parent_org_id, region_code, year, scope, evaluation_id, evaluation_count, evaluated_at,"
    "  framework_id, framework_version, total, max_score, normalised, grade, complete, errors,"
    "  warnings, infos)"
    "  SELECT province, subject, subject_id, org_id, parent_org_id, region_code, year, scope, id,"
    "  1, created_at, framework_id, framework_version, total, max_score, normalised, grade,"
    "  complete, errors, warnings, infos FROM e"
    "  ON CONFLICT (province, subject, subject_id) DO UPDATE SET org_id = EXCLUDED.org_id,"
    "  parent_org_id = EXCLUDED.parent_org_id, region_code = EXCLUDED.region_code,"
    "  year = EXCLUDED.year, scope = EXCLUDED.scope, evaluation_id = EXCLUDED.evaluation_id,"
    "  evaluation_count = t.evaluation_count + 1, evaluated_at = EXCLUDED.evaluated_at,"
    "  framework_id = EXCLUDED.framework_id, framework_version = EXCLUDED.framework_version,"
    "  total = EXCLUDED.total, max_score = EXCLUDED.max_score, normalised = EXCLUDED.normalised,"
    "  grade = EXCLUDED.grade, complete = EXCLUDED.complete, errors = EXCLUDED.errors,"
    "  warnings = EXCLUDED.warnings, infos = EXCLUDED.infos),"
    " f AS (UPDATE frameworks SET used = true"
    "  WHERE id = $14 AND version = $15::integer AND NOT used)"
    " SELECT e.id, e.body::text FROM e",
    23};

static const pool_stmt st_get = {
    "jx_eval_get",
    "WITH " AUTH_WHO_CTE
    " SELECT " AUTH_WHO_COLS ", e.body::text"
    " FROM who LEFT JOIN evaluations e ON e.id = $2::bigint AND "
    REACH_ROW("e", "who.kind", "who.org_id", "jx_region_prefix(who.region_code)",
              "jx_province(who.region_code)"),
    2};

static const pool_stmt st_list = {
    "jx_eval_list",
    "SELECT e.id, jsonb_build_object('id', e.id, 'subject', e.subject, 'subject_id',"
    " e.subject_id, 'subject_version', e.subject_version, 'framework', e.framework_id,"
    " 'framework_version', e.framework_version, 'total', e.total, 'max', e.max_score,"
    " 'normalised', e.normalised, 'grade', e.grade, 'complete', e.complete,"
    " 'finding_count', e.errors + e.warnings + e.infos, 'finding_counts',"
    " jsonb_build_object('error', e.errors, 'warning', e.warnings, 'info', e.infos),"
    " 'created_at', jx_time(e.created_at), 'created_by_org', e.created_by_org)::text"
    " FROM evaluations e WHERE " REACH_ROW("e", "$1", "$2", "$3", "$4")
    " AND e.subject = $5 AND e.subject_id = $6::bigint AND e.id > $7::bigint"
    " ORDER BY e.id LIMIT $8::integer",
    8};

static const pool_stmt st_project_exists = {
    "jx_eval_project_exists",
    "SELECT 1 FROM projects p WHERE p.id = $5::bigint AND " REACH_ROW("p", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_assessment_exists = {
    "jx_eval_assessment_exists",
    "SELECT 1 FROM assessments p WHERE p.id = $5::bigint AND "
    REACH_ROW("p", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_report = {
    "jx_eval_report",
    "SELECT e.body::text, e.input::text, e.subject_doc::text, c.name, s.name"
    " FROM evaluations e JOIN orgs c ON c.id = e.created_by_org JOIN orgs s ON s.id = e.org_id"
    " WHERE e.id = $5::bigint AND " REACH_ROW("e", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_cross_assessments = {
    "jx_eval_cross_assessments",
    "SELECT a.id, a.doc::text, a.name || '（' || CASE a.scope WHEN 'department_wide'"
    " THEN '部门整体自评' ELSE '单位整体自评' END || '）'"
    " FROM assessments a WHERE a.province = $1 AND a.org_id = $2::bigint"
    " AND a.year = $3::integer ORDER BY a.id LIMIT 20",
    3};

static const pool_stmt st_cross_projects = {
    "jx_eval_cross_projects",
    "SELECT p.id, p.doc::text, '项目“' || p.name || '”' FROM projects p"
    " WHERE p.province = $1 AND p.org_id = $2::bigint AND p.year = $3::integer"
    " ORDER BY p.id LIMIT 200",
    3};

static void cents_text(int64_t c, char *out, size_t n)
{
    snprintf(out, n, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)((c < 0 ? -c : c) / 100),
             (long long)((c < 0 ? -c : c) % 100));
}

int dbe_insert(pool_conn *pc, const auth_info *who, const dbe_row *r, const dbe_body *b,
               PGresult **res, db_err *e)
{
    char sid[24], sver[24], org[24], parent[24], year[16], fver[16], total[32], max[32],
        norm[32];
    const char *v[23];

    snprintf(sid, sizeof sid, "%lld", (long long)r->subject_id);
    snprintf(sver, sizeof sver, "%lld", (long long)r->subject_version);
    snprintf(org, sizeof org, "%lld", (long long)r->org_id);
    snprintf(parent, sizeof parent, "%lld", (long long)r->parent_org_id);
    snprintf(year, sizeof year, "%d", r->year);
    snprintf(fver, sizeof fver, "%d", r->framework_version);
    cents_text(r->total, total, sizeof total);
    cents_text(r->max, max, sizeof max);
    cents_text(r->normalised, norm, sizeof norm);
    v[0] = b->input;
    v[1] = b->result;
    v[2] = b->cross;
    v[3] = b->meta;
    v[4] = r->province;
    v[5] = r->subject;
    v[6] = sid;
    v[7] = sver;
    v[8] = org;
    v[9] = r->parent_org_id ? parent : NULL;
    v[10] = r->region_code;
    v[11] = year;
    v[12] = r->scope;
    v[13] = r->framework_id;
    v[14] = fver;
    v[15] = total;
    v[16] = max;
    v[17] = norm;
    v[18] = r->grade;
    v[19] = r->complete ? "true" : "false";
    v[20] = r->subject_doc;
    v[21] = who->org_id_s;
    v[22] = who->token_id_s;
    return db_exec(pc, &st_insert, v, res, e);
}

int dbe_dry(pool_conn *pc, const dbe_body *b, PGresult **res, db_err *e)
{
    const char *v[4] = {b->input, b->result, b->cross, b->meta};

    return db_exec(pc, &st_dry, v, res, e);
}

int dbe_get(const char *token_hex, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[2] = {token_hex, ids};

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    return db_query(&st_get, v, res, e);
}

int dbe_list(const auth_info *who, const char *subject, int64_t subject_id, int64_t after,
             int limit, PGresult **res, db_err *e)
{
    char sid[24], aft[24], lim[16];
    const char *v[8];

    auth_reach_vals(who, v);
    snprintf(sid, sizeof sid, "%lld", (long long)subject_id);
    snprintf(aft, sizeof aft, "%lld", (long long)after);
    snprintf(lim, sizeof lim, "%d", limit);
    v[4] = subject;
    v[5] = sid;
    v[6] = aft;
    v[7] = lim;
    return db_query(&st_list, v, res, e);
}

int dbe_subject_exists(const auth_info *who, const char *subject, int64_t id, int *exists,
                       db_err *e)
{
    char ids[24];
    const char *v[5];
    PGresult *res = NULL;

    auth_reach_vals(who, v);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    v[4] = ids;
    if (db_query(!strcmp(subject, "project") ? &st_project_exists : &st_assessment_exists, v,
                 &res, e) < 0)
        return -1;
    *exists = PQntuples(res) > 0;
    PQclear(res);
    return 0;
}

int dbe_report(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    v[4] = ids;
    return db_query(&st_report, v, res, e);
}

int dbe_cross_docs(pool_conn *pc, const char *subject, const char *province, int64_t org_id,
                   int year, PGresult **res, db_err *e)
{
    char org[24], y[16];
    const char *v[3] = {province, org, y};

    snprintf(org, sizeof org, "%lld", (long long)org_id);
    snprintf(y, sizeof y, "%d", year);
    return db_exec(pc, !strcmp(subject, "project") ? &st_cross_assessments : &st_cross_projects,
                   v, res, e);
}
