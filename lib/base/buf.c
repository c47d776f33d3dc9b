/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/buf.h"

void g2d_buf_init(struct g2d_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
}

/* Make room for n more bytes plus the terminator. */
static int buf_reserve(struct g2d_buf *b, size_t n)
{
    size_t want, cap;
    char *p;

    if (n > b->max || b->len > b->max - n)
        return -E2BIG;
    want = b->len + n + 1;
    if (want <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    p = realloc(b->data, cap);
    if (!p)
        return -ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int g2d_buf_append(struct g2d_buf *b, const void *p, size_t n)
{
    int r = buf_reserve(b, n);

    if (r < 0)
        return r;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int g2d_buf_puts(struct g2d_buf *b, const char *s)
{
    return g2d_buf_append(b, s, strlen(s));
}

int g2d_buf_putc(struct g2d_buf *b, char c)
{
    return g2d_buf_append(b, &c, 1);
}

int g2d_buf_printf(struct g2d_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, r;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    r = buf_reserve(b, (size_t)n);
    if (r < 0)
        return r;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void g2d_buf_consume(struct g2d_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

void g2d_buf_reset(struct g2d_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

const char *g2d_buf_cstr(const struct g2d_buf *b)
{
    return b->data ? b->data : "";
}

char *g2d_buf_steal(struct g2d_buf *b)
{
    char *p = b->data;

    if (!p)
        p = strdup("");
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void g2d_buf_done(struct g2d_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
