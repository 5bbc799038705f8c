/*
 * workflow.c -- locking, If-Match and state checks shared by the
 * resources that follow the projects' workflow (assessments, plans).
 *
 * A change borrows a connection, begins, replays an Idempotency-Key retry
 * before anything else (its If-Match is stale by then), locks the row
 * (SELECT ... FOR UPDATE in the caller's reach: out of reach is 404),
 * compares the version (412 with the current one), the permission (403)
 * and the state (409).  Of two edits made with the same ETag exactly one
 * wins.
 */
#include "workflow.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

#define CT_JSON "application/json"

int wf_send_text(jx_resp *resp, unsigned status, const char *text, size_t n)
{
    char *copy = malloc(n + 1);

    if (!copy)
        return problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
    memcpy(copy, text, n);
    copy[n] = '\0';
    resp_body(resp, status, CT_JSON, copy, n);
    return 0;
}

int wf_send(jx_resp *resp, unsigned status, const PGresult *res, int vcol)
{
    resp_header(resp, "ETag", "\"%s\"", PQgetvalue(res, 0, vcol));
    return wf_send_text(resp, status, PQgetvalue(res, 0, vcol + 1),
                        (size_t)PQgetlength(res, 0, vcol + 1));
}

static int stale(jx_resp *resp, int64_t current)
{
    char detail[200];
    char *body;
    json_t *o;

    snprintf(detail, sizeof detail,
             "已被他人修改，当前版本为 %lld，请重新读取后再改 (changed meanwhile; current "
             "version %lld)",
             (long long)current, (long long)current);
    o = json_pack("{s:s,s:s,s:i,s:s,s:I}", "type", "urn:jixiao:problem:stale", "title",
                  "版本已过期 (precondition failed)", "status", 412, "detail", detail,
                  "current_version", (json_int_t)current);
    body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body)
        return problem(resp, 412, "stale", "版本已过期 (precondition failed)", detail);
    resp_body(resp, 412, "application/problem+json", body, strlen(body));
    resp_header(resp, "ETag", "\"%lld\"", (long long)current);
    return 0;
}

int wf_conflict_state(jx_resp *resp, const char *status, const char *what)
{
    char detail[300];

    snprintf(detail, sizeof detail, "当前状态为 %s，不能%s (the resource is %s)", status, what,
             status);
    return problem(resp, 409, "invalid-state", "当前状态不允许此操作 (not allowed in this state)",
                   detail);
}

int wf_lock(jx_resp *resp, const auth_info *who, wf_lock_fn lock, int64_t id,
            int64_t want_version, int need_review, const char *what, const idem *k,
            pool_conn **pc, project_row *row)
{
    db_err e;

    *pc = NULL;
    memset(row, 0, sizeof *row);
    if (db_acquire(pc, &e) < 0) {
        db_problem(resp, &e);
        return -1;
    }
    if (db_begin(*pc, &e) < 0) {
        db_problem(resp, &e);
        goto fail;
    }
    if (k) {
        idem_status st = idem_claim(*pc, who, k, resp, &e);

        if (st == IDEM_FAIL)
            db_problem(resp, &e);
        if (st != IDEM_NEW)
            goto fail;
    }
    if (lock(*pc, who, id, row, &e) < 0) {
        db_problem(resp, &e);
        goto fail;
    }
    if (!row->found) {
        problem_not_found(resp);
        goto fail;
    }
    if (want_version && want_version != row->version) {
        stale(resp, row->version);
        goto fail;
    }
    if (need_review >= 0 && (need_review ? !row->can_review : !row->can_edit)) {
        problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                need_review ? "只有上级主管部门、所在地区的财政局或运营者可以审核 (only the "
                              "department above, the finance bureau or the operator may review)"
                            : "只有所属单位、其主管部门或运营者可以修改 (only the owning "
                              "organisation, its department or the operator may change it)");
        goto fail;
    }
    if (what && strcmp(row->status, "draft") != 0) {
        wf_conflict_state(resp, row->status, what);
        goto fail;
    }
    return 0;
fail:
    db_rollback(*pc);
    db_release(*pc);
    *pc = NULL;
    project_row_free(row);
    return -1;
}

int wf_finish(jx_resp *resp, pool_conn *pc, int ok)
{
    db_err e;

    if (ok && db_commit(pc, &e) < 0)
        db_problem(resp, &e);
    db_rollback(pc);
    db_release(pc);
    return 0;
}
