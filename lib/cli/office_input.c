/*
 * lib/cli/office_input.c -- jixiao-score over .xlsx and .docx files: every
 * 自评表 read by lib/office, scored by the library, printed as one JSON array
 * (issue 18).  Errors name the cell: a library error's JSON pointer is
 * mapped back to the place the reader recorded for it ("Sheet1!E7").
 */
#include "office_input.h"

#include "jixiao.h"
#include "office.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jx_cli_is_office(const char *buf, size_t len)
{
    /* any zip goes to the office reader, which says clearly what is wrong with it */
    return len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0;
}

/* the framework argument as a JSON value: a file's object, else the id */
static json_t *framework_value(const char *arg)
{
    FILE *f = strchr(arg, '/') || strstr(arg, ".json") ? fopen(arg, "rb") : NULL;
    if (!f)
        return json_string(arg);
    json_error_t je;
    json_t *v = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!v || !json_is_object(v)) {
        fprintf(stderr, "jixiao-score: 框架文件 '%s' 无法读取：第 %d 行第 %d 列 %s (framework file unreadable)\n",
                arg, je.line, je.column, v ? "不是对象" : je.text);
        json_decref(v);
        return NULL;
    }
    return v;
}

char *jx_cli_with_framework(const char *text, size_t len, const char *framework, size_t *outlen)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je), *fw = NULL;
    char *out = NULL;
    if (!doc || !json_is_object(doc)) {
        fprintf(stderr, "jixiao-score: %d:%d: %s (JSON)\n", je.line, je.column,
                doc ? "文档应为对象 (document must be an object)" : je.text);
        goto cleanup;
    }
    fw = framework_value(framework);
    if (!fw || json_object_set(doc, "framework", fw) != 0)
        goto cleanup;
    out = json_dumps(doc, JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER);
    if (out)
        *outlen = strlen(out);
cleanup:
    json_decref(fw);
    json_decref(doc);
    return out;
}

/* the place of a JSON pointer: its own, else its nearest parent's, else the table's */
static const char *place_for(json_t *places, const char *pointer, const char *table)
{
    char p[200];
    snprintf(p, sizeof p, "%s", pointer);
    for (;;) {
        const char *v = json_string_value(json_object_get(places, p));
        if (v)
            return v;
        char *slash = strrchr(p, '/');
        if (!slash)
            return table;
        *slash = '\0';
    }
}

static void print_error(const char *file, const char *place, const char *msg, const char *code)
{
    fprintf(stderr, "%s: %s: %s [%s]\n", file, place, msg, code);
}

/* one table: an element of the output array (malloc'd text), or NULL */
static char *score_table(const jx_ctx *ctx, const char *file, json_t *t, const char *format,
                         int *rc)
{
    const char *place = json_string_value(json_object_get(t, "place"));
    const char *name = json_string_value(json_object_get(t, "name"));
    json_t *places = json_object_get(t, "places"), *errors = json_object_get(t, "errors");
    json_t *errs_out = json_array();
    char *out = NULL, *doctext = NULL, *res_text = NULL;
    jx_document *doc = NULL;
    jx_result *res = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        print_error(file, json_string_value(json_object_get(e, "place")),
                    json_string_value(json_object_get(e, "message")),
                    json_string_value(json_object_get(e, "code")));
        json_array_append(errs_out, e);
    }
    if (json_array_size(errs_out))
        goto failed;
    doctext = jx_office_dumps(json_object_get(t, "document"));
    if (!doctext)
        goto nomem;
    jx_errors le;
    doc = jx_document_load(ctx, doctext, strlen(doctext), &le);
    if (!doc) {
        for (size_t k = 0; k < le.count && k < JX_MAX_ERRORS; k++) {
            const char *at = place_for(places, le.items[k].pointer, place);
            print_error(file, at, le.items[k].message, le.items[k].code);
            json_array_append_new(errs_out,
                                  json_pack("{s:s, s:s, s:s, s:s}", "place", at, "pointer",
                                            le.items[k].pointer, "code", le.items[k].code,
                                            "message", le.items[k].message));
        }
        goto failed;
    }
    res = jx_score(doc);
    if (!res)
        goto nomem;
    if (strcmp(format, "table") == 0) {
        char *tab = jx_result_table(res);
        if (!tab)
            goto nomem;
        size_t n = strlen(tab) + strlen(name) + strlen(place) + 32;
        out = malloc(n);
        if (out)
            snprintf(out, n, "== %s（%s）==\n%s", name, place, tab);
        free(tab);
        goto cleanup;
    }
    res_text = jx_result_json(res, NULL);
    json_t *head = json_pack("{s:s, s:s}", "name", name, "place", place);
    char *h = head ? json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(head);
    if (!res_text || !h || res_text[0] != '{') {
        free(h);
        goto nomem;
    }
    /* splice name and place into the result's own text (its numbers as printed) */
    size_t hn = strlen(h), rn = strlen(res_text);
    while (rn && (res_text[rn - 1] == '\n' || res_text[rn - 1] == ' '))
        res_text[--rn] = '\0';
    out = malloc(hn + rn + 2);
    if (out) {
        memcpy(out, h, hn - 1); /* without the closing brace */
        size_t k = hn - 1;
        const char *rest = res_text + 1;
        while (*rest == ' ' || *rest == '\n')
            rest++;
        if (*rest != '}')
            out[k++] = ',';
        memcpy(out + k, rest, strlen(rest) + 1);
    }
    free(h);
    goto cleanup;
failed:
    *rc = 1;
    if (strcmp(format, "table") == 0) {
        out = strdup("");
        goto cleanup;
    }
    {
        json_t *o = json_pack("{s:s, s:s, s:O}", "name", name, "place", place, "errors", errs_out);
        out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
    }
    goto cleanup;
nomem:
    fprintf(stderr, "jixiao-score: 内存不足 (out of memory)\n");
    *rc = 1;
cleanup:
    json_decref(errs_out);
    jx_result_free(res);
    jx_document_free(doc);
    free(doctext);
    free(res_text);
    return out;
}

int jx_cli_score_office(const char *file, const char *buf, size_t len, const char *framework,
                        const char *format)
{
    int rc = 0;
    json_t *fw = NULL, *read = NULL;
    jx_ctx *ctx = NULL;
    jx_office_opts opts = {0};
    if (framework) {
        fw = framework_value(framework);
        if (!fw)
            return 2;
        if (json_is_string(fw))
            opts.framework = json_string_value(fw);
        else
            opts.framework_obj = fw;
    }
    jx_office_error err;
    if (jx_office_read(buf, len, &opts, &read, &err) != JX_OFFICE_OK) {
        fprintf(stderr, "%s: %s [%s]\n", file, err.message, err.code);
        rc = 1;
        goto cleanup;
    }
    if (strcmp(format, "documents") == 0) { /* the documents as read, places and all */
        char *t = json_dumps(read, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        if (!t || fputs(t, stdout) < 0 || fputs("\n", stdout) < 0)
            rc = 1;
        free(t);
        goto cleanup;
    }
    ctx = jx_ctx_new();
    if (!ctx) {
        fprintf(stderr, "jixiao-score: 内存不足 (out of memory)\n");
        rc = 1;
        goto cleanup;
    }
    bool table = strcmp(format, "table") == 0;
    size_t i, found = 0;
    json_t *t;
    if (!table)
        fputs("[", stdout);
    json_array_foreach(json_object_get(read, "tables"), i, t) {
        const char *skipped = json_string_value(json_object_get(t, "skipped"));
        if (skipped) {
            fprintf(stderr, "%s: %s: %s\n", file, json_string_value(json_object_get(t, "place")),
                    skipped);
            continue;
        }
        char *el = score_table(ctx, file, t, format, &rc);
        if (!el) {
            rc = 1;
            continue;
        }
        if (table)
            printf("%s%s", found && el[0] ? "\n" : "", el);
        else
            printf("%s\n%s", found ? "," : "", el);
        found++;
        free(el);
    }
    if (!table)
        fputs(found ? "\n]\n" : "]\n", stdout);
    if (!found) {
        fprintf(stderr, "%s: 文件中没有找到自评表 (no 自评表 found)\n", file);
        rc = 1;
    }
    if (fflush(stdout) != 0)
        rc = 1;
cleanup:
    jx_ctx_free(ctx);
    json_decref(read);
    json_decref(fw);
    return rc;
}

int jx_cli_template(const char *framework)
{
    int rc = 1;
    jx_ctx *ctx = jx_ctx_new();
    jx_framework *own = NULL;
    char *text = NULL;
    json_t *fw = NULL;
    unsigned char *xlsx = NULL;
    if (!ctx)
        goto cleanup;
    json_t *arg = framework_value(framework ? framework : "project-2020");
    if (!arg)
        goto cleanup;
    const jx_framework *f = NULL;
    if (json_is_string(arg)) {
        f = jx_ctx_framework(ctx, json_string_value(arg));
        if (!f)
            fprintf(stderr, "jixiao-score: 未知框架 '%s' (unknown framework)\n",
                    json_string_value(arg));
    } else {
        char *t = json_dumps(arg, JSON_REAL_PRECISION(15));
        jx_errors errs;
        own = t ? jx_framework_load(t, strlen(t), &errs) : NULL;
        free(t);
        if (!own)
            for (size_t i = 0; i < errs.count && i < JX_MAX_ERRORS; i++)
                fprintf(stderr, "%s: %s: %s\n", framework, errs.items[i].pointer,
                        errs.items[i].message);
        f = own;
    }
    json_decref(arg);
    if (!f)
        goto cleanup;
    text = jx_framework_json(f);
    fw = text ? json_loads(text, 0, NULL) : NULL;
    size_t len = 0;
    jx_office_error err;
    xlsx = fw ? jx_office_template(fw, &len, &err) : NULL;
    if (!xlsx) {
        fprintf(stderr, "jixiao-score: %s\n", fw ? err.message : "内存不足 (out of memory)");
        goto cleanup;
    }
    if (fwrite(xlsx, 1, len, stdout) == len && fflush(stdout) == 0)
        rc = 0;
cleanup:
    free(xlsx);
    json_decref(fw);
    free(text);
    jx_framework_free(own);
    jx_ctx_free(ctx);
    return rc;
}
