/* SPDX-License-Identifier: MIT */
/* Internal: the snapshot on disk (see checkpoint.c for the format). */
#ifndef G2D_LIB_STATE_CHECKPOINT_H
#define G2D_LIB_STATE_CHECKPOINT_H

#include <stdint.h>

#include "glue2dlf/error.h"
#include "state/held.h"
#include "state/snapshot.h"

/* Partition values per partition a checkpoint holds (the engine handles 64 keys). */
#define G2D_CKPT_MAX_VALUES 64

struct g2d_ckpt_meta {
    uint64_t scope;     /* hash of the config scope the snapshot was built under */
    int64_t built_ms;   /* when the snapshot was last rebuilt from DLF */
    int64_t written_ms; /* when this checkpoint was written */
};

/*
 * Write @p snap and the registry of held deletes @p held (both borrowed, not changed;
 * @p held may be NULL: none) to @p path atomically: nothing else may change them
 * meanwhile. @return 0 or negative errno (detail in @p err); on failure @p path is left
 * as it was.
 */
int g2d_checkpoint_write(struct g2d_snapshot *snap, struct g2d_heldset *held,
                         const struct g2d_ckpt_meta *meta, const char *path, struct g2d_error *err);

/*
 * Load @p path into @p snap and @p held (both must be empty; what is loaded is owned by
 * them afterwards) and its header into @p meta. A version 1 checkpoint has no held
 * section: @p held stays empty. @return 0; -ENOENT when there is none; -EBADMSG when it is
 * truncated, corrupt or of another version (and both are left empty); other negative
 * errno.
 */
int g2d_checkpoint_load(struct g2d_snapshot *snap, struct g2d_heldset *held,
                        struct g2d_ckpt_meta *meta, const char *path, struct g2d_error *err);

#endif
