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
 *   monitoring   PUT /v1/projects/{id}/monitoring/{period}, against a
 *                stored project's indicators; thresholds, rectification
 *                changes, advice rules and decisions (input/monitoring.c)
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
#include "input/monitoring.h"
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

/* A stored project's indicators, as the monitoring decoder meets them. */
static const char PROJECT[] =
    "{\"year\":2024,\"indicators\":[{\"id\":11,\"name\":\"次数\",\"target\":\"≥5次\"},"
    "{\"id\":12,\"name\":\"覆盖率\",\"target\":\"100%\"},"
    "{\"id\":13,\"name\":\"成本\",\"target\":\"≤90万元\"},"
    "{\"id\":14,\"name\":\"金额\",\"target\":\"50万元\"},{\"id\":15,\"name\":\"x\"}]}";

/* Every decoder of input/monitoring.c on one body: a refusal lists its
 * problems well-formed, an acceptance stores well-formed JSON. */
static void monitoring(json_t *body)
{
    json_t *project = json_loads(PROJECT, 0, NULL);
    jx_errors errs;
    mon_in in;
    mon_thresholds_in th;
    rect_patch_in rp;
    advice_decision_in ad;
    mon_period p;
    char *rules = NULL;

    if (!project)
        abort();
    if (mon_decode(body, project, &in, &errs) < 0) {
        fz_check_errs(&errs);
    } else {
        json_decref(fz_parse(in.progress, strlen(in.progress)));
        if (in.executed_fen < 0 || !in.executed[0])
            abort();
    }
    mon_in_free(&in);
    json_decref(project);
    if (mon_thresholds_decode(body, &th, &errs) < 0)
        fz_check_errs(&errs);
    else if (strtod(th.yellow, NULL) >= strtod(th.green, NULL))
        abort();
    if (rect_patch_decode(body, &rp, &errs) < 0)
        fz_check_errs(&errs);
    else if (rp.status && !rect_is_review(rp.status) && !rect_allowed("open", rp.status) &&
             !rect_allowed("in_progress", rp.status) && strcmp(rp.status, "open"))
        abort();
    if (advice_rules_decode(body, &rules, &errs) < 0)
        fz_check_errs(&errs);
    else
        json_decref(fz_parse(rules, strlen(rules)));
    free(rules);
    if (advice_decision_decode(body, &ad, &errs) < 0)
        fz_check_errs(&errs);
    else if (!ad.decision)
        abort();
    {
        /* the period too, from the body's "period" */
        const char *s = json_string_value(json_object_get(body, "period"));

        if (s && mon_period_parse(s, &p) == 0 && (p.months < 1 || p.months > 12))
            abort();
    }
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
               strcmp(kind, "orgpatch") && strcmp(kind, "token") && strcmp(kind, "monitoring")) {
        /* not a request this target knows */
    } else if (body_json(&req, &resp, 0, &body) < 0) {
        fz_check_problem(&resp, 400);
    } else if (!strcmp(kind, "assessment")) {
        assessment(body);
    } else if (!strcmp(kind, "plan")) {
        plan(body);
    } else if (!strcmp(kind, "monitoring")) {
        monitoring(body);
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
