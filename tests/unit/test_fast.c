/*
 * test_fast: the library's fast paths against the general code they stand
 * in for, at their edges.  Unlike the other unit tests this one includes
 * the library's internal headers: the fast paths are internal.
 *
 *   - 64-bit rationals: products, quotients, sums, half-up rounding and the
 *     "consistent at the written precision" check, next to their 128-bit
 *     versions, at the 2^63 boundary where the fast path hands over, and on
 *     rounding ties (scoring.md §5: half away from zero);
 *   - the shortest decimal of a JSON number written with too many digits
 *     (jv_number): the integer rounding for up to 15 digits against the
 *     printf/strtod search it replaced, on edge values and random doubles;
 *   - ratio and threshold scoring on 64-bit parts (jx_indicator.num64)
 *     against the same document whose parts only fit 128 bits;
 *   - the JSON reader's in-place strings: escapes, the byte classes, error
 *     positions counted on the input as given.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"
#include "internal.h"
#include "jsonread.h"

/* ---- rationals -------------------------------------------------------------- */

/* the 128-bit product and rounding the fast paths must agree with */
static jx_q ref_mul(jx_q a, jx_q b)
{
    jx_q r = {a.n * b.n, a.d * b.d};
    return r;
}

static int64_t ref_div_round(jx_i128 n, jx_i128 d)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    jx_i128 q = n / d, r = n % d;
    if (r < 0)
        r = -r;
    if (r * 2 >= d)
        q += n < 0 ? -1 : 1;
    return (int64_t)q;
}

static void test_rationals(void)
{
    jt_case("half-up ties, both signs");
    CHECK_INT(jx_div_round(5, 10), 1);
    CHECK_INT(jx_div_round(-5, 10), -1);
    CHECK_INT(jx_div_round(15, 10), 2);
    CHECK_INT(jx_div_round(-25, 10), -3);
    CHECK_INT(jx_div_round(24, 10), 2);
    CHECK_INT(jx_div_round(-24, 10), -2);
    CHECK_INT(jx_div_round(7, -2), -4);   /* a negative divisor goes the general way */
    int64_t v;
    CHECK(jx_q_round(jx_q_make(1699, 200), 2, &v));   /* 8.495 -> 8.50 */
    CHECK_INT(v, 850);
    CHECK(jx_q_round(jx_q_make(-1699, 200), 2, &v));
    CHECK_INT(v, -850);

    jt_case("division at the 64-bit boundary");
    jx_i128 big = (jx_i128)INT64_MAX + 1;   /* 2^63: one past the fast path */
    CHECK_INT(jx_div_round(big, 2), ref_div_round(big, 2));
    CHECK_INT(jx_div_round((jx_i128)INT64_MAX, 2), ref_div_round((jx_i128)INT64_MAX, 2));
    CHECK_INT(jx_div_round((jx_i128)INT64_MIN, 3), ref_div_round((jx_i128)INT64_MIN, 3));
    CHECK_INT(jx_div_round(big * 3 + 1, big * 2), ref_div_round(big * 3 + 1, big * 2));

    jt_case("products and sums: 64-bit parts and parts past them");
    const int64_t parts[] = {0, 1, -1, 7, 100, 99999999, 1000000000000000000LL, INT64_MAX,
                             INT64_MIN + 1, -123456789012345LL};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        for (size_t k = 0; k < sizeof parts / sizeof *parts; k++) {
            jx_q a = jx_q_make(parts[i], 3), b = jx_q_make(parts[k], 7), r;
            CHECK(jx_q_mul(a, b, &r));
            jx_q e = ref_mul(a, b);
            CHECK(r.n == e.n && r.d == e.d);
            CHECK(jx_q_add(a, b, &r));
            CHECK(r.n == (jx_i128)parts[i] * 7 + (jx_i128)parts[k] * 3 && r.d == 21);
            CHECK(jx_q_cmp(r, r) == 0);
            if (parts[k] != 0) {
                CHECK(jx_q_div(a, b, &r));
                /* (p_i / 3) / (p_k / 7) as the 128-bit code writes it:
                 * 7 p_i / 3 p_k with the sign on the numerator */
                jx_i128 en = (jx_i128)parts[i] * 7, ed = (jx_i128)3 * parts[k];
                if (ed < 0) {
                    en = -en;
                    ed = -ed;
                }
                CHECK(r.n == en && r.d == ed);
            }
        }
    /* a part beyond 64 bits takes the general (reducing) path */
    jx_q wide = {big * 4, big * 2}, r;
    CHECK(jx_q_mul(wide, jx_q_int(3), &r));
    CHECK(jx_q_cmp(r, jx_q_int(6)) == 0);
    CHECK(jx_q_add(wide, jx_q_int(1), &r));
    CHECK(jx_q_cmp(r, jx_q_int(3)) == 0);

    jt_case("rounding: the fast path's overflow boundary");
    /* n × 10^e just below and above 2^63 */
    CHECK(jx_q_round(jx_q_int(461168601842738790LL), 1, &v));   /* 10x: INT64_MAX / 2 - 3 */
    CHECK_INT(v, 4611686018427387900LL);
    CHECK(!jx_q_round(jx_q_int(461168601842738791LL), 1, &v));  /* past INT64_MAX / 2 */
    CHECK(!jx_q_round(jx_q_make(INT64_MAX, 1), 2, &v));   /* too large: refused, not wrapped */
    CHECK(jx_q_round(jx_q_make(INT64_MAX, 1000), 0, &v));
    CHECK_INT(v, ref_div_round((jx_i128)INT64_MAX, 1000));
    CHECK(jx_q_round(jx_q_make(5, 1000), 2, &v));   /* 0.005 -> 0.01 */
    CHECK_INT(v, 1);
    CHECK(jx_q_round(jx_q_make(-5, 1000), 2, &v));
    CHECK_INT(v, -1);

    jt_case("consistent at the written precision");
    /* 99.12% and 99.13% both fit 15464 / 15600 = 0.991282... */
    jx_q exact = jx_q_make(15464, 15600);
    CHECK(jx_consistent(jx_q_make(9912, 10000), -4, exact));
    CHECK(jx_consistent(jx_q_make(9913, 10000), -4, exact));
    CHECK(!jx_consistent(jx_q_make(9914, 10000), -4, exact));
    CHECK(!jx_consistent(jx_q_make(9937, 10000), -4, exact));
    /* a tie: 0.125 at two decimals is 0.13 (half-up) or 0.12 (truncated) */
    CHECK(jx_consistent(jx_q_make(13, 100), -2, jx_q_make(1, 8)));
    CHECK(jx_consistent(jx_q_make(12, 100), -2, jx_q_make(1, 8)));
    CHECK(!jx_consistent(jx_q_make(11, 100), -2, jx_q_make(1, 8)));
    CHECK(jx_consistent(jx_q_make(-13, 100), -2, jx_q_make(-1, 8)));
    /* the same checks with parts beyond 64 bits (general path) */
    jx_q e128 = {(jx_i128)15464 * big, (jx_i128)15600 * big};
    CHECK(jx_consistent(jx_q_make(9912, 10000), -4, e128));
    CHECK(!jx_consistent(jx_q_make(9914, 10000), -4, e128));
    /* a precision that scales past 64 bits */
    CHECK(jx_consistent(jx_q_int(INT64_MAX / 10), 0, jx_q_int(INT64_MAX / 10)));
    CHECK(jx_consistent(jx_q_make(1, 1), -18, jx_q_make(1, 1)));
}

/* ---- the shortest decimal of a long JSON number ------------------------------- */

/* The reader's decimal_text as it was: [-]digits[.digits][e[+-]digits]. */
static bool ref_decimal_text(const char *s, jx_q *q, int *prec, bool allow_exp)
{
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
    if (*s)
        return false;
    dec -= exp;
    for (; dec < 0; dec++) {
        if (m > INT64_MAX / 10)
            return false;
        m *= 10;
    }
    if (dec > 8)
        return false;
    *q = jx_q_make(neg ? -m : m, jx_pow10(dec));
    *prec = -dec;
    return true;
}

/* jv_number on a JSON number as it was before the fast path: the text as
 * written, else the first p from 1 to 17 whose "%.*g" reads back. */
static bool ref_number(const char *text, jx_q *q, int *prec)
{
    if (ref_decimal_text(text, q, prec, true))
        return true;
    double d = strtod(text, NULL);
    char tmp[64];
    if (!(d > -1e17 && d < 1e17))
        return false;
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, d);
        if (!strchr(tmp, 'e') && strtod(tmp, NULL) == d)
            return ref_decimal_text(tmp, q, prec, false);
    }
    return false;
}

static void check_number_text(const char *text)
{
    jx_arena a = {0};
    jx_errors errs;
    jx_errors_clear(&errs);
    jv *v = jv_parse(&a, text, strlen(text), &errs);
    if (!v || v->t != JV_NUMBER) {
        FAIL("not a JSON number: %s", text);
        jx_arena_free(&a);
        return;
    }
    jx_q q = {0, 1}, rq = {0, 1};
    int prec = 0, rprec = 0;
    bool ok = jv_number(v, &q, &prec), rok = false;
    rok = ref_number(text, &rq, &rprec);
    if (ok != rok || (ok && (q.n != rq.n || q.d != rq.d || prec != rprec)))
        FAIL("%s: fast %d %lld/%lld prec %d, reference %d %lld/%lld prec %d", text, ok,
             (long long)q.n, (long long)q.d, prec, rok, (long long)rq.n, (long long)rq.d, rprec);
    jt_checks++;
    jx_arena_free(&a);
}

static void test_shortest(void)
{
    jt_case("shortest decimal: edges");
    static const char *const texts[] = {
        "3.9399999999999999", "0.050000000000000003", "8.5099999999999998",
        "97.200000000000003", "0.10000000000000001", "0.30000000000000004",
        "99.995000000000005", "1.0000000000000002", "9.9999999999999995",
        "99999999999999.998", "0.00010000000000000001", "0.000099999999999999991",
        "123456789012345.67", "1234567890123456.7", "12345678901234567.8",
        "1e-5", "1.5e2", "1e16", "9.999999999999999e16", "1e17", "-3.9399999999999999",
        "-0.050000000000000003", "4.4999999999999996", "0.99999999999999989",
        "0.12345678912345678", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
        "0.1234567890123456789012345", "100000000000000000000000", "1E2", "1.25E-1",
        "0.0000000000000000000000000000001", "-0.0000000000000000001",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        check_number_text(texts[i]);

    jt_case("shortest decimal: random doubles printed with 17 digits");
    srand(20261122);
    for (int i = 0; i < 20000; i++) {
        double mant = (double)rand() / RAND_MAX;
        int e = rand() % 24 - 8;
        double d = mant * pow(10, e);
        if (rand() % 4 == 0)
            d = round(d * 100) / 100;   /* two decimals, as scores are written */
        if (rand() % 8 == 0)
            d = -d;
        char t[64];
        snprintf(t, sizeof t, "%.17g", d);
        check_number_text(t);
    }
}

/* ---- ratio and threshold on 64-bit parts ----------------------------------------- */

/* The score of the one indicator of a document with this target and actual. */
static const char *score_of(jx_ctx *ctx, const char *target, const char *actual,
                            const char *rule, char *out, size_t cap)
{
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"scope\":\"project\",\"indicators\":[{\"level1\":\"产出指标\",\"level2\":\"数量指标\","
             "\"name\":\"x\",\"weight\":10,\"target\":\"%s\",\"actual\":\"%s\"%s%s}]}",
             target, actual, rule ? ",\"rule\":" : "", rule ? rule : "");
    jx_errors errs;
    jx_document *d = jx_document_load(ctx, doc, strlen(doc), &errs);
    snprintf(out, cap, "(not loaded)");
    if (!d)
        return out;
    jx_result *r = jx_score(d);
    char *j = r ? jx_result_json(r, NULL) : NULL;
    const char *s = j ? strstr(j, "\"indicators\":[") : NULL;
    const char *sc = s ? strstr(s, "\"score\":") : NULL;
    if (sc)
        snprintf(out, cap, "%.*s", (int)strcspn(sc + 8, ","), sc + 8);
    free(j);
    jx_result_free(r);
    jx_document_free(d);
    return out;
}

static void test_numeric64(jx_ctx *ctx)
{
    char a[64], b[64];
    jt_case("ratio: parts of 64 bits and parts of 128 bits give the same score");
    /* a unit-less target against yuan is multiplied by 100 (fen): 9e16 -> 9e18
     * still fits 64 bits, 9e17 -> 9e19 does not */
    CHECK_STR(score_of(ctx, "≥90000000000000000", "4500000000000000元", NULL, a, sizeof a), "0.50");
    /* (money stays below 10^16 元: the 128-bit case has a ratio of 1/200) */
    CHECK_STR(score_of(ctx, "≥900000000000000000", "4500000000000000元", NULL, b, sizeof b), "0.05");
    CHECK_STR(score_of(ctx, "=90000000000000000", "300000000000000元", NULL, a, sizeof a), "0.03");
    CHECK_STR(score_of(ctx, "=900000000000000000", "3000000000000000元", NULL, b, sizeof b), "0.03");
    CHECK_STR(score_of(ctx, "≤90000000000000000", "900000000000000元", NULL, a, sizeof a), "10.00");
    CHECK_STR(score_of(ctx, "≤900000000000000000", "9000000000000000元", NULL, b, sizeof b), "10.00");

    jt_case("ratio and threshold: the cases of score_numeric");
    CHECK_STR(score_of(ctx, "≥30次", "32次", NULL, a, sizeof a), "10.00");
    CHECK_STR(score_of(ctx, "≥30次", "15次", NULL, a, sizeof a), "5.00");
    CHECK_STR(score_of(ctx, "≥30次", "0次", NULL, a, sizeof a), "0.00");
    CHECK_STR(score_of(ctx, "≥0次", "0次", NULL, a, sizeof a), "10.00");
    CHECK_STR(score_of(ctx, "≥-5次", "-10次", NULL, a, sizeof a), "10.00");   /* -10 counts as 0 */
    CHECK_STR(score_of(ctx, "≤5天", "10天", NULL, a, sizeof a), "5.00");
    CHECK_STR(score_of(ctx, "≤5天", "0天", NULL, a, sizeof a), "10.00");
    CHECK_STR(score_of(ctx, "<5天", "5天", NULL, a, sizeof a), "10.00");   /* 5/5 capped at full */
    CHECK_STR(score_of(ctx, "=8次", "6次", NULL, a, sizeof a), "7.50");
    CHECK_STR(score_of(ctx, "=8次", "10次", NULL, a, sizeof a), "8.00");
    CHECK_STR(score_of(ctx, "=8次", "10次", "{\"kind\":\"ratio\",\"equal\":\"at_least\"}", a, sizeof a),
              "10.00");
    CHECK_STR(score_of(ctx, "≥30次", "29次", "{\"kind\":\"threshold\"}", a, sizeof a), "0.00");
    CHECK_STR(score_of(ctx, "≥30次", "30次", "{\"kind\":\"threshold\"}", a, sizeof a), "10.00");
    CHECK_STR(score_of(ctx, "≤5天", "6天", "{\"kind\":\"ratio\",\"reverse\":\"linear\"}", a, sizeof a),
              "8.00");
    /* a tie at the cent: 8/9 of 10 is 8.888..., 1/8 of 10 is 1.25 exactly, 1/16 of 10 is 0.625 */
    CHECK_STR(score_of(ctx, "≥16次", "1次", NULL, a, sizeof a), "0.63");
}

/* ---- the reader's strings ------------------------------------------------------------- */

static void test_reader(void)
{
    jt_case("strings read in place");
    jx_arena a = {0};
    jx_errors errs;
    const char *t = "{\"k\":\"a\\n\\\"b\\\\\\u4e2d\\ud83d\\ude00中文\",\"e\":\"\",\"x\":[1,\"y\"]}";
    jv *v = jv_parse(&a, t, strlen(t), &errs);
    CHECK(v != NULL);
    CHECK_STR(jv_str(jv_get(v, "k")), "a\n\"b\\中\xF0\x9F\x98\x80中文");
    CHECK_STR(jv_str(jv_get(v, "e")), "");
    CHECK(jv_get(v, "x") && jv_get(v, "x")->n == 2);
    jx_arena_free(&a);

    jt_case("error positions on the input as given");
    /* the escaped newline inside the string does not count as a line */
    const char *bad = "{\"k\":\"a\\nb\",\n \"m\": tru}";
    jx_errors_clear(&errs);
    jx_arena b = {0};
    CHECK(jv_parse(&b, bad, strlen(bad), &errs) == NULL);
    CHECK_INT(errs.items[0].line, 2);
    CHECK_INT(errs.items[0].column, 7);
    jx_arena_free(&b);

    jt_case("unterminated strings and bad bytes at the very end");
    static const char *const broken[] = {"\"abc", "\"a\\", "\"\xE4\xB8", "\"\xE4", "\"\xFF\"",
                                         "\"\xED\xA0\x80\"", "\"a\x01\""};
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        jx_arena c = {0};
        jx_errors_clear(&errs);
        CHECK(jv_parse(&c, broken[i], strlen(broken[i]), &errs) == NULL);
        CHECK_INT(errs.status, JX_ESYNTAX);
        jx_arena_free(&c);
    }

    jt_case("duplicate keys");
    static const char *const dups[] = {"{\"ab\":1,\"ba\":2,\"ab\":3}", "{\"a\":1,\"a\":2}",
                                       "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,"
                                       "\"h\":8,\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,"
                                       "\"n\":14,\"o\":15,\"p\":16,\"q\":17,\"a\":18}"};
    for (size_t i = 0; i < sizeof dups / sizeof *dups; i++) {
        jx_arena c = {0};
        jx_errors_clear(&errs);
        CHECK(jv_parse(&c, dups[i], strlen(dups[i]), &errs) == NULL);
        jx_arena_free(&c);
    }
    jx_arena c = {0};
    const char *nodup = "{\"ab\":1,\"ba\":2,\"abc\":3,\"b\":4,\"bb\":5,\"a\":6}";
    CHECK(jv_parse(&c, nodup, strlen(nodup), &errs) != NULL);
    jx_arena_free(&c);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    jx_ctx *ctx = jx_ctx_new();
    test_rationals();
    test_shortest();
    test_numeric64(ctx);
    test_reader();
    jx_ctx_free(ctx);
    return jt_finish("fast");
}
