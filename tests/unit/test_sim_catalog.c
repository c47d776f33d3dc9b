/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the simulator's pure parts: the sorted store, the partition store (order,
 * paging by position key, segments, partial values, expressions), paging tokens, name
 * patterns, object shapes, the generator, Java-style numbers, date parsing and the nonce
 * set. The simulator is not a library, so its sources are included here directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../sim/catalog.c"
#include "../sim/dlfw.c"
#include "../sim/gen.c"
#include "../sim/model.c"
#include "../sim/parts.c"
#include "../sim/render.c"
#include "../sim/util.c"
#include "cloud/limits.h"

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

    check_java(-1600000000.0, "-1.6E9");
    check_java(9007199254740992.0, "9.007199254740992E15");
    check_java(10000001.0, "1.0000001E7");
    /* The integer shortcut agrees with the general search. */
    {
        uint64_t st = 7;
        int i;

        for (i = 0; i < 20000; i++) {
            uint64_t r = sim_splitmix64(&st);
            double d = (double)(r % 9007199254740993ULL);
            struct g2d_buf b1, b2;

            if (i % 3 == 0)
                d = 1e7 + (double)(r % 100000000000ULL);
            else if (i % 3 == 1)
                d = (double)((r % 100000) * 10000000ULL);
            if (d < 1e7)
                continue;
            if (r & 1)
                d = -d;
            g2d_buf_init(&b1, 0);
            g2d_buf_init(&b2, 0);
            assert_int_equal(java_double_int(d, &b1), 0);
            assert_int_equal(java_double_search(d, &b2), 0);
            assert_string_equal(g2d_buf_cstr(&b1), g2d_buf_cstr(&b2));
            g2d_buf_done(&b1);
            g2d_buf_done(&b2);
        }
    }

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

static void put_vals(struct sim_parts *p, const char *a, const char *b, int arena)
{
    const char *v[2] = {a, b};
    size_t len = 0;
    char *key = sim_pkey_make(v, 2, &len);

    assert_non_null(key);
    assert_true(sim_parts_put(p, key, len, 2, 0, arena ? NULL : "{}", arena ? 0 : 2, arena) >= 0);
    free(key);
}

static void test_parts_store(void **state)
{
    struct sim_parts *p = sim_parts_new();
    struct sim_ppos pos;
    const struct sim_prec *r, *prev = NULL;
    const char *vals[4];
    char a[16], b[16];
    size_t n = 0, len = 0, i;
    uint64_t st = 1;
    char *key;

    assert_non_null(p);
    /* 2000 partitions in a scrambled order, half from the arena: forces block splits. */
    for (i = 0; i < 2000; i++) {
        unsigned long k = (unsigned long)((i * 7919) % 2000);

        snprintf(a, sizeof(a), "d%04lu", k / 4);
        snprintf(b, sizeof(b), "r%lu", k % 4);
        put_vals(p, a, b, (int)(sim_splitmix64(&st) & 1));
    }
    assert_int_equal(p->n, 2000);
    assert_true(p->nblocks > 2000 / SIM_PBLOCK);
    sim_parts_lower_bound(p, NULL, 0, &pos);
    for (; (r = sim_parts_at(p, &pos)) != NULL; sim_parts_next(p, &pos), n++) {
        if (prev)
            assert_true(keycmp(prev->data, prev->keylen, r->data, r->keylen) < 0);
        prev = r;
    }
    assert_int_equal(n, 2000);

    /* Replace keeps the count; the text is the new one. */
    vals[0] = "d0100";
    vals[1] = "r2";
    key = sim_pkey_make(vals, 2, &len);
    assert_int_equal(sim_parts_put(p, key, len, 2, 0, "{\"x\":1}", 7, 0), 0);
    assert_int_equal(p->n, 2000);
    r = sim_parts_find(p, key, len);
    assert_non_null(r);
    {
        struct g2d_buf tb;

        g2d_buf_init(&tb, 0);
        assert_int_equal(sim_prec_append(r, &tb), 0);
        assert_string_equal(g2d_buf_cstr(&tb), "{\"x\":1}");
        assert_int_equal(r->interned, 0);
        g2d_buf_done(&tb);
    }
    assert_int_equal(sim_prec_values(r, vals, 4), 2);
    assert_string_equal(vals[0], "d0100");
    assert_string_equal(vals[1], "r2");
    assert_int_equal(sim_parts_remove(p, key, len), 0);
    assert_int_equal(sim_parts_remove(p, key, len), -ENOENT);
    assert_null(sim_parts_find(p, key, len));
    assert_int_equal(p->n, 1999);
    free(key);

    /* A value that is a prefix of another sorts first ("a" < "a b"). */
    vals[0] = "a";
    key = sim_pkey_make(vals, 1, &len);
    assert_int_equal(len, 2);
    free(key);
    {
        char j[64];

        sim_pkey_joined("2024\0eu\0", 8, j, sizeof(j));
        assert_string_equal(j, "2024/eu");
    }
    sim_parts_free(p);
    sim_parts_free(NULL);
}

/* Page through @p p with tokens; removes @p victim after the first page when not NULL. */
static size_t page_all(struct sim_parts *p, const struct sim_pscan *base, size_t max, size_t *pages,
                       const char *victim_a)
{
    const struct sim_prec *out[64], *next;
    struct sim_pscan sc = *base;
    char *tok = NULL, *start = NULL;
    size_t len = 0, total = 0;
    long n;

    sc.parts = p;
    *pages = 0;
    do {
        free(start);
        start = NULL;
        if (tok) {
            assert_int_equal(sim_token_parse_bin(tok, "part", &start, &len), 0);
            free(tok);
            tok = NULL;
        }
        n = sim_parts_scan(&sc, start, len, max, out, &next, NULL);
        assert_true(n >= 0 && (size_t)n <= max);
        total += (size_t)n;
        (*pages)++;
        if (victim_a && *pages == 1) {
            /* Removing an already listed item does not shift the next page. */
            const char *v[2] = {victim_a, "r0"};
            size_t kl = 0;
            char *k = sim_pkey_make(v, 2, &kl);

            assert_int_equal(sim_parts_remove(p, k, kl), 0);
            free(k);
        }
        if (next) {
            tok = sim_token_make_bin("part", next->data, next->keylen);
            assert_non_null(tok);
        }
    } while (next);
    free(start);
    return total;
}

/* Put @p text under the single value @p v; the text reads back byte for byte. */
static const struct sim_prec *put_text(struct sim_parts *p, const char *v, const char *text)
{
    const char *vals[1] = {v};
    const struct sim_prec *r;
    struct g2d_buf b;
    size_t len = 0;
    char *key = sim_pkey_make(vals, 1, &len);
    json_t *j;

    assert_non_null(key);
    assert_true(sim_parts_put(p, key, len, 1, 0, text, strlen(text), 0) >= 0);
    r = sim_parts_find(p, key, len);
    free(key);
    assert_non_null(r);
    assert_int_equal(r->textlen, strlen(text));
    g2d_buf_init(&b, 0);
    assert_int_equal(sim_prec_append(r, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), text);
    g2d_buf_done(&b);
    j = sim_prec_json(r);
    assert_non_null(j);
    json_decref(j);
    return r;
}

static void remove_value(struct sim_parts *p, const char *v)
{
    const char *vals[1] = {v};
    size_t len = 0;
    char *key = sim_pkey_make(vals, 1, &len);

    assert_int_equal(sim_parts_remove(p, key, len), 0);
    free(key);
}

static void test_parts_interned_sd(void **state)
{
    static const char *const sd1 =
        "\"Sd\":{\"Cols\":[{\"Name\":\"c\",\"Type\":\"int\",\"Comment\":\"a \\\"q\\\" }\"}],"
        "\"Location\":\"";
    static const char *const sd1_tail = "\",\"SerDeInfo\":{\"Location\":\"inner\"},\"N\":[1,{}]}";
    struct sim_parts *p = sim_parts_new();
    char text[512];
    const struct sim_prec *r;
    int i;

    assert_non_null(p);
    /* Three partitions with the same descriptor but their own Location share one copy. */
    for (i = 0; i < 3; i++) {
        char v[16];

        snprintf(v, sizeof(v), "v%d", i);
        snprintf(text, sizeof(text),
                 "{\"Values\":[\"%s\"],\"Parameters\":{\"Sd\":\"no\"},%ss3://b/t/k=%s\\\"/%s,"
                 "\"CreateTime\":%d}",
                 v, sd1, v, sd1_tail, i);
        r = put_text(p, v, text);
        assert_int_equal(r->interned, 1);
    }
    assert_int_equal(p->nsd, 1);
    /* Another descriptor: a second entry; Glue's member name is recognised too. */
    r = put_text(p, "w", "{\"StorageDescriptor\":{\"Location\":\"x\",\"Columns\":[]},\"A\":1}");
    assert_int_equal(r->interned, 1);
    assert_int_equal(p->nsd, 2);
    /* A descriptor without a Location string is interned whole. */
    r = put_text(p, "x1", "{\"Sd\":{\"Location\":null,\"Cols\":[]}}");
    assert_int_equal(r->interned, 1);
    r = put_text(p, "x2", "{\"Sd\":{\"Cols\":[]},\"Values\":[\"x2\"]}");
    assert_int_equal(r->interned, 1);
    assert_int_equal(p->nsd, 4);
    /* No descriptor at the top level, or one that is not an object: stored whole. */
    r = put_text(p, "y1", "{\"X\":{\"Sd\":{\"Location\":\"l\"}}}");
    assert_int_equal(r->interned, 0);
    r = put_text(p, "y2", "{\"Sd\":\"{}\"}");
    assert_int_equal(r->interned, 0);
    r = put_text(p, "y3", "[1,2]");
    assert_int_equal(r->interned, 0);
    assert_int_equal(p->nsd, 4);

    /* Replacing and removing release the references; the last one frees the entry. */
    r = put_text(p, "v0", "{\"Sd\":{\"Cols\":[]},\"Values\":[\"v0\"]}");
    assert_int_equal(p->nsd, 4);
    remove_value(p, "v1");
    assert_int_equal(p->nsd, 4);
    remove_value(p, "v2");
    assert_int_equal(p->nsd, 3); /* sd1 is gone */
    remove_value(p, "v0");
    assert_int_equal(p->nsd, 3); /* x2 still holds the descriptor v0 had taken */
    remove_value(p, "x2");
    assert_int_equal(p->nsd, 2);
    remove_value(p, "x1");
    assert_int_equal(p->nsd, 1);
    /* Many distinct descriptors grow the table. */
    for (i = 0; i < 300; i++) {
        char v[16];

        snprintf(v, sizeof(v), "z%03d", i);
        snprintf(text, sizeof(text), "{\"Sd\":{\"Location\":\"l\",\"I\":%d},\"B\":%d}", i % 100, i);
        put_text(p, v, text);
    }
    assert_int_equal(p->nsd, 101);
    sim_parts_free(p); /* the rest: valgrind checks that nothing leaks */
}

static void test_parts_paging_and_segments(void **state)
{
    struct sim_parts *p = sim_parts_new(), *q = sim_parts_new();
    struct sim_pscan sc;
    struct sim_ppos pos;
    const struct sim_prec *r;
    const char *partial[2];
    unsigned seg_of[1000], total, s;
    char a[16], b[16];
    size_t pages, sum, i;

    memset(&sc, 0, sizeof(sc));
    for (i = 0; i < 1000; i++) {
        snprintf(a, sizeof(a), "d%03zu", i / 4);
        snprintf(b, sizeof(b), "r%zu", i % 4);
        put_vals(p, a, b, 1);
        /* The same keys inserted in reverse order into another store. */
        snprintf(a, sizeof(a), "d%03zu", (999 - i) / 4);
        snprintf(b, sizeof(b), "r%zu", (999 - i) % 4);
        put_vals(q, a, b, 0);
    }
    assert_int_equal(page_all(p, &sc, 64, &pages, NULL), 1000);
    assert_int_equal(pages, 16);
    assert_int_equal(page_all(p, &sc, 50, &pages, "d000"), 1000);
    assert_int_equal(pages, 20);
    put_vals(p, "d000", "r0", 1);

    /* Segments: disjoint, complete, independent of insertion order, for every total. */
    for (total = 1; total <= 10; total++) {
        sc.nseg = total;
        sum = 0;
        for (s = 0; s < total; s++) {
            sc.seg = s;
            sum += page_all(p, &sc, 33, &pages, NULL);
        }
        assert_int_equal(sum, 1000);
    }
    sim_parts_lower_bound(p, NULL, 0, &pos);
    for (i = 0; (r = sim_parts_at(p, &pos)) != NULL; sim_parts_next(p, &pos), i++)
        seg_of[i] = sim_pkey_segment(r->data, r->keylen, 7);
    sim_parts_lower_bound(q, NULL, 0, &pos);
    for (i = 0; (r = sim_parts_at(q, &pos)) != NULL; sim_parts_next(q, &pos), i++)
        assert_int_equal(sim_pkey_segment(r->data, r->keylen, 7), seg_of[i]);

    /* PartialPartValues: a leading value seeks; "" matches anything. */
    memset(&sc, 0, sizeof(sc));
    partial[0] = "d010";
    sc.partial = partial;
    sc.npartial = 1;
    assert_int_equal(page_all(p, &sc, 3, &pages, NULL), 4);
    assert_int_equal(pages, 2);
    partial[0] = "";
    partial[1] = "r3";
    sc.npartial = 2;
    assert_int_equal(page_all(p, &sc, 64, &pages, NULL), 250);
    sim_parts_free(p);
    sim_parts_free(q);
}

static void test_parts_expression(void **state)
{
    struct sim_parts *p = sim_parts_new();
    struct g2d_expr_key keys[2] = {{"dt", "string"}, {"hour", "int"}};
    const struct sim_prec *out[16], *next;
    struct g2d_error err;
    struct sim_pscan sc;
    struct g2d_expr *e = NULL;
    char h[8];
    size_t i;

    for (i = 0; i < 24; i++) {
        snprintf(h, sizeof(h), "%zu", i);
        put_vals(p, "2024-01-01", h, 1);
    }
    memset(&sc, 0, sizeof(sc));
    memset(&err, 0, sizeof(err));
    sc.parts = p;
    sc.keys = keys;
    sc.nkeys = 2;
    assert_int_equal(g2d_expr_parse("hour >= 20", &e, &err), 0);
    assert_int_equal(g2d_expr_check(e, keys, 2, &err), 0);
    sc.expr = e;
    assert_int_equal(sim_parts_scan(&sc, NULL, 0, 16, out, &next, &err), 4);
    assert_null(next);
    put_vals(p, "2024-01-01", "noon", 1);
    assert_int_equal(sim_parts_scan(&sc, NULL, 0, 16, out, &next, &err), -ERANGE);
    g2d_expr_free(e);
    sim_parts_free(p);
}

static void test_tokens_bin(void **state)
{
    char *tok = sim_token_make_bin("part0/3", "a\0b\0", 4), *key = NULL;
    size_t len = 0;

    assert_non_null(tok);
    assert_int_equal(sim_token_parse_bin(tok, "part0/3", &key, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(key, "a\0b\0", 4);
    free(key);
    /* A token of another segment, or one with NULs where names are expected, is refused. */
    assert_int_equal(sim_token_parse_bin(tok, "part1/3", &key, &len), -EINVAL);
    assert_int_equal(sim_token_parse(tok, "part0/3", &key), -EINVAL);
    free(tok);
}

static char *dump_full(uint64_t seed, size_t *nparts, size_t *variants)
{
    struct sim_gen_opts o = {.seed = seed,
                             .databases = 2,
                             .tables_per_db = 8,
                             .partitions_per_table = 120,
                             .functions_per_db = 3,
                             .columns = 6,
                             .partition_keys = 3,
                             .catalog_id = "1"};
    struct sim_catalog cat;
    json_t *a = json_array();
    size_t d, t;
    char *s;

    *nparts = *variants = 0;
    sim_catalog_init(&cat);
    assert_int_equal(sim_gen_glue(&cat, &o), 0);
    for (d = 0; d < cat.dbs.n; d++) {
        struct sim_item *db = &cat.dbs.items[d];

        assert_int_equal(sim_item_nkids(db, SIM_KID_TABLES), 8);
        assert_int_equal(sim_item_nkids(db, SIM_KID_FUNCTIONS), 3);
        for (t = 0; t < 8; t++) {
            struct sim_item *tb = &db->kids[SIM_KID_TABLES]->items[t];
            struct sim_ppos pos;
            const struct sim_prec *r;

            json_array_append(a, tb->obj);
            sim_parts_lower_bound(tb->parts, NULL, 0, &pos);
            for (; (r = sim_parts_at(tb->parts, &pos)) != NULL; sim_parts_next(tb->parts, &pos)) {
                json_t *p = sim_glue_part_json(tb->obj, r, "1", 0);

                assert_non_null(p);
                (*nparts)++;
                if (json_array_size(
                        json_object_get(json_object_get(p, "StorageDescriptor"), "Columns")) == 7)
                    (*variants)++;
                json_array_append_new(a, p);
            }
        }
        json_array_append(a, db->kids[SIM_KID_FUNCTIONS]->items[0].obj);
    }
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    sim_catalog_done(&cat);
    return s;
}

static void test_generator_tables(void **state)
{
    size_t n1, v1, n2, v2, n3, v3;
    char *a = dump_full(9, &n1, &v1), *b = dump_full(9, &n2, &v2), *c = dump_full(10, &n3, &v3);
    struct sim_gen_opts o = {.seed = 4,
                             .databases = 1,
                             .tables_per_db = 7,
                             .partitions_per_table = 30,
                             .functions_per_db = 2,
                             .columns = 12,
                             .partition_keys = 2,
                             .catalog_id = "1"};
    struct sim_catalog glue, dlf;
    struct sim_coll *gt, *dt;
    char bufs[3][32];
    size_t i;

    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    /* 2 databases x 6 partitioned tables (of 8: the view and the Iceberg table have none)
     * x 120 partitions. */
    assert_int_equal(n1, 1440);
    assert_int_equal(v1, 2 * 6 * 2); /* i % 50 == 49: 49 and 99 */
    assert_non_null(strstr(a, "\"VIRTUAL_VIEW\""));
    assert_non_null(strstr(a, "\"ICEBERG\""));
    assert_non_null(strstr(a, "1$a2$bc"));
    assert_non_null(strstr(a, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"));
    assert_non_null(strstr(a, "s3://sim-bucket-9/jars/"));
    free(a);
    free(b);
    free(c);
    assert_int_equal(sim_gen_table_shape(0), SIM_SHAPE_PARQUET);
    assert_int_equal(sim_gen_table_shape(10), SIM_SHAPE_VIEW);
    assert_int_equal(sim_gen_table_shape(12), SIM_SHAPE_ICEBERG);
    assert_int_equal(sim_gen_table_shape(13), SIM_SHAPE_SKEWED);
    sim_gen_part_values(97, 3, bufs);
    assert_string_equal(bufs[0], "2020-01-02");
    assert_string_equal(bufs[1], "ap-southeast-1");
    assert_string_equal(bufs[2], "1");

    sim_catalog_init(&glue);
    sim_catalog_init(&dlf);
    assert_int_equal(sim_gen_glue(&glue, &o), 0);
    assert_int_equal(sim_gen_dlf_from_glue(&dlf, &glue, "u"), 0);
    gt = glue.dbs.items[0].kids[SIM_KID_TABLES];
    dt = dlf.dbs.items[0].kids[SIM_KID_TABLES];
    assert_int_equal(dt->n, 7);
    for (i = 0; i < 7; i++) {
        assert_string_equal(gt->items[i].name, dt->items[i].name);
        assert_int_equal(gt->items[i].parts ? gt->items[i].parts->n : 0,
                         dt->items[i].parts ? dt->items[i].parts->n : 0);
        assert_non_null(json_object_get(dt->items[i].obj, "TableId"));
    }
    assert_int_equal(dt->items[0].parts->n, 30);
    /* The 30 partitions of a table share one interned descriptor. */
    assert_int_equal(dt->items[0].parts->nsd, 1);
    assert_int_equal(dt->items[0].parts->blocks[0]->r[0]->interned, 1);
    assert_true(json_is_array(json_array_get(
        json_object_get(json_object_get(json_object_get(dt->items[6].obj, "Sd"), "SkewedInfo"),
                        "SkewedColValues"),
        0)));
    assert_int_equal(sim_item_nkids(&dlf.dbs.items[0], SIM_KID_FUNCTIONS), 2);
    sim_catalog_done(&glue);
    sim_catalog_done(&dlf);
}

/* Every generated partition of @p t renders as the dump of sim_glue_part_json(). */
static size_t check_render_table(struct sim_item *t, const char *catalog_id)
{
    struct sim_gtpl *tp = sim_gtpl_get(t);
    struct sim_ppos pos;
    const struct sim_prec *r;
    size_t n = 0;
    int ex;

    assert_non_null(tp);
    assert_true(sim_gtpl_ok(tp));
    sim_parts_lower_bound(t->parts, NULL, 0, &pos);
    for (; (r = sim_parts_at(t->parts, &pos)) != NULL; sim_parts_next(t->parts, &pos)) {
        if (r->textlen)
            continue;
        for (ex = 0; ex < 2; ex++) {
            json_t *j = sim_glue_part_json(t->obj, r, catalog_id, ex);
            char *want = sim_dump_java(j);
            struct g2d_buf b;

            g2d_buf_init(&b, 0);
            assert_int_equal(
                sim_gtpl_render(tp, r->data, r->keylen, r->variant, catalog_id, ex, &b), 0);
            assert_string_equal(g2d_buf_cstr(&b), want);
            g2d_buf_done(&b);
            free(want);
            json_decref(j);
            n++;
        }
    }
    sim_gtpl_put(tp);
    return n;
}

/* Replace table @p i of the first database by @p edit applied to a copy. */
static struct sim_item *edit_table(struct sim_catalog *cat, size_t i, json_t *obj)
{
    struct sim_coll *kids = cat->dbs.items[0].kids[SIM_KID_TABLES];
    char *name = strdup(kids->items[i].name);

    assert_int_equal(sim_coll_put(kids, name, obj), 0);
    assert_null(kids->items[i].gtpl); /* the old template is dropped with the old object */
    free(name);
    return &kids->items[i];
}

static void test_render_generated(void **state)
{
    static const char *const cats[] = {"123456789012", "q\"u\\o\xc3\xa9\n\x01", NULL};
    unsigned keys, plain;
    size_t total = 0;

    for (plain = 0; plain < 2; plain++)
        for (keys = 1; keys <= 3; keys++) {
            struct sim_gen_opts o = {.seed = 11 + keys,
                                     .databases = 1,
                                     .tables_per_db = 7,
                                     .partitions_per_table = 120,
                                     .columns = 5 + keys,
                                     .partition_keys = keys,
                                     .plain = (int)plain,
                                     .catalog_id = "1"};
            struct sim_mutate m = {
                .add = 0.1, .change = 0.4, .drop = 0.1, .seed = 5, .first_new = 120};
            struct sim_mutate_counts mc;
            struct sim_catalog cat;
            struct sim_coll *kids;
            size_t i, round;

            sim_catalog_init(&cat);
            assert_int_equal(sim_gen_glue(&cat, &o), 0);
            kids = cat.dbs.items[0].kids[SIM_KID_TABLES];
            for (round = 0; round < 3; round++) {
                for (i = 0; i < kids->n; i++)
                    if (kids->items[i].parts)
                        total += check_render_table(&kids->items[i], cats[(i + round) % 3]);
                /* Revisions: changed partitions render their new parameters. */
                assert_int_equal(sim_gen_mutate(&cat, &m, &mc), 0);
                assert_true(mc.changed > 0);
                m.seed++;
                m.first_new += 20;
            }
            sim_catalog_done(&cat);
        }
    assert_true(total > 2 * 3 * 6 * 3 * 100 * 2 / 2);
}

static void test_render_odd_tables(void **state)
{
    struct sim_gen_opts o = {.seed = 3,
                             .databases = 1,
                             .tables_per_db = 1,
                             .partitions_per_table = 60,
                             .columns = 4,
                             .partition_keys = 2,
                             .catalog_id = "1"};
    struct sim_catalog cat;
    struct sim_item *t;
    struct sim_gtpl *held;
    json_t *obj, *sd;
    struct g2d_buf b;
    const struct sim_prec *r;

    sim_catalog_init(&cat);
    assert_int_equal(sim_gen_glue(&cat, &o), 0);
    t = &cat.dbs.items[0].kids[SIM_KID_TABLES]->items[0];
    check_render_table(t, "1");
    held = sim_gtpl_get(t); /* outlives the object it was built from */
    assert_non_null(held);
    r = t->parts->blocks[0]->r[0];

    /* A fractional CreateTime, a location and key names that need escaping. */
    obj = json_deep_copy(t->obj);
    json_object_set_new(obj, "CreateTime", json_real(1600000000.25));
    json_object_set_new(json_object_get(obj, "StorageDescriptor"), "Location",
                        json_string("s3://b/\"t\"\\\xc3\xa9\t/"));
    json_object_set_new(json_array_get(json_object_get(obj, "PartitionKeys"), 0), "Name",
                        json_string("d\"t"));
    t = edit_table(&cat, 0, obj);
    check_render_table(t, "1");
    /* Fewer keys than values: glibc prints the missing name as "(null)". */
    obj = json_deep_copy(t->obj);
    json_array_remove(json_object_get(obj, "PartitionKeys"), 1);
    t = edit_table(&cat, 0, obj);
    check_render_table(t, "1");
    /* A Location that is not a string, then none, then no descriptor at all. */
    obj = json_deep_copy(t->obj);
    json_object_set_new(json_object_get(obj, "StorageDescriptor"), "Location", json_null());
    t = edit_table(&cat, 0, obj);
    check_render_table(t, "1");
    obj = json_deep_copy(t->obj);
    json_object_del(json_object_get(obj, "StorageDescriptor"), "Location");
    t = edit_table(&cat, 0, obj);
    check_render_table(t, "1");
    obj = json_deep_copy(t->obj);
    json_object_del(obj, "StorageDescriptor");
    t = edit_table(&cat, 0, obj);
    check_render_table(t, "1");
    /* A table holding the sentinel itself is left to jansson. */
    obj = json_deep_copy(t->obj);
    sd = json_pack("{s:s,s:s}", "Location", "x", "Other", LOC_SENTINEL);
    json_object_set_new(obj, "StorageDescriptor", sd);
    t = edit_table(&cat, 0, obj);
    {
        struct sim_gtpl *tp = sim_gtpl_get(t);

        assert_non_null(tp);
        assert_false(sim_gtpl_ok(tp));
        g2d_buf_init(&b, 0);
        assert_int_equal(sim_gtpl_render(tp, r->data, r->keylen, 0, "1", 0, &b), -EINVAL);
        g2d_buf_done(&b);
        sim_gtpl_put(tp);
    }
    /* The template taken first still renders the first shape of the table. */
    g2d_buf_init(&b, 0);
    assert_int_equal(sim_gtpl_render(held, r->data, r->keylen, 0, "1", 0, &b), 0);
    assert_non_null(
        strstr(g2d_buf_cstr(&b), "\"Location\":\"s3://sim-bucket-3/db_0000.db/tbl_0000/dt="));
    g2d_buf_done(&b);
    sim_gtpl_put(held);
    sim_catalog_done(&cat);
}

static void test_json_escape(void **state)
{
    static const char s[] = "a\"b\\c\b\f\n\r\t\x01\x1f\x7f\xc3\xa9/z";
    json_t *j = json_stringn(s, sizeof(s) - 1);
    char *want = json_dumps(j, JSON_ENCODE_ANY);
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    assert_int_equal(g2d_buf_putc(&b, '"'), 0);
    assert_int_equal(sim_json_escape(&b, s, sizeof(s) - 1), 0);
    assert_int_equal(g2d_buf_putc(&b, '"'), 0);
    assert_string_equal(g2d_buf_cstr(&b), want);
    g2d_buf_done(&b);
    free(want);
    json_decref(j);
}

static void test_table_builders(void **state)
{
    char err[256];
    json_t *in = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "TableName", "T", "Owner", "me",
                           "PartitionKeys", "Name", "dt", "Type", "string");
    json_t *t, *t2;
    const char *k;
    json_t *v;
    int i = 0;

    t = sim_dlf_table_build(in, NULL, 1000, "id-1", err, sizeof(err));
    assert_non_null(t);
    /* Client members first and in order, then the server's. */
    json_object_foreach(t, k, v)
    {
        static const char *const want[] = {"TableName",  "Owner",      "PartitionKeys",
                                           "CreateTime", "UpdateTime", "TableId"};
        assert_string_equal(k, want[i++]);
    }
    t2 = sim_dlf_table_build(in, t, 2000, "id-2", err, sizeof(err));
    assert_int_equal(json_integer_value(json_object_get(t2, "CreateTime")), 1000);
    assert_int_equal(json_integer_value(json_object_get(t2, "UpdateTime")), 2000);
    assert_string_equal(json_string_value(json_object_get(t2, "TableId")), "id-1");
    json_decref(t2);
    json_decref(t);
    json_object_set_new(in, "PartitionKeys", json_string("x"));
    assert_null(sim_dlf_table_build(in, NULL, 1, "i", err, sizeof(err)));
    json_decref(in);

    in = json_pack("{s:s,s:{s:[{s:s}]}}", "Name", "Tbl", "StorageDescriptor", "Columns", "Name",
                   "c");
    t = sim_glue_table_build(in, "db", NULL, 5.0, 0, "42", err, sizeof(err));
    assert_non_null(t);
    assert_string_equal(json_string_value(json_object_get(t, "Name")), "tbl");
    assert_string_equal(json_string_value(json_object_get(t, "DatabaseName")), "db");
    assert_true(json_is_array(json_object_get(t, "PartitionKeys")));
    assert_string_equal(json_string_value(json_object_get(t, "VersionId")), "0");
    t2 = sim_glue_table_build(in, "db", t, 9.0, 0, "42", err, sizeof(err));
    assert_string_equal(json_string_value(json_object_get(t2, "VersionId")), "1");
    assert_true(json_number_value(json_object_get(t2, "CreateTime")) == 5.0);
    json_decref(t2);
    json_decref(t);
    json_decref(in);
}

/* ---- dlfw.c: batch writes prepared from the body's bytes ---- */

/* The text the jansson path stores for element @p pi (its own value count), or NULL. */
static char *jansson_text(const json_t *pi, const json_t *old, int64_t now)
{
    const char *v[SIM_MAX_KEYS];
    char err[512];
    size_t n;

    if (sim_values_get(json_object_get(pi, "Values"), v, SIM_MAX_KEYS, &n) < 0)
        return NULL;
    return sim_dlf_part_text(pi, old, now, n, err, sizeof(err));
}

/* The text a fast item stores with CreateTime @p ct (when it has none of its own). */
static char *fast_text(const struct sim_wpart *wp, int64_t ct)
{
    char tail[48], *s;
    size_t tl = sim_wpart_tail(wp, ct, tail, sizeof(tail));

    assert_true(tl > 0);
    s = malloc(wp->text.len + tl + 1);
    assert_non_null(s);
    memcpy(s, wp->text.text, wp->text.len);
    memcpy(s + wp->text.len, tail, tl);
    s[wp->text.len + tl] = '\0';
    return s;
}

/* A stored record of one value with @p text (for sim_prec_keep_time). */
static const struct sim_prec *old_rec(struct sim_parts *p, const char *text)
{
    assert_true(sim_parts_put(p, "o", 2, 1, 0, text, strlen(text), 0) >= 0);
    return sim_parts_find(p, "o", 2);
}

/*
 * Prepare @p body and hold the result against jansson's reading of the whole body. On 0,
 * the body must be a valid object with the list, the rest of the body must be jansson's,
 * a fast item must have the key of its Values and store byte for byte what
 * sim_dlf_part_text() stores (new, or replacing a partition with or without a CreateTime),
 * split like sim_ptext_split() splits it, and any other item must be jansson's element.
 * @return what sim_wbatch_prepare() returned; *nfast the fast items.
 */
static int check_body(const char *body, size_t len, const char *listkey, int text, size_t cap,
                      size_t *nfast)
{
    struct sim_wbatch wb;
    json_t *j = json_loadb(body, len, 0, NULL), *list = json_object_get(j, listkey), *rest;
    struct sim_parts *olds;
    size_t i;
    int r = sim_wbatch_prepare(&wb, body, len, listkey, text, cap);

    assert_true(r == 0 || r == 1);
    if (nfast)
        *nfast = r ? 0 : wb.nfast;
    if (r) {
        json_decref(j);
        return r;
    }
    assert_true(json_is_object(j));
    assert_true(json_is_array(list));
    assert_true(json_array_size(list) <= cap);
    assert_int_equal(wb.n, json_array_size(list));
    rest = json_deep_copy(j);
    json_object_set_new(rest, listkey, json_array());
    assert_true(json_equal(rest, wb.in));
    json_decref(rest);
    olds = sim_parts_new();
    for (i = 0; i < wb.n; i++) {
        const json_t *pi = json_array_get(list, i), *vals = json_object_get(pi, "Values");
        const struct sim_wpart *wp = &wb.items[i];
        const char *v[SIM_MAX_KEYS];
        static const int64_t nows[] = {1700000000, 7, -12};
        size_t n, klen, k;
        char *key;
        json_t *vj;

        if (!wp->key) {
            assert_non_null(wp->json);
            assert_true(json_equal(wp->json, pi));
            continue;
        }
        assert_null(wp->json);
        assert_int_equal(sim_values_get(vals, v, SIM_MAX_KEYS, &n), 0);
        key = sim_pkey_make(v, n, &klen);
        assert_int_equal(wp->nvalues, n);
        assert_int_equal(wp->keylen, klen);
        assert_memory_equal(wp->key, key, klen);
        free(key);
        vj = sim_wpart_values(wp);
        assert_true(json_equal(vj, vals));
        json_decref(vj);
        if (!text)
            continue;
        for (k = 0; k < 3; k++) {
            static const char *const oldtexts[] = {"{\"Values\":[\"o\"],\"CreateTime\":42}",
                                                   "{\"Values\":[\"o\"]}",
                                                   "{\"CreateTime\":0,\"Values\":[\"o\"]}"};
            json_t *oldj = json_loads(oldtexts[k], 0, NULL);
            const struct sim_prec *old = old_rec(olds, oldtexts[k]);
            char *want = jansson_text(pi, NULL, nows[k]), *got = fast_text(wp, nows[k]);
            struct sim_ptext t;

            assert_non_null(want);
            assert_string_equal(got, want);
            memset(&t, 0, sizeof(t));
            t.text = want;
            t.len = strlen(want);
            sim_ptext_split(&t);
            assert_int_equal(wp->text.split, t.split);
            if (t.split) {
                assert_int_equal(wp->text.sd, t.sd);
                assert_int_equal(wp->text.loc, t.loc);
                assert_int_equal(wp->text.locend, t.locend);
                assert_int_equal(wp->text.sdend, t.sdend);
                assert_true(wp->text.hash == t.hash);
            }
            free(want);
            free(got);
            /* Replacing a stored partition: its CreateTime is kept when the input has none. */
            want = jansson_text(pi, oldj, nows[k]);
            got = fast_text(wp, sim_prec_keep_time(old, nows[k]));
            assert_string_equal(got, want);
            free(want);
            free(got);
            json_decref(oldj);
        }
    }
    sim_parts_free(olds);
    sim_wbatch_done(&wb);
    json_decref(j);
    return 0;
}

/* A body the daemon's way around @p items (compact element texts). */
static char *batch_body(const char *const *items, size_t n, const char *listkey)
{
    struct g2d_buf b;
    size_t i;

    g2d_buf_init(&b, 0);
    assert_int_equal(g2d_buf_printf(&b,
                                    "{\"CatalogId\":\"c1\",\"DatabaseName\":\"db_0000\","
                                    "\"TableName\":\"tbl_0000\",\"IfNotExists\":false,"
                                    "\"NeedResult\":false,\"%s\":[",
                                    listkey),
                     0);
    for (i = 0; i < n; i++) {
        if (i)
            assert_int_equal(g2d_buf_putc(&b, ','), 0);
        assert_int_equal(g2d_buf_puts(&b, items[i]), 0);
    }
    assert_int_equal(g2d_buf_puts(&b, "]}"), 0);
    return g2d_buf_steal(&b);
}

static void test_wbatch_generated(void **state)
{
    static const struct g2d_config cfg;
    unsigned keys;

    for (keys = 1; keys <= 3; keys++) {
        struct sim_catalog cat;
        struct sim_gen_opts o = {.seed = 21 + keys,
                                 .databases = 1,
                                 .tables_per_db = 7,
                                 .partitions_per_table = 60,
                                 .columns = 4 + keys * 3,
                                 .partition_keys = keys,
                                 .catalog_id = "1"};
        size_t j;

        sim_catalog_init(&cat);
        assert_int_equal(sim_gen_glue(&cat, &o), 0);
        for (j = 0; j < sim_item_nkids(&cat.dbs.items[0], SIM_KID_TABLES); j++) {
            const struct sim_item *t = &cat.dbs.items[0].kids[SIM_KID_TABLES]->items[j];
            struct sim_parts *fast = sim_parts_new(), *slow = sim_parts_new();
            char *items[60], *dels[60], *body;
            struct sim_ppos pos;
            const struct sim_prec *pr;
            struct sim_wbatch wb;
            size_t n = 0, i, nfast;
            struct g2d_buf b1, b2;

            if (!t->parts || !t->parts->n) {
                sim_parts_free(fast);
                sim_parts_free(slow);
                continue;
            }
            sim_parts_lower_bound(t->parts, NULL, 0, &pos);
            for (; (pr = sim_parts_at(t->parts, &pos)) != NULL; sim_parts_next(t->parts, &pos)) {
                json_t *gp = sim_glue_part_json(t->obj, pr, "", 0), *in = NULL, *d;
                struct g2d_error gerr;

                assert_int_equal(
                    g2d_model_partition(&cfg, "db_0000", t->name, gp, &in, NULL, &gerr), 0);
                items[n] = json_dumps(in, JSON_COMPACT);
                d = json_pack("{s:O}", "Values", json_object_get(in, "Values"));
                dels[n++] = json_dumps(d, JSON_COMPACT);
                json_decref(d);
                json_decref(gp);
                json_decref(in);
            }
            /* Every generated PartitionInput is a fast item, in batches of 100 and of 20. */
            body = batch_body((const char *const *)items, n < 100 ? n : 100, "PartitionInputs");
            assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
            assert_int_equal(nfast, n < 100 ? n : 100);
            free(body);
            body = batch_body((const char *const *)items + n - 20, 20, "PartitionInputs");
            assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
            assert_int_equal(nfast, 20);
            /* Over the cap: the whole body goes to jansson (which answers the cap error). */
            assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 19, NULL), 1);
            free(body);
            body = batch_body((const char *const *)dels, n, "PartitionValueList");
            assert_int_equal(check_body(body, strlen(body), "PartitionValueList", 0, 1000, &nfast),
                             0);
            assert_int_equal(nfast, n);
            free(body);

            /* Stored through the fast path or jansson's: the same texts and descriptors. */
            body = batch_body((const char *const *)items, n, "PartitionInputs");
            assert_int_equal(sim_wbatch_prepare(&wb, body, strlen(body), "PartitionInputs", 1, n),
                             0);
            for (i = 0; i < n; i++) {
                const struct sim_wpart *wp = &wb.items[i];
                struct sim_ptext pt = wp->text;
                json_t *pi = json_loads(items[i], 0, NULL);
                char tail[48], *want = jansson_text(pi, NULL, 99);

                json_decref(pi);

                pt.taillen = sim_wpart_tail(wp, 99, tail, sizeof(tail));
                pt.tail = tail;
                assert_int_equal(
                    sim_parts_put_text(fast, wp->key, wp->keylen, wp->nvalues, 0, &pt, 0), 1);
                assert_int_equal(
                    sim_parts_put(slow, wp->key, wp->keylen, wp->nvalues, 0, want, strlen(want), 0),
                    1);
                free(want);
            }
            sim_wbatch_done(&wb);
            free(body);
            assert_int_equal(fast->n, slow->n);
            assert_int_equal(fast->nsd, slow->nsd);
            assert_true(fast->nsd >= 1 && fast->nsd <= 2); /* own-schema partitions: a second */
            g2d_buf_init(&b1, 0);
            g2d_buf_init(&b2, 0);
            sim_parts_lower_bound(fast, NULL, 0, &pos);
            for (; (pr = sim_parts_at(fast, &pos)) != NULL; sim_parts_next(fast, &pos)) {
                const struct sim_prec *sr = sim_parts_find(slow, pr->data, pr->keylen);

                assert_non_null(sr);
                assert_int_equal(pr->interned, 1);
                assert_int_equal(sim_prec_append(pr, &b1), 0);
                assert_int_equal(sim_prec_append(sr, &b2), 0);
            }
            assert_int_equal(b1.len, b2.len);
            assert_memory_equal(b1.data, b2.data, b1.len);
            g2d_buf_done(&b1);
            g2d_buf_done(&b2);
            for (i = 0; i < n; i++) {
                free(items[i]);
                free(dels[i]);
            }
            sim_parts_free(fast);
            sim_parts_free(slow);
        }
        sim_catalog_done(&cat);
    }
}

/* Element texts and whether each is a fast item (else jansson's, with today's answers). */
static const struct {
    const char *item;
    int fast;
} wcases[] = {
    {"{\"Values\":[\"a\"]}", 1},
    {"{\"Values\":[]}", 1},
    {"{\"Values\":[\"2024-01-01\",\"x\"],\"Parameters\":{\"a\":\"1\",\"b\":\"\"},\"Sd\":{\"Cols\":"
     "[{\"Name\":\"c\",\"Type\":\"int\",\"Comment\":\"é \xe2\x80\xa8 \xf0\x9f\x98\x80\"}],"
     "\"Location\":\"s3://b/t/x=1/\",\"NumBuckets\":-1,\"Compressed\":false,\"Z\":null,"
     "\"E\":{},\"F\":[],\"G\":[[1,[2]],{\"x\":{\"y\":0}}]}}",
     1},
    {"{\"Sd\":{\"Location\":\"l\"},\"Values\":[\"a\"],\"CreateTime\":1600000000}", 1},
    {"{\"Values\":[\"a\"],\"CreateTime\":-5}", 1},
    {"{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"l\"},\"Sd\":{\"Location\":\"m\"}}",
     0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":null,\"Location\":5}}", 1},
    {"{\"Values\":[\"a\"],\"Sd\":null,\"StorageDescriptor\":{\"A\":1,\"Location\":\"l\"}}", 0},
    {"{\"Values\":[\"a\"],\"Privileges\":{\"Sd\":{\"Cols\":5}},\"Sd\":{\"A\":{\"Location\":\"in\"},"
     "\"Location\":\"out\",\"B\":{\"Cols\":1}}}",
     1},
    {"{\"Values\":[\"a\"],\"Privileges\":{\"Cols\":[1]},\"Sd\":{\"Cols\":[{\"Name\":\"c\","
     "\"X\":{\"Name\":1}}]}}",
     1},
    {"{\"Values\":[\"a\"],\"Sd\":null}", 1},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":\"c\",\"Type\":null}]}}", 1},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[]}}", 1},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":123456789012345678,\"LastAnalyzedTime\":-1}", 1},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":0,\"DatabaseName\":\"d\",\"TableName\":null}", 1},
    /* Members sim_dlf_input_check() refuses (unknown, or of another type): jansson's. */
    {"{\"Values\":[\"a\"],\"\":\"empty key\"}", 0},
    {"{\"Values\":[\"a\"],\"N\":1}", 0},
    {"{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"l\"}}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\":1}}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":[]}", 0},
    {"{\"Values\":[\"a\"],\"TableName\":1}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":\"1\"}", 0},
    {"{\"Values\":[\"a\"],\"Privileges\":[]}", 0},
    /* The short escapes jansson writes back as they are. */
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\\\"\":\"x\\\\y\\n\\t\\r\\b\\f\\\"\"}}", 1},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Location\":\"s3://b/\\\"q\\\"/\",\"Cols\":[{\"Name\":\"c\","
     "\"Comment\":\"\\\"\"}]}}",
     1},
    /* Other escapes, escaped Values or names, reals, odd integers, whitespace: jansson's. */
    {"{\"Values\":[\"a\\\"b\"]}", 0},
    {"{\"Values\":[\"a\\nb\"]}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"\\u0041\"}}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"\\u001f\"}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":\"c\\td\"}]}}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\\n\":1,\"k\\n\":2}}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"a\\/b\"}}", 0},
    {"{\"Values\":[\"\\u00e9\"]}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":1.5}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":1e3}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":1E3}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":-0}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":1234567890123456789}", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":-9223372036854775808}", 0},
    {"{\"Values\": [\"a\"]}", 0},
    {"{ \"Values\":[\"a\"]}", 0},
    {"{\"Values\":[\"a\"] }", 0},
    {"{\"Values\":[\"a\"],\"LastAccessTime\":[1, 2]}", 0},
    /* Duplicate keys (jansson keeps the last value at the first place). */
    {"{\"Values\":[\"a\"],\"Values\":[\"b\"]}", 0},
    {"{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"1\",\"j\":\"2\",\"k\":\"3\"}}", 0},
    /* CreateTime jansson replaces, or refuses. */
    {"{\"Values\":[\"a\"],\"CreateTime\":0,\"LastAccessTime\":1}", 0},
    {"{\"Values\":[\"a\"],\"CreateTime\":null}", 0},
    {"{\"Values\":[\"a\"],\"CreateTime\":\"1\"}", 0},
    {"{\"Values\":[\"a\"],\"CreateTime\":1.0}", 0},
    {"{\"Values\":[\"a\"],\"CreateTime\":true}", 0},
    /* Values, Sd and Cols that fail validation. */
    {"{\"LastAccessTime\":1}", 0},
    {"{}", 0},
    {"{\"Values\":null}", 0},
    {"{\"Values\":\"a\"}", 0},
    {"{\"Values\":[\"a\",1]}", 0},
    {"{\"Values\":[[\"a\"]]}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":[]}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":\"x\"}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":{}}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[1]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Type\":\"int\"}]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":\"\"}]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":1}]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":\"c\",\"Type\":5}]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":\"c\"},{\"Name\":\"d\",\"Type\":[]}]}}", 0},
    {"{\"Values\":[\"a\"],\"StorageDescriptor\":{\"Location\":\"l\"},\"Sd\":{\"Location\":\"m\","
     "\"Cols\":[{\"Name\":\"\"}]}}",
     0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":null}]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":[{\"Name\":\"c\"},[]]}}", 0},
    {"{\"Values\":[\"a\"],\"Sd\":{\"Cols\":\"c\"}}", 0},
    /* Not objects. */
    {"[\"a\"]", 0},
    {"\"x\"", 0},
    {"17", 0},
    {"null", 0},
    {"true", 0},
};

static void test_wbatch_items(void **state)
{
    char big[4200], *body;
    size_t i, nfast;

    for (i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
        const char *one[1] = {wcases[i].item};

        body = batch_body(one, 1, "PartitionInputs");
        assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
        if (nfast != (size_t)wcases[i].fast)
            fail_msg("%s: fast %zu, expected %d", wcases[i].item, nfast, wcases[i].fast);
        free(body);
    }

    /* Limits: 64 values, 1024 code points a value, 255 a column name, 64 members, depth. */
    {
        struct g2d_buf b;
        const char *one[1];
        int k;

        g2d_buf_init(&b, 0);
        g2d_buf_puts(&b, "{\"Values\":[");
        for (k = 0; k < 64; k++)
            g2d_buf_printf(&b, "%s\"v%d\"", k ? "," : "", k);
        g2d_buf_puts(&b, "]}");
        one[0] = b.data;
        body = batch_body(one, 1, "PartitionInputs");
        assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
        assert_int_equal(nfast, 1);
        free(body);
        b.len -= 2;
        g2d_buf_puts(&b, ",\"v64\"]}");
        one[0] = b.data;
        body = batch_body(one, 1, "PartitionInputs");
        assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
        assert_int_equal(nfast, 0);
        free(body);
        g2d_buf_done(&b);
    }
    for (i = 0; i < 4; i++) {
        /* 1024 and 1025 code points of 2-byte characters; 255 and 256 in a column name. */
        static const size_t counts[] = {1024, 1025, 255, 256};
        const char *one[1] = {big};
        size_t k, o;

        o = (size_t)snprintf(big, sizeof(big),
                             i < 2 ? "{\"Values\":[\""
                                   : "{\"Values\":[\"a\"],"
                                     "\"Sd\":{\"Cols\":[{"
                                     "\"Name\":\"");
        for (k = 0; k < counts[i]; k++, o += 2)
            memcpy(big + o, "\xc3\xa9", 2);
        snprintf(big + o, sizeof(big) - o, i < 2 ? "\"]}" : "\"}]}}");
        body = batch_body(one, 1, "PartitionInputs");
        assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
        assert_int_equal(nfast, i % 2 == 0);
        free(body);
    }
    for (i = 0; i < 2; i++) {
        /* 64 members are fine, 65 go to jansson; so does nesting deeper than W_MAX_DEPTH. */
        struct g2d_buf b;
        const char *one[1];
        int k;

        g2d_buf_init(&b, 0);
        g2d_buf_puts(&b, "{\"Values\":[\"a\"],\"Parameters\":{\"m0\":\"0\"");
        for (k = 1; k < 64 + (int)i; k++)
            g2d_buf_printf(&b, ",\"m%d\":\"%d\"", k, k);
        g2d_buf_puts(&b, "}}");
        one[0] = b.data;
        body = batch_body(one, 1, "PartitionInputs");
        assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
        assert_int_equal(nfast, 1 - i);
        free(body);
        g2d_buf_done(&b);

        g2d_buf_init(&b, 0);
        g2d_buf_puts(&b, "{\"Values\":[\"a\"],\"Privileges\":{\"D\":");
        for (k = 0; k < W_MAX_DEPTH - 2 + (int)i; k++)
            g2d_buf_putc(&b, '[');
        for (k = 0; k < W_MAX_DEPTH - 2 + (int)i; k++)
            g2d_buf_putc(&b, ']');
        g2d_buf_puts(&b, "}}");
        one[0] = b.data;
        body = batch_body(one, 1, "PartitionInputs");
        assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast), 0);
        assert_int_equal(nfast, 1 - i);
        free(body);
        g2d_buf_done(&b);
    }
}

/* Bytes in strings: valid UTF-8 is kept as is; anything jansson refuses refuses the body. */
static void test_wbatch_utf8(void **state)
{
    static const struct {
        const char *s;
        int ok;
    } u[] = {
        {"\x7f", 1},
        {"\xc2\x80", 1},
        {"\xdf\xbf", 1},
        {"\xe0\xa0\x80", 1},
        {"\xed\x9f\xbf", 1},
        {"\xee\x80\x80", 1},
        {"\xef\xbf\xbf", 1},
        {"\xf0\x90\x80\x80", 1},
        {"\xf4\x8f\xbf\xbf", 1},
        {"\x01", 0},
        {"\t", 0},
        {"\x80", 0},
        {"\xc0\x80", 0},
        {"\xc1\xbf", 0},
        {"\xc2", 0},
        {"\xc2\x41", 0},
        {"\xe0\x9f\xbf", 0},
        {"\xed\xa0\x80", 0},
        {"\xed\xbf\xbf", 0},
        {"\xe1\x80", 0},
        {"\xf0\x8f\xbf\xbf", 0},
        {"\xf4\x90\x80\x80", 0},
        {"\xf5\x80\x80\x80", 0},
        {"\xf1\x80\x80", 0},
        {"\xff", 0},
    };
    size_t i, nfast;
    int where;

    for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
        for (where = 0; where < 3; where++) {
            char item[128], *body;
            const char *one[1] = {item};
            json_t *j;

            snprintf(item, sizeof(item),
                     where == 0   ? "{\"Values\":[\"a%sb\"]}"
                     : where == 1 ? "{\"Values\":[\"a\"],\"Parameters\":{\"K%s\":\"1\"}}"
                                  : "{\"Values\":[\"a\"],\"Parameters\":{\"k\":\"%s\"}}",
                     u[i].s);
            body = batch_body(one, 1, "PartitionInputs");
            j = json_loads(body, 0, NULL);
            assert_int_equal(j != NULL, u[i].ok);
            json_decref(j);
            /* Refused by jansson: prepare hands the body over; accepted: a fast item. */
            assert_int_equal(check_body(body, strlen(body), "PartitionInputs", 1, 1000, &nfast),
                             !u[i].ok);
            assert_int_equal(nfast, (size_t)u[i].ok);
            free(body);
        }
}

/* Bodies that the whole-body jansson path must answer (errors and messages as before). */
static void test_wbatch_bodies(void **state)
{
    static const struct {
        const char *body;
        int r;
    } b[] = {
        {"{\"DatabaseName\":\"d\",\"PartitionInputs\":[]}", 0},
        {" {\n \"DatabaseName\" : \"d\" ,\n \"PartitionInputs\" : [ {\"Values\":[\"a\"]} ,\n"
         "{\"Values\":[\"b\"]} ] , \"IfNotExists\" : true }\n",
         0},
        {"{\"DatabaseName\":\"d\\u0041\",\"PartitionInputs\":[{\"Values\":[\"a\"]}]}", 0},
        {"{\"DatabaseName\":\"d\",\"PartitionInputs\":[{\"Values\":[\"a\"]},17,[]]}", 0},
        {"{\"DatabaseName\":\"d\"}", 1},
        {"{}", 1},
        {"[]", 1},
        {"", 1},
        {"{\"PartitionInputs\":5}", 1},
        {"{\"PartitionInputs\":{}}", 1},
        {"{\"PartitionInputs\":null}", 1},
        {"{\"PartitionInputs\":[],\"PartitionInputs\":[]}", 1},
        {"{\"Partition\\u0049nputs\":[],\"PartitionInputs\":[{\"Values\":[\"a\"]}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}]} x", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}]}}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]},]}", 1},
        {"{\"PartitionInputs\":[,]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]} {\"Values\":[\"b\"]}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}],}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}],\"X\":tru}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}],\"X\":01}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"],\"X\":01}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"],\"X\":tru}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"],\"X\":\"\\x\"}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"],\"X\":\"\\u0000\"}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"],\"X\":99999999999999999999}]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]]}", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}]", 1},
        {"{\"PartitionInputs\":[{\"Values\":[\"a\"]}", 1},
    };
    size_t i, nfast;

    for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
        json_t *j = json_loads(b[i].body, 0, NULL);

        if (check_body(b[i].body, strlen(b[i].body), "PartitionInputs", 1, 1000, &nfast) != b[i].r)
            fail_msg("%s: expected %d", b[i].body, b[i].r);
        /* Handed over exactly when jansson refuses the body or it has no single list. */
        if (b[i].r == 0)
            assert_non_null(j);
        json_decref(j);
    }
    /* A NUL byte inside the list. */
    {
        static const char nul[] = "{\"PartitionInputs\":[{\"Values\":[\"a\0\"]}]}";

        assert_int_equal(check_body(nul, sizeof(nul) - 1, "PartitionInputs", 1, 1000, NULL), 1);
    }
}

/* Random damage to a body: whatever prepare accepts, it reads exactly as jansson does. */
static void test_wbatch_mutations(void **state)
{
    static const char pool[] = "\"\\{}[],: 0-.enu\x80\xc3\xa9\xff\x01x";
    const char *items[12];
    char *body;
    size_t i, len, accepted = 0, fast = 0;
    uint64_t st = 77;

    for (i = 0; i < 12; i++)
        items[i] = wcases[(i * 5) % (sizeof(wcases) / sizeof(wcases[0]))].item;
    body = batch_body(items, 12, "PartitionInputs");
    len = strlen(body);
    for (i = 0; i < 3000; i++) {
        char m[4096];
        size_t ml = len, k, nfast, nm = 1 + sim_splitmix64(&st) % 3;

        assert_true(len + 8 < sizeof(m));
        memcpy(m, body, len);
        for (k = 0; k < nm; k++) {
            size_t at = sim_splitmix64(&st) % ml;
            char c = pool[sim_splitmix64(&st) % (sizeof(pool) - 1)];

            switch (sim_splitmix64(&st) % 3) {
            case 0:
                m[at] = c;
                break;
            case 1:
                memmove(m + at, m + at + 1, ml - at - 1);
                ml--;
                break;
            default:
                memmove(m + at + 1, m + at, ml - at);
                m[at] = c;
                ml++;
            }
        }
        if (check_body(m, ml, "PartitionInputs", 1, 1000, &nfast) == 0) {
            accepted++;
            fast += nfast;
        }
    }
    /* Not vacuous: many damaged bodies still parse, with fast items among them. */
    assert_true(accepted > 250);
    assert_true(fast > 500);
    free(body);
}

/* The CreateTime a replacement keeps: the stored text's non-zero integer, else now. */
static void test_prec_keep_time(void **state)
{
    static const struct {
        const char *text;
        int64_t want;
    } c[] = {
        {"{\"Values\":[\"o\"],\"CreateTime\":42}", 42},
        {"{\"CreateTime\":-7,\"Values\":[\"o\"]}", -7},
        {"{\"Values\":[\"o\"],\"CreateTime\":0}", 1000},
        {"{\"Values\":[\"o\"]}", 1000},
        {"{\"Values\":[\"o\"],\"CreateTime\":null}", 1000},
        {"{\"Values\":[\"o\"],\"CreateTime\":1.5}", 1000},
        {"{\"Values\":[\"o\"],\"CreateTime\":\"42\"}", 1000},
        {"{\"Values\":[\"o\"],\"CreateTime\":9223372036854775807}", INT64_MAX},
        {"{\"Values\":[\"o\"],\"X\":{\"CreateTime\":5}}", 1000},
        {"{\"Values\":[\"o\"],\"Sd\":{\"Location\":\"l\",\"A\":1},\"CreateTime\":77}", 77},
        {"{ \"Values\" : [\"o\"] , \"CreateTime\" : 8 }", 8},
    };
    struct sim_parts *p = sim_parts_new();
    size_t i;

    assert_int_equal(sim_prec_keep_time(NULL, 1000), 1000);
    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        const struct sim_prec *r = old_rec(p, c[i].text);
        json_t *in = json_loads("{\"Values\":[\"o\"]}", 0, NULL),
               *old = json_loads(c[i].text, 0, NULL);
        char *want = jansson_text(in, old, 1000);
        char got[96];

        assert_true(sim_prec_keep_time(r, 1000) == c[i].want);
        /* The same as sim_dlf_part_text() with the old object. */
        snprintf(got, sizeof(got), "{\"Values\":[\"o\"],\"CreateTime\":%lld}",
                 (long long)c[i].want);
        assert_string_equal(got, want);
        free(want);
        json_decref(in);
        json_decref(old);
    }
    sim_parts_free(p);
}

/* --dlf-page-max: the refusal names the limit so that the daemon's limit learning finds it. */
static void test_dlf_page_msg(void **state)
{
    static const unsigned maxes[] = {1, 50, 100, 500, 999};
    char msg[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
        sim_dlf_page_msg(msg, sizeof(msg), maxes[i]);
        assert_int_equal(g2d_limit_from_error("InvalidInput", msg, 1000), maxes[i]);
        assert_int_equal(g2d_limit_from_error("InvalidInput", msg, maxes[i] + 1), maxes[i]);
    }
}

/* ListPartitionNames: Hive's "k=v/k=v" with FileUtils.escapePathName's escapes. */
static void test_part_name(void **state)
{
    struct g2d_expr_key keys[3] = {{.name = "dt"}, {.name = "re=g"}, {.name = "h"}};
    const char *vals[3] = {"2024-01-01", "a/b:c%", "x\ty#{}[]^*?'\"\\\x7f ok"};
    struct g2d_buf b;

    (void)state;
    g2d_buf_init(&b, 0);
    assert_int_equal(sim_part_name(keys, vals, 3, &b), 0);
    assert_true(g2d_buf_putc(&b, '\0') == 0);
    assert_string_equal(b.data, "dt=2024-01-01/re%3Dg=a%2Fb%3Ac%25/"
                                "h=x%09y%23%7B}%5B%5D%5E%2A%3F%27%22%5C%7F ok");
    b.len = 0;
    assert_int_equal(sim_part_name(keys, vals, 1, &b), 0);
    assert_true(g2d_buf_putc(&b, '\0') == 0);
    assert_string_equal(b.data, "dt=2024-01-01");
    g2d_buf_done(&b);
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
        cmocka_unit_test(test_parts_store),
        cmocka_unit_test(test_parts_interned_sd),
        cmocka_unit_test(test_parts_paging_and_segments),
        cmocka_unit_test(test_parts_expression),
        cmocka_unit_test(test_tokens_bin),
        cmocka_unit_test(test_generator_tables),
        cmocka_unit_test(test_table_builders),
        cmocka_unit_test(test_render_generated),
        cmocka_unit_test(test_render_odd_tables),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_wbatch_generated),
        cmocka_unit_test(test_wbatch_items),
        cmocka_unit_test(test_wbatch_utf8),
        cmocka_unit_test(test_wbatch_bodies),
        cmocka_unit_test(test_wbatch_mutations),
        cmocka_unit_test(test_prec_keep_time),
        cmocka_unit_test(test_dlf_page_msg),
        cmocka_unit_test(test_part_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
