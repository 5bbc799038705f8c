/*
 * lib/report/model.c -- reading the report model into a jr_model.
 *
 * Design.  jr_model_read() reads the model (docs/reports.md) once into a
 * jr_model (report.h); report.c then hands it to the renderer of the format
 * asked for.  Reading is where every judgement is made, so that the formats
 * cannot disagree:
 *
 *  - scores (JSON numbers, already rounded by the library) become int64
 *    hundredths; the score table's rows are the result's indicators in
 *    order, then 预算执行率 (when the framework gives it weight), then 合计,
 *    and because the library's total is the sum of its rounded scores the
 *    table adds up exactly in every format;
 *  - the merged level cells are computed here: a level-1 cell spans the
 *    consecutive rows with the same level-1, a level-2 cell the consecutive
 *    rows with the same level-1 and level-2 (the seeds' 评分情况表);
 *  - money texts ("86.66万元", "90000", 30000) become fen, exactly, with
 *    round half-up at the fen; a text that is not money is kept as written;
 *  - every text is cleaned of control characters (newlines and tabs stay:
 *    each renderer escapes or converts them by its own rules);
 *  - the model is checked for the types the renderers rely on, and a
 *    malformed one is refused with a message naming the field.
 *
 * Unknown fields in the model are ignored: the route builds it, the user
 * never writes it.  The model is read-only; the jr_model borrows its
 * strings and owns only those it had to make (jr_model_free() frees them).
 * This file calls only buf.c (to build the texts it makes): no renderer,
 * and not report.c, which calls it.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the model ---------------------------------------------------------- */

typedef struct {
    jr_model *m;
    char *err;
    size_t errlen;
    bool failed;
} reader;

static bool bad(reader *r, const char *zh, const char *field, const char *en)
{
    if (!r->failed)
        jr_set_err(r->err, r->errlen, "报告模型无效：%s%s (invalid report model: %s %s)", field,
                   zh, field, en);
    r->failed = true;
    return false;
}

static bool nomem(reader *r)
{
    if (!r->failed)
        jr_set_err(r->err, r->errlen, "内存不足 (out of memory)");
    r->failed = true;
    return false;
}

static const char *own(reader *r, char *s)
{
    if (!s) {
        nomem(r);
        return "";
    }
    jr_model *m = r->m;
    if (m->nowned == m->capowned) {
        size_t cap = m->capowned ? m->capowned * 2 : 32;
        char **p = realloc(m->owned, cap * sizeof *p);
        if (!p) {
            free(s);
            nomem(r);
            return "";
        }
        m->owned = p;
        m->capowned = cap;
    }
    m->owned[m->nowned++] = s;
    return s;
}

static const char *own_buf(reader *r, jr_buf *b)
{
    if (b->failed) {
        free(b->p);
        nomem(r);
        return "";
    }
    if (!b->p)
        return "";
    return own(r, b->p);
}

/* Text with control characters removed (tab and newline kept, CR LF and CR
 * made newline).  Borrowed when already clean. */
static const char *clean(reader *r, const char *s)
{
    if (!s)
        return "";
    bool dirty = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
            dirty = true;
            break;
        }
    if (!dirty)
        return s;
    size_t n = strlen(s);
    char *o = malloc(n + 1), *q = o;
    if (!o)
        return own(r, NULL);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\r') {
            *q++ = '\n';
            if (p[1] == '\n')
                p++;
        } else if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            continue;
        else
            *q++ = (char)*p;
    }
    *q = '\0';
    return own(r, o);
}

static void text_of(reader *r, jr_buf *b, const json_t *v);

/* A JSON value as text: strings as written, numbers as the shortest decimal,
 * arrays joined with 、 (checklist actuals), objects as compact JSON. */
static const char *value_text(reader *r, const json_t *v)
{
    if (!v || json_is_null(v))
        return "";
    if (json_is_string(v))
        return clean(r, json_string_value(v));
    jr_buf b = {0};
    text_of(r, &b, v);
    return clean(r, own_buf(r, &b));
}

static void text_of(reader *r, jr_buf *b, const json_t *v)
{
    if (json_is_string(v))
        jr_puts(b, json_string_value(v));
    else if (json_is_integer(v))
        jr_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        jr_printf(b, "%.15g", json_real_value(v));
    else if (json_is_true(v))
        jr_puts(b, "是");
    else if (json_is_false(v))
        jr_puts(b, "否");
    else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (i)
                jr_puts(b, "、");
            text_of(r, b, e);
        }
    } else if (json_is_object(v)) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s)
            b->failed = true;
        jr_puts(b, s);
        free(s);
    }
}

/* an optional string field: absent and null are "", other types refused */
static const char *opt_str(reader *r, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v))
        return "";
    if (json_is_string(v))
        return clean(r, json_string_value(v));
    if (json_is_number(v))
        return value_text(r, v);
    char field[96];
    snprintf(field, sizeof field, "%s.%s", where, key);
    bad(r, " 应为字符串", field, "must be a string");
    return "";
}

/* a score (JSON number) as hundredths, rounded half away from zero */
static bool to_cents(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i > INT64_MAX / 100 || i < -(INT64_MAX / 100))
            return false;
        *out = (int64_t)i * 100;
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v) * 100.0;
        if (!(d < 9e15 && d > -9e15))
            return false;
        *out = (int64_t)llround(d);
        return true;
    }
    if (json_is_string(v)) { /* tolerated: "98.50" */
        const char *s = json_string_value(v);
        char *end;
        double d = strtod(s, &end);
        if (end == s || *end || !(d * 100.0 < 9e15 && d * 100.0 > -9e15))
            return false;
        *out = (int64_t)llround(d * 100.0);
        return true;
    }
    return false;
}

static bool need_cents(reader *r, const json_t *obj, const char *key, const char *where,
                       int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    char field[96];
    snprintf(field, sizeof field, "%s.%s", where, key);
    if (!v)
        return bad(r, " 缺失", field, "is missing");
    if (!to_cents(v, out))
        return bad(r, " 应为数值", field, "must be a number");
    return true;
}

/* Money: "86.66万元", "90,000.00", "30000元", "0.5亿元" or a JSON number of
 * yuan, to fen, exactly (decimal digits, round half-up at the fen). */
static bool parse_money(const json_t *v, int64_t *fen)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > INT64_MAX / 100)
            return false;
        *fen = (int64_t)i * 100;
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= 0 && d < 9e13))
            return false;
        char t[64];
        snprintf(t, sizeof t, "%.15g", d);
        json_t *s = json_string(t);
        bool ok = s && parse_money(s, fen);
        json_decref(s);
        return ok;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    while (*s == ' ')
        s++;
    char ip[24], fp[24];
    size_t ni = 0, nf = 0;
    for (; (*s >= '0' && *s <= '9') || *s == ','; s++) {
        if (*s == ',')
            continue;
        if (ni + 1 >= sizeof ip)
            return false;
        ip[ni++] = *s;
    }
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (nf + 1 >= sizeof fp)
                return false;
            fp[nf++] = *s;
        }
    }
    if (ni == 0 && nf == 0)
        return false;
    while (*s == ' ')
        s++;
    int scale; /* decimal digits from yuan to fen */
    if (!*s || strcmp(s, "元") == 0)
        scale = 2;
    else if (strcmp(s, "万元") == 0 || strcmp(s, "万") == 0)
        scale = 6;
    else if (strcmp(s, "亿元") == 0 || strcmp(s, "亿") == 0)
        scale = 10;
    else
        return false;
    /* value = ip.fp × 10^scale fen */
    if (ni + (size_t)scale > 18)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < ni; i++)
        x = x * 10 + (ip[i] - '0');
    for (int k = 0; k < scale; k++) {
        x *= 10;
        if ((size_t)k < nf)
            x += fp[k] - '0';
    }
    if (nf > (size_t)scale && fp[scale] >= '5')
        x += 1;
    *fen = x;
    return true;
}

static const json_t *opt_obj(reader *r, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_object(v)) {
        char field[96];
        snprintf(field, sizeof field, "%s%s%s", where, *where ? "." : "", key);
        bad(r, " 应为对象", field, "must be an object");
        return NULL;
    }
    return v;
}

static const json_t *opt_arr(reader *r, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v)) {
        char field[96];
        snprintf(field, sizeof field, "%s.%s", where, key);
        bad(r, " 应为数组", field, "must be an array");
        return NULL;
    }
    return v;
}

static int met_of(const json_t *v)
{
    return json_is_true(v) ? 1 : json_is_false(v) ? 0 : -1;
}

/* the result indicator whose document index is i, or NULL */
static const json_t *result_ind_for(const json_t *rinds, size_t i)
{
    size_t k;
    json_t *e;
    json_array_foreach(rinds, k, e)
    {
        const json_t *ix = json_object_get(e, "index");
        if (json_is_integer(ix) && json_integer_value(ix) == (json_int_t)i)
            return e;
    }
    return NULL;
}

static int64_t days_from_civil(int64_t y, int64_t mo, int64_t d)
{
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* An RFC 3339 time ("2026-12-07T06:40:00Z", "...+08:00") as a bureau
 * writes it, in China Standard Time (UTC+8, no daylight saving):
 * "2026年12月7日 14:40".  NULL when the text is not such a time. */
static const char *cst_time(reader *r, const char *t)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return NULL;
    const char *z = t + n;
    if (*z == '.')
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    int64_t off = 0;
    if (*z == 'Z' || *z == 'z') {
        if (z[1])
            return NULL;
    } else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
        int oh, om;
        if (sscanf(z + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59)
            return NULL;
        off = (*z == '+' ? 1 : -1) * (oh * 60 + om);
    } else
        return NULL;
    /* minutes since the epoch in UTC, then +8 h */
    int64_t mins = days_from_civil(y, mo, d) * 1440 + h * 60 + mi - off + 8 * 60;
    int64_t days = mins >= 0 ? mins / 1440 : -((-mins + 1439) / 1440);
    int64_t rest = mins - days * 1440;
    /* civil_from_days */
    int64_t zd = days + 719468;
    int64_t era = (zd >= 0 ? zd : zd - 146096) / 146097;
    int64_t doe = zd - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp + (mp < 10 ? 3 : -9);
    int64_t yy = yoe + era * 400 + (mm <= 2);
    jr_buf b = {0};
    jr_printf(&b, "%" PRId64 "年%" PRId64 "月%" PRId64 "日 %02" PRId64 ":%02" PRId64, yy, mm, dd,
              rest / 60, rest % 60);
    return own_buf(r, &b);
}

static void read_evaluation(reader *r, const json_t *ev)
{
    jr_model *m = r->m;
    m->eval_id = opt_str(r, ev, "id", "evaluation");
    m->created_at = opt_str(r, ev, "created_at", "evaluation");
    m->created_at_cst = cst_time(r, m->created_at);
    if (!m->created_at_cst)
        m->created_at_cst = m->created_at;
    m->created_by = opt_str(r, ev, "created_by", "evaluation");
    m->framework = opt_str(r, ev, "framework", "evaluation");
    m->framework_version = opt_str(r, ev, "framework_version", "evaluation");
}

static void read_money(reader *r, const json_t *budget)
{
    static const struct {
        const char *key, *label;
    } items[] = {{"initial", "年初预算数"}, {"cuts", "调减数"},      {"additions", "调增数"},
                 {"adjusted", "全年预算数"}, {"executed", "全年执行数"}, {"balance", "结余（收回/结转）"}};
    jr_model *m = r->m;
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        const json_t *v = budget ? json_object_get(budget, items[i].key) : NULL;
        if (!v || json_is_null(v))
            continue;
        jr_money_item *it = &m->money[m->nmoney++];
        it->key = items[i].key;
        it->label = items[i].label;
        it->text = value_text(r, v);
        it->parsed = parse_money(v, &it->fen);
    }
}

static void read_project(reader *r, const json_t *p)
{
    jr_model *m = r->m;
    m->name = opt_str(r, p, "name", "project");
    m->code = opt_str(r, p, "code", "project");
    m->org = opt_str(r, p, "org", "project");
    m->scope = opt_str(r, p, "scope", "project");
    m->supervising_office = opt_str(r, p, "supervising_office", "project");
    m->fund_nature = opt_str(r, p, "fund_nature", "project");
    const json_t *y = json_object_get(p, "year");
    if (json_is_integer(y) && json_integer_value(y) > 0 && json_integer_value(y) < 10000)
        m->year = (int)json_integer_value(y);
    else if (y && !json_is_null(y))
        bad(r, " 应为年份整数", "project.year", "must be an integer year");
    m->wide = strcmp(m->scope, "department_wide") == 0 || strcmp(m->scope, "unit_wide") == 0;
    m->kind_label = !m->wide ? "项目支出"
                    : strcmp(m->scope, "unit_wide") == 0 ? "单位整体支出"
                                                          : "部门整体支出";
    const json_t *rep = opt_obj(r, p, "reported", "project");
    const json_t *rt = rep ? json_object_get(rep, "total") : NULL;
    m->has_reported_total = rt && !json_is_null(rt) && to_cents(rt, &m->reported_total);
    m->reported_grade = opt_str(r, rep, "grade", "project.reported");
    const json_t *goals = opt_obj(r, p, "goals", "project");
    m->goal_overall = opt_str(r, goals, "overall", "project.goals");
    m->goal_annual = opt_str(r, goals, "annual", "project.goals");
    read_money(r, opt_obj(r, p, "budget", "project"));
}

static void read_goals(reader *r, const json_t *inds, const json_t *rinds)
{
    jr_model *m = r->m;
    size_t n = inds ? json_array_size(inds) : 0;
    m->goals = calloc(n ? n : 1, sizeof *m->goals);
    if (!m->goals) {
        nomem(r);
        return;
    }
    for (size_t i = 0; i < n && !r->failed; i++) {
        const json_t *e = json_array_get(inds, i);
        char where[48];
        snprintf(where, sizeof where, "project.indicators[%zu]", i);
        if (!json_is_object(e)) {
            bad(r, " 应为对象", where, "must be an object");
            return;
        }
        const json_t *ri = rinds ? result_ind_for(rinds, i) : NULL;
        jr_goal *g = &m->goals[m->ngoals++];
        g->seq = (int)i + 1;
        g->level1 = opt_str(r, e, "level1", where);
        g->level2 = opt_str(r, e, "level2", where);
        g->name = opt_str(r, e, "name", where);
        if (!*g->level1 && ri)
            g->level1 = opt_str(r, ri, "level1", "result.indicators[]");
        if (!*g->level2 && ri)
            g->level2 = opt_str(r, ri, "level2", "result.indicators[]");
        if (!*g->name && ri)
            g->name = opt_str(r, ri, "name", "result.indicators[]");
        g->target = value_text(r, json_object_get(e, "target"));
        g->actual = value_text(r, json_object_get(e, "actual"));
        g->deviation_reason = value_text(r, json_object_get(e, "deviation_reason"));
        const json_t *w = json_object_get(e, "weight");
        if (!w || json_is_null(w))
            w = ri ? json_object_get(ri, "weight") : NULL;
        g->has_weight = w && to_cents(w, &g->weight);
        const json_t *rs = json_object_get(e, "reported_score");
        g->has_reported_score = rs && to_cents(rs, &g->reported_score);
        g->met = !ri ? -1
                 : json_is_true(json_object_get(ri, "not_applicable")) ? JR_MET_NA
                                                                        : met_of(json_object_get(ri, "met"));
    }
}

/* 报告得分 beside 核定得分: each indicator row's reported score from the
 * document's indicator it scores, the total row's from the reported total */
static void attach_reported(jr_model *m)
{
    for (size_t i = 0; i < m->nrows; i++) {
        jr_row *row = &m->rows[i];
        if (row->kind == JR_ROW_INDICATOR && row->index >= 0 && (size_t)row->index < m->ngoals &&
            m->goals[row->index].has_reported_score) {
            row->has_reported = true;
            row->reported = m->goals[row->index].reported_score;
        } else if (row->kind == JR_ROW_TOTAL && m->has_reported_total) {
            row->has_reported = true;
            row->reported = m->reported_total;
        }
    }
}

static void read_problems(reader *r, const json_t *arr)
{
    jr_model *m = r->m;
    size_t n = arr ? json_array_size(arr) : 0;
    m->problems = calloc(n ? n : 1, sizeof *m->problems);
    if (!m->problems) {
        nomem(r);
        return;
    }
    for (size_t i = 0; i < n && !r->failed; i++) {
        const json_t *e = json_array_get(arr, i);
        char where[48];
        snprintf(where, sizeof where, "project.problems[%zu]", i);
        if (!json_is_object(e)) {
            bad(r, " 应为对象", where, "must be an object");
            return;
        }
        jr_problem *p = &m->problems[m->nproblems++];
        p->seq = (int)i + 1;
        p->category = opt_str(r, e, "category", where);
        p->responsible_office = opt_str(r, e, "responsible_office", where);
        p->description = opt_str(r, e, "description", where);
        p->advice = opt_str(r, e, "advice", where);
        p->note = opt_str(r, e, "note", where);
    }
}

/* the label of a level-1: "产出指标（50分）" with the category weight */
static const char *level1_label(reader *r, const json_t *cats, const char *l1)
{
    size_t i;
    json_t *c;
    json_array_foreach(cats, i, c)
    {
        const json_t *name = json_object_get(c, "level1");
        int64_t w;
        if (json_is_string(name) && strcmp(json_string_value(name), l1) == 0 &&
            to_cents(json_object_get(c, "weight"), &w)) {
            jr_buf b = {0};
            jr_puts(&b, l1);
            jr_puts(&b, "（");
            jr_cents_short(&b, w);
            jr_puts(&b, "分）");
            return own_buf(r, &b);
        }
    }
    return l1;
}

static void read_rows(reader *r, const json_t *res)
{
    jr_model *m = r->m;
    const json_t *rinds = opt_arr(r, res, "indicators", "result");
    const json_t *cats = opt_arr(r, res, "categories", "result");
    const json_t *exec = opt_obj(r, res, "execution", "result");
    if (r->failed)
        return;
    size_t n = rinds ? json_array_size(rinds) : 0;
    m->rows = calloc(n + 2, sizeof *m->rows);
    if (!m->rows) {
        nomem(r);
        return;
    }
    for (size_t i = 0; i < n && !r->failed; i++) {
        const json_t *e = json_array_get(rinds, i);
        char where[48];
        snprintf(where, sizeof where, "result.indicators[%zu]", i);
        if (!json_is_object(e)) {
            bad(r, " 应为对象", where, "must be an object");
            return;
        }
        jr_row *row = &m->rows[m->nrows++];
        row->kind = JR_ROW_INDICATOR;
        row->seq = (int)i + 1;
        row->level1 = opt_str(r, e, "level1", where);
        row->level2 = opt_str(r, e, "level2", where);
        row->name = opt_str(r, e, "name", where);
        row->explain = opt_str(r, e, "explain", where);
        row->level1_label = cats ? level1_label(r, cats, row->level1) : row->level1;
        row->not_applicable = json_is_true(json_object_get(e, "not_applicable"));
        row->own = json_is_true(json_object_get(e, "own"));
        if (!need_cents(r, e, "weight", where, &row->weight) ||
            (!row->not_applicable && !need_cents(r, e, "score", where, &row->score)))
            return;
        row->deduction = row->not_applicable ? 0 : row->weight - row->score;
        const json_t *ix = json_object_get(e, "index");
        row->index = json_is_integer(ix) ? (int)json_integer_value(ix) : -1;
        row->met = row->not_applicable ? JR_MET_NA : met_of(json_object_get(e, "met"));
    }
    /* merged cells: spans of consecutive equal level-1 and (level-1, level-2) */
    for (size_t i = 0; i < m->nrows;) {
        size_t j = i + 1;
        while (j < m->nrows && strcmp(m->rows[j].level1, m->rows[i].level1) == 0)
            j++;
        m->rows[i].l1_span = (int)(j - i);
        /* the cell's label gives what its rows are worth ("产出指标（40分）"),
         * so it never claims the framework's weight over fewer rows */
        if (*m->rows[i].level1) {
            int64_t w = 0;
            for (size_t k = i; k < j; k++)
                if (!m->rows[k].not_applicable)
                    w += m->rows[k].weight;
            jr_buf b = {0};
            jr_puts(&b, m->rows[i].level1);
            jr_puts(&b, "（");
            jr_cents_short(&b, w);
            /* a wide document's own indicators stay outside total and max */
            jr_puts(&b, m->rows[i].own ? "分，不计入总分）" : "分）");
            m->rows[i].level1_label = own_buf(r, &b);
        }
        for (size_t k = i; k < j;) {
            size_t l = k + 1;
            while (l < j && strcmp(m->rows[l].level2, m->rows[k].level2) == 0)
                l++;
            m->rows[k].l2_span = (int)(l - k);
            k = l;
        }
        i = j;
    }

    /* execution */
    int64_t ew = 0, es = 0;
    if (exec) {
        if (!need_cents(r, exec, "weight", "result.execution", &ew) ||
            !need_cents(r, exec, "score", "result.execution", &es))
            return;
        const json_t *rate = json_object_get(exec, "rate");
        if (rate && !json_is_null(rate)) {
            if (!json_is_number(rate))
                return (void)bad(r, " 应为数值", "result.execution.rate", "must be a number");
            double d = json_number_value(rate) * 10000.0;
            if (!(d < 9e15 && d > -9e15))
                return (void)bad(r, " 超出范围", "result.execution.rate", "out of range");
            m->has_rate = true;
            m->rate4 = (int64_t)llround(d);
        }
        const json_t *bv = json_object_get(exec, "budget"), *xv = json_object_get(exec, "executed");
        m->has_exec_budget = bv && !json_is_null(bv) && parse_money(bv, &m->exec_budget_fen);
        m->has_exec_executed = xv && !json_is_null(xv) && parse_money(xv, &m->exec_executed_fen);
    }
    if (ew > 0) {
        m->has_exec_row = true;
        jr_row *row = &m->rows[m->nrows++];
        row->kind = JR_ROW_EXECUTION;
        row->seq = (int)n + 1;
        row->level1 = row->level1_label = row->level2 = "";
        row->name = "预算执行率";
        row->weight = ew;
        row->score = es;
        row->deduction = ew - es;
        row->index = -1;
        row->met = -1;
        jr_buf b = {0};
        if (m->has_rate) {
            jr_puts(&b, "执行率 ");
            jr_rate_pct(&b, m->rate4);
            if (m->has_exec_budget && m->has_exec_executed) {
                jr_puts(&b, "（全年执行数 ");
                jr_money(&b, m->exec_executed_fen);
                jr_puts(&b, " 元 ÷ 全年预算数 ");
                jr_money(&b, m->exec_budget_fen);
                jr_puts(&b, " 元）");
            }
            jr_puts(&b, "，得 ");
            jr_cents_short(&b, es);
            jr_puts(&b, " 分");
        } else
            jr_puts(&b, "缺少全年执行数，无法计算预算执行率，按 0 分计");
        row->explain = own_buf(r, &b);
    }
}

static void read_result(reader *r, const json_t *res)
{
    jr_model *m = r->m;
    if (!need_cents(r, res, "total", "result", &m->total) ||
        !need_cents(r, res, "max", "result", &m->max))
        return;
    const json_t *nv = json_object_get(res, "normalised");
    if (!nv || !to_cents(nv, &m->normalised))
        m->normalised = m->total;
    const json_t *g = json_object_get(res, "grade");
    if (!json_is_string(g))
        return (void)bad(r, " 缺失或不是字符串", "result.grade", "missing or not a string");
    m->grade = clean(r, json_string_value(g));
    const json_t *c = json_object_get(res, "complete");
    m->complete = !json_is_false(c);
    if (!m->framework[0])
        m->framework = opt_str(r, res, "framework", "result");

    read_rows(r, res);
    if (r->failed)
        return;
    jr_row *t = &m->rows[m->nrows++];
    t->kind = JR_ROW_TOTAL;
    t->level1 = t->level1_label = t->level2 = "";
    t->name = "合计";
    t->weight = m->max;
    t->score = m->total;
    t->deduction = m->max - m->total;
    t->index = -1;
    t->met = -1;
    jr_buf b = {0};
    jr_printf(&b, "总分 ");
    jr_cents(&b, m->total);
    if (m->max != 10000) {
        jr_puts(&b, "（满分 ");
        jr_cents_short(&b, m->max);
        jr_puts(&b, "，折合百分制 ");
        jr_cents(&b, m->normalised);
        jr_puts(&b, "）");
    }
    jr_printf(&b, "，等级 %s", m->grade);
    if (!m->complete)
        jr_puts(&b, "（部分指标无法确定，总分与等级为下限）");
    m->grade_text = t->explain = own_buf(r, &b);
}

static const char *severity_label(const char *sev)
{
    if (strcmp(sev, "error") == 0)
        return "错误";
    if (strcmp(sev, "warning") == 0)
        return "警告";
    if (strcmp(sev, "info") == 0)
        return "提示";
    return sev;
}

static void read_findings(reader *r, const json_t *res, const json_t *inds)
{
    jr_model *m = r->m;
    const json_t *arr = opt_arr(r, res, "findings", "result");
    size_t n = arr ? json_array_size(arr) : 0;
    m->findings = calloc(n ? n : 1, sizeof *m->findings);
    if (!m->findings) {
        nomem(r);
        return;
    }
    const json_t *rinds = json_object_get(res, "indicators");
    for (size_t i = 0; i < n && !r->failed; i++) {
        const json_t *e = json_array_get(arr, i);
        char where[48];
        snprintf(where, sizeof where, "result.findings[%zu]", i);
        if (!json_is_object(e)) {
            bad(r, " 应为对象", where, "must be an object");
            return;
        }
        jr_finding *f = &m->findings[m->nfindings++];
        f->seq = (int)i + 1;
        f->code = opt_str(r, e, "code", where);
        f->severity = opt_str(r, e, "severity", where);
        f->severity_label = severity_label(f->severity);
        f->pointer = opt_str(r, e, "pointer", where);
        f->message = opt_str(r, e, "message", where);
        f->subject = "";
        if (strcmp(f->severity, "error") == 0)
            m->nerrors++;
        else if (strcmp(f->severity, "warning") == 0)
            m->nwarnings++;
        else
            m->ninfos++;
        /* "/indicators/3/..." names the document's fourth indicator */
        const char *p = f->pointer;
        if (strncmp(p, "/indicators/", 12) == 0 && p[12] >= '0' && p[12] <= '9') {
            char *end;
            unsigned long k = strtoul(p + 12, &end, 10);
            if (*end == '/' || *end == '\0') {
                const json_t *di = inds ? json_array_get(inds, k) : NULL;
                const json_t *ri = rinds ? result_ind_for(rinds, k) : NULL;
                const char *nm = di ? opt_str(r, di, "name", "project.indicators[]") : "";
                if (!*nm && ri)
                    nm = opt_str(r, ri, "name", "result.indicators[]");
                f->subject = nm;
            }
        } else if (strncmp(p, "/budget", 7) == 0)
            f->subject = "预算执行";
    }
}

static void make_titles(reader *r)
{
    jr_model *m = r->m;
    jr_buf t = {0}, s = {0};
    bool wide = strcmp(m->scope, "department_wide") == 0 || strcmp(m->scope, "unit_wide") == 0;
    if (wide) {
        const char *what = strcmp(m->scope, "unit_wide") == 0 ? "单位" : "部门";
        if (m->year)
            jr_printf(&t, "%d年度", m->year);
        jr_printf(&t, "%s%s整体支出绩效自评报告", m->org, what);
        if (m->year)
            jr_printf(&s, "%d年度", m->year);
        jr_printf(&s, "%s%s整体支出绩效自评指标计分表", m->org, what);
    } else {
        const char *nm = *m->name ? m->name : "（未命名）";
        jr_printf(&t, "%s项目支出绩效评价报告", nm);
        jr_printf(&s, "%s项目支出绩效评价评分情况表", nm);
    }
    m->title = own_buf(r, &t);
    m->score_title = own_buf(r, &s);
}

void jr_model_free(jr_model *m)
{
    for (size_t i = 0; i < m->nowned; i++)
        free(m->owned[i]);
    free(m->owned);
    free(m->rows);
    free(m->goals);
    free(m->problems);
    free(m->findings);
    jr_free_application(m);
}

int jr_model_read(jr_model *m, const json_t *model, char *err, size_t errlen)
{
    reader r = {m, err, errlen, false};
    memset(m, 0, sizeof *m);
    if (!json_is_object(model)) {
        bad(&r, " 应为 JSON 对象", "model", "must be a JSON object");
        return -1;
    }
    const json_t *ev = opt_obj(&r, model, "evaluation", "");
    const json_t *proj = json_object_get(model, "project");
    const json_t *res = json_object_get(model, "result");
    if (!json_is_object(proj))
        bad(&r, " 缺失或不是对象", "project", "missing or not an object");
    else if (!json_is_object(res))
        bad(&r, " 缺失或不是对象", "result", "missing or not an object");
    if (r.failed)
        return -1;
    read_evaluation(&r, ev);
    read_project(&r, proj);
    const json_t *inds = opt_arr(&r, proj, "indicators", "project");
    const json_t *probs = opt_arr(&r, proj, "problems", "project");
    if (!r.failed)
        read_result(&r, res);
    if (!r.failed)
        read_goals(&r, inds, json_object_get(res, "indicators"));
    if (!r.failed)
        attach_reported(m);
    if (!r.failed)
        read_problems(&r, probs);
    if (!r.failed)
        read_findings(&r, res, inds);
    if (!r.failed)
        make_titles(&r);
    if (!r.failed && jr_read_application(m, model, err, errlen) != 0)
        return -1;
    return r.failed ? -1 : 0;
}
