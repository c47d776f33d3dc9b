/* SPDX-License-Identifier: MIT */
/*
 * Internal: a small compact JSON writer over jansson values, faster than json_dumps for the
 * hot path (no option handling, one buffer). Strings are written as JSON with ", \ and
 * control characters escaped and other bytes as they are (the input is valid UTF-8, as
 * jansson guarantees).
 */
#ifndef G2D_LIB_JWRITE_H
#define G2D_LIB_JWRITE_H

#include <jansson.h>
#include <stddef.h>

#include "glue2dlf/buf.h"

/** Append @p n bytes of @p s as a JSON string. @return 0 or -errno. */
int g2d_jwrite_string(struct g2d_buf *b, const char *s, size_t n);

/** Append @p v as compact JSON (object members in jansson's order). @return 0 or -errno. */
int g2d_jwrite_value(struct g2d_buf *b, json_t *v);

#endif
