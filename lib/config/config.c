/* SPDX-License-Identifier: MIT */
/*
 * Config loading and validation. Both front ends (config_yaml.c, config_props.c) produce a
 * node tree; one table of option descriptors (name, type, storage, bounds) validates it
 * and fills struct g2d_config, in the manner of redis's standardConfig table. Every error
 * names file:line:col and the dotted key (or the legacy key) it is about.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "glue2dlf/config.h"
#include "glue2dlf/expr.h"
#include "glue2dlf/oss.h"
#include "config/config_internal.h"

#define MS_PER_S 1000ull
#define DURATION_MAX_MS (366ull * 24 * 3600 * MS_PER_S)
#define STR_MAX 4096
#define CREDENTIAL_MAX (64u << 10)
#define UNIX_PATH_MAX 107

enum ktype {
    K_STR,
    K_REGION,
    K_URL,
    K_RESULT_PATH,
    K_SOCKET,
    K_UINT,
    K_DOUBLE,
    K_DURATION,
    K_SIZE,
    K_BOOL,
    K_ENUM,
    K_MODE,
    K_SECRET,
    K_OBJECTS,
    K_STRLIST,
    K_FILTERS,
    K_LOCMAP,
};

struct enum_val {
    const char *name;
    int value;
};

struct key_desc {
    const char *name;
    enum ktype type;
    size_t off;       /* offset of the storage in struct g2d_config */
    size_t count_off; /* K_STRLIST: offset of the size_t count */
    double min, max;  /* bounds for numbers, durations (ms) and sizes (bytes) */
    const struct enum_val *enums;
    int slot;    /* K_SECRET: which secret (enum secret_slot) */
    int variant; /* K_SECRET: 0 literal, 1 _env, 2 _credential */
};

struct section_desc {
    const char *name;
    const struct key_desc *keys;
    size_t nkeys;
};

enum secret_slot { SLOT_GLUE_SECRET, SLOT_GLUE_TOKEN, SLOT_DLF_SECRET, SLOT_DLF_TOKEN, NSLOTS };

static const char *const variant_suffix[] = {"", "_env", "_credential"};

static const struct enum_val signature_vals[] = {
    {"acs3", G2D_DLF_SIG_ACS3},
    {"roa", G2D_DLF_SIG_ROA},
    {NULL, 0},
};

static const struct enum_val oss_signature_vals[] = {
    {"v4", G2D_OSS_SIG_V4},
    {"v1", G2D_OSS_SIG_V1},
    {NULL, 0},
};

static const struct enum_val level_vals[] = {
    {"debug", LOG_DEBUG},     {"info", LOG_INFO}, {"notice", LOG_NOTICE},
    {"warning", LOG_WARNING}, {"err", LOG_ERR},   {NULL, 0},
};

static const struct enum_val target_vals[] = {
    {"auto", G2D_LOG_AUTO},
    {"journal", G2D_LOG_JOURNAL},
    {"stderr", G2D_LOG_STDERR},
    {NULL, 0},
};

#define OFF(f) offsetof(struct g2d_config, f)
#define SECRET(n, s, v, f)                                                                         \
    {                                                                                              \
        .name = n, .type = K_SECRET, .off = OFF(f), .slot = s, .variant = v                        \
    }
#define SECRET3(n, s, f)                                                                           \
    SECRET(n, s, 0, f), SECRET(n "_env", s, 1, f), SECRET(n "_credential", s, 2, f)
#define NUM(n, t, f, lo, hi)                                                                       \
    {                                                                                              \
        .name = n, .type = t, .off = OFF(f), .min = lo, .max = hi                                  \
    }

static const struct key_desc glue_keys[] = {
    {.name = "region", .type = K_REGION, .off = OFF(glue.region)},
    {.name = "endpoint", .type = K_URL, .off = OFF(glue.http.endpoint)},
    {.name = "catalog_id", .type = K_STR, .off = OFF(glue.catalog_id)},
    {.name = "access_key_id", .type = K_STR, .off = OFF(glue.access_key_id)},
    SECRET3("secret_access_key", SLOT_GLUE_SECRET, glue.secret_access_key),
    SECRET3("session_token", SLOT_GLUE_TOKEN, glue.session_token),
    NUM("max_concurrency", K_UINT, glue.http.max_concurrency, 1, 1024),
    NUM("max_requests_per_second", K_DOUBLE, glue.http.max_rps, 0, 1e6),
    NUM("page_size", K_UINT, glue.http.page_size, 1, 100),
    NUM("partition_segments", K_UINT, glue.partition_segments, 1, 10),
};

static const struct key_desc dlf_keys[] = {
    {.name = "region", .type = K_REGION, .off = OFF(dlf.region)},
    {.name = "endpoint", .type = K_URL, .off = OFF(dlf.http.endpoint)},
    {.name = "catalog_id", .type = K_STR, .off = OFF(dlf.catalog_id)},
    {.name = "access_key_id", .type = K_STR, .off = OFF(dlf.access_key_id)},
    SECRET3("access_key_secret", SLOT_DLF_SECRET, dlf.access_key_secret),
    SECRET3("security_token", SLOT_DLF_TOKEN, dlf.security_token),
    {.name = "signature", .type = K_ENUM, .off = OFF(dlf.signature), .enums = signature_vals},
    NUM("max_concurrency", K_UINT, dlf.http.max_concurrency, 1, 1024),
    NUM("max_requests_per_second", K_DOUBLE, dlf.http.max_rps, 0, 1e6),
    NUM("page_size", K_UINT, dlf.http.page_size, 1, 1000),
    NUM("batch_size", K_UINT, dlf.batch_size, 1, 1000),
};

static const struct key_desc sync_keys[] = {
    NUM("interval", K_DURATION, interval_ms, 1000, DURATION_MAX_MS),
    NUM("jitter", K_DURATION, jitter_ms, 0, DURATION_MAX_MS),
    NUM("full_reconcile", K_DURATION, full_reconcile_ms, 0, DURATION_MAX_MS),
    {.name = "run_on_start", .type = K_BOOL, .off = OFF(run_on_start)},
    {.name = "objects", .type = K_OBJECTS, .off = OFF(objects)},
    {.name = "databases", .type = K_STRLIST, .off = OFF(databases), .count_off = OFF(ndatabases)},
    {.name = "table_prefixes",
     .type = K_STRLIST,
     .off = OFF(table_prefixes),
     .count_off = OFF(ntable_prefixes)},
    {.name = "partition_filters", .type = K_FILTERS, .off = OFF(partition_filters)},
    {.name = "location_map", .type = K_LOCMAP, .off = OFF(location_map)},
    {.name = "dry_run", .type = K_BOOL, .off = OFF(dry_run)},
};

static const struct key_desc deletes_keys[] = {
    {.name = "enabled", .type = K_BOOL, .off = OFF(deletes)},
    NUM("max_count", K_UINT, max_deletes, 0, 10000000),
    NUM("max_fraction", K_DOUBLE, max_delete_fraction, 0, 1),
};

static const struct key_desc http_keys[] = {
    {.name = "ca_file", .type = K_STR, .off = OFF(ca_file)},
    NUM("connect_timeout", K_DURATION, connect_timeout_ms, 1, DURATION_MAX_MS),
    NUM("timeout", K_DURATION, request_timeout_ms, 1, DURATION_MAX_MS),
    NUM("max_attempts", K_UINT, max_attempts, 1, 20),
    NUM("max_response_size", K_SIZE, max_response_bytes, 1024, 16.0 * (1ull << 30)),
};

static const struct key_desc result_keys[] = {
    {.name = "path", .type = K_RESULT_PATH, .off = OFF(result_path)},
    {.name = "oss_endpoint", .type = K_URL, .off = OFF(result_oss.endpoint)},
    {.name = "oss_internal", .type = K_BOOL, .off = OFF(result_oss.internal)},
    {.name = "oss_signature",
     .type = K_ENUM,
     .off = OFF(result_oss.signature),
     .enums = oss_signature_vals},
    {.name = "spool_dir", .type = K_STR, .off = OFF(result_oss.spool_dir)},
    NUM("spool_max_size", K_SIZE, result_oss.spool_max_bytes, 4096, 1024.0 * (1ull << 30)),
    NUM("part_size", K_SIZE, result_oss.part_bytes, 1024, 1.0 * (1ull << 30)),
};

static const struct key_desc control_keys[] = {
    {.name = "socket", .type = K_SOCKET, .off = OFF(control_socket)},
    {.name = "mode", .type = K_MODE, .off = OFF(control_mode)},
};

static const struct key_desc log_keys[] = {
    {.name = "level", .type = K_ENUM, .off = OFF(log_level), .enums = level_vals},
    {.name = "target", .type = K_ENUM, .off = OFF(log_target), .enums = target_vals},
};

#define SECTION(n, k)                                                                              \
    {                                                                                              \
        n, k, sizeof(k) / sizeof(k[0])                                                             \
    }
static const struct section_desc sections[] = {
    SECTION("glue", glue_keys),       SECTION("dlf", dlf_keys),   SECTION("sync", sync_keys),
    SECTION("deletes", deletes_keys), SECTION("http", http_keys), SECTION("result", result_keys),
    SECTION("control", control_keys), SECTION("log", log_keys),
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define MAX_SECTION_KEYS 16

_Static_assert(sizeof(enum g2d_dlf_signature) == sizeof(int), "enum storage");
_Static_assert(sizeof(enum g2d_log_target) == sizeof(int), "enum storage");

/* Where the first literal secret of a file is (for the permission check). */
struct literal_pos {
    bool found;
    int line, col;
    char name[128];
};

struct secret_state {
    const struct g2d__node *node; /* the key that set it */
    char name[128];               /* its name for messages */
};

struct ctx {
    const char *file;
    struct g2d_config *cfg;
    struct g2d_error *err;
    struct secret_state sec[NSLOTS];
    const struct g2d__node *section_node[NSECTIONS];
    const struct g2d__node *jitter;
    struct literal_pos *lit;
};

/* Copy @p s into @p dst (size @p cap, truncating), replacing control bytes by '?'. */
static void sanitize(char *dst, size_t cap, const char *s, size_t max)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < cap && i < max; i++)
        dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    dst[i] = '\0';
}

/* dst = a "." b, truncated to cap. */
static void join(char *dst, size_t cap, const char *a, const char *b)
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
static int fail_at(struct ctx *c, const struct g2d__node *n, bool at_key, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct ctx *c, const struct g2d__node *n, bool at_key, const char *path,
                   const char *fmt, ...)
{
    char msg[300], name[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sanitize(name, sizeof(name), n && n->alias ? n->alias : path, SIZE_MAX);
    return g2d_error_set_at(c->err, -EINVAL, c->file, n ? (at_key ? n->key_line : n->line) : 1,
                            n ? (at_key ? n->key_col : n->col) : 1, "key '%s': %s", name, msg);
}

static const char *type_name(const struct g2d__node *n)
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
static const char *shown(char *buf, size_t cap, const char *s)
{
    sanitize(buf, cap, s, 80);
    return buf;
}

/* Set *p to a copy of s (which may hold secrets: callers zero what they free). */
static int set_str(struct ctx *c, char **p, const char *s)
{
    char *d = strdup(s);

    if (!d)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    free(*p);
    *p = d;
    return 0;
}

/*
 * True if s holds a control character or is not text that YAML can carry: invalid UTF-8,
 * C1 controls other than NEL, U+FFFE/U+FFFF. Both formats then print back as valid YAML.
 */
static bool has_ctl(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned cp, need, i;

        if (*p < 0x20 || *p == 0x7f)
            return true;
        if (*p < 0x80) {
            p++;
            continue;
        }
        if (*p >= 0xc2 && *p <= 0xdf) {
            cp = *p & 0x1fu;
            need = 1;
        } else if (*p >= 0xe0 && *p <= 0xef) {
            cp = *p & 0x0fu;
            need = 2;
        } else if (*p >= 0xf0 && *p <= 0xf4) {
            cp = *p & 0x07u;
            need = 3;
        } else {
            return true;
        }
        for (i = 1; i <= need; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return true;
            cp = cp << 6 | (p[i] & 0x3fu);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f && cp != 0x85) ||
            cp == 0xfffe || cp == 0xffff)
            return true;
        p += need + 1;
    }
    return false;
}

/*
 * Common checks for a scalar expected to hold text. Returns 1 if the value is null (leave
 * the default), 0 if it is usable, or a negative error.
 */
static int scalar_text(struct ctx *c, const struct g2d__node *n, const char *path, const char *what)
{
    if (n->type != G2D__NODE_SCALAR)
        return fail_at(c, n, false, path, "expected %s, got %s", what, type_name(n));
    if (n->null)
        return 1;
    if (strlen(n->str) != n->len)
        return fail_at(c, n, false, path, "must not contain a NUL character");
    return 0;
}

/* A plain string: empty means unset; no control characters. */
static int get_string(struct ctx *c, const struct g2d__node *n, const char *path, const char **out)
{
    int r = scalar_text(c, n, path, "a string");

    *out = NULL;
    if (r)
        return r;
    if (!n->len)
        return 1;
    if (n->len > STR_MAX)
        return fail_at(c, n, false, path, "too long (more than %d bytes)", STR_MAX);
    if (has_ctl(n->str))
        return fail_at(c, n, false, path, "must be UTF-8 text without control characters");
    *out = n->str;
    return 0;
}

static bool valid_region(const char *s)
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
static const char *check_url(const char *s, char **norm)
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
static int parse_ll(const char *s, long long *v)
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

static int parse_double(const char *s, double *v)
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

static int parse_bool(const char *s, bool *v)
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

static bool valid_env_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static bool valid_credential_name(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && strlen(s) <= 255;
}

/*
 * Read systemd credential @p name from $CREDENTIALS_DIRECTORY into *out (one trailing
 * newline stripped). Returns 0, -ENOENT if the directory variable is unset or the file does
 * not exist, or another -errno; *why explains.
 */
static int read_credential(const char *name, char **out, const char **why)
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

static void secret_clear(struct g2d_secret *s)
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

static int apply_secret(struct ctx *c, const struct key_desc *d, const struct g2d__node *n,
                        const char *path)
{
    struct secret_state *st = &c->sec[d->slot];
    struct g2d_secret *sec = (struct g2d_secret *)(void *)((char *)c->cfg + d->off);
    size_t baselen = strlen(path) - strlen(variant_suffix[d->variant]);
    const char *why;
    char *v = NULL;
    int r;

    r = scalar_text(c, n, path, "a string");
    if (r)
        return r < 0 ? r : 0;
    if (!n->len)
        return 0;
    if (st->node)
        return fail_at(c, n, true, path,
                       "conflicts with '%s': set only one of %.*s, %.*s_env and %.*s_credential",
                       st->name, (int)baselen, path, (int)baselen, path, (int)baselen, path);
    st->node = n;
    sanitize(st->name, sizeof(st->name), n->alias ? n->alias : path, SIZE_MAX);
    if (d->variant == 0) {
        r = set_str(c, &sec->value, n->str);
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

        if (!valid_env_name(n->str))
            return fail_at(c, n, false, path, "'%s' is not a valid environment variable name",
                           shown((char[96]){0}, 96, n->str));
        e = secure_getenv(n->str);
        if (!e || !*e)
            return fail_at(c, n, false, path, "environment variable '%s' is not set or empty",
                           n->str);
        r = set_str(c, &sec->value, e);
        if (r == 0)
            r = set_str(c, &sec->origin, n->str);
        sec->source = G2D_SECRET_ENV;
        return r;
    }
    if (!valid_credential_name(n->str))
        return fail_at(c, n, false, path, "'%s' is not a valid credential name (no '/')",
                       shown((char[96]){0}, 96, n->str));
    r = read_credential(n->str, &v, &why);
    if (r < 0)
        return fail_at(c, n, false, path, "cannot read credential '%s': %s", n->str, why);
    sec->value = v;
    sec->source = G2D_SECRET_CREDENTIAL;
    return set_str(c, &sec->origin, n->str);
}

static int apply_strlist(struct ctx *c, const struct key_desc *d, const struct g2d__node *n,
                         const char *path)
{
    char ***list = (char ***)(void *)((char *)c->cfg + d->off);
    size_t *count = (size_t *)(void *)((char *)c->cfg + d->count_off);
    size_t i;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_SEQ)
        return fail_at(c, n, false, path, "expected a list, got %s", type_name(n));
    if (!n->nkids)
        return 0;
    *list = calloc(n->nkids, sizeof(char *));
    if (!*list)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < n->nkids; i++) {
        const char *s;

        r = get_string(c, n->kids[i], path, &s);
        if (r < 0)
            return r;
        if (r > 0)
            return fail_at(c, n->kids[i], false, path, "list items must not be empty");
        r = set_str(c, &(*list)[i], s);
        if (r < 0)
            return r;
        (*count)++;
    }
    return 0;
}

static int apply_objects(struct ctx *c, const struct g2d__node *n, const char *path)
{
    static const struct enum_val objs[] = {
        {"databases", G2D_OBJ_DATABASES},
        {"tables", G2D_OBJ_TABLES},
        {"partitions", G2D_OBJ_PARTITIONS},
        {"functions", G2D_OBJ_FUNCTIONS},
        {NULL, 0},
    };
    unsigned mask = 0;
    size_t i, j;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_SEQ)
        return fail_at(c, n, false, path, "expected a list, got %s", type_name(n));
    if (!n->nkids)
        return fail_at(c, n, false, path,
                       "must list at least one of databases, tables, partitions, functions");
    for (i = 0; i < n->nkids; i++) {
        const struct g2d__node *k = n->kids[i];

        r = scalar_text(c, k, path, "a string");
        if (r < 0)
            return r;
        for (j = 0; objs[j].name; j++)
            if (!r && !strcmp(k->str, objs[j].name))
                break;
        if (!objs[j].name)
            return fail_at(c, k, false, path,
                           "'%s' is not one of databases, tables, partitions, functions",
                           shown((char[96]){0}, 96, r ? "" : k->str));
        mask |= (unsigned)objs[j].value;
    }
    c->cfg->objects = mask;
    return 0;
}

struct key_ref {
    const struct g2d__node *n;
    size_t idx;
};

static int key_ref_cmp(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    size_t n = x->n->key_len < y->n->key_len ? x->n->key_len : y->n->key_len;
    int r = memcmp(x->n->key, y->n->key, n);

    if (r)
        return r;
    if (x->n->key_len != y->n->key_len)
        return x->n->key_len < y->n->key_len ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reject a repeated key in a free-form mapping; names the earliest repetition. */
static int check_dups(struct ctx *c, const struct g2d__node *map, const char *path)
{
    const struct g2d__node *dup = NULL, *first = NULL;
    struct key_ref *refs;
    size_t i, gs, best = SIZE_MAX;
    char p[256];

    if (map->nkids < 2)
        return 0;
    refs = calloc(map->nkids, sizeof(*refs));
    if (!refs)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < map->nkids; i++) {
        refs[i].n = map->kids[i];
        refs[i].idx = i;
    }
    qsort(refs, map->nkids, sizeof(*refs), key_ref_cmp);
    /* Sorted by key, then document order: a group's second entry is its first repeat. */
    for (i = 1, gs = 0; i < map->nkids; i++) {
        const struct g2d__node *a = refs[gs].n, *b = refs[i].n;

        if (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len)) {
            gs = i;
        } else if (i == gs + 1 && refs[i].idx < best) {
            best = refs[i].idx;
            dup = b;
            first = a;
        }
    }
    free(refs);
    if (!dup)
        return 0;
    join(p, sizeof(p), path, dup->key);
    return fail_at(c, dup, true, p, "duplicate key (first set on line %d)", first->key_line);
}

static int apply_filters(struct ctx *c, const struct g2d__node *n, const char *path)
{
    struct g2d_config *cfg = c->cfg;
    size_t i;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_MAP)
        return fail_at(c, n, false, path, "expected a mapping, got %s", type_name(n));
    r = check_dups(c, n, path);
    if (r < 0 || !n->nkids)
        return r;
    cfg->partition_filters = calloc(n->nkids, sizeof(*cfg->partition_filters));
    if (!cfg->partition_filters)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < n->nkids; i++) {
        const struct g2d__node *k = n->kids[i];
        struct g2d_partition_filter *f = &cfg->partition_filters[i];
        const char *dot = strchr(k->key, '.'), *expr;
        char p[256];

        join(p, sizeof(p), path, k->key);
        if (!dot || dot == k->key || !dot[1] || strchr(dot + 1, '.') || k->key_len > STR_MAX ||
            strlen(k->key) != k->key_len || has_ctl(k->key))
            return fail_at(c, k, true, p, "name must be 'database.table'");
        r = get_string(c, k, p, &expr);
        if (r < 0)
            return r;
        if (r > 0)
            return fail_at(c, k, false, p, "filter expression must not be empty");
        {
            /* Syntax now; key names and types are checked per table when it is read. */
            struct g2d_expr *e = NULL;
            struct g2d_error xerr = {0};

            r = g2d_expr_parse(expr, &e, &xerr);
            g2d_expr_free(e);
            if (r < 0)
                return fail_at(c, k, false, p, "%s", xerr.msg);
        }
        f->database = strndup(k->key, (size_t)(dot - k->key));
        f->table = strdup(dot + 1);
        f->expression = strdup(expr);
        cfg->npartition_filters++;
        if (!f->database || !f->table || !f->expression)
            return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    }
    return 0;
}

static int apply_locmap(struct ctx *c, const struct g2d__node *n, const char *path)
{
    struct g2d_config *cfg = c->cfg;
    size_t i;
    int r;

    if (n->type == G2D__NODE_SCALAR && n->null)
        return 0;
    if (n->type != G2D__NODE_MAP)
        return fail_at(c, n, false, path, "expected a mapping, got %s", type_name(n));
    r = check_dups(c, n, path);
    if (r < 0 || !n->nkids)
        return r;
    cfg->location_map = calloc(n->nkids, sizeof(*cfg->location_map));
    if (!cfg->location_map)
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    for (i = 0; i < n->nkids; i++) {
        const struct g2d__node *k = n->kids[i];
        struct g2d_location_rule *l = &cfg->location_map[i];
        const char *to;
        char p[256];

        join(p, sizeof(p), path, k->key);
        if (!k->key_len || k->key_len > STR_MAX || strlen(k->key) != k->key_len || has_ctl(k->key))
            return fail_at(c, k, true, p, "source prefix must be a non-empty string");
        r = get_string(c, k, p, &to);
        if (r < 0)
            return r;
        if (r > 0)
            return fail_at(c, k, false, p, "target prefix must not be empty");
        l->from = strdup(k->key);
        l->to = strdup(to);
        cfg->nlocation_map++;
        if (!l->from || !l->to)
            return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    }
    return 0;
}

static int apply(struct ctx *c, const struct key_desc *d, const struct g2d__node *n,
                 const char *path)
{
    void *field = (char *)c->cfg + d->off;
    char vb[96], nb[96];
    const char *s, *why;
    char *norm;
    long long ll;
    uint64_t u;
    double dv;
    size_t i;
    int r;

    switch (d->type) {
    case K_SECRET:
        return apply_secret(c, d, n, path);
    case K_STRLIST:
        return apply_strlist(c, d, n, path);
    case K_OBJECTS:
        return apply_objects(c, n, path);
    case K_FILTERS:
        return apply_filters(c, n, path);
    case K_LOCMAP:
        return apply_locmap(c, n, path);
    case K_STR:
    case K_REGION:
    case K_URL:
    case K_RESULT_PATH:
    case K_SOCKET:
        r = get_string(c, n, path, &s);
        if (r)
            return r < 0 ? r : 0;
        if (d->type == K_REGION && !valid_region(s))
            return fail_at(c, n, false, path,
                           "invalid region '%s' (lowercase letters, digits and '-', "
                           "e.g. us-east-1)",
                           shown(vb, sizeof(vb), s));
        if (d->type == K_URL) {
            why = check_url(s, &norm);
            if (why)
                return fail_at(c, n, false, path, "invalid endpoint URL '%s': %s",
                               shown(vb, sizeof(vb), s), why);
            free(*(char **)field);
            *(char **)field = norm;
            return 0;
        }
        if (d->type == K_RESULT_PATH && !strncasecmp(s, "oss://", 6)) {
            char *bk, *px;

            if (g2d_oss_parse_location(s, &bk, &px, &why) < 0)
                return why ? fail_at(c, n, false, path, "invalid OSS location '%s': %s",
                                     shown(vb, sizeof(vb), s), why)
                           : -ENOMEM;
            free(bk);
            free(px);
            return set_str(c, (char **)field, s);
        }
        if (d->type == K_RESULT_PATH && strstr(s, "://"))
            return fail_at(c, n, false, path, "must be a local file path, not a URL");
        if (d->type == K_SOCKET && strlen(s) > UNIX_PATH_MAX)
            return fail_at(c, n, false, path, "too long for a UNIX socket (max %d bytes)",
                           UNIX_PATH_MAX);
        return set_str(c, (char **)field, s);
    case K_UINT:
        r = scalar_text(c, n, path, "an integer");
        if (r)
            return r < 0 ? r : 0;
        r = parse_ll(n->str, &ll);
        if (r == -1)
            return fail_at(c, n, false, path, "expected an integer, got '%s'",
                           shown(vb, sizeof(vb), n->str));
        if (r == -2 || ll < (long long)d->min || ll > (long long)d->max)
            return fail_at(c, n, false, path, "must be between %.0f and %.0f", d->min, d->max);
        *(unsigned *)field = (unsigned)ll;
        return 0;
    case K_DOUBLE:
        r = scalar_text(c, n, path, "a number");
        if (r)
            return r < 0 ? r : 0;
        if (parse_double(n->str, &dv) < 0)
            return fail_at(c, n, false, path, "expected a number, got '%s'",
                           shown(vb, sizeof(vb), n->str));
        if (dv < d->min || dv > d->max)
            return fail_at(c, n, false, path, "must be between %.15g and %.15g", d->min, d->max);
        *(double *)field = dv;
        return 0;
    case K_DURATION:
        r = scalar_text(c, n, path, "a duration");
        if (r)
            return r < 0 ? r : 0;
        r = parse_scaled(n->str, duration_units, duration_mult, &u);
        if (r == -1)
            return fail_at(c, n, false, path,
                           "invalid duration '%s' (an integer with unit ms, s, m, h or d, "
                           "e.g. 30s)",
                           shown(vb, sizeof(vb), n->str));
        if (r == -2 || u > (uint64_t)d->max) {
            g2d__fmt_duration(nb, sizeof(nb), (uint64_t)d->max);
            return fail_at(c, n, false, path, "must be at most %s", nb);
        }
        if (u < (uint64_t)d->min) {
            g2d__fmt_duration(nb, sizeof(nb), (uint64_t)d->min);
            return fail_at(c, n, false, path, "must be at least %s", nb);
        }
        *(uint64_t *)field = u;
        if (!strcmp(d->name, "jitter"))
            c->jitter = n;
        return 0;
    case K_SIZE:
        r = scalar_text(c, n, path, "a size");
        if (r)
            return r < 0 ? r : 0;
        r = parse_scaled(n->str, size_units, size_mult, &u);
        if (r == -1)
            return fail_at(c, n, false, path,
                           "invalid size '%s' (bytes, or an integer with KiB, MiB or GiB, "
                           "e.g. 256MiB)",
                           shown(vb, sizeof(vb), n->str));
        if (r == -2 || u < (uint64_t)d->min || u > (uint64_t)d->max || u > SIZE_MAX) {
            g2d__fmt_size(vb, sizeof(vb), (uint64_t)d->min);
            g2d__fmt_size(nb, sizeof(nb), (uint64_t)d->max);
            return fail_at(c, n, false, path, "must be between %s and %s", vb, nb);
        }
        *(size_t *)field = (size_t)u;
        return 0;
    case K_BOOL:
        r = scalar_text(c, n, path, "true or false");
        if (r)
            return r < 0 ? r : 0;
        if (parse_bool(n->str, (bool *)field) < 0)
            return fail_at(c, n, false, path, "expected true or false, got '%s'",
                           shown(vb, sizeof(vb), n->str));
        return 0;
    case K_ENUM:
        r = scalar_text(c, n, path, "a string");
        if (r)
            return r < 0 ? r : 0;
        for (i = 0; d->enums[i].name; i++) {
            if (!strcmp(n->str, d->enums[i].name)) {
                memcpy(field, &d->enums[i].value, sizeof(int));
                return 0;
            }
        }
        {
            char list[128] = "";

            for (i = 0; d->enums[i].name; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                         d->enums[i].name);
            return fail_at(c, n, false, path, "must be one of %s (got '%s')", list,
                           shown(vb, sizeof(vb), n->str));
        }
    case K_MODE:
        r = scalar_text(c, n, path, "an octal mode");
        if (r)
            return r < 0 ? r : 0;
        if (!n->len || n->len > 4 || strspn(n->str, "01234567") != n->len)
            return fail_at(c, n, false, path, "expected an octal mode like \"0660\", got '%s'",
                           shown(vb, sizeof(vb), n->str));
        *(mode_t *)field = (mode_t)strtoul(n->str, NULL, 8);
        return 0;
    }
    return 0;
}

static int walk_section(struct ctx *c, const struct section_desc *sd, const struct g2d__node *m)
{
    const struct g2d__node *seen[MAX_SECTION_KEYS] = {0};
    size_t i, j;
    char path[256];
    int r;

    for (i = 0; i < m->nkids; i++) {
        const struct g2d__node *k = m->kids[i];

        join(path, sizeof(path), sd->name, k->key);
        for (j = 0; j < sd->nkeys; j++)
            if (k->key_len == strlen(sd->keys[j].name) && !strcmp(k->key, sd->keys[j].name))
                break;
        if (j == sd->nkeys)
            return fail_at(c, k, true, path, "unknown key");
        if (seen[j])
            return fail_at(c, k, true, path, "duplicate key (first set on line %d)",
                           seen[j]->key_line);
        seen[j] = k;
        r = apply(c, &sd->keys[j], k, path);
        if (r < 0)
            return r;
    }
    return 0;
}

static int walk(struct ctx *c, const struct g2d__node *root)
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

        for (j = 0; j < NSECTIONS; j++)
            if (k->key_len == strlen(sections[j].name) && !strcmp(k->key, sections[j].name))
                break;
        if (j == NSECTIONS)
            return fail_at(c, k, true, k->key, "unknown key");
        if (c->section_node[j])
            return fail_at(c, k, true, k->key, "duplicate key (first set on line %d)",
                           c->section_node[j]->key_line);
        c->section_node[j] = k;
        if (k->type == G2D__NODE_SCALAR && k->null)
            continue;
        if (k->type != G2D__NODE_MAP)
            return fail_at(c, k, false, k->key, "expected a mapping, got %s", type_name(k));
        r = walk_section(c, &sections[j], k);
        if (r < 0)
            return r;
    }
    return 0;
}

static void set_defaults(struct g2d_config *cfg)
{
    cfg->glue.http.max_concurrency = 16;
    cfg->glue.http.page_size = 100;
    cfg->glue.partition_segments = 10;
    cfg->dlf.http.max_concurrency = 16;
    cfg->dlf.http.page_size = 100;
    cfg->dlf.batch_size = 100;
    cfg->dlf.signature = G2D_DLF_SIG_ACS3;
    cfg->interval_ms = 5 * 60 * MS_PER_S;
    cfg->full_reconcile_ms = 24 * 3600 * MS_PER_S;
    cfg->run_on_start = true;
    cfg->objects = G2D_OBJ_DATABASES | G2D_OBJ_TABLES | G2D_OBJ_PARTITIONS | G2D_OBJ_FUNCTIONS;
    cfg->deletes = true;
    cfg->max_deletes = 1000;
    cfg->max_delete_fraction = 0.5;
    cfg->connect_timeout_ms = 10 * MS_PER_S;
    cfg->request_timeout_ms = 120 * MS_PER_S;
    cfg->max_attempts = 6;
    cfg->max_response_bytes = (size_t)256 << 20;
    cfg->control_mode = 0660;
    cfg->log_target = G2D_LOG_AUTO;
    cfg->log_level = LOG_INFO;
    cfg->result_oss.spool_max_bytes = (size_t)1 << 30;
    cfg->result_oss.part_bytes = (size_t)8 << 20;
}

/* Position for a message about a whole section: its key, or 1:1 when absent. */
static const struct g2d__node *section_pos(const struct ctx *c, const char *name)
{
    size_t j;

    for (j = 0; j < NSECTIONS; j++)
        if (!strcmp(sections[j].name, name))
            return c->section_node[j];
    return NULL;
}

static int resolve_regions(struct ctx *c)
{
    static const char *const envs[] = {"AWS_REGION", "AWS_DEFAULT_REGION"};
    struct g2d_config *cfg = c->cfg;
    const struct g2d__node *g = section_pos(c, "glue"), *d = section_pos(c, "dlf");
    int gl = g ? g->key_line : 1, gc = g ? g->key_col : 1;
    size_t i;

    for (i = 0; i < 2 && !cfg->glue.region; i++) {
        const char *e = secure_getenv(envs[i]);

        if (!e || !*e)
            continue;
        if (!valid_region(e))
            return g2d_error_set_at(c->err, -EINVAL, c->file, gl, gc,
                                    "key 'glue.region': environment variable %s holds an "
                                    "invalid region",
                                    envs[i]);
        if (set_str(c, &cfg->glue.region, e) < 0)
            return -ENOMEM;
    }
    if (!cfg->glue.region)
        return g2d_error_set_at(c->err, -EINVAL, c->file, cfg->legacy ? 1 : gl,
                                cfg->legacy ? 1 : gc,
                                "key '%s': required (or set AWS_REGION / AWS_DEFAULT_REGION)",
                                cfg->legacy ? "aws.region" : "glue.region");
    if (!cfg->dlf.region)
        return g2d_error_set_at(c->err, -EINVAL, c->file, cfg->legacy || !d ? 1 : d->key_line,
                                cfg->legacy || !d ? 1 : d->key_col, "key '%s': required",
                                cfg->legacy ? "aliyun.region" : "dlf.region");
    return 0;
}

static int env_secret(struct ctx *c, struct g2d_secret *s, const char *var)
{
    const char *e = secure_getenv(var);

    if (!e || !*e)
        return 0;
    if (set_str(c, &s->value, e) < 0 || set_str(c, &s->origin, var) < 0)
        return -ENOMEM;
    s->source = G2D_SECRET_ENV;
    return 1;
}

/*
 * Standard fallbacks for a side whose secret is not configured: the environment, then a
 * systemd credential with a fixed name. The session token is taken from the environment
 * only together with a secret from there, so that parts of two key pairs are never mixed.
 */
static int resolve_side(struct ctx *c, char **key_id, struct g2d_secret *secret,
                        struct g2d_secret *token, bool secret_set, bool token_set,
                        const char *id_env, const char *secret_env, const char *token_env,
                        const char *credential)
{
    const char *e = secure_getenv(id_env);
    const char *why;
    char *v;
    int r;

    if (!*key_id && e && *e && set_str(c, key_id, e) < 0)
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
    r = read_credential(credential, &v, &why);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return g2d_error_set_at(c->err, r, c->file, 1, 1, "cannot read credential '%s': %s",
                                credential, why);
    secret->value = v;
    secret->source = G2D_SECRET_CREDENTIAL;
    return set_str(c, &secret->origin, credential);
}

static int derive_url(struct ctx *c, char **out, const char *endpoint, const char *host,
                      const char *region, const char *suffix)
{
    int r = endpoint ? (int)((*out = strdup(endpoint)) ? 0 : -1)
                     : asprintf(out, "https://%s.%s.%s", host, region, suffix);

    if (r < 0) {
        *out = NULL;
        return g2d_error_set_at(c->err, -ENOMEM, c->file, 1, 1, "out of memory");
    }
    return 0;
}

static int finish(struct ctx *c)
{
    struct g2d_config *cfg = c->cfg;
    char b[32];
    int r;

    r = resolve_regions(c);
    if (r < 0)
        return r;
    if (!c->jitter) {
        cfg->jitter_ms = cfg->interval_ms / 10;
    } else if (cfg->jitter_ms >= cfg->interval_ms) {
        g2d__fmt_duration(b, sizeof(b), cfg->interval_ms);
        return fail_at(c, c->jitter, false, "sync.jitter", "must be less than sync.interval (%s)",
                       b);
    }
    r = resolve_side(c, &cfg->glue.access_key_id, &cfg->glue.secret_access_key,
                     &cfg->glue.session_token, c->sec[SLOT_GLUE_SECRET].node,
                     c->sec[SLOT_GLUE_TOKEN].node, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                     "AWS_SESSION_TOKEN", "glue-secret-access-key");
    if (r < 0)
        return r;
    r = resolve_side(
        c, &cfg->dlf.access_key_id, &cfg->dlf.access_key_secret, &cfg->dlf.security_token,
        c->sec[SLOT_DLF_SECRET].node, c->sec[SLOT_DLF_TOKEN].node, "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "dlf-access-key-secret");
    if (r < 0)
        return r;
    /* AWS partitions other than "aws" use their own DNS suffix. */
    r = derive_url(c, &cfg->glue_url, cfg->glue.http.endpoint, "glue", cfg->glue.region,
                   strncmp(cfg->glue.region, "cn-", 3) ? "amazonaws.com" : "amazonaws.com.cn");
    if (r == 0)
        r = derive_url(c, &cfg->dlf_url, cfg->dlf.http.endpoint, "dlf", cfg->dlf.region,
                       "aliyuncs.com");
    return r;
}

static int load_mem(struct g2d_config **out, const char *name, const char *data, size_t len,
                    bool legacy, struct literal_pos *lit, struct g2d_error *err)
{
    const char *file = name ? name : "<input>";
    struct g2d__node *root = NULL;
    struct ctx c;
    int r;

    memset(lit, 0, sizeof(*lit));
    if (len > G2D_CONFIG_MAX_BYTES)
        return g2d_error_set_at(err, -E2BIG, file, 1, 1, "config larger than %u bytes",
                                G2D_CONFIG_MAX_BYTES);
    memset(&c, 0, sizeof(c));
    c.file = file;
    c.err = err;
    c.lit = lit;
    c.cfg = calloc(1, sizeof(*c.cfg));
    if (!c.cfg)
        return g2d_error_set_at(err, -ENOMEM, file, 1, 1, "out of memory");
    set_defaults(c.cfg);
    c.cfg->legacy = legacy;
    r = set_str(&c, &c.cfg->control_socket, "/run/glue2dlf/control.sock");
    if (r == 0 && name)
        r = set_str(&c, &c.cfg->path, name);
    if (r == 0)
        r = legacy ? g2d__props_parse(file, data, len, &root, err)
                   : g2d__yaml_parse(file, data, len, &root, err);
    if (r == 0)
        r = walk(&c, root);
    if (r == 0)
        r = finish(&c);
    g2d__node_free(root);
    if (r < 0) {
        g2d_config_free(c.cfg);
        return r;
    }
    *out = c.cfg;
    return 0;
}

int g2d_config_load_buffer(struct g2d_config **out, const char *name, const char *data, size_t len,
                           bool legacy, struct g2d_error *err)
{
    struct literal_pos lit;

    return load_mem(out, name, data, len, legacy, &lit, err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

int g2d_config_load(struct g2d_config **out, const char *path, struct g2d_error *err)
{
    struct g2d_config *cfg = NULL;
    struct literal_pos lit;
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    int fd, r;

    /* O_NONBLOCK: opening a FIFO must not hang; regular files ignore it. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return g2d_error_set(err, -errno, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        r = g2d_error_set(err, -errno, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r = g2d_error_set(err, -EINVAL, "%s: not a regular file", path);
        goto out;
    }
    if (st.st_size > (off_t)G2D_CONFIG_MAX_BYTES) {
        r = g2d_error_set(err, -E2BIG, "%s: larger than %u bytes", path, G2D_CONFIG_MAX_BYTES);
        goto out;
    }
    /* The size may change under us: read to a ceiling, not to st_size. */
    data = malloc(G2D_CONFIG_MAX_BYTES + 1);
    if (!data) {
        r = g2d_error_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t k = read(fd, data + len, G2D_CONFIG_MAX_BYTES + 1 - len);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = g2d_error_set(err, -errno, "%s: cannot read: %s", path, strerror(errno));
            goto out;
        }
        if (k == 0)
            break;
        len += (size_t)k;
        if (len > G2D_CONFIG_MAX_BYTES) {
            r = g2d_error_set(err, -E2BIG, "%s: larger than %u bytes", path, G2D_CONFIG_MAX_BYTES);
            goto out;
        }
    }
    r = load_mem(&cfg, path, data, len,
                 ends_with(path, ".properties") || g2d__props_sniff(data, len), &lit, err);
    if (r < 0)
        goto out;
    if (lit.found && (st.st_mode & S_IROTH)) {
        r = g2d_error_set_at(err, -EPERM, path, lit.line, lit.col,
                             "key '%s': refusing a file that holds a secret and is readable by "
                             "others (mode %04o); run 'chmod 0640 %s', or take the secret from "
                             "the environment (*_env) or a systemd credential (*_credential)",
                             lit.name, (unsigned)(st.st_mode & 07777), path);
        g2d_config_free(cfg);
        goto out;
    }
    *out = cfg;
    r = 0;
out:
    if (data) {
        explicit_bzero(data, len);
        free(data);
    }
    close(fd);
    return r;
}

void g2d_config_free(struct g2d_config *cfg)
{
    size_t i;

    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->glue.region);
    free(cfg->glue.catalog_id);
    free(cfg->glue.access_key_id);
    secret_clear(&cfg->glue.secret_access_key);
    secret_clear(&cfg->glue.session_token);
    free(cfg->glue.http.endpoint);
    free(cfg->dlf.region);
    free(cfg->dlf.catalog_id);
    free(cfg->dlf.access_key_id);
    secret_clear(&cfg->dlf.access_key_secret);
    secret_clear(&cfg->dlf.security_token);
    free(cfg->dlf.http.endpoint);
    for (i = 0; cfg->databases && i < cfg->ndatabases; i++)
        free(cfg->databases[i]);
    free(cfg->databases);
    for (i = 0; cfg->table_prefixes && i < cfg->ntable_prefixes; i++)
        free(cfg->table_prefixes[i]);
    free(cfg->table_prefixes);
    for (i = 0; cfg->partition_filters && i < cfg->npartition_filters; i++) {
        free(cfg->partition_filters[i].database);
        free(cfg->partition_filters[i].table);
        free(cfg->partition_filters[i].expression);
    }
    free(cfg->partition_filters);
    for (i = 0; cfg->location_map && i < cfg->nlocation_map; i++) {
        free(cfg->location_map[i].from);
        free(cfg->location_map[i].to);
    }
    free(cfg->location_map);
    free(cfg->ca_file);
    free(cfg->result_path);
    free(cfg->result_oss.endpoint);
    free(cfg->result_oss.spool_dir);
    free(cfg->control_socket);
    free(cfg->glue_url);
    free(cfg->dlf_url);
    free(cfg);
}

const char *g2d_config_glue_url(const struct g2d_config *cfg)
{
    return cfg->glue_url;
}

const char *g2d_config_dlf_url(const struct g2d_config *cfg)
{
    return cfg->dlf_url;
}

bool g2d_config_database_selected(const struct g2d_config *cfg, const char *db)
{
    size_t i;

    if (!cfg->ndatabases)
        return true;
    for (i = 0; i < cfg->ndatabases; i++)
        if (!strcmp(cfg->databases[i], db))
            return true;
    return false;
}

bool g2d_config_table_selected(const struct g2d_config *cfg, const char *table)
{
    size_t i;

    if (!cfg->ntable_prefixes)
        return true;
    for (i = 0; i < cfg->ntable_prefixes; i++)
        if (!strncmp(table, cfg->table_prefixes[i], strlen(cfg->table_prefixes[i])))
            return true;
    return false;
}

const char *g2d_config_partition_filter(const struct g2d_config *cfg, const char *db,
                                        const char *table)
{
    size_t i;

    for (i = 0; i < cfg->npartition_filters; i++)
        if (!strcmp(cfg->partition_filters[i].database, db) &&
            !strcmp(cfg->partition_filters[i].table, table))
            return cfg->partition_filters[i].expression;
    return NULL;
}
