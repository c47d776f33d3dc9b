/* SPDX-License-Identifier: MIT */
/* The result log of glue2dlfd. See result_log.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "result_log.h"
#include "result_oss.h"

/* A file that does not end with a newline ends with a line torn by a crash (SIGKILL, power
 * loss): end it, so that the next line is a line of its own. */
static void end_torn_line(int fd, const char *path)
{
    int rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    char c;

    if (rfd < 0)
        return;
    if (fstat(rfd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        pread(rfd, &c, 1, st.st_size - 1) == 1 && c != '\n' && write(fd, "\n", 1) == 1)
        log_warning("result log '%s' ended with a torn line (a crash?): ended it", path);
    close(rfd);
}

static int open_append(const char *path, int excl, FILE **out)
{
    int fd, flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY;
    FILE *f;

    fd = open(path, flags | (excl ? O_EXCL : 0), 0640);
    if (fd < 0)
        return -errno;
    if (!excl)
        end_torn_line(fd, path);
    f = fdopen(fd, "a");
    if (!f) {
        int e = errno;

        close(fd);
        return -e;
    }
    setvbuf(f, NULL, _IOFBF, 64 * 1024);
    *out = f;
    return 0;
}

static bool is_dir_path(const char *path)
{
    struct stat sb;
    size_t n = strlen(path);

    return (n && path[n - 1] == '/') || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}

/* The spool of an OSS log: result.spool_dir, else $STATE_DIRECTORY/result-spool. */
static int spool_dir(const struct g2d_config *cfg, char **out, struct g2d_error *err)
{
    const char *state = getenv("STATE_DIRECTORY");

    if (cfg->result_oss.spool_dir)
        *out = strdup(cfg->result_oss.spool_dir);
    else if (state && *state &&
             asprintf(out, "%.*s/result-spool", (int)strcspn(state, ":"), state) < 0)
        *out = NULL;
    else if (!state || !*state)
        return g2d_error_set(err, -EINVAL,
                             "result log '%s' is on OSS but there is no spool directory: set "
                             "result.spool_dir, or run under systemd (StateDirectory=)",
                             cfg->result_path);
    return *out ? 0 : g2d_error_set(err, -ENOMEM, "out of memory");
}

static int open_oss(struct result_log *out, const struct g2d_config *cfg,
                    const struct result_log_env *env, struct g2d_error *err)
{
    int r;

    if (!env)
        return g2d_error_set(err, -EINVAL, "result log '%s': OSS needs the HTTP engine",
                             cfg->result_path);
    r = spool_dir(cfg, &out->dir, err);
    if (r == 0)
        r = result_oss_new(&out->oss, cfg, env->http, out->dir, env->creds, env->creds_arg, err);
    if (r == 0) {
        out->mode = RESULT_LOG_OSS;
        out->part_max = result_oss_part_bytes(out->oss);
    }
    return r;
}

static int open_local(struct result_log *out, const char *path, struct g2d_error *err)
{
    int r;

    if (strcmp(path, "-") == 0) {
        out->f = stdout;
        out->mode = RESULT_LOG_STDOUT;
        return 0;
    }
    if (is_dir_path(path)) {
        out->dir = strdup(path);
        if (!out->dir)
            return g2d_error_set(err, -ENOMEM, "out of memory");
        if (mkdir(path, 0750) < 0 && errno != EEXIST)
            return g2d_error_set(err, -errno, "cannot create result directory '%s': %s", path,
                                 strerror(errno));
        out->mode = RESULT_LOG_DIR;
        out->part_max = SIZE_MAX;
        return 0;
    }
    r = open_append(path, 0, &out->f);
    if (r < 0)
        return g2d_error_set(err, r, "cannot open result log '%s': %s", path, strerror(-r));
    out->mode = RESULT_LOG_FILE;
    return 0;
}

static int open_any(struct result_log *out, const struct g2d_config *cfg, const char *path,
                    const struct result_log_env *env, struct g2d_error *err)
{
    int r;

    memset(out, 0, sizeof(*out));
    if (!path || !*path)
        return 0;
    out->path = strdup(path);
    if (!out->path)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    if (strncasecmp(path, "oss://", 6) == 0)
        r = cfg ? open_oss(out, cfg, env, err)
                : g2d_error_set(err, -EINVAL, "result log '%s': OSS needs a configuration", path);
    else
        r = open_local(out, path, err);
    if (r < 0) {
        free(out->path);
        free(out->dir);
        memset(out, 0, sizeof(*out));
    }
    return r;
}

int result_log_open_cfg(struct result_log *out, const struct g2d_config *cfg,
                        const struct result_log_env *env, struct g2d_error *err)
{
    return open_any(out, cfg, cfg->result_path, env, err);
}

int result_log_open(struct result_log *out, const char *path, struct g2d_error *err)
{
    return open_any(out, NULL, path, NULL, err);
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool result_log_same(const struct result_log *rl, const struct g2d_config *cfg)
{
    struct g2d_error err = {0};
    char *spool = NULL;
    bool same;

    if (!str_eq(rl->path, cfg->result_path))
        return false;
    if (rl->mode == RESULT_LOG_DIR)
        return is_dir_path(cfg->result_path);
    if (rl->mode == RESULT_LOG_STDOUT)
        return true;
    if (rl->mode != RESULT_LOG_OSS)
        return false; /* a file is reopened on every reload (log rotation) */
    if (spool_dir(cfg, &spool, &err) < 0)
        return false;
    same = str_eq(spool, rl->dir) && result_oss_same(rl->oss, cfg);
    free(spool);
    return same;
}

/* Close the part being written: fsync it and (OSS) queue it for upload. */
static void close_part(struct result_log *rl)
{
    if (!rl->f)
        return;
    if (fflush(rl->f) != 0 || fsync(fileno(rl->f)) < 0)
        log_warning("result log '%s/%s': write failed: %s", rl->dir, rl->part_name,
                    strerror(errno));
    fclose(rl->f);
    rl->f = NULL;
    if (rl->mode == RESULT_LOG_OSS)
        result_oss_enqueue(rl->oss, rl->part_name);
}

/* Open the next part of the cycle; a name taken already (a reload in the same second) is
 * skipped, never appended to. */
static int open_part(struct result_log *rl)
{
    char path[4096];
    int r = -EEXIST;

    while (r == -EEXIST && rl->part < 99999999) {
        rl->part++;
        if (g2d_oss_object_name(rl->part_name, sizeof(rl->part_name), rl->cycle_start, rl->cycle_id,
                                rl->part) < 0)
            return -ENOSPC;
        snprintf(path, sizeof(path), "%s/%s", rl->dir, rl->part_name);
        r = open_append(path, 1, &rl->f);
    }
    rl->part_len = 0;
    if (r < 0)
        log_warning("result log: cannot create '%s': %s", path, strerror(-r));
    return r;
}

/* DIR/OSS: the file the next @p n bytes of cycle @p cycle_id go to, or NULL. */
static FILE *part_for(struct result_log *rl, uint64_t cycle_id, size_t n)
{
    if (rl->in_cycle && rl->cycle_id != cycle_id) {
        close_part(rl);
        rl->in_cycle = false;
    }
    if (!rl->in_cycle) {
        rl->in_cycle = true;
        rl->cycle_id = cycle_id;
        rl->cycle_start = (int64_t)time(NULL);
        rl->part = 0;
    } else if (rl->f && rl->part_len > 0 && rl->part_len + n > rl->part_max) {
        close_part(rl);
    }
    if (rl->mode == RESULT_LOG_OSS && !result_oss_reserve(rl->oss, n))
        return NULL;
    if (!rl->f && open_part(rl) < 0)
        return NULL;
    rl->part_len += n;
    return rl->f;
}

void result_log_append(struct result_log *rl, uint64_t cycle_id, const char *line, size_t len)
{
    FILE *f = rl->mode == RESULT_LOG_FILE || rl->mode == RESULT_LOG_STDOUT ? rl->f : NULL;

    if (rl->mode == RESULT_LOG_DIR || rl->mode == RESULT_LOG_OSS)
        f = part_for(rl, cycle_id, len + 1);
    if (f && (fwrite(line, 1, len, f) != len || fputc('\n', f) == EOF))
        log_warning("result log '%s': write failed: %s", rl->path, strerror(errno));
}

void result_log_flush(struct result_log *rl)
{
    if (rl->f)
        fflush(rl->f);
}

void result_log_sync(struct result_log *rl)
{
    if (rl->mode == RESULT_LOG_DIR || rl->mode == RESULT_LOG_OSS) {
        close_part(rl);
        rl->in_cycle = false;
        return;
    }
    if (!rl->f)
        return;
    if (rl->mode == RESULT_LOG_STDOUT) { /* a pipe or a terminal: nothing to fsync */
        if (fflush(rl->f) != 0)
            log_warning("result lines on standard output: write failed: %s", strerror(errno));
        return;
    }
    if (fflush(rl->f) != 0 || fsync(fileno(rl->f)) < 0)
        log_warning("result log '%s': write failed: %s", rl->path, strerror(errno));
}

json_t *result_log_status(const struct result_log *rl)
{
    if (rl->mode == RESULT_LOG_OSS)
        return result_oss_status(rl->oss);
    return NULL;
}

bool result_log_counters(const struct result_log *rl, struct metrics_result_oss *out)
{
    if (rl->mode != RESULT_LOG_OSS)
        return false;
    result_oss_counters(rl->oss, out);
    return true;
}

size_t result_log_pending(const struct result_log *rl)
{
    return rl->mode == RESULT_LOG_OSS ? result_oss_pending(rl->oss) : 0;
}

void result_log_close(struct result_log *rl)
{
    result_log_sync(rl);
    if (rl->mode == RESULT_LOG_FILE && rl->f)
        fclose(rl->f);
    result_oss_close(rl->oss);
    free(rl->path);
    free(rl->dir);
    memset(rl, 0, sizeof(*rl));
}
