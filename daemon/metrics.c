/* SPDX-License-Identifier: MIT */
/* The daemon's metrics. See metrics.h. */
#include <inttypes.h>
#include <stddef.h>

#include "metrics.h"
#include "render.h"

static const char *const outcome_names[METRIC_NOUT] = {"success", "failed", "held", "planned"};

void metrics_count_item(struct metrics *m, const struct g2d_item_result *it)
{
    unsigned o;

    if ((unsigned)it->type >= 4 || (unsigned)it->diff >= 3)
        return;
    if (it->held)
        o = METRIC_OUT_HELD;
    else if (it->dry_run)
        o = METRIC_OUT_PLANNED;
    else if (it->success)
        o = METRIC_OUT_SUCCESS;
    else
        o = METRIC_OUT_FAILED;
    m->items[it->type][it->diff][o]++;
}

void metrics_count_cycle(struct metrics *m, const struct g2d_cycle_stats *st)
{
    m->cycles_total++;
    m->have_last = true;
    m->last_duration_s =
        st->finished_ms > st->started_ms ? (double)(st->finished_ms - st->started_ms) / 1000.0 : 0;
    if (st->status == 0 && !st->cancelled)
        m->last_success_s = st->finished_ms / 1000;
    m->glue_requests += st->glue_requests;
    m->dlf_requests += st->dlf_requests;
}

static int metric_head(struct g2d_buf *out, const char *name, const char *type, const char *help)
{
    return g2d_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int http_metric(struct g2d_buf *out, const char *name, const char *help,
                       const struct metrics_extra *x, size_t off, uint64_t glue_fb, uint64_t dlf_fb,
                       bool have_fb)
{
    uint64_t g, d;
    int r;

    if (!x->glue && !x->dlf && !have_fb)
        return 0;
    g = x->glue ? *(const uint64_t *)((const char *)x->glue + off) : glue_fb;
    d = x->dlf ? *(const uint64_t *)((const char *)x->dlf + off) : dlf_fb;
    r = metric_head(out, name, "counter", help);
    if (r == 0)
        r = g2d_buf_printf(out, "%s{side=\"glue\"} %" PRIu64 "\n%s{side=\"dlf\"} %" PRIu64 "\n",
                           name, g, name, d);
    return r;
}

/* The counters the daemon keeps itself: cycles, items, last cycle. */
static int render_counters(struct g2d_buf *out, const struct metrics *m)
{
    int r;

    r = metric_head(out, "glue2dlf_cycles_total", "counter", "Sync cycles finished.");
    if (r == 0)
        r = g2d_buf_printf(out, "glue2dlf_cycles_total %" PRIu64 "\n", m->cycles_total);
    if (r == 0)
        r = metric_head(out, "glue2dlf_items_total", "counter",
                        "Items acted on, by object type, diff result and outcome.");
    for (unsigned t = 0; t < 4 && r == 0; t++)
        for (unsigned d = 0; d < 3 && r == 0; d++)
            for (unsigned o = 0; o < METRIC_NOUT && r == 0; o++)
                r = g2d_buf_printf(out,
                                   "glue2dlf_items_total{type=\"%s\",diff=\"%s\",outcome=\"%s\"} "
                                   "%" PRIu64 "\n",
                                   render_item_type(t), render_diff(d), outcome_names[o],
                                   m->items[t][d][o]);
    if (r == 0 && m->have_last) {
        r = metric_head(out, "glue2dlf_last_cycle_duration_seconds", "gauge",
                        "Wall time of the last finished cycle.");
        if (r == 0)
            r = g2d_buf_printf(out, "glue2dlf_last_cycle_duration_seconds %.3f\n",
                               m->last_duration_s);
    }
    if (r == 0 && m->last_success_s > 0) {
        r = metric_head(out, "glue2dlf_last_cycle_success_timestamp_seconds", "gauge",
                        "Unix time at which the last cycle that ran as a whole finished.");
        if (r == 0)
            r = g2d_buf_printf(out, "glue2dlf_last_cycle_success_timestamp_seconds %" PRId64 "\n",
                               m->last_success_s);
    }
    return r;
}

/* The OSS result log's spool and uploads. */
static int result_oss_metrics(struct g2d_buf *out, const struct metrics_result_oss *o)
{
    static const struct {
        const char *name, *type, *help;
        size_t off;
    } m[] = {
        {"glue2dlf_result_spool_bytes", "gauge", "Bytes of result lines waiting in the spool.",
         offsetof(struct metrics_result_oss, spool_bytes)},
        {"glue2dlf_result_pending_parts", "gauge", "Result parts waiting for upload to OSS.",
         offsetof(struct metrics_result_oss, pending_parts)},
        {"glue2dlf_result_uploaded_parts_total", "counter", "Result parts uploaded to OSS.",
         offsetof(struct metrics_result_oss, uploaded_parts)},
        {"glue2dlf_result_upload_failures_total", "counter",
         "Result part uploads that failed (retried later).",
         offsetof(struct metrics_result_oss, upload_failures)},
        {"glue2dlf_result_dropped_lines_total", "counter",
         "Result lines dropped because the spool was full.",
         offsetof(struct metrics_result_oss, dropped_lines)},
    };
    int r = 0;

    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]) && r == 0; i++) {
        r = metric_head(out, m[i].name, m[i].type, m[i].help);
        if (r == 0)
            r = g2d_buf_printf(out, "%s %" PRIu64 "\n", m[i].name,
                               *(const uint64_t *)((const char *)o + m[i].off));
    }
    if (r == 0)
        r = metric_head(out, "glue2dlf_result_spool_full", "gauge",
                        "1 while the result spool is full and new lines are dropped.");
    if (r == 0)
        r = g2d_buf_printf(out, "glue2dlf_result_spool_full %d\n", o->spool_full ? 1 : 0);
    return r;
}

int metrics_render(struct g2d_buf *out, const struct metrics *m, const struct metrics_extra *x)
{
    int r;

    r = render_counters(out, m);
    if (r == 0)
        r = http_metric(out, "glue2dlf_http_requests_total", "HTTP requests completed, per side.",
                        x, offsetof(struct g2d_http_stats, requests), m->glue_requests,
                        m->dlf_requests, true);
    if (r == 0)
        r = http_metric(out, "glue2dlf_http_retries_total", "HTTP attempts beyond the first.", x,
                        offsetof(struct g2d_http_stats, retries), 0, 0, false);
    if (r == 0)
        r = http_metric(out, "glue2dlf_http_throttled_total",
                        "HTTP responses classified as throttling.", x,
                        offsetof(struct g2d_http_stats, throttled), 0, 0, false);
    if (r == 0)
        r = metric_head(out, "glue2dlf_snapshot_items", "gauge",
                        "Objects in the in-memory snapshot of DLF.");
    if (r == 0)
        r = g2d_buf_printf(out, "glue2dlf_snapshot_items %" PRIu64 "\n", x->snapshot_items);
    if (r == 0)
        r = metric_head(out, "glue2dlf_held_deletes", "gauge",
                        "Deletes held for a person (glue2dlfctl held), per state.");
    for (unsigned i = 0; r == 0 && i < 3; i++)
        r = g2d_buf_printf(out, "glue2dlf_held_deletes{state=\"%s\"} %" PRIu64 "\n",
                           (const char *[]){"held", "approved", "rejected"}[i], x->held[i]);
    if (r == 0)
        r = metric_head(out, "glue2dlf_paused", "gauge", "1 while scheduled cycles are paused.");
    if (r == 0)
        r = g2d_buf_printf(out, "glue2dlf_paused %d\n", x->paused ? 1 : 0);
    if (r == 0 && x->result_oss)
        r = result_oss_metrics(out, x->result_oss);
    return r;
}
