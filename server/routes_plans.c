/*
 * routes_plans.c -- /v1/plans: a department's evaluation plan for a year
 * (评价计划, seed 000's first table), with the plan rules in every answer.
 *
 * Body: {org_id (operator only), year, budget_year (default year - 1),
 * projects: [{project_id?, name, supervising_office?, amount,
 * fund_nature, method}], unit_wide: [{org_id?, name, budget?,
 * project_count?, method}], note?}.  Every problem is listed at once
 * (422); unknown fields are 400.  Only the department itself (or the
 * operator) files and edits its plan; everyone whose reach covers the
 * department reads it.
 *
 * Findings (scoring.md §6), worked out on every answer against the data
 * as it is then:
 *   PLAN_AMOUNT_MISMATCH     a planned amount not consistent with the
 *                            matched project's executed amount
 *   PLAN_UNIT_WIDE_REQUIRED  a department with --plan-unit-wide-min (5)
 *                            or more budget units, itself included, that
 *                            chooses no unit-wide evaluation
 * Each planned project also shows the id of the project it matched.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "body.h"
#include "db.h"
#include "db_plans.h"
#include "idempotency.h"
#include "problem.h"
#include "routes.h"
#include "workflow.h"

#define CT_JSON "application/json"

static const char *const NATURES[] = {"本级项目", "对下转移支付", NULL};
static const char *const METHODS[] = {"自行组织", "委托第三方机构", NULL};

static int in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

/* An amount as text (strings as written, numbers through %.15g). */
static int amount_text(json_t *v, char *out, size_t n)
{
    jx_error err;
    int64_t fen;
    int prec;

    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_number(v))
        snprintf(out, n, "%.15g", json_number_value(v));
    else
        return -1;
    return jx_parse_money(out, &fen, &prec, &err) == 0 && fen >= 0 ? 0 : -1;
}

static void check_item(json_t *item, const char *base, int project, jx_errors *errs)
{
    static const char *const PF[] = {"project_id", "name", "supervising_office", "amount",
                                     "fund_nature", "method", "matched_project_id", NULL};
    static const char *const UF[] = {"org_id", "name", "budget", "project_count", "method",
                                     NULL};
    const char *const *fields = project ? PF : UF;
    const char *key;
    json_t *v;
    char ptr[160], text[128];
    size_t i;

    if (!json_is_object(item)) {
        errs_add(errs, JX_EINVALID, base, "TYPE_INVALID", "应为对象 (must be an object)");
        return;
    }
    json_object_foreach(item, key, v) {
        int known = 0;

        for (i = 0; fields[i]; i++)
            known |= !strcmp(key, fields[i]);
        if (!known) {
            json_pointer_append(ptr, sizeof ptr, base, key);
            errs_add(errs, JX_EFIELD, ptr, "FIELD_UNKNOWN", "未知字段 '%.60s' (unknown field)",
                     key);
        }
    }
    v = json_object_get(item, "name");
    if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 300) {
        snprintf(ptr, sizeof ptr, "%s/name", base);
        errs_add(errs, JX_EINVALID, ptr, "FIELD_REQUIRED",
                 "名称应为 1 到 300 字节的文字 (name must be 1 to 300 bytes)");
    }
    v = json_object_get(item, project ? "project_id" : "org_id");
    if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1)) {
        snprintf(ptr, sizeof ptr, "%s/%s", base, project ? "project_id" : "org_id");
        errs_add(errs, JX_EINVALID, ptr, "TYPE_INVALID", "应为正整数 id (must be an id)");
    }
    v = json_object_get(item, project ? "amount" : "budget");
    if ((project || (v && !json_is_null(v))) && amount_text(v, text, sizeof text) < 0) {
        snprintf(ptr, sizeof ptr, "%s/%s", base, project ? "amount" : "budget");
        errs_add(errs, JX_EINVALID, ptr, "AMOUNT_INVALID",
                 "金额应为不小于 0 的金额，如 \"782,957.64\" 或 \"78.3万元\" (amount must be "
                 "money, e.g. \"782,957.64\")");
    }
    if (project && !in_list(json_string_value(json_object_get(item, "fund_nature")), NATURES)) {
        snprintf(ptr, sizeof ptr, "%s/fund_nature", base);
        errs_add(errs, JX_EINVALID, ptr, "VALUE_INVALID",
                 "资金性质应为 本级项目 或 对下转移支付 (fund nature: 本级项目 or 对下转移支付)");
    }
    if (!in_list(json_string_value(json_object_get(item, "method")), METHODS)) {
        snprintf(ptr, sizeof ptr, "%s/method", base);
        errs_add(errs, JX_EINVALID, ptr, "VALUE_INVALID",
                 "评价方式应为 自行组织 或 委托第三方机构 (method: 自行组织 or 委托第三方机构)");
    }
    v = json_object_get(item, "project_count");
    if (!project && v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0)) {
        snprintf(ptr, sizeof ptr, "%s/project_count", base);
        errs_add(errs, JX_EINVALID, ptr, "TYPE_INVALID",
                 "项目数应为非负整数 (project_count must be a non-negative integer)");
    }
}

static void check_list(json_t *body, const char *name, int project, jx_errors *errs)
{
    json_t *arr = json_object_get(body, name), *item;
    char base[64];
    size_t i;

    if (!arr || json_is_null(arr))
        return;
    if (!json_is_array(arr)) {
        snprintf(base, sizeof base, "/%s", name);
        errs_add(errs, JX_EINVALID, base, "TYPE_INVALID", "应为数组 (must be an array)");
        return;
    }
    json_array_foreach(arr, i, item) {
        snprintf(base, sizeof base, "/%s/%zu", name, i);
        check_item(item, base, project, errs);
    }
}

/* Validates body; builds the stored document (org_id removed, budget_year
 * filled in, lists present).  0, or -1 with the problem in resp. */
static int decode(json_t *body, jx_resp *resp, int64_t *org_id, int *year, char **doc)
{
    /* the representation's read-only members are accepted and ignored, so
     * a GET's body can be PUT back */
    static const char *const FIELDS[] = {"org_id", "year", "budget_year", "projects",
                                         "unit_wide", "note", "id", "region_code", "version",
                                         "created_at", "updated_at", "findings", "unit_count",
                                         NULL};
    static const char *const READONLY[] = {"id", "region_code", "version", "created_at",
                                           "updated_at", "findings", "unit_count", NULL};
    jx_errors errs;
    json_t *v, *d;
    const char *key;
    size_t i;

    *doc = NULL;
    jx_errors_clear(&errs);
    json_object_foreach(body, key, v) {
        int known = 0;
        char ptr[160];

        for (i = 0; FIELDS[i]; i++)
            known |= !strcmp(key, FIELDS[i]);
        if (!known) {
            json_pointer_append(ptr, sizeof ptr, "", key);
            errs_add(&errs, JX_EFIELD, ptr, "FIELD_UNKNOWN", "未知字段 '%.60s' (unknown field)",
                     key);
        }
    }
    v = json_object_get(body, "org_id");
    if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1))
        errs_add(&errs, JX_EINVALID, "/org_id", "TYPE_INVALID", "应为组织 id (must be an id)");
    *org_id = json_is_integer(v) ? json_integer_value(v) : 0;
    v = json_object_get(body, "year");
    if (!json_is_integer(v) || json_integer_value(v) < 2000 || json_integer_value(v) > 2100)
        errs_add(&errs, JX_EINVALID, "/year", "VALUE_INVALID",
                 "year 应为 2000 到 2100 之间的整数 (year must be an integer 2000-2100)");
    *year = json_is_integer(v) ? (int)json_integer_value(v) : 0;
    v = json_object_get(body, "budget_year");
    if (v && !json_is_null(v) &&
        (!json_is_integer(v) || json_integer_value(v) < 2000 || json_integer_value(v) > 2100))
        errs_add(&errs, JX_EINVALID, "/budget_year", "VALUE_INVALID",
                 "budget_year 应为 2000 到 2100 之间的整数 (budget_year must be 2000-2100)");
    v = json_object_get(body, "note");
    if (v && !json_is_null(v) && !json_is_string(v))
        errs_add(&errs, JX_EINVALID, "/note", "TYPE_INVALID", "应为文字 (must be a string)");
    check_list(body, "projects", 1, &errs);
    check_list(body, "unit_wide", 0, &errs);
    if (errs.count) {
        problem_invalid(resp, &errs);
        return -1;
    }
    d = json_deep_copy(body);
    if (!d) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        return -1;
    }
    json_object_del(d, "org_id");
    for (i = 0; READONLY[i]; i++)
        json_object_del(d, READONLY[i]);
    json_array_foreach(json_object_get(d, "projects"), i, v)
        json_object_del(v, "matched_project_id");
    if (!json_is_integer(json_object_get(d, "budget_year")))
        json_object_set_new(d, "budget_year", json_integer(*year - 1));
    if (!json_is_array(json_object_get(d, "projects")))
        json_object_set_new(d, "projects", json_array());
    if (!json_is_array(json_object_get(d, "unit_wide")))
        json_object_set_new(d, "unit_wide", json_array());
    *doc = json_dumps(d, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(d);
    if (!*doc) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        return -1;
    }
    return 0;
}

/* ---- the plan rules ----------------------------------------------------- */

static json_t *finding(const char *code, const char *pointer, const char *msg)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "code", code, "severity", "warning", "pointer",
                     pointer, "message", msg);
}

/* Adds findings, unit_count and matched project ids to the representation
 * rep (a plan JSON object), from the facts rows. */
static void apply_rules(json_t *rep, const PGresult *facts)
{
    json_t *fs = json_array(), *projects = json_object_get(rep, "projects");
    int i, units = 0;

    for (i = 0; i < PQntuples(facts); i++) {
        json_t *item;
        char text[128], ptr[64], msg[480];
        long idx;

        units = atoi(PQgetvalue(facts, i, 3));
        if (PQgetisnull(facts, i, 0))
            continue;
        idx = atol(PQgetvalue(facts, i, 0));
        item = json_array_get(projects, (size_t)idx);
        if (!item)
            continue;
        if (PQgetisnull(facts, i, 1)) {
            json_object_set_new(item, "matched_project_id", json_null());
            continue;
        }
        json_object_set_new(item, "matched_project_id",
                            json_integer(strtoll(PQgetvalue(facts, i, 1), NULL, 10)));
        if (PQgetisnull(facts, i, 2) || amount_text(json_object_get(item, "amount"), text,
                                                    sizeof text) < 0)
            continue;
        if (jx_amounts_consistent(text, PQgetvalue(facts, i, 2)) == 0) {
            snprintf(ptr, sizeof ptr, "/projects/%ld/amount", idx);
            snprintf(msg, sizeof msg,
                     "计划金额 %.60s 与项目全年执行数 %.60s 不一致 (the planned amount is not "
                     "consistent with the project's executed amount)",
                     text, PQgetvalue(facts, i, 2));
            json_array_append_new(fs, finding("PLAN_AMOUNT_MISMATCH", ptr, msg));
        }
    }
    if (units >= app.cfg->plan_unit_wide_min &&
        json_array_size(json_object_get(rep, "unit_wide")) == 0) {
        char msg[480];

        snprintf(msg, sizeof msg,
                 "部门所属预算单位（含部门本级）共 %d 个，达到 %d 个，须至少选择 1 个单位开展整体"
                 "支出评价 (a department with %d budget units must choose a unit-wide "
                 "evaluation)",
                 units, app.cfg->plan_unit_wide_min, units);
        json_array_append_new(fs, finding("PLAN_UNIT_WIDE_REQUIRED", "/unit_wide", msg));
    }
    json_object_set_new(rep, "unit_count", json_integer(units));
    json_object_set_new(rep, "findings", fs);
}

/* Sends rep_text (a plan representation) with its findings. */
static int send_plan(jx_resp *resp, unsigned status, const char *version, const char *rep_text,
                     const char *province, int64_t org_id)
{
    json_t *rep = json_loads(rep_text, 0, NULL);
    PGresult *facts = NULL;
    db_err e;
    char *body = NULL, *doc = NULL;

    if (!rep)
        return problem(resp, 500, "internal", "内部错误 (internal error)", "plan");
    doc = json_dumps(rep, JSON_COMPACT);
    if (!doc || dbl_facts(province, org_id, doc, &facts, &e) < 0) {
        json_decref(rep);
        free(doc);
        return doc ? db_problem(resp, &e)
                   : problem(resp, 500, "internal", "内部错误 (internal error)", "oom");
    }
    apply_rules(rep, facts);
    PQclear(facts);
    body = json_dumps(rep, JSON_COMPACT);
    json_decref(rep);
    free(doc);
    if (!body)
        return problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
    resp_body(resp, status, CT_JSON, body, strlen(body));
    resp_header(resp, "ETag", "\"%s\"", version);
    return 0;
}

/* ---- routes ------------------------------------------------------------- */

static int not_department(jx_resp *resp)
{
    jx_errors errs;

    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/org_id", "ORG_UNKNOWN",
             "评价计划由部门（主管部门）自己填报；运营者须给出部门的 org_id (plans are filed by "
             "a department itself; the operator gives the department's org_id)");
    return problem_invalid(resp, &errs);
}

int route_plan_create(jx_req *req, jx_resp *resp)
{
    auth_info who;
    json_t *body = NULL;
    int64_t org_id;
    int year, ok = 0;
    char *doc = NULL;
    idem k;
    pool_conn *pc = NULL;
    PGresult *res = NULL, *got = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0 ||
        body_json(req, resp, 0, &body) < 0)
        return 0;
    if (decode(body, resp, &org_id, &year, &doc) < 0)
        goto out;
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    switch (idem_claim(pc, &who, &k, resp, &e)) {
    case IDEM_NEW:
        break;
    case IDEM_FAIL:
        db_problem(resp, &e);
        goto out;
    default:
        goto out;
    }
    if (dbl_create(pc, &who, org_id, year, doc, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        not_department(resp);
        goto out;
    }
    resp_header(resp, "Location", "/v1/plans/%s", PQgetvalue(res, 0, 0));
    ok = idem_store(pc, &who, &k, resp, &e) == 0 && db_commit(pc, &e) == 0;
    if (!ok) {
        db_problem(resp, &e);
        goto out;
    }
    /* the findings read committed data: after the commit, with the
     * connection given back (never hold one while borrowing another) */
    db_release(pc);
    pc = NULL;
    if (dbl_get(&who, strtoll(PQgetvalue(res, 0, 0), NULL, 10), &got, &e) < 0 ||
        PQntuples(got) != 1) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "plan");
        goto out;
    }
    send_plan(resp, 201, PQgetvalue(got, 0, 0), PQgetvalue(got, 0, 1), PQgetvalue(got, 0, 3),
              strtoll(PQgetvalue(got, 0, 2), NULL, 10));
out:
    PQclear(res);
    PQclear(got);
    if (pc) {
        db_rollback(pc);
        db_release(pc);
    }
    json_decref(body);
    free(doc);
    return 0;
}

int route_plan_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, dbl_get, &res) == 0) {
        send_plan(resp, 200, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 3),
                  strtoll(PQgetvalue(res, 0, 2), NULL, 10));
        PQclear(res);
    }
    return 0;
}

int route_plan_put(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, version, org_id;
    json_t *body = NULL;
    int year, ok = 0;
    char *doc = NULL;
    pool_conn *pc = NULL;
    project_row row;
    PGresult *res = NULL;
    db_err e;

    memset(&row, 0, sizeof row);
    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (decode(body, resp, &org_id, &year, &doc) < 0)
        goto out;
    if (wf_lock(resp, &who, &wf_plans, id, version, 0, NULL, NULL, &pc, &row) < 0)
        goto out;
    if (org_id && org_id != row.org_id) {
        jx_errors errs;

        jx_errors_clear(&errs);
        errs_add(&errs, JX_EINVALID, "/org_id", "ORG_IMMUTABLE",
                 "计划所属部门不能更改 (a plan cannot move to another department)");
        problem_invalid(resp, &errs);
    } else if (dbl_update(pc, &who, &row, year, doc, &res, &e) < 0) {
        db_problem(resp, &e);
    } else {
        ok = db_commit(pc, &e) == 0;
        if (!ok)
            db_problem(resp, &e);
    }
    wf_finish(resp, pc, 0);
    if (ok)
        send_plan(resp, 200, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), row.province,
                  row.org_id);
out:
    project_row_free(&row);
    PQclear(res);
    json_decref(body);
    free(doc);
    return 0;
}

int route_plans_list(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t after, v, org;
    int limit, set, year;
    PGresult *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || page_params(req, resp, &limit, &after) < 0)
        return 0;
    if (query_int(req, resp, "year", 2000, 2100, &v, &set) < 0)
        return 0;
    year = set ? (int)v : 0;
    if (query_int(req, resp, "org", 1, INT64_MAX, &v, &set) < 0)
        return 0;
    org = set ? v : 0;
    if (dbl_list(&who, after, limit + 1, year, org, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, limit);
    PQclear(res);
    return 0;
}
