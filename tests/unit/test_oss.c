/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the OSS client pieces (include/glue2dlf/oss.h): oss:// locations, the
 * endpoint and addressing style, object names (sorting by time, cycle and part, read back),
 * the XML error reader and the answer classification.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/oss.h"

static void loc_ok(const char *url, const char *bucket, const char *prefix)
{
    char *b, *p;
    const char *why;

    assert_int_equal(g2d_oss_parse_location(url, &b, &p, &why), 0);
    assert_string_equal(b, bucket);
    assert_string_equal(p, prefix);
    free(b);
    free(p);
}

static void loc_bad(const char *url, const char *why_part)
{
    char *b, *p;
    const char *why;

    assert_int_equal(g2d_oss_parse_location(url, &b, &p, &why), -EINVAL);
    assert_null(b);
    assert_null(p);
    assert_non_null(strstr(why, why_part));
}

static void test_location(void **state)
{
    (void)state;
    loc_ok("oss://my-bucket/results/", "my-bucket", "results/");
    loc_ok("oss://my-bucket/a/b", "my-bucket", "a/b/");
    loc_ok("oss://my-bucket", "my-bucket", "");
    loc_ok("oss://my-bucket/", "my-bucket", "");
    loc_ok("OSS://abc//x/", "abc", "x/");
    loc_bad("s3://bucket/", "not an oss://");
    loc_bad("oss://ab/", "bucket name");
    loc_bad("oss://Bucket/", "bucket name");
    loc_bad("oss://-bucket/", "bucket name");
    loc_bad("oss://bucket/a b/", "prefix may hold");
    loc_bad("oss://bucket/a//b/", "prefix may hold");
    loc_bad("oss://bucket/%2F/", "prefix may hold");
}

static void base_is(const char *region, bool internal, const char *override, const char *want,
                    bool want_path)
{
    char *base;
    bool path;

    assert_int_equal(g2d_oss_base_url("bkt", region, internal, override, &base, &path), 0);
    assert_string_equal(base, want);
    assert_int_equal(path, want_path);
    free(base);
}

static void test_base_url(void **state)
{
    (void)state;
    base_is("cn-hangzhou", false, NULL, "https://bkt.oss-cn-hangzhou.aliyuncs.com", false);
    base_is("oss-cn-hangzhou", false, NULL, "https://bkt.oss-cn-hangzhou.aliyuncs.com", false);
    base_is("cn-shanghai", true, NULL, "https://bkt.oss-cn-shanghai-internal.aliyuncs.com", false);
    base_is("cn-hangzhou", false, "https://oss-accelerate.aliyuncs.com",
            "https://bkt.oss-accelerate.aliyuncs.com", false);
    base_is("cn-hangzhou", false, "http://127.0.0.1:8601", "http://127.0.0.1:8601", true);
    base_is("cn-hangzhou", false, "http://localhost:8601/", "http://localhost:8601", true);
    base_is(NULL, false, "http://[::1]:8601", "http://[::1]:8601", true);
}

static void test_object_names(void **state)
{
    char a[96], b[96], c[96], d[96];
    int64_t t;
    uint64_t cyc;
    unsigned part;

    (void)state;
    /* 2026-12-07 20:00:00 UTC */
    assert_int_equal(g2d_oss_object_name(a, sizeof(a), 1796673600, 42, 1), 45);
    assert_string_equal(a, "20261207T200000Z-cycle-000042-part-0001.jsonl");
    assert_true(g2d_oss_object_name(b, sizeof(b), 1796673600, 42, 2) > 0);
    assert_true(g2d_oss_object_name(c, sizeof(c), 1796673600, 43, 1) > 0);
    assert_true(g2d_oss_object_name(d, sizeof(d), 1796673601, 1, 1) > 0);
    assert_true(strcmp(a, b) < 0 && strcmp(b, c) < 0 && strcmp(c, d) < 0);
    assert_int_equal(g2d_oss_object_name_parse(a, &t, &cyc, &part), 0);
    assert_int_equal(t, 1796673600);
    assert_int_equal(cyc, 42);
    assert_int_equal(part, 1);
    assert_true(g2d_oss_object_name(a, sizeof(a), 1796673600, 12345678, 10000) > 0);
    assert_int_equal(g2d_oss_object_name_parse(a, &t, &cyc, &part), 0);
    assert_int_equal(cyc, 12345678);
    assert_int_equal(part, 10000);
    assert_int_equal(g2d_oss_object_name(a, 20, 1796673600, 1, 1), -ENOSPC);
    assert_int_equal(
        g2d_oss_object_name_parse("20261207T200000Z-cycle-42-part-0001.jsonl", &t, &cyc, &part),
        -EINVAL);
    assert_int_equal(
        g2d_oss_object_name_parse("20261207T200000Z-cycle-000042-part-0001.json", &t, &cyc, &part),
        -EINVAL);
    assert_int_equal(g2d_oss_object_name_parse("notes.txt", &t, &cyc, &part), -EINVAL);
}

static void test_error_parse(void **state)
{
    static const char body[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n"
                               "  <Code>SignatureDoesNotMatch</Code>\n"
                               "  <Message>The request &amp; its\nsignature &lt;differ&gt;"
                               "</Message>\n  <RequestId>5C3D9175B6FC201293AD****</RequestId>\n"
                               "</Error>\n";
    char code[32], msg[64];

    (void)state;
    assert_int_equal(g2d_oss_error_parse(body, strlen(body), code, sizeof(code), msg, sizeof(msg)),
                     0);
    assert_string_equal(code, "SignatureDoesNotMatch");
    assert_string_equal(msg, "The request & its signature <differ>");
    /* Truncated to the buffers; a body cut inside the element has no code. */
    assert_int_equal(g2d_oss_error_parse(body, strlen(body), code, 10, msg, 8), 0);
    assert_string_equal(code, "Signature");
    assert_string_equal(msg, "The req");
    assert_int_equal(g2d_oss_error_parse(body, 60, code, sizeof(code), msg, sizeof(msg)), -ENOENT);
    assert_string_equal(code, "");
    assert_int_equal(g2d_oss_error_parse("{}", 2, code, sizeof(code), msg, sizeof(msg)), -ENOENT);
}

static void test_classify(void **state)
{
    static const char body[] = "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message>"
                               "</Error>";
    struct g2d_http_response r = {0};

    (void)state;
    r.status = 200;
    r.body = "";
    assert_int_equal(g2d_oss_classify(&r, NULL), G2D_HTTP_OK);
    r.status = 503;
    assert_int_equal(g2d_oss_classify(&r, NULL), G2D_HTTP_RETRY);
    assert_string_equal(r.error_message, "HTTP 503 from OSS");
    r.status = 429;
    assert_int_equal(g2d_oss_classify(&r, NULL), G2D_HTTP_RETRY_THROTTLE);
    r.status = 403;
    r.body = body;
    r.body_len = strlen(body);
    assert_int_equal(g2d_oss_classify(&r, NULL), G2D_HTTP_RETRY);
    assert_string_equal(r.error_code, "RequestTimeTooSkewed");
    r.body = "<Error><Code>AccessDenied</Code></Error>";
    r.body_len = strlen(r.body);
    assert_int_equal(g2d_oss_classify(&r, NULL), G2D_HTTP_FAIL);
    assert_string_equal(r.error_code, "AccessDenied");
}

static void test_md5(void **state)
{
    char b64[25], hex[33];

    (void)state;
    /* RFC 1321 test suite: MD5("abc") */
    assert_int_equal(g2d_oss_md5("abc", 3, b64, hex), 0);
    assert_string_equal(hex, "900150983CD24FB0D6963F7D28E17F72");
    assert_string_equal(b64, "kAFQmDzST7DWlj99KOF/cg==");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_location),     cmocka_unit_test(test_base_url),
        cmocka_unit_test(test_object_names), cmocka_unit_test(test_error_parse),
        cmocka_unit_test(test_classify),     cmocka_unit_test(test_md5),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
