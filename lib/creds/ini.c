/* SPDX-License-Identifier: MIT */
/*
 * The ini dialect of the AWS shared files (~/.aws/credentials, ~/.aws/config) and of
 * Alibaba's ~/.alibabacloud/credentials: sections, `key = value`, comment lines. Values may
 * hold secrets: they are wiped when the parse is freed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds/creds-internal.h"

#define INI_MAX (1u << 20)

void g2d__whatf(char *buf, size_t sz, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sz, fmt, ap);
    va_end(ap);
}

void g2d__wipe_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

void g2d__ini_free(struct g2d__ini *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        for (size_t k = 0; k < ini->s[i].n; k++) {
            free(ini->s[i].kv[k].key);
            g2d__wipe_free(ini->s[i].kv[k].value);
        }
        free(ini->s[i].kv);
        free(ini->s[i].name);
    }
    free(ini->s);
    ini->s = NULL;
    ini->n = 0;
}

static char *dup_trim(const char *p, size_t n, bool lower)
{
    char *s;

    while (n && isspace((unsigned char)*p))
        p++, n--;
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    for (size_t i = 0; lower && i < n; i++)
        s[i] = (char)tolower((unsigned char)s[i]);
    return s;
}

static int add_section(struct g2d__ini *ini, const char *p, size_t n)
{
    struct g2d__ini_sect *ns = realloc(ini->s, (ini->n + 1) * sizeof(*ns));

    if (!ns)
        return -ENOMEM;
    ini->s = ns;
    memset(&ns[ini->n], 0, sizeof(ns[0]));
    ns[ini->n].name = dup_trim(p, n, false);
    if (!ns[ini->n].name)
        return -ENOMEM;
    ini->n++;
    return 0;
}

static int add_kv(struct g2d__ini_sect *s, const char *line, size_t n, size_t eq)
{
    char *key = dup_trim(line, eq, true), *val = dup_trim(line + eq + 1, n - eq - 1, false);
    struct g2d__ini_kv *nk;
    size_t i;

    if (!key || !val || !*key) {
        free(key);
        g2d__wipe_free(val);
        return key && val ? -EINVAL : -ENOMEM;
    }
    for (i = 0; i < s->n; i++)
        if (strcmp(s->kv[i].key, key) == 0) {
            free(key);
            g2d__wipe_free(s->kv[i].value);
            s->kv[i].value = val;
            return 0;
        }
    nk = realloc(s->kv, (s->n + 1) * sizeof(*nk));
    if (!nk) {
        free(key);
        g2d__wipe_free(val);
        return -ENOMEM;
    }
    s->kv = nk;
    nk[s->n].key = key;
    nk[s->n].value = val;
    s->n++;
    return 0;
}

/* One line (without its newline). @return 0, 1 (ignored), <0 */
static int parse_line(struct g2d__ini *ini, const char *line, size_t n)
{
    size_t i = 0, eq;
    const char *close;

    if (n && (line[0] == ' ' || line[0] == '\t')) {
        while (i < n && isspace((unsigned char)line[i]))
            i++;
        if (i == n)
            return 1;
        return ini->n ? 1 : -EINVAL; /* a nested setting, or junk before any section */
    }
    if (!n || line[0] == '#' || line[0] == ';')
        return 1;
    if (line[0] == '[') {
        close = memchr(line, ']', n);
        if (!close || close == line + 1)
            return -EINVAL;
        for (const char *p = close + 1; p < line + n; p++)
            if (*p == '#' || *p == ';')
                break;
            else if (!isspace((unsigned char)*p))
                return -EINVAL;
        return add_section(ini, line + 1, (size_t)(close - line - 1));
    }
    if (!ini->n)
        return -EINVAL;
    for (eq = 0; eq < n && line[eq] != '=' && line[eq] != ':'; eq++)
        ;
    if (eq >= n)
        return -EINVAL;
    return add_kv(&ini->s[ini->n - 1], line, n, eq);
}

int g2d__ini_parse(const char *text, size_t len, struct g2d__ini *out, unsigned *bad_line)
{
    size_t pos = 0;
    unsigned line = 0;
    int r;

    memset(out, 0, sizeof(*out));
    *bad_line = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

        line++;
        if (memchr(text + pos, '\0', n)) {
            r = -EINVAL;
        } else {
            size_t m = n && text[pos + n - 1] == '\r' ? n - 1 : n;

            r = parse_line(out, text + pos, m);
        }
        if (r < 0) {
            *bad_line = line;
            g2d__ini_free(out);
            return r;
        }
        pos += n + (nl ? 1 : 0);
    }
    return 0;
}

int g2d__ini_load(const char *path, struct g2d__ini *out, char *why, size_t whysz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    unsigned bad = 0;
    int r = 0;

    memset(out, 0, sizeof(*out));
    if (fd < 0) {
        r = -errno;
        snprintf(why, whysz, "%s: %s", path, strerror(errno));
        return r;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > INI_MAX) {
        snprintf(why, whysz, "%s: not a regular file of at most 1 MiB", path);
        close(fd);
        return -EINVAL;
    }
    buf = malloc((size_t)st.st_size + 1);
    while (buf && len < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    if (!buf) {
        snprintf(why, whysz, "out of memory");
        return -ENOMEM;
    }
    r = g2d__ini_parse(buf, len, out, &bad);
    if (r == -EINVAL)
        snprintf(why, whysz, "%s:%u: not an ini line", path, bad);
    else if (r < 0)
        snprintf(why, whysz, "out of memory");
    explicit_bzero(buf, len);
    free(buf);
    return r;
}

const struct g2d__ini_sect *g2d__ini_section(const struct g2d__ini *ini, const char *name)
{
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->s[i].name, name) == 0)
            return &ini->s[i];
    return NULL;
}

const char *g2d__ini_get(const struct g2d__ini_sect *s, const char *key)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->kv[i].key, key) == 0)
            return s->kv[i].value[0] ? s->kv[i].value : NULL;
    return NULL;
}
