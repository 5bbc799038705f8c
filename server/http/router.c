/*
 * http/router.c -- a method + path table with {param} segments.
 *
 * The table is small and static, so matching is a linear scan comparing
 * segments in place: no allocation, no regex.  A scan also tells the three
 * outcomes apart: a route (dispatch), a known path with another method
 * (405 with Allow), or nothing (404).  Adding an endpoint means one row
 * here, one path in api/openapi.yaml (a test keeps them equal) and a
 * handler in routes_<resource>.c.
 */
#include "http/router.h"

#include <string.h>

#include "routes/routes.h"

/* The last column says "runs inline", on the HTTP thread (http.c): routes
 * without the database, and reads -- they do not wait on row locks or
 * commits, and handing them off only added two thread switches each
 * (GET /v1/projects/{id} at 0.47x the PK-SELECT baseline instead of 0.66x).
 * Writes are handed to the handler threads (exec.c). */
const jx_route jx_routes[] = {
    {"GET", "/healthz", route_healthz, 0, 1},
    {"GET", "/readyz", route_readyz, 0, 1},
    {"GET", "/metrics", route_metrics, 0, 1},
    {"GET", "/openapi.yaml", route_openapi, 0, 1},
    {"GET", "/ui", route_ui_redirect, 0, 1},
    {"GET", "/ui/", route_ui_index, 0, 1},
    {"GET", "/ui/{asset}", route_ui_asset, 0, 1},
    {"POST", "/v1/score", route_score, 0, 1},
    {"GET", "/v1/whoami", route_whoami, 0, 1},
    {"GET", "/v1/orgs", route_orgs_list, 0, 1},
    {"POST", "/v1/orgs", route_org_create, 0, 0},
    {"GET", "/v1/orgs/{id}", route_org_get, 0, 1},
    {"PATCH", "/v1/orgs/{id}", route_org_patch, 0, 0},
    {"GET", "/v1/orgs/{id}/history", route_org_history, 0, 1},
    {"GET", "/v1/orgs/{id}/tokens", route_tokens_list, 0, 1},
    {"POST", "/v1/orgs/{id}/tokens", route_token_create, 0, 0},
    {"DELETE", "/v1/tokens/{id}", route_token_delete, 0, 0},
    {"GET", "/v1/tokens/{id}/history", route_token_history, 0, 1},
    {"GET", "/v1/projects", route_projects_list, 0, 1},
    {"POST", "/v1/projects", route_project_create, 0, 0},
    {"GET", "/v1/projects/{id}", route_project_get, 0, 1},
    {"PUT", "/v1/projects/{id}", route_project_put, 0, 0},
    {"PATCH", "/v1/projects/{id}", route_project_patch, 0, 0},
    {"DELETE", "/v1/projects/{id}", route_project_delete, 0, 0},
    {"PUT", "/v1/projects/{id}/results", route_project_results, 0, 0},
    {"POST", "/v1/projects/{id}/submit", route_project_submit, 0, 0},
    {"POST", "/v1/projects/{id}/accept", route_project_accept, 0, 0},
    {"POST", "/v1/projects/{id}/return", route_project_return, 0, 0},
    {"GET", "/v1/projects/{id}/history", route_project_history, 0, 1},
    {"POST", "/v1/import", route_import, 64u << 20, 0},
    {"POST", "/v1/projects/{id}/evaluations", route_project_evaluate, 0, 0},
    {"GET", "/v1/projects/{id}/evaluations", route_project_evaluations, 0, 1},
    {"GET", "/v1/evaluations/{id}", route_evaluation_get, 0, 1},
    {"GET", "/v1/evaluations/{id}/report", route_evaluation_report, 0, 1},
    {"GET", "/v1/frameworks", route_frameworks_list, 0, 1},
    {"POST", "/v1/frameworks", route_framework_create, 0, 0},
    {"GET", "/v1/frameworks/{id}", route_framework_get, 0, 1},
    {"GET", "/v1/frameworks/{id}/template.xlsx", route_framework_template, 0, 1},
    {"GET", "/v1/frameworks/{id}/history", route_framework_history, 0, 1},
    {"GET", "/v1/assessments", route_assessments_list, 0, 1},
    {"POST", "/v1/assessments", route_assessment_create, 0, 0},
    {"GET", "/v1/assessments/{id}", route_assessment_get, 0, 1},
    {"PUT", "/v1/assessments/{id}", route_assessment_put, 0, 0},
    {"POST", "/v1/assessments/{id}/submit", route_assessment_submit, 0, 0},
    {"POST", "/v1/assessments/{id}/accept", route_assessment_accept, 0, 0},
    {"POST", "/v1/assessments/{id}/return", route_assessment_return, 0, 0},
    {"GET", "/v1/assessments/{id}/history", route_assessment_history, 0, 1},
    {"POST", "/v1/assessments/{id}/evaluations", route_assessment_evaluate, 0, 0},
    {"GET", "/v1/assessments/{id}/evaluations", route_assessment_evaluations, 0, 1},
    {"GET", "/v1/plans", route_plans_list, 0, 1},
    {"POST", "/v1/plans", route_plan_create, 0, 0},
    {"GET", "/v1/plans/{id}", route_plan_get, 0, 1},
    {"PUT", "/v1/plans/{id}", route_plan_put, 0, 0},
    {"GET", "/v1/plans/{id}/history", route_plan_history, 0, 1},
    {"GET", "/v1/totals", route_totals, 0, 1},
    {"GET", "/v1/findings", route_findings, 0, 1},
    {"GET", "/v1/projects/{id}/monitoring", route_monitoring_of_project, 0, 1},
    {"GET", "/v1/projects/{id}/monitoring/{period}", route_monitoring_get, 0, 1},
    {"PUT", "/v1/projects/{id}/monitoring/{period}", route_monitoring_put, 0, 0},
    {"GET", "/v1/monitoring", route_monitoring_list, 0, 1},
    {"GET", "/v1/monitoring/thresholds", route_monitoring_thresholds_get, 0, 1},
    {"PUT", "/v1/monitoring/thresholds", route_monitoring_thresholds_put, 0, 0},
    {"GET", "/v1/rectifications", route_rectifications_list, 0, 1},
    {"GET", "/v1/rectifications/{id}", route_rectification_get, 0, 1},
    {"PATCH", "/v1/rectifications/{id}", route_rectification_patch, 0, 0},
    {"GET", "/v1/rectifications/{id}/history", route_rectification_history, 0, 1},
    {"GET", "/v1/advice", route_advice_list, 0, 1},
    {"GET", "/v1/advice/rules", route_advice_rules_get, 0, 1},
    {"PUT", "/v1/advice/rules", route_advice_rules_put, 0, 0},
    {"PUT", "/v1/projects/{id}/advice", route_project_advice_put, 0, 0},
};

const size_t jx_route_count = sizeof jx_routes / sizeof jx_routes[0];

/* Matches path against pattern; on success fills req->params. */
static int match_path(const char *pattern, const char *path, jx_req *req)
{
    const char *p = pattern, *s = path;
    int n = 0;

    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *end = strchr(s, '/');
            size_t vlen = end ? (size_t)(end - s) : strlen(s);

            if (!close || vlen == 0 || vlen >= sizeof req->params[0].value ||
                n >= JX_MAX_PARAMS)
                return 0;
            /* names point into the static pattern: no copy */
            req->params[n].name = p + 1;
            req->params[n].namelen = (size_t)(close - p - 1);
            memcpy(req->params[n].value, s, vlen);
            req->params[n].value[vlen] = '\0';
            n++;
            p = close + 1;
            s += vlen;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p || *s)
        return 0;
    req->nparams = n;
    return 1;
}

const char *router_route_name(size_t i, const char **method)
{
    *method = jx_routes[i].method;
    return jx_routes[i].pattern;
}

static void add_allow(jx_req *req, const char *method)
{
    size_t len = strlen(req->allow);

    if (strstr(req->allow, method))
        return;
    if (len + strlen(method) + 3 >= sizeof req->allow)
        return;
    if (len)
        strcat(req->allow, ", ");
    strcat(req->allow, method);
}

/* The methods of every route on req's path, for 405 and OPTIONS. */
static void fill_allow(jx_req *req)
{
    size_t i;

    for (i = 0; i < jx_route_count; i++) {
        if (!match_path(jx_routes[i].pattern, req->path, req))
            continue;
        add_allow(req, jx_routes[i].method);
        if (!strcmp(jx_routes[i].method, "GET"))
            add_allow(req, "HEAD");
    }
    add_allow(req, "OPTIONS");
}

void router_match(jx_req *req)
{
    const char *method = !strcmp(req->method, "HEAD") ? "GET" : req->method;
    size_t i;

    req->route = NULL;
    req->route_index = -1;
    req->path_matched = 0;
    req->allow[0] = '\0';
    for (i = 0; i < jx_route_count; i++) {
        if (!match_path(jx_routes[i].pattern, req->path, req))
            continue;
        if (req->route_index < 0)
            req->route_index = (int)i;
        req->path_matched = 1;
        if (!strcmp(jx_routes[i].method, method)) {
            req->route = &jx_routes[i];
            req->route_index = (int)i;
            break;
        }
    }
    /* Allow is only ever sent without a route (405, OPTIONS): spare the
     * common request building it (a third of the matching's cost). */
    if (!req->route && req->path_matched)
        fill_allow(req);
}

void router_print(FILE *f)
{
    size_t i;

    for (i = 0; i < jx_route_count; i++)
        fprintf(f, "%s %s\n", jx_routes[i].method, jx_routes[i].pattern);
}
