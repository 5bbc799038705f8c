/*
 * db/evaluations.c -- the SQL of evaluations and rollups, and nothing else.
 *
 * The body of an evaluation comes from evaluation.c as text (the
 * library's result as it wrote it, 98.50) and is stored and sent as that
 * text; the database puts the id and the time in front.  Storing is one statement: the
 * evaluation and the subject's rollup (latest total, grade, complete,
 * counts by severity), so a rollup can never disagree with the
 * evaluations committed.
 *
 * Reads are scoped by REACH_ROW over the copies of the subject's
 * organisation, parent and region that every evaluation row carries.
 *
 * Round trips: an evaluation takes two (pool_exec_pipeline).  The first
 * sends BEGIN, the subject's lock (db_projects.c's or db_assessments.c's
 * statement), the cross documents and whether a rollup exists, all by the
 * subject's id (its organisation and year are read by the statements
 * themselves, after the lock, in the same transaction); the second the
 * insert and COMMIT.  They used to be five (BEGIN, lock, cross read,
 * insert, COMMIT): on this 2-core machine each costs two context switches
 * and a wake-up, and with the totals trigger's row locks held from the
 * insert to the end of COMMIT, every extra round trip in between lengthened
 * the time others wait.
 */
#include "db/evaluations.h"

#include <stdio.h>
#include <string.h>

#include "db/assessments.h"
#include "db/projects.h"

/* The evaluation row ($1-$23), as CTE e. */
#define EVAL_INSERT                                                                         \
    "WITH n AS (SELECT nextval('evaluations_id_seq') AS id, now() AS at),"                 \
    " e AS (INSERT INTO evaluations (province, id, subject, subject_id, subject_version, org_id," \
    "  parent_org_id, region_code, year, scope, framework_id, framework_version, total,"      \
    "  max_score, normalised, grade, complete, errors, warnings, infos, subject_doc, body,"   \
    "  created_at, created_by_org, created_by_token)"                                         \
    "  SELECT $1, n.id, $2, $3::bigint, $4::integer, $5::bigint, $6::bigint, $7, $8::integer," \
    "  $9, $10, $11::integer, $12::numeric, $13::numeric, $14::numeric, $15, $16::boolean,"   \
    "  $17::integer, $18::integer, $19::integer, $20::jsonb,"                                 \
    "  '{\"id\":' || n.id || ',\"created_at\":\"' || jx_time(n.at) || '\",\"dry_run\":false,'" \
    "  || substr($21, 2),"                                                                    \
    "  n.at, $22::bigint, $23::bigint FROM n RETURNING *),"

/* The rollup's columns set from the evaluation x (e or EXCLUDED). */
#define ROLLUP_SET(x)                                                                       \
    " org_id = " x ".org_id, parent_org_id = " x ".parent_org_id,"                           \
    " region_code = " x ".region_code, year = " x ".year, scope = " x ".scope,"               \
    " evaluation_count = t.evaluation_count + 1,"                                            \
    " framework_id = " x ".framework_id, framework_version = " x ".framework_version,"       \
    " total = " x ".total, max_score = " x ".max_score, normalised = " x ".normalised,"       \
    " grade = " x ".grade, complete = " x ".complete, errors = " x ".errors,"                 \
    " warnings = " x ".warnings, infos = " x ".infos,"

/* The subject's first evaluation: the rollup is inserted (an upsert, as
 * a safety net: the subject's lock already orders its evaluations). */
static const pool_stmt st_insert = {
    "jx_eval_insert",
    EVAL_INSERT
    " r AS (INSERT INTO evaluation_rollups AS t (province, subject, subject_id, org_id,"
    "  parent_org_id, region_code, year, scope, evaluation_id, evaluation_count, evaluated_at,"
    "  framework_id, framework_version, total, max_score, normalised, grade, complete, errors,"
    "  warnings, infos)"
    "  SELECT province, subject, subject_id, org_id, parent_org_id, region_code, year, scope, id,"
    "  1, created_at, framework_id, framework_version, total, max_score, normalised, grade,"
    "  complete, errors, warnings, infos FROM e"
    "  ON CONFLICT (province, subject, subject_id) DO UPDATE SET" ROLLUP_SET("EXCLUDED")
    "  evaluation_id = EXCLUDED.evaluation_id, evaluated_at = EXCLUDED.evaluated_at)"
    " SELECT e.id, e.body FROM e",
    23};

/* Every later evaluation: the rollup, seen under the subject's lock, is
 * updated.  Not an upsert: INSERT ... ON CONFLICT fires the statement
 * triggers of both INSERT and UPDATE (0011's totals trigger ran twice,
 * once for nothing: ~0.3 ms of PostgreSQL CPU per evaluation, measured).
 * Should the rollup be gone after all, the division by zero fails the
 * statement (and the COMMIT after it) rather than store an evaluation
 * that its rollup misses. */
static const pool_stmt st_insert_next = {
    "jx_eval_insert_next",
    EVAL_INSERT
    " r AS (UPDATE evaluation_rollups AS t SET" ROLLUP_SET("e")
    "  evaluation_id = e.id, evaluated_at = e.created_at FROM e"
    "  WHERE t.province = e.province AND t.subject = e.subject AND t.subject_id = e.subject_id"
    "  RETURNING 1)"
    " SELECT e.id, e.body, 1 / (SELECT count(*)::integer FROM r) FROM e",
    23};

/* Has the subject ($1 id, $2 subject) a rollup?  Its province is not known
 * before the lock, so the candidates' provinces are looked up by id (a
 * project and an assessment may share an id; the subject filter decides). */
static const pool_stmt st_rollup_exists = {
    "jx_eval_rollup_exists",
    "SELECT EXISTS (SELECT 1 FROM evaluation_rollups r WHERE r.subject = $2"
    " AND r.subject_id = $1::bigint AND r.province IN (SELECT province FROM projects"
    " WHERE id = $1::bigint UNION ALL SELECT province FROM assessments WHERE id = $1::bigint))",
    2};

static const pool_stmt st_get = {
    "jx_eval_get2",
    "SELECT e.body FROM evaluations e"
    " WHERE e.id = $5::bigint AND " REACH_ROW("e", "$1", "$2", "$3", "$4"),
    5};

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
    "SELECT e.body, e.subject_doc::text, c.name, s.name"
    " FROM evaluations e JOIN orgs c ON c.id = e.created_by_org JOIN orgs s ON s.id = e.org_id"
    " WHERE e.id = $5::bigint AND " REACH_ROW("e", "$1", "$2", "$3", "$4"),
    5};

/* The cross documents of the subject with id $1: the other documents of
 * its organisation and year.  By the subject's id, so that the query can
 * travel in the pipeline that locks the subject (and sees it locked). */
static const pool_stmt st_cross_assessments = {
    "jx_eval_cross_assessments2",
    "SELECT a.id, a.doc::text, a.name || '（' || CASE a.scope WHEN 'department_wide'"
    " THEN '部门整体自评' ELSE '单位整体自评' END || '）'"
    " FROM projects s JOIN assessments a ON a.province = s.province AND a.org_id = s.org_id"
    " AND a.year = s.year WHERE s.id = $1::bigint ORDER BY a.id LIMIT 20",
    1};

static const pool_stmt st_cross_projects = {
    "jx_eval_cross_projects2",
    "SELECT p.id, p.doc::text, '项目“' || p.name || '”'"
    " FROM assessments s JOIN projects p ON p.province = s.province AND p.org_id = s.org_id"
    " AND p.year = s.year WHERE s.id = $1::bigint ORDER BY p.id LIMIT 200",
    1};

static const pool_stmt *cross_stmt(const char *subject)
{
    return !strcmp(subject, "project") ? &st_cross_assessments : &st_cross_projects;
}

static void cents_text(int64_t c, char *out, size_t n)
{
    snprintf(out, n, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)((c < 0 ? -c : c) / 100),
             (long long)((c < 0 ? -c : c) % 100));
}

int dbe_insert(pool_conn *pc, const auth_info *who, const dbe_row *r, const char *body,
               int commit, PGresult **res, db_err *e)
{
    char sid[24], sver[24], org[24], parent[24], year[16], fver[16], total[32], max[32],
        norm[32], ne[16], nw[16], ni[16];
    const char *v[23];
    const pool_stmt *st;

    snprintf(sid, sizeof sid, "%lld", (long long)r->subject_id);
    snprintf(sver, sizeof sver, "%lld", (long long)r->subject_version);
    snprintf(org, sizeof org, "%lld", (long long)r->org_id);
    snprintf(parent, sizeof parent, "%lld", (long long)r->parent_org_id);
    snprintf(year, sizeof year, "%d", r->year);
    snprintf(fver, sizeof fver, "%d", r->framework_version);
    snprintf(ne, sizeof ne, "%d", r->errors);
    snprintf(nw, sizeof nw, "%d", r->warnings);
    snprintf(ni, sizeof ni, "%d", r->infos);
    cents_text(r->total, total, sizeof total);
    cents_text(r->max, max, sizeof max);
    cents_text(r->normalised, norm, sizeof norm);
    v[0] = r->province;
    v[1] = r->subject;
    v[2] = sid;
    v[3] = sver;
    v[4] = org;
    v[5] = r->parent_org_id ? parent : NULL;
    v[6] = r->region_code;
    v[7] = year;
    v[8] = r->scope;
    v[9] = r->framework_id;
    v[10] = fver;
    v[11] = total;
    v[12] = max;
    v[13] = norm;
    v[14] = r->grade;
    v[15] = r->complete ? "true" : "false";
    v[16] = ne;
    v[17] = nw;
    v[18] = ni;
    v[19] = r->subject_doc;
    v[20] = body;
    v[21] = who->org_id_s;
    v[22] = who->token_id_s;
    st = r->has_rollup ? &st_insert_next : &st_insert;
    if (!commit)
        return db_exec(pc, st, v, res, e);
    {
        pool_step steps[2] = {{st, NULL, v, NULL}, {NULL, "COMMIT", NULL, NULL}};

        if (db_pipeline(pc, steps, 2, e) < 0)
            return -1;
        PQclear(steps[1].res);
        *res = steps[0].res;
        return 0;
    }
}

int dbe_get(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    v[4] = ids;
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

int dbe_cross_docs(pool_conn *pc, const char *subject, int64_t subject_id, PGresult **res,
                   db_err *e)
{
    char sid[24];
    const char *v[1] = {sid};

    snprintf(sid, sizeof sid, "%lld", (long long)subject_id);
    return db_exec(pc, cross_stmt(subject), v, res, e);
}

int dbe_begin_lock(pool_conn *pc, const auth_info *who, const char *subject, int64_t id,
                   db_row *row, PGresult **cross, int *has_rollup, db_err *e)
{
    char ids[24];
    const char *v[5], *cv[1] = {ids}, *rv[2] = {ids, subject};
    pool_step steps[4] = {
        {NULL, "BEGIN", NULL, NULL},
        {!strcmp(subject, "project") ? dbp_lock_stmt() : dba_lock_stmt(), NULL, v, NULL},
        {cross_stmt(subject), NULL, cv, NULL},
        {&st_rollup_exists, NULL, rv, NULL}};

    memset(row, 0, sizeof *row);
    *cross = NULL;
    *has_rollup = 0;
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    auth_reach_vals(who, v);
    v[4] = ids;
    if (db_pipeline(pc, steps, 4, e) < 0)
        return -1;
    PQclear(steps[0].res);
    *has_rollup = PQntuples(steps[3].res) == 1 && PQgetvalue(steps[3].res, 0, 0)[0] == 't';
    PQclear(steps[3].res);
    *cross = steps[2].res;
    if (db_lock_parse(steps[1].res, id, row, e) < 0) {
        PQclear(*cross);
        *cross = NULL;
        return -1;
    }
    return 0;
}
