/* SPDX-License-Identifier: MIT */
/*
 * Internal: the partitions of one table in the snapshot, stored compactly. Each partition
 * costs one 32-byte slot (128-bit normalised fingerprint, 64-bit fingerprint of the raw
 * Glue bytes it was last seen as, offset of its values in an arena, a 16-bit hash tag,
 * flags) at a load factor of at most 3/4, plus its values in the arena as length-prefixed
 * bytes (a varint length per value). No per-partition allocation. The full hash is not
 * stored: a rehash recomputes it from the arena.
 */
#ifndef G2D_LIB_PSET_H
#define G2D_LIB_PSET_H

#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/model.h"

struct g2d_pentry {
    struct g2d_fp fp; /* normalised fingerprint: the truth for comparisons */
    uint64_t raw;     /* fingerprint of Glue's raw bytes for it, 0 = unknown */
    uint32_t off;     /* offset of the encoded values in the arena */
    uint16_t tag;     /* 16 bits of the values' hash; 0 = empty slot */
    uint8_t flags;    /* G2D_PENTRY_* */
    uint8_t pad;
};

enum {
    G2D_PENTRY_SEEN = 1u << 0,    /* listed in Glue this cycle */
    G2D_PENTRY_DELETED = 1u << 1, /* tombstone */
};

struct g2d_pset {
    struct g2d_pentry *slots;
    uint32_t cap;    /* slots (any number), or 0 */
    uint32_t used;   /* live entries */
    uint32_t filled; /* live + tombstones */
    char *arena;
    uint32_t arena_len, arena_cap, arena_dead;
};

void g2d_pset_init(struct g2d_pset *ps);
void g2d_pset_done(struct g2d_pset *ps);

/**
 * Insert or update the partition with these values (fp, raw fingerprint and flags are
 * set). @return 0, -ENOMEM, -E2BIG (arena full).
 */
int g2d_pset_put(struct g2d_pset *ps, const char *const *values, size_t n, const struct g2d_fp *fp,
                 uint64_t raw, uint8_t flags);
/** Find a partition; NULL if absent. */
struct g2d_pentry *g2d_pset_get(struct g2d_pset *ps, const char *const *values, size_t n);
/** Same, with explicit value lengths (values need not be NUL-terminated). */
struct g2d_pentry *g2d_pset_get_n(struct g2d_pset *ps, const char *const *values,
                                  const size_t *lens, size_t n);
/** Remove a partition if present. */
void g2d_pset_del(struct g2d_pset *ps, const char *const *values, size_t n);
/** Remove an entry found by g2d_pset_get()/g2d_pset_next(). */
void g2d_pset_del_entry(struct g2d_pset *ps, struct g2d_pentry *e);
/** Clear the SEEN flag of every entry. */
void g2d_pset_unmark(struct g2d_pset *ps);
/** Iterate live entries: start with *pos = 0. */
struct g2d_pentry *g2d_pset_next(struct g2d_pset *ps, uint32_t *pos);

/**
 * Decode an entry's values: up to @p max (pointer, length) pairs pointing into the arena,
 * valid until the next change. @return the number of values.
 */
size_t g2d_pset_values(const struct g2d_pset *ps, const struct g2d_pentry *e, const char **vals,
                       size_t *lens, size_t max);

/**
 * Shrink to a tight fit once a table's partitions are all known: slots at a load of 4/5,
 * the arena exactly as long as the live values. @return 0 or -ENOMEM (unchanged then).
 */
int g2d_pset_trim(struct g2d_pset *ps);

/** Bytes held (slots + arena). */
size_t g2d_pset_bytes(const struct g2d_pset *ps);

#endif
