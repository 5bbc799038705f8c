/*
 * metrics.h -- Prometheus counters and histograms, lock-free.
 */
#ifndef JX_METRICS_H
#define JX_METRICS_H

#include "jixiao.h"

/* Records one finished request: route_index -1 for unmatched paths,
 * status 0 when no response was sent. */
void metrics_request(int route_index, unsigned status, double seconds);

/* Records one /v1/score run by outcome. */
void metrics_scoring(jx_status status);

/* Counts one stored evaluation. */
void metrics_evaluation(void);

#endif
