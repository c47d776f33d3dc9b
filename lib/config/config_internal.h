/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the config front ends (YAML, legacy properties), the
 * descriptor-driven validator and the printer. Not installed, not part of the API.
 *
 * Both front ends build the same small node tree, which keeps the position of every key
 * and value, so that one table of option descriptors validates both formats and every
 * error can name file:line:col.
 */
#ifndef GLUE2DLF_CONFIG_INTERNAL_H
#define GLUE2DLF_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/error.h"

/* Nesting and size limits for the node tree; they bound recursion and memory. */
#define G2D__CFG_MAX_DEPTH 32
#define G2D__CFG_MAX_NODES 100000

enum g2d__node_type {
    G2D__NODE_SCALAR,
    G2D__NODE_MAP,
    G2D__NODE_SEQ,
};

struct g2d__node {
    enum g2d__node_type type;
    int line, col; /* 1-based position of the value */
    bool null;     /* scalar: a plain YAML null ("", "~", "null") */
    char *str;     /* scalar text, NUL-terminated; NULL for containers */
    size_t len;    /* scalar length (may differ from strlen() if it holds a NUL) */
    char *key;     /* key text when this node is a mapping value, else NULL */
    size_t key_len;
    int key_line, key_col;
    char *alias; /* legacy key name to use in messages instead of the path */
    struct g2d__node **kids;
    size_t nkids, cap;
    /* Only used while building a mapping: the key waiting for its value. */
    char *pending_key;
    size_t pending_len;
    int pending_line, pending_col;
};

/* Allocate a node; NULL on allocation failure. */
struct g2d__node *g2d__node_new(enum g2d__node_type type, int line, int col);
/* Append @p kid to @p parent (which takes ownership); 0 or -ENOMEM. */
int g2d__node_append(struct g2d__node *parent, struct g2d__node *kid);
/* Free a node and its children. Accepts NULL. */
void g2d__node_free(struct g2d__node *n);

/*
 * Parse YAML text into a node tree. *out is NULL for an empty document.
 * Returns 0 or -errno with @p err naming file:line:col.
 */
int g2d__yaml_parse(const char *file, const char *data, size_t len, struct g2d__node **out,
                    struct g2d_error *err);

/*
 * Parse a legacy application.properties file into the node tree that the equivalent YAML
 * file would produce (keys carry their legacy name in ->alias for messages).
 */
int g2d__props_parse(const char *file, const char *data, size_t len, struct g2d__node **out,
                     struct g2d_error *err);

/* True if a config file's first meaningful line looks like Java properties. */
bool g2d__props_sniff(const char *data, size_t len);

/* Render a duration in its largest exact unit ("5m", "1500ms"). */
void g2d__fmt_duration(char *buf, size_t cap, uint64_t ms);
/* Render a size in its largest exact binary unit ("256MiB", "1000"). */
void g2d__fmt_size(char *buf, size_t cap, uint64_t bytes);

#endif
