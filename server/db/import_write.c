/*
 * db/import_write.c -- the database part of a bulk import, chunk by chunk
 * as the pipeline (input/import_batch.c) finishes them: organisations
 * (cached for the import), records naming the same project twice (a hash
 * set over the import), existing projects (one statement), ids in two
 * blocks, and the new projects, indicators and audit entries streamed in
 * with three COPYs (the statements are db/import.c's).  Records match
 * existing projects by organisation, year and name: an identical one is
 * "unchanged", a different one "updated" (drafts only; indicator ids kept
 * by position), a new one "created".
 *
 * all_or_nothing writes chunk by chunk too and rolls back if any record
 * is rejected (after the first rejection nothing more is sent; records are
 * still validated and matched for the summary).  dry_run never writes.
 *
 * It uses the pipeline's types and records rejections in the batch
 * (batch_reject): plain data, no HTTP; input/ never calls back into db/.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/import.h"
#include "db/projects.h"
#include "input/import_batch.h"
#include "util.h"

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
            batch_reject(b, r, "/org_id", "ORG_UNKNOWN",
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
            batch_reject(b, r, "/name", "DUPLICATE_RECORD",
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
    db_row row;
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
            batch_reject(b, r, "", "NOT_EDITABLE",
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


/* The writer: each chunk's database part as the producer finishes it.
 * 0, or -1 with e (e->msg empty: out of memory). */
int dbi_write_all(pool_conn *pc, const auth_info *who, batch *b, int writing, int per_record,
                     size_t c[5], db_err *e)
{
    chunk *ch = NULL;
    size_t i;

    while ((ch = batch_next_chunk(b, ch)) != NULL) {
        if (resolve_orgs(pc, who, b, ch, e) < 0 || reject_duplicates(b, ch) < 0 ||
            match_existing(pc, b, ch, e) < 0)
            return -1;
        decide(b, ch);
        /* all_or_nothing: after the first rejection nothing more is sent
         * (the transaction is rolled back); the rest is still counted */
        if (writing && (per_record || !batch_rejected_any(b)) && write_chunk(pc, who, ch, e) < 0)
            return -1;
        for (i = 0; i < ch->n; i++) {
            if (ch->recs[i].result != R_REJECTED)
                c[ch->recs[i].result]++;
            record_release(&ch->recs[i]); /* only the outcome is kept */
        }
    }
    return 0;
}
