/* SPDX-License-Identifier: MIT */
/*
 * The result log of glue2dlfd: one JSON line per item result, written to one of
 *  - a local file (result.path /var/log/glue2dlf/results.jsonl): appended, fsync'd at the
 *    end of each cycle;
 *  - a local directory (a path that is an existing directory or ends in '/', as the
 *    legacy result.output.path allows): one file per cycle in it, named like the OSS
 *    objects below;
 *  - OSS (oss://bucket/prefix/): each cycle's lines become objects
 *    `<prefix>YYYYMMDDTHHMMSSZ-cycle-NNNNNN-part-NNNN.jsonl` (UTC time of the cycle's
 *    first line; a new part every result.part_size bytes), first written to a spool
 *    directory (result.spool_dir, default $STATE_DIRECTORY/result-spool) and uploaded by
 *    result_oss.c when a part is complete, so that an OSS outage loses nothing. When the
 *    spool reaches result.spool_max_size, new lines are dropped (never the spooled ones),
 *    counted in status and announced in the journal.
 * Write problems are logged as warnings, never fatal: the journal still has every failure.
 */
#ifndef GLUE2DLFD_RESULT_LOG_H
#define GLUE2DLFD_RESULT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "glue2dlf/config.h"
#include "glue2dlf/error.h"
#include "glue2dlf/http.h"
#include "glue2dlf/oss.h"

#include "metrics.h"

struct result_oss;

enum result_log_mode {
    RESULT_LOG_OFF = 0,
    RESULT_LOG_FILE,
    RESULT_LOG_DIR,
    RESULT_LOG_OSS,
    RESULT_LOG_STDOUT, /* "-": standard output, flushed at each cycle's end */
};

/** An open (or disabled) result log. Zero-initialised = disabled. */
struct result_log {
    enum result_log_mode mode;
    FILE *f;    /**< owned: the file (FILE) or the current part (DIR, OSS); NULL if none */
    char *path; /**< owned copy of the configured path (NULL when none), for messages */
    char *dir;  /**< owned: DIR: the directory, OSS: the spool directory */
    struct result_oss *oss; /**< owned: OSS uploader */
    /* The part being written (DIR, OSS). */
    bool in_cycle;
    uint64_t cycle_id;
    int64_t cycle_start;
    unsigned part;
    size_t part_len, part_max;
    char part_name[96];
};

/** What an OSS result log needs besides the configuration (all borrowed). */
struct result_log_env {
    struct g2d_http *http;  /**< the shared engine, must outlive the log */
    g2d_oss_creds_fn creds; /**< the credentials in force, called before each attempt */
    void *creds_arg;
};

/**
 * Open the result log @p cfg->result_path describes (NULL/empty = disabled). @p env may be
 * NULL when there is no engine (then an oss:// location is an error). @p cfg is read during
 * the call only. @p out is overwritten (close what it held first) and owned by the caller
 * until result_log_close().
 * @return 0, or a negative errno with @p err naming the path (@p out is then disabled).
 */
int result_log_open_cfg(struct result_log *out, const struct g2d_config *cfg,
                        const struct result_log_env *env, struct g2d_error *err);

/** result_log_open_cfg() for a local @p path (file or directory) only. */
int result_log_open(struct result_log *out, const char *path, struct g2d_error *err);

/** true if @p rl already writes where @p cfg says, the same way (a reload keeps it). */
bool result_log_same(const struct result_log *rl, const struct g2d_config *cfg);

/** Append @p len bytes of @p line and a newline for cycle @p cycle_id (buffered); a
 * failure is logged. @p line is only read during the call. No-op when disabled. */
void result_log_append(struct result_log *rl, uint64_t cycle_id, const char *line, size_t len);

/** Flush the buffer to the file (what a second SIGTERM still does before exit). No-op when
 * disabled; keeps nothing. */
void result_log_flush(struct result_log *rl);

/** End of a cycle: flush and fsync; DIR/OSS: the cycle's last part is closed (OSS: queued
 * for upload). A failure is logged. No-op when disabled. */
void result_log_sync(struct result_log *rl);

/** The log's state for the "status" reply (a new reference the caller owns), or NULL when
 * there is nothing to say (off, file). */
json_t *result_log_status(const struct result_log *rl);

/** OSS: fill @p out (caller storage) and return true; other modes: false. */
bool result_log_counters(const struct result_log *rl, struct metrics_result_oss *out);

/** Parts waiting for upload (OSS), 0 otherwise. */
size_t result_log_pending(const struct result_log *rl);

/** Sync, close and free; @p rl is left disabled. Accepts a disabled log. An OSS log's
 * unfinished uploads stay in the spool for the next start. */
void result_log_close(struct result_log *rl);

#endif
