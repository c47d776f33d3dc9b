/* SPDX-License-Identifier: MIT */
/*
 * Glue databases: GetDatabases, GetDatabase, CreateDatabase, UpdateDatabase, DeleteDatabase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue_ops.h"

/* ResourceShareType: @return 0 for ALL or none, 1 when answered (no shared databases), -1. */
static int share_type(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    const json_t *rst = json_object_get(in, "ResourceShareType");
    const char *s = json_string_value(rst);

    if (!rst || json_is_null(rst))
        return 0;
    if (!s || (strcmp(s, "ALL") && strcmp(s, "FOREIGN") && strcmp(s, "FEDERATED"))) {
        sg_invalid(rq, rs,
                   "1 validation error detected: Value at 'resourceShareType' failed to "
                   "satisfy constraint: Member must satisfy enum value set: [FOREIGN, ALL, "
                   "FEDERATED]");
        return -1;
    }
    if (strcmp(s, "ALL") == 0)
        return 0;
    /* The simulator has no databases shared from other accounts or federations. */
    sg_ok(rs, json_pack("{s:[]}", "DatabaseList"));
    return 1;
}

/* AttributesToGet: *names_only, *with_target. @return 0 or -1 with the error set. */
static int attributes(struct sim_req *rq, const json_t *in, int *names_only, int *with_target,
                      struct sim_resp *rs)
{
    const json_t *atg = json_object_get(in, "AttributesToGet");
    size_t k;
    json_t *a;

    *names_only = *with_target = 0;
    if (!atg || json_is_null(atg))
        return 0;
    if (!json_is_array(atg) || json_array_size(atg) == 0) {
        sg_invalid(rq, rs, "AttributesToGet must be a non-empty list");
        return -1;
    }
    json_array_foreach(atg, k, a)
    {
        const char *s = json_string_value(a);

        if (s && strcmp(s, "NAME") == 0)
            *names_only = 1;
        else if (s && strcmp(s, "TARGET_DATABASE") == 0)
            *with_target = 1;
        else {
            sg_invalid(rq, rs, "AttributesToGet values must be NAME or TARGET_DATABASE");
            return -1;
        }
    }
    if (!*names_only) {
        sg_invalid(rq, rs, "AttributesToGet must include NAME");
        return -1;
    }
    return 0;
}

/* NextToken of GetDatabases: *start malloc'd or NULL. @return 0 or -1 with the error set. */
static int databases_token(struct sim_req *rq, const json_t *in, char **start, struct sim_resp *rs)
{
    const json_t *nt = json_object_get(in, "NextToken");

    *start = NULL;
    if (!nt || json_is_null(nt))
        return 0;
    if (!json_is_string(nt)) {
        sg_invalid(rq, rs, "NextToken must be a string");
        return -1;
    }
    if (*json_string_value(nt) && sim_token_parse(json_string_value(nt), "db", start) < 0) {
        sg_invalid(rq, rs, "Invalid NextToken");
        return -1;
    }
    return 0;
}

void sg_get_databases(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    json_int_t max;
    int names_only, with_target;
    char *start = NULL;
    const char *next;
    size_t *idx, n, i;
    json_t *list, *out;

    if (sg_catalog_ok(rq, in, rs) < 0 || sg_max_results(rq, in, 100, 100, &max, rs) < 0 ||
        share_type(rq, in, rs) != 0 || attributes(rq, in, &names_only, &with_target, rs) < 0 ||
        databases_token(rq, in, &start, rs) < 0)
        return;
    idx = malloc((size_t)max * sizeof(*idx));
    if (!idx) {
        free(start);
        sim_glue_error(rs, rq, 500, "InternalServiceException", "Out of memory");
        return;
    }
    n = sim_coll_page(&sg_cat(rq)->dbs, start, (size_t)max, NULL, idx, &next);
    list = json_array();
    for (i = 0; i < n; i++) {
        const json_t *db = sg_cat(rq)->dbs.items[idx[i]].obj;

        if (names_only) {
            json_t *p = json_pack("{s:O}", "Name", json_object_get(db, "Name"));

            if (with_target && json_object_get(db, "TargetDatabase"))
                json_object_set(p, "TargetDatabase", json_object_get(db, "TargetDatabase"));
            json_array_append_new(list, p);
        } else {
            json_array_append(list, (json_t *)db);
        }
    }
    out = json_pack("{s:o}", "DatabaseList", list);
    if (next) {
        char *tok = sim_token_make("db", next);

        json_object_set_new(out, "NextToken", json_string(tok ? tok : ""));
        free(tok);
    }
    free(idx);
    free(start);
    sg_ok(rs, out);
}

void sg_get_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024];
    const struct sim_item *it;

    if (sg_catalog_ok(rq, in, rs) < 0 || sg_name_member(rq, in, "Name", name, sizeof(name), rs) < 0)
        return;
    it = sim_coll_find(&sg_cat(rq)->dbs, name);
    if (!it) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
        return;
    }
    sg_ok(rs, json_pack("{s:O}", "Database", it->obj));
}

void sg_create_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    char err[512];
    const char *name;
    json_t *db;

    if (sg_catalog_ok(rq, in, rs) < 0)
        return;
    if (!json_is_object(di)) {
        sg_invalid(rq, rs,
                   "1 validation error detected: Value null at 'databaseInput' failed to satisfy "
                   "constraint: Member must not be null");
        return;
    }
    db = sim_glue_db_build(di, NULL, NULL, (double)time(NULL), 0, rq->sim->glue_catalog, err,
                           sizeof(err));
    if (!db) {
        sg_invalid(rq, rs, err);
        return;
    }
    name = json_string_value(json_object_get(db, "Name"));
    if (sim_coll_find(&sg_cat(rq)->dbs, name)) {
        json_decref(db);
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Database already exists.");
        return;
    }
    if (sim_coll_put(&sg_cat(rq)->dbs, name, db) < 0) {
        sim_glue_error(rs, rq, 500, "InternalServiceException", "Out of memory");
        return;
    }
    sg_ok(rs, NULL);
}

void sg_update_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *di = json_object_get(in, "DatabaseInput");
    const json_t *dn;
    char name[1024], err[512];
    struct sim_item *it;
    json_t *db;

    if (sg_catalog_ok(rq, in, rs) < 0 || sg_name_member(rq, in, "Name", name, sizeof(name), rs) < 0)
        return;
    if (!json_is_object(di)) {
        sg_invalid(rq, rs,
                   "1 validation error detected: Value null at 'databaseInput' failed to satisfy "
                   "constraint: Member must not be null");
        return;
    }
    it = sim_coll_find(&sg_cat(rq)->dbs, name);
    if (!it) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
        return;
    }
    dn = json_object_get(di, "Name");
    if (json_is_string(dn)) {
        char folded[1024];

        snprintf(folded, sizeof(folded), "%s", json_string_value(dn));
        sim_fold(folded);
        if (strcmp(folded, name) != 0) {
            sg_invalid(rq, rs, "Renaming a database is not supported.");
            return;
        }
    }
    db = sim_glue_db_build(di, name, it->obj, (double)time(NULL), 0, rq->sim->glue_catalog, err,
                           sizeof(err));
    if (!db) {
        sg_invalid(rq, rs, err);
        return;
    }
    sim_coll_put(&sg_cat(rq)->dbs, name, db);
    sg_ok(rs, NULL);
}

void sg_delete_database(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    char name[1024];

    if (sg_catalog_ok(rq, in, rs) < 0 || sg_name_member(rq, in, "Name", name, sizeof(name), rs) < 0)
        return;
    /* Glue drops the tables and functions of the database with it. */
    if (sim_coll_remove(&sg_cat(rq)->dbs, name) < 0) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Database %s not found.", name);
        return;
    }
    sg_ok(rs, NULL);
}
