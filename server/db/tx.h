/*
 * db/tx.h -- transactions and database errors as values, over pool.c.
 *
 * Handlers that change data borrow one connection, run BEGIN ... COMMIT
 * on it and give it back; every failure becomes a db_err that db_problem
 * turns into the right answer: 503 + Retry-After when the database is
 * unreachable or busy, 409 for a unique violation (two writers racing for
 * one natural key), 500 for anything else (logged, never shown).
 */
#ifndef JX_DB_H
#define JX_DB_H

#include <libpq-fe.h>

#include "db/pool.h"
#include "server.h"

typedef struct {
    pool_status ps;
    char state[6];   /* SQLSTATE of the failure, "" when none */
    char msg[256];
} db_err;

/* Executes st on pc; 0 with *res set, or -1 with e filled. */
int db_exec(pool_conn *pc, const pool_stmt *st, const char *const *values, PGresult **res,
            db_err *e);
/* Executes steps together on pc (pool_exec_pipeline: one round trip); 0
 * with every steps[i].res set, or -1 with e filled (the first failure). */
int db_pipeline(pool_conn *pc, pool_step *steps, int n, db_err *e);
/* One statement on a pooled connection (retried once on a dead one). */
int db_query(const pool_stmt *st, const char *const *values, PGresult **res, db_err *e);
/* db_query with the result in binary form (pool_exec_binary). */
int db_query_binary(const pool_stmt *st, const char *const *values, PGresult **res, db_err *e);
/* Borrows a connection; -1 with e filled (503 material). */
int db_acquire(pool_conn **pc, db_err *e);
void db_release(pool_conn *pc);

int db_begin(pool_conn *pc, db_err *e);
int db_commit(pool_conn *pc, db_err *e);
/* Rolls back if a transaction is open; never fails (a broken connection
 * is closed by pool_release). */
void db_rollback(pool_conn *pc);

/* Fills resp for e: 503, 409 or 500.  Returns 0 (a handler's return). */
int db_problem(jx_resp *resp, const db_err *e);

/* e for a failure of ours, not the database's (a 500, logged): msg says
 * what.  Always -1. */
int db_fail(db_err *e, const char *msg);

#endif
