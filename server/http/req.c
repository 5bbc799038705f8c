/*
 * http/req.c -- what a handler may read of its request: headers, query
 * arguments and the {param} segments the router matched.
 *
 * Apart from the daemon so that the files which only read a request
 * (authentication, replica routing, the routes) depend on these three
 * accessors and not on the daemon that calls them.  Declared in server.h.
 */
#include <microhttpd.h>
#include <string.h>

#include "server.h"

const char *req_header(const jx_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *req_query(const jx_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_param(const jx_req *req, const char *name)
{
    size_t n = strlen(name);
    int i;

    for (i = 0; i < req->nparams; i++)
        if (req->params[i].namelen == n && !strncmp(req->params[i].name, name, n))
            return req->params[i].value;
    return NULL;
}
