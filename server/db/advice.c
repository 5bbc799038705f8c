/*
 * db/advice.c -- the SQL of budget advice by grade (结果应用), and nothing
 * else.
 *
 * Rules belong to a region (sql/0022): a finance bureau sets those of its
 * own region; the nearest region above a project's with a rule for its
 * grade applies, the operator's (000000) being the defaults.  The list
 * carries the caller's reach (auth.h REACH_ROW); decisions are written
 * with the project locked, and audited under it.
 */
#include "db/advice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "util.h"

#define RULES_OF_REGION                                                                     \
    "SELECT g.grade, a.advice, a.set_in FROM (SELECT DISTINCT grade FROM advice_rules"       \
    "  WHERE region_code IN ($1, left($1, 4) || '00', left($1, 2) || '0000', '000000')) g"   \
    " CROSS JOIN LATERAL jx_advice_for($1, g.grade) a"

static const pool_stmt st_rules = {"jx_advice_rules", RULES_OF_REGION " ORDER BY g.grade", 1};

static const pool_stmt st_rules_json = {
    "jx_advice_rules_json",
    "SELECT coalesce(jsonb_object_agg(grade, advice), '{}'::jsonb)::text FROM advice_rules"
    " WHERE region_code = $1",
    1};

static const pool_stmt st_rules_delete = {
    "jx_advice_rules_delete", "DELETE FROM advice_rules WHERE region_code = $1", 1};

static const pool_stmt st_rules_insert = {
    "jx_advice_rules_insert",
    "INSERT INTO advice_rules (region_code, grade, advice)"
    " SELECT $1, x->>0, x->>1 FROM jsonb_array_elements($2::jsonb) x",
    2};

#define DECISION_JSON(d)                                                                    \
    "CASE WHEN " d ".project_id IS NULL THEN NULL ELSE jsonb_build_object('decision', " d    \
    ".decision, 'amount', to_char(" d ".amount, 'FM9999999999999990.00'), 'note', " d         \
    ".note, 'version', " d ".version, 'decided_by_org', " d ".decided_by_org,"                \
    " 'updated_at', jx_time(" d ".updated_at)) END"

static const pool_stmt st_list = {
    "jx_advice_list",
    "SELECT p.id, jsonb_build_object('project_id', p.id, 'project_name', p.name,"
    " 'org_id', p.org_id, 'org_name', o.name, 'region_code', p.region_code, 'year', p.year,"
    " 'budget', to_char(coalesce(p.budget_adjusted, p.budget_initial),"
    " 'FM9999999999999990.00'), 'evaluation_id', e.id, 'total', e.total, 'grade', e.grade,"
    " 'advice', a.advice, 'advice_set_in', a.set_in, 'decision', " DECISION_JSON("d") ")::text"
    " FROM projects p JOIN orgs o ON o.id = p.org_id"
    " CROSS JOIN LATERAL (SELECT v.id, v.total, v.grade FROM evaluations v"
    "   WHERE v.province = p.province AND v.subject = 'project' AND v.subject_id = p.id"
    "   ORDER BY v.id DESC LIMIT 1) e"
    " LEFT JOIN LATERAL jx_advice_for(p.region_code, e.grade) a ON true"
    " LEFT JOIN advice_decisions d ON d.province = p.province AND d.project_id = p.id"
    " WHERE " REACH_ROW("p", "$1", "$2", "$3", "$4") " AND p.id > $5::bigint"
    "   AND ($6::integer IS NULL OR p.year = $6::integer)"
    " ORDER BY p.id LIMIT $7::integer",
    7};

static const pool_stmt st_dversion = {
    "jx_advice_dversion",
    "SELECT version FROM advice_decisions WHERE province = $1 AND project_id = $2::bigint"
    " FOR UPDATE",
    2};

static const pool_stmt st_dput = {
    "jx_advice_dput",
    "WITH old AS (SELECT to_jsonb(o) - 'province' AS doc FROM advice_decisions o"
    "   WHERE o.province = $1 AND o.project_id = $2::bigint),"
    " d AS (INSERT INTO advice_decisions (province, project_id, org_id, parent_org_id,"
    "   region_code, decision, amount, note, decided_by_org)"
    "   SELECT p.province, p.id, p.org_id, p.parent_org_id, p.region_code, $3, $4::numeric,"
    "   $5, $6::bigint FROM projects p WHERE p.province = $1 AND p.id = $2::bigint"
    "   ON CONFLICT (province, project_id) DO UPDATE SET decision = EXCLUDED.decision,"
    "   amount = EXCLUDED.amount, note = EXCLUDED.note,"
    "   decided_by_org = EXCLUDED.decided_by_org, version = advice_decisions.version + 1,"
    "   updated_at = now() RETURNING *),"
    " a AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, actor_org_id, actor_token_id, reason, before, after)"
    "   SELECT d.province, 'project', d.project_id, d.org_id, d.parent_org_id, d.region_code,"
    "   'advice.decision', $6::bigint, $7::bigint, d.decision, (SELECT doc FROM old),"
    "   to_jsonb(d) - 'province' FROM d)"
    " SELECT d.version, (jsonb_build_object('project_id', d.project_id) || " DECISION_JSON("d")
    ")::text FROM d",
    7};

int dba_rules_get(const auth_info *who, PGresult **res, db_err *e)
{
    const char *v[1] = {who->region_code};

    return db_query(&st_rules, v, res, e);
}

/* The region's own rules as a JSON object text (malloc'd) into *out. */
static int rules_json(pool_conn *pc, const char *region, char **out, db_err *e)
{
    const char *v[1] = {region};
    PGresult *res = NULL;

    *out = NULL;
    if (db_exec(pc, &st_rules_json, v, &res, e) < 0)
        return -1;
    *out = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int dba_rules_put(pool_conn *pc, const auth_info *who, const char *rules, db_err *e)
{
    const char *v[2] = {who->region_code, rules};
    PGresult *res = NULL;
    char *before = NULL, *after = NULL;
    audit_entry a;
    int rc = -1;

    if (rules_json(pc, who->region_code, &before, e) < 0)
        return -1;
    if (db_exec(pc, &st_rules_delete, v, &res, e) < 0)
        goto out;
    PQclear(res);
    res = NULL;
    if (db_exec(pc, &st_rules_insert, v, &res, e) < 0)
        goto out;
    if (rules_json(pc, who->region_code, &after, e) < 0)
        goto out;
    memset(&a, 0, sizeof a);
    a.resource = "org";
    a.resource_id = who->org_id;
    a.org_id = who->org_id;
    a.region_code = who->region_code;
    a.action = "advice.rules";
    a.before = before;
    a.after = after;
    rc = audit_add(pc, who, &a, e);
out:
    PQclear(res);
    free(before);
    free(after);
    return rc;
}

int dba_advice_list(const auth_info *who, int year, int64_t after, int limit, PGresult **res,
                    db_err *e)
{
    db_list_text t;
    const char *v[7];

    db_list_vals(who, after, year, 0, limit + 1, &t, v);
    v[6] = t.limit;
    return db_query(&st_list, v, res, e);
}

int dba_decision_version(pool_conn *pc, const db_row *row, int64_t *version, db_err *e)
{
    char ids[24];
    const char *v[2];
    PGresult *res = NULL;

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    if (db_exec(pc, &st_dversion, v, &res, e) < 0)
        return -1;
    *version = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return 0;
}

int dba_decision_put(pool_conn *pc, const auth_info *who, const db_row *row,
                     const advice_decision_in *in, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[7];

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    v[2] = in->decision;
    v[3] = in->amount[0] ? in->amount : NULL;
    v[4] = in->note;
    v[5] = who->org_id_s;
    v[6] = who->token_id_s;
    return db_exec(pc, &st_dput, v, res, e);
}
