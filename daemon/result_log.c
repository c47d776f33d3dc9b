/* SPDX-License-Identifier: MIT */
/* The result log of glue2dlfd. See result_log.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "result_log.h"

static int open_file(const char *path, FILE **out, struct g2d_error *err)
{
    FILE *f;
    int fd;

    *out = NULL;
    if (!path || !*path)
        return 0;
    if (strncmp(path, "oss://", 6) == 0) {
        log_warning("result log: '%s' is an OSS location; the daemon writes local files only, "
                    "result log disabled (ship the journal or a local file instead)",
                    path);
        return 0;
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0)
        return g2d_error_set(err, -errno, "cannot open result log '%s': %s", path, strerror(errno));
    f = fdopen(fd, "a");
    if (!f) {
        int e = errno;

        close(fd);
        return g2d_error_set(err, -e, "cannot open result log '%s': %s", path, strerror(e));
    }
    setvbuf(f, NULL, _IOFBF, 64 * 1024);
    *out = f;
    return 0;
}

int result_log_open(struct result_log *out, const char *path, struct g2d_error *err)
{
    int r;

    out->f = NULL;
    out->path = NULL;
    if (path) {
        out->path = strdup(path);
        if (!out->path)
            return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    r = open_file(path, &out->f, err);
    if (r < 0) {
        free(out->path);
        out->path = NULL;
    }
    return r;
}

void result_log_append(struct result_log *rl, const char *line, size_t len)
{
    if (rl->f && (fwrite(line, 1, len, rl->f) != len || fputc('\n', rl->f) == EOF))
        log_warning("result log '%s': write failed: %s", rl->path, strerror(errno));
}

void result_log_flush(struct result_log *rl)
{
    if (rl->f)
        fflush(rl->f);
}

void result_log_sync(struct result_log *rl)
{
    if (!rl->f)
        return;
    if (fflush(rl->f) != 0 || fsync(fileno(rl->f)) < 0)
        log_warning("result log '%s': write failed: %s", rl->path, strerror(errno));
}

void result_log_close(struct result_log *rl)
{
    if (rl->f) {
        result_log_sync(rl);
        fclose(rl->f);
        rl->f = NULL;
    }
    free(rl->path);
    rl->path = NULL;
}
