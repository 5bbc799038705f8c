/*
 * http/daemon.c -- libmicrohttpd glue: threads, limits, bodies, responses.
 *
 * Threading: MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL with a pool
 * of --threads workers (MHD_OPTION_THREAD_POOL_SIZE), each running its own
 * epoll loop, with MHD_USE_TURBO: libmicrohttpd reads and writes a socket
 * before asking epoll whether it is ready (~1 syscall fewer per keep-alive
 * request, fewer thread switches under load) and closes without a
 * shutdown() first.  A route marked runs_inline (reads, and routes without the
 * database: router.c) runs on the worker.  Writes, once their body is in,
 * are handed to the handler threads (exec.c, one per pooled database
 * connection): the worker suspends the connection and goes back to its
 * loop; the handler thread runs the handler into the request's own
 * response and resumes the connection; libmicrohttpd then calls us once
 * more and the response is queued on the worker.  So a write waiting on a
 * commit or a row lock never stalls the other connections of its worker,
 * and reads do not pay two thread switches each.  A write that waited in
 * the queue longer than --db-timeout gets 503 without running, as one
 * that waited that long for a pooled connection.  Measured here, epoll
 * workers beat thread-per-connection (operations.md).
 *
 * The keep-alive trap of libmicrohttpd 0.9.75: a response queued on the
 * *first* call for a request (before the upload has been consumed) makes
 * MHD close the connection after it.  So the first call only sets up the
 * request and returns MHD_YES; body chunks arrive on the next calls; the
 * response is queued on the final call (upload_data_size == 0).  The one
 * deliberate exception is 413: when Content-Length is over the limit we
 * answer at once, without reading the body, and closing is what we want.
 *
 * Body size is checked twice: from Content-Length before anything is read,
 * and while accumulating (for chunked uploads, which have no length).
 *
 * The head, before any of the body is read (the first call), goes
 * through head.c: framing (two different Content-Lengths, Content-Length
 * with Transfer-Encoding: 400; a transfer coding other than chunked: 501),
 * a second Authorization or Host, whitespace before a header's colon, NUL
 * and control bytes in header values, in the path and percent-encoded in
 * the raw target (seen in the URI log callback, before libmicrohttpd
 * decodes it) -- each answered at once, which closes the connection (the
 * keep-alive trap, deliberately).  What libmicrohttpd 0.9.75 does itself
 * and we rely on: a malformed request line or header line, a head larger
 * than the connection's memory pool (431), a malformed chunk line (400), a
 * chunk size that overflows 64 bits (413), unknown HTTP versions (505).
 * It hands us chunk data as it arrives, never the declared size of a
 * chunk, and cannot queue a response in the middle of a body: so the
 * chunk-size line is read from the bytes right before the chunk's first
 * data (chunk_over_limit: where 0.9.75 leaves it in the connection's read
 * buffer, looking back no further than the head's size), and a chunk
 * declared beyond the body limit closes the connection at once, as does
 * data past the limit.  A huge chunk declared and then never sent is
 * closed by the inactivity timeout.
 *
 * Authentication before the body: a request under /v1/ announcing a body
 * is authenticated on the first call (routes/auth.c, cached), and a 401 is
 * answered without reading a byte of it.  Memory: every body held, and
 * the Jansson tree its JSON will become (estimated from a scan of the
 * text: values x TREE_BYTES), is reserved against JIXIAO_MAX_INFLIGHT_BODY
 * for the life of its request; beyond it 503 with Retry-After.  A JSON
 * body with more values than a quarter of its bytes (a [0,0,...] bomb is
 * a half) or nested deeper than JSON_MAX_DEPTH is refused with 413 before
 * any parser sees it.  Connections per client address and the deadline of
 * a request head are guard.c's.
 *
 * Every request gets an id (X-Request-Id from the client if it is sane,
 * else generated), a log line and metrics on completion (the
 * NOTIFY_COMPLETED callback), whether or not a response was sent.
 */
#include "http/daemon.h"

#include <errno.h>
#include <stddef.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "metrics.h"
#include "problem.h"
#include "http/guard.h"
#include "http/head.h"
#include "http/replica.h"
#include "http/router.h"
#include "routes/auth.h"
#include "util.h"

/* Each connection's memory pool (headers read, response headers written,
 * body chunks passed through), which libmicrohttpd zeroes whole between
 * the requests of a keep-alive connection: at its default of 32 KiB that
 * memset was ~5% of the server's CPU per GET.  16 KiB still holds a
 * request head of over 8 KiB (nginx's and Apache's limit per header line);
 * larger ones are answered 431. */
#define CONN_MEMORY (16 * 1024)

/* Parser memory: a Jansson value costs ~40-80 bytes with malloc's
 * overhead; bodies from JSON_SCAN_MIN bytes are scanned and reserved. */
#define TREE_BYTES 64
#define JSON_SCAN_MIN (64 * 1024)
#define JSON_MAX_DEPTH 100
/* A request with a body of a MiB or more counts as this many ordinary
 * ones towards main.c's trim after activity (TRIM_AFTER): its pages are
 * worth giving back. */
#define BIG_BODY (1024 * 1024)
#define BIG_BODY_WEIGHT 256

static struct MHD_Daemon *daemon_;
static atomic_int in_flight;
static atomic_size_t inflight_bytes; /* reserved by bodies and their trees */
static char target_refused_mark;     /* *con_cls from on_uri: the raw target is refused */
static atomic_ulong request_seq;
static atomic_ulong activity;   /* requests completed + connections closed */
static unsigned long id_prefix;
static const config *cfg_;
static char *tls_mem[2]; /* PEM buffers MHD points into until it stops */

/* ---- requests ------------------------------------------------------------ */

/* A request and what http.c keeps about it beside the handlers' view: the
 * hand-off job and the response the handler thread filled. */
enum { RUN_NONE, RUN_QUEUED, RUN_DONE };
typedef struct {
    jx_req req;             /* first: a jx_req * is an http_req * */
    exec_job job;
    jx_resp resp;
    atomic_int run;         /* RUN_*: set by the handler thread before resuming */
    double queued_at;       /* now_mono() at the hand-off */
    unsigned refuse;        /* answer this status, with refuse_why, and close */
    const char *refuse_why;
    guard_conn *guard;      /* the connection's (guard.c) */
    int client_slot;        /* a proxied client's count (guard_client_enter) */
    size_t reserved;        /* bytes reserved against max_inflight_body */
    int chunked;            /* Transfer-Encoding: chunked */
    unsigned long long chunk_left; /* of the current chunk, when its size was read */
} http_req;

/* Reserves n bytes of parser memory; -1 when the total would pass the
 * limit. */
static int reserve(http_req *hr, size_t n)
{
    size_t before = atomic_fetch_add(&inflight_bytes, n);

    if (before + n > cfg_->max_inflight_body) {
        atomic_fetch_sub(&inflight_bytes, n);
        return -1;
    }
    hr->reserved += n;
    return 0;
}

/* Frees what queue() did not take over. */
static void resp_done(jx_resp *resp)
{
    if (resp->body && !resp->body_static)
        free(resp->body);
    resp->body = NULL;
}

/* A client's X-Request-Id is kept only when short and plain, so it can go
 * into logs and headers without escaping surprises. */
static int sane_id(const char *s)
{
    size_t n = 0;

    for (; *s; s++, n++) {
        char c = *s;

        if (n >= 36 || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                         (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return n > 0;
}

/* "%08lx%08lx" of the prefix and the sequence number, without printf. */
static void make_id(char out[17], unsigned long prefix, unsigned long seq)
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 8; i++) {
        out[7 - i] = hex[prefix >> (4 * i) & 15];
        out[15 - i] = hex[seq >> (4 * i) & 15];
    }
    out[16] = '\0';
}

static jx_req *req_new(struct MHD_Connection *conn, const char *method, const char *url)
{
    http_req *hr = calloc(1, sizeof *hr);
    jx_req *req;
    const char *cid;

    if (!hr)
        return NULL;
    req = &hr->req;
    req->conn = conn;
    req->method = method;
    req->path = url;
    req->start = now_mono();
    cid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (cid && sane_id(cid))
        snprintf(req->id, sizeof req->id, "%s", cid);
    else
        make_id(req->id, id_prefix, atomic_fetch_add(&request_seq, 1));
    return req;
}

static void req_free(jx_req *req)
{
    http_req *hr = (http_req *)req;

    resp_done(&hr->resp); /* a hand-off whose connection closed before queueing */
    free(req->body);
    if (hr->reserved)
        atomic_fetch_sub(&inflight_bytes, hr->reserved);
    guard_client_leave(hr->client_slot);
    free(hr);
}

/* -1: no memory; -2: over the in-flight limit. */
static int append_body(jx_req *req, const char *data, size_t n)
{
    size_t need = req->len + n + 1, cap;
    char *nb;

    if (need > req->cap) {
        cap = req->cap ? req->cap : 4096;
        while (cap < need)
            cap *= 2;
        if (cap > req->max + 1)
            cap = need > req->max + 1 ? need : req->max + 1;
        if (reserve((http_req *)req, cap - req->cap) < 0)
            return -2;
        nb = realloc(req->body, cap);
        if (!nb)
            return -1;
        req->body = nb;
        req->cap = cap;
    }
    memcpy(req->body + req->len, data, n);
    req->len += n;
    req->body[req->len] = '\0';
    return 0;
}

/* CORS headers for an allowed Origin (simple requests and preflights). */
static void add_cors(jx_req *req, struct MHD_Response *r, int preflight)
{
    const char *origin = req_header(req, "Origin");

    if (!origin || !cfg_->cors_origins[0] || !config_cors_allowed(cfg_, origin))
        return;
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(r, "Vary", "Origin");
    if (preflight) {
        MHD_add_response_header(r, "Access-Control-Allow-Methods", req->allow);
        MHD_add_response_header(r, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, If-Match, Idempotency-Key, "
                                "X-Request-Id");
        MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    } else {
        MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                "ETag, Location, Retry-After, X-Request-Id");
    }
}

static enum MHD_Result queue(jx_req *req, jx_resp *resp, int preflight)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    int i;

    if (resp->body_static || !resp->body)
        r = MHD_create_response_from_buffer(resp->len, resp->body ? resp->body : (char *)"",
                                            MHD_RESPMEM_PERSISTENT);
    else
        r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        if (!resp->body_static)
            free(resp->body);
        resp->body = NULL;
        return MHD_NO;
    }
    resp->body = NULL; /* owned by the response now */
    if (resp->content_type)
        MHD_add_response_header(r, "Content-Type", resp->content_type);
    MHD_add_response_header(r, "X-Request-Id", req->id);
    for (i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    add_cors(req, r, preflight);
    ret = MHD_queue_response(req->conn, resp->status, r);
    MHD_destroy_response(r);
    if (ret == MHD_YES) {
        req->queued = 1;
        req->status = resp->status;
    }
    return ret;
}

static int content_too_large(jx_resp *resp, size_t max)
{
    char detail[160];

    snprintf(detail, sizeof detail, "请求体超过上限 %zu 字节 (request body larger than %zu bytes)",
             max, max);
    return problem(resp, 413, "payload-too-large", "请求体过大 (payload too large)", detail);
}

static int bad_framing(jx_resp *resp, const char *why)
{
    return problem(resp, 400, "bad-request", "请求有误 (bad request)", why);
}

/* A refusal of the head or of the memory it asks for; always closes. */
static void refusal(jx_resp *resp, unsigned status, const char *why)
{
    switch (status) {
    case 501:
        problem(resp, 501, "not-implemented", "未实现 (not implemented)", why);
        break;
    case 413:
        problem(resp, 413, "payload-too-large", "请求体过大 (payload too large)", why);
        break;
    case 429:
        problem(resp, 429, "too-many-requests", "请求过多 (too many requests)", why);
        resp_header(resp, "Retry-After", "1");
        break;
    case 503:
        problem(resp, 503, "busy", "服务繁忙 (busy)", why);
        resp_header(resp, "Retry-After", "1");
        break;
    default:
        bad_framing(resp, why);
        break;
    }
    resp_header(resp, "Connection", "close");
}

static int looks_json(const char *ct)
{
    if (!ct)
        return 1;
    for (; *ct; ct++)
        if (!strncasecmp(ct, "json", 4))
            return 1;
    return 0;
}

/* Before a handler parses a large JSON body: refuse a bomb (413), reserve
 * its tree (503 when the total is spent).  0 when it may go on. */
static int weigh_body(jx_req *req, jx_resp *resp)
{
    json_weight w;
    size_t max_values = req->len / 4 + 4096;

    if (req->len < JSON_SCAN_MIN || !looks_json(req_header(req, "Content-Type")))
        return 0;
    head_json_weight(req->body, req->len, max_values, JSON_MAX_DEPTH, &w);
    if (w.values > max_values || w.depth > JSON_MAX_DEPTH) {
        char why[200];

        snprintf(why, sizeof why, "JSON 值过多或嵌套过深：至多 %zu 个值、%d 层 (more than %zu "
                 "JSON values or %d levels of nesting)", max_values, JSON_MAX_DEPTH,
                 max_values, JSON_MAX_DEPTH);
        problem(resp, 413, "payload-too-large", "请求体过大 (payload too large)", why);
        resp_header(resp, "Connection", "close");
        return -1;
    }
    if (reserve((http_req *)req, w.values * TREE_BYTES) < 0) {
        refusal(resp, 503, "正在处理的请求体已达上限，请稍后重试 (the request bodies being "
                           "parsed are at their limit; retry shortly)");
        return -1;
    }
    return 0;
}

/* The matched route's handler, wherever it runs. */
static void run_handler(jx_req *req, jx_resp *resp)
{
    replica_begin(req);
    if (req->route->handler(req, resp) != 0)
        problem_internal(resp, NULL);
    replica_end(req, resp);
}

/* On a handler thread: run, then resume the connection.  The worker may
 * free the request as soon as it is resumed, so resuming is the last
 * thing done here. */
static void run_job(exec_job *j)
{
    http_req *hr = (http_req *)(void *)((char *)j - offsetof(http_req, job));

    /* Queued longer than a request may wait for a pooled connection (the
     * handler threads are all stuck on the database): the same 503 as a
     * pool wait that timed out, without running the handler. */
    if (now_mono() - hr->queued_at > cfg_->db_timeout_ms / 1000.0)
        problem_db_unavailable(&hr->resp, "服务繁忙，请稍后重试 (every database connection is busy; "
                                          "retry shortly)");
    else
        run_handler(&hr->req, &hr->resp);
    atomic_store_explicit(&hr->run, RUN_DONE, memory_order_release);
    MHD_resume_connection(hr->req.conn);
}

/* Hands a database route to the handler threads; its response is queued
 * when libmicrohttpd calls on_request again after the resume. */
static enum MHD_Result hand_off(jx_req *req)
{
    http_req *hr = (http_req *)req;

    hr->job.run = run_job;
    hr->queued_at = now_mono();
    atomic_store_explicit(&hr->run, RUN_QUEUED, memory_order_relaxed);
    MHD_suspend_connection(req->conn);
    if (exec_submit(&hr->job) < 0)
        run_job(&hr->job); /* stopping: run here; the resume still follows */
    return MHD_YES;
}

/* Runs the matched handler, or answers 404 / 405 / OPTIONS / 413 / 400. */
static enum MHD_Result dispatch(jx_req *req)
{
    jx_resp resp;
    enum MHD_Result ret;
    int preflight = 0;

    memset(&resp, 0, sizeof resp);
    if (((http_req *)req)->refuse) {
        refusal(&resp, ((http_req *)req)->refuse, ((http_req *)req)->refuse_why);
    } else if (req->bad_framing) {
        bad_framing(&resp, req->bad_framing);
        resp_header(&resp, "Connection", "close");
    } else if (req->too_large) {
        content_too_large(&resp, req->max);
        resp_header(&resp, "Connection", "close");
    } else if (!strcmp(req->method, "OPTIONS") && req->path_matched) {
        resp_static(&resp, 204, NULL, "", 0);
        resp_header(&resp, "Allow", "%s", req->allow);
        preflight = 1;
    } else if (req->route && req->len && weigh_body(req, &resp) < 0) {
        /* answered by weigh_body */
    } else if (req->route && !req->route->runs_inline) {
        return hand_off(req);
    } else if (req->route) {
        run_handler(req, &resp);
    } else if (req->path_matched) {
        problem(&resp, 405, "method-not-allowed", "方法不被允许 (method not allowed)",
                "该路径不支持此 HTTP 方法 (this path does not support the method)");
        resp_header(&resp, "Allow", "%s", req->allow);
    } else {
        problem(&resp, 404, "not-found", "未找到 (not found)",
                "没有这个路径 (no such path)");
    }
    ret = queue(req, &resp, preflight);
    resp_done(&resp);
    return ret;
}

/* The call after a hand-off's resume: queue what the handler made. */
static enum MHD_Result handed_back(jx_req *req)
{
    http_req *hr = (http_req *)req;
    enum MHD_Result ret;

    if (atomic_load_explicit(&hr->run, memory_order_acquire) != RUN_DONE)
        return MHD_YES; /* still running (a call while suspended) */
    atomic_store_explicit(&hr->run, RUN_NONE, memory_order_relaxed);
    ret = queue(req, &hr->resp, 0);
    resp_done(&hr->resp);
    return ret;
}

/* The first data of a chunk, with its size line still in front of it in
 * libmicrohttpd's read buffer (it parses chunk lines in place and does
 * not overwrite them): declared past what the body may still hold?  The
 * look back stays within the request's head, which precedes the body in
 * the same buffer. */
static int chunk_over_limit(jx_req *req, const char *data, size_t n)
{
    http_req *hr = (http_req *)req;
    const union MHD_ConnectionInfo *hs;
    size_t back;
    unsigned long long size;

    if (hr->chunk_left) { /* in the middle of a chunk whose size we read */
        hr->chunk_left -= n < hr->chunk_left ? n : hr->chunk_left;
        return 0;
    }
    hs = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    back = hs ? hs->header_size : 0;
    if (back > 40)
        back = 40;
    if (!head_chunk_size_before(data - back, back, &size))
        return 0;
    if (size > req->max || req->bytes_in + size > req->max)
        return 1;
    hr->chunk_left = size - (n < size ? n : size);
    return 0;
}

/* The header list as head.c takes it. */
typedef struct {
    head_field *f;
    size_t n, cap;
} field_list;

static enum MHD_Result field_each(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    field_list *l = cls;

    (void)kind;
    /* libmicrohttpd 0.9.75 keeps a header value as a C string inside its
     * read buffer, where the line's CR and LF were overwritten with NULs:
     * the byte after the terminating NUL is the LF's NUL.  Anything else
     * there means the NUL was the client's, inside the value ("Bearer
     * <token>\0x" read as the token): hand head.c the value with it.  (A
     * request with bare LF line ends looks the same and is refused too.) */
    if (value && value[value_size + 1] != '\0')
        value_size += 1 + strlen(value + value_size + 1);
    if (l->n < l->cap) {
        l->f[l->n].name = key ? key : "";
        l->f[l->n].name_len = key ? key_size : 0;
        l->f[l->n].value = value ? value : "";
        l->f[l->n].value_len = value ? value_size : 0;
    }
    l->n++;
    return MHD_YES;
}

#define FIELDS_ON_STACK 32

/* head_check over the connection's headers. */
static void check_head(struct MHD_Connection *conn, jx_req *req, const char *version,
                       head_verdict *v)
{
    head_field stack[FIELDS_ON_STACK];
    field_list l = {stack, 0, FIELDS_ON_STACK};

    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, field_each, &l);
    if (l.n > FIELDS_ON_STACK) {
        /* many headers (the memory pool bounds them): again, on the heap */
        l.f = malloc(l.n * sizeof *l.f);
        if (!l.f) {
            memset(v, 0, sizeof *v);
            v->status = 503;
            v->why = "内存不足 (out of memory)";
            return;
        }
        l.cap = l.n;
        l.n = 0;
        MHD_get_connection_values_n(conn, MHD_HEADER_KIND, field_each, &l);
    }
    head_check(req->method, req->path, version, l.f, l.n < l.cap ? l.n : l.cap, v);
    if (l.f != stack)
        free(l.f);
}

static enum MHD_Result refuse_now(jx_req *req, unsigned status, const char *why)
{
    ((http_req *)req)->refuse = status;
    ((http_req *)req)->refuse_why = why;
    return dispatch(req); /* queued on the first call: the connection closes */
}

/* First call: the head is in, none of the body is read.  Everything that
 * can be refused without the body is refused here. */
static enum MHD_Result first_call(struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, void **con_cls,
                                  int target_refused)
{
    const union MHD_ConnectionInfo *ci;
    head_verdict v;
    http_req *hr;
    jx_req *req = req_new(conn, method, url);
    int slot;

    if (!req)
        return MHD_NO;
    hr = (http_req *)req;
    *con_cls = req;
    atomic_fetch_add(&in_flight, 1);
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    hr->guard = ci ? ci->socket_context : NULL;
    guard_head_done(hr->guard);
    router_match(req);
    req->max = req->route && req->route->max_body ? req->route->max_body : cfg_->max_body;
    req->discard = !req->route;
    if (target_refused)
        return refuse_now(req, 400, "请求路径含控制字符或编码的控制字符 (a control byte, raw or "
                                    "percent-encoded, in the request target)");
    check_head(conn, req, version, &v);
    if (v.status)
        return refuse_now(req, v.status, v.why);
    slot = guard_client_enter(hr->guard, req_header(req, "X-Forwarded-For"));
    if (slot == 0)
        return refuse_now(req, 429, "该客户端地址的并发请求已达上限 (this client address has "
                                    "its share of requests in flight)");
    hr->client_slot = slot;
    if (v.has_length && v.length > req->max) {
        req->too_large = 1;
        return dispatch(req); /* 413 now: the body is never read */
    }
    hr->chunked = v.chunked;
    if (req->discard || !((v.has_length && v.length > 0) || v.chunked))
        return MHD_YES;
    if (!strncmp(url, "/v1/", 4)) {
        /* no anonymous request makes the server keep or parse a body */
        jx_resp resp;
        auth_info who;
        enum MHD_Result ret;

        memset(&resp, 0, sizeof resp);
        if (auth_require(req, &resp, &who) < 0) {
            resp_header(&resp, "Connection", "close");
            ret = queue(req, &resp, 0);
            resp_done(&resp);
            return ret;
        }
    }
    if (v.has_length) {
        /* the whole body at once: no doubling past the length */
        if (reserve(hr, (size_t)v.length + 1) < 0)
            return refuse_now(req, 503, "正在接收的请求体已达上限，请稍后重试 (the request "
                                        "bodies being received are at their limit; retry "
                                        "shortly)");
        req->body = malloc((size_t)v.length + 1);
        if (!req->body)
            return MHD_NO;
        req->cap = (size_t)v.length + 1;
        req->body[0] = '\0';
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    jx_req *req = *con_cls;
    int rc;

    (void)cls;
    if (req == (jx_req *)(void *)&target_refused_mark)
        return first_call(conn, url, method, version, con_cls, 1);
    if (!req) /* headers only; return without queueing (keep-alive) */
        return first_call(conn, url, method, version, con_cls, 0);
    if (*upload_data_size) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        if (((http_req *)req)->chunked && chunk_over_limit(req, upload_data, n))
            req->too_large = 1;
        req->bytes_in += n;
        if (req->queued)
            return MHD_YES;
        if (req->bad_framing || req->too_large || req->bytes_in > req->max) {
            /* A chunked upload went over the limit: stop keeping it.  MHD
             * cannot queue a response mid-upload, so close the connection
             * rather than read an unbounded stream. */
            req->too_large = 1;
            free(req->body);
            req->body = NULL;
            req->len = req->cap = 0;
            return MHD_NO;
        }
        if (req->discard || ((http_req *)req)->refuse)
            return MHD_YES;
        rc = append_body(req, upload_data, n);
        if (rc == -2) {
            /* a chunked body past the in-flight limit: drop it, read on
             * (bounded by max), answer 503 at its end */
            ((http_req *)req)->refuse = 503;
            ((http_req *)req)->refuse_why = "正在接收的请求体已达上限，请稍后重试 (the request "
                                            "bodies being received are at their limit; retry "
                                            "shortly)";
            free(req->body);
            req->body = NULL;
            atomic_fetch_sub(&inflight_bytes, ((http_req *)req)->reserved);
            ((http_req *)req)->reserved = 0;
            req->len = req->cap = 0;
            return MHD_YES;
        }
        return rc < 0 ? MHD_NO : MHD_YES;
    }
    if (req->queued)
        return MHD_YES;
    if (atomic_load_explicit(&((http_req *)req)->run, memory_order_relaxed) != RUN_NONE)
        return handed_back(req);
    return dispatch(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    jx_req *req = *con_cls;
    const char *route;
    double ms;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!req || req == (jx_req *)(void *)&target_refused_mark) {
        *con_cls = NULL;
        return;
    }
    *con_cls = NULL;
    guard_request_done(((http_req *)req)->guard);
    ms = (now_mono() - req->start) * 1000.0;
    route = req->route_index >= 0 ? jx_routes[req->route_index].pattern : "";
    /* Metrics count exact routes only; 404s, 405s and preflights go to
     * "unmatched" so a client cannot mint label values. */
    metrics_request(req->route ? req->route_index : -1, req->status, ms / 1000.0);
    {
        log_request_line l = {req->id, req->method, route, req->path, req->status, ms,
                              req->org_id, req->bytes_in};

        log_request(&l);
    }
    atomic_fetch_add_explicit(&activity, req->bytes_in >= BIG_BODY ? BIG_BODY_WEIGHT : 1,
                              memory_order_relaxed);
    req_free(req);
    atomic_fetch_sub(&in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *a =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        *socket_context = guard_opened(a ? a->client_addr : NULL, fd ? fd->connect_fd : -1);
        return;
    }
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard_closed(*socket_context);
        *socket_context = NULL;
        atomic_fetch_add_explicit(&activity, 1, memory_order_relaxed);
    }
}

/* The raw request target, before libmicrohttpd decodes it: what it
 * returns is the request's first *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    return head_target_refused(uri, strlen(uri)) ? &target_refused_mark : NULL;
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)cls;
    return guard_accept(addr, len) ? MHD_YES : MHD_NO;
}

unsigned long http_activity(void)
{
    return atomic_load_explicit(&activity, memory_order_relaxed);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_msg(LOG_DEBUG, "libmicrohttpd", msg);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    buf = malloc((size_t)n + 1);
    if (!buf)
        goto out;
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[n] = '\0';
out:
    fclose(f);
    return buf;
}

/* "host:port" or "[v6]:port" into a socket address. */
static int resolve(const char *listen, struct sockaddr_storage *ss, int *v6)
{
    char host[256];
    const char *colon, *h = listen, *port;
    size_t hlen;
    struct addrinfo hints, *res = NULL;
    int rc;

    if (*listen == '[') {
        const char *close = strchr(listen, ']');

        if (!close || close[1] != ':')
            return -1;
        h = listen + 1;
        hlen = (size_t)(close - h);
        port = close + 2;
    } else {
        colon = strrchr(listen, ':');
        if (!colon)
            return -1;
        hlen = (size_t)(colon - listen);
        port = colon + 1;
    }
    if (hlen >= sizeof host)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(hlen ? host : NULL, port, &hints, &res);
    if (rc != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

int http_start(const config *cfg)
{
    struct sockaddr_storage ss;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                         MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    char *cert = NULL, *key = NULL;
    int v6 = 0, rc = -1;

    cfg_ = cfg;
    if (getrandom(&id_prefix, sizeof id_prefix, 0) != (ssize_t)sizeof id_prefix)
        id_prefix = (unsigned long)getpid();
    if (resolve(cfg->listen, &ss, &v6) < 0) {
        log_msg(LOG_ERROR, "bad listen address", cfg->listen);
        return -1;
    }
    if (v6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert[0]) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            log_msg(LOG_ERROR, "this libmicrohttpd has no TLS support", NULL);
            return -1;
        }
        cert = read_file(cfg->tls_cert);
        key = read_file(cfg->tls_key);
        if (!cert || !key) {
            log_msg(LOG_ERROR, "cannot read the TLS certificate or key", cfg->tls_cert);
            goto out;
        }
        flags |= MHD_USE_TLS;
    }
    if (guard_start(cfg) < 0)
        goto out;
    if (exec_start(cfg->db_pool) < 0) {
        log_msg(LOG_ERROR, "cannot start the handler threads", NULL);
        guard_stop();
        goto out;
    }
    daemon_ = MHD_start_daemon(
        flags, 0, on_accept, NULL, on_request, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->conn_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->conn_timeout,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
        MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_END);
    if (!daemon_) {
        log_msg(LOG_ERROR, "cannot start the HTTP daemon (address in use?)", cfg->listen);
        exec_stop();
        guard_stop();
        goto out;
    }
    rc = 0;
out:
    /* MHD copies neither: it keeps the pointers until the daemon stops, so
     * they are freed only on failure here (and leak-free on stop below). */
    if (rc < 0) {
        free(cert);
        free(key);
    } else {
        tls_mem[0] = cert;
        tls_mem[1] = key;
    }
    return rc;
}

void http_stop(int timeout_s)
{
    double deadline = now_mono() + timeout_s;
    MHD_socket fd;

    if (!daemon_)
        return;
    /* Stop accepting first, so a load balancer sees refusals at once. */
    fd = MHD_quiesce_daemon(daemon_);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    while (atomic_load(&in_flight) > 0 && now_mono() < deadline)
        usleep(20000);
    if (atomic_load(&in_flight) > 0)
        log_msgf(LOG_WARN, "shutdown", "%d request(s) still in flight after %d s; closing",
                 atomic_load(&in_flight), timeout_s);
    /* Handlers still running finish first (their round trips have
     * deadlines): libmicrohttpd must not stop with a connection suspended. */
    exec_stop();
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
    guard_stop();
    free(tls_mem[0]);
    free(tls_mem[1]);
    tls_mem[0] = tls_mem[1] = NULL;
}
