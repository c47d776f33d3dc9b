/* SPDX-License-Identifier: MIT */
/*
 * The parsers and checks of single config values: integers, numbers, durations, sizes,
 * booleans, region names, endpoint URLs, environment variable and credential names; and
 * the formatting of durations and sizes back for --print-config and messages.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/listen.h"
#include "config/config_check.h"

bool g2d__valid_region(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

/*
 * Check an endpoint URL: http:// or https://, a host (name, IPv4 or [IPv6]) with an
 * optional port, no user info, no path except "/", no query or fragment. On success
 * *norm is a malloc'd copy without the trailing '/'. Returns NULL or a problem text.
 */
const char *g2d__check_url(const char *s, char **norm)
{
    const char *h, *p, *end;
    size_t n = strlen(s);

    *norm = NULL;
    if (!strncmp(s, "https://", 8))
        h = s + 8;
    else if (!strncmp(s, "http://", 7))
        h = s + 7;
    else
        return "must start with http:// or https://";
    end = s + n;
    if (end > h && end[-1] == '/')
        end--;
    if (end == h)
        return "has no host";
    if (memchr(h, '/', (size_t)(end - h)))
        return "must not have a path (only a trailing '/')";
    p = h;
    if (*p == '[') {
        while (p < end && *p != ']') {
            if (!((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f') ||
                  *p == ':' || *p == '.' || *p == '['))
                return "has an invalid IPv6 address";
            p++;
        }
        if (p == end || p == h + 1)
            return "has an invalid IPv6 address";
        p++;
    } else {
        while (p < end && *p != ':') {
            if (!((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
                  *p == '-' || *p == '.' || *p == '_'))
                return "has an invalid host name";
            p++;
        }
        if (p == h)
            return "has no host";
    }
    if (p < end) {
        unsigned long port = 0;
        const char *q;

        if (*p != ':' || p + 1 == end)
            return "has an invalid port";
        for (q = p + 1; q < end; q++) {
            if (*q < '0' || *q > '9' || q - p > 5)
                return "has an invalid port";
            port = port * 10 + (unsigned long)(*q - '0');
        }
        if (port == 0 || port > 65535)
            return "has an invalid port";
    }
    *norm = strndup(s, (size_t)(end - s));
    return *norm ? NULL : "out of memory";
}

/* Parse a decimal integer. 0 ok, -1 not a number, -2 out of the long long range. */
int g2d__parse_ll(const char *s, long long *v)
{
    const char *p = s;
    char *end;

    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return errno == ERANGE ? -2 : 0;
}

int g2d__parse_double(const char *s, double *v)
{
    const char *p;
    char *end;

    if (!*s)
        return -1;
    for (p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return -1;
    errno = 0;
    *v = strtod(s, &end);
    if (*end || end == s || !isfinite(*v))
        return -1;
    return 0;
}

/* "<digits><unit>": returns 0 and the product, -1 syntax, -2 overflow. */
static int parse_scaled(const char *s, const char *const *units, const uint64_t *mult,
                        uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    size_t i;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -2;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    for (i = 0; units[i]; i++) {
        if (!strcmp(p, units[i])) {
            if (v && mult[i] > UINT64_MAX / v)
                return -2;
            *out = v * mult[i];
            return 0;
        }
    }
    return -1;
}

static const char *const duration_units[] = {"", "ms", "s", "m", "h", "d", NULL};
static const uint64_t duration_mult[] = {1000, 1, 1000, 60000, 3600000, 86400000};
static const char *const size_units[] = {"", "B", "KiB", "MiB", "GiB", NULL};
static const uint64_t size_mult[] = {1, 1, 1u << 10, 1u << 20, 1u << 30};

int g2d__parse_duration(const char *s, uint64_t *ms)
{
    return parse_scaled(s, duration_units, duration_mult, ms);
}

int g2d__parse_size(const char *s, uint64_t *bytes)
{
    return parse_scaled(s, size_units, size_mult, bytes);
}

/* Render a duration in its largest exact unit ("5m", "1500ms"). */
void g2d__fmt_duration(char *buf, size_t cap, uint64_t ms)
{
    static const char *const u[] = {"d", "h", "m", "s"};
    static const uint64_t m[] = {86400000, 3600000, 60000, 1000};
    size_t i;

    /* Days only from two on: "24h" reads better than "1d". */
    for (i = ms >= 2 * m[0] ? 0 : 1; i < 4; i++) {
        if (ms && ms % m[i] == 0) {
            snprintf(buf, cap, "%llu%s", (unsigned long long)(ms / m[i]), u[i]);
            return;
        }
    }
    snprintf(buf, cap, "%llums", (unsigned long long)ms);
}

void g2d__fmt_size(char *buf, size_t cap, uint64_t v)
{
    static const char *const u[] = {"GiB", "MiB", "KiB"};
    static const uint64_t m[] = {1u << 30, 1u << 20, 1u << 10};
    size_t i;

    for (i = 0; i < 3; i++) {
        if (v && v % m[i] == 0) {
            snprintf(buf, cap, "%llu%s", (unsigned long long)(v / m[i]), u[i]);
            return;
        }
    }
    snprintf(buf, cap, "%llu", (unsigned long long)v);
}

int g2d__parse_bool(const char *s, bool *v)
{
    static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes",
                                    "YES",  "on",   "On",   "ON",  NULL};
    static const char *const f[] = {"false", "False", "FALSE", "no",  "No",
                                    "NO",    "off",   "Off",   "OFF", NULL};
    size_t i;

    for (i = 0; t[i]; i++) {
        if (!strcmp(s, t[i])) {
            *v = true;
            return 0;
        }
        if (!strcmp(s, f[i])) {
            *v = false;
            return 0;
        }
    }
    return -1;
}

bool g2d__valid_env_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

bool g2d__valid_credential_name(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && strlen(s) <= 255;
}

/* metrics.listen: what g2d_listen_parse() accepts. Returns NULL or a problem text. */
const char *g2d__check_listen(const char *s)
{
    struct g2d_listen l;

    return g2d_listen_parse(s, &l);
}

/* metrics.textfile: an absolute path ending in ".prom" (node_exporter's textfile collector
 * reads only *.prom files). Returns NULL or a problem text. */
const char *g2d__check_promfile(const char *s)
{
    size_t n = strlen(s);

    if (s[0] != '/')
        return "must be an absolute path";
    if (n < 6 || strcmp(s + n - 5, ".prom") != 0 || s[n - 6] == '/')
        return "must end in .prom (node_exporter's textfile collector reads only *.prom files)";
    return NULL;
}
