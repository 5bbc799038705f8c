/*
 * test_exec.c -- the handler threads of the server (server/exec.c): jobs
 * run, in submission order when there is one thread, on several threads
 * at once when there are several, every queued job runs before
 * exec_stop returns, and after the stop exec_submit refuses so that the
 * caller runs the job itself (http.c relies on each of these).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "exec.h"
#include "jxtest.h"

typedef struct {
    exec_job job;
    int index;
    int delay_ms;
} tjob;

static atomic_int ran, order_ok, next_index, concurrent, max_concurrent;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void run(exec_job *j)
{
    tjob *t = (tjob *)(void *)((char *)j - offsetof(tjob, job));
    int now = atomic_fetch_add(&concurrent, 1) + 1, m = atomic_load(&max_concurrent);

    while (now > m && !atomic_compare_exchange_weak(&max_concurrent, &m, now))
        ;
    if (atomic_fetch_add(&next_index, 1) != t->index)
        atomic_store(&order_ok, 0);
    if (t->delay_ms)
        sleep_ms(t->delay_ms);
    atomic_fetch_sub(&concurrent, 1);
    atomic_fetch_add(&ran, 1);
}

static void reset(void)
{
    atomic_store(&ran, 0);
    atomic_store(&order_ok, 1);
    atomic_store(&next_index, 0);
    atomic_store(&concurrent, 0);
    atomic_store(&max_concurrent, 0);
}

static void submit_all(tjob *jobs, int n, int delay_ms)
{
    int i;

    for (i = 0; i < n; i++) {
        jobs[i].job.run = run;
        jobs[i].index = i;
        jobs[i].delay_ms = delay_ms;
        CHECK_INT(exec_submit(&jobs[i].job), 0);
    }
}

int main(void)
{
    static tjob jobs[1000];
    tjob late = {{run, NULL}, 0, 0};

    jt_case("no threads: submit refuses, the caller runs the job");
    CHECK_INT(exec_submit(&late.job), -1);

    jt_case("one thread: every job, in submission order; stop drains the queue");
    reset();
    CHECK_INT(exec_start(1), 0);
    submit_all(jobs, 1000, 0);
    exec_stop();
    CHECK_INT(atomic_load(&ran), 1000);
    CHECK_INT(atomic_load(&order_ok), 1);
    CHECK_INT(atomic_load(&max_concurrent), 1);

    jt_case("after exec_stop: submit refuses");
    CHECK_INT(exec_submit(&late.job), -1);

    jt_case("eight threads: slow jobs overlap, and all finish before stop returns");
    reset();
    CHECK_INT(exec_start(8), 0);
    submit_all(jobs, 32, 20);
    exec_stop();
    CHECK_INT(atomic_load(&ran), 32);
    CHECK(atomic_load(&max_concurrent) > 1);

    jt_case("restart after a stop");
    reset();
    CHECK_INT(exec_start(2), 0);
    submit_all(jobs, 10, 0);
    exec_stop();
    CHECK_INT(atomic_load(&ran), 10);
    return jt_finish("exec");
}
