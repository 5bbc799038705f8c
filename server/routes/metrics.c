/*
 * routes/metrics.c -- GET /metrics: the Prometheus text that metrics.c
 * renders from its counters and the providers main.c registered.
 */
#include "metrics.h"
#include "routes/routes.h"

int route_metrics(jx_req *req, jx_resp *resp)
{
    size_t len;
    char *body = metrics_render(&len);

    (void)req;
    if (!body)
        return -1;
    resp_body(resp, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
    return 0;
}
