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
    } else if (strcmp(p, "glue/databases") == 0) {
        databases(rq, rs, SIM_GLUE, NULL);
    } else if (strncmp(p, "glue/databases/", 15) == 0) {
        databases(rq, rs, SIM_GLUE, p + 15);
    } else if (strcmp(p, "dlf/databases") == 0) {
        databases(rq, rs, SIM_DLF, NULL);
    } else if (strncmp(p, "dlf/databases/", 14) == 0) {
        databases(rq, rs, SIM_DLF, p + 14);
    } else {
        fail(rs, 404, "no such admin endpoint");
    }
}
