/*
 * routes_import.c -- POST /v1/import: many projects at once, as a JSON
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
 * message.  Records match existing projects by organisation, year and
 * name: an identical one is "unchanged", a different one "updated" (drafts
 * only; indicator ids kept by position), a new one "created".
 *
 * The work is batched: each record is validated exactly like POST
 * /v1/projects (project.c), then the organisations and existing projects
 * of the whole batch are read with one statement each, ids drawn in two
 * blocks, and the new projects, indicators and audit entries streamed in
 * with three COPYs, all in one transaction (db_import.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "body.h"
#include "db.h"
#include "db_import.h"
#include "db_projects.h"
#include "idempotency.h"
#include "import_input.h"
#include "problem.h"
#include "project.h"
#include "routes.h"
#include "util.h"

#define MAX_REJECTIONS 1000

enum { R_PENDING = 0, R_CREATED, R_UPDATED, R_UNCHANGED, R_REJECTED };

typedef struct {
    json_t *obj;          /* the record as a project body */
    int line;             /* CSV: the first line of the record; 0 for JSON */
    int *ind_lines;       /* CSV: the line of each indicator */
    size_t nind_lines;
    project_in in;
    int result;
    int decoded;          /* validated; obj released */
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

typedef struct {
    record *recs;
    size_t n, cap;
    json_t *rejections;
    size_t nrejected;     /* records rejected */
    size_t nerrors;       /* rejection entries, all of them */
} batch;

static void batch_free(batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        json_decref(b->recs[i].obj);
        json_decref(b->recs[i].existing);
        free(b->recs[i].old_ids);
        free(b->recs[i].ind_lines);
        project_in_free(&b->recs[i].in);
    }
    free(b->recs);
    json_decref(b->rejections);
}

static record *batch_add(batch *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        record *nr = realloc(b->recs, cap * sizeof *nr);

        if (!nr)
            return NULL;
        b->recs = nr;
        b->cap = cap;
    }
    memset(&b->recs[b->n], 0, sizeof b->recs[0]);
    return &b->recs[b->n++];
}

static void reject_errs(batch *b, record *r, size_t index, const jx_errors *errs);
static void reject(batch *b, record *r, size_t index, const char *ptr, const char *code,
                   const char *message);

/* Validates record i exactly as POST /v1/projects does, as soon as it is
 * complete, and drops its input object: the stored document (r->in.doc)
 * is all that later steps read, so a 10,000-project import no longer
 * holds every record twice. */
static void validate_record(batch *b, size_t i)
{
    record *r = &b->recs[i];
    jx_errors errs;

    if (r->decoded)
        return;
    r->decoded = 1;
    if (!json_is_object(r->obj))
        reject(b, r, i, "", "TYPE_INVALID", "记录应为项目对象 (a record must be a project object)");
    else if (project_decode(app.ctx, r->obj, &r->in, &errs) < 0)
        reject_errs(b, r, i, &errs);
    json_decref(r->obj);
    r->obj = NULL;
}

/* ---- CSV to records ------------------------------------------------------- */

/* A record read from CSV (import_input.c) joins the batch and is checked. */
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
    validate_record(b, b->n - 1);
    return 0;
}

/* ---- rejections ------------------------------------------------------------ */

static void reject(batch *b, record *r, size_t index, const char *ptr, const char *code,
                   const char *message)
{
    json_t *o;

    if (r->result != R_REJECTED)
        b->nrejected++;
    r->result = R_REJECTED;
    b->nerrors++;
    if (json_array_size(b->rejections) >= MAX_REJECTIONS)
        return;
    o = json_pack("{s:I,s:s,s:s,s:s}", "record", (json_int_t)(index + 1), "pointer", ptr,
                  "code", code, "message", message);
    if (!o)
        return;
    if (r->line) {
        int ind;
        const char *col = import_column_of(ptr, &ind);
        int line = ind >= 0 && (size_t)ind < r->nind_lines ? r->ind_lines[ind] : r->line;

        json_object_set_new(o, "line", json_integer(line));
        if (col)
            json_object_set_new(o, "column", json_string(col));
    }
    json_array_append_new(b->rejections, o);
}

static void reject_errs(batch *b, record *r, size_t index, const jx_errors *errs)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;

    for (i = 0; i < n; i++)
        reject(b, r, index, errs->items[i].pointer, errs->items[i].code,
               errs->items[i].message);
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

/* Organisations: each record's org must be one the caller files for. */
static int resolve_orgs(pool_conn *pc, const auth_info *who, batch *b, db_err *e)
{
    strbuf sb;
    PGresult *res = NULL;
    size_t i;
    int k, rc = -1;

    sb_init(&sb);
    sb_puts(&sb, "{");
    for (i = 0; i < b->n; i++) {
        char buf[24];

        if (b->recs[i].result == R_REJECTED)
            continue;
        b->recs[i].org_id = b->recs[i].in.org_id ? b->recs[i].in.org_id : who->org_id;
        snprintf(buf, sizeof buf, "%lld", (long long)b->recs[i].org_id);
        sb_pg_array_item(&sb, buf);
    }
    sb_puts(&sb, "}");
    if (sb.oom || dbi_orgs(pc, who, sb.buf, &res, e) < 0)
        goto out;
    for (i = 0; i < b->n; i++) {
        record *r = &b->recs[i];
        int found = 0;

        if (r->result == R_REJECTED)
            continue;
        for (k = 0; k < PQntuples(res) && !found; k++) {
            if (strtoll(PQgetvalue(res, k, 0), NULL, 10) != r->org_id)
                continue;
            found = 1;
            r->parent_id = PQgetisnull(res, k, 1) ? 0 : strtoll(PQgetvalue(res, k, 1), NULL, 10);
            snprintf(r->region, sizeof r->region, "%s", PQgetvalue(res, k, 2));
            snprintf(r->province, sizeof r->province, "%s", PQgetvalue(res, k, 3));
        }
        if (!found)
            reject(b, r, i, "/org_id", "ORG_UNKNOWN",
                   "组织不存在或不在您可填报的范围内 (no such organisation that you may file "
                   "projects for)");
    }
    rc = 0;
out:
    PQclear(res);
    sb_free(&sb);
    return rc;
}

/* Existing projects with the same organisation, year and name. */
static int match_existing(pool_conn *pc, batch *b, db_err *e)
{
    strbuf pr, og, yr, nm;
    PGresult *res = NULL;
    size_t i, *idx = calloc(b->n ? b->n : 1, sizeof *idx), m = 0;
    int k, rc = -1;

    sb_init(&pr);
    sb_init(&og);
    sb_init(&yr);
    sb_init(&nm);
    if (!idx)
        return -1;
    sb_puts(&pr, "{");
    sb_puts(&og, "{");
    sb_puts(&yr, "{");
    sb_puts(&nm, "{");
    for (i = 0; i < b->n; i++) {
        char buf[24];

        if (b->recs[i].result == R_REJECTED)
            continue;
        idx[m++] = i;
        sb_pg_array_item(&pr, b->recs[i].province);
        snprintf(buf, sizeof buf, "%lld", (long long)b->recs[i].org_id);
        sb_pg_array_item(&og, buf);
        snprintf(buf, sizeof buf, "%d", b->recs[i].in.year);
        sb_pg_array_item(&yr, buf);
        sb_pg_array_item(&nm, b->recs[i].in.name);
    }
    sb_puts(&pr, "}");
    sb_puts(&og, "}");
    sb_puts(&yr, "}");
    sb_puts(&nm, "}");
    if (pr.oom || og.oom || yr.oom || nm.oom ||
        dbi_matches(pc, pr.buf, og.buf, yr.buf, nm.buf, &res, e) < 0)
        goto out;
    for (k = 0; k < PQntuples(res); k++) {
        size_t at = (size_t)strtoull(PQgetvalue(res, k, 0), NULL, 10);
        record *r;

        if (at < 1 || at > m)
            continue;
        r = &b->recs[idx[at - 1]];
        r->matched = 1;
        r->id = strtoll(PQgetvalue(res, k, 1), NULL, 10);
        snprintf(r->status, sizeof r->status, "%s", PQgetvalue(res, k, 2));
        r->version = strtoll(PQgetvalue(res, k, 3), NULL, 10);
        r->existing = json_loadb(PQgetvalue(res, k, 4), (size_t)PQgetlength(res, k, 4), 0, NULL);
        {
            json_t *inds = json_object_get(r->existing, "indicators"), *x;
            size_t j;

            r->old_ids = calloc(json_array_size(inds) + 1, sizeof *r->old_ids);
            if (!r->old_ids)
                goto out;
            json_array_foreach(inds, j, x)
                r->old_ids[j] = json_integer_value(json_object_get(x, "id"));
            r->nold = json_array_size(inds);
        }
    }
    rc = 0;
out:
    PQclear(res);
    free(idx);
    sb_free(&pr);
    sb_free(&og);
    sb_free(&yr);
    sb_free(&nm);
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

/* Sorting (organisation, year, name, index) keys finds records that
 * name the same project twice in O(n log n). */
typedef struct {
    int64_t org;
    int year;
    const char *name;
    size_t idx;
} rec_key;

static int cmp_key(const void *a, const void *b)
{
    const rec_key *x = a, *y = b;
    int c;

    if (x->org != y->org)
        return x->org < y->org ? -1 : 1;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : 1;
}

static int reject_duplicates(batch *b)
{
    size_t i, m = 0;
    rec_key *keys = malloc((b->n ? b->n : 1) * sizeof *keys);

    if (!keys)
        return -1;
    for (i = 0; i < b->n; i++) {
        const record *r = &b->recs[i];

        if (r->result == R_REJECTED)
            continue;
        keys[m].org = r->org_id;
        keys[m].year = r->in.year;
        keys[m].name = r->in.name;
        keys[m++].idx = i;
    }
    qsort(keys, m, sizeof *keys, cmp_key);
    for (i = 1; i < m; i++)
        if (keys[i - 1].org == keys[i].org && keys[i - 1].year == keys[i].year &&
            !strcmp(keys[i - 1].name, keys[i].name))
            reject(b, &b->recs[keys[i].idx], keys[i].idx, "/name", "DUPLICATE_RECORD",
                   "同一单位同一年度的同名项目在本次导入中出现多次 (the same project appears "
                   "twice in this import)");
    free(keys);
    return 0;
}

/* Writes what the batch creates and updates.  0, or -1 with e. */
static int write_batch(pool_conn *pc, const auth_info *who, batch *b, size_t ncreate,
                       db_err *e)
{
    strbuf pj, ind, aud;
    int64_t *pids = NULL, *iids = NULL;
    size_t i, nind = 0, next = 0, pn = 0;
    int rc = -1;

    sb_init(&pj);
    sb_init(&ind);
    sb_init(&aud);
    for (i = 0; i < b->n; i++)
        if (b->recs[i].result == R_CREATED)
            nind += b->recs[i].in.nind;
    pids = calloc(ncreate ? ncreate : 1, sizeof *pids);
    iids = calloc(nind ? nind : 1, sizeof *iids);
    if (!pids || !iids || dbi_ids(pc, 0, ncreate, pids, e) < 0 ||
        dbi_ids(pc, 1, nind, iids, e) < 0)
        goto out;
    for (i = 0; i < b->n; i++) {
        record *r = &b->recs[i];

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
    if (rc < 0 && !e->msg[0]) {
        e->ps = POOL_EQUERY;
        snprintf(e->msg, sizeof e->msg, "out of memory");
    }
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
                          size_t c[5])
{
    json_t *o = json_pack("{s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:O}", "mode", mode, "dry_run",
                          dry_run, "committed", committed, "records", (json_int_t)b->n,
                          "created", (json_int_t)c[R_CREATED], "updated",
                          (json_int_t)c[R_UPDATED], "unchanged", (json_int_t)c[R_UNCHANGED],
                          "rejected", (json_int_t)b->nrejected, "rejections", b->rejections);
    json_t *list = json_array();
    size_t i;
    char *out;

    if (!o || !list) {
        json_decref(o);
        json_decref(list);
        return NULL;
    }
    if (b->nerrors > json_array_size(b->rejections))
        json_object_set_new(o, "rejections_total", json_integer((json_int_t)b->nerrors));
    for (i = 0; i < b->n; i++) {
        const record *r = &b->recs[i];
        static const char *const names[] = {"pending", "created", "updated", "unchanged",
                                            "rejected"};

        if (r->result == R_REJECTED)
            continue;
        json_array_append_new(list, json_pack("{s:I,s:I,s:s}", "record", (json_int_t)(i + 1),
                                              "id", (json_int_t)r->id, "result",
                                              names[r->result]));
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

int route_import(jx_req *req, jx_resp *resp)
{
    auth_info who;
    const char *mode;
    int dry_run, per_record, committed = 0;
    batch b;
    json_t *arr = NULL, *item;
    size_t i, c[5] = {0, 0, 0, 0, 0};
    pool_conn *pc = NULL;
    idem k;
    db_err e;
    char *out;
    int ok = 0;

    memset(&b, 0, sizeof b);
    memset(&e, 0, sizeof e);
    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0 ||
        import_options(req, resp, &mode, &dry_run, &per_record) < 0)
        return 0;
    b.rejections = json_array();
    if (!b.rejections)
        return problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
    if (is_csv(req_header(req, "Content-Type"))) {
        if (import_csv_records(req->body ? req->body : "", req->len, resp, add_csv_record, &b) < 0)
            goto out;
    } else {
        if (body_json(req, resp, 1, &arr) < 0)
            goto out;
        json_array_foreach(arr, i, item) {
            record *r = batch_add(&b);

            if (!r) {
                problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
                goto out;
            }
            r->obj = json_incref(item);
            json_array_set_new(arr, i, json_null()); /* the record owns it now */
            validate_record(&b, b.n - 1);
        }
    }
    /* every record has been validated as it was read (validate_record) */
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
    if (resolve_orgs(pc, &who, &b, &e) < 0 || match_existing(pc, &b, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    /* decide each record; a second record with the same key is a mistake */
    if (reject_duplicates(&b) < 0) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    for (i = 0; i < b.n; i++) {
        record *r = &b.recs[i];

        if (r->result == R_REJECTED)
            continue;
        if (!r->matched)
            r->result = R_CREATED;
        else if (same_as_existing(r))
            r->result = R_UNCHANGED;
        else if (strcmp(r->status, "draft") != 0)
            reject(&b, r, i, "", "NOT_EDITABLE",
                   "已有同名项目且已提交或通过，不能修改 (the existing project is no longer a "
                   "draft)");
        else
            r->result = R_UPDATED;
    }
    for (i = 0; i < b.n; i++)
        if (b.recs[i].result != R_REJECTED)
            c[b.recs[i].result]++;
    if (!dry_run && (per_record || !b.nrejected)) {
        if (write_batch(pc, &who, &b, c[R_CREATED], &e) < 0) {
            db_problem(resp, &e);
            goto out;
        }
        committed = 1;
    }
    if (!committed) {
        /* nothing written: report what would have happened */
        for (i = 0; i < b.n && !dry_run; i++)
            if (b.recs[i].result != R_REJECTED)
                b.recs[i].id = b.recs[i].matched ? b.recs[i].id : 0;
    }
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
    if (pc) {
        if (ok && db_commit(pc, &e) < 0)
            db_problem(resp, &e);
        db_rollback(pc);
        db_release(pc);
    }
    json_decref(arr);
    batch_free(&b);
    return 0;
}
