/* SPDX-License-Identifier: MIT */
/* Unit tests: the deleted-objects archive's files (append, find, prune, parse). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "glue2dlf/sync.h"
#include "state/archive.h"

#define DAY (86400000LL)
#define T0 (1765152000000LL) /* 2025-12-08T00:00:00Z */

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/g2d-test-archive-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void put(const char *name, int64_t when, const char *tag)
{
    json_t *o = json_pack("{s:s, s:s}", "TableName", name, "tag", tag);
    struct g2d_archive_rec r = {when, G2D_ITEM_TABLE, name, NULL, NULL, NULL, o};

    assert_int_equal(g2d_archive_append(dir, &r, 1, NULL), 0);
    json_decref(o);
}

static void test_append_find(void **state)
{
    struct g2d_archive_rec rec;
    json_t *root = NULL, *vals = json_pack("[s, s]", "2024-01", "eu");
    json_t *po = json_pack("{s:O}", "Values", vals);
    struct g2d_archive_rec pr = {
        T0 + 5, G2D_ITEM_PARTITION, "db.t/dt=2024-01/r=eu", "db", "t", vals, po};
    char path[128];
    struct stat st;

    put("db.t", T0 - 2 * DAY, "oldest");
    put("db.t", T0 - DAY, "older");
    put("db.t", T0 + 1, "first today");
    put("db.t", T0 + 2, "newest");
    put("db.u", T0 + 3, "other");
    assert_int_equal(g2d_archive_append(dir, &pr, 1, NULL), 0);
    snprintf(path, sizeof(path), "%s/deleted-2025-12-08.jsonl", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* the newest record of the name, case aside, of that type or any */
    assert_int_equal(g2d_archive_find(dir, G2D_ITEM_TABLE, "DB.T", &root, &rec, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(rec.object, "tag")), "newest");
    json_decref(root);
    assert_int_equal(g2d_archive_find(dir, -1, "db.t/dt=2024-01/r=eu", &root, &rec, NULL), 0);
    assert_int_equal(rec.type, G2D_ITEM_PARTITION);
    assert_string_equal(rec.database, "db");
    assert_true(json_equal(rec.values, vals));
    json_decref(root);
    assert_int_equal(g2d_archive_find(dir, G2D_ITEM_FUNCTION, "db.t", &root, &rec, NULL), -ENOENT);
    assert_int_equal(g2d_archive_find(dir, -1, "db.v", &root, &rec, NULL), -ENOENT);
    assert_null(root);
    json_decref(vals);
    json_decref(po);
}

/* A torn or foreign line is skipped; what is before and after it is found. */
static void test_torn_line(void **state)
{
    struct g2d_archive_rec rec;
    json_t *root;
    char path[128];
    FILE *f;

    put("db.a", T0, "before");
    snprintf(path, sizeof(path), "%s/deleted-2025-12-08.jsonl", dir);
    f = fopen(path, "a");
    fputs("{\"time\":\"x\",\"type\":\"table\",\"name\":\"db.a\",\"obj\n", f);
    fclose(f);
    put("db.b", T0, "after");
    assert_int_equal(g2d_archive_find(dir, -1, "db.a", &root, &rec, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(rec.object, "tag")), "before");
    json_decref(root);
    assert_int_equal(g2d_archive_find(dir, -1, "db.b", &root, &rec, NULL), 0);
    json_decref(root);
}

static int nfiles(void)
{
    char cmd[160];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '^deleted-'", dir);
    p = popen(cmd, "r");
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

/* Bounded by age, then by size, oldest first; today's file is kept; others are not touched. */
static void test_prune(void **state)
{
    char path[128];
    FILE *f;

    for (int d = 10; d >= 0; d--)
        put("db.t", T0 - d * DAY, "x");
    snprintf(path, sizeof(path), "%s/not-ours.txt", dir);
    f = fopen(path, "w");
    fputs("keep", f);
    fclose(f);
    assert_int_equal(nfiles(), 11);
    assert_int_equal(g2d_archive_prune(dir, T0 + 1000, 3 * DAY, 1u << 30), 7);
    assert_int_equal(nfiles(), 4);
    assert_int_equal(g2d_archive_prune(dir, T0 + 1000, 30 * DAY, 1), 3);
    assert_int_equal(nfiles(), 1); /* today's */
    assert_int_equal(access(path, F_OK), 0);
}

static void test_parse_line(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"type\":\"table\",\"name\":\"a\"}",
        "{\"type\":\"view\",\"name\":\"a\",\"object\":{}}",
        "{\"type\":\"table\",\"name\":\"\",\"object\":{}}",
        "{\"type\":\"table\",\"name\":\"a\",\"object\":[]}",
        "{\"type\":\"partition\",\"name\":\"a\",\"object\":{},\"database\":\"d\",\"table\":\"t\"}",
        "{\"type\":\"partition\",\"name\":\"a\",\"object\":{},\"database\":\"d\",\"table\":\"t\","
        "\"values\":[1]}",
        "{\"type\":\"table\",\"type\":\"table\",\"name\":\"a\",\"object\":{}}",
    };
    struct g2d_archive_rec rec;
    json_t *root;
    const char *ok = "{\"type\":\"function\",\"name\":\"d.f\",\"object\":{\"FunctionName\":\"f\"}}";

    assert_int_equal(g2d_archive_parse_line(ok, strlen(ok), &root, &rec), 0);
    assert_int_equal(rec.type, G2D_ITEM_FUNCTION);
    json_decref(root);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (g2d_archive_parse_line(bad[i], strlen(bad[i]), &root, &rec) != -EBADMSG)
            fail_msg("accepted: %s", bad[i]);
        assert_null(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test(test_parse_line),
    };
    return cmocka_run_group_tests_name("archive", tests, NULL, NULL);
}
