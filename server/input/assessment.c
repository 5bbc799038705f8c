/*
 * input/assessment.c -- decoding and validating a wide assessment; its scoring
 * document.
 *
 * The body is the scoring document of scoring.md §4 (scope, framework,
 * year, name, figures, indicators, reported, budget) plus org_id for
 * callers filing for another organisation.  The stored document is the
 * body without org_id and with scope and framework filled in, so the
 * library reads it as it is: validation asks jx_document_load itself and
 * its pointers are the body's, every problem listed at once.  Stored
 * assessments name a built-in framework of their scope; another
 * framework is chosen when evaluating (POST .../evaluations).
 */
#include "input/assessment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

static const char *const FIELDS[] = {"org_id", "scope",   "framework", "year", "name",
                                     "figures", "indicators", "reported", "budget", NULL};

/* Read-only members of the representation: accepted and ignored, so a
 * GET's body can be PUT back. */
static const char *const READONLY[] = {"id", "region_code", "status", "version",
                                       "return_reason", "created_at", "updated_at", NULL};

static void unknown_fields(json_t *body, jx_errors *errs)
{
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach(body, key, v) {
        int known = 0;
        char ptr[160];

        for (i = 0; FIELDS[i]; i++)
            known |= !strcmp(key, FIELDS[i]);
        for (i = 0; READONLY[i]; i++)
            known |= !strcmp(key, READONLY[i]);
        if (known)
            continue;
        json_pointer_append(ptr, sizeof ptr, "", key);
        errs_add(errs, JX_EFIELD, ptr, "FIELD_UNKNOWN", "未知字段 '%.60s' (unknown field)", key);
    }
}

static const char *default_framework(const char *scope)
{
    return !strcmp(scope, "unit_wide") ? "unit-wide-2013" : "department-wide-2013";
}

static void check_framework(const jx_ctx *ctx, const char *scope, const char *id,
                            jx_errors *errs)
{
    const jx_framework *fw = jx_ctx_framework(ctx, id);

    if (!fw)
        errs_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_UNKNOWN",
                 "评价框架 '%.64s' 不是内置框架；其他框架在评价时选择 (not a built-in framework; "
                 "choose others when evaluating)",
                 id);
    else if (strcmp(jx_framework_scope(fw), scope))
        errs_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_SCOPE",
                 "评价框架 '%.64s' 的适用范围不是 %s (the framework is not for this scope)", id,
                 scope);
}

int assessment_decode(const jx_ctx *ctx, json_t *body, assessment_in *out, jx_errors *errs)
{
    json_t *doc = NULL, *v;
    char *text = NULL;
    jx_document *d;
    jx_errors lib;
    size_t i;

    memset(out, 0, sizeof *out);
    jx_errors_clear(errs);
    unknown_fields(body, errs);
    v = json_object_get(body, "org_id");
    if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1))
        errs_add(errs, JX_EINVALID, "/org_id", "TYPE_INVALID",
                 "org_id 应为组织的 id (org_id must be an organisation id)");
    out->org_id = json_is_integer(v) ? json_integer_value(v) : 0;
    out->scope = json_string_value(json_object_get(body, "scope"));
    if (!out->scope || (strcmp(out->scope, "department_wide") && strcmp(out->scope, "unit_wide"))) {
        errs_add(errs, JX_EINVALID, "/scope", "VALUE_INVALID",
                 "scope 应为 department_wide（部门整体）或 unit_wide（单位整体） (scope must be "
                 "department_wide or unit_wide)");
        out->scope = NULL;
    }
    v = json_object_get(body, "year");
    if (!json_is_integer(v) || json_integer_value(v) < 2000 || json_integer_value(v) > 2100)
        errs_add(errs, JX_EINVALID, "/year", "VALUE_INVALID",
                 "year 应为 2000 到 2100 之间的整数 (year must be an integer 2000-2100)");
    else
        out->year = (int)json_integer_value(v);
    v = json_object_get(body, "name");
    if (v && !json_is_null(v) &&
        (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 300))
        errs_add(errs, JX_EINVALID, "/name", "VALUE_INVALID",
                 "name 应为 1 到 300 字节的文字 (name must be 1 to 300 bytes)");
    v = json_object_get(body, "framework");
    if (v && !json_is_null(v) && !json_is_string(v))
        errs_add(errs, JX_EINVALID, "/framework", "TYPE_INVALID",
                 "framework 应为评价框架的 id (framework must be an id)");
    if (out->scope) {
        out->framework = json_is_string(v) ? json_string_value(v) : default_framework(out->scope);
        check_framework(ctx, out->scope, out->framework, errs);
    }
    if (errs->status == JX_EFIELD || !out->scope || errs->count)
        goto out;

    /* the stored document: the scoring document without org_id */
    doc = json_object();
    json_object_set_new(doc, "scope", json_string(out->scope));
    json_object_set_new(doc, "framework", json_string(out->framework));
    for (i = 2; FIELDS[i]; i++)
        if (strcmp(FIELDS[i], "framework") && strcmp(FIELDS[i], "scope") &&
            (v = json_object_get(body, FIELDS[i])) && !json_is_null(v))
            json_object_set(doc, FIELDS[i], v);
    text = json_dumps(doc, DUMP_FLAGS);
    if (!text) {
        errs_add(errs, JX_EINVALID, "", "INTERNAL", "内存不足 (out of memory)");
        goto out;
    }
    jx_errors_clear(&lib);
    d = jx_document_load(ctx, text, strlen(text), &lib);
    if (!d) {
        size_t n = lib.count < JX_MAX_ERRORS ? lib.count : JX_MAX_ERRORS;

        for (i = 0; i < n; i++)
            errs_add(errs, lib.status == JX_EFIELD ? JX_EFIELD : JX_EINVALID,
                     lib.items[i].pointer, lib.items[i].code, "%s", lib.items[i].message);
        goto out;
    }
    jx_document_free(d);
    out->doc = json_incref(doc);
    /* from here on every text points into the stored document */
    out->scope = json_string_value(json_object_get(doc, "scope"));
    out->framework = json_string_value(json_object_get(doc, "framework"));
    out->name = json_string_value(json_object_get(doc, "name"));
out:
    free(text);
    json_decref(doc);
    return errs->count ? -1 : 0;
}

void assessment_in_free(assessment_in *a)
{
    json_decref(a->doc);
    a->doc = NULL;
}

json_t *assessment_scoring_json(json_t *doc, const char *org_name)
{
    if (!json_is_object(doc))
        return NULL;
    if (org_name)
        json_object_set_new(doc, "org", json_string(org_name));
    return json_incref(doc);
}

char *assessment_scoring_document(const char *text, size_t len, const char *org_name)
{
    json_t *doc = json_loadb(text, len, 0, NULL), *sdoc = assessment_scoring_json(doc, org_name);
    char *out = sdoc ? json_dumps(sdoc, DUMP_FLAGS) : NULL;

    json_decref(sdoc);
    json_decref(doc);
    return out;
}
