/* SPDX-License-Identifier: MIT */
/*
 * The deleted-objects archive, the engine's side (the files: state/archive.c). A delete
 * is sent only after the objects it removes were read from DLF and appended to the
 * archive: one listing read narrowed to the object's name (databases, tables, functions)
 * or to its values (each partition of a batch), matched again by name or values here, so
 * a service that ignores the narrowing still gives the right object. An object DLF no
 * longer lists has nothing to archive, and its delete goes ahead; a read that fails keeps
 * the delete back (reported failed, retried next cycle).
 *
 * `glue2dlfctl restore NAME` (g2d_sync_restore) writes the newest record of NAME back as
 * a create, records it in the snapshot, and rejects its delete in the registry of held
 * deletes: it stays in DLF while it is missing from Glue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state/archive.h"
#include "sync/engine.h"

struct aread {
    struct wop *op;
    size_t item;   /* partition batches: the item read; else 0 */
    unsigned page; /* pages read so far (DLF filters, then pages: the object may be on any) */
};

#define ARCHIVE_READ_PAGES_MAX 10000 /* a token that never ends is not followed forever */

static int read_page(struct wop *op, size_t i, unsigned page, const char *token);

bool archive_wanted(const struct wop *op)
{
    const struct g2d_sync *s = op->s;

    return op->verb == G2D_VERB_DELETE && !op->archived && s->archive_dir &&
           s->cycle_cfg->archive_max_age_ms && !s->cur.dry_run;
}

void archive_free(struct wop *op)
{
    free(op->arch_error);
    json_decref(op->arch_objs);
    op->arch_error = NULL;
    op->arch_objs = NULL;
}

/* The name member of a DLF object of @p type. */
static const char *dlf_name(unsigned type, const json_t *o)
{
    const char *m = type == G2D_ITEM_DATABASE ? "Name"
                    : type == G2D_ITEM_TABLE  ? "TableName"
                                              : "FunctionName";

    return json_string_value(json_object_get(o, m));
}

/* The element of @p list that is the object @p op (item @p i) deletes, or NULL. */
static json_t *match(const struct wop *op, size_t i, json_t *list)
{
    const char *want = op->type == G2D_ITEM_DATABASE ? op->db : op->tbl;
    size_t k;
    json_t *o;

    json_array_foreach(list, k, o)
    {
        if (op->type == G2D_ITEM_PARTITION) {
            if (json_equal(json_object_get(o, "Values"), op->items[i].values))
                return o;
        } else if (want && dlf_name(op->type, o) && strcasecmp(dlf_name(op->type, o), want) == 0) {
            return o;
        }
    }
    return NULL;
}

/* Every read is in: append what was found, then send the delete (or fail it). */
static void archive_finish(struct wop *op)
{
    struct g2d_sync *s = op->s;
    size_t n = json_array_size(op->arch_objs), k;
    struct g2d_archive_rec *recs = calloc(n ? n : 1, sizeof(*recs));
    char **names = calloc(n ? n : 1, sizeof(*names));
    struct g2d_error err = {0};
    char msg[G2D_ERRMSG_MAX + 100];
    struct g2d_snap_entry *e = NULL;
    int r = recs && names ? 0 : -ENOMEM;
    bool failed;

    if (op->type == G2D_ITEM_PARTITION)
        e = g2d_snapshot_get(&s->snap, G2D_ITEM_TABLE, op->key);
    for (k = 0; r == 0 && k < n; k++) {
        json_t *a = json_array_get(op->arch_objs, k);
        size_t i = (size_t)json_integer_value(json_object_get(a, "i"));

        recs[k].time_ms = now_ms();
        recs[k].type = op->type;
        recs[k].object = json_object_get(a, "o");
        if (op->type == G2D_ITEM_PARTITION) {
            names[k] = partition_name(op->key, e && e->meta ? e->meta->keys : NULL,
                                      e && e->meta ? e->meta->nkeys : 0, op->items[i].values);
            recs[k].database = op->db;
            recs[k].table = op->tbl;
            recs[k].values = op->items[i].values;
        } else {
            names[k] = strdup(op->key);
        }
        recs[k].name = names[k];
        if (!names[k])
            r = -ENOMEM;
    }
    if (r == 0 && n)
        r = g2d_archive_append(s->archive_dir, recs, n, &err);
    for (k = 0; names && k < n; k++)
        free(names[k]);
    free(names);
    free(recs);
    if (op->arch_error)
        snprintf(msg, sizeof(msg),
                 "not deleted: it could not be read for the deleted-objects archive first: %s",
                 op->arch_error);
    else if (r < 0)
        snprintf(msg, sizeof(msg), "not deleted: the deleted-objects archive: %s",
                 err.msg[0] ? err.msg : "out of memory");
    failed = op->arch_error || r < 0;
    archive_free(op);
    load_send_archived(op, failed ? msg : NULL);
}

static void read_done(const struct g2d_api_result *res, void *arg)
{
    struct aread *ar = arg;
    struct wop *op = ar->op;
    json_t *o;

    if (res->err && !(res->code && strcmp(res->code, "NoSuchObject") == 0)) {
        if (!op->arch_error)
            op->arch_error = strdup(res->message && res->message[0] ? res->message : "failed");
    } else if (!res->err && (o = match(op, ar->item, res->list))) {
        json_array_append_new(op->arch_objs,
                              json_pack("{s:I, s:O}", "i", (json_int_t)ar->item, "o", o));
    } else if (!res->err && res->next_token && *res->next_token) {
        /* Not on this page: the next one (never delete what was not read when DLF has more). */
        if (ar->page + 1 >= ARCHIVE_READ_PAGES_MAX) {
            if (!op->arch_error)
                op->arch_error = strdup("the listing did not end");
        } else if (read_page(op, ar->item, ar->page + 1, res->next_token) < 0 && !op->arch_error) {
            op->arch_error = strdup("out of memory");
        }
    }
    free(ar);
    if (--op->arch_pending == 0)
        archive_finish(op);
}

/* An ERE matching exactly @p name. */
static char *exact_pattern(const char *name)
{
    size_t n = strlen(name), i, k = 0;
    char *p = malloc(2 * n + 3);

    if (!p)
        return NULL;
    p[k++] = '^';
    for (i = 0; i < n; i++) {
        if (strchr(".[]()*+?{}|^$\\", name[i]))
            p[k++] = '\\';
        p[k++] = name[i];
    }
    p[k++] = '$';
    p[k] = '\0';
    return p;
}

/* One read of the objects (item @p i). @return 0 or -errno (nothing in flight then). */
static int read_one(struct wop *op, size_t i)
{
    return read_page(op, i, 0, NULL);
}

/* Page @p page (token @p token, NULL for the first) of item @p i's read. */
static int read_page(struct wop *op, size_t i, unsigned page, const char *token)
{
    const struct g2d_cloud_ops *ops = op->s->client.ops;
    struct g2d_list_req req = {0};
    struct aread *ar = calloc(1, sizeof(*ar));
    char *pat = NULL;
    int r;

    if (!ar)
        return -ENOMEM;
    ar->op = op;
    ar->item = i;
    ar->page = page;
    req.token = token;
    req.db = op->db;
    req.tbl = op->tbl;
    if (op->type == G2D_ITEM_PARTITION) {
        req.what = G2D_LIST_DLF_PARTITIONS;
        req.values = op->items[i].values;
    } else {
        req.what = op->type == G2D_ITEM_DATABASE ? G2D_LIST_DLF_DATABASES
                   : op->type == G2D_ITEM_TABLE  ? G2D_LIST_DLF_TABLES
                                                 : G2D_LIST_DLF_FUNCTIONS;
        pat = exact_pattern(op->type == G2D_ITEM_DATABASE ? op->db : op->tbl);
        req.pattern = pat;
    }
    op->arch_pending++;
    r = pat || op->type == G2D_ITEM_PARTITION
            ? ops->list(op->s->client.ctx, &req, read_done, ar, NULL)
            : -ENOMEM;
    free(pat);
    if (r < 0) {
        op->arch_pending--;
        free(ar);
    }
    return r;
}

int archive_start(struct wop *op)
{
    size_t n = op->type == G2D_ITEM_PARTITION ? op->nitems : 1, i;

    op->arch_objs = json_array();
    if (!op->arch_objs)
        return -ENOMEM;
    op->arch_pending = 1; /* held while the reads are started */
    for (i = 0; i < n; i++)
        if (read_one(op, i) < 0 && !op->arch_error)
            op->arch_error = strdup("out of memory");
    if (--op->arch_pending == 0)
        archive_finish(op);
    return 0;
}
