/*
 * routes/orgs.c -- /v1/orgs: the tree of finance bureaus, departments and
 * units, with region codes.
 *
 * Who may create what (issue 4):
 *   operator        anything, notably finance bureaus
 *   finance bureau  departments and units in its region (code prefix)
 *   department      its own units (parent = itself, region within its own)
 *   unit            nothing (403)
 * A parent, when given, must be in the creator's reach, may not be a unit,
 * and the child's region must lie within the parent's.  kind, region and
 * parent never change afterwards (PATCH changes name, 编制数 and 在职人数),
 * because projects and history are scoped by them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/orgs.h"
#include "db/idempotency.h"
#include "input/list.h"
#include "input/org.h"
#include "problem.h"
#include "routes/routes.h"
#include "routes/workflow.h"


static int send_row(jx_resp *resp, unsigned status, const PGresult *res, int vcol)
{
    size_t n = (size_t)PQgetlength(res, 0, vcol + 1);
    char *copy = malloc(n + 1);

    if (!copy)
        return problem_oom(resp);
    memcpy(copy, PQgetvalue(res, 0, vcol + 1), n);
    copy[n] = '\0';
    resp_header(resp, "ETag", "\"%s\"", PQgetvalue(res, 0, vcol));
    resp_body(resp, status, "application/json", copy, n);
    return 0;
}

/* The prefix a region reaches (auth.c rules): "3413" for 341300. */
static void prefix_of(const char *region, char out[8])
{
    size_t n = 6;

    snprintf(out, 8, "%.6s", region);
    if (strlen(out) == 6 && !strcmp(out + 2, "0000"))
        n = 2;
    else if (strlen(out) == 6 && !strcmp(out + 4, "00"))
        n = 4;
    out[n] = '\0';
}

static int within(const char *region, const char *of)
{
    char p[8];

    prefix_of(of, p);
    return !strncmp(region, p, strlen(p));
}

int route_orgs_list(jx_req *req, jx_resp *resp)
{
    return wf_list(req, resp, LQ_ORGS, dbo_list);
}

/* dbo_get outside a transaction, without a lock (wf_get_in_reach). */
static int get_unlocked(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    return dbo_get(NULL, who, id, 0, res, e);
}

int route_org_get(jx_req *req, jx_resp *resp)
{
    PGresult *res;

    if (wf_get_in_reach(req, resp, get_unlocked, &res) == 0) {
        send_row(resp, 200, res, 0);
        PQclear(res);
    }
    return 0;
}

/* The creator's rules; 0 when allowed, else resp has 403/422. */
static int may_create(jx_resp *resp, const auth_info *who, const char *kind,
                      const char *region, jx_errors *errs)
{
    int admin = auth_is_admin(who);

    if (!strcmp(who->org_kind, "unit"))
        return problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                       "预算单位不能创建组织 (a unit cannot create organisations)"),
               -1;
    if (!admin && !strcmp(kind, "finance"))
        return problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                       "只有运营者可以创建财政局 (only the operator creates finance bureaus)"),
               -1;
    if (!strcmp(who->org_kind, "department") && strcmp(kind, "unit"))
        return problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                       "主管部门只能创建下属单位 (a department creates only its units)"),
               -1;
    if (!admin && !within(region, who->region_code))
        errs_add(errs, JX_EINVALID, "/region_code", "REGION_OUT_OF_REACH",
                 "行政区划 '%s' 不在您的地区 %s 内 (region outside your own)", region,
                 who->region_code);
    return 0;
}

int route_org_create(jx_req *req, jx_resp *resp)
{
    auth_info who;
    json_t *body = NULL;
    jx_errors errs;
    org_in o;
    const char *kind, *name, *region, *posts, *staff;
    char parent_b[24];
    const char *parent = NULL;
    int64_t parent_id = 0;
    pool_conn *pc = NULL;
    PGresult *res = NULL;
    db_err e;
    idem k;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0 ||
        body_json(req, resp, 0, &body) < 0)
        return 0;
    {
        org_caller c = {who.org_kind, who.region_code, who.org_id};

        if (org_decode(body, 1, &c, &o, resp, &errs) < 0)
            goto out;
    }
    kind = o.kind;
    name = o.name;
    region = o.region;
    parent_id = o.parent_id;
    posts = o.posts;
    staff = o.staff;
    if (kind && region && may_create(resp, &who, kind, region, &errs) < 0)
        goto out;
    if (!strcmp(who.org_kind, "department") && parent_id != who.org_id)
        errs_add(&errs, JX_EINVALID, "/parent_id", "PARENT_INVALID",
                 "主管部门创建的单位，上级只能是本部门 (a department's units have it as parent)");
    if (idem_begin(&pc, &who, &k, resp) < 0)
        goto out;
    if (parent_id) {
        if (dbo_get(pc, &who, parent_id, 0, &res, &e) < 0) {
            db_problem(resp, &e);
            goto out;
        }
        if (PQntuples(res) != 1 || !strcmp(PQgetvalue(res, 0, 2), "unit") ||
            !strcmp(PQgetvalue(res, 0, 2), "admin"))
            errs_add(&errs, JX_EINVALID, "/parent_id", "PARENT_UNKNOWN",
                     "上级组织不存在、不在您的范围内或是预算单位 (no such parent within your "
                     "reach, or it is a unit)");
        else if (region && !within(region, PQgetvalue(res, 0, 4)))
            errs_add(&errs, JX_EINVALID, "/region_code", "REGION_OUT_OF_REACH",
                     "行政区划 '%s' 不在上级组织的地区 %s 内 (region outside the parent's)",
                     region, PQgetvalue(res, 0, 4));
        PQclear(res);
        res = NULL;
        snprintf(parent_b, sizeof parent_b, "%lld", (long long)parent_id);
        parent = parent_b;
    }
    if (errs.count) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (dbo_insert(pc, kind, name, region, o.region_name, parent, posts, staff, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    {
        audit_entry a = {"org", strtoll(PQgetvalue(res, 0, 0), NULL, 10), 0, parent_id, region,
                         "create", 1, NULL, NULL, PQgetvalue(res, 0, 2)};

        a.org_id = a.resource_id;
        resp_header(resp, "Location", "/v1/orgs/%s", PQgetvalue(res, 0, 0));
        send_row(resp, 201, res, 1);
        ok = audit_add(pc, &who, &a, &e) == 0 && idem_store(pc, &who, &k, resp, &e) == 0;
        if (!ok)
            db_problem(resp, &e);
    }
out:
    PQclear(res);
    json_decref(body);
    if (pc) {
        if (ok && db_commit(pc, &e) < 0)
            db_problem(resp, &e);
        db_rollback(pc);
        db_release(pc);
    }
    return 0;
}

int route_org_patch(jx_req *req, jx_resp *resp)
{
    auth_info who;
    int64_t id, version;
    json_t *body = NULL;
    jx_errors errs;
    org_in o;
    int ok = 0;
    pool_conn *pc = NULL;
    PGresult *res = NULL, *upd = NULL;
    db_err e;

    if (auth_require(req, resp, &who) < 0 || path_id(req, resp, "id", &id) < 0 ||
        if_match(req, resp, &version) < 0 || body_json(req, resp, 0, &body) < 0)
        return 0;
    if (org_decode(body, 0, NULL, &o, resp, &errs) < 0)
        goto out;
    if (db_acquire(&pc, &e) < 0 || db_begin(pc, &e) < 0 ||
        dbo_get(pc, &who, id, 1, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        problem_not_found(resp);
        goto out;
    }
    if (version && version != strtoll(PQgetvalue(res, 0, 0), NULL, 10)) {
        char detail[160];

        snprintf(detail, sizeof detail, "组织已被修改，当前版本为 %s (current version %s)",
                 PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 0));
        problem(resp, 412, "stale", "版本已过期 (precondition failed)", detail);
        resp_header(resp, "ETag", "\"%s\"", PQgetvalue(res, 0, 0));
        goto out;
    }
    if (errs.count) {
        problem_invalid(resp, &errs);
        goto out;
    }
    if (dbo_update(pc, id, o.name, o.posts, o.set_posts, o.staff, o.set_staff, &upd, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    {
        const char *parent = PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3);
        audit_entry a = {"org", id, id, parent ? strtoll(parent, NULL, 10) : 0,
                         PQgetvalue(res, 0, 4), "update", strtoll(PQgetvalue(upd, 0, 0), NULL, 10),
                         NULL, PQgetvalue(res, 0, 1), PQgetvalue(upd, 0, 1)};

        if (!strcmp(a.region_code, "000000")) /* the operator's own record */
            a.region_code = "000000";
        ok = audit_add(pc, &who, &a, &e) == 0;
        if (ok)
            send_row(resp, 200, upd, 0);
        else
            db_problem(resp, &e);
    }
out:
    PQclear(res);
    PQclear(upd);
    json_decref(body);
    if (pc) {
        if (ok && db_commit(pc, &e) < 0)
            db_problem(resp, &e);
        db_rollback(pc);
        db_release(pc);
    }
    if (ok)
        auth_cache_clear(); /* cached callers carry the organisation's name */
    return 0;
}

static int org_history(const auth_info *who, int64_t id, int64_t after, int limit,
                       PGresult **res, db_err *e)
{
    return audit_history("org", who, id, after, limit, res, e);
}

int route_org_history(jx_req *req, jx_resp *resp)
{
    return wf_history(req, resp, org_history);
}
