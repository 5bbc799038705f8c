/*
 * db/totals.c -- the SQL of the finance bureau's totals and findings, and
 * nothing else.
 *
 * Totals come from one of two statements with the same result columns.
 * When the request fits totals_summary's grain (sql/0011: province, year,
 * scope, status, fund nature -- see summary_fits), st_totals_summary adds
 * up its sums: about a thousand rows for a country's year, whatever the
 * number of projects.  Every other request reads the per-subject rows
 * with st_totals, as follows.
 *
 * One statement answers every such totals request: the grouping
 * dimensions are boolean parameters ($10, $12..$17), each key column is
 * "CASE WHEN $g THEN <key> END", so a dimension not asked for is one
 * constant NULL group.  That keeps the SQL fixed (no text is ever built
 * from input) and lets PostgreSQL aggregate in parallel: the grouped
 * aggregate over jx_totals_rows (0010, a view the planner inlines) is a
 * materialised CTE read twice -- once for the groups, once more to add
 * them up into the total row -- so the big scan happens once.  Sums,
 * the execution rate and the means are computed exactly in numeric and
 * sent as text; per-grade amounts are sent in fen (integers) so that
 * routes_totals.c can split shares so that they add up to exactly 100%.
 *
 * The caller's reach (auth.h: REACH_ROW) is part of the WHERE clause, so a
 * county bureau's totals cannot include a row of its neighbour whatever
 * the filters say.
 */
#include "db/totals.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* Grades by rank (sql/0015: jx_grade_rank), so 优秀 counts with 优 and
 * 不合格 with 差; cond: the bucket's condition. */
#define GRADE_COLS(cond, a)                                                               \
    " count(*) FILTER (WHERE " cond ") AS n_" a ","                                       \
    " coalesce(sum(r.budget_executed * 100) FILTER (WHERE " cond "), 0)::bigint AS e_" a ","
#define RANK(b) "jx_grade_rank(r.grade) = '" b "'"

/* Columns g and t share after the keys. */
#define SUM_COLS                                                                          \
    "n, n_eval, n_incomplete, s_initial, s_adjusted, s_executed, s_score, s_wscore,"      \
    " s_wbase, n_a, n_b, n_c, n_d, n_none, e_a, e_b, e_c, e_d, e_none,"                   \
    " f_any, f_error, f_warning, f_info"

#define TOTAL_COLS                                                                        \
    "sum(n), sum(n_eval), sum(n_incomplete), coalesce(sum(s_initial), 0),"                \
    " coalesce(sum(s_adjusted), 0), coalesce(sum(s_executed), 0), sum(s_score),"          \
    " sum(s_wscore), sum(s_wbase), sum(n_a), sum(n_b), sum(n_c), sum(n_d), sum(n_none),"  \
    " sum(e_a), sum(e_b), sum(e_c), sum(e_d), sum(e_none),"                               \
    " sum(f_any), sum(f_error), sum(f_warning), sum(f_info)"

/* The caller's reach (auth.h, REACH_ROW's rule: the operator everything;
 * anyone else only their own province, and there a finance bureau the
 * regions under its prefix, a department itself and its units, a unit
 * itself), written as a CASE on the caller's kind.  The statement is
 * planned with its values (pool_exec_replan), so the planner folds the CASE
 * to the caller's branch and sees plain index conditions -- for a finance
 * bureau "province = P AND region_code LIKE '34%'" -- where REACH_ROW's OR
 * over all kinds would make it combine unrelated indexes and read the
 * projects' wide rows.  A province's bureau (a 2-digit prefix) is its
 * province: the prefix test folds away, else the planner multiplied the
 * two conditions' selectivities and expected 1/31 of the rows it got.
 * tests/totals checks reach for every kind. */
#define REACH_CASE                                                                        \
    "CASE $1::text WHEN 'admin' THEN true"                                                \
    " WHEN 'finance' THEN r.province = $4::text"                                          \
    "  AND (length($3::text) = 2 OR r.region_code LIKE $3::text || '%')"                  \
    " WHEN 'department' THEN r.province = $4::text"                                       \
    "  AND (r.org_id = $2::bigint OR r.parent_org_id = $2::bigint)"                       \
    " ELSE r.province = $4::text AND r.org_id = $2::bigint END"

/* The caller ($1 kind, $2 org id, $3 prefix) reaches organisation x. */
#define ORG_REACH                                                                         \
    "CASE $1::text WHEN 'admin' THEN true"                                                \
    " WHEN 'finance' THEN x.region_code LIKE $3::text || '%'"                             \
    " WHEN 'department' THEN x.id = $2::bigint OR x.parent_id = $2::bigint"               \
    " ELSE x.id = $2::bigint END"

/* The groups g (k_region .. k_scope and SUM_COLS) become the result: the
 * groups, then their sum as the total row, the names, the ratios.  Both
 * statements below end with this. */
/* Names are shown only of organisations in the caller's reach (org_reach:
 * a condition on x), and regions by their own names (jx_region_name,
 * sql/0015), never a finance bureau's.  The means take complete scores
 * only (incomplete ones are lower bounds: counted in n_incomplete). */
#define TOTALS_TAIL(org_reach)                                                                  \
    " t AS (SELECT false AS is_total, k_region, k_department, k_unit, k_year, k_grade,"         \
    "   k_fund_nature, k_scope, " SUM_COLS " FROM g"                                            \
    "  UNION ALL SELECT true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " TOTAL_COLS            \
    "  FROM g)"                                                                                 \
    " SELECT is_total, k_region,"                                                               \
    "  jx_region_name(k_region),"                                                               \
    "  k_department, (SELECT x.name FROM orgs x WHERE x.id = k_department AND " org_reach "),"  \
    "  k_unit, (SELECT x.name FROM orgs x WHERE x.id = k_unit AND " org_reach "),"              \
    "  k_year, k_grade, k_fund_nature, k_scope,"                                                \
    "  coalesce(n, 0), coalesce(n_eval, 0), coalesce(n_incomplete, 0),"                         \
    "  round(s_initial, 2)::text, round(s_adjusted, 2)::text, round(s_executed, 2)::text,"      \
    "  round(s_executed / nullif(s_adjusted, 0), 4)::text,"                                     \
    "  round(s_score / nullif(n_eval - n_incomplete, 0), 2)::text,"                             \
    "  round(s_wscore / nullif(s_wbase, 0), 2)::text,"                                          \
    "  coalesce(n_a, 0), coalesce(n_b, 0), coalesce(n_c, 0), coalesce(n_d, 0),"                 \
    "  coalesce(n_none, 0), coalesce(e_a, 0), coalesce(e_b, 0), coalesce(e_c, 0),"              \
    "  coalesce(e_d, 0), coalesce(e_none, 0),"                                                  \
    "  coalesce(f_any, 0), coalesce(f_error, 0), coalesce(f_warning, 0), coalesce(f_info, 0)"   \
    " FROM t ORDER BY is_total, k_region, k_department, k_unit, k_year, k_grade,"               \
    "  k_fund_nature, k_scope"

/* The statement over the per-subject rows, with the caller's reach and the
 * years as `where`. */
#define TOTALS_SQL(where)                                                                       \
    "WITH g AS MATERIALIZED (SELECT"                                                            \
    " CASE WHEN $10::boolean THEN jx_region_at(r.region_code, $11::text) END AS k_region,"      \
    " CASE WHEN $12::boolean THEN (SELECT CASE WHEN o.kind = 'department' THEN o.id"            \
    "   ELSE o.parent_id END FROM orgs o WHERE o.id = r.org_id) END AS k_department,"           \
    " CASE WHEN $13::boolean THEN r.org_id END AS k_unit,"                                      \
    " CASE WHEN $14::boolean THEN r.year END AS k_year,"                                        \
    " CASE WHEN $15::boolean THEN coalesce(r.grade, '') END AS k_grade,"                        \
    " CASE WHEN $16::boolean THEN coalesce(r.fund_nature, '') END AS k_fund_nature,"            \
    " CASE WHEN $17::boolean THEN r.scope END AS k_scope,"                                      \
    " count(*) AS n, count(r.score) AS n_eval,"                                                 \
    " count(*) FILTER (WHERE NOT r.complete) AS n_incomplete,"                                  \
    " coalesce(sum(r.budget_initial), 0) AS s_initial,"                                         \
    " coalesce(sum(r.budget_adjusted), 0) AS s_adjusted,"                                       \
    " coalesce(sum(r.budget_executed), 0) AS s_executed,"                                       \
    " sum(r.score) FILTER (WHERE r.complete) AS s_score,"                                       \
    " sum(r.score * r.budget_adjusted) FILTER (WHERE r.complete) AS s_wscore,"                  \
    " sum(r.budget_adjusted) FILTER (WHERE r.score IS NOT NULL AND r.complete) AS s_wbase,"     \
    GRADE_COLS(RANK("a"), "a") GRADE_COLS(RANK("b"), "b") GRADE_COLS(RANK("c"), "c")            \
    GRADE_COLS(RANK("d"), "d") GRADE_COLS("r.grade IS NULL", "none")                            \
    " count(*) FILTER (WHERE r.errors + r.warnings + r.infos > 0) AS f_any,"                    \
    " count(*) FILTER (WHERE r.errors > 0) AS f_error,"                                         \
    " count(*) FILTER (WHERE r.warnings > 0) AS f_warning,"                                     \
    " count(*) FILTER (WHERE r.infos > 0) AS f_info"                                            \
    " FROM jx_totals_rows r"                                                                    \
    " WHERE " where                                                                             \
    "   AND ($7::text IS NULL OR (r.province = jx_province($7::text)"                           \
    "        AND r.region_code LIKE jx_region_prefix($7::text) || '%'))"                        \
    "   AND ($8::bigint IS NULL OR r.org_id = $8::bigint OR r.parent_org_id = $8::bigint)"      \
    "   AND r.scope = ANY ($9::text[])"                                                         \
    "   AND r.status = ANY ($18::text[])"                                                       \
    " GROUP BY 1, 2, 3, 4, 5, 6, 7)," TOTALS_TAIL(ORG_REACH)

/* Planned with the values every time (pool_exec_replan), so that the
 * planner sees them: the reach folds to the caller's branch (a finance
 * bureau: "province = P AND region_code LIKE '34%'", index conditions),
 * one year becomes an equality that reaches the rollups' side of the join
 * too (an equivalence class; a BETWEEN would not), and a province and the
 * whole country get different plans.  Measured: a cached generic plan read
 * the projects' heap for the country (0.35-0.45 s instead of 0.1 s at 1x)
 * and nested-looped a province-year at 10x (122 ms, 5x the baseline).
 * The per-row FILTER aggregates stay: folding the grade and the finding
 * flags into the grouping (fewer aggregates a row) made the planner
 * over-estimate the groups and give up partial (parallel) aggregation. */
static const pool_stmt st_totals = {
    "jx_totals",
    TOTALS_SQL(REACH_CASE
               "   AND CASE WHEN $5::integer = $6::integer THEN r.year = $5::integer"
               "       ELSE r.year BETWEEN $5::integer AND $6::integer END"),
    18};

/* The same figures from totals_summary (0011): sums of sums at the grain
 * (province, year, scope, status, fund nature, stripe), a thousand-odd
 * rows for a country's year.  Used only when the request can be answered
 * at that grain (summary_fits); $1 is the caller's province (NULL for the
 * operator), $2 the region filter's (NULL when none).  A group whose
 * subjects were all deleted or moved is a row of zeros: HAVING drops it,
 * as the per-subject statement would have no row for it.  Its plan does
 * not depend on the values much (a small table read by its keys), so it
 * is prepared once (db_query). */
static const pool_stmt st_totals_summary = {
    "jx_totals_summary",
    "WITH g AS MATERIALIZED (SELECT"
    " CASE WHEN $7::boolean THEN s.province END AS k_region, NULL::bigint AS k_department,"
    " NULL::bigint AS k_unit, CASE WHEN $8::boolean THEN s.year END AS k_year,"
    " NULL::text AS k_grade, CASE WHEN $9::boolean THEN s.fund_nature END AS k_fund_nature,"
    " CASE WHEN $10::boolean THEN s.scope END AS k_scope,"
    " sum(s.n) AS n, sum(s.n_eval) AS n_eval, sum(s.n_incomplete) AS n_incomplete,"
    " sum(s.s_initial) AS s_initial, sum(s.s_adjusted) AS s_adjusted,"
    " sum(s.s_executed) AS s_executed, sum(s.s_score) AS s_score,"
    " sum(s.s_wscore) AS s_wscore, sum(s.s_wbase) AS s_wbase,"
    " sum(s.n_a) AS n_a, sum(s.n_b) AS n_b, sum(s.n_c) AS n_c, sum(s.n_d) AS n_d,"
    " sum(s.n_none) AS n_none, (sum(s.e_a) * 100)::bigint AS e_a,"
    " (sum(s.e_b) * 100)::bigint AS e_b, (sum(s.e_c) * 100)::bigint AS e_c,"
    " (sum(s.e_d) * 100)::bigint AS e_d, (sum(s.e_none) * 100)::bigint AS e_none,"
    " sum(s.f_any) AS f_any, sum(s.f_error) AS f_error, sum(s.f_warning) AS f_warning,"
    " sum(s.f_info) AS f_info"
    " FROM totals_summary s"
    " WHERE ($1::text IS NULL OR s.province = $1::text)"
    "   AND ($2::text IS NULL OR s.province = $2::text)"
    "   AND s.year BETWEEN $3::integer AND $4::integer"
    "   AND s.scope = ANY ($5::text[]) AND s.status = ANY ($6::text[])"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(s.n) > 0)," TOTALS_TAIL("false"),
    10};

static const pool_stmt st_findings = {
    "jx_findings",
    "SELECT f.evaluation_id, f.position, jsonb_build_object("
    " 'evaluation_id', f.evaluation_id, 'subject', f.subject, 'subject_id', f.subject_id,"
    " 'name', f.subject_name, 'scope', f.scope, 'org_id', f.org_id,"
    " 'region_code', f.region_code, 'year', f.year, 'code', f.code,"
    " 'severity', f.severity, 'pointer', f.pointer, 'message', f.message)::text"
    " FROM jx_latest_findings f"
    " WHERE " REACH_ROW("f", "$1", "$2", "$3", "$4")
    "   AND ($5::integer IS NULL OR f.year = $5::integer)"
    "   AND ($6::text IS NULL OR (f.province = jx_province($6::text)"
    "        AND f.region_code LIKE jx_region_prefix($6::text) || '%'))"
    "   AND ($7::bigint IS NULL OR f.org_id = $7::bigint OR f.parent_org_id = $7::bigint)"
    "   AND ($8::text IS NULL OR f.code = $8::text)"
    "   AND ($9::text IS NULL OR f.severity = $9::text)"
    "   AND (f.evaluation_id, f.position) > ($10::bigint, $11::integer)"
    " ORDER BY f.evaluation_id, f.position LIMIT $12::integer",
    12};

/* The same page for a caller or a filter that implies one province (a
 * finance bureau, department or unit; the operator with a region): the
 * rollups in reach are read in evaluation id order first
 * (evaluation_rollups_findings, 0011: (province, year, evaluation_id)),
 * and only then their evaluations' bodies parsed, so the LIMIT stops
 * after the page's few evaluations.  Over jx_latest_findings the planner parsed every body of the
 * province-year before sorting (its estimate of "has findings" and of the
 * reach is 30x too low), or walked all evaluations by id.  The sorted
 * subquery is not flattened, so its order is kept.  The reach, year,
 * region and department are the rollup's (copied from the latest
 * evaluation, equal to its own); a severity filter is read from the
 * rollup's counts first.  Without a code filter every evaluation after
 * the cursor's has at least one finding on the page, so limit + 1 of them
 * are enough (which also makes the planner walk the index in order
 * instead of sorting the province's rollups).  OFFSET 0 keeps the body's
 * parse in its subquery: flattened, the cast was repeated for the name
 * and for every finding.  Planned with its values, as the totals are. */
static const pool_stmt st_findings_province = {
    "jx_findings_province",
    "SELECT e.id, (f.n - 1)::integer, jsonb_build_object("
    " 'evaluation_id', e.id, 'subject', e.subject, 'subject_id', e.subject_id,"
    " 'name', coalesce(b.body->>'name', e.subject_doc->>'name'), 'scope', e.scope,"
    " 'org_id', e.org_id, 'region_code', e.region_code, 'year', e.year,"
    " 'code', f.x->>'code', 'severity', f.x->>'severity', 'pointer', f.x->>'pointer',"
    " 'message', f.x->>'message')::text"
    " FROM (SELECT r.province, r.evaluation_id FROM evaluation_rollups r"
    "  WHERE " REACH_CASE
    "   AND r.errors + r.warnings + r.infos > 0"
    "   AND ($5::integer IS NULL OR r.year = $5::integer)"
    "   AND ($6::text IS NULL OR (r.province = jx_province($6::text)"
    "        AND r.region_code LIKE jx_region_prefix($6::text) || '%'))"
    "   AND ($7::bigint IS NULL OR r.org_id = $7::bigint OR r.parent_org_id = $7::bigint)"
    "   AND ($9::text IS NULL OR CASE $9::text WHEN 'error' THEN r.errors > 0"
    "        WHEN 'warning' THEN r.warnings > 0 ELSE r.infos > 0 END)"
    "   AND r.evaluation_id >= $10::bigint"
    "  ORDER BY r.evaluation_id LIMIT CASE WHEN $8::text IS NULL THEN $12::integer + 1 END) r"
    " JOIN evaluations e ON e.province = r.province AND e.id = r.evaluation_id"
    " CROSS JOIN LATERAL (SELECT e.body::jsonb AS body OFFSET 0) b"
    " CROSS JOIN LATERAL jsonb_array_elements(b.body->'findings') WITH ORDINALITY AS f(x, n)"
    " WHERE ($8::text IS NULL OR f.x->>'code' = $8::text)"
    "   AND ($9::text IS NULL OR f.x->>'severity' = $9::text)"
    "   AND (e.id, (f.n - 1)::integer) > ($10::bigint, $11::integer)"
    " ORDER BY e.id, f.n LIMIT $12::integer",
    12};

/* One statement planned with its values (pool_exec_replan) on a pooled
 * connection; a dead connection (the database restarted) is retried once
 * on a fresh one, as db_query does. */
static int query_replan(const pool_stmt *st, const char *const *v, PGresult **res, db_err *e)
{
    pool_conn *pc;
    pool_status ps = POOL_EDOWN;
    int attempt;

    memset(e, 0, sizeof *e);
    for (attempt = 0; attempt < 2; attempt++) {
        if (db_acquire(&pc, e) < 0)
            return -1;
        ps = pool_exec_replan(pc, st, v, res, e->msg, sizeof e->msg);
        if (ps != POOL_OK)
            snprintf(e->state, sizeof e->state, "%s", pool_sqlstate(pc));
        db_release(pc);
        if (ps == POOL_OK)
            return 0;
        if (ps != POOL_EDOWN)
            break;
    }
    e->ps = ps;
    return -1;
}

/* Whether totals_summary answers the request exactly: its grain has the
 * province, year, scope, status and fund nature, nothing finer.  So: the
 * operator or a province's finance bureau (whose reach is its province),
 * no department filter, a region filter that is a whole province, and
 * groups only by region at the province level, year, fund nature, scope. */
static int summary_fits(const auth_info *who, const totals_filter *f)
{
    int province_bureau = !strcmp(who->org_kind, "finance") &&
                          !strcmp(who->region_code + 2, "0000") &&
                          strcmp(who->region_code, "000000");

    if (strcmp(who->org_kind, "admin") && !province_bureau)
        return 0;
    if (f->department || f->group[TD_DEPARTMENT] || f->group[TD_UNIT] || f->group[TD_GRADE])
        return 0;
    if (f->region && (strcmp(f->region + 2, "0000") || !strcmp(f->region, "000000")))
        return 0;
    return !f->group[TD_REGION] || !strcmp(f->region_level, "province");
}

static const char *flag(int on)
{
    return on ? "true" : "false";
}

int dbt_totals(const auth_info *who, const totals_filter *f, PGresult **res, int *summary,
               db_err *e)
{
    const char *v[18];
    char yf[16], yt[16], dep[24];
    int i;

    snprintf(yf, sizeof yf, "%d", f->year_from ? f->year_from : 2000);
    snprintf(yt, sizeof yt, "%d", f->year_to ? f->year_to : 2100);
    *summary = summary_fits(who, f);
    if (*summary) {
        v[0] = strcmp(who->org_kind, "admin") ? who->province : NULL;
        v[1] = f->region;
        v[2] = yf;
        v[3] = yt;
        v[4] = f->scopes ? f->scopes : "{project,department_wide,unit_wide}";
        v[5] = f->statuses;
        v[6] = flag(f->group[TD_REGION]);
        v[7] = flag(f->group[TD_YEAR]);
        v[8] = flag(f->group[TD_FUND_NATURE]);
        v[9] = flag(f->group[TD_SCOPE]);
        return db_query(&st_totals_summary, v, res, e);
    }
    auth_reach_vals(who, v);
    fmt_i64(f->department, dep);
    v[4] = yf;
    v[5] = yt;
    v[6] = f->region;
    v[7] = f->department ? dep : NULL;
    v[8] = f->scopes ? f->scopes : "{project,department_wide,unit_wide}";
    v[9] = flag(f->group[TD_REGION]);
    v[10] = f->region_level;
    for (i = TD_DEPARTMENT; i < TD_COUNT; i++)
        v[10 + i] = flag(f->group[i]);
    v[17] = f->statuses;
    return query_replan(&st_totals, v, res, e);
}

int dbt_findings(const auth_info *who, const findings_filter *f, PGresult **res, db_err *e)
{
    const char *v[12];
    char year[16], dep[24], ae[24], ap[16], lim[16];

    auth_reach_vals(who, v);
    snprintf(year, sizeof year, "%d", f->year);
    fmt_i64(f->department, dep);
    fmt_i64(f->after_eval, ae);
    snprintf(ap, sizeof ap, "%d", f->after_pos);
    snprintf(lim, sizeof lim, "%d", f->limit);
    v[4] = f->year ? year : NULL;
    v[5] = f->region;
    v[6] = f->department ? dep : NULL;
    v[7] = f->code;
    v[8] = f->severity;
    v[9] = ae;
    v[10] = ap;
    v[11] = lim;
    if (strcmp(who->org_kind, "admin") || f->region)
        return query_replan(&st_findings_province, v, res, e);
    return db_query(&st_findings, v, res, e);
}
