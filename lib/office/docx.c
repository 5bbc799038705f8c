/*
 * lib/office/docx.c -- a .docx report as one grid per table (w:tbl) of its
 * body, each named by the paragraph just before it ("基金监管工作经费项目绩效
 * 自评表"), which is how the reports caption their tables.
 *
 * Merged cells: w:gridSpan spreads a cell over grid columns; w:vMerge
 * "restart" begins a vertical merge and a bare w:vMerge continues it, so the
 * continuing cell takes the text above (a level-1 cell over its rows).  A
 * cell's place is its row and its cell ordinal in that row ("表3 第5行
 * 第4列"), as a person counts them in Word; w:gridBefore leaves a row's first
 * grid columns empty.  A table inside a cell is read
 * as that cell's text.  Paragraphs inside a cell are joined by newlines.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *text;
    uint32_t span;
    int vmerge; /* 0 none, 1 restart, 2 continue */
} tc;

typedef struct {
    tc *cells;
    size_t n, cap;
    uint32_t before; /* w:gridBefore: grid columns left empty at the start */
} tr;

typedef struct {
    jx_office_error *err;
    jx_xml_handlers *h;
    jx_grids *out;
    int depth;         /* tables open */
    int in_t, in_tcpr; /* inside w:t; inside the tcPr of an outer cell */
    int in_tc;         /* inside an outer cell */
    jx_sbuf cell, para;
    char *caption;
    tr *rows;
    size_t nrows, caprows;
    uint32_t span;
    int vmerge;
    size_t total_cells;
    unsigned ntables;
} docx;

static void nomem(docx *d)
{
    jx_office_fail(d->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
    jx_xml_stop(d->h);
}

static void free_rows(docx *d)
{
    for (size_t i = 0; i < d->nrows; i++) {
        for (size_t k = 0; k < d->rows[i].n; k++)
            free(d->rows[i].cells[k].text);
        free(d->rows[i].cells);
    }
    free(d->rows);
    d->rows = NULL;
    d->nrows = d->caprows = 0;
}

static void build(docx *d)
{
    uint64_t ncols = 0;
    for (size_t r = 0; r < d->nrows; r++) {
        uint64_t w = 0;
        for (size_t k = 0; k < d->rows[r].n; k++)
            w += d->rows[r].cells[k].span;
        if (w > ncols)
            ncols = w;
    }
    d->ntables++;
    if (ncols > JX_OFFICE_MAX_COLS)
        ncols = JX_OFFICE_MAX_COLS + 1; /* refused by jx_grid_new */
    jx_grid *g = jx_grid_new(JX_GRID_TABLE, d->caption ? d->caption : "", d->ntables,
                             (uint32_t)d->nrows, (uint32_t)ncols, d->err);
    if (!g) {
        jx_xml_stop(d->h);
        return;
    }
    for (uint32_t r = 0; r < d->nrows; r++) {
        uint32_t col = d->rows[r].before;
        for (size_t k = 0; k < d->rows[r].n && col < ncols; k++) {
            tc *t = &d->rows[r].cells[k];
            uint32_t last = col + t->span - 1;
            if (last >= ncols)
                last = (uint32_t)ncols - 1;
            for (uint32_t c = col; c <= last; c++) {
                jx_cell *x = jx_grid_at(g, r, c);
                x->prow = r + 1;
                x->pcol = (uint32_t)k + 1;
            }
            if (t->vmerge == 2 && r > 0) {
                jx_cell *up = jx_grid_at(g, r - 1, col);
                for (uint32_t c = col; c <= last; c++) {
                    jx_cell *x = jx_grid_at(g, r, c);
                    x->text = up->text;
                    x->orow = up->orow;
                    x->ocol = up->ocol;
                    x->owner = false;
                }
            } else {
                jx_cell *x = jx_grid_at(g, r, col);
                x->text = t->text;
                x->owner = true;
                t->text = NULL;
                if (last > col)
                    jx_grid_merge(g, r, col, r, last);
            }
            col = last + 1;
        }
    }
    jx_grids_add(d->out, g, d->err) ? (void)0 : jx_xml_stop(d->h);
}

static void on_start(void *u, const char *name, const char **attrs)
{
    docx *d = u;
    if (strcmp(name, "tbl") == 0) {
        if (d->depth++ == 0)
            free_rows(d);
    } else if (d->depth == 1 && strcmp(name, "tr") == 0) {
        if (d->nrows == d->caprows) {
            size_t nc = d->caprows ? d->caprows * 2 : 16;
            tr *nr = realloc(d->rows, nc * sizeof *nr);
            if (!nr)
                return nomem(d);
            d->rows = nr;
            d->caprows = nc;
        }
        d->rows[d->nrows++] = (tr){0};
    } else if (d->depth == 1 && strcmp(name, "tc") == 0 && d->nrows) {
        d->in_tc = 1;
        d->span = 1;
        d->vmerge = 0;
        d->cell.len = 0;
    } else if (d->depth == 1 && !d->in_tc && d->nrows && strcmp(name, "gridBefore") == 0) {
        const char *v = jx_xml_attr(attrs, "val");
        unsigned long n = v ? strtoul(v, NULL, 10) : 0;
        d->rows[d->nrows - 1].before = n > JX_OFFICE_MAX_COLS ? JX_OFFICE_MAX_COLS : (uint32_t)n;
    } else if (d->depth == 1 && d->in_tc && strcmp(name, "tcPr") == 0)
        d->in_tcpr = 1;
    else if (d->in_tcpr && strcmp(name, "gridSpan") == 0) {
        const char *v = jx_xml_attr(attrs, "val");
        unsigned long n = v ? strtoul(v, NULL, 10) : 1;
        d->span = n < 1 ? 1 : n > JX_OFFICE_MAX_COLS ? JX_OFFICE_MAX_COLS : (uint32_t)n;
    } else if (d->in_tcpr && strcmp(name, "vMerge") == 0) {
        const char *v = jx_xml_attr(attrs, "val");
        d->vmerge = v && strcmp(v, "restart") == 0 ? 1 : 2;
    } else if (strcmp(name, "t") == 0)
        d->in_t = 1;
    else if (strcmp(name, "tab") == 0 && !d->in_tcpr)
        jx_sbuf_add(d->depth ? &d->cell : &d->para, " ", 1);
    else if (strcmp(name, "br") == 0 || strcmp(name, "cr") == 0)
        jx_sbuf_add(d->depth ? &d->cell : &d->para, "\n", 1);
}

static void on_end(void *u, const char *name)
{
    docx *d = u;
    if (strcmp(name, "t") == 0)
        d->in_t = 0;
    else if (strcmp(name, "p") == 0) {
        if (d->depth == 0) {
            char *t = jx_sbuf_take(&d->para);
            if (!t)
                return nomem(d);
            if (t[0]) {
                free(d->caption);
                d->caption = t;
            } else
                free(t);
        } else if (d->in_tc && d->cell.len)
            jx_sbuf_add(&d->cell, "\n", 1);
    } else if (strcmp(name, "tcPr") == 0)
        d->in_tcpr = 0;
    else if (d->depth == 1 && strcmp(name, "tc") == 0 && d->in_tc) {
        d->in_tc = 0;
        if (++d->total_cells > JX_OFFICE_MAX_CELLS) {
            jx_office_fail(d->err, JX_OFFICE_ELIMIT, "TOO_MANY_CELLS",
                           "文件的表格单元格超过 %u 个，拒绝读取 (too many cells)",
                           JX_OFFICE_MAX_CELLS);
            return jx_xml_stop(d->h);
        }
        tr *row = &d->rows[d->nrows - 1];
        if (row->n == row->cap) {
            size_t nc = row->cap ? row->cap * 2 : 8;
            tc *ncs = realloc(row->cells, nc * sizeof *ncs);
            if (!ncs)
                return nomem(d);
            row->cells = ncs;
            row->cap = nc;
        }
        char *t = jx_sbuf_take(&d->cell);
        if (!t)
            return nomem(d);
        row->cells[row->n++] = (tc){t, d->span, d->vmerge};
    } else if (strcmp(name, "tbl") == 0 && d->depth > 0) {
        if (--d->depth == 0) {
            build(d);
            free_rows(d);
            free(d->caption);
            d->caption = NULL;
        }
    }
}

static void on_text(void *u, const char *s, int len)
{
    docx *d = u;
    if (!d->in_t)
        return;
    if (d->depth == 0)
        jx_sbuf_add(&d->para, s, (size_t)len);
    else if (d->in_tc)
        jx_sbuf_add(&d->cell, s, (size_t)len);
}

bool jx_docx_read(jx_zip *z, jx_grids *out, jx_office_error *err)
{
    docx d = {.err = err, .out = out};
    jx_xml_handlers h = {.start = on_start, .end = on_end, .text = on_text, .u = &d};
    d.h = &h;
    bool ok = jx_xml_parse(z, "word/document.xml", &h, err);
    if (ok && (d.cell.oom || d.para.oom)) {
        jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        ok = false;
    }
    free_rows(&d);
    free(d.caption);
    jx_sbuf_reset(&d.cell);
    jx_sbuf_reset(&d.para);
    return ok;
}
