/* SPDX-License-Identifier: MIT */
/* Passes 2 and 3 of the DOM-free partition transform: the PartitionInput and normalised texts. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/utf8.h"
#include "transform/ptrans-internal.h"

/* ---- output buffers ------------------------------------------------------------------- */

static bool wb_room(struct wb *w, size_t n)
{
    if (w->cap - w->len >= n)
        return true;
    if (w->err)
        return false;
    if (n > SIZE_MAX / 4 - w->len || pt_reserve(w->s, w->slot, w->len + n) < 0) {
        w->err = -ENOMEM;
        return false;
    }
    w->p = w->s->mem[w->slot];
    w->cap = w->s->cap[w->slot];
    return true;
}

static inline void w_raw(struct wb *w, const void *s, size_t n)
{
    if (wb_room(w, n)) {
        memcpy(w->p + w->len, s, n);
        w->len += n;
    }
}

static inline void w_c(struct wb *w, char c)
{
    if (wb_room(w, 1))
        w->p[w->len++] = c;
}

#define w_lit(w, s) w_raw((w), (s), sizeof(s) - 1)

/* The body of a JSON string, escaped as g2d_jwrite_string() does. */
static void w_esc(struct wb *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        w_raw(w, s + run, i - run);
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};

            w_raw(w, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

            w_raw(w, e, 6);
        }
        run = i + 1;
    }
    w_raw(w, s + run, n - run);
}

/* A string value; its input part never needs escaping. */
static void w_str(struct wb *w, const struct str *v)
{
    w_c(w, '"');
    if (v->npre)
        w_esc(w, v->pre, v->npre);
    w_raw(w, v->p, v->n);
    w_c(w, '"');
}

/* An input key or string that needs no escaping. */
static void w_plain(struct wb *w, const char *s, size_t n)
{
    if (wb_room(w, n + 2)) {
        w->p[w->len] = '"';
        memcpy(w->p + w->len + 1, s, n);
        w->p[w->len + n + 1] = '"';
        w->len += n + 2;
    }
}

/* As "%lld". */
static void w_int(struct wb *w, long long v)
{
    char b[24], *e = b + sizeof(b), *q = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    w_raw(w, q, (size_t)(e - q));
}

/* ---- the PartitionInput text (model.c's insertion order) ------------------------------- */

static void emit_map(struct ctx *x, struct wb *w, const struct map *m)
{
    const struct kv *kv = ARR(x, S_KV, struct kv);
    bool first = true;
    size_t i;

    w_c(w, '{');
    for (i = m->b; i < m->e; i++) {
        if (!kv[i].is_str)
            continue;
        if (!first)
            w_c(w, ',');
        first = false;
        w_plain(w, kv[i].k, kv[i].nk);
        w_c(w, ':');
        w_str(w, &kv[i].v);
    }
    w_c(w, '}');
}

static void emit_strs(struct ctx *x, struct wb *w, const struct range *rg)
{
    const struct str *s = ARR(x, S_STRS, struct str);
    size_t i;

    w_c(w, '[');
    for (i = rg->b; i < rg->e; i++) {
        if (i > rg->b)
            w_c(w, ',');
        w_plain(w, s[i].p, s[i].n);
    }
    w_c(w, ']');
}

static void emit_skew_values(struct ctx *x, struct wb *w)
{
    const struct span *v = ARR(x, S_SKV, struct span);
    const char *side = x->s->mem[S_SIDE];
    size_t i;

    w_c(w, '[');
    for (i = x->sd.sk_valr.b; i < x->sd.sk_valr.e; i++) {
        if (i > x->sd.sk_valr.b)
            w_c(w, ',');
        w_raw(w, side + v[i].off, v[i].n);
    }
    w_c(w, ']');
}

/* "key": with a leading comma unless first. */
#define MEMBER_KEY(w, first, lit)                                                                  \
    do {                                                                                           \
        if (!(first))                                                                              \
            w_c((w), ',');                                                                         \
        (first) = false;                                                                           \
        w_lit((w), "\"" lit "\":");                                                                \
    } while (0)

static void emit_cols(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    const struct col *cols = ARR(x, S_COLS, struct col);
    size_t i;

    w_c(w, '[');
    for (i = sd->colr.b; i < sd->colr.e; i++) {
        const struct col *c = &cols[i];
        bool f = true;

        if (i > sd->colr.b)
            w_c(w, ',');
        w_c(w, '{');
        if (c->has_name) {
            MEMBER_KEY(w, f, "Name");
            w_str(w, &c->name);
        }
        if (c->has_type) {
            MEMBER_KEY(w, f, "Type");
            w_str(w, &c->type);
        }
        if (c->has_comment) {
            MEMBER_KEY(w, f, "Comment");
            w_str(w, &c->comment);
        }
        if (c->params.nstr) {
            MEMBER_KEY(w, f, "Parameters");
            emit_map(x, w, &c->params);
        }
        w_c(w, '}');
    }
    w_c(w, ']');
}

static void emit_serde(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    bool f = true;

    w_c(w, '{');
    if (sd->sname) {
        MEMBER_KEY(w, f, "Name");
        w_str(w, &sd->serde_name);
    }
    if (sd->slib) {
        MEMBER_KEY(w, f, "SerializationLib");
        w_str(w, &sd->serde_lib);
    }
    if (sd->serde_params.nstr) {
        MEMBER_KEY(w, f, "Parameters");
        emit_map(x, w, &sd->serde_params);
    }
    w_c(w, '}');
}

static void emit_sortcols(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    const struct sortc *s = ARR(x, S_SORTS, struct sortc);
    size_t i;

    w_c(w, '[');
    for (i = sd->sortr.b; i < sd->sortr.e; i++) {
        bool f = true;

        if (i > sd->sortr.b)
            w_c(w, ',');
        w_c(w, '{');
        if (s[i].has_col) {
            MEMBER_KEY(w, f, "Col");
            w_str(w, &s[i].col);
        }
        if (s[i].has_order) {
            MEMBER_KEY(w, f, "Order");
            w_int(w, s[i].order);
        }
        w_c(w, '}');
    }
    w_c(w, ']');
}

static void emit_skew(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    bool f = true;
    size_t i;

    w_c(w, '{');
    if (sd->sk_names) {
        MEMBER_KEY(w, f, "SkewedColNames");
        emit_strs(x, w, &sd->sk_namer);
    }
    if (sd->sk_vals) {
        MEMBER_KEY(w, f, "SkewedColValues");
        emit_skew_values(x, w);
    }
    if (sd->sk_maps) {
        const struct skm *m = ARR(x, S_SKM, struct skm);
        const char *side = x->s->mem[S_SIDE];

        MEMBER_KEY(w, f, "SkewedColValueLocationMaps");
        w_c(w, '{');
        for (i = sd->sk_mapr.b; i < sd->sk_mapr.e; i++) {
            if (i > sd->sk_mapr.b)
                w_c(w, ',');
            w_c(w, '"');
            w_esc(w, side + m[i].key.off, m[i].key.n);
            w_lit(w, "\":");
            w_str(w, &m[i].v);
        }
        w_c(w, '}');
    }
    w_c(w, '}');
}

static void emit_sd(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    bool first = true;

    w_c(w, '{');
    if (sd->cols) {
        MEMBER_KEY(w, first, "Cols");
        emit_cols(x, w);
    }
    if (sd->loc) {
        MEMBER_KEY(w, first, "Location");
        w_str(w, &sd->location);
    }
    if (sd->inf) {
        MEMBER_KEY(w, first, "InputFormat");
        w_str(w, &sd->inputf);
    }
    if (sd->outf) {
        MEMBER_KEY(w, first, "OutputFormat");
        w_str(w, &sd->outputf);
    }
    if (sd->comp) {
        MEMBER_KEY(w, first, "Compressed");
        if (sd->compv)
            w_lit(w, "true");
        else
            w_lit(w, "false");
    }
    if (sd->nb) {
        MEMBER_KEY(w, first, "NumBuckets");
        w_int(w, sd->nbuckets);
    }
    if (sd->serde) {
        MEMBER_KEY(w, first, "SerDeInfo");
        emit_serde(x, w);
    }
    if (sd->bucket) {
        MEMBER_KEY(w, first, "BucketCols");
        emit_strs(x, w, &sd->bucketr);
    }
    if (sd->sort) {
        MEMBER_KEY(w, first, "SortCols");
        emit_sortcols(x, w);
    }
    if (sd->params.nstr) {
        MEMBER_KEY(w, first, "Parameters");
        emit_map(x, w, &sd->params);
    }
    if (sd->skew) {
        MEMBER_KEY(w, first, "SkewedInfo");
        emit_skew(x, w);
    }
    if (sd->stored) {
        MEMBER_KEY(w, first, "StoredAsSubDirectories");
        if (sd->storedv)
            w_lit(w, "true");
        else
            w_lit(w, "false");
    }
    w_c(w, '}');
}

void pt_emit_partition(struct ctx *x, struct wb *w, const char *db, const char *table)
{
    const struct g2d_ptrans_out *o = x->out;
    size_t i;

    w_lit(w, "{\"Values\":[");
    for (i = 0; i < o->nvalues; i++) {
        if (i)
            w_c(w, ',');
        w_plain(w, o->val[i], o->vlen[i]);
    }
    w_lit(w, "],\"DatabaseName\":\"");
    w_esc(w, db, strlen(db));
    w_lit(w, "\",\"TableName\":\"");
    w_esc(w, table, strlen(table));
    w_c(w, '"');
    if (x->lat) {
        w_lit(w, ",\"LastAccessTime\":");
        w_int(w, x->latv);
    }
    if (x->lan) {
        w_lit(w, ",\"LastAnalyzedTime\":");
        w_int(w, x->lanv);
    }
    if (x->params.nstr) {
        w_lit(w, ",\"Parameters\":");
        emit_map(x, w, &x->params);
    }
    if (x->sd_present) {
        w_lit(w, ",\"Sd\":");
        emit_sd(x, w);
    }
    w_c(w, '}');
}

/* ---- the normalised text (canon() of model.c) ------------------------------------------ */

/*
 * Each canon_* writes a value and returns true, or writes nothing and returns false when
 * canon() would find it empty. CANON_MEMBER writes "key": and drops it again if the value
 * turned out empty.
 */
#define CANON_MEMBER(w, any, lit, expr)                                                            \
    do {                                                                                           \
        size_t m_ = (w)->len;                                                                      \
        if (any)                                                                                   \
            w_c((w), ',');                                                                         \
        w_lit((w), "\"" lit "\":");                                                                \
        if (expr)                                                                                  \
            (any) = true;                                                                          \
        else                                                                                       \
            (w)->len = m_;                                                                         \
    } while (0)

static bool canon_str(struct wb *w, const struct str *s)
{
    if (s->npre + s->n == 0)
        return false;
    w_str(w, s);
    return true;
}

static bool canon_volatile(const char *k, size_t n)
{
    return g2d_param_is_volatile_n(k, n); /* model.c's list, the one truth */
}

static bool canon_map(struct ctx *x, struct wb *w, const struct map *m, bool params)
{
    const struct kv *kv = ARR(x, S_KV, struct kv);
    const struct kref *ord = ARR(x, S_ORD, struct kref);
    size_t start = w->len, i;
    bool any = false;

    if (!m->nstr)
        return false;
    w_c(w, '{');
    for (i = m->b; i < m->e; i++) {
        const struct kv *e = &kv[ord[i].i];

        if (!e->is_str || e->v.npre + e->v.n == 0 || (params && canon_volatile(e->k, e->nk)))
            continue;
        if (any)
            w_c(w, ',');
        any = true;
        w_plain(w, e->k, e->nk);
        w_c(w, ':');
        w_str(w, &e->v);
    }
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

/* An array of strings: the same text as written, unless empty. */
static bool canon_strs(struct ctx *x, struct wb *w, const struct range *rg)
{
    if (rg->e == rg->b)
        return false;
    emit_strs(x, w, rg);
    return true;
}

static bool canon_col(struct ctx *x, struct wb *w, const struct col *c)
{
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (c->has_comment)
        CANON_MEMBER(w, any, "Comment", canon_str(w, &c->comment));
    if (c->has_name)
        CANON_MEMBER(w, any, "Name", canon_str(w, &c->name));
    if (c->params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &c->params, false));
    if (c->has_type)
        CANON_MEMBER(w, any, "Type", canon_str(w, &c->type));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

static bool canon_cols(struct ctx *x, struct wb *w)
{
    const struct col *cols = ARR(x, S_COLS, struct col);
    size_t i;

    if (x->sd.colr.e == x->sd.colr.b)
        return false;
    w_c(w, '[');
    for (i = x->sd.colr.b; i < x->sd.colr.e; i++) {
        if (i > x->sd.colr.b)
            w_c(w, ',');
        if (!canon_col(x, w, &cols[i]))
            w_lit(w, "{}");
    }
    w_c(w, ']');
    return true;
}

static bool canon_sortcols(struct ctx *x, struct wb *w)
{
    const struct sortc *s = ARR(x, S_SORTS, struct sortc);
    size_t i;

    if (x->sd.sortr.e == x->sd.sortr.b)
        return false;
    w_c(w, '[');
    for (i = x->sd.sortr.b; i < x->sd.sortr.e; i++) {
        bool any = false;

        if (i > x->sd.sortr.b)
            w_c(w, ',');
        w_c(w, '{');
        if (s[i].has_col)
            CANON_MEMBER(w, any, "Col", canon_str(w, &s[i].col));
        if (s[i].has_order) {
            CANON_MEMBER(w, any, "Order", (w_int(w, s[i].order), true));
        }
        w_c(w, '}');
    }
    w_c(w, ']');
    return true;
}

static bool canon_serde(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (sd->sname)
        CANON_MEMBER(w, any, "Name", canon_str(w, &sd->serde_name));
    if (sd->serde_params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &sd->serde_params, false));
    if (sd->slib)
        CANON_MEMBER(w, any, "SerializationLib", canon_str(w, &sd->serde_lib));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

static bool canon_skew_maps(struct ctx *x, struct wb *w)
{
    const struct skm *m = ARR(x, S_SKM, struct skm);
    const struct kref *ord = ARR(x, S_SKORD, struct kref);
    size_t start = w->len, i;
    bool any = false;

    w_c(w, '{');
    for (i = x->sd.sk_mapr.b; i < x->sd.sk_mapr.e; i++) {
        const struct skm *e = &m[ord[i].i];

        if (e->v.npre + e->v.n == 0)
            continue;
        if (any)
            w_c(w, ',');
        any = true;
        w_c(w, '"');
        w_esc(w, ord[i].p, ord[i].n);
        w_lit(w, "\":");
        w_str(w, &e->v);
    }
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

static bool canon_skew(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (sd->sk_names)
        CANON_MEMBER(w, any, "SkewedColNames", canon_strs(x, w, &sd->sk_namer));
    if (sd->sk_maps)
        CANON_MEMBER(w, any, "SkewedColValueLocationMaps", canon_skew_maps(x, w));
    if (sd->sk_vals && sd->sk_valr.e > sd->sk_valr.b)
        CANON_MEMBER(w, any, "SkewedColValues", (emit_skew_values(x, w), true));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

/* Sd with model.c's sd_keys whitelist, in that order. */
static bool canon_sd(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (sd->bucket)
        CANON_MEMBER(w, any, "BucketCols", canon_strs(x, w, &sd->bucketr));
    if (sd->cols)
        CANON_MEMBER(w, any, "Cols", canon_cols(x, w));
    if (sd->comp && sd->compv)
        CANON_MEMBER(w, any, "Compressed", (w_lit(w, "true"), true));
    if (sd->inf)
        CANON_MEMBER(w, any, "InputFormat", canon_str(w, &sd->inputf));
    if (sd->loc)
        CANON_MEMBER(w, any, "Location", canon_str(w, &sd->location));
    if (sd->nb && sd->nbuckets > 0)
        CANON_MEMBER(w, any, "NumBuckets", (w_int(w, sd->nbuckets), true));
    if (sd->outf)
        CANON_MEMBER(w, any, "OutputFormat", canon_str(w, &sd->outputf));
    if (sd->params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &sd->params, false));
    if (sd->serde)
        CANON_MEMBER(w, any, "SerDeInfo", canon_serde(x, w));
    if (sd->skew)
        CANON_MEMBER(w, any, "SkewedInfo", canon_skew(x, w));
    if (sd->sort)
        CANON_MEMBER(w, any, "SortCols", canon_sortcols(x, w));
    if (sd->stored && sd->storedv)
        CANON_MEMBER(w, any, "StoredAsSubDirectories", (w_lit(w, "true"), true));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

/* The partition with model.c's partition_keys whitelist: Parameters, Sd, Values. */
void pt_canon_partition(struct ctx *x, struct wb *w)
{
    const struct g2d_ptrans_out *o = x->out;
    bool any = false;
    size_t i;

    w_c(w, '{');
    if (x->params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &x->params, true));
    if (x->sd_present)
        CANON_MEMBER(w, any, "Sd", canon_sd(x, w));
    if (any)
        w_c(w, ',');
    /* Values is never empty; its empty strings are kept as "" (they are in place). */
    w_lit(w, "\"Values\":[");
    for (i = 0; i < o->nvalues; i++) {
        if (i)
            w_c(w, ',');
        w_plain(w, o->val[i], o->vlen[i]);
    }
    w_lit(w, "]}");
}
