/*
 * routes/reports.c -- GET /v1/evaluations/{id}/report?format=json|html|md|csv|xlsx|pdf
 *
 * Assembles the report model of docs/reports.md from the stored
 * evaluation (its body, the scoring document it read, and the subject's
 * document at that version for goals, problems, code and 主管处室) and
 * hands it to jx_report_render, a pure function.  An unknown format is
 * 400; a report beyond what its format holds (a PDF over 500 pages) 422;
 * any other render failure 500 (the server built the model).  Nothing
 * here reads the subject as it is now: a report of an old evaluation
 * shows what was evaluated then.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/evaluations.h"
#include "db/monitoring.h"
#include "problem.h"
#include "report.h"
#include "routes/routes.h"

static int known_format(const char *f)
{
    size_t i;

    for (i = 0; jx_report_formats[i]; i++)
        if (!strcmp(jx_report_formats[i], f))
            return 1;
    return 0;
}

static void copy_str(json_t *to, const char *key, json_t *from, const char *from_key)
{
    json_t *v = json_object_get(from, from_key);

    if (json_is_string(v))
        json_object_set(to, key, v);
}

/* 问题清单 rows: the stored problems, advice under the model's name. */
static json_t *problems_of(json_t *subject_doc)
{
    json_t *out = json_array(), *p;
    size_t i;

    json_array_foreach(json_object_get(subject_doc, "problems"), i, p) {
        json_t *row = json_object();

        copy_str(row, "category", p, "category");
        copy_str(row, "responsible_office", p, "responsible_office");
        copy_str(row, "description", p, "description");
        copy_str(row, "advice", p, "rectification_advice");
        copy_str(row, "note", p, "note");
        json_array_append_new(out, row);
    }
    return out;
}

static json_t *build_model(const PGresult *res, const char *id)
{
    json_t *body = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    json_t *input = json_incref(json_object_get(body, "input"));
    json_t *sdoc = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
    json_t *model = NULL, *ev, *pr, *v;
    char ver[24];

    if (!json_is_object(body) || !json_is_object(input) || !json_is_object(sdoc))
        goto out;
    model = json_object();
    ev = json_object();
    json_object_set_new(ev, "id", json_string(id));
    copy_str(ev, "created_at", body, "created_at");
    json_object_set_new(ev, "created_by", json_string(PQgetvalue(res, 0, 2)));
    copy_str(ev, "framework", body, "framework");
    snprintf(ver, sizeof ver, "%lld",
             (long long)json_integer_value(json_object_get(body, "framework_version")));
    json_object_set_new(ev, "framework_version", json_string(ver));
    pr = json_object();
    v = json_object_get(input, "name");
    json_object_set(pr, "name", json_is_string(v) ? v : json_object_get(sdoc, "name"));
    copy_str(pr, "code", sdoc, "code");
    json_object_set_new(pr, "org", json_string(PQgetvalue(res, 0, 3)));
    json_object_set(pr, "year", json_object_get(body, "year"));
    copy_str(pr, "scope", body, "scope");
    copy_str(pr, "supervising_office", sdoc, "supervising_office");
    copy_str(pr, "fund_nature", sdoc, "fund_nature");
    if (json_is_object(json_object_get(sdoc, "goals")))
        json_object_set(pr, "goals", json_object_get(sdoc, "goals"));
    if (json_is_object(json_object_get(input, "budget")))
        json_object_set(pr, "budget", json_object_get(input, "budget"));
    if (json_is_array(json_object_get(input, "indicators")))
        json_object_set(pr, "indicators", json_object_get(input, "indicators"));
    /* what the unit reported (total, grade): beside what was computed */
    if (json_is_object(json_object_get(input, "reported")))
        json_object_set(pr, "reported", json_object_get(input, "reported"));
    json_object_set_new(pr, "problems", problems_of(sdoc));
    json_object_set_new(model, "evaluation", ev);
    json_object_set_new(model, "project", pr);
    json_object_del(body, "input");
    json_object_set(model, "result", body);
out:
    json_decref(body);
    json_decref(input);
    json_decref(sdoc);
    return model;
}

/* Results application (issue 20): the project's monitoring colours, 整改
 * items and budget advice as they are now, under "application"; left out
 * for assessments.  The one part of a report that is not as evaluated. */
static int add_application(const auth_info *who, int64_t id, json_t *model, db_err *e)
{
    PGresult *res = NULL;

    if (dbm_application(who, id, &res, e) < 0)
        return -1;
    if (PQntuples(res) == 1)
        json_object_set_new(model, "application", json_loads(PQgetvalue(res, 0, 0), 0, NULL));
    PQclear(res);
    return 0;
}

int route_evaluation_report(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id;
    const char *format = req_query(req, "format");
    PGresult *res = NULL;
    db_err e;
    json_t *model = NULL;
    char *out = NULL, err[512], idtext[24];
    const char *ct = NULL, *ext;
    size_t len = 0;
    int rc;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0)
        return 0;
    if (!format)
        format = "json";
    if (!known_format(format)) {
        char detail[300];

        snprintf(detail, sizeof detail,
                 "不支持的报告格式 '%.40s'，可用 json、html、md、csv、xlsx、pdf (unknown format)", format);
        return problem(resp, 400, "bad-request", "请求有误 (bad request)", detail);
    }
    if (dbe_report(&who, id, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) != 1) {
        PQclear(res);
        return problem_not_found(resp);
    }
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    model = build_model(res, idtext);
    PQclear(res);
    if (!model)
        return problem_internal(resp, "report model");
    if (add_application(&who, id, model, &e) < 0) {
        json_decref(model);
        return db_problem(resp, &e);
    }
    rc = jx_report_render(model, format, &out, &len, &ct, err, sizeof err);
    if (rc == JX_REPORT_TOO_LARGE) {
        json_decref(model);
        return problem(resp, 422, "report-too-large",
                       "报告超出该格式的容量 (report too large for the format)", err);
    }
    if (rc < 0) {
        json_decref(model);
        return problem(resp, 500, "internal", "报告生成失败 (report rendering failed)", err);
    }
    json_decref(model);
    resp_body(resp, 200, ct, out, len);
    ext = jx_report_extension(format);
    resp_header(resp, "Content-Disposition", "inline; filename=\"evaluation-%lld.%s\"",
                (long long)id, ext ? ext : format);
    return 0;
}
