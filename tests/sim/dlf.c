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
 *   service errors, body {"Success":false,"Code",...,"HttpStatusCode":N} (sent with HTTP
 *   200 under --dlf-errors-200, HttpStatusCode still N):
 *     NoSuchObject 404, UnknownTable 404, AlreadyExists 409, InvalidObject / InvalidInput /
 *     InvalidOperation 400, InternalError 500
 *   gateway errors, body {"RequestId","HostId","Code","Message","Recommend"}:
 *     signature and credential errors 400 (InvalidAccessKeyId.NotFound 404),
 *     Throttling.User 400, Forbidden.RAM 403, InvalidApi.NotFound 404,
 *     request body over 16 MiB 413 RequestEntityTooLarge
 * Other choices: names are folded to lower case; PageSize defaults to 100 and must be
 * 1..1000 (--dlf-page-max lowers both); NamePattern is a POSIX extended regex matched against the whole name;
 * NextPageToken is hex("db:<first name of next page>"); DeleteDatabase with Async=true
 * still deletes at once and returns a TaskId; UpdateDatabase may not rename; a CatalogId
 * other than --dlf-catalog-id (when given) is NoSuchObject. Tables, partitions, functions:
 * IsShareSd=true is refused (InvalidInput); UpdateTable may not rename; ListFunctions needs
 * DatabaseName; partition page tokens are hex("part:<key of the next partition>"); a
 * ListPartitionsByFilter value that cannot be cast is InvalidInput (DLF has no
 * InvalidStateException); per-item batch errors are listed in README.md.
 *
 * This file: errors, the request helpers of dlf_ops.h, the route table and dispatch; the
 * handlers are in dlf_db.c, dlf_table.c, dlf_part.c and dlf_fn.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dlf_ops.h"

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
    /* --dlf-errors-200: the envelope keeps the status it stands for, the HTTP status is 200 */
    sim_resp_json(rs, rq->sim->cfg.dlf_errors_200 ? 200 : status,
                  envelope(rq, 0, code, msg, status), 0, DLF_CT);
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
void sd_ok(struct sim_req *rq, struct sim_resp *rs, json_t *extra)
{
    json_t *env = envelope(rq, 1, "OK", "", 200);

    if (extra) {
        json_object_update(env, extra);
        json_decref(extra);
    }
    sim_resp_json(rs, 200, env, 0, DLF_CT);
}

struct sim_catalog *sd_cat(struct sim_req *rq)
{
    return &rq->sim->cat[SIM_DLF];
}

/* CatalogId from the query or the body; @return 0 or -1 with the error set. */
int sd_catalog_ok(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
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
int sd_take_name(struct sim_req *rq, const char *s, char *buf, size_t bufsz, struct sim_resp *rs)
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

int sd_parse_bool(const char *s, int *out)
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

void sd_nomem(struct sim_req *rq, struct sim_resp *rs)
{
    sim_dlf_error(rs, rq, 500, "InternalError", "Out of memory.");
}

/* A string parameter from the body when there is one, else from the query. */
const char *sd_param(struct sim_req *rq, const json_t *in, const char *key)
{
    if (in)
        return json_string_value(json_object_get(in, key));
    return sim_query(rq, key);
}

/* PageSize from the body (integer) or the query (text): 1..--dlf-page-max, default 100. */
int sd_page_size(struct sim_req *rq, const json_t *in, long *out, struct sim_resp *rs)
{
    const json_t *v = in ? json_object_get(in, "PageSize") : NULL;
    const char *s = in ? NULL : sim_query(rq, "PageSize");
    char *end, msg[128];

    *out = rq->sim->cfg.dlf_page_max < 100 ? (long)rq->sim->cfg.dlf_page_max : 100;
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
    if (*out >= 1 && *out <= (long)rq->sim->cfg.dlf_page_max)
        return 0;
bad:
    sim_dlf_page_msg(msg, sizeof(msg), rq->sim->cfg.dlf_page_max);
    sim_dlf_error(rs, rq, 400, "InvalidInput", "%s", msg);
    return -1;
}

/* NextPageToken of @p kind ("" or absent = first page). */
int sd_page_token(struct sim_req *rq, const json_t *in, const char *kind, char **key, size_t *len,
                  struct sim_resp *rs)
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

struct sim_item *sd_db(struct sim_req *rq, const char *name, const char *code, unsigned status,
                       struct sim_resp *rs)
{
    char nm[1024];
    struct sim_item *it;

    if (sd_take_name(rq, name, nm, sizeof(nm), rs) < 0)
        return NULL;
    it = sim_coll_find(&sd_cat(rq)->dbs, nm);
    if (!it)
        sim_dlf_error(rs, rq, status, code, "Database %s not found.", nm);
    return it;
}

struct sim_item *sd_table(struct sim_req *rq, struct sim_item *db, const char *name,
                          const char *code, unsigned status, struct sim_resp *rs)
{
    char nm[1024];
    struct sim_item *it;

    if (sd_take_name(rq, name, nm, sizeof(nm), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], nm) : NULL;
    if (!it)
        sim_dlf_error(rs, rq, status, code, "Table %s.%s not found.", db->name, nm);
    return it;
}

/* Database and table named by DatabaseName and TableName, missing ones answered @p code. */
struct sim_item *sd_db_table(struct sim_req *rq, const json_t *in, const char *code,
                             unsigned status, struct sim_resp *rs)
{
    struct sim_item *db;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), code, status, rs)))
        return NULL;
    return sd_table(rq, db, sd_param(rq, in, "TableName"), code, status, rs);
}

/* A body member that is JSON true. */
int sd_body_bool(const json_t *in, const char *key)
{
    return json_is_true(json_object_get(in, key));
}

/* The list member of the batch actions whose body is prepared without the lock (dlfw.c). */
static const char *batch_list_key(const struct sim_op *op, int *text)
{
    *text = op->fn != sd_batch_delete_partitions;
    if (op->fn == sd_batch_create_partitions || op->fn == sd_batch_update_partitions)
        return "PartitionInputs";
    if (op->fn == sd_batch_delete_partitions)
        return "PartitionValueList";
    return NULL;
}

/* The route table (dlf-api.md §2). New actions are added here. */
const struct sim_op sim_dlf_ops[] = {
    {"BatchCreatePartitions", "POST", DLF_PARTS "/batchcreate", sd_batch_create_partitions, 1, 1},
    {"BatchCreateTables", "POST", DLF_TABLES "/batchcreate", sd_batch_create_tables, 1, 1},
    {"BatchDeletePartitions", "POST", DLF_PARTS "/batchdelete", sd_batch_delete_partitions, 1, 1},
    {"BatchDeleteTables", "POST", DLF_TABLES "/batchdelete", sd_batch_delete_tables, 1, 1},
    {"BatchGetPartitions", "POST", DLF_PARTS "/batchget", sd_batch_get_partitions, 0, 1},
    {"BatchGetTables", "POST", DLF_TABLES "/batchget", sd_batch_get_tables, 0, 1},
    {"BatchUpdatePartitions", "PUT", DLF_PARTS "/batchupdate", sd_batch_update_partitions, 1, 1},
    {"BatchUpdateTables", "POST", DLF_TABLES "/batchupdate", sd_batch_update_tables, 1, 1},
    {"CreateDatabase", "POST", "/api/metastore/catalogs/databases", sd_create_database, 1, 1},
    {"CreateFunction", "POST", DLF_FNS, sd_create_function, 1, 1},
    {"CreateTable", "POST", DLF_TABLES, sd_create_table, 1, 1},
    {"DeleteDatabase", "DELETE", "/api/metastore/catalogs/databases", sd_delete_database, 1, 0},
    {"DeleteFunction", "DELETE", DLF_FNS, sd_delete_function, 1, 0},
    {"DeleteTable", "DELETE", DLF_TABLES, sd_delete_table, 1, 0},
    {"GetCatalog", "GET", "/api/metastore/catalogs", sd_get_catalog, 0, 0},
    {"GetDatabase", "GET", "/api/metastore/catalogs/databases", sd_get_database, 0, 0},
    {"GetFunction", "GET", DLF_FNS, sd_get_function, 0, 0},
    {"GetPartition", "POST", DLF_PARTS "/get", sd_get_partition, 0, 1},
    {"GetTable", "GET", DLF_TABLES, sd_get_table, 0, 0},
    {"ListDatabases", "GET", "/api/metastore/catalogs/databases/list", sd_list_databases, 0, 0},
    {"ListFunctions", "GET", DLF_FNS "/list", sd_list_functions, 0, 0},
    {"ListPartitionNames", "POST", DLF_PARTS "/names", sd_list_partition_names, 0, 1},
    {"ListPartitions", "POST", DLF_PARTS "/list", sd_list_partitions, 0, 1},
    {"ListPartitionsByFilter", "POST", DLF_PARTS "/listbyfilter", sd_list_partitions_by_filter, 0,
     1},
    {"ListTableNames", "GET", DLF_TABLES "/names", sd_list_table_names, 0, 0},
    {"ListTables", "GET", "/api/metastore/databases/tables/list", sd_list_tables, 0, 0},
    {"RenamePartition", "POST", DLF_PARTS "/rename", sd_rename_partition, 1, 1},
    {"RenameTable", "PUT", DLF_TABLES "/rename", sd_rename_table, 1, 1},
    {"UpdateDatabase", "PUT", "/api/metastore/catalogs/databases", sd_update_database, 1, 1},
    {"UpdateFunction", "PUT", DLF_FNS, sd_update_function, 1, 1},
    {"UpdateTable", "PUT", DLF_TABLES, sd_update_table, 1, 1},
};
const size_t sim_dlf_nops = sizeof(sim_dlf_ops) / sizeof(sim_dlf_ops[0]);

/* Route by method and path, then check the version and action headers; -1 if answered. */
static int route(struct sim_req *rq, struct sim_resp *rs)
{
    const char *version = sim_header(rq, "x-acs-version");
    const char *action = sim_header(rq, "x-acs-action");
    size_t i;

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
        return -1;
    }
    if (!version || strcmp(version, DLF_VERSION) != 0) {
        sim_count_rejected(rq);
        sim_dlf_gw_error(rs, rq, 400, "InvalidVersion",
                         "Specified parameter Version is not valid (expected x-acs-version: "
                         "2020-07-10).");
        return -1;
    }
    if (!action || strcmp(action, rq->op->name) != 0) {
        sim_count_rejected(rq);
        sim_dlf_gw_error(rs, rq, 400, "InvalidAction.Mismatch",
                         "x-acs-action '%s' does not match the API %s addressed by %s %s.",
                         action ? action : "", rq->op->name, rq->method, rq->path);
        return -1;
    }
    return 0;
}

void sim_dlf_serve(struct sim_req *rq, struct sim_resp *rs)
{
    const char *listkey;
    struct sim_wbatch wb;
    json_error_t jerr;
    int text;
    json_t *in = NULL;
    int truncate;

    if (route(rq, rs) < 0)
        return;
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
            sd_nomem(rq, rs);
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
    sim_damage(rq, in, rs);
    json_decref(in);
    if (rq->wb) {
        sim_wbatch_done(rq->wb);
        rq->wb = NULL;
    }
    if (truncate)
        rs->how = SIM_TRUNCATE;
}
