/*
 * input/evaluation.c -- the optional body of POST .../evaluations
 * (eval_options.h), apart from evaluation.c so it can be fuzzed without
 * libpq.
 */
#include "input/evaluation.h"

#include <string.h>

#include "input/body.h"
#include "problem.h"

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
