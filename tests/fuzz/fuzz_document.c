/*
 * fuzz_document: bytes -> jx_score_json, and the same bytes through
 * jx_document_load / jx_score / jx_result_table / jx_result_json, and as a
 * framework through jx_framework_load.  Crashes, leaks, sanitizer reports
 * and broken invariants (abort) are failures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jixiao.h"

static jx_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = jx_ctx_new();
    if (!ctx)
        abort();
    return 0;
}

static void check_errors(const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;
    if (errs->status == JX_OK || errs->count == 0)
        abort(); /* a failure must say why */
    for (i = 0; i < n; i++) {
        const jx_error *e = &errs->items[i];
        if (!memchr(e->message, 0, sizeof e->message) || !memchr(e->code, 0, sizeof e->code) ||
            !memchr(e->pointer, 0, sizeof e->pointer))
            abort();
        if (!e->message[0])
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char *out = NULL;
    size_t outlen = 0;
    jx_errors errs;
    jx_status st;
    jx_document *doc;
    jx_framework *fw;

    jx_errors_clear(&errs);
    st = jx_score_json(ctx, text, size, &out, &outlen, &errs);
    if (st == JX_OK) {
        if (!out || strlen(out) != outlen)
            abort();
        free(out);
    } else {
        if (out)
            abort();
        check_errors(&errs);
    }

    jx_errors_clear(&errs);
    doc = jx_document_load(ctx, text, size, &errs);
    if ((doc != NULL) != (st == JX_OK))
        abort(); /* the two entry points must agree */
    if (doc) {
        jx_result *res = jx_score(doc);
        if (res) {
            char *table = jx_result_table(res);
            size_t len = 0;
            char *js = jx_result_json(res, &len);
            if (js && strlen(js) != len)
                abort();
            if (jx_result_total(res) < 0 || jx_result_max(res) < 0)
                abort();
            (void)jx_result_grade(res);
            (void)jx_result_complete(res);
            (void)jx_result_finding_count(res);
            free(table);
            free(js);
            jx_result_free(res);
        }
        jx_document_free(doc);
    } else {
        check_errors(&errs);
    }

    jx_errors_clear(&errs);
    fw = jx_framework_load(text, size, &errs);
    if (fw) {
        char *js = jx_framework_json(fw);
        (void)jx_framework_max(fw);
        (void)jx_framework_id(fw);
        free(js);
        jx_framework_free(fw);
    }
    return 0;
}
