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
 */
#ifndef G2D_LIB_MODEL_H
#define G2D_LIB_MODEL_H

#include <jansson.h>
#include <stdint.h>

#include "glue2dlf/config.h"
#include "glue2dlf/error.h"

#define G2D_FP_LEN 16

struct g2d_fp {
    uint8_t b[G2D_FP_LEN];
};

/**
 * Rewrite @p location with the longest matching prefix of cfg->location_map.
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
 * treated as absent, keys sorted.
 */
int g2d_fp_database(json_t *dlf_db, struct g2d_fp *out);

/** Canonical compact JSON of @p v with sorted keys (caller frees). */
char *g2d_canonical_json(json_t *v);

/** Fingerprint = first 16 bytes of SHA-256 of @p data. */
void g2d_fp_bytes(const void *data, size_t len, struct g2d_fp *out);

#endif
