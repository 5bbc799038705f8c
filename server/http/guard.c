/*
 * http/guard.c -- one address cannot take the server away from everyone.
 *
 * Per-address cap: libmicrohttpd's own MHD_OPTION_PER_IP_CONNECTION_LIMIT
 * would count a trusted reverse proxy as one client and cap it, so the
 * count is ours: the accept policy callback refuses a connection from an
 * address that already holds JIXIAO_MAX_CONN_PER_IP of them (the socket
 * is closed at once, before any memory pool is set up), except from a
 * trusted proxy.  Behind a trusted proxy the client is X-Forwarded-For's
 * last hop that is not itself a trusted proxy (the hops to its left are
 * the client's own say), and its requests in flight are capped the same
 * way (429).  The counts live in a small open-addressed table under one
 * mutex: one lock per accept and per close.
 *
 * Head deadline: libmicrohttpd 0.9.75 has only an inactivity timeout, so
 * a client sending a header byte every few seconds was never closed.  A
 * sweeper thread looks at every connection every SWEEP_MS: a connection
 * whose first request head is not complete JIXIAO_HEADER_TIMEOUT after it
 * was accepted, or whose later request has not completed its head that
 * long after its first byte arrived, is shut down (shutdown(2): the
 * worker then sees the end of the stream and closes it as usual).  "First
 * byte" is seen from the kernel's count of bytes received (TCP_INFO),
 * read by the sweeper only, so an idle keep-alive connection keeps the
 * ordinary inactivity timeout and the request path makes no syscall.
 * The list mutex is held across shutdown() and across guard_closed(),
 * which libmicrohttpd calls before it closes the socket: a descriptor
 * number is never shut down after being reused.
 */
#include "http/guard.h"

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define SWEEP_MS 200
#define SLOTS 8192      /* a power of two */
#define PROBES 64
#define MAX_PROXIES 32

enum { G_FIRST, G_IN_REQUEST, G_IDLE_NEW, G_IDLE, G_HEAD_STARTED };

struct guard_conn {
    guard_conn *prev, *next;
    int fd;
    int slot;               /* counted address slot, -1 when not counted */
    int trusted;            /* from a trusted proxy */
    atomic_int state;       /* G_* */
    double since;           /* deadline base (sweeper and opening only) */
    unsigned long long bytes_base;
};

typedef struct {
    unsigned char key[16];
    int used;               /* ever used (keeps probe chains intact) */
    int count;
} slot_t;

typedef struct {
    unsigned char addr[16];
    int bits;               /* prefix length over the 16-byte form */
} proxy_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static slot_t slots[SLOTS];
static guard_conn *conns;
static proxy_t proxies[MAX_PROXIES];
static int nproxies;
static int cap_per_ip;
static double head_timeout;
static pthread_t sweeper;
static atomic_int stopping;
static int started;

/* An address as 16 bytes (IPv4 as ::ffff:a.b.c.d). */
static int key_of(const struct sockaddr *a, unsigned char key[16])
{
    memset(key, 0, 16);
    if (a->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)(const void *)a)->sin_addr, 4);
        return 0;
    }
    if (a->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr, 16);
        return 0;
    }
    return -1;
}

static int key_of_text(const char *s, size_t n, unsigned char key[16])
{
    char buf[64];
    struct in_addr v4;

    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    memset(key, 0, 16);
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, buf, key) == 1 ? 0 : -1;
}

static int is_trusted(const unsigned char key[16])
{
    int i, b;

    for (i = 0; i < nproxies; i++) {
        for (b = 0; b < proxies[i].bits; b++) {
            int bit = 0x80 >> (b & 7);

            if ((key[b >> 3] & bit) != (proxies[i].addr[b >> 3] & bit))
                break;
        }
        if (b == proxies[i].bits)
            return 1;
    }
    return 0;
}

/* The slot of key (created when absent), or -1 when the table is too
 * crowded along its probe chain: then the address is not counted. */
static int slot_find(const unsigned char key[16])
{
    unsigned h = 2166136261u;
    int i, free_at = -1;

    for (i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    for (i = 0; i < PROBES; i++) {
        int s = (int)((h + (unsigned)i) & (SLOTS - 1));

        if (slots[s].used && !memcmp(slots[s].key, key, 16))
            return s;
        if (slots[s].count == 0 && free_at < 0)
            free_at = s;
        if (!slots[s].used)
            break;
    }
    if (free_at >= 0) {
        memcpy(slots[free_at].key, key, 16);
        slots[free_at].used = 1;
        slots[free_at].count = 0;
    }
    return free_at;
}

static int parse_proxies(const char *list)
{
    const char *p = list;

    nproxies = 0;
    while (*p) {
        const char *comma = strchr(p, ','), *slash;
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        proxy_t *px = &proxies[nproxies];
        int bits = -1, v4;

        while (n && *p == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            if (nproxies >= MAX_PROXIES)
                return -1;
            slash = memchr(p, '/', n);
            if (slash) {
                char *end;

                bits = (int)strtol(slash + 1, &end, 10);
                if (end != p + n || bits < 0)
                    return -1;
            }
            if (key_of_text(p, slash ? (size_t)(slash - p) : n, px->addr) < 0)
                return -1;
            v4 = px->addr[10] == 0xff && px->addr[11] == 0xff &&
                 !memcmp(px->addr, "\0\0\0\0\0\0\0\0\0\0", 10);
            if (bits < 0)
                bits = 128;
            else if (v4)
                bits += 96;
            if (bits > 128 || (v4 && bits < 96))
                return -1;
            px->bits = bits;
            nproxies++;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int guard_accept(const struct sockaddr *addr, socklen_t len)
{
    unsigned char key[16];
    int s, ok = 1;

    (void)len;
    if (key_of(addr, key) < 0 || is_trusted(key))
        return 1;
    pthread_mutex_lock(&mu);
    s = slot_find(key);
    if (s >= 0) {
        if (slots[s].count >= cap_per_ip)
            ok = 0;
        else
            slots[s].count++;
    }
    pthread_mutex_unlock(&mu);
    return ok;
}

guard_conn *guard_opened(const struct sockaddr *addr, int fd)
{
    guard_conn *g = calloc(1, sizeof *g);
    unsigned char key[16];
    int have = addr && key_of(addr, key) == 0;

    if (!g)
        return NULL;
    g->fd = fd;
    g->slot = -1;
    g->since = now_mono();
    atomic_init(&g->state, G_FIRST);
    pthread_mutex_lock(&mu);
    if (have && is_trusted(key)) {
        g->trusted = 1;
    } else if (have) {
        /* counted by guard_accept; find its slot again */
        int s = slot_find(key);

        if (s >= 0 && slots[s].count > 0)
            g->slot = s;
    }
    g->next = conns;
    if (conns)
        conns->prev = g;
    conns = g;
    pthread_mutex_unlock(&mu);
    return g;
}

void guard_closed(guard_conn *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&mu);
    if (g->slot >= 0 && slots[g->slot].count > 0)
        slots[g->slot].count--;
    if (g->prev)
        g->prev->next = g->next;
    else
        conns = g->next;
    if (g->next)
        g->next->prev = g->prev;
    pthread_mutex_unlock(&mu);
    free(g);
}

void guard_head_done(guard_conn *g)
{
    if (g)
        atomic_store_explicit(&g->state, G_IN_REQUEST, memory_order_relaxed);
}

void guard_request_done(guard_conn *g)
{
    if (g)
        atomic_store_explicit(&g->state, G_IDLE_NEW, memory_order_relaxed);
}

int guard_client_enter(const guard_conn *g, const char *xff)
{
    unsigned char key[16];
    const char *end;
    int s, found = 0, ret;

    if (!g || !g->trusted || !xff)
        return -1;
    /* from the right: the first hop that is not a trusted proxy */
    end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        const char *b, *e;

        while (start > xff && start[-1] != ',')
            start--;
        b = start;
        e = end;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (key_of_text(b, (size_t)(e - b), key) < 0) {
            /* not an address: name the client by the text itself */
            memset(key, 0, 16);
            memcpy(key, b, (size_t)(e - b) < 16 ? (size_t)(e - b) : 16);
            key[0] ^= 0x80;
            found = 1;
            break;
        }
        if (!is_trusted(key)) {
            found = 1;
            break;
        }
        end = start > xff ? start - 1 : xff;
    }
    if (!found)
        return -1;
    pthread_mutex_lock(&mu);
    s = slot_find(key);
    if (s < 0)
        ret = -1;
    else if (slots[s].count >= cap_per_ip)
        ret = 0;
    else {
        slots[s].count++;
        ret = s + 1;
    }
    pthread_mutex_unlock(&mu);
    return ret;
}

void guard_client_leave(int slot)
{
    if (slot <= 0)
        return;
    pthread_mutex_lock(&mu);
    if (slots[slot - 1].count > 0)
        slots[slot - 1].count--;
    pthread_mutex_unlock(&mu);
}

static unsigned long long bytes_received(int fd)
{
    struct tcp_info ti;
    socklen_t n = sizeof ti;

    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &n) != 0)
        return 0;
    return (unsigned long long)ti.tcpi_bytes_received;
}

static void sweep(void)
{
    double now = now_mono();
    guard_conn *g;
    int closed = 0;

    pthread_mutex_lock(&mu);
    for (g = conns; g; g = g->next) {
        int st = atomic_load_explicit(&g->state, memory_order_relaxed);

        switch (st) {
        case G_IDLE_NEW:
            g->bytes_base = bytes_received(g->fd);
            atomic_compare_exchange_strong(&g->state, &st, G_IDLE);
            break;
        case G_IDLE:
            if (bytes_received(g->fd) != g->bytes_base) {
                g->since = now;
                atomic_compare_exchange_strong(&g->state, &st, G_HEAD_STARTED);
            }
            break;
        case G_FIRST:
        case G_HEAD_STARTED:
            if (now - g->since > head_timeout) {
                shutdown(g->fd, SHUT_RDWR);
                closed++;
                g->since = now + 3600.0; /* once */
            }
            break;
        default:
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    if (closed)
        log_msgf(LOG_DEBUG, "head deadline", "%d connection(s) closed: request head not "
                 "complete within %.0f s", closed, head_timeout);
}

static void *sweeper_main(void *arg)
{
    struct timespec ts = {0, SWEEP_MS * 1000000L};

    (void)arg;
    while (!atomic_load(&stopping)) {
        nanosleep(&ts, NULL);
        sweep();
    }
    return NULL;
}

int guard_start(const config *cfg)
{
    if (parse_proxies(cfg->trusted_proxies) < 0) {
        log_msg(LOG_ERROR, "bad JIXIAO_TRUSTED_PROXIES (addresses or CIDR prefixes, "
                           "comma-separated)", cfg->trusted_proxies);
        return -1;
    }
    cap_per_ip = cfg->max_conn_per_ip;
    head_timeout = cfg->header_timeout;
    atomic_store(&stopping, 0);
    if (pthread_create(&sweeper, NULL, sweeper_main, NULL) != 0)
        return -1;
    started = 1;
    return 0;
}

void guard_stop(void)
{
    if (!started)
        return;
    atomic_store(&stopping, 1);
    pthread_join(sweeper, NULL);
    started = 0;
}
