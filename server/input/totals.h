/*
 * input/totals.h -- decoding the query of GET /v1/totals (filters,
 * group_by, region_level, format) and GET /v1/findings (filters, limit,
 * cursor) into the filters that db/totals.c runs.  No database access.
 */
#ifndef JX_TOTALS_QUERY_H
#define JX_TOTALS_QUERY_H

#include <stdint.h>

#include "server.h"

/* The dimensions a totals request may group by, in output order. */
typedef enum {
    TD_REGION, TD_DEPARTMENT, TD_UNIT, TD_YEAR, TD_GRADE, TD_FUND_NATURE, TD_SCOPE, TD_COUNT
} totals_dim;

typedef struct {
    int year_from, year_to;      /* 0 when not given */
    const char *region;          /* 6 digits or NULL */
    int64_t department;          /* 0 when not given */
    const char *scopes;          /* Postgres array literal "{project,unit_wide}" or NULL */
    const char *statuses;        /* Postgres array literal, never NULL */
    int group[TD_COUNT];         /* 1 = group by it */
    const char *region_level;    /* province, city, county */
} totals_filter;

/* GET /v1/findings: filters and the keyset position. */
typedef struct {
    int year;                    /* 0 when not given */
    const char *region;
    int64_t department;
    const char *code;            /* finding code or NULL */
    const char *severity;        /* error, warning, info or NULL */
    int64_t after_eval;          /* keyset cursor: (evaluation id, position) */
    int after_pos;
    int limit;
} findings_filter;


typedef struct {
    totals_filter f;
    char scopes[64], statuses[64];
    int status_default;
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
