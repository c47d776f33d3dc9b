/* SPDX-License-Identifier: MIT */
/*
 * Internal: the Glue → DLF transform, normalisation and fingerprints.
 *
 * Each object type has one transform that takes a Glue object (as Glue returns it) and
 * builds the DLF *Input shape, and one normaliser that takes a DLF-shaped object (either
 * what we would write or what DLF listed) and produces the canonical form that is
 * fingerprinted. The fingerprint of what we write and of what DLF returns for the same
 * logical object are therefore equal, so an unchanged catalog causes no writes, also right
 * after a restart that rebuilt the snapshot from a DLF listing.
 *
 * Ownership: @p cfg and every Glue/DLF json_t argument are borrowed (never stolen, never
 * modified); an *@p out json_t is a new reference the caller owns (json_decref()); a
 * returned char * is malloc'd and the caller frees it; notes and err are caller storage.
 */
#ifndef G2D_LIB_MODEL_H
#define G2D_LIB_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "glue2dlf/config.h"
#include "glue2dlf/error.h"

#define G2D_FP_LEN 16

struct g2d_fp {
    uint8_t b[G2D_FP_LEN];
};

/**
 * The one longest-prefix matcher of cfg->location_map: the rule whose `from` is the longest
 * prefix of the @p n bytes at @p s (the first such rule on a tie), or NULL if none matches
 * or @p cfg is NULL. Borrows everything; the rule returned is borrowed from @p cfg.
 */
const struct g2d_location_rule *g2d_location_match(const struct g2d_config *cfg, const char *s,
                                                   size_t n);

/**
 * Rewrite @p location (borrowed) with the longest matching prefix of cfg->location_map.
 * @return a new string (caller frees), or NULL on allocation failure. Unmatched locations
 * are returned unchanged (copied).
 */
char *g2d_map_location(const struct g2d_config *cfg, const char *location);

/**
 * Glue Database → DLF DatabaseInput.
 * @param glue_db  borrowed Glue `Database` object
 * @param[out] out new reference on success
 * @return 0, -EINVAL (with err) if the object lacks a Name, -ENOMEM
 */
int g2d_model_database(const struct g2d_config *cfg, json_t *glue_db, json_t **out,
                       struct g2d_error *err);

/**
 * Canonical fingerprint of a DLF database (DatabaseInput or listed Database): only the
 * fields glue2dlf manages (Name, Description, LocationUri, Parameters), empty values
 * treated as absent (but an empty string in a parameter map is a value), keys sorted. The
 * managed fields of every kind are the rows of lib/transform/fields.c.
 */
int g2d_fp_database(json_t *dlf_db, struct g2d_fp *out); /* borrows dlf_db */

/** Glue fields with no DLF counterpart, found while transforming (reported once per run). */
enum {
    G2D_DROP_DB_DEFAULT_PERMISSIONS = 1u << 0,  /* Database.CreateTableDefaultPermissions */
    G2D_DROP_DB_TARGET = 1u << 1,               /* Database.TargetDatabase (resource link) */
    G2D_DROP_DB_FEDERATED = 1u << 2,            /* Database.FederatedDatabase */
    G2D_DROP_TABLE_TARGET = 1u << 3,            /* Table.TargetTable (resource link) */
    G2D_DROP_TABLE_VIEW_DEFINITION = 1u << 4,   /* Table.ViewDefinition (multi-dialect views) */
    G2D_DROP_TABLE_FEDERATED = 1u << 5,         /* Table.FederatedTable */
    G2D_DROP_TABLE_DESCRIPTION = 1u << 6,       /* Table.Description, kept as Parameters.comment */
    G2D_DROP_SD_ADDITIONAL_LOCATIONS = 1u << 7, /* StorageDescriptor.AdditionalLocations */
    G2D_DROP_SD_SCHEMA_REFERENCE = 1u << 8,     /* StorageDescriptor.SchemaReference */
    G2D_DROP_FN_FUNCTION_TYPE = 1u << 9,        /* UserDefinedFunction.FunctionType (DLF: JAVA) */
    G2D_DROP_COUNT = 10,
};
/** Human name of one G2D_DROP_* bit ("Table.TargetTable"...): a static string, not freed. */
const char *g2d_drop_name(unsigned bit);

/** Open-table formats recognised in table parameters. */
enum g2d_otf { G2D_OTF_NONE = 0, G2D_OTF_ICEBERG, G2D_OTF_HUDI, G2D_OTF_DELTA };

struct g2d_model_notes {
    unsigned dropped; /* G2D_DROP_* bits seen */
    enum g2d_otf otf; /* for tables */
};

/**
 * Parameters that change without a semantic change (written, never fingerprinted, never a
 * reason to update); the one list, which the streaming path uses too. Borrows @p key.
 */
bool g2d_param_is_volatile(const char *key);
/** The same for the @p n bytes at @p key (borrowed, need not be terminated). */
bool g2d_param_is_volatile_n(const char *key, size_t n);

/**
 * Decode one Glue skewed-value string (the AWS Hive client's `<len>$<value>` pieces, lengths
 * in UTF-16 code units, e.g. "1$a2$bc") into a JSON array of strings. A string not in that
 * form becomes a one-element array holding it unchanged.
 * Borrows @p s. @return a new reference the caller owns, or NULL on allocation failure.
 */
json_t *g2d_decode_skewed_value(const char *s);

/**
 * The pieces of a Glue skewed-value string of @p len bytes, each to @p cb, if the whole
 * string is in the `<len>$<value>` form (nothing is delivered otherwise).
 * @return 1 if it is (pieces delivered), 0 if it is not, or what @p cb returned (non-zero).
 * Borrows @p s; each piece handed to @p cb points into @p s.
 */
int g2d_skewed_pieces(const char *s, size_t len, int (*cb)(const char *p, size_t n, void *arg),
                      void *arg);

/**
 * Glue Table → DLF TableInput for database @p db (the full mapping of dlf-api.md §4.2).
 * @param[out] out   new reference
 * @param notes      optional: dropped fields and open-table format
 */
int g2d_model_table(const struct g2d_config *cfg, const char *db, json_t *glue_table, json_t **out,
                    struct g2d_model_notes *notes, struct g2d_error *err);

/** Glue Partition → DLF PartitionInput (its own columns kept, values in key order). */
int g2d_model_partition(const struct g2d_config *cfg, const char *db, const char *table,
                        json_t *glue_part, json_t **out, struct g2d_model_notes *notes,
                        struct g2d_error *err);

/** Glue UserDefinedFunction → DLF FunctionInput. */
int g2d_model_function(const struct g2d_config *cfg, json_t *glue_fn, json_t **out,
                       struct g2d_model_notes *notes, struct g2d_error *err);

/** Fingerprints of DLF-shaped tables, partitions and functions (input or listed form, borrowed). */
int g2d_fp_table(json_t *dlf_table, struct g2d_fp *out);
int g2d_fp_partition(json_t *dlf_part, struct g2d_fp *out);
int g2d_fp_function(json_t *dlf_fn, struct g2d_fp *out);

enum g2d_norm_kind { G2D_NORM_DATABASE, G2D_NORM_TABLE, G2D_NORM_PARTITION, G2D_NORM_FUNCTION };

/**
 * The normalised text that is fingerprinted (caller frees), for tests and for explaining a
 * diff: only managed members, volatile parameters removed, empty values removed (not
 * the empty strings of parameter maps: those are values), keys sorted, compact.
 */
char *g2d_normalized_text(enum g2d_norm_kind kind, json_t *obj);

/** Canonical compact JSON of @p v (borrowed) with sorted keys (caller frees). */
char *g2d_canonical_json(json_t *v);

/** Fingerprint = first 16 bytes of SHA-256 of @p data (borrowed) into caller's @p out. */
void g2d_fp_bytes(const void *data, size_t len, struct g2d_fp *out);

#endif
