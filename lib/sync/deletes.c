/* SPDX-License-Identifier: MIT */
/*
 * Deletes: once every listing of the cycle is done, what the snapshot holds and Glue did
 * not list is deleted in reverse dependency order — partitions (stage 0), then tables and
 * functions (1), then databases (2) — only under containers whose Glue listing completed,
 * and behind the guards: if Glue listed none of a type where DLF holds some, or the deletes
 * exceed deletes.max_count or deletes.max_fraction, they are held and reported instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/engine.h"

/* Why deletes of one type are held back, or "" to apply them; *@p code says which guard
 * (enum g2d_held_reason). */
static void guard(struct g2d_sync *s, const char *what, uint64_t n, uint64_t total,
                  uint64_t glue_seen, char *reason, size_t rsz, unsigned *code)
{
    const struct g2d_config *cfg = s->cycle_cfg;

    reason[0] = '\0';
    *code = G2D_HELD_R_NONE;
    if (n == 0)
        return;
    *code = glue_seen == 0 && total > 0                ? G2D_HELD_R_EMPTY_SOURCE
            : cfg->max_deletes && n > cfg->max_deletes ? G2D_HELD_R_MAX_COUNT
                                                       : G2D_HELD_R_MAX_FRACTION;
    if (glue_seen == 0 && total > 0)
        snprintf(reason, rsz,
                 "delete held: Glue listed no %s in scope while DLF holds %llu (empty-source "
                 "guard)",
                 what, (unsigned long long)total);
    else if (cfg->max_deletes && n > cfg->max_deletes)
        snprintf(reason, rsz, "delete held: %llu %s deletes exceed deletes.max_count (%u)",
                 (unsigned long long)n, what, cfg->max_deletes);
    else if (total && (double)n > cfg->max_delete_fraction * (double)total)
        snprintf(reason, rsz,
                 "delete held: %llu of %llu %s (%.0f%%) exceed deletes.max_fraction (%.0f%%)",
                 (unsigned long long)n, (unsigned long long)total, what,
                 100.0 * (double)n / (double)total, 100.0 * cfg->max_delete_fraction);
    else
        *code = G2D_HELD_R_NONE;
}

/* Held: recorded for a person, counted, reported (with the ID to approve it by). */
static void hold(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
                 const char *tbl, const char *reason, unsigned code)
{
    char id[17], msg[600];

    held_register(s, type, name, code, id);
    s->cur.held++;
    if (s->held_reported[type]++ >= HELD_REPORT_MAX)
        return;
    if (id[0])
        snprintf(msg, sizeof(msg), "%s [held delete %s: glue2dlfctl approve %s]", reason, id, id);
    else
        snprintf(msg, sizeof(msg), "%s", reason);
    report(s, type, name, db, tbl, G2D_DIFF_DLF_NEW, false, true, msg, NULL);
}

/* Split "db.name" at the first dot (names of databases hold none). */
static void split_key(const char *key, char *db, size_t dbsz, const char **rest)
{
    const char *dot = strchr(key, '.');
    size_t n = dot ? (size_t)(dot - key) : strlen(key);

    if (n >= dbsz)
        n = dbsz - 1;
    memcpy(db, key, n);
    db[n] = '\0';
    *rest = dot ? dot + 1 : "";
}

/* The registry's name of a partition of @p e ("db.tbl/k=v"), NULL on ENOMEM. */
static char *part_name(const struct g2d_snap_entry *e, json_t *values)
{
    return partition_name(e->key, e->meta->keys, e->meta->nkeys, values);
}

/* The values of @p pe as a JSON array of strings (NULL on ENOMEM). */
static json_t *part_values(struct g2d_snap_entry *e, struct g2d_pentry *pe)
{
    const char *vals[MAX_KEYS];
    size_t lens[MAX_KEYS], nv, i;
    json_t *values;

    nv = g2d_pset_values(&e->meta->parts, pe, vals, lens, MAX_KEYS);
    values = json_array();
    for (i = 0; values && i < nv; i++)
        if (json_array_append_new(values, json_stringn(vals[i], lens[i])) < 0) {
            json_decref(values);
            return NULL;
        }
    return values;
}

/* The registry's verdict on one missing partition (HV_GUARD when there is no registry). */
static enum held_verdict part_verdict(struct g2d_sync *s, struct g2d_snap_entry *e, json_t *values,
                                      char **name)
{
    enum held_verdict v;

    *name = NULL;
    if (!held_active(s))
        return HV_GUARD;
    *name = part_name(e, values);
    if (!*name)
        return HV_GUARD;
    v = held_check(s, G2D_ITEM_PARTITION, *name);
    return v;
}

/* Add a delete of @p values to the batch; sends it when full. */
static void batch_delete(struct g2d_sync *s, struct tunit *tu, struct g2d_snap_entry *e,
                         const char *db, const char *tbl, struct pitem **batch, size_t *nb,
                         json_t *values)
{
    struct pitem *nbatch = realloc(*batch, (*nb + 1) * sizeof(**batch));

    if (!nbatch) {
        json_decref(values);
        return;
    }
    *batch = nbatch;
    memset(&nbatch[*nb], 0, sizeof(nbatch[*nb]));
    nbatch[*nb].values = values;
    nbatch[*nb].diff = G2D_DIFF_DLF_NEW;
    if (++*nb == load_batch_size(s)) {
        load_partitions(s, tu, e->key, db, tbl, G2D_DIFF_DLF_NEW, *batch, *nb);
        *batch = NULL;
        *nb = 0;
    }
}

/* The partitions of one table that Glue did not list, as delete items (or held). */
static void table_partition_deletes(struct g2d_sync *s, struct g2d_snap_entry *e, struct tunit *tu,
                                    const char *reason, unsigned code)
{
    struct pitem *batch = NULL;
    struct g2d_pentry *pe;
    uint32_t ppos = 0;
    size_t nb = 0;
    char db[256];
    const char *tbl;

    split_key(e->key, db, sizeof(db), &tbl);
    while ((pe = g2d_pset_next(&e->meta->parts, &ppos))) {
        enum held_verdict v;
        json_t *values;
        char *name;

        if (pe->flags & G2D_PENTRY_SEEN)
            continue;
        if (!(values = part_values(e, pe)))
            continue;
        v = part_verdict(s, e, values, &name);
        if (v == HV_SKIP || (v == HV_GUARD && reason[0])) {
            if (v == HV_GUARD) {
                if (!name)
                    name = part_name(e, values);
                hold(s, G2D_ITEM_PARTITION, name ? name : e->key, db, tbl, reason, code);
            }
            free(name);
            json_decref(values);
            continue;
        }
        free(name);
        batch_delete(s, tu, e, db, tbl, &batch, &nb, values);
    }
    load_partitions(s, tu, e->key, db, tbl, G2D_DIFF_DLF_NEW, batch, nb);
}

/* The partitions of @p e that Glue did not list and the guards are to count. */
static uint64_t partition_candidates(struct g2d_sync *s, struct g2d_snap_entry *e)
{
    struct g2d_pentry *pe;
    uint32_t ppos = 0;
    uint64_t n = 0;

    while ((pe = g2d_pset_next(&e->meta->parts, &ppos))) {
        json_t *values;
        char *name;

        if (pe->flags & G2D_PENTRY_SEEN)
            continue;
        if (!held_active(s)) {
            n++;
            continue;
        }
        if (!(values = part_values(e, pe)))
            continue;
        n += part_verdict(s, e, values, &name) == HV_GUARD;
        free(name);
        json_decref(values);
    }
    return n;
}

/* Stage 0: partitions of tables that Glue still has. */
static void delete_partitions(struct g2d_sync *s)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    if (!sync_want(s, G2D_OBJ_PARTITIONS) || !s->cycle_cfg->deletes)
        return;
    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        struct g2d_pentry *pe;
        struct tunit *tu;
        uint32_t ppos = 0;
        uint64_t n = 0;
        unsigned code;
        char reason[300];

        if (e->type != G2D_ITEM_TABLE || !e->seen || !e->meta || !e->meta->parts_loaded)
            continue;
        tu = diff_find_table(s, e->key);
        if (!tu || !tu->listed || tu->failed || tu->recreate)
            continue; /* partitions not fully known this cycle */
        while ((pe = g2d_pset_next(&e->meta->parts, &ppos)) && !n)
            if (!(pe->flags & G2D_PENTRY_SEEN))
                n++;
        if (n == 0)
            continue;
        n = partition_candidates(s, e);
        guard(s, "partitions", n, e->meta->parts.used, tu->parts_seen, reason, sizeof(reason),
              &code);
        table_partition_deletes(s, e, tu, reason, code);
    }
}

/* Did the Glue listing of @p type under @p d complete? */
static bool dblist_complete(const struct dbunit *d, enum g2d_item_type type)
{
    const struct listing *l = &d->list[type == G2D_ITEM_TABLE ? DBL_TABLES : DBL_FUNCTIONS].l;

    return l->listed && !l->failed;
}

/*
 * May the object @p e (not seen in Glue) be deleted: did its container's listing
 * complete? Sets *@p d to its database's unit (NULL when the database is gone from Glue).
 */
static bool deletable(struct g2d_sync *s, const struct g2d_snap_entry *e, char *db, size_t dbsz,
                      const char **rest, struct dbunit **d)
{
    split_key(e->key, db, dbsz, rest);
    *d = NULL;
    if (e->type == G2D_ITEM_DATABASE) {
        *rest = NULL;
        return true;
    }
    *d = diff_find_db(s, db);
    if (*d)
        return !(*d)->failed && dblist_complete(*d, e->type);
    return s->glue_dbs.listed; /* its database is gone from Glue: contents go first */
}

/*
 * The guards of one database's tables or functions: a database that suddenly lists
 * nothing, or loses more than deletes.max_fraction of them, is held even when the
 * catalog as a whole is large.
 */
static void db_guard(const struct g2d_sync *s, const struct dbunit *d, int k, const char *what,
                     char *reason, size_t rsz, unsigned *code)
{
    double frac = s->cycle_cfg->max_delete_fraction;

    reason[0] = '\0';
    *code = G2D_HELD_R_NONE;
    if (d->gone[k] == 0)
        return;
    *code = d->glue_seen[k] == 0 && d->dlf_total[k] > 0 ? G2D_HELD_R_EMPTY_SOURCE
                                                        : G2D_HELD_R_MAX_FRACTION;
    if (d->glue_seen[k] == 0 && d->dlf_total[k] > 0)
        snprintf(reason, rsz,
                 "delete held: Glue listed no %s in database '%s' while DLF holds %llu there "
                 "(empty-source guard)",
                 what, d->name, (unsigned long long)d->dlf_total[k]);
    else if ((double)d->gone[k] > frac * (double)d->dlf_total[k])
        snprintf(reason, rsz,
                 "delete held: %llu of %llu %s of database '%s' (%.0f%%) exceed "
                 "deletes.max_fraction (%.0f%%)",
                 (unsigned long long)d->gone[k], (unsigned long long)d->dlf_total[k], what, d->name,
                 100.0 * (double)d->gone[k] / (double)d->dlf_total[k], 100.0 * frac);
    else
        *code = G2D_HELD_R_NONE;
}

static const struct delete_kind {
    enum g2d_item_type type;
    unsigned obj;
    const char *what;
} delete_kinds[] = {
    {G2D_ITEM_TABLE, G2D_OBJ_TABLES, "tables"},
    {G2D_ITEM_FUNCTION, G2D_OBJ_FUNCTIONS, "functions"},
    {G2D_ITEM_DATABASE, G2D_OBJ_DATABASES, "databases"},
};

/* Count the candidates of one type: catalog-wide into *@p n / *@p total, and per database. */
static void delete_count(struct g2d_sync *s, const struct delete_kind *k, uint64_t *n,
                         uint64_t *total)
{
    int ki = k->type == G2D_ITEM_FUNCTION;
    struct g2d_snap_entry *e;
    struct dbunit *d;
    size_t pos = 0;
    char db[256];
    const char *rest;

    *n = *total = 0;
    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        bool cand;

        if (e->type != k->type)
            continue;
        (*total)++;
        cand = !e->seen && deletable(s, e, db, sizeof(db), &rest, &d) &&
               held_check(s, e->type, e->key) == HV_GUARD;
        if (e->seen) {
            split_key(e->key, db, sizeof(db), &rest);
            d = e->type == G2D_ITEM_DATABASE ? NULL : diff_find_db(s, db);
        }
        if (d) {
            d->dlf_total[ki]++;
            d->gone[ki] += cand;
        }
        *n += cand;
    }
}

/* Did a person approve the delete of database @p db? */
static bool db_approved(struct g2d_sync *s, const char *db)
{
    struct g2d_held *h = s->held.used ? g2d_held_get(&s->held, G2D_ITEM_DATABASE, db) : NULL;

    return h && h->state == G2D_HELD_APPROVED;
}

/* Why this candidate is held, given the catalog-wide @p reason: "" to delete it. */
static const char *hold_reason(struct g2d_sync *s, const struct delete_kind *k,
                               const struct dbunit *d, const char *db, const char *reason,
                               unsigned *code, char *buf, size_t bsz)
{
    if (reason[0] || k->type == G2D_ITEM_DATABASE)
        return reason;
    if (!d) {
        /* its database is gone from Glue: held with the database, gone with it */
        *code = s->db_hold_code;
        return db_approved(s, db) ? "" : s->db_hold;
    }
    db_guard(s, d, k->type == G2D_ITEM_FUNCTION, k->what, buf, bsz, code);
    return buf;
}

/* The deletes of one object type (tables, functions or databases). */
static void delete_kind(struct g2d_sync *s, const struct delete_kind *k)
{
    struct g2d_snap_entry *e;
    struct dbunit *d;
    size_t pos = 0;
    uint64_t n, total, seen;
    unsigned code, why_code;
    char reason[300], dbr[400], db[256];
    const char *rest, *why;

    seen = k->type == G2D_ITEM_TABLE      ? s->tables_seen
           : k->type == G2D_ITEM_FUNCTION ? s->fns_seen
                                          : s->dbs_seen;
    delete_count(s, k, &n, &total);
    guard(s, k->what, n, total, seen, reason, sizeof(reason), &code);
    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        enum held_verdict v;

        if (e->type != k->type || e->seen || !deletable(s, e, db, sizeof(db), &rest, &d))
            continue;
        v = held_check(s, k->type, e->key);
        if (v == HV_SKIP)
            continue;
        why_code = code;
        why = v == HV_APPROVED ? "" : hold_reason(s, k, d, db, reason, &why_code, dbr, sizeof(dbr));
        if (why[0])
            hold(s, k->type, e->key, db, rest, why, why_code);
        else if (load_object(s, k->type, G2D_DIFF_DLF_NEW, e->key, e->key, db, rest, NULL, NULL,
                             NULL, NULL, NULL) < 0)
            report_failed(s, k->type, e->key, db, rest, G2D_DIFF_DLF_NEW, "out of memory");
    }
}

/* Decide before stage 1 whether the database deletes are held: their contents go first,
 * so they must be held with them. */
static void decide_databases(struct g2d_sync *s)
{
    uint64_t n = 0, total = 0;
    struct g2d_snap_entry *e;
    size_t pos = 0;

    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        if (e->type != G2D_ITEM_DATABASE)
            continue;
        total++;
        n += !e->seen && held_check(s, G2D_ITEM_DATABASE, e->key) == HV_GUARD;
    }
    guard(s, "databases", n, total, s->dbs_seen, s->db_hold, sizeof(s->db_hold), &s->db_hold_code);
}

bool diff_recreate_allowed(struct g2d_sync *s, struct tunit *tu)
{
    struct g2d_tmeta *meta = diff_table_meta(s, tu->key);
    uint64_t n = meta ? meta->parts.used : 0;
    char reason[700], why[300], id[17];
    unsigned code;

    switch (held_decided(s, G2D_ITEM_TABLE, tu->key)) {
    case HV_APPROVED:
        return true; /* a person approved dropping it */
    case HV_SKIP:
        return false; /* rejected: kept as it is, not held again */
    default:
        break;
    }
    why[0] = '\0';
    if (!s->cycle_cfg->deletes)
        snprintf(why, sizeof(why), "deletes are disabled (deletes.enabled: false)");
    else if (g2d_config_partition_filter(s->cycle_cfg, tu->db->glue, tu->glue))
        snprintf(why, sizeof(why),
                 "the table has a partition filter, and dropping it would lose the DLF "
                 "partitions outside it");
    else if (!sync_want(s, G2D_OBJ_PARTITIONS))
        snprintf(why, sizeof(why),
                 "partitions are not synced (sync.objects), and dropping the table would lose "
                 "all its DLF partitions");
    else
        guard(s, "partitions", n, n, tu->parts_seen, why, sizeof(why), &code);
    if (!why[0])
        return true;
    held_register(s, G2D_ITEM_TABLE, tu->key, G2D_HELD_R_KEY_CHANGE, id);
    snprintf(reason, sizeof(reason),
             "%s; DLF cannot rename partition keys in place, so the table would be dropped "
             "with its %llu partitions and created again: held, because %s",
             tu->key_note ? tu->key_note : "partition keys changed", (unsigned long long)n,
             strncmp(why, "delete held: ", 13) == 0 ? why + 13 : why);
    if (id[0]) {
        size_t l = strlen(reason);

        snprintf(reason + l, sizeof(reason) - l, " [held delete %s: glue2dlfctl approve %s]", id,
                 id);
    }
    s->cur.held++;
    report(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE, false, true,
           reason, NULL);
    return false;
}

void diff_deletes(struct g2d_sync *s, int stage)
{
    size_t k;

    if (stage == 0) {
        delete_partitions(s);
        return;
    }
    if (!s->cycle_cfg->deletes)
        return;
    if (stage == 1)
        decide_databases(s);
    for (k = stage == 2 ? 2 : 0; k < (stage == 2 ? 3u : 2u); k++)
        if (sync_want(s, delete_kinds[k].obj))
            delete_kind(s, &delete_kinds[k]);
}
