/* SPDX-License-Identifier: MIT */
/*
 * The Alibaba Cloud DLF metastore side (DataLake 2020-07-10, ROA style): the action is
 * found from method + path; parameters come from the query or, for body actions, from a
 * JSON body.
 *
 * Order of checks: route (404 InvalidApi.NotFound), x-acs-version must be 2020-07-10
 * (400 InvalidVersion), x-acs-action must name the routed action (400
 * InvalidAction.Mismatch), signature (see auth.c), accounting / quota / faults, body,
 * handler.
 *
 * HTTP status per error Code is UNCONFIRMED for the real service (dlf-api.md §5.2, §8);
 * the simulator's choices are:
 *   service errors, body {"Success":false,"Code",...,"HttpStatusCode":N}:
 *     NoSuchObject 404, UnknownTable 404, AlreadyExists 409, InvalidObject / InvalidInput /
 *     InvalidOperation 400, InternalError 500
 *   gateway errors, body {"RequestId","HostId","Code","Message","Recommend"}:
 *     signature and credential errors 400 (InvalidAccessKeyId.NotFound 404),
 *     Throttling.User 400, Forbidden.RAM 403, InvalidApi.NotFound 404,
 *     request body over 16 MiB 413 RequestEntityTooLarge
 * Other choices: names are folded to lower case; PageSize defaults to 100 and must be
 * 1..1000; NamePattern is a POSIX extended regex matched against the whole name;
 * NextPageToken is hex("db:<first name of next page>"); DeleteDatabase with Async=true
 * still deletes at once and returns a TaskId; UpdateDatabase may not rename; a CatalogId
 * other than --dlf-catalog-id (when given) is NoSuchObject. Tables, partitions, functions:
 * IsShareSd=true is refused (InvalidInput); UpdateTable may not rename; ListFunctions needs
 * DatabaseName; partition page tokens are hex("part:<key of the next partition>"); a
 * ListPartitionsByFilter value that cannot be cast is InvalidInput (DLF has no
 * InvalidStateException); per-item batch errors are listed in README.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "glue2dlf/expr.h"
#include "sim.h"

#define DLF_CT "application/json;charset=utf-8"
#define DLF_VERSION "2020-07-10"
#define CREATED_BY "sim-user"

static json_t *envelope(const struct sim_req *rq, int success, const char *code, const char *msg,
                        unsigned status)
{
    return json_pack("{s:b,s:s,s:s,s:s,s:i}", "Success", success, "Code", code, "Message", msg,
                     "RequestId", rq->request_id, "HttpStatusCode", (int)status);
}

void sim_dlf_error(struct sim_resp *rs, const struct sim_req *rq, unsigned status, const char *code,
                   const char *fmt, ...)
{
    char msg[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sim_resp_json(rs, status, envelope(rq, 0, code, msg, status), 0, DLF_CT);
}

void sim_dlf_gw_error(struct sim_resp *rs, const struct sim_req *rq, unsigned status,
                      const char *code, const char *fmt, ...)
{
    const char *host = sim_header(rq, "Host");
    char msg[8192], rec[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(rec, sizeof(rec), "https://api.aliyun.com/troubleshoot?q=%s&product=DataLake", code);
    sim_resp_json(rs, status,
                  json_pack("{s:s,s:s,s:s,s:s,s:s}", "RequestId", rq->request_id, "HostId",
                            host ? host : "dlf.sim.local", "Code", code, "Message", msg,
                            "Recommend", rec),
                  0, DLF_CT);
}

/* Success envelope plus the members of @p extra (stolen, may be NULL). */
static void ok(struct sim_req *rq, struct sim_resp *rs, json_t *extra)
{
    json_t *env = envelope(rq, 1, "OK", "", 200);

    if (extra) {
        json_object_update(env, extra);
        json_decref(extra);
    }
    sim_resp_json(rs, 200, env, 0, DLF_CT);
}

static struct sim_catalog *cat(struct sim_req *rq)
{
    return &rq->sim->cat[SIM_DLF];
}

/* CatalogId from the query or the body; @return 0 or -1 with the error set. */
static int catalog_ok(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    const char *want = rq->sim->cfg.dlf_catalog_id, *cid;
    const json_t *v = in ? json_object_get(in, "CatalogId") : NULL;

    if (v && !json_is_null(v) && !json_is_string(v)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "CatalogId must be a string.");
        return -1;
    }
    cid = v ? json_string_value(v) : sim_query(rq, "CatalogId");
    if (want && cid && *cid && strcmp(cid, want) != 0) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Catalog %s not found.", cid);
        return -1;
    }
    return 0;
}

/* A required database name from @p s (query value or body string), folded into @p buf. */
static int take_name(struct sim_req *rq, const char *s, char *buf, size_t bufsz,
                     struct sim_resp *rs)
{
    if (!s || !*s) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "Name is required.");
        return -1;
    }
    if (!sim_name_valid(s, 255) || strlen(s) >= bufsz) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "Name is invalid.");
        return -1;
    }
    strcpy(buf, s);
    sim_fold(buf);
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    if (!s || !*s || strcmp(s, "false") == 0) {
        *out = 0;
        return 0;
    }
    if (strcmp(s, "true") == 0) {
        *out = 1;
        return 0;
    }
    return -EINVAL;
}

static void create_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    char err[512];
    const char *name;
    json_t *db;

    if (catalog_ok(rq, in, rs) < 0)
        return;
    if (!json_is_object(di)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "DatabaseInput is required.");
        return;
    }
    db = sim_dlf_db_build(di, NULL, NULL, (int64_t)time(NULL), CREATED_BY, err, sizeof(err));
    if (!db) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    name = json_string_value(json_object_get(db, "Name"));
    if (sim_coll_find(&cat(rq)->dbs, name)) {
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Database %s already exists.", name);
        json_decref(db);
        return;
    }
    if (sim_coll_put(&cat(rq)->dbs, name, db) < 0) {
        sim_dlf_error(rs, rq, 500, "InternalError", "Out of memory.");
        return;
    }
    ok(rq, rs, NULL);
}

static void get_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024];
    const struct sim_item *it;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        take_name(rq, sim_query(rq, "Name"), name, sizeof(name), rs) < 0)
        return;
    it = sim_coll_find(&cat(rq)->dbs, name);
    if (!it) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Database %s not found.", name);
        return;
    }
    ok(rq, rs, json_pack("{s:O}", "Database", it->obj));
}

static void list_databases(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const char *pat = sim_query(rq, "NamePattern");
    const char *tok = sim_query(rq, "NextPageToken");
    const char *ps = sim_query(rq, "PageSize");
    long size = 100;
    char *start = NULL, *end, *ntok;
    const char *next;
    regex_t re;
    size_t *idx, n, i;
    json_t *list;

    if (catalog_ok(rq, NULL, rs) < 0)
        return;
    if (ps && *ps) {
        errno = 0;
        size = strtol(ps, &end, 10);
        if (errno || *end || size < 1 || size > 1000) {
            sim_dlf_error(rs, rq, 400, "InvalidInput", "PageSize must be between 1 and 1000.");
            return;
        }
    }
    if (tok && *tok && sim_token_parse(tok, "db", &start) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "NextPageToken is invalid.");
        return;
    }
    if (sim_pattern_compile(&re, pat && *pat ? pat : ".*") < 0) {
        free(start);
        sim_dlf_error(rs, rq, 400, "InvalidInput", "NamePattern is not a valid pattern.");
        return;
    }
    idx = malloc((size_t)size * sizeof(*idx));
    if (!idx) {
        regfree(&re);
        free(start);
        sim_dlf_error(rs, rq, 500, "InternalError", "Out of memory.");
        return;
    }
    n = sim_coll_page(&cat(rq)->dbs, start, (size_t)size, &re, idx, &next);
    list = json_array();
    for (i = 0; i < n; i++)
        json_array_append(list, cat(rq)->dbs.items[idx[i]].obj);
    ntok = next ? sim_token_make("db", next) : NULL;
    ok(rq, rs, json_pack("{s:o,s:s}", "Databases", list, "NextPageToken", ntok ? ntok : ""));
    free(ntok);
    free(idx);
    free(start);
    regfree(&re);
}

static void update_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    const json_t *dn;
    char name[1024], err[512];
    struct sim_item *it;
    json_t *db;

    if (catalog_ok(rq, in, rs) < 0 ||
        take_name(rq, json_string_value(json_object_get(in, "Name")), name, sizeof(name), rs) < 0)
        return;
    if (!json_is_object(di)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "DatabaseInput is required.");
        return;
    }
    it = sim_coll_find(&cat(rq)->dbs, name);
    if (!it) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Database %s not found.", name);
        return;
    }
    dn = json_object_get(di, "Name");
    if (json_is_string(dn) && *json_string_value(dn)) {
        char folded[1024];

        snprintf(folded, sizeof(folded), "%s", json_string_value(dn));
        sim_fold(folded);
        if (strcmp(folded, name) != 0) {
            sim_dlf_error(rs, rq, 400, "InvalidOperation", "Renaming a database is not supported.");
            return;
        }
    }
    db = sim_dlf_db_build(di, name, it->obj, (int64_t)time(NULL), CREATED_BY, err, sizeof(err));
    if (!db) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    sim_coll_put(&cat(rq)->dbs, name, db);
    ok(rq, rs, NULL);
}

static void delete_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024], task[64];
    int cascade, async;
    struct sim_item *it;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        take_name(rq, sim_query(rq, "Name"), name, sizeof(name), rs) < 0)
        return;
    if (parse_bool(sim_query(rq, "Cascade"), &cascade) < 0 ||
        parse_bool(sim_query(rq, "Async"), &async) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "Cascade and Async must be true or false.");
        return;
    }
    it = sim_coll_find(&cat(rq)->dbs, name);
    if (!it) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Database %s not found.", name);
        return;
    }
    if (!cascade && (sim_item_nkids(it, SIM_KID_TABLES) || sim_item_nkids(it, SIM_KID_FUNCTIONS))) {
        sim_dlf_error(rs, rq, 400, "InvalidOperation",
                      "Database %s is not empty. One or more tables or functions exist.", name);
        return;
    }
    sim_coll_remove(&cat(rq)->dbs, name);
    if (async) {
        snprintf(task, sizeof(task), "sim-task-%s", rq->request_id);
        ok(rq, rs, json_pack("{s:s}", "TaskId", task));
    } else {
        ok(rq, rs, NULL);
    }
}

/* ---- tables, partitions, functions ---- */

#define DLF_PARTS "/api/metastore/catalogs/databases/tables/partitions"
#define DLF_TABLES "/api/metastore/catalogs/databases/tables"
#define DLF_FNS "/api/metastore/catalogs/databases/functions"

static void nomem(struct sim_req *rq, struct sim_resp *rs)
{
    sim_dlf_error(rs, rq, 500, "InternalError", "Out of memory.");
}

/* A string parameter from the body when there is one, else from the query. */
static const char *param(struct sim_req *rq, const json_t *in, const char *key)
{
    if (in)
        return json_string_value(json_object_get(in, key));
    return sim_query(rq, key);
}

/* PageSize from the body (integer) or the query (text): 1..1000, default 100. */
static int page_size(struct sim_req *rq, const json_t *in, long *out, struct sim_resp *rs)
{
    const json_t *v = in ? json_object_get(in, "PageSize") : NULL;
    const char *s = in ? NULL : sim_query(rq, "PageSize");
    char *end;

    *out = 100;
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v))
            goto bad;
        *out = (long)json_integer_value(v);
    } else if (s && *s) {
        errno = 0;
        *out = strtol(s, &end, 10);
        if (errno || *end)
            goto bad;
    }
    if (*out >= 1 && *out <= 1000)
        return 0;
bad:
    sim_dlf_error(rs, rq, 400, "InvalidInput", "PageSize must be between 1 and 1000.");
    return -1;
}

/* NextPageToken of @p kind ("" or absent = first page). */
static int page_token(struct sim_req *rq, const json_t *in, const char *kind, char **key,
                      size_t *len, struct sim_resp *rs)
{
    const json_t *v = in ? json_object_get(in, "NextPageToken") : NULL;
    const char *tok = in ? json_string_value(v) : sim_query(rq, "NextPageToken");

    *key = NULL;
    *len = 0;
    if (in && v && !json_is_null(v) && !json_is_string(v))
        goto bad;
    if (!tok || !*tok)
        return 0;
    if (sim_token_parse_bin(tok, kind, key, len) == 0)
        return 0;
bad:
    sim_dlf_error(rs, rq, 400, "InvalidInput", "NextPageToken is invalid.");
    return -1;
}

static struct sim_item *dlf_db(struct sim_req *rq, const char *name, const char *code,
                               unsigned status, struct sim_resp *rs)
{
    char nm[1024];
    struct sim_item *it;

    if (take_name(rq, name, nm, sizeof(nm), rs) < 0)
        return NULL;
    it = sim_coll_find(&cat(rq)->dbs, nm);
    if (!it)
        sim_dlf_error(rs, rq, status, code, "Database %s not found.", nm);
    return it;
}

static struct sim_item *dlf_table(struct sim_req *rq, struct sim_item *db, const char *name,
                                  const char *code, unsigned status, struct sim_resp *rs)
{
    char nm[1024];
    struct sim_item *it;

    if (take_name(rq, name, nm, sizeof(nm), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], nm) : NULL;
    if (!it)
        sim_dlf_error(rs, rq, status, code, "Table %s.%s not found.", db->name, nm);
    return it;
}

/* Database and table named by DatabaseName and TableName, missing ones answered @p code. */
static struct sim_item *dlf_db_table(struct sim_req *rq, const json_t *in, const char *code,
                                     unsigned status, struct sim_resp *rs)
{
    struct sim_item *db;

    if (catalog_ok(rq, in, rs) < 0 ||
        !(db = dlf_db(rq, param(rq, in, "DatabaseName"), code, status, rs)))
        return NULL;
    return dlf_table(rq, db, param(rq, in, "TableName"), code, status, rs);
}

static void list_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const char *pat = sim_query(rq, "TableNamePattern"), *tt = sim_query(rq, "TableType");
    struct sim_item *db;
    struct sim_coll *c;
    long size;
    char *start = NULL, *ntok = NULL;
    size_t len, i, n = 0;
    regex_t re;
    json_t *list;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        !(db = dlf_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        page_size(rq, NULL, &size, rs) < 0 || page_token(rq, NULL, "tbl", &start, &len, rs) < 0)
        return;
    if (sim_pattern_compile(&re, pat && *pat ? pat : ".*") < 0) {
        free(start);
        sim_dlf_error(rs, rq, 400, "InvalidInput", "TableNamePattern is not a valid pattern.");
        return;
    }
    list = json_array();
    c = db->kids[SIM_KID_TABLES];
    for (i = c ? (start ? sim_coll_lower_bound(c, start) : 0) : 0; c && i < c->n; i++) {
        const json_t *t = c->items[i].obj;

        if (regexec(&re, c->items[i].name, 0, NULL, 0) != 0)
            continue;
        if (tt && *tt && strcmp(tt, json_string_value(json_object_get(t, "TableType")) ?: "") != 0)
            continue;
        if (n == (size_t)size) {
            ntok = sim_token_make("tbl", c->items[i].name);
            break;
        }
        json_array_append(list, (json_t *)t);
        n++;
    }
    ok(rq, rs, json_pack("{s:o,s:s}", "Tables", list, "NextPageToken", ntok ? ntok : ""));
    free(ntok);
    free(start);
    regfree(&re);
}

static void get_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *t = dlf_db_table(rq, NULL, "NoSuchObject", 404, rs);

    if (t)
        ok(rq, rs, json_pack("{s:O}", "Table", t->obj));
}

static void create_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");
    struct sim_item *db;
    struct sim_coll *kids;
    char err[512], name[1024], id[48];
    json_t *t;

    if (catalog_ok(rq, in, rs) < 0 ||
        !(db = dlf_db(rq, param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)))
        return;
    snprintf(id, sizeof(id), "sim-%lu", ++rq->sim->table_ids);
    t = sim_dlf_table_build(ti, NULL, (int64_t)time(NULL), id, err, sizeof(err));
    if (!t) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(t, "TableName")));
    sim_fold(name);
    kids = sim_item_kids(db, SIM_KID_TABLES);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(t);
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Table %s.%s already exists.", db->name, name);
        return;
    }
    if (!kids || sim_coll_put(kids, name, t) < 0) {
        if (!kids)
            json_decref(t);
        nomem(rq, rs);
        return;
    }
    ok(rq, rs, NULL);
}

/* Partition keys compared by lower-cased name and type. */
static int keys_equal(const json_t *a, const json_t *b)
{
    struct g2d_expr_key ka[SIM_MAX_KEYS], kb[SIM_MAX_KEYS];
    size_t na = sim_table_keys(a, ka, SIM_MAX_KEYS), nb = sim_table_keys(b, kb, SIM_MAX_KEYS), i;

    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (strcasecmp(ka[i].name, kb[i].name) || strcasecmp(ka[i].type, kb[i].type))
            return 0;
    return 1;
}

static int body_bool(const json_t *in, const char *key)
{
    return json_is_true(json_object_get(in, key));
}

static void update_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");
    const char *tn = json_string_value(json_object_get(ti, "TableName"));
    struct sim_item *t;
    char err[512], task[64], folded[1024];
    json_t *nt;

    if (!(t = dlf_db_table(rq, in, "InvalidOperation", 400, rs)))
        return;
    if (!json_is_object(ti)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "TableInput is required.");
        return;
    }
    snprintf(folded, sizeof(folded), "%s", tn ? tn : "");
    sim_fold(folded);
    if (tn && strcmp(folded, t->name) != 0) {
        sim_dlf_error(rs, rq, 400, "InvalidOperation",
                      "UpdateTable cannot rename %s; use RenameTable.", t->name);
        return;
    }
    nt = sim_dlf_table_build(ti, t->obj, (int64_t)time(NULL), "", err, sizeof(err));
    if (!nt) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    if (t->parts && t->parts->n && !body_bool(in, "AllowPartitionKeyChange") &&
        !keys_equal(t->obj, nt)) {
        json_decref(nt);
        sim_dlf_error(rs, rq, 400, "InvalidOperation",
                      "Cannot change the partition keys of %s, which has partitions, without "
                      "AllowPartitionKeyChange.",
                      t->name);
        return;
    }
    json_decref(t->obj);
    t->obj = nt;
    if (!body_bool(in, "SkipArchive"))
        t->archived++;
    if (body_bool(in, "IsAsync")) {
        snprintf(task, sizeof(task), "sim-task-%s", rq->request_id);
        ok(rq, rs, json_pack("{s:s}", "TaskId", task));
    } else {
        ok(rq, rs, NULL);
    }
}

static void delete_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        !(db = dlf_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(t = dlf_table(rq, db, sim_query(rq, "TableName"), "NoSuchObject", 404, rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_TABLES], t->name); /* its partitions go with it */
    ok(rq, rs, NULL);
}

/* ---- partitions ---- */

static int is_share_sd(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    if (!body_bool(in, "IsShareSd"))
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
        nomem(rq, rs);
        return;
    }
    free(rs->body);
    rs->status = 200;
    rs->content_type = DLF_CT;
    rs->body = g2d_buf_steal(&b);
}

static void list_parts_common(struct sim_req *rq, json_t *in, struct sim_resp *rs, int by_filter)
{
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
    if (!(t = dlf_db_table(rq, in, "NoSuchObject", 404, rs)) || page_size(rq, in, &size, rs) < 0 ||
        is_share_sd(rq, in, rs) < 0 || page_token(rq, in, "part", &start, &len, rs) < 0)
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
        nomem(rq, rs);
        goto out;
    }
    sc.parts = t->parts;
    if (t->parts)
        n = sim_parts_scan(&sc, start, len, (size_t)size, recs, &next, &gerr);
    if (n < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "%s", gerr.msg[0] ? gerr.msg : "bad filter");
        goto out;
    }
    part_page(rq, rs, recs, (size_t)n, next);
out:
    g2d_expr_free(e);
    free(recs);
    free(start);
}

static void list_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_parts_common(rq, in, rs, 0);
}

static void list_partitions_by_filter(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_parts_common(rq, in, rs, 1);
}

/* Key of a values list (*len set), or NULL when it is not a list of strings. */
static char *values_key(const json_t *vals, size_t *n, size_t *len)
{
    const char *v[SIM_MAX_KEYS];

    if (sim_values_get(vals, v, SIM_MAX_KEYS, n) < 0)
        return NULL;
    return sim_pkey_make(v, *n, len);
}

static void get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const struct sim_prec *r = NULL;
    struct sim_item *t;
    size_t n, len;
    char *key;

    if (!(t = dlf_db_table(rq, in, "NoSuchObject", 404, rs)))
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
    ok(rq, rs, json_pack("{s:o}", "Partition", sim_prec_json(r)));
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

/* BatchCreatePartitions (create) and BatchUpdatePartitions (!create). */
static void batch_write(struct sim_req *rq, json_t *in, struct sim_resp *rs, int create)
{
    struct g2d_expr_key keys[SIM_MAX_KEYS];
    const json_t *list;
    struct sim_item *t;
    json_t *errs, *done = NULL;
    int if_not_exists = body_bool(in, "IfNotExists");
    size_t nkeys, i;
    long count;
    int64_t now = (int64_t)time(NULL);

    if (!(t = dlf_db_table(rq, in, create ? "InvalidObject" : "NoSuchObject", create ? 400 : 404,
                           rs)) ||
        (count = batch_count(rq, in, "PartitionInputs", &list, rs)) < 0)
        return;
    if (!t->parts && !(t->parts = sim_parts_new())) {
        nomem(rq, rs);
        return;
    }
    nkeys = sim_table_keys(t->obj, keys, SIM_MAX_KEYS);
    errs = json_array();
    if (create && body_bool(in, "NeedResult"))
        done = json_array();
    for (i = 0; i < (size_t)count; i++) {
        char code[64], msg[512], *text = NULL;
        const struct sim_prec *old;
        struct bitem it;
        json_t *oldj = NULL;
        int r;

        if (bitem_get(rq, list, i, &it) < 0) {
            bitem_error(errs, &it, "InvalidObject", "Values must be a list of strings.");
            bitem_done(&it);
            continue;
        }
        old = sim_parts_find(t->parts, it.key, it.len);
        if (it.n != nkeys) {
            snprintf(msg, sizeof(msg),
                     "The number of partition values (%zu) does not match the number of "
                     "partition keys (%zu).",
                     it.n, nkeys);
            bitem_error(errs, &it, "InvalidObject", msg);
        } else if (injected(rq, it.key, it.len, code, sizeof(code), msg, sizeof(msg))) {
            bitem_error(errs, &it, code, msg);
        } else if (create && old && !if_not_exists) {
            bitem_error(errs, &it, "AlreadyExists", "Partition already exists.");
        } else if (create && old) {
            /* IfNotExists: left as it is, not an error. */
        } else if (!create && !old) {
            bitem_error(errs, &it, "NoSuchObject", "Partition not found.");
        } else if (it.wp) {
            r = put_fast(t->parts, &it, old, now, done ? &text : NULL);
            if (r < 0 || (done && !text)) {
                bitem_error(errs, &it, "InternalError", "Out of memory.");
            } else {
                rq->sim->stats[SIM_DLF].partition_items++;
                if (done)
                    json_array_append_new(done, json_loads(text, 0, NULL));
            }
            free(text);
        } else {
            if (old)
                oldj = sim_prec_json(old);
            text = sim_dlf_part_text(it.pi, oldj, now, nkeys, msg, sizeof(msg));
            json_decref(oldj);
            if (!text) {
                bitem_error(errs, &it, "InvalidObject", msg);
            } else if (sim_parts_put(t->parts, it.key, it.len, (unsigned)it.n, 0, text,
                                     strlen(text), 0) < 0) {
                bitem_error(errs, &it, "InternalError", "Out of memory.");
            } else {
                rq->sim->stats[SIM_DLF].partition_items++;
                if (done)
                    json_array_append_new(done, json_loads(text, 0, NULL));
            }
            free(text);
        }
        bitem_done(&it);
    }
    if (done)
        ok(rq, rs, json_pack("{s:o,s:o}", "Partitions", done, "PartitionErrors", errs));
    else
        ok(rq, rs, json_pack("{s:o}", "PartitionErrors", errs));
}

static void batch_create_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    batch_write(rq, in, rs, 1);
}

static void batch_update_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    batch_write(rq, in, rs, 0);
}

static void batch_delete_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list;
    struct sim_item *t;
    int if_exists = body_bool(in, "IfExists");
    json_t *errs;
    size_t i;
    long count;

    if (!(t = dlf_db_table(rq, in, "UnknownTable", 404, rs)) ||
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
    ok(rq, rs, json_pack("{s:o}", "PartitionErrors", errs));
}

/* The list member of the batch actions whose body is prepared without the lock (dlfw.c). */
static const char *batch_list_key(const struct sim_op *op, int *text)
{
    *text = op->fn != batch_delete_partitions;
    if (op->fn == batch_create_partitions || op->fn == batch_update_partitions)
        return "PartitionInputs";
    if (op->fn == batch_delete_partitions)
        return "PartitionValueList";
    return NULL;
}

/* ---- functions ---- */

static struct sim_item *dlf_fn(struct sim_req *rq, struct sim_item *db, const char *name,
                               struct sim_resp *rs)
{
    char nm[1024];
    struct sim_item *it;

    if (take_name(rq, name, nm, sizeof(nm), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_FUNCTIONS] ? sim_coll_find(db->kids[SIM_KID_FUNCTIONS], nm) : NULL;
    if (!it)
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Function %s.%s not found.", db->name, nm);
    return it;
}

static void list_functions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const char *pat = sim_query(rq, "FunctionNamePattern");
    struct sim_item *db;
    struct sim_coll *c;
    long size;
    char *start = NULL, *ntok = NULL;
    size_t len, i, n = 0;
    regex_t re;
    json_t *list;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        !(db = dlf_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        page_size(rq, NULL, &size, rs) < 0 || page_token(rq, NULL, "fn", &start, &len, rs) < 0)
        return;
    if (sim_pattern_compile(&re, pat && *pat ? pat : ".*") < 0) {
        free(start);
        sim_dlf_error(rs, rq, 400, "InvalidInput", "FunctionNamePattern is not a valid pattern.");
        return;
    }
    list = json_array();
    c = db->kids[SIM_KID_FUNCTIONS];
    for (i = c ? (start ? sim_coll_lower_bound(c, start) : 0) : 0; c && i < c->n; i++) {
        if (regexec(&re, c->items[i].name, 0, NULL, 0) != 0)
            continue;
        if (n == (size_t)size) {
            ntok = sim_token_make("fn", c->items[i].name);
            break;
        }
        json_array_append(list, c->items[i].obj);
        n++;
    }
    ok(rq, rs, json_pack("{s:o,s:s}", "Functions", list, "NextPageToken", ntok ? ntok : ""));
    free(ntok);
    free(start);
    regfree(&re);
}

static void get_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        !(db = dlf_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(f = dlf_fn(rq, db, sim_query(rq, "FunctionName"), rs)))
        return;
    ok(rq, rs, json_pack("{s:O}", "Function", f->obj));
}

static void create_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db;
    struct sim_coll *kids;
    char err[512], name[1024];
    json_t *f;

    if (catalog_ok(rq, in, rs) < 0 ||
        !(db = dlf_db(rq, param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)))
        return;
    f = sim_dlf_fn_build(json_object_get(in, "FunctionInput"), NULL, (int64_t)time(NULL), err,
                         sizeof(err));
    if (!f) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(f, "FunctionName")));
    sim_fold(name);
    kids = sim_item_kids(db, SIM_KID_FUNCTIONS);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(f);
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Function %s.%s already exists.", db->name,
                      name);
        return;
    }
    if (!kids || sim_coll_put(kids, name, f) < 0) {
        if (!kids)
            json_decref(f);
        nomem(rq, rs);
        return;
    }
    ok(rq, rs, NULL);
}

static void update_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;
    char err[512];
    json_t *nf;

    if (catalog_ok(rq, in, rs) < 0 ||
        !(db = dlf_db(rq, param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(f = dlf_fn(rq, db, param(rq, in, "FunctionName"), rs)))
        return;
    nf = sim_dlf_fn_build(json_object_get(in, "FunctionInput"), f->obj, (int64_t)time(NULL), err,
                          sizeof(err));
    if (!nf) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    json_decref(f->obj);
    f->obj = nf;
    ok(rq, rs, NULL);
}

static void delete_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (catalog_ok(rq, NULL, rs) < 0 ||
        !(db = dlf_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(f = dlf_fn(rq, db, sim_query(rq, "FunctionName"), rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_FUNCTIONS], f->name);
    ok(rq, rs, NULL);
}

/* The route table (dlf-api.md §2). New actions are added here. */
const struct sim_op sim_dlf_ops[] = {
    {"BatchCreatePartitions", "POST", DLF_PARTS "/batchcreate", batch_create_partitions, 1, 1},
    {"BatchDeletePartitions", "POST", DLF_PARTS "/batchdelete", batch_delete_partitions, 1, 1},
    {"BatchUpdatePartitions", "PUT", DLF_PARTS "/batchupdate", batch_update_partitions, 1, 1},
    {"CreateDatabase", "POST", "/api/metastore/catalogs/databases", create_database, 1, 1},
    {"CreateFunction", "POST", DLF_FNS, create_function, 1, 1},
    {"CreateTable", "POST", DLF_TABLES, create_table, 1, 1},
    {"DeleteDatabase", "DELETE", "/api/metastore/catalogs/databases", delete_database, 1, 0},
    {"DeleteFunction", "DELETE", DLF_FNS, delete_function, 1, 0},
    {"DeleteTable", "DELETE", DLF_TABLES, delete_table, 1, 0},
    {"GetDatabase", "GET", "/api/metastore/catalogs/databases", get_database, 0, 0},
    {"GetFunction", "GET", DLF_FNS, get_function, 0, 0},
    {"GetPartition", "POST", DLF_PARTS "/get", get_partition, 0, 1},
    {"GetTable", "GET", DLF_TABLES, get_table, 0, 0},
    {"ListDatabases", "GET", "/api/metastore/catalogs/databases/list", list_databases, 0, 0},
    {"ListFunctions", "GET", DLF_FNS "/list", list_functions, 0, 0},
    {"ListPartitions", "POST", DLF_PARTS "/list", list_partitions, 0, 1},
    {"ListPartitionsByFilter", "POST", DLF_PARTS "/listbyfilter", list_partitions_by_filter, 0, 1},
    {"ListTables", "GET", "/api/metastore/databases/tables/list", list_tables, 0, 0},
    {"UpdateDatabase", "PUT", "/api/metastore/catalogs/databases", update_database, 1, 1},
    {"UpdateFunction", "PUT", DLF_FNS, update_function, 1, 1},
    {"UpdateTable", "PUT", DLF_TABLES, update_table, 1, 1},
};
const size_t sim_dlf_nops = sizeof(sim_dlf_ops) / sizeof(sim_dlf_ops[0]);

void sim_dlf_serve(struct sim_req *rq, struct sim_resp *rs)
{
    const char *version = sim_header(rq, "x-acs-version");
    const char *action = sim_header(rq, "x-acs-action");
    const char *listkey;
    struct sim_wbatch wb;
    json_error_t jerr;
    int text;
    json_t *in = NULL;
    size_t i;
    int truncate;

    for (i = 0; i < sim_dlf_nops; i++)
        if (strcmp(sim_dlf_ops[i].method, rq->method) == 0 &&
            strcmp(sim_dlf_ops[i].path, rq->path) == 0) {
            rq->op = &sim_dlf_ops[i];
            rq->op_index = i;
            break;
        }
    if (!rq->op) {
        sim_count_rejected(rq);
        sim_dlf_gw_error(rs, rq, 404, "InvalidApi.NotFound",
                         "Specified api is not found, please check your url and method.");
        return;
    }
    if (!version || strcmp(version, DLF_VERSION) != 0) {
        sim_count_rejected(rq);
        sim_dlf_gw_error(rs, rq, 400, "InvalidVersion",
                         "Specified parameter Version is not valid (expected x-acs-version: "
                         "2020-07-10).");
        return;
    }
    if (!action || strcmp(action, rq->op->name) != 0) {
        sim_count_rejected(rq);
        sim_dlf_gw_error(rs, rq, 400, "InvalidAction.Mismatch",
                         "x-acs-action '%s' does not match the API %s addressed by %s %s.",
                         action ? action : "", rq->op->name, rq->method, rq->path);
        return;
    }
    if (sim_auth_dlf(rq, rs) < 0) {
        sim_count_rejected(rq);
        return;
    }
    if (sim_pre_handler(rq, rs, &truncate))
        return;
    listkey = batch_list_key(rq->op, &text);
    if (listkey) {
        /* The heavy part of a batch, outside the lock; anything unusual goes to jansson. */
        int r = sim_wbatch_prepare(&wb, rq->body, rq->body_len, listkey, text,
                                   rq->sim->cfg.dlf_batch_cap);

        if (r < 0) {
            nomem(rq, rs);
            return;
        }
        if (r == 0) {
            rq->wb = &wb;
            in = json_incref(wb.in);
        }
    }
    if (rq->op->body && !in) {
        in = json_loadb(rq->body ? rq->body : "", rq->body_len, 0, &jerr);
        if (!json_is_object(in)) {
            sim_dlf_error(rs, rq, 400, "InvalidInput",
                          "The request body is not a valid JSON object: %s",
                          in ? "not an object" : jerr.text);
            json_decref(in);
            return;
        }
    }
    pthread_mutex_lock(&rq->sim->mu);
    rq->op->fn(rq, in, rs);
    pthread_mutex_unlock(&rq->sim->mu);
    json_decref(in);
    if (rq->wb) {
        sim_wbatch_done(rq->wb);
        rq->wb = NULL;
    }
    if (truncate)
        rs->how = SIM_TRUNCATE;
}
