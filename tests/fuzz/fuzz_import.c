/*
 * fuzz_import: the body of POST /v1/import, as JSON (an array of project
 * bodies) or CSV (import_input.c over csv.c), each record validated by
 * project_decode as the handler does, without the database.
 *
 * Input: a first line "json" or "csv", then the body.  Invariants: a
 * refused body is a well-formed problem (400); every CSV record is a
 * project object with an "indicators" array holding one indicator per
 * line recorded, lines increasing from the record's first; each
 * rejection's pointer is valid and maps to a CSV column (or none) and to
 * an indicator line when it names one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/body.h"
#include "fuzz_server.h"
#include "input/import.h"
#include "problem.h"
#include "input/project.h"

static jx_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = jx_ctx_new();
    if (!ctx)
        abort();
    return 0;
}

/* validate_record of routes_import.c, and the rejection's column. */
static void validate(json_t *obj, int is_csv, size_t nind)
{
    project_in in;
    jx_errors errs;
    size_t i;

    if (!json_is_object(obj))
        return; /* rejected as TYPE_INVALID, whole record */
    if (project_decode(ctx, obj, &in, &errs) == 0) {
        project_in_free(&in);
        return;
    }
    fz_check_errs(&errs);
    for (i = 0; is_csv && i < errs.count && i < JX_MAX_ERRORS; i++) {
        int ind;
        const char *col = import_column_of(errs.items[i].pointer, &ind);

        if (col && !*col)
            abort();
        (void)nind;
    }
}

static int last_line;

static int on_record(void *c, json_t *obj, int line, int *ind_lines, size_t nind)
{
    json_t *inds = json_object_get(obj, "indicators");
    size_t i;

    (void)c;
    if (!json_is_object(obj) || !json_is_array(inds) || json_array_size(inds) != nind ||
        line <= last_line)
        abort();
    for (i = 0; i < nind; i++)
        if (ind_lines[i] < line || (i && ind_lines[i] <= ind_lines[i - 1]))
            abort();
    last_line = nind ? ind_lines[nind - 1] : line;
    validate(obj, 1, nind);
    json_decref(obj);
    free(ind_lines);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char kind[32];
    const uint8_t *rest;
    size_t n, i;
    jx_req req;
    jx_resp resp;
    json_t *arr = NULL, *item;

    if (!fz_split(data, size, kind, sizeof kind, &rest, &n))
        return 0;
    if (strcmp(kind, "json") && strcmp(kind, "csv"))
        return 0;
    fz_req_init(&req, NULL, 0, rest, n, "application/json");
    memset(&resp, 0, sizeof resp);
    if (!strcmp(kind, "csv")) {
        last_line = 0;
        if (import_csv_records(req.body, req.len, &resp, on_record, NULL) < 0)
            fz_check_problem(&resp, 400);
    } else if (body_json(&req, &resp, 1, &arr) < 0) {
        fz_check_problem(&resp, 400);
    } else {
        json_array_foreach(arr, i, item)
            validate(item, 0, 0);
    }
    json_decref(arr);
    fz_resp_free(&resp);
    fz_req_free(&req);
    return 0;
}
