/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for lib/expr.c: the input is a Glue partition expression. It is parsed,
 * checked against a fixed table of keys of every supported (and one unsupported) type, and
 * evaluated against several partitions, including NULL and uncastable values. The target
 * aborts on any broken contract: a result outside {1, 0, -EINVAL, -ERANGE}, a missing or
 * malformed error message, check and eval disagreeing, or a non-repeatable evaluation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/expr.h"

#define NKEYS 11
#define NUL_PART "__HIVE_DEFAULT_PARTITION__"

static const struct g2d_expr_key keys[NKEYS] = {
    {"s", "string"},    {"dt", "string"},        {"region", "varchar(8)"}, {"n", "int"},
    {"b", "bigint"},    {"x", "decimal(10,2)"},  {"f", "double"},          {"d", "date"},
    {"t", "timestamp"}, {"Category", "char(5)"}, {"flag", "boolean"},
};

static const char *const partitions[][NKEYS] = {
    {"abc", "2024-01-01", "eu", "7", "-9223372036854775808", "1.50", "1e3", "2024-02-29",
     "2024-01-01 10:00:00.5", "Books", "true"},
    {"it's", "20220101", "us", "0", "9223372036854775807", "-0.00", "-1.5E-7", "1970-01-01",
     "1969-12-31 23:59:59.999999999", "", "false"},
    {NUL_PART, NUL_PART, NUL_PART, NUL_PART, NUL_PART, NUL_PART, NUL_PART, NUL_PART, NUL_PART,
     NUL_PART, NUL_PART},
    {"%_\\", "", "x", "1.0", "9223372036854775808", "abc", "NaN", "2023-02-29",
     "2024-01-01 24:00:00", "a\xc3\xa9", "maybe"},
};

#define NPARTS (sizeof(partitions) / sizeof(partitions[0]))

/* The message must be set, prefixed, terminated, and one line of printable text. */
static void check_err(int rc, const struct g2d_error *err)
{
    const unsigned char *m;

    if (err->code != rc || strncmp(err->msg, "expression: ", 12) != 0 ||
        strnlen(err->msg, sizeof(err->msg)) == sizeof(err->msg))
        abort();
    for (m = (const unsigned char *)err->msg; *m; m++)
        if (*m < 0x20 || *m == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct g2d_expr *e = NULL;
    struct g2d_error err;
    char *text;
    size_t i;
    int rc, crc, r1, r2;

    if (size > 4 * G2D_EXPR_MAX_LEN)
        return 0;
    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    g2d_error_clear(&err);
    rc = g2d_expr_parse(text, &e, &err);
    if (rc < 0) {
        if (e || (rc != -EINVAL && rc != -ENOMEM))
            abort();
        check_err(rc, &err);
        free(text);
        return 0;
    }
    if (!e || strlen(text) > G2D_EXPR_MAX_LEN)
        abort();

    g2d_error_clear(&err);
    crc = g2d_expr_check(e, keys, NKEYS, &err);
    if (crc != 0 && crc != -EINVAL)
        abort();
    if (crc < 0)
        check_err(crc, &err);
    for (i = 0; i < NPARTS; i++) {
        g2d_error_clear(&err);
        r1 = g2d_expr_eval(e, keys, NKEYS, partitions[i], &err);
        if (r1 < 0)
            check_err(r1, &err);
        r2 = g2d_expr_eval(e, keys, NKEYS, partitions[i], NULL);
        if (r1 != r2)
            abort();
        if (crc == -EINVAL && r1 != -EINVAL)
            abort();
        if (crc == 0 && r1 != 0 && r1 != 1 && r1 != -ERANGE)
            abort();
    }
    /* The known-forms check: 0 or -EINVAL with a message, without keys and with them. */
    g2d_error_clear(&err);
    r1 = g2d_expr_check_known(e, NULL, 0, &err);
    if (r1 != 0 && r1 != -EINVAL)
        abort();
    if (r1 < 0)
        check_err(r1, &err);
    r2 = g2d_expr_check_known(e, keys, NKEYS, NULL);
    if (r2 != 0 && r2 != -EINVAL)
        abort();
    /* With fewer keys an expression can only get more static errors, never other answers. */
    r1 = g2d_expr_check(e, keys, 3, NULL);
    if (r1 != 0 && r1 != -EINVAL)
        abort();
    if (crc == -EINVAL && r1 != -EINVAL)
        abort();

    g2d_expr_free(e);
    free(text);
    return 0;
}
