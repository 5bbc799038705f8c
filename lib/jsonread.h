/*
 * jsonread.h -- a strict, fast JSON reader for scoring documents.
 *
 * Values live in an arena; numbers keep the text they were written with, so
 * "97.20" keeps its two decimals and nothing passes through a double.
 */
#ifndef JX_JSONREAD_H
#define JX_JSONREAD_H

#include "internal.h"

typedef enum { JV_NULL = 0, JV_FALSE, JV_TRUE, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_type;

typedef struct jv jv;
typedef struct { const char *key; uint32_t klen; jv *v; } jv_member;

struct jv {
    jv_type t;
    uint32_t n;              /* string bytes, array items, object members */
    const char *s;           /* string (NUL-terminated, unescaped) or number text */
    jv **items;              /* array */
    jv_member *members;      /* object, in document order */
    size_t off, len;         /* the value's bytes in the input */
};

/* Parses text into the arena.  NULL with a JX_ESYNTAX error (line, column)
 * in errs on malformed JSON: bad syntax, invalid UTF-8, \u0000, duplicate
 * keys, nesting deeper than 64. */
jv *jv_parse(jx_arena *a, const char *text, size_t len, jx_errors *errs);

jv *jv_get(const jv *obj, const char *key);      /* NULL when absent or not an object */
static inline bool jv_is_null(const jv *v) { return !v || v->t == JV_NULL; }
static inline bool jv_is_string(const jv *v) { return v && v->t == JV_STRING; }
static inline bool jv_is_number(const jv *v) { return v && v->t == JV_NUMBER; }
static inline bool jv_is_array(const jv *v) { return v && v->t == JV_ARRAY; }
static inline bool jv_is_object(const jv *v) { return v && v->t == JV_OBJECT; }
static inline const char *jv_str(const jv *v) { return jv_is_string(v) ? v->s : NULL; }

/* A number (or decimal string) exactly, with its written precision. */
bool jv_number(const jv *v, jx_q *q, int *prec);
/* An integer value; false when not an integer or out of range. */
bool jv_int(const jv *v, int64_t *out);
/* A number in hundredths, exactly; false with more than two decimals. */
bool jv_cents(const jv *v, int64_t *cents);
const char *jv_type_cn(const jv *v);
/* Every key of obj must be in the NULL-terminated allowed list. */
bool jv_check_fields(const jv *obj, const char *const *allowed, const char *ptr, jx_errors *errs);
/* A field name with its length, for jv_fields. */
typedef struct { const char *name; uint32_t len; } jv_field;
#define JV_FIELD(s) {s, sizeof(s) - 1}
/* One pass over obj's members: slots[i] gets the value of names[i] (NULL
 * when absent); every other key is listed as UNKNOWN_FIELD like
 * jv_check_fields does.  Members usually come in the order of names, so
 * each search starts after the previous match. */
bool jv_fields(const jv *obj, const jv_field *names, int n, jv **slots, const char *ptr,
               jx_errors *errs);
/* The subtree re-read with Jansson (for rule and framework objects). */
json_t *jv_to_jansson(const jv *v, const char *text);

#endif
