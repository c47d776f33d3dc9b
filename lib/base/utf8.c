/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "glue2dlf/utf8.h"

size_t g2d_utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    uint32_t v;
    size_t n, i;

    /* 0xc0/0xc1 can only start overlong two-byte forms, 0xf5.. only values > U+10FFFF. */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        v = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    return n;
}

bool g2d_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    while (p < end) {
        size_t k;

        if (*p < 0x80) {
            p++;
            continue;
        }
        k = g2d_utf8_seq(p, end);
        if (!k)
            return false;
        p += k;
    }
    return true;
}

bool g2d_utf8_valid_str(const char *s)
{
    return g2d_utf8_valid(s, strlen(s));
}
