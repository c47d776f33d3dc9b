/* SPDX-License-Identifier: MIT */
/*
 * credential_process: run the profile's command with /bin/sh -c (its stdin /dev/null, its
 * stderr ours), read at most 64 KiB of its stdout, wait at most 60 s. Runs in the libuv
 * thread pool, never on the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "creds/creds-internal.h"

#define PROC_MAX_OUT (64u << 10)
#define PROC_TIMEOUT_MS 60000

extern char **environ;

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the child's stdout until EOF, the ceiling or the deadline. */
static int drain(int fd, char *buf, size_t *len, char *why, size_t whysz)
{
    int64_t deadline = mono_ms() + PROC_TIMEOUT_MS;

    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t left = deadline - mono_ms();
        ssize_t k;

        if (left <= 0) {
            snprintf(why, whysz, "timed out after %d s", PROC_TIMEOUT_MS / 1000);
            return -ETIMEDOUT;
        }
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return -errno;
        k = read(fd, buf + *len, PROC_MAX_OUT + 1 - *len);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k < 0)
            return -errno;
        if (k == 0)
            return 0;
        *len += (size_t)k;
        if (*len > PROC_MAX_OUT) {
            snprintf(why, whysz, "wrote more than 64 KiB");
            return -E2BIG;
        }
    }
}

static int spawn(const char *command, int pipe_w, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
    int r;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipe_w, 1);
    r = posix_spawn(pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return -r;
}

int g2d__run_process(const char *command, char **out, size_t *len, char *why, size_t whysz)
{
    int fds[2], st = 0, r;
    char *buf = malloc(PROC_MAX_OUT + 1);
    pid_t pid;

    *out = NULL;
    *len = 0;
    if (!buf)
        return -ENOMEM;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        free(buf);
        return -errno;
    }
    r = spawn(command, fds[1], &pid);
    close(fds[1]);
    if (r < 0) {
        snprintf(why, whysz, "cannot run /bin/sh: %s", strerror(-r));
        close(fds[0]);
        free(buf);
        return r;
    }
    r = drain(fds[0], buf, len, why, whysz);
    close(fds[0]);
    if (r < 0)
        kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        snprintf(why, whysz, "the command %s %d", WIFEXITED(st) ? "exited with" : "died of signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        r = -EIO;
    }
    if (r < 0) {
        explicit_bzero(buf, *len);
        free(buf);
        *len = 0;
        return r;
    }
    buf[*len] = '\0';
    *out = buf;
    return 0;
}
