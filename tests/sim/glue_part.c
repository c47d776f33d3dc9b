/* SPDX-License-Identifier: MIT */
/*
 * Glue partitions: GetPartitions (pages rendered after sim->mu is released), GetPartition,
 * BatchCreatePartition.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue2dlf/expr.h"

#include "glue_ops.h"

/*
 * Parse and check an Expression against the table's keys. @return 0 (*e NULL when there is
 * none) or -1 with the error set.
 */
static int parse_expr(struct sim_req *rq, const json_t *ex, const json_t *table,
                      struct g2d_expr **e, struct g2d_expr_key *keys, size_t *nkeys,
                      struct sim_resp *rs)
{
    struct g2d_error gerr;
    const char *s;

    *e = NULL;
    *nkeys = sim_table_keys(table, keys, SIM_MAX_KEYS);
    if (!ex || json_is_null(ex))
        return 0;
    if (!json_is_string(ex)) {
        sg_invalid(rq, rs, "Expression must be a string");
        return -1;
    }
    s = json_string_value(ex);
    if (strspn(s, " \t\r\n") == strlen(s))
        return 0;
    memset(&gerr, 0, sizeof(gerr));
    if (g2d_expr_parse(s, e, &gerr) < 0 || g2d_expr_check(*e, keys, *nkeys, &gerr) < 0) {
        g2d_expr_free(*e);
        *e = NULL;
        sg_invalid(rq, rs, gerr.msg[0] ? gerr.msg : "Invalid expression");
        return -1;
    }
    return 0;
}

/*
 * A GetPartitions page copied under sim->mu and rendered after it is released: per
 * partition a tag byte ('g' generated, 't' stored text), the variant, a 32-bit length and
 * the key or the text.
 */
struct page_job {
    struct sim_gtpl *tpl;
    const char *catalog_id;
    int exclude_cols;
    struct g2d_buf recs;
    size_t n;
    char *token; /* NextToken or NULL */
};

static void page_job_free(struct page_job *j)
{
    if (!j)
        return;
    sim_gtpl_put(j->tpl);
    g2d_buf_done(&j->recs);
    free(j->token);
    free(j);
}

static int page_job_add(struct page_job *j, const struct sim_prec *r)
{
    char hdr[6];
    uint32_t len;
    size_t at = j->recs.len;

    hdr[0] = r->textlen ? 't' : 'g';
    hdr[1] = (char)r->variant;
    len = r->textlen ? r->textlen : r->keylen;
    memcpy(hdr + 2, &len, 4);
    if (g2d_buf_append(&j->recs, hdr, sizeof(hdr)) < 0 ||
        (r->textlen ? sim_prec_append(r, &j->recs) : g2d_buf_append(&j->recs, r->data, r->keylen)) <
            0) {
        j->recs.len = at;
        return -ENOMEM;
    }
    j->n++;
    return 0;
}

/* One stored-text partition as today: parsed, Columns dropped on request, dumped. */
static int stored_part(const char *text, size_t len, int exclude_cols, struct g2d_buf *b)
{
    json_t *p = json_loadb(text, len, 0, NULL);
    char *s;
    int e;

    if (!p)
        return -ENOMEM;
    if (exclude_cols)
        json_object_del(json_object_get(p, "StorageDescriptor"), "Columns");
    s = sim_dump_java(p);
    json_decref(p);
    if (!s)
        return -ENOMEM;
    e = g2d_buf_puts(b, s);
    free(s);
    return e;
}

static void page_job_finish(struct sim_resp *rs, void *arg)
{
    struct page_job *j = arg;
    struct g2d_buf b;
    const char *p = j->recs.data;
    size_t i;
    int e;

    g2d_buf_init(&b, 0);
    e = g2d_buf_puts(&b, "{\"Partitions\":[");
    for (i = 0; i < j->n && e == 0; i++) {
        uint32_t len;

        memcpy(&len, p + 2, 4);
        if (i)
            e = g2d_buf_putc(&b, ',');
        if (e == 0 && p[0] == 't')
            e = stored_part(p + 6, len, j->exclude_cols, &b);
        else if (e == 0)
            e = sim_gtpl_render(j->tpl, p + 6, len, (unsigned char)p[1], j->catalog_id,
                                j->exclude_cols, &b);
        p += 6 + len;
    }
    if (e == 0 && j->token)
        e = g2d_buf_printf(&b, "],\"NextToken\":\"%s\"}", j->token);
    else if (e == 0)
        e = g2d_buf_puts(&b, "]}");
    page_job_free(j);
    if (e < 0) {
        g2d_buf_done(&b);
        sim_resp_json(rs, 500,
                      json_pack("{s:s,s:s}", "__type", "InternalServiceException", "Message",
                                "Out of memory"),
                      1, GLUE_CT);
        return;
    }
    free(rs->body);
    rs->status = 200;
    rs->content_type = GLUE_CT;
    rs->body = g2d_buf_steal(&b);
}

/* Segment {SegmentNumber, TotalSegments} into @p sc. @return 0 or -1 with the error set. */
static int segment(struct sim_req *rq, const json_t *in, struct sim_pscan *sc, struct sim_resp *rs)
{
    const json_t *seg = json_object_get(in, "Segment");
    const json_t *sn, *ts;

    if (!seg || json_is_null(seg))
        return 0;
    sn = json_object_get(seg, "SegmentNumber");
    ts = json_object_get(seg, "TotalSegments");
    if (!json_is_integer(sn) || !json_is_integer(ts) || json_integer_value(ts) < 1 ||
        json_integer_value(ts) > 10 || json_integer_value(sn) < 0 ||
        json_integer_value(sn) >= json_integer_value(ts)) {
        sg_invalid(rq, rs,
                   "Segment needs SegmentNumber >= 0 and TotalSegments 1..10 with "
                   "SegmentNumber < TotalSegments");
        return -1;
    }
    sc->seg = (unsigned)json_integer_value(sn);
    sc->nseg = (unsigned)json_integer_value(ts);
    return 0;
}

/* A scanned page: @p n records and the record after them (or NULL), token kind. */
struct page {
    const struct sim_prec **recs;
    size_t n;
    const struct sim_prec *next;
    const char *kind;
    int exclude_cols;
};

/*
 * Copy the page (keys and variants, stored texts) and the table's template; the rendering,
 * most of the cost, runs after sim->mu is released (page_job_finish). @return 1 if the
 * answer is left to rs->finish, 0 if the table cannot take that path (or no memory).
 */
static int page_defer(struct sim_req *rq, struct sim_item *t, const struct page *pg,
                      struct sim_resp *rs)
{
    struct page_job *job = calloc(1, sizeof(*job));
    size_t i;

    if (job) {
        g2d_buf_init(&job->recs, 0);
        job->tpl = sim_gtpl_get(t);
        job->catalog_id = rq->sim->glue_catalog;
        job->exclude_cols = pg->exclude_cols;
    }
    if (job && job->tpl && sim_gtpl_ok(job->tpl)) {
        for (i = 0; i < pg->n; i++)
            if (page_job_add(job, pg->recs[i]) < 0)
                break;
        if (pg->next)
            job->token = sim_token_make_bin(pg->kind, pg->next->data, pg->next->keylen);
        if (i == pg->n && (!pg->next || job->token)) {
            rs->finish = page_job_finish;
            rs->finish_arg = job;
            return 1;
        }
    }
    page_job_free(job);
    return 0;
}

/* A table the template cannot render (or no memory for the copy): build it with jansson. */
static void page_jansson(struct sim_req *rq, const struct sim_item *t, const struct page *pg,
                         struct sim_resp *rs)
{
    json_t *list = json_array(), *out;
    size_t i;

    for (i = 0; i < pg->n; i++) {
        json_t *p =
            sim_glue_part_json(t->obj, pg->recs[i], rq->sim->glue_catalog, pg->exclude_cols);

        if (!p || json_array_append_new(list, p) < 0) {
            json_decref(list);
            sg_internal(rq, rs);
            return;
        }
    }
    out = json_pack("{s:o}", "Partitions", list);
    if (pg->next)
        sg_set_token(out, pg->kind, pg->next->data, pg->next->keylen);
    sg_ok(rs, out);
}

void sg_get_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *xc = json_object_get(in, "ExcludeColumnSchema");
    struct g2d_expr_key keys[SIM_MAX_KEYS];
    struct sim_pscan sc;
    struct g2d_expr *e = NULL;
    struct g2d_error gerr;
    struct sim_item *t;
    struct page pg;
    char kind[32], *start = NULL;
    size_t len;
    json_int_t max;
    long n;

    memset(&sc, 0, sizeof(sc));
    memset(&pg, 0, sizeof(pg));
    if (!(t = sg_db_table(rq, in, rs, NULL)) || sg_max_results(rq, in, 1000, 1000, &max, rs) < 0)
        return;
    if (xc && !json_is_null(xc) && !json_is_boolean(xc)) {
        sg_invalid(rq, rs, "ExcludeColumnSchema must be a boolean");
        return;
    }
    if (segment(rq, in, &sc, rs) < 0)
        return;
    snprintf(kind, sizeof(kind), "part%u/%u", sc.seg, sc.nseg);
    if (parse_expr(rq, json_object_get(in, "Expression"), t->obj, &e, keys, &sc.nkeys, rs) < 0)
        return;
    if (sg_next_token(rq, in, kind, &start, &len, rs) < 0)
        goto out;
    pg.recs = malloc((size_t)max * sizeof(*pg.recs));
    if (!pg.recs) {
        sg_internal(rq, rs);
        goto out;
    }
    sc.parts = t->parts;
    sc.expr = e;
    sc.keys = keys;
    memset(&gerr, 0, sizeof(gerr));
    n = t->parts ? sim_parts_scan(&sc, start, len, (size_t)max, pg.recs, &pg.next, &gerr) : 0;
    if (!t->parts)
        pg.next = NULL;
    if (n == -ERANGE) {
        sim_glue_error(rs, rq, 400, "InvalidStateException", "%s", gerr.msg);
        goto out;
    }
    if (n < 0) {
        sg_invalid(rq, rs, gerr.msg[0] ? gerr.msg : "Invalid expression");
        goto out;
    }
    pg.n = (size_t)n;
    pg.kind = kind;
    pg.exclude_cols = json_is_true(xc);
    if (!page_defer(rq, t, &pg, rs))
        page_jansson(rq, t, &pg, rs);
out:
    free(pg.recs);
    free(start);
    g2d_expr_free(e);
}

/* The record of PartitionValues (or another list member @p key) in @p t, or NULL. */
static const struct sim_prec *find_part(const struct sim_item *t, const json_t *vals_json, int *bad)
{
    const char *vals[SIM_MAX_KEYS];
    const struct sim_prec *r;
    size_t n, len;
    char *key;

    *bad = 0;
    if (sim_values_get(vals_json, vals, SIM_MAX_KEYS, &n) < 0) {
        *bad = 1;
        return NULL;
    }
    if (!t->parts)
        return NULL;
    key = sim_pkey_make(vals, n, &len);
    if (!key)
        return NULL;
    r = sim_parts_find(t->parts, key, len);
    free(key);
    return r;
}

void sg_get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const struct sim_prec *r;
    struct sim_item *t;
    json_t *p;
    int bad;

    if (!(t = sg_db_table(rq, in, rs, NULL)))
        return;
    r = find_part(t, json_object_get(in, "PartitionValues"), &bad);
    if (bad) {
        sg_invalid(rq, rs, "PartitionValues must be a list of strings");
        return;
    }
    if (!r) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Partition not found.");
        return;
    }
    p = sim_glue_part_json(t->obj, r, rq->sim->glue_catalog, 0);
    if (!p) {
        sg_internal(rq, rs);
        return;
    }
    sg_ok(rs, json_pack("{s:o}", "Partition", p));
}

void sg_batch_create_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list = json_object_get(in, "PartitionInputList");
    struct sim_item *db, *t;
    json_t *errs, *pi;
    size_t i, nkeys;

    if (!(t = sg_db_table(rq, in, rs, &db)))
        return;
    if (!json_is_array(list) || json_array_size(list) > 100) {
        sg_invalid(rq, rs, "PartitionInputList must be a list of at most 100 entries");
        return;
    }
    if (!t->parts && !(t->parts = sim_parts_new())) {
        sg_internal(rq, rs);
        return;
    }
    nkeys = json_array_size(json_object_get(t->obj, "PartitionKeys"));
    errs = json_array();
    json_array_foreach(list, i, pi)
    {
        char err[512], *text, *key;
        const char *vals[SIM_MAX_KEYS];
        size_t n = 0, klen;
        json_t *p = sim_glue_part_build(pi, db->name, t->name, nkeys, (double)time(NULL), 0,
                                        rq->sim->glue_catalog, err, sizeof(err));
        const char *code = NULL;

        sim_values_get(json_object_get(pi, "Values"), vals, SIM_MAX_KEYS, &n);
        key = sim_pkey_make(vals, n, &klen);
        if (!p)
            code = "InvalidInputException";
        else if (key && sim_parts_find(t->parts, key, klen)) {
            code = "AlreadyExistsException";
            snprintf(err, sizeof(err), "Partition already exists.");
        }
        if (!code && key && (text = json_dumps(p, JSON_COMPACT)) != NULL) {
            if (sim_parts_put(t->parts, key, klen, (unsigned)n, 0, text, strlen(text), 0) < 0)
                code = "InternalServiceException";
            free(text);
        }
        if (code) {
            json_t *pv = json_object_get(pi, "Values");

            json_array_append_new(errs,
                                  json_pack("{s:o,s:{s:s,s:s}}", "PartitionValues",
                                            json_is_array(pv) ? json_deep_copy(pv) : json_array(),
                                            "ErrorDetail", "ErrorCode", code, "ErrorMessage", err));
        }
        json_decref(p);
        free(key);
    }
    sg_ok(rs, json_pack("{s:o}", "Errors", errs));
}
