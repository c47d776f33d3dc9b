/* SPDX-License-Identifier: MIT */
/*
 * Glue tables: GetTables, GetTable, CreateTable, UpdateTable, DeleteTable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue_ops.h"

void sg_get_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ex = json_object_get(in, "Expression");
    struct sim_item *db;
    json_int_t max;
    char *start = NULL;
    size_t len, *idx, n, i;
    const char *next;
    regex_t re;
    int have_re = 0;
    json_t *list, *out;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        sg_max_results(rq, in, 100, 100, &max, rs) < 0)
        return;
    if (ex && !json_is_null(ex)) {
        if (!json_is_string(ex) || strlen(json_string_value(ex)) > 2048 ||
            (*json_string_value(ex) && sim_pattern_compile(&re, json_string_value(ex)) < 0)) {
            sg_invalid(rq, rs, "Expression is not a valid regular expression");
            return;
        }
        have_re = *json_string_value(ex) != '\0';
    }
    if (sg_next_token(rq, in, "tbl", &start, &len, rs) < 0)
        goto out;
    if (start && memchr(start, '\0', len)) {
        sg_invalid(rq, rs, "Invalid NextToken");
        goto out;
    }
    idx = malloc((size_t)max * sizeof(*idx));
    if (!idx) {
        sg_internal(rq, rs);
        goto out;
    }
    list = json_array();
    n = 0;
    next = NULL;
    if (db->kids[SIM_KID_TABLES])
        n = sim_coll_page(db->kids[SIM_KID_TABLES], start, (size_t)max, have_re ? &re : NULL, idx,
                          &next);
    for (i = 0; i < n; i++)
        json_array_append(list, db->kids[SIM_KID_TABLES]->items[idx[i]].obj);
    out = json_pack("{s:o}", "TableList", list);
    if (next)
        sg_set_token(out, "tbl", next, strlen(next));
    free(idx);
    sg_ok(rs, out);
out:
    free(start);
    if (have_re)
        regfree(&re);
}

void sg_get_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        !(t = sg_find_table(rq, db, in, "Name", rs)))
        return;
    sg_ok(rs, json_pack("{s:O}", "Table", t->obj));
}

static const json_t *table_input(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");

    if (!json_is_object(ti))
        sg_invalid(rq, rs,
                   "1 validation error detected: Value null at 'tableInput' failed to satisfy "
                   "constraint: Member must not be null");
    return json_is_object(ti) ? ti : NULL;
}

void sg_create_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db;
    const json_t *ti;
    struct sim_coll *kids;
    char err[512];
    const char *name;
    json_t *t;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        !(ti = table_input(rq, in, rs)))
        return;
    t = sim_glue_table_build(ti, db->name, NULL, (double)time(NULL), 0, rq->sim->glue_catalog, err,
                             sizeof(err));
    if (!t) {
        sg_invalid(rq, rs, err);
        return;
    }
    name = json_string_value(json_object_get(t, "Name"));
    kids = sim_item_kids(db, SIM_KID_TABLES);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(t);
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Table already exists.");
        return;
    }
    if (!kids || sim_coll_put(kids, name, t) < 0) {
        if (!kids)
            json_decref(t);
        sg_internal(rq, rs);
        return;
    }
    sg_ok(rs, NULL);
}

void sg_update_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *it;
    const json_t *ti;
    char err[512], name[1024];
    json_t *t;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        !(ti = table_input(rq, in, rs)))
        return;
    if (!json_is_string(json_object_get(ti, "Name"))) {
        sg_invalid(rq, rs, "TableInput.Name is required");
        return;
    }
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(ti, "Name")));
    sim_fold(name);
    it = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], name) : NULL;
    if (!it) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Table %s not found.", name);
        return;
    }
    t = sim_glue_table_build(ti, db->name, it->obj, (double)time(NULL), 0, rq->sim->glue_catalog,
                             err, sizeof(err));
    if (!t) {
        sg_invalid(rq, rs, err);
        return;
    }
    sim_coll_put(db->kids[SIM_KID_TABLES], name, t);
    sg_ok(rs, NULL);
}

void sg_delete_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        !(t = sg_find_table(rq, db, in, "Name", rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_TABLES], t->name);
    sg_ok(rs, NULL);
}
