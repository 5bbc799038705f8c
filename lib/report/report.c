/*
 * lib/report/report.c -- the public entry: choosing the renderer of a format.
 *
 * Design.  jx_report_render() checks the format, has model.c read the model
 * (docs/reports.md) into a jr_model (report.h), hands it to the renderer of
 * that format (json.c, html.c, md.c, csv.c, xlsx.c) and turns the jr_buf it
 * filled into the caller's bytes.  It only dispatches: the renderers share
 * their helpers from buf.c (the output buffer, numbers) and labels.c (column
 * headings), never from here, so the library's calls go one way:
 *
 *     report.c -> model.c, the renderers -> buf.c, labels.c
 *
 * tests/layout/cycles.py checks that no two files call each other.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <stdlib.h>
#include <string.h>

const char *const jx_report_formats[] = {"json", "html", "md", "csv", "xlsx", "pdf", NULL};

/* ---- dispatch ------------------------------------------------------------------------- */

static const struct {
    const char *name, *ext, *content_type;
    int (*render)(const jr_model *, jr_buf *, char *, size_t);
} renderers[] = {
    {"json", "json", "application/json; charset=utf-8", jr_render_json},
    {"html", "html", "text/html; charset=utf-8", jr_render_html},
    {"md", "md", "text/markdown; charset=utf-8", jr_render_md},
    {"csv", "csv", "text/csv; charset=utf-8; header=present", jr_render_csv},
    {"xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     jr_render_xlsx},
    {"pdf", "pdf", "application/pdf", jr_render_pdf},
};

const char *jx_report_extension(const char *format)
{
    for (size_t i = 0; format && i < sizeof renderers / sizeof renderers[0]; i++)
        if (strcmp(format, renderers[i].name) == 0)
            return renderers[i].ext;
    return NULL;
}

int jx_report_render(const json_t *model, const char *format, char **out, size_t *len,
                     const char **content_type, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out || !len) {
        jr_set_err(err, errlen, "参数无效 (invalid arguments)");
        return -1;
    }
    size_t k = 0, n = sizeof renderers / sizeof renderers[0];
    while (k < n && !(format && strcmp(format, renderers[k].name) == 0))
        k++;
    if (k == n) {
        jr_set_err(err, errlen,
                   "不支持的报告格式 '%.40s'，可用 json、html、md、csv、xlsx、pdf "
                   "(unknown report format: use json, html, md, csv, xlsx or pdf)",
                   format ? format : "");
        return -1;
    }
    jr_model m;
    if (jr_model_read(&m, model, err, errlen) != 0) {
        jr_model_free(&m);
        return -1;
    }
    jr_buf b = {0};
    int rc = renderers[k].render(&m, &b, err, errlen);
    jr_model_free(&m);
    if (rc == 0 && b.failed) {
        jr_set_err(err, errlen, "内存不足 (out of memory)");
        rc = -1;
    }
    if (rc != 0) {
        free(b.p);
        return rc == JX_REPORT_TOO_LARGE ? rc : -1;
    }
    if (!b.p) { /* an empty rendering is still a string */
        b.p = calloc(1, 1);
        if (!b.p) {
            jr_set_err(err, errlen, "内存不足 (out of memory)");
            return -1;
        }
    }
    *out = b.p;
    *len = b.len;
    if (content_type)
        *content_type = renderers[k].content_type;
    return 0;
}
