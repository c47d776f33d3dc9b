/* SPDX-License-Identifier: MIT */
/*
 * Microbenchmark of the per-partition stages of a first sync, on one representative Glue
 * partition (2 keys, 12 columns, Parquet SerDe, 3 parameters): parse, transform,
 * fingerprint, serialise for the batch body. Prints ns per stage, then the DOM path against
 * the DOM-free fast path (lib/ptrans.c: text and normalised fingerprint in one pass) in µs per
 * partition. Not a test.
 *   build/tests/micro_partition [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bench_shape.h"

#include "glue2dlf/jscan.h"
#include "base/jwrite.h"
#include "glue2dlf/model.h"
#include "transform/ptrans.h"

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static char *make_partition(void)
{
    return bench_partition_json(JSON_COMPACT);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000, i;
    struct g2d_location_rule rule = {"s3://bucket/", "oss://bucket/"};
    struct g2d_config cfg = {0};
    char *text = make_partition();
    size_t len = strlen(text);
    double t0, t[5] = {0}, fast = 0, fast_reuse = 0, dom;
    struct g2d_fp fp;
    struct g2d_ptrans_scratch scratch;
    struct g2d_ptrans_out pout;
    struct g2d_buf reuse;
    int same;

    cfg.location_map = &rule;
    cfg.nlocation_map = 1;
    for (i = 0; i < n; i++) {
        json_t *gp, *in = NULL;
        char *out;
        const char *v;
        size_t vl;

        t0 = now_ns();
        (void)g2d_jscan_member(text, len, "Values", &v, &vl);
        t[0] += now_ns() - t0;
        t0 = now_ns();
        gp = json_loadb(text, len, 0, NULL);
        t[1] += now_ns() - t0;
        t0 = now_ns();
        g2d_model_partition(&cfg, "sales", "orders", gp, &in, NULL, NULL);
        t[2] += now_ns() - t0;
        t0 = now_ns();
        g2d_fp_partition(in, &fp);
        t[3] += now_ns() - t0;
        t0 = now_ns();
        {
            /* as the daemon serialises a PartitionInput for a batch body */
            struct g2d_buf b;

            g2d_buf_init(&b, 0);
            g2d_jwrite_value(&b, in);
            out = g2d_buf_steal(&b);
            free(out);
        }
        json_decref(in);
        json_decref(gp);
        t[4] += now_ns() - t0;
    }
    /* The fast path, as the daemon would use it: one scratch per thread. */
    g2d_ptrans_scratch_init(&scratch);
    g2d_buf_init(&reuse, 0);
    {
        /* Check once that both paths agree on this shape. */
        json_t *gp = json_loadb(text, len, 0, NULL), *in = NULL;
        struct g2d_buf b;

        g2d_buf_init(&b, 0);
        g2d_model_partition(&cfg, "sales", "orders", gp, &in, NULL, NULL);
        g2d_fp_partition(in, &fp);
        g2d_jwrite_value(&b, in);
        same = g2d_ptrans_partition(&cfg, "sales", "orders", text, len, &reuse, &pout, &scratch) ==
                   0 &&
               reuse.len == b.len && memcmp(reuse.data, b.data, b.len) == 0 &&
               memcmp(&pout.fp, &fp, sizeof(fp)) == 0;
        g2d_buf_done(&b);
        json_decref(in);
        json_decref(gp);
    }
    for (i = 0; i < n; i++) {
        struct g2d_buf b;

        /* text into a fresh buffer handed over as a string, as the write stage above */
        t0 = now_ns();
        g2d_buf_init(&b, 0);
        g2d_ptrans_partition(&cfg, "sales", "orders", text, len, &b, &pout, &scratch);
        free(g2d_buf_steal(&b));
        fast += now_ns() - t0;
        /* text appended to a reused buffer (a batch body) */
        t0 = now_ns();
        g2d_buf_reset(&reuse);
        g2d_ptrans_partition(&cfg, "sales", "orders", text, len, &reuse, &pout, &scratch);
        fast_reuse += now_ns() - t0;
    }
    g2d_buf_done(&reuse);
    g2d_ptrans_scratch_done(&scratch);
    dom = t[1] + t[2] + t[3] + t[4];
    printf("partition of %zu bytes, %d iterations (ns per partition):\n", len, n);
    printf("  scan Values  %8.0f\n  parse        %8.0f\n  transform    %8.0f\n"
           "  fingerprint  %8.0f\n  write+free   %8.0f\n",
           t[0] / n, t[1] / n, t[2] / n, t[3] / n, t[4] / n);
    printf("per partition, text + normalised fingerprint (µs):\n"
           "  DOM path (parse+transform+fingerprint+write)  %6.2f\n"
           "  fast path (ptrans, text as a new string)      %6.2f\n"
           "  fast path (ptrans, text appended to a buffer) %6.2f\n"
           "  identical text and fingerprint: %s\n",
           dom / n / 1e3, fast / n / 1e3, fast_reuse / n / 1e3, same ? "yes" : "NO");
    free(text);
    return same ? 0 : 1;
}
