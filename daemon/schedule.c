/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfd's schedule: the timer that starts the next cycle (interval after the previous
 * start, or right after an overrun, plus jitter), what runs once a cycle is done (a queued
 * sync, a queued plan, or the schedule), and the watchdog's health check. The arithmetic is
 * sched_math.c. See daemon.h.
 */
#include <string.h>

#include "glue2dlf/ctlproto.h"

#include "daemon.h"
#include "log.h"
#include "sched_math.h"

static void on_sched_timer(uv_timer_t *t)
{
    struct daemon *d = t->data;
    int r;

    if (d->paused || d->stopping || d->running)
        return;
    r = cycle_start(d, false, false);
    if (r < 0) {
        log_error("cannot start a cycle: %s", strerror(-r));
        schedule_next(d);
    }
}

void schedule_next(struct daemon *d)
{
    uint64_t now = daemon_now_ms(d), next, delay;

    if (d->once || d->stopping || d->paused || d->running)
        return;
    next = sched_next_start(d->last_start_mono, now, d->cfg->interval_ms,
                            sched_jitter(d->cfg->jitter_ms, sched_random()));
    delay = next > now ? next - now : 1;
    /* Never 0 ms: libuv 1.44 may rerun a 0 ms timer in the same pass (c-style.md §14). */
    if (delay == 0)
        delay = 1;
    (void)uv_timer_start(&d->sched_timer, on_sched_timer, delay, 0);
}

void schedule_after_cycle(struct daemon *d)
{
    int r;

    if (d->pending_sync) {
        bool full = d->pending_full;

        d->pending_sync = d->pending_full = false;
        r = cycle_start(d, false, full);
        if (r == 0) {
            d->waiters_cur = d->waiters_next;
            d->waiters_next.n = 0;
            return;
        }
        log_error("cannot start the requested cycle: %s", strerror(-r));
        waiters_fail_all(&d->waiters_next, G2D_CTL_E_INTERNAL, strerror(-r));
    }
    if (d->plans_next.n > 0) {
        r = cycle_start(d, true, false);
        if (r == 0) {
            d->plans_cur = d->plans_next;
            d->plans_next.n = 0;
            return;
        }
        log_error("cannot start the requested plan: %s", strerror(-r));
        waiters_fail_all(&d->plans_next, G2D_CTL_E_INTERNAL, strerror(-r));
    }
    schedule_next(d);
    status_update(d);
}

bool schedule_healthy(void *arg)
{
    struct daemon *d = arg;

    /* Idle, not paused and not stopping: a cycle must be scheduled. */
    if (!d->running && !d->paused && !d->stopping && !d->once)
        return uv_is_active((uv_handle_t *)&d->sched_timer);
    return true;
}
