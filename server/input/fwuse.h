/*
 * input/fwuse.h -- the framework a stored project or assessment is checked
 * against, as the route found it (routes/fwuse.c looks it up through
 * db/frameworks.c within reach) and hands it to the decoder.
 *
 * Why a value and not a lookup: input/ knows no SQL, yet level names must
 * be checked against the framework the subject will be scored by -- a
 * finance bureau's as much as a built-in -- at the version in force.
 */
#ifndef JX_INPUT_FWUSE_H
#define JX_INPUT_FWUSE_H

#include <jansson.h>

typedef struct {
    char id[72];
    int version;        /* the version in force (>= 1) */
    char scope[24];     /* project / department_wide / unit_wide */
    json_t *definition; /* NULL: a built-in at its latest version, by id */
} fw_use;

/* The framework id a body names, or dflt when it names none (or not as a
 * string: the decoder reports that).  Points into body. */
const char *fw_named(json_t *body, const char *dflt);
/* The framework_version a body pins (0 when none or not an integer). */
int fw_version_named(json_t *body);

void fw_use_free(fw_use *f);

#endif
