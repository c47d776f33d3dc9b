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
 *     NoSuchObject 404, AlreadyExists 409, InvalidObject / InvalidInput /
 *     InvalidOperation 400, InternalError 500
 *   gateway errors, body {"RequestId","HostId","Code","Message","Recommend"}:
 *     signature and credential errors 400 (InvalidAccessKeyId.NotFound 404),
 *     Throttling.User 400, Forbidden.RAM 403, InvalidApi.NotFound 404,
 *     request body over 16 MiB 413 RequestEntityTooLarge
 * Other choices: names are folded to lower case; PageSize defaults to 100 and must be
 * 1..1000; NamePattern is a POSIX extended regex matched against the whole name;
 * NextPageToken is hex("db:<first name of next page>"); DeleteDatabase with Async=true
 * still deletes at once and returns a TaskId; UpdateDatabase may not rename; a CatalogId
 * other than --dlf-catalog-id (when given) is NoSuchObject.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The route table (dlf-api.md §2). New actions are added here. */
const struct sim_op sim_dlf_ops[] = {
    {"CreateDatabase", "POST", "/api/metastore/catalogs/databases", create_database, 1, 1},
    {"DeleteDatabase", "DELETE", "/api/metastore/catalogs/databases", delete_database, 1, 0},
    {"GetDatabase", "GET", "/api/metastore/catalogs/databases", get_database, 0, 0},
    {"ListDatabases", "GET", "/api/metastore/catalogs/databases/list", list_databases, 0, 0},
    {"UpdateDatabase", "PUT", "/api/metastore/catalogs/databases", update_database, 1, 1},
};
const size_t sim_dlf_nops = sizeof(sim_dlf_ops) / sizeof(sim_dlf_ops[0]);

void sim_dlf_serve(struct sim_req *rq, struct sim_resp *rs)
{
    const char *version = sim_header(rq, "x-acs-version");
    const char *action = sim_header(rq, "x-acs-action");
    json_error_t jerr;
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
    if (rq->op->body) {
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
    if (truncate)
        rs->how = SIM_TRUNCATE;
}
