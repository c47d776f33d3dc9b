/* SPDX-License-Identifier: MIT */
/*
 * DLF databases: CreateDatabase, GetDatabase, ListDatabases, UpdateDatabase, DeleteDatabase.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dlf_ops.h"

void sd_create_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    char err[512];
    const char *name;
    json_t *db;

    if (sd_catalog_ok(rq, in, rs) < 0)
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
    if (sim_coll_find(&sd_cat(rq)->dbs, name)) {
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Database %s already exists.", name);
        json_decref(db);
        return;
    }
    if (sim_coll_put(&sd_cat(rq)->dbs, name, db) < 0) {
        sim_dlf_error(rs, rq, 500, "InternalError", "Out of memory.");
        return;
    }
    sd_ok(rq, rs, NULL);
}

/* GetCatalog: the one catalog the simulator serves (--dlf-catalog-id, any when unset), of
 * the kind --dlf-catalog-type names (a Type member the 2020-07-10 model does not have, to
 * stand for a catalog that is not DLF-Legacy); another id is NoSuchObject. */
void sd_get_catalog(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const char *id = rq->sim->cfg.dlf_catalog_id, *q = sim_query(rq, "CatalogId");
    json_t *cat;

    if (sd_catalog_ok(rq, NULL, rs) < 0)
        return;
    if (!id)
        id = q && *q ? q : "1234567890123456";
    cat = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "CatalogId", id, "Description",
                    "simulated DLF-Legacy catalog", "LocationUri", "oss://sim-catalog/", "Owner",
                    "sim", "CreateTime", (json_int_t)1600000000, "UpdateTime",
                    (json_int_t)1600000000);
    if (cat && rq->sim->cfg.dlf_catalog_type)
        json_object_set_new(cat, "Type", json_string(rq->sim->cfg.dlf_catalog_type));
    sd_ok(rq, rs, json_pack("{s:o}", "Catalog", cat));
}

void sd_get_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024];
    const struct sim_item *it;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        sd_take_name(rq, sim_query(rq, "Name"), name, sizeof(name), rs) < 0)
        return;
    it = sim_coll_find(&sd_cat(rq)->dbs, name);
    if (!it) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Database %s not found.", name);
        return;
    }
    sd_ok(rq, rs, json_pack("{s:O}", "Database", it->obj));
}

void sd_list_databases(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const char *pat = sim_query(rq, "NamePattern");
    const char *tok = sim_query(rq, "NextPageToken");
    long size;
    char *start = NULL, *ntok;
    const char *next;
    regex_t re;
    size_t *idx, n, i;
    json_t *list;

    if (sd_catalog_ok(rq, NULL, rs) < 0 || sd_page_size(rq, NULL, &size, rs) < 0)
        return;
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
    n = sim_coll_page(&sd_cat(rq)->dbs, start, (size_t)size, &re, idx, &next);
    list = json_array();
    for (i = 0; i < n; i++)
        json_array_append(list, sd_cat(rq)->dbs.items[idx[i]].obj);
    ntok = next ? sim_token_make("db", next) : NULL;
    sd_ok(rq, rs, json_pack("{s:o,s:s}", "Databases", list, "NextPageToken", ntok ? ntok : ""));
    free(ntok);
    free(idx);
    free(start);
    regfree(&re);
}

void sd_update_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    const json_t *dn;
    char name[1024], err[512];
    struct sim_item *it;
    json_t *db;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        sd_take_name(rq, json_string_value(json_object_get(in, "Name")), name, sizeof(name), rs) <
            0)
        return;
    if (!json_is_object(di)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "DatabaseInput is required.");
        return;
    }
    it = sim_coll_find(&sd_cat(rq)->dbs, name);
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
    sim_coll_put(&sd_cat(rq)->dbs, name, db);
    sd_ok(rq, rs, NULL);
}

void sd_delete_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024], task[64];
    int cascade, async;
    struct sim_item *it;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        sd_take_name(rq, sim_query(rq, "Name"), name, sizeof(name), rs) < 0)
        return;
    if (sd_parse_bool(sim_query(rq, "Cascade"), &cascade) < 0 ||
        sd_parse_bool(sim_query(rq, "Async"), &async) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "Cascade and Async must be true or false.");
        return;
    }
    it = sim_coll_find(&sd_cat(rq)->dbs, name);
    if (!it) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Database %s not found.", name);
        return;
    }
    if (!cascade && (sim_item_nkids(it, SIM_KID_TABLES) || sim_item_nkids(it, SIM_KID_FUNCTIONS))) {
        sim_dlf_error(rs, rq, 400, "InvalidOperation",
                      "Database %s is not empty. One or more tables or functions exist.", name);
        return;
    }
    sim_coll_remove(&sd_cat(rq)->dbs, name);
    if (async) {
        snprintf(task, sizeof(task), "sim-task-%s", rq->request_id);
        sd_ok(rq, rs, json_pack("{s:s}", "TaskId", task));
    } else {
        sd_ok(rq, rs, NULL);
    }
}
