/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/encode.c: hex, base64, percent-encoding, SHA-256, random, time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/encode.h"

static void test_hex(void **state)
{
    const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[2 * sizeof(in) + 1];

    (void)state;
    memset(out, 'x', sizeof(out));
    g2d_hex(in, sizeof(in), out);
    assert_string_equal(out, "00017f80abff");
    g2d_hex(in, 0, out);
    assert_string_equal(out, "");
}

static void check_b64(const char *in, size_t n, const char *want)
{
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    assert_int_equal(g2d_base64(in, n, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), want);
    assert_int_equal(b.len, strlen(want));
    g2d_buf_done(&b);
}

static void test_base64_rfc4648(void **state)
{
    (void)state;
    check_b64("", 0, "");
    check_b64("f", 1, "Zg==");
    check_b64("fo", 2, "Zm8=");
    check_b64("foo", 3, "Zm9v");
    check_b64("foob", 4, "Zm9vYg==");
    check_b64("fooba", 5, "Zm9vYmE=");
    check_b64("foobar", 6, "Zm9vYmFy");
    check_b64("\xff\xfe\x00\x01\xfb", 5, "//4AAfs=");
}

static void test_base64_appends_and_ceiling(void **state)
{
    struct g2d_buf b;

    (void)state;
    g2d_buf_init(&b, 8);
    assert_int_equal(g2d_buf_puts(&b, "ab"), 0);
    assert_int_equal(g2d_base64("foo", 3, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), "abZm9v");
    /* Six more characters would exceed the ceiling of 8: refused, buffer unchanged. */
    assert_int_equal(g2d_base64("fooba", 5, &b), -E2BIG);
    assert_string_equal(g2d_buf_cstr(&b), "abZm9v");
    assert_int_equal(b.len, 6);
    g2d_buf_done(&b);
}

static void check_enc(const char *in, size_t n, int keep_slash, const char *want)
{
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    assert_int_equal(g2d_uri_encode(in, n, keep_slash, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), want);
    g2d_buf_done(&b);
}

static void test_uri_encode(void **state)
{
    static const char unres[] =
        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    (void)state;
    check_enc(unres, strlen(unres), 0, unres);
    check_enc("", 0, 0, "");
    check_enc("a b", 3, 0, "a%20b");
    check_enc("a+b*c", 5, 0, "a%2Bb%2Ac");
    check_enc("/a/b c/", 7, 1, "/a/b%20c/");
    check_enc("/a/b c/", 7, 0, "%2Fa%2Fb%20c%2F");
    check_enc("\xe1\x88\xb4", 3, 0, "%E1%88%B4");
    check_enc("@#$%^=&?", 8, 0, "%40%23%24%25%5E%3D%26%3F");
    /* The length is honoured, so NUL bytes are encoded too. */
    check_enc("a\0b", 3, 0, "a%00b");
    /* Only n bytes are read. */
    check_enc("abc def", 3, 0, "abc");
}

static void test_uri_encode_ceiling(void **state)
{
    struct g2d_buf b;

    (void)state;
    g2d_buf_init(&b, 6);
    assert_int_equal(g2d_buf_puts(&b, "x"), 0);
    assert_int_equal(g2d_uri_encode("ab c", 4, 0, &b), -E2BIG);
    assert_string_equal(g2d_buf_cstr(&b), "x");
    assert_int_equal(b.len, 1);
    assert_int_equal(g2d_uri_encode("a c", 3, 0, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), "xa%20c");
    g2d_buf_done(&b);
}

static void test_uri_decode(void **state)
{
    static const char *const bad[] = {"%", "%4", "a%2", "%zz", "%g0", "%0g", "ok%-1"};
    struct g2d_buf b;
    size_t i;

    (void)state;
    g2d_buf_init(&b, 0);
    assert_int_equal(g2d_uri_decode("%E1%88%b4=a+b%20c", 17, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), "\xe1\x88\xb4=a+b c");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        g2d_buf_reset(&b);
        assert_int_equal(g2d_buf_puts(&b, "keep"), 0);
        assert_int_equal(g2d_uri_decode(bad[i], strlen(bad[i]), &b), -EINVAL);
        /* A failed decode leaves what was there before. */
        assert_string_equal(g2d_buf_cstr(&b), "keep");
        assert_int_equal(b.len, 4);
    }
    g2d_buf_reset(&b);
    assert_int_equal(g2d_uri_decode("", 0, &b), 0);
    assert_string_equal(g2d_buf_cstr(&b), "");
    g2d_buf_done(&b);
}

static void test_uri_roundtrip(void **state)
{
    unsigned char all[256];
    struct g2d_buf enc, dec;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(all); i++)
        all[i] = (unsigned char)i;
    g2d_buf_init(&enc, 0);
    g2d_buf_init(&dec, 0);
    assert_int_equal(g2d_uri_encode((const char *)all, sizeof(all), 0, &enc), 0);
    /* 66 unreserved bytes stay, the other 190 become three characters each. */
    assert_int_equal(enc.len, 66 + 190 * 3);
    assert_int_equal(g2d_uri_decode(enc.data, enc.len, &dec), 0);
    assert_int_equal(dec.len, sizeof(all));
    assert_memory_equal(dec.data, all, sizeof(all));
    g2d_buf_done(&enc);
    g2d_buf_done(&dec);
}

static void test_sha256(void **state)
{
    uint8_t md[32];
    char hex[65];

    (void)state;
    g2d_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    g2d_sha256_hex(NULL, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    g2d_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    g2d_sha256_hex("{}", 2, hex);
    assert_string_equal(hex, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    g2d_sha256_hex("Param1=value1", 13, hex);
    assert_string_equal(hex, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    g2d_sha256("abc", 3, md);
    assert_int_equal(md[0], 0xba);
    assert_int_equal(md[31], 0xad);
}

static void test_random_bytes(void **state)
{
    uint8_t a[32], b[32], zero[32];
    uint8_t big[70000];

    (void)state;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memset(zero, 0, sizeof(zero));
    assert_int_equal(g2d_random_bytes(a, 0), 0);
    assert_memory_equal(a, zero, sizeof(a));
    assert_int_equal(g2d_random_bytes(a, sizeof(a)), 0);
    assert_int_equal(g2d_random_bytes(b, sizeof(b)), 0);
    /* A collision or an all-zero draw has probability 2^-256. */
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, zero, sizeof(a));
    memset(big, 0, sizeof(big));
    assert_int_equal(g2d_random_bytes(big, sizeof(big)), 0);
    assert_memory_not_equal(big + sizeof(big) - 32, zero, 32);
}

struct time_case {
    int64_t t;
    const char *amz, *iso, *rfc;
};

static void test_time_formats(void **state)
{
    static const struct time_case cases[] = {
        {1440938160, "20150830T123600Z", "2015-08-30T12:36:00Z", "Sun, 30 Aug 2015 12:36:00 GMT"},
        {0, "19700101T000000Z", "1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 GMT"},
        {1704067200, "20240101T000000Z", "2024-01-01T00:00:00Z", "Mon, 01 Jan 2024 00:00:00 GMT"},
        {1705306150, "20240115T080910Z", "2024-01-15T08:09:10Z", "Mon, 15 Jan 2024 08:09:10 GMT"},
        {1709164800, "20240229T000000Z", "2024-02-29T00:00:00Z", "Thu, 29 Feb 2024 00:00:00 GMT"},
        {1698310861, "20231026T090101Z", "2023-10-26T09:01:01Z", "Thu, 26 Oct 2023 09:01:01 GMT"},
        /* Out-of-range times are clamped to the years 0000..9999. */
        {INT64_MAX, "99991231T235959Z", "9999-12-31T23:59:59Z", "Fri, 31 Dec 9999 23:59:59 GMT"},
    };
    char amz[17], iso[21], rfc[30];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(amz, 'x', sizeof(amz));
        memset(iso, 'x', sizeof(iso));
        memset(rfc, 'x', sizeof(rfc));
        g2d_time_amz(cases[i].t, amz);
        g2d_time_iso8601(cases[i].t, iso);
        g2d_time_rfc1123(cases[i].t, rfc);
        assert_string_equal(amz, cases[i].amz);
        assert_string_equal(iso, cases[i].iso);
        assert_string_equal(rfc, cases[i].rfc);
    }
    g2d_time_amz(INT64_MIN, amz);
    assert_string_equal(amz, "00000101T000000Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_base64_rfc4648),
        cmocka_unit_test(test_base64_appends_and_ceiling),
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_uri_encode_ceiling),
        cmocka_unit_test(test_uri_decode),
        cmocka_unit_test(test_uri_roundtrip),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_time_formats),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
