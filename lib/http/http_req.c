/* SPDX-License-Identifier: MIT */
/* One HTTP request's life in the engine (see http.c): attempts, pacing, completion, retries. */
#include "http/http-internal.h"

/* ---- request life cycle ----------------------------------------------------------- */

void http_req_free(struct g2d_http_req *r)
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
    resp->etag = r->etag;
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
    http_api_count_request(r, resp->ok);
    r->cb(resp, r->arg);
    http_req_free(r);
}

void http_fail(struct g2d_http_req *r, int err, const char *msg)
{
    memset(&r->resp, 0, sizeof(r->resp));
    r->resp.err = err;
    if (msg)
        snprintf(r->resp.error_message, sizeof(r->resp.error_message), "%s", msg);
    deliver(r);
}

/* Detach a request from whatever it is doing (list, curl); it is then in no list. */
void http_req_detach(struct g2d_http_req *r)
{
    struct req_list *l = http_req_list_of(r);
    struct g2d_http *h = r->ep->h;

    if (!l)
        return;
    http_list_remove(l, r);
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
        r->etag[0] = '\0';
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
        http_copy_str(r->request_id, sizeof(r->request_id), buf + vs, ve - vs);
    else if (hdr_is(buf, nl, "x-amz-retry-after") || hdr_is(buf, nl, "x-acs-retry-after"))
        http_copy_str(r->retry_after, sizeof(r->retry_after), buf + vs, ve - vs);
    else if (hdr_is(buf, nl, "etag"))
        http_copy_str(r->etag, sizeof(r->etag), buf + vs, ve - vs);
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

/*
 * Called by curl on a connection, before it sends the request. When a kept-alive
 * connection turns out dead after the request went out and before any answer byte, curl
 * sends the same request again on a fresh connection — the same bytes, with the same
 * signature date and nonce, which DLF refuses (SignatureNonceUsed) and which no service
 * should be asked to trust twice. The second call is that re-send: it is refused, and the
 * engine sends the request again itself, prepared and signed anew (finish_attempt).
 */
static int prereq_cb(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
    struct g2d_http_req *r = clientp;

    (void)primary_ip, (void)local_ip, (void)primary_port, (void)local_port;
    if (r->sends++ == 0)
        return CURL_PREREQFUNC_OK;
    r->resend_refused = true;
    return CURL_PREREQFUNC_ABORT;
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
    SET(CURLOPT_PREREQFUNCTION, prereq_cb);
    SET(CURLOPT_PREREQDATA, r);
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
    http_log_attempt(r);
    rate_count(ep, uv_now(h->loop));
    if (r->attempt > 1)
        ep->stats.retries++;
    g2d_buf_reset(&r->resp_body);
    r->body_err = 0;
    r->request_id[0] = '\0';
    r->retry_after[0] = '\0';
    r->etag[0] = '\0';
    r->errbuf[0] = '\0';
    r->sends = 0;
    r->resend_refused = false;
    curl_slist_free_all(r->headers);
    r->headers = NULL;
    r->has_accept = r->has_ctype = false;

    if (!r->easy) {
        rc = easy_setup(r);
        if (rc < 0) {
            http_fail(r, rc, "cannot set up the transfer");
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
            http_fail(r, rc, "preparing the request failed");
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
        http_fail(r, rc, "cannot build the request headers");
        return;
    }
    r->state = REQ_RUNNING;
    http_list_push_tail(&ep->running, r);
    if (curl_multi_add_handle(h->multi, r->easy) != CURLM_OK) {
        http_list_remove(&ep->running, r);
        r->state = REQ_DONE;
        http_fail(r, -ENOMEM, "cannot add the transfer to the multi handle");
        return;
    }
}

/* The rate in force: the configured cap, or the adaptive one if lower; 0 = none. */
double http_eff_rps(const struct g2d_http_endpoint *ep)
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
    double before = ep->arate, ref;

    ep->last_throttle_at = now;
    if (ep->arate > 0 && now - ep->arate_cut_at < 500)
        return;
    /* The storm's yardstick: the configured limit, else the rate sent before the first cut. */
    ref = ep->max_rps > 0 ? ep->max_rps : before > 0 ? ep->storm_reference : base;
    if (before <= 0)
        ep->storm_reference = ref;
    if (ep->arate > 0 && ep->arate < base)
        base = ep->arate;
    ep->arate = base * 0.8 < 0.5 ? 0.5 : base * 0.8;
    http_log_rate(ep, before, ep->arate, ref);
    ep->arate_cut_at = now;
    ep->arate_up_at = now;
    if (ep->tokens > 1)
        ep->tokens = 1; /* no stored burst past a throttle */
}

/* Raise the adaptive rate by 5% + 0.5/s, at most once a second; lift it altogether a
 * minute after the last throttle once it is far above what is being sent. */
static void arate_success(struct g2d_http_endpoint *ep, uint64_t now)
{
    double before = ep->arate;

    if (ep->arate <= 0 || now - ep->arate_up_at < 1000)
        return;
    ep->arate_up_at = now;
    ep->arate = ep->arate * 1.05 + 0.5;
    if (now - ep->last_throttle_at > 60000 && ep->arate > 4 * ep->sent_rate + 10)
        ep->arate = 0;
    http_log_rate(ep, before, ep->arate, ep->max_rps > 0 ? ep->max_rps : ep->storm_reference);
}

/* Take a rate-limit token, or say how long until one is available. */
static bool rate_take(struct g2d_http_endpoint *ep, uint64_t now, uint64_t *wait_ms)
{
    double cap, rps = http_eff_rps(ep);

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
        http_list_remove(&ep->backoff, r);
        r->state = REQ_READY;
        http_list_insert_after(&ep->ready, last, r);
        last = r;
    }
    while ((r = ep->ready.head) && ep->running.n < ep->concurrency) {
        if (!rate_take(ep, now, &wait)) {
            wake = now + wait;
            break;
        }
        http_list_remove(&ep->ready, r);
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
    http_leave(ep->h);
}

static void kick_cb(uv_idle_t *idle)
{
    struct g2d_http *h = idle->data;
    struct g2d_http_endpoint *ep;

    uv_idle_stop(idle);
    h->depth++;
    for (ep = h->endpoints; ep && !h->closing; ep = ep->next)
        pump(ep);
    http_leave(h);
}

void http_kick(struct g2d_http *h)
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
    delay = http_rng_next(ep->h) % (ceiling + 1);
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

static void schedule_retry(struct g2d_http_req *r, uint64_t delay, bool throttled)
{
    struct g2d_http_endpoint *ep = r->ep;
    struct g2d_http_req *p;

    http_log_retry(r, delay, throttled);
    r->due = uv_now(ep->h->loop) + delay;
    r->state = REQ_BACKOFF;
    /* Sorted by due time; new entries are usually late, so search from the tail. */
    for (p = ep->backoff.tail; p && p->due > r->due; p = p->prev)
        ;
    http_list_insert_after(&ep->backoff, p, r);
}

/* Count the finished attempt's bytes and take it off the multi handle and running list. */
static void account_attempt(struct g2d_http *h, CURL *easy, struct g2d_http_req *r)
{
    struct g2d_http_endpoint *ep = r->ep;
    long status = 0;
    curl_off_t up = 0;
    long reqsize = 0, hdrsize = 0;
    curl_off_t us = 0;

    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &reqsize);
    curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &hdrsize);
    if (curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &us) != CURLE_OK)
        us = 0;
    ep->stats.bytes_out += (uint64_t)up + (uint64_t)(reqsize > 0 ? reqsize : 0);
    ep->stats.bytes_in += r->resp_body.len + (uint64_t)(hdrsize > 0 ? hdrsize : 0);
    curl_multi_remove_handle(h->multi, easy);
    http_list_remove(&ep->running, r);
    r->state = REQ_DONE;
    memset(&r->resp, 0, sizeof(r->resp));
    r->resp.status = status;
    r->attempt_s = (double)us / 1e6;
}

/* Fill r->resp from the attempt and classify it: whether to retry, and if for throttling. */
static void judge_attempt(struct g2d_http *h, struct g2d_http_req *r, CURLcode rc, bool *retry,
                          bool *throttled)
{
    struct g2d_http_endpoint *ep = r->ep;
    struct g2d_http_response *resp = &r->resp;
    enum g2d_http_verdict v;

    resp->body = r->resp_body.data ? r->resp_body.data : "";
    resp->body_len = r->resp_body.len;
    resp->body_buf = &r->resp_body;
    resp->request_id = r->request_id;
    resp->retry_after = r->retry_after;
    resp->etag = r->etag;
    resp->attempts = r->attempt;

    if (r->body_err) {
        resp->err = r->body_err;
        if (r->body_err == -E2BIG)
            snprintf(resp->error_message, sizeof(resp->error_message),
                     "response body exceeds %zu bytes", h->max_body);
    } else if (rc == CURLE_ABORTED_BY_CALLBACK && r->resend_refused) {
        resp->err = -ECONNRESET;
        *retry = true;
        snprintf(resp->error_message, sizeof(resp->error_message),
                 "the connection closed before any answer (the request is sent again, "
                 "signed anew)");
    } else if (rc != CURLE_OK) {
        resp->err = map_curl_error(rc, retry);
        snprintf(resp->error_message, sizeof(resp->error_message), "%s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
    } else {
        v = ep->classify ? ep->classify(resp, ep->ctx) : default_classify(resp, NULL);
        switch (v) {
        case G2D_HTTP_OK:
            resp->ok = true;
            break;
        case G2D_HTTP_RETRY_THROTTLE:
            *throttled = true;
            *retry = true;
            ep->stats.throttled++;
            arate_throttled(ep, uv_now(h->loop));
            break;
        case G2D_HTTP_RETRY:
            *retry = true;
            break;
        default:
            break;
        }
    }
}

static void finish_attempt(struct g2d_http *h, CURL *easy, CURLcode rc)
{
    struct g2d_http_req *r = NULL;
    struct g2d_http_endpoint *ep;
    bool retry = false, throttled = false;
    unsigned cost;

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    if (!r || r->state != REQ_RUNNING) {
        curl_multi_remove_handle(h->multi, easy); /* not ours: should not happen */
        return;
    }
    ep = r->ep;
    account_attempt(h, easy, r);
    judge_attempt(h, r, rc, &retry, &throttled);
    http_api_count_attempt(r, r->attempt_s, throttled);

    if (r->resp.ok) {
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
        schedule_retry(r, backoff_delay(r, true), true);
        return;
    }
    /* What curl would have re-sent at once and for free (prereq_cb): the same, signed anew. */
    if (r->resend_refused && r->attempt < ep->max_attempts) {
        ep->stats.resends++;
        schedule_retry(r, 0, false);
        return;
    }
    cost = rc == CURLE_OPERATION_TIMEDOUT ? RETRY_COST_TIMEOUT : RETRY_COST;
    if (retry && !throttled && r->attempt < ep->max_attempts && ep->budget >= cost) {
        ep->budget -= cost;
        schedule_retry(r, backoff_delay(r, false), false);
        return;
    }
    deliver(r);
}

/* Reap every finished transfer, then let the endpoints start more. */
void http_drain(struct g2d_http *h)
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
