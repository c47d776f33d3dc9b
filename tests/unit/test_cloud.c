/* SPDX-License-Identifier: MIT */
/*
 * The cloud clients' answer readers: listing pages (list member, next token), DLF's
 * envelope, partition batch outcomes, and raw GetPartitions pages. A malformed answer is
 * an error naming the member, never an empty list or a success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cloud/answer.h"
#include "cloud/check.h"
#include "cloud/cloud.h"
#include "cloud/limits.h"

static int list(const char *body, const char *member, const char *tok, char *msg,
                struct g2d_api_result *res)
{
    int r;

    memset(res, 0, sizeof(*res));
    res->json = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(res->json);
    r = g2d_answer_list(res, member, tok, msg, 256);
    return r;
}

static void test_list_good(void **state)
{
    struct g2d_api_result res;
    char msg[256];

    assert_int_equal(list("{\"TableList\":[{\"Name\":\"a\"}],\"NextToken\":\"t2\"}", "TableList",
                          "NextToken", msg, &res),
                     0);
    assert_int_equal(json_array_size(res.list), 1);
    assert_string_equal(res.next_token, "t2");
    json_decref(res.json);
    assert_int_equal(list("{\"TableList\":[]}", "TableList", "NextToken", msg, &res), 0);
    assert_null(res.next_token);
    json_decref(res.json);
    assert_int_equal(
        list("{\"TableList\":[],\"NextToken\":null}", "TableList", "NextToken", msg, &res), 0);
    assert_null(res.next_token);
    json_decref(res.json);
    assert_int_equal(
        list("{\"Tables\":[],\"NextPageToken\":\"\"}", "Tables", "NextPageToken", msg, &res), 0);
    assert_null(res.next_token); /* DLF's "" is the end */
    json_decref(res.json);
}

static void test_list_malformed(void **state)
{
    static const struct {
        const char *body, *msg;
    } cases[] = {
        {"{}", "member 'TableList' missing"},
        {"{\"TableList\":null}", "member 'TableList' is null, not an array"},
        {"{\"TableList\":{}}", "member 'TableList' is an object, not an array"},
        {"{\"TableList\":\"x\"}", "member 'TableList' is a string, not an array"},
        {"{\"TableList\":[{},3]}", "TableList[1] is a number, not an object"},
        {"{\"TableList\":[],\"NextToken\":5}", "member 'NextToken' is a number, not a string"},
        {"[]", "the answer is not an object"},
    };
    struct g2d_api_result res;
    char msg[256];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(list(cases[i].body, "TableList", "NextToken", msg, &res), -1);
        assert_string_equal(msg, cases[i].msg);
        assert_null(res.list);
        json_decref(res.json);
    }
    /* duplicate keys never reach a reader: the parser refuses them */
    assert_null(json_loads("{\"TableList\":[{}],\"TableList\":[]}", JSON_REJECT_DUPLICATES, NULL));
}

static void test_dlf_envelope(void **state)
{
    static const struct {
        const char *body;
        int r;
        const char *msg;
    } cases[] = {
        {"{\"Success\":true,\"Code\":\"OK\"}", 0, NULL},
        {"{\"Code\":\"OK\"}", -1, "member 'Success' missing"},
        {"{\"Success\":false}", -1, "member 'Success' is false, not true"},
        {"{\"Success\":\"true\"}", -1, "member 'Success' is a string, not true"},
    };
    struct g2d_api_result res = {0};
    char msg[256];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        res.json = json_loads(cases[i].body, 0, NULL);
        assert_int_equal(g2d_answer_dlf_envelope(&res, msg, sizeof(msg)), cases[i].r);
        if (cases[i].msg)
            assert_string_equal(msg, cases[i].msg);
        json_decref(res.json);
    }
}

static void test_batch_outcomes(void **state)
{
    json_t *v1 = json_pack("[s]", "a"), *v2 = json_pack("[s]", "b"), *v3 = json_pack("[s]", "c");
    struct g2d_part_ref items[3] = {{v1, "{}"}, {v2, "{}"}, {v3, "{}"}};
    struct g2d_item_outcome out[3];
    char msg[256];
    json_t *a;

    /* no PartitionErrors: every item confirmed */
    a = json_loads("{\"Success\":true}", 0, NULL);
    assert_int_equal(g2d_dlf_batch_outcomes(a, items, 3, out, msg, sizeof(msg)), 0);
    assert_null(out[0].code);
    assert_null(out[2].code);
    json_decref(a);
    /* one item refused: its own code and message; the others confirmed */
    a = json_loads("{\"Success\":true,\"PartitionErrors\":[{\"PartitionValues\":[\"b\"],"
                   "\"ErrorDetail\":{\"Code\":\"InvalidObject\",\"Message\":\"bad column\"}}]}",
                   0, NULL);
    assert_int_equal(g2d_dlf_batch_outcomes(a, items, 3, out, msg, sizeof(msg)), 0);
    assert_null(out[0].code);
    assert_string_equal(out[1].code, "InvalidObject");
    assert_string_equal(out[1].message, "bad column");
    assert_null(out[2].code);
    json_decref(a);
    /* an entry naming values that were not sent: nobody else may count as done */
    a = json_loads("{\"Success\":true,\"PartitionErrors\":[{\"PartitionValues\":[\"zz\"],"
                   "\"ErrorDetail\":{\"Code\":\"InternalError\"}}]}",
                   0, NULL);
    assert_int_equal(g2d_dlf_batch_outcomes(a, items, 3, out, msg, sizeof(msg)), 0);
    assert_string_equal(out[0].code, "UnmatchedPartitionError");
    assert_string_equal(out[2].code, "UnmatchedPartitionError");
    json_decref(a);
    /* not the documented shape, or not a success: the whole batch fails */
    a = json_loads("{\"Success\":true,\"PartitionErrors\":{}}", 0, NULL);
    assert_int_equal(g2d_dlf_batch_outcomes(a, items, 3, out, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "member 'PartitionErrors' is not an array");
    json_decref(a);
    a = json_loads("{\"Success\":true,\"PartitionErrors\":[{\"PartitionValues\":\"b\"}]}", 0, NULL);
    assert_int_equal(g2d_dlf_batch_outcomes(a, items, 3, out, msg, sizeof(msg)), -1);
    json_decref(a);
    a = json_loads("{\"PartitionErrors\":[]}", 0, NULL);
    assert_int_equal(g2d_dlf_batch_outcomes(a, items, 3, out, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "member 'Success' missing");
    json_decref(a);
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
}

static int count_elem(const struct g2d_check_elem *e, void *arg)
{
    (*(int *)arg)++;
    return 0;
}

static void test_partitions_page(void **state)
{
    static const struct {
        const char *body;
        int r, n;
        const char *next, *msg;
    } cases[] = {
        {"{\"Partitions\":[{\"Values\":[\"a\"]},{\"Values\":[\"b\"]}],\"NextToken\":\"t\"}", 0, 2,
         "t", NULL},
        {"{\"Partitions\":[{\"Values\":[\"a\"]},{}]}", -EPROTO, 0, NULL, NULL},
        {"{\"Partitions\":[],\"Partitions\":[]}", -EPROTO, 0, NULL, NULL},
        {"{\"Partitions\":[],\"NextToken\":null}", 0, 0, NULL, NULL},
        {"{\"Partitions\":[]}", 0, 0, NULL, NULL},
        {"{}", -EPROTO, 0, NULL, "GetPartitions: member 'Partitions' missing"},
        {"{\"Partitions\":null}", -EPROTO, 0, NULL,
         "GetPartitions: member 'Partitions' is not a well-formed array"},
        {"{\"Partitions\":{}}", -EPROTO, 0, NULL,
         "GetPartitions: member 'Partitions' is not a well-formed array"},
        {"{\"Partitions\":[],\"NextToken\":7}", -EPROTO, 0, NULL,
         "GetPartitions: member 'NextToken' is not a string"},
        {"<html>", -EPROTO, 0, NULL, "GetPartitions: the answer is not a JSON object"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[200] = "", *next = NULL;
        int n = 0, r;

        r = g2d_glue_partitions_page(cases[i].body, strlen(cases[i].body), count_elem, &n, &next,
                                     msg, sizeof(msg));
        assert_int_equal(r, cases[i].r);
        if (r == 0) {
            assert_int_equal(n, cases[i].n);
            if (cases[i].next)
                assert_string_equal(next, cases[i].next);
            else
                assert_null(next);
        } else {
            if (cases[i].msg)
                assert_non_null(strstr(msg, "GetPartitions"));
            assert_true(msg[0] != '\0');
            assert_null(next);
        }
        free(next);
    }
}

static void test_limits(void **state)
{
    /* the limit the message names, below what was sent */
    assert_int_equal(g2d_limit_from_error("InvalidInput",
                                          "Too many entries in PartitionInputs: 100 (the limit "
                                          "is 50).",
                                          100),
                     50);
    assert_int_equal(
        g2d_limit_from_error("InvalidInput", "PageSize must be between 1 and 500.", 1000), 500);
    assert_int_equal(g2d_limit_from_error("ValidationException",
                                          "1 validation error detected: Value '2000' at "
                                          "'maxResults' failed to satisfy constraint: Member "
                                          "must have value less than or equal to 1000",
                                          2000),
                     1000);
    /* no number below: half */
    assert_int_equal(g2d_limit_from_error("InvalidParameter", "PageSize is too large", 1000), 500);
    /* not a size refusal */
    assert_int_equal(g2d_limit_from_error("InvalidObject", "Too many columns: 5000", 100), 0);
    assert_int_equal(g2d_limit_from_error("InvalidInput", "Values must be a list of strings.", 100),
                     0);
    assert_int_equal(g2d_limit_from_error("InvalidInput", "PageSize is too large", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_good),       cmocka_unit_test(test_list_malformed),
        cmocka_unit_test(test_dlf_envelope),    cmocka_unit_test(test_batch_outcomes),
        cmocka_unit_test(test_partitions_page), cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
