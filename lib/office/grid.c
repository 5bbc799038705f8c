/*
 * lib/office/grid.c -- a table as the readers find it: rows × columns of
 * cells, merged cells sharing their origin's text, and each cell's place as
 * a person finds it in Excel ("Sheet1!E7") or Word ("表3 第5行 第4列").
 *
 * Why one shape for both: the 自评表 recogniser (selfeval.c) then reads a
 * sheet and a Word table the same way.  Sizes are bounded by the caller
 * (JX_OFFICE_MAX_GRID cells, JX_OFFICE_MAX_COLS columns).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

jx_grid *jx_grid_new(jx_grid_kind kind, const char *name, unsigned index, uint32_t nrows,
                     uint32_t ncols, jx_office_error *err)
{
    if (ncols > JX_OFFICE_MAX_COLS || (uint64_t)nrows * ncols > JX_OFFICE_MAX_GRID) {
        jx_office_fail(err, JX_OFFICE_ELIMIT, "TOO_MANY_CELLS",
                       "表格 '%s' 有 %u 行 %u 列，超过上限（%u 列，共 %u 个单元格）"
                       " (table too large)",
                       name ? name : "", nrows, ncols, JX_OFFICE_MAX_COLS, JX_OFFICE_MAX_GRID);
        return NULL;
    }
    jx_grid *g = calloc(1, sizeof *g);
    if (!g)
        goto nomem;
    g->kind = kind;
    g->index = index;
    g->nrows = nrows;
    g->ncols = ncols;
    g->name = strdup(name ? name : "");
    g->cells = calloc((size_t)nrows * ncols + 1, sizeof *g->cells);
    if (!g->name || !g->cells)
        goto nomem;
    for (uint32_t r = 0; r < nrows; r++)
        for (uint32_t c = 0; c < ncols; c++) {
            jx_cell *x = jx_grid_at(g, r, c);
            x->orow = r;
            x->ocol = c;
            x->prow = r + 1;
            x->pcol = c + 1;
        }
    return g;
nomem:
    jx_grid_free(g);
    jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
    return NULL;
}

void jx_grid_free(jx_grid *g)
{
    if (!g)
        return;
    if (g->cells)
        for (size_t i = 0; i < (size_t)g->nrows * g->ncols; i++)
            if (g->cells[i].owner)
                free(g->cells[i].text);
    free(g->cells);
    free(g->name);
    free(g);
}

const char *jx_grid_text(const jx_grid *g, uint32_t r, uint32_t c)
{
    if (r >= g->nrows || c >= g->ncols)
        return "";
    const char *t = jx_grid_at(g, r, c)->text;
    return t ? t : "";
}

void jx_grid_merge(jx_grid *g, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1)
{
    if (r0 >= g->nrows || c0 >= g->ncols)
        return;
    if (r1 >= g->nrows)
        r1 = g->nrows - 1;
    if (c1 >= g->ncols)
        c1 = g->ncols - 1;
    jx_cell *o = jx_grid_at(g, r0, c0);
    if (o->orow != r0 || o->ocol != c0)
        return; /* inside another merge already: overlapping merges keep the first */
    for (uint32_t r = r0; r <= r1; r++)
        for (uint32_t c = c0; c <= c1; c++) {
            if (r == r0 && c == c0)
                continue;
            jx_cell *x = jx_grid_at(g, r, c);
            if (x->owner)
                free(x->text);
            x->owner = false;
            x->text = o->text;
            x->orow = r0;
            x->ocol = c0;
        }
}

void jx_col_letters(uint32_t col, char *buf, size_t n)
{
    char tmp[16];
    size_t k = 0;
    while (col > 0 && k < sizeof tmp) {
        uint32_t d = (col - 1) % 26;
        tmp[k++] = (char)('A' + d);
        col = (col - 1) / 26;
    }
    size_t i = 0;
    for (; i < k && i + 1 < n; i++)
        buf[i] = tmp[k - 1 - i];
    if (n)
        buf[i] = '\0';
}

void jx_grid_place(const jx_grid *g, uint32_t r, uint32_t c, char *buf, size_t n)
{
    const jx_cell *x = jx_grid_at(g, r, c);
    if (g->kind == JX_GRID_SHEET) {
        char col[16];
        jx_col_letters(x->pcol, col, sizeof col);
        snprintf(buf, n, "%s!%s%u", g->name, col, x->prow);
    } else
        snprintf(buf, n, "表%u 第%u行 第%u列", g->index, x->prow, x->pcol);
}

void jx_grid_where(const jx_grid *g, char *buf, size_t n)
{
    if (g->kind == JX_GRID_SHEET)
        snprintf(buf, n, "%s", g->name);
    else
        snprintf(buf, n, "表%u", g->index);
}

bool jx_grids_add(jx_grids *l, jx_grid *g, jx_office_error *err)
{
    if (l->count >= JX_OFFICE_MAX_TABLES) {
        jx_office_fail(err, JX_OFFICE_ELIMIT, "TOO_MANY_TABLES",
                       "文件中的表格超过 %u 个 (too many sheets or tables)", JX_OFFICE_MAX_TABLES);
        jx_grid_free(g);
        return false;
    }
    if (l->count == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        jx_grid **ni = realloc(l->items, nc * sizeof *ni);
        if (!ni) {
            jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
            jx_grid_free(g);
            return false;
        }
        l->items = ni;
        l->cap = nc;
    }
    l->items[l->count++] = g;
    return true;
}

void jx_grids_free(jx_grids *l)
{
    for (size_t i = 0; i < l->count; i++)
        jx_grid_free(l->items[i]);
    free(l->items);
    *l = (jx_grids){0};
}

void jx_sbuf_add(jx_sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 64;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static bool is_space(const char *p, size_t *w)
{
    unsigned char c = (unsigned char)*p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        *w = 1;
        return true;
    }
    if (c == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80) {
        *w = 3; /* U+3000 ideographic space */
        return true;
    }
    if (c == 0xC2 && (unsigned char)p[1] == 0xA0) {
        *w = 2; /* no-break space */
        return true;
    }
    return false;
}

char *jx_sbuf_take(jx_sbuf *b)
{
    if (b->oom) {
        jx_sbuf_reset(b);
        return NULL;
    }
    const char *s = b->s ? b->s : "";
    size_t n = b->len, w;
    size_t a = 0;
    while (a < n && is_space(s + a, &w))
        a += w;
    /* trailing: ASCII white space and U+3000 */
    while (n > a) {
        unsigned char c = (unsigned char)s[n - 1];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            n--;
        else if (n - a >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
                 c == 0x80)
            n -= 3;
        else
            break;
    }
    char *out = malloc(n - a + 1);
    if (out) {
        memcpy(out, s + a, n - a);
        out[n - a] = '\0';
    }
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
    return out;
}

void jx_sbuf_reset(jx_sbuf *b)
{
    free(b->s);
    *b = (jx_sbuf){0};
}
