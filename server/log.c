/*
 * log.c -- JSON lines on stderr.
 *
 * Why not Jansson here: a request line is written for every request, and
 * building a json_t tree for it costs more than the request itself on the
 * cheap routes.  The lines are built with strbuf and escaped by hand.
 */
#include "log.h"

#include <stdarg.h>
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
    sb_printf(sb, "{\"time\":\"%s\",\"level\":\"%s\"", ts, level_names[level]);
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
    sb_printf(&sb, ",\"status\":%u,\"duration_ms\":%.3f,\"bytes_in\":%llu", l->status,
              l->duration_ms, (unsigned long long)l->bytes_in);
    if (l->org)
        sb_printf(&sb, ",\"org\":%lld", (long long)l->org);
    else
        sb_puts(&sb, ",\"org\":null");
    emit(&sb);
}
