/*
 * test_router.c -- the route table and path matching (server/http/router.c).
 *
 * Every row of the table is matched by its own method and a path made from
 * its pattern ({name} -> a value), and nothing else in the table answers
 * for it; {param} values are copied out whole; a path no route knows is
 * 404 (no path match), a known path with another method is 405 with the
 * Allow list in table order (GET brings HEAD, OPTIONS always last); odd
 * paths (trailing or doubled slashes, %2F left encoded, very long
 * segments, an early NUL) match nothing they should not.  The handlers are
 * stubs generated from routes/routes.h: the router never calls them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "jxtest.h"
#include "routes/routes.h"

/* a path parameter by name, as req_param() (http/) reads it */
static const char *param(const jx_req *req, const char *name)
{
    size_t n = strlen(name);
    int i;

    for (i = 0; i < req->nparams; i++)
        if (req->params[i].namelen == n && !strncmp(req->params[i].name, name, n))
            return req->params[i].value;
    return NULL;
}

static void match(jx_req *req, const char *method, const char *path)
{
    memset(req, 0, sizeof *req);
    req->method = method;
    req->path = path;
    router_match(req);
}

/* the pattern with every {name} replaced by value */
static void fill_pattern(const char *pattern, const char *value, char *out, size_t outlen)
{
    size_t o = 0;
    const char *p;

    for (p = pattern; *p && o + 1 < outlen;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t k;

            for (k = 0; value[k] && o + 1 < outlen; k++)
                out[o++] = value[k];
            p = close ? close + 1 : p + strlen(p);
        } else
            out[o++] = *p++;
    }
    out[o] = '\0';
}

static void test_every_route(void)
{
    size_t i, j;
    char path[256];
    jx_req req;

    CHECK(jx_route_count >= 40);
    for (i = 0; i < jx_route_count; i++) {
        const jx_route *r = &jx_routes[i];

        jt_case("route %s %s", r->method, r->pattern);
        CHECK(r->pattern[0] == '/');
        CHECK(r->handler != NULL);
        fill_pattern(r->pattern, "7", path, sizeof path);
        match(&req, r->method, path);
        CHECK(req.route == r);
        CHECK_INT(req.route_index, (long long)i);
        CHECK_INT(req.path_matched, 1);
        CHECK_STR(req.allow, ""); /* built only without a route */
        if (strchr(r->pattern, '{')) {
            CHECK_INT(req.nparams, 1);
            CHECK_STR(param(&req, "id"), "7");
        } else
            CHECK_INT(req.nparams, 0);
        /* HEAD is GET without the body */
        if (!strcmp(r->method, "GET")) {
            match(&req, "HEAD", path);
            CHECK(req.route == r);
        }
        /* no two rows share a method and a pattern */
        for (j = i + 1; j < jx_route_count; j++)
            if (!strcmp(jx_routes[j].method, r->method) &&
                !strcmp(jx_routes[j].pattern, r->pattern))
                FAIL("rows %zu and %zu are both %s %s", i, j, r->method, r->pattern);
    }
}

static void test_params(void)
{
    jx_req req;
    char id[200];

    jt_case("{id} mid-path");
    match(&req, "GET", "/v1/orgs/42/tokens");
    CHECK(req.route && req.route->handler == route_tokens_list);
    CHECK_STR(param(&req, "id"), "42");
    CHECK(param(&req, "org") == NULL);

    jt_case("{id} at the end, not decoded, any characters of one segment");
    match(&req, "GET", "/v1/projects/abc-%41");
    CHECK(req.route && req.route->handler == route_project_get);
    CHECK_STR(param(&req, "id"), "abc-%41");

    jt_case("%%2F stays one segment (the router sees what it is given)");
    match(&req, "GET", "/v1/orgs/1%2F2");
    CHECK(req.route && req.route->handler == route_org_get);
    CHECK_STR(param(&req, "id"), "1%2F2");

    jt_case("a 127-byte segment fits, a 128-byte one matches nothing");
    memset(id, '9', 127);
    id[127] = '\0';
    {
        char path[300];

        snprintf(path, sizeof path, "/v1/evaluations/%s/report", id);
        match(&req, "GET", path);
        CHECK(req.route && req.route->handler == route_evaluation_report);
        CHECK_STR(param(&req, "id"), id);
        snprintf(path, sizeof path, "/v1/evaluations/%s9/report", id);
        match(&req, "GET", path);
        CHECK(req.route == NULL);
        CHECK_INT(req.path_matched, 0);
        CHECK_INT(req.route_index, -1);
        CHECK_INT(req.nparams, 0);
    }
}

static void test_404_405(void)
{
    jx_req req;

    jt_case("404: a path no route knows");
    match(&req, "GET", "/v1/nothing");
    CHECK(req.route == NULL);
    CHECK_INT(req.path_matched, 0);
    CHECK_INT(req.route_index, -1);
    CHECK_STR(req.allow, "");

    jt_case("405 on a collection: Allow in table order, HEAD after GET, OPTIONS last");
    match(&req, "DELETE", "/v1/orgs");
    CHECK(req.route == NULL);
    CHECK_INT(req.path_matched, 1);
    CHECK(req.route_index >= 0 && !strcmp(jx_routes[req.route_index].pattern, "/v1/orgs"));
    CHECK_STR(req.allow, "GET, HEAD, POST, OPTIONS");

    jt_case("405 on a project");
    match(&req, "POST", "/v1/projects/5");
    CHECK(req.route == NULL);
    CHECK_INT(req.path_matched, 1);
    CHECK_STR(req.allow, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS");

    jt_case("405 on a POST-only path: no HEAD");
    match(&req, "GET", "/v1/projects/5/submit");
    CHECK(req.route == NULL);
    CHECK_STR(req.allow, "POST, OPTIONS");
    match(&req, "GET", "/v1/score");
    CHECK_STR(req.allow, "POST, OPTIONS");
    match(&req, "GET", "/v1/import");
    CHECK_STR(req.allow, "POST, OPTIONS");

    jt_case("405 on a GET-only path");
    match(&req, "PUT", "/v1/totals");
    CHECK_STR(req.allow, "GET, HEAD, OPTIONS");

    jt_case("OPTIONS is no route: the Allow list answers it");
    match(&req, "OPTIONS", "/v1/assessments/3");
    CHECK(req.route == NULL);
    CHECK_INT(req.path_matched, 1);
    CHECK_STR(req.allow, "GET, HEAD, PUT, OPTIONS");
    match(&req, "OPTIONS", "/v1/nothing");
    CHECK_INT(req.path_matched, 0);
    CHECK_STR(req.allow, "");

    jt_case("methods are case-sensitive (RFC 9110): get is not GET");
    match(&req, "get", "/v1/orgs");
    CHECK(req.route == NULL);
    CHECK_INT(req.path_matched, 1);
}

static void test_odd_paths(void)
{
    static const char *const none[] = {
        "", "/", "//", "/v1", "/v1/", "/v1/orgs/", "/v1/orgs/7/", "//v1/orgs", "/v1//orgs",
        "/v1/orgs//tokens", "/v1/orgs/7//tokens", "/v1/orgs/7/tokens/", "/V1/orgs", "/v1/ORGS",
        "/healthz/", "/healthz?x=1", "/v1/projects/1/2", "v1/orgs", "/v1/orgs ",
        " /v1/orgs", "/v1/orgs/7/../7", NULL};
    jx_req req;
    size_t i;
    char *longpath;
    const size_t n = 100000;

    for (i = 0; none[i]; i++) {
        jt_case("no route for '%s'", none[i]);
        match(&req, "GET", none[i]);
        CHECK(req.route == NULL);
    }

    jt_case("trailing slash is another path: 404, not 405");
    match(&req, "DELETE", "/v1/orgs/");
    CHECK_INT(req.path_matched, 0);
    CHECK_STR(req.allow, "");

    jt_case("a NUL ends the path (the router reads a C string)");
    {
        static const char withnul[] = "/v1/orgs/7\0/tokens";

        match(&req, "GET", withnul);
        CHECK(req.route && req.route->handler == route_org_get);
        CHECK_STR(param(&req, "id"), "7");
    }

    jt_case("a very long path: no match, no overflow");
    longpath = malloc(n + 1);
    CHECK(longpath != NULL);
    if (longpath) {
        memset(longpath, 'a', n);
        memcpy(longpath, "/v1/orgs/", 9);
        longpath[n] = '\0';
        match(&req, "GET", longpath);
        CHECK(req.route == NULL);
        CHECK_INT(req.path_matched, 0);
        for (i = 0; i < n; i += 2)
            longpath[i] = '/';
        match(&req, "OPTIONS", longpath);
        CHECK(req.route == NULL);
        free(longpath);
    }
}

static void test_print(void)
{
    char *buf = NULL;
    size_t len = 0, lines = 0, i;
    FILE *f = open_memstream(&buf, &len);

    jt_case("router_print: one 'METHOD PATH' line per row");
    CHECK(f != NULL);
    if (!f)
        return;
    router_print(f);
    fclose(f);
    for (i = 0; i < len; i++)
        lines += buf[i] == '\n';
    CHECK_INT(lines, jx_route_count);
    CHECK(strstr(buf, "GET /v1/orgs/{id}\n") != NULL);
    CHECK(strstr(buf, "POST /v1/import\n") != NULL);
    free(buf);
}

int main(void)
{
    test_every_route();
    test_params();
    test_404_405();
    test_odd_paths();
    test_print();
    return jt_finish("router");
}
