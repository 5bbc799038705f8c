/*
 * input/list.h -- the query string of the list endpoints (GET /v1/projects,
 * /v1/assessments, /v1/plans, /v1/orgs): page size and cursor, then the
 * filters each endpoint takes, checked in one place so every list answers
 * a bad filter the same way.
 *
 * Pure: reads the query through req_query and answers through problem(),
 * never the database, so the fuzz target (tests/fuzz/fuzz_query.c) links
 * it without libmicrohttpd or libpq.
 */
#ifndef JX_LISTQUERY_H
#define JX_LISTQUERY_H

#include <stdint.h>

#include "server.h"

/* Which filters an endpoint takes (bits of listquery_decode's `want`). */
enum {
    LQ_YEAR = 1 << 0,       /* year: 2000..2100 */
    LQ_ORG = 1 << 1,        /* org: an organisation id */
    LQ_REGION = 1 << 2,     /* region: six digits (projects) */
    LQ_STATUS = 1 << 3,     /* status: draft, submitted or accepted */
    LQ_GRADE = 1 << 4,      /* grade: any text */
    LQ_Q = 1 << 5,          /* q: at most 200 bytes */
    LQ_SCOPE = 1 << 6,      /* scope: department_wide or unit_wide */
    LQ_PARENT = 1 << 7,     /* parent: an organisation id */
    LQ_KIND = 1 << 8,       /* kind: any text (orgs) */
    LQ_ORG_REGION = 1 << 9, /* region: a 6-digit code other than 000000 (orgs) */
    LQ_ORG_Q = 1 << 10,     /* q: any text (orgs) */
};

#define LQ_PROJECTS (LQ_YEAR | LQ_ORG | LQ_REGION | LQ_STATUS | LQ_GRADE | LQ_Q)
#define LQ_ASSESSMENTS (LQ_YEAR | LQ_ORG | LQ_SCOPE | LQ_STATUS)
#define LQ_PLANS (LQ_YEAR | LQ_ORG)
#define LQ_ORGS (LQ_PARENT | LQ_KIND | LQ_ORG_REGION | LQ_ORG_Q)

typedef struct {
    int limit;              /* rows wanted (1..1000, default 50) */
    int64_t after;          /* keyset cursor: ids above this (0 = first page) */
    int year;               /* 0 = any */
    int64_t org, parent;    /* 0 = any */
    const char *region, *status, *grade, *q, *scope, *kind; /* NULL = any; point into req */
} listquery;

/* Decodes limit, cursor and the filters in `want`, in that order.  0, or
 * -1 with the 400 in resp (the first bad parameter). */
int listquery_decode(const jx_req *req, jx_resp *resp, unsigned want, listquery *q);

/* Exactly six digits. */
int six_digits(const char *s);

/* A 6-digit region code other than 000000 (the operator's). */
int region_code_ok(const char *s);

#endif
