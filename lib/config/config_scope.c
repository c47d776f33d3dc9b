/* SPDX-License-Identifier: MIT */
/*
 * The keys that are not scalars, all of them in sync: (the scope of a cycle): the object
 * types, the database and table-prefix lists, the partition filters (syntax-checked with
 * the filter grammar of lib/scope) and the location map.
 *
 * Database and table names (the lists and the filters' keys) are stored in lower case:
 * DLF and Hive hold names so, Glue lower-cases them, and so "Sales" in a filter selects
 * Glue's "sales". Two filters for the same table in different case are a duplicate.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/expr.h"
#include "config/config_check.h"

int g2d__apply_strlist(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                       const struct g2d__node *n, const char *path)
{
    char ***list = (char ***)(void *)((char *)c->cfg + d->off);
    size_t *count = (size_t *)(void *)((char *)c->cfg + d->count_off);
    size_t i;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_SEQ)
        return g2d__cfg_fail(c, n, false, path, "expected a list, got %s", g2d__cfg_type_name(n));
    if (!n->nkids)
        return 0;
    *list = calloc(n->nkids, sizeof(char *));
    if (!*list)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < n->nkids; i++) {
        const char *s;

        r = g2d__cfg_get_string(c, n->kids[i], path, &s);
        if (r < 0)
            return r;
        if (r > 0)
            return g2d__cfg_fail(c, n->kids[i], false, path, "list items must not be empty");
        r = g2d__cfg_set_str(c, &(*list)[i], s);
        if (r < 0)
            return r;
        g2d__cfg_fold((*list)[i]); /* both lists hold names */
        (*count)++;
    }
    return 0;
}

int g2d__apply_objects(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path)
{
    static const struct g2d__enum_val objs[] = {
        {"databases", G2D_OBJ_DATABASES},
        {"tables", G2D_OBJ_TABLES},
        {"partitions", G2D_OBJ_PARTITIONS},
        {"functions", G2D_OBJ_FUNCTIONS},
        {NULL, 0},
    };
    unsigned mask = 0;
    size_t i, j;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_SEQ)
        return g2d__cfg_fail(c, n, false, path, "expected a list, got %s", g2d__cfg_type_name(n));
    if (!n->nkids)
        return g2d__cfg_fail(c, n, false, path,
                             "must list at least one of databases, tables, partitions, functions");
    for (i = 0; i < n->nkids; i++) {
        const struct g2d__node *k = n->kids[i];

        r = g2d__cfg_scalar_text(c, k, path, "a string");
        if (r < 0)
            return r;
        for (j = 0; objs[j].name; j++)
            if (!r && !strcmp(k->str, objs[j].name))
                break;
        if (!objs[j].name)
            return g2d__cfg_fail(c, k, false, path,
                                 "'%s' is not one of databases, tables, partitions, functions",
                                 g2d__cfg_shown((char[96]){0}, 96, r ? "" : k->str));
        mask |= (unsigned)objs[j].value;
    }
    c->cfg->objects = mask;
    return 0;
}

struct key_ref {
    const struct g2d__node *n;
    size_t idx;
};

char *g2d__cfg_fold(char *s)
{
    for (char *p = s; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

static int fold_memcmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];

        x = x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x;
        y = y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y;
        if (x != y)
            return x - y;
    }
    return 0;
}

static int key_cmp(const struct g2d__node *a, const struct g2d__node *b, bool fold)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int r = fold ? fold_memcmp(a->key, b->key, n) : memcmp(a->key, b->key, n);

    if (r)
        return r;
    return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

static int key_ref_cmp_fold(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    int r = key_cmp(x->n, y->n, true);

    return r ? r : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int key_ref_cmp(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    int r = key_cmp(x->n, y->n, false);

    return r ? r : x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reject a repeated key in a free-form mapping (with @p fold, in any case); names the
 * earliest repetition. */
int g2d__cfg_check_dups(struct g2d__cfg_ctx *c, const struct g2d__node *map, const char *path,
                        bool fold)
{
    const struct g2d__node *dup = NULL, *first = NULL;
    struct key_ref *refs;
    size_t i, gs, best = SIZE_MAX;
    char p[256];

    if (map->nkids < 2)
        return 0;
    refs = calloc(map->nkids, sizeof(*refs));
    if (!refs)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < map->nkids; i++) {
        refs[i].n = map->kids[i];
        refs[i].idx = i;
    }
    qsort(refs, map->nkids, sizeof(*refs), fold ? key_ref_cmp_fold : key_ref_cmp);
    /* Sorted by key, then document order: a group's second entry is its first repeat. */
    for (i = 1, gs = 0; i < map->nkids; i++) {
        const struct g2d__node *a = refs[gs].n, *b = refs[i].n;

        if (key_cmp(a, b, fold)) {
            gs = i;
        } else if (i == gs + 1 && refs[i].idx < best) {
            best = refs[i].idx;
            dup = b;
            first = a;
        }
    }
    free(refs);
    if (!dup)
        return 0;
    g2d__cfg_join(p, sizeof(p), path, dup->key);
    return g2d__cfg_fail(c, dup, true, p, "duplicate key (first set on line %d%s)", first->key_line,
                         memcmp(dup->key, first->key, dup->key_len) ? ", as names match in any case"
                                                                    : "");
}

int g2d__apply_filters(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path)
{
    struct g2d_config *cfg = c->cfg;
    size_t i;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_MAP)
        return g2d__cfg_fail(c, n, false, path, "expected a mapping, got %s",
                             g2d__cfg_type_name(n));
    r = g2d__cfg_check_dups(c, n, path, true);
    if (r < 0 || !n->nkids)
        return r;
    cfg->partition_filters = calloc(n->nkids, sizeof(*cfg->partition_filters));
    if (!cfg->partition_filters)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < n->nkids; i++) {
        const struct g2d__node *k = n->kids[i];
        struct g2d_partition_filter *f = &cfg->partition_filters[i];
        const char *dot = strchr(k->key, '.'), *expr;
        char p[256];

        g2d__cfg_join(p, sizeof(p), path, k->key);
        if (!dot || dot == k->key || !dot[1] || strchr(dot + 1, '.') || k->key_len > G2D__STR_MAX ||
            strlen(k->key) != k->key_len || g2d__cfg_bad_text(k->key))
            return g2d__cfg_fail(c, k, true, p, "name must be 'database.table'");
        r = g2d__cfg_get_string(c, k, p, &expr);
        if (r < 0)
            return r;
        if (r > 0)
            return g2d__cfg_fail(c, k, false, p, "filter expression must not be empty");
        {
            /* Syntax now; key names and types are checked per table when it is read. */
            struct g2d_expr *e = NULL;
            struct g2d_error xerr = {0};

            r = g2d_expr_parse(expr, &e, &xerr);
            if (r == 0) /* and the forms whose meaning in Glue is not known */
                r = g2d_expr_check_known(e, NULL, 0, &xerr);
            g2d_expr_free(e);
            if (r < 0)
                return g2d__cfg_fail(c, k, false, p, "%s", xerr.msg);
        }
        f->database = g2d__cfg_fold(strndup(k->key, (size_t)(dot - k->key)));
        f->table = g2d__cfg_fold(strdup(dot + 1));
        f->expression = strdup(expr);
        cfg->npartition_filters++;
        if (!f->database || !f->table || !f->expression)
            return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    }
    return 0;
}

int g2d__apply_locmap(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path)
{
    struct g2d_config *cfg = c->cfg;
    size_t i;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_MAP)
        return g2d__cfg_fail(c, n, false, path, "expected a mapping, got %s",
                             g2d__cfg_type_name(n));
    r = g2d__cfg_check_dups(c, n, path, false);
    if (r < 0 || !n->nkids)
        return r;
    cfg->location_map = calloc(n->nkids, sizeof(*cfg->location_map));
    if (!cfg->location_map)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < n->nkids; i++) {
        const struct g2d__node *k = n->kids[i];
        struct g2d_location_rule *l = &cfg->location_map[i];
        const char *to;
        char p[256];

        g2d__cfg_join(p, sizeof(p), path, k->key);
        if (!k->key_len || k->key_len > G2D__STR_MAX || strlen(k->key) != k->key_len ||
            g2d__cfg_bad_text(k->key))
            return g2d__cfg_fail(c, k, true, p, "source prefix must be a non-empty string");
        r = g2d__cfg_get_string(c, k, p, &to);
        if (r < 0)
            return r;
        if (r > 0)
            return g2d__cfg_fail(c, k, false, p, "target prefix must not be empty");
        l->from = strdup(k->key);
        l->to = strdup(to);
        cfg->nlocation_map++;
        if (!l->from || !l->to)
            return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    }
    return 0;
}
