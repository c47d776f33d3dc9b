/* SPDX-License-Identifier: MIT */
/*
 * How glue2dlfd puts its state into words: the STATUS= line systemd shows, the ETA of a
 * running cycle, a cycle's outcome and exit code, and the JSON objects the control replies
 * (status, sync --wait, plan) are made of. Pure functions, reached by
 * tests/unit/test_daemon_render.c.
 */
#ifndef GLUE2DLFD_RENDER_H
#define GLUE2DLFD_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

/*
 * Names as documented in sync.h ("table", "glueNew", "extract"), "unknown" out of range.
 * Kept here rather than calling g2d_item_type_name() and friends so that these renderings
 * (and their tests) do not depend on the sync engine. Static strings: never freed.
 */
const char *render_item_type(enum g2d_item_type t);
const char *render_diff(enum g2d_diff d);
const char *render_phase(enum g2d_phase p);

/* ---- Status line ---------------------------------------------------------------------- */

/** What the STATUS= line shows. Every pointer is borrowed for the call only. */
struct status_info {
    bool running, paused, stopping;
    double glue_rps, dlf_rps;           /**< request rates over the last seconds */
    int64_t now_ms;                     /**< wall clock, for the ETA */
    struct g2d_progress progress;       /**< valid when running */
    const struct g2d_cycle_stats *last; /**< NULL before the first cycle */
    int64_t next_in_ms;                 /**< < 0 when nothing is scheduled */
    uint64_t failed, held;              /**< items of the running cycle so far */
};

/**
 * Estimated milliseconds until the running cycle ends: the elapsed time scaled by the share
 * of tables still to do; in the snapshot phase, of the DLF listings still to do (of those
 * known so far, so a lower bound while DLF's tables are being found). -1 while it cannot be told (databases still being listed, so the
 * number of tables is not known, or no table done yet). Owns nothing.
 */
int64_t progress_eta_ms(const struct g2d_progress *p, int64_t now_ms);

/**
 * Append one line for systemd's STATUS= to @p out (caller owns it), e.g.
 * "idle; last cycle 12 ok (3 created, 0 updated, 0 deleted, 0 failed); next in 297s" or
 * "cycle 13 extract: 41/41 databases, 100/400 tables, 812 items seen, 3 writes done,
 * 2 queued, 120+8 req/s, ETA 180s". @return 0 or a negative errno of g2d_buf.
 */
int status_line_format(struct g2d_buf *out, const struct status_info *si);

/** "ok", "partial" (some items failed), "failed" (cycle-level), "cancelled": static. */
const char *cycle_outcome(const struct g2d_cycle_stats *st);

/** Exit status of `glue2dlfd --once`: 0 all items succeeded, 1 otherwise. Owns nothing. */
int cycle_exit_code(const struct g2d_cycle_stats *st);

/* ---- JSON renderings ------------------------------------------------------------------ */

/*
 * Each returns a new reference the caller owns (NULL on allocation failure); the argument
 * is only read during the call and nothing of it is kept (strings are copied).
 */

/** A finished cycle: ids, times, outcome, error, counts, requests. */
json_t *json_cycle_stats(const struct g2d_cycle_stats *st);
/** The running (or last) cycle's progress. */
json_t *json_progress(const struct g2d_progress *p);
/** One endpoint's cumulative HTTP statistics. */
json_t *json_http_stats(const struct g2d_http_stats *s);

/**
 * One planned item for the "plan" reply: {"itemType","itemName","diffResult"} plus
 * "held":true, "error" and "warning" when set.
 */
json_t *json_plan_item(const struct g2d_item_result *it);

#endif
