/* SPDX-License-Identifier: MIT */
/* Unit tests: the registry of held deletes, and its section of the checkpoint. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>

#include "glue2dlf/sync.h"
#include "state/checkpoint.h"
#include "state/held.h"

#define N 20000

static void test_put_get_del(void **state)
{
    struct g2d_heldset hs;
    struct g2d_held *e;
    char name[64];
    size_t pos = 0, n = 0;
    int i;

    g2d_heldset_init(&hs);
    assert_null(g2d_held_get(&hs, G2D_ITEM_TABLE, "db.t"));
    for (i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "db_%d.tbl/dt=%d", i % 7, i);
        e = g2d_held_put(&hs, G2D_ITEM_PARTITION, name);
        assert_non_null(e);
        assert_int_equal(e->state, G2D_HELD_GRACE);
        assert_int_equal(e->id, g2d_held_id(G2D_ITEM_PARTITION, name));
        e->state = G2D_HELD_HELD;
    }
    assert_int_equal(hs.used, N);
    /* the same name again is the same record; another type is another record */
    e = g2d_held_put(&hs, G2D_ITEM_PARTITION, "db_0.tbl/dt=0");
    assert_int_equal(e->state, G2D_HELD_HELD);
    assert_non_null(g2d_held_put(&hs, G2D_ITEM_TABLE, "db_0.tbl/dt=0"));
    assert_int_equal(hs.used, N + 1);
    assert_ptr_equal(g2d_held_find_id(&hs, g2d_held_id(G2D_ITEM_PARTITION, "db_3.tbl/dt=10")),
                     g2d_held_get(&hs, G2D_ITEM_PARTITION, "db_3.tbl/dt=10"));
    for (i = 0; i < N; i += 2) {
        snprintf(name, sizeof(name), "db_%d.tbl/dt=%d", i % 7, i);
        g2d_held_del(&hs, G2D_ITEM_PARTITION, name);
        assert_null(g2d_held_get(&hs, G2D_ITEM_PARTITION, name));
    }
    assert_int_equal(hs.used, N / 2 + 1);
    for (i = 1; i < N; i += 2) {
        snprintf(name, sizeof(name), "db_%d.tbl/dt=%d", i % 7, i);
        assert_non_null(g2d_held_get(&hs, G2D_ITEM_PARTITION, name));
    }
    while (g2d_held_next(&hs, &pos))
        n++;
    assert_int_equal(n, hs.used);
    /* an empty name and one too long are refused */
    assert_null(g2d_held_put(&hs, G2D_ITEM_TABLE, ""));
    {
        char *big = malloc(G2D_HELD_NAME_MAX + 2);

        memset(big, 'a', G2D_HELD_NAME_MAX + 1);
        big[G2D_HELD_NAME_MAX + 1] = '\0';
        assert_null(g2d_held_put(&hs, G2D_ITEM_TABLE, big));
        free(big);
    }
    g2d_heldset_done(&hs);
}

static void test_prune(void **state)
{
    struct g2d_heldset hs;

    g2d_heldset_init(&hs);
    g2d_held_put(&hs, G2D_ITEM_TABLE, "a.x")->visited = 1;
    g2d_held_put(&hs, G2D_ITEM_TABLE, "a.y");
    g2d_held_put(&hs, G2D_ITEM_DATABASE, "b")->visited = 1;
    assert_int_equal(g2d_heldset_prune(&hs), 1);
    assert_null(g2d_held_get(&hs, G2D_ITEM_TABLE, "a.y"));
    assert_non_null(g2d_held_get(&hs, G2D_ITEM_TABLE, "a.x"));
    g2d_heldset_unvisit(&hs);
    assert_int_equal(g2d_heldset_prune(&hs), 2);
    assert_int_equal(hs.used, 0);
    g2d_heldset_done(&hs);
}

static void test_ids_and_names(void **state)
{
    uint64_t id = g2d_held_id(G2D_ITEM_TABLE, "db.t"), back = 0;
    char buf[17];

    assert_int_equal(id, g2d_held_id(G2D_ITEM_TABLE, "db.t"));
    assert_int_not_equal(id, g2d_held_id(G2D_ITEM_FUNCTION, "db.t"));
    assert_int_not_equal(id, g2d_held_id(G2D_ITEM_TABLE, "db.u"));
    g2d_held_id_format(id, buf);
    assert_int_equal(strlen(buf), 16);
    assert_int_equal(g2d_held_id_parse(buf, &back), 0);
    assert_int_equal(back, id);
    assert_int_equal(g2d_held_id_parse("00FF", &back), 0);
    assert_int_equal(back, 255);
    assert_int_equal(g2d_held_id_parse("", &back), -EINVAL);
    assert_int_equal(g2d_held_id_parse("xyz", &back), -EINVAL);
    assert_int_equal(g2d_held_id_parse("12345678901234567", &back), -EINVAL);
    assert_string_equal(g2d_held_state_name(G2D_HELD_REJECTED), "rejected");
    assert_null(g2d_held_state_name(G2D_HELD_NSTATES));
    assert_string_equal(g2d_held_reason_name(G2D_HELD_R_KEY_CHANGE), "key_change");
    assert_null(g2d_held_reason_name(G2D_HELD_NREASONS));
}

static void test_scope(void **state)
{
    assert_true(g2d_held_in_scope("db", NULL));
    assert_true(g2d_held_in_scope("db", ""));
    assert_true(g2d_held_in_scope("db", "db"));
    assert_true(g2d_held_in_scope("db.t", "DB"));
    assert_true(g2d_held_in_scope("db.t/k=1", "db"));
    assert_true(g2d_held_in_scope("db.t/k=1", "db.t"));
    assert_true(g2d_held_in_scope("db.t", "db.t"));
    assert_false(g2d_held_in_scope("dbx", "db"));
    assert_false(g2d_held_in_scope("db.tt", "db.t"));
    assert_false(g2d_held_in_scope("db.t", "db.t/k=1"));
    assert_false(g2d_held_in_scope("db", "db.t"));
}

static void fill(struct g2d_heldset *hs)
{
    static const struct {
        unsigned type, state, reason;
        const char *name;
    } recs[] = {
        {G2D_ITEM_TABLE, G2D_HELD_HELD, G2D_HELD_R_MAX_COUNT, "db.t1"},
        {G2D_ITEM_TABLE, G2D_HELD_APPROVED, G2D_HELD_R_MAX_FRACTION, "db.t2"},
        {G2D_ITEM_PARTITION, G2D_HELD_REJECTED, G2D_HELD_R_EMPTY_SOURCE, "db.t3/dt=1"},
        {G2D_ITEM_DATABASE, G2D_HELD_GRACE, G2D_HELD_R_NONE, "db2"},
        {G2D_ITEM_TABLE, G2D_HELD_HELD, G2D_HELD_R_KEY_CHANGE, "db.t4"},
    };

    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        struct g2d_held *e = g2d_held_put(hs, recs[i].type, recs[i].name);

        e->state = (uint8_t)recs[i].state;
        e->reason = (uint8_t)recs[i].reason;
        e->missing = (uint32_t)i + 1;
        e->first_cycle = 10 + i;
        e->last_cycle = 20 + i;
        e->first_ms = 1700000000000 + (int64_t)i;
        e->last_ms = 1700000001000 + (int64_t)i;
        e->visited = 1; /* not written */
    }
}

/* Held, approved, rejected and grace records survive a checkpoint round trip. */
static void test_checkpoint_roundtrip(void **state)
{
    char path[] = "/tmp/g2d-test-held-XXXXXX";
    int fd = mkstemp(path);
    struct g2d_snapshot snap, snap2;
    struct g2d_heldset hs, hs2;
    struct g2d_ckpt_meta meta = {42, 1, 2}, meta2;
    struct g2d_fp fp = {{1}};
    struct g2d_held *a, *b;
    size_t pos = 0;

    assert_true(fd >= 0);
    close(fd);
    g2d_snapshot_init(&snap);
    g2d_snapshot_init(&snap2);
    g2d_heldset_init(&hs);
    g2d_heldset_init(&hs2);
    assert_int_equal(g2d_snapshot_put(&snap, G2D_ITEM_DATABASE, "db", &fp), 0);
    fill(&hs);
    assert_int_equal(g2d_checkpoint_write(&snap, &hs, &meta, path, NULL), 0);
    assert_int_equal(g2d_checkpoint_load(&snap2, &hs2, &meta2, path, NULL), 0);
    assert_int_equal(meta2.scope, 42);
    assert_int_equal(snap2.used, 1);
    assert_int_equal(hs2.used, hs.used);
    while ((a = g2d_held_next(&hs, &pos))) {
        b = g2d_held_get(&hs2, a->type, a->name);
        assert_non_null(b);
        assert_int_equal(b->id, a->id);
        assert_int_equal(b->state, a->state);
        assert_int_equal(b->reason, a->reason);
        assert_int_equal(b->missing, a->missing);
        assert_int_equal(b->first_cycle, a->first_cycle);
        assert_int_equal(b->last_cycle, a->last_cycle);
        assert_int_equal(b->first_ms, a->first_ms);
        assert_int_equal(b->last_ms, a->last_ms);
        assert_int_equal(b->visited, 0);
    }
    g2d_snapshot_done(&snap);
    g2d_snapshot_done(&snap2);
    g2d_heldset_done(&hs);
    g2d_heldset_done(&hs2);
    unlink(path);
}

/* Read a file whole. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long l;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    l = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)l + 1);
    assert_int_equal(fread(b, 1, (size_t)l, f), (size_t)l);
    fclose(f);
    *n = (size_t)l;
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* A checkpoint whose held section lies (a record whose ID is not its name's) is corrupt;
 * a version 1 checkpoint (no held section) still loads. */
static void test_checkpoint_bad_and_v1(void **state)
{
    char path[] = "/tmp/g2d-test-held-XXXXXX";
    int fd = mkstemp(path);
    struct g2d_snapshot snap;
    struct g2d_heldset hs;
    struct g2d_ckpt_meta meta = {7, 1, 2};
    struct g2d_fp fp = {{1}};
    unsigned char *b;
    size_t n;

    assert_true(fd >= 0);
    close(fd);
    g2d_snapshot_init(&snap);
    g2d_heldset_init(&hs);
    assert_int_equal(g2d_snapshot_put(&snap, G2D_ITEM_DATABASE, "db", &fp), 0);
    g2d_held_put(&hs, G2D_ITEM_TABLE, "db.t")->state = G2D_HELD_HELD;
    assert_int_equal(g2d_checkpoint_write(&snap, &hs, &meta, path, NULL), 0);
    b = slurp(path, &n);
    /* the record's name is the last thing before the trailer: change one byte of it */
    b[n - 9] ^= 1;
    spit(path, b, n);
    g2d_snapshot_clear(&snap);
    g2d_heldset_clear(&hs);
    assert_int_equal(g2d_checkpoint_load(&snap, &hs, &meta, path, NULL), -EBADMSG);
    assert_int_equal(snap.used, 0);
    assert_int_equal(hs.used, 0);
    free(b);

    /* version 1: the same snapshot without the held section (its 4-byte count), with the
     * trailer summed again: it loads, with no held delete */
    assert_int_equal(g2d_snapshot_put(&snap, G2D_ITEM_DATABASE, "db", &fp), 0);
    assert_int_equal(g2d_checkpoint_write(&snap, NULL, &meta, path, NULL), 0);
    b = slurp(path, &n);
    b[8] = 1;
    n -= 4;
    {
        uint64_t sum = XXH3_64bits(b, n - 8);

        for (int i = 0; i < 8; i++)
            b[n - 8 + i] = (unsigned char)(sum >> (8 * i));
    }
    spit(path, b, n);
    g2d_snapshot_clear(&snap);
    g2d_held_put(&hs, G2D_ITEM_TABLE, "stale")->state = G2D_HELD_HELD;
    g2d_heldset_clear(&hs);
    assert_int_equal(g2d_checkpoint_load(&snap, &hs, &meta, path, NULL), 0);
    assert_int_equal(snap.used, 1);
    assert_int_equal(hs.used, 0);
    free(b);
    g2d_snapshot_done(&snap);
    g2d_heldset_done(&hs);
    unlink(path);
}

/* The seed corpus' version 1 checkpoint (written by the version 1 code) loads. */
static void test_checkpoint_v1_seed(void **state)
{
    const char *path = "tests/fuzz/corpus/checkpoint/valid.ckpt";
    struct g2d_snapshot snap;
    struct g2d_heldset hs;
    struct g2d_ckpt_meta meta;

    if (access(path, R_OK) != 0)
        skip(); /* run from elsewhere than the source tree */
    g2d_snapshot_init(&snap);
    g2d_heldset_init(&hs);
    assert_int_equal(g2d_checkpoint_load(&snap, &hs, &meta, path, NULL), 0);
    assert_true(snap.used > 0);
    assert_int_equal(hs.used, 0);
    g2d_snapshot_done(&snap);
    g2d_heldset_done(&hs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_del),          cmocka_unit_test(test_prune),
        cmocka_unit_test(test_ids_and_names),        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_checkpoint_roundtrip), cmocka_unit_test(test_checkpoint_bad_and_v1),
        cmocka_unit_test(test_checkpoint_v1_seed),
    };
    return cmocka_run_group_tests_name("held", tests, NULL, NULL);
}
