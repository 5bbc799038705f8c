/*
 * db/import.h -- the SQL of bulk imports (db_import.c).
 */
#ifndef JX_DB_IMPORT_H
#define JX_DB_IMPORT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "db/tx.h"
#include "util.h"

/* Appends one element of a PostgreSQL array literal ("{" first, "}"
 * last are the caller's); NULL is SQL NULL. */
void sb_pg_array_item(strbuf *sb, const char *s);
/* Appends one COPY text-format field (NULL = \N), then a tab or, when
 * last, a newline. */
void sb_copy_field(strbuf *sb, const char *s, int last);

/* Organisations among ids_array ("{1,2}") the caller may file projects
 * for.  Rows: id, parent_id, region_code, province. */
int dbi_orgs(pool_conn *pc, const auth_info *who, const char *ids_array, PGresult **res,
             db_err *e);
/* The existing projects of the (province, org, year) arrays.  Rows:
 * 1-based index into the arrays, name, id.  Unlocked. */
int dbi_names(pool_conn *pc, const char *provinces, const char *orgs, const char *years,
              PGresult **res, db_err *e);
/* The projects of ids_array ("{1,2}"), locked.  Rows: id, status,
 * version, doc, org_id, year, name. */
int dbi_lock(pool_conn *pc, const char *ids_array, PGresult **res, db_err *e);
/* Inside the import's transaction: index plans only (SET LOCAL
 * enable_seqscan = off), and every plan this connection cached before
 * dropped (DISCARD PLANS; prepared statements stay).  Each indicator
 * row's foreign-key check probes projects through a plan the connection
 * cached -- possibly while the table was nearly empty, as a sequential
 * scan, which then ran once per row against a table growing by thousands
 * of rows. */
int dbi_plan_for_batch(pool_conn *pc, db_err *e);
/* n ids from the projects (indicators = 0) or indicators sequence. */
int dbi_ids(pool_conn *pc, int indicators, size_t n, int64_t *out, db_err *e);
/* COPY ... FROM STDIN with data (text format). */
int dbi_copy(pool_conn *pc, const char *sql, const char *data, size_t len, db_err *e);

struct batch;

/* The writer of an import (db/import_write.c): each chunk's database part
 * as the producer finishes it, counting outcomes into c (by result).
 * writing 0: a dry run.  0, or -1 with e (e->msg empty: out of memory). */
int dbi_write_all(pool_conn *pc, const auth_info *who, struct batch *b, int writing,
                  int per_record, size_t c[5], db_err *e);

#endif
