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
 * assessments name any framework of their scope their organisation can
 * see (a province's department-wide template): the route resolves it
 * (routes/fwuse.c) and the version in force is kept as framework_version.
 *
 * Money is one format with projects: the budget's amounts, and figures
 * written with a unit of money ("1476.05万元"), are stored as yuan with
 * two decimals and the text as written is kept in figures_as_written
 * (pointer -> text), put back into the scoring document so the
 * consistency review still sees the written precision.
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
                                       "return_reason", "created_at", "updated_at",
                                       "framework_version", "figures_as_written", NULL};

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

/* Amounts as yuan text ("14760500.00") with the text as written kept
 * under its pointer in written; a text that is not money stays as it is
 * (the library reports it, or it is not an amount). */
static void norm_amount(json_t *o, const char *key, const char *ptr, int any_number,
                        json_t *written)
{
    json_t *v = json_object_get(o, key);
    char buf[64], norm[32];
    const char *text = NULL;
    int64_t fen;
    int prec;
    jx_error e;

    if (json_is_string(v)) {
        text = json_string_value(v);
        if (!any_number && !strstr(text, "元"))
            return;
    } else if (any_number && json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        text = buf;
    } else if (any_number && json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.15g", json_real_value(v));
        text = buf;
    }
    if (!text || strlen(text) > 60 || jx_parse_money(text, &fen, &prec, &e) != 0 || fen < 0)
        return;
    snprintf(norm, sizeof norm, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
    if (strcmp(norm, text) || !json_is_string(v))
        json_object_set_new(written, ptr, json_string(text));
    json_object_set_new(o, key, json_string(norm));
}

static void norm_money(json_t *doc)
{
    static const char *const BUDGET[] = {"initial", "cuts", "additions", "adjusted", "executed",
                                         "balance", NULL};
    json_t *written = json_object(), *b = json_object_get(doc, "budget"), *f, *v;
    const char *key;
    char ptr[160];
    size_t i;

    if (!written)
        return;
    if (json_is_object(b))
        for (i = 0; BUDGET[i]; i++) {
            snprintf(ptr, sizeof ptr, "/budget/%s", BUDGET[i]);
            norm_amount(b, BUDGET[i], ptr, 1, written);
        }
    f = json_object_get(doc, "figures");
    if (json_is_object(f))
        json_object_foreach(f, key, v) {
            json_pointer_append(ptr, sizeof ptr, "/figures", key);
            norm_amount(f, key, ptr, 0, written);
        }
    if (json_object_size(written))
        json_object_set(doc, "figures_as_written", written);
    json_decref(written);
}

/* The member of doc a figures_as_written pointer names (/budget/x or
 * /figures/x, unescaped names only), its parent and key; NULL if none. */
static json_t *written_parent(json_t *doc, const char *ptr, const char **key)
{
    const char *last = strrchr(ptr, '/');
    json_t *parent = NULL;

    if (!last || strchr(last + 1, '~'))
        return NULL;
    if (!strncmp(ptr, "/budget/", 8) && !strchr(ptr + 8, '/'))
        parent = json_object_get(doc, "budget");
    else if (!strncmp(ptr, "/figures/", 9) && !strchr(ptr + 9, '/'))
        parent = json_object_get(doc, "figures");
    *key = last + 1;
    return json_is_object(parent) && json_object_get(parent, *key) ? parent : NULL;
}

/* A body that is a GET's representation brings figures_as_written: where
 * the amount is still the same, its text as written is kept (a PUT back
 * changes nothing); a changed amount is taken as now given. */
static void keep_written(json_t *doc, json_t *written)
{
    const char *ptr, *key;
    json_t *text, *parent, *cur;
    int64_t a, b;
    int prec;
    jx_error e;

    json_object_foreach(written, ptr, text) {
        if (!json_is_string(text) || !(parent = written_parent(doc, ptr, &key)))
            continue;
        cur = json_object_get(parent, key);
        if (json_is_string(cur) && jx_parse_money(json_string_value(cur), &a, &prec, &e) == 0 &&
            jx_parse_money(json_string_value(text), &b, &prec, &e) == 0 && a == b)
            json_object_set(parent, key, text);
    }
}

/* Puts the written text back at each pointer of figures_as_written and
 * drops the members the library does not read. */
static void restore_written(json_t *doc)
{
    json_t *written = json_object_get(doc, "figures_as_written"), *text;
    const char *ptr;

    json_object_foreach(written, ptr, text) {
        const char *key;
        json_t *parent = written_parent(doc, ptr, &key);

        /* a figure's name with '/' or '~' is escaped: left normalised */
        if (parent && json_is_string(text))
            json_object_set(parent, key, text);
    }
    json_object_del(doc, "figures_as_written");
    json_object_del(doc, "framework_version");
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
    return assessment_decode_fw(ctx, body, NULL, out, errs);
}

const char *assessment_default_framework(json_t *body)
{
    const char *scope = json_string_value(json_object_get(body, "scope"));

    return fw_named(body, default_framework(scope ? scope : ""));
}

int assessment_decode_fw(const jx_ctx *ctx, json_t *body, const fw_use *use,
                         assessment_in *out, jx_errors *errs)
{
    json_t *doc = NULL, *sdoc = NULL, *v;
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
        if (!use || (!use->definition && jx_ctx_framework(ctx, out->framework)))
            check_framework(ctx, out->scope, out->framework, errs);
        else if (strcmp(use->scope, out->scope))
            errs_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_SCOPE",
                     "评价框架 '%.64s' 的适用范围不是 %s (the framework is not for this scope)",
                     out->framework, out->scope);
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
            json_object_set_new(doc, FIELDS[i], json_deep_copy(v)); /* normalised below */
    if (use && use->version > 0)
        json_object_set_new(doc, "framework_version", json_integer(use->version));
    keep_written(doc, json_object_get(body, "figures_as_written"));
    norm_money(doc);
    /* what the library checks: the body as written, with the framework's
     * definition when it is not a built-in at its latest version */
    sdoc = json_deep_copy(doc);
    if (!sdoc) {
        errs_add(errs, JX_EINVALID, "", "INTERNAL", "内存不足 (out of memory)");
        goto out;
    }
    restore_written(sdoc);
    if (use && use->definition)
        json_object_set_new(sdoc, "framework", json_deep_copy(use->definition));
    text = json_dumps(sdoc, DUMP_FLAGS);
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
    json_decref(sdoc);
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
    restore_written(doc);
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
