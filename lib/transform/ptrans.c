/* SPDX-License-Identifier: MIT */
/*
 * The DOM-free partition transform (see ptrans.h).
 *
 * Pass 1 parses the Glue partition with a small recursive-descent parser that accepts only
 * what jansson would accept (strict UTF-8, no control characters in strings, the number
 * grammar, integer range, nesting) and, to stay simple, rejects more: any backslash in a
 * string, duplicate keys among the members used, numbers it cannot convert exactly as
 * jansson does. It records what g2d_model_partition() reads (byte ranges into the input)
 * into the scratch arrays. Pass 2 writes the PartitionInput text in the member order
 * model.c inserts, and pass 3 the normalised text in the order canon() writes it: keys
 * sorted, volatile parameters removed, empty values dropped. Every string written from the
 * input is free of characters that need escaping (the parser refused those), so it is
 * copied as it is; strings from elsewhere (database and table names, location-map
 * prefixes) are escaped exactly as g2d_jwrite_string() does.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/utf8.h"
#include "transform/ptrans.h"

#define FB G2D_PTRANS_FALLBACK

/* Deepest nesting of skipped values accepted (jansson's own limit is higher: fall back). */
#define SKIP_MAX_DEPTH 64
/* Longest real number converted (longer ones fall back). */
#define REAL_MAX_LEN 64

/* Scratch slots. */
enum {
    S_KV,    /* struct kv: members of string maps */
    S_ORD,   /* struct kref: the same, sorted per map */
    S_COLS,  /* struct col */
    S_SORTS, /* struct sortc */
    S_STRS,  /* struct str: BucketColumns, SkewedColumnNames */
    S_SKV,   /* struct span: SkewedColumnValues, rendered into S_SIDE */
    S_SKM,   /* struct skm: SkewedColumnValueLocationMaps */
    S_SKORD, /* struct kref: the same, sorted */
    S_SIDE,  /* text rendered while parsing */
    S_OUT,   /* the PartitionInput text */
    S_NORM,  /* the normalised text */
    S_COUNT,
};

_Static_assert(S_COUNT == G2D_PTRANS_SLOTS, "scratch slots");

/* A string value: @pre (a location-map prefix, escaped on output) then input bytes. */
struct str {
    const char *pre;
    size_t npre;
    const char *p;
    size_t n;
};

struct kv {
    const char *k;
    size_t nk;
    struct str v;
    bool is_str; /* members of other types are only kept to detect duplicate keys */
};

struct kref {
    const char *p;
    size_t n;
    size_t i;
};

/* A string map: kv[b..e), sorted in ord[b..e); @nstr string members. */
struct map {
    size_t b, e, nstr;
};

struct range {
    size_t b, e;
};

struct span {
    size_t off, n;
};

struct col {
    bool has_name, has_type, has_comment;
    struct str name, type, comment;
    struct map params;
};

struct sortc {
    bool has_col, has_order;
    struct str col;
    long long order;
};

struct skm {
    struct span key; /* rendered in S_SIDE */
    struct str v;
};

struct sd {
    bool cols, loc, inf, outf, comp, compv, nb, serde, sname, slib, bucket, sort, skew, stored,
        storedv, sk_names, sk_vals, sk_maps;
    struct range colr, sortr, bucketr, sk_namer, sk_valr, sk_mapr;
    struct str location, inputf, outputf, serde_name, serde_lib;
    struct map serde_params, params;
    long long nbuckets;
};

struct ctx {
    const struct g2d_config *cfg;
    struct g2d_ptrans_scratch *s;
    size_t n[S_COUNT]; /* elements used per slot (bytes for S_SIDE) */
    struct g2d_ptrans_out *out;
    bool lat, lan, sd_present;
    long long latv, lanv;
    struct map params;
    struct sd sd;
};

#define ARR(x, slot, type) ((type *)(x)->s->mem[slot])

/* ---- scratch ------------------------------------------------------------------------- */

void g2d_ptrans_scratch_init(struct g2d_ptrans_scratch *s)
{
    memset(s, 0, sizeof(*s));
}

void g2d_ptrans_scratch_done(struct g2d_ptrans_scratch *s)
{
    int i;

    if (!s)
        return;
    for (i = 0; i < S_COUNT; i++)
        free(s->mem[i]);
    memset(s, 0, sizeof(*s));
}

/* Make room for @p bytes in @p slot. @return 0 or -ENOMEM. */
static int reserve(struct g2d_ptrans_scratch *s, int slot, size_t bytes)
{
    size_t cap = s->cap[slot] ? s->cap[slot] : 256;
    void *p;

    if (bytes <= s->cap[slot])
        return 0;
    while (cap < bytes) {
        if (cap > SIZE_MAX / 4)
            return -ENOMEM;
        cap *= 2;
    }
    p = realloc(s->mem[slot], cap);
    if (!p)
        return -ENOMEM;
    s->mem[slot] = p;
    s->cap[slot] = cap;
    return 0;
}

/* A new zeroed element of @p size in @p slot, or NULL. */
static void *push(struct ctx *x, int slot, size_t size)
{
    char *e;

    if (reserve(x->s, slot, (x->n[slot] + 1) * size) < 0)
        return NULL;
    e = (char *)x->s->mem[slot] + x->n[slot]++ * size;
    memset(e, 0, size);
    return e;
}

/* ---- output buffers ------------------------------------------------------------------- */

/* A writer into one scratch slot; the first failure sticks and is checked once at the end. */
struct wb {
    struct g2d_ptrans_scratch *s;
    int slot;
    char *p;
    size_t len, cap;
    int err;
};

static void wb_init(struct wb *w, struct g2d_ptrans_scratch *s, int slot)
{
    w->s = s;
    w->slot = slot;
    w->p = s->mem[slot];
    w->cap = s->cap[slot];
    w->len = 0;
    w->err = 0;
}

static bool wb_room(struct wb *w, size_t n)
{
    if (w->cap - w->len >= n)
        return true;
    if (w->err)
        return false;
    if (n > SIZE_MAX / 4 - w->len || reserve(w->s, w->slot, w->len + n) < 0) {
        w->err = -ENOMEM;
        return false;
    }
    w->p = w->s->mem[w->slot];
    w->cap = w->s->cap[w->slot];
    return true;
}

static inline void w_raw(struct wb *w, const void *s, size_t n)
{
    if (wb_room(w, n)) {
        memcpy(w->p + w->len, s, n);
        w->len += n;
    }
}

static inline void w_c(struct wb *w, char c)
{
    if (wb_room(w, 1))
        w->p[w->len++] = c;
}

#define w_lit(w, s) w_raw((w), (s), sizeof(s) - 1)

/* The body of a JSON string, escaped as g2d_jwrite_string() does. */
static void w_esc(struct wb *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        w_raw(w, s + run, i - run);
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};

            w_raw(w, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

            w_raw(w, e, 6);
        }
        run = i + 1;
    }
    w_raw(w, s + run, n - run);
}

/* A string value; its input part never needs escaping. */
static void w_str(struct wb *w, const struct str *v)
{
    w_c(w, '"');
    if (v->npre)
        w_esc(w, v->pre, v->npre);
    w_raw(w, v->p, v->n);
    w_c(w, '"');
}

/* An input key or string that needs no escaping. */
static void w_plain(struct wb *w, const char *s, size_t n)
{
    if (wb_room(w, n + 2)) {
        w->p[w->len] = '"';
        memcpy(w->p + w->len + 1, s, n);
        w->p[w->len + n + 1] = '"';
        w->len += n + 2;
    }
}

/* As "%lld". */
static void w_int(struct wb *w, long long v)
{
    char b[24], *e = b + sizeof(b), *q = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    w_raw(w, q, (size_t)(e - q));
}

/* ---- parser ----------------------------------------------------------------------------- */

struct cur {
    const char *p, *end;
};

static inline void ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

/* The next byte after whitespace, or 0 at the end (a NUL byte is never valid anyway). */
static inline char peek(struct cur *c)
{
    ws(c);
    return c->p < c->end ? *c->p : 0;
}

/* A string at c->p (the opening quote): its body. Falls back on escapes. */
static int scan_string(struct cur *c, const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)c->p + 1, *end = (const unsigned char *)c->end;
    const unsigned char *start = p;

    while (p < end) {
        unsigned ch;

        /* Eight plain bytes at a time: none >= 0x80, < 0x20, '"' or '\\'. */
        while (end - p >= 8) {
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
            uint64_t w, q, b;

            memcpy(&w, p, 8);
            q = w ^ (ones * '"');
            b = w ^ (ones * '\\');
            if (((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high))
                break;
            p += 8;
        }
        if (p >= end)
            break;
        ch = *p;
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
            p++;
        } else if (ch == '"') {
            *s = (const char *)start;
            *n = (size_t)(p - start);
            c->p = (const char *)p + 1;
            return 0;
        } else if (ch >= 0x80) {
            size_t k = g2d_utf8_seq(p, end);

            if (!k)
                return FB;
            p += k;
        } else {
            return FB; /* a control character or an escape */
        }
    }
    return FB;
}

enum vtype { T_STR, T_INT, T_REAL, T_TRUE, T_FALSE, T_NULL, T_OBJ, T_ARR };

struct val {
    enum vtype t;
    const char *s;
    size_t n;
    long long i;
    double d;
};

/*
 * A number by jansson's grammar: integers (no '.', 'e', 'E') of up to 18 digits, reals
 * converted with strtod() exactly as jansson does (falling back if that is not finite).
 */
static int scan_number(struct cur *c, struct val *v)
{
    const char *p = c->p, *start = p, *end = c->end;
    bool neg = false, real = false;
    size_t digits = 0;

    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p < end && *p == '0') {
        p++;
        digits = 1;
        if (p < end && *p >= '0' && *p <= '9')
            return FB; /* a leading zero: jansson refuses it */
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    } else {
        return FB;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return FB;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        real = true;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return FB;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        real = true;
    }
    if (!real) {
        const char *q = start + neg;
        long long i = 0;

        if (digits > 18)
            return FB;
        for (; q < p; q++)
            i = i * 10 + (*q - '0');
        v->t = T_INT;
        v->i = neg ? -i : i;
    } else {
        char buf[REAL_MAX_LEN + 1], *e;
        size_t len = (size_t)(p - start);

        if (len > REAL_MAX_LEN)
            return FB;
        memcpy(buf, start, len);
        buf[len] = '\0';
        v->d = strtod(buf, &e);
        if (e != buf + len || isinf(v->d))
            return FB; /* another locale's decimal point, or jansson's overflow error */
        v->t = T_REAL;
    }
    c->p = p;
    return 0;
}

static int skip_value(struct cur *c, int depth);

/* Any value at the cursor: scalars decoded, objects and arrays validated and skipped. */
static int parse_value(struct cur *c, struct val *v, int depth)
{
    size_t left;

    switch (peek(c)) {
    case '"':
        v->t = T_STR;
        return scan_string(c, &v->s, &v->n);
    case '{':
        v->t = T_OBJ;
        return skip_value(c, depth);
    case '[':
        v->t = T_ARR;
        return skip_value(c, depth);
    case 't':
    case 'f':
    case 'n':
        left = (size_t)(c->end - c->p);
        if (left >= 4 && memcmp(c->p, "true", 4) == 0) {
            v->t = T_TRUE;
            c->p += 4;
        } else if (left >= 5 && memcmp(c->p, "false", 5) == 0) {
            v->t = T_FALSE;
            c->p += 5;
        } else if (left >= 4 && memcmp(c->p, "null", 4) == 0) {
            v->t = T_NULL;
            c->p += 4;
        } else {
            return FB;
        }
        return 0;
    default:
        return scan_number(c, v);
    }
}

/*
 * Object iteration: call with *state = 0 first. Sets *k to the next key and leaves the
 * cursor on its value, or sets *k = NULL after the closing brace.
 */
static int obj_next(struct cur *c, int *state, const char **k, size_t *nk)
{
    char ch = peek(c);

    if (*state == 0) {
        if (ch != '{')
            return FB;
        c->p++;
        ch = peek(c);
        if (ch == '}') {
            c->p++;
            *k = NULL;
            return 0;
        }
        *state = 1;
    } else if (ch == '}') {
        c->p++;
        *k = NULL;
        return 0;
    } else if (ch == ',') {
        c->p++;
        ch = peek(c);
    } else {
        return FB;
    }
    if (ch != '"' || scan_string(c, k, nk) != 0 || peek(c) != ':')
        return FB;
    c->p++;
    /* A value follows: callers may look at *c->p. */
    return peek(c) ? 0 : FB;
}

/* Array iteration, like obj_next(): *more is false after the closing bracket. */
static int arr_next(struct cur *c, int *state, bool *more)
{
    char ch = peek(c);

    if (*state == 0) {
        if (ch != '[')
            return FB;
        c->p++;
        *state = 1;
        if (peek(c) == ']') {
            c->p++;
            *more = false;
            return 0;
        }
    } else if (ch == ']') {
        c->p++;
        *more = false;
        return 0;
    } else if (ch == ',') {
        c->p++;
    } else {
        return FB;
    }
    *more = true;
    /* An element follows: callers may look at *c->p. */
    return peek(c) ? 0 : FB;
}

static int skip_value(struct cur *c, int depth)
{
    struct val v;
    int st = 0, r;

    if (depth >= SKIP_MAX_DEPTH)
        return FB;
    if (peek(c) == '{') {
        const char *k;
        size_t nk;

        for (;;) {
            if ((r = obj_next(c, &st, &k, &nk)) != 0)
                return r;
            if (!k)
                return 0;
            if ((r = parse_value(c, &v, depth + 1)) != 0)
                return r;
        }
    }
    if (peek(c) == '[') {
        bool more;

        for (;;) {
            if ((r = arr_next(c, &st, &more)) != 0)
                return r;
            if (!more)
                return 0;
            if ((r = parse_value(c, &v, depth + 1)) != 0)
                return r;
        }
    }
    return parse_value(c, &v, depth);
}

static inline bool key_is(const char *k, size_t nk, const char *lit, size_t nlit)
{
    return nk == nlit && memcmp(k, lit, nk) == 0;
}

#define KEY(lit) key_is(k, nk, lit, sizeof(lit) - 1)

/* Mark member @p bit of an object as seen; a second one falls back (jansson: last wins). */
#define SEEN(bit)                                                                                  \
    do {                                                                                           \
        if (seen & (1u << (bit)))                                                                  \
            return FB;                                                                             \
        seen |= 1u << (bit);                                                                       \
    } while (0)

static int kref_cmp(const void *a, const void *b)
{
    const struct kref *x = a, *y = b;
    int d = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);

    if (d)
        return d;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* Sort refs[0..n) by key (strcmp order); a duplicate falls back. */
static int sort_refs(struct kref *refs, size_t n)
{
    size_t i, j;

    if (n > 24) {
        qsort(refs, n, sizeof(*refs), kref_cmp);
    } else {
        for (i = 1; i < n; i++) {
            struct kref t = refs[i];

            for (j = i; j > 0 && kref_cmp(&refs[j - 1], &t) > 0; j--)
                refs[j] = refs[j - 1];
            refs[j] = t;
        }
    }
    for (i = 1; i < n; i++)
        if (kref_cmp(&refs[i - 1], &refs[i]) == 0)
            return FB;
    return 0;
}

/*
 * A string→string map (copy_string_map()): every member recorded, the string ones used.
 * A value that is not an object is skipped (the map is then empty).
 */
static int parse_map(struct ctx *x, struct cur *c, struct map *m)
{
    const char *k;
    size_t nk, i;
    int st = 0, r;

    m->b = m->e = x->n[S_KV];
    m->nstr = 0;
    if (peek(c) != '{') {
        struct val v;

        return parse_value(c, &v, 0);
    }
    for (;;) {
        struct kv *e;

        if ((r = obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (!(e = push(x, S_KV, sizeof(*e))))
            return -ENOMEM;
        e->k = k;
        e->nk = nk;
        if (*c->p == '"') {
            if ((r = scan_string(c, &e->v.p, &e->v.n)) != 0)
                return r;
            e->is_str = true;
            m->nstr++;
        } else if ((r = skip_value(c, 0)) != 0) {
            return r;
        }
    }
    m->e = x->n[S_KV];
    if (reserve(x->s, S_ORD, m->e * sizeof(struct kref)) < 0)
        return -ENOMEM;
    for (i = m->b; i < m->e; i++) {
        struct kv *e = &ARR(x, S_KV, struct kv)[i];

        ARR(x, S_ORD, struct kref)[i] = (struct kref){e->k, e->nk, i};
    }
    return sort_refs(ARR(x, S_ORD, struct kref) + m->b, m->e - m->b);
}

/* An array of strings (copy_any() of BucketColumns, SkewedColumnNames); null is absent. */
static int parse_str_array(struct ctx *x, struct cur *c, bool *present, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = rg->e = x->n[S_STRS];
    if (peek(c) == 'n') {
        struct val v;

        *present = false;
        return parse_value(c, &v, 0); /* null: copy_any() skips it */
    }
    if (peek(c) != '[')
        return FB; /* copied as it is: not worth handling */
    *present = true;
    for (;;) {
        struct str *s;

        if ((r = arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if (*c->p != '"')
            return FB;
        if (!(s = push(x, S_STRS, sizeof(*s))))
            return -ENOMEM;
        if ((r = scan_string(c, &s->p, &s->n)) != 0)
            return r;
    }
    rg->e = x->n[S_STRS];
    return 0;
}

/* A string member copied by copy_nonempty_string(). */
static int parse_nonempty(struct cur *c, bool *has, struct str *s)
{
    struct val v;
    int r = parse_value(c, &v, 0);

    if (r == 0 && v.t == T_STR && v.n > 0) {
        *has = true;
        *s = (struct str){NULL, 0, v.s, v.n};
    }
    return r;
}

static int parse_bool(struct cur *c, bool *has, bool *val)
{
    struct val v;
    int r = parse_value(c, &v, 0);

    if (r == 0 && (v.t == T_TRUE || v.t == T_FALSE)) {
        *has = true;
        *val = v.t == T_TRUE;
    }
    return r;
}

static int parse_int(struct cur *c, bool *has, long long *val)
{
    struct val v;
    int r = parse_value(c, &v, 0);

    if (r == 0 && v.t == T_INT) {
        *has = true;
        *val = v.i;
    }
    return r;
}

/* copy_time(): a positive number of seconds, truncated. */
static int parse_time(struct cur *c, bool *has, long long *val)
{
    struct val v;
    double d;
    int r = parse_value(c, &v, 0);

    if (r || (v.t != T_INT && v.t != T_REAL))
        return r;
    d = v.t == T_INT ? (double)v.i : v.d;
    if (d <= 0 || d > 4e12)
        return 0;
    *has = true;
    *val = (long long)d;
    return 0;
}

/* g2d_map_location() applied to @p v: the longest matching prefix of the location map. */
static int map_location(const struct g2d_config *cfg, struct str *v)
{
    const struct g2d_location_rule *best = g2d_location_match(cfg, v->p, v->n);
    size_t best_len;

    if (!best)
        return 0;
    best_len = strlen(best->from);
    v->pre = best->to;
    v->npre = strlen(best->to);
    v->p += best_len;
    v->n -= best_len;
    /* json_string() of the result must succeed; two valid halves make a valid whole. */
    return g2d_utf8_valid(v->pre, v->npre) && g2d_utf8_valid(v->p, v->n) ? 0 : FB;
}

static int parse_column(struct ctx *x, struct cur *c, struct col *col)
{
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    col->params.b = col->params.e = x->n[S_KV];
    if (peek(c) != '{') {
        struct val v;

        return parse_value(c, &v, 0); /* not an object: an empty column */
    }
    for (;;) {
        if ((r = obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            return 0;
        if (KEY("Name")) {
            SEEN(0);
            r = parse_nonempty(c, &col->has_name, &col->name);
        } else if (KEY("Type")) {
            struct val v;

            SEEN(1);
            r = parse_value(c, &v, 0);
            if (r == 0 && v.t == T_STR) {
                col->has_type = true;
                col->type = (struct str){NULL, 0, v.s, v.n};
            } else if (r == 0 && v.t != T_NULL) {
                return FB; /* copy_any() of another type: not handled */
            }
        } else if (KEY("Comment")) {
            SEEN(2);
            r = parse_nonempty(c, &col->has_comment, &col->comment);
        } else if (KEY("Parameters")) {
            SEEN(3);
            r = parse_map(x, c, &col->params);
        } else {
            r = skip_value(c, 0);
        }
        if (r)
            return r;
    }
}

static int parse_columns(struct ctx *x, struct cur *c, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = rg->e = x->n[S_COLS];
    for (;;) {
        struct col col = {0};

        if ((r = arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if ((r = parse_column(x, c, &col)) != 0)
            return r;
        {
            struct col *e = push(x, S_COLS, sizeof(*e));

            if (!e)
                return -ENOMEM;
            *e = col;
        }
    }
    rg->e = x->n[S_COLS];
    return 0;
}

static int parse_sortcols(struct ctx *x, struct cur *c, struct range *rg)
{
    int st = 0, r;
    bool more;

    rg->b = rg->e = x->n[S_SORTS];
    for (;;) {
        struct sortc sc = {0}, *e;

        if ((r = arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if (*c->p == '{') {
            const char *k;
            size_t nk;
            unsigned seen = 0;
            int st2 = 0;

            for (;;) {
                if ((r = obj_next(c, &st2, &k, &nk)) != 0)
                    return r;
                if (!k)
                    break;
                if (KEY("Column")) {
                    SEEN(0);
                    r = parse_nonempty(c, &sc.has_col, &sc.col);
                } else if (KEY("SortOrder")) {
                    SEEN(1);
                    r = parse_int(c, &sc.has_order, &sc.order);
                } else {
                    r = skip_value(c, 0);
                }
                if (r)
                    return r;
            }
        } else if ((r = skip_value(c, 0)) != 0) {
            return r;
        }
        if (!(e = push(x, S_SORTS, sizeof(*e))))
            return -ENOMEM;
        *e = sc;
    }
    rg->e = x->n[S_SORTS];
    return 0;
}

/* Append to S_SIDE. */
static int side_put(struct ctx *x, const void *p, size_t n)
{
    if (reserve(x->s, S_SIDE, x->n[S_SIDE] + n) < 0)
        return -ENOMEM;
    memcpy((char *)x->s->mem[S_SIDE] + x->n[S_SIDE], p, n);
    x->n[S_SIDE] += n;
    return 0;
}

struct skew_out {
    struct ctx *x;
    bool first;
};

static int skew_piece(const char *p, size_t n, void *arg)
{
    struct skew_out *o = arg;
    int r;

    if ((r = side_put(o->x, o->first ? "\"" : ",\"", o->first ? 1 : 2)) != 0 ||
        (r = side_put(o->x, p, n)) != 0 || (r = side_put(o->x, "\"", 1)) != 0)
        return r;
    o->first = false;
    return 0;
}

/*
 * g2d_decode_skewed_value() of @p s, rendered as compact JSON (an array of strings, as both
 * json_dumps(JSON_COMPACT) and g2d_jwrite_value() write it) into S_SIDE.
 */
static int render_skewed(struct ctx *x, const char *s, size_t len, struct span *out)
{
    size_t start_off = x->n[S_SIDE];
    struct skew_out o = {x, true};
    int r;

    out->off = start_off;
    if ((r = side_put(x, "[", 1)) != 0)
        return r;
    r = g2d_skewed_pieces(s, len, skew_piece, &o);
    if (r < 0)
        return r;
    if (r == 0 && ((r = side_put(x, "\"", 1)) != 0 || (r = side_put(x, s, len)) != 0 ||
                   (r = side_put(x, "\"", 1)) != 0))
        return r;
    if ((r = side_put(x, "]", 1)) != 0)
        return r;
    out->n = x->n[S_SIDE] - start_off;
    return 0;
}

static int parse_skewed(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    sd->sk_namer.b = sd->sk_namer.e = x->n[S_STRS];
    sd->sk_valr.b = sd->sk_valr.e = x->n[S_SKV];
    sd->sk_mapr.b = sd->sk_mapr.e = x->n[S_SKM];
    for (;;) {
        if ((r = obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            return 0;
        if (KEY("SkewedColumnNames")) {
            SEEN(0);
            r = parse_str_array(x, c, &sd->sk_names, &sd->sk_namer);
        } else if (KEY("SkewedColumnValues")) {
            SEEN(1);
            if (*c->p != '[') {
                r = skip_value(c, 0);
            } else {
                int st2 = 0;
                bool more;

                sd->sk_vals = true;
                sd->sk_valr.b = x->n[S_SKV];
                for (;;) {
                    struct val v;
                    struct span *e;

                    if ((r = arr_next(c, &st2, &more)) != 0)
                        return r;
                    if (!more)
                        break;
                    if ((r = parse_value(c, &v, 0)) != 0)
                        return r;
                    if (v.t != T_STR)
                        continue; /* skipped by map_skewed() */
                    if (!(e = push(x, S_SKV, sizeof(*e))))
                        return -ENOMEM;
                    if ((r = render_skewed(x, v.s, v.n, e)) != 0)
                        return r;
                }
                sd->sk_valr.e = x->n[S_SKV];
            }
        } else if (KEY("SkewedColumnValueLocationMaps")) {
            SEEN(2);
            if (*c->p != '{') {
                r = skip_value(c, 0);
            } else {
                int st2 = 0;

                sd->sk_maps = true;
                sd->sk_mapr.b = x->n[S_SKM];
                for (;;) {
                    const char *k2;
                    size_t nk2;
                    struct skm *e;

                    if ((r = obj_next(c, &st2, &k2, &nk2)) != 0)
                        return r;
                    if (!k2)
                        break;
                    if (*c->p != '"' || !x->cfg)
                        return FB; /* model.c fails on a non-string location */
                    if (!(e = push(x, S_SKM, sizeof(*e))))
                        return -ENOMEM;
                    if ((r = scan_string(c, &e->v.p, &e->v.n)) != 0 ||
                        (r = map_location(x->cfg, &e->v)) != 0 ||
                        (r = render_skewed(x, k2, nk2, &e->key)) != 0)
                        return r;
                }
                sd->sk_mapr.e = x->n[S_SKM];
            }
        } else {
            r = skip_value(c, 0);
        }
        if (r)
            return r;
    }
}

static int parse_serde(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    const char *k;
    size_t nk, i;
    unsigned seen = 0;
    int st = 0, r;

    sd->serde_params.b = sd->serde_params.e = x->n[S_KV];
    for (;;) {
        if ((r = obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (KEY("Name")) {
            SEEN(0);
            r = parse_nonempty(c, &sd->sname, &sd->serde_name);
        } else if (KEY("SerializationLibrary")) {
            SEEN(1);
            r = parse_nonempty(c, &sd->slib, &sd->serde_lib);
        } else if (KEY("Parameters")) {
            SEEN(2);
            r = parse_map(x, c, &sd->serde_params);
        } else {
            r = skip_value(c, 0);
        }
        if (r)
            return r;
    }
    /* Spark keeps the table path in the SerDe parameters too. */
    for (i = sd->serde_params.b; x->cfg && i < sd->serde_params.e; i++) {
        struct kv *e = &ARR(x, S_KV, struct kv)[i];

        if (e->is_str && key_is(e->k, e->nk, "path", 4))
            return map_location(x->cfg, &e->v);
    }
    return 0;
}

static int parse_sd(struct ctx *x, struct cur *c)
{
    struct sd *sd = &x->sd;
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    sd->params.b = sd->params.e = x->n[S_KV];
    for (;;) {
        char ch;

        if ((r = obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        ch = *c->p;
        if (KEY("Columns")) {
            SEEN(0);
            sd->cols = ch == '[';
            r = sd->cols ? parse_columns(x, c, &sd->colr) : skip_value(c, 0);
        } else if (KEY("Location")) {
            SEEN(1);
            r = parse_nonempty(c, &sd->loc, &sd->location);
        } else if (KEY("InputFormat")) {
            SEEN(2);
            r = parse_nonempty(c, &sd->inf, &sd->inputf);
        } else if (KEY("OutputFormat")) {
            SEEN(3);
            r = parse_nonempty(c, &sd->outf, &sd->outputf);
        } else if (KEY("Compressed")) {
            SEEN(4);
            r = parse_bool(c, &sd->comp, &sd->compv);
        } else if (KEY("NumberOfBuckets")) {
            SEEN(5);
            r = parse_int(c, &sd->nb, &sd->nbuckets);
        } else if (KEY("SerdeInfo")) {
            SEEN(6);
            sd->serde = ch == '{';
            r = sd->serde ? parse_serde(x, c) : skip_value(c, 0);
        } else if (KEY("BucketColumns")) {
            SEEN(7);
            r = parse_str_array(x, c, &sd->bucket, &sd->bucketr);
        } else if (KEY("SortColumns")) {
            SEEN(8);
            sd->sort = ch == '[';
            r = sd->sort ? parse_sortcols(x, c, &sd->sortr) : skip_value(c, 0);
        } else if (KEY("Parameters")) {
            SEEN(9);
            r = parse_map(x, c, &sd->params);
        } else if (KEY("SkewedInfo")) {
            SEEN(10);
            sd->skew = ch == '{';
            r = sd->skew ? parse_skewed(x, c) : skip_value(c, 0);
        } else if (KEY("StoredAsSubDirectories")) {
            SEEN(11);
            r = parse_bool(c, &sd->stored, &sd->storedv);
        } else if (KEY("AdditionalLocations")) {
            SEEN(12);
            if (ch == '[') {
                struct cur look = {c->p + 1, c->end};

                if (peek(&look) != ']')
                    x->out->dropped |= G2D_DROP_SD_ADDITIONAL_LOCATIONS;
            }
            r = skip_value(c, 0);
        } else if (KEY("SchemaReference")) {
            SEEN(13);
            if (ch == '{')
                x->out->dropped |= G2D_DROP_SD_SCHEMA_REFERENCE;
            r = skip_value(c, 0);
        } else {
            r = skip_value(c, 0);
        }
        if (r)
            return r;
    }
    if (sd->loc && (r = map_location(x->cfg, &sd->location)) != 0)
        return r;
    return 0;
}

static int parse_values(struct ctx *x, struct cur *c)
{
    struct g2d_ptrans_out *o = x->out;
    int st = 0, r;
    bool more;

    for (;;) {
        const char *s;
        size_t n;

        if ((r = arr_next(c, &st, &more)) != 0)
            return r;
        if (!more)
            break;
        if (*c->p != '"' || o->nvalues == G2D_PTRANS_MAX_VALUES)
            return FB; /* a non-string value is an error of the DOM path */
        if ((r = scan_string(c, &s, &n)) != 0)
            return r;
        o->val[o->nvalues] = s;
        o->vlen[o->nvalues++] = n;
    }
    return o->nvalues ? 0 : FB;
}

static int parse_partition(struct ctx *x, struct cur *c)
{
    const char *k;
    size_t nk;
    unsigned seen = 0;
    int st = 0, r;

    x->params.b = x->params.e = 0;
    for (;;) {
        if ((r = obj_next(c, &st, &k, &nk)) != 0)
            return r;
        if (!k)
            break;
        if (KEY("Values")) {
            SEEN(0);
            r = parse_values(x, c);
        } else if (KEY("LastAccessTime")) {
            SEEN(1);
            r = parse_time(c, &x->lat, &x->latv);
        } else if (KEY("LastAnalyzedTime")) {
            SEEN(2);
            r = parse_time(c, &x->lan, &x->lanv);
        } else if (KEY("Parameters")) {
            SEEN(3);
            r = parse_map(x, c, &x->params);
        } else if (KEY("StorageDescriptor")) {
            SEEN(4);
            x->sd_present = *c->p == '{';
            r = x->sd_present ? parse_sd(x, c) : skip_value(c, 0);
        } else {
            r = skip_value(c, 0);
        }
        if (r)
            return r;
    }
    if (!(seen & 1u))
        return FB; /* no Values: an error of the DOM path */
    ws(c);
    return c->p == c->end ? 0 : FB;
}

/* After the parse: the skewed location-map keys, sorted (they exist only rendered). */
static int sort_skew_keys(struct ctx *x)
{
    struct range *rg = &x->sd.sk_mapr;
    size_t i;

    if (!x->sd.sk_maps || rg->e == rg->b)
        return 0;
    if (reserve(x->s, S_SKORD, rg->e * sizeof(struct kref)) < 0)
        return -ENOMEM;
    for (i = rg->b; i < rg->e; i++) {
        struct skm *e = &ARR(x, S_SKM, struct skm)[i];

        ARR(x, S_SKORD, struct kref)
        [i] = (struct kref){(char *)x->s->mem[S_SIDE] + e->key.off, e->key.n, i};
    }
    /* Two keys decoding to one (json_object_set() replaces): fall back. */
    return sort_refs(ARR(x, S_SKORD, struct kref) + rg->b, rg->e - rg->b);
}

/* ---- the PartitionInput text (model.c's insertion order) ------------------------------- */

static void emit_map(struct ctx *x, struct wb *w, const struct map *m)
{
    const struct kv *kv = ARR(x, S_KV, struct kv);
    bool first = true;
    size_t i;

    w_c(w, '{');
    for (i = m->b; i < m->e; i++) {
        if (!kv[i].is_str)
            continue;
        if (!first)
            w_c(w, ',');
        first = false;
        w_plain(w, kv[i].k, kv[i].nk);
        w_c(w, ':');
        w_str(w, &kv[i].v);
    }
    w_c(w, '}');
}

static void emit_strs(struct ctx *x, struct wb *w, const struct range *rg)
{
    const struct str *s = ARR(x, S_STRS, struct str);
    size_t i;

    w_c(w, '[');
    for (i = rg->b; i < rg->e; i++) {
        if (i > rg->b)
            w_c(w, ',');
        w_plain(w, s[i].p, s[i].n);
    }
    w_c(w, ']');
}

static void emit_skew_values(struct ctx *x, struct wb *w)
{
    const struct span *v = ARR(x, S_SKV, struct span);
    const char *side = x->s->mem[S_SIDE];
    size_t i;

    w_c(w, '[');
    for (i = x->sd.sk_valr.b; i < x->sd.sk_valr.e; i++) {
        if (i > x->sd.sk_valr.b)
            w_c(w, ',');
        w_raw(w, side + v[i].off, v[i].n);
    }
    w_c(w, ']');
}

/* "key": with a leading comma unless first. */
#define MEMBER_KEY(w, first, lit)                                                                  \
    do {                                                                                           \
        if (!(first))                                                                              \
            w_c((w), ',');                                                                         \
        (first) = false;                                                                           \
        w_lit((w), "\"" lit "\":");                                                                \
    } while (0)

static void emit_sd(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    bool first = true;
    size_t i;

    w_c(w, '{');
    if (sd->cols) {
        const struct col *cols = ARR(x, S_COLS, struct col);

        MEMBER_KEY(w, first, "Cols");
        w_c(w, '[');
        for (i = sd->colr.b; i < sd->colr.e; i++) {
            const struct col *c = &cols[i];
            bool f = true;

            if (i > sd->colr.b)
                w_c(w, ',');
            w_c(w, '{');
            if (c->has_name) {
                MEMBER_KEY(w, f, "Name");
                w_str(w, &c->name);
            }
            if (c->has_type) {
                MEMBER_KEY(w, f, "Type");
                w_str(w, &c->type);
            }
            if (c->has_comment) {
                MEMBER_KEY(w, f, "Comment");
                w_str(w, &c->comment);
            }
            if (c->params.nstr) {
                MEMBER_KEY(w, f, "Parameters");
                emit_map(x, w, &c->params);
            }
            w_c(w, '}');
        }
        w_c(w, ']');
    }
    if (sd->loc) {
        MEMBER_KEY(w, first, "Location");
        w_str(w, &sd->location);
    }
    if (sd->inf) {
        MEMBER_KEY(w, first, "InputFormat");
        w_str(w, &sd->inputf);
    }
    if (sd->outf) {
        MEMBER_KEY(w, first, "OutputFormat");
        w_str(w, &sd->outputf);
    }
    if (sd->comp) {
        MEMBER_KEY(w, first, "Compressed");
        if (sd->compv)
            w_lit(w, "true");
        else
            w_lit(w, "false");
    }
    if (sd->nb) {
        MEMBER_KEY(w, first, "NumBuckets");
        w_int(w, sd->nbuckets);
    }
    if (sd->serde) {
        bool f = true;

        MEMBER_KEY(w, first, "SerDeInfo");
        w_c(w, '{');
        if (sd->sname) {
            MEMBER_KEY(w, f, "Name");
            w_str(w, &sd->serde_name);
        }
        if (sd->slib) {
            MEMBER_KEY(w, f, "SerializationLib");
            w_str(w, &sd->serde_lib);
        }
        if (sd->serde_params.nstr) {
            MEMBER_KEY(w, f, "Parameters");
            emit_map(x, w, &sd->serde_params);
        }
        w_c(w, '}');
    }
    if (sd->bucket) {
        MEMBER_KEY(w, first, "BucketCols");
        emit_strs(x, w, &sd->bucketr);
    }
    if (sd->sort) {
        const struct sortc *s = ARR(x, S_SORTS, struct sortc);

        MEMBER_KEY(w, first, "SortCols");
        w_c(w, '[');
        for (i = sd->sortr.b; i < sd->sortr.e; i++) {
            bool f = true;

            if (i > sd->sortr.b)
                w_c(w, ',');
            w_c(w, '{');
            if (s[i].has_col) {
                MEMBER_KEY(w, f, "Col");
                w_str(w, &s[i].col);
            }
            if (s[i].has_order) {
                MEMBER_KEY(w, f, "Order");
                w_int(w, s[i].order);
            }
            w_c(w, '}');
        }
        w_c(w, ']');
    }
    if (sd->params.nstr) {
        MEMBER_KEY(w, first, "Parameters");
        emit_map(x, w, &sd->params);
    }
    if (sd->skew) {
        bool f = true;

        MEMBER_KEY(w, first, "SkewedInfo");
        w_c(w, '{');
        if (sd->sk_names) {
            MEMBER_KEY(w, f, "SkewedColNames");
            emit_strs(x, w, &sd->sk_namer);
        }
        if (sd->sk_vals) {
            MEMBER_KEY(w, f, "SkewedColValues");
            emit_skew_values(x, w);
        }
        if (sd->sk_maps) {
            const struct skm *m = ARR(x, S_SKM, struct skm);
            const char *side = x->s->mem[S_SIDE];

            MEMBER_KEY(w, f, "SkewedColValueLocationMaps");
            w_c(w, '{');
            for (i = sd->sk_mapr.b; i < sd->sk_mapr.e; i++) {
                if (i > sd->sk_mapr.b)
                    w_c(w, ',');
                w_c(w, '"');
                w_esc(w, side + m[i].key.off, m[i].key.n);
                w_lit(w, "\":");
                w_str(w, &m[i].v);
            }
            w_c(w, '}');
        }
        w_c(w, '}');
    }
    if (sd->stored) {
        MEMBER_KEY(w, first, "StoredAsSubDirectories");
        if (sd->storedv)
            w_lit(w, "true");
        else
            w_lit(w, "false");
    }
    w_c(w, '}');
}

static void emit_partition(struct ctx *x, struct wb *w, const char *db, const char *table)
{
    const struct g2d_ptrans_out *o = x->out;
    size_t i;

    w_lit(w, "{\"Values\":[");
    for (i = 0; i < o->nvalues; i++) {
        if (i)
            w_c(w, ',');
        w_plain(w, o->val[i], o->vlen[i]);
    }
    w_lit(w, "],\"DatabaseName\":\"");
    w_esc(w, db, strlen(db));
    w_lit(w, "\",\"TableName\":\"");
    w_esc(w, table, strlen(table));
    w_c(w, '"');
    if (x->lat) {
        w_lit(w, ",\"LastAccessTime\":");
        w_int(w, x->latv);
    }
    if (x->lan) {
        w_lit(w, ",\"LastAnalyzedTime\":");
        w_int(w, x->lanv);
    }
    if (x->params.nstr) {
        w_lit(w, ",\"Parameters\":");
        emit_map(x, w, &x->params);
    }
    if (x->sd_present) {
        w_lit(w, ",\"Sd\":");
        emit_sd(x, w);
    }
    w_c(w, '}');
}

/* ---- the normalised text (canon() of model.c) ------------------------------------------ */

/*
 * Each canon_* writes a value and returns true, or writes nothing and returns false when
 * canon() would find it empty. CANON_MEMBER writes "key": and drops it again if the value
 * turned out empty.
 */
#define CANON_MEMBER(w, any, lit, expr)                                                            \
    do {                                                                                           \
        size_t m_ = (w)->len;                                                                      \
        if (any)                                                                                   \
            w_c((w), ',');                                                                         \
        w_lit((w), "\"" lit "\":");                                                                \
        if (expr)                                                                                  \
            (any) = true;                                                                          \
        else                                                                                       \
            (w)->len = m_;                                                                         \
    } while (0)

static bool canon_str(struct wb *w, const struct str *s)
{
    if (s->npre + s->n == 0)
        return false;
    w_str(w, s);
    return true;
}

static bool canon_volatile(const char *k, size_t n)
{
    return g2d_param_is_volatile_n(k, n); /* model.c's list, the one truth */
}

static bool canon_map(struct ctx *x, struct wb *w, const struct map *m, bool params)
{
    const struct kv *kv = ARR(x, S_KV, struct kv);
    const struct kref *ord = ARR(x, S_ORD, struct kref);
    size_t start = w->len, i;
    bool any = false;

    if (!m->nstr)
        return false;
    w_c(w, '{');
    for (i = m->b; i < m->e; i++) {
        const struct kv *e = &kv[ord[i].i];

        if (!e->is_str || e->v.npre + e->v.n == 0 || (params && canon_volatile(e->k, e->nk)))
            continue;
        if (any)
            w_c(w, ',');
        any = true;
        w_plain(w, e->k, e->nk);
        w_c(w, ':');
        w_str(w, &e->v);
    }
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

/* An array of strings: the same text as written, unless empty. */
static bool canon_strs(struct ctx *x, struct wb *w, const struct range *rg)
{
    if (rg->e == rg->b)
        return false;
    emit_strs(x, w, rg);
    return true;
}

static bool canon_col(struct ctx *x, struct wb *w, const struct col *c)
{
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (c->has_comment)
        CANON_MEMBER(w, any, "Comment", canon_str(w, &c->comment));
    if (c->has_name)
        CANON_MEMBER(w, any, "Name", canon_str(w, &c->name));
    if (c->params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &c->params, false));
    if (c->has_type)
        CANON_MEMBER(w, any, "Type", canon_str(w, &c->type));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

static bool canon_cols(struct ctx *x, struct wb *w)
{
    const struct col *cols = ARR(x, S_COLS, struct col);
    size_t i;

    if (x->sd.colr.e == x->sd.colr.b)
        return false;
    w_c(w, '[');
    for (i = x->sd.colr.b; i < x->sd.colr.e; i++) {
        if (i > x->sd.colr.b)
            w_c(w, ',');
        if (!canon_col(x, w, &cols[i]))
            w_lit(w, "{}");
    }
    w_c(w, ']');
    return true;
}

static bool canon_sortcols(struct ctx *x, struct wb *w)
{
    const struct sortc *s = ARR(x, S_SORTS, struct sortc);
    size_t i;

    if (x->sd.sortr.e == x->sd.sortr.b)
        return false;
    w_c(w, '[');
    for (i = x->sd.sortr.b; i < x->sd.sortr.e; i++) {
        bool any = false;

        if (i > x->sd.sortr.b)
            w_c(w, ',');
        w_c(w, '{');
        if (s[i].has_col)
            CANON_MEMBER(w, any, "Col", canon_str(w, &s[i].col));
        if (s[i].has_order) {
            CANON_MEMBER(w, any, "Order", (w_int(w, s[i].order), true));
        }
        w_c(w, '}');
    }
    w_c(w, ']');
    return true;
}

static bool canon_serde(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (sd->sname)
        CANON_MEMBER(w, any, "Name", canon_str(w, &sd->serde_name));
    if (sd->serde_params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &sd->serde_params, false));
    if (sd->slib)
        CANON_MEMBER(w, any, "SerializationLib", canon_str(w, &sd->serde_lib));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

static bool canon_skew_maps(struct ctx *x, struct wb *w)
{
    const struct skm *m = ARR(x, S_SKM, struct skm);
    const struct kref *ord = ARR(x, S_SKORD, struct kref);
    size_t start = w->len, i;
    bool any = false;

    w_c(w, '{');
    for (i = x->sd.sk_mapr.b; i < x->sd.sk_mapr.e; i++) {
        const struct skm *e = &m[ord[i].i];

        if (e->v.npre + e->v.n == 0)
            continue;
        if (any)
            w_c(w, ',');
        any = true;
        w_c(w, '"');
        w_esc(w, ord[i].p, ord[i].n);
        w_lit(w, "\":");
        w_str(w, &e->v);
    }
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

static bool canon_skew(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (sd->sk_names)
        CANON_MEMBER(w, any, "SkewedColNames", canon_strs(x, w, &sd->sk_namer));
    if (sd->sk_maps)
        CANON_MEMBER(w, any, "SkewedColValueLocationMaps", canon_skew_maps(x, w));
    if (sd->sk_vals && sd->sk_valr.e > sd->sk_valr.b)
        CANON_MEMBER(w, any, "SkewedColValues", (emit_skew_values(x, w), true));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

/* Sd with model.c's sd_keys whitelist, in that order. */
static bool canon_sd(struct ctx *x, struct wb *w)
{
    const struct sd *sd = &x->sd;
    size_t start = w->len;
    bool any = false;

    w_c(w, '{');
    if (sd->bucket)
        CANON_MEMBER(w, any, "BucketCols", canon_strs(x, w, &sd->bucketr));
    if (sd->cols)
        CANON_MEMBER(w, any, "Cols", canon_cols(x, w));
    if (sd->comp && sd->compv)
        CANON_MEMBER(w, any, "Compressed", (w_lit(w, "true"), true));
    if (sd->inf)
        CANON_MEMBER(w, any, "InputFormat", canon_str(w, &sd->inputf));
    if (sd->loc)
        CANON_MEMBER(w, any, "Location", canon_str(w, &sd->location));
    if (sd->nb && sd->nbuckets > 0)
        CANON_MEMBER(w, any, "NumBuckets", (w_int(w, sd->nbuckets), true));
    if (sd->outf)
        CANON_MEMBER(w, any, "OutputFormat", canon_str(w, &sd->outputf));
    if (sd->params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &sd->params, false));
    if (sd->serde)
        CANON_MEMBER(w, any, "SerDeInfo", canon_serde(x, w));
    if (sd->skew)
        CANON_MEMBER(w, any, "SkewedInfo", canon_skew(x, w));
    if (sd->sort)
        CANON_MEMBER(w, any, "SortCols", canon_sortcols(x, w));
    if (sd->stored && sd->storedv)
        CANON_MEMBER(w, any, "StoredAsSubDirectories", (w_lit(w, "true"), true));
    if (!any) {
        w->len = start;
        return false;
    }
    w_c(w, '}');
    return true;
}

/* The partition with model.c's partition_keys whitelist: Parameters, Sd, Values. */
static void canon_partition(struct ctx *x, struct wb *w)
{
    const struct g2d_ptrans_out *o = x->out;
    bool any = false;
    size_t i;

    w_c(w, '{');
    if (x->params.nstr)
        CANON_MEMBER(w, any, "Parameters", canon_map(x, w, &x->params, true));
    if (x->sd_present)
        CANON_MEMBER(w, any, "Sd", canon_sd(x, w));
    if (any)
        w_c(w, ',');
    /* Values is never empty; its empty strings are kept as "" (they are in place). */
    w_lit(w, "\"Values\":[");
    for (i = 0; i < o->nvalues; i++) {
        if (i)
            w_c(w, ',');
        w_plain(w, o->val[i], o->vlen[i]);
    }
    w_lit(w, "]}");
}

/* ---- entry point ------------------------------------------------------------------------ */

int g2d_ptrans_partition(const struct g2d_config *cfg, const char *db, const char *table,
                         const char *p, size_t n, struct g2d_buf *text, struct g2d_ptrans_out *out,
                         struct g2d_ptrans_scratch *scratch)
{
    struct ctx x = {.cfg = cfg, .s = scratch, .out = out};
    struct cur c = {p, p + n};
    struct wb w, nw;
    int r;

    out->nvalues = 0;
    out->dropped = 0;
    if (!db || !table || !p || !g2d_utf8_valid(db, strlen(db)) ||
        !g2d_utf8_valid(table, strlen(table)))
        return FB; /* json_string() would fail: the DOM path reports it */
    r = parse_partition(&x, &c);
    if (r == 0)
        r = sort_skew_keys(&x);
    if (r)
        return r;
    if (reserve(scratch, S_OUT, n + 256) < 0 || reserve(scratch, S_NORM, n + 256) < 0)
        return -ENOMEM;
    wb_init(&w, scratch, S_OUT);
    emit_partition(&x, &w, db, table);
    wb_init(&nw, scratch, S_NORM);
    canon_partition(&x, &nw);
    if (w.err || nw.err)
        return -ENOMEM;
    g2d_fp_bytes(nw.p, nw.len, &out->fp);
    return g2d_buf_append(text, w.p, w.len);
}
