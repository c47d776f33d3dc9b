/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/http/http*.c: the engine's state, shared by http.c (the engine: its
 * lists, teardown, the curl <-> libuv glue and the public API) and http_req.c (one
 * request's life: attempts, pacing per endpoint, completion and retries). Every function
 * here borrows its arguments; ownership of requests stays with the lists they are on.
 */
#ifndef G2D_LIB_HTTP_INTERNAL_H
#define G2D_LIB_HTTP_INTERNAL_H

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

#include "glue2dlf/config_defaults.h"
#include "glue2dlf/buf.h"
#include "glue2dlf/error.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

#define DEF_CONNECT_TIMEOUT_MS G2D_DEFAULT_CONNECT_TIMEOUT_MS
#define DEF_TIMEOUT_MS G2D_DEFAULT_TIMEOUT_MS
#define DEF_MAX_BODY G2D_DEFAULT_MAX_RESPONSE_BYTES
#define DEF_CONCURRENCY G2D_DEFAULT_MAX_CONCURRENCY
#define DEF_MAX_ATTEMPTS G2D_DEFAULT_MAX_ATTEMPTS
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
    unsigned sends;      /* times curl was about to send this attempt (its prereq callback) */
    bool resend_refused; /* curl wanted to re-send it by itself: refused, see prereq_cb */
    struct g2d_buf resp_body;
    char request_id[128];
    char retry_after[32];
    char etag[80];
    char errbuf[CURL_ERROR_SIZE];
    double attempt_s; /* the finished attempt's duration (curl's total time) */
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
    struct g2d_http_api_stats apis[G2D_HTTP_MAX_APIS]; /* per operation (http_apis.c) */
    unsigned napis;
    bool storm;             /* a throttling storm was reported and is not over (http_log.c) */
    double storm_reference; /* the rate the endpoint ran at when it began */
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

void http_copy_str(char *dst, size_t dstsz, const char *src, size_t n);
void http_drain(struct g2d_http *h);
double http_eff_rps(const struct g2d_http_endpoint *ep);
void http_fail(struct g2d_http_req *r, int err, const char *msg);
void http_kick(struct g2d_http *h);
void http_leave(struct g2d_http *h);
void http_list_insert_after(struct req_list *l, struct g2d_http_req *after, struct g2d_http_req *r);
void http_list_push_tail(struct req_list *l, struct g2d_http_req *r);
void http_list_remove(struct req_list *l, struct g2d_http_req *r);
void http_req_detach(struct g2d_http_req *r);
void http_req_free(struct g2d_http_req *r);
struct req_list *http_req_list_of(struct g2d_http_req *r);
uint64_t http_rng_next(struct g2d_http *h);

/* The engine's log lines (http_log.c). */
void http_log_attempt(const struct g2d_http_req *r);
void http_log_retry(const struct g2d_http_req *r, uint64_t delay_ms, bool throttled);
void http_log_rate(struct g2d_http_endpoint *ep, double before, double after, double reference);

/* Per-operation counters (http_apis.c). */
struct g2d_http_api_stats *http_api_entry(struct g2d_http_endpoint *ep, const char *action);
void http_api_count_attempt(struct g2d_http_req *r, double seconds, bool throttled);
void http_api_count_request(struct g2d_http_req *r, bool ok);

#endif
