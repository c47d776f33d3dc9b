/* SPDX-License-Identifier: MIT */
/**
 * @file config.h
 * The daemon's configuration: one YAML file (glue2dlf.yaml, fully commented at the
 * repository root), or a legacy `application.properties` file of the Spark migrator,
 * accepted as it is.
 *
 * A config object is immutable once loaded: a reload builds a complete new one and the
 * daemon swaps pointers only if it is valid. Every error names `file:line:col`.
 */
#ifndef GLUE2DLF_CONFIG_H
#define GLUE2DLF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/error.h"

/** Ceiling for a config file, to bound the parser's memory. */
#define G2D_CONFIG_MAX_BYTES (4u << 20)

enum g2d_dlf_signature {
    G2D_DLF_SIG_ACS3 = 0, /**< ACS3-HMAC-SHA256 (V3): the default, what current SDKs send */
    G2D_DLF_SIG_ROA = 1,  /**< ROA HMAC-SHA1 (V2): what the older Java SDK sends */
};

enum g2d_log_target {
    G2D_LOG_AUTO = 0, /**< journald when stderr is the journal ($JOURNAL_STREAM), else stderr */
    G2D_LOG_JOURNAL,
    G2D_LOG_STDERR,
};

/** Where a secret came from; shown by --print-config instead of the value. */
enum g2d_secret_source {
    G2D_SECRET_NONE = 0,
    G2D_SECRET_FILE,       /**< literal value in the config file */
    G2D_SECRET_ENV,        /**< environment variable */
    G2D_SECRET_CREDENTIAL, /**< systemd credential in $CREDENTIALS_DIRECTORY */
};

struct g2d_secret {
    char *value; /**< NULL when unset; never logged or printed */
    enum g2d_secret_source source;
    char *origin; /**< env var or credential name, NULL for FILE/NONE */
};

/** Per-side HTTP client settings. */
struct g2d_endpoint_config {
    char *endpoint;           /**< base URL override ("http://127.0.0.1:8601"), NULL = derived */
    unsigned max_concurrency; /**< in-flight requests */
    double max_rps;           /**< request-rate cap, 0 = none */
    unsigned page_size;       /**< list page size */
};

struct g2d_glue_config {
    char *region;        /**< required (or AWS_REGION / AWS_DEFAULT_REGION) */
    char *catalog_id;    /**< NULL = the account's own catalog */
    char *access_key_id; /**< not secret, but only printed masked-free */
    struct g2d_secret secret_access_key;
    struct g2d_secret session_token;
    char *credentials;     /**< chain | static | profile NAME | web-identity | container |
                                instance-metadata (lib/creds/aws_plan.c) */
    bool imds_v1_fallback; /**< instance metadata without a token when IMDSv2 is refused */
    struct g2d_endpoint_config http;
    unsigned partition_segments; /**< GetPartitions segments per table, 1..10 */
};

struct g2d_dlf_config {
    char *region;     /**< required */
    char *catalog_id; /**< NULL = the account's default catalog */
    char *access_key_id;
    struct g2d_secret access_key_secret;
    struct g2d_secret security_token;
    char *credentials; /**< chain | static | profile NAME | oidc | ecs-ram-role | uri
                            (lib/creds/aliyun_plan.c) */
    enum g2d_dlf_signature signature;
    struct g2d_endpoint_config http;
    unsigned batch_size; /**< partitions per batch write */
};

/** The result log on OSS (result.path oss://...) and its local spool. */
struct g2d_result_oss_config {
    char *endpoint;         /**< base URL override, NULL = oss-<dlf.region>.aliyuncs.com */
    bool internal;          /**< derived endpoint: the -internal (VPC) one */
    int signature;          /**< enum g2d_oss_signature: V4 (default) or V1 */
    char *spool_dir;        /**< NULL = $STATE_DIRECTORY/result-spool */
    size_t spool_max_bytes; /**< spool bound */
    size_t part_bytes;      /**< a cycle's lines are cut into objects of this size */
};

struct g2d_partition_filter {
    char *database;
    char *table;
    char *expression; /**< Glue GetPartitions Expression, e.g. "dt>=20220101" */
};

/**
 * One sync.rename rule: a Glue database (table NULL) or table and the name it has in DLF.
 * Names are stored in lower case (Glue's and DLF's identity) and compared so.
 */
struct g2d_rename_rule {
    char *database; /**< Glue database name */
    char *table;    /**< Glue table name, NULL for a database rule */
    char *to;       /**< DLF database name, or DLF table name (in the database's DLF name) */
};

struct g2d_location_rule {
    char *from; /**< source prefix, e.g. "s3://bucket/" */
    char *to;   /**< target prefix, e.g. "oss://bucket/" */
};

/** Object types selected for sync. */
enum {
    G2D_OBJ_DATABASES = 1u << 0,
    G2D_OBJ_TABLES = 1u << 1,
    G2D_OBJ_PARTITIONS = 1u << 2,
    G2D_OBJ_FUNCTIONS = 1u << 3,
};

/** The configuration; the defaults of its keys are in config_defaults.h. */
struct g2d_config {
    char *path;  /**< file it was loaded from */
    bool legacy; /**< loaded from a .properties file */

    struct g2d_glue_config glue;
    struct g2d_dlf_config dlf;

    /* schedule */
    uint64_t interval_ms; /**< between cycle starts */
    uint64_t jitter_ms;   /**< uniform random delay added (default: a share of the interval) */
    uint64_t full_reconcile_ms; /**< rebuild the snapshot from a DLF listing, 0 = never */
    bool run_on_start;          /**< first cycle right after start-up */

    /* scope */
    unsigned objects; /**< G2D_OBJ_* mask */
    char **databases; /**< allow-list, NULL/0 = all */
    size_t ndatabases;
    char **table_prefixes; /**< table-name prefixes, NULL/0 = all */
    size_t ntable_prefixes;
    struct g2d_partition_filter *partition_filters;
    size_t npartition_filters;
    struct g2d_rename_rule *renames; /**< sync.rename: Glue name -> DLF name */
    size_t nrenames;
    struct g2d_location_rule *location_map; /**< longest matching prefix wins */
    size_t nlocation_map;

    /* safety */
    bool dry_run;                /**< plan and report, never write */
    bool deletes;                /**< delete what Glue no longer has */
    unsigned max_deletes;        /**< per cycle and object type; more are held */
    double max_delete_fraction;  /**< of the DLF objects in scope */
    unsigned grace_cycles;       /**< cycles an object must be missing before its delete */
    uint64_t archive_max_age_ms; /**< deleted-objects archive: days kept (0: no archive) */
    size_t archive_max_bytes;    /**< ... and its size at most */

    /* HTTP (both sides) */
    char *ca_file;               /**< NULL = system store */
    uint64_t connect_timeout_ms; /**< TCP + TLS set-up */
    uint64_t request_timeout_ms; /**< whole transfer */
    unsigned max_attempts;       /**< per request incl. the first */
    size_t max_response_bytes;   /**< per response body */

    /* output and control */
    char *result_path; /**< JSON-lines result log: a file, a directory (one file per
                               cycle) or oss://bucket/prefix/; NULL = none */
    struct g2d_result_oss_config result_oss;
    char *control_socket; /**< the control socket path */
    mode_t control_mode;  /**< the control socket file mode */
    enum g2d_log_target log_target;
    int log_level;               /**< syslog priority threshold (LOG_DEBUG + 1: trace) */
    unsigned log_max_item_lines; /**< failed-item lines per cycle; the rest are summed up */
    char *metrics_listen;        /**< scrape endpoint (see glue2dlf/listen.h), NULL = none */
    char *metrics_textfile; /**< node_exporter text file written after each cycle, NULL = none */

    /* derived at load time */
    char *glue_url; /**< effective Glue base URL, no trailing '/' */
    char *dlf_url;  /**< effective DLF base URL, no trailing '/' */
};

/**
 * Where g2d_config_load() may get the Glue region when neither the file, AWS_REGION /
 * AWS_DEFAULT_REGION nor the profile gives one and glue.credentials may use instance
 * metadata: the daemon installs one at start-up (a network call); --check-config does not.
 * @return 0 with the region in @p buf, or a negative errno.
 */
typedef int (*g2d_region_lookup_fn)(bool v1_ok, char *buf, size_t sz);
void g2d_config_set_region_lookup(g2d_region_lookup_fn fn);

/**
 * Load and validate a config file. YAML unless the file name ends in ".properties"
 * (or its first non-comment line looks like `key=value`), in which case the legacy format
 * is parsed. Secrets named by `*_env` / `*_credential` keys, and the standard environment
 * variables when nothing is configured (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
 * ALIBABA_CLOUD_SECURITY_TOKEN), are resolved here.
 *
 * A file that contains a literal secret and is readable by "other" is refused.
 *
 * @param[out] out  caller owns, free with g2d_config_free(); written only on success
 * @return 0 or -errno with @p err naming file:line:col
 */
int g2d_config_load(struct g2d_config **out, const char *path, struct g2d_error *err);

/** Same, from memory (tests, fuzzing); @p name is used in messages; no permission check. */
int g2d_config_load_buffer(struct g2d_config **out, const char *name, const char *data, size_t len,
                           bool legacy, struct g2d_error *err);

/** Free a config. Accepts NULL. */
void g2d_config_free(struct g2d_config *cfg);

/**
 * Render the effective config as YAML, secrets replaced by `"***"` plus where they came
 * from (as a comment). The output is itself a valid config file.
 */
int g2d_config_print(const struct g2d_config *cfg, struct g2d_buf *out);

/** Effective Glue base URL ("https://glue.<region>.amazonaws.com" unless overridden). */
const char *g2d_config_glue_url(const struct g2d_config *cfg);
/** Effective DLF base URL ("https://dlf.<region>.aliyuncs.com" unless overridden). */
const char *g2d_config_dlf_url(const struct g2d_config *cfg);

/*
 * Names in filters and renames match case-insensitively (ASCII): DLF and Hive store
 * database and table names in lower case, Glue lower-cases them too.
 */
/** True if @p db passes the database allow-list. */
bool g2d_config_database_selected(const struct g2d_config *cfg, const char *db);
/** True if @p table passes the table-prefix filter. */
bool g2d_config_table_selected(const struct g2d_config *cfg, const char *table);
/** Partition filter expression for db.table (Glue names), or NULL. */
const char *g2d_config_partition_filter(const struct g2d_config *cfg, const char *db,
                                        const char *table);
/** The DLF name sync.rename gives Glue database @p db, or NULL when it is not renamed. */
const char *g2d_config_rename_database(const struct g2d_config *cfg, const char *db);
/** The DLF name sync.rename gives Glue table @p db.@p table, or NULL when not renamed. */
const char *g2d_config_rename_table(const struct g2d_config *cfg, const char *db,
                                    const char *table);
/**
 * The Glue names the DLF object @p dlf_db (with @p dlf_tbl NULL) or @p dlf_db.@p dlf_tbl
 * is the copy of, through sync.rename: into *@p glue_db and *@p glue_tbl (borrowed from
 * the arguments or @p cfg). False when no Glue object maps to it because its own name is
 * renamed away (a rename source that is no rule's target): such an object is out of scope.
 */
bool g2d_config_glue_origin(const struct g2d_config *cfg, const char *dlf_db, const char *dlf_tbl,
                            const char **glue_db, const char **glue_tbl);
/** True if @p name is one DLF can hold as a database name (letters, digits, '_', 1..128). */
bool g2d_config_dlf_name_ok(const char *name);

/**
 * Flags of a config key, declared in the key table (lib/config/config_keys.c): what a
 * change of its value needs beyond a reload.
 */
enum {
    G2D_KEY_RESTART = 1u << 0, /**< fixed at start-up: a reload cannot apply it */
    G2D_KEY_REBUILD = 1u << 1, /**< part of the sync scope: the DLF snapshot is rebuilt */
};

/** One key whose value differs between two configs. */
struct g2d_config_change {
    char key[64];   /**< dotted YAML name ("http.timeout") */
    unsigned flags; /**< the key's G2D_KEY_* flags */
};

/** No config has more keys than this: an array of this size holds every change. */
#define G2D_CONFIG_MAX_KEYS 96

/**
 * Compare @p a and @p b key by key, in the order of the key table (that of
 * glue2dlf.yaml), and list each key whose value differs and whose flags intersect
 * @p mask (0: every key). Strings compare by content (unset equals empty), a mode by its
 * permission bits, partition filters and the location map as sets; a secret counts once,
 * under its literal name, whichever of its three forms set it. Derived values
 * (glue_url, dlf_url, the path) are not keys and do not count.
 *
 * @param out  at most @p cap entries are written (owned by the caller)
 * @return the number of such keys (may exceed @p cap). Both configs are only read.
 */
size_t g2d_config_changes(const struct g2d_config *a, const struct g2d_config *b, unsigned mask,
                          struct g2d_config_change *out, size_t cap);

/**
 * A 64-bit hash of the values of the keys whose flags intersect @p mask, such that two
 * configs for which g2d_config_changes() with that mask finds nothing hash alike. Never 0.
 * The checkpoint stores it for G2D_KEY_REBUILD, to know which scope a snapshot is for.
 */
uint64_t g2d_config_hash(const struct g2d_config *cfg, unsigned mask);

/**
 * A new config holding only the values of the keys whose flags intersect @p mask (copied;
 * every other field zero, no path, no derived URLs): what a daemon keeps of its start-up
 * config to compare reloads against.
 *
 * @param[out] out  caller owns, free with g2d_config_free(); written only on success
 * @return 0 or -ENOMEM
 */
int g2d_config_copy_keys(struct g2d_config **out, const struct g2d_config *src, unsigned mask);

#endif
