/*
 * document.c -- reading a scoring document (scoring.md §7).
 *
 * The loader is strict and exhaustive: unknown fields (typos in reports must
 * not pass silently), wrong types, unparseable targets and amounts, weights
 * that are not positive, a year out of range — every problem is listed with
 * its JSON pointer, and nothing is scored unless all of it is valid.
 * Inconsistencies that a real report may well contain (a score above its
 * weight, sums that do not add up) are not load errors: they are the
 * findings the scorer reports.  A document with no weights at all (report
 * tables without a 分值 column) has them assumed here (§8); a rule may be
 * the text the report prints (评分标准), read by ruletext.c.
 */
#include "jsonread.h"
#include "jsonin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most indicators one document may hold.  Real tables hold a few dozen
 * (seed 000: 14; department-wide-2013: 27); 2,000 leaves room for any
 * report while bounding the work and memory one request can ask for
 * (about 1 KB an indicator loaded, scored and written out).  README. */
#define MAX_INDICATORS 2000

typedef struct {
    jx_document *doc;
    jx_errors *errs;
    const jx_ctx *ctx;
    const char *text;    /* the input, for re-reading rule objects with Jansson */
    /* the previous indicator's level-1 and level-2 as resolved: reports
     * list their indicators grouped, so most resolve to the same again */
    const char *last_l1, *last_implied, *last_l2;
    int last_cat, last_l2_cat, last_l2_index;
    bool last_l2_unknown;
} loader;

/* Where a field's errors point: base + "/" + key, spelled out only when an
 * error is reported (a valid document has none, and building the pointers
 * of every field was a tenth of the loading). */
typedef struct { const char *base, *key; } at;

static at at_key(const char *base, const char *key)
{
    at a = {base, key};
    return a;
}

static const char *at_str(at a, char buf[JX_PTR_MAX])
{
    jx_ptr(buf, JX_PTR_MAX, a.base, a.key);
    return buf;
}

static void err(loader *L, const char *ptr, const char *code, const char *msg)
{
    jx_err_add(L->errs, JX_EINVALID, ptr, code, "%s", msg);
}

/* Text of a JSON number as written (shortest round trip). */
/* The text of a number as written; with an exponent, as a plain decimal. */
static bool number_text(jv *j, char *out, size_t cap)
{
    jx_q q;
    int prec;
    if (!jv_number(j, &q, &prec))
        return false;
    if (!strchr(j->s, 'e') && !strchr(j->s, 'E') && -prec <= 8 && strlen(j->s) < 24) {
        /* as written, trailing zeros included */
        const char *dot = strchr(j->s, '.');
        if (!dot || (int)strlen(dot + 1) == -prec) {
            snprintf(out, cap, "%s", j->s);
            return true;
        }
    }
    jx_buf b = {0};
    jx_buf_q(&b, q, -prec);
    if (!b.p)
        return false;
    snprintf(out, cap, "%s", b.p);
    free(b.p);
    return true;
}

static bool load_money_signed(loader *L, jv *v, at where, jx_money *m, bool negative_ok);

static bool load_money(loader *L, jv *v, at where, jx_money *m)
{
    return load_money_signed(L, v, where, m, false);
}

/* An amount; only a balance may be negative (overspent, §8). */
static bool load_money_signed(loader *L, jv *v, at where, jx_money *m, bool negative_ok)
{
    char ptr[JX_PTR_MAX];
    memset(m, 0, sizeof *m);
    if (!v || jv_is_null(v))
        return true;
    char tmp[64];
    const char *text = NULL;
    if (jv_is_string(v))
        text = jv_str(v);
    else if (jv_is_number(v) && number_text(v, tmp, sizeof tmp))
        text = tmp;
    if (!text) {
        jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), "AMOUNT_INVALID",
                   "金额应为数字或带单位的字符串，如 \"73.62万元\" (amount must be a number or a string)");
        return false;
    }
    jx_error e;
    if (jx_parse_money_signed(text, &m->fen, &m->prec, negative_ok, &e) != 0) {
        jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), e.code, "金额无法解析: %s", e.message);
        return false;
    }
    m->present = true;
    return true;
}

/* A field that must be a string when given: its value v (NULL: absent). */
static const char *opt_str(loader *L, jv *v, const char *key, const char *base)
{
    if (!v || jv_is_null(v))
        return NULL;
    if (!jv_is_string(v)) {
        char p[JX_PTR_MAX];
        jx_ptr(p, sizeof p, base, key);
        jx_err_add(L->errs, JX_EINVALID, p, "TYPE_INVALID", "'%s' 应为字符串，实为%s (must be a string)",
                   key, jv_type_cn(v));
        return NULL;
    }
    return jv_str(v);   /* lives in the document's arena */
}

static const char *opt_string(loader *L, jv *obj, const char *key, const char *base)
{
    return opt_str(L, jv_get(obj, key), key, base);
}

/* target / actual: text, bare number, or {"op", "value", "unit"} */
static void load_textval(loader *L, jv *v, at where, const char *what, jx_textval *tv)
{
    static const char *const SF[] = {"op", "value", "unit", NULL};
    char ptr[JX_PTR_MAX];
    memset(tv, 0, sizeof *tv);
    if (!v || jv_is_null(v))
        return;
    char tmp[256];
    const char *text = NULL;
    if (jv_is_string(v))
        text = jv_str(v);
    else if (jv_is_number(v)) {
        if (number_text(v, tmp, sizeof tmp))
            text = tmp;
    } else if (jv_is_object(v)) {
        jv_check_fields(v, SF, at_str(where, ptr), L->errs);
        const char *op = jv_str(jv_get(v, "op"));
        const char *unit = jv_str(jv_get(v, "unit"));
        char num[64];
        jv *val = jv_get(v, "value");
        if (!val || !number_text(val, num, sizeof num)) {
            jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), "VALUE_INVALID",
                       "%s的 value 应为数字 (structured value needs a numeric 'value')", what);
            return;
        }
        if (op && strcmp(op, ">=") && strcmp(op, ">") && strcmp(op, "<=") && strcmp(op, "<") &&
            strcmp(op, "=") && strcmp(op, "≥") && strcmp(op, "≤")) {
            jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), "VALUE_INVALID",
                       "%s的 op '%s' 无效，应为 >= > <= < = (unknown operator)", what, op);
            return;
        }
        snprintf(tmp, sizeof tmp, "%s%s%s", op ? op : "", num, unit ? unit : "");
        text = tmp;
    } else {
        jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), "TYPE_INVALID",
                   "%s应为文字、数字或 {op, value, unit}，实为%s (wrong type)", what, jv_type_cn(v));
        return;
    }
    if (!text)
        return;
    jx_error e;
    if (jx_parse_value(text, &tv->v, &e) != 0) {
        jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), strcmp(what, "年度指标值") == 0 ? "TARGET_UNPARSEABLE"
                                                                              : "ACTUAL_UNPARSEABLE",
                   "%s无法解析: %s", what, e.message);
        return;
    }
    tv->text = jv_is_string(v) ? text : jx_strdup(&L->doc->arena, text);
    if (tv->v.kind != JX_VAL_NUMBER)
        tv->norm = jx_norm_text(&L->doc->arena, text);
    tv->present = true;
}

static bool load_decimal(loader *L, jv *v, at where, const char *what, jx_q *q, int *prec)
{
    if (!jv_number(v, q, prec)) {
        char ptr[JX_PTR_MAX];
        jx_err_add(L->errs, JX_EINVALID, at_str(where, ptr), "NUMBER_INVALID",
                   "%s应为数字（最多 8 位小数） (must be a number)", what);
        return false;
    }
    return true;
}

static int match_fw_indicator(const jx_framework *fw, jx_arena *a, const char *name,
                              const char *level2, bool *ambiguous)
{
    *ambiguous = false;
    const char *n = jx_norm_text(a, name);
    int found = -1, count = 0;
    for (int i = 0; n && i < fw->ninds; i++) {
        const char *fn = jx_norm_text(a, fw->inds[i].name);
        if (!fn || strcmp(fn, n) != 0)
            continue;
        if (level2 && !jx_level_eq(level2, fw->inds[i].level2))
            continue;
        if (found < 0)
            found = i;
        count++;
    }
    if (count > 1)
        *ambiguous = true;
    return found;
}

static void load_list_actual(loader *L, jv *v, const char *ptr, const jx_rule *rule,
                             jx_indicator *ind)
{
    jx_document *d = L->doc;
    if (!v || jv_is_null(v))
        return;
    if (!jv_is_array(v)) {
        jx_err_add(L->errs, JX_EINVALID, ptr, "ACTUAL_INVALID",
                   "清单类指标的实际完成值应为达到的项目列表（序号或名称） (checklist actual must list the items met)");
        return;
    }
    size_t n = (size_t)v->n;
    ind->list = jx_alloc(&d->arena, sizeof *ind->list * (n + 1));
    if (!ind->list)
        return;
    ind->actual_is_list = true;
    bool seen[64] = {false};
    for (size_t i = 0; i < n; i++) {
        jv *it = v->items[i];
        char p[JX_PTR_MAX];
        jx_ptr_i(p, sizeof p, ptr, i);
        int idx = -1;
        int64_t k;
        if (jv_int(it, &k)) {
            if (k >= 0 && k < rule->nitems)
                idx = (int)k;
        } else if (jv_is_string(it)) {
            const char *s = jx_norm_text(&d->arena, jv_str(it));
            for (int m = 0; s && m < rule->nitems; m++) {
                const char *in = jx_norm_text(&d->arena, rule->items[m].name);
                if (in && strcmp(in, s) == 0) {
                    idx = m;
                    break;
                }
            }
        }
        if (idx < 0) {
            char msg[400];
            if (jv_is_string(it))
                snprintf(msg, sizeof msg, "清单中没有 '%s' 这一项 (no such checklist item)",
                         jv_str(it));
            else
                snprintf(msg, sizeof msg, "清单项序号应为 0 到 %d (item index out of range)",
                         rule->nitems - 1);
            err(L, p, "ACTUAL_INVALID", msg);
            continue;
        }
        if (!seen[idx]) {
            seen[idx] = true;
            ind->list[ind->nlist++] = idx;
        }
    }
}

static void load_indicator(loader *L, jv *o, size_t i, const char *base)
{
    enum { F_LEVEL1, F_LEVEL2, F_NAME, F_WEIGHT, F_TARGET, F_ACTUAL, F_RULE, F_REASON, F_REPORTED,
           F_NA, NF };
    static const jv_field IF[NF] = {JV_FIELD("level1"), JV_FIELD("level2"), JV_FIELD("name"),
                                    JV_FIELD("weight"), JV_FIELD("target"), JV_FIELD("actual"),
                                    JV_FIELD("rule"), JV_FIELD("deviation_reason"),
                                    JV_FIELD("reported_score"), JV_FIELD("not_applicable")};
    jx_document *d = L->doc;
    jx_indicator *ind = &d->inds[i];
    char p[JX_PTR_MAX], q[JX_PTR_MAX];
    jv *f[NF], *v0;
    *ind = (jx_indicator){0};
    jx_ptr_i(p, sizeof p, base, i);
    ind->fw_index = -1;
    if (!jv_is_object(o)) {
        err(L, p, "TYPE_INVALID", "指标应为对象 (indicator must be an object)");
        return;
    }
    jv_fields(o, IF, NF, f, p, L->errs);
    ind->level1 = opt_str(L, f[F_LEVEL1], "level1", p);
    ind->level2 = opt_str(L, f[F_LEVEL2], "level2", p);
    ind->name = opt_str(L, f[F_NAME], "name", p);
    const char *reason = opt_str(L, f[F_REASON], "deviation_reason", p);
    if (reason) {
        const char *s = reason;
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        ind->reason = *s ? reason : NULL;
    }
    if ((v0 = f[F_NA]) && !jv_is_null(v0)) {
        if (v0->t != JV_TRUE && v0->t != JV_FALSE) {
            jx_ptr(q, sizeof q, p, "not_applicable");
            err(L, q, "TYPE_INVALID", "not_applicable 应为 true 或 false (must be a boolean)");
        } else
            ind->na = v0->t == JV_TRUE;
    }
    bool wide = d->fw->ninds > 0;
    const jx_rule *fw_rule = NULL;
    if (!ind->name) {
        jx_ptr(q, sizeof q, p, "name");
        err(L, q, "FIELD_REQUIRED", "缺少指标名称 (name is required)");
    }
    if (wide && ind->name) {
        bool amb;
        int k = match_fw_indicator(d->fw, &d->arena, ind->name, ind->level2, &amb);
        if (amb) {
            jx_ptr(q, sizeof q, p, "level2");
            jx_err_add(L->errs, JX_EINVALID, q, "INDICATOR_AMBIGUOUS",
                       "框架中有多个“%s”，请给出 level2 区分 (ambiguous name: give level2)", ind->name);
        }
        ind->fw_index = k >= 0 ? k : -2;
        if (k >= 0)
            fw_rule = &d->fw->inds[k].rule;
    }
    jv *v = f[F_WEIGHT];
    if (v && !jv_is_null(v)) {
        if (!jv_cents(v, &ind->weight) || ind->weight <= 0)
            err(L, at_str(at_key(p, "weight"), q), "WEIGHT_INVALID",
                "分值应为大于 0 的数字，最多两位小数 (weight must be > 0)");
        else
            ind->has_weight = true;
    } else if (ind->fw_index == -2 && f[F_TARGET]) {
        err(L, at_str(at_key(p, "weight"), q), "FIELD_REQUIRED", "缺少分值 (weight is required)");
    }
    /* a project indicator without a weight: assumed when no indicator of
     * the document has one, else an error (assume_weights, §8) */
    if (ind->fw_index == -1 && !ind->level1) {
        jx_ptr(q, sizeof q, p, "level1");
        err(L, q, "FIELD_REQUIRED", "缺少一级指标 (level1 is required)");
    }
    /* the category is resolved once here, not at every scoring */
    ind->cat = -1;
    ind->l2_index = -1;
    if (ind->fw_index == -1 && ind->level1) {
        const char *implied = NULL;
        if (L->last_l1 && strcmp(L->last_l1, ind->level1) == 0) {
            ind->cat = L->last_cat;
            implied = L->last_implied;
        } else {
            ind->cat = jx_framework_category(d->fw, ind->level1, &implied);
            L->last_l1 = ind->level1;
            L->last_cat = ind->cat;
            L->last_implied = implied;
        }
        ind->l2 = implied ? implied : ind->level2;
        if (ind->cat >= 0 && ind->l2) {
            if (L->last_l2 && L->last_l2_cat == ind->cat && strcmp(L->last_l2, ind->l2) == 0) {
                ind->l2_index = L->last_l2_index;
                ind->l2_unknown = L->last_l2_unknown;
            } else {
                const jx_category *c = &d->fw->cats[ind->cat];
                ind->l2_unknown = c->nlevel2 > 0;
                for (int k = 0; k < c->nlevel2; k++)
                    if (jx_level_eq(c->level2[k], ind->l2)) {
                        ind->l2_index = k;
                        ind->l2_unknown = false;
                        break;
                    }
                L->last_l2 = ind->l2;
                L->last_l2_cat = ind->cat;
                L->last_l2_index = ind->l2_index;
                L->last_l2_unknown = ind->l2_unknown;
            }
        }
    }
    if ((v = f[F_RULE]) && !jv_is_null(v)) {
        jx_ptr(q, sizeof q, p, "rule");
        json_t *jr = jv_to_jansson(v, L->text);
        ind->rule = jx_alloc_raw(&d->arena, sizeof *ind->rule);
        if (!jr)
            err(L, q, "RULE_INVALID", "评分规则无法读取 (rule cannot be read)");
        else if (ind->rule && jx_rule_load(&d->arena, jr, q, ind->rule, L->errs))
            ind->has_rule = true;
        json_decref(jr);
    }
    const jx_rule *rule = ind->has_rule ? ind->rule : fw_rule;
    load_textval(L, f[F_TARGET], at_key(p, "target"), "年度指标值", &ind->target);
    v = f[F_ACTUAL];
    if ((rule && (rule->kind == JX_RULE_CHECKLIST || rule->kind == JX_RULE_QUARTERS)) ||
        jv_is_array(v))
        jx_ptr(q, sizeof q, p, "actual");   /* the rarer forms below take it built */
    if (rule && rule->kind == JX_RULE_CHECKLIST) {
        load_list_actual(L, v, q, rule, ind);
        ind->actual.present = ind->actual_is_list;
    } else if (rule && rule->kind == JX_RULE_QUARTERS && v && !jv_is_null(v)) {
        int64_t k = -1;
        if (!jv_int(v, &k))
            k = -1;
        if (k < 0 || k > 4)
            err(L, q, "ACTUAL_INVALID", "按季度完成的实际值应为 0 到 4 的整数 (quarters must be 0 to 4)");
        else {
            ind->has_quarters = true;
            ind->quarters = (int)k;
            ind->actual.present = true;
        }
    } else if (jv_is_array(v)) {
        err(L, q, "ACTUAL_INVALID",
            "只有清单类指标的实际完成值可以是列表 (only checklist actuals may be lists)");
    } else
        load_textval(L, v, at_key(p, "actual"), "实际完成值", &ind->actual);
    if (ind->target.present && ind->actual.present && ind->target.v.kind == JX_VAL_NUMBER &&
        ind->actual.v.kind == JX_VAL_NUMBER)
        ind->num_ready = jx_reconcile(&ind->target.v, &ind->actual.v, &ind->T, &ind->A);
    if (ind->num_ready && jx_fits64(ind->A.n) && jx_fits64(ind->A.d) && jx_fits64(ind->T.n) &&
        jx_fits64(ind->T.d)) {
        ind->num64 = true;
        ind->an = (int64_t)ind->A.n;
        ind->ad = (int64_t)ind->A.d;
        ind->tn = (int64_t)ind->T.n;
        ind->td = (int64_t)ind->T.d;
    }
    if ((v = f[F_REPORTED]) && !jv_is_null(v)) {
        if (load_decimal(L, v, at_key(p, "reported_score"), "报告得分", &ind->reported, NULL)) {
            ind->has_reported = true;
            if (!jx_q_round(ind->reported, 2, &ind->reported_c))
                ind->reported_c = INT64_MAX / 4;
        }
    }
}

/* Project documents: weights given for all indicators, or for none.  With
 * none (report tables without a 分值 column), each level-1's framework
 * weight is split evenly over its indicators to the cent, the remainder
 * cents going to the first ones (scoring.md §8); some given and some
 * missing is an error listing the missing ones. */
static void assume_weights(loader *L)
{
    jx_document *d = L->doc;
    int given = 0;
    for (int i = 0; i < d->ninds; i++)
        given += d->inds[i].has_weight;
    if (given == d->ninds || d->ninds == 0)
        return;
    if (given > 0) {
        char list[400];
        size_t o = 0;
        int missing = 0;
        list[0] = 0;
        for (int i = 0; i < d->ninds; i++) {
            if (d->inds[i].has_weight)
                continue;
            char p[JX_PTR_MAX];
            jx_ptr_i(p, sizeof p, "/indicators", (size_t)i);
            jx_ptr(p, sizeof p, p, "weight");
            err(L, p, "FIELD_REQUIRED", "其他指标给出了分值，本指标缺少分值 (weight is required)");
            if (missing++ < 20 && o + 24 < sizeof list)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%d", o ? ", " : "", i);
        }
        jx_err_add(L->errs, JX_EINVALID, "/indicators", "WEIGHTS_PARTIAL",
                   "%d 个指标给出分值、%d 个缺少（第 %s%s 项，从 0 起），分值应全部给出或全部省略 "
                   "(weights must be given for every indicator or for none)",
                   given, missing, list, missing > 20 ? " 等" : "");
        return;
    }
    const jx_framework *fw = d->fw;
    for (int c = 0; c < fw->ncats; c++) {
        int n = 0;
        for (int i = 0; i < d->ninds; i++)
            n += d->inds[i].cat == c;
        if (n == 0)
            continue;
        int64_t each = fw->cats[c].weight / n, rest = fw->cats[c].weight % n;
        for (int i = 0; i < d->ninds; i++) {
            jx_indicator *ind = &d->inds[i];
            if (ind->cat != c)
                continue;
            ind->weight = each + (rest > 0 ? 1 : 0);
            rest -= rest > 0;
            ind->has_weight = ind->weight > 0;
            ind->weight_assumed = true;
        }
    }
    for (int i = 0; i < d->ninds; i++)
        if (d->inds[i].cat < 0)
            d->inds[i].weight_assumed = true;   /* weight 0: its level-1 is unknown */
}

static void load_budget(loader *L, jv *b)
{
    static const char *const BF[] = {"initial", "cuts", "additions", "adjusted", "executed",
                                     "balance", "reported_execution_rate", "breakdown",
                                     "sources", NULL};
    jx_document *d = L->doc;
    jx_budget *bg = &d->budget;
    if (!b || jv_is_null(b))
        return;
    if (!jv_is_object(b)) {
        err(L, "/budget", "TYPE_INVALID", "budget 应为对象 (budget must be an object)");
        return;
    }
    d->has_budget = true;
    jv_check_fields(b, BF, "/budget", L->errs);
    load_money(L, jv_get(b, "initial"), at_key("/budget", "initial"), &bg->initial);
    load_money(L, jv_get(b, "cuts"), at_key("/budget", "cuts"), &bg->cuts);
    load_money(L, jv_get(b, "additions"), at_key("/budget", "additions"), &bg->additions);
    load_money(L, jv_get(b, "adjusted"), at_key("/budget", "adjusted"), &bg->adjusted);
    load_money(L, jv_get(b, "executed"), at_key("/budget", "executed"), &bg->executed);
    load_money_signed(L, jv_get(b, "balance"), at_key("/budget", "balance"), &bg->balance, true);
    jv *v = jv_get(b, "reported_execution_rate");
    if (v && !jv_is_null(v)) {
        jx_textval tv;
        load_textval(L, v, at_key("/budget", "reported_execution_rate"), "预算执行率", &tv);
        if (tv.present) {
            if (tv.v.kind != JX_VAL_NUMBER || tv.v.has_op ||
                (tv.v.unit_kind != JX_UNIT_PERCENT && tv.v.unit_kind != JX_UNIT_NONE))
                err(L, "/budget/reported_execution_rate", "RATE_INVALID",
                    "预算执行率应为百分数，如 \"99.12%\" (execution rate must be a percent)");
            else {
                bg->has_rate = true;
                bg->rate = jx_q_of_value(&tv.v);
                bg->rate_prec = tv.v.prec;
                if (tv.v.unit_kind == JX_UNIT_NONE) {  /* 99.12 means 99.12% */
                    bg->rate.d *= 100;
                    bg->rate_prec -= 2;
                }
                bg->rate_text = tv.text;
            }
        }
    }
    v = jv_get(b, "breakdown");
    if (v && !jv_is_null(v)) {
        static const char *const IF[] = {"item", "amount", NULL};
        if (!jv_is_array(v) || (size_t)v->n > 1000)
            err(L, "/budget/breakdown", "TYPE_INVALID",
                "breakdown 应为 [{item, amount}] 数组 (breakdown must be an array)");
        else {
            bg->nbreakdown = (int)(size_t)v->n;
            bg->breakdown = jx_alloc(&d->arena, sizeof *bg->breakdown * (size_t)(bg->nbreakdown + 1));
            for (size_t i = 0; bg->breakdown && i < (size_t)v->n; i++) {
                jv *it = v->items[i];
                char p[JX_PTR_MAX];
                jx_ptr_i(p, sizeof p, "/budget/breakdown", i);
                if (!jv_is_object(it)) {
                    err(L, p, "TYPE_INVALID", "明细应为 {item, amount} (must be an object)");
                    continue;
                }
                jv_check_fields(it, IF, p, L->errs);
                bg->breakdown[i].name = opt_string(L, it, "item", p);
                load_money(L, jv_get(it, "amount"), at_key(p, "amount"), &bg->breakdown[i].amount);
            }
        }
    }
    v = jv_get(b, "sources");
    if (v && !jv_is_null(v)) {
        static const char *const SF[] = {"source", "initial", "adjusted", "executed", NULL};
        if (!jv_is_array(v) || (size_t)v->n > 100)
            err(L, "/budget/sources", "TYPE_INVALID",
                "sources 应为 [{source, initial, adjusted, executed}] 数组 (sources must be an array)");
        else {
            bg->nsources = (int)(size_t)v->n;
            bg->sources = jx_alloc(&d->arena, sizeof *bg->sources * (size_t)(bg->nsources + 1));
            for (size_t i = 0; bg->sources && i < (size_t)v->n; i++) {
                jv *it = v->items[i];
                char p[JX_PTR_MAX];
                jx_ptr_i(p, sizeof p, "/budget/sources", i);
                if (!jv_is_object(it)) {
                    err(L, p, "TYPE_INVALID", "资金来源应为对象 (must be an object)");
                    continue;
                }
                jv_check_fields(it, SF, p, L->errs);
                bg->sources[i].source = opt_string(L, it, "source", p);
                load_money(L, jv_get(it, "initial"), at_key(p, "initial"), &bg->sources[i].initial);
                load_money(L, jv_get(it, "adjusted"), at_key(p, "adjusted"), &bg->sources[i].adjusted);
                load_money(L, jv_get(it, "executed"), at_key(p, "executed"), &bg->sources[i].executed);
            }
        }
    }
}

static void load_figures(loader *L, jv *f)
{
    jx_document *d = L->doc;
    if (!f || jv_is_null(f))
        return;
    if (!jv_is_object(f) || (size_t)f->n > 1000) {
        err(L, "/figures", "TYPE_INVALID", "figures 应为 {名称: 数值} 对象 (figures must be an object)");
        return;
    }
    d->figures = jx_alloc(&d->arena, sizeof *d->figures * ((size_t)f->n + 1));
    if (!d->figures)
        return;
    for (uint32_t m = 0; m < f->n; m++) {
        const char *key = f->members[m].key;
        jv *v = f->members[m].v;
        char p[JX_PTR_MAX];
        if (jv_is_null(v))
            continue;
        jx_textval tv;
        load_textval(L, v, at_key("/figures", key), "指标数据", &tv);
        if (!tv.present)
            continue;
        if (tv.v.kind != JX_VAL_NUMBER || tv.v.has_op) {
            jx_err_add(L->errs, JX_EINVALID, at_str(at_key("/figures", key), p), "FIGURE_INVALID",
                       "指标数据 '%s' 应为数字、金额或百分数 (figure must be a number, amount or percent)",
                       key);
            continue;
        }
        jx_figure *fg = &d->figures[d->nfigures++];
        fg->name = jx_strdup(&d->arena, key);
        fg->text = tv.text;
        fg->value = jx_q_of_value(&tv.v);
        if (tv.v.unit_kind == JX_UNIT_MONEY)
            fg->value.d *= 100;   /* fen -> yuan */
    }
}

static void load_reported(loader *L, jv *r)
{
    static const char *const RF[] = {"total", "grade", "execution_score", NULL};
    jx_document *d = L->doc;
    if (!r || jv_is_null(r))
        return;
    if (!jv_is_object(r)) {
        err(L, "/reported", "TYPE_INVALID", "reported 应为对象 (reported must be an object)");
        return;
    }
    jv_check_fields(r, RF, "/reported", L->errs);
    jv *v = jv_get(r, "total");
    if (v && !jv_is_null(v) &&
        load_decimal(L, v, at_key("/reported", "total"), "报告总分", &d->rep_total, &d->rep_total_prec))
        d->has_total = true;
    d->rep_grade = opt_string(L, r, "grade", "/reported");
    d->has_grade = d->rep_grade != NULL;
    v = jv_get(r, "execution_score");
    if (v && !jv_is_null(v) &&
        load_decimal(L, v, at_key("/reported", "execution_score"), "报告预算执行得分", &d->rep_exec_score, NULL))
        d->has_exec_score = true;
}

static const char *default_framework(const char *scope)
{
    if (scope && strcmp(scope, "department_wide") == 0)
        return "department-wide-2013";
    if (scope && strcmp(scope, "unit_wide") == 0)
        return "unit-wide-2013";
    return "project-2020";
}

static const char *const DOC_FIELDS[] = {"scope", "framework", "name", "org", "year", "budget",
                                         "indicators", "figures", "reported", NULL};

jx_document *jx_document_load(const jx_ctx *ctx, const char *json, size_t len, jx_errors *errs)
{
    jx_errors_clear(errs);
    jx_document *d = calloc(1, sizeof *d);
    loader L = {d, errs, ctx, json, NULL, NULL, NULL, -1, -1, -1, false};
    if (!d) {
        jx_err_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return NULL;
    }
    /* the parsed tree lives in the document's arena: its strings are used
     * in place, and one free releases both */
    jv *j = jv_parse(&d->arena, json, len, errs);
    if (!j)
        goto fail;
    if (!jv_is_object(j)) {
        err(&L, "", "TYPE_INVALID", "文档应为 JSON 对象 (the document must be a JSON object)");
        goto fail;
    }
    jv_check_fields(j, DOC_FIELDS, "", errs);

    d->scope = opt_string(&L, j, "scope", "");
    if (d->scope && strcmp(d->scope, "project") && strcmp(d->scope, "department_wide") &&
        strcmp(d->scope, "unit_wide"))
        jx_err_add(errs, JX_EINVALID, "/scope", "SCOPE_INVALID",
                   "scope '%s' 无效，应为 project、department_wide 或 unit_wide (unknown scope)",
                   d->scope);
    jv *fw = jv_get(j, "framework");
    if (!fw || jv_is_null(fw) || jv_is_string(fw)) {
        const char *id = fw && jv_is_string(fw) ? jv_str(fw) : default_framework(d->scope);
        d->fw = jx_ctx_framework(ctx, id);
        if (!d->fw)
            jx_err_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_UNKNOWN",
                       "未知的评价框架 '%s' (unknown framework)", id);
    } else if (!jv_is_object(fw)) {
        jx_err_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_INVALID",
                   "框架应为对象或内置框架名 (framework must be an object or a built-in id)");
    } else {
        /* an inline framework is read by Jansson, which refuses some numbers
         * this reader takes (integers beyond 64 bits, reals beyond a double):
         * that must be an error, not a document without a framework */
        json_t *jf = jv_to_jansson(fw, json);
        if (!jf)
            jx_err_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_INVALID",
                       "框架中有无法读取的数值 (the framework holds a number out of range)");
        d->own_fw = jf ? jx_framework_from_json(jf, "/framework", errs) : NULL;
        d->fw = d->own_fw;
        json_decref(jf);
    }
    if (d->fw && d->scope && strcmp(d->scope, d->fw->scope) != 0)
        jx_err_add(errs, JX_EINVALID, "/scope", "SCOPE_INVALID",
                   "文档 scope '%s' 与框架的 '%s' 不一致 (scope differs from the framework's)",
                   d->scope, d->fw->scope);
    if (!d->scope && d->fw)
        d->scope = d->fw->scope;
    d->name = opt_string(&L, j, "name", "");
    d->org = opt_string(&L, j, "org", "");
    jv *y = jv_get(j, "year");
    if (y && !jv_is_null(y)) {
        int64_t yv;
        if (!jv_int(y, &yv) || yv < 2000 || yv > 2100)
            err(&L, "/year", "YEAR_INVALID", "年度应为 2000 到 2100 之间的整数 (year out of range)");
        else
            d->year = (int)yv;
    }
    load_budget(&L, jv_get(j, "budget"));
    load_figures(&L, jv_get(j, "figures"));
    load_reported(&L, jv_get(j, "reported"));
    jv *inds = jv_get(j, "indicators");
    if (inds && !jv_is_null(inds)) {
        if (!jv_is_array(inds) || (size_t)inds->n > MAX_INDICATORS)
            err(&L, "/indicators", "TYPE_INVALID",
                "indicators 应为数组（最多 2000 项） (must be an array of at most 2000 indicators)");
        else if (d->fw) {
            d->ninds = (int)(size_t)inds->n;
            /* not zeroed here: each row is, as it is loaded (a fixed-size
             * clear is a few stores; the whole array was a call to memset) */
            d->inds = jx_alloc_raw(&d->arena, sizeof *d->inds * (size_t)(d->ninds + 1));
            if (d->inds)
                d->inds[d->ninds] = (jx_indicator){0};
            for (size_t i = 0; d->inds && i < (size_t)inds->n; i++) {
                load_indicator(&L, inds->items[i], i, "/indicators");
                d->inds[i].prule = jx_project_rule(d->fw, &d->inds[i]);
            }
            if (d->inds && d->fw->ninds == 0)
                assume_weights(&L);
        }
    }
    if (!d->fw && !errs->count)   /* never scored without a framework */
        jx_err_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_INVALID",
                   "缺少评价框架 (no framework)");
    if (!errs->count && !jx_document_prepare(d))
        d->arena.failed = 1;
    if (d->arena.failed)
        jx_err_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
    if (errs->count)
        goto fail;
    return d;
fail:
    jx_document_free(d);
    return NULL;
}

void jx_document_free(jx_document *d)
{
    if (!d)
        return;
    jx_framework_free(d->own_fw);
    jx_arena_free(&d->arena);
    free(d);
}
