/* SPDX-License-Identifier: MIT */
/* Unit tests: database transform, fingerprints, location map, snapshot, result lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/model.h"
#include "state/snapshot.h"
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
    assert_string_equal(s, "{\"CreateTime\":1708699485,\"Description\":\"d\",\"LocationUri\":"
                           "\"oss://bucket/sales.db/\",\"Name\":\"sales\",\"Parameters\":{\"k\":"
                           "\"v\",\"n\":\"1\"}}");
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
    /* a message cut in the middle of a character still gives valid JSON */
    g2d_buf_reset(&b);
    r.error = "cut \xc3";
    assert_int_equal(g2d_item_result_format(&r, &b), 0);
    {
        json_t *j = json_loads(g2d_buf_cstr(&b), 0, NULL);

        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "errorMsg")), "cut ?");
        json_decref(j);
    }
    g2d_buf_done(&b);
}

/* ---- empty values (README "Empty values") ---- */

enum { K_DB, K_TABLE, K_PART, K_FN };

/* Map @p glue (JSON text) as object kind @p kind: its DLF text and fingerprint. */
static char *map_text(int kind, const char *glue, struct g2d_fp *fp)
{
    json_t *g = json_loads(glue, 0, NULL), *in = NULL;
    char *text;
    int r;

    if (!g)
        fail_msg("bad test JSON: %s", glue);
    if (kind == K_DB)
        r = g2d_model_database(NULL, g, &in, NULL);
    else if (kind == K_TABLE)
        r = g2d_model_table(NULL, "d", g, &in, NULL, NULL);
    else if (kind == K_PART)
        r = g2d_model_partition(NULL, "d", "t", g, &in, NULL, NULL);
    else
        r = g2d_model_function(NULL, g, &in, NULL, NULL);
    assert_int_equal(r, 0);
    r = kind == K_DB      ? g2d_fp_database(in, fp)
        : kind == K_TABLE ? g2d_fp_table(in, fp)
        : kind == K_PART  ? g2d_fp_partition(in, fp)
                          : g2d_fp_function(in, fp);
    assert_int_equal(r, 0);
    text = g2d_canonical_json(in);
    json_decref(in);
    json_decref(g);
    return text;
}

/* @p tmpl with its "@" replaced by @p with. */
static char *subst(const char *tmpl, const char *with)
{
    const char *at = strchr(tmpl, '@');
    size_t n = strlen(tmpl) + strlen(with);
    char *s = malloc(n + 1);

    assert_non_null(at);
    snprintf(s, n + 1, "%.*s%s%s", (int)(at - tmpl), tmpl, with, at + 1);
    return s;
}

/*
 * In a parameter map at "@" of @p tmpl: adding "k":"", changing "" to "x" and back, and
 * removing it each change the fingerprint, and DLF gets the empty value.
 */
static void expect_empty_param_counts(int kind, const char *tmpl)
{
    static const char *const with[] = {"", ",\"k\":\"\"", ",\"k\":\"x\""};
    struct g2d_fp fp[3];
    char *text[3];
    int i;

    for (i = 0; i < 3; i++) {
        char *g = subst(tmpl, with[i]);

        text[i] = map_text(kind, g, &fp[i]);
        free(g);
    }
    if (!strstr(text[1], "\"k\":\"\""))
        fail_msg("the empty value is not sent: %s", text[1]);
    assert_memory_not_equal(&fp[0], &fp[1], sizeof(fp[0]));
    assert_memory_not_equal(&fp[1], &fp[2], sizeof(fp[0]));
    assert_memory_not_equal(&fp[0], &fp[2], sizeof(fp[0]));
    for (i = 0; i < 3; i++)
        free(text[i]);
}

/* Fields whose empty value is absent: "" and no member give the same DLF object. */
static void expect_empty_is_absent(int kind, const char *with_empty, const char *without)
{
    struct g2d_fp a, b;
    char *ta = map_text(kind, with_empty, &a), *tb = map_text(kind, without, &b);

    assert_string_equal(ta, tb);
    assert_memory_equal(&a, &b, sizeof(a));
    free(ta);
    free(tb);
}

static void test_empty_values(void **state)
{
    expect_empty_param_counts(K_DB, "{\"Name\":\"d\",\"Parameters\":{\"a\":\"1\"@}}");
    expect_empty_param_counts(K_TABLE, "{\"Name\":\"t\",\"Parameters\":{\"a\":\"1\"@}}");
    /* a map of nothing but the empty value */
    expect_empty_param_counts(K_TABLE, "{\"Name\":\"t\",\"Parameters\":{\"a\":1@}}");
    expect_empty_param_counts(K_TABLE, "{\"Name\":\"t\",\"StorageDescriptor\":{\"SerdeInfo\":"
                                       "{\"Parameters\":{\"serialization.format\":\"1\"@}}}}");
    expect_empty_param_counts(K_TABLE, "{\"Name\":\"t\",\"StorageDescriptor\":{\"Parameters\":"
                                       "{\"a\":\"1\"@}}}");
    expect_empty_param_counts(K_TABLE, "{\"Name\":\"t\",\"StorageDescriptor\":{\"Columns\":[{"
                                       "\"Name\":\"c\",\"Type\":\"int\",\"Parameters\":{\"a\":"
                                       "\"1\"@}}]}}");
    expect_empty_param_counts(K_TABLE, "{\"Name\":\"t\",\"PartitionKeys\":[{\"Name\":\"dt\","
                                       "\"Type\":\"string\",\"Parameters\":{\"a\":\"1\"@}}]}");
    expect_empty_param_counts(K_PART, "{\"Values\":[\"1\"],\"Parameters\":{\"a\":\"1\"@}}");
    expect_empty_param_counts(K_PART, "{\"Values\":[\"1\"],\"StorageDescriptor\":{\"SerdeInfo\":"
                                      "{\"Parameters\":{\"a\":\"1\"@}}}}");
    /* the common one: serialization.null.format "" */
    {
        struct g2d_fp a, b;
        char *ta = map_text(K_TABLE,
                            "{\"Name\":\"t\",\"StorageDescriptor\":{\"SerdeInfo\":{\"Parameters\":"
                            "{\"serialization.null.format\":\"\"}}}}",
                            &a);
        char *tb =
            map_text(K_TABLE, "{\"Name\":\"t\",\"StorageDescriptor\":{\"SerdeInfo\":{}}}", &b);

        assert_string_equal(ta, "{\"DatabaseName\":\"d\",\"Sd\":{\"SerDeInfo\":{\"Parameters\":"
                                "{\"serialization.null.format\":\"\"}}},\"TableName\":\"t\"}");
        assert_memory_not_equal(&a, &b, sizeof(a));
        free(ta);
        free(tb);
    }
    /* volatile parameters stay out of the fingerprint, empty or not */
    {
        struct g2d_fp a, b;
        char *ta = map_text(K_TABLE, "{\"Name\":\"t\",\"Parameters\":{\"a\":\"1\"}}", &a);
        char *tb = map_text(
            K_TABLE, "{\"Name\":\"t\",\"Parameters\":{\"a\":\"1\",\"transient_lastDdlTime\":\"\"}}",
            &b);

        assert_memory_equal(&a, &b, sizeof(a));
        free(ta);
        free(tb);
    }
    /* strings Glue requires non-empty, and those where "" means "none" to Hive and DLF */
    expect_empty_is_absent(K_DB, "{\"Name\":\"d\",\"Description\":\"\",\"LocationUri\":\"\"}",
                           "{\"Name\":\"d\"}");
    expect_empty_is_absent(K_TABLE,
                           "{\"Name\":\"t\",\"Owner\":\"\",\"TableType\":\"\",\"ViewOriginalText\":"
                           "\"\",\"ViewExpandedText\":\"\",\"Description\":\"\"}",
                           "{\"Name\":\"t\"}");
    expect_empty_is_absent(
        K_TABLE,
        "{\"Name\":\"t\",\"StorageDescriptor\":{\"Location\":\"\",\"InputFormat\":"
        "\"\",\"OutputFormat\":\"\",\"Columns\":[{\"Name\":\"c\",\"Comment\":"
        "\"\"}],\"SerdeInfo\":{\"Name\":\"\",\"SerializationLibrary\":\"\"}}}",
        "{\"Name\":\"t\",\"StorageDescriptor\":{\"Columns\":[{\"Name\":\"c\"}],"
        "\"SerdeInfo\":{}}}");
    expect_empty_is_absent(
        K_FN,
        "{\"FunctionName\":\"f\",\"ClassName\":\"\",\"OwnerName\":\"\",\"OwnerType\":"
        "\"\"}",
        "{\"FunctionName\":\"f\"}");
    /* an empty map is no map */
    expect_empty_is_absent(K_TABLE, "{\"Name\":\"t\",\"Parameters\":{}}", "{\"Name\":\"t\"}");
}

/* What DLF stores and lists back with an empty value fingerprints as what was written. */
static void test_empty_values_listed(void **state)
{
    json_t *g = json_loads("{\"Values\":[\"1\"],\"Parameters\":{\"k\":\"\"},\"StorageDescriptor\":"
                           "{\"SerdeInfo\":{\"Parameters\":{\"serialization.null.format\":\"\"}},"
                           "\"Columns\":[{\"Name\":\"c\",\"Parameters\":{\"e\":\"\"}}]}}",
                           0, NULL);
    json_t *in = NULL, *listed;
    struct g2d_fp a, b;

    assert_int_equal(g2d_model_partition(NULL, "d", "t", g, &in, NULL, NULL), 0);
    listed = json_deep_copy(in);
    json_object_set_new(listed, "CreateTime", json_integer(1700000000));
    json_object_set_new(json_object_get(listed, "Sd"), "NumBuckets", json_integer(-1));
    json_object_set_new(json_object_get(listed, "Sd"), "Compressed", json_false());
    assert_int_equal(g2d_fp_partition(in, &a), 0);
    assert_int_equal(g2d_fp_partition(listed, &b), 0);
    assert_memory_equal(&a, &b, sizeof(a));
    /* DLF dropping the empty value would be a difference, mended by an update */
    json_object_del(json_object_get(listed, "Parameters"), "k");
    assert_int_equal(g2d_fp_partition(listed, &b), 0);
    assert_memory_not_equal(&a, &b, sizeof(a));
    json_decref(listed);
    json_decref(in);
    json_decref(g);
}

/* ---- create times and LastAnalyzedTime (the field table's FK_TIME rows) ---- */

static void expect_create_time(int kind, const char *glue, const char *glue_later)
{
    struct g2d_fp a, b;
    char *ta = map_text(kind, glue, &a), *tb = map_text(kind, glue_later, &b);

    if (!strstr(ta, "\"CreateTime\":1708699485"))
        fail_msg("no CreateTime in DLF's: %s", ta);
    /* written with a create or an update, never the cause of one */
    assert_memory_equal(&a, &b, sizeof(a));
    free(ta);
    free(tb);
}

static void test_create_times(void **state)
{
    expect_create_time(K_DB, "{\"Name\":\"d\",\"CreateTime\":1.708699485E9}",
                       "{\"Name\":\"d\",\"CreateTime\":1.8E9}");
    expect_create_time(K_TABLE, "{\"Name\":\"t\",\"CreateTime\":1708699485.7}", "{\"Name\":\"t\"}");
    expect_create_time(K_FN, "{\"FunctionName\":\"f\",\"CreateTime\":1.708699485E9}",
                       "{\"FunctionName\":\"f\",\"CreateTime\":1}");
    /* a partition's is CreationTime in Glue, CreateTime in DLF */
    expect_create_time(K_PART, "{\"Values\":[\"1\"],\"CreationTime\":1.708699485E9}",
                       "{\"Values\":[\"1\"],\"CreationTime\":1.9E9}");
    {
        struct g2d_fp a;
        char *t = map_text(K_PART, "{\"Values\":[\"1\"],\"CreateTime\":1.708699485E9}", &a);

        assert_null(strstr(t, "CreateTime")); /* not a partition member in Glue */
        free(t);
    }
}

static void test_last_analyzed_time(void **state)
{
    static const char *const tables[] = {
        "{\"Name\":\"t\",\"LastAnalyzedTime\":1.7E9}",
        "{\"Name\":\"t\",\"LastAnalyzedTime\":1.8E9}",
        "{\"Name\":\"t\"}",
    };
    static const char *const parts[] = {
        "{\"Values\":[\"1\"],\"LastAnalyzedTime\":1.7E9}",
        "{\"Values\":[\"1\"],\"LastAnalyzedTime\":1.8E9}",
        "{\"Values\":[\"1\"]}",
    };
    const char *const *set[] = {tables, parts};
    int k, i;

    for (k = 0; k < 2; k++) {
        struct g2d_fp fp[3];

        for (i = 0; i < 3; i++)
            free(map_text(k ? K_PART : K_TABLE, set[k][i], &fp[i]));
        assert_memory_not_equal(&fp[0], &fp[1], sizeof(fp[0]));
        assert_memory_not_equal(&fp[0], &fp[2], sizeof(fp[0]));
    }
    /* DLF lists a table never analysed with LastAnalyzedTime 0: the same as none */
    {
        json_t *listed = json_loads("{\"TableName\":\"t\",\"DatabaseName\":\"d\","
                                    "\"LastAnalyzedTime\":0,\"CreateTime\":1700000000}",
                                    0, NULL);
        struct g2d_fp a, b;

        free(map_text(K_TABLE, "{\"Name\":\"t\"}", &a));
        assert_int_equal(g2d_fp_table(listed, &b), 0);
        assert_memory_equal(&a, &b, sizeof(a));
        json_decref(listed);
    }
}

/* ---- tables, partitions, functions: fixtures in tests/data/model/<case>/ ---- */

static struct g2d_location_rule fixture_rules[] = {{"s3://src-bucket/", "oss://dst-bucket/"}};

static json_t *load_fixture(const char *dir, const char *file)
{
    char path[256];
    json_error_t jerr;
    json_t *j;

    snprintf(path, sizeof(path), "tests/data/model/%s/%s", dir, file);
    j = json_load_file(path, 0, &jerr);
    if (!j)
        fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
    return j;
}

static void check_fixture(const char *dir, int kind, unsigned want_dropped, enum g2d_otf want_otf)
{
    struct g2d_config cfg = {0};
    struct g2d_model_notes notes = {0};
    json_t *glue = load_fixture(dir, "glue.json"), *want = load_fixture(dir, "dlf.json");
    json_t *got = NULL;
    char *a, *b;
    int r;

    cfg.location_map = fixture_rules;
    cfg.nlocation_map = 1;
    if (kind == 0)
        r = g2d_model_table(&cfg, "sales", glue, &got, &notes, NULL);
    else if (kind == 1)
        r = g2d_model_partition(&cfg, "sales", "orders", glue, &got, &notes, NULL);
    else
        r = g2d_model_function(&cfg, glue, &got, &notes, NULL);
    assert_int_equal(r, 0);
    a = g2d_canonical_json(got);
    b = g2d_canonical_json(want);
    if (strcmp(a, b) != 0)
        fail_msg("%s:\n got  %s\n want %s", dir, a, b);
    assert_int_equal(notes.dropped, want_dropped);
    assert_int_equal(notes.otf, want_otf);
    free(a);
    free(b);
    json_decref(got);
    json_decref(glue);
    json_decref(want);
}

static void test_table_external(void **state)
{
    check_fixture("table_external", 0,
                  G2D_DROP_SD_ADDITIONAL_LOCATIONS | G2D_DROP_SD_SCHEMA_REFERENCE, G2D_OTF_NONE);
}

static void test_table_view(void **state)
{
    check_fixture("table_view", 0, G2D_DROP_TABLE_VIEW_DEFINITION, G2D_OTF_NONE);
}

static void test_table_iceberg(void **state)
{
    check_fixture("table_iceberg", 0, 0, G2D_OTF_ICEBERG);
}

static void test_table_skewed_bucketed(void **state)
{
    check_fixture("table_skewed", 0, 0, G2D_OTF_NONE);
}

static void test_partition_own_columns(void **state)
{
    check_fixture("partition_own_columns", 1, 0, G2D_OTF_NONE);
}

static void test_function_resources(void **state)
{
    check_fixture("function_resources", 2, 0, G2D_OTF_NONE);
}

static void expect_skew(const char *in, const char *want)
{
    json_t *a = g2d_decode_skewed_value(in);
    char *s = g2d_canonical_json(a);

    assert_string_equal(s, want);
    free(s);
    json_decref(a);
}

static void test_skewed_decoding(void **state)
{
    expect_skew("1$a2$bc", "[\"a\",\"bc\"]");
    expect_skew("0$", "[\"\"]");
    expect_skew("3$a$b", "[\"a$b\"]");                           /* '$' inside a value */
    expect_skew("2$\xf0\x9f\x98\x80", "[\"\xf0\x9f\x98\x80\"]"); /* one emoji = 2 UTF-16 units */
    expect_skew("plain", "[\"plain\"]");                         /* not encoded: kept whole */
    expect_skew("5$ab", "[\"5$ab\"]");                           /* length past the end */
    expect_skew("", "[\"\"]");
}

/* What DLF lists back for an object equals, after normalisation, what we wrote. */
static void test_normalised_equivalence(void **state)
{
    json_t *in = load_fixture("table_external", "dlf.json"), *listed = json_deep_copy(in);
    json_t *sd = json_object_get(listed, "Sd");
    struct g2d_fp a, b;

    /* service-managed and default-valued fields DLF may add or drop */
    json_object_set_new(listed, "CreateTime", json_integer(1700000000));
    json_object_set_new(listed, "UpdateTime", json_integer(1700000001));
    json_object_set_new(listed, "TableId", json_string("t-1"));
    json_object_set_new(listed, "OwnerType", json_string("USER"));
    json_object_set_new(listed, "LastAccessTime", json_integer(1800000000));
    json_object_del(listed, "Retention");
    json_object_del(sd, "NumBuckets");
    json_object_del(sd, "BucketCols");
    json_object_set_new(sd, "Parameters", json_object());
    json_object_set_new(json_object_get(listed, "Parameters"), "transient_lastDdlTime",
                        json_string("1799999999"));
    assert_int_equal(g2d_fp_table(in, &a), 0);
    assert_int_equal(g2d_fp_table(listed, &b), 0);
    assert_memory_equal(&a, &b, sizeof(a));
    /* a real change is seen: a column type, a parameter, the column order */
    json_object_set_new(json_object_get(listed, "Parameters"), "classification",
                        json_string("orc"));
    assert_int_equal(g2d_fp_table(listed, &b), 0);
    assert_memory_not_equal(&a, &b, sizeof(a));
    json_decref(listed);
    json_decref(in);

    in = load_fixture("partition_own_columns", "dlf.json");
    listed = json_deep_copy(in);
    assert_int_equal(g2d_fp_partition(in, &a), 0);
    json_object_set_new(listed, "CreateTime", json_integer(5));
    assert_int_equal(g2d_fp_partition(listed, &b), 0);
    assert_memory_equal(&a, &b, sizeof(a));
    /* key order of values matters */
    json_object_set_new(listed, "Values", json_pack("[s,s]", "eu", "2024-01-01"));
    assert_int_equal(g2d_fp_partition(listed, &b), 0);
    assert_memory_not_equal(&a, &b, sizeof(a));
    json_decref(listed);
    json_decref(in);
}

/* The normalised text: managed members only, sorted, empties and volatile parameters gone. */
static void test_normalized_text(void **state)
{
    json_t *t = json_loads(
        "{\"TableName\":\"t\",\"TableId\":\"x\",\"CreateTime\":5,\"Owner\":\"\","
        "\"Retention\":0,\"TableType\":\"EXTERNAL_TABLE\",\"Parameters\":{\"b\":\"2\","
        "\"transient_lastDdlTime\":\"9\",\"a\":\"q\\\"\\n\"},\"Sd\":{\"NumBuckets\":-1,"
        "\"Compressed\":false,\"Cols\":[{\"Type\":\"int\",\"Name\":\"c\",\"Comment\":\"\"},"
        "{}],\"Extra\":1,\"SerDeInfo\":{\"Parameters\":{}},\"Location\":\"oss://l\"},"
        "\"PartitionKeys\":[]}",
        0, NULL);
    char *n;

    assert_non_null(t);
    n = g2d_normalized_text(G2D_NORM_TABLE, t);
    assert_string_equal(n, "{\"Parameters\":{\"a\":\"q\\\"\\u000a\",\"b\":\"2\"},"
                           "\"Sd\":{\"Cols\":[{\"Name\":\"c\",\"Type\":\"int\"},{}],"
                           "\"Location\":\"oss://l\"},\"TableName\":\"t\","
                           "\"TableType\":\"EXTERNAL_TABLE\"}");
    free(n);
    json_decref(t);
    t = json_loads("{\"Unmanaged\":1}", 0, NULL);
    n = g2d_normalized_text(G2D_NORM_PARTITION, t);
    assert_string_equal(n, "{}");
    free(n);
    json_decref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_location_map),
        cmocka_unit_test(test_database_transform),
        cmocka_unit_test(test_database_fingerprint_matches_dlf_listing),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_result_line),
        cmocka_unit_test(test_table_external),
        cmocka_unit_test(test_table_view),
        cmocka_unit_test(test_table_iceberg),
        cmocka_unit_test(test_table_skewed_bucketed),
        cmocka_unit_test(test_partition_own_columns),
        cmocka_unit_test(test_function_resources),
        cmocka_unit_test(test_skewed_decoding),
        cmocka_unit_test(test_normalised_equivalence),
        cmocka_unit_test(test_normalized_text),
        cmocka_unit_test(test_empty_values),
        cmocka_unit_test(test_empty_values_listed),
        cmocka_unit_test(test_create_times),
        cmocka_unit_test(test_last_analyzed_time),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
