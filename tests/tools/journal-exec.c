/* SPDX-License-Identifier: MIT */
/*
 * journal-exec IDENTIFIER COMMAND [ARGS...]: run COMMAND with stdout and stderr connected
 * to journald's stream socket and $JOURNAL_STREAM set, exactly as systemd does for a
 * service with StandardError=journal. Lets tests check the daemon's journald detection
 * and its structured fields against a real systemd-journald.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

int main(int argc, char **argv)
{
    struct stat st;
    char env[64];
    int fd;

    if (argc < 3) {
        fprintf(stderr, "usage: journal-exec IDENTIFIER COMMAND [ARGS...]\n");
        return 2;
    }
    fd = sd_journal_stream_fd(argv[1], LOG_INFO, 0);
    if (fd < 0) {
        fprintf(stderr, "journal-exec: cannot connect to journald (is it running?)\n");
        return 1;
    }
    if (fstat(fd, &st) < 0) {
        perror("journal-exec: fstat");
        return 1;
    }
    snprintf(env, sizeof(env), "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
        perror("journal-exec: dup2");
        return 1;
    }
    if (fd > STDERR_FILENO)
        close(fd);
    execvp(argv[2], argv + 2);
    perror("journal-exec: exec");
    return 127;
}
