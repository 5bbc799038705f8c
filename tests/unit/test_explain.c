/*
 * test_explain: every number an explanation quotes is the one the rule used
 * (scoring.md §8), checked mechanically over thousands of generated
 * documents rather than by examples.
 *
 * A seeded PRNG writes project indicators (targets in %, 次, 万元 with any
 * operator, in symbols or words; actuals with or without their unit, or a
 * band word; the default rule, threshold, step, scaled and rule texts;
 * reported scores inside and outside [0, weight]) and department-wide
 * documents with random figures.  The generator keeps what it wrote, and
 * each explanation is read back phrase by phrase: the number after 实际
 * must be the actual (with the unit a bare number was read in), after 目标
 * the target with its operator, 扣减 N 档 the steps computed here
 * independently, 每档 the deduction, 报告得分 the reported score, and the
 * closing 得 … 分 the row's score.  A phrase with a number the checks do
 * not know fails too.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static jx_ctx *ctx;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int pick(int n) { return (int)(next() % (uint64_t)n); }

/* A number as written in hundredths: "93.5" → 9350, "12" → 1200;
 * -1 when the text is not a plain number with at most 2 decimals (4 for
 * steps: *scale4 asks for ten-thousandths). */
static long long parse_num(const char *s, size_t n, int dec)
{
    long long v = 0;
    int d = -1, sign = 1;
    size_t i = 0;
    if (n && s[0] == '-') {
        sign = -1;
        i = 1;
    }
    for (; i < n; i++) {
        if (s[i] == '.' && d < 0)
            d = 0;
        else if (s[i] >= '0' && s[i] <= '9') {
            if (d >= 0 && ++d > dec)
                return -1;
            v = v * 10 + (s[i] - '0');
        } else
            return -1;
    }
    for (int k = d < 0 ? 0 : d; k < dec; k++)
        v *= 10;
    return sign * v;
}

/* hundredths written as reports do ("93.5", "12") */
static void put_h(char *out, size_t cap, long long h)
{
    if (h % 100 == 0)
        snprintf(out, cap, "%lld", h / 100);
    else if (h % 10 == 0)
        snprintf(out, cap, "%lld.%lld", h / 100, (h % 100) / 10);
    else
        snprintf(out, cap, "%lld.%02lld", h / 100, h % 100);
}

typedef enum { U_PCT, U_CNT, U_WAN } unit_t;
typedef enum { R_DEFAULT, R_THRESHOLD, R_STEP, R_SCALED, R_TEXT_RATIO, R_TEXT_THRESHOLD,
               R_TEXT_STEP, R_NKINDS } rule_t;

typedef struct {
    unit_t unit;
    int op;              /* index into OPS */
    long long t, a;      /* hundredths of the unit (万元 for money) */
    bool bare;           /* actual written with no unit */
    const char *word;    /* actual is a band word */
    rule_t rule;
    long long per, deduct;   /* step: per in hundredths of a point, deduct in cents */
    long long weight;        /* cents */
    bool has_rep;
    long long rep;           /* cents */
    char rule_text[128];
} gen_ind;

static const struct { const char *w, *sym; } OPS[] = {
    {"≥", "≥"}, {"≤", "≤"}, {"<", "<"}, {">", ">"}, {"", ""}, {"大于等于", "≥"},
    {"不低于", "≥"}, {"小于等于", "≤"}, {"不超过", "≤"}, {"低于", "<"}, {"超过", ">"},
};
#define NOPS (int)(sizeof OPS / sizeof *OPS)

static const char *unit_text(unit_t u) { return u == U_PCT ? "%" : u == U_CNT ? "次" : "万元"; }

static void gen(gen_ind *g)
{
    memset(g, 0, sizeof *g);
    g->unit = (unit_t)pick(3);
    g->op = pick(NOPS);
    g->rule = (rule_t)pick(R_NKINDS);
    g->weight = 1 + pick(2000);
    if (g->unit == U_PCT) {
        g->t = 100 + pick(10000);          /* 1% .. 101% */
        g->a = pick(12000);
    } else if (g->unit == U_CNT) {
        g->t = 100 * (1 + pick(500));
        g->a = 100 * pick(700);
    } else {
        g->t = 1 + pick(100000);           /* 0.01万元 .. 1000万元 */
        g->a = pick(130000);
    }
    g->bare = pick(4) == 0 && g->unit != U_WAN;
    if (pick(12) == 0) {
        static const char *const W[] = {"全覆盖", "基本完成", "未完成", "达成"};
        g->word = W[pick(4)];
    }
    if ((g->rule == R_STEP || g->rule == R_TEXT_STEP || g->rule == R_SCALED) && g->unit != U_PCT)
        g->rule = R_DEFAULT;
    if (g->rule == R_TEXT_STEP && strcmp(OPS[g->op].sym, "≥") != 0)
        g->rule = R_STEP;
    if (g->rule == R_STEP || g->rule == R_TEXT_STEP) {
        g->per = 50 * (1 + pick(20));      /* 0.5 .. 10 points */
        g->deduct = 10 * (1 + pick(20));   /* 0.1 .. 2 分 */
        char per[24], ded[24];
        put_h(per, sizeof per, g->per);
        put_h(ded, sizeof ded, g->deduct);
        snprintf(g->rule_text, sizeof g->rule_text, "每少%s个百分点扣%s分", per, ded);
    }
    g->has_rep = pick(2) == 0;
    if (g->has_rep)
        g->rep = pick((int)g->weight + 300) - 100;
}

static void write_ind(char *out, size_t cap, const gen_ind *g)
{
    char t[64], a[64], w[32], rep[64] = "", rule[256] = "";
    put_h(t, sizeof t, g->t);
    put_h(w, sizeof w, g->weight);
    if (g->word)
        snprintf(a, sizeof a, "'%s'", g->word);
    else {
        char n[32];
        put_h(n, sizeof n, g->a);
        if (g->bare)
            snprintf(a, sizeof a, "'%s'", n);
        else
            snprintf(a, sizeof a, "'%s%s'", n, unit_text(g->unit));
    }
    if (g->has_rep) {
        char r[32];
        put_h(r, sizeof r, g->rep < 0 ? -g->rep : g->rep);
        snprintf(rep, sizeof rep, ",'reported_score':%s%s", g->rep < 0 ? "-" : "", r);
    }
    switch (g->rule) {
    case R_DEFAULT: break;
    case R_THRESHOLD: snprintf(rule, sizeof rule, ",'rule':{'kind':'threshold'}"); break;
    case R_STEP: {
        char per[32], ded[32];
        put_h(per, sizeof per, g->per);
        put_h(ded, sizeof ded, g->deduct);
        snprintf(rule, sizeof rule, ",'rule':{'kind':'step','per':%s,'deduct':%s,'basis':'points'}",
                 per, ded);
        break;
    }
    case R_SCALED: snprintf(rule, sizeof rule, ",'rule':{'kind':'scaled'}"); break;
    case R_TEXT_RATIO: snprintf(rule, sizeof rule, ",'rule':'按完成比例计分'"); break;
    case R_TEXT_THRESHOLD: snprintf(rule, sizeof rule, ",'rule':'完成得满分，未完成不得分'"); break;
    case R_TEXT_STEP: snprintf(rule, sizeof rule, ",'rule':'%s'", g->rule_text); break;
    case R_NKINDS: break;
    }
    snprintf(out, cap,
             "{'level1':'产出指标','level2':'数量指标','name':'指标','weight':%s,'target':'%s%s%s',"
             "'actual':%s,'deviation_reason':'原因'%s%s}",
             w, OPS[g->op].w, t, unit_text(g->unit), a, rep, rule);
}

/* ---- reading an explanation back ----------------------------------------------- */

static regex_t re_num;

typedef struct {
    const char *text;
    int problems;
} reader;

static void problem(reader *R, const char *what, const char *got, const char *want)
{
    R->problems++;
    jt_fail(__FILE__, __LINE__, "%s: got '%s', want '%s' in: %s", what, got, want, R->text);
}

/* the number right after `key` (and an optional operator symbol), its unit
 * text after it (up to a space, '，' or '（'); false when key is absent */
static bool number_after(const char *text, const char *key, char *sym, size_t symcap, char *num,
                         size_t numcap, char *unit, size_t unitcap)
{
    const char *p = strstr(text, key);
    if (!p)
        return false;
    p += strlen(key);
    sym[0] = 0;
    static const char *const SYMS[] = {"≥", "≤", "<", ">", "="};
    for (size_t i = 0; i < 5; i++)
        if (strncmp(p, SYMS[i], strlen(SYMS[i])) == 0) {
            snprintf(sym, symcap, "%s", SYMS[i]);
            p += strlen(SYMS[i]);
            break;
        }
    size_t n = strspn(p, "-0123456789.");
    snprintf(num, numcap, "%.*s", (int)n, p);
    p += n;
    size_t u = 0;
    while (p[u] && p[u] != ' ' && strncmp(p + u, "，", 3) != 0 && strncmp(p + u, "（", 3) != 0 &&
           strncmp(p + u, "”", 3) != 0 && u < unitcap - 1)
        u++;
    snprintf(unit, unitcap, "%.*s", (int)u, p);
    return true;
}

static void expect_num(reader *R, const char *what, const char *num, long long want_h)
{
    char w[48];
    put_h(w, sizeof w, want_h);
    if (parse_num(num, strlen(num), 2) != want_h)
        problem(R, what, num, w);
}

/* the closing "得 S 分" / "得满分 S 分" / "按该档计 S 分" / "按 S 分计" */
static void check_score(reader *R, long long score)
{
    static const char *const KEYS[] = {"得满分 ", "按该档计 ", "，得 ", "，按 ", "采用报告得分 ",
                                       "报告得分 ", "评价人给出的 "};
    const char *best = NULL;
    size_t bestlen = 0;
    for (size_t i = 0; i < sizeof KEYS / sizeof *KEYS; i++) {
        const char *p = R->text, *q;
        while ((q = strstr(p, KEYS[i])) != NULL) {
            if (!best || q > best) {
                best = q;
                bestlen = strlen(KEYS[i]);
            }
            p = q + 1;
        }
    }
    if (!best) {
        problem(R, "no closing score phrase", "", "得 … 分");
        return;
    }
    const char *p = best + bestlen;
    size_t n = strspn(p, "-0123456789.");
    char num[48];
    snprintf(num, sizeof num, "%.*s", (int)n, p);
    /* "报告得分 R 分不在…按 S 分计": the closing number is the last one */
    expect_num(R, "score", num, score);
}

/* Every number of the text outside the quoted rule text is one the checks
 * below read: count them, and compare with the numbers accounted for. */
static int count_numbers(const char *text)
{
    int n = 0;
    regmatch_t m;
    const char *p = text;
    const char *close = strstr(text, "”：");   /* the rule text is quoted first */
    if (strncmp(text, "按“", strlen("按“")) == 0 && close)
        p = close;
    while (regexec(&re_num, p, 1, &m, 0) == 0) {
        n++;
        p += m.rm_eo;
    }
    return n;
}

static long long steps_of(const gen_ind *g, long long a_pct_h, long long t_pct_h)
{
    /* the distance from the target: below a ≥ / > target, above a ≤ / <
     * one, either way from an = one (§3); hundredths of a point */
    const char *sym = OPS[g->op].sym;
    long long short_h = t_pct_h - a_pct_h;
    if (!strcmp(sym, "≤") || !strcmp(sym, "<"))
        short_h = a_pct_h - t_pct_h;
    else if (!sym[0] && short_h < 0)
        short_h = -short_h;
    if (short_h < 0)
        short_h = 0;
    return short_h / g->per;
}

static void check_project(const gen_ind *g, const json_t *row)
{
    const char *text = json_string_value(json_object_get(row, "explain"));
    const char *kind = json_string_value(json_object_get(row, "rule"));
    long long score = jt_cents(json_object_get(row, "score"));
    long long weight = jt_cents(json_object_get(row, "weight"));
    reader R = {text ? text : "", 0};
    char sym[8], num[48], unit[48];
    int accounted = 1;   /* the closing score */
    if (!text || !kind)
        return;
    CHECK_INT(weight, g->weight);
    check_score(&R, score);
    /* the actual as the rule read it: the target's unit after a bare number */
    long long a_disp = g->a;
    const char *want_unit = unit_text(g->unit);
    if (g->unit == U_PCT && g->bare && g->rule == R_SCALED && g->a <= 100) {
        /* a scaled fraction written bare (0.95): as a percent */
        a_disp = g->a * 100;
    }
    if (strcmp(kind, "scaled") == 0) {
        if (number_after(text, "按比例计分：", sym, sizeof sym, num, sizeof num, unit, sizeof unit)) {
            long long v = a_disp;
            if (v > 10000 && 0)
                v = 10000;
            expect_num(&R, "scaled value", num, v);
            if (strcmp(unit, "%") != 0)
                problem(&R, "scaled unit", unit, "%");
            accounted++;
        } else if (!strstr(text, "缺少"))
            problem(&R, "scaled phrase", "", "按比例计分：");
        if (number_after(text, " × ", sym, sizeof sym, num, sizeof num, unit, sizeof unit)) {
            expect_num(&R, "scaled full", num, g->weight);
            accounted++;
        }
    } else if (!g->word && number_after(text, "实际 ", sym, sizeof sym, num, sizeof num, unit,
                                        sizeof unit)) {
        expect_num(&R, "actual", num, a_disp);
        if (strcmp(unit, want_unit) != 0)
            problem(&R, "actual unit", unit, want_unit);
        accounted++;
        /* the target, with its operator where the sentence does not put one before it */
        const char *tk = strstr(text, " 目标 ") ? " 目标 " : "目标 ";
        if (number_after(text, tk, sym, sizeof sym, num, sizeof num, unit, sizeof unit)) {
            expect_num(&R, "target", num, g->t);
            if (strcmp(unit, unit_text(g->unit)) != 0)
                problem(&R, "target unit", unit, unit_text(g->unit));
            bool met_form = strstr(text, "，达成，") != NULL;
            const char *want_sym = OPS[g->op].sym;
            if (!met_form && strcmp(sym, want_sym) != 0)
                problem(&R, "target operator", sym, want_sym);
            if (met_form) {
                /* "实际 A OP 目标 T": the operator between them */
                char between[16];
                const char *p = strstr(text, " 目标 ");
                const char *q = p;
                while (q > text && q[-1] != ' ')
                    q--;
                snprintf(between, sizeof between, "%.*s", (int)(p - q), q);
                const char *w = want_sym[0] ? want_sym : "=";
                if (strcmp(between, w) != 0)
                    problem(&R, "operator between actual and target", between, w);
            }
            accounted++;
        } else
            problem(&R, "target phrase", "", "目标 T");
        if (strstr(text, "扣减 ")) {
            if (number_after(text, "扣减 ", sym, sizeof sym, num, sizeof num, unit, sizeof unit)) {
                long long a_pct = g->a, t_pct = g->t;   /* hundredths of a percent */
                long long n = steps_of(g, a_pct, t_pct);
                expect_num(&R, "steps", num, n * 100);
                accounted++;
            }
            if (number_after(text, "每档 ", sym, sizeof sym, num, sizeof num, unit, sizeof unit)) {
                expect_num(&R, "deduct", num, g->deduct);
                accounted++;
            }
        }
    }
    if (g->has_rep && strstr(text, "报告得分 ") && !strstr(text, "采用报告得分") &&
        !strstr(text, "予以采用")) {
        number_after(text, "报告得分 ", sym, sizeof sym, num, sizeof num, unit, sizeof unit);
        expect_num(&R, "reported score", num, g->rep);
        accounted++;
        if (strstr(text, "分之间")) {
            number_after(text, "不在 0 到 ", sym, sizeof sym, num, sizeof num, unit, sizeof unit);
            expect_num(&R, "weight in the refusal", num, g->weight);
            accounted += 2;   /* the 0 and the weight */
        }
    }
    if (strstr(text, "在该档区间内"))
        accounted += 0;   /* the reported score is the closing score */
    if (strstr(text, "（本项最高"))
        problem(&R, "no cap was generated", "本项最高", "");
    int n = count_numbers(text);
    if (n != accounted)
        jt_fail(__FILE__, __LINE__, "%d number(s) in the explanation, %d accounted for: %s", n,
                accounted, text);
    jt_checks++;
}

static void test_projects(int ndocs)
{
    char doc[16384], ind[1024];
    for (int d = 0; d < ndocs; d++) {
        gen_ind g[8];
        int n = 1 + pick(8);
        size_t o = (size_t)snprintf(doc, sizeof doc,
                                    "{'scope':'project','budget':{'adjusted':'10万元','executed':'9万元'},"
                                    "'indicators':[");
        for (int i = 0; i < n; i++) {
            gen(&g[i]);
            write_ind(ind, sizeof ind, &g[i]);
            o += (size_t)snprintf(doc + o, sizeof doc - o, "%s%s", i ? "," : "", ind);
        }
        snprintf(doc + o, sizeof doc - o, "]}");
        jt_case("generated project document %d (seeded)", d);
        json_t *j = jt_j(doc);
        jt_run r;
        jt_score(ctx, j, &r);
        json_decref(j);
        if (!EXPECT_SCORED(&r)) {
            fprintf(stderr, "    %s\n", doc);
            jt_run_free(&r);
            continue;
        }
        for (int i = 0; i < n; i++)
            check_project(&g[i], jt_ind(r.res, (size_t)i));
        jt_run_free(&r);
    }
}

/* department-wide: the step rules quote the formula's value (18%, not the steps) */
static void test_wide(int ndocs)
{
    char doc[1024];
    for (int d = 0; d < ndocs; d++) {
        int cl = 1 + pick(1000), c = pick(2000);           /* carryover */
        int pb = 1 + pick(1000), pa = pick(1500);          /* public expense */
        int tl = 1 + pick(1000), tb = pick(1500);          /* 三公 budget change */
        snprintf(doc, sizeof doc,
                 "{'scope':'department_wide','figures':{'carryover':%d,'carryover_last':%d,"
                 "'public_expense_actual':%d,'public_expense_budget':%d,"
                 "'three_public_budget':%d,'three_public_budget_last':%d}}",
                 c, cl, pa, pb, tb, tl);
        jt_case("generated department-wide document %d", d);
        jt_run r;
        json_t *j = jt_j(doc);
        jt_score(ctx, j, &r);
        json_decref(j);
        if (!EXPECT_SCORED(&r)) {
            jt_run_free(&r);
            continue;
        }
        static const char *const NAMES[] = {"结转结余控制率", "公用经费控制率", "“三公经费”变动率"};
        long long nums[3] = {(long long)(c - cl), pa, (long long)(tb - tl)};
        long long dens[3] = {cl, pb, tl};
        json_t *inds = json_object_get(r.res, "indicators");
        for (size_t i = 0; i < json_array_size(inds); i++) {
            json_t *row = json_array_get(inds, i);
            const char *name = json_string_value(json_object_get(row, "name"));
            for (int k = 0; k < 3; k++) {
                if (strcmp(name, NAMES[k]) != 0)
                    continue;
                const char *text = json_string_value(json_object_get(row, "explain"));
                reader R = {text, 0};
                char sym[8], num[48], unit[48];
                /* value × 100 as a percent, rounded half-up to 2 decimals */
                long long x = nums[k] * 10000, den = dens[k];
                long long q = x >= 0 ? (2 * x + den) / (2 * den) : -((-2 * x + den) / (2 * den));
                if (number_after(text, "实际 ", sym, sizeof sym, num, sizeof num, unit, sizeof unit)) {
                    expect_num(&R, "formula value", num, q);
                    if (strcmp(unit, "%") != 0)
                        problem(&R, "formula unit", unit, "%");
                } else
                    problem(&R, "actual phrase", "", "实际 V%");
                check_score(&R, jt_cents(json_object_get(row, "score")));
                jt_checks++;
            }
        }
        jt_run_free(&r);
    }
}

int main(int argc, char **argv)
{
    (void)argv;
    int ndocs = argc > 2 ? atoi(argv[2]) : 3000;
    ctx = jx_ctx_new();
    if (!ctx || regcomp(&re_num, "[0-9]+(\\.[0-9]+)?", REG_EXTENDED) != 0)
        return 1;
    test_projects(ndocs);
    test_wide(ndocs / 4);
    regfree(&re_num);
    jx_ctx_free(ctx);
    return jt_finish("test_explain");
}
