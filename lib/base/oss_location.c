/* SPDX-License-Identifier: MIT */
/*
 * oss://bucket/prefix locations (include/glue2dlf/oss.h), here at the bottom of the import
 * graph because the configuration checks them at load time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glue2dlf/oss.h"

static int bucket_ok(const char *b, size_t n)
{
    size_t i;

    if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
        return 0;
    for (i = 0; i < n; i++)
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
            return 0;
    return 1;
}

static int key_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("-_./!()*", c) != NULL;
}

int g2d_oss_parse_location(const char *url, char **bucket, char **prefix, const char **why)
{
    const char *b, *slash;
    size_t bn, pn, i;

    *bucket = *prefix = NULL;
    *why = NULL;
    if (!url || strncasecmp(url, "oss://", 6) != 0)
        return *why = "not an oss:// location", -EINVAL;
    b = url + 6;
    slash = strchr(b, '/');
    bn = slash ? (size_t)(slash - b) : strlen(b);
    if (!bucket_ok(b, bn))
        return *why = "the bucket name must be 3-63 of a-z, 0-9 and '-'", -EINVAL;
    slash = slash ? slash + 1 : b + bn;
    while (*slash == '/')
        slash++;
    pn = strlen(slash);
    for (i = 0; i < pn; i++)
        if (!key_char_ok(slash[i]) || (slash[i] == '/' && i && slash[i - 1] == '/'))
            return *why = "the prefix may hold only A-Z a-z 0-9 - _ . / ! ( ) * (no '//')", -EINVAL;
    if (pn > 900)
        return *why = "the prefix is too long (at most 900 bytes)", -EINVAL;
    *bucket = strndup(b, bn);
    *prefix = malloc(pn + 2);
    if (!*bucket || !*prefix) {
        free(*bucket);
        free(*prefix);
        *bucket = *prefix = NULL;
        return -ENOMEM;
    }
    memcpy(*prefix, slash, pn);
    if (pn && slash[pn - 1] != '/')
        (*prefix)[pn++] = '/';
    (*prefix)[pn] = '\0';
    return 0;
}
