/* SPDX-License-Identifier: MIT */
/**
 * @file http.h
 * The HTTP engine: one curl multi handle driven by one libuv loop (see
 * shared/reference/c-style.md §14), a queue per endpoint with a concurrency limit and an
 * optional request-rate limit, retries with exponential backoff and full jitter under a
 * retry budget, a timeout on every transfer and a ceiling on every response body.
 *
 * Services plug in through two hooks per endpoint:
 *  - prepare(): called before *each attempt* to add the request headers, including the
 *    signature (dates and nonces change between attempts);
 *  - classify(): called on every HTTP response to say whether it succeeded, should be
 *    retried as throttling or as a transient error, or failed for good, and to extract
 *    the service's error code and message.
 *
 * Everything runs on the loop thread; no function here may be called from another thread.
 */
#ifndef GLUE2DLF_HTTP_H
#define GLUE2DLF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "glue2dlf/error.h"
#include "glue2dlf/sign.h"

struct g2d_buf;

struct g2d_http;
struct g2d_http_endpoint;
struct g2d_http_req;

struct g2d_http_opts {
    const char *ca_file;         /**< NULL = system CA store */
    uint64_t connect_timeout_ms; /**< per attempt, 0 = 10 s */
    uint64_t timeout_ms;         /**< whole attempt, 0 = 120 s */
    size_t max_body;             /**< response body ceiling, 0 = 256 MiB */
    const char *user_agent;      /**< NULL = "glue2dlf/<version>" */
    /** Clock for signing, in Unix seconds; NULL = time(). Tests use it for fixed times. */
    int64_t (*now)(void);
};

/**
 * Create the engine on @p loop.
 * @param[out] out caller owns; release with g2d_http_close()
 * @p loop is borrowed and must outlive the engine; @p opts is read during the call only
 * (its strings are copied).
 */
int g2d_http_new(struct g2d_http **out, uv_loop_t *loop, const struct g2d_http_opts *opts,
                 struct g2d_error *err);

/**
 * Cancel every request (each callback gets err = -ECANCELED), clean up curl, close the
 * libuv handles. @p closed is called (may be NULL) once every handle has been closed, from
 * the loop; the engine is freed right after. Endpoints are freed with it. Takes back the
 * ownership of @p h (invalid once @p closed runs); @p arg is borrowed until then.
 */
void g2d_http_close(struct g2d_http *h, void (*closed)(void *arg), void *arg);

/** The loop the engine runs on (borrowed). */
uv_loop_t *g2d_http_loop(const struct g2d_http *h);

/** What prepare() sees for one attempt, and where it puts the headers. */
struct g2d_http_attempt {
    const char *method;
    const char *host;           /**< exactly the Host header the engine sends (host[:port]) */
    const char *path;           /**< path without the query, e.g. "/" */
    const struct g2d_kv *query; /**< decoded query parameters */
    size_t nquery;
    const char *body; /**< NULL when no body */
    size_t body_len;
    const char *action; /**< operation name: "GetDatabases", "CreateDatabase", ... */
    int64_t now;        /**< Unix seconds, from opts.now */
    unsigned attempt;   /**< 1 for the first try */
    void *priv;         /**< engine use */
};

/**
 * Add one request header for this attempt (prepare() only). The engine itself sends
 * Host (as attempt->host), Content-Length, and suppresses curl's Expect/Accept/Content-Type
 * defaults, so prepare() must add Content-Type and Accept itself if it wants them.
 * @p name and @p value are borrowed and copied into the attempt's header list.
 */
int g2d_http_attempt_add_header(struct g2d_http_attempt *a, const char *name, const char *value);

/** A finished request, as seen by the completion callback (all borrowed until it returns). */
struct g2d_http_response {
    int err;          /**< 0: an HTTP exchange completed (see status); else
                                      -ETIMEDOUT, -ECONNRESET, -ECONNREFUSED, -E2BIG (body
                                      over the ceiling), -EPROTO (truncated/bad response),
                                      -ECANCELED, -ENOMEM... after the last attempt */
    long status;      /**< HTTP status, 0 if none */
    const char *body; /**< NUL-terminated, "" if none */
    size_t body_len;
    struct g2d_buf *body_buf; /**< the buffer behind body: the callback may take the bytes
                                   with g2d_buf_steal() (body is invalid afterwards) */
    const char *request_id;   /**< x-amzn-RequestId / x-acs-request-id header, or "" */
    const char *retry_after;  /**< x-amz-retry-after / x-acs-retry-after header (ms), or "" */
    const char *etag;         /**< ETag header as sent (OSS: quoted upper-case hex), or "" */
    char error_code[96];      /**< service error code filled by classify(), "" if none */
    char error_message[384];  /**< service or transport error text, "" on success */
    unsigned attempts;        /**< attempts made */
    bool ok;                  /**< classify() said success */
};

enum g2d_http_verdict {
    G2D_HTTP_OK = 0,         /**< success: deliver */
    G2D_HTTP_FAIL,           /**< permanent failure: deliver, no retry */
    G2D_HTTP_RETRY_THROTTLE, /**< throttled: retry with the throttling base delay */
    G2D_HTTP_RETRY,          /**< transient: retry with the transient base delay */
};

typedef void (*g2d_http_done_cb)(const struct g2d_http_response *resp, void *arg);

struct g2d_http_endpoint_opts {
    const char *name;           /**< "glue" or "dlf": messages and stats */
    const char *base_url;       /**< scheme://host[:port], no trailing '/' */
    unsigned max_concurrency;   /**< in-flight transfers, 0 = 16 */
    double max_rps;             /**< attempts per second, 0 = unlimited */
    unsigned max_attempts;      /**< including the first, 0 = 6 */
    unsigned base_delay_ms;     /**< transient backoff base, 0 = 100 */
    unsigned throttle_delay_ms; /**< throttling backoff base, 0 = 1000 */
    unsigned max_delay_ms;      /**< backoff cap, 0 = 20000 */
    unsigned retry_budget;      /**< retry token bucket size, 0 = 500 (a retry costs 5,
                                     a retry after a timeout 10, a success refunds 1).
                                     Throttled retries do not spend it: they lower the
                                     endpoint's rate instead, and may take up to four
                                     times max_attempts */
    /** Add this attempt's headers; a negative return fails the request with that code. */
    int (*prepare)(struct g2d_http_attempt *a, void *ctx);
    /**
     * Decide the fate of an HTTP response (transport errors never reach it: they are
     * retried as transient). Fill resp->error_code / error_message on failure. NULL means:
     * 2xx = OK, 429/5xx = RETRY, anything else FAIL.
     */
    enum g2d_http_verdict (*classify)(struct g2d_http_response *resp, void *ctx);
    void *ctx;
};

/**
 * Register a service. The endpoint is owned by the engine and lives until g2d_http_close();
 * *@p out is a borrowed handle. @p opts is read during the call (name and base_url are
 * copied); opts->ctx is borrowed and must outlive the engine.
 */
int g2d_http_endpoint_new(struct g2d_http *h, struct g2d_http_endpoint **out,
                          const struct g2d_http_endpoint_opts *opts, struct g2d_error *err);

/** Change limits at run time (reload). Fields equal to 0 keep their current value. Borrows @p ep. */
void g2d_http_endpoint_set_limits(struct g2d_http_endpoint *ep, unsigned max_concurrency,
                                  double max_rps);

struct g2d_http_request_opts {
    const char *method;         /**< "GET", "POST", "PUT", "DELETE" */
    const char *path;           /**< absolute path, e.g. "/api/metastore/catalogs/databases" */
    const struct g2d_kv *query; /**< decoded; sent sorted by name, RFC 3986-encoded; copied */
    size_t nquery;
    const char *body; /**< copied; NULL for none */
    size_t body_len;
    const char *action; /**< operation name, copied */
};

/**
 * Queue a request. @p cb is always called exactly once, later, from the loop (never from
 * inside this function), unless submission itself fails.
 * @param[out] out optional handle for g2d_http_cancel(); valid until @p cb returns
 * The engine owns the request; @p opts is copied (nothing of it is kept), @p arg is borrowed
 * until @p cb has run.
 */
int g2d_http_submit(struct g2d_http_endpoint *ep, const struct g2d_http_request_opts *opts,
                    g2d_http_done_cb cb, void *arg, struct g2d_http_req **out);

/**
 * Cancel one request: its callback runs with err = -ECANCELED before this returns. @p req
 * is borrowed (the engine frees it; it is invalid afterwards).
 */
void g2d_http_cancel(struct g2d_http_req *req);

/** Upper bounds (seconds) of the attempt-latency histogram buckets; +Inf comes last. */
#define G2D_HTTP_LATENCY_BUCKETS 12
extern const double g2d_http_latency_bounds[G2D_HTTP_LATENCY_BUCKETS - 1];

/** Status classes of an attempt's answer: "2xx".."5xx", and "none" (no HTTP answer). */
enum {
    G2D_HTTP_CLASS_NONE = 0,
    G2D_HTTP_CLASS_2XX,
    G2D_HTTP_CLASS_3XX,
    G2D_HTTP_CLASS_4XX,
    G2D_HTTP_CLASS_5XX,
    G2D_HTTP_NCLASS
};
/** Families of service error codes, so that labels stay few (g2d_http_code_family()). */
enum {
    G2D_HTTP_CODE_NONE = 0,
    G2D_HTTP_CODE_THROTTLING,
    G2D_HTTP_CODE_NOT_FOUND,
    G2D_HTTP_CODE_ALREADY_EXISTS,
    G2D_HTTP_CODE_INVALID,
    G2D_HTTP_CODE_AUTH,
    G2D_HTTP_CODE_CONFLICT,
    G2D_HTTP_CODE_SERVER,
    G2D_HTTP_CODE_OTHER,
    G2D_HTTP_NCODE
};
/** At most this many operations are counted apart; the rest share the name "other". */
#define G2D_HTTP_MAX_APIS 48

/** Counters of one operation (the request's action) on one endpoint. */
struct g2d_http_api_stats {
    char name[48];                                     /**< "GetPartitions", ... */
    uint64_t requests_ok, requests_failed;             /**< requests completed */
    uint64_t retries, throttled;                       /**< attempts beyond the first */
    uint64_t answers[G2D_HTTP_NCLASS][G2D_HTTP_NCODE]; /**< attempts by status, code */
    uint64_t latency[G2D_HTTP_LATENCY_BUCKETS];        /**< attempts by duration (not
                                                               cumulative) */
    double latency_sum;                                /**< seconds, all attempts */
};

/** "throttling", "not_found", ... for G2D_HTTP_CODE_*; "none" for 0. Static strings. */
const char *g2d_http_code_family_name(unsigned family);
/** "none", "2xx", ... for G2D_HTTP_CLASS_*. Static strings. */
const char *g2d_http_class_name(unsigned cls);
/** The family of a service error code ("ThrottlingException" -> throttling, ...). */
unsigned g2d_http_code_family(const char *code);

struct g2d_http_stats {
    uint64_t requests;  /**< requests completed (any outcome) */
    uint64_t attempts;  /**< attempts started */
    uint64_t retries;   /**< attempts beyond the first */
    uint64_t throttled; /**< responses classified as throttling */
    uint64_t resends;   /**< attempts sent again because the connection died before any
                             answer (curl's own re-send refused: it would repeat the nonce) */
    uint64_t failures;  /**< requests that ended not ok */
    uint64_t bytes_in, bytes_out;
    unsigned in_flight;   /**< transfers running now */
    unsigned queued;      /**< waiting for a slot, a rate token or a backoff timer */
    unsigned concurrency; /**< current effective concurrency limit */
    double rate_limit;    /**< request rate in force (configured or learnt from
                                      throttling), 0 = none */
    const struct g2d_http_api_stats *apis; /**< per operation, borrowed from the endpoint:
                                                valid until it is freed */
    unsigned napis;
};

/** A snapshot of @p ep's counters (borrowed) into caller storage @p out. */
void g2d_http_endpoint_stats(const struct g2d_http_endpoint *ep, struct g2d_http_stats *out);

#endif
