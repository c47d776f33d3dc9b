/* SPDX-License-Identifier: MIT */
/* Unit tests for the daemon's log formatting (daemon/log.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log.h"

static void test_log_format(void **state)
{
    struct log_field f[] = {
        {"GLUE2DLF_CYCLE_ID", "12"},
        {"GLUE2DLF_ITEM_NAME", "db.my table"},
        {"GLUE2DLF_DATABASE", "it's"},
        {"GLUE2DLF_TABLE", NULL},
        {"OTHER", ""},
    };
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    assert_int_equal(
        log_format_line(&b, LOG_WARNING, "failed to create table 'x'\nsecond line", f, 5), 0);
    assert_string_equal(g2d_buf_cstr(&b),
                        "warning: failed to create table 'x'\\nsecond line cycle_id=12 "
                        "item_name='db.my table' database='it\\'s' other=''\n");
    g2d_buf_reset(&b);
    assert_int_equal(log_format_line(&b, LOG_ERR, "boom", NULL, 0), 0);
    assert_string_equal(g2d_buf_cstr(&b), "error: boom\n");
    g2d_buf_done(&b);

    assert_string_equal(log_prio_name(LOG_INFO), "info");
    assert_true(log_journal_stream_matches("8:12345", 8, 12345));
    assert_false(log_journal_stream_matches("8:12345", 8, 12346));
    assert_false(log_journal_stream_matches("8:12345x", 8, 12345));
    assert_false(log_journal_stream_matches("", 8, 12345));
    assert_false(log_journal_stream_matches(NULL, 8, 12345));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
