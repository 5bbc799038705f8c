/*
 * db/pool.c -- bounded libpq connection pool, and every round trip with a
 * deadline.
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
 * Database frozen (every PostgreSQL process stopped, a partition, a full
 * disk): libpq's blocking calls would wait for ever, holding a worker
 * thread and every request queued behind it.  So no call here blocks
 * without a limit.  Connections are opened with PQconnectStartParams +
 * PQconnectPoll, and put in libpq's non-blocking mode; every round trip
 * is PQsend* + PQflush + poll() on PQsocket with the time left +
 * PQconsumeInput/PQisBusy, with a deadline of wait_timeout_ms (the
 * configured db timeout, shorter than the client timeout, so the answer
 * -- 503 + Retry-After -- always goes out).  On a timeout the statement
 * is cancelled (PQcancel, which itself blocks on a frozen postmaster, so
 * on a short-lived detached thread, at most a few at a time), the
 * connection is dropped as bad, and the pool is marked down for the
 * backoff: requests queued behind the stuck one then fail at once instead
 * of each waiting its own deadline, and recovery when the database comes
 * back is as for a restart.  A connection borrowed for bulk work can get
 * a longer deadline (pool_set_timeout, reset on release).
 *
 * Prepared statements are per connection, so each pool_conn remembers the
 * statements it has prepared; a reconnect starts that list afresh.
 *
 * Pipelines (pool_exec_pipeline): a few statements that do not depend on
 * each other's results (BEGIN, a lock, a read; an insert and COMMIT) sent
 * at once in libpq's pipeline mode with one Sync, so they cost one round
 * trip, under the same single deadline, cancel and 503 as one statement.
 * A statement that fails makes PostgreSQL skip the rest up to the Sync;
 * the caller sees the first failure and rolls back.
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
#include "db/pool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define MAX_PREPARED 160
#define DOWN_BACKOFF 0.25
#define MAX_CANCELS 4      /* cancel threads at once; beyond, just drop */

struct pool_conn {
    PGconn *pg;
    pool *owner;
    const pool_stmt *prepared[MAX_PREPARED];
    int nprepared;
    int timeout_ms;    /* deadline of each round trip */
    int broken;        /* timed out or half-done: never reused */
    char sqlstate[6];  /* of the last failed statement, "" when none */
    int epfd, epsock;  /* epoll set watching epsock for reads (wait_read), -1: none */
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
    double stall_until;/* ... nor lend idle ones: a round trip timed out */
    unsigned long wait_timeouts, connect_failures, connects, round_trip_timeouts;
    pool_conn **idle;  /* stack of size entries */
    pool *replica;     /* hot standby for reads, or NULL */
    int is_replica;
};

static atomic_int cancels_running;

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

/* ---- waiting on the socket with a deadline ------------------------------- */

/* 1 when the socket is ready for events, 0 when the deadline passed
 * first, -1 when there is no socket or poll failed. */
static int wait_sock(PGconn *pg, short events, double deadline)
{
    struct pollfd pfd;
    double left;
    int rc;

    pfd.fd = PQsocket(pg);
    if (pfd.fd < 0)
        return -1;
    pfd.events = events;
    for (;;) {
        left = (deadline - now_mono()) * 1000.0;
        if (left <= 0)
            return 0;
        pfd.revents = 0;
        rc = poll(&pfd, 1, left < 1.0 ? 1 : (int)left);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
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

/* A pool connection: opened with PQconnectStartParams + PQconnectPoll so
 * that a postmaster that accepts and then says nothing cannot hold us
 * past the deadline, then put in non-blocking mode (PQsend* never wait
 * to write; rt_wait does, with the deadline). */
static PGconn *connect_by(const char *conninfo, double deadline, char *err, size_t errlen)
{
    const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
    const char *vals[] = {"3", "jixiao-server", "-c jit=off", conninfo, NULL}; /* as above */
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    PGconn *pg = PQconnectStartParams(keys, vals, 1);
    int w;

    if (!pg) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    if (PQstatus(pg) == CONNECTION_BAD)
        goto fail;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED)
            goto fail;
        w = wait_sock(pg, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
        if (w == 0) {
            set_err(err, errlen, "connecting to the database timed out");
            PQfinish(pg);
            return NULL;
        }
        if (w < 0)
            goto fail;
        st = PQconnectPoll(pg);
    }
    if (PQsetnonblocking(pg, 1) != 0)
        goto fail;
    return pg;
fail:
    set_err(err, errlen, PQerrorMessage(pg));
    PQfinish(pg);
    return NULL;
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
    if (pc->epfd >= 0)
        close(pc->epfd);
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

/* Opens a connection for a slot the caller already holds (open counted),
 * within the pool's deadline. */
static pool_status conn_open(pool *p, pool_conn **out)
{
    char err[256];
    pool_conn *pc = calloc(1, sizeof *pc);

    if (pc)
        pc->epfd = pc->epsock = -1;
    if (pc)
        pc->pg = connect_by(p->conninfo, now_mono() + p->wait_timeout_ms / 1000.0, err,
                            sizeof err);
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
    p->stall_until = 0;
    pthread_mutex_unlock(&p->mu);
    pc->owner = p;
    pc->timeout_ms = p->wait_timeout_ms;
    *out = pc;
    return POOL_OK;
}

static pool_status acquire(pool *p, pool_conn **out, int check)
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
        if (p->closing || now_mono() < p->stall_until) {
            /* Closing, or a round trip just timed out: the database is
             * frozen or unreachable; do not queue behind it. */
            pthread_mutex_unlock(&p->mu);
            return POOL_EDOWN;
        }
        if (p->nidle > 0) {
            pc = p->idle[--p->nidle];
            pthread_mutex_unlock(&p->mu);
            if (check ? conn_alive(pc) : PQstatus(pc->pg) == CONNECTION_OK) {
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

pool_status pool_acquire(pool *p, pool_conn **out)
{
    return acquire(p, out, 1);
}

pool_status pool_acquire_unchecked(pool *p, pool_conn **out)
{
    return acquire(p, out, 0);
}

void pool_release(pool *p, pool_conn *pc)
{
    int keep;

    if (!pc)
        return;
    p = pc->owner;
    keep = !pc->broken && PQstatus(pc->pg) == CONNECTION_OK &&
           PQtransactionStatus(pc->pg) == PQTRANS_IDLE;
    pc->timeout_ms = p->wait_timeout_ms;
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

int pool_conn_usable(const pool_conn *pc)
{
    return pc && !pc->broken && PQstatus(pc->pg) == CONNECTION_OK;
}

void pool_set_timeout(pool_conn *pc, int timeout_ms)
{
    if (timeout_ms > pc->timeout_ms)
        pc->timeout_ms = timeout_ms;
}

int pool_timeout_ms(const pool *p)
{
    return p->wait_timeout_ms;
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

/* ---- round trips with a deadline ----------------------------------------- */

static void *cancel_main(void *arg)
{
    char buf[256];

    PQcancel(arg, buf, sizeof buf); /* may block while the postmaster is frozen */
    PQfreeCancel(arg);
    atomic_fetch_sub(&cancels_running, 1);
    return NULL;
}

/* Asks the server to cancel what pg is running, without waiting for it:
 * libpq 15's PQcancel blocks (connect, send, wait for the close), so it
 * runs on a detached thread; a few at most, beyond that the dropped
 * connection alone ends the statement once the backend notices. */
static void cancel_async(PGconn *pg)
{
    pthread_attr_t attr;
    pthread_t t;
    PGcancel *c;

    if (atomic_fetch_add(&cancels_running, 1) >= MAX_CANCELS)
        goto undo;
    c = PQgetCancel(pg);
    if (!c)
        goto undo;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, cancel_main, c) != 0) {
        PQfreeCancel(c);
        pthread_attr_destroy(&attr);
        goto undo;
    }
    pthread_attr_destroy(&attr);
    return;
undo:
    atomic_fetch_sub(&cancels_running, 1);
}

/* The deadline passed: cancel, drop the connection, hold borrowers back
 * for the backoff.  Always POOL_EDOWN (503). */
static pool_status timed_out(pool_conn *pc, char *err, size_t errlen)
{
    pool *p = pc->owner;
    char msg[96];

    cancel_async(pc->pg);
    pc->broken = 1;
    pc->sqlstate[0] = '\0';
    snprintf(msg, sizeof msg, "the database did not answer within %d ms", pc->timeout_ms);
    set_err(err, errlen, msg);
    pthread_mutex_lock(&p->mu);
    p->round_trip_timeouts++;
    p->stall_until = now_mono() + DOWN_BACKOFF;
    pthread_mutex_unlock(&p->mu);
    log_msg(LOG_WARN, "database round trip timed out", msg);
    return POOL_EDOWN;
}

/* The connection failed under us (EOF, reset, poll error). */
static pool_status io_failed(pool_conn *pc, char *err, size_t errlen)
{
    pc->broken = 1;
    pc->sqlstate[0] = '\0';
    set_err(err, errlen, PQerrorMessage(pc->pg));
    if (!err || !*err)
        set_err(err, errlen, "database connection lost");
    return POOL_EDOWN;
}

/* wait_sock(pc->pg, POLLIN, deadline), by epoll: the connection keeps an
 * epoll set with its socket registered, so a wait is one epoll_wait and
 * not poll()'s setting up and tearing down of a wait-queue entry each
 * time (poll was ~13% of the server's CPU per GET /v1/projects/{id}, a
 * round trip a request).  Falls back to poll() when epoll is refused. */
static int wait_read(pool_conn *pc, double deadline)
{
    struct epoll_event ev;
    int fd = PQsocket(pc->pg), rc;
    double left;

    if (fd < 0)
        return -1;
    if (pc->epsock != fd) {
        if (pc->epfd < 0)
            pc->epfd = epoll_create1(EPOLL_CLOEXEC);
        else if (pc->epsock >= 0)
            epoll_ctl(pc->epfd, EPOLL_CTL_DEL, pc->epsock, NULL);
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        if (pc->epfd < 0 || epoll_ctl(pc->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            pc->epsock = -1;
            return wait_sock(pc->pg, POLLIN, deadline);
        }
        pc->epsock = fd;
    }
    for (;;) {
        left = (deadline - now_mono()) * 1000.0;
        if (left <= 0)
            return 0;
        rc = epoll_wait(pc->epfd, &ev, 1, left < 1.0 ? 1 : (int)left);
        if (rc > 0)
            return 1;   /* readable, or an error or hang-up for recv to report */
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

/* Sends what libpq has queued, then waits until a result can be taken
 * without blocking.  0 ready, 1 deadline passed, -1 connection failed. */
static int rt_wait(pool_conn *pc, double deadline)
{
    PGconn *pg = pc->pg;
    int f, w;

    while ((f = PQflush(pg)) == 1) {
        w = wait_sock(pg, POLLIN | POLLOUT, deadline);
        if (w <= 0)
            return w == 0 ? 1 : -1;
        if (!PQconsumeInput(pg)) /* the server may answer before taking it all */
            return -1;
    }
    if (f < 0)
        return -1;
    while (PQisBusy(pg)) {
        w = wait_read(pc, deadline);
        if (w <= 0)
            return w == 0 ? 1 : -1;
        if (!PQconsumeInput(pg))
            return -1;
    }
    return 0;
}

static int res_failed(const PGresult *r)
{
    ExecStatusType es = PQresultStatus(r);

    return es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK && es != PGRES_COPY_IN;
}

/* Collects the results of what was sent, like PQexec: the first failed
 * one, else the last; stops early at COPY IN (the caller streams).  On
 * POOL_OK *out is set (possibly a failed result: check it). */
static pool_status collect(pool_conn *pc, double deadline, PGresult **out, char *err,
                           size_t errlen)
{
    PGresult *r, *keep = NULL;
    int w;

    *out = NULL;
    for (;;) {
        w = rt_wait(pc, deadline);
        if (w != 0) {
            PQclear(keep);
            return w > 0 ? timed_out(pc, err, errlen) : io_failed(pc, err, errlen);
        }
        r = PQgetResult(pc->pg);
        if (!r)
            break;
        if (keep && res_failed(keep)) {
            PQclear(r);
            continue;
        }
        PQclear(keep);
        keep = r;
        if (PQresultStatus(r) == PGRES_COPY_IN)
            break;
    }
    if (!keep)
        return io_failed(pc, err, errlen);
    *out = keep;
    return POOL_OK;
}

/* *res kept on success (COMMAND_OK, TUPLES_OK, or COPY_IN when allowed). */
static pool_status finish_rt(pool_conn *pc, double deadline, int copy_ok, PGresult **res,
                             char *err, size_t errlen)
{
    PGresult *r;
    pool_status ps = collect(pc, deadline, &r, err, errlen);
    ExecStatusType es;

    *res = NULL;
    if (ps != POOL_OK)
        return ps;
    es = PQresultStatus(r);
    if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK || (copy_ok && es == PGRES_COPY_IN)) {
        pc->sqlstate[0] = '\0';
        *res = r;
        return POOL_OK;
    }
    ps = classify(pc, r);
    tl_refused = pc->owner && pc->owner->is_replica && standby_refused(r);
    set_err(err, errlen, PQresultErrorMessage(r));
    PQclear(r);
    return ps;
}

static double rt_deadline(const pool_conn *pc)
{
    return now_mono() + pc->timeout_ms / 1000.0;
}

/* A send that libpq refused (connection gone, or busy: a bug). */
static pool_status send_failed(pool_conn *pc, char *err, size_t errlen)
{
    pool_status ps = classify(pc, NULL);

    set_err(err, errlen, PQerrorMessage(pc->pg));
    if (ps == POOL_EDOWN || PQisBusy(pc->pg))
        pc->broken = 1;
    return ps == POOL_EDOWN ? ps : POOL_EQUERY;
}

static int is_prepared(const pool_conn *pc, const pool_stmt *st)
{
    int i;

    for (i = 0; i < pc->nprepared; i++)
        if (pc->prepared[i] == st)
            return 1;
    return 0;
}

static pool_status prepare(pool_conn *pc, const pool_stmt *st, char *err, size_t errlen)
{
    PGresult *r;
    pool_status ps;

    if (!PQsendPrepare(pc->pg, st->name, st->sql, st->nparams, NULL))
        return send_failed(pc, err, errlen);
    ps = finish_rt(pc, rt_deadline(pc), 0, &r, err, errlen);
    if (ps != POOL_OK)
        return ps;
    PQclear(r);
    if (pc->nprepared < MAX_PREPARED)
        pc->prepared[pc->nprepared++] = st;
    return POOL_OK;
}

static pool_status exec_prepared(pool_conn *pc, const pool_stmt *st, const char *const *values,
                                 int format, PGresult **res, char *err, size_t errlen)
{
    pool_status ps;

    *res = NULL;
    if (pc->broken)
        return io_failed(pc, err, errlen);
    if (!is_prepared(pc, st)) {
        ps = prepare(pc, st, err, errlen);
        if (ps != POOL_OK)
            return ps;
    }
    if (!PQsendQueryPrepared(pc->pg, st->name, st->nparams, values, NULL, NULL, format))
        return send_failed(pc, err, errlen);
    return finish_rt(pc, rt_deadline(pc), 0, res, err, errlen);
}

pool_status pool_exec(pool_conn *pc, const pool_stmt *st, const char *const *values,
                      PGresult **res, char *err, size_t errlen)
{
    return exec_prepared(pc, st, values, 0, res, err, errlen);
}

pool_status pool_exec_binary(pool_conn *pc, const pool_stmt *st, const char *const *values,
                             PGresult **res, char *err, size_t errlen)
{
    return exec_prepared(pc, st, values, 1, res, err, errlen);
}

pool_status pool_exec_replan(pool_conn *pc, const pool_stmt *st, const char *const *values,
                             PGresult **res, char *err, size_t errlen)
{
    *res = NULL;
    if (pc->broken)
        return io_failed(pc, err, errlen);
    if (!PQsendQueryParams(pc->pg, st->sql, st->nparams, NULL, values, NULL, NULL, 0))
        return send_failed(pc, err, errlen);
    return finish_rt(pc, rt_deadline(pc), 0, res, err, errlen);
}

pool_status pool_exec_sql(pool_conn *pc, const char *sql, PGresult **res, char *err,
                          size_t errlen)
{
    *res = NULL;
    if (pc->broken)
        return io_failed(pc, err, errlen);
    if (!PQsendQuery(pc->pg, sql))
        return send_failed(pc, err, errlen);
    return finish_rt(pc, rt_deadline(pc), 0, res, err, errlen);
}

/* ---- pipelines ------------------------------------------------------------ */

/* The pipeline's commands in the order sent: a step (>= 0) or the
 * preparation of a step's statement (-1 - step). */
static int pipe_send(pool_conn *pc, const pool_step *steps, int n, int *cmd, int *ncmd)
{
    int i, j, fresh;

    *ncmd = 0;
    for (i = 0; i < n; i++) {
        const pool_stmt *st = steps[i].st;

        if (st) {
            fresh = !is_prepared(pc, st);
            for (j = 0; j < i && fresh; j++)
                fresh = steps[j].st != st;
            if (fresh) {
                if (!PQsendPrepare(pc->pg, st->name, st->sql, st->nparams, NULL))
                    return -1;
                cmd[(*ncmd)++] = -1 - i;
            }
            if (!PQsendQueryPrepared(pc->pg, st->name, st->nparams, steps[i].values, NULL,
                                     NULL, 0))
                return -1;
        } else if (!PQsendQueryParams(pc->pg, steps[i].sql, 0, NULL, NULL, NULL, NULL, 0)) {
            return -1;
        }
        cmd[(*ncmd)++] = i;
    }
    return PQpipelineSync(pc->pg) ? 0 : -1;
}

static void pipe_clear(pool_step *steps, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        PQclear(steps[i].res);
        steps[i].res = NULL;
    }
}

pool_status pool_exec_pipeline(pool_conn *pc, pool_step *steps, int n, int *failed, char *err,
                               size_t errlen)
{
    int cmd[2 * POOL_PIPELINE_MAX], ncmd = 0, ci = 0, w, step;
    double deadline = rt_deadline(pc);
    pool_status ps = POOL_OK;
    PGresult *r;

    *failed = n;
    pipe_clear(steps, n); /* nothing kept from the caller */
    if (pc->broken)
        return io_failed(pc, err, errlen);
    if (n < 1 || n > POOL_PIPELINE_MAX) {
        set_err(err, errlen, "pipeline of an unsupported length");
        return POOL_EQUERY;
    }
    if (!PQenterPipelineMode(pc->pg))
        return send_failed(pc, err, errlen);
    if (pipe_send(pc, steps, n, cmd, &ncmd) < 0) {
        /* half a pipeline may be queued: the connection is out of step */
        ps = send_failed(pc, err, errlen);
        pc->broken = 1;
        return ps;
    }
    for (;;) {
        w = rt_wait(pc, deadline);
        if (w != 0) {
            pipe_clear(steps, n);
            *failed = n;
            return w > 0 ? timed_out(pc, err, errlen) : io_failed(pc, err, errlen);
        }
        r = PQgetResult(pc->pg);
        if (!r) { /* the end of one command's results */
            if (++ci > ncmd || PQstatus(pc->pg) != CONNECTION_OK) {
                pipe_clear(steps, n); /* the connection went away under us */
                *failed = n;
                return io_failed(pc, err, errlen);
            }
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        step = ci < ncmd ? cmd[ci] : n;
        if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED || step == n) {
            PQclear(r); /* skipped after an earlier failure */
        } else if (res_failed(r)) {
            if (ps == POOL_OK) {
                ps = classify(pc, r);
                *failed = step < 0 ? -1 - step : step;
                set_err(err, errlen, PQresultErrorMessage(r));
            }
            PQclear(r);
        } else if (step < 0) {
            if (pc->nprepared < MAX_PREPARED)
                pc->prepared[pc->nprepared++] = steps[-1 - step].st;
            PQclear(r);
        } else {
            PQclear(steps[step].res);
            steps[step].res = r;
        }
    }
    if (!PQexitPipelineMode(pc->pg)) {
        pc->broken = 1; /* results left over: out of step with the protocol */
        if (ps == POOL_OK) {
            ps = POOL_EQUERY;
            set_err(err, errlen, PQerrorMessage(pc->pg));
        }
    }
    if (ps != POOL_OK) {
        pipe_clear(steps, n);
        return ps;
    }
    pc->sqlstate[0] = '\0';
    return POOL_OK;
}

/* Queues one piece of COPY data (or the end when data is NULL), waiting
 * for room in libpq's buffer as long as the deadline allows. */
static pool_status copy_put(pool_conn *pc, const char *data, size_t n, double deadline,
                            char *err, size_t errlen)
{
    int rc, w;

    for (;;) {
        rc = data ? PQputCopyData(pc->pg, data, (int)n) : PQputCopyEnd(pc->pg, NULL);
        if (rc == 1)
            return POOL_OK;
        if (rc < 0)
            return io_failed(pc, err, errlen);
        /* 0: the buffer is full (non-blocking): let some of it out. */
        if (PQflush(pc->pg) < 0)
            return io_failed(pc, err, errlen);
        w = wait_sock(pc->pg, POLLOUT, deadline);
        if (w == 0)
            return timed_out(pc, err, errlen);
        if (w < 0)
            return io_failed(pc, err, errlen);
    }
}

pool_status pool_copy_in(pool_conn *pc, const char *sql, const char *data, size_t len,
                         char *err, size_t errlen)
{
    double deadline = rt_deadline(pc);
    PGresult *r = NULL;
    pool_status ps;
    size_t off = 0, n;

    if (pc->broken)
        return io_failed(pc, err, errlen);
    if (!PQsendQuery(pc->pg, sql))
        return send_failed(pc, err, errlen);
    ps = finish_rt(pc, deadline, 1, &r, err, errlen);
    if (ps != POOL_OK)
        return ps;
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        PQclear(r);
        pc->broken = 1; /* out of step with the protocol */
        set_err(err, errlen, "COPY did not start");
        return POOL_EQUERY;
    }
    PQclear(r);
    while (off < len) {
        n = len - off > (1u << 20) ? (1u << 20) : len - off;
        ps = copy_put(pc, data + off, n, deadline, err, errlen);
        if (ps != POOL_OK)
            return ps;
        off += n;
    }
    ps = copy_put(pc, NULL, 0, deadline, err, errlen);
    if (ps != POOL_OK)
        return ps;
    ps = finish_rt(pc, deadline, 0, &r, err, errlen);
    PQclear(r);
    return ps;
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
    out->round_trip_timeouts = p->round_trip_timeouts;
    pthread_mutex_unlock(&p->mu);
}
