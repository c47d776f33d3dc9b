/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the simulator's pure parts: the sorted store, paging tokens, name
 * patterns, object shapes, the generator, Java-style numbers, date parsing and the nonce
 * set. The simulator is not a library, so its sources are included here directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../sim/catalog.c"
#include "../sim/gen.c"
#include "../sim/model.c"
#include "../sim/util.c"

static json_t *obj(const char *name)
{
    return json_pack("{s:s}", "Name", name);
}

static void test_coll_order_replace_remove(void **state)
{
    struct sim_coll c;
    struct sim_item *it;
    static const char *const names[] = {"m", "b", "z", "a", "q"};
    size_t i;

    sim_coll_init(&c);
    for (i = 0; i < 5; i++)
        assert_int_equal(sim_coll_put(&c, names[i], obj(names[i])), 1);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.items[0].name, "a");
    assert_string_equal(c.items[4].name, "z");
    assert_int_equal(sim_coll_lower_bound(&c, "c"), 2);
    assert_null(sim_coll_find(&c, "c"));

    /* Replacing keeps the children. */
    it = sim_coll_find(&c, "m");
    assert_non_null(it);
    assert_int_equal(sim_coll_put(sim_item_kids(it, SIM_KID_TABLES), "t1", obj("t1")), 1);
    assert_int_equal(sim_coll_put(&c, "m", json_pack("{s:s}", "Name", "m2")), 0);
    it = sim_coll_find(&c, "m");
    assert_string_equal(json_string_value(json_object_get(it->obj, "Name")), "m2");
    assert_int_equal(sim_item_nkids(it, SIM_KID_TABLES), 1);
    assert_int_equal(sim_item_nkids(it, SIM_KID_FUNCTIONS), 0);

    assert_int_equal(sim_coll_remove(&c, "m"), 0);
    assert_int_equal(sim_coll_remove(&c, "m"), -ENOENT);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.items[2].name, "q");
    sim_coll_done(&c);
}

static void test_page_and_pattern(void **state)
{
    struct sim_coll c;
    char name[16];
    size_t idx[4], n, i;
    const char *next;
    regex_t re;

    sim_coll_init(&c);
    for (i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "%s_%zu", i % 2 ? "odd" : "even", i);
        sim_coll_put(&c, name, obj(name));
    }
    n = sim_coll_page(&c, NULL, 3, NULL, idx, &next);
    assert_int_equal(n, 3);
    assert_string_equal(c.items[idx[0]].name, "even_0");
    assert_string_equal(next, "even_6");
    n = sim_coll_page(&c, next, 3, NULL, idx, &next);
    assert_int_equal(n, 3);
    assert_string_equal(c.items[idx[0]].name, "even_6");
    assert_string_equal(c.items[idx[2]].name, "odd_1");
    assert_string_equal(next, "odd_3");

    assert_int_equal(sim_pattern_compile(&re, "odd_[13]|even_8"), 0);
    n = sim_coll_page(&c, NULL, 2, &re, idx, &next);
    assert_int_equal(n, 2);
    assert_string_equal(c.items[idx[0]].name, "even_8");
    assert_string_equal(c.items[idx[1]].name, "odd_1");
    assert_string_equal(next, "odd_3");
    n = sim_coll_page(&c, next, 2, &re, idx, &next);
    assert_int_equal(n, 1);
    assert_null(next);
    regfree(&re);

    /* Anchored: "odd" matches whole names only, so nothing here. */
    assert_int_equal(sim_pattern_compile(&re, "odd"), 0);
    assert_int_equal(sim_coll_page(&c, NULL, 4, &re, idx, &next), 0);
    regfree(&re);
    assert_int_equal(sim_pattern_compile(&re, "("), -EINVAL);
    sim_coll_done(&c);
}

static void test_tokens(void **state)
{
    char *tok = sim_token_make("db", "sales \xc3\xa9");
    char *name = NULL;

    assert_non_null(tok);
    assert_int_equal(sim_token_parse(tok, "db", &name), 0);
    assert_string_equal(name, "sales \xc3\xa9");
    free(name);
    assert_int_equal(sim_token_parse(tok, "tbl", &name), -EINVAL);
    assert_null(name);
    free(tok);
    assert_int_equal(sim_token_parse("", "db", &name), -EINVAL);
    assert_int_equal(sim_token_parse("zz", "db", &name), -EINVAL);
    assert_int_equal(sim_token_parse("64623a6", "db", &name), -EINVAL);    /* odd length */
    assert_int_equal(sim_token_parse("64623A61", "db", &name), -EINVAL);   /* upper case */
    assert_int_equal(sim_token_parse("64623a", "db", &name), -EINVAL);     /* empty name */
    assert_int_equal(sim_token_parse("64623a0061", "db", &name), -EINVAL); /* NUL byte */
}

static void test_glue_db_build(void **state)
{
    char err[256], big[2100];
    json_t *in, *db, *db2;

    in =
        json_pack("{s:s,s:s,s:{s:s}}", "Name", "Sales", "Description", "d", "Parameters", "k", "v");
    db = sim_glue_db_build(in, NULL, NULL, 1700000000.0, 0, "123", err, sizeof(err));
    assert_non_null(db);
    assert_string_equal(json_string_value(json_object_get(db, "Name")), "sales");
    assert_string_equal(json_string_value(json_object_get(db, "CatalogId")), "123");
    assert_true(json_is_real(json_object_get(db, "CreateTime")));
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(db, "CreateTableDefaultPermissions"), 0),
                            "Principal"),
            "DataLakePrincipalIdentifier")),
        "IAM_ALLOWED_PRINCIPALS");
    assert_null(json_object_get(db, "LocationUri"));

    /* An update keeps CreateTime and drops what the new input omits. */
    json_object_del(in, "Description");
    db2 = sim_glue_db_build(in, "sales", db, 1800000000.0, 0, "123", err, sizeof(err));
    assert_non_null(db2);
    assert_true(json_number_value(json_object_get(db2, "CreateTime")) == 1700000000.0);
    assert_null(json_object_get(db2, "Description"));
    json_decref(db2);
    json_decref(db);

    memset(big, 'x', 2049);
    big[2049] = '\0';
    json_object_set_new(in, "Description", json_string(big));
    assert_null(sim_glue_db_build(in, NULL, NULL, 0, 0, "123", err, sizeof(err)));
    assert_non_null(strstr(err, "Description"));
    json_object_set_new(in, "Description", json_string("ok"));
    json_object_set_new(in, "Parameters", json_pack("{s:i}", "k", 1));
    assert_null(sim_glue_db_build(in, NULL, NULL, 0, 0, "123", err, sizeof(err)));
    json_object_set_new(in, "Parameters", json_object());
    json_object_set_new(in, "Name", json_string("a\nb"));
    assert_null(sim_glue_db_build(in, NULL, NULL, 0, 0, "123", err, sizeof(err)));
    json_object_del(in, "Name");
    assert_null(sim_glue_db_build(in, NULL, NULL, 0, 0, "123", err, sizeof(err)));
    json_decref(in);
}

static void test_dlf_db_build(void **state)
{
    char err[256];
    json_t *in = json_pack("{s:s,s:s}", "Name", "ODS", "LocationUri", "oss://b/ods.db/");
    json_t *db, *db2;

    db = sim_dlf_db_build(in, NULL, NULL, 1000, "me", err, sizeof(err));
    assert_non_null(db);
    assert_string_equal(json_string_value(json_object_get(db, "Name")), "ods");
    assert_string_equal(json_string_value(json_object_get(db, "Description")), "");
    assert_int_equal(json_integer_value(json_object_get(db, "CreateTime")), 1000);
    assert_int_equal(json_integer_value(json_object_get(db, "UpdateTime")), 1000);
    assert_true(json_is_object(json_object_get(db, "Parameters")));

    db2 = sim_dlf_db_build(in, "ods", db, 2000, "other", err, sizeof(err));
    assert_int_equal(json_integer_value(json_object_get(db2, "CreateTime")), 1000);
    assert_int_equal(json_integer_value(json_object_get(db2, "UpdateTime")), 2000);
    assert_string_equal(json_string_value(json_object_get(db2, "CreatedBy")), "me");
    json_decref(db2);
    json_decref(db);

    json_object_set_new(in, "CreateTime", json_string("soon"));
    assert_null(sim_dlf_db_build(in, NULL, NULL, 1, "me", err, sizeof(err)));
    json_decref(in);
}

static char *dump_catalog(uint64_t seed, unsigned n)
{
    struct sim_catalog cat;
    struct sim_gen_opts o = {.seed = seed, .databases = n, .catalog_id = "1"};
    json_t *a = json_array();
    char *s;
    size_t i;

    sim_catalog_init(&cat);
    assert_int_equal(sim_gen_glue(&cat, &o), 0);
    assert_int_equal(cat.dbs.n, n);
    for (i = 0; i < cat.dbs.n; i++) {
        size_t np = json_object_size(json_object_get(cat.dbs.items[i].obj, "Parameters"));

        assert_true(np <= 3);
        json_array_append(a, cat.dbs.items[i].obj);
    }
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    sim_catalog_done(&cat);
    return s;
}

static void test_generator(void **state)
{
    char *a = dump_catalog(42, 40), *b = dump_catalog(42, 40), *c = dump_catalog(43, 40);
    struct sim_catalog glue, dlf;
    struct sim_gen_opts o = {.seed = 5, .databases = 8, .catalog_id = "1"};
    size_t i;

    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_non_null(strstr(a, "\"db_0039\""));
    assert_non_null(strstr(a, "s3://sim-bucket-42/db_0000.db/"));
    /* Tricky parameter values appear somewhere in a catalog of this size. */
    assert_non_null(strstr(a, "a=b&c=d"));
    free(a);
    free(b);
    free(c);

    sim_catalog_init(&glue);
    sim_catalog_init(&dlf);
    assert_int_equal(sim_gen_glue(&glue, &o), 0);
    assert_int_equal(sim_gen_dlf_from_glue(&dlf, &glue, "u"), 0);
    assert_int_equal(dlf.dbs.n, 8);
    for (i = 0; i < 8; i++) {
        json_t *g = glue.dbs.items[i].obj, *d = dlf.dbs.items[i].obj;

        assert_true(json_equal(json_object_get(g, "Parameters"), json_object_get(d, "Parameters")));
        assert_true(
            json_equal(json_object_get(g, "LocationUri"), json_object_get(d, "LocationUri")));
        assert_int_equal(json_integer_value(json_object_get(d, "CreateTime")),
                         (json_int_t)json_number_value(json_object_get(g, "CreateTime")));
    }
    sim_catalog_done(&glue);
    sim_catalog_done(&dlf);
}

static void check_java(double d, const char *want)
{
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    assert_int_equal(sim_java_double(d, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), want);
    g2d_buf_done(&b);
}

static void test_java_numbers(void **state)
{
    json_t *v;
    char *s;

    check_java(1708699485.0, "1.708699485E9");
    check_java(1708699485.123, "1.708699485123E9");
    check_java(1e7, "1.0E7");
    check_java(1234567.0, "1234567.0");
    check_java(0.5, "0.5");
    check_java(-2.25, "-2.25");
    check_java(0.001, "0.001");
    check_java(0.0001, "1.0E-4");
    check_java(0.0, "0.0");

    v = json_pack("{s:s,s:f,s:i,s:[f]}", "a", "1.5e3 \"x\" 2.0", "b", 1708699485.0, "c", 12, "d",
                  -0.5);
    s = sim_dump_java(v);
    assert_string_equal(s, "{\"a\":\"1.5e3 \\\"x\\\" 2.0\",\"b\":1.708699485E9,\"c\":12,"
                           "\"d\":[-0.5]}");
    free(s);
    json_decref(v);
}

static void test_dates(void **state)
{
    int64_t t = 0;

    assert_int_equal(sim_parse_amz_date("20240101T000000Z", &t), 0);
    assert_int_equal(t, 1704067200);
    assert_int_equal(sim_parse_iso8601("2024-01-01T00:00:01Z", &t), 0);
    assert_int_equal(t, 1704067201);
    assert_int_equal(sim_parse_rfc1123("Mon, 01 Jan 2024 00:00:02 GMT", &t), 0);
    assert_int_equal(t, 1704067202);
    assert_int_equal(sim_parse_amz_date("20240101T000000", &t), -EINVAL);
    assert_int_equal(sim_parse_iso8601("2024-01-01 00:00:01Z", &t), -EINVAL);
    assert_int_equal(sim_parse_rfc1123("Mon, 01 Jan 2024 00:00:02 UTC", &t), -EINVAL);
    assert_int_equal(sim_parse_amz_date(NULL, &t), -EINVAL);
}

static void test_nonces(void **state)
{
    struct sim_nonces ns;
    char buf[32];
    size_t i;

    sim_nonces_init(&ns);
    assert_int_equal(sim_nonce_seen(&ns, "a"), 0);
    assert_int_equal(sim_nonce_seen(&ns, "a"), 1);
    assert_int_equal(sim_nonce_seen(&ns, "b"), 0);
    /* Fill the set: the oldest ("a") is evicted, the newest are still known. */
    for (i = 0; i < SIM_NONCE_MAX - 1; i++) {
        snprintf(buf, sizeof(buf), "n%zu", i);
        assert_int_equal(sim_nonce_seen(&ns, buf), 0);
    }
    assert_int_equal(ns.n, SIM_NONCE_MAX);
    assert_int_equal(sim_nonce_seen(&ns, "b"), 1);
    assert_int_equal(sim_nonce_seen(&ns, "a"), 0);
    assert_int_equal(sim_nonce_seen(&ns, "n5"), 1);
    sim_nonces_done(&ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coll_order_replace_remove),
        cmocka_unit_test(test_page_and_pattern),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_glue_db_build),
        cmocka_unit_test(test_dlf_db_build),
        cmocka_unit_test(test_generator),
        cmocka_unit_test(test_java_numbers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_nonces),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
