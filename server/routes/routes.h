/*
 * routes/routes.h -- every handler the router can dispatch to, one file per
 * resource (routes/<resource>.c).
 */
#ifndef JX_ROUTES_H
#define JX_ROUTES_H

#include "server.h"

int route_healthz(jx_req *req, jx_resp *resp);   /* routes/health.c */
int route_readyz(jx_req *req, jx_resp *resp);    /* routes/health.c */
int route_metrics(jx_req *req, jx_resp *resp);   /* routes/metrics.c */
int route_openapi(jx_req *req, jx_resp *resp);   /* routes/openapi.c */
int route_score(jx_req *req, jx_resp *resp);     /* routes/score.c */
int route_whoami(jx_req *req, jx_resp *resp);    /* auth.c */

/* routes/ui.c: the web page */
int route_ui_redirect(jx_req *req, jx_resp *resp);
int route_ui_index(jx_req *req, jx_resp *resp);
int route_ui_asset(jx_req *req, jx_resp *resp);

/* routes/orgs.c */
int route_orgs_list(jx_req *req, jx_resp *resp);
int route_org_create(jx_req *req, jx_resp *resp);
int route_org_get(jx_req *req, jx_resp *resp);
int route_org_patch(jx_req *req, jx_resp *resp);
int route_org_history(jx_req *req, jx_resp *resp);

/* routes/tokens.c */
int route_token_create(jx_req *req, jx_resp *resp);
int route_tokens_list(jx_req *req, jx_resp *resp);
int route_token_delete(jx_req *req, jx_resp *resp);
int route_token_history(jx_req *req, jx_resp *resp);

/* routes/projects.c */
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

/* routes/totals.c */
int route_totals(jx_req *req, jx_resp *resp);
int route_findings(jx_req *req, jx_resp *resp);

/* routes/import.c */
int route_import(jx_req *req, jx_resp *resp);

/* routes/frameworks.c */
int route_frameworks_list(jx_req *req, jx_resp *resp);
int route_framework_create(jx_req *req, jx_resp *resp);
int route_framework_get(jx_req *req, jx_resp *resp);
/* GET /v1/frameworks/{id}/template.xlsx (routes/framework_template.c) */
int route_framework_template(jx_req *req, jx_resp *resp);
int route_framework_history(jx_req *req, jx_resp *resp);

/* routes/evaluations.c */
int route_project_evaluate(jx_req *req, jx_resp *resp);
int route_project_evaluations(jx_req *req, jx_resp *resp);
int route_assessment_evaluate(jx_req *req, jx_resp *resp);
int route_assessment_evaluations(jx_req *req, jx_resp *resp);
int route_evaluation_get(jx_req *req, jx_resp *resp);

/* routes/reports.c */
int route_evaluation_report(jx_req *req, jx_resp *resp);

/* routes/assessments.c */
int route_assessments_list(jx_req *req, jx_resp *resp);
int route_assessment_create(jx_req *req, jx_resp *resp);
int route_assessment_get(jx_req *req, jx_resp *resp);
int route_assessment_put(jx_req *req, jx_resp *resp);
int route_assessment_submit(jx_req *req, jx_resp *resp);
int route_assessment_accept(jx_req *req, jx_resp *resp);
int route_assessment_return(jx_req *req, jx_resp *resp);
int route_assessment_history(jx_req *req, jx_resp *resp);

/* routes/plans.c */
int route_plans_list(jx_req *req, jx_resp *resp);
int route_plan_create(jx_req *req, jx_resp *resp);
int route_plan_get(jx_req *req, jx_resp *resp);
int route_plan_put(jx_req *req, jx_resp *resp);
int route_plan_history(jx_req *req, jx_resp *resp);

/* routes/monitoring.c (issue 20) */
int route_monitoring_put(jx_req *req, jx_resp *resp);
int route_monitoring_get(jx_req *req, jx_resp *resp);
int route_monitoring_of_project(jx_req *req, jx_resp *resp);
int route_monitoring_list(jx_req *req, jx_resp *resp);
int route_monitoring_thresholds_get(jx_req *req, jx_resp *resp);
int route_monitoring_thresholds_put(jx_req *req, jx_resp *resp);

/* routes/rectifications.c (issue 20) */
int route_rectifications_list(jx_req *req, jx_resp *resp);
int route_rectification_get(jx_req *req, jx_resp *resp);
int route_rectification_patch(jx_req *req, jx_resp *resp);
int route_rectification_history(jx_req *req, jx_resp *resp);

/* routes/advice.c (issue 20) */
int route_advice_list(jx_req *req, jx_resp *resp);
int route_advice_rules_get(jx_req *req, jx_resp *resp);
int route_advice_rules_put(jx_req *req, jx_resp *resp);
int route_project_advice_put(jx_req *req, jx_resp *resp);

#endif
