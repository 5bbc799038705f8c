/*
 * pool.c -- bounded libpq connection pool.
 *
 * Shape: a mutex, a condition variable (on CLOCK_MONOTONIC), a stack of
 * idle connections and a count of open ones.  A borrower takes an idle
 * connection, or opens a new one while open < size, or waits on the
 * condition variable until one is returned or its deadline passes (503).
 * Connections are opened outside the lock: connecting can take a while,
 * and other threads must keep returning and borrowing meanwhile.
 *
 * Database down: a failed connect marks the pool "down" for 250 ms, during
 * which borrowers that would have to open a connection fail at once with
 * POOL_EDOWN instead of each hammering the server.  That bounds recovery:
 * within 250 ms of PostgreSQL accepting connections again, requests get
 * through.  Idle connections are checked on the way out (PQconsumeInput
 * reads a pending "terminating connection" message or EOF without
 * blocking), and pool_query retries once on a fresh connection when the
 * server went away between that check and the query.
 *
 * Prepared statements are per connection, so each pool_conn remembers the
 * statements it has prepared; a reconnect starts that list afresh.
 *
 * Read replica (DATABASE_READ_URL): the primary pool may have a second,
 * bounded pool for a hot standby attached (pool_set_replica), with the
 * same 503/recovery behaviour.  Which one a request uses is decided once
 * per request by replica.c and kept in this thread's state
 * (pool_request_begin): while it says "reads", pool_acquire(primary)
 * lends a standby connection instead, so every read handler reads from
 * the replica without knowing it, and writes (any other request) keep the
 * primary.  A connection remembers its own pool, so pool_release gives it
 * back there whatever pool the caller names.  A standby refusing a
 * statement (25006 read-only, 40001 cancelled by recovery) makes
 * pool_query retry it once on the primary.
 */
#include "pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

#define MAX_PREPARED 160
#define DOWN_BACKOFF 0.25

struct pool_conn {
    PGconn *pg;
    pool *owner;       /* the pool it was lent from */
    const pool_stmt *prepared[MAX_PREPARED];
    int nprepared;
    char sqlstate[6];  /* of the last failed statement, "" when none */
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *conninfo;
    int size;
    int wait_timeout_ms;
    int open;          /* connections open or being opened */
    int nidle;
    int waiting;
    int closing;
    double down_until; /* now_mono() before which we do not try to connect */
    unsigned long wait_timeouts, connect_failures, connects;
    pool_conn **idle;  /* stack of size entries */
    pool *replica;     /* hot standby for reads, or NULL */
    int is_replica;
};

/* This thread's request: may it read from the replica, which pools did it
 * use (bit 1 primary, bit 2 replica). */
static _Thread_local int tl_reads;
static _Thread_local int tl_used;
static _Thread_local int tl_refused; /* the standby refused the last statement */

static void set_err(char *err, size_t errlen, const char *msg)
{
    size_t n;

    if (!err || !errlen)
        return;
    snprintf(err, errlen, "%s", msg ? msg : "");
    n = strlen(err);
    while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
        err[--n] = '\0';
}

PGconn *pool_connect_one(const char *conninfo, char *err, size_t errlen)
{
    /* Defaults first: with expand_dbname the URL's own settings override
     * them (a URL may set its own connect_timeout). */
    /* jit=off: the server's statements are short, and for the aggregates
     * of GET /v1/totals LLVM compilation (0.1-0.4 s, measured) costs far
     * more than the whole query; docs/scale.md. */
    const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
    const char *vals[] = {"3", "jixiao-server", "-c jit=off", conninfo, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);

    if (!pg) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        set_err(err, errlen, PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

pool *pool_new(const char *conninfo, int size, int wait_timeout_ms)
{
    pool *p = calloc(1, sizeof *p);
    pthread_condattr_t ca;

    if (!p)
        return NULL;
    p->conninfo = strdup(conninfo);
    p->idle = calloc((size_t)size, sizeof *p->idle);
    if (!p->conninfo || !p->idle) {
        free(p->conninfo);
        free(p->idle);
        free(p);
        return NULL;
    }
    p->size = size;
    p->wait_timeout_ms = wait_timeout_ms;
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    return p;
}

static void conn_close(pool_conn *pc)
{
    if (!pc)
        return;
    if (pc->pg)
        PQfinish(pc->pg);
    free(pc);
}

void pool_free(pool *p)
{
    int i;

    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->closing = 1;
    for (i = 0; i < p->nidle; i++)
        conn_close(p->idle[i]);
    p->nidle = 0;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->idle);
    free(p->conninfo);
    free(p);
}

/* Is an idle connection still usable?  Never blocks. */
static int conn_alive(pool_conn *pc)
{
    if (PQstatus(pc->pg) != CONNECTION_OK)
        return 0;
    if (!PQconsumeInput(pc->pg))
        return 0;
    return PQstatus(pc->pg) == CONNECTION_OK && PQtransactionStatus(pc->pg) == PQTRANS_IDLE;
}

/* Opens a connection for a slot the caller already holds (open counted). */
static pool_status conn_open(pool *p, pool_conn **out)
{
    char err[256];
    pool_conn *pc = calloc(1, sizeof *pc);

    if (pc)
        pc->pg = pool_connect_one(p->conninfo, err, sizeof err);
    else
        snprintf(err, sizeof err, "out of memory");
    pthread_mutex_lock(&p->mu);
    if (!pc || !pc->pg) {
        p->open--;
        p->connect_failures++;
        p->down_until = now_mono() + DOWN_BACKOFF;
        pthread_cond_signal(&p->cv); /* a waiter may try (or fail) in our place */
        pthread_mutex_unlock(&p->mu);
        free(pc);
        log_msg(LOG_WARN, "database connect failed", err);
        return POOL_EDOWN;
    }
    p->connects++;
    p->down_until = 0;
    pthread_mutex_unlock(&p->mu);
    pc->owner = p;
    *out = pc;
    return POOL_OK;
}

pool_status pool_acquire(pool *p, pool_conn **out)
{
    struct timespec deadline;
    pool_conn *pc;

    *out = NULL;
    if (tl_reads && p->replica)
        p = p->replica;
    tl_used |= p->is_replica ? 2 : 1;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += p->wait_timeout_ms / 1000;
    deadline.tv_nsec += (long)(p->wait_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->closing) {
            pthread_mutex_unlock(&p->mu);
            return POOL_EDOWN;
        }
        if (p->nidle > 0) {
            pc = p->idle[--p->nidle];
            pthread_mutex_unlock(&p->mu);
            if (conn_alive(pc)) {
                *out = pc;
                return POOL_OK;
            }
            /* Dead (database restarted): reuse its slot for a new one. */
            conn_close(pc);
            pthread_mutex_lock(&p->mu);
            if (now_mono() < p->down_until) {
                p->open--;
                pthread_cond_signal(&p->cv);
                pthread_mutex_unlock(&p->mu);
                return POOL_EDOWN;
            }
            pthread_mutex_unlock(&p->mu);
            return conn_open(p, out);
        }
        if (p->open < p->size) {
            if (now_mono() < p->down_until) {
                pthread_mutex_unlock(&p->mu);
                return POOL_EDOWN;
            }
            p->open++;
            pthread_mutex_unlock(&p->mu);
            return conn_open(p, out);
        }
        p->waiting++;
        if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) != 0 && p->nidle == 0 &&
            p->open >= p->size) {
            p->waiting--;
            p->wait_timeouts++;
            pthread_mutex_unlock(&p->mu);
            return POOL_EBUSY;
        }
        p->waiting--;
    }
}

void pool_release(pool *p, pool_conn *pc)
{
    int keep;

    if (!pc)
        return;
    p = pc->owner;
    keep = PQstatus(pc->pg) == CONNECTION_OK && PQtransactionStatus(pc->pg) == PQTRANS_IDLE;
    pthread_mutex_lock(&p->mu);
    if (keep && !p->closing) {
        p->idle[p->nidle++] = pc;
        pc = NULL;
    } else {
        p->open--;
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    conn_close(pc); /* no-op when kept */
}

PGconn *pool_pg(pool_conn *pc)
{
    return pc->pg;
}

const char *pool_sqlstate(const pool_conn *pc)
{
    return pc->sqlstate;
}

/* Connection-level failures (the server is gone or going) versus errors of
 * the statement itself. */
static pool_status classify(pool_conn *pc, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    snprintf(pc->sqlstate, sizeof pc->sqlstate, "%s", state ? state : "");

    if (PQstatus(pc->pg) != CONNECTION_OK)
        return POOL_EDOWN;
    if (state && (!strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
                  !strcmp(state, "57P02") || !strcmp(state, "57P03")))
        return POOL_EDOWN;
    return POOL_EQUERY;
}

/* A statement a hot standby cannot run (a write: 25006) or cancelled
 * because of a conflict with recovery (40001): the primary can. */
static int standby_refused(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    return state && (!strcmp(state, "25006") || !strcmp(state, "40001"));
}

static int is_prepared(const pool_conn *pc, const pool_stmt *st)
{
    int i;

    for (i = 0; i < pc->nprepared; i++)
        if (pc->prepared[i] == st)
            return 1;
    return 0;
}

pool_status pool_exec(pool_conn *pc, const pool_stmt *st, const char *const *values,
                      PGresult **res, char *err, size_t errlen)
{
    PGresult *r;
    ExecStatusType es;
    pool_status ps;

    *res = NULL;
    if (!is_prepared(pc, st)) {
        r = PQprepare(pc->pg, st->name, st->sql, st->nparams, NULL);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            ps = classify(pc, r);
            set_err(err, errlen, r ? PQresultErrorMessage(r) : PQerrorMessage(pc->pg));
            PQclear(r);
            return ps;
        }
        PQclear(r);
        if (pc->nprepared < MAX_PREPARED)
            pc->prepared[pc->nprepared++] = st;
    }
    r = PQexecPrepared(pc->pg, st->name, st->nparams, values, NULL, NULL, 0);
    es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
        ps = classify(pc, r);
        tl_refused = pc->owner && pc->owner->is_replica && standby_refused(r);
        set_err(err, errlen, r ? PQresultErrorMessage(r) : PQerrorMessage(pc->pg));
        PQclear(r);
        return ps;
    }
    *res = r;
    return POOL_OK;
}

pool_status pool_exec_replan(pool_conn *pc, const pool_stmt *st, const char *const *values,
                             PGresult **res, char *err, size_t errlen)
{
    PGresult *r = PQexecParams(pc->pg, st->sql, st->nparams, NULL, values, NULL, NULL, 0);
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    pool_status ps;

    *res = NULL;
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
        ps = classify(pc, r);
        set_err(err, errlen, r ? PQresultErrorMessage(r) : PQerrorMessage(pc->pg));
        PQclear(r);
        return ps;
    }
    *res = r;
    return POOL_OK;
}

pool_status pool_query(pool *p, const pool_stmt *st, const char *const *values,
                       PGresult **res, char *err, size_t errlen)
{
    pool_conn *pc;
    pool_status ps;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        ps = pool_acquire(p, &pc);
        if (ps != POOL_OK) {
            set_err(err, errlen, ps == POOL_EBUSY ? "no database connection free in time"
                                                  : "database unreachable");
            return ps;
        }
        tl_refused = 0;
        ps = pool_exec(pc, st, values, res, err, errlen);
        pool_release(p, pc);
        if (ps == POOL_EQUERY && tl_refused) {
            tl_reads = 0; /* the rest of this request reads from the primary */
            continue;
        }
        if (ps != POOL_EDOWN)
            return ps;
    }
    return ps;
}

void pool_set_replica(pool *primary, pool *replica)
{
    primary->replica = replica;
    if (replica)
        replica->is_replica = 1;
}

pool *pool_replica(pool *p)
{
    return p ? p->replica : NULL;
}

void pool_request_begin(int reads_from_replica)
{
    tl_reads = reads_from_replica;
    tl_used = 0;
    tl_refused = 0;
}

int pool_request_used(void)
{
    return tl_used;
}

void pool_get_stats(pool *p, pool_stats *out)
{
    pthread_mutex_lock(&p->mu);
    out->size = p->size;
    out->open = p->open;
    out->idle = p->nidle;
    out->waiting = p->waiting;
    out->wait_timeouts = p->wait_timeouts;
    out->connect_failures = p->connect_failures;
    out->connects = p->connects;
    pthread_mutex_unlock(&p->mu);
}
