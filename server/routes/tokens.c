/*
 * routes/tokens.c -- issuing, listing and revoking bearer tokens.
 *
 *   POST   /v1/orgs/{id}/tokens   a new token for an organisation in reach:
 *                                 shown once in the 201, stored as SHA-256
 *   GET    /v1/orgs/{id}/tokens   the organisation's tokens (prefix, label,
 *                                 expiry, revocation; never the secret)
 *   DELETE /v1/tokens/{id}        revoke (idempotent: 204 again)
 *
 * Whoever reaches an organisation may issue and revoke its tokens: the
 * operator everything, a finance bureau its region, a department itself
 * and its units, a unit itself.  An Idempotency-Key replay of a token
 * creation answers the first response with "token": null -- the secret
 * is never stored anywhere, not even for replays.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "routes/auth.h"
#include "db/tokens.h"
#include "routes/page.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/orgs.h"
#include "db/idempotency.h"
#include "input/org.h"
#include "problem.h"
#include "routes/routes.h"
#include "routes/workflow.h"
#include "util.h"


/* {..., "token": secret} from the stored JSON text (object). */
static char *with_token(const char *json, const char *token)
{
    json_t *o = json_loads(json, 0, NULL);
    char *out;

    if (!o)
        return NULL;
    json_object_set_new(o, "token", token ? json_string(token) : json_null());
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

int route_token_create(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t org_id;
    json_t *body = NULL;
    const char *label = NULL, *expires = NULL;
    char token[48], hex[65], prefix[12];
    pool_conn *pc = NULL;
    PGresult *org = NULL, *res = NULL;
    jx_errors errs;
    db_err e;
    idem k;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &org_id) < 0 ||
        idem_init(req, resp, &k) < 0)
        return 0;
    if (req->len && body_json(req, resp, 0, &body) < 0)
        return 0;
    if (token_decode(body, &label, &expires, resp, &errs) < 0)
        goto out;
    if (idem_begin(&pc, &who, &k, resp) < 0)
        goto out;
    if (dbo_get(pc, &who, org_id, 0, &org, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(org) != 1) {
        problem_not_found(resp);
        goto out;
    }
    if (errs.count) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (auth_new_token(token, hex) < 0) {
        problem_internal(resp, "no randomness");
        goto out;
    }
    snprintf(prefix, sizeof prefix, "%.10s", token);
    if (dbo_token_insert(pc, &who, org_id, hex, prefix, label, expires, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    {
        const char *parent = PQgetisnull(org, 0, 3) ? NULL : PQgetvalue(org, 0, 3);
        audit_entry a = {"token", strtoll(PQgetvalue(res, 0, 0), NULL, 10), org_id,
                         parent ? strtoll(parent, NULL, 10) : 0, PQgetvalue(org, 0, 4),
                         "create", 0, NULL, NULL, PQgetvalue(res, 0, 1)};
        char *shown = with_token(PQgetvalue(res, 0, 1), NULL);
        char *full = with_token(PQgetvalue(res, 0, 1), token);

        if (!shown || !full) {
            free(shown);
            free(full);
            problem_oom(resp);
            goto out;
        }
        /* what a replay will see: the same answer without the secret */
        resp_body(resp, 201, "application/json", shown, strlen(shown));
        resp_header(resp, "Location", "/v1/tokens/%s", PQgetvalue(res, 0, 0));
        ok = audit_add(pc, &who, &a, &e) == 0 && idem_store(pc, &who, &k, resp, &e) == 0;
        if (ok)
            resp_body(resp, 201, "application/json", full, strlen(full));
        else {
            free(full);
            db_problem(resp, &e);
        }
    }
out:
    PQclear(org);
    PQclear(res);
    json_decref(body);
    explicit_bzero(token, sizeof token);
    if (pc) {
        if (ok && db_commit(pc, &e) < 0)
            db_problem(resp, &e);
        db_rollback(pc);
        db_release(pc);
    }
    return 0;
}

int route_tokens_list(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t org_id;
    PGresult *org = NULL, *res = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &org_id) < 0)
        return 0;
    if (dbo_get(NULL, &who, org_id, 0, &org, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(org) != 1) {
        PQclear(org);
        return problem_not_found(resp);
    }
    PQclear(org);
    if (dbo_token_list(&who, org_id, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, PQntuples(res));
    PQclear(res);
    return 0;
}

int route_token_delete(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id;
    pool_conn *pc = NULL;
    PGresult *res = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0)
        return 0;
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0 ||
        dbo_token_revoke(pc, &who, id, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        problem_not_found(resp);
        goto out;
    }
    {
        audit_entry a = {"token", id, strtoll(PQgetvalue(res, 0, 0), NULL, 10),
                         PQgetisnull(res, 0, 2) ? 0 : strtoll(PQgetvalue(res, 0, 2), NULL, 10),
                         PQgetvalue(res, 0, 1), "revoke", 0, NULL, NULL, NULL};

        ok = audit_add(pc, &who, &a, &e) == 0;
        if (ok)
            resp_static(resp, 204, NULL, "", 0);
        else
            db_problem(resp, &e);
    }
out:
    PQclear(res);
    if (pc) {
        if (ok && db_commit(pc, &e) < 0)
            db_problem(resp, &e);
        db_rollback(pc);
        db_release(pc);
    }
    if (ok)
        auth_cache_forget_token(id); /* refused from now on, not after the cache's TTL */
    return 0;
}

static int token_history(const auth_info *who, int64_t id, int64_t after, int limit,
                         PGresult **res, db_err *e)
{
    return audit_history("token", who, id, after, limit, res, e);
}

int route_token_history(jx_req *req, jx_resp *resp)
{
    return wf_history(req, resp, token_history);
}
