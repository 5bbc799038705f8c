/*
 * input/import.h -- POST /v1/import before the database: its query flags
 * and the CSV form of its body (docs/import.md lists the columns).
 */
#ifndef JX_IMPORT_INPUT_H
#define JX_IMPORT_INPUT_H

#include <jansson.h>
#include <stddef.h>

#include "server.h"

/* ?dry_run= (true/false) and ?mode= (all_or_nothing, the default, or
 * per_record).  -1 with a 400 in resp. */
int import_options(const jx_req *req, jx_resp *resp, const char **mode, int *dry_run,
                   int *per_record);

/* Receives each record as soon as it is complete: its project body and
 * indicator lines (both handed over, even on failure), its first line.
 * Returns 0, or -1 when memory ran out. */
typedef int (*import_record_fn)(void *ctx, json_t *obj, int line, int *ind_lines, size_t nind);

/* Reads CSV (a header row naming the columns, then one row per indicator)
 * and hands each record to fn.  0, or -1 with the problem in resp (400
 * malformed CSV with its line; 500 out of memory). */
int import_csv_records(const char *data, size_t len, jx_resp *resp, import_record_fn fn,
                       void *ctx);

/* The CSV column of a JSON pointer ("/budget/initial" -> budget_initial),
 * or NULL; *indicator = the indicator index of /indicators/N/..., else -1. */
const char *import_column_of(const char *ptr, int *indicator);

#endif
