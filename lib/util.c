/*
 * util.c -- arenas, output buffers, error lists and UTF-8 helpers.
 *
 * Arenas hand out memory from 8 KiB blocks (larger requests get a block of
 * their own) and are freed whole; the fast path of an allocation is inline
 * (internal.h), and only jx_alloc zeroes.  The writers append straight
 * into the buffer: numbers from a digit-pair table, strings checked for
 * escapes sixteen bytes at a time and copied whole when they need none.  Output buffers grow by doubling
 * and remember a failed allocation instead of reporting it at every call,
 * so writers can append freely and check once at the end (like sds, but
 * with the failure latched).
 */
#include "internal.h"
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

void jx_arena_init_inline(jx_arena *a, void *mem, size_t size)
{
    jx_arena_block *b = mem;
    b->next = NULL;
    b->used = 0;
    b->size = size - sizeof *b;
    b->owned = 0;
    a->head = b;
    a->failed = 0;
}

#define JX_BLOCK 8192

void *jx_alloc_slow(jx_arena *a, size_t n)
{
    jx_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > JX_BLOCK ? n : JX_BLOCK;
        jx_arena_block *nb = malloc(sizeof *nb + size);
        if (!nb) {
            a->failed = 1;
            return NULL;
        }
        nb->size = size;
        nb->used = 0;
        nb->owned = 1;
        if (b && n > JX_BLOCK) {
            /* keep the current block for small allocations */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *jx_strndup(jx_arena *a, const char *s, size_t n)
{
    char *p = jx_alloc_raw(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *jx_strdup(jx_arena *a, const char *s)
{
    return s ? jx_strndup(a, s, strlen(s)) : NULL;
}

char *jx_sprintf(jx_arena *a, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof small)
        return jx_strndup(a, small, (size_t)n);
    char *p = jx_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void jx_arena_free(jx_arena *a)
{
    jx_arena_block *b = a->head;
    while (b) {
        jx_arena_block *next = b->next;
        if (b->owned)
            free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- buffers ---------------------------------------------------------------- */

static bool buf_reserve(jx_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void jx_buf_put_slow(jx_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

bool jx_buf_reserve(jx_buf *b, size_t n)
{
    return buf_reserve(b, n);
}

void jx_buf_printf(jx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        jx_buf_put(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Bytes a JSON string can hold as they are: all but controls, " and \. */
static inline bool json_plain(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\';
}

/* Do the n bytes at s hold nothing a JSON string must escape?  Sixteen
 * at a time with SSE2 where there is SSE2 (x86-64 always has it), else
 * eight at a time; the last block overlapping the ones before. */
static bool text_plain(const char *s, size_t n)
{
    uint64_t x;
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                      ctl = _mm_set1_epi8(0x1F);
        for (size_t i = 0;; i += 16) {
            if (i + 16 > n)
                i = n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            /* controls: v <= 0x1F unsigned, as min(v, 0x1F) == v */
            __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                    _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
            if (_mm_movemask_epi8(bad))
                return false;
            if (i + 16 >= n)
                return true;
        }
    }
#endif
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (!json_plain((unsigned char)s[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i + 8 <= n; i += 8) {
        memcpy(&x, s + i, 8);
        if (!jx_swar_plain(x))
            return false;
    }
    memcpy(&x, s + n - 8, 8);
    return jx_swar_plain(x);
}

size_t jx_buf_json_open(jx_buf *b)
{
    jx_buf_put(b, "\"", 1);
    return b->len;
}

void jx_buf_json_close(jx_buf *b, size_t start)
{
    if (b->failed || start > b->len || start == 0)
        return;
    if (text_plain(b->p + start, b->len - start)) {
        /* the common case: nothing to escape, the closing quote to add */
        jx_buf_put(b, "\"", 1);
        return;
    }
    size_t n = b->len - start;
    char *tmp = malloc(n + 1);
    if (!tmp) {
        b->failed = 1;
        return;
    }
    memcpy(tmp, b->p + start, n);
    tmp[n] = 0;
    b->len = start - 1;   /* the opening quote too: jx_buf_json_str writes both */
    jx_buf_json_str(b, tmp);
    free(tmp);
}

void jx_buf_json_str(jx_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        jx_buf_put(b, "null", 4);
        return;
    }
    size_t n = strlen(s);
    if (text_plain(s, n)) {
        /* nothing to escape: the quotes and the bytes, one reservation */
        if (b->len + n + 3 > b->cap && !jx_buf_reserve(b, n + 2))
            return;
        char *o = b->p + b->len;
        o[0] = '"';
        memcpy(o + 1, s, n);
        o[n + 1] = '"';
        o[n + 2] = 0;
        b->len += n + 2;
        return;
    }
    jx_buf_put(b, "\"", 1);
    const char *run = s;
    const char *end = s + n;
    for (; *s; s++) {
        /* eight bytes at a time while none needs escaping (nor ends the string) */
        for (uint64_t x; end - s >= 8 && (memcpy(&x, s, 8), jx_swar_plain(x));)
            s += 8;
        unsigned char c = (unsigned char)*s;
        if (!c)
            break;
        if (json_plain(c))
            continue;
        jx_buf_put(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': jx_buf_put(b, "\\\"", 2); break;
        case '\\': jx_buf_put(b, "\\\\", 2); break;
        case '\n': jx_buf_put(b, "\\n", 2); break;
        case '\t': jx_buf_put(b, "\\t", 2); break;
        case '\r': jx_buf_put(b, "\\r", 2); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jx_buf_put(b, e, 6);
        }
        }
    }
    jx_buf_put(b, run, (size_t)(s - run));
    jx_buf_put(b, "\"", 1);
}

/* Writes v / 10^dec with exactly dec decimals (dec <= 20), straight into
 * the buffer: the digits are built from the right in a scratch array and
 * copied with one fixed-size move (inlined, unlike a call to memcpy). */
void jx_buf_fixed(jx_buf *b, int64_t v, int dec)
{
    if (b->len + 33 > b->cap && !jx_buf_reserve(b, 32))
        return;
    char tmp[80];
    int i = 48;
    int neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    for (int d = 0; d < dec; d++) {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    }
    if (dec)
        tmp[--i] = '.';
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        tmp[--i] = '-';
    size_t n = (size_t)(48 - i);   /* at most 21 digits, a point and a sign */
    memcpy(b->p + b->len, tmp + i, 32);
    b->len += n;
    b->p[b->len] = 0;
}

static const char DIGIT_PAIRS[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* Scores are mostly below 1000.00: written with the pairs table, no loop. */
void jx_buf_cents(jx_buf *b, int64_t c)
{
    if (c < 0 || c >= 100000 || (b->len + 8 > b->cap && !jx_buf_reserve(b, 7))) {
        jx_buf_fixed(b, c, 2);
        return;
    }
    char *o = b->p + b->len;
    int ip = (int)(c / 100), fp = (int)(c % 100), n = 0;
    if (ip >= 100)
        o[n++] = (char)('0' + ip / 100);
    if (ip >= 10)
        o[n++] = DIGIT_PAIRS[2 * (ip % 100)];
    o[n++] = DIGIT_PAIRS[2 * (ip % 100) + 1];
    o[n++] = '.';
    o[n++] = DIGIT_PAIRS[2 * fp];
    o[n++] = DIGIT_PAIRS[2 * fp + 1];
    o[n] = 0;
    b->len += (size_t)n;
}

void jx_buf_int(jx_buf *b, int64_t v)
{
    if (v < 0 || v >= 100 || (b->len + 3 > b->cap && !jx_buf_reserve(b, 2))) {
        jx_buf_fixed(b, v, 0);
        return;
    }
    char *o = b->p + b->len;
    int n = 0;
    if (v >= 10)
        o[n++] = DIGIT_PAIRS[2 * v];
    o[n++] = DIGIT_PAIRS[2 * v + 1];
    o[n] = 0;
    b->len += (size_t)n;
}
void jx_buf_fen(jx_buf *b, int64_t f) { jx_buf_fixed(b, f, 2); }
void jx_buf_rate(jx_buf *b, int64_t r) { jx_buf_fixed(b, r, 4); }

void jx_buf_cents_short(jx_buf *b, int64_t c)
{
    if (c % 100 == 0)
        jx_buf_fixed(b, c / 100, 0);
    else if (c % 10 == 0)
        jx_buf_fixed(b, c / 10, 1);
    else
        jx_buf_fixed(b, c, 2);
}

/* ---- errors ----------------------------------------------------------------- */

void jx_errors_clear(jx_errors *e)
{
    e->status = JX_OK;
    e->count = 0;
}

static int status_rank(jx_status s)
{
    switch (s) {
    case JX_OK: return 0;
    case JX_EINVALID: return 1;
    case JX_EFIELD: return 2;
    case JX_ESYNTAX: return 3;
    case JX_ENOMEM: return 4;
    }
    return 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        /* do not cut a UTF-8 sequence in half */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

void jx_err_set(jx_error *e, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    e->line = e->column = 0;
    e->pointer[0] = 0;
    copy_str(e->code, sizeof e->code, code);
    copy_str(e->message, sizeof e->message, msg);
}

void jx_err_add(jx_errors *e, jx_status st, const char *pointer, const char *code,
                const char *fmt, ...)
{
    if (status_rank(st) > status_rank(e->status))
        e->status = st;
    if (e->count < JX_MAX_ERRORS) {
        jx_error *it = &e->items[e->count];
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        it->line = it->column = 0;
        copy_str(it->pointer, sizeof it->pointer, pointer ? pointer : "");
        copy_str(it->code, sizeof it->code, code);
        copy_str(it->message, sizeof it->message, msg);
    }
    e->count++;
}

/* ---- UTF-8 and text normalisation ----------------------------------------------- */

size_t jx_utf8_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return k > n ? n : k;
}

/* Decodes one code point; returns bytes used (>= 1). */
static size_t utf8_decode(const char *s, size_t n, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = jx_utf8_len(s, n);
    if (k == 1)
        *cp = u[0];
    else if (k == 2)
        *cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
    else if (k == 3)
        *cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    else
        *cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) |
              (u[3] & 0x3Fu);
    return k;
}

static bool is_punct_cp(unsigned cp)
{
    if (cp < 0x80)
        return cp <= ' ' || (cp >= '!' && cp <= '/') || (cp >= ':' && cp <= '@') ||
               (cp >= '[' && cp <= '`') || (cp >= '{' && cp <= '~') || cp == 0x7F;
    /* CJK punctuation, full-width forms' punctuation, general punctuation */
    return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x2000 && cp <= 0x206F) ||
           cp == 0xA0 || cp == 0xFF5E || (cp >= 0xFF01 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xB7;
}

size_t jx_norm_into(const char *s, char *out, size_t cap)
{
    size_t o = 0, n = strlen(s);
    for (size_t i = 0; i < n && o + 4 < cap;) {
        unsigned char b0 = (unsigned char)s[i];
        /* the common characters without decoding: ASCII (letters and
         * digits kept, upper case folded, the rest dropped) and CJK
         * ideographs U+4000..U+9FFF (lead bytes E4..E9), never punctuation */
        if (b0 < 0x80) {
            if ((b0 >= 'a' && b0 <= 'z') || (b0 >= '0' && b0 <= '9'))
                out[o++] = (char)b0;
            else if (b0 >= 'A' && b0 <= 'Z')
                out[o++] = (char)(b0 + 32);
            i++;
            continue;
        }
        if (b0 >= 0xE4 && b0 <= 0xE9 && i + 3 <= n) {
            memcpy(out + o, s + i, 3);
            o += 3;
            i += 3;
            continue;
        }
        unsigned cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        /* full-width ASCII variants fold to ASCII */
        if (cp >= 0xFF01 && cp <= 0xFF5E && !is_punct_cp(cp)) {
            unsigned c = cp - 0xFEE0;
            if (c >= 'A' && c <= 'Z')
                c += 32;
            out[o++] = (char)c;
        } else if (!is_punct_cp(cp)) {
            if (cp >= 'A' && cp <= 'Z')
                out[o++] = (char)(cp + 32);
            else {
                memcpy(out + o, s + i, k);
                o += k;
            }
        }
        i += k;
    }
    out[o] = 0;
    return o;
}

char *jx_norm_text(jx_arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *out = jx_alloc_raw(a, n + 5);
    if (out)
        jx_norm_into(s, out, n + 5);
    return out;
}
