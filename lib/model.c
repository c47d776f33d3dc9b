/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "model.h"

char *g2d_map_location(const struct g2d_config *cfg, const char *location)
{
    const struct g2d_location_rule *best = NULL;
    size_t best_len = 0, i, rest;
    char *out;

    for (i = 0; i < cfg->nlocation_map; i++) {
        const struct g2d_location_rule *r = &cfg->location_map[i];
        size_t n = strlen(r->from);

        if (n > best_len && strncmp(location, r->from, n) == 0) {
            best = r;
            best_len = n;
        }
    }
    if (!best)
        return strdup(location);
    rest = strlen(location + best_len);
    out = malloc(strlen(best->to) + rest + 1);
    if (!out)
        return NULL;
    memcpy(out, best->to, strlen(best->to));
    memcpy(out + strlen(best->to), location + best_len, rest + 1);
    return out;
}

void g2d_fp_bytes(const void *data, size_t len, struct g2d_fp *out)
{
    uint8_t md[SHA256_DIGEST_LENGTH];

    SHA256(data, len, md);
    memcpy(out->b, md, G2D_FP_LEN);
}

char *g2d_canonical_json(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Copy a string member if it is a non-empty string. */
static int copy_nonempty_string(json_t *dst, const char *dkey, json_t *src, const char *skey)
{
    json_t *v = json_object_get(src, skey);

    if (!json_is_string(v) || json_string_length(v) == 0)
        return 0;
    return json_object_set(dst, dkey, v) ? -ENOMEM : 0;
}

/* Copy a string→string map, keeping only string values; absent or empty maps are skipped. */
static int copy_string_map(json_t *dst, const char *dkey, json_t *src, const char *skey)
{
    json_t *m = json_object_get(src, skey), *copy, *v;
    const char *k;

    if (!json_is_object(m) || json_object_size(m) == 0)
        return 0;
    copy = json_object();
    if (!copy)
        return -ENOMEM;
    json_object_foreach(m, k, v)
    {
        if (json_is_string(v) && json_object_set(copy, k, v)) {
            json_decref(copy);
            return -ENOMEM;
        }
    }
    if (json_object_size(copy) == 0) {
        json_decref(copy);
        return 0;
    }
    return json_object_set_new(dst, dkey, copy) ? -ENOMEM : 0;
}

int g2d_model_database(const struct g2d_config *cfg, json_t *glue_db, json_t **out,
                       struct g2d_error *err)
{
    json_t *name = json_object_get(glue_db, "Name"), *in, *loc;
    int r;

    if (!json_is_string(name) || json_string_length(name) == 0)
        return g2d_error_set(err, -EINVAL, "Glue database without a Name");
    in = json_object();
    if (!in)
        return -ENOMEM;
    r = json_object_set(in, "Name", name) ? -ENOMEM : 0;
    if (!r)
        r = copy_nonempty_string(in, "Description", glue_db, "Description");
    if (!r)
        r = copy_string_map(in, "Parameters", glue_db, "Parameters");
    loc = json_object_get(glue_db, "LocationUri");
    if (!r && json_is_string(loc) && json_string_length(loc) > 0) {
        char *mapped = g2d_map_location(cfg, json_string_value(loc));

        r = mapped && !json_object_set_new(in, "LocationUri", json_string(mapped)) ? 0 : -ENOMEM;
        free(mapped);
    }
    if (r) {
        json_decref(in);
        return g2d_error_set(err, r, "out of memory");
    }
    *out = in;
    return 0;
}

int g2d_fp_database(json_t *dlf_db, struct g2d_fp *out)
{
    json_t *c = json_object();
    char *s;
    int r;

    if (!c)
        return -ENOMEM;
    r = copy_nonempty_string(c, "Name", dlf_db, "Name");
    if (!r)
        r = copy_nonempty_string(c, "Description", dlf_db, "Description");
    if (!r)
        r = copy_nonempty_string(c, "LocationUri", dlf_db, "LocationUri");
    if (!r)
        r = copy_string_map(c, "Parameters", dlf_db, "Parameters");
    s = r ? NULL : g2d_canonical_json(c);
    json_decref(c);
    if (!s)
        return -ENOMEM;
    g2d_fp_bytes(s, strlen(s), out);
    free(s);
    return 0;
}
