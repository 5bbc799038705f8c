/*
 * jsonfast.h -- the Jansson tree of a plainly well-formed JSON text,
 * quicker than json_loadb (jsonfast.c).
 */
#ifndef JX_JSONFAST_H
#define JX_JSONFAST_H

#include <jansson.h>
#include <stddef.h>

/* The tree json_loadb(buf, len, JSON_REJECT_DUPLICATES, ...) would build,
 * or NULL whenever this reader is not sure (any error, and a few valid
 * oddities): then ask json_loadb, for the tree or for its error. */
json_t *jsonfast_load(const char *buf, size_t len);

/* 1 when a and b are the same tree: values, integer or real, key order
 * (what the tests compare jsonfast_load with json_loadb by). */
int jsonfast_identical(json_t *a, json_t *b);

#endif
