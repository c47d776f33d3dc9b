/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glue2dlf/error.h"

int g2d_error_set(struct g2d_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    err->line = 0;
    err->col = 0;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

int g2d_error_set_at(struct g2d_error *err, int code, const char *file, int line, int col,
                     const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!err)
        return code;
    err->code = code;
    err->line = line;
    err->col = col;
    n = snprintf(err->msg, sizeof(err->msg), "%s:%d:%d: ", file ? file : "<input>", line, col);
    if (n < 0 || (size_t)n >= sizeof(err->msg))
        return code;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

void g2d_error_clear(struct g2d_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
}
