/* SPDX-License-Identifier: MIT */
/*
 * DLF partition reads and renames beside the batch writes (dlf-api.md §2.3):
 * BatchGetPartitions (PartitionValueList of {"Values":[...]}; the found partitions in
 * request order in Partitions, each missing one a PartitionErrors entry NoSuchObject —
 * DLF's counterpart of Glue's UnprocessedKeys, but the simulator reports every miss, the
 * stricter reading) and RenamePartition (PartitionValues names it, PartitionInput with the
 * new Values replaces it, CreateTime kept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlf_ops.h"

/* The key of a list of strings (*n, *len set), or NULL. */
static char *vkey(const json_t *vals, size_t *n, size_t *len)
{
    const char *v[SIM_MAX_KEYS];

    if (sim_values_get(vals, v, SIM_MAX_KEYS, n) < 0)
        return NULL;
    return sim_pkey_make(v, *n, len);
}

static void perr(json_t *errs, const json_t *vals, const char *code, const char *msg)
{
    json_array_append_new(errs, json_pack("{s:o,s:{s:s,s:s}}", "PartitionValues",
                                          json_is_array(vals) ? json_deep_copy(vals) : json_array(),
                                          "ErrorDetail", "Code", code, "Message", msg));
}

void sd_batch_get_partitions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *list = json_object_get(in, "PartitionValueList"), *e;
    struct sim_item *t;
    json_t *parts, *errs;
    size_t i;

    if (!(t = sd_db_table(rq, in, "NoSuchObject", 404, rs)))
        return;
    if (sd_body_bool(in, "IsShareSd")) {
        sim_dlf_error(rs, rq, 400, "InvalidInput",
                      "IsShareSd=true is not supported by the simulator; send false.");
        return;
    }
    if (!json_is_array(list) || json_array_size(list) > rq->sim->cfg.dlf_batch_cap) {
        sim_dlf_error(rs, rq, 400, "InvalidInput",
                      "PartitionValueList must be a list of at most %u entries.",
                      rq->sim->cfg.dlf_batch_cap);
        return;
    }
    parts = json_array();
    errs = json_array();
    json_array_foreach(list, i, e)
    {
        const json_t *vals = json_object_get(e, "Values");
        size_t n, len;
        char *key = json_is_object(e) ? vkey(vals, &n, &len) : NULL;
        const struct sim_prec *r = key && t->parts ? sim_parts_find(t->parts, key, len) : NULL;

        if (!key)
            perr(errs, vals, "InvalidInput", "Values must be a list of strings.");
        else if (!r)
            perr(errs, vals, "NoSuchObject", "Partition not found.");
        else
            json_array_append_new(parts, sim_prec_json(r));
        free(key);
    }
    sd_ok(rq, rs,
          json_pack("{s:o,s:[],s:o}", "Partitions", parts, "PartitionSpecs", "PartitionErrors",
                    errs));
}

/* What a rename checks before it writes. @return 0 or -1 answered. */
static int rename_check(struct sim_req *rq, const struct sim_item *t, const json_t *pi,
                        const char *key, size_t len, const char *nkey, size_t nn, size_t nlen,
                        struct sim_resp *rs)
{
    size_t nkeys = json_array_size(json_object_get(t->obj, "PartitionKeys"));

    if (!t->parts || !sim_parts_find(t->parts, key, len)) {
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Partition not found.");
        return -1;
    }
    if (nn != nkeys) {
        sim_dlf_error(rs, rq, 400, "InvalidObject",
                      "The number of partition values (%zu) does not match the number of "
                      "partition keys (%zu).",
                      nn, nkeys);
        return -1;
    }
    if ((nlen != len || memcmp(nkey, key, len) != 0) && sim_parts_find(t->parts, nkey, nlen)) {
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Partition already exists.");
        return -1;
    }
    return 0;
}

void sd_rename_partition(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *pi = json_object_get(in, "PartitionInput");
    struct sim_item *t;
    size_t n, len, nn, nlen, nkeys;
    char *key = NULL, *nkey = NULL, *text, err[512];
    json_t *old;

    if (!(t = sd_db_table(rq, in, "NoSuchObject", 404, rs)))
        return;
    key = vkey(json_object_get(in, "PartitionValues"), &n, &len);
    nkey = json_is_object(pi) ? vkey(json_object_get(pi, "Values"), &nn, &nlen) : NULL;
    if (!key || !nkey) {
        sim_dlf_error(rs, rq, 400, "InvalidInput",
                      "PartitionValues and PartitionInput.Values must be lists of strings.");
        goto out;
    }
    if (sim_dlf_input_check(pi, 1, err, sizeof(err)) < 0) {
        sim_dlf_error(rs, rq, 400, "InvalidParameter", "%s", err);
        goto out;
    }
    if (rename_check(rq, t, pi, key, len, nkey, nn, nlen, rs) < 0)
        goto out;
    nkeys = json_array_size(json_object_get(t->obj, "PartitionKeys"));
    old = sim_prec_json(sim_parts_find(t->parts, key, len));
    text = sim_dlf_part_text(pi, old, (int64_t)time(NULL), nkeys, err, sizeof(err));
    json_decref(old);
    if (!text) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        goto out;
    }
    sim_parts_remove(t->parts, key, len);
    if (sim_parts_put(t->parts, nkey, nlen, (unsigned)nn, 0, text, strlen(text), 0) < 0)
        sd_nomem(rq, rs);
    else
        sd_ok(rq, rs, NULL);
    free(text);
out:
    free(key);
    free(nkey);
}
