/* SPDX-License-Identifier: MIT */
/* Unit tests for the health check (daemon/health.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"

#define MIN_MS (60u * 1000u)
#define H_MS (60u * MIN_MS)

/* Up 10 h, 5 min interval, 30 s jitter, default thresholds; the last cycle 7 was good and
 * finished 2 minutes ago. */
static struct g2d_cycle_stats good = {.cycle_id = 7, .seen = 10};

static struct health_input base(void)
{
    struct health_input in = {
        .now_ms = 10 * H_MS,
        .started_ms = 1000,
        .last = &good,
        .last_done_ms = 10 * H_MS - 2 * MIN_MS,
        .last_ok_ms = 10 * H_MS - 2 * MIN_MS,
        .last_ok_id = 7,
        .interval_ms = 5 * MIN_MS,
        .jitter_ms = 30000,
        .max_age_s = -1,
        .max_running_s = -1,
    };
    return in;
}

static bool healthy(const struct health_input *in, char *msg, size_t n)
{
    json_t *j = health_json(in);
    bool h;

    assert_non_null(j);
    h = json_is_true(json_object_get(j, "healthy"));
    snprintf(msg, n, "%s", json_string_value(json_object_get(j, "message")));
    assert_int_equal(json_array_size(json_object_get(j, "problems")) == 0, h);
    json_decref(j);
    return h;
}

static void test_defaults(void **state)
{
    struct health_input in = base();
    json_t *j;

    assert_int_equal(health_default_max_running_s(5 * MIN_MS), 3600);
    assert_int_equal(health_default_max_running_s(2 * H_MS), 4 * 7200);
    j = health_json(&in);
    assert_int_equal(json_integer_value(json_object_get(j, "max_running_s")), 3600);
    /* 2 × (300 + 30) + 3600 */
    assert_int_equal(json_integer_value(json_object_get(j, "max_age_s")), 4260);
    assert_int_equal(json_integer_value(json_object_get(j, "last_ok_age_s")), 120);
    assert_true(json_is_null(json_object_get(j, "running_s")));
    json_decref(j);
    in.max_age_s = 100;
    in.max_running_s = 50;
    j = health_json(&in);
    assert_int_equal(json_integer_value(json_object_get(j, "max_running_s")), 50);
    assert_int_equal(json_integer_value(json_object_get(j, "max_age_s")), 100);
    json_decref(j);
}

static void test_ok(void **state)
{
    struct health_input in = base();
    char msg[512];

    assert_true(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "last cycle 7 ok 2m00s ago; idle");
    in.running = true;
    in.running_since_ms = in.now_ms - 5000;
    in.running_cycle_id = 8;
    assert_true(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "last cycle 7 ok 2m00s ago; cycle 8 running for 5s");
}

static void test_held_failed_cancelled(void **state)
{
    struct health_input in = base();
    struct g2d_cycle_stats st = good;
    char msg[512];

    st.held = 10;
    in.last = &st;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "last cycle 7: 10 deletes held by the delete guard; idle");
    st.held = 0;
    st.failed = 1;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "last cycle 7: 1 item failed; idle");
    st.failed = 0;
    st.status = -5;
    snprintf(st.error, sizeof(st.error), "Glue GetDatabases: AccessDenied");
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "last cycle 7 failed: Glue GetDatabases: AccessDenied; idle");
    st.status = 0;
    st.cancelled = true;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "cancelled"));
}

static void test_stale_and_stuck(void **state)
{
    struct health_input in = base();
    char msg[512];

    /* The last good cycle finished 2 h ago: more than 4260 s. */
    in.last_done_ms = in.last_ok_ms = in.now_ms - 2 * H_MS;
    in.paused = true;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "stale: last good cycle 7 finished 2h00m ago (max 1h11m); paused");
    in.max_age_s = 3 * 3600;
    assert_true(healthy(&in, msg, sizeof(msg)));

    in = base();
    in.running = true;
    in.running_since_ms = in.now_ms - 61 * MIN_MS;
    in.running_cycle_id = 8;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg,
                        "stuck: cycle 8 running for 1h01m (max 1h00m); cycle 8 running for 1h01m");
    in.max_running_s = 2 * 3600;
    assert_true(healthy(&in, msg, sizeof(msg)));
}

static void test_start_up(void **state)
{
    struct health_input in = base();
    char msg[512];

    /* Up 10 s, the first cycle running: healthy. */
    in.now_ms = 11000;
    in.last = NULL;
    in.last_ok_ms = 0;
    in.running = true;
    in.running_since_ms = 1000;
    in.running_cycle_id = 1;
    assert_true(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "no cycle finished yet (up 10s); cycle 1 running for 10s");
    /* Up 10 h and never a good cycle. */
    in.now_ms = 10 * H_MS;
    in.running = false;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "stale: no good cycle in the 9h59m since start-up (max 1h11m)"));
    /* Shutting down is never healthy. */
    in = base();
    in.stopping = true;
    assert_false(healthy(&in, msg, sizeof(msg)));
    assert_string_equal(msg, "the daemon is shutting down; stopping");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_held_failed_cancelled),
        cmocka_unit_test(test_stale_and_stuck),
        cmocka_unit_test(test_start_up),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
