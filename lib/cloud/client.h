/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the sync engine asks of the two clouds, in plain arguments. The wire
 * formats (operations, request paths and bodies, paging tokens, batch error entries) live
 * below this line, in lib/cloud/glue.c and lib/cloud/dlf.c; the engine never sees them.
 *
 * A client is an ops table and its context, so that the engine's stages can be tested
 * against a fake client with no HTTP (tests/unit/fake_cloud.h). The real one is
 * g2d_cloud_client() over the HTTP engine.
 *
 * Every call is asynchronous: @p cb runs once, later, from the loop (never from inside the
 * call), with a result whose pointers are borrowed for the callback's duration.
 */
#ifndef G2D_LIB_CLOUD_CLIENT_H
#define G2D_LIB_CLOUD_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/http.h"
#include "glue2dlf/sync.h"

/* The listings of both sides. */
enum g2d_listing {
    G2D_LIST_GLUE_DATABASES = 0,
    G2D_LIST_GLUE_TABLES,
    G2D_LIST_GLUE_FUNCTIONS,
    G2D_LIST_GLUE_PARTITIONS, /* raw: the page is handed over as bytes, see below */
    G2D_LIST_DLF_DATABASES,
    G2D_LIST_DLF_TABLES,
    G2D_LIST_DLF_FUNCTIONS,
    G2D_LIST_DLF_PARTITIONS,
    G2D_LIST_COUNT,
};

/** The operation name of a listing ("GetTables", "ListPartitions", ...): static. */
const char *g2d_listing_op(enum g2d_listing what);

/* One page of a listing. All pointers borrowed from the caller until the call returns. */
struct g2d_list_req {
    enum g2d_listing what;
    const char *db;         /* tables, functions, partitions */
    const char *tbl;        /* partitions */
    const char *token;      /* NULL for the first page */
    const char *expression; /* Glue partitions: the partition filter, or NULL */
    unsigned segment, segments;
    const char *pattern; /* DLF databases, tables, functions: a name pattern (NULL: all) */
    json_t *values;      /* DLF partitions: PartialPartValues (NULL: all) */
};

enum g2d_verb { G2D_VERB_CREATE = 0, G2D_VERB_UPDATE, G2D_VERB_DELETE };

/* A database, table or function write. Pointers borrowed until the call returns. */
struct g2d_obj_write {
    enum g2d_item_type type; /* database, table or function */
    enum g2d_verb verb;
    const char *db;
    const char *name;      /* table or function name; NULL for a database */
    json_t *input;         /* create/update: the DLF *Input (borrowed) */
    bool allow_key_change; /* table update: its partition key types change in place */
};

/* One partition of a batch write. */
struct g2d_part_ref {
    json_t *values;   /* array of strings */
    const char *text; /* create/update: its PartitionInput as compact JSON */
};

/* A partition batch. @p items must stay valid until the callback has run. */
struct g2d_part_write {
    enum g2d_verb verb;
    const char *db, *tbl;
    const struct g2d_part_ref *items;
    size_t nitems;
};

/* The outcome of one item of a partition batch. */
struct g2d_item_outcome {
    const char *code;    /* NULL: DLF confirmed it; else DLF's code (or ours, see dlf.c) */
    const char *message; /* with code: DLF's message, "" if none */
};

struct g2d_api_result {
    int err;          /* 0 ok; -EIO service error; -EPROTO malformed answer; other -errno */
    long status;      /* HTTP status, 0 if none */
    json_t *json;     /* the parsed body on success (borrowed); NULL for raw answers */
    const char *body; /* raw answers: the body bytes (borrowed) */
    size_t body_len;
    struct g2d_buf *body_buf; /* raw answers: the callback may take the body (g2d_buf_steal) */
    const char *code;         /* service error code ("" if none) */
    const char *message;      /* one-line description of the failure, "" on success */
    bool throttled;           /* the last attempt was throttled */
    unsigned attempts;        /* HTTP attempts made (> 1: an earlier one may have taken effect) */
    /* listings (not raw): the page's list, an array of objects, and the next page */
    json_t *list;
    const char *next_token; /* NULL: this was the last page */
    /* partition batches: one outcome per item sent, in the order sent (err == 0 only) */
    const struct g2d_item_outcome *items;
};

typedef void (*g2d_api_cb)(const struct g2d_api_result *res, void *arg);

enum g2d_side { G2D_SIDE_GLUE = 0, G2D_SIDE_DLF = 1 };

struct g2d_cloud_ops {
    /* Read one page of a listing. @p out (may be NULL) receives a handle for cancel. */
    int (*list)(void *ctx, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                struct g2d_http_req **out);
    int (*write_object)(void *ctx, const struct g2d_obj_write *w, g2d_api_cb cb, void *arg);
    int (*write_partitions)(void *ctx, const struct g2d_part_write *w, g2d_api_cb cb, void *arg);
    /* Stop a read: its callback then runs with an error. */
    void (*cancel)(void *ctx, struct g2d_http_req *req);
    /* Requests submitted so far on a side (monotonic). */
    uint64_t (*requests)(void *ctx, enum g2d_side side);
    /* Optional: what the client learned since the last call (a limit lowered, ...), into
     * @p buf; NULL when nothing. */
    const char *(*take_note)(void *ctx, char *buf, size_t sz);
    /* Optional: DLF GetCatalog of the configured catalog; on success res->json holds the
     * answer, whose "Catalog" member is an object. @p out as for list. */
    int (*get_catalog)(void *ctx, g2d_api_cb cb, void *arg, struct g2d_http_req **out);
};

struct g2d_cloud_client {
    const struct g2d_cloud_ops *ops;
    void *ctx;
};

struct g2d_check_elem;

/*
 * Parse a raw GetPartitions page, checked by the one shape checker (lib/cloud/check.c):
 * call @p each for every element of its Partitions array (the element's bytes and those of
 * its Values, borrowed from @p body), and set *@p next to the page's NextToken
 * (a new string the caller frees, or NULL at the end). Runs on the thread pool: touches
 * nothing but its arguments. @return 0, -EPROTO when the page is not a GetPartitions
 * answer of the documented shape (the message in @p msg), or what @p each returned (<0).
 */
int g2d_glue_partitions_page(const char *body, size_t len,
                             int (*each)(const struct g2d_check_elem *e, void *arg), void *arg,
                             char **next, char *msg, size_t msgsz);

#endif
