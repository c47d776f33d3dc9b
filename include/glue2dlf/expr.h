/* SPDX-License-Identifier: MIT */
/**
 * @file expr.h
 * The Glue GetPartitions `Expression` grammar (shared/reference/glue-api.md §1.4): parse
 * once, evaluate against partitions. glue2dlf pushes the configured per-table filter down
 * to Glue and evaluates the very same expression locally against DLF's partitions, so a
 * filter scopes both sides identically; the simulator uses it to serve GetPartitions.
 */
#ifndef GLUE2DLF_EXPR_H
#define GLUE2DLF_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "glue2dlf/error.h"

/** Maximum expression length accepted (Glue: 2048). */
#define G2D_EXPR_MAX_LEN 2048

struct g2d_expr;

/** One partition key: its name and Hive type string ("string", "int", "date", ...). */
struct g2d_expr_key {
    const char *name;
    const char *type;
};

/**
 * Parse @p text. @return 0, or -EINVAL with err ("expression: <what> at offset N").
 * @param[out] out caller owns; free with g2d_expr_free()
 */
int g2d_expr_parse(const char *text, struct g2d_expr **out, struct g2d_error *err);

void g2d_expr_free(struct g2d_expr *e);

/**
 * Check the expression against a table's partition keys: every identifier must be a key
 * (case-insensitive), LIKE only on string-like keys, literals castable to the key's type.
 * @return 0 or -EINVAL (Glue answers InvalidInputException for these) with err
 */
int g2d_expr_check(const struct g2d_expr *e, const struct g2d_expr_key *keys, size_t nkeys,
                   struct g2d_error *err);

/**
 * Refuse the forms whose meaning in Glue is not documented (see lib/scope/expr_known.c):
 * IS [NOT] NULL, backslashes in string literals (LIKE escapes included), numbers not in
 * their plain form (020220101, 1.50, -0), dates that are not zero-padded or not real
 * ('2024-1-5', '2024-02-30'), BETWEEN with reversed bounds (with @p keys NULL: reversed in
 * every type the bounds can take; with a table's keys: in its key's type). The config
 * loader calls it without keys, the sync with each table's; the simulator, which stands
 * for Glue, does not.
 * @return 0 or -EINVAL with err ("expression: <what> at offset N")
 */
int g2d_expr_check_known(const struct g2d_expr *e, const struct g2d_expr_key *keys, size_t nkeys,
                         struct g2d_error *err);

/**
 * Evaluate for one partition: @p values[i] is the value of keys[i] (as stored: a string).
 * @return 1 match, 0 no match, -EINVAL for a static error (as g2d_expr_check), -ERANGE
 * when a stored value cannot be cast to its key's type (Glue: InvalidStateException).
 */
int g2d_expr_eval(const struct g2d_expr *e, const struct g2d_expr_key *keys, size_t nkeys,
                  const char *const *values, struct g2d_error *err);

#endif
