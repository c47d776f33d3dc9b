/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state/pset.h"

/* Encoded form of a value list: for each value a LEB128 length then the bytes; the whole
 * preceded by the LEB128 total length so an entry can be compared without decoding. */
static size_t put_varint(uint8_t *p, size_t v)
{
    size_t n = 0;

    do {
        uint8_t b = v & 0x7f;

        v >>= 7;
        p[n++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return n;
}

static size_t get_varint(const uint8_t *p, size_t *v)
{
    size_t n = 0, shift = 0, r = 0;

    do {
        r |= (size_t)(p[n] & 0x7f) << shift;
        shift += 7;
    } while (p[n++] & 0x80);
    *v = r;
    return n;
}

/* Encode into buf (caller gives enough room) and return the body length. */
/* lens may be NULL: then the values are NUL-terminated. */
static size_t encode(const char *const *values, const size_t *lens, size_t n, uint8_t *buf)
{
    size_t len = 0, i;

    for (i = 0; i < n; i++) {
        size_t l = lens ? lens[i] : strlen(values[i]);

        len += put_varint(buf + len, l);
        memcpy(buf + len, values[i], l);
        len += l;
    }
    return len;
}

static size_t encoded_bound(const char *const *values, const size_t *lens, size_t n)
{
    size_t len = 0, i;

    for (i = 0; i < n; i++)
        len += (lens ? lens[i] : strlen(values[i])) + 10;
    return len;
}

/* FNV-1a 64, never 0. */
static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h ? h : 1;
}

void g2d_pset_init(struct g2d_pset *ps)
{
    memset(ps, 0, sizeof(*ps));
}

void g2d_pset_done(struct g2d_pset *ps)
{
    if (!ps)
        return;
    free(ps->slots);
    free(ps->arena);
    memset(ps, 0, sizeof(*ps));
}

/* Slot of a hash in a table of any size (multiply-shift: no power of two needed). */
static uint32_t slot_of(uint64_t h, uint32_t cap)
{
    return (uint32_t)(((uint64_t)(uint32_t)h * cap) >> 32);
}

static uint32_t next_slot(uint32_t i, uint32_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

static uint16_t tag_of(uint64_t h)
{
    uint16_t t = (uint16_t)(h >> 48);

    return t ? t : 1;
}

/* The hash of a stored entry, recomputed from its encoded values. */
static uint64_t entry_hash(const struct g2d_pset *ps, const struct g2d_pentry *e)
{
    const uint8_t *p = (const uint8_t *)ps->arena + e->off;
    size_t body, hl = get_varint(p, &body);

    return hash_bytes(p + hl, body);
}

static int entry_matches(const struct g2d_pset *ps, const struct g2d_pentry *e, uint64_t h,
                         const uint8_t *enc, size_t len)
{
    size_t stored;
    const uint8_t *p;

    if (e->tag != tag_of(h) || (e->flags & G2D_PENTRY_DELETED))
        return 0;
    p = (const uint8_t *)ps->arena + e->off;
    p += get_varint(p, &stored);
    return stored == len && memcmp(p, enc, len) == 0;
}

static struct g2d_pentry *find(struct g2d_pset *ps, uint64_t h, const uint8_t *enc, size_t len)
{
    uint32_t i;

    if (!ps->cap)
        return NULL;
    for (i = slot_of(h, ps->cap);; i = next_slot(i, ps->cap)) {
        struct g2d_pentry *e = &ps->slots[i];

        if (!e->tag)
            return NULL;
        if (entry_matches(ps, e, h, enc, len))
            return e;
    }
}

/* Rebuild slots (dropping tombstones) and, when worthwhile, the arena (dropping dead bytes). */
static int rehash(struct g2d_pset *ps, uint32_t ncap, int exact_arena)
{
    struct g2d_pentry *n = calloc(ncap, sizeof(*n));
    char *arena = NULL;
    uint32_t i, alen = 0;
    int compact = ps->arena_dead > ps->arena_len / 2 || exact_arena;

    if (!n)
        return -ENOMEM;
    if (compact && ps->arena_len - ps->arena_dead > 0) {
        arena = malloc(ps->arena_len - ps->arena_dead);
        if (!arena) {
            free(n);
            return -ENOMEM;
        }
    }
    for (i = 0; i < ps->cap; i++) {
        struct g2d_pentry e = ps->slots[i];
        uint64_t h;
        uint32_t j;

        if (!e.tag || (e.flags & G2D_PENTRY_DELETED))
            continue;
        h = entry_hash(ps, &e);
        if (compact) {
            const uint8_t *p = (const uint8_t *)ps->arena + e.off;
            size_t body, hl = get_varint(p, &body);

            memcpy(arena + alen, p, hl + body);
            e.off = alen;
            alen += (uint32_t)(hl + body);
        }
        for (j = slot_of(h, ncap); n[j].tag; j = next_slot(j, ncap))
            ;
        n[j] = e;
    }
    free(ps->slots);
    ps->slots = n;
    ps->cap = ncap;
    ps->filled = ps->used;
    if (compact) {
        free(ps->arena);
        ps->arena = arena;
        ps->arena_len = ps->arena_cap = alen;
        ps->arena_dead = 0;
    }
    return 0;
}

static int arena_add(struct g2d_pset *ps, const uint8_t *enc, size_t len, uint32_t *off)
{
    uint8_t hdr[10];
    size_t hl = put_varint(hdr, len), need = hl + len;

    if (need > UINT32_MAX - ps->arena_len)
        return -E2BIG;
    if (ps->arena_len + need > ps->arena_cap) {
        size_t cap = ps->arena_cap ? ps->arena_cap : 256;
        char *a;

        while (cap < ps->arena_len + need)
            cap *= 2;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        a = realloc(ps->arena, cap);
        if (!a)
            return -ENOMEM;
        ps->arena = a;
        ps->arena_cap = (uint32_t)cap;
    }
    memcpy(ps->arena + ps->arena_len, hdr, hl);
    memcpy(ps->arena + ps->arena_len + hl, enc, len);
    *off = ps->arena_len;
    ps->arena_len += (uint32_t)need;
    return 0;
}

int g2d_pset_put(struct g2d_pset *ps, const char *const *values, size_t n, const struct g2d_fp *fp,
                 uint64_t raw, uint8_t flags)
{
    uint8_t stack[512], *enc = stack;
    size_t bound = encoded_bound(values, NULL, n), len;
    struct g2d_pentry *e;
    uint64_t h;
    uint32_t i, off;
    int r = 0;

    if (bound > sizeof(stack) && !(enc = malloc(bound)))
        return -ENOMEM;
    len = encode(values, NULL, n, enc);
    h = hash_bytes(enc, len);
    e = find(ps, h, enc, len);
    if (e) {
        e->fp = *fp;
        e->raw = raw;
        e->flags = flags;
        goto out;
    }
    if ((uint64_t)(ps->filled + 1) * 8 > (uint64_t)ps->cap * 7) {
        /* Grow to twice the live entries (tombstones go away on the way). */
        uint32_t ncap = ps->used + 1 > 8 ? (ps->used + 1) * 2 : 16;

        r = rehash(ps, ncap, 0);
        if (r < 0)
            goto out;
    }
    r = arena_add(ps, enc, len, &off);
    if (r < 0)
        goto out;
    for (i = slot_of(h, ps->cap); ps->slots[i].tag && !(ps->slots[i].flags & G2D_PENTRY_DELETED);
         i = next_slot(i, ps->cap))
        ;
    if (!ps->slots[i].tag)
        ps->filled++;
    e = &ps->slots[i];
    e->tag = tag_of(h);
    e->fp = *fp;
    e->raw = raw;
    e->off = off;
    e->flags = flags;
    ps->used++;
out:
    if (enc != stack)
        free(enc);
    return r;
}

struct g2d_pentry *g2d_pset_get(struct g2d_pset *ps, const char *const *values, size_t n)
{
    return g2d_pset_get_n(ps, values, NULL, n);
}

struct g2d_pentry *g2d_pset_get_n(struct g2d_pset *ps, const char *const *values,
                                  const size_t *lens, size_t n)
{
    uint8_t stack[512], *enc = stack;
    size_t bound = encoded_bound(values, lens, n), len;
    struct g2d_pentry *e;

    if (bound > sizeof(stack) && !(enc = malloc(bound)))
        return NULL;
    len = encode(values, lens, n, enc);
    e = find(ps, hash_bytes(enc, len), enc, len);
    if (enc != stack)
        free(enc);
    return e;
}

void g2d_pset_del_entry(struct g2d_pset *ps, struct g2d_pentry *e)
{
    const uint8_t *p = (const uint8_t *)ps->arena + e->off;
    size_t body, hl = get_varint(p, &body);

    e->flags = G2D_PENTRY_DELETED; /* tag stays non-zero: a tombstone */
    ps->arena_dead += (uint32_t)(hl + body);
    ps->used--;
}

void g2d_pset_del(struct g2d_pset *ps, const char *const *values, size_t n)
{
    struct g2d_pentry *e = g2d_pset_get(ps, values, n);

    if (e)
        g2d_pset_del_entry(ps, e);
}

void g2d_pset_unmark(struct g2d_pset *ps)
{
    uint32_t i;

    for (i = 0; i < ps->cap; i++)
        ps->slots[i].flags &= (uint8_t)~G2D_PENTRY_SEEN;
}

struct g2d_pentry *g2d_pset_next(struct g2d_pset *ps, uint32_t *pos)
{
    while (*pos < ps->cap) {
        struct g2d_pentry *e = &ps->slots[(*pos)++];

        if (e->tag && !(e->flags & G2D_PENTRY_DELETED))
            return e;
    }
    return NULL;
}

size_t g2d_pset_values(const struct g2d_pset *ps, const struct g2d_pentry *e, const char **vals,
                       size_t *lens, size_t max)
{
    const uint8_t *p = (const uint8_t *)ps->arena + e->off, *end;
    size_t body, n = 0;

    p += get_varint(p, &body);
    end = p + body;
    while (p < end && n < max) {
        size_t l;

        p += get_varint(p, &l);
        vals[n] = (const char *)p;
        lens[n] = l;
        n++;
        p += l;
    }
    return n;
}

size_t g2d_pset_bytes(const struct g2d_pset *ps)
{
    return (size_t)ps->cap * sizeof(struct g2d_pentry) + ps->arena_cap;
}

int g2d_pset_trim(struct g2d_pset *ps)
{
    /* Load 4/5: 40 bytes of slot per partition, short probe runs. */
    uint32_t ncap = ps->used ? ps->used + ps->used / 4 + 1 : 0;

    if (ncap == 0) {
        g2d_pset_done(ps);
        g2d_pset_init(ps);
        return 0;
    }
    if (ncap < 16)
        ncap = 16;
    if (ncap >= ps->cap && ps->arena_len == ps->arena_cap && ps->filled == ps->used)
        return 0;
    return rehash(ps, ncap < ps->cap || ps->filled > ps->used ? ncap : ps->cap, 1);
}
