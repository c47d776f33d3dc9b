/* SPDX-License-Identifier: MIT */
/*
 * The cycle and its phases, and the engine's public API.
 *
 *   SNAPSHOT  (first cycle, full reconcile, scope change): rebuild.c lists DLF into the
 *             snapshot.
 *   EXTRACT   extract.c lists Glue and diff.c compares; writes go out as they are planned.
 *   LOAD      once every listing is done and the writes have drained: the deletes, in
 *             reverse dependency order (diff_deletes), then the end of the cycle.
 *
 * Everything that completes pokes the cycle (sync_poke); the step then runs once per loop
 * turn, from a uv_idle handle — the same pattern the HTTP engine uses for its kick — and
 * looks at everything again. Only successful writes change the snapshot; a failed item is
 * reported and retried next cycle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "state/checkpoint.h"
#include "sync/engine.h"

bool sync_want(const struct g2d_sync *s, unsigned obj)
{
    return (s->cycle_cfg->objects & obj) != 0;
}

void sync_note(struct g2d_sync *s, const char *text)
{
    size_t n = strlen(s->cur.notes);

    snprintf(s->cur.notes + n, sizeof(s->cur.notes) - n, "%s%s", n ? "; " : "", text);
}

static void checkpoint_write(struct g2d_sync *s);

static void finish(struct g2d_sync *s)
{
    g2d_cycle_cb cb = s->done;
    void *arg = s->done_arg;
    const struct g2d_cloud_ops *ops = s->client.ops;
    char note[1024];

    if (ops->take_note && ops->take_note(s->client.ctx, note, sizeof(note)))
        sync_note(s, note);
    load_clear(s);
    extract_free_units(s);
    rebuild_free(s);
    held_cycle_end(s);
    checkpoint_write(s);
    if (!s->cur.dry_run)
        g2d_sync_archive_prune(s);
    s->cur.finished_ms = now_ms();
    s->cur.cancelled = s->cancelling;
    s->cur.glue_requests = ops->requests(s->client.ctx, G2D_SIDE_GLUE) - s->req_base[0];
    s->cur.dlf_requests = ops->requests(s->client.ctx, G2D_SIDE_DLF) - s->req_base[1];
    if (s->cancelling && s->phase == G2D_PHASE_SNAPSHOT) {
        g2d_snapshot_clear(&s->snap);
        s->snap_valid = false;
    }
    s->last = s->cur;
    s->running = false;
    s->cancelling = false;
    s->phase = G2D_PHASE_IDLE;
    s->prog.phase = G2D_PHASE_IDLE;
    s->prog.writes_queued = 0;
    if (cb)
        cb(&s->last, arg);
}

/* Move to the next phase, or to the next delete stage, once nothing is in flight. */
static void advance(struct g2d_sync *s)
{
    if (s->nreads || s->writes_inflight || s->njobs)
        return;
    if (s->cancelling) {
        finish(s);
        return;
    }
    if (s->phase == G2D_PHASE_EXTRACT) {
        if (!extract_idle(s) || !load_idle(s))
            return;
        s->phase = G2D_PHASE_LOAD;
        s->prog.phase = G2D_PHASE_LOAD;
        s->del_stage = 0;
    }
    if (s->phase != G2D_PHASE_LOAD)
        return;
    while (load_idle(s)) {
        if (s->del_stage == 3) {
            finish(s);
            return;
        }
        diff_deletes(s, s->del_stage++);
    }
    load_pump(s);
}

static void step(struct g2d_sync *s)
{
    if (!s->running)
        return;
    if (s->phase == G2D_PHASE_SNAPSHOT && !s->cancelling && rebuild_step(s))
        extract_start(s);
    if (s->phase == G2D_PHASE_EXTRACT)
        extract_step(s);
    load_pump(s);
    if (s->ckpt_interval && s->phase >= G2D_PHASE_EXTRACT && !s->cancelling &&
        now_ms() - s->ckpt_written_ms >= 1000 * (int64_t)s->ckpt_interval)
        checkpoint_write(s); /* a long cycle: what DLF confirmed so far */
    advance(s);
}

static void look_cb(uv_idle_t *h)
{
    struct g2d_sync *s = h->data;

    uv_idle_stop(h);
    step(s);
}

void sync_poke(struct g2d_sync *s)
{
    if (!uv_is_active((uv_handle_t *)s->look))
        uv_idle_start(s->look, look_cb);
}

void sync_fail(struct g2d_sync *s, int code, const char *what, const char *detail)
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
    listing_cancel_all(s);
    sync_poke(s);
}

/* ---- public API ---------------------------------------------------------------------- */

static void look_closed(uv_handle_t *h)
{
    free(h);
}

int g2d_sync_new_client(struct g2d_sync **out, uv_loop_t *loop,
                        const struct g2d_cloud_client *client, const struct g2d_config *cfg,
                        g2d_item_cb on_item, void *item_arg, struct g2d_error *err)
{
    struct g2d_sync *s = calloc(1, sizeof(*s));
    int r;

    if (!s)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    s->loop = loop;
    s->client = *client;
    s->cfg = cfg;
    s->cycle_cfg = cfg;
    s->on_item = on_item;
    s->item_arg = item_arg;
    s->next_id = 1;
    s->part_limit = DLF_MAX_PARTITIONS_PER_TABLE;
    s->limit_reported = json_object();
    s->dlf_outside = json_object();
    s->empty_warned = json_object();
    g2d_snapshot_init(&s->snap);
    g2d_snapshot_init(&s->units);
    g2d_heldset_init(&s->held);
    s->look = calloc(1, sizeof(*s->look));
    if (!s->look) {
        free(s);
        return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    r = uv_idle_init(loop, s->look);
    if (r < 0) {
        free(s->look);
        free(s);
        return g2d_error_set(err, -ENOMEM, "uv_idle_init: %s", uv_strerror(r));
    }
    s->look->data = s;
    *out = s;
    return 0;
}

int g2d_sync_new(struct g2d_sync **out, struct g2d_http *http, const struct g2d_config *cfg,
                 g2d_item_cb on_item, void *item_arg, struct g2d_error *err)
{
    struct g2d_cloud *cloud;
    struct g2d_cloud_client client;
    int r = g2d_cloud_new(&cloud, http, cfg, err);

    if (r < 0)
        return r;
    client = g2d_cloud_client(cloud);
    r = g2d_sync_new_client(out, g2d_http_loop(http), &client, cfg, on_item, item_arg, err);
    if (r < 0) {
        g2d_cloud_free(cloud);
        return r;
    }
    (*out)->cloud = cloud;
    return 0;
}

/*
 * The scope a snapshot describes: the keys the config key table flags G2D_KEY_REBUILD
 * (which objects, databases, tables and partitions are synced; which DLF catalog at which
 * endpoint). A change of any of them, or a checkpoint of another scope, rebuilds it.
 */
static bool same_scope(const struct g2d_config *a, const struct g2d_config *b)
{
    return g2d_config_changes(a, b, G2D_KEY_REBUILD, NULL, 0) == 0;
}

static uint64_t scope_hash(const struct g2d_config *c)
{
    return g2d_config_hash(c, G2D_KEY_REBUILD);
}

/* ---- the checkpoint ---------------------------------------------------------------- */

static void checkpoint_write(struct g2d_sync *s)
{
    struct g2d_ckpt_meta m = {scope_hash(s->cycle_cfg), s->snap_built_ms, now_ms()};
    struct g2d_error err = {0};
    char note[G2D_ERRMSG_MAX + 80];

    if (!s->ckpt_path || !s->snap_valid || s->cur.dry_run)
        return;
    s->ckpt_written_ms = m.written_ms;
    if (g2d_checkpoint_write(&s->snap, &s->held, &m, s->ckpt_path, &err) < 0) {
        snprintf(note, sizeof(note), "checkpoint not written: %s", err.msg);
        sync_note(s, note);
    }
}

void sync_checkpoint_now(struct g2d_sync *s)
{
    bool dry = s->cur.dry_run;

    s->cur.dry_run = false; /* the last cycle may have been a plan */
    checkpoint_write(s);
    s->cur.dry_run = dry;
}

/* At the first cycle: the snapshot from the checkpoint, when it is for this scope and
 * fresh enough; it is then verified against DLF's objects (not their partitions). */
static bool checkpoint_load(struct g2d_sync *s, int64_t now)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    struct g2d_ckpt_meta m = {0};
    struct g2d_error err = {0};
    char note[G2D_ERRMSG_MAX + 80];
    int r;

    if (!s->ckpt_path || s->ckpt_tried)
        return false;
    s->ckpt_tried = true;
    g2d_snapshot_clear(&s->snap);
    g2d_heldset_clear(&s->held);
    /* The held deletes are kept even when the snapshot is not believed: the next cycle
     * that completes drops those no longer missing from Glue. */
    r = g2d_checkpoint_load(&s->snap, &s->held, &m, s->ckpt_path, &err);
    if (r == -ENOENT)
        return false;
    if (r == 0 && m.scope != scope_hash(cfg))
        snprintf(err.msg, sizeof(err.msg), "it was written for another scope");
    else if (r == 0 && cfg->full_reconcile_ms &&
             now - m.built_ms >= (int64_t)cfg->full_reconcile_ms)
        snprintf(err.msg, sizeof(err.msg), "it is older than sync.full_reconcile");
    else if (r == 0)
        err.msg[0] = '\0';
    if (r < 0 || err.msg[0]) {
        g2d_snapshot_clear(&s->snap);
        snprintf(note, sizeof(note), "checkpoint not used (%s): the snapshot is rebuilt from DLF",
                 err.msg);
        sync_note(s, note);
        return false;
    }
    s->snap_built_ms = m.built_ms;
    s->snap_valid = true;
    return true;
}

int g2d_sync_set_checkpoint(struct g2d_sync *s, const char *path, unsigned interval_s)
{
    char *p = path ? strdup(path) : NULL;

    if (path && !p)
        return -ENOMEM;
    free(s->ckpt_path);
    s->ckpt_path = p;
    s->ckpt_interval = interval_s;
    return 0;
}

/* Take @p cfg now; on failure keep running on the config we had. */
static int take_config(struct g2d_sync *s, const struct g2d_config *cfg, struct g2d_error *err)
{
    int r = s->cloud ? g2d_cloud_set_config(s->cloud, cfg, err) : 0;

    if (r < 0) {
        (void)g2d_cloud_set_config(s->cloud, s->cycle_cfg, NULL);
        return r;
    }
    if (!same_scope(s->cycle_cfg, cfg))
        s->snap_valid = false;
    s->cycle_cfg = cfg;
    return 0;
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
    r = take_config(s, cfg, err);
    if (r < 0)
        return r; /* the caller still owns the rejected one */
    s->cfg = cfg;
    s->cfg_pending = false;
    return 0;
}

struct g2d_creds *g2d_sync_creds(const struct g2d_sync *s, int side)
{
    return s->cloud ? g2d_cloud_creds(s->cloud, side ? G2D_SIDE_DLF : G2D_SIDE_GLUE) : NULL;
}

const struct g2d_config *g2d_sync_config_in_use(const struct g2d_sync *s)
{
    return s->cycle_cfg;
}

static void cycle_reset(struct g2d_sync *s, unsigned flags, int64_t now)
{
    const struct g2d_cloud_ops *ops = s->client.ops;

    memset(&s->cur, 0, sizeof(s->cur));
    s->cur.cycle_id = s->next_id++;
    s->cur.started_ms = now;
    s->cur.dry_run = (flags & G2D_CYCLE_DRY_RUN) || s->cycle_cfg->dry_run;
    s->running = true;
    s->cancelling = false;
    s->writes_inflight = 0;
    s->part_batches = 0;
    s->nreads = 0;
    s->njobs = s->page_reads = 0;
    s->db_active = s->t_active = 0;
    s->dbs_seen = s->tables_seen = s->fns_seen = 0;
    memset(s->held_reported, 0, sizeof(s->held_reported));
    s->del_stage = 0;
    s->held_full_noted = 0;
    held_cycle_start(s);
    s->req_base[0] = ops->requests(s->client.ctx, G2D_SIDE_GLUE);
    s->req_base[1] = ops->requests(s->client.ctx, G2D_SIDE_DLF);
    memset(&s->prog, 0, sizeof(s->prog));
    s->prog.cycle_id = s->cur.cycle_id;
    s->prog.started_ms = now;
    s->prog.snapshot_items = s->snap.used;
}

int g2d_sync_start(struct g2d_sync *s, unsigned flags, g2d_cycle_cb done, void *arg)
{
    struct g2d_error err = {0};
    int64_t now = now_ms();
    bool due;

    if (s->running)
        return -EBUSY;
    if (s->cfg_pending) {
        (void)take_config(s, s->cfg, NULL);
        s->cfg_pending = false;
    }
    pages_seed(s);
    cycle_reset(s, flags, now);
    s->done = done;
    s->done_arg = arg;
    if (s->cloud && g2d_cloud_check_credentials(s->cloud, &err) < 0) {
        /* Report from the loop, as promised, not from inside this call. */
        s->cur.status = err.code ? err.code : -EINVAL;
        snprintf(s->cur.error, sizeof(s->cur.error), "%s", err.msg);
        s->cancelling = true;
        sync_poke(s);
        return 0;
    }
    if (!s->snap_valid && !(flags & G2D_CYCLE_FULL) && checkpoint_load(s, now)) {
        s->ckpt_written_ms = now;
        rebuild_start(s, true); /* verify it against DLF's objects */
        return 0;
    }
    s->ckpt_tried = true;
    due = s->cycle_cfg->full_reconcile_ms &&
          now - s->snap_built_ms >= (int64_t)s->cycle_cfg->full_reconcile_ms;
    if (!s->snap_valid || (flags & G2D_CYCLE_FULL) || due)
        rebuild_start(s, false);
    else
        extract_start(s);
    s->ckpt_written_ms = now;
    return 0;
}

void g2d_sync_cancel(struct g2d_sync *s)
{
    if (!s->running || s->cancelling)
        return;
    s->cancelling = true;
    listing_cancel_all(s);
    sync_poke(s);
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

void g2d_sync_db_counts(struct g2d_sync *s, g2d_db_count_fn fn, void *arg)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    while ((e = g2d_snapshot_next(&s->snap, &pos))) {
        size_t n = strcspn(e->key, ".");

        fn(arg, e->key, n, (enum g2d_item_type)e->type, 1);
        if (e->type == G2D_ITEM_TABLE && e->meta && e->meta->parts.used)
            fn(arg, e->key, n, G2D_ITEM_PARTITION, e->meta->parts.used);
    }
}

const struct g2d_cycle_stats *g2d_sync_last(const struct g2d_sync *s)
{
    return &s->last;
}

void g2d_sync_http_stats(const struct g2d_sync *s, struct g2d_http_stats *glue,
                         struct g2d_http_stats *dlf)
{
    if (glue)
        memset(glue, 0, sizeof(*glue));
    if (dlf)
        memset(dlf, 0, sizeof(*dlf));
    if (!s->cloud)
        return;
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
    load_clear(s);
    extract_free_units(s);
    rebuild_free(s);
    g2d_snapshot_done(&s->snap);
    g2d_snapshot_done(&s->units);
    g2d_heldset_done(&s->held);
    g2d_cloud_free(s->cloud);
    free(s->ckpt_path);
    free(s->archive_dir);
    json_decref(s->limit_reported);
    json_decref(s->dlf_outside);
    json_decref(s->empty_warned);
    uv_close((uv_handle_t *)s->look, look_closed);
    free(s);
}
