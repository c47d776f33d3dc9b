/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DOM-free partition transform, differentially against the DOM path.
 * Whenever g2d_ptrans_partition() succeeds, jansson must accept the input and
 * g2d_model_partition() + g2d_jwrite_value() + g2d_fp_partition() must give the very same
 * text, fingerprint and dropped-field bits; when it falls back, the text must be untouched.
 * A second call with the same (now used) scratch must give the same answer. Nothing may
 * crash, leak or read out of bounds, whatever the bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jwrite.h"
#include "glue2dlf/model.h"
#include "transform/ptrans.h"

static struct g2d_location_rule rules[] = {
    {"s3://a/", "oss://b/"}, {"s3://a/deep/", "oss://c/"},       {"s3://q/", "oss://\"q\"\\\t/"},
    {"s3://e/", ""},         {"s3://sim-bucket-", "oss://sim-"},
};

static int dom_path(const struct g2d_config *cfg, const char *p, size_t n, struct g2d_buf *text,
                    struct g2d_fp *fp, unsigned *dropped)
{
    json_t *gp = json_loadb(p, n, 0, NULL), *in = NULL;
    struct g2d_model_notes notes = {0};
    int r = -1;

    if (json_is_object(gp) && g2d_model_partition(cfg, "db", "t\"bl", gp, &in, &notes, NULL) == 0 &&
        g2d_fp_partition(in, fp) == 0 && g2d_jwrite_value(text, in) == 0) {
        *dropped = notes.dropped;
        r = 0;
    }
    json_decref(in);
    json_decref(gp);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct g2d_config cfg;
    struct g2d_ptrans_scratch s;
    struct g2d_ptrans_out out, out2;
    struct g2d_buf fast, fast2, dom;
    struct g2d_fp fp;
    unsigned dropped = 0;
    const char *p = (const char *)data;
    int r, r2;

    memset(&cfg, 0, sizeof(cfg));
    cfg.location_map = rules;
    cfg.nlocation_map = sizeof(rules) / sizeof(rules[0]);
    g2d_ptrans_scratch_init(&s);
    g2d_buf_init(&fast, 0);
    g2d_buf_init(&fast2, 0);
    g2d_buf_init(&dom, 0);
    g2d_buf_puts(&fast, "[");
    r = g2d_ptrans_partition(&cfg, "db", "t\"bl", p, size, &fast, &out, &s);
    r2 = g2d_ptrans_partition(&cfg, "db", "t\"bl", p, size, &fast2, &out2, &s);
    if (r < 0 || r != r2)
        abort();
    if (r == G2D_PTRANS_FALLBACK) {
        if (fast.len != 1 || fast2.len != 0)
            abort();
    } else if (r == 0) {
        if (dom_path(&cfg, p, size, &dom, &fp, &dropped) != 0)
            abort(); /* the fast path accepted what the DOM path rejects */
        if (fast.len != dom.len + 1 || memcmp(fast.data + 1, dom.data, dom.len) != 0 ||
            fast2.len != dom.len || memcmp(fast2.data, dom.data, dom.len) != 0)
            abort();
        if (memcmp(&out.fp, &fp, sizeof(fp)) != 0 || memcmp(&out2.fp, &fp, sizeof(fp)) != 0 ||
            out.dropped != dropped || out2.dropped != dropped)
            abort();
        if (out.nvalues == 0 || out.nvalues > G2D_PTRANS_MAX_VALUES)
            abort();
        for (size_t i = 0; i < out.nvalues; i++)
            if (out.val[i] < p || out.val[i] + out.vlen[i] > p + size)
                abort();
    } else {
        abort();
    }
    g2d_buf_done(&fast);
    g2d_buf_done(&fast2);
    g2d_buf_done(&dom);
    g2d_ptrans_scratch_done(&s);
    return 0;
}
