/* SPDX-License-Identifier: MIT */
/*
 * The admin API under /_sim/, served on both ports without signatures, for tests, the
 * demo and benchmarks. JSON in and out; errors are {"ok":false,"error":"..."}.
 *
 *   GET    /_sim/health                      {"ok":true}
 *   GET    /_sim/stats                       per-side operation counts (see faults.c)
 *   POST   /_sim/stats/reset
 *   GET    /_sim/faults                      {"Faults":[...]}
 *   POST   /_sim/faults                      append a rule (see faults.c)
 *   DELETE /_sim/faults                      clear all rules
 *   GET    /_sim/glue/databases              {"DatabaseList":[...]} sorted by name
 *   GET    /_sim/glue/databases/<name>       one Glue Database
 *   PUT    /_sim/glue/databases/<name>       body: Glue DatabaseInput (CreateTime allowed)
 *   DELETE /_sim/glue/databases/<name>       200, or 404 when absent
 *   GET    /_sim/dlf/databases               {"Databases":[...]} as stored
 *   GET    /_sim/dlf/databases/<name>
 *   PUT    /_sim/dlf/databases/<name>        body: DLF DatabaseInput (CreateTime and
 *                                            UpdateTime allowed)
 *   DELETE /_sim/dlf/databases/<name>
 *   GET    /_sim/<side>/tables/<db>          {"Tables":[...]}
 *   GET/PUT/DELETE /_sim/<side>/tables/<db>/<table>   PUT body: that side's TableInput;
 *                                            DLF GET adds "ArchivedVersions"
 *   GET    /_sim/<side>/functions/<db>       {"Functions":[...]}
 *   GET/PUT/DELETE /_sim/<side>/functions/<db>/<fn>   PUT body: that side's FunctionInput
 *   GET    /_sim/<side>/partitions/<db>/<table>         {"Partitions":[...]} (all)
 *   POST   /_sim/<side>/partitions/<db>/<table>         {"Partitions":[PartitionInput...]}
 *                                            adds or replaces (by Values)
 *   POST   /_sim/<side>/partitions/<db>/<table>/delete  {"Values":[[...],...]}
 *   POST   /_sim/glue/mutate                 {"add":f,"change":f,"drop":f,"seed":n}: bulk
 *                                            mutation of the generated Glue partitions;
 *                                            answers the counts
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define ADMIN_CT "application/json"

static void reply(struct sim_resp *rs, unsigned status, json_t *v)
{
    sim_resp_json(rs, status, v, 0, ADMIN_CT);
}

static void fail(struct sim_resp *rs, unsigned status, const char *msg)
{
    reply(rs, status, json_pack("{s:b,s:s}", "ok", 0, "error", msg));
}

static void okay(struct sim_resp *rs)
{
    reply(rs, 200, json_pack("{s:b}", "ok", 1));
}

static json_t *body_object(struct sim_req *rq, struct sim_resp *rs)
{
    json_error_t jerr;
    json_t *in;
    char msg[300];

    if (rq->body_len == 0)
        return json_object();
    in = json_loadb(rq->body, rq->body_len, 0, &jerr);
    if (!json_is_object(in)) {
        snprintf(msg, sizeof(msg), "body must be a JSON object: %s",
                 in ? "not an object" : jerr.text);
        json_decref(in);
        fail(rs, 400, msg);
        return NULL;
    }
    return in;
}

/* /_sim/<side>/databases[/<name>] */
static void databases(struct sim_req *rq, struct sim_resp *rs, enum sim_side side, const char *name)
{
    struct sim *sim = rq->sim;
    struct sim_coll *dbs = &sim->cat[side].dbs;
    char folded[1024], err[512];
    json_t *in, *db, *list;
    size_t i;
    int r;

    if (!name) {
        if (strcmp(rq->method, "GET") != 0) {
            fail(rs, 405, "method not allowed");
            return;
        }
        list = json_array();
        pthread_mutex_lock(&sim->mu);
        for (i = 0; i < dbs->n; i++)
            json_array_append(list, dbs->items[i].obj);
        pthread_mutex_unlock(&sim->mu);
        reply(rs, 200, json_pack("{s:o}", side == SIM_GLUE ? "DatabaseList" : "Databases", list));
        return;
    }
    if (!sim_name_valid(name, 255) || strlen(name) >= sizeof(folded)) {
        fail(rs, 400, "invalid database name");
        return;
    }
    snprintf(folded, sizeof(folded), "%s", name);
    sim_fold(folded);

    if (strcmp(rq->method, "GET") == 0) {
        const struct sim_item *it;

        pthread_mutex_lock(&sim->mu);
        it = sim_coll_find(dbs, folded);
        db = it ? json_deep_copy(it->obj) : NULL;
        pthread_mutex_unlock(&sim->mu);
        if (db)
            reply(rs, 200, db);
        else
            fail(rs, 404, "no such database");
    } else if (strcmp(rq->method, "DELETE") == 0) {
        pthread_mutex_lock(&sim->mu);
        r = sim_coll_remove(dbs, folded);
        pthread_mutex_unlock(&sim->mu);
        if (r < 0)
            fail(rs, 404, "no such database");
        else
            okay(rs);
    } else if (strcmp(rq->method, "PUT") == 0) {
        const struct sim_item *it;
        const json_t *ut;

        in = body_object(rq, rs);
        if (!in)
            return;
        pthread_mutex_lock(&sim->mu);
        it = sim_coll_find(dbs, folded);
        if (side == SIM_GLUE)
            db = sim_glue_db_build(in, folded, it ? it->obj : NULL, (double)time(NULL), 1,
                                   sim->glue_catalog, err, sizeof(err));
        else
            db = sim_dlf_db_build(in, folded, it ? it->obj : NULL, (int64_t)time(NULL), "sim-user",
                                  err, sizeof(err));
        ut = json_object_get(in, "UpdateTime");
        if (db && side == SIM_DLF && json_is_integer(ut))
            json_object_set(db, "UpdateTime", (json_t *)ut);
        r = db ? sim_coll_put(dbs, folded, db) : -1;
        pthread_mutex_unlock(&sim->mu);
        json_decref(in);
        if (!db)
            fail(rs, 400, err);
        else if (r < 0)
            fail(rs, 500, "out of memory");
        else
            reply(rs, 200, json_pack("{s:b,s:b}", "ok", 1, "created", r == 1));
    } else {
        fail(rs, 405, "method not allowed");
    }
}

/* Split "<a>/<b>[/<c>]" of @p p into folded, validated names. @return the count or -1. */
static int split_names(const char *p, char names[3][1024])
{
    int n = 0;

    while (*p && n < 3) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (len == 0 || len >= 1024)
            return -1;
        memcpy(names[n], p, len);
        names[n][len] = '\0';
        n++;
        p += len;
        if (*p == '/')
            p++;
    }
    return *p ? -1 : n;
}

static void fold_valid(char *s, int *bad)
{
    if (!sim_name_valid(s, 255))
        *bad = 1;
    sim_fold(s);
}

/* Fold and check the first @p n names; 1 if all are valid, else 0 with 400 answered. */
static int names_ok(char names[][1024], int n, struct sim_resp *rs)
{
    int bad = 0, i;

    for (i = 0; i < n; i++)
        fold_valid(names[i], &bad);
    if (bad)
        fail(rs, 400, "invalid name");
    return !bad;
}

/* The objects of @p c (may be NULL) as a new list. */
static json_t *coll_list(const struct sim_coll *c)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; c && i < c->n; i++)
        json_array_append(list, c->items[i].obj);
    return list;
}

/* A table or function of @p side from @p in (replacing @p it, may be NULL); sim->mu held. */
static json_t *child_build(struct sim *sim, enum sim_side side, int kid, const struct sim_item *db,
                           const struct sim_item *it, const char *name, const json_t *in, char *err,
                           size_t errlen)
{
    double now = (double)time(NULL);
    json_t *obj;
    char id[48];

    if (side == SIM_GLUE && kid == SIM_KID_TABLES)
        return sim_glue_table_build(in, db->name, it ? it->obj : NULL, now, 1, sim->glue_catalog,
                                    err, errlen);
    if (side == SIM_GLUE)
        return sim_glue_fn_build(in, db->name, name, it ? it->obj : NULL, now, 1, sim->glue_catalog,
                                 err, errlen);
    if (kid != SIM_KID_TABLES)
        return sim_dlf_fn_build(in, it ? it->obj : NULL, (int64_t)now, err, errlen);
    snprintf(id, sizeof(id), "sim-%lu", ++sim->table_ids);
    obj = sim_dlf_table_build(in, it ? it->obj : NULL, (int64_t)now, id, err, errlen);
    if (obj && json_is_integer(json_object_get(in, "UpdateTime")))
        json_object_set(obj, "UpdateTime", json_object_get(in, "UpdateTime"));
    return obj;
}

/* /_sim/<side>/tables/<db>[/<table>] and /_sim/<side>/functions/<db>[/<fn>] */
static void children(struct sim_req *rq, struct sim_resp *rs, enum sim_side side, int kid,
                     const char *rest)
{
    struct sim *sim = rq->sim;
    char names[3][1024], err[512];
    struct sim_item *db, *it;
    struct sim_coll *kids;
    int n = split_names(rest, names), r;
    json_t *in, *obj, *list;

    if (n < 1 || n > 2) {
        fail(rs, 404, "expected <database>[/<name>]");
        return;
    }
    if (!names_ok(names, n, rs))
        return;
    in = NULL;
    if (strcmp(rq->method, "PUT") == 0 && !(in = body_object(rq, rs)))
        return;
    pthread_mutex_lock(&sim->mu);
    db = sim_coll_find(&sim->cat[side].dbs, names[0]);
    if (!db) {
        pthread_mutex_unlock(&sim->mu);
        json_decref(in);
        fail(rs, 404, "no such database");
        return;
    }
    kids = db->kids[kid];
    if (n == 1) {
        list = coll_list(kids);
        pthread_mutex_unlock(&sim->mu);
        reply(rs, strcmp(rq->method, "GET") == 0 ? 200 : 405,
              json_pack("{s:o}", kid == SIM_KID_TABLES ? "Tables" : "Functions", list));
        return;
    }
    it = kids ? sim_coll_find(kids, names[1]) : NULL;
    if (strcmp(rq->method, "GET") == 0) {
        obj = it ? json_deep_copy(it->obj) : NULL;
        if (obj && side == SIM_DLF && kid == SIM_KID_TABLES)
            json_object_set_new(obj, "ArchivedVersions", json_integer((json_int_t)it->archived));
        pthread_mutex_unlock(&sim->mu);
        if (obj)
            reply(rs, 200, obj);
        else
            fail(rs, 404, kid == SIM_KID_TABLES ? "no such table" : "no such function");
    } else if (strcmp(rq->method, "DELETE") == 0) {
        r = it ? sim_coll_remove(kids, names[1]) : -1;
        pthread_mutex_unlock(&sim->mu);
        if (r < 0)
            fail(rs, 404, kid == SIM_KID_TABLES ? "no such table" : "no such function");
        else
            okay(rs);
    } else if (strcmp(rq->method, "PUT") == 0) {
        const char *nk = side == SIM_GLUE ? (kid == SIM_KID_TABLES ? "Name" : "FunctionName")
                                          : (kid == SIM_KID_TABLES ? "TableName" : "FunctionName");

        if (!json_is_string(json_object_get(in, nk)))
            json_object_set_new(in, nk, json_string(names[1]));
        obj = child_build(sim, side, kid, db, it, names[1], in, err, sizeof(err));
        kids = sim_item_kids(db, kid);
        if (obj && kids)
            r = sim_coll_put(kids, names[1], obj);
        else {
            json_decref(obj);
            r = -1;
        }
        pthread_mutex_unlock(&sim->mu);
        json_decref(in);
        if (!obj)
            fail(rs, 400, err);
        else if (r < 0)
            fail(rs, 500, "out of memory");
        else
            reply(rs, 200, json_pack("{s:b,s:b}", "ok", 1, "created", r == 1));
    } else {
        pthread_mutex_unlock(&sim->mu);
        json_decref(in);
        fail(rs, 405, "method not allowed");
    }
}

/* Every partition of @p t as that side's JSON (new list); sim->mu held. */
static json_t *all_parts(struct sim *sim, enum sim_side side, const struct sim_item *t)
{
    json_t *list = json_array();
    struct sim_ppos pos;
    const struct sim_prec *r;

    sim_parts_lower_bound(t->parts, NULL, 0, &pos);
    for (; (r = sim_parts_at(t->parts, &pos)) != NULL; sim_parts_next(t->parts, &pos)) {
        json_t *p = side == SIM_GLUE ? sim_glue_part_json(t->obj, r, sim->glue_catalog, 0)
                                     : sim_prec_json(r);

        if (p)
            json_array_append_new(list, p);
    }
    return list;
}

/*
 * Store (or, @p del, remove) each entry of @p list in @p t; sim->mu held. Stops at the
 * first bad entry with @p err set; err is "" when all went in.
 */
static void parts_apply(struct sim *sim, enum sim_side side, const struct sim_item *db,
                        struct sim_item *t, const json_t *list, int del, char *errbuf,
                        size_t errlen)
{
    size_t i, nkeys = json_array_size(json_object_get(t->obj, "PartitionKeys"));
    json_t *e;

    errbuf[0] = '\0';
    json_array_foreach(list, i, e)
    {
        const json_t *vj = del ? e : json_object_get(e, "Values");
        const char *vals[SIM_MAX_KEYS];
        size_t nv, len;
        char *key, *text = NULL;

        if (sim_values_get(vj, vals, SIM_MAX_KEYS, &nv) < 0) {
            snprintf(errbuf, errlen, "entry %zu: Values must be a list of strings", i);
            break;
        }
        key = sim_pkey_make(vals, nv, &len);
        if (!key) {
            snprintf(errbuf, errlen, "out of memory");
            break;
        }
        if (del) {
            sim_parts_remove(t->parts, key, len);
        } else {
            if (side == SIM_GLUE) {
                json_t *p = sim_glue_part_build(e, db->name, t->name, nkeys, (double)time(NULL), 1,
                                                sim->glue_catalog, errbuf, errlen);

                text = p ? json_dumps(p, JSON_COMPACT) : NULL;
                json_decref(p);
            } else {
                text = sim_dlf_part_text(e, NULL, (int64_t)time(NULL), nkeys, errbuf, errlen);
            }
            if (!text ||
                sim_parts_put(t->parts, key, len, (unsigned)nv, 0, text, strlen(text), 0) < 0) {
                if (text)
                    snprintf(errbuf, errlen, "out of memory");
                free(text);
                free(key);
                break;
            }
            free(text);
        }
        free(key);
    }
}

/* /_sim/<side>/partitions/<db>/<table>[/delete] */
static void partitions(struct sim_req *rq, struct sim_resp *rs, enum sim_side side,
                       const char *rest)
{
    struct sim *sim = rq->sim;
    char names[3][1024], err[512];
    struct sim_item *db, *t;
    int n = split_names(rest, names), del;
    json_t *in = NULL, *list;

    if (n < 2 || (n == 3 && strcmp(names[2], "delete") != 0)) {
        fail(rs, 404, "expected <database>/<table>[/delete]");
        return;
    }
    del = n == 3;
    if (!names_ok(names, 2, rs))
        return;
    if (strcmp(rq->method, del ? "POST" : rq->method) != 0 ||
        (strcmp(rq->method, "GET") && strcmp(rq->method, "POST"))) {
        fail(rs, 405, "method not allowed");
        return;
    }
    if (strcmp(rq->method, "POST") == 0 && !(in = body_object(rq, rs)))
        return;
    pthread_mutex_lock(&sim->mu);
    db = sim_coll_find(&sim->cat[side].dbs, names[0]);
    t = db && db->kids[SIM_KID_TABLES] ? sim_coll_find(db->kids[SIM_KID_TABLES], names[1]) : NULL;
    if (!t) {
        pthread_mutex_unlock(&sim->mu);
        json_decref(in);
        fail(rs, 404, "no such table");
        return;
    }
    if (!in) {
        list = all_parts(sim, side, t);
        pthread_mutex_unlock(&sim->mu);
        reply(rs, 200, json_pack("{s:o}", "Partitions", list));
        return;
    }
    list = json_object_get(in, del ? "Values" : "Partitions");
    if (!json_is_array(list) || (!t->parts && !(t->parts = sim_parts_new()))) {
        pthread_mutex_unlock(&sim->mu);
        json_decref(in);
        fail(rs, 400, del ? "body needs \"Values\": [[...], ...]" : "body needs \"Partitions\"");
        return;
    }
    parts_apply(sim, side, db, t, list, del, err, sizeof(err));
    pthread_mutex_unlock(&sim->mu);
    json_decref(in);
    if (err[0])
        fail(rs, 400, err);
    else
        okay(rs);
}

/* POST /_sim/glue/mutate {"add":f,"change":f,"drop":f,"seed":n} */
static void mutate(struct sim_req *rq, struct sim_resp *rs)
{
    struct sim *sim = rq->sim;
    struct sim_mutate m;
    struct sim_mutate_counts c;
    const char *names[] = {"add", "change", "drop"};
    double *fr[] = {&m.add, &m.change, &m.drop};
    json_t *in, *v;
    size_t i;
    int r;

    if (strcmp(rq->method, "POST") != 0) {
        fail(rs, 405, "method not allowed");
        return;
    }
    if (!(in = body_object(rq, rs)))
        return;
    memset(&m, 0, sizeof(m));
    for (i = 0; i < 3; i++) {
        v = json_object_get(in, names[i]);
        if (v && (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)) {
            json_decref(in);
            fail(rs, 400, "add, change and drop must be numbers in 0..1");
            return;
        }
        *fr[i] = v ? json_number_value(v) : 0.0;
    }
    v = json_object_get(in, "seed");
    if (v && !json_is_integer(v)) {
        json_decref(in);
        fail(rs, 400, "seed must be an integer");
        return;
    }
    m.seed = v ? (uint64_t)json_integer_value(v) : 1;
    json_decref(in);
    if (m.change + m.drop > 1) {
        fail(rs, 400, "change + drop must not exceed 1");
        return;
    }
    m.first_new = sim->cfg.partitions_per_table;
    pthread_mutex_lock(&sim->mu);
    r = sim_gen_mutate(&sim->cat[SIM_GLUE], &m, &c);
    pthread_mutex_unlock(&sim->mu);
    if (r < 0) {
        fail(rs, 500, "out of memory");
        return;
    }
    reply(rs, 200,
          json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "ok", 1, "tables", (json_int_t)c.tables,
                    "partitions_before", (json_int_t)c.before, "added", (json_int_t)c.added,
                    "changed", (json_int_t)c.changed, "dropped", (json_int_t)c.dropped,
                    "partitions_after", (json_int_t)(c.before + c.added - c.dropped)));
}

void sim_admin_serve(struct sim_req *rq, struct sim_resp *rs)
{
    const char *p = rq->path + strlen("/_sim/");
    const char *m = rq->method;
    char err[512];
    json_t *in;

    if (strcmp(p, "health") == 0) {
        okay(rs);
    } else if (strcmp(p, "stats") == 0 && strcmp(m, "GET") == 0) {
        reply(rs, 200, sim_stats_json(rq->sim));
    } else if (strcmp(p, "stats/reset") == 0 && strcmp(m, "POST") == 0) {
        sim_stats_reset(rq->sim);
        okay(rs);
    } else if (strcmp(p, "faults") == 0) {
        if (strcmp(m, "GET") == 0) {
            reply(rs, 200, json_pack("{s:o}", "Faults", sim_faults_list(rq->sim)));
        } else if (strcmp(m, "DELETE") == 0) {
            sim_faults_clear(rq->sim);
            okay(rs);
        } else if (strcmp(m, "POST") == 0) {
            in = body_object(rq, rs);
            if (!in)
                return;
            if (sim_faults_add(rq->sim, in, err, sizeof(err)) < 0)
                fail(rs, 400, err);
            else
                okay(rs);
            json_decref(in);
        } else {
            fail(rs, 405, "method not allowed");
        }
    } else if (strcmp(p, "glue/mutate") == 0) {
        mutate(rq, rs);
    } else if (strcmp(p, "glue/databases") == 0) {
        databases(rq, rs, SIM_GLUE, NULL);
    } else if (strncmp(p, "glue/databases/", 15) == 0) {
        databases(rq, rs, SIM_GLUE, p + 15);
    } else if (strcmp(p, "dlf/databases") == 0) {
        databases(rq, rs, SIM_DLF, NULL);
    } else if (strncmp(p, "dlf/databases/", 14) == 0) {
        databases(rq, rs, SIM_DLF, p + 14);
    } else if (strncmp(p, "glue/tables/", 12) == 0) {
        children(rq, rs, SIM_GLUE, SIM_KID_TABLES, p + 12);
    } else if (strncmp(p, "dlf/tables/", 11) == 0) {
        children(rq, rs, SIM_DLF, SIM_KID_TABLES, p + 11);
    } else if (strncmp(p, "glue/functions/", 15) == 0) {
        children(rq, rs, SIM_GLUE, SIM_KID_FUNCTIONS, p + 15);
    } else if (strncmp(p, "dlf/functions/", 14) == 0) {
        children(rq, rs, SIM_DLF, SIM_KID_FUNCTIONS, p + 14);
    } else if (strncmp(p, "glue/partitions/", 16) == 0) {
        partitions(rq, rs, SIM_GLUE, p + 16);
    } else if (strncmp(p, "dlf/partitions/", 15) == 0) {
        partitions(rq, rs, SIM_DLF, p + 15);
    } else {
        fail(rs, 404, "no such admin endpoint");
    }
}
