/* SPDX-License-Identifier: MIT */
/*
 * DLF table batches and renames (dlf-api.md §2.2): BatchCreateTables, BatchUpdateTables,
 * BatchDeleteTables, BatchGetTables, RenameTable. A batch whose database is missing is a
 * whole-request 404 NoSuchObject; its list must be a list of at most --dlf-batch-cap
 * entries (else 400 InvalidInput); everything else is answered per item in TableErrors
 * ({TableName, ErrorDetail:{Code, Message}}) with Success:true, like the partition batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlf_ops.h"

/* The batch list member @p key of @p in, or NULL answered. */
static const json_t *tlist(struct sim_req *rq, const json_t *in, const char *key,
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

static void terr(json_t *errs, const char *name, const char *code, const char *msg)
{
    json_array_append_new(errs, json_pack("{s:s,s:{s:s,s:s}}", "TableName", name ? name : "",
                                          "ErrorDetail", "Code", code, "Message", msg));
}

/* The folded TableInput.TableName of @p ti into @p buf, or 0 when it is not a valid name. */
static int input_name(const json_t *ti, char *buf, size_t size)
{
    const char *n = json_string_value(json_object_get(ti, "TableName"));

    if (!n || !sim_name_valid(n, 255) || strlen(n) >= size)
        return 0;
    strcpy(buf, n);
    sim_fold(buf);
    return 1;
}

/* An injected item_error for table @p name? Fills code/msg. */
static int injected(struct sim_req *rq, const char *name, char *code, char *msg, size_t msglen)
{
    return sim_fault_item(rq->sim, rq->op->name, name, code, 64, msg, msglen);
}

/* One BatchCreateTables item. */
static void create_item(struct sim_req *rq, struct sim_item *db, const json_t *ti, int ine,
                        json_t *errs)
{
    char name[1024], err[512], code[64], id[48];
    struct sim_coll *kids;
    json_t *t;

    if (sim_dlf_input_check(ti, 0, err, sizeof(err)) < 0) {
        terr(errs, json_string_value(json_object_get(ti, "TableName")), "InvalidParameter", err);
        return;
    }
    if (!input_name(ti, name, sizeof(name))) {
        terr(errs, json_string_value(json_object_get(ti, "TableName")), "InvalidObject",
             "TableInput.TableName is invalid.");
        return;
    }
    if (injected(rq, name, code, err, sizeof(err))) {
        terr(errs, name, code, err);
        return;
    }
    kids = sim_item_kids(db, SIM_KID_TABLES);
    if (kids && sim_coll_find(kids, name)) {
        if (!ine)
            terr(errs, name, "AlreadyExists", "Table already exists.");
        return;
    }
    snprintf(id, sizeof(id), "sim-%lu", ++rq->sim->table_ids);
    t = sim_dlf_table_build(ti, NULL, (int64_t)time(NULL), id, err, sizeof(err));
    if (!t)
        terr(errs, name, "InvalidObject", err);
    else if (!kids || sim_coll_put(kids, name, t) < 0)
        terr(errs, name, "InternalError", "Out of memory.");
}

void sd_batch_create_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list, *ti;
    struct sim_item *db;
    json_t *errs;
    size_t i;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(list = tlist(rq, in, "TableInputs", rs)))
        return;
    errs = json_array();
    json_array_foreach(list, i, ti) create_item(rq, db, ti, sd_body_bool(in, "IfNotExists"), errs);
    sd_ok(rq, rs, json_pack("{s:o}", "TableErrors", errs));
}

/*
 * One BatchUpdateTables item: the table named by TableInput.TableName must exist
 * (InvalidOperation, as UpdateTable); a table with partitions keeps its partition keys
 * (there is no AllowPartitionKeyChange in the batch: the stricter reading).
 */
static void update_item(struct sim_req *rq, struct sim_item *db, const json_t *ti, json_t *errs)
{
    char name[1024], err[512], code[64];
    struct sim_item *t;
    json_t *nt;

    if (sim_dlf_input_check(ti, 0, err, sizeof(err)) < 0) {
        terr(errs, json_string_value(json_object_get(ti, "TableName")), "InvalidParameter", err);
        return;
    }
    if (!input_name(ti, name, sizeof(name))) {
        terr(errs, json_string_value(json_object_get(ti, "TableName")), "InvalidObject",
             "TableInput.TableName is invalid.");
        return;
    }
    if (injected(rq, name, code, err, sizeof(err))) {
        terr(errs, name, code, err);
        return;
    }
    t = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], name) : NULL;
    if (!t) {
        terr(errs, name, "InvalidOperation", "Table not found.");
        return;
    }
    nt = sim_dlf_table_build(ti, t->obj, (int64_t)time(NULL), "", err, sizeof(err));
    if (!nt) {
        terr(errs, name, "InvalidObject", err);
        return;
    }
    if (t->parts && t->parts->n && !sd_keys_equal(t->obj, nt)) {
        json_decref(nt);
        terr(errs, name, "InvalidOperation",
             "Cannot change the partition keys of a table with partitions.");
        return;
    }
    json_decref(t->obj);
    t->obj = nt;
    t->archived++;
}

void sd_batch_update_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list, *ti;
    struct sim_item *db;
    char task[64];
    json_t *errs;
    size_t i;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(list = tlist(rq, in, "TableInputs", rs)))
        return;
    errs = json_array();
    json_array_foreach(list, i, ti) update_item(rq, db, ti, errs);
    if (sd_body_bool(in, "IsAsync")) {
        snprintf(task, sizeof(task), "sim-task-%s", rq->request_id);
        sd_ok(rq, rs, json_pack("{s:o,s:s}", "TableErrors", errs, "TaskId", task));
    } else {
        sd_ok(rq, rs, json_pack("{s:o}", "TableErrors", errs));
    }
}

/* The folded name of a TableNames entry into @p buf, or 0. */
static int entry_name(const json_t *e, char *buf, size_t size)
{
    const char *n = json_string_value(e);

    if (!n || !sim_name_valid(n, 255) || strlen(n) >= size)
        return 0;
    strcpy(buf, n);
    sim_fold(buf);
    return 1;
}

void sd_batch_delete_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list, *e;
    struct sim_item *db;
    json_t *errs;
    size_t i;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(list = tlist(rq, in, "TableNames", rs)))
        return;
    errs = json_array();
    json_array_foreach(list, i, e)
    {
        char name[1024], code[64], msg[512];

        if (!entry_name(e, name, sizeof(name)))
            terr(errs, json_string_value(e), "InvalidInput", "TableNames entries must be names.");
        else if (injected(rq, name, code, msg, sizeof(msg)))
            terr(errs, name, code, msg);
        else if (!db->kids[SIM_KID_TABLES] || sim_coll_remove(db->kids[SIM_KID_TABLES], name) < 0) {
            if (!sd_body_bool(in, "IfExists"))
                terr(errs, name, "NoSuchObject", "Table not found.");
        }
    }
    sd_ok(rq, rs, json_pack("{s:o}", "TableErrors", errs));
}

/* BatchGetTables: the found tables in request order, each missing one a NoSuchObject error. */
void sd_batch_get_tables(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list, *e;
    struct sim_item *db, *t;
    json_t *errs, *tables;
    size_t i;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(list = tlist(rq, in, "TableNames", rs)))
        return;
    errs = json_array();
    tables = json_array();
    json_array_foreach(list, i, e)
    {
        char name[1024];

        if (!entry_name(e, name, sizeof(name)))
            terr(errs, json_string_value(e), "InvalidInput", "TableNames entries must be names.");
        else if (!(t = db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], name)
                                                : NULL))
            terr(errs, name, "NoSuchObject", "Table not found.");
        else
            json_array_append_new(tables, sd_table_view(db, t));
    }
    sd_ok(rq, rs, json_pack("{s:o,s:o}", "Tables", tables, "TableErrors", errs));
}

/*
 * Move table @p from of @p db to @p to with object @p obj (stolen), its partitions and
 * archived versions along. @return 0 or -1 (no memory; nothing changed).
 */
static int move_table(struct sim_item *db, const char *from, const char *to, json_t *obj)
{
    struct sim_coll *kids = db->kids[SIM_KID_TABLES];
    struct sim_item *o, *n;

    if (sim_coll_put(kids, to, obj) < 0)
        return -1;
    o = sim_coll_find(kids, from); /* item pointers move on a put */
    n = sim_coll_find(kids, to);
    n->parts = o->parts;
    n->archived = o->archived;
    o->parts = NULL;
    sim_coll_remove(kids, from);
    return 0;
}

/* RenameTable: TableName names the table, TableInput (with the new TableName) replaces it. */
void sd_rename_table(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *ti = json_object_get(in, "TableInput");
    struct sim_item *db, *t;
    char name[1024], from[1024], err[512], task[64];
    json_t *nt;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(t = sd_table(rq, db, sd_param(rq, in, "TableName"), "NoSuchObject", 404, rs)))
        return;
    if (sim_dlf_input_check(ti, 0, err, sizeof(err)) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidParameter", "%s", err);
        return;
    }
    if (!input_name(ti, name, sizeof(name))) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "TableInput.TableName is invalid.");
        return;
    }
    snprintf(from, sizeof(from), "%s", t->name);
    if (strcmp(name, from) != 0 && sim_coll_find(db->kids[SIM_KID_TABLES], name)) {
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Table %s.%s already exists.", db->name, name);
        return;
    }
    nt = sim_dlf_table_build(ti, t->obj, (int64_t)time(NULL), "", err, sizeof(err));
    if (!nt) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    if (strcmp(name, from) == 0) {
        json_decref(t->obj);
        t->obj = nt;
    } else if (move_table(db, from, name, nt) < 0) {
        sd_nomem(rq, rs);
        return;
    }
    if (sd_body_bool(in, "IsAsync")) {
        snprintf(task, sizeof(task), "sim-task-%s", rq->request_id);
        sd_ok(rq, rs, json_pack("{s:s}", "TaskId", task));
    } else {
        sd_ok(rq, rs, NULL);
    }
}
