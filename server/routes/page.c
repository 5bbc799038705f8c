/*
 * routes/page.c -- a page of a keyset-paged list as every list endpoint
 * answers it: {"items": [...], "next_cursor": "..." | null}.
 *
 * The statements behind the lists (db/) fetch limit + 1 rows of (id, json);
 * the extra row only says that there is a next page, and its cursor is the
 * id of the last row shown (input/list.c decodes it back).
 */
#include "routes/page.h"

#include <stdlib.h>

#include "input/body.h"
#include "problem.h"
#include "util.h"

/* {"items": [rows' column 1], "next_cursor": ...} from rows (id, json). */
int send_page(jx_resp *resp, const PGresult *res, int limit)
{
    strbuf sb;
    int i, n = PQntuples(res);
    char cursor[32];
    char *body;
    size_t len;

    sb_init(&sb);
    sb_puts(&sb, "{\"items\":[");
    for (i = 0; i < n && i < limit; i++) {
        if (i)
            sb_puts(&sb, ",");
        sb_append(&sb, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
    }
    sb_puts(&sb, "],\"next_cursor\":");
    if (n > limit) {
        page_cursor(strtoll(PQgetvalue(res, limit - 1, 0), NULL, 10), cursor, sizeof cursor);
        sb_json_str(&sb, cursor);
    } else {
        sb_puts(&sb, "null");
    }
    sb_puts(&sb, "}");
    body = sb_take(&sb, &len);
    if (!body)
        return problem_oom(resp);
    resp_body(resp, 200, CT_JSON, body, len);
    return 0;
}
