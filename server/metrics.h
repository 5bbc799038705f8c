/*
 * metrics.h -- Prometheus counters and histograms, lock-free.
 */
#ifndef JX_METRICS_H
#define JX_METRICS_H

#include <stddef.h>

#include "jixiao.h"
#include "util.h"

/* Records one finished request: route_index -1 for unmatched paths,
 * status 0 when no response was sent. */
void metrics_request(int route_index, unsigned status, double seconds);

/* Records one /v1/score run by outcome. */
void metrics_scoring(jx_status status);

/* Counts one stored evaluation. */
void metrics_evaluation(void);

/* The routes metrics keeps apart (main.c refuses a route table larger). */
#define METRICS_MAX_ROUTES 128

/* Names the routes before the first request: n routes, route i's pattern
 * and method as name(i, &method) answers them (the router's table). */
typedef const char *(*metrics_route_name)(size_t i, const char **method);
void metrics_set_routes(size_t n, metrics_route_name name);

/* A provider appends its own metrics (Prometheus text) when /metrics is
 * rendered.  At most 8, registered before the first request; -1 beyond. */
typedef void (*metrics_provider)(strbuf *sb);
int metrics_add_provider(metrics_provider fn);

/* The whole /metrics page (malloc'd; *len its length), NULL without memory. */
char *metrics_render(size_t *len);

#endif
