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
#include "http/http-internal.h"

/* ---- small helpers ---------------------------------------------------------------- */

void http_list_push_tail(struct req_list *l, struct g2d_http_req *r)
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
void http_list_insert_after(struct req_list *l, struct g2d_http_req *after, struct g2d_http_req *r)
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

void http_list_remove(struct req_list *l, struct g2d_http_req *r)
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

struct req_list *http_req_list_of(struct g2d_http_req *r)
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
uint64_t http_rng_next(struct g2d_http *h)
{
    uint64_t x = h->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    h->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void http_copy_str(char *dst, size_t dstsz, const char *src, size_t n)
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

void http_leave(struct g2d_http *h)
{
    h->depth--;
    if (h->depth == 0 && h->closing && !h->torn_down)
        teardown(h);
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
    http_drain(h);
    rearm_timer(h);
    http_leave(h);
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
    http_drain(h);
    rearm_timer(h);
    http_leave(h);
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
    /* Cannot http_fail once the loop is initialised; no fallible step follows. */
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
    http_req_detach(r);
    if (r->easy) {
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
    }
    http_fail(r, -ECANCELED, "request cancelled");
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
    http_leave(h);
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
    http_kick(ep->h);
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
        http_req_free(r);
        return rc;
    }
    r->state = REQ_READY;
    http_list_push_tail(&ep->ready, r);
    http_kick(ep->h);
    if (out)
        *out = r;
    return 0;
nomem:
    http_req_free(r);
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
    http_kick(h);
    http_leave(h);
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
    out->rate_limit = http_eff_rps(ep);
    out->apis = ep->apis;
    out->napis = ep->napis;
}

uv_loop_t *g2d_http_loop(const struct g2d_http *h)
{
    return h->loop;
}
