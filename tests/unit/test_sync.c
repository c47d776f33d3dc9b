/* SPDX-License-Identifier: MIT */
/*
 * The sync engine's stages (extract, pages, diff, deletes, load, rebuild) against a fake
 * cloud client: no HTTP, milliseconds per case. What DLF ends up holding, which writes
 * were sent, what each cycle reports.
 */
#include "sync_env.h"

static size_t dlf_parts(struct env *e, const char *key)
{
    return json_object_size(json_object_get(e->f.dlf_parts, key));
}

/* ---- cases ---------------------------------------------------------------------------- */

static void test_first_sync_then_unchanged(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    unsigned writes;

    catalog(e);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->status, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->created, 2 + 3 + 8 + 1);
    assert_int_equal(json_object_size(e->f.dlf_dbs), 2);
    assert_int_equal(json_object_size(e->f.dlf_tables), 3);
    assert_int_equal(json_object_size(e->f.dlf_fns), 1);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(dlf_parts(e, "web.clicks"), 3);
    assert_true(has_item(e, "partition sales.orders/dt=2024-01 glueNew ok"));
    /* batches of batch_size (2): 5 partitions are 3 batches, 3 are 2 */
    assert_int_equal(e->f.dlf_writes, 2 + 3 + 1 + 3 + 2);

    writes = e->f.dlf_writes;
    e->f.dlf_lists = 0;
    st = cycle(e, 0);
    assert_int_equal(st->status, 0);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    assert_int_equal(st->unchanged, 2 + 3 + 8 + 1);
    assert_int_equal(e->f.dlf_writes, writes); /* an unchanged cycle costs DLF nothing */
    assert_int_equal(e->f.dlf_lists, 0);
    assert_int_equal(st->dlf_requests, 0);
    env_free(e);
}

static void test_rebuild_sees_dlf(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    /* A new engine (a restart) rebuilds its snapshot from DLF and finds nothing to do. */
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    e->f.dlf_writes = 0;
    st = cycle(e, 0);
    assert_int_equal(st->status, 0);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    assert_int_equal(e->f.dlf_writes, 0);
    assert_true(e->f.dlf_lists > 0);
    env_free(e);
}

static void test_changes(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    json_t *parts;

    catalog(e);
    (void)cycle(e, 0);
    /* one partition changed, one gone, one table added, a function changed */
    parts = json_object_get(e->f.glue_parts, "sales.orders");
    json_object_set_new(json_object_get(json_array_get(parts, 0), "Parameters"), "k",
                        json_string("changed"));
    json_array_remove(parts, 4);
    add_table(e, "web", "views", true);
    add_parts(e, "web", "views", 2);
    json_object_set_new(json_array_get(json_object_get(e->f.glue_fns, "sales"), 0), "ClassName",
                        json_string("com.example.Fn2"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->status, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->updated, 2);
    assert_int_equal(st->deleted, 1);
    assert_int_equal(st->created, 1 + 2);
    assert_true(has_item(e, "partition sales.orders/dt=2024-01 needUpdate ok"));
    assert_true(has_item(e, "partition sales.orders/dt=2024-05 dlfNew ok"));
    assert_true(has_item(e, "function sales.f1 needUpdate ok"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 4);
    assert_int_equal(dlf_parts(e, "web.views"), 2);
    env_free(e);
}

static void test_table_and_database_deletes(void **state)
{
    struct env *e = env_new("deletes:\n  max_fraction: 1\n");
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 1); /* sales.items */
    st = cycle(e, 0);
    assert_int_equal(st->deleted, 1);
    assert_true(has_item(e, "table sales.items dlfNew ok"));
    assert_null(json_object_get(e->f.dlf_tables, "sales.items"));
    /* a database gone from Glue: its contents first, then itself */
    json_array_remove(e->f.glue_dbs, 1); /* web */
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    assert_true(has_item(e, "table web.clicks dlfNew ok"));
    assert_true(has_item(e, "database web dlfNew ok"));
    assert_null(json_object_get(e->f.dlf_dbs, "web"));
    env_free(e);
}

/* A listing that failed scopes out the deletes below it. */
static void test_failed_listing_deletes_nothing(void **state)
{
    static const struct {
        int what;
        bool malformed;
    } cases[] = {
        {G2D_LIST_GLUE_TABLES, false},
        {G2D_LIST_GLUE_TABLES, true},
        {G2D_LIST_GLUE_PARTITIONS, false},
        {G2D_LIST_GLUE_FUNCTIONS, true},
    };
    size_t c;

    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct env *e = env_new("deletes:\n  max_fraction: 1\n");
        const struct g2d_cycle_stats *st;
        size_t tables, fns, parts;

        catalog(e);
        (void)cycle(e, 0);
        tables = json_object_size(e->f.dlf_tables);
        fns = json_object_size(e->f.dlf_fns);
        parts = dlf_parts(e, "sales.orders");
        /* everything of 'sales' gone from Glue, and its listing fails */
        json_array_clear(json_object_get(e->f.glue_tables, "sales"));
        json_array_clear(json_object_get(e->f.glue_fns, "sales"));
        json_array_clear(json_object_get(e->f.glue_parts, "sales.orders"));
        if (cases[c].what == G2D_LIST_GLUE_PARTITIONS)
            add_table(e, "sales", "orders", true); /* the table stays, its pages fail */
        e->f.fail_what = cases[c].what;
        e->f.fail_db = "sales";
        e->f.fail_malformed = cases[c].malformed;
        st = cycle(e, 0);
        print_items(e);
        assert_true(st->failed > 0);
        if (cases[c].what == G2D_LIST_GLUE_TABLES) {
            assert_int_equal(json_object_size(e->f.dlf_tables), tables);
            assert_int_equal(dlf_parts(e, "sales.orders"), parts);
        } else if (cases[c].what == G2D_LIST_GLUE_PARTITIONS) {
            assert_int_equal(dlf_parts(e, "sales.orders"), parts);
        } else {
            assert_int_equal(json_object_size(e->f.dlf_fns), fns);
        }
        env_free(e);
    }
}

/* A malformed GetPartitions page is asked for again; when it stays malformed, the table's
 * listing fails and none of its partitions is deleted. */
static void test_malformed_page_retried(void **state)
{
    struct env *e = env_new("deletes:\n  max_fraction: 1\n");
    const struct g2d_cycle_stats *st;

    catalog(e);
    e->f.bad_pages = 2;
    st = cycle(e, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(e->f.bad_pages, 0);
    json_array_remove(json_object_get(e->f.glue_parts, "sales.orders"), 0);
    json_array_remove(json_object_get(e->f.glue_parts, "web.clicks"), 0);
    e->f.bad_pages = 1000;
    st = cycle(e, 0);
    print_items(e);
    assert_true(st->failed >= 2);
    assert_true(has_item(e, "table sales.orders needUpdate failed: listing Glue partitions "
                            "failed: GetPartitions: member 'Partitions' missing"));
    assert_int_equal(st->deleted, 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(dlf_parts(e, "web.clicks"), 3);
    env_free(e);
}

static void test_item_error_reported_and_retried(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    json_object_set_new(e->f.item_codes, "[\"2024-03\"]", json_string("InvalidObject"));
    st = cycle(e, 0);
    print_items(e);
    /* dt=2024-03 of both partitioned tables */
    assert_int_equal(st->failed, 2);
    assert_true(has_item(e, "partition sales.orders/dt=2024-03 glueNew failed: DLF InvalidObject: "
                            "refused by the test"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 4);
    assert_int_equal(dlf_parts(e, "web.clicks"), 2);
    /* not recorded as done: the next cycle writes them */
    json_object_clear(e->f.item_codes);
    st = cycle(e, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->created, 2);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(dlf_parts(e, "web.clicks"), 3);
    env_free(e);
}

/* A write that stuck though its answer was lost, then dropped from Glue: DLF must follow. */
static void test_lost_answer_then_dropped_in_glue(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    add_fn(e, "sales", "f0");
    (void)cycle(e, 0);
    json_array_append_new(json_object_get(e->f.glue_parts, "sales.orders"),
                          glue_part("sales", "orders", "2024-09"));
    add_fn(e, "sales", "f2");
    e->f.lost_answers = 2; /* the partition batch and the function create */
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 2);
    assert_int_equal(dlf_parts(e, "sales.orders"), 6); /* both writes took effect */
    assert_int_equal(json_object_size(e->f.dlf_fns), 3);
    /* Glue drops both before they were ever written again */
    json_array_remove(json_object_get(e->f.glue_parts, "sales.orders"), 5);
    json_array_remove(json_object_get(e->f.glue_fns, "sales"), 2);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(json_object_size(e->f.dlf_fns), 2);
    assert_null(json_object_get(e->f.dlf_fns, "sales.f2"));
    /* and a lost answer of a create that Glue keeps: written again, then settled */
    json_array_append_new(json_object_get(e->f.glue_parts, "sales.orders"),
                          glue_part("sales", "orders", "2024-10"));
    e->f.lost_answers = 1;
    st = cycle(e, 0);
    assert_int_equal(st->failed, 1);
    st = cycle(e, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 6);
    st = cycle(e, 0);
    assert_int_equal(st->failed + st->created + st->updated + st->deleted, 0);
    env_free(e);
}

static void test_stale_snapshot_other_verb(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    /* Someone removed a table and a partition in DLF behind our back: the update finds
     * nothing and becomes a create. */
    json_object_del(e->f.dlf_tables, "sales.items");
    json_object_del(json_object_get(e->f.dlf_parts, "sales.orders"), "[\"2024-01\"]");
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(e->f.glue_tables, "sales"), 1),
                        "Parameters"),
        "owner", json_string("y"));
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(e->f.glue_parts, "sales.orders"), 0),
                        "Parameters"),
        "k", json_string("w"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->updated, 2);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.items"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    env_free(e);
}

/* An update refused for a real reason is reported with that reason, not with the error of
 * the create tried in case the snapshot was stale. */
static void test_update_error_not_replaced(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(e->f.glue_tables, "sales"), 1),
                        "Parameters"),
        "owner", json_string("y"));
    json_object_set_new(e->f.obj_codes, "update sales.items", json_string("InvalidOperation"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 1);
    assert_true(has_item(e, "table sales.items needUpdate failed: injected update failure"));
    assert_true(has_item(e, "table sales.items needUpdate failed: injected update failure (the "
                            "create tried instead failed too: already exists)"));
    /* a partition update refused as invalid: DLF's own code, and no create tried */
    json_object_clear(e->f.obj_codes);
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(e->f.glue_parts, "sales.orders"), 1),
                        "Parameters"),
        "k", json_string("w"));
    json_object_set_new(e->f.item_codes, "[\"2024-02\"]", json_string("InvalidObject"));
    e->f.dlf_writes = 0;
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 1);
    assert_true(has_item(e, "partition sales.orders/dt=2024-02 needUpdate failed: DLF "
                            "InvalidObject: refused by the test"));
    assert_int_equal(e->f.dlf_writes, 2); /* the table's update and one batch: no re-send */
    env_free(e);
}

static void test_guards_hold(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    /* every partition of a table gone: the empty-source guard holds them */
    json_array_clear(json_object_get(e->f.glue_parts, "sales.orders"));
    st = cycle(e, 0);
    assert_int_equal(st->held, 5);
    assert_int_equal(st->deleted, 0);
    assert_true(has_item(e, "partition sales.orders/dt=2024-01 dlfNew held"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    env_free(e);
}

/* The guards look where a bad answer lands: one database, not only the whole catalog. */
static void test_guards_per_database(void **state)
{
    struct env *e = env_new("deletes:\n  max_fraction: 0.5\n");
    const struct g2d_cycle_stats *st;
    char t[16];
    int i;

    catalog(e);
    for (i = 0; i < 20; i++) { /* a large catalog: 'web' holds 21 tables */
        snprintf(t, sizeof(t), "t%02d", i);
        add_table(e, "web", t, false);
    }
    (void)cycle(e, 0);
    /* 'sales' suddenly lists no table (2 of 23 catalog-wide: under max_fraction) */
    json_array_clear(json_object_get(e->f.glue_tables, "sales"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->deleted, 0);
    assert_int_equal(st->held, 2);
    assert_true(has_item(e, "table sales.orders dlfNew held: delete held: Glue listed no tables "
                            "in database 'sales' while DLF holds 2 there (empty-source guard)"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.items"));
    env_free(e);

    e = env_new("deletes:\n  max_fraction: 0.5\n");
    catalog(e);
    add_table(e, "sales", "third", false);
    for (i = 0; i < 20; i++) {
        snprintf(t, sizeof(t), "t%02d", i);
        add_table(e, "web", t, false);
    }
    (void)cycle(e, 0);
    /* 'sales' loses 2 of its 3 tables: over max_fraction in that database */
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 0);
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 0);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->deleted, 0);
    assert_int_equal(st->held, 2);
    assert_true(has_item(e, "table sales.orders dlfNew held: delete held: 2 of 3 tables of "
                            "database 'sales' (67%) exceed deletes.max_fraction (50%)"));
    env_free(e);
}

/* A database gone from Glue takes its contents with it only when its own delete may go. */
static void test_database_guard_holds_contents(void **state)
{
    struct env *e = env_new("deletes:\n  max_fraction: 0.4\n");
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    json_array_remove(e->f.glue_dbs, 1); /* web: 1 of 2 databases (50%) */
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->deleted, 0);
    assert_true(has_item(e, "database web dlfNew held"));
    assert_true(has_item(e, "table web.clicks dlfNew held"));
    assert_non_null(json_object_get(e->f.dlf_tables, "web.clicks"));
    assert_int_equal(dlf_parts(e, "web.clicks"), 3);
    env_free(e);
}

static void set_keys(struct env *e, const char *db, size_t t, json_t *keys)
{
    json_object_set_new(json_array_get(json_object_get(e->f.glue_tables, db), t), "PartitionKeys",
                        keys);
}

/* A key whose type changes is updated in place; the partitions stay. */
static void test_key_type_change_in_place(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    set_keys(e, "sales", 0, json_pack("[{s:s, s:s}]", "Name", "dt", "Type", "date"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed + st->held + st->deleted, 0);
    assert_int_equal(st->updated, 1);
    assert_int_equal(e->f.key_changes, 1);
    assert_true(has_item(e, "table sales.orders needUpdate ok"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    st = cycle(e, 0); /* and then it is in sync */
    assert_int_equal(st->updated + st->created + st->deleted, 0);
    env_free(e);
}

/* Renamed keys: held by the delete guards; with them allowed, dropped only after Glue's
 * partitions listed completely, then recreated with every partition. */
static void test_key_rename_guarded(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    struct g2d_config *cfg2;
    json_t *parts;
    size_t i;

    catalog(e);
    (void)cycle(e, 0);
    set_keys(e, "sales", 0, json_pack("[{s:s, s:s}]", "Name", "day", "Type", "string"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->held, 1);
    assert_int_equal(st->deleted, 0);
    assert_true(has_item(e, "table sales.orders needUpdate held: partition keys changed in Glue "
                            "from (dt string) to (day string); DLF cannot rename partition keys "
                            "in place, so the table would be dropped with its 5 partitions"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);

    /* allowed, but Glue's partition listing fails: nothing is dropped */
    assert_int_equal(g2d_config_load_buffer(&cfg2, "t2.yaml",
                                            "glue: {region: us-east-1}\n"
                                            "dlf: {region: cn-hangzhou, batch_size: 2}\n"
                                            "deletes: {max_fraction: 1}\n",
                                            strlen("glue: {region: us-east-1}\n"
                                                   "dlf: {region: cn-hangzhou, batch_size: 2}\n"
                                                   "deletes: {max_fraction: 1}\n"),
                                            false, NULL),
                     0);
    assert_int_equal(g2d_sync_set_config(e->s, cfg2, NULL), 0);
    e->f.fail_what = G2D_LIST_GLUE_PARTITIONS;
    e->f.fail_db = "sales";
    st = cycle(e, 0);
    assert_true(st->failed > 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));

    /* and when it lists: dropped, created again, every partition recreated */
    e->f.fail_what = -1;
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed + st->held, 0);
    assert_true(has_item(e, "table sales.orders needUpdate ok"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    parts = json_object_get(e->f.glue_parts, "sales.orders");
    for (i = 0; i < json_array_size(parts); i++)
        assert_true(has_item(e, "partition sales.orders/day="));
    st = cycle(e, 0);
    assert_int_equal(st->updated + st->created + st->deleted, 0);
    g2d_sync_free(e->s);
    e->s = NULL;
    g2d_config_free(cfg2);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    env_free(e);
}

/* Renamed keys of a table with a partition filter: the drop would lose what is outside it. */
static void test_key_rename_with_filter_held(void **state)
{
    struct env *e = env_new("deletes:\n  max_fraction: 1\nsync:\n  partition_filters:\n"
                            "    \"sales.orders\": \"dt >= '2024'\"\n");
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    set_keys(e, "sales", 0, json_pack("[{s:s, s:s}]", "Name", "day", "Type", "string"));
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->held, 1);
    assert_true(has_item(e, "table sales.orders needUpdate held:"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    env_free(e);
}

/* DLF refuses batches larger than it takes: the size is learned, nothing fails. */
static void test_batch_limit_learned(void **state)
{
    struct env *e = env_new(NULL); /* batch_size 2 */
    const struct g2d_cycle_stats *st;

    catalog(e);
    e->f.batch_cap = 1;
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(dlf_parts(e, "web.clicks"), 3);
    assert_string_equal(st->notes,
                        "DLF refused a partition batch of 2 as too large: 1 from now on");
    /* kept: the next cycle's batches are of one, and it says nothing again */
    json_array_append_new(json_object_get(e->f.glue_parts, "web.clicks"),
                          glue_part("web", "clicks", "2025-01"));
    json_array_append_new(json_object_get(e->f.glue_parts, "web.clicks"),
                          glue_part("web", "clicks", "2025-02"));
    st = cycle(e, 0);
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->created, 2);
    assert_string_equal(st->notes, "");
    env_free(e);
}

/* Names compared as DLF stores them: a mixed-case function converges, with no churn
 * across a restart; a database name DLF cannot hold is a clear per-item error. */
static void test_names_as_dlf_stores_them(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    add_fn(e, "web", "MyUpper_Fn");
    add_db(e, "bad-name");
    add_table(e, "bad-name", "t", false);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->failed, 1);
    assert_true(has_item(e, "database bad-name glueNew failed: DLF database names allow only "
                            "letters, digits and '_'"));
    assert_null(json_object_get(e->f.dlf_tables, "bad-name.t"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(e->f.dlf_fns, "web.myupper_fn"), "FunctionName")),
                        "myupper_fn");
    st = cycle(e, 0);
    assert_int_equal(st->created + st->updated + st->deleted, 0);
    /* a restart: the snapshot comes from DLF's lower-case names */
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->created + st->updated + st->deleted, 0);
    env_free(e);
}

/* A new engine (a restart) on the checkpoint of the last one. */
static void restart(struct env *e, const char *ckpt)
{
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    assert_int_equal(g2d_sync_set_checkpoint(e->s, ckpt, 0), 0);
}

/* A restart costs what an unchanged cycle costs: no partition listing of DLF. */
static void test_checkpoint_restart(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    char ckpt[] = "/tmp/g2d-ckpt-XXXXXX";
    int fd = mkstemp(ckpt);
    FILE *f;

    assert_true(fd >= 0);
    close(fd);
    unlink(ckpt);
    catalog(e);
    assert_int_equal(g2d_sync_set_checkpoint(e->s, ckpt, 0), 0);
    (void)cycle(e, 0);
    assert_int_equal(access(ckpt, R_OK), 0);

    restart(e, ckpt);
    e->f.dlf_part_lists = e->f.dlf_writes = 0;
    st = cycle(e, 0);
    assert_int_equal(st->status, 0);
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    assert_int_equal(st->unchanged, 2 + 3 + 8 + 1);
    assert_int_equal(e->f.dlf_part_lists, 0);
    assert_int_equal(e->f.dlf_writes, 0);
    assert_string_equal(st->notes, "");

    /* DLF changed behind our back: the verification sees it, the snapshot is rebuilt */
    json_object_del(e->f.dlf_tables, "web.clicks");
    json_object_del(e->f.dlf_parts, "web.clicks");
    restart(e, ckpt);
    st = cycle(e, 0);
    print_items(e);
    assert_non_null(strstr(st->notes, "the checkpoint differs from DLF in 1 objects"));
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->created, 1 + 3); /* the table and its partitions */
    assert_true(e->f.dlf_part_lists > 0);

    /* a corrupt checkpoint is not believed */
    f = fopen(ckpt, "r+b");
    assert_non_null(f);
    fseek(f, 40, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    restart(e, ckpt);
    e->f.dlf_part_lists = e->f.dlf_writes = 0;
    st = cycle(e, 0);
    assert_non_null(strstr(st->notes, "checkpoint not used"));
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    assert_true(e->f.dlf_part_lists > 0);
    /* ... nor a truncated one */
    assert_int_equal(truncate(ckpt, 100), 0);
    restart(e, ckpt);
    st = cycle(e, 0);
    assert_non_null(strstr(st->notes, "truncated, corrupt"));
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    unlink(ckpt);
    env_free(e);
}

/* A checkpoint of another scope is not used. */
static void test_checkpoint_other_scope(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    struct g2d_config *cfg2;
    static const char doc[] = "glue: {region: us-east-1}\ndlf: {region: cn-hangzhou}\n"
                              "sync: {databases: [sales]}\n";
    char ckpt[] = "/tmp/g2d-ckpt-XXXXXX";
    int fd = mkstemp(ckpt);

    close(fd);
    catalog(e);
    assert_int_equal(g2d_sync_set_checkpoint(e->s, ckpt, 0), 0);
    (void)cycle(e, 0);
    assert_int_equal(g2d_config_load_buffer(&cfg2, "t.yaml", doc, strlen(doc), false, NULL), 0);
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, cfg2, on_item, e, NULL), 0);
    assert_int_equal(g2d_sync_set_checkpoint(e->s, ckpt, 0), 0);
    st = cycle(e, 0);
    assert_non_null(strstr(st->notes, "another scope"));
    assert_int_equal(st->created + st->updated + st->deleted + st->failed, 0);
    g2d_sync_free(e->s);
    g2d_config_free(cfg2);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    unlink(ckpt);
    env_free(e);
}

static void test_dry_run_writes_nothing(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    st = cycle(e, G2D_CYCLE_DRY_RUN);
    assert_int_equal(st->status, 0);
    assert_int_equal(e->f.dlf_writes, 0);
    assert_true(has_item(e, "table sales.orders glueNew ok"));
    assert_true(has_item(e, "partition web.clicks/dt=2024-03 glueNew ok"));
    env_free(e);
}

static void test_glue_databases_fail_the_cycle(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;

    catalog(e);
    (void)cycle(e, 0);
    json_array_clear(e->f.glue_dbs);
    e->f.fail_what = G2D_LIST_GLUE_DATABASES;
    e->f.fail_malformed = true;
    st = cycle(e, 0);
    assert_true(st->status < 0);
    assert_non_null(strstr(st->error, "listing Glue databases failed"));
    assert_int_equal(st->deleted + st->held, 0);
    assert_int_equal(json_object_size(e->f.dlf_dbs), 2);
    env_free(e);
}

static void test_cancel(void **state)
{
    struct env *e = env_new(NULL);

    catalog(e);
    e->done = false;
    assert_int_equal(g2d_sync_start(e->s, 0, on_done, e), 0);
    assert_int_equal(uv_run(&e->loop, UV_RUN_NOWAIT), 1);
    g2d_sync_cancel(e->s);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_true(e->done);
    assert_true(e->last.cancelled);
    assert_false(g2d_sync_running(e->s));
    env_free(e);
}

/* Partition names in the result log are Hive's, so that they join with what Hive prints. */
static void test_partition_names(void **state)
{
    static const struct {
        const char *values, *name;
    } cases[] = {
        {"[\"2024-01-01\", \"eu\"]", "db.t/dt=2024-01-01/region=eu"},
        {"[\"a/b\", \"x=y:z\"]", "db.t/dt=a%2Fb/region=x%3Dy%3Az"},
        {"[\"\", null]", "db.t/dt=__HIVE_DEFAULT_PARTITION__/region=__HIVE_DEFAULT_PARTITION__"},
        {"[\"50%\\n#1\", \"\u65e5\u672c ok\"]", "db.t/dt=50%25%0A%231/region=\u65e5\u672c ok"},
        {"[\"'q'*?\\\\{[]^\\\"\", \"\\u007f\"]",
         "db.t/dt=%27q%27%2A%3F%5C%7B%5B%5D%5E%22/region=%7F"},
    };
    char *keys[] = {"DT", "Region"};
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_loads(cases[i].values, 0, NULL);
        char *name;

        assert_non_null(v);
        name = partition_name("db.t", keys, 2, v);
        assert_string_equal(name, cases[i].name);
        free(name);
        json_decref(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_sync_then_unchanged),
        cmocka_unit_test(test_rebuild_sees_dlf),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_table_and_database_deletes),
        cmocka_unit_test(test_failed_listing_deletes_nothing),
        cmocka_unit_test(test_malformed_page_retried),
        cmocka_unit_test(test_item_error_reported_and_retried),
        cmocka_unit_test(test_stale_snapshot_other_verb),
        cmocka_unit_test(test_update_error_not_replaced),
        cmocka_unit_test(test_guards_hold),
        cmocka_unit_test(test_guards_per_database),
        cmocka_unit_test(test_database_guard_holds_contents),
        cmocka_unit_test(test_key_type_change_in_place),
        cmocka_unit_test(test_key_rename_guarded),
        cmocka_unit_test(test_key_rename_with_filter_held),
        cmocka_unit_test(test_batch_limit_learned),
        cmocka_unit_test(test_names_as_dlf_stores_them),
        cmocka_unit_test(test_checkpoint_restart),
        cmocka_unit_test(test_checkpoint_other_scope),
        cmocka_unit_test(test_dry_run_writes_nothing),
        cmocka_unit_test(test_glue_databases_fail_the_cycle),
        cmocka_unit_test(test_lost_answer_then_dropped_in_glue),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_partition_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
