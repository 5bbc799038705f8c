/*
 * test_parse: every case of ../shared/fixtures/parse.json through
 * jx_parse_value (and jx_parse_money for plain amounts), plus cases that
 * scoring.md §1 implies directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static const char *op_name(jx_op op)
{
    switch (op) {
    case JX_OP_EQ: return "=";
    case JX_OP_GE: return ">=";
    case JX_OP_GT: return ">";
    case JX_OP_LE: return "<=";
    case JX_OP_LT: return "<";
    }
    return "?";
}

static const char *kind_name(jx_value_kind k)
{
    switch (k) {
    case JX_VAL_NONE: return "NONE";
    case JX_VAL_NUMBER: return "NUMBER";
    case JX_VAL_WORD: return "WORD";
    case JX_VAL_TEXT: return "TEXT";
    }
    return "?";
}

/* The qualitative words of §1 and what they are. */
static jx_word word_of(const char *s)
{
    static const struct { const char *w; jx_word v; } words[] = {
        {"优", JX_WORD_GRADE_YOU}, {"良", JX_WORD_GRADE_LIANG},
        {"中", JX_WORD_GRADE_ZHONG}, {"差", JX_WORD_GRADE_CHA},
        {"达成", JX_WORD_ACHIEVED}, {"达成年度指标", JX_WORD_ACHIEVED},
        {"达成预期指标", JX_WORD_ACHIEVED}, {"已达成", JX_WORD_ACHIEVED},
        {"完成", JX_WORD_ACHIEVED}, {"已完成", JX_WORD_ACHIEVED},
        {"按时完成", JX_WORD_ACHIEVED}, {"达标", JX_WORD_ACHIEVED},
        {"全覆盖", JX_WORD_ACHIEVED}, {"是", JX_WORD_ACHIEVED},
        {"部分达成", JX_WORD_PARTIAL}, {"部分达成年度指标并具有一定效果", JX_WORD_PARTIAL},
        {"部分达成预期指标", JX_WORD_PARTIAL}, {"基本达成", JX_WORD_PARTIAL},
        {"基本完成", JX_WORD_PARTIAL},
        {"未达成", JX_WORD_NOT_ACHIEVED}, {"未达成年度指标且效果较差", JX_WORD_NOT_ACHIEVED},
        {"未达成预期指标", JX_WORD_NOT_ACHIEVED}, {"未完成", JX_WORD_NOT_ACHIEVED},
        {"否", JX_WORD_NOT_ACHIEVED},
    };
    size_t i;
    for (i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(words[i].w, s) == 0)
            return words[i].v;
    return JX_WORD_NONE;
}

static int is_time_unit(const char *u)
{
    static const char *const t[] = {"年", "月", "天", "日", "小时", "个工作日", "工作日"};
    size_t i;
    for (i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(t[i], u) == 0)
            return 1;
    return 0;
}

static int starts_with_eq(const char *text)
{
    while (*text == ' ')
        text++;
    return strncmp(text, "=", 1) == 0 || strncmp(text, "＝", 3) == 0 ||
           strncmp(text, "等于", 6) == 0;
}

/* One case in the parse.json format. */
static void check_case(const json_t *c)
{
    const char *text = json_string_value(json_object_get(c, "text"));
    jx_value v;
    jx_error err;
    int rc;
    if (!text) {
        FAIL("case without text");
        return;
    }
    jt_case("parse '%s'", text);
    memset(&v, 0x5a, sizeof v);
    memset(&err, 0, sizeof err);
    rc = jx_parse_value(text, &v, &err);

    if (json_is_true(json_object_get(c, "error"))) {
        if (!CHECK_INT(rc, -1)) {
            fprintf(stderr, "    parsed as kind %s op %s mant %lld scale %d unit '%.24s'\n",
                    kind_name(v.kind), op_name(v.op), (long long)v.mant, v.scale, v.unit);
            return;
        }
        CHECK(err.message[0] != '\0');
        if (text[0] && !strstr(err.message, text)) {
            FAIL("error message does not quote the text: %s", err.message);
        }
        return;
    }
    if (rc != 0) {
        FAIL("rejected: %s", err.message);
        return;
    }
    if (json_object_get(c, "qualitative")) {
        const char *q = json_string_value(json_object_get(c, "qualitative"));
        jx_word w = word_of(q ? q : "");
        CHECK(v.kind == JX_VAL_WORD || v.kind == JX_VAL_TEXT);
        if (w != JX_WORD_NONE) {
            if (!CHECK_INT(v.kind, JX_VAL_WORD) || !CHECK_INT(v.word, w))
                fprintf(stderr, "    kind %s word %d\n", kind_name(v.kind), (int)v.word);
        } else {
            CHECK_INT(v.kind, JX_VAL_TEXT);
        }
        return;
    }

    if (!CHECK_INT(v.kind, JX_VAL_NUMBER))
        return;
    {
        const char *op = json_string_value(json_object_get(c, "op"));
        if (op) {
            CHECK_STR(op_name(v.op), op);
            if (strcmp(op, "=") != 0 || starts_with_eq(text))
                CHECK(v.has_op);
            else
                CHECK(!v.has_op);
        }
    }
    CHECK(v.scale >= 0 && v.scale <= 18);
    if (json_object_get(c, "fen")) {
        json_int_t fen = json_integer_value(json_object_get(c, "fen"));
        CHECK_INT(v.unit_kind, JX_UNIT_MONEY);
        CHECK_INT(v.scale, 0);
        CHECK_INT(v.mant, fen);
        if (!v.has_op) {
            int64_t f = -1;
            int prec = 0;
            jx_error e2;
            if (CHECK_INT(jx_parse_money(text, &f, &prec, &e2), 0))
                CHECK_INT(f, fen);
        }
    } else {
        const char *val = json_string_value(json_object_get(c, "value"));
        const char *unit = json_string_value(json_object_get(c, "unit"));
        char want[128], got[128];
        jt_decimal_canon(val ? val : "", want, sizeof want);
        jt_decimal_from(v.mant, v.scale, got, sizeof got);
        CHECK_STR(got, want);
        if (unit) {
            if (unit[0] == '\0') {
                CHECK_INT(v.unit_kind, JX_UNIT_NONE);
                if (strstr(text, "万") || strstr(text, "亿"))
                    CHECK(v.wan_bare);
            } else if (strcmp(unit, "%") == 0) {
                CHECK_INT(v.unit_kind, JX_UNIT_PERCENT);
            } else if (strcmp(unit, "百分点") == 0) {
                CHECK_INT(v.unit_kind, JX_UNIT_POINTS);
            } else if (strcmp(unit, "元") == 0) {
                CHECK_INT(v.unit_kind, JX_UNIT_MONEY);
            } else {
                CHECK_INT(v.unit_kind, is_time_unit(unit) ? JX_UNIT_TIME : JX_UNIT_COUNT);
                CHECK_STR(v.unit, unit);
            }
        }
    }
}

/* Cases scoring.md §1 states outright, in the parse.json format. */
static const char *const extra_cases =
    "["
    "{'text':'95％','op':'=','value':'0.95','unit':'%'},"
    "{'text':'≧5次','op':'>=','value':'5','unit':'次'},"
    "{'text':'＞3次','op':'>','value':'3','unit':'次'},"
    "{'text':'大于等于1次','op':'>=','value':'1','unit':'次'},"
    "{'text':'不少于12份','op':'>=','value':'12','unit':'份'},"
    "{'text':'至少2次','op':'>=','value':'2','unit':'次'},"
    "{'text':'达到3场次','op':'>=','value':'3','unit':'场次'},"
    "{'text':'超过4家','op':'>','value':'4','unit':'家'},"
    "{'text':'高于80%','op':'>','value':'0.8','unit':'%'},"
    "{'text':'≦7天','op':'<=','value':'7','unit':'天'},"
    "{'text':'不超过5天','op':'<=','value':'5','unit':'天'},"
    "{'text':'至多2小时','op':'<=','value':'2','unit':'小时'},"
    "{'text':'低于10%','op':'<','value':'0.1','unit':'%'},"
    "{'text':'＜3个工作日','op':'<','value':'3','unit':'个工作日'},"
    "{'text':'等于100%','op':'=','value':'1','unit':'%'},"
    "{'text':'10次以内','op':'<=','value':'10','unit':'次'},"
    "{'text':'5%以下','op':'<=','value':'0.05','unit':'%'},"
    "{'text':'3户及以上','op':'>=','value':'3','unit':'户'},"
    "{'text':'１２３４次','op':'=','value':'1234','unit':'次'},"
    "{'text':'９９．５％','op':'=','value':'0.995','unit':'%'},"
    "{'text':'1,234次','op':'=','value':'1234','unit':'次'},"
    "{'text':'1，234人','op':'=','value':'1234','unit':'人'},"
    "{'text':'≥ 3 0 次','op':'>=','value':'30','unit':'次'},"
    "{'text':'3万人','op':'=','value':'30000','unit':'人'},"
    "{'text':'2亿人次','op':'=','value':'200000000','unit':'人次'},"
    "{'text':'0.5百分点','op':'=','value':'0.005','unit':'百分点'},"
    "{'text':'1.5亿元','op':'=','fen':15000000000,'unit':'元'},"
    "{'text':'2千元','op':'=','fen':200000,'unit':'元'},"
    "{'text':'0.01元','op':'=','fen':1,'unit':'元'},"
    "{'text':'1.234567万元','op':'=','fen':1234567,'unit':'元'},"
    "{'text':'达成','qualitative':'达成'},"
    "{'text':'已完成','qualitative':'已完成'},"
    "{'text':'全覆盖','qualitative':'全覆盖'},"
    "{'text':'是','qualitative':'是'},"
    "{'text':'基本达成','qualitative':'基本达成'},"
    "{'text':'未完成','qualitative':'未完成'},"
    "{'text':'否','qualitative':'否'},"
    "{'text':'良','qualitative':'良'},"
    "{'text':'持续影响','qualitative':'持续影响'},"
    "{'text':'三十','qualitative':'三十'},"
    "{'text':'0.001元','error':true},"
    "{'text':'1.2345678万元','error':true},"
    "{'text':'不低于三十次','error':true},"
    "{'text':'≥1e5','error':true},"
    "{'text':'≥30次/年度完成','error':true},"
    "{'text':'99999999999999999999999','error':true}"
    "]";

static void check_precision(void)
{
    jx_value v;
    jx_error err;
    int64_t fen = 0;
    int prec = 99;

    jt_case("precision of 73.62万元");
    if (CHECK_INT(jx_parse_value("73.62万元", &v, &err), 0))
        CHECK_INT(v.prec, 4); /* 0.01万元 = 100 元 = 10^4 fen */
    jt_case("precision of 99.12%%");
    if (CHECK_INT(jx_parse_value("99.12%", &v, &err), 0)) {
        char got[64];
        jt_decimal_from(v.mant, v.scale, got, sizeof got);
        CHECK_STR(got, "0.9912");
        CHECK_INT(v.prec, -4); /* 0.01 percentage point = 10^-4 */
    }
    jt_case("precision of 30次");
    if (CHECK_INT(jx_parse_value("30次", &v, &err), 0))
        CHECK_INT(v.prec, 0);

    jt_case("jx_parse_money 73.62万元");
    if (CHECK_INT(jx_parse_money("73.62万元", &fen, &prec, &err), 0)) {
        CHECK_INT(fen, 73620000); /* 736200 元 */
        CHECK_INT(prec, 4);
    }
    jt_case("jx_parse_money 782,957.64");
    if (CHECK_INT(jx_parse_money("782,957.64", &fen, &prec, &err), 0)) {
        CHECK_INT(fen, 78295764);
        CHECK_INT(prec, 0);
    }
    jt_case("jx_parse_money 15000 (yuan)");
    if (CHECK_INT(jx_parse_money("15000", &fen, &prec, &err), 0)) {
        CHECK_INT(fen, 1500000);
        CHECK_INT(prec, 2);
    }
    jt_case("jx_parse_money 11029.86");
    if (CHECK_INT(jx_parse_money("11029.86", &fen, &prec, &err), 0))
        CHECK_INT(fen, 1102986);
    jt_case("jx_parse_money 1.5464万元");
    if (CHECK_INT(jx_parse_money("1.5464万元", &fen, &prec, &err), 0))
        CHECK_INT(fen, 1546400);
    {
        static const char *const bad[] = {"0.001", "1.2345678万元", "-5", "-5万元", "abc", "",
                                          "99999999999999999999", "1e5",
                                          "99999999999999999999万元"};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof *bad; i++) {
            jt_case("jx_parse_money rejects '%s'", bad[i]);
            memset(&err, 0, sizeof err);
            if (CHECK_INT(jx_parse_money(bad[i], &fen, &prec, &err), -1)) {
                CHECK(err.message[0] != '\0');
                if (bad[i][0] && !strstr(err.message, bad[i]))
                    FAIL("message does not quote the text: %s", err.message);
            }
        }
    }
    jt_case("largest exact amounts");
    /* 92233720368547758.07 yuan is INT64_MAX fen: it may be accepted (exactly)
     * or refused; one more fen must be refused, never wrapped. */
    if (jx_parse_money("92233720368547758.07", &fen, &prec, &err) == 0)
        CHECK_INT(fen, INT64_MAX);
    CHECK_INT(jx_parse_money("92233720368547758.08", &fen, &prec, &err), -1);
    CHECK_INT(jx_parse_money("184467440737095516.16", &fen, &prec, &err), -1);
    /* a trillion yuan fits easily */
    if (CHECK_INT(jx_parse_money("1,000,000,000,000.01", &fen, &prec, &err), 0))
        CHECK_INT(fen, 100000000000001LL);
    if (CHECK_INT(jx_parse_money("1000000亿元", &fen, &prec, &err), 0))
        CHECK_INT(fen, 10000000000000000LL);
}

int main(int argc, char **argv)
{
    const char *shared = jt_shared_dir(argc, argv);
    char path[4096];
    size_t len, i;
    char *text;
    json_t *root, *cases, *extra;
    json_error_t e;

    snprintf(path, sizeof path, "%s/fixtures/parse.json", shared);
    jt_case("load parse.json");
    text = jt_read_file(path, &len);
    if (!text) {
        FAIL("cannot read %s (set JX_SHARED)", path);
        return jt_finish("test_parse");
    }
    root = json_loadb(text, len, 0, &e);
    free(text);
    cases = json_object_get(root, "cases");
    if (!CHECK(json_array_size(cases) > 0))
        return jt_finish("test_parse");
    for (i = 0; i < json_array_size(cases); i++)
        check_case(json_array_get(cases, i));
    printf("parse.json: %zu cases checked\n", json_array_size(cases));

    extra = jt_j(extra_cases);
    for (i = 0; i < json_array_size(extra); i++)
        check_case(json_array_get(extra, i));
    json_decref(extra);
    check_precision();
    json_decref(root);
    return jt_finish("test_parse");
}
