/*
 * jxtest.h -- a tiny assertion and helper kit for the jixiao unit tests.
 *
 * Only the public header of the library is used.  Every failed check prints
 * file:line, the current case name and both values, and the test keeps going;
 * jt_finish() prints a summary and returns the process exit status.
 */
#ifndef JXTEST_H
#define JXTEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "jixiao.h"

extern int jt_checks;
extern int jt_failures;

/* Names the case being checked (printed with every failure). */
void jt_case(const char *fmt, ...);
const char *jt_current_case(void);

void jt_fail(const char *file, int line, const char *fmt, ...);
int jt_check(int ok, const char *file, int line, const char *expr);
int jt_check_ll(long long a, long long b, const char *file, int line,
                const char *ea, const char *eb);
int jt_check_str(const char *a, const char *b, const char *file, int line,
                 const char *ea, const char *eb);

#define CHECK(c) jt_check(!!(c), __FILE__, __LINE__, #c)
#define CHECK_INT(a, b) jt_check_ll((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)
#define CHECK_STR(a, b) jt_check_str((a), (b), __FILE__, __LINE__, #a, #b)
#define FAIL(...) jt_fail(__FILE__, __LINE__, __VA_ARGS__)

/* Prints "N checks, M failed" and returns 0 or 1 for main(). */
int jt_finish(const char *suite);

/* ---- files and the shared folder ------------------------------------------ */

/* argv[1], else $JX_SHARED, else "../shared". */
const char *jt_shared_dir(int argc, char **argv);
/* Reads a whole file (NUL-terminated, *len without it).  NULL on error. */
char *jt_read_file(const char *path, size_t *len);
/* Sorted list of the names in dir matching NNN-*.json; returns the count. */
size_t jt_list_fixtures(const char *dir, char ***names);
void jt_free_list(char **names, size_t n);

/* ---- JSON ----------------------------------------------------------------- */

/* Parses JSON written with ' for " (so documents read well in C source).
 * Aborts on a parse error: that is a bug in the test. */
json_t *jt_j(const char *single_quoted);
/* Value at a JSON pointer ("" = root), borrowed; NULL when absent. */
json_t *jt_get(json_t *root, const char *pointer);
/* Sets the value at a pointer (the parent must exist; "-" appends to an
 * array); steals val.  Aborts when the parent is missing. */
void jt_set(json_t *root, const char *pointer, json_t *val);
/* jt_set with a single-quoted JSON text. */
void jt_setj(json_t *root, const char *pointer, const char *single_quoted);
/* Removes the value at a pointer (object key or array index). */
void jt_del(json_t *root, const char *pointer);

/* A number in hundredths, rounded to nearest (LLONG_MIN when not a number). */
long long jt_cents(const json_t *num);
/* An exact decimal string ("0.9", "-12", "184423") as mant/10^scale, both
 * reduced (no trailing zeros), written back into a canonical string. */
void jt_decimal_canon(const char *in, char *out, size_t outsz);
/* mant/10^scale as a canonical decimal string. */
void jt_decimal_from(int64_t mant, int scale, char *out, size_t outsz);

/* ---- scoring ---------------------------------------------------------------- */

typedef struct {
    jx_status status;
    jx_errors errs;
    json_t *res;      /* the parsed result JSON when status == JX_OK */
    char *text;       /* the raw result text */
} jt_run;

/* Serialises doc, runs jx_score_json and parses the result.  When
 * check_invariants, checks the §7 shape and the invariants that hold for
 * every result (total = Σ rounded scores, severities, money strings). */
void jt_score(const jx_ctx *ctx, const json_t *doc, jt_run *run);
void jt_score_text(const jx_ctx *ctx, const char *text, size_t len, jt_run *run);
void jt_run_free(jt_run *run);
/* Checks the result shape and invariants; returns the number of problems. */
int jt_check_result_shape(const json_t *res);

/* Pointer p matches prefix: equal, or below it at a '/' boundary;
 * prefix "" matches anything. */
int jt_ptr_match(const char *p, const char *prefix);
/* Number of findings with this code whose pointer matches prefix. */
int jt_count(const json_t *res, const char *code, const char *prefix);
/* First such finding (borrowed) or NULL. */
json_t *jt_finding(const json_t *res, const char *code, const char *prefix);
/* indicators[i] of the result, borrowed (NULL when absent). */
json_t *jt_ind(const json_t *res, size_t i);
/* Score of indicators[i] in hundredths (LLONG_MIN when absent). */
long long jt_ind_score(const json_t *res, size_t i);
/* Prints the findings of a result (for diagnostics). */
void jt_print_findings(const json_t *res);
/* Prints the errors of a failed load. */
void jt_print_errors(const jx_errors *errs);

/* Expect a finding / no finding (with diagnostics on failure). */
#define EXPECT_FINDING(res, code, prefix) \
    jt_expect_finding((res), (code), (prefix), 1, __FILE__, __LINE__)
#define EXPECT_NO_FINDING(res, code, prefix) \
    jt_expect_finding((res), (code), (prefix), 0, __FILE__, __LINE__)
int jt_expect_finding(const json_t *res, const char *code, const char *prefix,
                      int want, const char *file, int line);
/* The result scored (status JX_OK); prints the errors otherwise. */
#define EXPECT_SCORED(run) jt_expect_scored((run), __FILE__, __LINE__)
int jt_expect_scored(const jt_run *run, const char *file, int line);
/* Score in hundredths of indicators[i] equals the given (e.g. 850 = 8.50). */
#define EXPECT_IND_SCORE(res, i, cents) \
    jt_check_ll(jt_ind_score((res), (i)), (long long)(cents), __FILE__, __LINE__, \
                "score of indicator " #i, #cents)
#define EXPECT_CENTS(json, cents) \
    jt_check_ll(jt_cents(json), (long long)(cents), __FILE__, __LINE__, #json, #cents)

#endif
