/*
 * ruletext.c -- rules as reports write them (评分标准, scoring.md §8).
 *
 * Reports print the rule beside each indicator in words: "少10%扣1分，扣完
 * 为止", "为100%的计2分，每低于1个百分点扣0.5分", "完成得满分，未完成不得分".
 * The text is split into clauses at punctuation (spaces and full width
 * ignored), each clause is matched against a few exact shapes, and the
 * shapes found must make one rule of §3; the text itself is kept for the
 * explanation.  Anything else is RULE_UNREADABLE, quoting the text: a rule
 * that was guessed would score silently wrong, which is worse than none.
 *
 * The reader is a few fixed patterns over a bounded copy, not a grammar
 * library: the texts are short and the shapes few, and every shape must be
 * exact (a clause with a word left over is not read).
 */
#include "jsonin.h"
#include <stdlib.h>
#include <string.h>

/* Texts longer than this are not rules (a cell of notes); bounded copies. */
#define RULE_TEXT_MAX 600
#define CLAUSES_MAX 8

typedef enum {
    C_STEP, C_CAP, C_BOUND, C_MET_FULL, C_ELSE_ZERO, C_RATIO, C_FILLER, C_NONE
} clause_kind;

typedef struct {
    clause_kind kind;
    jx_q a, b;          /* step: per, deduct; cap: bound, points; bound: bound */
    int dir;            /* step: JX_DIR_BELOW / JX_DIR_ABOVE */
    jx_basis basis;     /* step */
    bool a_pct;         /* cap, bound: the bound was a percent */
} clause;

static bool eat(const char **p, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*p, w, n) != 0)
        return false;
    *p += n;
    return true;
}

/* the first word of the list that matches (lists put longer words first) */
static bool eat_any(const char **p, const char *const *ws)
{
    for (; *ws; ws++)
        if (eat(p, *ws))
            return true;
    return false;
}

/* digits with an optional fraction: at most 12 digits, 8 decimals */
static bool eat_num(const char **p, jx_q *q)
{
    const char *s = *p;
    int64_t m = 0;
    int digits = 0, dec = -1;
    for (;; s++) {
        if (*s >= '0' && *s <= '9') {
            if (++digits > 12 || dec >= 8)
                return false;
            m = m * 10 + (*s - '0');
            if (dec >= 0)
                dec++;
        } else if (*s == '.' && dec < 0 && digits > 0 && s[1] >= '0' && s[1] <= '9')
            dec = 0;
        else
            break;
    }
    if (!digits)
        return false;
    *q = jx_q_make(m, jx_pow10(dec < 0 ? 0 : dec));
    *p = s;
    return true;
}

static const char *const BELOW[] = {"低于", "降低", "减少", "下降", "不足", "少于", "少", "低",
                                    NULL};
static const char *const ABOVE[] = {"超过", "超出", "高于", "增加", "上升", "多于", "多", "超",
                                    NULL};
static const char *const TARGET_WORDS[] = {"年度指标值", "年度目标值", "预期目标", "年度目标",
                                           "目标值", "指标值", "目标", NULL};

/* 每少10%扣1分, 每低于1个百分点扣0.5分, 多10%扣1分 */
static bool step_clause(const char *p, clause *c)
{
    static const char *const DEDUCT[] = {"扣减", "扣除", "扣", "减", NULL};
    eat(&p, "每");
    if (!eat(&p, "比目标"))
        eat(&p, "较目标");
    if (eat_any(&p, BELOW))
        c->dir = JX_DIR_BELOW;
    else if (eat_any(&p, ABOVE))
        c->dir = JX_DIR_ABOVE;
    else
        return false;
    if (!eat_num(&p, &c->a))
        return false;
    if (eat(&p, "个百分点") || eat(&p, "百分点"))
        c->basis = JX_BASIS_POINTS;
    else if (eat(&p, "%"))
        c->basis = JX_BASIS_DEFAULT;   /* §3's default: points against a percent target */
    else
        return false;
    eat(&p, "的");
    if (!eat_any(&p, DEDUCT) || !eat_num(&p, &c->b) || !eat(&p, "分"))
        return false;
    c->kind = C_STEP;
    return *p == 0;
}

/* a bound: 100% or 5 (its percent sign remembered) */
static bool bound(const char **p, clause *c)
{
    if (!eat_num(p, &c->a))
        return false;
    c->a_pct = eat(p, "%");
    if (c->a_pct)
        c->a.d *= 100;
    return true;
}

/* 为100%的计2分 */
static bool cap_clause(const char *p, clause *c)
{
    if (!eat(&p, "为"))
        eat(&p, "达到");
    if (!bound(&p, c))
        return false;
    eat(&p, "的");
    if (!(eat(&p, "计") || eat(&p, "得")) || !eat_num(&p, &c->b) || !eat(&p, "分"))
        return false;
    c->kind = C_CAP;
    return *p == 0;
}

/* 80%以上得满分, 完成率达到80%及以上的得满分 */
static bool bound_clause(const char *p, clause *c)
{
    while (*p && !(*p >= '0' && *p <= '9'))   /* a name before the number */
        p++;
    if (!bound(&p, c))
        return false;
    if (!(eat(&p, "及以上") || eat(&p, "以上")))
        return false;
    eat(&p, "的");
    if (!(eat(&p, "得满分") || eat(&p, "计满分") || eat(&p, "为满分")))
        return false;
    c->kind = C_BOUND;
    return *p == 0;
}

static bool met_full_clause(const char *p, clause *c)
{
    static const char *const MET[] = {"完成", "达到", "达成", "实现", NULL};
    if (!eat_any(&p, MET))
        return false;
    eat_any(&p, TARGET_WORDS);
    eat(&p, "的");
    if (!(eat(&p, "得满分") || eat(&p, "计满分")))
        return false;
    c->kind = C_MET_FULL;
    return *p == 0;
}

static bool else_zero_clause(const char *p, clause *c)
{
    static const char *const MISSED[] = {"没有完成", "未完成", "未达到", "未达成", "未实现",
                                         "否则", NULL};
    if (!eat_any(&p, MISSED))
        return false;
    eat_any(&p, TARGET_WORDS);
    eat(&p, "的");
    if (!(eat(&p, "不得分") || eat(&p, "得0分") || eat(&p, "计0分")))
        return false;
    c->kind = C_ELSE_ZERO;
    return *p == 0;
}

/* 按完成比例计分, 按比例得分, 未达到按完成比例计分 */
static bool ratio_clause(const char *p, clause *c)
{
    static const char *const MISSED[] = {"没有完成", "未完成", "未达到", "未达成", "否则", NULL};
    static const char *const SHARE[] = {"实际完成比例", "完成比例", "完成率", "比例", NULL};
    static const char *const SCORE[] = {"折算得分", "计分", "得分", "折算", NULL};
    eat_any(&p, MISSED);
    eat_any(&p, TARGET_WORDS);
    eat(&p, "的");
    if (!eat(&p, "按") || !eat_any(&p, SHARE) || !eat_any(&p, SCORE))
        return false;
    c->kind = C_RATIO;
    return *p == 0;
}

static bool filler_clause(const char *p, clause *c)
{
    static const char *const FILL[] = {"扣完本项分值为止", "扣完该项分值为止", "扣至0分为止",
                                       "最低不低于0分", "扣完为止", "扣完即止", "减完为止",
                                       "最低为0分", "最低0分", NULL};
    if (!eat_any(&p, FILL))
        return false;
    c->kind = C_FILLER;
    return *p == 0;
}

static clause_kind read_clause(const char *p, clause *c)
{
    memset(c, 0, sizeof *c);
    if (step_clause(p, c) || (memset(c, 0, sizeof *c), cap_clause(p, c)) ||
        (memset(c, 0, sizeof *c), bound_clause(p, c)) ||
        (memset(c, 0, sizeof *c), met_full_clause(p, c)) ||
        (memset(c, 0, sizeof *c), else_zero_clause(p, c)) ||
        (memset(c, 0, sizeof *c), ratio_clause(p, c)) ||
        (memset(c, 0, sizeof *c), filler_clause(p, c)))
        return c->kind;
    c->kind = C_NONE;
    return C_NONE;
}

/* A clause separator (punctuation of either width); *n its length. */
static bool separator(const char *s, size_t *n)
{
    static const char *const SEP[] = {"，", "；", "。", "、", "：", "！", "\xef\xbc\x8c", ",", ";",
                                      ":", "!", NULL};
    for (const char *const *w = SEP; *w; w++)
        if (strncmp(s, *w, strlen(*w)) == 0) {
            *n = strlen(*w);
            return true;
        }
    return false;
}

/* Splits a copy of text into clauses: spaces dropped, full-width ASCII
 * folded (％ → %, ０ → 0, ． → .), a '.' that ends a sentence a separator. */
static int split(const char *text, char *buf, size_t cap, const char *clauses[CLAUSES_MAX])
{
    size_t o = 0, n = strlen(text);
    int nc = 0;
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b0 = (unsigned char)text[i];
        size_t k = jx_utf8_len(text + i, n - i), sl;
        if (o + 8 >= cap)
            return -1;
        if (b0 == ' ' || b0 == '\t' || b0 == '\n' || b0 == '\r' ||
            (k == 3 && memcmp(text + i, "\xe3\x80\x80", 3) == 0)) {   /* U+3000 */
            i += k;
            continue;
        }
        bool sep = separator(text + i, &sl);
        if (!sep && b0 == '.' && !(i + 1 < n && text[i + 1] >= '0' && text[i + 1] <= '9'))
            sep = true, sl = 1;
        if (sep) {
            buf[o++] = 0;
            if (o - 1 > start) {
                if (nc == CLAUSES_MAX)
                    return -1;
                clauses[nc++] = buf + start;
            }
            start = o;
            i += sl;
            continue;
        }
        if (k == 3 && b0 == 0xEF) {   /* U+FF01..FF5E: full-width ASCII */
            unsigned cp = ((unsigned)(b0 & 0x0F) << 12) | ((unsigned)(text[i + 1] & 0x3F) << 6) |
                          (unsigned)(text[i + 2] & 0x3F);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                buf[o++] = (char)(cp - 0xFEE0);
                i += 3;
                continue;
            }
        }
        memcpy(buf + o, text + i, k);
        o += k;
        i += k;
    }
    buf[o++] = 0;
    if (o - 1 > start) {
        if (nc == CLAUSES_MAX)
            return -1;
        clauses[nc++] = buf + start;
    }
    return nc;
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF): a rule read keeps its text, which must survive JSON. */
static bool utf8_ok(const char *text)
{
    const unsigned char *u = (const unsigned char *)text;
    while (*u) {
        unsigned c = u[0], cp, k;
        if (c < 0x80) {
            u++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, cp = c & 0x07;
        else
            return false;
        for (unsigned i = 1; i <= k; i++) {
            if ((u[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (u[i] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        u += k + 1;
    }
    return true;
}

static bool cents_of(jx_q q, int64_t *c)
{
    int64_t v;
    if (!jx_q_round(q, 2, &v) || v <= 0)
        return false;
    jx_q back = jx_q_make(v, 100);
    if (jx_q_cmp(back, q) != 0)
        return false;   /* finer than a cent */
    *c = v;
    return true;
}

bool jx_rule_from_text(const char *text, jx_rule *r, jx_error *err)
{
    char buf[RULE_TEXT_MAX * 2 + 16];
    const char *cl[CLAUSES_MAX];
    clause cs[CLAUSES_MAX];
    int count[C_NONE + 1] = {0};
    int step = -1, cap = -1, bnd = -1;
    memset(r, 0, sizeof *r);
    int n = strlen(text) <= RULE_TEXT_MAX && utf8_ok(text) ? split(text, buf, sizeof buf, cl) : -1;
    if (n <= 0)
        goto unreadable;
    for (int i = 0; i < n; i++) {
        clause_kind k = read_clause(cl[i], &cs[i]);
        if (k == C_NONE)
            goto unreadable;
        count[k]++;
        if (k == C_STEP)
            step = i;
        else if (k == C_CAP)
            cap = i;
        else if (k == C_BOUND)
            bnd = i;
    }
    if (count[C_STEP] == 1 && !count[C_ELSE_ZERO] && !count[C_RATIO] && count[C_CAP] <= 1 &&
        count[C_BOUND] <= 1 && !(count[C_CAP] && count[C_BOUND])) {
        r->kind = JX_RULE_STEP;
        r->per = cs[step].a;
        r->dir = cs[step].dir;
        r->basis = cs[step].basis;
        r->rounding = JX_ROUND_FLOOR;
        if (jx_q_sign(r->per) <= 0 || jx_q_cmp(r->per, jx_q_int(JX_RULE_NUM_MAX)) > 0 ||
            !cents_of(cs[step].b, &r->deduct) || r->deduct > JX_RULE_NUM_MAX * 100)
            goto unreadable;
        int b = cap >= 0 ? cap : bnd;
        if (b >= 0) {
            /* the stated bound of full points: the step counts from it */
            r->has_reference = true;
            r->reference = cs[b].a;
            if (jx_q_cmp(r->reference, jx_q_int(JX_RULE_NUM_MAX)) > 0)
                goto unreadable;
        }
        if (cap >= 0) {
            r->has_cap = true;
            if (!cents_of(cs[cap].b, &r->cap) || r->cap > JX_RULE_NUM_MAX * 100)
                goto unreadable;
        }
    } else if (count[C_RATIO] == 1 && !count[C_STEP] && !count[C_ELSE_ZERO] && !count[C_CAP] &&
               !count[C_BOUND]) {
        r->kind = JX_RULE_RATIO;
    } else if (count[C_MET_FULL] >= 1 && count[C_ELSE_ZERO] == 1 && !count[C_STEP] &&
               !count[C_RATIO] && !count[C_CAP] && !count[C_BOUND] && !count[C_FILLER]) {
        r->kind = JX_RULE_THRESHOLD;
    } else
        goto unreadable;
    return true;
unreadable:
    memset(r, 0, sizeof *r);
    {
        /* quoted whole when short, else cut at a character boundary */
        char q[200];
        size_t m = 0, len = utf8_ok(text) ? strlen(text) : 0;
        while (m < len) {
            size_t k = jx_utf8_len(text + m, len - m);
            if (m + k > sizeof q - 4)
                break;
            m += k;
        }
        memcpy(q, text, m);
        strcpy(q + m, !utf8_ok(text) ? "（不是合法的 UTF-8 文字）" : m < len ? "…" : "");
        jx_err_set(err, "RULE_UNREADABLE",
                   "评分标准无法识别: '%s'，请写作“少10%%扣1分”“完成得满分，未完成不得分”"
                   "“按完成比例计分”等形式，或给出规则对象 (rule text not understood)",
                   q);
    }
    return false;
}

char *jx_rule_text_json(const char *text, jx_error *err)
{
    jx_rule r;
    if (!text) {
        jx_err_set(err, "RULE_UNREADABLE", "评分标准为空 (no rule text)");
        return NULL;
    }
    if (!jx_rule_from_text(text, &r, err))
        return NULL;
    r.text = text;
    jx_buf b = {0};
    jx_rule_json(&b, &r);
    if (b.failed || !b.p) {
        free(b.p);
        jx_err_set(err, "NO_MEMORY", "内存不足 (out of memory)");
        return NULL;
    }
    return b.p;
}
