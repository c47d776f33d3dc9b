/* SPDX-License-Identifier: MIT */
/* Unit tests for the daemon's renderings (daemon/render.h): STATUS= line, ETA,
 * cycle outcome and exit code, JSON objects of control replies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render.h"

static void expect_status(const struct status_info *si, const char *want)
{
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    assert_int_equal(status_line_format(&b, si), 0);
    assert_string_equal(g2d_buf_cstr(&b), want);
    g2d_buf_done(&b);
}

static void test_status_line(void **state)
{
    struct g2d_cycle_stats st = {0};
    struct status_info si = {0};

    si.next_in_ms = 3000;
    expect_status(&si, "idle; no cycle yet; next in 3s");
    st.cycle_id = 12;
    st.created = 3;
    si.last = &st;
    si.next_in_ms = 296001;
    expect_status(&si, "idle; last cycle 12 ok (3 created, 0 updated, 0 deleted, 0 failed); "
                       "next in 297s");
    st.failed = 2;
    st.held = 5;
    si.next_in_ms = -1;
    expect_status(&si, "idle; last cycle 12 partial (3 created, 0 updated, 0 deleted, 2 failed, "
                       "5 held)");
    si.paused = true;
    si.next_in_ms = 1000;
    st.status = -EACCES;
    snprintf(st.error, sizeof(st.error), "Glue GetDatabases: InvalidSignatureException");
    expect_status(&si, "paused; last cycle 12 failed: Glue GetDatabases: "
                       "InvalidSignatureException");
    si.paused = false;
    si.running = true;
    si.progress.phase = G2D_PHASE_EXTRACT;
    si.progress.cycle_id = 13;
    si.progress.databases_done = 40;
    si.progress.databases_total = 41;
    si.progress.tables_done = 100;
    si.progress.tables_total = 400;
    si.progress.items_seen = 812;
    si.progress.writes_done = 3;
    si.progress.writes_queued = 2;
    si.progress.started_ms = 1000000;
    si.now_ms = 1060000;
    si.glue_rps = 120.4;
    si.dlf_rps = 7.6;
    /* one database still being listed: the number of tables is not final */
    expect_status(&si, "cycle 13 extract: 40/41 databases, 100/400 tables, 812 items seen, "
                       "3 writes done, 2 queued, 120+8 req/s, ETA estimating");
    /* 100 of 400 tables in 60 s: 300 more take 180 s */
    si.progress.databases_done = 41;
    expect_status(&si, "cycle 13 extract: 41/41 databases, 100/400 tables, 812 items seen, "
                       "3 writes done, 2 queued, 120+8 req/s, ETA 180s");
    assert_int_equal(progress_eta_ms(&si.progress, si.now_ms), 180000);
    si.progress.tables_done = 0;
    assert_int_equal(progress_eta_ms(&si.progress, si.now_ms), -1);
    si.stopping = true;
    expect_status(&si, "stopping");
}

static void test_exit_code(void **state)
{
    struct g2d_cycle_stats st = {0};

    assert_int_equal(cycle_exit_code(&st), 0);
    assert_string_equal(cycle_outcome(&st), "ok");
    st.failed = 1;
    assert_int_equal(cycle_exit_code(&st), 1);
    st.failed = 0;
    st.status = -EPERM;
    assert_int_equal(cycle_exit_code(&st), 1);
    assert_string_equal(cycle_outcome(&st), "failed");
    st.status = 0;
    st.cancelled = true;
    assert_int_equal(cycle_exit_code(&st), 1);
    assert_string_equal(cycle_outcome(&st), "cancelled");
}

static void test_json_helpers(void **state)
{
    struct g2d_item_result it = {0};
    struct g2d_cycle_stats st = {0};
    json_t *j;
    char *s;

    it.type = G2D_ITEM_DATABASE;
    it.diff = G2D_DIFF_DLF_NEW;
    it.name = "sales";
    it.held = true;
    j = json_plan_item(&it);
    s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "{\"itemType\":\"database\",\"itemName\":\"sales\",\"diffResult\":"
                           "\"dlfNew\",\"held\":true}");
    free(s);
    json_decref(j);

    st.cycle_id = 4;
    st.started_ms = 10;
    st.finished_ms = 25;
    st.created = 2;
    j = json_cycle_stats(&st);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "duration_ms")), 15);
    assert_int_equal(json_integer_value(json_object_get(j, "created")), 2);
    assert_true(json_is_null(json_object_get(j, "error")));
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "ok");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_line),
        cmocka_unit_test(test_exit_code),
        cmocka_unit_test(test_json_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
