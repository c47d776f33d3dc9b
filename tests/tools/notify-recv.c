/* SPDX-License-Identifier: MIT */
/*
 * notify-recv SOCKET OUTFILE: a stand-in for systemd's notification socket in tests.
 * Binds an AF_UNIX datagram socket at SOCKET and appends every message received to
 * OUTFILE, one message per line (newlines inside a message become '|'), until SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    stop = 1;
}

int main(int argc, char **argv)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct sigaction act = {.sa_handler = on_term};
    char msg[8192];
    FILE *out;
    int fd;

    if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "usage: notify-recv SOCKET OUTFILE\n");
        return 2;
    }
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    strcpy(sa.sun_path, argv[1]);
    unlink(argv[1]);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("notify-recv: bind");
        return 1;
    }
    out = fopen(argv[2], "a");
    if (!out) {
        perror("notify-recv: open");
        return 1;
    }
    while (!stop) {
        ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("notify-recv: recv");
            break;
        }
        msg[n] = '\0';
        for (ssize_t i = 0; i < n; i++)
            if (msg[i] == '\n')
                msg[i] = '|';
        fprintf(out, "%s\n", msg);
        fflush(out);
    }
    fclose(out);
    close(fd);
    unlink(argv[1]);
    return 0;
}
