/*
 * csv.c -- RFC 4180 CSV: comma separated, fields optionally in double
 * quotes ("" inside quotes is one "), quoted fields may span lines, rows
 * end with LF, CRLF or a bare CR (each counted as one line), a UTF-8 BOM
 * at the start is skipped.  Excel's
 * export of a Chinese spreadsheet as "CSV UTF-8" reads as it should.
 *
 * A row's fields are copied into one buffer (NUL-separated) owned by the
 * reader and valid until the next call: no allocation per field.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

void csv_init(csv_reader *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + len;
    r->line = 1;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        r->p += 3;
}

void csv_free(csv_reader *r)
{
    free(r->fields);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

static int put(csv_reader *r, char c)
{
    if (r->buflen + 1 >= r->bufcap) {
        size_t cap = r->bufcap ? r->bufcap * 2 : 1024;
        char *nb = realloc(r->buf, cap);

        if (!nb)
            return -1;
        r->buf = nb;
        r->bufcap = cap;
    }
    r->buf[r->buflen++] = c;
    return 0;
}

int csv_next(csv_reader *r, int *line)
{
    size_t starts[4096];
    size_t n = 0, i;
    int quoted;

    r->buflen = 0;
    r->nfields = 0;
    /* skip empty lines (LF, CRLF or a bare CR each end one) */
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n' || r->p + 1 >= r->end || r->p[1] != '\n')
            r->line++;
        r->p++;
    }
    if (r->p >= r->end)
        return 0;
    *line = r->line;
    for (;;) {
        if (n >= sizeof starts / sizeof starts[0])
            return -1;
        starts[n++] = r->buflen;
        quoted = r->p < r->end && *r->p == '"';
        if (quoted) {
            r->p++;
            for (;;) {
                if (r->p >= r->end) {
                    r->error = 1;
                    return -1;
                }
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        if (put(r, '"') < 0)
                            return -1;
                        r->p += 2;
                        continue;
                    }
                    r->p++;
                    break;
                }
                if (*r->p == '\n' ||
                    (*r->p == '\r' && (r->p + 1 >= r->end || r->p[1] != '\n')))
                    r->line++;
                if (put(r, *r->p++) < 0)
                    return -1;
            }
        }
        while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
            if (put(r, *r->p++) < 0)
                return -1;
        if (put(r, '\0') < 0)
            return -1;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == '\r') {
            r->p++;
            if (r->p >= r->end || *r->p != '\n')
                r->line++; /* a bare CR (classic Mac) ends a line too */
        }
        if (r->p < r->end && *r->p == '\n') {
            r->p++;
            r->line++;
        }
        break;
    }
    if (n > r->cap) {
        char **nf = realloc(r->fields, n * sizeof *nf);

        if (!nf)
            return -1;
        r->fields = nf;
        r->cap = n;
    }
    for (i = 0; i < n; i++)
        r->fields[i] = r->buf + starts[i];
    r->nfields = n;
    return 1;
}
