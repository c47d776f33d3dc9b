/* SPDX-License-Identifier: MIT */
/**
 * @file buf.h
 * A growable byte buffer with a ceiling set at creation (curl's dynbuf rule): every
 * buffer that holds outside input (HTTP bodies, control lines, config files) refuses to
 * grow past its maximum instead of eating memory.
 *
 * The data is always NUL-terminated after a successful append (the terminator is not
 * counted in len and does not count against max).
 *
 * Ownership: the struct is caller-owned; the buffer owns its data until g2d_buf_done() or
 * g2d_buf_steal(). Appended bytes are copied (the source is borrowed).
 */
#ifndef GLUE2DLF_BUF_H
#define GLUE2DLF_BUF_H

#include <stddef.h>

struct g2d_buf {
    char *data; /**< NULL until the first append */
    size_t len; /**< bytes used, excluding the NUL terminator */
    size_t cap; /**< bytes allocated */
    size_t max; /**< ceiling for len; 0 means SIZE_MAX/2 */
};

/** Initialise an empty buffer that may grow to @p max bytes. Cannot fail. */
void g2d_buf_init(struct g2d_buf *b, size_t max);

/**
 * Append @p n bytes. @return 0, -E2BIG if the result would exceed max (buffer unchanged),
 * or -ENOMEM.
 */
int g2d_buf_append(struct g2d_buf *b, const void *p, size_t n);

/** Append a NUL-terminated string. Same returns as g2d_buf_append(). */
int g2d_buf_puts(struct g2d_buf *b, const char *s);

/** Append one byte. Same returns as g2d_buf_append(). */
int g2d_buf_putc(struct g2d_buf *b, char c);

/** Append formatted text. Same returns as g2d_buf_append(). */
int g2d_buf_printf(struct g2d_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Drop the first @p n bytes (n <= len), keeping the rest. */
void g2d_buf_consume(struct g2d_buf *b, size_t n);

/** Set len to 0, keep the allocation. */
void g2d_buf_reset(struct g2d_buf *b);

/** Return the contents as a C string ("" when empty); borrowed, valid until the next change. */
const char *g2d_buf_cstr(const struct g2d_buf *b);

/**
 * Hand the allocation to the caller (free() it); the buffer becomes empty.
 * Returns a malloc'd "" for an empty buffer, NULL only on allocation failure.
 */
char *g2d_buf_steal(struct g2d_buf *b);

/** Free the contents; the buffer is empty afterwards and may be reused. Accepts NULL. */
void g2d_buf_done(struct g2d_buf *b);

#endif
