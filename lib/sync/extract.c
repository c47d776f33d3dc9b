/* SPDX-License-Identifier: MIT */
/*
 * Extract: the Glue side of a cycle. GetDatabases first; then per database (a few at a
 * time) its tables and functions; per table (several at a time) its own write if needed,
 * then its partitions in parallel segments, each page handed to the page jobs. Glue
 * reading pauses while too many DLF batches or pages are pending (backpressure), so memory
 * holds only the pages in flight.
 *
 * Listing callbacks and write completions only change the units' state; extract_step(),
 * run by the cycle whenever it is poked, finishes the units that are done and starts those
 * that may start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glue2dlf/config_defaults.h"
#include "sync/engine.h"

/* ---- limits ------------------------------------------------------------------------- */

static unsigned max_tables(const struct g2d_sync *s)
{
    unsigned c = s->cycle_cfg->dlf.http.max_concurrency;

    return c < 2 ? 2 : c;
}

/* Partition batches allowed at once before Glue reading pauses (backpressure). */
static unsigned max_batches(const struct g2d_sync *s)
{
    unsigned c = s->cycle_cfg->dlf.http.max_concurrency;

    return 2 * (c ? c : G2D_DEFAULT_MAX_CONCURRENCY) + 2;
}

/*
 * Pages read or being processed at once before Glue reading pauses: what the Glue side
 * may have in flight, and a few per pool thread waiting their turn. Each page is ~1.6 MB.
 */
unsigned extract_max_pages(const struct g2d_sync *s)
{
    unsigned c = s->cycle_cfg->glue.http.max_concurrency;

    return (c ? c : G2D_DEFAULT_MAX_CONCURRENCY) + 8;
}

static bool must_park(const struct g2d_sync *s)
{
    return s->part_batches >= max_batches(s) || s->page_reads + s->njobs >= extract_max_pages(s);
}

/* ---- Glue databases ------------------------------------------------------------------- */

static void glue_dbs_read(struct g2d_sync *s);

/* A Glue database whose DLF name another Glue database has (through sync.rename). */
static void db_collision(struct g2d_sync *s, const struct dbunit *o, const char *n)
{
    char msg[600];

    snprintf(msg, sizeof(msg),
             "its DLF name '%s' is also that of Glue database '%s' (sync.rename): this "
             "database is not copied",
             o->name, o->glue);
    report_failed(s, G2D_ITEM_DATABASE, n, n, NULL, G2D_DIFF_GLUE_NEW, msg);
}

static void extract_database(struct g2d_sync *s, json_t *gdb)
{
    json_t *name = json_object_get(gdb, "Name");
    struct dbunit *d, *o;
    const char *n, *to;
    char *dn;

    if (!json_is_string(name))
        return;
    n = json_string_value(name);
    if (!g2d_config_database_selected(s->cycle_cfg, n))
        return;
    if (json_is_object(json_object_get(gdb, "TargetDatabase"))) {
        s->cur.dropped_fields |= G2D_DROP_DB_TARGET;
        return;
    }
    to = g2d_config_rename_database(s->cycle_cfg, n);
    dn = name_fold(to ? to : n, NULL);
    if (!dn) {
        sync_fail(s, -ENOMEM, "", "out of memory");
        return;
    }
    o = diff_find_db(s, dn);
    if (o && strcasecmp(o->glue, n))
        db_collision(s, o, n);
    if (o) {
        free(dn);
        return; /* listed twice, or a collision */
    }
    if (json_array_size(json_object_get(gdb, "CreateTableDefaultPermissions")) > 0)
        s->cur.dropped_fields |= G2D_DROP_DB_DEFAULT_PERMISSIONS;
    if (json_is_object(json_object_get(gdb, "FederatedDatabase")))
        s->cur.dropped_fields |= G2D_DROP_DB_FEDERATED;
    d = calloc(1, sizeof(*d));
    if (!d || !(d->glue = strdup(n))) {
        free(d);
        free(dn);
        sync_fail(s, -ENOMEM, "", "out of memory");
        return;
    }
    d->name = dn;
    d->list[DBL_TABLES] = (struct dblist){d, DBL_TABLES, {.what = G2D_LIST_GLUE_TABLES}};
    d->list[DBL_FUNCTIONS] = (struct dblist){d, DBL_FUNCTIONS, {.what = G2D_LIST_GLUE_FUNCTIONS}};
    d->next = s->dbs;
    s->dbs = d;
    diff_index(s, G2D_ITEM_DATABASE, d->name, d);
    if (s->dbq_tail)
        s->dbq_tail->qnext = d;
    else
        s->dbq = d;
    s->dbq_tail = d;
    s->dbs_seen++;
    s->prog.databases_total++;
    if (!g2d_config_dlf_name_ok(d->name)) {
        d->failed = true; /* nothing below it is written or deleted */
        report_failed(s, G2D_ITEM_DATABASE, n, n, NULL, G2D_DIFF_GLUE_NEW,
                      "DLF database names allow only letters, digits and '_', at most 128 "
                      "characters: this database is not copied (map it to a name DLF can "
                      "hold with sync.rename.databases)");
        return;
    }
    diff_database(s, d, gdb);
}

static void glue_dbs_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    json_t *db;
    size_t i;

    if (res->err) {
        sync_fail(s, res->err, "listing Glue databases failed: ", res->message);
        return;
    }
    json_array_foreach(res->list, i, db) extract_database(s, db);
    switch (listing_advance(&s->glue_dbs, res->next_token)) {
    case LISTING_MORE:
        glue_dbs_read(s);
        break;
    case LISTING_DONE:
        break;
    case LISTING_ENDLESS:
        sync_fail(s, -EPROTO, "listing Glue databases failed: ",
                  "GetDatabases repeated its NextToken or never ended");
        break;
    case LISTING_NOMEM:
        sync_fail(s, -ENOMEM, "", "out of memory");
        break;
    }
}

static void glue_dbs_read(struct g2d_sync *s)
{
    struct g2d_list_req req = {0};

    if (listing_read(s, &s->glue_dbs, &req, glue_dbs_page, NULL) < 0)
        sync_fail(s, -ENOMEM, "", "could not queue a Glue request");
}

void extract_start(struct g2d_sync *s)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    s->phase = G2D_PHASE_EXTRACT;
    s->prog.phase = G2D_PHASE_EXTRACT;
    g2d_snapshot_unmark(&s->snap);
    while ((e = g2d_snapshot_next(&s->snap, &pos)))
        if (e->meta)
            g2d_pset_unmark(&e->meta->parts);
    listing_done(&s->glue_dbs);
    s->glue_dbs = (struct listing){.what = G2D_LIST_GLUE_DATABASES};
    glue_dbs_read(s);
}

/* ---- a database's tables and functions ------------------------------------------------ */

static void dblist_read(struct g2d_sync *s, struct dblist *l);

static void queue_table(struct g2d_sync *s, struct tunit *tu)
{
    tu->next = s->tus;
    s->tus = tu;
    tu->qnext = NULL;
    if (s->tq_tail)
        s->tq_tail->qnext = tu;
    else
        s->tq = tu;
    s->tq_tail = tu;
}

static void dblist_failed(struct g2d_sync *s, struct dblist *l, const char *why)
{
    static const char *const what[] = {"tables", "functions"};
    char msg[300];

    l->l.failed = true;
    snprintf(msg, sizeof(msg), "listing Glue %s failed: %s", what[l->kind], why);
    report_failed(s, G2D_ITEM_DATABASE, l->d->name, l->d->name, NULL, G2D_DIFF_NEED_UPDATE, msg);
}

static void dblist_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    struct dblist *l = arg;
    struct dbunit *d = l->d;
    json_t *o;
    size_t i;

    d->reads--;
    if (res->err) {
        dblist_failed(s, l, res->message);
        return;
    }
    json_array_foreach(res->list, i, o)
    {
        if (l->kind == DBL_FUNCTIONS) {
            diff_function(s, d, o);
        } else {
            struct tunit *tu = diff_table(s, d, o);

            if (tu)
                queue_table(s, tu);
        }
    }
    switch (listing_advance(&l->l, res->next_token)) {
    case LISTING_MORE:
        dblist_read(s, l);
        break;
    case LISTING_DONE:
        break;
    case LISTING_ENDLESS:
        dblist_failed(s, l, "the service repeated its NextToken or never ended");
        break;
    case LISTING_NOMEM:
        dblist_failed(s, l, "out of memory");
        break;
    }
}

static void dblist_read(struct g2d_sync *s, struct dblist *l)
{
    struct g2d_list_req req = {.db = l->d->glue};

    l->d->reads++;
    if (listing_read(s, &l->l, &req, dblist_page, l) < 0) {
        l->d->reads--;
        sync_fail(s, -ENOMEM, "", "could not queue a Glue request");
    }
}

static void dbunit_start(struct g2d_sync *s, struct dbunit *d)
{
    d->started = true;
    s->db_active++;
    d->anext = s->dba;
    s->dba = d;
    if (d->failed || s->cancelling)
        return;
    if (sync_want(s, G2D_OBJ_TABLES))
        dblist_read(s, &d->list[DBL_TABLES]);
    else
        d->list[DBL_TABLES].l.listed = true;
    if (sync_want(s, G2D_OBJ_FUNCTIONS))
        dblist_read(s, &d->list[DBL_FUNCTIONS]);
    else
        d->list[DBL_FUNCTIONS].l.listed = true;
}

/* ---- tables and their partitions ------------------------------------------------------ */

static const char *otf_warning(enum g2d_otf otf)
{
    switch (otf) {
    case G2D_OTF_ICEBERG:
        return "Iceberg table: its metadata and manifest files may still embed source paths; "
               "the location map rewrites catalog fields only";
    case G2D_OTF_HUDI:
        return "Hudi table: its timeline and metadata files may still embed source paths; the "
               "location map rewrites catalog fields only";
    case G2D_OTF_DELTA:
        return "Delta table: its transaction log may still embed source paths; the location "
               "map rewrites catalog fields only";
    default:
        return NULL;
    }
}

static void tunit_start(struct g2d_sync *s, struct tunit *tu)
{
    int r;

    tu->started = true;
    s->t_active++;
    tu->anext = s->ta;
    s->ta = tu;
    if (!tu->write || !sync_want(s, G2D_OBJ_TABLES)) {
        tu->tw = TW_OK;
        return;
    }
    if (tu->recreate && !s->cur.dry_run) {
        /* Before anything is dropped: Glue's partitions must list completely. */
        tu->probe = true;
        tu->tw = TW_OK;
        return;
    }
    if (tu->recreate)
        r = load_recreate(s, tu);
    else
        r = load_object(s, G2D_ITEM_TABLE, tu->diff, tu->key, tu->key, tu->db->name, tu->name,
                        tu->input, &tu->fp,
                        tu->key_note  ? tu->key_note
                        : tu->warning ? tu->warning
                                      : otf_warning(tu->otf),
                        NULL, tu);
    if (r < 0) {
        report_failed(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, tu->diff,
                      "out of memory");
        tu->tw = TW_FAILED;
    } else {
        tu->tw = r > 0 ? TW_OK : TW_PENDING;
    }
}

/*
 * The table's partition filter against its keys: one Glue would refuse (an unknown key, a
 * literal its key type cannot take, LIKE on a number) or whose meaning in Glue is not
 * known for these key types (BETWEEN bounds reversed in the key's type) leaves the table's
 * partitions alone this cycle, with the reason on its result line.
 */
static bool filter_usable(struct g2d_sync *s, struct tunit *tu)
{
    struct g2d_error err = {0};
    char what[G2D_ERRMSG_MAX + 64];

    if (!tu->filter || (g2d_expr_check(tu->filter, tu->keys, tu->nkeys, &err) == 0 &&
                        g2d_expr_check_known(tu->filter, tu->keys, tu->nkeys, &err) == 0))
        return true;
    snprintf(what, sizeof(what), "partition filter refused for this table: %s", err.msg);
    extract_table_failed(s, tu, what);
    tu->segs = 0;
    return false;
}

/* The table exists in DLF (or failed to): set up its partition segments. */
static void tunit_parts_start(struct g2d_sync *s, struct tunit *tu)
{
    unsigned i;

    tu->parts_started = true;
    if (tu->tw == TW_FAILED || s->cancelling) {
        tu->failed = true;
        tu->segs = 0;
        return;
    }
    if (!tu->probe && (!sync_want(s, G2D_OBJ_PARTITIONS) || json_array_size(tu->pkeys) == 0 ||
                       tu->nkeys > MAX_KEYS)) {
        tu->segs = 0;
        tu->listed = true;
        return;
    }
    if (!tu->probe && !filter_usable(s, tu)) /* a recreate is held for a filtered table */
        return;
    tu->segs = s->cycle_cfg->glue.partition_segments ? s->cycle_cfg->glue.partition_segments : 1;
    if (tu->segs > MAX_SEGS)
        tu->segs = MAX_SEGS;
    for (i = 0; i < tu->segs; i++)
        tu->seg[i] = (struct segment){
            .tu = tu, .no = i, .state = SEG_READY, .l = {.what = G2D_LIST_GLUE_PARTITIONS}};
}

void extract_page_read(struct g2d_sync *s, struct segment *seg, const struct g2d_api_result *res)
{
    struct tunit *tu = seg->tu;
    char what[300];

    s->page_reads--;
    if (res->err) {
        seg->state = SEG_DONE;
        snprintf(what, sizeof(what), "listing Glue partitions failed: %s", res->message);
        extract_table_failed(s, tu, what);
    } else if (tu->failed) {
        seg->state = SEG_DONE;
    } else if (pages_submit(s, seg, res) < 0) {
        seg->state = SEG_DONE;
        extract_table_failed(s, tu, "listing Glue partitions failed: out of memory");
    }
}

static void seg_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    extract_page_read(s, arg, res);
}

static void seg_read(struct g2d_sync *s, struct segment *seg)
{
    struct tunit *tu = seg->tu;
    struct g2d_list_req req = {0};

    req.db = tu->db->glue;
    req.tbl = tu->glue;
    req.expression = g2d_config_partition_filter(s->cycle_cfg, tu->db->glue, tu->glue);
    req.segment = seg->no;
    req.segments = tu->segs;
    seg->state = SEG_READING;
    s->page_reads++;
    if (listing_read(s, &seg->l, &req, seg_page, seg) < 0) {
        s->page_reads--;
        seg->state = SEG_DONE;
        sync_fail(s, -ENOMEM, "", "could not queue a Glue request");
    }
}

void extract_table_failed(struct g2d_sync *s, struct tunit *tu, const char *what)
{
    unsigned i;

    if (!tu->failed)
        report_failed(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE,
                      what);
    tu->failed = true;
    for (i = 0; i < tu->segs; i++)
        if (tu->seg[i].state == SEG_READY)
            tu->seg[i].state = SEG_DONE; /* no next pages */
    load_flush_table(s, tu, true);
}

static void free_segments(struct tunit *tu)
{
    unsigned i;

    for (i = 0; i < MAX_SEGS; i++) {
        listing_done(&tu->seg[i].l);
        free(tu->seg[i].error);
        tu->seg[i].error = NULL;
    }
}

/*
 * Glue's partitions of a table whose keys were renamed listed completely (or failed): now
 * the guards decide on the drop, and after it the partitions are listed again to be
 * created. @return true when the table is done.
 */
static bool probe_done(struct g2d_sync *s, struct tunit *tu)
{
    tu->probe = false;
    if (tu->failed || !diff_recreate_allowed(s, tu)) {
        tu->failed = true; /* no partition writes or deletes below it this cycle */
        return true;
    }
    free_segments(tu);
    tu->segs = 0;
    tu->parts_seen = 0;
    tu->parts_started = false;
    if (load_recreate(s, tu) < 0) {
        report_failed(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, tu->diff,
                      "out of memory");
        tu->tw = TW_FAILED;
    } else {
        tu->tw = TW_PENDING;
    }
    return false;
}

/* Drive one started table. @return true when it is done. */
static bool tunit_step(struct g2d_sync *s, struct tunit *tu)
{
    unsigned i, done = 0;

    if (!tu->parts_started) {
        if (tu->tw == TW_PENDING)
            return false;
        tunit_parts_start(s, tu);
    }
    for (i = 0; i < tu->segs; i++) {
        struct segment *seg = &tu->seg[i];

        if (seg->failed) {
            seg->failed = false;
            extract_table_failed(
                s, tu, seg->error ? seg->error : "listing Glue partitions failed: out of memory");
        }
        if (seg->state == SEG_READY && !tu->failed && !s->cancelling && !must_park(s))
            seg_read(s, seg);
        done += seg->state == SEG_DONE;
    }
    if (done < tu->segs)
        return false;
    if (tu->probe)
        return probe_done(s, tu);
    if (tu->segs && !tu->failed && !tu->listed) {
        tu->listed = true;
        load_flush_table(s, tu, true);
    }
    return tu->batches_inflight == 0 && tu->ncb == 0 && tu->nub == 0;
}

/*
 * Partitions held back because DLF holds at most s->part_limit per table: reported once
 * per table (not every cycle; no request is sent for them), again only after the table
 * has been under the limit.
 */
static void limit_report(struct g2d_sync *s, struct tunit *tu)
{
    char msg[400];

    if (!tu->over_limit) {
        if (tu->listed && !tu->failed)
            json_object_del(s->limit_reported, tu->key);
        return;
    }
    if (json_object_get(s->limit_reported, tu->key))
        return;
    json_object_set_new(s->limit_reported, tu->key, json_true());
    snprintf(msg, sizeof(msg),
             "DLF holds at most %llu partitions per table: %llu of Glue's partitions of this "
             "table are not copied (not retried while the table is at the limit; reported "
             "once)",
             (unsigned long long)s->part_limit, (unsigned long long)tu->over_limit);
    report_failed(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_GLUE_NEW, msg);
}

/*
 * A partition filter that selects nothing in Glue while DLF holds partitions of the table
 * (inside the filter, or outside it as last listed) is most likely a filter that does not
 * mean what was meant (dt>=20220101 against dashed dates): a warning in the log and the
 * cycle's notes, once per table and daemon run.
 */
static void empty_filter_warn(struct g2d_sync *s, struct tunit *tu)
{
    json_int_t outside = json_integer_value(json_object_get(s->dlf_outside, tu->key));
    char note[600];

    if (!tu->filter || !tu->listed || tu->failed || tu->parts_seen ||
        (!tu->dlf_parts_start && !outside) || json_object_get(s->empty_warned, tu->key))
        return;
    json_object_set_new(s->empty_warned, tu->key, json_true());
    snprintf(note, sizeof(note),
             "warning: the partition filter of %s selects no partition in Glue while DLF holds "
             "%llu of the table's partitions inside it and %lld outside; check the filter "
             "(a literal is cast to the key's type: dt>=20220101 on a string key compares "
             "strings)",
             tu->key, (unsigned long long)tu->dlf_parts_start, (long long)outside);
    sync_note(s, note);
}

static void tunit_finish(struct g2d_sync *s, struct tunit *tu)
{
    struct g2d_tmeta *meta = diff_table_meta(s, tu->key);

    limit_report(s, tu);
    empty_filter_warn(s, tu);
    tu->done = true;
    s->t_active--;
    if (meta)
        (void)g2d_pset_trim(&meta->parts);
    s->prog.tables_done++;
}

/* ---- the step ------------------------------------------------------------------------- */

static void finish_units(struct g2d_sync *s)
{
    struct tunit **tp = &s->ta;
    struct dbunit **dp = &s->dba;

    while (*tp) {
        struct tunit *tu = *tp;

        if (tunit_step(s, tu)) {
            *tp = tu->anext;
            tunit_finish(s, tu);
        } else {
            tp = &tu->anext;
        }
    }
    while (*dp) {
        struct dbunit *d = *dp;

        if (d->reads == 0) {
            *dp = d->anext;
            d->done = true;
            s->db_active--;
            s->prog.databases_done++;
        } else {
            dp = &d->anext;
        }
    }
}

/* Start units while under the limits. Databases whose own write is pending wait.
 * @return true when it started any: then the cycle looks again (a unit may be done at once). */
static bool start_units(struct g2d_sync *s)
{
    bool started = false;

    while (s->dbq && s->db_active < DB_UNITS) {
        struct dbunit *d = s->dbq;

        if (d->write_pending)
            break; /* keep order: its tables must wait for it anyway */
        s->dbq = d->qnext;
        if (!s->dbq)
            s->dbq_tail = NULL;
        dbunit_start(s, d);
        started = true;
    }
    while (s->tq && s->t_active < max_tables(s)) {
        struct tunit *tu = s->tq;

        s->tq = tu->qnext;
        if (!s->tq)
            s->tq_tail = NULL;
        if (tu->db->failed) {
            tu->started = true;
            tu->done = true;
            continue;
        }
        tunit_start(s, tu);
        (void)tunit_step(s, tu); /* its first pages go out in this same turn */
        started = true;
    }
    return started;
}

void extract_step(struct g2d_sync *s)
{
    if (s->cancelling)
        return;
    finish_units(s);
    if (start_units(s))
        sync_poke(s);
}

bool extract_idle(const struct g2d_sync *s)
{
    return s->glue_dbs.listed && !s->dbq && !s->tq && s->db_active == 0 && s->t_active == 0;
}

void extract_free_units(struct g2d_sync *s)
{
    while (s->dbs) {
        struct dbunit *d = s->dbs;

        s->dbs = d->next;
        free(d->name);
        free(d->glue);
        listing_done(&d->list[0].l);
        listing_done(&d->list[1].l);
        free(d);
    }
    while (s->tus) {
        struct tunit *t = s->tus;
        size_t i;

        s->tus = t->next;
        free(t->name);
        free(t->glue);
        free(t->key);
        json_decref(t->input);
        json_decref(t->pkeys);
        g2d_expr_free(t->filter);
        free_segments(t);
        free(t->key_note);
        for (i = 0; i < t->ncb; i++) {
            json_decref(t->cbatch[i].values);
            free(t->cbatch[i].text);
        }
        for (i = 0; i < t->nub; i++) {
            json_decref(t->ubatch[i].values);
            free(t->ubatch[i].text);
        }
        free(t->cbatch);
        free(t->ubatch);
        free(t);
    }
    s->dbq = s->dbq_tail = s->dba = NULL;
    s->tq = s->tq_tail = s->ta = NULL;
    listing_done(&s->glue_dbs);
    g2d_snapshot_clear(&s->units);
}
