/* SPDX-License-Identifier: MIT */
/*
 * The config key table: every key of every section, with its type, where it is stored in
 * struct g2d_config, its bounds, its default and its flags (G2D_KEY_RESTART: fixed at
 * start-up; G2D_KEY_REBUILD: part of the sync scope). The validator (config_check.c),
 * the defaults, the comparison of two configs (config_changes.c) and the scope hash all
 * follow it, and so does g2d_config_free(). A new key is one line in config_keys.c, plus
 * its field in config.h and its line in config_print.c and glue2dlf.yaml; a new key type
 * needs its case in the validator and in config_changes.c.
 */
#ifndef GLUE2DLF_CONFIG_KEYS_H
#define GLUE2DLF_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "glue2dlf/config.h"

/* How a key's value is parsed, stored, compared and copied. */
enum g2d__ktype {
    K_STR,         /* char *: text */
    K_REGION,      /* char *: a cloud region name */
    K_URL,         /* char *: an endpoint URL, stored without the trailing '/' */
    K_RESULT_PATH, /* char *: a local file path */
    K_SOCKET,      /* char *: a UNIX socket path */
    K_LISTEN,      /* char *: HOST:PORT, [V6]:PORT or an absolute UNIX socket path */
    K_PROMFILE,    /* char *: an absolute path ending in .prom */
    K_UINT,        /* unsigned */
    K_DOUBLE,      /* double */
    K_DURATION,    /* uint64_t milliseconds */
    K_SIZE,        /* size_t bytes */
    K_BOOL,        /* bool */
    K_ENUM,        /* int-sized enum, from the key's enum_val list */
    K_MODE,        /* mode_t; only the permission bits compare */
    K_SECRET,      /* struct g2d_secret, set by one of three keys (x, x_env, x_credential) */
    K_OBJECTS,     /* unsigned G2D_OBJ_* mask */
    K_STRLIST,     /* char ** plus a size_t count */
    K_FILTERS,     /* struct g2d_partition_filter * plus npartition_filters */
    K_LOCMAP,      /* struct g2d_location_rule * plus nlocation_map */
    K_RENAME,      /* struct g2d_rename_rule * plus nrenames */
};

struct g2d__enum_val {
    const char *name;
    int value;
};

/* Secret slots: which secret a K_SECRET key sets (its three forms share one slot). */
enum g2d__secret_slot {
    SLOT_GLUE_SECRET,
    SLOT_GLUE_TOKEN,
    SLOT_DLF_SECRET,
    SLOT_DLF_TOKEN,
    G2D__NSLOTS,
};

struct g2d__key_desc {
    const char *name; /* key name inside its section */
    enum g2d__ktype type;
    size_t off;          /* offset of the storage in struct g2d_config */
    size_t count_off;    /* K_STRLIST: offset of the size_t count */
    double min, max;     /* bounds for numbers, durations (ms) and sizes (bytes) */
    double def;          /* default of a number, duration, size, bool, enum, mode or mask */
    const char *def_str; /* default of a string key, NULL = unset */
    const struct g2d__enum_val *enums;
    int slot;       /* K_SECRET: enum g2d__secret_slot */
    int variant;    /* K_SECRET: 0 literal, 1 _env, 2 _credential */
    unsigned flags; /* G2D_KEY_* */
};

struct g2d__section_desc {
    const char *name;
    const struct g2d__key_desc *keys;
    size_t nkeys;
};

/* The sections in the order of glue2dlf.yaml; their keys in the same order. */
extern const struct g2d__section_desc g2d__sections[];
extern const size_t g2d__nsections;
/* No section has more keys than this (the validator's duplicate check uses it). */
#define G2D__MAX_SECTION_KEYS 16

/* "", "_env", "_credential": the suffix of each form of a secret key. */
extern const char *const g2d__variant_suffix[3];

/* Fill @p cfg (zeroed) with every key's default. 0 or -ENOMEM. */
int g2d__config_set_defaults(struct g2d_config *cfg);
/* Free (secrets: wipe) what every key of @p cfg owns; @p cfg itself is not freed. */
void g2d__config_free_keys(struct g2d_config *cfg);

/* Every key of the table (sec: its section, d: the key), the secret forms x_env and
 * x_credential left out: they share the storage of the key x, which stands for them. */
#define G2D__FOR_EACH_KEY(sec, d)                                                                  \
    for (size_t si_ = 0; si_ < g2d__nsections; si_++)                                              \
        for (size_t ki_ = 0; ki_ < g2d__sections[si_].nkeys; ki_++)                                \
            if ((sec = &g2d__sections[si_], d = &sec->keys[ki_]),                                  \
                d->type != K_SECRET || d->variant == 0)

/* Whether keys of type @p t are stored as a char * of text. */
static inline bool g2d__ktype_is_text(enum g2d__ktype t)
{
    return t == K_STR || t == K_REGION || t == K_URL || t == K_RESULT_PATH || t == K_SOCKET ||
           t == K_LISTEN || t == K_PROMFILE;
}

/* The storage of key @p d in @p cfg. */
static inline void *g2d__key_field(const struct g2d_config *cfg, const struct g2d__key_desc *d)
{
    return (char *)cfg + d->off;
}

#endif
