/*
 * input/import.c -- what POST /v1/import reads before the database
 * (import_input.h): the mode and dry_run flags, and CSV rows turned into
 * project bodies, one record per run of rows with the same org_id, year
 * and name, one indicator per row.
 *
 * Records are handed over one at a time, as soon as complete, so the
 * handler validates each and drops its input while the next is read (a
 * 10,000-project import never holds every record twice).  No database,
 * no HTTP library: the fuzz target (tests/fuzz/fuzz_import.c) runs it as
 * the server does.
 */
#include "input/import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/body.h"
#include "csv.h"
#include "problem.h"

/* Columns and where they go in a project body.  Indicator columns (ind =
 * 1) make one indicator per row; the others are read from a project's
 * first row. */
typedef struct {
    const char *column;
    const char *path;      /* "budget/initial", "goals/overall", "name" */
    char type;             /* 's' string, 'i' integer, 'n' number, 'j' JSON */
    int ind;
} csv_col;

static const csv_col COLS[] = {
    {"org_id", "org_id", 'i', 0},
    {"year", "year", 'i', 0},
    {"name", "name", 's', 0},
    {"code", "code", 's', 0},
    {"supervising_office", "supervising_office", 's', 0},
    {"fund_nature", "fund_nature", 's', 0},
    {"category", "category", 's', 0},
    {"evaluation_method", "evaluation_method", 's', 0},
    {"framework", "framework", 's', 0},
    {"goal_overall", "goals/overall", 's', 0},
    {"goal_annual", "goals/annual", 's', 0},
    {"budget_initial", "budget/initial", 's', 0},
    {"budget_cuts", "budget/cuts", 's', 0},
    {"budget_additions", "budget/additions", 's', 0},
    {"budget_adjusted", "budget/adjusted", 's', 0},
    {"budget_executed", "budget/executed", 's', 0},
    {"budget_balance", "budget/balance", 's', 0},
    {"budget_recovered", "budget/recovered", 's', 0},
    {"budget_carried_over", "budget/carried_over", 's', 0},
    {"reported_execution_rate", "budget/reported_execution_rate", 's', 0},
    {"reported_total", "reported/total", 'n', 0},
    {"reported_grade", "reported/grade", 's', 0},
    {"reported_execution_score", "reported/execution_score", 'n', 0},
    {"level1", "level1", 's', 1},
    {"level2", "level2", 's', 1},
    {"indicator", "name", 's', 1},
    {"weight", "weight", 'n', 1},
    {"target", "target", 's', 1},
    {"actual", "actual", 's', 1},
    {"rule", "rule", 'j', 1},
    {"deviation_reason", "deviation_reason", 's', 1},
    {"reported_score", "reported_score", 'n', 1},
};
#define NCOLS (sizeof COLS / sizeof COLS[0])

/* -12, 3.5, 1e3: what a spreadsheet writes for a number.  strtod also
 * reads " 5", "inf", "nan" and "0x14", which must stay text for the
 * validator to name (fuzz_import found "inf" stored as 0). */
static int plain_decimal(const char *s)
{
    if (*s == '-')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    s += strspn(s, "0123456789");
    if (*s == '.')
        s += 1 + strspn(s + 1, "0123456789");
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (*s < '0' || *s > '9')
            return 0;
        s += strspn(s, "0123456789");
    }
    return *s == '\0';
}

/* A cell as JSON: numbers stay text when they are not plain numbers (the
 * validator then names the cell); an unparseable JSON rule stays text. */
static json_t *cell_value(const char *s, char type)
{
    char *end;

    if (type == 'i') {
        long long v = strtoll(s, &end, 10);

        return *end ? json_string(s) : json_integer(v);
    }
    if (type == 'n') {
        double v = strtod(s, &end);

        if (*end || !plain_decimal(s) || !isfinite(v))
            return json_string(s);
        if (!strchr(s, '.') && !strchr(s, 'e') && !strchr(s, 'E'))
            return json_integer(strtoll(s, NULL, 10));
        return json_real(v);
    }
    if (type == 'j') {
        json_t *j = json_loads(s, 0, NULL);

        return j ? j : json_string(s);
    }
    return json_string(s);
}

static void set_path(json_t *o, const char *path, json_t *v)
{
    const char *slash = strchr(path, '/');

    if (!v)
        return;
    if (!slash) {
        json_object_set_new(o, path, v);
        return;
    }
    {
        char head[32];
        json_t *sub;
        size_t n = (size_t)(slash - path);

        snprintf(head, sizeof head, "%.*s", (int)n, path);
        sub = json_object_get(o, head);
        if (!sub) {
            sub = json_object();
            json_object_set_new(o, head, sub);
        }
        json_object_set_new(sub, slash + 1, v);
    }
}

static int csv_error(jx_resp *resp, int line, const char *what)
{
    char detail[400];

    snprintf(detail, sizeof detail, "CSV 第 %d 行: %s (CSV line %d)", line, what, line);
    return problem(resp, 400, "malformed-csv", "CSV 格式错误 (malformed CSV)", detail);
}

/* The CSV column of a pointer ("/budget/initial" -> budget_initial). */
const char *import_column_of(const char *ptr, int *indicator)
{
    char col[64]; /* not static: imports run on several threads at once */
    size_t c;
    const char *p = ptr;

    *indicator = -1;
    if (!strncmp(p, "/indicators/", 12)) {
        char *end;

        *indicator = (int)strtol(p + 12, &end, 10);
        p = end;
        for (c = 0; c < NCOLS; c++)
            if (COLS[c].ind && *p == '/' && !strncmp(p + 1, COLS[c].path, strlen(COLS[c].path)) &&
                (p[1 + strlen(COLS[c].path)] == '\0' || p[1 + strlen(COLS[c].path)] == '/'))
                return COLS[c].column;
        return NULL;
    }
    for (c = 0; c < NCOLS; c++) {
        if (COLS[c].ind)
            continue;
        snprintf(col, sizeof col, "/%s", COLS[c].path);
        if (!strncmp(p, col, strlen(col)) &&
            (p[strlen(col)] == '\0' || p[strlen(col)] == '/'))
            return COLS[c].column;
    }
    return NULL;
}

int import_options(const jx_req *req, jx_resp *resp, const char **mode, int *dry_run,
                   int *per_record)
{
    if (query_bool(req, resp, "dry_run", 0, dry_run) < 0)
        return -1;
    *mode = req_query(req, "mode");
    if (!*mode)
        *mode = "all_or_nothing";
    if (strcmp(*mode, "all_or_nothing") && strcmp(*mode, "per_record")) {
        problem(resp, 400, "bad-request", "请求有误 (bad request)",
                "mode 应为 all_or_nothing 或 per_record (mode must be all_or_nothing or "
                "per_record)");
        return -1;
    }
    *per_record = !strcmp(*mode, "per_record");
    return 0;
}

/* The record being read: its body, first line and indicator lines. */
typedef struct {
    json_t *obj;
    int line;
    int *ind_lines;
    size_t nind;
} csv_rec;

static int emit(csv_rec *cur, import_record_fn fn, void *ctx)
{
    int rc = cur->obj ? fn(ctx, cur->obj, cur->line, cur->ind_lines, cur->nind) : 0;

    memset(cur, 0, sizeof *cur);
    return rc;
}

int import_csv_records(const char *data, size_t len, jx_resp *resp, import_record_fn fn,
                       void *ctx)
{
    csv_reader r;
    int map[NCOLS * 2], ncols = 0, line = 0, rc, i;
    char key[600] = "", prev[600] = "";
    csv_rec cur;

    memset(&cur, 0, sizeof cur);
    csv_init(&r, data, len);
    rc = csv_next(&r, &line);
    if (rc <= 0) {
        csv_free(&r);
        return csv_error(resp, 1, rc < 0 ? "引号未闭合 (unterminated quote)"
                                         : "缺少表头 (no header row)"),
               -1;
    }
    for (i = 0; i < (int)r.nfields; i++) {
        size_t c;
        int found = -1;

        for (c = 0; c < NCOLS; c++)
            if (!strcmp(r.fields[i], COLS[c].column))
                found = (int)c;
        if (found < 0 || i >= (int)(sizeof map / sizeof map[0])) {
            char what[300];

            snprintf(what, sizeof what, "未知列 '%.100s'，列名见 docs/import.md (unknown column)",
                     r.fields[i]);
            csv_free(&r);
            return csv_error(resp, line, what), -1;
        }
        map[i] = found;
    }
    ncols = (int)r.nfields;
    while ((rc = csv_next(&r, &line)) == 1) {
        json_t *ind = NULL;
        const char *org = "", *year = "", *name = "";

        for (i = 0; i < ncols && i < (int)r.nfields; i++) {
            if (!strcmp(COLS[map[i]].column, "org_id"))
                org = r.fields[i];
            else if (!strcmp(COLS[map[i]].column, "year"))
                year = r.fields[i];
            else if (!strcmp(COLS[map[i]].column, "name"))
                name = r.fields[i];
        }
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", org, year, name);
        if (!cur.obj || strcmp(key, prev) != 0) {
            if (emit(&cur, fn, ctx) < 0 || !(cur.obj = json_object()))
                goto oom;
            cur.line = line;
            for (i = 0; i < ncols && i < (int)r.nfields; i++)
                if (!COLS[map[i]].ind && r.fields[i][0])
                    set_path(cur.obj, COLS[map[i]].path,
                             cell_value(r.fields[i], COLS[map[i]].type));
            json_object_set_new(cur.obj, "indicators", json_array());
            snprintf(prev, sizeof prev, "%s", key);
        }
        for (i = 0; i < ncols && i < (int)r.nfields; i++) {
            if (!COLS[map[i]].ind || !r.fields[i][0])
                continue;
            if (!ind && !(ind = json_object()))
                goto oom;
            json_object_set_new(ind, COLS[map[i]].path,
                                cell_value(r.fields[i], COLS[map[i]].type));
        }
        if (ind) {
            int *nl = realloc(cur.ind_lines, (cur.nind + 1) * sizeof *nl);

            if (!nl) {
                json_decref(ind);
                goto oom;
            }
            cur.ind_lines = nl;
            cur.ind_lines[cur.nind++] = line;
            json_array_append_new(json_object_get(cur.obj, "indicators"), ind);
        }
    }
    csv_free(&r);
    if (rc < 0) {
        json_decref(cur.obj);
        free(cur.ind_lines);
        return csv_error(resp, line, "引号未闭合或行过长 (unterminated quote or row too long)"), -1;
    }
    if (emit(&cur, fn, ctx) < 0) {
        problem_oom(resp);
        return -1;
    }
    return 0;
oom:
    csv_free(&r);
    json_decref(cur.obj);
    free(cur.ind_lines);
    problem_oom(resp);
    return -1;
}
