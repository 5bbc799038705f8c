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
 * message (sorted by record).
 *
 * Three parts, one file each: this handler (the request, the summary),
 * the pipeline that reads and validates records into chunks on a thread of
 * its own (input/import_batch.c), and the database part that resolves,
 * matches and writes each finished chunk (db/import_write.c, with the
 * statements in db/import.c).  All in one transaction.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/idempotency.h"
#include "db/import.h"
#include "db/tx.h"
#include "input/body.h"
#include "input/import.h"
#include "input/import_batch.h"
#include "problem.h"
#include "routes/auth.h"
#include "routes/routes.h"
#include "util.h"

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
    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0 ||
        import_options(req, resp, &mode, &dry_run, &per_record) < 0)
        goto out;
    b.rejections = json_array();
    if (!b.rejections) {
        problem_oom(resp);
        goto out;
    }
    /* what can be refused as a whole is refused before the database */
    if (is_csv(req_header(req, "Content-Type"))) {
        src.data = req->body ? req->body : "";
        src.len = req->len;
    } else if (body_json(req, resp, 1, &src.arr) < 0) {
        goto out;
    }
    if (pthread_create(&th, NULL, batch_producer, &src) != 0) {
        problem_internal(resp, "cannot start a thread");
        goto out;
    }
    started = 1;
    if (idem_begin(&pc, &who, &k, resp) < 0)
        goto out;
    if (dbi_plan_for_batch(pc, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (dbi_write_all(pc, &who, &b, !dry_run, per_record, c, &e) < 0) {
        if (e.msg[0])
            db_problem(resp, &e);
        else
            problem_oom(resp);
        goto out;
    }
    pthread_join(th, NULL);
    started = 0;
    if (b.fail_status) {
        failed = 1;
        goto out;
    }
    committed = !dry_run && (per_record || !b.nrejected);
    batch_sort_rejections(&b);
    out = summary_json(&b, mode, dry_run, committed, c);
    if (!out) {
        problem_oom(resp);
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
        batch_stop_producer(&b);
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
            problem_internal(resp, b.fail_what);
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
