/*
 * batch.c -- group commit for requests that are each one statement.
 *
 * A create of a project costs PostgreSQL far more in fixed work per
 * statement (executor start-up of a six-part statement, the totals
 * trigger's plpgsql call and upsert, the commit) than in work per row:
 * one statement creating eight projects costs about what three separate
 * ones do (README, "Measured").  So a thread that submits a job either
 * leads a run -- takes every pending job (its own among them, oldest
 * first, up to max_jobs), runs them together with its own context (its
 * pooled connection), marks them done -- or, when max_running runs are
 * already under way, waits; a waiting thread whose job is still pending
 * when a run ends may lead the next one.  This is the leader/follower
 * scheme of PostgreSQL's own WAL group flush.
 *
 * Trade-offs:
 *   - No timer: a job never waits for company.  A lone request runs at
 *     once, alone; jobs group only while max_running runs are busy, so
 *     the batch size follows the load by itself.
 *   - max_running > 1 keeps PostgreSQL working on one run while the
 *     server parses the next requests; more would only split the queue
 *     into smaller runs.
 *   - A condition variable per job: a run's end wakes the threads of its
 *     own jobs and the oldest waiting job's (to lead the next run), not
 *     every waiting thread -- on two cores each needless wake-up is a
 *     context switch taken from the work.
 *   - The run function decides what a failure of the whole means (db_projects.c
 *     retries each job alone); batch.c only moves jobs.
 */
#include "batch.h"

#include <stddef.h>

enum { JOB_PENDING, JOB_TAKEN, JOB_DONE };

void batch_init(batch_queue *b, int max_jobs, int max_running, batch_fn run)
{
    pthread_mutex_init(&b->mu, NULL);
    b->head = NULL;
    b->tail = &b->head;
    b->running = 0;
    b->max_running = max_running < 1 ? 1 : max_running;
    b->max_jobs = max_jobs < 1 ? 1 : max_jobs > BATCH_MAX ? BATCH_MAX : max_jobs;
    b->run = run;
    b->batches = b->jobs = 0;
}

void batch_destroy(batch_queue *b)
{
    pthread_mutex_destroy(&b->mu);
}

/* Takes up to max_jobs pending jobs, oldest first (b->mu held). */
static int take(batch_queue *b, batch_job **jobs)
{
    int n = 0;

    while (b->head && n < b->max_jobs) {
        batch_job *j = b->head;

        b->head = j->next;
        j->next = NULL;
        j->state = JOB_TAKEN;
        jobs[n++] = j;
    }
    if (!b->head)
        b->tail = &b->head;
    return n;
}

void batch_submit(batch_queue *b, batch_job *job, void *ctx)
{
    job->next = NULL;
    job->state = JOB_PENDING;
    pthread_cond_init(&job->wake, NULL);
    pthread_mutex_lock(&b->mu);
    *b->tail = job;
    b->tail = &job->next;
    while (job->state != JOB_DONE) {
        if (job->state == JOB_PENDING && b->running < b->max_running) {
            batch_job *jobs[BATCH_MAX];
            int i, n = take(b, jobs);

            b->running++;
            if (b->head && b->running < b->max_running)
                pthread_cond_signal(&b->head->wake);   /* more than one run's worth waits */
            pthread_mutex_unlock(&b->mu);
            b->run(ctx, jobs, n);
            pthread_mutex_lock(&b->mu);
            b->running--;
            b->batches++;
            b->jobs += (unsigned long)n;
            for (i = 0; i < n; i++) {
                jobs[i]->state = JOB_DONE;
                if (jobs[i] != job)
                    pthread_cond_signal(&jobs[i]->wake);
            }
            if (b->head && b->head != job)
                pthread_cond_signal(&b->head->wake);   /* a run is free: lead it */
            continue;
        }
        pthread_cond_wait(&job->wake, &b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    pthread_cond_destroy(&job->wake);
}

void batch_stats(batch_queue *b, unsigned long *batches, unsigned long *jobs)
{
    pthread_mutex_lock(&b->mu);
    *batches = b->batches;
    *jobs = b->jobs;
    pthread_mutex_unlock(&b->mu);
}
