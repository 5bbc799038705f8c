/*
 * db/monitoring.h -- the SQL of mid-year monitoring (db/monitoring.c):
 * reports, the list with colours and their totals, thresholds.
 */
#ifndef JX_DB_MONITORING_H
#define JX_DB_MONITORING_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/projects.h"
#include "db/tx.h"
#include "input/monitoring.h"
#include "db/reach.h"

/* The version of a project's report for period, locked; 0 when none. */
int dbm_report_version(pool_conn *pc, const db_row *row, const char *period,
                       int64_t *version, db_err *e);

/* Creates or replaces the report (the project locked as row), with its
 * audit entry under the project.  Row 0: version, representation. */
int dbm_report_put(pool_conn *pc, const auth_info *who, const db_row *row,
                   const mon_period *p, const mon_in *in, PGresult **res, db_err *e);

/* One report in reach.  Rows: version, representation. */
int dbm_report_get(const auth_info *who, int64_t project_id, const char *period,
                   PGresult **res, db_err *e);

/* A project's reports in reach, by period.  Rows: id, representation. */
int dbm_reports_of(const auth_info *who, int64_t project_id, int64_t after, int limit,
                   PGresult **res, db_err *e);

/* GET /v1/monitoring's filters. */
typedef struct {
    int limit;
    int64_t after;
    int year;                 /* 0 = any */
    const char *period;       /* NULL = each project's latest */
    const char *color;        /* green, yellow, red, none; NULL = any */
    const char *region;       /* six digits; NULL = any */
    int64_t department;       /* 0 = any */
    const char *group_by;     /* region, department, unit */
} mon_query;

/* A page of reports.  Rows: id, item. */
int dbm_list(const auth_info *who, const mon_query *q, PGresult **res, db_err *e);

/* Totals of colours over everything q matches (paging aside).  Rows:
 * group key, group name, colour, count, budget sum, executed sum. */
int dbm_totals(const auth_info *who, const mon_query *q, PGresult **res, db_err *e);

/* The thresholds in force for region.  Row: green, yellow, set_in. */
int dbm_thresholds_get(const char *region, PGresult **res, db_err *e);

/* Sets the thresholds of who's region, audited under who's organisation.
 * Row: green, yellow, set_in. */
int dbm_thresholds_put(pool_conn *pc, const auth_info *who, const mon_thresholds_in *in,
                       PGresult **res, db_err *e);

/* The results application (monitoring colours, 整改 items, advice) of the
 * project an evaluation in reach scored, as a JSON object text.  No row
 * for an assessment's evaluation or one out of reach. */
int dbm_application(const auth_info *who, int64_t evaluation_id, PGresult **res, db_err *e);

#endif
