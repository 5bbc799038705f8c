/*
 * routes/score.c -- POST /v1/score: the scoring library over HTTP.
 *
 * Behind a token (any organisation's; cached, so no database work per
 * request once seen).  Otherwise stateless: the body goes to jx_score_json as is and a
 * scored document's result is returned verbatim, so the API and the
 * jixiao-score tool can never disagree.  The library's statuses map to
 * HTTP as api.md asks: malformed JSON 400 (with line and column), an
 * unknown field 400, a well-formed but wrong document 422 with every
 * error listed.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "input/body.h"
#include "metrics.h"
#include "problem.h"
#include "routes/auth.h"
#include "routes/routes.h"

static int syntax_error(jx_resp *resp, const jx_errors *errs)
{
    const jx_error *e = &errs->items[0];
    char detail[700];

    snprintf(detail, sizeof detail,
             "JSON 语法错误，第 %d 行第 %d 列: %s (malformed JSON at line %d, column %d)",
             e->line, e->column, e->message, e->line, e->column);
    return problem_errors(resp, 400, "malformed-json", "请求体不是合法的 JSON (malformed JSON)",
                          detail, errs);
}

int route_score(jx_req *req, jx_resp *resp)
{
    jx_errors errs;
    char *out = NULL;
    size_t outlen = 0;
    jx_status st;
    auth_info who;

    /* any organisation's token (api.md): no anonymous request makes the
     * server parse a body (daemon.c refuses it before reading it) */
    if (auth_require(req, resp, &who) < 0)
        return 0;
    if (!body_is_json_type(req_header(req, "Content-Type")))
        return problem(resp, 415, "unsupported-media-type",
                       "不支持的媒体类型 (unsupported media type)",
                       "请求体须为 application/json (the body must be application/json)");
    jx_errors_clear(&errs);
    st = jx_score_json(app.ctx, req->body ? req->body : "", req->len, &out, &outlen, &errs);
    metrics_scoring(st);
    switch (st) {
    case JX_OK:
        resp_body(resp, 200, "application/json", out, outlen);
        return 0;
    case JX_ESYNTAX:
        return syntax_error(resp, &errs);
    case JX_EFIELD:
        return problem_errors(resp, 400, "unknown-field", "未知字段 (unknown field)",
                              "文档含有未定义的字段，可能是拼写错误 (the document has fields "
                              "that do not exist, probably typos)",
                              &errs);
    case JX_EINVALID:
        return problem_errors(resp, 422, "invalid-document",
                              "文档无法评分 (document cannot be scored)",
                              "文档有误，下列每一项都需更正 (the document is wrong in every way "
                              "listed under errors)",
                              &errs);
    case JX_ENOMEM:
    default:
        return problem_oom(resp);
    }
}
