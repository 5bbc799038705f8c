/*
 * test_workflow.c -- the workflow's rules without a database
 * (server/routes/workflow_state.c, called by routes/workflow.c).
 *
 * The transition table: submit draft -> submitted (the right to edit),
 * accept submitted -> accepted and return submitted -> draft (the right to
 * review), nothing else.  The checks of a locked row, in order: 404 when
 * not found (before anything about it is told), 412 with the current
 * version in the body and the ETag when If-Match named another, 403 with
 * the resource's own words, 409 naming the state when a draft is needed;
 * each check passes when it does not apply (If-Match *, need_review -1, no
 * `what`).  The row is built here, as the lock statement would fill it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "jxtest.h"
#include "routes/workflow.h"

static const wf_resource res = {
    NULL, NULL, "项目", "project", "the project changed", "NO-REVIEW-WORDS", "NO-EDIT-WORDS",
};

static jx_resp resp;

static void reset(void)
{
    if (resp.body && !resp.body_static)
        free(resp.body);
    memset(&resp, 0, sizeof resp);
}

static db_row row_of(const char *status, int64_t version, int can_edit, int can_review)
{
    db_row r;

    memset(&r, 0, sizeof r);
    r.found = 1;
    r.id = 9;
    snprintf(r.status, sizeof r.status, "%s", status);
    r.version = version;
    r.can_edit = can_edit;
    r.can_review = can_review;
    return r;
}

static json_t *check_problem(unsigned status, const char *slug)
{
    json_t *o;
    char type[96];

    CHECK_INT(resp.status, status);
    o = resp.body ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
    CHECK(o != NULL);
    if (!o)
        return NULL;
    snprintf(type, sizeof type, "urn:jixiao:problem:%s", slug);
    CHECK_STR(json_string_value(json_object_get(o, "type")), type);
    CHECK_INT(json_integer_value(json_object_get(o, "status")), status);
    return o;
}

static const char *detail_of(json_t *o)
{
    const char *d = json_string_value(json_object_get(o, "detail"));
    return d ? d : "";
}

static void test_steps(void)
{
    static const char *const actions[] = {"submit", "accept", "return"};
    static const char *const from[] = {"draft", "submitted", "submitted"};
    static const char *const to[] = {"submitted", "accepted", "draft"};
    static const int review[] = {0, 1, 1};
    size_t i;

    for (i = 0; i < 3; i++) {
        const wf_step *s = wf_step_of(actions[i]);

        jt_case("step %s", actions[i]);
        CHECK(s != NULL);
        if (!s)
            continue;
        CHECK_STR(s->action, actions[i]);
        CHECK_STR(s->from, from[i]);
        CHECK_STR(s->to, to[i]);
        CHECK_INT(s->review, review[i]);
        CHECK(s->verb && strchr(s->verb, '(') != NULL); /* Chinese, then English */
    }
    jt_case("no other action");
    CHECK(wf_step_of("reject") == NULL);
    CHECK(wf_step_of("Submit") == NULL);
    CHECK(wf_step_of("") == NULL);
    CHECK(wf_step_of(NULL) == NULL);

    jt_case("accepted is final: no step leaves it");
    for (i = 0; i < 3; i++)
        CHECK(strcmp(wf_step_of(actions[i])->from, "accepted") != 0);
}

static void test_check_row(void)
{
    db_row r;
    json_t *p;
    int i;

    jt_case("everything in order");
    reset();
    r = row_of("draft", 3, 1, 0);
    CHECK_INT(wf_check_row(&resp, &res, &r, 3, 0, "修改 (be changed)"), 0);
    CHECK_INT(resp.status, 0);
    CHECK(resp.body == NULL);

    jt_case("If-Match * (0) takes any version");
    r = row_of("draft", 77, 1, 0);
    CHECK_INT(wf_check_row(&resp, &res, &r, 0, 0, NULL), 0);

    jt_case("not found: 404, whatever else is wrong");
    reset();
    r = row_of("accepted", 5, 0, 0);
    r.found = 0;
    CHECK_INT(wf_check_row(&resp, &res, &r, 4, 1, "x"), -1);
    json_decref(check_problem(404, "not-found"));

    jt_case("stale: 412 with the current version, in the body and the ETag");
    reset();
    r = row_of("submitted", 5, 0, 0); /* also forbidden and not a draft: 412 first */
    CHECK_INT(wf_check_row(&resp, &res, &r, 4, 1, "x"), -1);
    p = check_problem(412, "stale");
    if (p) {
        CHECK_INT(json_integer_value(json_object_get(p, "current_version")), 5);
        CHECK(strstr(detail_of(p), "项目已被他人修改，当前版本为 5") != NULL);
        CHECK(strstr(detail_of(p), "(the project changed; current version 5)") != NULL);
        json_decref(p);
    }
    CHECK_STR(resp.content_type, "application/problem+json");
    CHECK_INT(resp.nheaders, 1);
    CHECK_STR(resp.headers[0].name, "ETag");
    CHECK_STR(resp.headers[0].value, "\"5\"");

    jt_case("403 in the resource's words: review");
    reset();
    r = row_of("submitted", 5, 1, 0); /* may edit, may not review */
    CHECK_INT(wf_check_row(&resp, &res, &r, 5, 1, NULL), -1);
    p = check_problem(403, "forbidden");
    if (p) {
        CHECK_STR(detail_of(p), "NO-REVIEW-WORDS");
        json_decref(p);
    }

    jt_case("403 in the resource's words: edit (before the state)");
    reset();
    r = row_of("submitted", 5, 0, 1); /* may review, may not edit */
    CHECK_INT(wf_check_row(&resp, &res, &r, 5, 0, "修改 (be changed)"), -1);
    p = check_problem(403, "forbidden");
    if (p) {
        CHECK_STR(detail_of(p), "NO-EDIT-WORDS");
        json_decref(p);
    }

    jt_case("reading is enough (need_review -1): no right needed");
    reset();
    r = row_of("accepted", 5, 0, 0);
    CHECK_INT(wf_check_row(&resp, &res, &r, 5, -1, NULL), 0);

    jt_case("409 names the state when a draft is needed");
    for (i = 0; i < 2; i++) {
        static const char *const states[] = {"submitted", "accepted"};

        reset();
        r = row_of(states[i], 5, 1, 1);
        CHECK_INT(wf_check_row(&resp, &res, &r, 5, 0, "修改 (be changed)"), -1);
        p = check_problem(409, "invalid-state");
        if (p) {
            char want[200];

            snprintf(want, sizeof want, "项目当前状态为 %s，不能修改 (be changed) (the project is %s)",
                     states[i], states[i]);
            CHECK_STR(detail_of(p), want);
            json_decref(p);
        }
    }
    jt_case("no `what`: any state will do");
    reset();
    r = row_of("accepted", 5, 1, 1);
    CHECK_INT(wf_check_row(&resp, &res, &r, 5, 1, NULL), 0);

    jt_case("wf_conflict_state with a step's verb, an empty noun");
    {
        static const wf_resource plain = {NULL, NULL, "", "resource", "changed meanwhile", "r",
                                          "e"};

        reset();
        wf_conflict_state(&resp, &plain, "draft", wf_step_of("accept")->verb);
        p = check_problem(409, "invalid-state");
        if (p) {
            CHECK_STR(detail_of(p), "当前状态为 draft，不能通过 (be accepted) (the resource is draft)");
            json_decref(p);
        }
    }
    jt_case("a status too long for the detail is cut, never overflows");
    {
        char longs[400];

        memset(longs, 's', sizeof longs - 1);
        longs[sizeof longs - 1] = '\0';
        reset();
        wf_conflict_state(&resp, &res, longs, "x");
        json_decref(check_problem(409, "invalid-state"));
    }
    reset();
}

int main(void)
{
    test_steps();
    test_check_row();
    return jt_finish("workflow");
}
