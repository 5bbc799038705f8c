/*
 * evaluation.c -- running an evaluation (POST /v1/projects/{id}/evaluations
 * and POST /v1/assessments/{id}/evaluations).
 *
 * The steps, inside the caller's transaction with the subject locked:
 *   1. the framework: the subject's own (or the one the request names),
 *      looked up in `frameworks` within the caller's reach.  The library's
 *      built-ins at their latest version are named by id; any other
 *      version, and every finance bureau's framework, goes into the
 *      document as a whole framework object, so the library scores exactly
 *      the stored definition.  A version not yet used is read FOR SHARE, so
 *      it cannot change between scoring and marking it used.
 *   2. the library: jx_document_load, jx_score, jx_result_json.
 *   3. CROSS_TABLE_MISMATCH (scoring.md §6) against the other documents of
 *      the same organisation and year: a project's wide assessments, an
 *      assessment's projects.
 *   4. db_evaluations.c stores the evaluation with its rollup (or, dry,
 *      only puts the body together).
 */
#include "evaluation.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assessment.h"
#include "body.h"
#include "db_evaluations.h"
#include "db_frameworks.h"
#include "metrics.h"
#include "problem.h"
#include "project.h"
#include "util.h"

#define CT_JSON "application/json"

int eval_options_decode(jx_req *req, jx_resp *resp, json_t **keep, eval_options *opt)
{
    static const char *const FIELDS[] = {"framework", "framework_version", NULL};
    json_t *body = NULL, *v;
    jx_errors errs;

    memset(opt, 0, sizeof *opt);
    *keep = NULL;
    if (!req->len)
        return 0;
    if (body_json(req, resp, 0, &body) < 0)
        return -1;
    if (body_unknown_fields(resp, body, FIELDS, "") < 0) {
        json_decref(body);
        return -1;
    }
    jx_errors_clear(&errs);
    v = json_object_get(body, "framework");
    if (v && !json_is_null(v) && !json_is_string(v))
        errs_add(&errs, JX_EINVALID, "/framework", "TYPE_INVALID",
                 "framework 应为评价框架的 id (framework must be an id)");
    opt->framework = json_string_value(v);
    v = json_object_get(body, "framework_version");
    if (v && !json_is_null(v) &&
        (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000))
        errs_add(&errs, JX_EINVALID, "/framework_version", "TYPE_INVALID",
                 "framework_version 应为正整数 (framework_version must be a positive integer)");
    else if (json_is_integer(v))
        opt->version = (int)json_integer_value(v);
    if (errs.count) {
        json_decref(body);
        problem_invalid(resp, &errs);
        return -1;
    }
    *keep = body;
    return 0;
}

static int fw_problem(jx_resp *resp, const char *code, const char *msg)
{
    jx_errors errs;

    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/framework", code, "%s", msg);
    return problem_invalid(resp, &errs);
}

typedef struct {
    int version;
    char scope[24];
    char *definition;   /* malloc'd when the document must carry it */
} fw_pick;

/* Step 1: the framework row; puts the definition into doc when needed. */
static int pick_framework(pool_conn *pc, const auth_info *who, const project_row *row,
                          const char *id, int version, json_t *doc, fw_pick *out,
                          jx_resp *resp)
{
    PGresult *res = NULL;
    db_err e;
    int rc = -1, lock;

    memset(out, 0, sizeof *out);
    for (lock = 0; lock < 2; lock++) {
        PQclear(res);
        res = NULL;
        if (dbf_for_evaluation(pc, who, id, version, row->region_code, lock, &res, &e) < 0) {
            db_problem(resp, &e);
            goto out;
        }
        if (PQntuples(res) != 1) {
            fw_problem(resp, "FRAMEWORK_UNKNOWN",
                       "评价框架不存在或不在可用范围内 (no such framework within reach)");
            goto out;
        }
        if (PQgetvalue(res, 0, 3)[0] == 't')
            break; /* used: immutable, no lock needed */
    }
    out->version = atoi(PQgetvalue(res, 0, 0));
    snprintf(out->scope, sizeof out->scope, "%s", PQgetvalue(res, 0, 2));
    if (!(PQgetvalue(res, 0, 1)[0] == 't' && PQgetvalue(res, 0, 4)[0] == 't')) {
        json_t *def = json_loads(PQgetvalue(res, 0, 5), 0, NULL);

        if (!def) {
            problem(resp, 500, "internal", "内部错误 (internal error)", "framework definition");
            goto out;
        }
        json_object_set_new(doc, "framework", def);
    } else {
        json_object_set_new(doc, "framework", json_string(id));
    }
    rc = 0;
out:
    PQclear(res);
    return rc;
}

/* The other document's scoring text, for cross findings. */
static char *other_document(const char *subject, const char *doc, size_t len, const char *org)
{
    return !strcmp(subject, "project") ? assessment_scoring_document(doc, len, org)
                                       : project_scoring_document(doc, len, org);
}

/* Step 3: CROSS_TABLE_MISMATCH findings of d against the other documents,
 * as a JSON array text (malloc'd). */
static char *cross_findings(pool_conn *pc, const char *subject, const project_row *row,
                            const jx_document *d, jx_resp *resp, int *failed)
{
    PGresult *res = NULL;
    db_err e;
    json_t *all = json_array();
    char *out = NULL;
    int i;

    *failed = 0;
    if (dbe_cross_docs(pc, subject, row->province, row->org_id, jx_document_year(d), &res,
                       &e) < 0) {
        db_problem(resp, &e);
        *failed = 1;
        goto out;
    }
    for (i = 0; i < PQntuples(res); i++) {
        char *text = other_document(subject, PQgetvalue(res, i, 1),
                                    (size_t)PQgetlength(res, i, 1), row->org_name);
        jx_errors errs;
        jx_document *other;
        char *found;
        json_t *arr, *f;
        size_t k;

        if (!text)
            continue;
        jx_errors_clear(&errs);
        other = jx_document_load(app.ctx, text, strlen(text), &errs);
        free(text);
        if (!other)
            continue; /* a document that no longer loads has nothing to compare */
        found = jx_cross_findings(d, other, PQgetvalue(res, i, 2));
        jx_document_free(other);
        arr = found ? json_loads(found, 0, NULL) : NULL;
        free(found);
        json_array_foreach(arr, k, f)
            json_array_append(all, f);
        json_decref(arr);
    }
out:
    PQclear(res);
    if (!*failed && all)
        out = json_dumps(all, JSON_COMPACT);
    json_decref(all);
    if (!out && !*failed) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        *failed = 1;
    }
    return out;
}

static char *meta_json(const auth_info *who, const char *subject, const project_row *row,
                       const jx_document *d, const char *fw_id, int fw_version)
{
    json_t *m = json_object();
    char key[32];
    char *out;

    snprintf(key, sizeof key, "%s_id", subject);
    json_object_set_new(m, "subject", json_string(subject));
    json_object_set_new(m, key, json_integer(row->id));
    json_object_set_new(m, "subject_version", json_integer(row->version));
    json_object_set_new(m, "org_id", json_integer(row->org_id));
    json_object_set_new(m, "org", json_string(row->org_name));
    json_object_set_new(m, "region_code", json_string(row->region_code));
    json_object_set_new(m, "year", json_integer(jx_document_year(d)));
    json_object_set_new(m, "scope", json_string(jx_document_scope(d)));
    json_object_set_new(m, "name", jx_document_name(d) ? json_string(jx_document_name(d))
                                                         : json_null());
    json_object_set_new(m, "framework", json_string(fw_id));
    json_object_set_new(m, "framework_version", json_integer(fw_version));
    json_object_set_new(m, "created_by",
                        json_pack("{s:I,s:s,s:I}", "org_id", (json_int_t)who->org_id,
                                  "org_name", who->org_name, "token_id",
                                  (json_int_t)who->token_id));
    out = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    return out;
}

static int load_problem(jx_resp *resp, const jx_errors *errs)
{
    return problem_errors(resp, 422, "invalid-document", "文档无法评分 (document cannot be scored)",
                          "存储的文档按所选框架无法评分，下列每一项都需更正 (the stored document "
                          "cannot be scored with this framework; every problem is listed)",
                          errs);
}

static int send_body(jx_resp *resp, unsigned status, const char *text, size_t n)
{
    char *copy = malloc(n + 1);

    if (!copy)
        return problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
    memcpy(copy, text, n + 1);
    resp_body(resp, status, CT_JSON, copy, n);
    return 0;
}

int eval_run(pool_conn *pc, const auth_info *who, const char *subject, const project_row *row,
             char *sdoc, const eval_options *opt, int dry, jx_resp *resp)
{
    json_t *doc = sdoc ? json_loads(sdoc, 0, NULL) : NULL;
    char fw_id[72];
    char *input = NULL, *result = NULL, *cross = NULL, *meta = NULL;
    jx_document *d = NULL;
    jx_result *r = NULL;
    jx_errors errs;
    fw_pick fw;
    PGresult *res = NULL;
    db_err e;
    int rc = -1, failed;

    memset(&fw, 0, sizeof fw);
    free(sdoc);
    if (!json_is_object(doc)) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "stored document");
        goto out;
    }
    /* a copy: the document's framework member is replaced below */
    snprintf(fw_id, sizeof fw_id, "%s",
             opt->framework                                        ? opt->framework
             : json_is_string(json_object_get(doc, "framework")) ? json_string_value(
                                                                     json_object_get(doc, "framework"))
                                                                 : "project-2020");
    if (pick_framework(pc, who, row, fw_id, opt->version, doc, &fw, resp) < 0)
        goto out;
    if (strcmp(fw.scope, json_string_value(json_object_get(doc, "scope"))
                             ? json_string_value(json_object_get(doc, "scope"))
                             : "project")) {
        fw_problem(resp, "FRAMEWORK_SCOPE",
                   "评价框架的适用范围与被评对象不符 (the framework's scope does not fit)");
        goto out;
    }
    input = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!input) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    jx_errors_clear(&errs);
    d = jx_document_load(app.ctx, input, strlen(input), &errs);
    if (!d) {
        load_problem(resp, &errs);
        goto out;
    }
    r = jx_score(d);
    result = r ? jx_result_json(r, NULL) : NULL;
    metrics_scoring(r ? JX_OK : JX_ENOMEM);
    if (!result) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    cross = cross_findings(pc, subject, row, d, resp, &failed);
    if (failed)
        goto out;
    meta = meta_json(who, subject, row, d, fw_id, fw.version);
    if (!meta) {
        problem(resp, 500, "internal", "内部错误 (internal error)", "out of memory");
        goto out;
    }
    {
        dbe_body b = {input, result, cross, meta};

        if (dry) {
            if (dbe_dry(pc, &b, &res, &e) < 0) {
                db_problem(resp, &e);
                goto out;
            }
            rc = send_body(resp, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
        } else {
            dbe_row dr;

            memset(&dr, 0, sizeof dr);
            dr.province = row->province;
            dr.subject = subject;
            dr.subject_id = row->id;
            dr.subject_version = row->version;
            dr.org_id = row->org_id;
            dr.parent_org_id = row->parent_org_id;
            dr.region_code = row->region_code;
            dr.year = jx_document_year(d);
            dr.scope = jx_document_scope(d);
            dr.framework_id = fw_id;
            dr.framework_version = fw.version;
            dr.total = jx_result_total(r);
            dr.max = jx_result_max(r);
            dr.normalised = jx_result_normalised(r);
            dr.grade = jx_result_grade(r);
            dr.complete = jx_result_complete(r);
            dr.subject_doc = row->doc;
            if (dbe_insert(pc, who, &dr, &b, &res, &e) < 0) {
                db_problem(resp, &e);
                goto out;
            }
            resp_header(resp, "Location", "/v1/evaluations/%s", PQgetvalue(res, 0, 0));
            rc = send_body(resp, 201, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
        }
    }
out:
    PQclear(res);
    jx_result_free(r);
    jx_document_free(d);
    json_decref(doc);
    free(input);
    free(result);
    free(cross);
    free(meta);
    free(fw.definition);
    return rc;
}
