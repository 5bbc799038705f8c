/*
 * fuzz_server.h -- what the server fuzz targets share: a jx_req built from
 * bytes (body, query string, Content-Type) without libmicrohttpd, and the
 * invariants every answer must keep.
 *
 * The handlers read requests only through req_query/req_header (server.h)
 * and answer through problem.c, so fuzz_server.c supplies those two
 * accessors and the resp_* helpers over a struct of its own; the parsers
 * under test are the server's own object files, compiled with the fuzzer's
 * instrumentation.  A broken invariant aborts: libFuzzer keeps the input.
 */
#ifndef JX_FUZZ_SERVER_H
#define JX_FUZZ_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "server.h"

/* req over body (copied, NUL-terminated) and a raw query string "a=1&b=%20"
 * (decoded as libmicrohttpd does: %XX, + as space, the first of a repeated
 * name wins, a name without '=' has no value). */
void fz_req_init(jx_req *req, const char *query, size_t qlen, const uint8_t *body, size_t len,
                 const char *content_type);
void fz_req_free(jx_req *req);
void fz_resp_free(jx_resp *resp);

/* Splits "word\n rest" into the word (at most 31 bytes) and the rest; 0
 * when there is no newline. */
int fz_split(const uint8_t *data, size_t size, char *word, size_t wordlen, const uint8_t **rest,
             size_t *restlen);

/* A problem answer: status 4xx/5xx (want: that one, 0 = any), content type
 * problem+json, a body that parses with type, title, detail non-empty and
 * status equal to resp's; each errors[] entry with a valid JSON pointer,
 * a code and a non-empty message. */
void fz_check_problem(const jx_resp *resp, unsigned want);

/* A failure's errors: at least one; each NUL-terminated with a non-empty
 * message and code and a valid JSON pointer ("" or "/..." with ~0 ~1 only);
 * then rendered through problem_invalid and checked as above. */
void fz_check_errs(const jx_errors *errs);

/* A valid RFC 6901 pointer ("" or "/...", "~" only before 0 or 1). */
int fz_pointer_ok(const char *p);

/* Aborts unless jsonfast_load of buf is NULL or json_loadb's very tree
 * (server/jsonfast.c may refuse what Jansson accepts, never differ). */
void fz_check_jsonfast(const uint8_t *buf, size_t len);

/* Text that parses as JSON (abort otherwise); the parsed value. */
json_t *fz_parse(const char *text, size_t len);

#endif
