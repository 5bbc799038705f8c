/*
 * routes/health.c -- GET /healthz (liveness) and GET /readyz (readiness).
 *
 * Liveness says only that the process answers: it never touches the
 * database, so an orchestrator does not restart healthy servers during a
 * database outage.  Readiness says whether to send traffic: the database
 * answers AND its schema is exactly the version this binary knows (older:
 * run `jixiao-server migrate`; newer: this binary is outdated).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "db/pool.h"
#include "problem.h"
#include "routes/routes.h"

static const char healthz_body[] = "{\"status\":\"ok\"}";

int route_healthz(jx_req *req, jx_resp *resp)
{
    (void)req;
    resp_static(resp, 200, "application/json", healthz_body, sizeof healthz_body - 1);
    return 0;
}

static int not_ready(jx_resp *resp, const char *reason, const char *detail)
{
    problem(resp, 503, "not-ready", reason, detail);
    resp_header(resp, "Retry-After", "1");
    return 0;
}

int route_readyz(jx_req *req, jx_resp *resp)
{
    char err[256], detail[512], *body;
    int version = 0, latest = migrate_latest();
    pool_status ps;
    size_t n;

    (void)req;
    ps = migrate_db_version(app.pool, &version, err, sizeof err);
    if (ps != POOL_OK) {
        snprintf(detail, sizeof detail, "数据库不可达 (database unreachable): %s", err);
        return not_ready(resp, "未就绪：数据库不可达 (not ready: database unreachable)", detail);
    }
    if (version < latest) {
        snprintf(detail, sizeof detail,
                 "数据库结构版本 %d，服务需要 %d；请运行 jixiao-server migrate "
                 "(schema at version %d, server needs %d: run jixiao-server migrate)",
                 version, latest, version, latest);
        return not_ready(resp, "未就绪：迁移未完成 (not ready: migrations pending)", detail);
    }
    if (version > latest) {
        snprintf(detail, sizeof detail,
                 "数据库结构版本 %d 高于服务所知的 %d (schema version %d is newer than this "
                 "server's %d: upgrade the server)",
                 version, latest, version, latest);
        return not_ready(resp, "未就绪：数据库结构较新 (not ready: schema newer than server)",
                         detail);
    }
    body = malloc(96);
    if (!body)
        return -1;
    n = (size_t)snprintf(body, 96, "{\"status\":\"ready\",\"schema_version\":%d}", version);
    resp_body(resp, 200, "application/json", body, n);
    return 0;
}
