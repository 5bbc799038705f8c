/*
 * routes/fwuse.c -- the framework a stored project or assessment is filed
 * under, found within reach (api.md "Additions": built-ins and the
 * frameworks of the finance bureaus of the subject's region and the
 * regions above), handed to the decoder (input/fwuse.h).
 *
 * Built-ins at their latest version are known per process after one
 * look-up (a built-in's latest version changes only with a new binary),
 * so filing under a built-in costs no extra round trip; every other
 * framework is read with its definition, which the decoder checks level
 * names against and the library loads whole.
 */
#include "routes/fwuse.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/frameworks.h"
#include "problem.h"
#include "util.h"

#define CACHE 8
static struct {
    char id[72];
    int version;
    char scope[24];
} cache[CACHE];
static int ncache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int cached(const char *id, int version, fw_use *out)
{
    int i, found = 0;

    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < ncache && !found; i++)
        if (!strcmp(cache[i].id, id) && (!version || version == cache[i].version)) {
            out->version = cache[i].version;
            snprintf(out->scope, sizeof out->scope, "%s", cache[i].scope);
            found = 1;
        }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

static void remember(const fw_use *f)
{
    pthread_mutex_lock(&cache_lock);
    if (ncache < CACHE) {
        memset(&cache[ncache], 0, sizeof cache[0]);
        snprintf(cache[ncache].id, sizeof cache[0].id, "%s", f->id);
        cache[ncache].version = f->version;
        snprintf(cache[ncache].scope, sizeof cache[0].scope, "%s", f->scope);
        ncache++;
    }
    pthread_mutex_unlock(&cache_lock);
}

/* Looks up out->id at out->version for org_id; 0, 1 when there is no
 * such framework within reach, -1 on a database problem (e filled). */
static int look_up(pool_conn *pc, const auth_info *who, int64_t org_id, fw_use *out, db_err *e)
{
    PGresult *res = NULL;
    int rc = -1, builtin;

    if (dbf_for_org(pc, who, out->id, out->version, org_id, &res, e) < 0)
        goto done;
    if (PQntuples(res) != 1) {
        rc = 1;
        goto done;
    }
    builtin = PQgetvalue(res, 0, 1)[0] == 't';
    snprintf(out->scope, sizeof out->scope, "%s", PQgetvalue(res, 0, 2));
    if (builtin && !out->version && jx_ctx_framework(app.ctx, out->id)) {
        out->version = atoi(PQgetvalue(res, 0, 0));
        remember(out);
        rc = 0;
        goto done;
    }
    out->version = atoi(PQgetvalue(res, 0, 0));
    out->definition = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
    if (!out->definition) {
        snprintf(e->msg, sizeof e->msg, "framework definition");
        e->ps = POOL_EQUERY;
        goto done;
    }
    rc = 0;
done:
    PQclear(res);
    return rc;
}

int fw_lookup(pool_conn *pc, const auth_info *who, const char *id, int version, int64_t org_id,
              const char *scope, fw_use *out, jx_errors *errs, db_err *e)
{
    pool_conn *own = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    memset(e, 0, sizeof *e);
    jx_errors_clear(errs);
    if (strlen(id) >= sizeof out->id) {
        rc = 1;
        goto unknown;
    }
    snprintf(out->id, sizeof out->id, "%s", id);
    out->version = version;
    if (jx_ctx_framework(app.ctx, id) && cached(id, version, out)) {
        rc = 0;
    } else {
        if (!pc && db_acquire(&own, e) < 0)
            return -1;
        rc = look_up(pc ? pc : own, who, org_id, out, e);
        if (own)
            db_release(own);
        if (rc < 0) {
            fw_use_free(out);
            return -1;
        }
    }
unknown:
    if (rc > 0) {
        fw_use_free(out);
        errs_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_UNKNOWN",
                 "评价框架 '%.64s' 不存在或不在本单位可用范围内 (no such framework within this "
                 "organisation's reach)",
                 id);
        return 1;
    }
    if (scope && strcmp(out->scope, scope)) {
        errs_add(errs, JX_EINVALID, "/framework", "FRAMEWORK_SCOPE",
                 "评价框架 '%.64s' 的适用范围是 %s，与被评对象不符 (the framework's scope does "
                 "not fit)",
                 id, out->scope);
        fw_use_free(out);
        return 1;
    }
    return 0;
}

int fw_resolve(pool_conn *pc, const auth_info *who, const char *id, int version,
               int64_t org_id, const char *scope, fw_use *out, jx_resp *resp)
{
    jx_errors errs;
    db_err e;
    int rc = fw_lookup(pc, who, id, version, org_id, scope, out, &errs, &e);

    if (rc < 0)
        db_problem(resp, &e);
    else if (rc > 0)
        problem_invalid(resp, &errs);
    return rc ? -1 : 0;
}
