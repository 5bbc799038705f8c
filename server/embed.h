/*
 * embed.h -- files compiled into the binary by server/embed.cmake.
 */
#ifndef JX_EMBED_H
#define JX_EMBED_H

#include <stddef.h>

typedef struct {
    const char *name;   /* file name, e.g. "0001_init.sql" */
    const char *text;   /* NUL-terminated */
    size_t len;
} jx_embedded;

extern const jx_embedded jx_migrations[];      /* sql/NNNN_name.sql, sorted */
extern const size_t jx_migrations_count;
extern const jx_embedded jx_openapi[];         /* api/openapi.yaml */
extern const size_t jx_openapi_count;

#endif
