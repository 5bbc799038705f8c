/*
 * bench_office -- 自评表 read from a .docx and scored, against the same
 * documents as JSON through the same library calls, in one run
 * (tests/bench/office/run.sh prints the ratio).
 *
 *   bench_office FILE.docx|FILE.xlsx DOCS.jsonl SECONDS
 *
 * Office: jx_office_read, then for each table jx_office_dumps,
 * jx_document_load, jx_score.  JSON: jx_document_load, jx_score for each
 * line.  Rounds alternate (office, JSON) and each side keeps its best
 * round: other load on a shared machine only slows a round down.
 * A second baseline: the bare container and XML work of the same file --
 * libzip inflating every xl/ or word/ part, expat parsing it with no
 * handlers -- which no reader of the file can avoid.
 * Prints "office_docs_per_second N", "json_docs_per_second N",
 * "bare_files_per_second N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>
#include <zip.h>

#include "jixiao.h"
#include "office.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static size_t score_office(const jx_ctx *ctx, const char *data, size_t len)
{
    json_t *out = NULL, *t;
    jx_office_error err;
    size_t i, n = 0;
    if (jx_office_read(data, len, NULL, &out, &err) != JX_OFFICE_OK) {
        fprintf(stderr, "bench_office: %s\n", err.message);
        exit(1);
    }
    json_array_foreach(json_object_get(out, "tables"), i, t) {
        json_t *doc = json_object_get(t, "document");
        if (!doc)
            continue;
        char *text = jx_office_dumps(doc);
        jx_errors errs;
        jx_document *d = jx_document_load(ctx, text, strlen(text), &errs);
        if (!d) {
            fprintf(stderr, "bench_office: table %zu: %s\n", i, errs.items[0].message);
            exit(1);
        }
        jx_result_free(jx_score(d));
        jx_document_free(d);
        free(text);
        n++;
    }
    json_decref(out);
    return n;
}

static size_t score_json(const jx_ctx *ctx, char **lines, size_t nlines)
{
    for (size_t i = 0; i < nlines; i++) {
        jx_errors errs;
        jx_document *d = jx_document_load(ctx, lines[i], strlen(lines[i]), &errs);
        if (!d) {
            fprintf(stderr, "bench_office: line %zu: %s\n", i + 1, errs.items[0].message);
            exit(1);
        }
        jx_result_free(jx_score(d));
        jx_document_free(d);
    }
    return nlines;
}

/* libzip + expat over every xl/ or word/ XML part, no handlers */
static void bare_read(const char *data, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    static char buf[65536];
    if (!za) {
        fprintf(stderr, "bench_office: bare read cannot open the file\n");
        exit(1);
    }
    for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
        const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
        size_t n = name ? strlen(name) : 0;
        if (n < 4 || strcmp(name + n - 4, ".xml") != 0 ||
            (strncmp(name, "xl/", 3) != 0 && strcmp(name, "word/document.xml") != 0))
            continue;
        zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)i, 0);
        XML_Parser p = XML_ParserCreate(NULL);
        zip_int64_t got;
        while (f && (got = zip_fread(f, buf, sizeof buf)) > 0)
            XML_Parse(p, buf, (int)got, 0);
        XML_Parse(p, buf, 0, 1);
        XML_ParserFree(p);
        if (f)
            zip_fclose(f);
    }
    zip_discard(za);
    zip_error_fini(&ze);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_office FILE.docx DOCS.jsonl SECONDS\n");
        return 2;
    }
    size_t flen, jlen, nlines = 0;
    char *file = slurp(argv[1], &flen), *jsonl = slurp(argv[2], &jlen);
    double secs = atof(argv[3]);
    if (!file || !jsonl) {
        fprintf(stderr, "bench_office: cannot read the inputs\n");
        return 1;
    }
    char **lines = calloc(jlen / 2 + 2, sizeof *lines);
    for (char *p = strtok(jsonl, "\n"); p; p = strtok(NULL, "\n"))
        lines[nlines++] = p;
    jx_ctx *ctx = jx_ctx_new();
    double best_o = 0, best_j = 0, best_b = 0;
    for (int round = 0; round < 3; round++) {
        size_t n = 0;
        double t0 = now(), t;
        while ((t = now()) - t0 < secs / 9)
            n += score_office(ctx, file, flen);
        if ((double)n / (t - t0) > best_o)
            best_o = (double)n / (t - t0);
        n = 0;
        t0 = now();
        while ((t = now()) - t0 < secs / 9)
            n += score_json(ctx, lines, nlines);
        if ((double)n / (t - t0) > best_j)
            best_j = (double)n / (t - t0);
        n = 0;
        t0 = now();
        while ((t = now()) - t0 < secs / 9) {
            bare_read(file, flen);
            n++;
        }
        if ((double)n / (t - t0) > best_b)
            best_b = (double)n / (t - t0);
    }
    printf("tables_per_file %zu\n", score_office(ctx, file, flen));
    printf("office_docs_per_second %.0f\n", best_o);
    printf("json_docs_per_second %.0f\n", best_j);
    printf("bare_files_per_second %.1f\n", best_b);
    jx_ctx_free(ctx);
    free(lines);
    free(file);
    free(jsonl);
    return 0;
}
