/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's status: request rates sampled every second, the STATUS= line for systemd,
 * and the "status" and "metrics" control replies. See daemon.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "glue2dlf/creds.h"

#include "daemon.h"
#include "health.h"
#include "log.h"
#include "notify.h"
#include "render.h"

uint64_t daemon_now_ms(const struct daemon *d)
{
    return uv_now(d->loop);
}

bool daemon_dry_run(const struct daemon *d)
{
    return d->dry_run_flag || d->cfg->dry_run;
}

const struct g2d_cycle_stats *daemon_last_stats(const struct daemon *d)
{
    const struct g2d_cycle_stats *st = d->sync ? g2d_sync_last(d->sync) : NULL;

    return st && st->cycle_id ? st : NULL;
}

/* Wall-clock ms: progress timestamps are wall-clock. */
static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t next_in_ms(const struct daemon *d)
{
    if (!d->handles_up || !uv_is_active((const uv_handle_t *)&d->sched_timer))
        return -1;
    return (int64_t)uv_timer_get_due_in(&d->sched_timer);
}

/* Failed and held items of the running cycle so far. */
static void tally_sums(const struct daemon *d, uint64_t *failed, uint64_t *held)
{
    *failed = *held = 0;
    for (unsigned k = 0; k < 4; k++) {
        *failed += d->tally.failed[k];
        *held += d->tally.held[k];
    }
}

void status_update(struct daemon *d)
{
    struct status_info si = {0};
    struct g2d_buf b;

    si.running = d->running;
    si.paused = d->paused;
    si.stopping = d->stopping;
    si.glue_rps = d->rps[0];
    si.dlf_rps = d->rps[1];
    si.now_ms = wall_ms();
    if (d->sync)
        g2d_sync_progress(d->sync, &si.progress);
    si.last = daemon_last_stats(d);
    si.next_in_ms = next_in_ms(d);
    tally_sums(d, &si.failed, &si.held);
    g2d_buf_init(&b, 4096);
    if (status_line_format(&b, &si) == 0)
        notify_status(g2d_buf_cstr(&b));
    g2d_buf_done(&b);
}

static void sample_rates(struct daemon *d)
{
    struct g2d_http_stats st[2];
    struct g2d_progress p;
    int64_t now = (int64_t)uv_now(d->loop);
    int i;

    if (!d->sync)
        return;
    g2d_sync_progress(d->sync, &p);
    if (d->rate_ms && now > d->rate_ms && p.cycle_id == d->rate_cycle &&
        p.items_seen >= d->rate_items) {
        double r = (double)(p.items_seen - d->rate_items) * 1000.0 / (double)(now - d->rate_ms);

        d->items_ps = d->items_ps ? 0.6 * d->items_ps + 0.4 * r : r;
    } else if (p.cycle_id != d->rate_cycle) {
        d->items_ps = 0;
    }
    d->rate_items = p.items_seen;
    d->rate_cycle = p.cycle_id;
    g2d_sync_http_stats(d->sync, &st[0], &st[1]);
    for (i = 0; i < 2; i++) {
        if (d->rate_ms && now > d->rate_ms) {
            double r =
                (double)(st[i].requests - d->rate_req[i]) * 1000.0 / (double)(now - d->rate_ms);

            /* Exponential smoothing over a few seconds: steady, yet quick to follow. */
            d->rps[i] = d->rps[i] ? 0.6 * d->rps[i] + 0.4 * r : r;
        }
        d->rate_req[i] = st[i].requests;
    }
    d->rate_ms = now;
}

/* A credentials refresh that fails is worth a warning once, and its end a notice. */
static void watch_creds(struct daemon *d)
{
    static const char *const side[2] = {"Glue", "DLF"};

    for (int i = 0; i < 2 && d->sync; i++) {
        const struct g2d_creds *p = g2d_sync_creds(d->sync, i);
        const char *e = p ? g2d_creds_error(p) : "";

        if (strncmp(e, d->creds_err[i], sizeof(d->creds_err[i]) - 1) == 0)
            continue;
        struct log_field f[] = {{"GLUE2DLF_SIDE", i == 0 ? "glue" : "dlf"},
                                {"GLUE2DLF_CREDENTIALS", p ? g2d_creds_describe(p) : "none"}};

        if (*e)
            log_fields(LOG_WARNING, LOG_MID_CREDENTIALS_FAILED, f, 2, "%s credentials: %s", side[i],
                       e);
        else
            log_fields(LOG_NOTICE, LOG_MID_CREDENTIALS_OK, f, 2,
                       "%s credentials: fetched again from %s", side[i], g2d_creds_describe(p));
        snprintf(d->creds_err[i], sizeof(d->creds_err[i]), "%s", e);
    }
}

static json_t *json_creds(const struct g2d_creds *p)
{
    struct g2d_creds_stats st;
    const char *e;

    if (!p)
        return json_null();
    g2d_creds_stats(p, &st);
    e = g2d_creds_error(p);
    return json_pack("{s:s, s:o, s:o, s:I, s:I}", "source", g2d_creds_describe(p), "error",
                     *e ? json_string(e) : json_null(), "expires_ms",
                     st.expiry ? json_integer((json_int_t)st.expiry * 1000) : json_null(),
                     "fetches", (json_int_t)st.fetches, "failures", (json_int_t)st.failures);
}

void status_on_timer(uv_timer_t *t)
{
    struct daemon *d = t->data;

    sample_rates(d);
    watch_creds(d);
    if (d->running)
        status_update(d);
}

static void held_count_cb(const struct g2d_held_view *h, void *arg)
{
    uint64_t *c = arg;

    c[strcmp(h->state, "approved") == 0 ? 1 : strcmp(h->state, "rejected") == 0 ? 2 : 0]++;
}

void status_held_counts(struct daemon *d, uint64_t c[3])
{
    struct g2d_held_filter f = {0};

    c[0] = c[1] = c[2] = 0;
    g2d_sync_held_list(d->sync, &f, held_count_cb, c);
}

json_t *status_json(struct daemon *d)
{
    struct g2d_progress p;
    const struct g2d_cycle_stats *last = daemon_last_stats(d);
    struct g2d_http_stats gs, ds;
    int64_t next = next_in_ms(d);
    const char *state;
    json_t *o, *rl;

    g2d_sync_progress(d->sync, &p);
    state = d->stopping ? "stopping" : d->running ? "running" : d->paused ? "paused" : "idle";
    o = json_pack("{s:s, s:I, s:s, s:b, s:b, s:s, s:s, s:o, s:o, s:o, s:I}", "version", G2D_VERSION,
                  "pid", (json_int_t)getpid(), "state", state, "paused", d->paused, "dry_run",
                  daemon_dry_run(d), "config", d->config_path, "phase", g2d_phase_name(p.phase),
                  "progress", json_progress(&p), "last_cycle",
                  last ? json_cycle_stats(last) : json_null(), "next_cycle_in_ms",
                  next >= 0 ? json_integer(next) : json_null(), "uptime_s",
                  (json_int_t)((daemon_now_ms(d) - d->started_mono) / 1000));
    if (!o)
        return NULL;
    g2d_sync_http_stats(d->sync, &gs, &ds);
    {
        uint64_t c[3];

        status_held_counts(d, c);
        json_object_set_new(o, "held_deletes",
                            json_pack("{s:I, s:I, s:I}", "held", (json_int_t)c[0], "approved",
                                      (json_int_t)c[1], "rejected", (json_int_t)c[2]));
    }
    json_object_set_new(o, "rates",
                        json_pack("{s:f, s:f}", "glue_rps", d->rps[0], "dlf_rps", d->rps[1]));
    if (d->running) {
        int64_t eta = progress_eta_ms(&p, wall_ms());
        uint64_t failed, held;

        tally_sums(d, &failed, &held);
        json_object_set_new(o, "eta_ms", eta >= 0 ? json_integer(eta) : json_null());
        json_object_set_new(o, "items_per_s", json_real(d->items_ps));
        json_object_set_new(o, "cycle_failed", json_integer((json_int_t)failed));
        json_object_set_new(o, "cycle_held", json_integer((json_int_t)held));
    }
    if (d->last_error[0])
        json_object_set_new(o, "last_error",
                            json_pack("{s:o, s:I}", "message", g2d_ctl_json_string(d->last_error),
                                      "time_ms", (json_int_t)d->last_error_ms));
    rl = result_log_status(&d->result_log);
    if (rl)
        json_object_set_new(o, "result_log", rl);
    if (scrape_address(d))
        json_object_set_new(o, "metrics_listen", json_string(scrape_address(d)));
    json_object_set_new(o, "glue", json_http_stats(&gs));
    json_object_set_new(o, "dlf", json_http_stats(&ds));
    json_object_set_new(o, "credentials",
                        json_pack("{s:o, s:o}", "glue", json_creds(g2d_sync_creds(d->sync, 0)),
                                  "dlf", json_creds(g2d_sync_creds(d->sync, 1))));
    if (d->once)
        json_object_set_new(o, "once", json_true());
    return o;
}

json_t *status_health_json(struct daemon *d, const struct g2d_ctl_request *req)
{
    struct health_input in = {0};
    struct g2d_progress p;

    in.stopping = d->stopping;
    in.paused = d->paused;
    in.running = d->running;
    in.now_ms = daemon_now_ms(d);
    in.started_ms = d->started_mono;
    if (d->running) {
        g2d_sync_progress(d->sync, &p);
        in.running_since_ms = d->cycle_start_mono;
        in.running_cycle_id = p.cycle_id;
    }
    in.last = d->have_last_sync ? &d->last_sync : NULL;
    in.last_done_ms = d->last_sync_mono;
    in.last_ok_ms = d->last_ok_mono;
    in.last_ok_id = d->last_ok_id;
    in.interval_ms = d->cfg->interval_ms;
    in.jitter_ms = d->cfg->jitter_ms;
    in.max_age_s = req->max_age_s;
    in.max_running_s = req->max_running_s;
    return health_json(&in);
}

json_t *status_metrics_json(struct daemon *d)
{
    struct g2d_buf b;
    json_t *o = NULL;

    g2d_buf_init(&b, 16u << 20);
    if (scrape_render(d, false, &b) == 0)
        o = json_pack("{s:s}", "text", g2d_buf_cstr(&b));
    g2d_buf_done(&b);
    return o;
}
