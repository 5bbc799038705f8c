/*
 * test_rules: each rule kind of scoring.md §3, one small document per case
 * through jx_score_json, checking the indicator's score, `met`, `rule` and
 * the findings; the built-in frameworks; and a framework from another
 * province given purely as data.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static jx_ctx *ctx;
static jt_run last;  /* the last case's run, for extra checks */

enum { MET_NULL = -1, MET_FALSE = 0, MET_TRUE = 1, MET_ANY = 2 };

/* A project document with one indicator built from JSON texts (written with
 * ' for "; NULL leaves the field out). */
static json_t *one_indicator_doc(double weight, const char *target, const char *actual,
                                 const char *rule, const char *reported)
{
    json_t *doc = jt_j("{'scope':'project','framework':'project-2020','name':'规则测试项目',"
                       "'org':'测试单位','year':2022,'indicators':[{'level1':'产出指标',"
                       "'level2':'数量指标','name':'测试指标'}]}");
    json_t *ind = json_array_get(json_object_get(doc, "indicators"), 0);
    json_object_set_new(ind, "weight", json_real(weight));
    if (target)
        json_object_set_new(ind, "target", jt_j(target));
    if (actual)
        json_object_set_new(ind, "actual", jt_j(actual));
    if (rule)
        json_object_set_new(ind, "rule", jt_j(rule));
    if (reported)
        json_object_set_new(ind, "reported_score", jt_j(reported));
    return doc;
}

static int check_met(const json_t *res, int want, int line)
{
    json_t *met = json_object_get(jt_ind(res, 0), "met");
    int got = json_is_true(met) ? MET_TRUE : json_is_false(met) ? MET_FALSE
            : json_is_null(met) ? MET_NULL : 99;
    if (want == MET_ANY)
        return 1;
    return jt_check_ll(got, want, __FILE__, line, "met (1 true, 0 false, -1 null)", "want");
}

/* Scores one indicator and checks its score (hundredths), met and rule. */
static void one_case(int line, const char *label, double weight, const char *target,
                     const char *actual, const char *rule, const char *reported,
                     long long cents, int met, const char *rule_name)
{
    json_t *doc = one_indicator_doc(weight, target, actual, rule, reported);
    jt_run_free(&last);
    jt_case("%s (line %d)", label, line);
    jt_score(ctx, doc, &last);
    json_decref(doc);
    if (!jt_expect_scored(&last, __FILE__, line))
        return;
    if (cents != LLONG_MIN)
        jt_check_ll(jt_ind_score(last.res, 0), cents, __FILE__, line, "indicator score",
                    "expected (hundredths)");
    check_met(last.res, met, line);
    if (rule_name)
        jt_check_str(json_string_value(json_object_get(jt_ind(last.res, 0), "rule")),
                     rule_name, __FILE__, line, "rule", "expected");
}

#define CASE(label, w, t, a, rule, rep, cents, met, rname) \
    one_case(__LINE__, label, w, t, a, rule, rep, cents, met, rname)
#define ANY LLONG_MIN

static void test_ratio(void)
{
    CASE(">= missed", 10, "'≥30次'", "'24次'", NULL, NULL, 800, MET_FALSE, "ratio");
    CASE(">= met exactly", 10, "'≥30次'", "'30次'", NULL, NULL, 1000, MET_TRUE, "ratio");
    CASE(">= beaten", 10, "'≥30次'", "'35次'", NULL, NULL, 1000, MET_TRUE, "ratio");
    CASE("> missed", 10, "'>30次'", "'24次'", NULL, NULL, 800, MET_FALSE, "ratio");
    CASE("> met", 10, "'>30次'", "'31次'", NULL, NULL, 1000, MET_TRUE, "ratio");
    CASE("> equal is not met", 10, "'>30次'", "'30次'", NULL, NULL, ANY, MET_FALSE, "ratio");
    CASE("explicit ratio rule", 10, "'≥30次'", "'24次'", "{'kind':'ratio'}", NULL, 800,
         MET_FALSE, "ratio");
    CASE(">= percent", 5, "'≥95%'", "'90%'", NULL, NULL, 474, MET_FALSE, "ratio");
    CASE(">= bare JSON number is percentage points", 10, "'≥90%'", "45", NULL, NULL, 500,
         MET_FALSE, NULL);
    CASE("structured target", 10, "{'op':'>=','value':95,'unit':'%'}", "'90%'", NULL, NULL,
         947, MET_FALSE, NULL);
    CASE("structured actual", 10, "'≥30次'", "{'op':'=','value':24,'unit':'次'}", NULL, NULL,
         800, MET_FALSE, NULL);

    CASE("<= met", 10, "'≤90万元'", "'73.63万元'", NULL, NULL, 1000, MET_TRUE, "ratio");
    CASE("<= inverse (default)", 10, "'≤90万元'", "'100万元'", NULL, NULL, 900, MET_FALSE,
         "ratio");
    CASE("<= inverse explicit", 10, "'≤90万元'", "'100万元'",
         "{'kind':'ratio','reverse':'inverse'}", NULL, 900, MET_FALSE, "ratio");
    CASE("<= linear", 10, "'≤90万元'", "'100万元'", "{'kind':'ratio','reverse':'linear'}",
         NULL, 889, MET_FALSE, "ratio");
    CASE("<= linear zero at twice the target", 10, "'≤90万元'", "'180万元'",
         "{'kind':'ratio','reverse':'linear'}", NULL, 0, MET_FALSE, "ratio");
    CASE("<= linear beyond twice clamps at 0", 10, "'≤90万元'", "'200万元'",
         "{'kind':'ratio','reverse':'linear'}", NULL, 0, MET_FALSE, "ratio");
    CASE("< missed (inverse)", 10, "'<5天'", "'8天'", NULL, NULL, 625, MET_FALSE, "ratio");
    CASE("< met", 10, "'<5天'", "'4天'", NULL, NULL, 1000, MET_TRUE, "ratio");
    CASE("< equal is not met", 10, "'<5天'", "'5天'", NULL, NULL, ANY, MET_FALSE, "ratio");
    CASE("money in different units", 10, "'≤90万元'", "'730000元'", NULL, NULL, 1000,
         MET_TRUE, NULL);
    CASE("bare 万 takes money from the other side", 10, "'≤90万'", "'73.63万元'", NULL, NULL,
         1000, MET_TRUE, NULL);
    CASE("actual without unit takes the target's", 10, "'≥30次'", "'24'", NULL, NULL, 800,
         MET_FALSE, NULL);
    CASE("万 before a count unit", 10, "'≥6万人次'", "'5.45万人次'", NULL, NULL, 908, MET_FALSE,
         NULL);

    CASE("= symmetric below", 10, "'100人'", "'80人'", NULL, NULL, 800, MET_FALSE, "ratio");
    CASE("= symmetric above", 10, "'100人'", "'125人'", NULL, NULL, 800, MET_FALSE, "ratio");
    CASE("= met", 10, "'=100人'", "'100人'", NULL, NULL, 1000, MET_TRUE, "ratio");
    CASE("= at_least below", 10, "'100人'", "'80人'", "{'kind':'ratio','equal':'at_least'}",
         NULL, 800, MET_ANY, "ratio");
    CASE("= at_least above", 10, "'100人'", "'125人'", "{'kind':'ratio','equal':'at_least'}",
         NULL, 1000, MET_ANY, "ratio");

    CASE("target 0 missed (<=, inverse)", 10, "'≤0次'", "'2次'", NULL, NULL, 0, MET_FALSE,
         NULL);
    CASE("target 0 missed (<=, linear)", 10, "'≤0次'", "'2次'",
         "{'kind':'ratio','reverse':'linear'}", NULL, 0, MET_FALSE, NULL);
    CASE("target 0 missed (=)", 10, "'0次'", "'3次'", NULL, NULL, 0, MET_FALSE, NULL);
    CASE("target 0 met", 10, "'≤0次'", "'0次'", NULL, NULL, 1000, MET_TRUE, NULL);
    CASE("negative actual counts as 0 (>=, percent)", 10, "'≥10%'", "-5", NULL, NULL, 0,
         MET_FALSE, NULL);
    CASE("negative actual counts as 0 (>=, count)", 10, "'≥10次'", "-3", NULL, NULL, 0,
         MET_FALSE, NULL);
    CASE("negative actual under a <= target is met", 10, "'≤5%'", "-2", NULL, NULL, 1000,
         MET_TRUE, NULL);
}

static void test_threshold(void)
{
    CASE("threshold missed", 10, "'≥95%'", "'94%'", "{'kind':'threshold'}", NULL, 0, MET_FALSE,
         "threshold");
    CASE("threshold met", 10, "'≥95%'", "'95%'", "{'kind':'threshold'}", NULL, 1000, MET_TRUE,
         "threshold");
    CASE("threshold <= missed", 10, "'≤3人'", "'4人'", "{'kind':'threshold'}", NULL, 0,
         MET_FALSE, "threshold");
}

static void test_step(void)
{
    /* points basis (the default for a percent target) */
    CASE("step points floor", 10, "'≥95%'", "'92.5%'", "{'kind':'step','per':1,'deduct':1}",
         NULL, 800, MET_FALSE, "step");
    CASE("step points ceil", 10, "'≥95%'", "'92.5%'",
         "{'kind':'step','per':1,'deduct':1,'rounding':'ceil'}", NULL, 700, MET_FALSE, "step");
    CASE("step points exact", 10, "'≥95%'", "'92.5%'",
         "{'kind':'step','per':1,'deduct':1,'rounding':'exact'}", NULL, 750, MET_FALSE, "step");
    CASE("step points explicit", 10, "'≥95%'", "'92.5%'",
         "{'kind':'step','per':1,'deduct':1,'basis':'points'}", NULL, 800, MET_FALSE, "step");
    CASE("step met", 10, "'≥95%'", "'96%'", "{'kind':'step','per':1,'deduct':1}", NULL, 1000,
         MET_TRUE, "step");
    /* relative basis (the default otherwise) */
    CASE("step relative floor", 10, "'≥100次'", "'85次'", "{'kind':'step','per':10,'deduct':1}",
         NULL, 900, MET_FALSE, "step");
    CASE("step relative ceil", 10, "'≥100次'", "'85次'",
         "{'kind':'step','per':10,'deduct':1,'rounding':'ceil'}", NULL, 800, MET_FALSE, "step");
    CASE("step relative exact", 10, "'≥100次'", "'85次'",
         "{'kind':'step','per':10,'deduct':1,'rounding':'exact'}", NULL, 850, MET_FALSE, "step");
    CASE("step relative on a percent target", 10, "'≥80%'", "'72%'",
         "{'kind':'step','per':10,'deduct':1,'basis':'relative'}", NULL, 900, MET_FALSE, "step");
    CASE("step points on the same numbers", 10, "'≥80%'", "'72%'",
         "{'kind':'step','per':10,'deduct':1}", NULL, 1000, MET_FALSE, "step");
    /* reference */
    CASE("step from a reference", 10, "'≥95%'", "'75%'",
         "{'kind':'step','per':1,'deduct':1,'reference':0.8}", NULL, 500, MET_FALSE, "step");
    CASE("step above the reference deducts nothing", 10, "'≥95%'", "'85%'",
         "{'kind':'step','per':1,'deduct':1,'reference':0.8}", NULL, 1000, MET_FALSE, "step");
    /* a <= target: the excess is the shortfall */
    CASE("step <= excess floor", 10, "'≤100%'", "'103.5%'",
         "{'kind':'step','per':1,'deduct':0.5}", NULL, 850, MET_FALSE, "step");
    CASE("step <= excess exact", 10, "'≤100%'", "'103.5%'",
         "{'kind':'step','per':1,'deduct':0.5,'rounding':'exact'}", NULL, 825, MET_FALSE, "step");
    CASE("step <= under the bound", 10, "'≤100%'", "'98%'",
         "{'kind':'step','per':1,'deduct':0.5}", NULL, 1000, MET_TRUE, "step");
    /* an = target: the distance either way */
    CASE("step = below", 10, "'100%'", "'97%'", "{'kind':'step','per':1,'deduct':1}", NULL, 700,
         MET_FALSE, "step");
    CASE("step = above", 10, "'100%'", "'103%'", "{'kind':'step','per':1,'deduct':1}", NULL,
         700, MET_FALSE, "step");
    CASE("step = on target", 10, "'100%'", "'100%'", "{'kind':'step','per':1,'deduct':1}", NULL,
         1000, MET_TRUE, "step");
    /* never below 0 */
    CASE("step never below 0", 10, "'≥95%'", "'50%'", "{'kind':'step','per':1,'deduct':1}",
         NULL, 0, MET_FALSE, "step");
    CASE("step relative never below 0", 10, "'≥100次'", "'1次'",
         "{'kind':'step','per':10,'deduct':2}", NULL, 0, MET_FALSE, "step");
}

static void test_scaled(void)
{
    CASE("scaled", 5, "'100%'", "'95%'", "{'kind':'scaled'}", NULL, 475, MET_NULL, "scaled");
    CASE("scaled without target", 5, NULL, "'95%'", "{'kind':'scaled'}", NULL, 475, MET_NULL,
         "scaled");
    CASE("scaled clamps at 1", 5, NULL, "'120%'", "{'kind':'scaled'}", NULL, 500, MET_NULL,
         "scaled");
    CASE("scaled zero", 5, NULL, "'0%'", "{'kind':'scaled'}", NULL, 0, MET_NULL, "scaled");
    CASE("scaled half-up", 10, NULL, "'84.95%'", "{'kind':'scaled'}", NULL, 850, MET_NULL,
         "scaled");
}

static void test_levels(void)
{
    CASE("levels 良 of 优", 10, "'优'", "'良'", "{'kind':'levels'}", NULL, 800, MET_FALSE,
         "levels");
    CASE("levels 中 of 优", 10, "'优'", "'中'", "{'kind':'levels'}", NULL, 600, MET_FALSE,
         "levels");
    CASE("levels 差 of 优", 10, "'优'", "'差'", "{'kind':'levels'}", NULL, 0, MET_FALSE,
         "levels");
    CASE("levels 优 of 优", 10, "'优'", "'优'", "{'kind':'levels'}", NULL, 1000, MET_TRUE,
         "levels");
    CASE("levels above the target is full", 10, "'良'", "'优'", "{'kind':'levels'}", NULL, 1000,
         MET_TRUE, "levels");
    CASE("levels at the target is full", 10, "'良'", "'良'", "{'kind':'levels'}", NULL, 1000,
         MET_TRUE, "levels");
    CASE("levels below a 良 target", 10, "'良'", "'中'", "{'kind':'levels'}", NULL, 600,
         MET_FALSE, "levels");
    CASE("levels custom map", 10, "'优'", "'中'",
         "{'kind':'levels','levels':{'优':1,'良':0.9,'中':0.5,'差':0}}", NULL, 500, MET_FALSE,
         "levels");
}

static void test_bands(void)
{
    CASE("bands 达成 inside keeps the reported score", 10, "'达成'", "'达成'", NULL, "9", 900,
         MET_TRUE, "bands");
    EXPECT_NO_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    EXPECT_NO_FINDING(last.res, "SCORE_MISMATCH", "/indicators/0");
    EXPECT_NO_FINDING(last.res, "DEDUCTED_TARGET_MET", "/indicators/0");
    CASE("bands 达成 at the lower cut", 10, "'达成'", "'达成'", NULL, "8", 800, MET_TRUE,
         "bands");
    EXPECT_NO_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    CASE("bands 达成 below its band", 10, "'达成'", "'达成'", NULL, "7", 1000, MET_TRUE, "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    EXPECT_NO_FINDING(last.res, "SCORE_MISMATCH", "/indicators/0");
    EXPECT_NO_FINDING(last.res, "DEDUCTED_TARGET_MET", "/indicators/0");
    CASE("bands 达成 with no reported score", 10, "'达成'", "'达成'", NULL, NULL, 1000,
         MET_TRUE, "bands");
    EXPECT_NO_FINDING(last.res, "SCORE_OUTSIDE_BAND", "");

    CASE("bands 部分达成 inside", 10, "'达成'", "'部分达成'", NULL, "7", 700, MET_FALSE,
         "bands");
    EXPECT_NO_FINDING(last.res, "SCORE_OUTSIDE_BAND", "");
    CASE("bands 部分达成 at its lower cut", 10, "'达成'", "'部分达成'", NULL, "6", 600,
         MET_FALSE, "bands");
    EXPECT_NO_FINDING(last.res, "SCORE_OUTSIDE_BAND", "");
    CASE("bands 部分达成 at 80% is outside [60%, 80%)", 10, "'达成'", "'部分达成'", NULL, "8",
         700, MET_FALSE, "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    CASE("bands 部分达成 with full score", 10, "'达成'", "'部分达成'", NULL, "10", 700,
         MET_FALSE, "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    EXPECT_NO_FINDING(last.res, "FULL_SCORE_TARGET_MISSED", "");
    EXPECT_NO_FINDING(last.res, "SCORE_MISMATCH", "");
    CASE("bands 基本完成 is 部分达成", 10, "'达成'", "'基本完成'", NULL, "7", 700, MET_FALSE,
         "bands");

    CASE("bands 未达成 inside", 10, "'达成'", "'未达成'", NULL, "5", 500, MET_FALSE, "bands");
    EXPECT_NO_FINDING(last.res, "SCORE_OUTSIDE_BAND", "");
    CASE("bands 未达成 above its band", 10, "'达成'", "'未达成'", NULL, "6", 0, MET_FALSE,
         "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    CASE("bands 未达成 with full score", 10, "'达成'", "'未达成'", NULL, "10", 0, MET_FALSE,
         "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    EXPECT_NO_FINDING(last.res, "FULL_SCORE_TARGET_MISSED", "");
    EXPECT_NO_FINDING(last.res, "SCORE_MISMATCH", "");

    CASE("bands text equal to the target is 达成", 10, "'显著提高'", "'显著提高'", NULL, "10",
         1000, MET_TRUE, "bands");
    EXPECT_NO_FINDING(last.res, "QUALITATIVE_JUDGEMENT", "");
    CASE("bands text equal after normalisation", 10, "'显著提高'", "'显著 提高。'", NULL, "9",
         900, MET_TRUE, "bands");
    EXPECT_NO_FINDING(last.res, "QUALITATIVE_JUDGEMENT", "");
    CASE("bands text equal after width normalisation", 10, "'提高10%'", "'提高１０％'", NULL,
         "10", 1000, MET_ANY, NULL);
    CASE("bands undeterminable text keeps the reported score", 10, "'显著提高'", "'有所提高'",
         NULL, "8", 800, MET_ANY, "bands");
    EXPECT_FINDING(last.res, "QUALITATIVE_JUDGEMENT", "/indicators/0");
    if (last.res)
        CHECK(json_is_true(json_object_get(last.res, "complete")) ||
              jt_count(last.res, "EXECUTION_UNKNOWN", "") > 0);
    CASE("bands undeterminable text, no reported score", 10, "'显著提高'", "'有所提高'", NULL,
         NULL, 0, MET_ANY, "bands");
    EXPECT_FINDING(last.res, "ACTUAL_UNDETERMINED", "/indicators/0");
    if (last.res)
        CHECK(json_is_false(json_object_get(last.res, "complete")));
    CASE("bands word actual of a numeric target", 10, "'100%'", "'全覆盖'", NULL, "10", 1000,
         MET_ANY, "bands");
    EXPECT_NO_FINDING(last.res, "UNIT_MISMATCH", "");
    CASE("bands word actual of a numeric target, low score", 10, "'100%'", "'全覆盖'", NULL, "7",
         1000, MET_ANY, "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    CASE("bands explicit rule", 10, "'达成'", "'部分达成'", "{'kind':'bands'}", "7", 700,
         MET_FALSE, "bands");
    CASE("bands under the default cuts: 5.5 is outside 部分达成", 10, "'达成'", "'部分达成'",
         NULL, "5.5", 700, MET_FALSE, "bands");
    EXPECT_FINDING(last.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
}

static void test_checklist(void)
{
    static const char *const items =
        "{'kind':'checklist','items':[{'name':'制度健全','points':1},"
        "{'name':'合法合规','points':0.5},{'name':'有效执行','points':0.5}]}";
    CASE("checklist by index", 2, NULL, "[0, 2]", items, NULL, 150, MET_NULL, "checklist");
    CASE("checklist by name", 2, NULL, "['合法合规','有效执行']", items, NULL, 100, MET_NULL,
         "checklist");
    CASE("checklist mixed", 2, NULL, "[0,'有效执行']", items, NULL, 150, MET_NULL, "checklist");
    CASE("checklist all", 2, NULL, "[0,1,2]", items, NULL, 200, MET_NULL, "checklist");
    CASE("checklist none", 2, NULL, "[]", items, NULL, 0, MET_NULL, "checklist");
    CASE("checklist reported matches", 2, NULL, "[0,1]", items, "1.5", 150, MET_NULL,
         "checklist");
    EXPECT_NO_FINDING(last.res, "SCORE_MISMATCH", "");
    CASE("checklist reported differs", 2, NULL, "[0,1]", items, "2", 150, MET_NULL,
         "checklist");
    EXPECT_FINDING(last.res, "SCORE_MISMATCH", "/indicators/0");
}

static void test_quarters(void)
{
    CASE("quarters 3", 4, NULL, "3", "{'kind':'quarters','each':1}", NULL, 300, MET_NULL,
         "quarters");
    CASE("quarters 4", 4, NULL, "4", "{'kind':'quarters','each':1}", NULL, 400, MET_NULL,
         "quarters");
    CASE("quarters 0", 4, NULL, "0", "{'kind':'quarters','each':1}", NULL, 0, MET_NULL,
         "quarters");
    CASE("quarters 0.5 each", 2, NULL, "3", "{'kind':'quarters','each':0.5}", NULL, 150,
         MET_NULL, "quarters");
}

static void test_manual(void)
{
    CASE("manual", 10, NULL, NULL, "{'kind':'manual'}", "7.25", 725, MET_NULL, "manual");
    EXPECT_NO_FINDING(last.res, "ACTUAL_MISSING", "");
    EXPECT_NO_FINDING(last.res, "SCORE_MISMATCH", "");
    CASE("manual above the weight", 10, NULL, NULL, "{'kind':'manual'}", "12", ANY, MET_NULL,
         "manual");
    EXPECT_FINDING(last.res, "SCORE_ABOVE_WEIGHT", "/indicators/0");
}

static void test_cap(void)
{
    CASE("cap: 为100%的计2分，每低于1个百分点扣0.5分 under weight 4", 4, "'≥100%'", "'97%'",
         "{'kind':'step','per':1,'deduct':0.5,'cap':2}", NULL, 50, MET_FALSE, "step");
    CASE("cap: met gives the cap", 4, "'≥100%'", "'100%'",
         "{'kind':'step','per':1,'deduct':0.5,'cap':2}", NULL, 200, MET_TRUE, "step");
    CASE("cap on ratio", 10, "'≥10次'", "'8次'", "{'kind':'ratio','cap':5}", NULL, 400,
         MET_FALSE, "ratio");
    CASE("cap on threshold", 10, "'≥10次'", "'10次'", "{'kind':'threshold','cap':6}", NULL, 600,
         MET_TRUE, "threshold");
}

static void test_builtins(void)
{
    static const char *const ids[] = {"project-2020", "department-wide-2013", "unit-wide-2013"};
    static const char *const scopes[] = {"project", "department_wide", "unit_wide"};
    size_t i;
    jt_case("built-in frameworks");
    CHECK(jx_ctx_framework_count(ctx) >= 3);
    for (i = 0; i < jx_ctx_framework_count(ctx); i++)
        CHECK(jx_ctx_framework_at(ctx, i) != NULL);
    for (i = 0; i < 3; i++) {
        const jx_framework *fw = jx_ctx_framework(ctx, ids[i]);
        jt_case("built-in %s", ids[i]);
        if (!CHECK(fw != NULL))
            continue;
        CHECK_STR(jx_framework_id(fw), ids[i]);
        CHECK_STR(jx_framework_scope(fw), scopes[i]);
        CHECK_INT(jx_framework_max(fw), 10000);
        CHECK(jx_framework_name(fw) && jx_framework_name(fw)[0]);
        {
            char *js = jx_framework_json(fw);
            json_t *j = js ? json_loads(js, 0, NULL) : NULL;
            if (CHECK(j != NULL)) {
                jx_errors errs;
                jx_framework *again;
                CHECK_STR(json_string_value(json_object_get(j, "id")), ids[i]);
                /* the canonical JSON loads back as the same framework */
                {
                    json_t *copy = json_deep_copy(j);
                    char *canon;
                    json_object_del(copy, "findings");
                    canon = json_dumps(copy, JSON_COMPACT);
                    json_decref(copy);
                    jx_errors_clear(&errs);
                    again = jx_framework_load(canon, strlen(canon), &errs);
                    if (CHECK(again != NULL)) {
                        CHECK_STR(jx_framework_id(again), ids[i]);
                        CHECK_INT(jx_framework_max(again), jx_framework_max(fw));
                        jx_framework_free(again);
                    } else {
                        jt_print_errors(&errs);
                    }
                    free(canon);
                }
                if (i == 1) {
                    /* 政府采购执行率 gives at most 2 of its 4 (a cap) */
                    json_t *fs = json_object_get(j, "findings");
                    size_t k;
                    int found = 0;
                    for (k = 0; k < json_array_size(fs); k++) {
                        const char *c = json_string_value(
                            json_object_get(json_array_get(fs, k), "code"));
                        if (c && strcmp(c, "FRAMEWORK_RULE_MAX") == 0)
                            found = 1;
                    }
                    if (!found)
                        FAIL("department-wide-2013 has no FRAMEWORK_RULE_MAX finding");
                }
            }
            json_decref(j);
            free(js);
        }
    }
    jt_case("unknown built-in");
    CHECK(jx_ctx_framework(ctx, "project-1999") == NULL);
}

/* A province's framework as data: 投入 30 / 过程 30 / 产出与效益 40, no
 * execution weight, "少10%扣1分，扣完为止" as its default rule. */
static const char *const province_fw =
    "{'id':'province-2021-test','name':'某省项目支出绩效评价指标体系',"
    "'scope':'project','execution_weight':0,"
    "'categories':["
    "{'level1':'投入指标','aliases':['投入'],'weight':30,'level2':['项目立项','资金落实']},"
    "{'level1':'过程指标','aliases':['过程'],'weight':30,'level2':['资金管理','组织实施']},"
    "{'level1':'产出与效益指标','aliases':['产出与效益'],'weight':40,"
    " 'level2':['项目产出','项目效益']}],"
    "'default_rule':{'kind':'step','per':10,'deduct':1,'basis':'relative'},"
    "'indicators':[]}";

static void test_province_framework(void)
{
    json_t *fw = jt_j(province_fw);
    json_t *doc = jt_j(
        "{'scope':'project','name':'农村道路养护','org':'某县交通运输局','year':2021,"
        "'indicators':["
        "{'level1':'投入指标','level2':'项目立项','name':'立项规范性','weight':15,"
        " 'target':'100%','actual':'100%','reported_score':15},"
        "{'level1':'投入','level2':'资金落实','name':'资金到位率','weight':15,"
        " 'target':'100%','actual':'75%','reported_score':13,'deviation_reason':'省级资金未到位'},"
        "{'level1':'过程指标','level2':'资金管理','name':'资金使用合规率','weight':15,"
        " 'target':'≥95%','actual':'76%','reported_score':13,'deviation_reason':'整改中'},"
        "{'level1':'过程','level2':'组织实施','name':'督查次数','weight':15,"
        " 'target':'≥20次','actual':'15次','reported_score':13.5,'deviation_reason':'疫情影响'},"
        "{'level1':'产出与效益指标','level2':'项目产出','name':'养护里程','weight':20,"
        " 'target':'≥1000公里','actual':'1000公里','reported_score':20},"
        "{'level1':'产出与效益','level2':'项目效益','name':'群众满意度','weight':20,"
        " 'target':'≥90%','actual':'95%','reported_score':20}],"
        "'reported':{'total':94.5}}");
    char *fwtext;
    jx_errors errs;
    jx_framework *loaded;
    jt_run run;

    jt_case("province framework loads");
    fwtext = json_dumps(fw, JSON_COMPACT);
    jx_errors_clear(&errs);
    loaded = jx_framework_load(fwtext, strlen(fwtext), &errs);
    if (CHECK(loaded != NULL)) {
        CHECK_STR(jx_framework_id(loaded), "province-2021-test");
        CHECK_STR(jx_framework_scope(loaded), "project");
        CHECK_INT(jx_framework_max(loaded), 10000);
        jx_framework_free(loaded);
    } else {
        jt_print_errors(&errs);
    }
    free(fwtext);

    jt_case("province framework scores a document");
    json_object_set(doc, "framework", fw);
    jt_score(ctx, doc, &run);
    if (EXPECT_SCORED(&run)) {
        json_t *res = run.res;
        EXPECT_IND_SCORE(res, 0, 1500);
        EXPECT_IND_SCORE(res, 1, 1300); /* 25% short: 2 × 1 */
        EXPECT_IND_SCORE(res, 2, 1300); /* (95-76)/95 = 20% short */
        EXPECT_IND_SCORE(res, 3, 1300); /* 25% short */
        EXPECT_IND_SCORE(res, 4, 2000);
        EXPECT_IND_SCORE(res, 5, 2000);
        EXPECT_CENTS(json_object_get(res, "total"), 9400);
        EXPECT_CENTS(json_object_get(res, "max"), 10000);
        CHECK_STR(json_string_value(json_object_get(res, "grade")), "优");
        CHECK_STR(json_string_value(json_object_get(res, "framework")), "province-2021-test");
        EXPECT_CENTS(json_object_get(json_object_get(res, "execution"), "score"), 0);
        CHECK_STR(json_string_value(json_object_get(jt_ind(res, 1), "rule")), "step");
        EXPECT_NO_FINDING(res, "EXECUTION_UNKNOWN", "");
        EXPECT_NO_FINDING(res, "WEIGHTS_TOTAL", "");
        EXPECT_NO_FINDING(res, "CATEGORY_WEIGHT", "");
        EXPECT_NO_FINDING(res, "MISSING_CATEGORY", "");
        EXPECT_NO_FINDING(res, "UNKNOWN_CATEGORY", "");
        EXPECT_FINDING(res, "SCORE_MISMATCH", "/indicators/3");
        EXPECT_NO_FINDING(res, "SCORE_MISMATCH", "/indicators/1");
        EXPECT_FINDING(res, "TOTAL_MISMATCH", "/reported/total");
        EXPECT_NO_FINDING(res, "REPORTED_SUM_MISMATCH", "");
        CHECK(json_is_true(json_object_get(res, "complete")));
        if (json_array_size(json_object_get(res, "categories")) != 3)
            FAIL("expected 3 categories, got %zu",
                 json_array_size(json_object_get(res, "categories")));
    }
    jt_run_free(&run);

    jt_case("province framework: a project-2020 category is unknown there");
    jt_setj(doc, "/indicators/4/level1", "'产出指标'");
    jt_setj(doc, "/indicators/4/level2", "'数量指标'");
    jt_score(ctx, doc, &run);
    if (EXPECT_SCORED(&run))
        EXPECT_FINDING(run.res, "UNKNOWN_CATEGORY", "/indicators/4");
    jt_run_free(&run);

    jt_case("framework validation: weights not adding up to 100");
    jt_setj(fw, "/categories/2/weight", "30");
    fwtext = json_dumps(fw, JSON_COMPACT);
    jx_errors_clear(&errs);
    loaded = jx_framework_load(fwtext, strlen(fwtext), &errs);
    if (!CHECK(loaded == NULL))
        jx_framework_free(loaded);
    else
        CHECK(errs.count > 0 && errs.status != JX_OK && errs.items[0].message[0]);
    free(fwtext);

    jt_case("framework validation: an unknown rule kind");
    jt_setj(fw, "/categories/2/weight", "40");
    jt_setj(fw, "/default_rule", "{'kind':'magic'}");
    fwtext = json_dumps(fw, JSON_COMPACT);
    jx_errors_clear(&errs);
    loaded = jx_framework_load(fwtext, strlen(fwtext), &errs);
    if (!CHECK(loaded == NULL))
        jx_framework_free(loaded);
    else
        CHECK(errs.count > 0);
    free(fwtext);

    jt_case("framework validation: malformed JSON");
    jx_errors_clear(&errs);
    loaded = jx_framework_load("{'id':", 6, &errs);
    if (!CHECK(loaded == NULL))
        jx_framework_free(loaded);
    else
        CHECK_INT(errs.status, JX_ESYNTAX);

    json_decref(doc);
    json_decref(fw);
}

/* The 80 / 50 band cut points of some provinces, as a framework setting. */
static void test_band_settings(void)
{
    json_t *fw = jt_j(province_fw);
    json_t *doc = jt_j("{'scope':'project','name':'x','org':'y','year':2021,'indicators':["
                       "{'level1':'投入','level2':'项目立项','name':'q','weight':10,"
                       " 'target':'达成','actual':'部分达成','reported_score':5.5,"
                       " 'deviation_reason':'部分未完成'}]}");
    jt_run run;
    jt_setj(fw, "/qualitative_bands", "[0.8, 0.5]");
    json_object_set_new(doc, "framework", fw);
    jt_case("qualitative_bands [0.8, 0.5]: 5.5 of 10 is inside 部分达成");
    jt_score(ctx, doc, &run);
    if (EXPECT_SCORED(&run)) {
        EXPECT_IND_SCORE(run.res, 0, 550);
        EXPECT_NO_FINDING(run.res, "SCORE_OUTSIDE_BAND", "");
    }
    jt_run_free(&run);
    jt_case("qualitative_bands [0.8, 0.5]: 4.9 of 10 is outside 部分达成");
    jt_setj(doc, "/indicators/0/reported_score", "4.9");
    jt_score(ctx, doc, &run);
    if (EXPECT_SCORED(&run)) {
        EXPECT_IND_SCORE(run.res, 0, 700);
        EXPECT_FINDING(run.res, "SCORE_OUTSIDE_BAND", "/indicators/0");
    }
    jt_run_free(&run);
    json_decref(doc);
}

int main(void)
{
    ctx = jx_ctx_new();
    if (!ctx) {
        fprintf(stderr, "jx_ctx_new failed\n");
        return 1;
    }
    test_ratio();
    test_threshold();
    test_step();
    test_scaled();
    test_levels();
    test_bands();
    test_checklist();
    test_quarters();
    test_manual();
    test_cap();
    jt_run_free(&last);
    test_builtins();
    test_province_framework();
    test_band_settings();
    jx_ctx_free(ctx);
    return jt_finish("test_rules");
}
