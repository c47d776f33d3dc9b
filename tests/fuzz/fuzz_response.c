/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: everything glue2dlf does with a response body from Glue or DLF.
 *  - both clouds' error classifiers, with the input as the body and every status class;
 *  - the input parsed as JSON (with jansson's limits) and fed, as a Glue object, to every
 *    transform (database, table, partition, function) and, as a DLF object, to every
 *    fingerprint; and as a list page (DatabaseList, TableList, Partitions, ...).
 * Nothing may crash, leak or read out of bounds, whatever the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cloud/cloud.h"
#include "glue2dlf/model.h"

static struct g2d_location_rule rules[] = {{"s3://a/", "oss://b/"}, {"s3://a/deep/", "oss://c/"}};

static void objects(const struct g2d_config *cfg, json_t *o)
{
    json_t *out = NULL;
    struct g2d_model_notes notes = {0};
    struct g2d_fp fp;

    if (g2d_model_database(cfg, o, &out, NULL) == 0) {
        (void)g2d_fp_database(out, &fp);
        json_decref(out);
    }
    out = NULL;
    if (g2d_model_table(cfg, "db", o, &out, &notes, NULL) == 0) {
        (void)g2d_fp_table(out, &fp);
        json_decref(out);
    }
    out = NULL;
    if (g2d_model_partition(cfg, "db", "t", o, &out, &notes, NULL) == 0) {
        (void)g2d_fp_partition(out, &fp);
        json_decref(out);
    }
    out = NULL;
    if (g2d_model_function(cfg, o, &out, &notes, NULL) == 0) {
        (void)g2d_fp_function(out, &fp);
        json_decref(out);
    }
    (void)g2d_fp_database(o, &fp);
    (void)g2d_fp_table(o, &fp);
    (void)g2d_fp_partition(o, &fp);
    (void)g2d_fp_function(o, &fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {200, 400, 403, 404, 429, 500, 503};
    static const char *const lists[] = {
        "DatabaseList", "TableList", "Partitions", "UserDefinedFunctions",
        "Databases",    "Tables",    "Functions",  NULL};
    struct g2d_config cfg = {0};
    char *body = malloc(size + 1);
    json_t *j, *v;
    size_t i, k;

    if (!body)
        return 0;
    memcpy(body, data, size);
    body[size] = '\0';
    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        struct g2d_http_response r;

        memset(&r, 0, sizeof(r));
        r.status = statuses[i];
        r.body = body;
        r.body_len = size;
        r.request_id = "";
        r.retry_after = i == 4 ? "1000" : "";
        (void)g2d_glue_classify(&r, NULL);
        memset(r.error_code, 0, sizeof(r.error_code));
        (void)g2d_dlf_classify(&r, NULL);
    }
    cfg.location_map = rules;
    cfg.nlocation_map = 2;
    j = json_loadb(body, size, 0, NULL);
    if (j) {
        objects(&cfg, j);
        for (k = 0; lists[k]; k++)
            json_array_foreach(json_object_get(j, lists[k]), i, v) objects(&cfg, v);
        json_decref(j);
    }
    if (size < 4096) {
        json_t *a = g2d_decode_skewed_value(body);

        json_decref(a);
    }
    free(body);
    return 0;
}
