/*
 * fuzz_project: the bodies of POST /v1/projects, PUT and PATCH
 * /v1/projects/{id} and PUT /v1/projects/{id}/results, through the
 * server's own code (body.c, project.c, project_edit.c) as the handlers
 * run it, without the database.
 *
 * Input: a first line naming the request (create, put, patch, results),
 * then the body.  The edits apply to a stored project made at start from
 * a valid body.  Invariants: a refused body answers a well-formed problem
 * (400/415/422) whose every error has a message, a code and a valid JSON
 * pointer; an accepted one gives a stored document that parses and whose
 * scoring document the library loads (what an evaluation will read);
 * and server/jsonfast.c's tree of the body, whenever it gives one, is
 * Jansson's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/body.h"
#include "fuzz_server.h"
#include "problem.h"
#include "input/project.h"
#include "input/project_edit.h"

static jx_ctx *ctx;
static json_t *stored;      /* the stored project edits apply to */
static const int64_t STORED_ORG = 7;

static const char SEED[] =
    "{\"org_id\":7,\"name\":\"医疗保障基金安全监管\",\"year\":2022,\"framework\":\"project-2020\","
    "\"budget\":{\"initial\":\"90万元\",\"adjusted\":\"86.66万元\",\"executed\":\"73.62万元\"},"
    "\"indicators\":[{\"level1\":\"产出指标\",\"level2\":\"数量指标\",\"name\":\"检查次数\","
    "\"weight\":50,\"target\":\"≥5次\",\"actual\":\"5次\",\"reported_score\":50},"
    "{\"level1\":\"效益指标\",\"level2\":\"社会效益指标\",\"name\":\"群众满意度\",\"weight\":40,"
    "\"target\":\"≥90%\",\"actual\":\"95%\"}],\"reported\":{\"total\":95}}";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_t *body;
    project_in in;
    jx_errors errs;
    int64_t ids[2] = {101, 102};
    char *text;

    (void)argc;
    (void)argv;
    ctx = jx_ctx_new();
    body = json_loads(SEED, 0, NULL);
    if (!ctx || !body || project_decode(ctx, body, &in, &errs) < 0 || in.nind != 2)
        abort();
    project_set_ids(&in, ids);
    text = json_dumps(in.doc, PROJECT_DUMP_FLAGS);
    stored = text ? json_loads(text, 0, NULL) : NULL;
    if (!stored)
        abort();
    free(text);
    project_in_free(&in);
    json_decref(body);
    return 0;
}

/* An accepted project: its stored document round-trips and scores. */
static void check_accepted(project_in *in)
{
    int64_t *ids = calloc(in->nind ? in->nind : 1, sizeof *ids);
    char *text, *sdoc;
    size_t i, len;
    json_t *back;
    jx_errors errs;
    jx_document *doc;

    if (!ids)
        abort();
    for (i = 0; i < in->nind; i++)
        ids[i] = in->ind_ids[i] ? in->ind_ids[i] : (int64_t)(1000 + i);
    project_set_ids(in, ids);
    free(ids);
    if (!in->name || !*in->name || in->year < 2000 || in->year > 2100)
        abort();
    text = json_dumps(in->doc, PROJECT_DUMP_FLAGS);
    if (!text)
        abort();
    len = strlen(text);
    {   /* the server's own writer says exactly what Jansson says */
        size_t n;
        char *mine = jw_dump(in->doc, &n);

        if (!mine || n != len || memcmp(mine, text, len) != 0)
            abort();
        free(mine);
    }
    back = fz_parse(text, len);
    json_decref(back);
    sdoc = project_scoring_document(text, len, "某单位");
    if (!sdoc)
        abort();
    jx_errors_clear(&errs);
    doc = jx_document_load(ctx, sdoc, strlen(sdoc), &errs);
    if (!doc)
        abort(); /* accepted, yet the evaluation could not read it */
    jx_document_free(doc);
    free(sdoc);
    free(text);
}

static void create(json_t *body)
{
    project_in in;
    jx_errors errs;
    size_t i;

    if (project_decode(ctx, body, &in, &errs) == 0) {
        for (i = 0; i < in.nind; i++)
            if (in.ind_ids[i])
                errs_add(&errs, JX_EINVALID, "/indicators/0/id", "INDICATOR_UNKNOWN",
                         "新项目的指标不能带 id (a new project's indicators have no ids yet)");
        if (!errs.count)
            check_accepted(&in);
        project_in_free(&in);
    }
    if (errs.count)
        fz_check_errs(&errs);
}

/* The edit flow of routes_projects.c's edit_locked, up to the write. */
static void edit(const char *kind, json_t *body)
{
    jx_errors errs, more;
    json_t *input = NULL;
    long result_of_pos[2] = {-1, -1};
    size_t npos = json_array_size(json_object_get(stored, "indicators")), j;
    project_in in;
    jx_resp resp;

    memset(&resp, 0, sizeof resp);
    jx_errors_clear(&errs);
    if (!strcmp(kind, "put")) {
        input = json_incref(body);
        project_org_immutable(body, STORED_ORG, &errs);
    } else if (!strcmp(kind, "patch")) {
        project_org_immutable(body, STORED_ORG, &errs);
        input = project_merge_patch(stored, body);
    } else {
        input = json_deep_copy(stored);
        if (!input || npos != 2)
            abort();
        if (project_apply_results(input, body, &resp, &errs, result_of_pos, npos) < 0) {
            fz_check_problem(&resp, 400);
            fz_resp_free(&resp);
            json_decref(input);
            return;
        }
        for (j = 0; j < npos; j++)
            if (result_of_pos[j] < -1 || (result_of_pos[j] >= 0 &&
                                          (size_t)result_of_pos[j] >=
                                              json_array_size(json_object_get(body, "indicators"))))
                abort();
    }
    if (!input)
        abort();
    if (project_decode(ctx, input, &in, &more) == 0) {
        project_check_ids(&in, stored, &more);
        if (!more.count && !errs.count)
            check_accepted(&in);
        project_in_free(&in);
    }
    project_remap_pointers(&more, result_of_pos, npos);
    for (j = 0; j < more.count && j < JX_MAX_ERRORS; j++)
        errs_add(&errs, more.status == JX_EFIELD && !strcmp(more.items[j].code, "UNKNOWN_FIELD")
                            ? JX_EFIELD
                            : JX_EINVALID,
                 more.items[j].pointer, more.items[j].code, "%s", more.items[j].message);
    if (errs.count)
        fz_check_errs(&errs);
    json_decref(input);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char kind[32];
    const uint8_t *rest;
    size_t n;
    jx_req req;
    jx_resp resp;
    json_t *body = NULL;

    if (!fz_split(data, size, kind, sizeof kind, &rest, &n))
        return 0;
    fz_check_jsonfast(rest, n);
    if (strcmp(kind, "create") && strcmp(kind, "put") && strcmp(kind, "patch") &&
        strcmp(kind, "results"))
        return 0;
    fz_req_init(&req, NULL, 0, rest, n, n % 7 == 3 ? "text/plain" : "application/json");
    memset(&resp, 0, sizeof resp);
    if (body_json(&req, &resp, 0, &body) < 0) {
        fz_check_problem(&resp, 0);
        if (resp.status != 400 && resp.status != 415)
            abort();
    } else if (!strcmp(kind, "create")) {
        create(body);
    } else {
        edit(kind, body);
    }
    json_decref(body);
    fz_resp_free(&resp);
    fz_req_free(&req);
    return 0;
}
