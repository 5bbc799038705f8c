/*
 * http/head.h -- the checks of a request head, without libmicrohttpd.
 *
 * daemon.c hands these what libmicrohttpd hands it (the raw request
 * target, then method, decoded path, version and the header list with
 * their lengths); tests/fuzz/fuzz_head.c links them alone.
 */
#ifndef JX_HTTP_HEAD_H
#define JX_HTTP_HEAD_H

#include <stddef.h>

typedef struct {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;       /* may exceed strlen(value): an embedded NUL */
} head_field;

typedef struct {
    unsigned status;        /* 0: usable; else 400 or 501, and close */
    const char *why;        /* the problem's detail (Chinese, then English) */
    int chunked;            /* Transfer-Encoding: chunked */
    int has_length;         /* a Content-Length header */
    unsigned long long length;  /* its value when has_length */
    const char *authorization;  /* the one Authorization value, or NULL */
} head_verdict;

/* NULL when the raw request target (as sent, before percent-decoding; path
 * and query) is acceptable, else why not: a control byte in it, raw or
 * percent-encoded (%00 would cut the decoded path short: /v1/projects/1%00
 * read as project 1). */
const char *head_target_refused(const char *target, size_t len);

/* Fills v for the head: status 0 when usable.  400 for whitespace or a
 * control byte in a header name (whitespace before the colon), a NUL or
 * control byte in a value or in the decoded path, a second Authorization
 * or Host, no Host in HTTP/1.1, Content-Length not a plain number or two
 * different ones, Content-Length together with Transfer-Encoding (RFC 9112
 * 6.1); 501 for a transfer coding other than chunked.  version may be
 * NULL. */
void head_check(const char *method, const char *path, const char *version,
                const head_field *fields, size_t n, head_verdict *v);

/* The chunk-size line that ends right before a chunk's data: back bytes
 * of what precedes it (p points at the first of them).  1 with *size when
 * they end in "<hex digits>[;extensions]\r\n" preceded by a line end
 * (LF, or the NUL libmicrohttpd leaves of one); else 0. */
int head_chunk_size_before(const char *p, size_t back, unsigned long long *size);

/* What a JSON body asks of a parser, counted without building it: values
 * (scalars and containers) and the deepest nesting.  Strings are skipped
 * whole; no validation (the parser does that).  Stops counting at
 * max_values + 1 and max_depth + 1. */
typedef struct {
    size_t values;
    size_t depth;
} json_weight;

void head_json_weight(const char *buf, size_t len, size_t max_values, size_t max_depth,
                      json_weight *w);

#endif
