/*
 * input/org.h -- the bodies of POST /v1/orgs, PATCH /v1/orgs/{id} and
 * POST /v1/orgs/{id}/tokens, decoded and checked without the database.
 *
 * What needs the caller's reach or the parent's row (may the caller create
 * this kind here, is the parent in reach) stays in routes_orgs.c; what
 * depends only on the body and on who is asking (its kind, region, id) is
 * here, so the fuzz target (tests/fuzz/fuzz_bodies.c) links it without
 * libpq.
 */
#ifndef JX_ORG_INPUT_H
#define JX_ORG_INPUT_H

#include <jansson.h>
#include <stdint.h>

#include "server.h"

typedef struct {
    const char *kind;       /* finance, department or unit; NULL when invalid (or patch) */
    const char *name;       /* NULL when invalid or, on a patch, absent */
    const char *region;     /* a valid region code or NULL */
    const char *region_name; /* a finance bureau's region's name, or NULL */
    int64_t parent_id;      /* 0: none */
    const char *posts, *staff; /* decimal text or NULL (absent or null) */
    int set_posts, set_staff;  /* the field was given (null included) */
    char posts_b[24], staff_b[24];
} org_in;

/* The caller, as far as the body's defaults depend on it. */
typedef struct {
    const char *kind;       /* admin, finance, department, unit */
    const char *region;     /* its region code */
    int64_t org_id;
} org_caller;

/* Decodes a create (create = 1) or patch body (strings point into body).
 * -1 with a 400 in resp for unknown fields; otherwise 0, with every other
 * problem added to errs (the caller adds its own and answers 422). */
int org_decode(json_t *body, int create, const org_caller *who, org_in *o, jx_resp *resp,
               jx_errors *errs);

/* POST /v1/orgs/{id}/tokens: body may be NULL (no body).  -1 with a 400 in
 * resp for unknown fields; otherwise 0 with problems in errs. */
int token_decode(json_t *body, const char **label, const char **expires, jx_resp *resp,
                 jx_errors *errs);

/* RFC 3339 with seconds, 'Z' or an offset (what ::timestamptz cannot fail on). */
int rfc3339_ok(const char *s);

#endif
