/* SPDX-License-Identifier: MIT */
/*
 * The compact ordered partition store of one table (catalog.h): records sorted by key in
 * blocks of up to SIM_PBLOCK pointers. Lookups and positioning are O(log n), an insert or
 * removal moves at most one block's pointers (plus the block array on a split), and
 * walking a page is O(page). A partition costs one pointer plus a record holding its key
 * and, for stored partitions, its compact JSON text; generated Glue partitions hold no
 * text and are allocated from an arena, so millions fit in a few hundred megabytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

#define ARENA_CHUNK (1u << 20)

struct sim_arena_chunk {
    struct sim_arena_chunk *next;
    size_t used;
    size_t cap;
    char data[];
};

static int keycmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);

    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static int reccmp(const struct sim_prec *r, const char *key, size_t len)
{
    return keycmp(r->data, r->keylen, key, len);
}

struct sim_parts *sim_parts_new(void)
{
    return calloc(1, sizeof(struct sim_parts));
}

void sim_parts_free(struct sim_parts *p)
{
    size_t b, i;

    if (!p)
        return;
    for (b = 0; b < p->nblocks; b++) {
        for (i = 0; i < p->blocks[b]->n; i++)
            if (!p->blocks[b]->r[i]->arena)
                free(p->blocks[b]->r[i]);
        free(p->blocks[b]);
    }
    free(p->blocks);
    while (p->arena) {
        struct sim_arena_chunk *next = p->arena->next;

        free(p->arena);
        p->arena = next;
    }
    free(p);
}

char *sim_pkey_make(const char *const *values, size_t n, size_t *len)
{
    size_t total = 0, i, off = 0;
    char *key;

    for (i = 0; i < n; i++)
        total += strlen(values[i]) + 1;
    key = malloc(total ? total : 1);
    if (!key)
        return NULL;
    for (i = 0; i < n; i++) {
        size_t l = strlen(values[i]) + 1;

        memcpy(key + off, values[i], l);
        off += l;
    }
    *len = total;
    return key;
}

/* Index of the first block whose last key is >= @p key (nblocks if none). */
static size_t find_block(const struct sim_parts *p, const char *key, size_t len)
{
    size_t lo = 0, hi = p->nblocks;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sim_pblock *bl = p->blocks[mid];

        if (reccmp(bl->r[bl->n - 1], key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t find_in_block(const struct sim_pblock *bl, const char *key, size_t len)
{
    size_t lo = 0, hi = bl->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (reccmp(bl->r[mid], key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void sim_parts_lower_bound(const struct sim_parts *p, const char *key, size_t len,
                           struct sim_ppos *pos)
{
    pos->b = 0;
    pos->i = 0;
    if (!p || !key)
        return;
    pos->b = find_block(p, key, len);
    if (pos->b < p->nblocks)
        pos->i = find_in_block(p->blocks[pos->b], key, len);
}

struct sim_prec *sim_parts_at(const struct sim_parts *p, const struct sim_ppos *pos)
{
    if (!p || pos->b >= p->nblocks || pos->i >= p->blocks[pos->b]->n)
        return NULL;
    return p->blocks[pos->b]->r[pos->i];
}

void sim_parts_next(const struct sim_parts *p, struct sim_ppos *pos)
{
    if (!p || pos->b >= p->nblocks)
        return;
    if (++pos->i >= p->blocks[pos->b]->n) {
        pos->b++;
        pos->i = 0;
    }
}

struct sim_prec *sim_parts_find(const struct sim_parts *p, const char *key, size_t len)
{
    struct sim_ppos pos;
    struct sim_prec *r;

    sim_parts_lower_bound(p, key, len, &pos);
    r = sim_parts_at(p, &pos);
    return r && reccmp(r, key, len) == 0 ? r : NULL;
}

static struct sim_prec *rec_alloc(struct sim_parts *p, size_t size, int arena)
{
    struct sim_arena_chunk *c = p->arena;
    struct sim_prec *r;

    if (!arena)
        return malloc(size);
    size = (size + 7) & ~(size_t)7;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;

        c = malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = p->arena;
        p->arena = c;
    }
    r = (struct sim_prec *)(void *)(c->data + c->used);
    c->used += size;
    return r;
}

static int insert_block(struct sim_parts *p, size_t at)
{
    struct sim_pblock *bl;

    if (p->nblocks == p->capblocks) {
        size_t cap = p->capblocks ? p->capblocks * 2 : 4;
        struct sim_pblock **nb = realloc(p->blocks, cap * sizeof(*nb));

        if (!nb)
            return -ENOMEM;
        p->blocks = nb;
        p->capblocks = cap;
    }
    bl = malloc(sizeof(*bl));
    if (!bl)
        return -ENOMEM;
    bl->n = 0;
    memmove(&p->blocks[at + 1], &p->blocks[at], (p->nblocks - at) * sizeof(p->blocks[0]));
    p->blocks[at] = bl;
    p->nblocks++;
    return 0;
}

int sim_parts_put(struct sim_parts *p, const char *key, size_t len, unsigned nvalues,
                  unsigned variant, const char *text, size_t textlen, int arena)
{
    struct sim_prec *r;
    struct sim_pblock *bl;
    size_t b, i;

    if (len > UINT32_MAX / 2 || textlen > UINT32_MAX / 2 || nvalues > UINT16_MAX)
        return -EINVAL;
    r = rec_alloc(p, sizeof(*r) + len + (text ? textlen + 1 : 0), arena);
    if (!r)
        return -ENOMEM;
    r->keylen = (uint32_t)len;
    r->textlen = text ? (uint32_t)textlen : 0;
    r->nvalues = (uint16_t)nvalues;
    r->variant = (uint8_t)variant;
    r->arena = arena ? 1 : 0;
    memcpy(r->data, key, len);
    if (text) {
        memcpy(r->data + len, text, textlen);
        r->data[len + textlen] = '\0';
    }

    b = find_block(p, key, len);
    if (b == p->nblocks && b > 0)
        b--; /* beyond every key: append to the last block */
    if (b == p->nblocks) {
        if (insert_block(p, 0) < 0)
            goto nomem;
    }
    bl = p->blocks[b];
    i = find_in_block(bl, key, len);
    if (i < bl->n && reccmp(bl->r[i], key, len) == 0) {
        if (!bl->r[i]->arena)
            free(bl->r[i]);
        bl->r[i] = r;
        return 0;
    }
    if (bl->n == SIM_PBLOCK) {
        struct sim_pblock *nb;

        if (insert_block(p, b + 1) < 0)
            goto nomem;
        bl = p->blocks[b];
        nb = p->blocks[b + 1];
        nb->n = SIM_PBLOCK / 2;
        memcpy(nb->r, &bl->r[SIM_PBLOCK / 2], nb->n * sizeof(bl->r[0]));
        bl->n = SIM_PBLOCK / 2;
        if (i > bl->n) {
            i -= bl->n;
            bl = nb;
        }
    }
    memmove(&bl->r[i + 1], &bl->r[i], (bl->n - i) * sizeof(bl->r[0]));
    bl->r[i] = r;
    bl->n++;
    p->n++;
    return 1;

nomem:
    if (!arena)
        free(r);
    return -ENOMEM;
}

int sim_parts_remove(struct sim_parts *p, const char *key, size_t len)
{
    struct sim_ppos pos;
    struct sim_pblock *bl;
    struct sim_prec *r;

    sim_parts_lower_bound(p, key, len, &pos);
    r = sim_parts_at(p, &pos);
    if (!r || reccmp(r, key, len) != 0)
        return -ENOENT;
    if (!r->arena)
        free(r);
    bl = p->blocks[pos.b];
    memmove(&bl->r[pos.i], &bl->r[pos.i + 1], (bl->n - pos.i - 1) * sizeof(bl->r[0]));
    bl->n--;
    p->n--;
    if (bl->n == 0) {
        free(bl);
        memmove(&p->blocks[pos.b], &p->blocks[pos.b + 1],
                (p->nblocks - pos.b - 1) * sizeof(p->blocks[0]));
        p->nblocks--;
    }
    return 0;
}

size_t sim_prec_values(const struct sim_prec *r, const char **out, size_t max)
{
    size_t n = 0, off = 0;

    while (off < r->keylen && n < max) {
        out[n++] = r->data + off;
        off += strlen(r->data + off) + 1;
    }
    return n;
}

unsigned sim_pkey_segment(const char *key, size_t len, unsigned total)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
    return total ? (unsigned)(h % total) : 0;
}

void sim_pkey_joined(const char *key, size_t len, char *buf, size_t size)
{
    size_t i, j = 0;

    if (!size)
        return;
    for (i = 0; i < len && j + 1 < size; i++) {
        if (key[i] == '\0') {
            if (i + 1 == len)
                break;
            buf[j++] = '/';
        } else {
            buf[j++] = key[i];
        }
    }
    buf[j] = '\0';
}

/* 1 if @p r passes the filters of @p s, 0 if not, negative errno from the evaluator. */
static int scan_match(const struct sim_pscan *s, const struct sim_prec *r, struct g2d_error *err)
{
    const char *vals[SIM_MAX_KEYS];
    size_t n = sim_prec_values(r, vals, SIM_MAX_KEYS), i;

    if (s->nseg && sim_pkey_segment(r->data, r->keylen, s->nseg) != s->seg)
        return 0;
    for (i = 0; i < s->npartial; i++)
        if (*s->partial[i] && (i >= n || strcmp(s->partial[i], vals[i]) != 0))
            return 0;
    if (!s->expr)
        return 1;
    if (n != s->nkeys)
        return 0; /* stored with a different key count: cannot be evaluated */
    return g2d_expr_eval(s->expr, s->keys, s->nkeys, vals, err);
}

long sim_parts_scan(const struct sim_pscan *s, const char *start, size_t startlen, size_t max,
                    const struct sim_prec **out, const struct sim_prec **next,
                    struct g2d_error *err)
{
    struct sim_ppos pos;
    const struct sim_prec *r;
    char *prefix = NULL;
    size_t plen = 0, lead = 0, n = 0;

    *next = NULL;
    /* The leading non-empty partial values form a key prefix to seek to and stop after. */
    while (lead < s->npartial && *s->partial[lead])
        lead++;
    if (lead) {
        prefix = sim_pkey_make(s->partial, lead, &plen);
        if (!prefix)
            return -ENOMEM;
    }
    if (start && (!prefix || keycmp(start, startlen, prefix, plen) > 0))
        sim_parts_lower_bound(s->parts, start, startlen, &pos);
    else
        sim_parts_lower_bound(s->parts, prefix, plen, &pos);
    for (; (r = sim_parts_at(s->parts, &pos)) != NULL; sim_parts_next(s->parts, &pos)) {
        int m;

        if (prefix && (r->keylen < plen || memcmp(r->data, prefix, plen) != 0))
            break;
        m = scan_match(s, r, err);
        if (m < 0) {
            free(prefix);
            return m;
        }
        if (!m)
            continue;
        if (n == max) {
            *next = r;
            break;
        }
        out[n++] = r;
    }
    free(prefix);
    return (long)n;
}
