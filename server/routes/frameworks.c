/*
 * routes/frameworks.c -- /v1/frameworks: list, read, post.
 *
 * A framework is data (scoring.md §2).  POST takes the framework JSON the
 * library reads, validated by jx_framework_load with every error listed
 * (422); what is stored is the library's canonical JSON (defaults filled
 * in), its validation notes (FRAMEWORK_RULE_MAX) beside it.
 *
 * Versions: the first POST of an id makes version 1.  A later POST of the
 * same id by its owner replaces the latest version in place while no
 * stored evaluation has used it, and makes version n + 1 once one has
 * (a used version is immutable; the database refuses to change it too).
 * The same definition again changes nothing (200).  Ids of built-ins and
 * of other organisations' frameworks are taken (409).
 *
 * Who: finance bureaus and the operator post; everyone reads the
 * built-ins and the frameworks of the finance bureaus whose region covers
 * theirs.  Out of reach is 404.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "routes/auth.h"
#include "input/body.h"
#include "db/tx.h"
#include "db/frameworks.h"
#include "db/idempotency.h"
#include "problem.h"
#include "routes/page.h"
#include "routes/routes.h"
#include "routes/workflow.h"
#include "util.h"


static int send_copy(jx_resp *resp, unsigned status, const char *text, size_t n)
{
    char *copy = malloc(n + 1);

    if (!copy)
        return problem_oom(resp);
    memcpy(copy, text, n);
    copy[n] = '\0';
    resp_body(resp, status, CT_JSON, copy, n);
    return 0;
}

/* The opaque cursor of a frameworks page: "f" + 0/1 (built-in) + the
 * version in decimal + "." + the id in hex (ids are short ASCII). */
static void fw_cursor(const PGresult *res, int row, char *out, size_t outlen)
{
    const char *id = PQgetvalue(res, row, 1);
    size_t n = (size_t)snprintf(out, outlen, "f%d%s.", PQgetvalue(res, row, 0)[0] == 't',
                                PQgetvalue(res, row, 2));

    for (; *id && n + 3 < outlen; id++)
        n += (size_t)snprintf(out + n, outlen - n, "%02x", (unsigned)(unsigned char)*id);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int fw_cursor_decode(const char *s, dbf_key *k)
{
    char *end;
    long v;
    size_t n = 0;

    memset(k, 0, sizeof *k);
    if (!s || s[0] != 'f' || (s[1] != '0' && s[1] != '1'))
        return -1;
    k->builtin = s[1] == '1';
    v = strtol(s + 2, &end, 10);
    if (end == s + 2 || *end != '.' || v < 1 || v > 1000000)
        return -1;
    k->version = (int)v;
    for (s = end + 1; s[0] && s[1]; s += 2) {
        int hi = hexval(s[0]), lo = hexval(s[1]);

        if (hi < 0 || lo < 0 || n + 1 >= sizeof k->id)
            return -1;
        k->id[n++] = (char)(hi << 4 | lo);
    }
    return *s || !n ? -1 : 0;
}

int route_frameworks_list(jx_req *req, jx_resp *resp)
{
    auth_info who;
    PGresult *res = NULL;
    db_err e;
    const char *scope = req_query(req, "scope"), *cur = req_query(req, "cursor");
    dbf_key after;
    strbuf sb;
    char *body, next[200];
    size_t len;
    int64_t limit = 50;
    int i, n, set;

    if (auth_require(req, resp, &who) < 0 ||
        query_int(req, resp, "limit", 1, 1000, &limit, &set) < 0)
        return 0;
    if (cur && fw_cursor_decode(cur, &after) < 0)
        return problem(resp, 400, "bad-request", "请求有误 (bad request)",
                       "cursor 应为上一页返回的 next_cursor (cursor must be a next_cursor "
                       "from an earlier page)");
    if (dbf_list(&who, scope, (int)limit + 1, cur ? &after : NULL, &res, &e) < 0)
        return db_problem(resp, &e);
    n = PQntuples(res);
    sb_init(&sb);
    sb_puts(&sb, "{\"items\":[");
    for (i = 0; i < n && i < limit; i++) {
        if (i)
            sb_puts(&sb, ",");
        sb_append(&sb, PQgetvalue(res, i, 3), (size_t)PQgetlength(res, i, 3));
    }
    sb_puts(&sb, "],\"next_cursor\":");
    if (n > limit) {
        fw_cursor(res, (int)limit - 1, next, sizeof next);
        sb_json_str(&sb, next);
    } else {
        sb_puts(&sb, "null");
    }
    sb_puts(&sb, "}");
    PQclear(res);
    body = sb_take(&sb, &len);
    if (!body)
        return problem_oom(resp);
    resp_body(resp, 200, CT_JSON, body, len);
    return 0;
}

int route_framework_get(jx_req *req, jx_resp *resp)
{
    auth_info who;
    PGresult *res = NULL;
    db_err e;
    int64_t version;
    int set;

    if (auth_require(req, resp, &who) < 0 ||
        query_int(req, resp, "version", 1, 1000000, &version, &set) < 0)
        return 0;
    if (dbf_get(&who, req_param(req, "id"), set ? (int)version : 0, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) != 1)
        problem_not_found(resp);
    else
        send_copy(resp, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
    return 0;
}

/* GET /v1/frameworks/{id}/history: 404 when the framework is out of reach
 * (or unknown); a built-in one has an empty history. */
int route_framework_history(jx_req *req, jx_resp *resp)
{
    auth_info who;
    PGresult *res = NULL;
    db_err e;
    int64_t after;
    int limit;

    if (auth_require(req, resp, &who) < 0 || page_params(req, resp, &limit, &after) < 0)
        return 0;
    if (dbf_get(&who, req_param(req, "id"), 0, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) != 1) {
        PQclear(res);
        return problem_not_found(resp);
    }
    PQclear(res);
    if (dbf_history(&who, req_param(req, "id"), after, limit + 1, &res, &e) < 0)
        return db_problem(resp, &e);
    send_page(resp, res, limit);
    PQclear(res);
    return 0;
}

/* ---- POST ------------------------------------------------------------------- */

typedef struct {
    jx_framework *fw;
    char *definition, *notes;
    char max[32];
    dbf_new row;
} fw_in;

static void fw_in_free(fw_in *f)
{
    jx_framework_free(f->fw);
    free(f->definition);
    free(f->notes);
}

/* Validates the body with the library; 0, or -1 with the answer in resp. */
static int decode(jx_req *req, jx_resp *resp, fw_in *f)
{
    jx_errors errs;
    char *text;
    json_t *o;
    int64_t m;

    memset(f, 0, sizeof *f);
    jx_errors_clear(&errs);
    f->fw = jx_framework_load(req->body ? req->body : "", req->len, &errs);
    if (!f->fw) {
        if (errs.status == JX_ESYNTAX)
            problem_errors(resp, 400, "malformed-json", "请求体不是合法的 JSON (malformed JSON)",
                           NULL, &errs);
        else
            problem_invalid(resp, &errs);
        return -1;
    }
    text = jx_framework_json(f->fw);
    o = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (json_is_object(o)) {
        json_t *n = json_incref(json_object_get(o, "findings"));

        json_object_del(o, "findings");
        f->definition = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
        f->notes = json_dumps(n ? n : json_array(), JSON_COMPACT);
        json_decref(n);
    }
    json_decref(o);
    if (!f->definition || !f->notes) {
        problem_oom(resp);
        return -1;
    }
    m = jx_framework_max(f->fw);
    snprintf(f->max, sizeof f->max, "%lld.%02lld", (long long)(m / 100), (long long)(m % 100));
    f->row.id = jx_framework_id(f->fw);
    f->row.scope = jx_framework_scope(f->fw);
    f->row.name = jx_framework_name(f->fw);
    f->row.definition = f->definition;
    f->row.notes = f->notes;
    f->row.max = f->max;
    return 0;
}

static int bad_id(jx_resp *resp, const char *id)
{
    jx_errors errs;
    size_t i, n = strlen(id);
    int ok = n >= 1 && n <= 64;

    for (i = 0; ok && i < n; i++) {
        char c = id[i];

        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             (i > 0 && (c == '-' || c == '_' || c == '.'));
    }
    if (ok)
        return 0;
    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/id", "VALUE_INVALID",
             "框架 id 只能由字母、数字和 - _ . 组成，不超过 64 个字符 (id: letters, digits, - _ ., "
             "at most 64)");
    problem_invalid(resp, &errs);
    return -1;
}

static int taken(jx_resp *resp, const char *id)
{
    char detail[300];

    snprintf(detail, sizeof detail,
             "框架 id '%.64s' 已被内置框架或其他机构使用 (the id belongs to a built-in or to "
             "another organisation)",
             id);
    return problem(resp, 409, "conflict", "框架 id 已被占用 (framework id taken)", detail);
}

/* Inside the transaction: decide insert / new version / replace / nothing. */
static int write_locked(jx_resp *resp, pool_conn *pc, const auth_info *who, fw_in *f)
{
    PGresult *res = NULL;
    db_err e;
    audit_entry a;
    int version = 1, replace = 0, rc = -1;
    unsigned status = 201;

    if (dbf_lock_latest(pc, f->row.id, f->definition, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) == 1) {
        int used = PQgetvalue(res, 0, 1)[0] == 't';
        int builtin = PQgetvalue(res, 0, 2)[0] == 't';
        int64_t owner = strtoll(PQgetvalue(res, 0, 3), NULL, 10);

        if (builtin || owner != who->org_id) {
            taken(resp, f->row.id);
            goto out;
        }
        version = atoi(PQgetvalue(res, 0, 0));
        if (PQgetvalue(res, 0, 4)[0] == 't') {
            PQclear(res);
            res = NULL;
            if (dbf_get(who, f->row.id, version, &res, &e) < 0) {
                db_problem(resp, &e);
                goto out;
            }
            rc = send_copy(resp, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
            goto out;
        }
        if (used)
            version++;
        else
            replace = 1, status = 200;
    }
    PQclear(res);
    res = NULL;
    if (dbf_write(pc, who, &f->row, version, replace, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    memset(&a, 0, sizeof a);
    a.resource = "framework";
    a.resource_id = version;
    a.org_id = who->org_id;
    a.region_code = who->region_code;
    a.action = replace ? "framework.replace" : version > 1 ? "framework.version" : "framework.create";
    a.version = version;
    a.after = PQgetvalue(res, 0, 0);
    if (audit_add(pc, who, &a, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    resp_header(resp, "Location", "/v1/frameworks/%s?version=%d", f->row.id, version);
    rc = send_copy(resp, status, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
out:
    PQclear(res);
    return rc;
}

int route_framework_create(jx_req *req, jx_resp *resp)
{
    auth_info who;
    fw_in f;
    idem k;
    pool_conn *pc = NULL;
    db_err e;
    int ok = 0;

    if (auth_require(req, resp, &who) < 0 || idem_init(req, resp, &k) < 0)
        return 0;
    if (strcmp(who.org_kind, "finance") && strcmp(who.org_kind, "admin"))
        return problem(resp, 403, "forbidden", "无权执行此操作 (forbidden)",
                       "只有财政局和运营者可以发布评价框架 (only finance bureaus and the operator "
                       "may post frameworks)");
    if (!body_is_json_type(req_header(req, "Content-Type")))
        return problem(resp, 415, "unsupported-media-type",
                       "不支持的媒体类型 (unsupported media type)",
                       "请求体须为 application/json (the body must be application/json)");
    if (decode(req, resp, &f) < 0 || bad_id(resp, f.row.id) < 0)
        goto out;
    if (idem_begin(&pc, &who, &k, resp) < 0)
        goto out;
    if (write_locked(resp, pc, &who, &f) < 0)
        goto out;
    ok = idem_store(pc, &who, &k, resp, &e) == 0 && db_commit(pc, &e) == 0;
    if (!ok)
        db_problem(resp, &e);
out:
    if (pc) {
        db_rollback(pc);
        db_release(pc);
    }
    fw_in_free(&f);
    return 0;
}
