/* builtin.h -- the built-in frameworks, embedded from the JSON files in lib/frameworks/
 * by lib/frameworks/embed.cmake at build time. */
#ifndef JX_BUILTIN_H
#define JX_BUILTIN_H
#include <stddef.h>
typedef struct { const char *id; const char *text; size_t len; } jx_builtin;
extern const jx_builtin jx_builtin_frameworks[];
extern const size_t jx_builtin_framework_count;
#endif
