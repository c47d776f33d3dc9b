/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/transform: the Glue → DLF field table, the one description of the
 * mapping that both transforms follow — the DOM path (model.c, jansson) and the streaming
 * partition path (ptrans*.c). A row names a Glue member, the DLF member it becomes, how
 * its value is copied (kind) and what the normalised form does with it (flags). The order
 * of the rows is the order in which the DLF object's members are written; the normalised
 * form writes them sorted by DLF name (computed once, see g2d_fields_get()).
 *
 * To carry a new Glue field to DLF, add its row here (fields.c): both paths then copy it,
 * and with FF_FP it is part of the fingerprint that decides whether DLF needs an update.
 * A kind that neither path knows yet needs code in both (model.c build_field() and
 * ptrans_parse.c/ptrans_emit.c), which the differential test (test_ptrans) then checks.
 */
#ifndef G2D_LIB_TRANSFORM_FIELDS_H
#define G2D_LIB_TRANSFORM_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** How a member is copied from Glue to DLF. */
enum g2d_fkind {
    FK_STR,         /* a string; copied when it is one (FF_NONEMPTY: when not empty) */
    FK_ANY,         /* copied as it is unless absent or null (Column.Type) */
    FK_BOOL,        /* a boolean */
    FK_INT,         /* an integer */
    FK_TIME,        /* epoch seconds (a number, maybe fractional): truncated, 0 < t <= 4e12 */
    FK_MAP,         /* string → string map: other members dropped, an empty map absent */
    FK_STRS,        /* an array copied as it is (the streaming path takes strings only) */
    FK_OBJ,         /* an object mapped by the sub-table; other values absent */
    FK_OBJS,        /* an array of objects, each mapped by the sub-table (others → {}) */
    FK_SKEW_VALUES, /* SkewedColumnValues: each string decoded (g2d_decode_skewed_value()) */
    FK_SKEW_MAPS,   /* SkewedColumnValueLocationMaps: keys decoded, locations mapped */
    FK_VALUES,      /* partition Values (checked by the caller): copied as they are */
    FK_DB,          /* not read from Glue: the name of the database it is in */
    FK_TABLE,       /* not read from Glue: the name of the table it is in */
    FK_CONST,       /* not read from Glue: the constant @konst */
    FK_NOTE_OBJ,    /* not copied: an object here sets the dropped-field bit @drop */
    FK_NOTE_ARR,    /* not copied: a non-empty array here sets the dropped-field bit @drop */
};

enum {
    FF_FP = 1u << 0,        /* in the normalised form (tables with a whitelist) */
    FF_LOCATION = 1u << 1,  /* a location: the location map applies */
    FF_POSITIVE = 1u << 2,  /* FK_INT: a value <= 0 is absent from the normalised form */
    FF_VOLATILE = 1u << 3,  /* FK_MAP: volatile parameters stay out of the normalised form */
    FF_MAP_PATH = 1u << 4,  /* FK_MAP: the member "path" is a location (Spark) */
    FF_MAP_OTF = 1u << 5,   /* FK_MAP: open-table-format location parameters are locations */
    FF_NONEMPTY = 1u << 6,  /* FK_STR: an empty string is absent */
    FF_NOTE_DIFF = 1u << 7, /* FK_CONST: a Glue string other than @expect sets @drop */
};

struct g2d_fields;

struct g2d_field {
    const char *glue;             /* the Glue member, or NULL for FK_DB, FK_TABLE, FK_CONST */
    const char *dlf;              /* the DLF member, or NULL for the FK_NOTE_* kinds */
    uint8_t kind;                 /* enum g2d_fkind */
    uint8_t flags;                /* FF_* */
    uint16_t drop;                /* FK_NOTE_*, FF_NOTE_DIFF: the G2D_DROP_* bit */
    const struct g2d_fields *sub; /* FK_OBJ, FK_OBJS */
    const char *konst, *expect;   /* FK_CONST */
    /* Filled by g2d_fields_get(): */
    uint8_t nglue, ndlf; /* strlen() of glue and dlf */
    const char *jkey;    /* ',"dlf":' (G2D_FIELDS_JKEY readable bytes), or NULL */
};

/** Bytes readable at a row's jkey: the longest DLF name plus 4 fits. */
#define G2D_FIELDS_JKEY 32

#define G2D_FIELDS_MAX 24
#define G2D_FIELDS_HASH 64
#define G2D_FIELDS_NONE 0xff /* no row hashes here */
#define G2D_FIELDS_SCAN 0xfe /* more than one: compare them all */

/** The rows of one Glue object kind, and their normalised order. */
struct g2d_fields {
    const char *what;    /* for messages and tests: "partition", "StorageDescriptor", … */
    struct g2d_field *f; /* rows, in DLF write order */
    unsigned n;          /* number of rows */
    bool whitelist;      /* the normalised form keeps only FF_FP members (else: all) */
    /* Filled by g2d_fields_get(): */
    bool ready;
    uint8_t norder;                /* rows in the normalised form */
    uint8_t order[G2D_FIELDS_MAX]; /* their indexes, sorted by DLF name (strcmp) */
    uint8_t hash[G2D_FIELDS_HASH]; /* Glue name → row (or G2D_FIELDS_NONE / _SCAN) */
};

enum g2d_fobj {
    G2D_FOBJ_DATABASE,
    G2D_FOBJ_TABLE,
    G2D_FOBJ_PARTITION,
    G2D_FOBJ_FUNCTION,
    G2D_FOBJ_SD,
    G2D_FOBJ_COUNT,
};

/**
 * The table of one object kind (the sub-tables hang off its rows). Thread-safe; the
 * first call computes the normalised orders.
 * @return a static table, valid for the program's life
 */
const struct g2d_fields *g2d_fields_get(enum g2d_fobj kind);

/* Whether the @p n bytes at @p a and @p b are equal: overlapping word loads, no call. */
static inline bool g2d_fields_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y, u, v;
    uint32_t i, j, k, l;

    if (n >= 8 && n <= 16) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (n >= 4 && n < 8) {
        memcpy(&i, a, 4);
        memcpy(&j, b, 4);
        memcpy(&k, a + n - 4, 4);
        memcpy(&l, b + n - 4, 4);
        return ((i ^ j) | (k ^ l)) == 0;
    }
    return memcmp(a, b, n) == 0;
}

/* The bucket of a Glue name in g2d_fields.hash. */
static inline unsigned g2d_fields_hash(const char *k, size_t nk)
{
    return nk ? ((unsigned)nk * 5u + (unsigned char)k[0] * 3u + (unsigned char)k[nk - 1]) &
                    (G2D_FIELDS_HASH - 1)
              : 0;
}

/** The row of @p fs whose Glue name is @p k (@p nk bytes), or -1. */
static inline int g2d_fields_find(const struct g2d_fields *fs, const char *k, size_t nk)
{
    unsigned b = fs->hash[g2d_fields_hash(k, nk)], i;

    if (b == G2D_FIELDS_NONE)
        return -1;
    if (b != G2D_FIELDS_SCAN)
        return fs->f[b].nglue == nk && g2d_fields_eq(fs->f[b].glue, k, nk) ? (int)b : -1;
    for (i = 0; i < fs->n; i++)
        if (fs->f[i].nglue == nk && nk && g2d_fields_eq(fs->f[i].glue, k, nk))
            return (int)i;
    return -1;
}

/** The row of @p fs whose DLF name is @p k (NUL-terminated), or NULL. */
const struct g2d_field *g2d_fields_find_dlf(const struct g2d_fields *fs, const char *k);

/**
 * Whether @p key (@p n bytes) of a table-level parameter map is a location under the
 * FF_MAP_OTF rule (Iceberg's metadata_location, previous_metadata_location; Spark's path).
 */
bool g2d_fields_otf_location(const char *key, size_t n);

#endif
