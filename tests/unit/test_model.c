/* SPDX-License-Identifier: MIT */
/* Unit tests: database transform, fingerprints, location map, snapshot, result lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/model.h"
#include "../../lib/snapshot.h"
#include "glue2dlf/sync.h"

static struct g2d_location_rule rules[] = {
    {"s3://bucket/", "oss://bucket/"},
    {"s3://bucket/deep/", "oss://other/"},
    {"s3a://x", "oss://y"},
};

static void test_location_map(void **state)
{
    struct g2d_config cfg = {0};
    char *s;

    cfg.location_map = rules;
    cfg.nlocation_map = 3;
    s = g2d_map_location(&cfg, "s3://bucket/db.db/");
    assert_string_equal(s, "oss://bucket/db.db/");
    free(s);
    /* the longest matching prefix wins, whatever the order */
    s = g2d_map_location(&cfg, "s3://bucket/deep/t");
    assert_string_equal(s, "oss://other/t");
    free(s);
    s = g2d_map_location(&cfg, "hdfs://nn/x");
    assert_string_equal(s, "hdfs://nn/x");
    free(s);
    s = g2d_map_location(&cfg, "s3a://x");
    assert_string_equal(s, "oss://y");
    free(s);
}

static void test_database_transform(void **state)
{
    struct g2d_config cfg = {0};
    json_error_t jerr;
    json_t *glue = json_loads(
        "{\"Name\":\"sales\",\"Description\":\"d\",\"LocationUri\":\"s3://bucket/sales.db/\","
        "\"Parameters\":{\"k\":\"v\",\"n\":\"1\"},\"CreateTime\":1.708699485E9,"
        "\"CatalogId\":\"123\",\"CreateTableDefaultPermissions\":[{\"Principal\":"
        "{\"DataLakePrincipalIdentifier\":\"IAM_ALLOWED_PRINCIPALS\"},\"Permissions\":[\"ALL\"]}],"
        "\"SomethingNew\":true}",
        0, &jerr);
    json_t *out = NULL;
    char *s;

    assert_non_null(glue);
    cfg.location_map = rules;
    cfg.nlocation_map = 1;
    assert_int_equal(g2d_model_database(&cfg, glue, &out, NULL), 0);
    s = g2d_canonical_json(out);
    assert_string_equal(s, "{\"Description\":\"d\",\"LocationUri\":\"oss://bucket/sales.db/\","
                           "\"Name\":\"sales\",\"Parameters\":{\"k\":\"v\",\"n\":\"1\"}}");
    free(s);
    json_decref(out);
    json_decref(glue);

    glue = json_loads("{\"Description\":\"no name\"}", 0, NULL);
    assert_int_equal(g2d_model_database(&cfg, glue, &out, NULL), -EINVAL);
    json_decref(glue);
}

static void test_database_fingerprint_matches_dlf_listing(void **state)
{
    struct g2d_config cfg = {0};
    json_t *glue = json_loads("{\"Name\":\"web\",\"Description\":\"\",\"LocationUri\":"
                              "\"s3://b/web\",\"Parameters\":{}}",
                              0, NULL);
    /* What DLF lists back carries extra, service-managed fields. */
    json_t *dlf = json_loads("{\"Name\":\"web\",\"LocationUri\":\"s3://b/web\",\"OwnerName\":"
                             "\"root\",\"OwnerType\":\"USER\",\"CreateTime\":1700000000,"
                             "\"UpdateTime\":1700000001,\"CreatedBy\":\"x\",\"Parameters\":{},"
                             "\"Description\":\"\"}",
                             0, NULL);
    json_t *in = NULL;
    struct g2d_fp a, b;

    assert_int_equal(g2d_model_database(&cfg, glue, &in, NULL), 0);
    assert_int_equal(g2d_fp_database(in, &a), 0);
    assert_int_equal(g2d_fp_database(dlf, &b), 0);
    assert_memory_equal(&a, &b, sizeof(a));
    /* a real change changes the fingerprint */
    json_object_set_new(dlf, "Description", json_string("changed"));
    assert_int_equal(g2d_fp_database(dlf, &b), 0);
    assert_memory_not_equal(&a, &b, sizeof(a));
    json_decref(in);
    json_decref(glue);
    json_decref(dlf);
}

static void test_snapshot(void **state)
{
    struct g2d_snapshot s;
    struct g2d_fp fp = {{0}};
    struct g2d_snap_entry *e;
    char key[32];
    size_t pos = 0, n = 0;
    int i;

    g2d_snapshot_init(&s);
    for (i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "db_%d", i);
        fp.b[0] = (uint8_t)i;
        assert_int_equal(g2d_snapshot_put(&s, G2D_ITEM_DATABASE, key, &fp), 0);
    }
    assert_int_equal(s.used, 5000);
    /* same name, other type: a distinct identity */
    assert_null(g2d_snapshot_get(&s, G2D_ITEM_TABLE, "db_1"));
    e = g2d_snapshot_get(&s, G2D_ITEM_DATABASE, "db_77");
    assert_non_null(e);
    assert_int_equal(e->fp.b[0], 77);
    for (i = 0; i < 5000; i += 2) {
        snprintf(key, sizeof(key), "db_%d", i);
        g2d_snapshot_del(&s, G2D_ITEM_DATABASE, key);
    }
    assert_int_equal(s.used, 2500);
    assert_null(g2d_snapshot_get(&s, G2D_ITEM_DATABASE, "db_78"));
    assert_non_null(g2d_snapshot_get(&s, G2D_ITEM_DATABASE, "db_79"));
    /* reinsert after tombstones, overwrite keeps the count */
    assert_int_equal(g2d_snapshot_put(&s, G2D_ITEM_DATABASE, "db_78", &fp), 0);
    assert_int_equal(g2d_snapshot_put(&s, G2D_ITEM_DATABASE, "db_79", &fp), 0);
    assert_int_equal(s.used, 2501);
    while ((e = g2d_snapshot_next(&s, &pos)))
        n++;
    assert_int_equal(n, 2501);
    g2d_snapshot_done(&s);
}

static void test_result_line(void **state)
{
    struct g2d_item_result r = {0};
    struct g2d_buf b;

    g2d_buf_init(&b, 4096);
    r.cycle_id = 7;
    r.time_ms = 1764028800123; /* 2025-11-25T00:00:00.123Z */
    r.type = G2D_ITEM_DATABASE;
    r.name = "sales";
    r.diff = G2D_DIFF_NEED_UPDATE;
    r.success = true;
    assert_int_equal(g2d_item_result_format(&r, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b),
                        "{\"cycleId\":7,\"time\":\"2025-11-25T00:00:00.123Z\",\"itemType\":"
                        "\"database\",\"itemName\":\"sales\",\"diffResult\":\"needUpdate\","
                        "\"isSuccess\":true,\"errorMsg\":\"\"}");
    g2d_buf_reset(&b);
    r.diff = G2D_DIFF_DLF_NEW;
    r.success = false;
    r.held = true;
    r.error = "delete held: \"x\"\nnext";
    assert_int_equal(g2d_item_result_format(&r, &b), 0);
    assert_non_null(strstr(g2d_buf_cstr(&b), "\"held\":true"));
    assert_non_null(strstr(g2d_buf_cstr(&b), "\"diffResult\":\"dlfNew\""));
    assert_null(strchr(g2d_buf_cstr(&b), '\n')); /* one line, always */
    g2d_buf_done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_location_map),
        cmocka_unit_test(test_database_transform),
        cmocka_unit_test(test_database_fingerprint_matches_dlf_listing),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_result_line),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
