/*
 * http/guard.h -- who may hold the server's connections: a cap per client
 * address (trusted proxies by X-Forwarded-For) and a deadline for the
 * request head (guard.c).
 */
#ifndef JX_HTTP_GUARD_H
#define JX_HTTP_GUARD_H

#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

typedef struct guard_conn guard_conn;

/* Parses JIXIAO_TRUSTED_PROXIES, starts the deadline sweeper.  -1 with a
 * log line on a bad proxy list. */
int guard_start(const config *cfg);
void guard_stop(void);

/* libmicrohttpd's accept policy: 1 to accept, 0 when the address already
 * holds its share of connections (trusted proxies are never capped). */
int guard_accept(const struct sockaddr *addr, socklen_t len);

/* A connection libmicrohttpd has set up / closed (its socket context). */
guard_conn *guard_opened(const struct sockaddr *addr, int fd);
void guard_closed(guard_conn *g);

/* The head of a request is in / its response is done: the deadline is off
 * until the next request's first byte. */
void guard_head_done(guard_conn *g);
void guard_request_done(guard_conn *g);

/* For a connection from a trusted proxy: counts one more request of the
 * client X-Forwarded-For names (its last hop not a trusted proxy).  Returns
 * a slot to pass to guard_client_leave, 0 when that client has its share
 * already (answer 429), or -1 when nothing is counted (no trusted proxy). */
int guard_client_enter(const guard_conn *g, const char *xff);
void guard_client_leave(int slot);

#endif
