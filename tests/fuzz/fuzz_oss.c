/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the OSS input readers (include/glue2dlf/oss.h): the XML error body of an
 * OSS answer, spool file names read back after a restart, and oss:// locations from the
 * configuration. The first byte picks the output buffer sizes. The target aborts when an
 * output is not NUL-terminated inside its buffer or holds a control character, when a name
 * that parses does not format back to a name with the same values, or when an accepted
 * location gives a bucket or prefix that breaks the documented rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/oss.h"

static void check_text(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n >= cap)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            abort();
}

static void fuzz_error(const uint8_t *data, size_t size, size_t codesz, size_t msgsz)
{
    char code[96], msg[384];
    int r = g2d_oss_error_parse((const char *)data, size, code, codesz, msg, msgsz);

    if (r != 0 && r != -2 /* -ENOENT */)
        abort();
    check_text(code, codesz);
    check_text(msg, msgsz);
    if (r == 0 && !memmem(data, size, "<Code>", 6))
        abort();
}

static void fuzz_name(const char *s)
{
    int64_t t, t2;
    uint64_t c, c2;
    unsigned p, p2;
    char again[128];

    if (g2d_oss_object_name_parse(s, &t, &c, &p) < 0)
        return;
    if (g2d_oss_object_name(again, sizeof(again), t, c, p) < 0 ||
        g2d_oss_object_name_parse(again, &t2, &c2, &p2) < 0 || t2 != t || c2 != c || p2 != p)
        abort();
}

static void fuzz_location(const char *s)
{
    char *b, *p;
    const char *why;
    size_t n;

    if (g2d_oss_parse_location(s, &b, &p, &why) < 0) {
        if (!why)
            abort();
        return;
    }
    n = strlen(b);
    if (n < 3 || n > 63 || strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        abort();
    n = strlen(p);
    if ((n && p[n - 1] != '/') || strstr(p, "//") || p[0] == '/')
        abort();
    free(b);
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t codesz, msgsz;
    char *s;

    if (size < 1)
        return 0;
    codesz = 1 + data[0] % 96;
    msgsz = 1 + (data[0] * 7u) % 384;
    fuzz_error(data + 1, size - 1, codesz, msgsz);
    if (size > 4096)
        return 0;
    s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    fuzz_name(s);
    fuzz_location(s);
    free(s);
    return 0;
}
