/*
 * input/import_batch.c -- the pipeline of a bulk import (POST /v1/import).
 *
 * A producer thread reads the records (CSV rows or the parsed JSON array)
 * and validates each exactly like POST /v1/projects (input/project.c, the
 * scoring library), publishing chunks of CHUNK records; the request's
 * thread takes each finished chunk and does its database part
 * (db/import_write.c).  So the validation of chunk k+1 runs on one core
 * while PostgreSQL stores chunk k on the other, instead of one after the
 * other (tests/bench/import measures it against a bare COPY).  The
 * producer stays at most AHEAD chunks ahead, and a chunk's records keep
 * only their outcome once stored: memory is bounded by a few chunks, not
 * by the import (an import of 10,000 projects of 20 indicators used 800
 * MiB when every record was held until the end).
 */
#include "input/import_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "input/import.h"
#include "problem.h"
#include "util.h"

void record_release(record *r)
{
    json_decref(r->obj);
    json_decref(r->existing);
    free(r->old_ids);
    free(r->ind_lines);
    project_in_free(&r->in);
    r->obj = r->existing = NULL;
    r->old_ids = NULL;
    r->ind_lines = NULL;
}

static void chunk_free(chunk *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        record_release(&c->recs[i]);
    free(c->recs);
    free(c);
}

static void keyset_free(keyset *s)
{
    size_t i;

    for (i = 0; i < s->cap; i++)
        free(s->v[i].name);
    free(s->v);
}

void batch_free(batch *b)
{
    chunk *c = b->head, *next;

    for (; c; c = next) {
        next = c->next;
        chunk_free(c);
    }
    chunk_free(b->cur);
    keyset_free(&b->seen);
    keyset_free(&b->existing);
    free(b->read);
    free(b->orgs);
    json_decref(b->rejections);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
}

static void producer_fail(batch *b, const char *what)
{
    pthread_mutex_lock(&b->mu);
    if (!b->fail_status) {
        b->fail_status = 500;
        snprintf(b->fail_what, sizeof b->fail_what, "%s", what);
    }
    pthread_mutex_unlock(&b->mu);
}

/* The producer hands its current chunk to the writer, waiting while it
 * is AHEAD chunks ahead.  0, or -1 when the writer asked it to stop. */
static int publish(batch *b)
{
    chunk *c = b->cur;
    int stop;

    b->cur = NULL;
    pthread_mutex_lock(&b->mu);
    if (c) {
        if (b->tail)
            b->tail->next = c;
        else
            b->head = c;
        b->tail = c;
        b->published++;
        pthread_cond_broadcast(&b->cv);
    }
    while (!b->stop && b->published > b->taken + AHEAD)
        pthread_cond_wait(&b->cv, &b->mu);
    stop = b->stop;
    pthread_mutex_unlock(&b->mu);
    return stop ? -1 : 0;
}

/* A new record in the producer's current chunk (publishing a full one). */
static record *batch_add(batch *b)
{
    record *r;

    if (b->cur && b->cur->n == CHUNK && publish(b) < 0)
        return NULL;
    if (!b->cur) {
        b->cur = calloc(1, sizeof *b->cur);
        if (!b->cur || !(b->cur->recs = calloc(CHUNK, sizeof *b->cur->recs))) {
            free(b->cur);
            b->cur = NULL;
            producer_fail(b, "out of memory");
            return NULL;
        }
    }
    r = &b->cur->recs[b->cur->n++];
    r->index = b->n++;
    return r;
}


/* Validates a complete record exactly as POST /v1/projects does and
 * drops its input object: the stored document (r->in.doc) is all that
 * later steps read. */
static void validate_record(batch *b, record *r)
{
    jx_errors errs;

    if (!json_is_object(r->obj))
        batch_reject(b, r, "", "TYPE_INVALID", "记录应为项目对象 (a record must be a project object)");
    else if (project_decode(app.ctx, r->obj, &r->in, &errs) < 0)
        batch_reject_errs(b, r, &errs);
    json_decref(r->obj);
    r->obj = NULL;
}

/* ---- CSV to records ------------------------------------------------------- */

/* The reading side of an import: the body (CSV, read by import_input.c
 * in the producer thread) or the parsed JSON array.  A malformed CSV's
 * 400 is written into csv_resp by the producer and moved into the
 * request's response by the writer. */
/* A record read from CSV joins the current chunk and is checked (the
 * producer thread).  -1 stops the reader: the writer asked to stop, or
 * memory ran out (recorded by batch_add). */
static int add_csv_record(void *ctx, json_t *obj, int line, int *ind_lines, size_t nind)
{
    batch *b = ctx;
    record *r = batch_add(b);

    if (!r) {
        json_decref(obj);
        free(ind_lines);
        return -1;
    }
    r->obj = obj;
    r->line = line;
    r->ind_lines = ind_lines;
    r->nind_lines = nind;
    validate_record(b, r);
    return 0;
}

static void csv_produce(source *s)
{
    batch *b = s->b;

    if (import_csv_records(s->data, s->len, &s->csv_resp, add_csv_record, b) == 0)
        return;
    pthread_mutex_lock(&b->mu);
    /* a stop asked by the writer, or out of memory already recorded */
    if (!b->stop && !b->fail_status) {
        b->fail_status = s->csv_resp.status == 400 ? 400 : 500;
        snprintf(b->fail_what, sizeof b->fail_what, "out of memory");
    }
    pthread_mutex_unlock(&b->mu);
}

static void json_produce(source *s)
{
    json_t *item;
    size_t i;

    json_array_foreach(s->arr, i, item) {
        record *r = batch_add(s->b);

        if (!r)
            return; /* stopped, or out of memory (recorded) */
        r->obj = json_incref(item);
        json_array_set_new(s->arr, i, json_null()); /* the record owns it now */
        validate_record(s->b, r);
    }
}

/* The producer thread: reads and validates every record, publishing
 * chunks; marks the batch done at the end. */
void *batch_producer(void *arg)
{
    source *s = arg;
    batch *b = s->b;

    if (s->arr)
        json_produce(s);
    else
        csv_produce(s);
    if (b->cur && b->cur->n && !b->fail_status)
        publish(b);
    pthread_mutex_lock(&b->mu);
    b->done = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* The writer's next chunk, waiting for the producer; NULL at the end or
 * when the producer failed (b->fail_status). */
chunk *batch_next_chunk(batch *b, chunk *prev)
{
    chunk *c;

    pthread_mutex_lock(&b->mu);
    while (!b->fail_status && b->taken == b->published && !b->done)
        pthread_cond_wait(&b->cv, &b->mu);
    c = NULL;
    if (!b->fail_status && b->taken < b->published) {
        c = prev ? prev->next : b->head;
        b->taken++;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    return c;
}

void batch_stop_producer(batch *b)
{
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* ---- rejections ------------------------------------------------------------ */


/* Both threads reject records: the array and counts are under b->mu. */
void batch_reject(batch *b, record *r, const char *ptr, const char *code, const char *message)
{
    json_t *o = NULL;

    pthread_mutex_lock(&b->mu);
    if (r->result != R_REJECTED)
        b->nrejected++;
    r->result = R_REJECTED;
    b->nerrors++;
    if (json_array_size(b->rejections) >= 2 * MAX_REJECTIONS)
        batch_sort_rejections(b); /* keeps the first MAX_REJECTIONS records' */
    o = json_pack("{s:I,s:s,s:s,s:s}", "record", (json_int_t)(r->index + 1), "pointer",
                      ptr, "code", code, "message", message);
    if (o && r->line) {
        int ind;
        const char *col = import_column_of(ptr, &ind);
        int line = ind >= 0 && (size_t)ind < r->nind_lines ? r->ind_lines[ind] : r->line;

        json_object_set_new(o, "line", json_integer(line));
        if (col)
            json_object_set_new(o, "column", json_string(col));
    }
    if (o)
        json_array_append_new(b->rejections, o);
    pthread_mutex_unlock(&b->mu);
}

void batch_reject_errs(batch *b, record *r, const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;

    for (i = 0; i < n; i++)
        batch_reject(b, r, errs->items[i].pointer, errs->items[i].code, errs->items[i].message);
}

/* Rejections by record (the two threads add them in no set order); the
 * entries of one record keep their order.  At most MAX_REJECTIONS are
 * kept, those of the lowest records (b->nerrors counts them all). */
static int cmp_rejection(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t rx = json_integer_value(json_object_get(x, "record"));
    json_int_t ry = json_integer_value(json_object_get(y, "record"));
    json_int_t sx = json_integer_value(json_object_get(x, "seq"));
    json_int_t sy = json_integer_value(json_object_get(y, "seq"));

    if (rx != ry)
        return rx < ry ? -1 : 1;
    return sx < sy ? -1 : sx > sy;
}

void batch_sort_rejections(batch *b)
{
    size_t i, n = json_array_size(b->rejections);
    json_t **v = malloc((n ? n : 1) * sizeof *v);

    if (!v)
        return;
    for (i = 0; i < n; i++) {
        v[i] = json_incref(json_array_get(b->rejections, i));
        json_object_set_new(v[i], "seq", json_integer((json_int_t)i));
    }
    qsort(v, n, sizeof *v, cmp_rejection);
    json_array_clear(b->rejections);
    for (i = 0; i < n; i++) {
        json_object_del(v[i], "seq");
        if (i < MAX_REJECTIONS)
            json_array_append(b->rejections, v[i]);
        json_decref(v[i]);
    }
    free(v);
}


int batch_rejected_any(batch *b)
{
    int any;

    pthread_mutex_lock(&b->mu);
    any = b->nrejected > 0;
    pthread_mutex_unlock(&b->mu);
    return any;
}
