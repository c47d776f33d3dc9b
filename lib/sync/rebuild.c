/* SPDX-License-Identifier: MIT */
/*
 * The snapshot rebuilt from DLF (first cycle, full reconcile, scope change): DLF's
 * databases, then the tables and functions of each database in scope, then the
 * partitions of each table in scope, as fingerprints (partitions compactly). The filters
 * scope DLF exactly as they scope Glue: what is outside them is never listed, so it is
 * never written or deleted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync/engine.h"

enum { SJ_TABLES = 0, SJ_FUNCTIONS, SJ_PARTITIONS };

/* One DLF listing job: tables or functions of a database, or the partitions of a table. */
struct snapjob {
    struct snapjob *next;          /* queue */
    struct snapjob *aprev, *anext; /* running */
    int kind;
    char *db, *tbl, *key;
    struct listing l;
    struct g2d_expr *filter;
    struct g2d_expr_key keys[MAX_KEYS];
    size_t nkeys;
    uint64_t outside; /* partitions its filter leaves out */
};

static void snapjob_read(struct g2d_sync *s, struct snapjob *j);

#define NOMEM "out of memory while building the snapshot"

/*
 * Verifying a checkpoint: DLF's object @p key of @p type with fingerprint @p fp must be in
 * the snapshot with that fingerprint (and is marked), else the checkpoint is stale.
 * @return true when verifying (the caller then stores nothing).
 */
static bool verify_one(struct g2d_sync *s, unsigned type, const char *key, const struct g2d_fp *fp)
{
    struct g2d_snap_entry *e;

    if (!s->verifying)
        return false;
    e = g2d_snapshot_get(&s->snap, type, key);
    if (!e || memcmp(&e->fp, fp, sizeof(*fp)) != 0)
        s->verify_mismatch++;
    else
        e->seen = 1;
    return true;
}

static void snapjob_free(struct snapjob *j)
{
    free(j->db);
    free(j->tbl);
    free(j->key);
    listing_done(&j->l);
    g2d_expr_free(j->filter);
    free(j);
}

static int snapjob_add(struct g2d_sync *s, int kind, const char *db, const char *tbl)
{
    static const enum g2d_listing what[] = {G2D_LIST_DLF_TABLES, G2D_LIST_DLF_FUNCTIONS,
                                            G2D_LIST_DLF_PARTITIONS};
    struct snapjob *j = calloc(1, sizeof(*j));

    if (!j)
        return -ENOMEM;
    j->kind = kind;
    j->l.what = what[kind];
    j->db = strdup(db);
    j->tbl = tbl ? strdup(tbl) : NULL;
    j->key = tbl ? join2(db, ".", tbl) : NULL;
    if (!j->db || (tbl && (!j->tbl || !j->key))) {
        snapjob_free(j);
        return -ENOMEM;
    }
    j->next = s->sjobs;
    s->sjobs = j;
    return 0;
}

static void snapjob_unlink(struct g2d_sync *s, struct snapjob *j)
{
    if (j->aprev)
        j->aprev->anext = j->anext;
    else
        s->sj_active = j->anext;
    if (j->anext)
        j->anext->aprev = j->aprev;
    s->sjobs_active--;
}

static void snapjob_end(struct g2d_sync *s, struct snapjob *j)
{
    snapjob_unlink(s, j);
    snapjob_free(j);
}

void rebuild_free(struct g2d_sync *s)
{
    while (s->sjobs) {
        struct snapjob *j = s->sjobs;

        s->sjobs = j->next;
        snapjob_free(j);
    }
    while (s->sj_active)
        snapjob_end(s, s->sj_active);
    listing_done(&s->dlf_dbs);
}

static void snap_table(struct g2d_sync *s, struct snapjob *j, json_t *t)
{
    json_t *name = json_object_get(t, "TableName"), *pk;
    const char *gdb, *gtbl;
    struct g2d_snap_entry *e;
    struct g2d_fp fp;
    char *key;

    /* In scope when the Glue table it is the copy of is (sync.rename). */
    if (!json_is_string(name) ||
        !g2d_config_glue_origin(s->cycle_cfg, j->db, json_string_value(name), &gdb, &gtbl) ||
        !g2d_config_table_selected(s->cycle_cfg, gtbl))
        return;
    key = name_fold(j->db, json_string_value(name));
    pk = json_object_get(t, "PartitionKeys");
    if (key && s->verifying && g2d_fp_table(t, &fp) == 0) {
        (void)verify_one(s, G2D_ITEM_TABLE, key, &fp);
        free(key);
        return;
    }
    if (!key || g2d_fp_table(t, &fp) < 0 ||
        g2d_snapshot_put(&s->snap, G2D_ITEM_TABLE, key, &fp) < 0 ||
        !(e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, key)) ||
        (!e->meta && !(e->meta = g2d_tmeta_new())) || g2d_tmeta_set_keys(e->meta, pk) < 0) {
        free(key);
        sync_fail(s, -ENOMEM, "", NOMEM);
        return;
    }
    if (sync_want(s, G2D_OBJ_PARTITIONS) && json_array_size(pk) > 0) {
        if (snapjob_add(s, SJ_PARTITIONS, j->db, json_string_value(name)) < 0)
            sync_fail(s, -ENOMEM, "", NOMEM);
    } else {
        e->meta->parts_loaded = true;
    }
    free(key);
}

static void snap_function(struct g2d_sync *s, struct snapjob *j, json_t *f)
{
    json_t *name = json_object_get(f, "FunctionName");
    struct g2d_fp fp;
    char *key;

    if (!json_is_string(name))
        return;
    key = name_fold(j->db, json_string_value(name));
    if (key && g2d_fp_function(f, &fp) == 0 && verify_one(s, G2D_ITEM_FUNCTION, key, &fp)) {
        free(key);
        return;
    }
    if (!key || g2d_fp_function(f, &fp) < 0 ||
        g2d_snapshot_put(&s->snap, G2D_ITEM_FUNCTION, key, &fp) < 0)
        sync_fail(s, -ENOMEM, "", NOMEM);
    free(key);
}

static void snap_partition(struct g2d_sync *s, struct snapjob *j, struct g2d_tmeta *meta, json_t *p)
{
    json_t *values = json_object_get(p, "Values");
    const char *vals[MAX_KEYS];
    size_t n = json_array_size(values), i;
    struct g2d_fp fp;

    if (n == 0 || n > MAX_KEYS || n != meta->nkeys)
        return;
    for (i = 0; i < n; i++) {
        vals[i] = json_string_value(json_array_get(values, i));
        if (!vals[i])
            return;
    }
    /* The partition filter scopes DLF exactly as it scopes Glue. */
    if (j->filter && g2d_expr_eval(j->filter, j->keys, j->nkeys, vals, NULL) != 1) {
        j->outside++;
        return;
    }
    if (g2d_fp_partition(p, &fp) < 0 || g2d_pset_put(&meta->parts, vals, n, &fp, 0, 0) < 0)
        sync_fail(s, -ENOMEM, "", NOMEM);
}

static void snapjob_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    static const char *const what[] = {"tables", "functions", "partitions"};
    struct snapjob *j = arg;
    struct g2d_tmeta *meta = NULL;
    enum listing_next next;
    char msg[700];
    json_t *o;
    size_t i;

    if (res->err) {
        snprintf(msg, sizeof(msg), "listing DLF %s of '%s' failed: %s", what[j->kind],
                 j->key ? j->key : j->db, res->message);
        sync_fail(s, res->err, "", msg);
        snapjob_end(s, j);
        return;
    }
    if (j->kind == SJ_PARTITIONS && !(meta = diff_table_meta(s, j->key))) {
        snapjob_end(s, j);
        return;
    }
    json_array_foreach(res->list, i, o)
    {
        if (j->kind == SJ_TABLES)
            snap_table(s, j, o);
        else if (j->kind == SJ_FUNCTIONS)
            snap_function(s, j, o);
        else
            snap_partition(s, j, meta, o);
    }
    next = listing_advance(&j->l, res->next_token);
    if (next == LISTING_MORE) {
        snapjob_read(s, j);
        return;
    }
    if (next != LISTING_DONE) {
        snprintf(msg, sizeof(msg), "listing DLF %s of '%s' failed: %s", what[j->kind],
                 j->key ? j->key : j->db,
                 next == LISTING_NOMEM ? "out of memory"
                                       : "the service repeated its NextPageToken or never ended");
        sync_fail(s, next == LISTING_NOMEM ? -ENOMEM : -EPROTO, "", msg);
    } else if (meta) {
        meta->parts_loaded = true;
        (void)g2d_pset_trim(&meta->parts); /* all known now: tight fit */
        if (j->outside)
            json_object_set_new(s->dlf_outside, j->key, json_integer((json_int_t)j->outside));
    }
    snapjob_end(s, j);
}

static void snapjob_read(struct g2d_sync *s, struct snapjob *j)
{
    struct g2d_list_req req = {.db = j->db, .tbl = j->tbl};
    int r = listing_read(s, &j->l, &req, snapjob_page, j);

    if (r < 0) {
        sync_fail(s, r, "", "could not queue a DLF request");
        snapjob_end(s, j);
    }
}

static void snapjob_start(struct g2d_sync *s, struct snapjob *j)
{
    j->aprev = NULL;
    j->anext = s->sj_active;
    if (s->sj_active)
        s->sj_active->aprev = j;
    s->sj_active = j;
    s->sjobs_active++;
    if (j->kind == SJ_PARTITIONS) {
        struct g2d_tmeta *meta = diff_table_meta(s, j->key);
        const char *gdb, *gtbl, *expr = NULL;
        size_t i;

        if (g2d_config_glue_origin(s->cycle_cfg, j->db, j->tbl, &gdb, &gtbl))
            expr = g2d_config_partition_filter(s->cycle_cfg, gdb, gtbl);
        for (i = 0; meta && i < meta->nkeys && i < MAX_KEYS; i++) {
            j->keys[i].name = meta->keys[i];
            j->keys[i].type = meta->types[i];
        }
        j->nkeys = i;
        if (expr && g2d_expr_parse(expr, &j->filter, NULL) < 0)
            j->filter = NULL; /* validated at config load; unreachable */
    }
    snapjob_read(s, j);
}

/* Every database, table and function of the checkpoint must have been met in DLF. */
static bool verified(struct g2d_sync *s)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    while ((e = g2d_snapshot_next(&s->snap, &pos)))
        if (!e->seen)
            s->verify_mismatch++;
    g2d_snapshot_unmark(&s->snap);
    return s->verify_mismatch == 0;
}

bool rebuild_step(struct g2d_sync *s)
{
    unsigned limit = s->cycle_cfg->dlf.http.max_concurrency;

    if (limit == 0)
        limit = 16;
    while (!s->cancelling && s->sjobs && s->sjobs_active < limit) {
        struct snapjob *j = s->sjobs;

        s->sjobs = j->next;
        snapjob_start(s, j);
    }
    if (s->cancelling || !s->dlf_dbs.listed || s->sjobs || s->sjobs_active)
        return false;
    if (s->verifying) {
        char note[200];

        s->verifying = false;
        if (verified(s))
            return true; /* the checkpoint holds: no partition listing */
        snprintf(note, sizeof(note),
                 "the checkpoint differs from DLF in %llu objects: the snapshot is rebuilt "
                 "from DLF",
                 (unsigned long long)s->verify_mismatch);
        sync_note(s, note);
        rebuild_start(s, false);
        return false;
    }
    s->snap_valid = true;
    s->snap_built_ms = now_ms();
    s->prog.snapshot_items = s->snap.used;
    s->cur.snapshot_rebuilt = true;
    s->cur.snapshot_rebuild_ms = s->snap_built_ms - s->rebuild_started_ms;
    return true;
}

/* ---- DLF databases ------------------------------------------------------------------- */

static void dlf_dbs_read(struct g2d_sync *s);

static void dlf_dbs_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    enum listing_next next;
    char *key = NULL;
    json_t *db;
    size_t i;

    if (res->err) {
        sync_fail(s, res->err, "listing DLF databases failed: ", res->message);
        return;
    }
    json_array_foreach(res->list, i, db)
    {
        json_t *name = json_object_get(db, "Name");
        const char *n, *gdb, *gtbl;
        struct g2d_fp fp;

        if (!json_is_string(name))
            continue;
        n = json_string_value(name);
        if (!g2d_config_glue_origin(s->cycle_cfg, n, NULL, &gdb, &gtbl) ||
            !g2d_config_database_selected(s->cycle_cfg, gdb))
            continue;
        free(key);
        key = name_fold(n, NULL);
        if (key && s->verifying && g2d_fp_database(db, &fp) == 0)
            (void)verify_one(s, G2D_ITEM_DATABASE, key, &fp);
        if (!key || g2d_fp_database(db, &fp) < 0 ||
            (!s->verifying && g2d_snapshot_put(&s->snap, G2D_ITEM_DATABASE, key, &fp) < 0) ||
            (sync_want(s, G2D_OBJ_TABLES) && snapjob_add(s, SJ_TABLES, key, NULL) < 0) ||
            (sync_want(s, G2D_OBJ_FUNCTIONS) && snapjob_add(s, SJ_FUNCTIONS, key, NULL) < 0)) {
            free(key);
            sync_fail(s, -ENOMEM, "", NOMEM);
            return;
        }
    }
    free(key);
    next = listing_advance(&s->dlf_dbs, res->next_token);
    if (next == LISTING_MORE)
        dlf_dbs_read(s);
    else if (next != LISTING_DONE)
        sync_fail(s, next == LISTING_NOMEM ? -ENOMEM : -EPROTO, "listing DLF databases failed: ",
                  next == LISTING_NOMEM
                      ? "out of memory"
                      : "ListDatabases repeated its NextPageToken or never ended");
}

static void dlf_dbs_read(struct g2d_sync *s)
{
    struct g2d_list_req req = {0};

    if (listing_read(s, &s->dlf_dbs, &req, dlf_dbs_page, NULL) < 0)
        sync_fail(s, -ENOMEM, "", "could not queue a DLF request");
}

/* DLF names no such catalog, or one of another kind: which of them, for the message. */
static bool catalog_missing(const struct g2d_api_result *res)
{
    static const char *const codes[] = {"NoSuchObject", "EntityNotFound", "CatalogNotFound",
                                        "NotFound"};

    if (res->err != -EIO)
        return false;
    if (res->status == 404)
        return true;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (res->code && !strcmp(res->code, codes[i]))
            return true;
    return false;
}

/*
 * The catalog must be one the DataLake 2020-07-10 metastore API serves (what Alibaba now
 * calls DLF-Legacy): the newer, Paimon-based DLF has no partition API. Its GetCatalog
 * model has no type member; an answer that carries one other than Hive's is a catalog of
 * another kind, refused too.
 */
static void catalog_checked(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    const char *id = s->cycle_cfg->dlf.catalog_id ? s->cycle_cfg->dlf.catalog_id : "(default)";
    json_t *cat = res->err ? NULL : json_object_get(res->json, "Catalog");
    const char *type = json_string_value(json_object_get(cat, "Type"));
    char msg[700];

    if (!type)
        type = json_string_value(json_object_get(cat, "CatalogType"));
    if (!res->err && (!type || !*type || !strcasecmp(type, "hive"))) {
        dlf_dbs_read(s);
        return;
    }
    if (res->err && !catalog_missing(res)) {
        sync_fail(s, res->err, "checking the DLF catalog failed: ", res->message);
        return;
    }
    snprintf(msg, sizeof(msg),
             "DLF catalog '%s' is not one the DataLake 2020-07-10 metastore API serves "
             "(DLF-Legacy): GetCatalog %s '%.200s'; glue2dlf writes through that API, which "
             "the newer (Paimon-based) DLF catalogs do not offer (no partition API): set "
             "dlf.catalog_id to a DLF-Legacy catalog",
             id, res->err ? "answered" : "gives its type as", res->err ? res->message : type);
    sync_fail(s, -ENOENT, "", msg);
}

void rebuild_start(struct g2d_sync *s, bool verify)
{
    s->verifying = verify;
    s->verify_mismatch = 0;
    s->rebuild_started_ms = now_ms();
    if (!verify) {
        g2d_snapshot_clear(&s->snap);
        s->snap_valid = false;
        json_object_clear(s->dlf_outside);
    } else {
        g2d_snapshot_unmark(&s->snap);
    }
    s->phase = G2D_PHASE_SNAPSHOT;
    s->prog.phase = G2D_PHASE_SNAPSHOT;
    listing_done(&s->dlf_dbs);
    s->dlf_dbs = (struct listing){.what = G2D_LIST_DLF_DATABASES};
    /* Whenever the snapshot is built from DLF (start-up, a new catalog or endpoint, the
     * full reconcile): first, that the catalog is one this API serves. */
    if (!s->client.ops->get_catalog)
        dlf_dbs_read(s);
    else if (catalog_read(s, catalog_checked, NULL) < 0)
        sync_fail(s, -ENOMEM, "", "could not queue a DLF request");
}
