/*
 * score.c -- scoring a whole document (scoring.md §3-§5).
 *
 * A project document brings its own indicators; a wide document
 * (department_wide, unit_wide) takes its indicators from the framework and
 * computes their values from the document's figures, plus any indicators of
 * its own.  Each indicator is scored by rules.c and rounded to hundredths;
 * the total is the sum of those rounded scores and the execution score, so
 * the score table adds up to the cent.  `complete` turns false whenever
 * something could not be determined: the total is then a lower bound.
 * §8: a not-applicable indicator is not scored and its weight leaves max
 * (the grade is on the applicable part); a wide document's own indicators
 * have their own subtotal, outside total and max, unless the framework
 * gives them a category (own_indicators).
 */
#include "jsonin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cat_score(jx_result *r, const char *level1, int64_t score)
{
    for (int i = 0; i < r->ncats; i++)
        if (jx_level_eq(r->cats[i].level1, level1)) {
            r->cats[i].score += score;
            return;
        }
}

static const jx_rule LEVELS_RULE = {.kind = JX_RULE_LEVELS};
static const jx_rule BANDS_RULE = {.kind = JX_RULE_BANDS};

/* The rule of a project indicator: its own, or by the kind of its target
 * (grade words -> levels, other words and texts -> bands, numbers -> the
 * framework's default). */
const jx_rule *jx_project_rule(const jx_framework *fw, const jx_indicator *ind)
{
    if (ind->has_rule)
        return ind->rule;
    const jx_value *t = ind->target.present ? &ind->target.v : NULL;
    const jx_value *a = ind->actual.present ? &ind->actual.v : NULL;
    bool grade_t = t && t->kind == JX_VAL_WORD && t->word <= JX_WORD_GRADE_CHA;
    bool grade_a = a && a->kind == JX_VAL_WORD && a->word <= JX_WORD_GRADE_CHA;
    if (grade_t || (grade_a && (!t || t->kind != JX_VAL_NUMBER)))
        return &LEVELS_RULE;
    if (!t || t->kind != JX_VAL_NUMBER)
        return &BANDS_RULE;
    return &fw->default_rule;
}

/* Result rows are not zeroed when allocated (a document of 20 indicators
 * has 4 KB of them): the fields that only some rules set start here, the
 * others are set by the callers and jx_score_indicator. */
static void row_start(jx_ind_result *ir)
{
    ir->ex = JX_EX_NONE;
    ir->op = JX_OP_EQ;
    ir->band = JX_WORD_NONE;
    ir->value = jx_q_int(0);
    ir->n = 0;
    ir->has_value = false;
    ir->na = false;
    ir->own = false;
    /* steps and rule_text are set wherever a row is scored (the hot path) */
}

/* 不适用 (§8): not scored, its weight out of max; NOT_APPLICABLE with the
 * reason, or NOT_APPLICABLE_NO_REASON. */
static void cat_drop(jx_result *r, const char *level1, int64_t weight);

static void not_applicable(jx_result *r, const jx_indicator *ind, int idx, const jx_rule *rule,
                           jx_ind_result *ir, const char *level1)
{
    if (level1)
        cat_drop(r, level1, ir->weight);
    else if (ind->cat >= 0 && ind->cat < r->ncats)
        r->cats[ind->cat].weight -= ir->weight;   /* project: rows in category order */
    ir->na = true;
    ir->score = 0;
    ir->met = -1;
    ir->full = ir->weight;
    ir->rule = rule->kind;
    ir->rulep = rule;
    ir->rule_text = rule->text;
    ir->ex = JX_EX_NOT_APPLICABLE;
    r->max -= ir->weight;
    if (ind->reason)
        jx_finding_add(r, "NOT_APPLICABLE", jx_at_ind(idx, "not_applicable"),
                       "“%s”不适用：%s；分值 %K 分不计入满分 (not applicable: its weight leaves max)",
                       ir->name ? ir->name : "", ind->reason, ir->weight);
    else
        jx_finding_add(r, "NOT_APPLICABLE_NO_REASON", jx_at_ind(idx, "deviation_reason"),
                       "“%s”标为不适用，但未说明原因 (not applicable with no reason given)",
                       ir->name ? ir->name : "");
}

/* a category row's weight less a not-applicable indicator's */
static void cat_drop(jx_result *r, const char *level1, int64_t weight)
{
    for (int i = 0; i < r->ncats; i++)
        if (jx_level_eq(r->cats[i].level1, level1)) {
            r->cats[i].weight -= weight;
            return;
        }
}

/* inlined into both loops of jx_score: its call and frame were a tenth of a row */
static inline __attribute__((always_inline)) void
own_indicator(jx_result *r, const jx_document *doc, int i, jx_ind_result *ir)
{
    const jx_indicator *ind = &doc->inds[i];
    row_start(ir);
    ir->index = i;
    ir->level1 = ind->level1;
    ir->level2 = ind->level2;
    ir->name = ind->name;
    ir->target = &ind->target;
    ir->actual = &ind->actual;
    ir->weight = ind->weight;
    const jx_rule *rule = ind->prule ? ind->prule : jx_project_rule(doc->fw, ind);
    if (ind->na) {
        not_applicable(r, ind, i, rule, ir,
                       doc->fw->ninds == 0 ? NULL : doc->fw->has_own ? doc->fw->own_level1 : "");
        return;
    }
    if (ind->actual.present && ind->actual.v.has_op) {
        jx_finding_add(r, "ACTUAL_HAS_OPERATOR", jx_at_ind(i, "actual"),
                       "实际完成值“%s”带有比较符号，按其数值计 (the actual restates a bound; its number is used)",
                       ind->actual.text ? ind->actual.text : "");
    }
    jx_score_indicator(r, doc->fw, rule, ind, ind->target.present ? &ind->target.v : NULL, NULL,
                       ir, i);
}

typedef struct { const jx_document *doc; } fig_ctx;

static bool figure_lookup(void *ctx, const char *name, jx_q *out)
{
    const jx_document *doc = ((fig_ctx *)ctx)->doc;
    for (int i = 0; i < doc->nfigures; i++)
        if (strcmp(doc->figures[i].name, name) == 0) {
            *out = doc->figures[i].value;
            return true;
        }
    return false;
}

static void wide_indicator(jx_result *r, const jx_document *doc, int k, jx_ind_result *ir)
{
    const jx_fw_indicator *fi = &doc->fw->inds[k];
    const jx_indicator *ind = NULL;
    int di = -1;
    row_start(ir);
    for (int i = 0; i < doc->ninds; i++)
        if (doc->inds[i].fw_index == k) {
            ind = &doc->inds[i];
            di = i;
            break;
        }
    ir->index = di;
    ir->level1 = fi->level1;
    ir->level2 = fi->level2;
    ir->name = fi->name;
    ir->weight = fi->weight;
    ir->target = NULL;
    ir->actual = ind ? &ind->actual : NULL;
    if (ind && ind->na) {
        not_applicable(r, ind, di, &fi->rule, ir, fi->level1);
        return;
    }
    if (fi->formula && !(ind && ind->actual.present && !doc->nfigures)) {
        fig_ctx fc = {doc};
        jx_q v;
        const char *missing = NULL;
        jx_formula_status st = jx_formula_eval(fi->formula, figure_lookup, &fc, &v, &missing);
        if (st == JX_FORMULA_OK) {
            jx_score_indicator(r, doc->fw, &fi->rule, ind, fi->has_target ? &fi->target : NULL, &v,
                               ir, di);
            return;
        }
        if (!(ind && ind->actual.present)) {
            ir->rule_text = fi->rule.text;
            ir->full = fi->weight;
            ir->rule = fi->rule.kind;
            ir->rulep = &fi->rule;
            ir->met = -1;
            ir->score = 0;
            ir->ex = JX_EX_FIGURE;
            r->complete = false;
            if (st == JX_FORMULA_MISSING) {
                jx_finding_add(r, "FIGURE_MISSING", jx_at_key("/figures", missing),
                               "“%s”缺少计算所需的数据 %s（公式 %s），按 0 分计 (figure missing)",
                               fi->name, missing, fi->formula_text);
            } else {
                jx_finding_add(r, "FIGURE_MISSING", jx_at("/figures"),
                               "“%s”的公式 %s 出现除以零或数值过大，无法计算，按 0 分计 "
                               "(division by zero in the formula)",
                               fi->name, fi->formula_text);
            }
            jx_reported_zero(r, ind, di, fi->weight);
            return;
        }
    }
    jx_score_indicator(r, doc->fw, &fi->rule, ind, fi->has_target ? &fi->target : NULL, NULL, ir,
                       di);
}

static void execution(jx_result *r, const jx_document *doc)
{
    const jx_framework *fw = doc->fw;
    const jx_budget *b = &doc->budget;
    const jx_money *base = b->adjusted.present ? &b->adjusted : b->initial.present ? &b->initial : NULL;
    r->exec_weight = fw->execution_weight;
    r->has_budget = base != NULL;
    r->budget_fen = base ? base->fen : 0;
    r->has_executed = b->executed.present;
    r->executed_fen = b->executed.fen;
    if (!base || !b->executed.present || base->fen == 0) {
        if (fw->execution_weight > 0) {
            r->complete = false;
            jx_finding_add(r, "EXECUTION_UNKNOWN",
                           jx_at(b->executed.present ? "/budget/adjusted" : "/budget/executed"),
                           "缺少%s，无法计算预算执行率，预算执行得分按 0 分计 "
                           "(execution unknown: no %s)",
                           b->executed.present ? "全年预算数" : "全年执行数",
                           b->executed.present ? "budget" : "executed amount");
        }
        return;
    }
    jx_q rate = jx_q_make(b->executed.fen, base->fen);
    r->has_rate = true;
    jx_q_round(rate, 4, &r->rate4);
    if (fw->has_execution_rule)
        r->exec_score = jx_score_rate(&fw->execution_rule, fw->execution_weight, rate);
    else {
        jx_q capped = jx_q_cmp(rate, jx_q_int(1)) > 0 ? jx_q_int(1) : rate;
        r->exec_score = jx_div_round((jx_i128)fw->execution_weight * capped.n, capped.d);
    }
}

jx_result *jx_score(const jx_document *doc)
{
    /* one allocation: the result, then the first block of its arena, sized
     * for a document of a few dozen indicators with findings */
    enum { INLINE = 12288 };
    size_t head = (sizeof(jx_result) + 15) & ~(size_t)15;
    jx_result *r = malloc(head + INLINE);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    jx_arena_init_inline(&r->arena, (char *)r + head, INLINE);
    const jx_framework *fw = doc->fw;
    r->doc = doc;
    r->fw = fw;
    r->complete = true;
    bool wide = fw->ninds > 0;
    int n = wide ? fw->ninds + doc->ninds : doc->ninds;
    r->inds = jx_alloc_raw(&r->arena, sizeof *r->inds * (size_t)(n + 1));
    r->cats = jx_alloc_raw(&r->arena, sizeof *r->cats * (size_t)(fw->ncats + doc->ninds + 1));
    if (!r->inds || !r->cats)
        goto oom;
    /* the framework's categories, each level-1 once, scores 0 */
    memcpy(r->cats, fw->rcats, sizeof *r->cats * (size_t)fw->nrcats);
    r->ncats = fw->nrcats;
    r->max = jx_framework_max(fw);

    execution(r, doc);
    if (wide) {
        for (int k = 0; k < fw->ninds; k++) {
            jx_ind_result *ir = &r->inds[r->ninds++];
            wide_indicator(r, doc, k, ir);
            cat_score(r, fw->inds[k].level1, ir->score);
        }
        for (int i = 0; i < doc->ninds; i++) {
            const jx_indicator *ind = &doc->inds[i];
            if (ind->fw_index != -2)
                continue;
            if (!ind->has_weight || !ind->target.present) {
                jx_finding_add(r, "UNKNOWN_CATEGORY", jx_at_ind(i, "name"),
                               "框架 %s 中没有指标“%s” (the framework has no such indicator)", fw->id,
                               ind->name ? ind->name : "");
                continue;
            }
            /* a wide document's own target/actual indicator (seed 003's
             * table): under the framework's own_indicators category when it
             * gives one, else listed with a subtotal of its own, outside
             * total and max (§8) */
            jx_ind_result *ir = &r->inds[r->ninds++];
            if (fw->has_own) {
                own_indicator(r, doc, i, ir);
                ir->level1 = fw->own_level1;
                cat_score(r, fw->own_level1, ir->score);
                continue;
            }
            int64_t max_before = r->max;
            own_indicator(r, doc, i, ir);
            r->max = max_before;   /* a not-applicable one was never in max */
            ir->own = true;
            ir->level1 = ind->level1 ? ind->level1 : "部门整体绩效指标";
            if (!r->has_own) {
                r->has_own = true;
                r->own_level1 = ir->level1;
            }
            if (!ir->na) {
                r->own_score += ir->score;
                r->own_max += ir->weight;
            }
        }
        r->total = r->exec_score;
        for (int i = 0; i < r->ninds; i++)
            if (!r->inds[i].own)
                r->total += r->inds[i].score;
    } else {
        int64_t total = r->exec_score;   /* summed as the rows are scored */
        for (int i = 0; i < doc->ninds; i++) {
            jx_ind_result *ir = &r->inds[i];
            own_indicator(r, doc, i, ir);
            total += ir->score;
            int c = doc->inds[i].cat;
            if (c >= 0)
                r->cats[c].score += ir->score;
        }
        r->ninds = doc->ninds;
        r->total = total;
    }
    r->normalised = r->max > 0 ? jx_div_round((jx_i128)r->total * 10000, r->max) : 0;
    if (r->max == 10000)
        r->normalised = r->total;
    r->grade = jx_grade_of(fw, r->normalised);
    /* structure (project) and budget findings, raised when the document
     * was loaded (jx_document_prepare) */
    jx_add_prepared(r, doc);
    jx_check_totals(r, doc);
    if (r->arena.failed)
        goto oom;
    return r;
oom:
    jx_result_free(r);
    return NULL;
}

const char *jx_grade_of(const jx_framework *fw, int64_t cents)
{
    for (int i = 0; i < fw->ngrades; i++)
        if (cents >= fw->grades[i].min)
            return fw->grades[i].grade;
    return fw->ngrades ? fw->grades[fw->ngrades - 1].grade : "";
}

void jx_result_free(jx_result *r)
{
    if (!r)
        return;
    jx_arena_free(&r->arena);
    free(r);
}

int64_t jx_result_total(const jx_result *r) { return r->total; }
int64_t jx_result_max(const jx_result *r) { return r->max; }
int64_t jx_result_normalised(const jx_result *r) { return r->normalised; }
const char *jx_result_grade(const jx_result *r) { return r->grade; }
int jx_result_complete(const jx_result *r) { return r->complete; }
size_t jx_result_finding_count(const jx_result *r) { return (size_t)r->nfind; }

jx_status jx_score_json(const jx_ctx *ctx, const char *json, size_t len, char **out,
                        size_t *outlen, jx_errors *errs)
{
    *out = NULL;
    jx_document *doc = jx_document_load(ctx, json, len, errs);
    if (!doc)
        return errs->status;
    jx_result *r = jx_score(doc);
    if (r)
        *out = jx_result_json(r, outlen);
    jx_result_free(r);
    jx_document_free(doc);
    if (!*out) {
        jx_err_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return JX_ENOMEM;
    }
    return JX_OK;
}
