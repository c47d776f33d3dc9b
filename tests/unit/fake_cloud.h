/* SPDX-License-Identifier: MIT */
/*
 * A fake cloud client for the sync engine's unit tests: no HTTP, no simulator. Glue is a
 * set of JSON arrays the test fills; DLF is a set of JSON objects that the engine's writes
 * change and its listings read. Answers come back asynchronously, from a uv_idle handle,
 * as the real client's do. Faults: a listing of one kind (optionally for one database)
 * fails or is malformed; chosen partitions' batch items are refused with a code.
 *
 * Included by the tests that use it (static functions only).
 */
#ifndef G2D_TESTS_FAKE_CLOUD_H
#define G2D_TESTS_FAKE_CLOUD_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/expr.h"

#include "cloud/client.h"

struct fake_done {
    struct fake_done *next;
    struct fake_cloud *f;
    g2d_api_cb cb;
    void *arg;
    struct g2d_api_result res;
    json_t *json;              /* owned: the answer */
    struct g2d_buf body;       /* raw answers */
    struct g2d_item_outcome *items; /* owned */
    char msg[256];
    char code[64];
};

struct fake_cloud {
    uv_loop_t *loop;
    uv_idle_t idle;
    struct fake_done *head, *tail;
    /* Glue: test-owned content */
    json_t *glue_dbs;    /* [Database] */
    json_t *glue_tables; /* {db: [Table]} */
    json_t *glue_fns;    /* {db: [UserDefinedFunction]} */
    json_t *glue_parts;  /* {"db.tbl": [Partition]} */
    /* DLF: what the engine wrote */
    json_t *dlf_dbs;    /* {name: DatabaseInput} */
    json_t *dlf_tables; /* {"db.tbl": TableInput} */
    json_t *dlf_fns;    /* {"db.fn": FunctionInput} */
    json_t *dlf_parts;  /* {"db.tbl": {"[values]": PartitionInput}} */
    size_t page_size;
    /* faults */
    int fail_what;             /* a listing kind (enum g2d_listing) that fails, or -1 */
    const char *fail_db;       /* ... only for this database (NULL: all) */
    bool fail_malformed;       /* ... as a malformed answer (-EPROTO), else a service error */
    json_t *item_codes;        /* {"[values]": "Code"}: batch items refused */
    unsigned bad_pages;        /* the next N GetPartitions answers lack their Partitions */
    json_t *obj_codes;         /* {"update db.tbl": "Code"}: object writes refused */
    size_t batch_cap;          /* larger partition batches are refused whole (0: none) */
    unsigned lost_answers;     /* the next N DLF writes are applied, then answered malformed */
    const char *catalog_code;  /* GetCatalog answers this error code (404 for NoSuchObject) */
    const char *catalog_type;  /* ... or a Catalog with this Type member */
    /* counters */
    uint64_t requests[2];
    unsigned dlf_writes, dlf_lists, dlf_part_lists, catalog_gets;
    unsigned key_changes; /* table updates sent with AllowPartitionKeyChange */
};

static void fake_idle_cb(uv_idle_t *h);

static void fake_init(struct fake_cloud *f, uv_loop_t *loop)
{
    memset(f, 0, sizeof(*f));
    f->loop = loop;
    uv_idle_init(loop, &f->idle);
    f->idle.data = f;
    f->glue_dbs = json_array();
    f->glue_tables = json_object();
    f->glue_fns = json_object();
    f->glue_parts = json_object();
    f->dlf_dbs = json_object();
    f->dlf_tables = json_object();
    f->dlf_fns = json_object();
    f->dlf_parts = json_object();
    f->item_codes = json_object();
    f->obj_codes = json_object();
    f->page_size = 2;
    f->fail_what = -1;
}

static void fake_done_free(struct fake_done *d)
{
    json_decref(d->json);
    g2d_buf_done(&d->body);
    free(d->items);
    free(d);
}

static void fake_deliver(struct fake_done *d)
{
    d->cb(&d->res, d->arg);
    fake_done_free(d);
}

static void fake_idle_cb(uv_idle_t *h)
{
    struct fake_cloud *f = h->data;

    uv_idle_stop(h);
    while (f->head) {
        struct fake_done *d = f->head;

        f->head = d->next;
        if (!f->head)
            f->tail = NULL;
        fake_deliver(d);
    }
}

static struct fake_done *fake_new(struct fake_cloud *f, g2d_api_cb cb, void *arg)
{
    struct fake_done *d = calloc(1, sizeof(*d));

    d->f = f;
    d->cb = cb;
    d->arg = arg;
    d->res.code = "";
    d->res.message = "";
    g2d_buf_init(&d->body, 0);
    return d;
}

static void fake_queue(struct fake_cloud *f, struct fake_done *d)
{
    if (f->tail)
        f->tail->next = d;
    else
        f->head = d;
    f->tail = d;
    uv_idle_start(&f->idle, fake_idle_cb);
}

static void fake_fail(struct fake_done *d, int err, const char *code, const char *msg)
{
    d->res.err = err;
    snprintf(d->code, sizeof(d->code), "%s", code);
    snprintf(d->msg, sizeof(d->msg), "%s", msg);
    d->res.code = d->code;
    d->res.message = d->msg;
}

/* Glue's partitions of @p src that @p expression selects (one string key "dt"), into @p out. */
static json_t *fake_glue_filter(json_t *src, const char *expression, json_t *out)
{
    static const struct g2d_expr_key dt = {"dt", "string"};
    struct g2d_expr *x = NULL;
    json_t *p;
    size_t i;

    if (!expression)
        return src;
    if (g2d_expr_parse(expression, &x, NULL) < 0)
        return src;
    json_array_foreach(src, i, p)
    {
        const char *v = json_string_value(json_array_get(json_object_get(p, "Values"), 0));

        if (v && g2d_expr_eval(x, &dt, 1, &v, NULL) == 1)
            json_array_append(out, p);
    }
    g2d_expr_free(x);
    return out;
}

/* The array a listing pages through, or NULL for an empty one. */
static json_t *fake_source(struct fake_cloud *f, const struct g2d_list_req *req, json_t **tmp)
{
    char key[512];
    json_t *o, *v;
    const char *k;

    snprintf(key, sizeof(key), "%s.%s", req->db ? req->db : "", req->tbl ? req->tbl : "");
    *tmp = json_array();
    switch (req->what) {
    case G2D_LIST_GLUE_DATABASES:
        return f->glue_dbs;
    case G2D_LIST_GLUE_TABLES:
        return json_object_get(f->glue_tables, req->db);
    case G2D_LIST_GLUE_FUNCTIONS:
        return json_object_get(f->glue_fns, req->db);
    case G2D_LIST_GLUE_PARTITIONS:
        return fake_glue_filter(json_object_get(f->glue_parts, key), req->expression, *tmp);
    case G2D_LIST_DLF_DATABASES:
        o = f->dlf_dbs;
        break;
    case G2D_LIST_DLF_TABLES:
    case G2D_LIST_DLF_FUNCTIONS:
        o = req->what == G2D_LIST_DLF_TABLES ? f->dlf_tables : f->dlf_fns;
        json_object_foreach(o, k, v)
        {
            if (strncmp(k, req->db, strlen(req->db)) == 0 && k[strlen(req->db)] == '.')
                json_array_append(*tmp, v);
        }
        return *tmp;
    case G2D_LIST_DLF_PARTITIONS:
        o = json_object_get(f->dlf_parts, key);
        break;
    default:
        return NULL;
    }
    json_object_foreach(o, k, v) json_array_append(*tmp, v);
    return *tmp;
}

static int fake_list(void *ctx, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                     struct g2d_http_req **out)
{
    struct fake_cloud *f = ctx;
    struct fake_done *d = fake_new(f, cb, arg);
    size_t from = req->token ? strtoul(req->token, NULL, 10) : 0, i, n;
    json_t *tmp, *src = fake_source(f, req, &tmp), *page = json_array();
    bool glue = req->what < G2D_LIST_DLF_DATABASES;
    char next[32];

    f->requests[glue ? 0 : 1]++;
    if (!glue)
        f->dlf_lists++;
    if (req->what == G2D_LIST_DLF_PARTITIONS)
        f->dlf_part_lists++;
    if (req->what == G2D_LIST_GLUE_PARTITIONS && req->segments > 1) {
        /* Glue's segments are disjoint: element k belongs to segment k % segments */
        json_t *seg = json_array();
        size_t k;

        for (k = req->segment; k < json_array_size(src); k += req->segments)
            json_array_append(seg, json_array_get(src, k));
        json_decref(tmp);
        src = tmp = seg;
    }
    n = json_array_size(src);
    for (i = from; i < n && i < from + f->page_size; i++)
        json_array_append(page, json_array_get(src, i));
    snprintf(next, sizeof(next), "%zu", i);
    d->json = json_pack("{s:o, s:s?}", "List", page, "Next", i < n ? next : NULL);
    json_decref(tmp);
    if ((int)req->what == f->fail_what && (!f->fail_db || (req->db && !strcmp(req->db, f->fail_db)))) {
        if (f->fail_malformed)
            fake_fail(d, -EPROTO, "", "malformed answer: member missing");
        else
            fake_fail(d, -EIO, "InternalError", "injected failure");
    } else if (req->what == G2D_LIST_GLUE_PARTITIONS) {
        json_t *body = json_pack("{s:O, s:s?}", "Partitions", json_object_get(d->json, "List"),
                                 "NextToken", i < n ? next : NULL);
        char *text;

        if (f->bad_pages) {
            f->bad_pages--;
            json_object_del(body, "Partitions");
        }
        text = json_dumps(body, JSON_COMPACT);

        g2d_buf_puts(&d->body, text);
        free(text);
        json_decref(body);
        d->res.body = d->body.data;
        d->res.body_len = d->body.len;
        d->res.body_buf = &d->body;
    } else {
        d->res.json = d->json;
        d->res.list = json_object_get(d->json, "List");
        d->res.next_token = json_string_value(json_object_get(d->json, "Next"));
    }
    if (out)
        *out = (struct g2d_http_req *)d;
    fake_queue(f, d);
    return 0;
}

static json_t *fake_container(struct fake_cloud *f, enum g2d_item_type type)
{
    return type == G2D_ITEM_DATABASE ? f->dlf_dbs
           : type == G2D_ITEM_TABLE  ? f->dlf_tables
                                     : f->dlf_fns;
}

static int fake_write_object(void *ctx, const struct g2d_obj_write *w, g2d_api_cb cb, void *arg)
{
    struct fake_cloud *f = ctx;
    struct fake_done *d = fake_new(f, cb, arg);
    json_t *c = fake_container(f, w->type);
    char key[512];
    bool exists;

    f->requests[1]++;
    f->dlf_writes++;
    f->key_changes += w->allow_key_change;
    if (w->type == G2D_ITEM_DATABASE)
        snprintf(key, sizeof(key), "%s", w->db);
    else
        snprintf(key, sizeof(key), "%s.%s", w->db, w->name);
    exists = json_object_get(c, key) != NULL;
    {
        static const char *const verbs[] = {"create", "update", "delete"};
        char vk[600];
        const char *forced;

        snprintf(vk, sizeof(vk), "%s %s", verbs[w->verb], key);
        forced = json_string_value(json_object_get(f->obj_codes, vk));
        if (forced) {
            fake_fail(d, -EIO, forced, verbs[w->verb][0] == 'u' ? "injected update failure"
                                                                : "refused by the test");
            d->json = json_pack("{s:b}", "Success", 0);
            fake_queue(f, d);
            return 0;
        }
    }
    if (w->verb == G2D_VERB_CREATE && exists) {
        fake_fail(d, -EIO, "AlreadyExists", "already exists");
    } else if (w->verb != G2D_VERB_CREATE && !exists) {
        fake_fail(d, -EIO, "NoSuchObject", "no such object");
    } else if (w->verb == G2D_VERB_DELETE) {
        json_object_del(c, key);
        if (w->type == G2D_ITEM_TABLE)
            json_object_del(f->dlf_parts, key);
    } else {
        json_object_set_new(c, key, json_deep_copy(w->input));
    }
    d->json = json_pack("{s:b}", "Success", 1);
    d->res.json = d->json;
    if (f->lost_answers && !d->res.err) {
        f->lost_answers--;
        fake_fail(d, -EPROTO, "", "invalid JSON in response (the write was applied)");
        d->res.status = 200;
        d->res.json = NULL;
    }
    fake_queue(f, d);
    return 0;
}

static int fake_write_partitions(void *ctx, const struct g2d_part_write *w, g2d_api_cb cb,
                                 void *arg)
{
    struct fake_cloud *f = ctx;
    struct fake_done *d = fake_new(f, cb, arg);
    char key[512];
    json_t *parts;
    size_t i;

    f->requests[1]++;
    f->dlf_writes++;
    snprintf(key, sizeof(key), "%s.%s", w->db, w->tbl);
    if (f->batch_cap && w->nitems > f->batch_cap) {
        snprintf(d->msg, sizeof(d->msg), "Too many entries in PartitionInputs: %zu (the limit is %zu).",
                 w->nitems, f->batch_cap);
        d->res.err = -EIO;
        d->res.code = "InvalidInput";
        d->res.message = d->msg;
        fake_queue(f, d);
        return 0;
    }
    parts = json_object_get(f->dlf_parts, key);
    if (!parts) {
        parts = json_object();
        json_object_set_new(f->dlf_parts, key, parts);
    }
    d->items = calloc(w->nitems ? w->nitems : 1, sizeof(*d->items));
    for (i = 0; i < w->nitems; i++) {
        char *vk = json_dumps(w->items[i].values, JSON_COMPACT);
        const char *forced = json_string_value(json_object_get(f->item_codes, vk));
        bool exists = json_object_get(parts, vk) != NULL;

        if (forced)
            d->items[i] = (struct g2d_item_outcome){forced, "refused by the test"};
        else if (w->verb == G2D_VERB_CREATE && exists)
            d->items[i] = (struct g2d_item_outcome){"AlreadyExists", "already exists"};
        else if (w->verb != G2D_VERB_CREATE && !exists)
            d->items[i] = (struct g2d_item_outcome){"NoSuchObject", "no such partition"};
        else if (w->verb == G2D_VERB_DELETE)
            json_object_del(parts, vk);
        else
            json_object_set_new(parts, vk, json_loads(w->items[i].text, 0, NULL));
        free(vk);
    }
    d->json = json_pack("{s:b}", "Success", 1);
    d->res.json = d->json;
    d->res.items = d->items;
    if (f->lost_answers) {
        f->lost_answers--;
        fake_fail(d, -EPROTO, "", "invalid JSON in response (the batch was applied)");
        d->res.status = 200;
        d->res.json = NULL;
        d->res.items = NULL;
    }
    fake_queue(f, d);
    return 0;
}

static void fake_cancel(void *ctx, struct g2d_http_req *req)
{
    struct fake_cloud *f = ctx;
    struct fake_done *d = (struct fake_done *)req, **pp = &f->head;

    f->tail = NULL;
    while (*pp) {
        if (*pp == d) {
            *pp = d->next;
            continue;
        }
        f->tail = *pp;
        pp = &(*pp)->next;
    }
    fake_fail(d, -ECANCELED, "", "cancelled");
    d->res.list = NULL;
    d->res.body_buf = NULL;
    fake_deliver(d);
}

static uint64_t fake_requests(void *ctx, enum g2d_side side)
{
    return ((struct fake_cloud *)ctx)->requests[side];
}

static int fake_get_catalog(void *ctx, g2d_api_cb cb, void *arg, struct g2d_http_req **out)
{
    struct fake_cloud *f = ctx;
    struct fake_done *d = fake_new(f, cb, arg);

    f->requests[G2D_SIDE_DLF]++;
    f->catalog_gets++;
    d->json = json_pack("{s:{s:s, s:s?}}", "Catalog", "CatalogId", "1234", "Type", f->catalog_type);
    if (f->catalog_code) {
        fake_fail(d, -EIO, f->catalog_code, "Catalog 1234 not found.");
        d->res.status = strcmp(f->catalog_code, "NoSuchObject") ? 500 : 404;
    } else {
        d->res.json = d->json;
    }
    if (out)
        *out = (struct g2d_http_req *)d;
    fake_queue(f, d);
    return 0;
}

static const struct g2d_cloud_ops fake_ops = {
    .get_catalog = fake_get_catalog,
    .list = fake_list,
    .write_object = fake_write_object,
    .write_partitions = fake_write_partitions,
    .cancel = fake_cancel,
    .requests = fake_requests,
};

static void fake_done_all(struct fake_cloud *f)
{
    json_decref(f->glue_dbs);
    json_decref(f->glue_tables);
    json_decref(f->glue_fns);
    json_decref(f->glue_parts);
    json_decref(f->dlf_dbs);
    json_decref(f->dlf_tables);
    json_decref(f->dlf_fns);
    json_decref(f->dlf_parts);
    json_decref(f->item_codes);
    json_decref(f->obj_codes);
    uv_close((uv_handle_t *)&f->idle, NULL);
}

#endif
