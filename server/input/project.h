/*
 * input/project.h -- a project as the API takes it, as it is stored, and as the
 * scoring library reads it.
 *
 * project_decode validates a request body (POST/PUT, a merged PATCH or
 * results, one import record) completely -- the project fields of api.md
 * here, the scoring part (budget, indicators, figures, reported,
 * framework) by the library's own jx_document_load -- and builds the
 * stored document: money normalised to yuan with two decimals (what was
 * written, "73.62万元", kept under amounts_as_written when it differs, so
 * the consistency review still sees the written precision), indicators
 * with their ids.  project_scoring_document turns a stored document back
 * into the library's input (scoring.md §7); evaluations (issue 5) call it.
 */
#ifndef JX_PROJECT_H
#define JX_PROJECT_H

#include <jansson.h>
#include <stdint.h>

#include "jixiao.h"
#include "jsonwrite.h"
#include "util.h"

typedef struct {
    json_t *doc;            /* the stored document (new reference) */
    int64_t org_id;         /* from the body; 0 when not given */
    int year;
    const char *name;       /* point into doc */
    const char *code;       /* NULL when absent */
    const char *framework;
    const char *fund_nature;
    const char *category;
    int has_initial, has_adjusted, has_executed, has_total;
    int64_t initial_fen, adjusted_fen, executed_fen; /* adjusted: the initial when absent */
    int64_t total_cents;    /* reported total, hundredths */
    const char *grade;      /* reported grade or NULL */
    size_t nind;
    int64_t *ind_ids;       /* nind ids given in the body (0 = new); malloc'd */
} project_in;

/* Decodes and validates body (not consumed).  Every problem goes to errs
 * (status JX_EFIELD for unknown fields, JX_EINVALID otherwise).  Returns 0
 * when valid, with *out filled (free with project_in_free). */
int project_decode(const jx_ctx *ctx, json_t *body, project_in *out, jx_errors *errs);
void project_in_free(project_in *p);

/* Sets the indicator ids of p->doc (n == p->nind) before storing. */
void project_set_ids(project_in *p, const int64_t *ids);

/* The scoring document (scoring.md §7) of a stored project: its document
 * text (jsonb output) and organisation name.  malloc'd JSON text, or NULL
 * when doc is not a stored project document or memory ran out. */
char *project_scoring_document(const char *doc, size_t len, const char *org_name);
/* The same as a tree, from the parsed stored document: a new reference,
 * sharing (and changing: budget, indicators) doc's members; NULL when doc
 * is not an object or memory ran out. */
json_t *project_scoring_json(json_t *doc, const char *org_name);

/* json_dumps flags for stored documents (jw_dump writes the same). */
#define PROJECT_DUMP_FLAGS JW_DUMP_FLAGS


#endif
