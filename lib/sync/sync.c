/* SPDX-License-Identifier: MIT */
/*
 * The sync cycle: a set of small state machines on the loop.
 *
 *   SNAPSHOT  (first cycle, full reconcile, scope change): list DLF databases, then the
 *             tables and functions of each database in scope, then the partitions of each
 *             table in scope, into the snapshot (fingerprints; partitions compactly).
 *   EXTRACT   list Glue databases; diff them (creates/updates go out at once). Then, per
 *             database (a few at a time): list its tables and functions, diff them; per
 *             table (several at a time): write the table if needed, then list its
 *             partitions in parallel segments, diff each page, and write partitions in
 *             batches as pages arrive (bounded, so memory holds only pages in flight).
 *   DELETE    once every listing is done: what the snapshot holds and Glue did not list —
 *             only under containers whose listing completed, and subject to the guards —
 *             is deleted in reverse dependency order: partitions, then tables and
 *             functions, then databases.
 *
 * Only successful writes change the snapshot; a failed item is reported and retried next
 * cycle. Filters scope both sides: DLF objects outside them are never listed into the
 * snapshot, so they are never written or deleted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <xxhash.h>

#include "glue2dlf/encode.h"
#include "glue2dlf/expr.h"
#include "glue2dlf/sync.h"

#include "cloud/cloud.h"
#include "glue2dlf/jscan.h"
#include "base/jwrite.h"
#include "glue2dlf/model.h"
#include "transform/ptrans.h"
#include "state/snapshot.h"

#define MAX_PAGES 10000000u
#define DB_UNITS 2           /* databases listed at a time */
#define MAX_KEYS 64          /* partition keys per table we handle */
#define HELD_REPORT_MAX 1000 /* held deletes reported one by one per type and cycle */

#define PATH_DB "/api/metastore/catalogs/databases"
#define PATH_TABLES_LIST "/api/metastore/databases/tables/list"
#define PATH_TABLE "/api/metastore/catalogs/databases/tables"
#define PATH_PARTS "/api/metastore/catalogs/databases/tables/partitions"
#define PATH_FN "/api/metastore/catalogs/databases/functions"

struct g2d_sync;
struct dbunit;
struct tunit;

/* ---- write operations ---------------------------------------------------------------- */

struct wop;
typedef void (*wop_done_fn)(struct wop *op, const struct g2d_api_result *res);

/* One item of a partition batch. */
struct pitem {
    json_t *values; /* array of strings */
    char *text;     /* PartitionInput as compact JSON (create/update), NULL for deletes */
    struct g2d_fp fp;
    uint64_t raw; /* fingerprint of the Glue bytes it came from, 0 = unknown */
    enum g2d_diff diff;
};

struct wop {
    struct wop *next;
    struct g2d_sync *s;
    wop_done_fn done;
    /* the request */
    const char *method, *path, *action;
    struct g2d_kv q[6];
    char *qbuf[6];
    size_t nq;
    json_t *body;
    char *btext; /* ready text body (partition batches), instead of body */
    size_t blen;
    /* what it is about */
    enum g2d_item_type type;
    enum g2d_diff diff;
    bool as_create; /* databases/tables/functions: create (else update) */
    bool fell_back;
    char *key;     /* snapshot key */
    char *name;    /* display name */
    char *db;      /* database name */
    char *tbl;     /* table name (tables, partitions) */
    json_t *input; /* *Input for create/update */
    struct g2d_fp fp;
    const char *warning;
    struct dbunit *dbu; /* container waiting for this write, if any */
    struct tunit *tu;
    /* partition batches */
    struct pitem *items;
    size_t nitems;
};

struct wqueue {
    struct wop *head, *tail;
};

/* ---- units --------------------------------------------------------------------------- */

struct segref {
    struct tunit *tu;
    unsigned seg;
    struct segref *park_next; /* waiting for backpressure to ease (s->parked) */
};

struct tunit {
    struct g2d_sync *s;
    struct tunit *next;  /* in the cycle's list of all units */
    struct tunit *qnext; /* in the run queue */
    struct dbunit *db;
    char *name;    /* table name */
    char *key;     /* "db.table" */
    json_t *input; /* TableInput (NULL when unchanged and not needed) */
    json_t *pkeys; /* PartitionKeys of the Glue table */
    struct g2d_fp fp;
    enum g2d_diff diff;
    bool write;    /* a create/update is needed */
    bool recreate; /* partition keys changed: delete + create */
    struct g2d_expr *filter;
    struct g2d_expr_key keys[MAX_KEYS];
    size_t nkeys;
    /* partitions */
    bool started, failed, listed;
    unsigned segs, segs_done, segs_active;
    char *seg_token[10];
    unsigned seg_pages[10];
    struct segref segref[10];
    enum g2d_otf otf;
    uint64_t parts_seen;
    struct pitem *cbatch, *ubatch;
    size_t ncb, nub;
    unsigned batches_inflight;
    bool done;
};

struct dbunit {
    struct dbunit *next;  /* all units */
    struct dbunit *qnext; /* run queue */
    char *name;
    bool write_pending; /* its create/update is in flight */
    bool failed;        /* could not be created: children skipped this cycle */
    bool started;
    struct dblist {
        struct dbunit *d;
        int kind; /* DBL_TABLES or DBL_FUNCTIONS */
        char *token;
        unsigned pages;
        bool listed; /* the listing completed: deletes below it are allowed */
        bool failed;
    } list[2];
    unsigned reads; /* listing requests in flight */
    bool done;
};

/* A listing read in flight, so cancel can stop it. */
struct rd {
    struct rd *prev, *next;
    struct g2d_sync *s;
    struct g2d_http_req *req;
    void (*cb)(struct g2d_sync *s, const struct g2d_api_result *res, void *arg);
    void *arg;
};

struct g2d_sync {
    struct g2d_http *http;
    struct g2d_cloud *cloud;
    const struct g2d_config *cfg;
    const struct g2d_config *cycle_cfg;
    bool cfg_pending;
    g2d_item_cb on_item;
    void *item_arg;

    struct g2d_snapshot snap;
    struct g2d_snapshot units; /* per cycle: database and table units by name */
    bool snap_valid;
    int64_t snap_built_ms;

    bool running, cancelling, finishing;
    unsigned flags;
    g2d_cycle_cb done;
    void *done_arg;
    uint64_t next_id;
    struct g2d_cycle_stats cur, last;
    struct g2d_progress prog;
    uint64_t req_base[2];
    enum g2d_phase phase;

    /* reads */
    struct rd *reads;
    unsigned nreads;
    /* writes */
    struct wqueue wq_hi, wq_lo; /* hi: containers and tables; lo: partition batches */
    unsigned writes_inflight;
    unsigned part_batches; /* partition batches queued or in flight */

    /* snapshot build */
    char *token;
    unsigned pages;
    struct snapjob *sjobs;     /* waiting */
    struct snapjob *sj_active; /* running (freed at the end even if cancelled) */
    unsigned sjobs_active;

    /* extract */
    struct dbunit *dbs, *dbq, *dbq_tail;
    struct tunit *tus, *tq, *tq_tail;
    unsigned db_active, t_active;
    bool glue_dbs_listed;
    uint64_t dbs_seen, tables_seen, fns_seen;

    /* delete phase */
    int del_stage;
    uint64_t held_reported[4];

    uv_timer_t *defer;
    uint64_t transform_seed;             /* see raw_fp() */
    unsigned njobs;                      /* GetPartitions pages on the thread pool */
    unsigned page_reads;                 /* GetPartitions requests in flight */
    struct segref *parked, *parked_tail; /* segments waiting for backpressure, in order */
};

static void kick(struct g2d_sync *s);
static void pump(struct g2d_sync *s);
static void index_unit(struct g2d_sync *s, unsigned type, const char *key, void *unit);
static struct tunit *find_tu(struct g2d_sync *s, const char *key);
static void maybe_advance(struct g2d_sync *s);

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool want(const struct g2d_sync *s, unsigned obj)
{
    return (s->cycle_cfg->objects & obj) != 0;
}

static char *join2(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *r = malloc(la + ls + lb + 1);

    if (r) {
        memcpy(r, a, la);
        memcpy(r + la, sep, ls);
        memcpy(r + la + ls, b, lb + 1);
    }
    return r;
}

/* ---- results ------------------------------------------------------------------------- */

static void report(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
                   const char *tbl, enum g2d_diff diff, bool success, bool held, const char *error,
                   const char *warning)
{
    struct g2d_item_result r = {0};

    r.cycle_id = s->cur.cycle_id;
    r.time_ms = now_ms();
    r.type = type;
    r.name = name;
    r.database = db;
    r.table = tbl;
    r.diff = diff;
    r.success = success;
    r.dry_run = s->cur.dry_run;
    r.held = held;
    r.error = error;
    r.warning = warning;
    if (s->on_item)
        s->on_item(&r, s->item_arg);
}

static void count_ok(struct g2d_sync *s, enum g2d_diff diff)
{
    if (diff == G2D_DIFF_GLUE_NEW)
        s->cur.created++;
    else if (diff == G2D_DIFF_NEED_UPDATE)
        s->cur.updated++;
    else
        s->cur.deleted++;
}

/* "db.tbl/k1=v1/k2=v2" */
static char *partition_name(const char *key, char *const *keys, size_t nkeys, json_t *values)
{
    struct g2d_buf b;
    size_t i;
    json_t *v;

    g2d_buf_init(&b, 1u << 20);
    g2d_buf_puts(&b, key);
    json_array_foreach(values, i, v)
    {
        g2d_buf_printf(&b, "/%s=%s", i < nkeys ? keys[i] : "?", json_string_value(v));
    }
    return g2d_buf_steal(&b);
}

static char *tunit_partition_name(const struct tunit *tu, json_t *values)
{
    char *keys[MAX_KEYS];
    size_t i;

    for (i = 0; i < tu->nkeys; i++)
        keys[i] = (char *)tu->keys[i].name;
    return partition_name(tu->key, keys, tu->nkeys, values);
}

/* ---- reads --------------------------------------------------------------------------- */

static void defer_cb(uv_timer_t *t);

static void rd_done(const struct g2d_api_result *res, void *arg)
{
    struct rd *r = arg;
    struct g2d_sync *s = r->s;

    if (r->prev)
        r->prev->next = r->next;
    else
        s->reads = r->next;
    if (r->next)
        r->next->prev = r->prev;
    s->nreads--;
    if (!s->cancelling)
        r->cb(s, res, r->arg);
    free(r);
    /* Always: the last read to land may belong to a unit that has already finished (a
     * segment of a table whose other segment failed), and then nothing else would notice
     * that the cycle can move on. */
    maybe_advance(s);
}

static struct rd *rd_new(struct g2d_sync *s,
                         void (*cb)(struct g2d_sync *, const struct g2d_api_result *, void *),
                         void *arg)
{
    struct rd *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->s = s;
    r->cb = cb;
    r->arg = arg;
    return r;
}

static void rd_link(struct g2d_sync *s, struct rd *r)
{
    r->next = s->reads;
    if (s->reads)
        s->reads->prev = r;
    s->reads = r;
    s->nreads++;
}

static int read_glue(struct g2d_sync *s, const char *op, json_t *body, bool raw,
                     void (*cb)(struct g2d_sync *, const struct g2d_api_result *, void *),
                     void *arg)
{
    struct rd *r = rd_new(s, cb, arg);
    int rc;

    if (!r) {
        json_decref(body);
        return -ENOMEM;
    }
    rd_link(s, r);
    rc = raw ? g2d_glue_call_raw(s->cloud, op, body, rd_done, r, &r->req)
             : g2d_glue_call(s->cloud, op, body, rd_done, r, &r->req);
    if (rc < 0) {
        s->nreads--;
        s->reads = r->next;
        if (r->next)
            r->next->prev = NULL;
        free(r);
    }
    return rc;
}

static int read_dlf(struct g2d_sync *s, const char *method, const char *path, const char *action,
                    const struct g2d_kv *q, size_t nq, json_t *body,
                    void (*cb)(struct g2d_sync *, const struct g2d_api_result *, void *), void *arg)
{
    struct rd *r = rd_new(s, cb, arg);
    int rc;

    if (!r) {
        json_decref(body);
        return -ENOMEM;
    }
    rd_link(s, r);
    rc = g2d_dlf_call(s->cloud, method, path, action, q, nq, body, rd_done, r, &r->req);
    if (rc < 0) {
        s->nreads--;
        s->reads = r->next;
        if (r->next)
            r->next->prev = NULL;
        free(r);
    }
    return rc;
}

/* ---- cycle end ----------------------------------------------------------------------- */

static void wop_free(struct wop *op);

static void free_units(struct g2d_sync *s)
{
    while (s->dbs) {
        struct dbunit *d = s->dbs;

        s->dbs = d->next;
        free(d->name);
        free(d->list[0].token);
        free(d->list[1].token);
        free(d);
    }
    while (s->tus) {
        struct tunit *t = s->tus;
        size_t i;

        s->tus = t->next;
        free(t->name);
        free(t->key);
        json_decref(t->input);
        json_decref(t->pkeys);
        g2d_expr_free(t->filter);
        for (i = 0; i < 10; i++)
            free(t->seg_token[i]);
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
    s->dbq = s->dbq_tail = NULL;
    s->tq = s->tq_tail = NULL;
    s->parked = s->parked_tail = NULL;
    g2d_snapshot_clear(&s->units);
}

static void snapjobs_free_all(struct g2d_sync *s);

static void wq_clear(struct wqueue *q)
{
    while (q->head) {
        struct wop *op = q->head;

        q->head = op->next;
        wop_free(op);
    }
    q->tail = NULL;
}

static void finish(struct g2d_sync *s)
{
    g2d_cycle_cb cb = s->done;
    void *arg = s->done_arg;

    wq_clear(&s->wq_hi);
    wq_clear(&s->wq_lo);
    free_units(s);
    snapjobs_free_all(s);
    free(s->token);
    s->token = NULL;
    s->cur.finished_ms = now_ms();
    s->cur.cancelled = s->cancelling;
    s->cur.glue_requests = g2d_cloud_requests(s->cloud, G2D_SIDE_GLUE) - s->req_base[0];
    s->cur.dlf_requests = g2d_cloud_requests(s->cloud, G2D_SIDE_DLF) - s->req_base[1];
    if (s->cancelling && s->phase == G2D_PHASE_SNAPSHOT) {
        g2d_snapshot_clear(&s->snap);
        s->snap_valid = false;
    }
    s->last = s->cur;
    s->running = false;
    s->cancelling = false;
    s->finishing = false;
    s->phase = G2D_PHASE_IDLE;
    s->prog.phase = G2D_PHASE_IDLE;
    s->prog.writes_queued = 0;
    if (cb)
        cb(&s->last, arg);
}

static void defer_cb(uv_timer_t *t)
{
    struct g2d_sync *s = t->data;

    if (s->running)
        finish(s);
}

static void finish_later(struct g2d_sync *s)
{
    if (s->finishing)
        return;
    s->finishing = true;
    uv_timer_start(s->defer, defer_cb, 0, 0);
}

/* End the whole cycle with "<what><detail>": nothing more is started; what is in flight
 * completes (writes are recorded), then the cycle finishes. */
static void fail_cycle(struct g2d_sync *s, int code, const char *what, const char *detail)
{
    if (s->cur.status == 0) {
        s->cur.status = code < 0 ? code : -EIO;
        snprintf(s->cur.error, sizeof(s->cur.error), "%s%s", what, detail);
    }
    if (s->phase == G2D_PHASE_SNAPSHOT) {
        g2d_snapshot_clear(&s->snap);
        s->snap_valid = false;
    }
    s->cancelling = true; /* stop starting work */
    while (s->reads) {
        struct g2d_http_req *req = s->reads->req;

        g2d_http_cancel(req); /* rd_done unlinks it */
    }
    maybe_advance(s);
}

/* ---- write queue --------------------------------------------------------------------- */

static void wop_free(struct wop *op)
{
    size_t i;

    if (!op)
        return;
    for (i = 0; i < op->nq; i++)
        free(op->qbuf[i]);
    json_decref(op->body);
    free(op->btext);
    json_decref(op->input);
    free(op->key);
    free(op->name);
    free(op->db);
    free(op->tbl);
    for (i = 0; i < op->nitems; i++) {
        json_decref(op->items[i].values);
        free(op->items[i].text);
    }
    free(op->items);
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
    op->as_create = diff == G2D_DIFF_GLUE_NEW;
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

static int wop_query(struct wop *op, const char *name, const char *value)
{
    if (op->nq >= 6)
        return -E2BIG;
    op->qbuf[op->nq] = strdup(value);
    if (!op->qbuf[op->nq])
        return -ENOMEM;
    op->q[op->nq].name = name;
    op->q[op->nq].value = op->qbuf[op->nq];
    op->nq++;
    return 0;
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
    pump(s);
}

static void wop_sent(const struct g2d_api_result *res, void *arg)
{
    struct wop *op = arg;
    struct g2d_sync *s = op->s;

    s->writes_inflight--;
    s->cur.dlf_writes++;
    s->prog.writes_done++;
    op->done(op, res);
    pump(s);
    maybe_advance(s);
}

static int wop_send(struct wop *op)
{
    json_t *body = op->body ? json_incref(op->body) : NULL;

    if (op->btext)
        return g2d_dlf_call_text(op->s->cloud, op->method, op->path, op->action, op->q, op->nq,
                                 op->btext, op->blen, wop_sent, op, NULL);
    return g2d_dlf_call(op->s->cloud, op->method, op->path, op->action, op->q, op->nq, body,
                        wop_sent, op, NULL);
}

static void pump(struct g2d_sync *s)
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
        if (wop_send(op) < 0) {
            struct g2d_api_result res = {0};

            s->writes_inflight--;
            res.err = -ENOMEM;
            res.code = "";
            res.message = "could not queue the request (out of memory)";
            op->done(op, &res);
        }
    }
}

/* Re-send the same logical write as the other verb (create <-> update). */
static void wop_resend(struct wop *op);

/* ---- container writes: databases, tables, functions ---------------------------------- */

static void tunit_ready(struct tunit *tu, bool ok);
static void dbunit_ready(struct g2d_sync *s, struct dbunit *d, bool ok);

static void obj_done(struct wop *op, const struct g2d_api_result *res)
{
    struct g2d_sync *s = op->s;
    const char *code = res->code ? res->code : "";
    bool ok = res->err == 0;

    if (!ok && !op->fell_back && op->diff != G2D_DIFF_DLF_NEW && !s->cancelling &&
        ((op->as_create && strcmp(code, "AlreadyExists") == 0) ||
         (!op->as_create &&
          (strcmp(code, "NoSuchObject") == 0 ||
           (op->type == G2D_ITEM_TABLE && strcmp(code, "InvalidOperation") == 0))))) {
        /* The snapshot was stale: someone created or removed it in DLF meanwhile. */
        op->fell_back = true;
        op->as_create = !op->as_create;
        wop_resend(op);
        return;
    }
    if (!ok && op->diff == G2D_DIFF_DLF_NEW && strcmp(code, "NoSuchObject") == 0)
        ok = true; /* already gone */
    if (ok) {
        if (op->diff == G2D_DIFF_DLF_NEW) {
            g2d_snapshot_del(&s->snap, op->type, op->key);
        } else {
            struct g2d_snap_entry *e = NULL;

            /* On -ENOMEM the object is simply written again next cycle. */
            if (g2d_snapshot_put(&s->snap, op->type, op->key, &op->fp) == 0 &&
                (e = g2d_snapshot_get(&s->snap, op->type, op->key)))
                e->seen = 1; /* it came from this cycle's Glue listing */
            if (e && op->type == G2D_ITEM_TABLE && op->tu) {
                if (!e->meta)
                    e->meta = g2d_tmeta_new();
                if (e->meta && g2d_tmeta_set_keys(e->meta, op->tu->pkeys) == 0 && op->as_create) {
                    /* A table we just created holds no partitions. */
                    g2d_pset_done(&e->meta->parts);
                    g2d_pset_init(&e->meta->parts);
                    e->meta->parts_loaded = true;
                }
            }
        }
        count_ok(s, op->diff);
        report(s, op->type, op->name, op->db, op->tbl, op->diff, true, false, NULL, op->warning);
    } else {
        s->cur.failed++;
        report(s, op->type, op->name, op->db, op->tbl, op->diff, false, false, res->message, NULL);
    }
    if (op->dbu)
        dbunit_ready(s, op->dbu, ok);
    if (op->tu && op->type == G2D_ITEM_TABLE)
        tunit_ready(op->tu, ok);
    wop_free(op);
}

/* The DLF API of each container type: what differs between databases, tables, functions. */
static const struct obj_api {
    const char *path, *create, *update, *del;
    const char *input; /* body member holding the *Input */
    const char *name;  /* query/body member naming the object */
} obj_apis[] = {
    [G2D_ITEM_DATABASE] = {PATH_DB, "CreateDatabase", "UpdateDatabase", "DeleteDatabase",
                           "DatabaseInput", "Name"},
    [G2D_ITEM_TABLE] = {PATH_TABLE, "CreateTable", "UpdateTable", "DeleteTable", "TableInput",
                        "TableName"},
    [G2D_ITEM_FUNCTION] = {PATH_FN, "CreateFunction", "UpdateFunction", "DeleteFunction",
                           "FunctionInput", "FunctionName"},
};

/* Build the request for a database, table or function write from op->diff/as_create. */
static int obj_build(struct wop *op)
{
    const char *cat = op->s->cycle_cfg->dlf.catalog_id;
    const struct obj_api *api;
    bool is_db = op->type == G2D_ITEM_DATABASE;
    const char *name = is_db ? op->db : op->tbl;
    json_t *body;
    size_t i;
    int r = 0;

    if (op->type != G2D_ITEM_DATABASE && op->type != G2D_ITEM_TABLE &&
        op->type != G2D_ITEM_FUNCTION)
        return -EINVAL;
    api = &obj_apis[op->type];
    for (i = 0; i < op->nq; i++)
        free(op->qbuf[i]);
    op->nq = 0;
    json_decref(op->body);
    op->body = NULL;
    op->path = api->path;
    if (op->diff == G2D_DIFF_DLF_NEW) {
        op->method = "DELETE";
        op->action = api->del;
        if (cat)
            r = wop_query(op, "CatalogId", cat);
        if (!r && !is_db)
            r = wop_query(op, "DatabaseName", op->db);
        if (!r)
            r = wop_query(op, api->name, name);
        /* Never cascade: a database still holding objects is refused, not emptied. */
        if (!r && is_db)
            r = wop_query(op, "Cascade", "false");
        return r;
    }
    op->method = op->as_create ? "POST" : "PUT";
    op->action = op->as_create ? api->create : api->update;
    body = json_pack("{s:O}", api->input, op->input);
    if (!body)
        return -ENOMEM;
    if (cat)
        json_object_set_new(body, "CatalogId", json_string(cat));
    if (!is_db)
        json_object_set_new(body, "DatabaseName", json_string(op->db));
    if (!op->as_create)
        json_object_set_new(body, api->name, json_string(name));
    if (!op->as_create && op->type == G2D_ITEM_TABLE) {
        /* Each update would otherwise archive a table version in DLF. */
        json_object_set_new(body, "SkipArchive", json_true());
        json_object_set_new(body, "IsAsync", json_false());
    }
    op->body = body;
    return 0;
}

static void wop_resend(struct wop *op)
{
    struct g2d_sync *s = op->s;
    struct g2d_api_result res = {0};

    if (obj_build(op) == 0) {
        /* Front of the high queue: it is already holding up its container. */
        op->next = s->wq_hi.head;
        s->wq_hi.head = op;
        if (!s->wq_hi.tail)
            s->wq_hi.tail = op;
        s->prog.writes_queued++;
        return;
    }
    res.err = -ENOMEM;
    res.code = "";
    res.message = "out of memory";
    op->fell_back = true;
    obj_done(op, &res);
}

/* Plan (or, in a dry run, report) a database/table/function write. */
static int plan_obj(struct g2d_sync *s, enum g2d_item_type type, enum g2d_diff diff,
                    const char *key, const char *name, const char *db, const char *tbl,
                    json_t *input, const struct g2d_fp *fp, const char *warning, struct dbunit *dbu,
                    struct tunit *tu)
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
    if (obj_build(op) < 0) {
        wop_free(op);
        return -ENOMEM;
    }
    wop_push(s, op, true);
    return 0;
}

/* ---- partition batches --------------------------------------------------------------- */

static void tunit_check_done(struct tunit *tu);
static void resume_parked(struct g2d_sync *s);

static bool values_equal(json_t *a, json_t *b)
{
    return json_equal(a, b);
}

static void part_item_result(struct g2d_sync *s, struct wop *op, struct pitem *it, bool ok,
                             const char *error)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, op->key);
    const char *vals[MAX_KEYS];
    size_t n = json_array_size(it->values), i;
    char *name;

    if (ok && e && e->meta) {
        for (i = 0; i < n && i < MAX_KEYS; i++)
            vals[i] = json_string_value(json_array_get(it->values, i));
        if (it->diff == G2D_DIFF_DLF_NEW)
            g2d_pset_del(&e->meta->parts, vals, n);
        else
            (void)g2d_pset_put(&e->meta->parts, vals, n, &it->fp, it->raw, G2D_PENTRY_SEEN);
    }
    name = op->tu ? tunit_partition_name(op->tu, it->values)
                  : partition_name(op->key, e && e->meta ? e->meta->keys : NULL,
                                   e && e->meta ? e->meta->nkeys : 0, it->values);
    if (ok)
        count_ok(s, it->diff);
    else
        s->cur.failed++;
    report(s, G2D_ITEM_PARTITION, name ? name : op->key, op->db, op->tbl, it->diff, ok, false,
           ok ? NULL : error, NULL);
    free(name);
}

static struct wop *part_batch_op(struct g2d_sync *s, struct tunit *tu, const char *key,
                                 const char *db, const char *tbl, enum g2d_diff diff,
                                 struct pitem *items, size_t n);
static int part_body(struct g2d_sync *s, struct wop *op);

static void part_done(struct wop *op, const struct g2d_api_result *res)
{
    struct g2d_sync *s = op->s;
    json_t *errs = res->err == 0 ? json_object_get(res->json, "PartitionErrors") : NULL;
    struct pitem *retry = NULL;
    size_t nretry = 0, i, j;
    json_t *pe;

    s->part_batches--;
    if (op->tu)
        op->tu->batches_inflight--;
    if (!op->fell_back && res->err == 0 && json_array_size(errs) > 0)
        retry = calloc(op->nitems, sizeof(*retry));
    for (i = 0; i < op->nitems; i++) {
        struct pitem *it = &op->items[i];
        const char *code = NULL, *msg = NULL;

        if (res->err) {
            part_item_result(s, op, it, false, res->message);
            continue;
        }
        json_array_foreach(errs, j, pe)
        {
            if (values_equal(json_object_get(pe, "PartitionValues"), it->values)) {
                json_t *d = json_object_get(pe, "ErrorDetail");

                code = json_string_value(json_object_get(d, "Code"));
                msg = json_string_value(json_object_get(d, "Message"));
                if (!code)
                    code = "Unknown";
                break;
            }
        }
        if (!code) {
            part_item_result(s, op, it, true, NULL);
        } else if (it->diff == G2D_DIFF_DLF_NEW &&
                   (!strcmp(code, "NoSuchObject") || !strcmp(code, "UnknownPartition"))) {
            part_item_result(s, op, it, true, NULL); /* already gone */
        } else if (retry && it->diff != G2D_DIFF_DLF_NEW &&
                   ((op->as_create && !strcmp(code, "AlreadyExists")) ||
                    (!op->as_create &&
                     (!strcmp(code, "NoSuchObject") || !strcmp(code, "UnknownPartition") ||
                      !strcmp(code, "InvalidObject"))))) {
            retry[nretry] = *it; /* moves the references */
            it->values = NULL;
            it->text = NULL;
            nretry++;
        } else {
            char buf[512];

            snprintf(buf, sizeof(buf), "DLF %s: %s", code, msg ? msg : "");
            part_item_result(s, op, it, false, buf);
        }
    }
    if (nretry) {
        /* Stale snapshot for these: send them again as the other verb, once. */
        {
            struct wop *w = calloc(1, sizeof(*w));

            if (w) {
                w->s = s;
                w->type = G2D_ITEM_PARTITION;
                w->diff = op->diff;
                w->as_create = !op->as_create;
                w->fell_back = true;
                w->key = strdup(op->key);
                w->db = strdup(op->db);
                w->tbl = strdup(op->tbl);
                w->tu = op->tu;
                w->items = retry;
                w->nitems = nretry;
                retry = NULL;
                w->done = part_done;
                if (w->key && w->db && w->tbl && part_body(s, w) == 0) {
                    s->part_batches++;
                    if (w->tu)
                        w->tu->batches_inflight++;
                    wop_push(s, w, false);
                } else {
                    for (i = 0; i < w->nitems; i++)
                        part_item_result(s, op, &w->items[i], false, "out of memory");
                    wop_free(w);
                }
            } else {
                for (i = 0; i < nretry; i++) {
                    part_item_result(s, op, &retry[i], false, "out of memory");
                    json_decref(retry[i].values);
                    free(retry[i].text);
                }
            }
        }
    }
    free(retry);
    if (op->tu) {
        struct tunit *tu = op->tu;

        wop_free(op);
        tunit_check_done(tu);
    } else {
        wop_free(op);
    }
    resume_parked(s);
}

/*
 * The request of a partition batch from its items: deletes as a small JSON body; creates
 * and updates as text, the items' ready PartitionInput texts joined (no tree, no dump).
 */
static int part_body(struct g2d_sync *s, struct wop *op)
{
    const char *cat = s->cycle_cfg->dlf.catalog_id;
    struct g2d_buf b;
    size_t i;
    int r = 0;

    if (op->diff == G2D_DIFF_DLF_NEW) {
        json_t *list = json_array();

        op->method = "POST";
        op->path = PATH_PARTS "/batchdelete";
        op->action = "BatchDeletePartitions";
        for (i = 0; list && i < op->nitems; i++)
            json_array_append_new(list, json_pack("{s:O}", "Values", op->items[i].values));
        op->body = json_pack("{s:s, s:s, s:o, s:b}", "DatabaseName", op->db, "TableName", op->tbl,
                             "PartitionValueList", list, "IfExists", 1);
        if (op->body && cat)
            json_object_set_new(op->body, "CatalogId", json_string(cat));
        return op->body ? 0 : -ENOMEM;
    }
    op->method = op->as_create ? "POST" : "PUT";
    op->path = op->as_create ? PATH_PARTS "/batchcreate" : PATH_PARTS "/batchupdate";
    op->action = op->as_create ? "BatchCreatePartitions" : "BatchUpdatePartitions";
    g2d_buf_init(&b, 0);
    r = g2d_buf_puts(&b, "{");
    if (r == 0 && cat) {
        r = g2d_buf_puts(&b, "\"CatalogId\":");
        if (r == 0)
            r = g2d_jwrite_string(&b, cat, strlen(cat));
        if (r == 0)
            r = g2d_buf_putc(&b, ',');
    }
    if (r == 0)
        r = g2d_buf_puts(&b, "\"DatabaseName\":");
    if (r == 0)
        r = g2d_jwrite_string(&b, op->db, strlen(op->db));
    if (r == 0)
        r = g2d_buf_puts(&b, ",\"TableName\":");
    if (r == 0)
        r = g2d_jwrite_string(&b, op->tbl, strlen(op->tbl));
    if (r == 0 && op->as_create)
        r = g2d_buf_puts(&b, ",\"IfNotExists\":false,\"NeedResult\":false");
    if (r == 0)
        r = g2d_buf_puts(&b, ",\"PartitionInputs\":[");
    for (i = 0; r == 0 && i < op->nitems; i++) {
        if (i)
            r = g2d_buf_putc(&b, ',');
        if (r == 0)
            r = g2d_buf_puts(&b, op->items[i].text ? op->items[i].text : "{}");
    }
    if (r == 0)
        r = g2d_buf_puts(&b, "]}");
    if (r < 0) {
        g2d_buf_done(&b);
        return r;
    }
    free(op->btext);
    op->blen = b.len;
    op->btext = g2d_buf_steal(&b);
    return op->btext ? 0 : -ENOMEM;
}

/* Build a batch write (create, update or delete) for @p n items (ownership taken). */
static struct wop *part_batch_op(struct g2d_sync *s, struct tunit *tu, const char *key,
                                 const char *db, const char *tbl, enum g2d_diff diff,
                                 struct pitem *items, size_t n)
{
    struct wop *op = wop_new(s, G2D_ITEM_PARTITION, diff, key, NULL, db, tbl);

    if (!op)
        return NULL;
    op->items = items;
    op->nitems = n;
    op->tu = tu;
    op->done = part_done;
    if (part_body(s, op) < 0) {
        op->items = NULL;
        op->nitems = 0;
        wop_free(op);
        return NULL;
    }
    return op;
}

/* Send (or in a dry run report) a batch; ownership of items is taken on every path. */
static void part_flush(struct g2d_sync *s, struct tunit *tu, const char *key, const char *db,
                       const char *tbl, enum g2d_diff diff, struct pitem *items, size_t n)
{
    struct wop *op;
    size_t i;

    if (n == 0) {
        free(items);
        return;
    }
    if (s->cur.dry_run) {
        for (i = 0; i < n; i++) {
            char *name = tu ? tunit_partition_name(tu, items[i].values) : strdup(key);

            report(s, G2D_ITEM_PARTITION, name ? name : key, db, tbl, items[i].diff, true, false,
                   NULL, NULL);
            free(name);
            json_decref(items[i].values);
            free(items[i].text);
        }
        free(items);
        return;
    }
    op = part_batch_op(s, tu, key, db, tbl, diff, items, n);
    if (!op) {
        for (i = 0; i < n; i++) {
            char *name = tu ? tunit_partition_name(tu, items[i].values) : NULL;

            s->cur.failed++;
            report(s, G2D_ITEM_PARTITION, name ? name : key, db, tbl, diff, false, false,
                   "out of memory", NULL);
            free(name);
            json_decref(items[i].values);
            free(items[i].text);
        }
        free(items);
        return;
    }
    s->part_batches++;
    if (tu)
        tu->batches_inflight++;
    wop_push(s, op, false);
}

/* ---- table units --------------------------------------------------------------------- */

static unsigned max_tables(const struct g2d_sync *s)
{
    unsigned c = s->cycle_cfg->dlf.http.max_concurrency;

    return c < 2 ? 2 : c;
}

/* Partition batches allowed at once before Glue reading pauses (backpressure). */
static unsigned max_batches(const struct g2d_sync *s)
{
    unsigned c = s->cycle_cfg->dlf.http.max_concurrency;

    return 2 * (c ? c : 16) + 2;
}

static void glue_parts_next(struct tunit *tu, unsigned seg);

static struct g2d_sync *tu_sync(struct tunit *tu)
{
    return tu->s;
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

            s->cur.failed++;
            report(s, G2D_ITEM_PARTITION, name ? name : tu->key, tu->db->name, tu->name, diff,
                   false, false, "out of memory", NULL);
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
        part_flush(s, tu, tu->key, tu->db->name, tu->name, diff, chunk, n);
}

/* Batches of exactly batch_size go out as soon as they are full; with @p all, the rest. */
static void tunit_flush_batches(struct g2d_sync *s, struct tunit *tu, bool all)
{
    size_t bs = s->cycle_cfg->dlf.batch_size ? s->cycle_cfg->dlf.batch_size : 100;

    while (tu->ncb >= bs || (all && tu->ncb))
        flush_chunk(s, tu, G2D_DIFF_GLUE_NEW, &tu->cbatch, &tu->ncb, tu->ncb < bs ? tu->ncb : bs);
    while (tu->nub >= bs || (all && tu->nub))
        flush_chunk(s, tu, G2D_DIFF_NEED_UPDATE, &tu->ubatch, &tu->nub,
                    tu->nub < bs ? tu->nub : bs);
}

static void tunit_check_done(struct tunit *tu)
{
    struct g2d_sync *s = tu_sync(tu);

    if (tu->done || !tu->started)
        return;
    if (tu->segs_done < tu->segs || tu->batches_inflight > 0 || tu->ncb || tu->nub)
        return;
    tu->done = true;
    s->t_active--;
    {
        struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, tu->key);

        if (e && e->meta)
            (void)g2d_pset_trim(&e->meta->parts);
    }
    s->prog.tables_done++;
    kick(s);
    maybe_advance(s);
}

/*
 * Pages read or being processed at once before Glue reading pauses: what the Glue side
 * may have in flight, and a few per pool thread waiting their turn. Each page is ~1.6 MB.
 */
static unsigned max_pages(const struct g2d_sync *s)
{
    unsigned c = s->cycle_cfg->glue.http.max_concurrency;

    return (c ? c : 16) + 8;
}

/* Backpressure: DLF batches pending, or pages waiting to be read or processed. */
static bool must_park(const struct g2d_sync *s)
{
    return s->part_batches >= max_batches(s) || s->page_reads + s->njobs >= max_pages(s);
}

/* Parked segments go on, oldest first, while backpressure allows. */
static void resume_parked(struct g2d_sync *s)
{
    while (s->parked && !s->cancelling && !must_park(s)) {
        struct segref *ref = s->parked;
        struct tunit *tu = ref->tu;

        s->parked = ref->park_next;
        if (!s->parked)
            s->parked_tail = NULL;
        ref->park_next = NULL;
        if (tu->started && !tu->done && !tu->failed)
            glue_parts_next(tu, ref->seg);
    }
}

static void glue_parts_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg);

static void glue_parts_next(struct tunit *tu, unsigned seg)
{
    struct g2d_sync *s = tu_sync(tu);
    const struct g2d_config *cfg = s->cycle_cfg;
    struct segref *ref;
    json_t *body;
    const char *expr;

    ref = &tu->segref[seg];
    ref->tu = tu;
    ref->seg = seg;
    if (must_park(s)) {
        /* resumed when batches or pages drain */
        if (s->parked_tail)
            s->parked_tail->park_next = ref;
        else
            s->parked = ref;
        s->parked_tail = ref;
        return;
    }
    body = json_object();
    if (!body) {
        fail_cycle(s, -ENOMEM, "", "out of memory");
        return;
    }
    if (cfg->glue.catalog_id)
        json_object_set_new(body, "CatalogId", json_string(cfg->glue.catalog_id));
    json_object_set_new(body, "DatabaseName", json_string(tu->db->name));
    json_object_set_new(body, "TableName", json_string(tu->name));
    expr = g2d_config_partition_filter(cfg, tu->db->name, tu->name);
    if (expr)
        json_object_set_new(body, "Expression", json_string(expr));
    if (tu->segs > 1)
        json_object_set_new(
            body, "Segment",
            json_pack("{s:i, s:i}", "SegmentNumber", (int)seg, "TotalSegments", (int)tu->segs));
    json_object_set_new(body, "MaxResults", json_integer(1000));
    if (tu->seg_token[seg])
        json_object_set_new(body, "NextToken", json_string(tu->seg_token[seg]));
    tu->segs_active++;
    s->page_reads++;
    if (read_glue(s, "GetPartitions", body, true, glue_parts_page, ref) < 0) {
        tu->segs_active--;
        s->page_reads--;
        fail_cycle(s, -ENOMEM, "", "could not queue a Glue request");
    }
}

static bool take_token(char **slot, json_t *tok)
{
    char *copy;

    if (!json_is_string(tok) || json_string_length(tok) == 0)
        return false;
    if (*slot && strcmp(*slot, json_string_value(tok)) == 0)
        return false; /* a service repeating its token would loop forever */
    copy = strdup(json_string_value(tok));
    free(*slot);
    *slot = copy;
    return copy != NULL;
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

/*
 * 64 bits of XXH3 of a Glue partition's bytes exactly as they came, seeded with the
 * settings of the transform (the location map), so that a changed transform makes every
 * raw fingerprint differ and each partition is mapped again. Never 0. It only has to tell
 * "the very bytes seen last time" apart from anything else, so a fast non-cryptographic
 * hash does (a tenth of the cost of SHA-256 on a 1.6 KB partition).
 */
static uint64_t raw_fp(uint64_t seed, const char *p, size_t n)
{
    uint64_t v = XXH3_64bits_withSeed(p, n, seed);

    return v ? v : 1;
}

/* The transform settings, hashed (see raw_fp()). */
static void compute_transform_seed(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    uint8_t md[32];
    struct g2d_buf b;
    size_t i;

    g2d_buf_init(&b, 0);
    g2d_buf_puts(&b, "glue2dlf-transform-1");
    for (i = 0; i < cfg->nlocation_map; i++)
        g2d_buf_printf(&b, "%c%s%c%s", 0x1f, cfg->location_map[i].from, 0x1e,
                       cfg->location_map[i].to);
    g2d_sha256(b.data ? b.data : "", b.len, md);
    g2d_buf_done(&b);
    memcpy(&s->transform_seed, md, sizeof(s->transform_seed));
}

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

/* ---- GetPartitions pages, on libuv's thread pool ---------------------------------------
 *
 * A page goes through up to four steps, so that the loop thread does only what needs the
 * snapshot and everything else runs on the second core:
 *
 *   scan       (pool)  split the page into partitions: the bytes, their raw fingerprint
 *                      and the text of their Values;
 *   match      (loop)  look each one up: one whose bytes are exactly those seen last time
 *                      is unchanged and done here;
 *   transform  (pool)  the others: parse, map to a DLF PartitionInput, fingerprint the
 *                      normalised form, serialise;
 *   apply      (loop)  diff against the snapshot and queue the writes.
 *
 * The work steps touch only the job (the page, its elements, the read-only cycle config);
 * the loop never touches a job while it is queued. The cycle does not end while a job is
 * out (s->njobs), so the units a job points at stay alive.
 */

struct pel {
    const char *p; /* the partition's bytes, in the page */
    size_t n;
    const char *vt; /* the text of its Values, NULL if it has none */
    size_t vl;
    uint64_t raw;
    bool todo; /* needs the transform */
    /* transform results */
    json_t *values;
    char *text;
    struct g2d_fp fp;
    char *err; /* why the transform failed, NULL if it did not */
};

enum pjob_step { PJ_SCAN, PJ_TRANSFORM };

struct pjob {
    uv_work_t w;
    struct g2d_sync *s;
    struct tunit *tu;
    unsigned seg;
    enum pjob_step step;
    /* inputs, read-only while queued */
    const struct g2d_config *cfg;
    uint64_t seed;
    char *body;
    size_t len;
    /* outputs */
    int rc; /* 0, or -EPROTO: the page is malformed */
    const char *tok;
    size_t tok_len;
    struct pel *el;
    size_t nel, cap;
    unsigned dropped;
};

static void pjob_free(struct pjob *j)
{
    size_t i;

    if (!j)
        return;
    for (i = 0; i < j->nel; i++) {
        json_decref(j->el[i].values);
        free(j->el[i].text);
        free(j->el[i].err);
    }
    free(j->el);
    free(j->body);
    free(j);
}

static int scan_elem(const char *p, size_t n, void *arg)
{
    struct pjob *j = arg;
    struct pel *e;

    if (j->nel == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 1024;
        struct pel *a = realloc(j->el, cap * sizeof(*a));

        if (!a)
            return -ENOMEM;
        j->el = a;
        j->cap = cap;
    }
    e = &j->el[j->nel++];
    memset(e, 0, sizeof(*e));
    e->p = p;
    e->n = n;
    e->raw = raw_fp(j->seed, p, n);
    if (g2d_jscan_member(p, n, "Values", &e->vt, &e->vl) != 0)
        e->vt = NULL;
    return 0;
}

static void pjob_scan(struct pjob *j)
{
    static const char *const keys[] = {"Partitions", "NextToken"};
    const char *v[2];
    size_t l[2];
    int r = g2d_jscan_members(j->body, j->len, keys, 2, v, l);

    if (r >= 0) {
        j->tok = v[1];
        j->tok_len = l[1];
        r = v[0] ? g2d_jscan_array(v[0], l[0], scan_elem, j) : 0;
    }
    j->rc = r < 0 ? r : 0;
}

static char *strdup_or(const char *msg, const char *dflt)
{
    return strdup(msg && *msg ? msg : dflt);
}

/*
 * The streaming transform (lib/ptrans.c): straight from the bytes to the PartitionInput
 * text and fingerprint, identical to the DOM path's. @return 0 done, 1 use the DOM path.
 */
static int transform_fast(struct pjob *j, struct pel *e, struct g2d_ptrans_scratch *scratch)
{
    struct g2d_ptrans_out out;
    struct g2d_buf b;
    size_t k;
    int r;

    g2d_buf_init(&b, 0);
    r = g2d_ptrans_partition(j->cfg, j->tu->db->name, j->tu->name, e->p, e->n, &b, &out, scratch);
    if (r != 0) {
        g2d_buf_done(&b);
        return 1; /* out of the fast subset, or out of memory: the DOM path decides */
    }
    e->values = json_array();
    for (k = 0; e->values && k < out.nvalues; k++) {
        if (json_array_append_new(e->values, json_stringn(out.val[k], out.vlen[k]))) {
            json_decref(e->values);
            e->values = NULL;
        }
    }
    e->text = e->values ? g2d_buf_steal(&b) : NULL;
    g2d_buf_done(&b);
    if (!e->text) {
        json_decref(e->values);
        e->values = NULL;
        return 1;
    }
    e->fp = out.fp;
    j->dropped |= out.dropped;
    return 0;
}

static void pjob_transform(struct pjob *j)
{
    struct g2d_ptrans_scratch scratch;
    size_t i;

    g2d_ptrans_scratch_init(&scratch);
    for (i = 0; i < j->nel && j->rc == 0; i++) {
        struct pel *e = &j->el[i];
        struct g2d_model_notes notes = {0};
        struct g2d_error err = {0};
        json_t *gp, *input = NULL, *values;
        struct g2d_buf b;

        if (!e->todo || transform_fast(j, e, &scratch) == 0)
            continue;
        gp = json_loadb(e->p, e->n, 0, NULL);
        if (!json_is_object(gp)) {
            json_decref(gp);
            j->rc = -EPROTO; /* well formed to the scanner, but not to jansson */
            break;
        }
        values = json_object_get(gp, "Values");
        e->values = json_is_array(values) ? json_incref(values) : NULL;
        if (g2d_model_partition(j->cfg, j->tu->db->name, j->tu->name, gp, &input, &notes, &err) <
            0) {
            e->err = strdup_or(err.msg, "invalid partition");
        } else if (json_array_size(values) > MAX_KEYS) {
            e->err = strdup_or(NULL, "too many partition values");
        } else if (g2d_fp_partition(input, &e->fp) < 0) {
            e->err = strdup_or(NULL, "out of memory");
        } else {
            g2d_buf_init(&b, 0);
            if (g2d_jwrite_value(&b, input) < 0) {
                g2d_buf_done(&b);
                e->err = strdup_or(NULL, "out of memory");
            } else {
                e->text = g2d_buf_steal(&b);
                if (!e->text)
                    e->err = strdup_or(NULL, "out of memory");
            }
            j->dropped |= notes.dropped;
        }
        json_decref(input);
        json_decref(gp);
    }
    g2d_ptrans_scratch_done(&scratch);
}

static void pjob_work(uv_work_t *w)
{
    struct pjob *j = w->data;

    if (j->step == PJ_SCAN)
        pjob_scan(j);
    else
        pjob_transform(j);
}

static void pjob_after(uv_work_t *w, int status);

static int pjob_queue(struct pjob *j, enum pjob_step step)
{
    j->step = step;
    j->w.data = j;
    if (uv_queue_work(g2d_http_loop(j->s->http), &j->w, pjob_work, pjob_after) < 0)
        return -ENOMEM;
    j->s->njobs++;
    return 0;
}

/* The page's NextToken as a JSON string (new reference), NULL when absent. */
static int page_token(const char *v, size_t vl, json_t **tok)
{
    *tok = NULL;
    if (!v)
        return 0;
    *tok = json_loadb(v, vl, JSON_DECODE_ANY, NULL);
    if (*tok && !json_is_string(*tok) && !json_is_null(*tok)) {
        json_decref(*tok);
        *tok = NULL;
        return -EPROTO;
    }
    return 0;
}

/* The table's listing could not be read: no partition deletes for it this cycle. */
static void tunit_list_failed(struct g2d_sync *s, struct tunit *tu, const char *what)
{
    tu->failed = true;
    s->cur.failed++;
    report(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE, false, false,
           what, NULL);
    tu->segs_done = tu->segs; /* stop the other segments' next pages */
    tunit_flush_batches(s, tu, true);
    tunit_check_done(tu);
}

/* The page is through: its writes are queued; ask for the segment's next page. */
static void page_end(struct g2d_sync *s, struct pjob *j)
{
    struct tunit *tu = j->tu;
    unsigned seg = j->seg;
    json_t *tok = NULL;

    if (page_token(j->tok, j->tok_len, &tok) < 0) {
        pjob_free(j);
        tunit_list_failed(s, tu,
                          "listing Glue partitions failed: malformed GetPartitions response");
        return;
    }
    pjob_free(j);
    tu->segs_active--;
    tunit_flush_batches(s, tu, false);
    if (take_token(&tu->seg_token[seg], tok) && ++tu->seg_pages[seg] < MAX_PAGES) {
        json_decref(tok);
        glue_parts_next(tu, seg);
        return;
    }
    json_decref(tok);
    tu->segs_done++;
    if (tu->segs_done == tu->segs) {
        tu->listed = true;
        tunit_flush_batches(s, tu, true);
    }
    tunit_check_done(tu);
}

/* Match (loop): partitions whose bytes are exactly those seen last time are unchanged. */
static size_t page_match(struct g2d_sync *s, struct pjob *j, struct g2d_tmeta *meta)
{
    size_t i, todo = 0;

    for (i = 0; i < j->nel; i++) {
        struct pel *e = &j->el[i];
        struct g2d_pentry *pe = NULL;

        if (meta && e->vt) {
            const char *vals[MAX_KEYS];
            size_t lens[MAX_KEYS];
            int nv = simple_values(e->vt, e->vl, vals, lens, MAX_KEYS);

            if (nv > 0) {
                pe = g2d_pset_get_n(&meta->parts, vals, lens, (size_t)nv);
            } else if (nv < 0) {
                /* escapes or other shapes: let jansson decode them */
                json_t *values = json_loadb(e->vt, e->vl, 0, NULL);
                size_t m = json_array_size(values), k;

                for (k = 0; k < m && k < MAX_KEYS && json_is_string(json_array_get(values, k)); k++)
                    vals[k] = json_string_value(json_array_get(values, k));
                if (m && k == m)
                    pe = g2d_pset_get(&meta->parts, vals, m);
                json_decref(values);
            }
        }
        if (pe && pe->raw == e->raw && !(pe->flags & G2D_PENTRY_SEEN)) {
            pe->flags |= G2D_PENTRY_SEEN;
            s->cur.seen++;
            s->cur.unchanged++;
            s->prog.items_seen++;
            j->tu->parts_seen++;
        } else {
            e->todo = true;
            todo++;
        }
    }
    return todo;
}

/* Apply (loop): diff each transformed partition and queue its write. */
static void page_apply(struct g2d_sync *s, struct pjob *j, struct g2d_tmeta *meta)
{
    struct tunit *tu = j->tu;
    size_t i, k;

    s->cur.dropped_fields |= j->dropped;
    for (i = 0; i < j->nel; i++) {
        struct pel *e = &j->el[i];
        const char *vals[MAX_KEYS];
        struct g2d_pentry *pe = NULL;
        size_t n = json_array_size(e->values);

        if (!e->todo)
            continue;
        s->cur.seen++;
        s->prog.items_seen++;
        tu->parts_seen++;
        if (e->err) {
            char *name = e->values ? tunit_partition_name(tu, e->values) : NULL;

            s->cur.failed++;
            report(s, G2D_ITEM_PARTITION, name ? name : tu->key, tu->db->name, tu->name,
                   G2D_DIFF_GLUE_NEW, false, false, e->err, NULL);
            free(name);
            continue;
        }
        for (k = 0; k < n; k++)
            vals[k] = json_string_value(json_array_get(e->values, k));
        if (meta)
            pe = g2d_pset_get(&meta->parts, vals, n);
        if (pe && (pe->flags & G2D_PENTRY_SEEN))
            continue; /* listed twice (overlapping segments): already handled */
        if (pe)
            pe->flags |= G2D_PENTRY_SEEN;
        if (pe && memcmp(&pe->fp, &e->fp, sizeof(e->fp)) == 0) {
            s->cur.unchanged++;
            pe->raw = e->raw; /* next time these bytes are recognised without parsing */
        } else if (pitem_add(pe ? &tu->ubatch : &tu->cbatch, pe ? &tu->nub : &tu->ncb, e->values,
                             e->text, &e->fp, e->raw,
                             pe ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW) < 0) {
            s->cur.failed++;
            report(s, G2D_ITEM_PARTITION, tu->key, tu->db->name, tu->name, G2D_DIFF_GLUE_NEW, false,
                   false, "out of memory", NULL);
        } else {
            e->text = NULL; /* the batch owns it now */
        }
    }
}

static void pjob_after(uv_work_t *w, int status)
{
    struct pjob *j = w->data;
    struct g2d_sync *s = j->s;
    struct tunit *tu = j->tu;
    struct g2d_snap_entry *e;
    struct g2d_tmeta *meta;

    s->njobs--;
    if (status < 0 || s->cancelling || tu->failed) {
        tu->segs_active--;
        pjob_free(j);
        if (!s->cancelling)
            tunit_check_done(tu);
        resume_parked(s);
        maybe_advance(s);
        return;
    }
    if (j->rc < 0) {
        tu->segs_active--;
        pjob_free(j);
        tunit_list_failed(s, tu,
                          j->rc == -ENOMEM
                              ? "listing Glue partitions failed: out of memory"
                              : "listing Glue partitions failed: malformed GetPartitions response");
        resume_parked(s);
        maybe_advance(s);
        return;
    }
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, tu->key);
    meta = e ? e->meta : NULL;
    if (j->step == PJ_SCAN && page_match(s, j, meta) > 0) {
        if (pjob_queue(j, PJ_TRANSFORM) == 0)
            return;
        tu->segs_active--;
        pjob_free(j);
        tunit_list_failed(s, tu, "listing Glue partitions failed: out of memory");
        resume_parked(s);
        maybe_advance(s);
        return;
    }
    if (j->step == PJ_TRANSFORM)
        page_apply(s, j, meta);
    page_end(s, j);
    resume_parked(s);
    maybe_advance(s);
}

static void glue_parts_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    struct segref *ref = arg;
    struct tunit *tu = ref->tu;
    struct pjob *j;

    s->page_reads--;
    if (res->err) {
        char what[300];

        tu->segs_active--;
        snprintf(what, sizeof(what), "listing Glue partitions failed: %s", res->message);
        tunit_list_failed(s, tu, what);
        resume_parked(s);
        return;
    }
    if (tu->failed) {
        tu->segs_active--;
        tunit_check_done(tu);
        resume_parked(s);
        return;
    }
    /* segs_active stays counted until the page has been applied */
    j = calloc(1, sizeof(*j));
    if (j) {
        j->s = s;
        j->tu = tu;
        j->seg = ref->seg;
        j->cfg = s->cycle_cfg;
        j->seed = s->transform_seed;
        j->len = res->body_len;
        j->body = g2d_buf_steal(res->body_buf); /* the page is ours now: no copy */
    }
    if (!j || !j->body || pjob_queue(j, PJ_SCAN) < 0) {
        pjob_free(j);
        tu->segs_active--;
        tunit_list_failed(s, tu, "listing Glue partitions failed: out of memory");
    }
}

/* The table exists in DLF (or failed to): start its partitions. */
static void tunit_ready(struct tunit *tu, bool ok)
{
    struct g2d_sync *s = tu_sync(tu);
    unsigned i;

    if (!ok || s->cancelling) {
        tu->failed = true;
        tu->segs = 0;
        tunit_check_done(tu);
        return;
    }
    if (!want(s, G2D_OBJ_PARTITIONS) || json_array_size(tu->pkeys) == 0 || tu->nkeys > MAX_KEYS) {
        tu->segs = 0;
        tu->listed = true;
        tunit_check_done(tu);
        return;
    }
    tu->segs = s->cycle_cfg->glue.partition_segments ? s->cycle_cfg->glue.partition_segments : 1;
    if (tu->segs > 10)
        tu->segs = 10;
    for (i = 0; i < tu->segs && !s->cancelling; i++)
        glue_parts_next(tu, i);
}

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

#define RECREATE_WARNING                                                                           \
    "partition keys changed in Glue: the DLF table was dropped and created again, its "            \
    "partitions are recreated from Glue"

/* Recreate, second step: the old table is gone, create the new one. */
static void recreate_dropped(struct wop *del, const struct g2d_api_result *res)
{
    struct g2d_sync *s = del->s;
    struct tunit *tu = del->tu;
    const char *code = res->code ? res->code : "";
    struct wop *op;

    if (res->err && strcmp(code, "NoSuchObject") != 0) {
        char msg[700];

        snprintf(msg, sizeof(msg), "could not drop the table to recreate it: %s", res->message);
        s->cur.failed++;
        report(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE, false,
               false, msg, NULL);
        wop_free(del);
        tunit_ready(tu, false);
        return;
    }
    wop_free(del);
    g2d_snapshot_del(&s->snap, G2D_ITEM_TABLE, tu->key);
    op = wop_new(s, G2D_ITEM_TABLE, G2D_DIFF_NEED_UPDATE, tu->key, tu->key, tu->db->name, tu->name);
    if (op) {
        op->as_create = true;
        op->fell_back = true; /* no create->update fallback: we just dropped it */
        op->input = json_incref(tu->input);
        op->fp = tu->fp;
        op->warning = RECREATE_WARNING;
        op->tu = tu;
        op->done = obj_done;
    }
    if (!op || obj_build(op) < 0) {
        wop_free(op);
        s->cur.failed++;
        report(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, G2D_DIFF_NEED_UPDATE, false,
               false, "out of memory", NULL);
        tunit_ready(tu, false);
        return;
    }
    wop_push(s, op, true);
}

static void tunit_start(struct g2d_sync *s, struct tunit *tu)
{
    const char *warning = otf_warning(tu->otf);
    int r = 1;

    tu->started = true;
    s->t_active++;
    if (!tu->write || !want(s, G2D_OBJ_TABLES)) {
        tunit_ready(tu, true);
        return;
    }
    if (tu->recreate && !s->cur.dry_run) {
        /* Partition keys changed: the old partitions no longer fit the table. Drop it in
         * DLF (its partitions go with it), then create it again. */
        struct wop *del =
            wop_new(s, G2D_ITEM_TABLE, G2D_DIFF_DLF_NEW, tu->key, tu->key, tu->db->name, tu->name);

        if (del) {
            del->tu = tu;
            del->done = recreate_dropped;
        }
        if (!del || obj_build(del) < 0) {
            wop_free(del);
            r = -ENOMEM;
        } else {
            wop_push(s, del, true);
            return;
        }
    } else {
        r = plan_obj(s, G2D_ITEM_TABLE, tu->diff, tu->key, tu->key, tu->db->name, tu->name,
                     tu->input, &tu->fp, tu->recreate ? RECREATE_WARNING : warning, NULL, tu);
    }
    if (r < 0) {
        s->cur.failed++;
        report(s, G2D_ITEM_TABLE, tu->key, tu->db->name, tu->name, tu->diff, false, false,
               "out of memory", NULL);
        tunit_ready(tu, false);
    } else if (r > 0) {
        tunit_ready(tu, true);
    }
}

/* ---- database units ------------------------------------------------------------------ */

enum { DBL_TABLES = 0, DBL_FUNCTIONS = 1 };
static void dblist_next(struct g2d_sync *s, struct dblist *l);

static void dbunit_check_done(struct g2d_sync *s, struct dbunit *d)
{
    if (d->done || !d->started || d->reads > 0)
        return;
    d->done = true;
    s->db_active--;
    s->prog.databases_done++;
    kick(s);
    maybe_advance(s);
}

static void dbunit_start(struct g2d_sync *s, struct dbunit *d)
{
    d->started = true;
    s->db_active++;
    if (d->failed || s->cancelling) {
        dbunit_check_done(s, d);
        return;
    }
    if (want(s, G2D_OBJ_TABLES))
        dblist_next(s, &d->list[DBL_TABLES]);
    else
        d->list[DBL_TABLES].listed = true;
    if (want(s, G2D_OBJ_FUNCTIONS))
        dblist_next(s, &d->list[DBL_FUNCTIONS]);
    else
        d->list[DBL_FUNCTIONS].listed = true;
    dbunit_check_done(s, d);
}

static void dbunit_ready(struct g2d_sync *s, struct dbunit *d, bool ok)
{
    d->write_pending = false;
    if (!ok)
        d->failed = true; /* its objects are skipped this cycle, retried next */
    kick(s);
}

static void table_from_glue(struct g2d_sync *s, struct dbunit *d, json_t *gt)
{
    json_t *name = json_object_get(gt, "Name"), *input = NULL, *pk;
    struct g2d_model_notes notes = {0};
    struct g2d_error err = {0};
    struct g2d_snap_entry *e;
    struct tunit *tu;
    const char *n, *expr;
    char *key;
    size_t i;

    if (!json_is_string(name))
        return;
    n = json_string_value(name);
    if (!g2d_config_table_selected(s->cycle_cfg, n))
        return;
    /* A resource link points into another catalog: DLF has nothing to link to. */
    if (json_is_object(json_object_get(gt, "TargetTable"))) {
        s->cur.dropped_fields |= G2D_DROP_TABLE_TARGET;
        return;
    }
    key = join2(d->name, ".", n);
    if (!key)
        return;
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, key);
    if ((e && e->seen) || find_tu(s, key)) {
        free(key);
        return; /* listed twice */
    }
    s->tables_seen++;
    s->prog.tables_total++;
    if (e)
        e->seen = 1;
    tu = calloc(1, sizeof(*tu));
    if (!tu || g2d_model_table(s->cycle_cfg, d->name, gt, &input, &notes, &err) < 0) {
        s->cur.failed++;
        report(s, G2D_ITEM_TABLE, key, d->name, n, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW,
               false, false, err.msg[0] ? err.msg : "out of memory", NULL);
        free(tu);
        free(key);
        return;
    }
    s->cur.dropped_fields |= notes.dropped;
    s->cur.seen++;
    s->prog.items_seen++;
    tu->s = s;
    tu->db = d;
    tu->otf = notes.otf;
    tu->key = key;
    tu->name = strdup(n);
    tu->input = input;
    pk = json_object_get(input, "PartitionKeys");
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
    g2d_fp_table(input, &tu->fp);
    if (!e) {
        tu->write = true;
        tu->diff = G2D_DIFF_GLUE_NEW;
    } else if (memcmp(&e->fp, &tu->fp, sizeof(tu->fp)) != 0) {
        tu->write = true;
        tu->diff = G2D_DIFF_NEED_UPDATE;
        if (e->meta && !g2d_tmeta_same_keys(e->meta, tu->pkeys))
            tu->recreate = true;
    } else {
        s->cur.unchanged++;
    }
    expr = g2d_config_partition_filter(s->cycle_cfg, d->name, n);
    if (expr)
        (void)g2d_expr_parse(expr, &tu->filter, NULL);
    tu->next = s->tus;
    s->tus = tu;
    index_unit(s, G2D_ITEM_TABLE, tu->key, tu);
    tu->qnext = NULL;
    if (s->tq_tail)
        s->tq_tail->qnext = tu;
    else
        s->tq = tu;
    s->tq_tail = tu;
}

static void function_from_glue(struct g2d_sync *s, struct dbunit *d, json_t *gf)
{
    json_t *name = json_object_get(gf, "FunctionName"), *input = NULL;
    struct g2d_model_notes notes = {0};
    struct g2d_error err = {0};
    struct g2d_snap_entry *e;
    struct g2d_fp fp;
    char *key;
    const char *n;
    int r;

    if (!json_is_string(name))
        return;
    n = json_string_value(name);
    key = join2(d->name, ".", n);
    if (!key)
        return;
    s->fns_seen++;
    s->cur.seen++;
    s->prog.items_seen++;
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_FUNCTION, key);
    if (e && e->seen) {
        free(key);
        return;
    }
    if (e)
        e->seen = 1;
    if (g2d_model_function(s->cycle_cfg, gf, &input, &notes, &err) < 0 ||
        g2d_fp_function(input, &fp) < 0) {
        s->cur.failed++;
        report(s, G2D_ITEM_FUNCTION, key, d->name, NULL,
               e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW, false, false,
               err.msg[0] ? err.msg : "out of memory", NULL);
        json_decref(input);
        free(key);
        return;
    }
    s->cur.dropped_fields |= notes.dropped;
    if (e && memcmp(&e->fp, &fp, sizeof(fp)) == 0) {
        s->cur.unchanged++;
    } else {
        r = plan_obj(s, G2D_ITEM_FUNCTION, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW, key, key,
                     d->name, n, input, &fp, NULL, NULL, NULL);
        if (r < 0) {
            s->cur.failed++;
            report(s, G2D_ITEM_FUNCTION, key, d->name, NULL,
                   e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW, false, false, "out of memory",
                   NULL);
        }
    }
    json_decref(input);
    free(key);
}

/* What differs between listing a database's tables and its functions. */
static const struct {
    const char *op, *list, *what;
    void (*item)(struct g2d_sync *s, struct dbunit *d, json_t *o);
} dbl_kinds[2] = {
    {"GetTables", "TableList", "tables", table_from_glue},
    {"GetUserDefinedFunctions", "UserDefinedFunctions", "functions", function_from_glue},
};

static void dblist_next(struct g2d_sync *s, struct dblist *l);

static void dblist_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    struct dblist *l = arg;
    struct dbunit *d = l->d;
    json_t *list, *o;
    size_t i;

    d->reads--;
    if (res->err) {
        char what[300];

        l->failed = true;
        s->cur.failed++;
        snprintf(what, sizeof(what), "listing Glue %s failed: %s", dbl_kinds[l->kind].what,
                 res->message);
        report(s, G2D_ITEM_DATABASE, d->name, d->name, NULL, G2D_DIFF_NEED_UPDATE, false, false,
               what, NULL);
        dbunit_check_done(s, d);
        return;
    }
    list = json_object_get(res->json, dbl_kinds[l->kind].list);
    json_array_foreach(list, i, o) dbl_kinds[l->kind].item(s, d, o);
    kick(s);
    if (take_token(&l->token, json_object_get(res->json, "NextToken")) && ++l->pages < MAX_PAGES) {
        dblist_next(s, l);
        return;
    }
    l->listed = true;
    dbunit_check_done(s, d);
}

static void dblist_next(struct g2d_sync *s, struct dblist *l)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    struct dbunit *d = l->d;
    json_t *body = json_object();

    if (!body) {
        fail_cycle(s, -ENOMEM, "", "out of memory");
        return;
    }
    if (cfg->glue.catalog_id)
        json_object_set_new(body, "CatalogId", json_string(cfg->glue.catalog_id));
    json_object_set_new(body, "DatabaseName", json_string(d->name));
    if (l->kind == DBL_FUNCTIONS)
        json_object_set_new(body, "Pattern", json_string(".*"));
    json_object_set_new(body, "MaxResults", json_integer(cfg->glue.http.page_size));
    if (l->token)
        json_object_set_new(body, "NextToken", json_string(l->token));
    d->reads++;
    if (read_glue(s, dbl_kinds[l->kind].op, body, false, dblist_page, l) < 0) {
        d->reads--;
        fail_cycle(s, -ENOMEM, "", "could not queue a Glue request");
    }
}

/* Start units while under the limits. Databases whose own write is pending wait. */
static void kick(struct g2d_sync *s)
{
    if (s->cancelling || s->phase != G2D_PHASE_EXTRACT)
        return;
    while (s->dbq && s->db_active < DB_UNITS) {
        struct dbunit *d = s->dbq;

        if (d->write_pending)
            break; /* keep order: its tables must wait for it anyway */
        s->dbq = d->qnext;
        if (!s->dbq)
            s->dbq_tail = NULL;
        dbunit_start(s, d);
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
    }
}

/* ---- deletes ------------------------------------------------------------------------- */

/* Why deletes of one type are held back, or "" to apply them. */
static void guard(struct g2d_sync *s, const char *what, uint64_t n, uint64_t total,
                  uint64_t glue_seen, char *reason, size_t rsz)
{
    const struct g2d_config *cfg = s->cycle_cfg;

    reason[0] = '\0';
    if (n == 0)
        return;
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
}

static void hold(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
                 const char *tbl, const char *reason)
{
    s->cur.held++;
    if (s->held_reported[type]++ < HELD_REPORT_MAX)
        report(s, type, name, db, tbl, G2D_DIFF_DLF_NEW, false, true, reason, NULL);
}

/* The cycle's units by name, through the per-cycle index: O(1), whatever the catalog. */
static struct dbunit *find_db(struct g2d_sync *s, const char *name)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->units, G2D_ITEM_DATABASE, name);

    return e ? e->unit : NULL;
}

static struct tunit *find_tu(struct g2d_sync *s, const char *key)
{
    struct g2d_snap_entry *e = g2d_snapshot_get(&s->units, G2D_ITEM_TABLE, key);

    return e ? e->unit : NULL;
}

/* Index a unit; on -ENOMEM it is simply not found later (no deletes below it). */
static void index_unit(struct g2d_sync *s, unsigned type, const char *key, void *unit)
{
    static const struct g2d_fp zero;
    struct g2d_snap_entry *e;

    if (g2d_snapshot_put(&s->units, type, key, &zero) == 0 &&
        (e = g2d_snapshot_get(&s->units, type, key)))
        e->unit = unit;
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

/* Stage 1: partitions of tables that Glue still has. */
static void delete_partitions(struct g2d_sync *s)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;
    unsigned bs = s->cycle_cfg->dlf.batch_size ? s->cycle_cfg->dlf.batch_size : 100;

    if (!want(s, G2D_OBJ_PARTITIONS) || !s->cycle_cfg->deletes)
        return;
    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        struct tunit *tu;
        struct g2d_pentry *pe;
        struct pitem *batch = NULL;
        size_t nb = 0;
        uint32_t ppos = 0;
        uint64_t n = 0, total;
        char reason[300];
        char db[256];
        const char *tbl;

        if (e->type != G2D_ITEM_TABLE || !e->seen || !e->meta || !e->meta->parts_loaded)
            continue;
        tu = find_tu(s, e->key);
        if (!tu || !tu->listed || tu->failed || tu->recreate)
            continue; /* partitions not fully known this cycle */
        total = e->meta->parts.used;
        while ((pe = g2d_pset_next(&e->meta->parts, &ppos)))
            if (!(pe->flags & G2D_PENTRY_SEEN))
                n++;
        if (n == 0)
            continue;
        guard(s, "partitions", n, total, tu->parts_seen, reason, sizeof(reason));
        split_key(e->key, db, sizeof(db), &tbl);
        ppos = 0;
        while ((pe = g2d_pset_next(&e->meta->parts, &ppos))) {
            const char *vals[MAX_KEYS];
            size_t lens[MAX_KEYS], nv, i;
            json_t *values;
            struct pitem *nbatch;

            if (pe->flags & G2D_PENTRY_SEEN)
                continue;
            nv = g2d_pset_values(&e->meta->parts, pe, vals, lens, MAX_KEYS);
            values = json_array();
            for (i = 0; values && i < nv; i++)
                json_array_append_new(values, json_stringn(vals[i], lens[i]));
            if (!values)
                continue;
            if (reason[0]) {
                char *name = partition_name(e->key, e->meta->keys, e->meta->nkeys, values);

                hold(s, G2D_ITEM_PARTITION, name ? name : e->key, db, tbl, reason);
                free(name);
                json_decref(values);
                continue;
            }
            nbatch = realloc(batch, (nb + 1) * sizeof(*batch));
            if (!nbatch) {
                json_decref(values);
                continue;
            }
            batch = nbatch;
            batch[nb].values = values;
            batch[nb].text = NULL;
            memset(&batch[nb].fp, 0, sizeof(batch[nb].fp));
            batch[nb].raw = 0;
            batch[nb].diff = G2D_DIFF_DLF_NEW;
            nb++;
            if (nb == bs) {
                part_flush(s, tu, e->key, db, tbl, G2D_DIFF_DLF_NEW, batch, nb);
                batch = NULL;
                nb = 0;
            }
        }
        part_flush(s, tu, e->key, db, tbl, G2D_DIFF_DLF_NEW, batch, nb);
    }
}

/* Did the Glue listing of @p type under @p d complete? */
static bool dblist_complete(const struct dbunit *d, enum g2d_item_type type)
{
    const struct dblist *l = &d->list[type == G2D_ITEM_TABLE ? DBL_TABLES : DBL_FUNCTIONS];

    return l->listed && !l->failed;
}

/* Stage 2 (tables and functions) and stage 3 (databases). */
static void delete_objects(struct g2d_sync *s, bool databases)
{
    static const struct {
        enum g2d_item_type type;
        unsigned obj;
        const char *what;
    } kinds[] = {
        {G2D_ITEM_TABLE, G2D_OBJ_TABLES, "tables"},
        {G2D_ITEM_FUNCTION, G2D_OBJ_FUNCTIONS, "functions"},
        {G2D_ITEM_DATABASE, G2D_OBJ_DATABASES, "databases"},
    };
    size_t k;

    if (!s->cycle_cfg->deletes)
        return;
    for (k = databases ? 2 : 0; k < (databases ? 3u : 2u); k++) {
        struct g2d_snap_entry *e;
        size_t pos = 0;
        uint64_t n = 0, total = 0, seen;
        char reason[300];

        if (!want(s, kinds[k].obj))
            continue;
        seen = kinds[k].type == G2D_ITEM_TABLE      ? s->tables_seen
               : kinds[k].type == G2D_ITEM_FUNCTION ? s->fns_seen
                                                    : s->dbs_seen;
        /* Candidates: not seen, and their container's listing completed. */
        while ((e = g2d_snapshot_next(&s->snap, &pos))) {
            char db[256];
            const char *rest;
            struct dbunit *d;

            if (e->type != kinds[k].type)
                continue;
            total++;
            if (e->seen)
                continue;
            if (kinds[k].type == G2D_ITEM_DATABASE) {
                n++;
                continue;
            }
            split_key(e->key, db, sizeof(db), &rest);
            d = find_db(s, db);
            if (d && !d->failed && dblist_complete(d, kinds[k].type))
                n++;
            else if (!d && s->glue_dbs_listed)
                n++; /* its database is gone from Glue: contents go first */
        }
        guard(s, kinds[k].what, n, total, seen, reason, sizeof(reason));
        pos = 0;
        while ((e = g2d_snapshot_next(&s->snap, &pos))) {
            char db[256];
            const char *rest;
            struct dbunit *d;

            if (e->type != kinds[k].type || e->seen)
                continue;
            split_key(e->key, db, sizeof(db), &rest);
            if (kinds[k].type != G2D_ITEM_DATABASE) {
                d = find_db(s, db);
                if (d && (d->failed || !dblist_complete(d, kinds[k].type)))
                    continue;
                if (!d && !s->glue_dbs_listed)
                    continue;
            } else {
                rest = NULL;
            }
            if (reason[0])
                hold(s, kinds[k].type, e->key, db, rest, reason);
            else if (plan_obj(s, kinds[k].type, G2D_DIFF_DLF_NEW, e->key, e->key, db, rest, NULL,
                              NULL, NULL, NULL, NULL) < 0) {
                s->cur.failed++;
                report(s, kinds[k].type, e->key, db, rest, G2D_DIFF_DLF_NEW, false, false,
                       "out of memory", NULL);
            }
        }
    }
}

/* Move to the next step once nothing is in flight. */
static void maybe_advance(struct g2d_sync *s)
{
    if (!s->running || s->finishing)
        return;
    if (s->nreads || s->writes_inflight || s->njobs)
        return;
    if (s->cancelling) {
        finish_later(s);
        return;
    }
    if (s->phase == G2D_PHASE_EXTRACT) {
        if (s->dbq || s->tq || s->db_active || s->t_active || s->wq_hi.head || s->wq_lo.head ||
            !s->glue_dbs_listed)
            return;
        s->phase = G2D_PHASE_LOAD;
        s->prog.phase = G2D_PHASE_LOAD;
        s->del_stage = 0;
    }
    if (s->phase != G2D_PHASE_LOAD)
        return;
    while (!s->wq_hi.head && !s->wq_lo.head && !s->writes_inflight) {
        if (s->del_stage == 0)
            delete_partitions(s);
        else if (s->del_stage == 1)
            delete_objects(s, false);
        else if (s->del_stage == 2)
            delete_objects(s, true);
        else {
            finish_later(s);
            return;
        }
        s->del_stage++;
    }
}

/* ---- extract: Glue databases ----------------------------------------------------------- */

static void glue_dbs_next(struct g2d_sync *s);

static void db_from_glue(struct g2d_sync *s, json_t *gdb)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    json_t *name = json_object_get(gdb, "Name"), *input = NULL;
    struct g2d_snap_entry *e;
    struct dbunit *d;
    struct g2d_fp fp;
    struct g2d_error err = {0};
    const char *n;
    int r = 1;

    if (!json_is_string(name))
        return;
    n = json_string_value(name);
    if (!g2d_config_database_selected(cfg, n))
        return;
    if (json_is_object(json_object_get(gdb, "TargetDatabase"))) {
        s->cur.dropped_fields |= G2D_DROP_DB_TARGET;
        return;
    }
    if (find_db(s, n))
        return; /* listed twice */
    if (json_array_size(json_object_get(gdb, "CreateTableDefaultPermissions")) > 0)
        s->cur.dropped_fields |= G2D_DROP_DB_DEFAULT_PERMISSIONS;
    if (json_is_object(json_object_get(gdb, "FederatedDatabase")))
        s->cur.dropped_fields |= G2D_DROP_DB_FEDERATED;
    d = calloc(1, sizeof(*d));
    if (!d || !(d->name = strdup(n))) {
        free(d);
        fail_cycle(s, -ENOMEM, "", "out of memory");
        return;
    }
    d->list[DBL_TABLES].d = d->list[DBL_FUNCTIONS].d = d;
    d->list[DBL_TABLES].kind = DBL_TABLES;
    d->list[DBL_FUNCTIONS].kind = DBL_FUNCTIONS;
    d->next = s->dbs;
    s->dbs = d;
    index_unit(s, G2D_ITEM_DATABASE, d->name, d);
    if (s->dbq_tail)
        s->dbq_tail->qnext = d;
    else
        s->dbq = d;
    s->dbq_tail = d;
    s->dbs_seen++;
    s->prog.databases_total++;
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_DATABASE, n);
    if (e)
        e->seen = 1;
    if (!want(s, G2D_OBJ_DATABASES))
        return; /* databases not synced: their contents are, into what DLF has */
    s->cur.seen++;
    s->prog.items_seen++;
    if (g2d_model_database(cfg, gdb, &input, &err) < 0 || g2d_fp_database(input, &fp) < 0) {
        s->cur.failed++;
        d->failed = true;
        report(s, G2D_ITEM_DATABASE, n, n, NULL, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW,
               false, false, err.msg[0] ? err.msg : "out of memory", NULL);
        json_decref(input);
        return;
    }
    if (e && memcmp(&e->fp, &fp, sizeof(fp)) == 0) {
        s->cur.unchanged++;
    } else {
        d->write_pending = true;
        r = plan_obj(s, G2D_ITEM_DATABASE, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW, n, n, n,
                     NULL, input, &fp, NULL, d, NULL);
        if (r != 0)
            d->write_pending = false;
        if (r < 0) {
            d->failed = true;
            s->cur.failed++;
            report(s, G2D_ITEM_DATABASE, n, n, NULL, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW,
                   false, false, "out of memory", NULL);
        }
    }
    json_decref(input);
}

static void glue_dbs_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    json_t *list, *db;
    size_t i;

    if (res->err) {
        fail_cycle(s, res->err, "listing Glue databases failed: ", res->message);
        return;
    }
    list = json_object_get(res->json, "DatabaseList");
    if (!json_is_array(list)) {
        fail_cycle(s, -EPROTO,
                   "listing Glue databases failed: ", "response has no DatabaseList array");
        return;
    }
    json_array_foreach(list, i, db) db_from_glue(s, db);
    if (take_token(&s->token, json_object_get(res->json, "NextToken")) && ++s->pages < MAX_PAGES) {
        glue_dbs_next(s);
        return;
    }
    free(s->token);
    s->token = NULL;
    s->glue_dbs_listed = true;
    kick(s);
    maybe_advance(s);
}

static void glue_dbs_next(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    json_t *body = json_object();

    if (!body) {
        fail_cycle(s, -ENOMEM, "", "out of memory");
        return;
    }
    if (cfg->glue.catalog_id)
        json_object_set_new(body, "CatalogId", json_string(cfg->glue.catalog_id));
    json_object_set_new(body, "MaxResults", json_integer(cfg->glue.http.page_size));
    if (s->token)
        json_object_set_new(body, "NextToken", json_string(s->token));
    if (read_glue(s, "GetDatabases", body, false, glue_dbs_page, NULL) < 0)
        fail_cycle(s, -ENOMEM, "", "could not queue a Glue request");
}

static void extract_start(struct g2d_sync *s)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    s->phase = G2D_PHASE_EXTRACT;
    s->prog.phase = G2D_PHASE_EXTRACT;
    g2d_snapshot_unmark(&s->snap);
    while ((e = g2d_snapshot_next(&s->snap, &pos)))
        if (e->meta)
            g2d_pset_unmark(&e->meta->parts);
    free(s->token);
    s->token = NULL;
    s->pages = 0;
    glue_dbs_next(s);
}

/* ---- snapshot: DLF listings ---------------------------------------------------------- */

/* One DLF listing job of the snapshot build: tables or functions of a database, or the
 * partitions of a table. */
struct snapjob {
    struct snapjob *next;          /* queue */
    struct snapjob *aprev, *anext; /* running */
    int kind;                      /* 0 tables, 1 functions, 2 partitions */
    char *db, *tbl, *key;
    char *token;
    unsigned pages;
    struct g2d_expr *filter;
    struct g2d_expr_key keys[MAX_KEYS];
    size_t nkeys;
};

static void snap_kick(struct g2d_sync *s);
static void snapjob_next(struct g2d_sync *s, struct snapjob *j);

static void snapjob_free(struct snapjob *j)
{
    free(j->db);
    free(j->tbl);
    free(j->key);
    free(j->token);
    g2d_expr_free(j->filter);
    free(j);
}

static int snapjob_add(struct g2d_sync *s, int kind, const char *db, const char *tbl)
{
    struct snapjob *j = calloc(1, sizeof(*j));

    if (!j)
        return -ENOMEM;
    j->kind = kind;
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

static void snap_done_job(struct g2d_sync *s, struct snapjob *j)
{
    snapjob_unlink(s, j);
    snapjob_free(j);
    snap_kick(s);
}

static void snapjobs_free_all(struct g2d_sync *s)
{
    while (s->sjobs) {
        struct snapjob *j = s->sjobs;

        s->sjobs = j->next;
        snapjob_free(j);
    }
    while (s->sj_active) {
        struct snapjob *j = s->sj_active;

        snapjob_unlink(s, j);
        snapjob_free(j);
    }
}

static void snap_table(struct g2d_sync *s, struct snapjob *j, json_t *t)
{
    json_t *name = json_object_get(t, "TableName"), *pk;
    struct g2d_snap_entry *e;
    struct g2d_fp fp;
    char *key;

    if (!json_is_string(name) || !g2d_config_table_selected(s->cycle_cfg, json_string_value(name)))
        return;
    key = join2(j->db, ".", json_string_value(name));
    if (!key || g2d_fp_table(t, &fp) < 0 ||
        g2d_snapshot_put(&s->snap, G2D_ITEM_TABLE, key, &fp) < 0 ||
        !(e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, key)) ||
        (!e->meta && !(e->meta = g2d_tmeta_new()))) {
        free(key);
        fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
        return;
    }
    pk = json_object_get(t, "PartitionKeys");
    if (g2d_tmeta_set_keys(e->meta, pk) < 0) {
        free(key);
        fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
        return;
    }
    if (want(s, G2D_OBJ_PARTITIONS) && json_array_size(pk) > 0) {
        if (snapjob_add(s, 2, j->db, json_string_value(name)) < 0)
            fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
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
    key = join2(j->db, ".", json_string_value(name));
    if (!key || g2d_fp_function(f, &fp) < 0 ||
        g2d_snapshot_put(&s->snap, G2D_ITEM_FUNCTION, key, &fp) < 0)
        fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
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
    if (j->filter && g2d_expr_eval(j->filter, j->keys, j->nkeys, vals, NULL) != 1)
        return;
    if (g2d_fp_partition(p, &fp) < 0 || g2d_pset_put(&meta->parts, vals, n, &fp, 0, 0) < 0)
        fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
}

static void snapjob_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    struct snapjob *j = arg;
    static const char *const what[] = {"tables", "functions", "partitions"};
    static const char *const listkey[] = {"Tables", "Functions", "Partitions"};
    struct g2d_snap_entry *e = NULL;
    json_t *list, *o;
    size_t i;

    if (res->err) {
        char msg[700];

        snprintf(msg, sizeof(msg), "listing DLF %s of '%s' failed: %s", what[j->kind],
                 j->key ? j->key : j->db, res->message);
        fail_cycle(s, res->err, "", msg);
        snap_done_job(s, j);
        return;
    }
    if (j->kind == 2) {
        e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, j->key);
        if (!e || !e->meta) {
            snap_done_job(s, j);
            return;
        }
    }
    list = json_object_get(res->json, listkey[j->kind]);
    json_array_foreach(list, i, o)
    {
        if (j->kind == 0)
            snap_table(s, j, o);
        else if (j->kind == 1)
            snap_function(s, j, o);
        else
            snap_partition(s, j, e->meta, o);
    }
    if (take_token(&j->token, json_object_get(res->json, "NextPageToken")) &&
        ++j->pages < MAX_PAGES) {
        snapjob_next(s, j);
        return;
    }
    if (j->kind == 2) {
        e->meta->parts_loaded = true;
        (void)g2d_pset_trim(&e->meta->parts); /* all known now: tight fit */
    }
    snap_done_job(s, j);
}

static void snapjob_next(struct g2d_sync *s, struct snapjob *j)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    struct g2d_kv q[6];
    size_t nq = 0;
    char size[16];
    int r;

    if (j->kind == 2) {
        json_t *body = json_pack("{s:s, s:s, s:i, s:b}", "DatabaseName", j->db, "TableName", j->tbl,
                                 "PageSize", 1000, "IsShareSd", 0);

        if (body && cfg->dlf.catalog_id)
            json_object_set_new(body, "CatalogId", json_string(cfg->dlf.catalog_id));
        if (body && j->token)
            json_object_set_new(body, "NextPageToken", json_string(j->token));
        r = body ? read_dlf(s, "POST", PATH_PARTS "/list", "ListPartitions", NULL, 0, body,
                            snapjob_page, j)
                 : -ENOMEM;
    } else {
        snprintf(size, sizeof(size), "%u", cfg->dlf.http.page_size);
        if (cfg->dlf.catalog_id)
            q[nq++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
        q[nq++] = (struct g2d_kv){"DatabaseName", j->db};
        q[nq++] = (struct g2d_kv){j->kind == 0 ? "TableNamePattern" : "FunctionNamePattern", ".*"};
        q[nq++] = (struct g2d_kv){"PageSize", size};
        if (j->token)
            q[nq++] = (struct g2d_kv){"NextPageToken", j->token};
        r = read_dlf(s, "GET", j->kind == 0 ? PATH_TABLES_LIST : PATH_FN "/list",
                     j->kind == 0 ? "ListTables" : "ListFunctions", q, nq, NULL, snapjob_page, j);
    }
    if (r < 0) {
        fail_cycle(s, r, "", "could not queue a DLF request");
        snap_done_job(s, j);
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
    if (j->kind == 2) {
        struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, j->key);
        const char *expr = g2d_config_partition_filter(s->cycle_cfg, j->db, j->tbl);
        size_t i;

        if (e && e->meta) {
            for (i = 0; i < e->meta->nkeys && i < MAX_KEYS; i++) {
                j->keys[i].name = e->meta->keys[i];
                j->keys[i].type = e->meta->types[i];
            }
            j->nkeys = i;
        }
        if (expr && g2d_expr_parse(expr, &j->filter, NULL) < 0)
            j->filter = NULL; /* validated at config load; unreachable */
    }
    snapjob_next(s, j);
}

static void snap_kick(struct g2d_sync *s)
{
    unsigned limit = s->cycle_cfg->dlf.http.max_concurrency;

    if (limit == 0)
        limit = 16;
    while (!s->cancelling && s->sjobs && s->sjobs_active < limit) {
        struct snapjob *j = s->sjobs;

        s->sjobs = j->next;
        snapjob_start(s, j);
    }
    if (s->cancelling) {
        maybe_advance(s);
        return;
    }
    if (!s->sjobs && s->sjobs_active == 0 && s->phase == G2D_PHASE_SNAPSHOT) {
        s->snap_valid = true;
        s->snap_built_ms = now_ms();
        s->prog.snapshot_items = s->snap.used;
        extract_start(s);
    }
}

static void dlf_dbs_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg);

static void dlf_dbs_next(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    struct g2d_kv q[4];
    size_t nq = 0;
    char size[16];

    snprintf(size, sizeof(size), "%u", cfg->dlf.http.page_size);
    if (cfg->dlf.catalog_id)
        q[nq++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
    q[nq++] = (struct g2d_kv){"NamePattern", ".*"};
    q[nq++] = (struct g2d_kv){"PageSize", size};
    if (s->token)
        q[nq++] = (struct g2d_kv){"NextPageToken", s->token};
    if (read_dlf(s, "GET", PATH_DB "/list", "ListDatabases", q, nq, NULL, dlf_dbs_page, NULL) < 0)
        fail_cycle(s, -ENOMEM, "", "could not queue a DLF request");
}

static void dlf_dbs_page(struct g2d_sync *s, const struct g2d_api_result *res, void *arg)
{
    json_t *list, *db;
    size_t i;

    if (res->err) {
        fail_cycle(s, res->err, "listing DLF databases failed: ", res->message);
        return;
    }
    list = json_object_get(res->json, "Databases");
    json_array_foreach(list, i, db)
    {
        json_t *name = json_object_get(db, "Name");
        struct g2d_fp fp;
        const char *n;

        if (!json_is_string(name))
            continue;
        n = json_string_value(name);
        if (!g2d_config_database_selected(s->cycle_cfg, n))
            continue;
        if (g2d_fp_database(db, &fp) < 0 ||
            g2d_snapshot_put(&s->snap, G2D_ITEM_DATABASE, n, &fp) < 0 ||
            (want(s, G2D_OBJ_TABLES) && snapjob_add(s, 0, n, NULL) < 0) ||
            (want(s, G2D_OBJ_FUNCTIONS) && snapjob_add(s, 1, n, NULL) < 0)) {
            fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
            return;
        }
    }
    if (take_token(&s->token, json_object_get(res->json, "NextPageToken")) &&
        ++s->pages < MAX_PAGES) {
        dlf_dbs_next(s);
        return;
    }
    free(s->token);
    s->token = NULL;
    snap_kick(s);
}

/* ---- public API ---------------------------------------------------------------------- */

static void defer_close_cb(uv_handle_t *h)
{
    free(h);
}

int g2d_sync_new(struct g2d_sync **out, struct g2d_http *http, const struct g2d_config *cfg,
                 g2d_item_cb on_item, void *item_arg, struct g2d_error *err)
{
    struct g2d_sync *s = calloc(1, sizeof(*s));
    int r;

    if (!s)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    s->http = http;
    s->cfg = cfg;
    s->cycle_cfg = cfg;
    s->on_item = on_item;
    s->item_arg = item_arg;
    s->next_id = 1;
    g2d_snapshot_init(&s->snap);
    g2d_snapshot_init(&s->units);
    s->defer = calloc(1, sizeof(*s->defer));
    if (!s->defer) {
        free(s);
        return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    r = uv_timer_init(g2d_http_loop(http), s->defer);
    if (r < 0) {
        free(s->defer);
        free(s);
        return g2d_error_set(err, -ENOMEM, "uv_timer_init: %s", uv_strerror(r));
    }
    s->defer->data = s;
    r = g2d_cloud_new(&s->cloud, http, cfg, err);
    if (r < 0) {
        uv_close((uv_handle_t *)s->defer, defer_close_cb);
        free(s);
        return r;
    }
    *out = s;
    return 0;
}

static bool strv_equal(char **a, size_t na, char **b, size_t nb)
{
    size_t i;

    if (na != nb)
        return false;
    for (i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static bool streq0(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_filters(const struct g2d_config *a, const struct g2d_config *b)
{
    size_t i;

    if (a->npartition_filters != b->npartition_filters)
        return false;
    for (i = 0; i < a->npartition_filters; i++) {
        const struct g2d_partition_filter *x = &a->partition_filters[i];

        if (!streq0(g2d_config_partition_filter(b, x->database, x->table), x->expression))
            return false;
    }
    return true;
}

/* Does the snapshot built under @a still describe the scope of @b? */
static bool same_scope(const struct g2d_config *a, const struct g2d_config *b)
{
    return strv_equal(a->databases, a->ndatabases, b->databases, b->ndatabases) &&
           strv_equal(a->table_prefixes, a->ntable_prefixes, b->table_prefixes,
                      b->ntable_prefixes) &&
           same_filters(a, b) && a->objects == b->objects &&
           streq0(a->dlf.catalog_id, b->dlf.catalog_id) && streq0(a->dlf_url, b->dlf_url);
}

int g2d_sync_set_config(struct g2d_sync *s, const struct g2d_config *cfg, struct g2d_error *err)
{
    int r;

    if (s->running) {
        /* Taken at the start of the next cycle. */
        s->cfg = cfg;
        s->cfg_pending = true;
        return 0;
    }
    r = g2d_cloud_set_config(s->cloud, cfg, err);
    if (r < 0) {
        /* Keep running on the config we had; the caller still owns the rejected one. */
        (void)g2d_cloud_set_config(s->cloud, s->cycle_cfg, NULL);
        return r;
    }
    if (!same_scope(s->cycle_cfg, cfg))
        s->snap_valid = false;
    s->cfg = cfg;
    s->cycle_cfg = cfg;
    s->cfg_pending = false;
    return 0;
}

const struct g2d_config *g2d_sync_config_in_use(const struct g2d_sync *s)
{
    return s->cycle_cfg;
}

int g2d_sync_start(struct g2d_sync *s, unsigned flags, g2d_cycle_cb done, void *arg)
{
    struct g2d_error err = {0};
    int64_t now = now_ms();

    if (s->running)
        return -EBUSY;
    if (s->cfg_pending) {
        if (g2d_cloud_set_config(s->cloud, s->cfg, &err) == 0) {
            if (!same_scope(s->cycle_cfg, s->cfg))
                s->snap_valid = false;
            s->cycle_cfg = s->cfg;
        } else {
            (void)g2d_cloud_set_config(s->cloud, s->cycle_cfg, NULL);
            err.code = 0;
        }
        s->cfg_pending = false;
    }
    compute_transform_seed(s);
    memset(&s->cur, 0, sizeof(s->cur));
    s->cur.cycle_id = s->next_id++;
    s->cur.started_ms = now;
    s->cur.dry_run = (flags & G2D_CYCLE_DRY_RUN) || s->cycle_cfg->dry_run;
    s->flags = flags;
    s->done = done;
    s->done_arg = arg;
    s->running = true;
    s->cancelling = false;
    s->finishing = false;
    s->writes_inflight = 0;
    s->part_batches = 0;
    s->nreads = 0;
    s->njobs = s->page_reads = 0;
    s->parked = s->parked_tail = NULL;
    s->pages = 0;
    s->db_active = s->t_active = 0;
    s->glue_dbs_listed = false;
    s->dbs_seen = s->tables_seen = s->fns_seen = 0;
    memset(s->held_reported, 0, sizeof(s->held_reported));
    s->req_base[0] = g2d_cloud_requests(s->cloud, G2D_SIDE_GLUE);
    s->req_base[1] = g2d_cloud_requests(s->cloud, G2D_SIDE_DLF);
    memset(&s->prog, 0, sizeof(s->prog));
    s->prog.cycle_id = s->cur.cycle_id;
    s->prog.started_ms = now;
    s->prog.snapshot_items = s->snap.used;

    if (g2d_cloud_check_credentials(s->cloud, &err) == 0) {
        bool due = s->cycle_cfg->full_reconcile_ms &&
                   now - s->snap_built_ms >= (int64_t)s->cycle_cfg->full_reconcile_ms;

        if (!s->snap_valid || (flags & G2D_CYCLE_FULL) || due) {
            g2d_snapshot_clear(&s->snap);
            s->snap_valid = false;
            s->phase = G2D_PHASE_SNAPSHOT;
            s->prog.phase = G2D_PHASE_SNAPSHOT;
            dlf_dbs_next(s);
        } else {
            extract_start(s);
        }
        return 0;
    }
    /* Report from the loop, as promised, not from inside this call. */
    s->cur.status = err.code ? err.code : -EINVAL;
    snprintf(s->cur.error, sizeof(s->cur.error), "%s", err.msg);
    finish_later(s);
    return 0;
}

void g2d_sync_cancel(struct g2d_sync *s)
{
    if (!s->running || s->cancelling)
        return;
    s->cancelling = true;
    while (s->reads) {
        struct g2d_http_req *req = s->reads->req;

        g2d_http_cancel(req);
    }
    maybe_advance(s);
}

bool g2d_sync_running(const struct g2d_sync *s)
{
    return s->running;
}

void g2d_sync_progress(const struct g2d_sync *s, struct g2d_progress *out)
{
    *out = s->prog;
    out->snapshot_items = s->snap.used + g2d_snapshot_partitions(&s->snap);
    out->snapshot_bytes = g2d_snapshot_bytes(&s->snap);
    if (!s->running)
        out->cycle_id = s->last.cycle_id;
}

const struct g2d_cycle_stats *g2d_sync_last(const struct g2d_sync *s)
{
    return &s->last;
}

void g2d_sync_http_stats(const struct g2d_sync *s, struct g2d_http_stats *glue,
                         struct g2d_http_stats *dlf)
{
    if (glue)
        g2d_cloud_stats(s->cloud, G2D_SIDE_GLUE, glue);
    if (dlf)
        g2d_cloud_stats(s->cloud, G2D_SIDE_DLF, dlf);
}

const char *g2d_dropped_field_name(unsigned bit)
{
    return g2d_drop_name(bit);
}

void g2d_sync_free(struct g2d_sync *s)
{
    if (!s)
        return;
    wq_clear(&s->wq_hi);
    wq_clear(&s->wq_lo);
    free_units(s);
    snapjobs_free_all(s);
    free(s->token);
    g2d_snapshot_done(&s->snap);
    g2d_snapshot_done(&s->units);
    g2d_cloud_free(s->cloud);
    uv_close((uv_handle_t *)s->defer, defer_close_cb);
    free(s);
}
