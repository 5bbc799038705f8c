/*
 * db/totals.h -- the SQL of GET /v1/totals and GET /v1/findings.
 */
#ifndef JX_DB_TOTALS_H
#define JX_DB_TOTALS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"
#include "input/totals.h"

/* Result columns of dbt_totals, in order. */
enum {
    TC_IS_TOTAL, TC_REGION, TC_REGION_NAME, TC_DEPARTMENT, TC_DEPARTMENT_NAME, TC_UNIT,
    TC_UNIT_NAME, TC_YEAR, TC_GRADE, TC_FUND_NATURE, TC_SCOPE,
    TC_N, TC_N_EVAL, TC_N_INCOMPLETE, TC_S_INITIAL, TC_S_ADJUSTED, TC_S_EXECUTED, TC_RATE,
    TC_MEAN, TC_WMEAN,
    TC_GRADE_N,      /* 5 counts: 优 良 中 差 未评价 */
    TC_GRADE_E = TC_GRADE_N + 5, /* 5 executed sums in fen (integers) */
    TC_F_ANY = TC_GRADE_E + 5, TC_F_ERROR, TC_F_WARNING, TC_F_INFO,
    TC_NCOLS
};

/* The grouped rows (is_total false), then one total row.  *summary is set
 * to 1 when they were read from totals_summary (0011), 0 when from the
 * per-subject rows. */
int dbt_totals(const auth_info *who, const totals_filter *f, PGresult **res, int *summary,
               db_err *e);

/* Columns: evaluation id, position, then the finding as JSON text. */
int dbt_findings(const auth_info *who, const findings_filter *f, PGresult **res, db_err *e);

#endif
