/* SPDX-License-Identifier: MIT */
/* Schedule arithmetic of glue2dlfd. See sched_math.h. */
#include <stdlib.h>

#include "sched_math.h"

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
