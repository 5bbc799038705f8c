/*
 * input/assessment.h -- a department-wide or unit-wide self-assessment as the
 * API takes it and as the scoring library reads it (scoring.md §4).
 */
#ifndef JX_ASSESSMENT_H
#define JX_ASSESSMENT_H

#include <jansson.h>
#include <stdint.h>

#include "input/fwuse.h"
#include "jixiao.h"

typedef struct {
    json_t *doc;            /* the stored document (new reference) */
    int64_t org_id;         /* 0 when not given */
    int year;
    /* the texts below point into doc (valid until assessment_in_free) */
    const char *scope;      /* department_wide / unit_wide */
    const char *framework;
    const char *name;       /* NULL: the organisation's name */
} assessment_in;

/* Validates body completely (its own fields here, the scoring part by
 * jx_document_load) and builds the stored document.  0, or -1 with every
 * problem in errs. */
int assessment_decode(const jx_ctx *ctx, json_t *body, assessment_in *out, jx_errors *errs);
/* The same against the framework the route resolved (fwuse.h; NULL:
 * built-ins only); the stored document records framework_version. */
int assessment_decode_fw(const jx_ctx *ctx, json_t *body, const fw_use *fw,
                         assessment_in *out, jx_errors *errs);
/* The framework a body names, or its scope's built-in (into body). */
const char *assessment_default_framework(json_t *body);
void assessment_in_free(assessment_in *a);

/* The scoring document of a stored assessment (its document with the
 * organisation's name), malloc'd JSON text or NULL. */
char *assessment_scoring_document(const char *doc, size_t len, const char *org_name);
/* The same as a tree: doc itself (the parsed stored document: changed,
 * the amounts as written put back, framework_version and
 * figures_as_written dropped) with the name added, a new reference; NULL
 * when doc is not an object. */
json_t *assessment_scoring_json(json_t *doc, const char *org_name);

#endif
