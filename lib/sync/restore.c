/* SPDX-License-Identifier: MIT */
/*
 * `glue2dlfctl restore NAME`: the newest record of NAME in the deleted-objects archive
 * (state/archive.h) goes back to DLF as a create, through the client's writers, while no
 * cycle runs. Once DLF confirms it, it is in the snapshot (so the next cycle compares it
 * with Glue like any object) and its delete is rejected in the registry of held deletes
 * (so it stays in DLF while it is missing from Glue; once it is back in Glue the rejection
 * is forgotten). A table comes back without its partitions: DLF dropped them with it, and
 * each partition deleted on its own has its own record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/archive.h"
#include "sync/engine.h"

/* What DLF answers but does not take back in an *Input. */
static const char *const output_only[] = {
    "UpdateTime", "TableId", "CatalogId", "ArchivedVersions", "CreatedBy", "UpdatedBy",
};

struct restore {
    struct g2d_sync *s;
    json_t *root; /* the archive record, owned */
    struct g2d_archive_rec rec;
    json_t *input;
    char *text;
    struct g2d_part_ref ref;
    char *key; /* snapshot key */
    g2d_restore_cb cb;
    void *arg;
};

static void restore_free(struct restore *r)
{
    json_decref(r->root);
    json_decref(r->input);
    free(r->text);
    free(r->key);
    free(r);
}

int g2d_sync_set_archive(struct g2d_sync *s, const char *dir)
{
    char *d = dir ? strdup(dir) : NULL;

    if (dir && !d)
        return -ENOMEM;
    free(s->archive_dir);
    s->archive_dir = d;
    return 0;
}

void g2d_sync_archive_prune(struct g2d_sync *s)
{
    const struct g2d_config *c = s->cycle_cfg;

    if (s->archive_dir && c->archive_max_age_ms)
        (void)g2d_archive_prune(s->archive_dir, now_ms(), c->archive_max_age_ms,
                                c->archive_max_bytes);
}

/* DLF confirmed (or refused) the create. */
static void restored(const struct g2d_api_result *res, void *arg)
{
    struct restore *r = arg;
    struct g2d_sync *s = r->s;
    const struct g2d_archive_rec *rec = &r->rec;
    struct g2d_fp fp = {{0}}; /* unknown: the next cycle compares it with Glue */
    struct g2d_held *h;
    int err = res->err;
    const char *msg = res->message;
    char buf[G2D_ERRMSG_MAX];

    s->restoring = false;
    if (!err && rec->type == G2D_ITEM_PARTITION && res->items && res->items[0].code) {
        /* the batch went through, its one item did not */
        snprintf(buf, sizeof(buf), "%s: %s", res->items[0].code,
                 res->items[0].message ? res->items[0].message : "");
        err = -EIO;
        msg = buf;
    }
    if (err == 0) {
        if (rec->type != G2D_ITEM_PARTITION) {
            (void)g2d_snapshot_put(&s->snap, rec->type, r->key, &fp);
        } else {
            struct g2d_snap_entry *e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, r->key);
            const char *vals[MAX_KEYS];
            size_t n = json_array_size(rec->values), i;

            for (i = 0; i < n && i < MAX_KEYS; i++)
                vals[i] = json_string_value(json_array_get(rec->values, i));
            if (e && e->meta)
                (void)g2d_pset_put(&e->meta->parts, vals, n, &fp, 0, 0);
        }
        if ((h = g2d_held_put(&s->held, rec->type, rec->name))) {
            h->state = G2D_HELD_REJECTED;
            h->first_ms = h->last_ms = now_ms();
        }
        if (!s->running)
            sync_checkpoint_now(s); /* else the running cycle's end writes it */
    }
    if (r->cb)
        r->cb(err, err ? msg : NULL, (enum g2d_item_type)rec->type, rec->name, r->arg);
    restore_free(r);
}

/* The *Input to create it from its DLF JSON. */
static int restore_input(struct restore *r)
{
    size_t i;

    r->input = json_deep_copy(r->rec.object);
    if (!r->input)
        return -ENOMEM;
    for (i = 0; i < sizeof(output_only) / sizeof(output_only[0]); i++)
        json_object_del(r->input, output_only[i]);
    if (r->rec.type == G2D_ITEM_PARTITION) {
        r->text = json_dumps(r->input, JSON_COMPACT);
        if (!r->text)
            return -ENOMEM;
        r->ref = (struct g2d_part_ref){r->rec.values, r->text};
        r->key = name_fold(r->rec.database, r->rec.table);
    } else {
        r->key = strdup(r->rec.name);
    }
    return r->key ? 0 : -ENOMEM;
}

/* Send the create. @return 0 or -errno. */
static int restore_send(struct restore *r)
{
    const struct g2d_cloud_ops *ops = r->s->client.ops;
    const struct g2d_archive_rec *rec = &r->rec;
    const char *dot = strchr(rec->name, '.');
    char db[256];

    if (rec->type == G2D_ITEM_PARTITION) {
        struct g2d_part_write w = {G2D_VERB_CREATE, rec->database, rec->table, &r->ref, 1};

        return ops->write_partitions(r->s->client.ctx, &w, restored, r);
    }
    snprintf(db, sizeof(db), "%.*s", dot ? (int)(dot - rec->name) : (int)strlen(rec->name),
             rec->name);
    {
        struct g2d_obj_write w = {rec->type, G2D_VERB_CREATE, db, dot ? dot + 1 : NULL, r->input};

        return ops->write_object(r->s->client.ctx, &w, restored, r);
    }
}

int g2d_sync_restore(struct g2d_sync *s, int type, const char *name, g2d_restore_cb cb, void *arg,
                     struct g2d_error *err)
{
    struct restore *r;
    int rc;

    if (!s->archive_dir)
        return g2d_error_set(err, -ENOENT,
                             "there is no deleted-objects archive (no state "
                             "directory, or deletes.archive_max_age: 0)");
    if (s->running || s->restoring)
        return g2d_error_set(err, -EBUSY, "a cycle (or a restore) is running: try again");
    if (!(r = calloc(1, sizeof(*r))))
        return g2d_error_set(err, -ENOMEM, "out of memory");
    r->s = s;
    r->cb = cb;
    r->arg = arg;
    rc = g2d_archive_find(s->archive_dir, type, name, &r->root, &r->rec, err);
    if (rc == 0 && (rc = restore_input(r)) < 0)
        g2d_error_set(err, rc, "out of memory");
    if (rc == 0 && (rc = restore_send(r)) < 0)
        g2d_error_set(err, rc, "cannot send the create: %s", strerror(-rc));
    if (rc < 0) {
        restore_free(r);
        return rc;
    }
    s->restoring = true;
    return 0;
}
