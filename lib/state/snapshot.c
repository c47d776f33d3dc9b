/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state/snapshot.h"

static char tombstone_mark;
#define SNAP_TOMBSTONE (&tombstone_mark)

/* FNV-1a over the type byte and the key. */
static uint32_t snap_hash(unsigned type, const char *key)
{
    uint32_t h = 2166136261u;

    h = (h ^ (uint8_t)type) * 16777619u;
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 16777619u;
    return h;
}

struct g2d_tmeta *g2d_tmeta_new(void)
{
    struct g2d_tmeta *m = calloc(1, sizeof(*m));

    if (m)
        g2d_pset_init(&m->parts);
    return m;
}

static void tmeta_free_keys(struct g2d_tmeta *m)
{
    size_t i;

    for (i = 0; i < m->nkeys; i++) {
        free(m->keys[i]);
        free(m->types[i]);
    }
    free(m->keys);
    free(m->types);
    m->keys = m->types = NULL;
    m->nkeys = 0;
}

void g2d_tmeta_free(struct g2d_tmeta *m)
{
    if (!m)
        return;
    tmeta_free_keys(m);
    g2d_pset_done(&m->parts);
    free(m);
}

int g2d_tmeta_set_keys(struct g2d_tmeta *m, json_t *partition_keys)
{
    size_t n = json_array_size(partition_keys), i;
    json_t *k;

    tmeta_free_keys(m);
    if (n == 0)
        return 0;
    m->keys = calloc(n, sizeof(char *));
    m->types = calloc(n, sizeof(char *));
    if (!m->keys || !m->types)
        goto oom;
    json_array_foreach(partition_keys, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "Name"));
        const char *type = json_string_value(json_object_get(k, "Type"));

        m->keys[i] = strdup(name ? name : "");
        m->types[i] = strdup(type ? type : "string");
        m->nkeys = i + 1;
        if (!m->keys[i] || !m->types[i])
            goto oom;
    }
    return 0;
oom:
    tmeta_free_keys(m);
    return -ENOMEM;
}

bool g2d_tmeta_same_keys(const struct g2d_tmeta *m, json_t *partition_keys)
{
    size_t i;
    json_t *k;

    if (json_array_size(partition_keys) != m->nkeys)
        return false;
    json_array_foreach(partition_keys, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "Name"));
        const char *type = json_string_value(json_object_get(k, "Type"));

        if (!name || strcasecmp(name, m->keys[i]) != 0 ||
            strcasecmp(type ? type : "string", m->types[i]) != 0)
            return false;
    }
    return true;
}

bool g2d_tmeta_same_key_names(const struct g2d_tmeta *m, json_t *partition_keys)
{
    size_t i;
    json_t *k;

    if (json_array_size(partition_keys) != m->nkeys)
        return false;
    json_array_foreach(partition_keys, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "Name"));

        if (!name || strcasecmp(name, m->keys[i]) != 0)
            return false;
    }
    return true;
}

void g2d_snapshot_init(struct g2d_snapshot *s)
{
    memset(s, 0, sizeof(*s));
}

void g2d_snapshot_clear(struct g2d_snapshot *s)
{
    size_t i;

    for (i = 0; i < s->cap; i++) {
        if (s->slots[i].key && s->slots[i].key != SNAP_TOMBSTONE)
            free(s->slots[i].key);
        g2d_tmeta_free(s->slots[i].meta);
        s->slots[i].meta = NULL;
        s->slots[i].key = NULL;
    }
    s->used = 0;
    s->filled = 0;
    s->key_bytes = 0;
}

void g2d_snapshot_done(struct g2d_snapshot *s)
{
    if (!s)
        return;
    g2d_snapshot_clear(s);
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

static struct g2d_snap_entry *snap_find(struct g2d_snapshot *s, unsigned type, const char *key,
                                        uint32_t h)
{
    size_t mask, i;

    if (!s->cap)
        return NULL;
    mask = s->cap - 1;
    for (i = h & mask;; i = (i + 1) & mask) {
        struct g2d_snap_entry *e = &s->slots[i];

        if (!e->key)
            return NULL;
        if (e->key != SNAP_TOMBSTONE && e->hash == h && e->type == type && strcmp(e->key, key) == 0)
            return e;
    }
}

struct g2d_snap_entry *g2d_snapshot_get(struct g2d_snapshot *s, unsigned type, const char *key)
{
    return snap_find(s, type, key, snap_hash(type, key));
}

static int snap_grow(struct g2d_snapshot *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64, i, mask = ncap - 1;
    struct g2d_snap_entry *n;

    /* Only rehash in place of tombstones when mostly tombstones. */
    if (s->cap && s->used * 4 < s->cap)
        ncap = s->cap, mask = ncap - 1;
    n = calloc(ncap, sizeof(*n));
    if (!n)
        return -ENOMEM;
    for (i = 0; i < s->cap; i++) {
        struct g2d_snap_entry *e = &s->slots[i];
        size_t j;

        if (!e->key || e->key == SNAP_TOMBSTONE)
            continue;
        for (j = e->hash & mask; n[j].key; j = (j + 1) & mask)
            ;
        n[j] = *e;
    }
    free(s->slots);
    s->slots = n;
    s->cap = ncap;
    s->filled = s->used;
    return 0;
}

int g2d_snapshot_put(struct g2d_snapshot *s, unsigned type, const char *key,
                     const struct g2d_fp *fp)
{
    uint32_t h = snap_hash(type, key);
    struct g2d_snap_entry *e = snap_find(s, type, key, h);
    size_t mask, i;
    char *k;

    if (e) {
        e->fp = *fp;
        return 0;
    }
    if ((s->filled + 1) * 4 > s->cap * 3) {
        int r = snap_grow(s);

        if (r < 0)
            return r;
    }
    k = strdup(key);
    if (!k)
        return -ENOMEM;
    mask = s->cap - 1;
    for (i = h & mask; s->slots[i].key && s->slots[i].key != SNAP_TOMBSTONE; i = (i + 1) & mask)
        ;
    if (!s->slots[i].key)
        s->filled++;
    e = &s->slots[i];
    e->key = k;
    e->hash = h;
    e->type = (uint8_t)type;
    e->seen = 0;
    e->fp = *fp;
    e->meta = NULL;
    e->unit = NULL;
    s->used++;
    s->key_bytes += strlen(k) + 1;
    return 0;
}

void g2d_snapshot_del(struct g2d_snapshot *s, unsigned type, const char *key)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(s, type, key);

    if (!e)
        return;
    s->key_bytes -= strlen(e->key) + 1;
    free(e->key);
    g2d_tmeta_free(e->meta);
    e->meta = NULL;
    e->key = SNAP_TOMBSTONE;
    s->used--;
}

void g2d_snapshot_unmark(struct g2d_snapshot *s)
{
    size_t i;

    for (i = 0; i < s->cap; i++)
        s->slots[i].seen = 0;
}

size_t g2d_snapshot_bytes(const struct g2d_snapshot *s)
{
    size_t n = s->cap * sizeof(struct g2d_snap_entry) + s->key_bytes, i;

    for (i = 0; i < s->cap; i++)
        if (s->slots[i].meta)
            n += sizeof(struct g2d_tmeta) + g2d_pset_bytes(&s->slots[i].meta->parts);
    return n;
}

size_t g2d_snapshot_partitions(const struct g2d_snapshot *s)
{
    size_t n = 0, i;

    for (i = 0; i < s->cap; i++)
        if (s->slots[i].meta)
            n += s->slots[i].meta->parts.used;
    return n;
}

struct g2d_snap_entry *g2d_snapshot_next(struct g2d_snapshot *s, size_t *pos)
{
    while (*pos < s->cap) {
        struct g2d_snap_entry *e = &s->slots[(*pos)++];

        if (e->key && e->key != SNAP_TOMBSTONE)
            return e;
    }
    return NULL;
}
