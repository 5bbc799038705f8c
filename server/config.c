/*
 * config.c -- environment and flags into a config struct.
 *
 * One table lists every option: its flag, its environment variable, its
 * default and a line of help.  Parsing walks the table twice (environment,
 * then argv), so a new option is one new row, and --help can never forget
 * one.  Values are validated here, once, so the rest of the server can
 * trust them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum { OPT_STR, OPT_INT, OPT_SIZE } opt_kind;

typedef struct {
    const char *flag;
    const char *env;
    opt_kind kind;
    size_t offset;
    const char *def;
    const char *help;
} option_row;

#define OFF(f) offsetof(config, f)

static const option_row options[] = {
    {"listen", "JIXIAO_LISTEN", OPT_STR, OFF(listen), "127.0.0.1:8080",
     "address and port to listen on (IPv6 as [::1]:8080)"},
    {"database-url", "DATABASE_URL", OPT_STR, OFF(database_url), "",
     "PostgreSQL connection URL or conninfo (empty: libpq defaults, PGHOST...)"},
    {"database-read-url", "DATABASE_READ_URL", OPT_STR, OFF(database_read_url), "",
     "hot-standby replica: GET requests read from it, writes go to DATABASE_URL"},
    {"read-after-write", "JIXIAO_READ_AFTER_WRITE", OPT_INT, OFF(read_after_write_ms), "2000",
     "milliseconds after a write during which its token reads from the primary"},
    {"threads", "JIXIAO_THREADS", OPT_INT, OFF(threads), "0",
     "HTTP worker threads (0: max(4, number of CPUs))"},
    {"db-pool", "JIXIAO_DB_POOL", OPT_INT, OFF(db_pool), "0",
     "PostgreSQL connections in the pool, and handler threads (0: max(16, --threads))"},
    {"db-timeout", "JIXIAO_DB_TIMEOUT", OPT_INT, OFF(db_timeout_ms), "2000",
     "milliseconds a request waits for a pooled connection before 503"},
    {"max-body", "JIXIAO_MAX_BODY", OPT_SIZE, OFF(max_body), "8MiB",
     "largest request body; larger ones get 413 (suffixes KiB, MiB)"},
    {"connection-limit", "JIXIAO_CONNECTION_LIMIT", OPT_INT, OFF(conn_limit), "1024",
     "most concurrent connections"},
    {"timeout", "JIXIAO_TIMEOUT", OPT_INT, OFF(conn_timeout), "30",
     "seconds of client inactivity before a connection is closed"},
    {"max-conn-per-ip", "JIXIAO_MAX_CONN_PER_IP", OPT_INT, OFF(max_conn_per_ip), "256",
     "most connections one client address holds (behind a trusted proxy: requests in flight)"},
    {"trusted-proxies", "JIXIAO_TRUSTED_PROXIES", OPT_STR, OFF(trusted_proxies), "",
     "comma-separated proxy addresses or CIDR prefixes whose X-Forwarded-For is believed"},
    {"header-timeout", "JIXIAO_HEADER_TIMEOUT", OPT_INT, OFF(header_timeout), "10",
     "seconds a request head may take to arrive whole before the connection is closed"},
    {"max-inflight-body", "JIXIAO_MAX_INFLIGHT_BODY", OPT_SIZE, OFF(max_inflight_body), "128MiB",
     "request bodies and their parsed JSON held at once, in total; beyond it 503 + Retry-After"},
    {"shutdown-timeout", "JIXIAO_SHUTDOWN_TIMEOUT", OPT_INT, OFF(shutdown_timeout), "10",
     "seconds to finish in-flight requests on SIGTERM/SIGINT"},
    {"cors-origins", "JIXIAO_CORS_ORIGINS", OPT_STR, OFF(cors_origins), "",
     "comma-separated origins allowed by CORS, or * (empty: none)"},
    {"log", "JIXIAO_LOG", OPT_STR, OFF(log_level), "info",
     "log level: debug, info, warn, error"},
    {"tls-cert", "JIXIAO_TLS_CERT", OPT_STR, OFF(tls_cert), "",
     "PEM certificate file: serve HTTPS (needs --tls-key)"},
    {"tls-key", "JIXIAO_TLS_KEY", OPT_STR, OFF(tls_key), "",
     "PEM private key file for --tls-cert"},
    {"bootstrap-token", "JIXIAO_BOOTSTRAP_TOKEN", OPT_STR, OFF(bootstrap_token), "",
     "an admin token with this value exists (else the first start creates one and prints it)"},
    {"plan-unit-wide-min", "JIXIAO_PLAN_UNIT_WIDE_MIN", OPT_INT, OFF(plan_unit_wide_min), "5",
     "budget units (the department included) from which a plan must choose a unit-wide evaluation"},
    {"idempotency-hours", "JIXIAO_IDEMPOTENCY_HOURS", OPT_INT, OFF(idempotency_hours), "24",
     "hours an Idempotency-Key is kept and replayed; older ones are purged (0: kept forever)"},
};

#define NOPTIONS (sizeof options / sizeof options[0])

void config_usage(void *fp)
{
    FILE *f = fp;
    size_t i;

    fprintf(f,
            "usage: jixiao-server [serve] [options]   run the HTTP service\n"
            "       jixiao-server migrate [options]   apply database migrations and exit\n"
            "       jixiao-server routes              print the route table (METHOD PATH)\n"
            "       jixiao-server version             print the version\n"
            "\noptions (each also read from the environment variable shown):\n");
    for (i = 0; i < NOPTIONS; i++) {
        fprintf(f, "  --%-18s %-24s %s", options[i].flag, options[i].env, options[i].help);
        if (options[i].def[0] && strcmp(options[i].def, "0") != 0)
            fprintf(f, " [default %s]", options[i].def);
        fputc('\n', f);
    }
    fprintf(f, "  --%-18s %-24s %s\n", "help", "", "print this text");
}

static int parse_int(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;
    unsigned long long mul = 1;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (!strcasecmp(end, "k") || !strcasecmp(end, "kib") || !strcasecmp(end, "kb"))
        mul = 1024;
    else if (!strcasecmp(end, "m") || !strcasecmp(end, "mib") || !strcasecmp(end, "mb"))
        mul = 1024 * 1024;
    else if (!strcasecmp(end, "g") || !strcasecmp(end, "gib") || !strcasecmp(end, "gb"))
        mul = 1024 * 1024 * 1024;
    else if (*end)
        return -1;
    if (v == 0 || v > (1ULL << 40) / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

static int set_option(config *cfg, const option_row *o, const char *value, const char *source)
{
    char *base = (char *)cfg;

    switch (o->kind) {
    case OPT_STR:
        *(const char **)(void *)(base + o->offset) = value;
        return 0;
    case OPT_INT:
        if (parse_int(value, (int *)(void *)(base + o->offset)) == 0)
            return 0;
        break;
    case OPT_SIZE:
        if (parse_size(value, (size_t *)(void *)(base + o->offset)) == 0)
            return 0;
        break;
    }
    fprintf(stderr, "jixiao-server: bad value for %s: '%s'\n", source, value);
    return -1;
}

static const option_row *find_flag(const char *name, size_t namelen)
{
    size_t i;

    for (i = 0; i < NOPTIONS; i++)
        if (strlen(options[i].flag) == namelen && !strncmp(options[i].flag, name, namelen))
            return &options[i];
    return NULL;
}

static int check(config *cfg)
{
    long ncpu;

    if (cfg->threads == 0) {
        ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = ncpu > 4 ? (int)ncpu : 4;
    }
    if (cfg->threads > 256) {
        fprintf(stderr, "jixiao-server: --threads must be at most 256\n");
        return -1;
    }
    /* Handlers wait on PostgreSQL (commits, locks) far longer than they
     * compute, so there are more of them than cores (exec.c). */
    if (cfg->db_pool == 0)
        cfg->db_pool = cfg->threads > 16 ? cfg->threads : 16;
    if (cfg->idempotency_hours < 0) {
        fprintf(stderr, "jixiao-server: --idempotency-hours must be 0 or more\n");
        return -1;
    }
    if (cfg->max_conn_per_ip < 1 || cfg->header_timeout < 1) {
        fprintf(stderr, "jixiao-server: --max-conn-per-ip and --header-timeout must be positive\n");
        return -1;
    }
    if (cfg->conn_limit < 1 || cfg->conn_timeout < 1) {
        fprintf(stderr, "jixiao-server: --connection-limit and --timeout must be positive\n");
        return -1;
    }
    if (!!cfg->tls_cert[0] != !!cfg->tls_key[0]) {
        fprintf(stderr, "jixiao-server: --tls-cert and --tls-key go together\n");
        return -1;
    }
    if (strcmp(cfg->log_level, "debug") && strcmp(cfg->log_level, "info") &&
        strcmp(cfg->log_level, "warn") && strcmp(cfg->log_level, "error")) {
        fprintf(stderr, "jixiao-server: --log must be debug, info, warn or error\n");
        return -1;
    }
    return 0;
}

int config_load(config *cfg, int argc, char **argv)
{
    size_t i;
    int a;

    memset(cfg, 0, sizeof *cfg);
    for (i = 0; i < NOPTIONS; i++) {
        const char *v = getenv(options[i].env);

        if (set_option(cfg, &options[i], options[i].def, options[i].flag) < 0)
            return -1;
        if (v && *v && set_option(cfg, &options[i], v, options[i].env) < 0)
            return -1;
    }
    for (a = 0; a < argc; a++) {
        const char *arg = argv[a], *name, *eq, *value;
        const option_row *o;

        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            config_usage(stdout);
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "jixiao-server: unexpected argument '%s' (see --help)\n", arg);
            return -1;
        }
        name = arg + 2;
        eq = strchr(name, '=');
        o = find_flag(name, eq ? (size_t)(eq - name) : strlen(name));
        if (!o) {
            fprintf(stderr, "jixiao-server: unknown option '%s' (see --help)\n", arg);
            return -1;
        }
        if (eq) {
            value = eq + 1;
        } else if (a + 1 < argc) {
            value = argv[++a];
        } else {
            fprintf(stderr, "jixiao-server: %s needs a value\n", arg);
            return -1;
        }
        if (set_option(cfg, o, value, arg) < 0)
            return -1;
    }
    return check(cfg);
}

int config_cors_allowed(const config *cfg, const char *origin)
{
    const char *p = cfg->cors_origins;
    size_t olen = strlen(origin);

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;

        while (n && (*s == ' ')) {
            s++;
            n--;
        }
        while (n && s[n - 1] == ' ')
            n--;
        if ((n == 1 && *s == '*') || (n == olen && !strncmp(s, origin, n)))
            return 1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}
