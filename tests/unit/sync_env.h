/* SPDX-License-Identifier: MIT */
/*
 * The sync engine's test bench, shared by the sync unit tests: the engine on a fake cloud
 * client (fake_cloud.h), one cycle at a time, its item results as text lines, and a small
 * Glue catalog builder.
 */
#ifndef G2D_TESTS_SYNC_ENV_H
#define G2D_TESTS_SYNC_ENV_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <unistd.h>

#include "glue2dlf/config.h"

#include "fake_cloud.h"
#include "sync/engine.h"

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

struct env {
    uv_loop_t loop;
    struct fake_cloud f;
    struct g2d_config *cfg;
    struct g2d_sync *s;
    struct g2d_cloud_client client;
    struct g2d_cycle_stats last;
    bool done;
    json_t *items;    /* the item results of the last cycle: ["type name diff ok|failed|held"] */
    json_t *warnings; /* their warnings: ["name: warning"] */
};

static void on_item(const struct g2d_item_result *r, void *arg)
{
    struct env *e = arg;

    if (r->warning)
        json_array_append_new(e->warnings, json_sprintf("%s: %s", r->name, r->warning));
    json_array_append_new(e->items, json_sprintf("%s %s %s %s%s%s", g2d_item_type_name(r->type),
                                                 r->name, g2d_diff_name(r->diff),
                                                 r->held      ? "held"
                                                 : r->success ? "ok"
                                                              : "failed",
                                                 r->error ? ": " : "", r->error ? r->error : ""));
}

static void on_done(const struct g2d_cycle_stats *st, void *arg)
{
    struct env *e = arg;

    e->last = *st;
    e->done = true;
}

static struct env *env_new(const char *yaml_extra)
{
    struct env *e = calloc(1, sizeof(*e));
    struct g2d_error err = {0};
    char doc[2048];

    snprintf(doc, sizeof(doc),
             "glue:\n  region: us-east-1\n  partition_segments: 2\n"
             "dlf:\n  region: cn-hangzhou\n  batch_size: 2\n%s",
             yaml_extra ? yaml_extra : "");
    uv_loop_init(&e->loop);
    fake_init(&e->f, &e->loop);
    if (g2d_config_load_buffer(&e->cfg, "test.yaml", doc, strlen(doc), false, &err) < 0)
        fail_msg("config: %s", err.msg);
    e->client = (struct g2d_cloud_client){&fake_ops, &e->f};
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, &err), 0);
    e->items = json_array();
    e->warnings = json_array();
    return e;
}

static void env_free(struct env *e)
{
    g2d_sync_free(e->s);
    fake_done_all(&e->f);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    g2d_config_free(e->cfg);
    json_decref(e->items);
    json_decref(e->warnings);
    free(e);
}

/* Run one cycle to its end. */
static const struct g2d_cycle_stats *cycle(struct env *e, unsigned flags)
{
    json_array_clear(e->items);
    json_array_clear(e->warnings);
    e->done = false;
    assert_int_equal(g2d_sync_start(e->s, flags, on_done, e), 0);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    if (!e->done) {
        struct g2d_sync *x = e->s;
        struct tunit *t;

        print_message("stuck: phase %d reads %u writes %u jobs %u t_active %u db_active %u dbq %p "
                      "tq %p dbs_listed %d wq %p %p batches %u page_reads %u\n",
                      x->phase, x->nreads, x->writes_inflight, x->njobs, x->t_active, x->db_active,
                      (void *)x->dbq, (void *)x->tq, x->glue_dbs.listed, (void *)x->wq_hi.head,
                      (void *)x->wq_lo.head, x->part_batches, x->page_reads);
        for (t = x->ta; t; t = t->anext)
            print_message("  active %s tw %d parts_started %d segs %u failed %d\n", t->key, t->tw,
                          t->parts_started, t->segs, t->failed);
    }
    assert_true(e->done);
    return &e->last;
}

static bool has_item(struct env *e, const char *line)
{
    size_t i;
    json_t *v;

    json_array_foreach(e->items, i, v)
    {
        if (strncmp(json_string_value(v), line, strlen(line)) == 0)
            return true;
    }
    return false;
}

static void print_items(struct env *e)
{
    size_t i;
    json_t *v;

    json_array_foreach(e->items, i, v) print_message("  %s\n", json_string_value(v));
}

/* ---- a Glue catalog ------------------------------------------------------------------- */

static json_t *glue_sd(const char *loc)
{
    return json_pack("{s:[{s:s, s:s}], s:s, s:s, s:s, s:{s:s}}", "Columns", "Name", "a", "Type",
                     "int", "Location", loc, "InputFormat",
                     "org.apache.hadoop.mapred.TextInputFormat", "OutputFormat",
                     "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "SerdeInfo",
                     "SerializationLibrary", "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
}

static void add_db(struct env *e, const char *db)
{
    json_array_append_new(e->f.glue_dbs,
                          json_pack("{s:s, s:s}", "Name", db, "LocationUri", "s3://bucket/db"));
    json_object_set_new(e->f.glue_tables, db, json_array());
    json_object_set_new(e->f.glue_fns, db, json_array());
}

static void add_table(struct env *e, const char *db, const char *t, bool partitioned)
{
    json_t *tb = json_pack("{s:s, s:s, s:s, s:o, s:{s:s}}", "Name", t, "DatabaseName", db,
                           "TableType", "EXTERNAL_TABLE", "StorageDescriptor",
                           glue_sd("s3://bucket/t"), "Parameters", "owner", "x");
    char key[256];

    if (partitioned)
        json_object_set_new(tb, "PartitionKeys",
                            json_pack("[{s:s, s:s}]", "Name", "dt", "Type", "string"));
    json_array_append_new(json_object_get(e->f.glue_tables, db), tb);
    snprintf(key, sizeof(key), "%s.%s", db, t);
    if (partitioned)
        json_object_set_new(e->f.glue_parts, key, json_array());
}

static json_t *glue_part(const char *db, const char *t, const char *v)
{
    return json_pack("{s:[s], s:s, s:s, s:o, s:{s:s}}", "Values", v, "DatabaseName", db,
                     "TableName", t, "StorageDescriptor", glue_sd("s3://bucket/p"), "Parameters",
                     "k", "v");
}

static void add_parts(struct env *e, const char *db, const char *t, int n)
{
    char key[256], v[32];
    int i;

    snprintf(key, sizeof(key), "%s.%s", db, t);
    for (i = 0; i < n; i++) {
        snprintf(v, sizeof(v), "2024-%02d", i + 1);
        json_array_append_new(json_object_get(e->f.glue_parts, key), glue_part(db, t, v));
    }
}

static void add_fn(struct env *e, const char *db, const char *fn)
{
    json_array_append_new(json_object_get(e->f.glue_fns, db),
                          json_pack("{s:s, s:s, s:s, s:s, s:s}", "FunctionName", fn, "DatabaseName",
                                    db, "ClassName", "com.example.Fn", "OwnerName", "o",
                                    "OwnerType", "USER"));
}

/* Two databases, three tables (two partitioned, 5 and 3 partitions), a function. */
static void catalog(struct env *e)
{
    add_db(e, "sales");
    add_db(e, "web");
    add_table(e, "sales", "orders", true);
    add_table(e, "sales", "items", false);
    add_table(e, "web", "clicks", true);
    add_parts(e, "sales", "orders", 5);
    add_parts(e, "web", "clicks", 3);
    add_fn(e, "sales", "f1");
}

#endif
