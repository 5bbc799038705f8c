/*
 * batch.h -- group commit: requests that arrive while others run are run
 * together, by one of their own threads (batch.c).
 */
#ifndef JX_BATCH_H
#define JX_BATCH_H

#include <pthread.h>

#define BATCH_MAX 64           /* jobs per run, at most */

/* Embed as a member of the caller's job; batch.c links and marks it. */
typedef struct batch_job {
    struct batch_job *next;
    int state;                  /* batch.c's: pending, taken, done */
    pthread_cond_t wake;        /* its thread waits here (batch.c) */
} batch_job;

/* Runs jobs[0..n) together, on the leading thread, with its ctx (for
 * instance its database connection); must leave every job's own result
 * filled, failures included. */
typedef void (*batch_fn)(void *ctx, batch_job **jobs, int n);

typedef struct {
    pthread_mutex_t mu;
    batch_job *head, **tail;    /* pending, oldest first */
    int running, max_running, max_jobs;
    batch_fn run;
    unsigned long batches, jobs; /* totals, for /metrics */
} batch_queue;

/* A static batch: BATCH_INITIALIZER(b, max_jobs, max_running, run). */
#define BATCH_INITIALIZER(self, max_jobs, max_running, fn)                                  \
    { PTHREAD_MUTEX_INITIALIZER, NULL, &(self).head, 0, (max_running), (max_jobs), (fn), 0, 0 }

/* 1 <= max_jobs <= BATCH_MAX jobs per run, at most max_running >= 1 runs at once. */
void batch_init(batch_queue *b, int max_jobs, int max_running, batch_fn run);
void batch_destroy(batch_queue *b);

/* Queues job and returns when a run (led by this thread with ctx, or by
 * another) has done it. */
void batch_submit(batch_queue *b, batch_job *job, void *ctx);

/* Runs and jobs done so far. */
void batch_stats(batch_queue *b, unsigned long *batches, unsigned long *jobs);

#endif
