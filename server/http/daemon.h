/*
 * http/daemon.h -- the libmicrohttpd daemon: start, stop gracefully.
 */
#ifndef JX_HTTP_H
#define JX_HTTP_H

#include "config.h"

/* Starts the daemon on cfg->listen.  Returns 0 or -1 (logged). */
int http_start(const config *cfg);

/* Stops accepting, waits up to timeout_s for requests in flight, then
 * closes every connection and joins the threads. */
void http_stop(int timeout_s);

/* A counter that moves with every completed request and closed
 * connection (main.c trims memory once it stops moving). */
unsigned long http_activity(void);

#endif
