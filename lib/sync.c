/* SPDX-License-Identifier: MIT */
/*
 * The sync cycle as a small state machine on the loop:
 *
 *   start ─▶ [SNAPSHOT: page through DLF ListDatabases] ─▶ EXTRACT: page through Glue
 *   GetDatabases, transform + fingerprint + diff each database ─▶ plan deletes (guards) ─▶
 *   LOAD: creates/updates, then deletes, at most `window` in flight ─▶ finish
 *
 * Nothing is written before the Glue listing completed, so a failed or partial listing can
 * never cause a delete. Only a successful write changes the snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue2dlf/sync.h"

#include "cloud.h"
#include "model.h"
#include "snapshot.h"

#define MAX_PAGES 1000000u

struct write_op {
    struct write_op *next;
    struct g2d_sync *s;
    enum g2d_item_type type;
    enum g2d_diff diff; /* as planned (reported) */
    bool as_create;     /* the request being sent: create (after a fallback it may differ) */
    bool fell_back;
    char *name;
    json_t *input; /* DLF *Input for create/update */
    struct g2d_fp fp;
};

struct op_queue {
    struct write_op *head, *tail;
};

struct g2d_sync {
    struct g2d_http *http;
    struct g2d_cloud *cloud;
    const struct g2d_config *cfg;       /* newest */
    const struct g2d_config *cycle_cfg; /* the running cycle's */
    bool cfg_pending;
    g2d_item_cb on_item;
    void *item_arg;

    struct g2d_snapshot snap;
    bool snap_valid;
    int64_t snap_built_ms;

    bool running;
    bool cancelling;
    unsigned flags;
    g2d_cycle_cb done;
    void *done_arg;
    uint64_t next_id;
    struct g2d_cycle_stats cur, last;
    struct g2d_progress prog;
    uint64_t req_base[2];
    uint64_t scope_total; /* snapshot entries in scope at the start of the cycle */

    /* listing */
    char *token;
    unsigned pages;
    struct g2d_http_req *read_req;

    /* writes */
    struct op_queue upserts, deletes;
    unsigned inflight;

    uv_timer_t *defer; /* runs finish() from the loop when a cycle ends synchronously */
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- results ------------------------------------------------------------------------- */

static void report(struct g2d_sync *s, enum g2d_item_type type, const char *name,
                   enum g2d_diff diff, bool success, bool held, const char *error)
{
    struct g2d_item_result r = {0};

    r.cycle_id = s->cur.cycle_id;
    r.time_ms = now_ms();
    r.type = type;
    r.name = name;
    r.database = name;
    r.diff = diff;
    r.success = success;
    r.dry_run = s->cur.dry_run;
    r.held = held;
    r.error = error;
    if (s->on_item)
        s->on_item(&r, s->item_arg);
}

/* ---- ops ----------------------------------------------------------------------------- */

static void op_free(struct write_op *op)
{
    if (!op)
        return;
    json_decref(op->input);
    free(op->name);
    free(op);
}

static void queue_push(struct op_queue *q, struct write_op *op)
{
    op->next = NULL;
    if (q->tail)
        q->tail->next = op;
    else
        q->head = op;
    q->tail = op;
}

static struct write_op *queue_pop(struct op_queue *q)
{
    struct write_op *op = q->head;

    if (op) {
        q->head = op->next;
        if (!q->head)
            q->tail = NULL;
    }
    return op;
}

static void queue_clear(struct op_queue *q)
{
    struct write_op *op;

    while ((op = queue_pop(q)))
        op_free(op);
}

/* ---- cycle end ----------------------------------------------------------------------- */

static void finish(struct g2d_sync *s)
{
    g2d_cycle_cb cb = s->done;
    void *arg = s->done_arg;

    queue_clear(&s->upserts);
    queue_clear(&s->deletes);
    free(s->token);
    s->token = NULL;
    s->cur.finished_ms = now_ms();
    s->cur.cancelled = s->cancelling;
    s->cur.glue_requests = g2d_cloud_requests(s->cloud, G2D_SIDE_GLUE) - s->req_base[0];
    s->cur.dlf_requests = g2d_cloud_requests(s->cloud, G2D_SIDE_DLF) - s->req_base[1];
    s->last = s->cur;
    s->running = false;
    s->cancelling = false;
    s->prog.phase = G2D_PHASE_IDLE;
    s->prog.writes_queued = 0;
    if (cb)
        cb(&s->last, arg);
}

static void defer_cb(uv_timer_t *t);

/* End the cycle as a whole with "<what><detail>" as its error. */
static void fail_cycle(struct g2d_sync *s, int code, const char *what, const char *detail)
{
    s->cur.status = code < 0 ? code : -EIO;
    snprintf(s->cur.error, sizeof(s->cur.error), "%s%s", what, detail);
    uv_timer_start(s->defer, defer_cb, 0, 0);
}

static void defer_cb(uv_timer_t *t)
{
    finish(t->data);
}

/* ---- load ---------------------------------------------------------------------------- */

static void pump(struct g2d_sync *s);
static int op_send(struct write_op *op);

static void op_done(const struct g2d_api_result *res, void *arg)
{
    struct write_op *op = arg;
    struct g2d_sync *s = op->s;
    bool ok = res->err == 0;
    const char *code = res->code ? res->code : "";

    s->inflight--;
    s->cur.dlf_writes++;
    s->prog.writes_done++;
    if (!ok && !op->fell_back && !s->cancelling) {
        /* The snapshot was stale: someone created or removed it in DLF meanwhile. */
        if (op->diff != G2D_DIFF_DLF_NEW &&
            ((op->as_create && strcmp(code, "AlreadyExists") == 0) ||
             (!op->as_create && strcmp(code, "NoSuchObject") == 0))) {
            op->fell_back = true;
            op->as_create = !op->as_create;
            if (op_send(op) == 0) {
                s->inflight++;
                return;
            }
        }
    }
    if (!ok && op->diff == G2D_DIFF_DLF_NEW && strcmp(code, "NoSuchObject") == 0)
        ok = true; /* already gone */
    if (ok) {
        if (op->diff == G2D_DIFF_DLF_NEW) {
            g2d_snapshot_del(&s->snap, op->type, op->name);
            s->cur.deleted++;
        } else {
            /* On -ENOMEM the object is simply written again next cycle. */
            (void)g2d_snapshot_put(&s->snap, op->type, op->name, &op->fp);
            if (op->diff == G2D_DIFF_GLUE_NEW)
                s->cur.created++;
            else
                s->cur.updated++;
        }
        report(s, op->type, op->name, op->diff, true, false, NULL);
    } else {
        s->cur.failed++;
        report(s, op->type, op->name, op->diff, false, false, res->message);
    }
    op_free(op);
    pump(s);
}

static int op_send(struct write_op *op)
{
    struct g2d_sync *s = op->s;
    const struct g2d_config *cfg = s->cycle_cfg;
    const char *path = "/api/metastore/catalogs/databases";
    json_t *body;
    struct g2d_kv q[3];
    size_t nq = 0;

    if (op->diff == G2D_DIFF_DLF_NEW) {
        if (cfg->dlf.catalog_id)
            q[nq++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
        q[nq++] = (struct g2d_kv){"Name", op->name};
        /* Never cascade: a database still holding objects is refused, not emptied. */
        q[nq++] = (struct g2d_kv){"Cascade", "false"};
        return g2d_dlf_call(s->cloud, "DELETE", path, "DeleteDatabase", q, nq, NULL, op_done, op,
                            NULL);
    }
    body = json_object();
    if (!body)
        return -ENOMEM;
    if (cfg->dlf.catalog_id)
        json_object_set_new(body, "CatalogId", json_string(cfg->dlf.catalog_id));
    if (!op->as_create)
        json_object_set_new(body, "Name", json_string(op->name));
    json_object_set(body, "DatabaseInput", op->input);
    return g2d_dlf_call(s->cloud, op->as_create ? "POST" : "PUT", path,
                        op->as_create ? "CreateDatabase" : "UpdateDatabase", NULL, 0, body, op_done,
                        op, NULL);
}

static void pump(struct g2d_sync *s)
{
    unsigned window = s->cycle_cfg->dlf.http.max_concurrency;

    if (window == 0)
        window = 16;
    while (!s->cancelling && s->inflight < window) {
        /* Dependency order: creates and updates first, deletes once they are all done. */
        struct write_op *op = queue_pop(&s->upserts);

        if (!op && s->inflight == 0)
            op = queue_pop(&s->deletes);
        if (!op)
            break;
        s->prog.writes_queued--;
        if (op_send(op) < 0) {
            s->cur.failed++;
            report(s, op->type, op->name, op->diff, false, false,
                   "could not queue the request (out of memory)");
            op_free(op);
            continue;
        }
        s->inflight++;
    }
    if (s->inflight == 0 && (s->cancelling || (!s->upserts.head && !s->deletes.head)))
        finish(s);
}

/* ---- plan ---------------------------------------------------------------------------- */

static int plan_op(struct g2d_sync *s, enum g2d_diff diff, const char *name, json_t *input,
                   const struct g2d_fp *fp)
{
    struct write_op *op;

    if (s->cur.dry_run) {
        report(s, G2D_ITEM_DATABASE, name, diff, true, false, NULL);
        return 0;
    }
    op = calloc(1, sizeof(*op));
    if (!op || !(op->name = strdup(name))) {
        free(op);
        return -ENOMEM;
    }
    op->s = s;
    op->type = G2D_ITEM_DATABASE;
    op->diff = diff;
    op->as_create = diff == G2D_DIFF_GLUE_NEW;
    op->input = json_incref(input);
    if (fp)
        op->fp = *fp;
    queue_push(diff == G2D_DIFF_DLF_NEW ? &s->deletes : &s->upserts, op);
    s->prog.writes_queued++;
    return 0;
}

static void plan_deletes(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    struct g2d_snap_entry *e;
    size_t pos = 0;
    uint64_t n = 0;
    char reason[256] = "";

    while ((e = g2d_snapshot_next(&s->snap, &pos)))
        if (!e->seen && e->type == G2D_ITEM_DATABASE)
            n++;
    if (n == 0 || !cfg->deletes)
        return; /* deletes.enabled=false is policy, not an event: nothing reported */
    if (s->cur.seen == 0)
        snprintf(reason, sizeof(reason),
                 "delete held: Glue listed no databases in scope while DLF holds %llu "
                 "(empty-source guard)",
                 (unsigned long long)s->scope_total);
    else if (cfg->max_deletes && n > cfg->max_deletes)
        snprintf(reason, sizeof(reason), "delete held: %llu deletes exceed deletes.max_count (%u)",
                 (unsigned long long)n, cfg->max_deletes);
    else if (s->scope_total && (double)n > cfg->max_delete_fraction * (double)s->scope_total)
        snprintf(reason, sizeof(reason),
                 "delete held: %llu of %llu databases (%.0f%%) exceed deletes.max_fraction "
                 "(%.0f%%)",
                 (unsigned long long)n, (unsigned long long)s->scope_total,
                 100.0 * (double)n / (double)s->scope_total, 100.0 * cfg->max_delete_fraction);
    pos = 0;
    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        if (e->seen || e->type != G2D_ITEM_DATABASE)
            continue;
        if (!g2d_config_database_selected(cfg, e->key))
            continue; /* defensive: never touch what is out of scope */
        if (reason[0]) {
            s->cur.held++;
            report(s, G2D_ITEM_DATABASE, e->key, G2D_DIFF_DLF_NEW, false, true, reason);
        } else if (plan_op(s, G2D_DIFF_DLF_NEW, e->key, NULL, NULL) < 0) {
            s->cur.failed++;
            report(s, G2D_ITEM_DATABASE, e->key, G2D_DIFF_DLF_NEW, false, false, "out of memory");
        }
    }
}

static void start_load(struct g2d_sync *s)
{
    plan_deletes(s);
    if (s->cur.dry_run) {
        finish(s);
        return;
    }
    s->prog.phase = G2D_PHASE_LOAD;
    pump(s);
}

/* ---- extract (Glue) ------------------------------------------------------------------ */

static void glue_page(const struct g2d_api_result *res, void *arg);

static void glue_next(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    json_t *body = json_object();
    int r;

    if (!body) {
        fail_cycle(s, -ENOMEM, "", "out of memory");
        return;
    }
    if (cfg->glue.catalog_id)
        json_object_set_new(body, "CatalogId", json_string(cfg->glue.catalog_id));
    json_object_set_new(body, "MaxResults", json_integer(cfg->glue.http.page_size));
    if (s->token)
        json_object_set_new(body, "NextToken", json_string(s->token));
    r = g2d_glue_call(s->cloud, "GetDatabases", body, glue_page, s, &s->read_req);
    if (r < 0)
        fail_cycle(s, r, "", "could not queue a Glue request");
}

static void glue_db(struct g2d_sync *s, json_t *db)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    json_t *name = json_object_get(db, "Name"), *input = NULL;
    struct g2d_snap_entry *e;
    struct g2d_fp fp;
    struct g2d_error err = {0};
    const char *n;

    if (!json_is_string(name))
        return;
    n = json_string_value(name);
    if (!g2d_config_database_selected(cfg, n))
        return;
    /* A resource link points into another catalog: DLF has nothing to link to. */
    if (json_is_object(json_object_get(db, "TargetDatabase")))
        return;
    s->cur.seen++;
    s->prog.items_seen++;
    s->prog.databases_total++;
    if (g2d_model_database(cfg, db, &input, &err) < 0 || g2d_fp_database(input, &fp) < 0) {
        s->cur.failed++;
        report(s, G2D_ITEM_DATABASE, n, G2D_DIFF_GLUE_NEW, false, false,
               err.msg[0] ? err.msg : "out of memory");
        json_decref(input);
        return;
    }
    e = g2d_snapshot_get(&s->snap, G2D_ITEM_DATABASE, n);
    if (e && e->seen) {
        json_decref(input);
        return; /* listed twice: already handled */
    }
    if (e)
        e->seen = 1;
    if (e && memcmp(&e->fp, &fp, sizeof(fp)) == 0)
        s->cur.unchanged++;
    else if (plan_op(s, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW, n, input, &fp) < 0) {
        s->cur.failed++;
        report(s, G2D_ITEM_DATABASE, n, e ? G2D_DIFF_NEED_UPDATE : G2D_DIFF_GLUE_NEW, false, false,
               "out of memory");
    }
    s->prog.databases_done++;
    json_decref(input);
}

static bool take_token(struct g2d_sync *s, json_t *tok)
{
    char *copy;

    if (!json_is_string(tok) || json_string_length(tok) == 0)
        return false;
    if (s->token && strcmp(s->token, json_string_value(tok)) == 0)
        return false; /* a service repeating its token would loop forever */
    copy = strdup(json_string_value(tok));
    free(s->token);
    s->token = copy;
    return copy != NULL;
}

static void glue_page(const struct g2d_api_result *res, void *arg)
{
    struct g2d_sync *s = arg;
    json_t *list, *db;
    size_t i;

    s->read_req = NULL;
    if (s->cancelling) {
        uv_timer_start(s->defer, defer_cb, 0, 0);
        return;
    }
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
    json_array_foreach(list, i, db) glue_db(s, db);
    if (take_token(s, json_object_get(res->json, "NextToken")) && ++s->pages < MAX_PAGES) {
        glue_next(s);
        return;
    }
    free(s->token);
    s->token = NULL;
    start_load(s);
}

static void extract_start(struct g2d_sync *s)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    s->prog.phase = G2D_PHASE_EXTRACT;
    g2d_snapshot_unmark(&s->snap);
    s->scope_total = 0;
    while ((e = g2d_snapshot_next(&s->snap, &pos)))
        if (e->type == G2D_ITEM_DATABASE)
            s->scope_total++;
    free(s->token);
    s->token = NULL;
    s->pages = 0;
    glue_next(s);
}

/* ---- snapshot (DLF) ------------------------------------------------------------------ */

static void dlf_page(const struct g2d_api_result *res, void *arg);

static void dlf_next(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    struct g2d_kv q[4];
    size_t nq = 0;
    char size[16];
    int r;

    snprintf(size, sizeof(size), "%u", cfg->dlf.http.page_size);
    if (cfg->dlf.catalog_id)
        q[nq++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
    q[nq++] = (struct g2d_kv){"NamePattern", ".*"};
    q[nq++] = (struct g2d_kv){"PageSize", size};
    if (s->token)
        q[nq++] = (struct g2d_kv){"NextPageToken", s->token};
    r = g2d_dlf_call(s->cloud, "GET", "/api/metastore/catalogs/databases/list", "ListDatabases", q,
                     nq, NULL, dlf_page, s, &s->read_req);
    if (r < 0)
        fail_cycle(s, r, "", "could not queue a DLF request");
}

static void dlf_page(const struct g2d_api_result *res, void *arg)
{
    struct g2d_sync *s = arg;
    json_t *list, *db;
    size_t i;

    s->read_req = NULL;
    if (s->cancelling) {
        g2d_snapshot_clear(&s->snap);
        uv_timer_start(s->defer, defer_cb, 0, 0);
        return;
    }
    if (res->err) {
        g2d_snapshot_clear(&s->snap);
        fail_cycle(s, res->err, "listing DLF databases failed: ", res->message);
        return;
    }
    list = json_object_get(res->json, "Databases");
    if (!json_is_array(list) && !json_is_null(list) && list) {
        g2d_snapshot_clear(&s->snap);
        fail_cycle(s, -EPROTO, "listing DLF databases failed: ", "response has no Databases array");
        return;
    }
    json_array_foreach(list, i, db)
    {
        json_t *name = json_object_get(db, "Name");
        struct g2d_fp fp;

        if (!json_is_string(name) ||
            !g2d_config_database_selected(s->cycle_cfg, json_string_value(name)))
            continue;
        if (g2d_fp_database(db, &fp) < 0 ||
            g2d_snapshot_put(&s->snap, G2D_ITEM_DATABASE, json_string_value(name), &fp) < 0) {
            g2d_snapshot_clear(&s->snap);
            fail_cycle(s, -ENOMEM, "", "out of memory while building the snapshot");
            return;
        }
    }
    if (take_token(s, json_object_get(res->json, "NextPageToken")) && ++s->pages < MAX_PAGES) {
        dlf_next(s);
        return;
    }
    s->snap_valid = true;
    s->snap_built_ms = now_ms();
    s->prog.snapshot_items = s->snap.used;
    extract_start(s);
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

/* Does the snapshot built under @a still describe the scope of @b? */
static bool same_scope(const struct g2d_config *a, const struct g2d_config *b)
{
    return strv_equal(a->databases, a->ndatabases, b->databases, b->ndatabases) &&
           strv_equal(a->table_prefixes, a->ntable_prefixes, b->table_prefixes,
                      b->ntable_prefixes) &&
           a->objects == b->objects && streq0(a->dlf.catalog_id, b->dlf.catalog_id) &&
           streq0(a->dlf_url, b->dlf_url);
}

int g2d_sync_set_config(struct g2d_sync *s, const struct g2d_config *cfg, struct g2d_error *err)
{
    s->cfg = cfg;
    s->cfg_pending = true;
    if (!s->running) {
        int r;

        if (!same_scope(s->cycle_cfg, cfg))
            s->snap_valid = false;
        r = g2d_cloud_set_config(s->cloud, cfg, err);
        if (r < 0)
            return r;
        s->cycle_cfg = cfg;
        s->cfg_pending = false;
    }
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
        if (!same_scope(s->cycle_cfg, s->cfg))
            s->snap_valid = false;
        if (g2d_cloud_set_config(s->cloud, s->cfg, &err) == 0) {
            s->cycle_cfg = s->cfg;
            s->cfg_pending = false;
        }
    }
    memset(&s->cur, 0, sizeof(s->cur));
    s->cur.cycle_id = s->next_id++;
    s->cur.started_ms = now;
    s->cur.dry_run = (flags & G2D_CYCLE_DRY_RUN) || s->cycle_cfg->dry_run;
    s->flags = flags;
    s->done = done;
    s->done_arg = arg;
    s->running = true;
    s->cancelling = false;
    s->inflight = 0;
    s->pages = 0;
    s->req_base[0] = g2d_cloud_requests(s->cloud, G2D_SIDE_GLUE);
    s->req_base[1] = g2d_cloud_requests(s->cloud, G2D_SIDE_DLF);
    memset(&s->prog, 0, sizeof(s->prog));
    s->prog.cycle_id = s->cur.cycle_id;
    s->prog.started_ms = now;
    s->prog.snapshot_items = s->snap.used;

    if (err.code == 0 && g2d_cloud_check_credentials(s->cloud, &err) == 0) {
        bool due = s->cycle_cfg->full_reconcile_ms &&
                   now - s->snap_built_ms >= (int64_t)s->cycle_cfg->full_reconcile_ms;

        if (!s->snap_valid || (flags & G2D_CYCLE_FULL) || due) {
            g2d_snapshot_clear(&s->snap);
            s->snap_valid = false;
            s->prog.phase = G2D_PHASE_SNAPSHOT;
            dlf_next(s);
        } else {
            extract_start(s);
        }
        return 0;
    }
    /* Report from the loop, as promised, not from inside this call. */
    s->cur.status = err.code ? err.code : -EINVAL;
    snprintf(s->cur.error, sizeof(s->cur.error), "%s", err.msg);
    uv_timer_start(s->defer, defer_cb, 0, 0);
    return 0;
}

void g2d_sync_cancel(struct g2d_sync *s)
{
    if (!s->running || s->cancelling)
        return;
    s->cancelling = true;
    if (s->read_req) {
        struct g2d_http_req *r = s->read_req;

        s->read_req = NULL;
        g2d_http_cancel(r); /* its callback defers finish() */
        return;
    }
    if (s->prog.phase == G2D_PHASE_LOAD && s->inflight == 0)
        uv_timer_start(s->defer, defer_cb, 0, 0);
}

bool g2d_sync_running(const struct g2d_sync *s)
{
    return s->running;
}

void g2d_sync_progress(const struct g2d_sync *s, struct g2d_progress *out)
{
    *out = s->prog;
    out->snapshot_items = s->snap.used;
    out->snapshot_bytes = g2d_snapshot_bytes(&s->snap);
    if (!s->running)
        out->cycle_id = s->last.cycle_id;
}

const struct g2d_cycle_stats *g2d_sync_last(const struct g2d_sync *s)
{
    return &s->last;
}

void g2d_sync_free(struct g2d_sync *s)
{
    if (!s)
        return;
    queue_clear(&s->upserts);
    queue_clear(&s->deletes);
    free(s->token);
    g2d_snapshot_done(&s->snap);
    g2d_cloud_free(s->cloud);
    uv_close((uv_handle_t *)s->defer, defer_close_cb);
    free(s);
}
