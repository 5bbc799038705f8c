/*
 * routes/auth.c -- authentication: who is calling, from the bearer token.
 *
 * The token is hashed here and looked up by its hash (db/tokens.c), so the
 * token itself never reaches the database or the logs.  A request outside
 * a caller's reach answers 404 (api.md); db/reach.h holds the SQL
 * fragments that put the reach into every scoped statement.
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

#include "db/tokens.h"
#include "problem.h"
#include "util.h"

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

static int unauthorized(jx_resp *resp, const char *detail)
{
    problem(resp, 401, "unauthorized", "未认证 (unauthorized)", detail);
    resp_header(resp, "WWW-Authenticate", "Bearer realm=\"jixiao\"");
    return -1;
}

int auth_token_hex(jx_req *req, jx_resp *resp, char hex[65])
{
    const char *h = req_header(req, "Authorization");

    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
        return unauthorized(resp, "需要 Authorization: Bearer 令牌 (a bearer token is required)");
    /* a request with a body is authenticated twice (before the body is
     * read, daemon.c, and by its handler): hash the token once */
    if (!req->token_hex[0]) {
        token_hash_hex(h + 7, hex);
        memcpy(req->token_hex, hex, 65);
    } else {
        memcpy(hex, req->token_hex, 65);
    }
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
    auth_derive(who);
    req->org_id = who->org_id;
    return 0;
}

/* use_cache 0: ask the database whatever the cache holds (GET /v1/whoami,
 * whose point is the whole path to the database). */
static int require(jx_req *req, jx_resp *resp, auth_info *who, int use_cache)
{
    char hex[65], err[256];
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
    ps = tokens_lookup(hex, &res, err, sizeof err);
    if (ps == POOL_EDOWN || ps == POOL_EBUSY) {
        problem_db_unavailable(resp, NULL);
        return -1;
    }
    if (ps != POOL_OK) {
        problem_internal(resp, NULL);
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
