/* SPDX-License-Identifier: MIT */
/*
 * The answer of `glue2dlfctl health`, a check for monitoring: healthy when the last sync
 * cycle was good (no cycle-level failure, no failed item, no held delete, not cancelled),
 * a good cycle finished recently, and no cycle has been running for too long. Pure
 * function of the daemon's state, reached by tests/unit/test_daemon_health.c.
 *
 * Thresholds (seconds), each overridable per request:
 *   max_running  a cycle running longer is "stuck"; default max(3600, 4 × interval)
 *   max_age      the last good cycle must have finished within it ("recent"); default
 *                2 × (interval + jitter) + max_running. Before the first good cycle the
 *                daemon's uptime counts instead, so a daemon that just started is healthy.
 */
#ifndef GLUE2DLFD_HEALTH_H
#define GLUE2DLFD_HEALTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "glue2dlf/sync.h"

/** The state the check looks at. Times are monotonic milliseconds. Borrowed for the call. */
struct health_input {
    bool stopping, paused, running;
    uint64_t now_ms, started_ms;        /**< now, daemon start-up */
    uint64_t running_since_ms;          /**< start of the running cycle (when running) */
    uint64_t running_cycle_id;          /**< its id (when running), 0 if unknown */
    const struct g2d_cycle_stats *last; /**< last finished sync cycle (no plan), or NULL */
    uint64_t last_done_ms;              /**< when @p last finished */
    uint64_t last_ok_ms;                /**< when the last good sync cycle finished; 0 never */
    uint64_t last_ok_id;                /**< its id */
    uint64_t interval_ms, jitter_ms;    /**< the configured schedule */
    int64_t max_age_s, max_running_s;   /**< requested thresholds, -1 = default */
};

/** Default max_running for @p interval_ms, in seconds. Owns nothing. */
int64_t health_default_max_running_s(uint64_t interval_ms);

/**
 * The "health" reply: {"healthy": bool, "message": one line, "problems": [strings],
 * "state", "max_age_s", "max_running_s", "last_cycle_id", "last_outcome", "failed",
 * "held", "last_ok_cycle_id", "last_ok_age_s", "running_s"} (ids, ages null when absent).
 * @return a new reference the caller owns, NULL on allocation failure
 */
json_t *health_json(const struct health_input *in);

#endif
