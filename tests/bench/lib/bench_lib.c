/*
 * bench_lib: throughput of the scoring library (operations.md, performance).
 *
 *   bench_lib [--mode all|score|json] [--seconds S] [--iterations N]
 *             [--json-iterations N] [--emit FILE]
 *
 * Builds a 20-indicator project document in the seed reports' shapes, then
 *   score: jx_score on the loaded document in a loop -> indicators scored/s
 *   json:  jx_score_json on the serialised document, then free -> MB/s of input
 * --iterations N runs exactly N jx_score calls and prints nothing timed (for
 * callgrind); --json-iterations N the same with N jx_score_json calls (the
 * whole JSON path: read, score, write); --emit FILE writes the document (one
 * line) and exits.
 * Output lines are "key value" so run.sh can read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "jixiao.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ind {
    const char *level1, *level2, *name;
    int weight;
    const char *target, *actual;
    double reported; /* < 0: none */
    const char *reason;
};

/* 20 indicators: 产出 50 (12), 效益 30 (6), 满意度 10 (2), execution 10. */
static const struct ind inds[] = {
    {"产出指标", "数量指标", "开展打击欺诈骗保专项行动次数", 5, "≥30次", "32次", 5, NULL},
    {"产出指标", "数量指标", "员工业务提升培训次数", 5, "≥20次", "18次", 4.5, "疫情影响培训延期"},
    {"产出指标", "数量指标", "保障大学生住院诊疗人次", 5, "2000人次", "2000人次", 5, NULL},
    {"产出指标", "数量指标", "参保人数", 4, "=184423人", "184423人", 4, NULL},
    {"产出指标", "数量指标", "宣传活动场次", 4, "不低于5场次", "6场次", 4, NULL},
    {"产出指标", "质量指标", "定点医药机构检查覆盖率", 4, "100%", "100%", 4, NULL},
    {"产出指标", "质量指标", "基金监管合规率", 4, "≥95%", "93.5%", 3.94, "部分机构整改中"},
    {"产出指标", "质量指标", "系统运行正常率", 4, "≥ 90%", "≥ 90%", 4, NULL},
    {"产出指标", "时效指标", "平均备案时间", 4, "≤1个工作日", "1个工作日", 4, NULL},
    {"产出指标", "时效指标", "相关活动完成时间", 4, "2022年度完成", "年底前已完成", 4, NULL},
    {"产出指标", "成本指标", "项目总成本", 4, "≤90万元", "73.63万元", 3.27, NULL},
    {"产出指标", "成本指标", "单次培训成本", 3, "≤1.5万元", "1.2万元", 3, NULL},
    {"效益指标", "社会效益指标", "营造社会打击欺诈骗保氛围", 5, "显著提高", "显著提高", 5, NULL},
    {"效益指标", "社会效益指标", "节省参保人员业务办理时间", 5, "显著提高", "有所提高", 4, NULL},
    {"效益指标", "社会效益指标", "因病致贫率", 5, "≤3%", "2.5%", 5, NULL},
    {"效益指标", "可持续影响指标", "定点医药机构规范使用医保基金态势", 5, "持续影响", "持续影响", 5,
     NULL},
    {"效益指标", "可持续影响指标", "长效机制建设", 5, "达成", "部分达成", 3.5, "制度尚在完善"},
    {"效益指标", "经济效益指标", "追回医保基金", 5, "≥500万元", "5.45万元", 0.05, NULL},
    {"满意度指标", "服务对象满意度指标", "医疗机构满意度", 5, "≥90%", "95%", 5, NULL},
    {"满意度指标", "服务对象满意度指标", "参保群众满意度", 5, "90%以上", "92%", 5, NULL},
};
#define NIND (sizeof inds / sizeof *inds)

static char *build_document(void)
{
    json_t *doc = json_object(), *arr = json_array(), *budget = json_object();
    json_t *breakdown = json_array(), *reported = json_object();
    size_t i;
    char *text;
    static const char *const items[][2] = {{"办公费", "1.65万元"}, {"印刷费", "3.78万元"},
                                           {"差旅费", "7.82万元"}, {"专用材料费", "20万元"},
                                           {"委托业务费", "32.5万元"}, {"其他", "7.87万元"}};
    json_object_set_new(doc, "scope", json_string("project"));
    json_object_set_new(doc, "framework", json_string("project-2020"));
    json_object_set_new(doc, "name", json_string("医疗保障基金安全监管"));
    json_object_set_new(doc, "org", json_string("宿州市医疗保障局"));
    json_object_set_new(doc, "year", json_integer(2022));
    json_object_set_new(budget, "initial", json_string("90万元"));
    json_object_set_new(budget, "cuts", json_string("3.34万元"));
    json_object_set_new(budget, "adjusted", json_string("86.66万元"));
    json_object_set_new(budget, "executed", json_string("73.62万元"));
    json_object_set_new(budget, "balance", json_string("13.04万元"));
    json_object_set_new(budget, "reported_execution_rate", json_string("84.95%"));
    for (i = 0; i < sizeof items / sizeof *items; i++) {
        json_t *b = json_object();
        json_object_set_new(b, "item", json_string(items[i][0]));
        json_object_set_new(b, "amount", json_string(items[i][1]));
        json_array_append_new(breakdown, b);
    }
    json_object_set_new(budget, "breakdown", breakdown);
    json_object_set_new(doc, "budget", budget);
    for (i = 0; i < NIND; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "level1", json_string(inds[i].level1));
        json_object_set_new(o, "level2", json_string(inds[i].level2));
        json_object_set_new(o, "name", json_string(inds[i].name));
        json_object_set_new(o, "weight", json_integer(inds[i].weight));
        json_object_set_new(o, "target", json_string(inds[i].target));
        json_object_set_new(o, "actual", json_string(inds[i].actual));
        if (inds[i].reported >= 0)
            json_object_set_new(o, "reported_score", json_real(inds[i].reported));
        if (inds[i].reason)
            json_object_set_new(o, "deviation_reason", json_string(inds[i].reason));
        json_array_append_new(arr, o);
    }
    json_object_set_new(doc, "indicators", arr);
    json_object_set_new(reported, "total", json_real(97.2));
    json_object_set_new(reported, "grade", json_string("优"));
    json_object_set_new(doc, "reported", reported);
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* One document through the whole JSON path; false when it does not score. */
static int json_once(const jx_ctx *ctx, const char *text, size_t len)
{
    char *out = NULL;
    size_t outlen = 0;
    jx_errors e2;
    if (jx_score_json(ctx, text, len, &out, &outlen, &e2) != JX_OK)
        return 0;
    free(out);
    return 1;
}

static void usage(void)
{
    fputs("usage: bench_lib [--mode all|score|json] [--seconds S] [--iterations N] "
          "[--json-iterations N] [--emit FILE]\n", stderr);
}

int main(int argc, char **argv)
{
    const char *mode = "all", *emit = NULL;
    double seconds = 2.0;
    long iterations = -1, json_iterations = -1;
    int i;
    char *text;
    size_t len;
    jx_ctx *ctx;
    jx_errors errs;
    jx_document *doc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            mode = argv[++i];
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
            iterations = atol(argv[++i]);
        else if (strcmp(argv[i], "--json-iterations") == 0 && i + 1 < argc)
            json_iterations = atol(argv[++i]);
        else if (strcmp(argv[i], "--emit") == 0 && i + 1 < argc)
            emit = argv[++i];
        else {
            usage();
            return 2;
        }
    }

    text = build_document();
    len = strlen(text);
    if (emit) {
        FILE *f = fopen(emit, "w");
        if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
            perror(emit);
            return 1;
        }
        free(text);
        return 0;
    }

    ctx = jx_ctx_new();
    jx_errors_clear(&errs);
    doc = ctx ? jx_document_load(ctx, text, len, &errs) : NULL;
    if (!doc) {
        size_t k;
        fprintf(stderr, "bench_lib: the benchmark document does not load (status %d)\n",
                (int)errs.status);
        for (k = 0; k < errs.count && k < JX_MAX_ERRORS; k++)
            fprintf(stderr, "  %s %s: %s\n", errs.items[k].code, errs.items[k].pointer,
                    errs.items[k].message);
        return 1;
    }

    if (json_iterations >= 0) {
        long n;
        for (n = 0; n < json_iterations; n++)
            if (!json_once(ctx, text, len))
                return 1;
        printf("json_iterations %ld\njson_document_bytes %zu\n", json_iterations, len);
    } else if (iterations >= 0) {
        long n;
        for (n = 0; n < iterations; n++) {
            jx_result *res = jx_score(doc);
            if (!res)
                return 1;
            jx_result_free(res);
        }
        printf("iterations %ld\nindicators %ld\n", iterations, iterations * (long)NIND);
    } else {
        if (strcmp(mode, "all") == 0 || strcmp(mode, "score") == 0) {
            long n = 0;
            double t0 = now(), t;
            jx_result *res = jx_score(doc);
            printf("document_indicators %zu\n", (size_t)NIND);
            if (res) {
                printf("document_total %.2f\n", (double)jx_result_total(res) / 100.0);
                printf("document_findings %zu\n", jx_result_finding_count(res));
                jx_result_free(res);
            }
            t0 = now();
            do {
                int k;
                for (k = 0; k < 256; k++) {
                    res = jx_score(doc);
                    if (!res)
                        return 1;
                    jx_result_free(res);
                }
                n += 256;
                t = now() - t0;
            } while (t < seconds);
            printf("score_calls %ld\nscore_seconds %.3f\n", n, t);
            printf("indicators_per_second %.0f\n", (double)n * (double)NIND / t);
        }
        if (strcmp(mode, "all") == 0 || strcmp(mode, "json") == 0) {
            long n = 0;
            double t0 = now(), t;
            do {
                int k;
                for (k = 0; k < 16; k++)
                    if (!json_once(ctx, text, len))
                        return 1;
                n += 16;
                t = now() - t0;
            } while (t < seconds);
            printf("json_document_bytes %zu\njson_calls %ld\njson_seconds %.3f\n", len, n, t);
            printf("json_mb_per_second %.2f\n", (double)n * (double)len / t / 1e6);
        }
    }
    jx_document_free(doc);
    jx_ctx_free(ctx);
    free(text);
    return 0;
}
