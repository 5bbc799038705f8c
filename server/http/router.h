/*
 * http/router.h -- the route table and path matching.
 */
#ifndef JX_ROUTER_H
#define JX_ROUTER_H

#include <stdio.h>

#include "server.h"

struct jx_route {
    const char *method;
    const char *pattern;   /* "/v1/orgs/{id}": {name} matches one segment */
    jx_handler handler;
    size_t max_body;       /* 0: the configured --max-body */
    int runs_inline;       /* never touches the database: no hand-off (exec.c) */
};

extern const jx_route jx_routes[];
extern const size_t jx_route_count;

/* Matches req->method and req->path, filling route, route_index,
 * path_matched and params, and allow when no route matched (405 and
 * OPTIONS are its only readers).  HEAD matches GET. */
void router_match(jx_req *req);

/* Route i's pattern, and its method in *method (metrics names routes so). */
const char *router_route_name(size_t i, const char **method);

/* Prints "METHOD PATH" per route, the contract api/openapi.yaml follows. */
void router_print(FILE *f);

#endif
