/*
 * input/project_edit.c -- the pure steps of changing a stored project
 * (project_edit.h): RFC 7396 merge patch, results applied by indicator
 * id, error pointers mapped back to the body, indicator ids checked
 * against the stored ones.  Moved out of routes_projects.c unchanged, so
 * the fuzz target runs the same code as PUT/PATCH/results without the
 * database; the lock, the id drawing and the write stay there.
 */
#include "input/project_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/body.h"
#include "problem.h"

/* RFC 7396 JSON merge patch: a new value. */
json_t *project_merge_patch(json_t *target, json_t *patch)
{
    json_t *out, *v;
    const char *key;

    if (!json_is_object(patch))
        return json_deep_copy(patch);
    out = json_is_object(target) ? json_deep_copy(target) : json_object();
    if (!out)
        return NULL;
    json_object_foreach(patch, key, v) {
        if (json_is_null(v))
            json_object_del(out, key);
        else
            json_object_set_new(out, key, project_merge_patch(json_object_get(out, key), v));
    }
    return out;
}

/* Results: applies {indicators: [{id, actual, deviation_reason,
 * reported_score}], budget: {...}, reported: {...}} to the stored
 * document; pos_of_result[i] = the position of result i. */
int project_apply_results(json_t *doc, json_t *body, jx_resp *resp, jx_errors *errs,
                          long *result_of_pos, size_t npos)
{
    static const char *const TOP[] = {"indicators", "budget", "reported", NULL};
    static const char *const IND[] = {"id", "actual", "deviation_reason", "reported_score", NULL};
    static const char *const BUD[] = {"executed", "balance", "reported_execution_rate",
                                      "breakdown", "recovered", "carried_over", NULL};
    json_t *arr = json_object_get(body, "indicators"), *r, *inds, *v;
    size_t i, k;
    const char *key;

    if (body_unknown_fields(resp, body, TOP, "") < 0)
        return -1;
    if (json_is_object(json_object_get(body, "budget")) &&
        body_unknown_fields(resp, json_object_get(body, "budget"), BUD, "/budget") < 0)
        return -1;
    inds = json_object_get(doc, "indicators");
    if (arr && !json_is_array(arr)) {
        errs_add(errs, JX_EINVALID, "/indicators", "TYPE_INVALID",
                 "indicators 应为数组 (indicators must be an array)");
        return 0;
    }
    json_array_foreach(arr, i, r) {
        char base[48], ptr[64];
        json_t *id, *target = NULL;

        snprintf(base, sizeof base, "/indicators/%zu", i);
        if (!json_is_object(r)) {
            errs_add(errs, JX_EINVALID, base, "TYPE_INVALID", "应为对象 (must be an object)");
            continue;
        }
        if (body_unknown_fields(resp, r, IND, base) < 0)
            return -1;
        id = json_object_get(r, "id");
        for (k = 0; json_is_integer(id) && k < json_array_size(inds); k++)
            if (json_integer_value(json_object_get(json_array_get(inds, k), "id")) ==
                json_integer_value(id)) {
                target = json_array_get(inds, k);
                if (k < npos)
                    result_of_pos[k] = (long)i;
                break;
            }
        if (!target) {
            snprintf(ptr, sizeof ptr, "%s/id", base);
            errs_add(errs, JX_EINVALID, ptr, id ? "INDICATOR_UNKNOWN" : "FIELD_REQUIRED",
                     "应为本项目某个指标的 id (must be the id of one of this project's "
                     "indicators)");
            continue;
        }
        json_object_foreach(r, key, v) {
            if (!strcmp(key, "id"))
                continue;
            if (json_is_null(v))
                json_object_del(target, key);
            else
                json_object_set(target, key, v);
        }
    }
    v = json_object_get(body, "budget");
    if (json_is_object(v)) {
        json_t *b = json_object_get(doc, "budget");

        if (!json_is_object(b)) {
            b = json_object();
            json_object_set_new(doc, "budget", b);
        }
        json_object_foreach(v, key, r) {
            if (json_is_null(r))
                json_object_del(b, key);
            else
                json_object_set(b, key, r);
        }
    } else if (v && !json_is_null(v)) {
        errs_add(errs, JX_EINVALID, "/budget", "TYPE_INVALID", "budget 应为对象 (must be an object)");
    }
    v = json_object_get(body, "reported");
    if (v) {
        json_t *merged = project_merge_patch(json_object_get(doc, "reported"), v);

        if (merged)
            json_object_set_new(doc, "reported", merged);
    }
    return 0;
}

/* Rewrites /indicators/<position>/... to /indicators/<result index>/... */
void project_remap_pointers(jx_errors *errs, const long *result_of_pos, size_t npos)
{
    size_t i, n = errs->count < JX_MAX_ERRORS ? errs->count : JX_MAX_ERRORS;

    for (i = 0; i < n; i++) {
        char *p = errs->items[i].pointer, *end, rest[160];
        unsigned long pos;

        if (strncmp(p, "/indicators/", 12))
            continue;
        pos = strtoul(p + 12, &end, 10);
        if (end == p + 12 || pos >= npos || result_of_pos[pos] < 0)
            continue;
        {
            char head[32];
            size_t hn, rn;

            snprintf(rest, sizeof rest, "%s", end);
            snprintf(head, sizeof head, "/indicators/%ld", result_of_pos[pos]);
            hn = strlen(head);
            rn = strlen(rest);
            if (hn + rn >= sizeof errs->items[i].pointer)
                rn = sizeof errs->items[i].pointer - hn - 1;
            memcpy(p, head, hn);
            memcpy(p + hn, rest, rn);
            p[hn + rn] = '\0';
        }
    }
}

/* Ids of the stored indicators, to check the ones a body names. */
int project_check_ids(const project_in *in, json_t *stored, jx_errors *errs)
{
    json_t *inds = json_object_get(stored, "indicators"), *ind;
    size_t i, k;

    for (i = 0; i < in->nind; i++) {
        int found = 0;

        if (!in->ind_ids[i])
            continue;
        json_array_foreach(inds, k, ind) {
            if (json_integer_value(json_object_get(ind, "id")) == in->ind_ids[i]) {
                found = 1;
                break;
            }
        }
        if (!found) {
            char ptr[64];

            snprintf(ptr, sizeof ptr, "/indicators/%zu/id", i);
            errs_add(errs, JX_EINVALID, ptr, "INDICATOR_UNKNOWN",
                     "指标 id %lld 不属于本项目 (not an indicator of this project)",
                     (long long)in->ind_ids[i]);
        }
    }
    return errs->count ? -1 : 0;
}

int project_org_immutable(json_t *body, int64_t org_id, jx_errors *errs)
{
    json_t *v = json_object_get(body, "org_id");

    if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) != org_id)) {
        errs_add(errs, JX_EINVALID, "/org_id", "ORG_IMMUTABLE",
                 "项目所属组织不能更改 (a project cannot move to another organisation)");
        return -1;
    }
    return 0;
}
