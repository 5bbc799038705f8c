/*
 * findings.c -- the consistency review of one document (scoring.md §6).
 *
 * Findings are values in the result: a code, a severity, a JSON pointer into
 * the document and a Chinese message that quotes the numbers.  Stated
 * figures are held to the precision they were written with: a value is
 * consistent with an exact one when it equals it rounded half-up or
 * truncated at that precision (99.12% and 99.13% both fit 15464 ÷ 15600).
 * Indicator-level findings are raised in rules.c while scoring; this file
 * holds the structural, budget and total checks.
 */
#include "jsonin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the code's first letter first: most codes are told apart without a call */
#define CODE_IS(code, lit) ((code)[0] == (lit)[0] && !strcmp(code, lit))

jx_severity jx_finding_severity(const char *code)
{
    if (CODE_IS(code, "SCORE_ABOVE_WEIGHT") || CODE_IS(code, "UNIT_MISMATCH") ||
        CODE_IS(code, "FIGURE_MISSING"))
        return JX_SEV_ERROR;
    if (CODE_IS(code, "ACTUAL_HAS_OPERATOR") || CODE_IS(code, "QUALITATIVE_JUDGEMENT") ||
        CODE_IS(code, "FRAMEWORK_RULE_MAX") || CODE_IS(code, "NOT_APPLICABLE") ||
        CODE_IS(code, "WEIGHT_ASSUMED"))
        return JX_SEV_INFO;
    return JX_SEV_WARNING;
}

/* Room for `more` findings; false when out of memory (the arena says so). */
static bool finding_room(jx_result *r, int more)
{
    if (r->nfind + more <= r->capfind)
        return true;
    int cap = r->capfind ? r->capfind * 2 : 8;
    while (cap < r->nfind + more)
        cap *= 2;
    jx_finding *f = jx_alloc_raw(&r->arena, sizeof *f * (size_t)cap);
    if (!f)
        return false;
    if (r->nfind)
        memcpy(f, r->finds, sizeof *f * (size_t)r->nfind);
    r->finds = f;
    r->capfind = cap;
    return true;
}

/* Copies findings worked out at load (jx_document_prepare) into a result. */
static void findings_append(jx_result *r, const jx_finding *fs, int n)
{
    if (n <= 0 || !finding_room(r, n))
        return;
    memcpy(r->finds + r->nfind, fs, sizeof *fs * (size_t)n);
    r->nfind += n;
}

void jx_finding_put(jx_result *r, const char *code, jx_fptr at, const char *fmt,
                    const jx_farg *args, int nargs)
{
    if (r->nfind >= r->capfind && !finding_room(r, 1))
        return;
    jx_finding *f = &r->finds[r->nfind++];
    f->code = code;
    f->at = at;
    f->fmt = fmt;
    f->nargs = nargs < JX_FARGS ? nargs : JX_FARGS;
    for (int i = 0; i < f->nargs; i++)
        f->args[i] = args[i];   /* a few, inline: a call to memcpy cost more */
}

void jx_finding_pointer(jx_buf *b, const jx_finding *f)
{
    jx_buf_puts(b, f->at.base ? f->at.base : "");
    if (f->at.idx >= 0) {
        jx_buf_put(b, "/", 1);
        jx_buf_int(b, f->at.idx);
    }
    if (f->at.leaf && !strpbrk(f->at.leaf, "~/") && strlen(f->at.leaf) < JX_PTR_MAX - 2) {
        jx_buf_put(b, "/", 1);   /* nothing to escape (RFC 6901): as it is */
        jx_buf_puts(b, f->at.leaf);
    } else if (f->at.leaf) {
        char p[JX_PTR_MAX];
        jx_ptr(p, sizeof p, "", f->at.leaf);
        jx_buf_puts(b, p);
    }
}

void jx_finding_message(jx_buf *b, const jx_finding *f)
{
    int n = 0;
    const char *run = f->fmt;
    for (const char *p = f->fmt; (p = strchr(p, '%')) != NULL; p++) {
        jx_buf_put(b, run, (size_t)(p - run));
        if (p[1] == '%') {
            jx_buf_put(b, "%", 1);
            run = p += 1, run = p + 1;
            continue;
        }
        p++;
        const jx_farg *a = n < f->nargs ? &f->args[n++] : NULL;
        /* the format's letter, on an argument of the matching type */
        char k = *p;
        if (a && a->k != (k == 's' ? 's' : k == 'Q' || k == 'P' ? 'q' : 'i'))
            k = '?';
        if (a) {
            switch (k) {
            case 's': jx_buf_puts(b, a->s ? a->s : ""); break;
            case 'd': jx_buf_int(b, a->i); break;
            case 'C': jx_buf_cents(b, a->i); break;
            case 'K': jx_buf_cents_short(b, a->i); break;
            case 'F': jx_buf_fen(b, a->i); break;
            case 'Q': jx_buf_q(b, a->q, 8); break;
            case 'P': {
                jx_q pct;
                if (jx_q_mul(a->q, jx_q_int(100), &pct))
                    jx_buf_q(b, pct, 4);
                break;
            }
            default: break;
            }
        }
        run = p + 1;
    }
    jx_buf_puts(b, run);
}

/* ---- structure: categories and weights (project documents) ---------------------- */

void jx_check_structure(jx_result *r, const jx_document *doc)
{
    const jx_framework *fw = doc->fw;
    int64_t sum = fw->execution_weight;
    int64_t catsum[64];
    int catcount[64];
    memset(catsum, 0, sizeof catsum);
    memset(catcount, 0, sizeof catcount);
    bool l2seen[64][16];
    int ncat = fw->ncats < 64 ? fw->ncats : 64;
    memset(l2seen, 0, sizeof l2seen[0] * (size_t)ncat);
    for (int i = 0; i < doc->ninds; i++) {
        const jx_indicator *ind = &doc->inds[i];
        sum += ind->weight;
        int c = ind->cat;
        if (ind->weight_assumed)
            jx_finding_add(r, "WEIGHT_ASSUMED", jx_at_ind(i, "weight"),
                           "未填写分值，按一级指标“%s”的分值平均分配，计 %K 分 (no weight given: assumed)",
                           c >= 0 ? fw->cats[c].level1 : (ind->level1 ? ind->level1 : ""),
                           ind->weight);
        if (c < 0) {
            jx_finding_add(r, "UNKNOWN_CATEGORY", jx_at_ind(i, "level1"),
                           "一级指标“%s”不在框架 %s 中 (level-1 not in the framework)",
                           ind->level1 ? ind->level1 : "", fw->id);
            continue;
        }
        if (c < 64) {
            catsum[c] += ind->weight;
            catcount[c]++;
        }
        if (ind->l2_unknown) {
            jx_finding_add(r, "UNKNOWN_CATEGORY", jx_at_ind(i, "level2"),
                           "二级指标“%s”不属于一级指标“%s” (level-2 not in this level-1)", ind->l2,
                           fw->cats[c].level1);
        }
        if (c < 64 && ind->l2_index >= 0 && ind->l2_index < 16)
            l2seen[c][ind->l2_index] = true;
    }
    if (doc->ninds > 0 && sum != r->max)
        jx_finding_add(r, "WEIGHTS_TOTAL", jx_at("/indicators"),
                       "预算执行分值与各指标分值合计 %K，框架总分为 %K (weights do not add up to the framework's total)",
                       sum, r->max);
    for (int c = 0; c < fw->ncats && c < 64; c++) {
        const jx_category *cat = &fw->cats[c];
        if (catcount[c] == 0) {
            jx_finding_add(r, "MISSING_CATEGORY", jx_at("/indicators"),
                           "缺少一级指标“%s”下的指标 (no indicator under level-1)", cat->level1);
            continue;
        }
        if (catsum[c] != cat->weight)
            jx_finding_add(r, "CATEGORY_WEIGHT", jx_at("/indicators"),
                           "一级指标“%s”的指标分值合计 %K，应为 %K (category weights do not add up)",
                           cat->level1, catsum[c], cat->weight);
        for (int k = 0; k < cat->nrequired; k++) {
            int m = cat->required_idx[k];
            bool seen = m >= 0 && m < 16 && l2seen[c][m];
            if (!seen)
                jx_finding_add(r, "MISSING_CATEGORY", jx_at("/indicators"),
                               "一级指标“%s”下缺少二级指标“%s” (required level-2 missing)",
                               cat->level1, cat->required[k]);
        }
    }
}

/* ---- budget identities and the execution rate ------------------------------------- */

/* stated (with its written precision) against an exact sum of parts */
static bool money_consistent(const jx_money *stated, int64_t exact)
{
    return jx_consistent(jx_q_int(stated->fen), stated->prec < 0 ? 0 : stated->prec,
                         jx_q_int(exact));
}

static void identity(jx_result *r, const char *ptr, const char *what, const jx_money *stated,
                     int64_t exact)
{
    if (money_consistent(stated, exact))
        return;
    jx_finding_add(r, "AMOUNT_ARITHMETIC", jx_at(ptr),
                   "%s：填报 %F 元，按各项计算应为 %F 元 (a budget identity does not hold)", what,
                   stated->fen, exact);
}

/* A sum of many parts (up to 1,000 breakdown items of up to 10^18 fen
 * each) is added in 128 bits; one beyond the money bound cannot equal a
 * stated amount, and is said so rather than printed wrapped. */
static void identity_sum(jx_result *r, const char *ptr, const char *what, const jx_money *stated,
                         jx_i128 sum)
{
    const jx_i128 limit = (jx_i128)1000000000000000000LL;
    if (sum < limit && sum > -limit) {
        identity(r, ptr, what, stated, (int64_t)sum);
        return;
    }
    jx_finding_add(r, "AMOUNT_ARITHMETIC", jx_at(ptr),
                   "%s：填报 %F 元，各项合计超过 10^16 元 (a budget identity does not hold)", what,
                   stated->fen);
}

void jx_check_budget(jx_result *r, const jx_document *doc)
{
    if (!doc->has_budget)
        return;
    const jx_budget *b = &doc->budget;
    if (b->initial.present && b->adjusted.present && (b->cuts.present || b->additions.present)) {
        int64_t exp = b->initial.fen - (b->cuts.present ? b->cuts.fen : 0) +
                      (b->additions.present ? b->additions.fen : 0);
        identity(r, "/budget/adjusted", "年初预算数 − 压减/追减 + 追加 ≠ 全年预算数", &b->adjusted, exp);
    }
    const jx_money *base = b->adjusted.present ? &b->adjusted : b->initial.present ? &b->initial : NULL;
    if (base && b->executed.present && b->balance.present)
        identity(r, "/budget/balance", "全年预算数 − 全年执行数 ≠ 结余（结转/收回）", &b->balance,
                 base->fen - b->executed.fen);
    if (b->nbreakdown > 0 && b->executed.present) {
        jx_i128 s = 0;
        for (int i = 0; i < b->nbreakdown; i++)
            s += b->breakdown[i].amount.fen;
        identity_sum(r, "/budget/breakdown", "支出明细合计 ≠ 全年执行数", &b->executed, s);
    }
    if (b->nsources > 0) {
        jx_i128 si = 0, sa = 0, se = 0;
        bool hi = false, ha = false, he = false;
        for (int i = 0; i < b->nsources; i++) {
            si += b->sources[i].initial.fen;
            sa += b->sources[i].adjusted.fen;
            se += b->sources[i].executed.fen;
            hi |= b->sources[i].initial.present;
            ha |= b->sources[i].adjusted.present;
            he |= b->sources[i].executed.present;
        }
        if (hi && b->initial.present)
            identity_sum(r, "/budget/sources", "各资金来源年初预算数合计 ≠ 年初预算数", &b->initial, si);
        if (ha && b->adjusted.present)
            identity_sum(r, "/budget/sources", "各资金来源全年预算数合计 ≠ 全年预算数", &b->adjusted, sa);
        if (he && b->executed.present)
            identity_sum(r, "/budget/sources", "各资金来源执行数合计 ≠ 全年执行数", &b->executed, se);
    }
    if (base && b->executed.present && b->executed.fen > base->fen) {
        jx_finding_add(r, "OVERSPENT", jx_at("/budget/executed"),
                       "全年执行数 %F 元超过全年预算数 %F 元 (executed exceeds the budget)",
                       b->executed.fen, base->fen);
    } else if (b->balance.present && b->balance.fen < 0) {
        jx_finding_add(r, "OVERSPENT", jx_at("/budget/balance"),
                       "结余为负数 %F 元，支出超过预算 (a negative balance: overspent)",
                       b->balance.fen);
    }
    if (b->has_rate && base && b->executed.present && base->fen > 0) {
        jx_q exact = jx_q_make(b->executed.fen, base->fen);
        if (!jx_consistent(b->rate, b->rate_prec, exact)) {
            jx_finding_add(r, "EXECUTION_RATE_MISMATCH", jx_at("/budget/reported_execution_rate"),
                           "填报的预算执行率 %s 与 %F ÷ %F = %P%% 不一致 (reported execution rate is inconsistent)",
                           b->rate_text ? b->rate_text : "", b->executed.fen, base->fen, exact);
        }
    }
}

/* ---- totals and grade --------------------------------------------------------------- */

void jx_check_totals(jx_result *r, const jx_document *doc)
{
    /* reports write totals on 100: the reported total is held to the
     * normalised total, exactly (total × 100 ÷ max, §8) */
    jx_q on100 = r->max > 0 ? jx_q_make((jx_i128)r->total * 100, r->max) : jx_q_int(0);
    if (doc->has_total) {
        if (!jx_consistent(doc->rep_total, doc->rep_total_prec, on100)) {
            if (r->max == 10000)
                jx_finding_add(r, "TOTAL_MISMATCH", jx_at("/reported/total"),
                               "报告总分 %Q 与按规则计算的 %C 不一致 (reported total differs from the computed one)",
                               doc->rep_total, r->total);
            else
                jx_finding_add(r, "TOTAL_MISMATCH", jx_at("/reported/total"),
                               "报告总分 %Q 与按规则计算的 %C（%C ÷ 满分 %K × 100）不一致 "
                               "(reported total differs from the normalised one)",
                               doc->rep_total, r->normalised, r->total, r->max);
        }
        if (doc->rep_all) {
            jx_q sum = doc->rep_sum;
            jx_q ex = doc->has_exec_score ? doc->rep_exec_score : jx_q_make(r->exec_score, 100);
            jx_q_add(sum, ex, &sum);
            /* the parts add up to the total as written, or on 100 */
            jx_q sum100 = sum;
            bool scaled = r->max > 0 && r->max != 10000 &&
                          jx_q_mul(sum, jx_q_make(10000, r->max), &sum100);
            if (!jx_consistent(doc->rep_total, doc->rep_total_prec, sum) &&
                !(scaled && jx_consistent(doc->rep_total, doc->rep_total_prec, sum100))) {
                jx_finding_add(r, "REPORTED_SUM_MISMATCH", jx_at("/reported/total"),
                               "各指标报告得分与预算执行得分合计 %Q，与报告总分 %Q 不一致 "
                               "(the reported scores do not add up to the reported total)",
                               sum, doc->rep_total);
            }
        }
    }
    if (doc->has_total && doc->has_grade) {
        int64_t c = 0;
        if (jx_q_round(doc->rep_total, 2, &c)) {   /* on 100, as reports write it (§8) */
            const char *g = jx_grade_of(doc->fw, c);
            if (strcmp(g, doc->rep_grade) != 0) {
                jx_finding_add(r, "GRADE_MISMATCH", jx_at("/reported/grade"),
                               "报告等级“%s”与报告总分 %Q 对应的等级“%s”不一致 (grade does not match the total)",
                               doc->rep_grade, doc->rep_total, g);
            }
        }
    }
}

/* ---- worked out once per document ---------------------------------------------------- */

/* The sum of the indicators' reported scores, when every indicator of the
 * result carries one (REPORTED_SUM_MISMATCH adds the execution score). */
static void reported_sum(jx_document *doc)
{
    bool all = doc->ninds > 0, cents = true;
    int64_t sumc = 0;
    jx_q sum = jx_q_int(0);
    bool wide = doc->fw->ninds > 0;
    for (int i = 0; i < doc->ninds; i++) {
        const jx_indicator *ind = &doc->inds[i];
        /* only what the total holds: not-applicable indicators and a wide
         * document's own ones outside the total need no score (§8) */
        if (ind->na || (wide && ind->fw_index < 0 && !doc->fw->has_own))
            continue;
        if (!ind->has_reported) {
            all = false;
            break;
        }
        /* reported scores have two decimals or fewer: add them as integers */
        if (cents && (ind->reported.d == 1 || ind->reported.d == 10 || ind->reported.d == 100))
            sumc += ind->reported_c;
        else {
            cents = false;
            jx_q_add(sum, ind->reported, &sum);
        }
    }
    jx_q_add(sum, jx_q_make(sumc, 100), &sum);
    /* wide: every framework indicator must be listed with a reported score
     * (a count of listed indicators says nothing: the document may list
     * its own indicators too) */
    for (int k = 0; all && k < doc->fw->ninds; k++) {
        bool seen = false;
        for (int i = 0; !seen && i < doc->ninds; i++)
            seen = doc->inds[i].fw_index == k;   /* (its reported score is checked above) */
        all = seen;
    }
    doc->rep_all = all;
    doc->rep_sum = sum;
}

/* The structure (project documents) and budget findings depend on the
 * document alone: they are raised once here, on a scratch result, and kept
 * in the document; jx_score copies them into each result where the checks
 * used to run (after the indicators, so the order of findings is unchanged). */
bool jx_document_prepare(jx_document *doc)
{
    jx_result tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.doc = doc;
    tmp.fw = doc->fw;
    tmp.max = jx_framework_max(doc->fw);
    if (doc->fw->ninds == 0)
        jx_check_structure(&tmp, doc);
    jx_check_budget(&tmp, doc);
    bool ok = !tmp.arena.failed;
    if (ok && tmp.nfind > 0) {
        doc->pre = jx_alloc_raw(&doc->arena, sizeof *doc->pre * (size_t)tmp.nfind);
        if (doc->pre) {
            memcpy(doc->pre, tmp.finds, sizeof *doc->pre * (size_t)tmp.nfind);
            doc->npre = tmp.nfind;
        } else
            ok = false;
    }
    jx_arena_free(&tmp.arena);
    reported_sum(doc);
    return ok;
}

void jx_add_prepared(jx_result *r, const jx_document *doc)
{
    findings_append(r, doc->pre, doc->npre);
}
