/*
 * main.c -- jixiao-server: subcommands, start-up, signals, shutdown.
 *
 *   jixiao-server [serve] [options]   the HTTP service
 *   jixiao-server migrate [options]   apply migrations, ensure the admin token, exit
 *   jixiao-server routes              the route table, one "METHOD PATH" a line
 *   jixiao-server version
 *
 * Signals: SIGTERM and SIGINT are blocked in every thread (the mask is set
 * before the daemon's threads exist, so they inherit it) and the main
 * thread waits for them with sigwait.  No async signal handler runs, so
 * shutdown is ordinary code: stop accepting, let requests in flight
 * finish (bounded by --shutdown-timeout), stop the daemon, close the pool,
 * free the scoring context, exit 0.  With DATABASE_READ_URL a second pool
 * for the hot standby hangs off the primary one (pool.c, replica.c).  Everything is freed so that
 * LeakSanitizer can check the whole life of the process.
 *
 * Memory: glibc gives each worker thread its own malloc arena and keeps
 * what is freed there; after a burst of connections (1,024 x
 * libmicrohttpd's 32 KiB connection pool) RSS stayed ~30 MiB above its
 * start for good -- not a leak, only never returned.  The arenas are
 * capped (M_ARENA_MAX, fewer half-empty heaps) and the otherwise idle
 * main thread, waiting for a signal, looks every TRIM_TICK_MS: once
 * the server has been quiet for a whole tick after at least TRIM_AFTER
 * requests or connections, it calls malloc_trim(0), which hands the free
 * pages of every arena back to the kernel.  A busy server is never
 * trimmed (its memory is in use and reused); cost when it runs: a few ms
 * on a thread that serves no request.
 *
 * glibc's per-thread cache of freed small blocks (tcache) keeps 7 of each
 * size.  A create frees a few thousand small Jansson values at once; the
 * rest went back to the 4 shared arenas (under their locks), and the next
 * large allocation there consolidated them: malloc was ~28% of the
 * server's CPU under POST /v1/projects.  With 2,000 per size the blocks
 * stay with the thread that reuses them for the next request: 0.8x server
 * CPU per create and 1.2-1.3x creates/s in A/B (README, "Measured").  The
 * count is a tunable glibc reads at start only, so the server starts
 * itself again once with GLIBC_TUNABLES set -- unless the environment
 * already has GLIBC_TUNABLES (an operator's choice wins; an empty value
 * keeps glibc's defaults).
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/tokens.h"
#include "config.h"
#include "http/daemon.h"
#include "log.h"
#include "db/frameworks.h"
#include "exec.h"
#include "db/idempotency.h"
#include "db/migrate.h"
#include "db/pool.h"
#include "db/pool_metrics.h"
#include "db/projects.h"
#include "http/router.h"
#include "metrics.h"
#include "util.h"

jx_app app;

#define SERVER_VERSION "0.1.0"

#define TRIM_TICK_MS 100
#define TRIM_AFTER 256
#define ARENA_MAX 4

typedef struct {
    unsigned long seen;   /* http_activity() at the last tick */
    unsigned long since;  /* activity since the last trim */
} trim_state;

/* Called every tick: trims once activity has stopped for a tick. */
static void trim_when_idle(trim_state *t)
{
    unsigned long now = http_activity();

    if (now != t->seen) {
        t->since += now - t->seen;
        t->seen = now;
        return;
    }
    if (t->since < TRIM_AFTER)
        return;
    t->since = 0;
    malloc_trim(0);
}

/* ---- the Idempotency-Key purge (idempotency.c) ------------------------- */

#define PURGE_FIRST_S 1.0       /* after start */
#define PURGE_EVERY_S 600.0
#define PURGE_MAX_BATCHES 100   /* 100,000 keys a run at most; the rest next time */

static int purge_hours;
static atomic_int purge_busy;

/* On a handler thread: the main thread's tick must stay free to flush the
 * log, and a purge waits on the database like any write. */
static void purge_run(exec_job *j)
{
    long n;
    db_err e;

    (void)j;
    pool_request_begin(0);
    if (idem_purge(purge_hours, PURGE_MAX_BATCHES, &n, &e) < 0)
        log_msg(LOG_WARN, "idempotency key purge failed; next time again", e.msg);
    else if (n > 0)
        log_msgf(LOG_INFO, "idempotency keys purged", "%ld older than %d h", n, purge_hours);
    atomic_store(&purge_busy, 0);
}

static exec_job purge_job = {purge_run, NULL};

static void purge_when_due(double *next)
{
    double now = now_mono();

    if (purge_hours <= 0 || now < *next || atomic_exchange(&purge_busy, 1))
        return;
    *next = now + PURGE_EVERY_S;
    if (exec_submit(&purge_job) < 0)
        atomic_store(&purge_busy, 0);
}

/* Waits for SIGTERM/SIGINT, trimming memory while idle, flushing the
 * request log and purging old Idempotency-Keys when due.  The signal. */
static int wait_for_signal(const sigset_t *set)
{
    struct timespec tick = {0, TRIM_TICK_MS * 1000000L};
    trim_state t = {http_activity(), 0};
    double next_purge = now_mono() + PURGE_FIRST_S;
    int sig;

    for (;;) {
        sig = sigtimedwait(set, NULL, &tick);
        if (sig > 0)
            return sig;
        if (errno == EAGAIN) {
            log_flush();
            trim_when_idle(&t);
            purge_when_due(&next_purge);
        }
    }
}

/* The library's built-in frameworks into the frameworks table (a new
 * version when the library's text changed; db_frameworks.c). */
static int sync_frameworks(PGconn *pg)
{
    char err[512];
    jx_ctx *ctx = jx_ctx_new();
    int rc = ctx ? dbf_sync_builtins(pg, ctx, err, sizeof err) : -1;

    if (rc < 0)
        fprintf(stderr, "frameworks: %s\n", ctx ? err : "out of memory");
    jx_ctx_free(ctx);
    return rc;
}

static int cmd_migrate(const config *cfg)
{
    char err[512];
    PGconn *pg;
    int rc;

    if (migrate_apply(cfg->database_url, stdout) < 0)
        return 1;
    pg = pool_connect_one(cfg->database_url, err, sizeof err);
    if (!pg) {
        fprintf(stderr, "migrate: %s\n", err);
        return 1;
    }
    rc = auth_bootstrap(pg, cfg->bootstrap_token, stdout);
    if (rc == 0)
        rc = sync_frameworks(pg);
    PQfinish(pg);
    fflush(stdout);
    return rc < 0 ? 1 : 0;
}

/* Before serving: a schema newer than this binary means refusing to start;
 * an unreachable database or pending migrations only mean "not ready". */
static int check_schema(const config *cfg)
{
    char err[256];
    int version = 0, latest = migrate_latest();
    PGconn *pg;

    if (migrate_db_version(app.pool, &version, err, sizeof err) != POOL_OK) {
        log_msg(LOG_WARN, "database not reachable at start; serving, /readyz says 503", err);
        return 0;
    }
    if (version > latest) {
        log_msgf(LOG_ERROR, "refusing to serve",
                 "the database schema (version %d) is newer than this server knows (%d)",
                 version, latest);
        return -1;
    }
    if (version < latest) {
        log_msgf(LOG_WARN, "migrations pending",
                 "schema at version %d, server knows %d: run jixiao-server migrate", version,
                 latest);
        return 0;
    }
    /* Schema current: make sure the operator has a token. */
    pg = pool_connect_one(cfg->database_url, err, sizeof err);
    if (pg) {
        if (auth_bootstrap(pg, cfg->bootstrap_token, stdout) < 0)
            log_msg(LOG_WARN, "could not ensure the bootstrap admin token", NULL);
        if (sync_frameworks(pg) < 0)
            log_msg(LOG_WARN, "could not write the built-in frameworks", NULL);
        fflush(stdout);
        PQfinish(pg);
    }
    return 0;
}

/* /metrics pulls what other layers count (metrics.c knows none of them). */
static void register_metrics(void)
{
    metrics_set_routes(jx_route_count, router_route_name);
    metrics_add_provider(pool_metrics_primary);
    metrics_add_provider(pool_metrics_replica);
    metrics_add_provider(dbp_metrics);
}

static int cmd_serve(const config *cfg)
{
    sigset_t set;
    int sig = 0, rc = 1;
    jx_ctx *ctx = NULL;
    pool *replica = NULL;

    /* Before any thread exists: fewer, fuller arenas (see the top). */
    mallopt(M_ARENA_MAX, ARENA_MAX);
    /* A shell starts background jobs with SIGINT ignored; we want it. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (jx_route_count > METRICS_MAX_ROUTES || migrate_check_embedded() < 0) {
        log_msg(LOG_ERROR, "bad build: route table or migrations", NULL);
        return 1;
    }
    ctx = jx_ctx_new();
    app.pool = pool_new(cfg->database_url, cfg->db_pool, cfg->db_timeout_ms);
    if (!ctx || !app.pool) {
        log_msg(LOG_ERROR, "out of memory at start", NULL);
        goto out;
    }
    app.ctx = ctx;
    if (cfg->database_read_url[0]) {
        replica = pool_new(cfg->database_read_url, cfg->db_pool, cfg->db_timeout_ms);
        if (!replica) {
            log_msg(LOG_ERROR, "out of memory at start", NULL);
            goto out;
        }
        pool_set_replica(app.pool, replica);
        log_msg(LOG_INFO, "reads from a replica", "GET requests read from DATABASE_READ_URL");
    }
    if (check_schema(cfg) < 0)
        goto out;
    register_metrics();
    if (http_start(cfg) < 0)
        goto out;
    log_msgf(LOG_INFO, "listening", "http%s://%s threads=%d db_pool=%d max_body=%zu",
             cfg->tls_cert[0] ? "s" : "", cfg->listen, cfg->threads, cfg->db_pool,
             cfg->max_body);
    log_buffering(1);
    purge_hours = cfg->idempotency_hours;
    sig = wait_for_signal(&set);
    log_msgf(LOG_INFO, "shutting down", "signal %d", sig);
    http_stop(cfg->shutdown_timeout);
    log_buffering(0);
    rc = 0;
    log_msg(LOG_INFO, "stopped", NULL);
out:
    pool_free(replica);
    pool_free(app.pool);
    app.pool = NULL;
    jx_ctx_free(ctx);
    app.ctx = NULL;
    return rc;
}

#define TUNABLES "glibc.malloc.tcache_count=2000"

/* Re-executes the server with TUNABLES (see the top); returns when it
 * could not (no /proc, a binary replaced on disk), and the server runs
 * with glibc's defaults. */
static void tune_malloc(char **argv)
{
    char self[4096];
    ssize_t n;

    if (getenv("GLIBC_TUNABLES"))
        return;
    /* the binary's own path, not /proc/self/exe: the process keeps its
     * name ("jixiao-server", not "exe") in ps, top and /proc/PID/comm */
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0 || (size_t)n >= sizeof self - 1)
        return;
    self[n] = '\0';
    if (setenv("GLIBC_TUNABLES", TUNABLES, 1) != 0)
        return;
    execv(self, argv);
    unsetenv("GLIBC_TUNABLES");     /* not re-executed: glibc's defaults */
}

int main(int argc, char **argv)
{
    const char *cmd = "serve";
    config cfg;
    int first = 1, rc;

    tune_malloc(argv);
    if (argc > 1 && argv[1][0] != '-') {
        cmd = argv[1];
        first = 2;
    }
    if (!strcmp(cmd, "routes")) {
        router_print(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version")) {
        printf("jixiao-server %s (library %s, schema %d)\n", SERVER_VERSION, JX_VERSION,
               migrate_latest());
        return 0;
    }
    if (!strcmp(cmd, "help")) {
        config_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "serve") && strcmp(cmd, "migrate")) {
        fprintf(stderr, "jixiao-server: unknown command '%s' (see --help)\n", cmd);
        return 2;
    }
    rc = config_load(&cfg, argc - first, argv + first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    log_set_level(cfg.log_level);
    app.cfg = &cfg;
    app.version = SERVER_VERSION;
    if (!strcmp(cmd, "migrate"))
        return cmd_migrate(&cfg);
    return cmd_serve(&cfg);
}
