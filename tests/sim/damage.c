/* SPDX-License-Identifier: MIT */
/*
 * Damaged answers (fault kinds drop_member, null_member, wrong_type, dup_member, error200,
 * bad_item_errors, no_success; README.md "Fault rule"). The operation runs as usual, state
 * changes included; then its real 200 answer is damaged: the answer member of the
 * operation (the list of a list call, the object of a get call, the error list of a batch)
 * is removed, set to null, replaced by a value of another type or given twice, or the
 * whole body becomes an error document while the status stays 200.
 *
 * Cost: nothing is parsed unless a damage rule is installed (sim->ndamage, read without
 * the lock); only a damaged answer is parsed and dumped again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

/* The answer member of each operation that has one. */
struct member {
    enum sim_side side;
    const char *op;
    const char *name;
    int list; /* 1: a list, 0: an object */
};

static const struct member members[] = {
    {SIM_GLUE, "GetDatabases", "DatabaseList", 1},
    {SIM_GLUE, "GetDatabase", "Database", 0},
    {SIM_GLUE, "GetTables", "TableList", 1},
    {SIM_GLUE, "GetTable", "Table", 0},
    {SIM_GLUE, "GetPartitions", "Partitions", 1},
    {SIM_GLUE, "GetPartition", "Partition", 0},
    {SIM_GLUE, "BatchCreatePartition", "Errors", 1},
    {SIM_GLUE, "GetUserDefinedFunctions", "UserDefinedFunctions", 1},
    {SIM_GLUE, "GetUserDefinedFunction", "UserDefinedFunction", 0},
    {SIM_DLF, "ListDatabases", "Databases", 1},
    {SIM_DLF, "GetDatabase", "Database", 0},
    {SIM_DLF, "ListTables", "Tables", 1},
    {SIM_DLF, "GetTable", "Table", 0},
    {SIM_DLF, "ListPartitions", "Partitions", 1},
    {SIM_DLF, "ListPartitionsByFilter", "Partitions", 1},
    {SIM_DLF, "GetPartition", "Partition", 0},
    {SIM_DLF, "BatchCreatePartitions", "PartitionErrors", 1},
    {SIM_DLF, "BatchUpdatePartitions", "PartitionErrors", 1},
    {SIM_DLF, "BatchDeletePartitions", "PartitionErrors", 1},
    {SIM_DLF, "ListFunctions", "Functions", 1},
    {SIM_DLF, "GetFunction", "Function", 0},
};

static const struct member *member_of(enum sim_side side, const char *op)
{
    size_t i;

    for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
        if (members[i].side == side && strcmp(members[i].op, op) == 0)
            return &members[i];
    return NULL;
}

static int is_batch(const char *op)
{
    return strcmp(op, "BatchCreatePartitions") == 0 || strcmp(op, "BatchUpdatePartitions") == 0 ||
           strcmp(op, "BatchDeletePartitions") == 0;
}

int sim_fault_is_damage(enum sim_fault_kind k)
{
    return k >= SIM_FAULT_DROP_MEMBER;
}

/* Kinds that work on the answer member: the operation must have one. */
static int needs_member(enum sim_fault_kind k)
{
    return k == SIM_FAULT_DROP_MEMBER || k == SIM_FAULT_NULL_MEMBER || k == SIM_FAULT_WRONG_TYPE ||
           k == SIM_FAULT_DUP_MEMBER;
}

/* Whether rule @p f can apply to operation @p op of its side. */
static int applies_to(const struct sim_fault *f, const char *op)
{
    if (needs_member(f->kind))
        return member_of(f->side, op) != NULL;
    if (f->kind == SIM_FAULT_BAD_ITEM_ERRORS)
        return f->side == SIM_DLF && is_batch(op);
    if (f->kind == SIM_FAULT_NO_SUCCESS)
        return f->side == SIM_DLF;
    return 1;
}

static int copy_name(const json_t *rule, const char *key, char *buf, size_t len)
{
    const json_t *v = json_object_get(rule, key);

    buf[0] = '\0';
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || !*json_string_value(v) || strlen(json_string_value(v)) >= len)
        return -EINVAL;
    snprintf(buf, len, "%s", json_string_value(v));
    return 0;
}

static int parse_as(const json_t *rule, struct sim_fault *f, char *err, size_t errlen)
{
    static const char *const shapes[] = {"object", "string", "array", "number"};
    const char *as = json_string_value(json_object_get(rule, "as"));
    size_t i;

    if (f->kind != SIM_FAULT_WRONG_TYPE) {
        if (json_object_get(rule, "as"))
            goto bad;
        return 0;
    }
    if (!as) {
        const struct member *m = member_of(f->side, f->action);

        /* Default: a list member becomes an object, an object member a list. */
        snprintf(f->as, sizeof(f->as), "%s", !m || m->list ? "object" : "array");
        return 0;
    }
    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        if (strcmp(as, shapes[i]) == 0) {
            snprintf(f->as, sizeof(f->as), "%s", as);
            return 0;
        }
bad:
    snprintf(err, errlen, "\"as\" (wrong_type only) must be object, string, array or number");
    return -EINVAL;
}

int sim_damage_parse(const json_t *rule, struct sim_fault *f, char *err, size_t errlen)
{
    if (copy_name(rule, "database", f->db, sizeof(f->db)) < 0 ||
        copy_name(rule, "table", f->table, sizeof(f->table)) < 0) {
        snprintf(err, errlen, "database and table must be non-empty short strings");
        return -EINVAL;
    }
    if (parse_as(rule, f, err, errlen) < 0)
        return -EINVAL;
    if (strcmp(f->action, "*") != 0 && !applies_to(f, f->action)) {
        snprintf(err, errlen,
                 "this kind does not apply to %s %s (drop_member, null_member, wrong_type "
                 "and dup_member need an operation with an answer member, bad_item_errors "
                 "a DLF batch call, no_success the DLF side)",
                 f->side == SIM_GLUE ? "glue" : "dlf", f->action);
        return -EINVAL;
    }
    return 0;
}

/* A string from the body member @p key (or, DLF without a body, the query), or NULL. */
static const char *req_str(const struct sim_req *rq, const json_t *in, const char *key)
{
    if (in)
        return json_string_value(json_object_get(in, key));
    return rq->side == SIM_DLF ? sim_query(rq, key) : NULL;
}

/* The database the request names, or NULL. */
static const char *req_db(const struct sim_req *rq, const json_t *in)
{
    const char *s = req_str(rq, in, "DatabaseName");
    const char *op = rq->op->name;

    if (!s && strlen(op) > 8 && strcmp(op + strlen(op) - 8, "Database") == 0)
        s = req_str(rq, in, "Name");
    if (!s && in)
        s = json_string_value(json_object_get(json_object_get(in, "DatabaseInput"), "Name"));
    return s;
}

/* The table the request names, or NULL. */
static const char *req_table(const struct sim_req *rq, const json_t *in)
{
    const char *s = req_str(rq, in, "TableName");
    const json_t *ti = in ? json_object_get(in, "TableInput") : NULL;

    if (!s && rq->side == SIM_GLUE &&
        (strcmp(rq->op->name, "GetTable") == 0 || strcmp(rq->op->name, "DeleteTable") == 0))
        s = req_str(rq, in, "Name"); /* GetTable, DeleteTable */
    if (!s && ti)
        s = json_string_value(json_object_get(ti, rq->side == SIM_GLUE ? "Name" : "TableName"));
    return s;
}

static int rule_matches(const struct sim_fault *r, const struct sim_req *rq, const json_t *in)
{
    const char *s;

    if (!sim_fault_is_damage(r->kind) || r->side != rq->side ||
        (strcmp(r->action, "*") != 0 && strcmp(r->action, rq->op->name) != 0) ||
        !applies_to(r, rq->op->name))
        return 0;
    if (r->db[0] && (!(s = req_db(rq, in)) || strcasecmp(s, r->db) != 0))
        return 0;
    if (r->table[0] && (!(s = req_table(rq, in)) || strcasecmp(s, r->table) != 0))
        return 0;
    return 1;
}

/* Take the first matching damage rule (count consumed) into @p f; @return 1 if one applies. */
static int take_rule(struct sim_req *rq, const json_t *in, struct sim_fault *f)
{
    struct sim *sim = rq->sim;
    int have = 0;
    size_t i;

    pthread_mutex_lock(&sim->mu);
    for (i = 0; i < sim->nfaults; i++) {
        struct sim_fault *r = &sim->faults[i];

        if (!rule_matches(r, rq, in))
            continue;
        if (r->probability < 1 && sim_fault_draw(sim) >= r->probability)
            continue; /* each rule is its own trial */
        *f = *r;
        have = 1;
        sim->stats[rq->side].injected[r->kind]++;
        if (r->count > 0 && --r->count == 0) {
            memmove(r, r + 1, (sim->nfaults - i - 1) * sizeof(*r));
            sim->nfaults--;
            __atomic_sub_fetch(&sim->ndamage, 1, __ATOMIC_RELAXED);
        }
        break;
    }
    pthread_mutex_unlock(&sim->mu);
    return have;
}

static json_t *wrong_value(const char *as)
{
    if (strcmp(as, "string") == 0)
        return json_string("sim-damaged");
    if (strcmp(as, "array") == 0)
        return json_array();
    if (strcmp(as, "number") == 0)
        return json_integer(7);
    return json_object();
}

static void error_doc(struct sim_req *rq, struct sim_resp *rs)
{
    json_t *v;

    if (rq->side == SIM_GLUE)
        v = json_pack("{s:s,s:s}", "__type", "InternalServiceException", "message",
                      "Injected error document with HTTP 200.");
    else
        v = json_pack("{s:b,s:s,s:s,s:s}", "Success", 0, "Code", "InternalError", "Message",
                      "Injected error document with HTTP 200.", "RequestId", rq->request_id);
    sim_resp_json(rs, 200, v, 0, rs->content_type);
}

/* Append ,"@p name":[] before the closing brace of the object text @p s (malloc'd or NULL). */
static char *dup_member(char *s, const char *name)
{
    size_t n = strlen(s), add = strlen(name) + 6;
    char *p;

    if (n < 2 || s[n - 1] != '}' || !(p = realloc(s, n + add + 1))) {
        free(s);
        return NULL;
    }
    snprintf(p + n - 1, add + 2, "%s\"%s\":[]}", n > 2 ? "," : "", name);
    return p;
}

/* Damage the parsed answer @p v per @p f; @return the new body (malloc'd) or NULL. */
static char *damage_body(const struct sim_fault *f, const struct sim_req *rq, json_t *v)
{
    const struct member *m = member_of(rq->side, rq->op->name);
    char *s;

    switch (f->kind) {
    case SIM_FAULT_DROP_MEMBER:
        json_object_del(v, m->name);
        break;
    case SIM_FAULT_NULL_MEMBER:
        json_object_set_new(v, m->name, json_null());
        break;
    case SIM_FAULT_WRONG_TYPE:
        json_object_set_new(v, m->name, wrong_value(f->as));
        break;
    case SIM_FAULT_BAD_ITEM_ERRORS:
        json_object_set_new(v, "PartitionErrors",
                            json_pack("[i,{s:s,s:s}]", 7, "PartitionValues", "sim-damaged",
                                      "ErrorDetail", "sim-damaged"));
        break;
    case SIM_FAULT_NO_SUCCESS:
        json_object_del(v, "Success");
        break;
    default:
        break;
    }
    s = rq->side == SIM_GLUE ? sim_dump_java(v) : json_dumps(v, JSON_COMPACT);
    if (s && f->kind == SIM_FAULT_DUP_MEMBER)
        s = dup_member(s, m->name);
    return s;
}

void sim_damage(struct sim_req *rq, const json_t *in, struct sim_resp *rs)
{
    struct sim_fault f;
    json_t *v;
    char *s;

    if (__atomic_load_n(&rq->sim->ndamage, __ATOMIC_RELAXED) == 0 || rs->status != 200 ||
        !rs->body || rs->how != SIM_SEND || !take_rule(rq, in, &f))
        return;
    sim_log(rq->sim, "%s %s: damaging the answer (%s)", rq->side == SIM_GLUE ? "glue" : "dlf",
            rq->op->name, sim_fault_kind_name(f.kind));
    if (f.kind == SIM_FAULT_ERROR200) {
        error_doc(rq, rs);
        return;
    }
    v = json_loads(rs->body, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return;
    }
    s = damage_body(&f, rq, v);
    json_decref(v);
    if (!s)
        return; /* out of memory: the answer goes out undamaged */
    free(rs->body);
    rs->body = s;
}

json_t *sim_damage_json(const struct sim_fault *f)
{
    json_t *o = json_object();

    if (f->db[0])
        json_object_set_new(o, "database", json_string(f->db));
    if (f->table[0])
        json_object_set_new(o, "table", json_string(f->table));
    if (f->as[0])
        json_object_set_new(o, "as", json_string(f->as));
    return o;
}
