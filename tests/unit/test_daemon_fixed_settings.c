/* SPDX-License-Identifier: MIT */
/* Unit tests for the settings fixed at start-up and the reload's restart decision
 * (daemon/fixed_settings.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glue2dlf/config_defaults.h"

#include "fixed_settings.h"

static void base_config(struct g2d_config *c)
{
    memset(c, 0, sizeof(*c));
    c->control_socket = "/run/g2d/ctl.sock";
    c->control_mode = 0660;
    c->log_target = G2D_LOG_AUTO;
    c->ca_file = NULL;
    c->connect_timeout_ms = 10000;
    c->request_timeout_ms = 120000;
    c->max_attempts = 6;
    c->max_response_bytes = 256u << 20;
}

/* The keys fixed_settings_changes() reports for @p next, joined with ",". */
static void expect_changes(const struct fixed_settings *fs, const struct g2d_config *next,
                           const char *want)
{
    json_t *keys = json_array();
    char got[256] = "";

    assert_non_null(keys);
    assert_int_equal(fixed_settings_changes(fs, next, keys), 0);
    for (size_t i = 0; i < json_array_size(keys); i++) {
        if (i)
            strcat(got, ",");
        strcat(got, json_string_value(json_array_get(keys, i)));
    }
    assert_string_equal(got, want);
    json_decref(keys);
}

static void test_capture(void **state)
{
    struct g2d_config c;
    struct fixed_settings fs;

    base_config(&c);
    c.ca_file = "/etc/ca.pem";
    assert_int_equal(fixed_settings_capture(&fs, &c, NULL), 0);
    assert_string_equal(fs.socket_path, "/run/g2d/ctl.sock");
    assert_ptr_not_equal(fs.socket_path, c.control_socket); /* a copy */
    assert_false(fs.socket_override);
    assert_int_equal(fs.socket_mode, 0660);
    /* The restart keys are copied from the start-up config, nothing else is. */
    assert_non_null(fs.keys);
    assert_string_equal(fs.keys->ca_file, "/etc/ca.pem");
    assert_ptr_not_equal(fs.keys->ca_file, c.ca_file);
    assert_string_equal(fs.keys->control_socket, "/run/g2d/ctl.sock");
    assert_int_equal(fs.keys->max_attempts, 6);
    assert_int_equal(fs.keys->connect_timeout_ms, 10000);
    assert_int_equal(fs.keys->dlf.batch_size, 0);
    assert_null(fs.keys->dlf.region);
    fixed_settings_done(&fs);
    assert_null(fs.socket_path);
    assert_null(fs.keys);
    fixed_settings_done(&fs); /* zeroed: harmless */

    /* --socket wins; no socket and no mode in the config: the defaults. */
    assert_int_equal(fixed_settings_capture(&fs, &c, "/tmp/x.sock"), 0);
    assert_string_equal(fs.socket_path, "/tmp/x.sock");
    assert_true(fs.socket_override);
    fixed_settings_done(&fs);
    c.control_socket = NULL;
    c.control_mode = 0;
    assert_int_equal(fixed_settings_capture(&fs, &c, NULL), 0);
    assert_string_equal(fs.socket_path, G2D_DEFAULT_CONTROL_SOCKET);
    assert_int_equal(fs.socket_mode, 0660);
    fixed_settings_done(&fs);
}

static void test_changes(void **state)
{
    struct g2d_config c, n;
    struct fixed_settings fs;
    char same[] = "/run/g2d/ctl.sock";

    base_config(&c);
    assert_int_equal(fixed_settings_capture(&fs, &c, NULL), 0);
    base_config(&n);
    expect_changes(&fs, &n, "");
    /* Equal strings at other addresses are no change. */
    n.control_socket = same;
    expect_changes(&fs, &n, "");

    n.control_socket = "/run/other.sock";
    n.control_mode = 0600;
    n.log_target = G2D_LOG_STDERR;
    n.ca_file = "/etc/ca.pem";
    n.connect_timeout_ms = 1;
    n.request_timeout_ms = 2;
    n.max_response_bytes = 3;
    n.max_attempts = 4;
    expect_changes(&fs, &n,
                   "http.ca_file,http.connect_timeout,http.timeout,http.max_attempts,"
                   "http.max_response_size,control.socket,control.mode,log.target");

    /* What a reload applies (or the sync engine rebuilds for) needs no restart. */
    base_config(&n);
    n.log_level = 7;
    n.dlf.batch_size = 5;
    n.dlf.catalog_id = "other";
    n.interval_ms = 1000;
    n.result_path = "/tmp/r.jsonl";
    expect_changes(&fs, &n, "");
    /* Each restart key alone. */
    n.request_timeout_ms = 1;
    expect_changes(&fs, &n, "http.timeout");
    base_config(&n);
    n.control_mode = 0600;
    expect_changes(&fs, &n, "control.mode");
    /* Unset and empty are the same. */
    base_config(&n);
    n.ca_file = "";
    expect_changes(&fs, &n, "");

    /* Only the permission bits of the mode count. */
    base_config(&n);
    n.control_mode = 0660 | 0140000;
    expect_changes(&fs, &n, "");
    fixed_settings_done(&fs);

    /* Under --socket the configured socket does not apply, so its change needs nothing. */
    assert_int_equal(fixed_settings_capture(&fs, &c, "/tmp/x.sock"), 0);
    base_config(&n);
    n.control_socket = "/run/other.sock";
    expect_changes(&fs, &n, "");
    n.ca_file = "/etc/ca.pem";
    expect_changes(&fs, &n, "http.ca_file");
    fixed_settings_done(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture),
        cmocka_unit_test(test_changes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
