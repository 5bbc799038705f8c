/*
 * lib/office/internal.h -- the parts of the office reader, one concern each:
 *
 *   zip.c       the container (libzip over the caller's buffer), every byte
 *               inflated counted against a total and a per-entry ratio
 *   xml.c       expat, hardened: a DOCTYPE (and so any entity declaration)
 *               is refused; element names without their namespace prefix
 *   grid.c      a table as rows × columns of cells with merges and places
 *               ("Sheet1!E7", "表3 第5行 第4列")
 *   xlsx.c      .xlsx -> one grid per visible sheet
 *   docx.c      .docx -> one grid per table (w:gridSpan, w:vMerge), with
 *               the paragraph before it as its caption
 *   selfeval.c  a grid -> the 自评表 in it, as scoring documents
 *   office.c    the entry points of office.h
 *   template.c  the blank 自评表 (libxlsxwriter)
 */
#ifndef JX_OFFICE_INTERNAL_H
#define JX_OFFICE_INTERNAL_H

#include "office.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- errors (zip.c, the first part every reader meets) ---- */
void jx_office_fail(jx_office_error *err, jx_office_status st, const char *code, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

/* ---- a growing text (grid.c) ---- */
typedef struct {
    char *s;
    size_t len, cap;
    bool oom;
} jx_sbuf;
void jx_sbuf_add(jx_sbuf *b, const char *s, size_t n);
/* Takes the text (trimmed of surrounding white space), leaving b empty; NULL when out of memory. */
char *jx_sbuf_take(jx_sbuf *b);
void jx_sbuf_reset(jx_sbuf *b);

/* ---- zip.c ---- */
typedef struct jx_zip jx_zip;
jx_zip *jx_zip_open(const void *data, size_t len, jx_office_error *err);
void jx_zip_close(jx_zip *z);
bool jx_zip_has(jx_zip *z, const char *name);
/* Streams the entry into fn in chunks; fn returns false to stop (its error set). */
typedef bool (*jx_zip_sink)(void *u, const char *buf, size_t len, bool last);
bool jx_zip_stream(jx_zip *z, const char *name, jx_zip_sink fn, void *u, jx_office_error *err);

/* ---- xml.c ---- */
typedef struct {
    void (*start)(void *u, const char *name, const char **attrs); /* local names */
    void (*end)(void *u, const char *name);
    void (*text)(void *u, const char *s, int len);
    void *u;
    jx_office_error *err; /* a handler that fails sets it and calls jx_xml_stop */
    void *parser;         /* the expat parser under way (xml.c's) */
} jx_xml_handlers;
/* Parses one entry of the container with the handlers. */
bool jx_xml_parse(jx_zip *z, const char *entry, jx_xml_handlers *h, jx_office_error *err);
/* The value of an attribute by local name, or NULL. */
const char *jx_xml_attr(const char **attrs, const char *local);
/* Asks the parser under way to stop (from a handler). */
void jx_xml_stop(jx_xml_handlers *h);

/* ---- grid.c ---- */
typedef enum { JX_GRID_SHEET, JX_GRID_TABLE } jx_grid_kind;

typedef struct {
    char *text;        /* owned by the grid's origin cell; covered cells share it */
    uint32_t orow, ocol; /* the merge origin (itself when not merged) */
    uint32_t prow, pcol; /* as a person finds it: sheet row/column numbers (1-based),
                            or a table's row and cell ordinals (1-based) */
    bool owner;        /* frees text */
} jx_cell;

typedef struct {
    jx_grid_kind kind;
    char *name;    /* sheet name, or the caption of a table ("" none) */
    unsigned index; /* 1-based table number (表N) */
    uint32_t nrows, ncols;
    jx_cell *cells; /* nrows × ncols */
} jx_grid;

jx_grid *jx_grid_new(jx_grid_kind kind, const char *name, unsigned index, uint32_t nrows,
                     uint32_t ncols, jx_office_error *err);
void jx_grid_free(jx_grid *g);
static inline jx_cell *jx_grid_at(const jx_grid *g, uint32_t r, uint32_t c)
{
    return &g->cells[(size_t)r * g->ncols + c];
}
/* The text of a cell ("" when empty). */
const char *jx_grid_text(const jx_grid *g, uint32_t r, uint32_t c);
/* Makes (r0..r1, c0..c1) one merged cell with (r0, c0)'s text. */
void jx_grid_merge(jx_grid *g, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1);
/* The place of a cell: "Sheet1!E7" or "表3 第5行 第4列"; the place of the grid:
 * "Sheet1" or "表3". */
void jx_grid_place(const jx_grid *g, uint32_t r, uint32_t c, char *buf, size_t n);
void jx_grid_where(const jx_grid *g, char *buf, size_t n);
/* A1-style column letters of a 1-based column. */
void jx_col_letters(uint32_t col, char *buf, size_t n);

/* A list of grids. */
typedef struct {
    jx_grid **items;
    size_t count, cap;
} jx_grids;
bool jx_grids_add(jx_grids *l, jx_grid *g, jx_office_error *err);
void jx_grids_free(jx_grids *l);

/* ---- readers ---- */
bool jx_xlsx_read(jx_zip *z, jx_grids *out, jx_office_error *err);
bool jx_docx_read(jx_zip *z, jx_grids *out, jx_office_error *err);

/* ---- selfeval.c ---- */
/* Appends to tables (a JSON array) one entry per 自评表 found in g, or one
 * "skipped" entry when there is none. */
bool jx_selfeval_read(const jx_grid *g, const jx_office_opts *opts, json_t *tables,
                      jx_office_error *err);

/* ---- text helpers (selfeval.c) ---- */
/* Text without spaces, full width folded to ASCII, bracketed parts dropped. */
char *jx_office_norm(const char *s, bool drop_brackets);

#endif
