/*
 * fuzz_docx: the office reader (lib/office) over .docx input.  Bytes that begin
 * with "PK" are taken as the whole container; any other bytes become the
 * word/document.xml of a document (built in memory with libzip), so
 * the XML, grid and 自评表 code is reached without the fuzzer having to forge
 * zip checksums.  Every document read must dump and load in the library (or
 * fail to load with errors) without a crash, leak or sanitizer report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jixiao.h"
#include "office.h"
#include "../unit/office_zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jx_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = NULL, *t;
    jx_office_error err;
    unsigned char *z = NULL;
    size_t len = size, i;
    const void *bytes = data;

    if (!ctx && !(ctx = jx_ctx_new()))
        abort();
    if (size < 2 || data[0] != 'P' || data[1] != 'K') {
        z = oz_docx((const char *)data, size, &len);
        if (!z)
            return 0;
        bytes = z;
    }
    if (jx_office_read(bytes, len, NULL, &out, &err) != JX_OFFICE_OK) {
        if (out || !err.message[0] || !memchr(err.message, 0, sizeof err.message))
            abort();
        free(z);
        return 0;
    }
    json_array_foreach(json_object_get(out, "tables"), i, t) {
        json_t *doc = json_object_get(t, "document");
        if (!doc) {
            if (!json_is_string(json_object_get(t, "skipped")))
                abort();
            continue;
        }
        char *text = jx_office_dumps(doc);
        if (!text)
            abort();
        jx_errors errs;
        jx_document *d = jx_document_load(ctx, text, strlen(text), &errs);
        if (d) {
            jx_result_free(jx_score(d));
            jx_document_free(d);
        }
        free(text);
    }
    json_decref(out);
    free(z);
    return 0;
}
