/* SPDX-License-Identifier: MIT */
/*
 * The snapshot on disk, so that a restart costs what an unchanged cycle costs instead of
 * a listing of all of DLF. Written atomically (a temporary file beside it, fsync, rename,
 * fsync of the directory), versioned, and checksummed (XXH3-64 of every byte before the
 * trailer); read back with every length bounded, so that a truncated, corrupt or foreign
 * file is refused, never half-believed.
 *
 *   header   "G2DCKPT\0" | version u32 | 0 u32 | scope u64 | built_ms i64 | written_ms i64
 *            | entries u64
 *   entry    type u8 | key: len u16, bytes | fp 16 bytes | has_meta u8
 *   meta     nkeys u8 | (name: len u16, bytes | type: len u16, bytes) * nkeys
 *            | parts_loaded u8 | nparts u32
 *            | (nvalues u8 | (len u16, bytes) * nvalues | fp 16 | raw u64) * nparts
 *   held     (version 2) count u32 | (id u64 | type u8 | state u8 | reason u8 | missing u32
 *            | first_cycle u64 | last_cycle u64 | first_ms i64 | last_ms i64
 *            | name: len u16, bytes) * count
 *   trailer  XXH3-64 u64
 *
 * All integers little-endian. Flags of the current cycle (seen and visited marks) are not
 * written. Version 1 (no held section) still loads, with an empty registry; what is
 * written is always version 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "glue2dlf/sync.h"

#include "state/checkpoint.h"

#define MAGIC "G2DCKPT"
#define VERSION 2u
#define VERSION_NO_HELD 1u
#define MAX_KEY 65535u

/* ---- writing ------------------------------------------------------------------------- */

struct wr {
    FILE *f;
    XXH3_state_t *h;
    int err;
};

static void put(struct wr *w, const void *p, size_t n)
{
    if (w->err)
        return;
    if (fwrite(p, 1, n, w->f) != n)
        w->err = -errno ? -errno : -EIO;
    else
        XXH3_64bits_update(w->h, p, n);
}

static void put_u8(struct wr *w, unsigned v)
{
    uint8_t b = (uint8_t)v;

    put(w, &b, 1);
}

static void put_le(struct wr *w, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    unsigned i;

    for (i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, bytes);
}

static void put_str(struct wr *w, const char *s, size_t n)
{
    if (n > MAX_KEY) {
        w->err = -E2BIG;
        return;
    }
    put_le(w, n, 2);
    put(w, s, n);
}

static void put_meta(struct wr *w, struct g2d_tmeta *m)
{
    struct g2d_pentry *pe;
    uint32_t pos = 0;
    size_t i;

    put_u8(w, (unsigned)m->nkeys);
    for (i = 0; i < m->nkeys; i++) {
        put_str(w, m->keys[i], strlen(m->keys[i]));
        put_str(w, m->types[i], strlen(m->types[i]));
    }
    put_u8(w, m->parts_loaded);
    put_le(w, m->parts.used, 4);
    while ((pe = g2d_pset_next(&m->parts, &pos))) {
        const char *vals[G2D_CKPT_MAX_VALUES];
        size_t lens[G2D_CKPT_MAX_VALUES];
        size_t nv = g2d_pset_values(&m->parts, pe, vals, lens, G2D_CKPT_MAX_VALUES);

        put_u8(w, (unsigned)nv);
        for (i = 0; i < nv; i++)
            put_str(w, vals[i], lens[i]);
        put(w, &pe->fp, sizeof(pe->fp));
        put_le(w, pe->raw, 8);
    }
}

static int sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd, r = 0;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        r = -errno;
    close(fd);
    return r;
}

static void put_entries(struct wr *w, struct g2d_snapshot *snap)
{
    struct g2d_snap_entry *e;
    size_t pos = 0;

    while (!w->err && (e = g2d_snapshot_next(snap, &pos))) {
        put_u8(w, e->type);
        put_str(w, e->key, strlen(e->key));
        put(w, &e->fp, sizeof(e->fp));
        put_u8(w, e->meta != NULL);
        if (e->meta)
            put_meta(w, e->meta);
    }
}

static void put_held(struct wr *w, struct g2d_heldset *held)
{
    struct g2d_held *h;
    size_t pos = 0;

    put_le(w, held ? held->used : 0, 4);
    while (held && !w->err && (h = g2d_held_next(held, &pos))) {
        put_le(w, h->id, 8);
        put_u8(w, h->type);
        put_u8(w, h->state);
        put_u8(w, h->reason);
        put_le(w, h->missing, 4);
        put_le(w, h->first_cycle, 8);
        put_le(w, h->last_cycle, 8);
        put_le(w, (uint64_t)h->first_ms, 8);
        put_le(w, (uint64_t)h->last_ms, 8);
        put_str(w, h->name, strlen(h->name));
    }
}

int g2d_checkpoint_write(struct g2d_snapshot *snap, struct g2d_heldset *held,
                         const struct g2d_ckpt_meta *meta, const char *path, struct g2d_error *err)
{
    struct wr w = {0};
    char tmp[4096];
    uint64_t sum;
    int fd, r;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return g2d_error_set(err, -ENAMETOOLONG, "checkpoint path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return g2d_error_set(err, -errno, "cannot write '%s': %s", tmp, strerror(errno));
    w.f = fdopen(fd, "wb");
    w.h = XXH3_createState();
    if (!w.f || !w.h) {
        if (w.f)
            fclose(w.f);
        else
            close(fd);
        XXH3_freeState(w.h);
        unlink(tmp);
        return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    XXH3_64bits_reset(w.h);
    put(&w, MAGIC, 8);
    put_le(&w, VERSION, 4);
    put_le(&w, 0, 4);
    put_le(&w, meta->scope, 8);
    put_le(&w, (uint64_t)meta->built_ms, 8);
    put_le(&w, (uint64_t)meta->written_ms, 8);
    put_le(&w, snap->used, 8);
    put_entries(&w, snap);
    put_held(&w, held);
    sum = XXH3_64bits_digest(w.h);
    put_le(&w, sum, 8);
    XXH3_freeState(w.h);
    r = w.err;
    if (r == 0 && fflush(w.f) != 0)
        r = -errno;
    if (r == 0 && fsync(fileno(w.f)) < 0)
        r = -errno;
    if (fclose(w.f) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        return g2d_error_set(err, r, "cannot write the checkpoint '%s': %s", path, strerror(-r));
    }
    (void)sync_dir(path);
    return 0;
}

/* ---- reading ------------------------------------------------------------------------- */

struct rd {
    FILE *f;
    XXH3_state_t *h;
    uint64_t left; /* bytes before the trailer */
    int err;
    char *buf;  /* one string (MAX_KEY + 1) */
    char *vbuf; /* a partition's values (G2D_CKPT_MAX_VALUES strings) */
};

static void get(struct rd *r, void *p, size_t n)
{
    if (r->err)
        return;
    if (n > r->left || fread(p, 1, n, r->f) != n) {
        r->err = -EBADMSG;
        return;
    }
    r->left -= n;
    XXH3_64bits_update(r->h, p, n);
}

static uint64_t get_le(struct rd *r, unsigned bytes)
{
    uint8_t b[8] = {0};
    uint64_t v = 0;
    unsigned i;

    get(r, b, bytes);
    for (i = 0; i < bytes; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* A length-prefixed string into @p buf (NUL-terminated; @p cap > MAX_KEY). */
static size_t get_str(struct rd *r, char *buf)
{
    size_t n = (size_t)get_le(r, 2);

    get(r, buf, n);
    buf[r->err ? 0 : n] = '\0';
    return r->err ? 0 : n;
}

static int get_parts(struct rd *r, struct g2d_tmeta *m)
{
    uint32_t n = (uint32_t)get_le(r, 4), i;
    const char *vals[G2D_CKPT_MAX_VALUES];

    for (i = 0; i < n && !r->err; i++) {
        size_t nv = get_le(r, 1), k;
        struct g2d_fp fp;
        uint64_t raw;

        if (nv == 0 || nv > G2D_CKPT_MAX_VALUES || nv != m->nkeys) {
            r->err = -EBADMSG;
            break;
        }
        for (k = 0; k < nv; k++) {
            vals[k] = r->vbuf + k * (MAX_KEY + 1);
            get_str(r, (char *)vals[k]);
        }
        get(r, &fp, sizeof(fp));
        raw = get_le(r, 8);
        if (!r->err && g2d_pset_put(&m->parts, vals, nv, &fp, raw, 0) < 0)
            r->err = -ENOMEM;
    }
    return r->err;
}

static struct g2d_tmeta *get_meta(struct rd *r)
{
    char *buf = r->buf;
    struct g2d_tmeta *m = g2d_tmeta_new();
    size_t n = get_le(r, 1), i;
    json_t *keys = json_array();

    if (!m || !keys || n > G2D_CKPT_MAX_VALUES)
        goto fail;
    for (i = 0; i < n && !r->err; i++) {
        json_t *k = json_object();

        get_str(r, buf);
        json_object_set_new(k, "Name", json_string(buf));
        get_str(r, buf);
        json_object_set_new(k, "Type", json_string(buf));
        json_array_append_new(keys, k);
    }
    if (r->err || g2d_tmeta_set_keys(m, keys) < 0)
        goto fail;
    m->parts_loaded = get_le(r, 1) != 0;
    if (get_parts(r, m) < 0)
        goto fail;
    json_decref(keys);
    return m;
fail:
    if (!r->err)
        r->err = -ENOMEM;
    json_decref(keys);
    g2d_tmeta_free(m);
    return NULL;
}

static int get_entries(struct rd *r, struct g2d_snapshot *snap, uint64_t n)
{
    char *buf = r->buf;
    uint64_t i;

    for (i = 0; i < n && !r->err; i++) {
        unsigned type = (unsigned)get_le(r, 1);
        struct g2d_snap_entry *e;
        struct g2d_fp fp;
        bool has_meta;

        get_str(r, buf);
        get(r, &fp, sizeof(fp));
        has_meta = get_le(r, 1) != 0;
        if (r->err || type > G2D_ITEM_FUNCTION || !buf[0] || g2d_snapshot_get(snap, type, buf)) {
            r->err = -EBADMSG;
            break;
        }
        if (g2d_snapshot_put(snap, type, buf, &fp) < 0 ||
            !(e = g2d_snapshot_get(snap, type, buf))) {
            r->err = -ENOMEM;
            break;
        }
        if (has_meta)
            e->meta = get_meta(r);
    }
    return r->err;
}

/* One record of the held section; a record that is not what the writer could have
 * written (an ID that is not its name's, a duplicate, a value out of range) is corrupt. */
static void get_held_one(struct rd *r, struct g2d_heldset *held)
{
    struct g2d_held h = {0}, *e;

    h.id = get_le(r, 8);
    h.type = (uint8_t)get_le(r, 1);
    h.state = (uint8_t)get_le(r, 1);
    h.reason = (uint8_t)get_le(r, 1);
    h.missing = (uint32_t)get_le(r, 4);
    h.first_cycle = get_le(r, 8);
    h.last_cycle = get_le(r, 8);
    h.first_ms = (int64_t)get_le(r, 8);
    h.last_ms = (int64_t)get_le(r, 8);
    get_str(r, r->buf);
    if (r->err)
        return;
    if (h.type > G2D_ITEM_FUNCTION || h.state >= G2D_HELD_NSTATES ||
        h.reason >= G2D_HELD_NREASONS || !r->buf[0] || h.id != g2d_held_id(h.type, r->buf) ||
        g2d_held_get(held, h.type, r->buf)) {
        r->err = -EBADMSG;
        return;
    }
    if (!(e = g2d_held_put(held, h.type, r->buf))) {
        r->err = -ENOMEM;
        return;
    }
    h.name = e->name;
    *e = h;
}

static void get_held(struct rd *r, struct g2d_heldset *held)
{
    uint32_t n = (uint32_t)get_le(r, 4), i;

    if (n > G2D_HELD_MAX)
        r->err = -EBADMSG;
    for (i = 0; i < n && !r->err; i++)
        get_held_one(r, held);
}

int g2d_checkpoint_load(struct g2d_snapshot *snap, struct g2d_heldset *held,
                        struct g2d_ckpt_meta *meta, const char *path, struct g2d_error *err)
{
    unsigned version = 0;
    struct rd r = {0};
    char magic[8];
    uint64_t n, sum;
    long size;
    int ret;

    r.f = fopen(path, "rbe");
    if (!r.f)
        return g2d_error_set(err, -errno, "cannot read '%s': %s", path, strerror(errno));
    if (fseek(r.f, 0, SEEK_END) < 0 || (size = ftell(r.f)) < 0 || fseek(r.f, 0, SEEK_SET) < 0) {
        fclose(r.f);
        return g2d_error_set(err, -EIO, "cannot read '%s'", path);
    }
    r.h = XXH3_createState();
    r.buf = malloc(MAX_KEY + 1);
    r.vbuf = malloc((size_t)G2D_CKPT_MAX_VALUES * (MAX_KEY + 1));
    if (!r.h || !r.buf || !r.vbuf) {
        XXH3_freeState(r.h);
        free(r.buf);
        free(r.vbuf);
        fclose(r.f);
        return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    XXH3_64bits_reset(r.h);
    r.left = size >= 8 ? (uint64_t)size - 8 : 0;
    get(&r, magic, 8);
    if (!r.err && memcmp(magic, MAGIC, 8) != 0)
        r.err = -EBADMSG;
    version = (unsigned)get_le(&r, 4);
    if (!r.err && version != VERSION && version != VERSION_NO_HELD)
        r.err = -EBADMSG;
    (void)get_le(&r, 4);
    meta->scope = get_le(&r, 8);
    meta->built_ms = (int64_t)get_le(&r, 8);
    meta->written_ms = (int64_t)get_le(&r, 8);
    n = get_le(&r, 8);
    if (!r.err)
        get_entries(&r, snap, n);
    if (!r.err && version >= VERSION)
        get_held(&r, held);
    sum = XXH3_64bits_digest(r.h);
    if (!r.err && r.left != 0)
        r.err = -EBADMSG; /* bytes the entries did not account for */
    if (!r.err) {
        r.left = 8;
        XXH3_64bits_reset(r.h); /* the trailer is not part of the sum */
        if (get_le(&r, 8) != sum)
            r.err = -EBADMSG;
    }
    XXH3_freeState(r.h);
    free(r.buf);
    free(r.vbuf);
    fclose(r.f);
    ret = r.err;
    if (ret < 0) {
        g2d_snapshot_clear(snap);
        g2d_heldset_clear(held);
        return g2d_error_set(err, ret,
                             ret == -ENOMEM ? "out of memory reading the checkpoint '%s'"
                                            : "the checkpoint '%s' is truncated, corrupt or of "
                                              "another version",
                             path);
    }
    return 0;
}
