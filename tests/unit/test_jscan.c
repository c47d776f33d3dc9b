/* SPDX-License-Identifier: MIT */
/* Unit tests: the structural JSON scanner used on GetPartitions pages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/jscan.h"

struct elems {
    char text[8][64];
    int n;
};

static int collect(const char *p, size_t n, void *arg)
{
    struct elems *e = arg;

    if (e->n >= 8 || n >= 64)
        return -E2BIG;
    memcpy(e->text[e->n], p, n);
    e->text[e->n][n] = '\0';
    e->n++;
    return 0;
}

static void test_member(void **state)
{
    const char *j = " { \"NextToken\" : \"a\\\"b\" , \"Partitions\":[ {\"Values\":[\"x\"]} , 1 ],"
                    "\"z\":{\"Partitions\":2} } ";
    const char *v;
    size_t n;

    assert_int_equal(g2d_jscan_member(j, strlen(j), "Partitions", &v, &n), 0);
    assert_int_equal(n, strlen("[ {\"Values\":[\"x\"]} , 1 ]"));
    assert_memory_equal(v, "[ {\"Values\":[\"x\"]} , 1 ]", n);
    assert_int_equal(g2d_jscan_member(j, strlen(j), "NextToken", &v, &n), 0);
    assert_memory_equal(v, "\"a\\\"b\"", n);
    /* only top-level members count; a prefix of a key is not the key */
    assert_int_equal(g2d_jscan_member(j, strlen(j), "Values", &v, &n), -ENOENT);
    assert_int_equal(g2d_jscan_member(j, strlen(j), "Partition", &v, &n), -ENOENT);
    assert_int_equal(g2d_jscan_member("{}", 2, "a", &v, &n), -ENOENT);
    assert_int_equal(g2d_jscan_member("[]", 2, "a", &v, &n), -EPROTO);
}

static void test_array(void **state)
{
    struct elems e = {0};
    const char *a = "[ {\"a\":\"]\"} ,\"s,t\", [1,[2]] , null,-1.5e3 ]";

    assert_int_equal(g2d_jscan_array(a, strlen(a), collect, &e), 0);
    assert_int_equal(e.n, 5);
    assert_string_equal(e.text[0], "{\"a\":\"]\"}");
    assert_string_equal(e.text[1], "\"s,t\"");
    assert_string_equal(e.text[2], "[1,[2]]");
    assert_string_equal(e.text[3], "null");
    assert_string_equal(e.text[4], "-1.5e3");
    e.n = 0;
    assert_int_equal(g2d_jscan_array("[]", 2, collect, &e), 0);
    assert_int_equal(e.n, 0);
}

static void test_malformed(void **state)
{
    static const char *const bad[] = {
        "[",          "[1,",
        "[1 2]",      "[\"abc]",
        "[\"a\\x\"]", "[\"\\u12\"]",
        "[{\"a\"}]",  "[{\"a\":}]",
        "[{1:2}]",    "[\"a\nb\"]",
        "[,]",        "{\"a\":1",
        "",           "[1]x" /* trailing bytes are not looked at: accepted */,
    };
    struct elems e;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]) - 1; i++) {
        e.n = 0;
        assert_int_equal(g2d_jscan_array(bad[i], strlen(bad[i]), collect, &e), -EPROTO);
    }
}

static void test_depth(void **state)
{
    char deep[300];
    struct elems e = {0};
    int i;

    for (i = 0; i < 100; i++)
        deep[i] = '[';
    for (; i < 200; i++)
        deep[i] = ']';
    deep[200] = '\0';
    assert_int_equal(g2d_jscan_array(deep, 200, collect, &e), -EPROTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member),
        cmocka_unit_test(test_array),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_depth),
    };
    return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
