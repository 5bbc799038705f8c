/*
 * input/import_office.c -- the .xlsx/.docx form of POST /v1/import (issue
 * 18): every 自评表 of the file becomes one record, a project body
 * (ProjectInput) built from the scoring document lib/office read:
 *
 *   name, budget, indicators, reported   as read
 *   org_id                               ?org_id= (default: the caller's,
 *                                        as for every import record)
 *   year                                 ?year=, else the year the table states
 *   framework                            ?framework=, else project-2020
 *
 * so the records go through the same pipeline as JSON records (validated
 * like POST /v1/projects, matched, written).  A table the reader could not
 * read cleanly (a 分值 that is not a number, ...) is rejected with the
 * reader's errors; a 部门整体 table is rejected too (NOT_A_PROJECT: it is an
 * assessment, POST /v1/assessments).  The summary names each record's
 * place in the file, and each rejection's cell (the reader records the
 * cell of every field it read, by JSON pointer).
 */
#include "input/import_office.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/body.h"
#include "office.h"
#include "problem.h"

#define CT_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CT_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

int import_is_office(const jx_req *req)
{
    const char *ct = req_header(req, "Content-Type");

    if (ct && (!strncasecmp(ct, CT_XLSX, strlen(CT_XLSX)) ||
               !strncasecmp(ct, CT_DOCX, strlen(CT_DOCX))))
        return 1;
    if (ct && (!strncasecmp(ct, "application/json", 16) || !strncasecmp(ct, "text/csv", 8) ||
               !strncasecmp(ct, "application/csv", 15)))
        return 0;
    return req->body && jx_office_sniff(req->body, req->len) != JX_OFFICE_NONE;
}

void office_import_free(office_import *o)
{
    json_decref(o->records);
    json_decref(o->pre);
    json_decref(o->tables);
    json_decref(o->skipped);
    json_decref(o->read);
    memset(o, 0, sizeof *o);
}

/* the project body of one document as read */
static json_t *project_body(json_t *doc, int64_t org_id, int org_set, int64_t year, int year_set,
                            const char *framework)
{
    json_t *p = json_object();
    static const char *const keep[] = {"name", "budget", "indicators", "reported", NULL};

    if (!p)
        return NULL;
    if (org_set)
        json_object_set_new(p, "org_id", json_integer(org_id));
    if (year_set)
        json_object_set_new(p, "year", json_integer(year));
    else if (json_object_get(doc, "year"))
        json_object_set(p, "year", json_object_get(doc, "year"));
    for (size_t i = 0; keep[i]; i++)
        if (json_object_get(doc, keep[i]))
            json_object_set(p, keep[i], json_object_get(doc, keep[i]));
    if (framework)
        json_object_set_new(p, "framework", json_string(framework));
    else if (json_is_string(json_object_get(doc, "framework")))
        json_object_set(p, "framework", json_object_get(doc, "framework"));
    return p;
}

static int read_failed(jx_resp *resp, const jx_office_error *err)
{
    jx_errors errs;

    if (err->status == JX_OFFICE_ENOMEM) {
        problem_oom(resp);
        return -1;
    }
    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "", err->code, "%s", err->message);
    problem_errors(resp, 422, "unprocessable", "文件无法读取 (file cannot be read)", err->message,
                   &errs);
    return -1;
}

static int add_table(office_import *o, json_t *t, int64_t org_id, int org_set, int64_t year,
                     int year_set, const char *framework)
{
    json_t *doc = json_object_get(t, "document"), *errs = json_object_get(t, "errors");
    json_t *pre = json_array(), *body, *e;
    const char *scope = json_string_value(json_object_get(doc, "scope"));
    size_t i;

    if (!pre)
        return -1;
    json_array_foreach(errs, i, e)
        json_array_append(pre, e);
    if (scope && strcmp(scope, "project") != 0) {
        char m[400];

        snprintf(m, sizeof m,
                 "%s 是部门或单位整体支出绩效自评表，请用 POST /v1/assessments 提交 "
                 "(a department-wide or unit-wide table is an assessment, not a project)",
                 json_string_value(json_object_get(t, "place")));
        json_array_append_new(pre, json_pack("{s:s,s:s,s:O}", "code", "NOT_A_PROJECT", "message",
                                             m, "place", json_object_get(t, "place")));
    }
    body = project_body(doc, org_id, org_set, year, year_set, framework);
    if (!body || json_array_append_new(o->records, body) || json_array_append_new(o->pre, pre) ||
        json_array_append_new(o->tables, json_pack("{s:O,s:O,s:O}", "place",
                                                   json_object_get(t, "place"), "name",
                                                   json_object_get(t, "name"), "places",
                                                   json_object_get(t, "places"))))
        return -1;
    return 0;
}

int import_office_records(const jx_req *req, jx_resp *resp, office_import *o)
{
    int64_t org_id = 0, year = 0;
    int org_set = 0, year_set = 0;
    const char *framework = req_query(req, "framework");
    jx_office_opts opts = {0};
    jx_office_error err;
    json_t *t;
    size_t i;

    memset(o, 0, sizeof *o);
    if (query_int(req, resp, "org_id", 1, INT64_MAX, &org_id, &org_set) < 0 ||
        query_int(req, resp, "year", 2000, 2100, &year, &year_set) < 0)
        return -1;
    if (framework && !*framework)
        framework = NULL;
    opts.framework = framework;
    opts.year = year_set ? (int)year : 0;
    if (jx_office_read(req->body ? req->body : "", req->len, &opts, &o->read, &err) != JX_OFFICE_OK)
        return read_failed(resp, &err);
    o->records = json_array();
    o->pre = json_array();
    o->tables = json_array();
    o->skipped = json_array();
    if (!o->records || !o->pre || !o->tables || !o->skipped)
        goto nomem;
    json_array_foreach(json_object_get(o->read, "tables"), i, t) {
        if (json_object_get(t, "skipped")) {
            if (json_array_append(o->skipped, t))
                goto nomem;
        } else if (add_table(o, t, org_id, org_set, year, year_set, framework) < 0)
            goto nomem;
    }
    if (json_array_size(o->records) == 0) {
        jx_errors errs;

        jx_errors_clear(&errs);
        json_array_foreach(o->skipped, i, t)
            errs_add(&errs, JX_EINVALID, "", "NOT_SELF_ASSESSMENT", "%s: %s",
                     json_string_value(json_object_get(t, "place")),
                     json_string_value(json_object_get(t, "skipped")));
        if (!errs.count)
            errs_add(&errs, JX_EINVALID, "", "NO_SELF_ASSESSMENT",
                     "文件中没有表格 (the file holds no table)");
        problem_errors(resp, 422, "unprocessable", "文件中没有找到自评表 (no 自评表 in the file)",
                       "文件中没有找到自评表 (no 自评表 in the file)", &errs);
        office_import_free(o);
        return -1;
    }
    return 0;
nomem:
    office_import_free(o);
    problem_oom(resp);
    return -1;
}

/* the place of a pointer in record k: its own cell, else its parent's, else the table */
static const char *place_of(const office_import *o, size_t k, const char *pointer)
{
    json_t *t = json_array_get(o->tables, k), *places = json_object_get(t, "places");
    char p[200];

    snprintf(p, sizeof p, "%s", pointer);
    while (p[0]) {
        const char *v = json_string_value(json_object_get(places, p));
        char *slash;

        if (v)
            return v;
        slash = strrchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    return json_string_value(json_object_get(t, "place"));
}

int import_office_decorate(json_t *summary, const office_import *o, int dry_run)
{
    json_t *x, *list = json_object_get(summary, "projects");
    size_t i, *used = calloc(json_array_size(o->records) + 1, sizeof *used);

    if (!used)
        return -1;
    json_array_foreach(list, i, x) {
        size_t k = (size_t)json_integer_value(json_object_get(x, "record")) - 1;
        json_t *t = json_array_get(o->tables, k);

        json_object_set(x, "place", json_object_get(t, "place"));
        json_object_set(x, "name", json_object_get(t, "name"));
    }
    json_array_foreach(json_object_get(summary, "rejections"), i, x) {
        size_t k = (size_t)json_integer_value(json_object_get(x, "record")) - 1;
        const char *ptr = json_string_value(json_object_get(x, "pointer"));
        json_t *pre = json_array_get(o->pre, k), *t = json_array_get(o->tables, k);
        const char *place = NULL;

        if (k >= json_array_size(o->records))
            continue;
        if ((!ptr || !ptr[0]) && used[k] < json_array_size(pre)) /* the reader's own, in order */
            place = json_string_value(json_object_get(json_array_get(pre, used[k]++), "place"));
        if (!place)
            place = place_of(o, k, ptr ? ptr : "");
        json_object_set_new(x, "place", json_string(place ? place : ""));
        json_object_set(x, "name", json_object_get(t, "name"));
    }
    free(used);
    if (json_object_set(summary, "skipped", o->skipped))
        return -1;
    if (dry_run && json_object_set(summary, "documents", json_object_get(o->read, "tables")))
        return -1;
    return 0;
}
