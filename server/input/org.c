/*
 * input/org.c -- organisation and token bodies (org_input.h).
 *
 * Moved unchanged out of routes_orgs.c and routes_tokens.c: the checks and
 * messages are the ones clients have always seen.  Every problem goes to
 * errs so a client gets them all at once; unknown fields answer 400 on
 * their own, as everywhere (body_unknown_fields).
 */
#include "input/org.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "input/body.h"
#include "input/list.h"
#include "problem.h"

/* posts / staff: a non-negative integer or null. */
static void count_field(json_t *o, const char *key, char *buf, size_t n, const char **out,
                        int *set, jx_errors *errs)
{
    json_t *v = json_object_get(o, key);
    char ptr[32];

    *out = NULL;
    *set = v != NULL;
    if (!v || json_is_null(v))
        return;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 10000000) {
        snprintf(ptr, sizeof ptr, "/%s", key);
        errs_add(errs, JX_EINVALID, ptr, "VALUE_INVALID",
                 "'%s' 应为不小于 0 的整数 (must be a non-negative integer)", key);
        return;
    }
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    *out = buf;
}

static const char *name_field(json_t *o, int required, jx_errors *errs)
{
    json_t *v = json_object_get(o, "name");
    const char *s = json_string_value(v);

    if (!v && !required)
        return NULL;
    if (!s || !*s || strlen(s) > 600) {
        errs_add(errs, JX_EINVALID, "/name", "FIELD_REQUIRED",
                 "名称应为 1 到 200 个字 (name is required, at most 200 characters)");
        return NULL;
    }
    return s;
}

int org_decode(json_t *body, int create, const org_caller *who, org_in *o, jx_resp *resp,
               jx_errors *errs)
{
    static const char *const CREATE[] = {"kind", "name", "region_code", "region_name",
                                         "parent_id", "posts", "staff", NULL};
    static const char *const PATCH[] = {"name", "posts", "staff", NULL};
    json_t *v;

    memset(o, 0, sizeof *o);
    if (body_unknown_fields(resp, body, create ? CREATE : PATCH, "") < 0)
        return -1;
    jx_errors_clear(errs);
    if (!create) {
        o->name = name_field(body, 0, errs);
        goto counts;
    }
    o->kind = json_string_value(json_object_get(body, "kind"));
    if (!o->kind ||
        (strcmp(o->kind, "finance") && strcmp(o->kind, "department") && strcmp(o->kind, "unit"))) {
        errs_add(errs, JX_EINVALID, "/kind", "VALUE_INVALID",
                 "kind 应为 finance、department 或 unit (kind must be finance, department or unit)");
        o->kind = NULL;
    }
    o->name = name_field(body, 1, errs);
    o->region = json_string_value(json_object_get(body, "region_code"));
    if (!o->region && !strcmp(who->kind, "department"))
        o->region = who->region;
    if (!region_code_ok(o->region)) {
        errs_add(errs, JX_EINVALID, "/region_code", "REGION_INVALID",
                 "region_code 应为六位行政区划代码，如 341300 (a 6-digit region code)");
        o->region = NULL;
    }
    /* a finance bureau names its region (宁德市): totals show that, never
     * the bureau's own name, for a region outside the 31 provinces */
    v = json_object_get(body, "region_name");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 300)
            errs_add(errs, JX_EINVALID, "/region_name", "VALUE_INVALID",
                     "region_name 应为地区名称，如 \"宁德市\"，至多 100 字 (region_name must be "
                     "a region's name, at most 100 characters)");
        else if (o->kind && strcmp(o->kind, "finance"))
            errs_add(errs, JX_EINVALID, "/region_name", "VALUE_INVALID",
                     "只有财政部门可以给出 region_name (only a finance bureau names its region)");
        else
            o->region_name = json_string_value(v);
    }
    v = json_object_get(body, "parent_id");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            errs_add(errs, JX_EINVALID, "/parent_id", "TYPE_INVALID",
                     "parent_id 应为组织 id (parent_id must be an organisation id)");
        else
            o->parent_id = json_integer_value(v);
    } else if (!strcmp(who->kind, "department")) {
        o->parent_id = who->org_id;
    }
counts:
    count_field(body, "posts", o->posts_b, sizeof o->posts_b, &o->posts, &o->set_posts, errs);
    count_field(body, "staff", o->staff_b, sizeof o->staff_b, &o->staff, &o->set_staff, errs);
    return 0;
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The fields in range: a shape alone let 2026-13-45T99:99:99Z through to
 * PostgreSQL, whose refusal was a 500. */
static int date_time_in_range(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = num2(s) * 100 + num2(s + 2), m = num2(s + 5), d = num2(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return 0;
    return num2(s + 11) <= 23 && num2(s + 14) <= 59 && num2(s + 17) <= 59;
}

int rfc3339_ok(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i;

    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    }
    if (!date_time_in_range(s))
        return 0;
    s += i;
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (!strcmp(s, "Z"))
        return 1;
    return (s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1]) &&
           isdigit((unsigned char)s[2]) && s[3] == ':' && isdigit((unsigned char)s[4]) &&
           isdigit((unsigned char)s[5]) && !s[6] && num2(s + 1) <= 23 && num2(s + 4) <= 59;
}

int token_decode(json_t *body, const char **label, const char **expires, jx_resp *resp,
                 jx_errors *errs)
{
    static const char *const FIELDS[] = {"label", "expires_at", NULL};
    json_t *l, *x;

    *label = NULL;
    *expires = NULL;
    if (body && body_unknown_fields(resp, body, FIELDS, "") < 0)
        return -1;
    jx_errors_clear(errs);
    if (!body)
        return 0;
    l = json_object_get(body, "label");
    x = json_object_get(body, "expires_at");
    if (l && !json_is_null(l) && (!json_is_string(l) || strlen(json_string_value(l)) > 200))
        errs_add(errs, JX_EINVALID, "/label", "VALUE_INVALID",
                 "label 应为不超过 200 字节的文字 (label must be text)");
    *label = json_string_value(l);
    if (x && !json_is_null(x)) {
        *expires = json_string_value(x);
        if (!*expires || !rfc3339_ok(*expires)) {
            errs_add(errs, JX_EINVALID, "/expires_at", "TIME_INVALID",
                     "expires_at 应为 RFC 3339 时间，如 2026-12-31T00:00:00Z (must be RFC 3339)");
            *expires = NULL;
        }
    }
    return 0;
}
