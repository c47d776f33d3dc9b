/* SPDX-License-Identifier: MIT */
/*
 * Internal: the deleted-objects archive. Before glue2dlf deletes an object from DLF it
 * appends the object's last DLF definition (the JSON DLF answered for it) to a file of the
 * archive directory (by default "deleted/" beside the checkpoint), so that `glue2dlfctl
 * restore NAME` can put it back.
 *
 * One JSON Lines file per UTC day, "deleted-YYYY-MM-DD.jsonl", mode 0600, one record per
 * line:
 *   {"time":"<RFC 3339>","type":"table","name":"db.tbl","object":{...DLF JSON...}}
 * (partitions: name "db.tbl/k=v", and "database", "table" and "values" too). Appends are
 * flushed and fdatasync'ed before the delete is sent. Bounded: files older than the
 * maximum age are removed, then the oldest until the directory is under its maximum size.
 */
#ifndef G2D_LIB_STATE_ARCHIVE_H
#define G2D_LIB_STATE_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "glue2dlf/error.h"

#define G2D_ARCHIVE_LINE_MAX (16u << 20) /* longest record read back */

struct g2d_archive_rec {
    int64_t time_ms;
    unsigned type;        /* enum g2d_item_type */
    const char *name;     /* as the result log prints it */
    const char *database; /* partitions: where it goes back (else NULL) */
    const char *table;
    json_t *values; /* partitions: the values (borrowed), else NULL */
    json_t *object; /* the DLF JSON (borrowed) */
};

/*
 * Append @p n records to today's file of @p dir (made, 0700, when missing), flushed and
 * synced. @return 0 or negative errno (detail in @p err).
 */
int g2d_archive_append(const char *dir, const struct g2d_archive_rec *recs, size_t n,
                       struct g2d_error *err);

/* Remove the files older than @p max_age_ms, then the oldest while the files together
 * hold more than @p max_bytes (today's file is never removed). @return files removed. */
int g2d_archive_prune(const char *dir, int64_t now_ms, uint64_t max_age_ms, uint64_t max_bytes);

/*
 * Parse one line of an archive file into @p out (strings and JSON borrowed from *@p root,
 * which the caller frees with json_decref). @return 0 or -EBADMSG when it is not a record.
 */
int g2d_archive_parse_line(const char *line, size_t len, json_t **root,
                           struct g2d_archive_rec *out);

/*
 * The newest record of @p name (ASCII case aside) of @p type (or of any type when
 * @p type < 0) in @p dir. @return 0 with *@p root (caller's) and @p out filled; -ENOENT
 * when there is none; other negative errno (detail in @p err).
 */
int g2d_archive_find(const char *dir, int type, const char *name, json_t **root,
                     struct g2d_archive_rec *out, struct g2d_error *err);

#endif
