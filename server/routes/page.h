/*
 * routes/page.h -- the page of a list (routes/page.c).
 */
#ifndef JX_ROUTES_PAGE_H
#define JX_ROUTES_PAGE_H

#include <libpq-fe.h>

#include "server.h"

/* Answers 200 with {"items": [rows' column 1 up to limit], "next_cursor":
 * the cursor after row limit - 1 when there are more rows, else null}.
 * Always 0 (resp holds the answer, 500 without memory). */
int send_page(jx_resp *resp, const PGresult *res, int limit);

#endif
