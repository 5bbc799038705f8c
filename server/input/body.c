/*
 * input/body.c -- decoding requests: JSON bodies, path ids, query parameters,
 * If-Match, Idempotency-Key, keyset paging.
 *
 * JSON is parsed into Jansson trees (JSON_REJECT_DUPLICATES: a field given
 * twice is as suspicious as an unknown one) -- by jsonfast.c when the body
 * is plainly well-formed, else by Jansson itself -- so a malformed body
 * answers 400 with Jansson's line and column, the same shape /v1/score
 * gives.  Cursors are
 * opaque to clients: "c" + the last id in base 36, so nobody builds OFFSET
 * pagination on top of them, yet they stay short and stable.
 */
#include "input/body.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonfast.h"
#include "problem.h"

int body_is_json_type(const char *ct)
{
    const char *semi, *plus;
    size_t n;

    if (!ct)
        return 1;
    semi = strchr(ct, ';');
    n = semi ? (size_t)(semi - ct) : strlen(ct);
    while (n && ct[n - 1] == ' ')
        n--;
    if (n == 16 && !strncasecmp(ct, "application/json", 16))
        return 1;
    plus = memchr(ct, '+', n);
    return plus && !strncasecmp(ct, "application/", 12) && (size_t)(ct + n - plus) == 5 &&
           !strncasecmp(plus, "+json", 5);
}

int body_json(jx_req *req, jx_resp *resp, int want_array, json_t **out)
{
    json_error_t je;
    json_t *root;
    char detail[400];
    jx_errors errs;

    *out = NULL;
    if (!body_is_json_type(req_header(req, "Content-Type"))) {
        problem(resp, 415, "unsupported-media-type", "不支持的媒体类型 (unsupported media type)",
                "请求体须为 application/json (the body must be application/json)");
        return -1;
    }
    /* the quick reader for the well-formed; Jansson for the rest and
     * for the error's line, column and text (jsonfast.c) */
    root = jsonfast_load(req->body ? req->body : "", req->len);
    if (!root)
        root = json_loadb(req->body ? req->body : "", req->len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        jx_errors_clear(&errs);
        errs_add(&errs, JX_ESYNTAX, "", "JSON_SYNTAX", "%s", je.text);
        errs.items[0].line = je.line > 0 ? je.line : 1;
        errs.items[0].column = je.column > 0 ? je.column : 1;
        snprintf(detail, sizeof detail,
                 "JSON 语法错误，第 %d 行第 %d 列: %s (malformed JSON at line %d, column %d)",
                 errs.items[0].line, errs.items[0].column, je.text, errs.items[0].line,
                 errs.items[0].column);
        problem_errors(resp, 400, "malformed-json", "请求体不是合法的 JSON (malformed JSON)",
                       detail, &errs);
        return -1;
    }
    if (want_array ? !json_is_array(root) : !json_is_object(root)) {
        json_decref(root);
        problem(resp, 400, "malformed-json", "请求体不是合法的 JSON (malformed JSON)",
                want_array ? "请求体应为 JSON 数组 (the body must be a JSON array)"
                           : "请求体应为 JSON 对象 (the body must be a JSON object)");
        return -1;
    }
    *out = root;
    return 0;
}

int body_unknown_fields(jx_resp *resp, json_t *o, const char *const *allowed, const char *base)
{
    const char *key;
    json_t *v;
    jx_errors errs;
    size_t i;

    jx_errors_clear(&errs);
    json_object_foreach(o, key, v) {
        int known = 0;

        for (i = 0; allowed[i]; i++)
            if (!strcmp(allowed[i], key)) {
                known = 1;
                break;
            }
        if (!known) {
            char ptr[200];

            json_pointer_append(ptr, sizeof ptr, base, key);
            errs_add(&errs, JX_EFIELD, ptr, "UNKNOWN_FIELD",
                     "未知字段 '%s' (unknown field)", key);
        }
    }
    if (!errs.count)
        return 0;
    problem_errors(resp, 400, "unknown-field", "未知字段 (unknown field)",
                   "请求含有未定义的字段，可能是拼写错误 (the request has fields that do not "
                   "exist, probably typos)",
                   &errs);
    return -1;
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

int path_id(const jx_req *req, jx_resp *resp, const char *name, int64_t *id)
{
    if (parse_i64(req_param(req, name), id) == 0)
        return 0;
    problem(resp, 404, "not-found", "未找到 (not found)",
            "没有这个资源，或不在您的权限范围内 (no such resource within your reach)");
    return -1;
}

int if_match(const jx_req *req, jx_resp *resp, int64_t *version)
{
    const char *h = req_header(req, "If-Match");
    char digits[24];
    size_t n = 0;

    *version = 0;
    if (!h) {
        problem(resp, 428, "precondition-required", "需要 If-Match (precondition required)",
                "修改须带 If-Match 头，值为资源的 ETag (send If-Match with the resource's ETag)");
        return -1;
    }
    while (*h == ' ')
        h++;
    if (!strcmp(h, "*"))
        return 0;
    if (!strncmp(h, "W/", 2))
        h += 2;
    if (*h == '"')
        h++;
    while (isdigit((unsigned char)*h) && n < sizeof digits - 1)
        digits[n++] = *h++;
    digits[n] = '\0';
    if (*h == '"')
        h++;
    while (*h == ' ')
        h++;
    if (*h || parse_i64(digits, version) < 0) {
        problem(resp, 400, "bad-request", "请求有误 (bad request)",
                "If-Match 应为资源的 ETag，如 \"3\" (If-Match must be an ETag such as \"3\")");
        return -1;
    }
    return 0;
}

int idempotency_key(const jx_req *req, jx_resp *resp, const char **key)
{
    const char *k = req_header(req, "Idempotency-Key");
    const char *p;

    *key = NULL;
    if (!k)
        return 0;
    for (p = k; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            break;
    if (!*k || *p || p - k > 255) {
        problem(resp, 400, "bad-request", "请求有误 (bad request)",
                "Idempotency-Key 应为 1 到 255 个可见 ASCII 字符 (Idempotency-Key must be 1 to "
                "255 printable ASCII characters)");
        return -1;
    }
    *key = k;
    return 0;
}

static const char B36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

void page_cursor(int64_t last_id, char *out, size_t outlen)
{
    char tmp[24];
    size_t n = 0, i;
    uint64_t v = (uint64_t)last_id;

    do {
        tmp[n++] = B36[v % 36];
        v /= 36;
    } while (v && n < sizeof tmp);
    if (outlen < n + 2) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    out[0] = 'c';
    for (i = 0; i < n; i++)
        out[1 + i] = tmp[n - 1 - i];
    out[n + 1] = '\0';
}

static int cursor_decode(const char *s, int64_t *out)
{
    uint64_t v = 0;
    const char *p;

    if (!s || s[0] != 'c' || !s[1] || strlen(s) > 14)
        return -1;
    for (p = s + 1; *p; p++) {
        const char *d = strchr(B36, *p);

        if (!d || !*p)
            return -1;
        v = v * 36 + (uint64_t)(d - B36);
        if (v > (uint64_t)INT64_MAX)
            return -1;
    }
    *out = (int64_t)v;
    return 0;
}

static int bad_param(jx_resp *resp, const char *name, const char *value, const char *want)
{
    char detail[400];

    snprintf(detail, sizeof detail, "参数 %s 无效: '%.80s'，应为%s (bad query parameter %s)",
             name, value, want, name);
    problem(resp, 400, "bad-request", "请求有误 (bad request)", detail);
    return -1;
}

int query_int(const jx_req *req, jx_resp *resp, const char *name, int64_t lo, int64_t hi,
              int64_t *value, int *set)
{
    const char *s = req_query(req, name);
    char *end;
    long long v;
    char want[96];

    *set = 0;
    if (!s)
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) {
        snprintf(want, sizeof want, " %lld 到 %lld 的整数 (an integer from %lld to %lld)",
                 (long long)lo, (long long)hi, (long long)lo, (long long)hi);
        return bad_param(resp, name, s, want);
    }
    *value = v;
    *set = 1;
    return 0;
}

int query_bool(const jx_req *req, jx_resp *resp, const char *name, int def, int *value)
{
    const char *s = req_query(req, name);

    *value = def;
    if (!s)
        return 0;
    if (!strcmp(s, "true") || !strcmp(s, "1") || !*s)
        *value = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "0"))
        *value = 0;
    else
        return bad_param(resp, name, s, " true 或 false (true or false)");
    return 0;
}

int page_params(const jx_req *req, jx_resp *resp, int *limit, int64_t *after)
{
    int64_t v;
    int set;
    const char *c = req_query(req, "cursor");

    *limit = 50;
    *after = 0;
    if (query_int(req, resp, "limit", 1, 1000, &v, &set) < 0)
        return -1;
    if (set)
        *limit = (int)v;
    if (c && *c && cursor_decode(c, after) < 0)
        return bad_param(resp, "cursor", c, "上一页返回的 next_cursor (a next_cursor from a page)");
    return 0;
}

void etag_of(int64_t version, char *out, size_t outlen)
{
    snprintf(out, outlen, "\"%lld\"", (long long)version);
}
