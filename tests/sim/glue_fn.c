/* SPDX-License-Identifier: MIT */
/*
 * Glue user-defined functions: GetUserDefinedFunctions, GetUserDefinedFunction,
 * CreateUserDefinedFunction, DeleteUserDefinedFunction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glue_ops.h"

void sg_get_functions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *pat = json_object_get(in, "Pattern");
    const json_t *dbn = json_object_get(in, "DatabaseName");
    struct sim_coll *dbs = &sg_cat(rq)->dbs;
    struct sim_item *only = NULL;
    json_int_t max;
    char *start = NULL;
    size_t len, d;
    regex_t re;
    json_t *list, *out;
    size_t n = 0;

    if (sg_catalog_ok(rq, in, rs) < 0 || sg_max_results(rq, in, 100, 100, &max, rs) < 0)
        return;
    if (dbn && !json_is_null(dbn) && !(only = sg_find_db(rq, in, "DatabaseName", rs)))
        return;
    if (!json_is_string(pat) || !sim_name_valid(json_string_value(pat), 255)) {
        sg_invalid(rq, rs,
                   "1 validation error detected: Value at 'pattern' failed to satisfy constraint: "
                   "Member must have length between 1 and 255");
        return;
    }
    if (sim_pattern_compile(&re, json_string_value(pat)) < 0) {
        sg_invalid(rq, rs, "Pattern is not a valid regular expression");
        return;
    }
    if (sg_next_token(rq, in, "fn", &start, &len, rs) < 0) {
        regfree(&re);
        return;
    }
    /* Token key: "<db>\x01<function>" (names never hold control characters). */
    list = json_array();
    out = json_pack("{s:o}", "UserDefinedFunctions", list);
    for (d = 0; d < dbs->n; d++) {
        struct sim_item *db = &dbs->items[d];
        struct sim_coll *fns = db->kids[SIM_KID_FUNCTIONS];
        size_t dl = strlen(db->name), i = 0;

        if ((only && db != only) || !fns)
            continue;
        if (start) {
            const char *sep = memchr(start, '\x01', len);
            size_t sl = sep ? (size_t)(sep - start) : len;
            int c = strncmp(db->name, start, sl);

            if (c < 0 || (c == 0 && dl < sl))
                continue;
            if (c == 0 && dl == sl && sep)
                i = sim_coll_lower_bound(fns, sep + 1);
        }
        for (; i < fns->n; i++) {
            if (regexec(&re, fns->items[i].name, 0, NULL, 0) != 0)
                continue;
            if (n == (size_t)max) {
                char *k = malloc(dl + 1 + strlen(fns->items[i].name) + 1);

                if (k) {
                    sprintf(k, "%s\x01%s", db->name, fns->items[i].name);
                    sg_set_token(out, "fn", k, strlen(k));
                    free(k);
                }
                goto done;
            }
            json_array_append(list, fns->items[i].obj);
            n++;
        }
    }
done:
    sg_ok(rs, out);
    free(start);
    regfree(&re);
}

static struct sim_item *find_fn(struct sim_req *rq, struct sim_item *db, const json_t *in,
                                struct sim_resp *rs)
{
    char name[1024];
    struct sim_item *it;

    if (sg_name_member(rq, in, "FunctionName", name, sizeof(name), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_FUNCTIONS] ? sim_coll_find(db->kids[SIM_KID_FUNCTIONS], name) : NULL;
    if (!it)
        sim_glue_error(rs, rq, 400, "EntityNotFoundException", "Function %s not found.", name);
    return it;
}

void sg_get_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        !(f = find_fn(rq, db, in, rs)))
        return;
    sg_ok(rs, json_pack("{s:O}", "UserDefinedFunction", f->obj));
}

void sg_create_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const json_t *fi = json_object_get(in, "FunctionInput");
    struct sim_item *db;
    struct sim_coll *kids;
    char err[512];
    const char *name;
    json_t *f;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)))
        return;
    f = sim_glue_fn_build(fi, db->name, NULL, NULL, (double)time(NULL), 0, rq->sim->glue_catalog,
                          err, sizeof(err));
    if (!f) {
        sg_invalid(rq, rs, err);
        return;
    }
    name = json_string_value(json_object_get(f, "FunctionName"));
    kids = sim_item_kids(db, SIM_KID_FUNCTIONS);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(f);
        sim_glue_error(rs, rq, 400, "AlreadyExistsException", "Function already exists.");
        return;
    }
    if (!kids || sim_coll_put(kids, name, f) < 0) {
        if (!kids)
            json_decref(f);
        sg_internal(rq, rs);
        return;
    }
    sg_ok(rs, NULL);
}

void sg_delete_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (sg_catalog_ok(rq, in, rs) < 0 || !(db = sg_find_db(rq, in, "DatabaseName", rs)) ||
        !(f = find_fn(rq, db, in, rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_FUNCTIONS], f->name);
    sg_ok(rs, NULL);
}
