/* SPDX-License-Identifier: MIT */
/*
 * Load: the DLF writes of a cycle. Container writes (databases, tables, functions) go in
 * the high queue, partition batches in the low one; at most dlf.max_concurrency are in
 * flight. A write's completion records what DLF confirmed in the snapshot, reports each
 * item, marks the unit that waited for it, and pokes the cycle; it starts nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/config_defaults.h"
#include "cloud/limits.h"
#include "sync/engine.h"

static void wop_free(struct wop *op)
{
    size_t i;

    if (!op)
        return;
    json_decref(op->input);
    free(op->first_error);
    free(op->key);
    free(op->name);
    free(op->db);
    free(op->tbl);
    for (i = 0; i < op->nitems; i++) {
        json_decref(op->items[i].values);
        free(op->items[i].text);
    }
    free(op->items);
    free(op->refs);
    archive_free(op);
    free(op);
}

static struct wop *wop_new(struct g2d_sync *s, enum g2d_item_type type, enum g2d_diff diff,
                           const char *key, const char *name, const char *db, const char *tbl)
{
    struct wop *op = calloc(1, sizeof(*op));

    if (!op)
        return NULL;
    op->s = s;
    op->type = type;
    op->diff = diff;
    op->verb = diff == G2D_DIFF_GLUE_NEW  ? G2D_VERB_CREATE
               : diff == G2D_DIFF_DLF_NEW ? G2D_VERB_DELETE
                                          : G2D_VERB_UPDATE;
    op->key = key ? strdup(key) : NULL;
    op->name = name ? strdup(name) : NULL;
    op->db = db ? strdup(db) : NULL;
    op->tbl = tbl ? strdup(tbl) : NULL;
    if ((key && !op->key) || (name && !op->name) || (db && !op->db) || (tbl && !op->tbl)) {
        wop_free(op);
        return NULL;
    }
    return op;
}

static void wop_push(struct g2d_sync *s, struct wop *op, bool hi)
{
    struct wqueue *q = hi ? &s->wq_hi : &s->wq_lo;

    op->next = NULL;
    if (q->tail)
        q->tail->next = op;
    else
        q->head = op;
    q->tail = op;
    s->prog.writes_queued++;
    sync_poke(s);
}

/* Front of the high queue: it is already holding up its container. */
static void wop_push_front(struct g2d_sync *s, struct wop *op)
{
    op->next = s->wq_hi.head;
    s->wq_hi.head = op;
    if (!s->wq_hi.tail)
        s->wq_hi.tail = op;
    s->prog.writes_queued++;
    sync_poke(s);
}

static void wop_sent(const struct g2d_api_result *res, void *arg)
{
    struct wop *op = arg;
    struct g2d_sync *s = op->s;

    s->writes_inflight--;
    s->cur.dlf_writes++;
    s->prog.writes_done++;
    op->done(op, res);
    sync_poke(s);
}

static int wop_send(struct wop *op)
{
    const struct g2d_cloud_ops *ops = op->s->client.ops;
    void *ctx = op->s->client.ctx;
    size_t i;

    if (archive_wanted(op))
        return archive_start(op); /* sent once its objects are in the archive */
    if (op->type != G2D_ITEM_PARTITION) {
        struct g2d_obj_write w = {op->type, op->verb, op->db, op->tbl, op->input};

        w.allow_key_change = op->type == G2D_ITEM_TABLE && op->verb == G2D_VERB_UPDATE && op->tu &&
                             op->tu->keys_retyped;
        return ops->write_object(ctx, &w, wop_sent, op);
    }
    if (!op->refs) {
        op->refs = calloc(op->nitems ? op->nitems : 1, sizeof(*op->refs));
        if (!op->refs)
            return -ENOMEM;
    }
    for (i = 0; i < op->nitems; i++)
        op->refs[i] = (struct g2d_part_ref){op->items[i].values, op->items[i].text};
    {
        struct g2d_part_write w = {op->verb, op->db, op->tbl, op->refs, op->nitems};

        return ops->write_partitions(ctx, &w, wop_sent, op);
    }
}

/* Finish @p op as failed with @p message, without sending it. */
static void wop_fail(struct wop *op, int err, const char *message)
{
    struct g2d_api_result res = {0};
    struct g2d_sync *s = op->s;

    s->writes_inflight--;
    res.err = err;
    res.code = "";
    res.message = message;
    op->done(op, &res); /* frees op */
    sync_poke(s);
}

void load_send_archived(struct wop *op, const char *error)
{
    op->archived = true;
    if (error)
        wop_fail(op, -EIO, error);
    else if (op->s->cancelling)
        wop_fail(op, -ECANCELED, "not deleted: the cycle was cancelled");
    else if (wop_send(op) < 0)
        wop_fail(op, -ENOMEM, "could not queue the request (out of memory)");
}

void load_pump(struct g2d_sync *s)
{
    unsigned window = s->cycle_cfg->dlf.http.max_concurrency;

    if (window == 0)
        window = 16;
    while (!s->cancelling && s->writes_inflight < window) {
        struct wop *op = s->wq_hi.head;
        struct wqueue *q = &s->wq_hi;

        if (!op) {
            op = s->wq_lo.head;
            q = &s->wq_lo;
        }
        if (!op)
            break;
        q->head = op->next;
        if (!q->head)
            q->tail = NULL;
        s->prog.writes_queued--;
        s->writes_inflight++;
        if (wop_send(op) < 0)
            wop_fail(op, -ENOMEM, "could not queue the request (out of memory)");
    }
}

bool load_idle(const struct g2d_sync *s)
{
    return !s->wq_hi.head && !s->wq_lo.head && !s->writes_inflight;
}

static void wq_clear(struct wqueue *q)
{
    while (q->head) {
        struct wop *op = q->head;

        q->head = op->next;
        wop_free(op);
    }
    q->tail = NULL;
}

void load_clear(struct g2d_sync *s)
{
    wq_clear(&s->wq_hi);
    wq_clear(&s->wq_lo);
}

unsigned load_batch_size(const struct g2d_sync *s)
{
    unsigned bs =
        s->cycle_cfg->dlf.batch_size ? s->cycle_cfg->dlf.batch_size : G2D_DEFAULT_BATCH_SIZE;

    return s->batch_learned && s->batch_learned < bs ? s->batch_learned : bs;
}

/* ---- container writes: databases, tables, functions ---------------------------------- */

/* The unit that waited for this write learns its outcome. */
static void obj_settle(struct wop *op, bool ok)
{
    if (op->dbu) {
        op->dbu->write_pending = false;
        if (!ok)
            op->dbu->failed = true; /* its objects are skipped this cycle, retried next */
    }
    if (op->tu && op->type == G2D_ITEM_TABLE)
        op->tu->tw = ok ? TW_OK : TW_FAILED;
}

/* A stale snapshot: someone created or removed the object in DLF meanwhile. */
static bool obj_other_verb(const struct wop *op, const char *code)
{
    if (op->fell_back || op->diff == G2D_DIFF_DLF_NEW || op->s->cancelling)
        return false;
    if (op->verb == G2D_VERB_CREATE)
        return strcmp(code, "AlreadyExists") == 0;
    return strcmp(code, "NoSuchObject") == 0 ||
           (op->type == G2D_ITEM_TABLE && strcmp(code, "InvalidOperation") == 0);
}

static void obj_record(struct g2d_sync *s, struct wop *op)
{
    struct g2d_snap_entry *e = NULL;

    if (op->diff == G2D_DIFF_DLF_NEW) {
        g2d_snapshot_del(&s->snap, op->type, op->key);
        held_forget(s, op->type, op->key);
        return;
    }
    /* On -ENOMEM the object is simply written again next cycle. */
    if (g2d_snapshot_put(&s->snap, op->type, op->key, &op->fp) == 0 &&
        (e = g2d_snapshot_get(&s->snap, op->type, op->key)))
        e->seen = 1; /* it came from this cycle's Glue listing */
    if (e && op->type == G2D_ITEM_TABLE && op->tu) {
        if (!e->meta)
            e->meta = g2d_tmeta_new();
        if (e->meta && g2d_tmeta_set_keys(e->meta, op->tu->pkeys) == 0 &&
            op->verb == G2D_VERB_CREATE) {
            /* A table we just created holds no partitions. */
            g2d_pset_done(&e->meta->parts);
            g2d_pset_init(&e->meta->parts);
            e->meta->parts_loaded = true;
        }
    }
}

/*
 * Did a failed write perhaps take effect? (A write sent again as the other verb is in
 * doubt too: "AlreadyExists" said DLF holds the object.) A refusal by the service (a 4xx answer, a
 * throttle) did not; a 5xx, a damaged or cut-off answer or a lost connection may have, and
 * so may any attempt before the last one (its failure was retried: a batch item refused
 * by the last attempt may have been written by the first).
 */
static bool write_uncertain(const struct g2d_api_result *res)
{
    if (res->attempts > 1)
        return true;
    return res->err != 0 && !res->throttled && !(res->status >= 400 && res->status < 500);
}

/*
 * A create or update of a database or function that failed uncertainly: the snapshot says
 * DLF holds it with an unknown fingerprint, so the next cycle writes it again if Glue still
 * has it and deletes it if Glue has dropped it meanwhile (otherwise a create that stuck
 * would stay in DLF for good). A table only when the snapshot already holds it (its
 * partitions are known); a table create that stuck is found by the next full reconcile.
 */
static void obj_unknown(struct g2d_sync *s, const struct wop *op)
{
    static const struct g2d_fp unknown = {{0}};
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, op->type, op->key);

    if (op->diff == G2D_DIFF_DLF_NEW || (op->type == G2D_ITEM_TABLE && !e))
        return;
    if (!e && (g2d_snapshot_put(&s->snap, op->type, op->key, &unknown) < 0 ||
               !(e = g2d_snapshot_get(&s->snap, op->type, op->key))))
        return; /* out of memory: as before, written again next cycle if Glue has it */
    e->fp = unknown;
    e->seen = 1;
}

static void obj_done(struct wop *op, const struct g2d_api_result *res)
{
    struct g2d_sync *s = op->s;
    const char *code = res->code ? res->code : "";
    bool ok = res->err == 0;

    if (!ok && obj_other_verb(op, code)) {
        op->fell_back = true;
        op->first_error = strdup(res->message);
        op->verb = op->verb == G2D_VERB_CREATE ? G2D_VERB_UPDATE : G2D_VERB_CREATE;
        wop_push_front(s, op);
        return;
    }
    if (!ok && op->diff == G2D_DIFF_DLF_NEW && strcmp(code, "NoSuchObject") == 0)
        ok = true; /* already gone */
    if (ok) {
        obj_record(s, op);
        count_ok(s, op->diff);
        report(s, op->type, op->name, op->db, op->tbl, op->diff, true, false, NULL, op->warning);
    } else if (op->first_error) {
        /* The first verb's error is the real one: the other verb was only a guess that the
         * snapshot was stale. */
        char msg[1400];

        snprintf(msg, sizeof(msg), "%s (the %s tried instead failed too: %s)", op->first_error,
                 op->verb == G2D_VERB_CREATE ? "create" : "update", res->message);
        report_failed(s, op->type, op->name, op->db, op->tbl, op->diff, msg);
    } else {
        report_failed(s, op->type, op->name, op->db, op->tbl, op->diff, res->message);
    }
    if (!ok && (op->fell_back || write_uncertain(res)))
        obj_unknown(s, op);
    obj_settle(op, ok);
    wop_free(op);
}

int load_object(struct g2d_sync *s, enum g2d_item_type type, enum g2d_diff diff, const char *key,
                const char *name, const char *db, const char *tbl, json_t *input,
                const struct g2d_fp *fp, const char *warning, struct dbunit *dbu, struct tunit *tu)
{
    struct wop *op;

    if (s->cur.dry_run) {
        report(s, type, name, db, tbl, diff, true, false, NULL, warning);
        return 1; /* nothing to wait for */
    }
    op = wop_new(s, type, diff, key, name, db, tbl);
    if (!op)
        return -ENOMEM;
    op->input = json_incref(input);
    if (fp)
        op->fp = *fp;
    op->warning = warning;
    op->dbu = dbu;
    op->tu = tu;
    op->done = obj_done;
    wop_push(s, op, true);
    return 0;
}

#define RECREATE_WARNING                                                                           \
    "partition keys changed in Glue: DLF cannot rename them in place, so the table was dropped "   \
    "with its partitions and created again; its partitions are recreated from Glue"

/* The result line of a recreated table says what was dropped and recreated. */
static const char *recreate_warning(struct tunit *tu, uint64_t dropped)
{
    char buf[1200];

    if (!tu->key_note)
        return RECREATE_WARNING;
    snprintf(buf, sizeof(buf),
             "%s: DLF cannot rename partition keys in place, so the table was dropped with its "
             "%llu partitions and created again; its partitions are recreated from Glue",
             tu->key_note, (unsigned long long)dropped);
    free(tu->key_note);
    tu->key_note = strdup(buf);
    return tu->key_note ? tu->key_note : RECREATE_WARNING;
}

/* Recreate, second step: the old table is gone, create the new one. */
static void recreate_dropped(struct wop *del, const struct g2d_api_result *res)
{
    struct g2d_sync *s = del->s;
    struct tunit *tu = del->tu;
    const char *code = res->code ? res->code : "";
    const char *warning;
    struct wop *op;

    if (res->err && strcmp(code, "NoSuchObject") != 0) {
        char msg[700];

        snprintf(msg, sizeof(msg), "could not drop the table to recreate it: %s", res->message);
        report_failed(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE,
                      msg);
        tu->tw = TW_FAILED;
        wop_free(del);
        return;
    }
    wop_free(del);
    {
        struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, tu->key);

        warning = recreate_warning(tu, e && e->meta ? e->meta->parts.used : 0);
    }
    g2d_snapshot_del(&s->snap, G2D_ITEM_TABLE, tu->key);
    held_forget(s, G2D_ITEM_TABLE, tu->key); /* a key change approved: done */
    op = wop_new(s, G2D_ITEM_TABLE, G2D_DIFF_NEED_UPDATE, tu->key, tu->key, tu->db->name, tu->name);
    if (!op) {
        report_failed(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE,
                      "out of memory");
        tu->tw = TW_FAILED;
        return;
    }
    op->verb = G2D_VERB_CREATE;
    op->fell_back = true; /* no create->update fallback: we just dropped it */
    op->input = json_incref(tu->input);
    op->fp = tu->fp;
    op->warning = warning;
    op->tu = tu;
    op->done = obj_done;
    wop_push(s, op, true);
}

int load_recreate(struct g2d_sync *s, struct tunit *tu)
{
    struct wop *del;

    if (s->cur.dry_run)
        return load_object(s, G2D_ITEM_TABLE, tu->diff, tu->key, tu->key, tu->db->name, tu->name,
                           tu->input, &tu->fp, tu->key_note ? tu->key_note : RECREATE_WARNING, NULL,
                           tu);
    /* Partition keys changed: the old partitions no longer fit the table. Drop it in DLF
     * (its partitions go with it), then create it again. */
    del = wop_new(s, G2D_ITEM_TABLE, G2D_DIFF_DLF_NEW, tu->key, tu->key, tu->db->name, tu->name);
    if (!del)
        return -ENOMEM;
    del->tu = tu;
    del->done = recreate_dropped;
    wop_push(s, del, true);
    return 0;
}

/* ---- partition batches --------------------------------------------------------------- */

/* A partition deleted from DLF: its held-delete record goes (named as deletes.c names it). */
static void part_forget(struct g2d_sync *s, struct g2d_snap_entry *e, json_t *values)
{
    char *name;

    if (!s->held.used)
        return;
    name = partition_name(e->key, e->meta->keys, e->meta->nkeys, values);
    if (name)
        held_forget(s, G2D_ITEM_PARTITION, name);
    free(name);
}

/*
 * @p ok: written; @p unknown: failed, but perhaps written (write_uncertain): a create or
 * update is then recorded with an unknown fingerprint, so that the next cycle writes it
 * again, or deletes it if Glue has dropped it meanwhile.
 */
static void part_item_result(struct g2d_sync *s, struct wop *op, struct pitem *it, bool ok,
                             bool unknown, const char *error)
{
    static const struct g2d_fp nofp = {{0}};
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, op->key);
    const char *vals[MAX_KEYS];
    size_t n = json_array_size(it->values), i;
    char *name;

    if (!ok && unknown && it->diff != G2D_DIFF_DLF_NEW && e && e->meta && n <= MAX_KEYS) {
        for (i = 0; i < n; i++)
            vals[i] = json_string_value(json_array_get(it->values, i));
        (void)g2d_pset_put(&e->meta->parts, vals, n, &nofp, 0, G2D_PENTRY_SEEN);
    }
    if (ok && e && e->meta) {
        for (i = 0; i < n && i < MAX_KEYS; i++)
            vals[i] = json_string_value(json_array_get(it->values, i));
        if (it->diff == G2D_DIFF_DLF_NEW) {
            g2d_pset_del(&e->meta->parts, vals, n);
            part_forget(s, e, it->values);
        } else
            (void)g2d_pset_put(&e->meta->parts, vals, n, &it->fp, it->raw, G2D_PENTRY_SEEN);
    }
    name = op->tu ? tunit_partition_name(op->tu, it->values)
                  : partition_name(op->key, e && e->meta ? e->meta->keys : NULL,
                                   e && e->meta ? e->meta->nkeys : 0, it->values);
    if (ok) {
        count_ok(s, it->diff);
        report(s, G2D_ITEM_PARTITION, name ? name : op->key, op->db, op->tbl, it->diff, true, false,
               NULL, NULL);
    } else {
        report_failed(s, G2D_ITEM_PARTITION, name ? name : op->key, op->db, op->tbl, it->diff,
                      error);
    }
    free(name);
}

/*
 * Should this rejected item be sent again as the other verb (a stale snapshot)? Only for
 * the codes that say "exists" / "does not exist": a validation error (InvalidObject, ...)
 * is reported with DLF's own code and message.
 */
static bool part_other_verb(const struct wop *op, const struct pitem *it, const char *code)
{
    if (op->fell_back || it->diff == G2D_DIFF_DLF_NEW)
        return false;
    if (op->verb == G2D_VERB_CREATE)
        return !strcmp(code, "AlreadyExists");
    return !strcmp(code, "NoSuchObject") || !strcmp(code, "UnknownPartition");
}

/* Send the items again as the other verb, once (ownership of @p items taken). */
static void part_resend(struct g2d_sync *s, struct wop *op, struct pitem *items, size_t n)
{
    struct wop *w = wop_new(s, G2D_ITEM_PARTITION, op->diff, op->key, NULL, op->db, op->tbl);
    size_t i;

    if (!w) {
        for (i = 0; i < n; i++) {
            part_item_result(s, op, &items[i], false, false, "out of memory");
            json_decref(items[i].values);
            free(items[i].text);
        }
        free(items);
        return;
    }
    w->verb = op->verb == G2D_VERB_CREATE ? G2D_VERB_UPDATE : G2D_VERB_CREATE;
    w->fell_back = true;
    w->tu = op->tu;
    w->items = items;
    w->nitems = n;
    w->done = op->done;
    s->part_batches++;
    if (w->tu)
        w->tu->batches_inflight++;
    wop_push(s, w, false);
}

/*
 * A batch DLF refused as too large: the batch size is lowered for good (to the limit its
 * message names, or half) and the items go out again in smaller batches. @return true
 * when that happened (the items are taken).
 */
static bool part_split(struct g2d_sync *s, struct wop *op, const struct g2d_api_result *res)
{
    unsigned lim = g2d_limit_from_error(res->code, res->message, (unsigned)op->nitems);
    char note[300];
    size_t i, n;

    if (!lim || op->nitems <= 1)
        return false;
    if (!s->batch_learned || lim < s->batch_learned) {
        s->batch_learned = lim;
        snprintf(note, sizeof(note),
                 "DLF refused a partition batch of %zu as too large: %u from now on", op->nitems,
                 lim);
        sync_note(s, note);
    }
    for (i = 0; i < op->nitems; i += n) {
        struct pitem *chunk;

        n = op->nitems - i < lim ? op->nitems - i : lim;
        chunk = malloc(n * sizeof(*chunk));
        if (!chunk)
            return i > 0; /* the rest fails below with the batch's error */
        memcpy(chunk, op->items + i, n * sizeof(*chunk));
        memset(op->items + i, 0, n * sizeof(*chunk)); /* moved */
        load_partitions(s, op->tu, op->key, op->db, op->tbl, op->diff, chunk, n);
    }
    return true;
}

static void part_done(struct wop *op, const struct g2d_api_result *res)
{
    struct g2d_sync *s = op->s;
    struct pitem *retry = NULL;
    size_t nretry = 0, i;

    s->part_batches--;
    if (op->tu)
        op->tu->batches_inflight--;
    if (res->err && part_split(s, op, res)) {
        for (i = 0; i < op->nitems && !op->items[i].values; i++)
            ;
        if (i == op->nitems) {
            wop_free(op);
            return;
        }
    }
    if (!op->fell_back && res->err == 0)
        retry = calloc(op->nitems ? op->nitems : 1, sizeof(*retry));
    for (i = 0; i < op->nitems; i++) {
        struct pitem *it = &op->items[i];
        const char *code = res->err == 0 && res->items ? res->items[i].code : NULL;
        char buf[512];

        if (!it->values)
            continue; /* moved into a smaller batch */
        if (res->err) {
            part_item_result(s, op, it, false, op->fell_back || write_uncertain(res), res->message);
        } else if (!code) {
            part_item_result(s, op, it, true, false, NULL);
        } else if (it->diff == G2D_DIFF_DLF_NEW &&
                   (!strcmp(code, "NoSuchObject") || !strcmp(code, "UnknownPartition"))) {
            part_item_result(s, op, it, true, false, NULL); /* already gone */
        } else if (retry && part_other_verb(op, it, code)) {
            retry[nretry++] = *it; /* moves the references */
            it->values = NULL;
            it->text = NULL;
        } else {
            snprintf(buf, sizeof(buf), "DLF %s: %s", code, res->items[i].message);
            part_item_result(s, op, it, false, op->fell_back || write_uncertain(res), buf);
        }
    }
    if (nretry)
        part_resend(s, op, retry, nretry);
    else
        free(retry);
    wop_free(op);
}

void load_partitions(struct g2d_sync *s, struct tunit *tu, const char *key, const char *db,
                     const char *tbl, enum g2d_diff diff, struct pitem *items, size_t n)
{
    struct wop *op;
    size_t i;

    if (n == 0) {
        free(items);
        return;
    }
    op = s->cur.dry_run ? NULL : wop_new(s, G2D_ITEM_PARTITION, diff, key, NULL, db, tbl);
    if (!op) {
        for (i = 0; i < n; i++) {
            char *name = tu ? tunit_partition_name(tu, items[i].values) : strdup(key);

            if (s->cur.dry_run)
                report(s, G2D_ITEM_PARTITION, name ? name : key, db, tbl, items[i].diff, true,
                       false, NULL, NULL);
            else
                report_failed(s, G2D_ITEM_PARTITION, name ? name : key, db, tbl, diff,
                              "out of memory");
            free(name);
            json_decref(items[i].values);
            free(items[i].text);
        }
        free(items);
        return;
    }
    op->items = items;
    op->nitems = n;
    op->tu = tu;
    op->done = part_done;
    s->part_batches++;
    if (tu)
        tu->batches_inflight++;
    wop_push(s, op, false);
}

/* Send out the first @p n items of a pending array (the rest stays pending). */
static void flush_chunk(struct g2d_sync *s, struct tunit *tu, enum g2d_diff diff,
                        struct pitem **arr, size_t *len, size_t n)
{
    struct pitem *chunk = malloc(n * sizeof(*chunk));
    size_t i;

    if (!chunk) {
        for (i = 0; i < n; i++) {
            char *name = tunit_partition_name(tu, (*arr)[i].values);

            report_failed(s, G2D_ITEM_PARTITION, name ? name : tu->key, tu->db->name, tu->name,
                          diff, "out of memory");
            free(name);
            json_decref((*arr)[i].values);
            free((*arr)[i].text);
        }
    } else {
        memcpy(chunk, *arr, n * sizeof(*chunk));
    }
    memmove(*arr, *arr + n, (*len - n) * sizeof(**arr));
    *len -= n;
    if (chunk)
        load_partitions(s, tu, tu->key, tu->db->name, tu->name, diff, chunk, n);
}

void load_flush_table(struct g2d_sync *s, struct tunit *tu, bool all)
{
    size_t bs = load_batch_size(s);

    while (tu->ncb >= bs || (all && tu->ncb))
        flush_chunk(s, tu, G2D_DIFF_GLUE_NEW, &tu->cbatch, &tu->ncb, tu->ncb < bs ? tu->ncb : bs);
    while (tu->nub >= bs || (all && tu->nub))
        flush_chunk(s, tu, G2D_DIFF_NEED_UPDATE, &tu->ubatch, &tu->nub,
                    tu->nub < bs ? tu->nub : bs);
}
