/*
 * test_errors: documents that cannot be loaded.  Malformed JSON, unknown
 * fields, wrong types, unparseable targets and amounts, unknown frameworks,
 * weights <= 0; every problem listed; nothing crashes on hostile input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static jx_ctx *ctx;

static const char *const valid_doc =
    "{'scope':'project','framework':'project-2020','name':'测试项目','org':'测试单位',"
    "'year':2022,'budget':{'adjusted':'10万元','executed':'9万元'},"
    "'indicators':["
    "{'level1':'产出指标','level2':'数量指标','name':'检查次数','weight':50,"
    " 'target':'≥30次','actual':'30次','reported_score':50},"
    "{'level1':'效益指标','level2':'社会效益指标','name':'社会效益','weight':40,"
    " 'target':'显著提高','actual':'显著提高','reported_score':40}],"
    "'reported':{'total':99}}";

/* An error item whose pointer matches (exactly, or below it when prefix). */
static const jx_error *find_error(const jx_errors *errs, const char *pointer, int prefix)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;
    for (i = 0; i < n; i++) {
        const char *p = errs->items[i].pointer;
        if (prefix ? jt_ptr_match(p, pointer) : strcmp(p, pointer) == 0)
            return &errs->items[i];
    }
    return NULL;
}

/* Every listed item is well formed: NUL-terminated, with a code and message. */
static void check_items(const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;
    for (i = 0; i < n; i++) {
        const jx_error *e = &errs->items[i];
        if (memchr(e->pointer, 0, sizeof e->pointer) == NULL ||
            memchr(e->code, 0, sizeof e->code) == NULL ||
            memchr(e->message, 0, sizeof e->message) == NULL) {
            FAIL("error item %zu is not NUL-terminated", i);
            continue;
        }
        if (!e->code[0] || !e->message[0])
            FAIL("error item %zu lacks a code or message (code '%s')", i, e->code);
        if (e->pointer[0] && e->pointer[0] != '/')
            FAIL("error item %zu pointer '%s' is not a JSON pointer", i, e->pointer);
    }
}

/* Runs text through both entry points; both must fail the same way.
 * Returns the status of jx_score_json, errs filled. */
static jx_status load_fails(const char *text, size_t len, jx_errors *errs, int line)
{
    char *out = NULL;
    size_t outlen = 0;
    jx_status st;
    jx_errors errs2;
    jx_document *doc;

    jx_errors_clear(errs);
    st = jx_score_json(ctx, text, len, &out, &outlen, errs);
    if (st == JX_OK) {
        jt_fail(__FILE__, line, "accepted a document that must fail: %.200s", out ? out : "");
        free(out);
        return st;
    }
    jt_check(out == NULL, __FILE__, line, "no output on failure");
    jt_check(errs->status == st, __FILE__, line, "errs.status equals the returned status");
    jt_check(errs->count > 0, __FILE__, line, "at least one error listed");
    check_items(errs);

    jx_errors_clear(&errs2);
    doc = jx_document_load(ctx, text, len, &errs2);
    if (doc) {
        jt_fail(__FILE__, line, "jx_document_load accepted what jx_score_json rejected");
        jx_document_free(doc);
    } else {
        jt_check(errs2.status == st, __FILE__, line, "jx_document_load gives the same status");
        jt_check(errs2.count == errs->count, __FILE__, line,
                 "jx_document_load lists the same number of errors");
    }
    return st;
}

static jx_status doc_fails(json_t *doc, jx_errors *errs, int line)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    jx_status st = load_fails(text, strlen(text), errs, line);
    free(text);
    json_decref(doc);
    return st;
}

#define EXPECT_ERROR_AT(errs, ptr, prefix)                                             \
    do {                                                                               \
        if (!jt_check(find_error((errs), (ptr), (prefix)) != NULL, __FILE__, __LINE__, \
                      "an error at " #ptr))                                            \
            jt_print_errors(errs);                                                     \
    } while (0)

static void test_valid(void)
{
    jt_run r;
    json_t *d = jt_j(valid_doc);
    jt_case("the base document of these tests loads");
    jt_score(ctx, d, &r);
    EXPECT_SCORED(&r);
    jt_run_free(&r);
    json_decref(d);
}

static void test_syntax(void)
{
    jx_errors errs;
    jx_status st;
    static const char bad[] = "{\n  \"scope\": \"project\",\n  \"framework\": \n}\n";
    jt_case("malformed JSON: line and column");
    st = load_fails(bad, strlen(bad), &errs, __LINE__);
    CHECK_INT(st, JX_ESYNTAX);
    if (errs.count > 0) {
        CHECK(errs.items[0].line >= 3);
        CHECK(errs.items[0].column > 0);
        CHECK(errs.items[0].message[0] != '\0');
    }
    jt_case("malformed JSON: truncated");
    st = load_fails("{\"scope\":", 9, &errs, __LINE__);
    CHECK_INT(st, JX_ESYNTAX);
    if (errs.count > 0)
        CHECK(errs.items[0].line > 0 && errs.items[0].column > 0);
    jt_case("malformed JSON: trailing comma");
    st = load_fails("{\"scope\":\"project\",}", 20, &errs, __LINE__);
    CHECK_INT(st, JX_ESYNTAX);
    jt_case("malformed JSON: two documents");
    st = load_fails("{} {}", 5, &errs, __LINE__);
    CHECK(st != JX_OK);
}

static void test_unknown_fields(void)
{
    jx_errors errs;
    json_t *d;
    static const struct { const char *ptr, *val; } cases[] = {
        {"/scpoe", "'project'"},
        {"/indicators/0/traget", "'≥30次'"},
        {"/budget/excuted", "'9万元'"},
        {"/reported/totl", "99"},
        {"/indicators/1/rule", "{'kind':'ratio','revers':'linear'}"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *want = cases[i].ptr;
        jt_case("unknown field %s", want);
        d = jt_j(valid_doc);
        jt_setj(d, cases[i].ptr, cases[i].val);
        if (i == 4)
            want = "/indicators/1/rule/revers";
        if (CHECK_INT(doc_fails(d, &errs, __LINE__), JX_EFIELD)) {
            if (!find_error(&errs, want, 0)) {
                FAIL("no error with pointer %s", want);
                jt_print_errors(&errs);
            }
        }
    }
}

static void test_types(void)
{
    jx_errors errs;
    json_t *d;
    static const struct { const char *ptr, *val; } cases[] = {
        {"/indicators/0/weight", "'十'"},
        {"/indicators/0/weight", "true"},
        {"/indicators", "{}"},
        {"/reported/total", "'九十'"},
        {"/scope", "5"},
        {"/budget", "'many'"},
        {"/indicators/0/reported_score", "[1]"},
        {"/indicators/0/name", "{}"},
        {"/scope", "'galaxy'"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        jx_status st;
        jt_case("wrong type at %s: %s", cases[i].ptr, cases[i].val);
        d = jt_j(valid_doc);
        jt_setj(d, cases[i].ptr, cases[i].val);
        st = doc_fails(d, &errs, __LINE__);
        CHECK(st == JX_EINVALID || st == JX_EFIELD);
        if (st != JX_OK)
            EXPECT_ERROR_AT(&errs, cases[i].ptr, 1);
    }
    jt_case("a document that is not an object");
    {
        static const char *const texts[] = {"null", "[]", "123", "\"project\"", "true"};
        for (i = 0; i < sizeof texts / sizeof *texts; i++) {
            jx_status st = load_fails(texts[i], strlen(texts[i]), &errs, __LINE__);
            CHECK(st == JX_EINVALID || st == JX_ESYNTAX);
        }
    }
}

static void test_values(void)
{
    jx_errors errs;
    json_t *d;
    const jx_error *e;

    jt_case("unparseable target");
    d = jt_j(valid_doc);
    jt_setj(d, "/indicators/0/target", "'大于三十'");
    if (CHECK_INT(doc_fails(d, &errs, __LINE__), JX_EINVALID)) {
        e = find_error(&errs, "/indicators/0/target", 0);
        if (CHECK(e != NULL)) {
            if (!strstr(e->message, "大于三十"))
                FAIL("message does not quote the text: %s", e->message);
        } else {
            jt_print_errors(&errs);
        }
    }
    jt_case("unparseable target with an operator and words");
    d = jt_j(valid_doc);
    jt_setj(d, "/indicators/0/target", "'≥2022年度完成'");
    if (CHECK_INT(doc_fails(d, &errs, __LINE__), JX_EINVALID))
        EXPECT_ERROR_AT(&errs, "/indicators/0/target", 0);

    {
        static const struct { const char *label, *ptr, *val; } cases[] = {
            {"negative amount", "/budget/executed", "'-5万元'"},
            {"negative yuan", "/budget/adjusted", "'-100'"},
            {"sub-fen amount", "/budget/adjusted", "'0.001'"},
            {"sub-fen 万元 amount", "/budget/executed", "'1.2345678万元'"},
            {"unparseable amount", "/budget/executed", "'九万元'"},
            {"breakdown amount", "/budget/breakdown",
             "[{'item':'办公费','amount':'-1'}]"},
            {"amount overflowing int64 fen", "/budget/adjusted", "'99999999999999999999万元'"},
            {"unknown framework id", "/framework", "'project-1999'"},
            {"weight 0", "/indicators/0/weight", "0"},
            {"weight negative", "/indicators/0/weight", "-5"},
        };
        size_t i;
        for (i = 0; i < sizeof cases / sizeof *cases; i++) {
            jx_status st;
            jt_case("%s: %s = %s", cases[i].label, cases[i].ptr, cases[i].val);
            d = jt_j(valid_doc);
            jt_setj(d, cases[i].ptr, cases[i].val);
            st = doc_fails(d, &errs, __LINE__);
            CHECK_INT(st, JX_EINVALID);
            if (st != JX_OK)
                EXPECT_ERROR_AT(&errs, cases[i].ptr, 1);
        }
    }
    jt_case("an invalid inline framework");
    d = jt_j(valid_doc);
    jt_setj(d, "/framework", "{'id':'x','name':'x','scope':'project','categories':[]}");
    if (doc_fails(d, &errs, __LINE__) != JX_OK)
        EXPECT_ERROR_AT(&errs, "/framework", 1);
}

static void test_many(void)
{
    jx_errors errs;
    json_t *d;
    size_t i;
    jt_case("several errors in one document, all listed");
    d = jt_j(valid_doc);
    jt_setj(d, "/indicators/0/target", "'大于三十'");
    jt_setj(d, "/indicators/1/weight", "0");
    jt_setj(d, "/budget/executed", "'-5万元'");
    if (doc_fails(d, &errs, __LINE__) != JX_OK) {
        CHECK(errs.count >= 3);
        EXPECT_ERROR_AT(&errs, "/indicators/0/target", 0);
        EXPECT_ERROR_AT(&errs, "/indicators/1/weight", 0);
        EXPECT_ERROR_AT(&errs, "/budget/executed", 0);
    }
    jt_case("an unknown field and bad values together");
    d = jt_j(valid_doc);
    jt_setj(d, "/scpoe", "'project'");
    jt_setj(d, "/indicators/0/target", "'大于三十'");
    if (doc_fails(d, &errs, __LINE__) != JX_OK) {
        CHECK(errs.count >= 2);
        EXPECT_ERROR_AT(&errs, "/scpoe", 0);
        EXPECT_ERROR_AT(&errs, "/indicators/0/target", 0);
    }
    jt_case("more errors than JX_MAX_ERRORS");
    d = jt_j(valid_doc);
    for (i = 0; i < 40; i++) {
        char ind[256];
        snprintf(ind, sizeof ind,
                 "{'level1':'产出指标','level2':'数量指标','name':'指标%zu','weight':1,"
                 "'target':'≥%zu年度完成','actual':'1次'}", i, i);
        jt_setj(d, "/indicators/-", ind);
    }
    if (doc_fails(d, &errs, __LINE__) != JX_OK) {
        CHECK(errs.count >= 40);
        CHECK(find_error(&errs, "/indicators/2/target", 0) != NULL);
    }
}

static void test_hostile(void)
{
    jx_errors errs;
    char *out = NULL;
    size_t outlen = 0, i;
    jx_status st;

    jt_case("empty input");
    st = load_fails("", 0, &errs, __LINE__);
    CHECK(st != JX_OK);
    jt_case("whitespace only");
    st = load_fails(" \n\t ", 4, &errs, __LINE__);
    CHECK(st != JX_OK);
    jt_case("NUL bytes");
    {
        static const char nul1[] = "{\"scope\"\0:\"project\"}";
        static const char nul2[] = "\0\0\0\0";
        load_fails(nul1, sizeof nul1 - 1, &errs, __LINE__);
        load_fails(nul2, sizeof nul2 - 1, &errs, __LINE__);
    }
    jt_case("a valid document followed by a NUL and more");
    {
        json_t *d = jt_j(valid_doc);
        char *text = json_dumps(d, JSON_COMPACT);
        size_t n = strlen(text);
        char *buf = malloc(n + 8);
        memcpy(buf, text, n);
        memcpy(buf + n, "\0garbage", 8);
        jx_errors_clear(&errs);
        st = jx_score_json(ctx, buf, n + 8, &out, &outlen, &errs);
        CHECK(st != JX_OK); /* the length says there is more than the document */
        free(out);
        out = NULL;
        /* the same document with its exact length is fine */
        jx_errors_clear(&errs);
        st = jx_score_json(ctx, buf, n, &out, &outlen, &errs);
        CHECK_INT(st, JX_OK);
        free(out);
        out = NULL;
        free(buf);
        free(text);
        json_decref(d);
    }
    jt_case("a NUL escaped inside a string does not crash");
    {
        static const char t[] =
            "{\"scope\":\"project\",\"framework\":\"project-2020\",\"name\":\"a\\u0000b\","
            "\"indicators\":[{\"level1\":\"产出指标\",\"level2\":\"数量指标\",\"name\":\"x\\u0000\","
            "\"weight\":10,\"target\":\"≥3\\u0000次\",\"actual\":\"3次\"}]}";
        jx_errors_clear(&errs);
        st = jx_score_json(ctx, t, sizeof t - 1, &out, &outlen, &errs);
        free(out);
        out = NULL;
        CHECK(1);
    }
    jt_case("invalid UTF-8");
    {
        static const char t[] = "{\"scope\":\"project\",\"name\":\"\xff\xfe\xc3\x28\"}";
        st = load_fails(t, sizeof t - 1, &errs, __LINE__);
        CHECK(st != JX_OK);
    }
    jt_case("deep nesting");
    {
        size_t depth = 100000;
        char *t = malloc(depth * 2 + 32);
        size_t k = 0;
        memcpy(t, "{\"scope\":", 9);
        k = 9;
        for (i = 0; i < depth; i++)
            t[k++] = '[';
        for (i = 0; i < depth; i++)
            t[k++] = ']';
        t[k++] = '}';
        jx_errors_clear(&errs);
        st = jx_score_json(ctx, t, k, &out, &outlen, &errs);
        CHECK(st != JX_OK);
        free(out);
        out = NULL;
        free(t);
    }
    jt_case("huge numbers");
    {
        json_t *d = jt_j(valid_doc);
        static const char *const vals[] = {"1e308", "-1e308", "123456789012345678901234567890",
                                           "0.000000000000000000000001", "9223372036854775807"};
        char *text;
        for (i = 0; i < sizeof vals / sizeof *vals; i++) {
            char buf[512];
            snprintf(buf, sizeof buf,
                     "{\"scope\":\"project\",\"framework\":\"project-2020\",\"name\":\"x\","
                     "\"indicators\":[{\"level1\":\"产出指标\",\"level2\":\"数量指标\","
                     "\"name\":\"x\",\"weight\":%s,\"target\":%s,\"actual\":%s,"
                     "\"reported_score\":%s}],\"reported\":{\"total\":%s}}",
                     vals[i], vals[i], vals[i], vals[i], vals[i]);
            jx_errors_clear(&errs);
            st = jx_score_json(ctx, buf, strlen(buf), &out, &outlen, &errs);
            if (st == JX_OK && out) {
                json_t *res = json_loads(out, 0, NULL);
                if (!res)
                    FAIL("output for %s is not JSON", vals[i]);
                else
                    jt_check_result_shape(res);
                json_decref(res);
            }
            free(out);
            out = NULL;
        }
        text = json_dumps(d, 0);
        free(text);
        json_decref(d);
    }
    jt_case("a long text target");
    {
        json_t *d = jt_j(valid_doc);
        char *big = malloc(100001);
        char *text;
        memset(big, 'x', 100000);
        big[100000] = '\0';
        jt_set(d, "/indicators/0/target", json_string(big));
        jt_set(d, "/indicators/0/actual", json_string(big));
        text = json_dumps(d, 0);
        jx_errors_clear(&errs);
        st = jx_score_json(ctx, text, strlen(text), &out, &outlen, &errs);
        if (st != JX_OK)
            check_items(&errs);
        free(out);
        out = NULL;
        free(text);
        free(big);
        json_decref(d);
        CHECK(1);
    }
    jt_case("jx_parse_value and jx_parse_money on hostile text");
    {
        static const char *const texts[] = {"", "≥", "≥≥≥", "%%%", "万万万元", "1,,,,2",
                                            "\xff\xfe", "\xe2\x89", "1.2.3", ".", "-", "+5",
                                            "999999999999999999999999999999%", "0.0000000000000000001%",
                                            "以上", "5以上以下", "达", "达达100%", "   "};
        for (i = 0; i < sizeof texts / sizeof *texts; i++) {
            jx_value v;
            jx_error e;
            int64_t fen;
            int prec;
            memset(&e, 0, sizeof e);
            if (jx_parse_value(texts[i], &v, &e) != 0 && !e.message[0])
                FAIL("jx_parse_value('%s') failed without a message", texts[i]);
            memset(&e, 0, sizeof e);
            if (jx_parse_money(texts[i], &fen, &prec, &e) != 0 && !e.message[0])
                FAIL("jx_parse_money('%s') failed without a message", texts[i]);
        }
        CHECK(1);
    }
}

/* A framework value that this library's reader accepts but Jansson (which
 * reads inline frameworks) refuses -- an integer beyond 64 bits, a real
 * beyond a double -- once loaded a document with no framework and no
 * error, and jx_score then dereferenced the missing framework. */
static void test_framework_not_object(void)
{
    static const char *const texts[] = {
        "{\"scope\":\"project\",\"framework\":99999999999999999999999999999,\"indicators\":[]}",
        "{\"framework\":1e999}",
        "{\"framework\":[1,1e400]}",
        "{\"framework\":{\"id\":\"x\",\"execution_weight\":1e999}}",
        "{\"framework\":5}",
        "{\"framework\":true}",
    };
    size_t i;
    jx_errors errs;
    for (i = 0; i < sizeof texts / sizeof *texts; i++) {
        jx_status st;
        jt_case("framework that is neither an id nor a readable object: %s", texts[i]);
        st = load_fails(texts[i], strlen(texts[i]), &errs, __LINE__);
        CHECK(st == JX_EINVALID);
        if (st != JX_OK)
            EXPECT_ERROR_AT(&errs, "/framework", 1);
    }
}

/* Two level-1 categories that match each other (产出指标 and 产出, or an
 * alias of one naming the other) once loaded: indicators of the second
 * were scored into a category row past the end and vanished from the
 * output.  They are refused now. */
static void test_framework_duplicate_categories(void)
{
    static const char *const texts[] = {
        "{\"framework\":{\"id\":\"dup\",\"categories\":[{\"level1\":\"产出指标\",\"weight\":50},"
        "{\"level1\":\"产出\",\"weight\":50}]}}",
        "{\"framework\":{\"id\":\"dup\",\"categories\":[{\"level1\":\"投入\",\"aliases\":[\"产出\"],\"weight\":50},"
        "{\"level1\":\"产出指标\",\"weight\":50}]}}",
    };
    size_t i;
    jx_errors errs;
    for (i = 0; i < sizeof texts / sizeof *texts; i++) {
        jx_status st;
        jt_case("duplicate level-1 categories: %s", texts[i]);
        st = load_fails(texts[i], strlen(texts[i]), &errs, __LINE__);
        CHECK(st == JX_EINVALID);
        if (st != JX_OK)
            EXPECT_ERROR_AT(&errs, "/framework/categories/1", 0);
    }
}

int main(void)
{
    ctx = jx_ctx_new();
    if (!ctx) {
        fprintf(stderr, "jx_ctx_new failed\n");
        return 1;
    }
    test_valid();
    test_syntax();
    test_unknown_fields();
    test_types();
    test_values();
    test_many();
    test_hostile();
    test_framework_not_object();
    test_framework_duplicate_categories();
    jx_ctx_free(ctx);
    return jt_finish("test_errors");
}
