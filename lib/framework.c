/*
 * framework.c -- frameworks as data (scoring.md §2): reading, defaults,
 * validation, the built-ins and the context that holds them.
 *
 * A framework is JSON; the three built-ins are JSON files embedded at build
 * time and parsed once per jx_ctx.  Validation lists every problem at once
 * (weights that do not add up to 100, malformed rules, a rule that could
 * give more than its weight) and keeps notes that are not errors, such as
 * FRAMEWORK_RULE_MAX where a cap makes a rule give less than its weight.
 */
#include "builtin.h"
#include "jsonin.h"
#include <stdlib.h>
#include <string.h>

struct jx_ctx {
    size_t n;
    jx_framework **fws;
};

static const char *const FW_FIELDS[] = {"id", "name", "scope", "version", "description",
                                        "execution_weight", "execution_rule", "grades",
                                        "categories", "default_rule", "qualitative_bands",
                                        "too_low_factor", "indicators", "own_indicators", NULL};

bool jx_level_eq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    static const char SUFFIX[] = "指标";
    size_t la = strlen(a), lb = strlen(b), ls = sizeof SUFFIX - 1;
    /* memcmp of a constant length is inlined; strcmp was a call each */
    if (la >= ls && memcmp(a + la - ls, SUFFIX, ls) == 0)
        la -= ls;
    if (lb >= ls && memcmp(b + lb - ls, SUFFIX, ls) == 0)
        lb -= ls;
    return la == lb && memcmp(a, b, la) == 0 && la > 0;
}

int jx_framework_category(const jx_framework *fw, const char *level1, const char **l2)
{
    if (l2)
        *l2 = NULL;
    for (int i = 0; i < fw->ncats; i++) {
        if (jx_level_eq(fw->cats[i].level1, level1))
            return i;
        for (int k = 0; k < fw->cats[i].naliases; k++)
            if (jx_level_eq(fw->cats[i].aliases[k], level1))
                return i;
    }
    /* a level-2 written as a level-1 (成本指标 on its own) */
    for (int i = 0; i < fw->ncats; i++)
        for (int k = 0; k < fw->cats[i].nlevel2; k++)
            if (jx_level_eq(fw->cats[i].level2[k], level1)) {
                if (l2)
                    *l2 = fw->cats[i].level2[k];
                return i;
            }
    return -1;
}

bool jx_framework_has_level2(const jx_framework *fw, int cat, const char *level2)
{
    const jx_category *c = &fw->cats[cat];
    if (c->nlevel2 == 0)
        return true;
    for (int k = 0; k < c->nlevel2; k++)
        if (jx_level_eq(c->level2[k], level2))
            return true;
    return false;
}

static bool load_strings(jx_arena *a, json_t *arr, const char *ptr, const char ***out, int *n,
                         jx_errors *errs)
{
    *out = NULL;
    *n = 0;
    if (!arr)
        return true;
    if (!json_is_array(arr) || json_array_size(arr) > 64) {
        jx_err_add(errs, JX_EINVALID, ptr, "FRAMEWORK_INVALID",
                   "应为字符串数组 (must be an array of strings)");
        return false;
    }
    *out = jx_alloc(a, sizeof **out * (json_array_size(arr) + 1));
    if (!*out)
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s) {
            char p[JX_PTR_MAX];
            jx_ptr_i(p, sizeof p, ptr, i);
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID", "应为字符串 (must be a string)");
            return false;
        }
        (*out)[(*n)++] = jx_strdup(a, s);
    }
    return true;
}

static bool load_fraction4(json_t *v, int64_t *out)
{
    jx_q q;
    return jx_json_number(v, &q, NULL) && jx_q_round(q, 4, out);
}

static void note(jx_framework *fw, const char *code, const char *pointer, const char *msg)
{
    jx_note *n = jx_alloc(&fw->arena, sizeof *n * (size_t)(fw->nnotes + 1));
    if (!n)
        return;
    if (fw->nnotes)
        memcpy(n, fw->notes, sizeof *n * (size_t)fw->nnotes);
    n[fw->nnotes].code = code;
    n[fw->nnotes].pointer = jx_strdup(&fw->arena, pointer);
    n[fw->nnotes].message = jx_strdup(&fw->arena, msg);
    fw->notes = n;
    fw->nnotes++;
}

static void load_categories(jx_framework *fw, json_t *cats, const char *base, jx_errors *errs)
{
    static const char *const CF[] = {"level1", "aliases", "weight", "level2", "required_level2", NULL};
    char ptr[JX_PTR_MAX];
    jx_ptr(ptr, sizeof ptr, base, "categories");
    if (!json_is_array(cats) || json_array_size(cats) == 0 || json_array_size(cats) > 32) {
        jx_err_add(errs, JX_EINVALID, ptr, "FRAMEWORK_INVALID",
                   "categories 应为 1 到 32 个一级指标 (categories must list 1 to 32 level-1 indicators)");
        return;
    }
    fw->ncats = (int)json_array_size(cats);
    fw->cats = jx_alloc(&fw->arena, sizeof *fw->cats * (size_t)fw->ncats);
    if (!fw->cats)
        return;
    for (int i = 0; i < fw->ncats; i++) {
        json_t *c = json_array_get(cats, (size_t)i);
        char p[JX_PTR_MAX], q[JX_PTR_MAX];
        jx_ptr_i(p, sizeof p, ptr, (size_t)i);
        if (!json_is_object(c)) {
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID", "一级指标应为对象 (must be an object)");
            continue;
        }
        jx_check_fields(c, CF, p, errs);
        jx_category *cat = &fw->cats[i];
        const char *l1 = json_string_value(json_object_get(c, "level1"));
        if (!l1 || !*l1) {
            jx_ptr(q, sizeof q, p, "level1");
            jx_err_add(errs, JX_EINVALID, q, "FRAMEWORK_INVALID", "缺少一级指标名称 (level1 is required)");
        }
        cat->level1 = jx_strdup(&fw->arena, l1 ? l1 : "");
        jx_ptr(q, sizeof q, p, "weight");
        if (!jx_json_cents(json_object_get(c, "weight"), &cat->weight) || cat->weight <= 0)
            jx_err_add(errs, JX_EINVALID, q, "WEIGHT_INVALID",
                       "一级指标分值应为正数，最多两位小数 (weight must be positive, two decimals at most)");
        jx_ptr(q, sizeof q, p, "aliases");
        load_strings(&fw->arena, json_object_get(c, "aliases"), q, &cat->aliases, &cat->naliases, errs);
        jx_ptr(q, sizeof q, p, "level2");
        load_strings(&fw->arena, json_object_get(c, "level2"), q, &cat->level2, &cat->nlevel2, errs);
        jx_ptr(q, sizeof q, p, "required_level2");
        load_strings(&fw->arena, json_object_get(c, "required_level2"), q, &cat->required,
                     &cat->nrequired, errs);
        cat->required_idx = jx_alloc(&fw->arena, sizeof *cat->required_idx * (size_t)(cat->nrequired + 1));
        for (int k = 0; cat->required_idx && k < cat->nrequired; k++) {
            cat->required_idx[k] = -1;
            for (int m = 0; m < cat->nlevel2; m++)
                if (jx_level_eq(cat->level2[m], cat->required[k]))
                    cat->required_idx[k] = m;
            if (cat->required_idx[k] < 0)
                jx_err_add(errs, JX_EINVALID, q, "FRAMEWORK_INVALID",
                           "必需的二级指标“%s”不在 level2 中 (required level-2 not listed in level2)",
                           cat->required[k]);
        }
    }
}

/* Two level-1s that match each other (产出指标 and 产出, or through an
 * alias) would make an indicator's category ambiguous: refused. */
static void check_distinct_categories(jx_framework *fw, const char *base, jx_errors *errs)
{
    for (int i = 0; i < fw->ncats; i++)
        for (int k = i + 1; k < fw->ncats; k++) {
            const jx_category *a = &fw->cats[i], *b = &fw->cats[k];
            bool same = jx_level_eq(a->level1, b->level1);
            for (int x = 0; !same && x < a->naliases; x++)
                same = jx_level_eq(a->aliases[x], b->level1);
            for (int y = 0; !same && y < b->naliases; y++)
                same = jx_level_eq(a->level1, b->aliases[y]);
            for (int x = 0; !same && x < a->naliases; x++)
                for (int y = 0; !same && y < b->naliases; y++)
                    same = jx_level_eq(a->aliases[x], b->aliases[y]);
            if (same) {
                char p[JX_PTR_MAX];
                jx_ptr(p, sizeof p, base, "categories");
                jx_ptr_i(p, sizeof p, p, (size_t)k);
                jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                           "一级指标“%s”与“%s”重名（含别名或“指标”后缀） (two level-1 categories with the same name)",
                           b->level1, a->level1);
            }
        }
}

static void load_indicators(jx_framework *fw, json_t *inds, const char *base, jx_errors *errs)
{
    static const char *const IF[] = {"level1", "level2", "name", "weight", "formula", "target",
                                     "rule", NULL};
    char ptr[JX_PTR_MAX];
    jx_ptr(ptr, sizeof ptr, base, "indicators");
    if (!inds)
        return;
    if (!json_is_array(inds) || json_array_size(inds) > 256) {
        jx_err_add(errs, JX_EINVALID, ptr, "FRAMEWORK_INVALID",
                   "indicators 应为数组（最多 256 项） (indicators must be an array)");
        return;
    }
    fw->ninds = (int)json_array_size(inds);
    fw->inds = jx_alloc(&fw->arena, sizeof *fw->inds * (size_t)(fw->ninds + 1));
    if (!fw->inds)
        return;
    for (int i = 0; i < fw->ninds; i++) {
        json_t *o = json_array_get(inds, (size_t)i);
        jx_fw_indicator *fi = &fw->inds[i];
        char p[JX_PTR_MAX], q[JX_PTR_MAX];
        jx_ptr_i(p, sizeof p, ptr, (size_t)i);
        if (!json_is_object(o)) {
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID", "指标应为对象 (must be an object)");
            continue;
        }
        jx_check_fields(o, IF, p, errs);
        fi->level1 = jx_strdup(&fw->arena, json_string_value(json_object_get(o, "level1")));
        fi->level2 = jx_strdup(&fw->arena, json_string_value(json_object_get(o, "level2")));
        fi->name = jx_strdup(&fw->arena, json_string_value(json_object_get(o, "name")));
        if (!fi->name || !fi->level1) {
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                       "框架指标需要 level1 和 name (level1 and name are required)");
            continue;
        }
        if (jx_framework_category(fw, fi->level1, NULL) < 0) {
            jx_ptr(q, sizeof q, p, "level1");
            jx_err_add(errs, JX_EINVALID, q, "UNKNOWN_CATEGORY",
                       "一级指标 '%s' 不在 categories 中 (level-1 not among the categories)", fi->level1);
        }
        jx_ptr(q, sizeof q, p, "weight");
        if (!jx_json_cents(json_object_get(o, "weight"), &fi->weight) || fi->weight <= 0)
            jx_err_add(errs, JX_EINVALID, q, "WEIGHT_INVALID",
                       "分值应为正数，最多两位小数 (weight must be positive, two decimals at most)");
        json_t *f = json_object_get(o, "formula");
        if (f) {
            jx_ptr(q, sizeof q, p, "formula");
            if (!json_is_string(f))
                jx_err_add(errs, JX_EINVALID, q, "FORMULA_INVALID", "公式应为字符串 (formula must be a string)");
            else {
                fi->formula_text = jx_strdup(&fw->arena, json_string_value(f));
                fi->formula = jx_formula_parse(&fw->arena, fi->formula_text, q, errs);
            }
        }
        json_t *t = json_object_get(o, "target");
        if (t) {
            jx_error e;
            jx_ptr(q, sizeof q, p, "target");
            if (!json_is_string(t) || jx_parse_value(json_string_value(t), &fi->target, &e) != 0)
                jx_err_add(errs, JX_EINVALID, q, "TARGET_UNPARSEABLE", "年度指标值无法解析: %s",
                           json_is_string(t) ? e.message : "应为字符串 (must be a string)");
            else {
                fi->target_text = jx_strdup(&fw->arena, json_string_value(t));
                fi->has_target = true;
            }
        }
        json_t *r = json_object_get(o, "rule");
        jx_ptr(q, sizeof q, p, "rule");
        if (r)
            jx_rule_load(&fw->arena, r, q, &fi->rule, errs);
        else
            fi->rule = fw->default_rule;
        if (fi->rule.kind == JX_RULE_STEP && fi->has_target &&
            fi->rule.basis == JX_BASIS_POINTS && fi->target.unit_kind != JX_UNIT_PERCENT &&
            fi->target.unit_kind != JX_UNIT_POINTS)
            jx_err_add(errs, JX_EINVALID, q, "RULE_INVALID",
                       "basis 为 points 的 step 规则需要百分数目标 (a points step needs a percent target)");
        int64_t mx = jx_rule_max(&fi->rule, fi->weight);
        if (fi->weight > 0 && mx > fi->weight)
            jx_err_add(errs, JX_EINVALID, q, "FRAMEWORK_RULE_MAX",
                       "规则最多可得 %g 分，超过分值 %g (the rule can give more than the weight)",
                       (double)mx / 100.0, (double)fi->weight / 100.0);
        else if (fi->weight > 0 && mx < fi->weight) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "“%s”的评分规则最多给 %g 分，低于分值 %g 分 (the rule gives at most %g of weight %g)",
                     fi->name, (double)mx / 100.0, (double)fi->weight / 100.0, (double)mx / 100.0,
                     (double)fi->weight / 100.0);
            note(fw, "FRAMEWORK_RULE_MAX", q, msg);
        }
    }
}

static void check_weights(jx_framework *fw, const char *base, jx_errors *errs)
{
    int64_t sum = fw->execution_weight + fw->own_weight;
    for (int i = 0; i < fw->ncats; i++)
        sum += fw->cats[i].weight;
    if (sum != 10000)
        jx_err_add(errs, JX_EINVALID, base[0] ? base : "", "WEIGHTS_TOTAL",
                   "预算执行分值与一级指标分值合计 %g，应为 100 (weights must add up to 100)",
                   (double)sum / 100.0);
    if (fw->ninds == 0)
        return;
    for (int c = 0; c < fw->ncats; c++) {
        int64_t s = 0;
        for (int i = 0; i < fw->ninds; i++)
            if (fw->inds[i].level1 && jx_framework_category(fw, fw->inds[i].level1, NULL) == c)
                s += fw->inds[i].weight;
        if (s != fw->cats[c].weight) {
            char p[JX_PTR_MAX];
            jx_ptr(p, sizeof p, base, "indicators");
            jx_err_add(errs, JX_EINVALID, p, "CATEGORY_WEIGHT",
                       "一级指标“%s”下的指标分值合计 %g，应为 %g (indicator weights must add up to the category's)",
                       fw->cats[c].level1, (double)s / 100.0, (double)fw->cats[c].weight / 100.0);
        }
    }
}

/* The category rows a result starts from: each level-1 once, as jx_score
 * used to build them at every call. */
static bool result_categories(jx_framework *fw)
{
    fw->rcats = jx_alloc(&fw->arena, sizeof *fw->rcats * (size_t)(fw->ncats + 2));
    if (!fw->rcats)
        return false;
    if (fw->has_own) {   /* the document's own indicators, first among equals: last */
        fw->rcats[fw->ncats + 1].level1 = fw->own_level1;
        fw->rcats[fw->ncats + 1].weight = fw->own_weight;
    }
    for (int c = 0; c < fw->ncats; c++) {
        int k;
        for (k = 0; k < fw->nrcats; k++)
            if (jx_level_eq(fw->rcats[k].level1, fw->cats[c].level1))
                break;
        if (k < fw->nrcats)
            continue;
        fw->rcats[fw->nrcats].level1 = fw->cats[c].level1;
        fw->rcats[fw->nrcats].weight = fw->cats[c].weight;
        fw->nrcats++;
    }
    if (fw->has_own)
        fw->rcats[fw->nrcats++] = fw->rcats[fw->ncats + 1];
    return true;
}

jx_framework *jx_framework_from_json(json_t *j, const char *base, jx_errors *errs)
{
    char p[JX_PTR_MAX];
    size_t before = errs->count;
    if (!json_is_object(j)) {
        jx_err_add(errs, JX_EINVALID, base, "FRAMEWORK_INVALID",
                   "框架应为对象或内置框架名 (framework must be an object or a built-in id)");
        return NULL;
    }
    jx_framework *fw = calloc(1, sizeof *fw);
    if (!fw) {
        jx_err_add(errs, JX_ENOMEM, base, "NO_MEMORY", "内存不足 (out of memory)");
        return NULL;
    }
    jx_check_fields(j, FW_FIELDS, base, errs);
    const char *id = json_string_value(json_object_get(j, "id"));
    if (!id || !*id || strlen(id) > 64) {
        jx_ptr(p, sizeof p, base, "id");
        jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                   "框架需要 id（1 到 64 个字符） (id is required, 1 to 64 characters)");
    }
    fw->id = jx_strdup(&fw->arena, id ? id : "");
    const char *name = json_string_value(json_object_get(j, "name"));
    fw->name = jx_strdup(&fw->arena, name ? name : fw->id);
    const char *scope = json_string_value(json_object_get(j, "scope"));
    if (!scope)
        scope = "project";
    if (strcmp(scope, "project") && strcmp(scope, "department_wide") && strcmp(scope, "unit_wide")) {
        jx_ptr(p, sizeof p, base, "scope");
        jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                   "scope 只能是 project、department_wide 或 unit_wide (unknown scope '%s')", scope);
    }
    fw->scope = jx_strdup(&fw->arena, scope);

    json_t *v = json_object_get(j, "execution_weight");
    if (v && (!jx_json_cents(v, &fw->execution_weight) || fw->execution_weight < 0)) {
        jx_ptr(p, sizeof p, base, "execution_weight");
        jx_err_add(errs, JX_EINVALID, p, "WEIGHT_INVALID",
                   "预算执行分值应为非负数 (execution_weight must not be negative)");
    }
    if ((v = json_object_get(j, "execution_rule"))) {
        jx_ptr(p, sizeof p, base, "execution_rule");
        fw->has_execution_rule = jx_rule_load(&fw->arena, v, p, &fw->execution_rule, errs);
    }

    /* grades, default 优 90 / 良 80 / 中 60 / 差 0 */
    static const char *const DG[] = {"优", "良", "中", "差"};
    static const int64_t DM[] = {9000, 8000, 6000, 0};
    fw->ngrades = 4;
    for (int i = 0; i < 4; i++) {
        fw->grades[i].grade = DG[i];
        fw->grades[i].min = DM[i];
    }
    if ((v = json_object_get(j, "grades"))) {
        jx_ptr(p, sizeof p, base, "grades");
        if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 8)
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                       "grades 应为 1 到 8 个等级 (grades must list 1 to 8 grades)");
        else {
            fw->ngrades = (int)json_array_size(v);
            for (int i = 0; i < fw->ngrades; i++) {
                json_t *g = json_array_get(v, (size_t)i);
                const char *gn = json_string_value(json_object_get(g, "grade"));
                if (!gn || !jx_json_cents(json_object_get(g, "min"), &fw->grades[i].min) ||
                    (i > 0 && fw->grades[i].min >= fw->grades[i - 1].min)) {
                    jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                               "等级应为 {\"grade\", \"min\"}，min 从高到低 (grades need a name and descending mins)");
                    break;
                }
                fw->grades[i].grade = jx_strdup(&fw->arena, gn);
            }
        }
    }

    fw->default_rule.kind = JX_RULE_RATIO;
    if ((v = json_object_get(j, "default_rule"))) {
        jx_ptr(p, sizeof p, base, "default_rule");
        jx_rule_load(&fw->arena, v, p, &fw->default_rule, errs);
    }
    fw->band_hi = 8000;
    fw->band_lo = 6000;
    if ((v = json_object_get(j, "qualitative_bands"))) {
        jx_ptr(p, sizeof p, base, "qualitative_bands");
        if (!json_is_array(v) || json_array_size(v) != 2 ||
            !load_fraction4(json_array_get(v, 0), &fw->band_hi) ||
            !load_fraction4(json_array_get(v, 1), &fw->band_lo) || fw->band_lo <= 0 ||
            fw->band_hi <= fw->band_lo || fw->band_hi >= 10000)
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                       "qualitative_bands 应为 [达成下限, 部分达成下限]，如 [0.8, 0.6] "
                       "(must be two descending fractions, e.g. [0.8, 0.6])");
    }
    fw->too_low = 13000;
    if ((v = json_object_get(j, "too_low_factor"))) {
        jx_ptr(p, sizeof p, base, "too_low_factor");
        if (!load_fraction4(v, &fw->too_low) || fw->too_low <= 10000)
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                       "too_low_factor 应大于 1 (must be greater than 1)");
    }
    load_categories(fw, json_object_get(j, "categories"), base, errs);
    if (fw->cats)
        check_distinct_categories(fw, base, errs);
    if (fw->cats)
        load_indicators(fw, json_object_get(j, "indicators"), base, errs);
    if ((v = json_object_get(j, "own_indicators"))) {
        static const char *const OF[] = {"level1", "weight", NULL};
        jx_ptr(p, sizeof p, base, "own_indicators");
        const char *l1 = json_string_value(json_object_get(v, "level1"));
        if (json_is_object(v))
            jx_check_fields(v, OF, p, errs);
        if (!json_is_object(v) || !l1 || !*l1 ||
            !jx_json_cents(json_object_get(v, "weight"), &fw->own_weight) || fw->own_weight <= 0 ||
            strcmp(fw->scope, "project") == 0)
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                       "own_indicators 应为 {\"level1\": 名称, \"weight\": 分值}，仅用于部门或单位整体框架 "
                       "(own_indicators must be {level1, weight}, wide frameworks only)");
        else if (fw->cats && jx_framework_category(fw, l1, NULL) >= 0)
            jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                       "own_indicators 的一级指标“%s”与框架的一级指标重名 (level-1 already in categories)",
                       l1);
        else {
            fw->has_own = true;
            fw->own_level1 = jx_strdup(&fw->arena, l1);
        }
    }
    if (errs->count == before)
        check_weights(fw, base, errs);
    if (fw->ninds > 0 && strcmp(fw->scope, "project") == 0) {
        jx_ptr(p, sizeof p, base, "indicators");
        jx_err_add(errs, JX_EINVALID, p, "FRAMEWORK_INVALID",
                   "项目框架不列指标，指标由项目自带 (project frameworks leave indicators empty)");
    }
    if (fw->arena.failed)
        jx_err_add(errs, JX_ENOMEM, base, "NO_MEMORY", "内存不足 (out of memory)");
    if (errs->count != before) {
        jx_framework_free(fw);
        return NULL;
    }
    if (!result_categories(fw)) {
        jx_err_add(errs, JX_ENOMEM, base, "NO_MEMORY", "内存不足 (out of memory)");
        jx_framework_free(fw);
        return NULL;
    }
    fw->source = json_incref(j);
    return fw;
}

jx_framework *jx_framework_load(const char *text, size_t len, jx_errors *errs)
{
    jx_errors_clear(errs);
    json_t *j = jx_json_load(text, len, errs);
    if (!j)
        return NULL;
    jx_framework *fw = jx_framework_from_json(j, "", errs);
    json_decref(j);
    return fw;
}

void jx_framework_free(jx_framework *fw)
{
    if (!fw)
        return;
    if (fw->source)
        json_decref(fw->source);
    jx_arena_free(&fw->arena);
    free(fw);
}

const char *jx_framework_id(const jx_framework *fw) { return fw->id; }
const char *jx_framework_name(const jx_framework *fw) { return fw->name; }
const char *jx_framework_scope(const jx_framework *fw) { return fw->scope; }

int64_t jx_framework_max(const jx_framework *fw)
{
    int64_t m = fw->execution_weight + fw->own_weight;
    for (int i = 0; i < fw->ncats; i++)
        m += fw->cats[i].weight;
    return m;
}

char *jx_framework_json(const jx_framework *fw)
{
    json_t *j = fw->source ? json_deep_copy(fw->source) : json_object();
    if (!j)
        return NULL;
    /* defaults made explicit, so a reader sees what the scorer uses */
    if (!json_object_get(j, "scope"))
        json_object_set_new(j, "scope", json_string(fw->scope));
    if (!json_object_get(j, "execution_weight"))
        json_object_set_new(j, "execution_weight", json_real((double)fw->execution_weight / 100.0));
    if (!json_object_get(j, "grades")) {
        json_t *g = json_array();
        for (int i = 0; i < fw->ngrades; i++)
            json_array_append_new(g, json_pack("{s:s,s:f}", "grade", fw->grades[i].grade, "min",
                                               (double)fw->grades[i].min / 100.0));
        json_object_set_new(j, "grades", g);
    }
    if (!json_object_get(j, "default_rule"))
        json_object_set_new(j, "default_rule",
                            json_pack("{s:s,s:s,s:s}", "kind", "ratio", "reverse", "inverse",
                                      "equal", "symmetric"));
    if (!json_object_get(j, "qualitative_bands"))
        json_object_set_new(j, "qualitative_bands", json_pack("[f,f]", (double)fw->band_hi / 10000.0,
                                                              (double)fw->band_lo / 10000.0));
    if (!json_object_get(j, "too_low_factor"))
        json_object_set_new(j, "too_low_factor", json_real((double)fw->too_low / 10000.0));
    json_t *fs = json_array();
    for (int i = 0; fs && i < fw->nnotes; i++)
        json_array_append_new(fs, json_pack("{s:s,s:s,s:s,s:s}", "code", fw->notes[i].code,
                                            "severity", "info", "pointer", fw->notes[i].pointer,
                                            "message", fw->notes[i].message));
    json_object_set_new(j, "findings", fs);
    char *out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return out;
}

/* ---- context ------------------------------------------------------------------ */

jx_ctx *jx_ctx_new(void)
{
    jx_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->fws = calloc(jx_builtin_framework_count + 1, sizeof *ctx->fws);
    if (!ctx->fws) {
        free(ctx);
        return NULL;
    }
    for (size_t i = 0; i < jx_builtin_framework_count; i++) {
        jx_errors errs;
        jx_errors_clear(&errs);
        jx_framework *fw = jx_framework_load(jx_builtin_frameworks[i].text,
                                             jx_builtin_frameworks[i].len, &errs);
        if (!fw) {
            /* a built-in that does not load is a build defect; tests catch it */
            continue;
        }
        ctx->fws[ctx->n++] = fw;
    }
    return ctx;
}

void jx_ctx_free(jx_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n; i++)
        jx_framework_free(ctx->fws[i]);
    free(ctx->fws);
    free(ctx);
}

const jx_framework *jx_ctx_framework(const jx_ctx *ctx, const char *id)
{
    for (size_t i = 0; id && i < ctx->n; i++)
        if (strcmp(ctx->fws[i]->id, id) == 0)
            return ctx->fws[i];
    return NULL;
}

size_t jx_ctx_framework_count(const jx_ctx *ctx) { return ctx->n; }

const jx_framework *jx_ctx_framework_at(const jx_ctx *ctx, size_t i)
{
    return i < ctx->n ? ctx->fws[i] : NULL;
}
