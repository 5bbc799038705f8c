/*
 * routes/auth.h -- bearer tokens: verification and the bootstrap admin token.
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
    /* Derived, as text for statement parameters: */
    char org_id_s[24];
    char token_id_s[24];
    char province[8];      /* "340000" for 341302; "000000" for the operator */
    char prefix[8];        /* region prefix a finance bureau reaches: "3413" */
} auth_info;

/*
 * Reach (api.md): a unit sees itself; a department itself and the
 * organisations whose parent it is; a finance bureau every organisation
 * whose region code starts with its prefix (province 34xxxx, city 3413xx,
 * county: itself); the operator everything.  These fragments put that into
 * every statement that reads or changes scoped rows, with the caller as
 * parameters $K (kind), $O (org id), $X (prefix), $P (province); the row
 * alias must have org_id, parent_org_id, region_code and province.  The
 * province equality lets Citus route a non-operator's statement to one
 * shard group.
 */
#define REACH_ROW(t, K, O, X, P)                                                          \
    "(" K " = 'admin' OR (" t ".province = " P " AND (" t ".org_id = " O "::bigint OR (" K \
    " = 'department' AND " t ".parent_org_id = " O "::bigint) OR (" K " = 'finance' AND " t \
    ".region_code LIKE " X " || '%'))))"

/* The same over orgs (alias o: id, parent_id, region_code, kind). */
#define REACH_ORG(K, O, X)                                                                \
    "(" K " = 'admin' OR o.id = " O "::bigint OR (" K " = 'department' AND o.parent_id = " O \
    "::bigint) OR (" K " = 'finance' AND o.kind <> 'admin' AND o.region_code LIKE " X " || '%'))"

/* The token of the request, hashed (hex) for the statements above.  -1
 * with 401 in resp when there is no bearer token. */
int auth_token_hex(jx_req *req, jx_resp *resp, char hex[65]);

/* Fills who from five columns (token id, org id, kind, name, region code)
 * of row r starting at col.
 * Returns -1 (with 401 in resp) when they are NULL: no such token. */
int auth_from_row(jx_req *req, jx_resp *resp, const PGresult *res, int row, int col,
                  auth_info *who);

/* The reach parameters in the order $K, $O, $X, $P. */
void auth_reach_vals(const auth_info *who, const char *vals[4]);

/* A new random token (256 bits, "jx_..." ) and its hash (hex). */
int auth_new_token(char token[48], char hex[65]);

/* 1 for the operator. */
int auth_is_admin(const auth_info *who);

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

/* Makes sure the operator has a token: with token set (from
 * JIXIAO_BOOTSTRAP_TOKEN) that exact token; otherwise, when no bootstrap
 * token exists yet, a new random one, printed once to out.  Returns 0 or
 * -1 (message on out). */
int auth_bootstrap(PGconn *pg, const char *token, FILE *out);

#endif
