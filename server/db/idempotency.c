/*
 * db/idempotency.c -- Idempotency-Key for every POST.
 *
 * A key belongs to the caller's organisation (and lives in its province's
 * shard).  The request's fingerprint (input/idempotency.c) is SHA-256 over
 * method, path, query string and body, so the same key on another endpoint
 * or with another body is recognised as a different request (422), not
 * replayed.
 *
 * Concurrency comes from PostgreSQL's unique index, not from locks here:
 * the claim is INSERT ... ON CONFLICT DO NOTHING inside the request's own
 * transaction.  Twenty parallel requests with one key: one inserts, the
 * other nineteen block on the uncommitted index entry; when the first
 * commits they see the row and replay its stored response (status,
 * Content-Type, Location, ETag, body); if it rolls back, one of them
 * takes over.  Exactly one resource is created either way.  The hot
 * create path (db/projects.c) claims the key inside its single statement
 * and uses idem_lookup only to replay; its key stores no body, only the
 * project's id (the replay is rebuilt from the audit trail, see st_get).
 *
 * Token creation stores its response without the secret (see
 * routes/tokens.c): a key never keeps a usable credential.
 *
 * Keys are kept --idempotency-hours (24 by default, as Stripe keeps
 * them): a client retries within minutes, and the table would otherwise
 * grow by one row per POST forever.  idem_purge deletes older ones in
 * batches of PURGE_BATCH rows, each its own short statement, so it never
 * holds many row locks or one long transaction; main.c runs it on a
 * handler thread at start and every ten minutes.  After the purge a retry
 * with an old key is a new request (a project create then meets its own
 * natural key: 409).
 */
#include "db/idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "util.h"

static const pool_stmt st_claim = {
    "jx_idem_claim",
    "INSERT INTO idempotency_keys (province, org_id, key, request_hash)"
    " VALUES ($1, $2::bigint, $3, decode($4, 'hex')) ON CONFLICT DO NOTHING RETURNING 1",
    4};

/* A project create's key names its project instead of keeping the body
 * (sql/0013): the first response is rebuilt from the audit entry of the
 * create -- document, organisation, region and time as they were then,
 * through the same jx_project_json that built it -- so it comes back
 * byte for byte after later edits and after the project's deletion. */
static const pool_stmt st_get = {
    "jx_idem_get2",
    "SELECT k.request_hash = decode($4, 'hex'), k.status, k.content_type, k.location, k.etag,"
    " coalesce(k.body, (SELECT jx_project_json(a.resource_id, a.org_id, a.region_code,"
    "  'draft', 1, NULL, a.at, a.at, a.after)::text FROM audit_log a"
    "  WHERE a.resource = 'project' AND a.resource_id = k.project_id AND a.action = 'create'))"
    "  FROM idempotency_keys k WHERE k.province = $1 AND k.org_id = $2::bigint AND k.key = $3",
    4};

static const pool_stmt st_store = {
    "jx_idem_store",
    "UPDATE idempotency_keys SET status = $4::integer, content_type = $5, location = $6,"
    " etag = $7, body = $8 WHERE province = $1 AND org_id = $2::bigint AND key = $3",
    8};

#define PURGE_BATCH 1000

static const pool_stmt st_purge = {
    "jx_idem_purge",
    "DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY("
    " SELECT ctid FROM idempotency_keys"
    "  WHERE created_at < now() - make_interval(hours => $1::integer) LIMIT $2::integer))",
    2};

int idem_purge(int hours, int max_batches, long *deleted, db_err *e)
{
    char h[24], lim[24];
    const char *v[2] = {h, lim};
    PGresult *res;
    long n;
    int i;

    *deleted = 0;
    fmt_i64(hours, h);
    fmt_i64(PURGE_BATCH, lim);
    for (i = 0; i < max_batches; i++) {
        if (db_query(&st_purge, v, &res, e) < 0)
            return -1;
        n = atol(PQcmdTuples(res));
        PQclear(res);
        *deleted += n;
        if (n < PURGE_BATCH)
            break;
    }
    return 0;
}

static void key_vals(const auth_info *who, const idem *k, const char *v[4])
{
    v[0] = who->province;
    v[1] = who->org_id_s;
    v[2] = k->key;
    v[3] = k->hash;
}

static idem_status replay(const PGresult *res, jx_resp *resp)
{
    const char *body;
    char *copy;
    size_t n;

    if (PQntuples(res) != 1)
        return IDEM_NEW;
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        jx_errors errs;

        jx_errors_clear(&errs);
        errs_add(&errs, JX_EINVALID, "", "IDEMPOTENCY_KEY_REUSED",
                 "此 Idempotency-Key 已用于另一个请求 (this Idempotency-Key was used for a "
                 "different request)");
        problem_errors(resp, 422, "idempotency-key-reused",
                       "Idempotency-Key 重复使用 (Idempotency-Key reused)",
                       "同一个 Idempotency-Key 只能用于同一个请求；请换一个新的键 (a key stands "
                       "for one request; use a new key for a new request)",
                       &errs);
        return IDEM_MISMATCH;
    }
    body = PQgetvalue(res, 0, 5);
    n = (size_t)PQgetlength(res, 0, 5);
    copy = malloc(n + 1);
    if (!copy) {
        problem_oom(resp);
        return IDEM_MISMATCH;
    }
    memcpy(copy, body, n);
    copy[n] = '\0';
    resp_body(resp, (unsigned)atoi(PQgetvalue(res, 0, 1)),
              PQgetisnull(res, 0, 2) ? "application/json"
              : !strcmp(PQgetvalue(res, 0, 2), "application/problem+json")
                  ? "application/problem+json"
                  : "application/json",
              copy, n);
    if (!PQgetisnull(res, 0, 3))
        resp_header(resp, "Location", "%s", PQgetvalue(res, 0, 3));
    if (!PQgetisnull(res, 0, 4))
        resp_header(resp, "ETag", "%s", PQgetvalue(res, 0, 4));
    resp_header(resp, "Idempotent-Replayed", "true");
    return IDEM_REPLAY;
}

idem_status idem_lookup(pool_conn *pc, const auth_info *who, const idem *k, jx_resp *resp,
                        db_err *e)
{
    const char *v[4];
    PGresult *res = NULL;
    idem_status st;

    if (!k->key)
        return IDEM_NEW;
    key_vals(who, k, v);
    if (db_exec(pc, &st_get, v, &res, e) < 0)
        return IDEM_FAIL;
    st = replay(res, resp);
    PQclear(res);
    return st;
}

idem_status idem_claim(pool_conn *pc, const auth_info *who, const idem *k, jx_resp *resp,
                       db_err *e)
{
    const char *v[4];
    PGresult *res = NULL;
    int inserted;

    if (!k->key)
        return IDEM_NEW;
    key_vals(who, k, v);
    if (db_exec(pc, &st_claim, v, &res, e) < 0)
        return IDEM_FAIL;
    inserted = PQntuples(res) == 1;
    PQclear(res);
    if (inserted)
        return IDEM_NEW;
    return idem_lookup(pc, who, k, resp, e);
}

static const char *header_of(const jx_resp *resp, const char *name)
{
    int i;

    for (i = 0; i < resp->nheaders; i++)
        if (!strcmp(resp->headers[i].name, name))
            return resp->headers[i].value;
    return NULL;
}

int idem_store(pool_conn *pc, const auth_info *who, const idem *k, const jx_resp *resp,
               db_err *e)
{
    const char *v[8];
    char status[8], *body;
    PGresult *res = NULL;
    int rc;

    if (!k->key)
        return 0;
    body = malloc(resp->len + 1);
    if (!body) {
        return db_fail(e, "out of memory");
    }
    memcpy(body, resp->body ? resp->body : "", resp->len);
    body[resp->len] = '\0';
    snprintf(status, sizeof status, "%u", resp->status);
    key_vals(who, k, v);
    v[4] = status;
    v[5] = resp->content_type;
    v[6] = header_of(resp, "Location");
    v[7] = header_of(resp, "ETag");
    {
        const char *vv[8] = {v[0], v[1], v[2], status, v[5], v[6], v[7], body};

        rc = db_exec(pc, &st_store, vv, &res, e);
    }
    PQclear(res);
    free(body);
    return rc;
}

int idem_begin(pool_conn **pc, const auth_info *who, const idem *k, jx_resp *resp)
{
    db_err e;

    if (db_acquire(pc, &e) < 0 || db_begin(*pc, &e) < 0) {
        db_problem(resp, &e);
        return -1;
    }
    switch (k ? idem_claim(*pc, who, k, resp, &e) : IDEM_NEW) {
    case IDEM_NEW:
        return 0;
    case IDEM_FAIL:
        db_problem(resp, &e);
        return -1;
    default:
        return -1;
    }
}
