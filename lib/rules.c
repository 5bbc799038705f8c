/*
 * rules.c -- the rule kinds of scoring.md §3: reading a rule object and
 * scoring one indicator by it.
 *
 * Scoring one indicator is the hot path (the benchmark asks for ten
 * million a second), so it allocates nothing unless it raises a finding:
 * the result row stores the numbers its explanation needs, and json.c
 * renders the Chinese sentence only when the result is written out.
 *
 * All arithmetic is on exact rationals; a score is rounded half-up to
 * hundredths once, at the end, and clamped to [0, full] where full is the
 * rule's cap or the weight.  Ratio and threshold rules on values whose parts
 * fit 64 bits (reconciled when the document is loaded) take
 * score_numeric64, a copy of score_numeric's cases on plain integers; the
 * rest, step rules and linear reverse ratios take score_numeric.
 */
#include "jsonin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[] = {"ratio", "threshold", "step", "scaled", "levels",
                                         "bands", "checklist", "quarters", "manual"};

const char *jx_rule_kind_name(jx_rule_kind k)
{
    return (unsigned)k < sizeof KIND_NAMES / sizeof *KIND_NAMES ? KIND_NAMES[k] : "?";
}

static const jx_level DEFAULT_LEVELS[4] = {
    {JX_WORD_GRADE_YOU, 10000}, {JX_WORD_GRADE_LIANG, 8000},
    {JX_WORD_GRADE_ZHONG, 6000}, {JX_WORD_GRADE_CHA, 0}};

static const char *const GRADE_WORDS[] = {"", "优", "良", "中", "差"};

/* ---- loading ---------------------------------------------------------------- */

static bool load_fraction(json_t *j, jx_q *q)
{
    if (json_is_string(j)) {
        jx_value v;
        jx_error e;
        if (jx_parse_value(json_string_value(j), &v, &e) != 0 || v.kind != JX_VAL_NUMBER ||
            v.has_op)
            return false;
        *q = jx_q_of_value(&v);
        return true;
    }
    return jx_json_number(j, q, NULL);
}

/* A field whose value must be one of a few words: its index in names,
 * or -1 (absent: *out untouched) / -2 (not one of them: an error listed). */
static int one_of(json_t *j, const char *key, const char *const *names, int n, const char *ptr,
                  const char *msg, jx_errors *errs)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return -1;
    const char *s = json_string_value(v);
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    char p[JX_PTR_MAX];
    jx_ptr(p, sizeof p, ptr, key);
    jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID", "%s", msg);
    return -2;
}

bool jx_rule_load(jx_arena *a, json_t *j, const char *ptr, jx_rule *r, jx_errors *errs)
{
    static const char *const FIELDS[] = {"kind", "reverse", "equal", "per", "deduct", "basis",
                                         "rounding", "reference", "levels", "items", "each",
                                         "cap", "direction", "text", NULL};
    char p[JX_PTR_MAX];
    size_t before = errs->count;
    memset(r, 0, sizeof *r);
    if (json_is_string(j)) {
        /* the rule as the report wrote it (评分标准, §8) */
        jx_error e;
        if (!jx_rule_from_text(json_string_value(j), r, &e)) {
            jx_err_add(errs, JX_EINVALID, ptr, e.code, "%s", e.message);
            return false;
        }
        r->text = jx_strdup(a, json_string_value(j));
        return r->text != NULL;
    }
    if (!json_is_object(j)) {
        jx_err_add(errs, JX_EINVALID, ptr, "RULE_INVALID",
                   "评分规则应为对象或评分标准文字 (rule must be an object or a rule text)");
        return false;
    }
    jx_check_fields(j, FIELDS, ptr, errs);
    json_t *k = json_object_get(j, "kind");
    const char *kind = json_is_string(k) ? json_string_value(k) : "ratio";
    if (k && !json_is_string(k))
        kind = "";
    size_t i;
    for (i = 0; i < sizeof KIND_NAMES / sizeof *KIND_NAMES; i++)
        if (strcmp(kind, KIND_NAMES[i]) == 0)
            break;
    if (i == sizeof KIND_NAMES / sizeof *KIND_NAMES) {
        jx_ptr(p, sizeof p, ptr, "kind");
        jx_err_add(errs, JX_EINVALID, p, "RULE_KIND_UNKNOWN",
                   "未知的评分规则类型 '%s' (unknown rule kind)", kind);
        return false;
    }
    r->kind = (jx_rule_kind)i;

    json_t *v;
    static const char *const REVERSE[] = {"inverse", "linear"};
    static const char *const EQUAL[] = {"symmetric", "at_least"};
    r->reverse_linear = one_of(j, "reverse", REVERSE, 2, ptr,
                               "reverse 只能是 inverse 或 linear (reverse must be inverse or linear)",
                               errs) == 1;
    r->equal_at_least = one_of(j, "equal", EQUAL, 2, ptr,
                               "equal 只能是 symmetric 或 at_least (equal must be symmetric or at_least)",
                               errs) == 1;
    if (r->kind == JX_RULE_STEP) {
        v = json_object_get(j, "per");
        if (!v || !jx_json_number(v, &r->per, NULL) || jx_q_sign(r->per) <= 0 ||
            jx_q_cmp(r->per, jx_q_int(JX_RULE_NUM_MAX)) > 0) {
            jx_ptr(p, sizeof p, ptr, "per");
            jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                       "step 规则需要 0 到 1000000 之间的正数 per（每少多少扣分） (step needs a positive 'per')");
        }
        v = json_object_get(j, "deduct");
        if (!v || !jx_json_cents(v, &r->deduct) || r->deduct <= 0 ||
            r->deduct > JX_RULE_NUM_MAX * 100) {
            jx_ptr(p, sizeof p, ptr, "deduct");
            jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                       "step 规则需要正数 deduct（每次扣分，最多两位小数） (step needs a positive 'deduct')");
        }
        static const char *const BASIS[] = {"points", "relative"};
        static const char *const ROUNDING[] = {"floor", "ceil", "exact"};
        int w = one_of(j, "basis", BASIS, 2, ptr,
                       "basis 只能是 points 或 relative (basis must be points or relative)", errs);
        if (w >= 0)
            r->basis = w == 0 ? JX_BASIS_POINTS : JX_BASIS_RELATIVE;
        w = one_of(j, "rounding", ROUNDING, 3, ptr,
                   "rounding 只能是 floor、ceil 或 exact (rounding must be floor, ceil or exact)", errs);
        if (w >= 0)
            r->rounding = w == 0 ? JX_ROUND_FLOOR : w == 1 ? JX_ROUND_CEIL : JX_ROUND_EXACT;
        static const char *const DIRS[] = {"below", "above"};
        w = one_of(j, "direction", DIRS, 2, ptr,
                   "direction 只能是 below 或 above (direction must be below or above)", errs);
        if (w >= 0)
            r->dir = w == 0 ? JX_DIR_BELOW : JX_DIR_ABOVE;
        if ((v = json_object_get(j, "reference"))) {
            if (!load_fraction(v, &r->reference) ||
                jx_q_cmp(r->reference, jx_q_int(JX_RULE_NUM_MAX)) > 0 ||
                jx_q_cmp(r->reference, jx_q_int(-JX_RULE_NUM_MAX)) < 0) {
                jx_ptr(p, sizeof p, ptr, "reference");
                jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                           "reference 应为数字或百分数 (reference must be a number or a percent)");
            }
            r->has_reference = true;
        }
    }
    if (r->kind == JX_RULE_LEVELS) {
        memcpy(r->levels, DEFAULT_LEVELS, sizeof DEFAULT_LEVELS);
        r->nlevels = 4;
        if ((v = json_object_get(j, "levels"))) {
            const char *key;
            json_t *fv;
            jx_ptr(p, sizeof p, ptr, "levels");
            if (!json_is_object(v))
                jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                           "levels 应为 {\"优\": 1, ...} (levels must map grades to fractions)");
            else
                json_object_foreach(v, key, fv) {
                    jx_value wv;
                    jx_error e;
                    jx_q f;
                    int gi = 0;
                    if (jx_parse_value(key, &wv, &e) == 0 && wv.kind == JX_VAL_WORD &&
                        wv.word >= JX_WORD_GRADE_YOU && wv.word <= JX_WORD_GRADE_CHA)
                        gi = (int)wv.word - (int)JX_WORD_GRADE_YOU;
                    else {
                        jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                                   "levels 的等级 '%s' 不是 优/良/中/差 (unknown grade)", key);
                        continue;
                    }
                    int64_t f4;
                    if (!jx_json_number(fv, &f, NULL) || !jx_q_round(f, 4, &f4) || f4 < 0 ||
                        f4 > 10000) {
                        jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                                   "levels 的比例应在 0 到 1 之间 (fractions must lie in [0, 1])");
                        continue;
                    }
                    r->levels[gi].frac = f4;
                }
        }
    }
    if (r->kind == JX_RULE_CHECKLIST) {
        v = json_object_get(j, "items");
        jx_ptr(p, sizeof p, ptr, "items");
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 64) {
            jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                       "checklist 规则需要 1 到 64 个 items (checklist needs 1 to 64 items)");
        } else {
            r->nitems = (int)json_array_size(v);
            r->items = jx_alloc(a, sizeof *r->items * (size_t)r->nitems);
            if (!r->items)
                return false;
            for (size_t n = 0; n < json_array_size(v); n++) {
                static const char *const IF[] = {"name", "points", NULL};
                json_t *it = json_array_get(v, n);
                char ip[JX_PTR_MAX];
                jx_ptr_i(ip, sizeof ip, p, n);
                if (!json_is_object(it)) {
                    jx_err_add(errs, JX_EINVALID, ip, "RULE_INVALID",
                               "清单项应为 {\"name\", \"points\"} (item must be an object)");
                    continue;
                }
                jx_check_fields(it, IF, ip, errs);
                const char *nm = json_string_value(json_object_get(it, "name"));
                r->items[n].name = jx_strdup(a, nm ? nm : "");
                if (!jx_json_cents(json_object_get(it, "points"), &r->items[n].points) ||
                    r->items[n].points <= 0)
                    jx_err_add(errs, JX_EINVALID, ip, "RULE_INVALID",
                               "清单项分值应为正数，最多两位小数 (points must be positive)");
            }
        }
    }
    if (r->kind == JX_RULE_QUARTERS) {
        r->each = -1; /* default: a quarter of the weight */
        if ((v = json_object_get(j, "each"))) {
            if (!jx_json_cents(v, &r->each) || r->each <= 0) {
                jx_ptr(p, sizeof p, ptr, "each");
                jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID",
                           "quarters 的 each 应为正数 (each must be positive)");
            }
        }
    }
    if ((v = json_object_get(j, "text"))) {
        if (!json_is_string(v)) {
            jx_ptr(p, sizeof p, ptr, "text");
            jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID", "text 应为字符串 (text must be a string)");
        } else
            r->text = jx_strdup(a, json_string_value(v));
    }
    if ((v = json_object_get(j, "cap"))) {
        if (!jx_json_cents(v, &r->cap) || r->cap <= 0) {
            jx_ptr(p, sizeof p, ptr, "cap");
            jx_err_add(errs, JX_EINVALID, p, "RULE_INVALID", "cap 应为正数 (cap must be positive)");
        }
        r->has_cap = true;
    }
    return errs->count == before;
}

int64_t jx_rule_max(const jx_rule *r, int64_t w)
{
    int64_t m = r->has_cap && r->cap < w ? r->cap : w;
    if (r->kind == JX_RULE_CHECKLIST) {
        int64_t s = 0;
        for (int i = 0; i < r->nitems; i++)
            s += r->items[i].points;
        return s;   /* may exceed the weight: the framework check reports it */
    }
    if (r->kind == JX_RULE_QUARTERS && r->each > 0)
        return r->each * 4;
    return m;
}

void jx_rule_json(jx_buf *b, const jx_rule *r)
{
    jx_buf_printf(b, "{\"kind\":\"%s\"", jx_rule_kind_name(r->kind));
    if (r->kind == JX_RULE_RATIO)
        jx_buf_printf(b, ",\"reverse\":\"%s\",\"equal\":\"%s\"",
                      r->reverse_linear ? "linear" : "inverse",
                      r->equal_at_least ? "at_least" : "symmetric");
    if (r->kind == JX_RULE_STEP) {
        jx_buf_puts(b, ",\"per\":");
        jx_buf_q(b, r->per, 8);
        jx_buf_puts(b, ",\"deduct\":");
        jx_buf_cents_short(b, r->deduct);
        if (r->basis)
            jx_buf_printf(b, ",\"basis\":\"%s\"", r->basis == JX_BASIS_POINTS ? "points" : "relative");
        jx_buf_printf(b, ",\"rounding\":\"%s\"",
                      r->rounding == JX_ROUND_FLOOR ? "floor"
                      : r->rounding == JX_ROUND_CEIL ? "ceil" : "exact");
        if (r->has_reference) {
            jx_buf_puts(b, ",\"reference\":");
            jx_buf_q(b, r->reference, 8);
        }
        if (r->dir)
            jx_buf_puts(b, r->dir == JX_DIR_BELOW ? ",\"direction\":\"below\""
                                                  : ",\"direction\":\"above\"");
    }
    if (r->kind == JX_RULE_LEVELS) {
        jx_buf_puts(b, ",\"levels\":{");
        for (int i = 0; i < r->nlevels; i++) {
            jx_buf_printf(b, "%s\"%s\":", i ? "," : "", GRADE_WORDS[1 + i]);
            jx_buf_rate(b, r->levels[i].frac);
        }
        jx_buf_puts(b, "}");
    }
    if (r->kind == JX_RULE_CHECKLIST) {
        jx_buf_puts(b, ",\"items\":[");
        for (int i = 0; i < r->nitems; i++) {
            jx_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
            jx_buf_json_str(b, r->items[i].name);
            jx_buf_puts(b, ",\"points\":");
            jx_buf_cents_short(b, r->items[i].points);
            jx_buf_puts(b, "}");
        }
        jx_buf_puts(b, "]");
    }
    if (r->kind == JX_RULE_QUARTERS && r->each > 0) {
        jx_buf_puts(b, ",\"each\":");
        jx_buf_cents_short(b, r->each);
    }
    if (r->has_cap) {
        jx_buf_puts(b, ",\"cap\":");
        jx_buf_cents_short(b, r->cap);
    }
    if (r->text) {
        jx_buf_puts(b, ",\"text\":");
        jx_buf_json_str(b, r->text);
    }
    jx_buf_puts(b, "}");
}

/* ---- scoring -------------------------------------------------------------------- */

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* full × q rounded to hundredths, clamped to [0, full] */
static int64_t frac_score(int64_t full, jx_q q)
{
    if (q.n <= 0)
        return 0;
    if (q.n >= q.d)
        return full;
    jx_i128 num;
    if (__builtin_mul_overflow((jx_i128)full, q.n, &num)) {
        int64_t f4;
        if (!jx_q_round(q, 8, &f4))
            return 0;
        return clamp(jx_div_round((jx_i128)full * f4, 100000000), 0, full);
    }
    return clamp(jx_div_round(num, q.d), 0, full);
}

static bool op_met(jx_op op, int c)
{
    switch (op) {
    case JX_OP_EQ: return c == 0;
    case JX_OP_GE: return c >= 0;
    case JX_OP_GT: return c > 0;
    case JX_OP_LE: return c <= 0;
    case JX_OP_LT: return c < 0;
    }
    return false;
}

static bool is_fraction_unit(jx_unit_kind k)
{
    return k == JX_UNIT_PERCENT || k == JX_UNIT_POINTS;
}

/* Brings a unit-less side to the other side's unit (scoring.md §1).
 * Returns false when the units cannot be compared. */
bool jx_reconcile(const jx_value *t, const jx_value *a, jx_q *T, jx_q *A)
{
    *T = jx_q_of_value(t);
    *A = jx_q_of_value(a);
    jx_unit_kind tk = t->unit_kind, ak = a->unit_kind;
    if (tk == JX_UNIT_NONE && ak == JX_UNIT_NONE)
        return true;
    if (tk == JX_UNIT_NONE || ak == JX_UNIT_NONE) {
        jx_unit_kind k = tk == JX_UNIT_NONE ? ak : tk;
        jx_q *side = tk == JX_UNIT_NONE ? T : A;
        if (is_fraction_unit(k))
            side->d *= 100;                 /* 95 means 95% */
        else if (k == JX_UNIT_MONEY)
            side->n *= 100;                 /* yuan -> fen */
        return true;
    }
    if (is_fraction_unit(tk) && is_fraction_unit(ak))
        return true;
    if (tk != ak)
        return false;
    if (tk == JX_UNIT_MONEY)
        return true;
    return strcmp(t->unit, a->unit) == 0;
}

/* Score of a numeric comparison (ratio, threshold, step). */
static int64_t score_numeric(const jx_rule *rule, int64_t full, jx_op op, jx_q A, jx_q T,
                             bool percent, bool *met, jx_ind_result *out)
{
    if (jx_q_sign(A) < 0)
        A = jx_q_int(0);
    int c = jx_q_cmp(A, T);
    jx_op eff = op;
    if (rule->kind == JX_RULE_RATIO && op == JX_OP_EQ && rule->equal_at_least)
        eff = JX_OP_GE;
    *met = op_met(eff, c);
    out->op = op;
    if (rule->kind == JX_RULE_THRESHOLD) {
        out->ex = *met ? JX_EX_MET : JX_EX_THRESHOLD_MISSED;
        return *met ? full : 0;
    }
    if (rule->kind == JX_RULE_STEP) {
        jx_q ref = rule->has_reference ? rule->reference : T, d;
        bool ok;
        if (rule->dir == JX_DIR_BELOW)
            ok = jx_q_sub(ref, A, &d);
        else if (rule->dir == JX_DIR_ABOVE)
            ok = jx_q_sub(A, ref, &d);
        else if (eff == JX_OP_GE || eff == JX_OP_GT)
            ok = jx_q_sub(ref, A, &d);
        else if (eff == JX_OP_LE || eff == JX_OP_LT)
            ok = jx_q_sub(A, ref, &d);
        else {
            ok = jx_q_sub(A, ref, &d);
            if (d.n < 0)
                d.n = -d.n;
        }
        if (!ok) {
            out->ex = JX_EX_MISSED_ZERO;
            return 0;
        }
        if (d.n < 0)
            d.n = 0;
        jx_basis basis = rule->basis ? rule->basis : percent ? JX_BASIS_POINTS : JX_BASIS_RELATIVE;
        jx_q units, n;
        if (basis == JX_BASIS_POINTS)
            ok = jx_q_mul(d, jx_q_int(100), &units);
        else if (jx_q_sign(ref) == 0)
            ok = false;
        else
            ok = jx_q_div(d, ref, &units) && jx_q_mul(units, jx_q_int(100), &units);
        ok = ok && jx_q_div(units, rule->per, &n);
        if (!ok) {
            out->ex = JX_EX_MISSED_ZERO;
            return d.n == 0 ? full : 0;
        }
        if (rule->rounding == JX_ROUND_FLOOR)
            n = jx_q_int((int64_t)(n.n / n.d));
        else if (rule->rounding == JX_ROUND_CEIL)
            n = jx_q_int((int64_t)((n.n + n.d - 1) / n.d));
        jx_q ded;
        out->ex = JX_EX_STEP;
        out->steps = n;   /* the judged value stays in out->value (a formula's) */
        if (!jx_q_mul(n, jx_q_int(rule->deduct), &ded))
            return 0;
        int64_t dc = jx_div_round(ded.n, ded.d);
        return clamp(full - dc, 0, full);
    }
    /* ratio */
    if (*met) {
        out->ex = JX_EX_MET;
        return full;
    }
    jx_q q;
    switch (eff) {
    case JX_OP_GE:
    case JX_OP_GT:
        if (jx_q_sign(T) <= 0)
            break;
        out->ex = JX_EX_RATIO;
        return jx_q_div(A, T, &q) ? frac_score(full, q) : 0;
    case JX_OP_LE:
    case JX_OP_LT:
        if (jx_q_sign(T) <= 0)
            break;
        if (rule->reverse_linear) {
            jx_q two_t;
            out->ex = JX_EX_LINEAR;
            if (!jx_q_mul(T, jx_q_int(2), &two_t) || !jx_q_sub(two_t, A, &q) ||
                !jx_q_div(q, T, &q))
                return 0;
            return frac_score(full, q);
        }
        out->ex = JX_EX_RATIO;
        return jx_q_div(T, A, &q) ? frac_score(full, q) : 0;
    case JX_OP_EQ: {
        jx_q lo = c < 0 ? A : T, hi = c < 0 ? T : A;
        if (jx_q_sign(hi) <= 0 || jx_q_sign(lo) < 0)
            break;
        out->ex = JX_EX_SYMMETRIC;
        return jx_q_div(lo, hi, &q) ? frac_score(full, q) : 0;
    }
    }
    out->ex = JX_EX_MISSED_ZERO;
    return 0;
}

/* score_numeric for the ratio and threshold rules when every part fits
 * 64 bits (reconciled at load: jx_indicator.num64), with no jx_q built or
 * copied.  The same cases in the same order; products are 64×64 -> 128. */
static inline int64_t score_numeric64(const jx_rule *rule, int64_t full, jx_op op, int64_t an,
                                      int64_t ad, int64_t tn, int64_t td, bool *met,
                                      jx_ind_result *out)
{
    if (an < 0) {
        an = 0;
        ad = 1;
    }
    jx_i128 x = (jx_i128)an * td, y = (jx_i128)tn * ad;   /* A <=> T */
    jx_i128 diff = x - y;                                  /* |x|, |y| < 2^126 */
    int64_t hi = (int64_t)(diff >> 64);
    int c = hi < 0 ? -1 : (hi > 0 || (uint64_t)diff != 0);
    jx_op eff = op;
    if (rule->kind == JX_RULE_RATIO && op == JX_OP_EQ && rule->equal_at_least)
        eff = JX_OP_GE;
    *met = op_met(eff, c);
    out->op = op;
    if (rule->kind == JX_RULE_THRESHOLD) {
        out->ex = *met ? JX_EX_MET : JX_EX_THRESHOLD_MISSED;
        return *met ? full : 0;
    }
    if (*met) {
        out->ex = JX_EX_MET;
        return full;
    }
    jx_q q;
    switch (eff) {
    case JX_OP_GE:
    case JX_OP_GT:
        if (tn <= 0)
            break;
        out->ex = JX_EX_RATIO;
        q.n = x;                        /* A / T */
        q.d = (jx_i128)ad * tn;
        return frac_score(full, q);
    case JX_OP_LE:
    case JX_OP_LT:
        if (tn <= 0)
            break;
        out->ex = JX_EX_RATIO;
        if (an == 0)
            return 0;
        q.n = y;                        /* T / A */
        q.d = (jx_i128)td * an;
        return frac_score(full, q);
    case JX_OP_EQ: {
        /* lo / hi of A and T: A < T gives A / T, else T / A */
        int64_t hn = c < 0 ? tn : an, ln = c < 0 ? an : tn;
        if (hn <= 0 || ln < 0)
            break;
        out->ex = JX_EX_SYMMETRIC;
        q.n = c < 0 ? x : y;
        q.d = c < 0 ? (jx_i128)ad * tn : (jx_i128)td * an;
        return frac_score(full, q);
    }
    }
    out->ex = JX_EX_MISSED_ZERO;
    return 0;
}

int64_t jx_score_rate(const jx_rule *rule, int64_t full, jx_q rate)
{
    jx_ind_result tmp;
    bool met;
    memset(&tmp, 0, sizeof tmp);
    if (rule->kind == JX_RULE_SCALED)
        return frac_score(full, rate);
    return score_numeric(rule, full, JX_OP_GE, rate, jx_q_int(1), true, &met, &tmp);
}

static int64_t reported_cents(const jx_indicator *ind)
{
    return ind->reported_c;
}

static void score_bands(jx_result *r, const jx_framework *fw, const jx_indicator *ind,
                        const jx_value *target, const jx_value *actual, int64_t full,
                        jx_ind_result *out, int idx)
{
    jx_word band = JX_WORD_NONE;
    if (actual->kind == JX_VAL_WORD && actual->word >= JX_WORD_ACHIEVED)
        band = actual->word;
    else if (target && ind && target->kind != JX_VAL_NONE && target->kind != JX_VAL_NUMBER &&
             actual->kind != JX_VAL_NUMBER && ind->target.norm && ind->actual.norm) {
        if (strcmp(ind->target.norm, ind->actual.norm) == 0)
            band = JX_WORD_ACHIEVED;
    } else if (target && target->kind == JX_VAL_NUMBER && actual->kind == JX_VAL_NUMBER) {
        jx_q T, A;
        if (jx_reconcile(target, actual, &T, &A) && op_met(target->op, jx_q_cmp(A, T)))
            band = JX_WORD_ACHIEVED;
    }
    bool has_rep = ind && ind->has_reported;
    int64_t rep = has_rep ? reported_cents(ind) : 0;
    out->band = band;
    out->rule = JX_RULE_BANDS;   /* whatever rule was asked for, words are scored in bands */
    if (band == JX_WORD_NONE) {
        if (has_rep) {
            out->score = clamp(rep, 0, full);
            out->ex = JX_EX_JUDGEMENT;
            if (rep == out->score)
                jx_finding_add(r, "QUALITATIVE_JUDGEMENT", jx_at_ind(idx, NULL),
                               "实际完成值“%s”无法归入达成档次，采用报告得分 %K 分（需评价人判断） "
                               "(the actual cannot be placed in a band: the reported score is used)",
                               ind && ind->actual.text ? ind->actual.text : "", out->score);
            else   /* the reported score itself, and what it was held to (§8) */
                jx_finding_add(r, "QUALITATIVE_JUDGEMENT", jx_at_ind(idx, NULL),
                               "实际完成值“%s”无法归入达成档次，报告得分 %K 分不在 0 到 %K 分之间，"
                               "按 %K 分计（需评价人判断） (the actual cannot be placed in a band: "
                               "the reported score, held to [0, weight], is used)",
                               ind && ind->actual.text ? ind->actual.text : "", rep, full,
                               out->score);
        } else {
            out->score = 0;
            out->ex = JX_EX_UNDETERMINED;
            r->complete = false;
            jx_finding_add(r, "ACTUAL_UNDETERMINED", jx_at_ind(idx, "actual"),
                           "实际完成值无法判定达成档次且无报告得分，按 0 分计 "
                           "(the actual cannot be placed in a band and no score was reported)");
        }
        return;
    }
    /* band ranges in hundredths × 10000 to stay exact */
    jx_i128 f = full, hi = fw->band_hi, lo = fw->band_lo;
    jx_i128 r4 = (jx_i128)rep * 10000;
    bool inside;
    int64_t dflt;
    if (band == JX_WORD_ACHIEVED) {
        inside = r4 >= hi * f && r4 <= f * 10000;
        dflt = full;
    } else if (band == JX_WORD_PARTIAL) {
        inside = r4 >= lo * f && r4 < hi * f;
        dflt = jx_div_round(f * 7000, 10000);
        if (!((jx_i128)dflt * 10000 >= lo * f && (jx_i128)dflt * 10000 < hi * f))
            dflt = jx_div_round(f * (lo + hi), 20000);
    } else {
        inside = r4 >= 0 && r4 < lo * f;
        dflt = 0;
    }
    out->met = band == JX_WORD_ACHIEVED;
    if (has_rep && inside) {
        out->score = rep;
        out->ex = JX_EX_BAND_REPORTED;
    } else {
        out->score = dflt;
        out->ex = JX_EX_BAND_DEFAULT;
        if (has_rep) {   /* below 0 or above the weight included (§8) */
            jx_finding_add(r, "SCORE_OUTSIDE_BAND", jx_at_ind(idx, "reported_score"),
                           "报告得分 %K 不在“%s”档的得分区间内，按该档计 %K 分 "
                           "(the reported score lies outside its band)",
                           rep, band == JX_WORD_ACHIEVED ? "达成"
                                         : band == JX_WORD_PARTIAL ? "部分达成" : "未达成",
                           dflt);
        }
    }
}

static bool score_levels(const jx_rule *rule, const jx_value *target, const jx_value *actual,
                         int64_t full, jx_ind_result *out)
{
    if (actual->kind != JX_VAL_WORD || actual->word < JX_WORD_GRADE_YOU ||
        actual->word > JX_WORD_GRADE_CHA)
        return false;
    int ai = (int)actual->word - (int)JX_WORD_GRADE_YOU;
    const jx_level *lv = rule->nlevels ? rule->levels : DEFAULT_LEVELS;
    out->ex = JX_EX_LEVELS;
    out->band = actual->word;
    if (target && target->kind == JX_VAL_WORD && target->word >= JX_WORD_GRADE_YOU &&
        target->word <= JX_WORD_GRADE_CHA) {
        int ti = (int)target->word - (int)JX_WORD_GRADE_YOU;
        out->met = ai <= ti;
        if (ai <= ti) {
            out->score = full;
            return true;
        }
    }
    out->score = jx_div_round((jx_i128)full * lv[ai].frac, 10000);
    return true;
}

static void too_low(jx_result *r, const jx_framework *fw, const jx_indicator *ind, int idx)
{
    jx_finding_add(r, "TARGET_TOO_LOW", jx_at_ind(idx, "target"),
                   "实际完成值“%s”超过年度指标值“%s”的 %Q 倍且未说明原因，指标值可能设定过低 "
                   "(target beaten by far with no deviation reason: probably set too low)",
                   ind->actual.text ? ind->actual.text : "",
                   ind->target.text ? ind->target.text : "", jx_q_make(fw->too_low, 10000));
}

void jx_score_indicator(jx_result *r, const jx_framework *fw, const jx_rule *rule,
                        const jx_indicator *ind, const jx_value *target, const jx_q *value,
                        jx_ind_result *out, int idx)
{
    int64_t w = out->weight;
    int64_t full = rule->has_cap && rule->cap < w ? rule->cap : w;
    out->rulep = rule;
    out->rule_text = rule->text;
    out->full = full;
    out->rule = rule->kind;
    out->met = -1;
    out->score = 0;
    const jx_value *actual = ind && ind->actual.present ? &ind->actual.v : NULL;
    jx_value fv;
    if (value) {
        /* a formula's value stands in for the actual */
        memset(&fv, 0, sizeof fv);
        fv.kind = JX_VAL_NUMBER;
        out->value = *value;
        out->has_value = true;
        actual = NULL;
    }

    switch (rule->kind) {
    case JX_RULE_CHECKLIST:
        if (!ind || !ind->actual_is_list) {
            out->ex = JX_EX_MISSING;
            goto missing;
        } else {
            int64_t s = 0;
            for (int i = 0; i < ind->nlist; i++)
                s += rule->items[ind->list[i]].points;
            out->n = ind->nlist;
            out->ex = JX_EX_CHECKLIST;
            out->score = clamp(s, 0, full);
        }
        break;
    case JX_RULE_QUARTERS:
        if (!ind || !ind->has_quarters) {
            out->ex = JX_EX_MISSING;
            goto missing;
        }
        out->n = ind->quarters;
        out->ex = JX_EX_QUARTERS;
        out->score = clamp(rule->each > 0 ? rule->each * ind->quarters
                                          : jx_div_round((jx_i128)full * ind->quarters, 4),
                           0, full);
        break;
    case JX_RULE_MANUAL:
        out->ex = JX_EX_MANUAL;
        if (ind && ind->has_reported) {
            out->score = clamp(reported_cents(ind), 0, full);
        } else {
            out->ex = JX_EX_UNDETERMINED;
            r->complete = false;
            jx_finding_add(r, "ACTUAL_UNDETERMINED", jx_at_ind(idx, "reported_score"),
                           "人工评分指标缺少评价人给出的得分，按 0 分计 (a manual indicator needs a reported score)");
        }
        break;
    case JX_RULE_SCALED: {
        jx_q v;
        if (!value && actual && actual->kind != JX_VAL_NUMBER) {
            /* a band word (全覆盖) or text as the actual: bands, whatever
             * the rule kind (§8) */
            score_bands(r, fw, ind, target, actual, full, out, idx);
            goto findings_bands;
        }
        if (value)
            v = *value;
        else if (actual && actual->kind == JX_VAL_NUMBER) {
            v = jx_q_of_value(actual);
            if (actual->unit_kind == JX_UNIT_NONE && jx_q_cmp(v, jx_q_int(1)) > 0)
                v.d *= 100;   /* 95 means 95% */
        } else {
            out->ex = JX_EX_MISSING;
            goto missing;
        }
        out->value = v;
        out->has_value = true;
        out->ex = JX_EX_SCALED;
        out->score = frac_score(full, v);
        break;
    }
    case JX_RULE_LEVELS:
    case JX_RULE_BANDS:
    case JX_RULE_RATIO:
    case JX_RULE_THRESHOLD:
    case JX_RULE_STEP: {
        if (!actual && !value) {
            out->ex = JX_EX_MISSING;
            goto missing;
        }
        if (actual && actual->kind != JX_VAL_NUMBER) {
            if (rule->kind == JX_RULE_LEVELS && score_levels(rule, target, actual, full, out))
                break;
            score_bands(r, fw, ind, target, actual, full, out, idx);
            goto findings_bands;
        }
        if (rule->kind == JX_RULE_BANDS) {
            score_bands(r, fw, ind, target, actual ? actual : &fv, full, out, idx);
            goto findings_bands;
        }
        if (!target || target->kind != JX_VAL_NUMBER) {
            /* a number against a word target, or no target at all */
            score_bands(r, fw, ind, target, actual ? actual : &fv, full, out, idx);
            goto findings_bands;
        }
        if (ind && ind->num64 && !value && target == &ind->target.v && actual == &ind->actual.v &&
            !(rule->kind == JX_RULE_RATIO && rule->reverse_linear) &&
            (rule->kind == JX_RULE_RATIO || rule->kind == JX_RULE_THRESHOLD)) {
            /* the common case: parts of 64 bits, ratio or threshold */
            bool met;
            out->score = score_numeric64(rule, full, target->op, ind->an, ind->ad, ind->tn,
                                         ind->td, &met, out);
            out->met = met;
            if (met && !ind->reason && target->op == JX_OP_GE && ind->tn > 0) {
                /* A >= T × too_low / 10000, in 128 bits when it fits */
                jx_i128 l, rr;
                if (!__builtin_mul_overflow((jx_i128)ind->an * ind->td, (jx_i128)10000, &l) &&
                    !__builtin_mul_overflow((jx_i128)ind->tn * ind->ad, (jx_i128)fw->too_low, &rr)) {
                    if (l >= rr)
                        too_low(r, fw, ind, idx);
                } else {
                    jx_q lim;
                    if (jx_q_mul(ind->T, jx_q_make(fw->too_low, 10000), &lim) &&
                        jx_q_cmp(ind->A, lim) >= 0)
                        too_low(r, fw, ind, idx);
                }
            }
            break;
        }
        jx_q A, T;
        if (value) {
            A = *value;
            T = jx_q_of_value(target);
        } else if (ind && target == &ind->target.v && actual == &ind->actual.v && ind->num_ready) {
            /* reconciled once, when the document was loaded */
            A = ind->A;
            T = ind->T;
        } else if (!jx_reconcile(target, actual, &T, &A)) {
            out->ex = JX_EX_UNIT;
            r->complete = false;
            jx_finding_add(r, "UNIT_MISMATCH", jx_at_ind(idx, "actual"),
                           "实际完成值的单位“%s”与年度指标值的单位“%s”不一致，按 0 分计 "
                           "(the actual's unit differs from the target's)",
                           actual->unit, target->unit);
            break;
        }
        bool met;
        out->score = score_numeric(rule, full, target->op, A, T, is_fraction_unit(target->unit_kind),
                                   &met, out);
        out->met = met;
        if (met && !value && ind && !ind->reason && target->op == JX_OP_GE && jx_q_sign(T) > 0) {
            jx_q lim;
            if (jx_q_mul(T, jx_q_make(fw->too_low, 10000), &lim) && jx_q_cmp(A, lim) >= 0)
                too_low(r, fw, ind, idx);
        }
        break;
    }
    }

    /* reported-score findings for rules whose score the rule decides */
    if (ind && ind->has_reported) {
        int64_t rep = reported_cents(ind);
        if (rep < 0 || rep > w) {
            jx_finding_add(r, "SCORE_ABOVE_WEIGHT", jx_at_ind(idx, "reported_score"),
                           "报告得分 %Q 不在 0 到分值 %K 之间 (reported score outside [0, weight])",
                           ind->reported, w);
        }
        if (rule->kind != JX_RULE_MANUAL && out->ex != JX_EX_JUDGEMENT && rep != out->score) {
            jx_finding_add(r, "SCORE_MISMATCH", jx_at_ind(idx, "reported_score"),
                           "报告得分 %Q 与按规则计算的 %C 不一致 (reported score differs from the rule's)",
                           ind->reported, out->score);
        }
        if (out->met == 1 && rep < full && rep >= 0) {
            jx_finding_add(r, "DEDUCTED_TARGET_MET", jx_at_ind(idx, "reported_score"),
                           "指标已达成，但报告得分低于满分 %K 分 (points deducted although the target was met)",
                           full);
        }
        if (out->met == 0 && rep >= full) {
            jx_finding_add(r, "FULL_SCORE_TARGET_MISSED", jx_at_ind(idx, "reported_score"),
                           "指标未达成，但报告为满分 %K 分 (full points although the target was missed)",
                           full);
        }
    }
    goto reason;

findings_bands:
    if (ind && ind->has_reported) {
        int64_t rep = reported_cents(ind);
        if (rep < 0 || rep > w) {
            jx_finding_add(r, "SCORE_ABOVE_WEIGHT", jx_at_ind(idx, "reported_score"),
                           "报告得分 %Q 不在 0 到分值 %K 之间 (reported score outside [0, weight])",
                           ind->reported, w);
        }
    }
reason:
    if (out->met == 0 && ind && !ind->reason) {
        jx_finding_add(r, "TARGET_MISSED_NO_REASON", jx_at_ind(idx, "deviation_reason"),
                       "指标未达成，但未填写偏差原因分析及改进措施 (target missed with no deviation reason)");
    }
    return;

missing:
    r->complete = false;
    out->score = 0;
    jx_finding_add(r, "ACTUAL_MISSING", jx_at_ind(idx, "actual"),
                   "“%s”缺少实际完成值，按 0 分计 (no actual value: scored 0)",
                   out->name ? out->name : "");
    jx_reported_zero(r, ind, idx, w);
}

/* The reported-score checks of an indicator scored 0 because something is
 * missing (an actual, a figure): they never go silent (§8). */
void jx_reported_zero(jx_result *r, const jx_indicator *ind, int idx, int64_t w)
{
    if (!ind || !ind->has_reported)
        return;
    int64_t rep = reported_cents(ind);
    if (rep != 0) {
        jx_finding_add(r, "SCORE_MISMATCH", jx_at_ind(idx, "reported_score"),
                       "报告得分 %Q 与按规则计算的 0.00 不一致 (reported score differs from the rule's)",
                       ind->reported);
    }
    if (rep < 0 || rep > w) {
        jx_finding_add(r, "SCORE_ABOVE_WEIGHT", jx_at_ind(idx, "reported_score"),
                       "报告得分 %Q 不在 0 到分值 %K 之间 (reported score outside [0, weight])",
                       ind->reported, w);
    }
}
