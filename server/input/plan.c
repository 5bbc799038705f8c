/*
 * input/plan.c -- the body of POST/PUT /v1/plans (plan.h), moved out of
 * routes_plans.c unchanged so it can be fuzzed without libpq: every
 * problem listed at once (422), unknown fields 400 among them, and the
 * stored document built (org_id and the read-only members dropped,
 * budget_year filled in, both lists present).
 */
#include "input/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

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
int plan_amount_text(json_t *v, char *out, size_t n)
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
    if ((project || (v && !json_is_null(v))) && plan_amount_text(v, text, sizeof text) < 0) {
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
int plan_decode(json_t *body, jx_resp *resp, int64_t *org_id, int *year, char **doc)
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
        problem_oom(resp);
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
        problem_oom(resp);
        return -1;
    }
    return 0;
}
