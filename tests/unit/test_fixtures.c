/*
 * test_fixtures: every ../shared/fixtures/NNN-*.json through jx_score_json,
 * each key of "expect" checked as fixtures/README.md defines it.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"

/* Compares a result number with an expected JSON number at `places`
 * decimals; expected null means the result must be null. */
static int same_number(const json_t *got, const json_t *want, int places, char *why,
                       size_t whysz, const char *what)
{
    double f = places == 4 ? 10000.0 : 100.0;
    if (json_is_null(want)) {
        if (got && json_is_null(got))
            return 1;
        snprintf(why, whysz, "%s: got %s, want null", what,
                 json_is_number(got) ? "a number" : "nothing");
        return 0;
    }
    if (!json_is_number(got)) {
        snprintf(why, whysz, "%s: got %s, want %.*f", what, got ? "a non-number" : "nothing",
                 places, json_number_value(want));
        return 0;
    }
    if (llround(json_number_value(got) * f) != llround(json_number_value(want) * f)) {
        snprintf(why, whysz, "%s: got %.*f, want %.*f", what, places + 2,
                 json_number_value(got), places, json_number_value(want));
        return 0;
    }
    return 1;
}

/* Bipartite matching of expected [code, pointer] pairs to findings. */
static int try_match(const json_t *want, const json_t *fs, size_t w, int *owner, int *seen)
{
    size_t j;
    const char *code = json_string_value(json_array_get(json_array_get(want, w), 0));
    const char *ptr = json_string_value(json_array_get(json_array_get(want, w), 1));
    for (j = 0; j < json_array_size(fs); j++) {
        json_t *f = json_array_get(fs, j);
        const char *c = json_string_value(json_object_get(f, "code"));
        const char *p = json_string_value(json_object_get(f, "pointer"));
        if (seen[j] || !c || !code || strcmp(c, code) != 0 || !jt_ptr_match(p ? p : "", ptr ? ptr : ""))
            continue;
        seen[j] = 1;
        if (owner[j] < 0 || try_match(want, fs, (size_t)owner[j], owner, seen)) {
            owner[j] = (int)w;
            return 1;
        }
    }
    return 0;
}

/* Matches each pair of `want` to a distinct finding; returns how many pairs
 * were left unmatched and fills owner[] (finding -> pair or -1). */
static size_t match_pairs(const json_t *want, const json_t *fs, int *owner)
{
    size_t w, j, missing = 0, nf = json_array_size(fs);
    int *seen = calloc(nf + 1, sizeof *seen);
    for (j = 0; j < nf; j++)
        owner[j] = -1;
    for (w = 0; w < json_array_size(want); w++) {
        memset(seen, 0, (nf + 1) * sizeof *seen);
        if (!try_match(want, fs, w, owner, seen))
            missing++;
    }
    free(seen);
    return missing;
}

static void append(char *buf, size_t sz, const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(buf);
    if (n + 1 < sz)
        snprintf(buf + n, sz - n, fmt, a, b);
}

static int pair_matched(const int *owner, size_t nf, size_t w)
{
    size_t j;
    for (j = 0; j < nf; j++)
        if (owner[j] == (int)w)
            return 1;
    return 0;
}

static int check_fixture(const jx_ctx *ctx, const char *dir, const char *name)
{
    char path[4096], why[4096];
    size_t len;
    char *text;
    json_t *fx, *doc, *expect, *res, *v;
    json_error_t e;
    jt_run run;
    int ok = 1;
    const char *key;
    json_t *want;

    why[0] = '\0';
    snprintf(path, sizeof path, "%s/fixtures/%s", dir, name);
    jt_case("%s", name);
    text = jt_read_file(path, &len);
    if (!text) {
        FAIL("cannot read %s", path);
        return 0;
    }
    fx = json_loadb(text, len, 0, &e);
    free(text);
    if (!fx) {
        FAIL("fixture is not JSON: %s", e.text);
        return 0;
    }
    doc = json_object_get(fx, "document");
    expect = json_object_get(fx, "expect");
    if (!doc || !json_is_object(expect)) {
        FAIL("fixture lacks document or expect");
        json_decref(fx);
        return 0;
    }
    jt_score(ctx, doc, &run);
    if (!EXPECT_SCORED(&run)) {
        printf("%-50s FAIL (not scored)\n", name);
        jt_run_free(&run);
        json_decref(fx);
        return 0;
    }
    res = run.res;

    json_object_foreach(expect, key, want) {
        char one[1024];
        one[0] = '\0';
        if (strcmp(key, "total") == 0 || strcmp(key, "max") == 0) {
            if (!same_number(json_object_get(res, key), want, 2, one, sizeof one, key))
                ok = 0;
        } else if (strcmp(key, "grade") == 0) {
            const char *g = json_string_value(json_object_get(res, "grade"));
            if (!g || !json_is_string(want) || strcmp(g, json_string_value(want)) != 0) {
                snprintf(one, sizeof one, "grade: got %s, want %s", g ? g : "(none)",
                         json_string_value(want));
                ok = 0;
            }
        } else if (strcmp(key, "execution") == 0) {
            json_t *ex = json_object_get(res, "execution");
            const char *k2;
            json_t *w2;
            json_object_foreach(want, k2, w2) {
                char what[64];
                snprintf(what, sizeof what, "execution.%s", k2);
                if (!same_number(json_object_get(ex, k2), w2, strcmp(k2, "rate") == 0 ? 4 : 2,
                                 one + strlen(one), sizeof one - strlen(one), what)) {
                    ok = 0;
                    append(one, sizeof one, "%s%s", "; ", "");
                }
            }
        } else if (strcmp(key, "indicator_scores") == 0) {
            json_t *inds = json_object_get(res, "indicators");
            size_t i;
            if (json_array_size(inds) != json_array_size(want)) {
                snprintf(one, sizeof one, "indicator_scores: %zu indicators, want %zu",
                         json_array_size(inds), json_array_size(want));
                ok = 0;
            }
            for (i = 0; i < json_array_size(want) && i < json_array_size(inds); i++) {
                char what[64];
                snprintf(what, sizeof what, "indicators[%zu].score", i);
                if (!same_number(json_object_get(json_array_get(inds, i), "score"),
                                 json_array_get(want, i), 2, one + strlen(one),
                                 sizeof one - strlen(one), what)) {
                    ok = 0;
                    append(one, sizeof one, "%s%s", "; ", "");
                }
            }
        } else if (strcmp(key, "findings") == 0 || strcmp(key, "findings_include") == 0) {
            json_t *fs = json_object_get(res, "findings");
            size_t nf = json_array_size(fs), j, w;
            int *owner = calloc(nf + 1, sizeof *owner);
            size_t missing = match_pairs(want, fs, owner);
            if (missing) {
                ok = 0;
                append(one, sizeof one, "%s%s", key, ": missing");
                for (w = 0; w < json_array_size(want); w++)
                    if (!pair_matched(owner, nf, w))
                        append(one, sizeof one, " [%s %s]",
                               json_string_value(json_array_get(json_array_get(want, w), 0)),
                               json_string_value(json_array_get(json_array_get(want, w), 1)));
            }
            if (strcmp(key, "findings") == 0) {
                int extra = 0;
                for (j = 0; j < nf; j++)
                    if (owner[j] < 0) {
                        json_t *f = json_array_get(fs, j);
                        if (!extra)
                            append(one, sizeof one, "%s%s", missing ? "; " : "",
                                   "findings: unexpected");
                        extra = 1;
                        append(one, sizeof one, " [%s %s]",
                               json_string_value(json_object_get(f, "code")),
                               json_string_value(json_object_get(f, "pointer")));
                    }
                if (extra)
                    ok = 0;
            }
            free(owner);
        } else if (strcmp(key, "findings_exclude") == 0) {
            size_t w;
            for (w = 0; w < json_array_size(want); w++) {
                const char *code = json_string_value(json_array_get(json_array_get(want, w), 0));
                const char *ptr = json_string_value(json_array_get(json_array_get(want, w), 1));
                if (code && jt_count(res, code, ptr ? ptr : "") > 0) {
                    ok = 0;
                    append(one, sizeof one, "findings_exclude: present [%s %s]", code,
                           ptr ? ptr : "");
                }
            }
        } else {
            snprintf(one, sizeof one, "unknown expect key '%s' (fixtures/README.md)", key);
            ok = 0;
        }
        if (one[0]) {
            size_t n = strlen(why);
            snprintf(why + n, sizeof why - n, "\n    %s", one);
        }
    }

    v = json_object_get(res, "findings");
    jt_checks++;
    if (ok) {
        printf("%-50s PASS\n", name);
    } else {
        jt_failures++;
        printf("%-50s FAIL%s\n", name, why);
        jt_print_findings(res);
    }
    (void)v;
    jt_run_free(&run);
    json_decref(fx);
    return ok;
}

int main(int argc, char **argv)
{
    const char *shared = jt_shared_dir(argc, argv);
    char dir[4096];
    char **names;
    size_t n, i;
    int passed = 0;
    jx_ctx *ctx = jx_ctx_new();
    if (!ctx) {
        fprintf(stderr, "jx_ctx_new failed\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/fixtures", shared);
    n = jt_list_fixtures(dir, &names);
    jt_case("fixture list");
    if (!CHECK(n > 0))
        fprintf(stderr, "no NNN-*.json fixtures found in %s (set JX_SHARED)\n", dir);
    for (i = 0; i < n; i++)
        passed += check_fixture(ctx, shared, names[i]);
    printf("fixtures: %d of %zu passed\n", passed, n);
    jt_free_list(names, n);
#ifdef JX_OWN_FIXTURES
    /* the library's own fixture-style cases (scoring.md §8), same format */
    snprintf(dir, sizeof dir, "%s/fixtures", JX_OWN_FIXTURES);
    n = jt_list_fixtures(dir, &names);
    jt_case("own fixture list");
    CHECK(n > 0);
    passed = 0;
    for (i = 0; i < n; i++)
        passed += check_fixture(ctx, JX_OWN_FIXTURES, names[i]);
    printf("own fixtures: %d of %zu passed\n", passed, n);
    jt_free_list(names, n);
#endif
    jx_ctx_free(ctx);
    return jt_finish("test_fixtures");
}
