/* SPDX-License-Identifier: MIT */
/* The results ring of glue2dlfd. See results_ring.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"
#include "results_ring.h"

int results_ring_init(struct results_ring *rr, size_t cap)
{
    memset(rr, 0, sizeof(*rr));
    rr->items = calloc(cap ? cap : 1, sizeof(*rr->items));
    if (!rr->items)
        return -ENOMEM;
    rr->cap = cap ? cap : 1;
    return 0;
}

int results_ring_push(struct results_ring *rr, const char *line, size_t len)
{
    char *copy = strndup(line, len);
    size_t slot;

    if (!copy)
        return -ENOMEM;
    if (rr->count == rr->cap) {
        slot = rr->start;
        free(rr->items[slot]);
        rr->start = (rr->start + 1) % rr->cap;
    } else {
        slot = (rr->start + rr->count) % rr->cap;
        rr->count++;
    }
    rr->items[slot] = copy;
    rr->total++;
    return 0;
}

const char *results_ring_get(const struct results_ring *rr, size_t i)
{
    if (i >= rr->count)
        return NULL;
    return rr->items[(rr->start + i) % rr->cap];
}

void results_ring_done(struct results_ring *rr)
{
    if (!rr || !rr->items)
        return;
    for (size_t i = 0; i < rr->count; i++)
        free(rr->items[(rr->start + i) % rr->cap]);
    free(rr->items);
    memset(rr, 0, sizeof(*rr));
}

json_t *results_ring_json(const struct results_ring *rr, size_t limit)
{
    json_t *res = json_object(), *arr = json_array();
    size_t first = rr->count > limit ? rr->count - limit : 0;

    if (!res || !arr)
        goto fail;
    for (size_t i = first; i < rr->count; i++) {
        const char *line = results_ring_get(rr, i);
        json_t *it = json_loads(line, 0, NULL);

        /* Our own output always parses; keep the raw text if it somehow does not. */
        if (!it)
            it = g2d_ctl_json_string(line);
        if (json_array_append_new(arr, it) < 0)
            goto fail;
    }
    if (json_object_set_new(res, "items", arr) < 0) {
        arr = NULL;
        goto fail;
    }
    if (json_object_set_new(res, "total", json_integer((json_int_t)rr->total)) < 0)
        goto fail_res;
    return res;

fail:
    json_decref(arr);
fail_res:
    json_decref(res);
    return NULL;
}
