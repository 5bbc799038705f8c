/*
 * routes/projects.c -- /v1/projects: list, create, read, replace, patch,
 * delete, year-end results, workflow and history.
 *
 * Each handler decodes (body.c), validates the whole document
 * (project.c, which asks the scoring library), then calls db_projects.c
 * and encodes.  Nothing is written unless everything is valid.
 *
 * Who may do what (api.md):
 *   read      anyone whose reach covers the project's organisation (auth.h)
 *   edit      the owning organisation, the department above it, the
 *             operator -- and only while the project is a draft
 *   submit    as edit: draft -> submitted
 *   accept    the department above or a finance bureau whose region covers
 *   return    the project (never the owner itself), the operator:
 *             submitted -> accepted (final) or back to draft with a reason
 * Out of reach is 404; in reach but not allowed is 403; not allowed in
 * this state is 409; a stale If-Match is 412 with the current version.
 *
 * Optimistic concurrency: a change locks the row, compares the version
 * with If-Match and bumps it, in one transaction; of two edits made with
 * the same ETag exactly one wins and the other gets 412.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/projects.h"
#include "db/idempotency.h"
#include "input/list.h"
#include "problem.h"
#include "input/project.h"
#include "input/project_edit.h"
#include "routes/routes.h"
#include "util.h"
#include "routes/page.h"
#include "routes/workflow.h"


/* A fixed-size column of a binary result, in host order; -1 when the
 * column is not the size its type says (never, short of a schema drift). */
static int bin_int(const PGresult *res, int col, int size, int64_t *out)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, 0, col);
    uint64_t v = 0;
    int i;

    if (PQgetisnull(res, 0, col) || PQgetlength(res, 0, col) != size)
        return -1;
    for (i = 0; i < size; i++)
        v = v << 8 | p[i];
    *out = size == 4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
    return 0;
}

/* The representation from the binary columns of a read (db_projects.h,
 * dbp_get): id, org_id, region_code, status, version, return_reason,
 * created_at, updated_at, then the members of the stored document as
 * jsonb printed them.  The document never holds those eight keys
 * (project.c builds it from the known fields only), so appending its
 * members is exact. */
static int send_repr(jx_resp *resp, const PGresult *res)
{
    const char *doc = PQgetvalue(res, 0, 8);
    size_t dlen = (size_t)PQgetlength(res, 0, 8);
    int64_t version, id, org, created, updated;
    char num[24], ts[40];
    strbuf sb;
    char *body;
    size_t len;

    if (bin_int(res, 0, 4, &version) < 0 || bin_int(res, 1, 8, &id) < 0 ||
        bin_int(res, 2, 8, &org) < 0 || bin_int(res, 6, 8, &created) < 0 ||
        bin_int(res, 7, 8, &updated) < 0)
        return problem_internal(resp, "unexpected column layout");
    sb_init(&sb);
    sb_puts(&sb, "{\"id\":");
    sb_append(&sb, num, fmt_i64(id, num));
    sb_puts(&sb, ",\"org_id\":");
    sb_append(&sb, num, fmt_i64(org, num));
    sb_puts(&sb, ",\"region_code\":");
    sb_json_str(&sb, PQgetvalue(res, 0, 3));
    sb_puts(&sb, ",\"status\":");
    sb_json_str(&sb, PQgetvalue(res, 0, 4));
    sb_puts(&sb, ",\"version\":");
    sb_append(&sb, num, fmt_i64(version, num));
    sb_puts(&sb, ",\"return_reason\":");
    if (PQgetisnull(res, 0, 5))
        sb_puts(&sb, "null");
    else
        sb_json_str(&sb, PQgetvalue(res, 0, 5));
    sb_puts(&sb, ",\"created_at\":\"");
    fmt_pg_time(created, ts);
    sb_puts(&sb, ts);
    sb_puts(&sb, "\",\"updated_at\":\"");
    fmt_pg_time(updated, ts);
    sb_puts(&sb, ts);
    if (dlen > 2 && doc[0] == '{') {
        sb_puts(&sb, "\", ");
        sb_append(&sb, doc + 1, dlen - 1);
    } else {
        sb_puts(&sb, "\"}");
    }
    body = sb_take(&sb, &len);
    if (!body)
        return problem_oom(resp);
    resp_header(resp, "ETag", "\"%lld\"", (long long)version);
    resp_body(resp, 200, CT_JSON, body, len);
    return 0;
}

/* ---- GET /v1/projects/{id} ----------------------------------------------- */

int route_project_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, dbp_get, &res) == 0) {
        send_repr(resp, res);
        PQclear(res);
    }
    return 0;
}

/* ---- POST /v1/projects --------------------------------------------------- */

static int org_unknown(jx_resp *resp)
{
    jx_errors errs;

    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/org_id", "ORG_UNKNOWN",
             "组织不存在或不在您可填报的范围内；运营者须给出 org_id (no such organisation that "
             "you may file projects for; the operator must give org_id)");
    return problem_invalid(resp, &errs);
}

/* The stored document of in, each indicator without an id given a new one
 * (dbp_alloc_ids: from this process's block, a round trip once per 1,024
 * ids); NULL with resp filled.  A create's indicators are all new; an
 * edit keeps the ids it was given. */
static char *doc_with_ids(pool_conn *pc, project_in *in, jx_resp *resp)
{
    size_t i, f = 0, nnew = 0;
    int64_t *ids;
    char *doc;
    db_err e;

    for (i = 0; i < in->nind; i++)
        nnew += in->ind_ids[i] == 0;
    /* ids[0..nind) for the indicators; the new ones are drawn after them */
    ids = calloc(in->nind + nnew + 1, sizeof *ids);
    if (!ids) {
        problem_oom(resp);
        return NULL;
    }
    if (dbp_alloc_ids(pc, nnew, ids + in->nind, &e) < 0) {
        db_problem(resp, &e);
        free(ids);
        return NULL;
    }
    for (i = 0; i < in->nind; i++)
        ids[i] = in->ind_ids[i] ? in->ind_ids[i] : ids[in->nind + f++];
    project_set_ids(in, ids);
    free(ids);
    doc = jw_dump(in->doc, NULL);
    if (!doc)
        problem_oom(resp);
    return doc;
}

static int create_in_db(jx_req *req, jx_resp *resp, const idem *k, project_in *in)
{
    pool_conn *pc = NULL;
    dbp_create_job job;
    db_err e;
    auth_info who;
    char *doc = NULL;
    int rc = 0;

    if (auth_require(req, resp, &who) < 0)
        return 0;
    memset(&job, 0, sizeof job);
    if (db_acquire(&pc, &e) < 0) {
        rc = db_problem(resp, &e);
        goto out;
    }
    /* the project's id comes from the create statement */
    doc = doc_with_ids(pc, in, resp);
    if (!doc)
        goto out;
    job.who = &who;
    job.k = k;
    job.in = in;
    job.doc = doc;
    dbp_create(pc, &job);
    if (job.rc < 0) {
        rc = db_problem(resp, &job.e);
        goto out;
    }
    if (!job.found) {
        rc = org_unknown(resp);
        goto out;
    }
    if (job.created) {
        resp_header(resp, "Location", "/v1/projects/%s", job.pid);
        resp_header(resp, "ETag", "\"1\"");
        resp_body(resp, 201, CT_JSON, job.body, job.body_len);
        job.body = NULL;
        goto out;
    }
    /* the key was taken: replay the first response */
    switch (idem_lookup(pc, &who, k, resp, &e)) {
    case IDEM_REPLAY:
    case IDEM_MISMATCH:
        break;
    case IDEM_FAIL:
        rc = db_problem(resp, &e);
        break;
    case IDEM_NEW:
    default:
        problem_db_unavailable(resp, "并发请求冲突，请重试 (a concurrent request with this key "
                                     "failed; retry)");
    }
out:
    dbp_create_job_free(&job);
    db_release(pc);
    free(doc);
    return rc;
}

int route_project_create(jx_req *req, jx_resp *resp)
{
    char hex[65];
    json_t *body = NULL;
    project_in in;
    jx_errors errs;
    idem k;
    auth_info who;

    if (auth_token_hex(req, resp, hex) < 0 || idem_init(req, resp, &k) < 0)
        return 0;
    if (body_json(req, resp, 0, &body) < 0)
        return 0;
    if (project_decode(app.ctx, body, &in, &errs) == 0) {
        size_t i;

        /* a new project has no indicators yet: an id names nothing */
        for (i = 0; i < in.nind; i++)
            if (in.ind_ids[i]) {
                char ptr[64];

                snprintf(ptr, sizeof ptr, "/indicators/%zu/id", i);
                errs_add(&errs, JX_EINVALID, ptr, "INDICATOR_UNKNOWN",
                         "新项目的指标不能带 id (a new project's indicators have no ids yet)");
            }
        if (errs.count)
            project_in_free(&in);
    }
    if (errs.count) {
        json_decref(body);
        if (auth_require(req, resp, &who) == 0)
            problem_invalid(resp, &errs);
        return 0;
    }
    json_decref(body);
    create_in_db(req, resp, &k, &in);
    project_in_free(&in);
    return 0;
}

/* ---- changes under a lock -------------------------------------------------- */

typedef enum { EDIT_PUT, EDIT_PATCH, EDIT_RESULTS } edit_kind;

/* The part of an edit after the lock: build, validate, store. */
static int edit_locked(jx_req *req, jx_resp *resp, pool_conn *pc, const auth_info *who,
                       db_row *row, json_t *body, edit_kind kind)
{
    json_t *stored = json_loadb(row->doc, row->doc_len, 0, NULL), *input = NULL;
    project_in in;
    jx_errors errs;
    size_t i, npos;
    long *result_of_pos = NULL;
    char *doc = NULL;
    PGresult *res = NULL;
    db_err e;
    int rc = -1;

    (void)req;
    memset(&in, 0, sizeof in);
    jx_errors_clear(&errs);
    if (!stored) {
        problem_internal(resp, "stored document");
        goto out;
    }
    npos = json_array_size(json_object_get(stored, "indicators"));
    if (kind == EDIT_PUT) {
        input = json_incref(body);
        project_org_immutable(body, row->org_id, &errs);
    } else if (kind == EDIT_PATCH) {
        project_org_immutable(body, row->org_id, &errs);
        input = project_merge_patch(stored, body);
    } else {
        input = json_deep_copy(stored);
        result_of_pos = malloc((npos ? npos : 1) * sizeof *result_of_pos);
        if (!input || !result_of_pos) {
            problem_oom(resp);
            goto out;
        }
        for (i = 0; i < npos; i++)
            result_of_pos[i] = -1;
        if (project_apply_results(input, body, resp, &errs, result_of_pos, npos) < 0)
            goto out; /* 400 in resp */
    }
    if (!input) {
        problem_oom(resp);
        goto out;
    }
    {
        jx_errors more;
        size_t j;

        /* every problem at once: the body's own and the whole project's */
        if (project_decode(app.ctx, input, &in, &more) == 0)
            project_check_ids(&in, stored, &more);
        if (result_of_pos)
            project_remap_pointers(&more, result_of_pos, npos);
        for (j = 0; j < more.count && j < JX_MAX_ERRORS; j++)
            errs_add(&errs, more.items[j].code[0] && more.status == JX_EFIELD &&
                                    !strcmp(more.items[j].code, "UNKNOWN_FIELD")
                                ? JX_EFIELD
                                : JX_EINVALID,
                     more.items[j].pointer, more.items[j].code, "%s", more.items[j].message);
        if (errs.count) {
            problem_invalid(resp, &errs);
            goto out;
        }
    }
    doc = doc_with_ids(pc, &in, resp);
    if (!doc)
        goto out;
    if (dbp_update(pc, who, row, &in, doc,
                   kind == EDIT_RESULTS ? "results" : kind == EDIT_PATCH ? "patch" : "update",
                   &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        problem_internal(resp, "update");
        goto out;
    }
    wf_send(resp, 200, res, 0);
    rc = 0;
out:
    PQclear(res);
    json_decref(stored);
    json_decref(input);
    project_in_free(&in);
    free(doc);
    free(result_of_pos);
    return rc;
}

static int edit(jx_req *req, jx_resp *resp, edit_kind kind)
{
    auth_info who;
    int64_t id, version;
    json_t *body = NULL;
    pool_conn *pc = NULL;
    db_row row;
    int ok;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (wf_lock(resp, &who, &wf_projects, id, version, 0, "修改 (be changed)", NULL, &pc,
                &row) < 0) {
        json_decref(body);
        return 0;
    }
    ok = edit_locked(req, resp, pc, &who, &row, body, kind) == 0;
    json_decref(body);
    db_row_free(&row);
    return wf_finish(resp, pc, ok);
}

int route_project_put(jx_req *req, jx_resp *resp)
{
    return edit(req, resp, EDIT_PUT);
}

int route_project_patch(jx_req *req, jx_resp *resp)
{
    return edit(req, resp, EDIT_PATCH);
}

int route_project_results(jx_req *req, jx_resp *resp)
{
    return edit(req, resp, EDIT_RESULTS);
}

int route_project_delete(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, version;
    pool_conn *pc = NULL;
    db_row row;
    db_err e;
    int ok;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0)
        return 0;
    if (wf_lock(resp, &who, &wf_projects, id, version, 0, "删除 (be deleted)", NULL, &pc,
                &row) < 0)
        return 0;
    ok = dbp_delete(pc, &who, &row, &e) == 0;
    if (ok)
        resp_static(resp, 204, NULL, "", 0);
    else
        db_problem(resp, &e);
    db_row_free(&row);
    return wf_finish(resp, pc, ok);
}

/* ---- workflow ------------------------------------------------------------ */

int route_project_submit(jx_req *req, jx_resp *resp)
{
    return wf_transition(req, resp, &wf_projects, "submit");
}

int route_project_accept(jx_req *req, jx_resp *resp)
{
    return wf_transition(req, resp, &wf_projects, "accept");
}

int route_project_return(jx_req *req, jx_resp *resp)
{
    return wf_transition(req, resp, &wf_projects, "return");
}

/* ---- lists ---------------------------------------------------------------- */

int route_projects_list(jx_req *req, jx_resp *resp)
{
    return wf_list(req, resp, LQ_PROJECTS, dbp_list);
}

int route_project_history(jx_req *req, jx_resp *resp)
{
    return wf_history(req, resp, dbp_history);
}
