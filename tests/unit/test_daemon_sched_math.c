/* SPDX-License-Identifier: MIT */
/* Unit tests for the schedule arithmetic (daemon/sched_math.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sched_math.h"

static void test_sched(void **state)
{
    /* On time: previous start + interval + jitter. */
    assert_int_equal(sched_next_start(1000, 5000, 60000, 0), 61000);
    assert_int_equal(sched_next_start(1000, 5000, 60000, 250), 61250);
    /* Overran: right after it finished, plus jitter. */
    assert_int_equal(sched_next_start(1000, 90000, 60000, 0), 90000);
    assert_int_equal(sched_next_start(1000, 90000, 60000, 7), 90007);
    /* Saturates instead of wrapping. */
    assert_int_equal(sched_next_start(UINT64_MAX - 5, 0, 100, 100), UINT64_MAX);

    assert_int_equal(sched_jitter(0, 12345), 0);
    assert_int_equal(sched_jitter(10, 21), 21 % 11);
    for (int i = 0; i < 1000; i++)
        assert_true(sched_jitter(30000, sched_random()) <= 30000);

    assert_false(sched_full_due(0, 1000, 0));
    assert_false(sched_full_due(1000, 1999, 1000));
    assert_true(sched_full_due(1000, 2000, 1000));
    assert_false(sched_full_due(5000, 1000, 1000)); /* clock before last: not due */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
