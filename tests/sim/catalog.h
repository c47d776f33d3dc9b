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

enum sim_side { SIM_GLUE = 0, SIM_DLF = 1, SIM_NSIDES = 2 };

/*
 * Child collections of an item. A database uses SIM_KID_TABLES and SIM_KID_FUNCTIONS; a
 * table uses SIM_KID_PARTITIONS. They are created on first use.
 */
enum { SIM_KID_TABLES = 0, SIM_KID_FUNCTIONS = 1, SIM_KID_PARTITIONS = 0, SIM_NKIDS = 2 };

struct sim_coll;

struct sim_item {
    char *name;                       /* the key, already folded */
    json_t *obj;                      /* the object as served; owned */
    struct sim_coll *kids[SIM_NKIDS]; /* NULL until the first child */
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

/* Compile an anchored POSIX extended regex ("^(pat)$"). @return 0 or -EINVAL. */
int sim_pattern_compile(regex_t *re, const char *pat);

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

/* ---- gen.c: deterministic catalog generator ---- */

struct sim_gen_opts {
    uint64_t seed;
    unsigned databases;
    const char *catalog_id; /* Glue CatalogId written into every object */
};

uint64_t sim_splitmix64(uint64_t *state);
/* Fill @p glue with the generated databases. @return 0 or -ENOMEM. */
int sim_gen_glue(struct sim_catalog *glue, const struct sim_gen_opts *o);
/* Fill @p dlf with the DLF equivalent of every Glue database. @return 0 or -errno. */
int sim_gen_dlf_from_glue(struct sim_catalog *dlf, const struct sim_catalog *glue,
                          const char *created_by);

#endif
