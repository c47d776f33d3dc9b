/* SPDX-License-Identifier: MIT */
/*
 * A credentials provider (see include/glue2dlf/creds.h): the plan, the credentials in
 * force, the refresh timer and the fetch in flight.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "glue2dlf/config.h"
#include "glue2dlf/http.h"
#include "creds/creds-internal.h"

#define REFRESH_EARLY_S 300 /* refresh this long before expiry ... */
#define EXPIRY_GUARD_S 1    /* ... and never hand out what expires within this */
#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 60000u
#define INVALIDATE_QUIET_S 2 /* ignore "expired" answers this soon after a fetch */

struct g2d_creds {
    enum g2d_creds_cloud cloud;
    struct g2d__src *src; /* NULL: none found */
    char what[384];
    char error[512];
    struct g2d__cval cur;
    bool have, stale;
    struct g2d__eps eps;
    uv_timer_t timer;
    bool timer_up, started, dead;
    struct g2d__fetch *f;
    unsigned backoff_ms;
    int64_t fetched_at;
    uint64_t fetches, failures;
};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static int dup_cval(struct g2d__cval *dst, const struct g2d__cval *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->id = strdup(src->id);
    dst->secret = strdup(src->secret);
    dst->token = src->token ? strdup(src->token) : NULL;
    dst->expiry = src->expiry;
    if (!dst->id || !dst->secret || (src->token && !dst->token)) {
        g2d__cval_clear(dst);
        return -ENOMEM;
    }
    return 0;
}

int g2d_creds_new(struct g2d_creds **out, enum g2d_creds_cloud cloud, const struct g2d_config *cfg,
                  struct g2d_error *err)
{
    struct g2d_creds *p = calloc(1, sizeof(*p));
    int r;

    *out = NULL;
    if (!p)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    p->cloud = cloud;
    r = cloud == G2D_CREDS_AWS ? g2d__plan_aws(cfg, &p->src, p->error, sizeof(p->error))
                               : g2d__plan_alibaba(cfg, &p->src, p->error, sizeof(p->error));
    if (r == 0 && p->src->kind == G2D_SRC_STATIC) {
        r = dup_cval(&p->cur, &p->src->v);
        p->have = r == 0;
    }
    if (r == 0)
        snprintf(p->what, sizeof(p->what), "%s", p->src->what);
    else
        snprintf(p->what, sizeof(p->what), "none");
    if (r < 0 && r != -ENOKEY) {
        g2d_error_set(err, r, "%s", p->error[0] ? p->error : strerror(-r));
        g2d_creds_free(p);
        return r;
    }
    if (r == -ENOKEY)
        g2d_error_set(err, r, "%s", p->error);
    *out = p;
    return r;
}

const char *g2d_creds_describe(const struct g2d_creds *p)
{
    return p->what;
}

bool g2d_creds_found(const struct g2d_creds *p)
{
    return p && p->src;
}

bool g2d_creds_fetched(const struct g2d_creds *p)
{
    return g2d__src_fetched(p->src);
}

const char *g2d_creds_error(const struct g2d_creds *p)
{
    return p->error;
}

void g2d_creds_stats(const struct g2d_creds *p, struct g2d_creds_stats *out)
{
    out->fetches = p->fetches;
    out->failures = p->failures;
    out->expiry = p->have ? p->cur.expiry : 0;
}

static void fetch_now(struct g2d_creds *p);

static void on_timer(uv_timer_t *t)
{
    fetch_now(t->data);
}

static void arm(struct g2d_creds *p, uint64_t ms)
{
    if (p->timer_up && !p->dead)
        uv_timer_start(&p->timer, on_timer, ms ? ms : 1, 0);
}

/* When to refresh credentials fetched now: five minutes early, or halfway if sooner. */
static uint64_t refresh_in_ms(const struct g2d__cval *v, int64_t now)
{
    int64_t life = v->expiry - now, early = life / 2 < REFRESH_EARLY_S ? life / 2 : REFRESH_EARLY_S;

    if (life <= 1)
        return 1000;
    return (uint64_t)(life - early) * 1000;
}

static void on_fetched(void *arg, int err, struct g2d__cval *v, const char *why)
{
    struct g2d_creds *p = arg;
    int64_t now = now_s();

    p->f = NULL;
    if (err) {
        p->failures++;
        p->backoff_ms = p->backoff_ms ? p->backoff_ms * 2 : BACKOFF_MIN_MS;
        if (p->backoff_ms > BACKOFF_MAX_MS)
            p->backoff_ms = BACKOFF_MAX_MS;
        g2d__whatf(p->error, sizeof(p->error),
                   "cannot fetch %s credentials from %s: %s (failure %" PRIu64
                   ", next try in %u s)",
                   p->cloud == G2D_CREDS_AWS ? "AWS" : "Alibaba Cloud", p->what,
                   why && *why ? why : strerror(-err), p->failures, p->backoff_ms / 1000);
        arm(p, p->backoff_ms);
        return;
    }
    g2d__cval_clear(&p->cur);
    p->cur = *v;
    memset(v, 0, sizeof(*v));
    p->have = true;
    p->stale = false;
    p->error[0] = '\0';
    p->backoff_ms = 0;
    p->fetches++;
    p->fetched_at = now;
    if (p->cur.expiry)
        arm(p, refresh_in_ms(&p->cur, now));
}

static void fetch_now(struct g2d_creds *p)
{
    int r = 0;

    if (p->f || p->dead || !p->started)
        return;
    p->f = g2d__fetch_start(&p->eps, p->src, on_fetched, p, &r);
    if (!p->f) {
        char why[128];

        snprintf(why, sizeof(why), "cannot start: %s", strerror(-r));
        on_fetched(p, r, NULL, why);
    }
}

int g2d_creds_start(struct g2d_creds *p, struct g2d_http *http)
{
    if (p->started || !g2d__src_fetched(p->src))
        return 0;
    p->eps.http = http;
    if (uv_timer_init(g2d_http_loop(http), &p->timer) < 0)
        return -ENOMEM;
    p->timer.data = p;
    p->timer_up = true;
    p->started = true;
    fetch_now(p);
    return 0;
}

int g2d_creds_get(struct g2d_creds *p, int64_t now, struct g2d_creds_view *out)
{
    memset(out, 0, sizeof(*out));
    if (!p || !p->src)
        return -ENOKEY;
    if (p->have && !p->stale && (!p->cur.expiry || now + EXPIRY_GUARD_S < p->cur.expiry)) {
        out->id = p->cur.id;
        out->secret = p->cur.secret;
        out->token = p->cur.token;
        out->expiry = p->cur.expiry;
        return 0;
    }
    if (!p->started)
        return -ENOKEY;
    if (p->f || (!p->fetches && !p->failures))
        return -EAGAIN;
    if (p->have && p->cur.expiry && now + EXPIRY_GUARD_S >= p->cur.expiry && !p->error[0])
        return -EAGAIN; /* the refresh timer is about to fire */
    return -ENOKEY;
}

void g2d_creds_invalidate(struct g2d_creds *p)
{
    if (!p || !g2d__src_fetched(p->src) || !p->started || p->f)
        return;
    if (p->fetched_at && now_s() - p->fetched_at < INVALIDATE_QUIET_S)
        return;
    p->stale = true;
    arm(p, 1);
}

static void scrub_one(char *msg, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    char *p;

    if (n < 4)
        return;
    while ((p = strstr(msg, secret))) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

void g2d_creds_scrub(const struct g2d_creds *p, char *msg)
{
    if (!p || !p->have)
        return;
    scrub_one(msg, p->cur.secret);
    scrub_one(msg, p->cur.token);
}

static void on_closed(uv_handle_t *h)
{
    free(h->data);
}

void g2d_creds_free(struct g2d_creds *p)
{
    if (!p)
        return;
    p->dead = true;
    g2d__fetch_cancel(p->f);
    p->f = NULL;
    g2d__cval_clear(&p->cur);
    g2d__src_free(p->src);
    p->src = NULL;
    g2d__eps_done(&p->eps);
    explicit_bzero(p->error, sizeof(p->error));
    if (p->timer_up) {
        uv_timer_stop(&p->timer);
        uv_close((uv_handle_t *)&p->timer, on_closed);
        return;
    }
    free(p);
}

bool g2d_creds_spec_valid(enum g2d_creds_cloud cloud, const char *s, const char **why)
{
    static const char *const aws[] = {
        "chain", "static", "web-identity", "container", "instance-metadata", NULL};
    static const char *const ali[] = {"chain", "static", "oidc", "ecs-ram-role", "uri", NULL};
    const char *const *v = cloud == G2D_CREDS_AWS ? aws : ali;

    *why = "";
    for (size_t i = 0; v[i]; i++)
        if (strcmp(s, v[i]) == 0)
            return true;
    if (strncmp(s, "profile ", 8) == 0 && s[8] && !strpbrk(s + 8, " []\t"))
        return true;
    *why = cloud == G2D_CREDS_AWS
               ? "expected chain, static, profile NAME, web-identity, container or "
                 "instance-metadata"
               : "expected chain, static, profile NAME, oidc, ecs-ram-role or uri";
    return false;
}
