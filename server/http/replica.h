/*
 * http/replica.h -- read routing between the primary and a hot standby.
 */
#ifndef JX_REPLICA_H
#define JX_REPLICA_H

#include "server.h"

/* Before the handler, on its thread: decides primary or replica. */
void replica_begin(const jx_req *req);
/* After the handler: X-Jixiao-Db, and after a write the read-your-writes
 * window (in memory and as a cookie). */
void replica_end(const jx_req *req, jx_resp *resp);

#endif
