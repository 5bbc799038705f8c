/*
 * test_util.c -- the server's number and time formatting (server/util.c):
 * fmt_i64 over the whole int64 range, and fmt_pg_time, which turns a
 * binary PostgreSQL timestamp into exactly what SQL's jx_time() prints
 * (to_char 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"': milliseconds truncated, the
 * time of day never negative).  Checked against known values and against
 * gmtime_r for a sweep of instants from 1901 to 2200.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jxtest.h"
#include "util.h"

#define EPOCH_2000 946684800LL /* seconds from 1970 to 2000 */

static void check_i64(int64_t v, const char *want)
{
    char out[24];
    size_t n = fmt_i64(v, out);

    jt_case("fmt_i64 %s", want);
    CHECK_STR(out, want);
    CHECK_INT(n, strlen(want));
}

static void check_time(int64_t usec, const char *want)
{
    char out[40];

    jt_case("fmt_pg_time %" PRId64, usec);
    fmt_pg_time(usec, out);
    CHECK_STR(out, want);
}

/* The same instant through gmtime_r: floor of the microseconds to
 * milliseconds, as PostgreSQL does. */
static void check_against_gmtime(int64_t usec)
{
    int64_t sec = usec / 1000000, us = usec % 1000000;
    char want[48], got[40];
    struct tm tm;
    time_t t;

    if (us < 0) {
        us += 1000000;
        sec--;
    }
    t = (time_t)(sec + EPOCH_2000);
    gmtime_r(&t, &tm);
    snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us / 1000));
    fmt_pg_time(usec, got);
    jt_case("fmt_pg_time vs gmtime %" PRId64, usec);
    CHECK_STR(got, want);
}

int main(void)
{
    int64_t u, step;

    check_i64(0, "0");
    check_i64(7, "7");
    check_i64(-1, "-1");
    check_i64(1234567890123LL, "1234567890123");
    check_i64(INT64_MAX, "9223372036854775807");
    check_i64(INT64_MIN, "-9223372036854775808");

    /* values checked against PostgreSQL 15's jx_time() */
    check_time(0, "2000-01-01T00:00:00.000Z");
    check_time(-500, "1999-12-31T23:59:59.999Z");      /* 23:59:59.9995 */
    check_time(-1, "1999-12-31T23:59:59.999Z");
    check_time(762525296789999LL, "2024-02-29T12:34:56.789Z");
    check_time(-946684799999000LL, "1970-01-01T00:00:00.001Z");
    check_time(3187295999999999LL, "2100-12-31T23:59:59.999Z");
    check_time(-3150575999500000LL, "1900-03-01T00:00:00.500Z");
    check_time(848667603717500LL, "2026-11-22T13:00:03.717Z");
    check_time(951782400000000LL, "2030-02-28T00:00:00.000Z");
    check_time(-3155673600000000LL, "1900-01-01T00:00:00.000Z");

    /* a sweep: every ~3.7 days and odd microseconds, 1901..2200 */
    step = 319999999937LL;
    for (u = -3124137600000000LL; u < 6311347200000000LL; u += step)
        check_against_gmtime(u);
    for (u = -86400000000LL * 3; u < 86400000000LL * 3; u += 999999937LL)
        check_against_gmtime(u);
    return jt_finish("util");
}
