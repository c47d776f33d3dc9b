/* SPDX-License-Identifier: MIT */
/**
 * @file config_defaults.h
 * The one place where the configuration's defaults are written down. The config key
 * table (lib/config/config_keys.c) applies them when a key is not set; the code that
 * must also cope with a zeroed struct g2d_config (tests, the HTTP engine's own options)
 * falls back to the same macros, and glue2dlf.yaml states them (tests/unit/test_config.c
 * checks that the reference file loads to the defaults).
 */
#ifndef GLUE2DLF_CONFIG_DEFAULTS_H
#define GLUE2DLF_CONFIG_DEFAULTS_H

/* glue: and dlf: */
#define G2D_DEFAULT_MAX_CONCURRENCY 16u      /**< {glue,dlf}.max_concurrency */
#define G2D_DEFAULT_GLUE_PAGE_SIZE 100u      /**< glue.page_size */
#define G2D_DEFAULT_GLUE_CREDENTIALS "chain" /**< glue.credentials */
#define G2D_DEFAULT_DLF_CREDENTIALS "chain"  /**< dlf.credentials */
#define G2D_DEFAULT_PARTITION_SEGMENTS 10u   /**< glue.partition_segments */
#define G2D_DEFAULT_DLF_PAGE_SIZE 100u       /**< dlf.page_size */
#define G2D_DEFAULT_BATCH_SIZE 100u          /**< dlf.batch_size */

/* sync: */
#define G2D_DEFAULT_INTERVAL_MS (5u * 60 * 1000)          /**< sync.interval: 5m */
#define G2D_DEFAULT_JITTER_DIVISOR 10u                    /**< sync.jitter: interval / 10 */
#define G2D_DEFAULT_FULL_RECONCILE_MS (24u * 3600 * 1000) /**< sync.full_reconcile: 24h */

/* deletes: */
#define G2D_DEFAULT_MAX_DELETES 1000u                         /**< deletes.max_count */
#define G2D_DEFAULT_MAX_DELETE_FRACTION 0.5                   /**< deletes.max_fraction */
#define G2D_DEFAULT_GRACE_CYCLES 0u                           /**< deletes.grace_cycles */
#define G2D_DEFAULT_ARCHIVE_MAX_AGE_MS (30ull * 86400 * 1000) /**< deletes.archive_max_age: 30d */
#define G2D_DEFAULT_ARCHIVE_MAX_BYTES (256u << 20) /**< deletes.archive_max_size: 256 MiB */

/* http: */
#define G2D_DEFAULT_CONNECT_TIMEOUT_MS 10000u              /**< http.connect_timeout: 10s */
#define G2D_DEFAULT_TIMEOUT_MS 120000u                     /**< http.timeout: 2m */
#define G2D_DEFAULT_MAX_ATTEMPTS 6u                        /**< http.max_attempts */
#define G2D_DEFAULT_MAX_RESPONSE_BYTES ((size_t)256 << 20) /**< http.max_response_size */

/* result: (the result log on OSS and its local spool) */
#define G2D_DEFAULT_RESULT_SPOOL_MAX_BYTES ((size_t)1 << 30) /**< result.spool_max_size: 1 GiB */
#define G2D_DEFAULT_RESULT_PART_BYTES ((size_t)8 << 20)      /**< result.part_size: 8 MiB */

/* control: (the ctl client uses the same socket default) */
#define G2D_DEFAULT_CONTROL_SOCKET "/run/glue2dlf/control.sock" /**< control.socket */
#define G2D_DEFAULT_CONTROL_MODE 0660                           /**< control.mode */
#define G2D_DEFAULT_LOG_MAX_ITEM_LINES 100 /**< log.max_item_lines: per cycle */

#endif
