/* SPDX-License-Identifier: MIT */
/*
 * The response shapes of every operation the daemon uses, and the one judge that checks
 * an answer against them. The judge reads values through a small accessor (struct
 * access), with two implementations: jansson's DOM (g2d_check_json) and the structural
 * scanner over the raw bytes (g2d_check_raw). So both checkers believe exactly the same
 * answers and say the same thing about the others: there is one truth, the table below.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "glue2dlf/jscan.h"

#include "cloud/check.h"

/* ---- the shape table ------------------------------------------------------------------ */

enum kind {
    K_STRING,  /* a string */
    K_TOKEN,   /* a page token: a string, or null (= no more pages) */
    K_OBJECT,  /* an object whose members are sub */
    K_LIST,    /* an array of objects whose members are sub */
    K_STRLIST, /* an array of strings */
};

#define F_REQ 1u    /* must be present */
#define F_NULLOK 2u /* null is accepted (and carries nothing) */
#define F_EMPTY 4u  /* a list that must be empty when present */
#define F_MAIN 8u   /* the list whose elements g2d_check_raw hands to its callback */

struct mshape {
    const char *name;
    enum kind kind;
    unsigned flags;
    const struct mshape *sub; /* K_OBJECT, K_LIST: the members looked at (others ignored) */
    size_t nsub;
};

struct g2d_check_shape {
    const char *name;
    enum g2d_side side;
    const struct mshape *m; /* in the order they are judged: the main list last */
    size_t nm;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_MEMBERS 8

/*
 * Elements: only the member that identifies an element is required. Without it the daemon
 * cannot match the element to its counterpart, so it would take the counterpart as gone
 * and delete it: an element without its name is a malformed answer, never skipped.
 */
static const struct mshape glue_db_el[] = {{"Name", K_STRING, F_REQ, NULL, 0}};
static const struct mshape glue_fn_el[] = {{"FunctionName", K_STRING, F_REQ, NULL, 0}};
/* A partition is named by its Values (an array of strings, in partition-key order). */
static const struct mshape part_el[] = {{"Values", K_STRLIST, F_REQ, NULL, 0}};
static const struct mshape dlf_table_el[] = {{"TableName", K_STRING, F_REQ, NULL, 0}};

/* Glue BatchCreatePartition / BatchDeletePartition Errors[]: PartitionError. */
static const struct mshape glue_detail[] = {
    {"ErrorCode", K_STRING, 0, NULL, 0},
    {"ErrorMessage", K_STRING, 0, NULL, 0},
};
static const struct mshape glue_perr_el[] = {
    /* Required: an error entry that names no partition cannot be told from a success. */
    {"PartitionValues", K_STRLIST, F_REQ, NULL, 0},
    {"ErrorDetail", K_OBJECT, 0, glue_detail, N(glue_detail)},
};
/* Glue BatchUpdatePartition Errors[]: BatchUpdatePartitionFailureEntry. */
static const struct mshape glue_uperr_el[] = {
    {"PartitionValueList", K_STRLIST, F_REQ, NULL, 0},
    {"ErrorDetail", K_OBJECT, 0, glue_detail, N(glue_detail)},
};

/* DLF PartitionErrors[]: PartitionError {PartitionValues [str], ErrorDetail {Code, Message}}
 * (dlf-api.md §3; the Go SDK's BatchCreatePartitionsResponseBodyPartitionErrors). */
static const struct mshape dlf_detail[] = {
    {"Code", K_STRING, 0, NULL, 0},
    {"Message", K_STRING, 0, NULL, 0},
};
static const struct mshape dlf_perr_el[] = {
    /* Required (the SDK marks it optional): the daemon matches an error to its item by
     * these values; an entry without them would leave the failed item counted as written. */
    {"PartitionValues", K_STRLIST, F_REQ, NULL, 0},
    /* Optional: an entry is an error whatever its detail says ("Unknown" when none). */
    {"ErrorDetail", K_OBJECT, 0, dlf_detail, N(dlf_detail)},
};

/*
 * Glue lists: the list member is required (Glue sends [] for none: "DatabaseList" is
 * marked required in the model, and the others are always sent); NextToken is absent or
 * null on the last page (glue-api.md §1.3).
 */
#define GLUE_TOKEN                                                                                 \
    {                                                                                              \
        "NextToken", K_TOKEN, 0, NULL, 0                                                           \
    }
static const struct mshape glue_get_databases[] = {
    GLUE_TOKEN, {"DatabaseList", K_LIST, F_REQ | F_MAIN, glue_db_el, N(glue_db_el)}};
static const struct mshape glue_get_tables[] = {
    GLUE_TOKEN, {"TableList", K_LIST, F_REQ | F_MAIN, glue_db_el, N(glue_db_el)}};
static const struct mshape glue_get_partitions[] = {
    GLUE_TOKEN, {"Partitions", K_LIST, F_REQ | F_MAIN, part_el, N(part_el)}};
static const struct mshape glue_get_functions[] = {
    GLUE_TOKEN, {"UserDefinedFunctions", K_LIST, F_REQ | F_MAIN, glue_fn_el, N(glue_fn_el)}};
/* Batch writes: Errors is optional (absent when every entry succeeded), never null. */
static const struct mshape glue_batch_part[] = {
    {"Errors", K_LIST, 0, glue_perr_el, N(glue_perr_el)}};
static const struct mshape glue_batch_update[] = {
    {"Errors", K_LIST, 0, glue_uperr_el, N(glue_uperr_el)}};

/*
 * DLF lists: the list member is required (the SDK marks every member optional; an answer
 * without its list is not "no items", it is a broken answer). NextPageToken: "" ends the
 * listing; null is taken as "" like the vendor client does (dlf-api.md §1); absent too
 * (UNCONFIRMED whether DLF ever omits it; an early end only makes the snapshot miss
 * objects, which costs AlreadyExists answers, never a delete of a live object).
 */
#define DLF_TOKEN                                                                                  \
    {                                                                                              \
        "NextPageToken", K_TOKEN, 0, NULL, 0                                                       \
    }
static const struct mshape dlf_list_databases[] = {
    DLF_TOKEN, {"Databases", K_LIST, F_REQ | F_MAIN, glue_db_el, N(glue_db_el)}};
static const struct mshape dlf_list_tables[] = {
    DLF_TOKEN, {"Tables", K_LIST, F_REQ | F_MAIN, dlf_table_el, N(dlf_table_el)}};
static const struct mshape dlf_list_functions[] = {
    DLF_TOKEN, {"Functions", K_LIST, F_REQ | F_MAIN, glue_fn_el, N(glue_fn_el)}};
static const struct mshape dlf_list_partitions[] = {
    DLF_TOKEN,
    /* The daemon asks with IsShareSd:false, so every partition must be in Partitions; a
     * non-empty PartitionSpecs would hold partitions it does not read. Null or [] carry
     * nothing. */
    {"PartitionSpecs", K_LIST, F_NULLOK | F_EMPTY, NULL, 0},
    {"Partitions", K_LIST, F_REQ | F_MAIN, part_el, N(part_el)},
};
/* DeleteDatabase (Async) and UpdateTable (IsAsync) may name a task. */
static const struct mshape dlf_task[] = {{"TaskId", K_STRING, 0, NULL, 0}};
/* Batch writes: PartitionErrors optional (absent: none failed), never null; Partitions
 * only with NeedResult (the daemon does not ask). */
static const struct mshape dlf_batch_create[] = {
    {"PartitionErrors", K_LIST, 0, dlf_perr_el, N(dlf_perr_el)},
    {"Partitions", K_LIST, 0, part_el, N(part_el)},
};
static const struct mshape dlf_batch_part[] = {
    {"PartitionErrors", K_LIST, 0, dlf_perr_el, N(dlf_perr_el)}};

#define OP(n, side, m)                                                                             \
    {                                                                                              \
        n, side, m, N(m)                                                                           \
    }
#define OP0(n, side)                                                                               \
    {                                                                                              \
        n, side, NULL, 0                                                                           \
    }

/* Write answers with no member of their own: Glue's is {}; DLF's is the envelope alone. */
static const struct g2d_check_shape shapes[] = {
    OP("GetDatabases", G2D_SIDE_GLUE, glue_get_databases),
    OP("GetTables", G2D_SIDE_GLUE, glue_get_tables),
    OP("GetPartitions", G2D_SIDE_GLUE, glue_get_partitions),
    OP("GetUserDefinedFunctions", G2D_SIDE_GLUE, glue_get_functions),
    OP0("CreateDatabase", G2D_SIDE_GLUE),
    OP0("UpdateDatabase", G2D_SIDE_GLUE),
    OP0("DeleteDatabase", G2D_SIDE_GLUE),
    OP0("CreateTable", G2D_SIDE_GLUE),
    OP0("UpdateTable", G2D_SIDE_GLUE),
    OP0("DeleteTable", G2D_SIDE_GLUE),
    OP0("CreatePartition", G2D_SIDE_GLUE),
    OP0("UpdatePartition", G2D_SIDE_GLUE),
    OP0("DeletePartition", G2D_SIDE_GLUE),
    OP0("CreateUserDefinedFunction", G2D_SIDE_GLUE),
    OP0("UpdateUserDefinedFunction", G2D_SIDE_GLUE),
    OP0("DeleteUserDefinedFunction", G2D_SIDE_GLUE),
    OP("BatchCreatePartition", G2D_SIDE_GLUE, glue_batch_part),
    OP("BatchDeletePartition", G2D_SIDE_GLUE, glue_batch_part),
    OP("BatchUpdatePartition", G2D_SIDE_GLUE, glue_batch_update),
    OP("ListDatabases", G2D_SIDE_DLF, dlf_list_databases),
    OP("ListTables", G2D_SIDE_DLF, dlf_list_tables),
    OP("ListFunctions", G2D_SIDE_DLF, dlf_list_functions),
    OP("ListPartitions", G2D_SIDE_DLF, dlf_list_partitions),
    OP0("CreateDatabase", G2D_SIDE_DLF),
    OP0("UpdateDatabase", G2D_SIDE_DLF),
    OP("DeleteDatabase", G2D_SIDE_DLF, dlf_task),
    OP0("CreateTable", G2D_SIDE_DLF),
    OP("UpdateTable", G2D_SIDE_DLF, dlf_task),
    OP0("DeleteTable", G2D_SIDE_DLF),
    OP0("CreateFunction", G2D_SIDE_DLF),
    OP0("UpdateFunction", G2D_SIDE_DLF),
    OP0("DeleteFunction", G2D_SIDE_DLF),
    OP("BatchCreatePartitions", G2D_SIDE_DLF, dlf_batch_create),
    OP("BatchUpdatePartitions", G2D_SIDE_DLF, dlf_batch_part),
    OP("BatchDeletePartitions", G2D_SIDE_DLF, dlf_batch_part),
};

const struct g2d_check_shape *g2d_check_shape(enum g2d_side side, const char *op)
{
    size_t i;

    for (i = 0; op && i < N(shapes); i++)
        if (shapes[i].side == side && strcmp(shapes[i].name, op) == 0)
            return &shapes[i];
    return NULL;
}

size_t g2d_check_nshapes(void)
{
    return N(shapes);
}

const struct g2d_check_shape *g2d_check_shape_at(size_t i)
{
    return i < N(shapes) ? &shapes[i] : NULL;
}

const char *g2d_check_shape_name(const struct g2d_check_shape *shape)
{
    return shape->name;
}

/* ---- the accessor: one value, seen through the DOM or as bytes ------------------------ */

enum vtype { V_OBJECT, V_ARRAY, V_STRING, V_NUMBER, V_BOOL_TRUE, V_BOOL_FALSE, V_NULL };

struct val {
    const json_t *j; /* DOM */
    const char *p;   /* raw: the value's bytes, no surrounding whitespace */
    size_t n;
};

struct judge;

struct access {
    enum vtype (*type)(const struct val *v);
    /* The values of @p keys in object @p o (absent: j and p NULL); *dup = index of a key
     * given twice (looked for at the top level only, -1 if none). @return 0 or -EPROTO. */
    int (*members)(const struct val *o, const char *const *keys, size_t nkeys, bool top,
                   struct val *out, int *dup);
    /* Call @p cb for each element of array @p a; a non-zero return stops and is returned. */
    int (*each)(const struct val *a, int (*cb)(const struct val *e, size_t i, void *arg),
                void *arg);
    /* The string @p v decoded into @p buf ("" when it is not a string). */
    void (*str)(const struct val *v, char *buf, size_t size);
};

static bool present(const struct val *v)
{
    return v->j || v->p;
}

/* -- DOM -- */

static enum vtype dom_type(const struct val *v)
{
    switch (json_typeof(v->j)) {
    case JSON_OBJECT:
        return V_OBJECT;
    case JSON_ARRAY:
        return V_ARRAY;
    case JSON_STRING:
        return V_STRING;
    case JSON_INTEGER:
    case JSON_REAL:
        return V_NUMBER;
    case JSON_TRUE:
        return V_BOOL_TRUE;
    case JSON_FALSE:
        return V_BOOL_FALSE;
    default:
        return V_NULL;
    }
}

static int dom_members(const struct val *o, const char *const *keys, size_t nkeys, bool top,
                       struct val *out, int *dup)
{
    size_t i;

    (void)top;
    for (i = 0; i < nkeys; i++)
        out[i] = (struct val){json_object_get(o->j, keys[i]), NULL, 0};
    *dup = -1; /* JSON_REJECT_DUPLICATES refused them while parsing */
    return 0;
}

static int dom_each(const struct val *a, int (*cb)(const struct val *e, size_t i, void *arg),
                    void *arg)
{
    size_t i;
    int r;

    for (i = 0; i < json_array_size(a->j); i++) {
        struct val e = {json_array_get(a->j, i), NULL, 0};

        r = cb(&e, i, arg);
        if (r)
            return r;
    }
    return 0;
}

static void dom_str(const struct val *v, char *buf, size_t size)
{
    snprintf(buf, size, "%s", json_is_string(v->j) ? json_string_value(v->j) : "");
}

static const struct access dom_access = {dom_type, dom_members, dom_each, dom_str};

/* -- raw bytes -- */

static enum vtype raw_type(const struct val *v)
{
    switch (v->n ? v->p[0] : 'n') {
    case '{':
        return V_OBJECT;
    case '[':
        return V_ARRAY;
    case '"':
        return V_STRING;
    case 't':
        return V_BOOL_TRUE;
    case 'f':
        return V_BOOL_FALSE;
    case 'n':
        return V_NULL;
    default:
        return V_NUMBER;
    }
}

static int raw_members(const struct val *o, const char *const *keys, size_t nkeys, bool top,
                       struct val *out, int *dup)
{
    const char *k2[2 * MAX_MEMBERS + 8], *v[2 * MAX_MEMBERS + 8];
    size_t l[2 * MAX_MEMBERS + 8], i;
    int r;

    *dup = -1;
    if (!top && nkeys == 1) {
        /* One member: stop at it (a partition's Values come first), no full walk. */
        r = g2d_jscan_member(o->p, o->n, keys[0], &out[0].p, &out[0].n);
        out[0].j = NULL;
        if (r == -ENOENT)
            out[0] = (struct val){NULL, NULL, 0};
        return r == -ENOENT ? 0 : r;
    }
    if (nkeys > MAX_MEMBERS + 4)
        return -EPROTO;
    /*
     * At the top level each key twice: g2d_jscan_members gives each slot to the first
     * occurrence not yet taken, so the second slot of a key is filled only when the object
     * names it twice (pinned by test_check's duplicate tests).
     */
    for (i = 0; i < nkeys; i++) {
        if (top)
            k2[2 * i] = k2[2 * i + 1] = keys[i];
        else
            k2[i] = keys[i];
    }
    r = g2d_jscan_members(o->p, o->n, k2, top ? 2 * nkeys : nkeys, v, l);
    if (r < 0)
        return r;
    for (i = 0; i < nkeys; i++) {
        size_t at = top ? 2 * i : i;

        out[i] = (struct val){NULL, v[at], v[at] ? l[at] : 0};
        if (top && v[at + 1] && *dup < 0)
            *dup = (int)i;
    }
    return 0;
}

struct raw_walk {
    int (*cb)(const struct val *e, size_t i, void *arg);
    void *arg;
    size_t i;
};

static int raw_elem(const char *p, size_t n, void *arg)
{
    struct raw_walk *w = arg;
    struct val e = {NULL, p, n};

    return w->cb(&e, w->i++, w->arg);
}

static int raw_each(const struct val *a, int (*cb)(const struct val *e, size_t i, void *arg),
                    void *arg)
{
    struct raw_walk w = {cb, arg, 0};

    return g2d_jscan_array(a->p, a->n, raw_elem, &w);
}

static void raw_str(const struct val *v, char *buf, size_t size)
{
    json_t *s = raw_type(v) == V_STRING ? json_loadb(v->p, v->n, JSON_DECODE_ANY, NULL) : NULL;

    snprintf(buf, size, "%s", json_is_string(s) ? json_string_value(s) : "");
    json_decref(s);
}

static const struct access raw_access = {raw_type, raw_members, raw_each, raw_str};

/* ---- the judge ------------------------------------------------------------------------ */

struct judge {
    const struct access *a;
    const struct g2d_check_shape *s;
    struct g2d_error *err;
    g2d_check_elem_cb cb; /* raw: the main list's elements go here */
    void *arg;
    size_t nelems;
    struct val token;
};

/*
 * Where a value is, as a chain up to the answer: built on the stack as the judge descends
 * and written out only when something is wrong, so a good answer costs no formatting.
 */
struct path {
    const struct path *up; /* NULL: a member of the answer itself */
    const char *name;      /* a member's name, or NULL for an element */
    size_t index;
};

/* "TableList[3]", "PartitionErrors[0].ErrorDetail"; "" for the answer itself. */
static void path_str(const struct path *p, char *buf, size_t size)
{
    size_t n;

    buf[0] = '\0';
    if (!p)
        return;
    path_str(p->up, buf, size);
    n = strlen(buf);
    if (p->name)
        snprintf(buf + n, size - n, "%s%s", n ? "." : "", p->name);
    else
        snprintf(buf + n, size - n, "[%zu]", p->index);
}

/* A list being walked. */
struct lwalk {
    struct judge *j;
    const struct mshape *m;
    const struct path *at; /* the list */
    size_t count;
};

static const char *tname(enum vtype t)
{
    static const char *const names[] = {"an object", "an array",  "a string", "a number",
                                        "a boolean", "a boolean", "null"};

    return names[t];
}

static const char *kname(enum kind k)
{
    return k == K_OBJECT ? "an object" : (k == K_LIST || k == K_STRLIST) ? "an array" : "a string";
}

static enum vtype kwant(enum kind k)
{
    return k == K_OBJECT ? V_OBJECT : (k == K_LIST || k == K_STRLIST) ? V_ARRAY : V_STRING;
}

/* The value at @p at is wrong: "<op>: <path> <how>", or "<op>: <obj> member 'X' <how>". */
static int bad(struct judge *j, const struct path *at, bool as_member, const char *how)
{
    char where[400], obj[256];

    if (!at) {
        snprintf(where, sizeof(where), "response");
    } else if (as_member && at->name) {
        path_str(at->up, obj, sizeof(obj));
        snprintf(where, sizeof(where), "%s%smember '%s'", obj, *obj ? " " : "", at->name);
    } else {
        path_str(at, where, sizeof(where));
    }
    return g2d_error_set(j->err, -EPROTO, "%s: %s %s", j->s->name, where, how);
}

/* "is a string, not an object" */
static int bad_type(struct judge *j, const struct path *at, bool as_member, enum vtype t,
                    const char *want)
{
    char how[64];

    snprintf(how, sizeof(how), "is %s, not %s", tname(t), want);
    return bad(j, at, as_member, how);
}

static int check_object(struct judge *j, const struct path *at, const struct mshape *m, size_t nm,
                        const struct val *o, struct val *first);

static int list_elem(const struct val *e, size_t i, void *arg)
{
    struct lwalk *w = arg;
    struct judge *j = w->j;
    enum vtype t = j->a->type(e);
    struct path at = {w->at, NULL, i};
    struct val id = {NULL, NULL, 0};
    int r;

    w->count++;
    if (w->m->kind == K_STRLIST)
        return t == V_STRING ? 0 : bad_type(j, &at, false, t, "a string");
    if (t != V_OBJECT)
        return bad_type(j, &at, false, t, "an object");
    r = check_object(j, &at, w->m->sub, w->m->nsub, e, &id);
    if (r == 0 && (w->m->flags & F_MAIN) && j->cb) {
        struct g2d_check_elem el = {i, e->p, e->n, id.p, id.n};

        r = j->cb(&el, j->arg);
    }
    return r;
}

/* Member @p m's value @p v, at @p at. */
static int check_value(struct judge *j, const struct path *at, const struct mshape *m,
                       const struct val *v)
{
    enum vtype t = j->a->type(v);
    struct lwalk w = {j, m, at, 0};
    int r;

    if (t == V_NULL && (m->kind == K_TOKEN || (m->flags & F_NULLOK)))
        return 0;
    if (t != kwant(m->kind))
        return bad_type(j, at, true, t, kname(m->kind));
    if (m->kind == K_OBJECT)
        return check_object(j, at, m->sub, m->nsub, v, NULL);
    if (m->kind != K_LIST && m->kind != K_STRLIST)
        return 0;
    r = j->a->each(v, list_elem, &w);
    if (r)
        return r;
    if ((m->flags & F_EMPTY) && w.count)
        return bad(j, at, true, "is not empty");
    if (m->flags & F_MAIN)
        j->nelems = w.count;
    return 0;
}

/* The members @p m of the object at @p obj (NULL = the answer), their values @p vals. */
static int check_members(struct judge *j, const struct path *obj, const struct mshape *m, size_t nm,
                         const struct val *vals)
{
    size_t i;
    int r;

    for (i = 0; i < nm; i++) {
        struct path at = {obj, m[i].name, 0};

        if (!present(&vals[i])) {
            if (m[i].flags & F_REQ)
                return bad(j, &at, true, "missing");
            continue;
        }
        r = check_value(j, &at, &m[i], &vals[i]);
        if (r)
            return r;
        if (!obj && m[i].kind == K_TOKEN)
            j->token = vals[i];
    }
    return 0;
}

static int check_object(struct judge *j, const struct path *at, const struct mshape *m, size_t nm,
                        const struct val *o, struct val *first)
{
    const char *keys[MAX_MEMBERS];
    struct val vals[MAX_MEMBERS];
    size_t i;
    int dup, r;

    if (nm == 0)
        return 0;
    for (i = 0; i < nm && i < MAX_MEMBERS; i++)
        keys[i] = m[i].name;
    r = j->a->members(o, keys, i, false, vals, &dup);
    if (r < 0)
        return bad(j, at, false, "is not well-formed JSON");
    if (first)
        *first = vals[0];
    return check_members(j, at, m, i, vals);
}

void g2d_glue_error_type(const char *t, char *out, size_t outsz)
{
    const char *hash = strchr(t, '#');
    size_t n;

    if (hash)
        t = hash + 1;
    n = strcspn(t, ":");
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, t, n);
    out[n] = '\0';
}

/* An error document: fill the fault, one line each. @return -EIO. */
static int service_error(struct judge *j, const struct val *code, const struct val *msg,
                         const struct val *msg2, struct g2d_check_fault *fault)
{
    struct g2d_check_fault f;
    char *c;

    j->a->str(code, f.code, sizeof(f.code));
    if (j->s->side == G2D_SIDE_GLUE) {
        char raw[sizeof(f.code)];

        memcpy(raw, f.code, sizeof(raw));
        g2d_glue_error_type(raw, f.code, sizeof(f.code));
    }
    f.message[0] = '\0';
    if (present(msg))
        j->a->str(msg, f.message, sizeof(f.message));
    if (!f.message[0] && msg2 && present(msg2))
        j->a->str(msg2, f.message, sizeof(f.message));
    for (c = f.code; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    for (c = f.message; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    if (fault)
        *fault = f;
    return g2d_error_set(j->err, -EIO, "%s: the answer is an error: %s: %s", j->s->name,
                         f.code[0] ? f.code : "(no code)", f.message[0] ? f.message : "no message");
}

/* Error documents and DLF's envelope, from the first @p nenv values. */
static int check_envelope(struct judge *j, const struct val *v, struct g2d_check_fault *fault)
{
    static const struct path success = {NULL, "Success", 0};
    enum vtype t;

    if (j->s->side == G2D_SIDE_GLUE) { /* __type, Message, message */
        if (!present(&v[0]))
            return 0;
        t = j->a->type(&v[0]);
        if (t != V_STRING) {
            struct path at = {NULL, "__type", 0};

            return bad_type(j, &at, true, t, "a string");
        }
        return service_error(j, &v[0], &v[1], &v[2], fault);
    }
    /* Success, Code, Message */
    if (!present(&v[0])) {
        /* A gateway error body ({"RequestId","HostId","Code","Message","Recommend"}). */
        if (present(&v[1]) && j->a->type(&v[1]) == V_STRING)
            return service_error(j, &v[1], &v[2], NULL, fault);
        return bad(j, &success, true, "missing");
    }
    t = j->a->type(&v[0]);
    if (t == V_BOOL_FALSE)
        return service_error(j, &v[1], &v[2], NULL, fault);
    if (t != V_BOOL_TRUE) {
        return bad_type(j, &success, true, t, "a boolean");
    }
    return 0;
}

static int judge_answer(struct judge *j, const struct val *body, struct g2d_check_fault *fault)
{
    static const char *const env[2][3] = {{"__type", "Message", "message"},
                                          {"Success", "Code", "Message"}};
    const char *keys[MAX_MEMBERS + 3];
    struct val vals[MAX_MEMBERS + 3];
    enum vtype t = j->a->type(body);
    size_t i, nm = j->s->nm;
    int dup, r;

    if (fault)
        fault->code[0] = fault->message[0] = '\0';
    if (t != V_OBJECT)
        return bad_type(j, NULL, false, t, "an object");
    for (i = 0; i < 3; i++)
        keys[i] = env[j->s->side == G2D_SIDE_DLF][i];
    for (i = 0; i < nm; i++)
        keys[3 + i] = j->s->m[i].name;
    r = j->a->members(body, keys, 3 + nm, true, vals, &dup);
    if (r < 0)
        return bad(j, NULL, false, "is not well-formed JSON");
    if (dup >= 0) {
        struct path at = {NULL, keys[dup], 0};

        return bad(j, &at, true, "given twice");
    }
    r = check_envelope(j, vals, fault);
    if (r)
        return r;
    return check_members(j, NULL, j->s->m, nm, vals + 3);
}

int g2d_check_json(const struct g2d_check_shape *shape, const json_t *body,
                   struct g2d_check_fault *fault, struct g2d_error *err)
{
    struct judge j = {&dom_access, shape, err, NULL, NULL, 0, {NULL, NULL, 0}};
    struct val v = {body, NULL, 0};

    if (!body)
        return g2d_error_set(err, -EPROTO, "%s: no response body", shape->name);
    return judge_answer(&j, &v, fault);
}

int g2d_check_raw(const struct g2d_check_shape *shape, const char *body, size_t len,
                  g2d_check_elem_cb cb, void *arg, struct g2d_check_page *page,
                  struct g2d_check_fault *fault, struct g2d_error *err)
{
    struct judge j = {&raw_access, shape, err, cb, arg, 0, {NULL, NULL, 0}};
    const char *p = body, *end = body + len;
    struct val v;
    int r;

    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p == end)
        return g2d_error_set(err, -EPROTO, "%s: response is empty", shape->name);
    if (!strchr("{[\"tfn-0123456789", *p) || *p == '\0')
        return g2d_error_set(err, -EPROTO, "%s: response is not well-formed JSON", shape->name);
    v = (struct val){NULL, p, (size_t)(end - p)};
    r = judge_answer(&j, &v, fault);
    if (r == 0 && page) {
        page->token = j.token.p;
        page->token_len = j.token.p ? j.token.n : 0;
        page->nelems = j.nelems;
    }
    return r;
}
