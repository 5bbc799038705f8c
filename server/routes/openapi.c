/*
 * routes/openapi.c -- GET /openapi.yaml, the contract, embedded at build
 * time from api/openapi.yaml so it always matches the binary serving it.
 */
#include "embed.h"
#include "routes/routes.h"

int route_openapi(jx_req *req, jx_resp *resp)
{
    (void)req;
    /* application/yaml is registered by RFC 9512. */
    resp_static(resp, 200, "application/yaml; charset=utf-8", jx_openapi[0].text,
                jx_openapi[0].len);
    return 0;
}
