/* SPDX-License-Identifier: MIT */
/*
 * The compact ordered partition store of one table (catalog.h): records sorted by key in
 * blocks of up to SIM_PBLOCK pointers. Lookups and positioning are O(log n), an insert or
 * removal moves at most one block's pointers (plus the block array on a split), and
 * walking a page is O(page). A partition costs one pointer plus a record holding its key
 * and, for stored partitions, its compact JSON text; generated Glue partitions hold no
 * text and are allocated from an arena, so millions fit in a few hundred megabytes.
 *
 * Stored texts share their storage descriptor: partitions of a table nearly always have
 * the same columns, SerDe and formats, and differ only in the Location. The descriptor's
 * text minus the Location string is interned in a refcounted hash table of the store, so a
 * stored partition costs its key, its values, parameters and location (a few hundred bytes)
 * instead of its whole text (1.3 KiB with 12 columns).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

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

/* ---- interned storage descriptors ---- */

/* Where the pieces of an interned record live, after its key. */
struct sd_ref {
    struct sim_sdint *sd;
    uint32_t at;     /* bytes of the text before the descriptor */
    uint32_t loclen; /* bytes of the Location string (escaped, no quotes) */
};

uint64_t sim_sd_hash(const char *head, size_t hl, const char *tail, size_t tl)
{
    return XXH3_64bits_withSeed(tail, tl, XXH3_64bits(head, hl));
}

/*
 * The interned descriptor with @p head and @p tail (@p h: their sim_sd_hash()), one reference
 * taken; NULL: no memory.
 */
static struct sim_sdint *sd_intern(struct sim_parts *p, uint64_t h, const char *head, size_t hl,
                                   const char *tail, size_t tl)
{
    struct sim_sdint *e;
    size_t b;

    if (p->sdbuckets) {
        for (e = p->sdtab[h % p->sdbuckets]; e; e = e->next)
            if (e->hash == h && e->headlen == hl && e->taillen == tl &&
                memcmp(e->data, head, hl) == 0 && memcmp(e->data + hl, tail, tl) == 0) {
                e->refs++;
                return e;
            }
    }
    if (p->nsd >= p->sdbuckets * 2) {
        size_t nb = p->sdbuckets ? p->sdbuckets * 4 : 16, i;
        struct sim_sdint **tab = calloc(nb, sizeof(*tab));

        if (!tab)
            return NULL;
        for (i = 0; i < p->sdbuckets; i++)
            while ((e = p->sdtab[i]) != NULL) {
                p->sdtab[i] = e->next;
                e->next = tab[e->hash % nb];
                tab[e->hash % nb] = e;
            }
        free(p->sdtab);
        p->sdtab = tab;
        p->sdbuckets = nb;
    }
    e = malloc(sizeof(*e) + hl + tl);
    if (!e)
        return NULL;
    e->hash = h;
    e->refs = 1;
    e->headlen = (uint32_t)hl;
    e->taillen = (uint32_t)tl;
    memcpy(e->data, head, hl);
    memcpy(e->data + hl, tail, tl);
    b = h % p->sdbuckets;
    e->next = p->sdtab[b];
    p->sdtab[b] = e;
    p->nsd++;
    return e;
}

static void sd_release(struct sim_parts *p, struct sim_sdint *e)
{
    struct sim_sdint **pp;

    if (--e->refs > 0)
        return;
    for (pp = &p->sdtab[e->hash % p->sdbuckets]; *pp != e; pp = &(*pp)->next)
        ;
    *pp = e->next;
    p->nsd--;
    free(e);
}

static struct sd_ref rec_ref(const struct sim_prec *r)
{
    struct sd_ref ref;

    memcpy(&ref, r->data + r->keylen, sizeof(ref));
    return ref;
}

/* Free a record that is not in the arena, releasing its descriptor. */
static void rec_free(struct sim_parts *p, struct sim_prec *r)
{
    if (r->arena)
        return;
    if (r->interned)
        sd_release(p, rec_ref(r).sd);
    free(r);
}

/* End of the JSON string starting at @p s (its opening quote): just past the closing one. */
static const char *skip_string(const char *s, const char *end)
{
    for (s++; s < end; s++) {
        if (*s == '\\')
            s++;
        else if (*s == '"')
            return s + 1;
    }
    return NULL;
}

/* End of the compact JSON value starting at @p s, or NULL if malformed. */
static const char *skip_value(const char *s, const char *end)
{
    size_t depth = 0;

    if (s >= end)
        return NULL;
    if (*s == '"')
        return skip_string(s, end);
    if (*s != '{' && *s != '[') {
        while (s < end && *s != ',' && *s != '}' && *s != ']')
            s++;
        return s;
    }
    for (; s < end; s++) {
        if (*s == '"') {
            s = skip_string(s, end);
            if (!s)
                return NULL;
            s--;
        } else if (*s == '{' || *s == '[') {
            depth++;
        } else if (*s == '}' || *s == ']') {
            if (--depth == 0)
                return s + 1;
        }
    }
    return NULL;
}

/*
 * Find the member @p key (one of @p nkeys names) of the compact JSON object at @p s whose
 * value starts with @p first ('{' for an object, '"' for a string, 0 for any): *v and *vend
 * receive its value. @return 1 found, 0 not.
 */
static int find_member(const char *s, const char *end, const char *const *keys, size_t nkeys,
                       char first, const char **v, const char **vend)
{
    if (s >= end || *s != '{')
        return 0;
    s++;
    while (s < end && *s == '"') {
        const char *k = s, *kend = skip_string(s, end), *val, *vn;
        size_t i;

        if (!kend || kend >= end || *kend != ':')
            return 0;
        val = kend + 1;
        vn = skip_value(val, end);
        if (!vn)
            return 0;
        for (i = 0; i < nkeys; i++)
            if ((size_t)(kend - k) == strlen(keys[i]) + 2 &&
                memcmp(k + 1, keys[i], kend - k - 2) == 0 && (!first || *val == first)) {
                *v = val;
                *vend = vn;
                return 1;
            }
        if (vn >= end || *vn != ',')
            return 0;
        s = vn + 1;
    }
    return 0;
}

/*
 * Split a stored text around its storage descriptor: [0, *sd) before it, [*sd, *loc) the
 * head, [*loc, *locend) the Location string's contents, [*locend, *sdend) the tail.
 * @return 1 if the text has a descriptor, else 0.
 */
static int split_text(const char *text, size_t len, size_t *sd, size_t *loc, size_t *locend,
                      size_t *sdend)
{
    static const char *const sdkeys[] = {"Sd", "StorageDescriptor"};
    static const char *const lockeys[] = {"Location"};
    const char *end = text + len, *v, *vend, *l, *lend;

    if (!find_member(text, end, sdkeys, 2, '{', &v, &vend))
        return 0;
    *sd = (size_t)(v - text);
    *sdend = (size_t)(vend - text);
    if (find_member(v, vend, lockeys, 1, '"', &l, &lend)) {
        *loc = (size_t)(l + 1 - text);
        *locend = (size_t)(lend - 1 - text);
    } else {
        *loc = *locend = *sdend;
    }
    return 1;
}

int sim_prec_append(const struct sim_prec *r, struct g2d_buf *b)
{
    const char *own = r->data + r->keylen;
    struct sd_ref ref;
    int e = 0;

    if (!r->interned)
        return g2d_buf_append(b, own, r->textlen);
    ref = rec_ref(r);
    own += sizeof(ref);
    e |= g2d_buf_append(b, own, ref.at);
    e |= g2d_buf_append(b, ref.sd->data, ref.sd->headlen);
    e |= g2d_buf_append(b, own + ref.at, ref.loclen);
    e |= g2d_buf_append(b, ref.sd->data + ref.sd->headlen, ref.sd->taillen);
    e |= g2d_buf_append(b, own + ref.at + ref.loclen,
                        r->textlen - ref.at - ref.loclen - ref.sd->headlen - ref.sd->taillen);
    return e ? -ENOMEM : 0;
}

json_t *sim_prec_json(const struct sim_prec *r)
{
    struct g2d_buf b;
    json_t *j;

    if (!r->textlen)
        return NULL;
    if (!r->interned)
        return json_loadb(r->data + r->keylen, r->textlen, 0, NULL);
    g2d_buf_init(&b, 0);
    j = sim_prec_append(r, &b) == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    g2d_buf_done(&b);
    return j;
}

void sim_parts_free(struct sim_parts *p)
{
    size_t b, i;

    if (!p)
        return;
    for (b = 0; b < p->nblocks; b++) {
        for (i = 0; i < p->blocks[b]->n; i++)
            rec_free(p, p->blocks[b]->r[i]);
        free(p->blocks[b]);
    }
    free(p->blocks);
    free(p->sdtab);
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

int sim_ptext_split(struct sim_ptext *t)
{
    t->split = split_text(t->text, t->len, &t->sd, &t->loc, &t->locend, &t->sdend);
    t->hash = t->split ? sim_sd_hash(t->text + t->sd, t->loc - t->sd, t->text + t->locend,
                                     t->sdend - t->locend)
                       : 0;
    return t->split;
}

/* A new record holding the text of @p t split around an interned descriptor, or NULL. */
static struct sim_prec *rec_interned(struct sim_parts *p, size_t len, const struct sim_ptext *t)
{
    size_t head = t->sd, own = head + (t->locend - t->loc) + (t->len - t->sdend) + t->taillen;
    const char *text = t->text;
    struct sd_ref ref;
    struct sim_prec *r;
    char *o;

    ref.sd =
        sd_intern(p, t->hash, text + t->sd, t->loc - t->sd, text + t->locend, t->sdend - t->locend);
    if (!ref.sd)
        return NULL;
    r = malloc(sizeof(*r) + len + sizeof(ref) + own + 1);
    if (!r) {
        sd_release(p, ref.sd);
        return NULL;
    }
    ref.at = (uint32_t)head;
    ref.loclen = (uint32_t)(t->locend - t->loc);
    o = r->data + len;
    memcpy(o, &ref, sizeof(ref));
    o += sizeof(ref);
    memcpy(o, text, head);
    o += head;
    memcpy(o, text + t->loc, t->locend - t->loc);
    o += t->locend - t->loc;
    memcpy(o, text + t->sdend, t->len - t->sdend);
    o += t->len - t->sdend;
    if (t->taillen)
        memcpy(o, t->tail, t->taillen);
    o[t->taillen] = '\0';
    r->interned = 1;
    return r;
}

int sim_parts_put(struct sim_parts *p, const char *key, size_t len, unsigned nvalues,
                  unsigned variant, const char *text, size_t textlen, int arena)
{
    struct sim_ptext t;

    memset(&t, 0, sizeof(t));
    t.text = text;
    t.len = text ? textlen : 0;
    if (text && textlen && !arena)
        sim_ptext_split(&t);
    return sim_parts_put_text(p, key, len, nvalues, variant, text ? &t : NULL, arena);
}

int sim_parts_put_text(struct sim_parts *p, const char *key, size_t len, unsigned nvalues,
                       unsigned variant, const struct sim_ptext *t, int arena)
{
    size_t textlen = t ? t->len + t->taillen : 0;
    struct sim_prec *r;
    struct sim_pblock *bl;
    size_t b, i;

    if (len > UINT32_MAX / 2 || textlen > UINT32_MAX / 2 || nvalues > UINT16_MAX)
        return -EINVAL;
    if (t && t->split && !arena) {
        r = rec_interned(p, len, t);
    } else {
        r = rec_alloc(p, sizeof(*r) + len + (t ? textlen + 1 : 0), arena);
        if (r) {
            r->interned = 0;
            if (t) {
                memcpy(r->data + len, t->text, t->len);
                if (t->taillen)
                    memcpy(r->data + len + t->len, t->tail, t->taillen);
                r->data[len + textlen] = '\0';
            }
        }
    }
    if (!r)
        return -ENOMEM;
    r->keylen = (uint32_t)len;
    r->textlen = (uint32_t)textlen;
    r->nvalues = (uint16_t)nvalues;
    r->variant = (uint8_t)variant;
    r->arena = arena ? 1 : 0;
    memcpy(r->data, key, len);

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
        rec_free(p, bl->r[i]);
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
    rec_free(p, r);
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
    rec_free(p, r);
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

/*
 * Hive's partition name of values @p vals under @p keys: "k1=v1/k2=v2", each name and value
 * escaped as Hive's FileUtils.escapePathName does (controls, "#%'*\/:=?\\{[]^ and DEL as
 * %XX). @return 0 or -ENOMEM.
 */
int sim_part_name(const struct g2d_expr_key *keys, const char *const *vals, size_t n,
                  struct g2d_buf *b)
{
    static const char esc[] = "\"#%'*/:=?\\{[]^\x7f";
    size_t i;
    int r = 0;

    for (i = 0; i < n && r == 0; i++) {
        const char *parts[2] = {keys[i].name, vals[i]}, *p;
        int j;

        if (i)
            r = g2d_buf_putc(b, '/');
        for (j = 0; j < 2 && r == 0; j++) {
            if (j)
                r = g2d_buf_putc(b, '=');
            for (p = parts[j]; *p && r == 0; p++)
                r = ((unsigned char)*p < 0x20 || strchr(esc, *p))
                        ? g2d_buf_printf(b, "%%%02X", (unsigned char)*p)
                        : g2d_buf_putc(b, *p);
        }
    }
    return r;
}
