/*
 * test_section8: the additions of scoring.md §8, each raised when it should
 * be and not when it should not: rules as reports write them (评分标准),
 * 不适用, assumed weights, a wide document's own indicators, totals on 100,
 * grade and band words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static jx_ctx *ctx;

static json_t *project(const char *indicators)
{
    char buf[8192];
    snprintf(buf, sizeof buf,
             "{'scope':'project','framework':'project-2020','name':'第八节','org':'测试局','year':2022,"
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

static const char *str_at(const json_t *res, const char *ptr)
{
    const char *s = json_string_value(jt_get((json_t *)res, ptr));
    return s ? s : "";
}

/* one indicator under a rule text: its score in hundredths (LLONG_MIN when not scored) */
static long long rule_score(const char *rule, const char *target, const char *actual, int weight)
{
    char ind[1024];
    jt_run r;
    snprintf(ind, sizeof ind,
             "{'level1':'产出指标','level2':'质量指标','name':'指标','weight':%d,'target':'%s',"
             "'actual':'%s','deviation_reason':'原因','rule':'%s'}",
             weight, target, actual, rule);
    long long s = -1;
    if (score(project(ind), &r)) {
        s = jt_ind_score(r.res, 0);
        CHECK_STR(str_at(r.res, "/indicators/0/rule_text"), rule);
        const char *e = str_at(r.res, "/indicators/0/explain");
        if (!CHECK(strstr(e, rule) != NULL))
            fprintf(stderr, "    explain: %s\n", e);
    }
    jt_run_free(&r);
    return s;
}

static void test_rule_texts(void)
{
    static const struct {
        const char *rule, *target, *actual;
        int weight;
        long long want;
        const char *kind;
    } cases[] = {
        /* step, basis points against a percent target: 15 points short → 1 */
        {"少10%扣1分，扣完为止", "≥90%", "75%", 10, 900, "step"},
        {"每少10%扣1分", "≥90%", "55%", 10, 700, "step"},
        {"每降低10%扣1分", "≥90%", "89%", 10, 1000, "step"},
        {"少10%扣1分，扣完为止", "≥90%", "0%", 5, 0, "step"},
        {"每少1个百分点扣0.5分", "≥95%", "92.5%", 10, 900, "step"},
        {"每低于1个百分点扣0.5分", "100%", "97%", 10, 850, "step"},
        /* an = target, but the text says 低于: above 100% is not deducted */
        {"每低于1个百分点扣0.5分", "100%", "103%", 10, 1000, "step"},
        /* excess, relative against money: 15% over → 1 step */
        {"多10%扣1分", "≤100万元", "115万元", 10, 900, "step"},
        {"每超过5个百分点扣1分", "≤20%", "31%", 10, 800, "step"},
        {"每超出10%扣1分", "≤100次", "130次", 10, 700, "step"},
        {"完成得满分，未完成不得分", "≥90%", "85%", 10, 0, "threshold"},
        {"完成得满分，未完成不得分", "≥90%", "95%", 10, 1000, "threshold"},
        {"达到得满分，否则不得分", "≥5次", "4次", 10, 0, "threshold"},
        {"按完成比例计分", "≥100次", "80次", 10, 800, "ratio"},
        {"按比例得分", "≥100次", "75次", 8, 600, "ratio"},
        {"未达到按完成比例计分", "≥100次", "90次", 10, 900, "ratio"},
        /* cap: 为100%的计2分 under a weight of 4 */
        {"为100%的计2分，每低于1个百分点扣0.5分", "100%", "97%", 4, 50, "step"},
        {"为100%的计2分，每低于1个百分点扣0.5分", "100%", "100%", 4, 200, "step"},
        /* a stated bound below the target: counted from it */
        {"80%以上得满分，少10%扣1分", "≥90%", "75%", 10, 1000, "step"},
        {"80%以上得满分，少10%扣1分", "≥90%", "65%", 10, 900, "step"},
        /* full width and spaces ignored */
        {"少 １０％ 扣 １ 分。", "≥90%", "75%", 10, 900, "step"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        jt_case("rule text '%s', target %s, actual %s", cases[i].rule, cases[i].target,
                cases[i].actual);
        CHECK_INT(rule_score(cases[i].rule, cases[i].target, cases[i].actual, cases[i].weight),
                  cases[i].want);
        jx_error e;
        char *j = jx_rule_text_json(cases[i].rule, &e);
        if (CHECK(j != NULL)) {
            json_t *rj = json_loads(j, 0, NULL);
            CHECK_STR(json_string_value(json_object_get(rj, "kind")), cases[i].kind);
            CHECK_STR(json_string_value(json_object_get(rj, "text")), cases[i].rule);
            json_decref(rj);
        }
        free(j);
    }

    static const char *const bad[] = {"酌情扣分", "", "少10扣1分", "每少10%扣1", "按照实际情况评分",
                                      "少10%扣1分，多10%扣1分", "完成得满分",
                                      "少10%扣0.001分", "为100%的计2分",
                                      "每少99999999999%扣1分" /* fuzz_ruletext: per too large */};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        jt_run r;
        char ind[512];
        jt_case("unreadable rule text '%s': RULE_UNREADABLE quoting it", bad[i]);
        snprintf(ind, sizeof ind,
                 "{'level1':'产出指标','level2':'质量指标','name':'指标','weight':10,'target':'≥90%%',"
                 "'actual':'95%%','rule':'%s'}",
                 bad[i]);
        json_t *d = project(ind);
        jt_score(ctx, d, &r);
        json_decref(d);
        CHECK_INT(r.status, JX_EINVALID);
        CHECK_STR(r.errs.items[0].code, "RULE_UNREADABLE");
        CHECK_STR(r.errs.items[0].pointer, "/indicators/0/rule");
        CHECK(strstr(r.errs.items[0].message, bad[i]) != NULL);
        jt_run_free(&r);
        jx_error e;
        char *j = jx_rule_text_json(bad[i], &e);
        CHECK(j == NULL);
        CHECK_STR(e.code, "RULE_UNREADABLE");
        free(j);
    }
}

static void test_not_applicable(void)
{
    jt_run r;
    const char *inds =
        "{'level1':'产出指标','level2':'数量指标','name':'次数','weight':40,'target':'≥5次','actual':'5次'},"
        "{'level1':'产出指标','level2':'质量指标','name':'合格率','weight':10,'target':'100%',"
        " 'not_applicable':true,'deviation_reason':'本年度未开展抽检'},"
        "{'level1':'效益指标','level2':'社会效益指标','name':'效益','weight':30,'target':'达成','actual':'达成'},"
        "{'level1':'满意度指标','level2':'服务对象满意度指标','name':'满意度','weight':10,'target':'≥90%',"
        " 'actual':'80%','deviation_reason':'原因'}";
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", inds);

    jt_case("不适用: no score, out of max, normalised on the applicable part");
    if (score(project(buf), &r)) {
        CHECK(json_is_null(jt_get(r.res, "/indicators/1/score")));
        CHECK(json_is_null(jt_get(r.res, "/indicators/1/met")));
        CHECK(json_is_true(jt_get(r.res, "/indicators/1/not_applicable")));
        EXPECT_CENTS(jt_get(r.res, "/max"), 9000);
        /* 10 + 40 + 30 + 10 × 80/90 = 88.89 of 90 → 98.77 */
        EXPECT_CENTS(jt_get(r.res, "/total"), 8889);
        EXPECT_CENTS(jt_get(r.res, "/normalised"), 9877);
        CHECK_STR(str_at(r.res, "/grade"), "优");
        EXPECT_FINDING(r.res, "NOT_APPLICABLE", "/indicators/1");
        EXPECT_NO_FINDING(r.res, "NOT_APPLICABLE_NO_REASON", "");
        EXPECT_NO_FINDING(r.res, "ACTUAL_MISSING", "");
        EXPECT_NO_FINDING(r.res, "WEIGHTS_TOTAL", "");
        CHECK(strstr(str_at(r.res, "/findings/0/message"), "本年度未开展抽检") != NULL ||
              jt_finding(r.res, "NOT_APPLICABLE", "") != NULL);
        json_t *cat = jt_get(r.res, "/categories/0");
        EXPECT_CENTS(json_object_get(cat, "weight"), 4000);
    }
    jt_run_free(&r);

    jt_case("不适用 with no reason: NOT_APPLICABLE_NO_REASON (warning)");
    json_t *d = project(buf);
    jt_del(d, "/indicators/1/deviation_reason");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "NOT_APPLICABLE_NO_REASON", "/indicators/1");
        EXPECT_NO_FINDING(r.res, "NOT_APPLICABLE", "");
    }
    jt_run_free(&r);

    jt_case("不适用: TOTAL_MISMATCH against normalised, not the raw total");
    d = project(buf);
    jt_setj(d, "/reported", "{'total':98.77,'grade':'优'}");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "TOTAL_MISMATCH", "");
        EXPECT_NO_FINDING(r.res, "GRADE_MISMATCH", "");
    }
    jt_run_free(&r);
    d = project(buf);
    jt_setj(d, "/reported", "{'total':88.89,'grade':'良'}");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
        EXPECT_NO_FINDING(r.res, "GRADE_MISMATCH", "");   /* 88.89 on 100 is 良 */
    }
    jt_run_free(&r);

    jt_case("not_applicable false is an ordinary indicator; a string is an error");
    d = project(buf);
    jt_setj(d, "/indicators/1/not_applicable", "false");
    jt_setj(d, "/indicators/1/actual", "'100%'");
    if (score(d, &r)) {
        EXPECT_CENTS(jt_get(r.res, "/max"), 10000);
        EXPECT_NO_FINDING(r.res, "NOT_APPLICABLE", "");
    }
    jt_run_free(&r);
    d = project(buf);
    jt_setj(d, "/indicators/1/not_applicable", "'是'");
    jt_score(ctx, d, &r);
    json_decref(d);
    CHECK_INT(r.status, JX_EINVALID);
    CHECK_STR(r.errs.items[0].pointer, "/indicators/1/not_applicable");
    jt_run_free(&r);

    jt_case("不适用 on a wide framework indicator: its weight leaves max");
    if (score(jt_j("{'scope':'department_wide','figures':{'staff_in_post':30,'authorised_posts':32},"
                   "'indicators':[{'name':'生态效益','not_applicable':true,"
                   "'deviation_reason':'本部门不涉及生态'}]}"),
              &r)) {
        EXPECT_CENTS(jt_get(r.res, "/max"), 9500);
        EXPECT_FINDING(r.res, "NOT_APPLICABLE", "/indicators/0");
    }
    jt_run_free(&r);
}

static void test_assumed_weights(void)
{
    jt_run r;
    const char *inds =
        "{'level1':'产出指标','level2':'数量指标','name':'次数','target':'≥5次','actual':'5次'},"
        "{'level1':'产出指标','level2':'质量指标','name':'合格率','target':'100%','actual':'100%'},"
        "{'level1':'产出指标','level2':'时效指标','name':'及时率','target':'100%','actual':'100%'},"
        "{'level1':'产出指标','level2':'成本指标','name':'成本','target':'≤10万元','actual':'10万元'},"
        "{'level1':'产出指标','level2':'成本指标','name':'成本2','target':'≤10万元','actual':'10万元'},"
        "{'level1':'产出指标','level2':'成本指标','name':'成本3','target':'≤10万元','actual':'10万元'},"
        "{'level1':'效益指标','level2':'社会效益指标','name':'效益','target':'达成','actual':'达成'},"
        "{'level1':'满意度指标','level2':'服务对象满意度指标','name':'满意度','target':'≥90%','actual':'95%'}";
    jt_case("no weights: each level-1's weight split to the cent, remainder first");
    if (score(project(inds), &r)) {
        /* 50 over 6: 8.34, 8.34, 8.33 × 4 */
        EXPECT_CENTS(jt_get(r.res, "/indicators/0/weight"), 834);
        EXPECT_CENTS(jt_get(r.res, "/indicators/1/weight"), 834);
        EXPECT_CENTS(jt_get(r.res, "/indicators/2/weight"), 833);
        EXPECT_CENTS(jt_get(r.res, "/indicators/5/weight"), 833);
        EXPECT_CENTS(jt_get(r.res, "/indicators/6/weight"), 3000);
        EXPECT_CENTS(jt_get(r.res, "/indicators/7/weight"), 1000);
        EXPECT_CENTS(jt_get(r.res, "/total"), 10000);
        CHECK_INT(jt_count(r.res, "WEIGHT_ASSUMED", ""), 8);
        EXPECT_FINDING(r.res, "WEIGHT_ASSUMED", "/indicators/0/weight");
        EXPECT_NO_FINDING(r.res, "WEIGHTS_TOTAL", "");
        EXPECT_NO_FINDING(r.res, "CATEGORY_WEIGHT", "");
        CHECK(json_is_true(jt_get(r.res, "/indicators/0/weight_assumed")));
    }
    jt_run_free(&r);

    jt_case("some weights given, some missing: an error listing the missing ones");
    json_t *d = project(inds);
    jt_setj(d, "/indicators/0/weight", "10");
    jt_setj(d, "/indicators/6/weight", "30");
    jt_score(ctx, d, &r);
    json_decref(d);
    CHECK_INT(r.status, JX_EINVALID);
    int partial = 0, missing = 0;
    for (size_t i = 0; i < r.errs.count && i < JX_MAX_ERRORS; i++) {
        if (!strcmp(r.errs.items[i].code, "WEIGHTS_PARTIAL")) {
            partial++;
            CHECK(strstr(r.errs.items[i].message, "1, 2, 3, 4, 5, 7") != NULL);
        }
        if (!strcmp(r.errs.items[i].code, "FIELD_REQUIRED"))
            missing++;
    }
    CHECK_INT(partial, 1);
    CHECK_INT(missing, 6);
    jt_run_free(&r);

    jt_case("weights given everywhere: nothing assumed");
    if (score(project("{'level1':'产出指标','level2':'数量指标','name':'次数','weight':50,"
                      "'target':'≥5次','actual':'5次'}"),
              &r))
        EXPECT_NO_FINDING(r.res, "WEIGHT_ASSUMED", "");
    jt_run_free(&r);
}

static void test_own_indicators(void)
{
    jt_run r;
    jt_case("a wide document's own indicators: own subtotal, outside total and max");
    if (score(jt_j("{'scope':'department_wide','figures':{'staff_in_post':30,'authorised_posts':32},"
                   "'indicators':[{'level1':'部门整体绩效指标','name':'培训人次','weight':10,"
                   "'target':'≥100人次','actual':'80人次','deviation_reason':'原因','reported_score':8}]}"),
              &r)) {
        EXPECT_CENTS(jt_get(r.res, "/max"), 10000);
        EXPECT_CENTS(jt_get(r.res, "/own/score"), 800);
        EXPECT_CENTS(jt_get(r.res, "/own/max"), 1000);
        CHECK_STR(str_at(r.res, "/own/level1"), "部门整体绩效指标");
        json_t *inds = jt_get(r.res, "/indicators");
        json_t *last = json_array_get(inds, json_array_size(inds) - 1);
        CHECK(json_is_true(json_object_get(last, "own")));
        EXPECT_CENTS(json_object_get(last, "score"), 800);
        EXPECT_CENTS(jt_get(r.res, "/total"), 500);   /* 在职人员控制率 alone */
        for (size_t i = 0; i < json_array_size(jt_get(r.res, "/categories")); i++)
            CHECK(strcmp(str_at(json_array_get(jt_get(r.res, "/categories"), i), "/level1"),
                         "部门整体绩效指标") != 0);
    }
    jt_run_free(&r);

    jt_case("a framework with own_indicators: they count under its category");
    const char *fw =
        "{'id':'wide-own','scope':'department_wide','execution_weight':0,"
        "'categories':[{'level1':'投入','weight':90,'level2':['预算配置']}],"
        "'own_indicators':{'level1':'部门整体绩效指标','weight':10},"
        "'indicators':[{'level1':'投入','level2':'预算配置','name':'在职人员控制率','weight':90,"
        "'formula':'staff_in_post / authorised_posts','target':'≤100%','rule':{'kind':'ratio'}}]}";
    char buf[4096];
    snprintf(buf, sizeof buf,
             "{'scope':'department_wide','framework':%s,"
             "'figures':{'staff_in_post':30,'authorised_posts':32},"
             "'indicators':[{'name':'培训人次','weight':10,'target':'≥100人次','actual':'80人次',"
             "'deviation_reason':'原因'}]}",
             fw);
    if (score(jt_j(buf), &r)) {
        EXPECT_CENTS(jt_get(r.res, "/max"), 10000);
        EXPECT_CENTS(jt_get(r.res, "/total"), 9800);
        CHECK(jt_get(r.res, "/own") == NULL);
        EXPECT_CENTS(jt_get(r.res, "/categories/1/weight"), 1000);
        EXPECT_CENTS(jt_get(r.res, "/categories/1/score"), 800);
        CHECK_STR(str_at(r.res, "/categories/1/level1"), "部门整体绩效指标");
    }
    jt_run_free(&r);

    jt_case("own_indicators on a project framework is refused");
    jx_errors errs;
    jx_framework *f = jx_framework_load(
        "{\"id\":\"p\",\"scope\":\"project\",\"execution_weight\":0,"
        "\"categories\":[{\"level1\":\"产出\",\"weight\":90}],"
        "\"own_indicators\":{\"level1\":\"自设\",\"weight\":10}}",
        strlen("{\"id\":\"p\",\"scope\":\"project\",\"execution_weight\":0,"
               "\"categories\":[{\"level1\":\"产出\",\"weight\":90}],"
               "\"own_indicators\":{\"level1\":\"自设\",\"weight\":10}}"),
        &errs);
    CHECK(f == NULL);
    CHECK_STR(errs.items[0].pointer, "/own_indicators");
    jx_framework_free(f);
}

static void test_words(void)
{
    jt_run r;
    jt_case("grade words by levels, band words by bands");
    if (score(project("{'level1':'效益指标','level2':'社会效益指标','name':'评价','weight':10,"
                      "'target':'优','actual':'良'},"
                      "{'level1':'效益指标','level2':'社会效益指标','name':'覆盖','weight':10,"
                      "'target':'100%','actual':'全覆盖'},"
                      "{'level1':'效益指标','level2':'社会效益指标','name':'覆盖2','weight':10,"
                      "'target':'100%','actual':'基本完成','rule':'按完成比例计分'}"),
              &r)) {
        CHECK_STR(str_at(r.res, "/indicators/0/rule"), "levels");
        EXPECT_IND_SCORE(r.res, 0, 800);
        CHECK_STR(str_at(r.res, "/indicators/1/rule"), "bands");
        EXPECT_IND_SCORE(r.res, 1, 1000);
        CHECK_STR(str_at(r.res, "/indicators/2/rule"), "bands");
        EXPECT_IND_SCORE(r.res, 2, 700);
    }
    jt_run_free(&r);
}

int main(void)
{
    ctx = jx_ctx_new();
    if (!ctx)
        return 1;
    test_rule_texts();
    test_not_applicable();
    test_assumed_weights();
    test_own_indicators();
    test_words();
    jx_ctx_free(ctx);
    return jt_finish("test_section8");
}
