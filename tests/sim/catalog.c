/* SPDX-License-Identifier: MIT */
/*
 * Sorted named collections, page tokens and name patterns for the simulator.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

void sim_coll_init(struct sim_coll *c)
{
    c->items = NULL;
    c->n = 0;
    c->cap = 0;
}

static void item_done(struct sim_item *it)
{
    int k;

    free(it->name);
    json_decref(it->obj);
    for (k = 0; k < SIM_NKIDS; k++) {
        if (it->kids[k]) {
            sim_coll_done(it->kids[k]);
            free(it->kids[k]);
        }
    }
    sim_parts_free(it->parts);
    sim_gtpl_put(it->gtpl);
}

void sim_coll_done(struct sim_coll *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        item_done(&c->items[i]);
    free(c->items);
    sim_coll_init(c);
}

size_t sim_coll_lower_bound(const struct sim_coll *c, const char *name)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(c->items[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct sim_item *sim_coll_find(const struct sim_coll *c, const char *name)
{
    size_t i = sim_coll_lower_bound(c, name);

    if (i < c->n && strcmp(c->items[i].name, name) == 0)
        return &c->items[i];
    return NULL;
}

int sim_coll_put(struct sim_coll *c, const char *name, json_t *obj)
{
    size_t i = sim_coll_lower_bound(c, name);
    struct sim_item *it;
    char *dup;

    if (i < c->n && strcmp(c->items[i].name, name) == 0) {
        json_decref(c->items[i].obj);
        c->items[i].obj = obj;
        sim_gtpl_put(c->items[i].gtpl); /* built from the old object */
        c->items[i].gtpl = NULL;
        return 0;
    }
    dup = strdup(name);
    if (!dup)
        goto nomem;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct sim_item *p = realloc(c->items, cap * sizeof(*p));

        if (!p)
            goto nomem;
        c->items = p;
        c->cap = cap;
    }
    memmove(&c->items[i + 1], &c->items[i], (c->n - i) * sizeof(*it));
    it = &c->items[i];
    memset(it, 0, sizeof(*it));
    it->name = dup;
    it->obj = obj;
    c->n++;
    return 1;

nomem:
    free(dup);
    json_decref(obj);
    return -ENOMEM;
}

int sim_coll_remove(struct sim_coll *c, const char *name)
{
    size_t i = sim_coll_lower_bound(c, name);

    if (i >= c->n || strcmp(c->items[i].name, name) != 0)
        return -ENOENT;
    item_done(&c->items[i]);
    memmove(&c->items[i], &c->items[i + 1], (c->n - i - 1) * sizeof(c->items[0]));
    c->n--;
    return 0;
}

size_t sim_item_nkids(const struct sim_item *it, int kid)
{
    return it->kids[kid] ? it->kids[kid]->n : 0;
}

struct sim_coll *sim_item_kids(struct sim_item *it, int kid)
{
    if (!it->kids[kid]) {
        it->kids[kid] = malloc(sizeof(*it->kids[kid]));
        if (!it->kids[kid])
            return NULL;
        sim_coll_init(it->kids[kid]);
    }
    return it->kids[kid];
}

void sim_catalog_init(struct sim_catalog *cat)
{
    sim_coll_init(&cat->dbs);
}

void sim_catalog_done(struct sim_catalog *cat)
{
    if (cat)
        sim_coll_done(&cat->dbs);
}

size_t sim_coll_page(const struct sim_coll *c, const char *start, size_t max, const regex_t *re,
                     size_t *idx, const char **next)
{
    size_t i = start ? sim_coll_lower_bound(c, start) : 0;
    size_t n = 0;

    *next = NULL;
    for (; i < c->n; i++) {
        if (re && regexec(re, c->items[i].name, 0, NULL, 0) != 0)
            continue;
        if (n == max) {
            *next = c->items[i].name;
            break;
        }
        idx[n++] = i;
    }
    return n;
}

char *sim_token_make_bin(const char *kind, const char *key, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t kl = strlen(kind), i, j = 0;
    char *tok = malloc(2 * (kl + 1 + len) + 1);

    if (!tok)
        return NULL;
    for (i = 0; i < kl + 1 + len; i++) {
        unsigned char ch = (unsigned char)(i < kl ? kind[i] : i == kl ? ':' : key[i - kl - 1]);

        tok[j++] = hex[ch >> 4];
        tok[j++] = hex[ch & 15];
    }
    tok[j] = '\0';
    return tok;
}

char *sim_token_make(const char *kind, const char *name)
{
    return sim_token_make_bin(kind, name, strlen(name));
}

static int unhex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int sim_token_parse_bin(const char *tok, const char *kind, char **key, size_t *len)
{
    size_t tl = strlen(tok), kl = strlen(kind), i;
    char *raw;

    *key = NULL;
    *len = 0;
    if (tl == 0 || tl % 2 || tl / 2 <= kl + 1)
        return -EINVAL;
    raw = malloc(tl / 2 + 1);
    if (!raw)
        return -ENOMEM;
    for (i = 0; i < tl / 2; i++) {
        int hi = unhex(tok[2 * i]), lo = unhex(tok[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            free(raw);
            return -EINVAL;
        }
        raw[i] = (char)(hi << 4 | lo);
    }
    raw[tl / 2] = '\0';
    if (memcmp(raw, kind, kl) != 0 || raw[kl] != ':') {
        free(raw);
        return -EINVAL;
    }
    memmove(raw, raw + kl + 1, tl / 2 - kl);
    *key = raw;
    *len = tl / 2 - kl - 1;
    return 0;
}

int sim_token_parse(const char *tok, const char *kind, char **name)
{
    size_t len;
    int r = sim_token_parse_bin(tok, kind, name, &len);

    if (r == 0 && memchr(*name, '\0', len)) {
        free(*name);
        *name = NULL;
        return -EINVAL;
    }
    return r;
}

int sim_pattern_compile(regex_t *re, const char *pat)
{
    size_t n = strlen(pat);
    char *full;
    int r;

    if (n > 4096)
        return -EINVAL;
    full = malloc(n + 5);
    if (!full)
        return -ENOMEM;
    memcpy(full, "^(", 2);
    memcpy(full + 2, pat, n);
    memcpy(full + 2 + n, ")$", 3);
    r = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
    free(full);
    return r == 0 ? 0 : -EINVAL;
}
