/* SPDX-License-Identifier: MIT */
/**
 * @file sync.h
 * The sync engine: runs one cycle at a time (extract from Glue → transform → diff
 * against the in-memory snapshot of DLF → load into DLF) on the HTTP engine, and reports
 * one result per item acted on.
 *
 * The snapshot is built from a DLF listing on the first cycle (and again every full
 * reconcile period); after that a cycle whose Glue side is unchanged sends nothing to DLF.
 * Only an object whose write succeeded enters the snapshot; a failed one is retried on
 * the next cycle.
 */
#ifndef GLUE2DLF_SYNC_H
#define GLUE2DLF_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/config.h"
#include "glue2dlf/error.h"
#include "glue2dlf/http.h"
#include "glue2dlf/version.h"

enum g2d_item_type {
    G2D_ITEM_DATABASE = 0,
    G2D_ITEM_TABLE,
    G2D_ITEM_PARTITION,
    G2D_ITEM_FUNCTION,
};

enum g2d_diff {
    G2D_DIFF_GLUE_NEW = 0, /**< in Glue, not in DLF: create */
    G2D_DIFF_NEED_UPDATE,  /**< in both, different: update */
    G2D_DIFF_DLF_NEW,      /**< in DLF only: delete */
};

/** "database", "table", "partition", "function" (a static string). */
const char *g2d_item_type_name(enum g2d_item_type t);
/** "glueNew", "needUpdate", "dlfNew" (a static string). */
const char *g2d_diff_name(enum g2d_diff d);

/** One item acted on (or planned, in a dry run). Borrowed for the callback's duration. */
struct g2d_item_result {
    uint64_t cycle_id;
    int64_t time_ms; /**< Unix time in ms when the outcome was known */
    enum g2d_item_type type;
    const char *name; /**< database: "db"; table: "db.tbl"; function: "db.fn";
                                      partition: "db.tbl/k1=v1/k2=v2" */
    const char *database;
    const char *table; /**< NULL for databases and functions */
    enum g2d_diff diff;
    bool success;
    bool dry_run;        /**< planned only, nothing written */
    bool held;           /**< a delete held back by the delete guard */
    const char *error;   /**< NULL on success */
    const char *warning; /**< e.g. open-table-format path warning, or NULL */
};

/**
 * Append a result to @p out (caller-owned) as one compact JSON object (no newline), fields
 * in this order:
 * cycleId, time (RFC 3339 UTC with ms), itemType, itemName, diffResult, isSuccess,
 * errorMsg ("" on success), then dryRun / held / warning only when set.
 */
int g2d_item_result_format(const struct g2d_item_result *r, struct g2d_buf *out);

enum g2d_phase {
    G2D_PHASE_IDLE = 0,
    G2D_PHASE_SNAPSHOT, /**< listing DLF to (re)build the snapshot */
    G2D_PHASE_EXTRACT,  /**< listing Glue and diffing */
    G2D_PHASE_LOAD,     /**< writing to DLF */
};
/** "idle", "snapshot", "extract", "load" (a static string). */
const char *g2d_phase_name(enum g2d_phase p);

struct g2d_progress {
    enum g2d_phase phase;
    uint64_t cycle_id; /**< running or last cycle */
    int64_t started_ms;
    uint64_t databases_done, databases_total;
    uint64_t tables_done, tables_total;
    uint64_t items_seen; /**< Glue objects read this cycle */
    uint64_t writes_done, writes_queued;
    uint64_t snapshot_items; /**< objects in the snapshot */
    /** snapshot phase: DLF listings (tables and functions of a database, partitions of a
     * table) finished and known so far; the total grows as DLF's tables are found */
    uint64_t snapshot_listings_done, snapshot_listings_total;
    int64_t snapshot_started_ms; /**< when the snapshot listing began */
    size_t snapshot_bytes;       /**< memory held by the snapshot */
};

struct g2d_cycle_stats {
    uint64_t cycle_id;
    int64_t started_ms, finished_ms;
    bool dry_run;
    bool cancelled;
    int status; /**< 0, or <0 when the cycle could not run as a whole
                                      (e.g. the Glue listing failed); see error */
    char error[G2D_ERRMSG_MAX];
    uint64_t seen; /**< Glue objects in scope */
    uint64_t unchanged;
    uint64_t created, updated, deleted;   /**< successful writes */
    uint64_t failed;                      /**< items that failed (retried next cycle) */
    uint64_t held;                        /**< deletes held by the guard */
    uint64_t glue_requests, dlf_requests; /**< HTTP requests this cycle */
    uint64_t dlf_writes;                  /**< DLF write requests this cycle */
    bool snapshot_rebuilt;                /**< the snapshot was rebuilt by listing DLF */
    int64_t snapshot_rebuild_ms;          /**< how long that listing took */
    uint32_t dropped_fields;    /**< Glue fields with no DLF counterpart met this cycle (bits,
                                  see g2d_dropped_field_name()) */
    char notes[G2D_ERRMSG_MAX]; /**< what the engine learned this cycle, for the log once
                                     ("BatchCreatePartitions refused a batch of 100 as too
                                     large: 50 from now on"), "" if nothing */
};

struct g2d_sync;

typedef void (*g2d_item_cb)(const struct g2d_item_result *item, void *arg);
typedef void (*g2d_cycle_cb)(const struct g2d_cycle_stats *stats, void *arg);

/**
 * Create the engine: registers the Glue and DLF endpoints on @p http.
 * @param out the engine, caller-owned: free with g2d_sync_free()
 * @param http borrowed; must outlive the engine
 * @param cfg borrowed; must stay valid until replaced by g2d_sync_set_config() or freed
 * @param on_item called for every item result (may be NULL), from the loop; the result
 *        and its strings are borrowed for the call only
 * @return 0 or negative errno (detail in @p err)
 */
int g2d_sync_new(struct g2d_sync **out, struct g2d_http *http, const struct g2d_config *cfg,
                 g2d_item_cb on_item, void *item_arg, struct g2d_error *err);

/**
 * Use a new config from the next cycle on (the running cycle keeps the one it started
 * with). If a key the config key table flags G2D_KEY_REBUILD changed (the scope: objects,
 * databases, table prefixes, partition filters; the DLF region, endpoint or catalog id),
 * the snapshot is rebuilt.
 * @p cfg is borrowed like in g2d_sync_new(); the old one may be freed once
 * g2d_sync_config_in_use() no longer returns it.
 */
int g2d_sync_set_config(struct g2d_sync *s, const struct g2d_config *cfg, struct g2d_error *err);

/**
 * Keep the snapshot in a checkpoint file at @p path (copied; NULL: none): written at the
 * end of every cycle and, during a long one, every @p interval_s seconds (0: only at the
 * end); loaded at the first cycle instead of listing all of DLF, when it is for the same
 * scope and younger than sync.full_reconcile, and then verified against DLF's databases,
 * tables and functions (a mismatch rebuilds the snapshot from DLF). Call before the first
 * cycle. @return 0 or -ENOMEM.
 */
int g2d_sync_set_checkpoint(struct g2d_sync *s, const char *path, unsigned interval_s);

/** The config the running cycle uses (or the current one when idle); borrowed, it is the
 * pointer the caller passed to g2d_sync_new() or g2d_sync_set_config(). */
const struct g2d_config *g2d_sync_config_in_use(const struct g2d_sync *s);

struct g2d_creds;
/** The credentials provider of a side (0 Glue, 1 DLF), borrowed, or NULL (a test client). */
struct g2d_creds *g2d_sync_creds(const struct g2d_sync *s, int side);

enum {
    G2D_CYCLE_DRY_RUN = 1u << 0, /**< plan only: report items, write nothing */
    G2D_CYCLE_FULL = 1u << 1,    /**< rebuild the snapshot from DLF first */
};

/**
 * Start a cycle. @return 0, or -EBUSY if one is running. @p done is called once, later,
 * from the loop (never from inside this call), with stats borrowed for the call only.
 */
int g2d_sync_start(struct g2d_sync *s, unsigned flags, g2d_cycle_cb done, void *arg);

/**
 * Stop the running cycle: no new request is started; writes in flight finish (their
 * results are reported and recorded); the cycle's callback then runs with
 * stats->cancelled set. No-op when idle.
 */
void g2d_sync_cancel(struct g2d_sync *s);

bool g2d_sync_running(const struct g2d_sync *s);
void g2d_sync_progress(const struct g2d_sync *s, struct g2d_progress *out);
/**
 * Cumulative HTTP statistics of the Glue and DLF endpoints the engine registered (either
 * pointer may be NULL). Used by the daemon's status and metrics.
 */
void g2d_sync_http_stats(const struct g2d_sync *s, struct g2d_http_stats *glue,
                         struct g2d_http_stats *dlf);

/** Called per snapshot entry by g2d_sync_db_counts(): the database name (@p db, @p len
 * bytes, not terminated; borrowed for the call), an object type and how many of it. */
typedef void (*g2d_db_count_fn)(void *arg, const char *db, size_t len, enum g2d_item_type type,
                                uint64_t n);
/**
 * What the snapshot holds, database by database: @p fn is called once per database,
 * table and function entry (n = 1) and once per table with partitions (their number).
 * On the loop thread, between or during cycles (then it is the snapshot so far).
 */
void g2d_sync_db_counts(struct g2d_sync *s, g2d_db_count_fn fn, void *arg);

/** Name of one dropped-field bit of g2d_cycle_stats.dropped_fields ("Table.TargetTable"),
 * a static string. */
const char *g2d_dropped_field_name(unsigned bit);

/** Stats of the last finished cycle (zeroed before the first); borrowed from the engine,
 * overwritten when the next cycle ends. */
const struct g2d_cycle_stats *g2d_sync_last(const struct g2d_sync *s);

/** One delete held for a person (or decided by one), borrowed for a callback. */
struct g2d_held_view {
    uint64_t id; /**< stable: a hash of type and name */
    enum g2d_item_type type;
    const char *name;   /**< as in the result log: "db", "db.tbl", "db.tbl/k=v", "db.fn" */
    const char *state;  /**< "held", "approved" (deleted at the next cycle if still missing
                             from Glue), "rejected" (kept, not held again while missing) */
    const char *reason; /**< "empty_source", "max_count", "max_fraction", "key_change" */
    uint64_t first_cycle, last_cycle; /**< cycles that first and last held it */
    int64_t first_ms, last_ms;        /**< the same as Unix times (ms) */
};

struct g2d_held_filter {
    unsigned types;      /**< bits 1u << enum g2d_item_type; 0: every type */
    const char *scope;   /**< "db" or "db.table" (and what is inside); NULL/"": all */
    const uint64_t *ids; /**< only these IDs, when nids > 0 */
    size_t nids;
};

typedef void (*g2d_held_cb)(const struct g2d_held_view *h, void *arg);

/** Call @p cb (may be NULL) for each held delete matching @p f. @return how many. */
size_t g2d_sync_held_list(struct g2d_sync *s, const struct g2d_held_filter *f, g2d_held_cb cb,
                          void *arg);

/**
 * Approve (or reject) the held deletes matching @p f, calling @p cb for each. An approved
 * delete is applied by the next cycle that still finds the object missing from Glue,
 * whatever the guards say; a rejected one is neither applied nor held again while the
 * object stays missing from Glue. Idle, the checkpoint is written at once.
 * @return 0; -ENOENT when one of f->ids is not a held delete matching @p f (then
 * *@p unknown is it and nothing changed).
 */
int g2d_sync_held_decide(struct g2d_sync *s, const struct g2d_held_filter *f, bool approve,
                         g2d_held_cb cb, void *arg, uint64_t *unknown);

/**
 * Keep a deleted-objects archive in @p dir (copied; NULL: none; made when first needed):
 * before a delete is sent, the objects it removes are read from DLF and appended there
 * (see deletes.archive_max_age / archive_max_size), and the delete is held back when that
 * fails. Pruned to its bounds at the end of every cycle. @return 0 or -ENOMEM.
 */
int g2d_sync_set_archive(struct g2d_sync *s, const char *dir);
/** Apply the archive's bounds now (also done at the end of every cycle). */
void g2d_sync_archive_prune(struct g2d_sync *s);

/** The outcome of a restore: @p err 0 or negative errno with @p message. */
typedef void (*g2d_restore_cb)(int err, const char *message, enum g2d_item_type type,
                               const char *name, void *arg);

/**
 * Put the newest archived object named @p name (of @p type, or any when < 0) back in DLF
 * as a create; once DLF confirms it, it is in the snapshot and its delete is rejected in
 * the registry of held deletes (kept in DLF while missing from Glue). Only while idle.
 * @return 0 (then @p cb runs later, from the loop); -ENOENT not archived; -EBUSY a cycle
 * or a restore is running; other negative errno (detail in @p err).
 */
int g2d_sync_restore(struct g2d_sync *s, int type, const char *name, g2d_restore_cb cb, void *arg,
                     struct g2d_error *err);

/** Free the engine (must be idle). Accepts NULL. */
void g2d_sync_free(struct g2d_sync *s);

#endif
