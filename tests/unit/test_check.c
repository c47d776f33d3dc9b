/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: every answer is checked against its operation's shape (lib/cloud/check.c).
 * Each case runs through both checkers, the DOM one (on a parse with
 * JSON_REJECT_DUPLICATES) and the raw one, which must return the same code and the same
 * message; a duplicate key never reaches the DOM checker (the parse refuses it), so there
 * only the raw one is asked.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "glue2dlf/jscan.h"

#include "cloud/check.h"
#include "../bench/bench_shape.h"

#define ENV "\"Success\":true,\"Code\":\"OK\",\"Message\":\"\",\"RequestId\":\"R-1\","

static const struct g2d_check_shape *shape(enum g2d_side side, const char *op)
{
    const struct g2d_check_shape *s = g2d_check_shape(side, op);

    assert_non_null(s);
    assert_string_equal(g2d_check_shape_name(s), op);
    return s;
}

/*
 * Check @p text (a whole answer) with both checkers: both must return @p rc and, when
 * @p msg is not NULL, say exactly @p msg. @p code: the fault's code expected for -EIO.
 */
static void expect(enum g2d_side side, const char *op, const char *text, int rc, const char *msg,
                   const char *code)
{
    const struct g2d_check_shape *s = shape(side, op);
    struct g2d_check_fault f1, f2;
    struct g2d_error e1 = {0}, e2 = {0};
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    int r;

    r = g2d_check_raw(s, text, strlen(text), NULL, NULL, NULL, &f2, &e2);
    if (r != rc || (msg && strcmp(e2.msg, msg)))
        fail_msg("raw %s: %s\n  got %d '%s'\n  want %d '%s'", op, text, r, e2.msg, rc,
                 msg ? msg : "");
    if (rc == -EIO)
        assert_string_equal(f2.code, code);
    if (!j) {
        /* only a duplicate key may make the parse fail here */
        assert_non_null(strstr(jerr.text, "duplicate"));
        return;
    }
    r = g2d_check_json(s, j, &f1, &e1);
    json_decref(j);
    if (r != rc || (msg && strcmp(e1.msg, msg)))
        fail_msg("dom %s: %s\n  got %d '%s'\n  want %d '%s'", op, text, r, e1.msg, rc,
                 msg ? msg : "");
    if (rc == -EIO) {
        assert_string_equal(f1.code, code);
        assert_string_equal(f1.message, f2.message);
    }
    if (rc)
        assert_string_equal(e1.msg, e2.msg);
}

/* The list operations: side, op, list member, a valid element, its identity member. */
static const struct listop {
    enum g2d_side side;
    const char *op, *list, *elem, *id, *token;
} listops[] = {
    {G2D_SIDE_GLUE, "GetDatabases", "DatabaseList", "{\"Name\":\"sales\"}", "Name", "NextToken"},
    {G2D_SIDE_GLUE, "GetTables", "TableList", "{\"Name\":\"orders\",\"DatabaseName\":\"sales\"}",
     "Name", "NextToken"},
    {G2D_SIDE_GLUE, "GetPartitions", "Partitions", "{\"Values\":[\"2024\",\"eu\"]}", "Values",
     "NextToken"},
    {G2D_SIDE_GLUE, "GetUserDefinedFunctions", "UserDefinedFunctions",
     "{\"FunctionName\":\"f\",\"ClassName\":\"x.F\"}", "FunctionName", "NextToken"},
    {G2D_SIDE_DLF, "ListDatabases", "Databases", "{\"Name\":\"sales\"}", "Name", "NextPageToken"},
    {G2D_SIDE_DLF, "ListTables", "Tables", "{\"TableName\":\"orders\"}", "TableName",
     "NextPageToken"},
    {G2D_SIDE_DLF, "ListFunctions", "Functions", "{\"FunctionName\":\"f\"}", "FunctionName",
     "NextPageToken"},
    {G2D_SIDE_DLF, "ListPartitions", "Partitions", "{\"Values\":[\"2024\"]}", "Values",
     "NextPageToken"},
};

/* An answer of @p side with @p inner as its members ("" for none). */
static char *answer(enum g2d_side side, const char *inner)
{
    static char buf[4][2048];
    static int k;
    char *b = buf[k++ % 4];

    if (side == G2D_SIDE_DLF)
        snprintf(b, 2048, "{" ENV "\"HttpStatusCode\":200%s%s}", *inner ? "," : "", inner);
    else
        snprintf(b, 2048, "{%s}", inner);
    return b;
}

static void test_lists(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(listops) / sizeof(listops[0]); i++) {
        const struct listop *o = &listops[i];
        char in[1024], msg[256];

        snprintf(in, sizeof(in), "\"%s\":[%s,%s],\"%s\":\"t1\"", o->list, o->elem, o->elem,
                 o->token);
        expect(o->side, o->op, answer(o->side, in), 0, NULL, NULL);
        snprintf(in, sizeof(in), "\"%s\":[],\"%s\":null", o->list, o->token);
        expect(o->side, o->op, answer(o->side, in), 0, NULL, NULL);
        snprintf(in, sizeof(in), "\"%s\":[%s], \"Unknown\":{\"x\":[1]}", o->list, o->elem);
        expect(o->side, o->op, answer(o->side, in), 0, NULL, NULL);
        /* the list: missing, null, of the wrong type */
        snprintf(msg, sizeof(msg), "%s: member '%s' missing", o->op, o->list);
        expect(o->side, o->op, answer(o->side, ""), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":\"t\"", o->token);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":null", o->list);
        snprintf(msg, sizeof(msg), "%s: member '%s' is null, not an array", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":{}", o->list);
        snprintf(msg, sizeof(msg), "%s: member '%s' is an object, not an array", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":\"[]\"", o->list);
        snprintf(msg, sizeof(msg), "%s: member '%s' is a string, not an array", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":0", o->list);
        snprintf(msg, sizeof(msg), "%s: member '%s' is a number, not an array", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        /* given twice, the second empty */
        snprintf(in, sizeof(in), "\"%s\":[%s],\"%s\":[]", o->list, o->elem, o->list);
        snprintf(msg, sizeof(msg), "%s: member '%s' given twice", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        /* elements of the wrong type, or without their identity */
        snprintf(in, sizeof(in), "\"%s\":[%s,%s,%s,\"x\"]", o->list, o->elem, o->elem, o->elem);
        snprintf(msg, sizeof(msg), "%s: %s[3] is a string, not an object", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":[null]", o->list);
        snprintf(msg, sizeof(msg), "%s: %s[0] is null, not an object", o->op, o->list);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":[%s,{\"x\":1}]", o->list, o->elem);
        snprintf(msg, sizeof(msg), "%s: %s[1] member '%s' missing", o->op, o->list, o->id);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":[{\"%s\":7}]", o->list, o->id);
        snprintf(msg, sizeof(msg), "%s: %s[0] member '%s' is a number, not %s", o->op, o->list,
                 o->id, strcmp(o->id, "Values") ? "a string" : "an array");
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        /* the page token */
        snprintf(in, sizeof(in), "\"%s\":[],\"%s\":5", o->list, o->token);
        snprintf(msg, sizeof(msg), "%s: member '%s' is a number, not a string", o->op, o->token);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":[],\"%s\":[\"a\"]", o->list, o->token);
        snprintf(msg, sizeof(msg), "%s: member '%s' is an array, not a string", o->op, o->token);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        snprintf(in, sizeof(in), "\"%s\":[],\"%s\":\"a\",\"%s\":\"\"", o->list, o->token, o->token);
        snprintf(msg, sizeof(msg), "%s: member '%s' given twice", o->op, o->token);
        expect(o->side, o->op, answer(o->side, in), -EPROTO, msg, NULL);
        /* not an object at all */
        snprintf(msg, sizeof(msg), "%s: response is an array, not an object", o->op);
        expect(o->side, o->op, "[]", -EPROTO, msg, NULL);
    }
}

static void test_partition_values(void **state)
{
    expect(G2D_SIDE_GLUE, "GetPartitions", "{\"Partitions\":[{\"Values\":[]}]}", 0, NULL, NULL);
    expect(G2D_SIDE_GLUE, "GetPartitions", "{\"Partitions\":[{\"Values\":[\"a\",3]}]}", -EPROTO,
           "GetPartitions: Partitions[0].Values[1] is a number, not a string", NULL);
    expect(G2D_SIDE_GLUE, "GetPartitions", "{\"Partitions\":[{\"Values\":{\"a\":\"b\"}}]}", -EPROTO,
           "GetPartitions: Partitions[0] member 'Values' is an object, not an array", NULL);
    expect(G2D_SIDE_GLUE, "GetPartitions", "{\"Partitions\":[{\"Values\":null}]}", -EPROTO,
           "GetPartitions: Partitions[0] member 'Values' is null, not an array", NULL);
    expect(G2D_SIDE_DLF, "ListPartitions",
           answer(G2D_SIDE_DLF, "\"Partitions\":[{\"Values\":[[\"a\"]]}]"), -EPROTO,
           "ListPartitions: Partitions[0].Values[0] is an array, not a string", NULL);
    /* PartitionSpecs: the daemon asks without shared SDs; none may come */
    expect(G2D_SIDE_DLF, "ListPartitions",
           answer(G2D_SIDE_DLF, "\"PartitionSpecs\":null,\"Partitions\":[]"), 0, NULL, NULL);
    expect(G2D_SIDE_DLF, "ListPartitions",
           answer(G2D_SIDE_DLF, "\"PartitionSpecs\":[],\"Partitions\":[]"), 0, NULL, NULL);
    expect(G2D_SIDE_DLF, "ListPartitions",
           answer(G2D_SIDE_DLF, "\"PartitionSpecs\":[{}],\"Partitions\":[]"), -EPROTO,
           "ListPartitions: member 'PartitionSpecs' is not empty", NULL);
    expect(G2D_SIDE_DLF, "ListPartitions",
           answer(G2D_SIDE_DLF, "\"PartitionSpecs\":{},\"Partitions\":[]"), -EPROTO,
           "ListPartitions: member 'PartitionSpecs' is an object, not an array", NULL);
}

/* Every operation in the table: its error documents, and (DLF) its envelope. */
static void test_error_documents(void **state)
{
    size_t i, n = g2d_check_nshapes();

    assert_true(n >= 30);
    assert_null(g2d_check_shape_at(n));
    assert_null(g2d_check_shape(G2D_SIDE_GLUE, "ListTables"));
    assert_null(g2d_check_shape(G2D_SIDE_DLF, "GetTables"));
    for (i = 0; i < n; i++) {
        const struct g2d_check_shape *s = g2d_check_shape_at(i);
        const char *op = g2d_check_shape_name(s);
        enum g2d_side side = g2d_check_shape(G2D_SIDE_GLUE, op) == s ? G2D_SIDE_GLUE : G2D_SIDE_DLF;
        char msg[256];

        assert_ptr_equal(g2d_check_shape(side, op), s);
        if (side == G2D_SIDE_GLUE) {
            snprintf(msg, sizeof(msg),
                     "%s: the answer is an error: ThrottlingException: Rate "
                     "exceeded",
                     op);
            expect(side, op,
                   "{\"__type\":\"com.amazonaws.glue#ThrottlingException:http://x\","
                   "\"message\":\"Rate exceeded\"}",
                   -EIO, msg, "ThrottlingException");
            snprintf(msg, sizeof(msg),
                     "%s: the answer is an error: EntityNotFoundException: "
                     "no such db",
                     op);
            expect(side, op,
                   "{\"__type\":\"EntityNotFoundException\",\"Message\":\"no such db\","
                   "\"TableList\":[]}",
                   -EIO, msg, "EntityNotFoundException");
            snprintf(msg, sizeof(msg), "%s: member '__type' is a number, not a string", op);
            expect(side, op, "{\"__type\":1}", -EPROTO, msg, NULL);
            continue;
        }
        snprintf(msg, sizeof(msg), "%s: the answer is an error: NoSuchObject: gone", op);
        expect(side, op,
               "{\"Success\":false,\"Code\":\"NoSuchObject\",\"Message\":\"gone\","
               "\"HttpStatusCode\":404,\"Databases\":[]}",
               -EIO, msg, "NoSuchObject");
        snprintf(msg, sizeof(msg),
                 "%s: the answer is an error: Throttling.User: Request was "
                 "denied due to user flow control.",
                 op);
        expect(side, op,
               "{\"RequestId\":\"R\",\"HostId\":\"dlf\",\"Code\":\"Throttling.User\","
               "\"Message\":\"Request was denied due to user flow control.\",\"Recommend\":\"u\"}",
               -EIO, msg, "Throttling.User");
        snprintf(msg, sizeof(msg), "%s: the answer is an error: (no code): no message", op);
        expect(side, op, "{\"Success\":false}", -EIO, msg, "");
        snprintf(msg, sizeof(msg), "%s: member 'Success' missing", op);
        expect(side, op, "{}", -EPROTO, msg, NULL);
        expect(side, op, "{\"Code\":7,\"Tables\":[]}", -EPROTO, msg, NULL);
        snprintf(msg, sizeof(msg), "%s: member 'Success' is a string, not a boolean", op);
        expect(side, op, "{\"Success\":\"true\"}", -EPROTO, msg, NULL);
        snprintf(msg, sizeof(msg), "%s: member 'Success' given twice", op);
        expect(side, op, "{\"Success\":true,\"Success\":false}", -EPROTO, msg, NULL);
    }
}

static void test_writes(void **state)
{
    static const char *const glue[] = {
        "CreateDatabase", "UpdateDatabase", "DeleteDatabase",           "CreateTable",
        "UpdateTable",    "DeleteTable",    "CreateUserDefinedFunction"};
    static const char *const dlf[] = {"CreateDatabase", "UpdateDatabase", "DeleteDatabase",
                                      "CreateTable",    "UpdateTable",    "DeleteTable",
                                      "CreateFunction", "UpdateFunction", "DeleteFunction"};
    size_t i;

    for (i = 0; i < sizeof(glue) / sizeof(glue[0]); i++) {
        expect(G2D_SIDE_GLUE, glue[i], "{}", 0, NULL, NULL);
        expect(G2D_SIDE_GLUE, glue[i], " {\"Extra\":[1]} ", 0, NULL, NULL);
    }
    for (i = 0; i < sizeof(dlf) / sizeof(dlf[0]); i++)
        expect(G2D_SIDE_DLF, dlf[i], answer(G2D_SIDE_DLF, ""), 0, NULL, NULL);
    expect(G2D_SIDE_DLF, "DeleteDatabase", answer(G2D_SIDE_DLF, "\"TaskId\":\"t-1\""), 0, NULL,
           NULL);
    expect(G2D_SIDE_DLF, "UpdateTable", answer(G2D_SIDE_DLF, "\"TaskId\":5"), -EPROTO,
           "UpdateTable: member 'TaskId' is a number, not a string", NULL);
}

static void test_batch_errors(void **state)
{
    static const char *const ops[] = {"BatchCreatePartitions", "BatchUpdatePartitions",
                                      "BatchDeletePartitions"};
    size_t i;

    for (i = 0; i < 3; i++) {
        const char *op = ops[i];
        char msg[256];

        expect(G2D_SIDE_DLF, op, answer(G2D_SIDE_DLF, ""), 0, NULL, NULL);
        expect(G2D_SIDE_DLF, op, answer(G2D_SIDE_DLF, "\"PartitionErrors\":[]"), 0, NULL, NULL);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF, "\"PartitionErrors\":[{\"PartitionValues\":[\"2010\"],"
                                    "\"ErrorDetail\":{\"Code\":\"401\",\"Message\":\"m\"}}]"),
               0, NULL, NULL);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF, "\"PartitionErrors\":[{\"PartitionValues\":[\"2010\"]}]"), 0,
               NULL, NULL);
        snprintf(msg, sizeof(msg), "%s: member 'PartitionErrors' is null, not an array", op);
        expect(G2D_SIDE_DLF, op, answer(G2D_SIDE_DLF, "\"PartitionErrors\":null"), -EPROTO, msg,
               NULL);
        snprintf(msg, sizeof(msg), "%s: member 'PartitionErrors' is an object, not an array", op);
        expect(G2D_SIDE_DLF, op, answer(G2D_SIDE_DLF, "\"PartitionErrors\":{}"), -EPROTO, msg,
               NULL);
        snprintf(msg, sizeof(msg), "%s: PartitionErrors[0] is a string, not an object", op);
        expect(G2D_SIDE_DLF, op, answer(G2D_SIDE_DLF, "\"PartitionErrors\":[\"x\"]"), -EPROTO, msg,
               NULL);
        snprintf(msg, sizeof(msg), "%s: PartitionErrors[0] member 'PartitionValues' missing", op);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF, "\"PartitionErrors\":[{\"ErrorDetail\":{\"Code\":\"X\"}}]"),
               -EPROTO, msg, NULL);
        snprintf(msg, sizeof(msg),
                 "%s: PartitionErrors[0].PartitionValues[0] is a number, not "
                 "a string",
                 op);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF, "\"PartitionErrors\":[{\"PartitionValues\":[2010]}]"), -EPROTO,
               msg, NULL);
        snprintf(msg, sizeof(msg),
                 "%s: PartitionErrors[0] member 'ErrorDetail' is a string, not "
                 "an object",
                 op);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF,
                      "\"PartitionErrors\":[{\"PartitionValues\":[],\"ErrorDetail\":\"x\"}]"),
               -EPROTO, msg, NULL);
        snprintf(msg, sizeof(msg),
                 "%s: PartitionErrors[0].ErrorDetail member 'Code' is a "
                 "number, not a string",
                 op);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF, "\"PartitionErrors\":[{\"PartitionValues\":[],"
                                    "\"ErrorDetail\":{\"Code\":401}}]"),
               -EPROTO, msg, NULL);
        snprintf(msg, sizeof(msg), "%s: member 'PartitionErrors' given twice", op);
        expect(G2D_SIDE_DLF, op,
               answer(G2D_SIDE_DLF, "\"PartitionErrors\":[{\"PartitionValues\":[]}],"
                                    "\"PartitionErrors\":[]"),
               -EPROTO, msg, NULL);
    }
    expect(G2D_SIDE_GLUE, "BatchCreatePartition",
           "{\"Errors\":[{\"PartitionValues\":[\"a\"],\"ErrorDetail\":{\"ErrorCode\":\"E\"}}]}", 0,
           NULL, NULL);
    expect(G2D_SIDE_GLUE, "BatchCreatePartition", "{\"Errors\":null}", -EPROTO,
           "BatchCreatePartition: member 'Errors' is null, not an array", NULL);
    expect(G2D_SIDE_GLUE, "BatchUpdatePartition", "{\"Errors\":[{\"PartitionValues\":[\"a\"]}]}",
           -EPROTO, "BatchUpdatePartition: Errors[0] member 'PartitionValueList' missing", NULL);
}

static void test_raw_only(void **state)
{
    const struct g2d_check_shape *s = shape(G2D_SIDE_GLUE, "GetPartitions");
    struct g2d_error e = {0};
    const char *page;
    static const char *const broken[] = {
        "{\"Partitions\":[",
        "{\"Partitions\":[{\"Values\":[\"a]}]}",
        "{\"Partitions\":[]}x",
        "{\"Partitions\" []}",
        "\x01{}",
    };
    size_t i;

    assert_int_equal(g2d_check_raw(s, "", 0, NULL, NULL, NULL, NULL, &e), -EPROTO);
    assert_string_equal(e.msg, "GetPartitions: response is empty");
    assert_int_equal(g2d_check_raw(s, " \n", 2, NULL, NULL, NULL, NULL, &e), -EPROTO);
    for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        assert_int_equal(g2d_check_raw(s, broken[i], strlen(broken[i]), NULL, NULL, NULL, NULL, &e),
                         -EPROTO);
        assert_string_equal(e.msg, "GetPartitions: response is not well-formed JSON");
    }
    /* a duplicate key inside an element is not looked for by the raw checker */
    page = "{\"Partitions\":[{\"Values\":[],\"Values\":1}]}";
    assert_int_equal(g2d_check_raw(s, page, strlen(page), NULL, NULL, NULL, NULL, &e), 0);
    assert_int_equal(g2d_check_json(s, NULL, NULL, &e), -EPROTO);
}

struct got {
    char el[4][64], key[4][32];
    size_t n;
    int stop_at;
};

static int collect(const struct g2d_check_elem *el, void *arg)
{
    struct got *g = arg;

    assert_int_equal(el->index, g->n);
    if ((int)g->n == g->stop_at)
        return -ECANCELED;
    assert_true(g->n < 4 && el->n < 64 && el->keyn < 32);
    memcpy(g->el[g->n], el->p, el->n);
    g->el[g->n][el->n] = '\0';
    memcpy(g->key[g->n], el->key, el->keyn);
    g->key[g->n][el->keyn] = '\0';
    g->n++;
    return 0;
}

static void test_raw_elements(void **state)
{
    const struct g2d_check_shape *s = shape(G2D_SIDE_GLUE, "GetPartitions");
    const char *page = " {\"NextToken\": \"tok\\\"en\" ,\"Partitions\": [ {\"Values\": [\"a\"],"
                       "\"X\":1} ,{\"P\":{},\"Values\":[\"b\", \"c\"]}] } ";
    struct g2d_check_page pg;
    struct got g = {.stop_at = -1};

    assert_int_equal(g2d_check_raw(s, page, strlen(page), collect, &g, &pg, NULL, NULL), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(pg.nelems, 2);
    assert_string_equal(g.el[0], "{\"Values\": [\"a\"],\"X\":1}");
    assert_string_equal(g.key[0], "[\"a\"]");
    assert_string_equal(g.el[1], "{\"P\":{},\"Values\":[\"b\", \"c\"]}");
    assert_string_equal(g.key[1], "[\"b\", \"c\"]");
    assert_int_equal(pg.token_len, strlen("\"tok\\\"en\""));
    assert_memory_equal(pg.token, "\"tok\\\"en\"", pg.token_len);
    /* the callback's return stops the walk and is returned */
    g = (struct got){.stop_at = 1};
    assert_int_equal(g2d_check_raw(s, page, strlen(page), collect, &g, &pg, NULL, NULL),
                     -ECANCELED);
    /* no token: NULL; a bad element after good ones: an error (the caller drops them) */
    g = (struct got){.stop_at = -1};
    page = "{\"Partitions\":[{\"Values\":[]}]}";
    assert_int_equal(g2d_check_raw(s, page, strlen(page), collect, &g, &pg, NULL, NULL), 0);
    assert_null(pg.token);
    assert_int_equal(pg.nelems, 1);
    g = (struct got){.stop_at = -1};
    page = "{\"Partitions\":[{\"Values\":[]},7]}";
    assert_int_equal(g2d_check_raw(s, page, strlen(page), collect, &g, &pg, NULL, NULL), -EPROTO);
    assert_int_equal(g.n, 1);
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int count_elem(const struct g2d_check_elem *el, void *arg)
{
    (*(size_t *)arg) += el->keyn ? 1 : 0;
    return 0;
}

/* What sync.c's pjob_scan does today (members, array, each element's Values). */
static int old_elem(const char *p, size_t n, void *arg)
{
    const char *v;
    size_t vl;

    if (g2d_jscan_member(p, n, "Values", &v, &vl) == 0)
        (*(size_t *)arg)++;
    return 0;
}

static size_t old_scan(const char *body, size_t len)
{
    static const char *const keys[] = {"Partitions", "NextToken"};
    const char *v[2];
    size_t l[2], seen = 0;

    if (g2d_jscan_members(body, len, keys, 2, v, l) >= 0 && v[0])
        (void)g2d_jscan_array(v[0], l[0], old_elem, &seen);
    return seen;
}

/* A 1,000-partition GetPartitions page (about 1.6 MB): the raw check's cost per page. */
static void test_page_cost(void **state)
{
    const struct g2d_check_shape *s = shape(G2D_SIDE_GLUE, "GetPartitions");
    char *one = bench_partition_json(JSON_COMPACT);
    size_t n1 = strlen(one), len = 0, i, seen;
    char *page = malloc(1000 * (n1 + 1) + 64);
    double t0, best = 1e12, best_old = 1e12;
    struct g2d_check_page pg;
    int rep;

    assert_non_null(page);
    len += (size_t)sprintf(page, "{\"Partitions\":[");
    for (i = 0; i < 1000; i++) {
        memcpy(page + len, one, n1);
        len += n1;
        page[len++] = i < 999 ? ',' : ']';
    }
    len += (size_t)sprintf(page + len, ",\"NextToken\":\"abc\"}");
    for (rep = 0; rep < 20; rep++) {
        seen = 0;
        t0 = now_us();
        assert_int_equal(g2d_check_raw(s, page, len, count_elem, &seen, &pg, NULL, NULL), 0);
        t0 = now_us() - t0;
        if (t0 < best)
            best = t0;
        assert_int_equal(seen, 1000);
        assert_int_equal(pg.nelems, 1000);
    }
    for (rep = 0; rep < 20; rep++) {
        t0 = now_us();
        assert_int_equal(old_scan(page, len), 1000);
        t0 = now_us() - t0;
        if (t0 < best_old)
            best_old = t0;
    }
    print_message("raw check of a %zu-byte page of 1000 partitions: %.0f us (best of 20); "
                  "the scan pjob_scan does today: %.0f us\n",
                  len, best, best_old);
    free(page);
    free(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),           cmocka_unit_test(test_partition_values),
        cmocka_unit_test(test_error_documents), cmocka_unit_test(test_writes),
        cmocka_unit_test(test_batch_errors),    cmocka_unit_test(test_raw_only),
        cmocka_unit_test(test_raw_elements),    cmocka_unit_test(test_page_cost),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
