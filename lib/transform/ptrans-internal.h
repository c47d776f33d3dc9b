/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/transform/ptrans*.c: the shared state of the DOM-free partition
 * transform (see ptrans.h and ptrans.c). The pieces: ptrans_json.c scans JSON (the subset
 * ptrans accepts), ptrans_parse.c records what g2d_model_partition() reads, ptrans_emit.c
 * writes the PartitionInput text and the normalised text, ptrans.c owns the scratch and the
 * entry point. Everything here borrows the caller's scratch and input; nothing allocates
 * except through pt_reserve() into a scratch slot.
 */
#ifndef G2D_LIB_PTRANS_INTERNAL_H
#define G2D_LIB_PTRANS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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
    S_COLS,  /* struct col */
    S_SORTS, /* struct sortc */
    S_STRS,  /* struct str: BucketColumns, SkewedColumnNames */
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

struct col {
    bool has_name, has_type, has_comment;
    struct str name, type, comment;
    struct map params;
};

struct sortc {
    bool has_col, has_order;
    struct str col;
    long long order;
};

struct skm {
    struct span key; /* rendered in S_SIDE */
    struct str v;
};

struct sd {
    bool cols, loc, inf, outf, comp, compv, nb, serde, sname, slib, bucket, sort, skew, stored,
        storedv, sk_names, sk_vals, sk_maps;
    struct range colr, sortr, bucketr, sk_namer, sk_valr, sk_mapr;
    struct str location, inputf, outputf, serde_name, serde_lib;
    struct map serde_params, params;
    long long nbuckets;
};

struct ctx {
    const struct g2d_config *cfg;
    struct g2d_ptrans_scratch *s;
    size_t n[S_COUNT]; /* elements used per slot (bytes for S_SIDE) */
    struct g2d_ptrans_out *out;
    bool lat, lan, sd_present;
    long long latv, lanv;
    struct map params;
    struct sd sd;
};

#define ARR(x, slot, type) ((type *)(x)->s->mem[slot])

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
void pt_emit_partition(struct ctx *x, struct wb *w, const char *db, const char *table);
void pt_canon_partition(struct ctx *x, struct wb *w);

#endif
