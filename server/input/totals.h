/*
 * input/totals.h -- decoding the query of GET /v1/totals (filters,
 * group_by, region_level, format) and GET /v1/findings (filters, limit,
 * cursor) into the filters db_totals.c runs.  No database access: only
 * db_totals.h's filter types.
 */
#ifndef JX_TOTALS_QUERY_H
#define JX_TOTALS_QUERY_H

#include "db/totals.h"
#include "server.h"

typedef struct {
    totals_filter f;
    char scopes[64], statuses[64];
    int status_default;
    int scope_default;      /* no scope given: projects only */
    const char *format;
} totals_query;

/* caller_region: the caller's region code (the default region_level is
 * one below it, or below the region filter).  0, or -1 with every problem
 * in errs (pointers /query/<name>). */
int totals_query_decode(const jx_req *req, const char *caller_region, totals_query *q,
                        jx_errors *errs);

/* The same for GET /v1/findings. */
int findings_query_decode(const jx_req *req, findings_filter *f, jx_errors *errs);

#endif
