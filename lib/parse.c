/*
 * parse.c -- targets, actuals and amounts as reports write them (scoring.md §1).
 *
 * A text is read in one pass over a normalised copy (spaces dropped,
 * full-width digits and signs folded to ASCII): an optional operator
 * (symbols or words), a number in digits, an optional multiplier and unit,
 * an optional trailing operator (以上, 以下, 以内).  What does not fit that
 * shape is a qualitative word or text when no operator was written, and an
 * error quoting the text when one was (the writer meant a number).
 *
 * Values are exact: a mantissa and a decimal scale, money in fen, percents
 * as fractions; the written precision is kept as a power of ten so that
 * "99.12%" can later be held to 0.01 percentage point.  Mantissas stay below
 * 10^18 and decimals at most 8, which keeps every later product in 128 bits.
 */
#include "internal.h"
#include <string.h>

#define MAX_DECIMALS 8
#define MANT_LIMIT 1000000000000000000LL  /* 10^18 */

typedef struct { const char *s; unsigned char len; jx_op op; bool word; } op_entry;
#define OP(s, op, word) {s, sizeof(s) - 1, op, word}

static const op_entry PREFIX_OPS[] = {
    OP(">=", JX_OP_GE, false), OP("≥", JX_OP_GE, false), OP("≧", JX_OP_GE, false),
    OP("大于等于", JX_OP_GE, true), OP("大于或等于", JX_OP_GE, true), OP("不低于", JX_OP_GE, true),
    OP("不少于", JX_OP_GE, true), OP("至少", JX_OP_GE, true), OP("达到", JX_OP_GE, true),
    OP("达", JX_OP_GE, true),
    OP(">", JX_OP_GT, false), OP("大于", JX_OP_GT, true), OP("超过", JX_OP_GT, true),
    OP("高于", JX_OP_GT, true),
    OP("<=", JX_OP_LE, false), OP("≤", JX_OP_LE, false), OP("≦", JX_OP_LE, false),
    OP("小于等于", JX_OP_LE, true), OP("小于或等于", JX_OP_LE, true), OP("不高于", JX_OP_LE, true),
    OP("不超过", JX_OP_LE, true), OP("不多于", JX_OP_LE, true), OP("至多", JX_OP_LE, true),
    OP("<", JX_OP_LT, false), OP("小于", JX_OP_LT, true), OP("低于", JX_OP_LT, true),
    OP("不足", JX_OP_LT, true),
    OP("=", JX_OP_EQ, false), OP("==", JX_OP_EQ, false), OP("等于", JX_OP_EQ, true),
};

static const op_entry SUFFIX_OPS[] = {
    OP("及以上", JX_OP_GE, true), OP("以上", JX_OP_GE, true),
    OP("及以下", JX_OP_LE, true), OP("以下", JX_OP_LE, true), OP("以内", JX_OP_LE, true),
};

typedef struct { const char *s; size_t len; const char *canon; } unit_entry;
#define UNIT(s, canon) {s, sizeof(s) - 1, canon}

static const unit_entry TIME_UNITS[] = {
    UNIT("年", "年"), UNIT("个月", "月"), UNIT("月", "月"), UNIT("周", "周"), UNIT("天", "天"),
    UNIT("日", "天"), UNIT("小时", "小时"), UNIT("分钟", "分钟"), UNIT("个工作日", "个工作日"),
    UNIT("工作日", "个工作日"),
};

static const char *const TIME_STARTS[] = {"年", "月", "天", "日", "小时", "工作日", "个工作日", "周"};

typedef struct { const char *s; jx_word w; } word_entry;

static const word_entry WORDS[] = {
    {"优", JX_WORD_GRADE_YOU}, {"优秀", JX_WORD_GRADE_YOU}, {"良", JX_WORD_GRADE_LIANG},
    {"良好", JX_WORD_GRADE_LIANG}, {"中", JX_WORD_GRADE_ZHONG}, {"中等", JX_WORD_GRADE_ZHONG},
    {"差", JX_WORD_GRADE_CHA}, {"较差", JX_WORD_GRADE_CHA},
    {"达成", JX_WORD_ACHIEVED}, {"达成年度指标", JX_WORD_ACHIEVED},
    {"达成预期指标", JX_WORD_ACHIEVED}, {"已达成", JX_WORD_ACHIEVED}, {"完成", JX_WORD_ACHIEVED},
    {"已完成", JX_WORD_ACHIEVED}, {"按时完成", JX_WORD_ACHIEVED}, {"达标", JX_WORD_ACHIEVED},
    {"全覆盖", JX_WORD_ACHIEVED}, {"是", JX_WORD_ACHIEVED},
    {"部分达成", JX_WORD_PARTIAL}, {"部分达成年度指标并具有一定效果", JX_WORD_PARTIAL},
    {"部分达成预期指标", JX_WORD_PARTIAL}, {"基本达成", JX_WORD_PARTIAL},
    {"基本完成", JX_WORD_PARTIAL},
    {"未达成", JX_WORD_NOT_ACHIEVED}, {"未达成年度指标且效果较差", JX_WORD_NOT_ACHIEVED},
    {"未达成预期指标", JX_WORD_NOT_ACHIEVED}, {"未完成", JX_WORD_NOT_ACHIEVED},
    {"否", JX_WORD_NOT_ACHIEVED},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* strncmp(s, p, strlen(p)) == 0, inline: most calls fail at the first byte */
static inline bool starts_with(const char *s, const char *p)
{
    for (; *p; s++, p++)
        if (*s != *p)
            return false;
    return true;
}

static bool ends_with(const char *s, size_t n, const op_entry *e, size_t *plen)
{
    size_t k = e->len;
    /* the last byte first: it tells most suffixes apart without a call */
    if (k > n || s[n - 1] != e->s[k - 1] || memcmp(s + n - k, e->s, k) != 0)
        return false;
    *plen = k;
    return true;
}

/* Bytes that may begin something normalise() changes: white space and
 * controls, C2 (NBSP), E3 (U+3000), EF (full-width forms, small comma).
 * The others are copied as they are. */
static const unsigned char NORM_ATTN[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Folds full-width digits and signs to ASCII and drops white space. */
static size_t normalise(const char *in, char *out, size_t cap)
{
    size_t o = 0, n = strlen(in);
    for (size_t i = 0; i < n && o + 5 < cap;) {
        const unsigned char *u = (const unsigned char *)in + i;
        if (!NORM_ATTN[u[0]]) {
            out[o++] = in[i++];
            continue;
        }
        if (u[0] == ' ' || u[0] == '\t' || u[0] == '\n' || u[0] == '\r') {
            i++;
            continue;
        }
        if (u[0] == 0xC2 && i + 1 < n && u[1] == 0xA0) { /* NBSP */
            i += 2;
            continue;
        }
        if (u[0] == 0xE3 && i + 2 < n && u[1] == 0x80 && u[2] == 0x80) { /* U+3000 */
            i += 3;
            continue;
        }
        if (u[0] == 0xEF && i + 2 < n && (u[1] == 0xBC || u[1] == 0xBD)) {
            unsigned cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                unsigned c = cp - 0xFEE0;
                if ((c >= '0' && c <= '9') || c == '.' || c == ',' || c == '%' || c == '<' ||
                    c == '>' || c == '=' || c == '+' || c == '-') {
                    out[o++] = (char)c;
                    i += 3;
                    continue;
                }
            }
        }
        if (u[0] == 0xEF && i + 2 < n && u[1] == 0xB9 && u[2] == 0x92) { /* small comma */
            out[o++] = ',';
            i += 3;
            continue;
        }
        out[o++] = in[i++];
    }
    out[o] = 0;
    return o;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool chinese_numeral_at(const char *s)
{
    static const char *const NUMS[] = {"零", "〇", "一", "二", "两", "三", "四", "五",
                                       "六", "七", "八", "九", "十", "百", "千", "万",
                                       "亿", "半", "几"};
    for (size_t i = 0; i < COUNT(NUMS); i++)
        if (starts_with(s, NUMS[i]))
            return true;
    return false;
}

static size_t cp_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i += jx_utf8_len(s + i, n - i))
        c++;
    return c;
}

/* A count unit: 1-3 characters, no digits or ASCII punctuation, not
 * beginning with a time unit (年度完成 is text, not a unit). */
static bool count_unit(const char *s, size_t n)
{
    if (n == 0 || n >= 24)
        return false;
    size_t c = cp_count(s, n);
    if (c < 1 || c > 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80 && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return false;
    }
    for (size_t i = 0; i < COUNT(TIME_STARTS); i++)
        if (starts_with(s, TIME_STARTS[i]))
            return false;
    return true;
}

static jx_word word_of(const char *text)
{
    char norm[128];
    if (strlen(text) >= sizeof norm - 8)
        return JX_WORD_NONE;   /* longer than any word */
    jx_norm_into(text, norm, sizeof norm);
    for (size_t i = 0; i < COUNT(WORDS); i++)
        if (norm[0] == WORDS[i].s[0] && strcmp(norm, WORDS[i].s) == 0)
            return WORDS[i].w;
    return JX_WORD_NONE;
}

static void qualitative(const char *text, jx_value *out)
{
    out->word = word_of(text);
    out->kind = out->word ? JX_VAL_WORD : JX_VAL_TEXT;
}

/* mant × 10^e with the decimal scale `scale`; the result must be a whole
 * number when `whole` (money in fen).  Returns false on overflow/fraction. */
static bool apply_exp(int64_t *mant, int *scale, int e, bool whole, bool *fraction)
{
    *fraction = false;
    int s = *scale - e;
    if (s >= 0) {
        if (whole && s > 0) {
            int64_t p = jx_pow10(s);
            if (*mant % p != 0) {
                *fraction = true;
                return false;
            }
            *mant /= p;
            s = 0;
        }
        *scale = s;
        return true;
    }
    jx_i128 m = (jx_i128)*mant * jx_pow10(-s);
    if (m >= MANT_LIMIT || m <= -MANT_LIMIT)   /* the README's bound, exactly */
        return false;
    *mant = (int64_t)m;
    *scale = 0;
    return true;
}

#define QUOTE_FMT "'%s'"

int jx_parse_value(const char *text, jx_value *out, jx_error *err)
{
    memset(out, 0, sizeof *out);
    char buf[512];
    if (!text || strlen(text) >= sizeof buf - 8) {
        jx_err_set(err, "VALUE_TOO_LONG", "文字过长，无法解析为指标值 (text too long to be a value)");
        return -1;
    }
    size_t n = normalise(text, buf, sizeof buf);
    if (n == 0) {
        jx_err_set(err, "VALUE_EMPTY", "值为空 (empty value)");
        return -1;
    }
    const char *p = buf;
    const op_entry *op = NULL;
    /* operators begin with < > = or a multi-byte character: digits skip the table */
    if (*p == '<' || *p == '>' || *p == '=' || (unsigned char)*p >= 0xE0)
        for (size_t i = 0; i < COUNT(PREFIX_OPS); i++)
            if (p[0] == PREFIX_OPS[i].s[0] && starts_with(p, PREFIX_OPS[i].s) &&
                (!op || PREFIX_OPS[i].len > op->len))
                op = &PREFIX_OPS[i];
    if (op)
        p += op->len;

    bool neg = false;
    const char *num = p;
    if ((*p == '-' || *p == '+') && (is_digit(p[1]) || p[1] == '.')) {
        neg = *p == '-';
        p++;
    }
    if (!is_digit(*p) && !(*p == '.' && is_digit(p[1]))) {
        if (op && (!op->word || chinese_numeral_at(p) || *p == 0)) {
            if (chinese_numeral_at(p))
                jx_err_set(err, "VALUE_CHINESE_NUMERAL",
                           QUOTE_FMT ": 运算符后须是阿拉伯数字，不能用中文数字 "
                           "(write the number in digits, not Chinese numerals)", text);
            else if (*p == 0)
                jx_err_set(err, "VALUE_NO_NUMBER",
                           QUOTE_FMT ": 运算符后缺少数字 (a number must follow the operator)", text);
            else
                jx_err_set(err, "VALUE_NO_NUMBER",
                           QUOTE_FMT ": 运算符后须是数字 (a number must follow the operator)", text);
            return -1;
        }
        qualitative(text, out);
        return 0;
    }
    (void)num;

    /* the number: digits, thousands separators between digits, decimals */
    uint64_t mant = 0;
    int decimals = 0, digits = 0;
    bool dot = false, overflow = false;
    for (;; p++) {
        if (is_digit(*p)) {
            if (mant > (uint64_t)(MANT_LIMIT - 1) / 10)
                overflow = true;
            else
                mant = mant * 10 + (uint64_t)(*p - '0');
            digits++;
            if (dot)
                decimals++;
        } else if (*p == ',' && !dot && digits > 0 && is_digit(p[1])) {
            continue;
        } else if (*p == '.' && !dot && is_digit(p[1])) {
            dot = true;
        } else
            break;
    }
    if ((*p == 'e' || *p == 'E') &&
        (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
        jx_err_set(err, "VALUE_SCIENTIFIC",
                   QUOTE_FMT ": 不接受科学计数法，请写出完整数字 (scientific notation is not accepted)",
                   text);
        return -1;
    }
    if (overflow || mant >= (uint64_t)MANT_LIMIT) {
        jx_err_set(err, "VALUE_TOO_LARGE", QUOTE_FMT ": 数值过大 (number too large)", text);
        return -1;
    }
    if (decimals > MAX_DECIMALS) {
        jx_err_set(err, "VALUE_TOO_PRECISE",
                   QUOTE_FMT ": 小数位数过多（最多%d位） (at most %d decimals)", text,
                   MAX_DECIMALS, MAX_DECIMALS);
        return -1;
    }

    /* the rest: [multiplier] unit [suffix operator] */
    const char *rest = p;
    size_t rn = strlen(rest), k = 0;
    const op_entry *sop = NULL;
    for (size_t i = 0; i < COUNT(SUFFIX_OPS); i++)
        if (ends_with(rest, rn, &SUFFIX_OPS[i], &k)) {
            sop = &SUFFIX_OPS[i];
            rn -= k;
            break;
        }

    int64_t m = (int64_t)mant * (neg ? -1 : 1);
    int scale = decimals;
    int prec = -decimals;
    int e = 0;
    bool money = false, fraction = false;
    jx_unit_kind uk = JX_UNIT_NONE;
    char unit[24] = "";

#define REST_IS(lit) (rn == strlen(lit) && memcmp(rest, lit, rn) == 0)
    if (rn == 0) {
        uk = JX_UNIT_NONE;
    } else if (REST_IS("%")) {
        uk = JX_UNIT_PERCENT;
        e = -2;
        strcpy(unit, "%");
    } else if (REST_IS("百分点") || REST_IS("个百分点")) {
        uk = JX_UNIT_POINTS;
        e = -2;
        strcpy(unit, "百分点");
    } else if (REST_IS("元")) {
        money = true;
    } else if (REST_IS("千元")) {
        money = true;
        e = 3;
    } else if (REST_IS("万元")) {
        money = true;
        e = 4;
    } else if (REST_IS("亿元")) {
        money = true;
        e = 8;
    } else if (REST_IS("万") || REST_IS("亿")) {
        e = starts_with(rest, "万") ? 4 : 8;
        out->wan_bare = 1;
    } else {
        const char *u = rest;
        size_t un = rn;
        if (starts_with(rest, "万") || starts_with(rest, "亿")) {
            size_t ml = strlen("万");
            if (rn > ml && count_unit(rest + ml, rn - ml)) {
                e = starts_with(rest, "万") ? 4 : 8;
                u = rest + ml;
                un = rn - ml;
            }
        }
        bool found = false;
        if (e == 0)
            for (size_t i = 0; i < COUNT(TIME_UNITS); i++)
                if (un == TIME_UNITS[i].len && u[un - 1] == TIME_UNITS[i].s[un - 1] &&
                    memcmp(u, TIME_UNITS[i].s, un) == 0) {
                    uk = JX_UNIT_TIME;
                    strcpy(unit, TIME_UNITS[i].canon);
                    found = true;
                    break;
                }
        if (!found && count_unit(u, un)) {
            uk = JX_UNIT_COUNT;
            memcpy(unit, u, un);
            unit[un] = 0;
            found = true;
        }
        if (!found) {
            if (op || sop) {
                jx_err_set(err, "VALUE_TRAILING_TEXT",
                           QUOTE_FMT ": 数字后的文字无法识别为单位 (the text after the number is not a unit)",
                           text);
                return -1;
            }
            qualitative(text, out);
            return 0;
        }
    }
#undef REST_IS

    if (money) {
        uk = JX_UNIT_MONEY;
        strcpy(unit, "元");
        e += 2; /* yuan -> fen */
    }
    if (!apply_exp(&m, &scale, e, money, &fraction)) {
        if (fraction)
            jx_err_set(err, "AMOUNT_SUB_FEN",
                       QUOTE_FMT ": 金额不能精确到分以下 (money finer than one fen)", text);
        else
            jx_err_set(err, "VALUE_TOO_LARGE", QUOTE_FMT ": 数值过大 (number too large)", text);
        return -1;
    }
    prec += e;
    /* canonical form: no trailing zeros in the fraction */
    while (scale > 0 && m % 10 == 0) {
        m /= 10;
        scale--;
    }

    out->kind = JX_VAL_NUMBER;
    out->mant = m;
    out->scale = scale;
    out->prec = prec;
    out->unit_kind = uk;
    memcpy(out->unit, unit, sizeof out->unit);
    if (op) {
        out->op = op->op;
        out->has_op = 1;
    } else if (sop) {
        out->op = sop->op;
        out->has_op = 1;
    } else
        out->op = JX_OP_EQ;
    return 0;
}

const char *jx_skip_op(const char *text)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t best = 0;
    /* every symbolic operator begins with < > = or the lead byte of ≥ ≤ ≧ ≦
     * (E2) or of the full-width forms (EF): other texts skip the tables */
    unsigned char c0 = (unsigned char)*p;
    if (c0 != '<' && c0 != '>' && c0 != '=' && c0 != 0xE2 && c0 != 0xEF)
        return *p ? p : text;
    /* the longest symbolic operator of PREFIX_OPS: >= > <= < == =, or
     * ≥ ≧ ≤ ≦ (E2 89 A4..A7) */
    if (c0 == '>' || c0 == '<')
        best = p[1] == '=' ? 2 : 1;
    else if (c0 == '=')
        best = p[1] == '=' ? 2 : 1;
    else if (c0 == 0xE2 && (unsigned char)p[1] == 0x89 && (unsigned char)p[2] >= 0xA4 &&
             (unsigned char)p[2] <= 0xA7)
        best = 3;
    if (!best && (starts_with(p, "＞") || starts_with(p, "＜") || starts_with(p, "＝"))) {
        best = 3;
        if (starts_with(p + 3, "=") )
            best = 4;
        else if (starts_with(p + 3, "＝"))
            best = 6;
    }
    p += best;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? p : text;
}

const char *jx_skip_op_any(const char *text)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    /* every word operator begins with a CJK character: most texts (a digit,
     * a symbol) skip the table */
    if ((unsigned char)*p < 0xE4 || (unsigned char)*p > 0xE9)
        return jx_skip_op(text);
    size_t best = 0;
    for (size_t i = 0; i < COUNT(PREFIX_OPS); i++)
        if (PREFIX_OPS[i].len > best && p[0] == PREFIX_OPS[i].s[0] && p[1] == PREFIX_OPS[i].s[1] &&
            strncmp(p, PREFIX_OPS[i].s, PREFIX_OPS[i].len) == 0)
            best = PREFIX_OPS[i].len;
    if (!best)
        return jx_skip_op(text);
    const char *q = p + best;
    while (*q == ' ' || *q == '\t')
        q++;
    /* a word operator counts only before a number (达成 is a word, §1) */
    if (!((*q >= '0' && *q <= '9') || *q == '-' || *q == '+' || (unsigned char)*q == 0xEF))
        return jx_skip_op(text);
    return q;
}

int jx_parse_money(const char *text, int64_t *fen, int *prec, jx_error *err)
{
    return jx_parse_money_signed(text, fen, prec, false, err);
}

int jx_parse_money_signed(const char *text, int64_t *fen, int *prec, bool negative_ok,
                          jx_error *err)
{
    jx_value v;
    if (jx_parse_value(text, &v, err) != 0)
        return -1;
    if (v.kind != JX_VAL_NUMBER || v.has_op ||
        (v.unit_kind != JX_UNIT_MONEY && v.unit_kind != JX_UNIT_NONE)) {
        jx_err_set(err, "AMOUNT_UNPARSEABLE",
                   QUOTE_FMT ": 不是金额，应写作数字加元、万元或亿元 (not an amount of money)", text);
        return -1;
    }
    if (v.unit_kind == JX_UNIT_NONE) {
        /* unit-less amounts are yuan (万 alone: ten thousand yuan) */
        bool fraction = false;
        int64_t m = v.mant;
        int scale = v.scale;
        if (!apply_exp(&m, &scale, 2, true, &fraction)) {
            if (fraction)
                jx_err_set(err, "AMOUNT_SUB_FEN",
                           QUOTE_FMT ": 金额不能精确到分以下 (money finer than one fen)", text);
            else
                jx_err_set(err, "VALUE_TOO_LARGE", QUOTE_FMT ": 数值过大 (number too large)", text);
            return -1;
        }
        v.mant = m;
        v.prec += 2;
    }
    if (v.mant < 0 && !negative_ok) {
        jx_err_set(err, "AMOUNT_NEGATIVE", QUOTE_FMT ": 金额不能为负数 (amount must not be negative)",
                   text);
        return -1;
    }
    *fen = v.mant;
    if (prec)
        *prec = v.prec;
    return 0;
}
