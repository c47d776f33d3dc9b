/* SPDX-License-Identifier: MIT */
/*
 * The simulator's in-memory catalog store and the pure helpers around it: sorted named
 * collections, page tokens, name patterns, and the Glue and DLF object shapes (model.c),
 * plus the deterministic generator (gen.c). Nothing here knows about HTTP, so the unit
 * test (tests/unit/test_sim_catalog.c) includes these files directly.
 *
 * Locking is the caller's business: the server holds one mutex around every use.
 */
#ifndef G2D_SIM_CATALOG_H
#define G2D_SIM_CATALOG_H

#include <jansson.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/expr.h"

enum sim_side { SIM_GLUE = 0, SIM_DLF = 1, SIM_NSIDES = 2 };

/*
 * Child collections of an item. A database uses SIM_KID_TABLES and SIM_KID_FUNCTIONS;
 * they are created on first use. A table keeps its partitions in a compact ordered store
 * (struct sim_parts, parts.c) instead.
 */
enum { SIM_KID_TABLES = 0, SIM_KID_FUNCTIONS = 1, SIM_NKIDS = 2 };

struct sim_coll;
struct sim_parts;
struct sim_gtpl;

struct sim_item {
    char *name;                       /* the key, already folded */
    json_t *obj;                      /* the object as served; owned */
    struct sim_coll *kids[SIM_NKIDS]; /* NULL until the first child */
    struct sim_parts *parts;          /* tables: partitions, NULL until the first */
    unsigned long archived;           /* DLF tables: archived versions (UpdateTable) */
    struct sim_gtpl *gtpl;            /* Glue tables: rendering template (render.c) or NULL */
};

/* A collection sorted by name (byte order). Item pointers are valid until the next put. */
struct sim_coll {
    struct sim_item *items;
    size_t n;
    size_t cap;
};

struct sim_catalog {
    struct sim_coll dbs;
};

void sim_coll_init(struct sim_coll *c);
void sim_coll_done(struct sim_coll *c);
struct sim_item *sim_coll_find(const struct sim_coll *c, const char *name);
/* Index of the first item whose name is >= @p name. */
size_t sim_coll_lower_bound(const struct sim_coll *c, const char *name);
/*
 * Insert @p obj under @p name, or replace the object of an existing item (its children
 * are kept). Steals the reference to @p obj in every case. @return 1 if created, 0 if
 * replaced, -ENOMEM.
 */
int sim_coll_put(struct sim_coll *c, const char *name, json_t *obj);
/* Remove an item and everything under it. @return 0 or -ENOENT. */
int sim_coll_remove(struct sim_coll *c, const char *name);
/* Number of children of kind @p kid (0 when none). */
size_t sim_item_nkids(const struct sim_item *it, int kid);
/* The child collection of kind @p kid, created if needed; NULL on allocation failure. */
struct sim_coll *sim_item_kids(struct sim_item *it, int kid);

void sim_catalog_init(struct sim_catalog *cat);
void sim_catalog_done(struct sim_catalog *cat);

/*
 * One page of a collection: the indices of up to @p max items whose names are >= @p start
 * (NULL = from the beginning) and match @p re (NULL = all). *next receives the name of the
 * next matching item (borrowed from the collection), or NULL at the end.
 */
size_t sim_coll_page(const struct sim_coll *c, const char *start, size_t max, const regex_t *re,
                     size_t *idx, const char **next);

/*
 * Page tokens are opaque to clients: lower-case hex of "<kind>:<name>", where name is the
 * first item of the next page. Keyed by name, so pages stay consistent when items are
 * added or removed between calls.
 */
char *sim_token_make(const char *kind, const char *name);
/* @return 0 and a malloc'd name, or -EINVAL for a token that is not ours, -ENOMEM. */
int sim_token_parse(const char *tok, const char *kind, char **name);

/* The same for a binary key (may contain NUL bytes); *len receives its length. */
char *sim_token_make_bin(const char *kind, const char *key, size_t len);
int sim_token_parse_bin(const char *tok, const char *kind, char **key, size_t *len);

/* Compile an anchored POSIX extended regex ("^(pat)$"). @return 0 or -EINVAL. */
int sim_pattern_compile(regex_t *re, const char *pat);

/* ---- parts.c: the compact ordered partition store of one table ---- */

/*
 * A partition record: its key (every value followed by a NUL byte, so keys sort by the
 * value tuple), then, for a stored partition, its compact JSON text. A generated Glue
 * partition has no text: its JSON is rebuilt on demand from the seed, the table and the
 * variant id. Records of the generator live in an arena of the store.
 *
 * A stored text with a storage descriptor ("Sd" or "StorageDescriptor", an object) is kept
 * in three pieces: the descriptor minus its Location string is interned in the store (one
 * refcounted copy shared by every partition with the same descriptor), the record holds the
 * rest. Read texts back with sim_prec_append() or sim_prec_json(), never from data[].
 */
struct sim_prec {
    uint32_t keylen;  /* bytes of the key, NULs included */
    uint32_t textlen; /* bytes of the whole text; 0 = generated */
    uint16_t nvalues;
    uint8_t variant;      /* generator: bit 0 own schema, bits 1-7 revision (mutations) */
    uint8_t arena : 1;    /* 1: allocated in the store's arena */
    uint8_t interned : 1; /* 1: the text is split around an interned descriptor */
    char data[];          /* key, then the text (or its pieces) and a NUL */
};

/*
 * An interned storage descriptor: the text from the descriptor's '{' up to the opening quote
 * of its Location value included ("head"), and from the closing quote to the final '}'
 * ("tail"); without a Location string the whole descriptor is the head.
 */
struct sim_sdint {
    struct sim_sdint *next; /* hash chain */
    uint64_t hash;
    size_t refs;
    uint32_t headlen;
    uint32_t taillen;
    char data[]; /* head, then tail */
};

#define SIM_PBLOCK 256

struct sim_pblock {
    size_t n;
    struct sim_prec *r[SIM_PBLOCK];
};

struct sim_arena_chunk;

/* Records in key order, in blocks of up to SIM_PBLOCK pointers (a flat B+-tree). */
struct sim_parts {
    struct sim_pblock **blocks;
    size_t nblocks;
    size_t capblocks;
    size_t n;
    struct sim_arena_chunk *arena;
    struct sim_sdint **sdtab; /* interned descriptors, chained hash table */
    size_t sdbuckets;
    size_t nsd;
};

/* A position in the store: block and index. */
struct sim_ppos {
    size_t b;
    size_t i;
};

struct sim_parts *sim_parts_new(void);
void sim_parts_free(struct sim_parts *p);
/* The key of @p n values (malloc'd, *len set), or NULL. */
char *sim_pkey_make(const char *const *values, size_t n, size_t *len);
struct sim_prec *sim_parts_find(const struct sim_parts *p, const char *key, size_t len);
/*
 * Insert or replace the record with @p key. @p text (may be NULL) is copied. @p arena:
 * allocate the record from the store's arena (generator; never freed one by one).
 * @return 1 created, 0 replaced, -ENOMEM.
 */
int sim_parts_put(struct sim_parts *p, const char *key, size_t len, unsigned nvalues,
                  unsigned variant, const char *text, size_t textlen, int arena);
/*
 * A text to store, possibly in two parts (@p tail appended to @p text), with its storage
 * descriptor located by sim_ptext_split(). The split may be computed without the lock (it
 * reads only the text); the descriptor must lie in the first part.
 */
struct sim_ptext {
    const char *text;
    size_t len;
    const char *tail; /* may be NULL */
    size_t taillen;
    int split; /* 1: [sd, sdend) is the descriptor, [loc, locend) its Location's contents */
    size_t sd, loc, locend, sdend;
    uint64_t hash; /* of the descriptor minus the Location */
};

/* The hash of a descriptor minus its Location: @p head and @p tail around it. */
uint64_t sim_sd_hash(const char *head, size_t hl, const char *tail, size_t tl);
/* Locate the descriptor in t->text (sets split, offsets, hash). @return t->split. */
int sim_ptext_split(struct sim_ptext *t);
/* sim_parts_put() of a prepared text (@p t NULL: no text). */
int sim_parts_put_text(struct sim_parts *p, const char *key, size_t len, unsigned nvalues,
                       unsigned variant, const struct sim_ptext *t, int arena);
/* @return 0 or -ENOENT. */
int sim_parts_remove(struct sim_parts *p, const char *key, size_t len);
/* First position whose key is >= @p key (NULL = the beginning). */
void sim_parts_lower_bound(const struct sim_parts *p, const char *key, size_t len,
                           struct sim_ppos *pos);
/* The record at @p pos, or NULL at the end. */
struct sim_prec *sim_parts_at(const struct sim_parts *p, const struct sim_ppos *pos);
void sim_parts_next(const struct sim_parts *p, struct sim_ppos *pos);
/* Pointers to the NUL-terminated values of @p r (at most @p max). @return the count. */
size_t sim_prec_values(const struct sim_prec *r, const char **out, size_t max);
/* Append the stored text of @p r (textlen > 0) to @p b. @return 0 or -ENOMEM. */
int sim_prec_append(const struct sim_prec *r, struct g2d_buf *b);
/* The stored text of @p r parsed, or NULL (generated record, or out of memory). */
json_t *sim_prec_json(const struct sim_prec *r);
/* Stable segment of a key among @p total (FNV-1a of the key, modulo). */
unsigned sim_pkey_segment(const char *key, size_t len, unsigned total);
/* Hive's partition name "k1=v1/k2=v2" (names and values escaped as Hive escapes paths). */
int sim_part_name(const struct g2d_expr_key *keys, const char *const *vals, size_t n,
                  struct g2d_buf *b);
/* "v1/v2/..." into @p buf (truncated to @p size). */
void sim_pkey_joined(const char *key, size_t len, char *buf, size_t size);

/* Most partition keys the simulator handles per table. */
#define SIM_MAX_KEYS 64

/* Filters of a partition scan; zero fields are unused. */
struct sim_pscan {
    const struct sim_parts *parts;
    const struct g2d_expr *expr; /* Glue Expression / DLF Filter */
    const struct g2d_expr_key *keys;
    size_t nkeys;
    unsigned seg, nseg;         /* Glue Segment; nseg 0 = whole table */
    const char *const *partial; /* DLF PartialPartValues ("" = any) */
    size_t npartial;
};

/*
 * Up to @p max matching records from the first key >= @p start (NULL = the beginning)
 * into @p out; *next is the first matching record of the next page, or NULL at the end.
 * Cost: the records visited, never the whole table for an unfiltered page.
 * @return the count, or -ERANGE / -EINVAL from the evaluator (err set), -ENOMEM.
 */
long sim_parts_scan(const struct sim_pscan *s, const char *start, size_t startlen, size_t max,
                    const struct sim_prec **out, const struct sim_prec **next,
                    struct g2d_error *err);

/* ---- dlfw.c: DLF partition batch writes prepared without the lock ---- */

/* One element of a batch list (PartitionInputs or PartitionValueList), prepared. */
struct sim_wpart {
    char *key; /* fast item: its key (from Values); NULL: see json */
    size_t keylen;
    unsigned nvalues;
    json_t *json;          /* any other element: as jansson parses it (owned) */
    struct sim_ptext text; /* fast PartitionInput: its bytes but the final '}', split */
    int has_time;          /* ... which carry a non-zero integer CreateTime */
};

struct sim_wbatch {
    json_t *in; /* the body with the list emptied (owned) */
    struct sim_wpart *items;
    size_t n;
    size_t nfast; /* items with a key */
};

/*
 * Prepare a batch body whose list member is @p listkey (of at most @p max_items elements);
 * @p text: the elements are PartitionInputs whose texts will be stored, else only their
 * Values are used. Reads only @p body (no lock needed). On 0, wb->in is the body without the
 * list's elements and wb->items the elements: a fast item is a compact plain object whose
 * stored text is its own bytes plus sim_wpart_tail(), byte for byte what
 * sim_dlf_part_text() would store; anything else is parsed by jansson alone.
 * @return 0, 1 when the whole body must go to jansson (nothing kept), -ENOMEM.
 */
int sim_wbatch_prepare(struct sim_wbatch *wb, const char *body, size_t len, const char *listkey,
                       int text, size_t max_items);
void sim_wbatch_done(struct sim_wbatch *wb);
/* The Values of a fast item as a new JSON list (NULL: no memory). */
json_t *sim_wpart_values(const struct sim_wpart *wp);
/*
 * The end of a fast item's stored text into @p buf: "}" when it has its own CreateTime, else
 * ",\"CreateTime\":<create_time>}". @return its length (0: @p size too small).
 */
size_t sim_wpart_tail(const struct sim_wpart *wp, int64_t create_time, char *buf, size_t size);
/*
 * The CreateTime a replacement without one gets (model.c's server_time()): the non-zero
 * integer CreateTime of the stored text of @p old, else @p now.
 */
int64_t sim_prec_keep_time(const struct sim_prec *old, int64_t now);

/* ---- model.c: object shapes ---- */

/* Lower-case ASCII letters in place (Hive and Glue fold names). */
void sim_fold(char *s);
/* 1 if @p s is 1..@p max code points of the single-line NameString alphabet. */
int sim_name_valid(const char *s, size_t max);

/*
 * Build a Glue Database from a DatabaseInput. @p name overrides input.Name when not NULL.
 * @p old (may be NULL) is the stored object being replaced: its CreateTime and, when the
 * input has none, its CreateTableDefaultPermissions are kept. @p create_time is used for a
 * new object (or when @p use_input_time and the input carries a CreateTime; admin only).
 * @return a new object, or NULL with a message in @p err.
 */
json_t *sim_glue_db_build(const json_t *input, const char *name, const json_t *old,
                          double create_time, int use_input_time, const char *catalog_id, char *err,
                          size_t errlen);

/*
 * Build a DLF Database from a DatabaseInput. CreateTime comes from the input when non-zero,
 * else from @p old, else @p now; UpdateTime is always @p now; CreatedBy from @p old or
 * @p created_by. @return a new object, or NULL with a message in @p err.
 */
json_t *sim_dlf_db_build(const json_t *input, const char *name, const json_t *old, int64_t now,
                         const char *created_by, char *err, size_t errlen);

/* The DLF DatabaseInput a sync would derive from a Glue Database (Name, Description,
 * LocationUri, Parameters). */
json_t *sim_glue_db_to_dlf_input(const json_t *glue_db);

/*
 * Values of a partition: @p arr must be a list of at most @p max strings of at most 1024
 * code points; out[] borrows them. @return 0 or -1.
 */
int sim_values_get(const json_t *arr, const char **out, size_t max, size_t *n);
/* The partition keys of a Glue or DLF table (borrowed names; type "string" if absent). */
size_t sim_table_keys(const json_t *table, struct g2d_expr_key *keys, size_t max);

/*
 * Glue Table from a TableInput in database @p db: the input's members (Name folded) plus
 * DatabaseName, CreateTime (kept from @p old), UpdateTime, defaults for Retention,
 * PartitionKeys and Parameters, CreatedBy, IsRegisteredWithLakeFormation, CatalogId and
 * VersionId. @p use_input_time (admin): CreateTime/UpdateTime of the input win.
 */
json_t *sim_glue_table_build(const json_t *input, const char *db, const json_t *old, double now,
                             int use_input_time, const char *catalog_id, char *err, size_t errlen);
/* Glue UserDefinedFunction; @p name overrides FunctionName when not NULL. */
json_t *sim_glue_fn_build(const json_t *input, const char *db, const char *name, const json_t *old,
                          double now, int use_input_time, const char *catalog_id, char *err,
                          size_t errlen);
/* Glue Partition from a PartitionInput with exactly @p nkeys values. */
json_t *sim_glue_part_build(const json_t *input, const char *db, const char *table, size_t nkeys,
                            double now, int use_input_time, const char *catalog_id, char *err,
                            size_t errlen);
/*
 * DLF objects keep every member the client sent, in its order, plus the server's fields:
 * tables CreateTime (when absent or 0; from @p old first), UpdateTime and TableId;
 * functions and partitions CreateTime.
 */
json_t *sim_dlf_table_build(const json_t *input, const json_t *old, int64_t now,
                            const char *table_id, char *err, size_t errlen);
json_t *sim_dlf_fn_build(const json_t *input, const json_t *old, int64_t now, char *err,
                         size_t errlen);
/*
 * DLF's InvalidParameter check of a TableInput (@p partition 0) or PartitionInput: every
 * member one the API defines, of its type. @return 0, or -1 with @p err naming the field.
 */
int sim_dlf_input_check(const json_t *input, int partition, char *err, size_t errlen);
/* The compact JSON text stored for a DLF partition (malloc'd), or NULL with @p err set. */
char *sim_dlf_part_text(const json_t *input, const json_t *old, int64_t now, size_t nkeys,
                        char *err, size_t errlen);

/* ---- gen.c: deterministic catalog generator ---- */

struct sim_gen_opts {
    uint64_t seed;
    unsigned databases;
    unsigned tables_per_db;
    unsigned long partitions_per_table;
    unsigned functions_per_db;
    unsigned columns;        /* per table (default 12) */
    unsigned partition_keys; /* 1..3: dt, region, hour */
    int plain;               /* every table external Parquet, no own-schema partitions */
    const char *catalog_id;  /* Glue CatalogId written into every object */
};

/* Table shapes of the generator, by table index j: j % 7 picks one. */
enum sim_gen_shape { SIM_SHAPE_PARQUET, SIM_SHAPE_VIEW, SIM_SHAPE_ICEBERG, SIM_SHAPE_SKEWED };
enum sim_gen_shape sim_gen_table_shape(unsigned j);
/* The values of generated partition @p i of a table with @p nkeys keys into bufs. */
void sim_gen_part_values(unsigned long i, unsigned nkeys, char bufs[3][32]);
/*
 * The Glue Partition of record @p r of @p table: its stored text, or for a generated
 * record, built from the table, the values and the variant (deterministic).
 * @p exclude_cols omits StorageDescriptor.Columns. @return a new object or NULL.
 */
json_t *sim_glue_part_json(const json_t *table, const struct sim_prec *r, const char *catalog_id,
                           int exclude_cols);
/*
 * The StorageDescriptor of a generated partition of @p table with @p n values: the table's,
 * with the extra column when @p own_schema, without Columns when @p exclude_cols, and the
 * Location "<table location><key>=<value>/..." or @p location when not NULL.
 */
json_t *sim_glue_part_sd(const json_t *table, const char *const *vals, size_t n, int own_schema,
                         int exclude_cols, const char *location);
/* FNV-1a of a partition key: the seed of a generated partition's numbers. */
uint64_t sim_pkey_hash(const char *key, size_t len);

/* ---- render.c: generated Glue partitions rendered as text ---- */

/*
 * The rendering template of a Glue table (everything its generated partitions share),
 * built on first use and cached in the item until the table object is replaced. Immutable
 * and refcounted: sim_gtpl_get() returns a reference (NULL when out of memory), released
 * with sim_gtpl_put() (NULL accepted); the reference may outlive the table.
 */
struct sim_gtpl *sim_gtpl_get(struct sim_item *t);
void sim_gtpl_put(struct sim_gtpl *tp);
/* 0 if the table cannot be rendered as text (then use sim_glue_part_json()). */
int sim_gtpl_ok(const struct sim_gtpl *tp);
/*
 * Append the compact Glue Partition JSON (Java-style numbers, as the server sends it) of the
 * generated partition with @p key and @p variant: byte for byte the dump of
 * sim_glue_part_json(). @return 0, -ENOMEM, or -EINVAL when !sim_gtpl_ok().
 */
int sim_gtpl_render(const struct sim_gtpl *tp, const char *key, size_t keylen, unsigned variant,
                    const char *catalog_id, int exclude_cols, struct g2d_buf *b);
/* Append @p s as the inside of a JSON string, escaped exactly as jansson dumps it. */
int sim_json_escape(struct g2d_buf *b, const char *s, size_t n);

/* Bits of sim_prec.variant for generated partitions: own schema, then the revision. */
#define SIM_VARIANT_OWN_SCHEMA 1u

/* A bulk mutation of the generated Glue partitions (POST /_sim/glue/mutate). */
struct sim_mutate {
    double add;              /* fraction of the partitions to add (new values after the last) */
    double change;           /* fraction to change (parameters rewritten) */
    double drop;             /* fraction to drop */
    uint64_t seed;           /* which partitions; the same seed picks the same ones */
    unsigned long first_new; /* generator index of the first added partition */
};

struct sim_mutate_counts {
    unsigned long tables, before, added, changed, dropped;
};

/*
 * Apply @p m to every partitioned table of @p glue: each generated partition is dropped
 * with probability drop, else changed with probability change (a deterministic draw from
 * the seed, the table and the values); then round(add * n) partitions are added, spread
 * over the tables. Partitions stored through the admin API are left alone. Costs one pass
 * over the records, no JSON. @return 0 or -ENOMEM (counts so far in @p c).
 */
int sim_gen_mutate(struct sim_catalog *glue, const struct sim_mutate *m,
                   struct sim_mutate_counts *c);

uint64_t sim_splitmix64(uint64_t *state);
/* Fill @p glue with the generated databases. @return 0 or -ENOMEM. */
int sim_gen_glue(struct sim_catalog *glue, const struct sim_gen_opts *o);
/*
 * Fill @p dlf with the DLF equivalent of every Glue database, table, partition and
 * function (the daemon's own mapping, lib/model.h), as if a sync had written them.
 * @return 0 or -errno.
 */
int sim_gen_dlf_from_glue(struct sim_catalog *dlf, const struct sim_catalog *glue,
                          const char *created_by);

#endif
