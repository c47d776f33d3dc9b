/* SPDX-License-Identifier: MIT */
/*
 * Internal: the registry of deletes a person decides on. One record per object that is in
 * DLF but missing from Glue and not (yet) deleted: waiting out deletes.grace_cycles, held
 * by a delete guard, approved, or rejected. The key is (type, name) — the name as the
 * result log prints it: "db", "db.tbl", "db.fn", "db.tbl/k1=v1/k2=v2" — and its ID is a
 * 64-bit hash of that key, so an object held again keeps the ID it had. An open-addressing
 * hash table probed by the ID itself (linear probing, tombstones), at most G2D_HELD_MAX
 * records.
 */
#ifndef G2D_LIB_STATE_HELD_H
#define G2D_LIB_STATE_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define G2D_HELD_MAX 500000u     /* records the registry keeps; more are held unlisted */
#define G2D_HELD_NAME_MAX 65535u /* bytes of a name (the checkpoint's string limit) */

enum g2d_held_state {
    G2D_HELD_GRACE = 0, /* missing from Glue, waiting out deletes.grace_cycles */
    G2D_HELD_HELD,      /* held by a guard, waiting for a person */
    G2D_HELD_APPROVED,  /* to be deleted at the next cycle, if still missing from Glue */
    G2D_HELD_REJECTED,  /* not deleted, not held again while it stays missing from Glue */
    G2D_HELD_NSTATES,
};

enum g2d_held_reason {
    G2D_HELD_R_NONE = 0,
    G2D_HELD_R_EMPTY_SOURCE, /* Glue listed none of the type where DLF holds some */
    G2D_HELD_R_MAX_COUNT,    /* more than deletes.max_count */
    G2D_HELD_R_MAX_FRACTION, /* more than deletes.max_fraction */
    G2D_HELD_R_KEY_CHANGE,   /* partition keys changed: the table would be dropped */
    G2D_HELD_NREASONS,
};

struct g2d_held {
    char *name; /* NULL: empty slot; G2D_HELD_TOMB: removed */
    uint64_t id;
    uint8_t type;                     /* enum g2d_item_type */
    uint8_t state;                    /* enum g2d_held_state */
    uint8_t reason;                   /* enum g2d_held_reason */
    uint8_t visited;                  /* still a candidate this cycle (not written to disk) */
    uint32_t missing;                 /* cycles it was found missing from Glue (for grace_cycles) */
    uint64_t first_cycle, last_cycle; /* cycle ids: first held (or missing), last seen so */
    int64_t first_ms, last_ms;        /* the same as Unix times in ms */
};

struct g2d_heldset {
    struct g2d_held *slots;
    size_t cap; /* power of two, or 0 */
    size_t used, filled;
};

extern char g2d_held_tomb_mark;
#define G2D_HELD_TOMB (&g2d_held_tomb_mark)

void g2d_heldset_init(struct g2d_heldset *hs);
void g2d_heldset_done(struct g2d_heldset *hs);
void g2d_heldset_clear(struct g2d_heldset *hs);

/** The stable ID of (type, name). Never 0. */
uint64_t g2d_held_id(unsigned type, const char *name);
/** "0123456789abcdef" into @p buf (17 bytes at least). */
void g2d_held_id_format(uint64_t id, char *buf);
/** 1 to 16 hex digits. @return 0 or -EINVAL. */
int g2d_held_id_parse(const char *s, uint64_t *out);

struct g2d_held *g2d_held_get(struct g2d_heldset *hs, unsigned type, const char *name);
struct g2d_held *g2d_held_find_id(struct g2d_heldset *hs, uint64_t id);
/**
 * The record of (type, name), made (state GRACE, everything 0) when absent.
 * @return it, or NULL: out of memory, the registry full (G2D_HELD_MAX), a name too long,
 * or another name with the same ID.
 */
struct g2d_held *g2d_held_put(struct g2d_heldset *hs, unsigned type, const char *name);
/** Remove the record of (type, name), if any. */
void g2d_held_del(struct g2d_heldset *hs, unsigned type, const char *name);
void g2d_held_del_entry(struct g2d_heldset *hs, struct g2d_held *e);
/** Iterate: start with *pos = 0; NULL at the end. Removing the returned entry is allowed. */
struct g2d_held *g2d_held_next(struct g2d_heldset *hs, size_t *pos);

/** Clear every visited mark (at the start of a cycle). */
void g2d_heldset_unvisit(struct g2d_heldset *hs);
/** Remove the records not visited (after a complete cycle). @return how many. */
size_t g2d_heldset_prune(struct g2d_heldset *hs);

/** "grace", "held", "approved", "rejected"; NULL when out of range. */
const char *g2d_held_state_name(unsigned state);
/** "", "empty_source", "max_count", "max_fraction", "key_change"; NULL when out of range. */
const char *g2d_held_reason_name(unsigned reason);

/**
 * Does @p name fall under @p scope ("db" or "db.table", ASCII case aside): the object
 * itself or one inside it (a table, function or partition of db; a partition of
 * db.table)? NULL or "" matches everything.
 */
bool g2d_held_in_scope(const char *name, const char *scope);

#endif
