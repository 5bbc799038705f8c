/*
 * lib/report/cli.c -- jixiao-report: render a report model from the command line.
 *
 *   jixiao-report --format json|html|md|csv|xlsx|pdf [MODEL.json] > report
 *
 * Design.  A thin driver over jx_report_render(), so that the renderers can
 * be run, tested and fuzzed without the server or a database: it reads the
 * model (docs/reports.md) from MODEL.json or standard input, renders it and
 * writes the bytes to standard output unchanged (xlsx and pdf are binary).
 * Exit status: 0 written, 1 the model could not be read or rendered (the
 * message, Chinese then English, on standard error), 2 bad usage.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("用法 usage: jixiao-report --format json|html|md|csv|xlsx|pdf [MODEL.json]\n"
          "  读取报告模型（文件或标准输入），输出报告。\n"
          "  Reads a report model (docs/reports.md) from MODEL.json or stdin and\n"
          "  writes the report to stdout.\n"
          "退出码 exit: 0 已输出 written, 1 模型无效或无法生成 invalid model or render error,\n"
          "             2 用法错误 bad usage, 3 报告超出该格式的容量 too large for the format\n",
          f);
}

int main(int argc, char **argv)
{
    const char *format = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
            format = argv[++i];
        else if (strncmp(argv[i], "--format=", 9) == 0)
            format = argv[i] + 9;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "未知选项 '%s' (unknown option)\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!file)
            file = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!format || !jx_report_extension(format)) {
        fprintf(stderr, "需要 --format json|html|md|csv|xlsx|pdf (a known --format is required)\n");
        usage(stderr);
        return 2;
    }
    json_error_t je;
    json_t *model = file && strcmp(file, "-") != 0 ? json_load_file(file, 0, &je)
                                                   : json_loadf(stdin, 0, &je);
    if (!model) {
        fprintf(stderr, "模型 JSON 无法解析：第 %d 行第 %d 列：%s (model is not valid JSON)\n",
                je.line, je.column, je.text);
        return 1;
    }
    char *out = NULL, err[512];
    size_t len = 0;
    const char *ct = NULL;
    int rc = jx_report_render(model, format, &out, &len, &ct, err, sizeof err);
    json_decref(model);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
        return rc == JX_REPORT_TOO_LARGE ? 3 : 1;
    }
    size_t w = fwrite(out, 1, len, stdout);
    free(out);
    if (w != len || fflush(stdout) != 0) {
        fprintf(stderr, "写出失败 (write error)\n");
        return 1;
    }
    return 0;
}
