/*
 * exec.h -- handler threads for requests that wait on the database
 * (see exec.c for why).
 */
#ifndef JX_EXEC_H
#define JX_EXEC_H

typedef struct exec_job exec_job;
struct exec_job {
    void (*run)(exec_job *j);   /* runs on a handler thread */
    exec_job *next;             /* the queue's link; exec.c owns it */
};

/* Starts n handler threads.  Returns 0, or -1 when none could start. */
int exec_start(int n);

/* Queues j; a handler thread calls j->run(j) in submission order.  The
 * job lives in the caller's memory, so this never allocates.  Returns 0,
 * or -1 when the threads are stopping or not started: run j yourself. */
int exec_submit(exec_job *j);

/* Runs what is queued, then joins the threads.  Call it only when nothing
 * more will be submitted. */
void exec_stop(void);

#endif
