/* SPDX-License-Identifier: MIT */
/*
 * The OSS uploader of the result log: the spool directory's finished part files are
 * uploaded one at a time, oldest name first (names sort by time, cycle and part), with
 * PutObject on the shared HTTP engine; a file is deleted only after OSS answered 2xx with
 * an ETag equal to the MD5 of the bytes sent (and OSS itself checked the Content-MD5).
 * A failed upload (after the engine's own retries) is retried on a loop timer with backoff
 * (1 s doubling to 60 s), forever: nothing is deleted before OSS has it. Spool accounting
 * (its size against the bound, the lines dropped when full) lives here too.
 */
#ifndef GLUE2DLFD_RESULT_OSS_H
#define GLUE2DLFD_RESULT_OSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "glue2dlf/config.h"
#include "glue2dlf/error.h"
#include "glue2dlf/http.h"
#include "glue2dlf/oss.h"

#include "metrics.h"

struct result_oss;

/**
 * Start an uploader for @p cfg's oss:// result path: registers an "oss" endpoint on
 * @p http (borrowed; must outlive the uploader), creates @p spool_dir (borrowed, copied)
 * if needed and queues the files already in it (left by an earlier run). @p creds is
 * called before every attempt with @p creds_arg (borrowed).
 * @param[out] out caller owns; release with result_oss_close()
 * @return 0 or -errno with @p err set.
 */
int result_oss_new(struct result_oss **out, const struct g2d_config *cfg, struct g2d_http *http,
                   const char *spool_dir, g2d_oss_creds_fn creds, void *creds_arg,
                   struct g2d_error *err);

/** The spool directory (borrowed from @p o). */
const char *result_oss_spool(const struct result_oss *o);

/** The part size bound from the configuration. */
size_t result_oss_part_bytes(const struct result_oss *o);

/**
 * Account @p n more bytes about to be written to the spool. @return true if they fit
 * under the bound; false (the line is dropped and counted; the first drop of an episode
 * is logged as an error) if not.
 */
bool result_oss_reserve(struct result_oss *o, size_t n);

/** A finished part file @p name (borrowed, copied) in the spool: queue it for upload. */
void result_oss_enqueue(struct result_oss *o, const char *name);

/** The uploader's state for the "status" reply: a new reference the caller owns. */
json_t *result_oss_status(const struct result_oss *o);

/** The counters for the metrics into caller storage @p out. */
void result_oss_counters(const struct result_oss *o, struct metrics_result_oss *out);

/** Number of part files waiting (queued or uploading). */
size_t result_oss_pending(const struct result_oss *o);

/** 1 if @p o uploads to the place @p cfg describes, the same way (a reload keeps it). */
bool result_oss_same(const struct result_oss *o, const struct g2d_config *cfg);

/**
 * Stop: the upload in flight is cancelled (its file stays in the spool), the retry timer
 * closed; @p o is freed once the loop has closed the timer. Takes back ownership.
 */
void result_oss_close(struct result_oss *o);

#endif
