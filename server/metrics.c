/*
 * metrics.c -- GET /metrics in the Prometheus text format (0.0.4).
 *
 * Counters are C11 atomics in fixed arrays indexed by route and by a small
 * set of status codes, so recording a request is a few relaxed atomic
 * adds and never takes a lock.  Rendering reads them without stopping
 * writers: a scrape may be a request or two behind, which Prometheus
 * tolerates.  The database pool reports its own gauges (pool_stats).
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "db/projects.h"
#include "db/pool.h"
#include "http/router.h"
#include "routes/routes.h"
#include "util.h"

#define MAX_ROUTES 64
#define ROUTE_SLOTS (MAX_ROUTES + 1) /* last: unmatched */

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

static int slot_of(int route_index)
{
    if (route_index < 0 || route_index >= MAX_ROUTES || (size_t)route_index >= jx_route_count)
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
    return r == MAX_ROUTES ? "unmatched" : jx_routes[r].pattern;
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

        if (r != MAX_ROUTES && (size_t)r >= jx_route_count)
            continue;
        method = r == MAX_ROUTES ? "" : jx_routes[r].method;
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

        if (r != MAX_ROUTES && (size_t)r >= jx_route_count)
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

static void render_replica(strbuf *sb)
{
    pool_stats st;
    pool *r = pool_replica(app.pool);

    memset(&st, 0, sizeof st);
    if (r)
        pool_get_stats(r, &st);
    sb_printf(sb,
              "# HELP jixiao_db_replica_configured 1 when GETs read from DATABASE_READ_URL.\n"
              "# TYPE jixiao_db_replica_configured gauge\njixiao_db_replica_configured %d\n"
              "# HELP jixiao_db_replica_pool_open Open (or opening) replica connections.\n"
              "# TYPE jixiao_db_replica_pool_open gauge\njixiao_db_replica_pool_open %d\n"
              "# HELP jixiao_db_replica_pool_in_use Replica connections lent to requests.\n"
              "# TYPE jixiao_db_replica_pool_in_use gauge\njixiao_db_replica_pool_in_use %d\n"
              "# HELP jixiao_db_replica_connects_total Replica connections opened.\n"
              "# TYPE jixiao_db_replica_connects_total counter\n"
              "jixiao_db_replica_connects_total %lu\n"
              "# HELP jixiao_db_replica_connect_failures_total Failed replica connects.\n"
              "# TYPE jixiao_db_replica_connect_failures_total counter\n"
              "jixiao_db_replica_connect_failures_total %lu\n"
              "# HELP jixiao_db_replica_wait_timeouts_total Replica waits that timed out (503).\n"
              "# TYPE jixiao_db_replica_wait_timeouts_total counter\n"
              "jixiao_db_replica_wait_timeouts_total %lu\n",
              r ? 1 : 0, st.open, st.open - st.idle, st.connects, st.connect_failures,
              st.wait_timeouts);
}

static void render_pool(strbuf *sb)
{
    pool_stats st;

    memset(&st, 0, sizeof st);
    if (app.pool)
        pool_get_stats(app.pool, &st);
    sb_printf(sb,
              "# HELP jixiao_db_pool_size Configured PostgreSQL connections.\n"
              "# TYPE jixiao_db_pool_size gauge\njixiao_db_pool_size %d\n"
              "# HELP jixiao_db_pool_open Open (or opening) connections.\n"
              "# TYPE jixiao_db_pool_open gauge\njixiao_db_pool_open %d\n"
              "# HELP jixiao_db_pool_idle Idle connections.\n"
              "# TYPE jixiao_db_pool_idle gauge\njixiao_db_pool_idle %d\n"
              "# HELP jixiao_db_pool_in_use Connections lent to requests.\n"
              "# TYPE jixiao_db_pool_in_use gauge\njixiao_db_pool_in_use %d\n"
              "# HELP jixiao_db_pool_waiting Requests waiting for a connection.\n"
              "# TYPE jixiao_db_pool_waiting gauge\njixiao_db_pool_waiting %d\n"
              "# HELP jixiao_db_pool_wait_timeouts_total Waits that timed out (503).\n"
              "# TYPE jixiao_db_pool_wait_timeouts_total counter\n"
              "jixiao_db_pool_wait_timeouts_total %lu\n"
              "# HELP jixiao_db_connect_failures_total Failed connection attempts.\n"
              "# TYPE jixiao_db_connect_failures_total counter\n"
              "jixiao_db_connect_failures_total %lu\n"
              "# HELP jixiao_db_connects_total Connections opened.\n"
              "# TYPE jixiao_db_connects_total counter\njixiao_db_connects_total %lu\n"
              "# HELP jixiao_db_round_trip_timeouts_total Statements given up at the db"
              " timeout (503).\n"
              "# TYPE jixiao_db_round_trip_timeouts_total counter\n"
              "jixiao_db_round_trip_timeouts_total %lu\n",
              st.size, st.open, st.idle, st.open - st.idle, st.waiting, st.wait_timeouts,
              st.connect_failures, st.connects, st.round_trip_timeouts);
}

static void render_runs(strbuf *sb)
{
    static const char *names[] = {"ok", "syntax", "field", "invalid", "nomem"};
    unsigned long batches, creates;
    int i;

    sb_puts(sb, "# HELP jixiao_scorings_total Stateless scorings (POST /v1/score) by outcome.\n"
                "# TYPE jixiao_scorings_total counter\n");
    for (i = 0; i <= JX_ENOMEM; i++)
        sb_printf(sb, "jixiao_scorings_total{outcome=\"%s\"} %lu\n", names[i],
                  atomic_load_explicit(&scorings[i], memory_order_relaxed));
    sb_printf(sb, "# HELP jixiao_evaluations_total Stored evaluation runs.\n"
                  "# TYPE jixiao_evaluations_total counter\njixiao_evaluations_total %lu\n",
              atomic_load_explicit(&evaluations, memory_order_relaxed));
    dbp_create_stats(&batches, &creates);
    sb_printf(sb,
              "# HELP jixiao_project_create_statements_total Statements that created projects"
              " (group commit: creates that arrive together share one).\n"
              "# TYPE jixiao_project_create_statements_total counter\n"
              "jixiao_project_create_statements_total %lu\n"
              "# HELP jixiao_project_create_requests_total Creates those statements ran.\n"
              "# TYPE jixiao_project_create_requests_total counter\n"
              "jixiao_project_create_requests_total %lu\n",
              batches, creates);
}

void metrics_evaluation(void)
{
    atomic_fetch_add_explicit(&evaluations, 1, memory_order_relaxed);
}

int route_metrics(jx_req *req, jx_resp *resp)
{
    strbuf sb;
    char *body;
    size_t len;

    (void)req;
    sb_init(&sb);
    render_requests(&sb);
    render_histogram(&sb);
    render_pool(&sb);
    render_replica(&sb);
    render_runs(&sb);
    body = sb_take(&sb, &len);
    if (!body)
        return -1;
    resp_body(resp, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
    return 0;
}
