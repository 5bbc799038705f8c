/*
 * lib/report/buf.c -- the output buffer and the number formats every renderer shares.
 *
 * Design.  The renderers and the model reader write into a jr_buf (report.h):
 * a growable byte string whose `failed` flag is sticky, so a writer appends
 * without checking each call and the caller looks once at the end (an out
 * of memory anywhere becomes one "内存不足" answer).  Numbers are printed
 * here, once, from exact integers (hundredths of a point, fen, ten-
 * thousandths of a rate), so that the five formats cannot print one figure
 * two ways.  jr_set_err() writes the bounded error message of report.h's
 * contract.  This file calls nothing else of the library: it is the leaf
 * the renderers, model.c and report.c all stand on.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffer ------------------------------------------------------------------ */

void jr_put(jr_buf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                b->failed = true;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void jr_puts(jr_buf *b, const char *s)
{
    if (s)
        jr_put(b, s, strlen(s));
}

void jr_printf(jr_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        jr_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    jr_put(b, big, (size_t)n);
    free(big);
}

void jr_cents(jr_buf *b, int64_t c)
{
    uint64_t u = c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c;
    jr_printf(b, "%s%" PRIu64 ".%02" PRIu64, c < 0 ? "-" : "", u / 100, u % 100);
}

void jr_cents_short(jr_buf *b, int64_t c)
{
    uint64_t u = c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c;
    if (u % 100 == 0)
        jr_printf(b, "%s%" PRIu64, c < 0 ? "-" : "", u / 100);
    else if (u % 10 == 0)
        jr_printf(b, "%s%" PRIu64 ".%" PRIu64, c < 0 ? "-" : "", u / 100, (u % 100) / 10);
    else
        jr_cents(b, c);
}

void jr_money(jr_buf *b, int64_t fen)
{
    uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, u / 100);
    if (fen < 0)
        jr_puts(b, "-");
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            jr_puts(b, ",");
        jr_put(b, digits + i, 1);
    }
    jr_printf(b, ".%02" PRIu64, u % 100);
}

void jr_rate_pct(jr_buf *b, int64_t rate4)
{
    /* ten-thousandths of one are hundredths of a percent */
    jr_cents(b, rate4);
    jr_puts(b, "%");
}

size_t jr_display_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
        unsigned char c = *p;
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        for (size_t i = 1; i < k; i++)
            if (!p[i]) {
                k = i;
                break;
            }
        bool narrow = c == 0xE2 && k >= 3 && (p[1] == 0x80 || p[1] == 0x81);
        w += (c >= 0xE1 && k >= 3 && !narrow) ? 2 : 1;
        p += k;
    }
    return w;
}

void jr_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
