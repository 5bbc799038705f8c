/*
 * routes/import.c -- POST /v1/import: many projects at once, as a JSON
 * array of project objects (the body of POST /v1/projects, each with its
 * org_id) or as CSV with one row per indicator and the project columns
 * repeated (docs/import.md lists the columns; scripts/example-import.csv
 * is an example).
 *
 *   ?mode=all_or_nothing (default)  any rejected record: nothing is
 *                                   written, 422 with the summary
 *   ?mode=per_record                the valid records are written, the
 *                                   others listed as rejected
 *   ?dry_run=true                   everything checked, nothing written
 *
 * The answer is an import summary in the manner of DHIS2's: records,
 * created, updated, unchanged, rejected, and each rejection with its
 * record number (1-based), CSV line and column, JSON pointer, code and
 * message (sorted by record).  Records match existing projects by
 * organisation, year and name: an identical one is "unchanged", a
 * different one "updated" (drafts only; indicator ids kept by position), a
 * new one "created".
 *
 * A pipeline of two threads over chunks of CHUNK records, all in one
 * transaction.  A producer thread reads the records (CSV rows or the
 * parsed JSON array) and validates each exactly like POST /v1/projects
 * (project.c, the scoring library); the request's thread takes each
 * finished chunk and does its database part: organisations (cached for
 * the import), records naming the same project twice (a hash set over
 * the import), existing projects (one statement), ids in two blocks, and
 * the new projects, indicators and audit entries streamed in with three
 * COPYs (db_import.c).  So the validation of chunk k+1 runs on one core
 * while PostgreSQL stores chunk k on the other, instead of one after the
 * other (tests/bench/import measures it against a bare COPY).  The
 * producer stays at most AHEAD chunks ahead, and a chunk's records keep
 * only their outcome once stored: memory is bounded by a few chunks, not
 * by the import (an import of 10,000 projects of 20 indicators used 800
 * MiB when every record was held until the end).
 *
 * all_or_nothing writes chunk by chunk too and rolls back if any record
 * is rejected (after the first rejection nothing more is sent; records are
 * still validated and matched for the summary).  dry_run never writes.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/import.h"
#include "db/projects.h"
#include "db/idempotency.h"
#include "input/import.h"
#include "problem.h"
#include "input/project.h"
#include "routes/fwuse.h"
#include "routes/routes.h"
#include "util.h"

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

/* A framework named by the import's records, as looked up for an
 * organisation: found (fw) or refused (errs). */
#define MAX_FRAMEWORKS 32
typedef struct {
    char id[72];
    int version;
    int64_t org;
    int rc;               /* 0 found, 1 refused */
    fw_use fw;
    jx_errors errs;
} fw_entry;

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

typedef struct {
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
    /* the producer's frameworks: (id, version asked, organisation) as
     * looked up within reach (routes/fwuse.c), few per import */
    const auth_info *who;
    fw_entry fws[MAX_FRAMEWORKS];
    size_t nfws;
    /* the writer's own */
    org_entry *orgs;
    size_t norgs;
    keyset seen;          /* the import's records so far */
    keyset existing;      /* the projects stored before the import */
    org_year *read;       /* whose projects are in existing */
    size_t nread;
} batch;

static void record_release(record *r)
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

static void batch_free(batch *b)
{
    chunk *c = b->head, *next;

    for (; c; c = next) {
        next = c->next;
        chunk_free(c);
    }
    chunk_free(b->cur);
    keyset_free(&b->seen);
    keyset_free(&b->existing);
    for (size_t i = 0; i < b->nfws; i++)
        fw_use_free(&b->fws[i].fw);
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

static void reject_errs(batch *b, record *r, const jx_errors *errs);
static void reject(batch *b, record *r, const char *ptr, const char *code, const char *message);

/* Validates a complete record exactly as POST /v1/projects does and
 * drops its input object: the stored document (r->in.doc) is all that
 * later steps read. */
static void producer_fail(batch *b, const char *what);

/* The framework a record names (a CSV column, or the JSON member), looked
 * up once per (framework, version, organisation) within the reach of the
 * record's organisation and the caller; NULL when refused (errs filled)
 * or when the look-up failed (the import fails: *failed). */
static const fw_entry *record_framework(batch *b, json_t *obj, jx_errors *errs, int *failed)
{
    const char *id = fw_named(obj, "project-2020");
    int version = fw_version_named(obj);
    json_t *o = json_object_get(obj, "org_id");
    int64_t org = json_is_integer(o) && json_integer_value(o) > 0 ? json_integer_value(o) : 0;
    fw_entry *f;
    db_err e;
    size_t i;

    *failed = 0;
    for (i = 0; i < b->nfws; i++) {
        f = &b->fws[i];
        if (!strcmp(f->id, id) && f->version == version && f->org == org)
            goto found;
    }
    if (b->nfws == MAX_FRAMEWORKS || strlen(id) >= sizeof f->id) {
        jx_errors_clear(errs);
        errs_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_UNKNOWN",
                 "一次导入至多 %d 个不同的评价框架与单位组合 (at most %d frameworks and "
                 "organisations in one import)",
                 MAX_FRAMEWORKS, MAX_FRAMEWORKS);
        return NULL;
    }
    f = &b->fws[b->nfws];
    memset(f, 0, sizeof *f);
    f->rc = fw_lookup(NULL, b->who, id, version, org, "project", &f->fw, &f->errs, &e);
    if (f->rc < 0) {
        producer_fail(b, "评价框架查询失败 (framework look-up failed)");
        *failed = 1;
        return NULL;
    }
    snprintf(f->id, sizeof f->id, "%s", id);
    f->version = version;
    f->org = org;
    b->nfws++;
found:
    if (f->rc == 0)
        return f;
    *errs = f->errs;
    return NULL;
}

static void validate_record(batch *b, record *r)
{
    jx_errors errs;
    const fw_entry *f = NULL;
    json_t *named = json_object_get(r->obj, "framework");
    int failed = 0;

    jx_errors_clear(&errs);
    if (!json_is_object(r->obj)) {
        reject(b, r, "", "TYPE_INVALID", "记录应为项目对象 (a record must be a project object)");
    } else if ((!named || json_is_null(named) || json_is_string(named)) &&
               !(f = record_framework(b, r->obj, &errs, &failed))) {
        if (!failed)
            reject_errs(b, r, &errs);
    } else if (project_decode_fw(app.ctx, r->obj, f ? &f->fw : NULL, &r->in, &errs) < 0) {
        reject_errs(b, r, &errs);
    }
    json_decref(r->obj);
    r->obj = NULL;
}

/* ---- CSV to records ------------------------------------------------------- */

/* The reading side of an import: the body (CSV, read by import_input.c
 * in the producer thread) or the parsed JSON array.  A malformed CSV's
 * 400 is written into csv_resp by the producer and moved into the
 * request's response by the writer. */
typedef struct {
    batch *b;
    const char *data;
    size_t len;
    json_t *arr;          /* JSON input, or NULL for CSV */
    jx_resp csv_resp;
} source;

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
static void *producer(void *arg)
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
static chunk *next_chunk(batch *b, chunk *prev)
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

static void stop_producer(batch *b)
{
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* ---- rejections ------------------------------------------------------------ */

static void sort_rejections(batch *b);

/* Both threads reject records: the array and counts are under b->mu. */
static void reject(batch *b, record *r, const char *ptr, const char *code, const char *message)
{
    json_t *o = NULL;

    pthread_mutex_lock(&b->mu);
    if (r->result != R_REJECTED)
        b->nrejected++;
    r->result = R_REJECTED;
    b->nerrors++;
    if (json_array_size(b->rejections) >= 2 * MAX_REJECTIONS)
        sort_rejections(b); /* keeps the first MAX_REJECTIONS records' */
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

static void reject_errs(batch *b, record *r, const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;

    for (i = 0; i < n; i++)
        reject(b, r, errs->items[i].pointer, errs->items[i].code, errs->items[i].message);
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

static void sort_rejections(batch *b)
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

/* ---- the database part ------------------------------------------------------ */

static void decimal_text(json_t *v, char *buf, size_t n, const char **out)
{
    *out = NULL;
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, n, "%.15g", json_real_value(v));
    else if (json_is_string(v))
        snprintf(buf, n, "%s", json_string_value(v));
    else
        return;
    *out = buf;
}

/* JSON text of a value, or NULL for absent/null (malloc'd). */
static char *json_text(json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    return json_dumps(v, PROJECT_DUMP_FLAGS | JSON_ENCODE_ANY);
}

static void copy_i64(strbuf *sb, int64_t v, int last)
{
    char buf[24];

    snprintf(buf, sizeof buf, "%lld", (long long)v);
    sb_copy_field(sb, buf, last);
}

/* One new project: its row, indicator rows and audit row. */
static int copy_rows(const auth_info *who, record *r, strbuf *pj, strbuf *ind, strbuf *aud)
{
    project_in *in = &r->in;
    char *doc = json_dumps(in->doc, PROJECT_DUMP_FLAGS), buf[32];
    json_t *arr = json_object_get(in->doc, "indicators"), *x;
    size_t i;

    if (!doc)
        return -1;
    sb_copy_field(pj, r->province, 0);
    copy_i64(pj, r->id, 0);
    copy_i64(pj, r->org_id, 0);
    if (r->parent_id)
        copy_i64(pj, r->parent_id, 0);
    else
        sb_copy_field(pj, NULL, 0);
    sb_copy_field(pj, r->region, 0);
    copy_i64(pj, in->year, 0);
    sb_copy_field(pj, in->name, 0);
    sb_copy_field(pj, in->code, 0);
    sb_copy_field(pj, in->framework, 0);
    sb_copy_field(pj, in->fund_nature, 0);
    sb_copy_field(pj, in->category, 0);
    fen_text(in->initial_fen, buf, sizeof buf);
    sb_copy_field(pj, in->has_initial ? buf : NULL, 0);
    fen_text(in->adjusted_fen, buf, sizeof buf);
    sb_copy_field(pj, in->has_adjusted ? buf : NULL, 0);
    fen_text(in->executed_fen, buf, sizeof buf);
    sb_copy_field(pj, in->has_executed ? buf : NULL, 0);
    snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(in->total_cents / 100),
             (long long)(in->total_cents % 100));
    sb_copy_field(pj, in->has_total ? buf : NULL, 0);
    sb_copy_field(pj, in->grade, 0);
    copy_i64(pj, (int64_t)json_array_size(arr), 0);
    sb_copy_field(pj, doc, 0);
    sb_copy_field(pj, who->token_id_s, 0);
    sb_copy_field(pj, who->token_id_s, 1);

    json_array_foreach(arr, i, x) {
        char *t = json_text(json_object_get(x, "target"));
        char *a = json_text(json_object_get(x, "actual"));
        char *ru = json_text(json_object_get(x, "rule"));
        char wb[64], sbuf[64];
        const char *w, *s;

        decimal_text(json_object_get(x, "weight"), wb, sizeof wb, &w);
        decimal_text(json_object_get(x, "reported_score"), sbuf, sizeof sbuf, &s);
        sb_copy_field(ind, r->province, 0);
        copy_i64(ind, json_integer_value(json_object_get(x, "id")), 0);
        copy_i64(ind, r->id, 0);
        copy_i64(ind, (int64_t)i, 0);
        sb_copy_field(ind, json_string_value(json_object_get(x, "level1")), 0);
        sb_copy_field(ind, json_string_value(json_object_get(x, "level2")), 0);
        sb_copy_field(ind, json_string_value(json_object_get(x, "name")), 0);
        sb_copy_field(ind, w, 0);
        sb_copy_field(ind, t, 0);
        sb_copy_field(ind, a, 0);
        sb_copy_field(ind, ru, 0);
        sb_copy_field(ind, json_string_value(json_object_get(x, "deviation_reason")), 0);
        sb_copy_field(ind, s, 1);
        free(t);
        free(a);
        free(ru);
    }

    sb_copy_field(aud, r->province, 0);
    sb_puts(aud, "project\t");
    copy_i64(aud, r->id, 0);
    copy_i64(aud, r->org_id, 0);
    if (r->parent_id)
        copy_i64(aud, r->parent_id, 0);
    else
        sb_copy_field(aud, NULL, 0);
    sb_copy_field(aud, r->region, 0);
    sb_puts(aud, "import\t1\t");
    sb_copy_field(aud, who->org_id_s, 0);
    sb_copy_field(aud, who->token_id_s, 0);
    sb_copy_field(aud, doc, 1);
    free(doc);
    return 0;
}

static const char COPY_PROJECTS[] =
    "COPY projects (province, id, org_id, parent_org_id, region_code, year, name, code,"
    " framework_id, fund_nature, category, budget_initial, budget_adjusted, budget_executed,"
    " reported_total, reported_grade, indicator_count, doc, created_by_token,"
    " updated_by_token) FROM STDIN";
static const char COPY_INDICATORS[] =
    "COPY indicators (province, id, project_id, position, level1, level2, name, weight,"
    " target, actual, rule, deviation_reason, reported_score) FROM STDIN";
static const char COPY_AUDIT[] =
    "COPY audit_log (province, resource, resource_id, org_id, parent_org_id, region_code,"
    " action, version, actor_org_id, actor_token_id, after) FROM STDIN";

/* Organisations: each record's org must be one the caller files for.
 * Resolved once per import (an import names few organisations): only
 * those not seen in an earlier chunk are asked for. */
static int resolve_orgs(pool_conn *pc, const auth_info *who, batch *b, chunk *c, db_err *e)
{
    strbuf sb;
    PGresult *res = NULL;
    size_t i, k, nnew = 0;
    int rc = -1;

    sb_init(&sb);
    sb_puts(&sb, "{");
    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];

        if (r->result == R_REJECTED)
            continue;
        r->org_id = r->in.org_id ? r->in.org_id : who->org_id;
        for (k = 0; k < b->norgs && b->orgs[k].id != r->org_id; k++)
            ;
        if (k == b->norgs) {
            org_entry *no = realloc(b->orgs, (b->norgs + 1) * sizeof *no);

            if (!no)
                goto out;
            b->orgs = no;
            memset(&b->orgs[b->norgs], 0, sizeof *no);
            b->orgs[b->norgs++].id = r->org_id;
            nnew++;
            {
                char buf[24];

                snprintf(buf, sizeof buf, "%lld", (long long)r->org_id);
                sb_pg_array_item(&sb, buf);
            }
        }
    }
    sb_puts(&sb, "}");
    if (sb.oom)
        goto out;
    if (nnew) {
        int row;

        if (dbi_orgs(pc, who, sb.buf, &res, e) < 0)
            goto out;
        for (row = 0; row < PQntuples(res); row++) {
            int64_t id = strtoll(PQgetvalue(res, row, 0), NULL, 10);

            for (k = b->norgs - nnew; k < b->norgs; k++) {
                org_entry *o = &b->orgs[k];

                if (o->id != id)
                    continue;
                o->ok = 1;
                o->parent_id =
                    PQgetisnull(res, row, 1) ? 0 : strtoll(PQgetvalue(res, row, 1), NULL, 10);
                snprintf(o->region, sizeof o->region, "%s", PQgetvalue(res, row, 2));
                snprintf(o->province, sizeof o->province, "%s", PQgetvalue(res, row, 3));
            }
        }
    }
    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];

        if (r->result == R_REJECTED)
            continue;
        for (k = 0; k < b->norgs && b->orgs[k].id != r->org_id; k++)
            ;
        if (k < b->norgs && b->orgs[k].ok) {
            r->parent_id = b->orgs[k].parent_id;
            memcpy(r->region, b->orgs[k].region, sizeof r->region);
            memcpy(r->province, b->orgs[k].province, sizeof r->province);
        } else {
            reject(b, r, "/org_id", "ORG_UNKNOWN",
                   "组织不存在或不在您可填报的范围内 (no such organisation that you may file "
                   "projects for)");
        }
    }
    rc = 0;
out:
    PQclear(res);
    sb_free(&sb);
    return rc;
}

static uint64_t key_hash(int64_t org, int year, const char *name)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)org ^ ((uint64_t)(uint32_t)year << 40);

    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static key_entry *keyset_slot(const keyset *s, int64_t org, int year, const char *name)
{
    size_t at;

    for (at = key_hash(org, year, name) & (s->cap - 1); s->v[at].name; at = (at + 1) & (s->cap - 1))
        if (s->v[at].org == org && s->v[at].year == year && !strcmp(s->v[at].name, name))
            break;
    return &s->v[at];
}

static const key_entry *keyset_get(const keyset *s, int64_t org, int year, const char *name)
{
    const key_entry *k = s->cap ? keyset_slot(s, org, year, name) : NULL;

    return k && k->name ? k : NULL;
}

/* 1 when the key was already there, 0 when added, -1 out of memory. */
static int keyset_put(keyset *s, int64_t org, int year, const char *name, int64_t id)
{
    key_entry *k;

    if ((s->n + 1) * 2 > s->cap) {
        keyset g = {calloc(s->cap ? s->cap * 2 : 1024, sizeof(key_entry)), 0,
                    s->cap ? s->cap * 2 : 1024};
        size_t i;

        if (!g.v)
            return -1;
        for (i = 0; i < s->cap; i++)
            if (s->v[i].name)
                *keyset_slot(&g, s->v[i].org, s->v[i].year, s->v[i].name) = s->v[i];
        g.n = s->n;
        free(s->v);
        *s = g;
    }
    k = keyset_slot(s, org, year, name);
    if (k->name)
        return 1;
    if (!(k->name = strdup(name)))
        return -1;
    k->org = org;
    k->year = year;
    k->id = id;
    s->n++;
    return 0;
}

/* Records naming a project that an earlier record of the import named
 * (same organisation, year and name) are rejected: a set over the whole
 * import, filled chunk by chunk in record order. */
static int reject_duplicates(batch *b, chunk *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];
        int rc;

        if (r->result == R_REJECTED)
            continue;
        rc = keyset_put(&b->seen, r->org_id, r->in.year, r->in.name, 0);
        if (rc < 0)
            return -1;
        if (rc)
            reject(b, r, "/name", "DUPLICATE_RECORD",
                   "同一单位同一年度的同名项目在本次导入中出现多次 (the same project appears "
                   "twice in this import)");
    }
    return 0;
}

/* Reads the names and ids of the projects of each (province, org, year)
 * of the chunk not read before (db_import.c says why not per key). */
static int read_existing(pool_conn *pc, batch *b, chunk *c, db_err *e)
{
    strbuf pr, og, yr;
    PGresult *res = NULL;
    size_t i, k, first = b->nread;
    int row, rc = -1;

    sb_init(&pr);
    sb_init(&og);
    sb_init(&yr);
    sb_puts(&pr, "{");
    sb_puts(&og, "{");
    sb_puts(&yr, "{");
    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];
        char buf[24];
        org_year *no;

        if (r->result == R_REJECTED)
            continue;
        for (k = 0; k < b->nread; k++)
            if (b->read[k].org == r->org_id && b->read[k].year == r->in.year)
                break;
        if (k < b->nread)
            continue;
        if (!(no = realloc(b->read, (b->nread + 1) * sizeof *no)))
            goto out;
        b->read = no;
        b->read[b->nread].org = r->org_id;
        b->read[b->nread].year = r->in.year;
        memcpy(b->read[b->nread++].province, r->province, sizeof r->province);
        sb_pg_array_item(&pr, r->province);
        snprintf(buf, sizeof buf, "%lld", (long long)r->org_id);
        sb_pg_array_item(&og, buf);
        snprintf(buf, sizeof buf, "%d", r->in.year);
        sb_pg_array_item(&yr, buf);
    }
    sb_puts(&pr, "}");
    sb_puts(&og, "}");
    sb_puts(&yr, "}");
    if (pr.oom || og.oom || yr.oom)
        goto out;
    if (b->nread > first) {
        if (dbi_names(pc, pr.buf, og.buf, yr.buf, &res, e) < 0)
            goto out;
        for (row = 0; row < PQntuples(res); row++) {
            size_t at = (size_t)strtoull(PQgetvalue(res, row, 0), NULL, 10);

            if (at < 1 || first + at > b->nread)
                continue;
            if (keyset_put(&b->existing, b->read[first + at - 1].org, b->read[first + at - 1].year,
                           PQgetvalue(res, row, 1), strtoll(PQgetvalue(res, row, 2), NULL, 10)) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    PQclear(res);
    sb_free(&pr);
    sb_free(&og);
    sb_free(&yr);
    return rc;
}

/* The chunk's records that name an existing project: that project, locked
 * and read (status, version, document, indicator ids). */
static int match_existing(pool_conn *pc, batch *b, chunk *c, db_err *e)
{
    strbuf ids;
    PGresult *res = NULL;
    size_t i, m = 0;
    int row, rc = -1;

    if (read_existing(pc, b, c, e) < 0)
        return -1;
    sb_init(&ids);
    sb_puts(&ids, "{");
    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];
        const key_entry *k;
        char buf[24];

        if (r->result == R_REJECTED ||
            !(k = keyset_get(&b->existing, r->org_id, r->in.year, r->in.name)))
            continue;
        r->id = k->id;
        snprintf(buf, sizeof buf, "%lld", (long long)k->id);
        sb_pg_array_item(&ids, buf);
        m++;
    }
    sb_puts(&ids, "}");
    if (ids.oom)
        goto out;
    if (m && dbi_lock(pc, ids.buf, &res, e) < 0)
        goto out;
    for (row = 0; m && row < PQntuples(res); row++) {
        int64_t id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
        json_t *inds, *x;
        size_t j;
        record *r = NULL;

        for (i = 0; i < c->n && !r; i++)
            if (c->recs[i].result != R_REJECTED && c->recs[i].id == id)
                r = &c->recs[i];
        /* still the same project (not renamed since its name was read)? */
        if (!r || strtoll(PQgetvalue(res, row, 4), NULL, 10) != r->org_id ||
            atoi(PQgetvalue(res, row, 5)) != r->in.year || strcmp(PQgetvalue(res, row, 6), r->in.name))
            continue;
        r->matched = 1;
        snprintf(r->status, sizeof r->status, "%s", PQgetvalue(res, row, 1));
        r->version = strtoll(PQgetvalue(res, row, 2), NULL, 10);
        r->existing = json_loadb(PQgetvalue(res, row, 3), (size_t)PQgetlength(res, row, 3), 0, NULL);
        inds = json_object_get(r->existing, "indicators");
        r->old_ids = calloc(json_array_size(inds) + 1, sizeof *r->old_ids);
        if (!r->old_ids)
            goto out;
        json_array_foreach(inds, j, x)
            r->old_ids[j] = json_integer_value(json_object_get(x, "id"));
        r->nold = json_array_size(inds);
    }
    /* a name read but its project gone or renamed since: a new one */
    for (i = 0; i < c->n; i++)
        if (!c->recs[i].matched)
            c->recs[i].id = 0;
    rc = 0;
out:
    PQclear(res);
    sb_free(&ids);
    return rc;
}

/* An existing project equal to the record, ids aside? */
static int same_as_existing(record *r)
{
    json_t *ex = r->existing, *ind;
    size_t i;

    if (!ex)
        return 0;
    json_array_foreach(json_object_get(ex, "indicators"), i, ind)
        json_object_del(ind, "id");
    return json_equal(ex, r->in.doc);
}

/* Updates a matched draft: indicator ids kept by position. */
static int update_one(pool_conn *pc, const auth_info *who, record *r, db_err *e)
{
    size_t i, nnew = r->in.nind > r->nold ? r->in.nind - r->nold : 0;
    int64_t *ids = calloc(r->in.nind ? r->in.nind : 1, sizeof *ids);
    int64_t *fresh = calloc(nnew ? nnew : 1, sizeof *fresh);
    project_row row;
    PGresult *res = NULL;
    char *doc = NULL;
    int rc = -1;

    if (!ids || !fresh || dbi_ids(pc, 1, nnew, fresh, e) < 0)
        goto out;
    for (i = 0; i < r->in.nind; i++)
        ids[i] = i < r->nold ? r->old_ids[i] : fresh[i - r->nold];
    project_set_ids(&r->in, ids);
    doc = json_dumps(r->in.doc, PROJECT_DUMP_FLAGS);
    if (!doc)
        goto out;
    memset(&row, 0, sizeof row);
    row.id = r->id;
    snprintf(row.province, sizeof row.province, "%s", r->province);
    if (dbp_update(pc, who, &row, &r->in, doc, "import", &res, e) < 0)
        goto out;
    rc = 0;
out:
    PQclear(res);
    free(doc);
    free(ids);
    free(fresh);
    return rc;
}

/* Decides each valid record of the chunk: created, unchanged, updated,
 * or rejected (an existing project that is no longer a draft). */
static void decide(batch *b, chunk *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];

        if (r->result == R_REJECTED)
            continue;
        if (!r->matched)
            r->result = R_CREATED;
        else if (same_as_existing(r))
            r->result = R_UNCHANGED;
        else if (strcmp(r->status, "draft") != 0)
            reject(b, r, "", "NOT_EDITABLE",
                   "已有同名项目且已提交或通过，不能修改 (the existing project is no longer a "
                   "draft)");
        else
            r->result = R_UPDATED;
    }
}

/* Writes what the chunk creates and updates.  0, or -1 with e. */
static int write_chunk(pool_conn *pc, const auth_info *who, chunk *c, db_err *e)
{
    strbuf pj, ind, aud;
    int64_t *pids = NULL, *iids = NULL;
    size_t i, nind = 0, next = 0, pn = 0, ncreate = 0;
    int rc = -1;

    sb_init(&pj);
    sb_init(&ind);
    sb_init(&aud);
    for (i = 0; i < c->n; i++)
        if (c->recs[i].result == R_CREATED) {
            ncreate++;
            nind += c->recs[i].in.nind;
        }
    pids = calloc(ncreate ? ncreate : 1, sizeof *pids);
    iids = calloc(nind ? nind : 1, sizeof *iids);
    if (!pids || !iids || dbi_ids(pc, 0, ncreate, pids, e) < 0 ||
        dbi_ids(pc, 1, nind, iids, e) < 0)
        goto out;
    for (i = 0; i < c->n; i++) {
        record *r = &c->recs[i];

        if (r->result == R_UPDATED && update_one(pc, who, r, e) < 0)
            goto out;
        if (r->result != R_CREATED)
            continue;
        r->id = pids[pn++];
        project_set_ids(&r->in, iids + next);
        next += r->in.nind;
        if (copy_rows(who, r, &pj, &ind, &aud) < 0)
            goto out;
    }
    if (pj.oom || ind.oom || aud.oom)
        goto out;
    if (ncreate && (dbi_copy(pc, COPY_PROJECTS, pj.buf, pj.len, e) < 0 ||
                    (ind.len && dbi_copy(pc, COPY_INDICATORS, ind.buf, ind.len, e) < 0) ||
                    dbi_copy(pc, COPY_AUDIT, aud.buf, aud.len, e) < 0))
        goto out;
    rc = 0;
out:
    sb_free(&pj);
    sb_free(&ind);
    sb_free(&aud);
    free(pids);
    free(iids);
    return rc;
}

/* ---- the handler ------------------------------------------------------------- */

static int is_csv(const char *ct)
{
    return ct && (!strncasecmp(ct, "text/csv", 8) || !strncasecmp(ct, "application/csv", 15));
}

static char *summary_json(const batch *b, const char *mode, int dry_run, int committed,
                          const size_t c[5])
{
    json_t *o = json_pack("{s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:O}", "mode", mode, "dry_run",
                          dry_run, "committed", committed, "records", (json_int_t)b->n,
                          "created", (json_int_t)c[R_CREATED], "updated",
                          (json_int_t)c[R_UPDATED], "unchanged", (json_int_t)c[R_UNCHANGED],
                          "rejected", (json_int_t)b->nrejected, "rejections", b->rejections);
    json_t *list = json_array();
    const chunk *ch;
    size_t i;
    char *out;

    if (!o || !list) {
        json_decref(o);
        json_decref(list);
        return NULL;
    }
    if (b->nerrors > json_array_size(b->rejections))
        json_object_set_new(o, "rejections_total", json_integer((json_int_t)b->nerrors));
    for (ch = b->head; ch; ch = ch->next)
        for (i = 0; i < ch->n; i++) {
            const record *r = &ch->recs[i];
            static const char *const names[] = {"pending", "created", "updated", "unchanged",
                                                "rejected"};

            if (r->result == R_REJECTED)
                continue;
            json_array_append_new(list, json_pack("{s:I,s:I,s:s}", "record",
                                                  (json_int_t)(r->index + 1), "id",
                                                  (json_int_t)(committed || r->matched ? r->id : 0),
                                                  "result", names[r->result]));
        }
    json_object_set_new(o, "projects", list);
    if (!committed && b->nrejected && !dry_run) {
        json_object_set_new(o, "type", json_string("urn:jixiao:problem:import-rejected"));
        json_object_set_new(o, "title", json_string("导入被拒绝 (import rejected)"));
        json_object_set_new(o, "status", json_integer(422));
        json_object_set_new(o, "detail",
                            json_string("有记录未通过校验，按 all_or_nothing 未写入任何数据 "
                                        "(records were rejected; all_or_nothing wrote nothing)"));
    }
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

static int rejected_any(batch *b)
{
    int any;

    pthread_mutex_lock(&b->mu);
    any = b->nrejected > 0;
    pthread_mutex_unlock(&b->mu);
    return any;
}

/* The writer: each chunk's database part as the producer finishes it.
 * 0, or -1 with e (e->msg empty: out of memory). */
static int write_all(pool_conn *pc, const auth_info *who, batch *b, int writing, int per_record,
                     size_t c[5], db_err *e)
{
    chunk *ch = NULL;
    size_t i;

    while ((ch = next_chunk(b, ch)) != NULL) {
        if (resolve_orgs(pc, who, b, ch, e) < 0 || reject_duplicates(b, ch) < 0 ||
            match_existing(pc, b, ch, e) < 0)
            return -1;
        decide(b, ch);
        /* all_or_nothing: after the first rejection nothing more is sent
         * (the transaction is rolled back); the rest is still counted */
        if (writing && (per_record || !rejected_any(b)) && write_chunk(pc, who, ch, e) < 0)
            return -1;
        for (i = 0; i < ch->n; i++) {
            if (ch->recs[i].result != R_REJECTED)
                c[ch->recs[i].result]++;
            record_release(&ch->recs[i]); /* only the outcome is kept */
        }
    }
    return 0;
}

int route_import(jx_req *req, jx_resp *resp)
{
    auth_info who;
    const char *mode;
    int dry_run, per_record, committed = 0, started = 0, failed = 0;
    batch b;
    source src;
    pthread_t th;
    size_t c[5] = {0, 0, 0, 0, 0};
    pool_conn *pc = NULL;
    idem k;
    db_err e;
    char *out;
    int ok = 0;

    memset(&b, 0, sizeof b);
    memset(&src, 0, sizeof src);
    memset(&e, 0, sizeof e);
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    src.b = &b;
    b.who = &who;
    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0 ||
        import_options(req, resp, &mode, &dry_run, &per_record) < 0)
        goto out;
    b.rejections = json_array();
    if (!b.rejections) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    /* what can be refused as a whole is refused before the database */
    if (is_csv(req_header(req, "Content-Type"))) {
        src.data = req->body ? req->body : "";
        src.len = req->len;
    } else if (body_json(req, resp, 1, &src.arr) < 0) {
        goto out;
    }
    if (pthread_create(&th, NULL, producer, &src) != 0) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "cannot start a thread");
        goto out;
    }
    started = 1;
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0 || dbi_plan_for_batch(pc, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    switch (idem_claim(pc, &who, &k, resp, &e)) {
    case IDEM_NEW:
        break;
    case IDEM_FAIL:
        db_problem(resp, &e);
        goto out;
    default:
        goto out;
    }
    if (write_all(pc, &who, &b, !dry_run, per_record, c, &e) < 0) {
        if (e.msg[0])
            db_problem(resp, &e);
        else
            problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    pthread_join(th, NULL);
    started = 0;
    if (b.fail_status) {
        failed = 1;
        goto out;
    }
    committed = !dry_run && (per_record || !b.nrejected);
    sort_rejections(&b);
    out = summary_json(&b, mode, dry_run, committed, c);
    if (!out) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    resp_body(resp, !committed && b.nrejected && !dry_run ? 422 : 200,
              !committed && b.nrejected && !dry_run ? "application/problem+json"
                                                    : "application/json",
              out, strlen(out));
    ok = committed ? idem_store(pc, &who, &k, resp, &e) == 0 : 0;
    if (committed && !ok)
        db_problem(resp, &e);
out:
    if (started) {
        stop_producer(&b);
        pthread_join(th, NULL);
        failed = b.fail_status != 0;
    }
    if (failed) {
        if (b.fail_status == 400) {
            /* the producer's 400, moved */
            resp_body(resp, src.csv_resp.status, src.csv_resp.content_type, src.csv_resp.body,
                      src.csv_resp.len);
            src.csv_resp.body = NULL;
        } else
            problem(resp, 500, "internal", "内部错误 (internal error)", b.fail_what);
    }
    if (pc) {
        if (ok && db_commit(pc, &e) < 0)
            db_problem(resp, &e);
        db_rollback(pc);
        db_release(pc);
    }
    json_decref(src.arr);
    resp_body(&src.csv_resp, 0, NULL, NULL, 0); /* frees a body not moved */
    batch_free(&b);
    return 0;
}
