/*
 * input/monitoring.c -- the bodies of monitoring reports, thresholds,
 * rectification changes and budget advice, checked whole (every problem at
 * once, api.md) before anything reaches the database.
 *
 * Amounts and indicator progress are parsed by the scoring library's own
 * parsers (jx_parse_money, jx_parse_value), so "30万元" or "≥5次" mean
 * here what they mean in a self-assessment.  An indicator's progress is
 * stored with its value and its target's value as decimal text and a flag
 * saying whether the target is cumulative (a count or an amount to reach:
 * =, ≥ or >, units alike); only those are coloured pro rata (SQL,
 * sql/0020).  Qualitative targets, rates and ceilings (≤) are not.
 */
#include "input/monitoring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/project.h"
#include "problem.h"

#define MAX_TEXT 4000

int mon_period_parse(const char *s, mon_period *p)
{
    int i;

    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    p->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (s[5] == 'Q') {
        if (s[6] < '1' || s[6] > '4')
            return -1;
        p->months = (s[6] - '0') * 3;
    } else {
        if (s[5] < '0' || s[5] > '1' || s[6] < '0' || s[6] > '9')
            return -1;
        p->months = (s[5] - '0') * 10 + (s[6] - '0');
        if (p->months < 1 || p->months > 12)
            return -1;
    }
    if (p->year < 2000 || p->year > 2100)
        return -1;
    snprintf(p->text, sizeof p->text, "%s", s);
    return 0;
}

static void check_fields(json_t *o, const char *const *allowed, const char *base,
                         jx_errors *errs)
{
    const char *key;
    json_t *v;

    json_object_foreach(o, key, v) {
        size_t i;
        int known = 0;
        char ptr[200];

        for (i = 0; allowed[i]; i++)
            known |= !strcmp(key, allowed[i]);
        if (known)
            continue;
        json_pointer_append(ptr, sizeof ptr, base, key);
        errs_add(errs, JX_EFIELD, ptr, "UNKNOWN_FIELD", "未知字段 '%.80s' (unknown field)", key);
    }
}

/* An optional string of at most MAX_TEXT bytes; NULL when absent or null. */
static const char *opt_text(json_t *o, const char *key, jx_errors *errs)
{
    json_t *v = json_object_get(o, key);
    char ptr[64];

    if (!v || json_is_null(v))
        return NULL;
    snprintf(ptr, sizeof ptr, "/%s", key);
    if (!json_is_string(v)) {
        errs_add(errs, JX_EINVALID, ptr, "TYPE_INVALID", "%s 应为字符串 (must be a string)", key);
        return NULL;
    }
    if (json_string_length(v) > MAX_TEXT) {
        errs_add(errs, JX_EINVALID, ptr, "TOO_LONG", "%s 超过 %d 字节 (too long)", key, MAX_TEXT);
        return NULL;
    }
    return json_string_value(v);
}

/* The text of a JSON number or string; NULL otherwise. */
static const char *scalar(json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%.15g", json_real_value(v));
        return buf;
    }
    return NULL;
}

/* mant / 10^scale as decimal text. */
static void dec_text(int64_t mant, int scale, char *out, size_t n)
{
    char digits[64];
    int neg = mant < 0, len;
    uint64_t m = neg ? (uint64_t)0 - (uint64_t)mant : (uint64_t)mant;

    len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)m);
    if (scale <= 0) {
        snprintf(out, n, "%s%s", neg ? "-" : "", digits);
        return;
    }
    if (scale > 30)
        scale = 30;
    if (len <= scale) {
        /* leading zeros: "5" at scale 2 is "0.05" */
        memmove(digits + (scale - len + 1), digits, (size_t)len + 1);
        memset(digits, '0', (size_t)(scale - len + 1));
        len = scale + 1;
    }
    snprintf(out, n, "%s%.*s.%s", neg ? "-" : "", len - scale, digits, digits + len - scale);
}

/* The value of v in its natural unit (yuan for money) as decimal text. */
static void value_text(const jx_value *v, char *out, size_t n)
{
    if (v->unit_kind == JX_UNIT_MONEY)
        dec_text(v->mant, v->scale + 2, out, n);
    else
        dec_text(v->mant, v->scale, out, n);
}

/* The stored indicator of project with id `id`, or NULL. */
static json_t *indicator_of(json_t *project, json_int_t id)
{
    json_t *arr = json_object_get(project, "indicators"), *ind;
    size_t i;

    json_array_foreach(arr, i, ind) {
        if (json_integer_value(json_object_get(ind, "id")) == id)
            return ind;
    }
    return NULL;
}

/* One progress item into out (the stored item), problems into errs. */
static void progress_item(json_t *item, size_t i, json_t *project, json_t *out,
                          jx_errors *errs)
{
    static const char *const fields[] = {"id", "progress", NULL};
    char base[48], ptr[96], buf[64], vt[72], tt[72];
    json_t *id = json_object_get(item, "id"), *ind, *stored;
    const char *text, *target;
    jx_value pv, tv;
    jx_error e;
    int cumulative = 0;

    snprintf(base, sizeof base, "/indicators/%zu", i);
    if (!json_is_object(item)) {
        errs_add(errs, JX_EINVALID, base, "TYPE_INVALID",
                 "指标进度应为 {id, progress} 对象 (progress must be an object)");
        return;
    }
    check_fields(item, fields, base, errs);
    snprintf(ptr, sizeof ptr, "%s/id", base);
    if (!json_is_integer(id) || json_integer_value(id) <= 0) {
        errs_add(errs, JX_EINVALID, ptr, "FIELD_REQUIRED",
                 "缺少指标 id (the indicator's id is required)");
        return;
    }
    ind = indicator_of(project, json_integer_value(id));
    if (!ind) {
        errs_add(errs, JX_EINVALID, ptr, "INDICATOR_UNKNOWN",
                 "指标 %lld 不属于该项目 (indicator %lld is not one of this project's)",
                 (long long)json_integer_value(id), (long long)json_integer_value(id));
        return;
    }
    snprintf(ptr, sizeof ptr, "%s/progress", base);
    text = scalar(json_object_get(item, "progress"), buf, sizeof buf);
    if (!text || !*text || strlen(text) > 200) {
        errs_add(errs, JX_EINVALID, ptr, "FIELD_REQUIRED",
                 "缺少进度值，如 \"3次\" (progress is required, e.g. \"3次\")");
        return;
    }
    if (jx_parse_value(text, &pv, &e) != 0) {
        errs_add(errs, JX_EINVALID, ptr, e.code, "进度值无法解析: %s", e.message);
        return;
    }
    target = json_string_value(json_object_get(ind, "target"));
    vt[0] = tt[0] = '\0';
    if (pv.kind == JX_VAL_NUMBER)
        value_text(&pv, vt, sizeof vt);
    if (target && jx_parse_value(target, &tv, &e) == 0 && tv.kind == JX_VAL_NUMBER &&
        pv.kind == JX_VAL_NUMBER &&
        (tv.unit_kind == JX_UNIT_COUNT || tv.unit_kind == JX_UNIT_MONEY) &&
        (!tv.has_op || tv.op == JX_OP_EQ || tv.op == JX_OP_GE || tv.op == JX_OP_GT) &&
        (pv.unit_kind == JX_UNIT_NONE ||
         (pv.unit_kind == tv.unit_kind &&
          (tv.unit_kind == JX_UNIT_MONEY || !strcmp(pv.unit, tv.unit))))) {
        jx_value as = pv;

        if (pv.unit_kind == JX_UNIT_NONE) {
            as.unit_kind = tv.unit_kind; /* "3" of "≥5次": 3 次; "30" of "≥50万元": yuan */
            if (tv.unit_kind == JX_UNIT_MONEY) {
                as.mant = pv.mant * 100;
            }
        }
        value_text(&as, vt, sizeof vt);
        value_text(&tv, tt, sizeof tt);
        cumulative = tv.mant > 0;
    }
    stored = json_pack("{s:I,s:O,s:s,s:O,s:b}", "indicator_id", json_integer_value(id), "name",
                       json_object_get(ind, "name"), "progress", text, "target_as_written",
                       json_object_get(ind, "target") ? json_object_get(ind, "target")
                                                      : json_null(),
                       "cumulative", cumulative);
    if (stored) {
        json_object_set_new(stored, "value", vt[0] ? json_string(vt) : json_null());
        json_object_set_new(stored, "target", tt[0] ? json_string(tt) : json_null());
    }
    json_array_append_new(out, stored);
}

int mon_decode(json_t *body, json_t *project, mon_in *in, jx_errors *errs)
{
    static const char *const fields[] = {"executed_to_date", "indicators", "notes", "reasons",
                                         NULL};
    json_t *v, *arr, *progress = json_array();
    const char *text;
    char buf[64];
    jx_error e;
    int prec;
    size_t i;

    memset(in, 0, sizeof in[0]);
    jx_errors_clear(errs);
    check_fields(body, fields, "", errs);
    v = json_object_get(body, "executed_to_date");
    text = scalar(v, buf, sizeof buf);
    if (!text) {
        errs_add(errs, JX_EINVALID, "/executed_to_date", "FIELD_REQUIRED",
                 "缺少执行数，如 \"30万元\" (executed_to_date is required, e.g. \"30万元\")");
    } else if (strlen(text) > 80 || jx_parse_money(text, &in->executed_fen, &prec, &e) != 0) {
        errs_add(errs, JX_EINVALID, "/executed_to_date", "AMOUNT_INVALID",
                 "执行数无法解析: '%.80s' (amount not understood)", text);
    } else if (in->executed_fen < 0) {
        errs_add(errs, JX_EINVALID, "/executed_to_date", "AMOUNT_NEGATIVE",
                 "执行数不能为负: '%.80s' (amount must not be negative)", text);
    } else {
        fen_text(in->executed_fen, in->executed, sizeof in->executed);
        if (strcmp(in->executed, text))
            snprintf(in->executed_written, sizeof in->executed_written, "%s", text);
    }
    arr = json_object_get(body, "indicators");
    if (arr && !json_is_null(arr) && !json_is_array(arr))
        errs_add(errs, JX_EINVALID, "/indicators", "TYPE_INVALID",
                 "indicators 应为数组 (indicators must be an array)");
    else if (json_array_size(arr) > 1000)
        errs_add(errs, JX_EINVALID, "/indicators", "TOO_MANY",
                 "指标进度最多 1000 项 (at most 1000 items)");
    else
        json_array_foreach(arr, i, v) progress_item(v, i, project, progress, errs);
    in->notes = opt_text(body, "notes", errs);
    in->reasons = opt_text(body, "reasons", errs);
    if (!progress) {
        errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
    } else if (!errs->count) {
        in->progress = json_dumps(progress, JSON_COMPACT);
        if (!in->progress)
            errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
    }
    json_decref(progress);
    return errs->count ? -1 : 0;
}

void mon_in_free(mon_in *in)
{
    free(in->progress);
    in->progress = NULL;
}

/* A rate 0 < x <= 10 with at most four decimals into out; -1 otherwise. */
static int rate_text(json_t *v, char *out, size_t n)
{
    char buf[64];
    const char *s = scalar(v, buf, sizeof buf), *p;
    int dot = 0, frac = 0, digits = 0;

    if (!s || strlen(s) > 12)
        return -1;
    for (p = s; *p; p++) {
        if (*p == '.' && !dot) {
            dot = 1;
        } else if (*p >= '0' && *p <= '9') {
            digits++;
            frac += dot;
        } else {
            return -1;
        }
    }
    if (!digits || frac > 4 || strtod(s, NULL) <= 0 || strtod(s, NULL) > 10)
        return -1;
    snprintf(out, n, "%s", s);
    return 0;
}

int mon_thresholds_decode(json_t *body, mon_thresholds_in *in, jx_errors *errs)
{
    static const char *const fields[] = {"green", "yellow", NULL};

    jx_errors_clear(errs);
    check_fields(body, fields, "", errs);
    if (rate_text(json_object_get(body, "green"), in->green, sizeof in->green) < 0)
        errs_add(errs, JX_EINVALID, "/green", "RATE_INVALID",
                 "green 应为 0 到 10 之间、至多四位小数的比值，如 0.8 (a ratio such as 0.8)");
    if (rate_text(json_object_get(body, "yellow"), in->yellow, sizeof in->yellow) < 0)
        errs_add(errs, JX_EINVALID, "/yellow", "RATE_INVALID",
                 "yellow 应为 0 到 10 之间、至多四位小数的比值，如 0.6 (a ratio such as 0.6)");
    if (!errs->count && strtod(in->yellow, NULL) >= strtod(in->green, NULL))
        errs_add(errs, JX_EINVALID, "/yellow", "THRESHOLDS_ORDER",
                 "yellow (%s) 应小于 green (%s) (yellow must be below green)", in->yellow,
                 in->green);
    return errs->count ? -1 : 0;
}

/* ---- rectifications ------------------------------------------------------ */

static const char *const NEXT_OPEN[] = {"in_progress", NULL};
static const char *const NEXT_IN_PROGRESS[] = {"done", NULL};
static const char *const NEXT_DONE[] = {"verified", "reopened", NULL};
static const char *const NEXT_NONE[] = {NULL};

const char *const *rect_next(const char *from)
{
    if (!strcmp(from, "open") || !strcmp(from, "reopened"))
        return NEXT_OPEN;
    if (!strcmp(from, "in_progress"))
        return NEXT_IN_PROGRESS;
    if (!strcmp(from, "done"))
        return NEXT_DONE;
    return NEXT_NONE;
}

int rect_allowed(const char *from, const char *to)
{
    const char *const *n;

    for (n = rect_next(from); *n; n++)
        if (!strcmp(*n, to))
            return 1;
    return 0;
}

int rect_is_review(const char *to)
{
    return !strcmp(to, "verified") || !strcmp(to, "reopened");
}

static int date_ok(const char *s)
{
    int y, m, d, i;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
        return 0;
    {
        static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        if (d > days[m - 1] || (m == 2 && d == 29 && !leap))
            return 0;
    }
    return 1;
}

int rect_patch_decode(json_t *body, rect_patch_in *in, jx_errors *errs)
{
    static const char *const fields[] = {"status", "note", "evidence", "deadline", NULL};
    static const char *const statuses[] = {"open", "in_progress", "done", "verified",
                                           "reopened", NULL};
    json_t *v;

    memset(in, 0, sizeof in[0]);
    jx_errors_clear(errs);
    check_fields(body, fields, "", errs);
    v = json_object_get(body, "status");
    if (v && !json_is_null(v)) {
        size_t i;
        int known = 0;

        in->status = json_string_value(v);
        for (i = 0; in->status && statuses[i]; i++)
            known |= !strcmp(in->status, statuses[i]);
        if (!known) {
            errs_add(errs, JX_EINVALID, "/status", "STATUS_INVALID",
                     "status 应为 open、in_progress、done、verified 或 reopened (unknown status)");
            in->status = NULL;
        }
    }
    in->note = opt_text(body, "note", errs);
    in->evidence = opt_text(body, "evidence", errs);
    v = json_object_get(body, "deadline");
    if (v && !json_is_null(v)) {
        if (!date_ok(json_string_value(v)))
            errs_add(errs, JX_EINVALID, "/deadline", "DATE_INVALID",
                     "deadline 应为 YYYY-MM-DD 日期 (a date such as 2025-06-30)");
        else
            snprintf(in->deadline, sizeof in->deadline, "%s", json_string_value(v));
    }
    if (!errs->count && !in->status && !in->note && !in->evidence && !in->deadline[0])
        errs_add(errs, JX_EINVALID, "", "NOTHING_TO_CHANGE",
                 "请给出 status、note、evidence 或 deadline (nothing to change)");
    return errs->count ? -1 : 0;
}

/* ---- budget advice --------------------------------------------------------- */

int advice_rules_decode(json_t *body, char **out, jx_errors *errs)
{
    static const char *const fields[] = {"rules", NULL};
    json_t *rules = json_object_get(body, "rules"), *v, *arr = json_array();
    const char *grade;
    char ptr[200];

    *out = NULL;
    jx_errors_clear(errs);
    check_fields(body, fields, "", errs);
    if (!json_is_object(rules) || json_object_size(rules) == 0 || json_object_size(rules) > 20) {
        errs_add(errs, JX_EINVALID, "/rules", "RULES_INVALID",
                 "rules 应为 {等级: 建议} 对象，1 到 20 项 (rules must map grades to advice)");
    } else {
        json_object_foreach(rules, grade, v) {
            json_pointer_append(ptr, sizeof ptr, "/rules", grade);
            if (strlen(grade) < 1 || strlen(grade) > 20)
                errs_add(errs, JX_EINVALID, ptr, "GRADE_INVALID",
                         "等级应为 1 到 20 字节 (a grade of 1 to 20 bytes)");
            else if (!json_is_string(v) || json_string_length(v) < 1 ||
                     json_string_length(v) > 500)
                errs_add(errs, JX_EINVALID, ptr, "ADVICE_INVALID",
                         "建议应为 1 到 500 字节的文字 (advice must be text of 1 to 500 bytes)");
            else
                json_array_append_new(arr, json_pack("[s,O]", grade, v));
        }
    }
    if (!errs->count) {
        *out = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
        if (!*out)
            errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
    }
    json_decref(arr);
    return errs->count ? -1 : 0;
}

int advice_decision_decode(json_t *body, advice_decision_in *in, jx_errors *errs)
{
    static const char *const fields[] = {"decision", "amount", "note", NULL};
    json_t *v;
    char buf[64];
    const char *text;
    int64_t fen;
    int prec;
    jx_error e;

    memset(in, 0, sizeof in[0]);
    jx_errors_clear(errs);
    check_fields(body, fields, "", errs);
    in->decision = opt_text(body, "decision", errs);
    if (!in->decision || !*in->decision || strlen(in->decision) > 500)
        errs_add(errs, JX_EINVALID, "/decision", "FIELD_REQUIRED",
                 "缺少决定，如 \"压减 20%%\" (decision is required, 1 to 500 bytes)");
    in->note = opt_text(body, "note", errs);
    v = json_object_get(body, "amount");
    if (v && !json_is_null(v)) {
        text = scalar(v, buf, sizeof buf);
        if (!text || strlen(text) > 80 || jx_parse_money(text, &fen, &prec, &e) != 0 || fen < 0)
            errs_add(errs, JX_EINVALID, "/amount", "AMOUNT_INVALID",
                     "金额无法解析: '%.80s' (amount not understood)", text ? text : "");
        else
            fen_text(fen, in->amount, sizeof in->amount);
    }
    return errs->count ? -1 : 0;
}
