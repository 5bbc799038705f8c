/*
 * baseline.c -- the yardstick for GET /v1/projects/{id}: a minimal
 * libmicrohttpd + libpq server doing one primary-key SELECT per request,
 * with the same threading model as jixiao-server (internal polling
 * threads, epoll, a pool of N threads, one libpq connection per thread,
 * a prepared statement) and the same keep-alive-safe handler (return on
 * the first call, queue on a later one).
 *
 *   baseline PORT THREADS CONNINFO PROVINCE
 *
 * GET /<id> answers the stored document of project <id> (province fixed),
 * 404 when there is none.  No token, no scoping, no logging: the floor.
 */
#include <libpq-fe.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *conninfo, *province;
static __thread PGconn *pg;

static PGconn *conn(void)
{
    if (pg && PQstatus(pg) == CONNECTION_OK)
        return pg;
    if (pg)
        PQfinish(pg);
    pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK)
        return NULL;
    PQclear(PQprepare(pg, "get", "SELECT doc::text FROM projects WHERE province = $1 AND id = $2::bigint",
                      2, NULL));
    return pg;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **state)
{
    static int first;
    const char *v[2];
    PGresult *r;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    unsigned status = 200;
    PGconn *db;

    (void)cls, (void)method, (void)version, (void)data;
    if (*state == NULL) {
        *state = &first;
        return MHD_YES;
    }
    if (*size) {
        *size = 0;
        return MHD_YES;
    }
    db = conn();
    if (!db)
        return MHD_NO;
    v[0] = province;
    v[1] = url + 1;
    r = PQexecPrepared(db, "get", 2, v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        status = 404;
        resp = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer((size_t)PQgetlength(r, 0, 0), PQgetvalue(r, 0, 0),
                                               MHD_RESPMEM_MUST_COPY);
    }
    PQclear(r);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

int main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    sigset_t set;
    int sig;

    if (argc < 5)
        return fprintf(stderr, "usage: baseline PORT THREADS CONNINFO PROVINCE\n"), 2;
    conninfo = argv[3];
    province = argv[4];
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
                         (uint16_t)atoi(argv[1]), NULL, NULL, handler, NULL,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
                         MHD_OPTION_CONNECTION_LIMIT, 1024U, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U,
                         MHD_OPTION_END);
    if (!d)
        return fprintf(stderr, "baseline: cannot listen\n"), 1;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
