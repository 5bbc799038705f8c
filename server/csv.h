/*
 * csv.h -- an RFC 4180 reader over a buffer in memory.
 */
#ifndef JX_CSV_H
#define JX_CSV_H

#include <stddef.h>

typedef struct {
    const char *p, *end;
    int line;            /* line of the next row (1-based) */
    char **fields;       /* the current row: NUL-terminated copies */
    size_t nfields, cap;
    char *buf;           /* storage for the current row's fields */
    size_t buflen, bufcap;
    int error;           /* an unterminated quote */
} csv_reader;

void csv_init(csv_reader *r, const char *data, size_t len);
void csv_free(csv_reader *r);

/* Reads the next row.  1 = a row (fields, nfields; *line = its first
 * line), 0 = end of input, -1 = malformed (an unterminated quote) or out
 * of memory. */
int csv_next(csv_reader *r, int *line);

#endif
