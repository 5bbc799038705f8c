/*
 * lib/office/zip.c -- the .xlsx/.docx container, read with libzip straight
 * from the caller's buffer (no file, no copy).
 *
 * Why bounded here: a zip bomb is a small file whose entries inflate to
 * gigabytes, and an entry's declared size can lie.  So every byte actually
 * inflated is counted: one file may inflate to JX_OFFICE_MAX_TOTAL bytes in
 * all, and one entry to JX_OFFICE_MAX_RATIO times its compressed size (past
 * a first MiB, which any small entry may use).  Entries are streamed to the
 * XML parser in 64 KiB chunks, so memory stays bounded whatever the file
 * says; crossing a bound stops the read with ZIP_BOMB.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#define CHUNK 65536u
#define RATIO_FLOOR (1u << 20)

struct jx_zip {
    zip_t *za;
    uint64_t inflated; /* every entry so far */
};

void jx_office_fail(jx_office_error *err, jx_office_status st, const char *code, const char *fmt,
                    ...)
{
    if (!err || err->status != JX_OFFICE_OK)
        return; /* the first failure is the one to tell */
    err->status = st;
    snprintf(err->code, sizeof err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

jx_zip *jx_zip_open(const void *data, size_t len, jx_office_error *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    jx_zip *z = calloc(1, sizeof *z);
    zip_source_t *src = NULL;
    if (!z) {
        jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        goto fail;
    }
    src = zip_source_buffer_create(len ? data : "", len, 0, &ze);
    if (!src) {
        jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        goto fail;
    }
    /* no ZIP_CHECKCONS: the bounds do not depend on it, and it refuses files
     * some office suites write with harmless inconsistencies */
    z->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z->za) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "NOT_OFFICE",
                       "文件不是有效的 .xlsx 或 .docx（zip 容器无法打开：%s）"
                       " (not a readable .xlsx/.docx: %s)",
                       zip_error_strerror(&ze), zip_error_strerror(&ze));
        zip_source_free(src);
        goto fail;
    }
    zip_int64_t n = zip_get_num_entries(z->za, 0);
    if (n < 0 || (uint64_t)n > JX_OFFICE_MAX_ENTRIES) {
        jx_office_fail(err, JX_OFFICE_ELIMIT, "ZIP_ENTRIES",
                       "文件包含 %lld 个条目，超过上限 %u (too many entries in the container)",
                       (long long)n, JX_OFFICE_MAX_ENTRIES);
        goto fail;
    }
    zip_error_fini(&ze);
    return z;
fail:
    zip_error_fini(&ze);
    jx_zip_close(z);
    return NULL;
}

void jx_zip_close(jx_zip *z)
{
    if (!z)
        return;
    if (z->za)
        zip_discard(z->za);
    free(z);
}

bool jx_zip_has(jx_zip *z, const char *name)
{
    return zip_name_locate(z->za, name, 0) >= 0;
}

bool jx_zip_stream(jx_zip *z, const char *name, jx_zip_sink fn, void *u, jx_office_error *err)
{
    bool ok = false;
    zip_file_t *f = NULL;
    char *buf = NULL;
    zip_int64_t idx = zip_name_locate(z->za, name, 0);
    zip_stat_t st;
    if (idx < 0 || zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) != 0) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "PART_MISSING", "文件缺少部件 '%s' (part missing)",
                       name);
        goto cleanup;
    }
    uint64_t comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    uint64_t cap = comp * JX_OFFICE_MAX_RATIO;
    if (cap < RATIO_FLOOR)
        cap = RATIO_FLOOR;
    f = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
    buf = malloc(CHUNK);
    if (!buf) {
        jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        goto cleanup;
    }
    if (!f) {
        jx_office_fail(err, JX_OFFICE_EFORMAT, "PART_UNREADABLE",
                       "部件 '%s' 无法读取：%s (part unreadable)", name,
                       zip_strerror(z->za));
        goto cleanup;
    }
    uint64_t got = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, CHUNK);
        if (n < 0) {
            jx_office_fail(err, JX_OFFICE_EFORMAT, "PART_CORRUPT",
                           "部件 '%s' 已损坏：%s (part corrupt)", name,
                           zip_file_strerror(f));
            goto cleanup;
        }
        got += (uint64_t)n;
        z->inflated += (uint64_t)n;
        if (got > cap || z->inflated > JX_OFFICE_MAX_TOTAL) {
            jx_office_fail(err, JX_OFFICE_ELIMIT, "ZIP_BOMB",
                           "部件 '%s' 解压后过大（超过压缩大小的 %u 倍或总计 %u MiB），拒绝读取"
                           " (part inflates beyond the bounds: a zip bomb?)",
                           name, JX_OFFICE_MAX_RATIO, JX_OFFICE_MAX_TOTAL >> 20);
            goto cleanup;
        }
        if (!fn(u, buf, (size_t)n, n == 0))
            goto cleanup;
        if (n == 0)
            break;
    }
    ok = true;
cleanup:
    if (f)
        zip_fclose(f);
    free(buf);
    return ok;
}
