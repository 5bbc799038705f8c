/*
 * db/tx.c -- transactions and database errors as values.
 *
 * BEGIN, COMMIT and ROLLBACK go through pool_exec_sql (no parameters,
 * nothing to prepare); statements go through pool_exec so they are
 * prepared once per connection.  Both have the pool's deadline: a frozen
 * database is a 503, never a hang.  The SQLSTATE of a failure is kept: 23505 (unique
 * violation) means another request won a race for the same natural key
 * and answers 409; 40001/40P01 (serialization, deadlock) answer 503 with
 * Retry-After, since a retry will succeed.
 */
#include "db/tx.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "problem.h"

static void err_set(db_err *e, pool_status ps, const char *state, const char *msg)
{
    e->ps = ps;
    snprintf(e->state, sizeof e->state, "%s", state ? state : "");
    snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "");
}

static int exec_as(pool_conn *pc, const pool_stmt *st, const char *const *values, int binary,
                   PGresult **res, db_err *e)
{
    char msg[256];
    pool_status ps = binary ? pool_exec_binary(pc, st, values, res, msg, sizeof msg)
                            : pool_exec(pc, st, values, res, msg, sizeof msg);

    if (ps == POOL_OK)
        return 0;
    err_set(e, ps, pool_sqlstate(pc), msg);
    return -1;
}

int db_exec(pool_conn *pc, const pool_stmt *st, const char *const *values, PGresult **res,
            db_err *e)
{
    return exec_as(pc, st, values, 0, res, e);
}

int db_pipeline(pool_conn *pc, pool_step *steps, int n, db_err *e)
{
    char msg[256];
    int failed;
    pool_status ps = pool_exec_pipeline(pc, steps, n, &failed, msg, sizeof msg);

    if (ps == POOL_OK)
        return 0;
    err_set(e, ps, pool_sqlstate(pc), msg);
    return -1;
}

/* checked: whether an idle connection is asked first if it still lives */
static int acquire(pool_conn **pc, int checked, db_err *e)
{
    pool_status ps = checked ? pool_acquire(app.pool, pc) : pool_acquire_unchecked(app.pool, pc);

    if (ps == POOL_OK)
        return 0;
    err_set(e, ps, "", ps == POOL_EBUSY ? "no database connection free in time"
                                        : "database unreachable");
    return -1;
}

int db_acquire(pool_conn **pc, db_err *e)
{
    return acquire(pc, 1, e);
}

void db_release(pool_conn *pc)
{
    if (pc)
        pool_release(app.pool, pc);
}

static int query_as(const pool_stmt *st, const char *const *values, int binary, PGresult **res,
                    db_err *e)
{
    pool_conn *pc;
    int attempt, rc = -1;

    /* The first attempt skips the liveness check: a dead connection
     * fails the statement at once, and the second attempt, checked, opens
     * a fresh one (one recv fewer per read). */
    for (attempt = 0; attempt < 2; attempt++) {
        if (acquire(&pc, attempt > 0, e) < 0)
            return -1;
        rc = exec_as(pc, st, values, binary, res, e);
        db_release(pc);
        if (rc == 0 || e->ps != POOL_EDOWN)
            return rc;
    }
    return rc;
}

int db_query(const pool_stmt *st, const char *const *values, PGresult **res, db_err *e)
{
    return query_as(st, values, 0, res, e);
}

int db_query_binary(const pool_stmt *st, const char *const *values, PGresult **res, db_err *e)
{
    return query_as(st, values, 1, res, e);
}

static int simple(pool_conn *pc, const char *sql, db_err *e)
{
    char msg[256];
    PGresult *r = NULL;
    pool_status ps = pool_exec_sql(pc, sql, &r, msg, sizeof msg);

    PQclear(r);
    if (ps == POOL_OK)
        return 0;
    err_set(e, ps, pool_sqlstate(pc), msg);
    return -1;
}

int db_begin(pool_conn *pc, db_err *e)
{
    return simple(pc, "BEGIN", e);
}

int db_commit(pool_conn *pc, db_err *e)
{
    return simple(pc, "COMMIT", e);
}

void db_rollback(pool_conn *pc)
{
    db_err e;

    if (pool_conn_usable(pc) && PQtransactionStatus(pool_pg(pc)) != PQTRANS_IDLE)
        (void)simple(pc, "ROLLBACK", &e);
}

int db_problem(jx_resp *resp, const db_err *e)
{
    if (e->ps == POOL_EDOWN || e->ps == POOL_EBUSY)
        return problem_db_unavailable(resp, NULL);
    if (!strcmp(e->state, "40001") || !strcmp(e->state, "40P01")) {
        problem_db_unavailable(resp, "并发冲突，请重试 (concurrent update conflict; retry)");
        return 0;
    }
    if (!strcmp(e->state, "23505"))
        return problem(resp, 409, "conflict", "冲突 (conflict)",
                       "与已有记录重复：同一上级下的同名单位，或同一单位同一年度的同名、同编码项目 "
                       "(duplicates an existing record: an organisation's name under its parent, "
                       "or a project's name or code for its organisation and year)");
    log_msg(LOG_ERROR, "database statement failed", e->msg);
    return problem_internal(resp, NULL);
}

int db_fail(db_err *e, const char *msg)
{
    e->ps = POOL_EQUERY;
    e->state[0] = '\0';
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    return -1;
}
