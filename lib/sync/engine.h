/* SPDX-License-Identifier: MIT */
/*
 * Internal: the sync engine's shared state and the stages' entry points.
 *
 * A cycle is a set of small state machines on the loop, in stages that call only downward:
 *
 *   cycle.c    the cycle and its phases, and the one "look again" handle (sync_poke)
 *     rebuild.c  SNAPSHOT: list DLF into the snapshot
 *     extract.c  EXTRACT: Glue database and table units, listings, backpressure
 *       pages.c    GetPartitions pages on the thread pool: scan, match, transform
 *       diff.c     compare with the snapshot, per object type; plan deletes behind guards
 *         load.c     DLF writes: queue, container writes, partition batches, completions
 *                    into the snapshot
 *           listing.c  one paged-listing helper for every listing of both sides
 *           report.c   item results
 *   held.c     the registry of held deletes (state/held.c): what the guards held, what a
 *              person approved or rejected, deletes.grace_cycles (deletes.c, load.c)
 *   archive.c  a delete's objects read from DLF into the deleted-objects archive first
 *   restore.c  `glue2dlfctl restore`: an archived object written back, while idle
 *
 * A completion (a page processed, a write done, a listing finished) only updates its
 * counters and state and calls sync_poke(); the cycle's step then looks at everything
 * again: finishes what is done, starts what may start, advances the phase. No completion
 * calls the scheduler, the phase logic or the writers itself.
 */
#ifndef G2D_LIB_SYNC_ENGINE_H
#define G2D_LIB_SYNC_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "glue2dlf/expr.h"
#include "glue2dlf/model.h"
#include "glue2dlf/sync.h"

#include "cloud/client.h"
#include "state/held.h"
#include "state/snapshot.h"

#define MAX_PAGES 10000000u  /* pages per listing before it is refused as endless */
#define DB_UNITS 2           /* databases listed at a time */
#define MAX_KEYS 64          /* partition keys per table we handle */
#define MAX_SEGS 10          /* GetPartitions segments per table (Glue's maximum) */
#define HELD_REPORT_MAX 1000 /* held deletes reported one by one per type and cycle */
/* DLF's limit of partitions per table (dlf-api.md, DLF 1.0 limits page). */
#define DLF_MAX_PARTITIONS_PER_TABLE 1000000u

struct g2d_sync;
struct dbunit;
struct tunit;

/* ---- listings (listing.c) ------------------------------------------------------------- */

/* The paging state of one listing. */
struct listing {
    enum g2d_listing what;
    char *token; /* the next page's token; NULL before the first page */
    unsigned pages;
    bool listed; /* completed: deletes below it are allowed */
    bool failed;
};

typedef void (*listing_cb)(struct g2d_sync *s, const struct g2d_api_result *res, void *arg);

/* A listing read in flight, so that cancel can stop it. */
struct rd {
    struct rd *prev, *next;
    struct g2d_sync *s;
    struct g2d_http_req *req;
    listing_cb cb;
    void *arg;
};

enum listing_next { LISTING_MORE = 0, LISTING_DONE, LISTING_ENDLESS, LISTING_NOMEM };

/* Read the next page of @p l (req->token is filled from l). @return 0 or -errno. */
int listing_read(struct g2d_sync *s, struct listing *l, struct g2d_list_req *req, listing_cb cb,
                 void *arg);
/* A page arrived with @p next_token (NULL at the end): what comes next. Sets l->listed on
 * LISTING_DONE and l->failed on LISTING_ENDLESS (a repeated token or too many pages). */
enum listing_next listing_advance(struct listing *l, const char *next_token);
void listing_done(struct listing *l);
/* DLF GetCatalog, tracked like a listing read (client.ops->get_catalog must be set). */
int catalog_read(struct g2d_sync *s, listing_cb cb, void *arg);
/* Stop every read in flight (their callbacks are not called). */
void listing_cancel_all(struct g2d_sync *s);

/* ---- writes (load.c) ----------------------------------------------------------------- */

struct wop;
typedef void (*wop_done_fn)(struct wop *op, const struct g2d_api_result *res);

/* One item of a partition batch. */
struct pitem {
    json_t *values; /* array of strings */
    char *text;     /* PartitionInput as compact JSON (create/update), NULL for deletes */
    struct g2d_fp fp;
    uint64_t raw; /* fingerprint of the Glue bytes it came from, 0 = unknown */
    enum g2d_diff diff;
};

struct wop {
    struct wop *next;
    struct g2d_sync *s;
    wop_done_fn done;
    enum g2d_item_type type;
    enum g2d_diff diff;
    enum g2d_verb verb;
    bool fell_back;    /* already re-sent as the other verb once */
    char *first_error; /* why the first verb failed, when it fell back */
    char *key;         /* snapshot key */
    char *name;        /* display name */
    char *db;          /* database name */
    char *tbl;         /* table or function name */
    json_t *input;     /* *Input for create/update */
    struct g2d_fp fp;
    const char *warning;
    struct dbunit *dbu; /* container waiting for this write, if any */
    struct tunit *tu;
    /* partition batches */
    struct pitem *items;
    struct g2d_part_ref *refs;
    size_t nitems;
    /* a delete: its objects' DLF JSON, read into the archive first (archive.c) */
    bool archived;
    unsigned arch_pending; /* reads in flight */
    char *arch_error;      /* why a read failed (the delete is then not sent) */
    json_t *arch_objs;     /* [{"i": item, "o": DLF JSON}] read so far */
};

struct wqueue {
    struct wop *head, *tail;
};

/* Plan (or, in a dry run, report) a database/table/function write. @return 1 when nothing
 * is to be waited for (dry run), 0 queued, <0 failed (nothing queued). */
int load_object(struct g2d_sync *s, enum g2d_item_type type, enum g2d_diff diff, const char *key,
                const char *name, const char *db, const char *tbl, json_t *input,
                const struct g2d_fp *fp, const char *warning, struct dbunit *dbu, struct tunit *tu);
/* Drop a table whose partition keys changed, then create it again. @return 0 or -ENOMEM. */
int load_recreate(struct g2d_sync *s, struct tunit *tu);
/* Send (or in a dry run report) a partition batch; takes @p items on every path. */
void load_partitions(struct g2d_sync *s, struct tunit *tu, const char *key, const char *db,
                     const char *tbl, enum g2d_diff diff, struct pitem *items, size_t n);
/* Batches of exactly batch_size go out as soon as they are full; with @p all, the rest. */
void load_flush_table(struct g2d_sync *s, struct tunit *tu, bool all);
/* Start queued writes while under the window. */
void load_pump(struct g2d_sync *s);
bool load_idle(const struct g2d_sync *s);
void load_clear(struct g2d_sync *s);
unsigned load_batch_size(const struct g2d_sync *s);

/* ---- units (extract.c) --------------------------------------------------------------- */

enum seg_state { SEG_READY = 0, SEG_READING, SEG_PROCESSING, SEG_DONE };

struct segment {
    struct tunit *tu;
    unsigned no;
    enum seg_state state;
    unsigned bad_pages; /* malformed answers to this page so far */
    bool failed;        /* set by the page job when the listing failed; extract reports it */
    char *error;        /* ... with this message (NULL: out of memory) */
    struct listing l;
};

enum table_write { TW_NONE = 0, TW_PENDING, TW_OK, TW_FAILED };

struct tunit {
    struct g2d_sync *s;
    struct tunit *next;  /* in the cycle's list of all units */
    struct tunit *qnext; /* in the run queue */
    struct tunit *anext; /* in the list of started units not yet done */
    struct dbunit *db;
    char *name;    /* table name in DLF (lower case, renamed by sync.rename) */
    char *glue;    /* table name in Glue */
    char *key;     /* "db.table", DLF names */
    json_t *input; /* TableInput */
    json_t *pkeys; /* PartitionKeys of the Glue table */
    struct g2d_fp fp;
    enum g2d_diff diff;
    bool write;                   /* a create/update is needed */
    bool recreate;                /* partition key names or count changed: drop + create */
    bool keys_retyped;            /* only partition key types changed: an update in place */
    bool probe;                   /* recreate: listing Glue's partitions before the drop */
    char *key_note;               /* what happened to the partition keys, for its result line */
    const char *warning;          /* what DLF's readers cannot use in it (static), or NULL */
    uint64_t dlf_parts_start;     /* DLF partitions in scope when the cycle met it */
    uint64_t creates, over_limit; /* partition creates planned; and held back (DLF's limit) */
    struct g2d_expr *filter;
    struct g2d_expr_key keys[MAX_KEYS];
    size_t nkeys;
    enum g2d_otf otf;
    enum table_write tw; /* its own write, when it has one */
    bool started, parts_started, failed, listed, done;
    unsigned segs;
    struct segment seg[MAX_SEGS];
    uint64_t parts_seen;
    struct pitem *cbatch, *ubatch; /* partitions waiting for a full batch */
    size_t ncb, nub;
    unsigned batches_inflight;
};

enum { DBL_TABLES = 0, DBL_FUNCTIONS = 1 };

struct dblist {
    struct dbunit *d;
    int kind; /* DBL_TABLES or DBL_FUNCTIONS */
    struct listing l;
};

struct dbunit {
    struct dbunit *next;  /* all units */
    struct dbunit *qnext; /* run queue */
    struct dbunit *anext; /* started, not done */
    char *name;           /* in DLF (lower case, renamed by sync.rename) */
    char *glue;           /* in Glue */
    bool write_pending;   /* its create/update is in flight */
    bool failed;          /* could not be created: children skipped this cycle */
    bool started;
    struct dblist list[2];
    unsigned reads; /* listing requests in flight */
    bool done;
    /* the delete guards, per database: [0] tables, [1] functions */
    uint64_t glue_seen[2];          /* listed by Glue under it this cycle */
    uint64_t dlf_total[2], gone[2]; /* in the snapshot under it; of those, not in Glue */
};

void extract_start(struct g2d_sync *s);
/* Finish the units that are done, start those that may start. */
void extract_step(struct g2d_sync *s);
bool extract_idle(const struct g2d_sync *s);
void extract_free_units(struct g2d_sync *s);
/* The table's listing could not be read: no partition deletes for it this cycle. */
void extract_table_failed(struct g2d_sync *s, struct tunit *tu, const char *what);
/* A page of segment @p seg was read (state READING → PROCESSING), or failed. */
void extract_page_read(struct g2d_sync *s, struct segment *seg, const struct g2d_api_result *res);
unsigned extract_max_pages(const struct g2d_sync *s);

/* ---- page jobs (pages.c) ------------------------------------------------------------- */

/* Take the page in @p res (its body) and process it on the pool. @return 0 or -ENOMEM. */
int pages_submit(struct g2d_sync *s, struct segment *seg, const struct g2d_api_result *res);
/* The transform settings, hashed into every raw fingerprint (see pages.c). */
void pages_seed(struct g2d_sync *s);

/* ---- diff (diff.c) ------------------------------------------------------------------- */

/* A Glue database in scope, its unit made: compare it and plan its write. */
void diff_database(struct g2d_sync *s, struct dbunit *d, json_t *gdb);
/* A Glue table: compare it; @return its new unit (caller queues it), or NULL when it is
 * out of scope, listed twice, or failed (reported). */
struct tunit *diff_table(struct g2d_sync *s, struct dbunit *d, json_t *gt);
void diff_function(struct g2d_sync *s, struct dbunit *d, json_t *gf);
/* The cycle's units by name (O(1), whatever the catalog). */
void diff_index(struct g2d_sync *s, unsigned type, const char *key, void *unit);
struct dbunit *diff_find_db(struct g2d_sync *s, const char *name);
struct tunit *diff_find_table(struct g2d_sync *s, const char *key);
/* The snapshot's record of a table's partitions, or NULL. */
struct g2d_tmeta *diff_table_meta(struct g2d_sync *s, const char *key);

/* One partition of a page, as the page job hands it to the diff. */
struct pel {
    const char *p; /* the partition's bytes, in the page */
    size_t n;
    const char *vt; /* the text of its Values, NULL if it has none */
    size_t vl;
    uint64_t raw;
    bool todo; /* needs the transform */
    /* transform results */
    json_t *values;
    char *text;
    struct g2d_fp fp;
    char *err; /* why the transform failed, NULL if it did not */
};

/* Mark the partitions whose bytes are exactly those seen last time; @return how many
 * others need the transform. */
size_t diff_page_match(struct g2d_sync *s, struct tunit *tu, struct pel *el, size_t n);
/* Diff each transformed partition and queue its write. */
void diff_page_apply(struct g2d_sync *s, struct tunit *tu, struct pel *el, size_t n);
/*
 * A table whose partition key names or count changed can only be dropped and created
 * again, which deletes every DLF partition it holds: the delete guards decide, as for the
 * deletes it implies. @return true to go ahead; false when held (reported).
 */
bool diff_recreate_allowed(struct g2d_sync *s, struct tunit *tu);
/* Delete stage 0 (partitions), 1 (tables and functions), 2 (databases). */
void diff_deletes(struct g2d_sync *s, int stage);

/* ---- snapshot rebuild (rebuild.c) ---------------------------------------------------- */

struct snapjob;
/* List DLF into the snapshot; with @p verify, only compare DLF's databases, tables and
 * functions with the snapshot loaded from a checkpoint (a mismatch rebuilds it). */
void rebuild_start(struct g2d_sync *s, bool verify);
/* Start jobs under the limit. @return true when the snapshot is complete. */
bool rebuild_step(struct g2d_sync *s);
void rebuild_free(struct g2d_sync *s);

/* ---- results (report.c) -------------------------------------------------------------- */

void report(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
            const char *tbl, enum g2d_diff diff, bool success, bool held, const char *error,
            const char *warning);
/* A failed item: counted and reported. */
void report_failed(struct g2d_sync *s, enum g2d_item_type type, const char *name, const char *db,
                   const char *tbl, enum g2d_diff diff, const char *error);
void count_ok(struct g2d_sync *s, enum g2d_diff diff);
/* "db.tbl/k1=v1/k2=v2" with names and values escaped as Hive does, so that the result
 * log joins with what Hive and Spark print (caller frees; NULL on ENOMEM). */
char *partition_name(const char *key, char *const *keys, size_t nkeys, json_t *values);
char *tunit_partition_name(const struct tunit *tu, json_t *values);
int64_t now_ms(void);
char *join2(const char *a, const char *sep, const char *b);
/*
 * The identity of an object as DLF (and Hive) store it: "a" or "a.b", ASCII letters in
 * lower case. Snapshot keys are always folded, so that a name that differs only by case
 * is the same object on both sides (caller frees; NULL on ENOMEM).
 */
char *name_fold(const char *a, const char *b);

/* ---- held deletes (held.c) ----------------------------------------------------------- */

enum held_verdict {
    HV_GUARD = 0, /* the guards decide */
    HV_SKIP,      /* rejected, or within deletes.grace_cycles: left alone, not counted */
    HV_APPROVED,  /* a person approved it: deleted */
};

/* Is there anything to look up (records, or a grace period)? When not, names of delete
 * candidates need not be built. */
bool held_active(const struct g2d_sync *s);
/* The verdict on one delete candidate; marks its record visited (not in a dry run).
 * Calling it again in the same cycle gives the same verdict. */
enum held_verdict held_check(struct g2d_sync *s, unsigned type, const char *name);
/* Only what a person decided (approved: HV_APPROVED, rejected: HV_SKIP), else HV_GUARD;
 * for a change that is not a delete of a missing object (a table dropped and created
 * again because its partition keys changed). */
enum held_verdict held_decided(struct g2d_sync *s, unsigned type, const char *name);
/* A guard held it for @p reason (enum g2d_held_reason): recorded (not in a dry run); its
 * ID into @p idbuf (17 bytes; "" when the registry could not take it). */
void held_register(struct g2d_sync *s, unsigned type, const char *name, unsigned reason,
                   char *idbuf);
/* Glue lists this database, table or function (again): its record goes, unless it is
 * about the table's partition keys. */
void held_seen(struct g2d_sync *s, unsigned type, const char *name);
/* It was deleted from DLF: its record, if any, goes. */
void held_forget(struct g2d_sync *s, unsigned type, const char *name);
void held_cycle_start(struct g2d_sync *s);
/* Drop the records no step visited, after a cycle that completed without a failure. */
void held_cycle_end(struct g2d_sync *s);

/* ---- the deleted-objects archive (archive.c) ---------------------------------------- */

/* Should this delete first be archived (an archive is set, and it has not been yet)? */
bool archive_wanted(const struct wop *op);
/* Read the objects @p op deletes from DLF; when all are read they are appended to the
 * archive and @p op is sent (load_send_archived). @return 0 or -ENOMEM. */
int archive_start(struct wop *op);
/* For archive.c: send @p op now that it is archived, or (with @p error) finish it as
 * failed without sending it. */
void load_send_archived(struct wop *op, const char *error);
void archive_free(struct wop *op);

/* ---- the engine (cycle.c) ------------------------------------------------------------ */

struct g2d_sync {
    uv_loop_t *loop;
    struct g2d_cloud *cloud; /* the real client, when the engine made it (else NULL) */
    struct g2d_cloud_client client;
    const struct g2d_config *cfg;
    const struct g2d_config *cycle_cfg;
    bool cfg_pending;
    g2d_item_cb on_item;
    void *item_arg;

    struct g2d_snapshot snap;
    struct g2d_snapshot units; /* per cycle: database and table units by name */
    bool snap_valid;
    int64_t snap_built_ms;
    int64_t rebuild_started_ms; /* when the running snapshot listing began */

    bool running, cancelling;
    g2d_cycle_cb done;
    void *done_arg;
    uint64_t next_id;
    struct g2d_cycle_stats cur, last;
    struct g2d_progress prog;
    uint64_t req_base[2];
    enum g2d_phase phase;
    uv_idle_t *look; /* "look again": the cycle's step runs once per loop turn when poked */

    /* reads */
    struct rd *reads;
    unsigned nreads;
    /* writes */
    struct wqueue wq_hi, wq_lo; /* hi: containers and tables; lo: partition batches */
    unsigned writes_inflight;
    unsigned part_batches; /* partition batches queued or in flight */

    /* snapshot rebuild */
    bool verifying;           /* comparing a checkpoint with DLF, not listing into the snapshot */
    uint64_t verify_mismatch; /* objects that differ: the checkpoint is not believed */
    struct listing dlf_dbs;
    struct snapjob *sjobs;     /* waiting */
    struct snapjob *sj_active; /* running */
    unsigned sjobs_active;

    /* extract */
    struct listing glue_dbs;
    struct dbunit *dbs, *dbq, *dbq_tail, *dba;
    struct tunit *tus, *tq, *tq_tail, *ta;
    unsigned db_active, t_active;
    uint64_t dbs_seen, tables_seen, fns_seen;

    /* delete phase */
    int del_stage;
    char db_hold[300];       /* why the database deletes (and so their contents) are held, or "" */
    unsigned db_hold_code;   /* its enum g2d_held_reason */
    struct g2d_heldset held; /* the deletes a person decides on (held.c) */
    char *archive_dir;       /* the deleted-objects archive, NULL: none */
    bool restoring;          /* a restore write is in flight */
    unsigned held_full_noted;
    uint64_t held_reported[4];

    unsigned batch_learned;  /* partition batch size DLF accepted, 0 = as configured */
    uint64_t part_limit;     /* DLF partitions per table (DLF_MAX_PARTITIONS_PER_TABLE) */
    json_t *limit_reported;  /* {"db.table": true}: tables over it, reported once */
    json_t *dlf_outside;     /* {"db.table": n}: DLF partitions its filter left out, as listed */
    json_t *empty_warned;    /* {"db.table": true}: filters that select nothing, warned once */
    uint64_t transform_seed; /* see pages.c */
    /* the checkpoint */
    char *ckpt_path;        /* NULL: none */
    unsigned ckpt_interval; /* seconds between checkpoints during a long cycle */
    int64_t ckpt_written_ms;
    bool ckpt_tried;     /* loaded (or tried) once, at the first cycle */
    unsigned njobs;      /* GetPartitions pages on the thread pool */
    unsigned page_reads; /* GetPartitions requests in flight */
};

/* Add a line to the cycle's notes (what was learned, for the log once). */
void sync_note(struct g2d_sync *s, const char *text);
/* Write the checkpoint now (idle: after a person's decision). */
void sync_checkpoint_now(struct g2d_sync *s);
/* Ask the cycle to look again (once per loop turn, however often it is asked). */
void sync_poke(struct g2d_sync *s);
/* End the whole cycle with "<what><detail>": nothing more is started; what is in flight
 * completes (writes are recorded), then the cycle finishes. */
void sync_fail(struct g2d_sync *s, int code, const char *what, const char *detail);
bool sync_want(const struct g2d_sync *s, unsigned obj);

/*
 * For tests: an engine over any cloud client (@p client borrowed for the engine's life),
 * on @p loop. Same contract as g2d_sync_new() otherwise.
 */
int g2d_sync_new_client(struct g2d_sync **out, uv_loop_t *loop,
                        const struct g2d_cloud_client *client, const struct g2d_config *cfg,
                        g2d_item_cb on_item, void *item_arg, struct g2d_error *err);

#endif
