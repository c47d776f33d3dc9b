/* SPDX-License-Identifier: MIT */
/*
 * DLF functions: ListFunctions, GetFunction, CreateFunction, UpdateFunction, DeleteFunction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dlf_ops.h"

static struct sim_item *dlf_fn(struct sim_req *rq, struct sim_item *db, const char *name,
                               struct sim_resp *rs)
{
    char nm[1024];
    struct sim_item *it;

    if (sd_take_name(rq, name, nm, sizeof(nm), rs) < 0)
        return NULL;
    it = db->kids[SIM_KID_FUNCTIONS] ? sim_coll_find(db->kids[SIM_KID_FUNCTIONS], nm) : NULL;
    if (!it)
        sim_dlf_error(rs, rq, 404, "NoSuchObject", "Function %s.%s not found.", db->name, nm);
    return it;
}

void sd_list_functions(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    const char *pat = sim_query(rq, "FunctionNamePattern");
    struct sim_item *db;
    struct sim_coll *c;
    long size;
    char *start = NULL, *ntok = NULL;
    size_t len, i, n = 0;
    regex_t re;
    json_t *list;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        !(db = sd_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        sd_page_size(rq, NULL, &size, rs) < 0 ||
        sd_page_token(rq, NULL, "fn", &start, &len, rs) < 0)
        return;
    if (sim_pattern_compile(&re, pat && *pat ? pat : ".*") < 0) {
        free(start);
        sim_dlf_error(rs, rq, 400, "InvalidInput", "FunctionNamePattern is not a valid pattern.");
        return;
    }
    list = json_array();
    c = db->kids[SIM_KID_FUNCTIONS];
    for (i = c ? (start ? sim_coll_lower_bound(c, start) : 0) : 0; c && i < c->n; i++) {
        if (regexec(&re, c->items[i].name, 0, NULL, 0) != 0)
            continue;
        if (n == (size_t)size) {
            ntok = sim_token_make("fn", c->items[i].name);
            break;
        }
        json_array_append(list, c->items[i].obj);
        n++;
    }
    sd_ok(rq, rs, json_pack("{s:o,s:s}", "Functions", list, "NextPageToken", ntok ? ntok : ""));
    free(ntok);
    free(start);
    regfree(&re);
}

void sd_get_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        !(db = sd_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(f = dlf_fn(rq, db, sim_query(rq, "FunctionName"), rs)))
        return;
    sd_ok(rq, rs, json_pack("{s:O}", "Function", f->obj));
}

void sd_create_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db;
    struct sim_coll *kids;
    char err[512], name[1024];
    json_t *f;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)))
        return;
    f = sim_dlf_fn_build(json_object_get(in, "FunctionInput"), NULL, (int64_t)time(NULL), err,
                         sizeof(err));
    if (!f) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(f, "FunctionName")));
    sim_fold(name);
    kids = sim_item_kids(db, SIM_KID_FUNCTIONS);
    if (kids && sim_coll_find(kids, name)) {
        json_decref(f);
        sim_dlf_error(rs, rq, 409, "AlreadyExists", "Function %s.%s already exists.", db->name,
                      name);
        return;
    }
    if (!kids || sim_coll_put(kids, name, f) < 0) {
        if (!kids)
            json_decref(f);
        sd_nomem(rq, rs);
        return;
    }
    sd_ok(rq, rs, NULL);
}

void sd_update_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;
    char err[512];
    json_t *nf;

    if (sd_catalog_ok(rq, in, rs) < 0 ||
        !(db = sd_db(rq, sd_param(rq, in, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(f = dlf_fn(rq, db, sd_param(rq, in, "FunctionName"), rs)))
        return;
    nf = sim_dlf_fn_build(json_object_get(in, "FunctionInput"), f->obj, (int64_t)time(NULL), err,
                          sizeof(err));
    if (!nf) {
        sim_dlf_error(rs, rq, 400, "InvalidObject", "%s", err);
        return;
    }
    json_decref(f->obj);
    f->obj = nf;
    sd_ok(rq, rs, NULL);
}

void sd_delete_function(struct sim_req *rq, json_t *in, struct sim_resp *rs)
{
    struct sim_item *db, *f;

    if (sd_catalog_ok(rq, NULL, rs) < 0 ||
        !(db = sd_db(rq, sim_query(rq, "DatabaseName"), "NoSuchObject", 404, rs)) ||
        !(f = dlf_fn(rq, db, sim_query(rq, "FunctionName"), rs)))
        return;
    sim_coll_remove(db->kids[SIM_KID_FUNCTIONS], f->name);
    sd_ok(rq, rs, NULL);
}
