/* SPDX-License-Identifier: MIT */
/* How glue2dlfd puts its state into words. See render.h. */
#include <inttypes.h>

#include "glue2dlf/ctlproto.h"
#include "render.h"

/* Names as documented in sync.h; see render.h for why they are not the sync engine's. */
const char *render_item_type(enum g2d_item_type t)
{
    static const char *const n[] = {"database", "table", "partition", "function"};

    return (unsigned)t < 4 ? n[t] : "unknown";
}

const char *render_diff(enum g2d_diff d)
{
    static const char *const n[] = {"glueNew", "needUpdate", "dlfNew"};

    return (unsigned)d < 3 ? n[d] : "unknown";
}

const char *render_phase(enum g2d_phase p)
{
    static const char *const n[] = {"idle", "snapshot", "extract", "load"};

    return (unsigned)p < 4 ? n[p] : "unknown";
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

    if (p->phase == G2D_PHASE_SNAPSHOT) {
        /* The snapshot listing alone: from the listings done and known (a lower bound
         * while DLF's tables are still being found). */
        elapsed = now_ms - p->snapshot_started_ms;
        if (p->snapshot_listings_done == 0 || elapsed <= 0 ||
            p->snapshot_listings_total < p->snapshot_listings_done)
            return -1;
        return (int64_t)((double)elapsed *
                         (double)(p->snapshot_listings_total - p->snapshot_listings_done) /
                         (double)p->snapshot_listings_done);
    }
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
        r = g2d_buf_printf(out, "cycle %" PRIu64 " %s: ", p->cycle_id, render_phase(p->phase));
        if (r == 0 && p->phase == G2D_PHASE_SNAPSHOT)
            r = g2d_buf_printf(
                out, "%" PRIu64 " objects listed from DLF (%" PRIu64 "/%" PRIu64 " listings), ",
                p->snapshot_items, p->snapshot_listings_done, p->snapshot_listings_total);
        if (r == 0)
            r = g2d_buf_printf(
                out,
                "%" PRIu64 "/%" PRIu64 " databases, %" PRIu64 "/%" PRIu64 " tables, %" PRIu64
                " items seen, %" PRIu64 " writes done, %" PRIu64 " queued, %.0f+%.0f req/s",
                p->databases_done, p->databases_total, p->tables_done, p->tables_total,
                p->items_seen, p->writes_done, p->writes_queued, si->glue_rps, si->dlf_rps);
        if (r == 0 && (si->failed || si->held))
            r = g2d_buf_printf(out, ", %" PRIu64 " failed, %" PRIu64 " held so far", si->failed,
                               si->held);
        if (r == 0 && (p->phase == G2D_PHASE_EXTRACT || p->phase == G2D_PHASE_SNAPSHOT)) {
            int64_t eta = progress_eta_ms(p, si->now_ms);

            if (eta >= 0)
                r = g2d_buf_printf(out, ", ETA %" PRId64 "s%s", (eta + 999) / 1000,
                                   p->phase == G2D_PHASE_SNAPSHOT ? " for the snapshot" : "");
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
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                     "phase", render_phase(p->phase), "cycle_id", (json_int_t)p->cycle_id,
                     "started_ms", (json_int_t)p->started_ms, "databases_done",
                     (json_int_t)p->databases_done, "databases_total",
                     (json_int_t)p->databases_total, "tables_done", (json_int_t)p->tables_done,
                     "tables_total", (json_int_t)p->tables_total, "items_seen",
                     (json_int_t)p->items_seen, "writes_done", (json_int_t)p->writes_done,
                     "writes_queued", (json_int_t)p->writes_queued, "snapshot_items",
                     (json_int_t)p->snapshot_items, "snapshot_bytes", (json_int_t)p->snapshot_bytes,
                     "snapshot_listings_done", (json_int_t)p->snapshot_listings_done,
                     "snapshot_listings_total", (json_int_t)p->snapshot_listings_total);
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
    if (json_object_set_new(o, "itemType", json_string(render_item_type(it->type))) < 0 ||
        json_object_set_new(o, "itemName", g2d_ctl_json_string(it->name)) < 0 ||
        json_object_set_new(o, "diffResult", json_string(render_diff(it->diff))) < 0 ||
        (it->held && json_object_set_new(o, "held", json_true()) < 0) ||
        (it->error && json_object_set_new(o, "error", g2d_ctl_json_string(it->error)) < 0) ||
        (it->warning && json_object_set_new(o, "warning", g2d_ctl_json_string(it->warning)) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}
