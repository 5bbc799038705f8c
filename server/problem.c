/*
 * problem.c -- building problem+json bodies with Jansson.
 *
 * Errors are rare compared to successes, so clarity wins over speed here:
 * a json_t tree, dumped compactly.  If even that fails (out of memory) a
 * static body still answers with the right status.
 */
#include "problem.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_PREFIX "urn:jixiao:problem:"
#define CT_PROBLEM "application/problem+json"

static const char oom_body[] =
    "{\"type\":\"urn:jixiao:problem:internal\",\"title\":\"内部错误 (internal error)\","
    "\"status\":500,\"detail\":\"out of memory\"}";

/* Length of the valid UTF-8 sequence at s (1-4), 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    unsigned c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, surrogate, past U+10FFFF */
    return n;
}

/* s as a JSON string.  Details and messages quote what the client sent
 * (a query value, a CSV header, Jansson's syntax error) and may cut it at
 * a byte limit, so they need not be UTF-8, which json_string refuses
 * (NULL: the member vanished).  Each invalid byte becomes U+FFFD. */
static json_t *text(const char *s)
{
    json_t *j = json_string(s);
    char *fixed, *o;
    const unsigned char *p;
    size_t n;

    if (j || !s)
        return j;
    fixed = malloc(strlen(s) * 3 + 1);
    if (!fixed)
        return NULL;
    for (o = fixed, p = (const unsigned char *)s; *p; p += n ? n : 1) {
        n = utf8_len(p);
        if (n) {
            memcpy(o, p, n);
            o += n;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    *o = '\0';
    j = json_string(fixed);
    free(fixed);
    return j;
}

static json_t *base(unsigned status, const char *slug, const char *title, const char *detail)
{
    char type[96];
    json_t *o;

    snprintf(type, sizeof type, TYPE_PREFIX "%s", slug);
    o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "title", text(title));
    json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "detail", text(detail ? detail : title));
    return o;
}

static int finish(jx_resp *resp, unsigned status, json_t *o)
{
    char *body;

    body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body) {
        resp_static(resp, 500, CT_PROBLEM, oom_body, sizeof oom_body - 1);
        return 0;
    }
    resp_body(resp, status, CT_PROBLEM, body, strlen(body));
    return 0;
}

int problem(jx_resp *resp, unsigned status, const char *slug, const char *title,
            const char *detail)
{
    return finish(resp, status, base(status, slug, title, detail));
}

int problem_errors(jx_resp *resp, unsigned status, const char *slug, const char *title,
                   const char *detail, const jx_errors *errs)
{
    json_t *o = base(status, slug, title, detail);
    json_t *list = json_array();
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;

    if (!o || !list)
        goto oom;
    for (i = 0; i < n; i++) {
        const jx_error *e = &errs->items[i];
        json_t *item = json_object();

        if (!item)
            goto oom;
        json_object_set_new(item, "pointer", text(e->pointer));
        json_object_set_new(item, "code", text(e->code));
        json_object_set_new(item, "message", text(e->message));
        if (e->line > 0) {
            json_object_set_new(item, "line", json_integer(e->line));
            json_object_set_new(item, "column", json_integer(e->column));
        }
        json_array_append_new(list, item);
    }
    json_object_set_new(o, "errors", list);
    /* A syntax error's position also goes at the top, where a client
     * showing "line 3, column 7" looks first. */
    if (n > 0 && errs->items[0].line > 0) {
        json_object_set_new(o, "line", json_integer(errs->items[0].line));
        json_object_set_new(o, "column", json_integer(errs->items[0].column));
    }
    if (errs->count > n)
        json_object_set_new(o, "errors_total", json_integer((json_int_t)errs->count));
    return finish(resp, status, o);
oom:
    json_decref(list);
    return finish(resp, status, o);
}

int problem_db_unavailable(jx_resp *resp, const char *detail)
{
    problem(resp, 503, "database-unavailable", "数据库暂不可用 (database unavailable)",
            detail ? detail : "数据库连接失败，请稍后重试 (the database cannot be reached; retry shortly)");
    resp_header(resp, "Retry-After", "1");
    return 0;
}

void errs_add(jx_errors *errs, jx_status st, const char *pointer, const char *code,
              const char *fmt, ...)
{
    va_list ap;

    if (st == JX_EFIELD || (errs->status != JX_EFIELD && st > errs->status) ||
        errs->status == JX_OK)
        errs->status = st;
    if (errs->count < JX_MAX_ERRORS) {
        jx_error *e = &errs->items[errs->count];

        memset(e, 0, sizeof *e);
        if (snprintf(e->pointer, sizeof e->pointer, "%s", pointer ? pointer : "") >=
                (int)sizeof e->pointer &&
            e->pointer[sizeof e->pointer - 2] == '~')
            e->pointer[sizeof e->pointer - 2] = '\0'; /* cut inside "~0"/"~1": not a pointer */
        snprintf(e->code, sizeof e->code, "%s", code);
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    }
    errs->count++;
}

void json_pointer_append(char *out, size_t outlen, const char *base, const char *key)
{
    size_t n;

    if (!outlen)
        return;
    snprintf(out, outlen, "%s/", base ? base : "");
    n = strlen(out);
    for (; *key && n + 3 < outlen; key++) {
        if (*key == '~' || *key == '/') {
            out[n++] = '~';
            out[n++] = *key == '~' ? '0' : '1';
        } else {
            out[n++] = *key;
        }
    }
    out[n] = '\0';
}

void json_pointer_index(char *out, size_t outlen, const char *base, size_t index)
{
    snprintf(out, outlen, "%s/%zu", base ? base : "", index);
}

int problem_invalid(jx_resp *resp, const jx_errors *errs)
{
    if (errs->status == JX_EFIELD)
        return problem_errors(resp, 400, "unknown-field", "未知字段 (unknown field)",
                              "请求含有未定义的字段，可能是拼写错误 (the request has fields that "
                              "do not exist, probably typos)",
                              errs);
    return problem_errors(resp, 422, "invalid", "请求内容有误 (unprocessable content)",
                          "下列每一项都需更正，未写入任何数据 (every item under errors needs "
                          "correcting; nothing was written)",
                          errs);
}

int problem_internal(jx_resp *resp, const char *why)
{
    return problem(resp, 500, "internal", "内部错误 (internal error)", why);
}

int problem_oom(jx_resp *resp)
{
    return problem_internal(resp, "out of memory");
}

int problem_not_found(jx_resp *resp)
{
    return problem(resp, 404, "not-found", "未找到 (not found)",
                   "没有这个资源，或不在您的权限范围内 (no such resource within your reach)");
}
