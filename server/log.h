/*
 * log.h -- one JSON object per line on stderr.
 *
 * Request lines (log_request) carry time, level, request id, method,
 * route, status, duration and org; other events (log_msg) carry a message
 * and optional key/value detail.  Each line is built in memory and written
 * whole, so lines from many threads never interleave; info request lines
 * may wait in a per-thread buffer up to one log_flush (log.c).
 */
#ifndef JX_LOG_H
#define JX_LOG_H

#include <stdint.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_set_level(const char *name);
int log_enabled(log_level level);

/* A free-form event: msg is a constant, detail (may be NULL) a value. */
void log_msg(log_level level, const char *msg, const char *detail);
void log_msgf(log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct {
    const char *request_id;
    const char *method;
    const char *route;      /* the route template, "" when none matched */
    const char *path;
    unsigned status;        /* 0: the client went away before a response */
    double duration_ms;
    int64_t org;            /* 0: no authenticated organisation */
    uint64_t bytes_in;
} log_request_line;

void log_request(const log_request_line *l);

/* On: info request lines wait in per-thread buffers until log_flush or a
 * full buffer.  Off (the default): every line is written at once; turning
 * it off flushes. */
void log_buffering(int on);
/* Writes every thread's pending lines (the main thread's tick). */
void log_flush(void);

#endif
