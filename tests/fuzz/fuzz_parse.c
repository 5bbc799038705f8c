/*
 * fuzz_parse: bytes as a NUL-terminated string -> jx_parse_value and
 * jx_parse_money.  Crashes, sanitizer reports and broken invariants (abort)
 * are failures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jixiao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    jx_value v;
    jx_error err;
    int64_t fen = 0;
    int prec = 0;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    memset(&err, 0, sizeof err);
    if (jx_parse_value(text, &v, &err) == 0) {
        if (v.kind == JX_VAL_NUMBER) {
            if (v.scale < 0 || v.scale > 18)
                abort();
            if (v.unit_kind == JX_UNIT_MONEY && v.scale != 0)
                abort();
            if ((int)v.op < JX_OP_EQ || (int)v.op > JX_OP_LT)
                abort();
        }
        if (!memchr(v.unit, 0, sizeof v.unit))
            abort();
    } else {
        if (!memchr(err.message, 0, sizeof err.message) || !err.message[0])
            abort();
    }

    memset(&err, 0, sizeof err);
    if (jx_parse_money(text, &fen, &prec, &err) == 0) {
        if (fen < 0)
            abort(); /* amounts are never negative */
    } else {
        if (!memchr(err.message, 0, sizeof err.message) || !err.message[0])
            abort();
    }
    free(text);
    return 0;
}
