/* SPDX-License-Identifier: MIT */
/* Unit tests: the structural JSON scanner used on GetPartitions pages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/jscan.h"

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

static void test_members(void **state)
{
    static const char *const keys[] = {"Partitions", "NextToken", "Missing"};
    const char *j = " { \"NextToken\" : \"t\", \"z\":{\"Partitions\":2}, \"Partitions\":[1,2],"
                    "\"NextToken\":\"second\" } ";
    const char *v[3];
    size_t n[3];

    assert_int_equal(g2d_jscan_members(j, strlen(j), keys, 3, v, n), 2);
    assert_int_equal(n[0], 5);
    assert_memory_equal(v[0], "[1,2]", 5);
    /* the first occurrence counts */
    assert_int_equal(n[1], 3);
    assert_memory_equal(v[1], "\"t\"", 3);
    assert_null(v[2]);
    assert_int_equal(n[2], 0);
    assert_int_equal(g2d_jscan_members("{}", 2, keys, 3, v, n), 0);
    /* the whole object must be well formed, and nothing may follow it */
    assert_int_equal(g2d_jscan_members("{\"a\":1", 6, keys, 3, v, n), -EPROTO);
    assert_int_equal(g2d_jscan_members("{\"a\":1}x", 8, keys, 3, v, n), -EPROTO);
    assert_int_equal(g2d_jscan_members("{\"a\":1} \n", 9, keys, 3, v, n), 0);
    assert_int_equal(g2d_jscan_members("[1]", 3, keys, 3, v, n), -EPROTO);
}

/*
 * Strings are skipped eight bytes at a time: a quote, a backslash or a control character
 * must be found at every offset within a word, and a string may end at any offset.
 */
static void test_long_strings(void **state)
{
    char buf[128], member[160];
    size_t len, pos;
    const char *v;
    size_t n;

    for (len = 0; len < 40; len++) {
        for (pos = 0; pos <= len; pos++) {
            memset(buf, 'a', len);
            buf[len] = '\0';
            /* plain, ending at every offset */
            snprintf(member, sizeof(member), "{\"k\":\"%s\",\"x\":1}", buf);
            assert_int_equal(g2d_jscan_member(member, strlen(member), "x", &v, &n), 0);
            assert_memory_equal(v, "1", 1);
            if (pos == len)
                continue;
            /* an escaped quote at offset pos does not end the string */
            snprintf(member, sizeof(member), "{\"k\":\"%.*s\\\"%s\",\"x\":2}", (int)pos, buf,
                     buf + pos);
            assert_int_equal(g2d_jscan_member(member, strlen(member), "x", &v, &n), 0);
            assert_memory_equal(v, "2", 1);
            /* a raw control character at offset pos is malformed */
            snprintf(member, sizeof(member), "{\"k\":\"%.*s\t%s\",\"x\":3}", (int)pos, buf,
                     buf + pos);
            assert_int_equal(g2d_jscan_member(member, strlen(member), "x", &v, &n), -EPROTO);
            /* UTF-8 bytes (>= 0x80) are plain text */
            snprintf(member, sizeof(member), "{\"k\":\"%.*s\xc3\xa9%s\",\"x\":4}", (int)pos, buf,
                     buf + pos);
            assert_int_equal(g2d_jscan_member(member, strlen(member), "x", &v, &n), 0);
            assert_memory_equal(v, "4", 1);
        }
    }
    /* an unterminated long string */
    memset(buf, 'b', 100);
    memcpy(buf, "[\"", 2);
    assert_int_equal(g2d_jscan_member(buf, 100, "x", &v, &n), -EPROTO);
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
        cmocka_unit_test(test_member),    cmocka_unit_test(test_array),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_depth),
        cmocka_unit_test(test_members),   cmocka_unit_test(test_long_strings),
    };
    return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
