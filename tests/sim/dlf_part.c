/* SPDX-License-Identifier: MIT */
/*
 * DLF partitions: ListPartitions, ListPartitionNames, ListPartitionsByFilter, GetPartition
 * and the batch writes
 * (BatchCreatePartitions, BatchUpdatePartitions, BatchDeletePartitions; bodies usually
 * prepared without the lock by dlfw.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "glue2dlf/expr.h"

#include "dlf_ops.h"

static int is_share_sd(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    if (!sd_body_bool(in, "IsShareSd"))
        return 0;
    sim_dlf_error(rs, rq, 400, "InvalidInput",
                  "IsShareSd=true is not supported by the simulator; send false.");
    return -1;
}

/* Send Partitions[] from the stored texts, built as text (no re-parsing). */
static void part_page(struct sim_req *rq, struct sim_resp *rs, const struct sim_prec **recs,
                      size_t n, const struct sim_prec *next)
{
    struct g2d_buf b;
    char *tok = next ? sim_token_make_bin("part", next->data, next->keylen) : NULL;
    size_t i;
    int r;

    g2d_buf_init(&b, 0);
    r = g2d_buf_printf(&b,
                       "{\"Success\":true,\"Code\":\"OK\",\"Message\":\"\",\"RequestId\":\"%s\","
                       "\"HttpStatusCode\":200,\"Partitions\":[",
                       rq->request_id);
    for (i = 0; i < n && r == 0; i++) {
        if (i)
            r = g2d_buf_putc(&b, ',');
        if (r == 0)
            r = sim_prec_append(recs[i], &b);
    }
    if (r == 0)
        r = g2d_buf_printf(&b, "],\"PartitionSpecs\":[],\"NextPageToken\":\"%s\"}", tok ? tok : "");
    free(tok);
    if (r < 0) {
        g2d_buf_done(&b);
        sd_nomem(rq, rs);
        return;
    }
    free(rs->body);
    rs->status = 200;
    rs->content_type = DLF_CT;
    rs->body = g2d_buf_steal(&b);
}

/* ListPartitionNames' page: PartitionNames[] of the records, in key order. */
static void names_page(struct sim_req *rq, struct sim_resp *rs, const struct g2d_expr_key *keys,
                       const struct sim_prec **recs, size_t n, const struct sim_prec *next)
{
    char *tok = next ? sim_token_make_bin("part", next->data, next->keylen) : NULL;
    json_t *names = json_array();
    struct g2d_buf b;
    size_t i;
    int r = 0;

    g2d_buf_init(&b, 0);
    for (i = 0; i < n && r == 0; i++) {
        const char *vals[SIM_MAX_KEYS];
        size_t nv = sim_prec_values(recs[i], vals, SIM_MAX_KEYS);

        b.len = 0;
        r = sim_part_name(keys, vals, nv, &b);
        if (r == 0)
            r = json_array_append_new(names, json_stringn(b.data, b.len));
    }
    g2d_buf_done(&b);
    if (r < 0) {
        json_decref(names);
        free(tok);
        sd_nomem(rq, rs);
        return;
    }
    sd_ok(rq, rs, json_pack("{s:o,s:s}", "PartitionNames", names, "NextPageToken", tok ? tok : ""));
    free(tok);
}

enum list_mode { LIST_PARTS, LIST_BY_FILTER, LIST_NAMES };

static void list_parts_common(struct sim_req *rq, json_t *in, struct sim_resp *rs,
                              enum list_mode mode)
{
    int by_filter = mode == LIST_BY_FILTER;
    struct g2d_expr_key keys[SIM_MAX_KEYS];
    const char *partial[SIM_MAX_KEYS];
    struct g2d_expr *e = NULL;
    struct g2d_error gerr;
    struct sim_pscan sc;
    struct sim_item *t;
    const struct sim_prec **recs = NULL, *next = NULL;
    char *start = NULL;
    size_t len;
    long size, n = 0;

    memset(&sc, 0, sizeof(sc));
    memset(&gerr, 0, sizeof(gerr));
    if (!(t = sd_db_table(rq, in, "NoSuchObject", 404, rs)) ||
        sd_page_size(rq, in, &size, rs) < 0 ||
        (mode != LIST_NAMES && is_share_sd(rq, in, rs) < 0) ||
        sd_page_token(rq, in, "part", &start, &len, rs) < 0)
        return;
    sc.nkeys = sim_table_keys(t->obj, keys, SIM_MAX_KEYS);
    sc.keys = keys;
    if (by_filter) {
        const json_t *f = json_object_get(in, "Filter");
        const char *s = json_string_value(f);

        if (f && !json_is_null(f) && !s) {
            sim_dlf_error(rs, rq, 400, "InvalidInput", "Filter must be a string.");
            goto out;
        }
        if (s && strspn(s, " \t\r\n") != strlen(s) &&
            (g2d_expr_parse(s, &e, &gerr) < 0 || g2d_expr_check(e, keys, sc.nkeys, &gerr) < 0)) {
            sim_dlf_error(rs, rq, 400, "InvalidInput", "%s", gerr.msg);
            goto out;
        }
        sc.expr = e;
    } else {
        const json_t *pp = json_object_get(in, "PartialPartValues");

        if (pp && !json_is_null(pp) &&
            sim_values_get(pp, partial, SIM_MAX_KEYS, &sc.npartial) < 0) {
            sim_dlf_error(rs, rq, 400, "InvalidInput", "PartialPartValues must be strings.");
            goto out;
        }
        sc.partial = partial;
    }
    recs = malloc((size_t)size * sizeof(*recs));
    if (!recs) {
        sd_nomem(rq, rs);
        goto out;
    }
    sc.parts = t->parts;
    if (t->parts)
        n = sim_parts_scan(&sc, start, len, (size_t)size, recs, &next, &gerr);
    if (n < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "%s", gerr.msg[0] ? gerr.msg : "bad filter");
        goto out;
    }
    if (mode == LIST_NAMES)
        names_page(rq, rs, keys, recs, (size_t)n, next);
    else
        part_page(rq, rs, recs, (size_t)n, next);
out:
    g2d_expr_free(e);
    free(recs);
    free(start);
}

void sd_list_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_parts_common(rq, in, rs, LIST_PARTS);
}

void sd_list_partition_names(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_parts_common(rq, in, rs, LIST_NAMES);
}

void sd_list_partitions_by_filter(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_parts_common(rq, in, rs, LIST_BY_FILTER);
}

/* Key of a values list (*len set), or NULL when it is not a list of strings. */
static char *values_key(const json_t *vals, size_t *n, size_t *len)
{
    const char *v[SIM_MAX_KEYS];

    if (sim_values_get(vals, v, SIM_MAX_KEYS, n) < 0)
        return NULL;
    return sim_pkey_make(v, *n, len);
}

void sd_get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const struct sim_prec *r = NULL;
    struct sim_item *t;
    size_t n, len;
    char *key;

    if (!(t = sd_db_table(rq, in, "NoSuchObject", 404, rs)))
        return;
    key = values_key(json_object_get(in, "PartitionValues"), &n, &len);
    if (!key) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "PartitionValues must be a list of strings.");
        return;
    }
    if (t->parts)
        r = sim_parts_find(t->parts, key, len);
    free(key);
    if (!r) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Partition not found.");
        return;
    }
    sd_ok(rq, rs, json_pack("{s:o}", "Partition", sim_prec_json(r)));
}

static void item_error(json_t *errs, const json_t *values, const char *code, const char *msg)
{
    json_array_append_new(errs,
                          json_pack("{s:o,s:{s:s,s:s}}", "PartitionValues",
                                    json_is_array(values) ? json_deep_copy(values) : json_array(),
                                    "ErrorDetail", "Code", code, "Message", msg));
}

/* The batch list member @p key: a list of at most --dlf-batch-cap entries. */
static const json_t *batch_list(struct sim_req *rq, const json_t *in, const char *key,
                                struct sim_resp *rs)
{
    const json_t *l = json_object_get(in, key);

    if (!json_is_array(l)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "%s must be a list.", key);
        return NULL;
    }
    if (json_array_size(l) > rq->sim->cfg.dlf_batch_cap) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "Too many entries in %s: %zu (the limit is %u).",
                      key, json_array_size(l), rq->sim->cfg.dlf_batch_cap);
        return NULL;
    }
    return l;
}

/* An injected item_error for this batch item? Fills code/msg. */
static int injected(struct sim_req *rq, const char *key, size_t len, char *code, size_t codelen,
                    char *msg, size_t msglen)
{
    char joined[4096];

    sim_pkey_joined(key, len, joined, sizeof(joined));
    return sim_fault_item(rq->sim, rq->op->name, joined, code, codelen, msg, msglen);
}

/*
 * One element of a batch list, from the prepared body (rq->wb, dlfw.c) or from the whole
 * body's tree. A fast item has its key ready; any other has its parsed element (pi) and,
 * when its Values are a list of strings, a key made here.
 */
struct bitem {
    const struct sim_wpart *wp; /* fast item, or NULL */
    const json_t *pi;
    const json_t *vals; /* pi's Values */
    json_t *fvals;      /* a fast item's Values, made for an error entry */
    const char *key;
    char *own; /* key made here */
    size_t n, len;
};

/* Element @p i of the batch: @return 0, or -1 when its Values are not a list of strings. */
static int bitem_get(struct sim_req *rq, const json_t *list, size_t i, struct bitem *it)
{
    memset(it, 0, sizeof(*it));
    if (rq->wb && rq->wb->items[i].key) {
        it->wp = &rq->wb->items[i];
        it->key = it->wp->key;
        it->len = it->wp->keylen;
        it->n = it->wp->nvalues;
        return 0;
    }
    it->pi = rq->wb ? rq->wb->items[i].json : json_array_get(list, i);
    it->vals = json_object_get(it->pi, "Values");
    it->key = it->own = values_key(it->vals, &it->n, &it->len);
    return it->key ? 0 : -1;
}

static void bitem_done(struct bitem *it)
{
    free(it->own);
    json_decref(it->fvals);
}

static void bitem_error(json_t *errs, struct bitem *it, const char *code, const char *msg)
{
    if (it->wp && !it->fvals)
        it->fvals = sim_wpart_values(it->wp);
    item_error(errs, it->wp ? it->fvals : it->vals, code, msg);
}

/* The number of elements of the batch list @p key, or -1 with the error answered. */
static long batch_count(struct sim_req *rq, const json_t *in, const char *key, const json_t **list,
                        struct sim_resp *rs)
{
    *list = NULL;
    if (rq->wb)
        return (long)rq->wb->n; /* a list within the cap (sim_wbatch_prepare) */
    *list = batch_list(rq, in, key, rs);
    return *list ? (long)json_array_size(*list) : -1;
}

/* Store the text of fast item @p wp (its tail written now). @return sim_parts_put's. */
static int put_fast(struct sim_parts *p, const struct bitem *it, const struct sim_prec *old,
                    int64_t now, char **text)
{
    struct sim_ptext t = it->wp->text;
    char tail[48];

    t.taillen = sim_wpart_tail(it->wp, sim_prec_keep_time(old, now), tail, sizeof(tail));
    t.tail = tail;
    if (text) {
        *text = malloc(t.len + t.taillen + 1);
        if (*text) {
            memcpy(*text, t.text, t.len);
            memcpy(*text + t.len, tail, t.taillen);
            (*text)[t.len + t.taillen] = '\0';
        }
    }
    return sim_parts_put_text(p, it->key, it->len, (unsigned)it->n, 0, &t, 0);
}

/* What a batch write keeps for all its items. */
struct bwrite {
    struct sim_item *t;
    size_t nkeys;
    int64_t now;
    json_t *errs;
    json_t *done; /* NeedResult: the written partitions, else NULL */
};

static void stored(struct sim_req *rq, struct bwrite *w, const char *text)
{
    rq->sim->stats[SIM_DLF].partition_items++;
    if (w->done)
        json_array_append_new(w->done, json_loads(text, 0, NULL));
}

/* Write item @p it (over @p old, or new): the fast text, or built from its parsed input. */
static void store_item(struct sim_req *rq, struct bwrite *w, struct bitem *it,
                       const struct sim_prec *old)
{
    char msg[512], *text = NULL;
    json_t *oldj = NULL;
    int r;

    if (it->wp) {
        r = put_fast(w->t->parts, it, old, w->now, w->done ? &text : NULL);
        if (r < 0 || (w->done && !text))
            bitem_error(w->errs, it, "InternalError", "Out of memory.");
        else
            stored(rq, w, text);
        free(text);
        return;
    }
    if (old)
        oldj = sim_prec_json(old);
    text = sim_dlf_part_text(it->pi, oldj, w->now, w->nkeys, msg, sizeof(msg));
    json_decref(oldj);
    if (!text)
        bitem_error(w->errs, it, "InvalidObject", msg);
    else if (sim_parts_put(w->t->parts, it->key, it->len, (unsigned)it->n, 0, text, strlen(text),
                           0) < 0)
        bitem_error(w->errs, it, "InternalError", "Out of memory.");
    else
        stored(rq, w, text);
    free(text);
}

/* One item of a batch write: checked, then stored or answered in PartitionErrors. */
static void write_item(struct sim_req *rq, struct bwrite *w, struct bitem *it, int create,
                       int if_not_exists)
{
    char code[64], msg[512];
    const struct sim_prec *old = sim_parts_find(w->t->parts, it->key, it->len);

    if (!it->wp && sim_dlf_input_check(it->pi, 1, msg, sizeof(msg)) < 0) {
        bitem_error(w->errs, it, "InvalidParameter", msg); /* fast items passed it */
    } else if (it->n != w->nkeys) {
        snprintf(msg, sizeof(msg),
                 "The number of partition values (%zu) does not match the number of "
                 "partition keys (%zu).",
                 it->n, w->nkeys);
        bitem_error(w->errs, it, "InvalidObject", msg);
    } else if (injected(rq, it->key, it->len, code, sizeof(code), msg, sizeof(msg))) {
        bitem_error(w->errs, it, code, msg);
    } else if (create && old && !if_not_exists) {
        bitem_error(w->errs, it, "AlreadyExists", "Partition already exists.");
    } else if (create && old) {
        /* IfNotExists: left as it is, not an error. */
    } else if (!create && !old) {
        bitem_error(w->errs, it, "NoSuchObject", "Partition not found.");
    } else {
        store_item(rq, w, it, old);
    }
}

/* BatchCreatePartitions (create) and BatchUpdatePartitions (!create). */
static void batch_write(struct sim_req *rq, json_t *in, struct sim_resp *rs, int create)
{
    struct g2d_expr_key keys[SIM_MAX_KEYS];
    const json_t *list;
    struct bwrite w;
    int if_not_exists = sd_body_bool(in, "IfNotExists");
    size_t i;
    long count;

    memset(&w, 0, sizeof(w));
    w.now = (int64_t)time(NULL);
    if (!(w.t = sd_db_table(rq, in, create ? "InvalidObject" : "NoSuchObject", create ? 400 : 404,
                            rs)) ||
        (count = batch_count(rq, in, "PartitionInputs", &list, rs)) < 0)
        return;
    if (!w.t->parts && !(w.t->parts = sim_parts_new())) {
        sd_nomem(rq, rs);
        return;
    }
    w.nkeys = sim_table_keys(w.t->obj, keys, SIM_MAX_KEYS);
    w.errs = json_array();
    if (create && sd_body_bool(in, "NeedResult"))
        w.done = json_array();
    for (i = 0; i < (size_t)count; i++) {
        char msg[512];
        struct bitem it;

        if (bitem_get(rq, list, i, &it) < 0)
            bitem_error(w.errs, &it, "InvalidParameter",
                        sim_dlf_input_check(it.pi, 1, msg, sizeof(msg)) < 0
                            ? msg
                            : "PartitionInput.Values must be a list of strings.");
        else
            write_item(rq, &w, &it, create, if_not_exists);
        bitem_done(&it);
    }
    if (w.done)
        sd_ok(rq, rs, json_pack("{s:o,s:o}", "Partitions", w.done, "PartitionErrors", w.errs));
    else
        sd_ok(rq, rs, json_pack("{s:o}", "PartitionErrors", w.errs));
}

void sd_batch_create_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    batch_write(rq, in, rs, 1);
}

void sd_batch_update_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    batch_write(rq, in, rs, 0);
}

void sd_batch_delete_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list;
    struct sim_item *t;
    int if_exists = sd_body_bool(in, "IfExists");
    json_t *errs;
    size_t i;
    long count;

    if (!(t = sd_db_table(rq, in, "UnknownTable", 404, rs)) ||
        (count = batch_count(rq, in, "PartitionValueList", &list, rs)) < 0)
        return;
    errs = json_array();
    for (i = 0; i < (size_t)count; i++) {
        char code[64], msg[512];
        struct bitem it;

        if (bitem_get(rq, list, i, &it) < 0)
            bitem_error(errs, &it, "InvalidInput", "Values must be a list of strings.");
        else if (injected(rq, it.key, it.len, code, sizeof(code), msg, sizeof(msg)))
            bitem_error(errs, &it, code, msg);
        else if (t->parts && sim_parts_remove(t->parts, it.key, it.len) == 0)
            rq->sim->stats[SIM_DLF].partition_items++;
        else if (!if_exists)
            bitem_error(errs, &it, "UnknownPartition", "Partition not found.");
        bitem_done(&it);
    }
    sd_ok(rq, rs, json_pack("{s:o}", "PartitionErrors", errs));
}
