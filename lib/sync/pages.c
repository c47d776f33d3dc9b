/* SPDX-License-Identifier: MIT */
/*
 * GetPartitions pages, on libuv's thread pool. A page goes through up to four steps, so
 * that the loop thread does only what needs the snapshot and everything else runs on the
 * other cores:
 *
 *   scan       (pool)  split the page into partitions (lib/cloud/glue.c reads the answer):
 *                      the bytes, their raw fingerprint and the text of their Values;
 *   match      (loop)  look each one up: one whose bytes are exactly those seen last time
 *                      is unchanged and done here (diff.c);
 *   transform  (pool)  the others: parse, map to a DLF PartitionInput, fingerprint the
 *                      normalised form, serialise;
 *   apply      (loop)  diff against the snapshot and queue the writes (diff.c).
 *
 * The work steps touch only the job (the page, its elements, the read-only cycle config);
 * the loop never touches a job while it is queued. The cycle does not end while a job is
 * out (s->njobs), so the units a job points at stay alive. When a job is through, its
 * segment is ready for its next page (or done) and the cycle is poked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "glue2dlf/config_defaults.h"
#include "glue2dlf/encode.h"

#include "base/jwrite.h"
#include "cloud/check.h"
#include "sync/engine.h"
#include "transform/ptrans.h"

enum pjob_step { PJ_SCAN, PJ_TRANSFORM };

struct pjob {
    uv_work_t w;
    struct g2d_sync *s;
    struct segment *seg;
    enum pjob_step step;
    /* inputs, read-only while queued */
    const struct g2d_config *cfg;
    const char *db, *tbl;
    uint64_t seed;
    char *body;
    size_t len;
    /* outputs */
    int rc; /* 0, or <0: the page is malformed (-EPROTO, see msg) or out of memory */
    char msg[200];
    char *next; /* the page's NextToken, NULL at the end */
    struct pel *el;
    size_t nel, cap;
    unsigned dropped;
};

/*
 * 64 bits of XXH3 of a Glue partition's bytes exactly as they came, seeded with the
 * settings of the transform (the location map), so that a changed transform makes every
 * raw fingerprint differ and each partition is mapped again. Never 0. It only has to tell
 * "the very bytes seen last time" apart from anything else, so a fast non-cryptographic
 * hash does (a tenth of the cost of SHA-256 on a 1.6 KB partition).
 */
static uint64_t raw_fp(uint64_t seed, const char *p, size_t n)
{
    uint64_t v = XXH3_64bits_withSeed(p, n, seed);

    return v ? v : 1;
}

void pages_seed(struct g2d_sync *s)
{
    const struct g2d_config *cfg = s->cycle_cfg;
    uint8_t md[32];
    struct g2d_buf b;
    size_t i;

    g2d_buf_init(&b, 0);
    g2d_buf_puts(&b, "glue2dlf-transform-1");
    for (i = 0; i < cfg->nlocation_map; i++)
        g2d_buf_printf(&b, "%c%s%c%s", 0x1f, cfg->location_map[i].from, 0x1e,
                       cfg->location_map[i].to);
    g2d_sha256(b.data ? b.data : "", b.len, md);
    g2d_buf_done(&b);
    memcpy(&s->transform_seed, md, sizeof(s->transform_seed));
}

static void pjob_free(struct pjob *j)
{
    size_t i;

    if (!j)
        return;
    for (i = 0; i < j->nel; i++) {
        json_decref(j->el[i].values);
        free(j->el[i].text);
        free(j->el[i].err);
    }
    free(j->el);
    free(j->body);
    free(j->next);
    free(j);
}

static int scan_elem(const struct g2d_check_elem *el, void *arg)
{
    struct pjob *j = arg;
    struct pel *e;

    if (j->nel == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 1024;
        struct pel *a = realloc(j->el, cap * sizeof(*a));

        if (!a)
            return -ENOMEM;
        j->el = a;
        j->cap = cap;
    }
    e = &j->el[j->nel++];
    memset(e, 0, sizeof(*e));
    e->p = el->p;
    e->n = el->n;
    e->raw = raw_fp(j->seed, el->p, el->n);
    e->vt = el->key; /* the checker found Values already: no second scan */
    e->vl = el->keyn;
    return 0;
}

static void pjob_scan(struct pjob *j)
{
    j->rc =
        g2d_glue_partitions_page(j->body, j->len, scan_elem, j, &j->next, j->msg, sizeof(j->msg));
    if (j->rc == -ENOMEM)
        snprintf(j->msg, sizeof(j->msg), "out of memory");
}

static char *strdup_or(const char *msg, const char *dflt)
{
    return strdup(msg && *msg ? msg : dflt);
}

/*
 * The streaming transform (lib/transform/ptrans.c): straight from the bytes to the
 * PartitionInput text and fingerprint, identical to the DOM path's. @return 0 done, 1 use
 * the DOM path.
 */
static int transform_fast(struct pjob *j, struct pel *e, struct g2d_ptrans_scratch *scratch)
{
    struct g2d_ptrans_out out;
    struct g2d_buf b;
    size_t k;
    int r;

    g2d_buf_init(&b, 0);
    r = g2d_ptrans_partition(j->cfg, j->db, j->tbl, e->p, e->n, &b, &out, scratch);
    if (r != 0) {
        g2d_buf_done(&b);
        return 1; /* out of the fast subset, or out of memory: the DOM path decides */
    }
    e->values = json_array();
    for (k = 0; e->values && k < out.nvalues; k++) {
        if (json_array_append_new(e->values, json_stringn(out.val[k], out.vlen[k]))) {
            json_decref(e->values);
            e->values = NULL;
        }
    }
    e->text = e->values ? g2d_buf_steal(&b) : NULL;
    g2d_buf_done(&b);
    if (!e->text) {
        json_decref(e->values);
        e->values = NULL;
        return 1;
    }
    e->fp = out.fp;
    j->dropped |= out.dropped;
    return 0;
}

/* The DOM path for one partition. @return 0, or -EPROTO when jansson refuses its bytes. */
static int transform_dom(struct pjob *j, struct pel *e)
{
    struct g2d_model_notes notes = {0};
    struct g2d_error err = {0};
    json_t *gp = json_loadb(e->p, e->n, 0, NULL), *input = NULL, *values;
    struct g2d_buf b;

    if (!json_is_object(gp)) {
        json_decref(gp);
        return -EPROTO; /* well formed to the scanner, but not to jansson */
    }
    values = json_object_get(gp, "Values");
    e->values = json_is_array(values) ? json_incref(values) : NULL;
    if (g2d_model_partition(j->cfg, j->db, j->tbl, gp, &input, &notes, &err) < 0) {
        e->err = strdup_or(err.msg, "invalid partition");
    } else if (json_array_size(values) > MAX_KEYS) {
        e->err = strdup_or(NULL, "too many partition values");
    } else if (g2d_fp_partition(input, &e->fp) < 0) {
        e->err = strdup_or(NULL, "out of memory");
    } else {
        g2d_buf_init(&b, 0);
        if (g2d_jwrite_value(&b, input) < 0) {
            g2d_buf_done(&b);
            e->err = strdup_or(NULL, "out of memory");
        } else if (!(e->text = g2d_buf_steal(&b))) {
            e->err = strdup_or(NULL, "out of memory");
        }
        j->dropped |= notes.dropped;
    }
    json_decref(input);
    json_decref(gp);
    return 0;
}

static void pjob_transform(struct pjob *j)
{
    struct g2d_ptrans_scratch scratch;
    size_t i;

    g2d_ptrans_scratch_init(&scratch);
    for (i = 0; i < j->nel && j->rc == 0; i++) {
        struct pel *e = &j->el[i];

        if (!e->todo || transform_fast(j, e, &scratch) == 0)
            continue;
        if (transform_dom(j, e) < 0) {
            j->rc = -EPROTO;
            snprintf(j->msg, sizeof(j->msg), "GetPartitions: Partitions[%zu] is not an object", i);
        }
    }
    g2d_ptrans_scratch_done(&scratch);
}

static void pjob_work(uv_work_t *w)
{
    struct pjob *j = w->data;

    if (j->step == PJ_SCAN)
        pjob_scan(j);
    else
        pjob_transform(j);
}

static void pjob_after(uv_work_t *w, int status);

static int pjob_queue(struct pjob *j, enum pjob_step step)
{
    j->step = step;
    j->w.data = j;
    if (uv_queue_work(j->s->loop, &j->w, pjob_work, pjob_after) < 0)
        return -ENOMEM;
    j->s->njobs++;
    return 0;
}

/* The segment's listing failed: extract reports it for the table on its next look. */
static void seg_failed(struct segment *seg, const char *what)
{
    seg->state = SEG_DONE;
    if (!seg->error)
        seg->error = strdup(what); /* NULL on ENOMEM: the table still fails, with a
                                      generic message */
    seg->failed = true;
}

/* The page is through: the segment waits for its next page, or is done. */
static void page_end(struct pjob *j)
{
    struct segment *seg = j->seg;

    switch (listing_advance(&seg->l, j->next)) {
    case LISTING_MORE:
        seg->state = SEG_READY;
        break;
    case LISTING_DONE:
        seg->state = SEG_DONE;
        break;
    case LISTING_ENDLESS:
        seg_failed(seg, "listing Glue partitions failed: GetPartitions repeated its NextToken "
                        "or never ended");
        break;
    case LISTING_NOMEM:
        seg_failed(seg, "listing Glue partitions failed: out of memory");
        break;
    }
}

/* A malformed page is asked for again, like a 5xx, until the attempts are spent. */
static void page_malformed(struct g2d_sync *s, struct pjob *j)
{
    struct segment *seg = j->seg;
    unsigned attempts =
        s->cycle_cfg->max_attempts ? s->cycle_cfg->max_attempts : G2D_DEFAULT_MAX_ATTEMPTS;
    char what[300];

    if (j->rc != -ENOMEM && ++seg->bad_pages < attempts) {
        seg->state = SEG_READY; /* the same token again */
        return;
    }
    snprintf(what, sizeof(what), "listing Glue partitions failed: %s", j->msg);
    seg_failed(seg, what);
}

static void pjob_after(uv_work_t *w, int status)
{
    struct pjob *j = w->data;
    struct g2d_sync *s = j->s;
    struct segment *seg = j->seg;
    struct tunit *tu = seg->tu;

    s->njobs--;
    sync_poke(s);
    if (status < 0 || s->cancelling || tu->failed) {
        seg->state = SEG_DONE;
    } else if (j->rc < 0) {
        page_malformed(s, j);
    } else if (tu->probe) {
        tu->parts_seen += j->nel; /* counted only: the table is dropped before they go out */
        seg->bad_pages = 0;
        page_end(j);
    } else if (j->step == PJ_SCAN && diff_page_match(s, tu, j->el, j->nel) > 0) {
        if (pjob_queue(j, PJ_TRANSFORM) == 0)
            return;
        seg_failed(seg, "listing Glue partitions failed: out of memory");
    } else {
        if (j->step == PJ_TRANSFORM) {
            s->cur.dropped_fields |= j->dropped;
            diff_page_apply(s, tu, j->el, j->nel);
        }
        seg->bad_pages = 0;
        page_end(j);
    }
    pjob_free(j);
}

int pages_submit(struct g2d_sync *s, struct segment *seg, const struct g2d_api_result *res)
{
    struct pjob *j = calloc(1, sizeof(*j));

    if (j) {
        j->s = s;
        j->seg = seg;
        j->cfg = s->cycle_cfg;
        j->db = seg->tu->db->name;
        j->tbl = seg->tu->name;
        j->seed = s->transform_seed;
        j->len = res->body_len;
        j->body = g2d_buf_steal(res->body_buf); /* the page is ours now: no copy */
    }
    if (!j || !j->body || pjob_queue(j, PJ_SCAN) < 0) {
        pjob_free(j);
        return -ENOMEM;
    }
    seg->state = SEG_PROCESSING;
    return 0;
}
