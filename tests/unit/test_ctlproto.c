/* SPDX-License-Identifier: MIT */
/* Unit tests for the control protocol: line splitter, request parser, reply builders. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/ctlproto.h"

static int feed(struct g2d_linebuf *lb, const char *s)
{
    return g2d_linebuf_feed(lb, s, strlen(s));
}

/* Pop one line and compare it with @p want (NULL: expect "need more input"). */
static void expect_line(struct g2d_linebuf *lb, const char *want)
{
    const char *line = NULL;
    size_t len = 0;
    int r = g2d_linebuf_pop(lb, &line, &len);

    if (!want) {
        assert_int_equal(r, 0);
        return;
    }
    assert_int_equal(r, 1);
    assert_int_equal(len, strlen(want));
    assert_string_equal(line, want);
}

static void test_linebuf_split_across_chunks(void **state)
{
    struct g2d_linebuf lb;

    g2d_linebuf_init(&lb, 0);
    assert_int_equal(feed(&lb, "{\"a\""), 0);
    expect_line(&lb, NULL);
    assert_int_equal(feed(&lb, ":1}\n{\"b\":"), 0);
    expect_line(&lb, "{\"a\":1}");
    expect_line(&lb, NULL);
    assert_int_equal(feed(&lb, "2}\nthird\nfou"), 0);
    expect_line(&lb, "{\"b\":2}");
    expect_line(&lb, "third");
    expect_line(&lb, NULL);
    assert_int_equal(g2d_linebuf_pending(&lb), 3);
    assert_int_equal(feed(&lb, "rth\n"), 0);
    expect_line(&lb, "fourth");
    expect_line(&lb, NULL);
    assert_int_equal(g2d_linebuf_pending(&lb), 0);
    g2d_linebuf_done(&lb);
}

static void test_linebuf_byte_by_byte(void **state)
{
    const char *in = "status\r\nsync\n";
    struct g2d_linebuf lb;
    int got = 0;

    g2d_linebuf_init(&lb, 16);
    for (size_t i = 0; in[i]; i++) {
        const char *line;
        size_t len;

        assert_int_equal(g2d_linebuf_feed(&lb, in + i, 1), 0);
        while (g2d_linebuf_pop(&lb, &line, &len) == 1) {
            assert_string_equal(line, got == 0 ? "status" : "sync");
            got++;
        }
    }
    assert_int_equal(got, 2);
    g2d_linebuf_done(&lb);
}

static void test_linebuf_crlf_and_empty(void **state)
{
    struct g2d_linebuf lb;

    g2d_linebuf_init(&lb, 0);
    assert_int_equal(feed(&lb, "\n\r\none\r\n\n\ntwo\n\r\n"), 0);
    expect_line(&lb, "one");
    expect_line(&lb, "two");
    expect_line(&lb, NULL);
    /* A lone '\r' inside a line is data, only the one before '\n' is dropped. */
    assert_int_equal(feed(&lb, "a\rb\r\r\n"), 0);
    expect_line(&lb, "a\rb\r");
    g2d_linebuf_done(&lb);
}

static void test_linebuf_overlong_complete(void **state)
{
    struct g2d_linebuf lb;
    const char *line;
    size_t len;

    g2d_linebuf_init(&lb, 8);
    assert_int_equal(feed(&lb, "12345678\n"), 0);
    expect_line(&lb, "12345678"); /* exactly the maximum is fine */
    assert_int_equal(feed(&lb, "123456789\nok\n"), 0);
    assert_int_equal(g2d_linebuf_pop(&lb, &line, &len), -E2BIG);
    /* Sticky: the connection is to be closed, later lines are not handed out. */
    assert_int_equal(g2d_linebuf_pop(&lb, &line, &len), -E2BIG);
    assert_int_equal(feed(&lb, "x\n"), -E2BIG);
    g2d_linebuf_done(&lb);
}

static void test_linebuf_overlong_incomplete(void **state)
{
    struct g2d_linebuf lb;
    const char *line;
    size_t len;

    g2d_linebuf_init(&lb, 8);
    assert_int_equal(feed(&lb, "12345678\r"), 0);
    expect_line(&lb, NULL); /* could still be a CRLF-terminated 8-byte line */
    assert_int_equal(feed(&lb, "9"), 0);
    assert_int_equal(g2d_linebuf_pop(&lb, &line, &len), -E2BIG);
    g2d_linebuf_done(&lb);
}

static void test_linebuf_ceiling(void **state)
{
    struct g2d_linebuf lb;
    char big[40];

    memset(big, 'x', sizeof(big));
    g2d_linebuf_init(&lb, 8);
    /* The buffer holds at most 2 * 8 + 2 bytes: a chunk beyond that is refused. */
    assert_int_equal(g2d_linebuf_feed(&lb, big, sizeof(big)), -E2BIG);
    assert_int_equal(g2d_linebuf_pending(&lb), 0);
    g2d_linebuf_done(&lb);
    g2d_linebuf_done(NULL);
}

static void test_cmd_names(void **state)
{
    enum g2d_ctl_cmd c;

    for (unsigned i = 0; i < G2D_CTL_NCMDS; i++) {
        assert_int_equal(g2d_ctl_cmd_lookup(g2d_ctl_cmd_name(i), &c), 0);
        assert_int_equal(c, i);
    }
    assert_int_equal(g2d_ctl_cmd_lookup("Status", &c), -ENOENT);
    assert_null(g2d_ctl_cmd_name(G2D_CTL_NCMDS));
    assert_false(g2d_ctl_cmd_mutating(G2D_CTL_STATUS));
    assert_false(g2d_ctl_cmd_mutating(G2D_CTL_RESULTS));
    assert_false(g2d_ctl_cmd_mutating(G2D_CTL_METRICS));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_SYNC));
    assert_false(g2d_ctl_cmd_mutating(G2D_CTL_PLAN));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_PAUSE));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_RESUME));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_RELOAD));
    assert_false(g2d_ctl_cmd_mutating(G2D_CTL_HEALTH));
    assert_string_equal(g2d_ctl_cmd_name(G2D_CTL_HEALTH), "health");
    assert_false(g2d_ctl_cmd_mutating(G2D_CTL_HELD));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_APPROVE));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_REJECT));
    assert_true(g2d_ctl_cmd_mutating(G2D_CTL_RESTORE));
}

static int parse(const char *s, struct g2d_ctl_request *req, struct g2d_error *err)
{
    return g2d_ctl_parse_request(s, strlen(s), req, err);
}

static void test_parse_ok(void **state)
{
    struct g2d_ctl_request req;
    struct g2d_error err = {0};

    assert_int_equal(parse("{\"v\":1,\"id\":42,\"cmd\":\"status\"}", &req, &err), 0);
    assert_int_equal(req.id, 42);
    assert_int_equal(req.cmd, G2D_CTL_STATUS);
    assert_true(json_is_object(req.args));
    assert_null(req.error_code);
    g2d_ctl_request_done(&req);
    assert_null(req.args);

    assert_int_equal(
        parse("{\"cmd\":\"sync\",\"args\":{\"wait\":true,\"full\":false},\"v\":1,\"id\":-3}", &req,
              &err),
        0);
    assert_int_equal(req.id, -3);
    assert_int_equal(req.cmd, G2D_CTL_SYNC);
    assert_true(req.wait);
    assert_false(req.full);
    assert_true(json_is_true(json_object_get(req.args, "wait")));
    g2d_ctl_request_done(&req);

    assert_int_equal(parse("{\"v\":1,\"cmd\":\"results\",\"args\":{\"limit\":7}}", &req, &err), 0);
    assert_int_equal(req.id, G2D_CTL_ID_NONE);
    assert_int_equal(req.limit, 7);
    g2d_ctl_request_done(&req);

    assert_int_equal(parse("{\"v\":1,\"id\":1,\"cmd\":\"results\",\"args\":null}", &req, &err), 0);
    assert_int_equal(req.limit, G2D_CTL_RESULTS_DEFAULT);
    assert_false(req.failed);
    assert_int_equal(req.cycle, 0);
    g2d_ctl_request_done(&req);
}

/* The filters of "results" and the thresholds of "health" (added after version 1 shipped:
 * requests without them keep their meaning). */
static void test_parse_filters(void **state)
{
    struct g2d_ctl_request req;
    struct g2d_error err = {0};

    assert_int_equal(
        parse("{\"v\":1,\"cmd\":\"results\",\"args\":{\"failed\":true,\"cycle\":12,\"limit\":3}}",
              &req, &err),
        0);
    assert_true(req.failed);
    assert_int_equal(req.cycle, 12);
    assert_int_equal(req.limit, 3);
    g2d_ctl_request_done(&req);

    assert_int_equal(parse("{\"v\":1,\"cmd\":\"health\"}", &req, &err), 0);
    assert_int_equal(req.cmd, G2D_CTL_HEALTH);
    assert_int_equal(req.max_age_s, -1);
    assert_int_equal(req.max_running_s, -1);
    g2d_ctl_request_done(&req);

    assert_int_equal(
        parse("{\"v\":1,\"cmd\":\"health\",\"args\":{\"max_age\":600,\"max_running\":60}}", &req,
              &err),
        0);
    assert_int_equal(req.max_age_s, 600);
    assert_int_equal(req.max_running_s, 60);
    g2d_ctl_request_done(&req);

    assert_true(parse("{\"v\":1,\"cmd\":\"results\",\"args\":{\"cycle\":0}}", &req, &err) < 0);
    assert_string_equal(req.error_code, G2D_CTL_E_BAD_REQUEST);
    assert_non_null(strstr(err.msg, "'cycle'"));
    assert_true(parse("{\"v\":1,\"cmd\":\"results\",\"args\":{\"failed\":1}}", &req, &err) < 0);
    assert_non_null(strstr(err.msg, "boolean"));
    assert_true(parse("{\"v\":1,\"cmd\":\"health\",\"args\":{\"max_age\":0}}", &req, &err) < 0);
    assert_true(parse("{\"v\":1,\"cmd\":\"health\",\"args\":{\"max_age\":\"1h\"}}", &req, &err) <
                0);
    assert_true(parse("{\"v\":1,\"cmd\":\"health\",\"args\":{\"limit\":1}}", &req, &err) < 0);
    assert_non_null(strstr(err.msg, "unknown argument 'limit' for command 'health'"));
    assert_true(parse("{\"v\":1,\"cmd\":\"status\",\"args\":{\"failed\":true}}", &req, &err) < 0);
}

/* Parse @p s expecting failure with @p code; return the id that was read. */
static int64_t parse_fail(const char *s, const char *code)
{
    struct g2d_ctl_request req;
    struct g2d_error err = {0};

    assert_true(parse(s, &req, &err) < 0);
    assert_non_null(req.error_code);
    assert_string_equal(req.error_code, code);
    assert_null(req.args);
    assert_true(err.msg[0] != '\0');
    g2d_ctl_request_done(&req);
    return req.id;
}

static void test_parse_errors(void **state)
{
    assert_int_equal(parse_fail("{\"v\":1,\"id\":", G2D_CTL_E_BAD_REQUEST), G2D_CTL_ID_NONE);
    assert_int_equal(parse_fail("not json", G2D_CTL_E_BAD_REQUEST), G2D_CTL_ID_NONE);
    assert_int_equal(parse_fail("[1,2]", G2D_CTL_E_BAD_REQUEST), G2D_CTL_ID_NONE);
    assert_int_equal(parse_fail("{\"v\":1,\"id\":\"x\",\"cmd\":\"status\"}", G2D_CTL_E_BAD_REQUEST),
                     G2D_CTL_ID_NONE);
    /* Ids are echoed even when something later is wrong. */
    assert_int_equal(parse_fail("{\"v\":2,\"id\":5,\"cmd\":\"status\"}", G2D_CTL_E_VERSION), 5);
    assert_int_equal(parse_fail("{\"id\":6,\"cmd\":\"status\"}", G2D_CTL_E_VERSION), 6);
    assert_int_equal(parse_fail("{\"v\":\"1\",\"id\":7,\"cmd\":\"status\"}", G2D_CTL_E_VERSION), 7);
    assert_int_equal(parse_fail("{\"v\":1,\"id\":8,\"cmd\":\"reboot\"}", G2D_CTL_E_UNKNOWN_COMMAND),
                     8);
    assert_int_equal(parse_fail("{\"v\":1,\"id\":9}", G2D_CTL_E_BAD_REQUEST), 9);
    assert_int_equal(
        parse_fail("{\"v\":1,\"id\":10,\"cmd\":\"sync\",\"args\":[]}", G2D_CTL_E_BAD_REQUEST), 10);
    assert_int_equal(parse_fail("{\"v\":1,\"id\":11,\"cmd\":\"sync\",\"args\":{\"wait\":1}}",
                                G2D_CTL_E_BAD_REQUEST),
                     11);
    assert_int_equal(parse_fail("{\"v\":1,\"id\":12,\"cmd\":\"sync\",\"args\":{\"limit\":1}}",
                                G2D_CTL_E_BAD_REQUEST),
                     12);
    assert_int_equal(parse_fail("{\"v\":1,\"id\":13,\"cmd\":\"results\",\"args\":{\"limit\":0}}",
                                G2D_CTL_E_BAD_REQUEST),
                     13);
    assert_int_equal(
        parse_fail("{\"v\":1,\"id\":14,\"cmd\":\"results\",\"args\":{\"limit\":10001}}",
                   G2D_CTL_E_BAD_REQUEST),
        14);
    assert_int_equal(
        parse_fail("{\"v\":1,\"id\":15,\"v\":1,\"cmd\":\"status\"}", G2D_CTL_E_BAD_REQUEST),
        G2D_CTL_ID_NONE);
}

/* held, approve, reject, restore: their selectors. */
static void test_parse_held(void **state)
{
    struct g2d_ctl_request req;
    struct g2d_error err = {0};
    static const char *const bad[] = {
        "{\"v\":1,\"cmd\":\"approve\"}",
        "{\"v\":1,\"cmd\":\"approve\",\"args\":{}}",
        "{\"v\":1,\"cmd\":\"approve\",\"args\":{\"all\":true,\"type\":\"table\"}}",
        "{\"v\":1,\"cmd\":\"approve\",\"args\":{\"all\":false}}",
        "{\"v\":1,\"cmd\":\"reject\",\"args\":{\"ids\":[]}}",
        "{\"v\":1,\"cmd\":\"reject\",\"args\":{\"ids\":[\"xyz\"]}}",
        "{\"v\":1,\"cmd\":\"reject\",\"args\":{\"ids\":[\"12345678901234567\"]}}",
        "{\"v\":1,\"cmd\":\"reject\",\"args\":{\"ids\":\"ab\"}}",
        "{\"v\":1,\"cmd\":\"held\",\"args\":{\"type\":\"view\"}}",
        "{\"v\":1,\"cmd\":\"held\",\"args\":{\"scope\":\"\"}}",
        "{\"v\":1,\"cmd\":\"held\",\"args\":{\"ids\":[\"ab\"]}}",
        "{\"v\":1,\"cmd\":\"restore\"}",
        "{\"v\":1,\"cmd\":\"restore\",\"args\":{\"scope\":\"db\",\"name\":\"db\"}}",
        "{\"v\":1,\"cmd\":\"restore\",\"args\":{\"name\":\"a\\u0000b\"}}",
    };

    assert_int_equal(parse("{\"v\":1,\"cmd\":\"held\"}", &req, &err), 0);
    assert_int_equal(req.types, 0);
    assert_null(req.scope);
    g2d_ctl_request_done(&req);
    assert_int_equal(
        parse("{\"v\":1,\"cmd\":\"approve\",\"args\":{\"type\":\"partition\",\"scope\":"
              "\"db.t\",\"ids\":[\"00ff\",\"0123456789ABCDEF\"]}}",
              &req, &err),
        0);
    assert_int_equal(req.types, 1u << 2);
    assert_string_equal(req.scope, "db.t");
    assert_int_equal(json_array_size(req.ids), 2);
    g2d_ctl_request_done(&req);
    assert_int_equal(parse("{\"v\":1,\"cmd\":\"reject\",\"args\":{\"all\":true}}", &req, &err), 0);
    assert_true(req.all);
    g2d_ctl_request_done(&req);
    assert_int_equal(
        parse("{\"v\":1,\"cmd\":\"restore\",\"args\":{\"name\":\"db.t\",\"type\":\"table\"}}", &req,
              &err),
        0);
    assert_string_equal(req.name, "db.t");
    g2d_ctl_request_done(&req);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &req, &err) == 0)
            fail_msg("accepted: %s", bad[i]);
        assert_string_equal(req.error_code, G2D_CTL_E_BAD_REQUEST);
        assert_null(req.args);
        assert_null(req.scope);
    }
}

static void test_reply_ok(void **state)
{
    json_t *res = json_pack("{s:s, s:i}", "state", "idle\nwith newline", "n", 3);
    char *line = g2d_ctl_reply_ok(77, res);
    struct g2d_ctl_reply rep;
    size_t len;

    assert_non_null(line);
    len = strlen(line);
    assert_true(len > 1);
    assert_int_equal(line[len - 1], '\n');
    /* Exactly one line: no raw newline before the terminator. */
    assert_null(memchr(line, '\n', len - 1));
    assert_string_equal(line, "{\"v\":1,\"id\":77,\"ok\":true,\"result\":{\"state\":\"idle\\nwith "
                              "newline\",\"n\":3}}\n");
    assert_int_equal(g2d_ctl_parse_reply(line, len - 1, &rep, NULL), 0);
    assert_true(rep.ok);
    assert_int_equal(rep.id, 77);
    assert_int_equal(json_integer_value(json_object_get(rep.result, "n")), 3);
    g2d_ctl_reply_done(&rep);
    free(line);

    line = g2d_ctl_reply_ok(G2D_CTL_ID_NONE, NULL);
    assert_string_equal(line, "{\"v\":1,\"id\":null,\"ok\":true,\"result\":{}}\n");
    free(line);
}

static void test_reply_error(void **state)
{
    char *line = g2d_ctl_reply_error(3, G2D_CTL_E_CONFIG_INVALID, "a.yaml:3:7: bad\nvalue");
    struct g2d_ctl_reply rep;

    assert_string_equal(line,
                        "{\"v\":1,\"id\":3,\"ok\":false,\"error\":{\"code\":\"config_invalid\","
                        "\"message\":\"a.yaml:3:7: bad\\nvalue\"}}\n");
    assert_int_equal(g2d_ctl_parse_reply(line, strlen(line), &rep, NULL), 0);
    assert_false(rep.ok);
    assert_int_equal(rep.id, 3);
    assert_string_equal(rep.code, "config_invalid");
    assert_string_equal(rep.message, "a.yaml:3:7: bad\nvalue");
    g2d_ctl_reply_done(&rep);
    free(line);

    /* Invalid UTF-8 in a message is replaced, never makes the reply unparseable. */
    line = g2d_ctl_reply_error(G2D_CTL_ID_NONE, "bad_request", "x\xff\xc3(y\xe2\x82\xac");
    assert_non_null(line);
    assert_int_equal(g2d_ctl_parse_reply(line, strlen(line), &rep, NULL), 0);
    assert_int_equal(rep.id, G2D_CTL_ID_NONE);
    assert_string_equal(rep.message, "x?"
                                     "?(y\xe2\x82\xac");
    g2d_ctl_reply_done(&rep);
    free(line);
}

static void test_request_format_roundtrip(void **state)
{
    char *line = g2d_ctl_request_format(9, "sync", json_pack("{s:b}", "wait", 1));
    struct g2d_ctl_request req;

    assert_string_equal(line, "{\"v\":1,\"id\":9,\"cmd\":\"sync\",\"args\":{\"wait\":true}}\n");
    assert_int_equal(g2d_ctl_parse_request(line, strlen(line) - 1, &req, NULL), 0);
    assert_int_equal(req.id, 9);
    assert_int_equal(req.cmd, G2D_CTL_SYNC);
    assert_true(req.wait);
    g2d_ctl_request_done(&req);
    free(line);
}

static void test_parse_reply_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "{}",
        "{\"v\":2,\"id\":1,\"ok\":true,\"result\":{}}",
        "{\"v\":1,\"id\":1,\"ok\":1,\"result\":{}}",
        "{\"v\":1,\"id\":1,\"ok\":true}",
        "{\"v\":1,\"id\":1,\"ok\":false,\"error\":{\"code\":1,\"message\":\"m\"}}",
        "{\"v\":1,\"id\":\"1\",\"ok\":true,\"result\":{}}",
    };
    struct g2d_ctl_reply rep;
    struct g2d_error err = {0};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(g2d_ctl_parse_reply(bad[i], strlen(bad[i]), &rep, &err), -EPROTO);
        assert_null(rep.root);
    }
    g2d_ctl_reply_done(NULL);
}

/* Text that may not be UTF-8 becomes a JSON string with '?' for each byte outside a valid
 * sequence; valid sequences around them are kept (the one strict validator decides). */
static void test_json_string(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"a\xffz", "a?z"},
        {"a\xc3", "a?"},
        /* Overlong '/', a surrogate, above U+10FFFF: refused byte by byte, the é kept (the
         * former lax check let these through and then turned every non-ASCII byte to '?'). */
        {"\xc3\xa9\xc0\xaf", "\xc3\xa9?\x3f"},
        {"\xc3\xa9\xed\xa0\x80", "\xc3\xa9?\x3f?"},
        {"\xf4\x90\x80\x80\xc3\xa9", "?\x3f?\x3f\xc3\xa9"},
        {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *j = g2d_ctl_json_string(cases[i].in);

        assert_non_null(j);
        assert_string_equal(json_string_value(j), cases[i].out);
        json_decref(j);
    }
    {
        json_t *j = g2d_ctl_json_string(NULL);

        assert_string_equal(json_string_value(j), "");
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linebuf_split_across_chunks),
        cmocka_unit_test(test_linebuf_byte_by_byte),
        cmocka_unit_test(test_linebuf_crlf_and_empty),
        cmocka_unit_test(test_linebuf_overlong_complete),
        cmocka_unit_test(test_linebuf_overlong_incomplete),
        cmocka_unit_test(test_linebuf_ceiling),
        cmocka_unit_test(test_cmd_names),
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_filters),
        cmocka_unit_test(test_parse_held),
        cmocka_unit_test(test_reply_ok),
        cmocka_unit_test(test_reply_error),
        cmocka_unit_test(test_request_format_roundtrip),
        cmocka_unit_test(test_parse_reply_malformed),
        cmocka_unit_test(test_json_string),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
