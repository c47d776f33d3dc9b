/* SPDX-License-Identifier: MIT */
/*
 * Legacy front end: the `application.properties` file of the Spark migrator (a subset of
 * the Java properties syntax), turned into the node tree the equivalent YAML file would
 * produce. The validator then applies the same rules and defaults to both formats; the
 * nodes carry their legacy key names so that messages name what the user wrote.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/buf.h"
#include "config/config_internal.h"

/* Longest logical line we accept (continuations included). */
#define PROPS_MAX_LINE (1u << 20)

enum legacy_kind {
    LK_SCALAR,   /* copied as it is */
    LK_ENDPOINT, /* host name or URL */
    LK_LIST,     /* comma-separated list -> sequence */
    LK_JSONMAP,  /* JSON object of strings -> mapping */
    LK_FIXED,    /* must hold one fixed value, produces nothing */
};

struct legacy_key {
    const char *name;
    const char *section; /* YAML section */
    const char *target;  /* YAML key, or the fixed value for LK_FIXED */
    enum legacy_kind kind;
};

static const struct legacy_key legacy_keys[] = {
    {"aws.accessKeyId", "glue", "access_key_id", LK_SCALAR},
    {"aws.secretAccessKey", "glue", "secret_access_key", LK_SCALAR},
    {"aws.region", "glue", "region", LK_SCALAR},
    {"aws.catalogId", "glue", "catalog_id", LK_SCALAR},
    {"aws.endpoint", "glue", "endpoint", LK_ENDPOINT},
    {"aliyun.accessKeyId", "dlf", "access_key_id", LK_SCALAR},
    {"aliyun.secretAccessKey", "dlf", "access_key_secret", LK_SCALAR},
    {"aliyun.region", "dlf", "region", LK_SCALAR},
    {"aliyun.endpoint", "dlf", "endpoint", LK_ENDPOINT},
    {"aliyun.catalogId", "dlf", "catalog_id", LK_SCALAR},
    {"mode", NULL, "increment", LK_FIXED},
    {"comparePartition", NULL, "true", LK_FIXED},
    {"location.convertMap", "sync", "location_map", LK_JSONMAP},
    {"aws.databases", "sync", "databases", LK_LIST},
    {"aws.table.filter.prefix", "sync", "table_prefixes", LK_LIST},
    {"result.output.path", "result", "path", LK_SCALAR},
};
#define NLEGACY (sizeof(legacy_keys) / sizeof(legacy_keys[0]))

static const char partition_prefix[] = "aws.partition.filter.";

#define KEY_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

struct props {
    const char *file;
    struct g2d_error *err;
    struct g2d__node *root;
    int seen_line[NLEGACY];    /* line of first occurrence, 0 = not seen */
    struct g2d__node *filters; /* sync.partition_filters, created on first use */
};

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

static int oom(struct props *ps)
{
    return g2d_error_set_at(ps->err, -ENOMEM, ps->file, 1, 1, "out of memory");
}

/* Make a node that is the value of @p key (positions all at line:1). */
static struct g2d__node *keyed_node(enum g2d__node_type type, const char *key, int line,
                                    const char *alias)
{
    struct g2d__node *n = g2d__node_new(type, line, 1);

    if (!n)
        return NULL;
    n->key = strdup(key);
    n->key_len = n->key ? strlen(key) : 0;
    n->key_line = line;
    n->key_col = 1;
    n->alias = alias ? strdup(alias) : NULL;
    if (!n->key || (alias && !n->alias)) {
        g2d__node_free(n);
        return NULL;
    }
    return n;
}

static struct g2d__node *scalar_node(const char *key, const char *val, size_t len, int line,
                                     const char *alias)
{
    struct g2d__node *n = keyed_node(G2D__NODE_SCALAR, key, line, alias);

    if (!n)
        return NULL;
    n->str = memdup0(val, len);
    n->len = len;
    if (!n->str) {
        g2d__node_free(n);
        return NULL;
    }
    return n;
}

/* Find or create the section mapping @p name under the root. */
static struct g2d__node *section(struct props *ps, const char *name, int line)
{
    struct g2d__node *n;
    size_t i;

    for (i = 0; i < ps->root->nkids; i++)
        if (!strcmp(ps->root->kids[i]->key, name))
            return ps->root->kids[i];
    n = keyed_node(G2D__NODE_MAP, name, line, NULL);
    if (!n)
        return NULL;
    if (g2d__node_append(ps->root, n) < 0) {
        g2d__node_free(n);
        return NULL;
    }
    return n;
}

static int add_to(struct props *ps, struct g2d__node *parent, struct g2d__node *n)
{
    if (!n)
        return oom(ps);
    if (g2d__node_append(parent, n) < 0) {
        g2d__node_free(n);
        return oom(ps);
    }
    return 0;
}

static int add_list(struct props *ps, struct g2d__node *seq, const char *val, int line,
                    const char *alias)
{
    const char *p = val;

    while (*p) {
        const char *s, *e;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        s = p;
        while (*p && *p != ',')
            p++;
        e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (add_to(ps, seq, scalar_node("", s, (size_t)(e - s), line, alias)) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int add_json_map(struct props *ps, struct g2d__node *map, const char *val, int line,
                        const char *alias)
{
    json_error_t jerr;
    json_t *root, *v;
    const char *k;
    int r = 0;

    root = json_loads(val, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                "key '%s': invalid JSON at column %d: %s", alias, jerr.column,
                                jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                "key '%s': must be a JSON object of \"from\": \"to\" prefixes",
                                alias);
    }
    json_object_foreach(root, k, v)
    {
        struct g2d__node *n;

        if (!json_is_string(v)) {
            r = g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                 "key '%s': value for '%.100s' must be a string", alias, k);
            break;
        }
        n = scalar_node(k, json_string_value(v), json_string_length(v), line, alias);
        r = add_to(ps, map, n);
        if (r < 0)
            break;
    }
    json_decref(root);
    return r;
}

/* Store one key=value pair. */
static int add_pair(struct props *ps, const char *key, const char *val, int line)
{
    const struct legacy_key *lk = NULL;
    struct g2d__node *sec, *n;
    size_t i, vlen = strlen(val);
    char *url;
    int r;

    if (!strncmp(key, partition_prefix, sizeof(partition_prefix) - 1)) {
        if (!vlen)
            return 0;
        if (!ps->filters) {
            sec = section(ps, "sync", line);
            if (!sec)
                return oom(ps);
            ps->filters = keyed_node(G2D__NODE_MAP, "partition_filters", line, NULL);
            r = add_to(ps, sec, ps->filters);
            if (r < 0) {
                ps->filters = NULL;
                return r;
            }
        }
        return add_to(ps, ps->filters,
                      scalar_node(key + sizeof(partition_prefix) - 1, val, vlen, line, key));
    }
    for (i = 0; i < NLEGACY; i++) {
        if (!strcmp(legacy_keys[i].name, key)) {
            lk = &legacy_keys[i];
            break;
        }
    }
    if (!lk) {
        /* A stray line may be a pasted secret: name it only if it looks like a key. */
        if (strlen(key) <= 100 && strspn(key, KEY_CHARS) == strlen(key) &&
            (strchr(key, '.') || strlen(key) <= 24))
            return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1, "key '%s': unknown key",
                                    key);
        return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                "unknown key (not shown in case it is a secret)");
    }
    if (ps->seen_line[i])
        return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                "key '%s': duplicate key (first set on line %d)", key,
                                ps->seen_line[i]);
    ps->seen_line[i] = line;
    if (!vlen)
        return 0; /* blank means unset */
    if (lk->kind == LK_FIXED) {
        if (strcmp(val, lk->target))
            return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                    "key '%s': must be '%s' (the only behaviour supported)", key,
                                    lk->target);
        return 0;
    }
    sec = section(ps, lk->section, line);
    if (!sec)
        return oom(ps);
    switch (lk->kind) {
    case LK_ENDPOINT:
        if (strstr(val, "://"))
            return add_to(ps, sec, scalar_node(lk->target, val, vlen, line, key));
        if (asprintf(&url, "https://%s", val) < 0)
            return oom(ps);
        n = scalar_node(lk->target, url, strlen(url), line, key);
        free(url);
        return add_to(ps, sec, n);
    case LK_LIST:
        n = keyed_node(G2D__NODE_SEQ, lk->target, line, key);
        r = add_to(ps, sec, n);
        return r < 0 ? r : add_list(ps, n, val, line, key);
    case LK_JSONMAP:
        n = keyed_node(G2D__NODE_MAP, lk->target, line, key);
        r = add_to(ps, sec, n);
        return r < 0 ? r : add_json_map(ps, n, val, line, key);
    default:
        return add_to(ps, sec, scalar_node(lk->target, val, vlen, line, key));
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Resolve Java escapes of s[0..n) into out (which must hold n + 1 bytes). */
static int unescape(struct props *ps, const char *s, size_t n, char *out, int line)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c != '\\' || i + 1 == n) {
            out[o++] = c;
            continue;
        }
        c = s[++i];
        switch (c) {
        case 't':
            out[o++] = '\t';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'u': {
            unsigned cp = 0;
            int k;

            for (k = 1; k <= 4; k++) {
                int h = i + (size_t)k < n ? hexval(s[i + (size_t)k]) : -1;

                if (h < 0)
                    return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                            "malformed \\uXXXX escape");
                cp = cp << 4 | (unsigned)h;
            }
            i += 4;
            if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
                return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1,
                                        "unsupported \\u%04X escape", cp);
            /* "\uXXXX" is 6 bytes and its UTF-8 form at most 3, so out cannot overflow. */
            if (cp < 0x80) {
                out[o++] = (char)cp;
            } else if (cp < 0x800) {
                out[o++] = (char)(0xc0 | cp >> 6);
                out[o++] = (char)(0x80 | (cp & 0x3f));
            } else {
                out[o++] = (char)(0xe0 | cp >> 12);
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[o++] = (char)(0x80 | (cp & 0x3f));
            }
            break;
        }
        default:
            out[o++] = c;
        }
    }
    out[o] = '\0';
    return 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* Split one logical line (escapes still in place) into key and value, and store them. */
static int do_line(struct props *ps, const char *s, size_t n, int line)
{
    size_t i = 0, ks, ke, vs, ve;
    char *key = NULL, *val = NULL;
    int r;

    if (memchr(s, '\0', n))
        return g2d_error_set_at(ps->err, -EINVAL, ps->file, line, 1, "line holds a NUL byte");
    ks = i;
    while (i < n && s[i] != '=' && s[i] != ':' && !is_ws(s[i]))
        i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
    ke = i;
    while (i < n && is_ws(s[i]))
        i++;
    if (i < n && (s[i] == '=' || s[i] == ':'))
        i++;
    while (i < n && is_ws(s[i]))
        i++;
    vs = i;
    ve = n;
    while (ve > vs && is_ws(s[ve - 1]) && !(ve - 1 > vs && s[ve - 2] == '\\'))
        ve--;
    key = malloc(ke - ks + 1);
    val = malloc(ve - vs + 1);
    if (!key || !val) {
        r = oom(ps);
        goto out;
    }
    r = unescape(ps, s + ks, ke - ks, key, line);
    if (r == 0)
        r = unescape(ps, s + vs, ve - vs, val, line);
    if (r == 0)
        r = add_pair(ps, key, val, line);
out:
    free(key);
    if (val)
        memset(val, 0, ve - vs + 1); /* it may be a secret */
    free(val);
    return r;
}

int g2d__props_parse(const char *file, const char *data, size_t len, struct g2d__node **out,
                     struct g2d_error *err)
{
    struct props ps;
    struct g2d_buf lb;
    size_t pos = 0;
    int line = 1, r = 0;

    memset(&ps, 0, sizeof(ps));
    ps.file = file;
    ps.err = err;
    ps.root = g2d__node_new(G2D__NODE_MAP, 1, 1);
    if (!ps.root)
        return oom(&ps);
    g2d_buf_init(&lb, PROPS_MAX_LINE);
    while (pos < len && r == 0) {
        int start = line;
        bool eol = false;

        g2d_buf_reset(&lb);
        while (pos < len && is_ws(data[pos]))
            pos++;
        if (pos < len && (data[pos] == '#' || data[pos] == '!')) {
            while (pos < len && data[pos] != '\n' && data[pos] != '\r')
                pos++;
        }
        /* Collect one logical line: a backslash before the end of line continues it. */
        while (pos < len && !eol && r == 0) {
            char c = data[pos];

            if (c == '\n' || c == '\r') {
                pos += (c == '\r' && pos + 1 < len && data[pos + 1] == '\n') ? 2 : 1;
                line++;
                eol = true;
            } else if (c == '\\' && pos + 1 < len && data[pos + 1] != '\n' &&
                       data[pos + 1] != '\r') {
                r = g2d_buf_append(&lb, data + pos, 2);
                pos += 2;
            } else if (c == '\\') {
                pos++;
                if (pos < len) {
                    pos += (data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n') ? 2 : 1;
                    line++;
                }
                while (pos < len && is_ws(data[pos]))
                    pos++;
            } else {
                r = g2d_buf_putc(&lb, c);
                pos++;
            }
        }
        if (r < 0) {
            r = g2d_error_set_at(err, r, file, start, 1,
                                 r == -E2BIG ? "line too long" : "out of memory");
            break;
        }
        if (lb.len)
            r = do_line(&ps, lb.data, lb.len, start);
    }
    if (lb.data)
        memset(lb.data, 0, lb.cap);
    g2d_buf_done(&lb);
    if (r < 0) {
        g2d__node_free(ps.root);
        return r;
    }
    *out = ps.root;
    return 0;
}

/*
 * A properties file starts (after blank and comment lines) with `key=value`, or with a
 * dotted key followed by ':' or white space (`aws.region: x`). A YAML file starts with
 * `section:` (no dot), `---`, `%YAML`, or a comment.
 */
bool g2d__props_sniff(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t ks;
        bool dot = false;

        while (i < len && (is_ws(data[i]) || data[i] == '\n' || data[i] == '\r'))
            i++;
        if (i < len && (data[i] == '#' || data[i] == '!')) {
            while (i < len && data[i] != '\n')
                i++;
            continue;
        }
        ks = i;
        while (i < len && (data[i] == '.' || data[i] == '_' || data[i] == '-' ||
                           (data[i] >= '0' && data[i] <= '9') ||
                           ((data[i] | 0x20) >= 'a' && (data[i] | 0x20) <= 'z'))) {
            dot |= data[i] == '.';
            i++;
        }
        if (i == ks || data[ks] == '.' || data[ks] == '-')
            return false;
        if (i < len && data[i] == '=')
            return true;
        if (!dot)
            return false;
        return i == len || data[i] == ':' || is_ws(data[i]);
    }
    return false;
}
