/*
 * decimal.c -- exact rationals, half-up rounding, "consistent at the written
 * precision" (scoring.md §5, §6).
 *
 * Every score, rate and amount is computed as a rational n/d over 128-bit
 * integers and rounded once, half away from zero, to the decimals it is
 * shown with.  Binary floating point never touches a score: 8.495 is the
 * rational 1699/200 and rounds to 8.50.  Operations reduce by gcd only when
 * a product would overflow, and report overflow instead of wrapping.
 *
 * Parsed values have parts below 2^63, so the common operations have a
 * 64-bit fast path (inline in internal.h for products, quotients and sums;
 * here for rounding and the consistency check): one 64x64->128 product or
 * a hardware division, the same results as the 128-bit code, which takes
 * over whenever a part or an intermediate does not fit 64 bits
 * (tests/unit/test_fast.c holds the two side by side).
 */
#include "internal.h"
#include <string.h>

static const int64_t POW10[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL};

int64_t jx_pow10(int e)
{
    return (e >= 0 && e <= 18) ? POW10[e] : 0;
}

static jx_i128 i128_abs(jx_i128 v) { return v < 0 ? -v : v; }

static jx_i128 gcd128(jx_i128 a, jx_i128 b)
{
    a = i128_abs(a);
    b = i128_abs(b);
    while (b) {
        jx_i128 t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

static jx_q reduce(jx_q q)
{
    jx_i128 g = gcd128(q.n, q.d);
    if (g > 1) {
        q.n /= g;
        q.d /= g;
    }
    return q;
}

jx_q jx_q_of_value(const jx_value *v)
{
    jx_q q = {v->mant, jx_pow10(v->scale)};
    return q;
}

/* 10^e for 0 <= e <= 36 as a 128-bit integer. */
static jx_i128 pow10_128(int e)
{
    return e <= 18 ? (jx_i128)POW10[e] : (jx_i128)POW10[18] * POW10[e - 18];
}

static bool fits64(jx_i128 v)
{
    return jx_fits64(v);
}

static bool mul128(jx_i128 a, jx_i128 b, jx_i128 *r)
{
    /* two 64-bit factors never overflow 128 bits: the common case */
    if (fits64(a) && fits64(b)) {
        *r = a * b;
        return true;
    }
    return !__builtin_mul_overflow(a, b, r);
}

bool jx_q_mul_wide(jx_q a, jx_q b, jx_q *r)
{
    jx_i128 n, d;
    if (mul128(a.n, b.n, &n) && mul128(a.d, b.d, &d)) {
        *r = jx_q_make(n, d);
        return true;
    }
    a = reduce(a);
    b = reduce(b);
    /* cross-reduce before multiplying */
    jx_i128 g1 = gcd128(a.n, b.d), g2 = gcd128(b.n, a.d);
    if (!mul128(a.n / g1, b.n / g2, &n) || !mul128(a.d / g2, b.d / g1, &d))
        return false;
    *r = jx_q_make(n, d);
    return true;
}

static bool q_addsub(jx_q a, jx_q b, int sign, jx_q *r)
{
    jx_i128 x, y, d, n;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (a.d == b.d) {
            if (__builtin_add_overflow(a.n, sign * b.n, &n))
                goto reduce_and_retry;
            *r = jx_q_make(n, a.d);
            return true;
        }
        if (mul128(a.n, b.d, &x) && mul128(b.n, a.d, &y) && mul128(a.d, b.d, &d) &&
            !__builtin_add_overflow(x, sign * y, &n)) {
            *r = jx_q_make(n, d);
            return true;
        }
reduce_and_retry:
        a = reduce(a);
        b = reduce(b);
    }
    return false;
}

bool jx_q_add_wide(jx_q a, jx_q b, jx_q *r) { return q_addsub(a, b, 1, r); }
bool jx_q_sub(jx_q a, jx_q b, jx_q *r) { return q_addsub(a, b, -1, r); }

/* jx_q_cmp when a part does not fit 64 bits */
int jx_q_cmp_wide(jx_q a, jx_q b)
{
    jx_i128 x, y;
    if (a.d == b.d)
        return a.n < b.n ? -1 : a.n > b.n;
    if (!mul128(a.n, b.d, &x) || !mul128(b.n, a.d, &y)) {
        a = reduce(a);
        b = reduce(b);
        if (!mul128(a.n, b.d, &x) || !mul128(b.n, a.d, &y)) {
            /* compare integer parts, then the remainders by recursion-free
             * approximation: values this large differ in their integer part */
            jx_i128 ia = a.n / a.d, ib = b.n / b.d;
            return ia < ib ? -1 : ia > ib;
        }
    }
    return x < y ? -1 : x > y;
}

int64_t jx_div_round_wide(jx_i128 n, jx_i128 d)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    if (fits64(n) && fits64(d))
        return jx_div_round(n, d);   /* d > 0 now: the inline 64-bit path */
    jx_i128 q = n / d, r = n % d;
    if (r < 0)
        r = -r;
    if (r * 2 >= d)
        q += n < 0 ? -1 : 1;
    return (int64_t)q;
}

/* Scales a by 10^e (e may be negative) into a fraction n/d without loss. */
static bool scale10(jx_q a, int e, jx_q *out)
{
    if (e > 36 || e < -36)
        return false;
    jx_i128 p = pow10_128(e < 0 ? -e : e);
    *out = a;
    return e >= 0 ? mul128(a.n, p, &out->n) : mul128(a.d, p, &out->d);
}

bool jx_q_round(jx_q a, int e, int64_t *out)
{
    if (e >= 0 && e <= 18 && fits64(a.n) && fits64(a.d)) {
        /* 64-bit parts: one 64×64 product, then hardware division when
         * it fits; the same checks as below */
        jx_i128 n = (jx_i128)(int64_t)a.n * POW10[e];
        if (fits64(n)) {
            int64_t n64 = (int64_t)n, d64 = (int64_t)a.d, q = n64 / d64;
            if (q > INT64_MAX / 2 || q < INT64_MIN / 2)
                return false;
            *out = jx_div_round(n64, d64);
            return true;
        }
    }
    jx_q s;
    if (!scale10(a, e, &s))
        return false;
    jx_i128 q = s.n / s.d;
    if (q > INT64_MAX / 2 || q < INT64_MIN / 2)
        return false;
    *out = jx_div_round(s.n, s.d);
    return true;
}

bool jx_q_trunc(jx_q a, int e, int64_t *out)
{
    jx_q s;
    if (!scale10(a, e, &s))
        return false;
    jx_i128 q = s.n / s.d;
    if (q > INT64_MAX / 2 || q < INT64_MIN / 2)
        return false;
    *out = (int64_t)q;
    return true;
}

/* x × 10^e split into its truncation t and half-up rounding r. */
static bool trunc_round(jx_q x, int e, jx_i128 *t, jx_i128 *r)
{
    jx_q s;
    if (!scale10(x, e, &s))
        return false;
    jx_i128 q, rem;
    if (fits64(s.n) && fits64(s.d)) {
        /* hardware division: the common case; constant divisors become
         * multiplications */
        int64_t n = (int64_t)s.n, d = (int64_t)s.d;
        switch (d) {
        case 1: q = n; rem = 0; break;
        case 10: q = n / 10; rem = n % 10; break;
        case 100: q = n / 100; rem = n % 100; break;
        case 10000: q = n / 10000; rem = n % 10000; break;
        default: q = n / d; rem = n % d; break;
        }
    } else {
        q = s.n / s.d;
        rem = s.n - q * s.d;
    }
    *t = q;
    if (rem < 0)
        rem = -rem;
    *r = q + (rem * 2 >= s.d ? (s.n < 0 ? -1 : 1) : 0);
    return true;
}

/* trunc_round when x's parts fit 64 bits and x × 10^e does too: 64-bit
 * arithmetic only.  False when it does not apply. */
static inline bool trunc_round64(jx_q x, int e, int64_t *t, int64_t *r)
{
    if (e > 18 || e < -18 || !fits64(x.n) || !fits64(x.d))
        return false;
    jx_i128 n = x.n, d = x.d;
    if (e >= 0)
        n = (jx_i128)(int64_t)x.n * POW10[e];
    else
        d = (jx_i128)(int64_t)x.d * POW10[-e];
    if (!fits64(n) || !fits64(d))
        return false;
    int64_t n64 = (int64_t)n, d64 = (int64_t)d, q = n64 / d64, rem = n64 % d64;
    *t = q;
    if (rem < 0)
        rem = -rem;
    *r = q + (rem >= d64 - rem ? (n64 < 0 ? -1 : 1) : 0);
    return true;
}

bool jx_consistent(jx_q written, int prec, jx_q x)
{
    /* written and x in the same units; one written step is 10^prec */
    int64_t wt64, wr64, t64, r64;
    if (trunc_round64(written, -prec, &wt64, &wr64) && trunc_round64(x, -prec, &t64, &r64))
        return wr64 == r64 || wr64 == t64;
    jx_i128 wt, wr, t, r;
    if (!trunc_round(written, -prec, &wt, &wr) || !trunc_round(x, -prec, &t, &r))
        return jx_q_cmp(written, x) == 0;
    return wr == r || wr == t;
}

void jx_buf_q(jx_buf *b, jx_q q, int maxdec)
{
    int64_t v;
    if (!jx_q_round(q, maxdec, &v)) {
        jx_buf_puts(b, "(过大)");
        return;
    }
    int dec = maxdec;
    while (dec > 0 && v % 10 == 0) {
        v /= 10;
        dec--;
    }
    jx_buf_fixed(b, v, dec);
}
