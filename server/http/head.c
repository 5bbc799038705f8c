/*
 * http/head.c -- is this request head one we answer?  (RFC 9112 framing,
 * headers a proxy and we could read differently, bytes that C strings
 * would cut short.)
 *
 * libmicrohttpd 0.9.75 parses the head and frames the body itself, but it
 * frames by the first Content-Length, lets Transfer-Encoding win over
 * Content-Length and keeps the connection, treats a transfer coding other
 * than exactly "chunked" as no body framing at all (the connection hung),
 * hands a header name with a space before its colon on as an unknown
 * header, and keeps NUL and control bytes in header values and in the
 * decoded path (a NUL ends the C string we read: "Bearer <token>\0x" and
 * "/v1/projects/1%00" read as the token and as project 1).  Everything
 * here is a pure function of what it hands us (method, target, decoded
 * path, version, the header list with lengths), so a fuzz target links
 * this file alone (tests/fuzz/fuzz_head.c).
 */
#include "http/head.h"

#include <string.h>
#include <strings.h>

static int is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *head_target_refused(const char *target, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)target[i];

        if (is_ctl(c))
            return "请求路径含控制字符 (a control byte in the request target)";
        if (c == '%' && i + 2 < len && hexval(target[i + 1]) >= 0 &&
            hexval(target[i + 2]) >= 0 &&
            is_ctl((unsigned char)(hexval(target[i + 1]) * 16 + hexval(target[i + 2]))))
            return "请求路径含编码的控制字符，如 %00 (a percent-encoded control byte, "
                   "such as %00, in the request target)";
    }
    return NULL;
}

static int name_is(const head_field *f, const char *name)
{
    size_t n = strlen(name);

    return f->name_len == n && !strncasecmp(f->name, name, n);
}

/* Trims spaces and tabs at both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static const char *name_refused(const head_field *f)
{
    size_t i;

    if (!f->name_len)
        return "空的头名称 (an empty header name)";
    for (i = 0; i < f->name_len; i++) {
        unsigned char c = (unsigned char)f->name[i];

        if (c == ' ' || c == '\t')
            return "头名称与冒号之间不得有空白 (whitespace between a header name and its "
                   "colon)";
        if (is_ctl(c))
            return "头名称含控制字符 (a control byte in a header name)";
    }
    return NULL;
}

static const char *value_refused(const head_field *f)
{
    size_t i;

    for (i = 0; i < f->value_len; i++) {
        unsigned char c = (unsigned char)f->value[i];

        if (is_ctl(c) && c != '\t')
            return "头的值含 NUL 或控制字符 (a NUL or control byte in a header value)";
    }
    return NULL;
}

/* A Content-Length value: digits only (no sign, no list), at most 19. */
static int parse_length(const head_field *f, unsigned long long *out)
{
    const char *s = f->value;
    size_t n = f->value_len, i;
    unsigned long long v = 0;

    trim(&s, &n);
    if (!n || n > 19)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static unsigned refuse(head_verdict *v, unsigned status, const char *why)
{
    v->status = status;
    v->why = why;
    return status;
}

/* One header's part in the verdict; counts in *auths, *hosts, *te. */
static unsigned check_field(const head_field *f, head_verdict *v, int *auths, int *hosts,
                            int *te)
{
    const char *why = name_refused(f);
    unsigned long long len;

    if (!why)
        why = value_refused(f);
    if (why)
        return refuse(v, 400, why);
    if (name_is(f, "Authorization")) {
        if (++*auths > 1)
            return refuse(v, 400, "多个 Authorization 头 (more than one Authorization header)");
        v->authorization = f->value;
    } else if (name_is(f, "Host")) {
        if (++*hosts > 1)
            return refuse(v, 400, "多个 Host 头 (more than one Host header)");
    } else if (name_is(f, "Content-Length")) {
        if (parse_length(f, &len) < 0)
            return refuse(v, 400, "Content-Length 须为一个十进制数 (Content-Length must be one "
                                  "decimal number)");
        if (v->has_length && len != v->length)
            return refuse(v, 400, "多个互不相同的 Content-Length 头 (conflicting "
                                  "Content-Length headers)");
        v->has_length = 1;
        v->length = len;
    } else if (name_is(f, "Transfer-Encoding")) {
        const char *s = f->value;
        size_t n = f->value_len;

        trim(&s, &n);
        /* chunked once, alone: anything else (gzip, "gzip, chunked",
         * xchunked, chunked twice) is a coding we do not implement */
        if (*te || n != 7 || strncasecmp(s, "chunked", 7) != 0)
            return refuse(v, 501, "不支持的传输编码，只接受 chunked (a transfer coding other "
                                  "than chunked is not implemented)");
        *te = 1;
        v->chunked = 1;
    }
    return 0;
}

void head_check(const char *method, const char *path, const char *version,
                const head_field *fields, size_t n, head_verdict *v)
{
    int auths = 0, hosts = 0, te = 0;
    size_t i;

    (void)method;
    memset(v, 0, sizeof *v);
    for (i = 0; path && path[i]; i++)
        if (is_ctl((unsigned char)path[i])) {
            refuse(v, 400, "请求路径含控制字符 (a control byte in the request path)");
            return;
        }
    for (i = 0; i < n; i++)
        if (check_field(&fields[i], v, &auths, &hosts, &te))
            return;
    /* Both framings: a proxy may have used the other one (RFC 9112 6.1). */
    if (te && v->has_length) {
        refuse(v, 400, "Content-Length 与 Transfer-Encoding 不得并用 (Content-Length "
                       "together with Transfer-Encoding)");
        return;
    }
    if (!hosts && version && !strcmp(version, "HTTP/1.1"))
        refuse(v, 400, "HTTP/1.1 请求缺少 Host 头 (an HTTP/1.1 request needs a Host header)");
}

int head_chunk_size_before(const char *p, size_t back, unsigned long long *size)
{
    size_t end, start, i;
    unsigned long long v = 0;

    if (back < 3 || p[back - 1] != '\n' || p[back - 2] != '\r')
        return 0;
    end = back - 2;
    /* the line's start: after the previous LF or NUL */
    for (start = end; start > 0 && p[start - 1] != '\n' && p[start - 1] != '\0'; start--)
        ;
    if (start == 0)
        return 0; /* no line start within what we may look at */
    for (i = start; i < end && p[i] != ';'; i++) {
        int d = hexval(p[i]);

        if (d < 0 || v >> 60)
            return 0;
        v = v << 4 | (unsigned long long)d;
    }
    if (i == start)
        return 0;
    *size = v;
    return 1;
}

void head_json_weight(const char *buf, size_t len, size_t max_values, size_t max_depth,
                      json_weight *w)
{
    size_t i, depth = 0;

    w->values = 1;
    w->depth = 0;
    for (i = 0; i < len; i++) {
        char c = buf[i];

        if (c == '"') {
            /* skip the string, escapes included */
            for (i++; i < len && buf[i] != '"'; i++)
                if (buf[i] == '\\')
                    i++;
        } else if (c == '[' || c == '{') {
            w->values++;
            if (++depth > w->depth)
                w->depth = depth;
        } else if (c == ']' || c == '}') {
            if (depth)
                depth--;
        } else if (c == ',') {
            w->values++;
        }
        if (w->values > max_values || w->depth > max_depth)
            return;
    }
}
