/*
 * lib/office/office.h -- reading 自评表 from .xlsx and .docx files, and
 * writing a blank 自评表 template (issue 18).
 *
 * A module of its own beside the scoring library: it turns bytes into
 * scoring documents (scoring.md §7, as Jansson values) and errors, and knows
 * nothing of HTTP, SQL or files (the template writer alone uses a temporary
 * file, because libxlsxwriter writes only to files).  The CLI
 * (lib/cli/office_input.c) and the server call it.
 *
 * jx_office_read() answers, for a file it could open:
 *
 *   {"format": "xlsx"|"docx",
 *    "tables": [
 *      {"place": "Sheet1", "name": "…", "document": {…scoring document…},
 *       "places": {"/indicators/0/target": "Sheet1!E13", …}},
 *      {"place": "表2", "name": "…", "document": {…}, "places": {…},
 *       "errors": [{"place": "表2 第5行 第4列", "code": "WEIGHT_UNREADABLE",
 *                   "message": "分值无法读取: 'abc' (weight is not a number)"}]},
 *      {"place": "Sheet3", "name": "…", "skipped": "不是自评表… (not a 自评表)"}]}
 *
 * and a refusal (corrupt container, zip bomb, entity declarations, too many
 * cells) as a status with a message.  A table with errors still carries the
 * document as far as it was read (a dry run shows it).
 */
#ifndef JX_OFFICE_H
#define JX_OFFICE_H

#include <jansson.h>
#include <stddef.h>

typedef enum {
    JX_OFFICE_OK = 0,
    JX_OFFICE_EFORMAT, /* not an .xlsx/.docx, or a corrupt one: 422 */
    JX_OFFICE_ELIMIT,  /* over a bound (expansion, cells, entries): 413/422 */
    JX_OFFICE_ENOMEM
} jx_office_status;

typedef struct {
    jx_office_status status;
    char code[40];     /* e.g. "ZIP_BOMB", "XML_DOCTYPE", "NOT_OFFICE" */
    char message[480]; /* Chinese first, English after, quoting the input */
} jx_office_error;

typedef enum { JX_OFFICE_NONE = 0, JX_OFFICE_XLSX, JX_OFFICE_DOCX } jx_office_kind;

typedef struct {
    const char *framework; /* a framework id for every document (NULL: by table kind) */
    json_t *framework_obj; /* or a whole framework object (borrowed), wins over the id */
    int year;              /* the year of every document (0: as the table states it) */
} jx_office_opts;

/* The bounds (also stated in docs/import.md). */
#define JX_OFFICE_MAX_TOTAL (256u << 20) /* bytes inflated from one file, all entries */
#define JX_OFFICE_MAX_RATIO 200u         /* inflated : compressed, per entry (past 1 MiB) */
#define JX_OFFICE_MAX_ENTRIES 10000u     /* entries in the container */
#define JX_OFFICE_MAX_CELLS 1000000u     /* non-empty cells in one file */
#define JX_OFFICE_MAX_GRID 4000000u      /* rows × columns of one sheet or table */
#define JX_OFFICE_MAX_COLS 1024u         /* columns of one sheet or table */
#define JX_OFFICE_MAX_TABLES 1000u       /* sheets or tables in one file */

/* What the bytes are: a zip holding [Content_Types].xml and word/ or xl/
 * (NONE otherwise).  Cheap: reads the central directory only. */
jx_office_kind jx_office_sniff(const void *data, size_t len);

/* Reads every sheet or table (see above).  *out is a new reference on
 * success, NULL on a refusal (err filled). */
jx_office_status jx_office_read(const void *data, size_t len, const jx_office_opts *opts,
                                json_t **out, jx_office_error *err);

/* JSON text of a document as read, with numbers as they were written
 * (doubles printed to 15 significant digits).  malloc'd. */
char *jx_office_dumps(const json_t *doc);

/* A blank 自评表 workbook for a framework (the canonical framework JSON, as
 * jx_framework_json() gives it).  Returns malloc'd bytes and their length,
 * or NULL with err filled. */
unsigned char *jx_office_template(const json_t *framework, size_t *len, jx_office_error *err);

#endif
