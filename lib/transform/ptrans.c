/* SPDX-License-Identifier: MIT */
/*
 * The DOM-free partition transform (see ptrans.h).
 *
 * Pass 1 parses the Glue partition with a small recursive-descent parser that accepts only
 * what jansson would accept (strict UTF-8, no control characters in strings, the number
 * grammar, integer range, nesting) and, to stay simple, rejects more: any backslash in a
 * string, duplicate keys among the members used, numbers it cannot convert exactly as
 * jansson does. Both it and g2d_model_partition() follow the field table (fields.c): it
 * records, per row, what the DOM path copies (byte ranges into the input) into records in
 * the scratch. Pass 2 writes the PartitionInput text in the rows' order, and pass 3 the
 * normalised text in the order canon() writes it: keys sorted, volatile parameters
 * removed, empty values dropped. Every string written from the
 * input is free of characters that need escaping (the parser refused those), so it is
 * copied as it is; strings from elsewhere (database and table names, location-map
 * prefixes) are escaped exactly as g2d_jwrite_string() does.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/utf8.h"
#include "transform/ptrans-internal.h"

/* ---- scratch ------------------------------------------------------------------------- */

void g2d_ptrans_scratch_init(struct g2d_ptrans_scratch *s)
{
    memset(s, 0, sizeof(*s));
}

void g2d_ptrans_scratch_done(struct g2d_ptrans_scratch *s)
{
    int i;

    if (!s)
        return;
    for (i = 0; i < S_COUNT; i++)
        free(s->mem[i]);
    memset(s, 0, sizeof(*s));
}

/* Make room for @p bytes in @p slot. @return 0 or -ENOMEM. */
int pt_reserve(struct g2d_ptrans_scratch *s, int slot, size_t bytes)
{
    size_t cap = s->cap[slot] ? s->cap[slot] : 256;
    void *p;

    if (bytes <= s->cap[slot])
        return 0;
    while (cap < bytes) {
        if (cap > SIZE_MAX / 4)
            return -ENOMEM;
        cap *= 2;
    }
    p = realloc(s->mem[slot], cap);
    if (!p)
        return -ENOMEM;
    s->mem[slot] = p;
    s->cap[slot] = cap;
    return 0;
}

/* ---- entry point ------------------------------------------------------------------------ */

int g2d_ptrans_partition(const struct g2d_config *cfg, const char *db, const char *table,
                         const char *p, size_t n, struct g2d_buf *text, struct g2d_ptrans_out *out,
                         struct g2d_ptrans_scratch *scratch)
{
    struct ctx x = {.cfg = cfg, .s = scratch, .out = out, .db = db, .table = table};
    struct cur c = {p, p + n};
    struct wb w, nw;
    int r;

    out->nvalues = 0;
    out->dropped = 0;
    if (!db || !table || !p || !g2d_utf8_valid(db, strlen(db)) ||
        !g2d_utf8_valid(table, strlen(table)))
        return FB; /* json_string() would fail: the DOM path reports it */
    r = pt_parse_partition(&x, &c);
    if (r == 0)
        r = pt_sort_skew_keys(&x);
    if (r)
        return r;
    if (pt_reserve(scratch, S_OUT, n + 256) < 0 || pt_reserve(scratch, S_NORM, n + 256) < 0)
        return -ENOMEM;
    wb_init(&w, scratch, S_OUT);
    pt_emit_partition(&x, &w);
    wb_init(&nw, scratch, S_NORM);
    pt_canon_partition(&x, &nw);
    if (w.err || nw.err)
        return -ENOMEM;
    g2d_fp_bytes(nw.p, nw.len, &out->fp);
    return g2d_buf_append(text, w.p, w.len);
}
