/* SPDX-License-Identifier: MIT */
/*
 * The library's log hook: the HTTP engine and the cloud clients report retries, throttles,
 * rate changes, request failures and (at trace level) every page through one function the
 * program installs; without one they stay silent. The check g2d_log_on() is one load, so
 * a disabled level costs nothing on the hot path.
 */
#ifndef GLUE2DLF_LOGGING_H
#define GLUE2DLF_LOGGING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/** One level below LOG_DEBUG: every page and every attempt. */
#define G2D_LOG_TRACE (LOG_DEBUG + 1)

/* MESSAGE_IDs of the library's events (catalogued in packaging/glue2dlf.catalog). */
#define G2D_MID_THROTTLE_STORM "3dfb1ce25ea34270b9c3b1d227e43449"
#define G2D_MID_THROTTLE_STORM_OVER "4144a5bacc1342a29a1b29dc2d5cee46"
#define G2D_MID_REQUEST_FAILED "cab5bec43c5843dd8d59b8fd3c58bd0b"

/** One structured field (a journal name such as "GLUE2DLF_API" and its value). */
struct g2d_log_field {
    const char *name;
    const char *value;
};

/** Receives one message; @p fields and @p msg are borrowed for the call. Must be callable
 * from any thread. */
typedef void (*g2d_log_fn)(int prio, const char *message_id, const struct g2d_log_field *fields,
                           size_t nfields, const char *msg);

/** Install @p fn (NULL: silence) and the threshold (a syslog priority or G2D_LOG_TRACE). */
void g2d_log_set(g2d_log_fn fn, int level);
/** Change only the threshold. */
void g2d_log_set_level(int level);

extern _Atomic int g2d__log_level;

/** True when a message at @p prio would be delivered. */
static inline bool g2d_log_on(int prio)
{
    return prio <= atomic_load_explicit(&g2d__log_level, memory_order_relaxed);
}

/** Format and deliver a message (nothing happens when g2d_log_on(@p prio) is false). */
void g2d_logf(int prio, const char *message_id, const struct g2d_log_field *fields, size_t nfields,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
