/* SPDX-License-Identifier: MIT */
/*
 * Secrets: the three forms of a secret key (a literal, *_env naming an environment
 * variable, *_credential naming a systemd credential), the standard fallbacks when none
 * is set, and wiping them when a config is freed. Secret values never reach a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_check.h"

#define CREDENTIAL_MAX (64u << 10)

/*
 * Read systemd credential @p name from $CREDENTIALS_DIRECTORY into *out (one trailing
 * newline stripped). Returns 0, -ENOENT if the directory variable is unset or the file does
 * not exist, or another -errno; *why explains.
 */
int g2d__read_credential(const char *name, char **out, const char **why)
{
    const char *dir = secure_getenv("CREDENTIALS_DIRECTORY");
    char path[4096 + 256 + 2];
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    int fd, r = 0;

    *out = NULL;
    if (!dir || !*dir) {
        *why = "$CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit)";
        return -ENOENT;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
        *why = "path too long";
        return -ENAMETOOLONG;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        r = -errno;
        *why = strerror(errno);
        return r;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        r = -EINVAL;
        goto out;
    }
    buf = malloc(CREDENTIAL_MAX + 1);
    if (!buf) {
        *why = "out of memory";
        r = -ENOMEM;
        goto out;
    }
    for (;;) {
        ssize_t k = read(fd, buf + len, CREDENTIAL_MAX + 1 - len);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = -errno;
            *why = strerror(errno);
            goto out;
        }
        if (k == 0)
            break;
        len += (size_t)k;
        if (len > CREDENTIAL_MAX) {
            *why = "larger than 64 KiB";
            r = -E2BIG;
            goto out;
        }
    }
    if (len && buf[len - 1] == '\n')
        len--;
    buf[len] = '\0';
    if (!len || strlen(buf) != len) {
        *why = len ? "holds a NUL byte" : "is empty";
        r = -EINVAL;
        goto out;
    }
    *out = buf;
    buf = NULL;
out:
    if (buf) {
        explicit_bzero(buf, CREDENTIAL_MAX + 1);
        free(buf);
    }
    close(fd);
    return r;
}

void g2d__secret_clear(struct g2d_secret *s)
{
    if (s->value) {
        explicit_bzero(s->value, strlen(s->value));
        free(s->value);
    }
    free(s->origin);
    s->value = NULL;
    s->origin = NULL;
    s->source = G2D_SECRET_NONE;
}

int g2d__apply_secret(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path)
{
    struct g2d__secret_state *st = &c->sec[d->slot];
    struct g2d_secret *sec = (struct g2d_secret *)(void *)((char *)c->cfg + d->off);
    size_t baselen = strlen(path) - strlen(g2d__variant_suffix[d->variant]);
    const char *why;
    char *v = NULL;
    int r;

    r = g2d__cfg_scalar_text(c, n, path, "a string");
    if (r)
        return r < 0 ? r : 0;
    if (!n->len)
        return 0;
    if (st->node)
        return g2d__cfg_fail(
            c, n, true, path,
            "conflicts with '%s': set only one of %.*s, %.*s_env and %.*s_credential", st->name,
            (int)baselen, path, (int)baselen, path, (int)baselen, path);
    st->node = n;
    g2d__cfg_sanitize(st->name, sizeof(st->name), n->alias ? n->alias : path, SIZE_MAX);
    if (d->variant == 0) {
        r = g2d__cfg_set_str(c, &sec->value, n->str);
        if (r < 0)
            return r;
        sec->source = G2D_SECRET_FILE;
        if (!c->lit->found) {
            c->lit->found = true;
            c->lit->line = n->key_line;
            c->lit->col = n->key_col;
            snprintf(c->lit->name, sizeof(c->lit->name), "%s", st->name);
        }
        return 0;
    }
    if (d->variant == 1) {
        const char *e;

        if (!g2d__valid_env_name(n->str))
            return g2d__cfg_fail(c, n, false, path, "'%s' is not a valid environment variable name",
                                 g2d__cfg_shown((char[96]){0}, 96, n->str));
        e = secure_getenv(n->str);
        if (!e || !*e)
            return g2d__cfg_fail(c, n, false, path, "environment variable '%s' is not set or empty",
                                 n->str);
        r = g2d__cfg_set_str(c, &sec->value, e);
        if (r == 0)
            r = g2d__cfg_set_str(c, &sec->origin, n->str);
        sec->source = G2D_SECRET_ENV;
        return r;
    }
    if (!g2d__valid_credential_name(n->str))
        return g2d__cfg_fail(c, n, false, path, "'%s' is not a valid credential name (no '/')",
                             g2d__cfg_shown((char[96]){0}, 96, n->str));
    r = g2d__read_credential(n->str, &v, &why);
    if (r < 0)
        return g2d__cfg_fail(c, n, false, path, "cannot read credential '%s': %s", n->str, why);
    sec->value = v;
    sec->source = G2D_SECRET_CREDENTIAL;
    return g2d__cfg_set_str(c, &sec->origin, n->str);
}

static int env_secret(struct g2d__cfg_ctx *c, struct g2d_secret *s, const char *var)
{
    const char *e = secure_getenv(var);

    if (!e || !*e)
        return 0;
    if (g2d__cfg_set_str(c, &s->value, e) < 0 || g2d__cfg_set_str(c, &s->origin, var) < 0)
        return -ENOMEM;
    s->source = G2D_SECRET_ENV;
    return 1;
}

/*
 * Standard fallbacks for a side whose secret is not configured: the environment, then a
 * systemd credential with a fixed name. The session token is taken from the environment
 * only together with a secret from there, so that parts of two key pairs are never mixed.
 */
int g2d__resolve_side(struct g2d__cfg_ctx *c, char **key_id, struct g2d_secret *secret,
                      struct g2d_secret *token, bool secret_set, bool token_set, const char *id_env,
                      const char *secret_env, const char *token_env, const char *credential)
{
    const char *e = secure_getenv(id_env);
    const char *why;
    char *v;
    int r;

    if (!*key_id && e && *e && g2d__cfg_set_str(c, key_id, e) < 0)
        return -ENOMEM;
    if (secret_set)
        return 0;
    r = env_secret(c, secret, secret_env);
    if (r < 0)
        return r;
    if (r > 0)
        return token_set ? 0 : env_secret(c, token, token_env) < 0 ? -ENOMEM : 0;
    if (!secure_getenv("CREDENTIALS_DIRECTORY"))
        return 0;
    r = g2d__read_credential(credential, &v, &why);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return g2d_error_set_at(c->err, r, c->file, 1, 1, "cannot read credential '%s': %s",
                                credential, why);
    secret->value = v;
    secret->source = G2D_SECRET_CREDENTIAL;
    return g2d__cfg_set_str(c, &secret->origin, credential);
}
