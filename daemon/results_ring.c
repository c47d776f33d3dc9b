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

/* Entry @p i parsed back to an object (our own output always parses; the raw text as a
 * string if it somehow does not). @return a new reference, NULL on allocation failure. */
static json_t *entry_json(const struct results_ring *rr, size_t i)
{
    const char *line = results_ring_get(rr, i);
    json_t *it = json_loads(line, 0, NULL);

    return it ? it : g2d_ctl_json_string(line);
}

static bool entry_matches(const json_t *it, const struct results_filter *f)
{
    const json_t *v;

    if (f->failed) {
        v = json_object_get(it, "isSuccess");
        if (!json_is_false(v))
            return false;
    }
    if (f->cycle) {
        v = json_object_get(it, "cycleId");
        if (!json_is_integer(v) || (uint64_t)json_integer_value(v) != f->cycle)
            return false;
    }
    return true;
}

/* The matching entries, newest first, at most @p limit, into @p arr. @return 0 or -1. */
static int collect_newest(const struct results_ring *rr, const struct results_filter *f,
                          size_t limit, json_t *arr)
{
    for (size_t i = rr->count; i > 0 && json_array_size(arr) < limit; i--) {
        json_t *it = entry_json(rr, i - 1);

        if (!it)
            return -1;
        if (!entry_matches(it, f)) {
            json_decref(it);
            continue;
        }
        if (json_array_append_new(arr, it) < 0)
            return -1;
    }
    return 0;
}

json_t *results_ring_json(const struct results_ring *rr, const struct results_filter *f)
{
    json_t *res = json_object(), *newest = json_array(), *arr = json_array();
    size_t limit = f->limit ? f->limit : 1;

    if (!res || !newest || !arr || collect_newest(rr, f, limit, newest) < 0)
        goto fail;
    for (size_t i = json_array_size(newest); i > 0; i--)
        if (json_array_append(arr, json_array_get(newest, i - 1)) < 0)
            goto fail;
    json_decref(newest);
    newest = NULL;
    if (json_object_set_new(res, "items", arr) < 0) {
        arr = NULL;
        goto fail;
    }
    arr = NULL;
    if (json_object_set_new(res, "total", json_integer((json_int_t)rr->total)) < 0)
        goto fail;
    if ((f->failed || f->cycle) &&
        json_object_set_new(res, "scanned", json_integer((json_int_t)rr->count)) < 0)
        goto fail;
    return res;

fail:
    json_decref(newest);
    json_decref(arr);
    json_decref(res);
    return NULL;
}
