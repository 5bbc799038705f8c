/* jsonin.h -- strict input JSON helpers shared by framework.c and document.c. */
#ifndef JX_JSONIN_H
#define JX_JSONIN_H

#include "internal.h"

#define JX_PTR_MAX 160

/* A JSON number (or decimal string) in hundredths, exactly; false if it is
 * not a number or has more than two decimals. */
bool jx_json_cents(json_t *j, int64_t *cents);
/* Appends /key (escaped per RFC 6901) or /i to base. */
void jx_ptr(char *out, size_t cap, const char *base, const char *key);
void jx_ptr_i(char *out, size_t cap, const char *base, size_t i);
/* Every key of obj must be in the NULL-terminated allowed list. */
bool jx_check_fields(json_t *obj, const char *const *allowed, const char *ptr, jx_errors *errs);
const char *jx_json_type_cn(json_t *j);
/* json_loadb with a syntax error (line, column) in errs on failure. */
json_t *jx_json_load(const char *text, size_t len, jx_errors *errs);

#endif
