/* SPDX-License-Identifier: MIT */
/*
 * YAML front end: turns libyaml's event stream into the position-keeping node tree of
 * config_internal.h (the approach of h2o's yoml). Only plain data is accepted: one
 * document, scalar keys, no aliases.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/config_internal.h"

struct g2d__node *g2d__node_new(enum g2d__node_type type, int line, int col)
{
    struct g2d__node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->type = type;
    n->line = line;
    n->col = col;
    return n;
}

int g2d__node_append(struct g2d__node *parent, struct g2d__node *kid)
{
    if (parent->nkids == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        struct g2d__node **k = realloc(parent->kids, cap * sizeof(*k));

        if (!k)
            return -ENOMEM;
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->nkids++] = kid;
    return 0;
}

void g2d__node_free(struct g2d__node *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        g2d__node_free(n->kids[i]);
    free(n->kids);
    free(n->str);
    free(n->key);
    free(n->alias);
    free(n->pending_key);
    free(n);
}

static char *memdup0(const void *p, size_t len)
{
    char *s = malloc(len + 1);

    if (!s)
        return NULL;
    if (len)
        memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* libyaml reports reader errors (bad encoding, control characters) by byte offset only. */
static void offset_to_pos(const char *data, size_t len, size_t off, int *line, int *col)
{
    size_t i;

    *line = 1;
    *col = 1;
    for (i = 0; i < off && i < len; i++) {
        if (data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)data[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static int parser_error(const char *file, const char *data, size_t len, const yaml_parser_t *p,
                        struct g2d_error *err)
{
    int line = (int)p->problem_mark.line + 1;
    int col = (int)p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "unknown error";

    if (p->error == YAML_MEMORY_ERROR)
        return g2d_error_set_at(err, -ENOMEM, file, 1, 1, "out of memory parsing YAML");
    if (p->error == YAML_READER_ERROR) {
        offset_to_pos(data, len, p->problem_offset, &line, &col);
        return g2d_error_set_at(err, -EINVAL, file, line, col, "invalid YAML: %s", problem);
    }
    if (p->context)
        return g2d_error_set_at(err, -EINVAL, file, line, col,
                                "invalid YAML: %s (%s that starts on line %d)", problem, p->context,
                                (int)p->context_mark.line + 1);
    return g2d_error_set_at(err, -EINVAL, file, line, col, "invalid YAML: %s", problem);
}

static bool plain_null(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;

    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return n == 0 || (n == 1 && v[0] == '~') ||
           (n == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

/* Build state: the open containers, innermost last. */
struct builder {
    const char *file;
    struct g2d__node *root;
    struct g2d__node *stack[G2D__CFG_MAX_DEPTH];
    size_t depth;
    size_t nodes;
    int docs;
    struct g2d_error *err;
};

/* Attach a finished or opened node to the current container (or make it the root). */
static int attach(struct builder *b, struct g2d__node *n)
{
    struct g2d__node *parent;
    int r;

    if (++b->nodes > G2D__CFG_MAX_NODES) {
        r = g2d_error_set_at(b->err, -E2BIG, b->file, n->line, n->col,
                             "too many YAML nodes (more than %d)", G2D__CFG_MAX_NODES);
        g2d__node_free(n);
        return r;
    }
    if (b->depth == 0) {
        b->root = n;
        return 0;
    }
    parent = b->stack[b->depth - 1];
    if (parent->type == G2D__NODE_MAP) {
        n->key = parent->pending_key;
        n->key_len = parent->pending_len;
        n->key_line = parent->pending_line;
        n->key_col = parent->pending_col;
        parent->pending_key = NULL;
    }
    r = g2d__node_append(parent, n);
    if (r < 0) {
        g2d__node_free(n);
        return g2d_error_set_at(b->err, r, b->file, 1, 1, "out of memory parsing YAML");
    }
    return 0;
}

/* True if the current container is a mapping waiting for a key. */
static bool want_key(const struct builder *b)
{
    const struct g2d__node *p;

    if (b->depth == 0)
        return false;
    p = b->stack[b->depth - 1];
    return p->type == G2D__NODE_MAP && !p->pending_key;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1;
    int col = (int)ev->start_mark.column + 1;
    struct g2d__node *n, *p;
    int r;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1)
            return g2d_error_set_at(b->err, -EINVAL, b->file, line, col,
                                    "only one YAML document is allowed");
        return 0;
    case YAML_ALIAS_EVENT:
        return g2d_error_set_at(b->err, -EINVAL, b->file, line, col,
                                "YAML aliases are not supported");
    case YAML_SCALAR_EVENT:
        if (want_key(b)) {
            p = b->stack[b->depth - 1];
            p->pending_key = memdup0(ev->data.scalar.value, ev->data.scalar.length);
            if (!p->pending_key)
                return g2d_error_set_at(b->err, -ENOMEM, b->file, 1, 1, "out of memory");
            p->pending_len = ev->data.scalar.length;
            p->pending_line = line;
            p->pending_col = col;
            return 0;
        }
        n = g2d__node_new(G2D__NODE_SCALAR, line, col);
        if (n)
            n->str = memdup0(ev->data.scalar.value, ev->data.scalar.length);
        if (!n || !n->str) {
            g2d__node_free(n);
            return g2d_error_set_at(b->err, -ENOMEM, b->file, 1, 1, "out of memory");
        }
        n->len = ev->data.scalar.length;
        n->null = plain_null(ev);
        return attach(b, n);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (want_key(b))
            return g2d_error_set_at(b->err, -EINVAL, b->file, line, col,
                                    "mapping keys must be scalars");
        if (b->depth == G2D__CFG_MAX_DEPTH)
            return g2d_error_set_at(b->err, -EINVAL, b->file, line, col,
                                    "YAML nested too deeply (more than %d levels)",
                                    G2D__CFG_MAX_DEPTH);
        n = g2d__node_new(ev->type == YAML_MAPPING_START_EVENT ? G2D__NODE_MAP : G2D__NODE_SEQ,
                          line, col);
        if (!n)
            return g2d_error_set_at(b->err, -ENOMEM, b->file, 1, 1, "out of memory");
        r = attach(b, n);
        if (r < 0)
            return r;
        b->stack[b->depth++] = n;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            b->depth--;
        return 0;
    default:
        return 0;
    }
}

int g2d__yaml_parse(const char *file, const char *data, size_t len, struct g2d__node **out,
                    struct g2d_error *err)
{
    struct builder b;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool done = false;
    int r = 0;

    memset(&b, 0, sizeof(b));
    b.file = file;
    b.err = err;
    if (!yaml_parser_initialize(&parser))
        return g2d_error_set_at(err, -ENOMEM, file, 1, 1, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            r = parser_error(file, data, len, &parser, err);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        r = on_event(&b, &ev);
        yaml_event_delete(&ev);
        if (r < 0)
            break;
    }
    yaml_parser_delete(&parser);
    if (r < 0) {
        g2d__node_free(b.root);
        return r;
    }
    *out = b.root;
    return 0;
}
