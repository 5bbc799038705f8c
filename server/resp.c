/*
 * resp.c -- filling a jx_resp (server.h): body, status, headers.  Apart
 * from http.c because it needs no libmicrohttpd: the fuzz targets link it
 * with the request parsers.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "server.h"

void resp_body(jx_resp *resp, unsigned status, const char *content_type, char *body, size_t len)
{
    if (resp->body && !resp->body_static)
        free(resp->body);
    resp->status = status;
    resp->content_type = content_type;
    resp->body = body;
    resp->len = len;
    resp->body_static = 0;
}

void resp_static(jx_resp *resp, unsigned status, const char *content_type, const char *body,
                 size_t len)
{
    resp_body(resp, status, content_type, NULL, 0);
    resp->body = (char *)(uintptr_t)body; /* never freed: body_static */
    resp->len = len;
    resp->body_static = 1;
}

void resp_header(jx_resp *resp, const char *name, const char *fmt, ...)
{
    va_list ap;

    if (resp->nheaders >= JX_MAX_HEADERS)
        return;
    resp->headers[resp->nheaders].name = name;
    va_start(ap, fmt);
    vsnprintf(resp->headers[resp->nheaders].value, sizeof resp->headers[0].value, fmt, ap);
    va_end(ap);
    resp->nheaders++;
}
