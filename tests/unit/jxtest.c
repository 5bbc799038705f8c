/* jxtest.c -- see jxtest.h. */
#include "jxtest.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jt_checks;
int jt_failures;
static char jt_case_name[256];

void jt_case(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(jt_case_name, sizeof jt_case_name, fmt, ap);
    va_end(ap);
}

const char *jt_current_case(void) { return jt_case_name; }

void jt_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    jt_checks++;
    jt_failures++;
    fprintf(stderr, "%s:%d: [%s] FAIL: ", file, line, jt_case_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int jt_check(int ok, const char *file, int line, const char *expr)
{
    jt_checks++;
    if (!ok) {
        jt_failures++;
        fprintf(stderr, "%s:%d: [%s] FAIL: %s\n", file, line, jt_case_name, expr);
    }
    return ok;
}

int jt_check_ll(long long a, long long b, const char *file, int line,
                const char *ea, const char *eb)
{
    jt_checks++;
    if (a != b) {
        jt_failures++;
        fprintf(stderr, "%s:%d: [%s] FAIL: %s == %s: got ", file, line, jt_case_name, ea, eb);
        if (a == LLONG_MIN)
            fprintf(stderr, "(absent)");
        else
            fprintf(stderr, "%lld", a);
        fprintf(stderr, ", want %lld\n", b);
        return 0;
    }
    return 1;
}

int jt_check_str(const char *a, const char *b, const char *file, int line,
                 const char *ea, const char *eb)
{
    jt_checks++;
    if (a == NULL || b == NULL || strcmp(a, b) != 0) {
        jt_failures++;
        fprintf(stderr, "%s:%d: [%s] FAIL: %s == %s: got \"%s\", want \"%s\"\n", file, line,
                jt_case_name, ea, eb, a ? a : "(null)", b ? b : "(null)");
        return 0;
    }
    return 1;
}

int jt_finish(const char *suite)
{
    printf("%s: %d checks, %d failed: %s\n", suite, jt_checks, jt_failures,
           jt_failures ? "FAIL" : "PASS");
    return jt_failures ? 1 : 0;
}

/* ---- files ---------------------------------------------------------------- */

const char *jt_shared_dir(int argc, char **argv)
{
    const char *env;
    if (argc > 1 && argv[1][0])
        return argv[1];
    env = getenv("JX_SHARED");
    if (env && env[0])
        return env;
    return "../shared";
}

char *jt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t jt_list_fixtures(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **list = NULL;
    size_t n = 0;
    *names = NULL;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        size_t l = strlen(s);
        char **nl;
        if (l < 10 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
            s[2] > '9' || s[3] != '-' || strcmp(s + l - 5, ".json") != 0)
            continue;
        nl = realloc(list, (n + 1) * sizeof *list);
        if (!nl)
            break;
        list = nl;
        list[n++] = strdup(s);
    }
    closedir(d);
    if (n)
        qsort(list, n, sizeof *list, cmp_str);
    *names = list;
    return n;
}

void jt_free_list(char **names, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- JSON ----------------------------------------------------------------- */

json_t *jt_j(const char *sq)
{
    size_t i, n = strlen(sq);
    char *s = malloc(n + 1);
    json_error_t e;
    json_t *v;
    if (!s)
        abort();
    for (i = 0; i <= n; i++)
        s[i] = sq[i] == '\'' ? '"' : sq[i];
    v = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!v) {
        fprintf(stderr, "test bug: bad JSON in test (%s at %d:%d): %s\n", e.text, e.line,
                e.column, s);
        abort();
    }
    free(s);
    return v;
}

/* Splits the last token off a pointer; returns the parent value. */
static json_t *jt_parent(json_t *root, const char *pointer, char *last, size_t lastsz)
{
    const char *slash = strrchr(pointer, '/');
    char parent[512];
    size_t plen;
    if (!slash)
        return NULL;
    plen = (size_t)(slash - pointer);
    if (plen >= sizeof parent)
        return NULL;
    memcpy(parent, pointer, plen);
    parent[plen] = '\0';
    snprintf(last, lastsz, "%s", slash + 1);
    return jt_get(root, parent);
}

json_t *jt_get(json_t *root, const char *pointer)
{
    const char *p = pointer;
    json_t *cur = root;
    char tok[256];
    while (cur && *p) {
        size_t k = 0;
        if (*p != '/')
            return NULL;
        p++;
        while (*p && *p != '/' && k + 1 < sizeof tok) {
            if (p[0] == '~' && p[1] == '1') {
                tok[k++] = '/';
                p += 2;
            } else if (p[0] == '~' && p[1] == '0') {
                tok[k++] = '~';
                p += 2;
            } else {
                tok[k++] = *p++;
            }
        }
        tok[k] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            char *end;
            unsigned long idx = strtoul(tok, &end, 10);
            if (*end || !tok[0])
                return NULL;
            cur = json_array_get(cur, (size_t)idx);
        } else {
            return NULL;
        }
    }
    return cur;
}

void jt_set(json_t *root, const char *pointer, json_t *val)
{
    char last[256];
    json_t *parent = jt_parent(root, pointer, last, sizeof last);
    if (!parent) {
        fprintf(stderr, "test bug: no parent for %s\n", pointer);
        abort();
    }
    if (json_is_object(parent)) {
        json_object_set_new(parent, last, val);
    } else if (json_is_array(parent)) {
        if (strcmp(last, "-") == 0) {
            json_array_append_new(parent, val);
        } else {
            size_t idx = (size_t)strtoul(last, NULL, 10);
            if (idx == json_array_size(parent))
                json_array_append_new(parent, val);
            else
                json_array_set_new(parent, idx, val);
        }
    } else {
        fprintf(stderr, "test bug: parent of %s is not a container\n", pointer);
        abort();
    }
}

void jt_setj(json_t *root, const char *pointer, const char *sq)
{
    jt_set(root, pointer, jt_j(sq));
}

void jt_del(json_t *root, const char *pointer)
{
    char last[256];
    json_t *parent = jt_parent(root, pointer, last, sizeof last);
    if (!parent)
        return;
    if (json_is_object(parent))
        json_object_del(parent, last);
    else if (json_is_array(parent))
        json_array_remove(parent, (size_t)strtoul(last, NULL, 10));
}

long long jt_cents(const json_t *num)
{
    if (!json_is_number(num))
        return LLONG_MIN;
    return llround(json_number_value(num) * 100.0);
}

void jt_decimal_from(int64_t mant, int scale, char *out, size_t outsz)
{
    char digits[64];
    int neg = mant < 0;
    unsigned long long u = neg ? 0ULL - (unsigned long long)mant : (unsigned long long)mant;
    size_t len;
    snprintf(digits, sizeof digits, "%llu", u);
    len = strlen(digits);
    if (scale <= 0) {
        char tmp[96];
        int i;
        snprintf(tmp, sizeof tmp, "%s%s", neg ? "-" : "", digits);
        for (i = 0; i < -scale && strlen(tmp) + 1 < sizeof tmp; i++)
            strcat(tmp, "0");
        jt_decimal_canon(tmp, out, outsz);
    } else {
        char tmp[256];
        size_t sc = (size_t)scale;
        if (len <= sc) {
            char zeros[64];
            size_t z = sc - len;
            memset(zeros, '0', z);
            zeros[z] = '\0';
            snprintf(tmp, sizeof tmp, "%s0.%s%s", neg ? "-" : "", zeros, digits);
        } else {
            snprintf(tmp, sizeof tmp, "%s%.*s.%s", neg ? "-" : "", (int)(len - sc), digits,
                     digits + (len - sc));
        }
        jt_decimal_canon(tmp, out, outsz);
    }
}

void jt_decimal_canon(const char *in, char *out, size_t outsz)
{
    char buf[128];
    const char *p = in;
    int neg = 0;
    char *dot, *end;
    size_t k = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    while (*p == '0' && p[1] && p[1] != '.')
        p++;
    snprintf(buf, sizeof buf, "%s", p);
    dot = strchr(buf, '.');
    if (dot) {
        end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *dot = '\0';
    }
    if (buf[0] == '\0')
        snprintf(buf, sizeof buf, "0");
    if (strcmp(buf, "0") == 0)
        neg = 0;
    if (neg && k + 1 < outsz)
        out[k++] = '-';
    snprintf(out + k, outsz - k, "%s", buf);
}

/* ---- scoring ---------------------------------------------------------------- */

void jt_score_text(const jx_ctx *ctx, const char *text, size_t len, jt_run *run)
{
    char *out = NULL;
    size_t outlen = 0;
    memset(run, 0, sizeof *run);
    jx_errors_clear(&run->errs);
    run->status = jx_score_json(ctx, text, len, &out, &outlen, &run->errs);
    run->text = out;
    if (run->status == JX_OK) {
        json_error_t e;
        if (!out) {
            FAIL("jx_score_json returned JX_OK with no output");
            return;
        }
        if (strlen(out) != outlen)
            FAIL("jx_score_json: outlen %zu but strlen %zu", outlen, strlen(out));
        run->res = json_loadb(out, outlen, 0, &e);
        if (!run->res) {
            FAIL("result is not valid JSON (%s): %.300s", e.text, out);
            return;
        }
        jt_check_result_shape(run->res);
    } else if (out) {
        FAIL("jx_score_json failed (status %d) but set *out", (int)run->status);
    }
}

void jt_score(const jx_ctx *ctx, const json_t *doc, jt_run *run)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        abort();
    jt_score_text(ctx, text, strlen(text), run);
    free(text);
}

void jt_run_free(jt_run *run)
{
    json_decref(run->res);
    free(run->text);
    run->res = NULL;
    run->text = NULL;
}

int jt_ptr_match(const char *p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 0)
        return 1;
    if (!p || strncmp(p, prefix, n) != 0)
        return 0;
    return p[n] == '\0' || p[n] == '/';
}

int jt_count(const json_t *res, const char *code, const char *prefix)
{
    json_t *fs = json_object_get(res, "findings");
    size_t i;
    int n = 0;
    for (i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        const char *c = json_string_value(json_object_get(f, "code"));
        const char *p = json_string_value(json_object_get(f, "pointer"));
        if (c && strcmp(c, code) == 0 && jt_ptr_match(p ? p : "", prefix))
            n++;
    }
    return n;
}

json_t *jt_finding(const json_t *res, const char *code, const char *prefix)
{
    json_t *fs = json_object_get(res, "findings");
    size_t i;
    for (i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        const char *c = json_string_value(json_object_get(f, "code"));
        const char *p = json_string_value(json_object_get(f, "pointer"));
        if (c && strcmp(c, code) == 0 && jt_ptr_match(p ? p : "", prefix))
            return f;
    }
    return NULL;
}

json_t *jt_ind(const json_t *res, size_t i)
{
    return json_array_get(json_object_get(res, "indicators"), i);
}

long long jt_ind_score(const json_t *res, size_t i)
{
    return jt_cents(json_object_get(jt_ind(res, i), "score"));
}

void jt_print_findings(const json_t *res)
{
    json_t *fs = json_object_get(res, "findings");
    size_t i;
    fprintf(stderr, "    findings (%zu):\n", json_array_size(fs));
    for (i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        fprintf(stderr, "      %s %s %s: %s\n",
                json_string_value(json_object_get(f, "severity")),
                json_string_value(json_object_get(f, "code")),
                json_string_value(json_object_get(f, "pointer")),
                json_string_value(json_object_get(f, "message")));
    }
}

void jt_print_errors(const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;
    fprintf(stderr, "    status %d, %zu error(s):\n", (int)errs->status, errs->count);
    for (i = 0; i < n; i++)
        fprintf(stderr, "      %s at '%s' (%d:%d): %s\n", errs->items[i].code,
                errs->items[i].pointer, errs->items[i].line, errs->items[i].column,
                errs->items[i].message);
}

int jt_expect_finding(const json_t *res, const char *code, const char *prefix, int want,
                      const char *file, int line)
{
    int n;
    if (!res) {
        jt_fail(file, line, "no result to look for %s at '%s' in", code, prefix);
        return 0;
    }
    n = jt_count(res, code, prefix);
    jt_checks++;
    if ((want && n == 0) || (!want && n != 0)) {
        jt_failures++;
        fprintf(stderr, "%s:%d: [%s] FAIL: %s %s at '%s'\n", file, line, jt_case_name,
                want ? "expected finding" : "unexpected finding", code, prefix);
        jt_print_findings(res);
        return 0;
    }
    return 1;
}

int jt_expect_scored(const jt_run *run, const char *file, int line)
{
    jt_checks++;
    if (run->status != JX_OK || !run->res) {
        jt_failures++;
        fprintf(stderr, "%s:%d: [%s] FAIL: document not scored\n", file, line, jt_case_name);
        jt_print_errors(&run->errs);
        return 0;
    }
    return 1;
}

/* ---- the result's shape (§7) and invariants ---------------------------------- */

static int is_money_string(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n, i;
    const char *dot;
    if (!s)
        return 0;
    if (*s == '-')
        s++;
    dot = strchr(s, '.');
    if (!dot || dot == s)
        return 0;
    for (i = 0; s + i < dot; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    n = strlen(dot + 1);
    return n == 2 && dot[1] >= '0' && dot[1] <= '9' && dot[2] >= '0' && dot[2] <= '9';
}

static const char *expected_severity(const char *code)
{
    static const char *const errors[] = {"SCORE_ABOVE_WEIGHT", "UNIT_MISMATCH", "FIGURE_MISSING"};
    static const char *const infos[] = {"ACTUAL_HAS_OPERATOR", "QUALITATIVE_JUDGEMENT",
                                        "FRAMEWORK_RULE_MAX", "NOT_APPLICABLE", "WEIGHT_ASSUMED"};
    static const char *const warnings[] = {
        "TOTAL_MISMATCH", "REPORTED_SUM_MISMATCH", "SCORE_MISMATCH", "DEDUCTED_TARGET_MET",
        "FULL_SCORE_TARGET_MISSED", "SCORE_OUTSIDE_BAND", "TARGET_MISSED_NO_REASON",
        "TARGET_TOO_LOW", "WEIGHTS_TOTAL", "CATEGORY_WEIGHT", "MISSING_CATEGORY",
        "UNKNOWN_CATEGORY", "GRADE_MISMATCH", "EXECUTION_RATE_MISMATCH", "AMOUNT_ARITHMETIC",
        "OVERSPENT", "EXECUTION_UNKNOWN", "ACTUAL_MISSING", "ACTUAL_UNDETERMINED",
        "NOT_APPLICABLE_NO_REASON"};
    size_t i;
    for (i = 0; i < sizeof errors / sizeof *errors; i++)
        if (strcmp(code, errors[i]) == 0)
            return "error";
    for (i = 0; i < sizeof infos / sizeof *infos; i++)
        if (strcmp(code, infos[i]) == 0)
            return "info";
    for (i = 0; i < sizeof warnings / sizeof *warnings; i++)
        if (strcmp(code, warnings[i]) == 0)
            return "warning";
    return NULL;
}

#define SHAPE_FAIL(...)                                                       \
    do {                                                                      \
        bad++;                                                                \
        jt_fail(__FILE__, __LINE__, "result shape: " __VA_ARGS__);            \
    } while (0)

int jt_check_result_shape(const json_t *res)
{
    int bad = 0;
    json_t *ex, *inds, *cats, *fs, *v;
    long long sum = 0, total, max, norm, own_sum = 0, own_max = 0;
    size_t i;
    int incomplete_codes = 0;
    static const char *const top[] = {"framework", "total", "max", "normalised", "grade",
                                      "complete", "execution", "categories", "indicators",
                                      "findings"};
    jt_checks++;
    if (!json_is_object(res)) {
        SHAPE_FAIL("not an object");
        return bad;
    }
    for (i = 0; i < sizeof top / sizeof *top; i++)
        if (!json_object_get(res, top[i]))
            SHAPE_FAIL("key '%s' missing", top[i]);
    if (!json_is_string(json_object_get(res, "framework")))
        SHAPE_FAIL("framework is not a string");
    if (!json_is_string(json_object_get(res, "grade")))
        SHAPE_FAIL("grade is not a string");
    if (!json_is_boolean(json_object_get(res, "complete")))
        SHAPE_FAIL("complete is not a boolean");
    total = jt_cents(json_object_get(res, "total"));
    max = jt_cents(json_object_get(res, "max"));
    norm = jt_cents(json_object_get(res, "normalised"));
    if (total == LLONG_MIN || max == LLONG_MIN || norm == LLONG_MIN)
        SHAPE_FAIL("total, max or normalised is not a number");

    ex = json_object_get(res, "execution");
    if (!json_is_object(ex)) {
        SHAPE_FAIL("execution is not an object");
    } else {
        static const char *const ek[] = {"budget", "executed", "rate", "weight", "score"};
        for (i = 0; i < sizeof ek / sizeof *ek; i++)
            if (!json_object_get(ex, ek[i]))
                SHAPE_FAIL("execution.%s missing", ek[i]);
        v = json_object_get(ex, "budget");
        if (v && !json_is_null(v) && !is_money_string(v))
            SHAPE_FAIL("execution.budget is not a decimal string with two decimals");
        v = json_object_get(ex, "executed");
        if (v && !json_is_null(v) && !is_money_string(v))
            SHAPE_FAIL("execution.executed is not a decimal string with two decimals");
        v = json_object_get(ex, "rate");
        if (v && !json_is_null(v) && !json_is_number(v))
            SHAPE_FAIL("execution.rate is neither a number nor null");
        v = json_object_get(ex, "score");
        if (!json_is_number(v))
            SHAPE_FAIL("execution.score is not a number");
        else
            sum += jt_cents(v);
    }

    cats = json_object_get(res, "categories");
    if (!json_is_array(cats))
        SHAPE_FAIL("categories is not an array");
    for (i = 0; i < json_array_size(cats); i++) {
        json_t *c = json_array_get(cats, i);
        if (!json_is_string(json_object_get(c, "level1")) ||
            !json_is_number(json_object_get(c, "weight")) ||
            !json_is_number(json_object_get(c, "score")))
            SHAPE_FAIL("categories[%zu] lacks level1/weight/score", i);
    }

    inds = json_object_get(res, "indicators");
    if (!json_is_array(inds))
        SHAPE_FAIL("indicators is not an array");
    for (i = 0; i < json_array_size(inds); i++) {
        json_t *ind = json_array_get(inds, i);
        long long w = jt_cents(json_object_get(ind, "weight"));
        long long s = jt_cents(json_object_get(ind, "score"));
        long long d = jt_cents(json_object_get(ind, "deduction"));
        json_t *met = json_object_get(ind, "met");
        /* index into the document's indicators; null for a wide framework's
         * indicator that the document does not list */
        v = json_object_get(ind, "index");
        if (!json_is_integer(v) && !json_is_null(v))
            SHAPE_FAIL("indicators[%zu].index is neither an integer nor null", i);
        if (!json_is_string(json_object_get(ind, "name")))
            SHAPE_FAIL("indicators[%zu].name is not a string", i);
        if (!json_is_string(json_object_get(ind, "rule")))
            SHAPE_FAIL("indicators[%zu].rule is not a string", i);
        v = json_object_get(ind, "explain");
        if (!json_is_string(v) || json_string_length(v) == 0)
            SHAPE_FAIL("indicators[%zu].explain is not a non-empty string", i);
        if (!met || !(json_is_boolean(met) || json_is_null(met)))
            SHAPE_FAIL("indicators[%zu].met is neither boolean nor null", i);
        if (json_is_true(json_object_get(ind, "not_applicable"))) {
            /* 不适用 (§8): no score, no deduction, met null */
            if (!json_is_null(json_object_get(ind, "score")) ||
                !json_is_null(json_object_get(ind, "deduction")) || !json_is_null(met))
                SHAPE_FAIL("indicators[%zu] is not applicable but has a score or met", i);
            continue;
        }
        if (w == LLONG_MIN || s == LLONG_MIN || d == LLONG_MIN) {
            SHAPE_FAIL("indicators[%zu] weight/score/deduction not numbers", i);
            continue;
        }
        if (json_is_true(json_object_get(ind, "own"))) {
            /* a wide document's own indicator, outside the total (§8) */
            own_sum += s;
            own_max += w;
            if (s < 0 || s > w)
                SHAPE_FAIL("indicators[%zu].score %lld outside [0, weight %lld]", i, s, w);
            continue;
        }
        if (s < 0 || s > w)
            SHAPE_FAIL("indicators[%zu].score %lld outside [0, weight %lld] (hundredths)", i, s,
                       w);
        if (d != w - s)
            SHAPE_FAIL("indicators[%zu].deduction %lld != weight %lld - score %lld", i, d, w, s);
        sum += s;
    }
    v = json_object_get(res, "own");
    if (v && (jt_cents(json_object_get(v, "score")) != own_sum ||
              jt_cents(json_object_get(v, "max")) != own_max))
        SHAPE_FAIL("own {score, max} != the sums of the own rows (%lld, %lld)", own_sum, own_max);
    if (!v && own_max)
        SHAPE_FAIL("rows marked own but no \"own\" subtotal");
    if (total != LLONG_MIN && sum != total)
        SHAPE_FAIL("total %lld != sum of indicator scores and execution score %lld (hundredths)",
                   total, sum);
    if (total != LLONG_MIN && max > 0 && norm != LLONG_MIN) {
        long long want = (total * 10000 + max / 2) / max;
        if (norm != want)
            SHAPE_FAIL("normalised %lld != total*100/max = %lld (hundredths)", norm, want);
    }

    fs = json_object_get(res, "findings");
    if (!json_is_array(fs))
        SHAPE_FAIL("findings is not an array");
    for (i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        const char *code = json_string_value(json_object_get(f, "code"));
        const char *sev = json_string_value(json_object_get(f, "severity"));
        const char *ptr = json_string_value(json_object_get(f, "pointer"));
        const char *msg = json_string_value(json_object_get(f, "message"));
        const char *want;
        if (!code || !sev || !ptr || !msg || !msg[0]) {
            SHAPE_FAIL("findings[%zu] lacks code/severity/pointer/message", i);
            continue;
        }
        if (ptr[0] != '\0' && ptr[0] != '/')
            SHAPE_FAIL("findings[%zu].pointer '%s' is not a JSON pointer", i, ptr);
        want = expected_severity(code);
        if (want && strcmp(want, sev) != 0)
            SHAPE_FAIL("finding %s has severity %s, §6 says %s", code, sev, want);
        if (!want && strcmp(sev, "error") && strcmp(sev, "warning") && strcmp(sev, "info"))
            SHAPE_FAIL("finding %s has severity '%s'", code, sev);
        if (!strcmp(code, "ACTUAL_MISSING") || !strcmp(code, "EXECUTION_UNKNOWN") ||
            !strcmp(code, "FIGURE_MISSING") || !strcmp(code, "ACTUAL_UNDETERMINED") ||
            !strcmp(code, "UNIT_MISMATCH"))
            incomplete_codes++;
    }
    v = json_object_get(res, "complete");
    if (json_is_boolean(v) && json_is_true(v) != (incomplete_codes == 0))
        SHAPE_FAIL("complete is %s but %d finding(s) mark a part undetermined",
                   json_is_true(v) ? "true" : "false", incomplete_codes);
    return bad;
}
