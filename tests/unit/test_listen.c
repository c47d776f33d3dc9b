/* SPDX-License-Identifier: MIT */
/* Unit tests for listen addresses (include/glue2dlf/listen.h) and the error-code families
 * of the per-operation HTTP counters. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/http.h"
#include "glue2dlf/listen.h"

static void round_trip(const char *in, int family, const char *shown)
{
    struct g2d_listen l;
    char buf[128];

    assert_null(g2d_listen_parse(in, &l));
    assert_int_equal(l.family, family);
    g2d_listen_format((struct sockaddr *)&l.addr, l.addrlen, buf, sizeof(buf));
    assert_string_equal(buf, shown);
}

static void test_listen_good(void **state)
{
    (void)state;
    round_trip("127.0.0.1:9464", AF_INET, "127.0.0.1:9464");
    round_trip("localhost:9464", AF_INET, "127.0.0.1:9464");
    round_trip(":9464", AF_INET, "0.0.0.0:9464");
    round_trip("0.0.0.0:0", AF_INET, "0.0.0.0:0");
    round_trip("[::1]:9464", AF_INET6, "[::1]:9464");
    round_trip("[::]:65535", AF_INET6, "[::]:65535");
    round_trip("/run/glue2dlf/metrics.sock", AF_UNIX, "/run/glue2dlf/metrics.sock");
}

static void bad(const char *in, const char *why_part)
{
    struct g2d_listen l;
    const char *why = g2d_listen_parse(in, &l);

    assert_non_null(why);
    if (!strstr(why, why_part))
        fail_msg("'%s': '%s' does not mention '%s'", in, why, why_part);
}

static void test_listen_bad(void **state)
{
    char longpath[200];

    (void)state;
    bad("", "empty");
    bad("9464", "HOST:PORT");
    bad("127.0.0.1", "HOST:PORT");
    bad("127.0.0.1:", "port is missing");
    bad("127.0.0.1:65536", "0 to 65535");
    bad("127.0.0.1:123456", "0 to 65535");
    bad("127.0.0.1:-1", "0 to 65535");
    bad("127.0.0.1:94a", "0 to 65535");
    bad("metrics.example.com:9464", "no name lookup");
    bad("256.0.0.1:9464", "no name lookup");
    bad("[::1]", "[ADDRESS]:PORT");
    bad("[::1:9464", "[ADDRESS]:PORT");
    bad("[zz::1]:9464", "not an IPv6 address");
    bad("::1:9464", "no name lookup");
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    bad(longpath, "too long");
}

static void test_code_families(void **state)
{
    (void)state;
    assert_int_equal(g2d_http_code_family(""), G2D_HTTP_CODE_NONE);
    assert_int_equal(g2d_http_code_family(NULL), G2D_HTTP_CODE_NONE);
    assert_int_equal(g2d_http_code_family("ThrottlingException"), G2D_HTTP_CODE_THROTTLING);
    assert_int_equal(g2d_http_code_family("Throttling.User"), G2D_HTTP_CODE_THROTTLING);
    assert_int_equal(g2d_http_code_family("EntityNotFoundException"), G2D_HTTP_CODE_NOT_FOUND);
    assert_int_equal(g2d_http_code_family("NoSuchObject"), G2D_HTTP_CODE_NOT_FOUND);
    assert_int_equal(g2d_http_code_family("AlreadyExistsException"), G2D_HTTP_CODE_ALREADY_EXISTS);
    assert_int_equal(g2d_http_code_family("InvalidSignatureException"), G2D_HTTP_CODE_AUTH);
    assert_int_equal(g2d_http_code_family("SignatureNonceUsed"), G2D_HTTP_CODE_AUTH);
    assert_int_equal(g2d_http_code_family("Forbidden.RAM"), G2D_HTTP_CODE_AUTH);
    assert_int_equal(g2d_http_code_family("InvalidInputException"), G2D_HTTP_CODE_INVALID);
    assert_int_equal(g2d_http_code_family("ConcurrentModificationException"),
                     G2D_HTTP_CODE_CONFLICT);
    assert_int_equal(g2d_http_code_family("InternalServiceException"), G2D_HTTP_CODE_SERVER);
    assert_int_equal(g2d_http_code_family("Wat"), G2D_HTTP_CODE_OTHER);
    assert_string_equal(g2d_http_code_family_name(G2D_HTTP_CODE_THROTTLING), "throttling");
    assert_string_equal(g2d_http_class_name(G2D_HTTP_CLASS_5XX), "5xx");
    assert_string_equal(g2d_http_class_name(G2D_HTTP_CLASS_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen_good),
        cmocka_unit_test(test_listen_bad),
        cmocka_unit_test(test_code_families),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
