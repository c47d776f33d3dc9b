/* SPDX-License-Identifier: MIT */
/*
 * The config key table (see config_keys.h), in the manner of redis's standardConfig: one
 * line per key with its type, storage, bounds, default and flags. The defaults themselves
 * are written once, in include/glue2dlf/config_defaults.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "glue2dlf/config_defaults.h"
#include "glue2dlf/oss.h"
#include "config/config_check.h"

#define MS_PER_S 1000ull
#define DURATION_MAX_MS (366ull * 24 * 3600 * MS_PER_S)

const char *const g2d__variant_suffix[3] = {"", "_env", "_credential"};

static const struct g2d__enum_val signature_vals[] = {
    {"acs3", G2D_DLF_SIG_ACS3},
    {"roa", G2D_DLF_SIG_ROA},
    {NULL, 0},
};

static const struct g2d__enum_val oss_signature_vals[] = {
    {"v4", G2D_OSS_SIG_V4},
    {"v1", G2D_OSS_SIG_V1},
    {NULL, 0},
};

static const struct g2d__enum_val level_vals[] = {
    {"trace", LOG_DEBUG + 1}, {"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"notice", LOG_NOTICE},
    {"warning", LOG_WARNING}, {"err", LOG_ERR},     {NULL, 0},
};

static const struct g2d__enum_val target_vals[] = {
    {"auto", G2D_LOG_AUTO},
    {"journal", G2D_LOG_JOURNAL},
    {"stderr", G2D_LOG_STDERR},
    {NULL, 0},
};

#define OFF(f) offsetof(struct g2d_config, f)
/* A key of type t stored in field f, with bounds, default and G2D_KEY_* flags. */
#define KEY(n, t, f, lo, hi, d, fl)                                                                \
    {                                                                                              \
        .name = n, .type = t, .off = OFF(f), .min = lo, .max = hi, .def = d, .flags = fl           \
    }
/* A text key (no bounds) with a default string (or NULL) and flags. */
#define TEXT(n, t, f, d, fl)                                                                       \
    {                                                                                              \
        .name = n, .type = t, .off = OFF(f), .def_str = d, .flags = fl                             \
    }
#define ENUM(n, f, vals, d, fl)                                                                    \
    {                                                                                              \
        .name = n, .type = K_ENUM, .off = OFF(f), .enums = vals, .def = d, .flags = fl             \
    }
#define LIST(n, f, cnt, fl)                                                                        \
    {                                                                                              \
        .name = n, .type = K_STRLIST, .off = OFF(f), .count_off = OFF(cnt), .flags = fl            \
    }
#define SECRET(n, s, v, f)                                                                         \
    {                                                                                              \
        .name = n, .type = K_SECRET, .off = OFF(f), .slot = s, .variant = v                        \
    }
/* A secret and its _env and _credential forms. */
#define SECRET3(n, s, f)                                                                           \
    SECRET(n, s, 0, f), SECRET(n "_env", s, 1, f), SECRET(n "_credential", s, 2, f)

#define RESTART G2D_KEY_RESTART
#define REBUILD G2D_KEY_REBUILD
#define ALL_OBJECTS (G2D_OBJ_DATABASES | G2D_OBJ_TABLES | G2D_OBJ_PARTITIONS | G2D_OBJ_FUNCTIONS)

static const struct g2d__key_desc glue_keys[] = {
    TEXT("region", K_REGION, glue.region, NULL, 0),
    TEXT("endpoint", K_URL, glue.http.endpoint, NULL, 0),
    TEXT("catalog_id", K_STR, glue.catalog_id, NULL, 0),
    TEXT("access_key_id", K_STR, glue.access_key_id, NULL, 0),
    SECRET3("secret_access_key", SLOT_GLUE_SECRET, glue.secret_access_key),
    SECRET3("session_token", SLOT_GLUE_TOKEN, glue.session_token),
    TEXT("credentials", K_STR, glue.credentials, G2D_DEFAULT_GLUE_CREDENTIALS, 0),
    KEY("imds_v1_fallback", K_BOOL, glue.imds_v1_fallback, 0, 0, false, 0),
    KEY("max_concurrency", K_UINT, glue.http.max_concurrency, 1, 1024, G2D_DEFAULT_MAX_CONCURRENCY,
        0),
    KEY("max_requests_per_second", K_DOUBLE, glue.http.max_rps, 0, 1e6, 0, 0),
    KEY("page_size", K_UINT, glue.http.page_size, 1, 100, G2D_DEFAULT_GLUE_PAGE_SIZE, 0),
    KEY("partition_segments", K_UINT, glue.partition_segments, 1, 10,
        G2D_DEFAULT_PARTITION_SEGMENTS, 0),
};

/* The snapshot describes one DLF catalog at one endpoint: those keys rebuild it. */
static const struct g2d__key_desc dlf_keys[] = {
    TEXT("region", K_REGION, dlf.region, NULL, REBUILD),
    TEXT("endpoint", K_URL, dlf.http.endpoint, NULL, REBUILD),
    TEXT("catalog_id", K_STR, dlf.catalog_id, NULL, REBUILD),
    TEXT("access_key_id", K_STR, dlf.access_key_id, NULL, 0),
    SECRET3("access_key_secret", SLOT_DLF_SECRET, dlf.access_key_secret),
    SECRET3("security_token", SLOT_DLF_TOKEN, dlf.security_token),
    TEXT("credentials", K_STR, dlf.credentials, G2D_DEFAULT_DLF_CREDENTIALS, 0),
    ENUM("signature", dlf.signature, signature_vals, G2D_DLF_SIG_ACS3, 0),
    KEY("max_concurrency", K_UINT, dlf.http.max_concurrency, 1, 1024, G2D_DEFAULT_MAX_CONCURRENCY,
        0),
    KEY("max_requests_per_second", K_DOUBLE, dlf.http.max_rps, 0, 1e6, 0, 0),
    KEY("page_size", K_UINT, dlf.http.page_size, 1, 1000, G2D_DEFAULT_DLF_PAGE_SIZE, 0),
    KEY("batch_size", K_UINT, dlf.batch_size, 1, 1000, G2D_DEFAULT_BATCH_SIZE, 0),
};

/* The scope (which objects are synced, and under which DLF names) rebuilds the snapshot;
 * the location map does not: it changes what is written, which the diff sees. */
static const struct g2d__key_desc sync_keys[] = {
    KEY("interval", K_DURATION, interval_ms, 1000, DURATION_MAX_MS, G2D_DEFAULT_INTERVAL_MS, 0),
    KEY("jitter", K_DURATION, jitter_ms, 0, DURATION_MAX_MS, 0, 0), /* default: finish() */
    KEY("full_reconcile", K_DURATION, full_reconcile_ms, 0, DURATION_MAX_MS,
        G2D_DEFAULT_FULL_RECONCILE_MS, 0),
    KEY("run_on_start", K_BOOL, run_on_start, 0, 0, true, 0),
    KEY("objects", K_OBJECTS, objects, 0, 0, ALL_OBJECTS, REBUILD),
    LIST("databases", databases, ndatabases, REBUILD),
    LIST("table_prefixes", table_prefixes, ntable_prefixes, REBUILD),
    KEY("partition_filters", K_FILTERS, partition_filters, 0, 0, 0, REBUILD),
    KEY("rename", K_RENAME, renames, 0, 0, 0, REBUILD),
    KEY("location_map", K_LOCMAP, location_map, 0, 0, 0, 0),
    KEY("dry_run", K_BOOL, dry_run, 0, 0, false, 0),
};

static const struct g2d__key_desc deletes_keys[] = {
    KEY("enabled", K_BOOL, deletes, 0, 0, true, 0),
    KEY("max_count", K_UINT, max_deletes, 0, 10000000, G2D_DEFAULT_MAX_DELETES, 0),
    KEY("max_fraction", K_DOUBLE, max_delete_fraction, 0, 1, G2D_DEFAULT_MAX_DELETE_FRACTION, 0),
    KEY("grace_cycles", K_UINT, grace_cycles, 0, 1000000, G2D_DEFAULT_GRACE_CYCLES, 0),
    KEY("archive_max_age", K_DURATION, archive_max_age_ms, 0, DURATION_MAX_MS,
        G2D_DEFAULT_ARCHIVE_MAX_AGE_MS, 0),
    KEY("archive_max_size", K_SIZE, archive_max_bytes, 4096, 1024.0 * (1ull << 30),
        G2D_DEFAULT_ARCHIVE_MAX_BYTES, 0),
};

/* The HTTP engine is set up once, at start-up. */
static const struct g2d__key_desc http_keys[] = {
    TEXT("ca_file", K_STR, ca_file, NULL, RESTART),
    KEY("connect_timeout", K_DURATION, connect_timeout_ms, 1, DURATION_MAX_MS,
        G2D_DEFAULT_CONNECT_TIMEOUT_MS, RESTART),
    KEY("timeout", K_DURATION, request_timeout_ms, 1, DURATION_MAX_MS, G2D_DEFAULT_TIMEOUT_MS,
        RESTART),
    KEY("max_attempts", K_UINT, max_attempts, 1, 20, G2D_DEFAULT_MAX_ATTEMPTS, RESTART),
    KEY("max_response_size", K_SIZE, max_response_bytes, 1024, 16.0 * (1ull << 30),
        (double)G2D_DEFAULT_MAX_RESPONSE_BYTES, RESTART),
};

static const struct g2d__key_desc result_keys[] = {
    TEXT("path", K_RESULT_PATH, result_path, NULL, 0),
    TEXT("oss_endpoint", K_URL, result_oss.endpoint, NULL, 0),
    KEY("oss_internal", K_BOOL, result_oss.internal, 0, 0, false, 0),
    ENUM("oss_signature", result_oss.signature, oss_signature_vals, G2D_OSS_SIG_V4, 0),
    TEXT("spool_dir", K_STR, result_oss.spool_dir, NULL, 0),
    KEY("spool_max_size", K_SIZE, result_oss.spool_max_bytes, 4096, 1024.0 * (1ull << 30),
        (double)G2D_DEFAULT_RESULT_SPOOL_MAX_BYTES, 0),
    KEY("part_size", K_SIZE, result_oss.part_bytes, 1024, 1.0 * (1ull << 30),
        (double)G2D_DEFAULT_RESULT_PART_BYTES, 0),
};

static const struct g2d__key_desc control_keys[] = {
    TEXT("socket", K_SOCKET, control_socket, G2D_DEFAULT_CONTROL_SOCKET, RESTART),
    KEY("mode", K_MODE, control_mode, 0, 0, G2D_DEFAULT_CONTROL_MODE, RESTART),
};

/* Both are applied by a reload: the scrape endpoint is moved, the text file written anew. */
static const struct g2d__key_desc metrics_keys[] = {
    TEXT("listen", K_LISTEN, metrics_listen, NULL, 0),
    TEXT("textfile", K_PROMFILE, metrics_textfile, NULL, 0),
};

/* The level is applied by a reload; the target (journal or stderr) only at start-up. */
static const struct g2d__key_desc log_keys[] = {
    ENUM("level", log_level, level_vals, LOG_INFO, 0),
    ENUM("target", log_target, target_vals, G2D_LOG_AUTO, RESTART),
    KEY("max_item_lines", K_UINT, log_max_item_lines, 0, 1000000, G2D_DEFAULT_LOG_MAX_ITEM_LINES,
        0),
};

#define SECTION(n, k)                                                                              \
    {                                                                                              \
        n, k, sizeof(k) / sizeof(k[0])                                                             \
    }
const struct g2d__section_desc g2d__sections[] = {
    SECTION("glue", glue_keys),       SECTION("dlf", dlf_keys),   SECTION("sync", sync_keys),
    SECTION("deletes", deletes_keys), SECTION("http", http_keys), SECTION("result", result_keys),
    SECTION("control", control_keys), SECTION("log", log_keys),   SECTION("metrics", metrics_keys),
};
const size_t g2d__nsections = sizeof(g2d__sections) / sizeof(g2d__sections[0]);

_Static_assert(sizeof(enum g2d_dlf_signature) == sizeof(int), "enum storage");
_Static_assert(sizeof(enum g2d_log_target) == sizeof(int), "enum storage");
_Static_assert(sizeof(g2d__sections) / sizeof(g2d__sections[0]) <= G2D__MAX_SECTIONS, "sections");
#define NKEYS(k) (sizeof(k) / sizeof(k[0]))
_Static_assert(
    NKEYS(glue_keys) <= G2D__MAX_SECTION_KEYS && NKEYS(dlf_keys) <= G2D__MAX_SECTION_KEYS &&
        NKEYS(sync_keys) <= G2D__MAX_SECTION_KEYS && NKEYS(deletes_keys) <= G2D__MAX_SECTION_KEYS &&
        NKEYS(http_keys) <= G2D__MAX_SECTION_KEYS && NKEYS(result_keys) <= G2D__MAX_SECTION_KEYS &&
        NKEYS(control_keys) <= G2D__MAX_SECTION_KEYS && NKEYS(log_keys) <= G2D__MAX_SECTION_KEYS &&
        NKEYS(metrics_keys) <= G2D__MAX_SECTION_KEYS,
    "G2D__MAX_SECTION_KEYS");
_Static_assert(NKEYS(glue_keys) + NKEYS(dlf_keys) + NKEYS(sync_keys) + NKEYS(deletes_keys) +
                       NKEYS(http_keys) + NKEYS(result_keys) + NKEYS(control_keys) +
                       NKEYS(log_keys) + NKEYS(metrics_keys) <=
                   G2D_CONFIG_MAX_KEYS,
               "G2D_CONFIG_MAX_KEYS");

static void set_default(struct g2d_config *cfg, const struct g2d__key_desc *d)
{
    void *field = g2d__key_field(cfg, d);
    int e;

    switch (d->type) {
    case K_UINT:
    case K_OBJECTS:
        *(unsigned *)field = (unsigned)d->def;
        break;
    case K_DOUBLE:
        *(double *)field = d->def;
        break;
    case K_DURATION:
        *(uint64_t *)field = (uint64_t)d->def;
        break;
    case K_SIZE:
        *(size_t *)field = (size_t)d->def;
        break;
    case K_BOOL:
        *(bool *)field = d->def != 0;
        break;
    case K_ENUM:
        e = (int)d->def; /* only an enum's default is an int (others may not fit one) */
        memcpy(field, &e, sizeof(e));
        break;
    case K_MODE:
        *(mode_t *)field = (mode_t)d->def;
        break;
    default:
        break;
    }
}

int g2d__config_set_defaults(struct g2d_config *cfg)
{
    for (size_t i = 0; i < g2d__nsections; i++) {
        for (size_t j = 0; j < g2d__sections[i].nkeys; j++) {
            const struct g2d__key_desc *d = &g2d__sections[i].keys[j];

            if (d->def_str) {
                char **p = g2d__key_field(cfg, d);

                *p = strdup(d->def_str);
                if (!*p)
                    return -ENOMEM;
            } else {
                set_default(cfg, d);
            }
        }
    }
    return 0;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void free_key(struct g2d_config *cfg, const struct g2d__key_desc *d)
{
    void *field = g2d__key_field(cfg, d);

    if (g2d__ktype_is_text(d->type)) {
        free(*(char **)field);
        return;
    }
    switch (d->type) {
    case K_SECRET:
        g2d__secret_clear(field);
        break;
    case K_STRLIST:
        free_strv(*(char ***)field, *(size_t *)(void *)((char *)cfg + d->count_off));
        break;
    case K_FILTERS:
        for (size_t i = 0; cfg->partition_filters && i < cfg->npartition_filters; i++) {
            free(cfg->partition_filters[i].database);
            free(cfg->partition_filters[i].table);
            free(cfg->partition_filters[i].expression);
        }
        free(cfg->partition_filters);
        break;
    case K_RENAME:
        for (size_t i = 0; cfg->renames && i < cfg->nrenames; i++) {
            free(cfg->renames[i].database);
            free(cfg->renames[i].table);
            free(cfg->renames[i].to);
        }
        free(cfg->renames);
        break;
    case K_LOCMAP:
        for (size_t i = 0; cfg->location_map && i < cfg->nlocation_map; i++) {
            free(cfg->location_map[i].from);
            free(cfg->location_map[i].to);
        }
        free(cfg->location_map);
        break;
    default:
        break;
    }
}

void g2d__config_free_keys(struct g2d_config *cfg)
{
    const struct g2d__section_desc *sec;
    const struct g2d__key_desc *d;

    G2D__FOR_EACH_KEY(sec, d)
    {
        (void)sec;
        free_key(cfg, d);
    }
}
