/* SPDX-License-Identifier: MIT */
/*
 * Deterministic catalog generator: the same --seed and sizes give byte-identical catalogs,
 * independent of the C library's rand(). Later sessions add tables, partitions and
 * functions here (one splitmix64 stream per database, so sizes of one level do not shift
 * the content of another).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int sim_gen_glue(struct sim_catalog *glue, const struct sim_gen_opts *o)
{
    uint64_t st = o->seed;
    double base = 1600000000.0 + (double)(sim_splitmix64(&st) % 100000000ULL);
    unsigned i;

    for (i = 0; i < o->databases; i++) {
        char err[256];
        json_t *in = gen_db_input(o->seed, i), *db;
        int r;

        if (!in)
            return -ENOMEM;
        db = sim_glue_db_build(in, NULL, NULL, base + 37.0 * i, 0, o->catalog_id, err, sizeof(err));
        json_decref(in);
        if (!db)
            return -EINVAL;
        r = sim_coll_put(&glue->dbs, json_string_value(json_object_get(db, "Name")), db);
        if (r < 0)
            return r;
    }
    return 0;
}

int sim_gen_dlf_from_glue(struct sim_catalog *dlf, const struct sim_catalog *glue,
                          const char *created_by)
{
    size_t i;

    for (i = 0; i < glue->dbs.n; i++) {
        const json_t *g = glue->dbs.items[i].obj;
        int64_t t = (int64_t)json_number_value(json_object_get(g, "CreateTime"));
        char err[256];
        json_t *in = sim_glue_db_to_dlf_input(g), *db;
        int r;

        if (!in)
            return -ENOMEM;
        json_object_set_new(in, "CreateTime", json_integer(t));
        db = sim_dlf_db_build(in, NULL, NULL, t, created_by, err, sizeof(err));
        json_decref(in);
        if (!db)
            return -EINVAL;
        r = sim_coll_put(&dlf->dbs, glue->dbs.items[i].name, db);
        if (r < 0)
            return r;
    }
    return 0;
}
