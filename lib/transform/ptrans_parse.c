/* SPDX-License-Identifier: MIT */
/* Pass 1 of the DOM-free partition transform: what g2d_model_partition() reads. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/utf8.h"
#include "transform/ptrans-internal.h"

static int kref_cmp(const void *a, const void *b)
{
    const struct kref *x = a, *y = b;
    int d = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);

    if (d)
        return d;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* Sort refs[0..n) by key (strcmp order); a duplicate falls back. */
static int sort_refs(struct kref *refs, size_t n)
{
    size_t i, j;

    if (n > 24) {
        qsort(refs, n, sizeof(*refs), kref_cmp);
    } else {
        for (i = 1; i < n; i++) {
            struct kref t = refs[i];

            for (j = i; j > 0 && kref_cmp(&refs[j - 1], &t) > 0; j--)
                refs[j] = refs[j - 1];
            refs[j] = t;
        }
    }
    for (i = 1; i < n; i++)
        if (kref_cmp(&refs[i - 1], &refs[i]) == 0)
            return FB;
    return 0;
}

/*
 * A string→string map (copy_string_map()): every member recorded, the string ones used.
 * A value that is not an object is skipped (the map is then empty).
 */
static int parse_map(struct ctx *x, struct cur *c, struct map *m)
{
    const char *k;
    size_t nk, i;
    int st = 0, r;

    m->b = m->e = x->n[S_KV];
    m->nstr = 0;
    if (peek(c) != '{') {
        struct val v;

        return pt_parse_value(c, &v, 0);
    }
    for (;;) {
        struct kv *e;

        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (!(e = push(x, S_KV, sizeof(*e))))
            return -ENOMEM;
        e->k = k;
        e->nk = nk;
        if (*c->p == '"') {
            if ((r = pt_scan_string(c, &e->v.p, &e->v.n)) != 0)
                return r;
            e->is_str = true;
            m->nstr++;
        } else if ((r = pt_skip_value(c, 0)) != 0) {
            return r;
        }
    }
    m->e = x->n[S_KV];
    if (m->e == m->b)
        return 0; /* an empty map: nothing to order (and no array to point into) */
    if (pt_reserve(x->s, S_ORD, m->e * sizeof(struct kref)) < 0)
        return -ENOMEM;
    for (i = m->b; i < m->e; i++) {
        struct kv *e = &ARR(x, S_KV, struct kv)[i];

        ARR(x, S_ORD, struct kref)[i] = (struct kref){e->k, e->nk, i};
    }
    return sort_refs(ARR(x, S_ORD, struct kref) + m->b, m->e - m->b);
}

/* An array of strings (copy_any() of BucketColumns, SkewedColumnNames); null is absent. */
static int parse_str_array(struct ctx *x, struct cur *c, bool *present, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = rg->e = x->n[S_STRS];
    if (peek(c) == 'n') {
        struct val v;

        *present = false;
        return pt_parse_value(c, &v, 0); /* null: copy_any() skips it */
    }
    if (peek(c) != '[')
        return FB; /* copied as it is: not worth handling */
    *present = true;
    for (;;) {
        struct str *s;

        if ((r = pt_arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if (*c->p != '"')
            return FB;
        if (!(s = push(x, S_STRS, sizeof(*s))))
            return -ENOMEM;
        if ((r = pt_scan_string(c, &s->p, &s->n)) != 0)
            return r;
    }
    rg->e = x->n[S_STRS];
    return 0;
}

/* A string member (FK_STR): kept if it is a string, not empty if @p nonempty. */
static int parse_string(struct cur *c, bool nonempty, bool *has, struct str *s)
{
    struct val v;
    int r = pt_parse_value(c, &v, 0);

    if (r == 0 && v.t == T_STR && (v.n > 0 || !nonempty)) {
        *has = true;
        *s = (struct str){NULL, 0, v.s, v.n};
    }
    return r;
}

static int parse_bool(struct cur *c, bool *has, bool *val)
{
    struct val v;
    int r = pt_parse_value(c, &v, 0);

    if (r == 0 && (v.t == T_TRUE || v.t == T_FALSE)) {
        *has = true;
        *val = v.t == T_TRUE;
    }
    return r;
}

static int parse_int(struct cur *c, bool *has, long long *val)
{
    struct val v;
    int r = pt_parse_value(c, &v, 0);

    if (r == 0 && v.t == T_INT) {
        *has = true;
        *val = v.i;
    }
    return r;
}

/* copy_time(): a positive number of seconds, truncated. */
static int parse_time(struct cur *c, bool *has, long long *val)
{
    struct val v;
    double d;
    int r = pt_parse_value(c, &v, 0);

    if (r || (v.t != T_INT && v.t != T_REAL))
        return r;
    d = v.t == T_INT ? (double)v.i : v.d;
    if (d <= 0 || d > 4e12)
        return 0;
    *has = true;
    *val = (long long)d;
    return 0;
}

/* g2d_map_location() applied to @p v: the longest matching prefix of the location map. */
static int map_location(const struct g2d_config *cfg, struct str *v)
{
    const struct g2d_location_rule *best = g2d_location_match(cfg, v->p, v->n);
    size_t best_len;

    if (!best)
        return 0;
    best_len = strlen(best->from);
    v->pre = best->to;
    v->npre = strlen(best->to);
    v->p += best_len;
    v->n -= best_len;
    /* json_string() of the result must succeed; two valid halves make a valid whole. */
    return g2d_utf8_valid(v->pre, v->npre) && g2d_utf8_valid(v->p, v->n) ? 0 : FB;
}

/* Append to S_SIDE. */
static int side_put(struct ctx *x, const void *p, size_t n)
{
    if (pt_reserve(x->s, S_SIDE, x->n[S_SIDE] + n) < 0)
        return -ENOMEM;
    memcpy((char *)x->s->mem[S_SIDE] + x->n[S_SIDE], p, n);
    x->n[S_SIDE] += n;
    return 0;
}

struct skew_out {
    struct ctx *x;
    bool first;
};

static int skew_piece(const char *p, size_t n, void *arg)
{
    struct skew_out *o = arg;
    int r;

    if ((r = side_put(o->x, o->first ? "\"" : ",\"", o->first ? 1 : 2)) != 0 ||
        (r = side_put(o->x, p, n)) != 0 || (r = side_put(o->x, "\"", 1)) != 0)
        return r;
    o->first = false;
    return 0;
}

/*
 * g2d_decode_skewed_value() of @p s, rendered as compact JSON (an array of strings, as both
 * json_dumps(JSON_COMPACT) and g2d_jwrite_value() write it) into S_SIDE.
 */
static int render_skewed(struct ctx *x, const char *s, size_t len, struct span *out)
{
    size_t start_off = x->n[S_SIDE];
    struct skew_out o = {x, true};
    int r;

    out->off = start_off;
    if ((r = side_put(x, "[", 1)) != 0)
        return r;
    r = g2d_skewed_pieces(s, len, skew_piece, &o);
    if (r < 0)
        return r;
    if (r == 0 && ((r = side_put(x, "\"", 1)) != 0 || (r = side_put(x, s, len)) != 0 ||
                   (r = side_put(x, "\"", 1)) != 0))
        return r;
    if ((r = side_put(x, "]", 1)) != 0)
        return r;
    out->n = x->n[S_SIDE] - start_off;
    return 0;
}

/* SkewedColumnValues (at '['): each string rendered as model.c does. */
static int parse_skew_values(struct ctx *x, struct cur *c, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = x->n[S_SKV];
    for (;;) {
        struct val v;
        struct span *e;

        if ((r = pt_arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if ((r = pt_parse_value(c, &v, 0)) != 0)
            return r;
        if (v.t != T_STR)
            continue; /* skipped by map_skewed() */
        if (!(e = push(x, S_SKV, sizeof(*e))))
            return -ENOMEM;
        if ((r = render_skewed(x, v.s, v.n, e)) != 0)
            return r;
    }
    rg->e = x->n[S_SKV];
    return 0;
}

/* SkewedColumnValueLocationMaps (at '{'): keys rendered, locations mapped. */
static int parse_skew_maps(struct ctx *x, struct cur *c, struct range *rg)
{
    int st = 0, r;

    rg->b = x->n[S_SKM];
    for (;;) {
        const char *k;
        size_t nk;
        struct skm *e;

        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (*c->p != '"' || !x->cfg)
            return FB; /* model.c fails on a non-string location */
        if (!(e = push(x, S_SKM, sizeof(*e))))
            return -ENOMEM;
        if ((r = pt_scan_string(c, &e->v.p, &e->v.n)) != 0 ||
            (r = map_location(x->cfg, &e->v)) != 0 || (r = render_skewed(x, k, nk, &e->key)) != 0)
            return r;
    }
    rg->e = x->n[S_SKM];
    return 0;
}

static int parse_values(struct ctx *x, struct cur *c)
{
    struct g2d_ptrans_out *o = x->out;
    int st = 0, r;
    bool more;

    for (;;) {
        const char *s;
        size_t n;

        if ((r = pt_arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if (*c->p != '"' || o->nvalues == G2D_PTRANS_MAX_VALUES)
            return FB; /* a non-string value is an error of the DOM path */
        if ((r = pt_scan_string(c, &s, &n)) != 0)
            return r;
        o->val[o->nvalues] = s;
        o->vlen[o->nvalues++] = n;
    }
    return o->nvalues ? 0 : FB;
}

/* A new record of @p fs's size in S_FV, zeroed; its first element's index in @p rec. */
static int new_record(struct ctx *x, const struct g2d_fields *fs, size_t *rec)
{
    size_t at = x->n[S_FV];

    if (pt_reserve(x->s, S_FV, (at + fs->n) * sizeof(struct fv)) < 0)
        return -ENOMEM;
    memset(FV(x, at), 0, fs->n * sizeof(struct fv));
    x->n[S_FV] = at + fs->n;
    *rec = at;
    return 0;
}

/* Whether a sub-table's rows hold records of their own (arrays of them are not handled). */
static bool nests(const struct g2d_fields *fs)
{
    unsigned i;

    for (i = 0; i < fs->n; i++)
        if (fs->f[i].kind == FK_OBJ || fs->f[i].kind == FK_OBJS)
            return true;
    return false;
}

static int parse_record(struct ctx *x, struct cur *c, const struct g2d_fields *fs, size_t rec);

/* FK_OBJS (at '['): each element a record, consecutive in S_FV; a non-object is empty. */
static int parse_records(struct ctx *x, struct cur *c, const struct g2d_fields *fs,
                         struct range *rg)
{
    int st = 0, r;
    bool more;

    if (nests(fs))
        return FB;
    rg->b = x->n[S_FV];
    rg->e = 0;
    for (;;) {
        size_t rec;

        if ((r = pt_arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            return 0;
        if ((r = new_record(x, fs, &rec)) != 0)
            return r;
        rg->e++;
        r = *c->p == '{' ? parse_record(x, c, fs, rec) : pt_skip_value(c, 0);
        if (r)
            return r;
    }
}

/* FK_MAP, with the FF_MAP_PATH rule (the streaming path has no table-level maps). */
static int parse_map_field(struct ctx *x, struct cur *c, const struct g2d_field *f, size_t at)
{
    struct map m;
    size_t i;
    int r = parse_map(x, c, &m);

    if (r)
        return r;
    if (f->flags & FF_MAP_OTF)
        return FB;
    FV(x, at)->m = m;
    FV(x, at)->has = m.nstr > 0;
    for (i = m.b; (f->flags & FF_MAP_PATH) && x->cfg && i < m.e; i++) {
        struct kv *e = &ARR(x, S_KV, struct kv)[i];

        if (e->is_str && key_is(e->k, e->nk, "path", 4))
            return map_location(x->cfg, &e->v);
    }
    return 0;
}

/* FK_ANY: a string is kept, null is absent, anything else is not handled. */
static int parse_any(struct cur *c, bool *has, struct str *s)
{
    struct val v;
    int r = pt_parse_value(c, &v, 0);

    if (r == 0 && v.t == T_STR) {
        *has = true;
        *s = (struct str){NULL, 0, v.s, v.n};
    } else if (r == 0 && v.t != T_NULL) {
        return FB;
    }
    return r;
}

/* The kinds whose value is an object or an array of the input's. */
static int parse_nested(struct ctx *x, struct cur *c, const struct g2d_field *f, size_t at)
{
    struct fv v = {0};
    char ch = *c->p;
    int r;

    if (f->kind == FK_OBJ && ch == '{') {
        if ((r = new_record(x, f->sub, &v.rec)) != 0)
            return r;
        v.has = true;
        *FV(x, at) = v;
        return parse_record(x, c, f->sub, v.rec);
    }
    if (f->kind == FK_OBJS && ch == '[') {
        v.has = true;
        r = parse_records(x, c, f->sub, &v.r);
    } else if (f->kind == FK_SKEW_VALUES && ch == '[') {
        v.has = true;
        r = parse_skew_values(x, c, &v.r);
    } else if (f->kind == FK_SKEW_MAPS && ch == '{') {
        if (x->skm)
            return FB; /* sorted after the parse: one per partition */
        v.has = true;
        x->skm = at + 1;
        r = parse_skew_maps(x, c, &v.r);
    } else {
        return pt_skip_value(c, 0);
    }
    if (r == 0)
        *FV(x, at) = v;
    return r;
}

/* A dropped member (FK_NOTE_*): its dropped-field bit when it holds something. */
static int parse_note(struct ctx *x, struct cur *c, const struct g2d_field *f)
{
    if (f->kind == FK_NOTE_OBJ && *c->p == '{')
        x->out->dropped |= f->drop;
    if (f->kind == FK_NOTE_ARR && *c->p == '[') {
        struct cur look = {c->p + 1, c->end};

        if (peek(&look) != ']')
            x->out->dropped |= f->drop;
    }
    return pt_skip_value(c, 0);
}

/* FK_CONST: DLF gets the constant; a Glue string other than @expect is noted. */
static int parse_const(struct ctx *x, struct cur *c, const struct g2d_field *f)
{
    struct val v;
    int r = pt_parse_value(c, &v, 0);

    if (r == 0 && (f->flags & FF_NOTE_DIFF) && v.t == T_STR &&
        !key_is(v.s, v.n, f->expect, strlen(f->expect)))
        x->out->dropped |= f->drop;
    return r;
}

/*
 * The value of row @p f of a record, into the record's element @p at (zeroed when the
 * record was made). The scalar kinds write it in place: only the nested kinds add to S_FV.
 */
static inline int parse_field(struct ctx *x, struct cur *c, const struct g2d_field *f, size_t at)
{
    struct fv *v = FV(x, at);
    int r;

    switch (f->kind) {
    case FK_STR:
        r = parse_string(c, f->flags & FF_NONEMPTY, &v->has, &v->s);
        if (r == 0 && v->has && (f->flags & FF_LOCATION))
            r = map_location(x->cfg, &v->s);
        return r;
    case FK_ANY:
        return parse_any(c, &v->has, &v->s);
    case FK_BOOL:
        return parse_bool(c, &v->has, &v->b);
    case FK_INT:
        return parse_int(c, &v->has, &v->i);
    case FK_TIME:
        return parse_time(c, &v->has, &v->i);
    case FK_STRS:
        return parse_str_array(x, c, &v->has, &v->r);
    case FK_MAP:
        return parse_map_field(x, c, f, at);
    case FK_VALUES:
        return parse_values(x, c);
    case FK_NOTE_OBJ:
    case FK_NOTE_ARR:
        return parse_note(x, c, f);
    case FK_CONST:
        return parse_const(x, c, f);
    default:
        return parse_nested(x, c, f, at);
    }
}

/* An object (at '{') read by the rows of @p fs into record @p rec. */
static int parse_record(struct ctx *x, struct cur *c, const struct g2d_fields *fs, size_t rec)
{
    const char *k;
    size_t nk;
    uint32_t seen = 0;
    int st = 0, r, i;

    for (;;) {
        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            return 0;
        if ((i = g2d_fields_find(fs, k, nk)) < 0) {
            r = pt_skip_value(c, 0);
        } else {
            SEEN(i);
            r = parse_field(x, c, &fs->f[i], rec + (size_t)i);
        }
        if (r)
            return r;
    }
}

int pt_parse_partition(struct ctx *x, struct cur *c)
{
    size_t rec;
    int r;

    x->top = g2d_fields_get(G2D_FOBJ_PARTITION);
    x->skm = 0;
    if ((r = new_record(x, x->top, &rec)) != 0)
        return r;
    if (peek(c) != '{')
        return FB;
    if ((r = parse_record(x, c, x->top, rec)) != 0)
        return r;
    if (!x->out->nvalues)
        return FB; /* no Values: an error of the DOM path */
    ws(c);
    return c->p == c->end ? 0 : FB;
}

/* After the parse: the skewed location-map keys, sorted (they exist only rendered). */
int pt_sort_skew_keys(struct ctx *x)
{
    struct range *rg;
    size_t i;

    if (!x->skm)
        return 0;
    rg = &FV(x, x->skm - 1)->r;
    if (rg->e == rg->b)
        return 0;
    if (pt_reserve(x->s, S_SKORD, rg->e * sizeof(struct kref)) < 0)
        return -ENOMEM;
    for (i = rg->b; i < rg->e; i++) {
        struct skm *e = &ARR(x, S_SKM, struct skm)[i];

        ARR(x, S_SKORD, struct kref)
        [i] = (struct kref){(char *)x->s->mem[S_SIDE] + e->key.off, e->key.n, i};
    }
    /* Two keys decoding to one (json_object_set() replaces): fall back. */
    return sort_refs(ARR(x, S_SKORD, struct kref) + rg->b, rg->e - rg->b);
}
