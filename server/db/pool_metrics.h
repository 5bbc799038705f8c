/*
 * db/pool_metrics.h -- the pools' metrics providers (metrics_add_provider).
 */
#ifndef JX_POOL_METRICS_H
#define JX_POOL_METRICS_H

#include "util.h"

/* The primary pool's gauges: size, open, idle, waiting, timeouts. */
void pool_metrics_primary(strbuf *sb);

/* The read replica's gauges (configured 0 when there is none). */
void pool_metrics_replica(strbuf *sb);

#endif
