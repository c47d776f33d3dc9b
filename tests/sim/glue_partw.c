/* SPDX-License-Identifier: MIT */
/*
 * Glue single-partition writes and the batch read: CreatePartition, UpdatePartition,
 * DeletePartition, BatchGetPartition (glue-api.md §1.2; errors §2.2). Partitions written
 * here are stored as the compact text of the Glue Partition, like BatchCreatePartition's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue_ops.h"

/* A list of strings as a partition key (*n, *len set), or NULL (not a list of strings). */
static char *glue_values_key(const json_t *vals, size_t *n, size_t *len)
{
    const char *v[SIM_MAX_KEYS];

    if (sim_values_get(vals, v, SIM_MAX_KEYS, n) < 0)
        return NULL;
    return sim_pkey_make(v, *n, len);
}

/* The key of list member @p member of @p in, or NULL answered InvalidInputException. */
static char *member_key(struct sim_req *rq, const json_t *in, const char *member, size_t *n,
                        size_t *len, struct sim_resp *rs)
{
    char msg[128], *key = glue_values_key(json_object_get(in, member), n, len);

    if (!key) {
        snprintf(msg, sizeof(msg), "%s must be a list of at most %d strings", member, SIM_MAX_KEYS);
        sg_invalid(rq, rs, msg);
    }
    return key;
}

static size_t nkeys_of(const struct sim_item *t)
{
    return json_array_size(json_object_get(t->obj, "PartitionKeys"));
}

/* Glue's partitions-per-table quota (--glue-max-partitions, default Glue's 10,000,000). */
static int quota_ok(struct sim_req *rq, const struct sim_item *t, struct sim_resp *rs)
{
    if (!t->parts || t->parts->n < rq->sim->cfg.glue_max_parts)
        return 1;
    sim_glue_error(rs, rq, 400, "ResourceNumberLimitExceededException",
                   "Number of partitions in table %s exceeds the limit of %lu.", t->name,
                   rq->sim->cfg.glue_max_parts);
    return 0;
}

/*
 * Store the Partition built from @p pi under its Values (@p old_time >= 0: the CreationTime
 * to keep). @return 0, or -1 with the error answered.
 */
static int put_part(struct sim_req *rq, struct sim_item *db, struct sim_item *t, const json_t *pi,
                    double old_time, struct sim_resp *rs)
{
    char err[512], *text, *key;
    size_t n, klen;
    json_t *p = sim_glue_part_build(pi, db->name, t->name, nkeys_of(t), (double)time(NULL), 0,
                                    rq->sim->glue_catalog, err, sizeof(err));
    int r;

    if (!p) {
        sg_invalid(rq, rs, err);
        return -1;
    }
    if (old_time >= 0)
        json_object_set_new(p, "CreationTime", json_real(old_time));
    key = glue_values_key(json_object_get(pi, "Values"), &n, &klen);
    text = key ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (!t->parts)
        t->parts = sim_parts_new();
    r = text && t->parts ? sim_parts_put(t->parts, key, klen, (unsigned)n, 0, text, strlen(text), 0)
                         : -ENOMEM;
    free(text);
    free(key);
    if (r < 0) {
        sg_internal(rq, rs);
        return -1;
    }
    return 0;
}

void sg_create_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *pi = json_object_get(in, "PartitionInput");
    struct sim_item *db, *t;
    size_t n, len;
    char *key;

    if (!(t = sg_db_table(rq, in, rs, &db)))
        return;
    if (!json_is_object(pi)) {
        sg_invalid(rq, rs, "PartitionInput is required");
        return;
    }
    if (!(key = member_key(rq, pi, "Values", &n, &len, rs)))
        return;
    if (t->parts && sim_parts_find(t->parts, key, len))
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Partition already exists.");
    else if (quota_ok(rq, t, rs) && put_part(rq, db, t, pi, -1, rs) == 0)
        sg_ok(rs, NULL);
    free(key);
}

/* The CreationTime of record @p r (stored or generated), or -1. */
static double creation_time(struct sim_req *rq, const struct sim_item *t, const struct sim_prec *r)
{
    json_t *p = sim_glue_part_json(t->obj, r, rq->sim->glue_catalog, 0);
    const json_t *v = json_object_get(p, "CreationTime");
    double d = json_is_number(v) ? json_number_value(v) : -1;

    json_decref(p);
    return d;
}

/*
 * UpdatePartition: PartitionValueList names the partition, PartitionInput replaces it
 * (CreationTime kept); new Values move it, refused when the target exists (the stricter
 * reading: Glue does not document that case).
 */
void sg_update_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *pi = json_object_get(in, "PartitionInput");
    const struct sim_prec *r;
    struct sim_item *db, *t;
    size_t n, len, nn, nlen;
    char *key, *nkey = NULL;
    double ct;

    if (!(t = sg_db_table(rq, in, rs, &db)) ||
        !(key = member_key(rq, in, "PartitionValueList", &n, &len, rs)))
        return;
    if (!json_is_object(pi)) {
        sg_invalid(rq, rs, "PartitionInput is required");
        goto out;
    }
    if (!(nkey = member_key(rq, pi, "Values", &nn, &nlen, rs)))
        goto out;
    r = t->parts ? sim_parts_find(t->parts, key, len) : NULL;
    if (!r) {
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Partition not found.");
        goto out;
    }
    if ((nlen != len || memcmp(nkey, key, len) != 0) && sim_parts_find(t->parts, nkey, nlen)) {
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Partition already exists.");
        goto out;
    }
    ct = creation_time(rq, t, r);
    if (put_part(rq, db, t, pi, ct, rs) < 0)
        goto out;
    if (nlen != len || memcmp(nkey, key, len) != 0)
        sim_parts_remove(t->parts, key, len);
    sg_ok(rs, NULL);
out:
    free(key);
    free(nkey);
}

void sg_delete_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *t;
    size_t n, len;
    char *key;

    if (!(t = sg_db_table(rq, in, rs, NULL)) ||
        !(key = member_key(rq, in, "PartitionValues", &n, &len, rs)))
        return;
    if (!t->parts || sim_parts_remove(t->parts, key, len) < 0)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Partition not found.");
    else
        sg_ok(rs, NULL);
    free(key);
}

/*
 * BatchGetPartition: PartitionsToGet 0..1000 entries {"Values":[...]}; the found ones in
 * Partitions (request order), the missing ones silently absent, UnprocessedKeys always [].
 */
void sg_batch_get_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list = json_object_get(in, "PartitionsToGet"), *e;
    struct sim_item *t;
    json_t *out;
    size_t i;

    if (!(t = sg_db_table(rq, in, rs, NULL)))
        return;
    if (!json_is_array(list) || json_array_size(list) > 1000) {
        sg_invalid(rq, rs, "PartitionsToGet must be a list of at most 1000 entries");
        return;
    }
    json_array_foreach(list, i, e)
    {
        size_t n, len;
        char *key =
            json_is_object(e) ? glue_values_key(json_object_get(e, "Values"), &n, &len) : NULL;

        if (!key) {
            sg_invalid(rq, rs, "PartitionsToGet entries must be {\"Values\":[string,...]}");
            return;
        }
        free(key);
    }
    out = json_array();
    json_array_foreach(list, i, e)
    {
        size_t n, len;
        char *key = glue_values_key(json_object_get(e, "Values"), &n, &len);
        const struct sim_prec *r = t->parts ? sim_parts_find(t->parts, key, len) : NULL;
        json_t *p = r ? sim_glue_part_json(t->obj, r, rq->sim->glue_catalog, 0) : NULL;

        free(key);
        if (r && (!p || json_array_append_new(out, p) < 0)) {
            json_decref(out);
            sg_internal(rq, rs);
            return;
        }
    }
    sg_ok(rs, json_pack("{s:o,s:[]}", "Partitions", out, "UnprocessedKeys"));
}
