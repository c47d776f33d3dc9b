/* SPDX-License-Identifier: MIT */
/*
 * sd_notify(3) wrappers (shared/reference/c-style.md §15). All are no-ops when the daemon
 * does not run under systemd ($NOTIFY_SOCKET unset); failures are ignored.
 */
#ifndef GLUE2DLFD_NOTIFY_H
#define GLUE2DLFD_NOTIFY_H

#include <stdbool.h>
#include <uv.h>

/** READY=1 (start-up complete, or a reload finished), with the current STATUS= line. */
void notify_ready(void);
/** RELOADING=1 with MONOTONIC_USEC= (harmless on systemd 252, needed by notify-reload). */
void notify_reloading(void);
/** STOPPING=1. */
void notify_stopping(void);
/** STATUS=<line>; control characters become spaces; unchanged lines are not resent. */
void notify_status(const char *line);

/**
 * If the service manager expects watchdog pings (sd_watchdog_enabled), start a timer on
 * @p loop that sends WATCHDOG=1 every half period, but only while @p healthy(@p arg)
 * says the daemon is making progress. @return 0 (also when disabled) or a libuv error.
 */
int notify_watchdog_start(uv_loop_t *loop, bool (*healthy)(void *arg), void *arg);
/** Close the watchdog timer (if started). */
void notify_watchdog_stop(void);

#endif
