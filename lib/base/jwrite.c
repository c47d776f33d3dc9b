/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "base/jwrite.h"

int g2d_jwrite_string(struct g2d_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    int r = g2d_buf_putc(b, '"');

    for (i = 0; r == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        r = g2d_buf_append(b, s + run, i - run);
        if (r == 0 && (c == '"' || c == '\\')) {
            char e[2] = {'\\', (char)c};

            r = g2d_buf_append(b, e, 2);
        } else if (r == 0) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

            r = g2d_buf_append(b, e, 6);
        }
        run = i + 1;
    }
    if (r == 0)
        r = g2d_buf_append(b, s + run, n - run);
    return r ? r : g2d_buf_putc(b, '"');
}

int g2d_jwrite_value(struct g2d_buf *b, json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    int r = 0, first = 1;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        r = g2d_buf_putc(b, '{');
        json_object_foreach(v, k, e)
        {
            if (r == 0 && !first)
                r = g2d_buf_putc(b, ',');
            first = 0;
            if (r == 0)
                r = g2d_jwrite_string(b, k, strlen(k));
            if (r == 0)
                r = g2d_buf_putc(b, ':');
            if (r == 0)
                r = g2d_jwrite_value(b, e);
        }
        return r ? r : g2d_buf_putc(b, '}');
    case JSON_ARRAY:
        r = g2d_buf_putc(b, '[');
        json_array_foreach(v, i, e)
        {
            if (r == 0 && i)
                r = g2d_buf_putc(b, ',');
            if (r == 0)
                r = g2d_jwrite_value(b, e);
        }
        return r ? r : g2d_buf_putc(b, ']');
    case JSON_STRING:
        return g2d_jwrite_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return g2d_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return g2d_buf_printf(b, "%.17g", json_real_value(v));
    case JSON_TRUE:
        return g2d_buf_puts(b, "true");
    case JSON_FALSE:
        return g2d_buf_puts(b, "false");
    default:
        return g2d_buf_puts(b, "null");
    }
}
