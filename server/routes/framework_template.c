/*
 * routes/framework_template.c -- GET /v1/frameworks/{id}/template.xlsx: a
 * blank 自评表 for a framework the caller can see (issue 18), written by
 * lib/office (jx_office_template) from the stored definition, so that a
 * unit fills it in Excel and POSTs it back to /v1/import as it is.
 *
 * Reach is the framework read's (db/frameworks.c dbf_get): out of reach or
 * unknown is 404, like GET /v1/frameworks/{id}; ?version= picks a version.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/frameworks.h"
#include "input/body.h"
#include "office.h"
#include "problem.h"
#include "routes/auth.h"
#include "routes/routes.h"
#include "util.h"

#define CT_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

int route_framework_template(jx_req *req, jx_resp *resp)
{
    auth_info who;
    PGresult *res = NULL;
    db_err e;
    int64_t version;
    int set;
    json_t *row = NULL;
    unsigned char *xlsx = NULL;
    size_t len = 0;
    jx_office_error err;
    const char *id = req_param(req, "id");

    if (auth_require(req, resp, &who) < 0 ||
        query_int(req, resp, "version", 1, 1000000, &version, &set) < 0)
        return 0;
    if (dbf_get(&who, id, set ? (int)version : 0, &res, &e) < 0)
        return db_problem(resp, &e);
    if (PQntuples(res) != 1) {
        PQclear(res);
        return problem_not_found(resp);
    }
    row = json_loadb(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), 0, NULL);
    PQclear(res);
    if (!row || !json_is_object(json_object_get(row, "definition"))) {
        json_decref(row);
        return problem_internal(resp, "framework definition");
    }
    xlsx = jx_office_template(json_object_get(row, "definition"), &len, &err);
    json_decref(row);
    if (!xlsx)
        return problem(resp, 500, "internal", "模板生成失败 (template not written)", err.message);
    resp_body(resp, 200, CT_XLSX, (char *)xlsx, len);
    resp_header(resp, "Content-Disposition", "attachment; filename=\"%s-template.xlsx\"", id);
    return 0;
}
