/*
 * routes/totals_out.h -- the totals model and its three encodings (JSON, CSV,
 * XLSX), for routes_totals.c.
 */
#ifndef JX_TOTALS_OUT_H
#define JX_TOTALS_OUT_H

#include "db/totals.h"
#include "server.h"

#define TOTALS_GRADES 5 /* 优 良 中 差, and 未评价 (not evaluated) */

typedef struct {
    const char *grade;       /* NULL for not evaluated */
    long long count, fen;    /* fen: executed amount in 分 */
    int count_share, amount_share; /* in 0.0001; -1 when the whole is 0 */
} totals_grade;

typedef struct {
    int is_total;
    const char *key[TD_COUNT];   /* text as the database gave it; NULL when not grouped */
    const char *region_name, *department_name, *unit_name;
    long long count, evaluated, incomplete;
    const char *initial, *adjusted, *executed; /* exact decimals */
    const char *rate, *mean, *wmean;           /* NULL when undefined */
    totals_grade grades[TOTALS_GRADES];
    long long f_any, f_error, f_warning, f_info;
} totals_row;

typedef struct {
    const totals_filter *filter;
    int status_default;
    int scope_default;           /* no scope given: projects only */
    totals_row *rows;            /* groups, then the total row */
    int nrows;
} totals_doc;

int totals_json(const totals_doc *d, jx_resp *resp);
int totals_csv(const totals_doc *d, jx_resp *resp);
int totals_xlsx(const totals_doc *d, jx_resp *resp);

#endif
