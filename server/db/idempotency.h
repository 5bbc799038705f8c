/*
 * db/idempotency.h -- Idempotency-Key on POST: the first response again for
 * a retry, 422 for the same key with another request.
 */
#ifndef JX_IDEMPOTENCY_H
#define JX_IDEMPOTENCY_H

#include "db/reach.h"
#include "db/tx.h"
#include "input/idempotency.h"
#include "server.h"

typedef enum { IDEM_NEW = 0, IDEM_REPLAY, IDEM_MISMATCH, IDEM_FAIL } idem_status;

/* Inside the caller's transaction: claims the key (a concurrent request
 * with the same key waits here until the first commits).  IDEM_NEW: go
 * on, then idem_store before COMMIT.  IDEM_REPLAY: resp holds the stored
 * response (roll back and send it).  IDEM_MISMATCH: resp holds the 422.
 * IDEM_FAIL: e says why.  Without a key, always IDEM_NEW. */
idem_status idem_claim(pool_conn *pc, const auth_info *who, const idem *k, jx_resp *resp,
                       db_err *e);

/* Stores resp as the key's response (inside the same transaction). */
int idem_store(pool_conn *pc, const auth_info *who, const idem *k, const jx_resp *resp,
               db_err *e);

/* Deletes keys older than hours (in batches, at most max_batches of them),
 * setting *deleted.  0, or -1 with e filled (the database is down: the
 * next purge tries again). */
int idem_purge(int hours, int max_batches, long *deleted, db_err *e);

/* Outside a transaction: the stored response of a committed key (after a
 * single-statement create found it taken).  Same statuses as idem_claim;
 * IDEM_NEW here means the key is not there (the first request failed). */
idem_status idem_lookup(pool_conn *pc, const auth_info *who, const idem *k, jx_resp *resp,
                        db_err *e);

/* The opening of every idempotent POST and change: a pooled connection
 * (*pc), a transaction, and the key claimed (k NULL or without a key:
 * nothing to claim).  0: go on, idem_store before COMMIT.  -1: resp holds
 * the answer (the replayed response, the 422 of a reused key, or the
 * database's problem); *pc may be held all the same: release it. */
int idem_begin(pool_conn **pc, const auth_info *who, const idem *k, jx_resp *resp);

#endif
