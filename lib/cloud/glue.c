/* SPDX-License-Identifier: MIT */
/*
 * The Glue operations the engine uses, on the wire: the JSON 1.1 request bodies of the
 * listings, and the reading of their answers (list member, NextToken).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/jscan.h"

#include "cloud/answer.h"
#include "cloud/check.h"
#include "cloud/cloud.h"

/* GetPartitions pages: the most Glue returns per page. */
#define GLUE_PARTITIONS_PAGE 1000

static const struct glue_listing {
    const char *op, *member;
} glue_listings[] = {
    [G2D_LIST_GLUE_DATABASES] = {"GetDatabases", "DatabaseList"},
    [G2D_LIST_GLUE_TABLES] = {"GetTables", "TableList"},
    [G2D_LIST_GLUE_FUNCTIONS] = {"GetUserDefinedFunctions", "UserDefinedFunctions"},
    [G2D_LIST_GLUE_PARTITIONS] = {"GetPartitions", "Partitions"},
};

static int glue_answer(struct g2d_api_result *res, void *actx, char *msg, size_t msgsz)
{
    const struct glue_listing *l = actx;

    return g2d_answer_list(res, l->member, "NextToken", msg, msgsz);
}

static json_t *list_body(struct g2d_cloud *c, const struct g2d_list_req *req)
{
    const struct g2d_config *cfg = g2d_cloud_config(c);
    json_t *body = json_object();
    int r = 0;

    if (!body)
        return NULL;
    if (cfg->glue.catalog_id)
        r |= json_object_set_new(body, "CatalogId", json_string(cfg->glue.catalog_id));
    if (req->what != G2D_LIST_GLUE_DATABASES)
        r |= json_object_set_new(body, "DatabaseName", json_string(req->db));
    if (req->what == G2D_LIST_GLUE_FUNCTIONS)
        r |= json_object_set_new(body, "Pattern", json_string(".*"));
    if (req->what == G2D_LIST_GLUE_PARTITIONS) {
        r |= json_object_set_new(body, "TableName", json_string(req->tbl));
        if (req->expression)
            r |= json_object_set_new(body, "Expression", json_string(req->expression));
        if (req->segments > 1)
            r |= json_object_set_new(body, "Segment",
                                     json_pack("{s:i, s:i}", "SegmentNumber", (int)req->segment,
                                               "TotalSegments", (int)req->segments));
        r |= json_object_set_new(
            body, "MaxResults",
            json_integer(g2d_cloud_page_size(c, req->what, GLUE_PARTITIONS_PAGE)));
    } else {
        r |= json_object_set_new(
            body, "MaxResults",
            json_integer(g2d_cloud_page_size(c, req->what, cfg->glue.http.page_size)));
    }
    if (req->token)
        r |= json_object_set_new(body, "NextToken", json_string(req->token));
    if (r) {
        json_decref(body);
        return NULL;
    }
    return body;
}

int g2d_glue_list(struct g2d_cloud *c, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                  struct g2d_http_req **out)
{
    struct g2d_cloud_call_opts o = {0};
    const struct glue_listing *l;

    if (req->what > G2D_LIST_GLUE_PARTITIONS)
        return -EINVAL;
    l = &glue_listings[req->what];
    o.side = G2D_SIDE_GLUE;
    o.raw = req->what == G2D_LIST_GLUE_PARTITIONS; /* read on the pool, see below */
    o.method = "POST";
    o.path = "/";
    o.action = l->op;
    o.body = list_body(c, req);
    if (!o.body)
        return -ENOMEM;
    o.answer = o.raw ? NULL : glue_answer;
    o.actx = (void *)l;
    return g2d_cloud_submit(c, &o, cb, arg, out);
}

int g2d_glue_partitions_page(const char *body, size_t len, g2d_check_elem_cb each, void *arg,
                             char **next, char *msg, size_t msgsz)
{
    struct g2d_check_page page = {0};
    struct g2d_error err = {0};
    json_t *tok = NULL;
    int r;

    *next = NULL;
    /* the one shape check (lib/cloud/check.c): duplicates, error documents, types */
    r = g2d_check_raw(g2d_check_shape(G2D_SIDE_GLUE, "GetPartitions"), body, len, each, arg, &page,
                      NULL, &err);
    if (r == -EIO || r == -EPROTO) {
        snprintf(msg, msgsz, "%s", err.msg);
        return -EPROTO;
    }
    if (r < 0)
        return r;
    if (page.token) {
        tok = json_loadb(page.token, page.token_len, JSON_DECODE_ANY, NULL);
        if (json_is_string(tok) && json_string_length(tok)) {
            *next = strdup(json_string_value(tok));
            if (!*next)
                r = -ENOMEM;
        }
    }
    json_decref(tok);
    return r;
}
