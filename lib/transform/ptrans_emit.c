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

/* The slow half of wb_room(): grow the slot. */
static bool wb_grow(struct wb *w, size_t n)
{
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

static inline bool wb_room(struct wb *w, size_t n)
{
    return __builtin_expect(w->cap - w->len >= n, 1) || wb_grow(w, n);
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
    if (!v->npre && wb_room(w, v->n + 2)) { /* the usual case: one room check */
        char *p = w->p + w->len;

        p[0] = '"';
        memcpy(p + 1, v->p, v->n);
        p[v->n + 1] = '"';
        w->len += v->n + 2;
        return;
    }
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

static void emit_skew_values(struct ctx *x, struct wb *w, const struct range *rg)
{
    const struct span *v = ARR(x, S_SKV, struct span);
    const char *side = x->s->mem[S_SIDE];
    size_t i;

    w_c(w, '[');
    for (i = rg->b; i < rg->e; i++) {
        if (i > rg->b)
            w_c(w, ',');
        w_raw(w, side + v[i].off, v[i].n);
    }
    w_c(w, ']');
}

/* "key": of row @p f, with a leading comma unless first. */
static void w_key(struct wb *w, bool *first, const struct g2d_field *f)
{
    char *p;

    if (!wb_room(w, G2D_FIELDS_JKEY))
        return;
    if (f->jkey) { /* one fixed-size copy; the bytes past the key are overwritten later */
        memcpy(w->p + w->len, f->jkey + *first, G2D_FIELDS_JKEY);
        w->len += f->ndlf + 4u - *first;
        *first = false;
        return;
    }
    p = w->p + w->len;
    if (!*first)
        *p++ = ',';
    *first = false;
    *p++ = '"';
    memcpy(p, f->dlf, f->ndlf);
    p += f->ndlf;
    *p++ = '"';
    *p++ = ':';
    w->len = (size_t)(p - w->p);
}

/* Whether a row has nothing to write (the kinds not read from the input always have). */
static inline bool fv_absent(const struct g2d_field *f, const struct fv *v)
{
    return !v->has && f->kind != FK_VALUES && f->kind != FK_DB && f->kind != FK_TABLE &&
           f->kind != FK_CONST;
}

static void emit_skew_maps(struct ctx *x, struct wb *w, const struct range *rg)
{
    const struct skm *m = ARR(x, S_SKM, struct skm);
    const char *side = x->s->mem[S_SIDE];
    size_t i;

    w_c(w, '{');
    for (i = rg->b; i < rg->e; i++) {
        if (i > rg->b)
            w_c(w, ',');
        w_c(w, '"');
        w_esc(w, side + m[i].key.off, m[i].key.n);
        w_lit(w, "\":");
        w_str(w, &m[i].v);
    }
    w_c(w, '}');
}

static void emit_values(struct ctx *x, struct wb *w)
{
    const struct g2d_ptrans_out *o = x->out;
    size_t i;

    w_c(w, '[');
    for (i = 0; i < o->nvalues; i++) {
        if (i)
            w_c(w, ',');
        w_plain(w, o->val[i], o->vlen[i]);
    }
    w_c(w, ']');
}

/* A string not from the input: escaped. */
static void w_qesc(struct wb *w, const char *s)
{
    w_c(w, '"');
    w_esc(w, s, strlen(s));
    w_c(w, '"');
}

static void emit_record(struct ctx *x, struct wb *w, const struct g2d_fields *fs, size_t rec);

static void emit_records(struct ctx *x, struct wb *w, const struct g2d_fields *fs,
                         const struct range *rg)
{
    size_t i;

    w_c(w, '[');
    for (i = 0; i < rg->e; i++) {
        if (i)
            w_c(w, ',');
        emit_record(x, w, fs, rg->b + i * fs->n);
    }
    w_c(w, ']');
}

/* One row's member, if DLF gets it; @p db and @p table for FK_DB and FK_TABLE. */
static inline void emit_field(struct ctx *x, struct wb *w, bool *first, const struct g2d_field *f,
                              const struct fv *v)
{
    if (f->kind == FK_VALUES || f->kind == FK_DB || f->kind == FK_TABLE || f->kind == FK_CONST) {
        w_key(w, first, f);
        if (f->kind == FK_VALUES)
            emit_values(x, w);
        else
            w_qesc(w, f->kind == FK_DB ? x->db : f->kind == FK_TABLE ? x->table : f->konst);
        return;
    }
    if (!v->has || !f->dlf)
        return;
    w_key(w, first, f);
    switch (f->kind) {
    case FK_STR:
    case FK_ANY:
        w_str(w, &v->s);
        break;
    case FK_BOOL:
        if (v->b)
            w_lit(w, "true");
        else
            w_lit(w, "false");
        break;
    case FK_INT:
    case FK_TIME:
        w_int(w, v->i);
        break;
    case FK_MAP:
        emit_map(x, w, &v->m);
        break;
    case FK_STRS:
        emit_strs(x, w, &v->r);
        break;
    case FK_OBJ:
        emit_record(x, w, f->sub, v->rec);
        break;
    case FK_OBJS:
        emit_records(x, w, f->sub, &v->r);
        break;
    case FK_SKEW_VALUES:
        emit_skew_values(x, w, &v->r);
        break;
    default: /* FK_SKEW_MAPS */
        emit_skew_maps(x, w, &v->r);
        break;
    }
}

/* A record as model.c builds it: the rows in table order. */
static void emit_record(struct ctx *x, struct wb *w, const struct g2d_fields *fs, size_t rec)
{
    bool first = true;
    unsigned i;

    w_c(w, '{');
    for (i = 0; i < fs->n; i++)
        emit_field(x, w, &first, &fs->f[i], FV(x, rec + i));
    w_c(w, '}');
}

void pt_emit_partition(struct ctx *x, struct wb *w)
{
    emit_record(x, w, x->top, 0);
}

/* ---- the normalised text (canon() of model.c) ------------------------------------------ */

/* Each canon_* writes a value and returns true, or writes nothing and returns false when
 * canon() would find it empty. */
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

        /* An empty value is a value in a parameter map (README "Empty values"). */
        if (!e->is_str || (params && canon_volatile(e->k, e->nk)))
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

static bool canon_skew_maps(struct ctx *x, struct wb *w, const struct range *rg)
{
    const struct skm *m = ARR(x, S_SKM, struct skm);
    const struct kref *ord = ARR(x, S_SKORD, struct kref);
    size_t start = w->len, i;
    bool any = false;

    w_c(w, '{');
    for (i = rg->b; i < rg->e; i++) {
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

static bool canon_record(struct ctx *x, struct wb *w, const struct g2d_fields *fs, size_t rec);

/* FK_OBJS: [] is empty; an empty element is written as {} so positions stay. */
static bool canon_records(struct ctx *x, struct wb *w, const struct g2d_fields *fs,
                          const struct range *rg)
{
    size_t i;

    if (!rg->e)
        return false;
    w_c(w, '[');
    for (i = 0; i < rg->e; i++) {
        if (i)
            w_c(w, ',');
        if (!canon_record(x, w, fs, rg->b + i * fs->n))
            w_lit(w, "{}");
    }
    w_c(w, ']');
    return true;
}

/* The value of one row as canon() writes it; false (nothing written) when it is empty. */
static inline bool canon_value(struct ctx *x, struct wb *w, const struct g2d_field *f,
                               const struct fv *v)
{
    switch (f->kind) {
    case FK_VALUES:
        emit_values(x, w); /* never empty; its "" elements stay in place */
        return true;
    case FK_DB:
    case FK_TABLE:
    case FK_CONST: {
        const char *s = f->kind == FK_DB ? x->db : f->kind == FK_TABLE ? x->table : f->konst;

        if (!*s)
            return false;
        w_qesc(w, s);
        return true;
    }
    default:
        break;
    }
    if (!v->has)
        return false;
    switch (f->kind) {
    case FK_STR:
    case FK_ANY:
        return canon_str(w, &v->s);
    case FK_BOOL:
        if (v->b)
            w_lit(w, "true");
        return v->b;
    case FK_INT:
    case FK_TIME:
        if ((f->flags & FF_POSITIVE) && v->i <= 0)
            return false;
        w_int(w, v->i);
        return true;
    case FK_MAP:
        return canon_map(x, w, &v->m, f->flags & FF_VOLATILE);
    case FK_STRS:
        return canon_strs(x, w, &v->r);
    case FK_OBJ:
        return canon_record(x, w, f->sub, v->rec);
    case FK_OBJS:
        return canon_records(x, w, f->sub, &v->r);
    case FK_SKEW_VALUES:
        if (v->r.e == v->r.b)
            return false;
        emit_skew_values(x, w, &v->r);
        return true;
    case FK_SKEW_MAPS:
        return canon_skew_maps(x, w, &v->r);
    default:
        return false;
    }
}

/* A record as canon() writes it: the normalised rows, sorted by DLF name; empty ones left out. */
static bool canon_record(struct ctx *x, struct wb *w, const struct g2d_fields *fs, size_t rec)
{
    size_t start = w->len;
    bool any = false;
    unsigned i;

    w_c(w, '{');
    for (i = 0; i < fs->norder; i++) {
        const struct g2d_field *f = &fs->f[fs->order[i]];
        size_t mark = w->len;
        bool first = !any;

        if (fv_absent(f, FV(x, rec + fs->order[i])))
            continue;
        w_key(w, &first, f);
        if (canon_value(x, w, f, FV(x, rec + fs->order[i])))
            any = true;
        else
            w->len = mark;
    }
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

void pt_canon_partition(struct ctx *x, struct wb *w)
{
    if (!canon_record(x, w, x->top, 0))
        w_lit(w, "{}");
}
