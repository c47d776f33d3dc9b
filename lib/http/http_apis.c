/* SPDX-License-Identifier: MIT */
/*
 * Per-operation counters of an endpoint (include/glue2dlf/http.h, g2d_http_api_stats):
 * answers by status class and error-code family, retries, throttles and the attempt
 * latency histogram the daemon's metrics expose.
 */
#include <string.h>
#include <strings.h>

#include "http/http-internal.h"

const double g2d_http_latency_bounds[G2D_HTTP_LATENCY_BUCKETS - 1] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

const char *g2d_http_code_family_name(unsigned family)
{
    static const char *const n[G2D_HTTP_NCODE] = {
        "none", "throttling", "not_found", "already_exists", "invalid",
        "auth", "conflict",   "server",    "other",
    };

    return family < G2D_HTTP_NCODE ? n[family] : "other";
}

const char *g2d_http_class_name(unsigned cls)
{
    static const char *const n[G2D_HTTP_NCLASS] = {"none", "2xx", "3xx", "4xx", "5xx"};

    return cls < G2D_HTTP_NCLASS ? n[cls] : "none";
}

static bool has(const char *s, const char *w)
{
    return strcasestr(s, w) != NULL;
}

unsigned g2d_http_code_family(const char *code)
{
    if (!code || !*code)
        return G2D_HTTP_CODE_NONE;
    if (has(code, "Throttl") || has(code, "TooMany") || has(code, "RateExceeded") ||
        has(code, "SlowDown") || has(code, "LimitExceeded") || has(code, "Flow"))
        return G2D_HTTP_CODE_THROTTLING;
    if (has(code, "NotFound") || has(code, "NoSuch") || has(code, "NotExist"))
        return G2D_HTTP_CODE_NOT_FOUND;
    if (has(code, "AlreadyExist") || has(code, "Exists"))
        return G2D_HTTP_CODE_ALREADY_EXISTS;
    if (has(code, "Signature") || has(code, "Auth") || has(code, "AccessDenied") ||
        has(code, "Forbidden") || has(code, "Token") || has(code, "Credential") ||
        has(code, "AccessKey") || has(code, "Nonce"))
        return G2D_HTTP_CODE_AUTH;
    if (has(code, "Invalid") || has(code, "Validation") || has(code, "Malformed") ||
        has(code, "Param") || has(code, "Missing") || has(code, "BadRequest"))
        return G2D_HTTP_CODE_INVALID;
    if (has(code, "Concurrent") || has(code, "Conflict") || has(code, "Version"))
        return G2D_HTTP_CODE_CONFLICT;
    if (has(code, "Internal") || has(code, "Unavailable") || has(code, "ServerError") ||
        has(code, "Timeout"))
        return G2D_HTTP_CODE_SERVER;
    return G2D_HTTP_CODE_OTHER;
}

/* The entry of @p action; a new one while there is room, else the shared "other". */
struct g2d_http_api_stats *http_api_entry(struct g2d_http_endpoint *ep, const char *action)
{
    const char *name = action && *action ? action : "other";
    unsigned i;

    for (i = 0; i < ep->napis; i++)
        if (strcmp(ep->apis[i].name, name) == 0)
            return &ep->apis[i];
    if (ep->napis >= G2D_HTTP_MAX_APIS - 1 || strlen(name) >= sizeof(ep->apis[0].name))
        name = "other";
    for (i = 0; i < ep->napis; i++)
        if (strcmp(ep->apis[i].name, name) == 0)
            return &ep->apis[i];
    memset(&ep->apis[ep->napis], 0, sizeof(ep->apis[0]));
    strcpy(ep->apis[ep->napis].name, name);
    return &ep->apis[ep->napis++];
}

void http_api_count_attempt(struct g2d_http_req *r, double seconds, bool throttled)
{
    struct g2d_http_api_stats *a = http_api_entry(r->ep, r->action);
    long st = r->resp.status;
    unsigned cls = st >= 200 && st < 600 ? (unsigned)(st / 100 - 1) : G2D_HTTP_CLASS_NONE;
    unsigned b = 0;

    if (r->resp.err && !st)
        cls = G2D_HTTP_CLASS_NONE;
    a->answers[cls][r->resp.ok ? G2D_HTTP_CODE_NONE : g2d_http_code_family(r->resp.error_code)]++;
    if (throttled)
        a->throttled++;
    if (r->attempt > 1)
        a->retries++;
    if (seconds < 0)
        seconds = 0;
    while (b < G2D_HTTP_LATENCY_BUCKETS - 1 && seconds > g2d_http_latency_bounds[b])
        b++;
    a->latency[b]++;
    a->latency_sum += seconds;
}

void http_api_count_request(struct g2d_http_req *r, bool ok)
{
    struct g2d_http_api_stats *a = http_api_entry(r->ep, r->action);

    if (ok)
        a->requests_ok++;
    else
        a->requests_failed++;
}
