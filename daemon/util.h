/* SPDX-License-Identifier: MIT */
/*
 * Pure helpers of glue2dlfd, kept apart from the loop wiring so that unit tests can reach
 * them (tests/unit/test_daemon_util.c): schedule arithmetic, the STATUS= line, the
 * results ring, metrics and the JSON renderings used by control replies.
 */
#ifndef GLUE2DLFD_UTIL_H
#define GLUE2DLFD_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

/* ---- Schedule ------------------------------------------------------------------------- */

/** A uniform draw in [0, @p jitter_ms] from the random word @p rnd. */
uint64_t sched_jitter(uint64_t jitter_ms, uint64_t rnd);

/**
 * When the next cycle starts (same clock as the arguments, milliseconds): the previous
 * start plus the interval, or right after the previous cycle finished if it overran the
 * interval; in both cases plus @p jitter (already drawn).
 */
uint64_t sched_next_start(uint64_t prev_start, uint64_t finished, uint64_t interval,
                          uint64_t jitter);

/** True if a full reconcile is due: @p period ms since @p last_full (period 0 = never). */
bool sched_full_due(uint64_t last_full, uint64_t now, uint64_t period);

/** A random 64-bit word (arc4random). */
uint64_t sched_random(void);

/* ---- Status line ---------------------------------------------------------------------- */

struct status_info {
    bool running, paused, stopping;
    double glue_rps, dlf_rps;           /**< request rates over the last seconds */
    int64_t now_ms;                     /**< wall clock, for the ETA */
    struct g2d_progress progress;       /**< valid when running */
    const struct g2d_cycle_stats *last; /**< NULL before the first cycle */
    int64_t next_in_ms;                 /**< < 0 when nothing is scheduled */
};

/**
 * Estimated milliseconds until the running cycle ends: the elapsed time scaled by the share
 * of tables still to do. -1 while it cannot be told (databases still being listed, so the
 * number of tables is not known, or no table done yet).
 */
int64_t progress_eta_ms(const struct g2d_progress *p, int64_t now_ms);

/**
 * One line for systemd's STATUS=, e.g.
 * "idle; last cycle 12 ok (3 created, 0 updated, 0 deleted, 0 failed); next in 297s" or
 * "cycle 13 extract: 41/41 databases, 100/400 tables, 812 items seen, 3 writes done,
 * 2 queued, 120+8 req/s, ETA 180s".
 */
int status_line_format(struct g2d_buf *out, const struct status_info *si);

/** "ok", "partial" (some items failed), "failed" (cycle-level), "cancelled". */
const char *cycle_outcome(const struct g2d_cycle_stats *st);

/** Exit status of `glue2dlfd --once`: 0 all items succeeded, 1 otherwise. */
int cycle_exit_code(const struct g2d_cycle_stats *st);

/* ---- Results ring --------------------------------------------------------------------- */

struct results_ring {
    char **items; /**< formatted result lines (no newline), owned */
    size_t cap, start, count;
    uint64_t total; /**< pushed since start-up */
};

/** @return 0 or -ENOMEM. */
int results_ring_init(struct results_ring *rr, size_t cap);
/** Copy @p line in, evicting the oldest when full. @return 0 or -ENOMEM. */
int results_ring_push(struct results_ring *rr, const char *line, size_t len);
/** @p i-th entry counting from the oldest held, NULL if out of range. */
const char *results_ring_get(const struct results_ring *rr, size_t i);
/** Free everything. Accepts NULL. */
void results_ring_done(struct results_ring *rr);

/**
 * Reply object for "results": {"items":[last @p limit entries, oldest first, each parsed
 * back to an object], "total": N}. @return new reference, NULL on allocation failure.
 */
json_t *results_ring_json(const struct results_ring *rr, size_t limit);

/* ---- Metrics -------------------------------------------------------------------------- */

enum {
    METRIC_OUT_SUCCESS = 0,
    METRIC_OUT_FAILED,
    METRIC_OUT_HELD,
    METRIC_OUT_PLANNED,
    METRIC_NOUT
};

struct metrics {
    uint64_t cycles_total;
    uint64_t items[4][3][METRIC_NOUT]; /**< [item type][diff][outcome] */
    bool have_last;
    double last_duration_s;
    int64_t last_success_s;               /**< Unix seconds, 0 = never */
    uint64_t glue_requests, dlf_requests; /**< summed from cycle stats (fallback) */
};

void metrics_count_item(struct metrics *m, const struct g2d_item_result *it);
void metrics_count_cycle(struct metrics *m, const struct g2d_cycle_stats *st);

struct metrics_extra {
    const struct g2d_http_stats *glue, *dlf; /**< NULL when unknown */
    uint64_t snapshot_items;
    bool paused;
};

/** Prometheus text exposition format (version 0.0.4). */
int metrics_render(struct g2d_buf *out, const struct metrics *m, const struct metrics_extra *x);

/* ---- JSON renderings ------------------------------------------------------------------ */

json_t *json_cycle_stats(const struct g2d_cycle_stats *st);
json_t *json_progress(const struct g2d_progress *p);
json_t *json_http_stats(const struct g2d_http_stats *s);

/**
 * One planned item for the "plan" reply: {"itemType","itemName","diffResult"} plus
 * "held":true and "error" when set.
 */
json_t *json_plan_item(const struct g2d_item_result *it);

#endif
