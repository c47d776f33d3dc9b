/* SPDX-License-Identifier: MIT */
/*
 * Internal: the snapshot — what glue2dlf believes DLF holds, as a fingerprint per object
 * identity. An open-addressing hash table (linear probing, tombstones) keyed by
 * (type, name); each entry stores the key once plus a 128-bit fingerprint and a "seen in
 * this cycle" mark.
 */
#ifndef G2D_LIB_SNAPSHOT_H
#define G2D_LIB_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "glue2dlf/model.h"
#include "state/pset.h"

/* What the snapshot knows of one table beyond its fingerprint: its partitions. */
struct g2d_tmeta {
    struct g2d_pset parts;
    char **keys;  /* partition key names, in order */
    char **types; /* their Hive types */
    size_t nkeys;
    bool parts_loaded; /* parts reflects DLF (listed, or written by us since) */
};

struct g2d_tmeta *g2d_tmeta_new(void);
void g2d_tmeta_free(struct g2d_tmeta *m);
/** Set the partition keys from a DLF/Glue-style [{Name, Type}] array. @return 0 or -ENOMEM. */
int g2d_tmeta_set_keys(struct g2d_tmeta *m, json_t *partition_keys);
/** True if @p partition_keys (same shape) has the same names and types, in order. */
bool g2d_tmeta_same_keys(const struct g2d_tmeta *m, json_t *partition_keys);
/** True if @p partition_keys has the same names (case aside), in order; types may differ. */
bool g2d_tmeta_same_key_names(const struct g2d_tmeta *m, json_t *partition_keys);

struct g2d_snap_entry {
    char *key; /* NULL = empty slot; SNAP_TOMBSTONE = deleted */
    uint32_t hash;
    uint8_t type; /* enum g2d_item_type */
    uint8_t seen; /* cycle mark */
    struct g2d_fp fp;
    struct g2d_tmeta *meta; /* tables only, may be NULL; owned */
    void *unit;             /* in a per-cycle index: the unit of work (borrowed) */
};

struct g2d_snapshot {
    struct g2d_snap_entry *slots;
    size_t cap;       /* power of two */
    size_t used;      /* live entries */
    size_t filled;    /* live + tombstones */
    size_t key_bytes; /* bytes held by keys */
};

void g2d_snapshot_init(struct g2d_snapshot *s);
void g2d_snapshot_done(struct g2d_snapshot *s);
/** Remove everything (keeps the table). */
void g2d_snapshot_clear(struct g2d_snapshot *s);

/** Find an entry; NULL if absent. */
struct g2d_snap_entry *g2d_snapshot_get(struct g2d_snapshot *s, unsigned type, const char *key);
/** Insert or overwrite (an existing entry keeps its meta). @return 0 or -ENOMEM. */
int g2d_snapshot_put(struct g2d_snapshot *s, unsigned type, const char *key,
                     const struct g2d_fp *fp);
/** Remove if present (and its meta). */
void g2d_snapshot_del(struct g2d_snapshot *s, unsigned type, const char *key);

/** Clear every entry's seen mark. */
void g2d_snapshot_unmark(struct g2d_snapshot *s);

/** Approximate memory held, in bytes, partitions included. */
size_t g2d_snapshot_bytes(const struct g2d_snapshot *s);

/** Total partitions held by all tables. */
size_t g2d_snapshot_partitions(const struct g2d_snapshot *s);

/** Iterate: start with *pos = 0; returns the next live entry or NULL at the end. */
struct g2d_snap_entry *g2d_snapshot_next(struct g2d_snapshot *s, size_t *pos);

#endif
