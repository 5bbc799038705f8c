/*
 * log.c -- JSON lines on stderr.
 *
 * Why not Jansson here: a request line is written for every request, and
 * building a json_t tree for it costs more than the request itself on the
 * cheap routes.  The lines are built with strbuf and escaped by hand.
 */
#include "log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static log_level min_level = LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(const char *name)
{
    int i;

    for (i = 0; i < 4; i++)
        if (!strcmp(name, level_names[i]))
            min_level = (log_level)i;
}

int log_enabled(log_level level)
{
    return level >= min_level;
}

static void head(strbuf *sb, log_level level)
{
    char ts[40];

    now_rfc3339(ts, sizeof ts);
    sb_puts(sb, "{\"time\":\"");
    sb_puts(sb, ts);
    sb_puts(sb, "\",\"level\":\"");
    sb_puts(sb, level_names[level]);
    sb_puts(sb, "\"");
}

/* v in decimal, without printf (a request line has four numbers). */
static void put_u64(strbuf *sb, uint64_t v)
{
    char d[24];
    size_t i = sizeof d;

    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_append(sb, d + i, sizeof d - i);
}

static void emit(strbuf *sb)
{
    size_t off = 0;

    sb_puts(sb, "}\n");
    if (sb->oom) {
        sb_free(sb);
        return;
    }
    while (off < sb->len) {
        ssize_t n = write(STDERR_FILENO, sb->buf + off, sb->len - off);

        if (n <= 0)
            break;
        off += (size_t)n;
    }
    sb_free(sb);
}

void log_msg(log_level level, const char *msg, const char *detail)
{
    strbuf sb;

    if (!log_enabled(level))
        return;
    sb_init(&sb);
    head(&sb, level);
    sb_puts(&sb, ",\"msg\":");
    sb_json_str(&sb, msg);
    if (detail) {
        sb_puts(&sb, ",\"detail\":");
        sb_json_str(&sb, detail);
    }
    emit(&sb);
}

void log_msgf(log_level level, const char *msg, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;

    if (!log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    log_msg(level, msg, detail);
}

void log_request(const log_request_line *l)
{
    log_level level = l->status >= 500 || l->status == 0 ? LOG_WARN : LOG_INFO;
    strbuf sb;
    uint64_t us;

    if (!log_enabled(level))
        return;
    sb_init(&sb);
    head(&sb, level);
    sb_puts(&sb, ",\"msg\":\"request\",\"request_id\":");
    sb_json_str(&sb, l->request_id);
    sb_puts(&sb, ",\"method\":");
    sb_json_str(&sb, l->method);
    sb_puts(&sb, ",\"route\":");
    sb_json_str(&sb, l->route);
    sb_puts(&sb, ",\"path\":");
    sb_json_str(&sb, l->path);
    sb_puts(&sb, ",\"status\":");
    put_u64(&sb, l->status);
    /* milliseconds with three decimals, rounded to the microsecond */
    us = l->duration_ms > 0 ? (uint64_t)(l->duration_ms * 1000.0 + 0.5) : 0;
    sb_puts(&sb, ",\"duration_ms\":");
    put_u64(&sb, us / 1000);
    sb_append(&sb, (const char[]){'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10),
                                  (char)('0' + us % 10)}, 4);
    sb_puts(&sb, ",\"bytes_in\":");
    put_u64(&sb, l->bytes_in);
    if (l->org > 0) {
        sb_puts(&sb, ",\"org\":");
        put_u64(&sb, (uint64_t)l->org);
    } else if (l->org) {
        sb_printf(&sb, ",\"org\":%lld", (long long)l->org);
    } else {
        sb_puts(&sb, ",\"org\":null");
    }
    emit(&sb);
}
