/* SPDX-License-Identifier: MIT */
/* The control socket server. See ctl_server.h for the contract. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_server.h"
#include "log.h"

#define CTL_READ_CHUNK 16384
#define CTL_BACKLOG 16
#define CTL_GRACE_MS 1000

struct ctl_conn {
    struct ctl_server *srv;
    uv_pipe_t pipe;
    uv_timer_t idle;
    unsigned open_handles;
    struct g2d_linebuf lb;
    struct ctl_peer peer;
    struct ctl_call *call; /* the outstanding request, if any */
    unsigned writes;       /* replies queued but not yet written */
    bool reading, eof, closing, close_after_write, counted;
    struct ctl_conn *prev, *next;
    char rbuf[CTL_READ_CHUNK];
};

struct ctl_call {
    struct ctl_conn *conn; /* NULL once the client has gone */
    struct g2d_ctl_request req;
    struct ctl_peer peer;
};

struct ctl_server {
    uv_loop_t *loop;
    uv_pipe_t listener;
    uv_timer_t grace;
    unsigned open_handles;
    char *path;
    mode_t mode;
    unsigned max_conns;
    size_t line_max;
    uint64_t idle_ms;
    ctl_dispatch_fn dispatch;
    void *arg;
    struct ctl_conn *conns;
    unsigned nconns; /* counted against max_conns */
    unsigned nall;   /* including connections being turned away */
    bool bound, closing, grace_closing;
    void (*closed)(void *arg);
    void *closed_arg;
};

struct ctl_write {
    uv_write_t req;
    struct ctl_conn *conn;
    char *data;
};

static void conn_close(struct ctl_conn *c);
static void conn_process(struct ctl_conn *c);
static void server_maybe_finish(struct ctl_server *srv);
static void on_idle(uv_timer_t *t);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

/* ---- Calls ---------------------------------------------------------------------------- */

static void call_free(struct ctl_call *call)
{
    g2d_ctl_request_done(&call->req);
    free(call);
}

const struct g2d_ctl_request *ctl_call_request(const struct ctl_call *call)
{
    return &call->req;
}

const struct ctl_peer *ctl_call_peer(const struct ctl_call *call)
{
    return &call->peer;
}

bool ctl_call_connected(const struct ctl_call *call)
{
    return call->conn != NULL;
}

/* ---- Writing -------------------------------------------------------------------------- */

static void on_write(uv_write_t *req, int status)
{
    struct ctl_write *w = (struct ctl_write *)req;
    struct ctl_conn *c = w->conn;

    free(w->data);
    free(w);
    c->writes--;
    if (c->closing)
        return;
    if (status < 0) {
        log_debug("control: write failed: %s", uv_strerror(status));
        conn_close(c);
        return;
    }
    if (c->writes == 0) {
        if (c->close_after_write)
            conn_close(c);
        else
            conn_process(c);
    }
}

/* Queue @p line (malloc'd, consumed) for sending. */
static void conn_send(struct ctl_conn *c, char *line)
{
    struct ctl_write *w;
    uv_buf_t buf;
    int r;

    if (!line || c->closing) {
        free(line);
        if (!line && !c->closing)
            conn_close(c);
        return;
    }
    w = calloc(1, sizeof(*w));
    if (!w) {
        free(line);
        conn_close(c);
        return;
    }
    w->conn = c;
    w->data = line;
    buf = uv_buf_init(line, (unsigned)strlen(line));
    r = uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, on_write);
    if (r < 0) {
        free(line);
        free(w);
        conn_close(c);
        return;
    }
    c->writes++;
}

static void conn_send_error(struct ctl_conn *c, int64_t id, const char *code, const char *msg)
{
    conn_send(c, g2d_ctl_reply_error(id, code, msg));
}

static void idle_restart(struct ctl_conn *c)
{
    if (!c->closing)
        (void)uv_timer_start(&c->idle, on_idle, c->srv->idle_ms, 0);
}

/* ---- Replies -------------------------------------------------------------------------- */

static void call_detach_and_send(struct ctl_call *call, char *line)
{
    struct ctl_conn *c = call->conn;

    call_free(call);
    if (!c) {
        free(line);
        return;
    }
    c->call = NULL;
    if (!line)
        line = g2d_ctl_reply_error(G2D_CTL_ID_NONE, G2D_CTL_E_INTERNAL, "out of memory");
    conn_send(c, line);
    idle_restart(c);
}

void ctl_call_reply_ok(struct ctl_call *call, json_t *result)
{
    if (!call->conn) {
        json_decref(result);
        call_free(call);
        return;
    }
    call_detach_and_send(call, g2d_ctl_reply_ok(call->req.id, result));
}

void ctl_call_reply_error(struct ctl_call *call, const char *code, const char *fmt, ...)
{
    char msg[G2D_ERRMSG_MAX];
    va_list ap;

    if (!call->conn) {
        call_free(call);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    call_detach_and_send(call, g2d_ctl_reply_error(call->req.id, code, msg));
}

/* ---- Reading and dispatch ------------------------------------------------------------- */

static void on_idle(uv_timer_t *t)
{
    struct ctl_conn *c = t->data;

    log_debug("control: closing idle connection (uid %u)", (unsigned)c->peer.uid);
    conn_close(c);
}

static void handle_line(struct ctl_conn *c, const char *line, size_t len)
{
    struct ctl_server *srv = c->srv;
    struct g2d_error err = {0};
    struct ctl_call *call;
    const char *name;

    call = calloc(1, sizeof(*call));
    if (!call) {
        conn_send_error(c, G2D_CTL_ID_NONE, G2D_CTL_E_INTERNAL, "out of memory");
        return;
    }
    if (g2d_ctl_parse_request(line, len, &call->req, &err) < 0) {
        conn_send_error(c, call->req.id, call->req.error_code, err.msg);
        call_free(call);
        return;
    }
    name = g2d_ctl_cmd_name(call->req.cmd);
    if (g2d_ctl_cmd_mutating(call->req.cmd)) {
        char uid[24], pid[24];
        struct log_field f[] = {
            {"GLUE2DLF_PEER_UID", uid}, {"GLUE2DLF_PEER_PID", pid}, {"GLUE2DLF_COMMAND", name}};

        snprintf(uid, sizeof(uid), "%u", (unsigned)c->peer.uid);
        snprintf(pid, sizeof(pid), "%d", (int)c->peer.pid);
        if (!c->peer.privileged) {
            log_fields(LOG_NOTICE, NULL, f, 3,
                       "control: refused '%s' from uid %s pid %s (needs root or the daemon's "
                       "user)",
                       name, uid, pid);
            conn_send_error(c, call->req.id, G2D_CTL_E_FORBIDDEN,
                            "this command needs root or the daemon's user");
            call_free(call);
            return;
        }
        log_fields(LOG_INFO, NULL, f, 3, "control: '%s' requested by uid %s pid %s", name, uid,
                   pid);
    }
    call->conn = c;
    call->peer = c->peer;
    c->call = call;
    /* No idle timeout while a request is outstanding (sync --wait and plan can be long). */
    (void)uv_timer_stop(&c->idle);
    srv->dispatch(call, srv->arg);
}

static void conn_process(struct ctl_conn *c)
{
    while (!c->closing && !c->call && c->writes == 0) {
        const char *line;
        size_t len;
        int r = g2d_linebuf_pop(&c->lb, &line, &len);

        if (r == 1) {
            handle_line(c, line, len);
            continue;
        }
        if (r < 0) {
            char msg[96];

            snprintf(msg, sizeof(msg), "request line longer than %zu bytes", c->srv->line_max);
            c->close_after_write = true;
            conn_send_error(c, G2D_CTL_ID_NONE, G2D_CTL_E_BAD_REQUEST, msg);
            break;
        }
        /* Need more input. */
        if (c->eof) {
            if (c->writes == 0)
                conn_close(c);
            else
                c->close_after_write = true;
            return;
        }
        if (!c->reading) {
            r = uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
            if (r < 0) {
                conn_close(c);
                return;
            }
            c->reading = true;
        }
        return;
    }
    /* A request or a reply is outstanding: leave further input in the socket. */
    if (!c->closing && c->reading) {
        (void)uv_read_stop((uv_stream_t *)&c->pipe);
        c->reading = false;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct ctl_conn *c = h->data;

    *buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct ctl_conn *c = stream->data;

    if (c->closing)
        return;
    if (nread < 0) {
        /* EOF (possibly a half-close after the last request) or an error. */
        (void)uv_read_stop(stream);
        c->reading = false;
        if (nread != UV_EOF) {
            conn_close(c);
            return;
        }
        c->eof = true;
        if (!c->call && c->writes == 0)
            conn_process(c);
        return;
    }
    if (nread == 0)
        return;
    idle_restart(c);
    if (g2d_linebuf_feed(&c->lb, buf->base, (size_t)nread) < 0) {
        char msg[96];

        (void)uv_read_stop(stream);
        c->reading = false;
        snprintf(msg, sizeof(msg), "request line longer than %zu bytes", c->srv->line_max);
        c->close_after_write = true;
        conn_send_error(c, G2D_CTL_ID_NONE, G2D_CTL_E_BAD_REQUEST, msg);
        return;
    }
    conn_process(c);
}

/* ---- Connection lifetime -------------------------------------------------------------- */

static void on_conn_closed(uv_handle_t *h)
{
    struct ctl_conn *c = h->data;
    struct ctl_server *srv = c->srv;

    if (--c->open_handles > 0)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->counted)
        srv->nconns--;
    srv->nall--;
    g2d_linebuf_done(&c->lb);
    free(c);
    server_maybe_finish(srv);
}

static void conn_close(struct ctl_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    if (c->call) {
        /* The call lives on with its owner; its reply will be dropped. */
        c->call->conn = NULL;
        c->call = NULL;
    }
    if (c->reading)
        (void)uv_read_stop((uv_stream_t *)&c->pipe);
    c->reading = false;
    uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
    uv_close((uv_handle_t *)&c->idle, on_conn_closed);
}

static int get_peer(int fd, struct ctl_peer *peer)
{
    struct ucred uc;
    socklen_t len = sizeof(uc);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
        return -errno;
    if (len != sizeof(uc))
        return -EIO;
    peer->uid = uc.uid;
    peer->gid = uc.gid;
    peer->pid = uc.pid;
    peer->privileged = uc.uid == 0 || uc.uid == geteuid();
    return 0;
}

static void on_connection(uv_stream_t *server, int status)
{
    struct ctl_server *srv = server->data;
    struct ctl_conn *c;
    uv_os_fd_t fd;
    int r;

    if (status < 0) {
        log_warning("control: accept failed: %s", uv_strerror(status));
        return;
    }
    if (srv->closing)
        return;
    c = calloc(1, sizeof(*c));
    if (!c) {
        log_error("control: out of memory accepting a connection");
        return;
    }
    c->srv = srv;
    g2d_linebuf_init(&c->lb, srv->line_max);
    (void)uv_pipe_init(srv->loop, &c->pipe, 0);
    (void)uv_timer_init(srv->loop, &c->idle);
    c->pipe.data = c;
    c->idle.data = c;
    c->open_handles = 2;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nall++;

    r = uv_accept(server, (uv_stream_t *)&c->pipe);
    if (r < 0) {
        log_warning("control: accept failed: %s", uv_strerror(r));
        conn_close(c);
        return;
    }
    r = uv_fileno((uv_handle_t *)&c->pipe, &fd);
    if (r == 0)
        r = get_peer(fd, &c->peer);
    if (r < 0) {
        log_warning("control: cannot read peer credentials: %s", strerror(-r));
        c->close_after_write = true;
        conn_send_error(c, G2D_CTL_ID_NONE, G2D_CTL_E_FORBIDDEN, "cannot read peer credentials");
        return;
    }
    if (srv->nconns >= srv->max_conns) {
        log_warning("control: too many connections (%u), turning uid %u away", srv->nconns,
                    (unsigned)c->peer.uid);
        c->close_after_write = true;
        conn_send_error(c, G2D_CTL_ID_NONE, G2D_CTL_E_BUSY, "too many control connections");
        return;
    }
    c->counted = true;
    srv->nconns++;
    idle_restart(c);
    conn_process(c);
}

/* ---- Server lifetime ------------------------------------------------------------------ */

static void on_srv_handle_closed(uv_handle_t *h)
{
    struct ctl_server *srv = h->data;

    if (--srv->open_handles > 0)
        return;
    if (srv->closed)
        srv->closed(srv->closed_arg);
    free(srv->path);
    free(srv);
}

static void server_maybe_finish(struct ctl_server *srv)
{
    if (!srv->closing || srv->nall > 0 || srv->grace_closing)
        return;
    srv->grace_closing = true;
    uv_close((uv_handle_t *)&srv->grace, on_srv_handle_closed);
}

static void on_grace(uv_timer_t *t)
{
    struct ctl_server *srv = t->data;
    struct ctl_conn *c, *next;

    for (c = srv->conns; c; c = next) {
        next = c->next;
        conn_close(c);
    }
}

void ctl_server_close(struct ctl_server *srv, void (*closed)(void *arg), void *arg)
{
    struct ctl_conn *c, *next;

    if (!srv || srv->closing)
        return;
    srv->closing = true;
    srv->closed = closed;
    srv->closed_arg = arg;
    uv_close((uv_handle_t *)&srv->listener, on_srv_handle_closed);
    if (srv->bound)
        (void)unlink(srv->path);
    for (c = srv->conns; c; c = next) {
        next = c->next;
        if (c->call) {
            c->call->conn = NULL;
            c->call = NULL;
        }
        if (c->writes > 0 && !c->closing) {
            /* Let queued replies drain, up to the grace period. */
            c->close_after_write = true;
            if (c->reading)
                (void)uv_read_stop((uv_stream_t *)&c->pipe);
            c->reading = false;
        } else {
            conn_close(c);
        }
    }
    if (srv->nall > 0)
        (void)uv_timer_start(&srv->grace, on_grace, CTL_GRACE_MS, 0);
    server_maybe_finish(srv);
}

unsigned ctl_server_conns(const struct ctl_server *srv)
{
    return srv->nall;
}

/*
 * Refuse a path that cannot work before anything is made: too long, an existing
 * non-socket, or a missing directory; a stale socket of a previous run is removed.
 */
static int check_socket_path(const char *path, struct g2d_error *err)
{
    struct sockaddr_un sun;
    struct stat st;
    char *dir, *slash;
    int r = 0;

    if (!path || !*path)
        return g2d_error_set(err, -EINVAL, "no control socket path");
    if (strlen(path) >= sizeof(sun.sun_path))
        return g2d_error_set(err, -ENAMETOOLONG, "control socket path '%s' is too long", path);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return g2d_error_set(err, -EEXIST, "'%s' exists and is not a socket", path);
        /* A stale socket of a previous run: systemd guarantees a single instance. */
        if (unlink(path) < 0 && errno != ENOENT)
            return g2d_error_set(err, -errno, "cannot remove stale socket '%s': %s", path,
                                 strerror(errno));
    }
    /* libuv reports a missing directory as EACCES; say what is really wrong. */
    dir = strdup(path);
    if (!dir)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
            r = g2d_error_set(err, -ENOENT,
                              "cannot create control socket '%s': directory '%s' does not "
                              "exist",
                              path, dir);
    }
    free(dir);
    return r;
}

/* A server with its two handles initialised, not yet bound. NULL when out of memory. */
static struct ctl_server *server_new(uv_loop_t *loop, const struct ctl_server_opts *opts)
{
    struct ctl_server *srv = calloc(1, sizeof(*srv));

    if (!srv)
        return NULL;
    srv->path = strdup(opts->path);
    if (!srv->path) {
        free(srv);
        return NULL;
    }
    srv->loop = loop;
    srv->mode = opts->mode & 0777;
    srv->max_conns = opts->max_conns ? opts->max_conns : 16;
    srv->line_max = opts->line_max ? opts->line_max : G2D_CTL_LINE_MAX;
    srv->idle_ms = opts->idle_timeout_ms ? opts->idle_timeout_ms : 60000;
    srv->dispatch = opts->dispatch;
    srv->arg = opts->arg;
    (void)uv_pipe_init(loop, &srv->listener, 0);
    (void)uv_timer_init(loop, &srv->grace);
    srv->listener.data = srv;
    srv->grace.data = srv;
    srv->open_handles = 2;
    return srv;
}

int ctl_server_start(struct ctl_server **out, uv_loop_t *loop, const struct ctl_server_opts *opts,
                     struct g2d_error *err)
{
    struct ctl_server *srv;
    mode_t old;
    int r;

    r = check_socket_path(opts->path, err);
    if (r < 0)
        return r;
    srv = server_new(loop, opts);
    if (!srv)
        return g2d_error_set(err, -ENOMEM, "out of memory");

    /* Never a moment with a wider mode than configured: umask around bind, then chmod. */
    old = umask(~srv->mode & 0777);
    r = uv_pipe_bind(&srv->listener, srv->path);
    umask(old);
    if (r < 0) {
        g2d_error_set(err, r, "cannot bind control socket '%s': %s", srv->path, uv_strerror(r));
        goto fail;
    }
    srv->bound = true;
    if (chmod(srv->path, srv->mode) < 0) {
        r = -errno;
        g2d_error_set(err, r, "cannot chmod control socket '%s': %s", srv->path, strerror(-r));
        goto fail;
    }
    r = uv_listen((uv_stream_t *)&srv->listener, CTL_BACKLOG, on_connection);
    if (r < 0) {
        g2d_error_set(err, r, "cannot listen on control socket '%s': %s", srv->path,
                      uv_strerror(r));
        goto fail;
    }
    *out = srv;
    return 0;

fail:
    /* Handles are freed in their close callbacks, on the next loop iteration. */
    ctl_server_close(srv, NULL, NULL);
    return r;
}
