/*
 * test_findings: each finding code of scoring.md §6 raised when it should
 * be and not when it should not, severities, the "consistent at the written
 * precision" rule, half-up rounding, the department-wide-2013 example of §4,
 * `complete`, and the result JSON of §7.
 *
 * Most cases start from a baseline project document that is fully
 * consistent (no findings at all) and change one thing.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "jxtest.h"

static jx_ctx *ctx;

static const char *const baseline_doc =
    "{'scope':'project','framework':'project-2020','name':'医疗保障基金安全监管',"
    "'org':'测试市医疗保障局','year':2022,"
    "'budget':{'initial':'90万元','cuts':'3.34万元','adjusted':'86.66万元',"
    " 'executed':'86.66万元','balance':'0','reported_execution_rate':'100%',"
    " 'breakdown':[{'item':'办公费','amount':'6.66万元'},{'item':'委托业务费','amount':'80万元'}]},"
    "'indicators':["
    "{'level1':'产出指标','level2':'数量指标','name':'开展检查次数','weight':15,"
    " 'target':'≥30次','actual':'32次','reported_score':15},"
    "{'level1':'产出指标','level2':'质量指标','name':'检查覆盖率','weight':15,"
    " 'target':'100%','actual':'100%','reported_score':15},"
    "{'level1':'产出指标','level2':'时效指标','name':'平均办理时间','weight':10,"
    " 'target':'≤1个工作日','actual':'1个工作日','reported_score':10},"
    "{'level1':'产出指标','level2':'成本指标','name':'项目总成本','weight':10,"
    " 'target':'≤90万元','actual':'86.66万元','reported_score':10},"
    "{'level1':'效益指标','level2':'社会效益指标','name':'打击欺诈骗保氛围','weight':15,"
    " 'target':'显著提高','actual':'显著提高','reported_score':15},"
    "{'level1':'效益指标','level2':'可持续影响指标','name':'基金运行态势','weight':15,"
    " 'target':'持续影响','actual':'持续影响','reported_score':15},"
    "{'level1':'满意度指标','level2':'服务对象满意度指标','name':'服务对象满意度','weight':10,"
    " 'target':'≥90%','actual':'95%','reported_score':10}],"
    "'figures':{},"
    "'reported':{'total':100,'grade':'优','execution_score':10}}";

/* project-2020 as §2 writes it, for variants of its settings. */
static const char *const project_fw =
    "{'id':'project-2020-variant','name':'项目支出绩效自评（变体）','scope':'project',"
    "'execution_weight':10,"
    "'grades':[{'grade':'优','min':90},{'grade':'良','min':80},{'grade':'中','min':60},"
    "          {'grade':'差','min':0}],"
    "'categories':["
    "{'level1':'产出指标','aliases':['产出'],'weight':50,"
    " 'level2':['数量指标','质量指标','时效指标','成本指标'],"
    " 'required_level2':['数量指标','质量指标','时效指标','成本指标']},"
    "{'level1':'效益指标','aliases':['效益'],'weight':30,"
    " 'level2':['经济效益指标','社会效益指标','生态效益指标','可持续影响指标']},"
    "{'level1':'满意度指标','aliases':['满意度'],'weight':10,"
    " 'level2':['服务对象满意度指标']}],"
    "'default_rule':{'kind':'ratio','reverse':'inverse','equal':'symmetric'},"
    "'qualitative_bands':[0.8,0.6],'too_low_factor':1.3,'indicators':[]}";

static json_t *base(void) { return jt_j(baseline_doc); }
static long long rate4(const json_t *res);

/* Scores doc (and frees it); returns 1 when scored. */
static int score(json_t *doc, jt_run *run)
{
    jt_score(ctx, doc, run);
    json_decref(doc);
    return EXPECT_SCORED(run);
}

static const char *severity_of(const json_t *res, const char *code, const char *prefix)
{
    return json_string_value(json_object_get(jt_finding(res, code, prefix), "severity"));
}

static json_t *category(const json_t *res, const char *level1)
{
    json_t *cats = json_object_get(res, "categories");
    size_t i;
    for (i = 0; i < json_array_size(cats); i++) {
        const char *l = json_string_value(json_object_get(json_array_get(cats, i), "level1"));
        if (l && strcmp(l, level1) == 0)
            return json_array_get(cats, i);
    }
    return NULL;
}

/* ---- the baseline and the §7 shape ---------------------------------------- */

static void test_baseline(void)
{
    jt_run r;
    static const long long scores[] = {1500, 1500, 1000, 1000, 1500, 1500, 1000};
    size_t i;
    jt_case("baseline: consistent document, no findings");
    if (score(base(), &r)) {
        json_t *res = r.res, *ex = json_object_get(res, "execution"), *ind0 = jt_ind(res, 0);
        if (!CHECK_INT(json_array_size(json_object_get(res, "findings")), 0))
            jt_print_findings(res);
        EXPECT_CENTS(json_object_get(res, "total"), 10000);
        EXPECT_CENTS(json_object_get(res, "max"), 10000);
        EXPECT_CENTS(json_object_get(res, "normalised"), 10000);
        CHECK_STR(json_string_value(json_object_get(res, "grade")), "优");
        CHECK_STR(json_string_value(json_object_get(res, "framework")), "project-2020");
        CHECK(json_is_true(json_object_get(res, "complete")));
        CHECK_STR(json_string_value(json_object_get(ex, "budget")), "866600.00");
        CHECK_STR(json_string_value(json_object_get(ex, "executed")), "866600.00");
        CHECK_INT(jt_cents(json_object_get(ex, "rate")), 100);
        EXPECT_CENTS(json_object_get(ex, "weight"), 1000);
        EXPECT_CENTS(json_object_get(ex, "score"), 1000);
        for (i = 0; i < 7; i++)
            jt_check_ll(jt_ind_score(res, i), scores[i], __FILE__, __LINE__, "indicator score",
                        "baseline");
        CHECK_INT(json_array_size(json_object_get(res, "indicators")), 7);
        CHECK_INT(json_integer_value(json_object_get(ind0, "index")), 0);
        CHECK_STR(json_string_value(json_object_get(ind0, "name")), "开展检查次数");
        CHECK_STR(json_string_value(json_object_get(ind0, "rule")), "ratio");
        CHECK(json_is_true(json_object_get(ind0, "met")));
        EXPECT_CENTS(json_object_get(ind0, "deduction"), 0);
        EXPECT_CENTS(json_object_get(ind0, "weight"), 1500);
        CHECK_STR(json_string_value(json_object_get(jt_ind(res, 4), "rule")), "bands");
        CHECK_INT(json_integer_value(json_object_get(jt_ind(res, 6), "index")), 6);
        {
            json_t *c = category(res, "产出指标");
            if (CHECK(c != NULL)) {
                EXPECT_CENTS(json_object_get(c, "weight"), 5000);
                EXPECT_CENTS(json_object_get(c, "score"), 5000);
            }
            c = category(res, "效益指标");
            if (CHECK(c != NULL))
                EXPECT_CENTS(json_object_get(c, "score"), 3000);
            c = category(res, "满意度指标");
            if (CHECK(c != NULL))
                EXPECT_CENTS(json_object_get(c, "score"), 1000);
        }
    }
    jt_run_free(&r);

    jt_case("the accessors agree with the JSON");
    {
        json_t *b = base();
        char *text = json_dumps(b, JSON_COMPACT);
        jx_errors errs;
        jx_document *doc;
        jx_errors_clear(&errs);
        doc = jx_document_load(ctx, text, strlen(text), &errs);
        if (CHECK(doc != NULL)) {
            jx_result *res = jx_score(doc);
            if (CHECK(res != NULL)) {
                char *table = jx_result_table(res);
                size_t len = 0;
                char *js = jx_result_json(res, &len);
                CHECK_INT(jx_result_total(res), 10000);
                CHECK_INT(jx_result_max(res), 10000);
                CHECK_INT(jx_result_normalised(res), 10000);
                CHECK_STR(jx_result_grade(res), "优");
                CHECK(jx_result_complete(res));
                CHECK_INT(jx_result_finding_count(res), 0);
                CHECK(table && strstr(table, "扣分") != NULL);
                CHECK(js && strlen(js) == len);
                free(table);
                free(js);
                jx_result_free(res);
            }
            jx_document_free(doc);
        } else {
            jt_print_errors(&errs);
        }
        json_decref(b);
        free(text);
    }
}

/* The document of §7, as written there. */
static void test_section7_example(void)
{
    jt_run r;
    json_t *doc = jt_j(
        "{'scope':'project','framework':'project-2020','name':'医疗保障基金安全监管',"
        "'org':'宿州市医疗保障局','year':2022,"
        "'budget':{'initial':'90万元','cuts':'3.34万元','additions':null,"
        " 'adjusted':'86.66万元','executed':'73.62万元','balance':null,"
        " 'reported_execution_rate':null,"
        " 'breakdown':[{'item':'办公费','amount':'1.65万元'}]},"
        "'indicators':[{'level1':'产出指标','level2':'成本指标','name':'项目总成本',"
        " 'weight':10,'target':'≤90万元','actual':'73.63万元',"
        " 'reported_score':8.51,'deviation_reason':''}],"
        "'figures':{},"
        "'reported':{'total':97,'grade':null,'execution_score':null}}");
    jt_case("§7 example document");
    if (score(doc, &r)) {
        json_t *res = r.res, *ex = json_object_get(res, "execution");
        CHECK_STR(json_string_value(json_object_get(ex, "budget")), "866600.00");
        CHECK_STR(json_string_value(json_object_get(ex, "executed")), "736200.00");
        CHECK_INT(rate4(res), 8495);
        EXPECT_CENTS(json_object_get(ex, "score"), 850);
        EXPECT_CENTS(json_object_get(ex, "weight"), 1000);
        EXPECT_IND_SCORE(res, 0, 1000);
        CHECK(json_is_true(json_object_get(jt_ind(res, 0), "met")));
        CHECK_STR(json_string_value(json_object_get(jt_ind(res, 0), "rule")), "ratio");
        {
            /* "实际 73.63万元 ≤ 目标 90万元，达成，得满分 10 分" */
            const char *ex7 = json_string_value(json_object_get(jt_ind(res, 0), "explain"));
            if (!ex7 || !strstr(ex7, "73.63") || !strstr(ex7, "90"))
                FAIL("explain does not quote the actual and the target: %s", ex7 ? ex7 : "");
        }
        EXPECT_FINDING(res, "SCORE_MISMATCH", "/indicators/0");
        EXPECT_FINDING(res, "DEDUCTED_TARGET_MET", "/indicators/0");
        EXPECT_FINDING(res, "AMOUNT_ARITHMETIC", "/budget"); /* breakdown of 1.65万 of 73.62万 */
        EXPECT_NO_FINDING(res, "GRADE_MISMATCH", "");
        EXPECT_NO_FINDING(res, "EXECUTION_RATE_MISMATCH", "");
        if (jt_finding(res, "SCORE_MISMATCH", "/indicators/0")) {
            const char *msg = json_string_value(
                json_object_get(jt_finding(res, "SCORE_MISMATCH", "/indicators/0"), "message"));
            if (msg && (!strstr(msg, "8.51") || !strstr(msg, "10")))
                FAIL("SCORE_MISMATCH message should quote 8.51 and 10.00: %s", msg);
        }
    }
    jt_run_free(&r);
}

/* ---- totals ---------------------------------------------------------------- */

static void test_totals(void)
{
    jt_run r;
    json_t *d;

    jt_case("TOTAL_MISMATCH raised");
    d = base();
    jt_setj(d, "/reported/total", "99");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
        CHECK_STR(severity_of(r.res, "TOTAL_MISMATCH", ""), "warning");
        EXPECT_NO_FINDING(r.res, "GRADE_MISMATCH", "");
    }
    jt_run_free(&r);

    /* A manual score of 12.01 makes the computed total 97.01. */
    jt_case("97 is consistent with 97.01");
    d = base();
    jt_setj(d, "/indicators/0/rule", "{'kind':'manual'}");
    jt_setj(d, "/indicators/0/reported_score", "12.01");
    jt_setj(d, "/reported/total", "97");
    if (score(d, &r)) {
        EXPECT_CENTS(json_object_get(r.res, "total"), 9701);
        EXPECT_NO_FINDING(r.res, "TOTAL_MISMATCH", "");
        EXPECT_NO_FINDING(r.res, "REPORTED_SUM_MISMATCH", "");
    }
    jt_run_free(&r);
    jt_case("97.02 is not consistent with 97.01");
    d = base();
    jt_setj(d, "/indicators/0/rule", "{'kind':'manual'}");
    jt_setj(d, "/indicators/0/reported_score", "12.01");
    jt_setj(d, "/reported/total", "97.02");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
    jt_run_free(&r);
    jt_case("96 is not consistent with 97.01");
    d = base();
    jt_setj(d, "/indicators/0/rule", "{'kind':'manual'}");
    jt_setj(d, "/indicators/0/reported_score", "12.01");
    jt_setj(d, "/reported/total", "96");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
    jt_run_free(&r);

    /* 98.5: 98 (truncated) and 99 (rounded) are both consistent, 97 is not. */
    {
        static const char *const totals[] = {"98", "99", "98.5", "97", "98.4"};
        static const int mismatch[] = {0, 0, 0, 1, 1};
        size_t i;
        for (i = 0; i < 5; i++) {
            jt_case("reported total %s against 98.50", totals[i]);
            d = base();
            jt_setj(d, "/indicators/0/rule", "{'kind':'manual'}");
            jt_setj(d, "/indicators/0/reported_score", "13.5");
            jt_setj(d, "/reported/total", totals[i]);
            jt_del(d, "/reported/grade");
            if (score(d, &r)) {
                EXPECT_CENTS(json_object_get(r.res, "total"), 9850);
                if (mismatch[i])
                    EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
                else
                    EXPECT_NO_FINDING(r.res, "TOTAL_MISMATCH", "");
            }
            jt_run_free(&r);
        }
    }

    jt_case("REPORTED_SUM_MISMATCH raised");
    d = base();
    jt_setj(d, "/indicators/1/reported_score", "14");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "REPORTED_SUM_MISMATCH", "/reported/total");
        EXPECT_NO_FINDING(r.res, "TOTAL_MISMATCH", "");
    }
    jt_run_free(&r);
    jt_case("REPORTED_SUM_MISMATCH not raised when a reported score is missing");
    d = base();
    jt_del(d, "/indicators/1/reported_score");
    jt_setj(d, "/reported/total", "85");
    jt_del(d, "/reported/grade");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "REPORTED_SUM_MISMATCH", "");
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
    }
    jt_run_free(&r);
    jt_case("REPORTED_SUM_MISMATCH uses the reported execution score");
    d = base();
    jt_setj(d, "/reported/execution_score", "9");
    jt_setj(d, "/reported/total", "99");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "REPORTED_SUM_MISMATCH", "");
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
    }
    jt_run_free(&r);
    jt_case("REPORTED_SUM_MISMATCH uses the computed execution score when none is reported");
    d = base();
    jt_del(d, "/reported/execution_score");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "REPORTED_SUM_MISMATCH", "");
        CHECK_INT(json_array_size(json_object_get(r.res, "findings")), 0);
    }
    jt_run_free(&r);
    jt_case("REPORTED_SUM_MISMATCH against a reported execution score");
    d = base();
    jt_setj(d, "/reported/execution_score", "8");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "REPORTED_SUM_MISMATCH", "/reported/total");
    jt_run_free(&r);

    jt_case("GRADE_MISMATCH raised");
    d = base();
    jt_setj(d, "/reported/grade", "'良'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "GRADE_MISMATCH", "/reported");
        CHECK_STR(severity_of(r.res, "GRADE_MISMATCH", ""), "warning");
    }
    jt_run_free(&r);
    jt_case("GRADE_MISMATCH: the grade of the reported total, not the computed one");
    d = base();
    jt_setj(d, "/reported/total", "85");
    jt_setj(d, "/reported/grade", "'良'");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "GRADE_MISMATCH", "");
        EXPECT_FINDING(r.res, "TOTAL_MISMATCH", "/reported/total");
    }
    jt_run_free(&r);
    jt_case("GRADE_MISMATCH needs a reported grade");
    d = base();
    jt_del(d, "/reported/grade");
    jt_setj(d, "/reported/total", "85");
    if (score(d, &r))
        EXPECT_NO_FINDING(r.res, "GRADE_MISMATCH", "");
    jt_run_free(&r);
    jt_case("grade bands: 89.99 is 良");
    d = base();
    jt_setj(d, "/indicators/0/rule", "{'kind':'manual'}");
    jt_setj(d, "/indicators/0/reported_score", "4.99");
    jt_setj(d, "/reported/total", "89.99");
    jt_setj(d, "/reported/grade", "'良'");
    if (score(d, &r)) {
        CHECK_STR(json_string_value(json_object_get(r.res, "grade")), "良");
        EXPECT_NO_FINDING(r.res, "GRADE_MISMATCH", "");
        EXPECT_NO_FINDING(r.res, "TOTAL_MISMATCH", "");
    }
    jt_run_free(&r);
}

/* ---- indicator findings ------------------------------------------------------ */

static void test_indicator_findings(void)
{
    jt_run r;
    json_t *d;

    jt_case("target missed, full score reported, no reason");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'27次'");
    if (score(d, &r)) {
        EXPECT_IND_SCORE(r.res, 0, 1350);
        EXPECT_FINDING(r.res, "SCORE_MISMATCH", "/indicators/0");
        EXPECT_FINDING(r.res, "FULL_SCORE_TARGET_MISSED", "/indicators/0");
        EXPECT_FINDING(r.res, "TARGET_MISSED_NO_REASON", "/indicators/0");
        EXPECT_NO_FINDING(r.res, "DEDUCTED_TARGET_MET", "");
        CHECK(json_is_false(json_object_get(jt_ind(r.res, 0), "met")));
    }
    jt_run_free(&r);
    jt_case("target missed, right score, a reason");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'27次'");
    jt_setj(d, "/indicators/0/reported_score", "13.5");
    jt_setj(d, "/indicators/0/deviation_reason", "'人手不足，下年度增加检查力量'");
    jt_setj(d, "/reported/total", "98.5");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
        EXPECT_NO_FINDING(r.res, "FULL_SCORE_TARGET_MISSED", "");
        EXPECT_NO_FINDING(r.res, "TARGET_MISSED_NO_REASON", "");
        EXPECT_NO_FINDING(r.res, "TOTAL_MISMATCH", "");
        EXPECT_NO_FINDING(r.res, "REPORTED_SUM_MISMATCH", "");
    }
    jt_run_free(&r);
    jt_case("an empty deviation reason is no reason");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'27次'");
    jt_setj(d, "/indicators/0/reported_score", "13.5");
    jt_setj(d, "/indicators/0/deviation_reason", "''");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "TARGET_MISSED_NO_REASON", "/indicators/0");
    jt_run_free(&r);

    /* indicator scores are compared at two decimals: 14 is not 14.25 */
    {
        static const char *const rep[] = {"14", "14.3", "14.2", "14.25"};
        static const int mismatch[] = {1, 1, 1, 0};
        size_t i;
        for (i = 0; i < 4; i++) {
            jt_case("reported %s against 15 × 19 ÷ 20 = 14.25", rep[i]);
            d = base();
            jt_setj(d, "/indicators/0/target", "'≥20次'");
            jt_setj(d, "/indicators/0/actual", "'19次'");
            jt_setj(d, "/indicators/0/reported_score", rep[i]);
            jt_setj(d, "/indicators/0/deviation_reason", "'原因'");
            if (score(d, &r)) {
                EXPECT_IND_SCORE(r.res, 0, 1425);
                if (mismatch[i])
                    EXPECT_FINDING(r.res, "SCORE_MISMATCH", "/indicators/0");
                else
                    EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
                EXPECT_NO_FINDING(r.res, "FULL_SCORE_TARGET_MISSED", "");
            }
            jt_run_free(&r);
        }
    }

    jt_case("DEDUCTED_TARGET_MET raised");
    d = base();
    jt_setj(d, "/indicators/1/reported_score", "14");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "DEDUCTED_TARGET_MET", "/indicators/1");
        EXPECT_FINDING(r.res, "SCORE_MISMATCH", "/indicators/1");
        CHECK_STR(severity_of(r.res, "DEDUCTED_TARGET_MET", ""), "warning");
        EXPECT_IND_SCORE(r.res, 1, 1500);
    }
    jt_run_free(&r);

    jt_case("SCORE_ABOVE_WEIGHT raised (error)");
    d = base();
    jt_setj(d, "/indicators/0/reported_score", "16");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0");
        CHECK_STR(severity_of(r.res, "SCORE_ABOVE_WEIGHT", ""), "error");
        EXPECT_IND_SCORE(r.res, 0, 1500);
    }
    jt_run_free(&r);
    jt_case("SCORE_ABOVE_WEIGHT for a negative score");
    d = base();
    jt_setj(d, "/indicators/0/reported_score", "-1");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "/indicators/0");
    jt_run_free(&r);
    jt_case("SCORE_ABOVE_WEIGHT not raised at the weight");
    d = base();
    if (score(d, &r))
        EXPECT_NO_FINDING(r.res, "SCORE_ABOVE_WEIGHT", "");
    jt_run_free(&r);

    jt_case("SCORE_OUTSIDE_BAND alone");
    d = base();
    jt_setj(d, "/indicators/4/reported_score", "10");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "SCORE_OUTSIDE_BAND", "/indicators/4");
        CHECK_STR(severity_of(r.res, "SCORE_OUTSIDE_BAND", ""), "warning");
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "/indicators/4");
        EXPECT_NO_FINDING(r.res, "DEDUCTED_TARGET_MET", "/indicators/4");
        EXPECT_IND_SCORE(r.res, 4, 1500);
    }
    jt_run_free(&r);
    jt_case("a qualitative score inside its band is the assessor's");
    d = base();
    jt_setj(d, "/indicators/4/reported_score", "12");
    jt_setj(d, "/reported/total", "97");
    if (score(d, &r)) {
        EXPECT_IND_SCORE(r.res, 4, 1200);
        CHECK_INT(json_array_size(json_object_get(r.res, "findings")), 0);
    }
    jt_run_free(&r);

    jt_case("TARGET_TOO_LOW at 1.3 × target");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'39次'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "TARGET_TOO_LOW", "/indicators/0");
        CHECK_STR(severity_of(r.res, "TARGET_TOO_LOW", ""), "warning");
    }
    jt_run_free(&r);
    jt_case("TARGET_TOO_LOW not below 1.3 × target");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'38次'");
    if (score(d, &r))
        EXPECT_NO_FINDING(r.res, "TARGET_TOO_LOW", "");
    jt_run_free(&r);
    jt_case("TARGET_TOO_LOW not with a deviation reason");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'60次'");
    jt_setj(d, "/indicators/0/deviation_reason", "'专项行动增加'");
    if (score(d, &r))
        EXPECT_NO_FINDING(r.res, "TARGET_TOO_LOW", "");
    jt_run_free(&r);
    jt_case("TARGET_TOO_LOW not for a <= target");
    d = base();
    jt_setj(d, "/indicators/3/actual", "'10万元'");
    if (score(d, &r))
        EXPECT_NO_FINDING(r.res, "TARGET_TOO_LOW", "");
    jt_run_free(&r);
    jt_case("TARGET_TOO_LOW with a framework factor of 1.2");
    d = base();
    json_object_set_new(d, "framework", jt_j(project_fw));
    jt_setj(d, "/framework/too_low_factor", "1.2");
    jt_setj(d, "/indicators/0/actual", "'36次'");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "TARGET_TOO_LOW", "/indicators/0");
    jt_run_free(&r);

    jt_case("ACTUAL_MISSING (null)");
    d = base();
    jt_setj(d, "/indicators/0/actual", "null");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "ACTUAL_MISSING", "/indicators/0");
        CHECK_STR(severity_of(r.res, "ACTUAL_MISSING", ""), "warning");
        EXPECT_IND_SCORE(r.res, 0, 0);
        CHECK(json_is_null(json_object_get(jt_ind(r.res, 0), "met")));
        CHECK(json_is_false(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);
    jt_case("ACTUAL_MISSING (absent)");
    d = base();
    jt_del(d, "/indicators/0/actual");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "ACTUAL_MISSING", "/indicators/0");
        EXPECT_IND_SCORE(r.res, 0, 0);
        CHECK(json_is_false(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);

    jt_case("ACTUAL_HAS_OPERATOR (info)");
    d = base();
    jt_setj(d, "/indicators/6/actual", "'≥ 90%'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "ACTUAL_HAS_OPERATOR", "/indicators/6");
        CHECK_STR(severity_of(r.res, "ACTUAL_HAS_OPERATOR", ""), "info");
        EXPECT_IND_SCORE(r.res, 6, 1000);
        CHECK(json_is_true(json_object_get(jt_ind(r.res, 6), "met")));
        CHECK(json_is_true(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);

    jt_case("UNIT_MISMATCH (error)");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'32户'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "UNIT_MISMATCH", "/indicators/0");
        CHECK_STR(severity_of(r.res, "UNIT_MISMATCH", ""), "error");
        EXPECT_IND_SCORE(r.res, 0, 0);
        CHECK(json_is_false(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);
    jt_case("UNIT_MISMATCH: a percent against a count");
    d = base();
    jt_setj(d, "/indicators/0/actual", "'95%'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "UNIT_MISMATCH", "/indicators/0");
        EXPECT_IND_SCORE(r.res, 0, 0);
    }
    jt_run_free(&r);
    jt_case("no UNIT_MISMATCH for money in different units");
    d = base();
    jt_setj(d, "/indicators/3/actual", "'866600元'");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "UNIT_MISMATCH", "");
        EXPECT_IND_SCORE(r.res, 3, 1000);
        CHECK_INT(json_array_size(json_object_get(r.res, "findings")), 0);
    }
    jt_run_free(&r);

    jt_case("QUALITATIVE_JUDGEMENT (info) and ACTUAL_UNDETERMINED");
    d = base();
    jt_setj(d, "/indicators/4/actual", "'有所提高'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "QUALITATIVE_JUDGEMENT", "/indicators/4");
        CHECK_STR(severity_of(r.res, "QUALITATIVE_JUDGEMENT", ""), "info");
        EXPECT_IND_SCORE(r.res, 4, 1500);
        CHECK(json_is_true(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);
    d = base();
    jt_setj(d, "/indicators/4/actual", "'有所提高'");
    jt_del(d, "/indicators/4/reported_score");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "ACTUAL_UNDETERMINED", "/indicators/4");
        EXPECT_IND_SCORE(r.res, 4, 0);
        CHECK(json_is_false(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);
}

/* ---- categories and weights ---------------------------------------------------- */

static void test_categories(void)
{
    jt_run r;
    json_t *d;

    jt_case("WEIGHTS_TOTAL and CATEGORY_WEIGHT");
    d = base();
    jt_setj(d, "/indicators/0/weight", "14");
    jt_setj(d, "/indicators/0/reported_score", "14");
    jt_setj(d, "/reported/total", "99");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "WEIGHTS_TOTAL", "");
        EXPECT_FINDING(r.res, "CATEGORY_WEIGHT", "");
        EXPECT_CENTS(json_object_get(r.res, "max"), 10000);
        EXPECT_CENTS(json_object_get(r.res, "total"), 9900);
    }
    jt_run_free(&r);
    jt_case("CATEGORY_WEIGHT without WEIGHTS_TOTAL");
    d = base();
    jt_setj(d, "/indicators/0/weight", "14");
    jt_setj(d, "/indicators/0/reported_score", "14");
    jt_setj(d, "/indicators/4/weight", "16");
    jt_setj(d, "/indicators/4/reported_score", "16");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "WEIGHTS_TOTAL", "");
        EXPECT_FINDING(r.res, "CATEGORY_WEIGHT", "");
    }
    jt_run_free(&r);

    jt_case("MISSING_CATEGORY: a level-1");
    d = base();
    jt_del(d, "/indicators/6");
    jt_setj(d, "/reported/total", "90");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "MISSING_CATEGORY", "/indicators");
        EXPECT_FINDING(r.res, "WEIGHTS_TOTAL", "");
        EXPECT_CENTS(json_object_get(r.res, "max"), 10000);
        EXPECT_CENTS(json_object_get(r.res, "total"), 9000);
    }
    jt_run_free(&r);
    jt_case("MISSING_CATEGORY: a required level-2");
    d = base();
    jt_setj(d, "/indicators/2/level2", "'数量指标'");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "MISSING_CATEGORY", "/indicators");
    jt_run_free(&r);
    jt_case("no MISSING_CATEGORY for a level-2 that is not required");
    d = base();
    jt_setj(d, "/indicators/5/level2", "'经济效益指标'");
    if (score(d, &r))
        EXPECT_NO_FINDING(r.res, "MISSING_CATEGORY", "");
    jt_run_free(&r);
    jt_case("成本指标 as its own level-1 counts toward 产出");
    d = base();
    jt_setj(d, "/indicators/3/level1", "'成本指标'");
    jt_setj(d, "/indicators/3/level2", "'成本指标'");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "MISSING_CATEGORY", "");
        EXPECT_NO_FINDING(r.res, "UNKNOWN_CATEGORY", "");
        EXPECT_NO_FINDING(r.res, "CATEGORY_WEIGHT", "");
    }
    jt_run_free(&r);
    jt_case("level names without 指标 and through aliases");
    d = base();
    jt_setj(d, "/indicators/0/level1", "'产出'");
    jt_setj(d, "/indicators/0/level2", "'数量'");
    jt_setj(d, "/indicators/6/level1", "'满意度'");
    jt_setj(d, "/indicators/4/level2", "'社会效益'");
    if (score(d, &r)) {
        EXPECT_NO_FINDING(r.res, "UNKNOWN_CATEGORY", "");
        EXPECT_NO_FINDING(r.res, "MISSING_CATEGORY", "");
        EXPECT_NO_FINDING(r.res, "CATEGORY_WEIGHT", "");
    }
    jt_run_free(&r);

    jt_case("UNKNOWN_CATEGORY: level-1");
    d = base();
    jt_setj(d, "/indicators/6/level1", "'投入指标'");
    if (score(d, &r)) {
        EXPECT_FINDING(r.res, "UNKNOWN_CATEGORY", "/indicators/6");
        CHECK_STR(severity_of(r.res, "UNKNOWN_CATEGORY", ""), "warning");
    }
    jt_run_free(&r);
    jt_case("UNKNOWN_CATEGORY: level-2");
    d = base();
    jt_setj(d, "/indicators/0/level2", "'速度指标'");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "UNKNOWN_CATEGORY", "/indicators/0");
    jt_run_free(&r);
}

/* ---- budget -------------------------------------------------------------------- */

static json_t *with_budget(const char *budget)
{
    json_t *d = base();
    json_object_set_new(d, "budget", jt_j(budget));
    jt_del(d, "/reported/execution_score");
    jt_del(d, "/reported/total");
    jt_del(d, "/reported/grade");
    return d;
}

static long long rate4(const json_t *res)
{
    json_t *v = json_object_get(json_object_get(res, "execution"), "rate");
    if (!json_is_number(v))
        return LLONG_MIN;
    return llround(json_number_value(v) * 10000.0);
}

static void test_budget(void)
{
    jt_run r;
    static const char *const rates[] = {"99.12%", "99.13%", "99.1%", "99%", "99.128%",
                                        "99.37%", "99.2%", "100%", "99.14%"};
    static const int bad[] = {0, 0, 0, 0, 0, 1, 1, 1, 1};
    size_t i;

    for (i = 0; i < sizeof rates / sizeof *rates; i++) {
        char b[256];
        jt_case("reported execution rate %s of 15464 ÷ 15600", rates[i]);
        snprintf(b, sizeof b,
                 "{'initial':'19600','cuts':'4000','adjusted':'15600','executed':'15464',"
                 "'balance':'136','reported_execution_rate':'%s'}", rates[i]);
        if (score(with_budget(b), &r)) {
            CHECK_INT(rate4(r.res), 9913);
            EXPECT_CENTS(json_object_get(json_object_get(r.res, "execution"), "score"), 991);
            if (bad[i])
                EXPECT_FINDING(r.res, "EXECUTION_RATE_MISMATCH", "/budget/reported_execution_rate");
            else
                EXPECT_NO_FINDING(r.res, "EXECUTION_RATE_MISMATCH", "");
            EXPECT_NO_FINDING(r.res, "AMOUNT_ARITHMETIC", "");
        }
        jt_run_free(&r);
    }

    jt_case("half-up execution score: 10 × 73.62 ÷ 86.66 = 8.4953 → 8.50");
    if (score(with_budget("{'adjusted':'86.66万元','executed':'73.62万元'}"), &r)) {
        CHECK_INT(rate4(r.res), 8495);
        EXPECT_CENTS(json_object_get(json_object_get(r.res, "execution"), "score"), 850);
        CHECK_STR(json_string_value(json_object_get(json_object_get(r.res, "execution"),
                                                    "executed")), "736200.00");
    }
    jt_run_free(&r);
    jt_case("execution rate on the initial budget when no adjusted one is given");
    if (score(with_budget("{'initial':'100','executed':'80'}"), &r)) {
        CHECK_INT(rate4(r.res), 8000);
        EXPECT_CENTS(json_object_get(json_object_get(r.res, "execution"), "score"), 800);
    }
    jt_run_free(&r);

    {
        static const struct { const char *label, *budget; int bad; } cases[] = {
            {"initial - cuts + additions = adjusted",
             "{'initial':'100','cuts':'10','additions':'5','adjusted':'95','executed':'95'}", 0},
            {"initial - cuts + additions != adjusted",
             "{'initial':'100','cuts':'10','additions':'5','adjusted':'96','executed':'96'}", 1},
            {"initial - cuts = adjusted (万元 and 元)",
             "{'initial':'1万元','cuts':'4000','adjusted':'6000','executed':'6000'}", 0},
            {"adjusted - executed = balance",
             "{'adjusted':'100','executed':'90','balance':'10'}", 0},
            {"adjusted - executed != balance",
             "{'adjusted':'100','executed':'90','balance':'11'}", 1},
            {"balance consistent at its written precision (0.01万元 for 129.5)",
             "{'adjusted':'100000','executed':'99870.5','balance':'0.01万元'}", 0},
            {"balance not consistent at its written precision (0.02万元 for 129.5)",
             "{'adjusted':'100000','executed':'99870.5','balance':'0.02万元'}", 1},
            {"breakdown adds up to executed",
             "{'adjusted':'100','executed':'90','breakdown':[{'item':'办公费','amount':'40'},"
             "{'item':'差旅费','amount':'0.005万元'}]}", 0},
            {"breakdown does not add up to executed",
             "{'adjusted':'100','executed':'90','breakdown':[{'item':'办公费','amount':'40'},"
             "{'item':'差旅费','amount':'51'}]}", 1},
            {"breakdown off by a fen against an executed amount written to the fen",
             "{'adjusted':'100','executed':'90.00','breakdown':[{'item':'办公费','amount':'40'},"
             "{'item':'差旅费','amount':'50.01'}]}", 1},
            {"breakdown off by a fen against an executed amount written in yuan (consistent)",
             "{'adjusted':'100','executed':'90','breakdown':[{'item':'办公费','amount':'40'},"
             "{'item':'差旅费','amount':'50.01'}]}", 0},
            {"sources add up to the whole",
             "{'initial':'100','adjusted':'100','executed':'90','sources':["
             "{'source':'一般公共预算','initial':'60','adjusted':'60','executed':'50'},"
             "{'source':'政府性基金预算','initial':'40','adjusted':'40','executed':'40'}]}", 0},
            {"sources' executed do not add up",
             "{'initial':'100','adjusted':'100','executed':'90','sources':["
             "{'source':'一般公共预算','initial':'60','adjusted':'60','executed':'50'},"
             "{'source':'政府性基金预算','initial':'40','adjusted':'40','executed':'41'}]}", 1},
            {"sources' adjusted do not add up",
             "{'initial':'100','adjusted':'100','executed':'90','sources':["
             "{'source':'一般公共预算','initial':'60','adjusted':'61','executed':'50'},"
             "{'source':'政府性基金预算','initial':'40','adjusted':'40','executed':'40'}]}", 1},
        };
        for (i = 0; i < sizeof cases / sizeof *cases; i++) {
            jt_case("AMOUNT_ARITHMETIC: %s", cases[i].label);
            if (score(with_budget(cases[i].budget), &r)) {
                if (cases[i].bad) {
                    EXPECT_FINDING(r.res, "AMOUNT_ARITHMETIC", "/budget");
                    CHECK_STR(severity_of(r.res, "AMOUNT_ARITHMETIC", ""), "warning");
                } else {
                    EXPECT_NO_FINDING(r.res, "AMOUNT_ARITHMETIC", "");
                }
            }
            jt_run_free(&r);
        }
    }

    jt_case("OVERSPENT");
    if (score(with_budget("{'adjusted':'100','executed':'120'}"), &r)) {
        EXPECT_FINDING(r.res, "OVERSPENT", "/budget");
        CHECK_STR(severity_of(r.res, "OVERSPENT", ""), "warning");
        CHECK_INT(rate4(r.res), 12000);
        EXPECT_CENTS(json_object_get(json_object_get(r.res, "execution"), "score"), 1000);
    }
    jt_run_free(&r);
    jt_case("not OVERSPENT at exactly the budget");
    if (score(with_budget("{'adjusted':'100','executed':'100'}"), &r))
        EXPECT_NO_FINDING(r.res, "OVERSPENT", "");
    jt_run_free(&r);

    jt_case("EXECUTION_UNKNOWN");
    if (score(with_budget("{'adjusted':'100'}"), &r)) {
        json_t *ex = json_object_get(r.res, "execution");
        EXPECT_FINDING(r.res, "EXECUTION_UNKNOWN", "/budget");
        EXPECT_CENTS(json_object_get(ex, "score"), 0);
        CHECK(json_is_null(json_object_get(ex, "rate")));
        CHECK(json_is_false(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);
    jt_case("EXECUTION_UNKNOWN with no budget at all");
    {
        json_t *d = base();
        jt_del(d, "/budget");
        jt_del(d, "/reported/execution_score");
        if (score(d, &r)) {
            EXPECT_FINDING(r.res, "EXECUTION_UNKNOWN", "");
            CHECK(json_is_false(json_object_get(r.res, "complete")));
        }
        jt_run_free(&r);
    }
    jt_case("no EXECUTION_UNKNOWN when the execution weight is 0");
    {
        json_t *d = base();
        json_object_set_new(d, "framework", jt_j(project_fw));
        jt_setj(d, "/framework/execution_weight", "0");
        jt_setj(d, "/framework/categories/2/weight", "20");
        jt_del(d, "/budget");
        jt_del(d, "/reported");
        if (score(d, &r)) {
            EXPECT_NO_FINDING(r.res, "EXECUTION_UNKNOWN", "");
            EXPECT_CENTS(json_object_get(r.res, "max"), 10000);
            EXPECT_CENTS(json_object_get(json_object_get(r.res, "execution"), "weight"), 0);
        }
        jt_run_free(&r);
    }
}

/* ---- rounding -------------------------------------------------------------------- */

static void test_rounding(void)
{
    jt_run r;
    json_t *d;
    jt_case("an indicator at exactly x.xx5 rounds up: 15 × 169 ÷ 200 = 12.675");
    d = base();
    jt_setj(d, "/indicators/0/target", "'≥200次'");
    jt_setj(d, "/indicators/0/actual", "'169次'");
    jt_setj(d, "/indicators/0/reported_score", "12.68");
    jt_setj(d, "/indicators/0/deviation_reason", "'原因'");
    jt_del(d, "/reported");
    if (score(d, &r)) {
        EXPECT_IND_SCORE(r.res, 0, 1268);
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
    }
    jt_run_free(&r);
    jt_case("percent at x.xx5: 15 × 84.5%% = 12.675 (12.67499… in binary)");
    d = base();
    jt_setj(d, "/indicators/1/actual", "'84.5%'");
    jt_setj(d, "/indicators/1/reported_score", "12.68");
    jt_setj(d, "/indicators/1/deviation_reason", "'原因'");
    jt_del(d, "/reported");
    if (score(d, &r)) {
        EXPECT_IND_SCORE(r.res, 1, 1268);
        EXPECT_NO_FINDING(r.res, "SCORE_MISMATCH", "");
    }
    jt_run_free(&r);
    jt_case("the total is the sum of rounded scores");
    d = base();
    jt_setj(d, "/indicators/0/target", "'≥200次'");
    jt_setj(d, "/indicators/0/actual", "'169次'");
    jt_setj(d, "/indicators/0/deviation_reason", "'原因'");
    jt_setj(d, "/indicators/1/actual", "'84.5%'");
    jt_setj(d, "/indicators/1/deviation_reason", "'原因'");
    jt_del(d, "/reported");
    if (score(d, &r))
        EXPECT_CENTS(json_object_get(r.res, "total"), 9536); /* not 95.35 */
    jt_run_free(&r);
    jt_case("1.005 rounds to 1.01: 2 × 100.5 ÷ 200");
    d = base();
    jt_setj(d, "/indicators/2/rule", "{'kind':'ratio'}");
    jt_setj(d, "/indicators/2/weight", "2");
    jt_setj(d, "/indicators/2/target", "'≥200次'");
    jt_setj(d, "/indicators/2/actual", "'100.5次'");
    jt_del(d, "/indicators/2/reported_score");
    jt_del(d, "/reported");
    if (score(d, &r))
        EXPECT_IND_SCORE(r.res, 2, 101);
    jt_run_free(&r);
    jt_case("2.505 rounds to 2.51: 3 × 167 ÷ 200");
    d = base();
    jt_setj(d, "/indicators/2/weight", "3");
    jt_setj(d, "/indicators/2/target", "'≥200次'");
    jt_setj(d, "/indicators/2/actual", "'167次'");
    jt_del(d, "/indicators/2/reported_score");
    jt_del(d, "/reported");
    if (score(d, &r))
        EXPECT_IND_SCORE(r.res, 2, 251);
    jt_run_free(&r);
}

/* ---- department-wide-2013 (§4) --------------------------------------------------- */

static const char *const dept_example =
    "{'scope':'department_wide','framework':'department-wide-2013',"
    "'org':'赫山区医疗保障事务中心','year':2021,"
    "'figures':{'staff_in_post':30,'authorised_posts':32,"
    "           'three_public_budget':'10万元','satisfaction':'95%'},"
    "'indicators':["
    "{'name':'绩效目标合理性','actual':[0,1,2],'reported_score':2},"
    "{'name':'支付进度率','actual':['年终进度','季度进度'],'reported_score':2},"
    "{'name':'完成及时率','actual':4,'reported_score':4},"
    "{'name':'社会效益','actual':'达成','reported_score':5},"
    "{'name':'在职人员控制率','reported_score':5}],"
    "'reported':{'total':95}}";

/* The result indicator whose name contains all the given parts. */
static json_t *ind_named(const json_t *res, const char *a, const char *b)
{
    json_t *inds = json_object_get(res, "indicators");
    size_t i;
    for (i = 0; i < json_array_size(inds); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(inds, i), "name"));
        if (n && strstr(n, a) && (!b || strstr(n, b)))
            return json_array_get(inds, i);
    }
    return NULL;
}

static void expect_named(const json_t *res, const char *a, const char *b, long long cents,
                         int line)
{
    json_t *ind = ind_named(res, a, b);
    if (!ind) {
        jt_fail(__FILE__, line, "no indicator named like %s%s in the result", a, b ? b : "");
        return;
    }
    jt_check_ll(jt_cents(json_object_get(ind, "score")), cents, __FILE__, line, a, "expected");
}
#define EXPECT_NAMED(res, a, b, cents) expect_named(res, a, b, cents, __LINE__)

static void test_department_wide(void)
{
    jt_run r;
    json_t *d;

    jt_case("department-wide-2013: the §4 example scores");
    if (score(jt_j(dept_example), &r)) {
        json_t *res = r.res;
        CHECK_STR(json_string_value(json_object_get(res, "framework")), "department-wide-2013");
        EXPECT_CENTS(json_object_get(res, "max"), 10000);
        CHECK(json_array_size(json_object_get(res, "indicators")) >= 26);
        EXPECT_NAMED(res, "绩效目标合理性", NULL, 200);
        EXPECT_NAMED(res, "支付进度率", NULL, 200);
        EXPECT_NAMED(res, "完成及时率", NULL, 400);
        EXPECT_NAMED(res, "社会效益", NULL, 500);
        EXPECT_NAMED(res, "在职人员控制率", NULL, 500);
        EXPECT_NAMED(res, "满意度", NULL, 475);
        EXPECT_NO_FINDING(res, "EXECUTION_UNKNOWN", "");
        EXPECT_NO_FINDING(res, "UNKNOWN_CATEGORY", "");
        EXPECT_NO_FINDING(res, "SCORE_MISMATCH", "");
        EXPECT_FINDING(res, "FIGURE_MISSING", ""); /* e.g. 重点支出安排率 */
        CHECK_STR(severity_of(res, "FIGURE_MISSING", ""), "error");
        CHECK(json_is_false(json_object_get(res, "complete")));
        EXPECT_CENTS(json_object_get(json_object_get(res, "execution"), "weight"), 0);
    }
    jt_run_free(&r);

    jt_case("department-wide-2013: FIGURE_MISSING for a missing figure");
    d = jt_j(dept_example);
    jt_del(d, "/figures/authorised_posts");
    if (score(d, &r)) {
        json_t *ind = ind_named(r.res, "在职人员控制率", NULL);
        EXPECT_FINDING(r.res, "FIGURE_MISSING", "");
        CHECK(ind != NULL && jt_cents(json_object_get(ind, "score")) == 0);
        CHECK(json_is_false(json_object_get(r.res, "complete")));
    }
    jt_run_free(&r);
    jt_case("department-wide-2013: FIGURE_MISSING for a zero divisor");
    d = jt_j(dept_example);
    jt_setj(d, "/figures/authorised_posts", "0");
    if (score(d, &r)) {
        json_t *ind = ind_named(r.res, "在职人员控制率", NULL);
        EXPECT_FINDING(r.res, "FIGURE_MISSING", "");
        CHECK(ind != NULL && jt_cents(json_object_get(ind, "score")) == 0);
    }
    jt_run_free(&r);

    jt_case("department-wide-2013: every formula of the §4 table");
    d = jt_j(
        "{'scope':'department_wide','framework':'department-wide-2013',"
        "'org':'测试部门','year':2021,"
        "'figures':{'staff_in_post':34,'authorised_posts':32,"
        " 'three_public_budget':'10万元','three_public_budget_last':'8万元',"
        " 'three_public_actual':'9万元',"
        " 'key_project_spend':'800万元','project_spend':'1000万元',"
        " 'budget_done':'900万元','budget':'1000万元','budget_adjusted_amount':'50万元',"
        " 'carryover':'121万元','carryover_last':'100万元',"
        " 'public_expense_actual':'103万元','public_expense_budget':'100万元',"
        " 'procurement_actual':'97万元','procurement_budget':'100万元',"
        " 'assets_in_use':'98万元','assets_total':'100万元',"
        " 'assessment_score':90,'assessment_max':100,"
        " 'work_quality_met':95,'work_planned':100,"
        " 'key_work_done':9,'key_work_assigned':10,"
        " 'satisfaction':'95%'},"
        "'indicators':[]}");
    if (score(d, &r)) {
        json_t *res = r.res;
        EXPECT_NAMED(res, "在职人员控制率", NULL, 471);   /* 5 × 32 ÷ 34 */
        EXPECT_NAMED(res, "三公经费", "变动率", 375);      /* 5 × (1 − 25%) */
        EXPECT_NAMED(res, "三公经费", "控制率", 200);      /* 90% ≤ 100% */
        EXPECT_NAMED(res, "重点支出安排率", NULL, 400);    /* 5 × 80% */
        EXPECT_NAMED(res, "预算完成率", NULL, 360);        /* 4 × 90% */
        EXPECT_NAMED(res, "预算调整率", NULL, 190);        /* 2 × (1 − 5%) */
        EXPECT_NAMED(res, "结转结余控制率", NULL, 200);    /* 21%: 6 points over, ceil(6/5) */
        EXPECT_NAMED(res, "公用经费控制率", NULL, 170);    /* 3 points over × 0.1 */
        EXPECT_NAMED(res, "政府采购执行率", NULL, 50);     /* cap 2 − 3 × 0.5 */
        EXPECT_NAMED(res, "固定资产利用率", NULL, 80);     /* 1 − 2 × 0.1 */
        EXPECT_NAMED(res, "实际完成率", NULL, 720);
        EXPECT_NAMED(res, "质量达标率", NULL, 760);
        EXPECT_NAMED(res, "重点工作办结率", NULL, 900);
        EXPECT_NAMED(res, "满意度", NULL, 475);
        EXPECT_NO_FINDING(res, "FIGURE_MISSING", "");
        EXPECT_NO_FINDING(res, "EXECUTION_UNKNOWN", "");
    }
    jt_run_free(&r);

    jt_case("department-wide-2013: a name it does not have");
    d = jt_j(dept_example);
    jt_setj(d, "/indicators/-", "{'name':'不存在的指标','actual':'达成','reported_score':1}");
    if (score(d, &r))
        EXPECT_FINDING(r.res, "UNKNOWN_CATEGORY", "/indicators/5");
    jt_run_free(&r);

    jt_case("unit-wide-2013 scores the same example");
    d = jt_j(dept_example);
    jt_setj(d, "/scope", "'unit_wide'");
    jt_setj(d, "/framework", "'unit-wide-2013'");
    if (score(d, &r)) {
        EXPECT_NAMED(r.res, "在职人员控制率", NULL, 500);
        EXPECT_NO_FINDING(r.res, "EXECUTION_UNKNOWN", "");
    }
    jt_run_free(&r);
}

/* ---- one context, many threads (§ "safe to call from many threads") ----------- */

struct thread_job {
    const char *text;
    const char *want;
    int bad;
};

static void *thread_main(void *arg)
{
    struct thread_job *job = arg;
    int i;
    for (i = 0; i < 200; i++) {
        char *out = NULL;
        size_t outlen = 0;
        jx_errors errs;
        if (jx_score_json(ctx, job->text, strlen(job->text), &out, &outlen, &errs) != JX_OK ||
            strcmp(out, job->want) != 0)
            job->bad++;
        free(out);
    }
    return NULL;
}

static void test_threads(void)
{
    static const char *const docs[] = {baseline_doc, dept_example};
    struct thread_job jobs[4];
    pthread_t th[4];
    char *texts[2], *wants[2];
    size_t i;
    jt_case("one context scoring from 4 threads gives the same results");
    for (i = 0; i < 2; i++) {
        json_t *d = jt_j(docs[i]);
        jx_errors errs;
        size_t outlen;
        texts[i] = json_dumps(d, JSON_COMPACT);
        json_decref(d);
        wants[i] = NULL;
        jx_score_json(ctx, texts[i], strlen(texts[i]), &wants[i], &outlen, &errs);
        if (!CHECK(wants[i] != NULL))
            return;
    }
    for (i = 0; i < 4; i++) {
        jobs[i].text = texts[i % 2];
        jobs[i].want = wants[i % 2];
        jobs[i].bad = 0;
        if (pthread_create(&th[i], NULL, thread_main, &jobs[i]) != 0) {
            FAIL("pthread_create");
            return;
        }
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(jobs[i].bad, 0);
    }
    for (i = 0; i < 2; i++) {
        free(texts[i]);
        free(wants[i]);
    }
}

int main(void)
{
    ctx = jx_ctx_new();
    if (!ctx) {
        fprintf(stderr, "jx_ctx_new failed\n");
        return 1;
    }
    test_baseline();
    test_section7_example();
    test_totals();
    test_indicator_findings();
    test_categories();
    test_budget();
    test_rounding();
    test_department_wide();
    test_threads();
    jx_ctx_free(ctx);
    return jt_finish("test_findings");
}
