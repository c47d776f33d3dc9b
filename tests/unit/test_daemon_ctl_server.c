/* SPDX-License-Identifier: MIT */
/* Unit tests for the control socket server (daemon/ctl_server.h) on a real libuv
 * loop, with blocking clients in a thread (or, for the permission check, a child process
 * under another uid). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_server.h"
#include "log.h"

#define MAX_LINES 16

struct srv_test {
    uv_loop_t loop;
    struct ctl_server *srv;
    uv_async_t done;
    uv_timer_t timer;
    char path[108];
    unsigned dispatched;
    struct ctl_call *deferred;
    bool deferred_connected;
    unsigned conns_after;
    bool finish_after_deferred;
    void (*client)(struct srv_test *t);
    /* Filled by the client thread, checked by the test afterwards. */
    char lines[MAX_LINES][512];
    int nlines;
    mode_t sock_mode;
    bool eof_seen;
    pid_t child;
    int child_status;
};

static void finish(struct srv_test *t)
{
    ctl_server_close(t->srv, NULL, NULL);
    t->srv = NULL;
    uv_close((uv_handle_t *)&t->done, NULL);
    if (!uv_is_closing((uv_handle_t *)&t->timer))
        uv_close((uv_handle_t *)&t->timer, NULL);
}

static void on_done(uv_async_t *a)
{
    finish(a->data);
}

static void on_check_conns(uv_timer_t *tm)
{
    struct srv_test *t = tm->data;

    t->conns_after = ctl_server_conns(t->srv);
    finish(t);
}

static void on_deferred(uv_timer_t *tm)
{
    struct srv_test *t = tm->data;

    t->deferred_connected = ctl_call_connected(t->deferred);
    ctl_call_reply_ok(t->deferred, json_pack("{s:b}", "late", 1));
    t->deferred = NULL;
    if (t->finish_after_deferred)
        uv_timer_start(&t->timer, on_check_conns, 200, 0);
}

static void test_dispatch(struct ctl_call *call, void *arg)
{
    struct srv_test *t = arg;
    const struct g2d_ctl_request *req = ctl_call_request(call);

    t->dispatched++;
    switch (req->cmd) {
    case G2D_CTL_STATUS:
        ctl_call_reply_ok(call, json_pack("{s:i}", "n", (int)t->dispatched));
        break;
    case G2D_CTL_SYNC:
        t->deferred = call;
        uv_timer_start(&t->timer, on_deferred, 100, 0);
        break;
    default:
        ctl_call_reply_ok(call, json_pack("{s:s}", "cmd", g2d_ctl_cmd_name(req->cmd)));
        break;
    }
}

static int cl_connect(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void cl_send(int fd, const char *s)
{
    size_t n = strlen(s);

    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Read one line into t->lines; returns false on EOF/timeout (and records EOF). */
static bool cl_line(struct srv_test *t, int fd)
{
    char *out = t->lines[t->nlines < MAX_LINES ? t->nlines : MAX_LINES - 1];
    size_t n = 0;

    for (;;) {
        char c;
        ssize_t r = recv(fd, &c, 1, 0);

        if (r <= 0) {
            t->eof_seen = r == 0;
            return false;
        }
        if (c == '\n')
            break;
        if (n + 1 < sizeof(t->lines[0]))
            out[n++] = c;
    }
    out[n] = '\0';
    if (t->nlines < MAX_LINES)
        t->nlines++;
    return true;
}

static void *client_main(void *arg)
{
    struct srv_test *t = arg;

    t->client(t);
    uv_async_send(&t->done);
    return NULL;
}

static void run_server(struct srv_test *t, const struct ctl_server_opts *base)
{
    struct ctl_server_opts o = *base;
    struct g2d_error err = {0};
    pthread_t th;

    assert_int_equal(uv_loop_init(&t->loop), 0);
    snprintf(t->path, sizeof(t->path), "/tmp/g2d-ctl-test-%d.sock", (int)getpid());
    o.path = t->path;
    o.dispatch = test_dispatch;
    o.arg = t;
    assert_int_equal(ctl_server_start(&t->srv, &t->loop, &o, &err), 0);
    uv_async_init(&t->loop, &t->done, on_done);
    t->done.data = t;
    uv_timer_init(&t->loop, &t->timer);
    t->timer.data = t;
    if (t->client) {
        assert_int_equal(pthread_create(&th, NULL, client_main, t), 0);
        uv_run(&t->loop, UV_RUN_DEFAULT);
        pthread_join(th, NULL);
    } else {
        uv_run(&t->loop, UV_RUN_DEFAULT);
    }
    assert_null(t->deferred);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    /* The socket file is removed on close. */
    assert_int_equal(access(t->path, F_OK), -1);
}

static void client_basic(struct srv_test *t)
{
    struct stat st;
    int fd;

    if (stat(t->path, &st) == 0)
        t->sock_mode = st.st_mode & 0777;
    fd = cl_connect(t->path);
    if (fd < 0)
        return;
    cl_send(fd, "{\"v\":1,\"id\":5,\"cmd\":\"status\"}\n");
    cl_line(t, fd);
    /* Two pipelined requests in one write, CRLF on the second, blank lines between. */
    cl_send(fd,
            "{\"v\":1,\"id\":6,\"cmd\":\"status\"}\n\n{\"v\":1,\"id\":7,\"cmd\":\"pause\"}\r\n");
    cl_line(t, fd);
    cl_line(t, fd);
    cl_send(fd, "{\"v\":1,\"id\":8,\"cmd\":\n");
    cl_line(t, fd);
    cl_send(fd, "{\"v\":2,\"id\":9,\"cmd\":\"status\"}\n");
    cl_line(t, fd);
    /* A deferred reply, with a request pipelined behind it. */
    cl_send(fd, "{\"v\":1,\"id\":10,\"cmd\":\"sync\"}\n{\"v\":1,\"id\":11,\"cmd\":\"status\"}\n");
    cl_line(t, fd);
    cl_line(t, fd);
    /* Half-close after a request: the reply still arrives, then EOF. */
    cl_send(fd, "{\"v\":1,\"id\":12,\"cmd\":\"metrics\"}\n");
    shutdown(fd, SHUT_WR);
    cl_line(t, fd);
    cl_line(t, fd);
    close(fd);
}

static void test_server_basic(void **state)
{
    struct srv_test *t = calloc(1, sizeof(*t));
    struct ctl_server_opts o = {.mode = 0660};

    t->client = client_basic;
    run_server(t, &o);
    assert_int_equal(t->sock_mode, 0660);
    assert_int_equal(t->nlines, 8);
    assert_string_equal(t->lines[0], "{\"v\":1,\"id\":5,\"ok\":true,\"result\":{\"n\":1}}");
    assert_string_equal(t->lines[1], "{\"v\":1,\"id\":6,\"ok\":true,\"result\":{\"n\":2}}");
    assert_string_equal(t->lines[2],
                        "{\"v\":1,\"id\":7,\"ok\":true,\"result\":{\"cmd\":\"pause\"}}");
    assert_non_null(strstr(t->lines[3], "\"id\":null,\"ok\":false,\"error\":{\"code\":"
                                        "\"bad_request\""));
    assert_non_null(strstr(t->lines[4], "\"id\":9,\"ok\":false,\"error\":{\"code\":\"version\""));
    assert_string_equal(t->lines[5], "{\"v\":1,\"id\":10,\"ok\":true,\"result\":{\"late\":true}}");
    assert_string_equal(t->lines[6], "{\"v\":1,\"id\":11,\"ok\":true,\"result\":{\"n\":5}}");
    assert_string_equal(t->lines[7],
                        "{\"v\":1,\"id\":12,\"ok\":true,\"result\":{\"cmd\":\"metrics\"}}");
    assert_true(t->eof_seen);
    assert_true(t->deferred_connected);
    free(t);
}

static void client_busy(struct srv_test *t)
{
    int a = cl_connect(t->path), b;

    if (a < 0)
        return;
    cl_send(a, "{\"v\":1,\"id\":1,\"cmd\":\"status\"}\n");
    cl_line(t, a); /* a is now surely accepted and counted */
    b = cl_connect(t->path);
    if (b >= 0) {
        cl_line(t, b);
        t->eof_seen = false;
        cl_line(t, b);
        close(b);
    }
    /* a still works. */
    cl_send(a, "{\"v\":1,\"id\":2,\"cmd\":\"status\"}\n");
    cl_line(t, a);
    close(a);
}

static void test_server_busy(void **state)
{
    struct srv_test *t = calloc(1, sizeof(*t));
    struct ctl_server_opts o = {.mode = 0600, .max_conns = 1};

    t->client = client_busy;
    run_server(t, &o);
    assert_int_equal(t->nlines, 3);
    assert_string_equal(t->lines[1], "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"code\":"
                                     "\"busy\",\"message\":\"too many control connections\"}}");
    assert_string_equal(t->lines[2], "{\"v\":1,\"id\":2,\"ok\":true,\"result\":{\"n\":2}}");
    free(t);
}

static void client_overlong(struct srv_test *t)
{
    char big[200];
    int fd = cl_connect(t->path);

    if (fd < 0)
        return;
    memset(big, 'x', sizeof(big) - 2);
    big[sizeof(big) - 2] = '\n';
    big[sizeof(big) - 1] = '\0';
    cl_send(fd, "{\"v\":1,\"id\":1,\"cmd\":\"status\"}\n");
    cl_line(t, fd);
    cl_send(fd, big);
    cl_line(t, fd);
    cl_line(t, fd);
    close(fd);
}

static void test_server_overlong(void **state)
{
    struct srv_test *t = calloc(1, sizeof(*t));
    struct ctl_server_opts o = {.mode = 0600, .line_max = 128};

    t->client = client_overlong;
    run_server(t, &o);
    assert_int_equal(t->nlines, 2);
    assert_string_equal(t->lines[1], "{\"v\":1,\"id\":null,\"ok\":false,\"error\":{\"code\":"
                                     "\"bad_request\",\"message\":\"request line longer than 128 "
                                     "bytes\"}}");
    assert_true(t->eof_seen); /* and the connection was closed */
    free(t);
}

static void client_disconnect(struct srv_test *t)
{
    int fd = cl_connect(t->path);

    if (fd < 0)
        return;
    cl_send(fd, "{\"v\":1,\"id\":1,\"cmd\":\"sync\"}\n");
    close(fd);
}

static void test_server_deferred_after_disconnect(void **state)
{
    struct srv_test *t = calloc(1, sizeof(*t));
    struct ctl_server_opts o = {.mode = 0600};
    struct g2d_error err = {0};
    pthread_t th;

    /* The client goes away while its request is outstanding; the late reply is dropped. */
    t->finish_after_deferred = true;
    t->client = client_disconnect;
    assert_int_equal(uv_loop_init(&t->loop), 0);
    snprintf(t->path, sizeof(t->path), "/tmp/g2d-ctl-test-%d.sock", (int)getpid());
    o.path = t->path;
    o.dispatch = test_dispatch;
    o.arg = t;
    assert_int_equal(ctl_server_start(&t->srv, &t->loop, &o, &err), 0);
    uv_timer_init(&t->loop, &t->timer);
    t->timer.data = t;
    uv_async_init(&t->loop, &t->done, NULL);
    assert_int_equal(pthread_create(&th, NULL, client_main, t), 0);
    pthread_join(th, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    assert_int_equal(t->dispatched, 1);
    assert_null(t->deferred);
    assert_int_equal(t->conns_after, 0);
    free(t);
}

static void on_child_poll(uv_timer_t *tm)
{
    struct srv_test *t = tm->data;

    if (waitpid(t->child, &t->child_status, WNOHANG) == t->child)
        finish(t);
}

static void test_server_forbidden(void **state)
{
    struct srv_test *t;
    struct ctl_server_opts o = {.mode = 0666};
    struct g2d_error err = {0};

    if (geteuid() != 0)
        skip();
    t = calloc(1, sizeof(*t));
    assert_int_equal(uv_loop_init(&t->loop), 0);
    snprintf(t->path, sizeof(t->path), "/tmp/g2d-ctl-test-%d.sock", (int)getpid());
    o.path = t->path;
    o.dispatch = test_dispatch;
    o.arg = t;
    assert_int_equal(ctl_server_start(&t->srv, &t->loop, &o, &err), 0);
    uv_async_init(&t->loop, &t->done, NULL);
    uv_timer_init(&t->loop, &t->timer);
    t->timer.data = t;
    t->child = fork();
    assert_true(t->child >= 0);
    if (t->child == 0) {
        /* An unprivileged peer: read-only commands only. */
        int fd, rc = 0;

        if (setgid(65534) < 0 || setuid(65534) < 0)
            _exit(10);
        fd = cl_connect(t->path);
        if (fd < 0)
            _exit(11);
        cl_send(fd, "{\"v\":1,\"id\":1,\"cmd\":\"pause\"}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[0], "\"code\":\"forbidden\""))
            rc |= 1;
        cl_send(fd, "{\"v\":1,\"id\":2,\"cmd\":\"status\"}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[1], "\"ok\":true"))
            rc |= 2;
        /* health, and plan (a dry run: nothing is written), are open to the group too. */
        cl_send(fd, "{\"v\":1,\"id\":3,\"cmd\":\"health\"}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[2], "\"ok\":true"))
            rc |= 4;
        cl_send(fd, "{\"v\":1,\"id\":4,\"cmd\":\"plan\"}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[3], "\"ok\":true"))
            rc |= 8;
        cl_send(fd, "{\"v\":1,\"id\":5,\"cmd\":\"sync\"}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[4], "\"code\":\"forbidden\""))
            rc |= 16;
        /* held deletes: listed for the group, decided only by root (or the service user) */
        cl_send(fd, "{\"v\":1,\"id\":6,\"cmd\":\"approve\",\"args\":{\"all\":true}}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[5], "\"code\":\"forbidden\""))
            rc |= 32;
        cl_send(fd, "{\"v\":1,\"id\":7,\"cmd\":\"held\"}\n");
        if (!cl_line(t, fd) || !strstr(t->lines[6], "\"ok\":true"))
            rc |= 64;
        _exit(rc);
    }
    uv_timer_start(&t->timer, on_child_poll, 10, 10);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    assert_true(WIFEXITED(t->child_status));
    assert_int_equal(WEXITSTATUS(t->child_status), 0);
    assert_int_equal(t->dispatched, 4); /* status, health, plan and held reached the dispatcher */
    free(t);
}

static void test_server_refuses_non_socket(void **state)
{
    struct ctl_server_opts o = {.mode = 0600, .dispatch = test_dispatch};
    struct ctl_server *srv = NULL;
    struct g2d_error err = {0};
    char path[64];
    uv_loop_t loop;
    FILE *f;

    snprintf(path, sizeof(path), "/tmp/g2d-ctl-test-file-%d", (int)getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(uv_loop_init(&loop), 0);
    o.path = path;
    assert_int_equal(ctl_server_start(&srv, &loop, &o, &err), -EEXIST);
    assert_non_null(strstr(err.msg, "not a socket"));
    assert_int_equal(access(path, F_OK), 0); /* left alone */
    unlink(path);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_basic),
        cmocka_unit_test(test_server_busy),
        cmocka_unit_test(test_server_overlong),
        cmocka_unit_test(test_server_deferred_after_disconnect),
        cmocka_unit_test(test_server_forbidden),
        cmocka_unit_test(test_server_refuses_non_socket),
    };

    signal(SIGPIPE, SIG_IGN);
    /* Keep the server's log lines (refused commands...) out of the test output. */
    log_init(G2D_LOG_STDERR, LOG_ERR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
