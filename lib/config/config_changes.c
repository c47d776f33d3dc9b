/* SPDX-License-Identifier: MIT */
/*
 * Two configs compared key by key, following the key table and its flags: what a reload
 * changes (and so whether it needs a restart or a snapshot rebuild), the hash of a set of
 * keys (the scope a checkpoint is for), and a copy of a set of keys (the settings a daemon
 * fixed at start-up). A new key type needs its case in each of same(), hash_key() and
 * copy_key().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "config/config_check.h"

/* Size of the storage of a scalar key type; 0 for the others. */
static size_t scalar_size(enum g2d__ktype t)
{
    switch (t) {
    case K_UINT:
    case K_OBJECTS:
        return sizeof(unsigned);
    case K_DOUBLE:
        return sizeof(double);
    case K_DURATION:
        return sizeof(uint64_t);
    case K_SIZE:
        return sizeof(size_t);
    case K_BOOL:
        return sizeof(bool);
    case K_ENUM:
        return sizeof(int);
    case K_MODE:
        return sizeof(mode_t);
    default:
        return 0;
    }
}

static bool str_same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool strv_same(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_same(a[i], b[i]))
            return false;
    return true;
}

/* The filters as sets: each filter of @p a is in @p b (no two share a table). */
static bool filters_same(const struct g2d_config *a, const struct g2d_config *b)
{
    if (a->npartition_filters != b->npartition_filters)
        return false;
    for (size_t i = 0; i < a->npartition_filters; i++) {
        const struct g2d_partition_filter *x = &a->partition_filters[i];
        const char *y = g2d_config_partition_filter(b, x->database, x->table);

        if (!y || strcmp(y, x->expression))
            return false;
    }
    return true;
}

/* The renames as a set of rules (no two share a source). */
static bool renames_same(const struct g2d_config *a, const struct g2d_config *b)
{
    if (a->nrenames != b->nrenames)
        return false;
    for (size_t i = 0; i < a->nrenames; i++) {
        const struct g2d_rename_rule *x = &a->renames[i];
        const char *y = x->table ? g2d_config_rename_table(b, x->database, x->table)
                                 : g2d_config_rename_database(b, x->database);

        if (!y || strcmp(y, x->to))
            return false;
    }
    return true;
}

/* The location map as a set of rules (no two share a source prefix). */
static bool locmap_same(const struct g2d_config *a, const struct g2d_config *b)
{
    if (a->nlocation_map != b->nlocation_map)
        return false;
    for (size_t i = 0; i < a->nlocation_map; i++) {
        size_t j;

        for (j = 0; j < b->nlocation_map; j++)
            if (!strcmp(a->location_map[i].from, b->location_map[j].from))
                break;
        if (j == b->nlocation_map || strcmp(a->location_map[i].to, b->location_map[j].to))
            return false;
    }
    return true;
}

static bool same(const struct g2d_config *a, const struct g2d_config *b,
                 const struct g2d__key_desc *d)
{
    const void *x = g2d__key_field(a, d), *y = g2d__key_field(b, d);

    if (g2d__ktype_is_text(d->type))
        return str_same(*(char *const *)x, *(char *const *)y);
    switch (d->type) {
    case K_MODE:
        return ((*(const mode_t *)x ^ *(const mode_t *)y) & 0777) == 0;
    case K_DOUBLE:
        return *(const double *)x == *(const double *)y;
    case K_SECRET: {
        const struct g2d_secret *s = x, *t = y;

        return s->source == t->source && str_same(s->value, t->value) &&
               str_same(s->origin, t->origin);
    }
    case K_STRLIST:
        return strv_same(*(char **const *)x, *(const size_t *)((const char *)a + d->count_off),
                         *(char **const *)y, *(const size_t *)((const char *)b + d->count_off));
    case K_FILTERS:
        return filters_same(a, b);
    case K_LOCMAP:
        return locmap_same(a, b);
    case K_RENAME:
        return renames_same(a, b);
    default:
        return memcmp(x, y, scalar_size(d->type)) == 0;
    }
}

size_t g2d_config_changes(const struct g2d_config *a, const struct g2d_config *b, unsigned mask,
                          struct g2d_config_change *out, size_t cap)
{
    const struct g2d__section_desc *sec;
    const struct g2d__key_desc *d;
    size_t n = 0;

    G2D__FOR_EACH_KEY(sec, d)
    {
        if ((mask && !(d->flags & mask)) || same(a, b, d))
            continue;
        if (n < cap) {
            g2d__cfg_join(out[n].key, sizeof(out[n].key), sec->name, d->name);
            out[n].flags = d->flags;
        }
        n++;
    }
    return n;
}

static void hash_str(XXH3_state_t *h, const char *s)
{
    if (!s)
        s = "";
    XXH3_64bits_update(h, s, strlen(s) + 1);
}

/* A set of pairs (or triples) hashed independently of its order: the sum of its members'. */
static uint64_t hash_member(const char *x, const char *y, const char *z)
{
    XXH3_state_t *h = XXH3_createState();
    uint64_t v;

    if (!h)
        return 0;
    XXH3_64bits_reset(h);
    hash_str(h, x);
    hash_str(h, y);
    hash_str(h, z);
    v = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return v;
}

static void hash_key(XXH3_state_t *h, const struct g2d_config *c, const struct g2d__key_desc *d)
{
    const void *x = g2d__key_field(c, d);
    uint64_t sum = 0;
    mode_t m;

    if (g2d__ktype_is_text(d->type)) {
        hash_str(h, *(char *const *)x);
        return;
    }
    switch (d->type) {
    case K_MODE:
        m = *(const mode_t *)x & 0777;
        XXH3_64bits_update(h, &m, sizeof(m));
        return;
    case K_SECRET: {
        const struct g2d_secret *s = x;

        hash_str(h, s->value);
        hash_str(h, s->origin);
        XXH3_64bits_update(h, &s->source, sizeof(s->source));
        return;
    }
    case K_STRLIST: {
        size_t n = *(const size_t *)((const char *)c + d->count_off);

        for (size_t i = 0; i < n; i++)
            hash_str(h, (*(char **const *)x)[i]);
        XXH3_64bits_update(h, &n, sizeof(n));
        return;
    }
    case K_FILTERS:
        for (size_t i = 0; i < c->npartition_filters; i++)
            sum += hash_member(c->partition_filters[i].database, c->partition_filters[i].table,
                               c->partition_filters[i].expression);
        break;
    case K_LOCMAP:
        for (size_t i = 0; i < c->nlocation_map; i++)
            sum += hash_member(c->location_map[i].from, c->location_map[i].to, NULL);
        break;
    case K_RENAME:
        /* "db" and "db." hash apart: a database rule is never a table rule's twin */
        for (size_t i = 0; i < c->nrenames; i++) {
            const struct g2d_rename_rule *r = &c->renames[i];

            sum += hash_member(r->database, r->table ? r->table : "\001", r->to);
        }
        break;
    default:
        XXH3_64bits_update(h, x, scalar_size(d->type));
        return;
    }
    XXH3_64bits_update(h, &sum, sizeof(sum));
}

uint64_t g2d_config_hash(const struct g2d_config *cfg, unsigned mask)
{
    const struct g2d__section_desc *sec;
    const struct g2d__key_desc *d;
    XXH3_state_t *h = XXH3_createState();
    uint64_t v;

    if (!h)
        return 1;
    XXH3_64bits_reset(h);
    hash_str(h, "glue2dlf-config-keys-1");
    G2D__FOR_EACH_KEY(sec, d)
    {
        if (mask && !(d->flags & mask))
            continue;
        hash_str(h, sec->name);
        hash_str(h, d->name);
        hash_key(h, cfg, d);
    }
    v = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return v ? v : 1;
}

/* ---- copies ---------------------------------------------------------------------------- */

static int dup_str(char **dst, const char *s)
{
    *dst = s ? strdup(s) : NULL;
    return s && !*dst ? -ENOMEM : 0;
}

static int copy_strlist(struct g2d_config *dst, const struct g2d_config *src,
                        const struct g2d__key_desc *d)
{
    char *const *from = *(char **const *)g2d__key_field(src, d);
    size_t n = *(const size_t *)((const char *)src + d->count_off);
    char ***to = g2d__key_field(dst, d);
    size_t *count = (size_t *)(void *)((char *)dst + d->count_off);

    if (!n)
        return 0;
    *to = calloc(n, sizeof(char *));
    if (!*to)
        return -ENOMEM;
    for (; *count < n; (*count)++)
        if (dup_str(&(*to)[*count], from[*count]) < 0)
            return -ENOMEM;
    return 0;
}

static int copy_filters(struct g2d_config *dst, const struct g2d_config *src)
{
    if (!src->npartition_filters)
        return 0;
    dst->partition_filters = calloc(src->npartition_filters, sizeof(*dst->partition_filters));
    if (!dst->partition_filters)
        return -ENOMEM;
    for (size_t i = 0; i < src->npartition_filters; i++) {
        const struct g2d_partition_filter *f = &src->partition_filters[i];
        struct g2d_partition_filter *t = &dst->partition_filters[i];

        dst->npartition_filters++;
        if (dup_str(&t->database, f->database) < 0 || dup_str(&t->table, f->table) < 0 ||
            dup_str(&t->expression, f->expression) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int copy_locmap(struct g2d_config *dst, const struct g2d_config *src)
{
    if (!src->nlocation_map)
        return 0;
    dst->location_map = calloc(src->nlocation_map, sizeof(*dst->location_map));
    if (!dst->location_map)
        return -ENOMEM;
    for (size_t i = 0; i < src->nlocation_map; i++) {
        dst->nlocation_map++;
        if (dup_str(&dst->location_map[i].from, src->location_map[i].from) < 0 ||
            dup_str(&dst->location_map[i].to, src->location_map[i].to) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int copy_renames(struct g2d_config *dst, const struct g2d_config *src)
{
    if (!src->nrenames)
        return 0;
    dst->renames = calloc(src->nrenames, sizeof(*dst->renames));
    if (!dst->renames)
        return -ENOMEM;
    for (size_t i = 0; i < src->nrenames; i++) {
        const struct g2d_rename_rule *f = &src->renames[i];
        struct g2d_rename_rule *t = &dst->renames[i];

        dst->nrenames++;
        if (dup_str(&t->database, f->database) < 0 || dup_str(&t->table, f->table) < 0 ||
            dup_str(&t->to, f->to) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int copy_key(struct g2d_config *dst, const struct g2d_config *src,
                    const struct g2d__key_desc *d)
{
    const void *x = g2d__key_field(src, d);
    void *y = g2d__key_field(dst, d);

    if (g2d__ktype_is_text(d->type))
        return dup_str(y, *(char *const *)x);
    switch (d->type) {
    case K_SECRET: {
        const struct g2d_secret *s = x;
        struct g2d_secret *t = y;

        t->source = s->source;
        return dup_str(&t->value, s->value) < 0 || dup_str(&t->origin, s->origin) < 0 ? -ENOMEM : 0;
    }
    case K_STRLIST:
        return copy_strlist(dst, src, d);
    case K_FILTERS:
        return copy_filters(dst, src);
    case K_LOCMAP:
        return copy_locmap(dst, src);
    case K_RENAME:
        return copy_renames(dst, src);
    default:
        memcpy(y, x, scalar_size(d->type));
        return 0;
    }
}

int g2d_config_copy_keys(struct g2d_config **out, const struct g2d_config *src, unsigned mask)
{
    const struct g2d__section_desc *sec;
    const struct g2d__key_desc *d;
    struct g2d_config *c = calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    G2D__FOR_EACH_KEY(sec, d)
    {
        (void)sec;
        if (mask && !(d->flags & mask))
            continue;
        if (copy_key(c, src, d) < 0) {
            g2d_config_free(c);
            return -ENOMEM;
        }
    }
    *out = c;
    return 0;
}
