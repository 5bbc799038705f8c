/*
 * input/evaluation.h -- what POST /v1/projects/{id}/evaluations (and the
 * assessments') may choose in its optional body.
 */
#ifndef JX_EVAL_OPTIONS_H
#define JX_EVAL_OPTIONS_H

#include <jansson.h>

#include "server.h"

/* Optional choices of the request body: {"framework", "framework_version"}. */
typedef struct {
    const char *framework;   /* NULL: the subject's own */
    int version;             /* 0: the latest */
} eval_options;

/* Reads {"framework", "framework_version"} from an optional body.  -1
 * with the problem in resp.  *keep holds the body opt points into. */
int eval_options_decode(jx_req *req, jx_resp *resp, json_t **keep, eval_options *opt);

#endif
