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

/* A string member copied by copy_nonempty_string(). */
static int parse_nonempty(struct cur *c, bool *has, struct str *s)
{
    struct val v;
    int r = pt_parse_value(c, &v, 0);

    if (r == 0 && v.t == T_STR && v.n > 0) {
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

static int parse_column(struct ctx *x, struct cur *c, struct col *col)
{
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    col->params.b = col->params.e = x->n[S_KV];
    if (peek(c) != '{') {
        struct val v;

        return pt_parse_value(c, &v, 0); /* not an object: an empty column */
    }
    for (;;) {
        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            return 0;
        if (KEY("Name")) {
            SEEN(0);
            r = parse_nonempty(c, &col->has_name, &col->name);
        } else if (KEY("Type")) {
            struct val v;

            SEEN(1);
            r = pt_parse_value(c, &v, 0);
            if (r == 0 && v.t == T_STR) {
                col->has_type = true;
                col->type = (struct str){NULL, 0, v.s, v.n};
            } else if (r == 0 && v.t != T_NULL) {
                return FB; /* copy_any() of another type: not handled */
            }
        } else if (KEY("Comment")) {
            SEEN(2);
            r = parse_nonempty(c, &col->has_comment, &col->comment);
        } else if (KEY("Parameters")) {
            SEEN(3);
            r = parse_map(x, c, &col->params);
        } else {
            r = pt_skip_value(c, 0);
        }
        if (r)
            return r;
    }
}

static int parse_columns(struct ctx *x, struct cur *c, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = rg->e = x->n[S_COLS];
    for (;;) {
        struct col col = {0};

        if ((r = pt_arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if ((r = parse_column(x, c, &col)) != 0)
            return r;
        {
            struct col *e = push(x, S_COLS, sizeof(*e));

            if (!e)
                return -ENOMEM;
            *e = col;
        }
    }
    rg->e = x->n[S_COLS];
    return 0;
}

static int parse_sortcols(struct ctx *x, struct cur *c, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = rg->e = x->n[S_SORTS];
    for (;;) {
        struct sortc sc = {0}, *e;

        if ((r = pt_arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if (*c->p == '{') {
            const char *k;
            size_t nk;
            unsigned seen = 0;
            int st2 = 0;

            for (;;) {
                if ((r = pt_obj_next(c, &st2, &k, &nk)) != 0)
                    return r;
                if (!k)
                    break;
                if (KEY("Column")) {
                    SEEN(0);
                    r = parse_nonempty(c, &sc.has_col, &sc.col);
                } else if (KEY("SortOrder")) {
                    SEEN(1);
                    r = parse_int(c, &sc.has_order, &sc.order);
                } else {
                    r = pt_skip_value(c, 0);
                }
                if (r)
                    return r;
            }
        } else if ((r = pt_skip_value(c, 0)) != 0) {
            return r;
        }
        if (!(e = push(x, S_SORTS, sizeof(*e))))
            return -ENOMEM;
        *e = sc;
    }
    rg->e = x->n[S_SORTS];
    return 0;
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

/* SkewedColumnValues (at '['): each string rendered as map_skewed() would. */
static int parse_skew_values(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    int st = 0, r;
    bool more;

    sd->sk_vals = true;
    sd->sk_valr.b = x->n[S_SKV];
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
    sd->sk_valr.e = x->n[S_SKV];
    return 0;
}

/* SkewedColumnValueLocationMaps (at '{'): keys rendered, locations mapped. */
static int parse_skew_maps(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    int st = 0, r;

    sd->sk_maps = true;
    sd->sk_mapr.b = x->n[S_SKM];
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
    sd->sk_mapr.e = x->n[S_SKM];
    return 0;
}

static int parse_skewed(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    sd->sk_namer.b = sd->sk_namer.e = x->n[S_STRS];
    sd->sk_valr.b = sd->sk_valr.e = x->n[S_SKV];
    sd->sk_mapr.b = sd->sk_mapr.e = x->n[S_SKM];
    for (;;) {
        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            return 0;
        if (KEY("SkewedColumnNames")) {
            SEEN(0);
            r = parse_str_array(x, c, &sd->sk_names, &sd->sk_namer);
        } else if (KEY("SkewedColumnValues")) {
            SEEN(1);
            r = *c->p != '[' ? pt_skip_value(c, 0) : parse_skew_values(x, c);
        } else if (KEY("SkewedColumnValueLocationMaps")) {
            SEEN(2);
            r = *c->p != '{' ? pt_skip_value(c, 0) : parse_skew_maps(x, c);
        } else {
            r = pt_skip_value(c, 0);
        }
        if (r)
            return r;
    }
}

static int parse_serde(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    const char *k;
    size_t nk, i;
    unsigned seen = 0;
    int st = 0, r;

    sd->serde_params.b = sd->serde_params.e = x->n[S_KV];
    for (;;) {
        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (KEY("Name")) {
            SEEN(0);
            r = parse_nonempty(c, &sd->sname, &sd->serde_name);
        } else if (KEY("SerializationLibrary")) {
            SEEN(1);
            r = parse_nonempty(c, &sd->slib, &sd->serde_lib);
        } else if (KEY("Parameters")) {
            SEEN(2);
            r = parse_map(x, c, &sd->serde_params);
        } else {
            r = pt_skip_value(c, 0);
        }
        if (r)
            return r;
    }
    /* Spark keeps the table path in the SerDe parameters too. */
    for (i = sd->serde_params.b; x->cfg && i < sd->serde_params.e; i++) {
        struct kv *e = &ARR(x, S_KV, struct kv)[i];

        if (e->is_str && key_is(e->k, e->nk, "path", 4))
            return map_location(x->cfg, &e->v);
    }
    return 0;
}

static int parse_sd(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    sd->params.b = sd->params.e = x->n[S_KV];
    for (;;) {
        char ch;

        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        ch = *c->p;
        if (KEY("Columns")) {
            SEEN(0);
            sd->cols = ch == '[';
            r = sd->cols ? parse_columns(x, c, &sd->colr) : pt_skip_value(c, 0);
        } else if (KEY("Location")) {
            SEEN(1);
            r = parse_nonempty(c, &sd->loc, &sd->location);
        } else if (KEY("InputFormat")) {
            SEEN(2);
            r = parse_nonempty(c, &sd->inf, &sd->inputf);
        } else if (KEY("OutputFormat")) {
            SEEN(3);
            r = parse_nonempty(c, &sd->outf, &sd->outputf);
        } else if (KEY("Compressed")) {
            SEEN(4);
            r = parse_bool(c, &sd->comp, &sd->compv);
        } else if (KEY("NumberOfBuckets")) {
            SEEN(5);
            r = parse_int(c, &sd->nb, &sd->nbuckets);
        } else if (KEY("SerdeInfo")) {
            SEEN(6);
            sd->serde = ch == '{';
            r = sd->serde ? parse_serde(x, c) : pt_skip_value(c, 0);
        } else if (KEY("BucketColumns")) {
            SEEN(7);
            r = parse_str_array(x, c, &sd->bucket, &sd->bucketr);
        } else if (KEY("SortColumns")) {
            SEEN(8);
            sd->sort = ch == '[';
            r = sd->sort ? parse_sortcols(x, c, &sd->sortr) : pt_skip_value(c, 0);
        } else if (KEY("Parameters")) {
            SEEN(9);
            r = parse_map(x, c, &sd->params);
        } else if (KEY("SkewedInfo")) {
            SEEN(10);
            sd->skew = ch == '{';
            r = sd->skew ? parse_skewed(x, c) : pt_skip_value(c, 0);
        } else if (KEY("StoredAsSubDirectories")) {
            SEEN(11);
            r = parse_bool(c, &sd->stored, &sd->storedv);
        } else if (KEY("AdditionalLocations")) {
            SEEN(12);
            if (ch == '[') {
                struct cur look = {c->p + 1, c->end};

                if (peek(&look) != ']')
                    x->out->dropped |= G2D_DROP_SD_ADDITIONAL_LOCATIONS;
            }
            r = pt_skip_value(c, 0);
        } else if (KEY("SchemaReference")) {
            SEEN(13);
            if (ch == '{')
                x->out->dropped |= G2D_DROP_SD_SCHEMA_REFERENCE;
            r = pt_skip_value(c, 0);
        } else {
            r = pt_skip_value(c, 0);
        }
        if (r)
            return r;
    }
    if (sd->loc && (r = map_location(x->cfg, &sd->location)) != 0)
        return r;
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

int pt_parse_partition(struct ctx *x, struct cur *c)
{
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    x->params.b = x->params.e = 0;
    for (;;) {
        if ((r = pt_obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (KEY("Values")) {
            SEEN(0);
            r = parse_values(x, c);
        } else if (KEY("LastAccessTime")) {
            SEEN(1);
            r = parse_time(c, &x->lat, &x->latv);
        } else if (KEY("LastAnalyzedTime")) {
            SEEN(2);
            r = parse_time(c, &x->lan, &x->lanv);
        } else if (KEY("Parameters")) {
            SEEN(3);
            r = parse_map(x, c, &x->params);
        } else if (KEY("StorageDescriptor")) {
            SEEN(4);
            x->sd_present = *c->p == '{';
            r = x->sd_present ? parse_sd(x, c) : pt_skip_value(c, 0);
        } else {
            r = pt_skip_value(c, 0);
        }
        if (r)
            return r;
    }
    if (!(seen & 1u))
        return FB; /* no Values: an error of the DOM path */
    ws(c);
    return c->p == c->end ? 0 : FB;
}

/* After the parse: the skewed location-map keys, sorted (they exist only rendered). */
int pt_sort_skew_keys(struct ctx *x)
{
    struct range *rg = &x->sd.sk_mapr;
    size_t i;

    if (!x->sd.sk_maps || rg->e == rg->b)
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
