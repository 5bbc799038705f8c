/*
 * routes.h -- every handler the router can dispatch to, one file per
 * resource (routes_<resource>.c).
 */
#ifndef JX_ROUTES_H
#define JX_ROUTES_H

#include "server.h"

int route_healthz(jx_req *req, jx_resp *resp);   /* routes_health.c */
int route_readyz(jx_req *req, jx_resp *resp);    /* routes_health.c */
int route_metrics(jx_req *req, jx_resp *resp);   /* metrics.c */
int route_openapi(jx_req *req, jx_resp *resp);   /* routes_openapi.c */
int route_score(jx_req *req, jx_resp *resp);     /* routes_score.c */
int route_whoami(jx_req *req, jx_resp *resp);    /* auth.c */

#endif
