/*
 * input/idempotency.c -- reading a request's Idempotency-Key and hashing
 * the request (method, path, query arguments, body) into its fingerprint,
 * so that the same key with another request is told apart (422).
 */
#include "input/idempotency.h"

#include <microhttpd.h>
#include <string.h>

#include "input/body.h"
#include "problem.h"
#include "sha256.h"
#include "util.h"

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    strbuf *sb = cls;

    (void)kind;
    sb_puts(sb, key);
    sb_puts(sb, "=");
    sb_puts(sb, value ? value : "");
    sb_puts(sb, "&");
    return MHD_YES;
}

int idem_init(jx_req *req, jx_resp *resp, idem *k)
{
    strbuf sb;
    unsigned char h[32];

    memset(k, 0, sizeof *k);
    if (idempotency_key(req, resp, &k->key) < 0)
        return -1;
    if (!k->key)
        return 0;
    sb_init(&sb);
    sb_puts(&sb, req->method);
    sb_puts(&sb, " ");
    sb_puts(&sb, req->path);
    sb_puts(&sb, "?");
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_arg, &sb);
    sb_puts(&sb, "\n");
    if (req->body)
        sb_append(&sb, req->body, req->len);
    if (sb.oom) {
        sb_free(&sb);
        problem_oom(resp);
        return -1;
    }
    sha256(sb.buf, sb.len, h);
    hex_encode(h, 32, k->hash);
    sb_free(&sb);
    return 0;
}
