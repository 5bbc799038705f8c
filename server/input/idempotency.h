/*
 * input/idempotency.h -- a request's Idempotency-Key and fingerprint; what
 * the database does with them is db/idempotency.c.
 */
#ifndef JX_INPUT_IDEMPOTENCY_H
#define JX_INPUT_IDEMPOTENCY_H

#include "server.h"

typedef struct {
    const char *key;      /* NULL: the request has no Idempotency-Key */
    char hash[65];        /* SHA-256 (hex) of method, path, query, body */
} idem;

/* Reads the header and hashes the request.  -1 with 400 in resp. */
int idem_init(jx_req *req, jx_resp *resp, idem *k);

#endif
