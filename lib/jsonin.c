/*
 * jsonin.c -- reading input JSON strictly: numbers as written, unknown
 * fields, JSON pointers.
 *
 * Jansson hands real numbers over as doubles.  A reported total of 97.2 must
 * stay the decimal 97.2 (precision 0.1), so a double is turned back into the
 * shortest decimal text that reads back as the same double — the text the
 * writer typed for any number of up to 15 significant digits — and parsed
 * exactly from there.  Trailing zeros the writer typed ("97.20") are lost by
 * Jansson; strings ("97.20") keep them.
 */
#include "jsonin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_plain_decimal(const char *s, jx_q *q, int *prec)
{
    bool neg = false;
    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    jx_i128 m = 0;
    int dec = 0, digits = 0;
    bool dot = false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (digits >= 18)
                return false;
            m = m * 10 + (*s - '0');
            if (m != 0 || dot)
                digits++;
            if (dot)
                dec++;
        } else if (*s == '.' && !dot) {
            dot = true;
        } else
            break;
    }
    while (*s == ' ')
        s++;
    if (*s || (digits == 0 && m == 0 && !dot && s[-1] != '0'))
        return false;
    if (dec > 8)
        return false;
    *q = jx_q_make(neg ? -m : m, jx_pow10(dec));
    if (prec)
        *prec = -dec;
    return true;
}

bool jx_json_number(json_t *j, jx_q *q, int *prec)
{
    if (json_is_integer(j)) {
        *q = jx_q_int((int64_t)json_integer_value(j));
        if (prec)
            *prec = 0;
        return true;
    }
    if (json_is_real(j)) {
        double v = json_real_value(j);
        /* the shortest plain decimal that reads back as the same double */
        char tmp[64];
        if (!(v > -1e17 && v < 1e17))
            return false;
        for (int p = 1; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*g", p, v);
            if (!strchr(tmp, 'e') && strtod(tmp, NULL) == v)
                return parse_plain_decimal(tmp, q, prec);
        }
        for (int d = 0; d <= 8; d++) {
            snprintf(tmp, sizeof tmp, "%.*f", d, v);
            if (strtod(tmp, NULL) == v)
                return parse_plain_decimal(tmp, q, prec);
        }
        return false;
    }
    if (json_is_string(j))
        return parse_plain_decimal(json_string_value(j), q, prec);
    return false;
}

bool jx_json_cents(json_t *j, int64_t *cents)
{
    jx_q q;
    if (!jx_json_number(j, &q, NULL))
        return false;
    jx_q c;
    if (!jx_q_mul(q, jx_q_int(100), &c) || c.n % c.d != 0)
        return false;
    jx_i128 v = c.n / c.d;
    if (v > 1000000000000LL || v < -1000000000000LL)
        return false;
    *cents = (int64_t)v;
    return true;
}

void jx_ptr(char *out, size_t cap, const char *base, const char *key)
{
    size_t o = strlen(base);
    if (o >= cap)
        o = cap - 1;
    memmove(out, base, o);
    if (o + 1 < cap)
        out[o++] = '/';
    for (; *key && o + 2 < cap; key++) {
        if (*key == '~') {
            out[o++] = '~';
            out[o++] = '0';
        } else if (*key == '/') {
            out[o++] = '~';
            out[o++] = '1';
        } else
            out[o++] = *key;
    }
    out[o] = 0;
}

void jx_ptr_i(char *out, size_t cap, const char *base, size_t i)
{
    char k[24];
    int n = 23;
    k[n] = 0;
    do {
        k[--n] = (char)('0' + i % 10);
        i /= 10;
    } while (i && n > 0);
    jx_ptr(out, cap, base, k + n);
}

bool jx_check_fields(json_t *obj, const char *const *allowed, const char *ptr, jx_errors *errs)
{
    bool ok = true;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) {
                known = true;
                break;
            }
        if (!known) {
            char p[JX_PTR_MAX];
            jx_ptr(p, sizeof p, ptr, key);
            jx_err_add(errs, JX_EFIELD, p, "UNKNOWN_FIELD",
                       "未知字段 '%s'，请检查拼写 (unknown field '%s')", key, key);
            ok = false;
        }
    }
    return ok;
}

const char *jx_json_type_cn(json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "对象 (object)";
    case JSON_ARRAY: return "数组 (array)";
    case JSON_STRING: return "字符串 (string)";
    case JSON_INTEGER:
    case JSON_REAL: return "数字 (number)";
    case JSON_TRUE:
    case JSON_FALSE: return "布尔值 (boolean)";
    case JSON_NULL: return "null";
    }
    return "?";
}

json_t *jx_json_load(const char *text, size_t len, jx_errors *errs)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        jx_err_add(errs, JX_ESYNTAX, "", "JSON_SYNTAX",
                   "JSON 格式错误，第 %d 行第 %d 列: %s (malformed JSON at line %d, column %d)",
                   je.line, je.column, je.text, je.line, je.column);
        if (errs->count <= JX_MAX_ERRORS) {
            errs->items[errs->count - 1].line = je.line < 1 ? 1 : je.line;
            errs->items[errs->count - 1].column = je.column < 1 ? 1 : je.column;
        }
    }
    return j;
}
