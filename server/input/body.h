/*
 * input/body.h -- decoding what a request brings: JSON bodies, query
 * parameters, If-Match, Idempotency-Key, page sizes and cursors.
 *
 * Each helper either yields the value or fills resp with the problem the
 * client should see (400/415/428) and returns -1, so handlers read as
 *   if (body_json(req, resp, &root) < 0) return 0;
 */
#ifndef JX_BODY_H
#define JX_BODY_H

#include <jansson.h>
#include <stdint.h>

#include "server.h"

/* 1 when ct is JSON (application/json or application/x+json), or absent. */
int body_is_json_type(const char *ct);

/* Parses the body as a JSON object (or, with want_array, an array): 415
 * for another media type, 400 with line and column when malformed, 400
 * when of the wrong kind.  *out is a new reference. */
int body_json(jx_req *req, jx_resp *resp, int want_array, json_t **out);

/* 400 listing fields of o not among allowed (NULL-terminated), with
 * pointers under base.  Returns 0 when every field is known. */
int body_unknown_fields(jx_resp *resp, json_t *o, const char *const *allowed, const char *base);

/* The id path parameter as a positive int64; 404 otherwise (an id that
 * cannot exist names nothing). */
int path_id(const jx_req *req, jx_resp *resp, const char *name, int64_t *id);

/* If-Match: "3", W/"3", 3 or * (any).  428 when missing, 400 when not a
 * version.  *version = 0 for *. */
int if_match(const jx_req *req, jx_resp *resp, int64_t *version);

/* Idempotency-Key: NULL when absent; 400 when longer than 255 bytes or
 * not printable ASCII. */
int idempotency_key(const jx_req *req, jx_resp *resp, const char **key);

/* limit (default 50, 1..1000) and cursor (opaque; decodes to the last id
 * seen, 0 for the first page).  400 when malformed. */
int page_params(const jx_req *req, jx_resp *resp, int *limit, int64_t *after);
/* The opaque cursor for a last id into out (at least 32 bytes). */
void page_cursor(int64_t last_id, char *out, size_t outlen);

/* A query parameter as an integer in [lo, hi]; absent -> *set = 0. */
int query_int(const jx_req *req, jx_resp *resp, const char *name, int64_t lo, int64_t hi,
              int64_t *value, int *set);
/* true/false/1/0 flags; absent -> def. */
int query_bool(const jx_req *req, jx_resp *resp, const char *name, int def, int *value);

/* ETag for a version: "\"3\"" into out. */
void etag_of(int64_t version, char *out, size_t outlen);

#endif
