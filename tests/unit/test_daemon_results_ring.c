/* SPDX-License-Identifier: MIT */
/* Unit tests for the results ring (daemon/results_ring.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "results_ring.h"

static void test_results_ring(void **state)
{
    struct results_ring rr;
    json_t *j, *items;
    char line[64];

    assert_int_equal(results_ring_init(&rr, 3), 0);
    assert_null(results_ring_get(&rr, 0));
    for (int i = 1; i <= 5; i++) {
        snprintf(line, sizeof(line), "{\"n\":%d}", i);
        assert_int_equal(results_ring_push(&rr, line, strlen(line)), 0);
    }
    assert_int_equal(rr.count, 3);
    assert_int_equal(rr.total, 5);
    assert_string_equal(results_ring_get(&rr, 0), "{\"n\":3}");
    assert_string_equal(results_ring_get(&rr, 2), "{\"n\":5}");
    assert_null(results_ring_get(&rr, 3));

    j = results_ring_json(&rr, 2);
    items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "n")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "n")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
    json_decref(j);

    j = results_ring_json(&rr, 100);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
    json_decref(j);
    results_ring_done(&rr);
    results_ring_done(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_ring),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
