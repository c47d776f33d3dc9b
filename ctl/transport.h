/* SPDX-License-Identifier: MIT */
/*
 * glue2dlfctl's transport: a plain blocking UNIX-socket client that sends one request line
 * and reads one reply line (the line protocol of glue2dlf/ctlproto.h).
 */
#ifndef GLUE2DLFCTL_TRANSPORT_H
#define GLUE2DLFCTL_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/buf.h"

/** Connect to the socket at @p path (read during the call only). @return a file descriptor
 * the caller owns and closes, or -1 with errno set (ENAMETOOLONG for a path too long). */
int ctl_connect(const char *path);

/** Send all @p n bytes of @p p (read during the call only), retrying on EINTR; never
 * raises SIGPIPE. @return 0 or -1 with errno set. */
int ctl_send_all(int fd, const char *p, size_t n);

/**
 * Read one line into @p b (caller owns it; appended, without the '\n'; bytes after the
 * newline in the same read are dropped). @p timeout_ms < 0 waits forever.
 * @return 0, -ETIMEDOUT, -EPIPE (closed before a full line), -E2BIG (beyond @p b's max)
 * or another negative errno.
 */
int ctl_read_line(int fd, struct g2d_buf *b, int64_t timeout_ms);

#endif
