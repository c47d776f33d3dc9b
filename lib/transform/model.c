/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "base/jwrite.h"
#include "glue2dlf/model.h"
#include "transform/fields.h"

const struct g2d_location_rule *g2d_location_match(const struct g2d_config *cfg, const char *s,
                                                   size_t n)
{
    const struct g2d_location_rule *best = NULL;
    size_t best_len = 0, i;

    for (i = 0; cfg && i < cfg->nlocation_map; i++) {
        const struct g2d_location_rule *r = &cfg->location_map[i];
        size_t k = strlen(r->from);

        /* Longest wins; among equal lengths the first rule, as the map was written. */
        if (k > best_len && k <= n && memcmp(s, r->from, k) == 0) {
            best = r;
            best_len = k;
        }
    }
    return best;
}

char *g2d_map_location(const struct g2d_config *cfg, const char *location)
{
    size_t n = strlen(location), from, to;
    const struct g2d_location_rule *best = g2d_location_match(cfg, location, n);
    char *out;

    if (!best)
        return strdup(location);
    from = strlen(best->from);
    to = strlen(best->to);
    out = malloc(to + n - from + 1);
    if (!out)
        return NULL;
    memcpy(out, best->to, to);
    memcpy(out + to, location + from, n - from + 1);
    return out;
}

void g2d_fp_bytes(const void *data, size_t len, struct g2d_fp *out)
{
    uint8_t md[SHA256_DIGEST_LENGTH];

    SHA256(data, len, md);
    memcpy(out->b, md, G2D_FP_LEN);
}

char *g2d_canonical_json(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* ---- dropped fields, volatile parameters, skewed values -------------------------------- */

static const char *const drop_names[G2D_DROP_COUNT] = {
    "Database.CreateTableDefaultPermissions",
    "Database.TargetDatabase",
    "Database.FederatedDatabase",
    "Table.TargetTable",
    "Table.ViewDefinition",
    "Table.FederatedTable",
    "Table.Description (kept as Parameters.comment only when that is unset)",
    "StorageDescriptor.AdditionalLocations",
    "StorageDescriptor.SchemaReference",
    "UserDefinedFunction.FunctionType (DLF takes JAVA)",
};

const char *g2d_drop_name(unsigned bit)
{
    unsigned i;

    for (i = 0; i < G2D_DROP_COUNT; i++)
        if (bit == (1u << i))
            return drop_names[i];
    return "unknown";
}

/*
 * Parameters that services rewrite on their own: Hive's DDL timestamp and the
 * last-modified pair Spark and Glue set. They are written with a create or an update that
 * happens for another reason, but never cause an update by themselves.
 */
static const char *const volatile_params[] = {
    "transient_lastDdlTime",
    "last_modified_time",
    "last_modified_by",
    NULL,
};

bool g2d_param_is_volatile_n(const char *key, size_t n)
{
    const char *const *p;

    for (p = volatile_params; *p; p++)
        if (strlen(*p) == n && memcmp(*p, key, n) == 0)
            return true;
    return false;
}

bool g2d_param_is_volatile(const char *key)
{
    return g2d_param_is_volatile_n(key, strlen(key));
}

/* Number of UTF-16 code units of the UTF-8 character starting at s (Java lengths). */
static size_t utf8_char(const unsigned char *s, size_t left, unsigned *units)
{
    size_t n = 1;

    if (s[0] >= 0xf0)
        n = 4;
    else if (s[0] >= 0xe0)
        n = 3;
    else if (s[0] >= 0xc0)
        n = 2;
    if (n > left)
        n = left;
    *units = n == 4 ? 2 : 1;
    return n;
}

/* One pass over a `<len>$<value>` string: each piece to @p cb (if given). 1 if s is one. */
static int skewed_walk(const char *s, size_t len, int (*cb)(const char *p, size_t n, void *arg),
                       void *arg)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    if (p == end)
        return 0;
    while (p < end) {
        unsigned long n = 0, got = 0;
        const unsigned char *start;
        int r;

        if (*p < '0' || *p > '9')
            return 0;
        while (p < end && *p >= '0' && *p <= '9') {
            n = n * 10 + (unsigned long)(*p - '0');
            if (n > 1u << 20)
                return 0;
            p++;
        }
        if (p >= end || *p != '$')
            return 0;
        start = ++p;
        while (got < n && p < end) {
            unsigned units;

            p += utf8_char(p, (size_t)(end - p), &units);
            got += units;
        }
        if (got != n)
            return 0;
        if (cb && (r = cb((const char *)start, (size_t)(p - start), arg)) != 0)
            return r;
    }
    return 1;
}

int g2d_skewed_pieces(const char *s, size_t len, int (*cb)(const char *p, size_t n, void *arg),
                      void *arg)
{
    int r = skewed_walk(s, len, NULL, NULL);

    return r == 1 ? skewed_walk(s, len, cb, arg) : r;
}

static int skewed_append(const char *p, size_t n, void *arg)
{
    return json_array_append_new(arg, json_stringn(p, n)) ? -ENOMEM : 0;
}

json_t *g2d_decode_skewed_value(const char *s)
{
    json_t *arr = json_array();
    int r;

    if (!arr)
        return NULL;
    r = g2d_skewed_pieces(s, strlen(s), skewed_append, arr);
    if (r == 0 && json_array_append_new(arr, json_string(s)) == 0)
        return arr; /* not in that form: the string itself */
    if (r == 1)
        return arr;
    json_decref(arr);
    return NULL;
}

/* ---- the DOM path: build a DLF object by the field table (fields.c) ------------------ */

struct build {
    const struct g2d_config *cfg;
    const char *db, *table;
    struct g2d_model_notes *notes;
};

static int set_new_checked(json_t *o, const char *k, json_t *v)
{
    if (!v)
        return -ENOMEM;
    return json_object_set_new(o, k, v) ? -ENOMEM : 0;
}

/* Set @p key of @p o to the location @p v mapped. */
static int set_location(const struct g2d_config *cfg, json_t *o, const char *key, const char *v)
{
    char *m = g2d_map_location(cfg, v);
    int r;

    if (!m)
        return -ENOMEM;
    r = set_new_checked(o, key, json_string(m));
    free(m);
    return r;
}

/* Apply the location map to a string member in place, if present. */
static int map_member(const struct g2d_config *cfg, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v) || !cfg)
        return 0;
    return set_location(cfg, o, key, json_string_value(v));
}

/* FK_MAP: a string→string map, string values only; absent or empty maps are skipped. */
static int build_map(const struct build *bc, const struct g2d_field *f, json_t *m, json_t *dst)
{
    json_t *copy, *v;
    const char *k;
    int r = 0;

    if (!json_is_object(m) || json_object_size(m) == 0)
        return 0;
    copy = json_object();
    if (!copy)
        return -ENOMEM;
    json_object_foreach(m, k, v)
    {
        if (json_is_string(v) && json_object_set(copy, k, v)) {
            json_decref(copy);
            return -ENOMEM;
        }
    }
    if (json_object_size(copy) == 0) {
        json_decref(copy);
        return 0;
    }
    if (f->flags & FF_MAP_PATH)
        r = map_member(bc->cfg, copy, "path");
    json_object_foreach(copy, k, v)
    {
        if (!r && (f->flags & FF_MAP_OTF) && g2d_fields_otf_location(k, strlen(k)))
            r = map_member(bc->cfg, copy, k);
    }
    if (r) {
        json_decref(copy);
        return r;
    }
    return json_object_set_new(dst, f->dlf, copy) ? -ENOMEM : 0;
}

static json_t *build_object(const struct build *bc, const struct g2d_fields *fs, json_t *src);

/* FK_OBJS: each element mapped (a non-object becomes {}). */
static json_t *build_objects(const struct build *bc, const struct g2d_fields *fs, json_t *arr)
{
    json_t *out = json_array(), *e;
    size_t i;

    json_array_foreach(arr, i, e)
    {
        if (!out || json_array_append_new(out, build_object(bc, fs, e))) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *skew_values(json_t *vals)
{
    json_t *a = json_array(), *v;
    size_t i;

    json_array_foreach(vals, i, v)
    {
        if (a && json_is_string(v) &&
            json_array_append_new(a, g2d_decode_skewed_value(json_string_value(v)))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Keys decoded to their tuples' JSON text, locations mapped; a non-string location fails. */
static json_t *skew_maps(const struct g2d_config *cfg, json_t *maps)
{
    json_t *m = json_object(), *v;
    const char *k;
    int r = m ? 0 : -ENOMEM;

    json_object_foreach(maps, k, v)
    {
        json_t *key = g2d_decode_skewed_value(k);
        char *ks = key ? json_dumps(key, JSON_COMPACT) : NULL;

        if (r || !ks || !json_is_string(v) || set_location(cfg, m, ks, json_string_value(v)))
            r = -ENOMEM;
        json_decref(key);
        free(ks);
    }
    if (r) {
        json_decref(m);
        return NULL;
    }
    return m;
}

/* The kinds not read from a plain member: constants, context, notes. */
static int build_other(const struct build *bc, const struct g2d_field *f, json_t *v, json_t *dst)
{
    switch (f->kind) {
    case FK_DB:
        return set_new_checked(dst, f->dlf, json_string(bc->db));
    case FK_TABLE:
        return set_new_checked(dst, f->dlf, json_string(bc->table));
    case FK_CONST:
        if (bc->notes && (f->flags & FF_NOTE_DIFF) && json_is_string(v) &&
            strcmp(json_string_value(v), f->expect) != 0)
            bc->notes->dropped |= f->drop;
        return set_new_checked(dst, f->dlf, json_string(f->konst));
    case FK_NOTE_OBJ:
        if (bc->notes && json_is_object(v))
            bc->notes->dropped |= f->drop;
        return 0;
    default: /* FK_NOTE_ARR */
        if (bc->notes && json_is_array(v) && json_array_size(v))
            bc->notes->dropped |= f->drop;
        return 0;
    }
}

/* Copy one row from @p src to @p dst. 0 or -ENOMEM. */
static int build_field(const struct build *bc, const struct g2d_field *f, json_t *src, json_t *dst)
{
    json_t *v = f->glue ? json_object_get(src, f->glue) : NULL;
    double d;

    switch (f->kind) {
    case FK_STR:
        if (!json_is_string(v) || ((f->flags & FF_NONEMPTY) && json_string_length(v) == 0))
            return 0;
        if ((f->flags & FF_LOCATION) && bc->cfg)
            return set_location(bc->cfg, dst, f->dlf, json_string_value(v));
        break;
    case FK_ANY:
    case FK_STRS:
    case FK_VALUES:
        if (!v || json_is_null(v))
            return 0;
        break;
    case FK_BOOL:
        if (!json_is_boolean(v))
            return 0;
        break;
    case FK_INT:
        if (!json_is_integer(v))
            return 0;
        break;
    case FK_TIME: /* Glue timestamps are epoch seconds as JSON numbers, maybe fractional */
        d = json_is_number(v) ? json_number_value(v) : 0;
        if (d <= 0 || d > 4e12)
            return 0;
        return set_new_checked(dst, f->dlf, json_integer((json_int_t)d));
    case FK_MAP:
        return build_map(bc, f, v, dst);
    case FK_OBJ:
        return json_is_object(v) ? set_new_checked(dst, f->dlf, build_object(bc, f->sub, v)) : 0;
    case FK_OBJS:
        return json_is_array(v) ? set_new_checked(dst, f->dlf, build_objects(bc, f->sub, v)) : 0;
    case FK_SKEW_VALUES:
        return json_is_array(v) ? set_new_checked(dst, f->dlf, skew_values(v)) : 0;
    case FK_SKEW_MAPS:
        return json_is_object(v) ? set_new_checked(dst, f->dlf, skew_maps(bc->cfg, v)) : 0;
    default:
        return build_other(bc, f, v, dst);
    }
    return json_object_set(dst, f->dlf, v) ? -ENOMEM : 0;
}

/* The DLF object for @p src by the rows of @p fs, in their order; NULL when out of memory. */
static json_t *build_object(const struct build *bc, const struct g2d_fields *fs, json_t *src)
{
    json_t *out = json_object();
    unsigned i;

    for (i = 0; out && i < fs->n; i++) {
        if (build_field(bc, &fs->f[i], src, out)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int g2d_model_database(const struct g2d_config *cfg, json_t *glue_db, json_t **out,
                       struct g2d_error *err)
{
    struct build bc = {cfg, NULL, NULL, NULL};
    json_t *name = json_object_get(glue_db, "Name"), *in;

    if (!json_is_string(name) || json_string_length(name) == 0)
        return g2d_error_set(err, -EINVAL, "Glue database without a Name");
    in = build_object(&bc, g2d_fields_get(G2D_FOBJ_DATABASE), glue_db);
    if (!in)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    *out = in;
    return 0;
}

static bool param_ieq(json_t *params, const char *key, const char *val)
{
    json_t *v = json_object_get(params, key);

    return json_is_string(v) && strcasecmp(json_string_value(v), val) == 0;
}

static enum g2d_otf detect_otf(json_t *table)
{
    json_t *p = json_object_get(table, "Parameters");
    json_t *sd = json_object_get(table, "StorageDescriptor");
    json_t *inf = json_object_get(sd, "InputFormat");
    const char *k;
    json_t *v;

    if (param_ieq(p, "table_type", "ICEBERG"))
        return G2D_OTF_ICEBERG;
    if (param_ieq(p, "table_type", "DELTA") || param_ieq(p, "spark.sql.sources.provider", "delta"))
        return G2D_OTF_DELTA;
    if (param_ieq(p, "spark.sql.sources.provider", "hudi") ||
        (json_is_string(inf) && strstr(json_string_value(inf), "hudi")))
        return G2D_OTF_HUDI;
    json_object_foreach(p, k, v)
    {
        if (strncmp(k, "hoodie.", 7) == 0)
            return G2D_OTF_HUDI;
    }
    return G2D_OTF_NONE;
}

/* DLF has no table description: Hive keeps the comment in Parameters.comment. */
static int table_description(json_t *glue_table, json_t *in, struct g2d_model_notes *notes)
{
    json_t *v = json_object_get(glue_table, "Description"), *params, *c;
    const char *desc = json_is_string(v) ? json_string_value(v) : "";

    if (!*desc)
        return 0;
    params = json_object_get(in, "Parameters");
    if (!params) {
        params = json_object();
        if (set_new_checked(in, "Parameters", params))
            return -ENOMEM;
    }
    c = json_object_get(params, "comment");
    if (!c)
        return json_object_set_new(params, "comment", json_string(desc)) ? -ENOMEM : 0;
    if (notes && strcmp(json_string_value(c), desc) != 0)
        notes->dropped |= G2D_DROP_TABLE_DESCRIPTION;
    return 0;
}

int g2d_model_table(const struct g2d_config *cfg, const char *db, json_t *glue_table, json_t **out,
                    struct g2d_model_notes *notes, struct g2d_error *err)
{
    struct g2d_model_notes n = {0};
    struct build bc = {cfg, db, NULL, &n};
    json_t *name = json_object_get(glue_table, "Name"), *in;

    if (!json_is_string(name) || json_string_length(name) == 0)
        return g2d_error_set(err, -EINVAL, "Glue table in '%s' without a Name", db);
    in = build_object(&bc, g2d_fields_get(G2D_FOBJ_TABLE), glue_table);
    if (!in || table_description(glue_table, in, &n)) {
        json_decref(in);
        return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    if (notes) {
        notes->dropped |= n.dropped;
        notes->otf = detect_otf(glue_table);
    }
    *out = in;
    return 0;
}

int g2d_model_partition(const struct g2d_config *cfg, const char *db, const char *table,
                        json_t *glue_part, json_t **out, struct g2d_model_notes *notes,
                        struct g2d_error *err)
{
    struct build bc = {cfg, db, table, notes};
    json_t *values = json_object_get(glue_part, "Values"), *in, *v;
    size_t i;

    if (!json_is_array(values) || json_array_size(values) == 0)
        return g2d_error_set(err, -EINVAL, "Glue partition of '%s.%s' without Values", db, table);
    json_array_foreach(values, i, v)
    {
        if (!json_is_string(v))
            return g2d_error_set(err, -EINVAL, "Glue partition of '%s.%s' with a non-string value",
                                 db, table);
    }
    in = build_object(&bc, g2d_fields_get(G2D_FOBJ_PARTITION), glue_part);
    if (!in)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    *out = in;
    return 0;
}

int g2d_model_function(const struct g2d_config *cfg, json_t *glue_fn, json_t **out,
                       struct g2d_model_notes *notes, struct g2d_error *err)
{
    struct g2d_model_notes n = {0};
    struct build bc = {cfg, NULL, NULL, &n};
    json_t *name = json_object_get(glue_fn, "FunctionName"), *in;

    if (!json_is_string(name) || json_string_length(name) == 0)
        return g2d_error_set(err, -EINVAL, "Glue function without a FunctionName");
    in = build_object(&bc, g2d_fields_get(G2D_FOBJ_FUNCTION), glue_fn);
    if (!in)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    if (notes)
        notes->dropped |= n.dropped;
    *out = in;
    return 0;
}

/* ---- normalisation ------------------------------------------------------------------- */

/*
 * The normalised form is written straight out as canonical JSON text — keys sorted,
 * compact, a fixed escaping — without building any intermediate tree, and hashed. Rules:
 * only the managed members (the rows with FF_FP of a whitelisted field table: each object
 * kind, and Sd); volatile parameters removed (FF_VOLATILE); empty values removed from
 * objects (null, "", false, [], {} and objects that end up empty, FF_POSITIVE integers
 * <= 0); array elements kept in place (an element that is empty is written as "" or {} so
 * positions stay). Fingerprints live only in memory, so this form can change between
 * versions freely.
 */

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * What is known of a value being normalised: @f the row it is the value of (NULL if none:
 * then the generic rules apply), @fs the table of its members if it is an object of a
 * known kind (or of its elements if it is an array of them), @in_map whether it is a value
 * of a parameter map (an empty string is then a value, see README "Empty values").
 */
struct cpos {
    const struct g2d_field *f;
    const struct g2d_fields *fs;
    bool in_map;
};

static int canon(struct g2d_buf *b, json_t *v, struct cpos at, bool *empty);

/* The position of a member of an object at @p at (its row @p f, if known). */
static struct cpos member_pos(struct cpos at, const struct g2d_field *f)
{
    struct cpos m = {f, f && (f->kind == FK_OBJ || f->kind == FK_OBJS) ? f->sub : NULL, false};

    m.in_map = at.f && at.f->kind == FK_MAP;
    return m;
}

/* The keys of @p o, sorted, into @p *keys (@p stack if it fits, else allocated). */
static int sorted_keys(json_t *o, const char **stack, size_t cap, const char ***keys, size_t *n)
{
    const char *k;
    json_t *v;

    *keys = stack;
    *n = 0;
    json_object_foreach(o, k, v)
    {
        if (*n == cap) {
            const char **nk = malloc(2 * cap * sizeof(*nk));

            if (!nk)
                return -ENOMEM;
            memcpy(nk, *keys, *n * sizeof(*nk));
            if (*keys != stack)
                free(*keys);
            *keys = nk;
            cap *= 2;
        }
        (*keys)[(*n)++] = k;
    }
    qsort(*keys, *n, sizeof(**keys), key_cmp);
    return 0;
}

/* "key": and the value; the member is taken back if the value is empty. */
static int canon_member(struct g2d_buf *b, const char *key, json_t *v, struct cpos at, bool *any)
{
    size_t mark = b->len;
    bool e = false;
    int r = *any ? g2d_buf_putc(b, ',') : 0;

    if (r == 0)
        r = g2d_jwrite_string(b, key, strlen(key));
    if (r == 0)
        r = g2d_buf_putc(b, ':');
    if (r == 0)
        r = canon(b, v, at, &e);
    if (r == 0 && e) {
        b->len = mark; /* drop the empty member */
        b->data[b->len] = '\0';
    } else if (r == 0) {
        *any = true;
    }
    return r;
}

/*
 * An object's members in sorted order: the normalised rows of a whitelisted table, else
 * all of them (a parameter map with FF_VOLATILE: but the volatile parameters).
 */
static int canon_object(struct g2d_buf *b, json_t *o, struct cpos at, bool *empty)
{
    const struct g2d_fields *wl = at.fs && at.fs->whitelist ? at.fs : NULL;
    bool vol = at.f && at.f->kind == FK_MAP && (at.f->flags & FF_VOLATILE), any = false;
    const char *stack[32], **keys = stack;
    size_t n = 0, i, start = b->len;
    int r = wl ? 0 : sorted_keys(o, stack, 32, &keys, &n);

    if (r == 0)
        r = g2d_buf_putc(b, '{');
    for (i = 0; wl && r == 0 && i < wl->norder; i++) {
        const struct g2d_field *f = &wl->f[wl->order[i]];
        json_t *v = json_object_get(o, f->dlf);

        if (v)
            r = canon_member(b, f->dlf, v, member_pos(at, f), &any);
    }
    for (i = 0; !wl && r == 0 && i < n; i++) {
        const struct g2d_field *f = at.fs ? g2d_fields_find_dlf(at.fs, keys[i]) : NULL;

        if (!vol || !g2d_param_is_volatile(keys[i]))
            r = canon_member(b, keys[i], json_object_get(o, keys[i]), member_pos(at, f), &any);
    }
    if (keys != stack)
        free(keys);
    if (r == 0 && !any) {
        b->len = start;
        b->data[b->len] = '\0';
        *empty = true;
        return 0;
    }
    return r ? r : g2d_buf_putc(b, '}');
}

static int canon_array(struct g2d_buf *b, json_t *v, struct cpos at, bool *empty)
{
    /* Elements of an FK_OBJS array are objects of its table. */
    struct cpos el = {NULL, at.f && at.f->kind == FK_OBJS ? at.fs : NULL, false};
    size_t i;
    json_t *e;
    int r;

    if (json_array_size(v) == 0) {
        *empty = true;
        return 0;
    }
    r = g2d_buf_putc(b, '[');
    json_array_foreach(v, i, e)
    {
        bool ee = false;

        if (r == 0 && i)
            r = g2d_buf_putc(b, ',');
        if (r == 0)
            r = canon(b, e, el, &ee);
        if (r == 0 && ee)
            r = g2d_buf_puts(b, json_is_string(e) ? "\"\"" : "{}");
    }
    return r ? r : g2d_buf_putc(b, ']');
}

static int canon(struct g2d_buf *b, json_t *v, struct cpos at, bool *empty)
{
    *empty = false;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return canon_object(b, v, at, empty);
    case JSON_ARRAY:
        return canon_array(b, v, at, empty);
    case JSON_STRING:
        if (json_string_length(v) == 0 && !at.in_map) {
            *empty = true;
            return 0;
        }
        return g2d_jwrite_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        if (at.f && (at.f->flags & FF_POSITIVE) && json_integer_value(v) <= 0) {
            *empty = true;
            return 0;
        }
        return g2d_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return g2d_buf_printf(b, "%.17g", json_real_value(v));
    case JSON_TRUE:
        return g2d_buf_puts(b, "true");
    default: /* false, null */
        *empty = true;
        return 0;
    }
}

static int normalized_write(json_t *obj, enum g2d_fobj kind, struct g2d_buf *b)
{
    bool empty = false;
    struct cpos top = {NULL, g2d_fields_get(kind), false};
    int r = canon(b, obj, top, &empty);

    if (r == 0 && empty)
        r = g2d_buf_puts(b, "{}");
    return r;
}

static int fp_with(json_t *obj, enum g2d_fobj kind, struct g2d_fp *out)
{
    struct g2d_buf b;
    int r;

    g2d_buf_init(&b, 0);
    r = normalized_write(obj, kind, &b);
    if (r == 0)
        g2d_fp_bytes(b.data ? b.data : "", b.len, out);
    g2d_buf_done(&b);
    return r;
}

int g2d_fp_database(json_t *dlf_db, struct g2d_fp *out)
{
    return fp_with(dlf_db, G2D_FOBJ_DATABASE, out);
}

int g2d_fp_table(json_t *dlf_table, struct g2d_fp *out)
{
    return fp_with(dlf_table, G2D_FOBJ_TABLE, out);
}

int g2d_fp_partition(json_t *dlf_part, struct g2d_fp *out)
{
    return fp_with(dlf_part, G2D_FOBJ_PARTITION, out);
}

int g2d_fp_function(json_t *dlf_fn, struct g2d_fp *out)
{
    return fp_with(dlf_fn, G2D_FOBJ_FUNCTION, out);
}

char *g2d_normalized_text(enum g2d_norm_kind kind, json_t *obj)
{
    static const enum g2d_fobj kinds[] = {G2D_FOBJ_DATABASE, G2D_FOBJ_TABLE, G2D_FOBJ_PARTITION,
                                          G2D_FOBJ_FUNCTION};
    struct g2d_buf b;

    g2d_buf_init(&b, 0);
    if (normalized_write(obj, kinds[kind], &b) < 0) {
        g2d_buf_done(&b);
        return NULL;
    }
    return g2d_buf_steal(&b);
}
