/* SPDX-License-Identifier: MIT */
/*
 * The scrape endpoint (`metrics.listen`): libmicrohttpd driven from the daemon's libuv loop
 * (its epoll fd watched by a uv_poll, its timeouts by a uv_timer), so a scrape is answered
 * on the loop thread between two loop iterations and never blocks a cycle, and the renderer
 * reads the daemon's state without locks. GET /metrics answers the Prometheus text format
 * (0.0.4), or OpenMetrics 1.0 when the Accept header asks for application/openmetrics-text.
 */
#ifndef GLUE2DLFD_METRICS_HTTP_H
#define GLUE2DLFD_METRICS_HTTP_H

#include <stdbool.h>
#include <uv.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/error.h"

struct metrics_http;

/** Append the exposition to @p out (caller owns it); @return 0 or a negative errno. */
typedef int (*metrics_http_render_fn)(void *arg, bool openmetrics, struct g2d_buf *out);

struct metrics_http_opts {
    const char *listen; /**< see glue2dlf/listen.h; read during the call */
    metrics_http_render_fn render;
    void *arg; /**< borrowed until metrics_http_stop() */
};

/**
 * Bind and start serving. A UNIX socket path is replaced if a stale socket is there (never
 * a file of another kind) and made 0660.
 * @param[out] out owned by the caller, released with metrics_http_stop()
 * @return 0, or a negative errno with @p err saying what failed and where
 */
int metrics_http_start(struct metrics_http **out, uv_loop_t *loop,
                       const struct metrics_http_opts *opts, struct g2d_error *err);

/** The address actually bound ("127.0.0.1:41234" when port 0 was asked); borrowed. */
const char *metrics_http_address(const struct metrics_http *m);

/** Scrapes answered so far. */
unsigned long metrics_http_scrapes(const struct metrics_http *m);

/** Stop serving (open connections are closed) and free @p m once its handles are closed;
 * a UNIX socket file is removed. NULL is a no-op. */
void metrics_http_stop(struct metrics_http *m);

/**
 * Write @p text to @p path atomically for node_exporter's textfile collector: a temporary
 * file in the same directory, fsync, rename, mode 0644.
 * @return 0, or a negative errno with @p err naming the file
 */
int metrics_write_textfile(const char *path, const char *text, size_t len, struct g2d_error *err);

#endif
