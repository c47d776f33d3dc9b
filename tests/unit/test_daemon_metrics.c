/* SPDX-License-Identifier: MIT */
/* Unit tests for the daemon's metrics (daemon/metrics.h): counting, Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static void test_metrics(void **state)
{
    struct metrics m = {0};
    struct g2d_item_result it = {0};
    struct g2d_cycle_stats st = {0};
    struct g2d_http_stats gs = {0}, ds = {0};
    struct metrics_extra x = {0};
    struct g2d_buf b;
    const char *t;

    it.type = G2D_ITEM_TABLE;
    it.diff = G2D_DIFF_GLUE_NEW;
    it.success = true;
    metrics_count_item(&m, &it);
    metrics_count_item(&m, &it);
    it.success = false;
    it.diff = G2D_DIFF_DLF_NEW;
    it.held = true;
    metrics_count_item(&m, &it);
    st.started_ms = 1000;
    st.finished_ms = 3500;
    st.glue_requests = 7;
    metrics_count_cycle(&m, &st);

    g2d_buf_init(&b, 0);
    x.snapshot_items = 42;
    x.paused = true;
    x.held[0] = 3;
    x.held[2] = 1;
    assert_int_equal(metrics_render(&b, &m, &x), 0);
    t = g2d_buf_cstr(&b);
    assert_non_null(strstr(t, "# TYPE glue2dlf_cycles_total counter\nglue2dlf_cycles_total 1\n"));
    assert_non_null(
        strstr(t, "glue2dlf_items_total{type=\"table\",diff=\"glueNew\",outcome=\"success\"} 2\n"));
    assert_non_null(
        strstr(t, "glue2dlf_items_total{type=\"table\",diff=\"dlfNew\",outcome=\"held\"} 1\n"));
    assert_non_null(strstr(
        t, "glue2dlf_items_total{type=\"partition\",diff=\"needUpdate\",outcome=\"failed\"} 0\n"));
    assert_non_null(strstr(t, "glue2dlf_last_cycle_duration_seconds 2.500\n"));
    assert_non_null(strstr(t, "glue2dlf_last_cycle_success_timestamp_seconds 3\n"));
    /* Without engine stats the request counter falls back to the cycle sums. */
    assert_non_null(strstr(t, "glue2dlf_http_requests_total{side=\"glue\"} 7\n"));
    assert_null(strstr(t, "glue2dlf_http_retries_total"));
    assert_non_null(strstr(t, "glue2dlf_snapshot_items 42\n"));
    assert_non_null(strstr(t, "glue2dlf_paused 1\n"));
    assert_non_null(strstr(t, "glue2dlf_held_deletes{state=\"held\"} 3\n"));
    assert_non_null(strstr(t, "glue2dlf_held_deletes{state=\"approved\"} 0\n"));
    assert_non_null(strstr(t, "glue2dlf_held_deletes{state=\"rejected\"} 1\n"));
    g2d_buf_reset(&b);

    gs.requests = 100;
    gs.retries = 4;
    ds.throttled = 9;
    x.glue = &gs;
    x.dlf = &ds;
    assert_int_equal(metrics_render(&b, &m, &x), 0);
    t = g2d_buf_cstr(&b);
    assert_non_null(strstr(t, "glue2dlf_http_requests_total{side=\"glue\"} 100\n"));
    assert_non_null(strstr(t, "glue2dlf_http_retries_total{side=\"glue\"} 4\n"));
    assert_non_null(strstr(t, "glue2dlf_http_throttled_total{side=\"dlf\"} 9\n"));
    g2d_buf_done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
