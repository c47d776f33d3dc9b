/* SPDX-License-Identifier: MIT */
/*
 * Diff: each Glue object, mapped to DLF's shape and fingerprinted, against the snapshot.
 * New → create (glueNew), different → update (needUpdate), equal → nothing. Then, once
 * the listings are done, what the snapshot holds and Glue did not list → delete (dlfNew),
 * only under containers whose listing completed, and behind the guards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync/engine.h"

/* ---- the cycle's units by name ------------------------------------------------------- */

void diff_index(struct g2d_sync *s, unsigned type, const char *key, void *unit)
{
    static const struct g2d_fp zero;
    struct g2d_snap_entry *e;

    /* On -ENOMEM it is simply not found later (no deletes below it). */
    if (g2d_snapshot_put(&s->units, type, key, &zero) == 0 &&
        (e = g2d_snapshot_get(&s->units, type, key)))
        e->unit = unit;
}

struct dbunit *diff_find_db(struct g2d_sync *s, const char *name)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->units, G2D_ITEM_DATABASE, name);

    return e ? e->unit : NULL;
}

struct tunit *diff_find_table(struct g2d_sync *s, const char *key)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->units, G2D_ITEM_TABLE, key);

    return e ? e->unit : NULL;
}

struct g2d_tmeta *diff_table_meta(struct g2d_sync *s, const char *key)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, key);

    return e ? e->meta : NULL;
}

/* ---- databases, tables, functions ---------------------------------------------------- */

/* DLF stores names in lower case: write them so, and fingerprint them so (no update churn
 * after a restart, when the fingerprints come from DLF's read-back). @p to (the unit's DLF
 * name, renamed by sync.rename) replaces the Glue name; NULL folds the one there. */
static int fold_member(json_t *input, const char *member, const char *to)
{
    const char *v = to ? to : json_string_value(json_object_get(input, member));
    char *f;
    int r;

    if (!v)
        return 0;
    f = name_fold(v, NULL);
    if (!f)
        return -ENOMEM;
    r = json_object_set_new(input, member, json_string(f)) ? -ENOMEM : 0;
    free(f);
    return r;
}

void diff_database(struct g2d_sync *s, struct dbunit *d, json_t *gdb)
{
    const char *n = d->name;
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_DATABASE, n);
    enum g2d_diff diff = e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW;
    struct g2d_error err = {0};
    json_t *input = NULL;
    struct g2d_fp fp;
    int r;

    if (e) {
        e->seen = 1;
        held_seen(s, G2D_ITEM_DATABASE, e->key);
    }
    if (!sync_want(s, G2D_OBJ_DATABASES))
        return; /* databases not synced: their contents are, into what DLF has */
    s->cur.seen++;
    s->prog.items_seen++;
    if (g2d_model_database(s->cycle_cfg, gdb, &input, &err) < 0 ||
        fold_member(input, "Name", d->name) < 0 || g2d_fp_database(input, &fp) < 0) {
        d->failed = true;
        report_failed(s, G2D_ITEM_DATABASE, n, n, NULL, diff,
                      err.msg[0] ? err.msg : "out of memory");
        json_decref(input);
        return;
    }
    if (e && memcmp(&e->fp, &fp, sizeof(fp)) == 0) {
        s->cur.unchanged++;
    } else {
        d->write_pending = true;
        r = load_object(s, G2D_ITEM_DATABASE, diff, n, n, n, NULL, input, &fp, NULL, d, NULL);
        if (r != 0)
            d->write_pending = false;
        if (r < 0) {
            d->failed = true;
            report_failed(s, G2D_ITEM_DATABASE, n, n, NULL, diff, "out of memory");
        }
    }
    json_decref(input);
}

/* The unit's partition keys and filter, from its TableInput. */
static void table_keys(struct g2d_sync *s, struct tunit *tu)
{
    const char *expr = g2d_config_partition_filter(s->cycle_cfg, tu->db->glue, tu->glue);
    json_t *pk = json_object_get(tu->input, "PartitionKeys");
    size_t i;

    tu->pkeys = json_is_array(pk) ? json_incref(pk) : json_array();
    json_array_foreach(tu->pkeys, i, pk)
    {
        if (i >= MAX_KEYS)
            break;
        tu->keys[i].name = json_string_value(json_object_get(pk, "Name"));
        tu->keys[i].type = json_string_value(json_object_get(pk, "Type"));
        if (!tu->keys[i].type)
            tu->keys[i].type = "string";
        tu->nkeys = i + 1;
    }
    if (expr)
        (void)g2d_expr_parse(expr, &tu->filter, NULL);
}

/* "(dt string, region string)" of a DLF/Glue PartitionKeys array, or of the snapshot's. */
static void keys_text(struct g2d_buf *b, json_t *pk, const struct g2d_tmeta *m)
{
    size_t i, n = pk ? json_array_size(pk) : m->nkeys;

    g2d_buf_putc(b, '(');
    for (i = 0; i < n; i++) {
        json_t *k = pk ? json_array_get(pk, i) : NULL;
        const char *name = k ? json_string_value(json_object_get(k, "Name")) : m->keys[i];
        const char *type = k ? json_string_value(json_object_get(k, "Type")) : m->types[i];

        g2d_buf_printf(b, "%s%s %s", i ? ", " : "", name ? name : "?", type ? type : "string");
    }
    g2d_buf_putc(b, ')');
}

/* Partition keys changed: in place when only their types did, else drop and recreate. */
static void keys_verdict(struct tunit *tu, const struct g2d_tmeta *m)
{
    struct g2d_buf b;

    tu->keys_retyped = g2d_tmeta_same_key_names(m, tu->pkeys);
    tu->recreate = !tu->keys_retyped;
    g2d_buf_init(&b, 4096);
    g2d_buf_puts(&b, "partition keys changed in Glue from ");
    keys_text(&b, NULL, m);
    g2d_buf_puts(&b, " to ");
    keys_text(&b, tu->pkeys, NULL);
    if (tu->keys_retyped)
        g2d_buf_puts(&b, ": only their types, updated in place (AllowPartitionKeyChange); "
                         "the partitions are kept");
    tu->key_note = g2d_buf_steal(&b);
}

/*
 * Glue tables DLF's readers cannot use as Glue's do: copied, with a warning on the
 * result line. Lake Formation governed tables keep their data files' state in Lake
 * Formation transactions and manifests; Athena views keep their definition in Presto's
 * encoded form, which Hive and Spark cannot run.
 */
static const char *reader_warning(json_t *gt)
{
    const char *type = json_string_value(json_object_get(gt, "TableType"));
    const char *orig = json_string_value(json_object_get(gt, "ViewOriginalText"));
    const char *presto =
        json_string_value(json_object_get(json_object_get(gt, "Parameters"), "presto_view"));

    if (type && !strcasecmp(type, "GOVERNED"))
        return "Lake Formation governed table: which of its files are live is kept in Lake "
               "Formation transactions and manifests, which DLF and its readers do not see "
               "(they read every file under the location); copied as is";
    if (type && !strcasecmp(type, "VIRTUAL_VIEW") &&
        ((presto && !strcasecmp(presto, "true")) || (orig && !strncmp(orig, "/* Presto View", 14))))
        return "Athena (Presto) view: its definition is Presto's encoded form (/* Presto View: "
               "... */), which Hive and Spark on DLF cannot run; copied as is";
    if (json_is_true(json_object_get(gt, "IsRegisteredWithLakeFormation")))
        return "registered with Lake Formation: its Lake Formation permissions are not "
               "copied, DLF's own apply";
    return NULL;
}

/* Compare the unit's table with the snapshot's entry @p e (or its absence). */
static void table_verdict(struct g2d_sync *s, struct tunit *tu, struct g2d_snap_entry *e)
{
    g2d_fp_table(tu->input, &tu->fp);
    if (!e) {
        tu->write = true;
        tu->diff = G2D_DIFF_GLUE_NEW;
    } else if (memcmp(&e->fp, &tu->fp, sizeof(tu->fp)) != 0) {
        tu->write = true;
        tu->diff = G2D_DIFF_NEED_UPDATE;
        if (e->meta && !g2d_tmeta_same_keys(e->meta, tu->pkeys))
            keys_verdict(tu, e->meta);
    } else {
        s->cur.unchanged++;
    }
}

struct tunit *diff_table(struct g2d_sync *s, struct dbunit *d, json_t *gt)
{
    json_t *name = json_object_get(gt, "Name"), *input = NULL;
    struct g2d_model_notes notes = {0};
    struct g2d_error err = {0};
    struct g2d_snap_entry *e;
    struct tunit *tu;
    const char *n, *to;
    char *key;

    if (!json_is_string(name))
        return NULL;
    n = json_string_value(name);
    if (!g2d_config_table_selected(s->cycle_cfg, n))
        return NULL;
    /* A resource link points into another catalog: DLF has nothing to link to. */
    if (json_is_object(json_object_get(gt, "TargetTable"))) {
        s->cur.dropped_fields |= G2D_DROP_TABLE_TARGET;
        return NULL;
    }
    to = g2d_config_rename_table(s->cycle_cfg, d->glue, n);
    key = name_fold(d->name, to ? to : n);
    if (!key)
        return NULL;
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, key);
    if ((e && e->seen) || diff_find_table(s, key)) {
        free(key);
        return NULL; /* listed twice */
    }
    s->tables_seen++;
    d->glue_seen[0]++;
    s->prog.tables_total++;
    if (e) {
        e->seen = 1;
        held_seen(s, G2D_ITEM_TABLE, e->key);
    }
    tu = calloc(1, sizeof(*tu));
    if (!tu || !(tu->name = name_fold(to ? to : n, NULL)) || !(tu->glue = strdup(n)) ||
        g2d_model_table(s->cycle_cfg, d->name, gt, &input, &notes, &err) < 0 ||
        fold_member(input, "TableName", tu->name) < 0) {
        report_failed(s, G2D_ITEM_TABLE, key, d->name, n,
                      e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW,
                      err.msg[0] ? err.msg : "out of memory");
        json_decref(input);
        if (tu) {
            free(tu->name);
            free(tu->glue);
        }
        free(tu);
        free(key);
        return NULL;
    }
    s->cur.dropped_fields |= notes.dropped;
    s->cur.seen++;
    s->prog.items_seen++;
    tu->s = s;
    tu->db = d;
    tu->otf = notes.otf;
    tu->warning = reader_warning(gt);
    tu->key = key;
    tu->input = input;
    tu->dlf_parts_start = e && e->meta ? e->meta->parts.used : 0;
    table_keys(s, tu);
    table_verdict(s, tu, e);
    diff_index(s, G2D_ITEM_TABLE, tu->key, tu);
    return tu;
}

void diff_function(struct g2d_sync *s, struct dbunit *d, json_t *gf)
{
    json_t *name = json_object_get(gf, "FunctionName"), *input = NULL;
    struct g2d_model_notes notes = {0};
    struct g2d_error err = {0};
    struct g2d_snap_entry *e;
    enum g2d_diff diff;
    struct g2d_fp fp;
    char *key;

    if (!json_is_string(name))
        return;
    key = name_fold(d->name, json_string_value(name));
    if (!key)
        return;
    s->fns_seen++;
    d->glue_seen[1]++;
    s->cur.seen++;
    s->prog.items_seen++;
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_FUNCTION, key);
    diff = e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW;
    if (e && e->seen) {
        free(key);
        return;
    }
    if (e) {
        e->seen = 1;
        held_seen(s, G2D_ITEM_FUNCTION, e->key);
    }
    if (g2d_model_function(s->cycle_cfg, gf, &input, &notes, &err) < 0 ||
        fold_member(input, "FunctionName", NULL) < 0 || g2d_fp_function(input, &fp) < 0) {
        report_failed(s, G2D_ITEM_FUNCTION, key, d->name, NULL, diff,
                      err.msg[0] ? err.msg : "out of memory");
    } else if (e && memcmp(&e->fp, &fp, sizeof(fp)) == 0) {
        s->cur.dropped_fields |= notes.dropped;
        s->cur.unchanged++;
    } else {
        s->cur.dropped_fields |= notes.dropped;
        if (load_object(s, G2D_ITEM_FUNCTION, diff, key, key, d->name,
                        json_string_value(json_object_get(input, "FunctionName")), input, &fp, NULL,
                        NULL, NULL) < 0)
            report_failed(s, G2D_ITEM_FUNCTION, key, d->name, NULL, diff, "out of memory");
    }
    json_decref(input);
    free(key);
}

/* ---- partitions of a page -------------------------------------------------------------- */

/*
 * Partition values straight from their JSON text when they are plain strings (no escape,
 * no control character): pointers into @p t. @return the number of values, or -1 when the
 * text needs a real JSON decoder.
 */
static int simple_values(const char *t, size_t n, const char **vals, size_t *lens, int max)
{
    const char *p = t, *end = t + n;
    int k = 0;

    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    if (p >= end || *p++ != '[')
        return -1;
    for (;;) {
        const char *q;

        while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
            p++;
        if (p < end && *p == ']' && k == 0)
            return 0;
        if (p >= end || *p != '"' || k == max)
            return -1;
        q = ++p;
        while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
            q++;
        if (q >= end || *q != '"')
            return -1;
        vals[k] = p;
        lens[k] = (size_t)(q - p);
        k++;
        p = q + 1;
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
            p++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        return p < end && *p == ']' ? k : -1;
    }
}

/* The snapshot's entry for a partition, from the text of its Values. */
static struct g2d_pentry *page_lookup(struct g2d_tmeta *meta, const struct pel *e)
{
    const char *vals[MAX_KEYS];
    size_t lens[MAX_KEYS];
    struct g2d_pentry *pe = NULL;
    int nv = simple_values(e->vt, e->vl, vals, lens, MAX_KEYS);

    if (nv > 0)
        return g2d_pset_get_n(&meta->parts, vals, lens, (size_t)nv);
    if (nv < 0) {
        /* escapes or other shapes: let jansson decode them */
        json_t *values = json_loadb(e->vt, e->vl, 0, NULL);
        size_t m = json_array_size(values), k;

        for (k = 0; k < m && k < MAX_KEYS && json_is_string(json_array_get(values, k)); k++)
            vals[k] = json_string_value(json_array_get(values, k));
        if (m && k == m)
            pe = g2d_pset_get(&meta->parts, vals, m);
        json_decref(values);
    }
    return pe;
}

size_t diff_page_match(struct g2d_sync *s, struct tunit *tu, struct pel *el, size_t n)
{
    struct g2d_tmeta *meta = diff_table_meta(s, tu->key);
    size_t i, todo = 0;

    for (i = 0; i < n; i++) {
        struct pel *e = &el[i];
        struct g2d_pentry *pe = meta && e->vt ? page_lookup(meta, e) : NULL;

        if (pe && pe->raw == e->raw && !(pe->flags & G2D_PENTRY_SEEN)) {
            pe->flags |= G2D_PENTRY_SEEN;
            s->cur.seen++;
            s->cur.unchanged++;
            s->prog.items_seen++;
            tu->parts_seen++;
        } else {
            e->todo = true;
            todo++;
        }
    }
    return todo;
}

static int pitem_add(struct pitem **arr, size_t *n, json_t *values, char *text,
                     const struct g2d_fp *fp, uint64_t raw, enum g2d_diff diff)
{
    struct pitem *a = realloc(*arr, (*n + 1) * sizeof(**arr));

    if (!a)
        return -ENOMEM;
    *arr = a;
    a[*n].values = json_incref(values);
    a[*n].text = text;
    a[*n].fp = *fp;
    a[*n].raw = raw;
    a[*n].diff = diff;
    (*n)++;
    return 0;
}

/* One transformed partition against the snapshot (@p meta may be NULL). */
static void page_apply_one(struct g2d_sync *s, struct tunit *tu, struct g2d_tmeta *meta,
                           struct pel *e)
{
    const char *vals[MAX_KEYS];
    struct g2d_pentry *pe = NULL;
    size_t n = json_array_size(e->values), k;
    bool upd;

    for (k = 0; k < n; k++)
        vals[k] = json_string_value(json_array_get(e->values, k));
    if (meta)
        pe = g2d_pset_get(&meta->parts, vals, n);
    if (pe && (pe->flags & G2D_PENTRY_SEEN))
        return; /* listed twice (overlapping segments): already handled */
    if (pe)
        pe->flags |= G2D_PENTRY_SEEN;
    if (pe && memcmp(&pe->fp, &e->fp, sizeof(e->fp)) == 0) {
        s->cur.unchanged++;
        pe->raw = e->raw; /* next time these bytes are recognised without parsing */
        return;
    }
    upd = pe != NULL;
    if (!upd && tu->dlf_parts_start + tu->creates >= s->part_limit) {
        tu->over_limit++; /* DLF would refuse it: not sent, reported once (extract.c) */
        return;
    }
    tu->creates += !upd;
    if (pitem_add(upd ? &tu->ubatch : &tu->cbatch, upd ? &tu->nub : &tu->ncb, e->values, e->text,
                  &e->fp, e->raw, upd ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW) < 0)
        report_failed(s, G2D_ITEM_PARTITION, tu->key, tu->db->name, tu->name, G2D_DIFF_GLUE_NEW,
                      "out of memory");
    else
        e->text = NULL; /* the batch owns it now */
}

void diff_page_apply(struct g2d_sync *s, struct tunit *tu, struct pel *el, size_t n)
{
    struct g2d_tmeta *meta = diff_table_meta(s, tu->key);
    size_t i;

    for (i = 0; i < n; i++) {
        struct pel *e = &el[i];

        if (!e->todo)
            continue;
        s->cur.seen++;
        s->prog.items_seen++;
        tu->parts_seen++;
        if (e->err) {
            char *name = e->values ? tunit_partition_name(tu, e->values) : NULL;

            report_failed(s, G2D_ITEM_PARTITION, name ? name : tu->key, tu->db->name, tu->name,
                          G2D_DIFF_GLUE_NEW, e->err);
            free(name);
            continue;
        }
        page_apply_one(s, tu, meta, e);
    }
    load_flush_table(s, tu, false);
}
