/*
 * lib/office/xlsx.c -- an .xlsx workbook as one grid per visible sheet.
 *
 * Parts read: xl/workbook.xml (sheet names, order, hidden state),
 * xl/_rels/workbook.xml.rels (where each sheet is), xl/sharedStrings.xml
 * (shared strings; phonetic runs <rPh> left out), xl/styles.xml (which cell
 * styles show a number as a percent or a date: 0.95 shown as 95% is read
 * as "95%", and 44926 shown as a date as "2022年12月31日", the way the person
 * sees it -- a 时效指标's target is often typed as a date), and each sheet's
 * <sheetData> and
 * <mergeCells>.  Numbers are printed back to 15 significant digits, so a
 * stored 8.5099999999999998 reads as the 8.51 that was typed.
 *
 * Hidden sheets are left out: they hold lists for drop-downs (our own
 * template's among them), not tables a person filled in.  Only the rows
 * that hold something make up the grid (a sheet's row numbers are kept for
 * the places), and non-empty cells are bounded over the whole file.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name, *rid, *target;
    bool hidden;
} sheet_ref;

typedef struct {
    uint32_t row, col; /* 1-based */
    char *text;
} raw_cell;

typedef struct {
    uint32_t r0, c0, r1, c1; /* 1-based, inclusive */
} merge_ref;

typedef struct {
    jx_office_error *err;
    jx_xml_handlers *h;
    /* workbook */
    sheet_ref *sheets;
    size_t nsheets, capsheets;
    /* shared strings */
    char **sst;
    size_t nsst, capsst;
    int in_si, in_t, in_rph;
    jx_sbuf text;
    /* styles */
    unsigned char *xf_kind; /* per cell style: NUM_PLAIN, NUM_PERCENT, NUM_DATE */
    size_t nxf, capxf;
    uint32_t fmt_id[64];  /* custom numFmt ids that show a percent or a date */
    unsigned char fmt_kind[64];
    size_t nfmt;
    int in_cellxfs;
    /* sheet */
    raw_cell *cells;
    size_t ncells, capcells;
    size_t total_cells; /* over the file */
    merge_ref *merges;
    size_t nmerges, capmerges;
    uint32_t row, col;
    char ctype[16];
    long style;
    int in_c, in_v, in_is;
} xlsx;

static void *grow(void *p, size_t *cap, size_t need, size_t size, xlsx *x)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(p, nc * size);
    if (!np) {
        jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        if (x->h)
            jx_xml_stop(x->h);
        return NULL;
    }
    *cap = nc;
    return np;
}

/* ---- workbook.xml and its relationships ---- */

static void wb_start(void *u, const char *name, const char **attrs)
{
    xlsx *x = u;
    if (strcmp(name, "sheet") != 0)
        return;
    const char *n = jx_xml_attr(attrs, "name"), *id = jx_xml_attr(attrs, "id"),
               *state = jx_xml_attr(attrs, "state");
    if (!n || !id)
        return;
    sheet_ref *ns = grow(x->sheets, &x->capsheets, x->nsheets + 1, sizeof *ns, x);
    if (!ns)
        return;
    x->sheets = ns;
    sheet_ref *s = &x->sheets[x->nsheets++];
    *s = (sheet_ref){strdup(n), strdup(id), NULL, state && strcmp(state, "visible") != 0};
    if (!s->name || !s->rid) {
        jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        jx_xml_stop(x->h);
    }
}

static void rels_start(void *u, const char *name, const char **attrs)
{
    xlsx *x = u;
    if (strcmp(name, "Relationship") != 0)
        return;
    const char *id = jx_xml_attr(attrs, "Id"), *t = jx_xml_attr(attrs, "Target");
    if (!id || !t)
        return;
    for (size_t i = 0; i < x->nsheets; i++) {
        sheet_ref *s = &x->sheets[i];
        if (s->target || strcmp(s->rid, id) != 0)
            continue;
        size_t n = strlen(t) + 8;
        s->target = malloc(n);
        if (!s->target) {
            jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
            jx_xml_stop(x->h);
            return;
        }
        if (t[0] == '/')
            snprintf(s->target, n, "%s", t + 1);
        else
            snprintf(s->target, n, "xl/%s", t);
    }
}

/* ---- sharedStrings.xml ---- */

static void sst_start(void *u, const char *name, const char **attrs)
{
    (void)attrs;
    xlsx *x = u;
    if (strcmp(name, "si") == 0) {
        x->in_si = 1;
        x->text.len = 0;
    } else if (strcmp(name, "rPh") == 0)
        x->in_rph++;
    else if (strcmp(name, "t") == 0 && x->in_si && !x->in_rph)
        x->in_t = 1;
}

static void sst_end(void *u, const char *name)
{
    xlsx *x = u;
    if (strcmp(name, "t") == 0)
        x->in_t = 0;
    else if (strcmp(name, "rPh") == 0 && x->in_rph)
        x->in_rph--;
    else if (strcmp(name, "si") == 0 && x->in_si) {
        x->in_si = 0;
        if (x->nsst >= JX_OFFICE_MAX_CELLS) {
            jx_office_fail(x->err, JX_OFFICE_ELIMIT, "TOO_MANY_CELLS",
                           "共享字符串超过 %u 个 (too many shared strings)", JX_OFFICE_MAX_CELLS);
            jx_xml_stop(x->h);
            return;
        }
        char **ns = grow(x->sst, &x->capsst, x->nsst + 1, sizeof *ns, x);
        if (!ns)
            return;
        x->sst = ns;
        char *t = jx_sbuf_take(&x->text);
        if (!t) {
            jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
            jx_xml_stop(x->h);
            return;
        }
        x->sst[x->nsst++] = t;
    }
}

static void sst_text(void *u, const char *s, int len)
{
    xlsx *x = u;
    if (x->in_t)
        jx_sbuf_add(&x->text, s, (size_t)len);
}

/* ---- styles.xml: which cell styles are percents or dates ---- */

enum { NUM_PLAIN = 0, NUM_PERCENT, NUM_DATE };

/* what a number format code shows: a % outside quotes is a percent; y, m
 * or d outside quotes and [..] is a date (times alone are read as numbers) */
static int code_kind(const char *code)
{
    bool quoted = false, bracket = false, date = false;
    for (const char *p = code; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (*p == '\\' && p[1])
            p++;
        else if (*p == '[')
            bracket = true;
        else if (*p == ']')
            bracket = false;
        else if (bracket)
            continue;
        else if (*p == '%')
            return NUM_PERCENT;
        else if (*p == 'y' || *p == 'Y' || *p == 'd' || *p == 'D' || *p == 'm' || *p == 'M')
            date = true;
    }
    return date ? NUM_DATE : NUM_PLAIN;
}

/* the built-in formats: 9, 10 percents; 14-17, 22, 27-36, 50-58 dates */
static int builtin_kind(uint32_t id)
{
    if (id == 9 || id == 10)
        return NUM_PERCENT;
    if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return NUM_DATE;
    return NUM_PLAIN;
}

static void sty_start(void *u, const char *name, const char **attrs)
{
    xlsx *x = u;
    if (strcmp(name, "numFmt") == 0) {
        const char *id = jx_xml_attr(attrs, "numFmtId"), *code = jx_xml_attr(attrs, "formatCode");
        int kind = code ? code_kind(code) : NUM_PLAIN;
        if (id && kind != NUM_PLAIN && x->nfmt < sizeof x->fmt_id / sizeof *x->fmt_id) {
            x->fmt_id[x->nfmt] = (uint32_t)strtoul(id, NULL, 10);
            x->fmt_kind[x->nfmt++] = (unsigned char)kind;
        }
    } else if (strcmp(name, "cellXfs") == 0)
        x->in_cellxfs = 1;
    else if (strcmp(name, "xf") == 0 && x->in_cellxfs) {
        if (x->nxf >= 65536)
            return;
        unsigned char *nx = grow(x->xf_kind, &x->capxf, x->nxf + 1, sizeof *nx, x);
        if (!nx)
            return;
        x->xf_kind = nx;
        const char *id = jx_xml_attr(attrs, "numFmtId");
        uint32_t f = id ? (uint32_t)strtoul(id, NULL, 10) : 0;
        int kind = builtin_kind(f);
        for (size_t i = 0; i < x->nfmt; i++)
            if (x->fmt_id[i] == f)
                kind = x->fmt_kind[i];
        x->xf_kind[x->nxf++] = (unsigned char)kind;
    }
}

static void sty_end(void *u, const char *name)
{
    xlsx *x = u;
    if (strcmp(name, "cellXfs") == 0)
        x->in_cellxfs = 0;
}

/* ---- a sheet ---- */

/* "E7" -> column 5, row 7; false when it is not a cell reference */
static bool parse_ref(const char *s, uint32_t *row, uint32_t *col)
{
    uint64_t c = 0, r = 0;
    const char *p = s;
    while (*p == '$')
        p++;
    for (; *p >= 'A' && *p <= 'Z'; p++) {
        c = c * 26 + (uint64_t)(*p - 'A' + 1);
        if (c > 16384)
            return false;
    }
    while (*p == '$')
        p++;
    if (p == s || *p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        r = r * 10 + (uint64_t)(*p - '0');
        if (r > 1048576)
            return false;
    }
    if (c == 0 || r == 0)
        return false;
    *row = (uint32_t)r;
    *col = (uint32_t)c;
    return *p == '\0' || *p == ':';
}

static void sh_start(void *u, const char *name, const char **attrs)
{
    xlsx *x = u;
    if (strcmp(name, "row") == 0) {
        const char *r = jx_xml_attr(attrs, "r");
        unsigned long v = r ? strtoul(r, NULL, 10) : 0;
        x->row = v >= 1 && v <= 1048576 ? (uint32_t)v : x->row + 1;
        x->col = 0;
    } else if (strcmp(name, "c") == 0) {
        const char *r = jx_xml_attr(attrs, "r"), *t = jx_xml_attr(attrs, "t"),
                   *s = jx_xml_attr(attrs, "s");
        uint32_t rr, cc;
        if (r && parse_ref(r, &rr, &cc)) {
            x->row = rr;
            x->col = cc;
        } else
            x->col++;
        if (x->row == 0)
            x->row = 1;
        snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
        x->style = s ? strtol(s, NULL, 10) : -1;
        x->in_c = 1;
        x->text.len = 0;
    } else if (x->in_c && strcmp(name, "v") == 0)
        x->in_v = 1;
    else if (x->in_c && strcmp(name, "is") == 0)
        x->in_is = 1;
    else if (x->in_is && strcmp(name, "rPh") == 0)
        x->in_rph++;
    else if (x->in_is && strcmp(name, "t") == 0 && !x->in_rph)
        x->in_t = 1;
    else if (strcmp(name, "mergeCell") == 0) {
        const char *ref = jx_xml_attr(attrs, "ref");
        const char *colon = ref ? strchr(ref, ':') : NULL;
        merge_ref m;
        if (!colon || !parse_ref(ref, &m.r0, &m.c0) || !parse_ref(colon + 1, &m.r1, &m.c1) ||
            m.r1 < m.r0 || m.c1 < m.c0)
            return; /* a merge we cannot read changes nothing */
        if (x->nmerges >= JX_OFFICE_MAX_CELLS) {
            jx_office_fail(x->err, JX_OFFICE_ELIMIT, "TOO_MANY_CELLS",
                           "合并单元格超过 %u 个 (too many merged cells)", JX_OFFICE_MAX_CELLS);
            jx_xml_stop(x->h);
            return;
        }
        merge_ref *nm = grow(x->merges, &x->capmerges, x->nmerges + 1, sizeof *nm, x);
        if (!nm)
            return;
        x->merges = nm;
        x->merges[x->nmerges++] = m;
    }
}

/* days since 1970-01-01 -> civil date (H. Hinnant's algorithm) */
static void civil(long z, long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long)yoe + era * 400 + (*m <= 2);
}

/* A number as it was typed: 15 significant digits, a percent style as
 * "95%", a date style as "2022年12月31日" (the 1900 date system). */
static char *number_text(const char *v, int kind)
{
    char *end;
    double d = strtod(v, &end);
    char buf[64];
    if (end == v || *end != '\0')
        return strdup(v);
    if (kind == NUM_PERCENT)
        snprintf(buf, sizeof buf, "%.15g%%", d * 100.0);
    else if (kind == NUM_DATE && d >= 1 && d < 2958466) { /* 1900-01-01 .. 9999-12-31 */
        long y;
        unsigned m, day;
        civil((long)d - 25569, &y, &m, &day); /* serial 25569 is 1970-01-01 */
        snprintf(buf, sizeof buf, "%ld年%u月%u日", y, m, day);
    } else
        snprintf(buf, sizeof buf, "%.15g", d);
    return strdup(buf);
}

static void sh_cell_end(xlsx *x)
{
    x->in_c = x->in_v = x->in_is = x->in_t = 0;
    x->in_rph = 0;
    char *raw = jx_sbuf_take(&x->text);
    char *text = NULL;
    if (!raw) {
        jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        jx_xml_stop(x->h);
        return;
    }
    if (strcmp(x->ctype, "s") == 0) {
        char *end;
        unsigned long i = strtoul(raw, &end, 10);
        if (raw[0] == '\0') {
            free(raw);
            return;
        }
        if (*end || i >= x->nsst) {
            char col[16];
            jx_col_letters(x->col, col, sizeof col);
            jx_office_fail(x->err, JX_OFFICE_EFORMAT, "XLSX_CORRUPT",
                           "单元格 %s%u 引用了不存在的共享字符串 '%s' (shared string missing)",
                           col, x->row, raw);
            free(raw);
            jx_xml_stop(x->h);
            return;
        }
        text = strdup(x->sst[i]);
        free(raw);
    } else if (strcmp(x->ctype, "n") == 0 && raw[0]) {
        int kind = x->style >= 0 && (size_t)x->style < x->nxf ? x->xf_kind[x->style] : NUM_PLAIN;
        text = number_text(raw, kind);
        free(raw);
    } else
        text = raw;
    if (!text) {
        jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        jx_xml_stop(x->h);
        return;
    }
    if (!text[0]) {
        free(text);
        return;
    }
    if (++x->total_cells > JX_OFFICE_MAX_CELLS) {
        free(text);
        jx_office_fail(x->err, JX_OFFICE_ELIMIT, "TOO_MANY_CELLS",
                       "文件的非空单元格超过 %u 个，拒绝读取 (too many cells)",
                       JX_OFFICE_MAX_CELLS);
        jx_xml_stop(x->h);
        return;
    }
    raw_cell *nc = grow(x->cells, &x->capcells, x->ncells + 1, sizeof *nc, x);
    if (!nc) {
        free(text);
        return;
    }
    x->cells = nc;
    x->cells[x->ncells++] = (raw_cell){x->row, x->col, text};
}

static void sh_end(void *u, const char *name)
{
    xlsx *x = u;
    if (strcmp(name, "c") == 0 && x->in_c)
        sh_cell_end(x);
    else if (strcmp(name, "v") == 0)
        x->in_v = 0;
    else if (strcmp(name, "t") == 0)
        x->in_t = 0;
    else if (strcmp(name, "rPh") == 0 && x->in_rph)
        x->in_rph--;
    else if (strcmp(name, "is") == 0)
        x->in_is = 0;
}

static void sh_text(void *u, const char *s, int len)
{
    xlsx *x = u;
    if (x->in_v || x->in_t)
        jx_sbuf_add(&x->text, s, (size_t)len);
}

static int cmp_cell(const void *a, const void *b)
{
    const raw_cell *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

/* the first grid row whose sheet row is >= r */
static uint32_t lower_row(const uint32_t *rows, uint32_t n, uint32_t r)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (rows[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool build_grid(xlsx *x, const char *sheet, jx_grids *out)
{
    bool ok = false;
    uint32_t *rows = NULL;
    jx_grid *g = NULL;
    if (x->ncells)
        qsort(x->cells, x->ncells, sizeof *x->cells, cmp_cell);
    uint32_t nrows = 0, ncols = 0;
    rows = malloc((x->ncells + 1) * sizeof *rows);
    if (!rows) {
        jx_office_fail(x->err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        goto cleanup;
    }
    for (size_t i = 0; i < x->ncells; i++) {
        if (nrows == 0 || rows[nrows - 1] != x->cells[i].row)
            rows[nrows++] = x->cells[i].row;
        if (x->cells[i].col > ncols)
            ncols = x->cells[i].col;
    }
    g = jx_grid_new(JX_GRID_SHEET, sheet, (unsigned)out->count + 1, nrows, ncols, x->err);
    if (!g)
        goto cleanup;
    for (uint32_t r = 0; r < nrows; r++)
        for (uint32_t c = 0; c < ncols; c++)
            jx_grid_at(g, r, c)->prow = rows[r];
    for (size_t i = 0, r = 0; i < x->ncells; i++) {
        while (rows[r] != x->cells[i].row)
            r++;
        jx_cell *c = jx_grid_at(g, (uint32_t)r, x->cells[i].col - 1);
        if (c->owner)
            free(c->text); /* a cell written twice: the last one stands */
        c->text = x->cells[i].text;
        c->owner = true;
        x->cells[i].text = NULL;
    }
    /* merges: only the rows that exist matter; the work is bounded */
    uint64_t work = 0;
    for (size_t i = 0; i < x->nmerges; i++) {
        merge_ref m = x->merges[i];
        uint32_t a = lower_row(rows, nrows, m.r0);
        if (a >= nrows || rows[a] != m.r0 || m.c0 > ncols)
            continue; /* an empty origin: nothing to spread */
        uint32_t b = lower_row(rows, nrows, m.r1 + 1);
        uint32_t c1 = m.c1 > ncols ? ncols : m.c1;
        work += (uint64_t)(b - a) * (c1 - m.c0 + 1);
        if (work > 4ull * JX_OFFICE_MAX_GRID) {
            jx_office_fail(x->err, JX_OFFICE_ELIMIT, "TOO_MANY_CELLS",
                           "工作表 '%s' 的合并单元格过多 (too many merged cells)", sheet);
            goto cleanup;
        }
        if (b > a)
            jx_grid_merge(g, a, m.c0 - 1, b - 1, c1 - 1);
    }
    if (!jx_grids_add(out, g, x->err)) {
        g = NULL;
        goto cleanup;
    }
    g = NULL;
    ok = true;
cleanup:
    jx_grid_free(g);
    free(rows);
    return ok;
}

static void sheet_reset(xlsx *x)
{
    for (size_t i = 0; i < x->ncells; i++)
        free(x->cells[i].text);
    x->ncells = 0;
    x->nmerges = 0;
    x->row = x->col = 0;
    x->in_c = x->in_v = x->in_is = x->in_t = x->in_rph = 0;
}

bool jx_xlsx_read(jx_zip *z, jx_grids *out, jx_office_error *err)
{
    xlsx x = {.err = err};
    bool ok = false;
    jx_xml_handlers h = {.u = &x};
    x.h = &h;
    h.start = wb_start;
    if (!jx_xml_parse(z, "xl/workbook.xml", &h, err))
        goto cleanup;
    h.start = rels_start;
    if (!jx_xml_parse(z, "xl/_rels/workbook.xml.rels", &h, err))
        goto cleanup;
    if (jx_zip_has(z, "xl/sharedStrings.xml")) {
        h = (jx_xml_handlers){.start = sst_start, .end = sst_end, .text = sst_text, .u = &x};
        if (!jx_xml_parse(z, "xl/sharedStrings.xml", &h, err))
            goto cleanup;
    }
    if (jx_zip_has(z, "xl/styles.xml")) {
        h = (jx_xml_handlers){.start = sty_start, .end = sty_end, .u = &x};
        if (!jx_xml_parse(z, "xl/styles.xml", &h, err))
            goto cleanup;
    }
    for (size_t i = 0; i < x.nsheets; i++) {
        sheet_ref *s = &x.sheets[i];
        if (s->hidden || !s->target)
            continue;
        h = (jx_xml_handlers){.start = sh_start, .end = sh_end, .text = sh_text, .u = &x};
        sheet_reset(&x);
        if (!jx_xml_parse(z, s->target, &h, err) || !build_grid(&x, s->name, out))
            goto cleanup;
    }
    ok = true;
cleanup:
    sheet_reset(&x);
    for (size_t i = 0; i < x.nsheets; i++) {
        free(x.sheets[i].name);
        free(x.sheets[i].rid);
        free(x.sheets[i].target);
    }
    free(x.sheets);
    for (size_t i = 0; i < x.nsst; i++)
        free(x.sst[i]);
    free(x.sst);
    free(x.xf_kind);
    free(x.cells);
    free(x.merges);
    jx_sbuf_reset(&x.text);
    return ok;
}
