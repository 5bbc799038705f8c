/*
 * jixiao-score -- the scoring library on the command line.
 *
 *   jixiao-score [--framework ID|FILE] [--format json|table] [FILE]
 *
 * Reads a scoring document (scoring.md §7) from FILE or standard input and
 * prints the result JSON, or the score table (评分情况表) as text.  An .xlsx
 * or .docx (recognised by its content) is read by lib/office instead: every
 * 自评表 in it is scored and the results come as a JSON array, each with the
 * name it read (office_input.c).
 * Exit status: 0 scored, 1 a document it cannot score, 2 bad usage; the
 * reason goes to standard error.
 */
#include "jixiao.h"
#include "office_input.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64u << 20)

static void usage(FILE *f)
{
    fputs("用法 usage: jixiao-score [--framework ID|FILE] [--format json|table] [FILE]\n"
          "  读取评分文档（FILE 或标准输入），输出评分结果。\n"
          "  Scores a document from FILE or stdin and prints the result.\n"
          "  FILE 也可以是 .xlsx 或 .docx：每张自评表一个结果（JSON 数组）。\n"
          "  FILE may be an .xlsx or .docx: one result per 自评表 (a JSON array).\n"
          "  --framework ID|FILE  评价框架 framework (built-in id or JSON file)\n"
          "  --format json   结果 JSON（默认） result JSON (default)\n"
          "  --format table  评分情况表 score table as text\n"
          "  --template      空白自评表 .xlsx 写到标准输出 the blank 自评表 .xlsx on stdout\n"
          "  --format documents  .xlsx/.docx 读出的文档（不评分） the documents as read\n"
          "  --version       版本 version\n"
          "退出码 exit: 0 已评分 scored, 1 无法评分 cannot score, 2 用法错误 bad usage\n",
          f);
}

static char *read_all(FILE *in, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_INPUT) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    const char *file = NULL, *format = "json", *framework = NULL;
    int template = 0;
    int rc = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
            format = argv[++i];
        else if (strncmp(argv[i], "--format=", 9) == 0)
            format = argv[i] + 9;
        else if (strcmp(argv[i], "--template") == 0)
            template = 1;
        else if (strcmp(argv[i], "--framework") == 0 && i + 1 < argc)
            framework = argv[++i];
        else if (strncmp(argv[i], "--framework=", 12) == 0)
            framework = argv[i] + 12;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("jixiao-score %s\n", JX_VERSION);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "jixiao-score: 未知选项 '%s' (unknown option)\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!file)
            file = argv[i];
        else {
            fprintf(stderr, "jixiao-score: 只接受一个文件 (one file at most)\n");
            return 2;
        }
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0 &&
        strcmp(format, "documents") != 0) {
        fprintf(stderr, "jixiao-score: --format 只能是 json 或 table，而非 '%s' (unknown format)\n",
                format);
        return 2;
    }
    if (template)
        return jx_cli_template(framework);
    FILE *in = stdin;
    if (file && strcmp(file, "-") != 0) {
        in = fopen(file, "rb");
        if (!in) {
            fprintf(stderr, "jixiao-score: 无法打开 '%s': %s (cannot open file)\n", file,
                    strerror(errno));
            return 2;
        }
    }
    size_t len = 0;
    char *text = read_all(in, &len);
    if (in != stdin)
        fclose(in);
    jx_ctx *ctx = NULL;
    jx_document *doc = NULL;
    jx_result *res = NULL;
    char *out = NULL;
    if (!text) {
        fprintf(stderr, "jixiao-score: 读取输入失败: %s (cannot read input)\n", strerror(errno));
        goto out;
    }
    if (jx_cli_is_office(text, len)) {
        rc = jx_cli_score_office(file ? file : "<stdin>", text, len, framework, format);
        goto out;
    }
    if (framework) {
        size_t nlen = 0;
        char *ntext = jx_cli_with_framework(text, len, framework, &nlen);
        if (!ntext)
            goto out;
        free(text);
        text = ntext;
        len = nlen;
    }
    ctx = jx_ctx_new();
    if (!ctx) {
        fprintf(stderr, "jixiao-score: 内存不足 (out of memory)\n");
        goto out;
    }
    jx_errors errs;
    doc = jx_document_load(ctx, text, len, &errs);
    if (!doc) {
        for (size_t i = 0; i < errs.count && i < JX_MAX_ERRORS; i++) {
            const jx_error *e = &errs.items[i];
            if (e->line)
                fprintf(stderr, "%s:%d:%d: %s\n", file ? file : "<stdin>", e->line, e->column,
                        e->message);
            else
                fprintf(stderr, "%s: %s: %s [%s]\n", file ? file : "<stdin>",
                        e->pointer[0] ? e->pointer : "/", e->message, e->code);
        }
        if (errs.count > JX_MAX_ERRORS)
            fprintf(stderr, "……另有 %zu 个问题 (%zu more)\n", errs.count - JX_MAX_ERRORS,
                    errs.count - JX_MAX_ERRORS);
        goto out;
    }
    res = jx_score(doc);
    if (res)
        out = strcmp(format, "table") == 0 ? jx_result_table(res) : jx_result_json(res, NULL);
    if (!out) {
        fprintf(stderr, "jixiao-score: 内存不足 (out of memory)\n");
        goto out;
    }
    fputs(out, stdout);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    free(out);
    jx_result_free(res);
    jx_document_free(doc);
    jx_ctx_free(ctx);
    free(text);
    return rc;
}
