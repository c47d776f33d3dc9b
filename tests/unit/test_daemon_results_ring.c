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

    j = results_ring_json(&rr, &(struct results_filter){.limit = 2});
    items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "n")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "n")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
    json_decref(j);

    j = results_ring_json(&rr, &(struct results_filter){.limit = 100});
    assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
    json_decref(j);
    results_ring_done(&rr);
    results_ring_done(NULL);
}

/* The ids of the items of @p j, oldest first, as "a,b,c". */
static void item_names(json_t *j, char *out, size_t n)
{
    json_t *items = json_object_get(j, "items"), *it;
    size_t i, len = 0;

    out[0] = '\0';
    json_array_foreach(items, i, it)
    {
        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "",
                                json_string_value(json_object_get(it, "itemName")));
    }
}

static void test_results_filters(void **state)
{
    static const char *const lines[] = {
        "{\"cycleId\":1,\"itemName\":\"a\",\"isSuccess\":true}",
        "{\"cycleId\":1,\"itemName\":\"b\",\"isSuccess\":false}",
        "{\"cycleId\":2,\"itemName\":\"c\",\"isSuccess\":false,\"held\":true}",
        "{\"cycleId\":2,\"itemName\":\"d \\\"isSuccess\\\":false\",\"isSuccess\":true}",
        "{\"cycleId\":3,\"itemName\":\"e\",\"isSuccess\":false}",
        "{\"cycleId\":3,\"itemName\":\"f\",\"isSuccess\":true}",
    };
    struct results_ring rr;
    char names[128];
    json_t *j;

    assert_int_equal(results_ring_init(&rr, 10), 0);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        assert_int_equal(results_ring_push(&rr, lines[i], strlen(lines[i])), 0);

    j = results_ring_json(&rr, &(struct results_filter){.limit = 100, .failed = true});
    item_names(j, names, sizeof(names));
    assert_string_equal(names, "b,c,e");
    assert_int_equal(json_integer_value(json_object_get(j, "scanned")), 6);
    json_decref(j);

    /* The limit keeps the newest matches, still oldest first. */
    j = results_ring_json(&rr, &(struct results_filter){.limit = 2, .failed = true});
    item_names(j, names, sizeof(names));
    assert_string_equal(names, "c,e");
    json_decref(j);

    j = results_ring_json(&rr, &(struct results_filter){.limit = 100, .cycle = 2});
    item_names(j, names, sizeof(names));
    assert_string_equal(names, "c,d \"isSuccess\":false");
    json_decref(j);

    j = results_ring_json(&rr, &(struct results_filter){.limit = 100, .cycle = 3, .failed = true});
    item_names(j, names, sizeof(names));
    assert_string_equal(names, "e");
    json_decref(j);

    j = results_ring_json(&rr, &(struct results_filter){.limit = 100, .cycle = 9});
    assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 6);
    json_decref(j);

    j = results_ring_json(&rr, &(struct results_filter){.limit = 100});
    assert_null(json_object_get(j, "scanned"));
    json_decref(j);
    results_ring_done(&rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_ring),
        cmocka_unit_test(test_results_filters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
