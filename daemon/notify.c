/* SPDX-License-Identifier: MIT */
/* sd_notify wrappers. See notify.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

#define STATUS_MAX 512

static char last_status[STATUS_MAX];
static uv_timer_t wd_timer;
static bool wd_started;
static bool (*wd_healthy)(void *arg);
static void *wd_arg;

/*
 * State changes go in a datagram of their own (READY=1 alone, STOPPING=1 alone), the
 * free-text STATUS= in another: simple for the manager and for test receivers alike.
 */
void notify_ready(void)
{
    (void)sd_notify(0, "READY=1");
    if (last_status[0])
        (void)sd_notifyf(0, "STATUS=%s", last_status);
}

void notify_reloading(void)
{
    struct timespec ts;
    unsigned long long usec = 0;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        usec = (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
    (void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading configuration", usec);
}

void notify_stopping(void)
{
    (void)sd_notify(0, "STOPPING=1");
    (void)sd_notify(0, "STATUS=stopping");
}

void notify_status(const char *line)
{
    char clean[STATUS_MAX];
    size_t i;

    for (i = 0; line[i] && i + 1 < sizeof(clean); i++)
        clean[i] = (unsigned char)line[i] < ' ' ? ' ' : line[i];
    clean[i] = '\0';
    if (strcmp(clean, last_status) == 0)
        return;
    memcpy(last_status, clean, i + 1);
    (void)sd_notifyf(0, "STATUS=%s", clean);
}

static void on_watchdog(uv_timer_t *t)
{
    if (wd_healthy && !wd_healthy(wd_arg)) {
        log_warning("watchdog: the scheduler looks wedged, not pinging the service manager");
        return;
    }
    (void)sd_notify(0, "WATCHDOG=1");
}

int notify_watchdog_start(uv_loop_t *loop, bool (*healthy)(void *arg), void *arg)
{
    uint64_t usec = 0, ms;
    int r;

    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return 0;
    ms = usec / 2000;
    if (ms == 0)
        ms = 1;
    r = uv_timer_init(loop, &wd_timer);
    if (r < 0)
        return r;
    wd_started = true;
    wd_healthy = healthy;
    wd_arg = arg;
    r = uv_timer_start(&wd_timer, on_watchdog, ms, ms);
    if (r < 0)
        return r;
    /* The watchdog timer must not keep the loop alive at shutdown on its own. */
    uv_unref((uv_handle_t *)&wd_timer);
    (void)sd_notify(0, "WATCHDOG=1");
    log_debug("watchdog enabled, pinging every %llu ms", (unsigned long long)ms);
    return 0;
}

void notify_watchdog_stop(void)
{
    if (!wd_started)
        return;
    wd_started = false;
    if (!uv_is_closing((uv_handle_t *)&wd_timer))
        uv_close((uv_handle_t *)&wd_timer, NULL);
}
