/*
 * fuzz_bodies: the JSON bodies of the other endpoints, through the
 * server's own decoders, without the database:
 *   assessment   POST/PUT /v1/assessments          (assessment.c)
 *   plan         POST/PUT /v1/plans                (plan.c)
 *   org          POST /v1/orgs, as each kind of caller (org_input.c)
 *   orgpatch     PATCH /v1/orgs/{id}               (org_input.c)
 *   token        POST /v1/orgs/{id}/tokens         (org_input.c)
 *   evaluation   POST .../evaluations options      (eval_options.c)
 *   framework    POST /v1/frameworks               (the library, as routes_frameworks.c calls it)
 * Every body is also read by server/jsonfast.c, whose tree must be
 * Jansson's whenever it gives one.
 * Input: a first line naming one, then the body.  Invariants: a refusal
 * is a well-formed problem whose errors have messages, codes and valid
 * pointers; an acceptance yields what the handler stores, well-formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/assessment.h"
#include "input/body.h"
#include "input/evaluation.h"
#include "fuzz_server.h"
#include "input/org.h"
#include "input/plan.h"
#include "problem.h"

static jx_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = jx_ctx_new();
    if (!ctx)
        abort();
    return 0;
}

static void assessment(json_t *body)
{
    assessment_in a;
    jx_errors errs;
    char *text, *sdoc;

    if (assessment_decode(ctx, body, &a, &errs) < 0) {
        fz_check_errs(&errs);
        return;
    }
    if (!a.scope || (strcmp(a.scope, "department_wide") && strcmp(a.scope, "unit_wide")) ||
        a.year < 2000 || a.year > 2100)
        abort();
    text = json_dumps(a.doc, JSON_COMPACT);
    if (!text)
        abort();
    json_decref(fz_parse(text, strlen(text)));
    sdoc = assessment_scoring_document(text, strlen(text), "某单位");
    if (!sdoc)
        abort();
    {
        jx_errors le;
        jx_document *d;

        jx_errors_clear(&le);
        d = jx_document_load(ctx, sdoc, strlen(sdoc), &le);
        if (!d)
            abort(); /* accepted, yet its evaluation could not read it */
        jx_document_free(d);
    }
    free(sdoc);
    free(text);
    assessment_in_free(&a);
}

static void plan(json_t *body)
{
    jx_resp resp;
    int64_t org;
    int year;
    char *doc = NULL;
    json_t *d;

    memset(&resp, 0, sizeof resp);
    if (plan_decode(body, &resp, &org, &year, &doc) < 0) {
        fz_check_problem(&resp, 0);
        fz_resp_free(&resp);
        return;
    }
    d = fz_parse(doc, strlen(doc));
    if (year < 2000 || year > 2100 || org < 0 || json_object_get(d, "org_id") ||
        !json_is_array(json_object_get(d, "projects")) ||
        !json_is_array(json_object_get(d, "unit_wide")) ||
        !json_is_integer(json_object_get(d, "budget_year")))
        abort();
    json_decref(d);
    free(doc);
}

static void org(json_t *body, int create, size_t salt)
{
    static const org_caller CALLERS[] = {
        {"admin", "000000", 1}, {"finance", "341300", 2}, {"department", "341300", 3}};
    const org_caller *who = &CALLERS[salt % 3];
    org_in o;
    jx_resp resp;
    jx_errors errs;

    memset(&resp, 0, sizeof resp);
    if (org_decode(body, create, who, &o, &resp, &errs) < 0) {
        fz_check_problem(&resp, 400);
        fz_resp_free(&resp);
        return;
    }
    if (errs.count) {
        fz_check_errs(&errs);
        return;
    }
    if (create && (!o.kind || !o.name || !o.region || o.parent_id < 0))
        abort();
    if ((o.posts && strspn(o.posts, "0123456789") != strlen(o.posts)) ||
        (o.staff && strspn(o.staff, "0123456789") != strlen(o.staff)))
        abort();
}

static void token(json_t *body)
{
    const char *label, *expires;
    jx_resp resp;
    jx_errors errs;

    memset(&resp, 0, sizeof resp);
    if (token_decode(body, &label, &expires, &resp, &errs) < 0) {
        fz_check_problem(&resp, 400);
        fz_resp_free(&resp);
        return;
    }
    if (errs.count)
        fz_check_errs(&errs);
    else if (expires && !rfc3339_ok(expires))
        abort();
}

static void framework(const jx_req *req)
{
    jx_errors errs;
    jx_framework *fw;
    jx_resp resp;
    char *text;

    jx_errors_clear(&errs);
    fw = jx_framework_load(req->body, req->len, &errs);
    if (!fw) {
        memset(&resp, 0, sizeof resp);
        if (errs.status == JX_ESYNTAX)
            problem_errors(&resp, 400, "malformed-json", "请求体不是合法的 JSON (malformed JSON)",
                           NULL, &errs);
        else
            fz_check_errs(&errs);
        if (resp.status)
            fz_check_problem(&resp, 400);
        fz_resp_free(&resp);
        return;
    }
    text = jx_framework_json(fw);
    if (!text)
        abort();
    json_decref(fz_parse(text, strlen(text)));
    if (!jx_framework_id(fw) || !*jx_framework_id(fw) || jx_framework_max(fw) < 0)
        abort();
    free(text);
    jx_framework_free(fw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char kind[32];
    const uint8_t *rest;
    size_t n;
    jx_req req;
    jx_resp resp;
    json_t *body = NULL;

    if (!fz_split(data, size, kind, sizeof kind, &rest, &n))
        return 0;
    fz_check_jsonfast(rest, n);
    fz_req_init(&req, NULL, 0, rest, n, "application/json");
    memset(&resp, 0, sizeof resp);
    if (!strcmp(kind, "framework")) {
        framework(&req);
    } else if (!strcmp(kind, "evaluation")) {
        eval_options opt;
        json_t *keep = NULL;

        if (eval_options_decode(&req, &resp, &keep, &opt) < 0)
            fz_check_problem(&resp, 0);
        else if (opt.version < 0 || opt.version > 1000000 || (opt.framework && !keep))
            abort();
        json_decref(keep);
    } else if (!strcmp(kind, "token") && !n) {
        token(NULL);
    } else if (strcmp(kind, "assessment") && strcmp(kind, "plan") && strcmp(kind, "org") &&
               strcmp(kind, "orgpatch") && strcmp(kind, "token")) {
        /* not a request this target knows */
    } else if (body_json(&req, &resp, 0, &body) < 0) {
        fz_check_problem(&resp, 400);
    } else if (!strcmp(kind, "assessment")) {
        assessment(body);
    } else if (!strcmp(kind, "plan")) {
        plan(body);
    } else if (!strcmp(kind, "org") || !strcmp(kind, "orgpatch")) {
        org(body, !strcmp(kind, "org"), n);
    } else {
        token(body);
    }
    json_decref(body);
    fz_resp_free(&resp);
    fz_req_free(&req);
    return 0;
}
