/*
 * routes/workflow_state.c -- the workflow's rules without a database: which
 * action moves which state where, and what a locked row must satisfy.
 *
 * Design.  workflow.c borrows a connection, locks the row and writes the
 * transition; the judgements in between need no SQL and live here so a
 * unit test (tests/unit/server/routes/test_workflow.c) can run them all:
 *   - wf_step_of(): the transition table, draft -> submitted (submit) ->
 *     accepted (accept), submitted -> draft (return), with whether the
 *     action needs the right to review and the words of its 409;
 *   - wf_check_row(): a locked row against the request -- missing (404),
 *     another version than If-Match named (412 with the current one), no
 *     right to edit or review (403), not a draft when a draft is needed
 *     (409), in that order.
 * Calls only problem.c and resp.c (the answer), nothing above it.
 */
#include "routes/workflow.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "problem.h"

static const wf_step STEPS[] = {
    {"submit", "draft", "submitted", 0, "提交 (be submitted)"},
    {"accept", "submitted", "accepted", 1, "通过 (be accepted)"},
    {"return", "submitted", "draft", 1, "退回 (be returned)"},
};

const wf_step *wf_step_of(const char *action)
{
    size_t i;

    for (i = 0; action && i < sizeof STEPS / sizeof STEPS[0]; i++)
        if (!strcmp(STEPS[i].action, action))
            return &STEPS[i];
    return NULL;
}

/* 412 with the current version in the body and the ETag. */
static int stale(jx_resp *resp, const wf_resource *r, int64_t current)
{
    char detail[200];
    char *body;
    json_t *o;

    snprintf(detail, sizeof detail,
             "%s已被他人修改，当前版本为 %lld，请重新读取后再改 (%s; current version %lld)",
             r->noun_zh, (long long)current, r->stale_en, (long long)current);
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

int wf_conflict_state(jx_resp *resp, const wf_resource *r, const char *status, const char *what)
{
    char detail[300];

    snprintf(detail, sizeof detail, "%s当前状态为 %s，不能%s (the %s is %s)", r->noun_zh, status,
             what, r->noun_en, status);
    return problem(resp, 409, "invalid-state", "当前状态不允许此操作 (not allowed in this state)",
                   detail);
}

int wf_check_row(jx_resp *resp, const wf_resource *r, const db_row *row,
                 int64_t want_version, int need_review, const char *what)
{
    if (!row->found) {
        problem_not_found(resp);
        return -1;
    }
    if (want_version && want_version != row->version) {
        stale(resp, r, row->version);
        return -1;
    }
    if (need_review >= 0 && (need_review ? !row->can_review : !row->can_edit)) {
        problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                need_review ? r->no_review : r->no_edit);
        return -1;
    }
    if (what && strcmp(row->status, "draft") != 0) {
        wf_conflict_state(resp, r, row->status, what);
        return -1;
    }
    return 0;
}
