/*
 * db/tokens.h -- bearer tokens in the database: new tokens, their hashes,
 * the lookup of a caller by hash, and the operator's bootstrap token.
 */
#ifndef JX_DB_TOKENS_H
#define JX_DB_TOKENS_H

#include <libpq-fe.h>
#include <stdio.h>

#include "db/pool.h"

/* A token's SHA-256 as 64 hex digits, the form statements compare. */
void token_hash_hex(const char *token, char hex[65]);

/* A new random token (256 bits, "jx_..." ) and its hash (hex). */
int auth_new_token(char token[48], char hex[65]);

/* The live token whose hash is hex: one row (token id, org id, kind, name,
 * region code, seconds to expiry or NULL) or none.  Returns the pool's
 * status; *res is the caller's to PQclear when POOL_OK. */
pool_status tokens_lookup(const char *hex, PGresult **res, char *err, size_t errlen);

/* Makes sure the operator has a token: with token set (from
 * JIXIAO_BOOTSTRAP_TOKEN) that exact token; otherwise, when no bootstrap
 * token exists yet, a new random one, printed once to out.  Returns 0 or
 * -1 (message on out). */
int auth_bootstrap(PGconn *pg, const char *token, FILE *out);

#endif
