/*
 * exec.c -- the handler threads: a fixed set of threads and a FIFO queue.
 *
 * Why: libmicrohttpd's workers each own a share of the connections and
 * run an epoll loop.  A handler that waits on PostgreSQL (a commit's WAL
 * flush, a row lock) used to wait on the worker itself, and every other
 * connection of that worker waited with it: with 4 workers at most 4
 * requests were in the database, and connections piled up on a few
 * workers (16 workers, 16 busy connections: ~7 workers busy, measured).
 * Now http.c suspends the connection, hands the request to this queue and
 * goes back to its loop; one of N handler threads (N = the database pool's
 * size, so every thread can hold a connection) runs the handler and
 * resumes the connection.  Requests that never touch the database
 * (/v1/score, /healthz, /metrics) still run inline: for them the hand-off
 * would be pure cost.
 *
 * Shape: one mutex, one condition variable, an intrusive singly linked
 * FIFO (the job lives inside the request, so submitting never allocates
 * and never fails for want of memory).  The queue is bounded by the
 * connection limit: a connection has at most one request in the queue.
 *
 * Stopping: exec_stop lets the threads finish what they run and what is
 * queued, then joins them; from then on exec_submit refuses (-1) and the
 * caller runs the job itself.  http.c stops the threads before it stops
 * the daemon, because libmicrohttpd must not be stopped while a
 * connection is still suspended, and keep-alive connections may still
 * send requests until the daemon is stopped.
 */
#include "exec.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static exec_job *head, *tail;
static int stopping;
static pthread_t *threads;
static int nthreads;

static exec_job *take(void)
{
    exec_job *j;

    pthread_mutex_lock(&mu);
    while (!head && !stopping)
        pthread_cond_wait(&cv, &mu);
    j = head;
    if (j) {
        head = j->next;
        if (!head)
            tail = NULL;
    }
    pthread_mutex_unlock(&mu);
    return j;
}

static void *thread_main(void *arg)
{
    exec_job *j;

    (void)arg;
    /* Drain the queue even while stopping: every queued job must resume
     * its connection, or the daemon could not stop. */
    while ((j = take()) != NULL)
        j->run(j);
    return NULL;
}

int exec_start(int n)
{
    int i;

    if (n < 1)
        n = 1;
    threads = calloc((size_t)n, sizeof *threads);
    if (!threads)
        return -1;
    pthread_mutex_lock(&mu);
    stopping = 0;
    for (i = 0; i < n; i++) {
        if (pthread_create(&threads[i], NULL, thread_main, NULL) != 0)
            break;
        nthreads++;
    }
    pthread_mutex_unlock(&mu);
    if (nthreads == 0) {
        free(threads);
        threads = NULL;
        return -1;
    }
    return 0;
}

int exec_submit(exec_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&mu);
    if (stopping || !nthreads) {
        pthread_mutex_unlock(&mu);
        return -1;
    }
    if (tail)
        tail->next = j;
    else
        head = j;
    tail = j;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return 0;
}

void exec_stop(void)
{
    int i;

    if (!threads)
        return;
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    threads = NULL;
    pthread_mutex_lock(&mu);
    nthreads = 0;
    pthread_mutex_unlock(&mu);
}
