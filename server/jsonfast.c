/*
 * jsonfast.c -- a quicker way to the same Jansson tree for the bodies
 * that are plainly well-formed.
 *
 * Jansson's parser reads through a stream abstraction a character at a
 * time, validating and copying each into a growing buffer: for a 4 KB
 * project body it was ~27% of the server's CPU per create.  This reader
 * scans the buffer in place and builds the very tree json_loadb(buf, len,
 * JSON_REJECT_DUPLICATES) builds -- same values, same types (an integer
 * token is a json_integer, anything with '.', 'e' or 'E' a json_real
 * from strtod), same key order -- but it only says yes when it is sure.
 * On anything it would have to judge (a syntax error, a duplicate key,
 * "\u0000", a lone surrogate, invalid UTF-8, an integer or real out of
 * range, a number token longer than 63 bytes, nesting deeper than
 * JF_MAX_DEPTH, a top level that is neither object nor array) it returns
 * NULL and the caller asks Jansson, whose answer (tree or error with line
 * and column) is then the answer.  So the messages a client sees for bad
 * JSON are Jansson's, unchanged, and the fast path needs to be right only
 * on valid input: tests/unit/server/test_jsonfast.c and the fuzz target
 * fuzz_bodies compare the two trees on every input this reader accepts.
 *
 * Trade-off: a malformed body is parsed twice (ours, then Jansson's);
 * those are rare and small, the well-formed ones are every request.
 */
#include "jsonfast.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JF_MAX_DEPTH 512

typedef struct {
    const unsigned char *p, *end;
    char *buf;           /* decoded strings with escapes */
    size_t cap;
} jf;

static json_t *value(jf *s, int depth);

static void skip_ws(jf *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

/* Length of the well-formed UTF-8 sequence at p (Unicode's table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF), 0 if none. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n = (size_t)(end - p);

    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;

        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;

        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                       (p[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
    unsigned v = 0;
    int i;

    if (end - p < 4)
        return -1;
    for (i = 0; i < 4; i++) {
        unsigned char c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put(jf *s, size_t *n, const void *b, size_t k)
{
    if (!k)
        return 0;   /* nothing before the first escape: s->buf may be NULL yet */
    if (*n + k > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        char *nb;

        while (cap < *n + k)
            cap *= 2;
        nb = realloc(s->buf, cap);
        if (!nb)
            return -1;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + *n, b, k);
    *n += k;
    return 0;
}

/* The string at s->p (just past its opening quote): *out and *len point into
 * the input when it has no escapes, else into s->buf.  -1: not sure. */
static int string(jf *s, const char **out, size_t *len)
{
    const unsigned char *start = s->p;
    size_t n = 0;
    int escaped = 0;

    while (s->p < s->end) {
        unsigned char c = *s->p;

        if (c == '"') {
            if (!escaped) {
                *out = (const char *)start;
                *len = (size_t)(s->p - start);
            } else {
                *out = s->buf;
                *len = n;
            }
            s->p++;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            unsigned cp, lo;
            unsigned char u[4];
            size_t k;

            if (!escaped) {   /* what came before, unescaped */
                escaped = 1;
                if (put(s, &n, start, (size_t)(s->p - start)) < 0)
                    return -1;
            }
            if (s->end - s->p < 2)
                return -1;
            c = s->p[1];
            s->p += 2;
            switch (c) {
            case '"': case '\\': case '/':
                u[0] = c;
                break;
            case 'b': u[0] = '\b'; break;
            case 'f': u[0] = '\f'; break;
            case 'n': u[0] = '\n'; break;
            case 'r': u[0] = '\r'; break;
            case 't': u[0] = '\t'; break;
            case 'u':
                if (hex4(s->p, s->end, &cp) < 0 || cp == 0)
                    return -1;
                s->p += 4;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return -1;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
                        hex4(s->p + 2, s->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                    s->p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp < 0x80) {
                    u[0] = (unsigned char)cp;
                    k = 1;
                } else if (cp < 0x800) {
                    u[0] = (unsigned char)(0xC0 | (cp >> 6));
                    u[1] = (unsigned char)(0x80 | (cp & 0x3F));
                    k = 2;
                } else if (cp < 0x10000) {
                    u[0] = (unsigned char)(0xE0 | (cp >> 12));
                    u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    u[2] = (unsigned char)(0x80 | (cp & 0x3F));
                    k = 3;
                } else {
                    u[0] = (unsigned char)(0xF0 | (cp >> 18));
                    u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
                    k = 4;
                }
                if (put(s, &n, u, k) < 0)
                    return -1;
                continue;
            default:
                return -1;
            }
            if (put(s, &n, u, 1) < 0)
                return -1;
            continue;
        }
        if (c < 0x80) {
            if (escaped && put(s, &n, s->p, 1) < 0)
                return -1;
            s->p++;
        } else {
            size_t k = utf8_seq(s->p, s->end);

            if (!k || (escaped && put(s, &n, s->p, k) < 0))
                return -1;
            s->p += k;
        }
    }
    return -1;
}

/* A number token in JSON's own grammar, as Jansson types it. */
static json_t *number(jf *s)
{
    const unsigned char *t = s->p;
    char tok[64];
    size_t n;
    int real = 0;

    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p >= s->end)
        return NULL;
    if (*s->p == '0') {
        s->p++;
    } else if (*s->p >= '1' && *s->p <= '9') {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    } else {
        return NULL;
    }
    if (s->p < s->end && *s->p == '.') {
        real = 1;
        s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return NULL;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        real = 1;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return NULL;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    }
    /* a digit or letter right after is Jansson's to judge */
    if (s->p < s->end && (*s->p == '.' || (*s->p >= '0' && *s->p <= '9') ||
                          (*s->p >= 'A' && *s->p <= 'Z') || (*s->p >= 'a' && *s->p <= 'z')))
        return NULL;
    n = (size_t)(s->p - t);
    if (n >= sizeof tok)
        return NULL;
    memcpy(tok, t, n);
    tok[n] = '\0';
    errno = 0;
    if (!real) {
        long long v = strtoll(tok, NULL, 10);

        if (errno == ERANGE)
            return NULL;
        return json_integer((json_int_t)v);
    } else {
        double d = strtod(tok, NULL);

        if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
            return NULL;
        return json_real(d);
    }
}

static int literal(jf *s, const char *word, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return -1;
    s->p += n;
    /* "truex" is Jansson's to judge */
    if (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z') ||
                          (*s->p >= '0' && *s->p <= '9')))
        return -1;
    return 0;
}

/* After a member or element: 1 when ',' (another follows), 0 at the
 * closing character (taken), -1 otherwise. */
static int next_item(jf *s, unsigned char close)
{
    skip_ws(s);
    if (s->p < s->end && *s->p == ',') {
        s->p++;
        skip_ws(s);
        return 1;
    }
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    return -1;
}

/* Right after '{' or '[': 1 when the first item follows, 0 when empty. */
static int first_item(jf *s, unsigned char close)
{
    skip_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    return 1;
}

static json_t *object(jf *s, int depth)
{
    json_t *o = json_object();

    if (!o)
        return NULL;
    if (!first_item(s, '}'))
        return o;
    for (;;) {
        const char *k;
        size_t klen;
        char small[128];
        char *key;
        json_t *v;

        if (s->p >= s->end || *s->p != '"')
            goto fail;
        s->p++;
        if (string(s, &k, &klen) < 0)
            goto fail;
        /* the key outlives s->buf, which the value may reuse */
        key = klen < sizeof small ? small : malloc(klen + 1);
        if (!key)
            goto fail;
        memcpy(key, k, klen);
        key[klen] = '\0';
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':' ||
            json_object_getn(o, key, klen) /* a duplicate: Jansson refuses it */) {
            if (key != small)
                free(key);
            goto fail;
        }
        s->p++;
        skip_ws(s);
        v = value(s, depth + 1);
        if (!v || json_object_setn_new_nocheck(o, key, klen, v) < 0) {
            if (key != small)
                free(key);
            goto fail;
        }
        if (key != small)
            free(key);
        switch (next_item(s, '}')) {
        case 1:
            continue;
        case 0:
            return o;
        default:
            goto fail;
        }
    }
fail:
    json_decref(o);
    return NULL;
}

static json_t *array(jf *s, int depth)
{
    json_t *a = json_array();

    if (!a)
        return NULL;
    if (!first_item(s, ']'))
        return a;
    for (;;) {
        json_t *v = value(s, depth + 1);

        if (!v || json_array_append_new(a, v) < 0)
            goto fail;
        switch (next_item(s, ']')) {
        case 1:
            continue;
        case 0:
            return a;
        default:
            goto fail;
        }
    }
fail:
    json_decref(a);
    return NULL;
}

static json_t *value(jf *s, int depth)
{
    const char *str;
    size_t len;

    if (depth > JF_MAX_DEPTH || s->p >= s->end)
        return NULL;
    switch (*s->p) {
    case '{':
        s->p++;
        return object(s, depth);
    case '[':
        s->p++;
        return array(s, depth);
    case '"':
        s->p++;
        return string(s, &str, &len) < 0 ? NULL : json_stringn_nocheck(str, len);
    case 't':
        return literal(s, "true", 4) < 0 ? NULL : json_true();
    case 'f':
        return literal(s, "false", 5) < 0 ? NULL : json_false();
    case 'n':
        return literal(s, "null", 4) < 0 ? NULL : json_null();
    default:
        return number(s);
    }
}

json_t *jsonfast_load(const char *buf, size_t len)
{
    jf s = {(const unsigned char *)buf, (const unsigned char *)buf + len, NULL, 0};
    json_t *root = NULL;

    skip_ws(&s);
    if (s.p < s.end && (*s.p == '{' || *s.p == '['))
        root = value(&s, 1);
    if (root) {
        skip_ws(&s);
        if (s.p != s.end) {   /* something after the value */
            json_decref(root);
            root = NULL;
        }
    }
    free(s.buf);
    return root;
}

int jsonfast_identical(json_t *a, json_t *b)
{
    size_t i;

    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_OBJECT: {
        void *ia = json_object_iter(a), *ib = json_object_iter(b);

        if (json_object_size(a) != json_object_size(b))
            return 0;
        for (; ia && ib; ia = json_object_iter_next(a, ia), ib = json_object_iter_next(b, ib)) {
            size_t ka = json_object_iter_key_len(ia), kb = json_object_iter_key_len(ib);

            if (ka != kb || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), ka) ||
                !jsonfast_identical(json_object_iter_value(ia), json_object_iter_value(ib)))
                return 0;
        }
        return !ia && !ib;
    }
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (i = 0; i < json_array_size(a); i++)
            if (!jsonfast_identical(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
    case JSON_INTEGER:
        return json_integer_value(a) == json_integer_value(b);
    case JSON_REAL:
        return !memcmp(&(double){json_real_value(a)}, &(double){json_real_value(b)},
                       sizeof(double));
    default:
        return 1;
    }
}
