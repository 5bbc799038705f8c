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

/* routes_orgs.c */
int route_orgs_list(jx_req *req, jx_resp *resp);
int route_org_create(jx_req *req, jx_resp *resp);
int route_org_get(jx_req *req, jx_resp *resp);
int route_org_patch(jx_req *req, jx_resp *resp);

/* routes_tokens.c */
int route_token_create(jx_req *req, jx_resp *resp);
int route_tokens_list(jx_req *req, jx_resp *resp);
int route_token_delete(jx_req *req, jx_resp *resp);

/* routes_projects.c */
int route_projects_list(jx_req *req, jx_resp *resp);
int route_project_create(jx_req *req, jx_resp *resp);
int route_project_get(jx_req *req, jx_resp *resp);
int route_project_put(jx_req *req, jx_resp *resp);
int route_project_patch(jx_req *req, jx_resp *resp);
int route_project_delete(jx_req *req, jx_resp *resp);
int route_project_results(jx_req *req, jx_resp *resp);
int route_project_submit(jx_req *req, jx_resp *resp);
int route_project_accept(jx_req *req, jx_resp *resp);
int route_project_return(jx_req *req, jx_resp *resp);
int route_project_history(jx_req *req, jx_resp *resp);

/* routes_totals.c */
int route_totals(jx_req *req, jx_resp *resp);
int route_findings(jx_req *req, jx_resp *resp);

/* routes_import.c */
int route_import(jx_req *req, jx_resp *resp);

#endif
