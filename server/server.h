/*
 * server.h -- the types a request travels in, and the process-wide state.
 *
 * A request's path reads straight through (spec README):
 *   http.c (bytes in) -> router.c (which handler) -> routes_*.c (decode,
 *   validate, call lib/ or the database, encode) -> http.c (bytes out).
 * Handlers never touch libmicrohttpd: they read a jx_req and fill a
 * jx_resp, which http.c turns into a response.  That keeps them testable
 * and keeps the keep-alive rules (see http.c) in one place.
 */
#ifndef JX_SERVER_H
#define JX_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "jixiao.h"

struct MHD_Connection;
struct pool;

#define JX_MAX_PARAMS 4
#define JX_MAX_HEADERS 10

typedef struct {
    unsigned status;
    char *body;             /* malloc'd, freed by http.c, unless body_static */
    size_t len;
    int body_static;
    const char *content_type;
    int nheaders;
    struct {
        const char *name;   /* a constant */
        char value[256];
    } headers[JX_MAX_HEADERS];
} jx_resp;

typedef struct jx_route jx_route;

typedef struct jx_req {
    struct MHD_Connection *conn;
    const char *method;     /* owned by libmicrohttpd, valid until completion */
    const char *path;
    char id[40];            /* request id, echoed as X-Request-Id */
    double start;           /* now_mono() at the first callback */

    const jx_route *route;  /* NULL unless method and path matched */
    int route_index;        /* first route whose path matched, -1 when none */
    int path_matched;
    char allow[128];        /* methods allowed on this path, for 405/OPTIONS */
    int nparams;
    struct {
        const char *name;   /* points into the route pattern, namelen long */
        size_t namelen;
        char value[128];
    } params[JX_MAX_PARAMS];

    char *body;             /* the request body, NUL-terminated */
    size_t len, cap, max;
    uint64_t bytes_in;      /* bytes received, kept or not */
    int too_large;          /* the body exceeded max: answer 413 */
    const char *bad_framing;/* why the head is refused (Content-Length, Host): 400, close */
    int discard;            /* do not keep the body (no route needs it) */
    int queued;             /* a response has been queued */
    unsigned status;        /* the status queued, for logs and metrics */
    int64_t org_id;         /* authenticated organisation, for the log */
    char token_hex[65];     /* the bearer token's SHA-256, once computed (auth.c) */
} jx_req;

/* Handlers fill resp and return 0; a non-zero return means "could not
 * even build an error" and becomes a bare 500. */
typedef int (*jx_handler)(jx_req *req, jx_resp *resp);

/* Process-wide state, set up once in main before the daemon starts and
 * read-only afterwards (the pool and metrics lock themselves). */
typedef struct {
    const config *cfg;
    struct pool *pool;      /* the primary; a replica hangs off it (pool.c) */
    const jx_ctx *ctx;
    const char *version;
} jx_app;

extern jx_app app;

/* The media type of every JSON answer. */
#define CT_JSON "application/json"

/* Response helpers (resp.c). */
void resp_body(jx_resp *resp, unsigned status, const char *content_type, char *body, size_t len);
void resp_static(jx_resp *resp, unsigned status, const char *content_type, const char *body,
                 size_t len);
void resp_header(jx_resp *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Request accessors (http/req.c).  A request header's value or NULL. */
const char *req_header(const jx_req *req, const char *name);
/* A query-string argument's value (decoded) or NULL. */
const char *req_query(const jx_req *req, const char *name);
/* A path parameter's value or NULL. */
const char *req_param(const jx_req *req, const char *name);

#endif
