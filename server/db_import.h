/*
 * db_import.h -- the SQL of bulk imports (db_import.c).
 */
#ifndef JX_DB_IMPORT_H
#define JX_DB_IMPORT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
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
/* Existing projects for the (province, org, year, name) arrays, locked.
 * Rows: 1-based index into the arrays, id, status, version, doc. */
int dbi_matches(pool_conn *pc, const char *provinces, const char *orgs, const char *years,
                const char *names, PGresult **res, db_err *e);
/* Inside the import's transaction: index plans only (SET LOCAL
 * enable_seqscan = off).  The batch statements join thousands of keys
 * against projects; planned on stale statistics (a table that grew by
 * 40,000 rows since autovacuum last analysed it) the match became a
 * sequential scan per key and one 10,000-project file ran for minutes --
 * why the 100,000-project benchmark never finished. */
int dbi_plan_for_batch(pool_conn *pc, db_err *e);
/* n ids from the projects (indicators = 0) or indicators sequence. */
int dbi_ids(pool_conn *pc, int indicators, size_t n, int64_t *out, db_err *e);
/* COPY ... FROM STDIN with data (text format). */
int dbi_copy(pool_conn *pc, const char *sql, const char *data, size_t len, db_err *e);

#endif
