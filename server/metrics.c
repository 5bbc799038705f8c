/*
 * metrics.c -- GET /metrics in the Prometheus text format (0.0.4).
 *
 * Counters are C11 atomics in fixed arrays indexed by route and by a small
 * set of status codes, so recording a request is a few relaxed atomic
 * adds and never takes a lock.  Rendering reads them without stopping
 * writers: a scrape may be a request or two behind, which Prometheus
 * tolerates.
 *
 * What this file does not count it is handed, as h2o's status handler is:
 * other layers register providers (metrics_add_provider: the pool's and the
 * replica's gauges, group commit's counters) and main.c names the routes
 * (metrics_set_routes), so metrics knows no layer above it and every layer
 * may record into it.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define MAX_ROUTES METRICS_MAX_ROUTES
#define ROUTE_SLOTS (MAX_ROUTES + 1) /* last: unmatched */
#define MAX_PROVIDERS 8

static const unsigned statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                                    412, 413, 415, 422, 429, 500, 503, 0};
#define NSTATUS (sizeof statuses / sizeof statuses[0]) /* 0: other / none */

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5, 5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static atomic_ulong requests[ROUTE_SLOTS][NSTATUS];
static atomic_ulong other_status[ROUTE_SLOTS];
static atomic_ulong hist[ROUTE_SLOTS][NBUCKETS + 1];
static atomic_ulong hist_sum_us[ROUTE_SLOTS];
static atomic_ulong scorings[JX_ENOMEM + 1];
static atomic_ulong evaluations;

/* Set once at start-up, before the first request, then only read. */
static size_t route_count;
static metrics_route_name route_name;
static metrics_provider providers[MAX_PROVIDERS];
static size_t nproviders;

void metrics_set_routes(size_t n, metrics_route_name name)
{
    route_count = n < MAX_ROUTES ? n : MAX_ROUTES;
    route_name = name;
}

int metrics_add_provider(metrics_provider fn)
{
    if (nproviders == MAX_PROVIDERS)
        return -1;
    providers[nproviders++] = fn;
    return 0;
}

static int slot_of(int route_index)
{
    if (route_index < 0 || (size_t)route_index >= route_count)
        return MAX_ROUTES;
    return route_index;
}

void metrics_request(int route_index, unsigned status, double seconds)
{
    int r = slot_of(route_index);
    size_t i;

    for (i = 0; i + 1 < NSTATUS; i++)
        if (statuses[i] == status)
            break;
    if (i + 1 == NSTATUS && status != 0)
        atomic_fetch_add_explicit(&other_status[r], 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&requests[r][i], 1, memory_order_relaxed);
    for (i = 0; i < NBUCKETS; i++)
        if (seconds <= buckets[i])
            break;
    atomic_fetch_add_explicit(&hist[r][i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&hist_sum_us[r], (unsigned long)(seconds * 1e6),
                              memory_order_relaxed);
}

void metrics_scoring(jx_status status)
{
    if ((int)status >= 0 && status <= JX_ENOMEM)
        atomic_fetch_add_explicit(&scorings[status], 1, memory_order_relaxed);
}

static const char *route_label(int r)
{
    const char *method;

    return r == MAX_ROUTES ? "unmatched" : route_name((size_t)r, &method);
}

static const char *route_method(int r)
{
    const char *method = "";

    if (r != MAX_ROUTES)
        route_name((size_t)r, &method);
    return method;
}

static void render_requests(strbuf *sb)
{
    int r;
    size_t i;

    sb_puts(sb, "# HELP jixiao_http_requests_total HTTP requests by route and status.\n"
                "# TYPE jixiao_http_requests_total counter\n");
    for (r = 0; r < ROUTE_SLOTS; r++) {
        const char *method;
        unsigned long other;

        if (r != MAX_ROUTES && (size_t)r >= route_count)
            continue;
        method = route_method(r);
        for (i = 0; i < NSTATUS; i++) {
            unsigned long v = atomic_load_explicit(&requests[r][i], memory_order_relaxed);

            if (v == 0 && !(r == 0 && i == 0))
                continue;
            sb_printf(sb,
                      "jixiao_http_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} %lu\n",
                      route_label(r), method, statuses[i], v);
        }
        other = atomic_load_explicit(&other_status[r], memory_order_relaxed);
        if (other)
            sb_printf(sb,
                      "jixiao_http_requests_total{route=\"%s\",method=\"%s\",status=\"other\"} "
                      "%lu\n",
                      route_label(r), method, other);
    }
}

static void render_histogram(strbuf *sb)
{
    int r;
    size_t i;

    sb_puts(sb, "# HELP jixiao_http_request_duration_seconds Time from request headers to "
                "response completion.\n"
                "# TYPE jixiao_http_request_duration_seconds histogram\n");
    for (r = 0; r < ROUTE_SLOTS; r++) {
        unsigned long cum = 0;

        if (r != MAX_ROUTES && (size_t)r >= route_count)
            continue;
        for (i = 0; i < NBUCKETS; i++) {
            cum += atomic_load_explicit(&hist[r][i], memory_order_relaxed);
            sb_printf(sb,
                      "jixiao_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                      route_label(r), buckets[i], cum);
        }
        cum += atomic_load_explicit(&hist[r][NBUCKETS], memory_order_relaxed);
        sb_printf(sb,
                  "jixiao_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n"
                  "jixiao_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "jixiao_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                  route_label(r), cum, route_label(r),
                  (double)atomic_load_explicit(&hist_sum_us[r], memory_order_relaxed) / 1e6,
                  route_label(r), cum);
    }
}

static void render_runs(strbuf *sb)
{
    static const char *names[] = {"ok", "syntax", "field", "invalid", "nomem"};
    int i;

    sb_puts(sb, "# HELP jixiao_scorings_total Stateless scorings (POST /v1/score) by outcome.\n"
                "# TYPE jixiao_scorings_total counter\n");
    for (i = 0; i <= JX_ENOMEM; i++)
        sb_printf(sb, "jixiao_scorings_total{outcome=\"%s\"} %lu\n", names[i],
                  atomic_load_explicit(&scorings[i], memory_order_relaxed));
    sb_printf(sb, "# HELP jixiao_evaluations_total Stored evaluation runs.\n"
                  "# TYPE jixiao_evaluations_total counter\njixiao_evaluations_total %lu\n",
              atomic_load_explicit(&evaluations, memory_order_relaxed));
}

void metrics_evaluation(void)
{
    atomic_fetch_add_explicit(&evaluations, 1, memory_order_relaxed);
}

char *metrics_render(size_t *len)
{
    strbuf sb;
    size_t i;

    sb_init(&sb);
    render_requests(&sb);
    render_histogram(&sb);
    for (i = 0; i < nproviders; i++)
        providers[i](&sb);
    render_runs(&sb);
    return sb_take(&sb, len);
}
