/*
 * libloop.c -- the scoring library alone, in-process: how many times per
 * second one thread runs jx_score_json on a document.  Gives the ceiling
 * the HTTP figure for POST /v1/score can be read against (the server can
 * at best reach this times the number of cores it gets).
 *
 *   libloop FILE [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jixiao.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static char buf[1 << 20];
    double secs = argc > 2 ? atof(argv[2]) : 2.0, t0, t;
    jx_ctx *ctx = jx_ctx_new();
    FILE *f;
    size_t len;
    long n = 0;

    if (argc < 2 || !ctx || !(f = fopen(argv[1], "rb")))
        return fprintf(stderr, "usage: libloop FILE [SECONDS]\n"), 2;
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    t0 = now();
    do {
        jx_errors errs;
        char *out = NULL;
        size_t outlen;

        jx_errors_clear(&errs);
        if (jx_score_json(ctx, buf, len, &out, &outlen, &errs) != JX_OK)
            return fprintf(stderr, "libloop: document not scored\n"), 1;
        free(out);
        n++;
        t = now() - t0;
    } while (t < secs);
    printf("%.0f %.1f\n", (double)n / t, t / (double)n * 1e6); /* docs/s, us/doc */
    jx_ctx_free(ctx);
    return 0;
}
