/*
 * db/reach.c -- the caller's reach as statement parameters (db/reach.h).
 */
#include "db/reach.h"

#include <stdio.h>
#include <string.h>

static void region_prefix(const char *region, char out[8])
{
    size_t n = 6;

    snprintf(out, 8, "%.6s", region);
    if (strlen(out) != 6)
        return;
    if (!strcmp(out + 2, "0000"))
        n = 2;
    else if (!strcmp(out + 4, "00"))
        n = 4;
    out[n] = '\0';
}

void auth_derive(auth_info *who)
{
    snprintf(who->org_id_s, sizeof who->org_id_s, "%lld", (long long)who->org_id);
    snprintf(who->token_id_s, sizeof who->token_id_s, "%lld", (long long)who->token_id);
    snprintf(who->province, sizeof who->province, "%.2s0000", who->region_code);
    region_prefix(who->region_code, who->prefix);
}

void auth_reach_vals(const auth_info *who, const char *vals[4])
{
    vals[0] = who->org_kind;
    vals[1] = who->org_id_s;
    vals[2] = who->prefix;
    vals[3] = who->province;
}

int auth_is_admin(const auth_info *who)
{
    return !strcmp(who->org_kind, "admin");
}
