/*
 * db/reach.h -- who is calling (auth_info) and what they may see: the
 * reach as SQL fragments that every scoped statement includes.
 *
 * Apart from authentication (routes/auth.c), which finds the caller, so
 * that the SQL of every resource (db/) depends on this and on nothing
 * above it.
 */
#ifndef JX_DB_REACH_H
#define JX_DB_REACH_H

#include <stdint.h>

typedef struct {
    int64_t token_id;
    int64_t org_id;
    char org_kind[16];
    char org_name[256];
    char region_code[8];
    /* Derived, as text for statement parameters: */
    char org_id_s[24];
    char token_id_s[24];
    char province[8];      /* "340000" for 341302; "000000" for the operator */
    char prefix[8];        /* region prefix a finance bureau reaches: "3413" */
} auth_info;

/*
 * Reach (api.md): a unit sees itself; a department itself and the
 * organisations whose parent it is; a finance bureau every organisation
 * whose region code starts with its prefix (province 34xxxx, city 3413xx,
 * county: itself); the operator everything.  These fragments put that into
 * every statement that reads or changes scoped rows, with the caller as
 * parameters $K (kind), $O (org id), $X (prefix), $P (province); the row
 * alias must have org_id, parent_org_id, region_code and province.  The
 * province equality lets Citus route a non-operator's statement to one
 * shard group.
 */
#define REACH_ROW(t, K, O, X, P)                                                          \
    "(" K " = 'admin' OR (" t ".province = " P " AND (" t ".org_id = " O "::bigint OR (" K \
    " = 'department' AND " t ".parent_org_id = " O "::bigint) OR (" K " = 'finance' AND " t \
    ".region_code LIKE " X " || '%'))))"

/* The same over orgs (alias o: id, parent_id, region_code, kind). */
#define REACH_ORG(K, O, X)                                                                \
    "(" K " = 'admin' OR o.id = " O "::bigint OR (" K " = 'department' AND o.parent_id = " O \
    "::bigint) OR (" K " = 'finance' AND o.kind <> 'admin' AND o.region_code LIKE " X " || '%'))"

/* The reach parameters in the order $K, $O, $X, $P. */
void auth_reach_vals(const auth_info *who, const char *vals[4]);

/* 1 for the operator. */
int auth_is_admin(const auth_info *who);

/* Fills the derived fields (ids as text, province, region prefix) from
 * org_id, token_id and region_code. */
void auth_derive(auth_info *who);

#endif
