/* SPDX-License-Identifier: MIT */
/*
 * Tests of the HTTP engine against a small scripted HTTP/1.1 server running in a thread on
 * 127.0.0.1 (one thread per connection, keep-alive). The path selects the behaviour:
 *
 *   /ok                       200 "ok"
 *   /slow?ms=N                wait N ms, then 200 "ok"
 *   /status/S?n=N             S for the first N requests with this target, then 200
 *                             (no n: always S)
 *   /throttle?n=N             400 ThrottlingException for the first N, then 200
 *   /reset?n=N                reset the connection (SO_LINGER 0) the first N times (no n:
 *                             always), then 200
 *   /stall                    send the headers, never the body
 *   /big                      a 100000-byte body
 *   /truncate                 Content-Length 100, 10 bytes sent, then close
 *   /echo                     the request line, the headers and the body as the body
 *   /reqid                    200 with x-amzn-RequestId and x-amz-retry-after headers
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "glue2dlf/http.h"

/* ---- test server ------------------------------------------------------------------ */

#define MAX_CONNS 1024
#define MAX_KEYS 64

struct srv_conn {
    int fd;
    pthread_t thread;
    struct srv *srv;
};

struct srv {
    int lfd;
    int port;
    pthread_t accept_thread;
    pthread_mutex_t mu;
    int stopping;
    struct srv_conn *conns[MAX_CONNS];
    int nconns;   /* connections accepted */
    int requests; /* requests read */
    int active;   /* requests being served now */
    int max_active;
    struct {
        char target[256];
        int count;
    } keys[MAX_KEYS];
    int nkeys;
    char drop_sigs[8][32]; /* X-Test-Signature of each /dropreused request, in order */
    int ndrop_sigs;
};

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_response(int fd, int status, const char *extra, const char *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n%s\r\n",
                     status, len, extra ? extra : "");

    if (send_all(fd, head, (size_t)n) < 0)
        return -1;
    return send_all(fd, body, len);
}

/* How many times this exact target has been requested before (0 the first time). */
static int srv_seen(struct srv *s, const char *target)
{
    int i, c = 0;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nkeys; i++)
        if (!strcmp(s->keys[i].target, target))
            break;
    if (i == s->nkeys && s->nkeys < MAX_KEYS) {
        snprintf(s->keys[i].target, sizeof(s->keys[i].target), "%s", target);
        s->keys[i].count = 0;
        s->nkeys++;
    }
    if (i < MAX_KEYS)
        c = s->keys[i].count++;
    pthread_mutex_unlock(&s->mu);
    return c;
}

/* The value of query parameter @p name as an int, or @p def. */
static int qint(const char *target, const char *name, int def)
{
    const char *q = strchr(target, '?');
    size_t n = strlen(name);

    while (q) {
        q++;
        if (!strncmp(q, name, n) && q[n] == '=')
            return atoi(q + n + 1);
        q = strchr(q, '&');
    }
    return def;
}

static void reset_conn(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};

    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

/* Serve one request; return 0 to keep the connection, -1 to close it. */
static int serve(struct srv *s, int fd, const char *method, const char *target, const char *headers,
                 const char *body, size_t blen)
{
    int n = qint(target, "n", -1);

    if (!strncmp(target, "/ok", 3) || !strncmp(target, "/dropreused", 11))
        return send_response(fd, 200, NULL, "ok", 2);
    if (!strncmp(target, "/slow", 5)) {
        usleep((useconds_t)qint(target, "ms", 10) * 1000);
        return send_response(fd, 200, NULL, "ok", 2);
    }
    if (!strncmp(target, "/status/", 8)) {
        int st = atoi(target + 8);

        if (n < 0 || srv_seen(s, target) < n)
            return send_response(fd, st, NULL, "status", 6);
        return send_response(fd, 200, NULL, "ok", 2);
    }
    if (!strncmp(target, "/throttle", 9)) {
        static const char thr[] = "{\"__type\":\"ThrottlingException\",\"message\":\"slow\"}";

        if (n < 0 || srv_seen(s, target) < n)
            return send_response(fd, 400, NULL, thr, sizeof(thr) - 1);
        return send_response(fd, 200, NULL, "ok", 2);
    }
    if (!strncmp(target, "/reset", 6)) {
        if (n < 0 || srv_seen(s, target) < n) {
            reset_conn(fd);
            return -1;
        }
        return send_response(fd, 200, NULL, "ok", 2);
    }
    if (!strncmp(target, "/stall", 6)) {
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        char c;

        send_all(fd, head, sizeof(head) - 1);
        /* Wait for the client to give up (or the server to stop). */
        while (recv(fd, &c, 1, 0) > 0)
            ;
        return -1;
    }
    if (!strncmp(target, "/big", 4)) {
        size_t len = 100000;
        char *b = malloc(len);
        int r;

        memset(b, 'x', len);
        r = send_response(fd, 200, NULL, b, len);
        free(b);
        return r;
    }
    if (!strncmp(target, "/truncate", 9)) {
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";

        send_all(fd, head, sizeof(head) - 1);
        return -1;
    }
    if (!strncmp(target, "/echo", 5)) {
        size_t cap = strlen(method) + strlen(target) + strlen(headers) + blen + 8;
        char *b = malloc(cap);
        int len, r;

        len = snprintf(b, cap, "%s %s\n%s\n", method, target, headers);
        memcpy(b + len, body, blen);
        r = send_response(fd, 200, NULL, b, (size_t)len + blen);
        free(b);
        return r;
    }
    if (!strncmp(target, "/reqid", 6))
        return send_response(fd, 200, "X-Amzn-RequestId: req-123\r\nx-amz-retry-after: 25\r\n",
                             "ok", 2);
    return send_response(fd, 404, NULL, "nope", 4);
}

/* The value of header @p name (given with its colon) in @p headers, into @p out. */
static void header_value(const char *headers, const char *name, char *out, size_t outsz)
{
    const char *p = strcasestr(headers, name);
    size_t n = 0;

    out[0] = '\0';
    if (!p)
        return;
    p += strlen(name);
    while (*p == ' ')
        p++;
    while (p[n] && p[n] != '\r' && n + 1 < outsz)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

/*
 * /dropreused?n=N: on a connection that has served a request before, the first N such
 * requests are read whole and then the connection is closed cleanly, with no answer — a
 * kept-alive connection that died just as the request went out (curl then re-sends by
 * itself). Each request's X-Test-Signature is recorded. Returns true if it dropped.
 */
static bool drop_reused(struct srv *s, int served, const char *target, const char *headers)
{
    int i;

    if (strncmp(target, "/dropreused", 11) != 0)
        return false;
    pthread_mutex_lock(&s->mu);
    i = s->ndrop_sigs < 8 ? s->ndrop_sigs++ : -1;
    if (i >= 0)
        header_value(headers, "X-Test-Signature:", s->drop_sigs[i], sizeof(s->drop_sigs[i]));
    pthread_mutex_unlock(&s->mu);
    return served > 0 && srv_seen(s, target) < qint(target, "n", 1);
}

static void *conn_main(void *arg)
{
    struct srv_conn *c = arg;
    struct srv *s = c->srv;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    int served = 0;

    for (;;) {
        char *end, *cl, method[16], target[1024], *headers, *body;
        size_t hlen, blen = 0, need;
        ssize_t r;
        int keep;

        /* Read until the end of the request head. */
        while (!(buf[len] = '\0', end = strstr(buf, "\r\n\r\n"))) {
            if (len == cap)
                goto out;
            r = recv(c->fd, buf + len, cap - len, 0);
            if (r <= 0)
                goto out;
            len += (size_t)r;
        }
        hlen = (size_t)(end - buf) + 4;
        if (sscanf(buf, "%15s %1023s", method, target) != 2)
            goto out;
        cl = strcasestr(buf, "\r\nContent-Length:");
        if (cl && cl < end)
            blen = (size_t)atol(cl + 17);
        need = hlen + blen;
        if (need > cap)
            goto out;
        while (len < need) {
            r = recv(c->fd, buf + len, cap - len, 0);
            if (r <= 0)
                goto out;
            len += (size_t)r;
        }
        /* Split: headers (without the request line) and body. */
        headers = strndup(strstr(buf, "\r\n") + 2, (size_t)(end - strstr(buf, "\r\n")));
        body = buf + hlen;
        pthread_mutex_lock(&s->mu);
        s->requests++;
        s->active++;
        if (s->active > s->max_active)
            s->max_active = s->active;
        pthread_mutex_unlock(&s->mu);
        if (drop_reused(s, served, target, headers)) {
            shutdown(c->fd, SHUT_RDWR); /* a clean close (FIN): nothing unread is left */
            keep = -1;
        } else {
            keep = serve(s, c->fd, method, target, headers, body, blen);
        }
        served++;
        pthread_mutex_lock(&s->mu);
        s->active--;
        pthread_mutex_unlock(&s->mu);
        free(headers);
        if (keep < 0)
            break;
        memmove(buf, buf + need, len - need);
        len -= need;
    }
out:
    free(buf);
    pthread_mutex_lock(&s->mu);
    close(c->fd);
    c->fd = -1;
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void *accept_main(void *arg)
{
    struct srv *s = arg;

    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        struct srv_conn *c;

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            break;
        }
        pthread_mutex_lock(&s->mu);
        if (s->stopping || s->nconns == MAX_CONNS) {
            pthread_mutex_unlock(&s->mu);
            close(fd);
            continue;
        }
        c = calloc(1, sizeof(*c));
        c->fd = fd;
        c->srv = s;
        s->conns[s->nconns++] = c;
        pthread_create(&c->thread, NULL, conn_main, c);
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static struct srv *srv_start(void)
{
    struct srv *s = calloc(1, sizeof(*s));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);

    assert_non_null(s);
    pthread_mutex_init(&s->mu, NULL);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->lfd >= 0);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 128), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->accept_thread, NULL, accept_main, s), 0);
    return s;
}

static void srv_stop(struct srv *s)
{
    int i;

    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_mutex_unlock(&s->mu);
    shutdown(s->lfd, SHUT_RDWR);
    pthread_join(s->accept_thread, NULL);
    close(s->lfd);
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nconns; i++)
        if (s->conns[i]->fd >= 0)
            shutdown(s->conns[i]->fd, SHUT_RDWR);
    pthread_mutex_unlock(&s->mu);
    for (i = 0; i < s->nconns; i++) {
        pthread_join(s->conns[i]->thread, NULL);
        free(s->conns[i]);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int srv_get(struct srv *s, const int *field)
{
    int v;

    pthread_mutex_lock(&s->mu);
    v = *field;
    pthread_mutex_unlock(&s->mu);
    return v;
}

/* ---- fixture ---------------------------------------------------------------------- */

#define MAX_RESULTS 256

struct result {
    int called;
    int err;
    long status;
    bool ok;
    unsigned attempts;
    char body[4096];
    size_t body_len;
    char request_id[64];
    char retry_after[32];
    char error_code[96];
    char error_message[384];
};

struct fx {
    struct srv *srv;
    uv_loop_t loop;
    struct g2d_http *h;
    struct g2d_http_endpoint *ep;
    char base[96];
    char host[64];
    int done;
    struct result res[MAX_RESULTS];
    /* prepare() records */
    unsigned prepares;
    unsigned attempt_seen[32];
    unsigned max_in_flight_at_prepare;
    char prep_host[64];
    char prep_action[64];
    char prep_method[16];
    int64_t prep_now;
    int prepare_fail;
    const char *content_type;
    bool closed;
};

static int64_t fixed_now(void)
{
    return 1700000000;
}

static int prepare_cb(struct g2d_http_attempt *a, void *ctx)
{
    struct fx *f = ctx;
    struct g2d_http_stats st;
    char sig[32];

    if (f->prepares < 32)
        f->attempt_seen[f->prepares] = a->attempt;
    f->prepares++;
    g2d_http_endpoint_stats(f->ep, &st);
    if (st.in_flight + 1 > f->max_in_flight_at_prepare)
        f->max_in_flight_at_prepare = st.in_flight + 1;
    snprintf(f->prep_host, sizeof(f->prep_host), "%s", a->host);
    snprintf(f->prep_action, sizeof(f->prep_action), "%s", a->action);
    snprintf(f->prep_method, sizeof(f->prep_method), "%s", a->method);
    f->prep_now = a->now;
    if (f->prepare_fail)
        return -EKEYREJECTED;
    snprintf(sig, sizeof(sig), "sig-%u", a->attempt);
    assert_int_equal(g2d_http_attempt_add_header(a, "X-Test-Signature", sig), 0);
    assert_int_equal(g2d_http_attempt_add_header(a, "Bad\nName", "x"), -EINVAL);
    assert_int_equal(g2d_http_attempt_add_header(a, "X-Evil", "a\r\nInjected: 1"), -EINVAL);
    if (f->content_type)
        assert_int_equal(g2d_http_attempt_add_header(a, "Content-Type", f->content_type), 0);
    return 0;
}

/* 2xx OK; 400 with ThrottlingException: throttle; 5xx: retry; else fail with a code. */
static enum g2d_http_verdict classify_cb(struct g2d_http_response *resp, void *ctx)
{
    (void)ctx;
    if (resp->status >= 200 && resp->status < 300)
        return G2D_HTTP_OK;
    if (resp->status == 400 && strstr(resp->body, "ThrottlingException")) {
        snprintf(resp->error_code, sizeof(resp->error_code), "ThrottlingException");
        return G2D_HTTP_RETRY_THROTTLE;
    }
    if (resp->status >= 500)
        return G2D_HTTP_RETRY;
    snprintf(resp->error_code, sizeof(resp->error_code), "Http%ld", resp->status);
    snprintf(resp->error_message, sizeof(resp->error_message), "service said %s", resp->body);
    return G2D_HTTP_FAIL;
}

static void done_cb(const struct g2d_http_response *resp, void *arg)
{
    struct result *r = arg;

    r->called++;
    r->err = resp->err;
    r->status = resp->status;
    r->ok = resp->ok;
    r->attempts = resp->attempts;
    r->body_len = resp->body_len;
    assert_non_null(resp->body);
    assert_int_equal(strlen(resp->body), resp->body_len);
    snprintf(r->body, sizeof(r->body), "%s", resp->body);
    snprintf(r->request_id, sizeof(r->request_id), "%s", resp->request_id);
    snprintf(r->retry_after, sizeof(r->retry_after), "%s", resp->retry_after);
    snprintf(r->error_code, sizeof(r->error_code), "%s", resp->error_code);
    snprintf(r->error_message, sizeof(r->error_message), "%s", resp->error_message);
}

static struct fx *g_fx; /* the running fixture, for callbacks that count completions */

static void counting_done_cb(const struct g2d_http_response *resp, void *arg)
{
    done_cb(resp, arg);
    g_fx->done++;
}

static void closed_cb(void *arg)
{
    struct fx *f = arg;

    f->closed = true;
}

struct fx_opts {
    uint64_t timeout_ms;
    size_t max_body;
    unsigned max_concurrency;
    double max_rps;
    unsigned max_attempts;
    unsigned retry_budget;
    bool default_classify;
    int port; /* 0: the test server */
};

static struct fx *fx_new(const struct fx_opts *o)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct g2d_http_opts ho = {0};
    struct g2d_http_endpoint_opts eo = {0};
    struct g2d_error err = {0};

    assert_non_null(f);
    g_fx = f;
    f->srv = srv_start();
    assert_int_equal(uv_loop_init(&f->loop), 0);
    ho.timeout_ms = o->timeout_ms ? o->timeout_ms : 10000;
    ho.connect_timeout_ms = 2000;
    ho.max_body = o->max_body;
    ho.now = fixed_now;
    assert_int_equal(g2d_http_new(&f->h, &f->loop, &ho, &err), 0);
    snprintf(f->host, sizeof(f->host), "127.0.0.1:%d", o->port ? o->port : f->srv->port);
    snprintf(f->base, sizeof(f->base), "http://%s", f->host);
    eo.name = "test";
    eo.base_url = f->base;
    eo.max_concurrency = o->max_concurrency ? o->max_concurrency : 8;
    eo.max_rps = o->max_rps;
    eo.max_attempts = o->max_attempts ? o->max_attempts : 4;
    eo.base_delay_ms = 1;
    eo.throttle_delay_ms = 1;
    eo.max_delay_ms = 20;
    eo.retry_budget = o->retry_budget;
    eo.prepare = prepare_cb;
    eo.classify = o->default_classify ? NULL : classify_cb;
    eo.ctx = f;
    assert_int_equal(g2d_http_endpoint_new(f->h, &f->ep, &eo, &err), 0);
    return f;
}

static struct g2d_http_stats stats(struct fx *f);

struct runner {
    struct fx *f;
    bool (*pred)(struct fx *f);
    int expired;
    int closing;
};

static void guard_cb(uv_timer_t *t)
{
    struct runner *r = t->data;

    r->expired = 1;
}

/*
 * Runs before the loop would block in poll: stop the loop as soon as the condition holds,
 * whatever callback made it true (a uv_run(UV_RUN_ONCE) that ran the completion from its
 * timer phase would otherwise block until the next event).
 */
static void runner_prepare_cb(uv_prepare_t *p)
{
    struct runner *r = p->data;

    if (r->pred(r->f))
        uv_stop(p->loop);
}

static void runner_closed(uv_handle_t *h)
{
    struct runner *r = h->data;

    r->closing--;
}

/* Run until @p pred holds; fail after 30 s. */
static void fx_run_until(struct fx *f, bool (*pred)(struct fx *f))
{
    struct runner r = {.f = f, .pred = pred};
    uv_timer_t guard;
    uv_prepare_t prep;

    uv_timer_init(&f->loop, &guard);
    guard.data = &r;
    uv_timer_start(&guard, guard_cb, 30000, 0);
    uv_prepare_init(&f->loop, &prep);
    prep.data = &r;
    uv_prepare_start(&prep, runner_prepare_cb);
    while (!pred(f) && !r.expired)
        uv_run(&f->loop, UV_RUN_ONCE);
    if (r.expired) {
        struct g2d_http_stats st = stats(f);

        print_error("stuck: in_flight %u queued %u attempts %lu server requests %d\n", st.in_flight,
                    st.queued, (unsigned long)st.attempts, srv_get(f->srv, &f->srv->requests));
    }
    r.closing = 2;
    uv_close((uv_handle_t *)&guard, runner_closed);
    uv_close((uv_handle_t *)&prep, runner_closed);
    while (r.closing)
        uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_false(r.expired);
}

static int g_target;

static bool reached_target(struct fx *f)
{
    return f->done >= g_target;
}

/* Run the loop until @p n requests completed in all; fail after 30 s. */
static void fx_run(struct fx *f, int n)
{
    g_target = n;
    fx_run_until(f, reached_target);
    assert_int_equal(f->done, n);
}

static void fx_free(struct fx *f)
{
    g2d_http_close(f->h, closed_cb, f);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_true(f->closed);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    srv_stop(f->srv);
    free(f);
    g_fx = NULL;
}

static void submit(struct fx *f, const char *method, const char *path, const struct g2d_kv *q,
                   size_t nq, const char *body, size_t blen, int slot, struct g2d_http_req **out)
{
    struct g2d_http_request_opts ro = {
        .method = method,
        .path = path,
        .query = q,
        .nquery = nq,
        .body = body,
        .body_len = blen,
        .action = "TestAction",
    };

    assert_int_equal(g2d_http_submit(f->ep, &ro, counting_done_cb, &f->res[slot], out), 0);
    assert_int_equal(f->res[slot].called, 0);
}

/* GET @p path; a "?name=value&..." suffix is passed as query parameters (the engine
 * percent-encodes the path itself, so a literal '?' there would be sent as %3F). */
static void get(struct fx *f, const char *path, int slot)
{
    struct g2d_kv q[4];
    char p[128], *qs, *save = NULL, *tok;
    size_t nq = 0;

    snprintf(p, sizeof(p), "%s", path);
    qs = strchr(p, '?');
    if (qs) {
        *qs++ = '\0';
        for (tok = strtok_r(qs, "&", &save); tok && nq < 4; tok = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(tok, '=');

            assert_non_null(eq);
            *eq = '\0';
            q[nq].name = tok;
            q[nq].value = eq + 1;
            nq++;
        }
    }
    submit(f, "GET", p, q, nq, NULL, 0, slot, NULL);
}

static struct g2d_http_stats stats(struct fx *f)
{
    struct g2d_http_stats st;

    g2d_http_endpoint_stats(f->ep, &st);
    return st;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_many_requests_reuse_connections(void **state)
{
    struct fx_opts o = {.max_concurrency = 8};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;
    int i;

    (void)state;
    for (i = 0; i < 200; i++)
        get(f, "/ok", i);
    fx_run(f, 200);
    for (i = 0; i < 200; i++) {
        assert_int_equal(f->res[i].called, 1);
        assert_int_equal(f->res[i].err, 0);
        assert_true(f->res[i].ok);
        assert_int_equal(f->res[i].status, 200);
        assert_string_equal(f->res[i].body, "ok");
        assert_int_equal(f->res[i].attempts, 1);
        assert_string_equal(f->res[i].error_message, "");
    }
    assert_int_equal(srv_get(f->srv, &f->srv->requests), 200);
    /* Connection reuse: far fewer connections than requests. */
    assert_true(srv_get(f->srv, &f->srv->nconns) < 200);
    assert_true(srv_get(f->srv, &f->srv->nconns) <= 16);
    assert_true(f->max_in_flight_at_prepare <= 8);
    st = stats(f);
    assert_int_equal(st.requests, 200);
    assert_int_equal(st.attempts, 200);
    assert_int_equal(st.retries, 0);
    assert_int_equal(st.failures, 0);
    assert_int_equal(st.in_flight, 0);
    assert_int_equal(st.queued, 0);
    assert_int_equal(st.concurrency, 8);
    assert_true(st.bytes_in >= 400);
    assert_true(st.bytes_out > 0);
    fx_free(f);
}

static void test_reset_retried_then_ok(void **state)
{
    struct fx_opts o = {.max_attempts = 4};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;

    (void)state;
    get(f, "/reset?n=2", 0);
    fx_run(f, 1);
    assert_int_equal(f->res[0].err, 0);
    assert_true(f->res[0].ok);
    assert_int_equal(f->res[0].attempts, 3);
    st = stats(f);
    assert_int_equal(st.attempts, 3);
    assert_int_equal(st.retries, 2);
    assert_int_equal(st.failures, 0);
    fx_free(f);
}

static void test_reset_always_fails(void **state)
{
    struct fx_opts o = {.max_attempts = 3};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;

    (void)state;
    get(f, "/reset", 0);
    fx_run(f, 1);
    assert_int_equal(f->res[0].err, -ECONNRESET);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].attempts, 3);
    assert_true(strlen(f->res[0].error_message) > 0);
    st = stats(f);
    assert_int_equal(st.failures, 1);
    assert_int_equal(st.requests, 1);
    fx_free(f);
}

static void test_stall_times_out(void **state)
{
    struct fx_opts o = {.timeout_ms = 300, .max_attempts = 2};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/stall", 0);
    fx_run(f, 1);
    assert_int_equal(f->res[0].err, -ETIMEDOUT);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].attempts, 2);
    assert_true(strlen(f->res[0].error_message) > 0);
    fx_free(f);
}

static void test_throttle_then_ok(void **state)
{
    struct fx_opts o = {.max_attempts = 4, .max_concurrency = 8};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;

    (void)state;
    get(f, "/throttle?n=2", 0);
    fx_run(f, 1);
    assert_true(f->res[0].ok);
    assert_int_equal(f->res[0].status, 200);
    assert_int_equal(f->res[0].attempts, 3);
    st = stats(f);
    assert_int_equal(st.throttled, 2);
    assert_int_equal(st.retries, 2);
    /* The same, per operation: three answers, two of them throttling, one request. */
    assert_int_equal(st.napis, 1);
    assert_string_equal(st.apis[0].name, "TestAction");
    assert_int_equal(st.apis[0].requests_ok, 1);
    assert_int_equal(st.apis[0].requests_failed, 0);
    assert_int_equal(st.apis[0].throttled, 2);
    assert_int_equal(st.apis[0].retries, 2);
    assert_int_equal(st.apis[0].answers[G2D_HTTP_CLASS_4XX][G2D_HTTP_CODE_THROTTLING], 2);
    assert_int_equal(st.apis[0].answers[G2D_HTTP_CLASS_2XX][G2D_HTTP_CODE_NONE], 1);
    {
        uint64_t n = 0;

        for (unsigned b = 0; b < G2D_HTTP_LATENCY_BUCKETS; b++)
            n += st.apis[0].latency[b];
        assert_int_equal(n, 3);
        assert_true(st.apis[0].latency_sum >= 0);
    }
    /* Throttling lowers the request rate in force, not the concurrency. */
    assert_true(st.rate_limit > 0);
    assert_int_equal(st.concurrency, 8);
    fx_free(f);
}

static void test_throttle_exhausted(void **state)
{
    /* Throttled requests get four times max_attempts, and spend no retry budget. */
    struct fx_opts o = {.max_attempts = 2, .retry_budget = 5};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/throttle", 0);
    fx_run(f, 1);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].err, 0);
    assert_int_equal(f->res[0].status, 400);
    assert_int_equal(f->res[0].attempts, 8);
    assert_string_equal(f->res[0].error_code, "ThrottlingException");
    assert_non_null(strstr(f->res[0].body, "ThrottlingException"));
    assert_int_equal(stats(f).throttled, 8);
    /* the budget of 5 is intact: a transient error still gets its one retry */
    get(f, "/status/503", 1);
    fx_run(f, 2);
    assert_int_equal(f->res[1].attempts, 2);
    fx_free(f);
}

static void test_400_not_retried(void **state)
{
    struct fx_opts o = {.max_attempts = 5};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;

    (void)state;
    get(f, "/status/400", 0);
    fx_run(f, 1);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].err, 0);
    assert_int_equal(f->res[0].status, 400);
    assert_int_equal(f->res[0].attempts, 1);
    assert_string_equal(f->res[0].body, "status");
    assert_string_equal(f->res[0].error_code, "Http400");
    assert_string_equal(f->res[0].error_message, "service said status");
    st = stats(f);
    assert_int_equal(st.attempts, 1);
    assert_int_equal(st.failures, 1);
    assert_int_equal(f->prepares, 1);
    fx_free(f);
}

static void test_default_classify(void **state)
{
    struct fx_opts o = {.max_attempts = 5, .default_classify = true};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/status/503?n=2", 0);
    get(f, "/status/404", 1);
    get(f, "/status/429?n=1", 2);
    fx_run(f, 3);
    assert_true(f->res[0].ok);
    assert_int_equal(f->res[0].attempts, 3);
    assert_false(f->res[1].ok);
    assert_int_equal(f->res[1].status, 404);
    assert_int_equal(f->res[1].attempts, 1);
    assert_string_equal(f->res[1].error_message, "HTTP 404");
    assert_true(f->res[2].ok);
    assert_int_equal(f->res[2].attempts, 2);
    fx_free(f);
}

static void test_body_ceiling(void **state)
{
    struct fx_opts o = {.max_body = 1000, .max_attempts = 4};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/big", 0);
    get(f, "/ok", 1);
    fx_run(f, 2);
    assert_int_equal(f->res[0].err, -E2BIG);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].attempts, 1);
    assert_true(f->res[0].body_len <= 1000);
    assert_true(f->res[1].ok);
    fx_free(f);
}

static void test_truncated_body(void **state)
{
    struct fx_opts o = {.max_attempts = 3};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/truncate", 0);
    fx_run(f, 1);
    assert_int_equal(f->res[0].err, -EPROTO);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].attempts, 3);
    fx_free(f);
}

static void test_concurrency_limit(void **state)
{
    struct fx_opts o = {.max_concurrency = 3};
    struct fx *f = fx_new(&o);
    int i;

    (void)state;
    for (i = 0; i < 24; i++)
        get(f, "/slow?ms=20", i);
    fx_run(f, 24);
    for (i = 0; i < 24; i++)
        assert_true(f->res[i].ok);
    assert_true(srv_get(f->srv, &f->srv->max_active) <= 3);
    assert_true(srv_get(f->srv, &f->srv->max_active) >= 1);
    assert_true(f->max_in_flight_at_prepare <= 3);
    /* The limit is actually used, not just respected by running one at a time. */
    assert_int_equal(f->max_in_flight_at_prepare, 3);
    fx_free(f);
}

static void test_set_limits(void **state)
{
    struct fx_opts o = {.max_concurrency = 8};
    struct fx *f = fx_new(&o);
    int i;

    (void)state;
    g2d_http_endpoint_set_limits(f->ep, 2, 0);
    assert_int_equal(stats(f).concurrency, 2);
    for (i = 0; i < 10; i++)
        get(f, "/slow?ms=5", i);
    fx_run(f, 10);
    assert_true(f->max_in_flight_at_prepare <= 2);
    assert_true(srv_get(f->srv, &f->srv->max_active) <= 2);
    fx_free(f);
}

static bool first_done(struct fx *f)
{
    return f->done >= 1;
}

static void test_rate_limit(void **state)
{
    /* 0.5 request/s with a burst of 1: the second attempt must wait about 2 s. */
    struct fx_opts o = {.max_rps = 0.5};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;

    (void)state;
    get(f, "/ok", 0);
    get(f, "/ok", 1);
    fx_run_until(f, first_done);
    /* The first is done, the second still waits for a token even though a slot is free. */
    assert_int_equal(f->prepares, 1);
    st = stats(f);
    assert_int_equal(st.attempts, 1);
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.in_flight, 0);
    fx_run(f, 2);
    assert_true(f->res[1].ok);
    assert_int_equal(f->prepares, 2);
    fx_free(f);
}

static bool one_in_flight(struct fx *f)
{
    return stats(f).in_flight == 1 && srv_get(f->srv, &f->srv->requests) >= 1;
}

static void test_cancel(void **state)
{
    struct fx_opts o = {.max_concurrency = 1};
    struct fx *f = fx_new(&o);
    struct g2d_http_req *running = NULL, *queued = NULL;
    struct g2d_http_stats st;

    (void)state;
    submit(f, "GET", "/stall", NULL, 0, NULL, 0, 0, &running);
    submit(f, "GET", "/ok", NULL, 0, NULL, 0, 1, &queued);
    submit(f, "GET", "/ok", NULL, 0, NULL, 0, 2, NULL);
    assert_non_null(running);
    assert_non_null(queued);
    /* Cancel a queued request: synchronous. */
    g2d_http_cancel(queued);
    assert_int_equal(f->res[1].called, 1);
    assert_int_equal(f->res[1].err, -ECANCELED);
    assert_false(f->res[1].ok);
    fx_run_until(f, one_in_flight);
    assert_int_equal(f->res[0].called, 0);
    /* Cancel the running one (removed from curl): synchronous too. */
    g2d_http_cancel(running);
    assert_int_equal(f->res[0].called, 1);
    assert_int_equal(f->res[0].err, -ECANCELED);
    st = stats(f);
    assert_int_equal(st.in_flight, 0);
    /* The slot is given to the third request. */
    fx_run(f, 3);
    assert_true(f->res[2].ok);
    st = stats(f);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.failures, 2);
    fx_free(f);
}

static bool five_in_flight(struct fx *f)
{
    return stats(f).in_flight == 5 && srv_get(f->srv, &f->srv->requests) == 5;
}

static void test_close_with_requests_in_flight(void **state)
{
    struct fx_opts o = {.max_concurrency = 5, .max_attempts = 3};
    struct fx *f = fx_new(&o);
    int i;

    (void)state;
    for (i = 0; i < 5; i++)
        get(f, "/stall", i);
    get(f, "/ok", 5);         /* queued */
    get(f, "/status/503", 6); /* queued */
    fx_run_until(f, five_in_flight);
    g2d_http_close(f->h, closed_cb, f);
    for (i = 0; i < 7; i++) {
        assert_int_equal(f->res[i].called, 1);
        assert_int_equal(f->res[i].err, -ECANCELED);
    }
    assert_false(f->closed);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_true(f->closed);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    srv_stop(f->srv);
    free(f);
}

/* Closing from inside a completion callback is allowed. */
static void close_in_cb(const struct g2d_http_response *resp, void *arg)
{
    done_cb(resp, arg);
    g_fx->done++;
    g2d_http_close(g_fx->h, closed_cb, g_fx);
}

static void test_close_from_callback(void **state)
{
    struct fx_opts o = {0};
    struct fx *f = fx_new(&o);
    struct g2d_http_request_opts ro = {.method = "GET", .path = "/ok"};
    struct g2d_http_request_opts slow = {.method = "GET", .path = "/stall"};

    (void)state;
    assert_int_equal(g2d_http_submit(f->ep, &slow, counting_done_cb, &f->res[1], NULL), 0);
    assert_int_equal(g2d_http_submit(f->ep, &ro, close_in_cb, &f->res[0], NULL), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_true(f->closed);
    assert_true(f->res[0].ok);
    assert_int_equal(f->res[1].called, 1);
    assert_int_equal(f->res[1].err, -ECANCELED);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    srv_stop(f->srv);
    free(f);
}

static void test_prepare_attempts(void **state)
{
    struct fx_opts o = {.max_attempts = 5};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/status/503?n=2", 0);
    fx_run(f, 1);
    assert_true(f->res[0].ok);
    assert_int_equal(f->prepares, 3);
    assert_int_equal(f->attempt_seen[0], 1);
    assert_int_equal(f->attempt_seen[1], 2);
    assert_int_equal(f->attempt_seen[2], 3);
    assert_string_equal(f->prep_host, f->host);
    assert_string_equal(f->prep_action, "TestAction");
    assert_string_equal(f->prep_method, "GET");
    assert_int_equal(f->prep_now, fixed_now());
    fx_free(f);
}

/*
 * A kept-alive connection that dies after the request went out and before any answer:
 * curl would re-send the same bytes (the same signature, date and nonce) on a fresh
 * connection. The engine refuses that and sends the request again itself, prepared anew.
 */
static void test_resend_after_dead_connection_is_signed_anew(void **state)
{
    struct fx_opts o = {.max_attempts = 3, .max_concurrency = 1};
    struct fx *f = fx_new(&o);
    struct g2d_http_stats st;

    (void)state;
    get(f, "/ok", 0);
    fx_run(f, 1);
    assert_true(f->res[0].ok);
    get(f, "/dropreused?n=1", 1);
    fx_run(f, 2);
    assert_true(f->res[1].ok);
    assert_int_equal(f->srv->ndrop_sigs, 2);
    assert_string_equal(f->srv->drop_sigs[0], "sig-1");
    assert_string_equal(f->srv->drop_sigs[1], "sig-2"); /* not sig-1 again */
    st = stats(f);
    assert_int_equal(st.resends, 1);
    assert_int_equal(st.retries, 1);
    fx_free(f);
}

static void test_prepare_failure_deferred(void **state)
{
    struct fx_opts o = {0};
    struct fx *f = fx_new(&o);

    (void)state;
    f->prepare_fail = 1;
    get(f, "/ok", 0); /* asserts the callback did not run inside submit */
    fx_run(f, 1);
    assert_int_equal(f->res[0].err, -EKEYREJECTED);
    assert_false(f->res[0].ok);
    assert_int_equal(srv_get(f->srv, &f->srv->requests), 0);
    fx_free(f);
}

static void test_echo_query_and_headers(void **state)
{
    struct fx_opts o = {0};
    struct fx *f = fx_new(&o);
    static const struct g2d_kv q[] = {
        {"b", "x y"}, {"a", "1/2"}, {"c~", "\xc3\xbc"}, {"A", "+&="}, {"a", "0"},
    };
    static const char line[] = "POST /echo?A=%2B%26%3D&a=0&a=1%2F2&b=x%20y&c~=%C3%BC\n";
    char host[96], *body, *hp;
    size_t blen = 2000;

    (void)state;
    body = malloc(blen);
    memset(body, 'b', blen);
    /* A 2000-byte POST: curl 7.88 would send "Expect: 100-continue" (threshold 1 KiB). */
    submit(f, "POST", "/echo", q, 5, body, blen, 0, NULL);
    fx_run(f, 1);
    assert_true(f->res[0].ok);
    /* Sorted by name (then value), RFC 3986-encoded. */
    assert_true(strncmp(f->res[0].body, line, strlen(line)) == 0);
    /* Exactly one Host header, host:port as in base_url. */
    snprintf(host, sizeof(host), "Host: %s\r\n", f->host);
    hp = strstr(f->res[0].body, host);
    assert_non_null(hp);
    assert_null(strcasestr(hp + 1, "\nHost:"));
    assert_ptr_equal(strcasestr(f->res[0].body, "\nHost:") + 1, hp);
    assert_non_null(strstr(f->res[0].body, "X-Test-Signature: sig-1\r\n"));
    assert_non_null(strstr(f->res[0].body, "Content-Length: 2000\r\n"));
    assert_null(strcasestr(f->res[0].body, "Expect:"));
    assert_null(strcasestr(f->res[0].body, "Accept:"));
    assert_null(strcasestr(f->res[0].body, "Content-Type:"));
    assert_non_null(strstr(f->res[0].body, "User-Agent: glue2dlf/"));
    assert_true(f->res[0].body_len > blen);
    free(body);
    fx_free(f);
}

static void test_echo_methods(void **state)
{
    struct fx_opts o = {0};
    struct fx *f = fx_new(&o);
    const char *b;

    (void)state;
    f->content_type = "application/json";
    submit(f, "PUT", "/echo/put", NULL, 0, "{\"a\":1}", 7, 0, NULL);
    submit(f, "DELETE", "/echo/del", NULL, 0, NULL, 0, 1, NULL);
    submit(f, "GET", "/echo/get body", NULL, 0, NULL, 0, 2, NULL);
    fx_run(f, 3);
    b = f->res[0].body;
    assert_true(strncmp(b, "PUT /echo/put\n", 14) == 0);
    assert_non_null(strstr(b, "Content-Type: application/json\r\n"));
    assert_ptr_equal(strstr(b, "Content-Type:"), strcasestr(b, "content-type:"));
    assert_non_null(strstr(b, "\r\n\n{\"a\":1}"));
    b = f->res[1].body;
    assert_true(strncmp(b, "DELETE /echo/del\n", 17) == 0);
    assert_null(strcasestr(b, "Content-Length"));
    /* The path is percent-encoded ('/' kept). */
    assert_true(strncmp(f->res[2].body, "GET /echo/get%20body\n", 21) == 0);
    fx_free(f);
}

static void test_response_headers(void **state)
{
    struct fx_opts o = {0};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/reqid", 0);
    fx_run(f, 1);
    assert_true(f->res[0].ok);
    assert_string_equal(f->res[0].request_id, "req-123");
    assert_string_equal(f->res[0].retry_after, "25");
    fx_free(f);
}

static void test_retry_budget(void **state)
{
    /* A budget of 5 pays for exactly one retry. */
    struct fx_opts o = {.max_attempts = 6, .retry_budget = 5};
    struct fx *f = fx_new(&o);

    (void)state;
    get(f, "/status/503", 0);
    fx_run(f, 1);
    assert_false(f->res[0].ok);
    assert_int_equal(f->res[0].status, 503);
    assert_int_equal(f->res[0].attempts, 2);
    /* A success refunds one token: not enough for a retry (cost 5). */
    get(f, "/ok", 1);
    fx_run(f, 2);
    get(f, "/status/503", 2);
    fx_run(f, 3);
    assert_int_equal(f->res[2].attempts, 1);
    assert_int_equal(stats(f).retries, 1);
    fx_free(f);
}

static void test_connection_refused(void **state)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    struct fx_opts o = {.max_attempts = 2};
    struct fx *f;

    (void)state;
    /* A port that was free a moment ago and has no listener. */
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    port = ntohs(a.sin_port);
    close(fd);
    o.port = port;
    f = fx_new(&o);
    get(f, "/ok", 0);
    fx_run(f, 1);
    assert_int_equal(f->res[0].err, -ECONNREFUSED);
    assert_int_equal(f->res[0].attempts, 2);
    fx_free(f);
}

static void test_bad_arguments(void **state)
{
    struct fx_opts o = {0};
    struct fx *f = fx_new(&o);
    struct g2d_http_request_opts ro = {.method = "GET", .path = "no-slash"};
    struct g2d_http_endpoint_opts eo = {.base_url = "ftp://x"};
    struct g2d_http_endpoint *ep = NULL;
    struct g2d_error err = {0};

    (void)state;
    assert_int_equal(g2d_http_submit(f->ep, &ro, counting_done_cb, &f->res[0], NULL), -EINVAL);
    ro.path = "/ok";
    assert_int_equal(g2d_http_submit(f->ep, &ro, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(g2d_http_endpoint_new(f->h, &ep, &eo, &err), -EINVAL);
    assert_null(ep);
    assert_true(strlen(err.msg) > 0);
    eo.base_url = "http://user@host";
    assert_int_equal(g2d_http_endpoint_new(f->h, &ep, &eo, &err), -EINVAL);
    g2d_http_cancel(NULL);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_requests_reuse_connections),
        cmocka_unit_test(test_reset_retried_then_ok),
        cmocka_unit_test(test_reset_always_fails),
        cmocka_unit_test(test_stall_times_out),
        cmocka_unit_test(test_throttle_then_ok),
        cmocka_unit_test(test_throttle_exhausted),
        cmocka_unit_test(test_400_not_retried),
        cmocka_unit_test(test_default_classify),
        cmocka_unit_test(test_body_ceiling),
        cmocka_unit_test(test_truncated_body),
        cmocka_unit_test(test_concurrency_limit),
        cmocka_unit_test(test_set_limits),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_close_with_requests_in_flight),
        cmocka_unit_test(test_close_from_callback),
        cmocka_unit_test(test_prepare_attempts),
        cmocka_unit_test(test_prepare_failure_deferred),
        cmocka_unit_test(test_resend_after_dead_connection_is_signed_anew),
        cmocka_unit_test(test_echo_query_and_headers),
        cmocka_unit_test(test_echo_methods),
        cmocka_unit_test(test_response_headers),
        cmocka_unit_test(test_retry_budget),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
