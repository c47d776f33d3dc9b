/* SPDX-License-Identifier: MIT */
/*
 * sync.rename: the DLF name of a Glue database or table, for the names DLF cannot hold
 * (its database names allow only letters, digits and '_', at most 128 characters; Glue
 * allows more) or that the user wants elsewhere:
 *
 *   rename:
 *     databases: {"sales-eu": sales_eu}
 *     tables: {"sales-eu.orders-2024": orders_2024}
 *
 * A table rule names the Glue database and table; its target is the table's name in the
 * DLF database the Glue database maps to. Every name is stored in lower case (Glue's and
 * DLF's identity) and matched in any case. Targets must be names DLF can hold (the same
 * rule for tables, which is Hive's), and no two rules may give the same DLF name. The
 * legacy application.properties has no such setting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_check.h"

#define NAME_RULE "letters, digits and '_', at most 128 characters"

bool g2d_config_dlf_name_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;

    return len > 0 && len <= 128 &&
           strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_") == len;
}

static const struct g2d__node *child(const struct g2d__node *map, const char *name)
{
    for (size_t i = 0; i < map->nkids; i++)
        if (!strcmp(map->kids[i]->key, name))
            return map->kids[i];
    return NULL;
}

/* One rule: @p k is "db" (table rules: "db.table") mapped to its DLF name. */
static int add_rule(struct g2d__cfg_ctx *c, const struct g2d__node *k, const char *path, bool table)
{
    struct g2d_rename_rule *r = &c->cfg->renames[c->cfg->nrenames];
    const char *dot = strchr(k->key, '.'), *to;
    char p[256];
    int e;

    g2d__cfg_join(p, sizeof(p), path, k->key);
    if (!k->key_len || k->key_len > G2D__STR_MAX || strlen(k->key) != k->key_len ||
        g2d__cfg_bad_text(k->key))
        return g2d__cfg_fail(c, k, true, p, "name must be a non-empty string");
    if (table && (!dot || dot == k->key || !dot[1] || strchr(dot + 1, '.')))
        return g2d__cfg_fail(c, k, true, p, "name must be 'database.table' (Glue's names)");
    if (!table && dot)
        return g2d__cfg_fail(c, k, true, p,
                             "a database name has no '.' (tables go under rename.tables)");
    e = g2d__cfg_get_string(c, k, p, &to);
    if (e < 0)
        return e;
    if (e > 0)
        return g2d__cfg_fail(c, k, false, p, "the DLF name must not be empty");
    if (!g2d_config_dlf_name_ok(to))
        return g2d__cfg_fail(c, k, false, p, "'%s' is not a name DLF can hold (" NAME_RULE ")",
                             g2d__cfg_shown((char[96]){0}, 96, to));
    r->database = g2d__cfg_fold(table ? strndup(k->key, (size_t)(dot - k->key)) : strdup(k->key));
    r->table = table ? g2d__cfg_fold(strdup(dot + 1)) : NULL;
    r->to = g2d__cfg_fold(strdup(to));
    c->cfg->nrenames++;
    if (!r->database || (table && !r->table) || !r->to)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    return 0;
}

static int add_rules(struct g2d__cfg_ctx *c, const struct g2d__node *m, const char *path,
                     bool table)
{
    int r;

    if (!m || (m->type == G2D__NODE_SCALAR && m->null))
        return 0;
    if (m->type != G2D__NODE_MAP)
        return g2d__cfg_fail(c, m, false, path, "expected a mapping, got %s",
                             g2d__cfg_type_name(m));
    r = g2d__cfg_check_dups(c, m, path, true);
    for (size_t i = 0; !r && i < m->nkids; i++)
        r = add_rule(c, m->kids[i], path, table);
    return r;
}

/* The DLF database a rule's table lands in. */
static const char *rule_db(const struct g2d_config *cfg, const struct g2d_rename_rule *r)
{
    const char *m = g2d_config_rename_database(cfg, r->database);

    return m ? m : r->database;
}

/* Index of the first rule before @p i with the same DLF name as rule @p i, or SIZE_MAX. */
static size_t same_target(const struct g2d_config *cfg, size_t i)
{
    const struct g2d_rename_rule *a = &cfg->renames[i];

    for (size_t j = 0; j < i; j++) {
        const struct g2d_rename_rule *b = &cfg->renames[j];

        if (!a->table != !b->table || strcmp(a->to, b->to))
            continue;
        if (!a->table || !strcmp(rule_db(cfg, a), rule_db(cfg, b)))
            return j;
    }
    return SIZE_MAX;
}

int g2d__apply_rename(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path)
{
    const struct g2d__node *parts[2];
    char p[2][256];
    size_t total, i, ndb;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_MAP)
        return g2d__cfg_fail(c, n, false, path, "expected a mapping, got %s",
                             g2d__cfg_type_name(n));
    for (i = 0; i < n->nkids; i++)
        if (strcmp(n->kids[i]->key, "databases") && strcmp(n->kids[i]->key, "tables"))
            return g2d__cfg_fail(c, n->kids[i], true, path, "'%s' is not one of databases, tables",
                                 g2d__cfg_shown((char[96]){0}, 96, n->kids[i]->key));
    r = g2d__cfg_check_dups(c, n, path, false);
    if (r < 0)
        return r;
    parts[0] = child(n, "databases");
    parts[1] = child(n, "tables");
    total = (parts[0] ? parts[0]->nkids : 0) + (parts[1] ? parts[1]->nkids : 0);
    if (!total)
        return 0;
    c->cfg->renames = calloc(total, sizeof(*c->cfg->renames));
    if (!c->cfg->renames)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    g2d__cfg_join(p[0], sizeof(p[0]), path, "databases");
    g2d__cfg_join(p[1], sizeof(p[1]), path, "tables");
    r = add_rules(c, parts[0], p[0], false);
    ndb = c->cfg->nrenames;
    if (!r)
        r = add_rules(c, parts[1], p[1], true);
    for (i = 0; !r && i < c->cfg->nrenames; i++) {
        size_t j = same_target(c->cfg, i);
        bool tbl = i >= ndb;
        const struct g2d__node *k = parts[tbl]->kids[tbl ? i - ndb : i];

        char kp[256];

        g2d__cfg_join(kp, sizeof(kp), p[tbl], k->key);
        if (j != SIZE_MAX)
            r = g2d__cfg_fail(
                c, k, false, kp, "'%s' is already the DLF name of another Glue %s (line %d)",
                g2d__cfg_shown((char[96]){0}, 96, c->cfg->renames[i].to),
                tbl ? "table" : "database", parts[tbl]->kids[tbl ? j - ndb : j]->line);
    }
    return r;
}

/* ---- look-ups ---------------------------------------------------------------------------- */

const char *g2d_config_rename_database(const struct g2d_config *cfg, const char *db)
{
    for (size_t i = 0; db && i < cfg->nrenames; i++)
        if (!cfg->renames[i].table && !strcasecmp(cfg->renames[i].database, db))
            return cfg->renames[i].to;
    return NULL;
}

const char *g2d_config_rename_table(const struct g2d_config *cfg, const char *db, const char *table)
{
    for (size_t i = 0; db && table && i < cfg->nrenames; i++)
        if (cfg->renames[i].table && !strcasecmp(cfg->renames[i].database, db) &&
            !strcasecmp(cfg->renames[i].table, table))
            return cfg->renames[i].to;
    return NULL;
}

bool g2d_config_glue_origin(const struct g2d_config *cfg, const char *dlf_db, const char *dlf_tbl,
                            const char **glue_db, const char **glue_tbl)
{
    const struct g2d_rename_rule *r;
    size_t i;

    *glue_db = dlf_db;
    *glue_tbl = dlf_tbl;
    for (i = 0; i < cfg->nrenames; i++)
        if (!cfg->renames[i].table && !strcasecmp(cfg->renames[i].to, dlf_db))
            break;
    if (i < cfg->nrenames)
        *glue_db = cfg->renames[i].database;
    else if (g2d_config_rename_database(cfg, dlf_db))
        return false; /* DLF's copy of a name Glue's database no longer maps to */
    if (!dlf_tbl)
        return true;
    for (i = 0; i < cfg->nrenames; i++) {
        r = &cfg->renames[i];
        if (r->table && !strcasecmp(r->database, *glue_db) && !strcasecmp(r->to, dlf_tbl)) {
            *glue_tbl = r->table;
            return true;
        }
    }
    return !g2d_config_rename_table(cfg, *glue_db, dlf_tbl);
}
