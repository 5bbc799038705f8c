/*
 * json.c -- writing a result: the JSON of scoring.md §7, the Chinese
 * explanation of each indicator, and the score table for a terminal.
 *
 * The result JSON is written by hand rather than through Jansson so that
 * scores keep their two decimals ("98.50"), rates their four and money its
 * fen as exact decimal strings; nothing passes through a double.
 */
#include "jsonin.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *op_sym(jx_op op)
{
    switch (op) {
    case JX_OP_GE: return "≥";
    case JX_OP_GT: return ">";
    case JX_OP_LE: return "≤";
    case JX_OP_LT: return "<";
    case JX_OP_EQ: return "=";
    }
    return "=";
}

static const char *band_name(jx_word w)
{
    switch (w) {
    case JX_WORD_ACHIEVED: return "达成";
    case JX_WORD_PARTIAL: return "部分达成";
    case JX_WORD_NOT_ACHIEVED: return "未达成";
    case JX_WORD_GRADE_YOU: return "优";
    case JX_WORD_GRADE_LIANG: return "良";
    case JX_WORD_GRADE_ZHONG: return "中";
    case JX_WORD_GRADE_CHA: return "差";
    default: return "";
    }
}

static bool fraction_unit(jx_unit_kind k)
{
    return k == JX_UNIT_PERCENT || k == JX_UNIT_POINTS;
}

/* The target an explanation quotes: the document's, or the framework's
 * for a wide indicator (text as written and its parsed value). */
typedef struct { const char *text; const jx_value *v; } target_ref;

static target_ref target_of(const jx_ind_result *ir, const jx_framework *fw)
{
    target_ref t = {NULL, NULL};
    if (ir->target && ir->target->present && ir->target->text) {
        t.text = ir->target->text;
        t.v = &ir->target->v;
        return t;
    }
    for (int k = 0; k < fw->ninds; k++)
        if (fw->inds[k].name == ir->name && fw->inds[k].target_text) {
            t.text = fw->inds[k].target_text;
            t.v = fw->inds[k].has_target ? &fw->inds[k].target : NULL;
            break;
        }
    return t;
}

/* A judged value (a formula's, a scaled fraction) as a percent, or as a
 * number in the target's unit when the target is not a percent. */
static void put_value(jx_buf *b, jx_q v, const jx_value *t)
{
    if (t && t->kind == JX_VAL_NUMBER && !fraction_unit(t->unit_kind) &&
        t->unit_kind != JX_UNIT_NONE) {
        jx_buf_q(b, v, 4);
        jx_buf_puts(b, t->unit_kind == JX_UNIT_MONEY ? "元" : t->unit);
        return;
    }
    jx_q pct;
    if (jx_q_mul(v, jx_q_int(100), &pct)) {
        jx_buf_q(b, pct, 2);
        jx_buf_puts(b, "%");
    }
}

/* The actual as the report wrote it (without a restated operator), with
 * the unit a bare number was read in (scoring.md §1: "166.79" against a
 * target in 万元 is 166.79元); or the judged value when the rule used one. */
static void put_actual(jx_buf *b, const jx_ind_result *ir, const jx_framework *fw)
{
    target_ref t = target_of(ir, fw);
    if (ir->has_value && !(ir->actual && ir->actual->present && ir->actual->text)) {
        put_value(b, ir->value, t.v);
        return;
    }
    if (!(ir->actual && ir->actual->present && ir->actual->text)) {
        jx_buf_puts(b, "—");
        return;
    }
    const jx_value *a = &ir->actual->v;
    jx_buf_puts(b, jx_skip_op_any(ir->actual->text));
    if (a->kind == JX_VAL_NUMBER && a->unit_kind == JX_UNIT_NONE && t.v &&
        t.v->kind == JX_VAL_NUMBER && t.v->unit_kind != JX_UNIT_NONE)
        jx_buf_puts(b, t.v->unit_kind == JX_UNIT_MONEY ? "元"
                       : fraction_unit(t.v->unit_kind) ? "%" : t.v->unit);
}

/* The target without its operator (the sentence puts the operator between
 * actual and target), or with it (with_op), as a symbol: "≤200万元" for
 * "小于等于200万元".  An operator written after the number (90%以上) stays. */
static void put_target(jx_buf *b, const jx_ind_result *ir, const jx_framework *fw, bool with_op)
{
    target_ref t = target_of(ir, fw);
    if (!t.text) {
        jx_buf_puts(b, "—");
        return;
    }
    const char *rest = jx_skip_op_any(t.text);
    if (with_op && t.v && t.v->kind == JX_VAL_NUMBER && rest != t.text && t.v->has_op)
        jx_buf_puts(b, op_sym(t.v->op));
    jx_buf_puts(b, rest);
}

/* The indicator's reported score (hundredths), when the document gives one. */
static bool reported_of(const jx_ind_result *ir, const jx_result *r, int64_t *rep)
{
    if (ir->index < 0 || !r->doc || ir->index >= r->doc->ninds)
        return false;
    const jx_indicator *ind = &r->doc->inds[ir->index];
    if (!ind->has_reported)
        return false;
    *rep = ind->reported_c;
    return true;
}

static void explain(jx_buf *b, const jx_ind_result *ir, const jx_result *r)
{
    const jx_framework *fw = r->fw;
    int64_t rep = 0;
    bool has_rep = reported_of(ir, r, &rep);
    if (ir->rule_text) {
        jx_buf_puts(b, "按“");
        jx_buf_puts(b, ir->rule_text);
        jx_buf_puts(b, "”：");
    }
    jx_explain_kind ex = ir->ex;
    if (ex == JX_EX_STEP && ir->met == 1 && jx_q_sign(ir->steps) == 0)
        ex = JX_EX_MET;   /* a step rule on a met target: said as met */
    switch (ex) {
    case JX_EX_MET:
        jx_buf_puts(b, "实际 ");
        put_actual(b, ir, fw);
        jx_buf_puts(b, " ");
        jx_buf_puts(b, op_sym(ir->op));
        jx_buf_puts(b, " 目标 ");
        put_target(b, ir, fw, false);
        jx_buf_puts(b, "，达成，得满分 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_RATIO:
    case JX_EX_LINEAR:
    case JX_EX_SYMMETRIC:
    case JX_EX_MISSED_ZERO:
    case JX_EX_THRESHOLD_MISSED:
        jx_buf_puts(b, "实际 ");
        put_actual(b, ir, fw);
        jx_buf_puts(b, " 未达到目标 ");
        put_target(b, ir, fw, true);
        jx_buf_puts(b, ir->ex == JX_EX_RATIO       ? "，按比例计分，得 "
                       : ir->ex == JX_EX_LINEAR    ? "，按超出比例线性扣减，得 "
                       : ir->ex == JX_EX_SYMMETRIC ? "，按实际与目标的较小值÷较大值计分，得 "
                                                   : "，得 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_STEP:
        jx_buf_puts(b, "实际 ");
        put_actual(b, ir, fw);
        jx_buf_puts(b, "，目标 ");
        put_target(b, ir, fw, true);
        if (ir->rulep && ir->rulep->has_reference) {
            jx_buf_puts(b, "（以 ");
            put_value(b, ir->rulep->reference, NULL);
            jx_buf_puts(b, " 为基准）");
        }
        jx_buf_puts(b, "，扣减 ");
        jx_buf_q(b, ir->steps, 4);
        jx_buf_puts(b, " 档");
        if (ir->rulep) {
            jx_buf_puts(b, "（每档 ");
            jx_buf_cents_short(b, ir->rulep->deduct);
            jx_buf_puts(b, " 分）");
        }
        jx_buf_puts(b, "，得 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_SCALED:
        jx_buf_puts(b, "按比例计分：");
        put_value(b, ir->value, NULL);
        jx_buf_puts(b, " × ");
        jx_buf_cents_short(b, ir->full);
        jx_buf_puts(b, " 分，得 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_LEVELS:
        jx_buf_puts(b, "评价等级“");
        jx_buf_puts(b, band_name(ir->band));
        jx_buf_puts(b, "”，得 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_BAND_REPORTED:
        jx_buf_puts(b, "定性指标：实际“");
        put_actual(b, ir, fw);
        jx_buf_puts(b, "”属");
        jx_buf_puts(b, band_name(ir->band));
        jx_buf_puts(b, "档，报告得分 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分在该档区间内，予以采用");
        break;
    case JX_EX_BAND_DEFAULT:
        jx_buf_puts(b, "定性指标：实际“");
        put_actual(b, ir, fw);
        jx_buf_puts(b, "”属");
        jx_buf_puts(b, band_name(ir->band));
        if (has_rep) {
            jx_buf_puts(b, "档，报告得分 ");
            jx_buf_cents_short(b, rep);
            jx_buf_puts(b, " 分不在该档区间内");
        } else
            jx_buf_puts(b, "档");
        jx_buf_puts(b, "，按该档计 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_JUDGEMENT:
        jx_buf_puts(b, "定性指标：实际“");
        put_actual(b, ir, fw);
        jx_buf_puts(b, "”无法归入达成档次，");
        if (has_rep && rep != ir->score) {
            jx_buf_puts(b, "报告得分 ");
            jx_buf_cents_short(b, rep);
            jx_buf_puts(b, " 分不在 0 到 ");
            jx_buf_cents_short(b, ir->full);
            jx_buf_puts(b, " 分之间，按 ");
            jx_buf_cents_short(b, ir->score);
            jx_buf_puts(b, " 分计");
        } else {
            jx_buf_puts(b, "采用报告得分 ");
            jx_buf_cents_short(b, ir->score);
            jx_buf_puts(b, " 分");
        }
        jx_buf_puts(b, "（需评价人确认）");
        break;
    case JX_EX_UNDETERMINED:
        jx_buf_puts(b, "无法判定达成档次且无报告得分，得 0 分");
        break;
    case JX_EX_CHECKLIST:
        jx_buf_printf(b, "符合 %lld 项", (long long)ir->n);
        if (ir->rulep)
            jx_buf_printf(b, "（共 %d 项）", ir->rulep->nitems);
        jx_buf_puts(b, "，得 ");
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_QUARTERS:
        jx_buf_printf(b, "%lld 个季度按时完成，得 ", (long long)ir->n);
        jx_buf_cents_short(b, ir->score);
        jx_buf_puts(b, " 分");
        break;
    case JX_EX_MANUAL:
        if (has_rep && rep != ir->score) {
            jx_buf_puts(b, "人工评分：评价人给出 ");
            jx_buf_cents_short(b, rep);
            jx_buf_puts(b, " 分，不在 0 到 ");
            jx_buf_cents_short(b, ir->full);
            jx_buf_puts(b, " 分之间，按 ");
            jx_buf_cents_short(b, ir->score);
            jx_buf_puts(b, " 分计");
        } else {
            jx_buf_puts(b, "人工评分：采用评价人给出的 ");
            jx_buf_cents_short(b, ir->score);
            jx_buf_puts(b, " 分");
        }
        break;
    case JX_EX_MISSING:
        jx_buf_puts(b, "缺少实际完成值，得 0 分");
        break;
    case JX_EX_UNIT:
        jx_buf_puts(b, "实际完成值与年度指标值单位不一致，得 0 分");
        break;
    case JX_EX_FIGURE:
        jx_buf_puts(b, "缺少计算所需的数据，得 0 分");
        break;
    case JX_EX_NOT_APPLICABLE:
        jx_buf_puts(b, "不适用，不计分，分值不计入总分");
        break;
    case JX_EX_NONE:
        break;
    }
    if (ir->full < ir->weight && ir->ex != JX_EX_MISSING && ir->ex != JX_EX_NOT_APPLICABLE) {
        jx_buf_puts(b, "（本项最高 ");
        jx_buf_cents_short(b, ir->full);
        jx_buf_puts(b, " 分）");
    }
}

static const char *sev_name(jx_severity s)
{
    return s == JX_SEV_ERROR ? "error" : s == JX_SEV_INFO ? "info" : "warning";
}

char *jx_result_json(const jx_result *r, size_t *len)
{
    jx_buf b = {0};
    /* about 450 bytes an indicator and 250 a finding: one allocation */
    jx_buf_reserve(&b, 1024 + 512 * (size_t)(r->ninds + r->ncats) + 320 * (size_t)r->nfind);
    jx_buf_puts(&b, "{\"framework\":");
    jx_buf_json_str(&b, r->fw->id);
    jx_buf_puts(&b, ",\"total\":");
    jx_buf_cents(&b, r->total);
    jx_buf_puts(&b, ",\"max\":");
    jx_buf_cents(&b, r->max);
    jx_buf_puts(&b, ",\"normalised\":");
    jx_buf_cents(&b, r->normalised);
    jx_buf_puts(&b, ",\"grade\":");
    jx_buf_json_str(&b, r->grade);
    jx_buf_puts(&b, r->complete ? ",\"complete\":true" : ",\"complete\":false");

    jx_buf_puts(&b, ",\"execution\":{\"budget\":");
    if (r->has_budget) {
        jx_buf_puts(&b, "\"");
        jx_buf_fen(&b, r->budget_fen);
        jx_buf_puts(&b, "\"");
    } else
        jx_buf_puts(&b, "null");
    jx_buf_puts(&b, ",\"executed\":");
    if (r->has_executed) {
        jx_buf_puts(&b, "\"");
        jx_buf_fen(&b, r->executed_fen);
        jx_buf_puts(&b, "\"");
    } else
        jx_buf_puts(&b, "null");
    jx_buf_puts(&b, ",\"rate\":");
    if (r->has_rate)
        jx_buf_rate(&b, r->rate4);
    else
        jx_buf_puts(&b, "null");
    jx_buf_puts(&b, ",\"weight\":");
    jx_buf_cents(&b, r->exec_weight);
    jx_buf_puts(&b, ",\"score\":");
    jx_buf_cents(&b, r->exec_score);
    jx_buf_puts(&b, "}");

    if (r->has_own) {   /* a wide document's own indicators, outside the total (§8) */
        jx_buf_puts(&b, ",\"own\":{\"level1\":");
        jx_buf_json_str(&b, r->own_level1);
        jx_buf_puts(&b, ",\"score\":");
        jx_buf_cents(&b, r->own_score);
        jx_buf_puts(&b, ",\"max\":");
        jx_buf_cents(&b, r->own_max);
        jx_buf_puts(&b, "}");
    }
    jx_buf_puts(&b, ",\"categories\":[");
    for (int i = 0; i < r->ncats; i++) {
        jx_buf_puts(&b, i ? ",{\"level1\":" : "{\"level1\":");
        jx_buf_json_str(&b, r->cats[i].level1);
        jx_buf_puts(&b, ",\"weight\":");
        jx_buf_cents(&b, r->cats[i].weight);
        jx_buf_puts(&b, ",\"score\":");
        jx_buf_cents(&b, r->cats[i].score);
        jx_buf_puts(&b, "}");
    }
    jx_buf_puts(&b, "],\"indicators\":[");
    for (int i = 0; i < r->ninds; i++) {
        const jx_ind_result *ir = &r->inds[i];
        jx_buf_puts(&b, i ? ",{\"index\":" : "{\"index\":");
        if (ir->index >= 0)
            jx_buf_int(&b, ir->index);
        else
            jx_buf_puts(&b, "null");
        jx_buf_puts(&b, ",\"level1\":");
        jx_buf_json_str(&b, ir->level1);
        jx_buf_puts(&b, ",\"level2\":");
        jx_buf_json_str(&b, ir->level2);
        jx_buf_puts(&b, ",\"name\":");
        jx_buf_json_str(&b, ir->name);
        jx_buf_puts(&b, ",\"weight\":");
        jx_buf_cents(&b, ir->weight);
        if (ir->na)   /* not scored (§8) */
            jx_buf_puts(&b, ",\"score\":null,\"deduction\":null,\"not_applicable\":true");
        else {
            jx_buf_puts(&b, ",\"score\":");
            jx_buf_cents(&b, ir->score);
            jx_buf_puts(&b, ",\"deduction\":");
            jx_buf_cents(&b, ir->weight - ir->score);
        }
        if (ir->own)   /* outside total and max, in "own" (§8) */
            jx_buf_puts(&b, ",\"own\":true");
        if (ir->index >= 0 && r->doc && ir->index < r->doc->ninds &&
            r->doc->inds[ir->index].weight_assumed)
            jx_buf_puts(&b, ",\"weight_assumed\":true");
        jx_buf_puts(&b, ir->met < 0 ? ",\"met\":null" : ir->met ? ",\"met\":true" : ",\"met\":false");
        jx_buf_puts(&b, ",\"rule\":\"");
        jx_buf_puts(&b, jx_rule_kind_name(ir->rule));
        jx_buf_puts(&b, "\"");
        if (ir->rule_text) {   /* the rule as the report wrote it (§8) */
            jx_buf_puts(&b, ",\"rule_text\":");
            jx_buf_json_str(&b, ir->rule_text);
        }
        jx_buf_puts(&b, ",\"explain\":");
        /* the sentence goes straight into the output, escaped in place */
        size_t start = jx_buf_json_open(&b);
        explain(&b, ir, r);
        jx_buf_json_close(&b, start);
        jx_buf_puts(&b, "}");
    }
    jx_buf_puts(&b, "],\"findings\":[");
    for (int i = 0; i < r->nfind; i++) {
        const jx_finding *f = &r->finds[i];
        jx_buf_puts(&b, i ? ",{\"code\":" : "{\"code\":");
        jx_buf_json_str(&b, f->code);
        jx_buf_puts(&b, ",\"severity\":\"");
        jx_buf_puts(&b, sev_name(jx_finding_severity(f->code)));
        jx_buf_puts(&b, "\",\"pointer\":");
        size_t start = jx_buf_json_open(&b);
        jx_finding_pointer(&b, f);
        jx_buf_json_close(&b, start);
        jx_buf_puts(&b, ",\"message\":");
        start = jx_buf_json_open(&b);
        jx_finding_message(&b, f);
        jx_buf_json_close(&b, start);
        jx_buf_puts(&b, "}");
    }
    jx_buf_puts(&b, "]}\n");
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.p;
}

/* ---- the score table -------------------------------------------------------------- */

/* display width: CJK and full-width forms take two columns */
static size_t display_width(const char *s)
{
    size_t w = 0, n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = jx_utf8_len(s + i, n - i);
        /* general punctuation (“ ” — …) is narrow in most terminals */
        bool narrow = c == 0xE2 && k >= 3 && ((unsigned char)s[i + 1] == 0x80 ||
                                             (unsigned char)s[i + 1] == 0x81);
        w += (c >= 0xE1 && k >= 3 && !narrow) ? 2 : 1;
        i += k;
    }
    return w;
}

static void cell(jx_buf *b, const char *s, size_t width)
{
    jx_buf_puts(b, s);
    for (size_t w = display_width(s); w < width; w++)
        jx_buf_put(b, " ", 1);
    jx_buf_puts(b, "  ");
}

static void cell_cents(jx_buf *b, int64_t c, size_t width)
{
    jx_buf t = {0};
    jx_buf_cents(&t, c);
    for (size_t w = t.p ? strlen(t.p) : 0; w < width; w++)
        jx_buf_put(b, " ", 1);
    jx_buf_puts(b, t.p ? t.p : "");
    jx_buf_puts(b, "  ");
    free(t.p);
}

static void table_row(jx_buf *b, const jx_result *r, const jx_ind_result *ir, const char **prev1,
                      size_t w1, size_t w2, size_t w3)
{
    const char *l1 = ir->level1 ? ir->level1 : "";
    cell(b, *prev1 && strcmp(*prev1, l1) == 0 ? "" : l1, w1);
    *prev1 = l1;
    cell(b, ir->level2 ? ir->level2 : "", w2);
    cell(b, ir->name ? ir->name : "", w3);
    cell_cents(b, ir->weight, 6);
    if (ir->na) {
        cell(b, "不适用", 6);
        cell(b, "     —", 6);
    } else {
        cell_cents(b, ir->score, 6);
        cell_cents(b, ir->weight - ir->score, 6);
    }
    explain(b, ir, r);
    jx_buf_puts(b, "\n");
}

char *jx_result_table(const jx_result *r)
{
    jx_buf b = {0};
    const jx_document *d = r->doc;
    size_t w1 = display_width("一级指标"), w2 = display_width("二级指标"),
           w3 = display_width("三级指标");
    for (int i = 0; i < r->ninds; i++) {
        const jx_ind_result *ir = &r->inds[i];
        size_t a = display_width(ir->level1 ? ir->level1 : ""),
               c = display_width(ir->level2 ? ir->level2 : ""),
               e = display_width(ir->name ? ir->name : "");
        w1 = a > w1 ? a : w1;
        w2 = c > w2 ? c : w2;
        w3 = e > w3 ? e : w3;
    }
    if (w3 > 40)
        w3 = 40;
    jx_buf_printf(&b, "评分情况表  %s%s%s  （框架 %s）\n\n", d->org ? d->org : "",
                  d->org && d->name ? " · " : "", d->name ? d->name : "", r->fw->id);
    cell(&b, "一级指标", w1);
    cell(&b, "二级指标", w2);
    cell(&b, "三级指标", w3);
    jx_buf_puts(&b, "  分值    得分    扣分  评分情况\n");
    const char *prev1 = NULL;
    int64_t na_weight = 0;
    for (int i = 0; i < r->ninds; i++) {
        const jx_ind_result *ir = &r->inds[i];
        if (ir->own)
            continue;   /* listed after the total */
        table_row(&b, r, ir, &prev1, w1, w2, w3);
        if (ir->na)
            na_weight += ir->weight;
    }
    if (r->exec_weight > 0) {
        cell(&b, "预算执行率", w1);
        cell(&b, "", w2);
        cell(&b, "", w3);
        cell_cents(&b, r->exec_weight, 6);
        cell_cents(&b, r->exec_score, 6);
        cell_cents(&b, r->exec_weight - r->exec_score, 6);
        if (r->has_rate) {
            jx_buf_puts(&b, "执行率 ");
            jx_q pct = jx_q_make(r->rate4, 100);
            jx_buf_q(&b, pct, 2);
            jx_buf_puts(&b, "%");
        } else
            jx_buf_puts(&b, "执行数未知，按 0 分计");
        jx_buf_puts(&b, "\n");
    }
    cell(&b, "合计", w1);
    cell(&b, "", w2);
    cell(&b, "", w3);
    cell_cents(&b, r->max, 6);
    cell_cents(&b, r->total, 6);
    cell_cents(&b, r->max - r->total, 6);
    if (r->max != 10000) {
        /* the grade is on 100: say how the total was brought there */
        jx_buf_puts(&b, "满分 ");
        jx_buf_cents_short(&b, r->max);
        if (na_weight > 0) {
            jx_buf_puts(&b, "（不适用指标 ");
            jx_buf_cents_short(&b, na_weight);
            jx_buf_puts(&b, " 分不计）");
        }
        jx_buf_puts(&b, "\n");
        cell(&b, "折算得分", w1);
        cell(&b, "", w2);
        cell(&b, "", w3);
        cell_cents(&b, 10000, 6);
        cell_cents(&b, r->normalised, 6);
        cell_cents(&b, 10000 - r->normalised, 6);
        jx_buf_puts(&b, "按适用指标折算：");
        jx_buf_cents_short(&b, r->total);
        jx_buf_puts(&b, " ÷ ");
        jx_buf_cents_short(&b, r->max);
        jx_buf_puts(&b, " × 100 = ");
        jx_buf_cents(&b, r->normalised);
        jx_buf_puts(&b, "，");
    }
    jx_buf_printf(&b, "等级 %s%s\n", r->grade,
                  r->complete ? "" : "（部分指标无法确定，总分为下限）");
    if (r->has_own) {
        jx_buf_puts(&b, "\n自设指标（不计入总分）\n");
        prev1 = NULL;
        for (int i = 0; i < r->ninds; i++)
            if (r->inds[i].own)
                table_row(&b, r, &r->inds[i], &prev1, w1, w2, w3);
        cell(&b, "小计", w1);
        cell(&b, "", w2);
        cell(&b, "", w3);
        cell_cents(&b, r->own_max, 6);
        cell_cents(&b, r->own_score, 6);
        cell_cents(&b, r->own_max - r->own_score, 6);
        jx_buf_puts(&b, "\n");
    }
    jx_buf_printf(&b, "\n发现的问题（%d 项）\n", r->nfind);
    for (int i = 0; i < r->nfind; i++) {
        const jx_finding *f = &r->finds[i];
        jx_buf_printf(&b, "  [%s] %s ", sev_name(jx_finding_severity(f->code)), f->code);
        jx_finding_pointer(&b, f);
        jx_buf_puts(&b, "\n      ");
        jx_finding_message(&b, f);
        jx_buf_puts(&b, "\n");
    }
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
