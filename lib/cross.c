/*
 * cross.c -- findings that need more than one document (scoring.md §6).
 *
 * CROSS_TABLE_MISMATCH: an organisation's wide assessment and one of its
 * projects of the same year report "the same" indicator — the same name
 * after normalisation (width, spaces, punctuation, and a trailing 数量 人数
 * 次数 户数 份数 金额 控制额 控制数 数 额 removed) with compatible units —
 * with actuals that are not consistent at the precision each was written
 * with (27 户 in one table, 24 户 in the next).
 *
 * The server finds the documents; this file only compares them, so the
 * rule lives in one place and is tested without a database.
 */
#include "jsonin.h"
#include <stdlib.h>
#include <string.h>

static const char *const SUFFIXES[] = {"控制额", "控制数", "数量", "人数", "次数", "户数",
                                       "份数", "金额", "数", "额"};

/* the comparison key of an indicator name, in the arena */
static char *name_key(jx_arena *a, const char *name)
{
    char *k = jx_norm_text(a, name);
    if (!k)
        return NULL;
    size_t n = strlen(k);
    for (size_t i = 0; i < sizeof SUFFIXES / sizeof *SUFFIXES; i++) {
        size_t s = strlen(SUFFIXES[i]);
        if (n > s && memcmp(k + n - s, SUFFIXES[i], s) == 0) {
            k[n - s] = 0;
            break;
        }
    }
    return k;
}

/* Two written values agree when either is consistent with the other at
 * the precision it was written with. */
static bool values_agree(const jx_value *a, const jx_value *b, bool *comparable)
{
    jx_q A, B;
    *comparable = false;
    if (a->kind != JX_VAL_NUMBER || b->kind != JX_VAL_NUMBER)
        return true;
    if (!jx_reconcile(a, b, &A, &B))
        return true;   /* incompatible units: not "the same" indicator */
    *comparable = true;
    int pa = a->prec, pb = b->prec;
    /* a unit-less side took the other's unit: its precision moves with it */
    if (a->unit_kind == JX_UNIT_NONE && b->unit_kind == JX_UNIT_MONEY)
        pa += 2;
    if (b->unit_kind == JX_UNIT_NONE && a->unit_kind == JX_UNIT_MONEY)
        pb += 2;
    if (a->unit_kind == JX_UNIT_NONE && (b->unit_kind == JX_UNIT_PERCENT || b->unit_kind == JX_UNIT_POINTS))
        pa -= 2;
    if (b->unit_kind == JX_UNIT_NONE && (a->unit_kind == JX_UNIT_PERCENT || a->unit_kind == JX_UNIT_POINTS))
        pb -= 2;
    return jx_consistent(A, pa, B) || jx_consistent(B, pb, A);
}

char *jx_cross_findings(const jx_document *doc, const jx_document *other, const char *other_label)
{
    jx_arena a = {0};
    jx_buf b = {0};
    int n = 0;
    jx_buf_puts(&b, "[");
    for (int i = 0; i < doc->ninds; i++) {
        const jx_indicator *x = &doc->inds[i];
        if (!x->name || !x->actual.present || x->actual.v.kind != JX_VAL_NUMBER)
            continue;
        const char *kx = name_key(&a, x->name);
        for (int j = 0; kx && j < other->ninds; j++) {
            const jx_indicator *y = &other->inds[j];
            if (!y->name || !y->actual.present || y->actual.v.kind != JX_VAL_NUMBER)
                continue;
            const char *ky = name_key(&a, y->name);
            if (!ky || strcmp(kx, ky) != 0)
                continue;
            bool comparable;
            if (values_agree(&x->actual.v, &y->actual.v, &comparable) || !comparable)
                continue;
            char ptr[JX_PTR_MAX];
            jx_ptr_i(ptr, sizeof ptr, "/indicators", (size_t)i);
            jx_ptr(ptr, sizeof ptr, ptr, "actual");
            char *msg = jx_sprintf(&a,
                                   "指标“%s”的实际完成值“%s”与%s中同一指标“%s”的“%s”不一致 "
                                   "(the same indicator reports inconsistent actuals in %s, indicator %d)",
                                   x->name, x->actual.text ? x->actual.text : "",
                                   other_label ? other_label : "另一份报告", y->name,
                                   y->actual.text ? y->actual.text : "",
                                   other_label ? other_label : "another document", j);
            jx_buf_puts(&b, n++ ? ",{\"code\":\"CROSS_TABLE_MISMATCH\",\"severity\":\"warning\",\"pointer\":"
                                : "{\"code\":\"CROSS_TABLE_MISMATCH\",\"severity\":\"warning\",\"pointer\":");
            jx_buf_json_str(&b, ptr);
            jx_buf_puts(&b, ",\"message\":");
            jx_buf_json_str(&b, msg ? msg : "");
            jx_buf_puts(&b, "}");
        }
    }
    jx_buf_puts(&b, "]");
    jx_arena_free(&a);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int jx_amounts_consistent(const char *a, const char *b)
{
    int64_t fa, fb;
    int pa, pb;
    jx_error e;
    if (jx_parse_money(a, &fa, &pa, &e) != 0 || jx_parse_money(b, &fb, &pb, &e) != 0)
        return -1;
    if (pa < 0)
        pa = 0;
    if (pb < 0)
        pb = 0;
    return jx_consistent(jx_q_int(fa), pa, jx_q_int(fb)) ||
           jx_consistent(jx_q_int(fb), pb, jx_q_int(fa));
}

const char *jx_document_name(const jx_document *doc) { return doc->name; }
const char *jx_document_org(const jx_document *doc) { return doc->org; }
int jx_document_year(const jx_document *doc) { return doc->year; }
const char *jx_document_scope(const jx_document *doc) { return doc->scope; }
const char *jx_document_framework(const jx_document *doc) { return doc->fw ? doc->fw->id : NULL; }
