/* SPDX-License-Identifier: MIT */
/* Unit tests for what glue2dlfctl prints for a reply (ctl/output.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

struct captured {
    char *out, *err;
};

/* Print the reply @p json to command @p cmd, capturing both streams (caller frees). */
static struct captured run(const char *cmd, const char *json)
{
    struct captured c = {0};
    size_t no, ne;
    json_t *r = json_loads(json, 0, NULL);
    FILE *out = open_memstream(&c.out, &no), *err = open_memstream(&c.err, &ne);

    assert_non_null(r);
    assert_non_null(out);
    assert_non_null(err);
    output_reply(out, err, cmd, r);
    fclose(out);
    fclose(err);
    json_decref(r);
    return c;
}

static void done(struct captured *c)
{
    free(c->out);
    free(c->err);
}

static void test_duration(void **state)
{
    char b[32];

    output_duration(b, sizeof(b), 4200);
    assert_string_equal(b, "4.2s");
    output_duration(b, sizeof(b), 187000);
    assert_string_equal(b, "3m07s");
    output_duration(b, sizeof(b), 7509000);
    assert_string_equal(b, "2h05m09s");
}

static void test_sync_and_friends(void **state)
{
    struct captured c;

    c = run("sync", "{\"started\":true,\"cycle_id\":7}");
    assert_string_equal(c.out, "cycle 7 started\n");
    done(&c);
    c = run("sync", "{\"already_running\":true,\"cycle_id\":7}");
    assert_string_equal(c.out, "cycle 7 is already running\n");
    done(&c);
    c = run("sync", "{\"queued\":true}");
    assert_string_equal(c.out, "sync queued: it starts when the running plan finishes\n");
    done(&c);
    c = run("sync", "{\"cycle_id\":8,\"outcome\":\"partial\",\"status\":0,\"duration_ms\":1500,"
                    "\"seen\":10,\"unchanged\":5,\"created\":2,\"updated\":1,\"deleted\":0,"
                    "\"failed\":2,\"held\":0,\"dry_run\":true}");
    assert_string_equal(c.out, "cycle 8 partial (dry run) in 1.5s: 10 seen, 5 unchanged, 2 "
                               "created, 1 updated, 0 deleted, 2 failed, 0 held\n");
    done(&c);
    c = run("sync", "{\"cycle_id\":9,\"outcome\":\"failed\",\"status\":-13,\"duration_ms\":20,"
                    "\"error\":\"denied\"}");
    assert_string_equal(c.out, "cycle 9 failed after 0.0s: denied\n");
    done(&c);
    c = run("resume", "{\"paused\":false}");
    assert_string_equal(c.out, "resumed\n");
    assert_string_equal(c.err, "");
    done(&c);
    c = run("metrics", "{\"text\":\"glue2dlf_paused 0\\n\"}");
    assert_string_equal(c.out, "glue2dlf_paused 0\n");
    done(&c);
}

static void test_reload(void **state)
{
    struct captured c = run("reload", "{\"reloaded\":true,\"restart_required\":[\"http.timeout\"],"
                                      "\"warnings\":[\"cannot open result log 'x'\"]}");

    assert_string_equal(c.out, "configuration reloaded\n");
    assert_string_equal(c.err,
                        "glue2dlfctl: warning: a change to 'http.timeout' takes effect only after "
                        "a restart\nglue2dlfctl: warning: cannot open result log 'x'\n");
    done(&c);
}

static void test_plan_and_results(void **state)
{
    struct captured c;

    c = run("plan", "{\"items\":[{\"itemType\":\"table\",\"itemName\":\"db.t\",\"diffResult\":"
                    "\"glueNew\"},{\"itemType\":\"database\",\"itemName\":\"old\",\"diffResult\":"
                    "\"dlfNew\",\"held\":true}],\"total\":2,\"truncated\":true}");
    assert_string_equal(c.out, "glueNew    table     db.t\n"
                               "dlfNew     database  old  (held)\n");
    assert_string_equal(c.err, "plan: 1 to create, 0 to update, 0 to delete, 1 deletes held "
                               "(list truncated)\n");
    done(&c);
    c = run("results", "{\"items\":[{\"time\":\"T1\",\"diffResult\":\"needUpdate\",\"itemType\":"
                       "\"table\",\"itemName\":\"db.t\",\"isSuccess\":false,\"errorMsg\":\"boom\"},"
                       "{\"time\":\"T2\",\"diffResult\":\"glueNew\",\"itemType\":\"partition\","
                       "\"itemName\":\"p\",\"isSuccess\":true}],\"total\":2}");
    assert_string_equal(c.out, "T1 needUpdate table     db.t FAILED: boom\n"
                               "T2 glueNew    partition p ok\n");
    done(&c);
}

static void test_status(void **state)
{
    struct captured c =
        run("status", "{\"state\":\"running\",\"paused\":false,\"version\":\"1.0\",\"pid\":42,"
                      "\"config\":\"/etc/g.yaml\",\"uptime_s\":75,\"phase\":\"extract\","
                      "\"next_cycle_in_ms\":null,\"eta_ms\":null,"
                      "\"progress\":{\"cycle_id\":3,\"databases_done\":1,\"databases_total\":2,"
                      "\"tables_done\":5,\"tables_total\":9,\"items_seen\":12,\"writes_done\":4,"
                      "\"writes_queued\":1,\"snapshot_items\":100,\"snapshot_bytes\":1048576},"
                      "\"rates\":{\"glue_rps\":10.4,\"dlf_rps\":2.0},\"last_cycle\":null,"
                      "\"glue\":{\"requests\":7,\"retries\":1,\"throttled\":0,\"failures\":0,"
                      "\"in_flight\":2,\"queued\":0,\"concurrency\":8}}");

    assert_non_null(strstr(c.out, "state:          running\n"));
    assert_non_null(strstr(c.out, "uptime:         1m15s\n"));
    assert_non_null(strstr(c.out, "next cycle in:  -\n"));
    assert_non_null(strstr(c.out, "progress:       1/2 databases, 5/9 tables, 12 items seen, 4 "
                                  "writes done, 1 queued\n"));
    assert_non_null(strstr(c.out, "eta:            estimating\n"));
    assert_non_null(strstr(c.out, "request rate:   10/s Glue, 2/s DLF\n"));
    assert_non_null(strstr(c.out, "snapshot:       100 objects, 1.0 MiB\n"));
    assert_non_null(strstr(c.out, "last cycle:     -\n"));
    assert_non_null(strstr(c.out, "glue http:      7 requests, 1 retries, 0 throttled, 0 failed, "
                                  "2 in flight, 0 queued, concurrency 8\n"));
    assert_non_null(strstr(c.out, "dlf http:       n/a\n"));
    assert_null(strstr(c.out, "dry run:"));
    assert_string_equal(c.err, "");
    done(&c);
}

static int verdict(const char *cmd, const char *json)
{
    json_t *r = json_loads(json, 0, NULL);
    int v;

    assert_non_null(r);
    v = output_verdict(cmd, r);
    json_decref(r);
    return v;
}

static void test_verdict_and_health(void **state)
{
    struct captured c;

    assert_int_equal(verdict("sync", "{\"started\":true,\"cycle_id\":7}"), 0);
    assert_int_equal(verdict("sync", "{\"outcome\":\"ok\",\"status\":0,\"failed\":0,\"held\":0}"),
                     0);
    assert_int_equal(verdict("sync", "{\"outcome\":\"partial\",\"status\":0,\"failed\":2}"), 1);
    assert_int_equal(verdict("sync", "{\"outcome\":\"ok\",\"status\":0,\"held\":3}"), 1);
    assert_int_equal(verdict("sync", "{\"outcome\":\"failed\",\"status\":-5}"), 1);
    assert_int_equal(verdict("sync", "{\"outcome\":\"cancelled\",\"status\":0,\"cancelled\":true}"),
                     1);
    assert_int_equal(verdict("health", "{\"healthy\":true}"), 0);
    assert_int_equal(verdict("health", "{\"healthy\":false}"), 1);
    assert_int_equal(verdict("status", "{\"state\":\"idle\"}"), 0);

    c = run("health", "{\"healthy\":true,\"message\":\"last cycle 7 ok 2m00s ago; idle\","
                      "\"last_ok_age_s\":120,\"max_age_s\":4260,\"running_s\":null,"
                      "\"failed\":0,\"held\":0}");
    assert_string_equal(c.out, "GLUE2DLF OK - last cycle 7 ok 2m00s ago; idle | "
                               "last_ok_age=120s;4260 failed=0 held=0\n");
    done(&c);
    c = run("health", "{\"healthy\":false,\"message\":\"last cycle 7: 3 deletes held; idle\","
                      "\"last_ok_age_s\":null,\"running_s\":5,\"max_running_s\":3600,"
                      "\"failed\":0,\"held\":3}");
    assert_string_equal(c.out, "GLUE2DLF WARNING - last cycle 7: 3 deletes held; idle | "
                               "running=5s;3600 failed=0 held=3\n");
    done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration), cmocka_unit_test(test_sync_and_friends),
        cmocka_unit_test(test_reload),   cmocka_unit_test(test_plan_and_results),
        cmocka_unit_test(test_status),   cmocka_unit_test(test_verdict_and_health),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
