/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/transform/ptrans*.c: the shared state of the DOM-free partition
 * transform (see ptrans.h and ptrans.c). The pieces: ptrans_json.c scans JSON (the subset
 * ptrans accepts), ptrans_parse.c records what g2d_model_partition() reads (by the rows of
 * the field table, fields.h), ptrans_emit.c
 * writes the PartitionInput text and the normalised text, ptrans.c owns the scratch and the
 * entry point. Everything here borrows the caller's scratch and input; nothing allocates
 * except through pt_reserve() into a scratch slot.
 */
#ifndef G2D_LIB_PTRANS_INTERNAL_H
#define G2D_LIB_PTRANS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "transform/fields.h"
#include "transform/ptrans.h"

#define FB G2D_PTRANS_FALLBACK

/* Deepest nesting of skipped values accepted (jansson's own limit is higher: fall back). */
#define SKIP_MAX_DEPTH 64
/* Longest real number converted (longer ones fall back). */
#define REAL_MAX_LEN 64

/* Scratch slots. */
enum {
    S_KV,    /* struct kv: members of string maps */
    S_ORD,   /* struct kref: the same, sorted per map */
    S_FV,    /* struct fv: the records, one element per row of their field table */
    S_STRS,  /* struct str: FK_STRS arrays (BucketColumns, SkewedColumnNames) */
    S_SKV,   /* struct span: SkewedColumnValues, rendered into S_SIDE */
    S_SKM,   /* struct skm: SkewedColumnValueLocationMaps */
    S_SKORD, /* struct kref: the same, sorted */
    S_SIDE,  /* text rendered while parsing */
    S_OUT,   /* the PartitionInput text */
    S_NORM,  /* the normalised text */
    S_COUNT,
};

_Static_assert(S_COUNT == G2D_PTRANS_SLOTS, "scratch slots");

/* A string value: @pre (a location-map prefix, escaped on output) then input bytes. */
struct str {
    const char *pre;
    size_t npre;
    const char *p;
    size_t n;
};

struct kv {
    const char *k;
    size_t nk;
    struct str v;
    bool is_str; /* members of other types are only kept to detect duplicate keys */
};

struct kref {
    const char *p;
    size_t n;
    size_t i;
};

/* A string map: kv[b..e), sorted in ord[b..e); @nstr string members. */
struct map {
    size_t b, e, nstr;
};

struct range {
    size_t b, e;
};

struct span {
    size_t off, n;
};

struct skm {
    struct span key; /* rendered in S_SIDE */
    struct str v;
};

/*
 * What one row of a field table (fields.h) read from the input. A record is one element
 * per row, consecutive in S_FV; records are addressed by the index of their first element
 * (the slot may move while parsing).
 */
struct fv {
    bool has; /* present, with a value DLF gets (FK_MAP: has string members) */
    bool b;   /* FK_BOOL */
    union {
        long long i;    /* FK_INT, FK_TIME */
        struct str s;   /* FK_STR, FK_ANY (strings only) */
        struct map m;   /* FK_MAP */
        struct range r; /* FK_STRS in S_STRS; FK_SKEW_* in S_SKV / S_SKM; FK_OBJS: records
                           in S_FV from b, e of them, each of the sub-table's size */
        size_t rec;     /* FK_OBJ: the sub-record */
    };
};

struct ctx {
    const struct g2d_config *cfg;
    struct g2d_ptrans_scratch *s;
    size_t n[S_COUNT]; /* elements used per slot (bytes for S_SIDE) */
    struct g2d_ptrans_out *out;
    const char *db, *table;       /* the partition's table */
    const struct g2d_fields *top; /* the partition's field table; its record starts at 0 */
    size_t skm;                   /* 1 + the fv of SkewedColumnValueLocationMaps, or 0 */
};

#define ARR(x, slot, type) ((type *)(x)->s->mem[slot])
#define FV(x, i) (&ARR(x, S_FV, struct fv)[i])

/* Make room for @p bytes in @p slot (memory owned by the scratch). @return 0 or -ENOMEM. */
int pt_reserve(struct g2d_ptrans_scratch *s, int slot, size_t bytes);

/* A new zeroed element of @p size in @p slot (owned by the scratch), or NULL. */
static inline void *push(struct ctx *x, int slot, size_t size)
{
    char *e;

    if (pt_reserve(x->s, slot, (x->n[slot] + 1) * size) < 0)
        return NULL;
    e = (char *)x->s->mem[slot] + x->n[slot]++ * size;
    memset(e, 0, size);
    return e;
}

/* ---- JSON scanning (ptrans_json.c) ------------------------------------------------------ */

struct cur {
    const char *p, *end;
};

static inline void ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

/* The next byte after whitespace, or 0 at the end (a NUL byte is never valid anyway). */
static inline char peek(struct cur *c)
{
    ws(c);
    return c->p < c->end ? *c->p : 0;
}

enum vtype { T_STR, T_INT, T_REAL, T_TRUE, T_FALSE, T_NULL, T_OBJ, T_ARR };

struct val {
    enum vtype t;
    const char *s;
    size_t n;
    long long i;
    double d;
};

/*
 * The scanners: each reads at c->p, advances it, and returns 0, FB (outside the subset) or
 * a negative errno. Strings come back as pointers into the borrowed input.
 */
int pt_scan_string(struct cur *c, const char **s, size_t *n);
int pt_parse_value(struct cur *c, struct val *v, int depth);
int pt_obj_next(struct cur *c, int *state, const char **k, size_t *nk);
int pt_arr_next(struct cur *c, int *state, bool *more);
int pt_skip_value(struct cur *c, int depth);

static inline bool key_is(const char *k, size_t nk, const char *lit, size_t nlit)
{
    return nk == nlit && memcmp(k, lit, nk) == 0;
}

#define KEY(lit) key_is(k, nk, lit, sizeof(lit) - 1)

/* Mark member @p bit of an object as seen; a second one falls back (jansson: last wins). */
#define SEEN(bit)                                                                                  \
    do {                                                                                           \
        if (seen & (1u << (bit)))                                                                  \
            return FB;                                                                             \
        seen |= 1u << (bit);                                                                       \
    } while (0)

/* ---- the passes ------------------------------------------------------------------------- */

/* Pass 1 (ptrans_parse.c): record the partition into @p x. 0, FB or -errno. */
int pt_parse_partition(struct ctx *x, struct cur *c);
int pt_sort_skew_keys(struct ctx *x);

/* ---- output buffers ------------------------------------------------------------------- */

/* A writer into one scratch slot; the first failure sticks and is checked once at the end. */
struct wb {
    struct g2d_ptrans_scratch *s;
    int slot;
    char *p;
    size_t len, cap;
    int err;
};

static inline void wb_init(struct wb *w, struct g2d_ptrans_scratch *s, int slot)
{
    w->s = s;
    w->slot = slot;
    w->p = s->mem[slot];
    w->cap = s->cap[slot];
    w->len = 0;
    w->err = 0;
}

/* Passes 2 and 3 (ptrans_emit.c): failures stick in w->err. */
void pt_emit_partition(struct ctx *x, struct wb *w);
void pt_canon_partition(struct ctx *x, struct wb *w);

#endif
