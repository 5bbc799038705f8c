/*
 * input/project.c -- decoding, validating and normalising a project; building
 * the scoring document of a stored one.
 *
 * Validation is in two halves that report into one error list, so a
 * client sees every problem at once:
 *   - the project fields of api.md (name, code, 主管处室, fund nature,
 *     category, evaluation method, goals, problems, recovered / carried-over
 *     amounts), checked here;
 *   - the scoring part (framework, budget, indicators, figures, reported),
 *     checked by the library itself: the body is reshaped into a scoring
 *     document with the same JSON pointers and handed to jx_document_load,
 *     so the API can never accept what evaluation would later reject.
 * Two things the library treats as findings of a scored document are
 * refused at the door of a stored one, as issue 4 asks: an indicator level
 * the framework does not know (LEVEL_UNKNOWN) and a reported score below 0
 * or above its weight (SCORE_ABOVE_WEIGHT).  The framework's levels are
 * read once from the library's canonical framework JSON.
 *
 * Money is exact: amounts are parsed by jx_parse_money into fen and
 * stored as "736200.00"; JSON numbers are read back through their shortest
 * text (%.15g) so 736151.84 stays 736151.84.
 */
#include "input/project.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "server.h"
#include "jsonwrite.h"
#include "util.h"

/* ---- the frameworks' levels ------------------------------------------------ */

#define MAX_FW 8
#define MAX_CATS 12
#define MAX_NAMES 16

typedef struct {
    const char *names[MAX_NAMES]; /* level1 and its aliases */
    int nnames;
    const char *level2[MAX_NAMES];
    int nlevel2;
} fw_cat;

typedef struct {
    char id[64];
    json_t *json; /* owns the strings above */
    fw_cat cats[MAX_CATS];
    int ncats;
} fw_levels;

static fw_levels fws[MAX_FW];
static int nfws;
static pthread_once_t fws_once = PTHREAD_ONCE_INIT;
static const jx_ctx *fws_ctx;

static void load_names(json_t *arr, const char **out, int *n)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        if (json_is_string(v) && *n < MAX_NAMES)
            out[(*n)++] = json_string_value(v);
    }
}

static void fws_init(void)
{
    size_t i, k;

    for (i = 0; i < jx_ctx_framework_count(fws_ctx) && nfws < MAX_FW; i++) {
        const jx_framework *fw = jx_ctx_framework_at(fws_ctx, i);
        char *text = jx_framework_json(fw);
        fw_levels *f = &fws[nfws];
        json_t *cats, *c;

        if (!text)
            continue;
        f->json = json_loads(text, 0, NULL);
        free(text);
        if (!f->json)
            continue;
        snprintf(f->id, sizeof f->id, "%s", jx_framework_id(fw));
        cats = json_object_get(f->json, "categories");
        json_array_foreach(cats, k, c) {
            fw_cat *fc;
            json_t *l1 = json_object_get(c, "level1");

            if (f->ncats >= MAX_CATS || !json_is_string(l1))
                continue;
            fc = &f->cats[f->ncats++];
            fc->names[fc->nnames++] = json_string_value(l1);
            load_names(json_object_get(c, "aliases"), fc->names, &fc->nnames);
            load_names(json_object_get(c, "level2"), fc->level2, &fc->nlevel2);
        }
        nfws++;
    }
}

static const fw_levels *fw_find(const jx_ctx *ctx, const char *id)
{
    int i;

    fws_ctx = ctx;
    pthread_once(&fws_once, fws_init);
    for (i = 0; i < nfws; i++)
        if (!strcmp(fws[i].id, id))
            return &fws[i];
    return NULL;
}

/* Level names match with or without the 指标 suffix (scoring.md §2). */
static int level_eq(const char *a, const char *b)
{
    static const char SUFFIX[] = "指标";
    size_t la = strlen(a), lb = strlen(b), ls = sizeof SUFFIX - 1;

    if (la >= ls && !strcmp(a + la - ls, SUFFIX))
        la -= ls;
    if (lb >= ls && !strcmp(b + lb - ls, SUFFIX))
        lb -= ls;
    return la > 0 && la == lb && !memcmp(a, b, la);
}

/* The category of a level-1 name: by name or alias, else a level-2 written
 * as a level-1 (成本指标 on its own, *implied set).  -1 when unknown. */
static int fw_category(const fw_levels *f, const char *l1, int *implied)
{
    int i, k;

    *implied = 0;
    for (i = 0; i < f->ncats; i++)
        for (k = 0; k < f->cats[i].nnames; k++)
            if (level_eq(f->cats[i].names[k], l1))
                return i;
    for (i = 0; i < f->ncats; i++)
        for (k = 0; k < f->cats[i].nlevel2; k++)
            if (level_eq(f->cats[i].level2[k], l1)) {
                *implied = 1;
                return i;
            }
    return -1;
}

static int fw_has_level2(const fw_levels *f, int cat, const char *l2)
{
    int k;

    if (f->cats[cat].nlevel2 == 0)
        return 1;
    for (k = 0; k < f->cats[cat].nlevel2; k++)
        if (level_eq(f->cats[cat].level2[k], l2))
            return 1;
    return 0;
}

/* ---- small readers ------------------------------------------------------- */

/* The text of a JSON number or string; NULL for anything else. */
static const char *scalar_text(json_t *v, char *buf, size_t buflen)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, buflen, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        if (buflen < 32 || jw_short_decimal(json_real_value(v), buf, 0) == 0)
            snprintf(buf, buflen, "%.15g", json_real_value(v));
        return buf;
    }
    return NULL;
}

/* A decimal ("8.51", 8.51, "-1") in ten-thousandths; -1 when not one. */
static int dec_1e4(json_t *v, int64_t *out)
{
    char buf[64];
    const char *s = scalar_text(v, buf, sizeof buf);
    int neg = 0, frac = 0, digits = 0;
    int64_t x = 0;

    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (x > INT64_MAX / 100000)
            return -1;
        x = x * 10 + (*s - '0');
    }
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, digits++)
            if (frac < 4) {
                x = x * 10 + (*s - '0');
                frac++;
            }
    while (*s == ' ')
        s++;
    if (*s || !digits)
        return -1;
    for (; frac < 4; frac++)
        x *= 10;
    *out = neg ? -x : x;
    return 0;
}

static const char *opt_str(json_t *o, const char *key, const char *base, jx_errors *errs)
{
    json_t *v = json_object_get(o, key);
    char ptr[200];

    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    json_pointer_append(ptr, sizeof ptr, base, key);
    errs_add(errs, JX_EINVALID, ptr, "TYPE_INVALID", "'%s' 应为字符串 (must be a string)", key);
    return NULL;
}

static void check_fields(json_t *o, const char *const *allowed, const char *base, jx_errors *errs)
{
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach(o, key, v) {
        int known = 0;
        char ptr[200];

        for (i = 0; allowed[i] && !known; i++)
            known = !strcmp(allowed[i], key);
        if (known)
            continue;
        json_pointer_append(ptr, sizeof ptr, base, key);
        errs_add(errs, JX_EFIELD, ptr, "UNKNOWN_FIELD", "未知字段 '%s' (unknown field)", key);
    }
}

static void check_enum(json_t *o, const char *key, const char *const *values, jx_errors *errs)
{
    const char *s = opt_str(o, key, "", errs);
    char ptr[64];
    size_t i;

    if (!s)
        return;
    for (i = 0; values[i]; i++)
        if (!strcmp(values[i], s))
            return;
    snprintf(ptr, sizeof ptr, "/%s", key);
    errs_add(errs, JX_EINVALID, ptr, "VALUE_INVALID", "'%.100s' 不是有效的取值，应为 %s%s%s (not one of the allowed values)",
             s, values[0], values[1] ? " 或 " : "", values[1] ? values[1] : "");
}

/* ---- budget -------------------------------------------------------------- */

/* Normalises the amount at o[key]: stored as "736200.00", the written text
 * recorded under written[ptr] when it differs.  Errors are left to the
 * library (which sees the original) unless report is set. */
static int norm_money(json_t *o, const char *key, const char *ptr, json_t *written,
                      int report, jx_errors *errs, int64_t *fen_out)
{
    json_t *v = json_object_get(o, key);
    char buf[64], norm[32];
    const char *text;
    int64_t fen;
    int prec;
    jx_error e;

    if (!v || json_is_null(v))
        return 0;
    text = scalar_text(v, buf, sizeof buf);
    if (!text) {
        if (report)
            errs_add(errs, JX_EINVALID, ptr, "AMOUNT_INVALID",
                     "金额应为数字或带单位的字符串，如 \"73.62万元\" (amount must be a number or a string)");
        return -1;
    }
    if (jx_parse_money(text, &fen, &prec, &e) != 0) {
        if (report)
            errs_add(errs, JX_EINVALID, ptr, e.code, "金额无法解析: %s", e.message);
        return -1;
    }
    fen_text(fen, norm, sizeof norm);
    if (strcmp(norm, text))
        json_object_set_new(written, ptr, json_string(text));
    json_object_set_new(o, key, json_string(norm));
    if (fen_out)
        *fen_out = fen;
    return 1;
}

static void norm_list(json_t *budget, const char *list, const char *const *keys,
                      json_t *written, jx_errors *errs)
{
    json_t *arr = json_object_get(budget, list), *item;
    size_t i, k;
    char base[64], ptr[128];

    if (!json_is_array(arr))
        return;
    json_array_foreach(arr, i, item) {
        if (!json_is_object(item))
            continue;
        snprintf(base, sizeof base, "/budget/%s/%zu", list, i);
        for (k = 0; keys[k]; k++) {
            snprintf(ptr, sizeof ptr, "%s/%s", base, keys[k]);
            norm_money(item, keys[k], ptr, written, 0, errs, NULL);
        }
    }
}

/* budget: the stored copy (normalised) and the scoring copy (as written,
 * without the fields the library does not know). */
static void do_budget(json_t *in, json_t *doc, json_t *sdoc, json_t *written, project_in *p,
                      jx_errors *errs)
{
    static const char *const amounts[] = {"initial", "cuts", "additions", "adjusted",
                                          "executed", "balance", NULL};
    static const char *const item_keys[] = {"amount", NULL};
    static const char *const source_keys[] = {"initial", "adjusted", "executed", NULL};
    json_t *b = json_object_get(in, "budget"), *stored, *scoring;
    size_t i;
    char ptr[64];

    if (!b || json_is_null(b))
        return;
    if (!json_is_object(b)) {
        json_object_set(sdoc, "budget", b); /* the library says what is wrong */
        return;
    }
    stored = json_deep_copy(b);
    scoring = json_deep_copy(b);
    if (!stored || !scoring) {
        json_decref(stored);
        json_decref(scoring);
        errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return;
    }
    json_object_del(scoring, "recovered");
    json_object_del(scoring, "carried_over");
    for (i = 0; amounts[i]; i++) {
        int64_t fen = 0;

        snprintf(ptr, sizeof ptr, "/budget/%s", amounts[i]);
        if (norm_money(stored, amounts[i], ptr, written, 0, errs, &fen) > 0) {
            if (!strcmp(amounts[i], "initial"))
                p->has_initial = 1, p->initial_fen = fen;
            else if (!strcmp(amounts[i], "adjusted"))
                p->has_adjusted = 1, p->adjusted_fen = fen;
            else if (!strcmp(amounts[i], "executed"))
                p->has_executed = 1, p->executed_fen = fen;
        }
    }
    /* recovered (收回) and carried over (结转): ours, checked here */
    norm_money(stored, "recovered", "/budget/recovered", written, 1, errs, NULL);
    norm_money(stored, "carried_over", "/budget/carried_over", written, 1, errs, NULL);
    norm_list(stored, "breakdown", item_keys, written, errs);
    norm_list(stored, "sources", source_keys, written, errs);
    if (!p->has_adjusted && p->has_initial) {
        p->adjusted_fen = p->initial_fen;
        p->has_adjusted = 1;
    }
    json_object_set_new(doc, "budget", stored);
    json_object_set_new(sdoc, "budget", scoring);
}

/* ---- indicators ---------------------------------------------------------- */

static void do_indicator(json_t *ind, size_t i, const fw_levels *fw, project_in *p,
                         json_t *stored_arr, json_t *scoring_arr, jx_errors *errs)
{
    char base[48], ptr[96];
    json_t *id, *copy, *w, *rs;
    const char *l1, *l2;
    int64_t wv, rv;

    snprintf(base, sizeof base, "/indicators/%zu", i);
    if (!json_is_object(ind)) {
        json_array_append(scoring_arr, ind); /* the library reports it */
        json_array_append(stored_arr, ind);
        return;
    }
    id = json_object_get(ind, "id");
    if (id && !json_is_null(id)) {
        if (!json_is_integer(id) || json_integer_value(id) <= 0) {
            snprintf(ptr, sizeof ptr, "%s/id", base);
            errs_add(errs, JX_EINVALID, ptr, "INDICATOR_UNKNOWN",
                     "指标 id 应为本项目已有指标的 id (id must be one of this project's indicator ids)");
        } else {
            p->ind_ids[i] = json_integer_value(id);
        }
    }
    copy = json_copy(ind);
    if (!copy) {
        errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return;
    }
    json_object_del(copy, "id");
    json_array_append(scoring_arr, copy);
    json_array_append_new(stored_arr, copy);
    copy = NULL;

    l1 = json_string_value(json_object_get(ind, "level1"));
    l2 = json_string_value(json_object_get(ind, "level2"));
    if (fw && l1) {
        int implied, cat = fw_category(fw, l1, &implied);

        if (cat < 0) {
            snprintf(ptr, sizeof ptr, "%s/level1", base);
            errs_add(errs, JX_EINVALID, ptr, "LEVEL_UNKNOWN",
                     "一级指标 '%.120s' 不在评价框架 %s 中 (level-1 unknown to the framework)", l1,
                     fw->id);
        } else if (l2 && !implied && !fw_has_level2(fw, cat, l2)) {
            snprintf(ptr, sizeof ptr, "%s/level2", base);
            errs_add(errs, JX_EINVALID, ptr, "LEVEL_UNKNOWN",
                     "二级指标 '%.120s' 不属于一级指标 '%.120s' (level-2 unknown under this level-1)",
                     l2, l1);
        }
    }
    w = json_object_get(ind, "weight");
    rs = json_object_get(ind, "reported_score");
    if (rs && !json_is_null(rs) && dec_1e4(rs, &rv) == 0) {
        int have_w = w && dec_1e4(w, &wv) == 0 && wv > 0;

        if (rv < 0 || (have_w && rv > wv)) {
            char t[64];

            snprintf(ptr, sizeof ptr, "%s/reported_score", base);
            errs_add(errs, JX_EINVALID, ptr, "SCORE_ABOVE_WEIGHT",
                     "报告得分 %s 应在 0 到分值之间 (reported score must lie in [0, weight])",
                     scalar_text(rs, t, sizeof t));
        }
    }
}

static void do_indicators(json_t *in, json_t *doc, json_t *sdoc, const fw_levels *fw,
                          project_in *p, jx_errors *errs)
{
    json_t *arr = json_object_get(in, "indicators"), *stored, *scoring, *ind;
    size_t i;

    if (!arr || json_is_null(arr)) {
        json_object_set_new(doc, "indicators", json_array());
        return;
    }
    if (!json_is_array(arr)) {
        json_object_set(sdoc, "indicators", arr); /* the library reports it */
        return;
    }
    p->nind = json_array_size(arr);
    p->ind_ids = calloc(p->nind ? p->nind : 1, sizeof *p->ind_ids);
    stored = json_array();
    scoring = json_array();
    if (!p->ind_ids || !stored || !scoring) {
        json_decref(stored);
        json_decref(scoring);
        errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return;
    }
    json_array_foreach(arr, i, ind)
        do_indicator(ind, i, fw, p, stored, scoring, errs);
    /* the same id twice would make two rows of one indicator */
    for (i = 0; i < p->nind; i++) {
        size_t k;

        for (k = 0; k < i && p->ind_ids[i]; k++)
            if (p->ind_ids[k] == p->ind_ids[i]) {
                char ptr[64];

                snprintf(ptr, sizeof ptr, "/indicators/%zu/id", i);
                errs_add(errs, JX_EINVALID, ptr, "INDICATOR_DUPLICATE",
                         "指标 id %lld 重复 (indicator id given twice)", (long long)p->ind_ids[i]);
                break;
            }
    }
    json_object_set_new(doc, "indicators", stored);
    json_object_set_new(sdoc, "indicators", scoring);
}

/* ---- goals and problems -------------------------------------------------- */

static void do_goals(json_t *in, json_t *doc, jx_errors *errs)
{
    static const char *const fields[] = {"overall", "annual", NULL};
    json_t *g = json_object_get(in, "goals");

    if (!g || json_is_null(g))
        return;
    if (!json_is_object(g)) {
        errs_add(errs, JX_EINVALID, "/goals", "TYPE_INVALID",
                 "goals 应为 {overall, annual} 对象 (goals must be an object)");
        return;
    }
    check_fields(g, fields, "/goals", errs);
    opt_str(g, "overall", "/goals", errs);
    opt_str(g, "annual", "/goals", errs);
    json_object_set(doc, "goals", g);
}

static void do_problems(json_t *in, json_t *doc, jx_errors *errs)
{
    static const char *const fields[] = {"category", "responsible_office", "description",
                                         "rectification_advice", NULL};
    json_t *arr = json_object_get(in, "problems"), *item;
    size_t i;
    char base[48], ptr[96];

    if (!arr || json_is_null(arr))
        return;
    if (!json_is_array(arr)) {
        errs_add(errs, JX_EINVALID, "/problems", "TYPE_INVALID",
                 "problems 应为数组 (problems must be an array)");
        return;
    }
    json_array_foreach(arr, i, item) {
        const char *desc;

        snprintf(base, sizeof base, "/problems/%zu", i);
        if (!json_is_object(item)) {
            errs_add(errs, JX_EINVALID, base, "TYPE_INVALID",
                     "问题应为对象 (a problem must be an object)");
            continue;
        }
        check_fields(item, fields, base, errs);
        opt_str(item, "category", base, errs);
        opt_str(item, "responsible_office", base, errs);
        opt_str(item, "rectification_advice", base, errs);
        desc = opt_str(item, "description", base, errs);
        if (!desc || !*desc) {
            snprintf(ptr, sizeof ptr, "%s/description", base);
            errs_add(errs, JX_EINVALID, ptr, "FIELD_REQUIRED",
                     "缺少问题描述 (description is required)");
        }
    }
    json_object_set(doc, "problems", arr);
}

/* The value at a JSON pointer of the shapes used here ("/budget/initial",
 * "/budget/breakdown/0/amount"); NULL when absent. */
static json_t *ptr_get(json_t *root, const char *ptr, json_t **parent, char *last, size_t lastlen)
{
    json_t *cur = root, *par = NULL;
    char buf[200], *seg, *save = NULL;

    snprintf(buf, sizeof buf, "%s", ptr);
    last[0] = '\0';
    for (seg = strtok_r(buf, "/", &save); seg && cur; seg = strtok_r(NULL, "/", &save)) {
        par = cur;
        snprintf(last, lastlen, "%s", seg);
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(seg, NULL, 10))
                                 : json_object_get(cur, seg);
    }
    if (parent)
        *parent = par;
    return cur;
}

/* A document read back and stored again (PATCH, results, a GET body PUT
 * back) keeps the written form of every amount whose value is unchanged. */
static void keep_written(json_t *given, json_t *doc, json_t *written)
{
    const char *ptr;
    json_t *text;

    json_object_foreach(given, ptr, text) {
        char last[64];
        json_t *cur;
        int64_t a, b;
        int prec;
        jx_error e;

        if (!json_is_string(text) || json_object_get(written, ptr) || strncmp(ptr, "/budget/", 8))
            continue;
        cur = ptr_get(doc, ptr, NULL, last, sizeof last);
        if (!json_is_string(cur) ||
            jx_parse_money(json_string_value(cur), &a, &prec, &e) != 0 ||
            jx_parse_money(json_string_value(text), &b, &prec, &e) != 0 || a != b)
            continue;
        json_object_set(written, ptr, text);
    }
}

/* ---- the whole project --------------------------------------------------- */

static const char *const TOP_FIELDS[] = {
    "org_id", "year", "name", "code", "supervising_office", "fund_nature", "category",
    "evaluation_method", "framework", "goals", "budget", "indicators", "figures", "problems",
    "reported",
    /* read-only fields of the representation: accepted and ignored, so a
     * GET's body can be PUT back */
    "id", "region_code", "status", "version", "return_reason", "created_at", "updated_at",
    "amounts_as_written", NULL};

static void copy_if(json_t *in, json_t *doc, const char *key)
{
    json_t *v = json_object_get(in, key);

    if (v && !json_is_null(v))
        json_object_set(doc, key, v);
}

static void do_reported(json_t *in, json_t *sdoc, json_t *doc, project_in *p)
{
    json_t *r = json_object_get(in, "reported"), *t, *g;
    int64_t v;

    if (!r || json_is_null(r))
        return;
    json_object_set(sdoc, "reported", r);
    json_object_set(doc, "reported", r);
    if (!json_is_object(r))
        return;
    t = json_object_get(r, "total");
    if (t && !json_is_null(t) && dec_1e4(t, &v) == 0 && v >= 0 && v < 10000000000LL) {
        p->has_total = 1;
        p->total_cents = (v + 50) / 100;
    }
    g = json_object_get(r, "grade");
    if (json_is_string(g))
        p->grade = json_string_value(g);
}

/* Runs the library over the scoring copy and appends its errors. */
static void check_scoring(const jx_ctx *ctx, json_t *sdoc, jx_errors *errs)
{
    jx_errors lib;
    jx_document *d;
    size_t i, n, len;
    char *text = jw_dump(sdoc, &len);

    if (!text) {
        errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        return;
    }
    d = jx_document_load(ctx, text, len, &lib);
    free(text);
    jx_document_free(d);
    if (d)
        return;
    n = lib.count < JX_MAX_ERRORS ? lib.count : JX_MAX_ERRORS;
    for (i = 0; i < n; i++)
        errs_add(errs, lib.status == JX_EFIELD && !strcmp(lib.items[i].code, "UNKNOWN_FIELD")
                           ? JX_EFIELD
                           : (lib.status == JX_ENOMEM ? JX_ENOMEM : JX_EINVALID),
                 lib.items[i].pointer, lib.items[i].code, "%s", lib.items[i].message);
    if (lib.status == JX_EFIELD)
        errs->status = JX_EFIELD;
    for (; i < lib.count; i++)
        errs->count++;
}

int project_decode(const jx_ctx *ctx, json_t *in, project_in *p, jx_errors *errs)
{
    static const char *const NATURES[] = {"本级项目", "对下转移支付", NULL};
    static const char *const CATEGORIES[] = {"常年", "一次性", NULL};
    static const char *const METHODS[] = {"自行组织", "委托第三方机构", NULL};
    json_t *doc = json_object(), *sdoc = json_object(), *written = json_object(), *v;
    const fw_levels *fw;

    memset(p, 0, sizeof *p);
    jx_errors_clear(errs);
    if (!doc || !sdoc || !written) {
        errs_add(errs, JX_ENOMEM, "", "NO_MEMORY", "内存不足 (out of memory)");
        goto out;
    }
    check_fields(in, TOP_FIELDS, "", errs);

    v = json_object_get(in, "org_id");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            errs_add(errs, JX_EINVALID, "/org_id", "TYPE_INVALID",
                     "org_id 应为组织的 id (org_id must be an organisation id)");
        else
            p->org_id = json_integer_value(v);
    }
    v = json_object_get(in, "year");
    if (!v || json_is_null(v))
        errs_add(errs, JX_EINVALID, "/year", "FIELD_REQUIRED", "缺少年度 (year is required)");
    else if (json_is_integer(v))
        p->year = (int)json_integer_value(v);
    p->name = opt_str(in, "name", "", errs);
    if (!p->name || !*p->name || strlen(p->name) > 600)
        errs_add(errs, JX_EINVALID, "/name", "FIELD_REQUIRED",
                 "缺少项目名称，或超过 300 字 (name is required, at most 300 characters)");
    p->code = opt_str(in, "code", "", errs);
    if (p->code && (!*p->code || strlen(p->code) > 100)) {
        errs_add(errs, JX_EINVALID, "/code", "VALUE_INVALID",
                 "项目编码应为 1 到 100 个字符 (code must be 1 to 100 characters)");
        p->code = NULL;
    }
    opt_str(in, "supervising_office", "", errs);
    check_enum(in, "fund_nature", NATURES, errs);
    check_enum(in, "category", CATEGORIES, errs);
    check_enum(in, "evaluation_method", METHODS, errs);
    p->fund_nature = json_string_value(json_object_get(in, "fund_nature"));
    p->category = json_string_value(json_object_get(in, "category"));

    v = json_object_get(in, "framework");
    if (v && !json_is_null(v) && !json_is_string(v)) {
        errs_add(errs, JX_EINVALID, "/framework", "TYPE_INVALID",
                 "framework 应为评价框架的 id，如 \"project-2020\" (framework must be an id)");
        p->framework = "project-2020";
    } else {
        p->framework = v && json_is_string(v) ? json_string_value(v) : "project-2020";
    }
    fw = fw_find(ctx, p->framework);

    /* the stored document, in the representation's field order */
    json_object_set(doc, "year", json_object_get(in, "year"));
    copy_if(in, doc, "name");
    copy_if(in, doc, "code");
    copy_if(in, doc, "supervising_office");
    copy_if(in, doc, "fund_nature");
    copy_if(in, doc, "category");
    copy_if(in, doc, "evaluation_method");
    json_object_set_new(doc, "framework", json_string(p->framework));
    do_goals(in, doc, errs);

    /* the scoring copy: what jx_document_load reads */
    json_object_set_new(sdoc, "scope", json_string("project"));
    json_object_set_new(sdoc, "framework", json_string(p->framework));
    if (p->name)
        json_object_set_new(sdoc, "name", json_string(p->name));
    if ((v = json_object_get(in, "year")))
        json_object_set(sdoc, "year", v);
    do_budget(in, doc, sdoc, written, p, errs);
    do_indicators(in, doc, sdoc, fw, p, errs);
    if ((v = json_object_get(in, "figures")) && !json_is_null(v)) {
        json_object_set(sdoc, "figures", v);
        json_object_set(doc, "figures", v);
    }
    do_problems(in, doc, errs);
    do_reported(in, sdoc, doc, p);
    v = json_object_get(in, "amounts_as_written");
    if (json_is_object(v))
        keep_written(v, doc, written);
    if (json_object_size(written))
        json_object_set(doc, "amounts_as_written", written);
    check_scoring(ctx, sdoc, errs);
out:
    json_decref(sdoc);
    json_decref(written);
    if (errs->count) {
        json_decref(doc);
        free(p->ind_ids);
        memset(p, 0, sizeof *p);
        return -1;
    }
    p->doc = doc;
    /* name etc. point into in, which outlives p in every caller; repoint
     * them into doc so p stands alone */
    p->name = json_string_value(json_object_get(doc, "name"));
    p->code = json_string_value(json_object_get(doc, "code"));
    p->framework = json_string_value(json_object_get(doc, "framework"));
    p->fund_nature = json_string_value(json_object_get(doc, "fund_nature"));
    p->category = json_string_value(json_object_get(doc, "category"));
    v = json_object_get(doc, "reported");
    p->grade = json_string_value(json_object_get(v, "grade"));
    return 0;
}

void project_in_free(project_in *p)
{
    json_decref(p->doc);
    free(p->ind_ids);
    memset(p, 0, sizeof *p);
}

void project_set_ids(project_in *p, const int64_t *ids)
{
    json_t *arr = json_object_get(p->doc, "indicators"), *ind;
    size_t i;

    json_array_foreach(arr, i, ind) {
        if (i < p->nind && json_is_object(ind)) {
            p->ind_ids[i] = ids[i];
            json_object_set_new(ind, "id", json_integer(ids[i]));
        }
    }
}

/* ---- back to a scoring document ------------------------------------------ */

/* Puts the written text back at each pointer of amounts_as_written
 * ("/budget/initial", "/budget/breakdown/0/amount"). */
static void restore_written(json_t *sdoc, json_t *written)
{
    const char *ptr;
    json_t *text;

    json_object_foreach(written, ptr, text) {
        json_t *parent = NULL;
        char last[64];

        if (ptr_get(sdoc, ptr, &parent, last, sizeof last) && json_is_object(parent) &&
            json_is_string(text))
            json_object_set(parent, last, text);
    }
}

json_t *project_scoring_json(json_t *doc, const char *org_name)
{
    json_t *sdoc, *v, *ind;
    size_t i;
    static const char *const carry[] = {"framework", "name", "year", "budget", "indicators",
                                        "figures", "reported", NULL};

    if (!json_is_object(doc))
        return NULL;
    sdoc = json_object();
    if (!sdoc)
        return NULL;
    json_object_set_new(sdoc, "scope", json_string("project"));
    for (i = 0; carry[i]; i++)
        if ((v = json_object_get(doc, carry[i])) && !json_is_null(v))
            json_object_set(sdoc, carry[i], v);
    if (org_name)
        json_object_set_new(sdoc, "org", json_string(org_name));
    v = json_object_get(sdoc, "budget");
    if (json_is_object(v)) {
        json_object_del(v, "recovered");
        json_object_del(v, "carried_over");
    }
    json_array_foreach(json_object_get(sdoc, "indicators"), i, ind)
        json_object_del(ind, "id");
    restore_written(sdoc, json_object_get(doc, "amounts_as_written"));
    return sdoc;
}

char *project_scoring_document(const char *doc_text, size_t len, const char *org_name)
{
    json_t *doc = json_loadb(doc_text, len, 0, NULL), *sdoc = project_scoring_json(doc, org_name);
    char *out = sdoc ? jw_dump(sdoc, NULL) : NULL;

    json_decref(sdoc);
    json_decref(doc);
    return out;
}
