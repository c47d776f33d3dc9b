/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the validator and its parts: the validation context, the
 * message helpers (config_check.c), the value parsers (config_values.c), the secrets
 * (config_secrets.c) and the scope keys (config_scope.c). Not installed.
 *
 * Every g2d__cfg_* / g2d__apply_* function that takes a context returns 0 or a negative
 * errno with c->err naming file:line:col; they borrow the nodes they are given.
 */
#ifndef GLUE2DLF_CONFIG_CHECK_H
#define GLUE2DLF_CONFIG_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/config.h"
#include "glue2dlf/error.h"
#include "config/config_internal.h"
#include "config/config_keys.h"

/* Longest text value, in bytes. */
#define G2D__STR_MAX 4096
/* Longest UNIX socket path (sun_path less its NUL). */
#define G2D__UNIX_PATH_MAX 107
/* Most sections a file can have (the number of g2d__sections). */
#define G2D__MAX_SECTIONS 16

/* Where the first literal secret of a file is (for the permission check). */
struct g2d__literal_pos {
    bool found;
    int line, col;
    char name[128];
};

struct g2d__secret_state {
    const struct g2d__node *node; /* the key that set it */
    char name[128];               /* its name for messages */
};

/* The state of one validation: the config being filled and what was seen so far. */
struct g2d__cfg_ctx {
    const char *file;
    struct g2d_config *cfg;
    struct g2d_error *err;
    struct g2d__secret_state sec[G2D__NSLOTS];
    const struct g2d__node *section_node[G2D__MAX_SECTIONS];
    const struct g2d__node *jitter;
    struct g2d__literal_pos *lit;
};

/* ---- config_check.c: messages, text, the walk -------------------------------------- */

/* Copy @p s into @p dst (size @p cap, at most @p max bytes), control bytes become '?'. */
void g2d__cfg_sanitize(char *dst, size_t cap, const char *s, size_t max);
/* dst = a "." b, truncated to cap. */
void g2d__cfg_join(char *dst, size_t cap, const char *a, const char *b);
/* Set c->err for node @p n (at its key or its value) of key @p path; returns -EINVAL. */
int g2d__cfg_fail(struct g2d__cfg_ctx *c, const struct g2d__node *n, bool at_key, const char *path,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "a mapping", "a list" or "a scalar" (static storage). */
const char *g2d__cfg_type_name(const struct g2d__node *n);
/* @p s sanitised and cut short into @p buf, for quoting in a message; returns @p buf. */
const char *g2d__cfg_shown(char *buf, size_t cap, const char *s);
/* Replace *p by a copy of @p s; 0 or -ENOMEM. */
int g2d__cfg_set_str(struct g2d__cfg_ctx *c, char **p, const char *s);
/* True if @p s is not text a config value may hold (see config_check.c). */
bool g2d__cfg_bad_text(const char *s);
/* Checks for a text scalar: 1 if null (keep the default), 0 if usable, or an error. */
int g2d__cfg_scalar_text(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path,
                         const char *what);
/* A string value: 1 if null or empty (unset), 0 with *out borrowed from @p n, or an error. */
int g2d__cfg_get_string(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path,
                        const char **out);
/* Validate the whole tree @p root (NULL: empty file) into c->cfg. */
int g2d__cfg_walk(struct g2d__cfg_ctx *c, const struct g2d__node *root);

/* ---- config_values.c: single values ------------------------------------------------ */

bool g2d__valid_region(const char *s);
/* NULL with *norm malloc'd (no trailing '/'), or a problem text (static storage). */
const char *g2d__check_url(const char *s, char **norm);
/* metrics.listen and metrics.textfile values (config_values.c): NULL or a problem text. */
const char *g2d__check_listen(const char *s);
const char *g2d__check_promfile(const char *s);
/* Decimal integer: 0 ok, -1 not a number, -2 out of range. */
int g2d__parse_ll(const char *s, long long *v);
/* Finite decimal number: 0 or -1. */
int g2d__parse_double(const char *s, double *v);
/* "<digits>[ms|s|m|h|d]" (no unit: seconds) into ms: 0, -1 syntax, -2 overflow. */
int g2d__parse_duration(const char *s, uint64_t *ms);
/* "<digits>[B|KiB|MiB|GiB]" into bytes: 0, -1 syntax, -2 overflow. */
int g2d__parse_size(const char *s, uint64_t *bytes);
/* true/false, yes/no, on/off in three spellings each: 0 or -1. */
int g2d__parse_bool(const char *s, bool *v);
bool g2d__valid_env_name(const char *s);
bool g2d__valid_credential_name(const char *s);

/* ---- config_secrets.c -------------------------------------------------------------- */

/* Read credential @p name from $CREDENTIALS_DIRECTORY: 0 with *out (caller frees, after
 * explicit_bzero), -ENOENT, or another -errno with *why (static storage) explaining. */
int g2d__read_credential(const char *name, char **out, const char **why);
/* Wipe and free a secret; it is left unset. */
void g2d__secret_clear(struct g2d_secret *s);
/* Apply one of the three forms of a secret key. */
int g2d__apply_secret(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                      const struct g2d__node *n, const char *path);
/* The environment / credential fallbacks of one side (see config_secrets.c). */
int g2d__resolve_side(struct g2d__cfg_ctx *c, char **key_id, struct g2d_secret *secret,
                      struct g2d_secret *token, bool secret_set, bool token_set, const char *id_env,
                      const char *secret_env, const char *token_env, const char *credential);

/* ---- config_scope.c ---------------------------------------------------------------- */

int g2d__apply_strlist(struct g2d__cfg_ctx *c, const struct g2d__key_desc *d,
                       const struct g2d__node *n, const char *path);
int g2d__apply_objects(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path);
int g2d__apply_filters(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path);
int g2d__apply_locmap(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path);
/* Reject a repeated key of a free-form mapping, with @p fold in any ASCII case. */
int g2d__cfg_check_dups(struct g2d__cfg_ctx *c, const struct g2d__node *map, const char *path,
                        bool fold);
/* sync.rename (config_rename.c). */
int g2d__apply_rename(struct g2d__cfg_ctx *c, const struct g2d__node *n, const char *path);
/* ASCII letters of @p s in lower case, in place; returns @p s. */
char *g2d__cfg_fold(char *s);

#endif
