/* SPDX-License-Identifier: MIT */
/* --check-credentials: see check_creds.h. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "glue2dlf/creds.h"
#include "glue2dlf/encode.h"
#include "glue2dlf/http.h"

#include "check_creds.h"

#define CHECK_POLL_MS 50
#define CHECK_MAX_MS 120000

struct check {
    struct g2d_creds *p[2];
    uv_timer_t timer;
    uint64_t waited;
};

static void on_poll(uv_timer_t *t)
{
    struct check *c = t->data;
    struct g2d_creds_view v;
    bool pending = false;

    c->waited += CHECK_POLL_MS;
    for (int i = 0; i < 2; i++)
        pending =
            pending || (c->p[i] && g2d_creds_get(c->p[i], (int64_t)time(NULL), &v) == -EAGAIN);
    if (!pending || c->waited >= CHECK_MAX_MS) {
        uv_timer_stop(t);
        uv_stop(t->loop); /* the providers' refresh timers would keep it running */
    }
}

static int report(struct g2d_creds *p, const char *side, FILE *out, FILE *err)
{
    struct g2d_creds_view v;
    char exp[21];
    int r = p ? g2d_creds_get(p, (int64_t)time(NULL), &v) : -ENOKEY;

    if (r < 0) {
        fprintf(err, "glue2dlfd: %s credentials: %s\n", side,
                p && g2d_creds_error(p)[0] ? g2d_creds_error(p)
                : r == -EAGAIN             ? "no answer in time"
                                           : "none");
        return 2;
    }
    if (v.expiry)
        g2d_time_iso8601(v.expiry, exp);
    fprintf(out, "%s credentials: %s: access key %s%s%s%s\n", side, g2d_creds_describe(p), v.id,
            v.token ? ", with a session token" : "", v.expiry ? ", expires " : "",
            v.expiry ? exp : "");
    return 0;
}

int check_creds_online(const struct g2d_config *cfg, FILE *out, FILE *err)
{
    static const char *const side[2] = {"glue (AWS)", "dlf (Alibaba Cloud)"};
    struct g2d_http_opts hopts = {0};
    struct g2d_http *http = NULL;
    struct g2d_error e = {0};
    struct check c = {0};
    uv_loop_t loop;
    int rc = 0;

    if (uv_loop_init(&loop) < 0)
        return 2;
    hopts.ca_file = cfg->ca_file;
    hopts.connect_timeout_ms = cfg->connect_timeout_ms;
    hopts.timeout_ms = cfg->request_timeout_ms;
    if (g2d_http_new(&http, &loop, &hopts, &e) < 0) {
        fprintf(err, "glue2dlfd: cannot start the HTTP engine: %s\n", e.msg);
        (void)uv_loop_close(&loop);
        return 2;
    }
    for (int i = 0; i < 2; i++) {
        (void)g2d_creds_new(&c.p[i], i ? G2D_CREDS_ALIBABA : G2D_CREDS_AWS, cfg, NULL);
        if (c.p[i])
            (void)g2d_creds_start(c.p[i], http);
    }
    (void)uv_timer_init(&loop, &c.timer);
    c.timer.data = &c;
    (void)uv_timer_start(&c.timer, on_poll, CHECK_POLL_MS, CHECK_POLL_MS);
    (void)uv_run(&loop, UV_RUN_DEFAULT);
    for (int i = 0; i < 2; i++) {
        rc |= report(c.p[i], side[i], out, err);
        g2d_creds_free(c.p[i]);
    }
    uv_close((uv_handle_t *)&c.timer, NULL);
    g2d_http_close(http, NULL, NULL);
    (void)uv_run(&loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&loop);
    return rc ? 2 : 0;
}
