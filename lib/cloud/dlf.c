/* SPDX-License-Identifier: MIT */
/*
 * The DLF (DataLake 2020-07-10 metastore API) operations the engine uses, on the wire:
 * request paths, query parameters and bodies, the reading of listing answers
 * (NextPageToken), and of partition batch answers (PartitionErrors matched to the items
 * sent). Every answer must carry Success:true before it is believed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jwrite.h"

#include "cloud/answer.h"
#include "cloud/cloud.h"

#define PATH_DB "/api/metastore/catalogs/databases"
#define PATH_TABLES_LIST "/api/metastore/databases/tables/list"
#define PATH_TABLE "/api/metastore/catalogs/databases/tables"
#define PATH_PARTS "/api/metastore/catalogs/databases/tables/partitions"
#define PATH_FN "/api/metastore/catalogs/databases/functions"

/* ListPartitions: the documented maximum page size. */
#define DLF_PARTITIONS_PAGE 1000

/* ---- listings ---------------------------------------------------------------------- */

static const struct dlf_listing {
    const char *action, *path, *member, *pattern;
} dlf_listings[] = {
    [G2D_LIST_DLF_DATABASES] = {"ListDatabases", PATH_DB "/list", "Databases", "NamePattern"},
    [G2D_LIST_DLF_TABLES] = {"ListTables", PATH_TABLES_LIST, "Tables", "TableNamePattern"},
    [G2D_LIST_DLF_FUNCTIONS] = {"ListFunctions", PATH_FN "/list", "Functions",
                                "FunctionNamePattern"},
    [G2D_LIST_DLF_PARTITIONS] = {"ListPartitions", PATH_PARTS "/list", "Partitions", NULL},
};

static int list_answer(struct g2d_api_result *res, void *actx, char *msg, size_t msgsz)
{
    const struct dlf_listing *l = actx;

    if (g2d_answer_dlf_envelope(res, msg, msgsz) < 0)
        return -1;
    return g2d_answer_list(res, l->member, "NextPageToken", msg, msgsz);
}

int g2d_dlf_list(struct g2d_cloud *c, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                 struct g2d_http_req **out)
{
    const struct g2d_config *cfg = g2d_cloud_config(c);
    struct g2d_cloud_call_opts o = {0};
    const struct dlf_listing *l;
    struct g2d_kv q[6];
    char size[16];

    if (req->what < G2D_LIST_DLF_DATABASES || req->what >= G2D_LIST_COUNT)
        return -EINVAL;
    l = &dlf_listings[req->what];
    o.side = G2D_SIDE_DLF;
    o.action = l->action;
    o.path = l->path;
    o.answer = list_answer;
    o.actx = (void *)l;
    if (req->what == G2D_LIST_DLF_PARTITIONS) {
        /* Every partition operation takes a JSON body, even the reads. */
        o.method = "POST";
        o.body = json_pack("{s:s, s:s, s:i, s:b}", "DatabaseName", req->db, "TableName", req->tbl,
                           "PageSize", (int)g2d_cloud_page_size(c, req->what, DLF_PARTITIONS_PAGE),
                           "IsShareSd", 0);
        if (o.body && cfg->dlf.catalog_id)
            json_object_set_new(o.body, "CatalogId", json_string(cfg->dlf.catalog_id));
        if (o.body && req->token)
            json_object_set_new(o.body, "NextPageToken", json_string(req->token));
        if (o.body && req->values)
            json_object_set(o.body, "PartialPartValues", req->values);
        return o.body ? g2d_cloud_submit(c, &o, cb, arg, out) : -ENOMEM;
    }
    o.method = "GET";
    snprintf(size, sizeof(size), "%u", g2d_cloud_page_size(c, req->what, cfg->dlf.http.page_size));
    if (cfg->dlf.catalog_id)
        q[o.nquery++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
    if (req->what != G2D_LIST_DLF_DATABASES)
        q[o.nquery++] = (struct g2d_kv){"DatabaseName", req->db};
    q[o.nquery++] = (struct g2d_kv){l->pattern, req->pattern ? req->pattern : ".*"};
    q[o.nquery++] = (struct g2d_kv){"PageSize", size};
    if (req->token)
        q[o.nquery++] = (struct g2d_kv){"NextPageToken", req->token};
    o.query = q;
    return g2d_cloud_submit(c, &o, cb, arg, out);
}

/* ---- the catalog --------------------------------------------------------------------- */

static int catalog_answer(struct g2d_api_result *res, void *actx, char *msg, size_t msgsz)
{
    if (g2d_answer_dlf_envelope(res, msg, msgsz) < 0)
        return -1;
    if (!json_is_object(json_object_get(res->json, "Catalog"))) {
        snprintf(msg, msgsz, "GetCatalog answer without a Catalog object");
        return -1;
    }
    return 0;
}

/* GetCatalog of dlf.catalog_id (none: the account's default catalog). */
int g2d_dlf_get_catalog(struct g2d_cloud *c, g2d_api_cb cb, void *arg, struct g2d_http_req **out)
{
    const struct g2d_config *cfg = g2d_cloud_config(c);
    struct g2d_cloud_call_opts o = {0};
    struct g2d_kv q[1];

    o.side = G2D_SIDE_DLF;
    o.action = "GetCatalog";
    o.path = "/api/metastore/catalogs";
    o.method = "GET";
    o.answer = catalog_answer;
    if (cfg->dlf.catalog_id)
        q[o.nquery++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
    o.query = q;
    return g2d_cloud_submit(c, &o, cb, arg, out);
}

/* ---- databases, tables, functions ---------------------------------------------------- */

/* What differs between the container types' DLF APIs. */
static const struct obj_api {
    const char *path, *action[3]; /* indexed by enum g2d_verb */
    const char *input;            /* body member holding the *Input */
    const char *name;             /* query/body member naming the object */
} obj_apis[] = {
    [G2D_ITEM_DATABASE] = {PATH_DB,
                           {"CreateDatabase", "UpdateDatabase", "DeleteDatabase"},
                           "DatabaseInput",
                           "Name"},
    [G2D_ITEM_TABLE] = {PATH_TABLE,
                        {"CreateTable", "UpdateTable", "DeleteTable"},
                        "TableInput",
                        "TableName"},
    [G2D_ITEM_FUNCTION] = {PATH_FN,
                           {"CreateFunction", "UpdateFunction", "DeleteFunction"},
                           "FunctionInput",
                           "FunctionName"},
};

static int envelope_answer(struct g2d_api_result *res, void *actx, char *msg, size_t msgsz)
{
    return g2d_answer_dlf_envelope(res, msg, msgsz);
}

static json_t *obj_body(const struct g2d_config *cfg, const struct obj_api *api,
                        const struct g2d_obj_write *w)
{
    bool is_db = w->type == G2D_ITEM_DATABASE;
    json_t *body = json_pack("{s:O}", api->input, w->input);

    if (!body)
        return NULL;
    if (cfg->dlf.catalog_id)
        json_object_set_new(body, "CatalogId", json_string(cfg->dlf.catalog_id));
    if (!is_db)
        json_object_set_new(body, "DatabaseName", json_string(w->db));
    if (w->verb == G2D_VERB_UPDATE)
        json_object_set_new(body, api->name, json_string(is_db ? w->db : w->name));
    if (w->verb == G2D_VERB_UPDATE && w->type == G2D_ITEM_TABLE) {
        /* Each update would otherwise archive a table version in DLF. */
        json_object_set_new(body, "SkipArchive", json_true());
        json_object_set_new(body, "IsAsync", json_false());
        if (w->allow_key_change)
            json_object_set_new(body, "AllowPartitionKeyChange", json_true());
    }
    return body;
}

int g2d_dlf_write_object(struct g2d_cloud *c, const struct g2d_obj_write *w, g2d_api_cb cb,
                         void *arg)
{
    const struct g2d_config *cfg = g2d_cloud_config(c);
    struct g2d_cloud_call_opts o = {0};
    const struct obj_api *api;
    bool is_db = w->type == G2D_ITEM_DATABASE;
    struct g2d_kv q[4];

    if (w->type != G2D_ITEM_DATABASE && w->type != G2D_ITEM_TABLE && w->type != G2D_ITEM_FUNCTION)
        return -EINVAL;
    api = &obj_apis[w->type];
    o.side = G2D_SIDE_DLF;
    o.path = api->path;
    o.action = api->action[w->verb];
    o.answer = envelope_answer;
    if (w->verb == G2D_VERB_DELETE) {
        o.method = "DELETE";
        if (cfg->dlf.catalog_id)
            q[o.nquery++] = (struct g2d_kv){"CatalogId", cfg->dlf.catalog_id};
        if (!is_db)
            q[o.nquery++] = (struct g2d_kv){"DatabaseName", w->db};
        q[o.nquery++] = (struct g2d_kv){api->name, is_db ? w->db : w->name};
        /* Never cascade: a database still holding objects is refused, not emptied. */
        if (is_db)
            q[o.nquery++] = (struct g2d_kv){"Cascade", "false"};
        o.query = q;
        return g2d_cloud_submit(c, &o, cb, arg, NULL);
    }
    o.method = w->verb == G2D_VERB_CREATE ? "POST" : "PUT";
    o.body = obj_body(cfg, api, w);
    return o.body ? g2d_cloud_submit(c, &o, cb, arg, NULL) : -ENOMEM;
}

/* ---- partition batches ---------------------------------------------------------------- */

/* The items a batch sent, so that its answer can be matched to them. */
struct batch_ctx {
    const struct g2d_part_ref *items; /* borrowed from the caller until its callback ran */
    size_t n;
    struct g2d_item_outcome out[];
};

/* One PartitionErrors entry: {PartitionValues: [str], ErrorDetail: {Code, Message}}. */
static int batch_entry(json_t *pe, size_t k, const struct g2d_part_ref *items, size_t n,
                       struct g2d_item_outcome *out, char *msg, size_t msgsz)
{
    json_t *vals = json_object_get(pe, "PartitionValues");
    json_t *d = json_object_get(pe, "ErrorDetail");
    json_t *code = json_object_get(d, "Code"), *m = json_object_get(d, "Message");
    size_t i;

    if (!json_is_object(pe) || !json_is_array(vals) || !json_is_object(d) ||
        !json_is_string(code) || (m && !json_is_null(m) && !json_is_string(m)))
        return snprintf(msg, msgsz,
                        "PartitionErrors[%zu] is not {PartitionValues, ErrorDetail{Code, "
                        "Message}}",
                        k),
               -1;
    for (i = 0; i < n; i++) {
        if (json_equal(vals, items[i].values)) {
            if (!out[i].code) { /* a repeated entry keeps the first one's word */
                out[i].code = json_string_value(code);
                out[i].message = json_is_string(m) ? json_string_value(m) : "";
            }
            return 0;
        }
    }
    return 1; /* names no item that was sent */
}

int g2d_dlf_batch_outcomes(json_t *answer, const struct g2d_part_ref *items, size_t n,
                           struct g2d_item_outcome *out, char *msg, size_t msgsz)
{
    struct g2d_api_result res = {.json = answer};
    json_t *errs, *pe;
    size_t k, i;
    bool unmatched = false;

    memset(out, 0, n * sizeof(*out));
    if (g2d_answer_dlf_envelope(&res, msg, msgsz) < 0)
        return -1;
    errs = json_object_get(answer, "PartitionErrors");
    if (errs && !json_is_null(errs) && !json_is_array(errs))
        return snprintf(msg, msgsz, "member 'PartitionErrors' is not an array"), -1;
    json_array_foreach(errs, k, pe)
    {
        int r = batch_entry(pe, k, items, n, out, msg, msgsz);

        if (r < 0)
            return -1;
        if (r > 0)
            unmatched = true;
    }
    /* An error we cannot place means we do not know which items DLF took: none of the
     * others may be recorded as done. */
    for (i = 0; unmatched && i < n; i++) {
        if (!out[i].code) {
            out[i].code = "UnmatchedPartitionError";
            out[i].message = "DLF reported an error for partition values this batch did not "
                             "send, so this item's outcome is unknown";
        }
    }
    return 0;
}

static int batch_answer(struct g2d_api_result *res, void *actx, char *msg, size_t msgsz)
{
    struct batch_ctx *b = actx;

    if (g2d_dlf_batch_outcomes(res->json, b->items, b->n, b->out, msg, msgsz) < 0)
        return -1;
    res->items = b->out;
    return 0;
}

static int batch_text(const struct g2d_config *cfg, const struct g2d_part_write *w,
                      struct g2d_buf *b)
{
    const char *cat = cfg->dlf.catalog_id;
    size_t i;
    int r;

    r = g2d_buf_puts(b, "{");
    if (r == 0 && cat) {
        r = g2d_buf_puts(b, "\"CatalogId\":");
        if (r == 0)
            r = g2d_jwrite_string(b, cat, strlen(cat));
        if (r == 0)
            r = g2d_buf_putc(b, ',');
    }
    if (r == 0)
        r = g2d_buf_puts(b, "\"DatabaseName\":");
    if (r == 0)
        r = g2d_jwrite_string(b, w->db, strlen(w->db));
    if (r == 0)
        r = g2d_buf_puts(b, ",\"TableName\":");
    if (r == 0)
        r = g2d_jwrite_string(b, w->tbl, strlen(w->tbl));
    if (r == 0 && w->verb == G2D_VERB_CREATE)
        r = g2d_buf_puts(b, ",\"IfNotExists\":false,\"NeedResult\":false");
    if (r == 0)
        r = g2d_buf_puts(b, ",\"PartitionInputs\":[");
    for (i = 0; r == 0 && i < w->nitems; i++) {
        if (i)
            r = g2d_buf_putc(b, ',');
        if (r == 0)
            r = g2d_buf_puts(b, w->items[i].text ? w->items[i].text : "{}");
    }
    if (r == 0)
        r = g2d_buf_puts(b, "]}");
    return r;
}

/*
 * Deletes as a small JSON body; creates and updates as text, the items' ready
 * PartitionInput texts joined (no tree, no dump).
 */
int g2d_dlf_write_partitions(struct g2d_cloud *c, const struct g2d_part_write *w, g2d_api_cb cb,
                             void *arg)
{
    const struct g2d_config *cfg = g2d_cloud_config(c);
    struct g2d_cloud_call_opts o = {0};
    struct batch_ctx *b = calloc(1, sizeof(*b) + w->nitems * sizeof(b->out[0]));
    struct g2d_buf text;
    size_t i;
    int r;

    if (!b)
        return -ENOMEM;
    b->items = w->items;
    b->n = w->nitems;
    o.side = G2D_SIDE_DLF;
    o.answer = batch_answer;
    o.actx = b;
    o.afree = free;
    o.method = w->verb == G2D_VERB_UPDATE ? "PUT" : "POST";
    if (w->verb == G2D_VERB_DELETE) {
        json_t *list = json_array();

        o.path = PATH_PARTS "/batchdelete";
        o.action = "BatchDeletePartitions";
        for (i = 0; list && i < w->nitems; i++)
            json_array_append_new(list, json_pack("{s:O}", "Values", w->items[i].values));
        o.body = json_pack("{s:s, s:s, s:o, s:b}", "DatabaseName", w->db, "TableName", w->tbl,
                           "PartitionValueList", list, "IfExists", 1);
        if (o.body && cfg->dlf.catalog_id)
            json_object_set_new(o.body, "CatalogId", json_string(cfg->dlf.catalog_id));
        if (!o.body) {
            free(b);
            return -ENOMEM;
        }
        return g2d_cloud_submit(c, &o, cb, arg, NULL);
    }
    o.path = w->verb == G2D_VERB_CREATE ? PATH_PARTS "/batchcreate" : PATH_PARTS "/batchupdate";
    o.action = w->verb == G2D_VERB_CREATE ? "BatchCreatePartitions" : "BatchUpdatePartitions";
    g2d_buf_init(&text, 0);
    r = batch_text(cfg, w, &text);
    if (r < 0) {
        g2d_buf_done(&text);
        free(b);
        return r;
    }
    o.btext = text.data;
    o.blen = text.len;
    r = g2d_cloud_submit(c, &o, cb, arg, NULL);
    g2d_buf_done(&text);
    return r;
}
