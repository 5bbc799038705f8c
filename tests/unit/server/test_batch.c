/*
 * test_batch.c -- group commit (server/batch.c): every submitted job is
 * run exactly once and is done when batch_submit returns; a lone job runs
 * at once on its own thread; jobs that arrive while max_running runs are
 * busy are run together, never more than max_jobs at once
 * and never more than max_running runs at a time; the thread that leads
 * a run passes its own context.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "batch.h"
#include "jxtest.h"

#define NJOBS 200

typedef struct {
    batch_job link;
    int index;
    int runs;          /* times run: must end 1 */
    int done_seen;     /* batch_submit returned after it ran */
    void *ran_with;    /* the leader's ctx */
} tjob;

static atomic_int running, max_running_seen, max_size_seen, runs;
static int delay_ms;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void run(void *ctx, batch_job **jobs, int n)
{
    int now = atomic_fetch_add(&running, 1) + 1, m = atomic_load(&max_running_seen), i;
    int s = atomic_load(&max_size_seen);

    while (now > m && !atomic_compare_exchange_weak(&max_running_seen, &m, now))
        ;
    while (n > s && !atomic_compare_exchange_weak(&max_size_seen, &s, n))
        ;
    for (i = 0; i < n; i++) {
        tjob *t = (tjob *)(void *)((char *)jobs[i] - offsetof(tjob, link));

        t->runs++;
        t->ran_with = ctx;
    }
    atomic_fetch_add(&runs, 1);
    if (delay_ms)
        sleep_ms(delay_ms);
    atomic_fetch_sub(&running, 1);
}

static batch_queue q;
static tjob jobs[NJOBS];

static void *submitter(void *arg)
{
    tjob *t = arg;

    batch_submit(&q, &t->link, t);
    t->done_seen = t->runs;
    return NULL;
}

/* Submits n jobs from n threads; the first one alone first when
 * first_alone (so that the others queue behind its run). */
static void submit_all(int n, int first_alone)
{
    pthread_t th[NJOBS];
    int i;

    atomic_store(&running, 0);
    atomic_store(&max_running_seen, 0);
    atomic_store(&max_size_seen, 0);
    atomic_store(&runs, 0);
    for (i = 0; i < n; i++) {
        jobs[i] = (tjob){.index = i};
        pthread_create(&th[i], NULL, submitter, &jobs[i]);
        if (i == 0 && first_alone)
            sleep_ms(20);   /* its run is under way, sleeping delay_ms */
    }
    for (i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

static int all_ran_once(int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (jobs[i].runs != 1 || jobs[i].done_seen != 1 || !jobs[i].ran_with)
            return 0;
    return 1;
}

int main(void)
{
    tjob lone = {.index = 0};

    jt_case("a lone job runs at once, on its own thread, alone");
    batch_init(&q, 16, 2, run);
    delay_ms = 0;
    batch_submit(&q, &lone.link, &lone);
    CHECK_INT(lone.runs, 1);
    CHECK(lone.ran_with == &lone);
    {
        unsigned long b, j;

        batch_stats(&q, &b, &j);
        CHECK_INT(b, 1);
        CHECK_INT(j, 1);
    }
    batch_destroy(&q);

    jt_case("many threads at once: each job exactly once, done when submit returns");
    batch_init(&q, 16, 2, run);
    delay_ms = 1;
    submit_all(NJOBS, 0);
    CHECK(all_ran_once(NJOBS));
    CHECK(atomic_load(&max_running_seen) <= 2);
    CHECK(atomic_load(&max_size_seen) <= 16);
    batch_destroy(&q);

    jt_case("jobs that arrive during a slow run are grouped (one running at most)");
    batch_init(&q, 64, 1, run);
    delay_ms = 200;
    submit_all(40, 1);
    CHECK(all_ran_once(40));
    CHECK_INT(atomic_load(&max_running_seen), 1);
    CHECK(atomic_load(&runs) < 40);            /* some ran together */
    CHECK(atomic_load(&max_size_seen) > 1);
    batch_destroy(&q);

    jt_case("max_jobs bounds a run; the rest lead runs of their own");
    batch_init(&q, 4, 1, run);
    delay_ms = 100;
    submit_all(20, 1);
    CHECK(all_ran_once(20));
    CHECK(atomic_load(&max_size_seen) <= 4);
    CHECK(atomic_load(&runs) >= 5);
    batch_destroy(&q);

    jt_case("out-of-range limits are clamped");
    batch_init(&q, 0, 0, run);
    CHECK_INT(q.max_jobs, 1);
    CHECK_INT(q.max_running, 1);
    batch_destroy(&q);
    batch_init(&q, 1000, 3, run);
    CHECK_INT(q.max_jobs, BATCH_MAX);
    batch_destroy(&q);
    return jt_finish("batch");
}
