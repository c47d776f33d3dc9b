/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * Error detail carried beside a negative errno-style return code.
 *
 * Every fallible function in libglue2dlf returns 0 on success or a negative errno value
 * (-EINVAL, -ENOMEM, ...). When the caller wants to know more, it passes a
 * `struct g2d_error *` (may be NULL) as the last argument; on failure the callee fills it
 * with a one-line message. Config errors also fill file/line/column and their message is
 * already prefixed `file:line:col: `.
 *
 * Ownership: a struct g2d_error is caller-owned storage (no heap); the callee only writes
 * into it. Format arguments are borrowed and copied into msg.
 */
#ifndef GLUE2DLF_ERROR_H
#define GLUE2DLF_ERROR_H

#include <stddef.h>

#define G2D_ERRMSG_MAX 512

struct g2d_error {
    int code;                 /**< negative errno, 0 when unset */
    int line;                 /**< 1-based line for config errors, 0 otherwise */
    int col;                  /**< 1-based column for config errors, 0 otherwise */
    char msg[G2D_ERRMSG_MAX]; /**< one line, no trailing newline */
};

/**
 * Fill @p err (if not NULL) and return @p code, so callers can write
 * `return g2d_error_set(err, -EINVAL, "bad '%s'", x);`.
 */
int g2d_error_set(struct g2d_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Like g2d_error_set() but also records a position and prefixes `file:line:col: `. */
int g2d_error_set_at(struct g2d_error *err, int code, const char *file, int line, int col,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/** Reset to "no error". Accepts NULL. */
void g2d_error_clear(struct g2d_error *err);

#endif
