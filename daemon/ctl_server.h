/* SPDX-License-Identifier: MIT */
/*
 * The control socket server: a uv_pipe_t listener speaking the line protocol of
 * glue2dlf/ctlproto.h (shared/reference/c-style.md §16).
 *
 * - The socket file is created with the configured mode (umask around bind, chmod right
 *   after; never uv_pipe_chmod) after unlinking a stale socket.
 * - Peers are identified with SO_PEERCRED: uid 0 and the daemon's own euid may run every
 *   command; any other peer (one the socket's mode let in, i.e. the socket group) may
 *   only run read-only commands (status, results, metrics, health, plan), anything else is answered
 *   "forbidden". Every mutating command is logged with the peer's uid and pid.
 * - Limits: max_conns connections (one more is accepted, answered "busy" and closed),
 *   line_max bytes per request line (an over-long line is answered and the connection
 *   closed), one outstanding request per connection (further input stays buffered until
 *   the reply has been written), and an idle timeout that does not run while a request
 *   is outstanding.
 *
 * Requests are handed to the dispatch callback as a `struct ctl_call`, which must be
 * answered exactly once with ctl_call_reply_ok() / ctl_call_reply_error(), right away or
 * later. A call survives its client: if the connection closes first, the reply is
 * dropped and the call freed when answered.
 */
#ifndef GLUE2DLFD_CTL_SERVER_H
#define GLUE2DLFD_CTL_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "glue2dlf/ctlproto.h"
#include "glue2dlf/error.h"

struct ctl_server;
struct ctl_call;

struct ctl_peer {
    uid_t uid;
    gid_t gid;
    pid_t pid;
    bool privileged; /**< uid 0 or the daemon's effective uid */
};

typedef void (*ctl_dispatch_fn)(struct ctl_call *call, void *arg);

struct ctl_server_opts {
    const char *path;         /**< socket path */
    mode_t mode;              /**< socket file mode, e.g. 0660 */
    unsigned max_conns;       /**< 0 = 16 */
    size_t line_max;          /**< 0 = G2D_CTL_LINE_MAX */
    uint64_t idle_timeout_ms; /**< 0 = 60 s */
    ctl_dispatch_fn dispatch;
    void *arg;
};

/**
 * Bind, chmod and listen. @p opts is read during the call (the path is copied); its
 * dispatch/arg pair is kept for the server's life. On success *@p out belongs to the caller
 * until ctl_server_close(). @return 0 or a negative errno with @p err naming the path.
 */
int ctl_server_start(struct ctl_server **out, uv_loop_t *loop, const struct ctl_server_opts *opts,
                     struct g2d_error *err);

/**
 * Stop listening, unlink the socket, close every connection (replies already queued get
 * up to a second to drain), then call @p closed (may be NULL) and free the server.
 * Outstanding calls are detached, not freed: their owner still answers them.
 */
void ctl_server_close(struct ctl_server *srv, void (*closed)(void *arg), void *arg);

/** Connections currently open (for tests and status). Owns nothing. */
unsigned ctl_server_conns(const struct ctl_server *srv);

/** The parsed request. Borrowed: owned by @p call, valid until it is answered. */
const struct g2d_ctl_request *ctl_call_request(const struct ctl_call *call);
/** Who sent it. Borrowed: owned by @p call, valid until it is answered. */
const struct ctl_peer *ctl_call_peer(const struct ctl_call *call);
/** False once the client has gone away (the reply will be dropped). */
bool ctl_call_connected(const struct ctl_call *call);

/** Answer with success; @p result is stolen (NULL = {}); frees the call. */
void ctl_call_reply_ok(struct ctl_call *call, json_t *result);
/** Answer with an error (@p code and the message are copied); frees the call. */
void ctl_call_reply_error(struct ctl_call *call, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
