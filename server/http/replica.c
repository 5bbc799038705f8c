/*
 * http/replica.c -- which database a request reads from (DATABASE_READ_URL).
 *
 * With a read replica configured, GET and HEAD requests read from the hot
 * standby and everything else goes to the primary (pool.c does the
 * switching; this file decides, once per request, on the handler's
 * thread).  A standby lags the primary by a little, so a caller who has
 * just written must not read an older version of what it wrote
 * (read-your-writes).  Three things send a read to the primary:
 *
 *   1. the same bearer token wrote through this server instance less than
 *      --read-after-write milliseconds ago (a small in-memory table keyed
 *      by a hash of the Authorization header; a collision only sends an
 *      extra read to the primary, never a stale one to anybody);
 *   2. the request carries the cookie jx_primary_until=<unix ms> in the
 *      future, which every write response sets: it makes the guarantee hold
 *      behind a load balancer across stateless server instances, for
 *      clients that keep cookies (browsers, portals);
 *   3. the request says "X-Jixiao-Read: primary" (explicit, for API clients
 *      that keep no cookies and hop between instances).
 *
 * Every response that touched the database says which one in
 * "X-Jixiao-Db: primary|replica" (for operators and the replica test).
 */
#include "http/replica.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db/pool.h"

#define SLOTS 4096

typedef struct {
    uint64_t key;
    int64_t until_ms; /* CLOCK_MONOTONIC */
} slot;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static slot slots[SLOTS];

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a of the Authorization header; 0 means "no token". */
static uint64_t token_key(const jx_req *req)
{
    const char *a = req_header(req, "Authorization");
    uint64_t h = 1469598103934665603ULL;

    if (!a || !*a)
        return 0;
    for (; *a; a++) {
        h ^= (unsigned char)*a;
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static int read_only_method(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

static int wrote_recently(uint64_t key)
{
    int hit;

    if (!key)
        return 0;
    pthread_mutex_lock(&mu);
    hit = slots[key % SLOTS].key == key && slots[key % SLOTS].until_ms > mono_ms();
    pthread_mutex_unlock(&mu);
    return hit;
}

static void remember_write(uint64_t key, int window_ms)
{
    if (!key)
        return;
    pthread_mutex_lock(&mu);
    slots[key % SLOTS].key = key;
    slots[key % SLOTS].until_ms = mono_ms() + window_ms;
    pthread_mutex_unlock(&mu);
}

/* The cookie jx_primary_until=<unix ms>, 0 when absent or malformed. */
static int64_t cookie_until(const jx_req *req)
{
    const char *c = req_header(req, "Cookie"), *p;
    char *end;
    long long v;

    if (!c)
        return 0;
    for (p = strstr(c, "jx_primary_until="); p; p = strstr(p + 1, "jx_primary_until=")) {
        if (p != c && p[-1] != ' ' && p[-1] != ';')
            continue;
        v = strtoll(p + strlen("jx_primary_until="), &end, 10);
        if (end != p + strlen("jx_primary_until=") && v > 0)
            return (int64_t)v;
    }
    return 0;
}

static int wants_primary(const jx_req *req)
{
    const char *h = req_header(req, "X-Jixiao-Read");

    if (h && !strcasecmp(h, "primary"))
        return 1;
    if (cookie_until(req) > wall_ms())
        return 1;
    return wrote_recently(token_key(req));
}

void replica_begin(const jx_req *req)
{
    int reads = 0;

    if (pool_replica(app.pool) && read_only_method(req->method))
        reads = !wants_primary(req);
    pool_request_begin(reads);
}

void replica_end(const jx_req *req, jx_resp *resp)
{
    int used = pool_request_used(), window = app.cfg ? app.cfg->read_after_write_ms : 0;

    if (used & 2)
        resp_header(resp, "X-Jixiao-Db", "%s", used & 1 ? "primary,replica" : "replica");
    else if (used & 1)
        resp_header(resp, "X-Jixiao-Db", "primary");
    if (!pool_replica(app.pool) || read_only_method(req->method) ||
        !strcmp(req->method, "OPTIONS") || window <= 0)
        return;
    remember_write(token_key(req), window);
    resp_header(resp, "Set-Cookie",
                "jx_primary_until=%lld; Max-Age=%d; Path=/; HttpOnly; SameSite=Strict",
                (long long)(wall_ms() + window), (window + 999) / 1000);
}
