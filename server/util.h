/*
 * util.h -- small helpers shared by the server: a growable string buffer,
 * clocks, JSON string escaping and RFC 3339 time stamps.
 *
 * Everything here is allocation-light and returns errors as values: a
 * strbuf that failed to grow remembers it (sb->oom) so callers can append
 * freely and check once at the end, instead of after every call.
 */
#ifndef JX_UTIL_H
#define JX_UTIL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *buf;    /* NUL-terminated when len > 0 or after sb_take */
    size_t len;
    size_t cap;
    int oom;      /* a grow failed: the content is incomplete */
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_append(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void sb_json_str(strbuf *sb, const char *s);
/* Hands the buffer to the caller (malloc'd, NUL-terminated); NULL when
 * a grow failed.  The strbuf is left empty. */
char *sb_take(strbuf *sb, size_t *len);

/* Monotonic seconds, for durations. */
double now_mono(void);
/* "2024-05-01T12:34:56.789Z" into out (at least 32 bytes). */
void now_rfc3339(char *out, size_t outlen);

/* v in decimal into out (at least 21 bytes), NUL-terminated; its length. */
size_t fmt_i64(int64_t v, char *out);

/* Money in fen as yuan with two decimals ("-12.05"), as every answer
 * writes it. */
void fen_text(int64_t fen, char *out, size_t outlen);
/* A PostgreSQL timestamp in binary form (microseconds since 2000-01-01
 * 00:00 UTC) as "2024-05-01T12:34:56.789Z" into out (at least 32 bytes):
 * exactly what SQL's jx_time() gives, milliseconds truncated. */
void fmt_pg_time(int64_t usec, char *out);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

#endif
