/*
 * test_regress: the defects that differential testing against an
 * independent implementation of scoring.md found (issue 15), each with the
 * minimal document that showed it.  Written before the fixes; each case
 * says what was wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static jx_ctx *ctx;

/* A project document around the given indicators (budget complete, so
 * `complete` depends on the indicators alone). */
static json_t *project(const char *indicators)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "{'scope':'project','framework':'project-2020','name':'回归','org':'测试局','year':2022,"
             "'budget':{'adjusted':'10万元','executed':'10万元'},'indicators':[%s]}",
             indicators);
    return jt_j(buf);
}

static int score(json_t *doc, jt_run *run)
{
    jt_score(ctx, doc, run);
    json_decref(doc);
    return EXPECT_SCORED(run);
}

static const char *explain_of(const json_t *res, size_t i)
{
    const char *s = json_string_value(json_object_get(jt_ind(res, i), "explain"));
    return s ? s : "";
}

static json_t *ind_named(const json_t *res, const char *name)
{
    json_t *inds = json_object_get(res, "indicators");
    for (size_t i = 0; i < json_array_size(inds); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(inds, i), "name"));
        if (n && strcmp(n, name) == 0)
            return json_array_get(inds, i);
    }
    return NULL;
}

static const char *explain_named(const json_t *res, const char *name)
{
    const char *s = json_string_value(json_object_get(ind_named(res, name), "explain"));
    return s ? s : "";
}

#define EXPECT_HAS(hay, needle)                                                           \
    do {                                                                                  \
        const char *h_ = (hay);                                                           \
        if (!jt_check(strstr(h_, (needle)) != NULL, __FILE__, __LINE__, "contains " #needle)) \
            fprintf(stderr, "    text: %s\n", h_);                                       \
    } while (0)
#define EXPECT_HASNT(hay, needle)                                                         \
    do {                                                                                  \
        const char *h_ = (hay);                                                           \
        if (!jt_check(strstr(h_, (needle)) == NULL, __FILE__, __LINE__, "lacks " #needle)) \
            fprintf(stderr, "    text: %s\n", h_);                                       \
    } while (0)

/* 1. a band word as the actual of a numeric target under `scaled` */
static void test_band_word_scaled(void)
{
    jt_run r;
    jt_case("1. 全覆盖 against 至少85％ under scaled scores by bands");
    if (score(project("{'level1':'产出指标','level2':'质量指标','name':'覆盖率','weight':10,"
                      "'target':'至少85％','actual':'全覆盖','rule':{'kind':'scaled'},"
                      "'reported_score':10}"),
              &r)) {
        EXPECT_IND_SCORE(r.res, 0, 1000);
        EXPECT_NO_FINDING(r.res, "ACTUAL_MISSING", "");
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
        CHECK(json_is_true(json_object_get(r.res, "complete")));
        CHECK_STR(json_string_value(json_object_get(jt_ind(r.res, 0), "rule")), "bands");
    }
    jt_run_free(&r);

    jt_case("1. 部分达成 under scaled: the band's default, not 0");
    if (score(project("{'level1':'产出指标','level2':'质量指标','name':'覆盖率','weight':10,"
                      "'target':'≥85%','actual':'基本完成','rule':{'kind':'scaled'}}"),
              &r)) {
        EXPECT_IND_SCORE(r.res, 0, 700);
        EXPECT_NO_FINDING(r.res, "ACTUAL_MISSING", "");
    }
    jt_run_free(&r);
}

/* 2. a missing figure silenced the reported checks */
static void test_reported_checks_missing_figure(void)
{
    jt_run r;
    jt_case("2. unit_wide: 在职人员控制率 reported 6 of 5 with no figures");
    if (score(jt_j("{'scope':'unit_wide','indicators':[{'name':'在职人员控制率','reported_score':6}]}"),
              &r)) {
        EXPECT_FINDING(r.res, "FIGURE_MISSING", "");
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0/reported_score");
        EXPECT_FINDING(r.res, "SCORE_MISMATCH", "/indicators/0/reported_score");
    }
    jt_run_free(&r);

    jt_case("2. unit_wide: reported 0 with no figures is consistent with the 0 given");
    if (score(jt_j("{'scope':'unit_wide','indicators':[{'name':'在职人员控制率','reported_score':0}]}"),
              &r)) {
        EXPECT_NO_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "");
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
    }
    jt_run_free(&r);

    jt_case("2. unit_wide: with the figures both are raised too");
    if (score(jt_j("{'scope':'unit_wide','figures':{'staff_in_post':30,'authorised_posts':32},"
                   "'indicators':[{'name':'在职人员控制率','reported_score':6}]}"),
              &r)) {
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0/reported_score");
        EXPECT_FINDING(r.res, "SCORE_MISMATCH", "/indicators/0/reported_score");
    }
    jt_run_free(&r);
}

/* 3. REPORTED_SUM_MISMATCH when a framework indicator has no reported score */
static void test_reported_sum_wide(void)
{
    jt_run r;
    const jx_framework *fw = jx_ctx_framework(ctx, "department-wide-2013");
    char *fj = jx_framework_json(fw);
    json_t *f = json_loads(fj, 0, NULL);
    free(fj);
    json_t *doc = jt_j("{'scope':'department_wide','indicators':[],'reported':{'total':1}}");
    json_t *inds = json_object_get(doc, "indicators");
    json_t *fi = json_object_get(f, "indicators");
    for (size_t i = 0; i < json_array_size(fi); i++) {
        json_t *x = json_array_get(fi, i);
        const char *name = json_string_value(json_object_get(x, "name"));
        if (strcmp(name, "绩效目标合理性") == 0)
            continue;
        json_t *o = json_object();
        json_object_set(o, "name", json_object_get(x, "name"));
        json_object_set(o, "level2", json_object_get(x, "level2"));
        json_object_set_new(o, "reported_score", json_integer(0));
        json_array_append_new(inds, o);
    }
    json_array_append_new(inds, jt_j("{'name':'自有指标','weight':5,'target':'100%','actual':'100%',"
                                     "'reported_score':5}"));
    CHECK_INT(json_array_size(inds), json_array_size(fi));
    json_decref(f);
    jt_case("3. 26 framework indicators + 1 own, 绩效目标合理性 unlisted: no sum check");
    if (score(doc, &r))
        EXPECT_NO_FINDING(r.res, "REPORTED_SUM_MISMATCH", "");
    jt_run_free(&r);
}

/* 4. a qualitative score above its weight */
static void test_band_above_weight(void)
{
    jt_run r;
    jt_case("4. 达成/达成 reported 11 of 10: SCORE_ABOVE_WEIGHT and SCORE_OUTSIDE_BAND");
    if (score(project("{'level1':'效益指标','level2':'社会效益指标','name':'社会效益','weight':10,"
                      "'target':'达成','actual':'达成','reported_score':11}"),
              &r)) {
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0/reported_score");
        EXPECT_FINDING(r.res, "SCORE_OUTSIDE_BAND", "/indicators/0/reported_score");
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
        EXPECT_IND_SCORE(r.res, 0, 1000);
        EXPECT_HAS(explain_of(r.res, 0), "11");
    }
    jt_run_free(&r);

    jt_case("4. 未达成 reported -1: both too");
    if (score(project("{'level1':'效益指标','level2':'社会效益指标','name':'社会效益','weight':10,"
                      "'target':'达成','actual':'未达成','reported_score':-1,"
                      "'deviation_reason':'原因'}"),
              &r)) {
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0/reported_score");
        EXPECT_FINDING(r.res, "SCORE_OUTSIDE_BAND", "/indicators/0/reported_score");
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
    }
    jt_run_free(&r);
}

/* 5. an overspent project that states its negative balance */
static void test_negative_balance(void)
{
    jt_run r;
    jt_case("5. balance -0.5万元: scored, OVERSPENT, the identity holds");
    json_t *d = project("{'level1':'产出指标','level2':'数量指标','name':'次数','weight':10,"
                        "'target':'≥5次','actual':'5次'}");
    jt_setj(d, "/budget", "{'adjusted':'10万元','executed':'10.5万元','balance':'-0.5万元'}");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "OVERSPENT", "/budget");
        EXPECT_NO_FINDING(r.res, "AMOUNT_ARITHMETIC", "");
    }
    jt_run_free(&r);

    jt_case("5. a negative balance that does not add up: AMOUNT_ARITHMETIC");
    d = project("");
    jt_setj(d, "/budget", "{'adjusted':'10万元','executed':'10.5万元','balance':'-0.6万元'}");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "OVERSPENT", "/budget");
        EXPECT_FINDING(r.res, "AMOUNT_ARITHMETIC", "/budget/balance");
    }
    jt_run_free(&r);

    jt_case("5. a negative balance alone (no executed): OVERSPENT still");
    d = project("");
    jt_setj(d, "/budget", "{'adjusted':'10万元','balance':'-1元'}");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "OVERSPENT", "/budget/balance");
    jt_run_free(&r);

    jt_case("5. every other amount must still be >= 0");
    d = project("");
    jt_setj(d, "/budget", "{'adjusted':'10万元','executed':'-1万元'}");
    jt_score(ctx, d, &r);
    json_decref(d);
    CHECK_INT(r.status, JX_EINVALID);
    CHECK_STR(r.errs.items[0].code, "AMOUNT_NEGATIVE");
    CHECK_STR(r.errs.items[0].pointer, "/budget/executed");
    jt_run_free(&r);
}

/* 6. explanations quoting wrong numbers */
static void test_explanations(void)
{
    jt_run r;
    jt_case("6. wide step rules quote the formula's value, not the number of steps");
    if (score(jt_j("{'scope':'department_wide','figures':{'carryover':118,'carryover_last':100,"
                   "'public_expense_actual':100,'public_expense_budget':100,"
                   "'three_public_budget':125.56,'three_public_budget_last':100}}"),
              &r)) {
        const char *e = explain_named(r.res, "结转结余控制率");
        EXPECT_HAS(e, "实际 18%");
        EXPECT_HAS(e, "<15%");
        EXPECT_HASNT(e, "100%");
        CHECK_INT(jt_cents(json_object_get(ind_named(r.res, "结转结余控制率"), "score")), 300);
        e = explain_named(r.res, "公用经费控制率");
        EXPECT_HAS(e, "实际 100%");
        EXPECT_HASNT(e, "实际 0%");
        e = explain_named(r.res, "“三公经费”变动率");
        EXPECT_HAS(e, "实际 25.56%");
        EXPECT_HASNT(e, "2555.56");
        EXPECT_HAS(e, "≤0%");
    }
    jt_run_free(&r);

    jt_case("6. text that cannot be banded, reported 11 of 10: the explanation quotes 11");
    if (score(project("{'level1':'效益指标','level2':'社会效益指标','name':'影响','weight':10,"
                      "'target':'显著提高','actual':'有所提高','reported_score':11}"),
              &r)) {
        EXPECT_IND_SCORE(r.res, 0, 1000);
        EXPECT_HAS(explain_of(r.res, 0), "11");
        EXPECT_HASNT(explain_of(r.res, 0), "采用报告得分 10 分");
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0");
        json_t *f = jt_finding(r.res, "QUALITATIVE_JUDGEMENT", "/indicators/0");
        CHECK(f && strstr(json_string_value(json_object_get(f, "message")), "报告得分 11 分"));
    }
    jt_run_free(&r);

    jt_case("6. scaled over a bare number quotes it as the percent it was read as");
    if (score(project("{'level1':'产出指标','level2':'质量指标','name':'比例','weight':10,"
                      "'actual':19,'rule':{'kind':'scaled'}}"),
              &r)) {
        EXPECT_IND_SCORE(r.res, 0, 190);
        EXPECT_HAS(explain_of(r.res, 0), "19%");
        EXPECT_HASNT(explain_of(r.res, 0), "19 ×");
    }
    jt_run_free(&r);

    jt_case("6. a bare-number actual keeps the unit it was read in; the target its operator");
    if (score(project("{'level1':'产出指标','level2':'成本指标','name':'成本','weight':10,"
                      "'target':'小于等于200万元','actual':166.79}"),
              &r)) {
        EXPECT_HAS(explain_of(r.res, 0), "166.79元");
        EXPECT_HASNT(explain_of(r.res, 0), "小于等于");
    }
    jt_run_free(&r);

    jt_case("6. step explanations keep the target's operator");
    if (score(project("{'level1':'产出指标','level2':'质量指标','name':'差错率','weight':10,"
                      "'target':'<5%','actual':'8%','deviation_reason':'原因',"
                      "'rule':{'kind':'step','per':1,'deduct':1}}"),
              &r)) {
        EXPECT_HAS(explain_of(r.res, 0), "<5%");
        EXPECT_IND_SCORE(r.res, 0, 700);
    }
    jt_run_free(&r);
}

/* 7. bounds: exactly what the README writes */
static void test_bounds(void)
{
    jt_run r;
    static const struct { const char *amount; int ok; } cases[] = {
        {"9999999999999999.99元", 1},
        {"999999999999.9999万元", 1},
        {"10000000000000000元", 0},
        {"10000000000000001元", 0},
        {"1000000000000万元", 0},
        {"9999999999999999.99", 1},
        {"10000000000000000", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        jt_case("7. money bound: %s", cases[i].amount);
        json_t *d = project("");
        json_t *b = json_object();
        json_object_set_new(b, "adjusted", json_string(cases[i].amount));
        json_object_set_new(b, "executed", json_string("1元"));
        json_object_set_new(d, "budget", b);
        jt_score(ctx, d, &r);
        json_decref(d);
        CHECK_INT(r.status == JX_OK, cases[i].ok);
        if (!cases[i].ok)
            CHECK_STR(r.errs.items[0].pointer, "/budget/adjusted");
        jt_run_free(&r);
    }

    jt_case("7. a breakdown of 20 amounts at the bound: added exactly, AMOUNT_ARITHMETIC");
    {
        json_t *d = project("");
        json_t *b = jt_j("{'adjusted':'9999999999999999元','executed':'9999999999999999元',"
                         "'breakdown':[]}");
        for (int i = 0; i < 20; i++)
            json_array_append_new(json_object_get(b, "breakdown"),
                                  jt_j("{'item':'x','amount':'9999999999999999元'}"));
        json_object_set_new(d, "budget", b);
        if (EXPECT_SCORED((jt_score(ctx, d, &r), &r)))
            EXPECT_FINDING(r.res, "AMOUNT_ARITHMETIC", "/budget/breakdown");
        json_decref(d);
        jt_run_free(&r);
    }

    jt_case("7. 2000 indicators accepted, 2001 refused");
    for (int n = 2000; n <= 2001; n++) {
        json_t *d = project("");
        json_t *inds = json_object_get(d, "indicators");
        for (int i = 0; i < n; i++)
            json_array_append_new(inds, jt_j("{'level1':'产出指标','level2':'数量指标','name':'次数',"
                                             "'weight':0.01,'target':'≥5次','actual':'5次'}"));
        jt_score(ctx, d, &r);
        json_decref(d);
        CHECK_INT(r.status == JX_OK, n == 2000);
        if (n == 2001)
            CHECK_STR(r.errs.items[0].pointer, "/indicators");
        jt_run_free(&r);
    }
}

int main(void)
{
    ctx = jx_ctx_new();
    if (!ctx)
        return 1;
    test_band_word_scaled();
    test_reported_checks_missing_figure();
    test_reported_sum_wide();
    test_band_above_weight();
    test_negative_balance();
    test_explanations();
    test_bounds();
    jx_ctx_free(ctx);
    return jt_finish("test_regress");
}
