/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's cycles: starting one, each item's result (result log, results ring, metrics,
 * journal, or the plan being collected), and what happens when a cycle is done (journal
 * summary, answers to the waiting callers, --once exit, the queue). See daemon.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "glue2dlf/ctlproto.h"

#include "daemon.h"
#include "log.h"
#include "render.h"
#include "sched_math.h"

/* A plan cycle: keep the item for the plan reply (up to PLAN_ITEMS_MAX, then only count). */
static void plan_item(struct daemon *d, const struct g2d_item_result *it)
{
    json_t *o;

    d->plan_count++;
    if (d->plan_count > PLAN_ITEMS_MAX || !d->plan_items)
        return;
    o = json_plan_item(it);
    if (!o || json_array_append_new(d->plan_items, o) < 0) {
        json_decref(d->plan_items);
        d->plan_items = NULL;
    }
}

/* Count a failed or held item of the running cycle for the summaries; keep the first. */
static void tally_item(struct daemon *d, const struct g2d_item_result *it)
{
    struct cycle_tally *t = &d->tally;
    unsigned k = (unsigned)it->type < 4 ? (unsigned)it->type : 0;

    if (it->held) {
        if (t->held[k]++ == 0)
            snprintf(t->first_held[k], sizeof(t->first_held[k]), "%s: %s", it->name ? it->name : "",
                     it->error ? it->error : "");
    } else if (!it->success && !it->dry_run) {
        snprintf(d->last_error, sizeof(d->last_error), "%s %s: %s", g2d_item_type_name(it->type),
                 it->name ? it->name : "", it->error ? it->error : "");
        d->last_error_ms = it->time_ms;
        if (t->failed[k]++ == 0)
            snprintf(t->first_failed[k], sizeof(t->first_failed[k]), "%s: %s",
                     it->name ? it->name : "", it->error ? it->error : "");
    }
}

static void log_item_failure(const struct g2d_item_result *it)
{
    char cycle[24];
    struct log_field f[] = {
        {"GLUE2DLF_CYCLE_ID", cycle},        {"GLUE2DLF_ITEM_TYPE", g2d_item_type_name(it->type)},
        {"GLUE2DLF_ITEM_NAME", it->name},    {"GLUE2DLF_DIFF", g2d_diff_name(it->diff)},
        {"GLUE2DLF_DATABASE", it->database}, {"GLUE2DLF_TABLE", it->table},
    };
    const char *verb = it->diff == G2D_DIFF_GLUE_NEW      ? "create"
                       : it->diff == G2D_DIFF_NEED_UPDATE ? "update"
                                                          : "delete";

    snprintf(cycle, sizeof(cycle), "%" PRIu64, it->cycle_id);
    log_fields(LOG_WARNING, NULL, f, 6, "failed to %s %s '%s': %s", verb,
               g2d_item_type_name(it->type), it->name ? it->name : "",
               it->error ? it->error : "unknown error");
}

void cycle_on_item(const struct g2d_item_result *it, void *arg)
{
    struct daemon *d = arg;

    if (d->cycle_is_plan) {
        plan_item(d, it);
        return;
    }
    metrics_count_item(&d->metrics, it);
    g2d_buf_reset(&d->fmt);
    if (g2d_item_result_format(it, &d->fmt) == 0) {
        result_log_append(&d->result_log, it->cycle_id, d->fmt.data, d->fmt.len);
        if (results_ring_push(&d->ring, d->fmt.data, d->fmt.len) < 0)
            log_warning("results ring: out of memory");
    }
    tally_item(d, it);
    report_count_item(d, it);
    if (!it->success && !it->held && !it->dry_run) {
        /* The first log.max_item_lines failures one by one, the rest in the summary. */
        if (d->tally.lines < d->cfg->log_max_item_lines) {
            d->tally.lines++;
            log_item_failure(it);
        }
    }
}

/* One line per object type with failures, and one per type with held deletes. */
static void log_tallies(struct daemon *d, const struct g2d_cycle_stats *st)
{
    const struct cycle_tally *t = &d->tally;
    char id[24], n[24];

    snprintf(id, sizeof(id), "%" PRIu64, st->cycle_id);
    for (unsigned k = 0; k < 4; k++) {
        const char *type = g2d_item_type_name((enum g2d_item_type)k);
        struct log_field f[] = {
            {"GLUE2DLF_CYCLE_ID", id}, {"GLUE2DLF_ITEM_TYPE", type}, {"GLUE2DLF_COUNT", n}};

        if (t->failed[k]) {
            snprintf(n, sizeof(n), "%" PRIu64, t->failed[k]);
            log_fields(LOG_WARNING, LOG_MID_ITEMS_FAILED, f, 3,
                       "cycle %s: %s %s item(s) failed and will be retried next cycle (first: %s); "
                       "glue2dlfctl results --failed lists them",
                       id, n, type, t->first_failed[k]);
        }
        if (t->held[k]) {
            snprintf(n, sizeof(n), "%" PRIu64, t->held[k]);
            log_fields(LOG_WARNING, LOG_MID_DELETES_HELD, f, 3,
                       "cycle %s: %s %s delete(s) held back by the delete guard, nothing deleted "
                       "for them (first: %s)",
                       id, n, type, t->first_held[k]);
        }
    }
    if (st->snapshot_rebuilt) {
        struct log_field f[] = {{"GLUE2DLF_CYCLE_ID", id}, {"GLUE2DLF_DURATION_MS", n}};

        snprintf(n, sizeof(n), "%" PRId64, st->snapshot_rebuild_ms);
        log_fields(LOG_INFO, LOG_MID_SNAPSHOT_REBUILT, f, 2,
                   "cycle %s: the snapshot of DLF was rebuilt by listing DLF (%.1fs)", id,
                   (double)st->snapshot_rebuild_ms / 1000.0);
    }
}

/* Once per run: which Glue fields DLF has no place for, so they are not copied. */
static void log_dropped_fields(struct daemon *d, const struct g2d_cycle_stats *st)
{
    uint32_t bits = st->dropped_fields & ~d->dropped_reported;
    struct g2d_buf b;

    if (!bits)
        return;
    g2d_buf_init(&b, 4096);
    for (unsigned i = 0; i < 32; i++)
        if (bits & (1u << i))
            g2d_buf_printf(&b, "%s%s", b.len ? ", " : "", g2d_dropped_field_name(1u << i));
    log_notice("Glue fields with no DLF counterpart are not copied: %s", g2d_buf_cstr(&b));
    g2d_buf_done(&b);
    d->dropped_reported |= bits;
}

static void log_cycle(struct daemon *d, const struct g2d_cycle_stats *st)
{
    char id[24], dur[32], counts[6][24];
    struct log_field f[] = {
        {"GLUE2DLF_CYCLE_ID", id},
        {"GLUE2DLF_DURATION_MS", dur},
        {"GLUE2DLF_CREATED", counts[0]},
        {"GLUE2DLF_UPDATED", counts[1]},
        {"GLUE2DLF_DELETED", counts[2]},
        {"GLUE2DLF_FAILED", counts[3]},
        {"GLUE2DLF_HELD", counts[4]},
        {"GLUE2DLF_SEEN", counts[5]},
        {"GLUE2DLF_OUTCOME", cycle_outcome(st)},
    };
    int64_t ms = st->finished_ms > st->started_ms ? st->finished_ms - st->started_ms : 0;

    snprintf(id, sizeof(id), "%" PRIu64, st->cycle_id);
    snprintf(dur, sizeof(dur), "%" PRId64, ms);
    snprintf(counts[0], sizeof(counts[0]), "%" PRIu64, st->created);
    snprintf(counts[1], sizeof(counts[1]), "%" PRIu64, st->updated);
    snprintf(counts[2], sizeof(counts[2]), "%" PRIu64, st->deleted);
    snprintf(counts[3], sizeof(counts[3]), "%" PRIu64, st->failed);
    snprintf(counts[4], sizeof(counts[4]), "%" PRIu64, st->held);
    snprintf(counts[5], sizeof(counts[5]), "%" PRIu64, st->seen);
    if (st->status < 0) {
        snprintf(d->last_error, sizeof(d->last_error), "cycle %s: %.480s", id,
                 st->error[0] ? st->error : strerror(-st->status));
        d->last_error_ms = st->finished_ms;
        log_fields(LOG_ERR, LOG_MID_CYCLE_FAILED, f, 9, "cycle %s%s failed after %.1fs: %s", id,
                   st->dry_run ? " (dry run)" : "", (double)ms / 1000.0,
                   st->error[0] ? st->error : strerror(-st->status));
        return;
    }
    log_fields(st->failed ? LOG_WARNING : LOG_INFO, LOG_MID_CYCLE_FINISHED, f, 9,
               "cycle %s%s %s in %.1fs: %" PRIu64 " seen, %" PRIu64 " unchanged, %" PRIu64
               " created, %" PRIu64 " updated, %" PRIu64 " deleted, %" PRIu64 " failed, %" PRIu64
               " held",
               id, st->dry_run ? " (dry run)" : "",
               st->cancelled ? "cancelled" : (st->failed ? "finished with failures" : "finished"),
               (double)ms / 1000.0, st->seen, st->unchanged, st->created, st->updated, st->deleted,
               st->failed, st->held);
    log_tallies(d, st);
    log_dropped_fields(d, st);
    if (st->notes[0])
        log_notice("cycle %s: %s", id, st->notes);
}

/* A plan cycle is done: answer its callers with the items collected. */
static void finish_plan(struct daemon *d, const struct g2d_cycle_stats *st)
{
    json_t *res = json_object();

    if (res && d->plan_items) {
        json_object_set_new(res, "items", d->plan_items);
        d->plan_items = NULL;
        if (d->plan_count > PLAN_ITEMS_MAX)
            json_object_set_new(res, "truncated", json_true());
        json_object_set_new(res, "total", json_integer((json_int_t)d->plan_count));
        json_object_set_new(res, "stats", json_cycle_stats(st));
        waiters_reply_all(&d->plans_cur, res);
    } else {
        json_decref(res);
        waiters_fail_all(&d->plans_cur, G2D_CTL_E_INTERNAL, "out of memory building the plan");
    }
    json_decref(d->plan_items);
    d->plan_items = NULL;
}

static void on_cycle_done(const struct g2d_cycle_stats *st, void *arg)
{
    struct daemon *d = arg;
    bool was_plan = d->cycle_is_plan;

    d->running = false;
    d->cycle_is_plan = false;
    log_cycle(d, st);
    if (was_plan) {
        finish_plan(d, st);
    } else {
        result_log_sync(&d->result_log);
        metrics_count_cycle(&d->metrics, st);
        report_cycle_done(d, st);
        scrape_write_textfile(d);
        d->last_sync = *st;
        d->have_last_sync = true;
        d->last_sync_mono = daemon_now_ms(d);
        if (cycle_exit_code(st) == 0) {
            d->last_ok_mono = d->last_sync_mono;
            d->last_ok_id = st->cycle_id;
        }
        waiters_reply_all(&d->waiters_cur, json_cycle_stats(st));
        if (d->once)
            d->exit_code = cycle_exit_code(st);
    }
    reload_retire_sweep(d);
    if (d->stopping || (d->once && !was_plan)) {
        shutdown_begin(d, d->exit_code);
        return;
    }
#ifdef __GLIBC__
    /* Between cycles the daemon holds its snapshot and little else: hand the free pages a
     * big cycle left inside the heap (page bodies, batch texts) back to the system. */
    (void)malloc_trim(0);
#endif
    schedule_after_cycle(d);
}

int cycle_start(struct daemon *d, bool plan, bool full)
{
    unsigned flags = 0;
    int r;

    if (plan || daemon_dry_run(d))
        flags |= G2D_CYCLE_DRY_RUN;
    if (!plan &&
        (full || sched_full_due(d->last_full_mono, daemon_now_ms(d), d->cfg->full_reconcile_ms)))
        flags |= G2D_CYCLE_FULL;
    if (plan) {
        d->plan_items = json_array();
        d->plan_count = 0;
        if (!d->plan_items)
            return -ENOMEM;
    }
    d->cycle_is_plan = plan;
    memset(&d->tally, 0, sizeof(d->tally));
    r = g2d_sync_start(d->sync, flags, on_cycle_done, d);
    if (r < 0) {
        d->cycle_is_plan = false;
        json_decref(d->plan_items);
        d->plan_items = NULL;
        return r;
    }
    d->running = true;
    d->cycle_start_mono = daemon_now_ms(d);
    (void)uv_timer_stop(&d->sched_timer);
    if (!plan) {
        d->last_start_mono = daemon_now_ms(d);
        if (flags & G2D_CYCLE_FULL)
            d->last_full_mono = d->last_start_mono;
    }
    status_update(d);
    return 0;
}
