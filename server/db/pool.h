/*
 * db/pool.h -- a bounded pool of libpq connections with a wait queue.
 */
#ifndef JX_POOL_H
#define JX_POOL_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct pool pool;
typedef struct pool_conn pool_conn;

/* A statement, prepared lazily on each connection the first time it is
 * used there.  Declare them static const next to the code that uses them
 * (db_<resource>.c); the pool recognises them by address. */
typedef struct {
    const char *name;   /* unique across the server */
    const char *sql;    /* $1, $2 ... parameters only: never built from input */
    int nparams;
} pool_stmt;

typedef enum {
    POOL_OK = 0,
    POOL_EDOWN,     /* the database cannot be reached: 503 + Retry-After */
    POOL_EBUSY,     /* no connection freed up in time: 503 + Retry-After */
    POOL_EQUERY     /* the statement failed: a bug or a constraint, 500/409 */
} pool_status;

typedef struct {
    int size, open, idle, waiting;
    unsigned long wait_timeouts, connect_failures, connects, round_trip_timeouts;
} pool_stats;

/* conninfo is a URL or key=value string; it is copied.  size >= 1.
 * wait_timeout_ms bounds the wait for a connection, connecting, and each
 * round trip on a lent connection (503 past it, never a hang). */
pool *pool_new(const char *conninfo, int size, int wait_timeout_ms);
int pool_timeout_ms(const pool *p);
/* Closes every connection; no connection may be lent out. */
void pool_free(pool *p);

/* Lends a healthy connection, opening one if the pool has room, else waits
 * up to wait_timeout_ms. */
pool_status pool_acquire(pool *p, pool_conn **out);
/* pool_acquire without asking an idle connection whether the database
 * still holds it (a recv per acquire): for a caller that runs one
 * statement and retries on a fresh connection when it finds it dead. */
pool_status pool_acquire_unchecked(pool *p, pool_conn **out);
/* Returns a connection; a broken one (or one left inside a transaction)
 * is closed so that the next borrower opens a fresh one. */
void pool_release(pool *p, pool_conn *pc);

/* The libpq connection, for PQtransactionStatus and the like.  It is in
 * non-blocking mode: never run PQexec & co. on it (they would wait
 * without a deadline); use pool_exec, pool_exec_sql, pool_copy_in. */
PGconn *pool_pg(pool_conn *pc);

/* 0 when the connection is gone or was given up (a round trip timed
 * out): run nothing more on it; pool_release closes it. */
int pool_conn_usable(const pool_conn *pc);

/* Raises the deadline of each round trip on pc (bulk work: imports) until
 * it is released. */
void pool_set_timeout(pool_conn *pc, int timeout_ms);

/* The SQLSTATE of the last statement that failed on this connection
 * ("23505" unique violation, "40001" serialization failure ...), or "". */
const char *pool_sqlstate(const pool_conn *pc);

/* Executes a prepared statement (preparing it first on this connection if
 * needed).  On success *res holds a PGresult to PQclear.  On failure *res
 * is NULL and err (if given) says why. */
pool_status pool_exec(pool_conn *pc, const pool_stmt *st, const char *const *values,
                      PGresult **res, char *err, size_t errlen);

/* Like pool_exec, with the result in binary form (integers in network
 * order, timestamps as microseconds since 2000): for a hot read whose
 * columns C takes apart itself, sparing the database their text output. */
pool_status pool_exec_binary(pool_conn *pc, const pool_stmt *st, const char *const *values,
                             PGresult **res, char *err, size_t errlen);

/* A plain SQL text without parameters (BEGIN, COMMIT, ROLLBACK), with the
 * same deadline and results as pool_exec. */
pool_status pool_exec_sql(pool_conn *pc, const char *sql, PGresult **res, char *err,
                          size_t errlen);

/* COPY ... FROM STDIN with data (len bytes of COPY text) streamed in, with
 * the same deadline (for the whole COPY). */
pool_status pool_copy_in(pool_conn *pc, const char *sql, const char *data, size_t len,
                         char *err, size_t errlen);

/* Acquire + exec + release, retrying once on a fresh connection when the
 * first one turned out to be dead (e.g. after a database restart).  For
 * single statements outside transactions only. */
pool_status pool_query(pool *p, const pool_stmt *st, const char *const *values,
                       PGresult **res, char *err, size_t errlen);

/* Like pool_exec, but st is planned afresh with the values on every
 * execution (an unnamed statement, still parameterized): for aggregates
 * whose best plan depends on the values (one province or the whole
 * country), which a cached generic plan would get wrong. */
pool_status pool_exec_replan(pool_conn *pc, const pool_stmt *st, const char *const *values,
                             PGresult **res, char *err, size_t errlen);

/* One statement of a pipeline: a prepared statement with its values, or
 * (st NULL) a plain SQL text without parameters (BEGIN, COMMIT). */
typedef struct {
    const pool_stmt *st;
    const char *sql;
    const char *const *values;
    PGresult *res;      /* out: its result (rows or command status) */
} pool_step;

#define POOL_PIPELINE_MAX 8

/* Sends steps[0..n) together (libpq pipeline mode, one Sync: one round
 * trip instead of n) and collects every result, with the deadline of one
 * round trip.  Statements not yet prepared on pc are prepared in the same
 * pipeline.  POOL_OK when every step succeeded (each steps[i].res set, to
 * PQclear).  Otherwise the status and err of the first failure, *failed
 * its index (n when the connection failed or timed out, as pool_exec),
 * no result kept; PostgreSQL skipped the steps after a failed one, and a
 * transaction opened by an earlier step is left aborted (roll it back). */
pool_status pool_exec_pipeline(pool_conn *pc, pool_step *steps, int n, int *failed, char *err,
                               size_t errlen);

void pool_get_stats(pool *p, pool_stats *out);

/* Read replica.  Attaches replica (a pool of its own, owned by the caller)
 * to primary: from then on pool_acquire(primary) lends a replica
 * connection while this thread's request reads from the replica. */
void pool_set_replica(pool *primary, pool *replica);
pool *pool_replica(pool *p);
/* Called by the HTTP layer as a request starts (on the thread that runs
 * its handler): 1 when it may read from the replica. */
void pool_request_begin(int reads_from_replica);
/* The pools this thread's request used: bit 1 primary, bit 2 replica. */
int pool_request_used(void);

/* Opens one connection with the pool's settings (for migrate and
 * bootstrap, which run outside the pool).  NULL with err filled. */
PGconn *pool_connect_one(const char *conninfo, char *err, size_t errlen);

#endif
