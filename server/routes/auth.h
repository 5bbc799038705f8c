/*
 * routes/auth.h -- authentication: the caller of a request from its bearer
 * token (routes/auth.c), through a short-lived cache.
 */
#ifndef JX_AUTH_H
#define JX_AUTH_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/reach.h"
#include "server.h"

/* The token of the request, hashed (hex) for the statements above.  -1
 * with 401 in resp when there is no bearer token. */
int auth_token_hex(jx_req *req, jx_resp *resp, char hex[65]);

/* Fills who from five columns (token id, org id, kind, name, region code)
 * of row r starting at col.
 * Returns -1 (with 401 in resp) when they are NULL: no such token. */
int auth_from_row(jx_req *req, jx_resp *resp, const PGresult *res, int row, int col,
                  auth_info *who);

/* Authenticates req from "Authorization: Bearer <token>".  Returns 0 with
 * *who filled, or -1 with resp filled (401, or 503 when the database is
 * unreachable). */
int auth_require(jx_req *req, jx_resp *resp, auth_info *who);

/* How long a token found valid is believed without asking the database
 * again (auth.c): the window in which a revocation made outside this
 * process, or an expiry, may go unnoticed is at most this. */
#define AUTH_CACHE_TTL 2.0

/* Forgets a revoked token at once (its cached caller). */
void auth_cache_forget_token(int64_t token_id);

/* Forgets every cached caller (an organisation changed). */
void auth_cache_clear(void);

#endif
