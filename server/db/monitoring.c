/*
 * db/monitoring.c -- the SQL of mid-year monitoring (双监控), and nothing
 * else.
 *
 * Every statement that reads reports carries the caller's reach (auth.h
 * REACH_ROW over the report's own organisation columns, copied from its
 * project), so a report out of reach is not found.  Colours are computed
 * in the statements from the project's budget of now and the thresholds
 * in force for the report's region (sql/0020: exact numeric comparisons).
 * Writes run inside the caller's transaction, with the project locked
 * (db/projects.c dbp_lock), so two reports of one project never race.
 */
#include "db/monitoring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "util.h"

/* The budget a report is measured against: adjusted, else initial. */
#define BUDGET(p) "coalesce(" p ".budget_adjusted, " p ".budget_initial)"

#define REPORT_JSON(m, p, t)                                                               \
    "jx_monitoring_json(" m ", " p ".name, " BUDGET(p) ", " t ".green, " t ".yellow)"

static const pool_stmt st_version = {
    "jx_mon_version",
    "SELECT version FROM monitoring_reports WHERE province = $1 AND project_id = $2::bigint"
    " AND period = $3 FOR UPDATE",
    3};

static const pool_stmt st_put = {
    "jx_mon_put",
    "WITH old AS (SELECT to_jsonb(o) - 'province' AS doc FROM monitoring_reports o"
    "   WHERE o.province = $1 AND o.project_id = $2::bigint AND o.period = $3),"
    " m AS (INSERT INTO monitoring_reports (province, project_id, org_id, parent_org_id,"
    "   region_code, year, period, months, executed, executed_as_written, progress, notes,"
    "   reasons, updated_by_token)"
    "   SELECT p.province, p.id, p.org_id, p.parent_org_id, p.region_code, p.year, $3,"
    "   $4::integer, $5::numeric, $6, $7::jsonb, $8, $9, $10::bigint"
    "   FROM projects p WHERE p.province = $1 AND p.id = $2::bigint"
    "   ON CONFLICT (province, project_id, period) DO UPDATE SET months = EXCLUDED.months,"
    "   executed = EXCLUDED.executed, executed_as_written = EXCLUDED.executed_as_written,"
    "   progress = EXCLUDED.progress, notes = EXCLUDED.notes, reasons = EXCLUDED.reasons,"
    "   version = monitoring_reports.version + 1, updated_at = now(),"
    "   updated_by_token = EXCLUDED.updated_by_token RETURNING *),"
    " a AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, actor_org_id, actor_token_id, reason, before, after)"
    "   SELECT m.province, 'project', m.project_id, m.org_id, m.parent_org_id, m.region_code,"
    "   'monitoring', $11::bigint, $10::bigint, m.period, (SELECT doc FROM old),"
    "   to_jsonb(m) - 'province' FROM m)"
    " SELECT m.version, " REPORT_JSON("ROW(m.*)::monitoring_reports", "p", "t") "::text"
    " FROM m JOIN projects p ON p.province = m.province AND p.id = m.project_id"
    " CROSS JOIN LATERAL jx_mon_thresholds(m.region_code) t",
    11};

static const pool_stmt st_get = {
    "jx_mon_get",
    "SELECT m.version, " REPORT_JSON("m", "p", "t") "::text"
    " FROM monitoring_reports m JOIN projects p ON p.province = m.province"
    "   AND p.id = m.project_id CROSS JOIN LATERAL jx_mon_thresholds(m.region_code) t"
    " WHERE m.project_id = $5::bigint AND m.period = $6"
    "   AND " REACH_ROW("m", "$1", "$2", "$3", "$4"),
    6};

static const pool_stmt st_of = {
    "jx_mon_of_project",
    "SELECT m.id, " REPORT_JSON("m", "p", "t") "::text"
    " FROM monitoring_reports m JOIN projects p ON p.province = m.province"
    "   AND p.id = m.project_id CROSS JOIN LATERAL jx_mon_thresholds(m.region_code) t"
    " WHERE m.project_id = $5::bigint AND m.id > $6::bigint"
    "   AND " REACH_ROW("m", "$1", "$2", "$3", "$4") " ORDER BY m.id LIMIT $7::integer",
    7};

/* The thresholds in force for a report's region (sql/0020 jx_mon_thresholds:
 * its own, its city's, its province's, the default), as joins with the
 * small thresholds table instead of a function call per report: the
 * totals colour every report of a province or the country. */
#define THRESHOLD_JOINS(t)                                                                  \
    " LEFT JOIN monitoring_thresholds t0 ON t0.region_code = '000000'"                      \
    " LEFT JOIN monitoring_thresholds t1 ON t1.region_code = " t ".region_code"              \
    " LEFT JOIN monitoring_thresholds t2 ON t2.region_code = left(" t ".region_code, 4) || '00'" \
    " LEFT JOIN monitoring_thresholds t3 ON t3.region_code = left(" t ".region_code, 2) || '0000'"
#define GREEN "coalesce(t1.green, t2.green, t3.green, t0.green, 0.8)"
#define YELLOW "coalesce(t1.yellow, t2.yellow, t3.yellow, t0.yellow, 0.6)"

/* The reports GET /v1/monitoring covers ($5 .. $10 as mon_query; the
 * latest of each project when no period is named): the conditions on the
 * report alone, then with its project (p) and thresholds (GREEN, YELLOW). */
#define MATCH_M                                                                            \
    " " REACH_ROW("m", "$1", "$2", "$3", "$4")                                               \
    "   AND ($6::integer IS NULL OR m.year = $6::integer)"                                  \
    "   AND ($7::text IS NULL OR m.period = $7)"                                            \
    "   AND ($7::text IS NOT NULL OR NOT EXISTS (SELECT 1 FROM monitoring_reports l"        \
    "        WHERE l.province = m.province AND l.project_id = m.project_id"                 \
    "        AND (l.months, l.id) > (m.months, m.id)))"                                     \
    "   AND ($9::text IS NULL OR m.region_code LIKE jx_region_prefix($9) || '%')"           \
    "   AND ($10::bigint IS NULL OR m.org_id = $10::bigint OR m.parent_org_id = $10::bigint)"

#define MATCHING                                                                           \
    " FROM monitoring_reports m JOIN projects p ON p.province = m.province"                 \
    "   AND p.id = m.project_id" THRESHOLD_JOINS("m") " WHERE" MATCH_M

/* A page without a colour filter is chosen from the reports alone (their
 * own indexes, no join per report), then joined for its rows only. */
static const pool_stmt st_list = {
    "jx_mon_list4",
    "SELECT x.id, (jx_monitoring_json(x.m, p.name, " BUDGET("p") ", " GREEN ", " YELLOW ")"
    " || jsonb_build_object('org_name', o.name))::text"
    " FROM (SELECT m.id, m, m.province, m.project_id, m.org_id, m.region_code"
    "   FROM monitoring_reports m WHERE" MATCH_M " AND $8::text IS NULL AND m.id > $5::bigint"
    "   ORDER BY m.id LIMIT $11::integer) x"
    " JOIN projects p ON p.province = x.province AND p.id = x.project_id" THRESHOLD_JOINS("x")
    " JOIN orgs o ON o.id = x.org_id ORDER BY x.id",
    11};

/* With a colour filter every matching report is coloured to choose the
 * page; the names and representations are built for its rows only. */
static const pool_stmt st_list_color = {
    "jx_mon_list_color",
    "SELECT r.id, (jx_monitoring_json(r.m, r.name, r.budget, r.green, r.yellow)"
    " || jsonb_build_object('org_name', o.name))::text"
    " FROM (SELECT m.id, m, p.name, " BUDGET("p") " AS budget, m.org_id,"
    "   " GREEN " AS green, " YELLOW " AS yellow" MATCHING " AND m.id > $5::bigint"
    "   AND coalesce(jx_mon_color(m.executed, " BUDGET("p") ", m.months, " GREEN ", " YELLOW "),"
    "   'none') = $8 ORDER BY m.id LIMIT $11::integer) r"
    " JOIN orgs o ON o.id = r.org_id ORDER BY r.id",
    11};

static const pool_stmt st_totals = {
    "jx_mon_totals2",
    "WITH c AS (SELECT CASE $11 WHEN 'region' THEN m.region_code WHEN 'unit' THEN m.org_id::text"
    "   ELSE coalesce(m.parent_org_id, m.org_id)::text END AS g,"
    "   coalesce(jx_mon_color(m.executed, " BUDGET("p") ", m.months, " GREEN ", " YELLOW "),"
    "   'none') AS color, " BUDGET("p") " AS budget, m.executed" MATCHING
    "   AND ($5::bigint IS NULL OR m.id > $5::bigint)),"
    " s AS (SELECT c.g, c.color, count(*) AS n, coalesce(sum(c.budget), 0) AS budget,"
    "   sum(c.executed) AS executed FROM c WHERE $8::text IS NULL OR c.color = $8"
    "   GROUP BY c.g, c.color)"
    " SELECT s.g, CASE WHEN $11 = 'region' THEN NULL ELSE o.name END, s.color, s.n,"
    " to_char(s.budget, 'FM9999999999999990.00'), to_char(s.executed, 'FM9999999999999990.00')"
    " FROM s LEFT JOIN orgs o ON $11 <> 'region' AND o.id = s.g::bigint ORDER BY s.g, s.color",
    11};

static const pool_stmt st_thr_get = {
    "jx_mon_thr_get",
    "SELECT t.green, t.yellow, t.set_in FROM jx_mon_thresholds($1) t", 1};

static const pool_stmt st_thr_put = {
    "jx_mon_thr_put",
    "INSERT INTO monitoring_thresholds (region_code, green, yellow, updated_by_org)"
    " VALUES ($1, $2::numeric, $3::numeric, $4::bigint) ON CONFLICT (region_code) DO UPDATE"
    " SET green = EXCLUDED.green, yellow = EXCLUDED.yellow, updated_by_org = EXCLUDED.updated_by_org,"
    " version = monitoring_thresholds.version + 1, updated_at = now()"
    " RETURNING green, yellow, region_code, version",
    4};

/* The results application of an evaluated project, as of now, for its
 * report (routes/reports.c; lib/report application.c reads it). */
static const pool_stmt st_application = {
    "jx_mon_application",
    "SELECT jsonb_build_object("
    " 'monitoring', coalesce((SELECT jsonb_agg(jsonb_build_object('period', m.period,"
    "   'time_progress', to_char(round(m.months::numeric / 12, 4), 'FM0.0000'),"
    "   'execution_rate', coalesce(to_char(round(m.executed / nullif(" BUDGET("p") ", 0), 4),"
    "   'FM999999990.0000'), ''),"
    "   'ratio', coalesce(to_char(jx_mon_ratio(m.executed, " BUDGET("p") ", m.months),"
    "   'FM999999990.0000'), ''),"
    "   'color', coalesce(jx_mon_color(m.executed, " BUDGET("p") ", m.months, t.green,"
    "   t.yellow), 'none'),"
    "   'lagging', (SELECT count(*) FROM jsonb_array_elements(jx_mon_progress(m.progress,"
    "   m.months, t.green, t.yellow)) i WHERE i->>'color' IN ('red', 'yellow')))"
    "   ORDER BY m.months, m.id) FROM monitoring_reports m"
    "   WHERE m.province = e.province AND m.project_id = e.subject_id), '[]'::jsonb),"
    " 'rectifications', coalesce((SELECT jsonb_agg(jsonb_build_object('description',"
    "   r.description, 'status', r.status, 'deadline', to_char(r.deadline, 'YYYY-MM-DD'),"
    "   'overdue', jx_rect_overdue(r)) ORDER BY r.id) FROM rectifications r"
    "   WHERE r.province = e.province AND r.project_id = e.subject_id), '[]'::jsonb),"
    " 'advice', jsonb_build_object('grade', e.grade, 'advice',"
    "   (SELECT a.advice FROM jx_advice_for(e.region_code, e.grade) a),"
    "   'decision', (SELECT d.decision FROM advice_decisions d WHERE d.province = e.province"
    "   AND d.project_id = e.subject_id)))::text"
    " FROM evaluations e JOIN projects p ON p.province = e.province AND p.id = e.subject_id"
    " CROSS JOIN LATERAL jx_mon_thresholds(p.region_code) t"
    " WHERE e.id = $5::bigint AND e.subject = 'project'"
    "   AND " REACH_ROW("e", "$1", "$2", "$3", "$4"),
    5};

int dbm_application(const auth_info *who, int64_t evaluation_id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    fmt_i64(evaluation_id, ids);
    v[4] = ids;
    return db_query(&st_application, v, res, e);
}

int dbm_report_version(pool_conn *pc, const db_row *row, const char *period,
                       int64_t *version, db_err *e)
{
    char ids[24];
    const char *v[3];
    PGresult *res = NULL;

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    v[2] = period;
    if (db_exec(pc, &st_version, v, &res, e) < 0)
        return -1;
    *version = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return 0;
}

int dbm_report_put(pool_conn *pc, const auth_info *who, const db_row *row,
                   const mon_period *p, const mon_in *in, PGresult **res, db_err *e)
{
    char ids[24], months[8];
    const char *v[11];

    fmt_i64(row->id, ids);
    snprintf(months, sizeof months, "%d", p->months);
    v[0] = row->province;
    v[1] = ids;
    v[2] = p->text;
    v[3] = months;
    v[4] = in->executed;
    v[5] = in->executed_written[0] ? in->executed_written : NULL;
    v[6] = in->progress;
    v[7] = in->notes;
    v[8] = in->reasons;
    v[9] = who->token_id_s;
    v[10] = who->org_id_s;
    return db_exec(pc, &st_put, v, res, e);
}

int dbm_report_get(const auth_info *who, int64_t project_id, const char *period,
                   PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[6];

    auth_reach_vals(who, v);
    fmt_i64(project_id, ids);
    v[4] = ids;
    v[5] = period;
    return db_query(&st_get, v, res, e);
}

int dbm_reports_of(const auth_info *who, int64_t project_id, int64_t after, int limit,
                   PGresult **res, db_err *e)
{
    return db_history_page(&st_of, who, project_id, after, limit, res, e);
}

/* v[0..10] of MATCHING and the list's colour and limit. */
typedef struct {
    char after[24], year[16], dept[24], limit[16];
} q_text;

static void query_vals(const auth_info *who, const mon_query *q, q_text *t, const char **v)
{
    auth_reach_vals(who, v);
    fmt_i64(q->after, t->after);
    snprintf(t->year, sizeof t->year, "%d", q->year);
    fmt_i64(q->department, t->dept);
    snprintf(t->limit, sizeof t->limit, "%d", q->limit + 1);
    v[4] = t->after;
    v[5] = q->year ? t->year : NULL;
    v[6] = q->period;
    v[7] = q->color;
    v[8] = q->region;
    v[9] = q->department ? t->dept : NULL;
}

int dbm_list(const auth_info *who, const mon_query *q, PGresult **res, db_err *e)
{
    const char *v[11];
    q_text t;

    query_vals(who, q, &t, v);
    v[10] = t.limit;
    return db_query(q->color ? &st_list_color : &st_list, v, res, e);
}

int dbm_totals(const auth_info *who, const mon_query *q, PGresult **res, db_err *e)
{
    const char *v[11];
    q_text t;

    query_vals(who, q, &t, v);
    v[4] = NULL; /* every page */
    v[10] = q->group_by;
    return db_query(&st_totals, v, res, e);
}

int dbm_thresholds_get(const char *region, PGresult **res, db_err *e)
{
    const char *v[1] = {region};

    return db_query(&st_thr_get, v, res, e);
}

int dbm_thresholds_put(pool_conn *pc, const auth_info *who, const mon_thresholds_in *in,
                       PGresult **res, db_err *e)
{
    const char *v[4];
    PGresult *before = NULL;
    audit_entry a;
    char *old = NULL, after[160];
    int rc = -1;

    if (dbm_thresholds_get(who->region_code, &before, e) < 0)
        return -1;
    if (PQntuples(before) == 1) {
        old = malloc(160);
        if (old)
            snprintf(old, 160, "{\"green\": %s, \"yellow\": %s, \"set_in\": \"%s\"}",
                     PQgetvalue(before, 0, 0), PQgetvalue(before, 0, 1),
                     PQgetvalue(before, 0, 2));
    }
    v[0] = who->region_code;
    v[1] = in->green;
    v[2] = in->yellow;
    v[3] = who->org_id_s;
    if (db_exec(pc, &st_thr_put, v, res, e) < 0)
        goto out;
    snprintf(after, sizeof after, "{\"green\": %s, \"yellow\": %s, \"set_in\": \"%s\"}",
             PQgetvalue(*res, 0, 0), PQgetvalue(*res, 0, 1), PQgetvalue(*res, 0, 2));
    memset(&a, 0, sizeof a);
    a.resource = "org";
    a.resource_id = who->org_id;
    a.org_id = who->org_id;
    a.region_code = who->region_code;
    a.action = "monitoring.thresholds";
    a.before = old;
    a.after = after;
    rc = audit_add(pc, who, &a, e);
out:
    PQclear(before);
    free(old);
    return rc;
}
