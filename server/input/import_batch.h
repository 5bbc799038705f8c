/*
 * input/import_batch.h -- the records of a bulk import in chunks, as the
 * pipeline's producer thread validates them and the writer takes them
 * (input/import_batch.c), with the rejections of both.
 */
#ifndef JX_INPUT_IMPORT_BATCH_H
#define JX_INPUT_IMPORT_BATCH_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "input/project.h"
#include "server.h"

#define MAX_REJECTIONS 1000
#define CHUNK 500 /* records per chunk: ~10,000 indicator rows per COPY */
#define AHEAD 3   /* chunks the producer may validate ahead of the writer */

enum { R_PENDING = 0, R_CREATED, R_UPDATED, R_UNCHANGED, R_REJECTED };

typedef struct {
    size_t index;         /* 0-based position in the import */
    json_t *obj;          /* the record as a project body, until validated */
    int line;             /* CSV: the first line of the record; 0 for JSON */
    int *ind_lines;       /* CSV: the line of each indicator */
    size_t nind_lines;
    project_in in;
    int result;
    int64_t org_id, parent_id, id;
    char province[8], region[8];
    /* an existing project matched */
    int matched;
    char status[16];
    int64_t version;
    json_t *existing;
    int64_t *old_ids;     /* the existing project's indicator ids, in order */
    size_t nold;
} record;

typedef struct chunk {
    record *recs;
    size_t n;
    struct chunk *next;
} chunk;

/* An organisation the import has resolved (few per import). */
typedef struct {
    int64_t id, parent_id;
    int ok;               /* one the caller may file for */
    char province[8], region[8];
} org_entry;

/* A set of (organisation, year, name) keys with an id: open addressing,
 * cap a power of two, names copied. */
typedef struct {
    int64_t org, id;
    int year;
    char *name;
} key_entry;

typedef struct {
    key_entry *v;
    size_t n, cap;
} keyset;

/* A (province, organisation, year) whose existing projects were read. */
typedef struct {
    int64_t org;
    int year;
    char province[8];
} org_year;

typedef struct batch {
    /* shared between the producer and the writer (mu) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    chunk *head, *tail;   /* every chunk in order; the producer appends */
    size_t published;     /* chunks appended */
    size_t taken;         /* chunks the writer has started */
    int done;             /* the producer has finished (or failed) */
    int stop;             /* the writer asks the producer to stop */
    int fail_status;      /* 400 malformed CSV (in the source's csv_resp), 500 out
                             of memory; 0 = none */
    char fail_what[300];
    json_t *rejections;
    size_t nrejected;     /* records rejected */
    size_t nerrors;       /* rejection entries, all of them */
    /* the producer's own */
    chunk *cur;
    size_t n;             /* records read */
    /* the writer's own */
    org_entry *orgs;
    size_t norgs;
    keyset seen;          /* the import's records so far */
    keyset existing;      /* the projects stored before the import */
    org_year *read;       /* whose projects are in existing */
    size_t nread;
} batch;

typedef struct {
    batch *b;
    const char *data;
    size_t len;
    json_t *arr;          /* JSON input, or NULL for CSV */
    jx_resp csv_resp;
} source;

/* Frees what a record holds but its outcome (index, result, id). */
void record_release(record *r);
/* Frees the whole batch (chunks, rejections, the writer's sets). */
void batch_free(batch *b);
/* Rejects r (under the batch's lock): its entry in the rejections, kept up
 * to MAX_REJECTIONS, counted beyond. */
void batch_reject(batch *b, record *r, const char *ptr, const char *code, const char *message);
void batch_reject_errs(batch *b, record *r, const jx_errors *errs);
/* Sorts the rejections by record (the producer and the writer add them out
 * of order). */
void batch_sort_rejections(batch *b);
/* 1 when any record was rejected so far. */
int batch_rejected_any(batch *b);
/* The chunk after prev (NULL: the first), waiting for the producer; NULL
 * when there is none (the producer finished or failed). */
chunk *batch_next_chunk(batch *b, chunk *prev);
/* Asks the producer to stop and waits for it to see it. */
void batch_stop_producer(batch *b);
/* The producer thread's body: arg is a source; reads CSV or the JSON array
 * into records, validates each like POST /v1/projects, publishes chunks. */
void *batch_producer(void *arg);

#endif
