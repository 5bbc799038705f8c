/*
 * problem.h -- RFC 9457 application/problem+json responses.
 *
 * Every error the server returns goes through here, so every error has the
 * same shape: type (a URN naming the kind of problem), title, status,
 * detail, and for validation an "errors" array of {pointer, code, message}
 * listing every problem at once.  Titles and messages are Chinese first
 * with English after.
 */
#ifndef JX_PROBLEM_H
#define JX_PROBLEM_H

#include "server.h"

/* Fills resp with a problem; slug names the type ("not-found" ->
 * "urn:jixiao:problem:not-found").  detail may be NULL. */
int problem(jx_resp *resp, unsigned status, const char *slug, const char *title,
            const char *detail);

/* The same with an errors array from the scoring library (pointer, code,
 * message, and line/column for syntax errors).  When errs->count exceeds
 * what the list holds, "errors_total" says how many there were. */
int problem_errors(jx_resp *resp, unsigned status, const char *slug, const char *title,
                   const char *detail, const jx_errors *errs);

/* Adds a problem to errs (kept up to JX_MAX_ERRORS, counted beyond);
 * errs->status becomes the worst status seen (EFIELD outranks EINVALID:
 * an unknown field answers 400 even when other things are wrong too). */
void errs_add(jx_errors *errs, jx_status st, const char *pointer, const char *code,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* base + "/" + key, escaped as RFC 6901 says (~ -> ~0, / -> ~1). */
void json_pointer_append(char *out, size_t outlen, const char *base, const char *key);
/* base + "/" + index. */
void json_pointer_index(char *out, size_t outlen, const char *base, size_t index);

/* 422 for errs (or 400 when one of them is an unknown field). */
int problem_invalid(jx_resp *resp, const jx_errors *errs);

/* 500 for what the caller cannot mend: why says what failed (a detail for
 * the log and the operator, never the caller's input), NULL for nothing. */
int problem_internal(jx_resp *resp, const char *why);

/* 500 when memory ran out: problem_internal(resp, "out of memory"). */
int problem_oom(jx_resp *resp);

/* 404 in the words every out-of-reach request gets. */
int problem_not_found(jx_resp *resp);

/* 503 for database trouble, with Retry-After. */
int problem_db_unavailable(jx_resp *resp, const char *detail);

#endif
