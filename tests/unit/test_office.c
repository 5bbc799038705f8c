/*
 * test_office.c -- the office reader (lib/office) on files built here in
 * memory: cells, shared and inline strings, merges, percent styles, places,
 * full-width numbers, errors quoting the cell; Word tables with gridSpan,
 * vMerge and a caption; refusals (DTD, zip bomb, not a container); the
 * template read back.  The generated-file tests are tests/office/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jxtest.h"
#include "office.h"
#include "office_zip.h"

/* ---- a sheet from rows of texts ---- */

typedef struct {
    char *s;
    size_t len, cap;
} sb;

static void put(sb *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static int numeric(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((*s < '0' || *s > '9') && *s != '.')
            return 0;
    return 1;
}

/* rows of 9 columns; cells starting with '%' are numbers in percent style,
 * '#' in the built-in date style 14, '@' in a custom date style */
static char *sheet(const char *rows[][9], int n, const char *merges)
{
    sb b = {0};
    char tmp[512];
    put(&b, "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/"
            "spreadsheetml/2006/main\"><sheetData>");
    for (int r = 0; r < n; r++) {
        snprintf(tmp, sizeof tmp, "<row r=\"%d\">", r + 1);
        put(&b, tmp);
        for (int c = 0; c < 9; c++) {
            const char *t = rows[r][c];
            if (!t || !*t)
                continue;
            if (t[0] == '%' || t[0] == '#' || t[0] == '@')
                snprintf(tmp, sizeof tmp, "<c r=\"%c%d\" s=\"%d\"><v>%s</v></c>", 'A' + c, r + 1,
                         t[0] == '%' ? 1 : t[0] == '#' ? 2 : 3, t + 1);
            else if (numeric(t))
                snprintf(tmp, sizeof tmp, "<c r=\"%c%d\"><v>%s</v></c>", 'A' + c, r + 1, t);
            else
                snprintf(tmp, sizeof tmp, "<c r=\"%c%d\" t=\"inlineStr\"><is><t>%s</t></is></c>",
                         'A' + c, r + 1, t);
            put(&b, tmp);
        }
        put(&b, "</row>");
    }
    put(&b, "</sheetData>");
    put(&b, merges ? merges : "");
    put(&b, "</worksheet>");
    return b.s;
}

static const char *STYLES =
    "<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"2\"><numFmt numFmtId=\"176\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"177\" formatCode=\"[Red]0.00&quot;d&quot;\"/></numFmts>"
    "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"9\"/><xf numFmtId=\"14\"/>"
    "<xf numFmtId=\"176\"/><xf numFmtId=\"177\"/></cellXfs></styleSheet>";

static json_t *read_xlsx(const char *xml, size_t xml_len, jx_office_error *err)
{
    size_t len = 0;
    unsigned char *z = oz_xlsx(xml, xml_len, STYLES, &len);
    json_t *out = NULL;
    if (!z) {
        FAIL("cannot build the zip");
        return NULL;
    }
    jx_office_read(z, len, NULL, &out, err);
    free(z);
    return out;
}

static const char *ROWS[][9] = {
    {"项目支出绩效自评表"},
    {"（2022年度）"},
    {"项目名称", "测试项目"},
    {"主管部门", "某局", "", "", "实施单位", "某中心"},
    {"项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"},
    {"", "年度资金总额", "90", "86.66", "73.62", "10", "%0.8495", "8.5"},
    {"绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值（A）", "实际完成值（B）", "分值", "得分",
     "偏差原因分析及改进措施"},
    {"", "产出指标（50分）", "数量指标", "检查次数", "≥5次", "5次", "１２", "12", ""},
    {""},
    {"", "", "质量指标", "覆盖率", "100%", "%0.95", "16分", "16", "未全覆盖"},
    {"", "满意度指标", "服务对象满意度指标", "满意度", "≥90%", "/", "10", "—", ""},
    {"", "产出指标", "时效指标", "完成时间", "#44926", "@44925", "5", "5", ""},
    {"总分", "", "", "", "", "", "100", "97"},
};
/* the 总分 row is row 13 */
#define NROWS ((int)(sizeof ROWS / sizeof ROWS[0]))
static const char *MERGES =
    "<mergeCells><mergeCell ref=\"A1:I1\"/><mergeCell ref=\"B3:I3\"/><mergeCell ref=\"A5:A6\"/>"
    "<mergeCell ref=\"A7:A12\"/><mergeCell ref=\"B8:B10\"/><mergeCell ref=\"A13:F13\"/></mergeCells>";

static void test_sheet(void)
{
    jt_case("xlsx: a 自评表 with merges, percent styles, full width, blank rows");
    char *xml = sheet(ROWS, NROWS, MERGES);
    jx_office_error err;
    json_t *out = read_xlsx(xml, strlen(xml), &err);
    free(xml);
    if (!CHECK(out != NULL)) {
        printf("  %s\n", err.message);
        return;
    }
    CHECK_STR(json_string_value(jt_get(out, "/format")), "xlsx");
    CHECK_INT(json_array_size(jt_get(out, "/tables")), 1);
    json_t *d = jt_get(out, "/tables/0/document");
    CHECK_STR(json_string_value(jt_get(d, "/name")), "测试项目");
    CHECK_STR(json_string_value(jt_get(d, "/org")), "某中心");
    CHECK_INT(json_integer_value(jt_get(d, "/year")), 2022);
    CHECK_STR(json_string_value(jt_get(d, "/budget/initial")), "90万元");
    CHECK_STR(json_string_value(jt_get(d, "/budget/executed")), "73.62万元");
    CHECK_STR(json_string_value(jt_get(d, "/budget/reported_execution_rate")), "84.95%");
    CHECK(json_number_value(jt_get(d, "/reported/execution_score")) == 8.5);
    CHECK_INT(json_array_size(jt_get(d, "/indicators")), 4);
    CHECK_STR(json_string_value(jt_get(d, "/indicators/3/target")), "2022年12月31日");
    CHECK_STR(json_string_value(jt_get(d, "/indicators/3/actual")), "2022年12月30日");
    CHECK_STR(json_string_value(jt_get(d, "/indicators/0/level1")), "产出指标");
    CHECK_INT(json_integer_value(jt_get(d, "/indicators/0/weight")), 12);
    CHECK_STR(json_string_value(jt_get(d, "/indicators/1/level1")), "产出指标");
    CHECK_STR(json_string_value(jt_get(d, "/indicators/1/actual")), "95%");
    CHECK_INT(json_integer_value(jt_get(d, "/indicators/1/weight")), 16);
    CHECK_STR(json_string_value(jt_get(d, "/indicators/1/deviation_reason")), "未全覆盖");
    CHECK_STR(json_string_value(jt_get(d, "/indicators/2/level1")), "满意度指标");
    CHECK(jt_get(d, "/indicators/2/actual") == NULL);
    CHECK(jt_get(d, "/indicators/2/reported_score") == NULL);
    CHECK_INT(json_integer_value(jt_get(d, "/reported/total")), 97);
    json_t *pl = jt_get(out, "/tables/0/places");
    CHECK_STR(json_string_value(json_object_get(pl, "/indicators/1/weight")), "Sheet1!G10");
    CHECK_STR(json_string_value(json_object_get(pl, "/indicators/1/level1")), "Sheet1!B8");
    CHECK_STR(json_string_value(json_object_get(pl, "/reported/total")), "Sheet1!H13");
    CHECK(jt_get(out, "/tables/0/errors") == NULL);

    /* the library scores what was read */
    char *text = jx_office_dumps(d);
    jx_ctx *ctx = jx_ctx_new();
    jx_errors errs;
    jx_document *doc = jx_document_load(ctx, text, strlen(text), &errs);
    CHECK(doc != NULL);
    jx_document_free(doc);
    jx_ctx_free(ctx);
    free(text);
    json_decref(out);
}

static void test_bad_cell(void)
{
    jt_case("xlsx: a 分值 that is not a number names its cell and quotes it");
    const char *rows[NROWS][9];
    memcpy(rows, ROWS, sizeof rows);
    rows[7][6] = "十二";
    char *xml = sheet(rows, NROWS, MERGES);
    jx_office_error err;
    json_t *out = read_xlsx(xml, strlen(xml), &err);
    free(xml);
    if (!CHECK(out != NULL))
        return;
    CHECK_STR(json_string_value(jt_get(out, "/tables/0/errors/0/place")), "Sheet1!G8");
    CHECK_STR(json_string_value(jt_get(out, "/tables/0/errors/0/code")), "WEIGHT_UNREADABLE");
    const char *m = json_string_value(jt_get(out, "/tables/0/errors/0/message"));
    CHECK(m && strstr(m, "'十二'") && strstr(m, "Sheet1!G8") && strstr(m, "(weight"));
    json_decref(out);
}

static void test_not_selfeval(void)
{
    jt_case("xlsx: a table that is not a 自评表 is skipped, and said so");
    const char *rows[][9] = {{"问题类型", "序号", "责任单位"}, {"项目决策", "1", "基金监管科"}};
    char *xml = sheet(rows, 2, NULL);
    jx_office_error err;
    json_t *out = read_xlsx(xml, strlen(xml), &err);
    free(xml);
    if (!CHECK(out != NULL))
        return;
    const char *s = json_string_value(jt_get(out, "/tables/0/skipped"));
    CHECK(s && strstr(s, "skipped"));
    json_decref(out);
}

static void test_refusals(void)
{
    jx_office_error err;
    json_t *out = NULL;

    jt_case("refused: not a zip");
    CHECK_INT(jx_office_read("hello", 5, NULL, &out, &err), JX_OFFICE_EFORMAT);
    CHECK_STR(err.code, "NOT_OFFICE");
    CHECK(out == NULL);

    jt_case("refused: a zip without the parts");
    const char *names[] = {"a.txt"}, *contents[] = {"hi"};
    size_t len;
    unsigned char *z = oz_build(names, contents, NULL, 1, 0, &len);
    CHECK_INT(jx_office_read(z, len, NULL, &out, &err), JX_OFFICE_EFORMAT);
    CHECK_STR(err.code, "NOT_OFFICE");
    CHECK_INT(jx_office_sniff(z, len), JX_OFFICE_NONE);

    jt_case("refused: a truncated container");
    CHECK_INT(jx_office_read(z, len / 2, NULL, &out, &err), JX_OFFICE_EFORMAT);
    free(z);

    jt_case("refused: a DOCTYPE (entity expansion)");
    const char *lol = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">"
                      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><worksheet><sheetData>"
                      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row>"
                      "</sheetData></worksheet>";
    out = read_xlsx(lol, strlen(lol), &err);
    CHECK(out == NULL);
    CHECK_STR(err.code, "XML_DOCTYPE");

    jt_case("refused: a zip bomb (ratio)");
    size_t big = 64u << 20;
    char *bomb = malloc(big);
    if (!bomb)
        return;
    const char *head = "<worksheet><sheetData>";
    memset(bomb, ' ', big);
    memcpy(bomb, head, strlen(head));
    memcpy(bomb + big - 24, "</sheetData></worksheet>", 24);
    out = read_xlsx(bomb, big, &err);
    free(bomb);
    CHECK(out == NULL);
    CHECK_STR(err.code, "ZIP_BOMB");
    CHECK_INT(err.status, JX_OFFICE_ELIMIT);

    jt_case("refused: malformed XML");
    out = read_xlsx("<worksheet><sheetData>", 22, &err);
    CHECK(out == NULL);
    CHECK_STR(err.code, "XML_MALFORMED");
}

static void test_docx(void)
{
    jt_case("docx: gridSpan, vMerge, caption, places");
    const char *doc =
        "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
        "wordprocessingml/2006/main\"><w:body>"
        "<w:p><w:r><w:t>基金监管工作经费项目绩效自评表</w:t></w:r></w:p>"
        "<w:tbl>"
        "<w:tr><w:tc><w:p><w:r><w:t>一级指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>二级指标</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>三级指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>指标值</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>实际完成值</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>权重</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>自评得分</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr><w:p><w:r><w:t>产出指标</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>数量指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>次数</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>≥5次</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>5次</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>50</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>50</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
        "<w:tc><w:p><w:r><w:t>质量指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>合格率</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr><w:p><w:r><w:t>100%</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>40</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>38</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val=\"4\"/></w:tcPr><w:p><w:r><w:t>合计</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>100</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>90</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl></w:body></w:document>";
    size_t len;
    unsigned char *z = oz_docx(doc, strlen(doc), &len);
    json_t *out = NULL;
    jx_office_error err;
    CHECK_INT(jx_office_sniff(z, len), JX_OFFICE_DOCX);
    CHECK_INT(jx_office_read(z, len, NULL, &out, &err), JX_OFFICE_OK);
    free(z);
    if (!out)
        return;
    json_t *d = jt_get(out, "/tables/0/document");
    CHECK_STR(json_string_value(jt_get(out, "/tables/0/place")), "表1");
    CHECK_STR(json_string_value(jt_get(d, "/name")), "基金监管工作经费项目绩效自评表");
    CHECK_STR(json_string_value(jt_get(d, "/indicators/1/level1")), "产出指标");
    /* 100% spans the target and actual columns: both read it */
    CHECK_STR(json_string_value(jt_get(d, "/indicators/1/target")), "100%");
    CHECK_INT(json_integer_value(jt_get(d, "/indicators/1/weight")), 40);
    json_t *pl = jt_get(out, "/tables/0/places");
    CHECK_STR(json_string_value(json_object_get(pl, "/indicators/1/weight")), "表1 第3行 第5列");
    CHECK_INT(json_integer_value(jt_get(d, "/reported/total")), 90); /* after a gridBefore */
    CHECK_STR(json_string_value(json_object_get(pl, "/reported/total")), "表1 第4行 第3列");
    json_decref(out);
}

static void test_template(void)
{
    jx_ctx *ctx = jx_ctx_new();
    const char *ids[] = {"project-2020", "department-wide-2013"};
    for (int i = 0; i < 2; i++) {
        jt_case("template of %s reads back", ids[i]);
        char *text = jx_framework_json(jx_ctx_framework(ctx, ids[i]));
        json_t *fw = json_loads(text, 0, NULL);
        size_t len = 0;
        jx_office_error err;
        unsigned char *x = jx_office_template(fw, &len, &err);
        json_t *out = NULL;
        if (CHECK(x != NULL) && CHECK_INT(jx_office_read(x, len, NULL, &out, &err), JX_OFFICE_OK)) {
            CHECK_INT(json_array_size(jt_get(out, "/tables")), 1);
            CHECK_STR(json_string_value(jt_get(out, "/tables/0/document/framework")), ids[i]);
            CHECK_INT(json_array_size(jt_get(out, "/tables/0/document/indicators")),
                      json_array_size(json_object_get(fw, "indicators")));
        }
        json_decref(out);
        free(x);
        json_decref(fw);
        free(text);
    }
    jx_ctx_free(ctx);
}

static void test_helpers(void)
{
    jt_case("column letters and text normalising");
    char b[16];
    jx_col_letters(1, b, sizeof b);
    CHECK_STR(b, "A");
    jx_col_letters(27, b, sizeof b);
    CHECK_STR(b, "AA");
    jx_col_letters(16384, b, sizeof b);
    CHECK_STR(b, "XFD");
    char *n = jx_office_norm("年度指标值（A） ：１２．５", true);
    CHECK_STR(n, "年度指标值12.5");
    free(n);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    test_helpers();
    test_sheet();
    test_bad_cell();
    test_not_selfeval();
    test_refusals();
    test_docx();
    test_template();
    return jt_finish("office");
}
