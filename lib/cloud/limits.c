/* SPDX-License-Identifier: MIT */
/*
 * Limits learned from the services. DLF does not document every page-size and batch-size
 * maximum, and Glue's may change: when a service refuses a page or a batch as too large,
 * the refusal says so, usually with the limit. The caller lowers its size for that API to
 * the limit the message names (or halves it), retries, and keeps the value.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/limits.h"

/* Codes a service uses for a request it refuses as invalid. */
static const char *const invalid_codes[] = {
    "InvalidInput",        "InvalidParameter", "InvalidParameterValue", "InvalidInputException",
    "ValidationException", "InvalidArgument",  "InvalidInput.PageSize", NULL,
};

/* Words that say "too large" (the size itself, or the limit). */
static const char *const size_words[] = {
    "PageSize", "MaxResults", "maxResults", "page size",          "Too many", "too many",
    "exceed",   "limit is",   "at most",    "less than or equal", "maximum",  NULL,
};

static bool has_any(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strstr(s, *words))
            return true;
    return false;
}

unsigned g2d_limit_from_error(const char *code, const char *message, unsigned current)
{
    const char *p;
    unsigned long best = 0;
    size_t i;
    bool invalid = false;

    if (!code || !message || current <= 1)
        return 0;
    for (i = 0; invalid_codes[i]; i++)
        if (strcmp(code, invalid_codes[i]) == 0)
            invalid = true;
    if (!invalid || !has_any(message, size_words))
        return 0;
    /* The largest number in the message below the size we sent is the limit. */
    for (p = message; *p; p++) {
        if (isdigit((unsigned char)*p) && (p == message || !isalnum((unsigned char)p[-1]))) {
            char *end;
            unsigned long v = strtoul(p, &end, 10);

            if (v > 0 && v < current && v > best && !isalnum((unsigned char)*end))
                best = v;
            p = end - 1;
        }
    }
    return best ? (unsigned)best : current / 2;
}
