/*
 * office_zip.h -- a zip built in memory with libzip, for the office reader's
 * unit test and fuzz targets: they write the parts of an .xlsx/.docx as
 * strings and read them back through jx_office_read().
 */
#ifndef JX_TEST_OFFICE_ZIP_H
#define JX_TEST_OFFICE_ZIP_H

#include <stdlib.h>
#include <string.h>

#include <zip.h>

/* Parts as name/content pairs (content NUL-terminated unless lens gives a
 * length), deflated (or stored).  Returns malloc'd bytes, or NULL. */
static inline unsigned char *oz_build(const char *const *names, const char *const *contents,
                                      const size_t *lens, size_t n, int store, size_t *len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    unsigned char *out = NULL;
    if (!src)
        return NULL;
    zip_source_keep(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za)
        goto done;
    for (size_t i = 0; i < n; i++) {
        size_t l = lens ? lens[i] : strlen(contents[i]);
        zip_source_t *s = zip_source_buffer(za, contents[i], l, 0);
        zip_int64_t idx = s ? zip_file_add(za, names[i], s, ZIP_FL_OVERWRITE) : -1;
        if (idx < 0) {
            zip_source_free(s);
            zip_discard(za);
            goto done;
        }
        zip_set_file_compression(za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
    }
    if (zip_close(za) != 0) {
        zip_discard(za);
        goto done;
    }
    zip_stat_t st;
    if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
        goto done;
    out = malloc(st.size ? st.size : 1);
    if (out && zip_source_read(src, out, st.size) != (zip_int64_t)st.size) {
        free(out);
        out = NULL;
    }
    zip_source_close(src);
    *len = st.size;
done:
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

#define OZ_CT "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
#define OZ_WB                                                                                      \
    "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"   \
    "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define OZ_RELS                                                                                    \
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
    "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>"

/* An .xlsx of one sheet (its XML, len bytes) and optional styles. */
static inline unsigned char *oz_xlsx(const char *sheet, size_t sheet_len, const char *styles,
                                     size_t *len)
{
    const char *names[] = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/worksheets/sheet1.xml", "xl/styles.xml"};
    const char *contents[] = {OZ_CT, OZ_WB, OZ_RELS, sheet, styles ? styles : ""};
    size_t lens[] = {strlen(OZ_CT), strlen(OZ_WB), strlen(OZ_RELS), sheet_len,
                     styles ? strlen(styles) : 0};
    return oz_build(names, contents, lens, styles ? 5 : 4, 0, len);
}

/* A .docx of one document.xml (len bytes). */
static inline unsigned char *oz_docx(const char *doc, size_t doc_len, size_t *len)
{
    const char *names[] = {"[Content_Types].xml", "word/document.xml"};
    const char *contents[] = {OZ_CT, doc};
    size_t lens[] = {strlen(OZ_CT), doc_len};
    return oz_build(names, contents, lens, 2, 0, len);
}

#endif
