/* SPDX-License-Identifier: MIT */
/* Unit tests for the daemon's metrics (daemon/metrics.h): counting, Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>

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
    x.now_s = 10;
    x.snapshot_items = 42;
    x.paused = true;
    x.held[0] = 3;
    x.held[2] = 1;
    assert_int_equal(metrics_render(&b, &m, &x), 0);
    t = g2d_buf_cstr(&b);
    assert_non_null(strstr(t, "# TYPE glue2dlf_cycles_total counter\n"
                              "glue2dlf_cycles_total{outcome=\"ok\"} 1\n"
                              "glue2dlf_cycles_total{outcome=\"partial\"} 0\n"));
    assert_non_null(strstr(t, "# TYPE glue2dlf_build_info gauge\nglue2dlf_build_info{version=\""));
    /* The replication lag: now (10 s) minus the start (1 s) of the last clean cycle. */
    assert_non_null(strstr(t, "glue2dlf_replication_lag_seconds 9\n"));
    assert_non_null(strstr(t, "glue2dlf_cycle_phase{phase=\"idle\"} 1\n"));
    assert_non_null(strstr(t, "\nprocess_cpu_seconds_total "));
    assert_non_null(strstr(t, "\nprocess_open_fds "));
    assert_null(strstr(t, "# EOF"));
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
    assert_non_null(strstr(t, "glue2dlf_held_delete_records{state=\"held\"} 3\n"));
    assert_non_null(strstr(t, "glue2dlf_held_delete_records{state=\"approved\"} 0\n"));
    assert_non_null(strstr(t, "glue2dlf_held_delete_records{state=\"rejected\"} 1\n"));
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
    assert_null(strstr(t, "glue2dlf_http_api_")); /* no operation seen yet */
    g2d_buf_done(&b);
}

/* Per-operation families, the histogram, OpenMetrics and the text-file variant. */
static void test_metrics_apis(void **state)
{
    struct metrics m = {0};
    struct g2d_http_stats gs = {0}, ds = {0};
    struct g2d_http_api_stats a = {0};
    struct metrics_extra x = {0};
    struct g2d_progress p = {0};
    struct g2d_buf b;
    const char *t;

    (void)state;
    snprintf(a.name, sizeof(a.name), "GetPartitions");
    a.requests_ok = 5;
    a.requests_failed = 1;
    a.throttled = 2;
    a.answers[G2D_HTTP_CLASS_2XX][G2D_HTTP_CODE_NONE] = 5;
    a.answers[G2D_HTTP_CLASS_4XX][G2D_HTTP_CODE_THROTTLING] = 2;
    a.latency[0] = 3;                            /* <= 5 ms */
    a.latency[4] = 3;                            /* <= 100 ms */
    a.latency[G2D_HTTP_LATENCY_BUCKETS - 1] = 1; /* over 10 s */
    a.latency_sum = 12.5;
    gs.apis = &a;
    gs.napis = 1;
    x.glue = &gs;
    x.dlf = &ds;
    p.phase = G2D_PHASE_LOAD;
    p.tables_done = 3;
    p.tables_total = 7;
    x.progress = &p;
    g2d_buf_init(&b, 0);
    assert_int_equal(metrics_render(&b, &m, &x), 0);
    t = g2d_buf_cstr(&b);
    assert_non_null(strstr(t,
                           "glue2dlf_http_api_requests_total{side=\"glue\",api=\"GetPartitions\","
                           "outcome=\"failed\"} 1\n"));
    assert_non_null(strstr(t, "glue2dlf_http_api_answers_total{side=\"glue\",api=\"GetPartitions\","
                              "status=\"4xx\",code=\"throttling\"} 2\n"));
    assert_null(strstr(t, "status=\"5xx\"")); /* zero series are left out */
    assert_non_null(strstr(t, "glue2dlf_http_api_throttled_total{side=\"glue\","
                              "api=\"GetPartitions\"} 2\n"));
    /* Buckets are cumulative; +Inf equals the count. */
    assert_non_null(strstr(t, "_bucket{side=\"glue\",api=\"GetPartitions\",le=\"0.005\"} 3\n"));
    assert_non_null(strstr(t, "_bucket{side=\"glue\",api=\"GetPartitions\",le=\"0.05\"} 3\n"));
    assert_non_null(strstr(t, "_bucket{side=\"glue\",api=\"GetPartitions\",le=\"0.1\"} 6\n"));
    assert_non_null(strstr(t, "_bucket{side=\"glue\",api=\"GetPartitions\",le=\"10\"} 6\n"));
    assert_non_null(strstr(t, "_bucket{side=\"glue\",api=\"GetPartitions\",le=\"+Inf\"} 7\n"));
    assert_non_null(strstr(t, "glue2dlf_http_attempt_duration_seconds_sum{side=\"glue\","
                              "api=\"GetPartitions\"} 12.500000\n"));
    assert_non_null(strstr(t, "glue2dlf_http_attempt_duration_seconds_count{side=\"glue\","
                              "api=\"GetPartitions\"} 7\n"));
    assert_non_null(strstr(t, "glue2dlf_cycle_phase{phase=\"load\"} 1\n"));
    assert_non_null(strstr(t, "glue2dlf_cycle_phase{phase=\"idle\"} 0\n"));
    assert_non_null(strstr(t, "glue2dlf_cycle_tables_total 7\n"));

    /* OpenMetrics: counter families without _total, info type, # EOF at the end. */
    g2d_buf_reset(&b);
    x.openmetrics = true;
    assert_int_equal(metrics_render(&b, &m, &x), 0);
    t = g2d_buf_cstr(&b);
    assert_non_null(strstr(t, "# TYPE glue2dlf_cycles counter\nglue2dlf_cycles_total{"));
    assert_non_null(strstr(t, "# TYPE glue2dlf_build info\nglue2dlf_build_info{"));
    assert_non_null(strstr(t, "# TYPE glue2dlf_http_attempt_duration_seconds histogram\n"));
    assert_int_equal(strcmp(t + strlen(t) - 6, "# EOF\n"), 0);

    /* The text file for node_exporter: no process_* families. */
    g2d_buf_reset(&b);
    x.openmetrics = false;
    x.textfile = true;
    assert_int_equal(metrics_render(&b, &m, &x), 0);
    t = g2d_buf_cstr(&b);
    assert_null(strstr(t, "process_"));
    assert_non_null(strstr(t, "glue2dlf_items_total"));
    g2d_buf_done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_metrics_apis),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
