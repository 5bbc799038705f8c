/*
 * jsonwrite.h -- Jansson's compact output, byte for byte, faster
 * (jsonwrite.c).
 */
#ifndef JX_JSONWRITE_H
#define JX_JSONWRITE_H

#include <jansson.h>
#include <stddef.h>

/* The json_dumps flags jw_dump reproduces: compact, reals at 15 digits
 * (8.51 stays "8.51"). */
#define JW_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* json_dumps(v, JW_DUMP_FLAGS), byte for byte; malloc'd, *len set when len
 * is not NULL, NULL when memory ran out. */
char *jw_dump(const json_t *v, size_t *len);

/* r as the short decimal %.15g prints into buf (>= 32 bytes), with ".0"
 * after an integer when point is set (as Jansson writes reals); its
 * length, or 0 when r is not such a decimal (then use snprintf). */
int jw_short_decimal(double r, char *buf, int point);

#endif
