/* SPDX-License-Identifier: MIT */
/*
 * The daemon's metrics: counters fed by every item result and every finished cycle, and
 * their rendering in the Prometheus text exposition format (`glue2dlfctl metrics`).
 */
#ifndef GLUE2DLFD_METRICS_H
#define GLUE2DLFD_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

enum {
    METRIC_OUT_SUCCESS = 0,
    METRIC_OUT_FAILED,
    METRIC_OUT_HELD,
    METRIC_OUT_PLANNED,
    METRIC_NOUT
};

/** Plain counters, owned by whoever holds the struct; zero-initialise to start. */
enum {
    METRIC_CYC_OK = 0,
    METRIC_CYC_PARTIAL,
    METRIC_CYC_FAILED,
    METRIC_CYC_CANCELLED,
    METRIC_NCYC
};

struct metrics {
    uint64_t cycles_total;
    uint64_t cycles[METRIC_NCYC];      /**< by outcome (render.h's cycle_outcome()) */
    int64_t last_clean_start_s;        /**< Unix start of the last cycle that ran with no failure,
                                       0 = none yet (replication lag) */
    uint64_t last_held;                /**< deletes held in the last sync cycle */
    uint64_t items[4][3][METRIC_NOUT]; /**< [item type][diff][outcome] */
    bool have_last;
    double last_duration_s;
    int64_t last_success_s;               /**< Unix seconds, 0 = never */
    uint64_t glue_requests, dlf_requests; /**< summed from cycle stats (fallback) */
};

/** Count one item result. @p it is only read during the call; nothing is kept. */
void metrics_count_item(struct metrics *m, const struct g2d_item_result *it);

/** Count one finished cycle. @p st is only read during the call; nothing is kept. */
void metrics_count_cycle(struct metrics *m, const struct g2d_cycle_stats *st);

/** What the counters do not hold, sampled at render time. */
struct metrics_extra {
    const struct g2d_http_stats *glue, *dlf; /**< NULL when unknown; borrowed for the call */
    uint64_t snapshot_items;
    uint64_t held[3]; /**< held deletes: held, approved, rejected */
    bool paused;
    bool openmetrics; /**< OpenMetrics 1.0 instead of the Prometheus text format 0.0.4 */
    bool textfile;    /**< for node_exporter's text file: no process_* families (its own) */
    const struct g2d_progress *progress;         /**< the running cycle, NULL when none */
    int64_t now_s;                               /**< Unix time, for the replication lag */
    int64_t process_start_s;                     /**< Unix time the daemon started */
    const struct metrics_result_oss *result_oss; /**< NULL unless the result log is on OSS */
};

/** The result log's OSS counters (result_oss.c fills them). */
struct metrics_result_oss {
    uint64_t spool_bytes, pending_parts, uploaded_parts, upload_failures, dropped_lines;
    bool spool_full;
};

/**
 * Append the Prometheus text exposition format (version 0.0.4), or OpenMetrics when
 * x->openmetrics, to @p out (caller owns it).
 * @p m and @p x are only read during the call. @return 0 or a negative errno of g2d_buf.
 */
int metrics_render(struct g2d_buf *out, const struct metrics *m, const struct metrics_extra *x);

#endif
