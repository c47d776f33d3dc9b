/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's status: request rates sampled every second, the STATUS= line for systemd,
 * and the "status" and "metrics" control replies. See daemon.h.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "health.h"
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
    g2d_buf_init(&b, 4096);
    if (status_line_format(&b, &si) == 0)
        notify_status(g2d_buf_cstr(&b));
    g2d_buf_done(&b);
}

static void sample_rates(struct daemon *d)
{
    struct g2d_http_stats st[2];
    int64_t now = (int64_t)uv_now(d->loop);
    int i;

    if (!d->sync)
        return;
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

void status_on_timer(uv_timer_t *t)
{
    struct daemon *d = t->data;

    sample_rates(d);
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

        json_object_set_new(o, "eta_ms", eta >= 0 ? json_integer(eta) : json_null());
    }
    rl = result_log_status(&d->result_log);
    if (rl)
        json_object_set_new(o, "result_log", rl);
    if (scrape_address(d))
        json_object_set_new(o, "metrics_listen", json_string(scrape_address(d)));
    json_object_set_new(o, "glue", json_http_stats(&gs));
    json_object_set_new(o, "dlf", json_http_stats(&ds));
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
