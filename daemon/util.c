/* SPDX-License-Identifier: MIT */
/* Pure helpers of glue2dlfd. See util.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"
#include "util.h"

/*
 * Names as documented in sync.h. Kept here rather than calling g2d_item_type_name() and
 * friends so that these helpers (and their tests) do not depend on the sync engine.
 */
static const char *type_name(enum g2d_item_type t)
{
    static const char *const n[] = {"database", "table", "partition", "function"};

    return (unsigned)t < 4 ? n[t] : "unknown";
}

static const char *diff_name(enum g2d_diff d)
{
    static const char *const n[] = {"glueNew", "needUpdate", "dlfNew"};

    return (unsigned)d < 3 ? n[d] : "unknown";
}

static const char *phase_name(enum g2d_phase p)
{
    static const char *const n[] = {"idle", "snapshot", "extract", "load"};

    return (unsigned)p < 4 ? n[p] : "unknown";
}

/* ---- Schedule ------------------------------------------------------------------------- */

uint64_t sched_jitter(uint64_t jitter_ms, uint64_t rnd)
{
    if (jitter_ms == 0)
        return 0;
    if (jitter_ms == UINT64_MAX)
        return rnd;
    return rnd % (jitter_ms + 1);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t sched_next_start(uint64_t prev_start, uint64_t finished, uint64_t interval,
                          uint64_t jitter)
{
    uint64_t due = sat_add(prev_start, interval);

    if (finished > due)
        due = finished;
    return sat_add(due, jitter);
}

bool sched_full_due(uint64_t last_full, uint64_t now, uint64_t period)
{
    if (period == 0)
        return false;
    return now >= last_full && now - last_full >= period;
}

uint64_t sched_random(void)
{
    uint64_t v;

    arc4random_buf(&v, sizeof(v));
    return v;
}

/* ---- Status line ---------------------------------------------------------------------- */

const char *cycle_outcome(const struct g2d_cycle_stats *st)
{
    if (st->status < 0)
        return "failed";
    if (st->cancelled)
        return "cancelled";
    if (st->failed > 0)
        return "partial";
    return "ok";
}

int cycle_exit_code(const struct g2d_cycle_stats *st)
{
    /* A held delete is reported isSuccess:false: the catalogs are not in step. */
    return st->status == 0 && st->failed == 0 && st->held == 0 && !st->cancelled ? 0 : 1;
}

static int format_last(struct g2d_buf *out, const struct g2d_cycle_stats *st)
{
    int r;

    if (st->status < 0)
        return g2d_buf_printf(out, "last cycle %" PRIu64 " failed: %.160s", st->cycle_id,
                              st->error);
    r = g2d_buf_printf(out,
                       "last cycle %" PRIu64 " %s%s (%" PRIu64 " created, %" PRIu64
                       " updated, %" PRIu64 " deleted, %" PRIu64 " failed",
                       st->cycle_id, cycle_outcome(st), st->dry_run ? ", dry run" : "", st->created,
                       st->updated, st->deleted, st->failed);
    if (r == 0 && st->held)
        r = g2d_buf_printf(out, ", %" PRIu64 " held", st->held);
    if (r == 0)
        r = g2d_buf_putc(out, ')');
    return r;
}

int64_t progress_eta_ms(const struct g2d_progress *p, int64_t now_ms)
{
    int64_t elapsed = now_ms - p->started_ms;

    if (p->phase != G2D_PHASE_EXTRACT || p->databases_done < p->databases_total ||
        p->tables_done == 0 || p->tables_total < p->tables_done || elapsed <= 0)
        return -1;
    return (int64_t)((double)elapsed * (double)(p->tables_total - p->tables_done) /
                     (double)p->tables_done);
}

int status_line_format(struct g2d_buf *out, const struct status_info *si)
{
    const struct g2d_progress *p = &si->progress;
    int r;

    if (si->stopping)
        return g2d_buf_puts(out, "stopping");
    if (si->running) {
        r = g2d_buf_printf(out, "cycle %" PRIu64 " %s: ", p->cycle_id, phase_name(p->phase));
        if (r == 0 && p->phase == G2D_PHASE_SNAPSHOT)
            r = g2d_buf_printf(out, "%" PRIu64 " objects listed from DLF, ", p->snapshot_items);
        if (r == 0)
            r = g2d_buf_printf(
                out,
                "%" PRIu64 "/%" PRIu64 " databases, %" PRIu64 "/%" PRIu64 " tables, %" PRIu64
                " items seen, %" PRIu64 " writes done, %" PRIu64 " queued, %.0f+%.0f req/s",
                p->databases_done, p->databases_total, p->tables_done, p->tables_total,
                p->items_seen, p->writes_done, p->writes_queued, si->glue_rps, si->dlf_rps);
        if (r == 0 && p->phase == G2D_PHASE_EXTRACT) {
            int64_t eta = progress_eta_ms(p, si->now_ms);

            if (eta >= 0)
                r = g2d_buf_printf(out, ", ETA %" PRId64 "s", (eta + 999) / 1000);
            else
                r = g2d_buf_puts(out, ", ETA estimating");
        }
        if (r == 0 && si->paused)
            r = g2d_buf_puts(out, "; paused after this cycle");
        return r;
    }
    r = g2d_buf_puts(out, si->paused ? "paused; " : "idle; ");
    if (r == 0 && si->last)
        r = format_last(out, si->last);
    else if (r == 0)
        r = g2d_buf_puts(out, "no cycle yet");
    if (r == 0 && si->next_in_ms >= 0 && !si->paused)
        r = g2d_buf_printf(out, "; next in %" PRId64 "s", (si->next_in_ms + 999) / 1000);
    return r;
}

/* ---- Results ring --------------------------------------------------------------------- */

int results_ring_init(struct results_ring *rr, size_t cap)
{
    memset(rr, 0, sizeof(*rr));
    rr->items = calloc(cap ? cap : 1, sizeof(*rr->items));
    if (!rr->items)
        return -ENOMEM;
    rr->cap = cap ? cap : 1;
    return 0;
}

int results_ring_push(struct results_ring *rr, const char *line, size_t len)
{
    char *copy = strndup(line, len);
    size_t slot;

    if (!copy)
        return -ENOMEM;
    if (rr->count == rr->cap) {
        slot = rr->start;
        free(rr->items[slot]);
        rr->start = (rr->start + 1) % rr->cap;
    } else {
        slot = (rr->start + rr->count) % rr->cap;
        rr->count++;
    }
    rr->items[slot] = copy;
    rr->total++;
    return 0;
}

const char *results_ring_get(const struct results_ring *rr, size_t i)
{
    if (i >= rr->count)
        return NULL;
    return rr->items[(rr->start + i) % rr->cap];
}

void results_ring_done(struct results_ring *rr)
{
    if (!rr || !rr->items)
        return;
    for (size_t i = 0; i < rr->count; i++)
        free(rr->items[(rr->start + i) % rr->cap]);
    free(rr->items);
    memset(rr, 0, sizeof(*rr));
}

json_t *results_ring_json(const struct results_ring *rr, size_t limit)
{
    json_t *res = json_object(), *arr = json_array();
    size_t first = rr->count > limit ? rr->count - limit : 0;

    if (!res || !arr)
        goto fail;
    for (size_t i = first; i < rr->count; i++) {
        const char *line = results_ring_get(rr, i);
        json_t *it = json_loads(line, 0, NULL);

        /* Our own output always parses; keep the raw text if it somehow does not. */
        if (!it)
            it = g2d_ctl_json_string(line);
        if (json_array_append_new(arr, it) < 0)
            goto fail;
    }
    if (json_object_set_new(res, "items", arr) < 0) {
        arr = NULL;
        goto fail;
    }
    if (json_object_set_new(res, "total", json_integer((json_int_t)rr->total)) < 0)
        goto fail_res;
    return res;

fail:
    json_decref(arr);
fail_res:
    json_decref(res);
    return NULL;
}

/* ---- Metrics -------------------------------------------------------------------------- */

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

int metrics_render(struct g2d_buf *out, const struct metrics *m, const struct metrics_extra *x)
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
                                   type_name(t), diff_name(d), outcome_names[o], m->items[t][d][o]);
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
        r = metric_head(out, "glue2dlf_paused", "gauge", "1 while scheduled cycles are paused.");
    if (r == 0)
        r = g2d_buf_printf(out, "glue2dlf_paused %d\n", x->paused ? 1 : 0);
    return r;
}

/* ---- JSON renderings ------------------------------------------------------------------ */

json_t *json_cycle_stats(const struct g2d_cycle_stats *st)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:b, s:b, s:s, s:i, s:o, s:I, s:I, s:I, s:I, s:I, "
        "s:I, s:I, s:I, s:I, s:I}",
        "cycle_id", (json_int_t)st->cycle_id, "started_ms", (json_int_t)st->started_ms,
        "finished_ms", (json_int_t)st->finished_ms, "duration_ms",
        (json_int_t)(st->finished_ms > st->started_ms ? st->finished_ms - st->started_ms : 0),
        "dry_run", st->dry_run, "cancelled", st->cancelled, "outcome", cycle_outcome(st), "status",
        st->status, "error",
        st->status < 0 || st->error[0] ? g2d_ctl_json_string(st->error) : json_null(), "seen",
        (json_int_t)st->seen, "unchanged", (json_int_t)st->unchanged, "created",
        (json_int_t)st->created, "updated", (json_int_t)st->updated, "deleted",
        (json_int_t)st->deleted, "failed", (json_int_t)st->failed, "held", (json_int_t)st->held,
        "glue_requests", (json_int_t)st->glue_requests, "dlf_requests",
        (json_int_t)st->dlf_requests, "dlf_writes", (json_int_t)st->dlf_writes);
}

json_t *json_progress(const struct g2d_progress *p)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "phase",
                     phase_name(p->phase), "cycle_id", (json_int_t)p->cycle_id, "started_ms",
                     (json_int_t)p->started_ms, "databases_done", (json_int_t)p->databases_done,
                     "databases_total", (json_int_t)p->databases_total, "tables_done",
                     (json_int_t)p->tables_done, "tables_total", (json_int_t)p->tables_total,
                     "items_seen", (json_int_t)p->items_seen, "writes_done",
                     (json_int_t)p->writes_done, "writes_queued", (json_int_t)p->writes_queued,
                     "snapshot_items", (json_int_t)p->snapshot_items, "snapshot_bytes",
                     (json_int_t)p->snapshot_bytes);
}

json_t *json_http_stats(const struct g2d_http_stats *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "requests",
                     (json_int_t)s->requests, "attempts", (json_int_t)s->attempts, "retries",
                     (json_int_t)s->retries, "throttled", (json_int_t)s->throttled, "failures",
                     (json_int_t)s->failures, "bytes_in", (json_int_t)s->bytes_in, "bytes_out",
                     (json_int_t)s->bytes_out, "in_flight", (json_int_t)s->in_flight, "queued",
                     (json_int_t)s->queued, "concurrency", (json_int_t)s->concurrency);
}

json_t *json_plan_item(const struct g2d_item_result *it)
{
    json_t *o = json_object();

    if (!o)
        return NULL;
    if (json_object_set_new(o, "itemType", json_string(type_name(it->type))) < 0 ||
        json_object_set_new(o, "itemName", g2d_ctl_json_string(it->name)) < 0 ||
        json_object_set_new(o, "diffResult", json_string(diff_name(it->diff))) < 0 ||
        (it->held && json_object_set_new(o, "held", json_true()) < 0) ||
        (it->error && json_object_set_new(o, "error", g2d_ctl_json_string(it->error)) < 0) ||
        (it->warning && json_object_set_new(o, "warning", g2d_ctl_json_string(it->warning)) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}
