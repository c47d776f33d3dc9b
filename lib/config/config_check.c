/* SPDX-License-Identifier: MIT */
/*
 * The validator: walks the node tree that a front end built (config_yaml.c,
 * config_props.c) against the key table (config_keys.c) and fills struct g2d_config.
 * Every error names file:line:col and the dotted key (or the legacy key) it is about.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/utf8.h"
#include "glue2dlf/oss.h"
#include "config/config_check.h"

/* Copy @p s into @p dst (size @p cap, truncating), replacing control bytes by '?'. */
void g2d__cfg_sanitize(char *dst, size_t cap, const char *s, size_t max)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < cap && i < max; i++)
        dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    dst[i] = '\0';
}

/* dst = a "." b, truncated to cap. */
void g2d__cfg_join(char *dst, size_t cap, const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, a, n);
    if (n + 1 < cap)
        dst[n++] = '.';
    if (m > cap - 1 - n)
        m = cap - 1 - n;
    memcpy(dst + n, b, m);
    dst[n + m] = '\0';
}

/* The name a message uses for node @p n: its legacy key, or the dotted YAML path. */
int g2d__cfg_fail(struct g2d__cfg_ctx *c, const struct g2d__node *n, bool at_key, const char *path,
                  const char *fmt, ...)
{
    char msg[300], name[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    g2d__cfg_sanitize(name, sizeof(name), n && n->alias ? n->alias : path, SIZE_MAX);
    return g2d_error_set_at(c->err, -EINVAL, c->file, n ? (at_key ? n->key_line : n->line) : 1,
                            n ? (at_key ? n->key_col : n->col) : 1, "key '%s': %s", name, msg);
}

const char *g2d__cfg_type_name(const struct g2d__node *n)
{
    switch (n->type) {
    case G2D__NODE_MAP:
        return "a mapping";
    case G2D__NODE_SEQ:
        return "a list";
    default:
        return "a scalar";
    }
}

/* Quote a user value for a message: sanitised and cut at 40 bytes. */
const char *g2d__cfg_shown(char *buf, size_t cap, const char *s)
{
    g2d__cfg_sanitize(buf, cap, s, 80);
    return buf;
}

/* Set *p to a copy of s (which may hold secrets: callers zero what they free). */
int g2d__cfg_set_str(struct g2d__cfg_ctx *c, char **p, const char *s)
{
    char *d = strdup(s);

    if (!d)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    free(*p);
    *p = d;
    return 0;
}

/*
 * True if s holds a control character or is not text that YAML can carry: not UTF-8 (by
 * the one validator, g2d_utf8_seq()), C1 controls other than NEL, U+FFFE/U+FFFF. Both
 * formats then print back as valid YAML.
 */
bool g2d__cfg_bad_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

    while (p < end) {
        size_t n;
        unsigned cp;

        if (*p < 0x20 || *p == 0x7f)
            return true;
        if (*p < 0x80) {
            p++;
            continue;
        }
        n = g2d_utf8_seq(p, end);
        if (!n)
            return true;
        cp = n == 2 ? ((p[0] & 0x1fu) << 6 | (p[1] & 0x3fu)) : 0;
        if ((cp >= 0x80 && cp <= 0x9f && cp != 0x85) ||
            (n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)))
            return true;
        p += n;
    }
    return false;
}

/*
 * Common checks for a scalar expected to hold text. Returns 1 if the value is null (leave
 * the default), 0 if it is usable, or a negative error.
 */
int g2d__cfg_scalar_text(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path,
                         const char *what)
{
    if (n->type != G2D__NODE_SCALAR)
        return g2d__cfg_fail(c, n, false, path, "expected %s, got %s", what, g2d__cfg_type_name(n));
    if (n->null)
        return 1;
    if (strlen(n->str) != n->len)
        return g2d__cfg_fail(c, n, false, path, "must not contain a NUL character");
    return 0;
}

/* A plain string: empty means unset; no control characters. */
int g2d__cfg_get_string(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path,
                        const char **out)
{
    int r = g2d__cfg_scalar_text(c, n, path, "a string");

    *out = NULL;
    if (r)
        return r;
    if (!n->len)
        return 1;
    if (n->len > G2D__STR_MAX)
        return g2d__cfg_fail(c, n, false, path, "too long (more than %d bytes)", G2D__STR_MAX);
    if (g2d__cfg_bad_text(n->str))
        return g2d__cfg_fail(c, n, false, path, "must be UTF-8 text without control characters");
    *out = n->str;
    return 0;
}

/* Keys stored as text: plain strings, regions, endpoint URLs, result paths, sockets. */
static int apply_text(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    char **field = g2d__key_field(c->cfg, d);
    const char *s, *why;
    char vb[96], *norm;
    int r = g2d__cfg_get_string(c, n, path, &s);

    if (r)
        return r < 0 ? r : 0;
    if (d->type == K_REGION && !g2d__valid_region(s))
        return g2d__cfg_fail(c, n, false, path,
                             "invalid region '%s' (lowercase letters, digits and '-', "
                             "e.g. us-east-1)",
                             g2d__cfg_shown(vb, sizeof(vb), s));
    if (d->type == K_URL) {
        why = g2d__check_url(s, &norm);
        if (why)
            return g2d__cfg_fail(c, n, false, path, "invalid endpoint URL '%s': %s",
                                 g2d__cfg_shown(vb, sizeof(vb), s), why);
        free(*field);
        *field = norm;
        return 0;
    }
    if (d->type == K_RESULT_PATH && !strncasecmp(s, "oss://", 6)) {
        char *bk, *px;

        if (g2d_oss_parse_location(s, &bk, &px, &why) < 0)
            return why ? g2d__cfg_fail(c, n, false, path, "invalid OSS location '%s': %s",
                                       g2d__cfg_shown(vb, sizeof(vb), s), why)
                       : -ENOMEM;
        free(bk);
        free(px);
        return g2d__cfg_set_str(c, field, s);
    }
    if (d->type == K_RESULT_PATH && strstr(s, "://"))
        return g2d__cfg_fail(c, n, false, path, "must be a local file path, not a URL");
    if (d->type == K_LISTEN || d->type == K_PROMFILE) {
        const char *bad = d->type == K_LISTEN ? g2d__check_listen(s) : g2d__check_promfile(s);

        if (bad)
            return g2d__cfg_fail(c, n, false, path, "'%s': %s", g2d__cfg_shown(vb, sizeof(vb), s),
                                 bad);
    }
    if (d->type == K_SOCKET && strlen(s) > G2D__UNIX_PATH_MAX)
        return g2d__cfg_fail(c, n, false, path, "too long for a UNIX socket (max %d bytes)",
                             G2D__UNIX_PATH_MAX);
    return g2d__cfg_set_str(c, field, s);
}

static int apply_uint(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    char vb[96];
    long long ll;
    int r = g2d__cfg_scalar_text(c, n, path, "an integer");

    if (r)
        return r < 0 ? r : 0;
    r = g2d__parse_ll(n->str, &ll);
    if (r == -1)
        return g2d__cfg_fail(c, n, false, path, "expected an integer, got '%s'",
                             g2d__cfg_shown(vb, sizeof(vb), n->str));
    if (r == -2 || ll < (long long)d->min || ll > (long long)d->max)
        return g2d__cfg_fail(c, n, false, path, "must be between %.0f and %.0f", d->min, d->max);
    *(unsigned *)g2d__key_field(c->cfg, d) = (unsigned)ll;
    return 0;
}

static int apply_double(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                        const struct g2d__node *n, const char *path)
{
    char vb[96];
    double dv;
    int r = g2d__cfg_scalar_text(c, n, path, "a number");

    if (r)
        return r < 0 ? r : 0;
    if (g2d__parse_double(n->str, &dv) < 0)
        return g2d__cfg_fail(c, n, false, path, "expected a number, got '%s'",
                             g2d__cfg_shown(vb, sizeof(vb), n->str));
    if (dv < d->min || dv > d->max)
        return g2d__cfg_fail(c, n, false, path, "must be between %.15g and %.15g", d->min, d->max);
    *(double *)g2d__key_field(c->cfg, d) = dv;
    return 0;
}

static int apply_duration(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                          const struct g2d__node *n, const char *path)
{
    char vb[96], nb[96];
    uint64_t u;
    int r = g2d__cfg_scalar_text(c, n, path, "a duration");

    if (r)
        return r < 0 ? r : 0;
    r = g2d__parse_duration(n->str, &u);
    if (r == -1)
        return g2d__cfg_fail(c, n, false, path,
                             "invalid duration '%s' (an integer with unit ms, s, m, h or d, "
                             "e.g. 30s)",
                             g2d__cfg_shown(vb, sizeof(vb), n->str));
    if (r == -2 || u > (uint64_t)d->max) {
        g2d__fmt_duration(nb, sizeof(nb), (uint64_t)d->max);
        return g2d__cfg_fail(c, n, false, path, "must be at most %s", nb);
    }
    if (u < (uint64_t)d->min) {
        g2d__fmt_duration(nb, sizeof(nb), (uint64_t)d->min);
        return g2d__cfg_fail(c, n, false, path, "must be at least %s", nb);
    }
    *(uint64_t *)g2d__key_field(c->cfg, d) = u;
    if (!strcmp(d->name, "jitter"))
        c->jitter = n;
    return 0;
}

static int apply_size(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    char vb[96], nb[96];
    uint64_t u;
    int r = g2d__cfg_scalar_text(c, n, path, "a size");

    if (r)
        return r < 0 ? r : 0;
    r = g2d__parse_size(n->str, &u);
    if (r == -1)
        return g2d__cfg_fail(c, n, false, path,
                             "invalid size '%s' (bytes, or an integer with KiB, MiB or GiB, "
                             "e.g. 256MiB)",
                             g2d__cfg_shown(vb, sizeof(vb), n->str));
    if (r == -2 || u < (uint64_t)d->min || u > (uint64_t)d->max || u > SIZE_MAX) {
        g2d__fmt_size(vb, sizeof(vb), (uint64_t)d->min);
        g2d__fmt_size(nb, sizeof(nb), (uint64_t)d->max);
        return g2d__cfg_fail(c, n, false, path, "must be between %s and %s", vb, nb);
    }
    *(size_t *)g2d__key_field(c->cfg, d) = (size_t)u;
    return 0;
}

static int apply_bool(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    char vb[96];
    int r = g2d__cfg_scalar_text(c, n, path, "true or false");

    if (r)
        return r < 0 ? r : 0;
    if (g2d__parse_bool(n->str, (bool *)g2d__key_field(c->cfg, d)) < 0)
        return g2d__cfg_fail(c, n, false, path, "expected true or false, got '%s'",
                             g2d__cfg_shown(vb, sizeof(vb), n->str));
    return 0;
}

static int apply_enum(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    char vb[96], list[128] = "";
    size_t i;
    int r = g2d__cfg_scalar_text(c, n, path, "a string");

    if (r)
        return r < 0 ? r : 0;
    for (i = 0; d->enums[i].name; i++) {
        if (!strcmp(n->str, d->enums[i].name)) {
            memcpy(g2d__key_field(c->cfg, d), &d->enums[i].value, sizeof(int));
            return 0;
        }
    }
    for (i = 0; d->enums[i].name; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 d->enums[i].name);
    return g2d__cfg_fail(c, n, false, path, "must be one of %s (got '%s')", list,
                         g2d__cfg_shown(vb, sizeof(vb), n->str));
}

static int apply_mode(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    char vb[96];
    int r = g2d__cfg_scalar_text(c, n, path, "an octal mode");

    if (r)
        return r < 0 ? r : 0;
    if (!n->len || n->len > 4 || strspn(n->str, "01234567") != n->len)
        return g2d__cfg_fail(c, n, false, path, "expected an octal mode like \"0660\", got '%s'",
                             g2d__cfg_shown(vb, sizeof(vb), n->str));
    *(mode_t *)g2d__key_field(c->cfg, d) = (mode_t)strtoul(n->str, NULL, 8);
    return 0;
}

static int apply(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d, const struct g2d__node *n,
                 const char *path)
{
    switch (d->type) {
    case K_SECRET:
        return g2d__apply_secret(c, d, n, path);
    case K_STRLIST:
        return g2d__apply_strlist(c, d, n, path);
    case K_OBJECTS:
        return g2d__apply_objects(c, n, path);
    case K_FILTERS:
        return g2d__apply_filters(c, n, path);
    case K_LOCMAP:
        return g2d__apply_locmap(c, n, path);
    case K_RENAME:
        return g2d__apply_rename(c, n, path);
    case K_STR:
    case K_REGION:
    case K_URL:
    case K_RESULT_PATH:
    case K_SOCKET:
    case K_LISTEN:
    case K_PROMFILE:
        return apply_text(c, d, n, path);
    case K_UINT:
        return apply_uint(c, d, n, path);
    case K_DOUBLE:
        return apply_double(c, d, n, path);
    case K_DURATION:
        return apply_duration(c, d, n, path);
    case K_SIZE:
        return apply_size(c, d, n, path);
    case K_BOOL:
        return apply_bool(c, d, n, path);
    case K_ENUM:
        return apply_enum(c, d, n, path);
    case K_MODE:
        return apply_mode(c, d, n, path);
    }
    return 0;
}

static int walk_section(struct g2d__cfg_ctx *c, const struct g2d__section_desc *sd,
                        const struct g2d__node *m)
{
    const struct g2d__node *seen[G2D__MAX_SECTION_KEYS] = {0};
    size_t i, j;
    char path[256];
    int r;

    for (i = 0; i < m->nkids; i++) {
        const struct g2d__node *k = m->kids[i];

        g2d__cfg_join(path, sizeof(path), sd->name, k->key);
        for (j = 0; j < sd->nkeys; j++)
            if (k->key_len == strlen(sd->keys[j].name) && !strcmp(k->key, sd->keys[j].name))
                break;
        if (j == sd->nkeys)
            return g2d__cfg_fail(c, k, true, path, "unknown key");
        if (seen[j])
            return g2d__cfg_fail(c, k, true, path, "duplicate key (first set on line %d)",
                                 seen[j]->key_line);
        seen[j] = k;
        r = apply(c, &sd->keys[j], k, path);
        if (r < 0)
            return r;
    }
    return 0;
}

int g2d__cfg_walk(struct g2d__cfg_ctx *c, const struct g2d__node *root)
{
    size_t i, j;
    int r;

    if (!root)
        return 0;
    if (root->type != G2D__NODE_MAP) {
        if (root->type == G2D__NODE_SCALAR && root->null)
            return 0;
        return g2d_error_set_at(c->err, -EINVAL, c->file, root->line, root->col,
                                "the top level must be a mapping of sections (glue, dlf, ...)");
    }
    for (i = 0; i < root->nkids; i++) {
        const struct g2d__node *k = root->kids[i];

        for (j = 0; j < g2d__nsections; j++)
            if (k->key_len == strlen(g2d__sections[j].name) &&
                !strcmp(k->key, g2d__sections[j].name))
                break;
        if (j == g2d__nsections)
            return g2d__cfg_fail(c, k, true, k->key, "unknown key");
        if (c->section_node[j])
            return g2d__cfg_fail(c, k, true, k->key, "duplicate key (first set on line %d)",
                                 c->section_node[j]->key_line);
        c->section_node[j] = k;
        if (k->type == G2D__NODE_SCALAR && k->null)
            continue;
        if (k->type != G2D__NODE_MAP)
            return g2d__cfg_fail(c, k, false, k->key, "expected a mapping, got %s",
                                 g2d__cfg_type_name(k));
        r = walk_section(c, &g2d__sections[j], k);
        if (r < 0)
            return r;
    }
    return 0;
}
