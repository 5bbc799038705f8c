/*
 * db/pool_metrics.c -- the database pools' gauges and counters for
 * /metrics: providers that main.c registers with metrics.c, so metrics
 * itself knows nothing of the pool.
 */
#include "db/pool_metrics.h"

#include <string.h>

#include "db/pool.h"
#include "server.h"

void pool_metrics_replica(strbuf *sb)
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

void pool_metrics_primary(strbuf *sb)
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
