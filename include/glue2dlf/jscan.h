/* SPDX-License-Identifier: MIT */
/*
 * Internal: a structural JSON scanner. It does not build values: it walks the bytes of a
 * JSON text (strings and escapes respected, nesting bounded) to find a top-level member
 * and to split an array into its elements' byte ranges. glue2dlf uses it on GetPartitions
 * pages so that an unchanged partition costs a hash of its bytes, not a DOM.
 *
 * Ownership: nothing is allocated. Every argument is borrowed for the call; the ranges
 * returned (@p val, @p vals, the @p elem of the callback) point into the caller's @p buf
 * and live as long as it does.
 */
#ifndef G2D_LIB_JSCAN_H
#define G2D_LIB_JSCAN_H

#include <stddef.h>

/** Deepest nesting accepted. */
#define G2D_JSCAN_MAX_DEPTH 64

/**
 * Find the top-level member @p key of the JSON object in @p buf and return the byte range
 * of its value. Keys are compared as raw bytes between the quotes.
 * @return 0, -ENOENT if absent, -EPROTO if @p buf is not a well-formed object.
 * Borrows @p buf and @p key; *@p val points into @p buf.
 */
int g2d_jscan_member(const char *buf, size_t len, const char *key, const char **val, size_t *vlen);

/**
 * One pass over the JSON object in @p buf (which must be exactly one well-formed object,
 * whitespace around it allowed): the byte range of the value of each of @p keys, NULL/0
 * for those absent. A key given twice in the object counts at its first occurrence.
 * @return the number of keys found, or -EPROTO.
 * Borrows @p buf and @p keys; @p vals (caller's arrays of @p nkeys) point into @p buf.
 */
int g2d_jscan_members(const char *buf, size_t len, const char *const *keys, size_t nkeys,
                      const char **vals, size_t *vlens);

/**
 * Call @p cb with the byte range of each element of the JSON array in @p buf (leading and
 * trailing whitespace excluded). A non-zero return of @p cb stops and is returned.
 * @return 0, -EPROTO if @p buf is not a well-formed array, or what cb returned.
 * Borrows @p buf; @p elem (borrowed by @p cb for its call) points into @p buf.
 */
int g2d_jscan_array(const char *buf, size_t len, int (*cb)(const char *elem, size_t n, void *arg),
                    void *arg);

#endif
