/*
 * input/fwuse.c -- reading which framework a body names (fwuse.h).
 *
 * The route needs the id before decoding (to look the framework up within
 * reach); the decoder reports a framework that is not a string.
 */
#include "input/fwuse.h"

#include <string.h>

const char *fw_named(json_t *body, const char *dflt)
{
    json_t *v = json_object_get(body, "framework");

    return json_is_string(v) && json_string_length(v) ? json_string_value(v) : dflt;
}

int fw_version_named(json_t *body)
{
    json_t *v = json_object_get(body, "framework_version");

    return json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 1000000
               ? (int)json_integer_value(v)
               : 0;
}

void fw_use_free(fw_use *f)
{
    json_decref(f->definition);
    memset(f, 0, sizeof *f);
}
