/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the answer checkers (lib/cloud/check.c) over whole responses. The first
 * input byte selects the operation (modulo the number of shapes), the rest is the body.
 * The raw checker must stay in bounds on any bytes, and hand back elements and a token
 * inside the body. Whenever jansson parses the body with JSON_REJECT_DUPLICATES, the DOM
 * and the raw checker must agree: the same return code, the same message, the same fault
 * and, for the main list, the same number of elements, each of which jansson reads back
 * equal to the DOM's. (Not compared: bodies with a \u escape, which may spell a key the
 * raw checker compares as bytes, and bodies nested deeper than the scanner's bound.)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "glue2dlf/jscan.h"

#include "cloud/check.h"

struct seen {
    const char *body;
    size_t len, n;
    json_t *el[64]; /* the first elements, as jansson reads their bytes */
};

static int on_elem(const struct g2d_check_elem *e, void *arg)
{
    struct seen *s = arg;

    if (e->index != s->n || e->p < s->body || e->p + e->n > s->body + s->len || !e->n ||
        e->p[0] != '{')
        abort();
    if (e->key && (e->key < e->p || e->key + e->keyn > e->p + e->n))
        abort();
    if (s->n < 64)
        s->el[s->n] = json_loadb(e->p, e->n, JSON_DECODE_ANY, NULL);
    s->n++;
    return 0;
}

static size_t depth(const json_t *j)
{
    size_t d = 0, i, m;
    const char *k;
    json_t *v;

    if (json_is_array(j))
        json_array_foreach(j, i, v) if ((m = depth(v)) > d) d = m;
    if (json_is_object(j))
        json_object_foreach((json_t *)j, k, v) if ((m = depth(v)) > d) d = m;
    return d + (json_is_array(j) || json_is_object(j));
}

/* The DOM's main list: the one array member whose elements the raw checker handed back. */
static void compare_elems(const json_t *root, struct seen *s)
{
    const char *k;
    json_t *v;
    size_t i;

    if (s->n == 0)
        return;
    json_object_foreach((json_t *)root, k, v)
    {
        if (!json_is_array(v) || json_array_size(v) != s->n)
            continue;
        for (i = 0; i < s->n && i < 64; i++)
            if (!json_equal(s->el[i], json_array_get(v, i)))
                break;
        if (i == s->n || i == 64)
            return;
    }
    abort(); /* no member of the DOM holds the elements the raw checker found */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct g2d_check_shape *shape;
    struct g2d_check_fault f1, f2;
    struct g2d_error e1 = {0}, e2 = {0};
    struct g2d_check_page pg;
    struct seen s = {0};
    const char *body;
    json_t *root;
    size_t len, i;
    int r1, r2;

    if (size < 1)
        return 0;
    shape = g2d_check_shape_at(data[0] % g2d_check_nshapes());
    body = (const char *)data + 1;
    len = size - 1;
    s.body = body;
    s.len = len;
    r2 = g2d_check_raw(shape, body, len, on_elem, &s, &pg, &f2, &e2);
    if (r2 == 0 && pg.token &&
        (pg.token < body || pg.token + pg.token_len > body + len || pg.token_len == 0))
        abort();
    if (r2 == 0 && pg.nelems != s.n)
        abort();
    if (r2 && !e2.msg[0])
        abort();
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (root && !memchr(body, '\0', len) && !memmem(body, len, "\\u", 2) &&
        depth(root) < G2D_JSCAN_MAX_DEPTH - 2) {
        r1 = g2d_check_json(shape, root, &f1, &e1);
        if (r1 != r2 || (r1 && strcmp(e1.msg, e2.msg) != 0))
            abort();
        if (r1 == -EIO && (strcmp(f1.code, f2.code) || strcmp(f1.message, f2.message)))
            abort();
        if (r1 == 0 && json_is_object(root))
            compare_elems(root, &s);
    }
    json_decref(root);
    for (i = 0; i < s.n && i < 64; i++)
        json_decref(s.el[i]);
    return 0;
}
