/*
 * input/project_edit.h -- building the new version of a stored project from a
 * PUT, PATCH or results body, without the database (routes_projects.c
 * runs these under its lock, then project_decode).
 */
#ifndef JX_PROJECT_EDIT_H
#define JX_PROJECT_EDIT_H

#include <jansson.h>
#include <stdint.h>

#include "input/project.h"
#include "server.h"

/* RFC 7396 JSON merge patch: a new value (NULL when memory ran out). */
json_t *project_merge_patch(json_t *target, json_t *patch);

/* Results: applies {indicators: [{id, actual, deviation_reason,
 * reported_score}], budget: {...}, reported: {...}} to doc (the stored
 * document, changed in place); result_of_pos[k] = the index in the body of
 * the result for stored indicator k (npos of them, -1 when none).  -1 with
 * a 400 in resp for unknown fields; else 0 with problems in errs. */
int project_apply_results(json_t *doc, json_t *body, jx_resp *resp, jx_errors *errs,
                          long *result_of_pos, size_t npos);

/* Rewrites /indicators/<position>/... to /indicators/<result index>/... */
void project_remap_pointers(jx_errors *errs, const long *result_of_pos, size_t npos);

/* Each id in `in` must name an indicator of the stored document. */
int project_check_ids(const project_in *in, json_t *stored, jx_errors *errs);

/* org_id, when given, must be the project's own. */
int project_org_immutable(json_t *body, int64_t org_id, jx_errors *errs);

#endif
