/* SPDX-License-Identifier: MIT */
/* glue2dlfctl's transport. See transport.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctl_connect(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int ctl_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int ctl_read_line(int fd, struct g2d_buf *b, int64_t timeout_ms)
{
    int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : -1;
    char chunk[65536];

    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        char *nl;
        ssize_t n;
        int wait = -1, r;

        if (deadline >= 0) {
            int64_t left = deadline - mono_ms();

            if (left <= 0)
                return -ETIMEDOUT;
            wait = left > 1000000000 ? 1000000000 : (int)left;
        }
        r = poll(&pfd, 1, wait);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return -ETIMEDOUT;
        n = recv(fd, chunk, sizeof(chunk), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EPIPE;
        nl = memchr(chunk, '\n', (size_t)n);
        r = g2d_buf_append(b, chunk, nl ? (size_t)(nl - chunk) : (size_t)n);
        if (r < 0)
            return r;
        if (nl)
            return 0;
    }
}
