/*
 * routes/auth.c -- bearer tokens.
 *
 * A token is "jx_" + 43 base64url characters (256 random bits).  Only its
 * SHA-256 is stored; lookups compare hashes in SQL, so the token itself
 * never reaches the database or the logs.  A request outside a caller's
 * reach answers 404 (api.md); auth.h holds the SQL fragments that put the
 * reach into every scoped statement.
 *
 * A short-lived cache maps a token's hash to its caller (auth_info), so a
 * request by a token seen in the last AUTH_CACHE_TTL seconds spends no
 * database work on authentication: on the hot reads that join was 30-40%
 * of PostgreSQL's time per request (tests/bench/projects).  Only tokens
 * found valid are cached, for at most the TTL and never past their own
 * expires_at.  Revoking a token through this process forgets it at once
 * (auth_cache_forget_token), a change of an organisation empties the
 * cache (auth_cache_clear); what no API of this process does -- a token
 * revoked by another server process, or by hand in SQL -- is honoured
 * within the TTL.  Direct-mapped on the hash's first bytes (uniformly
 * random), a mutex around a copy: a collision only costs a lookup.
 *
 * GET /v1/whoami answers who a token belongs to: the smallest route that
 * exercises the whole path (header, hash, pool, prepared statement).
 */
#include "routes/auth.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "db/pool.h"
#include "problem.h"
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

/* ---- the token cache ------------------------------------------------------ */

#define AUTH_CACHE_SLOTS 256 /* a power of two */

typedef struct {
    char hex[65];  /* "" when empty */
    double until;  /* now_mono() after which the entry is stale */
    auth_info who;
} cache_entry;

static cache_entry cache[AUTH_CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static cache_entry *cache_slot(const char hex[65])
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = hex[i];

        v = v << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return &cache[v & (AUTH_CACHE_SLOTS - 1)];
}

static int cache_get(const char hex[65], auth_info *who)
{
    cache_entry *c = cache_slot(hex);
    int hit;

    pthread_mutex_lock(&cache_mu);
    hit = c->hex[0] && !strcmp(c->hex, hex) && now_mono() < c->until;
    if (hit)
        *who = c->who;
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

/* valid_s: seconds until the token expires (< 0 for never). */
static void cache_put(const char hex[65], const auth_info *who, double valid_s)
{
    cache_entry *c = cache_slot(hex);
    double ttl = valid_s >= 0 && valid_s < AUTH_CACHE_TTL ? valid_s : AUTH_CACHE_TTL;

    if (ttl <= 0)
        return;
    pthread_mutex_lock(&cache_mu);
    memcpy(c->hex, hex, 65);
    c->who = *who;
    c->until = now_mono() + ttl;
    pthread_mutex_unlock(&cache_mu);
}

void auth_cache_forget_token(int64_t token_id)
{
    int i;

    pthread_mutex_lock(&cache_mu);
    for (i = 0; i < AUTH_CACHE_SLOTS; i++)
        if (cache[i].hex[0] && cache[i].who.token_id == token_id)
            cache[i].hex[0] = '\0';
    pthread_mutex_unlock(&cache_mu);
}

void auth_cache_clear(void)
{
    int i;

    pthread_mutex_lock(&cache_mu);
    for (i = 0; i < AUTH_CACHE_SLOTS; i++)
        cache[i].hex[0] = '\0';
    pthread_mutex_unlock(&cache_mu);
}

static void token_hash_hex(const char *token, char hex[65])
{
    unsigned char h[32];

    sha256(token, strlen(token), h);
    hex_encode(h, 32, hex);
}

static int unauthorized(jx_resp *resp, const char *detail)
{
    problem(resp, 401, "unauthorized", "未认证 (unauthorized)", detail);
    resp_header(resp, "WWW-Authenticate", "Bearer realm=\"jixiao\"");
    return -1;
}

static void region_prefix(const char *region, char out[8])
{
    size_t n = 6;

    snprintf(out, 8, "%.6s", region);
    if (strlen(out) != 6)
        return;
    if (!strcmp(out + 2, "0000"))
        n = 2;
    else if (!strcmp(out + 4, "00"))
        n = 4;
    out[n] = '\0';
}

static void derive(auth_info *who)
{
    snprintf(who->org_id_s, sizeof who->org_id_s, "%lld", (long long)who->org_id);
    snprintf(who->token_id_s, sizeof who->token_id_s, "%lld", (long long)who->token_id);
    snprintf(who->province, sizeof who->province, "%.2s0000", who->region_code);
    region_prefix(who->region_code, who->prefix);
}

int auth_token_hex(jx_req *req, jx_resp *resp, char hex[65])
{
    const char *h = req_header(req, "Authorization");

    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
        return unauthorized(resp, "需要 Authorization: Bearer 令牌 (a bearer token is required)");
    token_hash_hex(h + 7, hex);
    return 0;
}

int auth_from_row(jx_req *req, jx_resp *resp, const PGresult *res, int row, int col,
                  auth_info *who)
{
    memset(who, 0, sizeof *who);
    if (row >= PQntuples(res) || PQgetisnull(res, row, col))
        return unauthorized(resp, "令牌无效、已过期或已吊销 (token unknown, expired or revoked)");
    who->token_id = strtoll(PQgetvalue(res, row, col), NULL, 10);
    who->org_id = strtoll(PQgetvalue(res, row, col + 1), NULL, 10);
    snprintf(who->org_kind, sizeof who->org_kind, "%s", PQgetvalue(res, row, col + 2));
    snprintf(who->org_name, sizeof who->org_name, "%s", PQgetvalue(res, row, col + 3));
    snprintf(who->region_code, sizeof who->region_code, "%s", PQgetvalue(res, row, col + 4));
    derive(who);
    req->org_id = who->org_id;
    return 0;
}

void auth_reach_vals(const auth_info *who, const char *vals[4])
{
    vals[0] = who->org_kind;
    vals[1] = who->org_id_s;
    vals[2] = who->prefix;
    vals[3] = who->province;
}

int auth_is_admin(const auth_info *who)
{
    return !strcmp(who->org_kind, "admin");
}

/* use_cache 0: ask the database whatever the cache holds (GET /v1/whoami,
 * whose point is the whole path to the database). */
static int require(jx_req *req, jx_resp *resp, auth_info *who, int use_cache)
{
    char hex[65], err[256];
    const char *params[1];
    PGresult *res = NULL;
    pool_status ps;
    int rc;

    memset(who, 0, sizeof *who);
    if (auth_token_hex(req, resp, hex) < 0)
        return -1;
    if (use_cache && cache_get(hex, who)) {
        req->org_id = who->org_id;
        return 0;
    }
    params[0] = hex;
    ps = pool_query(app.pool, &st_lookup, params, &res, err, sizeof err);
    if (ps == POOL_EDOWN || ps == POOL_EBUSY) {
        problem_db_unavailable(resp, NULL);
        return -1;
    }
    if (ps != POOL_OK) {
        problem(resp, 500, "internal", "内部错误 (internal error)", NULL);
        return -1;
    }
    rc = auth_from_row(req, resp, res, 0, 0, who);
    if (rc == 0)
        cache_put(hex, who, PQgetisnull(res, 0, 5) ? -1 : strtod(PQgetvalue(res, 0, 5), NULL));
    PQclear(res);
    return rc;
}

int auth_require(jx_req *req, jx_resp *resp, auth_info *who)
{
    return require(req, resp, who, 1);
}

int route_whoami(jx_req *req, jx_resp *resp)
{
    auth_info who;
    json_t *o;
    char *body;

    if (require(req, resp, &who, 0) < 0)
        return 0;
    o = json_pack("{s:{s:I,s:s,s:s,s:s},s:{s:I}}", "org", "id", (json_int_t)who.org_id,
                  "kind", who.org_kind, "name", who.org_name, "region_code", who.region_code,
                  "token", "id", (json_int_t)who.token_id);
    body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body)
        return -1;
    resp_body(resp, 200, "application/json", body, strlen(body));
    return 0;
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
