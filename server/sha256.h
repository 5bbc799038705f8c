/*
 * sha256.h -- SHA-256 (FIPS 180-4), for hashing API tokens.
 */
#ifndef JX_SHA256_H
#define JX_SHA256_H

#include <stddef.h>

void sha256(const void *data, size_t len, unsigned char out[32]);

#endif
