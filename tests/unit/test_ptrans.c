/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the DOM-free partition transform (lib/ptrans.c), differentially against
 * the DOM path (json_loadb → g2d_model_partition → g2d_jwrite_value + g2d_fp_partition):
 * whenever the fast path succeeds, the text, the fingerprint and the dropped-field bits must
 * be identical; inputs outside its subset must fall back and leave the text alone, and for
 * broken inputs the DOM path must be the one that reports the error. The simulator's
 * generator is included directly (as in test_sim_catalog.c) to feed it realistic pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/jwrite.h"
#include "glue2dlf/model.h"
#include "transform/fields.h"
#include "transform/ptrans.h"
#include "../bench/bench_shape.h"
#include "../sim/catalog.c"
#include "../sim/gen.c"
#include "../sim/model.c"
#include "../sim/parts.c"
#include "../sim/render.c"
#include "../sim/util.c"

static struct g2d_location_rule pt_rules[] = {
    {"s3://bucket/", "oss://bucket/"},
    {"s3://bucket/deep/", "oss://other/"},
    {"s3://empty/", ""},
    {"s3://q/", "oss://\"q\"\t/"},
    {"s3://sim-bucket-", "oss://sim-"},
    {"s3://sim-bucket-7/db_0000.db/", "oss://seven/"},
    {"s3://bad/", "oss://\xc3("},
    {"s3://bad4/", "oss://\xf8\x88\x80\x80\x80"},
    {"s3://cut/\xc3", "oss://cut/\xc3"},
    {"s3://cut2/\xc3", "oss://"},
    {"s3://dup/", "oss://first/"},
    {"s3://dup/", "oss://second/"},
};

static struct g2d_config pt_cfg(void)
{
    struct g2d_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.location_map = pt_rules;
    cfg.nlocation_map = sizeof(pt_rules) / sizeof(pt_rules[0]);
    return cfg;
}

/* The DOM path as the daemon runs it. @return 0, or -1 when it reports an error. */
static int dom_path(const struct g2d_config *cfg, const char *db, const char *table, const char *p,
                    size_t n, struct g2d_buf *text, struct g2d_fp *fp, unsigned *dropped)
{
    json_t *gp = json_loadb(p, n, 0, NULL), *in = NULL;
    struct g2d_model_notes notes = {0};
    int r = -1;

    if (json_is_object(gp) && g2d_model_partition(cfg, db, table, gp, &in, &notes, NULL) == 0 &&
        g2d_fp_partition(in, fp) == 0 && g2d_jwrite_value(text, in) == 0) {
        *dropped = notes.dropped;
        r = 0;
    }
    json_decref(in);
    json_decref(gp);
    return r;
}

static struct g2d_ptrans_scratch scratch;

static int setup(void **state)
{
    g2d_ptrans_scratch_init(&scratch);
    return 0;
}

static int teardown(void **state)
{
    g2d_ptrans_scratch_done(&scratch);
    return 0;
}

/* Both paths on @p p; the fast one must succeed with identical results. */
static void same_n(const struct g2d_config *cfg, const char *db, const char *table, const char *p,
                   size_t n)
{
    struct g2d_buf a, b;
    struct g2d_ptrans_out out;
    struct g2d_fp fp;
    unsigned dropped = ~0u;
    int r;

    g2d_buf_init(&a, 0);
    g2d_buf_init(&b, 0);
    g2d_buf_puts(&a, "prefix,");
    g2d_buf_puts(&b, "prefix,");
    r = g2d_ptrans_partition(cfg, db, table, p, n, &a, &out, &scratch);
    if (r != 0)
        fail_msg("fast path returned %d for: %.*s", r, (int)n, p);
    if (dom_path(cfg, db, table, p, n, &b, &fp, &dropped) != 0)
        fail_msg("DOM path failed for: %.*s", (int)n, p);
    assert_string_equal(g2d_buf_cstr(&a), g2d_buf_cstr(&b));
    assert_memory_equal(out.fp.b, fp.b, G2D_FP_LEN);
    assert_int_equal(out.dropped, dropped);
    {
        /* The values are the DOM's Values, as pointers into the input. */
        json_t *gp = json_loadb(p, n, 0, NULL), *vals = json_object_get(gp, "Values");
        size_t i;

        assert_int_equal(out.nvalues, json_array_size(vals));
        for (i = 0; i < out.nvalues; i++) {
            assert_true(out.val[i] >= p && out.val[i] + out.vlen[i] <= p + n);
            assert_int_equal(out.vlen[i], json_string_length(json_array_get(vals, i)));
            assert_memory_equal(out.val[i], json_string_value(json_array_get(vals, i)),
                                out.vlen[i]);
        }
        json_decref(gp);
    }
    g2d_buf_done(&a);
    g2d_buf_done(&b);
}

static void same(const char *p)
{
    struct g2d_config cfg = pt_cfg();

    same_n(&cfg, "sales", "orders", p, strlen(p));
}

enum { DOM_OK, DOM_ERROR };

/* The fast path must fall back, leave the text as it was; the DOM path then does @p dom. */
static void fallback_n(const char *p, size_t n, int dom)
{
    struct g2d_config cfg = pt_cfg();
    struct g2d_buf a, b;
    struct g2d_ptrans_out out;
    struct g2d_fp fp;
    unsigned dropped;
    int r;

    g2d_buf_init(&a, 0);
    g2d_buf_init(&b, 0);
    g2d_buf_puts(&a, "prefix");
    r = g2d_ptrans_partition(&cfg, "sales", "orders", p, n, &a, &out, &scratch);
    if (r != G2D_PTRANS_FALLBACK)
        fail_msg("fast path returned %d, not a fallback, for: %.*s", r, (int)n, p);
    assert_string_equal(g2d_buf_cstr(&a), "prefix");
    assert_int_equal(a.len, 6);
    r = dom_path(&cfg, "sales", "orders", p, n, &b, &fp, &dropped);
    if (dom == DOM_ERROR && r == 0)
        fail_msg("DOM path accepted: %.*s", (int)n, p);
    if (dom == DOM_OK && r != 0)
        fail_msg("DOM path failed: %.*s", (int)n, p);
    g2d_buf_done(&a);
    g2d_buf_done(&b);
}

static void fallback(const char *p, int dom)
{
    fallback_n(p, strlen(p), dom);
}

/* The micro-benchmark's shape: 12 columns, 2 keys, Parquet, 3 parameters. */
static char *bench_shape(int indent)
{
    return bench_partition_json(indent ? JSON_INDENT(indent) : JSON_COMPACT);
}

static void test_bench_shape(void **state)
{
    char *s = bench_shape(0), *t = bench_shape(3);

    same(s);
    same(t);
    free(s);
    free(t);
}

/* Every generated partition of several simulated catalogs, compact and indented. */
static void test_simulator_partitions(void **state)
{
    static const struct {
        uint64_t seed;
        unsigned keys;
        int plain;
    } runs[] = {{1, 2, 0}, {7, 3, 0}, {42, 1, 0}, {5, 2, 1}};
    struct g2d_config cfg = pt_cfg();
    size_t total = 0, skewed = 0, own = 0, r;

    for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        struct sim_gen_opts o = {.seed = runs[r].seed,
                                 .databases = 2,
                                 .tables_per_db = 7,
                                 .partitions_per_table = 60,
                                 .columns = 12,
                                 .partition_keys = runs[r].keys,
                                 .plain = runs[r].plain,
                                 .catalog_id = "123456789012"};
        struct sim_catalog cat;
        size_t d, t;

        sim_catalog_init(&cat);
        assert_int_equal(sim_gen_glue(&cat, &o), 0);
        for (d = 0; d < cat.dbs.n; d++) {
            struct sim_item *db = &cat.dbs.items[d];

            for (t = 0; t < sim_item_nkids(db, SIM_KID_TABLES); t++) {
                struct sim_item *tb = &db->kids[SIM_KID_TABLES]->items[t];
                const char *tname = json_string_value(json_object_get(tb->obj, "Name"));
                struct sim_ppos pos;
                const struct sim_prec *pr;

                if (!tb->parts)
                    continue;
                sim_parts_lower_bound(tb->parts, NULL, 0, &pos);
                for (; (pr = sim_parts_at(tb->parts, &pos)) != NULL;
                     sim_parts_next(tb->parts, &pos)) {
                    int excl;

                    for (excl = 0; excl < 2; excl++) {
                        json_t *p = sim_glue_part_json(tb->obj, pr, "123456789012", excl);
                        json_t *sd = json_object_get(p, "StorageDescriptor");
                        char *c = json_dumps(p, JSON_COMPACT), *i = json_dumps(p, JSON_INDENT(2));

                        assert_non_null(c);
                        same_n(&cfg, db->name, tname, c, strlen(c));
                        same_n(&cfg, db->name, tname, i, strlen(i));
                        total++;
                        skewed += json_object_get(sd, "SkewedInfo") != NULL;
                        own += json_array_size(json_object_get(sd, "Columns")) == 13;
                        free(c);
                        free(i);
                        json_decref(p);
                    }
                }
            }
        }
        sim_catalog_done(&cat);
    }
    /* the generator's shapes were all there */
    assert_true(total > 1000);
    assert_true(skewed > 0);
    assert_true(own > 0);
}

static void test_parameters(void **state)
{
    /* none, volatile ones only, volatile and others, non-string and empty values */
    same("{\"Values\":[\"a\"]}");
    same("{\"Values\":[\"a\"],\"Parameters\":{}}");
    same("{\"Values\":[\"a\"],\"Parameters\":{\"transient_lastDdlTime\":\"1\","
         "\"last_modified_time\":\"2\",\"last_modified_by\":\"me\"}}");
    same("{\"Values\":[\"a\"],\"Parameters\":{\"z\":\"1\",\"transient_lastDdlTime\":\"1\","
         "\"a\":\"2\",\"last_modified_by\":\"x\",\"m\":\"\",\"n\":3,\"o\":null,\"p\":{\"q\":\"r\"},"
         "\"aa\":\"3\",\"a b\":\"4\",\"A\":\"5\"}}");
    same("{\"Values\":[\"a\"],\"Parameters\":{\"n\":1,\"m\":[\"x\"]}}");
    same("{\"Values\":[\"a\"],\"Parameters\":{\"m\":\"\"}}");
    same("{\"Values\":[\"a\"],\"Parameters\":[\"x\"]}");
    same("{\"Values\":[\"a\"],\"Parameters\":\"x\"}");
    same("{\"Values\":[\"a\"],\"Parameters\":null}");
    /* volatile names are only volatile at the top: Sd and SerDe parameters keep them */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Parameters\":{\"transient_lastDdlTime\":"
         "\"1\"},\"SerdeInfo\":{\"Parameters\":{\"last_modified_by\":\"x\"}}}}");
}

static void test_many_parameters(void **state)
{
    struct g2d_buf b;
    int i;

    /* more keys than the insertion sort handles: qsort, in reverse input order */
    g2d_buf_init(&b, 0);
    g2d_buf_puts(&b, "{\"Values\":[\"a\"],\"Parameters\":{");
    for (i = 60; i > 0; i--)
        g2d_buf_printf(&b, "%s\"key%03d\":\"v%d\"", i == 60 ? "" : ",", i, i);
    g2d_buf_puts(&b, "},\"StorageDescriptor\":{\"Columns\":[");
    for (i = 0; i < 300; i++)
        g2d_buf_printf(&b,
                       "%s{\"Name\":\"c%d\",\"Type\":\"int\",\"Parameters\":{\"b\":\"1\","
                       "\"a\":\"2\"}}",
                       i ? "," : "", i);
    g2d_buf_puts(&b, "]}}");
    same(g2d_buf_cstr(&b));
    g2d_buf_done(&b);
}

static void test_empty_values(void **state)
{
    same("{\"Values\":[\"\"]}");
    same("{\"Values\":[\"\",\"x\",\"\"],\"StorageDescriptor\":{\"Location\":\"\","
         "\"InputFormat\":\"\",\"OutputFormat\":\"\",\"Columns\":[{\"Name\":\"\",\"Type\":\"\","
         "\"Comment\":\"\",\"Parameters\":{\"k\":\"\"}}],\"SerdeInfo\":{\"Name\":\"\","
         "\"SerializationLibrary\":\"\",\"Parameters\":{}},\"BucketColumns\":[\"\"],"
         "\"SortColumns\":[{\"Column\":\"\"}],\"Parameters\":{\"\":\"\"},"
         "\"SkewedInfo\":{\"SkewedColumnNames\":[],\"SkewedColumnValues\":[],"
         "\"SkewedColumnValueLocationMaps\":{}},\"Compressed\":false,"
         "\"StoredAsSubDirectories\":false,\"NumberOfBuckets\":0}}");
    /* an Sd that normalises to nothing at all */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Columns\":[],\"SerdeInfo\":{}}}");
}

static void test_location_map(void **state)
{
    struct g2d_config none = {0};
    const char *p = "{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":"
                    "\"s3://bucket/deep/t/\"}}";

    same(p); /* the longest prefix wins */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://bucket/x\"}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://bucket/\"}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://bucke\"}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"hdfs://nn/x\"}}");
    /* mapped to the empty string: written, then dropped from the normalised form */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://empty/\"}}");
    /* two rules with the same prefix: the first one */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://dup/x\"}}");
    /* a target that needs escaping */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://q/x\"}}");
    /* Spark's SerDe path is mapped too, in place */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SerdeInfo\":{\"Parameters\":{\"a\":\"1\","
         "\"path\":\"s3://bucket/deep/p\",\"z\":\"2\"}}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SerdeInfo\":{\"Parameters\":{\"path\":"
         "\"s3://empty/\"}}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SerdeInfo\":{\"Parameters\":{\"path\":7,"
         "\"x\":\"s3://bucket/\"}}}}");
    /* no configuration and no rules */
    same_n(NULL, "d", "t", p, strlen(p));
    same_n(&none, "d", "t", p, strlen(p));
    /* a target that is not UTF-8: the DOM path cannot build the string */
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://bad/x\"}}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://bad4/x\"}}",
             DOM_ERROR);
    /* rules that cut a character in two: the fast path declines; whole again, or broken */
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://cut/\xc3\xa9\"}}",
             DOM_OK);
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"s3://cut2/\xc3\xa9\"}}",
             DOM_ERROR);
}

static void test_names_escaped(void **state)
{
    struct g2d_config cfg = pt_cfg();
    const char *p = "{\"Values\":[\"a\"]}";

    same_n(&cfg, "d\"b\\", "t\nx\x01", p, strlen(p));
    same_n(&cfg, "caf\xc3\xa9", "\xe6\x95\xb0", p, strlen(p));
    {
        /* names that are not UTF-8: json_string() fails in the DOM path */
        struct g2d_ptrans_out o;
        struct g2d_buf b;
        struct g2d_fp fp;
        unsigned dropped;

        g2d_buf_init(&b, 0);
        assert_int_equal(g2d_ptrans_partition(&cfg, "d\xff", "t", p, strlen(p), &b, &o, &scratch),
                         G2D_PTRANS_FALLBACK);
        assert_int_equal(
            g2d_ptrans_partition(&cfg, "d", "\xf8\x88\x80\x80\x80", p, strlen(p), &b, &o, &scratch),
            G2D_PTRANS_FALLBACK);
        assert_int_equal(b.len, 0);
        assert_int_equal(dom_path(&cfg, "d\xff", "t", p, strlen(p), &b, &fp, &dropped), -1);
        g2d_buf_done(&b);
    }
}

static void test_skewed(void **state)
{
    /* Glue's <len>$<value> tuples, UTF-16 lengths (4-byte characters count 2), literals */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":{\"SkewedColumnNames\":"
         "[\"c1\",\"c2\"],\"SkewedColumnValues\":[\"1$a2$bc\",\"3$xyz4$\xc3\xa9t\xc3\xa9x\","
         "\"plain\",\"\",\"0$\",\"2$\xf0\x9f\x9a\x80\",\"1$\xf0\x9f\x9a\x80\",\"5$ab\",7,null],"
         "\"SkewedColumnValueLocationMaps\":{\"2$xy1$z\":\"s3://bucket/deep/xy\","
         "\"1$a2$bc\":\"s3://bucket/a\",\"lit\":\"hdfs://x\",\"e\":\"\","
         "\"1$q\":\"s3://empty/\"}},\"StoredAsSubDirectories\":true}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":{}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":{\"SkewedColumnNames\":null,"
         "\"SkewedColumnValues\":{},\"SkewedColumnValueLocationMaps\":[]}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":{\"SkewedColumnValues\":"
         "[\"\"],\"SkewedColumnValueLocationMaps\":{\"k\":\"\"}}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":\"none\"}}");
    /* two keys that decode to the same tuple: the DOM keeps one, the fast path declines */
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":{"
             "\"SkewedColumnValueLocationMaps\":{\"1$a\":\"x\",\"a\":\"y\"}}}}",
             DOM_OK);
    /* a location that is not a string makes the DOM path fail */
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SkewedInfo\":{"
             "\"SkewedColumnValueLocationMaps\":{\"1$a\":1}}}}",
             DOM_ERROR);
}

static void test_sort_bucket(void **state)
{
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"BucketColumns\":[\"b1\",\"\",\"b2\"],"
         "\"NumberOfBuckets\":8,\"SortColumns\":[{\"Column\":\"a\",\"SortOrder\":1},"
         "{\"Column\":\"b\",\"SortOrder\":0},{\"Column\":\"c\",\"SortOrder\":-1},{},5,\"s\","
         "{\"SortOrder\":1.5,\"Column\":\"\",\"X\":[1]}]}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"BucketColumns\":null,\"SortColumns\":{}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"BucketColumns\":[],\"SortColumns\":[]}}");
    /* copy_any() of a BucketColumns that is not an array of strings: not handled */
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"BucketColumns\":\"x\"}}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"BucketColumns\":[1]}}", DOM_OK);
}

static void test_columns(void **state)
{
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Columns\":[{\"Name\":\"a\",\"Type\":"
         "\"int\",\"Comment\":\"c\",\"Parameters\":{\"x\":\"y\",\"z\":1,\"a\":\"b\"}},{},\"str\","
         "7,[],{\"Name\":\"\",\"Type\":\"\"},{\"Type\":null,\"Comment\":5},{\"Comment\":\"only\"},"
         "{\"Parameters\":{\"e\":\"\"}},{\"Type\":\"t\",\"Name\":\"n\",\"Extra\":{\"a\":[]}}]}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Columns\":{\"Name\":\"a\"}}}");
    /* a Type that is not a string is copied as it is: not handled */
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Columns\":[{\"Name\":\"a\","
             "\"Type\":5}]}}",
             DOM_OK);
}

static void test_storage_descriptor(void **state)
{
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":null}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":[]}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":\"x\"}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Compressed\":true,\"NumberOfBuckets\":"
         "2.0,\"StoredAsSubDirectories\":\"yes\",\"SerdeInfo\":[],\"Location\":5}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"NumberOfBuckets\":-5,\"Compressed\":1}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"NumberOfBuckets\":123456789012345678}}");
    /* dropped fields */
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"AdditionalLocations\":[\"s3://x\"],"
         "\"SchemaReference\":{\"SchemaVersionId\":\"1\"}}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"AdditionalLocations\":[ ],"
         "\"SchemaReference\":null}}");
    same("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"AdditionalLocations\":\"x\","
         "\"SchemaReference\":[1]}}");
    /* not in a StorageDescriptor: not looked at */
    same("{\"Values\":[\"a\"],\"AdditionalLocations\":[\"s3://x\"],"
         "\"SchemaReference\":{\"SchemaVersionId\":\"1\"}}");
}

static void test_times(void **state)
{
    static const char *const t[] = {
        "0",
        "-1",
        "1",
        "1.9",
        "1.708699485E9",
        "1708699485.999999",
        "4e12",
        "4000000000001",
        "1e13",
        "\"17\"",
        "null",
        "1e-300",
        "2.5e+3",
        "-0",
        "-0.0",
        "{}",
        "[1]",
        "4000000000000.5",
        "1e-400",
    };
    char buf[256];
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        snprintf(buf, sizeof(buf), "{\"Values\":[\"a\"],\"LastAccessTime\":%s}", t[i]);
        same(buf);
        snprintf(buf, sizeof(buf), "{\"LastAnalyzedTime\":%s,\"Values\":[\"a\"]}", t[i]);
        same(buf);
    }
}

static void test_unicode(void **state)
{
    same("{\"Values\":[\"caf\xc3\xa9\",\"\xe6\x95\xb0\xe6\x8d\xae\",\"\xf0\x9f\x9a\x80\"],"
         "\"Parameters\":{\"\xc3\xa9t\xc3\xa9\":\"\xe2\x98\x83\",\"\xf0\x9f\x9a\x80\":\"r\","
         "\"e\":\"\xf4\x8f\xbf\xbf\"},\"StorageDescriptor\":{\"Location\":\"s3://bucket/\xc3\xa9\","
         "\"Columns\":[{\"Name\":\"\xd0\xb8\xd0\xbc\xd1\x8f\",\"Type\":\"string\",\"Comment\":"
         "\"\xe2\x80\x94 \xef\xbf\xbd\x7f\"}]}}");
}

static void test_unknown_members(void **state)
{
    same("{\"A\":{\"a\":[1,2.5e3,-0,true,false,null,{\"b\":\"c\"},[],{}],\"a\":\"dup ok\"},"
         "\"Values\":[\"a\"],\"B\":[],\"C\":-1.5E-3,\"D\":\"\xc3\xa9\",\"E\":true,\"F\":null,"
         "\"G\":12345678901234567890123456789.5,\"StorageDescriptor\":{\"X\":{\"y\":[[[[1]]]]},"
         "\"SerdeInfo\":{\"X\":[true],\"Name\":\"n\"},\"SkewedInfo\":{\"X\":0}},"
         "\"Parameters\":{\"k\":\"v\"}}");
    /* deep nesting jansson accepts but the fast path does not go into */
    {
        struct g2d_buf b;
        int i;

        g2d_buf_init(&b, 0);
        g2d_buf_puts(&b, "{\"Values\":[\"a\"],\"X\":");
        for (i = 0; i < 100; i++)
            g2d_buf_putc(&b, '[');
        for (i = 0; i < 100; i++)
            g2d_buf_putc(&b, ']');
        g2d_buf_putc(&b, '}');
        fallback(g2d_buf_cstr(&b), DOM_OK);
        g2d_buf_done(&b);
    }
}

static void test_whitespace(void **state)
{
    same(" \t\r\n{ \"Values\" :\n[ \"a\" ,\t\"b\" ] , \"Parameters\" : { \"k\" : \"v\" , \"l\" :"
         " 1 } ,\"X\" : [ 1 , { } , [ ] , { \"a\" : null } ] , \"StorageDescriptor\" : { "
         "\"Columns\" : [ { \"Name\" : \"c\" , \"Type\" : \"int\" } , { } ] , \"Compressed\" : "
         "true , \"NumberOfBuckets\" : 3 , \"SortColumns\" : [ { \"Column\" : \"c\" , "
         "\"SortOrder\" : 1 } ] , \"SkewedInfo\" : { \"SkewedColumnNames\" : [ \"c\" ] , "
         "\"SkewedColumnValues\" : [ \"1$a\" ] , \"SkewedColumnValueLocationMaps\" : { \"1$a\" : "
         "\"s3://bucket/a\" } } , \"AdditionalLocations\" : [ \"x\" ] } , \"LastAccessTime\" : "
         "5 } \r\n\t ");
}

static void test_values(void **state)
{
    struct g2d_buf b;
    int i;

    g2d_buf_init(&b, 0);
    g2d_buf_puts(&b, "{\"Values\":[");
    for (i = 0; i < G2D_PTRANS_MAX_VALUES; i++)
        g2d_buf_printf(&b, "%s\"v%d\"", i ? "," : "", i);
    g2d_buf_puts(&b, "]}");
    same(g2d_buf_cstr(&b));
    /* one more than the daemon handles */
    b.len -= 2;
    g2d_buf_puts(&b, ",\"x\"]}");
    fallback(g2d_buf_cstr(&b), DOM_OK);
    g2d_buf_done(&b);
}

static void test_fallback_unsupported(void **state)
{
    /* escapes: jansson decodes them, the fast path does not */
    fallback("{\"Values\":[\"a\\nb\"]}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"Parameters\":{\"q\":\"say \\\"hi\\\"\"}}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"Parameters\":{\"\\u00e9\":\"x\"}}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"X\":\"\\/\"}", DOM_OK);
    /* duplicate keys among the members used (jansson: the last one wins) */
    fallback("{\"Values\":[\"a\"],\"Values\":[\"b\"]}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"1\",\"k\":\"2\"}}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"1\",\"k\":2}}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"a\",\"Location\":\"b\"}}",
             DOM_OK);
    fallback("{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Columns\":[{\"Name\":\"a\","
             "\"Name\":\"b\"}]}}",
             DOM_OK);
    /* integers wider than the fast path converts, reals it declines */
    fallback("{\"Values\":[\"a\"],\"X\":1234567890123456789}", DOM_OK);
    fallback("{\"Values\":[\"a\"],\"X\":1.00000000000000000000000000000000000000000000000000000000"
             "00000001}",
             DOM_OK);
}

static void test_fallback_errors(void **state)
{
    static const char nul[] = "{\"Values\":[\"a\0b\"]}";
    static const char nul2[] = "{\"Values\":[\"a\"]}\0";

    fallback("", DOM_ERROR);
    fallback("   ", DOM_ERROR);
    fallback("[]", DOM_ERROR);
    fallback("\"x\"", DOM_ERROR);
    fallback("{}", DOM_ERROR);                                  /* missing Values */
    fallback("{\"Values\":[]}", DOM_ERROR);                     /* empty */
    fallback("{\"Values\":\"a\"}", DOM_ERROR);                  /* not an array */
    fallback("{\"Values\":[\"a\",1]}", DOM_ERROR);              /* non-string value */
    fallback("{\"Values\":[\"a\",null]}", DOM_ERROR);           /* non-string value */
    fallback("{\"Values\":[\"a\\u0000\"]}", DOM_ERROR);         /* NUL escape */
    fallback("{\"Values\":[\"\xc3\"]}", DOM_ERROR);             /* truncated UTF-8 */
    fallback("{\"Values\":[\"\xc0\x80\"]}", DOM_ERROR);         /* overlong */
    fallback("{\"Values\":[\"\xe0\x80\xaf\"]}", DOM_ERROR);     /* overlong */
    fallback("{\"Values\":[\"\xed\xa0\x80\"]}", DOM_ERROR);     /* surrogate */
    fallback("{\"Values\":[\"\xf4\x90\x80\x80\"]}", DOM_ERROR); /* above U+10FFFF */
    fallback("{\"Values\":[\"\xf5\x80\x80\x80\"]}", DOM_ERROR); /* bad lead byte */
    fallback("{\"Values\":[\"\x80\"]}", DOM_ERROR);             /* lone continuation */
    fallback("{\"Values\":[\"a\"],\"X\":\"\xff\"}", DOM_ERROR); /* in a skipped member */
    fallback("{\"Values\":[\"a\"],\"\xfe\":1}", DOM_ERROR);     /* in a key */
    fallback("{\"Values\":[\"a\tb\"]}", DOM_ERROR);             /* control character */
    fallback("{\"Values\":[\"a\"],\"X\":99999999999999999999}", DOM_ERROR); /* overflow */
    fallback("{\"Values\":[\"a\"],\"X\":-99999999999999999999}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":1e999}", DOM_ERROR); /* real overflow */
    fallback("{\"Values\":[\"a\"],\"X\":01}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":1.}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":.5}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":1e}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":-}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":+1}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":tru}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":truex}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":NaN}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],\"X\":[1,]}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"],}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"] \"X\":1}", DOM_ERROR);
    fallback("{\"Values\"[\"a\"]}", DOM_ERROR);
    fallback("{Values:[\"a\"]}", DOM_ERROR);
    fallback("{\"Values\":[\"a\"]}x", DOM_ERROR);            /* trailing garbage */
    fallback("{\"Values\":[\"a\"]}{}", DOM_ERROR);           /* trailing garbage */
    fallback("\xef\xbb\xbf{\"Values\":[\"a\"]}", DOM_ERROR); /* a byte-order mark */
    fallback_n(nul, sizeof(nul) - 1, DOM_ERROR);
    fallback_n(nul2, sizeof(nul2) - 1, DOM_ERROR);
}

/* Every prefix of a full partition is truncated input: all fall back, the DOM fails. */
static void test_truncated(void **state)
{
    char *s = bench_shape(1);
    size_t n = strlen(s), i;

    for (i = 0; i < n; i++)
        fallback_n(s, i, DOM_ERROR);
    free(s);
}

/* The scratch is reused: results do not depend on what an earlier call left in it. */
static void test_scratch_reuse(void **state)
{
    struct g2d_config cfg = pt_cfg();
    char *big = bench_shape(0);
    const char *small = "{\"Values\":[\"x\"],\"Parameters\":{\"b\":\"1\",\"a\":\"2\"}}";
    struct g2d_ptrans_out o1, o2;
    struct g2d_buf a, b;

    g2d_buf_init(&a, 0);
    g2d_buf_init(&b, 0);
    assert_int_equal(g2d_ptrans_partition(&cfg, "d", "t", small, strlen(small), &a, &o1, &scratch),
                     0);
    assert_int_equal(g2d_ptrans_partition(&cfg, "d", "t", big, strlen(big), &b, &o2, &scratch), 0);
    g2d_buf_reset(&b);
    assert_int_equal(g2d_ptrans_partition(&cfg, "d", "t", small, strlen(small), &b, &o2, &scratch),
                     0);
    assert_string_equal(g2d_buf_cstr(&a), g2d_buf_cstr(&b));
    assert_memory_equal(o1.fp.b, o2.fp.b, G2D_FP_LEN);
    /* a fresh scratch gives the same */
    {
        struct g2d_ptrans_scratch s2;

        g2d_ptrans_scratch_init(&s2);
        g2d_buf_reset(&b);
        assert_int_equal(g2d_ptrans_partition(&cfg, "d", "t", small, strlen(small), &b, &o2, &s2),
                         0);
        assert_string_equal(g2d_buf_cstr(&a), g2d_buf_cstr(&b));
        g2d_ptrans_scratch_done(&s2);
        g2d_ptrans_scratch_done(&s2); /* twice is fine */
        g2d_ptrans_scratch_done(NULL);
    }
    g2d_buf_done(&a);
    g2d_buf_done(&b);
    free(big);
}

/* A Glue value for every row of @p fs (recursively), as the field table describes it. */
static void every_row(struct g2d_buf *b, const struct g2d_fields *fs, int variant)
{
    bool first = true;
    unsigned i;

    g2d_buf_putc(b, '{');
    for (i = 0; i < fs->n; i++) {
        const struct g2d_field *f = &fs->f[i];

        if (!f->glue)
            continue;
        g2d_buf_printf(b, "%s\"%s\":", first ? "" : ",", f->glue);
        first = false;
        switch (f->kind) {
        case FK_STR:
            g2d_buf_printf(b, "\"s3://bucket/%s-%d\"", f->glue, variant);
            break;
        case FK_ANY:
            g2d_buf_printf(b, "\"any%d\"", variant);
            break;
        case FK_BOOL:
            g2d_buf_puts(b, variant ? "false" : "true");
            break;
        case FK_INT:
            g2d_buf_printf(b, "%d", 3 + variant);
            break;
        case FK_TIME:
            g2d_buf_printf(b, "1700000000.%d", 5 + variant);
            break;
        case FK_MAP:
            g2d_buf_printf(b,
                           "{\"k\":\"v%d\",\"path\":\"s3://bucket/p\",\"e\":\"\","
                           "\"transient_lastDdlTime\":\"1\",\"n\":1}",
                           variant);
            break;
        case FK_STRS:
            g2d_buf_printf(b, "[\"a%d\",\"b\"]", variant);
            break;
        case FK_OBJ:
            every_row(b, f->sub, variant);
            break;
        case FK_OBJS:
            g2d_buf_putc(b, '[');
            every_row(b, f->sub, variant);
            g2d_buf_puts(b, ",7,");
            every_row(b, f->sub, variant + 1);
            g2d_buf_putc(b, ']');
            break;
        case FK_SKEW_VALUES:
            g2d_buf_printf(b, "[\"1$%d\",\"plain\"]", variant);
            break;
        case FK_SKEW_MAPS:
            g2d_buf_printf(b, "{\"1$%d\":\"s3://bucket/s\"}", variant);
            break;
        case FK_VALUES:
            g2d_buf_printf(b, "[\"2024-%d\",\"\"]", variant);
            break;
        case FK_NOTE_OBJ:
            g2d_buf_puts(b, "{}");
            break;
        case FK_NOTE_ARR:
            g2d_buf_puts(b, "[\"x\"]");
            break;
        default: /* FK_CONST */
            g2d_buf_puts(b, "\"OTHER\"");
            break;
        }
    }
    g2d_buf_putc(b, '}');
}

/* Whether every DLF member of @p fs (recursively) appears as a key in @p text. */
static void assert_rows_written(const char *text, const struct g2d_fields *fs)
{
    unsigned i;

    for (i = 0; i < fs->n; i++) {
        char key[64];

        if (!fs->f[i].dlf)
            continue;
        snprintf(key, sizeof(key), "\"%s\":", fs->f[i].dlf);
        if (!strstr(text, key))
            fail_msg("%s.%s is not written: %s", fs->what, fs->f[i].dlf, text);
        if (fs->f[i].sub)
            assert_rows_written(text, fs->f[i].sub);
    }
}

/*
 * Every row of the partition's field table (and its sub-tables) goes through the streaming
 * path without falling back, with the DOM path's bytes: a row added to fields.c is
 * covered here without a new fixture.
 */
static void test_every_row(void **state)
{
    const struct g2d_fields *fs = g2d_fields_get(G2D_FOBJ_PARTITION);
    struct g2d_config cfg = pt_cfg();
    struct g2d_ptrans_out o[2];
    struct g2d_buf in, out;
    int v;

    g2d_buf_init(&out, 0);
    for (v = 0; v < 2; v++) {
        g2d_buf_init(&in, 0);
        every_row(&in, fs, v);
        same(g2d_buf_cstr(&in));
        g2d_buf_reset(&out);
        assert_int_equal(
            g2d_ptrans_partition(&cfg, "d", "t", in.data, in.len, &out, &o[v], &scratch), 0);
        assert_rows_written(g2d_buf_cstr(&out), fs);
        assert_int_equal(o[v].dropped,
                         G2D_DROP_SD_ADDITIONAL_LOCATIONS | G2D_DROP_SD_SCHEMA_REFERENCE);
        g2d_buf_done(&in);
    }
    /* every value differs between the two variants, and so do the fingerprints */
    assert_memory_not_equal(o[0].fp.b, o[1].fp.b, G2D_FP_LEN);
    g2d_buf_done(&out);
}

/* The DOM path's fixture of a partition (tests/data/model/) through both paths. */
static void test_model_fixtures(void **state)
{
    static const char *const cases[] = {"partition_own_columns"};
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256];
        json_t *g;
        char *text;

        snprintf(path, sizeof(path), "tests/data/model/%s/glue.json", cases[i]);
        g = json_load_file(path, 0, NULL);
        assert_non_null(g);
        text = json_dumps(g, JSON_COMPACT);
        same(text);
        free(text);
        json_decref(g);
    }
}

/*
 * Empty values in parameter maps are values (README "Empty values"): both paths send them
 * and fingerprint them, so adding one, or changing to or from one, is a change.
 */
static void test_empty_param_values(void **state)
{
    static const char *const tmpl[] = {
        "{\"Values\":[\"a\"],\"Parameters\":{\"a\":\"1\"@}}",
        "{\"Values\":[\"a\"],\"Parameters\":{\"n\":1@}}",
        "{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Parameters\":{\"a\":\"1\"@}}}",
        "{\"Values\":[\"a\"],\"StorageDescriptor\":{\"SerdeInfo\":{\"Parameters\":{"
        "\"serialization.format\":\"1\"@}}}}",
        "{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Columns\":[{\"Name\":\"c\",\"Parameters\":"
        "{\"a\":\"1\"@}}]}}",
    };
    static const char *const with[] = {"", ",\"k\":\"\"", ",\"k\":\"x\""};
    struct g2d_config cfg = pt_cfg();
    size_t t;
    int i;

    for (t = 0; t < sizeof(tmpl) / sizeof(tmpl[0]); t++) {
        struct g2d_ptrans_out o[3];

        for (i = 0; i < 3; i++) {
            struct g2d_buf in, out;

            g2d_buf_init(&in, 0);
            g2d_buf_init(&out, 0);
            {
                const char *at = strchr(tmpl[t], '@');

                g2d_buf_append(&in, tmpl[t], (size_t)(at - tmpl[t]));
                g2d_buf_puts(&in, with[i]);
                g2d_buf_puts(&in, at + 1);
            }
            same(g2d_buf_cstr(&in));
            assert_int_equal(
                g2d_ptrans_partition(&cfg, "d", "t", in.data, in.len, &out, &o[i], &scratch), 0);
            if (i == 1 && !strstr(g2d_buf_cstr(&out), "\"k\":\"\""))
                fail_msg("the empty value is not sent: %s", g2d_buf_cstr(&out));
            g2d_buf_done(&in);
            g2d_buf_done(&out);
        }
        assert_memory_not_equal(o[0].fp.b, o[1].fp.b, G2D_FP_LEN);
        assert_memory_not_equal(o[1].fp.b, o[2].fp.b, G2D_FP_LEN);
    }
}

/* CreationTime → CreateTime and LastAnalyzedTime in the fingerprint, in both paths. */
static void test_partition_times(void **state)
{
    static const char *const in[] = {
        "{\"Values\":[\"a\"],\"CreationTime\":1.708699485E9,\"LastAnalyzedTime\":1.7E9}",
        "{\"Values\":[\"a\"],\"CreationTime\":1.9E9,\"LastAnalyzedTime\":1.7E9}",
        "{\"Values\":[\"a\"],\"CreationTime\":1.9E9,\"LastAnalyzedTime\":1.8E9}",
    };
    struct g2d_config cfg = pt_cfg();
    struct g2d_ptrans_out o[3];
    int i;

    for (i = 0; i < 3; i++) {
        struct g2d_buf out;

        same(in[i]);
        g2d_buf_init(&out, 0);
        assert_int_equal(
            g2d_ptrans_partition(&cfg, "d", "t", in[i], strlen(in[i]), &out, &o[i], &scratch), 0);
        if (i == 0)
            assert_non_null(strstr(g2d_buf_cstr(&out), "\"CreateTime\":1708699485,"));
        g2d_buf_done(&out);
    }
    assert_memory_equal(o[0].fp.b, o[1].fp.b, G2D_FP_LEN);     /* create time: no update */
    assert_memory_not_equal(o[1].fp.b, o[2].fp.b, G2D_FP_LEN); /* re-analysed: update */
}

/* A text buffer with a ceiling: -E2BIG and the text unchanged. */
static void test_text_ceiling(void **state)
{
    struct g2d_config cfg = pt_cfg();
    char *s = bench_shape(0);
    struct g2d_ptrans_out o;
    struct g2d_buf b;

    g2d_buf_init(&b, 100);
    g2d_buf_puts(&b, "x");
    assert_int_equal(g2d_ptrans_partition(&cfg, "d", "t", s, strlen(s), &b, &o, &scratch), -E2BIG);
    assert_string_equal(g2d_buf_cstr(&b), "x");
    g2d_buf_done(&b);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_shape),
        cmocka_unit_test(test_simulator_partitions),
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_many_parameters),
        cmocka_unit_test(test_empty_values),
        cmocka_unit_test(test_location_map),
        cmocka_unit_test(test_names_escaped),
        cmocka_unit_test(test_skewed),
        cmocka_unit_test(test_sort_bucket),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_storage_descriptor),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_unicode),
        cmocka_unit_test(test_unknown_members),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_fallback_unsupported),
        cmocka_unit_test(test_fallback_errors),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_scratch_reuse),
        cmocka_unit_test(test_text_ceiling),
        cmocka_unit_test(test_every_row),
        cmocka_unit_test(test_model_fixtures),
        cmocka_unit_test(test_empty_param_values),
        cmocka_unit_test(test_partition_times),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
