/*
 * jsonread.c -- a strict, fast JSON reader for scoring documents.
 *
 * Why not Jansson here: a scoring document is read on every POST /v1/score,
 * and Jansson's character-at-a-time lexer with per-value heap allocation
 * spends ~200 instructions a byte, which made reading the JSON cost twenty
 * times more than scoring it.  This reader is a plain recursive descent over
 * the bytes, allocating from the document's arena, and it keeps each
 * number's text as written, so a reported total of 97.20 keeps its written
 * precision (Jansson turns it into a double).  The rest of the project still
 * uses Jansson: frameworks, rule objects (re-read from their byte range),
 * and everything in the server.
 *
 * The input is copied once into the arena and read in place: a string
 * without escapes is its bytes in the copy, its closing quote overwritten
 * by a NUL, and escapes are undone in place (never longer than the escape).
 * Strings are scanned eight bytes at a time while they are plain ASCII and
 * a character at a time (one 32-bit check for the three-byte sequences of
 * Chinese text) otherwise.
 *
 * Strict like Jansson with JSON_REJECT_DUPLICATES: RFC 8259 syntax only,
 * valid UTF-8, no \u0000, no duplicate keys, at most 64 levels of nesting.
 * Errors carry the line and the column (in characters) of the offending byte.
 */
#include "jsonread.h"
#include "jsonin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    jx_arena *a;
    char *s, *p, *end;       /* the arena's copy of the input */
    const char *orig;        /* the input as given (error positions) */
    jx_errors *errs;
    int depth;
    bool failed;
} rd;

static void fail(rd *r, const char *cn, const char *en)
{
    if (r->failed)
        return;
    r->failed = true;
    int line = 1, col = 1;
    /* counted on the input as given: the copy has strings unescaped */
    const char *at = r->orig + (r->p - r->s), *end = r->orig + (r->end - r->s);
    for (const char *q = r->orig; q < at && q < end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80)
            col++;
    }
    jx_err_add(r->errs, JX_ESYNTAX, "", "JSON_SYNTAX",
               "JSON 格式错误，第 %d 行第 %d 列: %s (malformed JSON at line %d, column %d: %s)", line,
               col, cn, line, col, en);
    if (r->errs->count >= 1 && r->errs->count <= JX_MAX_ERRORS) {
        r->errs->items[r->errs->count - 1].line = line;
        r->errs->items[r->errs->count - 1].column = col;
    }
}

static inline void ws(rd *r)
{
    /* compact JSON has none: one test for the usual case (the copy ends
     * with a NUL, which is not white space) */
    if ((unsigned char)*r->p > ' ')
        return;
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

static inline __attribute__((always_inline)) jv *new_value(rd *r, jv_type t, char *start)
{
    jv *v = jx_alloc_raw(r->a, sizeof *v);
    if (!v) {
        fail(r, "内存不足", "out of memory");
        return NULL;
    }
    v->t = t;
    v->n = 0;
    v->s = NULL;
    v->items = NULL;
    v->members = NULL;
    v->off = (size_t)(start - r->s);
    v->len = 0;
    return v;
}

/* Length of a valid UTF-8 sequence at p (bytes >= 0x80), or 0. */
static size_t utf8_valid(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n = end - p > 4 ? 4 : (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0;   /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0;   /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* What a byte inside a string asks for: 0 nothing (printable ASCII but
 * the quote and the backslash), 1 the closing quote, 2 an escape, 3 an
 * error (controls, and the NUL that ends the copy, so the scan needs no
 * bounds check), 4 the lead of a three-byte sequence with no overlong or
 * surrogate case to rule out (E1..EC, EE, EF: nearly all Chinese text),
 * 5 any other byte above 0x7F (validated in full). */
static const unsigned char STR_CLASS[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
};

/* Reads a string at r->p (after the opening quote), in place; *len gets
 * its bytes. */
static inline __attribute__((always_inline)) char *read_string(rd *r, uint32_t *len)
{
    char *start = r->p, *p = r->p, *end = r->end;
    bool escapes = false;
    /* first pass: find the end, validate, note escapes */
    for (;;) {
        unsigned k = STR_CLASS[(unsigned char)*p];
        if (k == 0) {
            p++;
            continue;
        }
        if (k == 4 && ((unsigned char)p[1] & 0xC0) == 0x80 && ((unsigned char)p[2] & 0xC0) == 0x80) {
            p += 3;   /* p[2] is read only when p[1] was not the closing NUL */
            continue;
        }
        if (k == 1 || p >= end)
            break;
        if (k == 2) {
            escapes = true;
            p += p + 1 < end ? 2 : 1;
            continue;
        }
        if (k == 3) {
            r->p = p;
            fail(r, "字符串中有未转义的控制字符", "control character in a string");
            return NULL;
        }
        size_t n = utf8_valid((const unsigned char *)p, (const unsigned char *)end);
        if (!n) {
            r->p = p;
            fail(r, "无效的 UTF-8 字节", "invalid UTF-8");
            return NULL;
        }
        p += n;
    }
    if (p >= end) {
        r->p = end;
        fail(r, "字符串没有结束的引号", "unterminated string");
        return NULL;
    }
    r->p = p;
    size_t n = (size_t)(p - start);
    if (n > UINT32_MAX / 2) {
        fail(r, "字符串过长", "string too long");
        return NULL;
    }
    if (!escapes) {
        *p = 0;   /* the closing quote */
        *len = (uint32_t)n;
        r->p++;
        return start;
    }
    /* undone in place: the output never gets ahead of the input */
    char *out = start;
    size_t o = 0;
    for (const char *q = start; q < r->p;) {
        if (*q != '\\') {
            out[o++] = *q++;
            continue;
        }
        char *esc = (char *)q;
        q++;
        switch (*q) {
        case '"': out[o++] = '"'; q++; break;
        case '\\': out[o++] = '\\'; q++; break;
        case '/': out[o++] = '/'; q++; break;
        case 'b': out[o++] = '\b'; q++; break;
        case 'f': out[o++] = '\f'; q++; break;
        case 'n': out[o++] = '\n'; q++; break;
        case 'r': out[o++] = '\r'; q++; break;
        case 't': out[o++] = '\t'; q++; break;
        case 'u': {
            int cp = r->p - q >= 5 ? hex4(q + 1) : -1;
            q += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo = (r->p - q >= 6 && q[0] == '\\' && q[1] == 'u') ? hex4(q + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    cp = -2;
                else {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    q += 6;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                cp = -2;
            if (cp == 0) {
                r->p = esc;
                fail(r, "字符串中不允许 \\u0000", "\\u0000 is not allowed");
                return NULL;
            }
            if (cp < 0) {
                r->p = esc;
                fail(r, "无效的 \\u 转义", "invalid \\u escape");
                return NULL;
            }
            o += put_utf8(out + o, (unsigned)cp);
            break;
        }
        default:
            r->p = esc;
            fail(r, "无效的转义字符", "invalid escape");
            return NULL;
        }
    }
    out[o] = 0;
    *len = (uint32_t)o;
    r->p++;
    return out;
}

static jv *value(rd *r);

static int key_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool duplicate_keys(rd *r, jv *o)
{
    if (o->n <= 16) {
        /* keys whose length and first byte differ cannot be equal: a
         * 64-bit mask of those usually shows there is nothing to compare */
        uint64_t seen = 0;
        unsigned char h[16];
        for (uint32_t i = 0; i < o->n; i++) {
            const jv_member *m = &o->members[i];
            unsigned char last = m->klen ? (unsigned char)m->key[m->klen - 1] : 0;
            h[i] = (unsigned char)((m->klen * 7u + (unsigned char)m->key[0] * 3u + last) & 63);
            uint64_t bit = (uint64_t)1 << h[i];
            if (seen & bit)   /* a key like it before: compare with those */
                for (uint32_t k = 0; k < i; k++)
                    if (h[k] == h[i] && o->members[k].klen == m->klen &&
                        memcmp(o->members[k].key, m->key, m->klen) == 0)
                        return true;
            seen |= bit;
        }
        return false;
    }
    const char **keys = jx_alloc_raw(r->a, sizeof *keys * o->n);
    if (!keys)
        return false;
    for (uint32_t i = 0; i < o->n; i++)
        keys[i] = o->members[i].key;
    qsort(keys, o->n, sizeof *keys, key_cmp);
    for (uint32_t i = 1; i < o->n; i++)
        if (strcmp(keys[i], keys[i - 1]) == 0)
            return true;
    return false;
}

static jv *object(rd *r, char *start)
{
    jv *o = new_value(r, JV_OBJECT, start);
    uint32_t cap = 0;
    if (!o)
        return NULL;
    ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return o;
    }
    for (;;) {
        ws(r);
        if (r->p >= r->end || *r->p != '"') {
            fail(r, "应为字符串形式的键", "expected a string key");
            return NULL;
        }
        r->p++;
        uint32_t klen;
        char *key = read_string(r, &klen);
        if (!key)
            return NULL;
        ws(r);
        if (r->p >= r->end || *r->p != ':') {
            fail(r, "键后应为冒号", "expected ':'");
            return NULL;
        }
        r->p++;
        jv *v = value(r);
        if (!v)
            return NULL;
        if (o->n == cap) {
            uint32_t nc = cap ? cap * 2 : 8;
            jv_member *m = jx_alloc_raw(r->a, sizeof *m * nc);
            if (!m) {
                fail(r, "内存不足", "out of memory");
                return NULL;
            }
            if (o->n)
                memcpy(m, o->members, sizeof *m * o->n);
            o->members = m;
            cap = nc;
        }
        o->members[o->n].key = key;
        o->members[o->n].klen = klen;
        o->members[o->n].v = v;
        o->n++;
        ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            break;
        }
        fail(r, "对象中应为逗号或右花括号", "expected ',' or '}'");
        return NULL;
    }
    if (duplicate_keys(r, o)) {
        r->p = start;
        fail(r, "对象中有重复的键", "duplicate key in object");
        return NULL;
    }
    return o;
}

static jv *array(rd *r, char *start)
{
    jv *a = new_value(r, JV_ARRAY, start);
    uint32_t cap = 0;
    if (!a)
        return NULL;
    ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return a;
    }
    for (;;) {
        jv *v = value(r);
        if (!v)
            return NULL;
        if (a->n == cap) {
            uint32_t nc = cap ? cap * 2 : 8;
            jv **items = jx_alloc_raw(r->a, sizeof *items * nc);
            if (!items) {
                fail(r, "内存不足", "out of memory");
                return NULL;
            }
            if (a->n)
                memcpy(items, a->items, sizeof *items * a->n);
            a->items = items;
            cap = nc;
        }
        a->items[a->n++] = v;
        ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            return a;
        }
        fail(r, "数组中应为逗号或右方括号", "expected ',' or ']'");
        return NULL;
    }
}

static bool digit(const rd *r)
{
    return r->p < r->end && *r->p >= '0' && *r->p <= '9';
}

static jv *number(rd *r, char *start)
{
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (!digit(r)) {
        fail(r, "无效的数字", "invalid number");
        return NULL;
    }
    if (*r->p == '0') {
        r->p++;
        if (digit(r)) {
            fail(r, "数字不能有前导零", "leading zero in a number");
            return NULL;
        }
    } else
        while (digit(r))
            r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!digit(r)) {
            fail(r, "小数点后应有数字", "digits expected after '.'");
            return NULL;
        }
        while (digit(r))
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!digit(r)) {
            fail(r, "指数应有数字", "digits expected in the exponent");
            return NULL;
        }
        while (digit(r))
            r->p++;
    }
    jv *v = new_value(r, JV_NUMBER, start);
    if (!v)
        return NULL;
    v->n = (uint32_t)(r->p - start);
    v->s = jx_strndup(r->a, start, v->n);
    return v;
}

static jv *literal(rd *r, char *start, const char *word, jv_type t)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) {
        fail(r, "无法识别的值", "unexpected token");
        return NULL;
    }
    r->p += n;
    return new_value(r, t, start);
}

static jv *value(rd *r)
{
    ws(r);
    if (r->p >= r->end) {
        fail(r, "内容意外结束", "unexpected end of input");
        return NULL;
    }
    char *start = r->p;
    jv *v = NULL;
    if (++r->depth > MAX_DEPTH) {
        fail(r, "嵌套层数过深（最多 64 层）", "nested too deeply");
        return NULL;
    }
    switch (*r->p) {
    case '{':
        r->p++;
        v = object(r, start);
        break;
    case '[':
        r->p++;
        v = array(r, start);
        break;
    case '"': {
        r->p++;
        uint32_t n;
        char *s = read_string(r, &n);
        if (s && (v = new_value(r, JV_STRING, start))) {
            v->s = s;
            v->n = n;
        }
        break;
    }
    case 't': v = literal(r, start, "true", JV_TRUE); break;
    case 'f': v = literal(r, start, "false", JV_FALSE); break;
    case 'n': v = literal(r, start, "null", JV_NULL); break;
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            v = number(r, start);
        else
            fail(r, "无法识别的值", "unexpected character");
    }
    r->depth--;
    if (v)
        v->len = (size_t)(r->p - start);
    return v;
}

jv *jv_parse(jx_arena *a, const char *text, size_t len, jx_errors *errs)
{
    char *copy = jx_alloc_raw(a, len + 1);
    if (!copy) {
        jx_err_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = 0;
    rd r = {a, copy, copy, copy + len, text, errs, 0, false};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;   /* a UTF-8 byte order mark, as Windows editors write */
    jv *v = value(&r);
    if (v) {
        ws(&r);
        if (r.p < r.end) {
            fail(&r, "JSON 值之后还有多余内容", "end of input expected");
            v = NULL;
        }
    }
    return r.failed ? NULL : v;
}

/* ---- access -------------------------------------------------------------------- */

jv *jv_get(const jv *obj, const char *key)
{
    if (!jv_is_object(obj))
        return NULL;
    for (uint32_t i = 0; i < obj->n; i++)
        if (obj->members[i].key[0] == key[0] && strcmp(obj->members[i].key, key) == 0)
            return obj->members[i].v;
    return NULL;
}

/* A decimal written as text: [-]digits[.digits][e[+-]digits]. */
static bool decimal_text(const char *s, jx_q *q, int *prec, bool allow_exp)
{
    while (*s == ' ')
        s++;
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    int64_t m = 0;
    int dec = 0, sig = 0;
    bool dot = false, any = false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            any = true;
            if (m == 0 && *s == '0' && !dot)
                continue;
            if (sig >= 18)
                return false;
            m = m * 10 + (*s - '0');
            if (m)
                sig++;
            if (dot)
                dec++;
        } else if (*s == '.' && !dot)
            dot = true;
        else
            break;
    }
    if (!any)
        return false;
    int exp = 0;
    if (allow_exp && (*s == 'e' || *s == 'E')) {
        s++;
        bool eneg = *s == '-';
        if (*s == '-' || *s == '+')
            s++;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (exp > 100)
                return false;
            exp = exp * 10 + (*s - '0');
        }
        if (eneg)
            exp = -exp;
    }
    while (*s == ' ')
        s++;
    if (*s)
        return false;
    dec -= exp;
    if (dec < 0) {
        for (; dec < 0; dec++) {
            if (m > INT64_MAX / 10)
                return false;
            m *= 10;
        }
    }
    if (dec > 8)
        return false;
    *q = jx_q_make(neg ? -m : m, jx_pow10(dec));
    if (prec)
        *prec = -dec;
    return true;
}

static const double POW10D[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The first p in 1..15 for which "%.*g" of d, the double the JSON number
 * `s` reads as, has no exponent and reads back as d -- found without
 * printf: for p <= 15 two p-digit decimals are farther apart than the
 * double's rounding interval is wide, so the p-digit decimal that reads back
 * as d (if any) is the written digits rounded to p places, and a decimal of
 * at most 15 digits times a power of ten up to 22 reads back exactly with
 * one double multiplication or division (Clinger's fast path).  0 when
 * none does (the caller goes on with p = 16 and 17 through printf). */
static int shortest_fast(const char *s, double d, int64_t *mant, int *dec)
{
    char dg[17];
    int nd = 0, ints = 0, first_int = -1, frac_zeros = 0, e = 0;
    bool neg = *s == '-', point = false;
    if (neg)
        s++;
    for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
        if (*s == '.') {
            point = true;
            continue;
        }
        if (nd == 0 && *s == '0') {   /* a leading zero */
            if (point)
                frac_zeros++;
            else
                ints++;
            continue;
        }
        if (nd == 0 && !point)
            first_int = ints;
        if (!point)
            ints++;
        if (nd < 17)
            dg[nd++] = *s;
    }
    if (nd == 0)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        bool en = *s == '-';
        if (*s == '-' || *s == '+')
            s++;
        for (; *s >= '0' && *s <= '9'; s++)
            if (e < 10000)
                e = e * 10 + (*s - '0');
        if (en)
            e = -e;
    }
    /* the exponent of the leading significant digit */
    int x = (first_int >= 0 ? ints - 1 - first_int : -(frac_zeros + 1)) + e;
    for (int p = 1; p <= 15; p++) {
        int64_t m = 0;
        for (int i = 0; i < p; i++)
            m = m * 10 + (i < nd ? dg[i] - '0' : 0);
        int xp = x;
        if (p < nd && dg[p] >= '5' && ++m == jx_pow10(p)) {
            m /= 10;
            xp++;
        }
        if (xp < -4 || xp >= p)
            continue;   /* "%.*g" would write an exponent */
        int k = xp - p + 1;
        if (k > 22 || k < -22)
            return 0;
        double c = k >= 0 ? (double)m * POW10D[k] : (double)m / POW10D[-k];
        if ((neg ? -c : c) != d)
            continue;
        for (; k < 0 && m % 10 == 0; k++)
            m /= 10;   /* "%g" drops trailing zeros */
        if (k > 0)
            m *= jx_pow10(k);
        *mant = neg ? -m : m;
        *dec = k < 0 ? -k : 0;
        return p;
    }
    return 0;
}

bool jv_number(const jv *v, jx_q *q, int *prec)
{
    if (jv_is_number(v)) {
        if (decimal_text(v->s, q, prec, true))
            return true;
        /* Too many digits to be a written figure: a double printed in full
         * ("8.5099999999999998" from %.17g writers).  Take the shortest
         * decimal that reads back as the same double, as a person wrote it. */
        double d = strtod(v->s, NULL);
        char tmp[64];
        if (!(d > -1e17 && d < 1e17))
            return false;
        int64_t m;
        int dec;
        if (shortest_fast(v->s, d, &m, &dec)) {
            if (dec > 8)
                return false;
            *q = jx_q_make(m, jx_pow10(dec));
            if (prec)
                *prec = -dec;
            return true;
        }
        for (int p = 16; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*g", p, d);
            if (!strchr(tmp, 'e') && strtod(tmp, NULL) == d)
                return decimal_text(tmp, q, prec, false);
        }
        return false;
    }
    if (jv_is_string(v))
        return decimal_text(v->s, q, prec, false);
    return false;
}

bool jv_int(const jv *v, int64_t *out)
{
    jx_q q;
    if (!jv_is_number(v) || !decimal_text(v->s, &q, NULL, true) || q.d != 1)
        return false;
    *out = (int64_t)q.n;
    return true;
}

bool jv_cents(const jv *v, int64_t *cents)
{
    jx_q q, c;
    if (!jv_number(v, &q, NULL))
        return false;
    if (q.d == 1 || q.d == 10 || q.d == 100) {
        /* at most two decimals (|q.n| < 10^18, so no overflow in 128 bits) */
        jx_i128 x = q.n * (100 / (int64_t)q.d);
        if (x > 1000000000000LL || x < -1000000000000LL)
            return false;
        *cents = (int64_t)x;
        return true;
    }
    if (!jx_q_mul(q, jx_q_int(100), &c) || c.n % c.d != 0)
        return false;
    jx_i128 x = c.n / c.d;
    if (x > 1000000000000LL || x < -1000000000000LL)
        return false;
    *cents = (int64_t)x;
    return true;
}

const char *jv_type_cn(const jv *v)
{
    switch (v ? v->t : JV_NULL) {
    case JV_OBJECT: return "对象 (object)";
    case JV_ARRAY: return "数组 (array)";
    case JV_STRING: return "字符串 (string)";
    case JV_NUMBER: return "数字 (number)";
    case JV_TRUE:
    case JV_FALSE: return "布尔值 (boolean)";
    case JV_NULL: return "null";
    }
    return "?";
}

bool jv_check_fields(const jv *obj, const char *const *allowed, const char *ptr, jx_errors *errs)
{
    bool ok = true;
    for (uint32_t i = 0; jv_is_object(obj) && i < obj->n; i++) {
        const char *key = obj->members[i].key;
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            if ((*a)[0] == key[0] && strcmp(*a, key) == 0) {
                known = true;
                break;
            }
        if (!known) {
            char p[JX_PTR_MAX];
            jx_ptr(p, sizeof p, ptr, key);
            jx_err_add(errs, JX_EFIELD, p, "UNKNOWN_FIELD",
                       "未知字段 '%s'，请检查拼写 (unknown field '%s')", key, key);
            ok = false;
        }
    }
    return ok;
}

bool jv_fields(const jv *obj, const jv_field *names, int n, jv **slots, const char *ptr,
               jx_errors *errs)
{
    bool ok = true;
    int at = 0;
    for (int k = 0; k < n; k++)
        slots[k] = NULL;
    for (uint32_t i = 0; jv_is_object(obj) && i < obj->n; i++) {
        const jv_member *m = &obj->members[i];
        int found = -1;
        for (int t = 0; t < n; t++) {
            int k = at + t < n ? at + t : at + t - n;
            if (names[k].len == m->klen && names[k].name[0] == m->key[0] &&
                memcmp(names[k].name, m->key, m->klen) == 0) {
                found = k;
                break;
            }
        }
        if (found < 0) {
            char p[JX_PTR_MAX];
            jx_ptr(p, sizeof p, ptr, m->key);
            jx_err_add(errs, JX_EFIELD, p, "UNKNOWN_FIELD",
                       "未知字段 '%s'，请检查拼写 (unknown field '%s')", m->key, m->key);
            ok = false;
            continue;
        }
        slots[found] = m->v;
        at = found + 1 < n ? found + 1 : 0;
    }
    return ok;
}

json_t *jv_to_jansson(const jv *v, const char *text)
{
    /* any value: a rule may be a text (评分标准), and a wrong type must
     * reach the rule loader's message rather than vanish */
    return json_loadb(text + v->off, v->len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
}
