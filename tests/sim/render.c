/* SPDX-License-Identifier: MIT */
/*
 * Generated Glue partitions rendered straight into text, for GetPartitions pages.
 *
 * sim_glue_part_json() builds a jansson tree per partition, which the server then dumps
 * with Java-style numbers: about 1.6 KB of JSON per partition and most of the simulator's
 * CPU in a benchmark. Everything in that JSON that is the same for every partition of a
 * table is rendered once per table into a template (struct sim_gtpl): the dumped storage
 * descriptor of each variant (own schema or not, columns excluded or not) split around its
 * Location string, the database and table names, the "key=" pieces of the location. A
 * partition then costs a few appends and number formats. The output is byte-identical to
 * the dump of sim_glue_part_json() (the unit test compares them), so a client sees the same
 * bytes whichever path served a partition.
 *
 * Templates are immutable and refcounted (atomically): a request takes a reference under
 * sim->mu and may render after releasing the lock while the table is replaced or dropped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* A Location value that no real table holds; found again in the dumped descriptor. */
#define LOC_SENTINEL "\x01sim-location\x02"
#define LOC_SENTINEL_DUMP "\"\\u0001sim-location\\u0002\""

struct gtpl_sd {
    char *head; /* the dumped descriptor up to the Location value, or all of it */
    char *tail; /* after the Location value; NULL when the descriptor has no Location */
    size_t headlen, taillen;
};

struct sim_gtpl {
    unsigned long refs;
    int ok;             /* 0: render with sim_glue_part_json() instead */
    double create_time; /* the table's CreateTime */
    char *names;        /* ],"DatabaseName":<db>,"TableName":<table>,"CreationTime": */
    size_t nameslen;
    char *locprefix; /* escaped Location of the table (the quote is in sd[].head) */
    size_t locprefixlen;
    char **keyeq; /* escaped "<key name>=" per partition key */
    size_t *keyeqlen;
    size_t nkeys;
    struct gtpl_sd sd[4]; /* [own schema * 2 + exclude columns] */
};

int sim_json_escape(struct g2d_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, run = 0;
    int e = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t el = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        e |= g2d_buf_append(b, s + run, i - run);
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
            break;
        }
        e |= g2d_buf_append(b, esc, el);
    }
    e |= g2d_buf_append(b, s + run, n - run);
    return e ? -ENOMEM : 0;
}

static void gtpl_free(struct sim_gtpl *tp)
{
    size_t i;

    free(tp->names);
    free(tp->locprefix);
    for (i = 0; i < tp->nkeys; i++)
        free(tp->keyeq[i]);
    free(tp->keyeq);
    free(tp->keyeqlen);
    for (i = 0; i < 4; i++) {
        free(tp->sd[i].head);
        free(tp->sd[i].tail);
    }
    free(tp);
}

void sim_gtpl_put(struct sim_gtpl *tp)
{
    if (tp && __atomic_sub_fetch(&tp->refs, 1, __ATOMIC_ACQ_REL) == 0)
        gtpl_free(tp);
}

/* Split the dump of one descriptor variant around the sentinel. @return 0, -1 unusable. */
static int gtpl_sd(struct gtpl_sd *out, const json_t *table, int own, int exclude)
{
    json_t *sd = sim_glue_part_sd(table, NULL, 0, own, exclude, LOC_SENTINEL);
    char *s = sd ? sim_dump_java(sd) : NULL, *at;
    size_t sl = strlen(LOC_SENTINEL_DUMP);

    json_decref(sd);
    if (!s)
        return -1;
    at = strstr(s, LOC_SENTINEL_DUMP);
    if (!at) {
        out->head = s;
        out->headlen = strlen(s);
        return 0;
    }
    if (strstr(at + sl, LOC_SENTINEL_DUMP) || !(out->tail = strdup(at + sl - 1))) {
        free(s);
        return -1; /* the table itself holds the sentinel: leave it to jansson */
    }
    at[1] = '\0'; /* keep the opening quote */
    out->head = s;
    out->headlen = (size_t)(at + 1 - s);
    out->taillen = strlen(out->tail);
    return 0;
}

/* Escaped @p s (NULL: glibc's "(null)", as printf gives) plus @p suffix, malloc'd. */
static char *esc_dup(const char *s, const char *suffix, size_t *len)
{
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    if (!s)
        s = "(null)";
    if (sim_json_escape(&b, s, strlen(s)) < 0 || g2d_buf_puts(&b, suffix) < 0) {
        g2d_buf_done(&b);
        return NULL;
    }
    *len = b.len;
    return g2d_buf_steal(&b);
}

/* Build the template of @p table. @return NULL only when out of memory. */
static struct sim_gtpl *gtpl_build(const json_t *table)
{
    struct sim_gtpl *tp = calloc(1, sizeof(*tp));
    const json_t *tsd = json_object_get(table, "StorageDescriptor");
    const json_t *keys = json_object_get(table, "PartitionKeys");
    const json_t *dbn = json_object_get(table, "DatabaseName"),
                 *tn = json_object_get(table, "Name");
    const json_t *loc = json_object_get(tsd, "Location");
    char *d1 = NULL, *d2 = NULL;
    size_t i;
    int v;

    if (!tp)
        return NULL;
    tp->refs = 1;
    tp->create_time = json_number_value(json_object_get(table, "CreateTime"));
    if (!dbn || !tn || !isfinite(tp->create_time))
        return tp; /* not ok: sim_glue_part_json() gives what it gives */
    d1 = sim_dump_java(dbn);
    d2 = sim_dump_java(tn);
    if (!d1 || !d2)
        goto nomem;
    tp->names = malloc(strlen(d1) + strlen(d2) + 64);
    if (!tp->names)
        goto nomem;
    tp->nameslen = (size_t)sprintf(
        tp->names, "],\"DatabaseName\":%s,\"TableName\":%s,\"CreationTime\":", d1, d2);
    free(d1);
    free(d2);
    d1 = d2 = NULL;
    if (loc) {
        const char *ls = json_string_value(loc);
        struct g2d_buf b;

        g2d_buf_init(&b, 0);
        if (sim_json_escape(&b, ls ? ls : "", ls ? strlen(ls) : 0) < 0) {
            g2d_buf_done(&b);
            goto nomem;
        }
        tp->locprefixlen = b.len;
        tp->locprefix = g2d_buf_steal(&b);
        tp->nkeys = json_array_size(keys);
        tp->keyeq = calloc(tp->nkeys + 1, sizeof(*tp->keyeq));
        tp->keyeqlen = calloc(tp->nkeys + 1, sizeof(*tp->keyeqlen));
        if (!tp->keyeq || !tp->keyeqlen)
            goto nomem;
        for (i = 0; i < tp->nkeys; i++) {
            tp->keyeq[i] =
                esc_dup(json_string_value(json_object_get(json_array_get(keys, i), "Name")), "=",
                        &tp->keyeqlen[i]);
            if (!tp->keyeq[i])
                goto nomem;
        }
    }
    for (v = 0; v < 4; v++)
        if (gtpl_sd(&tp->sd[v], table, v >> 1, v & 1) < 0)
            return tp; /* not ok */
    tp->ok = 1;
    return tp;

nomem:
    free(d1);
    free(d2);
    gtpl_free(tp);
    return NULL;
}

struct sim_gtpl *sim_gtpl_get(struct sim_item *t)
{
    if (!t->gtpl) {
        t->gtpl = gtpl_build(t->obj);
        if (!t->gtpl)
            return NULL;
    }
    __atomic_add_fetch(&t->gtpl->refs, 1, __ATOMIC_RELAXED);
    return t->gtpl;
}

int sim_gtpl_ok(const struct sim_gtpl *tp)
{
    return tp->ok;
}

/* Decimal digits of @p v into the end of @p buf; @return the start. */
static char *utoa_end(unsigned long long v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static int put_quoted_num(struct g2d_buf *b, const char *name, unsigned long long v, int neg)
{
    char buf[32], *s = utoa_end(v, buf + sizeof(buf));

    if (neg)
        *--s = '-';
    return g2d_buf_puts(b, name) | g2d_buf_append(b, s, (size_t)(buf + sizeof(buf) - s)) |
           g2d_buf_putc(b, '"');
}

int sim_gtpl_render(const struct sim_gtpl *tp, const char *key, size_t keylen, unsigned variant,
                    const char *catalog_id, int exclude_cols, struct g2d_buf *b)
{
    const struct gtpl_sd *sd = &tp->sd[(variant & SIM_VARIANT_OWN_SCHEMA ? 2 : 0) + !!exclude_cols];
    uint64_t h = sim_pkey_hash(key, keylen), ph;
    unsigned rev = variant >> 1;
    double ct = tp->create_time + 60.0 + (double)(h % 5000000);
    long long ddl;
    size_t off, i;
    int e = 0;

    if (!tp->ok)
        return -EINVAL;
    e |= g2d_buf_append(b, "{\"Values\":[", 11);
    for (off = 0, i = 0; off < keylen; i++) {
        size_t l = strlen(key + off);

        e |= g2d_buf_append(b, i ? ",\"" : "\"", i ? 2 : 1);
        e |= sim_json_escape(b, key + off, l);
        e |= g2d_buf_putc(b, '"');
        off += l + 1;
    }
    e |= g2d_buf_append(b, tp->names, tp->nameslen);
    e |= sim_java_double(ct, b);
    e |= g2d_buf_append(b, ",\"StorageDescriptor\":", 21);
    e |= g2d_buf_append(b, sd->head, sd->headlen);
    if (sd->tail) {
        e |= g2d_buf_append(b, tp->locprefix, tp->locprefixlen);
        for (off = 0, i = 0; off < keylen; i++) {
            size_t l = strlen(key + off);

            if (i < tp->nkeys)
                e |= g2d_buf_append(b, tp->keyeq[i], tp->keyeqlen[i]);
            else
                e |= g2d_buf_append(b, "(null)=", 7);
            e |= sim_json_escape(b, key + off, l);
            e |= g2d_buf_putc(b, '/');
            off += l + 1;
        }
        e |= g2d_buf_append(b, sd->tail, sd->taillen);
    }
    /* The same parameters as sim_glue_part_json(). */
    ph = rev ? h ^ (0x9E3779B97F4A7C15ULL * rev) : h;
    ddl = (long long)ct + 3600LL * rev;
    e |= put_quoted_num(b, ",\"Parameters\":{\"numFiles\":\"", ph % 97 + 1, 0);
    e |= put_quoted_num(b, ",\"totalSize\":\"", ph % 1000000007ULL, 0);
    e |=
        put_quoted_num(b, ",\"transient_lastDdlTime\":\"",
                       ddl < 0 ? 0ULL - (unsigned long long)ddl : (unsigned long long)ddl, ddl < 0);
    e |= g2d_buf_putc(b, '}');
    if (catalog_id) {
        e |= g2d_buf_append(b, ",\"CatalogId\":\"", 14);
        e |= sim_json_escape(b, catalog_id, strlen(catalog_id));
        e |= g2d_buf_putc(b, '"');
    }
    e |= g2d_buf_putc(b, '}');
    return e ? -ENOMEM : 0;
}
