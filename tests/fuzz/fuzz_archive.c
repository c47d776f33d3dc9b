/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the reader of the deleted-objects archive (state/archive.c), whose files
 * sit in the state directory and may be torn, edited or foreign. Every line of the input
 * goes through g2d_archive_parse_line(): it is a record with everything a restore needs,
 * or it is refused with -EBADMSG, nothing half-filled. Never out of bounds, never a leak.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/sync.h"
#include "state/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const char *line, size_t len)
{
    struct g2d_archive_rec rec;
    json_t *root;
    int r = g2d_archive_parse_line(line, len, &root, &rec);

    if (r == -EBADMSG) {
        if (root || rec.name || rec.object)
            abort();
        return;
    }
    if (r != 0 || !root || rec.type > G2D_ITEM_FUNCTION || !rec.name || !rec.name[0] ||
        !json_is_object(rec.object))
        abort();
    if (rec.type == G2D_ITEM_PARTITION &&
        (!rec.database || !rec.table || !json_array_size(rec.values)))
        abort();
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        one(p, n);
        p += n + 1;
    }
    return 0;
}
