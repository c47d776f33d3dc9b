/* SPDX-License-Identifier: MIT */
/*
 * DLF partition batch writes (BatchCreatePartitions, BatchUpdatePartitions,
 * BatchDeletePartitions) prepared from the request body without the global lock and
 * without a JSON tree for the common item.
 *
 * One walk over the body: its top level structurally, the batch list element by element.
 * An element that is a compact object of plain JSON (strings in valid UTF-8 whose only
 * escapes are the short ones jansson writes back, Values and column names without escapes,
 * integers of at most 18 digits other than -0, no reals, no duplicate keys, no whitespace,
 * at most W_MAX_DEPTH deep) whose Values, Sd, Sd.Cols and CreateTime pass the checks of
 * sim_dlf_part_text() is a "fast" item, validated and prepared in the same walk: its key
 * comes from its Values, and the text to store is its own bytes (jansson would dump exactly
 * those again) plus the CreateTime member server_time() appends; the descriptor split and
 * its hash are found on the way, so the lock is held only for lookups, the intern and the
 * insert. Any other element is skipped structurally and parsed by jansson alone (its value
 * is what jansson gives it inside the whole body), then handled as before. The rest of the
 * body (the list emptied) is parsed by jansson. When the body as a whole is anything else
 * (not one object, the list absent, repeated or not a list, more elements than the batch
 * cap, an escaped top-level key, a parse error anywhere), nothing is kept and the caller
 * parses the whole body with jansson, which gives today's answers and error messages.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/jscan.h"
#include "catalog.h"

/* Deepest nesting of a fast item (the daemon sends 4 levels). */
#define W_MAX_DEPTH 16
/* Most members of one object of a fast item (duplicate keys are looked for). */
#define W_MAX_MEMBERS 64

/* ---- strict validation of compact plain JSON ---- */

/*
 * Byte classes inside a string: 0 plain ASCII, 1 the closing quote, 2 refused (control
 * characters, bytes that cannot start a UTF-8 sequence), then UTF-8 lead bytes: 3 C2-DF,
 * 4 E0, 5 E1-EC and EE-EF, 6 ED, 7 F0, 8 F1-F3, 9 F4; 10 the backslash.
 */
static const unsigned char sclass[256] = {
    [0x00 ... 0x1f] = 2, ['"'] = 1,  ['\\'] = 10,         [0x80 ... 0xc1] = 2,
    [0xc2 ... 0xdf] = 3, [0xe0] = 4, [0xe1 ... 0xec] = 5, [0xed] = 6,
    [0xee ... 0xef] = 5, [0xf0] = 7, [0xf1 ... 0xf3] = 8, [0xf4] = 9,
    [0xf5 ... 0xff] = 2,
};

static int cont(const unsigned char *p, const unsigned char *end, size_t n, unsigned char lo,
                unsigned char hi)
{
    size_t i;

    if ((size_t)(end - p) <= n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i <= n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return 1;
}

/* Bytes of @p x (eight at a time) that are '"', '\\', below 0x20 or above 0x7f: high bits. */
static inline uint64_t special8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

    /* Exact for the lowest flagged byte (borrows only run upwards), which is all we use. */
    return ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs) |
           ((x - ones * 0x20) & ~x & highs) | (x & highs);
}

/*
 * What the walk of an element finds, by the kind of object being walked: the element
 * (K_ITEM), a storage descriptor (K_SD for "Sd", whose Cols are checked, K_DESC for Glue's
 * "StorageDescriptor"), a column of Sd.Cols (K_COL); K_ANY for the rest.
 */
enum { K_ANY, K_ITEM, K_SD, K_DESC, K_COLS, K_COL, K_MAP };

struct wfound {
    const unsigned char *values, *values_end; /* the Values member's value */
    const unsigned char *ctime, *ctime_end;   /* CreateTime's */
    const unsigned char *sdv;                 /* Sd's (any type) */
    int cols_bad;                             /* Sd.Cols fails columns_ok() */
    int foreign; /* a member sim_dlf_input_check() refuses, or one of another type */
    /* The descriptor split_text() picks (the first Sd or StorageDescriptor object)... */
    const unsigned char *desc, *desc_end;
    const unsigned char *loc, *loc_end; /* ...and its Location string, quotes included */
};

struct vs {
    const unsigned char *p, *end;
    struct wfound *f;
};

/*
 * A string in valid UTF-8 (jansson's rules) at its opening quote, whose only escapes are
 * those jansson dumps back the same way: \" \\ \b \f \n \r \t (not \/ nor \u).
 */
static int v_string(struct vs *s)
{
    const unsigned char *p = s->p + 1, *end = s->end;

    for (;;) {
        unsigned char k;

        /* Plain ASCII eight bytes at a time, then byte by byte. */
        while (end - p >= 8) {
            uint64_t x, m;

            memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            x = __builtin_bswap64(x); /* the first byte in the lowest bits */
#endif
            m = special8(x);
            if (m) {
                p += (unsigned)__builtin_ctzll(m) / 8;
                break;
            }
            p += 8;
        }
        while (p < end && sclass[*p] == 0)
            p++;
        if (p >= end)
            return 1;
        k = sclass[*p];
        switch (k) {
        case 1:
            s->p = p + 1;
            return 0;
        case 3:
            if (!cont(p, end, 1, 0x80, 0xBF))
                return 1;
            p += 2;
            break;
        case 4:
        case 5:
        case 6:
            if (!cont(p, end, 2, k == 4 ? 0xA0 : 0x80, k == 6 ? 0x9F : 0xBF))
                return 1;
            p += 3;
            break;
        case 7:
        case 8:
        case 9:
            if (!cont(p, end, 3, k == 7 ? 0x90 : 0x80, k == 9 ? 0x8F : 0xBF))
                return 1;
            p += 4;
            break;
        case 10:
            if (end - p < 2 || !memchr("\"\\bfnrt", p[1], 7))
                return 1;
            p += 2;
            break;
        default:
            return 1;
        }
    }
}

static int v_value(struct vs *s, unsigned depth, int kind);

static int key_is(const unsigned char *k, size_t kn, const char *name)
{
    return kn == strlen(name) && memcmp(k, name, kn) == 0;
}

/*
 * Whether member @p k of a PartitionInput, whose value starts with @p v, passes
 * sim_dlf_input_check() as far as its first byte tells (a map's values are checked as
 * K_MAP members, a list's by values_key()). Sets *kind to K_MAP for Parameters.
 */
static int item_member_ok(const unsigned char *k, size_t kn, unsigned char v, int *kind)
{
    static const struct {
        const char *name;
        char type;
    } m[] = {{"Values", 'l'},         {"DatabaseName", 's'},
             {"TableName", 's'},      {"CreateTime", 'i'},
             {"LastAccessTime", 'i'}, {"LastAnalyzedTime", 'i'},
             {"Parameters", 'm'},     {"Sd", 'o'},
             {"Privileges", 'o'}};
    size_t i;

    for (i = 0; i < sizeof(m) / sizeof(m[0]) && !key_is(k, kn, m[i].name); i++)
        ;
    if (i == sizeof(m) / sizeof(m[0]))
        return 0;
    if (v == 'n')
        return 1;
    switch (m[i].type) {
    case 's':
        return v == '"';
    case 'i':
        return v == '-' || (v >= '0' && v <= '9');
    case 'l':
        return v == '[';
    case 'm':
        *kind = K_MAP;
        return v == '{';
    default:
        return v == '{';
    }
}

/* Code points of the UTF-8 in [s, end). */
static size_t u8count(const unsigned char *s, const unsigned char *end)
{
    size_t n = 0;

    for (; s < end; s++)
        if ((*s & 0xC0) != 0x80)
            n++;
    return n;
}

/*
 * The kind of the value @p v of member @p k of an object of @p kind; notes a member that is
 * foreign to a PartitionInput, Sd's value and Cols or a column Type that fail the checks.
 */
static int member_kind(struct wfound *f, int kind, const unsigned char *k, size_t kn,
                       const unsigned char *v)
{
    int child = K_ANY;

    f->foreign |=
        (kind == K_ITEM && !item_member_ok(k, kn, *v, &child)) || (kind == K_MAP && *v != '"');
    if (kind == K_ITEM && key_is(k, kn, "Sd")) {
        f->sdv = v;
        child = *v == '{' ? K_SD : K_ANY;
    } else if (kind == K_ITEM && *v == '{' && key_is(k, kn, "StorageDescriptor")) {
        child = K_DESC;
    } else if (kind == K_SD && key_is(k, kn, "Cols")) {
        if (*v == '[')
            child = K_COLS;
        else if (*v != 'n')
            f->cols_bad = 1;
    } else if (kind == K_COL && key_is(k, kn, "Type")) {
        if (*v != '"' && *v != 'n')
            f->cols_bad = 1;
    }
    return child;
}

/* An object of @p kind: no whitespace, no duplicate keys; notes what the walk looks for. */
static int v_object(struct vs *s, unsigned depth, int kind)
{
    const unsigned char *keys[W_MAX_MEMBERS], *self = s->p;
    size_t klen[W_MAX_MEMBERS], nk = 0, i;
    struct wfound *f = s->f;
    int name_ok = 0;

    if (depth > W_MAX_DEPTH)
        return 1;
    s->p++;
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        goto done;
    }
    for (;;) {
        const unsigned char *k = s->p + 1, *v;
        int child;

        if (s->p >= s->end || *s->p != '"' || v_string(s) || nk == W_MAX_MEMBERS)
            return 1;
        klen[nk] = (size_t)(s->p - k) - 1;
        for (i = 0; i < nk; i++)
            if (klen[i] == klen[nk] && memcmp(keys[i], k, klen[nk]) == 0)
                return 1;
        keys[nk++] = k;
        if (s->p >= s->end || *s->p != ':')
            return 1;
        v = ++s->p;
        if (v >= s->end)
            return 1;
        child = member_kind(f, kind, k, klen[nk - 1], v);
        if ((child == K_SD || child == K_DESC) && !f->desc)
            f->desc = v;
        if (v_value(s, depth + 1, child))
            return 1;
        if (kind == K_ITEM) {
            if (v == f->desc)
                f->desc_end = s->p;
            else if (key_is(k, klen[nk - 1], "Values"))
                f->values = v, f->values_end = s->p;
            else if (key_is(k, klen[nk - 1], "CreateTime"))
                f->ctime = v, f->ctime_end = s->p;
        } else if ((kind == K_SD || kind == K_DESC) && self == f->desc && *v == '"' &&
                   key_is(k, klen[nk - 1], "Location")) {
            f->loc = v;
            f->loc_end = s->p;
        } else if (kind == K_COL && *v == '"' && key_is(k, klen[nk - 1], "Name")) {
            /* columns_ok(): 1..255 code points; escapes would need decoding: jansson's. */
            size_t n = memchr(v + 1, '\\', (size_t)(s->p - v - 2)) ? 0 : u8count(v + 1, s->p - 1);

            name_ok = n >= 1 && n <= 255;
        }
        if (s->p >= s->end)
            return 1;
        if (*s->p == '}') {
            s->p++;
            break;
        }
        if (*s->p != ',')
            return 1;
        s->p++;
    }
done:
    if (kind == K_COL && !name_ok)
        f->cols_bad = 1;
    return 0;
}

static int v_array(struct vs *s, unsigned depth, int kind)
{
    if (depth > W_MAX_DEPTH)
        return 1;
    s->p++;
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return 0;
    }
    for (;;) {
        int child = K_ANY;

        if (kind == K_COLS && s->p < s->end) {
            if (*s->p == '{')
                child = K_COL;
            else
                s->f->cols_bad = 1;
        }
        if (v_value(s, depth + 1, child) || s->p >= s->end)
            return 1;
        if (*s->p == ']') {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return 1;
        s->p++;
    }
}

/* An integer jansson dumps back as written: 0 or -?[1-9][0-9]*, at most 18 digits. */
static int v_integer(struct vs *s)
{
    const unsigned char *p = s->p, *d;

    if (p < s->end && *p == '-')
        p++;
    d = p;
    while (p < s->end && *p >= '0' && *p <= '9')
        p++;
    if (p == d || p - d > 18 || (*d == '0' && (p - d > 1 || d > s->p)))
        return 1;
    if (p < s->end && (*p == '.' || *p == 'e' || *p == 'E'))
        return 1;
    s->p = p;
    return 0;
}

static int v_literal(struct vs *s, const char *lit, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
        return 1;
    s->p += n;
    return 0;
}

static int v_value(struct vs *s, unsigned depth, int kind)
{
    if (s->p >= s->end)
        return 1;
    switch (*s->p) {
    case '"':
        return v_string(s);
    case '{':
        return v_object(s, depth, kind);
    case '[':
        return v_array(s, depth, kind);
    case 't':
        return v_literal(s, "true", 4);
    case 'f':
        return v_literal(s, "false", 5);
    case 'n':
        return v_literal(s, "null", 4);
    default:
        return v_integer(s);
    }
}

/* ---- the parts of a validated element ---- */

/* The closing quote of the validated string whose contents start at @p p. */
static const char *str_close(const char *p, const char *end)
{
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p)), *b = q;

        while (b > p && b[-1] == '\\')
            b--;
        if (((q - b) & 1) == 0)
            return q;
        p = q + 1;
    }
}

/* The key of a validated Values list of at most SIM_MAX_KEYS strings of <= 1024 code points. */
static int values_key(struct sim_wpart *wp, const char *v, const char *vend)
{
    const char *p, *s[SIM_MAX_KEYS], *e[SIM_MAX_KEYS];
    size_t n = 0, len = 0, i;
    char *key, *o;

    if (*v != '[')
        return 1;
    for (p = v + 1; *p != ']';) {
        if (*p != '"' || n == SIM_MAX_KEYS)
            return 1;
        s[n] = p + 1;
        e[n] = str_close(p + 1, vend);
        if (memchr(s[n], '\\', (size_t)(e[n] - s[n])) ||
            u8count((const unsigned char *)s[n], (const unsigned char *)e[n]) > 1024)
            return 1;
        len += (size_t)(e[n] - s[n]) + 1;
        p = e[n] + 1;
        n++;
        if (*p == ',')
            p++;
    }
    key = malloc(len ? len : 1);
    if (!key)
        return -ENOMEM;
    for (o = key, i = 0; i < n; i++) {
        memcpy(o, s[i], (size_t)(e[i] - s[i]));
        o += e[i] - s[i];
        *o++ = '\0';
    }
    wp->key = key;
    wp->keylen = len;
    wp->nvalues = (unsigned)n;
    return 0;
}

/*
 * Prepare the element at @p e (the body ends at @p end) as a fast item; *eend: its end.
 * @return 0 done, 1 not a fast item (nothing kept), -ENOMEM.
 */
static int item_fast(struct sim_wpart *wp, const char *e, const char *end, int text,
                     const char **eend)
{
    struct wfound f;
    struct vs s = {(const unsigned char *)e, (const unsigned char *)end, &f};
    const unsigned char *u = (const unsigned char *)e;
    struct sim_ptext *t = &wp->text;
    size_t n;
    int r;

    memset(&f, 0, sizeof(f));
    if (end - e < 2 || *e != '{' || v_object(&s, 1, K_ITEM) || !f.values)
        return 1;
    *eend = (const char *)s.p;
    n = (size_t)(s.p - u);
    if (text) {
        /* sim_dlf_input_check() and sim_dlf_part_text(): Sd an object (or null) with
         * valid Cols. */
        if (f.foreign)
            return 1;
        if (f.sdv && *f.sdv != 'n' && (*f.sdv != '{' || f.cols_bad))
            return 1;
        if (f.ctime) {
            /* A non-zero integer stays; 0, null or another type: the jansson path. */
            if (!(*f.ctime == '-' || (*f.ctime >= '1' && *f.ctime <= '9')))
                return 1;
            wp->has_time = 1;
        }
    }
    r = values_key(wp, (const char *)f.values, (const char *)f.values_end);
    if (r || !text)
        return r;
    /* The text is the element but its closing brace (the tail puts it back). */
    t->text = e;
    t->len = n - 1;
    if (f.desc) {
        /* The pieces split_text() finds, known from the walk. */
        t->split = 1;
        t->sd = (size_t)(f.desc - u);
        t->sdend = (size_t)(f.desc_end - u);
        if (f.loc) {
            t->loc = (size_t)(f.loc + 1 - u);
            t->locend = (size_t)(f.loc_end - 1 - u);
        } else {
            t->loc = t->locend = t->sdend;
        }
        t->hash = sim_sd_hash(e + t->sd, t->loc - t->sd, e + t->locend, t->sdend - t->locend);
    }
    return 0;
}

/* ---- the body ---- */

/* Past the JSON whitespace at @p p. */
static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Structural end of the value at @p p (escapes respected), or NULL. */
static const char *skip_any(const char *p, const char *end)
{
    size_t depth = 0;

    do {
        if (p >= end)
            return NULL;
        switch (*p) {
        case '"':
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\')
                    p++;
            if (p >= end)
                return NULL;
            break;
        case '{':
        case '[':
            if (++depth > G2D_JSCAN_MAX_DEPTH)
                return NULL;
            break;
        case '}':
        case ']':
            if (!depth)
                return NULL;
            depth--;
            break;
        default:
            if (!depth) {
                while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
                       *p != '\n' && *p != '\r')
                    p++;
                return p;
            }
        }
        p++;
    } while (depth);
    return p;
}

/*
 * The elements of the list at @p v (its '[') into wb->items, one walk: a fast item is
 * validated and prepared as it is walked; any other element is skipped structurally and
 * parsed by jansson alone. *out: past the closing ']'.
 * @return 0, 1 to hand the body over (more than @p max elements, bad syntax), -ENOMEM.
 */
static int take_list(struct sim_wbatch *wb, const char *v, const char *end, int text, size_t max,
                     const char **out)
{
    const char *p = ws(v + 1, end);
    size_t cap = 0;

    if (p < end && *p == ']') {
        *out = p + 1;
        return 0;
    }
    for (;;) {
        const char *e = p, *eend = NULL;
        struct sim_wpart *wp;
        int r;

        if (wb->n == max)
            return 1;
        if (wb->n == cap) {
            size_t nc = cap ? cap * 2 : 128;
            struct sim_wpart *ni = realloc(wb->items, nc * sizeof(*ni));

            if (!ni)
                return -ENOMEM;
            wb->items = ni;
            cap = nc;
        }
        wp = &wb->items[wb->n++];
        memset(wp, 0, sizeof(*wp));
        r = item_fast(wp, e, end, text, &eend);
        if (r < 0)
            return r;
        if (r == 0) {
            wb->nfast++;
        } else {
            memset(wp, 0, sizeof(*wp));
            eend = skip_any(e, end);
            if (!eend)
                return 1;
            /* A parse error here is one of the whole body: jansson tells it. */
            wp->json = json_loadb(e, (size_t)(eend - e), JSON_DECODE_ANY, NULL);
            if (!wp->json)
                return 1;
        }
        p = ws(eend, end);
        if (p >= end)
            return 1;
        if (*p == ']') {
            *out = p + 1;
            return 0;
        }
        if (*p != ',')
            return 1;
        p = ws(p + 1, end);
    }
}

/*
 * Walk the body's top-level object; its one member @p listkey must be a list, taken by
 * take_list() ([*ls, *le) its extent); the other members are skipped. Keys are compared raw:
 * a key with an escape hands the body over. @return 0, 1 to hand it over, -ENOMEM.
 */
static int walk_body(struct sim_wbatch *wb, const char *body, size_t len, const char *listkey,
                     int text, size_t max, const char **ls, const char **le)
{
    const char *p = ws(body, body + len), *end = body + len;
    int r;

    if (p >= end || *p != '{')
        return 1;
    p = ws(p + 1, end);
    if (p < end && *p == '}')
        return 1;
    for (;;) {
        const char *k, *kend, *v;

        if (p >= end || *p != '"')
            return 1;
        k = ++p;
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p >= end || *p == '\\')
            return 1;
        kend = p;
        p = ws(p + 1, end);
        if (p >= end || *p != ':')
            return 1;
        v = ws(p + 1, end);
        if (key_is((const unsigned char *)k, (size_t)(kend - k), listkey)) {
            if (*ls || v >= end || *v != '[')
                return 1;
            r = take_list(wb, v, end, text, max, &p);
            if (r)
                return r;
            *ls = v;
            *le = p;
        } else {
            p = skip_any(v, end);
            if (!p)
                return 1;
        }
        p = ws(p, end);
        if (p >= end)
            return 1;
        if (*p == '}')
            break;
        if (*p != ',')
            return 1;
        p = ws(p + 1, end);
    }
    return *ls && ws(p + 1, end) == end ? 0 : 1;
}

int sim_wbatch_prepare(struct sim_wbatch *wb, const char *body, size_t len, const char *listkey,
                       int text, size_t max_items)
{
    struct g2d_buf rb;
    const char *ls = NULL, *le = NULL;
    const json_t *l;
    int r;

    memset(wb, 0, sizeof(*wb));
    if (!body)
        return 1;
    r = walk_body(wb, body, len, listkey, text, max_items, &ls, &le);
    if (r)
        goto fail;
    /* The rest of the body, with the list emptied, parsed by jansson. */
    g2d_buf_init(&rb, 0);
    if (g2d_buf_append(&rb, body, (size_t)(ls - body)) || g2d_buf_puts(&rb, "[]") ||
        g2d_buf_append(&rb, le, len - (size_t)(le - body))) {
        g2d_buf_done(&rb);
        r = -ENOMEM;
        goto fail;
    }
    wb->in = json_loadb(rb.data, rb.len, 0, NULL);
    g2d_buf_done(&rb);
    l = json_object_get(wb->in, listkey);
    if (!json_is_object(wb->in) || !json_is_array(l) || json_array_size(l)) {
        r = 1;
        goto fail;
    }
    return 0;
fail:
    sim_wbatch_done(wb);
    return r;
}

void sim_wbatch_done(struct sim_wbatch *wb)
{
    size_t i;

    if (!wb)
        return;
    for (i = 0; i < wb->n; i++) {
        free(wb->items[i].key);
        json_decref(wb->items[i].json);
    }
    free(wb->items);
    json_decref(wb->in);
    memset(wb, 0, sizeof(*wb));
}

json_t *sim_wpart_values(const struct sim_wpart *wp)
{
    json_t *a = json_array();
    size_t off = 0;

    while (a && off < wp->keylen) {
        size_t l = strlen(wp->key + off);

        if (json_array_append_new(a, json_stringn(wp->key + off, l)) < 0) {
            json_decref(a);
            return NULL;
        }
        off += l + 1;
    }
    return a;
}

size_t sim_wpart_tail(const struct sim_wpart *wp, int64_t create_time, char *buf, size_t size)
{
    int n;

    if (wp->has_time)
        n = snprintf(buf, size, "}");
    else
        n = snprintf(buf, size, ",\"CreateTime\":%lld}", (long long)create_time);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

int64_t sim_prec_keep_time(const struct sim_prec *old, int64_t now)
{
    struct g2d_buf b;
    const char *v;
    size_t vlen;
    int64_t t = now;
    int r;

    if (!old || !old->textlen)
        return now;
    g2d_buf_init(&b, 0);
    r = sim_prec_append(old, &b);
    if (r == 0)
        r = g2d_jscan_member(b.data, b.len, "CreateTime", &v, &vlen);
    if (r == -ENOENT) {
        t = now;
    } else if (r == 0 && vlen > (*v == '-') && vlen - (*v == '-') <= 18 &&
               strspn(v + (*v == '-'), "0123456789") == vlen - (*v == '-')) {
        /* Stored texts are jansson's dumps: -?[0-9]+ is an integer, and 18 digits fit. */
        char num[24];

        memcpy(num, v, vlen);
        num[vlen] = '\0';
        t = strtoll(num, NULL, 10);
        if (t == 0)
            t = now;
    } else {
        json_t *j = sim_prec_json(old), *ct = json_object_get(j, "CreateTime");

        t = json_is_integer(ct) && json_integer_value(ct) != 0 ? (int64_t)json_integer_value(ct)
                                                               : now;
        json_decref(j);
    }
    g2d_buf_done(&b);
    return t;
}
