/*
 * lib/office/selfeval.c -- the 自评表 of 财预〔2020〕10号 found in a grid, as
 * scoring documents (scoring.md §7).
 *
 * How a table is recognised: by its indicator header row, a row naming the
 * 三级指标 column and a 年度指标值 or 实际完成值 column (for a wide table,
 * 部门整体支出绩效自评表, a 得分 column is enough), with the synonyms reports
 * use (SYN below; spaces, full width and bracketed notes such as "（A）" or
 * "（万元）" ignored).  The rows above it, back to the previous table, are
 * its header block (项目名称, 主管部门, 实施单位, the 项目资金 rows with 年初
 * 预算数 / 全年预算数 / 全年执行数 / 执行率 / 得分, the year); the rows below
 * it are indicators until the 总分 (合计) row, whose 得分 is the reported
 * total.  Several tables stacked in one sheet are read one after another.
 *
 * Merged level cells arrive as the grid's shared text; a blank level cell
 * takes the one above (reports often leave them blank rather than merged).
 * "产出指标（50分）" is read as 产出指标.  Amounts take the unit the header
 * states ("项目资金（万元）": 90 is "90万元"); targets and actuals go to the
 * library as written (it parses them, full-width digits included).  Numbers
 * of 分值 and 得分 must be numbers ("１０" and "10分" are); anything else is
 * an error naming the cell and quoting it.  A row of "/" or "——" is blank.
 * With no 分值 column the weights are left out (the library assumes them,
 * §8); 评分标准 / 评分规则 / 计分方法 text goes to "rule" as a string (§8).
 *
 * Every field read has its place in "places" (by JSON pointer), so a
 * finding or an error of the library can name the cell.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R_L1, R_L2, R_NAME, R_TARGET, R_ACTUAL, R_WEIGHT, R_SCORE, R_REASON, R_RULE, NROLES };

static const char *const SYN[NROLES][8] = {
    [R_L1] = {"一级指标", "一级", NULL},
    [R_L2] = {"二级指标", "二级", NULL},
    [R_NAME] = {"三级指标", "指标名称", "三级指标名称", "三级", NULL},
    [R_TARGET] = {"年度指标值", "指标值", "目标值", "年度目标值", "预期指标值", "预期目标值", NULL},
    [R_ACTUAL] = {"实际完成值", "实际完成情况", "实际值", "完成值", "全年实际值", "实际完成指标值",
                  NULL},
    [R_WEIGHT] = {"分值", "权重", "标准分值", "指标分值", "权重分", NULL},
    [R_SCORE] = {"得分", "自评得分", "实际得分", "评分", "自评分", NULL},
    [R_REASON] = {"偏差原因分析及改进措施", "未完成原因分析", "偏差原因分析", "偏差原因",
                  "原因分析及改进措施", "未完成原因分析及改进措施", NULL},
    [R_RULE] = {"评分标准", "评分规则", "计分方法", "评分方法", NULL},
};
static const char *const FIELD[NROLES] = {"level1", "level2", "name", "target", "actual",
                                          "weight", "reported_score", "deviation_reason", "rule"};

/* ---- text ---- */

/* next code point of s at *i (advancing), 0xFFFD for a bad byte */
static uint32_t next_cp(const char *s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    if (p[0] < 0x80) {
        *i += 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
        *i += 2;
        return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        *i += 3;
        return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
        (p[3] & 0xC0) == 0x80) {
        *i += 4;
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
               (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    }
    *i += 1;
    return 0xFFFD;
}

static size_t put_cp(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *jx_office_norm(const char *s, bool drop_brackets)
{
    size_t n = strlen(s), i = 0, k = 0;
    char *o = malloc(n + 1);
    int depth = 0;
    if (!o)
        return NULL;
    while (i < n) {
        uint32_t cp = next_cp(s, &i);
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0; /* full width to ASCII */
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0)
            continue;
        if (drop_brackets) {
            if (cp == '(' || cp == 0x3010 /* 【 */) {
                depth++;
                continue;
            }
            if ((cp == ')' || cp == 0x3011) && depth > 0) {
                depth--;
                continue;
            }
            if (depth > 0)
                continue;
            if (cp == ':' || cp == '*')
                continue;
        }
        k += put_cp(o + k, cp);
    }
    o[k] = '\0';
    return o;
}

static bool is_one_of(const char *norm, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(norm, list[i]) == 0)
            return true;
    return false;
}

/* normalised text of a cell, or "" (caller frees) */
static char *cell_norm(const jx_grid *g, uint32_t r, uint32_t c, bool drop)
{
    return jx_office_norm(jx_grid_text(g, r, c), drop);
}

static bool blankish(const char *norm)
{
    return !norm[0] || strcmp(norm, "/") == 0 || strcmp(norm, "-") == 0 ||
           strcmp(norm, "—") == 0 || strcmp(norm, "——") == 0 || strcmp(norm, "--") == 0 ||
           strcmp(norm, "\\") == 0;
}

/* ---- the reader's state for one grid ---- */

typedef struct {
    const jx_grid *g;
    const jx_office_opts *opts;
    jx_office_error *err;
    json_t *doc, *places, *errors;
    bool oom;
} rd;

/* a merged cell's place is its top-left one's, where a person sees it */
static void place_of(rd *x, uint32_t r, uint32_t c, char *buf, size_t n)
{
    const jx_cell *cell = jx_grid_at(x->g, r, c);
    jx_grid_place(x->g, cell->orow, cell->ocol, buf, n);
}

static void set_place(rd *x, const char *pointer, uint32_t r, uint32_t c)
{
    char p[160];
    place_of(x, r, c, p, sizeof p);
    if (json_object_set_new(x->places, pointer, json_string(p)) != 0)
        x->oom = true;
}

static void add_error(rd *x, uint32_t r, uint32_t c, const char *code, const char *what,
                      const char *what_en)
{
    char p[160], m[640];
    place_of(x, r, c, p, sizeof p);
    snprintf(m, sizeof m, "%s %s无法读取：'%.200s' (%s)", p, what, jx_grid_text(x->g, r, c),
             what_en);
    json_t *e = json_pack("{s:s, s:s, s:s}", "place", p, "code", code, "message", m);
    if (!e || json_array_append_new(x->errors, e) != 0)
        x->oom = true;
}

/* A number as written in a 分值 / 得分 cell: "10", "８.５", "10分".  Sets *out
 * (a new JSON number) or NULL for a blank; false when it is not a number. */
static bool read_number(const char *text, json_t **out)
{
    *out = NULL;
    char *n = jx_office_norm(text, false);
    if (!n)
        return false;
    bool ok = false;
    size_t len = strlen(n);
    if (blankish(n)) {
        ok = true;
        goto done;
    }
    if (len >= 3 && strcmp(n + len - 3, "分") == 0)
        n[len -= 3] = '\0';
    size_t i = 0, digits = 0;
    bool dot = false;
    if (n[i] == '-' || n[i] == '+')
        i++;
    for (; i < len; i++) {
        if (isdigit((unsigned char)n[i]))
            digits++;
        else if (n[i] == '.' && !dot)
            dot = true;
        else
            goto done;
    }
    if (digits == 0 || digits > 15)
        goto done;
    *out = dot ? json_real(strtod(n, NULL)) : json_integer(strtoll(n, NULL, 10));
    ok = *out != NULL;
done:
    free(n);
    return ok;
}

/* "产出指标（50分）" -> "产出指标", "投   入（20分）" -> "投入": a bracket
 * holding 分 is a weight note, and spaces inside a level name are layout */
static char *level_text(const char *s)
{
    char *t = jx_office_norm(s, false), *b;
    if (!t)
        return NULL;
    if (((b = strstr(t, "(")) || (b = strstr(t, "（"))) && strstr(b, "分"))
        *b = '\0';
    return t;
}

/* "绩效目标合理性（2分）" -> "绩效目标合理性": a trailing bracket of a number
 * and 分 is the weight written into the name (a wide table's habit) */
static char *name_text(const char *s)
{
    char *t = strdup(s);
    if (!t)
        return NULL;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\n'))
        n--;
    size_t close = n >= 3 && strncmp(t + n - 3, "）", 3) == 0 ? 3 : n >= 1 && t[n - 1] == ')' ? 1 : 0;
    if (!close)
        return t;
    size_t k = n - close, end = k;
    if (k < 3 || strncmp(t + k - 3, "分", 3) != 0)
        return t;
    k -= 3;
    while (k > 0 && ((t[k - 1] >= '0' && t[k - 1] <= '9') || t[k - 1] == '.' || t[k - 1] == ' '))
        k--;
    if (k == end - 3)
        return t; /* no number before 分 */
    if (k >= 3 && strncmp(t + k - 3, "（", 3) == 0)
        k -= 3;
    else if (k >= 1 && t[k - 1] == '(')
        k -= 1;
    else
        return t;
    while (k > 0 && t[k - 1] == ' ')
        k--;
    if (k == 0)
        return t;
    t[k] = '\0';
    return t;
}

/* ---- header block ---- */

typedef struct {
    int name_r, name_c, sup_r, sup_c, impl_r, impl_c;
    int budget_r; /* the row of 年初预算数 ... */
    int col_initial, col_adjusted, col_executed, col_rate, col_exec_score;
    char unit[16];
    int year;
    bool wide, unit_wide;
} header;

static bool label_is(const char *norm, const char *a, const char *b, const char *c)
{
    return strcmp(norm, a) == 0 || (b && strcmp(norm, b) == 0) || (c && strcmp(norm, c) == 0);
}

/* the year in "（2022年度）" / "2022年" written in text, 0 if none */
static int year_in(const char *s)
{
    char *n = jx_office_norm(s, false);
    int y = 0;
    if (!n)
        return 0;
    for (const char *p = n; *p && !y; p++) {
        if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
            isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
            strncmp(p + 4, "年", 3) == 0 && (p == n || !isdigit((unsigned char)p[-1]))) {
            int v = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
            if (v >= 2000 && v <= 2100)
                y = v;
        }
    }
    free(n);
    return y;
}

static void unit_in(const char *raw, char *unit, size_t n)
{
    if (unit[0])
        return;
    if (strstr(raw, "万元"))
        snprintf(unit, n, "万元");
    else if (strstr(raw, "亿元"))
        snprintf(unit, n, "亿元");
    else if (strstr(raw, "千元"))
        snprintf(unit, n, "千元");
    else if (strstr(raw, "（元）") || strstr(raw, "(元)") || strstr(raw, "单位：元") ||
             strstr(raw, "单位:元"))
        snprintf(unit, n, "元");
}

static bool wide_title(const char *s)
{
    return strstr(s, "部门整体") || strstr(s, "单位整体") || strstr(s, "整体支出");
}

static void read_header(rd *x, uint32_t from, uint32_t to, header *h)
{
    const jx_grid *g = x->g;
    *h = (header){-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, "", 0, false, false};
    h->year = year_in(g->name);
    h->wide = wide_title(g->name);
    h->unit_wide = strstr(g->name, "单位整体") != NULL;
    for (uint32_t r = from; r < to; r++)
        for (uint32_t c = 0; c < g->ncols; c++) {
            const jx_cell *cell = jx_grid_at(g, r, c);
            if (cell->orow != r || cell->ocol != c || !cell->text)
                continue;
            if (!h->year)
                h->year = year_in(cell->text);
            if (wide_title(cell->text)) {
                h->wide = true;
                h->unit_wide = h->unit_wide || strstr(cell->text, "单位整体");
            }
            char *n = jx_office_norm(cell->text, true);
            if (!n) {
                x->oom = true;
                return;
            }
            if (label_is(n, "项目名称", "部门名称", "单位名称") && h->name_r < 0)
                h->name_r = (int)r, h->name_c = (int)c;
            else if (label_is(n, "主管部门", "主管单位", "主管部门及代码") && h->sup_r < 0)
                h->sup_r = (int)r, h->sup_c = (int)c;
            else if (label_is(n, "实施单位", "预算单位", NULL) && h->impl_r < 0)
                h->impl_r = (int)r, h->impl_c = (int)c;
            else if (label_is(n, "年初预算数", "年初预算", NULL)) {
                h->budget_r = (int)r, h->col_initial = (int)c;
                unit_in(cell->text, h->unit, sizeof h->unit);
            } else if (label_is(n, "全年预算数", "调整后预算数", "全年预算")) {
                h->budget_r = (int)r, h->col_adjusted = (int)c;
                unit_in(cell->text, h->unit, sizeof h->unit);
            } else if (label_is(n, "全年执行数", "执行数", "实际支出数")) {
                h->budget_r = (int)r, h->col_executed = (int)c;
                unit_in(cell->text, h->unit, sizeof h->unit);
            } else if (label_is(n, "执行率", "预算执行率", NULL) && (int)r == h->budget_r)
                h->col_rate = (int)c;
            else if (label_is(n, "得分", "执行得分", NULL) && (int)r == h->budget_r)
                h->col_exec_score = (int)c;
            else if (strncmp(n, "项目资金", 12) == 0 || strncmp(n, "资金", 6) == 0 ||
                     strstr(cell->text, "单位："))
                unit_in(cell->text, h->unit, sizeof h->unit);
            free(n);
        }
}

/* the value written right of a label: the next cell that is not part of it */
static bool value_right(const jx_grid *g, int r, int c, uint32_t *vr, uint32_t *vc)
{
    if (r < 0)
        return false;
    const jx_cell *l = jx_grid_at(g, (uint32_t)r, (uint32_t)c);
    for (uint32_t k = (uint32_t)c + 1; k < g->ncols; k++) {
        const jx_cell *v = jx_grid_at(g, (uint32_t)r, k);
        if (v->orow == l->orow && v->ocol == l->ocol)
            continue;
        *vr = (uint32_t)r;
        *vc = k;
        return v->text && v->text[0];
    }
    return false;
}

static void set_str(rd *x, json_t *obj, const char *key, const char *val, const char *ptr,
                    uint32_t r, uint32_t c)
{
    if (json_object_set_new(obj, key, json_string(val)) != 0)
        x->oom = true;
    if (ptr)
        set_place(x, ptr, r, c);
}

/* an amount as written, with the header's unit when it is a bare number */
static char *amount_text(const char *raw, const char *unit)
{
    char *n = jx_office_norm(raw, false);
    if (!n)
        return NULL;
    bool bare = n[0] != '\0';
    for (const char *p = n; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.' && *p != ',' && *p != '-')
            bare = false;
    if (!bare || !unit[0]) {
        free(n);
        return strdup(raw);
    }
    size_t len = strlen(n) + strlen(unit) + 1;
    char *o = malloc(len);
    if (o)
        snprintf(o, len, "%s%s", n, unit);
    free(n);
    return o;
}

static void read_budget(rd *x, const header *h, uint32_t to)
{
    const jx_grid *g = x->g;
    if (h->budget_r < 0)
        return;
    /* the value row: 年度资金总额, else the row below the labels */
    uint32_t vr = (uint32_t)h->budget_r + 1;
    for (uint32_t r = vr; r < to; r++) {
        bool total = false;
        for (uint32_t c = 0; c < g->ncols && !total; c++) {
            char *n = cell_norm(g, r, c, true);
            total = n && (strstr(n, "年度资金总额") || strstr(n, "资金总额") ||
                          strcmp(n, "合计") == 0);
            free(n);
        }
        if (total) {
            vr = r;
            break;
        }
    }
    if (vr >= to)
        return;
    json_t *b = json_object();
    if (!b || json_object_set_new(x->doc, "budget", b) != 0) {
        x->oom = true;
        return;
    }
    const struct {
        int col;
        const char *key;
    } A[] = {{h->col_initial, "initial"}, {h->col_adjusted, "adjusted"}, {h->col_executed, "executed"}};
    for (size_t i = 0; i < 3; i++) {
        if (A[i].col < 0)
            continue;
        const char *raw = jx_grid_text(g, vr, (uint32_t)A[i].col);
        char *n = jx_office_norm(raw, false);
        if (!n) {
            x->oom = true;
            return;
        }
        bool blank = blankish(n);
        free(n);
        if (blank)
            continue;
        char *t = amount_text(raw, h->unit), ptr[64];
        if (!t) {
            x->oom = true;
            return;
        }
        snprintf(ptr, sizeof ptr, "/budget/%s", A[i].key);
        set_str(x, b, A[i].key, t, ptr, vr, (uint32_t)A[i].col);
        free(t);
    }
    if (h->col_rate >= 0) {
        const char *raw = jx_grid_text(g, vr, (uint32_t)h->col_rate);
        char *n = jx_office_norm(raw, false);
        if (!n) {
            x->oom = true;
            return;
        }
        if (!blankish(n)) {
            char buf[64], *end;
            double d = strtod(n, &end);
            if (end != n && *end == '\0') /* a bare number: a fraction up to 1, else points */
                snprintf(buf, sizeof buf, "%.15g%%", d <= 1.0 ? d * 100.0 : d);
            else
                snprintf(buf, sizeof buf, "%.60s", raw);
            set_str(x, b, "reported_execution_rate", buf, "/budget/reported_execution_rate", vr,
                    (uint32_t)h->col_rate);
        }
        free(n);
    }
    if (json_object_size(b) == 0)
        json_object_del(x->doc, "budget");
    if (h->col_exec_score >= 0) {
        json_t *num;
        if (!read_number(jx_grid_text(g, vr, (uint32_t)h->col_exec_score), &num))
            add_error(x, vr, (uint32_t)h->col_exec_score, "SCORE_UNREADABLE", "预算执行得分",
                      "execution score is not a number");
        else if (num) {
            json_t *rep = json_object_get(x->doc, "reported");
            if (!rep) {
                rep = json_object();
                json_object_set_new(x->doc, "reported", rep);
            }
            json_object_set_new(rep, "execution_score", num);
            set_place(x, "/reported/execution_score", vr, (uint32_t)h->col_exec_score);
        }
    }
}

/* ---- the indicator block ---- */

/* the role columns of row r, or false when it is no indicator header */
static bool header_row(const jx_grid *g, uint32_t r, bool wide, int col[NROLES], bool *oom)
{
    for (int k = 0; k < NROLES; k++)
        col[k] = -1;
    for (uint32_t c = 0; c < g->ncols; c++) {
        const jx_cell *cell = jx_grid_at(g, r, c);
        if (cell->ocol != c || !cell->text || !cell->text[0])
            continue; /* a horizontally merged label counts once, at its left */
        char *n = jx_office_norm(cell->text, true);
        if (!n) {
            *oom = true;
            return false;
        }
        for (int k = 0; k < NROLES; k++)
            if (col[k] < 0 && is_one_of(n, SYN[k])) {
                col[k] = (int)c;
                break;
            }
        free(n);
    }
    if (col[R_NAME] < 0)
        return false;
    return col[R_TARGET] >= 0 || col[R_ACTUAL] >= 0 || (wide && col[R_SCORE] >= 0);
}

static bool total_row(const jx_grid *g, uint32_t r, const int col[NROLES], bool *oom)
{
    int limit = col[R_WEIGHT] >= 0 ? col[R_WEIGHT] : col[R_SCORE] >= 0 ? col[R_SCORE] : (int)g->ncols;
    for (uint32_t c = 0; c < (uint32_t)limit && c < g->ncols; c++) {
        char *n = cell_norm(g, r, c, true);
        if (!n) {
            *oom = true;
            return false;
        }
        bool t = strcmp(n, "总分") == 0 || strcmp(n, "合计") == 0 || strcmp(n, "总计") == 0 ||
                 strcmp(n, "总得分") == 0 || strcmp(n, "合计得分") == 0 ||
                 strcmp(n, "自评总分") == 0;
        free(n);
        if (t)
            return true;
    }
    return false;
}

static bool starts_block(const jx_grid *g, uint32_t r, bool *oom)
{
    for (uint32_t c = 0; c < g->ncols; c++) {
        const jx_cell *cell = jx_grid_at(g, r, c);
        if (cell->orow != r || cell->ocol != c || !cell->text)
            continue;
        char *n = jx_office_norm(cell->text, true);
        if (!n) {
            *oom = true;
            return false;
        }
        bool b = strcmp(n, "项目名称") == 0 || strcmp(n, "部门名称") == 0 ||
                 strcmp(n, "单位名称") == 0 || (strstr(n, "自评表") != NULL && c == 0);
        free(n);
        if (b)
            return true;
    }
    return false;
}

/* a cheap look before the full tests: a header or a header block names
 * 一级/二级/三级指标, 指标名称, 项目名称 ... or a title 自评表 (plain
 * substrings of the raw text; indicator rows rarely hold them) */
static bool might_start(const jx_grid *g, uint32_t r)
{
    for (uint32_t c = 0; c < g->ncols; c++) {
        const jx_cell *cell = jx_grid_at(g, r, c);
        const char *t = cell->text;
        if (!t || cell->orow != r || cell->ocol != c)
            continue;
        if (strstr(t, "级指标") || strstr(t, "名称") || strstr(t, "自评表"))
            return true;
    }
    return false;
}

static bool row_says_na(const char *const t[NROLES])
{
    for (int k = R_NAME; k <= R_ACTUAL; k++)
        if (t[k] && strstr(t[k], "不适用"))
            return true;
    return false;
}

/* reads indicator rows from hr+1; returns the row after the table */
static uint32_t read_indicators(rd *x, uint32_t hr, const int col[NROLES], bool wide)
{
    const jx_grid *g = x->g;
    json_t *inds = json_array();
    if (!inds || json_object_set_new(x->doc, "indicators", inds) != 0) {
        x->oom = true;
        return g->nrows;
    }
    char *carry1 = NULL, *carry2 = NULL;
    uint32_t carry1_r = 0, carry1_c = 0, carry2_r = 0, carry2_c = 0;
    uint32_t r = hr + 1;
    for (; r < g->nrows && !x->oom; r++) {
        if (total_row(g, r, col, &x->oom)) {
            if (col[R_SCORE] >= 0) {
                json_t *num;
                if (!read_number(jx_grid_text(g, r, (uint32_t)col[R_SCORE]), &num))
                    add_error(x, r, (uint32_t)col[R_SCORE], "TOTAL_UNREADABLE", "总分",
                              "total is not a number");
                else if (num) {
                    json_t *rep = json_object_get(x->doc, "reported");
                    if (!rep) {
                        rep = json_object();
                        json_object_set_new(x->doc, "reported", rep);
                    }
                    json_object_set_new(rep, "total", num);
                    set_place(x, "/reported/total", r, (uint32_t)col[R_SCORE]);
                }
            }
            r++;
            break;
        }
        int hc[NROLES];
        if (r > hr + 1 && might_start(g, r) &&
            (header_row(g, r, wide, hc, &x->oom) || starts_block(g, r, &x->oom)))
            break; /* the next table begins */
        if (jx_grid_at(g, r, (uint32_t)col[R_NAME])->orow <= hr)
            continue; /* a second header row under merged labels */
        const char *t[NROLES] = {0};
        bool any = false;
        for (int k = 0; k < NROLES; k++) {
            if (col[k] < 0)
                continue;
            t[k] = jx_grid_text(g, r, (uint32_t)col[k]);
            char *n = jx_office_norm(t[k], false);
            if (!n) {
                x->oom = true;
                break;
            }
            if (blankish(n))
                t[k] = NULL;
            else if (k != R_L1 && k != R_L2)
                any = true;
            free(n);
        }
        if (t[R_L1]) {
            free(carry1);
            carry1 = level_text(t[R_L1]);
            carry1_r = r, carry1_c = (uint32_t)col[R_L1];
            if (!t[R_L2]) {
                free(carry2); /* a new level-1 starts its level-2s afresh */
                carry2 = NULL;
            }
        }
        if (t[R_L2]) {
            free(carry2);
            carry2 = level_text(t[R_L2]);
            carry2_r = r, carry2_c = (uint32_t)col[R_L2];
        }
        if (!any)
            continue; /* a blank row, or a level label alone */
        bool na = row_says_na(t);
        if (na && !t[R_WEIGHT] && !t[R_SCORE])
            continue; /* "该指标本项目不适用" with nothing to score */
        size_t i = json_array_size(inds);
        json_t *ind = json_object();
        if (!ind || json_array_append_new(inds, ind) != 0) {
            x->oom = true;
            break;
        }
        char ptr[96];
        snprintf(ptr, sizeof ptr, "/indicators/%zu", i);
        set_place(x, ptr, r, (uint32_t)col[R_NAME]);
        if (carry1) {
            snprintf(ptr, sizeof ptr, "/indicators/%zu/level1", i);
            set_str(x, ind, "level1", carry1, ptr, carry1_r, carry1_c);
        }
        if (carry2) {
            snprintf(ptr, sizeof ptr, "/indicators/%zu/level2", i);
            set_str(x, ind, "level2", carry2, ptr, carry2_r, carry2_c);
        }
        for (int k = R_NAME; k < NROLES; k++) {
            if (!t[k] || (wide && (k == R_WEIGHT || k == R_TARGET)))
                continue;
            uint32_t c = (uint32_t)col[k];
            snprintf(ptr, sizeof ptr, "/indicators/%zu/%s", i, FIELD[k]);
            if (k == R_WEIGHT || k == R_SCORE) {
                json_t *num;
                if (!read_number(t[k], &num))
                    add_error(x, r, c, k == R_WEIGHT ? "WEIGHT_UNREADABLE" : "SCORE_UNREADABLE",
                              k == R_WEIGHT ? "分值" : "得分",
                              k == R_WEIGHT ? "weight is not a number" : "score is not a number");
                else if (num) {
                    json_object_set_new(ind, FIELD[k], num);
                    set_place(x, ptr, r, c);
                }
            } else if (k == R_NAME) {
                char *nm = name_text(t[k]);
                if (!nm) {
                    x->oom = true;
                    break;
                }
                set_str(x, ind, FIELD[k], nm, ptr, r, c);
                free(nm);
            } else
                set_str(x, ind, FIELD[k], t[k], ptr, r, c);
        }
        if (na && t[R_WEIGHT])
            json_object_set_new(ind, "not_applicable", json_true());
    }
    free(carry1);
    free(carry2);
    return r;
}

/* ---- one table ---- */

static bool read_one(rd *x, uint32_t from, uint32_t hr, const int col[NROLES], bool wide,
                     const header *h, json_t *tables, unsigned nth, uint32_t *next)
{
    const jx_grid *g = x->g;
    char where[200];
    jx_grid_where(g, where, sizeof where);
    if (nth > 1)
        place_of(x, from, 0, where, sizeof where);
    x->doc = json_object();
    x->places = json_object();
    x->errors = json_array();
    json_t *entry = json_object();
    if (!x->doc || !x->places || !x->errors || !entry)
        goto nomem;
    const jx_office_opts *o = x->opts;
    if (o && o->framework_obj)
        json_object_set(x->doc, "framework", o->framework_obj);
    else {
        const char *fw = o && o->framework ? o->framework
                         : !wide          ? "project-2020"
                         : h->unit_wide   ? "unit-wide-2013"
                                          : "department-wide-2013";
        if (!(o && o->framework))
            json_object_set_new(x->doc, "scope",
                                json_string(!wide ? "project" : h->unit_wide ? "unit_wide"
                                                                               : "department_wide"));
        json_object_set_new(x->doc, "framework", json_string(fw));
    }
    uint32_t vr, vc;
    const char *name = NULL;
    if (value_right(g, h->name_r, h->name_c, &vr, &vc)) {
        name = jx_grid_text(g, vr, vc);
        set_str(x, x->doc, "name", name, "/name", vr, vc);
    } else {
        char fallback[200];
        if (g->name[0])
            snprintf(fallback, sizeof fallback, "%s", g->name);
        else
            jx_grid_where(g, fallback, sizeof fallback);
        json_object_set_new(x->doc, "name", json_string(fallback));
    }
    if (value_right(g, h->impl_r, h->impl_c, &vr, &vc) ||
        value_right(g, h->sup_r, h->sup_c, &vr, &vc))
        set_str(x, x->doc, "org", jx_grid_text(g, vr, vc), "/org", vr, vc);
    int year = o && o->year ? o->year : h->year;
    if (year)
        json_object_set_new(x->doc, "year", json_integer(year));
    read_budget(x, h, hr);
    *next = read_indicators(x, hr, col, wide);
    if (x->oom)
        goto nomem;
    json_t *nm = json_object_get(x->doc, "name");
    if (json_object_set_new(entry, "place", json_string(where)) != 0 ||
        json_object_set(entry, "name", nm) != 0 ||
        json_object_set_new(entry, "document", x->doc) != 0 ||
        json_object_set_new(entry, "places", x->places) != 0)
        goto nomem_entry;
    x->doc = x->places = NULL;
    if (json_array_size(x->errors) && json_object_set(entry, "errors", x->errors) != 0)
        goto nomem_entry;
    json_decref(x->errors);
    x->errors = NULL;
    if (json_array_append_new(tables, entry) != 0) {
        jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        return false;
    }
    return true;
nomem:
    json_decref(x->doc);
    json_decref(x->places);
nomem_entry:
    json_decref(x->errors);
    json_decref(entry);
    x->doc = x->places = x->errors = NULL;
    jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
    return false;
}

static bool grid_empty(const jx_grid *g)
{
    for (size_t i = 0; i < (size_t)g->nrows * g->ncols; i++)
        if (g->cells[i].text && g->cells[i].text[0])
            return false;
    return true;
}

bool jx_selfeval_read(const jx_grid *g, const jx_office_opts *opts, json_t *tables,
                      jx_office_error *err)
{
    rd x = {.g = g, .opts = opts, .err = err};
    if (grid_empty(g))
        return true;
    bool wide_name = wide_title(g->name);
    unsigned found = 0;
    uint32_t from = 0;
    bool wide = wide_name; /* a wide title above makes the header test the wide one */
    for (uint32_t r = 0; r < g->nrows; r++) {
        int col[NROLES];
        for (uint32_t c = 0; r > from && c < g->ncols && !wide; c++) {
            const jx_cell *k = jx_grid_at(g, r - 1, c);
            wide = k->text && k->ocol == c && k->orow == r - 1 && wide_title(k->text);
        }
        if (!header_row(g, r, wide, col, &x.oom)) {
            if (x.oom)
                goto nomem;
            continue;
        }
        header h;
        read_header(&x, from, r, &h);
        if (x.oom)
            goto nomem;
        h.wide = h.wide || wide;
        uint32_t next;
        if (!read_one(&x, from, r, col, h.wide, &h, tables, ++found, &next))
            return false;
        from = next;
        r = next - 1;
        wide = wide_name;
    }
    if (!found) {
        char where[200];
        jx_grid_where(g, where, sizeof where);
        json_t *e = json_pack("{s:s, s:s, s:s}", "place", where, "name", g->name, "skipped",
                              "未找到自评表的指标表头（三级指标与年度指标值或实际完成值），已跳过"
                              " (no 自评表 indicator header: skipped)");
        if (!e || json_array_append_new(tables, e) != 0)
            goto nomem;
    }
    return true;
nomem:
    jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
    return false;
}
