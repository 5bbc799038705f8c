/*
 * baseline.c -- the benchmark's yardstick: a minimal libmicrohttpd server
 * answering a fixed body, with the same threading model as jixiao-server
 * (internal polling threads, epoll, a pool of N threads) and the same
 * keep-alive-safe handler (return on the first call, queue on a later one).
 *
 *   baseline PORT [THREADS] [tpc]
 *
 * "tpc" switches to thread-per-connection, to compare the two models.
 * Runs until SIGINT/SIGTERM.
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] = "{\"status\":\"ok\"}";
static struct MHD_Response *fixed;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **state)
{
    static int first;

    (void)cls, (void)url, (void)method, (void)version, (void)data;
    if (*state == NULL) {
        *state = &first;
        return MHD_YES;
    }
    if (*size) {
        *size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(c, MHD_HTTP_OK, fixed);
}

int main(int argc, char **argv)
{
    unsigned port, threads = 4;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d;
    sigset_t set;
    int sig;

    if (argc < 2)
        return fprintf(stderr, "usage: baseline PORT [THREADS] [tpc]\n"), 2;
    port = (unsigned)atoi(argv[1]);
    if (argc > 2)
        threads = (unsigned)atoi(argv[2]);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    fixed = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                            MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(fixed, "Content-Type", "application/json");
    if (argc > 3 && !strcmp(argv[3], "tpc"))
        d = MHD_start_daemon(flags | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)port, NULL, NULL,
                             handler, NULL, MHD_OPTION_CONNECTION_LIMIT, 1024U,
                             MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, handler, NULL,
                             MHD_OPTION_THREAD_POOL_SIZE, threads,
                             MHD_OPTION_CONNECTION_LIMIT, 1024U,
                             MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U, MHD_OPTION_END);
    if (!d)
        return fprintf(stderr, "baseline: cannot listen on %u\n", port), 1;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(fixed);
    return 0;
}
