/*
 * config.h -- the server's configuration: environment first, then flags.
 *
 * Every setting has an environment variable and a flag of the same meaning
 * (operations.md); a flag wins over the environment.  The table in
 * config.c is the single source of truth: --help, parsing and the
 * documentation in docs/server.md are all derived from (or checked
 * against) it.
 */
#ifndef JX_CONFIG_H
#define JX_CONFIG_H

#include <stddef.h>

typedef struct {
    const char *listen;           /* host:port, default 127.0.0.1:8080 */
    const char *database_url;     /* libpq conninfo or URL; "" = libpq defaults */
    const char *database_read_url;/* hot standby for reads; "" = none */
    int read_after_write_ms;      /* a writer reads from the primary this long */
    int threads;                  /* libmicrohttpd worker threads */
    int db_pool;                  /* libpq connections */
    int db_timeout_ms;            /* wait for a pooled connection */
    size_t max_body;              /* bytes */
    int conn_limit;               /* concurrent connections */
    int conn_timeout;             /* seconds of inactivity before closing */
    int max_conn_per_ip;          /* connections one address holds (http/guard.c) */
    const char *trusted_proxies;  /* addresses/prefixes whose X-Forwarded-For is believed */
    int header_timeout;           /* seconds for a whole request head */
    size_t max_inflight_body;     /* bodies + parsed JSON held at once, bytes */
    int shutdown_timeout;         /* seconds to finish in-flight requests */
    const char *cors_origins;     /* comma separated, or "*" */
    const char *log_level;        /* debug, info, warn, error */
    const char *tls_cert;         /* PEM files for HTTPS */
    const char *tls_key;
    const char *bootstrap_token;  /* admin token that must exist */
    int plan_unit_wide_min;       /* budget units from which a plan needs a unit-wide evaluation */
    int idempotency_hours;        /* Idempotency-Keys older than this are purged; 0 = never */
} config;

/* Fills cfg from the environment, then from argv (options only; the
 * caller has already removed the subcommand).  Returns 0, 1 when --help
 * was printed, or -1 with a message on stderr. */
int config_load(config *cfg, int argc, char **argv);

/* Prints the usage text with every option to f. */
void config_usage(void *f);

/* 1 when origin is allowed by cfg->cors_origins. */
int config_cors_allowed(const config *cfg, const char *origin);

#endif
