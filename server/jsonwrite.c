/*
 * jsonwrite.c -- the JSON writer beside the quick reader (jsonfast.c):
 * stored documents and answers written as Jansson would write them, faster.
 */
#include "jsonwrite.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* jw_dump writes what json_dumps(v, JW_DUMP_FLAGS) writes, byte
 * for byte (tests/fuzz/fuzz_project.c compares them), in a fifth of the
 * instructions: one growing buffer instead of a callback per token, runs
 * of plain bytes copied at once, integers without printf, and reals that
 * are short decimals (4.5, 73.63: nearly all of a report's) without
 * printf -- json_dumps was a third of the server's instructions per
 * POST /v1/projects (callgrind: two dumps of ~390 k each, %.15g among
 * them).  A real r gets the shortest m / 10^k (k <= 8, m < 10^15) whose
 * nearest double is r; that decimal has at most 15 significant digits
 * and r lies within half an ulp of it, far inside half a unit of the 15th
 * digit, so %.15g prints the same digits; between 1e-4 and 1e15 %g uses no
 * exponent.  Anything else goes through snprintf as Jansson does. */

/* sb_append without the call while the buffer has room (most tokens). */
static inline void put(strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n < sb->cap && !sb->oom) {
        memcpy(sb->buf + sb->len, s, n);
        sb->len += n;
    } else {
        sb_append(sb, s, n);
    }
}

/* r as the short decimal %.15g prints (see above) into buf (>= 32 bytes),
 * with ".0" after an integer when point is set (as Jansson writes reals);
 * its length, or 0 when r is not such a decimal. */
int jw_short_decimal(double r, char *buf, int point)
{
    static const double P10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    double a = r < 0 ? -r : r;
    int k;

    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    for (k = 0; k <= 8; k++) {
        double t = a * P10[k];
        unsigned long long m;
        char dig[24];
        int len = 0, i, pos = 0;

        if (t >= 1e15)
            break;
        m = (unsigned long long)t;
        if ((double)m != t || (double)m / P10[k] != a)
            continue;
        do
            dig[len++] = (char)('0' + m % 10);
        while ((m /= 10) > 0);
        if (r < 0)
            buf[pos++] = '-';
        if (len <= k) {
            buf[pos++] = '0';
            buf[pos++] = '.';
            for (i = len; i < k; i++)
                buf[pos++] = '0';
        }
        for (i = len - 1; i >= 0; i--) {
            buf[pos++] = dig[i];
            if (i == k && len > k && k > 0)
                buf[pos++] = '.';
        }
        if (k > 0) {
            while (buf[pos - 1] == '0')
                pos--;
            if (buf[pos - 1] == '.')
                pos--;
        }
        if (point && !memchr(buf, '.', (size_t)pos)) {
            buf[pos++] = '.';
            buf[pos++] = '0';
        }
        buf[pos] = '\0';
        return pos;
    }
    return 0;
}

static void dump_real(strbuf *sb, double r)
{
    char buf[48], *e;
    int n = jw_short_decimal(r, buf, 1);

    if (n > 0) {
        put(sb, buf, (size_t)n);
        return;
    }
    /* as Jansson's jsonp_dtostr: %.15g, ".0" when it looks like an
     * integer, no '+' and no leading zeros in the exponent */
    n = snprintf(buf, sizeof buf, "%.15g", r);
    if (n < 0 || (size_t)n >= sizeof buf - 3)
        return;
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    if ((e = strchr(buf, 'e')) != NULL) {
        char *start = e + 1, *end;

        if (*start == '-')
            start++;
        end = start;
        while (*end == '+' || *end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(buf + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    put(sb, buf, (size_t)n);
}

static void dump_str(strbuf *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *run = s, *end = s + n;

    put(sb, "\"", 1);
    for (; s < end; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6] = {'\\', 'u', '0', '0', 0, 0};

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(sb, run, (size_t)(s - run));
        switch (c) {
        case '"': put(sb, "\\\"", 2); break;
        case '\\': put(sb, "\\\\", 2); break;
        case '\b': put(sb, "\\b", 2); break;
        case '\f': put(sb, "\\f", 2); break;
        case '\n': put(sb, "\\n", 2); break;
        case '\r': put(sb, "\\r", 2); break;
        case '\t': put(sb, "\\t", 2); break;
        default:
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            put(sb, esc, 6);
        }
        run = s + 1;
    }
    put(sb, run, (size_t)(end - run));
    put(sb, "\"", 1);
}

static void dump_value(strbuf *sb, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        int first = 1;

        put(sb, "{", 1);
        json_object_foreach((json_t *)v, key, x) {
            if (!first)
                put(sb, ",", 1);
            first = 0;
            dump_str(sb, key, strlen(key));
            put(sb, ":", 1);
            dump_value(sb, x);
        }
        put(sb, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        size_t i, n = json_array_size(v);

        put(sb, "[", 1);
        for (i = 0; i < n; i++) {
            if (i)
                put(sb, ",", 1);
            dump_value(sb, json_array_get(v, i));
        }
        put(sb, "]", 1);
        break;
    }
    case JSON_STRING:
        dump_str(sb, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER: {
        char buf[24];
        json_int_t i = json_integer_value(v);
        unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
        int pos = (int)sizeof buf;

        do
            buf[--pos] = (char)('0' + u % 10);
        while ((u /= 10) > 0);
        if (i < 0)
            buf[--pos] = '-';
        put(sb, buf + pos, sizeof buf - (size_t)pos);
        break;
    }
    case JSON_REAL:
        dump_real(sb, json_real_value(v));
        break;
    case JSON_TRUE:
        put(sb, "true", 4);
        break;
    case JSON_FALSE:
        put(sb, "false", 5);
        break;
    default:
        put(sb, "null", 4);
    }
}

char *jw_dump(const json_t *v, size_t *len)
{
    strbuf sb;

    sb_init(&sb);
    if (v)
        dump_value(&sb, v);
    return sb_take(&sb, len);
}
