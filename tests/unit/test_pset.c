/* SPDX-License-Identifier: MIT */
/* Unit tests: the compact per-table partition store of the snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "state/pset.h"

#define N 100000

static void vals_of(int i, char *a, char *b, const char **v)
{
    snprintf(a, 16, "2024-%02d-%02d", 1 + i % 12, 1 + i / 12 % 28);
    snprintf(b, 16, "r%d", i / 336);
    v[0] = a;
    v[1] = b;
}

static void test_put_get_del(void **state)
{
    struct g2d_pset ps;
    struct g2d_fp fp = {{0}};
    char a[16], b[16];
    const char *v[2];
    int i;

    g2d_pset_init(&ps);
    for (i = 0; i < N; i++) {
        vals_of(i, a, b, v);
        memcpy(fp.b, &i, sizeof(i));
        assert_int_equal(g2d_pset_put(&ps, v, 2, &fp, 0, 0), 0);
    }
    assert_int_equal(ps.used, N);
    for (i = 0; i < N; i += 7) {
        struct g2d_pentry *e;
        int got;

        vals_of(i, a, b, v);
        e = g2d_pset_get(&ps, v, 2);
        assert_non_null(e);
        memcpy(&got, e->fp.b, sizeof(got));
        assert_int_equal(got, i);
    }
    /* values are not confused by concatenation: ("ab","c") differs from ("a","bc") */
    {
        const char *x[2] = {"ab", "c"}, *y[2] = {"a", "bc"};

        assert_int_equal(g2d_pset_put(&ps, x, 2, &fp, 0, 0), 0);
        assert_null(g2d_pset_get(&ps, y, 2));
        g2d_pset_del(&ps, x, 2);
    }
    for (i = 0; i < N; i += 2) {
        vals_of(i, a, b, v);
        g2d_pset_del(&ps, v, 2);
    }
    assert_int_equal(ps.used, N / 2);
    vals_of(2, a, b, v);
    assert_null(g2d_pset_get(&ps, v, 2));
    vals_of(3, a, b, v);
    assert_non_null(g2d_pset_get(&ps, v, 2));
    /* churn through tombstones: arena and slots are compacted, contents survive */
    for (int round = 0; round < 3; round++) {
        for (i = 0; i < N; i += 2) {
            vals_of(i, a, b, v);
            assert_int_equal(g2d_pset_put(&ps, v, 2, &fp, 0, 0), 0);
        }
        for (i = 0; i < N; i += 2) {
            vals_of(i, a, b, v);
            g2d_pset_del(&ps, v, 2);
        }
    }
    assert_int_equal(ps.used, N / 2);
    for (i = 1; i < N; i += 2) {
        vals_of(i, a, b, v);
        assert_non_null(g2d_pset_get(&ps, v, 2));
    }
    g2d_pset_done(&ps);
}

static void test_iterate_and_decode(void **state)
{
    struct g2d_pset ps;
    struct g2d_fp fp = {{0}};
    const char *v[3] = {"x", "", "ünï"}, *out[4];
    size_t lens[4], n, count = 0;
    struct g2d_pentry *e;
    uint32_t pos = 0;

    g2d_pset_init(&ps);
    assert_int_equal(g2d_pset_put(&ps, v, 3, &fp, 0x1234, G2D_PENTRY_SEEN), 0);
    while ((e = g2d_pset_next(&ps, &pos))) {
        count++;
        assert_true(e->flags & G2D_PENTRY_SEEN);
        assert_int_equal(e->raw, 0x1234);
        n = g2d_pset_values(&ps, e, out, lens, 4);
        assert_int_equal(n, 3);
        assert_int_equal(lens[0], 1);
        assert_memory_equal(out[0], "x", 1);
        assert_int_equal(lens[1], 0);
        assert_int_equal(lens[2], strlen("ünï"));
        assert_memory_equal(out[2], "ünï", lens[2]);
    }
    assert_int_equal(count, 1);
    g2d_pset_unmark(&ps);
    pos = 0;
    e = g2d_pset_next(&ps, &pos);
    assert_false(e->flags & G2D_PENTRY_SEEN);
    g2d_pset_done(&ps);
}

/* Memory per partition is a property of the design (issue: tens of bytes per partition). */
static void test_compact(void **state)
{
    struct g2d_pset ps;
    struct g2d_fp fp = {{0}};
    char a[16], b[16];
    const char *v[2];
    int i;

    g2d_pset_init(&ps);
    for (i = 0; i < N; i++) {
        vals_of(i, a, b, v);
        assert_int_equal(g2d_pset_put(&ps, v, 2, &fp, 0, 0), 0);
    }
    /* 32-byte slots at load >= 7/16 plus ~17 bytes of values: well under 128 bytes */
    assert_true(g2d_pset_bytes(&ps) / N < 128);
    assert_int_equal(sizeof(struct g2d_pentry), 32);
    /* trimmed: slots at load 4/5 (40 bytes) plus the values exactly: at most 64 bytes */
    assert_int_equal(g2d_pset_trim(&ps), 0);
    assert_true(g2d_pset_bytes(&ps) / N <= 64);
    for (i = 0; i < N; i += 97) {
        vals_of(i, a, b, v);
        assert_non_null(g2d_pset_get(&ps, v, 2));
    }
    /* and it keeps working: more inserts grow it again */
    for (i = N; i < N + 1000; i++) {
        vals_of(i, a, b, v);
        assert_int_equal(g2d_pset_put(&ps, v, 2, &fp, 0, 0), 0);
    }
    assert_int_equal(ps.used, N + 1000);
    g2d_pset_done(&ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_del),
        cmocka_unit_test(test_iterate_and_decode),
        cmocka_unit_test(test_compact),
    };
    return cmocka_run_group_tests_name("pset", tests, NULL, NULL);
}
