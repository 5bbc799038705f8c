/*
 * tests/bench/latency/openloop.c -- a constant-rate (open-loop) HTTP/1.1
 * load generator, for latency percentiles without coordinated omission.
 *
 *   openloop -p PORT -f REQUESTS [-H 127.0.0.1] [-c CONNS] [-r RATE]
 *            [-d SECONDS] [-w WARMUP_SECONDS] [-t DRAIN_SECONDS]
 *
 * REQUESTS holds complete raw requests, each as "LENGTH\n" then LENGTH
 * bytes; they are sent in turn, round robin.  With -r RATE > 0, request i
 * is due at start + i / RATE whatever happened before (a fixed schedule):
 * it goes out on an idle keep-alive connection as soon as it is due, or
 * waits for one, and its latency runs from the time it was DUE, not from
 * when it went out.  A closed-loop tool (wrk) sends the next request only
 * after the previous answer, so a stall delays the requests it would have
 * sent and they never see it: the percentiles look better than what
 * clients at that rate would get (coordinated omission).  wrk2 does this
 * too but is not in Debian; this is the small part of it needed here.
 * With -r 0 it runs closed-loop instead (every connection sends its next
 * request as soon as its answer is in): the peak req/s it can drive,
 * which tests/bench/latency/run.sh compares with wrk's to show whether the
 * generator itself is the bottleneck.
 *
 * One thread, epoll, timeouts in nanoseconds (epoll_pwait2, timer slack
 * 1 us) so that sends are not batched to the millisecond.  Latencies go
 * into a log-linear histogram (HdrHistogram's layout: 64 linear
 * sub-buckets per power of two, < 1.6 % error; exact below 128 us).
 * Requests due during the warm-up are sent but not recorded.  Only what a
 * benchmark needs of HTTP: answers must carry Content-Length (the server's
 * always do); "Connection: close" reconnects.  A connection error loses
 * its request (counted); requests still unanswered DRAIN seconds after
 * the last one was due are counted as unfinished.
 *
 * Prints "key value" lines: counts by status class, errors, achieved
 * rate, latency p50/p90/p99/p99.9/max from the scheduled time, the same
 * from the actual send (service time), how late sends went out (lag: all
 * connections busy, or the generator itself descheduled), the largest
 * backlog of due-but-unsent requests, how late the generator woke up
 * when it slept until a send was due (its own scheduling delay: the
 * machine, not the server), and the generator's CPU use.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SUB 64                  /* linear sub-buckets per power of two */
#define NBUCKETS (2 * SUB + 40 * SUB)

typedef struct {
    uint64_t n[NBUCKETS];
    uint64_t count, max, sum;
} hist;

static int bucket_of(uint64_t v)
{
    if (v < 2 * SUB)
        return (int)v;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - 6;        /* keep the top 7 bits: 1 + log2(SUB) */
    int b = 2 * SUB + (shift - 1) * SUB + (int)((v >> shift) - SUB);
    return b < NBUCKETS ? b : NBUCKETS - 1;
}

static uint64_t value_of(int b) /* the middle of bucket b */
{
    if (b < 2 * SUB)
        return (uint64_t)b;
    int shift = (b - 2 * SUB) / SUB + 1;
    uint64_t sub = (uint64_t)((b - 2 * SUB) % SUB + SUB);
    return (sub << shift) + ((uint64_t)1 << (shift - 1));
}

static void hist_add(hist *h, uint64_t us)
{
    h->n[bucket_of(us)]++;
    h->count++;
    h->sum += us;
    if (us > h->max)
        h->max = us;
}

static double hist_pct(const hist *h, double p) /* milliseconds */
{
    if (!h->count)
        return 0;
    uint64_t want = (uint64_t)((double)h->count * p / 100.0 + 0.5), seen = 0;
    if (want < 1)
        want = 1;
    for (int b = 0; b < NBUCKETS; b++) {
        seen += h->n[b];
        if (seen >= want) {
            uint64_t v = value_of(b);
            return (double)(v < h->max ? v : h->max) / 1000.0;
        }
    }
    return (double)h->max / 1000.0;
}

typedef struct {
    int fd, busy, want_out;
    const char *req;
    size_t req_len, sent;
    int64_t due, sent_at;       /* ns, monotonic */
    char *buf;
    size_t len, cap, head_end, body_len;
    int status, close_after;
} conn;

static struct {
    const char *host;
    int port, nconns;
    double rate, duration, warmup, drain;
} cfg = {"127.0.0.1", 0, 32, 0, 10, 1, 5};

static char **reqs;
static size_t *req_lens;
static size_t nreqs, next_req;
static int ep;
static conn *conns;
static int *idle;
static int nidle;
static hist lat, svc, lag, wake;
static uint64_t s2, s3, s4, s5, sother, errors, sent_total, completed;
static int64_t warm_end_ns;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void load_requests(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    size_t cap = 0;
    unsigned long len;
    while (fscanf(f, "%lu", &len) == 1) {
        if (fgetc(f) != '\n') {
            fprintf(stderr, "openloop: %s: LENGTH must end with a newline\n", path);
            exit(2);
        }
        if (nreqs == cap) {
            cap = cap ? 2 * cap : 16;
            reqs = realloc(reqs, cap * sizeof *reqs);
            req_lens = realloc(req_lens, cap * sizeof *req_lens);
            if (!reqs || !req_lens)
                die("realloc");
        }
        reqs[nreqs] = malloc(len);
        if (!reqs[nreqs] || fread(reqs[nreqs], 1, len, f) != len) {
            fprintf(stderr, "openloop: %s: request %zu shorter than its length\n", path, nreqs + 1);
            exit(2);
        }
        req_lens[nreqs++] = len;
    }
    fclose(f);
    if (!nreqs) {
        fprintf(stderr, "openloop: %s: no requests\n", path);
        exit(2);
    }
}

static void arm(conn *c, int out)
{
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        die("epoll_ctl");
    c->want_out = out;
}

static void open_conn(conn *c)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
    if (inet_pton(AF_INET, cfg.host, &a.sin_addr) != 1) {
        fprintf(stderr, "openloop: bad host %s\n", cfg.host);
        exit(2);
    }
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) /* loopback: immediate */
        die("connect");
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl");
    c->busy = c->want_out = 0;
    c->len = c->head_end = c->body_len = 0;
    idle[nidle++] = (int)(c - conns);
}

static void reopen(conn *c) /* after an error, "Connection: close" or an idle close */
{
    if (!c->busy) {             /* off the idle stack: open_conn puts it back */
        for (int i = 0; i < nidle; i++)
            if (idle[i] == (int)(c - conns)) {
                idle[i] = idle[--nidle];
                break;
            }
    }
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    open_conn(c);
}

static void flush_out(conn *c)
{
    while (c->sent < c->req_len) {
        ssize_t n = write(c->fd, c->req + c->sent, c->req_len - c->sent);
        if (n < 0 && errno == EAGAIN) {
            if (!c->want_out)
                arm(c, 1);
            return;
        }
        if (n <= 0) {
            errors++;
            reopen(c);
            return;
        }
        c->sent += (size_t)n;
    }
    if (c->want_out)
        arm(c, 0);
}

static void send_on_idle(int64_t due)
{
    conn *c = &conns[idle[--nidle]];
    c->busy = 1;
    c->req = reqs[next_req];
    c->req_len = req_lens[next_req];
    next_req = (next_req + 1) % nreqs;
    c->sent = 0;
    c->due = due;
    c->sent_at = now_ns();
    c->len = c->head_end = c->body_len = 0;
    sent_total++;
    flush_out(c);
}

/* Header end and Content-Length once the headers are in; 0 when more is
 * needed, -1 when the answer is not something this tool reads. */
static int parse_head(conn *c)
{
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    c->head_end = (size_t)(end - c->buf) + 4;
    if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0)
        return -1;
    c->status = atoi(c->buf + 9);
    c->close_after = 0;
    int have_len = 0;
    for (char *p = memchr(c->buf, '\n', c->head_end); p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
        p++;
        char *eol = memchr(p, '\r', (size_t)(end + 2 - p));
        size_t n = eol ? (size_t)(eol - p) : 0;
        if (n > 15 && !strncasecmp(p, "Content-Length:", 15)) {
            c->body_len = strtoul(p + 15, NULL, 10);
            have_len = 1;
        } else if (n > 11 && !strncasecmp(p, "Connection:", 11) && memmem(p, n, "close", 5)) {
            c->close_after = 1;
        } else if (n > 18 && !strncasecmp(p, "Transfer-Encoding:", 18)) {
            return -1;
        }
    }
    if (!have_len)
        c->body_len = 0;        /* 204, 304: no body */
    return 1;
}

static void on_readable(conn *c)
{
    for (;;) {
        if (c->cap - c->len < 16384) {
            c->cap = c->cap ? 2 * c->cap : 65536;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf)
                die("realloc");
        }
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0 || !c->busy) { /* closed, failed, or bytes nobody asked for */
            if (c->busy)
                errors++;
            reopen(c);
            return;
        }
        c->len += (size_t)n;
        if (!c->head_end) {
            int r = parse_head(c);
            if (r < 0) {
                fprintf(stderr, "openloop: an answer without Content-Length or not HTTP/1.x\n");
                errors++;
                reopen(c);
                return;
            }
            if (!r)
                continue;
        }
        if (c->len < c->head_end + c->body_len)
            continue;
        int64_t t = now_ns();
        completed++;
        if (c->due >= warm_end_ns) {
            hist_add(&lat, (uint64_t)(t - c->due) / 1000);
            hist_add(&svc, (uint64_t)(t - c->sent_at) / 1000);
            hist_add(&lag, (uint64_t)(c->sent_at - c->due) / 1000);
            int s = c->status;
            if (s >= 200 && s < 300) s2++;
            else if (s >= 300 && s < 400) s3++;
            else if (s >= 400 && s < 500) s4++;
            else if (s >= 500 && s < 600) s5++;
            else sother++;
        }
        c->busy = 0;
        if (c->close_after || c->len > c->head_end + c->body_len) {
            reopen(c);          /* and back on the idle stack */
        } else {
            c->len = c->head_end = 0;
            idle[nidle++] = (int)(c - conns);
        }
        return;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: openloop -p PORT -f REQUESTS [-H HOST] [-c CONNS] [-r RATE] "
                    "[-d SECONDS] [-w WARMUP] [-t DRAIN]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "H:p:c:r:d:w:t:f:")) != -1) {
        switch (opt) {
        case 'H': cfg.host = optarg; break;
        case 'p': cfg.port = atoi(optarg); break;
        case 'c': cfg.nconns = atoi(optarg); break;
        case 'r': cfg.rate = atof(optarg); break;
        case 'd': cfg.duration = atof(optarg); break;
        case 'w': cfg.warmup = atof(optarg); break;
        case 't': cfg.drain = atof(optarg); break;
        case 'f': file = optarg; break;
        default: usage();
        }
    }
    if (!file || cfg.port <= 0 || cfg.nconns <= 0 || cfg.rate < 0 || cfg.duration <= 0 || cfg.warmup < 0)
        usage();
    load_requests(file);
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    ep = epoll_create1(0);
    if (ep < 0)
        die("epoll_create1");
    conns = calloc((size_t)cfg.nconns, sizeof *conns);
    idle = calloc((size_t)cfg.nconns, sizeof *idle);
    if (!conns || !idle)
        die("calloc");
    for (int i = 0; i < cfg.nconns; i++)
        open_conn(&conns[i]);

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    const int64_t start = now_ns();
    const double interval = cfg.rate > 0 ? 1e9 / cfg.rate : 0;
    warm_end_ns = start + (int64_t)(cfg.warmup * 1e9);
    const int64_t end = warm_end_ns + (int64_t)(cfg.duration * 1e9);
    const int64_t drain_end = end + (int64_t)(cfg.drain * 1e9);
    uint64_t next = 0;          /* open loop: index of the next request due */
    uint64_t max_backlog = 0;
    struct epoll_event evs[256];

    for (;;) {
        int64_t t = now_ns();
        if (cfg.rate > 0) {
            int64_t due;
            while ((due = start + (int64_t)((double)next * interval)) <= t && due < end && nidle > 0) {
                send_on_idle(due);
                next++;
            }
            if (due <= t && due < end) { /* due, no idle connection: they wait */
                uint64_t backlog = (uint64_t)((double)(t - due) / interval) + 1;
                if (backlog > max_backlog)
                    max_backlog = backlog;
            }
        } else {
            while (nidle > 0 && t < end)
                send_on_idle(now_ns());
        }
        int busy = cfg.nconns - nidle;
        if ((t >= end && busy == 0) || t >= drain_end)
            break;
        int64_t wait = 50000000; /* 50 ms at most: check the end */
        int64_t wake_at = 0;
        if (cfg.rate > 0 && nidle > 0 && t < end) {
            wake_at = start + (int64_t)((double)next * interval);
            wait = wake_at - t;
        }
        if (wait < 0)
            wait = 0;
        struct timespec ts = {.tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000};
        int n = epoll_pwait2(ep, evs, 256, &ts, NULL);
        if (n < 0 && errno != EINTR)
            die("epoll_pwait2");
        if (n == 0 && wake_at > 0 && wake_at >= warm_end_ns) /* slept to a send: how late it woke */
            hist_add(&wake, (uint64_t)(now_ns() - wake_at) / 1000);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (evs[i].events & EPOLLOUT)
                flush_out(c);
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                on_readable(c);
        }
    }
    int64_t stop = now_ns();
    getrusage(RUSAGE_SELF, &ru1);
    double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    uint64_t unfinished = (uint64_t)(cfg.nconns - nidle);
    uint64_t unsent = 0;        /* due before the end, never sent: no connection came free */
    if (cfg.rate > 0)
        while (start + (int64_t)((double)(next + unsent) * interval) < end)
            unsent++;

    printf("mode %s\nconnections %d\nrate_target %.1f\nseconds %.2f\nwarmup %.2f\n",
           cfg.rate > 0 ? "open" : "closed", cfg.nconns, cfg.rate, cfg.duration, cfg.warmup);
    printf("due %llu\nunsent %llu\nsent %llu\ncompleted %llu\nrecorded %llu\n",
           (unsigned long long)(sent_total + unsent), (unsigned long long)unsent,
           (unsigned long long)sent_total, (unsigned long long)completed, (unsigned long long)lat.count);
    printf("status_2xx %llu\nstatus_3xx %llu\nstatus_4xx %llu\nstatus_5xx %llu\nstatus_other %llu\n",
           (unsigned long long)s2, (unsigned long long)s3, (unsigned long long)s4, (unsigned long long)s5,
           (unsigned long long)sother);
    printf("errors %llu\nunfinished %llu\n", (unsigned long long)errors, (unsigned long long)unfinished);
    printf("rps %.1f\n", (double)lat.count / cfg.duration);
    printf("p50_ms %.3f\np90_ms %.3f\np99_ms %.3f\np999_ms %.3f\nmax_ms %.3f\nmean_ms %.3f\n",
           hist_pct(&lat, 50), hist_pct(&lat, 90), hist_pct(&lat, 99), hist_pct(&lat, 99.9),
           (double)lat.max / 1000.0, lat.count ? (double)lat.sum / (double)lat.count / 1000.0 : 0);
    printf("service_p50_ms %.3f\nservice_p99_ms %.3f\n", hist_pct(&svc, 50), hist_pct(&svc, 99));
    printf("lag_p50_ms %.3f\nlag_p99_ms %.3f\nlag_max_ms %.3f\nmax_backlog %llu\n", hist_pct(&lag, 50),
           hist_pct(&lag, 99), (double)lag.max / 1000.0, (unsigned long long)max_backlog);
    printf("wake_late_p50_ms %.3f\nwake_late_p99_ms %.3f\nwake_late_max_ms %.3f\n", hist_pct(&wake, 50),
           hist_pct(&wake, 99), (double)wake.max / 1000.0);
    printf("generator_cpu_pct %.1f\n", 100.0 * cpu / ((double)(stop - start) / 1e9));
    return 0;
}
