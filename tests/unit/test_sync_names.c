/* SPDX-License-Identifier: MIT */
/*
 * Names on both sides: sync.rename (a Glue database or table under another DLF name,
 * compared by that name, so never deleted and recreated), filters matching in any case,
 * and the per-item errors of names DLF cannot hold or two Glue objects on one DLF name.
 */
#include "sync_env.h"

static const char *dlf_name(struct env *e, const char *db)
{
    return json_string_value(json_object_get(json_object_get(e->f.dlf_dbs, db), "Name"));
}

/* A database DLF cannot hold, mapped; a table mapped too; both stable across cycles and a
 * restart (the snapshot from DLF is read back under the mapped names). */
static void test_rename_maps_and_converges(void **state)
{
    struct env *e = env_new("sync:\n  rename:\n    databases: {\"sales-eu\": Sales_EU}\n"
                            "    tables: {\"sales-eu.orders-2024\": orders_2024}\n");
    const struct g2d_cycle_stats *st;

    add_db(e, "sales-eu");
    add_table(e, "sales-eu", "orders-2024", true);
    add_table(e, "sales-eu", "items", false);
    add_parts(e, "sales-eu", "orders-2024", 3);
    add_fn(e, "sales-eu", "f1");
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    assert_string_equal(dlf_name(e, "sales_eu"), "sales_eu");
    assert_null(json_object_get(e->f.dlf_dbs, "sales-eu"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales_eu.orders_2024"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales_eu.items"));
    assert_non_null(json_object_get(e->f.dlf_fns, "sales_eu.f1"));
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales_eu.orders_2024")), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(e->f.dlf_tables, "sales_eu.orders_2024"), "TableName")),
                        "orders_2024");
    assert_true(has_item(e, "partition sales_eu.orders_2024/dt=2024-01 glueNew ok"));

    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);

    /* gone from Glue: deleted under its DLF name */
    json_array_remove(json_object_get(e->f.glue_tables, "sales-eu"), 1);
    st = cycle(e, 0);
    print_items(e);
    assert_true(has_item(e, "table sales_eu.items dlfNew ok"));
    assert_null(json_object_get(e->f.dlf_tables, "sales_eu.items"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales_eu.orders_2024"));
    env_free(e);
}

/* An invalid name says how to map it; two Glue databases on one DLF name: the second is a
 * per-item error, the first is copied. */
static void test_rename_errors(void **state)
{
    struct env *e = env_new("sync:\n  rename:\n    databases: {\"web-x\": web}\n");
    const struct g2d_cycle_stats *st;

    add_db(e, "web");
    add_db(e, "web-x");
    add_db(e, "bad.name");
    add_table(e, "web", "clicks", false);
    add_table(e, "web-x", "other", false);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 2);
    assert_true(has_item(e, "database bad.name glueNew failed: DLF database names allow only "
                            "letters, digits and '_', at most 128 characters: this database is "
                            "not copied (map it to a name DLF can hold with "
                            "sync.rename.databases)"));
    assert_true(has_item(e, "database web-x glueNew failed: its DLF name 'web' is also that of "
                            "Glue database 'web' (sync.rename)"));
    assert_non_null(json_object_get(e->f.dlf_tables, "web.clicks"));
    assert_null(json_object_get(e->f.dlf_tables, "web.other"));
    env_free(e);
}

/* A DLF database whose name is renamed away is out of scope: neither read nor deleted. */
static void test_rename_source_left_alone(void **state)
{
    struct env *e = env_new(NULL);
    struct g2d_config *cfg2;
    const struct g2d_cycle_stats *st;
    const char *doc = "glue: {region: us-east-1}\ndlf: {region: cn-hangzhou}\n"
                      "deletes: {max_fraction: 1}\n"
                      "sync: {rename: {databases: {sales: sales_v2}}}\n";

    catalog(e);
    (void)cycle(e, 0);
    assert_int_equal(g2d_config_load_buffer(&cfg2, "t2.yaml", doc, strlen(doc), false, NULL), 0);
    assert_int_equal(g2d_sync_set_config(e->s, cfg2, NULL), 0);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->deleted + st->failed + st->held, 0);
    assert_non_null(json_object_get(e->f.dlf_dbs, "sales"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));
    assert_non_null(json_object_get(e->f.dlf_dbs, "sales_v2"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales_v2.orders"));
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales_v2.orders")), 5);
    st = cycle(e, 0);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    g2d_config_free(e->cfg); /* no longer in use: the cycles ran with cfg2 */
    e->cfg = cfg2;
    env_free(e);
}

/* Filters in any case select the lower-case Glue names, on both sides. */
static void test_filters_any_case(void **state)
{
    struct env *e = env_new("sync:\n  databases: [SALES]\n  table_prefixes: [Ord]\n"
                            "  partition_filters: {\"Sales.ORDERS\": \"dt >= '2024-03'\"}\n");
    const struct g2d_cycle_stats *st;

    catalog(e);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));
    assert_null(json_object_get(e->f.dlf_tables, "sales.items"));
    assert_null(json_object_get(e->f.dlf_dbs, "web"));
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales.orders")), 3);
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    env_free(e);
}

/* A filter whose meaning in Glue is not known for the table's key types (BETWEEN bounds
 * in order as integers, reversed as strings, on a string key) leaves the table's
 * partitions alone, with the reason on its line; the table itself is still copied. */
static void test_filter_refused_per_table(void **state)
{
    struct env *e =
        env_new("sync:\n  partition_filters: {\"sales.orders\": \"dt BETWEEN 5 AND 12\"}\n");
    const struct g2d_cycle_stats *st;

    catalog(e);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 1);
    assert_true(has_item(e, "table sales.orders needUpdate failed: partition filter refused for "
                            "this table: expression: BETWEEN bounds reversed as strings ('5' "
                            "above '12')"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales.orders")), 0);
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "web.clicks")), 3);
    env_free(e);
}

/* The catalog is checked whenever the snapshot is built from DLF: one the DataLake
 * 2020-07-10 API does not serve (not found, or of another type) fails the cycle with a
 * clear message, and nothing is written; a transient failure is a failed cycle too. */
static void test_catalog_check(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    e->f.catalog_code = "NoSuchObject";
    st = cycle(e, 0);
    assert_true(st->status < 0);
    print_message("  %s\n", st->error);
    assert_non_null(strstr(st->error, "DLF catalog '(default)' is not one the DataLake 2020-07-10 "
                                      "metastore API serves (DLF-Legacy): GetCatalog answered"));
    assert_int_equal(e->f.dlf_writes + e->f.dlf_lists, 0);

    e->f.catalog_code = NULL;
    e->f.catalog_type = "PAIMON";
    st = cycle(e, 0);
    assert_true(st->status < 0);
    assert_non_null(strstr(st->error, "GetCatalog gives its type as 'PAIMON'"));
    assert_int_equal(e->f.dlf_writes, 0);

    e->f.catalog_type = NULL;
    e->f.catalog_code = "InternalError";
    st = cycle(e, 0);
    assert_true(st->status < 0);
    assert_non_null(strstr(st->error, "checking the DLF catalog failed"));

    e->f.catalog_code = NULL;
    e->f.catalog_type = "HIVE";
    st = cycle(e, 0);
    assert_int_equal(st->status, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(e->f.catalog_gets, 4);
    st = cycle(e, 0); /* the snapshot is built: no check on an ordinary cycle */
    assert_int_equal(e->f.catalog_gets, 4);
    env_free(e);
}

/* The last table added under @p db in Glue. */
static json_t *last_table(struct env *e, const char *db)
{
    json_t *a = json_object_get(e->f.glue_tables, db);

    return json_array_get(a, json_array_size(a) - 1);
}

/* Tables DLF's readers cannot use as Glue's do are copied with a warning on their line. */
static void test_reader_warnings(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    json_t *t;
    size_t i;
    bool gov = false, presto = false, lf = false;

    add_db(e, "db");
    add_table(e, "db", "gov", false);
    json_object_set_new(last_table(e, "db"), "TableType", json_string("GOVERNED"));
    add_table(e, "db", "v", false);
    t = last_table(e, "db");
    json_object_set_new(t, "TableType", json_string("VIRTUAL_VIEW"));
    json_object_set_new(t, "ViewOriginalText", json_string("/* Presto View: eyJvcmln */"));
    json_object_set_new(json_object_get(t, "Parameters"), "presto_view", json_string("true"));
    add_table(e, "db", "lf", false);
    json_object_set_new(last_table(e, "db"), "IsRegisteredWithLakeFormation", json_true());
    add_table(e, "db", "plain", false);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    json_array_foreach(e->warnings, i, t)
    {
        const char *w = json_string_value(t);

        gov |= !strncmp(w, "db.gov: Lake Formation governed table", 37);
        presto |= !strncmp(w, "db.v: Athena (Presto) view", 26);
        lf |= !strncmp(w, "db.lf: registered with Lake Formation", 37);
        assert_null(strstr(w, "db.plain"));
    }
    assert_true(gov && presto && lf);
    assert_non_null(json_object_get(e->f.dlf_tables, "db.gov"));
    assert_non_null(json_object_get(e->f.dlf_tables, "db.v"));
    env_free(e);
}

/* A table over DLF's partition limit: what fits is copied, the rest is reported once and
 * not sent again while the table is at the limit. */
static void test_partition_limit_once(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    unsigned writes;

    catalog(e); /* sales.orders: 5 partitions */
    e->s->part_limit = 3;
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 1);
    assert_true(has_item(e, "table sales.orders glueNew failed: DLF holds at most 3 partitions per "
                            "table: 2 of Glue's partitions of this table are not copied"));
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales.orders")), 3);
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "web.clicks")), 3);
    writes = e->f.dlf_writes;
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed + st->created + st->updated, 0);
    assert_int_equal(e->f.dlf_writes, writes);
    /* room again: the rest is copied */
    e->s->part_limit = 10;
    st = cycle(e, 0);
    assert_int_equal(st->created, 2);
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales.orders")), 5);
    env_free(e);
}

/* A filter that selects nothing in Glue while DLF holds partitions of the table: a
 * warning in the cycle's notes, once; nothing outside the filter is touched. */
static void test_empty_filter_warned(void **state)
{
    struct env *e = env_new(NULL);
    struct g2d_config *cfg2;
    const struct g2d_cycle_stats *st;
    const char *doc = "glue: {region: us-east-1}\ndlf: {region: cn-hangzhou}\n"
                      "sync: {partition_filters: {sales.orders: \"dt >= '2030'\"}}\n";

    catalog(e);
    (void)cycle(e, 0);
    assert_int_equal(g2d_config_load_buffer(&cfg2, "t2.yaml", doc, strlen(doc), false, NULL), 0);
    assert_int_equal(g2d_sync_set_config(e->s, cfg2, NULL), 0);
    st = cycle(e, 0);
    print_message("  notes: %s\n", st->notes);
    assert_non_null(strstr(st->notes, "warning: the partition filter of sales.orders selects no "
                                      "partition in Glue while DLF holds 0 of the table's "
                                      "partitions inside it and 5 outside"));
    assert_int_equal(st->deleted + st->failed, 0);
    assert_int_equal(json_object_size(json_object_get(e->f.dlf_parts, "sales.orders")), 5);
    st = cycle(e, 0);
    assert_null(strstr(st->notes, "selects no partition"));
    g2d_config_free(e->cfg);
    e->cfg = cfg2;
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rename_maps_and_converges),
        cmocka_unit_test(test_rename_errors),
        cmocka_unit_test(test_rename_source_left_alone),
        cmocka_unit_test(test_filters_any_case),
        cmocka_unit_test(test_filter_refused_per_table),
        cmocka_unit_test(test_catalog_check),
        cmocka_unit_test(test_reader_warnings),
        cmocka_unit_test(test_partition_limit_once),
        cmocka_unit_test(test_empty_filter_warned),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
