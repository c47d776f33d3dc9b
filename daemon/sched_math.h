/* SPDX-License-Identifier: MIT */
/*
 * Schedule arithmetic of glue2dlfd: when the next cycle starts (interval, overrun, jitter)
 * and whether a full reconcile is due. Pure functions on millisecond clocks, so that
 * tests/unit/test_daemon_sched_math.c can reach them; the timers live in schedule.c.
 */
#ifndef GLUE2DLFD_SCHED_MATH_H
#define GLUE2DLFD_SCHED_MATH_H

#include <stdbool.h>
#include <stdint.h>

/** A uniform draw in [0, @p jitter_ms] from the random word @p rnd. Owns nothing. */
uint64_t sched_jitter(uint64_t jitter_ms, uint64_t rnd);

/**
 * When the next cycle starts (same clock as the arguments, milliseconds): the previous
 * start plus the interval, or right after the previous cycle finished if it overran the
 * interval; in both cases plus @p jitter (already drawn). Saturates at UINT64_MAX.
 * Owns nothing.
 */
uint64_t sched_next_start(uint64_t prev_start, uint64_t finished, uint64_t interval,
                          uint64_t jitter);

/**
 * True if a full reconcile is due: @p period ms since @p last_full (period 0 = never).
 * Owns nothing.
 */
bool sched_full_due(uint64_t last_full, uint64_t now, uint64_t period);

/** A random 64-bit word (arc4random). Owns nothing. */
uint64_t sched_random(void);

#endif
