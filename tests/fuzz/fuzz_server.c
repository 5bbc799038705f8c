/*
 * fuzz_server.c -- the request accessors and response helpers of
 * server.h for fuzz targets (fuzz_server.h), and the shared invariants.
 */
#include "fuzz_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "problem.h"

#define FZ_MAX_ARGS 64

/* Stands in for libmicrohttpd's connection: the decoded query arguments. */
struct MHD_Connection {
    int n;
    char *names[FZ_MAX_ARGS], *values[FZ_MAX_ARGS];
    const char *content_type;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t i, o = 0;

    if (!out)
        abort();
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
            hexval((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void fz_req_init(jx_req *req, const char *query, size_t qlen, const uint8_t *body, size_t len,
                 const char *content_type)
{
    struct MHD_Connection *c = calloc(1, sizeof *c);
    size_t i = 0;

    memset(req, 0, sizeof *req);
    if (!c)
        abort();
    c->content_type = content_type;
    while (query && i < qlen && c->n < FZ_MAX_ARGS) {
        size_t start = i, eq = (size_t)-1;

        while (i < qlen && query[i] != '&') {
            if (query[i] == '=' && eq == (size_t)-1)
                eq = i;
            i++;
        }
        if (eq == (size_t)-1) {
            c->names[c->n] = unescape(query + start, i - start);
            c->values[c->n] = NULL;
        } else {
            c->names[c->n] = unescape(query + start, eq - start);
            c->values[c->n] = unescape(query + eq + 1, i - eq - 1);
        }
        c->n++;
        i++;
    }
    req->conn = c;
    req->method = "POST";
    req->path = "/fuzz";
    req->body = malloc(len + 1);
    if (!req->body)
        abort();
    if (len)
        memcpy(req->body, body, len);
    req->body[len] = '\0';
    req->len = len;
    req->cap = len + 1;
}

void fz_req_free(jx_req *req)
{
    struct MHD_Connection *c = req->conn;
    int i;

    for (i = 0; c && i < c->n; i++) {
        free(c->names[i]);
        free(c->values[i]);
    }
    free(c);
    free(req->body);
    memset(req, 0, sizeof *req);
}

void fz_resp_free(jx_resp *resp)
{
    if (resp->body && !resp->body_static)
        free(resp->body);
    memset(resp, 0, sizeof *resp);
}

const char *req_query(const jx_req *req, const char *name)
{
    const struct MHD_Connection *c = req->conn;
    int i;

    for (i = 0; i < c->n; i++)
        if (!strcmp(c->names[i], name))
            return c->values[i];
    return NULL;
}

const char *req_header(const jx_req *req, const char *name)
{
    const struct MHD_Connection *c = req->conn;

    return !strcmp(name, "Content-Type") ? c->content_type : NULL;
}

const char *req_param(const jx_req *req, const char *name)
{
    (void)req;
    (void)name;
    return NULL;
}

int fz_split(const uint8_t *data, size_t size, char *word, size_t wordlen, const uint8_t **rest,
             size_t *restlen)
{
    const uint8_t *nl = memchr(data, '\n', size < wordlen ? size : wordlen);
    size_t n;

    if (!nl)
        return 0;
    n = (size_t)(nl - data);
    memcpy(word, data, n);
    word[n] = '\0';
    *rest = nl + 1;
    *restlen = size - n - 1;
    return 1;
}

int fz_pointer_ok(const char *p)
{
    if (!*p)
        return 1;
    if (*p != '/')
        return 0;
    for (; *p; p++)
        if (*p == '~' && p[1] != '0' && p[1] != '1')
            return 0;
    return 1;
}

json_t *fz_parse(const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);

    if (!j)
        abort();
    return j;
}

static int nonempty(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s && *s;
}

void fz_check_problem(const jx_resp *resp, unsigned want)
{
    json_t *o, *errs, *e;
    size_t i;

    if (resp->status < 400 || resp->status > 599 || (want && resp->status != want))
        abort();
    if (!resp->content_type || strcmp(resp->content_type, "application/problem+json"))
        abort();
    if (!resp->body || strlen(resp->body) != resp->len)
        abort();
    o = fz_parse(resp->body, resp->len);
    if (!nonempty(o, "type") || strncmp(json_string_value(json_object_get(o, "type")),
                                        "urn:jixiao:problem:", 19) ||
        !nonempty(o, "title") || !nonempty(o, "detail") ||
        json_integer_value(json_object_get(o, "status")) != resp->status) {
        fprintf(stderr, "fuzz: a problem without type, title, detail or status: %s\n",
                resp->body);
        abort();
    }
    errs = json_object_get(o, "errors");
    if (errs && !json_is_array(errs))
        abort();
    json_array_foreach(errs, i, e) {
        const char *p = json_string_value(json_object_get(e, "pointer"));

        if (!p || !fz_pointer_ok(p) || !nonempty(e, "code") || !nonempty(e, "message"))
            abort();
    }
    json_decref(o);
}

void fz_check_errs(const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;
    jx_resp resp;

    if (errs->status == JX_OK || errs->count == 0)
        abort(); /* a failure must say why */
    for (i = 0; i < n; i++) {
        const jx_error *e = &errs->items[i];

        if (!memchr(e->message, 0, sizeof e->message) || !memchr(e->code, 0, sizeof e->code) ||
            !memchr(e->pointer, 0, sizeof e->pointer))
            abort();
        if (!e->message[0] || !e->code[0] || !fz_pointer_ok(e->pointer)) {
            fprintf(stderr, "fuzz: a bad error: pointer '%s' code '%s' message '%s'\n",
                    e->pointer, e->code, e->message);
            abort();
        }
    }
    memset(&resp, 0, sizeof resp);
    problem_invalid(&resp, errs);
    fz_check_problem(&resp, errs->status == JX_EFIELD ? 400 : 422);
    fz_resp_free(&resp);
}

void fz_check_jsonfast(const uint8_t *buf, size_t len)
{
    json_t *fast = jsonfast_load((const char *)buf, len), *slow;

    if (!fast)
        return;
    slow = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (!slow || !jsonfast_identical(fast, slow))
        abort();
    json_decref(fast);
    json_decref(slow);
}
