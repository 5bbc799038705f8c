/*
 * log.c -- JSON lines on stderr.
 *
 * Why not Jansson here: a request line is written for every request, and
 * building a json_t tree for it costs more than the request itself on the
 * cheap routes.  The lines are built with strbuf and escaped by hand.
 *
 * Request lines of level info are buffered per thread while the server
 * runs (log_buffering): each thread appends whole lines to its own buffer,
 * written out with one write(2) when it fills or when the main thread's
 * tick calls log_flush (every 100 ms).  A write per request was ~6% of the
 * server's CPU on GET /v1/projects/{id}, with every thread taking the same
 * inode lock.  Anything else (warnings, errors, events, and every line
 * while buffering is off) is written at once, after the thread's pending
 * lines, so one thread's lines keep their order.  The price, as with
 * nginx's access_log buffer=: a crash loses up to one tick of request
 * lines, a line reaches the log up to 100 ms late, and lines of different
 * threads may come out of time order within a tick (each carries its
 * time).
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- per-thread line buffers ------------------------------------------- */

#define LINES_CAP 8192

typedef struct lines {
    pthread_mutex_t mu;    /* the owner appends, log_flush drains */
    size_t len;
    struct lines *next;
    char data[LINES_CAP];
} lines;

static atomic_int buffering;
static pthread_mutex_t all_mu = PTHREAD_MUTEX_INITIALIZER;
static lines *all;                  /* every thread's, never freed */
static _Thread_local lines *mine;

static void write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(STDERR_FILENO, p, n);

        if (w <= 0)
            break;
        p += w;
        n -= (size_t)w;
    }
}

/* The calling thread's buffer, made on first use; NULL without memory. */
static lines *my_lines(void)
{
    lines *b;

    if (mine)
        return mine;
    b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    pthread_mutex_init(&b->mu, NULL);
    pthread_mutex_lock(&all_mu);
    b->next = all;
    all = b;
    pthread_mutex_unlock(&all_mu);
    return mine = b;
}

/* Writes b's pending lines; b->mu held. */
static void drain(lines *b)
{
    write_all(b->data, b->len);
    b->len = 0;
}

void log_flush(void)
{
    lines *b;

    pthread_mutex_lock(&all_mu);
    for (b = all; b; b = b->next) {
        pthread_mutex_lock(&b->mu);
        if (b->len)
            drain(b);
        pthread_mutex_unlock(&b->mu);
    }
    pthread_mutex_unlock(&all_mu);
}

void log_buffering(int on)
{
    atomic_store(&buffering, on != 0);
    if (!on)
        log_flush();
}

/* Ends the line and writes it: into the thread's buffer when may_buffer
 * and buffering is on, else at once after what the thread has pending. */
static void emit(strbuf *sb, int may_buffer)
{
    int buffer = may_buffer && atomic_load_explicit(&buffering, memory_order_relaxed) &&
                 sb->len + 2 <= LINES_CAP;
    lines *b;

    sb_puts(sb, "}\n");
    if (sb->oom) {
        sb_free(sb);
        return;
    }
    b = buffer ? my_lines() : mine;
    if (!b) {
        write_all(sb->buf, sb->len);
        sb_free(sb);
        return;
    }
    pthread_mutex_lock(&b->mu);
    if (b->len && (!buffer || b->len + sb->len > LINES_CAP))
        drain(b);
    if (buffer) {
        memcpy(b->data + b->len, sb->buf, sb->len);
        b->len += sb->len;
    } else {
        write_all(sb->buf, sb->len);
    }
    pthread_mutex_unlock(&b->mu);
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
    emit(&sb, 0);
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
    emit(&sb, level == LOG_INFO);
}
