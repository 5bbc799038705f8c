/*
 * lib/report/pdf.c -- the report as an A4 PDF a bureau can file (format=pdf).
 *
 * Design.  The same content and order as the HTML page (html.c): title and
 * summary line, 项目基本情况, 附件1 绩效目标完成清单, 附件2 问题清单, 附件3
 * 评分情况表 (with 报告得分 beside the 核定得分), then the review's findings
 * and, when the model has an "application" (issue 20), 结果应用: the 双监控
 * colours (红 in red), the 整改 items (逾期 in red) and the budget advice;
 * each 附件 starts a new page, as the HTML does when printed.  Drawn with
 * cairo (PDF surface: it embeds the subset of the glyphs used) and Pango
 * (line breaking of Chinese, fallback, bidi), in Noto Sans CJK SC
 * (Debian fonts-noto-cjk).
 *
 * Fonts without the environment.  The first PDF of the process builds a
 * fontconfig configuration holding only the Noto CJK files
 * (JX_REPORT_FONT_DIR, or the Debian / Fedora / Arch paths), added as
 * application fonts, and makes it fontconfig's current one (before Pango
 * first initialises fontconfig, which would otherwise load the system
 * configuration and write caches): no config file, no cache directory, no
 * HOME is read or written, and the output is the same on every machine with
 * the package.  That configuration is the one process-wide state of the
 * renderers, made once (pthread_once) and only read after; each call has
 * its own Pango font map over it, so calls may run in parallel.  No font
 * found is an error naming the package.  Characters the font lacks (emoji,
 * Arabic) print as Pango's hex boxes: the page still renders.
 *
 * Layout is a small table engine of its own (cairo has none): fixed column
 * widths that add up to the text width, each cell's text wrapped by Pango
 * (words, else characters), rows as tall as their tallest cell.  A row that
 * does not fit moves to the next page, where the table's header row is
 * drawn again; a row taller than a whole page (a 10,000-character
 * explanation) is cut between lines, cell by cell.  The merged level-1 /
 * level-2 cells of the 评分情况表 (spans from report.c) are drawn as one
 * cell per page segment, the label centred in it and repeated at the top
 * of a new page.
 *
 * A text of more than JR_PDF_MAX_CHARS characters is cut with a note (see
 * there).  Two passes over the same code: the first only measures, to count the
 * pages for 第 n 页 / 共 m 页 and to refuse a report of more than
 * JR_PDF_MAX_PAGES pages before drawing any of it (time and size stay
 * bounded whatever the texts); the second draws.  All text is set as plain
 * text (never Pango markup), so nothing in the model is interpreted.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#define JR_PDF_MAX_PAGES 500
/* Pango measures a paragraph's width in 32-bit units of 1/1024 pt: a line
 * of some 120,000 characters overflows them and is no longer wrapped.  A
 * text longer than this (some 40 pages in a narrow cell) is cut, saying so. */
#define JR_PDF_MAX_CHARS 50000

/* A4 portrait in points; the text block is 499 pt (176 mm) wide */
#define PAGE_W 595.2756
#define PAGE_H 841.8898
#define LEFT 48.0
#define TEXT_W (PAGE_W - 2 * LEFT)
#define TOP 62.0
#define BOTTOM (PAGE_H - 58.0)
#define PAD 3.0
#define RULE 0.6
#define MAXCOLS 9

#define FAMILY "Noto Sans CJK SC"

enum { F_TITLE, F_HEAD, F_BODY, F_CELL, F_CELL_B, F_SMALL, F_COLHEAD, NFONT };

/* the font files looked for, in order, when JX_REPORT_FONT_DIR is unset */
static const char *const font_dirs[] = {
    "/usr/share/fonts/opentype/noto",    /* Debian, Ubuntu: fonts-noto-cjk */
    "/usr/share/fonts/google-noto-cjk",  /* Fedora */
    "/usr/share/fonts/noto-cjk",         /* Arch */
    "/usr/share/fonts/opentype/noto-cjk",
};
static const char *const font_files[] = {"NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"};

typedef struct {
    double w;         /* points */
    const char *head; /* header text */
    bool vmerge;      /* cells may be merged vertically (level columns) */
} pcol;

typedef struct {
    const pcol *cols;
    int ncols;
} ptable;

typedef struct {
    const char *text;
    int colspan;  /* 1 normally; 0 for a cell covered by a colspan to its left */
    bool covered; /* merged with the cell above (vmerge columns only) */
    char align;   /* 'l', 'c', 'r' */
    int font;     /* F_CELL or F_CELL_B */
    double grey;  /* background, 1 = none */
    double red;   /* text colour: 0 black, 1 red */
} pcell;

/* an open vertically merged cell: the label waits to be centred in it */
typedef struct {
    bool open;
    double top;
    PangoLayout *label; /* NULL when drawn already (a row cut across pages) */
    double red;
} pseg;

typedef struct {
    const jr_model *m;
    cairo_t *cr;
    PangoContext *pc;
    PangoFontDescription *fd[NFONT];
    bool draw;       /* second pass */
    int page;        /* 1-based */
    int pages;       /* total, known in the second pass */
    double y;
    bool failed;
    bool too_large;       /* over JR_PDF_MAX_PAGES: JX_REPORT_TOO_LARGE */
    char *err;
    size_t errlen;
    const ptable *t; /* the table being laid out, or NULL */
    bool page_top;   /* no body row of the table on this page yet */
    pseg seg[MAXCOLS];
} pdfw;

/* ---- text -------------------------------------------------------------------------- */

static void fail(pdfw *w, const char *msg)
{
    if (!w->failed)
        jr_set_err(w->err, w->errlen, "%s", msg);
    w->failed = true;
}

static PangoLayout *layout(pdfw *w, const char *text, int font, double width, char align)
{
    PangoLayout *l = pango_layout_new(w->pc);
    pango_layout_set_font_description(l, w->fd[font]);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    PangoAttrList *attrs = pango_attr_list_new(); /* a code cut mid-word gets no hyphen */
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(l, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_alignment(l, align == 'c'   ? PANGO_ALIGN_CENTER
                                  : align == 'r' ? PANGO_ALIGN_RIGHT
                                                 : PANGO_ALIGN_LEFT);
    const char *s = text ? text : "";
    gchar *v = g_utf8_validate(s, -1, NULL) ? NULL : g_utf8_make_valid(s, -1);
    if (v) /* the model's strings are UTF-8 (Jansson); this is a safeguard */
        s = v;
    if (g_utf8_strlen(s, -1) > JR_PDF_MAX_CHARS) {
        const char *cut = g_utf8_offset_to_pointer(s, JR_PDF_MAX_CHARS);
        gchar *t = g_strdup_printf("%.*s……（以下省略，全文见 html 或 xlsx 格式）", (int)(cut - s), s);
        g_free(v);
        s = v = t;
    }
    pango_layout_set_text(l, s, -1);
    g_free(v);
    return l;
}

static double lheight(PangoLayout *l)
{
    int wd, ht;
    pango_layout_get_size(l, &wd, &ht);
    return (double)ht / PANGO_SCALE;
}

/* The bottoms of a layout's lines, in points from its top: computed once
 * per layout that must be cut, so that cutting it into n pages is not n
 * walks over all its lines. */
typedef struct {
    double *end;
    size_t n;
} lines;

static bool lines_of(PangoLayout *l, lines *out)
{
    size_t cap = (size_t)pango_layout_get_line_count(l);
    out->n = 0;
    out->end = malloc((cap ? cap : 1) * sizeof *out->end);
    if (!out->end)
        return false;
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        int y0, y1;
        pango_layout_iter_get_line_yrange(it, &y0, &y1);
        if (out->n < cap)
            out->end[out->n++] = (double)y1 / PANGO_SCALE;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    return true;
}

/* The lowest line end in (from, from + avail]; `from` when none fits (or,
 * with force, the first line end after from: a page always takes a line). */
static double next_cut(const lines *ls, double from, double avail, bool force)
{
    size_t lo = 0, hi = ls->n; /* first line ending after from */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ls->end[mid] <= from + 0.01)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == ls->n)
        return from;
    double best = from;
    for (size_t i = lo; i < ls->n && ls->end[i] <= from + avail; i++)
        best = ls->end[i];
    if (best <= from + 0.01 && force)
        best = ls->end[lo];
    return best;
}

static void colour(pdfw *w, double red)
{
    if (red > 0)
        cairo_set_source_rgb(w->cr, 0.69, 0.0, 0.13);
    else
        cairo_set_source_rgb(w->cr, 0, 0, 0);
}

/* draws lines [from, to) of l with their top at (x, y) */
static void show_slice(pdfw *w, PangoLayout *l, double x, double y, double from, double to,
                       double red)
{
    if (!w->draw)
        return;
    cairo_save(w->cr);
    cairo_rectangle(w->cr, x - 1, y - 0.5, PAGE_W, to - from + 1);
    cairo_clip(w->cr);
    colour(w, red);
    cairo_move_to(w->cr, x, y - from);
    pango_cairo_show_layout(w->cr, l);
    cairo_restore(w->cr);
}

static void hline(pdfw *w, double x0, double x1, double y)
{
    if (!w->draw)
        return;
    cairo_set_source_rgb(w->cr, 0, 0, 0);
    cairo_set_line_width(w->cr, RULE);
    cairo_move_to(w->cr, x0, y);
    cairo_line_to(w->cr, x1, y);
    cairo_stroke(w->cr);
}

static void vline(pdfw *w, double x, double y0, double y1)
{
    if (!w->draw)
        return;
    cairo_set_source_rgb(w->cr, 0, 0, 0);
    cairo_set_line_width(w->cr, RULE);
    cairo_move_to(w->cr, x, y0);
    cairo_line_to(w->cr, x, y1);
    cairo_stroke(w->cr);
}

static void fill(pdfw *w, double x, double y, double wd, double ht, double grey)
{
    if (!w->draw || grey >= 1.0)
        return;
    cairo_set_source_rgb(w->cr, grey, grey, grey);
    cairo_rectangle(w->cr, x, y, wd, ht);
    cairo_fill(w->cr);
}

/* one line of small text, ellipsized, at y (the running head and the footer) */
static void small_line(pdfw *w, const char *text, double x, double y, double width, char align)
{
    if (!w->draw)
        return;
    PangoLayout *l = layout(w, text, F_SMALL, width, align);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_single_paragraph_mode(l, TRUE); /* one line, whatever the text */
    cairo_set_source_rgb(w->cr, 0.3, 0.3, 0.3);
    cairo_move_to(w->cr, x, y);
    pango_cairo_show_layout(w->cr, l);
    g_object_unref(l);
}

/* ---- pages ------------------------------------------------------------------------- */

static void page_head(pdfw *w)
{
    if (!w->draw)
        return;
    const jr_model *m = w->m;
    small_line(w, m->title, LEFT, 30, TEXT_W * 0.68, 'l');
    char id[160] = "";
    if (*m->eval_id)
        snprintf(id, sizeof id, "评价编号 %.120s", m->eval_id);
    small_line(w, id, LEFT + TEXT_W * 0.7, 30, TEXT_W * 0.3, 'r');
    cairo_set_source_rgb(w->cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(w->cr, 0.4);
    cairo_move_to(w->cr, LEFT, 44);
    cairo_line_to(w->cr, LEFT + TEXT_W, 44);
    cairo_stroke(w->cr);
}

static void page_foot(pdfw *w)
{
    if (!w->draw)
        return;
    char num[64];
    snprintf(num, sizeof num, "第 %d 页 / 共 %d 页", w->page, w->pages);
    small_line(w, num, LEFT, PAGE_H - 40, TEXT_W, 'c');
    small_line(w, "由 jixiao 生成", LEFT, PAGE_H - 40, TEXT_W, 'r');
}

static void draw_header(pdfw *w);
static void seg_close(pdfw *w, int c, double y);

static void new_page(pdfw *w)
{
    if (w->failed)
        return;
    if (w->t) {
        for (int c = 0; c < w->t->ncols; c++)
            seg_close(w, c, w->y);
        hline(w, LEFT, LEFT + TEXT_W, w->y);
    }
    page_foot(w);
    if (w->draw)
        cairo_show_page(w->cr);
    if (w->page >= JR_PDF_MAX_PAGES) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "报告超过 %d 页，无法生成 PDF，请改用 html 或 xlsx 格式 "
                 "(the report would exceed %d pages: use format html or xlsx)",
                 JR_PDF_MAX_PAGES, JR_PDF_MAX_PAGES);
        fail(w, msg);
        w->too_large = true;
        return;
    }
    w->page++;
    page_head(w);
    w->y = TOP;
    if (w->t) {
        draw_header(w);
        w->page_top = true;
    }
}

/* a new page unless `pts` of height are left on this one */
static void need(pdfw *w, double pts)
{
    if (w->y + pts > BOTTOM && w->y > TOP + 0.01)
        new_page(w);
}

/* a paragraph across the text width, cut between lines at page ends */
static void para(pdfw *w, const char *text, int font, char align, double before, double after)
{
    if (w->failed)
        return;
    PangoLayout *l = layout(w, text, font, TEXT_W, align);
    double h = lheight(l), from = 0;
    lines ls;
    if (!lines_of(l, &ls)) {
        g_object_unref(l);
        fail(w, "内存不足 (out of memory)");
        return;
    }
    if (w->y > TOP)
        w->y += before;
    while (!w->failed) {
        double cut = next_cut(&ls, from, BOTTOM - w->y, w->y <= TOP + 0.01);
        show_slice(w, l, LEFT, w->y, from, cut, 0);
        w->y += cut - from;
        from = cut;
        if (from >= h - 0.01)
            break;
        new_page(w);
    }
    w->y += after;
    free(ls.end);
    g_object_unref(l);
}

/* ---- tables -------------------------------------------------------------------------- */

static double col_x(const ptable *t, int c)
{
    double x = LEFT;
    for (int i = 0; i < c; i++)
        x += t->cols[i].w;
    return x;
}

static double span_w(const ptable *t, int c, int span)
{
    double wd = 0;
    for (int i = c; i < c + span && i < t->ncols; i++)
        wd += t->cols[i].w;
    return wd;
}

static void seg_close(pdfw *w, int c, double y)
{
    pseg *s = &w->seg[c];
    if (!s->open)
        return;
    if (s->label) {
        double lh = lheight(s->label), top = s->top + (y - s->top - lh) / 2;
        if (top < s->top + PAD)
            top = s->top + PAD;
        show_slice(w, s->label, col_x(w->t, c) + PAD, top, 0, lh, s->red);
        g_object_unref(s->label);
    }
    memset(s, 0, sizeof *s);
}

static void draw_header(pdfw *w)
{
    const ptable *t = w->t;
    PangoLayout *l[MAXCOLS];
    double h = 0;
    for (int c = 0; c < t->ncols; c++) {
        l[c] = layout(w, t->cols[c].head, F_COLHEAD, t->cols[c].w - 2 * PAD, 'c');
        double lh = lheight(l[c]);
        h = lh > h ? lh : h;
    }
    h += 2 * PAD;
    fill(w, LEFT, w->y, TEXT_W, h, 0.88);
    for (int c = 0; c < t->ncols; c++) {
        double lh = lheight(l[c]);
        show_slice(w, l[c], col_x(t, c) + PAD, w->y + (h - lh) / 2, 0, lh, 0);
        vline(w, col_x(t, c), w->y, w->y + h);
        g_object_unref(l[c]);
    }
    vline(w, LEFT + TEXT_W, w->y, w->y + h);
    hline(w, LEFT, LEFT + TEXT_W, w->y);
    w->y += h;
}

static double header_height(pdfw *w, const ptable *t)
{
    double h = 0;
    for (int c = 0; c < t->ncols; c++) {
        PangoLayout *l = layout(w, t->cols[c].head, F_COLHEAD, t->cols[c].w - 2 * PAD, 'c');
        double lh = lheight(l);
        h = lh > h ? lh : h;
        g_object_unref(l);
    }
    return h + 2 * PAD;
}

/* the heading, then the header row, kept with room for a first row */
static void table_begin(pdfw *w, const ptable *t, const char *heading)
{
    if (w->failed)
        return;
    PangoLayout *hl = heading ? layout(w, heading, F_HEAD, TEXT_W, 'c') : NULL;
    double need = (hl ? lheight(hl) + 10 : 0) + header_height(w, t) + 40;
    if (hl)
        g_object_unref(hl);
    if (w->y + need > BOTTOM && w->y > TOP + 0.01)
        new_page(w);
    if (heading)
        para(w, heading, F_HEAD, 'c', 12, 6);
    if (w->failed)
        return;
    if (w->y + header_height(w, t) + 20 > BOTTOM)
        new_page(w);
    w->t = t;
    memset(w->seg, 0, sizeof w->seg);
    draw_header(w);
    w->page_top = true;
}

static void table_end(pdfw *w, double after)
{
    if (!w->t)
        return;
    for (int c = 0; c < w->t->ncols; c++)
        seg_close(w, c, w->y);
    hline(w, LEFT, LEFT + TEXT_W, w->y);
    w->t = NULL;
    w->y += after;
}

static bool shown(const pdfw *w, const pcell *cell)
{
    return cell->colspan > 0 && (!cell->covered || w->page_top);
}

/* borders and backgrounds of one row (or piece of a row) at [y, y + h] */
static void row_frame(pdfw *w, const pcell *cells, double h, bool first_piece)
{
    const ptable *t = w->t;
    for (int c = 0; c < t->ncols; c++) {
        if (cells[c].colspan <= 0)
            continue;
        double x = col_x(t, c), wd = span_w(t, c, cells[c].colspan);
        if (!cells[c].covered || w->page_top || !first_piece)
            fill(w, x, w->y, wd, h, cells[c].grey);
        vline(w, x, w->y, w->y + h);
        if (!(cells[c].covered && !w->page_top && first_piece))
            hline(w, x, x + wd, w->y);
    }
    vline(w, LEFT + TEXT_W, w->y, w->y + h);
}

static void row(pdfw *w, const pcell *cells)
{
    const ptable *t = w->t;
    PangoLayout *l[MAXCOLS] = {0};
    if (w->failed || !t)
        return;
    for (int c = 0; c < t->ncols; c++)
        if (t->cols[c].vmerge && !cells[c].covered)
            seg_close(w, c, w->y);
    double h;
    for (;;) {
        h = 0;
        for (int c = 0; c < t->ncols; c++) {
            if (!shown(w, &cells[c]))
                continue;
            double wd = span_w(t, c, cells[c].colspan) - 2 * PAD;
            l[c] = layout(w, cells[c].text, cells[c].font, wd, cells[c].align);
            double lh = lheight(l[c]);
            h = lh > h ? lh : h;
        }
        h += 2 * PAD;
        double fresh = BOTTOM - TOP - header_height(w, t);
        if (w->y + h <= BOTTOM || w->page_top || (h > fresh && BOTTOM - w->y > 60))
            break;
        for (int c = 0; c < t->ncols; c++)
            if (l[c]) {
                g_object_unref(l[c]);
                l[c] = NULL;
            }
        new_page(w);
        if (w->failed)
            return;
    }
    if (w->y + h <= BOTTOM) { /* the whole row here: centred vertically */
        row_frame(w, cells, h, true);
        for (int c = 0; c < t->ncols; c++) {
            if (!l[c])
                continue;
            double lh = lheight(l[c]);
            if (t->cols[c].vmerge) { /* drawn when its segment closes */
                seg_close(w, c, w->y);
                w->seg[c] = (pseg){true, w->y, l[c], cells[c].red};
                l[c] = NULL;
                continue;
            }
            show_slice(w, l[c], col_x(t, c) + PAD, w->y + (h - lh) / 2, 0, lh, cells[c].red);
        }
        w->y += h;
    } else { /* taller than the page: cut between lines, cell by cell */
        double from[MAXCOLS] = {0};
        lines ls[MAXCOLS] = {{0}};
        bool first = true;
        for (int c = 0; c < t->ncols; c++)
            if (l[c] && !lines_of(l[c], &ls[c]))
                fail(w, "内存不足 (out of memory)");
        for (int c = 0; c < t->ncols; c++)
            if (l[c] && t->cols[c].vmerge) {
                seg_close(w, c, w->y);
                w->seg[c] = (pseg){true, w->y, NULL, 0};
            }
        while (!w->failed) {
            double avail = BOTTOM - w->y - 2 * PAD, cut[MAXCOLS] = {0}, ph = 0;
            for (int pass = 0; pass < 2 && ph <= 0.01; pass++)
                for (int c = 0; c < t->ncols; c++) {
                    if (!l[c])
                        continue;
                    cut[c] = next_cut(&ls[c], from[c], avail, pass == 1);
                    ph = cut[c] - from[c] > ph ? cut[c] - from[c] : ph;
                }
            row_frame(w, cells, ph + 2 * PAD, first);
            bool left = false;
            for (int c = 0; c < t->ncols; c++) {
                if (!l[c])
                    continue;
                show_slice(w, l[c], col_x(t, c) + PAD, w->y + PAD, from[c], cut[c], cells[c].red);
                from[c] = cut[c];
                left = left || from[c] < lheight(l[c]) - 0.01;
            }
            w->y += ph + 2 * PAD;
            first = false;
            if (!left)
                break;
            w->page_top = false; /* the row goes on: its covered cells stay blank */
            new_page(w);
            w->page_top = false;
        }
        for (int c = 0; c < t->ncols; c++)
            free(ls[c].end);
    }
    w->page_top = false;
    for (int c = 0; c < t->ncols; c++)
        if (l[c])
            g_object_unref(l[c]);
}

/* cells: shorthand constructors */
static pcell C(const char *text, char align)
{
    return (pcell){text ? text : "", 1, false, align, F_CELL, 1.0, 0};
}

static pcell K(const char *text)
{
    return (pcell){text ? text : "", 1, false, 'l', F_CELL_B, 0.94, 0};
}

/* ---- the sections ---------------------------------------------------------------------- */

static const char *fmt_cents(char *buf, size_t n, int64_t c)
{
    jr_buf b = {0};
    jr_cents(&b, c);
    snprintf(buf, n, "%s", b.p ? b.p : "");
    free(b.p);
    return buf;
}

static void header_block(pdfw *w)
{
    const jr_model *m = w->m;
    para(w, m->title, F_TITLE, 'c', 0, 6);
    jr_buf b = {0};
    jr_puts(&b, m->org);
    if (m->year)
        jr_printf(&b, "　%d年度", m->year);
    jr_puts(&b, "　评价得分 ");
    jr_cents(&b, m->total);
    jr_puts(&b, "　等级 ");
    jr_puts(&b, m->grade);
    if (!m->complete)
        jr_puts(&b, "（下限）");
    para(w, b.p ? b.p : "", F_BODY, 'c', 0, 4);
    free(b.p);
}

static void basic_info(pdfw *w)
{
    const jr_model *m = w->m;
    static const pcol cols[] = {{84, "项目", false}, {TEXT_W / 2 - 84, "内容", false},
                                {84, "项目", false}, {TEXT_W / 2 - 84, "内容", false}};
    static const ptable t = {cols, 4};
    table_begin(w, &t, "项目基本情况");
    char year[16] = "";
    if (m->year)
        snprintf(year, sizeof year, "%d", m->year);
    jr_buf fw = {0};
    jr_puts(&fw, m->framework);
    if (*m->framework_version)
        jr_printf(&fw, " 第 %s 版", m->framework_version);
    const char *pairs[][4] = {
        {"项目名称", m->name, "项目编码", m->code},
        {"单位", m->org, "主管处室", m->supervising_office},
        {"资金性质", m->fund_nature, "年度", year},
        {"评价指标体系", fw.p ? fw.p : "", "评价编号", m->eval_id},
        {"评价时间", m->created_at, "评价人", m->created_by},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        pcell r[4] = {K(pairs[i][0]), C(pairs[i][1], 'l'), K(pairs[i][2]), C(pairs[i][3], 'l')};
        row(w, r);
    }
    free(fw.p);
    for (size_t i = 0; i < m->nmoney; i += 2) {
        jr_buf v[2] = {{0}, {0}};
        const char *k[2] = {"", ""};
        for (size_t j = 0; j < 2 && i + j < m->nmoney; j++) {
            const jr_money_item *it = &m->money[i + j];
            k[j] = it->label;
            if (it->parsed) {
                jr_money(&v[j], it->fen);
                jr_puts(&v[j], " 元");
            } else
                jr_puts(&v[j], it->text);
        }
        pcell r[4] = {K(k[0]), C(v[0].p, 'l'), K(k[1]), C(v[1].p, 'l')};
        row(w, r);
        free(v[0].p);
        free(v[1].p);
    }
    jr_buf rate = {0}, tot = {0};
    if (m->has_rate)
        jr_rate_pct(&rate, m->rate4);
    else
        jr_puts(&rate, "无法计算");
    jr_cents(&tot, m->total);
    jr_puts(&tot, "（");
    jr_puts(&tot, m->grade);
    jr_puts(&tot, m->complete ? "）" : "，下限）");
    pcell r[4] = {K("预算执行率"), C(rate.p, 'l'), K("评价得分（等级）"), C(tot.p, 'l')};
    r[3].font = F_CELL_B;
    row(w, r);
    free(rate.p);
    free(tot.p);
    table_end(w, 6);
}

static char *heading(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* a row of one cell over all n columns ("无") */
static void none_row(pdfw *w, int n)
{
    pcell r[MAXCOLS];
    r[0] = C("无", 'c');
    r[0].colspan = n;
    for (int c = 1; c < n; c++)
        r[c] = (pcell){"", 0, false, 'l', F_CELL, 1, 0};
    row(w, r);
}

static void goals(pdfw *w)
{
    const jr_model *m = w->m;
    static const pcol gcols[] = {{40, "序号", false}, {90, "目标", false},
                                 {TEXT_W - 130, "绩效目标设定情况", false}};
    static const ptable gt = {gcols, 3};
    char *h = heading("附件1 ", m->name, "绩效目标完成清单");
    if (!h) {
        fail(w, "内存不足 (out of memory)");
        return;
    }
    table_begin(w, &gt, h);
    free(h);
    pcell r1[3] = {C("(一)", 'c'), C("总体目标", 'l'), C(*m->goal_overall ? m->goal_overall : "—", 'l')};
    row(w, r1);
    pcell r2[3] = {C("(二)", 'c'), C("年度绩效目标", 'l'),
                   C(*m->goal_annual ? m->goal_annual : "—", 'l')};
    row(w, r2);
    table_end(w, 10);

    static const pcol cols[] = {
        {26, "序号", false},   {56, "一级指标", false},   {60, "二级指标", false},
        {86, "三级指标", false}, {68, "年度指标值", false}, {68, "实际完成值", false},
        {42, "完成情况", false}, {TEXT_W - 406, "偏差原因", false}};
    static const ptable t = {cols, 8};
    table_begin(w, &t, NULL);
    if (m->ngoals == 0) {
        none_row(w, 8);
    }
    for (size_t i = 0; i < m->ngoals && !w->failed; i++) {
        const jr_goal *g = &m->goals[i];
        char seq[16];
        snprintf(seq, sizeof seq, "%d", g->seq);
        pcell r[8] = {C(seq, 'c'),      C(g->level1, 'l'), C(g->level2, 'l'),
                      C(g->name, 'l'),  C(g->target, 'l'), C(g->actual, 'l'),
                      C(jr_met_label(g->met), 'c'), C(g->deviation_reason, 'l')};
        if (g->met == 0)
            r[6].red = 1;
        row(w, r);
    }
    table_end(w, 6);
}

static void problems(pdfw *w)
{
    const jr_model *m = w->m;
    static const pcol cols[] = {{110, "问题分类", false}, {28, "序号", false},
                                {66, "责任部门（单位）", false}, {118, "问题描述", false},
                                {118, "整改建议", false}, {TEXT_W - 440, "备注", false}};
    static const ptable t = {cols, 6};
    char *h = heading("附件2 ", m->name, "绩效评价问题清单");
    if (!h) {
        fail(w, "内存不足 (out of memory)");
        return;
    }
    table_begin(w, &t, h);
    free(h);
    if (m->nproblems == 0) {
        none_row(w, 6);
    }
    for (size_t i = 0; i < m->nproblems && !w->failed; i++) {
        const jr_problem *p = &m->problems[i];
        char seq[16];
        snprintf(seq, sizeof seq, "%d", p->seq);
        pcell r[6] = {C(p->category, 'l'),
                      C(seq, 'c'),
                      C(p->responsible_office, 'l'),
                      C(*p->description ? p->description : "无", 'l'),
                      C(*p->advice ? p->advice : "无", 'l'),
                      C(p->note, 'l')};
        row(w, r);
    }
    table_end(w, 6);
}

/* 报告得分 of a score row: the document's reported_score of its indicator */
static bool reported_of(const jr_model *m, const jr_row *r, int64_t *out)
{
    if (r->kind != JR_ROW_INDICATOR || r->index < 0 || (size_t)r->index >= m->ngoals)
        return false;
    const jr_goal *g = &m->goals[r->index];
    *out = g->reported_score;
    return g->has_reported_score;
}

static void score_table(pdfw *w)
{
    const jr_model *m = w->m;
    static const pcol cols[] = {
        {28, "序号", false},     {50, "一级指标", true}, {50, "二级指标", true},
        {76, "三级指标", false}, {42, "分值", false},    {TEXT_W - 382, "评分情况", false},
        {46, "报告得分", false}, {46, "核定得分", false}, {44, "扣分", false}};
    static const ptable t = {cols, 9};
    char *h = heading("附件3 ", m->score_title, "");
    if (!h) {
        fail(w, "内存不足 (out of memory)");
        return;
    }
    table_begin(w, &t, h);
    free(h);
    for (size_t i = 0; i < m->nrows && !w->failed; i++) {
        const jr_row *r = &m->rows[i];
        char seq[16] = "", wt[32], sc[32], de[32], rp[32] = "";
        if (r->seq)
            snprintf(seq, sizeof seq, "%d", r->seq);
        int64_t rep;
        if (reported_of(m, r, &rep))
            fmt_cents(rp, sizeof rp, rep);
        pcell c[9] = {C(seq, 'c'),
                      C(r->level1_label, 'c'),
                      C(r->level2, 'c'),
                      C(r->name, 'l'),
                      C(fmt_cents(wt, sizeof wt, r->weight), 'r'),
                      C(r->explain, 'l'),
                      C(rp, 'r'),
                      C(r->not_applicable ? jr_na_score : fmt_cents(sc, sizeof sc, r->score), 'r'),
                      C(r->not_applicable ? jr_na_deduction
                                          : fmt_cents(de, sizeof de, r->deduction), 'r')};
        if (r->kind == JR_ROW_INDICATOR) {
            c[1].covered = r->l1_span == 0;
            c[2].covered = r->l2_span == 0;
        } else {
            c[1] = C(r->name, 'c');
            c[1].colspan = 3;
            c[2] = c[3] = (pcell){"", 0, false, 'l', F_CELL, 1, 0};
            double grey = r->kind == JR_ROW_TOTAL ? 0.90 : 0.96;
            for (int k = 0; k < 9; k++) {
                c[k].grey = grey;
                if (r->kind == JR_ROW_TOTAL)
                    c[k].font = F_CELL_B;
            }
            if (r->kind == JR_ROW_TOTAL && !m->complete)
                c[5].red = 1;
        }
        row(w, c);
    }
    table_end(w, 4);
    if (!m->complete)
        para(w, "注：部分指标的实际完成值或执行数缺失，无法确定，总分与等级为下限，不是实际得分。",
             F_CELL, 'l', 0, 4);
}

static void findings(pdfw *w)
{
    const jr_model *m = w->m;
    static const pcol cols[] = {{28, "序号", false},    {44, "严重程度", false},
                                {100, "代码", false},   {96, "位置", false},
                                {76, "涉及指标", false}, {TEXT_W - 344, "说明", false}};
    static const ptable t = {cols, 6};
    need(w, 16 + 90 + header_height(w, &t));
    para(w, "一致性审核发现的问题", F_HEAD, 'c', 16, 4);
    char count[160];
    snprintf(count, sizeof count, "共 %zu 项：错误 %zu 项，警告 %zu 项，提示 %zu 项。",
             m->nfindings, m->nerrors, m->nwarnings, m->ninfos);
    para(w, count, F_CELL, 'l', 0, 4);
    table_begin(w, &t, NULL);
    if (m->nfindings == 0) {
        none_row(w, 6);
    }
    for (size_t i = 0; i < m->nfindings && !w->failed; i++) {
        const jr_finding *f = &m->findings[i];
        char seq[16];
        snprintf(seq, sizeof seq, "%d", f->seq);
        pcell r[6] = {C(seq, 'c'),        C(f->severity_label, 'c'), C(f->code, 'l'),
                      C(f->pointer, 'l'), C(f->subject, 'l'),        C(f->message, 'l')};
        if (strcmp(f->severity, "error") == 0) {
            r[1].red = 1;
            r[1].font = F_CELL_B;
        }
        row(w, r);
    }
    table_end(w, 0);
}

/* a sub-heading kept with room for its table's header and a first row */
static void subheading(pdfw *w, const char *text, const ptable *t)
{
    need(w, 10 + 60 + header_height(w, t));
    para(w, text, F_BODY, 'l', 10, 4);
}

/* Results application (issue 20): monitoring colours, open 整改 items,
 * budget advice; nothing when the model has none. */
static void application(pdfw *w)
{
    const jr_application *a = &w->m->app;
    static const pcol mcols[] = {{90, "报告期", false},      {76, "时间进度", false},
                                 {76, "预算执行率", false},  {90, "执行率/时间进度", false},
                                 {60, "预警", false},        {TEXT_W - 392, "滞后指标数", false}};
    static const ptable mt = {mcols, 6};
    static const pcol rcols[] = {{28, "序号", false}, {TEXT_W - 218, "问题", false},
                                 {80, "状态", false}, {70, "整改期限", false},
                                 {40, "逾期", false}};
    static const ptable rt = {rcols, 5};
    static const pcol acols[] = {{96, "项目", false}, {TEXT_W - 96, "内容", false}};
    static const ptable at = {acols, 2};
    if (!a->present || w->failed)
        return;
    need(w, 16 + 90 + header_height(w, &mt));
    para(w, "结果应用", F_HEAD, 'c', 16, 0);
    subheading(w, "双监控预警", &mt);
    table_begin(w, &mt, NULL);
    if (a->nmon == 0)
        none_row(w, 6);
    for (size_t i = 0; i < a->nmon && !w->failed; i++) {
        const jr_mon *x = &a->mon[i];
        char lag[32];
        snprintf(lag, sizeof lag, "%ld", x->lagging);
        pcell r[6] = {C(x->period, 'c'),   C(x->time_progress, 'r'), C(x->execution_rate, 'r'),
                      C(x->ratio, 'r'),    C(x->color_label, 'c'),   C(lag, 'r')};
        r[4].font = F_CELL_B;
        r[4].red = strcmp(x->color, "red") == 0;
        row(w, r);
    }
    table_end(w, 0);

    subheading(w, "整改情况", &rt);
    char count[96];
    snprintf(count, sizeof count, "未验收 %zu 项，共 %zu 项。", a->nopen, a->nrects);
    para(w, count, F_CELL, 'l', 0, 4);
    table_begin(w, &rt, NULL);
    if (a->nrects == 0)
        none_row(w, 5);
    for (size_t i = 0; i < a->nrects && !w->failed; i++) {
        const jr_rect *x = &a->rects[i];
        char seq[16];
        snprintf(seq, sizeof seq, "%d", x->seq);
        pcell r[5] = {C(seq, 'c'), C(x->description, 'l'), C(x->status_label, 'c'),
                      C(x->deadline, 'c'), C(x->overdue ? "是" : "否", 'c')};
        if (x->overdue) {
            r[4].red = 1;
            r[4].font = F_CELL_B;
        }
        row(w, r);
    }
    table_end(w, 0);

    subheading(w, "预算安排建议", &at);
    table_begin(w, &at, NULL);
    const char *pairs[][2] = {{"等级", a->grade},
                              {"建议", *a->advice ? a->advice : "无"},
                              {"财政部门决定", *a->decision ? a->decision : "尚未确定"}};
    for (size_t i = 0; i < 3; i++) {
        pcell r[2] = {K(pairs[i][0]), C(pairs[i][1], 'l')};
        row(w, r);
    }
    table_end(w, 0);
}

static void document(pdfw *w)
{
    w->page = 1;
    w->y = TOP;
    page_head(w);
    header_block(w);
    basic_info(w);
    new_page(w);
    goals(w);
    new_page(w);
    problems(w);
    new_page(w);
    score_table(w);
    findings(w);
    application(w);
    if (!w->failed) {
        page_foot(w);
        if (w->draw)
            cairo_show_page(w->cr);
    }
}

/* ---- fonts and the surface -------------------------------------------------------------- */

/* A fontconfig configuration of the Noto CJK files only (see the top). */
static FcConfig *font_config(char *err, size_t errlen)
{
    FcConfig *fc = FcConfigCreate();
    if (!fc) {
        jr_set_err(err, errlen, "内存不足 (out of memory)");
        return NULL;
    }
    const char *env = getenv("JX_REPORT_FONT_DIR");
    size_t ndirs = sizeof font_dirs / sizeof font_dirs[0];
    int added = 0;
    for (size_t d = 0; d < ndirs + 1 && !added; d++) {
        const char *dir = d == 0 ? env : font_dirs[d - 1];
        if (!dir || !*dir)
            continue;
        for (size_t f = 0; f < sizeof font_files / sizeof font_files[0]; f++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, font_files[f]);
            if (access(path, R_OK) == 0 && FcConfigAppFontAddFile(fc, (const FcChar8 *)path))
                added++;
        }
    }
    if (!added) {
        FcConfigDestroy(fc);
        jr_set_err(err, errlen,
                   "找不到中文字体 Noto Sans CJK SC（请安装 fonts-noto-cjk，或设置 "
                   "JX_REPORT_FONT_DIR）(no CJK font: install fonts-noto-cjk or set "
                   "JX_REPORT_FONT_DIR)");
        return NULL;
    }
    return fc;
}

static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;
static FcConfig *fonts_config; /* made once, read only after */
static char fonts_err[256];

static void fonts_init(void)
{
    fonts_config = font_config(fonts_err, sizeof fonts_err);
    if (fonts_config) /* FcInit() (Pango calls it) now finds it and loads nothing else */
        FcConfigSetCurrent(fonts_config);
}

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int length)
{
    jr_buf *b = closure;
    jr_put(b, (const char *)data, length);
    return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int jr_render_pdf(const jr_model *m, jr_buf *out, char *err, size_t errlen)
{
    static const struct {
        double size;
        PangoWeight weight;
    } fonts[NFONT] = {
        [F_TITLE] = {18, PANGO_WEIGHT_BOLD}, [F_HEAD] = {14, PANGO_WEIGHT_BOLD},
        [F_BODY] = {11, PANGO_WEIGHT_NORMAL}, [F_CELL] = {9.5, PANGO_WEIGHT_NORMAL},
        [F_CELL_B] = {9.5, PANGO_WEIGHT_BOLD}, [F_SMALL] = {8, PANGO_WEIGHT_NORMAL},
        [F_COLHEAD] = {9, PANGO_WEIGHT_BOLD},
    };
    int rc = -1;
    pdfw w = {.m = m, .err = err, .errlen = errlen};
    PangoFontMap *fm = NULL;
    cairo_surface_t *s = NULL;
    pthread_once(&fonts_once, fonts_init);
    if (!fonts_config) {
        jr_set_err(err, errlen, "%s", fonts_err);
        return -1;
    }
    fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!fm) {
        jr_set_err(err, errlen, "无法创建字体映射 (cannot create a font map)");
        return -1;
    }
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fm), fonts_config); /* takes a reference */

    s = cairo_pdf_surface_create_for_stream(sink, out, PAGE_W, PAGE_H);
    w.cr = cairo_create(s);
    if (cairo_status(w.cr) != CAIRO_STATUS_SUCCESS) {
        jr_set_err(err, errlen, "无法创建 PDF (cannot create the PDF surface)");
        goto cleanup;
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, m->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "jixiao");
    w.pc = pango_font_map_create_context(fm);
    pango_cairo_update_context(w.cr, w.pc);
    pango_cairo_context_set_resolution(w.pc, 72); /* font sizes in PDF points */
    pango_context_set_language(w.pc, pango_language_from_string("zh-cn"));
    for (int i = 0; i < NFONT; i++) {
        w.fd[i] = pango_font_description_new();
        pango_font_description_set_family_static(w.fd[i], FAMILY);
        pango_font_description_set_size(w.fd[i], (int)(fonts[i].size * PANGO_SCALE));
        pango_font_description_set_weight(w.fd[i], fonts[i].weight);
    }

    document(&w); /* measure */
    if (w.too_large)
        rc = JX_REPORT_TOO_LARGE;
    if (w.failed)
        goto cleanup;
    w.pages = w.page;
    w.draw = true;
    document(&w); /* draw */
    if (w.failed)
        goto cleanup;
    cairo_destroy(w.cr);
    w.cr = NULL;
    cairo_surface_finish(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        jr_set_err(err, errlen, "PDF 生成失败：%s (PDF rendering failed)",
                   cairo_status_to_string(cairo_surface_status(s)));
        goto cleanup;
    }
    rc = 0;
cleanup:
    for (int c = 0; c < MAXCOLS; c++)
        if (w.seg[c].label)
            g_object_unref(w.seg[c].label);
    for (int i = 0; i < NFONT; i++)
        if (w.fd[i])
            pango_font_description_free(w.fd[i]);
    if (w.pc)
        g_object_unref(w.pc);
    if (w.cr)
        cairo_destroy(w.cr);
    if (s)
        cairo_surface_destroy(s);
    g_object_unref(fm);
    return rc;
}
