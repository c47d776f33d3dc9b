/* SPDX-License-Identifier: MIT */
/*
 * The sync engine and the deletes a person decides on, against the fake cloud client of
 * test_sync.c: what the guards hold is recorded, an approval deletes what is still
 * missing from Glue, a rejection keeps it, deletes.grace_cycles waits, a restart keeps
 * the records.
 */
#include "sync_env.h"

static size_t dlf_parts(struct env *e, const char *key)
{
    return json_object_size(json_object_get(e->f.dlf_parts, key));
}

/* ---- cases ---------------------------------------------------------------------------- */
/* A new engine (a restart) on the checkpoint of the last one. */
static void restart(struct env *e, const char *ckpt)
{
    g2d_sync_free(e->s);
    assert_int_equal(g2d_sync_new_client(&e->s, &e->loop, &e->client, e->cfg, on_item, e, NULL), 0);
    assert_int_equal(g2d_sync_set_checkpoint(e->s, ckpt, 0), 0);
}

struct acc {
    char names[16][128];
    char states[16][16];
    char reasons[16][16];
    uint64_t ids[16];
    size_t n;
};

static void acc_cb(const struct g2d_held_view *h, void *arg)
{
    struct acc *a = arg;

    if (a->n >= 16)
        return;
    snprintf(a->names[a->n], sizeof(a->names[0]), "%s %s", g2d_item_type_name(h->type), h->name);
    snprintf(a->states[a->n], sizeof(a->states[0]), "%s", h->state);
    snprintf(a->reasons[a->n], sizeof(a->reasons[0]), "%s", h->reason);
    a->ids[a->n++] = h->id;
}

/* The held deletes (every type, everywhere) into @p a; the ID of @p name, or 0. */
static uint64_t list(struct env *e, struct acc *a, const char *name)
{
    struct g2d_held_filter f = {0};
    uint64_t id = 0;

    memset(a, 0, sizeof(*a));
    g2d_sync_held_list(e->s, &f, acc_cb, a);
    for (size_t i = 0; i < a->n; i++)
        if (name && strcmp(a->names[i], name) == 0)
            id = a->ids[i];
    return id;
}

static const char *state_of(struct env *e, const char *name)
{
    static struct acc a;

    list(e, &a, NULL);
    for (size_t i = 0; i < a.n; i++)
        if (strcmp(a.names[i], name) == 0)
            return a.states[i];
    return "";
}

static void decide(struct env *e, uint64_t id, bool approve)
{
    struct g2d_held_filter f = {.ids = &id, .nids = 1};
    uint64_t unknown = 0;

    assert_int_equal(g2d_sync_held_decide(e->s, &f, approve, NULL, NULL, &unknown), 0);
}

/* Three tables gone, max_count 1: held and listed; approve one, reject one. */
static void test_hold_approve_reject(void **state)
{
    struct env *e = env_new("deletes:\n  max_count: 1\n  max_fraction: 1\n");
    const struct g2d_cycle_stats *st;
    struct g2d_held_filter f = {0};
    uint64_t id_items, id_orders, id_clicks, unknown = 0, bogus = 12345;
    struct acc a;

    catalog(e);
    add_table(e, "web", "visits", false);
    (void)cycle(e, 0);
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 1); /* items */
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 0); /* orders */
    json_array_remove(json_object_get(e->f.glue_tables, "web"), 0);   /* clicks */
    st = cycle(e, 0);
    assert_int_equal(st->held, 3);
    assert_int_equal(st->deleted, 0);
    id_items = list(e, &a, "table sales.items");
    assert_int_equal(a.n, 3);
    assert_string_equal(a.reasons[0], "max_count");
    assert_string_equal(a.states[0], "held");
    id_orders = list(e, &a, "table sales.orders");
    id_clicks = list(e, &a, "table web.clicks");
    assert_true(id_items && id_orders && id_clicks);
    /* the filters */
    f.scope = "web";
    assert_int_equal(g2d_sync_held_list(e->s, &f, NULL, NULL), 1);
    f.scope = "sales.orders";
    assert_int_equal(g2d_sync_held_list(e->s, &f, NULL, NULL), 1);
    f.scope = NULL;
    f.types = 1u << G2D_ITEM_PARTITION;
    assert_int_equal(g2d_sync_held_list(e->s, &f, NULL, NULL), 0);
    /* an unknown ID: an error, and nothing changes */
    f = (struct g2d_held_filter){.ids = &bogus, .nids = 1};
    assert_int_equal(g2d_sync_held_decide(e->s, &f, true, NULL, NULL, &unknown), -ENOENT);
    assert_int_equal(unknown, bogus);
    assert_string_equal(state_of(e, "table sales.items"), "held");
    /* held again next cycle, with the same IDs */
    st = cycle(e, 0);
    assert_int_equal(st->held, 3);
    assert_int_equal(list(e, &a, "table sales.items"), id_items);

    decide(e, id_items, true);
    decide(e, id_orders, false);
    assert_string_equal(state_of(e, "table sales.items"), "approved");
    assert_string_equal(state_of(e, "table sales.orders"), "rejected");
    st = cycle(e, 0);
    print_items(e);
    /* the approved one deleted whatever the guard; the rejected one neither deleted nor
     * counted: clicks alone is within max_count, so it is deleted too */
    assert_true(has_item(e, "table sales.items dlfNew ok"));
    assert_null(json_object_get(e->f.dlf_tables, "sales.items"));
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));
    assert_false(has_item(e, "table sales.orders"));
    assert_null(json_object_get(e->f.dlf_tables, "web.clicks"));
    assert_int_equal(st->held, 0);
    list(e, &a, NULL);
    assert_int_equal(a.n, 1); /* only the rejection is left */
    assert_string_equal(a.names[0], "table sales.orders");
    /* the rejection lasts while orders stays missing */
    (void)cycle(e, 0);
    assert_string_equal(state_of(e, "table sales.orders"), "rejected");
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));
    env_free(e);
}

/* A rejection lasts until Glue lists the object again, even in a cycle with failures
 * elsewhere (which keeps the other records); gone again, it is held again. */
static void test_rejection_ends_with_glue(void **state)
{
    struct env *e = env_new("deletes:\n  max_count: 1\n  max_fraction: 1\n");
    const struct g2d_cycle_stats *st;
    json_t *tables = NULL, *saved;
    struct acc a;

    catalog(e);
    add_table(e, "web", "visits", false);
    (void)cycle(e, 0);
    tables = json_object_get(e->f.glue_tables, "web");
    saved = json_deep_copy(json_array_get(tables, 1)); /* visits */
    json_array_remove(tables, 1);
    json_object_del(e->f.glue_parts, "web.clicks");
    json_array_remove(tables, 0);                                     /* clicks */
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 1); /* items */
    (void)cycle(e, 0);
    decide(e, list(e, &a, "table web.visits"), false);
    json_array_append(tables, saved); /* visits is back */
    e->f.fail_what = G2D_LIST_GLUE_PARTITIONS;
    e->f.fail_db = "sales";
    st = cycle(e, 0);
    assert_true(st->failed > 0);
    assert_int_equal(list(e, &a, "table web.visits"), 0);
    assert_string_equal(state_of(e, "table sales.items"), "held");
    assert_string_equal(state_of(e, "table web.clicks"), "held");
    e->f.fail_what = -1;
    json_array_remove(tables, json_array_size(tables) - 1); /* and gone again */
    st = cycle(e, 0);
    print_items(e);
    assert_true(has_item(e, "table web.visits dlfNew held"));
    assert_string_equal(state_of(e, "table web.visits"), "held");
    json_decref(saved);
    env_free(e);
}

/* An approval applies only what is still missing from Glue when the cycle runs. */
static void test_approved_but_back(void **state)
{
    struct env *e = env_new("deletes:\n  max_count: 1\n  max_fraction: 1\n");
    json_t *saved;
    struct acc a;
    uint64_t id;

    catalog(e);
    add_table(e, "web", "visits", false);
    (void)cycle(e, 0);
    saved = json_deep_copy(json_array_get(json_object_get(e->f.glue_tables, "sales"), 1));
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 1); /* items */
    json_array_remove(json_object_get(e->f.glue_tables, "web"), 1);   /* visits */
    (void)cycle(e, 0);
    id = list(e, &a, "table sales.items");
    assert_int_equal(a.n, 2);
    decide(e, id, true);
    json_array_append_new(json_object_get(e->f.glue_tables, "sales"), saved); /* it is back */
    (void)cycle(e, 0);
    print_items(e);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.items"));
    assert_false(has_item(e, "table sales.items dlfNew"));
    assert_int_equal(list(e, &a, "table sales.items"), 0); /* the record is gone */
    env_free(e);
}

/* grace_cycles 2: a delete is planned only at the third cycle that finds it missing; a
 * return to Glue restarts the count; a dry run counts nothing. */
static void test_grace_cycles(void **state)
{
    struct env *e = env_new("deletes:\n  grace_cycles: 2\n  max_fraction: 1\n");
    const struct g2d_cycle_stats *st;
    json_t *parts, *saved;

    catalog(e);
    (void)cycle(e, 0);
    parts = json_object_get(e->f.glue_parts, "sales.orders");
    saved = json_deep_copy(json_array_get(parts, 4));
    json_array_remove(parts, 4);
    for (int i = 0; i < 2; i++) {
        st = cycle(e, 0);
        assert_int_equal(st->deleted + st->held, 0);
        assert_int_equal(dlf_parts(e, "sales.orders"), 5);
        st = cycle(e, G2D_CYCLE_DRY_RUN); /* plans do not count */
        assert_int_equal(st->deleted + st->held, 0);
    }
    /* back in Glue once: the count starts again */
    json_array_append(parts, saved);
    (void)cycle(e, 0);
    json_array_remove(parts, json_array_size(parts) - 1);
    for (int i = 0; i < 2; i++) {
        st = cycle(e, 0);
        assert_int_equal(st->deleted, 0);
    }
    st = cycle(e, G2D_CYCLE_DRY_RUN);
    assert_true(has_item(e, "partition sales.orders/dt=2024-05 dlfNew"));
    st = cycle(e, 0);
    assert_int_equal(st->deleted, 1);
    assert_int_equal(dlf_parts(e, "sales.orders"), 4);
    json_decref(saved);
    env_free(e);
}

/* A restart keeps the records: a rejection stays a rejection, IDs and first cycles stay. */
static void test_restart_keeps_records(void **state)
{
    struct env *e = env_new("deletes:\n  max_count: 1\n  max_fraction: 1\n");
    char ckpt[] = "/tmp/g2d-test-held-ckpt-XXXXXX";
    const struct g2d_cycle_stats *st;
    int fd = mkstemp(ckpt);
    uint64_t id_orders, id_items;
    struct acc a;

    assert_true(fd >= 0);
    close(fd);
    unlink(ckpt);
    assert_int_equal(g2d_sync_set_checkpoint(e->s, ckpt, 0), 0);
    catalog(e);
    add_table(e, "web", "visits", false);
    add_table(e, "web", "pages", false);
    (void)cycle(e, 0);
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 1); /* items */
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 0); /* orders */
    json_array_remove(json_object_get(e->f.glue_tables, "web"), 2);   /* pages */
    (void)cycle(e, 0);
    id_orders = list(e, &a, "table sales.orders");
    id_items = list(e, &a, "table sales.items");
    decide(e, id_orders, false); /* idle: written to the checkpoint at once */
    restart(e, ckpt);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->held, 2); /* items and pages: orders is rejected */
    assert_string_equal(state_of(e, "table sales.orders"), "rejected");
    assert_int_equal(list(e, &a, "table sales.items"), id_items);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.orders"));
    /* an approval survives a restart too, and the cycle after it applies it */
    decide(e, id_items, true);
    restart(e, ckpt);
    assert_int_equal(list(e, &a, NULL), 0); /* loaded at the first cycle */
    st = cycle(e, 0);
    assert_true(has_item(e, "table sales.items dlfNew ok"));
    assert_null(json_object_get(e->f.dlf_tables, "sales.items"));
    /* pages, now the one delete the guard counts, is within max_count: deleted too */
    assert_int_equal(st->held, 0);
    assert_null(json_object_get(e->f.dlf_tables, "web.pages"));
    unlink(ckpt);
    env_free(e);
}

/* A table whose partition keys were renamed: held as key_change; approving drops and
 * creates it again. */
static void test_key_change_approved(void **state)
{
    struct env *e = env_new(NULL);
    const struct g2d_cycle_stats *st;
    struct acc a;
    uint64_t id;

    catalog(e);
    (void)cycle(e, 0);
    json_object_set_new(json_array_get(json_object_get(e->f.glue_tables, "sales"), 0),
                        "PartitionKeys",
                        json_pack("[{s:s, s:s}]", "Name", "day", "Type", "string"));
    st = cycle(e, 0);
    assert_int_equal(st->held, 1);
    id = list(e, &a, "table sales.orders");
    assert_int_equal(a.n, 1);
    assert_string_equal(a.reasons[0], "key_change");
    decide(e, id, true);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->held + st->failed, 0);
    assert_true(has_item(e, "table sales.orders needUpdate ok"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    assert_int_equal(list(e, &a, NULL), 0);
    assert_int_equal(a.n, 0);
    env_free(e);
}

struct restored {
    bool done;
    int err;
};

static void on_restored(int err, const char *message, enum g2d_item_type type, const char *name,
                        void *arg)
{
    struct restored *r = arg;

    r->done = true;
    r->err = err;
}

static void restore(struct env *e, int type, const char *name, int want)
{
    struct restored r = {0};
    struct g2d_error err = {0};
    int rc = g2d_sync_restore(e->s, type, name, on_restored, &r, &err);

    if (rc < 0) {
        if (rc != want)
            fail_msg("restore '%s': %d (%s), expected %d", name, rc, err.msg, want);
        return;
    }
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_true(r.done);
    assert_int_equal(r.err, want);
}

/* A delete is archived first; a restore puts it back and keeps it there. */
static void test_archive_and_restore(void **state)
{
    struct env *e = env_new("deletes:\n  max_fraction: 1\n");
    char dir[] = "/tmp/g2d-test-sync-archive-XXXXXX", cmd[128];
    const struct g2d_cycle_stats *st;
    struct acc a;

    assert_non_null(mkdtemp(dir));
    /* One object a page: what is archived may be on any page of the read (it once was
     * deleted unarchived when it was not on the first). */
    e->f.page_size = 1;
    restore(e, -1, "sales.items", -ENOENT); /* no archive yet */
    assert_int_equal(g2d_sync_set_archive(e->s, dir), 0);
    catalog(e);
    (void)cycle(e, 0);
    json_array_remove(json_object_get(e->f.glue_tables, "sales"), 1); /* items */
    json_array_remove(json_object_get(e->f.glue_parts, "sales.orders"), 0);
    st = cycle(e, 0);
    assert_int_equal(st->deleted, 2);
    assert_null(json_object_get(e->f.dlf_tables, "sales.items"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 4);
    restore(e, G2D_ITEM_FUNCTION, "sales.items", -ENOENT); /* not of that type */
    restore(e, -1, "SALES.ITEMS", 0);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.items"));
    restore(e, G2D_ITEM_PARTITION, "sales.orders/dt=2024-01", 0);
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    st = cycle(e, 0);
    print_items(e);
    assert_int_equal(st->deleted + st->held + st->failed, 0);
    assert_non_null(json_object_get(e->f.dlf_tables, "sales.items"));
    assert_int_equal(dlf_parts(e, "sales.orders"), 5);
    list(e, &a, NULL);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.states[0], "rejected");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_approve_reject),      cmocka_unit_test(test_approved_but_back),
        cmocka_unit_test(test_rejection_ends_with_glue), cmocka_unit_test(test_grace_cycles),
        cmocka_unit_test(test_restart_keeps_records),    cmocka_unit_test(test_key_change_approved),
        cmocka_unit_test(test_archive_and_restore),
    };
    return cmocka_run_group_tests_name("sync_held", tests, NULL, NULL);
}
