/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "glue2dlf/config_defaults.h"
#include "glue2dlf/creds.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/sign.h"

#include "glue2dlf/jscan.h"
#include "glue2dlf/logging.h"

#include "cloud/check.h"
#include "cloud/cloud.h"
#include "cloud/limits.h"

struct g2d_cloud {
    struct g2d_http *http;
    const struct g2d_config *cfg;
    struct g2d_creds *creds[2]; /* per side; planned from creds_cfg */
    const struct g2d_config *creds_cfg;
    struct g2d_http_endpoint *ep[2];
    char *url[2];
    uint64_t requests[2];
    unsigned page_size[G2D_LIST_COUNT]; /* learned from refusals, 0 = as configured */
    char note[1024];                    /* what was learned since the last take_note */
    int64_t logwin[2];                  /* start (Unix s) of the request-failure log window */
    unsigned logged[2], unlogged[2];    /* lines in it, and lines left out */
};

/* A listing page in flight, kept so that it can be asked for again with a smaller page. */
struct list_call {
    struct g2d_cloud *c;
    struct g2d_list_req req;
    char *db, *tbl, *token, *expr; /* owned copies behind req */
    g2d_api_cb cb;
    void *arg;
    struct g2d_http_req **out;
    unsigned malformed; /* answers of the wrong shape so far */
    unsigned sent_size; /* the page size of the request in flight */
};

struct cloud_call {
    struct g2d_cloud *c;
    enum g2d_side side;
    bool raw;
    g2d_answer_fn answer;
    void *actx;
    void (*afree)(void *actx);
    const char *action;
    const struct g2d_check_shape *shape; /* the answer's shape, checked before belief */
    g2d_api_cb cb;
    void *arg;
};

static const char *const glue_throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
    NULL,
};

static const char *const glue_transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalServiceException",
    "OperationTimeoutException",
    "ServiceUnavailable",
    "InternalFailure",
    NULL,
};

/* The token in force expired (or the clock was off): new credentials, then try again. */
static const char *const expired_codes[] = {
    "ExpiredTokenException",        "ExpiredToken",         "RequestExpired",
    "InvalidSecurityToken.Expired", "SecurityTokenExpired", NULL,
};

static bool in_list(const char *const *list, const char *s);

static bool token_expired(struct g2d_http_response *resp, void *ctx, enum g2d_side side)
{
    struct g2d_cloud *c = ctx;

    if (!in_list(expired_codes, resp->error_code))
        return false;
    if (c)
        g2d_creds_invalidate(c->creds[side]);
    return true;
}

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* ---- signing ------------------------------------------------------------------------ */

static int add_headers(struct g2d_http_attempt *a, const struct g2d_kv *h, size_t n,
                       const char *skip)
{
    size_t i;
    int r;

    for (i = 0; i < n; i++) {
        if (skip && strcasecmp(h[i].name, skip) == 0)
            continue;
        r = g2d_http_attempt_add_header(a, h[i].name, h[i].value);
        if (r < 0)
            return r;
    }
    return 0;
}

static int glue_prepare(struct g2d_http_attempt *a, void *ctx)
{
    struct g2d_cloud *c = ctx;
    const struct g2d_glue_config *g = &c->cfg->glue;
    char amz_date[17], target[160];
    struct g2d_kv h[5];
    size_t n = 0;
    struct g2d_buf auth;
    struct g2d_sign_req req = {0};
    struct g2d_creds_view cv;
    int r;

    r = g2d_creds_get(c->creds[G2D_SIDE_GLUE], a->now, &cv);
    if (r < 0)
        return r;
    g2d_time_amz(a->now, amz_date);
    snprintf(target, sizeof(target), "AWSGlue.%s", a->action);
    h[n++] = (struct g2d_kv){"Content-Type", "application/x-amz-json-1.1"};
    h[n++] = (struct g2d_kv){"Host", a->host};
    h[n++] = (struct g2d_kv){"X-Amz-Date", amz_date};
    h[n++] = (struct g2d_kv){"X-Amz-Target", target};
    if (cv.token)
        h[n++] = (struct g2d_kv){"X-Amz-Security-Token", cv.token};
    req.method = a->method;
    req.path = a->path;
    req.query = a->query;
    req.nquery = a->nquery;
    req.headers = h;
    req.nheaders = n;
    req.body = a->body;
    req.body_len = a->body_len;
    g2d_buf_init(&auth, 4096);
    r = g2d_sigv4_sign(&req, cv.id, cv.secret, g->region, "glue", amz_date, &auth, NULL, NULL);
    if (r == 0)
        r = add_headers(a, h, n, "Host");
    if (r == 0)
        r = g2d_http_attempt_add_header(a, "Authorization", g2d_buf_cstr(&auth));
    g2d_buf_done(&auth);
    return r;
}

static int md5_base64(const void *data, size_t len, struct g2d_buf *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (!EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL))
        return -EIO;
    return g2d_base64(md, mdlen, out);
}

static int dlf_prepare(struct g2d_http_attempt *a, void *ctx)
{
    struct g2d_cloud *c = ctx;
    const struct g2d_dlf_config *d = &c->cfg->dlf;
    char date[32], nonce[33], sha[65];
    unsigned char rnd[16];
    struct g2d_kv h[12];
    size_t n = 0;
    struct g2d_buf auth, md5;
    struct g2d_sign_req req = {0};
    const char *ctype = "application/json; charset=utf-8";
    struct g2d_creds_view cv;
    int r;

    r = g2d_creds_get(c->creds[G2D_SIDE_DLF], a->now, &cv);
    if (r < 0)
        return r;
    r = g2d_random_bytes(rnd, sizeof(rnd));
    if (r < 0)
        return r;
    g2d_hex(rnd, sizeof(rnd), nonce);
    g2d_buf_init(&auth, 4096);
    g2d_buf_init(&md5, 64);
    req.method = a->method;
    req.path = a->path;
    req.query = a->query;
    req.nquery = a->nquery;
    req.body = a->body;
    req.body_len = a->body_len;
    h[n++] = (struct g2d_kv){"Accept", "application/json"};
    if (a->body)
        h[n++] = (struct g2d_kv){"Content-Type", ctype};
    h[n++] = (struct g2d_kv){"x-acs-action", a->action};
    h[n++] = (struct g2d_kv){"x-acs-version", "2020-07-10"};
    h[n++] = (struct g2d_kv){"x-acs-signature-nonce", nonce};
    if (cv.token)
        h[n++] = (struct g2d_kv){"x-acs-security-token", cv.token};
    if (d->signature == G2D_DLF_SIG_ROA) {
        g2d_time_rfc1123(a->now, date);
        h[n++] = (struct g2d_kv){"Date", date};
        h[n++] = (struct g2d_kv){"x-acs-signature-method", "HMAC-SHA1"};
        h[n++] = (struct g2d_kv){"x-acs-signature-version", "1.0"};
        if (a->body) {
            r = md5_base64(a->body, a->body_len, &md5);
            h[n++] = (struct g2d_kv){"Content-MD5", g2d_buf_cstr(&md5)};
        }
        req.headers = h;
        req.nheaders = n;
        if (r == 0)
            r = g2d_roa_sign(&req, cv.id, cv.secret, &auth, NULL, NULL);
        if (r == 0)
            r = add_headers(a, h, n, NULL);
    } else {
        g2d_time_iso8601(a->now, date);
        g2d_sha256_hex(a->body ? a->body : "", a->body_len, sha);
        h[n++] = (struct g2d_kv){"x-acs-date", date};
        h[n++] = (struct g2d_kv){"x-acs-content-sha256", sha};
        h[n++] = (struct g2d_kv){"Host", a->host};
        /* Sign everything but Accept (optional in V3); send everything but Host. */
        req.headers = h + 1;
        req.nheaders = n - 1;
        r = g2d_acs3_sign(&req, cv.id, cv.secret, &auth, NULL, NULL);
        if (r == 0)
            r = add_headers(a, h, n, "Host");
    }
    if (r == 0)
        r = g2d_http_attempt_add_header(a, "Authorization", g2d_buf_cstr(&auth));
    g2d_buf_done(&auth);
    g2d_buf_done(&md5);
    return r;
}

/* ---- classification ----------------------------------------------------------------- */

static const char *json_str2(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);

    if (!json_is_string(v) && b)
        v = json_object_get(o, b);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void set_message(struct g2d_http_response *resp, const char *msg)
{
    snprintf(resp->error_message, sizeof(resp->error_message), "%s", msg ? msg : "");
    /* One line only: service messages are quoted into logs and result lines. */
    for (char *p = resp->error_message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Largest body that may be an error document sent with a 2xx status (they are small). */
#define ERROR_DOC_MAX 65536

/* A Glue answer with a 2xx status is an error document when its top level has __type. */
static bool glue_error_doc(const struct g2d_http_response *resp)
{
    const char *v;
    size_t vl;

    return resp->body_len <= ERROR_DOC_MAX && memmem(resp->body, resp->body_len, "__type", 6) &&
           g2d_jscan_member(resp->body, resp->body_len, "__type", &v, &vl) == 0;
}

enum g2d_http_verdict g2d_glue_classify(struct g2d_http_response *resp, void *ctx)
{
    json_t *j;
    const char *type, *msg;

    if (resp->status >= 200 && resp->status < 300 && !glue_error_doc(resp))
        return G2D_HTTP_OK;
    j = json_loadb(resp->body, resp->body_len, 0, NULL);
    type = json_str2(j, "__type", "code");
    msg = json_str2(j, "Message", "message");
    if (type)
        g2d_glue_error_type(type, resp->error_code, sizeof(resp->error_code));
    else
        snprintf(resp->error_code, sizeof(resp->error_code), "HTTP%ld", resp->status);
    set_message(resp, msg ? msg : (resp->body_len && !j ? "non-JSON error body" : ""));
    json_decref(j);
    if (in_list(glue_throttle_codes, resp->error_code) || resp->status == 429)
        return G2D_HTTP_RETRY_THROTTLE;
    if (token_expired(resp, ctx, G2D_SIDE_GLUE))
        return G2D_HTTP_RETRY;
    if (resp->status >= 500 || in_list(glue_transient_codes, resp->error_code))
        return G2D_HTTP_RETRY;
    return G2D_HTTP_FAIL;
}

static bool dlf_is_throttle(const char *code)
{
    return strncmp(code, "Throttling", 10) == 0;
}

/*
 * A DLF answer with a 2xx status is an error document when its Success is false, or when
 * it has no Success but a Code other than "OK" (the API gateway's error body). One
 * structural pass over the top level, no DOM: list pages are large.
 */
static bool dlf_error_doc(const struct g2d_http_response *resp)
{
    static const char *const keys[] = {"Success", "Code"};
    const char *v[2];
    size_t l[2];

    if (g2d_jscan_members(resp->body, resp->body_len, keys, 2, v, l) < 0)
        return false; /* not JSON: the answer check says so */
    if (v[0])
        return l[0] == 5 && memcmp(v[0], "false", 5) == 0;
    return v[1] && !(l[1] == 4 && memcmp(v[1], "\"OK\"", 4) == 0);
}

enum g2d_http_verdict g2d_dlf_classify(struct g2d_http_response *resp, void *ctx)
{
    json_t *j;
    const char *code, *msg;
    enum g2d_http_verdict v;

    if (resp->status >= 200 && resp->status < 300 && !dlf_error_doc(resp))
        return G2D_HTTP_OK;
    j = json_loadb(resp->body, resp->body_len, 0, NULL);
    code = json_str2(j, "Code", "code");
    msg = json_str2(j, "Message", "message");
    if (code)
        snprintf(resp->error_code, sizeof(resp->error_code), "%s", code);
    else
        snprintf(resp->error_code, sizeof(resp->error_code), "HTTP%ld", resp->status);
    set_message(resp, msg ? msg : (resp->body_len && !j ? "non-JSON error body" : ""));
    json_decref(j);
    if (dlf_is_throttle(resp->error_code) || resp->status == 429 ||
        (resp->retry_after && *resp->retry_after))
        v = G2D_HTTP_RETRY_THROTTLE;
    else if (token_expired(resp, ctx, G2D_SIDE_DLF))
        v = G2D_HTTP_RETRY;
    else if (resp->status >= 500 || strcmp(resp->error_code, "InternalError") == 0 ||
             strcmp(resp->error_code, "ServiceUnavailable") == 0 ||
             strcmp(resp->error_code, "SignatureNonceUsed") == 0)
        v = G2D_HTTP_RETRY;
    else
        v = G2D_HTTP_FAIL;
    return v;
}

/* ---- calls -------------------------------------------------------------------------- */

/* Replace every occurrence of @p secret in @p msg by "***" (in place, never longer). */
static void scrub(char *msg, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    char *p;

    if (n < 4) /* too short to tell from ordinary text; real secrets are long */
        return;
    while ((p = strstr(msg, secret))) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

/*
 * Service messages are quoted into logs and result lines; some echo what was signed (a
 * signature mismatch may show the string to sign, with a security token in it). No
 * configured secret may go out that way.
 */
void g2d_cloud_scrub(const struct g2d_cloud *c, char *msg)
{
    const struct g2d_config *cfg = c->cfg;

    scrub(msg, cfg->glue.secret_access_key.value);
    scrub(msg, cfg->glue.session_token.value);
    scrub(msg, cfg->dlf.access_key_secret.value);
    scrub(msg, cfg->dlf.security_token.value);
    g2d_creds_scrub(c->creds[0], msg);
    g2d_creds_scrub(c->creds[1], msg);
}

static void call_free(struct cloud_call *call)
{
    if (call->afree)
        call->afree(call->actx);
    free(call);
}

#define FAIL_LINES_PER_MINUTE 20

/* A request that failed (after its retries): one line with the API, HTTP status, service
 * code and request id, at most FAIL_LINES_PER_MINUTE a minute per side (then one line
 * says how many were left out). Not-found and already-exists answers are part of the
 * normal flow (an update falls back to a create...): debug only. Success: trace. */
static void log_call(struct cloud_call *call, const struct g2d_http_response *resp,
                     const struct g2d_api_result *res)
{
    struct g2d_cloud *c = call->c;
    unsigned s = call->side, fam = g2d_http_code_family(res->code);
    int prio = fam == G2D_HTTP_CODE_NOT_FOUND || fam == G2D_HTTP_CODE_ALREADY_EXISTS ? LOG_DEBUG
                                                                                     : LOG_WARNING;
    int64_t now;
    char status[16];
    struct g2d_log_field f[] = {
        {"GLUE2DLF_SIDE", s == G2D_SIDE_GLUE ? "glue" : "dlf"},
        {"GLUE2DLF_API", call->action},
        {"GLUE2DLF_HTTP_STATUS", status},
        {"GLUE2DLF_ERROR_CODE", res->code && *res->code ? res->code : NULL},
        {"GLUE2DLF_REQUEST_ID", resp->request_id && *resp->request_id ? resp->request_id : NULL},
    };

    snprintf(status, sizeof(status), "%ld", resp->status);
    if (!res->err) {
        if (g2d_log_on(G2D_LOG_TRACE))
            g2d_logf(G2D_LOG_TRACE, NULL, f, 5, "%s: HTTP %ld, %zu bytes, %u attempt(s)",
                     call->action, resp->status, resp->body_len, resp->attempts);
        return;
    }
    if (!g2d_log_on(prio))
        return;
    now = (int64_t)time(NULL);
    if (prio == LOG_WARNING && now - c->logwin[s] >= 60) {
        if (c->unlogged[s])
            g2d_logf(LOG_WARNING, G2D_MID_REQUEST_FAILED, f, 1,
                     "%u more failed %s requests in the last minute were not logged one by one",
                     c->unlogged[s], s == G2D_SIDE_GLUE ? "Glue" : "DLF");
        c->logwin[s] = now;
        c->logged[s] = c->unlogged[s] = 0;
    }
    if (prio == LOG_WARNING && c->logged[s]++ >= FAIL_LINES_PER_MINUTE) {
        c->unlogged[s]++;
        return;
    }
    g2d_logf(prio, G2D_MID_REQUEST_FAILED, f, 5, "request failed: %s", res->message);
}

static void nokey_message(const struct cloud_call *call, const char *side, char *msg, size_t sz)
{
    const struct g2d_creds *p = call->c->creds[call->side];

    snprintf(msg, sz, "%s: no credentials: %s", side,
             p && g2d_creds_error(p)[0] ? g2d_creds_error(p) : "none configured");
}

static void call_done(const struct g2d_http_response *resp, void *arg)
{
    struct cloud_call *call = arg;
    struct g2d_check_fault fault;
    struct g2d_error cerr = {0};
    char code[128];
    int cr;
    const char *side = call->side == G2D_SIDE_GLUE ? "Glue" : "DLF";
    struct g2d_api_result res = {0};
    char msg[640];
    json_error_t jerr;

    res.status = resp->status;
    res.attempts = resp->attempts;
    res.code = resp->error_code;
    res.message = "";
    if (resp->err) {
        res.err = resp->err;
        if (resp->err == -ENOKEY)
            nokey_message(call, side, msg, sizeof(msg));
        else
            snprintf(msg, sizeof(msg), "%s %s: %s (%s, after %u attempt%s)", side, call->action,
                     resp->error_message[0] ? resp->error_message : "transport error",
                     strerror(-resp->err), resp->attempts, resp->attempts == 1 ? "" : "s");
        res.message = msg;
    } else if (!resp->ok) {
        res.err = -EIO;
        res.throttled =
            dlf_is_throttle(resp->error_code) || in_list(glue_throttle_codes, resp->error_code);
        snprintf(msg, sizeof(msg), "%s %s %s: %s (HTTP %ld%s%s)", side, call->action,
                 resp->error_code, resp->error_message[0] ? resp->error_message : "no message",
                 resp->status, resp->request_id && *resp->request_id ? ", request id " : "",
                 resp->request_id ? resp->request_id : "");
        res.message = msg;
    } else if (call->raw) {
        res.body = resp->body;
        res.body_len = resp->body_len;
        res.body_buf = resp->body_buf;
    } else {
        if (resp->body_len == 0)
            res.json = json_object();
        else
            res.json = json_loadb(resp->body, resp->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!res.json) {
            res.err = -EPROTO;
            snprintf(msg, sizeof(msg), "%s %s: invalid JSON in response: %s (line %d)", side,
                     call->action, jerr.text, jerr.line);
            res.message = msg;
        } else if (call->shape && (cr = g2d_check_json(call->shape, res.json, &fault, &cerr)) < 0) {
            /* An error document sent as a success is that error; an answer of the wrong
             * shape is malformed (retried by the listing, never believed). */
            res.err = cr;
            json_decref(res.json);
            res.json = NULL;
            if (cr == -EIO) {
                snprintf(code, sizeof(code), "%s", fault.code);
                res.code = code;
                res.throttled = dlf_is_throttle(code) || in_list(glue_throttle_codes, code);
            }
            snprintf(msg, sizeof(msg), "%s %s", side, cerr.msg);
            res.message = msg;
        } else if (call->answer) {
            char why[512];

            if (call->answer(&res, call->actx, why, sizeof(why)) < 0) {
                res.err = -EPROTO;
                res.list = NULL;
                res.next_token = NULL;
                res.items = NULL;
                snprintf(msg, sizeof(msg), "%s %s: malformed answer: %s", side, call->action, why);
                res.message = msg;
            }
        }
    }
    if (res.message == msg)
        g2d_cloud_scrub(call->c, msg);
    log_call(call, resp, &res);
    call->cb(&res, call->arg);
    json_decref(res.json);
    call_free(call);
}

int g2d_cloud_submit(struct g2d_cloud *c, const struct g2d_cloud_call_opts *o, g2d_api_cb cb,
                     void *arg, struct g2d_http_req **out)
{
    struct g2d_http_request_opts ho = {0};
    struct cloud_call *call;
    const char *btext = o->btext;
    size_t blen = o->blen;
    char *text = NULL;
    int r;

    call = calloc(1, sizeof(*call));
    if (o->body) {
        text = json_dumps(o->body, JSON_COMPACT);
        json_decref(o->body);
    }
    if (!call || (o->body && !text)) {
        free(call);
        free(text);
        if (o->afree)
            o->afree(o->actx);
        return -ENOMEM;
    }
    if (text) {
        btext = text;
        blen = strlen(text);
    }
    call->c = c;
    call->side = o->side;
    call->raw = o->raw;
    call->answer = o->answer;
    call->actx = o->actx;
    call->afree = o->afree;
    call->action = o->action; /* static strings: operation names */
    call->shape = g2d_check_shape(o->side, o->action);
    call->cb = cb;
    call->arg = arg;
    ho.method = o->method;
    ho.path = o->path;
    ho.query = o->query;
    ho.nquery = o->nquery;
    ho.body = btext;
    ho.body_len = btext ? blen : 0;
    ho.action = o->action;
    r = g2d_http_submit(c->ep[o->side], &ho, call_done, call, out);
    free(text);
    if (r < 0) {
        call_free(call);
        return r;
    }
    c->requests[o->side]++;
    return 0;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

static int make_endpoint(struct g2d_cloud *c, enum g2d_side side, struct g2d_error *err)
{
    const struct g2d_config *cfg = c->cfg;
    const char *url = side == G2D_SIDE_GLUE ? cfg->glue_url : cfg->dlf_url;
    const struct g2d_endpoint_config *ec = side == G2D_SIDE_GLUE ? &cfg->glue.http : &cfg->dlf.http;
    struct g2d_http_endpoint_opts o = {0};
    char *copy;
    int r;

    if (c->url[side] && strcmp(c->url[side], url) == 0) {
        g2d_http_endpoint_set_limits(c->ep[side], ec->max_concurrency, ec->max_rps);
        return 0;
    }
    copy = strdup(url);
    if (!copy)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    o.name = side == G2D_SIDE_GLUE ? "glue" : "dlf";
    o.base_url = url;
    o.max_concurrency = ec->max_concurrency;
    o.max_rps = ec->max_rps;
    o.max_attempts = cfg->max_attempts;
    o.prepare = side == G2D_SIDE_GLUE ? glue_prepare : dlf_prepare;
    o.classify = side == G2D_SIDE_GLUE ? g2d_glue_classify : g2d_dlf_classify;
    o.ctx = c;
    r = g2d_http_endpoint_new(c->http, &c->ep[side], &o, err);
    if (r < 0) {
        free(copy);
        return r;
    }
    /* An endpoint lives until the engine closes; a replaced one simply goes idle. */
    free(c->url[side]);
    c->url[side] = copy;
    return 0;
}

/*
 * Plan both sides' credentials again for a new config (secrets and files are read anew on
 * every reload) and start fetching. A side without any keeps a provider that says why.
 */
static int make_creds(struct g2d_cloud *c, const struct g2d_config *cfg, struct g2d_error *err)
{
    struct g2d_creds *n[2] = {NULL, NULL};
    int r = 0;

    if (cfg == c->creds_cfg)
        return 0;
    for (int side = 0; side < 2 && r == 0; side++) {
        r = g2d_creds_new(&n[side], side == G2D_SIDE_GLUE ? G2D_CREDS_AWS : G2D_CREDS_ALIBABA, cfg,
                          err);
        if (r == -ENOKEY)
            r = 0;
    }
    if (r < 0) {
        g2d_creds_free(n[0]);
        g2d_creds_free(n[1]);
        return r;
    }
    for (int side = 0; side < 2; side++) {
        g2d_creds_free(c->creds[side]);
        c->creds[side] = n[side];
        (void)g2d_creds_start(n[side], c->http);
    }
    c->creds_cfg = cfg;
    return 0;
}

int g2d_cloud_set_config(struct g2d_cloud *c, const struct g2d_config *cfg, struct g2d_error *err)
{
    int r;

    r = make_creds(c, cfg, err);
    if (r < 0)
        return r;
    c->cfg = cfg;
    r = make_endpoint(c, G2D_SIDE_GLUE, err);
    if (r == 0)
        r = make_endpoint(c, G2D_SIDE_DLF, err);
    return r;
}

struct g2d_creds *g2d_cloud_creds(const struct g2d_cloud *c, enum g2d_side side)
{
    return c->creds[side];
}

int g2d_cloud_new(struct g2d_cloud **out, struct g2d_http *http, const struct g2d_config *cfg,
                  struct g2d_error *err)
{
    struct g2d_cloud *c = calloc(1, sizeof(*c));
    int r;

    if (!c)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    c->http = http;
    r = g2d_cloud_set_config(c, cfg, err);
    if (r < 0) {
        g2d_cloud_free(c);
        return r;
    }
    *out = c;
    return 0;
}

const struct g2d_config *g2d_cloud_config(const struct g2d_cloud *c)
{
    return c->cfg;
}

static int client_write_object(void *ctx, const struct g2d_obj_write *w, g2d_api_cb cb, void *arg)
{
    return g2d_dlf_write_object(ctx, w, cb, arg);
}

static int client_write_partitions(void *ctx, const struct g2d_part_write *w, g2d_api_cb cb,
                                   void *arg)
{
    return g2d_dlf_write_partitions(ctx, w, cb, arg);
}

static int client_get_catalog(void *ctx, g2d_api_cb cb, void *arg, struct g2d_http_req **out)
{
    return g2d_dlf_get_catalog(ctx, cb, arg, out);
}

static void client_cancel(void *ctx, struct g2d_http_req *req)
{
    g2d_http_cancel(req);
}

static uint64_t client_requests(void *ctx, enum g2d_side side)
{
    return g2d_cloud_requests(ctx, side);
}

unsigned g2d_cloud_page_size(const struct g2d_cloud *c, enum g2d_listing what, unsigned dflt)
{
    return c->page_size[what] && c->page_size[what] < dflt ? c->page_size[what] : dflt;
}

static void list_free(struct list_call *lc)
{
    free(lc->db);
    free(lc->tbl);
    free(lc->token);
    free(lc->expr);
    free(lc);
}

static int list_send(struct list_call *lc);

/* The page size a listing of @p what is sent with now (as glue.c and dlf.c compute it). */
static unsigned list_page_size(const struct g2d_cloud *c, enum g2d_listing what)
{
    unsigned dflt = what == G2D_LIST_GLUE_PARTITIONS || what == G2D_LIST_DLF_PARTITIONS ? 1000
                    : what < G2D_LIST_DLF_DATABASES ? c->cfg->glue.http.page_size
                                                    : c->cfg->dlf.http.page_size;

    return g2d_cloud_page_size(c, what, dflt);
}

/*
 * A page whose answer was not of its operation's shape is asked for again, like a 5xx, as
 * a new request (signed anew), until the attempts are spent. A page refused as too large:
 * the API's page size is lowered for good, the page asked for again.
 */
static void list_done(const struct g2d_api_result *res, void *arg)
{
    struct list_call *lc = arg;
    struct g2d_cloud *c = lc->c;
    enum g2d_listing what = lc->req.what;
    unsigned cur, lim,
        attempts = c->cfg->max_attempts ? c->cfg->max_attempts : G2D_DEFAULT_MAX_ATTEMPTS;

    if (res->err == -EPROTO && ++lc->malformed < attempts && list_send(lc) == 0)
        return;
    if (res->err == -EIO && res->code) {
        /* The size this page went out with: a concurrent page of the same API may have
         * lowered the size since, and then this refusal teaches nothing new. */
        cur = lc->sent_size;
        lim = g2d_limit_from_error(res->code, res->message, cur);
        if (lim && list_page_size(c, what) < cur) {
            if (list_send(lc) == 0)
                return;
        } else if (lim) {
            size_t n = strlen(c->note);

            c->page_size[what] = lim;
            snprintf(c->note + n, sizeof(c->note) - n,
                     "%s%s refused a page of %u as too large: "
                     "%u from now on",
                     n ? "; " : "", g2d_listing_op(what), cur, lim);
            if (list_send(lc) == 0)
                return;
        }
    }
    lc->cb(res, lc->arg);
    list_free(lc);
}

static int list_send(struct list_call *lc)
{
    lc->sent_size = list_page_size(lc->c, lc->req.what);
    return lc->req.what < G2D_LIST_DLF_DATABASES
               ? g2d_glue_list(lc->c, &lc->req, list_done, lc, lc->out)
               : g2d_dlf_list(lc->c, &lc->req, list_done, lc, lc->out);
}

static char *dup0(const char *s, bool *nomem)
{
    char *d = s ? strdup(s) : NULL;

    if (s && !d)
        *nomem = true;
    return d;
}

static int client_list_paged(void *ctx, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                             struct g2d_http_req **out)
{
    struct list_call *lc = calloc(1, sizeof(*lc));
    bool nomem = !lc;
    int r;

    if (!lc)
        return -ENOMEM;
    lc->c = ctx;
    lc->req = *req;
    lc->req.db = lc->db = dup0(req->db, &nomem);
    lc->req.tbl = lc->tbl = dup0(req->tbl, &nomem);
    lc->req.token = lc->token = dup0(req->token, &nomem);
    lc->req.expression = lc->expr = dup0(req->expression, &nomem);
    lc->cb = cb;
    lc->arg = arg;
    lc->out = out;
    r = nomem ? -ENOMEM : list_send(lc);
    if (r < 0)
        list_free(lc);
    return r;
}

static const char *client_take_note(void *ctx, char *buf, size_t sz)
{
    struct g2d_cloud *c = ctx;

    if (!c->note[0])
        return NULL;
    snprintf(buf, sz, "%s", c->note);
    c->note[0] = '\0';
    return buf;
}

static const struct g2d_cloud_ops cloud_ops = {
    .list = client_list_paged,
    .take_note = client_take_note,
    .write_object = client_write_object,
    .write_partitions = client_write_partitions,
    .cancel = client_cancel,
    .requests = client_requests,
    .get_catalog = client_get_catalog,
};

struct g2d_cloud_client g2d_cloud_client(struct g2d_cloud *c)
{
    return (struct g2d_cloud_client){&cloud_ops, c};
}

void g2d_cloud_free(struct g2d_cloud *c)
{
    if (!c)
        return;
    free(c->url[0]);
    free(c->url[1]);
    g2d_creds_free(c->creds[0]);
    g2d_creds_free(c->creds[1]);
    free(c);
}

/* Each side has a source (fetched ones may still be on their way: requests wait). */
int g2d_cloud_check_credentials(const struct g2d_cloud *c, struct g2d_error *err)
{
    struct g2d_creds_view cv;

    for (int side = 0; side < 2; side++)
        if (g2d_creds_get(c->creds[side], (int64_t)time(NULL), &cv) == -ENOKEY)
            return g2d_error_set(err, -ENOKEY, "%s",
                                 c->creds[side] && g2d_creds_error(c->creds[side])[0]
                                     ? g2d_creds_error(c->creds[side])
                                     : "no credentials");
    return 0;
}

void g2d_cloud_stats(const struct g2d_cloud *c, enum g2d_side side, struct g2d_http_stats *out)
{
    g2d_http_endpoint_stats(c->ep[side], out);
}

uint64_t g2d_cloud_requests(const struct g2d_cloud *c, enum g2d_side side)
{
    return c->requests[side];
}
