/* SPDX-License-Identifier: MIT */
/* The scrape endpoint and the node_exporter text file. See metrics_http.h. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glue2dlf/listen.h"

#include "metrics_http.h"

#define METRICS_MAX_BYTES (16u << 20) /* a scrape's body is far smaller; a ceiling anyway */
#define METRICS_MAX_CONNECTIONS 32
#define METRICS_CONN_TIMEOUT_S 10

struct metrics_http {
    struct MHD_Daemon *mhd;
    uv_poll_t poll;
    uv_timer_t timer;
    int closing; /* handles still to close */
    metrics_http_render_fn render;
    void *arg;
    char address[128];
    char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    unsigned long scrapes;
};

static const char PROM_TYPE[] = "text/plain; version=0.0.4; charset=utf-8";
static const char OM_TYPE[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;

    if (!r)
        return MHD_NO;
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return reply(c, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

/* Does the Accept header ask for OpenMetrics? (Prometheus sends it first when it can.) */
static bool wants_openmetrics(struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

    return a && strstr(a, "application/openmetrics-text") != NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct metrics_http *m = cls;
    struct g2d_buf b;
    bool om;
    enum MHD_Result ok;

    if (*upload_data_size) { /* a body nobody asked for: read and ignore it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    if (strcmp(url, "/") == 0)
        return reply_text(c, MHD_HTTP_OK, "glue2dlfd: the metrics are at /metrics\n");
    if (strcmp(url, "/metrics") != 0)
        return reply_text(c, MHD_HTTP_NOT_FOUND, "not found; the metrics are at /metrics\n");
    om = wants_openmetrics(c);
    g2d_buf_init(&b, METRICS_MAX_BYTES);
    if (m->render(m->arg, om, &b) < 0) {
        g2d_buf_done(&b);
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render the metrics\n");
    }
    m->scrapes++;
    ok = reply(c, MHD_HTTP_OK, om ? OM_TYPE : PROM_TYPE, g2d_buf_cstr(&b), b.len);
    g2d_buf_done(&b);
    return ok;
}

static void on_timer(uv_timer_t *t);

static void on_closed(uv_handle_t *h)
{
    struct metrics_http *m = h->data;

    if (--m->closing == 0)
        free(m);
}

/* Run MHD, then arm the timer for its next timeout (connection idle limits). */
static void drive(struct metrics_http *m)
{
    MHD_UNSIGNED_LONG_LONG t = 0;

    if (m->closing)
        return;
    (void)MHD_run(m->mhd);
    if (MHD_get_timeout(m->mhd, &t) == MHD_YES)
        (void)uv_timer_start(&m->timer, on_timer, t > 60000 ? 60000 : (uint64_t)t, 0);
    else
        (void)uv_timer_stop(&m->timer);
}

static void on_timer(uv_timer_t *t)
{
    drive(t->data);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    drive(p->data);
}

/* A UNIX socket path: replace a stale socket, never another kind of file. */
static int unlink_stale(const char *path, struct g2d_error *err)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT
                   ? 0
                   : g2d_error_set(err, -errno, "metrics.listen '%s': %s", path, strerror(errno));
    if (!S_ISSOCK(st.st_mode))
        return g2d_error_set(err, -EEXIST, "metrics.listen '%s': exists and is not a socket", path);
    if (unlink(path) < 0)
        return g2d_error_set(err, -errno, "metrics.listen '%s': cannot remove the old socket: %s",
                             path, strerror(errno));
    return 0;
}

/* Socket, bind, listen; the address actually bound goes to m->address. */
static int bind_listen(struct metrics_http *m, const char *spec, struct g2d_error *err)
{
    struct g2d_listen l;
    struct sockaddr_storage got;
    socklen_t gl = sizeof(got);
    const char *why = g2d_listen_parse(spec, &l);
    int fd, one = 1, r;

    if (why)
        return g2d_error_set(err, -EINVAL, "metrics.listen '%s': %s", spec, why);
    if (l.family == AF_UNIX) {
        snprintf(m->unix_path, sizeof(m->unix_path), "%s", spec);
        if ((r = unlink_stale(spec, err)) < 0)
            return r;
    }
    fd = socket(l.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return g2d_error_set(err, -errno, "metrics.listen '%s': socket: %s", spec, strerror(errno));
    if (l.family != AF_UNIX)
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (l.family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&l.addr, l.addrlen) < 0 ||
        (l.family == AF_UNIX && chmod(spec, 0660) < 0) || listen(fd, 16) < 0) {
        r = -errno;
        close(fd);
        if (l.family == AF_UNIX)
            m->unix_path[0] = '\0'; /* not ours to remove */
        return g2d_error_set(err, r, "metrics.listen '%s': %s", spec, strerror(-r));
    }
    if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0)
        g2d_listen_format((struct sockaddr *)&got, gl, m->address, sizeof(m->address));
    if (!m->address[0])
        snprintf(m->address, sizeof(m->address), "%s", spec);
    return fd;
}

int metrics_http_start(struct metrics_http **out, uv_loop_t *loop,
                       const struct metrics_http_opts *opts, struct g2d_error *err)
{
    struct metrics_http *m = calloc(1, sizeof(*m));
    const union MHD_DaemonInfo *info;
    int fd;

    *out = NULL;
    if (!m)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    m->render = opts->render;
    m->arg = opts->arg;
    fd = bind_listen(m, opts->listen, err);
    if (fd < 0) {
        free(m);
        return fd;
    }
    m->mhd =
        MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, m, MHD_OPTION_LISTEN_SOCKET, fd,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNECTIONS,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_CONN_TIMEOUT_S,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10), MHD_OPTION_END);
    info = m->mhd ? MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info) {
        if (m->mhd)
            MHD_stop_daemon(m->mhd);
        else
            close(fd);
        if (m->unix_path[0])
            (void)unlink(m->unix_path);
        free(m);
        return g2d_error_set(err, -EIO, "metrics.listen '%s': cannot start the HTTP server",
                             opts->listen);
    }
    (void)uv_timer_init(loop, &m->timer);
    m->timer.data = m;
    if (uv_poll_init(loop, &m->poll, info->epoll_fd) < 0) {
        MHD_stop_daemon(m->mhd);
        if (m->unix_path[0])
            (void)unlink(m->unix_path);
        m->closing = 1;
        uv_close((uv_handle_t *)&m->timer, on_closed); /* frees m */
        return g2d_error_set(err, -EIO, "metrics.listen '%s': cannot watch the server",
                             opts->listen);
    }
    m->poll.data = m;
    (void)uv_poll_start(&m->poll, UV_READABLE, on_poll);
    *out = m;
    return 0;
}

const char *metrics_http_address(const struct metrics_http *m)
{
    return m->address;
}

unsigned long metrics_http_scrapes(const struct metrics_http *m)
{
    return m->scrapes;
}

void metrics_http_stop(struct metrics_http *m)
{
    if (!m || m->closing)
        return;
    m->closing = 2;
    (void)uv_poll_stop(&m->poll);
    uv_close((uv_handle_t *)&m->poll, on_closed);
    uv_close((uv_handle_t *)&m->timer, on_closed);
    MHD_stop_daemon(m->mhd); /* closes the listening socket and every connection */
    m->mhd = NULL;
    if (m->unix_path[0])
        (void)unlink(m->unix_path);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int metrics_write_textfile(const char *path, const char *text, size_t len, struct g2d_error *err)
{
    char tmp[4200];
    int fd, r;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= sizeof(tmp))
        return g2d_error_set(err, -ENAMETOOLONG, "metrics.textfile '%s': path too long", path);
    /* node_exporter reads only *.prom: the temporary name never matches it. */
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return g2d_error_set(err, -errno, "metrics.textfile '%s': cannot create '%s': %s", path,
                             tmp, strerror(errno));
    r = write_all(fd, text, len);
    if (r == 0 && fchmod(fd, 0644) < 0)
        r = -errno;
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        (void)unlink(tmp);
        return g2d_error_set(err, r, "metrics.textfile '%s': %s", path, strerror(-r));
    }
    return 0;
}
