/*
 * test_cross.c -- findings across documents (scoring.md §6):
 * CROSS_TABLE_MISMATCH between an organisation's wide assessment and its
 * projects, and the amount comparison behind PLAN_AMOUNT_MISMATCH.
 */
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

static jx_ctx *ctx;

static jx_document *load(const char *single_quoted)
{
    json_t *j = jt_j(single_quoted);
    char *text = json_dumps(j, JSON_COMPACT);
    jx_errors errs;
    jx_document *d = jx_document_load(ctx, text, strlen(text), &errs);
    if (!d)
        FAIL("document not loaded: %s", errs.count ? errs.items[0].message : "?");
    free(text);
    json_decref(j);
    return d;
}

/* the findings of doc against other, parsed */
static json_t *cross(jx_document *doc, jx_document *other)
{
    char *out = jx_cross_findings(doc, other, "另一份报告");
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    free(out);
    CHECK(json_is_array(j));
    return j;
}

static const char *WIDE =
    "{'scope':'department_wide','figures':{},'indicators':["
    "{'level1':'部门整体绩效指标','name':'资助困难群众参保户数','weight':5,'target':'≥20户','actual':'27户'},"
    "{'level1':'部门整体绩效指标','name':'住院救助人次','weight':5,'target':'≥2万人次','actual':'2.92万人次'},"
    "{'level1':'部门整体绩效指标','name':'救助资金金额','weight':5,'target':'≤1200万元','actual':'1098.93万元'}]}";

int main(int argc, char **argv)
{
    (void)jt_shared_dir(argc, argv);
    ctx = jx_ctx_new();
    if (!ctx)
        return 1;
    jx_document *wide = load(WIDE);

    jt_case("the same indicator, different actuals: found from either side");
    {
        jx_document *p = load("{'scope':'project','name':'医疗救助','indicators':["
                              "{'level1':'产出指标','level2':'数量指标','name':'资助困难群众参保',"
                              "'weight':10,'target':'≥20户','actual':'24户'}]}");
        json_t *a = cross(wide, p), *b = cross(p, wide);
        CHECK_INT(json_array_size(a), 1);
        CHECK_INT(json_array_size(b), 1);
        CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "code")), "CROSS_TABLE_MISMATCH");
        CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "pointer")), "/indicators/0/actual");
        CHECK_STR(json_string_value(json_object_get(json_array_get(b, 0), "pointer")), "/indicators/0/actual");
        CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "severity")), "warning");
        const char *msg = json_string_value(json_object_get(json_array_get(a, 0), "message"));
        CHECK(msg && strstr(msg, "27户") && strstr(msg, "24户"));
        json_decref(a);
        json_decref(b);
        jx_document_free(p);
    }

    jt_case("consistent at the written precision: 2.92万人次 and 29189人次 agree");
    {
        jx_document *p = load("{'scope':'project','name':'医疗救助','indicators':["
                              "{'level1':'产出指标','level2':'数量指标','name':'住院救助人次数',"
                              "'weight':10,'target':'≥20000人次','actual':'29189人次'},"
                              "{'level1':'产出指标','level2':'成本指标','name':'救助资金',"
                              "'weight':10,'target':'≤1200万元','actual':'10989300元'}]}");
        json_t *a = cross(wide, p), *b = cross(p, wide);
        CHECK_INT(json_array_size(a), 0);
        CHECK_INT(json_array_size(b), 0);
        json_decref(a);
        json_decref(b);
        jx_document_free(p);
    }

    jt_case("names differ after normalisation, or units are incompatible: not the same indicator");
    {
        jx_document *p = load("{'scope':'project','name':'x','indicators':["
                              "{'level1':'产出指标','level2':'数量指标','name':'资助困难群众参保人数',"
                              "'weight':10,'target':'≥20人','actual':'24人'},"
                              "{'level1':'产出指标','level2':'数量指标','name':'门诊救助人次',"
                              "'weight':10,'target':'≥20人次','actual':'5人次'}]}");
        json_t *a = cross(wide, p);
        /* 资助困难群众参保(人数) matches by name but 人 and 户 are different units */
        CHECK_INT(json_array_size(a), 0);
        json_decref(a);
        jx_document_free(p);
    }

    jt_case("full-width, spaces and punctuation in names do not matter");
    {
        jx_document *p = load("{'scope':'project','name':'x','indicators':["
                              "{'level1':'产出指标','level2':'数量指标','name':'资助 困难群众“参保”户数',"
                              "'weight':10,'target':'≥20户','actual':'２５户'}]}");
        json_t *a = cross(p, wide);
        CHECK_INT(json_array_size(a), 1);
        json_decref(a);
        jx_document_free(p);
    }

    jt_case("amounts as written: a plan's 782,957.64 and a project's 78.3万元");
    CHECK_INT(jx_amounts_consistent("782,957.64", "78.3万元"), 1);
    CHECK_INT(jx_amounts_consistent("736,151.84", "73.62万元"), 1);
    CHECK_INT(jx_amounts_consistent("550000.00", "55万元"), 1);
    CHECK_INT(jx_amounts_consistent("550000.00", "56万元"), 0);
    CHECK_INT(jx_amounts_consistent("11029.86", "11029.87"), 0);
    CHECK_INT(jx_amounts_consistent("大于三十", "1元"), -1);
    CHECK_INT(jx_amounts_consistent("90%", "1元"), -1);

    jt_case("document facts");
    CHECK_STR(jx_document_scope(wide), "department_wide");
    CHECK_STR(jx_document_framework(wide), "department-wide-2013");
    CHECK_INT(jx_document_year(wide), 0);

    jx_document_free(wide);
    jx_ctx_free(ctx);
    return jt_finish("test_cross");
}
