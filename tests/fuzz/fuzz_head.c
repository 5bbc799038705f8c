/*
 * fuzz_head: the request head as libmicrohttpd 0.9.75 hands it to us --
 * the raw request target (URI log callback), then method, decoded path,
 * version and the header list with lengths -- through http/head.c, and
 * the bytes after it as a body (the JSON weight) and as what precedes a
 * chunk's data (the chunk-size line).  Links head.c alone: no
 * libmicrohttpd, no database.
 *
 * Input: "METHOD TARGET VERSION\n", then "name:value\n" lines (bytes as
 * they are, NULs included: a header value's length is what we are told)
 * up to an empty line; the rest is the body.
 *
 * Invariants: an accepted head has no control byte but tab in any value,
 * no whitespace or control byte in a name, at most one Authorization and
 * Host, not both Content-Length and Transfer-Encoding, and
 * Transfer-Encoding only as "chunked"; a target head_target_refused
 * accepts decodes to a path without control bytes; the weight of a body
 * never goes down as the limits go up; a chunk size found is followed by
 * CRLF.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 64

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The path as libmicrohttpd decodes it: up to '?', %XX decoded in place,
 * a C string (a %00 ends it). */
static void decode_path(const char *target, char *out)
{
    size_t i = 0, o = 0;

    while (target[i] && target[i] != '?') {
        if (target[i] == '%' && hexv(target[i + 1]) >= 0 && hexv(target[i + 2]) >= 0) {
            out[o++] = (char)(hexv(target[i + 1]) * 16 + hexv(target[i + 2]));
            i += 3;
        } else {
            out[o++] = target[i++];
        }
    }
    out[o] = '\0';
}

static void check_accepted(const head_field *f, size_t n, const head_verdict *v)
{
    size_t i, j;
    int auth = 0, host = 0, cl = 0, te = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < f[i].name_len; j++)
            if ((unsigned char)f[i].name[j] <= ' ' || f[i].name[j] == 0x7f)
                abort();
        for (j = 0; j < f[i].value_len; j++) {
            unsigned char c = (unsigned char)f[i].value[j];

            if ((c < 0x20 && c != '\t') || c == 0x7f)
                abort();
        }
        if (f[i].name_len == 13 && !strncasecmp(f[i].name, "Authorization", 13))
            auth++;
        if (f[i].name_len == 4 && !strncasecmp(f[i].name, "Host", 4))
            host++;
        if (f[i].name_len == 14 && !strncasecmp(f[i].name, "Content-Length", 14))
            cl++;
        if (f[i].name_len == 17 && !strncasecmp(f[i].name, "Transfer-Encoding", 17))
            te++;
    }
    if (auth > 1 || host > 1 || (cl && te) || te > 1 || (te && !v->chunked) ||
        (cl && !v->has_length))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size, *nl;
    char *line = NULL, *method, *target, *version, *path = NULL, *sp;
    head_field fields[MAX_FIELDS];
    head_verdict v;
    size_t n = 0, len;
    json_weight w1, w2;
    unsigned long long chunk;

    nl = memchr(p, '\n', size);
    if (!nl)
        return 0;
    len = (size_t)(nl - p);
    line = malloc(len + 1);
    path = malloc(len + 1);
    if (!line || !path)
        goto out;
    memcpy(line, p, len);
    line[len] = '\0';
    method = line;
    sp = strchr(method, ' ');
    if (!sp)
        goto out;
    *sp = '\0';
    target = sp + 1;
    sp = strchr(target, ' ');
    version = NULL;
    if (sp) {
        *sp = '\0';
        version = sp + 1;
    }
    p = nl + 1;
    while (p < end && n < MAX_FIELDS) {
        const char *colon;

        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || nl == p)
            break;
        colon = memchr(p, ':', (size_t)(nl - p));
        if (colon) {
            fields[n].name = p;
            fields[n].name_len = (size_t)(colon - p);
            fields[n].value = colon + 1;
            fields[n].value_len = (size_t)(nl - colon - 1);
            n++;
        }
        p = nl + 1;
    }
    if (p < end && *p == '\n')
        p++;

    if (!head_target_refused(target, strlen(target))) {
        size_t i;

        decode_path(target, path);
        for (i = 0; path[i]; i++)
            if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
                abort();
    } else {
        decode_path(target, path);
    }
    head_check(method, path, version, fields, n, &v);
    if (v.status == 0)
        check_accepted(fields, n, &v);
    else if ((v.status != 400 && v.status != 501) || !v.why)
        abort();

    len = (size_t)(end - p);
    head_json_weight(p, len, 1000, 10, &w1);
    head_json_weight(p, len, (size_t)-1, (size_t)-1, &w2);
    if (w1.values < 1 || w2.values < (w1.values > 1001 ? 1001 : w1.values) ||
        w2.depth < (w1.depth > 11 ? 11 : w1.depth))
        abort();
    if (head_chunk_size_before(p, len, &chunk) && (len < 3 || p[len - 1] != '\n' ||
                                                   p[len - 2] != '\r'))
        abort();
out:
    free(line);
    free(path);
    return 0;
}
