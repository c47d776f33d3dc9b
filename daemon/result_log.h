/* SPDX-License-Identifier: MIT */
/*
 * The result log of glue2dlfd: one JSON line per item result, appended to a local file
 * (result_path in the configuration). Write problems are logged as warnings, never fatal:
 * the journal still has every failure.
 */
#ifndef GLUE2DLFD_RESULT_LOG_H
#define GLUE2DLFD_RESULT_LOG_H

#include <stddef.h>
#include <stdio.h>

#include "glue2dlf/error.h"

/** An open (or disabled: f == NULL) result log. Zero-initialised = disabled. */
struct result_log {
    FILE *f;    /**< owned; NULL when disabled */
    char *path; /**< owned copy of the configured path (NULL when none), for messages */
};

/**
 * Open @p path for appending (created 0640). A NULL or empty path, or an oss:// location
 * (logged as a warning), gives a disabled log. @p path is copied; @p out is overwritten
 * (close what it held first) and owned by the caller until result_log_close().
 * @return 0, or a negative errno with @p err naming the path (@p out is then disabled).
 */
int result_log_open(struct result_log *out, const char *path, struct g2d_error *err);

/** Append @p len bytes of @p line and a newline (buffered); a failure is logged.
 * @p line is only read during the call. No-op when disabled. */
void result_log_append(struct result_log *rl, const char *line, size_t len);

/** Flush the buffer to the file (what a second SIGTERM still does before exit). No-op when
 * disabled; keeps nothing. */
void result_log_flush(struct result_log *rl);

/** Flush and fsync (end of a cycle); a failure is logged. No-op when disabled. */
void result_log_sync(struct result_log *rl);

/** Sync, close and free; @p rl is left disabled. Accepts a disabled log. */
void result_log_close(struct result_log *rl);

#endif
