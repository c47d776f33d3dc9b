/* SPDX-License-Identifier: MIT */
/**
 * @file utf8.h
 * The one UTF-8 validator, with one strictness: RFC 3629 (the same rules jansson applies
 * to json_string()): no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, no truncated sequences, no stray continuation bytes. NUL is a valid byte here;
 * callers that also refuse control characters check them themselves.
 */
#ifndef GLUE2DLF_UTF8_H
#define GLUE2DLF_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Length of the valid multi-byte sequence at @p p (whose lead byte is >= 0x80), reading
 * no byte at or after @p end; 0 if it is not a valid sequence. Borrows both pointers.
 */
size_t g2d_utf8_seq(const unsigned char *p, const unsigned char *end);

/** Whether the @p n bytes at @p s are valid UTF-8. Borrows @p s (need not be terminated). */
bool g2d_utf8_valid(const char *s, size_t n);

/** Whether the NUL-terminated @p s is valid UTF-8. Borrows @p s. */
bool g2d_utf8_valid_str(const char *s);

#endif
