/*
 * auth.h -- bearer tokens: verification and the bootstrap admin token.
 */
#ifndef JX_AUTH_H
#define JX_AUTH_H

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>

#include "server.h"

typedef struct {
    int64_t token_id;
    int64_t org_id;
    char org_kind[16];
    char org_name[256];
    char region_code[8];
} auth_info;

/* Authenticates req from "Authorization: Bearer <token>".  Returns 0 with
 * *who filled, or -1 with resp filled (401, or 503 when the database is
 * unreachable). */
int auth_require(jx_req *req, jx_resp *resp, auth_info *who);

/* Makes sure the operator has a token: with token set (from
 * JIXIAO_BOOTSTRAP_TOKEN) that exact token; otherwise, when no bootstrap
 * token exists yet, a new random one, printed once to out.  Returns 0 or
 * -1 (message on out). */
int auth_bootstrap(PGconn *pg, const char *token, FILE *out);

#endif
