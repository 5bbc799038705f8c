/*
 * lib/office/template.c -- a blank 自评表 (.xlsx) for a framework, the layout
 * of 财预〔2020〕10号 that selfeval.c reads, so that a filled template imports
 * back as it is (issue 18).
 *
 * Sheet "自评表": title, （    年度）, the header block (项目名称 / 部门名称,
 * 主管部门, 实施单位, 项目资金（万元） with 年初预算数 全年预算数 全年执行数 分值
 * 执行率 得分, 年度总体目标), the indicator header (一级指标 二级指标 三级指标
 * 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施), the indicator rows and
 * the 总分 row.  Level-1 and level-2 cells are drop-down lists (data
 * validation) written inline, as Excel allows up to 255 characters (every
 * built-in fits; a longer list is left out rather than put on a sheet of
 * its own: libxlsxwriter 1.1.4 leaks the formula of a range-based list, and
 * the server writes templates for as long as it runs).  分值 is prefilled where the framework fixes it:
 * the execution weight, each indicator of a wide framework, the total; 得分
 * is left to the unit.  A project framework gets two blank rows per level-2
 * (at least 20), a wide framework one row per indicator, prefilled.
 *
 * libxlsxwriter (Debian's 1.1.4) writes only to files: the workbook goes to
 * a mkstemp() file in $TMPDIR, read back and removed on every path, as
 * lib/report/xlsx.c does.  Cells are strings or numbers, never formulas.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#define MAX_TEMPLATE (16u << 20)

typedef struct {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *title, *head, *text, *num;
    lxw_error rc;
} tpl;

static void chk(tpl *t, lxw_error e)
{
    if (e != LXW_NO_ERROR && t->rc == LXW_NO_ERROR)
        t->rc = e;
}

static void put(tpl *t, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    chk(t, worksheet_write_string(t->ws, r, c, s, f));
}

static void span(tpl *t, lxw_row_t r0, lxw_col_t c0, lxw_row_t r1, lxw_col_t c1, const char *s,
                 lxw_format *f)
{
    chk(t, worksheet_merge_range(t->ws, r0, c0, r1, c1, s, f));
}

static double weight_of(const json_t *o)
{
    const json_t *w = json_object_get(o, "weight");
    return json_is_number(w) ? json_number_value(w) : 0;
}

static void header_block(tpl *t, const json_t *fw, bool wide, bool unit_wide)
{
    lxw_worksheet *ws = t->ws;
    chk(t, worksheet_set_column(ws, 0, 0, 14, NULL));
    chk(t, worksheet_set_column(ws, 1, 2, 14, NULL));
    chk(t, worksheet_set_column(ws, 3, 3, 28, NULL));
    chk(t, worksheet_set_column(ws, 4, 5, 16, NULL));
    chk(t, worksheet_set_column(ws, 6, 7, 9, NULL));
    chk(t, worksheet_set_column(ws, 8, 8, 28, NULL));
    span(t, 0, 0, 0, 8,
         !wide ? "项目支出绩效自评表" : unit_wide ? "单位整体支出绩效自评表" : "部门整体支出绩效自评表",
         t->title);
    span(t, 1, 0, 1, 8, "（    年度）", t->text);
    put(t, 2, 0, wide ? (unit_wide ? "单位名称" : "部门名称") : "项目名称", t->head);
    span(t, 2, 1, 2, 8, "", t->text);
    put(t, 3, 0, "主管部门", t->head);
    span(t, 3, 1, 3, 3, "", t->text);
    put(t, 3, 4, "实施单位", t->head);
    span(t, 3, 5, 3, 8, "", t->text);
    span(t, 4, 0, 5, 0, "项目资金（万元）", t->head);
    const char *bh[] = {"", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"};
    for (lxw_col_t c = 1; c <= 7; c++)
        put(t, 4, c, bh[c - 1], t->head);
    put(t, 5, 1, "年度资金总额", t->text);
    for (lxw_col_t c = 2; c <= 7; c++)
        put(t, 5, c, "", t->num);
    const json_t *ew = json_object_get(fw, "execution_weight");
    if (json_is_number(ew) && json_number_value(ew) > 0)
        chk(t, worksheet_write_number(t->ws, 5, 5, json_number_value(ew), t->num));
    span(t, 6, 0, 7, 0, "年度总体目标", t->head);
    span(t, 6, 1, 6, 4, "预期目标", t->head);
    span(t, 6, 5, 6, 8, "实际完成情况", t->head);
    span(t, 7, 1, 7, 4, "", t->text);
    span(t, 7, 5, 7, 8, "", t->text);
    const char *ih[] = {"绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值",
                        "实际完成值", "分值", "得分", "偏差原因分析及改进措施"};
    for (lxw_col_t c = 0; c < 9; c++)
        put(t, 8, c, ih[c], t->head);
}

/* one drop-down list over a column's rows, when it fits Excel's 255 characters */
static void drop_down(tpl *t, const char **items, size_t n, lxw_row_t first, lxw_row_t last,
                      lxw_col_t col)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += strlen(items[i]) + 1;
    if (n == 0 || chars > 255)
        return; /* a longer list would need a formula range (see the top) */
    items[n] = NULL;
    lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = (char **)items};
    chk(t, worksheet_data_validation_range(t->ws, first, col, last, col, &dv));
}

/* level-1 (column B) and level-2 (column C) drop-downs of the framework's categories */
static void lists(tpl *t, const json_t *fw, lxw_row_t first, lxw_row_t last)
{
    const json_t *cats = json_object_get(fw, "categories");
    const char *l1[65], *l2[257];
    size_t n1 = 0, n2 = 0, i;
    const json_t *cat;
    json_array_foreach(cats, i, cat) {
        const char *s = json_string_value(json_object_get(cat, "level1"));
        if (s && n1 < 64)
            l1[n1++] = s;
        size_t k;
        const json_t *v;
        json_array_foreach(json_object_get(cat, "level2"), k, v) if (json_is_string(v) && n2 < 256)
            l2[n2++] = json_string_value(v);
    }
    drop_down(t, l1, n1, first, last, 1);
    drop_down(t, l2, n2, first, last, 2);
}

static lxw_row_t indicator_rows(tpl *t, const json_t *fw, bool wide)
{
    lxw_row_t r = 9;
    const json_t *inds = json_object_get(fw, "indicators");
    if (wide && json_array_size(inds)) {
        size_t i;
        const json_t *ind;
        json_array_foreach(inds, i, ind) {
            const char *l1 = json_string_value(json_object_get(ind, "level1"));
            const char *l2 = json_string_value(json_object_get(ind, "level2"));
            const char *nm = json_string_value(json_object_get(ind, "name"));
            const char *tg = json_string_value(json_object_get(ind, "target"));
            put(t, r, 0, "", t->text);
            put(t, r, 1, l1 ? l1 : "", t->text);
            put(t, r, 2, l2 ? l2 : "", t->text);
            put(t, r, 3, nm ? nm : "", t->text);
            put(t, r, 4, tg ? tg : "", t->text);
            put(t, r, 5, "", t->text);
            chk(t, worksheet_write_number(t->ws, r, 6, weight_of(ind), t->num));
            put(t, r, 7, "", t->num);
            put(t, r, 8, "", t->text);
            r++;
        }
    } else {
        size_t n2 = 0, i;
        const json_t *cat;
        json_array_foreach(json_object_get(fw, "categories"), i, cat)
            n2 += json_array_size(json_object_get(cat, "level2"));
        size_t rows = n2 * 2 < 20 ? 20 : n2 * 2;
        for (size_t k = 0; k < rows; k++, r++) {
            for (lxw_col_t c = 0; c < 9; c++)
                put(t, r, c, "", c == 6 || c == 7 ? t->num : t->text);
        }
    }
    if (r > 9)
        span(t, 9, 0, r - 1, 0, "绩效指标", t->head);
    lists(t, fw, 9, r > 9 ? r - 1 : 9);
    return r;
}

static void total_row(tpl *t, const json_t *fw, lxw_row_t r)
{
    span(t, r, 0, r, 5, "总分", t->head);
    double max = 0;
    const json_t *ew = json_object_get(fw, "execution_weight");
    if (json_is_number(ew))
        max += json_number_value(ew);
    size_t i;
    const json_t *cat;
    json_array_foreach(json_object_get(fw, "categories"), i, cat) max += weight_of(cat);
    chk(t, worksheet_write_number(t->ws, r, 6, max, t->num));
    put(t, r, 7, "", t->num);
    put(t, r, 8, "", t->text);
}

static unsigned char *read_back(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_TEMPLATE)
                goto fail;
            cap = cap ? cap * 2 : 65536;
            unsigned char *nb = realloc(buf, cap);
            if (!nb)
                goto fail;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

unsigned char *jx_office_template(const json_t *fw, size_t *len, jx_office_error *err)
{
    jx_office_error local = {0};
    if (!err)
        err = &local;
    *err = (jx_office_error){0};
    const char *scope = json_string_value(json_object_get(fw, "scope"));
    bool wide = scope && strcmp(scope, "project") != 0;
    bool unit_wide = scope && strcmp(scope, "unit_wide") == 0;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char path[4096], tmpdir[4096];
    if (snprintf(path, sizeof path, "%s/jixiao-template-XXXXXX", dir) >= (int)sizeof path) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "TEMPLATE_FAILED",
                       "临时目录路径过长 (TMPDIR too long)");
        return NULL;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "TEMPLATE_FAILED",
                       "无法创建临时文件：%s (cannot create a temporary file in %s)",
                       strerror(errno), dir);
        return NULL;
    }
    close(fd);
    snprintf(tmpdir, sizeof tmpdir, "%s", dir);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = tmpdir};
    tpl t = {0};
    t.wb = workbook_new_opt(path, &opt);
    if (!t.wb) {
        unlink(path);
        jx_office_fail(err, JX_OFFICE_EFORMAT, "TEMPLATE_FAILED",
                       "无法创建工作簿 (cannot create the workbook)");
        return NULL;
    }
    t.ws = workbook_add_worksheet(t.wb, "自评表");
    t.title = workbook_add_format(t.wb);
    t.head = workbook_add_format(t.wb);
    t.text = workbook_add_format(t.wb);
    t.num = workbook_add_format(t.wb);
    if (!t.ws || !t.title || !t.head || !t.text || !t.num)
        t.rc = LXW_ERROR_MEMORY_MALLOC_FAILED;
    else {
        format_set_bold(t.title);
        format_set_font_size(t.title, 16);
        format_set_align(t.title, LXW_ALIGN_CENTER);
        format_set_bold(t.head);
        format_set_align(t.head, LXW_ALIGN_CENTER);
        format_set_align(t.head, LXW_ALIGN_VERTICAL_CENTER);
        format_set_text_wrap(t.head);
        format_set_border(t.head, LXW_BORDER_THIN);
        format_set_text_wrap(t.text);
        format_set_border(t.text, LXW_BORDER_THIN);
        format_set_align(t.text, LXW_ALIGN_VERTICAL_CENTER);
        format_set_num_format(t.num, "0.00");
        format_set_border(t.num, LXW_BORDER_THIN);
        header_block(&t, fw, wide, unit_wide);
        lxw_row_t end = indicator_rows(&t, fw, wide);
        total_row(&t, fw, end);
        worksheet_freeze_panes(t.ws, 9, 0);
    }
    lxw_error closed = workbook_close(t.wb);
    if (t.rc == LXW_NO_ERROR)
        t.rc = closed;
    unsigned char *out = NULL;
    if (t.rc != LXW_NO_ERROR)
        jx_office_fail(err, JX_OFFICE_EFORMAT, "TEMPLATE_FAILED",
                       "生成模板失败：%s (template not written)", lxw_strerror(t.rc));
    else if (!(out = read_back(path, len)))
        jx_office_fail(err, JX_OFFICE_ENOMEM, "TEMPLATE_FAILED",
                       "读取临时文件失败 (cannot read the template back)");
    unlink(path);
    return out;
}
