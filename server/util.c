/*
 * util.c -- strbuf, clocks, JSON escaping.
 *
 * The strbuf grows geometrically and is sticky on failure: after an
 * allocation fails every further append is a no-op and sb_take returns
 * NULL, so a response builder needs one check, not twenty.
 */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sb_init(strbuf *sb)
{
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->oom = 0;
}

void sb_free(strbuf *sb)
{
    free(sb->buf);
    sb_init(sb);
}

static int sb_reserve(strbuf *sb, size_t extra)
{
    size_t need, cap;
    char *nb;

    if (sb->oom)
        return -1;
    need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 0;
    cap = sb->cap ? sb->cap : 256;
    while (cap < need)
        cap *= 2;
    nb = realloc(sb->buf, cap);
    if (!nb) {
        sb->oom = 1;
        return -1;
    }
    sb->buf = nb;
    sb->cap = cap;
    return 0;
}

void sb_append(strbuf *sb, const char *s, size_t n)
{
    if (sb_reserve(sb, n) < 0)
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_puts(strbuf *sb, const char *s)
{
    sb_append(sb, s, strlen(s));
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sb_reserve(sb, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void sb_json_str(strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;

    sb_append(sb, "\"", 1);
    for (; *p; p++) {
        char esc[8];

        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        sb_append(sb, (const char *)run, (size_t)(p - run));
        switch (*p) {
        case '"': sb_append(sb, "\\\"", 2); break;
        case '\\': sb_append(sb, "\\\\", 2); break;
        case '\n': sb_append(sb, "\\n", 2); break;
        case '\r': sb_append(sb, "\\r", 2); break;
        case '\t': sb_append(sb, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            sb_append(sb, esc, 6);
        }
        run = p + 1;
    }
    sb_append(sb, (const char *)run, (size_t)(p - run));
    sb_append(sb, "\"", 1);
}

char *sb_take(strbuf *sb, size_t *len)
{
    char *b;

    if (sb->oom) {
        sb_free(sb);
        return NULL;
    }
    if (!sb->buf && sb_reserve(sb, 0) < 0)
        return NULL;
    b = sb->buf;
    b[sb->len] = '\0';
    if (len)
        *len = sb->len;
    sb_init(sb);
    return b;
}

double now_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void now_rfc3339(char *out, size_t outlen)
{
    /* every request's log line has one: the date and time are formatted
     * once a second per thread, only the milliseconds each time */
    static _Thread_local time_t sec = (time_t)-1;
    static _Thread_local char base[24];
    struct timespec ts;
    int ms;

    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != sec) {
        struct tm tm;

        gmtime_r(&ts.tv_sec, &tm);
        strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
        sec = ts.tv_sec;
    }
    ms = (int)(ts.tv_nsec / 1000000);
    if (outlen >= sizeof base + 5) {
        size_t n = strlen(base);

        memcpy(out, base, n);
        out[n] = '.';
        out[n + 1] = (char)('0' + ms / 100);
        out[n + 2] = (char)('0' + ms / 10 % 10);
        out[n + 3] = (char)('0' + ms % 10);
        out[n + 4] = 'Z';
        out[n + 5] = '\0';
    } else if (outlen) {
        out[0] = '\0';     /* too small for a time: none */
    }
}

size_t fmt_i64(int64_t v, char *out)
{
    char tmp[20];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0, i = 0;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[i++] = '-';
    while (n)
        out[i++] = tmp[--n];
    out[i] = '\0';
    return i;
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* Days since 1970-01-01 to the proleptic Gregorian date (H. Hinnant's
 * civil_from_days): exact for every day PostgreSQL can store. */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    yoe = z - era * 146097;
    yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
    doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void fmt_pg_time(int64_t usec, char *out)
{
    /* floor division, as PostgreSQL's timestamp2tm: the time of day is
     * never negative, a time before 2000 takes its day from below */
    int64_t day = usec / 86400000000LL, tod = usec % 86400000000LL, y;
    int m, d, ms, s;
    char *p = out;

    if (tod < 0) {
        tod += 86400000000LL;
        day--;
    }
    civil(day + 10957, &y, &m, &d);
    if (y >= 0 && y < 10000) {
        p = put2(p, (int)(y / 100));
        p = put2(p, (int)(y % 100));
    } else {
        p += fmt_i64(y, p);
    }
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    s = (int)(tod / 1000000);
    ms = (int)(tod % 1000000 / 1000);
    p = put2(p, s / 3600);
    *p++ = ':';
    p = put2(p, s / 60 % 60);
    *p++ = ':';
    p = put2(p, s % 60);
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    p = put2(p, ms % 100);
    *p++ = 'Z';
    *p = '\0';
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void fen_text(int64_t fen, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s%lld.%02lld", fen < 0 ? "-" : "",
             (long long)(fen < 0 ? -(fen / 100) : fen / 100),
             (long long)(fen < 0 ? -(fen % 100) : fen % 100));
}
