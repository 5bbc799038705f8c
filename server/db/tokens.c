/*
 * db/tokens.c -- bearer tokens in the database.
 *
 * A token is "jx_" + 43 base64url characters (256 random bits).  Only its
 * SHA-256 is stored; lookups compare hashes in SQL.  The operator's
 * bootstrap token is written here at start-up, on a connection of its own.
 */
#include "db/tokens.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "server.h"
#include "sha256.h"
#include "util.h"

static const pool_stmt st_lookup = {
    "jx_auth_lookup",
    "SELECT t.id, o.id, o.kind, o.name, o.region_code,"
    " extract(epoch FROM t.expires_at - now())::float8"
    "  FROM api_tokens t JOIN orgs o ON o.id = t.org_id"
    " WHERE t.hash = decode($1, 'hex') AND t.revoked_at IS NULL"
    "   AND (t.expires_at IS NULL OR t.expires_at > now())",
    1};

void token_hash_hex(const char *token, char hex[65])
{
    unsigned char h[32];

    sha256(token, strlen(token), h);
    hex_encode(h, 32, hex);
}

pool_status tokens_lookup(const char *hex, PGresult **res, char *err, size_t errlen)
{
    const char *params[1] = {hex};

    return pool_query(app.pool, &st_lookup, params, res, err, errlen);
}

/* 256 random bits as "jx_" + base64url without padding. */
static int new_token(char out[48])
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char r[33];
    size_t i, o = 3;

    if (getrandom(r, 32, 0) != 32)
        return -1;
    r[32] = 0;
    memcpy(out, "jx_", 3);
    for (i = 0; i < 32; i += 3) {
        unsigned v = (unsigned)r[i] << 16 | (unsigned)(i + 1 < 33 ? r[i + 1] : 0) << 8 |
                     (unsigned)(i + 2 < 33 ? r[i + 2] : 0);

        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        if (i + 2 < 32)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0';
    return 0;
}

int auth_new_token(char token[48], char hex[65])
{
    if (new_token(token) < 0)
        return -1;
    token_hash_hex(token, hex);
    return 0;
}

static int exec_params(PGconn *pg, const char *sql, int n, const char *const *params,
                       int *rows, FILE *out)
{
    PGresult *r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

    if (!ok)
        fprintf(out, "bootstrap: %s", PQerrorMessage(pg));
    if (rows)
        *rows = ok ? (st == PGRES_TUPLES_OK ? PQntuples(r) : atoi(PQcmdTuples(r))) : 0;
    PQclear(r);
    return ok ? 0 : -1;
}

int auth_bootstrap(PGconn *pg, const char *token, FILE *out)
{
    char generated[48], hex[65], prefix[12];
    const char *params[2];
    int rows = 0, created = 0;

    if (!token || !*token) {
        if (exec_params(pg,
                        "SELECT 1 FROM api_tokens WHERE bootstrap AND revoked_at IS NULL",
                        0, NULL, &rows, out) < 0)
            return -1;
        if (rows > 0)
            return 0;
        if (new_token(generated) < 0) {
            fprintf(out, "bootstrap: no randomness for a token\n");
            return -1;
        }
        token = generated;
        created = 1;
    }
    token_hash_hex(token, hex);
    snprintf(prefix, sizeof prefix, "%.8s", token);
    params[0] = hex;
    params[1] = prefix;
    if (exec_params(pg, "BEGIN", 0, NULL, NULL, out) < 0)
        return -1;
    /* The configured token replaces any other live bootstrap token. */
    if (exec_params(pg,
                    "UPDATE api_tokens SET revoked_at = now()"
                    " WHERE bootstrap AND revoked_at IS NULL AND hash <> decode($1, 'hex')",
                    1, params, NULL, out) < 0 ||
        exec_params(pg,
                    "INSERT INTO api_tokens (org_id, hash, prefix, label, bootstrap)"
                    " SELECT id, decode($1, 'hex'), $2, 'bootstrap admin token', true"
                    "   FROM orgs WHERE kind = 'admin'"
                    " ON CONFLICT (hash) DO UPDATE SET revoked_at = NULL, expires_at = NULL"
                    " WHERE api_tokens.bootstrap",
                    2, params, &rows, out) < 0 ||
        exec_params(pg, "COMMIT", 0, NULL, NULL, out) < 0) {
        PQclear(PQexec(pg, "ROLLBACK"));
        return -1;
    }
    if (created && rows == 1)
        fprintf(out,
                "admin token (shown once, store it now): %s\n", token);
    return 0;
}
