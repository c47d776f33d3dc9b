/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "base/jwrite.h"
#include "glue2dlf/model.h"

const struct g2d_location_rule *g2d_location_match(const struct g2d_config *cfg, const char *s,
                                                   size_t n)
{
    const struct g2d_location_rule *best = NULL;
    size_t best_len = 0, i;

    for (i = 0; cfg && i < cfg->nlocation_map; i++) {
        const struct g2d_location_rule *r = &cfg->location_map[i];
        size_t k = strlen(r->from);

        /* Longest wins; among equal lengths the first rule, as the map was written. */
        if (k > best_len && k <= n && memcmp(s, r->from, k) == 0) {
            best = r;
            best_len = k;
        }
    }
    return best;
}

char *g2d_map_location(const struct g2d_config *cfg, const char *location)
{
    size_t n = strlen(location), from, to;
    const struct g2d_location_rule *best = g2d_location_match(cfg, location, n);
    char *out;

    if (!best)
        return strdup(location);
    from = strlen(best->from);
    to = strlen(best->to);
    out = malloc(to + n - from + 1);
    if (!out)
        return NULL;
    memcpy(out, best->to, to);
    memcpy(out + to, location + from, n - from + 1);
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

/* ---- tables, partitions, functions --------------------------------------------------- */

static const char *const drop_names[G2D_DROP_COUNT] = {
    "Database.CreateTableDefaultPermissions",
    "Database.TargetDatabase",
    "Database.FederatedDatabase",
    "Table.TargetTable",
    "Table.ViewDefinition",
    "Table.FederatedTable",
    "Table.Description (kept as Parameters.comment only when that is unset)",
    "StorageDescriptor.AdditionalLocations",
    "StorageDescriptor.SchemaReference",
    "UserDefinedFunction.FunctionType (DLF takes JAVA)",
};

const char *g2d_drop_name(unsigned bit)
{
    unsigned i;

    for (i = 0; i < G2D_DROP_COUNT; i++)
        if (bit == (1u << i))
            return drop_names[i];
    return "unknown";
}

/*
 * Parameters that services rewrite on their own: Hive's DDL timestamp and the
 * last-modified pair Spark and Glue set. They are written with a create or an update that
 * happens for another reason, but never cause an update by themselves.
 */
static const char *const volatile_params[] = {
    "transient_lastDdlTime",
    "last_modified_time",
    "last_modified_by",
    NULL,
};

bool g2d_param_is_volatile_n(const char *key, size_t n)
{
    const char *const *p;

    for (p = volatile_params; *p; p++)
        if (strlen(*p) == n && memcmp(*p, key, n) == 0)
            return true;
    return false;
}

bool g2d_param_is_volatile(const char *key)
{
    return g2d_param_is_volatile_n(key, strlen(key));
}

/* Number of UTF-16 code units of the UTF-8 character starting at s (Java lengths). */
static size_t utf8_char(const unsigned char *s, size_t left, unsigned *units)
{
    size_t n = 1;

    if (s[0] >= 0xf0)
        n = 4;
    else if (s[0] >= 0xe0)
        n = 3;
    else if (s[0] >= 0xc0)
        n = 2;
    if (n > left)
        n = left;
    *units = n == 4 ? 2 : 1;
    return n;
}

/* One pass over a `<len>$<value>` string: each piece to @p cb (if given). 1 if s is one. */
static int skewed_walk(const char *s, size_t len, int (*cb)(const char *p, size_t n, void *arg),
                       void *arg)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    if (p == end)
        return 0;
    while (p < end) {
        unsigned long n = 0, got = 0;
        const unsigned char *start;
        int r;

        if (*p < '0' || *p > '9')
            return 0;
        while (p < end && *p >= '0' && *p <= '9') {
            n = n * 10 + (unsigned long)(*p - '0');
            if (n > 1u << 20)
                return 0;
            p++;
        }
        if (p >= end || *p != '$')
            return 0;
        start = ++p;
        while (got < n && p < end) {
            unsigned units;

            p += utf8_char(p, (size_t)(end - p), &units);
            got += units;
        }
        if (got != n)
            return 0;
        if (cb && (r = cb((const char *)start, (size_t)(p - start), arg)) != 0)
            return r;
    }
    return 1;
}

int g2d_skewed_pieces(const char *s, size_t len, int (*cb)(const char *p, size_t n, void *arg),
                      void *arg)
{
    int r = skewed_walk(s, len, NULL, NULL);

    return r == 1 ? skewed_walk(s, len, cb, arg) : r;
}

static int skewed_append(const char *p, size_t n, void *arg)
{
    return json_array_append_new(arg, json_stringn(p, n)) ? -ENOMEM : 0;
}

json_t *g2d_decode_skewed_value(const char *s)
{
    json_t *arr = json_array();
    int r;

    if (!arr)
        return NULL;
    r = g2d_skewed_pieces(s, strlen(s), skewed_append, arr);
    if (r == 0 && json_array_append_new(arr, json_string(s)) == 0)
        return arr; /* not in that form: the string itself */
    if (r == 1)
        return arr;
    json_decref(arr);
    return NULL;
}

/* Glue timestamps are epoch seconds as JSON numbers, maybe fractional: truncate. */
static int copy_time(json_t *dst, const char *dkey, json_t *src, const char *skey)
{
    json_t *v = json_object_get(src, skey);
    double d;

    if (!json_is_number(v))
        return 0;
    d = json_number_value(v);
    if (d <= 0 || d > 4e12)
        return 0;
    return json_object_set_new(dst, dkey, json_integer((json_int_t)d)) ? -ENOMEM : 0;
}

static int copy_any(json_t *dst, const char *dkey, json_t *src, const char *skey)
{
    json_t *v = json_object_get(src, skey);

    if (!v || json_is_null(v))
        return 0;
    return json_object_set(dst, dkey, v) ? -ENOMEM : 0;
}

static int copy_bool(json_t *dst, const char *dkey, json_t *src, const char *skey)
{
    json_t *v = json_object_get(src, skey);

    if (!json_is_boolean(v))
        return 0;
    return json_object_set(dst, dkey, v) ? -ENOMEM : 0;
}

static int copy_int(json_t *dst, const char *dkey, json_t *src, const char *skey)
{
    json_t *v = json_object_get(src, skey);

    if (!json_is_integer(v))
        return 0;
    return json_object_set(dst, dkey, v) ? -ENOMEM : 0;
}

/* Apply the location map to a string member in place, if present. */
static int map_member(const struct g2d_config *cfg, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    char *m;
    int r;

    if (!json_is_string(v) || !cfg)
        return 0;
    m = g2d_map_location(cfg, json_string_value(v));
    if (!m)
        return -ENOMEM;
    r = json_object_set_new(o, key, json_string(m)) ? -ENOMEM : 0;
    free(m);
    return r;
}

static json_t *map_columns(json_t *cols)
{
    json_t *out = json_array(), *c;
    size_t i;

    if (!out)
        return NULL;
    json_array_foreach(cols, i, c)
    {
        json_t *fc = json_object();
        int r = fc ? 0 : -ENOMEM;

        if (!r)
            r = copy_nonempty_string(fc, "Name", c, "Name");
        if (!r)
            r = copy_any(fc, "Type", c, "Type");
        if (!r)
            r = copy_nonempty_string(fc, "Comment", c, "Comment");
        if (!r)
            r = copy_string_map(fc, "Parameters", c, "Parameters");
        if (r || json_array_append_new(out, fc)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static int set_new_checked(json_t *o, const char *k, json_t *v)
{
    if (!v)
        return -ENOMEM;
    return json_object_set_new(o, k, v) ? -ENOMEM : 0;
}

static json_t *map_skewed(const struct g2d_config *cfg, json_t *sk)
{
    json_t *out = json_object(), *vals = json_object_get(sk, "SkewedColumnValues"), *v;
    json_t *maps = json_object_get(sk, "SkewedColumnValueLocationMaps");
    const char *k;
    size_t i;
    int r = out ? 0 : -ENOMEM;

    if (!r)
        r = copy_any(out, "SkewedColNames", sk, "SkewedColumnNames");
    if (!r && json_is_array(vals)) {
        json_t *a = json_array();

        json_array_foreach(vals, i, v)
        {
            if (a && json_is_string(v) &&
                json_array_append_new(a, g2d_decode_skewed_value(json_string_value(v))))
                r = -ENOMEM;
        }
        if (!r)
            r = set_new_checked(out, "SkewedColValues", a);
    }
    if (!r && json_is_object(maps)) {
        json_t *m = json_object();

        json_object_foreach(maps, k, v)
        {
            json_t *key = g2d_decode_skewed_value(k);
            char *ks = key ? json_dumps(key, JSON_COMPACT) : NULL;
            char *loc = json_is_string(v) ? g2d_map_location(cfg, json_string_value(v)) : NULL;

            if (!m || !ks || !loc || json_object_set_new(m, ks, json_string(loc)))
                r = -ENOMEM;
            json_decref(key);
            free(ks);
            free(loc);
        }
        if (!r)
            r = set_new_checked(out, "SkewedColValueLocationMaps", m);
        else
            json_decref(m);
    }
    if (r) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *map_sd(const struct g2d_config *cfg, json_t *sd, struct g2d_model_notes *notes)
{
    json_t *out = json_object(), *v;
    int r = out ? 0 : -ENOMEM;

    if (!r && json_is_array(v = json_object_get(sd, "Columns")))
        r = set_new_checked(out, "Cols", map_columns(v));
    if (!r)
        r = copy_nonempty_string(out, "Location", sd, "Location");
    if (!r)
        r = map_member(cfg, out, "Location");
    if (!r)
        r = copy_nonempty_string(out, "InputFormat", sd, "InputFormat");
    if (!r)
        r = copy_nonempty_string(out, "OutputFormat", sd, "OutputFormat");
    if (!r)
        r = copy_bool(out, "Compressed", sd, "Compressed");
    if (!r)
        r = copy_int(out, "NumBuckets", sd, "NumberOfBuckets");
    if (!r && json_is_object(v = json_object_get(sd, "SerdeInfo"))) {
        json_t *s = json_object();

        r = s ? 0 : -ENOMEM;
        if (!r)
            r = copy_nonempty_string(s, "Name", v, "Name");
        if (!r)
            r = copy_nonempty_string(s, "SerializationLib", v, "SerializationLibrary");
        if (!r)
            r = copy_string_map(s, "Parameters", v, "Parameters");
        /* Spark keeps the table path in the SerDe parameters too. */
        if (!r)
            r = map_member(cfg, json_object_get(s, "Parameters"), "path");
        if (!r)
            r = set_new_checked(out, "SerDeInfo", s);
        else
            json_decref(s);
    }
    if (!r)
        r = copy_any(out, "BucketCols", sd, "BucketColumns");
    if (!r && json_is_array(v = json_object_get(sd, "SortColumns"))) {
        json_t *a = json_array(), *o;
        size_t i;

        json_array_foreach(v, i, o)
        {
            json_t *e = json_object();

            if (!a || !e || copy_nonempty_string(e, "Col", o, "Column") ||
                copy_int(e, "Order", o, "SortOrder") || json_array_append_new(a, e))
                r = -ENOMEM;
        }
        if (!r)
            r = set_new_checked(out, "SortCols", a);
        else
            json_decref(a);
    }
    if (!r)
        r = copy_string_map(out, "Parameters", sd, "Parameters");
    if (!r && json_is_object(v = json_object_get(sd, "SkewedInfo")))
        r = set_new_checked(out, "SkewedInfo", map_skewed(cfg, v));
    if (!r)
        r = copy_bool(out, "StoredAsSubDirectories", sd, "StoredAsSubDirectories");
    if (notes && json_is_array(json_object_get(sd, "AdditionalLocations")) &&
        json_array_size(json_object_get(sd, "AdditionalLocations")))
        notes->dropped |= G2D_DROP_SD_ADDITIONAL_LOCATIONS;
    if (notes && json_is_object(json_object_get(sd, "SchemaReference")))
        notes->dropped |= G2D_DROP_SD_SCHEMA_REFERENCE;
    if (r) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static bool param_ieq(json_t *params, const char *key, const char *val)
{
    json_t *v = json_object_get(params, key);

    return json_is_string(v) && strcasecmp(json_string_value(v), val) == 0;
}

static enum g2d_otf detect_otf(json_t *table)
{
    json_t *p = json_object_get(table, "Parameters");
    json_t *sd = json_object_get(table, "StorageDescriptor");
    json_t *inf = json_object_get(sd, "InputFormat");
    const char *k;
    json_t *v;

    if (param_ieq(p, "table_type", "ICEBERG"))
        return G2D_OTF_ICEBERG;
    if (param_ieq(p, "table_type", "DELTA") || param_ieq(p, "spark.sql.sources.provider", "delta"))
        return G2D_OTF_DELTA;
    if (param_ieq(p, "spark.sql.sources.provider", "hudi") ||
        (json_is_string(inf) && strstr(json_string_value(inf), "hudi")))
        return G2D_OTF_HUDI;
    json_object_foreach(p, k, v)
    {
        if (strncmp(k, "hoodie.", 7) == 0)
            return G2D_OTF_HUDI;
    }
    return G2D_OTF_NONE;
}

int g2d_model_table(const struct g2d_config *cfg, const char *db, json_t *glue_table, json_t **out,
                    struct g2d_model_notes *notes, struct g2d_error *err)
{
    json_t *name = json_object_get(glue_table, "Name"), *in, *v, *params;
    const char *desc;
    int r;

    if (!json_is_string(name) || json_string_length(name) == 0)
        return g2d_error_set(err, -EINVAL, "Glue table in '%s' without a Name", db);
    in = json_object();
    if (!in)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    r = json_object_set(in, "TableName", name) ? -ENOMEM : 0;
    if (!r)
        r = set_new_checked(in, "DatabaseName", json_string(db));
    if (!r)
        r = copy_nonempty_string(in, "Owner", glue_table, "Owner");
    if (!r)
        r = copy_time(in, "LastAccessTime", glue_table, "LastAccessTime");
    if (!r)
        r = copy_time(in, "LastAnalyzedTime", glue_table, "LastAnalyzedTime");
    if (!r)
        r = copy_int(in, "Retention", glue_table, "Retention");
    if (!r && json_is_object(v = json_object_get(glue_table, "StorageDescriptor")))
        r = set_new_checked(in, "Sd", map_sd(cfg, v, notes));
    if (!r && json_is_array(v = json_object_get(glue_table, "PartitionKeys")))
        r = set_new_checked(in, "PartitionKeys", map_columns(v));
    if (!r)
        r = copy_nonempty_string(in, "ViewOriginalText", glue_table, "ViewOriginalText");
    if (!r)
        r = copy_nonempty_string(in, "ViewExpandedText", glue_table, "ViewExpandedText");
    if (!r)
        r = copy_nonempty_string(in, "TableType", glue_table, "TableType");
    if (!r)
        r = copy_string_map(in, "Parameters", glue_table, "Parameters");
    params = json_object_get(in, "Parameters");
    /* DLF has no table description: Hive keeps the comment in Parameters.comment. */
    v = json_object_get(glue_table, "Description");
    desc = json_is_string(v) ? json_string_value(v) : "";
    if (!r && *desc) {
        json_t *c = json_object_get(params, "comment");

        if (!params) {
            params = json_object();
            r = set_new_checked(in, "Parameters", params);
        }
        if (!r && !c)
            r = json_object_set_new(params, "comment", json_string(desc)) ? -ENOMEM : 0;
        else if (!r && notes && strcmp(json_string_value(c), desc) != 0)
            notes->dropped |= G2D_DROP_TABLE_DESCRIPTION;
    }
    /* Open-table formats keep absolute paths in parameters; rewrite those we know. */
    if (!r && params) {
        r = map_member(cfg, params, "metadata_location");
        if (!r)
            r = map_member(cfg, params, "previous_metadata_location");
        if (!r)
            r = map_member(cfg, params, "path");
    }
    if (r) {
        json_decref(in);
        return g2d_error_set(err, r, "out of memory");
    }
    if (notes) {
        notes->otf = detect_otf(glue_table);
        if (json_is_object(json_object_get(glue_table, "TargetTable")))
            notes->dropped |= G2D_DROP_TABLE_TARGET;
        if (json_is_object(json_object_get(glue_table, "ViewDefinition")))
            notes->dropped |= G2D_DROP_TABLE_VIEW_DEFINITION;
        if (json_is_object(json_object_get(glue_table, "FederatedTable")))
            notes->dropped |= G2D_DROP_TABLE_FEDERATED;
    }
    *out = in;
    return 0;
}

int g2d_model_partition(const struct g2d_config *cfg, const char *db, const char *table,
                        json_t *glue_part, json_t **out, struct g2d_model_notes *notes,
                        struct g2d_error *err)
{
    json_t *values = json_object_get(glue_part, "Values"), *in, *v;
    size_t i;
    int r;

    if (!json_is_array(values) || json_array_size(values) == 0)
        return g2d_error_set(err, -EINVAL, "Glue partition of '%s.%s' without Values", db, table);
    json_array_foreach(values, i, v)
    {
        if (!json_is_string(v))
            return g2d_error_set(err, -EINVAL, "Glue partition of '%s.%s' with a non-string value",
                                 db, table);
    }
    in = json_object();
    if (!in)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    r = json_object_set(in, "Values", values) ? -ENOMEM : 0;
    if (!r)
        r = set_new_checked(in, "DatabaseName", json_string(db));
    if (!r)
        r = set_new_checked(in, "TableName", json_string(table));
    if (!r)
        r = copy_time(in, "LastAccessTime", glue_part, "LastAccessTime");
    if (!r)
        r = copy_time(in, "LastAnalyzedTime", glue_part, "LastAnalyzedTime");
    if (!r)
        r = copy_string_map(in, "Parameters", glue_part, "Parameters");
    if (!r && json_is_object(v = json_object_get(glue_part, "StorageDescriptor")))
        r = set_new_checked(in, "Sd", map_sd(cfg, v, notes));
    if (r) {
        json_decref(in);
        return g2d_error_set(err, r, "out of memory");
    }
    *out = in;
    return 0;
}

int g2d_model_function(const struct g2d_config *cfg, json_t *glue_fn, json_t **out,
                       struct g2d_model_notes *notes, struct g2d_error *err)
{
    json_t *name = json_object_get(glue_fn, "FunctionName"), *in, *v;
    int r;

    if (!json_is_string(name) || json_string_length(name) == 0)
        return g2d_error_set(err, -EINVAL, "Glue function without a FunctionName");
    in = json_object();
    if (!in)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    r = json_object_set(in, "FunctionName", name) ? -ENOMEM : 0;
    if (!r)
        r = copy_nonempty_string(in, "ClassName", glue_fn, "ClassName");
    if (!r)
        r = copy_nonempty_string(in, "OwnerName", glue_fn, "OwnerName");
    if (!r)
        r = copy_nonempty_string(in, "OwnerType", glue_fn, "OwnerType");
    /* Hive functions are Java classes; DLF's only documented FunctionType is JAVA. */
    if (!r)
        r = set_new_checked(in, "FunctionType", json_string("JAVA"));
    if (!r && json_is_array(v = json_object_get(glue_fn, "ResourceUris"))) {
        json_t *a = json_array(), *u;
        size_t i;

        json_array_foreach(v, i, u)
        {
            json_t *e = json_object();

            if (!a || !e || copy_nonempty_string(e, "ResourceType", u, "ResourceType") ||
                copy_nonempty_string(e, "Uri", u, "Uri") || map_member(cfg, e, "Uri") ||
                json_array_append_new(a, e))
                r = -ENOMEM;
        }
        if (!r)
            r = set_new_checked(in, "ResourceUri", a);
        else
            json_decref(a);
    }
    if (r) {
        json_decref(in);
        return g2d_error_set(err, r, "out of memory");
    }
    v = json_object_get(glue_fn, "FunctionType");
    if (notes && json_is_string(v) && strcmp(json_string_value(v), "REGULAR_FUNCTION") != 0)
        notes->dropped |= G2D_DROP_FN_FUNCTION_TYPE;
    *out = in;
    return 0;
}

/* ---- normalisation ------------------------------------------------------------------- */

/*
 * The normalised form is written straight out as canonical JSON text — keys sorted,
 * compact, a fixed escaping — without building any intermediate tree, and hashed. Rules:
 * only the managed members (a whitelist per object kind, and one for Sd); volatile
 * parameters removed; empty values removed from objects (null, "", false, [], {} and
 * objects that end up empty, non-positive NumBuckets/Retention); array elements kept in
 * place (an element that is empty is written as "" or {} so positions stay). Fingerprints
 * live only in memory, so this form can change between versions freely.
 */

static const char *const sd_keys[] = {
    "BucketCols",   "Cols",       "Compressed", "InputFormat", "Location", "NumBuckets",
    "OutputFormat", "Parameters", "SerDeInfo",  "SkewedInfo",  "SortCols", "StoredAsSubDirectories",
    NULL,
};
static const char *const table_keys[] = {
    "Owner",     "Parameters", "PartitionKeys",    "Retention",        "Sd",
    "TableName", "TableType",  "ViewExpandedText", "ViewOriginalText", NULL,
};
static const char *const partition_keys[] = {"Parameters", "Sd", "Values", NULL};
static const char *const function_keys[] = {
    "ClassName", "FunctionName", "OwnerName", "OwnerType", "ResourceUri", NULL,
};
static const char *const database_keys[] = {
    "Description", "LocationUri", "Name", "Parameters", NULL,
};

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum canon_ctx { C_ANY, C_TOP, C_SD, C_PARAMS };

static int canon(struct g2d_buf *b, json_t *v, const char *key, enum canon_ctx ctx,
                 const char *const *allow, bool *empty);

/* An object's members in sorted order, filtered by @p allow (sorted, NULL-ended) if given. */
static int canon_object(struct g2d_buf *b, json_t *o, enum canon_ctx ctx, const char *const *allow,
                        bool *empty)
{
    const char *stack[32], **keys = stack, *k;
    size_t n = 0, cap = 32, i, start = b->len;
    bool any = false;
    json_t *v;
    int r;

    if (allow) {
        for (; *allow; allow++)
            if (json_object_get(o, *allow))
                keys[n++] = *allow; /* whitelists are sorted already */
    } else {
        json_object_foreach(o, k, v)
        {
            if (n == cap) {
                const char **nk = malloc(2 * cap * sizeof(*nk));

                if (!nk) {
                    if (keys != stack)
                        free(keys);
                    return -ENOMEM;
                }
                memcpy(nk, keys, n * sizeof(*nk));
                if (keys != stack)
                    free(keys);
                keys = nk;
                cap *= 2;
            }
            keys[n++] = k;
        }
        qsort(keys, n, sizeof(*keys), key_cmp);
    }
    r = g2d_buf_putc(b, '{');
    for (i = 0; r == 0 && i < n; i++) {
        size_t mark = b->len;
        enum canon_ctx cc = C_ANY;
        bool e = false;

        if (ctx == C_PARAMS && g2d_param_is_volatile(keys[i]))
            continue;
        if (ctx == C_TOP && strcmp(keys[i], "Sd") == 0)
            cc = C_SD;
        else if (ctx == C_TOP && strcmp(keys[i], "Parameters") == 0)
            cc = C_PARAMS;
        if (any)
            r = g2d_buf_putc(b, ',');
        if (r == 0)
            r = g2d_jwrite_string(b, keys[i], strlen(keys[i]));
        if (r == 0)
            r = g2d_buf_putc(b, ':');
        if (r == 0)
            r = canon(b, json_object_get(o, keys[i]), keys[i], cc, cc == C_SD ? sd_keys : NULL, &e);
        if (r == 0 && e) {
            b->len = mark; /* drop the empty member */
            b->data[b->len] = '\0';
        } else if (r == 0) {
            any = true;
        }
    }
    if (keys != stack)
        free(keys);
    if (r == 0 && !any) {
        b->len = start;
        b->data[b->len] = '\0';
        *empty = true;
        return 0;
    }
    return r ? r : g2d_buf_putc(b, '}');
}

static int canon(struct g2d_buf *b, json_t *v, const char *key, enum canon_ctx ctx,
                 const char *const *allow, bool *empty)
{
    size_t i;
    json_t *e;
    int r;

    *empty = false;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return canon_object(b, v, ctx, allow, empty);
    case JSON_ARRAY:
        if (json_array_size(v) == 0) {
            *empty = true;
            return 0;
        }
        r = g2d_buf_putc(b, '[');
        json_array_foreach(v, i, e)
        {
            size_t mark = b->len;
            bool ee = false;

            if (r == 0 && i)
                r = g2d_buf_putc(b, ',');
            mark = b->len;
            if (r == 0)
                r = canon(b, e, NULL, C_ANY, NULL, &ee);
            if (r == 0 && ee)
                r = g2d_buf_puts(b, json_is_string(e) ? "\"\"" : "{}");
            (void)mark;
        }
        return r ? r : g2d_buf_putc(b, ']');
    case JSON_STRING:
        if (json_string_length(v) == 0) {
            *empty = true;
            return 0;
        }
        return g2d_jwrite_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        if (key && (!strcmp(key, "NumBuckets") || !strcmp(key, "Retention")) &&
            json_integer_value(v) <= 0) {
            *empty = true;
            return 0;
        }
        return g2d_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return g2d_buf_printf(b, "%.17g", json_real_value(v));
    case JSON_TRUE:
        return g2d_buf_puts(b, "true");
    default: /* false, null */
        *empty = true;
        return 0;
    }
}

static int normalized_write(json_t *obj, const char *const *keys, struct g2d_buf *b)
{
    bool empty = false;
    int r = canon(b, obj, NULL, C_TOP, keys, &empty);

    if (r == 0 && empty)
        r = g2d_buf_puts(b, "{}");
    return r;
}

static int fp_with(json_t *obj, const char *const *keys, struct g2d_fp *out)
{
    struct g2d_buf b;
    int r;

    g2d_buf_init(&b, 0);
    r = normalized_write(obj, keys, &b);
    if (r == 0)
        g2d_fp_bytes(b.data ? b.data : "", b.len, out);
    g2d_buf_done(&b);
    return r;
}

int g2d_fp_database(json_t *dlf_db, struct g2d_fp *out)
{
    return fp_with(dlf_db, database_keys, out);
}

int g2d_fp_table(json_t *dlf_table, struct g2d_fp *out)
{
    return fp_with(dlf_table, table_keys, out);
}

int g2d_fp_partition(json_t *dlf_part, struct g2d_fp *out)
{
    return fp_with(dlf_part, partition_keys, out);
}

int g2d_fp_function(json_t *dlf_fn, struct g2d_fp *out)
{
    return fp_with(dlf_fn, function_keys, out);
}

char *g2d_normalized_text(enum g2d_norm_kind kind, json_t *obj)
{
    static const char *const *const lists[] = {database_keys, table_keys, partition_keys,
                                               function_keys};
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    if (normalized_write(obj, lists[kind], &b) < 0) {
        g2d_buf_done(&b);
        return NULL;
    }
    return g2d_buf_steal(&b);
}
