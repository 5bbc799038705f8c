/*
 * routes/monitoring.h -- what routes/advice.c shares with
 * routes/monitoring.c: the preconditions of a PUT that creates or
 * replaces a sub-resource.
 */
#ifndef JX_ROUTES_MONITORING_H
#define JX_ROUTES_MONITORING_H

#include <stdint.h>

#include "server.h"

/* Create or replace (api.md, optimistic concurrency): without If-Match
 * only a create is allowed (428 when `current` exists); with it, the
 * resource must exist at that version (412 with the current one; "*" any
 * existing).  0 = go on; -1 = resp holds the answer. */
int put_precondition(const jx_req *req, jx_resp *resp, int64_t current);

#endif
