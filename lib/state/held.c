/* SPDX-License-Identifier: MIT */
/* The registry of deletes a person decides on (see held.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xxhash.h>

#include "state/held.h"

char g2d_held_tomb_mark;

static bool live(const struct g2d_held *e)
{
    return e->name && e->name != G2D_HELD_TOMB;
}

void g2d_heldset_init(struct g2d_heldset *hs)
{
    memset(hs, 0, sizeof(*hs));
}

void g2d_heldset_clear(struct g2d_heldset *hs)
{
    size_t i;

    for (i = 0; i < hs->cap; i++) {
        if (live(&hs->slots[i]))
            free(hs->slots[i].name);
        memset(&hs->slots[i], 0, sizeof(hs->slots[i]));
    }
    hs->used = hs->filled = 0;
}

void g2d_heldset_done(struct g2d_heldset *hs)
{
    g2d_heldset_clear(hs);
    free(hs->slots);
    memset(hs, 0, sizeof(*hs));
}

uint64_t g2d_held_id(unsigned type, const char *name)
{
    uint64_t id = XXH3_64bits_withSeed(name, strlen(name), 0x9e3779b97f4a7c15ull + type);

    return id ? id : 1;
}

void g2d_held_id_format(uint64_t id, char *buf)
{
    snprintf(buf, 17, "%016llx", (unsigned long long)id);
}

int g2d_held_id_parse(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(s), i;

    if (n == 0 || n > 16)
        return -EINVAL;
    for (i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -EINVAL;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* The slot holding @p id, or (with @p free_slot) where it would go; NULL when absent. */
static struct g2d_held *probe(struct g2d_heldset *hs, uint64_t id, struct g2d_held **free_slot)
{
    size_t mask = hs->cap - 1, i;

    if (free_slot)
        *free_slot = NULL;
    if (!hs->cap)
        return NULL;
    for (i = (size_t)id & mask;; i = (i + 1) & mask) {
        struct g2d_held *e = &hs->slots[i];

        if (!e->name) {
            if (free_slot && !*free_slot)
                *free_slot = e;
            return NULL;
        }
        if (e->name == G2D_HELD_TOMB) {
            if (free_slot && !*free_slot)
                *free_slot = e;
        } else if (e->id == id) {
            return e;
        }
    }
}

struct g2d_held *g2d_held_find_id(struct g2d_heldset *hs, uint64_t id)
{
    return probe(hs, id, NULL);
}

struct g2d_held *g2d_held_get(struct g2d_heldset *hs, unsigned type, const char *name)
{
    struct g2d_held *e;

    if (!hs->used)
        return NULL;
    e = probe(hs, g2d_held_id(type, name), NULL);
    return e && e->type == type && strcmp(e->name, name) == 0 ? e : NULL;
}

static int grow(struct g2d_heldset *hs)
{
    size_t cap = hs->cap ? hs->cap : 16, i;
    struct g2d_held *old = hs->slots, *ns;
    size_t ocap = hs->cap;

    while (hs->used * 2 + 2 > cap)
        cap *= 2;
    ns = calloc(cap, sizeof(*ns));
    if (!ns)
        return -ENOMEM;
    hs->slots = ns;
    hs->cap = cap;
    hs->filled = hs->used;
    for (i = 0; i < ocap; i++) {
        struct g2d_held *slot;

        if (!live(&old[i]))
            continue;
        probe(hs, old[i].id, &slot);
        *slot = old[i];
    }
    free(old);
    return 0;
}

struct g2d_held *g2d_held_put(struct g2d_heldset *hs, unsigned type, const char *name)
{
    uint64_t id = g2d_held_id(type, name);
    struct g2d_held *e, *slot;

    e = probe(hs, id, NULL);
    if (e)
        return e->type == type && strcmp(e->name, name) == 0 ? e : NULL;
    if (hs->used >= G2D_HELD_MAX || strlen(name) > G2D_HELD_NAME_MAX || !name[0])
        return NULL;
    if ((hs->filled + 1) * 4 > hs->cap * 3 && grow(hs) < 0)
        return NULL;
    probe(hs, id, &slot);
    memset(slot, 0, sizeof(*slot));
    if (!(slot->name = strdup(name)))
        return NULL;
    slot->id = id;
    slot->type = (uint8_t)type;
    hs->used++;
    hs->filled++;
    return slot;
}

void g2d_held_del_entry(struct g2d_heldset *hs, struct g2d_held *e)
{
    if (!live(e))
        return;
    free(e->name);
    memset(e, 0, sizeof(*e));
    e->name = G2D_HELD_TOMB;
    hs->used--;
}

void g2d_held_del(struct g2d_heldset *hs, unsigned type, const char *name)
{
    struct g2d_held *e = g2d_held_get(hs, type, name);

    if (e)
        g2d_held_del_entry(hs, e);
}

struct g2d_held *g2d_held_next(struct g2d_heldset *hs, size_t *pos)
{
    while (*pos < hs->cap) {
        struct g2d_held *e = &hs->slots[(*pos)++];

        if (live(e))
            return e;
    }
    return NULL;
}

void g2d_heldset_unvisit(struct g2d_heldset *hs)
{
    struct g2d_held *e;
    size_t pos = 0;

    while ((e = g2d_held_next(hs, &pos)))
        e->visited = 0;
}

size_t g2d_heldset_prune(struct g2d_heldset *hs)
{
    struct g2d_held *e;
    size_t pos = 0, n = 0;

    while ((e = g2d_held_next(hs, &pos)))
        if (!e->visited) {
            g2d_held_del_entry(hs, e);
            n++;
        }
    return n;
}

const char *g2d_held_state_name(unsigned state)
{
    static const char *const names[G2D_HELD_NSTATES] = {"grace", "held", "approved", "rejected"};

    return state < G2D_HELD_NSTATES ? names[state] : NULL;
}

const char *g2d_held_reason_name(unsigned reason)
{
    static const char *const names[G2D_HELD_NREASONS] = {"", "empty_source", "max_count",
                                                         "max_fraction", "key_change"};

    return reason < G2D_HELD_NREASONS ? names[reason] : NULL;
}

bool g2d_held_in_scope(const char *name, const char *scope)
{
    size_t n = scope ? strlen(scope) : 0;
    const char *dot;

    if (n == 0)
        return true;
    if (strncasecmp(name, scope, n) != 0)
        return false;
    if (name[n] == '\0')
        return true;
    dot = memchr(scope, '.', n);
    return name[n] == (dot ? '/' : '.');
}
