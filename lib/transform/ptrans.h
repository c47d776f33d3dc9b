/* SPDX-License-Identifier: MIT */
/*
 * Internal: the Glue Partition → DLF PartitionInput transform without a DOM.
 *
 * One pass over the partition's JSON text records byte ranges; from them it writes the
 * compact PartitionInput text and the normalised text that is fingerprinted. It handles a
 * subset of JSON (strings without escapes, plain numbers, no duplicate keys among the
 * members it uses) and for that subset it is exactly equivalent to the DOM path:
 *
 *     json_loadb(p, n, 0) → g2d_model_partition() → g2d_jwrite_value() + g2d_fp_partition()
 *
 * (the same bytes, the same fingerprint, the same dropped-field bits). Anything outside the
 * subset, including every input the DOM path rejects, is answered with
 * G2D_PTRANS_FALLBACK so that the caller takes the DOM path, which also words the error.
 *
 * Thread-safe: no global state; each thread passes its own scratch.
 */
#ifndef G2D_LIB_PTRANS_H
#define G2D_LIB_PTRANS_H

#include <stddef.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/config.h"
#include "glue2dlf/model.h"

/** Most partition values handled (the daemon's own limit on partition keys). */
#define G2D_PTRANS_MAX_VALUES 64

/** Returned when the input is outside the supported subset: use the DOM path. */
#define G2D_PTRANS_FALLBACK 1

struct g2d_ptrans_out {
    size_t nvalues;
    const char *val[G2D_PTRANS_MAX_VALUES]; /* the partition Values, pointers into the input */
    size_t vlen[G2D_PTRANS_MAX_VALUES];     /* (not NUL-terminated) */
    struct g2d_fp fp;                       /* == g2d_fp_partition() of the PartitionInput */
    unsigned dropped;                       /* G2D_DROP_* bits, == notes.dropped of the DOM path */
};

#define G2D_PTRANS_SLOTS 10

/**
 * Scratch space the caller keeps and reuses across calls, one per thread: after the first
 * few calls it has grown to fit and a call allocates nothing. Its members are private.
 */
struct g2d_ptrans_scratch {
    void *mem[G2D_PTRANS_SLOTS];
    size_t cap[G2D_PTRANS_SLOTS];
};

void g2d_ptrans_scratch_init(struct g2d_ptrans_scratch *s);
/** Free the scratch's memory; it may be initialised again. Accepts NULL. */
void g2d_ptrans_scratch_done(struct g2d_ptrans_scratch *s);

/**
 * Transform one Glue partition (its JSON text @p p, @p n bytes) for table @p db.@p table.
 * @param cfg  read-only; its location_map is applied as g2d_model_partition() does
 * @return 0: @p text has been appended with exactly the bytes g2d_jwrite_value() writes for
 *            the object g2d_model_partition(cfg, db, table, json_loadb(p, n, 0)) builds,
 *            and @p out is filled;
 *         G2D_PTRANS_FALLBACK: the input is outside the supported subset (the caller then
 *            uses the DOM path, which also produces any error message); @p text is left
 *            as it was and @p out is undefined;
 *         -ENOMEM, or -E2BIG when @p text would exceed its maximum (@p text unchanged).
 */
int g2d_ptrans_partition(const struct g2d_config *cfg, const char *db, const char *table,
                         const char *p, size_t n, struct g2d_buf *text, struct g2d_ptrans_out *out,
                         struct g2d_ptrans_scratch *scratch);

#endif
