/* SPDX-License-Identifier: MIT */
/*
 * DLF tables: ListTables, ListTableNames, GetTable, CreateTable, UpdateTable, DeleteTable.
 * A table is read back with DatabaseName and TableName as the service fills them in: the
 * lower-cased names it is stored under (sd_table_view), whatever the input held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dlf_ops.h"

json_t *sd_table_view(const struct sim_item *db, const struct sim_item *t)
{
    json_t *v = json_copy(t->obj);

    if (v) {
        json_object_set_new(v, "TableName", json_string(t->name));
        json_object_set_new(v, "DatabaseName", json_string(db->name));
    }
    return v;
}

/* ListTables (Tables[]) and ListTableNames (TableNames[], @p names). */
static void list_tables_common(struct sim_req *rq, struct sim_resp *rs, int names)
{
    const char *pat = sim_query(rq, "TableNamePattern"), *tt = sim_query(rq, "TableType");
    struct sim_item *db;
    struct sim_coll *c;
    long size;
    char *start = NULL, *ntok = NULL;
    size_t len, i, n = 0;
    regex_t re;
    json_t *list;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        !(db = sd_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        sd_page_size(rq, NULL, &size, rs) < 0 ||
        sd_page_token(rq, NULL, "tbl", &start, &len, rs) < 0)
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
        json_array_append_new(list, names ? json_string(c->items[i].name)
                                          : sd_table_view(db, &c->items[i]));
        n++;
    }
    sd_ok(rq, rs,
          json_pack("{s:o,s:s}", names ? "TableNames" : "Tables", list, "NextPageToken",
                    ntok ? ntok : ""));
    free(ntok);
    free(start);
    regfree(&re);
}

void sd_list_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_tables_common(rq, rs, 0);
}

void sd_list_table_names(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    list_tables_common(rq, rs, 1);
}

void sd_get_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        !(db = sd_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(t = sd_table(rq, db, sim_query(rq, "TableName"), "NoSuchObject", 404, rs)))
        return;
    sd_ok(rq, rs, json_pack("{s:o}", "Table", sd_table_view(db, t)));
}

void sd_create_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");
    struct sim_item *db;
    struct sim_coll *kids;
    char err[512], name[1024], id[48];
    json_t *t;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)))
        return;
    if (sim_dlf_input_check(ti, 0, err, sizeof(err)) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidParameter", "%s", err);
        return;
    }
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
        sd_nomem(rq, rs);
        return;
    }
    sd_ok(rq, rs, NULL);
}

/* Partition keys compared by lower-cased name and type. */
int sd_keys_equal(const json_t *a, const json_t *b)
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

void sd_update_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");
    const char *tn = json_string_value(json_object_get(ti, "TableName"));
    struct sim_item *t;
    char err[512], task[64], folded[1024];
    json_t *nt;

    if (!(t = sd_db_table(rq, in, "InvalidOperation", 400, rs)))
        return;
    if (!json_is_object(ti)) {
        sim_dlf_error(rs, rq, 400, "InvalidInput", "TableInput is required.");
        return;
    }
    if (sim_dlf_input_check(ti, 0, err, sizeof(err)) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidParameter", "%s", err);
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
    if (t->parts && t->parts->n && !sd_body_bool(in, "AllowPartitionKeyChange") &&
        !sd_keys_equal(t->obj, nt)) {
        json_decref(nt);
        sim_dlf_error(rs, rq, 400, "InvalidOperation",
                      "Cannot change the partition keys of %s, which has partitions, without "
                      "AllowPartitionKeyChange.",
                      t->name);
        return;
    }
    json_decref(t->obj);
    t->obj = nt;
    if (!sd_body_bool(in, "SkipArchive"))
        t->archived++;
    if (sd_body_bool(in, "IsAsync")) {
        snprintf(task, sizeof(task), "sim-task-%s", rq->request_id);
        sd_ok(rq, rs, json_pack("{s:s}", "TaskId", task));
    } else {
        sd_ok(rq, rs, NULL);
    }
}

void sd_delete_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *t;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        !(db = sd_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(t = sd_table(rq, db, sim_query(rq, "TableName"), "NoSuchObject", 404, rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_TABLES], t->name); /* its partitions go with it */
    sd_ok(rq, rs, NULL);
}
