/*
 * lib/office/office.c -- the entry points of office.h: what the bytes are,
 * and every 自评表 in them.
 *
 * The kind is taken from the container's parts, never from a file name or
 * a media type alone: an .xlsx has xl/workbook.xml, a .docx
 * word/document.xml, both [Content_Types].xml.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static jx_office_kind kind_of(jx_zip *z)
{
    if (!jx_zip_has(z, "[Content_Types].xml"))
        return JX_OFFICE_NONE;
    if (jx_zip_has(z, "xl/workbook.xml"))
        return JX_OFFICE_XLSX;
    if (jx_zip_has(z, "word/document.xml"))
        return JX_OFFICE_DOCX;
    return JX_OFFICE_NONE;
}

jx_office_kind jx_office_sniff(const void *data, size_t len)
{
    if (!data || len < 4 || memcmp(data, "PK\x03\x04", 4) != 0)
        return JX_OFFICE_NONE;
    jx_office_error err = {0};
    jx_zip *z = jx_zip_open(data, len, &err);
    if (!z)
        return JX_OFFICE_NONE;
    jx_office_kind k = kind_of(z);
    jx_zip_close(z);
    return k;
}

jx_office_status jx_office_read(const void *data, size_t len, const jx_office_opts *opts,
                                json_t **out, jx_office_error *err)
{
    jx_office_error local = {0};
    if (!err)
        err = &local;
    *err = (jx_office_error){0};
    *out = NULL;
    jx_grids grids = {0};
    json_t *res = NULL, *tables = NULL;
    jx_zip *z = NULL;
    if (!data || len < 4 || memcmp(data, "PK\x03\x04", 4) != 0) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "NOT_OFFICE",
                       "文件不是 .xlsx 或 .docx（不是 zip 容器） (not an .xlsx or .docx file)");
        goto cleanup;
    }
    z = jx_zip_open(data, len, err);
    if (!z)
        goto cleanup;
    jx_office_kind kind = kind_of(z);
    if (kind == JX_OFFICE_NONE) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "NOT_OFFICE",
                       "zip 文件中没有工作簿或 Word 文档（缺少 [Content_Types].xml、"
                       "xl/workbook.xml 或 word/document.xml） (not an .xlsx or .docx file)");
        goto cleanup;
    }
    if (!(kind == JX_OFFICE_XLSX ? jx_xlsx_read(z, &grids, err) : jx_docx_read(z, &grids, err)))
        goto cleanup;
    res = json_object();
    tables = json_array();
    if (!res || !tables ||
        json_object_set_new(res, "format", json_string(kind == JX_OFFICE_XLSX ? "xlsx" : "docx")) ||
        json_object_set(res, "tables", tables)) {
        jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        goto cleanup;
    }
    for (size_t i = 0; i < grids.count; i++)
        if (!jx_selfeval_read(grids.items[i], opts, tables, err))
            goto cleanup;
    *out = res;
    res = NULL;
cleanup:
    json_decref(res);
    json_decref(tables);
    jx_grids_free(&grids);
    jx_zip_close(z);
    return err->status;
}

char *jx_office_dumps(const json_t *doc)
{
    return json_dumps(doc, JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER | JSON_COMPACT);
}
