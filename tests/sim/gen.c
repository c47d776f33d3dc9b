/* SPDX-License-Identifier: MIT */
/*
 * Deterministic catalog generator: the same --seed and sizes give byte-identical catalogs,
 * independent of the C library's rand(). One splitmix64 stream per database and per
 * table, so sizes of one level do not shift the content of another.
 *
 * Tables: among each database's tables, j % 7 == 3 is a VIRTUAL_VIEW, j % 7 == 5 an
 * Iceberg table (no partition keys), j % 7 == 6 skewed and bucketed, the rest external
 * Parquet tables. Partitions (tables with keys only) are stored as (values, variant): one
 * in 50 (i % 50 == 49) has its own schema with an extra column; their JSON is rebuilt on
 * demand from the table (sim_glue_part_json).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue2dlf/model.h"
#include "catalog.h"

uint64_t sim_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Parameter pool: plain values and values with characters that break naive encoders. */
static const char *const param_keys[] = {
    "classification", "owner", "comment", "quoted", "query", "k=v&x", "emoji", "path",
};
static const char *const param_vals[] = {
    "parquet",
    "team-analytics",
    "na\xc3\xafve caf\xc3\xa9 \xe2\x98\x83 \xe2\x80\x94 \xe6\x95\xb0\xe6\x8d\xae",
    "say \"hi\" and 'bye' \\ done",
    "a=b&c=d",
    "key with = and & and %",
    "\xf0\x9f\x9a\x80 rocket",
    "s3://bucket/a b/c%20d?x=1",
};
#define NPARAMS (sizeof(param_keys) / sizeof(param_keys[0]))

static json_t *gen_db_input(uint64_t seed, unsigned i)
{
    uint64_t st = seed ^ (0xD1B54A32D192ED03ULL * (uint64_t)(i + 1));
    char name[32], buf[256];
    json_t *in, *params;
    unsigned np, k, used = 0;
    uint64_t r = sim_splitmix64(&st);

    snprintf(name, sizeof(name), "db_%04u", i);
    in = json_object();
    params = json_object();
    if (!in || !params) {
        json_decref(in);
        json_decref(params);
        return NULL;
    }
    json_object_set_new(in, "Name", json_string(name));
    switch (r % 8) {
    case 0:
        break; /* no description */
    case 1:
        json_object_set_new(in, "Description", json_string(""));
        break;
    case 2:
        snprintf(buf, sizeof(buf), "Database %u\nsecond line, tab\there", i);
        json_object_set_new(in, "Description", json_string(buf));
        break;
    case 3:
        snprintf(buf, sizeof(buf),
                 "Donn\xc3\xa9"
                 "es simul\xc3\xa9"
                 "es n\xc2\xb0%u",
                 i);
        json_object_set_new(in, "Description", json_string(buf));
        break;
    default:
        snprintf(buf, sizeof(buf), "Simulated database %u (seed %llu)", i,
                 (unsigned long long)seed);
        json_object_set_new(in, "Description", json_string(buf));
        break;
    }
    snprintf(buf, sizeof(buf), "s3://sim-bucket-%llu/%s.db/", (unsigned long long)seed, name);
    json_object_set_new(in, "LocationUri", json_string(buf));
    np = (unsigned)((r >> 8) % 4);
    while (np > 0) {
        k = (unsigned)(sim_splitmix64(&st) % NPARAMS);
        if (used & (1u << k))
            continue;
        used |= 1u << k;
        json_object_set_new(params, param_keys[k], json_string(param_vals[k]));
        np--;
    }
    json_object_set_new(in, "Parameters", params);
    return in;
}

static const char *const col_types[] = {
    "string", "bigint",  "int",    "double",        "decimal(10,2)",      "timestamp",
    "date",   "boolean", "binary", "array<string>", "map<string,string>", "struct<a:int,b:string>",
};
#define NTYPES (sizeof(col_types) / sizeof(col_types[0]))
static const char *const regions[] = {"ap-southeast-1", "cn-hangzhou", "eu-west-1", "us-east-1"};
#define NREGIONS 4

enum sim_gen_shape sim_gen_table_shape(unsigned j)
{
    switch (j % 7) {
    case 3:
        return SIM_SHAPE_VIEW;
    case 5:
        return SIM_SHAPE_ICEBERG;
    case 6:
        return SIM_SHAPE_SKEWED;
    default:
        return SIM_SHAPE_PARQUET;
    }
}

void sim_gen_part_values(unsigned long i, unsigned nkeys, char bufs[3][32])
{
    unsigned long per_day = nkeys == 1 ? 1 : nkeys == 2 ? NREGIONS : NREGIONS * 24;
    time_t day = (time_t)(18262 + i / per_day) * 86400; /* from 2020-01-01 */
    struct tm tm;

    gmtime_r(&day, &tm);
    snprintf(bufs[0], 32, "%04d-%02d-%02d", tm.tm_year + 1900 > 9999 ? 9999 : tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
    if (nkeys >= 2)
        snprintf(bufs[1], 32, "%s", regions[nkeys == 2 ? i % NREGIONS : (i / 24) % NREGIONS]);
    if (nkeys >= 3)
        snprintf(bufs[2], 32, "%lu", i % 24);
}

static json_t *gen_columns(uint64_t *st, unsigned n, const char *prefix)
{
    json_t *cols = json_array();
    char name[32];
    unsigned c;

    for (c = 0; c < n; c++) {
        uint64_t r = sim_splitmix64(st);
        json_t *col;

        snprintf(name, sizeof(name), "%s%02u", prefix, c);
        col = json_pack("{s:s,s:s}", "Name", name, "Type", col_types[(c + r) % NTYPES]);
        if (r % 5 == 0)
            json_object_set_new(col, "Comment", json_string("identifiant \xc3\xa9tendu"));
        else if (r % 5 == 1)
            json_object_set_new(col, "Comment", json_sprintf("column %u", c));
        json_array_append_new(cols, col);
    }
    return cols;
}

static json_t *gen_keys(unsigned nkeys)
{
    json_t *keys = json_array();

    json_array_append_new(keys, json_pack("{s:s,s:s}", "Name", "dt", "Type", "string"));
    if (nkeys >= 2)
        json_array_append_new(keys, json_pack("{s:s,s:s}", "Name", "region", "Type", "string"));
    if (nkeys >= 3)
        json_array_append_new(keys, json_pack("{s:s,s:s,s:s}", "Name", "hour", "Type", "int",
                                              "Comment", "hour of day"));
    return keys;
}

/* Glue's "<len>$<value>" encoding of a value tuple. */
static void skew_enc(char *out, size_t size, const char *a, const char *b)
{
    snprintf(out, size, "%zu$%s%zu$%s", strlen(a), a, strlen(b), b);
}

/* A view's members on @p t; @return its StorageDescriptor (steals @p cols). */
static json_t *view_sd(json_t *t, json_t *cols, const char *db)
{
    struct g2d_buf b;
    char buf[512];
    size_t c;

    g2d_buf_init(&b, 0);
    g2d_buf_puts(&b, "SELECT ");
    for (c = 0; c < json_array_size(cols); c++)
        g2d_buf_printf(&b, "%s`tbl_0000`.`%s`", c ? ", " : "",
                       json_string_value(json_object_get(json_array_get(cols, c), "Name")));
    g2d_buf_printf(&b, " FROM `%s`.`tbl_0000`", db);
    json_object_set_new(t, "TableType", json_string("VIRTUAL_VIEW"));
    snprintf(buf, sizeof(buf), "SELECT * FROM %s.tbl_0000", db);
    json_object_set_new(t, "ViewOriginalText", json_string(buf));
    json_object_set_new(t, "ViewExpandedText", json_string(g2d_buf_cstr(&b)));
    g2d_buf_done(&b);
    json_object_set_new(t, "PartitionKeys", json_array());
    json_object_set_new(t, "Parameters", json_pack("{s:s}", "comment", "simulated view"));
    return json_pack("{s:o,s:s,s:b,s:i,s:{s:{}},s:[],s:[],s:{},s:b}", "Columns", cols, "Location",
                     "", "Compressed", 0, "NumberOfBuckets", 0, "SerdeInfo", "Parameters",
                     "BucketColumns", "SortColumns", "Parameters", "StoredAsSubDirectories", 0);
}

/* Buckets, sort columns and skewed values of a skewed table's @p sd at @p loc. */
static void add_skew(json_t *sd, const char *loc)
{
    char k1[64], k2[64], buf[512];
    json_t *locs;

    skew_enc(k1, sizeof(k1), "a", "bc");
    skew_enc(k2, sizeof(k2), "xyz", "\xc3\xa9t\xc3\xa9");
    json_array_append_new(json_object_get(sd, "BucketColumns"), json_string("col_00"));
    json_array_append_new(json_object_get(sd, "SortColumns"),
                          json_pack("{s:s,s:i}", "Column", "col_00", "SortOrder", 1));
    locs = json_object();
    snprintf(buf, sizeof(buf), "%scol_01=a/col_02=bc", loc);
    json_object_set_new(locs, k1, json_string(buf));
    snprintf(buf, sizeof(buf), "%scol_01=xyz/col_02=%s", loc, "\xc3\xa9t\xc3\xa9");
    json_object_set_new(locs, k2, json_string(buf));
    json_object_set_new(sd, "SkewedInfo",
                        json_pack("{s:[s,s],s:[s,s],s:o}", "SkewedColumnNames", "col_01", "col_02",
                                  "SkewedColumnValues", k1, k2, "SkewedColumnValueLocationMaps",
                                  locs));
}

/* A partitioned Parquet table's members on @p t; @return its StorageDescriptor (steals cols). */
static json_t *hive_sd(const struct sim_gen_opts *o, json_t *t, json_t *cols, const char *loc,
                       double ct, int skewed)
{
    json_t *sd;

    json_object_set_new(t, "TableType", json_string("EXTERNAL_TABLE"));
    json_object_set_new(t, "PartitionKeys", gen_keys(o->partition_keys));
    json_object_set_new(t, "Parameters",
                        json_pack("{s:s,s:s,s:s}", "EXTERNAL", "TRUE", "classification", "parquet",
                                  "transient_lastDdlTime", "0"));
    json_object_set_new(json_object_get(t, "Parameters"), "transient_lastDdlTime",
                        json_sprintf("%lld", (long long)ct));
    sd = json_pack("{s:o,s:s,s:s,s:s,s:b,s:i,s:{s:s,s:{s:s}},s:[],s:[],s:{},s:b}", "Columns", cols,
                   "Location", loc, "InputFormat",
                   "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", "OutputFormat",
                   "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", "Compressed",
                   0, "NumberOfBuckets", skewed ? 8 : -1, "SerdeInfo", "SerializationLibrary",
                   "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", "Parameters",
                   "serialization.format", "1", "BucketColumns", "SortColumns", "Parameters",
                   "StoredAsSubDirectories", skewed);
    if (skewed)
        add_skew(sd, loc);
    return sd;
}

static json_t *gen_table_input(const struct sim_gen_opts *o, const char *db, unsigned i, unsigned j,
                               double ct)
{
    uint64_t st = o->seed ^ (0xD1B54A32D192ED03ULL * (uint64_t)(i + 1)) ^
                  (0x8CB92BA72F3D8DD7ULL * (uint64_t)(j + 1));
    enum sim_gen_shape shape = o->plain ? SIM_SHAPE_PARQUET : sim_gen_table_shape(j);
    unsigned ncols = o->columns ? o->columns : 1;
    char name[32], loc[256], buf[512];
    json_t *t, *sd, *cols;

    snprintf(name, sizeof(name), "tbl_%04u", j);
    snprintf(loc, sizeof(loc), "s3://sim-bucket-%llu/%s.db/%s/", (unsigned long long)o->seed, db,
             name);
    cols = gen_columns(&st, ncols, "col_");
    t = json_pack("{s:s,s:s,s:i}", "Name", name, "Owner",
                  sim_splitmix64(&st) % 2 ? "hadoop" : "etl", "Retention", 0);
    if (sim_splitmix64(&st) % 3 == 0)
        json_object_set_new(t, "Description", json_sprintf("Table %u of %s", j, db));
    switch (shape) {
    case SIM_SHAPE_VIEW:
        sd = view_sd(t, cols, db);
        break;
    case SIM_SHAPE_ICEBERG:
        json_object_set_new(t, "TableType", json_string("EXTERNAL_TABLE"));
        json_object_set_new(t, "PartitionKeys", json_array());
        snprintf(buf, sizeof(buf), "%smetadata/%05u-%016llx.metadata.json", loc,
                 (unsigned)(sim_splitmix64(&st) % 100), (unsigned long long)sim_splitmix64(&st));
        json_object_set_new(
            t, "Parameters",
            json_pack("{s:s,s:s}", "table_type", "ICEBERG", "metadata_location", buf));
        sd = json_pack("{s:o,s:s,s:b}", "Columns", cols, "Location", loc, "Compressed", 0);
        break;
    default:
        sd = hive_sd(o, t, cols, loc, ct, shape == SIM_SHAPE_SKEWED);
        break;
    }
    json_object_set_new(t, "StorageDescriptor", sd);
    return t;
}

static json_t *gen_fn_input(const struct sim_gen_opts *o, unsigned i, unsigned k)
{
    uint64_t st = o->seed ^ (0x9FB21C651E98DF25ULL * (uint64_t)(i + 1)) ^ (uint64_t)(k + 1);
    uint64_t r = sim_splitmix64(&st);
    char name[32], cls[96], uri[160];
    json_t *uris = json_array();

    snprintf(name, sizeof(name), "fn_%03u", k);
    snprintf(cls, sizeof(cls), "com.example.sim.udf.Fn%u", k);
    snprintf(uri, sizeof(uri), "s3://sim-bucket-%llu/jars/udf-%u.jar", (unsigned long long)o->seed,
             (unsigned)(r % 3));
    json_array_append_new(uris, json_pack("{s:s,s:s}", "ResourceType", "JAR", "Uri", uri));
    if (r % 4 == 0) {
        snprintf(uri, sizeof(uri), "s3://sim-bucket-%llu/jars/deps-%u.jar",
                 (unsigned long long)o->seed, k);
        json_array_append_new(uris, json_pack("{s:s,s:s}", "ResourceType", "JAR", "Uri", uri));
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:o}", "FunctionName", name, "ClassName", cls, "OwnerName",
                     r % 2 ? "hadoop" : "etl", "OwnerType", "USER", "ResourceUris", uris);
}

static int gen_partitions(struct sim_item *t, const struct sim_gen_opts *o)
{
    unsigned nkeys = (unsigned)json_array_size(json_object_get(t->obj, "PartitionKeys"));
    char bufs[3][32];
    const char *vals[3] = {bufs[0], bufs[1], bufs[2]};
    unsigned long i;

    if (nkeys == 0 || o->partitions_per_table == 0)
        return 0;
    t->parts = sim_parts_new();
    if (!t->parts)
        return -ENOMEM;
    for (i = 0; i < o->partitions_per_table; i++) {
        char key[128];
        size_t len = 0, k;
        int r;

        sim_gen_part_values(i, nkeys, bufs);
        for (k = 0; k < nkeys; k++) {
            size_t l = strlen(vals[k]) + 1;

            memcpy(key + len, vals[k], l);
            len += l;
        }
        r = sim_parts_put(t->parts, key, len, nkeys, !o->plain && i % 50 == 49, NULL, 0, 1);
        if (r < 0)
            return r;
    }
    return 0;
}

int sim_gen_glue(struct sim_catalog *glue, const struct sim_gen_opts *o)
{
    uint64_t st = o->seed;
    double base = 1600000000.0 + (double)(sim_splitmix64(&st) % 100000000ULL);
    unsigned i, j;

    for (i = 0; i < o->databases; i++) {
        char err[256];
        json_t *in = gen_db_input(o->seed, i), *db;
        struct sim_item *it;
        struct sim_coll *kids;
        double dbt = base + 37.0 * i;
        const char *dbname;
        int r;

        if (!in)
            return -ENOMEM;
        db = sim_glue_db_build(in, NULL, NULL, dbt, 0, o->catalog_id, err, sizeof(err));
        json_decref(in);
        if (!db)
            return -EINVAL;
        r = sim_coll_put(&glue->dbs, json_string_value(json_object_get(db, "Name")), db);
        if (r < 0)
            return r;
        it = sim_coll_find(&glue->dbs, json_string_value(json_object_get(db, "Name")));
        dbname = it->name;
        for (j = 0; j < o->tables_per_db; j++) {
            double ct = dbt + 100.0 * (j + 1);
            json_t *t;

            kids = sim_item_kids(it, SIM_KID_TABLES);
            in = gen_table_input(o, dbname, i, j, ct);
            if (!kids || !in) {
                json_decref(in);
                return -ENOMEM;
            }
            t = sim_glue_table_build(in, dbname, NULL, ct, 0, o->catalog_id, err, sizeof(err));
            json_decref(in);
            if (!t)
                return -EINVAL;
            r = sim_coll_put(kids, json_string_value(json_object_get(t, "Name")), t);
            if (r < 0)
                return r;
            r = gen_partitions(&kids->items[kids->n - 1], o);
            if (r < 0)
                return r;
        }
        for (j = 0; j < o->functions_per_db; j++) {
            json_t *f;

            kids = sim_item_kids(it, SIM_KID_FUNCTIONS);
            in = gen_fn_input(o, i, j);
            if (!kids || !in) {
                json_decref(in);
                return -ENOMEM;
            }
            f = sim_glue_fn_build(in, dbname, NULL, NULL, dbt + 50.0 * (j + 1), 0, o->catalog_id,
                                  err, sizeof(err));
            json_decref(in);
            if (!f)
                return -EINVAL;
            r = sim_coll_put(kids, json_string_value(json_object_get(f, "FunctionName")), f);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

uint64_t sim_pkey_hash(const char *key, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
    return h;
}

static uint64_t key_hash(const struct sim_prec *r)
{
    return sim_pkey_hash(r->data, r->keylen);
}

json_t *sim_glue_part_sd(const json_t *table, const char *const *vals, size_t n, int own_schema,
                         int exclude_cols, const char *location)
{
    const json_t *tsd = json_object_get(table, "StorageDescriptor");
    const json_t *keys = json_object_get(table, "PartitionKeys"), *v;
    json_t *sd = json_object();
    const char *k;
    size_t i;

    if (!sd)
        return NULL;
    json_object_foreach((json_t *)tsd, k, v)
    {
        if (strcmp(k, "Columns") == 0) {
            if (exclude_cols)
                continue;
            if (own_schema) {
                json_t *cols = json_copy((json_t *)v);

                json_array_append_new(cols,
                                      json_pack("{s:s,s:s,s:s}", "Name", "extra_col", "Type",
                                                "string", "Comment", "only in this partition"));
                json_object_set_new(sd, k, cols);
            } else {
                json_object_set(sd, k, (json_t *)v);
            }
        } else if (strcmp(k, "Location") == 0) {
            struct g2d_buf b;

            if (location) {
                json_object_set_new(sd, k, json_string(location));
                continue;
            }
            g2d_buf_init(&b, 0);
            g2d_buf_puts(&b, json_string_value(v) ? json_string_value(v) : "");
            for (i = 0; i < n; i++)
                g2d_buf_printf(&b, "%s=%s/",
                               json_string_value(json_object_get(json_array_get(keys, i), "Name")),
                               vals[i]);
            json_object_set_new(sd, k, json_string(g2d_buf_cstr(&b)));
            g2d_buf_done(&b);
        } else {
            json_object_set(sd, k, (json_t *)v);
        }
    }
    return sd;
}

json_t *sim_glue_part_json(const json_t *table, const struct sim_prec *r, const char *catalog_id,
                           int exclude_cols)
{
    const char *vals[SIM_MAX_KEYS];
    json_t *p, *sd, *a;
    size_t n, i;
    uint64_t h, ph;
    unsigned rev;
    double ct;

    if (r->textlen) {
        p = sim_prec_json(r);
        if (p && exclude_cols)
            json_object_del(json_object_get(p, "StorageDescriptor"), "Columns");
        return p;
    }
    h = key_hash(r);
    ct = json_number_value(json_object_get(table, "CreateTime")) + 60.0 + (double)(h % 5000000);
    rev = r->variant >> 1;
    n = sim_prec_values(r, vals, SIM_MAX_KEYS);
    a = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(vals[i]));
    p = json_pack("{s:o,s:O,s:O,s:f}", "Values", a, "DatabaseName",
                  json_object_get(table, "DatabaseName"), "TableName",
                  json_object_get(table, "Name"), "CreationTime", ct);
    if (!p)
        return NULL;
    sd = sim_glue_part_sd(table, vals, n, r->variant & SIM_VARIANT_OWN_SCHEMA, exclude_cols, NULL);
    json_object_set_new(p, "StorageDescriptor", sd);
    /* A revision (bulk mutation) changes the parameters, as a rewrite of the data would. */
    ph = rev ? h ^ (0x9E3779B97F4A7C15ULL * rev) : h;
    a = json_object();
    json_object_set_new(a, "numFiles", json_sprintf("%u", (unsigned)(ph % 97 + 1)));
    json_object_set_new(a, "totalSize",
                        json_sprintf("%llu", (unsigned long long)(ph % 1000000007ULL)));
    json_object_set_new(a, "transient_lastDdlTime",
                        json_sprintf("%lld", (long long)ct + 3600LL * rev));
    json_object_set_new(p, "Parameters", a);
    json_object_set_new(p, "CatalogId", json_string(catalog_id));
    return p;
}

/* No location map: the model's plain conversions. */
static const struct g2d_config dlf_from_glue_cfg;

/* The partitions of Glue table @p gt, converted, into DLF table @p dt. @return 0 or -errno. */
static int copy_parts(const char *db, const struct sim_item *gt, struct sim_item *dt)
{
    size_t nkeys = json_array_size(json_object_get(gt->obj, "PartitionKeys"));
    struct g2d_error gerr;
    struct sim_ppos pos;
    const struct sim_prec *pr;
    char err[256];
    json_t *in;
    int r;

    dt->parts = sim_parts_new();
    if (!dt->parts)
        return -ENOMEM;
    sim_parts_lower_bound(gt->parts, NULL, 0, &pos);
    for (; (pr = sim_parts_at(gt->parts, &pos)) != NULL; sim_parts_next(gt->parts, &pos)) {
        json_t *gp = sim_glue_part_json(gt->obj, pr, "", 0);
        int64_t pt = (int64_t)json_number_value(json_object_get(gp, "CreationTime"));
        char *text;

        if (!gp)
            return -ENOMEM;
        r = g2d_model_partition(&dlf_from_glue_cfg, db, gt->name, gp, &in, NULL, &gerr);
        json_decref(gp);
        if (r < 0)
            return r;
        text = sim_dlf_part_text(in, NULL, pt, nkeys, err, sizeof(err));
        json_decref(in);
        if (!text)
            return -EINVAL;
        r = sim_parts_put(dt->parts, pr->data, pr->keylen, pr->nvalues, 0, text, strlen(text), 0);
        free(text);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Glue table @p gt (and its partitions) into DLF database @p ddb. @return 0 or -errno. */
static int copy_table(struct sim_item *ddb, const char *db, const struct sim_item *gt,
                      unsigned long *ntables)
{
    int64_t tt = (int64_t)json_number_value(json_object_get(gt->obj, "CreateTime"));
    struct g2d_error gerr;
    struct sim_coll *kids;
    char id[48], err[256];
    json_t *in, *tb;
    int r;

    if (g2d_model_table(&dlf_from_glue_cfg, db, gt->obj, &in, NULL, &gerr) < 0)
        return gerr.code ? gerr.code : -EINVAL;
    snprintf(id, sizeof(id), "sim-%lu", ++*ntables);
    tb = sim_dlf_table_build(in, NULL, tt, id, err, sizeof(err));
    json_decref(in);
    kids = sim_item_kids(ddb, SIM_KID_TABLES);
    if (!tb || !kids) {
        json_decref(tb);
        return -EINVAL;
    }
    r = sim_coll_put(kids, gt->name, tb);
    if (r < 0)
        return r;
    if (!gt->parts || gt->parts->n == 0)
        return 0;
    return copy_parts(db, gt, sim_coll_find(kids, gt->name));
}

/* Glue function @p gf into DLF database @p ddb. @return 0 or -errno. */
static int copy_function(struct sim_item *ddb, const struct sim_item *gf)
{
    int64_t ft = (int64_t)json_number_value(json_object_get(gf->obj, "CreateTime"));
    struct g2d_error gerr;
    struct sim_coll *kids;
    char err[256];
    json_t *in, *fn;
    int r;

    if (g2d_model_function(&dlf_from_glue_cfg, gf->obj, &in, NULL, &gerr) < 0)
        return gerr.code ? gerr.code : -EINVAL;
    json_object_set_new(in, "CreateTime", json_integer(ft));
    fn = sim_dlf_fn_build(in, NULL, ft, err, sizeof(err));
    json_decref(in);
    kids = sim_item_kids(ddb, SIM_KID_FUNCTIONS);
    if (!fn || !kids) {
        json_decref(fn);
        return -EINVAL;
    }
    r = sim_coll_put(kids, gf->name, fn);
    return r < 0 ? r : 0;
}

int sim_gen_dlf_from_glue(struct sim_catalog *dlf, const struct sim_catalog *glue,
                          const char *created_by)
{
    unsigned long ntables = 0;
    size_t i, j;

    for (i = 0; i < glue->dbs.n; i++) {
        const struct sim_item *gdb = &glue->dbs.items[i];
        const json_t *g = gdb->obj;
        int64_t t = (int64_t)json_number_value(json_object_get(g, "CreateTime"));
        char err[256];
        json_t *in = sim_glue_db_to_dlf_input(g), *db;
        struct sim_item *ddb;
        int r;

        if (!in)
            return -ENOMEM;
        json_object_set_new(in, "CreateTime", json_integer(t));
        db = sim_dlf_db_build(in, NULL, NULL, t, created_by, err, sizeof(err));
        json_decref(in);
        if (!db)
            return -EINVAL;
        r = sim_coll_put(&dlf->dbs, gdb->name, db);
        if (r < 0)
            return r;
        ddb = sim_coll_find(&dlf->dbs, gdb->name);
        for (j = 0; j < sim_item_nkids(gdb, SIM_KID_TABLES); j++)
            if ((r = copy_table(ddb, gdb->name, &gdb->kids[SIM_KID_TABLES]->items[j], &ntables)) <
                0)
                return r;
        for (j = 0; j < sim_item_nkids(gdb, SIM_KID_FUNCTIONS); j++)
            if ((r = copy_function(ddb, &gdb->kids[SIM_KID_FUNCTIONS]->items[j])) < 0)
                return r;
    }
    return 0;
}

/* A uniform draw in [0, 1) for one partition of one table, fixed by the mutation seed. */
static double mutate_draw(uint64_t seed, uint64_t table_hash, const struct sim_prec *r)
{
    uint64_t st = seed ^ table_hash ^ key_hash(r);

    return (double)(sim_splitmix64(&st) >> 11) * 0x1.0p-53;
}

static uint64_t name_hash(const char *a, const char *b)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ULL;
    h = (h ^ '.') * 1099511628211ULL;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 1099511628211ULL;
    return h;
}

/* Keys of the partitions a mutation drops, copied (the set cannot change while walked). */
struct drop_list {
    char **key;
    size_t *len, n, cap;
};

static int drop_list_add(struct drop_list *d, const char *key, size_t len)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        char **nk = realloc(d->key, cap * sizeof(*nk));
        size_t *nl = nk ? realloc(d->len, cap * sizeof(*nl)) : NULL;

        if (nk)
            d->key = nk;
        if (!nk || !nl)
            return -ENOMEM;
        d->len = nl;
        d->cap = cap;
    }
    d->key[d->n] = malloc(len);
    if (!d->key[d->n])
        return -ENOMEM;
    memcpy(d->key[d->n], key, len);
    d->len[d->n++] = len;
    return 0;
}

static void drop_list_done(struct drop_list *d)
{
    size_t k;

    for (k = 0; k < d->n; k++)
        free(d->key[k]);
    free(d->key);
    free(d->len);
}

/* New partitions continue the generator's sequence after the highest index in use. */
static int mutate_add(struct sim_parts *p, unsigned nkeys, const struct sim_mutate *m,
                      unsigned long nadd, struct sim_mutate_counts *c)
{
    char bufs[3][32];
    const char *vals[3] = {bufs[0], bufs[1], bufs[2]};
    unsigned long i, added = 0;

    for (i = m->first_new; added < nadd; i++) {
        char key[128];
        size_t len = 0, j;

        sim_gen_part_values(i, nkeys, bufs);
        for (j = 0; j < nkeys; j++) {
            size_t l = strlen(vals[j]) + 1;

            memcpy(key + len, vals[j], l);
            len += l;
        }
        if (sim_parts_find(p, key, len))
            continue;
        if (sim_parts_put(p, key, len, nkeys, 0, NULL, 0, 1) < 0)
            return -ENOMEM;
        added++;
        c->added++;
    }
    return 0;
}

/* Mutate the partitions of one table. @return 0 or -ENOMEM. */
static int mutate_table(struct sim_item *t, uint64_t th, const struct sim_mutate *m,
                        unsigned long nadd, struct sim_mutate_counts *c)
{
    struct sim_parts *p = t->parts;
    unsigned nkeys = (unsigned)json_array_size(json_object_get(t->obj, "PartitionKeys"));
    struct drop_list d = {0};
    struct sim_ppos pos;
    struct sim_prec *r;
    size_t k;
    int ret = 0;

    sim_parts_lower_bound(p, NULL, 0, &pos);
    for (; (r = sim_parts_at(p, &pos)) != NULL; sim_parts_next(p, &pos)) {
        double u;

        if (r->textlen)
            continue; /* stored through the admin API: left alone */
        u = mutate_draw(m->seed, th, r);
        if (u < m->drop) {
            if ((ret = drop_list_add(&d, r->data, r->keylen)) < 0)
                goto out;
        } else if (u < m->drop + m->change) {
            unsigned rev = (r->variant >> 1) + 1;

            if (rev > 127)
                rev = 1;
            r->variant = (uint8_t)((rev << 1) | (r->variant & SIM_VARIANT_OWN_SCHEMA));
            c->changed++;
        }
    }
    for (k = 0; k < d.n; k++)
        if (sim_parts_remove(p, d.key[k], d.len[k]) == 0)
            c->dropped++;
    ret = mutate_add(p, nkeys, m, nadd, c);
out:
    drop_list_done(&d);
    return ret;
}

int sim_gen_mutate(struct sim_catalog *glue, const struct sim_mutate *m,
                   struct sim_mutate_counts *c)
{
    double carry = 0.0;
    size_t i, j;
    int r;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < glue->dbs.n; i++) {
        struct sim_item *db = &glue->dbs.items[i];

        for (j = 0; j < sim_item_nkids(db, SIM_KID_TABLES); j++) {
            struct sim_item *t = &db->kids[SIM_KID_TABLES]->items[j];
            unsigned long nadd;

            struct sim_ppos pos;
            const struct sim_prec *first;
            size_t nkeys = json_array_size(json_object_get(t->obj, "PartitionKeys"));

            if (!t->parts || t->parts->n == 0 || nkeys < 1 || nkeys > 3)
                continue;
            sim_parts_lower_bound(t->parts, NULL, 0, &pos);
            first = sim_parts_at(t->parts, &pos);
            if (!first || first->textlen)
                continue; /* not a generated table */
            c->tables++;
            c->before += t->parts->n;
            /* Spread the additions so that their total is round(add * all partitions). */
            carry += m->add * (double)t->parts->n;
            nadd = (unsigned long)carry;
            carry -= (double)nadd;
            r = mutate_table(t, name_hash(db->name, t->name), m, nadd, c);
            if (r < 0)
                return r;
        }
    }
    return 0;
}
