/*
 * input/plan.h -- an evaluation plan's body (评价计划, POST/PUT /v1/plans),
 * decoded and checked without the database.
 */
#ifndef JX_PLAN_H
#define JX_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "server.h"

/* Validates body; builds the stored document (malloc'd JSON text).  0, or
 * -1 with the problem in resp (422 listing every problem, 400 among them
 * for unknown fields, 500 out of memory). */
int plan_decode(json_t *body, jx_resp *resp, int64_t *org_id, int *year, char **doc);

/* An amount (string as written, or a number) as text into out; 0 when it
 * is money not below 0, else -1. */
int plan_amount_text(json_t *v, char *out, size_t n);

#endif
