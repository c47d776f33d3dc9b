/* SPDX-License-Identifier: MIT */
/*
 * The HTTP engine: one curl multi handle driven by one libuv loop, following
 * shared/reference/c-style.md §14.
 *
 * Shape. The engine owns the multi handle, curl's timeout timer, an idle handle used to
 * defer work to the loop ("kick"), and the list of endpoints. Each endpoint owns three
 * request lists (ready FIFO, backoff sorted by due time, running) and one timer that wakes
 * it for a rate-limit token or the next backoff. Each curl socket gets one socket context
 * with an embedded uv_poll_t, created on the first IN/OUT/INOUT, attached with
 * curl_multi_assign() and freed only in its uv_close callback.
 *
 * Re-entrancy. Users' callbacks run from loop callbacks (never from inside a curl callback
 * or g2d_http_submit()) and may submit, cancel, or even close the engine. Every entry point
 * from the loop increments h->depth; g2d_http_close() only tears curl down when no engine
 * frame is on the stack, otherwise the outermost frame does it on its way out.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <uv.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/error.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

#define DEF_CONNECT_TIMEOUT_MS 10000u
#define DEF_TIMEOUT_MS 120000u
#define DEF_MAX_BODY ((size_t)256 * 1024 * 1024)
#define DEF_CONCURRENCY 16u
#define DEF_MAX_ATTEMPTS 6u
#define DEF_BASE_DELAY_MS 100u
#define DEF_THROTTLE_DELAY_MS 1000u
#define THROTTLE_ATTEMPT_FACTOR 4u
#define DEF_MAX_DELAY_MS 20000u
#define DEF_RETRY_BUDGET 500u
#define RETRY_COST 5u
#define RETRY_COST_TIMEOUT 10u
#define RETRY_AFTER_SLACK_MS 5000u

struct g2d_http_endpoint;

enum req_state {
    REQ_READY = 0, /* in ep->ready, waiting for a slot or a rate token */
    REQ_BACKOFF,   /* in ep->backoff, waiting for its due time */
    REQ_RUNNING,   /* in ep->running, easy handle added to the multi */
    REQ_DONE,      /* in no list, callback being delivered */
};

struct req_list {
    struct g2d_http_req *head, *tail;
    unsigned n;
};

struct g2d_http_req {
    struct g2d_http_endpoint *ep;
    struct g2d_http_req *prev, *next;
    enum req_state state;
    uint64_t due; /* backoff: uv_now() at which it becomes ready */

    char *method, *path, *action, *body, *url;
    size_t body_len;
    struct g2d_kv *query; /* sorted copy */
    size_t nquery;
    char *qstore; /* storage for the query strings */

    g2d_http_done_cb cb;
    void *arg;

    CURL *easy;
    struct curl_slist *headers;
    bool has_accept, has_ctype;
    int body_err; /* set by the write callback: -E2BIG or -ENOMEM */
    unsigned attempt;
    struct g2d_buf resp_body;
    char request_id[128];
    char retry_after[32];
    char errbuf[CURL_ERROR_SIZE];
    struct g2d_http_response resp;
};

struct g2d_http_endpoint {
    struct g2d_http *h;
    struct g2d_http_endpoint *next;
    uv_timer_t timer;
    char *name, *base_url, *host;
    unsigned max_concurrency, concurrency;
    double max_rps, tokens;
    uint64_t tokens_at;
    /* Adaptive rate (throttling): a cap below max_rps learnt from the service. */
    double arate; /* 0 = none */
    uint64_t arate_cut_at, arate_up_at, last_throttle_at;
    double sent_rate; /* attempts per second, smoothed */
    uint64_t sent_count, sent_at;
    unsigned max_attempts, base_delay_ms, throttle_delay_ms, max_delay_ms;
    unsigned budget, budget_cap;
    int (*prepare)(struct g2d_http_attempt *a, void *ctx);
    enum g2d_http_verdict (*classify)(struct g2d_http_response *resp, void *ctx);
    void *ctx;
    struct req_list ready, backoff, running;
    struct g2d_http_stats stats;
};

struct sock_ctx {
    uv_poll_t poll;
    curl_socket_t fd;
    struct g2d_http *h;
    struct sock_ctx *prev, *next; /* live (not yet closing) contexts */
};

struct g2d_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer; /* curl's timeout */
    uv_idle_t kick;   /* deferred pump of every endpoint */
    struct g2d_http_endpoint *endpoints;
    struct sock_ctx *socks; /* live socket contexts */
    char *ca_file, *user_agent;
    uint64_t connect_timeout_ms, timeout_ms;
    size_t max_body;
    int64_t (*now)(void);
    uint64_t rng;
    int running;
    unsigned nhandles;      /* initialised libuv handles whose close callback has not run */
    unsigned depth;         /* engine frames on the stack */
    unsigned sock_failures; /* invariant violations in the socket callback (UV_EEXIST...) */
    CURLMcode last_mcode;
    bool closing, torn_down;
    void (*closed)(void *arg);
    void *closed_arg;
};

/* ---- small helpers ---------------------------------------------------------------- */

static void list_push_tail(struct req_list *l, struct g2d_http_req *r)
{
    r->next = NULL;
    r->prev = l->tail;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->n++;
}

static void list_push_head(struct req_list *l, struct g2d_http_req *r)
{
    r->prev = NULL;
    r->next = l->head;
    if (l->head)
        l->head->prev = r;
    else
        l->tail = r;
    l->head = r;
    l->n++;
}

/* Insert @p r after @p after (NULL: at the head). */
static void list_insert_after(struct req_list *l, struct g2d_http_req *after,
                              struct g2d_http_req *r)
{
    if (!after) {
        list_push_head(l, r);
        return;
    }
    r->prev = after;
    r->next = after->next;
    if (after->next)
        after->next->prev = r;
    else
        l->tail = r;
    after->next = r;
    l->n++;
}

static void list_remove(struct req_list *l, struct g2d_http_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        l->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        l->tail = r->prev;
    r->prev = r->next = NULL;
    l->n--;
}

static struct req_list *req_list_of(struct g2d_http_req *r)
{
    switch (r->state) {
    case REQ_READY:
        return &r->ep->ready;
    case REQ_BACKOFF:
        return &r->ep->backoff;
    case REQ_RUNNING:
        return &r->ep->running;
    default:
        return NULL;
    }
}

/* xorshift64*: jitter only, no security role. */
static uint64_t rng_next(struct g2d_http *h)
{
    uint64_t x = h->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    h->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void copy_str(char *dst, size_t dstsz, const char *src, size_t n)
{
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int kv_cmp(const void *a, const void *b)
{
    const struct g2d_kv *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->value, y->value);
}

/* ---- close / teardown ------------------------------------------------------------- */

static void endpoint_free(struct g2d_http_endpoint *ep)
{
    free(ep->name);
    free(ep->base_url);
    free(ep->host);
    free(ep);
}

static void engine_free(struct g2d_http *h)
{
    struct g2d_http_endpoint *ep;

    while ((ep = h->endpoints)) {
        h->endpoints = ep->next;
        endpoint_free(ep);
    }
    free(h->ca_file);
    free(h->user_agent);
    free(h);
    curl_global_cleanup();
}

static void maybe_finish(struct g2d_http *h)
{
    void (*closed)(void *arg);
    void *arg;

    if (!h->torn_down || h->nhandles)
        return;
    closed = h->closed;
    arg = h->closed_arg;
    engine_free(h);
    if (closed)
        closed(arg);
}

static void handle_closed(uv_handle_t *handle)
{
    struct g2d_http *h = handle->data;

    h->nhandles--;
    maybe_finish(h);
}

static void endpoint_timer_closed(uv_handle_t *handle)
{
    struct g2d_http_endpoint *ep = handle->data;

    ep->h->nhandles--;
    maybe_finish(ep->h);
}

static void sock_closed(uv_handle_t *handle);

static void sock_close(struct sock_ctx *sc)
{
    struct g2d_http *h = sc->h;

    if (sc->prev)
        sc->prev->next = sc->next;
    else
        h->socks = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    sc->prev = sc->next = NULL;
    uv_poll_stop(&sc->poll);
    uv_close((uv_handle_t *)&sc->poll, sock_closed);
}

static void sock_closed(uv_handle_t *handle)
{
    struct sock_ctx *sc = handle->data;
    struct g2d_http *h = sc->h;

    free(sc);
    h->nhandles--;
    maybe_finish(h);
}

/* Everything has been cancelled; no engine frame is on the stack. */
static void teardown(struct g2d_http *h)
{
    struct g2d_http_endpoint *ep;

    h->torn_down = true;
    /* May call the socket callback (REMOVE for cached connections) and the timer
     * callback: our socket contexts and timer must still exist. */
    if (h->multi)
        curl_multi_cleanup(h->multi);
    h->multi = NULL;
    uv_close((uv_handle_t *)&h->timer, handle_closed);
    uv_close((uv_handle_t *)&h->kick, handle_closed);
    for (ep = h->endpoints; ep; ep = ep->next)
        uv_close((uv_handle_t *)&ep->timer, endpoint_timer_closed);
    /* Socket contexts are closed by CURL_POLL_REMOVE during curl_multi_cleanup(); close
     * any that survived (it would be a libcurl bug) so that the engine can finish. */
    while (h->socks)
        sock_close(h->socks);
}

static void leave(struct g2d_http *h)
{
    h->depth--;
    if (h->depth == 0 && h->closing && !h->torn_down)
        teardown(h);
}

/* ---- request life cycle ----------------------------------------------------------- */

static void req_free(struct g2d_http_req *r)
{
    if (!r)
        return;
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    g2d_buf_done(&r->resp_body);
    free(r->method);
    free(r->path);
    free(r->action);
    free(r->body);
    free(r->url);
    free(r->query);
    free(r->qstore);
    free(r);
}

static void kick(struct g2d_http *h);

/* The request is in no list. Deliver its response and free it. */
static void deliver(struct g2d_http_req *r)
{
    struct g2d_http_endpoint *ep = r->ep;
    struct g2d_http_response *resp = &r->resp;

    r->state = REQ_DONE;
    resp->attempts = r->attempt;
    resp->body = r->resp_body.data ? r->resp_body.data : "";
    resp->body_len = r->resp_body.len;
    resp->body_buf = &r->resp_body;
    resp->request_id = r->request_id;
    resp->retry_after = r->retry_after;
    if (resp->err)
        resp->ok = false;
    if (!resp->ok && !resp->error_message[0]) {
        if (resp->err)
            snprintf(resp->error_message, sizeof(resp->error_message), "%s", strerror(-resp->err));
        else
            snprintf(resp->error_message, sizeof(resp->error_message), "HTTP %ld", resp->status);
    }
    if (resp->ok)
        resp->error_message[0] = '\0';
    ep->stats.requests++;
    if (!resp->ok)
        ep->stats.failures++;
    r->cb(resp, r->arg);
    req_free(r);
}

static void fail(struct g2d_http_req *r, int err, const char *msg)
{
    memset(&r->resp, 0, sizeof(r->resp));
    r->resp.err = err;
    if (msg)
        snprintf(r->resp.error_message, sizeof(r->resp.error_message), "%s", msg);
    deliver(r);
}

/* Detach a request from whatever it is doing (list, curl); it is then in no list. */
static void req_detach(struct g2d_http_req *r)
{
    struct req_list *l = req_list_of(r);
    struct g2d_http *h = r->ep->h;

    if (!l)
        return;
    list_remove(l, r);
    if (r->state == REQ_RUNNING && r->easy && h->multi)
        curl_multi_remove_handle(h->multi, r->easy);
    r->state = REQ_DONE;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct g2d_http_req *r = userdata;
    size_t n = size * nmemb;
    int rc;

    rc = g2d_buf_append(&r->resp_body, ptr, n);
    if (rc < 0) {
        r->body_err = rc;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

static bool hdr_is(const char *line, size_t namelen, const char *name)
{
    return strlen(name) == namelen && strncasecmp(line, name, namelen) == 0;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    struct g2d_http_req *r = userdata;
    size_t n = size * nitems, nl, vs, ve;
    const char *colon;

    if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        /* A new response (after an interim one): forget the previous headers. */
        r->request_id[0] = '\0';
        r->retry_after[0] = '\0';
        return n;
    }
    colon = memchr(buf, ':', n);
    if (!colon)
        return n;
    nl = (size_t)(colon - buf);
    vs = nl + 1;
    while (vs < n && (buf[vs] == ' ' || buf[vs] == '\t'))
        vs++;
    ve = n;
    while (ve > vs && (buf[ve - 1] == '\r' || buf[ve - 1] == '\n' || buf[ve - 1] == ' ' ||
                       buf[ve - 1] == '\t'))
        ve--;
    if (hdr_is(buf, nl, "x-amzn-requestid") || hdr_is(buf, nl, "x-acs-request-id"))
        copy_str(r->request_id, sizeof(r->request_id), buf + vs, ve - vs);
    else if (hdr_is(buf, nl, "x-amz-retry-after") || hdr_is(buf, nl, "x-acs-retry-after"))
        copy_str(r->retry_after, sizeof(r->retry_after), buf + vs, ve - vs);
    return n;
}

int g2d_http_attempt_add_header(struct g2d_http_attempt *a, const char *name, const char *value)
{
    struct g2d_http_req *r;
    struct curl_slist *l;
    struct g2d_buf line;
    const char *p;
    int rc;

    if (!a || !a->priv || !name || !value || !name[0])
        return -EINVAL;
    r = a->priv;
    for (p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= ' ' || c >= 127 || strchr("()<>@,;:\\\"/[]?={}", c))
            return -EINVAL;
    }
    if (strpbrk(value, "\r\n"))
        return -EINVAL;
    /* The engine owns these. */
    if (!strcasecmp(name, "Host") || !strcasecmp(name, "Content-Length") ||
        !strcasecmp(name, "Transfer-Encoding"))
        return -EINVAL;
    g2d_buf_init(&line, 0);
    /* curl treats "Name:" as "remove the header"; "Name;" sends it empty. */
    if (value[0])
        rc = g2d_buf_printf(&line, "%s: %s", name, value);
    else
        rc = g2d_buf_printf(&line, "%s;", name);
    if (rc < 0) {
        g2d_buf_done(&line);
        return rc;
    }
    l = curl_slist_append(r->headers, line.data);
    g2d_buf_done(&line);
    if (!l)
        return -ENOMEM;
    r->headers = l;
    if (!strcasecmp(name, "Accept"))
        r->has_accept = true;
    if (!strcasecmp(name, "Content-Type"))
        r->has_ctype = true;
    return 0;
}

static int append_header(struct g2d_http_req *r, const char *line)
{
    struct curl_slist *l = curl_slist_append(r->headers, line);

    if (!l)
        return -ENOMEM;
    r->headers = l;
    return 0;
}

static int easy_setup(struct g2d_http_req *r)
{
    struct g2d_http *h = r->ep->h;
    CURL *e = curl_easy_init();
    bool has_body = r->body != NULL || !strcmp(r->method, "POST") || !strcmp(r->method, "PUT");
    CURLcode c = CURLE_OK;

    if (!e)
        return -ENOMEM;
    r->easy = e;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (c == CURLE_OK)                                                                         \
            c = curl_easy_setopt(e, opt, val);                                                     \
    } while (0)
    SET(CURLOPT_URL, r->url);
    SET(CURLOPT_PRIVATE, r);
    SET(CURLOPT_ERRORBUFFER, r->errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_WRITEFUNCTION, write_cb);
    SET(CURLOPT_WRITEDATA, r);
    SET(CURLOPT_HEADERFUNCTION, header_cb);
    SET(CURLOPT_HEADERDATA, r);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)h->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
    SET(CURLOPT_USERAGENT, h->user_agent);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_TCP_KEEPIDLE, 60L);
    SET(CURLOPT_TCP_KEEPINTVL, 30L);
    /* HTTP/1.1 with keep-alive: one transfer per connection, so the endpoint's
     * concurrency limit is also its connection count. (With HTTP/2, CURLOPT_PIPEWAIT
     * would make transfers queue behind a connection whose first response stalls.) */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    if (h->ca_file)
        SET(CURLOPT_CAINFO, h->ca_file);
    if (has_body) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        SET(CURLOPT_POSTFIELDS, r->body ? r->body : "");
        if (strcmp(r->method, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, r->method);
    } else {
        SET(CURLOPT_HTTPGET, 1L);
        if (strcmp(r->method, "GET") != 0)
            SET(CURLOPT_CUSTOMREQUEST, r->method);
    }
#undef SET
    if (c == CURLE_OUT_OF_MEMORY)
        return -ENOMEM;
    return c == CURLE_OK ? 0 : -EINVAL;
}

/* Start one attempt of a request that is in no list. May deliver a failure. */
static void rate_count(struct g2d_http_endpoint *ep, uint64_t now);

static void start_attempt(struct g2d_http_req *r)
{
    struct g2d_http_endpoint *ep = r->ep;
    struct g2d_http *h = ep->h;
    struct g2d_http_attempt a;
    struct g2d_buf line;
    int rc;

    r->attempt++;
    ep->stats.attempts++;
    rate_count(ep, uv_now(h->loop));
    if (r->attempt > 1)
        ep->stats.retries++;
    g2d_buf_reset(&r->resp_body);
    r->body_err = 0;
    r->request_id[0] = '\0';
    r->retry_after[0] = '\0';
    r->errbuf[0] = '\0';
    curl_slist_free_all(r->headers);
    r->headers = NULL;
    r->has_accept = r->has_ctype = false;

    if (!r->easy) {
        rc = easy_setup(r);
        if (rc < 0) {
            fail(r, rc, "cannot set up the transfer");
            return;
        }
    }

    memset(&a, 0, sizeof(a));
    a.method = r->method;
    a.host = ep->host;
    a.path = r->path;
    a.query = r->query;
    a.nquery = r->nquery;
    a.body = r->body;
    a.body_len = r->body_len;
    a.action = r->action;
    a.now = h->now ? h->now() : (int64_t)time(NULL);
    a.attempt = r->attempt;
    a.priv = r;
    if (ep->prepare) {
        rc = ep->prepare(&a, ep->ctx);
        if (rc < 0) {
            fail(r, rc, "preparing the request failed");
            return;
        }
    }
    g2d_buf_init(&line, 0);
    rc = g2d_buf_printf(&line, "Host: %s", ep->host);
    if (rc == 0)
        rc = append_header(r, line.data);
    g2d_buf_done(&line);
    if (rc == 0)
        rc = append_header(r, "Expect:");
    if (rc == 0 && !r->has_accept)
        rc = append_header(r, "Accept:");
    if (rc == 0 && !r->has_ctype)
        rc = append_header(r, "Content-Type:");
    if (rc == 0 && curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK)
        rc = -ENOMEM;
    if (rc < 0) {
        fail(r, rc, "cannot build the request headers");
        return;
    }
    r->state = REQ_RUNNING;
    list_push_tail(&ep->running, r);
    if (curl_multi_add_handle(h->multi, r->easy) != CURLM_OK) {
        list_remove(&ep->running, r);
        r->state = REQ_DONE;
        fail(r, -ENOMEM, "cannot add the transfer to the multi handle");
        return;
    }
}

/* The rate in force: the configured cap, or the adaptive one if lower; 0 = none. */
static double eff_rps(const struct g2d_http_endpoint *ep)
{
    if (ep->arate > 0 && (ep->max_rps <= 0 || ep->arate < ep->max_rps))
        return ep->arate;
    return ep->max_rps;
}

/* Count attempts started, for the adaptive rate's estimate of what we send. */
static void rate_count(struct g2d_http_endpoint *ep, uint64_t now)
{
    ep->sent_count++;
    if (!ep->sent_at) {
        ep->sent_at = now;
        return;
    }
    if (now - ep->sent_at >= 250) {
        double r = (double)ep->sent_count * 1000.0 / (double)(now - ep->sent_at);

        ep->sent_rate = ep->sent_rate > 0 ? 0.5 * ep->sent_rate + 0.5 * r : r;
        ep->sent_count = 0;
        ep->sent_at = now;
    }
}

/*
 * Throttled: cut the rate to 80% of what we were sending, at most twice a second (a burst
 * of throttles answers one excess). Quiet: raise it 5% a second; once it is far above what
 * we send, and nothing was throttled for a minute, drop the cap.
 */
static void arate_throttled(struct g2d_http_endpoint *ep, uint64_t now)
{
    double base = ep->sent_rate > 0 ? ep->sent_rate : (double)ep->running.n + 1;

    ep->last_throttle_at = now;
    if (ep->arate > 0 && now - ep->arate_cut_at < 500)
        return;
    if (ep->arate > 0 && ep->arate < base)
        base = ep->arate;
    ep->arate = base * 0.8 < 0.5 ? 0.5 : base * 0.8;
    ep->arate_cut_at = now;
    ep->arate_up_at = now;
    if (ep->tokens > 1)
        ep->tokens = 1; /* no stored burst past a throttle */
}

static void arate_success(struct g2d_http_endpoint *ep, uint64_t now)
{
    if (ep->arate <= 0 || now - ep->arate_up_at < 1000)
        return;
    ep->arate_up_at = now;
    ep->arate = ep->arate * 1.05 + 0.5;
    if (now - ep->last_throttle_at > 60000 && ep->arate > 4 * ep->sent_rate + 10)
        ep->arate = 0;
}

/* Take a rate-limit token, or say how long until one is available. */
static bool rate_take(struct g2d_http_endpoint *ep, uint64_t now, uint64_t *wait_ms)
{
    double cap, rps = eff_rps(ep);

    if (rps <= 0)
        return true;
    cap = rps < 1 ? 1 : rps;
    if (now > ep->tokens_at)
        ep->tokens += (double)(now - ep->tokens_at) * rps / 1000.0;
    ep->tokens_at = now;
    if (ep->tokens > cap)
        ep->tokens = cap;
    if (ep->tokens >= 1) {
        ep->tokens -= 1;
        return true;
    }
    *wait_ms = (uint64_t)((1 - ep->tokens) * 1000.0 / rps) + 1;
    return false;
}

static void endpoint_timer_cb(uv_timer_t *t);

/* Start what may start now; arm the endpoint timer for what must wait. */
static void pump(struct g2d_http_endpoint *ep)
{
    struct g2d_http *h = ep->h;
    struct g2d_http_req *r, *last = NULL;
    uint64_t now, wake = UINT64_MAX, wait;

    if (h->closing)
        return;
    uv_update_time(h->loop);
    now = uv_now(h->loop);
    /* Due retries go to the head of the queue, oldest due first. */
    while ((r = ep->backoff.head) && r->due <= now) {
        list_remove(&ep->backoff, r);
        r->state = REQ_READY;
        list_insert_after(&ep->ready, last, r);
        last = r;
    }
    while ((r = ep->ready.head) && ep->running.n < ep->concurrency) {
        if (!rate_take(ep, now, &wait)) {
            wake = now + wait;
            break;
        }
        list_remove(&ep->ready, r);
        r->state = REQ_DONE;
        start_attempt(r);
        if (h->closing)
            return;
    }
    if ((r = ep->backoff.head) && r->due < wake)
        wake = r->due;
    if (wake == UINT64_MAX)
        uv_timer_stop(&ep->timer);
    else
        uv_timer_start(&ep->timer, endpoint_timer_cb, wake > now ? wake - now : 1, 0);
}

static void endpoint_timer_cb(uv_timer_t *t)
{
    struct g2d_http_endpoint *ep = t->data;

    ep->h->depth++;
    pump(ep);
    leave(ep->h);
}

static void kick_cb(uv_idle_t *idle)
{
    struct g2d_http *h = idle->data;
    struct g2d_http_endpoint *ep;

    uv_idle_stop(idle);
    h->depth++;
    for (ep = h->endpoints; ep && !h->closing; ep = ep->next)
        pump(ep);
    leave(h);
}

static void kick(struct g2d_http *h)
{
    if (h->closing || uv_is_active((uv_handle_t *)&h->kick))
        return;
    uv_idle_start(&h->kick, kick_cb);
}

/* ---- completion ------------------------------------------------------------------- */

static int map_curl_error(CURLcode c, bool *retry)
{
    *retry = true;
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return -ECONNRESET;
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
        return -EPROTO;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return -EHOSTUNREACH;
    default:
        break;
    }
    *retry = false;
    switch (c) {
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return -EACCES;
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return -EPROTO;
    default:
        return -EIO;
    }
}

static enum g2d_http_verdict default_classify(struct g2d_http_response *resp, void *ctx)
{
    (void)ctx;
    if (resp->status >= 200 && resp->status < 300)
        return G2D_HTTP_OK;
    if (resp->status == 429 || (resp->status >= 500 && resp->status < 600))
        return G2D_HTTP_RETRY;
    return G2D_HTTP_FAIL;
}

static uint64_t backoff_delay(struct g2d_http_req *r, bool throttled)
{
    struct g2d_http_endpoint *ep = r->ep;
    uint64_t base = throttled ? ep->throttle_delay_ms : ep->base_delay_ms;
    uint64_t cap = ep->max_delay_ms, ceiling = base, delay;
    unsigned retry = r->attempt; /* the retry about to be scheduled: 1 for the first */
    unsigned i;
    const char *p;

    for (i = 1; i < retry && ceiling < cap; i++)
        ceiling *= 2;
    if (ceiling > cap)
        ceiling = cap;
    delay = rng_next(ep->h) % (ceiling + 1);
    p = r->retry_after;
    if (p[0]) {
        uint64_t ra = 0;
        bool okd = true;

        for (; *p; p++) {
            if (*p < '0' || *p > '9' || ra > UINT64_MAX / 100) {
                okd = false;
                break;
            }
            ra = ra * 10 + (uint64_t)(*p - '0');
        }
        if (okd && ra > 0) {
            if (ra > delay)
                delay = ra;
            if (delay > cap + RETRY_AFTER_SLACK_MS)
                delay = cap + RETRY_AFTER_SLACK_MS;
        }
    }
    return delay;
}

static void schedule_retry(struct g2d_http_req *r, uint64_t delay)
{
    struct g2d_http_endpoint *ep = r->ep;
    struct g2d_http_req *p;

    r->due = uv_now(ep->h->loop) + delay;
    r->state = REQ_BACKOFF;
    /* Sorted by due time; new entries are usually late, so search from the tail. */
    for (p = ep->backoff.tail; p && p->due > r->due; p = p->prev)
        ;
    list_insert_after(&ep->backoff, p, r);
}

static void finish_attempt(struct g2d_http *h, CURL *easy, CURLcode rc)
{
    struct g2d_http_req *r = NULL;
    struct g2d_http_endpoint *ep;
    struct g2d_http_response *resp;
    enum g2d_http_verdict v = G2D_HTTP_FAIL;
    bool retry = false, throttled = false;
    long status = 0;
    curl_off_t up = 0;
    long reqsize = 0, hdrsize = 0;
    unsigned cost;

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    if (!r || r->state != REQ_RUNNING) {
        curl_multi_remove_handle(h->multi, easy); /* not ours: should not happen */
        return;
    }
    ep = r->ep;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &reqsize);
    curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &hdrsize);
    ep->stats.bytes_out += (uint64_t)up + (uint64_t)(reqsize > 0 ? reqsize : 0);
    ep->stats.bytes_in += r->resp_body.len + (uint64_t)(hdrsize > 0 ? hdrsize : 0);
    curl_multi_remove_handle(h->multi, easy);
    list_remove(&ep->running, r);
    r->state = REQ_DONE;

    resp = &r->resp;
    memset(resp, 0, sizeof(*resp));
    resp->status = status;
    resp->body = r->resp_body.data ? r->resp_body.data : "";
    resp->body_len = r->resp_body.len;
    resp->body_buf = &r->resp_body;
    resp->request_id = r->request_id;
    resp->retry_after = r->retry_after;
    resp->attempts = r->attempt;

    if (r->body_err) {
        resp->err = r->body_err;
        if (r->body_err == -E2BIG)
            snprintf(resp->error_message, sizeof(resp->error_message),
                     "response body exceeds %zu bytes", h->max_body);
    } else if (rc != CURLE_OK) {
        resp->err = map_curl_error(rc, &retry);
        snprintf(resp->error_message, sizeof(resp->error_message), "%s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
    } else {
        v = ep->classify ? ep->classify(resp, ep->ctx) : default_classify(resp, NULL);
        switch (v) {
        case G2D_HTTP_OK:
            resp->ok = true;
            break;
        case G2D_HTTP_RETRY_THROTTLE:
            throttled = true;
            retry = true;
            ep->stats.throttled++;
            arate_throttled(ep, uv_now(h->loop));
            break;
        case G2D_HTTP_RETRY:
            retry = true;
            break;
        default:
            break;
        }
    }

    if (resp->ok) {
        if (ep->budget < ep->budget_cap)
            ep->budget++;
        arate_success(ep, uv_now(h->loop));
        deliver(r);
        return;
    }
    /*
     * Throttling is the service asking us to slow down, not a failure: the adaptive rate
     * answers it, so a throttled request neither spends the retry budget (kept for
     * transient errors) nor gives up after max_attempts — it gets four times as many.
     */
    if (throttled && r->attempt < ep->max_attempts * THROTTLE_ATTEMPT_FACTOR) {
        schedule_retry(r, backoff_delay(r, true));
        return;
    }
    cost = rc == CURLE_OPERATION_TIMEDOUT ? RETRY_COST_TIMEOUT : RETRY_COST;
    if (retry && !throttled && r->attempt < ep->max_attempts && ep->budget >= cost) {
        ep->budget -= cost;
        schedule_retry(r, backoff_delay(r, false));
        return;
    }
    deliver(r);
}

/* Reap every finished transfer, then let the endpoints start more. */
static void drain(struct g2d_http *h)
{
    struct g2d_http_endpoint *ep;
    CURLMsg *m;
    int left;

    while (!h->closing && (m = curl_multi_info_read(h->multi, &left))) {
        CURL *easy;
        CURLcode rc;

        if (m->msg != CURLMSG_DONE)
            continue;
        /* The message dies with curl_multi_remove_handle(): copy first. */
        easy = m->easy_handle;
        rc = m->data.result;
        finish_attempt(h, easy, rc);
    }
    for (ep = h->endpoints; ep && !h->closing; ep = ep->next)
        pump(ep);
}

/* ---- curl <-> libuv --------------------------------------------------------------- */

static void curl_timer_cb(uv_timer_t *t);

/*
 * libcurl calls the timer callback only when its earliest deadline changes. If our timer
 * fired before that deadline (libuv measures from its cached loop time), the timeout
 * action does nothing and curl does not ask again: re-arm from curl_multi_timeout().
 */
static void rearm_timer(struct g2d_http *h)
{
    long ms = -1;

    if (h->closing || uv_is_active((uv_handle_t *)&h->timer))
        return;
    if (curl_multi_timeout(h->multi, &ms) != CURLM_OK || ms < 0)
        return;
    uv_timer_start(&h->timer, curl_timer_cb, ms > 0 ? (uint64_t)ms : 1, 0);
}

static void poll_cb(uv_poll_t *p, int status, int events)
{
    struct sock_ctx *sc = p->data;
    struct g2d_http *h = sc->h;
    int flags = 0;
    CURLMcode mc;

    if (h->closing)
        return;
    if (status < 0) {
        flags = CURL_CSELECT_ERR;
    } else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    h->depth++;
    mc = curl_multi_socket_action(h->multi, sc->fd, flags, &h->running);
    if (mc != CURLM_OK)
        h->last_mcode = mc;
    drain(h);
    rearm_timer(h);
    leave(h);
}

static void curl_timer_cb(uv_timer_t *t)
{
    struct g2d_http *h = t->data;
    CURLMcode mc;

    if (h->closing)
        return;
    h->depth++;
    mc = curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &h->running);
    if (mc != CURLM_OK)
        h->last_mcode = mc;
    drain(h);
    rearm_timer(h);
    leave(h);
}

/* CURLMOPT_TIMERFUNCTION: never call curl from here. */
static int timer_func(CURLM *multi, long timeout_ms, void *userp)
{
    struct g2d_http *h = userp;

    (void)multi;
    if (timeout_ms < 0) {
        uv_timer_stop(&h->timer);
        return 0;
    }
    /* 0 means "soon, but not from inside this callback"; a 0 ms timer restarted from a
     * timer callback can run again in the same pass with libuv < 1.48. */
    if (timeout_ms == 0)
        timeout_ms = 1;
    if (uv_is_closing((uv_handle_t *)&h->timer))
        return 0;
    uv_timer_start(&h->timer, curl_timer_cb, (uint64_t)timeout_ms, 0);
    return 0;
}

/* CURLMOPT_SOCKETFUNCTION: never call curl from here (curl_multi_assign excepted). */
static int socket_func(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct g2d_http *h = userp;
    struct sock_ctx *sc = socketp;
    int events = 0, rc;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        /* curl 8.13 sent REMOVE for sockets it never announced (#17949). */
        if (!sc)
            return 0;
        sock_close(sc);
        return 0;
    }
    if (!sc) {
        sc = calloc(1, sizeof(*sc));
        if (!sc) {
            h->sock_failures++;
            return -1;
        }
        rc = uv_poll_init_socket(h->loop, &sc->poll, s);
        if (rc < 0) {
            /* UV_EEXIST: the fd is still registered, i.e. a socket was closed without
             * CURL_POLL_REMOVE and its number reused. An invariant violation. */
            h->sock_failures++;
            free(sc);
            return -1;
        }
        sc->fd = s;
        sc->h = h;
        sc->poll.data = sc;
        sc->next = h->socks;
        if (h->socks)
            h->socks->prev = sc;
        h->socks = sc;
        h->nhandles++;
        curl_multi_assign(h->multi, s, sc);
    }
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    rc = uv_poll_start(&sc->poll, events, poll_cb);
    if (rc < 0) {
        h->sock_failures++;
        return -1;
    }
    return 0;
}

/* ---- public API ------------------------------------------------------------------- */

static void update_multi_limits(struct g2d_http *h)
{
    struct g2d_http_endpoint *ep;
    long total = 0;

    for (ep = h->endpoints; ep; ep = ep->next)
        total += ep->max_concurrency;
    if (total < 1)
        total = 1;
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, total);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, total + 4);
}

int g2d_http_new(struct g2d_http **out, uv_loop_t *loop, const struct g2d_http_opts *opts,
                 struct g2d_error *err)
{
    struct g2d_http *h;
    struct g2d_http_opts none;
    CURLMcode mc = CURLM_OK;

    if (!out || !loop)
        return g2d_error_set(err, -EINVAL, "http: no loop");
    *out = NULL;
    if (!opts) {
        memset(&none, 0, sizeof(none));
        opts = &none;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return g2d_error_set(err, -ENOMEM, "http: curl_global_init failed");
    h = calloc(1, sizeof(*h));
    if (!h)
        goto nomem;
    h->loop = loop;
    h->connect_timeout_ms =
        opts->connect_timeout_ms ? opts->connect_timeout_ms : DEF_CONNECT_TIMEOUT_MS;
    h->timeout_ms = opts->timeout_ms ? opts->timeout_ms : DEF_TIMEOUT_MS;
    if (h->connect_timeout_ms > LONG_MAX)
        h->connect_timeout_ms = LONG_MAX;
    if (h->timeout_ms > LONG_MAX)
        h->timeout_ms = LONG_MAX;
    h->max_body = opts->max_body ? opts->max_body : DEF_MAX_BODY;
    h->now = opts->now;
    h->user_agent = strdup(opts->user_agent ? opts->user_agent : "glue2dlf/" G2D_VERSION);
    if (!h->user_agent)
        goto nomem;
    if (opts->ca_file) {
        h->ca_file = strdup(opts->ca_file);
        if (!h->ca_file)
            goto nomem;
    }
    if (getrandom(&h->rng, sizeof(h->rng), GRND_NONBLOCK) != (ssize_t)sizeof(h->rng))
        h->rng = uv_hrtime() ^ ((uint64_t)getpid() << 32);
    if (!h->rng)
        h->rng = 0x9E3779B97F4A7C15ULL;
    h->multi = curl_multi_init();
    if (!h->multi)
        goto nomem;
    mc = curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_func);
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_func);
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    if (mc != CURLM_OK)
        goto nomem;
    update_multi_limits(h);
    /* Cannot fail once the loop is initialised; no fallible step follows. */
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    uv_idle_init(loop, &h->kick);
    h->kick.data = h;
    h->nhandles = 2;
    *out = h;
    return 0;
nomem:
    if (h) {
        if (h->multi)
            curl_multi_cleanup(h->multi);
        free(h->ca_file);
        free(h->user_agent);
        free(h);
    }
    curl_global_cleanup();
    return g2d_error_set(err, -ENOMEM, "http: out of memory creating the engine");
}

static void cancel_req(struct g2d_http_req *r)
{
    req_detach(r);
    if (r->easy) {
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
    }
    fail(r, -ECANCELED, "request cancelled");
}

void g2d_http_close(struct g2d_http *h, void (*closed)(void *arg), void *arg)
{
    struct g2d_http_endpoint *ep;
    struct g2d_http_req *r;

    if (!h || h->closing)
        return;
    h->closing = true;
    h->closed = closed;
    h->closed_arg = arg;
    h->depth++;
    for (ep = h->endpoints; ep; ep = ep->next) {
        while ((r = ep->running.head) || (r = ep->ready.head) || (r = ep->backoff.head))
            cancel_req(r);
    }
    leave(h);
}

int g2d_http_endpoint_new(struct g2d_http *h, struct g2d_http_endpoint **out,
                          const struct g2d_http_endpoint_opts *opts, struct g2d_error *err)
{
    struct g2d_http_endpoint *ep;
    const char *url, *auth, *end;
    size_t ulen;

    if (out)
        *out = NULL;
    if (!h || !out || !opts || !opts->base_url)
        return g2d_error_set(err, -EINVAL, "http: endpoint needs a base_url");
    if (h->closing)
        return g2d_error_set(err, -ESHUTDOWN, "http: engine is closing");
    url = opts->base_url;
    if (!strncmp(url, "http://", 7))
        auth = url + 7;
    else if (!strncmp(url, "https://", 8))
        auth = url + 8;
    else
        return g2d_error_set(err, -EINVAL, "http: base_url '%s' is not http(s)://", url);
    end = auth + strcspn(auth, "/?#");
    if (end == auth || memchr(auth, '@', (size_t)(end - auth)) || *end == '?' || *end == '#')
        return g2d_error_set(err, -EINVAL, "http: bad base_url '%s'", url);
    ulen = strlen(url);
    while (ulen > (size_t)(end - url) && url[ulen - 1] == '/')
        ulen--;
    ep = calloc(1, sizeof(*ep));
    if (!ep)
        goto nomem;
    ep->h = h;
    ep->name = strdup(opts->name ? opts->name : "http");
    ep->base_url = strndup(url, ulen);
    ep->host = strndup(auth, (size_t)(end - auth));
    if (!ep->name || !ep->base_url || !ep->host)
        goto nomem;
    ep->max_concurrency = opts->max_concurrency ? opts->max_concurrency : DEF_CONCURRENCY;
    ep->concurrency = ep->max_concurrency;
    ep->max_rps = opts->max_rps > 0 ? opts->max_rps : 0;
    ep->tokens = ep->max_rps < 1 ? 1 : ep->max_rps;
    ep->tokens_at = uv_now(h->loop);
    ep->max_attempts = opts->max_attempts ? opts->max_attempts : DEF_MAX_ATTEMPTS;
    ep->base_delay_ms = opts->base_delay_ms ? opts->base_delay_ms : DEF_BASE_DELAY_MS;
    ep->throttle_delay_ms =
        opts->throttle_delay_ms ? opts->throttle_delay_ms : DEF_THROTTLE_DELAY_MS;
    ep->max_delay_ms = opts->max_delay_ms ? opts->max_delay_ms : DEF_MAX_DELAY_MS;
    ep->budget_cap = opts->retry_budget ? opts->retry_budget : DEF_RETRY_BUDGET;
    ep->budget = ep->budget_cap;
    ep->prepare = opts->prepare;
    ep->classify = opts->classify;
    ep->ctx = opts->ctx;
    uv_timer_init(h->loop, &ep->timer);
    ep->timer.data = ep;
    h->nhandles++;
    ep->next = h->endpoints;
    h->endpoints = ep;
    update_multi_limits(h);
    *out = ep;
    return 0;
nomem:
    if (ep)
        endpoint_free(ep);
    return g2d_error_set(err, -ENOMEM, "http: out of memory creating an endpoint");
}

void g2d_http_endpoint_set_limits(struct g2d_http_endpoint *ep, unsigned max_concurrency,
                                  double max_rps)
{
    if (!ep)
        return;
    if (max_concurrency) {
        if (ep->concurrency >= ep->max_concurrency || ep->concurrency > max_concurrency)
            ep->concurrency = max_concurrency;
        ep->max_concurrency = max_concurrency;
        if (!ep->h->closing)
            update_multi_limits(ep->h);
    }
    if (max_rps > 0) {
        ep->max_rps = max_rps;
        if (ep->tokens > (max_rps < 1 ? 1 : max_rps))
            ep->tokens = max_rps < 1 ? 1 : max_rps;
    }
    kick(ep->h);
}

static int copy_query(struct g2d_http_req *r, const struct g2d_kv *q, size_t n)
{
    size_t i, total = 0;
    char *p;

    if (!n)
        return 0;
    if (!q)
        return -EINVAL;
    for (i = 0; i < n; i++) {
        if (!q[i].name || !q[i].value)
            return -EINVAL;
        total += strlen(q[i].name) + strlen(q[i].value) + 2;
    }
    r->query = calloc(n, sizeof(*r->query));
    r->qstore = malloc(total);
    if (!r->query || !r->qstore)
        return -ENOMEM;
    p = r->qstore;
    for (i = 0; i < n; i++) {
        size_t ln = strlen(q[i].name) + 1, lv = strlen(q[i].value) + 1;

        memcpy(p, q[i].name, ln);
        r->query[i].name = p;
        p += ln;
        memcpy(p, q[i].value, lv);
        r->query[i].value = p;
        p += lv;
    }
    r->nquery = n;
    qsort(r->query, n, sizeof(*r->query), kv_cmp);
    return 0;
}

static int build_url(struct g2d_http_req *r)
{
    struct g2d_buf u;
    size_t i;
    int rc;

    g2d_buf_init(&u, 0);
    rc = g2d_buf_puts(&u, r->ep->base_url);
    if (rc == 0)
        rc = g2d_uri_encode(r->path, strlen(r->path), 1, &u);
    for (i = 0; i < r->nquery && rc == 0; i++) {
        rc = g2d_buf_putc(&u, i ? '&' : '?');
        if (rc == 0)
            rc = g2d_uri_encode(r->query[i].name, strlen(r->query[i].name), 0, &u);
        if (rc == 0)
            rc = g2d_buf_putc(&u, '=');
        if (rc == 0)
            rc = g2d_uri_encode(r->query[i].value, strlen(r->query[i].value), 0, &u);
    }
    if (rc < 0) {
        g2d_buf_done(&u);
        return rc;
    }
    r->url = u.data;
    return 0;
}

int g2d_http_submit(struct g2d_http_endpoint *ep, const struct g2d_http_request_opts *opts,
                    g2d_http_done_cb cb, void *arg, struct g2d_http_req **out)
{
    struct g2d_http_req *r;
    int rc;

    if (out)
        *out = NULL;
    if (!ep || !opts || !cb || !opts->method || !opts->method[0] || !opts->path ||
        opts->path[0] != '/' || strpbrk(opts->method, " \r\n"))
        return -EINVAL;
    if (ep->h->closing)
        return -ESHUTDOWN;
    r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->ep = ep;
    r->cb = cb;
    r->arg = arg;
    r->state = REQ_DONE;
    g2d_buf_init(&r->resp_body, ep->h->max_body);
    r->method = strdup(opts->method);
    r->path = strdup(opts->path);
    r->action = strdup(opts->action ? opts->action : "");
    if (!r->method || !r->path || !r->action)
        goto nomem;
    if (opts->body) {
        r->body = malloc(opts->body_len + 1);
        if (!r->body)
            goto nomem;
        memcpy(r->body, opts->body, opts->body_len);
        r->body[opts->body_len] = '\0';
        r->body_len = opts->body_len;
    }
    rc = copy_query(r, opts->query, opts->nquery);
    if (rc == 0)
        rc = build_url(r);
    if (rc < 0) {
        req_free(r);
        return rc;
    }
    r->state = REQ_READY;
    list_push_tail(&ep->ready, r);
    kick(ep->h);
    if (out)
        *out = r;
    return 0;
nomem:
    req_free(r);
    return -ENOMEM;
}

void g2d_http_cancel(struct g2d_http_req *req)
{
    struct g2d_http *h;

    if (!req || req->state == REQ_DONE)
        return;
    h = req->ep->h;
    h->depth++;
    cancel_req(req);
    kick(h);
    leave(h);
}

void g2d_http_endpoint_stats(const struct g2d_http_endpoint *ep, struct g2d_http_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    if (!ep)
        return;
    *out = ep->stats;
    out->in_flight = ep->running.n;
    out->queued = ep->ready.n + ep->backoff.n;
    out->concurrency = ep->concurrency;
    out->rate_limit = eff_rps(ep);
}

uv_loop_t *g2d_http_loop(const struct g2d_http *h)
{
    return h->loop;
}
