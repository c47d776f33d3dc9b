/* SPDX-License-Identifier: MIT */
/*
 * Fetching a planned source on the loop: instance metadata (IMDSv2 token, role, role
 * credentials), the container endpoint, STS AssumeRole (SigV4-signed query API, over the
 * base source's credentials) and AssumeRoleWithWebIdentity (unsigned), through the HTTP
 * engine; credential_process in the thread pool. One step in flight per fetch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sign.h"
#include "creds/creds-internal.h"

#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"
#define STS_VERSION "2011-06-15"
#define ALI_ROLE_PATH "/latest/meta-data/ram/security-credentials/"
#define AWS_TTL_HEADER "X-aws-ec2-metadata-token-ttl-seconds"
#define AWS_TOKEN_HEADER "X-aws-ec2-metadata-token"
#define ALI_TTL_HEADER "X-aliyun-ecs-metadata-token-ttl-seconds"
#define ALI_TOKEN_HEADER "X-aliyun-ecs-metadata-token"

enum step { ST_IMDS_TOKEN = 1, ST_IMDS_ROLE, ST_IMDS_CREDS, ST_CONTAINER, ST_STS, ST_DONE };

struct g2d__fetch {
    struct g2d__eps *eps;
    const struct g2d__src *src;
    g2d__fetch_cb cb;
    void *arg;
    enum step step;
    struct g2d__ep *on; /* endpoint of the request in flight */
    struct g2d_http_req *req;
    struct g2d__fetch *sub; /* AssumeRole: the base source's fetch */
    struct g2d__cval base;  /* AssumeRole: its credentials */
    char imds_token[512];
    char last[160]; /* "METHOD url" of the request in flight, for messages */
    char role[256];
    char *auth;     /* container: Authorization value (secret) */
    char *cmd;      /* credential_process: a copy (the work may outlive the plan) */
    uv_work_t work; /* credential_process */
    bool work_busy, cancelled;
    char *pout;
    size_t plen;
    int perr;
    char why[384];
};

static void finish(struct g2d__fetch *f, int err, struct g2d__cval *v, const char *why)
{
    g2d__fetch_cb cb = f->cb;
    void *arg = f->arg;
    char msg[sizeof(f->why)];

    g2d__whatf(msg, sizeof(msg), "%s", why ? why : "");
    f->cb = NULL;
    g2d__fetch_cancel(f);
    if (cb)
        cb(arg, err, v, msg);
}

void g2d__eps_done(struct g2d__eps *eps)
{
    for (size_t i = 0; i < eps->n; i++)
        free(eps->e[i].url);
    eps->n = 0;
}

/* ---- requests ---------------------------------------------------------------------- */

static int sts_prepare(struct g2d__fetch *f, struct g2d_http_attempt *a)
{
    char amz_date[17];
    struct g2d_kv h[4];
    size_t n = 0;
    struct g2d_sign_req req = {0};
    struct g2d_buf auth;
    int r;

    if (f->src->kind == G2D_SRC_ALI_ASSUME_ROLE)
        return g2d__ali_sts_sign(a, &f->base);
    h[n++] = (struct g2d_kv){"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    if (f->src->kind != G2D_SRC_ASSUME_ROLE)
        return g2d_http_attempt_add_header(a, h[0].name, h[0].value);
    g2d_time_amz(a->now, amz_date);
    h[n++] = (struct g2d_kv){"Host", a->host};
    h[n++] = (struct g2d_kv){"X-Amz-Date", amz_date};
    if (f->base.token)
        h[n++] = (struct g2d_kv){"X-Amz-Security-Token", f->base.token};
    req.method = a->method;
    req.path = a->path;
    req.headers = h;
    req.nheaders = n;
    req.body = a->body;
    req.body_len = a->body_len;
    g2d_buf_init(&auth, 4096);
    r = g2d_sigv4_sign(&req, f->base.id, f->base.secret, f->src->region, "sts", amz_date, &auth,
                       NULL, NULL);
    for (size_t i = 0; r == 0 && i < n; i++)
        if (i != 1)
            r = g2d_http_attempt_add_header(a, h[i].name, h[i].value);
    if (r == 0)
        r = g2d_http_attempt_add_header(a, "Authorization", g2d_buf_cstr(&auth));
    g2d_buf_done(&auth);
    return r;
}

static int ep_prepare(struct g2d_http_attempt *a, void *ctx)
{
    struct g2d__ep *e = ctx;
    struct g2d__fetch *f = e->cur;

    if (!f)
        return -ECANCELED;
    switch (f->step) {
    case ST_IMDS_TOKEN:
        return g2d_http_attempt_add_header(a, f->src->ali ? ALI_TTL_HEADER : AWS_TTL_HEADER,
                                           "21600");
    case ST_IMDS_ROLE:
    case ST_IMDS_CREDS:
        if (!f->imds_token[0])
            return 0;
        return g2d_http_attempt_add_header(a, f->src->ali ? ALI_TOKEN_HEADER : AWS_TOKEN_HEADER,
                                           f->imds_token);
    case ST_CONTAINER:
        return f->auth ? g2d_http_attempt_add_header(a, "Authorization", f->auth) : 0;
    case ST_STS:
        return sts_prepare(f, a);
    default:
        return -EINVAL;
    }
}

/* The endpoint for @p url (scheme://host[:port]), made on first use. */
static struct g2d__ep *endpoint(struct g2d__eps *eps, const char *url, size_t n)
{
    struct g2d_http_endpoint_opts o = {0};
    struct g2d__ep *e;
    char base[512];

    snprintf(base, sizeof(base), "%.*s", (int)n, url);
    for (size_t i = 0; i < eps->n; i++)
        if (strcmp(eps->e[i].url, base) == 0)
            return &eps->e[i];
    if (eps->n == G2D__MAX_EPS)
        return NULL;
    e = &eps->e[eps->n];
    e->url = strdup(base);
    if (!e->url)
        return NULL;
    o.name = "credentials";
    o.base_url = e->url;
    o.max_concurrency = 2;
    o.max_attempts = 3;
    o.prepare = ep_prepare;
    o.ctx = e;
    if (g2d_http_endpoint_new(eps->http, &e->ep, &o, NULL) < 0) {
        free(e->url);
        return NULL;
    }
    eps->n++;
    return e;
}

static void on_answer(const struct g2d_http_response *resp, void *arg);

/* Send one request of @p f to @p url (the whole URL: base and path). */
static int send_req(struct g2d__fetch *f, const char *method, const char *url, const char *body)
{
    const char *p = strstr(url, "://");
    struct g2d_http_request_opts o = {0};
    size_t n;
    int r;

    if (!p)
        return -EINVAL;
    n = (size_t)(p + 3 - url) + strcspn(p + 3, "/");
    f->on = endpoint(f->eps, url, n);
    if (!f->on)
        return -ENOMEM;
    o.method = method;
    o.path = url[n] ? url + n : "/";
    g2d__whatf(f->last, sizeof(f->last), "%s %s", method, url);
    o.body = body;
    o.body_len = body ? strlen(body) : 0;
    o.action = "credentials";
    f->on->cur = f;
    r = g2d_http_submit(f->on->ep, &o, on_answer, f, &f->req);
    if (r < 0) {
        f->on->cur = NULL;
        f->req = NULL;
    }
    return r;
}

static int imds_send(struct g2d__fetch *f, enum step st)
{
    char url[1024];

    if (st == ST_IMDS_ROLE && f->src->role_name) { /* the role is known: ask for it */
        snprintf(f->role, sizeof(f->role), "%s", f->src->role_name);
        st = ST_IMDS_CREDS;
    }
    f->step = st;
    snprintf(url, sizeof(url), "%s%s%s", f->src->imds_url,
             st == ST_IMDS_TOKEN ? IMDS_TOKEN_PATH
             : f->src->ali       ? ALI_ROLE_PATH
                                 : IMDS_ROLE_PATH,
             st == ST_IMDS_CREDS ? f->role : "");
    return send_req(f, st == ST_IMDS_TOKEN ? "PUT" : "GET", url, NULL);
}

static int form_add(struct g2d_buf *b, const char *k, const char *v)
{
    int r;

    if (!v)
        return 0;
    r = g2d_buf_printf(b, "%s%s=", b->len ? "&" : "", k);
    return r ? r : g2d_uri_encode(v, strlen(v), 0, b);
}

static int ali_send(struct g2d__fetch *f, struct g2d_buf *b)
{
    char url[600];
    int r = g2d__ali_sts_body(f->src, (int64_t)time(NULL), b, f->why, sizeof(f->why));

    f->step = ST_STS;
    snprintf(url, sizeof(url), "%s/", f->src->sts_url);
    if (r == 0)
        r = send_req(f, "POST", url, g2d_buf_cstr(b));
    if (b->data)
        explicit_bzero(b->data, b->len);
    g2d_buf_done(b);
    return r;
}

static int sts_send(struct g2d__fetch *f)
{
    const struct g2d__src *s = f->src;
    bool web = s->kind == G2D_SRC_WEB_IDENTITY;
    char *tok = NULL, dur[16], url[600];
    struct g2d_buf b;
    int r = 0;

    g2d_buf_init(&b, 0);
    if (s->kind == G2D_SRC_ALI_OIDC || s->kind == G2D_SRC_ALI_ASSUME_ROLE)
        return ali_send(f, &b);
    if (web && (r = g2d__read_small(s->token_file, &tok, f->why, sizeof(f->why))) < 0)
        return r;
    snprintf(dur, sizeof(dur), "%u", s->duration_s ? s->duration_s : 3600);
    r = form_add(&b, "Action", web ? "AssumeRoleWithWebIdentity" : "AssumeRole");
    if (r == 0)
        r = form_add(&b, "DurationSeconds", dur);
    if (r == 0)
        r = form_add(&b, "ExternalId", s->external_id);
    if (r == 0)
        r = form_add(&b, "RoleArn", s->role_arn);
    if (r == 0)
        r = form_add(&b, "RoleSessionName", s->session_name ? s->session_name : "glue2dlf");
    if (r == 0)
        r = form_add(&b, "Version", STS_VERSION);
    if (r == 0)
        r = form_add(&b, "WebIdentityToken", tok);
    g2d__wipe_free(tok);
    f->step = ST_STS;
    snprintf(url, sizeof(url), "%s/", s->sts_url);
    if (r == 0)
        r = send_req(f, "POST", url, g2d_buf_cstr(&b));
    if (b.data)
        explicit_bzero(b.data, b.len);
    g2d_buf_done(&b);
    return r;
}

/* ---- answers ----------------------------------------------------------------------- */

static void fail_step(struct g2d__fetch *f, int err, const char *prefix, const char *detail)
{
    char why[sizeof(f->why)];

    g2d__whatf(why, sizeof(why), "%s%s", prefix, detail);
    finish(f, err, NULL, why);
}

static int parse_answer(const struct g2d__fetch *f, const struct g2d_http_response *resp,
                        struct g2d__cval *v, char *why, size_t whysz);

static void http_failed(struct g2d__fetch *f, const struct g2d_http_response *resp)
{
    char why[sizeof(f->why)], sts[256] = "";
    struct g2d__cval v;

    if (f->step == ST_STS && !resp->err && parse_answer(f, resp, &v, sts, sizeof(sts)) == 0)
        g2d__cval_clear(&v);
    if (resp->err)
        g2d__whatf(why, sizeof(why), "%s: %s", f->last, strerror(-resp->err));
    else
        g2d__whatf(why, sizeof(why), "%s: HTTP %ld%s%s", f->last, resp->status, sts[0] ? ": " : "",
                   sts);
    finish(f, resp->err ? resp->err : -EACCES, NULL, why);
}

/* Read a credentials answer of @p f's step: STS XML (AWS) or JSON (metadata, Alibaba). */
static int parse_answer(const struct g2d__fetch *f, const struct g2d_http_response *resp,
                        struct g2d__cval *v, char *why, size_t whysz)
{
    bool ali = f->src->ali || f->src->kind >= G2D_SRC_ALI_ASSUME_ROLE;

    if (f->step == ST_STS && !ali)
        return g2d__parse_sts_xml(resp->body, resp->body_len, v, why, whysz);
    return g2d__parse_cred_json(resp->body, resp->body_len,
                                f->step == ST_STS ? G2D_JSON_ALIBABA_STS
                                : ali             ? G2D_JSON_ALIBABA
                                                  : G2D_JSON_METADATA,
                                v, why, whysz);
}

static void got_creds(struct g2d__fetch *f, const struct g2d_http_response *resp)
{
    struct g2d__cval v;
    char why[256];
    int r = parse_answer(f, resp, &v, why, sizeof(why));

    if (r < 0) {
        fail_step(f, r, "bad credentials answer: ", why);
        return;
    }
    finish(f, 0, &v, NULL);
    g2d__cval_clear(&v);
}

static void imds_next(struct g2d__fetch *f, const struct g2d_http_response *resp)
{
    size_t n;
    int r;

    if (f->step == ST_IMDS_TOKEN) {
        if (resp->ok && resp->body_len && resp->body_len < sizeof(f->imds_token) &&
            !strpbrk(resp->body, "\r\n"))
            snprintf(f->imds_token, sizeof(f->imds_token), "%s", resp->body);
        else if (!f->src->v1_ok) {
            http_failed(f, resp);
            return;
        }
        r = imds_send(f, ST_IMDS_ROLE);
    } else {
        n = strcspn(resp->body, "\r\n");
        if (!resp->ok || !n || n >= sizeof(f->role) || memchr(resp->body, '/', n)) {
            if (resp->ok)
                fail_step(f, -EINVAL, "instance metadata: no IAM role attached", "");
            else
                http_failed(f, resp);
            return;
        }
        snprintf(f->role, sizeof(f->role), "%.*s", (int)n, resp->body);
        r = imds_send(f, ST_IMDS_CREDS);
    }
    if (r < 0)
        fail_step(f, r, "cannot send the instance metadata request: ", strerror(-r));
}

static void on_answer(const struct g2d_http_response *resp, void *arg)
{
    struct g2d__fetch *f = arg;

    f->req = NULL;
    if (f->on)
        f->on->cur = NULL;
    if (resp->err == -ECANCELED && f->cancelled)
        return;
    if (f->step == ST_IMDS_TOKEN || f->step == ST_IMDS_ROLE) {
        imds_next(f, resp);
        return;
    }
    if (!resp->ok) {
        http_failed(f, resp);
        return;
    }
    got_creds(f, resp);
}

/* ---- credential_process ------------------------------------------------------------ */

static void work_run(uv_work_t *w)
{
    struct g2d__fetch *f = w->data;

    f->perr = g2d__run_process(f->cmd, &f->pout, &f->plen, f->why, sizeof(f->why));
}

static void work_done(uv_work_t *w, int status)
{
    struct g2d__fetch *f = w->data;
    struct g2d__cval v;
    char why[256];
    int r = status < 0 ? status : f->perr;

    f->work_busy = false;
    if (f->cancelled) {
        g2d__fetch_cancel(f); /* frees now that the work is over */
        return;
    }
    if (r < 0) {
        fail_step(f, r, "credential_process: ", f->why);
        return;
    }
    r = g2d__parse_cred_json(f->pout, f->plen, G2D_JSON_PROCESS, &v, why, sizeof(why));
    if (r < 0) {
        fail_step(f, r, "credential_process output: ", why);
        return;
    }
    finish(f, 0, &v, NULL);
    g2d__cval_clear(&v);
}

/* ---- start and cancel -------------------------------------------------------------- */

static int start_role(struct g2d__fetch *f);

static void base_done(void *arg, int err, struct g2d__cval *v, const char *why)
{
    struct g2d__fetch *f = arg;
    int r;

    f->sub = NULL;
    if (err) {
        char msg[sizeof(f->why)];

        g2d__whatf(msg, sizeof(msg), "the source of %.100s: %s", f->src->role_arn, why);
        finish(f, err, NULL, msg);
        return;
    }
    f->base = *v;
    memset(v, 0, sizeof(*v));
    r = sts_send(f);
    if (r < 0)
        finish(f, r, NULL, f->why[0] ? f->why : strerror(-r));
}

static int start_role(struct g2d__fetch *f)
{
    const struct g2d__src *b = f->src->base;
    int r = 0;

    if (b->kind != G2D_SRC_STATIC) {
        f->sub = g2d__fetch_start(f->eps, b, base_done, f, &r);
        return f->sub ? 0 : r;
    }
    f->base.id = strdup(b->v.id);
    f->base.secret = strdup(b->v.secret);
    f->base.token = b->v.token ? strdup(b->v.token) : NULL;
    if (!f->base.id || !f->base.secret || (b->v.token && !f->base.token))
        return -ENOMEM;
    return sts_send(f);
}

static int start(struct g2d__fetch *f)
{
    const struct g2d__src *s = f->src;

    switch (s->kind) {
    case G2D_SRC_IMDS:
        return imds_send(f, ST_IMDS_TOKEN);
    case G2D_SRC_CONTAINER:
        if (s->auth_file) {
            int r = g2d__read_small(s->auth_file, &f->auth, f->why, sizeof(f->why));

            if (r < 0)
                return r;
        } else if (s->auth && !(f->auth = strdup(s->auth))) {
            return -ENOMEM;
        }
        f->step = ST_CONTAINER;
        return send_req(f, "GET", s->url, NULL);
    case G2D_SRC_WEB_IDENTITY:
    case G2D_SRC_ALI_OIDC:
        return sts_send(f);
    case G2D_SRC_ASSUME_ROLE:
    case G2D_SRC_ALI_ASSUME_ROLE:
        return start_role(f);
    case G2D_SRC_PROCESS:
        f->cmd = strdup(s->command);
        if (!f->cmd)
            return -ENOMEM;
        f->work.data = f;
        f->work_busy = true;
        return uv_queue_work(g2d_http_loop(f->eps->http), &f->work, work_run, work_done);
    default:
        return -EINVAL;
    }
}

struct g2d__fetch *g2d__fetch_start(struct g2d__eps *eps, const struct g2d__src *s,
                                    g2d__fetch_cb cb, void *arg, int *rc)
{
    struct g2d__fetch *f = calloc(1, sizeof(*f));
    int r;

    if (!f) {
        *rc = -ENOMEM;
        return NULL;
    }
    f->eps = eps;
    f->src = s;
    f->cb = cb;
    f->arg = arg;
    r = start(f);
    if (r < 0) {
        f->work_busy = false;
        f->cb = NULL;
        g2d__fetch_cancel(f);
        *rc = r;
        return NULL;
    }
    return f;
}

void g2d__fetch_cancel(struct g2d__fetch *f)
{
    if (!f)
        return;
    f->cancelled = true;
    f->cb = NULL;
    if (f->req) {
        struct g2d_http_req *req = f->req;

        f->req = NULL;
        g2d_http_cancel(req); /* on_answer sees cancelled and returns */
    }
    if (f->on)
        f->on->cur = NULL;
    f->on = NULL;
    if (f->sub) {
        g2d__fetch_cancel(f->sub);
        f->sub = NULL;
    }
    if (f->work_busy)
        return; /* work_done frees */
    g2d__cval_clear(&f->base);
    g2d__wipe_free(f->auth);
    free(f->cmd);
    if (f->pout) {
        explicit_bzero(f->pout, f->plen);
        free(f->pout);
    }
    explicit_bzero(f->imds_token, sizeof(f->imds_token));
    free(f);
}
