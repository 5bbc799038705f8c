/*
 * db/migrate.h -- schema migrations embedded in the binary.
 */
#ifndef JX_MIGRATE_H
#define JX_MIGRATE_H

#include <stdio.h>

#include "db/pool.h"

/* Checks the embedded files are NNNN_name.sql in strictly increasing
 * order.  Returns 0 or -1 (logged). */
int migrate_check_embedded(void);

/* The newest version this binary knows. */
int migrate_latest(void);

/* Applies every missing migration in order, each in its own transaction,
 * under an advisory lock so concurrent migrators queue.  Progress goes to
 * out.  Refuses (-1) when the database is newer than this binary. */
int migrate_apply(const char *conninfo, FILE *out);

/* The database's schema version through the pool: 0 when
 * schema_migrations does not exist yet. */
pool_status migrate_db_version(pool *p, int *version, char *err, size_t errlen);

#endif
